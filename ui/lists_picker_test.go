package ui

import (
	"strconv"
	"strings"
	"testing"
)

// The officer picker searches by name or badge; esc clears the search.
func TestListsPickerSearch(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.today.load())
	idx := -1
	for i, j := range a.today.jobs {
		for _, p := range j.Positions {
			if p.OfficerID == 0 && p.Status == "open" {
				idx = i
			}
		}
	}
	if idx < 0 {
		t.Fatal("no open position today")
	}
	a.today.cursor = idx
	drain(a, press(a, "a"))
	if a.job == nil || a.job.picker == nil {
		t.Fatal("picker not open")
	}
	pk := a.job.picker
	all := len(pk.list)
	if all < 3 {
		t.Fatalf("only %d candidates", all)
	}
	target := pk.list[all-1] // the last: below the fold at 80x24
	press(a, "/", strings.ToLower(target.LastName))
	if a.job == nil || a.job.picker == nil {
		t.Fatal("typing closed the picker")
	}
	if len(pk.view) == 0 || len(pk.view) == all {
		t.Fatalf("search %q kept %d of %d", target.LastName, len(pk.view), all)
	}
	for _, i := range pk.view {
		c := pk.list[i]
		if !strings.Contains(strings.ToLower(c.Name()+" "+c.Badge), strings.ToLower(target.LastName)) {
			t.Fatalf("search let through %s", c.Name())
		}
	}
	s := screen(a)
	if !strings.Contains(s, target.Name()) || !strings.Contains(s, "of "+strconv.Itoa(all)+" officers") {
		t.Fatalf("search result not shown:\n%s", s)
	}
	if c := pk.selected(); c == nil || c.ID != pk.list[pk.view[0]].ID {
		t.Fatal("the first match is not selected")
	}
	press(a, "esc") // clears the search, the picker stays
	if a.job.picker == nil || len(pk.view) != all || pk.filter.Value() != "" {
		t.Fatalf("esc: picker %v, %d shown", a.job.picker != nil, len(pk.view))
	}
	// by badge, then enter keeps the search and moves on to choosing
	press(a, "/", target.Badge, "enter")
	if len(pk.view) != 1 || pk.selected().ID != target.ID {
		t.Fatalf("badge %s: %d shown", target.Badge, len(pk.view))
	}
	press(a, "esc") // the kept search first
	if a.job.picker == nil || len(pk.view) != all {
		t.Fatal("esc did not clear the kept search first")
	}
	press(a, "esc")
	if a.job.picker != nil {
		t.Fatal("esc did not close the picker")
	}
}
