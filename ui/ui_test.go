package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/seed"
	"offduty/store"
)

// fixed clock: Thu 26 Nov 2026 09:00 in Denver (Thanksgiving).
var testLoc, _ = time.LoadLocation("America/Denver")
var testNow = time.Date(2026, 11, 26, 9, 0, 0, 0, testLoc)

func newTestApp(t testing.TB, w, h int) *App {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(filepath.Join(t.TempDir(), "ui.db"), store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: s, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "tester"})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	a.Update(a.loadAll())
	return a
}

func press(a *App, keys ...string) tea.Cmd {
	var last tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		case "ctrl+s":
			msg = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
		default:
			for _, r := range k {
				_, last = a.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			continue
		}
		_, last = a.Update(msg)
	}
	return last
}

// drain runs a command the way the program would: batches are opened, the
// resulting messages fed back to Update, recursively. Commands that wait
// (cursor blink, the 30 s tick) are skipped after a short timeout.
func drain(a *App, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(300 * time.Millisecond):
		return
	}
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			drain(a, c)
		}
	default:
		_, next := a.Update(m)
		drain(a, next)
	}
}

func screen(a *App) string { return ansi.Strip(a.render()) }

// fillWestValley types a West Valley request for Valley Fair Mall.
func fillWestValley(t *testing.T, a *App, date, start, hours, officers string) {
	t.Helper()
	press(a, "n", "Valley Fair", "tab") // picks the match, agency from the customer's jobs
	if a.form == nil || a.form.customerID == 0 {
		t.Fatalf("customer not picked: %+v", a.form)
	}
	a.form.setFocus(fDate)
	press(a, date, "tab", start, "tab", hours, "tab", officers)
}

func TestFormSupervisorAppearsAtFive(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		a := newTestApp(t, size[0], size[1])
		fillWestValley(t, a, "12/8", "10am", "4", "4")
		s := screen(a)
		if strings.Contains(s, "supervisor") {
			t.Fatalf("%dx%d: supervisor shown at 4 officers:\n%s", size[0], size[1], s)
		}
		if !strings.Contains(s, "912.00") { // 4 x 4 h x 57.00
			t.Fatalf("%dx%d: total 912.00 missing:\n%s", size[0], size[1], s)
		}
		press(a, "backspace", "5")
		s = screen(a)
		if !strings.Contains(s, "1 supervisor") || !strings.Contains(s, "supervisor added: 5 or") {
			t.Fatalf("%dx%d: supervisor line missing at 5 officers:\n%s", size[0], size[1], s)
		}
		if !strings.Contains(s, "1,413.60") {
			t.Fatalf("%dx%d: total 1,413.60 missing:\n%s", size[0], size[1], s)
		}
		assertFits(t, s, size[0], size[1])
	}
}

func TestFormEmergencyInside72h(t *testing.T) {
	a := newTestApp(t, 80, 24)
	fillWestValley(t, a, "11/28", "6pm", "4", "2") // 57 h ahead
	s := screen(a)
	if !strings.Contains(s, "emergency rate: received 57 h") {
		t.Fatalf("emergency warning missing:\n%s", s)
	}
	if !strings.Contains(s, "684.00") { // 2 x 4 x 85.50
		t.Fatalf("emergency total 684.00 missing:\n%s", s)
	}
	// three days later is regular
	a.form.setFocus(fDate)
	press(a, "12/1")
	if s := screen(a); strings.Contains(s, "emergency") || !strings.Contains(s, "456.00") {
		t.Fatalf("Dec 1 should be regular 456.00:\n%s", s)
	}
}

func TestFormAlcoholRefused(t *testing.T) {
	a := newTestApp(t, 80, 24)
	fillWestValley(t, a, "12/8", "9pm", "4", "2")
	a.form.setFocus(fVenue)
	for a.form.choiceLabel(fVenue, a.form.choice[fVenue]) != "alcohol" {
		press(a, "right")
	}
	s := screen(a)
	if !strings.Contains(s, "REFUSED prohibited venue") || !strings.Contains(s, "not bookable") {
		t.Fatalf("refusal missing:\n%s", s)
	}
	if !strings.Contains(s, "Where alcoholic") {
		t.Fatalf("agency rule not quoted:\n%s", s)
	}
}

func TestFormInvalidDateBlocksSave(t *testing.T) {
	a := newTestApp(t, 80, 24)
	fillWestValley(t, a, "2/30", "6pm", "4", "2")
	s := screen(a)
	if !strings.Contains(s, "February 2027 has only 28 days") && !strings.Contains(s, "February has no day 30") {
		t.Fatalf("specific date message missing:\n%s", s)
	}
	before := len(a.req.jobs)
	cmd := press(a, "ctrl+s")
	if cmd != nil {
		if _, ok := cmd().(formSaveMsg); ok {
			t.Fatal("form with an invalid date produced a save")
		}
	}
	if a.form == nil || a.form.focus != fDate {
		t.Fatalf("focus should go to the invalid date")
	}
	if !strings.Contains(screen(a), "Cannot save") {
		t.Fatalf("cannot-save notice missing:\n%s", screen(a))
	}
	// fixing it keeps everything else typed
	press(a, "12/24")
	if got := a.form.inputs[fOfficers].Value(); got != "2" {
		t.Fatalf("officers lost: %q", got)
	}
	if len(a.req.jobs) != before {
		t.Fatal("a job was saved")
	}
}

func TestSaveSelectAndApprove(t *testing.T) {
	a := newTestApp(t, 140, 45)
	fillWestValley(t, a, "12/24", "6pm", "6", "5")
	a.form.setFocus(fVehicles)
	press(a, "1")
	s := screen(a)
	if !strings.Contains(s, "3,084.84") || !strings.Contains(s, "holiday rate: Christmas Eve, 6 h") {
		t.Fatalf("Christmas Eve quote wrong:\n%s", s)
	}
	// resize keeps what was typed
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(a), "3,084.84") {
		t.Fatalf("resize lost the quote:\n%s", screen(a))
	}
	drain(a, press(a, "ctrl+s"))
	if a.form != nil {
		t.Fatalf("form still open: %s", a.msg)
	}
	j := a.req.selected()
	if j == nil || j.Total.StringFixed(2) != "3084.84" || j.Status != store.StatusRequested {
		t.Fatalf("new job not selected: %+v", j)
	}
	if !strings.Contains(screen(a), "Saved job #") {
		t.Fatalf("confirmation missing:\n%s", screen(a))
	}
	drain(a, press(a, "a"))
	if got := a.req.selected(); got == nil || got.Status != store.StatusApproved {
		t.Fatalf("not approved: %+v (%s)", got, a.msg)
	}
}

func TestRequestsListFitsAndFilters(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		a := newTestApp(t, size[0], size[1])
		press(a, "tab") // Today -> Requests
		s := screen(a)
		assertFits(t, s, size[0], size[1])
		for _, want := range []string{"Requests", "Customer", "Status", "? help", "tester"} {
			if !strings.Contains(s, want) {
				t.Fatalf("%dx%d: %q missing:\n%s", size[0], size[1], want, s)
			}
		}
		press(a, "/", "Maverik", "enter")
		for _, idx := range a.req.view {
			if a.req.jobs[idx].CustomerName != "Maverik Center" {
				t.Fatalf("filter let through %s", a.req.jobs[idx].CustomerName)
			}
		}
		if len(a.req.view) == 0 {
			t.Fatal("filter found nothing")
		}
		press(a, "1") // requested only
		for _, idx := range a.req.view {
			if a.req.jobs[idx].Status != store.StatusRequested {
				t.Fatalf("status filter let through %s", a.req.jobs[idx].Status)
			}
		}
		press(a, "?")
		if !strings.Contains(screen(a), "last") {
			t.Fatalf("full help missing:\n%s", screen(a))
		}
	}
}

func assertFits(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Fatalf("line %d is %d wide (> %d): %q", i, got, w, l)
		}
	}
}

// BenchmarkKeystroke measures one keystroke in the request form at 120x40:
// Update (re-pricing the quote) plus View.
func BenchmarkKeystroke(b *testing.B) {
	a := newTestApp(b, 120, 40)
	press(a, "n", "Valley Fair", "tab")
	a.form.setFocus(fDate)
	press(a, "12/24", "tab", "6pm", "tab", "6", "tab", "5")
	a.form.setFocus(fVehicles)
	keys := []tea.KeyPressMsg{{Code: '2', Text: "2"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a.Update(keys[i%2])
		_ = a.View()
	}
}

// BenchmarkCalendarMonth opens a month in the Calendar tab as a user does
// (load the grid's day counts, then draw it) at 80x24, on the demo data.
func BenchmarkCalendarMonth(b *testing.B) {
	a := newTestApp(b, 80, 24)
	a.tab = tabCalendar
	benchMonth(b, a)
}

// BenchmarkCalendarMonth1M does the same on the 1,000,000-position history
// that seed's BenchmarkMonthOpen1M builds (run that first); skipped without it.
func BenchmarkCalendarMonth1M(b *testing.B) {
	path := filepath.Join(os.TempDir(), "offduty-bench-1m-v2.db")
	if _, err := os.Stat(path); err != nil {
		b.Skip("no 1M database at " + path + ": run go test -bench MonthOpen1M ./seed first")
	}
	s, err := store.Open(path, store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	a := New(Options{Store: s, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "bench"})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	a.tab = tabCalendar
	a.cal.day = a.cal.day.AddDate(0, -2, 0) // inside the generated history
	benchMonth(b, a)
}

func benchMonth(b *testing.B, a *App) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		msg := a.cal.load()() // what pressing [ or ] runs: the day counts of the 6-week grid
		a.Update(msg)
		if s := a.render(); !strings.Contains(s, "Sun") {
			b.Fatal("no grid")
		}
		if i == 0 && len(a.cal.counts) != 42 {
			b.Fatalf("%d days counted", len(a.cal.counts))
		}
	}
}
