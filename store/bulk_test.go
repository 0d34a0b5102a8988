package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// historyJob is a past West Valley City job of 5 officers (so a supervisor),
// priced with the card in force, done (its invoice makes it paid).
func historyJob(t *testing.T, s *store.Store, customer, site int64, officers []store.Officer) store.HistoryJob {
	t.Helper()
	ctx := context.Background()
	start := mustLocal("2026-07-04 18:00") // Independence Day: holiday rate
	received := start.Add(-10 * 24 * time.Hour)
	pa, err := s.Pricing(ctx, "west-valley-city", received)
	if err != nil {
		t.Fatal(err)
	}
	q, err := pa.Pricing.Quote(pricing.Request{Start: start, End: start.Add(5 * time.Hour), Officers: 5, Vehicles: 1, Venue: pricing.VenueEvent, Received: received})
	if err != nil {
		t.Fatal(err)
	}
	h := store.HistoryJob{CustomerID: customer, SiteID: site, AgencyID: pa.ID, RateCardID: pa.Card.ID, Quote: q, Status: store.StatusCompleted,
		ContactName: "Tom", PONumber: "PO-1", UpdatedAt: start.Add(40 * 24 * time.Hour)}
	for i := range q.Officers + q.Supervisors {
		class := "officer"
		if i >= q.Officers {
			class = "supervisor"
		}
		p := store.HistoryPosition{Class: class, OfficerID: officers[i].ID, Status: "assigned", CheckIn: q.Start.Add(-10 * time.Minute), CheckOut: q.End}
		if i == 0 {
			p.CheckOut, p.Attendance = q.End.Add(-time.Hour), pricing.AttendanceReleasedEarly
		}
		h.Positions = append(h.Positions, p)
	}
	return h
}

func TestImportHistory(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	wvc, err := s.AgencyBySlug(ctx, "west-valley-city")
	if err != nil {
		t.Fatal(err)
	}
	var officers []store.Officer
	for i, rank := range []string{"officer", "officer", "officer", "officer", "officer", "sergeant"} {
		o, err := s.CreateOfficer(ctx, "test", store.OfficerInput{AgencyID: wvc.ID, Badge: "B" + string(rune('1'+i)), FirstName: "Officer", LastName: string(rune('A' + i)),
			Rank: rank, WeeklyCapMinutes: 40 * 60, HiredOn: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		officers = append(officers, o)
	}
	c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Maverik Center"})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: c.ID, Name: "Arena"})
	if err != nil {
		t.Fatal(err)
	}
	done := historyJob(t, s, c.ID, site.ID, officers)

	cancelled := historyJob(t, s, c.ID, site.ID, officers)
	at := cancelled.Quote.Start.Add(-30 * time.Hour)
	fee, err := pricing.CancellationFee(pricing.Cancellation{Quote: cancelled.Quote, Minimum: 120, Approved: true, At: at,
		Officers: cancelled.Quote.Officers, Supervisors: cancelled.Quote.Supervisors})
	if err != nil {
		t.Fatal(err)
	}
	cancelled.Status, cancelled.Cancel = store.StatusCancelled, &store.HistoryCancel{At: at, Reason: "weather", Fee: fee}
	for i := range cancelled.Positions {
		cancelled.Positions[i] = store.HistoryPosition{Class: cancelled.Positions[i].Class, Status: "cancelled"}
	}

	// Shapes it refuses, all or nothing.
	bad := func(mod func(h *store.HistoryJob)) store.HistoryJob {
		h := historyJob(t, s, c.ID, site.ID, officers)
		h.Positions = append([]store.HistoryPosition{}, h.Positions...)
		mod(&h)
		return h
	}
	for name, h := range map[string]store.HistoryJob{
		"requested":        bad(func(h *store.HistoryJob) { h.Status = store.StatusRequested }),
		"paid, no invoice": bad(func(h *store.HistoryJob) { h.Status = store.StatusPaid }),
		"missing position": bad(func(h *store.HistoryJob) { h.Positions = h.Positions[1:] }),
		"open position":    bad(func(h *store.HistoryJob) { h.Positions[2] = store.HistoryPosition{Class: "officer", Status: "open"} }),
		"wrong class":      bad(func(h *store.HistoryJob) { h.Positions[5].Class = "officer" }),
		"no cancellation":  bad(func(h *store.HistoryJob) { h.Status = store.StatusCancelled }),
		"no customer":      bad(func(h *store.HistoryJob) { h.CustomerID = 0 }),
	} {
		storeErr(t, s.ImportHistory(ctx, "seed", []store.HistoryJob{done, h}), store.EInvalid, "history")
		if n := count(t, db, `SELECT count(*) FROM jobs`); n != 0 {
			t.Fatalf("%s: %d jobs saved by a refused import", name, n)
		}
	}
	unknown := bad(func(h *store.HistoryJob) { h.Positions[0].OfficerID = 9999 })
	if err := s.ImportHistory(ctx, "seed", []store.HistoryJob{done, unknown}); err == nil {
		t.Fatal("an unknown officer was imported")
	}

	// Invoices it refuses: not the start of a period of the customer's
	// (monthly) cycle, paid but not issued, paid before issued, unknown customer.
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	for name, h := range map[string]store.HistoryInvoice{
		"mid-period":     {CustomerID: c.ID, PeriodStart: july.AddDate(0, 0, 3)},
		"never issued":   {CustomerID: c.ID, PeriodStart: july, PaidOn: july.AddDate(0, 1, 5)},
		"paid before":    {CustomerID: c.ID, PeriodStart: july, IssuedOn: july.AddDate(0, 1, 5), PaidOn: july.AddDate(0, 1, 1)},
		"no customer":    {PeriodStart: july},
		"other customer": {CustomerID: 9999, PeriodStart: july},
	} {
		err := s.ImportHistory(ctx, "seed", []store.HistoryJob{done}, h)
		if err == nil || (store.ErrorCode(err) != store.EInvalid && store.ErrorCode(err) != store.ENotFound) {
			t.Fatalf("%s: ImportHistory = %v, want refused", name, err)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs`) + count(t, db, `SELECT count(*) FROM invoices`); n != 0 {
			t.Fatalf("%s: %d rows saved by a refused import", name, n)
		}
	}

	// The job and the cancellation, with July's invoice: issued 1 Aug, paid 20 Aug.
	if err := s.ImportHistory(ctx, "seed", []store.HistoryJob{done, cancelled}, store.HistoryInvoice{CustomerID: c.ID, PeriodStart: july,
		IssuedOn: july.AddDate(0, 1, 0), PaidOn: july.AddDate(0, 1, 19), PaidRef: "ACH 1"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.JobsWithPositions(ctx, "", mustLocal("2026-07-04 00:00"), mustLocal("2026-07-05 00:00"))
	if err != nil || len(jobs) != 2 {
		t.Fatalf("JobsWithPositions = %d jobs, %v", len(jobs), err)
	}
	j, x := jobs[0], jobs[1]
	full, err := s.Job(ctx, "", j.ID) // lists leave the saved quote out; the job has it
	if err != nil {
		t.Fatal(err)
	}
	j.Quote = full.Quote
	snap, _ := json.Marshal(done.Quote)
	var want pricing.Snapshot
	json.Unmarshal(snap, &want)
	if j.Status != store.StatusPaid || !j.Total.Equal(done.Quote.Total) || j.Supervisors != 1 || j.Officers != 5 || j.Vehicles != 1 ||
		j.RateCardID != done.RateCardID || !j.Received.Equal(done.Quote.Received) || j.Filled != 6 || len(j.Positions) != 6 ||
		j.Quote.Total != want.Total || len(j.Quote.Lines) != len(want.Lines) || j.CreatedBy != "seed" || !j.CreatedAt.Equal(done.Quote.Received) {
		t.Errorf("imported job = %+v", j)
	}
	if p := j.Positions[0]; p.OfficerID != officers[0].ID || p.Attendance != pricing.AttendanceReleasedEarly || !p.CheckOut.Equal(done.Quote.End.Add(-time.Hour)) ||
		!p.Start.Equal(done.Quote.Start) || p.Slot != 1 {
		t.Errorf("position 1 = %+v", p)
	}
	if p := j.Positions[5]; p.Class != "supervisor" || p.OfficerID != officers[5].ID || p.Slot != 6 {
		t.Errorf("position 6 = %+v", p)
	}
	if x.Status != store.StatusCancelled || !x.CancelFee.Valid || !x.CancelFee.Decimal.Equal(fee.Total) || x.Filled != 0 {
		t.Errorf("cancelled job = %+v", x)
	}
	if n := count(t, db, `SELECT count(*) FROM job_fees WHERE job_id = ? AND kind = 'cancel' AND total = ?`, x.ID, fee.Total.StringFixed(2)); n != 1 {
		t.Errorf("%d cancellation fees kept", n)
	}
	if n := count(t, db, `SELECT count(*) FROM jobs WHERE id = ? AND cancel_reason = 'weather' AND cancelled_at IS NOT NULL`, x.ID); n != 1 {
		t.Error("cancellation not recorded")
	}
	if n := count(t, db, `SELECT count(*) FROM audit WHERE entity = 'history' AND action = 'import' AND actor = 'seed'`); n != 1 {
		t.Errorf("%d audit entries for the import, want 1", n)
	}
	// The invoice bills what GenerateInvoices would have billed: six
	// positions (the released-early one the full shift), the vehicle and
	// the fee, on a paid invoice numbered 2026-000001.
	invs, err := s.Invoices(ctx, "", store.InvoiceFilter{CustomerID: c.ID})
	if err != nil || len(invs) != 1 {
		t.Fatalf("Invoices = %d, %v", len(invs), err)
	}
	inv, err := s.Invoice(ctx, "", invs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// 5 h on Independence Day: officers at the holiday rate 85.50 (427.50
	// each), the supervisor too (85.50 beats 68.40), the vehicle at 1.14 x 5
	// h = 5.70, and the cancellation fee.
	wantTotal := dec("427.50").Mul(dec("6")).Add(dec("5.70")).Add(fee.Total)
	if inv.Number != "2026-000001" || inv.State != store.InvoicePaid || !inv.Total.Equal(wantTotal) || len(inv.Lines) != 8 ||
		inv.IssuedOn.Format("2006-01-02") != "2026-08-01" || inv.DueOn.Format("2006-01-02") != "2026-08-31" ||
		inv.PaidOn.Format("2006-01-02") != "2026-08-20" || inv.PaidRef != "ACH 1" {
		t.Errorf("imported invoice = %+v, want total %s", inv, wantTotal)
	}
	kinds := map[string]int{}
	for _, l := range inv.Lines {
		kinds[l.Kind]++
		if l.Kind == "shift" && (l.Minutes != 300 || !l.Rate.Equal(dec("85.50")) || l.Basis != pricing.BasisHoliday) {
			t.Errorf("shift line %+v: want 5 h at the holiday rate", l)
		}
	}
	if kinds["shift"] != 6 || kinds["vehicle"] != 1 || kinds["fee"] != 1 {
		t.Errorf("lines by kind %v", kinds)
	}
	// A second generation finds nothing left to bill; counters continue.
	if again, err := s.GenerateInvoices(ctx, "test", july, c.ID, false); err != nil || len(again) != 0 {
		t.Errorf("GenerateInvoices after the import = %d invoices, %v", len(again), err)
	}
	if n := count(t, db, `SELECT last FROM invoice_counters WHERE year = 2026`); n != 1 {
		t.Errorf("counter = %d", n)
	}

	// Ids keep counting after an import.
	ids, err := s.CreateJobs(ctx, "test", store.JobInput{CustomerID: c.ID, SiteID: site.ID, Agency: "west-valley-city", Start: mustLocal("2026-12-20 10:00"),
		End: mustLocal("2026-12-20 14:00"), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil || ids[0] != x.ID+1 {
		t.Fatalf("CreateJobs after import = %v, %v; want id %d", ids, err, x.ID+1)
	}
}
