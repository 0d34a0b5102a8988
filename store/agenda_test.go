package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
)

// agendaView is what Agenda promises of a job: what the board and the
// calendar draw.
func agendaView(j store.Job) store.Job {
	out := store.Job{ID: j.ID, CustomerID: j.CustomerID, CustomerName: j.CustomerName, SiteID: j.SiteID, SiteName: j.SiteName,
		AgencyID: j.AgencyID, AgencySlug: j.AgencySlug, AgencyName: j.AgencyName, Start: j.Start, End: j.End,
		Officers: j.Officers, Supervisors: j.Supervisors, Vehicles: j.Vehicles, Venue: j.Venue, Status: j.Status,
		Bookable: j.Bookable, Filled: j.Filled}
	for _, p := range j.Positions {
		out.Positions = append(out.Positions, store.Position{ID: p.ID, JobID: p.JobID, Slot: p.Slot, Class: p.Class, OfficerID: p.OfficerID,
			Start: p.Start, End: p.End, Status: p.Status, CheckIn: p.CheckIn, CheckOut: p.CheckOut, Attendance: p.Attendance,
			NoShowOfficerID: p.NoShowOfficerID})
	}
	return out
}

func sameAgenda(t *testing.T, what string, got, full []store.Job) {
	t.Helper()
	if len(got) != len(full) {
		t.Fatalf("%s: Agenda has %d jobs, JobsWithPositions %d", what, len(got), len(full))
	}
	for i := range got {
		g, w := agendaView(got[i]), agendaView(full[i])
		if !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("%s job %d: %s-%s, want %s-%s", what, w.ID, g.Start, g.End, w.Start, w.End)
		}
		g.Start, g.End, w.Start, w.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if len(g.Positions) != len(w.Positions) {
			t.Errorf("%s job %d: %d positions, want %d", what, w.ID, len(g.Positions), len(w.Positions))
			continue
		}
		for k := range g.Positions {
			gp, wp := g.Positions[k], w.Positions[k]
			if !gp.Start.Equal(wp.Start) || !gp.End.Equal(wp.End) || !gp.CheckIn.Equal(wp.CheckIn) || !gp.CheckOut.Equal(wp.CheckOut) {
				t.Errorf("%s job %d position %d: times %+v, want %+v", what, w.ID, wp.ID, gp, wp)
			}
			gp.Start, gp.End, gp.CheckIn, gp.CheckOut = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			wp.Start, wp.End, wp.CheckIn, wp.CheckOut = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if gp != wp {
				t.Errorf("%s job %d position %d:\n got %+v\nwant %+v", what, w.ID, wp.ID, gp, wp)
			}
		}
		g.Positions, w.Positions = nil, nil
		if g.ID != w.ID || g.CustomerName != w.CustomerName || g.SiteName != w.SiteName || g.Status != w.Status || g.Filled != w.Filled ||
			g.Officers != w.Officers || g.Supervisors != w.Supervisors || g.AgencySlug != w.AgencySlug || g.Venue != w.Venue ||
			g.Bookable != w.Bookable || g.CustomerID != w.CustomerID || g.SiteID != w.SiteID || g.Vehicles != w.Vehicles {
			t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
		}
	}
}

// Agenda reads what JobsWithPositions reads of the fields it promises, day
// by day over the demo data (shifts worked, checked in and out, released
// early, held over, no-shows, cancelled, open and requested).
func TestAgendaMatchesJobsWithPositions(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	if err := seed.Demo(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	loc := testNow.Location()
	first := time.Date(testNow.Year(), testNow.Month(), testNow.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -60)
	jobs, positions, checked := 0, 0, 0
	for d := first; d.Before(first.AddDate(0, 0, 120)); d = d.AddDate(0, 0, 1) {
		got, err := s.Agenda(ctx, "", d, d.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		full, err := s.JobsWithPositions(ctx, "", d, d.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		sameAgenda(t, d.Format("2006-01-02"), got, full)
		jobs += len(got)
		for _, j := range got {
			positions += len(j.Positions)
			for _, p := range j.Positions {
				if !p.CheckIn.IsZero() {
					checked++
				}
			}
		}
	}
	if jobs < 50 || positions < jobs || checked == 0 {
		t.Fatalf("the demo gave %d jobs, %d positions, %d checked in: too little to compare", jobs, positions, checked)
	}
	// a span of several days, and one with nothing
	from := first.AddDate(0, 0, 55)
	got, err := s.Agenda(ctx, "", from, from.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.JobsWithPositions(ctx, "", from, from.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	sameAgenda(t, "a week", got, full)
	if got, err := s.Agenda(ctx, "", first.AddDate(-5, 0, 0), first.AddDate(-5, 0, 1)); err != nil || len(got) != 0 {
		t.Fatalf("Agenda of an empty day = %d jobs, %v", len(got), err)
	}
}

// A customer's agenda holds its own account's jobs only, as JobsWithPositions does.
func TestAgendaScope(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	from, to := mustLocal("2026-12-01 00:00"), mustLocal("2027-02-01 00:00")
	for _, actor := range []string{coraSSH, "cora", olgaSSH, samSSH, localActor} {
		got, err := w.s.Agenda(ctx, actor, from, to)
		if err != nil {
			t.Fatal(err)
		}
		full, err := w.s.JobsWithPositions(ctx, actor, from, to)
		if err != nil {
			t.Fatal(err)
		}
		sameAgenda(t, actor, got, full)
		want := sorted(append(slices.Clone(w.acmeJobs), w.otherJobs...)...)
		if actor == coraSSH || actor == "cora" {
			want = sorted(w.acmeJobs...)
		}
		if !slices.Equal(jobIDs(got), want) {
			t.Errorf("%s Agenda = %v, want %v", actor, jobIDs(got), want)
		}
	}
	_, err := w.s.Agenda(ctx, goneSSH, from, to)
	storeErr(t, err, store.EForbidden, "user")
}
