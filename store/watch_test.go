package store_test

import (
	"context"
	"testing"
	"time"

	"offduty/store"
)

// Another process on the same file: its write is seen through PRAGMA data_version.
func TestWaitChangeAcrossStores(t *testing.T) {
	s, path := seededStore(t)
	other, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	got := make(chan bool, 1)
	go func() { got <- other.WaitChange(context.Background(), 3*time.Second) }()
	time.Sleep(400 * time.Millisecond) // the watcher has read the version once
	customerAndSite(t, s, "Change Co")
	select {
	case ok := <-got:
		if !ok {
			t.Fatal("the other store timed out")
		}
	case <-time.After(4 * time.Second):
		t.Fatal("no answer")
	}
	// What the change's other transactions tell arrives too (PostgreSQL
	// notifies each commit; SQLite's poll may fold them into one).
	for other.WaitChange(context.Background(), 300*time.Millisecond) {
	}
	// and nothing changing means a timeout, not a false alarm
	if other.WaitChange(context.Background(), 600*time.Millisecond) {
		t.Fatal("a change was reported while nothing changed")
	}
}
