package store_test

import (
	"context"
	"fmt"
	"testing"

	"offduty/pricing"
	"offduty/store"
)

// Editing a requested job rebuilds its positions as deleting and inserting
// them would (slots 1..n, officers then the supervisor, the new times, all
// open), but keeps the rows it can, slot by slot: deleting a position makes
// SQLite's foreign-key check probe every invoice line, which at years of
// history costs about 0.1 s a position.
func TestEditKeepsPositionRows(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Edit Co")
	j := wvcJob(t, s, cust, site, "2027-01-20 10:00", "2027-01-20 14:00", now())
	if len(j.Positions) != 1 {
		t.Fatalf("new job: %d positions", len(j.Positions))
	}
	first := j.Positions[0].ID
	wvcJob(t, s, cust, site, "2027-01-21 10:00", "2027-01-21 14:00", now()) // positions after this job's: new rows would get new ids
	shape := func(j store.Job) string {
		out := ""
		for _, p := range j.Positions {
			out += fmt.Sprintf("%d:%s:%s-%s:%s:%d ", p.Slot, p.Class, p.Start.In(denver()).Format("15:04"), p.End.In(denver()).Format("15:04"), p.Status, p.OfficerID)
		}
		return out
	}
	edit := func(officers int, start, end string) store.Job {
		t.Helper()
		in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal(start), End: mustLocal(end),
			Officers: officers, Venue: pricing.VenueRetail}
		if err := s.UpdateJob(ctx, "dispatch", j.ID, in); err != nil {
			t.Fatal(err)
		}
		return job(t, s, j.ID)
	}

	// Up to 5 officers: 5 officers and a supervisor, the first row kept.
	e := edit(5, "2027-01-20 18:00", "2027-01-20 23:00")
	if got, want := shape(e), "1:officer:18:00-23:00:open:0 2:officer:18:00-23:00:open:0 3:officer:18:00-23:00:open:0 4:officer:18:00-23:00:open:0 5:officer:18:00-23:00:open:0 6:supervisor:18:00-23:00:open:0 "; got != want {
		t.Errorf("edited to 5 officers:\n got %s\nwant %s", got, want)
	}
	if e.Positions[0].ID != first {
		t.Errorf("slot 1 is position %d, want the job's own %d kept", e.Positions[0].ID, first)
	}
	kept := []int64{}
	for _, p := range e.Positions {
		kept = append(kept, p.ID)
	}

	// Down to 2: the first two rows kept with the new times, the rest gone.
	e = edit(2, "2027-01-20 08:00", "2027-01-20 12:30")
	if got, want := shape(e), "1:officer:08:00-12:30:open:0 2:officer:08:00-12:30:open:0 "; got != want {
		t.Errorf("edited to 2 officers:\n got %s\nwant %s", got, want)
	}
	if len(e.Positions) == 2 && (e.Positions[0].ID != kept[0] || e.Positions[1].ID != kept[1]) {
		t.Errorf("positions %d, %d; want %d, %d kept", e.Positions[0].ID, e.Positions[1].ID, kept[0], kept[1])
	}
	var n int
	if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM positions WHERE job_id = ?`, j.ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d position rows left for the job (%v), want 2", n, err)
	}
	res, err := s.Check(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if len(r.Findings) > 0 {
			t.Errorf("check %s after the edits: %+v", r.Name, r.Findings)
		}
	}
}
