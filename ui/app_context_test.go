package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"offduty/store"
)

// An ended session's console is not kept alive by its background commands:
// the clock's tick and the wait for changes return as soon as the session's
// context ends (otherwise each holds the program for up to 30 s).
func TestBackgroundCommandsEndWithTheSession(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "ctx.db"), store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	a := New(Options{Store: s, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "tester", Context: ctx})
	tick, wait := a.tick(), a.waitChange()
	done := make(chan string, 2)
	go func() { tick(); done <- "tick" }()
	go func() { wait(); done <- "wait for changes" }()
	select {
	case what := <-done:
		t.Fatalf("%s returned before the session ended", what)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	for range 2 {
		select {
		case <-done:
		case <-time.After(10 * time.Second): // they would otherwise wait 30 s
			t.Fatal("a background command outlived its session")
		}
	}
	if msg := a.waitChange()(); msg != nil {
		t.Fatalf("waitChange after the session ended = %#v, want nothing", msg)
	}
}
