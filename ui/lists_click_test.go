package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Every list screen takes clicks the way the root hands them on.
func TestListsScreensAreClickable(t *testing.T) {
	a := newTestApp(t, 80, 24)
	for name, s := range map[string]tabScreen{"today": a.today, "requests": a.req, "calendar": a.cal, "officers": a.offs,
		"invoices": a.inv, "payroll": a.pay, "audit": a.aud} {
		if _, ok := s.(clickable); !ok {
			t.Errorf("%s takes no clicks", name)
		}
	}
}

// A click selects the row under it; a click on the selected row opens it.
func TestListsClickSelectsThenOpens(t *testing.T) {
	a := newTestApp(t, 80, 24)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}

	a.tab = tabRequests
	screen(a)
	want := a.req.view[a.req.offset+3] // body line 0 is the count, 1 the header
	drain(a, a.req.click(10, 2+3))
	if got := a.req.view[a.req.cursor]; got != want {
		t.Fatalf("requests: click selected row %d, want %d", got, want)
	}
	if l := bodyLines(a)[5]; !selectedLine(l) {
		t.Fatalf("clicked row not drawn selected: %q", ansi.Strip(l))
	}
	if a.req.detail != nil {
		t.Fatal("the first click opened the job")
	}
	drain(a, a.req.click(10, 5))
	if a.req.detail == nil || a.req.detail.ID != a.req.jobs[want].ID {
		t.Fatal("a click on the selected row did not open it")
	}
	drain(a, a.req.click(10, 5)) // in the detail a click does nothing
	press(a, "esc")
	drain(a, a.req.click(10, 1)) // the header
	if a.req.view[a.req.cursor] != want {
		t.Fatal("a click on the header moved the selection")
	}

	a.tab = tabToday
	screen(a)
	drain(a, a.today.click(0, 3))
	if a.today.cursor != 1 {
		t.Fatalf("today: cursor %d", a.today.cursor)
	}
	drain(a, a.today.click(0, 3))
	if a.job == nil || a.job.id != a.today.jobs[1].ID {
		t.Fatal("today: a second click did not open the shift")
	}
	press(a, "esc")

	a.tab = tabAudit
	screen(a)
	drain(a, a.aud.click(0, 4))
	if a.aud.cursor != a.aud.offset+2 || a.aud.detail {
		t.Fatalf("audit: cursor %d detail %v", a.aud.cursor, a.aud.detail)
	}
	drain(a, a.aud.click(0, 4))
	if !a.aud.detail || !strings.Contains(screen(a), "Before") {
		t.Fatalf("audit: no detail:\n%s", screen(a))
	}
	press(a, "esc")

	a.tab = tabInvoices
	screen(a)
	drain(a, a.inv.click(0, 3))
	if a.inv.cursor != 1 {
		t.Fatalf("invoices: cursor %d", a.inv.cursor)
	}
	drain(a, a.inv.click(0, 3))
	if a.inv.open == nil || a.inv.open.ID != a.inv.list[a.inv.view[1]].ID {
		t.Fatal("invoices: a second click did not open the invoice")
	}
	press(a, "esc")

	a.tab = tabOfficers
	screen(a)
	drain(a, a.offs.click(0, 4))
	if a.offs.cursor != 2 {
		t.Fatalf("officers: cursor %d", a.offs.cursor)
	}

	a.tab = tabCalendar
	screen(a)
	// the month grid: 80 columns make 11-cell days, two lines a week under the title and weekdays
	drain(a, a.cal.click(3*11+2, 2+2*2))
	if got := a.cal.day; !got.Equal(a.cal.gridStart().AddDate(0, 0, 2*7+3)) {
		t.Fatalf("calendar: click selected %s", got.Format("Mon 02 Jan"))
	}
	drain(a, a.cal.click(3*11+2, 2+2*2+1)) // the same day's second line
	if !a.cal.agendaOn {
		t.Fatal("calendar: a click on the selected day did not list it")
	}
}

// Payroll: a click selects an officer, a second opens their shifts.
func TestListsPayrollClick(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabPayroll
	// a period with work in it
	for range 6 {
		drain(a, a.pay.load())
		if a.pay.p != nil && len(a.pay.p.Officers) >= 2 {
			break
		}
		press(a, "[")
	}
	if a.pay.p == nil || len(a.pay.p.Officers) < 2 {
		t.Skip("no pay period with two officers")
	}
	screen(a)
	drain(a, a.pay.click(0, a.pay.top+1))
	if a.pay.cursor != 1 || a.pay.open {
		t.Fatalf("payroll: cursor %d open %v", a.pay.cursor, a.pay.open)
	}
	drain(a, a.pay.click(0, a.pay.top+1))
	if !a.pay.open {
		t.Fatal("payroll: a second click did not open the officer")
	}
}

// Through the root: a click on the screen's line 7 (tab bar, rule, count,
// header, then rows) selects the list's fourth row shown.
func TestListsClickThroughTheRoot(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab") // Requests
	screen(a)
	want := a.req.view[a.req.offset+3]
	_, cmd := a.Update(tea.MouseClickMsg{X: 20, Y: 2 + 2 + 3, Button: tea.MouseLeft})
	drain(a, cmd)
	if got := a.req.view[a.req.cursor]; got != want {
		t.Fatalf("click selected row %d, want %d", got, want)
	}
	if l := strings.Split(a.render(), "\n")[7]; !selectedLine(l) {
		t.Fatalf("line 7 not drawn selected: %q", ansi.Strip(l))
	}
}
