package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

// Requests 1 (requested only), from a selection further down the list:
// the first requested job is at the top, selected, and every job the
// header counts is reachable.
func TestListsRequestsStatusFilterShowsFirstMatch(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab") // Today -> Requests
	press(a, "j", "j", "j", "j", "j", "j", "j", "j", "j", "j")
	if a.req.offset == 0 {
		t.Fatal("precondition: the list should start scrolled to today")
	}
	press(a, "1")
	if len(a.req.view) < 2 {
		t.Fatalf("only %d requested jobs", len(a.req.view))
	}
	first := a.req.jobs[a.req.view[0]]
	if first.Status != store.StatusRequested || a.req.cursor != 0 || a.req.offset != 0 {
		t.Fatalf("cursor %d offset %d, first %s", a.req.cursor, a.req.offset, first.Status)
	}
	firstRowShowsSelected(t, a, 2, first.Start.In(testLoc).Format("Mon 02 Jan")+" "+first.Start.In(testLoc).Format("15:04"))
	if n := headCount(t, a); n != len(a.req.view) {
		t.Fatalf("header counts %d, list holds %d", n, len(a.req.view))
	}
	// every counted job is reachable: G shows the last one, selected
	press(a, "G")
	body := bodyLines(a)
	last := a.req.jobs[a.req.view[len(a.req.view)-1]]
	seen := false
	for _, l := range body {
		if selectedLine(l) && strings.Contains(ansi.Strip(l), last.Start.In(testLoc).Format("Mon 02 Jan")) {
			seen = true
		}
	}
	if !seen {
		t.Fatalf("last requested job not shown selected:\n%s", screen(a))
	}
	// 0 clears the filter and keeps the job selected
	press(a, "0")
	if j := a.req.selected(); j == nil || j.ID != last.ID {
		t.Fatalf("clearing the filter lost the selection: %+v", j)
	}
}

// Requests / (text): every keystroke selects the first match at the top.
func TestListsRequestsTextFilterShowsFirstMatch(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab")
	press(a, "G") // from the bottom of the list
	press(a, "/", "Maverik")
	if len(a.req.view) == 0 {
		t.Fatal("no Maverik job")
	}
	first := a.req.jobs[a.req.view[0]]
	if a.req.cursor != 0 || a.req.offset != 0 {
		t.Fatalf("cursor %d offset %d", a.req.cursor, a.req.offset)
	}
	firstRowShowsSelected(t, a, 2, first.Start.In(testLoc).Format("Mon 02 Jan"))
	if n := headCount(t, a); n != len(a.req.view) {
		t.Fatalf("header counts %d, list holds %d", n, len(a.req.view))
	}
	rows := 0
	for _, l := range bodyLines(a)[2:] {
		if strings.Contains(l, "Maverik") {
			rows++
		}
	}
	if rows != min(len(a.req.view), 17) {
		t.Fatalf("%d rows shown for %d matches:\n%s", rows, len(a.req.view), screen(a))
	}
}

// Invoices /valley from a scrolled list shows every match, the first selected.
func TestListsInvoicesFilterShowsEveryMatch(t *testing.T) {
	a := newTestApp(t, 80, 20)
	a.tab = tabInvoices
	// drafts for every ended period: a list longer than the screen
	if _, err := a.c.Store.GenerateInvoices(context.Background(), "tester", testNow, 0, true); err != nil {
		t.Fatal(err)
	}
	drain(a, a.inv.load())
	for range len(a.inv.list) {
		press(a, "j")
	}
	screen(a)
	if a.inv.offset == 0 {
		t.Fatalf("precondition: %d invoices, the list should scroll", len(a.inv.list))
	}
	drain(a, press(a, "/", "valley", "enter"))
	if len(a.inv.view) == 0 {
		t.Fatal("no Valley invoice")
	}
	if n := headCount(t, a); n != len(a.inv.view) {
		t.Fatalf("header counts %d, list holds %d", n, len(a.inv.view))
	}
	rows := 0
	for _, l := range bodyLines(a)[2:] {
		if strings.Contains(l, "Valley") {
			rows++
		}
	}
	if rows != len(a.inv.view) {
		t.Fatalf("%d rows shown for %d matches:\n%s", rows, len(a.inv.view), screen(a))
	}
	firstRowShowsSelected(t, a, 2, a.inv.list[a.inv.view[0]].CustomerName[:6])
	// s (state) from the bottom again
	drain(a, press(a, "/", "esc"))
	for range len(a.inv.list) {
		press(a, "j")
	}
	screen(a)
	press(a, "s") // drafts
	if len(a.inv.view) > 0 {
		if a.inv.cursor != 0 || a.inv.offset != 0 {
			t.Fatalf("state filter: cursor %d offset %d", a.inv.cursor, a.inv.offset)
		}
		firstRowShowsSelected(t, a, 2, invName(a.inv.list[a.inv.view[0]]))
	}
}

// Officers / from the bottom of the roster selects the first match.
func TestListsOfficersSearchShowsFirstMatch(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabOfficers
	drain(a, a.offs.load())
	for range len(a.offs.list) {
		press(a, "j")
	}
	screen(a)
	target := a.offs.list[len(a.offs.list)/2]
	press(a, "/", strings.ToLower(target.LastName))
	if len(a.offs.view) == 0 || a.offs.cursor != 0 || a.offs.offset != 0 {
		t.Fatalf("view %d cursor %d offset %d", len(a.offs.view), a.offs.cursor, a.offs.offset)
	}
	first := a.offs.list[a.offs.view[0]]
	firstRowShowsSelected(t, a, 2, first.Badge)
	if n := headCount(t, a); n != len(a.offs.view) {
		t.Fatalf("header counts %d, list holds %d", n, len(a.offs.view))
	}
}

// Audit / from far down the list starts the user's changes at the top.
func TestListsAuditFilterShowsFirstMatch(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabAudit
	drain(a, a.aud.load())
	for range 60 {
		press(a, "j")
	}
	screen(a)
	if a.aud.offset == 0 {
		t.Fatal("precondition: scrolled")
	}
	drain(a, press(a, "/", "seed", "enter"))
	if len(a.aud.list) == 0 || a.aud.cursor != 0 || a.aud.offset != 0 {
		t.Fatalf("list %d cursor %d offset %d", len(a.aud.list), a.aud.cursor, a.aud.offset)
	}
	firstRowShowsSelected(t, a, 2, a.aud.list[0].At.In(testLoc).Format("02 Jan 15:04"))
}

// Requests: with a text and a status filter kept, esc (as the empty list and
// the help line say) clears both and keeps the selected job selected.
func TestListsRequestsEscClearsFilters(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab")
	all := len(a.req.view)
	press(a, "/", "Maverik", "enter")
	if a.req.filtering || len(a.req.view) == 0 || len(a.req.view) == all {
		t.Fatalf("filter kept: filtering %v, %d of %d", a.req.filtering, len(a.req.view), all)
	}
	press(a, "j")
	keep := a.req.selected()
	if !strings.Contains(screen(a), "esc clear filters") {
		t.Errorf("help line does not offer esc:\n%s", screen(a))
	}
	press(a, "esc")
	if a.req.filter.Value() != "" || a.req.status != 0 || len(a.req.view) != all {
		t.Fatalf("esc left filter %q, status %d, %d of %d jobs", a.req.filter.Value(), a.req.status, len(a.req.view), all)
	}
	if j := a.req.selected(); j == nil || keep == nil || j.ID != keep.ID {
		t.Fatalf("esc lost the selection: %+v, want %+v", j, keep)
	}
	// No match at all: the list says how to get out, and esc does it.
	press(a, "/", "no such customer zzz", "enter", "3")
	if !strings.Contains(screen(a), "No jobs match. esc clears the filters") {
		t.Fatalf("empty filtered list:\n%s", screen(a))
	}
	press(a, "esc")
	if len(a.req.view) != all {
		t.Fatalf("after esc %d of %d jobs", len(a.req.view), all)
	}
}
