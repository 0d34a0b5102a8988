package sshd

import (
	"context"
	"strings"
	"testing"
	"time"

	"offduty/store"
)

// TestFailureDelays: a source address's failed sign-ins cost nothing for
// the first few (a client offers several keys), then more and more, up to a
// ceiling; they are forgotten after the window; addresses are counted apart.
func TestFailureDelays(t *testing.T) {
	var f failures
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	want := []time.Duration{0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := f.fail("203.0.113.7", t0.Add(time.Duration(i)*time.Second)); got != w {
			t.Errorf("failure %d: delay %s, want %s", i+1, got, w)
		}
	}
	if got := f.fail("198.51.100.1", t0.Add(10*time.Second)); got != 0 {
		t.Errorf("another address's first failure: delay %s", got)
	}
	if got := f.fail("203.0.113.7", t0.Add(10*time.Second+failureWindow)); got != 0 {
		t.Errorf("after the window: delay %s, want none", got)
	}
}

// TestWorkingKeyAfterFailures: however many keys failed from 127.0.0.1
// (where everyone forwarded through the machine's own SSH server comes
// from), a key that works signs in. The server names itself offduty.
func TestWorkingKeyAfterFailures(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	good := addUser(t, st, "sam", store.RoleSupervisor, 0)
	for i := 0; i < 4; i++ {
		stranger, _ := newKey(t)
		if c, err := dial(ts.addr, stranger); err == nil {
			c.Close()
			t.Fatal("a stranger's key signed in")
		}
	}
	c, err := dial(ts.addr, good)
	if err != nil {
		t.Fatalf("a working key after failures: %v", err)
	}
	defer c.Close()
	if v := string(c.ServerVersion()); v != "SSH-2.0-offduty" {
		t.Errorf("server version %q", v)
	}
	waitLog(t, ts, "reason=\"unknown key\"", "delay=250ms")
}

// TestRemovedUserSessionEnds: a removed user's open console ends within
// seconds, telling them why; so does one whose role changed.
func TestRemovedUserSessionEnds(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "olga", store.RoleOperator, 0)
	tm := connect(t, ts.addr, key)
	defer tm.close()
	if !tm.waitFor(10*time.Second, "Requests") {
		t.Fatalf("no console:\n%s", tm.text())
	}
	if err := st.RemoveUser(context.Background(), local, "olga"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.wait(10 * time.Second); !ok {
		t.Fatal("the removed user's session is still open after 10 s")
	}
	if got := tm.text(); !strings.Contains(got, "your access was removed") {
		t.Errorf("the session ended without saying why:\n%s", lastLines(got, 5))
	}
	waitLog(t, ts, "reason=\"user or key removed\"", "user=olga")
}
