package store_test

import (
	"context"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
)

// wantShifts is OfficerShifts by its definition, from the day lists: the
// officer's assigned positions of jobs not cancelled that end after from.
func wantShifts(t *testing.T, s *store.Store, officerID int64, from time.Time) []store.OfficerShift {
	t.Helper()
	jobs, err := s.JobsWithPositions(context.Background(), "", from.AddDate(0, 0, -2), from.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OfficerShift
	for _, j := range jobs {
		if j.Status == store.StatusCancelled {
			continue
		}
		for _, p := range j.Positions {
			if p.OfficerID != officerID || p.Status != "assigned" || !p.End.After(from) {
				continue
			}
			out = append(out, store.OfficerShift{PositionID: p.ID, JobID: j.ID, Slot: p.Slot, Class: p.Class, Start: p.Start, End: p.End,
				JobStatus: j.Status, CustomerName: j.CustomerName, SiteName: j.SiteName, SiteAddress: j.SiteAddress, AgencyID: j.AgencyID,
				AgencySlug: j.AgencySlug, AgencyName: j.AgencyName, AgencyZone: seed.Zone,
				PostOrders: j.PostOrders, ContactName: j.ContactName, ContactPhone: j.ContactPhone})
		}
	}
	// JobsWithPositions is by job start; positions of one job share it.
	return out
}

func sameShifts(t *testing.T, what string, got, want []store.OfficerShift) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d shifts, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("%s[%d]: %s-%s, want %s-%s", what, i, g.Start, g.End, w.Start, w.End)
		}
		g.Start, g.End, w.Start, w.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if g != w {
			t.Errorf("%s[%d]:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

func TestOfficerShifts(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	if err := seed.Demo(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	all, err := s.Officers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	total, busiest, onDuty := 0, 0, 0
	for _, o := range all {
		got, err := s.OfficerShifts(ctx, "", o.ID, testNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		sameShifts(t, o.Badge, got, wantShifts(t, s, o.ID, testNow))
		for i, sh := range got {
			if i > 0 && sh.Start.Before(got[i-1].Start) {
				t.Errorf("%s: shift %d starts before the one listed before it", o.Badge, i)
			}
			if !sh.Start.After(testNow) {
				onDuty++ // started before the clock, still running: listed
			}
		}
		total += len(got)
		busiest = max(busiest, len(got))
		if len(got) > 1 {
			first, err := s.OfficerShifts(ctx, "", o.ID, testNow, 1)
			if err != nil || len(first) != 1 || first[0].PositionID != got[0].PositionID {
				t.Errorf("%s: limit 1 gave %d shifts (%v)", o.Badge, len(first), err)
			}
		}
	}
	// The demo always has a shift on duty at the clock and weeks of future ones.
	if total < 20 || busiest < 3 || onDuty == 0 {
		t.Errorf("demo: %d upcoming shifts, busiest officer %d, %d on duty at the clock", total, busiest, onDuty)
	}
	if got, err := s.OfficerShifts(ctx, "", 1<<40, testNow, 0); err != nil || len(got) != 0 {
		t.Errorf("unknown officer: %d shifts, %v", len(got), err)
	}
}

func TestOfficerShiftsSelection(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	o := officer(t, s, "west-valley-city", "SH1", "officer", 60)
	cust, site := customerAndSite(t, s, "Shifts Co")
	day := mustLocal("2026-12-08 10:00")
	var jobs []store.Job
	for i := range 4 {
		j := approvedJob(t, s, cust, site, day.AddDate(0, 0, i), 4, 1)
		if err := s.Assign(ctx, "dispatch", j.Positions[0].ID, o.ID, ""); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	// Job 1 cancelled, job 2's officer taken off: neither is the officer's shift.
	if _, err := s.Cancel(ctx, "dispatch", jobs[1].ID, testNow, "called off"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unassign(ctx, "dispatch", jobs[2].Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	ids := func(from time.Time) []int64 {
		t.Helper()
		got, err := s.OfficerShifts(ctx, "", o.ID, from, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, sh := range got {
			out = append(out, sh.JobID)
			if sh.JobStatus != store.StatusScheduled || sh.Slot != 1 || sh.Class != "officer" || sh.CustomerName != "Shifts Co" ||
				sh.SiteName != "Shifts Co site" || sh.SiteAddress != "1 Main St" || sh.AgencySlug != "west-valley-city" || sh.AgencyZone != seed.Zone {
				t.Errorf("shift %+v", sh)
			}
		}
		return out
	}
	eq := func(what string, got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: jobs %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: jobs %v, want %v", what, got, want)
				return
			}
		}
	}
	eq("from the clock", ids(testNow), jobs[0].ID, jobs[3].ID)
	// A shift that has started is listed until its end, which is not "after" itself.
	eq("mid-shift", ids(jobs[0].Start.Add(time.Hour)), jobs[0].ID, jobs[3].ID)
	eq("a minute before the end", ids(jobs[0].End.Add(-time.Minute)), jobs[0].ID, jobs[3].ID)
	eq("at the end", ids(jobs[0].End), jobs[3].ID)
	eq("after the last", ids(jobs[3].End))
}

func TestOfficerByBadge(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	wv := officer(t, s, "west-valley-city", "K9-7", "officer", 40)
	gv := officer(t, s, "grantsville", "k9-7", "officer", 40)
	other := officer(t, s, "grantsville", "K9-8", "officer", 40)
	for _, badge := range []string{"K9-7", "k9-7", "  K9-7 "} {
		got, err := s.OfficerByBadge(ctx, badge)
		if err != nil || len(got) != 2 {
			t.Fatalf("OfficerByBadge(%q) = %d officers, %v", badge, len(got), err)
		}
		if got[0].ID == got[1].ID || (got[0].ID != wv.ID && got[0].ID != gv.ID) || (got[1].ID != wv.ID && got[1].ID != gv.ID) {
			t.Errorf("OfficerByBadge(%q) = %d, %d", badge, got[0].ID, got[1].ID)
		}
	}
	if got, err := s.OfficerByBadge(ctx, "k9-8"); err != nil || len(got) != 1 || got[0].ID != other.ID || got[0].AgencySlug != "grantsville" {
		t.Errorf("OfficerByBadge(k9-8) = %+v, %v", got, err)
	}
	for _, badge := range []string{"K9", "", "K9-7%", "%"} {
		if got, err := s.OfficerByBadge(ctx, badge); err != nil || len(got) != 0 {
			t.Errorf("OfficerByBadge(%q) = %d officers, %v", badge, len(got), err)
		}
	}
	if o, err := s.OfficerByID(ctx, gv.ID); err != nil || o.Badge != "k9-7" || o.AgencySlug != "grantsville" {
		t.Errorf("OfficerByID(%d) = %+v, %v", gv.ID, o, err)
	}
	if _, err := s.OfficerByID(ctx, 1<<40); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("OfficerByID(missing): %v", err)
	}
}
