package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"offduty/store"
)

// The time rules (RULES.md, "Attendance" and "Invoices and payroll"), through
// the public methods with the tests' clock moved case by case: a record never
// claims what has not happened by the clock, and every refusal names the rule
// and the allowed range in the agency's local time (America/Denver here).

// timeJob is a filled West Valley City job of n officers from start (Denver
// wall time) for hours.
func timeJob(t *testing.T, s *store.Store, start string, hours, n int, prefix string) store.Job {
	t.Helper()
	cust, site := customerAndSite(t, s, prefix+" Co")
	return fill(t, s, approvedJob(t, s, cust, site, mustLocal(start), hours, n), prefix)
}

// refusal checks err against a case: nil when msg is "", else a store error
// of code and field whose message is msg (exactly, or containing it when
// msg starts with "~").
func refusal(t *testing.T, what string, err error, code, field, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Errorf("%s: refused: %v", what, err)
		}
		return
	}
	if err == nil {
		t.Errorf("%s: accepted, want %q", what, msg)
		return
	}
	e := storeErr(t, err, code, field)
	if sub, ok := strings.CutPrefix(msg, "~"); ok {
		if !strings.Contains(e.Message, sub) {
			t.Errorf("%s: %q lacks %q", what, e.Message, sub)
		}
	} else if e.Message != msg {
		t.Errorf("%s:\n got %q\nwant %q", what, e.Message, msg)
	}
}

func TestCheckInWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	// Tue 1 Dec 2026, 12:00-16:00; the spring-forward night 2027 (Sun 14 Mar
	// 02:00 -> 03:00): 03:00 MDT is two real hours after 00:00 MST.
	dec := timeJob(t, s, "2026-12-01 12:00", 4, 1, "CI")
	mar := timeJob(t, s, "2027-03-14 03:00", 4, 1, "CS")
	for _, c := range []struct {
		job      store.Job
		now, at  string
		msg      string // "" accepted
		recorded string // the check-in kept after the case ("" none yet)
	}{
		// The example: at 09:00, a check-in at 11:55 for the noon shift.
		{dec, "2026-12-01 09:00", "2026-12-01 11:55", "check-in at 11:55 is in the future: now is 09:00 (5 minutes' grace: 09:05 at the latest)", ""},
		{dec, "2026-12-01 09:00", "2026-12-01 09:30", "check-in at 09:30 is more than 2 h before the 12:00 start: the earliest is 10:00", ""},
		// Weeks ahead: the dates are named.
		{dec, "2026-11-26 09:00", "2026-12-01 12:00", "check-in at Tue 01 Dec 12:00 is in the future: now is Thu 26 Nov 09:00 (5 minutes' grace: Thu 26 Nov 09:05 at the latest)", ""},
		// Two hours before the start, exactly, and a minute earlier.
		{dec, "2026-12-01 10:00", "2026-12-01 09:59", "check-in at 09:59 is more than 2 h before the 12:00 start: the earliest is 10:00", ""},
		{dec, "2026-12-01 10:00", "2026-12-01 10:00", "", "2026-12-01 10:00"},
		// Five minutes' grace for clock skew, and not a minute more.
		{dec, "2026-12-01 11:00", "2026-12-01 11:06", "check-in at 11:06 is in the future: now is 11:00 (5 minutes' grace: 11:05 at the latest)", "2026-12-01 10:00"},
		{dec, "2026-12-01 11:00", "2026-12-01 11:05", "", "2026-12-01 11:05"},
		// Recorded later, for a time already past.
		{dec, "2026-12-01 15:00", "2026-12-01 12:07", "", "2026-12-01 12:07"},
		// Still bounded after the end: 12 h.
		{dec, "2026-12-02 09:00", "2026-12-02 04:01", "check-in at Wed 02 Dec 04:01 is more than 12 h after the Tue 01 Dec 16:00 end: the latest is Wed 02 Dec 04:00", "2026-12-01 12:07"},
		{dec, "2026-12-02 09:00", "2026-12-02 04:00", "", "2026-12-02 04:00"},
		// Across the spring-forward gap, two hours are real time.
		{mar, "2027-03-14 03:00", "2027-03-13 23:59", "check-in at Sat 13 Mar 23:59 is more than 2 h before the Sun 14 Mar 03:00 start: the earliest is Sun 14 Mar 00:00", ""},
		{mar, "2027-03-14 03:00", "2027-03-14 00:00", "", "2027-03-14 00:00"},
		{mar, "2027-03-14 00:30", "2027-03-14 01:00", "check-in at 01:00 is in the future: now is 00:30 (5 minutes' grace: 00:35 at the latest)", "2027-03-14 00:00"},
	} {
		setClock(t, c.now)
		what := "clock " + c.now + ", check-in " + c.at
		refusal(t, what, s.CheckIn(ctx, "field", c.job.Positions[0].ID, mustLocal(c.at)), store.EInvalid, "check_in", c.msg)
		got := job(t, s, c.job.ID)
		if c.recorded == "" {
			if !got.Positions[0].CheckIn.IsZero() || got.Status != store.StatusScheduled {
				t.Errorf("%s: job %s, check-in %v: nothing should be recorded", what, got.Status, got.Positions[0].CheckIn)
			}
		} else if !got.Positions[0].CheckIn.Equal(mustLocal(c.recorded)) || got.Status != store.StatusInProgress {
			t.Errorf("%s: job %s, check-in %v; want in progress from %s", what, got.Status, got.Positions[0].CheckIn, c.recorded)
		}
	}
}

func TestCheckOutWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	// Two officers: the second never checks out, so the job stays in
	// progress while the first's check-out is tried again and again.
	dec := timeJob(t, s, "2026-12-01 12:00", 4, 2, "CO")
	// Sat 13 Mar 2027 12:00 MST: 24 real hours later the wall clock shows 13:00 MDT.
	mar := timeJob(t, s, "2027-03-13 12:00", 4, 2, "CM")
	for _, j := range []store.Job{dec, mar} {
		setClock(t, j.Start)
		if err := s.CheckIn(ctx, "field", j.Positions[0].ID, j.Start); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		job      store.Job
		now, at  string
		msg      string
		recorded string // the check-out kept after the case ("" none)
	}{
		{dec, "2026-12-01 12:00", "2026-12-01 11:59", "check-out at 11:59 is not after the check-in at 12:00: a check-out follows its check-in", ""},
		{dec, "2026-12-01 12:00", "2026-12-01 12:00", "check-out at 12:00 is not after the check-in at 12:00: a check-out follows its check-in", ""},
		// The example: at 09:00... here at 12:00, a check-out at 3 pm.
		{dec, "2026-12-01 12:00", "2026-12-01 15:00", "check-out at 15:00 is in the future: now is 12:00 (5 minutes' grace: 12:05 at the latest)", ""},
		{dec, "2026-12-01 12:00", "2026-12-01 12:01", "", "2026-12-01 12:01"},
		{dec, "2026-12-01 14:00", "2026-12-01 14:06", "check-out at 14:06 is in the future: now is 14:00 (5 minutes' grace: 14:05 at the latest)", "2026-12-01 12:01"},
		{dec, "2026-12-01 14:00", "2026-12-01 14:05", "", "2026-12-01 14:05"},
		// At most 24 h after the check-in.
		{dec, "2026-12-03 09:00", "2026-12-02 12:01", "check-out at Wed 02 Dec 12:01 is more than 24 h after the check-in at Tue 01 Dec 12:00: the latest is Wed 02 Dec 12:00", "2026-12-01 14:05"},
		{dec, "2026-12-03 09:00", "2026-12-02 12:00", "", "2026-12-02 12:00"},
		// 24 h of real time across the spring-forward night.
		{mar, "2027-03-15 09:00", "2027-03-14 13:01", "check-out at Sun 14 Mar 13:01 is more than 24 h after the check-in at Sat 13 Mar 12:00: the latest is Sun 14 Mar 13:00", ""},
		{mar, "2027-03-15 09:00", "2027-03-14 13:00", "", "2027-03-14 13:00"},
	} {
		setClock(t, c.now)
		what := "clock " + c.now + ", check-out " + c.at
		refusal(t, what, s.CheckOut(ctx, "field", c.job.Positions[0].ID, mustLocal(c.at)), store.EInvalid, "check_out", c.msg)
		got := job(t, s, c.job.ID)
		p := got.Positions[0]
		if c.recorded == "" && !p.CheckOut.IsZero() || c.recorded != "" && !p.CheckOut.Equal(mustLocal(c.recorded)) {
			t.Errorf("%s: check-out %v, want %q", what, p.CheckOut, c.recorded)
		}
		if got.Status != store.StatusInProgress {
			t.Errorf("%s: job %s", what, got.Status)
		}
	}
}

func TestNoShowOnceTheStartHasPassed(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	j := timeJob(t, s, "2026-12-01 12:00", 4, 4, "NO")
	for i, c := range []struct {
		now string
		msg string
	}{
		// The example: a no-show 23 days ahead.
		{"2026-11-08 09:00", "a no-show is recorded once the start (Tue 01 Dec 12:00) has passed: it is Sun 08 Nov 09:00 now"},
		{"2026-12-01 11:59", "a no-show is recorded once the start (Tue 01 Dec 12:00) has passed: it is Tue 01 Dec 11:59 now"},
		{"2026-12-01 12:00", ""},
		{"2026-12-01 15:30", ""},
	} {
		setClock(t, c.now)
		p := j.Positions[i]
		refusal(t, "no-show at "+c.now, s.NoShow(ctx, "field", p.ID), store.EConflict, "no_show", c.msg)
		q := job(t, s, j.ID).Positions[i]
		if c.msg != "" && (q.Status != "assigned" || q.OfficerID != p.OfficerID || q.Attendance != "") {
			t.Errorf("no-show at %s refused, yet the position is %+v", c.now, q)
		}
		if c.msg == "" && (q.Status != "open" || q.NoShowOfficerID != p.OfficerID) {
			t.Errorf("no-show at %s: position %+v", c.now, q)
		}
	}
}

func TestLockPayrollOnlyAfterItsLastDay(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	// Two-week periods from Mon 5 Jan 2026: 23 Nov to 6 Dec, 7 to 20 Dec.
	for _, c := range []struct {
		now  any // Denver wall time, or an instant
		day  string
		msg  string
		lock string // the period locked ("" none)
	}{
		// The example: on 1 Dec, --period 2026-11-24 --lock.
		{"2026-12-01 09:00", "2026-11-24", "pay period 2026-11-23 to 2026-12-06 has not ended (today is 2026-12-01): it can be locked from 2026-12-07, after its last day", ""},
		{"2026-12-06 23:59", "2026-11-24", "pay period 2026-11-23 to 2026-12-06 has not ended (today is 2026-12-06): it can be locked from 2026-12-07, after its last day", ""},
		// Today is the office's: 06:30 UTC on the 7th is still the 6th in Utah.
		{time.Date(2026, 12, 7, 6, 30, 0, 0, time.UTC), "2026-12-06", "pay period 2026-11-23 to 2026-12-06 has not ended (today is 2026-12-06): it can be locked from 2026-12-07, after its last day", ""},
		{"2026-12-07 00:00", "2026-12-06", "", "2026-11-23/2026-12-07"},
		// A period not begun yet.
		{"2026-12-07 00:00", "2026-12-25", "pay period 2026-12-21 to 2027-01-03 has not ended (today is 2026-12-07): it can be locked from 2027-01-04, after its last day", ""},
		{"2026-12-20 12:00", "2026-12-07", "~it can be locked from 2026-12-21, after its last day", ""},
		{"2026-12-21 08:00", "2026-12-07", "", "2026-12-07/2026-12-21"},
	} {
		setClock(t, c.now)
		what := "lock " + c.day + " on " + s.Today().Format("2006-01-02")
		p, err := s.LockPayroll(ctx, "office", day(t, c.day))
		refusal(t, what, err, store.EConflict, "period", c.msg)
		back := payroll(t, s, c.day)
		if back.Locked != (c.lock != "") || c.lock != "" && (period(t, back) != c.lock || !p.Locked) {
			t.Errorf("%s: period %s locked %v, want %q", what, period(t, back), back.Locked, c.lock)
		}
	}
}

func TestPayrollYears(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	for _, c := range []struct {
		day    string
		msg    string
		period string // of Payroll(day) when accepted
	}{
		{"1999-12-31", "period 1999-12-31: dates run from 2000 to 2100", ""},
		{"2000-01-01", "", "1999-12-27/2000-01-10"},
		{"2100-12-31", "", "2100-12-27/2101-01-10"},
		{"2101-01-01", "period 2101-01-01: dates run from 2000 to 2100", ""},
		// payroll show --period 2400-01-01 reported 2318-04-15 to 2318-04-28.
		{"2400-01-01", "period 2400-01-01: dates run from 2000 to 2100", ""},
	} {
		p, err := s.Payroll(ctx, "", day(t, c.day))
		refusal(t, "Payroll("+c.day+")", err, store.EInvalid, "period", c.msg)
		if c.msg == "" && period(t, p) != c.period {
			t.Errorf("Payroll(%s) = %s, want %s", c.day, period(t, p), c.period)
		}
		_, err = s.LockPayroll(ctx, "office", day(t, c.day))
		switch c.day {
		case "2000-01-01": // ended long ago
			refusal(t, "LockPayroll("+c.day+")", err, "", "", "")
		case "2100-12-31": // a real date, not over
			refusal(t, "LockPayroll("+c.day+")", err, store.EConflict, "period", "~it can be locked from 2101-01-10")
		default:
			refusal(t, "LockPayroll("+c.day+")", err, store.EInvalid, "period", c.msg)
		}
	}
	for _, a := range []string{"1999-12-27", "2101-01-03"} {
		refusal(t, "pay anchor "+a, s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, a), Days: 14}), store.EInvalid, "anchor",
			"anchor "+a+": dates run from 2000 to 2100")
	}
}

func TestDispatchTextLimits(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	j := timeJob(t, s, "2026-12-08 10:00", 4, 1, "TL")
	open := approvedJob(t, s, j.CustomerID, j.SiteID, mustLocal("2026-12-09 10:00"), 4, 2)

	// A field note: 4,000 characters at most, counted after cleaning.
	long := strings.Repeat("é", 4001)
	_, err := s.AddNote(ctx, "field", j.ID, long, store.AudienceStaff)
	refusal(t, "4,001-character note", err, store.EInvalid, "note", "note: at most 4,000 characters (got 4,001)")
	if n := count(t, db, `SELECT count(*) FROM job_notes`); n != 0 {
		t.Errorf("%d notes stored after a refusal", n)
	}
	if _, err := s.AddNote(ctx, "field", j.ID, long[:len(long)-2]+"\x1b[2J", store.AudienceStaff); err != nil {
		t.Errorf("4,000 characters and an escape sequence: %v", err)
	}
	if _, err := s.AddNote(ctx, "field", j.ID, strings.Repeat("x", 100*1024), store.AudienceStaff); err == nil {
		t.Error("a 100 KB note was stored")
	}

	// An override reason: 500 characters at most.
	o := officer(t, s, "west-valley-city", "TLO", "officer", 40)
	err = s.Assign(ctx, "dispatch", open.Positions[0].ID, o.ID, strings.Repeat("r", 501))
	refusal(t, "501-character override reason", err, store.EInvalid, "override", "override reason: at most 500 characters (got 501)")
	if err := s.Assign(ctx, "dispatch", open.Positions[0].ID, o.ID, strings.Repeat("r", 100*1024)); err == nil {
		t.Error("a 100 KB override reason was accepted")
	}
	if got := job(t, s, open.ID).Positions[0]; got.OfficerID != 0 || got.Status != "open" {
		t.Errorf("refused assignment stored: %+v", got)
	}
	if err := s.Assign(ctx, "dispatch", open.Positions[0].ID, o.ID, strings.Repeat("r", 500)); err != nil {
		t.Errorf("500-character override reason: %v", err)
	}
}
