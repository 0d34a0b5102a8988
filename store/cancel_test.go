package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// fill assigns fresh officers to every position of j (sergeants, so any
// position will do) and returns the job, now scheduled.
func fill(t testing.TB, s *store.Store, j store.Job, prefix string) store.Job {
	t.Helper()
	for i, p := range j.Positions {
		o := officer(t, s, "west-valley-city", prefix+string(rune('A'+i)), "sergeant", 60)
		if err := s.Assign(context.Background(), "dispatch", p.ID, o.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	j = job(t, s, j.ID)
	if j.Status != store.StatusScheduled {
		t.Fatalf("filled job is %s", j.Status)
	}
	return j
}

func TestCancelFees(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Cancel Co")
	start := mustLocal("2026-12-08 10:00")

	for _, c := range []struct {
		name                  string
		start                 time.Time
		minutes, officers     int
		before                time.Duration // cancelled this long before the start (negative: after)
		progress              bool          // fill and start the job first
		total, admin, officer string
	}{
		// More than 72 h ahead: admin fee (7.00 of 57.00) x hours x positions.
		{"approved 100 h ahead", start, 240, 3, 100 * time.Hour, false, "84.00", "84.00", "0.00"},
		// Between 48 and 72 h: still the admin fee only.
		{"approved 60 h ahead", start, 240, 3, 60 * time.Hour, false, "84.00", "84.00", "0.00"},
		{"approved exactly 48 h ahead", start, 240, 3, 48 * time.Hour, false, "84.00", "84.00", "0.00"},
		// Inside 48 h: plus the officer share (50.00) for the 2-hour minimum, per position.
		{"approved 47:59 ahead", start, 240, 3, 48*time.Hour - time.Minute, false, "384.00", "84.00", "300.00"},
		// 5 officers + supervisor (admin 8.40, officer share 60.00), 10 h, inside 48 h:
		// admin 5 x 10 x 7.00 + 10 x 8.40 = 434.00; officers 5 x 2 x 50.00 + 2 x 60.00 = 620.00.
		{"scheduled with supervisor 24 h ahead", start, 600, 5, 24 * time.Hour, true, "1054.00", "434.00", "620.00"},
		// The minimum top-up is part of the original assignment: 1 h billed as 2 h.
		{"one-hour shift", start, 60, 1, 100 * time.Hour, false, "14.00", "14.00", "0.00"},
		// Holiday hours carry the holiday admin fee (10.50): 2 x (4 x 7.00 + 2 x 10.50).
		{"over Christmas Eve midnight", mustLocal("2026-12-23 20:00"), 360, 2, 100 * time.Hour, false, "98.00", "98.00", "0.00"},
		// A 24-hour shift: admin for the first 24 h.
		{"24-hour shift", start, 24 * 60, 1, 100 * time.Hour, false, "168.00", "168.00", "0.00"},
		// In progress, 3 h into a 6 h shift: admin 2 x 6 x 7.00, officer share for
		// the 3 h worked (more than the minimum): 2 x 3 x 50.00.
		{"in progress, 3 h worked", start, 360, 2, -3 * time.Hour, true, "384.00", "84.00", "300.00"},
		// In progress, 1 h worked: the 2 h minimum is more.
		{"in progress, 1 h worked", start, 360, 2, -time.Hour, true, "284.00", "84.00", "200.00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
				Start: c.start, End: c.start.Add(time.Duration(c.minutes) * time.Minute), Officers: c.officers, Venue: pricing.VenueRetail, Received: testNow})
			if err != nil {
				t.Fatal(err)
			}
			id := ids[0]
			if err := s.Approve(ctx, "dispatch", id); err != nil {
				t.Fatal(err)
			}
			if c.progress {
				fill(t, s, job(t, s, id), fmt.Sprintf("C%d-", id))
				if c.before < 0 {
					if err := s.Advance(ctx, "dispatch", id, store.StatusInProgress); err != nil {
						t.Fatal(err)
					}
				}
			}
			fee, err := s.Cancel(ctx, "dispatch", id, c.start.Add(-c.before), "customer called")
			if err != nil {
				t.Fatal(err)
			}
			if !fee.Total.Equal(dec(c.total)) || !fee.Admin.Equal(dec(c.admin)) || !fee.Officer.Equal(dec(c.officer)) {
				var lines []string
				for _, l := range fee.Lines {
					lines = append(lines, l.Describe()+" = "+l.Amount.StringFixed(2))
				}
				t.Errorf("fee %s (admin %s, officer %s), want %s (%s, %s); lines %q", fee.Total, fee.Admin, fee.Officer, c.total, c.admin, c.officer, lines)
			}
			j := job(t, s, id)
			if j.Status != store.StatusCancelled || !j.CancelFee.Valid || !j.CancelFee.Decimal.Equal(dec(c.total)) {
				t.Errorf("job after cancel: %s fee %v", j.Status, j.CancelFee)
			}
			for _, p := range j.Positions {
				if p.Status != "cancelled" {
					t.Errorf("position %d is %s", p.Slot, p.Status)
				}
			}
		})
	}

	// Before approval there is no fee, however late.
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 3, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	fee, err := s.Cancel(ctx, "dispatch", ids[0], start.Add(-time.Hour), "  \x1b[31mchanged\x1b[0m plans ")
	if err != nil {
		t.Fatal(err)
	}
	if !fee.Total.IsZero() || len(fee.Lines) != 0 {
		t.Errorf("requested job fee %s, lines %+v; want none", fee.Total, fee.Lines)
	}
	var stored, reason, at string
	if err := db.QueryRow(`SELECT cancel_fee, cancel_reason, cancelled_at FROM jobs WHERE id = ?`, ids[0]).Scan(&stored, &reason, &at); err != nil {
		t.Fatal(err)
	}
	if stored != "0.00" || reason != "changed plans" || at != "2026-12-08T16:00:00Z" {
		t.Errorf("stored fee %q reason %q at %q", stored, reason, at)
	}
	_, err = s.Cancel(ctx, "dispatch", ids[0], testNow, "again")
	storeErr(t, err, store.EConflict, "status")
	_, err = s.Cancel(ctx, "dispatch", 99999, testNow, "")
	storeErr(t, err, store.ENotFound, "job")
}

func TestCancelledShiftFreesTheOfficer(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Free Co")
	o := officer(t, s, "west-valley-city", "F1", "officer", 40)
	a := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	b := approvedJob(t, s, cust, site, mustLocal("2026-12-08 12:00"), 4, 1)
	if err := s.Assign(ctx, "dispatch", a.Positions[0].ID, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	storeErr(t, s.Assign(ctx, "dispatch", b.Positions[0].ID, o.ID, ""), store.EConflict, "officer")
	if _, err := s.Cancel(ctx, "dispatch", a.ID, testNow, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "dispatch", b.Positions[0].ID, o.ID, ""); err != nil {
		t.Errorf("officer still blocked by a cancelled shift: %v", err)
	}
	storeErr(t, s.Assign(ctx, "dispatch", a.Positions[0].ID, o.ID, ""), store.EConflict, "status")
}
