package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
	"offduty/store/storetest"
)

// hiredOfficer creates an officer with a hire date, a weekly cap in hours
// and a name of "First <badge>".
func hiredOfficer(t testing.TB, s *store.Store, slug, badge, rank string, capHours int, hired string) store.Officer {
	t.Helper()
	h, err := time.Parse("2006-01-02", hired)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.CreateOfficer(context.Background(), "test", store.OfficerInput{AgencyID: agency(t, s, slug).ID, Badge: badge,
		FirstName: "First", LastName: badge, Rank: rank, WeeklyCapMinutes: capHours * 60, HiredOn: h})
	if err != nil {
		t.Fatalf("CreateOfficer %s: %v", badge, err)
	}
	return o
}

// booked approves a one-officer WVC job and assigns o to it.
func booked(t testing.TB, s *store.Store, cust, site int64, o store.Officer, start string, hours int) store.Job {
	t.Helper()
	j := approvedJob(t, s, cust, site, mustLocal(start), hours, 1)
	if err := s.Assign(context.Background(), "dispatch", j.Positions[0].ID, o.ID, ""); err != nil {
		t.Fatalf("assign %s at %s: %v", o.Badge, start, err)
	}
	return job(t, s, j.ID)
}

// Candidates: the eligible first, fewest hours this month first, then the
// longest-serving; then the others, with their reasons.
func TestCandidatesFairnessOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Fair Co")
	a := hiredOfficer(t, s, "west-valley-city", "A", "officer", 40, "2010-01-01")
	hiredOfficer(t, s, "west-valley-city", "B", "officer", 40, "2018-01-01")
	c := hiredOfficer(t, s, "west-valley-city", "C", "officer", 40, "2012-01-01")
	d := hiredOfficer(t, s, "west-valley-city", "D", "officer", 40, "2005-01-01")
	e := hiredOfficer(t, s, "west-valley-city", "E", "officer", 40, "2000-01-01")
	f := hiredOfficer(t, s, "west-valley-city", "F", "officer", 40, "2001-01-01")
	g := hiredOfficer(t, s, "west-valley-city", "G", "officer", 40, "2016-01-01")
	sg := hiredOfficer(t, s, "west-valley-city", "S", "sergeant", 4, "1999-01-01")
	hiredOfficer(t, s, "grantsville", "GV1", "officer", 40, "1990-01-01") // another agency: never a candidate

	booked(t, s, cust, site, a, "2026-12-01 08:00", 8)
	booked(t, s, cust, site, d, "2026-12-02 10:00", 4)
	// 18:00 on 30 November in Utah is already 1 December in UTC: it is November's.
	booked(t, s, cust, site, g, "2026-11-30 18:00", 4)
	booked(t, s, cust, site, f, "2026-12-17 12:00", 4) // overlaps the shift
	booked(t, s, cust, site, sg, "2026-12-14 08:00", 2)
	if _, err := s.SetOfficerActive(ctx, "test", e.ID, false, testNow); err != nil {
		t.Fatal(err)
	}

	target := approvedJob(t, s, cust, site, mustLocal("2026-12-17 10:00"), 4, 1)
	list, err := s.Candidates(ctx, target.Positions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		badge         string
		week, month   int
		eligible, ovr bool
		reason        string
	}{
		{"C", 0, 0, true, false, ""},
		{"G", 0, 0, true, false, ""},
		{"B", 0, 0, true, false, ""},
		{"D", 0, 240, true, false, ""},
		{"A", 0, 480, true, false, ""},
		{"E", 0, 0, false, false, "inactive"},
		{"S", 120, 120, false, true, "weekly cap reached (2 h of 4 h booked)"},
		{"F", 240, 240, false, false, "overlapping shift"},
	}
	if len(list) != len(want) {
		var got []string
		for _, x := range list {
			got = append(got, x.Badge)
		}
		t.Fatalf("candidates %v, want %d WVC officers", got, len(want))
	}
	for i, w := range want {
		x := list[i]
		if x.Badge != w.badge || x.WeekMinutes != w.week || x.MonthMinutes != w.month || x.Eligible() != w.eligible || x.Overridable() != w.ovr {
			t.Errorf("candidate %d = %s week %d month %d eligible %v overridable %v; want %+v", i, x.Badge, x.WeekMinutes, x.MonthMinutes, x.Eligible(), x.Overridable(), w)
		}
		if w.reason != "" && (len(x.Reasons) != 1 || !strings.Contains(x.Reasons[0].Text, w.reason)) {
			t.Errorf("candidate %s reasons %+v, want %q", x.Badge, x.Reasons, w.reason)
		}
	}
	_, err = s.Candidates(ctx, 99999)
	storeErr(t, err, store.ENotFound, "position")

	// Assigning the first candidate moves them down the next shift's list.
	if err := s.Assign(ctx, "dispatch", target.Positions[0].ID, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	next := approvedJob(t, s, cust, site, mustLocal("2026-12-18 10:00"), 4, 1)
	list, err = s.Candidates(ctx, next.Positions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// C now has 4 h this month, like F (free again the next day) and D, who
	// were hired earlier: G, B, then F, D, C by seniority, then A.
	var order []string
	for _, x := range list {
		order = append(order, x.Badge)
	}
	if strings.Join(order, " ") != "G B F D C A E S" || list[4].MonthMinutes != 240 || list[4].WeekMinutes != 240 {
		t.Errorf("after assigning C: %v (C month %d week %d)", order, list[4].MonthMinutes, list[4].WeekMinutes)
	}
}

func TestAssignOverride(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Override Co")
	o := officer(t, s, "west-valley-city", "OV1", "officer", 10)
	booked(t, s, cust, site, o, "2026-12-07 08:00", 8)
	wed := approvedJob(t, s, cust, site, mustLocal("2026-12-09 10:00"), 4, 1)

	// Over the weekly cap: refused, saying a supervisor may lift it.
	e := storeErr(t, s.Assign(ctx, "dispatch", wed.Positions[0].ID, o.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "weekly cap reached (8 h of 10 h booked)") || !strings.Contains(e.Message, "may override") {
		t.Errorf("cap refusal %q", e.Message)
	}
	// A blank (or control-only) reason is no reason.
	storeErr(t, s.Assign(ctx, "sgt.diaz", wed.Positions[0].ID, o.ID, " \x1b[0m\t"), store.EConflict, "officer")

	// With a written reason it goes through, and the reason is kept.
	if err := s.Assign(ctx, "sgt.diaz", wed.Positions[0].ID, o.ID, "  Customer asked for \x1b[31mOV1\x1b[0m by name "); err != nil {
		t.Fatalf("override refused: %v", err)
	}
	got := job(t, s, wed.ID)
	if got.Status != store.StatusScheduled || got.Positions[0].OfficerID != o.ID || got.Positions[0].Override != "Customer asked for OV1 by name" {
		t.Errorf("after override: %s, position %+v", got.Status, got.Positions[0])
	}
	if n := count(t, db, `SELECT count(*) FROM positions WHERE id = ? AND override_reason = 'Customer asked for OV1 by name'`, wed.Positions[0].ID); n != 1 {
		t.Error("override reason not stored on the position")
	}
	audit, err := s.Audit(ctx, store.AuditFilter{JobID: wed.ID, Actor: "sgt.diaz"})
	if err != nil {
		t.Fatal(err)
	}
	var assign *store.AuditEntry
	for i := range audit {
		if audit[i].Action == "assign" {
			assign = &audit[i]
		}
	}
	if assign == nil || assign.Entity != "position" || assign.EntityID != wed.Positions[0].ID ||
		assign.After != "Officer OV1 (OV1); cap overridden: Customer asked for OV1 by name" {
		t.Errorf("audit of the override: %+v", audit)
	}

	// Overlap is never overridable, even when a cap is also in the way.
	clash := approvedJob(t, s, cust, site, mustLocal("2026-12-09 12:00"), 4, 1)
	e = storeErr(t, s.Assign(ctx, "sgt.diaz", clash.Positions[0].ID, o.ID, "really needed"), store.EConflict, "officer")
	if !strings.Contains(e.Message, "overlapping shift") || strings.Contains(e.Message, "may override") {
		t.Errorf("overlap with override: %q", e.Message)
	}
	// Nor is rank or an inactive officer.
	big := approvedJob(t, s, cust, site, mustLocal("2026-12-12 10:00"), 4, 5)
	tired := officer(t, s, "west-valley-city", "OV2", "officer", 2)
	e = storeErr(t, s.Assign(ctx, "sgt.diaz", big.Positions[5].ID, tired.ID, "short-staffed"), store.EConflict, "officer")
	if !strings.Contains(e.Message, "supervisor rank") {
		t.Errorf("rank with override: %q", e.Message)
	}
	gone := officer(t, s, "west-valley-city", "OV3", "sergeant", 40)
	if _, err := s.SetOfficerActive(ctx, "test", gone.ID, false, testNow); err != nil {
		t.Fatal(err)
	}
	e = storeErr(t, s.Assign(ctx, "sgt.diaz", big.Positions[0].ID, gone.ID, "short-staffed"), store.EConflict, "officer")
	if !strings.Contains(e.Message, "inactive") {
		t.Errorf("inactive with override: %q", e.Message)
	}
	// Rest and the 16 h day are caps too: lifted with a reason.
	rest := approvedJob(t, s, cust, site, mustLocal("2026-12-12 15:00"), 2, 1)
	fresh := officer(t, s, "west-valley-city", "OV4", "officer", 40)
	booked(t, s, cust, site, fresh, "2026-12-12 08:00", 6)
	e = storeErr(t, s.Assign(ctx, "dispatch", rest.Positions[0].ID, fresh.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "less than 8 h rest") {
		t.Errorf("rest: %q", e.Message)
	}
	if err := s.Assign(ctx, "sgt.diaz", rest.Positions[0].ID, fresh.ID, "event ran late, same crew"); err != nil {
		t.Errorf("rest override refused: %v", err)
	}

	// An eligible officer needs no override: a reason given anyway is not kept.
	easy := officer(t, s, "west-valley-city", "OV5", "officer", 40)
	if err := s.Assign(ctx, "dispatch", big.Positions[0].ID, easy.ID, "just because"); err != nil {
		t.Fatal(err)
	}
	if p := job(t, s, big.ID).Positions[0]; p.Override != "" {
		t.Errorf("override %q kept for an eligible officer", p.Override)
	}
	// Unassigning clears the override.
	if err := s.Unassign(ctx, "dispatch", wed.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	if p := job(t, s, wed.ID).Positions[0]; p.Override != "" || p.OfficerID != 0 {
		t.Errorf("after unassign: %+v", p)
	}
}

func TestUnassign(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Unassign Co")
	o := officer(t, s, "west-valley-city", "U1", "officer", 40)
	j := booked(t, s, cust, site, o, "2026-12-08 10:00", 4)
	if j.Status != store.StatusScheduled {
		t.Fatalf("job is %s", j.Status)
	}
	p := j.Positions[0]
	if err := s.Unassign(ctx, "dispatch", p.ID); err != nil {
		t.Fatal(err)
	}
	j = job(t, s, j.ID)
	if j.Status != store.StatusApproved || j.Filled != 0 || j.Positions[0].Status != "open" || j.Positions[0].OfficerID != 0 || j.Positions[0].OfficerName != "" {
		t.Errorf("after unassign: %s, filled %d, position %+v", j.Status, j.Filled, j.Positions[0])
	}
	audit, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Action != "status" || audit[0].Before != store.StatusScheduled || audit[0].After != store.StatusApproved ||
		audit[1].Action != "unassign" || audit[1].Before != "Officer U1 (U1)" || audit[1].After != "open" {
		t.Errorf("audit %+v", audit)
	}
	e := storeErr(t, s.Unassign(ctx, "dispatch", p.ID), store.EConflict, "position")
	if !strings.Contains(e.Message, "already open") {
		t.Errorf("second unassign: %q", e.Message)
	}
	storeErr(t, s.Unassign(ctx, "dispatch", 99999), store.ENotFound, "position")

	// The officer is free again, and can be put back.
	if err := s.Assign(ctx, "dispatch", p.ID, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	// Once checked in, the position cannot be emptied.
	setClock(t, "2026-12-08 09:58")
	if err := s.CheckIn(ctx, "dispatch", p.ID, mustLocal("2026-12-08 09:58")); err != nil {
		t.Fatal(err)
	}
	e = storeErr(t, s.Unassign(ctx, "dispatch", p.ID), store.EConflict, "position")
	if !strings.Contains(e.Message, "checked in") {
		t.Errorf("unassign after check-in: %q", e.Message)
	}
	// Nor once the job is over.
	setClock(t, "2026-12-08 14:00")
	if err := s.CheckOut(ctx, "dispatch", p.ID, mustLocal("2026-12-08 14:00")); err != nil {
		t.Fatal(err)
	}
	storeErr(t, s.Unassign(ctx, "dispatch", p.ID), store.EConflict, "status")
}

func TestCheckInAndOut(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Attend Co")
	start, end := mustLocal("2026-12-08 10:00"), mustLocal("2026-12-08 14:00")
	j := fill(t, s, approvedJob(t, s, cust, site, start, 4, 3), "AT")
	p1, p2, p3 := j.Positions[0].ID, j.Positions[1].ID, j.Positions[2].ID

	// Check-out before any check-in is refused.
	e := storeErr(t, s.CheckOut(ctx, "dispatch", p1, mustLocal("2026-12-08 12:00")), store.EConflict, "check_out")
	if !strings.Contains(e.Message, "check the officer in first") {
		t.Errorf("check-out without check-in: %q", e.Message)
	}
	storeErr(t, s.CheckIn(ctx, "dispatch", p1, start.Add(-13*time.Hour)), store.EInvalid, "check_in")
	storeErr(t, s.CheckIn(ctx, "dispatch", p1, end.Add(13*time.Hour)), store.EInvalid, "check_in")
	storeErr(t, s.CheckIn(ctx, "dispatch", 99999, start), store.ENotFound, "position")

	// The first check-in starts the job (the clock has reached it).
	setClock(t, "2026-12-08 09:55")
	if err := s.CheckIn(ctx, "field", p1, mustLocal("2026-12-08 09:55")); err != nil {
		t.Fatal(err)
	}
	if got := job(t, s, j.ID); got.Status != store.StatusInProgress || !got.Positions[0].CheckIn.Equal(mustLocal("2026-12-08 09:55")) {
		t.Errorf("after check-in: %s, position %+v", got.Status, got.Positions[0])
	}
	// Check-out at or before the check-in is refused.
	storeErr(t, s.CheckOut(ctx, "field", p1, mustLocal("2026-12-08 09:50")), store.EInvalid, "check_out")
	storeErr(t, s.CheckOut(ctx, "field", p1, mustLocal("2026-12-08 09:55")), store.EInvalid, "check_out")
	setClock(t, "2026-12-09 10:00")
	storeErr(t, s.CheckOut(ctx, "field", p1, mustLocal("2026-12-09 10:00")), store.EInvalid, "check_out") // more than 24 h
	setClock(t, "2026-12-08 09:55")

	// Released early at 12:00, held over by a minute, on time at 14:00.
	steps := []struct {
		pos     int64
		in, out string
		att     string
		status  string
		worked  int
	}{
		{p1, "", "2026-12-08 12:00", pricing.AttendanceReleasedEarly, store.StatusInProgress, 240},
		{p2, "2026-12-08 10:00", "2026-12-08 14:01", pricing.AttendanceHeldOver, store.StatusInProgress, 241},
		{p3, "2026-12-08 10:05", "2026-12-08 14:00", pricing.AttendanceNone, store.StatusCompleted, 240},
	}
	for i, st := range steps {
		if st.in != "" {
			atLeast(t, mustLocal(st.in))
			if err := s.CheckIn(ctx, "field", st.pos, mustLocal(st.in)); err != nil {
				t.Fatal(err)
			}
		}
		atLeast(t, mustLocal(st.out))
		if err := s.CheckOut(ctx, "field", st.pos, mustLocal(st.out)); err != nil {
			t.Fatalf("check-out %d: %v", i+1, err)
		}
		got := job(t, s, j.ID)
		p := got.Positions[i]
		if p.Attendance != st.att || !p.CheckOut.Equal(mustLocal(st.out)) || got.Status != st.status {
			t.Errorf("after check-out %d: attendance %q out %v, job %s; want %q, %s", i+1, p.Attendance, p.CheckOut, got.Status, st.att, st.status)
		}
		if w := pricing.WorkedMinutes(p.Start, p.End, p.CheckIn, p.CheckOut, p.Attendance, 120); w != st.worked {
			t.Errorf("position %d worked %d min, want %d", i+1, w, st.worked)
		}
	}
	audit, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Action != "status" || audit[0].After != store.StatusCompleted || audit[1].Action != "check out" ||
		audit[1].After != "2026-12-08 21:00Z" {
		t.Errorf("audit %+v", audit)
	}
	// Nothing more is recorded on a completed job.
	storeErr(t, s.CheckIn(ctx, "field", p1, start), store.EConflict, "status")
	storeErr(t, s.CheckOut(ctx, "field", p1, end), store.EConflict, "status")

	// An open position has no one to check in.
	open := approvedJob(t, s, cust, site, mustLocal("2026-12-09 10:00"), 4, 1)
	storeErr(t, s.CheckIn(ctx, "field", open.Positions[0].ID, mustLocal("2026-12-09 10:00")), store.EConflict, "position")
}

func TestNoShow(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "No Show Co")
	j := fill(t, s, approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 2), "NS")
	p1, p2 := j.Positions[0], j.Positions[1]

	setClock(t, "2026-12-08 10:00") // a no-show once the start has passed
	if err := s.NoShow(ctx, "field", p1.ID); err != nil {
		t.Fatal(err)
	}
	got := job(t, s, j.ID)
	q := got.Positions[0]
	if q.Status != "open" || q.OfficerID != 0 || q.NoShowOfficerID != p1.OfficerID || q.NoShowName != p1.OfficerName || q.Attendance != pricing.AttendanceNoShow {
		t.Errorf("no-show position %+v", q)
	}
	if got.Status != store.StatusApproved || got.Filled != 1 {
		t.Errorf("job after a no-show: %s, %d filled", got.Status, got.Filled)
	}
	if w := pricing.WorkedMinutes(q.Start, q.End, q.CheckIn, q.CheckOut, q.Attendance, 120); w != 0 {
		t.Errorf("a no-show is billed %d min", w)
	}
	audit, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[1].Action != "no-show" || audit[1].Before != p1.OfficerName+" (NSA)" || audit[0].After != store.StatusApproved {
		t.Errorf("audit %+v", audit)
	}
	// The officer who did not come no longer holds the shift.
	other := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	if err := s.Assign(ctx, "dispatch", other.Positions[0].ID, p1.OfficerID, ""); err != nil {
		t.Errorf("no-show officer still booked: %v", err)
	}
	// The position is open: no second no-show.
	storeErr(t, s.NoShow(ctx, "field", p1.ID), store.EConflict, "position")

	// Someone who checked in is not a no-show.
	if err := s.CheckIn(ctx, "field", p2.ID, mustLocal("2026-12-08 10:00")); err != nil {
		t.Fatal(err)
	}
	e := storeErr(t, s.NoShow(ctx, "field", p2.ID), store.EConflict, "position")
	if !strings.Contains(e.Message, "checked in") {
		t.Errorf("no-show after check-in: %q", e.Message)
	}
	// Refilled, the flag clears; the job keeps running.
	sub := officer(t, s, "west-valley-city", "NSSUB", "officer", 40)
	if err := s.Assign(ctx, "dispatch", p1.ID, sub.ID, ""); err != nil {
		t.Fatal(err)
	}
	got = job(t, s, j.ID)
	if got.Status != store.StatusInProgress || got.Positions[0].OfficerID != sub.ID || got.Positions[0].Attendance != "" {
		t.Errorf("after refilling: %s, %+v", got.Status, got.Positions[0])
	}
}

func TestLifecycleMoves(t *testing.T) {
	allowed := map[[2]string]bool{
		{store.StatusRequested, store.StatusApproved}:   true,
		{store.StatusScheduled, store.StatusInProgress}: true,
		{store.StatusInProgress, store.StatusCompleted}: true,
		{store.StatusCompleted, store.StatusInvoiced}:   true,
		{store.StatusInvoiced, store.StatusPaid}:        true,
		{store.StatusRequested, store.StatusCancelled}:  true,
		{store.StatusApproved, store.StatusCancelled}:   true,
		{store.StatusScheduled, store.StatusCancelled}:  true,
		{store.StatusInProgress, store.StatusCancelled}: true,
	}
	for _, from := range store.Statuses {
		for _, to := range store.Statuses {
			err := store.CanMove(from, to)
			if allowed[[2]string{from, to}] != (err == nil) {
				t.Errorf("CanMove(%s, %s) = %v", from, to, err)
			}
			if err != nil && err.Error() == "" {
				t.Errorf("CanMove(%s, %s) refuses without a reason", from, to)
			}
		}
	}
}

func TestNotesAndExtras(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Notes Co")
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)

	n, err := s.AddNote(ctx, "field", j.ID, "\x1b[31mGate\x1b[0m code 4411\r\nmanager is Ann\u202e \n\n", store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID == 0 || n.JobID != j.ID || n.Body != "Gate code 4411\nmanager is Ann" || n.Author != "field" || !n.At.Equal(testNow) {
		t.Errorf("note %+v", n)
	}
	for _, body := range []string{"", "   ", "\x1b[0m\x07", "\n\n"} {
		_, err := s.AddNote(ctx, "field", j.ID, body, store.AudienceStaff)
		storeErr(t, err, store.EInvalid, "note")
	}
	_, err = s.AddNote(ctx, "field", j.ID, strings.Repeat("x", 4001), store.AudienceStaff)
	storeErr(t, err, store.EInvalid, "note")
	_, err = s.AddNote(ctx, "field", 99999, "hello", store.AudienceStaff)
	storeErr(t, err, store.ENotFound, "job")
	if _, err := s.AddNote(ctx, "dispatch", j.ID, "second", store.AudienceStaff); err != nil {
		t.Fatal(err)
	}
	x, err := s.Extras(ctx, localActor, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Notes) != 2 || x.Notes[0].Body != n.Body || x.Notes[1].Body != "second" || x.Notes[1].Author != "dispatch" || len(x.Media) != 0 || len(x.Fees) != 0 {
		t.Errorf("extras %+v", x)
	}
	// A job without anything has empty extras.
	other := approvedJob(t, s, cust, site, mustLocal("2026-12-09 10:00"), 4, 1)
	if x, err := s.Extras(ctx, localActor, other.ID); err != nil || len(x.Notes)+len(x.Media)+len(x.Fees) != 0 {
		t.Errorf("empty extras %+v, %v", x, err)
	}
	// Fees appear once there are some.
	if _, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: other.ID, At: testNow, Reason: "no need"}); err != nil {
		t.Fatal(err)
	}
	x, err = s.Extras(ctx, localActor, other.ID)
	if err != nil || len(x.Fees) != 1 || x.Fees[0].Kind != "cancel" || x.Fees[0].Total != "28.00" || x.Fees[0].Admin != "28.00" ||
		x.Fees[0].Officer != "0.00" || x.Fees[0].Actor != "dispatch" || !x.Fees[0].At.Equal(testNow) {
		t.Errorf("fees %+v, %v", x.Fees, err)
	}
}

func TestAttachMedia(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Media Co")
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	src := t.TempDir()
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("photo"), 100)...)
	photo := filepath.Join(src, "gate photo.jpg")
	if err := os.WriteFile(photo, jpeg, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := s.AttachMediaFile(ctx, "field", j.ID, photo, store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(path), "media"); storetest.Postgres() && s.MediaDir() != "" || !storetest.Postgres() && s.MediaDir() != want {
		t.Errorf("MediaDir = %s", s.MediaDir())
	}
	if len(m.SHA256) != 64 || m.Name != "gate photo.jpg" || m.Size != int64(len(jpeg)) ||
		m.Type != "image/jpeg" || m.JobID != j.ID || m.AddedBy != "field" || !m.AddedAt.Equal(testNow) || m.ID == 0 {
		t.Errorf("media %+v", m)
	}
	wantMediaPath(t, s, m)
	if copied := mediaContent(t, s, localActor, m); !bytes.Equal(copied, jpeg) {
		t.Fatalf("copy of %s: %d bytes, want the %d attached", m.Name, len(copied), len(jpeg))
	}

	// The same content under another name: one file, two rows.
	again := filepath.Join(src, "NOTES")
	if err := os.WriteFile(again, jpeg, 0o644); err != nil {
		t.Fatal(err)
	}
	m2, err := s.AttachMediaFile(ctx, "field", j.ID, "  "+again+"\n", store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if m2.SHA256 != m.SHA256 || m2.Path != m.Path || m2.Name != "NOTES" || m2.ID == m.ID {
		t.Errorf("second attachment %+v", m2)
	}
	// A file without an extension gets its type from its content.
	text := filepath.Join(src, "README")
	if err := os.WriteFile(text, []byte("plain words\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m3, err := s.AttachMediaFile(ctx, "field", j.ID, text, store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m3.Type, "text/plain") || m3.Size != 12 {
		t.Errorf("text attachment %+v", m3)
	}
	if files := mediaLeft(t, s, path); len(files) != 2 {
		t.Errorf("media folder holds %v, want the 2 distinct contents", files)
	}
	if n := count(t, db, `SELECT count(*) FROM media WHERE job_id = ?`, j.ID); n != 3 {
		t.Errorf("%d media rows, want 3", n)
	}
	x, err := s.Extras(ctx, localActor, j.ID)
	if err != nil || len(x.Media) != 3 || x.Media[0].Name != "gate photo.jpg" || x.Media[1].Name != "NOTES" || x.Media[0].Path != m.Path ||
		x.Media[2].Type != m3.Type || x.Media[0].Size != m.Size {
		t.Errorf("extras media %+v, %v", x.Media, err)
	}

	// Bad paths are invalid input and store nothing.
	for _, bad := range []string{filepath.Join(src, "missing.jpg"), src, ""} {
		_, err := s.AttachMediaFile(ctx, "field", j.ID, bad, store.AudienceStaff)
		storeErr(t, err, store.EInvalid, "path")
	}
	_, err = s.AttachMediaFile(ctx, "field", 99999, photo, store.AudienceStaff)
	storeErr(t, err, store.ENotFound, "job")
	if n := count(t, db, `SELECT count(*) FROM media`); n != 3 {
		t.Errorf("%d media rows after refused attachments, want 3", n)
	}
}

func TestAuditFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	setClock(t, "2026-12-08 10:00") // the check-in below happens now
	cust, site := customerAndSite(t, s, "Audit Co")
	o := officer(t, s, "west-valley-city", "AU1", "officer", 40)
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	other := approvedJob(t, s, cust, site, mustLocal("2026-12-10 10:00"), 4, 1)
	if err := s.Assign(ctx, "alice", j.Positions[0].ID, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, "bob", j.Positions[0].ID, mustLocal("2026-12-08 10:00")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, "bob", j.ID, "arrived, all quiet", store.AudienceStaff); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "log.txt")
	if err := os.WriteFile(file, []byte("log"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachMediaFile(ctx, "carol", j.ID, file, store.AudienceStaff); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, "bob", other.ID, "elsewhere", store.AudienceStaff); err != nil {
		t.Fatal(err)
	}

	all, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ actor, entity, action string }{
		{"carol", "media", "attach"},
		{"bob", "note", "note"},
		{"bob", "job", "status"},
		{"bob", "position", "check in"},
		{"alice", "job", "status"},
		{"alice", "position", "assign"},
		{"dispatch", "job", "approve"},
		{"dispatch", "job", "create"},
	}
	if len(all) != len(want) {
		t.Fatalf("%d audit entries for the job, want %d: %+v", len(all), len(want), all)
	}
	for i, w := range want {
		a := all[i]
		if a.Actor != w.actor || a.Entity != w.entity || a.Action != w.action || a.JobID != j.ID || !a.At.Equal(now()) {
			t.Errorf("entry %d = %+v, want %+v", i, a, w)
		}
		if i > 0 && a.ID >= all[i-1].ID {
			t.Errorf("entries not newest first at %d", i)
		}
	}
	if all[1].After != "arrived, all quiet" || !strings.HasPrefix(all[0].After, "log.txt (3 bytes, ") || all[3].After != "2026-12-08 17:00Z" {
		t.Errorf("entry texts: %q, %q, %q", all[1].After, all[0].After, all[3].After)
	}

	bob, err := s.Audit(ctx, store.AuditFilter{Actor: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if len(bob) != 4 || bob[0].JobID != other.ID || bob[1].Action != "note" || bob[3].Action != "check in" {
		t.Errorf("bob's entries %+v", bob)
	}
	for _, a := range bob {
		if a.Actor != "bob" {
			t.Errorf("actor filter let through %+v", a)
		}
	}
	both, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID, Actor: "bob", Limit: 2})
	if err != nil || len(both) != 2 || both[0].Action != "note" || both[1].Action != "status" {
		t.Errorf("job and actor with limit: %+v, %v", both, err)
	}
	// Officer changes belong to no job.
	everything, err := s.Audit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var officerRows int
	for _, a := range everything {
		if a.Entity == "officer" {
			officerRows++
			if a.JobID != 0 {
				t.Errorf("officer audit entry carries job %d", a.JobID)
			}
		}
	}
	if officerRows != 1 {
		t.Errorf("%d officer audit entries, want 1", officerRows)
	}
}

func TestDayCountsAndJobsWithPositions(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	loc := denver()
	cust, site := customerAndSite(t, s, "Board Co")
	o1 := officer(t, s, "west-valley-city", "B1", "officer", 40)
	o2 := officer(t, s, "west-valley-city", "B2", "officer", 40)

	morning := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 2)
	if err := s.Assign(ctx, "dispatch", morning.Positions[0].ID, o1.ID, ""); err != nil {
		t.Fatal(err)
	}
	// 23:30 in Utah is 06:30 the next day in UTC: still the 8th's.
	late := approvedJob(t, s, cust, site, mustLocal("2026-12-08 23:30"), 4, 1)
	next := booked(t, s, cust, site, o2, "2026-12-09 10:00", 4)
	dropped := approvedJob(t, s, cust, site, mustLocal("2026-12-09 12:00"), 4, 3)
	if _, err := s.Cancel(ctx, "dispatch", dropped.ID, testNow, ""); err != nil {
		t.Fatal(err)
	}
	// A reduced job counts only the positions it keeps.
	reduced := approvedJob(t, s, cust, site, mustLocal("2026-12-10 08:00"), 4, 3)
	if _, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: reduced.ID, At: testNow, Officers: 1}); err != nil {
		t.Fatal(err)
	}
	approvedJob(t, s, cust, site, mustLocal("2026-12-11 00:00"), 4, 1) // outside the range

	from := time.Date(2026, 12, 8, 0, 0, 0, 0, loc)
	days, err := s.DayCounts(ctx, from, from.AddDate(0, 0, 3), loc)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.DayCount{
		{Day: from, Shifts: 2, Positions: 3, Open: 2, OpenJobs: 2},
		{Day: from.AddDate(0, 0, 1), Shifts: 1, Positions: 1, Open: 0, OpenJobs: 0},
		{Day: from.AddDate(0, 0, 2), Shifts: 1, Positions: 2, Open: 2, OpenJobs: 1},
	}
	if len(days) != len(want) {
		t.Fatalf("days %+v", days)
	}
	for i, w := range want {
		if !days[i].Day.Equal(w.Day) || days[i].Shifts != w.Shifts || days[i].Positions != w.Positions || days[i].Open != w.Open || days[i].OpenJobs != w.OpenJobs {
			t.Errorf("day %d = %+v, want %+v", i, days[i], w)
		}
	}
	// A day with nothing is there, with zeros.
	empty, err := s.DayCounts(ctx, time.Date(2027, 2, 1, 0, 0, 0, 0, loc), time.Date(2027, 2, 3, 0, 0, 0, 0, loc), loc)
	if err != nil || len(empty) != 2 || empty[0].Shifts != 0 || empty[1].Day.Day() != 2 {
		t.Errorf("empty days %+v, %v", empty, err)
	}

	jobs, err := s.JobsWithPositions(ctx, "", from, from.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].ID != morning.ID || jobs[1].ID != late.ID {
		t.Fatalf("jobs of the 8th: %+v", jobs)
	}
	ps := jobs[0].Positions
	if len(ps) != 2 || ps[0].Slot != 1 || ps[0].OfficerID != o1.ID || ps[0].OfficerName != "Officer B1" || ps[0].Badge != "B1" ||
		ps[1].Slot != 2 || ps[1].OfficerID != 0 || ps[1].Status != "open" || len(jobs[1].Positions) != 1 {
		t.Errorf("positions %+v / %+v", ps, jobs[1].Positions)
	}
	// Cancelled jobs are listed with their (cancelled) positions.
	jobs, err = s.JobsWithPositions(ctx, "", from.AddDate(0, 0, 1), from.AddDate(0, 0, 2))
	if err != nil || len(jobs) != 2 || jobs[0].ID != next.ID || jobs[1].ID != dropped.ID || jobs[1].Status != store.StatusCancelled ||
		len(jobs[1].Positions) != 3 || jobs[1].Positions[2].Status != "cancelled" {
		t.Errorf("jobs of the 9th: %+v, %v", jobs, err)
	}
	if jobs, err := s.JobsWithPositions(ctx, "", time.Date(2027, 2, 1, 0, 0, 0, 0, loc), time.Date(2027, 2, 2, 0, 0, 0, 0, loc)); err != nil || len(jobs) != 0 {
		t.Errorf("no jobs: %+v, %v", jobs, err)
	}
}

func TestOfficerLoads(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	loc := denver()
	cust, site := customerAndSite(t, s, "Load Co")
	o := officer(t, s, "west-valley-city", "LD1", "officer", 40)
	idle := officer(t, s, "west-valley-city", "LD2", "officer", 40)
	booked(t, s, cust, site, o, "2026-11-30 10:00", 4) // this week, last month
	booked(t, s, cust, site, o, "2026-12-01 10:00", 3) // this week and month
	gone := booked(t, s, cust, site, o, "2026-12-03 10:00", 5)
	if _, err := s.Cancel(ctx, "dispatch", gone.ID, testNow, ""); err != nil {
		t.Fatal(err)
	}
	var next []int64
	for _, d := range []string{"2026-12-08 10:00", "2026-12-09 10:00", "2026-12-10 10:00", "2026-12-11 10:00"} {
		next = append(next, booked(t, s, cust, site, o, d, 2).ID)
	}
	at := mustLocal("2026-12-02 12:00")
	loads, err := s.OfficerLoads(ctx, at, loc)
	if err != nil {
		t.Fatal(err)
	}
	l := loads[o.ID]
	if l.WeekMinutes != 7*60 || l.MonthMinutes != 11*60 {
		t.Errorf("week %d month %d, want 420 and 660", l.WeekMinutes, l.MonthMinutes)
	}
	if len(l.Next) != 3 || l.Next[0].JobID != next[0] || l.Next[1].JobID != next[1] || l.Next[2].JobID != next[2] || !l.Next[0].Start.Equal(mustLocal("2026-12-08 10:00")) {
		t.Errorf("next %+v", l.Next)
	}
	if x, ok := loads[idle.ID]; ok && (x.WeekMinutes != 0 || x.MonthMinutes != 0 || len(x.Next) != 0) {
		t.Errorf("idle officer load %+v", x)
	}
	// A shift in progress at `at` is among the next.
	loads, err = s.OfficerLoads(ctx, mustLocal("2026-12-01 11:00"), loc)
	if err != nil || len(loads[o.ID].Next) != 3 || !loads[o.ID].Next[0].Start.Equal(mustLocal("2026-12-01 10:00")) {
		t.Errorf("loads during a shift: %+v, %v", loads[o.ID], err)
	}
}

func TestUpdateOfficerAndActive(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Roster Co")
	u1 := officer(t, s, "west-valley-city", "U1", "officer", 40)
	officer(t, s, "west-valley-city", "U2", "officer", 40)
	officer(t, s, "grantsville", "G1", "officer", 40)
	in := store.OfficerInput{AgencyID: u1.AgencyID, Badge: " U1A ", FirstName: "Una", LastName: "\x1b[1mField\x1b[0m", Rank: "sergeant",
		Phone: "801-555-0999", Email: "una@wvc.example", WeeklyCapMinutes: 30 * 60, HiredOn: time.Date(2011, 2, 3, 0, 0, 0, 0, time.UTC)}
	if err := s.UpdateOfficer(ctx, "admin", u1.ID, in); err != nil {
		t.Fatal(err)
	}
	list, err := s.Officers(ctx, u1.AgencyID)
	if err != nil {
		t.Fatal(err)
	}
	var got store.Officer
	for _, o := range list {
		if o.ID == u1.ID {
			got = o
		}
	}
	if got.Badge != "U1A" || got.Name() != "Una Field" || got.Rank != "sergeant" || got.WeeklyCapMinutes != 1800 || got.Phone != "801-555-0999" ||
		got.HiredOn.Format("2006-01-02") != "2011-02-03" || !got.Active {
		t.Errorf("updated officer %+v", got)
	}
	// A badge already used in the agency is a conflict; another agency's is fine.
	dup := in
	dup.Badge = "U2"
	e := storeErr(t, s.UpdateOfficer(ctx, "admin", u1.ID, dup), store.EConflict, "badge")
	if !strings.Contains(e.Message, "U2") {
		t.Errorf("duplicate badge: %q", e.Message)
	}
	dup.Badge = "G1"
	if err := s.UpdateOfficer(ctx, "admin", u1.ID, dup); err != nil {
		t.Errorf("another agency's badge refused: %v", err)
	}
	bad := in
	bad.Rank = "chief"
	storeErr(t, s.UpdateOfficer(ctx, "admin", u1.ID, bad), store.EInvalid, "rank")
	bad = in
	bad.WeeklyCapMinutes = 0
	storeErr(t, s.UpdateOfficer(ctx, "admin", u1.ID, bad), store.EInvalid, "cap")
	storeErr(t, s.UpdateOfficer(ctx, "admin", 99999, in), store.ENotFound, "officer")
	audit, err := s.Audit(ctx, store.AuditFilter{Actor: "admin"})
	if err != nil || len(audit) != 2 || audit[1].Action != "edit" || !strings.HasPrefix(audit[1].Before, "U1 Officer U1") || !strings.HasPrefix(audit[1].After, "U1A Una Field") {
		t.Errorf("edit audit %+v, %v", audit, err)
	}

	// Deactivating tells how many future shifts the officer still holds.
	booked(t, s, cust, site, got, "2026-12-08 10:00", 4)
	booked(t, s, cust, site, got, "2026-12-09 10:00", 4)
	future, err := s.SetOfficerActive(ctx, "admin", u1.ID, false, testNow)
	if err != nil || future != 2 {
		t.Errorf("SetOfficerActive = %d, %v; want 2 future shifts", future, err)
	}
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-12 10:00"), 4, 1)
	cands, err := s.Candidates(ctx, j.Positions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	last := cands[len(cands)-1]
	if last.ID != u1.ID || last.Eligible() || last.Overridable() || len(last.Reasons) != 1 || last.Reasons[0].Text != "inactive" {
		t.Errorf("inactive officer among candidates: %+v", last)
	}
	storeErr(t, s.Assign(ctx, "dispatch", j.Positions[0].ID, u1.ID, "please"), store.EConflict, "officer")
	if future, err := s.SetOfficerActive(ctx, "admin", u1.ID, false, mustLocal("2026-12-09 00:00")); err != nil || future != 1 {
		t.Errorf("future shifts after the 9th: %d, %v", future, err)
	}
	if _, err := s.SetOfficerActive(ctx, "admin", u1.ID, true, testNow); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "dispatch", j.Positions[0].ID, u1.ID, ""); err != nil {
		t.Errorf("reactivated officer refused: %v", err)
	}
	_, err = s.SetOfficerActive(ctx, "admin", 99999, false, testNow)
	storeErr(t, err, store.ENotFound, "officer")
	audit, err = s.Audit(ctx, store.AuditFilter{Actor: "admin", Limit: 3})
	if err != nil || len(audit) != 3 || audit[0].Action != "activate" || audit[1].Action != "deactivate" || audit[0].Entity != "officer" {
		t.Errorf("activation audit %+v, %v", audit, err)
	}
}

// Monday 1 February 2027 starts both a week and a month: shifts of the night
// before still count for overlap, rest and the day's hours.
func TestAssignSeesTheNightBeforeAWeekAndMonth(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Boundary Co")
	o := officer(t, s, "west-valley-city", "BD1", "officer", 40)
	booked(t, s, cust, site, o, "2027-01-31 20:00", 8) // Sunday 20:00 to Monday 04:00
	overlap := approvedJob(t, s, cust, site, mustLocal("2027-02-01 02:00"), 4, 1)
	e := storeErr(t, s.Assign(ctx, "dispatch", overlap.Positions[0].ID, o.ID, "needed"), store.EConflict, "officer")
	if !strings.Contains(e.Message, "overlapping shift Sun 20:00-04:00") {
		t.Errorf("overlap across the week and month start: %q", e.Message)
	}
	rest := approvedJob(t, s, cust, site, mustLocal("2027-02-01 10:00"), 4, 1)
	e = storeErr(t, s.Assign(ctx, "dispatch", rest.Positions[0].ID, o.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "less than 8 h rest after a shift ending Mon 04:00") {
		t.Errorf("rest across the week and month start: %q", e.Message)
	}
	// The night before is last week's and last month's hours, though.
	list, err := s.Candidates(ctx, rest.Positions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if list[0].ID != o.ID || list[0].WeekMinutes != 0 || list[0].MonthMinutes != 0 {
		t.Errorf("candidate %+v", list[0])
	}
}

// A Sunday shift that runs into Monday still sees the shifts of Tuesday
// morning (the rest after it), even when the month ended before.
func TestAssignSeesTheMorningAfterALongShift(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Long Shift Co")
	o := officer(t, s, "west-valley-city", "LS1", "officer", 60)
	booked(t, s, cust, site, o, "2027-02-02 00:30", 4) // Tuesday 00:30
	long := approvedJob(t, s, cust, site, mustLocal("2027-01-31 23:00"), 18, 1)
	e := storeErr(t, s.Assign(ctx, "dispatch", long.Positions[0].ID, o.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "more than 16 h on Mon 01 Feb (17 h)") || !strings.Contains(e.Message, "less than 8 h rest before a shift starting Tue 00:30") {
		t.Errorf("refusal %q should name the 16 h day and the rest before Tuesday", e.Message)
	}
}
