package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

func TestTodayBoard(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.today.load())
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"Today", "shifts", "positions", "open", "late", "on duty", "Smith's Marketplace", "enter open", "a assign"} {
		if !strings.Contains(s, want) {
			t.Fatalf("Today board lacks %q:\n%s", want, s)
		}
	}
	// the demo has a shift on duty right now and its state comes from the clock
	if !strings.Contains(s, "on duty") {
		t.Fatalf("no shift on duty:\n%s", s)
	}
	for _, j := range a.today.jobs {
		if j.Start.After(testNow.Add(24 * 3600e9)) {
			t.Fatalf("job #%d is not today's", j.ID)
		}
	}
}

func TestCalendarMonthGrid(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab", "tab") // Today -> Requests -> Calendar
	drain(a, a.cal.load())
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"November 2026", "Sun", "Sat", "•26", "[ prev"} {
		if !strings.Contains(s, want) {
			t.Fatalf("month grid lacks %q:\n%s", want, s)
		}
	}
	// the day counts match the store's
	dc := a.cal.counts["2026-11-26"]
	if dc.Shifts == 0 || !strings.Contains(s, "Thu 26 Nov: ") {
		t.Fatalf("today's count missing: %+v\n%s", dc, s)
	}
	drain(a, press(a, "]"))
	if s := screen(a); !strings.Contains(s, "December 2026") {
		t.Fatalf("] did not move to December:\n%s", s)
	}
	drain(a, press(a, "t"))
	drain(a, press(a, "w"))
	if s := screen(a); !strings.Contains(s, "Week of Sun 22 Nov 2026") {
		t.Fatalf("week view:\n%s", s)
	}
	drain(a, press(a, "w"))
	drain(a, press(a, "enter"))
	s = screen(a)
	if !strings.Contains(s, "Thursday 26 November 2026") || !strings.Contains(s, "Smith's") {
		t.Fatalf("agenda:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if a.job == nil || a.job.job == nil {
		t.Fatal("enter on a shift did not open its Job screen")
	}
}

func TestJobScreenAssignAndAttendance(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.today.load())
	// the shift with an open position
	idx := -1
	for i, j := range a.today.jobs {
		for _, p := range j.Positions {
			if p.OfficerID == 0 && p.Status == "open" {
				idx = i
			}
		}
	}
	if idx < 0 {
		t.Skip("demo has no open position today")
	}
	a.today.cursor = idx
	drain(a, press(a, "a")) // opens the job and the picker on the open position
	if a.job == nil || a.job.picker == nil {
		t.Fatalf("picker not open: %+v", a.job)
	}
	s := screen(a)
	assertFits(t, s, 80, 24)
	if !strings.Contains(s, "Assign position") || !strings.Contains(s, "week") || !strings.Contains(s, "month") {
		t.Fatalf("picker:\n%s", s)
	}
	first := a.job.picker.list[0]
	if !first.Eligible() {
		t.Fatalf("first candidate is not eligible: %+v", first)
	}
	for i := 1; i < len(a.job.picker.list); i++ {
		p, c := a.job.picker.list[i-1], a.job.picker.list[i]
		if p.Eligible() && c.Eligible() && p.MonthMinutes > c.MonthMinutes {
			t.Fatalf("fairness order broken: %s %d before %s %d", p.Name(), p.MonthMinutes, c.Name(), c.MonthMinutes)
		}
		if !p.Eligible() && c.Eligible() {
			t.Fatal("an ineligible officer is listed before an eligible one")
		}
	}
	drain(a, press(a, "enter"))
	if !strings.Contains(a.msg, "Assigned "+first.Name()) {
		t.Fatalf("status: %q", a.msg)
	}
	pos := a.job.job.Positions[a.job.sel]
	if pos.OfficerID != first.ID {
		t.Fatalf("position holds %d, want %d", pos.OfficerID, first.ID)
	}
	// Check in now (the prompt's default). More than 2 h before the start,
	// the store refuses and the console says why; nothing is recorded.
	start := a.today.jobs[idx].Start.In(testLoc)
	if start.Sub(testNow) > 2*time.Hour+5*time.Minute {
		drain(a, press(a, "i"))
		drain(a, press(a, "enter"))
		want := "is more than 2 h before the " + start.Format("15:04") + " start: the earliest is " + start.Add(-2*time.Hour).Format("15:04")
		if !a.msgErr || !strings.Contains(a.msg, want) {
			t.Fatalf("early check-in: status %q (error %v), want %q", a.msg, a.msgErr, want)
		}
		if p := a.job.job.Positions[a.job.sel]; !p.CheckIn.IsZero() {
			t.Fatalf("refused check-in recorded: %+v", p)
		}
	}
	// Five minutes before the start, now is accepted; then a note. The
	// audit shows both. (The store's and the console's clocks read testNow.)
	was := testNow
	testNow = start.Add(-5 * time.Minute)
	t.Cleanup(func() { testNow = was })
	drain(a, press(a, "i"))
	drain(a, press(a, "enter"))
	drain(a, press(a, "t", "Lot B patrolled", "enter"))
	s = screen(a)
	if !strings.Contains(s, "on duty since "+testNow.Format("15:04")) {
		t.Fatalf("check-in not shown (status %q):\n%s", a.msg, s)
	}
	audit := ""
	for _, e := range a.job.audit {
		audit += e.Action + ";"
	}
	for _, want := range []string{"assign", "check in", "note"} {
		if !strings.Contains(audit, want) {
			t.Fatalf("audit lacks %q: %s", want, audit)
		}
	}
	if len(a.job.extras.Notes) != 1 || a.job.extras.Notes[0].Body != "Lot B patrolled" {
		t.Fatalf("notes: %+v", a.job.extras.Notes)
	}
}

func TestJobScreenCancelShowsFeeFirst(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.loadJobs)
	var target *store.Job
	for i, j := range a.req.jobs {
		if j.Status == store.StatusScheduled && j.Start.After(testNow) && j.Start.Sub(testNow) < 48*3600e9 {
			target = &a.req.jobs[i]
			break
		}
	}
	if target == nil {
		t.Skip("no scheduled job inside 48 h in the demo")
	}
	drain(a, func() tea.Msg { return openJobMsg{id: target.ID} })
	drain(a, press(a, "c", "enter")) // c asks the reason (optional) first
	s := screen(a)
	if a.job.confirm == nil || !strings.Contains(s, "admin fee, first 24 h") || !strings.Contains(s, "officer share inside 48 h") {
		t.Fatalf("fee not shown before confirming:\n%s", s)
	}
	drain(a, press(a, "n"))
	if a.job.job.Status == store.StatusCancelled {
		t.Fatal("cancelled without confirmation")
	}
	drain(a, press(a, "c", "enter")) // c asks the reason (optional) first
	drain(a, press(a, "y"))
	if a.job.job.Status != store.StatusCancelled || !a.job.job.CancelFee.Valid {
		t.Fatalf("not cancelled with a fee: %s %+v (%s)", a.job.job.Status, a.job.job.CancelFee, a.msg)
	}
}
