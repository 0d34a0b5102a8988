package ui

import (
	"fmt"
	"strings"
	"testing"
)

// enter shows a change whole (the list cuts it at 80 columns); o opens its job.
func TestListsAuditDetail(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabAudit
	drain(a, a.aud.load())
	// a job's creation: its summary is longer than the row
	idx := -1
	for i, e := range a.aud.list {
		if e.Entity == "job" && e.Action == "create" && len(e.After) > 50 {
			idx = i
			break
		}
	}
	if idx < 0 {
		t.Fatal("no long change")
	}
	e := a.aud.list[idx]
	a.aud.cursor = idx
	if strings.Contains(collapse(screen(a)), collapse(e.After)) {
		t.Fatalf("precondition: the row shows %q whole", e.After)
	}
	short, _ := helpText(a)
	if !strings.Contains(short, "enter details") || !strings.Contains(short, "o open job") {
		t.Fatalf("help line: %q", short)
	}
	press(a, "enter")
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"When", "Who", "Entity", "Action", "Before", "After", "Job",
		e.At.In(testLoc).Format("Mon 02 Jan 2006 15:04:05"), fmt.Sprintf("job %d", e.EntityID), fmt.Sprintf("#%d", e.JobID)} {
		if !strings.Contains(s, want) {
			t.Fatalf("detail lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(collapse(s), collapse(e.After)) {
		t.Fatalf("detail does not show %q whole:\n%s", e.After, s)
	}
	press(a, "right") // the next (older) change
	if a.aud.cursor != idx+1 || !a.aud.detail {
		t.Fatalf("right: cursor %d", a.aud.cursor)
	}
	press(a, "h") // back to it (h is left)
	drain(a, press(a, "o"))
	if a.job == nil || a.job.id != e.JobID {
		t.Fatalf("o did not open job #%d", e.JobID)
	}
	press(a, "esc")
	press(a, "esc")
	if a.aud.detail {
		t.Fatal("esc did not close the detail")
	}
	// a change that belongs to no job says so
	for i, e := range a.aud.list {
		if e.JobID == 0 {
			a.aud.cursor = i
			drain(a, press(a, "o"))
			if a.job != nil || !strings.Contains(screen(a), "belongs to no job") {
				t.Fatalf("o on %s %d:\n%s", e.Entity, e.EntityID, screen(a))
			}
			break
		}
	}
}
