package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

func feeLines(f pricing.Fee) []string {
	var out []string
	for _, l := range f.Lines {
		out = append(out, l.Describe()+" = "+l.Amount.StringFixed(2))
	}
	return out
}

func checkFee(t *testing.T, f pricing.Fee, total, admin, officer string, lines ...string) {
	t.Helper()
	got := feeLines(f)
	if !f.Total.Equal(dec(total)) || !f.Admin.Equal(dec(admin)) || !f.Officer.Equal(dec(officer)) || strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("fee %s (admin %s, officer %s) lines\n  %s\nwant %s (%s, %s) lines\n  %s", f.Total, f.Admin, f.Officer, strings.Join(got, "\n  "),
			total, admin, officer, strings.Join(lines, "\n  "))
	}
}

// livePositions are the positions a job still has.
func livePositions(j store.Job) []store.Position {
	var out []store.Position
	for _, p := range j.Positions {
		if p.Status != "cancelled" {
			out = append(out, p)
		}
	}
	return out
}

// RULES.md "Cancellation and reduction" on whole jobs, priced from the job.
func TestCancelOrReduceWholeJob(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Whole Co")
	start := mustLocal("2026-12-08 10:00")
	for i, c := range []struct {
		name                  string
		hours, officers       int
		at                    time.Time
		inProgress            bool
		total, admin, officer string
		lines                 []string
	}{
		{"72 h ahead: admin fee only", 4, 2, start.Add(-72 * time.Hour), false, "56.00", "56.00", "0.00",
			[]string{"admin fee, first 24 h: 2 officers x 4:00 h x 7.00 = 56.00"}},
		{"12 h shift: admin for all 12 h", 12, 2, start.Add(-100 * time.Hour), false, "168.00", "168.00", "0.00",
			[]string{"admin fee, first 24 h: 2 officers x 12:00 h x 7.00 = 168.00"}},
		{"47 h ahead: plus the officer share for the minimum", 4, 2, start.Add(-47 * time.Hour), false, "256.00", "56.00", "200.00",
			[]string{"admin fee, first 24 h: 2 officers x 4:00 h x 7.00 = 56.00", "officer share inside 48 h: 2 officers x 2:00 h x 50.00 = 200.00"}},
		{"in progress, 5 h worked of 8", 8, 2, start.Add(5 * time.Hour), true, "612.00", "112.00", "500.00",
			[]string{"admin fee, first 24 h: 2 officers x 8:00 h x 7.00 = 112.00", "officer share inside 48 h: 2 officers x 5:00 h x 50.00 = 500.00"}},
		{"in progress, 30 min worked: the minimum", 8, 1, start.Add(30 * time.Minute), true, "156.00", "56.00", "100.00",
			[]string{"admin fee, first 24 h: 1 officer x 8:00 h x 7.00 = 56.00", "officer share inside 48 h: 1 officer x 2:00 h x 50.00 = 100.00"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := approvedJob(t, s, cust, site, start, c.hours, c.officers)
			if c.inProgress {
				j = fill(t, s, j, "WH"+strconv.Itoa(i))
				atLeast(t, start) // the officer arrives at the start
				if err := s.CheckIn(ctx, "field", j.Positions[0].ID, start); err != nil {
					t.Fatal(err)
				}
			}
			plan := store.CancelPlan{JobID: j.ID, At: c.at, Reason: "customer called"}
			preview, err := s.PreviewCancel(ctx, plan)
			if err != nil {
				t.Fatal(err)
			}
			fee, err := s.CancelOrReduce(ctx, "dispatch", plan)
			if err != nil {
				t.Fatal(err)
			}
			checkFee(t, fee, c.total, c.admin, c.officer, c.lines...)
			checkFee(t, preview, c.total, c.admin, c.officer, c.lines...)
			got := job(t, s, j.ID)
			if got.Status != store.StatusCancelled || !got.CancelFee.Valid || !got.CancelFee.Decimal.Equal(dec(c.total)) || len(livePositions(got)) != 0 {
				t.Errorf("after cancel: %s fee %v, %d live positions", got.Status, got.CancelFee, len(livePositions(got)))
			}
			x, err := s.Extras(ctx, localActor, j.ID)
			if err != nil || len(x.Fees) != 1 || x.Fees[0].Kind != "cancel" || x.Fees[0].Total != c.total || !x.Fees[0].At.Equal(c.at) {
				t.Errorf("fee rows %+v, %v", x.Fees, err)
			}
		})
	}
}

// Reducing 5 officers to 3 at West Valley City takes the supervisor away too
// (under the threshold of 5), charges what was removed and re-prices the rest.
func TestReduceFiveToThree(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Reduce Co")
	start := mustLocal("2026-12-08 10:00")
	for _, c := range []struct {
		name                  string
		at                    time.Time
		total, admin, officer string
		lines                 []string
	}{
		{"100 h ahead", start.Add(-100 * time.Hour), "89.60", "89.60", "0.00", []string{
			"admin fee, first 24 h: 2 officers x 4:00 h x 7.00 = 56.00",
			"admin fee, first 24 h: 1 supervisor x 4:00 h x 8.40 = 33.60"}},
		{"24 h ahead", start.Add(-24 * time.Hour), "409.60", "89.60", "320.00", []string{
			"admin fee, first 24 h: 2 officers x 4:00 h x 7.00 = 56.00",
			"officer share inside 48 h: 2 officers x 2:00 h x 50.00 = 200.00",
			"admin fee, first 24 h: 1 supervisor x 4:00 h x 8.40 = 33.60",
			"officer share inside 48 h: 1 supervisor x 2:00 h x 60.00 = 120.00"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := approvedJob(t, s, cust, site, start, 4, 5)
			if !j.Total.Equal(dec("1413.60")) || len(j.Positions) != 6 {
				t.Fatalf("job total %s, %d positions", j.Total, len(j.Positions))
			}
			fee, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: c.at, Officers: 2, Reason: "smaller crowd"})
			if err != nil {
				t.Fatal(err)
			}
			checkFee(t, fee, c.total, c.admin, c.officer, c.lines...)
			got := job(t, s, j.ID)
			// 3 officers x 4 h x 57.00, no supervisor any more.
			if got.Status != store.StatusApproved || got.Officers != 3 || got.Supervisors != 0 || !got.Total.Equal(dec("684.00")) ||
				got.Quote.Total != "684.00" || got.Quote.Officers != 3 || got.Quote.Supervisors != 0 {
				t.Errorf("after reduce: %s, %d officers %d supervisors, total %s, quote %s (%d+%d)", got.Status, got.Officers, got.Supervisors,
					got.Total, got.Quote.Total, got.Quote.Officers, got.Quote.Supervisors)
			}
			live := livePositions(got)
			if len(live) != 3 || live[0].Slot != 1 || live[2].Slot != 3 || got.Positions[5].Status != "cancelled" || got.Positions[5].Class != "supervisor" {
				t.Errorf("positions after reduce: %+v", got.Positions)
			}
			if !got.CancelFee.Valid || !got.CancelFee.Decimal.Equal(dec(c.total)) {
				t.Errorf("cancel_fee %v, want %s", got.CancelFee, c.total)
			}
			if n := count(t, db, `SELECT count(*) FROM job_fees WHERE job_id = ? AND kind = 'reduce' AND total = ?`, j.ID, c.total); n != 1 {
				t.Errorf("%d reduce fee rows", n)
			}
			audit, err := s.Audit(ctx, store.AuditFilter{JobID: j.ID, Limit: 1})
			if err != nil || len(audit) != 1 || audit[0].Action != "reduce" || audit[0].Before != "5 officers, 1 supervisors" ||
				audit[0].After != "3 officers, 0 supervisors, fee "+c.total+"; reason: smaller crowd" {
				t.Errorf("audit %+v, %v", audit, err)
			}
		})
	}

	// 6 -> 5 stays at the threshold: the supervisor stays.
	j := approvedJob(t, s, cust, site, start, 4, 6)
	fee, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: start.Add(-100 * time.Hour), Officers: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkFee(t, fee, "28.00", "28.00", "0.00", "admin fee, first 24 h: 1 officer x 4:00 h x 7.00 = 28.00")
	if got := job(t, s, j.ID); got.Officers != 5 || got.Supervisors != 1 || !got.Total.Equal(dec("1413.60")) || len(livePositions(got)) != 6 {
		t.Errorf("6 -> 5: %d officers %d supervisors total %s", got.Officers, got.Supervisors, got.Total)
	}
	// Asking to remove more officers than the job has, or fewer than none.
	for _, n := range []int{-1, 6} {
		_, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: testNow, Officers: n})
		storeErr(t, err, store.EInvalid, "positions")
	}
	// Removing every officer is a cancellation.
	fee, err = s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: start.Add(-100 * time.Hour), Officers: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := job(t, s, j.ID); got.Status != store.StatusCancelled || len(livePositions(got)) != 0 || !fee.Total.Equal(dec("173.60")) {
		t.Errorf("removing all: %s, %d live, fee %s", got.Status, len(livePositions(got)), fee.Total)
	}
}

func TestReduceRemovesOpenPositionsFirst(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Open First Co")
	start := mustLocal("2026-12-08 10:00")
	j := approvedJob(t, s, cust, site, start, 4, 4)
	o1 := officer(t, s, "west-valley-city", "OF1", "officer", 40)
	o3 := officer(t, s, "west-valley-city", "OF3", "officer", 40)
	if err := s.Assign(ctx, "dispatch", j.Positions[1].ID, o1.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "dispatch", j.Positions[3].ID, o3.ID, ""); err != nil {
		t.Fatal(err)
	}
	// Two open (slots 1 and 3) go first, then the latest filled (slot 4).
	if _, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: testNow, Officers: 3}); err != nil {
		t.Fatal(err)
	}
	got := job(t, s, j.ID)
	status := map[int]string{}
	for _, p := range got.Positions {
		status[p.Slot] = p.Status
	}
	if status[1] != "cancelled" || status[2] != "assigned" || status[3] != "cancelled" || status[4] != "cancelled" {
		t.Errorf("slot statuses %v, want only slot 2 (filled, earliest) left", status)
	}
	// What remains is fully staffed: the job is scheduled.
	if got.Status != store.StatusScheduled || got.Officers != 1 || got.Filled != 1 || !got.Total.Equal(dec("228.00")) {
		t.Errorf("after reduce: %s, %d officers, %d filled, total %s", got.Status, got.Officers, got.Filled, got.Total)
	}
	// The removed officer is free for the same hours.
	other := approvedJob(t, s, cust, site, start, 4, 1)
	if err := s.Assign(ctx, "dispatch", other.Positions[0].ID, o3.ID, ""); err != nil {
		t.Errorf("officer of a removed position still booked: %v", err)
	}
}

func TestReduceNeverRemovesCheckedIn(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Checked In Co")
	start := mustLocal("2026-12-08 10:00")
	j := fill(t, s, approvedJob(t, s, cust, site, start, 4, 3), "CI")
	atLeast(t, start)
	for _, p := range j.Positions[1:] {
		if err := s.CheckIn(ctx, "field", p.ID, start); err != nil {
			t.Fatal(err)
		}
	}
	// Slot 1 is the only one not checked in: it goes, though slots 2 and 3 are later.
	fee, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: start.Add(time.Hour), Officers: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := job(t, s, j.ID)
	if got.Positions[0].Status != "cancelled" || got.Positions[1].Status != "assigned" || got.Positions[2].Status != "assigned" ||
		got.Status != store.StatusInProgress || got.Officers != 2 {
		t.Errorf("after reduce: %s, %d officers, %+v", got.Status, got.Officers, got.Positions)
	}
	checkFee(t, fee, "128.00", "28.00", "100.00",
		"admin fee, first 24 h: 1 officer x 4:00 h x 7.00 = 28.00", "officer share inside 48 h: 1 officer x 2:00 h x 50.00 = 100.00")
	// Everyone left has checked in: nothing more can be removed, and nothing is written.
	before := count(t, db, `SELECT count(*) FROM job_fees`)
	// The preview says so too, before anyone confirms.
	_, err = s.PreviewCancel(ctx, store.CancelPlan{JobID: j.ID, At: start.Add(time.Hour), Officers: 1})
	storeErr(t, err, store.EConflict, "positions")
	_, err = s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: start.Add(time.Hour), Officers: 1})
	e := storeErr(t, err, store.EConflict, "positions")
	if !strings.Contains(e.Message, "checked in") {
		t.Errorf("refusal %q", e.Message)
	}
	if after := count(t, db, `SELECT count(*) FROM job_fees`); after != before {
		t.Errorf("a refused reduction wrote %d fee rows", after-before)
	}
	if got := job(t, s, j.ID); got.Officers != 2 || !got.CancelFee.Decimal.Equal(dec("128.00")) {
		t.Errorf("refused reduction changed the job: %d officers, fee %v", got.Officers, got.CancelFee)
	}
}

// PreviewCancel gives the fee that applying the plan charges, and writes nothing.
func TestPreviewCancelWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Preview Co")
	start := mustLocal("2026-12-08 10:00")
	j := approvedJob(t, s, cust, site, start, 4, 5)
	snapshot := func() string {
		var status, total, updated, fee string
		if err := db.QueryRow(`SELECT status, total, updated_at, coalesce(CAST(cancel_fee AS text), '-') FROM jobs WHERE id = ?`, j.ID).Scan(&status, &total, &updated, &fee); err != nil {
			t.Fatal(err)
		}
		return strings.Join([]string{status, total, updated, fee,
			strconv.Itoa(count(t, db, `SELECT count(*) FROM audit`)), strconv.Itoa(count(t, db, `SELECT count(*) FROM job_fees`)),
			strconv.Itoa(count(t, db, `SELECT count(*) FROM positions WHERE status = 'cancelled'`))}, "|")
	}
	for _, plan := range []store.CancelPlan{
		{JobID: j.ID, At: start.Add(-30 * time.Hour), Officers: 2},
		{JobID: j.ID, At: start.Add(-30 * time.Hour)},
	} {
		before := snapshot()
		preview, err := s.PreviewCancel(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.PreviewCancel(ctx, plan); err != nil || !again.Total.Equal(preview.Total) {
			t.Errorf("second preview %s, %v", again.Total, err)
		}
		if after := snapshot(); after != before {
			t.Errorf("preview wrote: %s -> %s", before, after)
		}
		fee, err := s.CancelOrReduce(ctx, "dispatch", plan)
		if err != nil {
			t.Fatal(err)
		}
		if !fee.Total.Equal(preview.Total) || strings.Join(feeLines(fee), "\n") != strings.Join(feeLines(preview), "\n") || preview.Total.IsZero() {
			t.Errorf("preview %s %q, applied %s %q", preview.Total, feeLines(preview), fee.Total, feeLines(fee))
		}
	}
	_, err := s.PreviewCancel(ctx, store.CancelPlan{JobID: j.ID, At: testNow})
	storeErr(t, err, store.EConflict, "status")
	_, err = s.PreviewCancel(ctx, store.CancelPlan{JobID: 99999, At: testNow})
	storeErr(t, err, store.ENotFound, "job")
}

// jobs.cancel_fee is always the sum of the job's fee rows.
func TestCancelFeeIsTheSumOfFees(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Sum Co")
	start := mustLocal("2026-12-08 10:00")
	j := approvedJob(t, s, cust, site, start, 4, 5)
	at := start.Add(-100 * time.Hour)
	r, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: at, Officers: 2})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Cancel(ctx, "dispatch", j.ID, at.Add(time.Hour), "called off")
	if err != nil {
		t.Fatal(err)
	}
	// The cancellation charges what was left: 3 officers x 4 h x 7.00.
	checkFee(t, r, "89.60", "89.60", "0.00", "admin fee, first 24 h: 2 officers x 4:00 h x 7.00 = 56.00",
		"admin fee, first 24 h: 1 supervisor x 4:00 h x 8.40 = 33.60")
	checkFee(t, c, "84.00", "84.00", "0.00", "admin fee, first 24 h: 3 officers x 4:00 h x 7.00 = 84.00")
	got := job(t, s, j.ID)
	if !got.CancelFee.Valid || !got.CancelFee.Decimal.Equal(dec("173.60")) || got.Status != store.StatusCancelled {
		t.Errorf("cancel_fee %v status %s, want 173.60 cancelled", got.CancelFee, got.Status)
	}
	var stored string
	if err := db.QueryRow(`SELECT cancel_fee FROM jobs WHERE id = ?`, j.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT total FROM job_fees WHERE job_id = ?`, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := dec("0")
	for rows.Next() {
		var total string
		if err := rows.Scan(&total); err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(dec(total))
	}
	rows.Close()
	if stored != "173.60" || sum.StringFixed(2) != stored {
		t.Errorf("stored cancel_fee %s, fee rows add up to %s", stored, sum.StringFixed(2))
	}
	x, err := s.Extras(ctx, localActor, j.ID)
	if err != nil || len(x.Fees) != 2 || x.Fees[0].Kind != "reduce" || x.Fees[1].Kind != "cancel" || x.Fees[1].Total != "84.00" {
		t.Errorf("fees %+v, %v", x.Fees, err)
	}
}

// Before approval nothing is charged, for a cancellation or a reduction.
func TestRequestedJobNoFee(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Requested Co")
	start := mustLocal("2026-12-08 10:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 5, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	fee, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: ids[0], At: start.Add(-time.Hour), Officers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !fee.Total.IsZero() || len(fee.Lines) != 0 {
		t.Errorf("reduce before approval: %s %q", fee.Total, feeLines(fee))
	}
	if got := job(t, s, ids[0]); got.Status != store.StatusRequested || got.Officers != 4 || got.Supervisors != 0 || !got.Total.Equal(dec("912.00")) {
		t.Errorf("reduced request: %s %d+%d %s", got.Status, got.Officers, got.Supervisors, got.Total)
	}
	fee, err = s.Cancel(ctx, "dispatch", ids[0], start.Add(-time.Hour), "")
	if err != nil || !fee.Total.IsZero() || len(fee.Lines) != 0 {
		t.Errorf("cancel before approval: %s %q, %v", fee.Total, feeLines(fee), err)
	}
	if got := job(t, s, ids[0]); got.Status != store.StatusCancelled || !got.CancelFee.Decimal.IsZero() {
		t.Errorf("cancelled request: %s fee %v", got.Status, got.CancelFee)
	}
}
