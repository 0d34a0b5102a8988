package ui

import (
	"database/sql"
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

// TestAuditCheck: C on the Audit tab runs the database check and shows a
// line a check; a broken invariant shows as a finding with its rows.
func TestAuditCheck(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabAudit
	drain(a, a.aud.load())
	drain(a, press(a, "C"))
	s := screen(a)
	if !strings.Contains(s, "Check · The database is sound") || !strings.Contains(s, "✓ integrity") || !strings.Contains(s, "✓ payroll") {
		t.Fatalf("check:\n%s", s)
	}
	assertFits(t, s, 80, 24)
	drain(a, press(a, "esc"))
	if a.aud.checked != nil {
		t.Fatal("esc kept the check")
	}
	db, err := sql.Open("sqlite", "file:"+a.c.Store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE invoices SET total = '1.00' WHERE id = (SELECT min(id) FROM invoices WHERE number IS NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	drain(a, press(a, "C"))
	if s := screen(a); !strings.Contains(s, "Check · 1 finding") || !strings.Contains(s, "✗ invoice totals") || !strings.Contains(s, "hint:") {
		t.Fatalf("check with a broken total:\n%s", s)
	}
}
