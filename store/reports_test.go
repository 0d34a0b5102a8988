package store_test

import (
	"context"
	"database/sql"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// TestGini checks the coefficient against values worked out by hand: the
// mean absolute difference of every ordered pair over twice the mean.
func TestGini(t *testing.T) {
	for _, c := range []struct {
		values []float64
		want   float64
	}{
		{nil, 0},
		{[]float64{5, 5, 5}, 0},
		{[]float64{0, 0, 0}, 0},
		// 1, 2, 3, 4: the 12 ordered pairs differ by 1,2,3,1,2,1 twice = 20;
		// mean difference 20/16 = 1.25; mean 2.5: G = 1.25 / 5 = 0.25.
		{[]float64{4, 1, 3, 2}, 0.25},
		// One of four holds everything: G = (n-1)/n = 0.75.
		{[]float64{0, 10, 0, 0}, 0.75},
		// 2 and 6: pairs differ by 4 twice = 8 over 4 = 2; mean 4: G = 2/8 = 0.25.
		{[]float64{2, 6}, 0.25},
		// 10, 20, 30, 40, 100 (hours): pair sum 2*(10+20+30+90+10+20+80+10+70+60) = 800;
		// mean difference 800/25 = 32; mean 40: G = 32/80 = 0.4.
		{[]float64{100, 10, 40, 30, 20}, 0.4},
	} {
		if got := store.Gini(c.values); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Gini(%v) = %v, want %v", c.values, got, c.want)
		}
	}
}

// Reports are a supervisor's: a dispatcher over SSH is refused each of
// them, and an unknown agency or a period that ends before it begins are
// invalid input.
func TestReportsNeedASupervisor(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	for _, u := range []struct{ name, role string }{{"dana", store.RoleDispatcher}, {"sam", store.RoleSupervisor}} {
		if _, err := s.CreateUser(ctx, "admin", u.name, u.role, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := store.ReportFilter{From: day(t, "2026-11-01"), To: day(t, "2026-12-01")}
	run := func(actor string, f store.ReportFilter) map[string]error {
		out := map[string]error{}
		_, out["revenue"] = s.Revenue(ctx, actor, f)
		_, out["receivables"] = s.Receivables(ctx, actor, f)
		_, out["fill"] = s.Fill(ctx, actor, f)
		_, out["fairness"] = s.Fairness(ctx, actor, f)
		_, out["compliance"] = s.Compliance(ctx, actor, f)
		return out
	}
	for name, err := range run(store.SSHActor("dana"), f) {
		if store.ErrorCode(err) != store.EForbidden || !strings.Contains(err.Error(), "needs a supervisor") {
			t.Errorf("a dispatcher ran the %s report: %v", name, err)
		}
	}
	for name, err := range run(store.SSHActor("sam"), f) {
		if err != nil {
			t.Errorf("a supervisor could not run the %s report: %v", name, err)
		}
	}
	for name, err := range run("", store.ReportFilter{From: f.From, To: f.To, Agency: "nowhere"}) {
		if store.ErrorCode(err) != store.ENotFound || !strings.Contains(err.Error(), "west-valley-city") {
			t.Errorf("%s for an unknown agency: %v", name, err)
		}
	}
	for name, err := range run("", store.ReportFilter{From: f.To, To: f.From}) {
		if store.ErrorCode(err) != store.EInvalid {
			t.Errorf("%s over a period that ends before it begins: %v", name, err)
		}
	}
}

// reportWorld is a generated year of history (seed.History, as
// TestReconcileHistory makes it), then, after it, a December of shifts
// made through the interactive methods: overrides of each cap rule (one of
// them unassigned since), a rest kept as booked but broken as worked, a
// no-show, and the audit of approvals and staffing.
type reportWorld struct {
	s      *store.Store
	db     *sql.DB
	hist   seed.HistoryStats
	from   time.Time // the history's first and last local days, civil
	to     time.Time
	loc    *time.Location
	rp1    store.Officer // overridden three times
	rp2    store.Officer // the rest broken as worked
	rp3    store.Officer // the no-show
	voided int64         // an invoice of the history voided
}

// TestReportsOverAYear checks the reports against the books of a
// generated year: revenue is the issued invoices, officer pay is payroll,
// the aging buckets add up to what is unpaid, the fill counts to the
// positions, and every override in the audit is in compliance. One
// database serves every subtest (generating it takes most of the time).
func TestReportsOverAYear(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year of history")
	}
	w := newReportWorld(t)
	t.Run("RevenueIsTheIssuedInvoices", func(t *testing.T) { testRevenueIsInvoices(t, w) })
	t.Run("OfficerPayIsPayroll", func(t *testing.T) { testOfficerPayIsPayroll(t, w) })
	t.Run("AgingAddsUpToUnpaid", func(t *testing.T) { testAgingAddsUp(t, w) })
	t.Run("FillCountsArePositions", func(t *testing.T) { testFillCounts(t, w) })
	t.Run("FairnessSharesThePay", func(t *testing.T) { testFairness(t, w) })
	t.Run("ComplianceHasEveryOverride", func(t *testing.T) { testComplianceOverrides(t, w) })
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	ctx := context.Background()
	s, path := seededStore(t)
	w := &reportWorld{s: s, db: rawDB(t, path), loc: denver()}
	began := time.Now()
	st, err := seed.History(ctx, s, testNow, 1, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	w.hist = st
	w.from = time.Date(st.From.Year(), st.From.Month(), st.From.Day(), 0, 0, 0, 0, time.UTC)
	w.to = time.Date(st.To.Year(), st.To.Month(), st.To.Day(), 0, 0, 0, 0, time.UTC)
	t.Logf("history %s to %s: %d jobs, %d positions in %s", w.from.Format("2006-01-02"), w.to.Format("2006-01-02"), st.Jobs, st.Positions,
		time.Since(began).Round(100*time.Millisecond))

	// Void one issued (unpaid) invoice of the last months: its shifts are on
	// no invoice again, and the pay reports price them as payroll does.
	if err := w.db.QueryRow(`SELECT id FROM invoices WHERE state = 'issued' AND period_start >= ? ORDER BY period_start, id LIMIT 1`,
		w.to.AddDate(0, -3, 0).Format("2006-01-02")).Scan(&w.voided); err != nil {
		t.Fatalf("no issued invoice to void: %v", err)
	}
	if err := s.VoidInvoice(ctx, "office", w.voided, "billed the wrong site"); err != nil {
		t.Fatal(err)
	}

	// December, through the interactive methods.
	cust, site := customerAndSite(t, s, "Report Co")
	w.rp1 = hiredOfficer(t, s, "west-valley-city", "RP1", "sergeant", 40, "2019-03-01")
	w.rp2 = hiredOfficer(t, s, "west-valley-city", "RP2", "officer", 40, "2019-03-01")
	w.rp3 = hiredOfficer(t, s, "west-valley-city", "RP3", "officer", 40, "2019-03-01")
	jobAt := func(start string, hours int) store.Job { // approved on the clock's day
		return approvedJob(t, s, cust, site, mustLocal(start), hours, 1)
	}
	assign := func(j store.Job, o store.Officer, override string) {
		t.Helper()
		if err := s.Assign(ctx, "dispatch", j.Positions[0].ID, o.ID, override); err != nil {
			t.Fatalf("assign %s to job %d: %v", o.Badge, j.ID, err)
		}
	}
	a := jobAt("2026-12-08 06:00", 8)
	b := jobAt("2026-12-08 18:00", 5)
	c := jobAt("2026-12-10 04:00", 17)
	d := jobAt("2026-12-12 06:00", 12)
	g := jobAt("2026-12-13 10:00", 4)
	e1 := jobAt("2026-12-14 08:00", 8)
	e2 := jobAt("2026-12-15 00:00", 6)
	f := jobAt("2026-12-16 10:00", 4)
	setClock(t, "2026-11-27 10:00") // staffed a day and an hour after approval
	assign(a, w.rp1, "")
	setClock(t, "2026-11-27 11:30")
	assign(b, w.rp1, "the customer asked for the same sergeant") // 4 h rest after a
	assign(c, w.rp1, "relief officer fell ill")                  // 17 h in a day
	assign(d, w.rp1, "holiday rush")                             // 42 h in the week
	assign(g, w.rp1, "one more shift")                           // 46 h: overridden, then unassigned
	if err := s.Unassign(ctx, "dispatch", g.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	// Two requests that cannot be booked: a bar (prohibited at West Valley)
	// in December, and Grantsville at 23 h notice (short notice, not a venue).
	for _, in := range []store.JobInput{
		{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-18 21:00"), End: mustLocal("2026-12-19 01:00"),
			Officers: 1, Venue: pricing.VenueAlcohol, Received: testNow},
		{CustomerID: cust, SiteID: site, Agency: "grantsville", Start: mustLocal("2026-11-27 08:00"), End: mustLocal("2026-11-27 12:00"),
			Officers: 1, Venue: pricing.VenueRetail, Received: testNow},
	} {
		ids, err := s.CreateJobs(ctx, "operator", in)
		if err != nil {
			t.Fatal(err)
		}
		if j := job(t, s, ids[0]); j.Bookable {
			t.Fatalf("job %d (%s) is bookable", j.ID, in.Venue)
		}
	}
	assign(e1, w.rp2, "")
	assign(e2, w.rp2, "") // exactly 8 h rest as booked
	assign(f, w.rp3, "")
	// RP2 is held over 45 min, then comes 5 min early: 7:10 h of rest as worked.
	at := func(s string) time.Time { return mustLocal(s) }
	for _, step := range []struct {
		when string
		do   func() error
	}{
		{"2026-12-14 08:00", func() error { return s.CheckIn(ctx, "field", e1.Positions[0].ID, at("2026-12-14 08:00")) }},
		{"2026-12-14 16:45", func() error { return s.CheckOut(ctx, "field", e1.Positions[0].ID, at("2026-12-14 16:45")) }},
		{"2026-12-14 23:55", func() error { return s.CheckIn(ctx, "field", e2.Positions[0].ID, at("2026-12-14 23:55")) }},
		{"2026-12-15 06:00", func() error { return s.CheckOut(ctx, "field", e2.Positions[0].ID, at("2026-12-15 06:00")) }},
		{"2026-12-16 10:30", func() error { return s.NoShow(ctx, "field", f.Positions[0].ID) }},
	} {
		setClock(t, step.when)
		if err := step.do(); err != nil {
			t.Fatalf("at %s: %v", step.when, err)
		}
	}
	return w
}

// sumInvoices is the total of the invoices issued (or since paid) on the
// days [from, to), straight from the table.
func (w *reportWorld) sumInvoices(t *testing.T, from, to time.Time) (decimal.Decimal, int) {
	t.Helper()
	rows, err := w.db.Query(`SELECT total FROM invoices WHERE state IN ('issued', 'paid') AND issued_on >= ? AND issued_on < ?`,
		from.Format("2006-01-02"), to.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sum, n := decimal.Zero, 0
	for rows.Next() {
		var total string
		if err := rows.Scan(&total); err != nil {
			t.Fatal(err)
		}
		sum, n = sum.Add(dec(total)), n+1
	}
	return sum, n
}

func testRevenueIsInvoices(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	year := store.ReportFilter{From: w.from, To: w.to.AddDate(0, 1, 0)}
	month := store.ReportFilter{From: time.Date(w.to.Year(), w.to.Month()-2, 1, 0, 0, 0, 0, time.UTC)}
	month.To = month.From.AddDate(0, 1, 0)
	for _, f := range []store.ReportFilter{year, month} {
		r, err := w.s.Revenue(ctx, "", f)
		if err != nil {
			t.Fatal(err)
		}
		want, n := w.sumInvoices(t, f.From, f.To)
		if !r.Total.Billed.Equal(want) || r.Total.Invoices != n || n == 0 {
			t.Errorf("%s to %s: billed %s on %d invoices; the issued invoices total %s on %d", f.From.Format("2006-01-02"), f.To.Format("2006-01-02"),
				r.Total.Billed, r.Total.Invoices, want, n)
		}
		if sum := r.Total.OfficerPay.Add(r.Total.AdminFees).Add(r.Total.CancelFees); !sum.Equal(r.Total.Billed) || r.Total.CancelFees.IsZero() {
			t.Errorf("officer pay %s + admin %s + fees %s = %s, billed %s", r.Total.OfficerPay, r.Total.AdminFees, r.Total.CancelFees, sum, r.Total.Billed)
		}
		// Every breakdown adds up to the total.
		for what, parts := range map[string][]store.RevenueTotal{"months": r.Months, "agencies": r.Agencies, "customers": r.Customers} {
			var sum store.RevenueTotal
			for _, p := range parts {
				sum.Billed, sum.OfficerPay = sum.Billed.Add(p.Billed), sum.OfficerPay.Add(p.OfficerPay)
				sum.AdminFees, sum.CancelFees = sum.AdminFees.Add(p.AdminFees), sum.CancelFees.Add(p.CancelFees)
			}
			if !sum.Billed.Equal(r.Total.Billed) || !sum.OfficerPay.Equal(r.Total.OfficerPay) || !sum.AdminFees.Equal(r.Total.AdminFees) ||
				!sum.CancelFees.Equal(r.Total.CancelFees) {
				t.Errorf("%s add up to %s (%s/%s/%s), total %s", what, sum.Billed, sum.OfficerPay, sum.AdminFees, sum.CancelFees, r.Total.Billed)
			}
		}
		rows := decimal.Zero
		for _, row := range r.Rows {
			rows = rows.Add(row.Billed)
			if !row.OfficerPay.Add(row.AdminFees).Add(row.CancelFees).Equal(row.Billed) {
				t.Errorf("row %s %d %s: parts do not add up", row.Month.Format("2006-01"), row.AgencyID, row.Customer)
			}
		}
		if !rows.Equal(r.Total.Billed) {
			t.Errorf("rows add up to %s, total %s", rows, r.Total.Billed)
		}
		if f == month && len(r.Months) != 1 {
			t.Errorf("%d months in a month", len(r.Months))
		}
		// Agency by agency, the two reports make the whole.
		split := decimal.Zero
		for _, a := range []string{"west-valley-city", "grantsville"} {
			g := f
			g.Agency = a
			ra, err := w.s.Revenue(ctx, "", g)
			if err != nil {
				t.Fatal(err)
			}
			split = split.Add(ra.Total.Billed)
			if len(ra.Pay) != 1 || ra.Pay[0].Agency.Slug != a {
				t.Errorf("pay of %s: %+v", a, ra.Pay)
			}
		}
		if !split.Equal(r.Total.Billed) {
			t.Errorf("the agencies' reports bill %s, all %s", split, r.Total.Billed)
		}
	}
}

// payPeriods are the pay periods covering the last months of the history
// (the periods still open at its end are on no invoice yet, and so is the
// voided invoice's work).
func (w *reportWorld) payPeriods(t *testing.T) (time.Time, time.Time) {
	t.Helper()
	ps, _, err := pricing.PeriodFrom(store.DefaultPayAnchor, store.DefaultPayDays, w.to.AddDate(0, 0, -100))
	if err != nil {
		t.Fatal(err)
	}
	return ps, ps.AddDate(0, 0, 7*store.DefaultPayDays) // seven periods, past the history's end
}

func testOfficerPayIsPayroll(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	from, to := w.payPeriods(t)
	total, minutes := decimal.Zero, 0
	perOfficer := map[int64]decimal.Decimal{}
	perOfficerMin := map[int64]int{}
	for d := from; d.Before(to); {
		p, err := w.s.Payroll(ctx, "", d)
		if err != nil {
			t.Fatal(err)
		}
		total = total.Add(p.Total)
		for _, op := range p.Officers {
			minutes += op.Minutes
			perOfficer[op.Officer.ID] = perOfficer[op.Officer.ID].Add(op.Total)
			perOfficerMin[op.Officer.ID] += op.Minutes
		}
		d = p.End
	}
	r, err := w.s.Revenue(ctx, "", store.ReportFilter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if !r.PayTotal.Pay.Equal(total) || r.PayTotal.Minutes != minutes || total.IsZero() {
		t.Errorf("%s to %s: revenue pays %s for %d min; payroll %s for %d min", from.Format("2006-01-02"), to.Format("2006-01-02"),
			r.PayTotal.Pay, r.PayTotal.Minutes, total, minutes)
	}
	fr, err := w.s.Fairness(ctx, "", store.ReportFilter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if !fr.Total.Equal(total) || fr.Minutes != minutes {
		t.Errorf("fairness pays %s for %d min; payroll %s for %d min", fr.Total, fr.Minutes, total, minutes)
	}
	for _, o := range fr.Officers {
		if want := perOfficer[o.Officer.ID]; !o.Pay.Equal(want) || o.Minutes != perOfficerMin[o.Officer.ID] {
			t.Errorf("%s (%s): fairness %s for %d min, payroll %s for %d min", o.Officer.Name(), o.Officer.Badge, o.Pay, o.Minutes, want, perOfficerMin[o.Officer.ID])
		}
	}
	// The voided invoice's work is in it, priced as payroll prices it.
	var unbilled int
	if err := w.db.QueryRow(`SELECT count(*) FROM invoice_lines WHERE invoice_id = ?`, w.voided).Scan(&unbilled); err != nil || unbilled == 0 {
		t.Fatalf("the voided invoice had %d lines: %v", unbilled, err)
	}
}

func testAgingAddsUp(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	for _, asOf := range []time.Time{w.to.AddDate(0, -6, 0), w.to.AddDate(0, 0, -1), w.to.AddDate(0, 0, 20)} {
		r, err := w.s.Receivables(ctx, "", store.ReportFilter{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		// Unpaid on that day, straight from the table.
		d := asOf.Format("2006-01-02")
		rows, err := w.db.Query(`SELECT total, due_on FROM invoices WHERE state IN ('issued', 'paid') AND issued_on <= ? AND (paid_on IS NULL OR paid_on > ?)`, d, d)
		if err != nil {
			t.Fatal(err)
		}
		want, n, overdue := decimal.Zero, 0, 0
		for rows.Next() {
			var total, due string
			if err := rows.Scan(&total, &due); err != nil {
				t.Fatal(err)
			}
			want, n = want.Add(dec(total)), n+1
			if due < d {
				overdue++
			}
		}
		rows.Close()
		buckets, counts := decimal.Zero, 0
		for i, b := range r.Buckets {
			buckets, counts = buckets.Add(b), counts+r.Counts[i]
		}
		if !buckets.Equal(want) || !r.Total.Equal(want) || counts != n || r.Invoices != n || n == 0 {
			t.Errorf("as of %s: buckets %s (%d invoices), total %s; unpaid %s (%d)", d, buckets, counts, r.Total, want, n)
		}
		accounts := decimal.Zero
		for _, a := range r.Accounts {
			accounts = accounts.Add(a.Total)
			sum := decimal.Zero
			for _, b := range a.Buckets {
				sum = sum.Add(b)
			}
			if !sum.Equal(a.Total) {
				t.Errorf("%s: buckets %s, total %s", a.Customer.Name, sum, a.Total)
			}
		}
		if !accounts.Equal(want) || len(r.Overdue) != overdue {
			t.Errorf("as of %s: accounts owe %s of %s; %d overdue listed of %d", d, accounts, want, len(r.Overdue), overdue)
		}
		for _, o := range r.Overdue {
			if o.DaysLate <= 0 || o.Customer.Phone == "" || o.Bucket == 0 {
				t.Errorf("overdue %s: %d days, bucket %d, phone %q", o.Number, o.DaysLate, o.Bucket, o.Customer.Phone)
			}
		}
	}
}

func testFillCounts(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	for _, f := range []store.ReportFilter{
		{From: time.Date(w.to.Year(), w.to.Month()-3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(w.to.Year(), w.to.Month()-2, 1, 0, 0, 0, 0, time.UTC)},
		{From: day(t, "2026-12-01"), To: day(t, "2027-01-01")},
	} {
		r, err := w.s.Fill(ctx, "", f)
		if err != nil {
			t.Fatal(err)
		}
		// The positions of the jobs starting on those local days, straight from the tables.
		rows, err := w.db.Query(`SELECT j.starts_at, j.status, p.status FROM jobs j JOIN positions p ON p.job_id = j.id
			WHERE j.starts_at >= ? AND j.starts_at < ?`, f.From.AddDate(0, 0, -2).Format(time.RFC3339), f.To.AddDate(0, 0, 2).Format(time.RFC3339))
		if err != nil {
			t.Fatal(err)
		}
		var want store.FillCounts
		for rows.Next() {
			var start, job, pos string
			if err := rows.Scan(&start, &job, &pos); err != nil {
				t.Fatal(err)
			}
			st, _ := time.Parse(time.RFC3339, start)
			l := st.In(w.loc)
			if d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC); d.Before(f.From) || !d.Before(f.To) {
				continue
			}
			want.Requested++
			switch {
			case job == store.StatusCancelled || pos == "cancelled":
				want.Cancelled++
			case pos == "assigned":
				want.Filled++
			default:
				want.Unfilled++
			}
		}
		rows.Close()
		if r.Total != want || want.Requested == 0 || want.Filled+want.Unfilled+want.Cancelled != want.Requested {
			t.Errorf("%s: %+v, the positions are %+v", f.From.Format("2006-01"), r.Total, want)
		}
		for what, parts := range map[string][]store.FillCounts{"agencies": fillCounts(r.Agencies), "customers": fillCounts(r.Customers),
			"weekdays": r.Weekdays[:], "hours": r.Hours[:]} {
			var sum store.FillCounts
			for _, p := range parts {
				sum.Requested += p.Requested
				sum.Filled += p.Filled
				sum.Unfilled += p.Unfilled
				sum.Cancelled += p.Cancelled
			}
			if sum != r.Total {
				t.Errorf("%s: %s add up to %+v, total %+v", f.From.Format("2006-01"), what, sum, r.Total)
			}
		}
		if f.From.Month() != time.December {
			continue
		}
		// December: eight shifts, one unassigned again and one no-show left
		// open; and the bar's request, never approved.
		if r.Total != (store.FillCounts{Requested: 9, Filled: 6, Unfilled: 3}) {
			t.Errorf("December: %+v", r.Total)
		}
		if len(r.NoShows) != 1 || r.NoShows[0].Officer.ID != w.rp3.ID || r.NoShows[0].Count != 1 {
			t.Errorf("no-shows: %+v", r.NoShows)
		}
		// Staffed from the audit: approved 26 Nov 09:00, filled the next day
		// at 10:00 (one) and 11:30 (the others: the first time counts, also
		// for the two open again since).
		if r.Audited != 8 || len(r.Staffed) != 8 || r.Staffed[len(r.Staffed)-1].Took != 25*time.Hour || r.Slow != 26*time.Hour+30*time.Minute ||
			r.Median != 26*time.Hour+30*time.Minute || len(r.Waiting) != 0 {
			t.Errorf("staffing: %d audited, %d staffed, %d waiting, median %v, slowest %v", r.Audited, len(r.Staffed), len(r.Waiting), r.Median, r.Slow)
		}
	}
}

func fillCounts(rows []store.FillRow) []store.FillCounts {
	out := make([]store.FillCounts, len(rows))
	for i, r := range rows {
		out[i] = r.FillCounts
	}
	return out
}

func testFairness(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	f := store.ReportFilter{From: time.Date(w.to.Year(), w.to.Month()-2, 1, 0, 0, 0, 0, time.UTC)}
	f.To = f.From.AddDate(0, 1, 0)
	r, err := w.s.Fairness(ctx, "", f)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Officers) < 50 || r.WithHours == 0 || r.Hours.Max < r.Hours.Median || r.Hours.Median < r.Hours.Min || r.Hours.Gini <= 0 || r.Hours.Gini >= 1 {
		t.Fatalf("%d officers, hours %+v", len(r.Officers), r.Hours)
	}
	above, below := 0, 0
	for i, o := range r.Officers {
		if i > 0 && o.Minutes > r.Officers[i-1].Minutes {
			t.Fatalf("not most hours first at %d", i)
		}
		h := float64(o.Minutes) / 60
		switch {
		case h > 2*r.Hours.Median:
			above++
			if o.Flag != "far above" {
				t.Errorf("%s: %v h against a median of %v, flag %q", o.Officer.Name(), h, r.Hours.Median, o.Flag)
			}
		case h < r.Hours.Median/2:
			below++
			if o.Flag != "far below" {
				t.Errorf("%s: %v h against a median of %v, flag %q", o.Officer.Name(), h, r.Hours.Median, o.Flag)
			}
		}
	}
	if above != r.Above || below != r.Below {
		t.Errorf("above %d/%d below %d/%d", above, r.Above, below, r.Below)
	}
	if r.Earnings.Min.GreaterThan(r.Earnings.Median) || r.Earnings.Median.GreaterThan(r.Earnings.Max) {
		t.Errorf("earnings %+v", r.Earnings)
	}
}

func testComplianceOverrides(t *testing.T, w *reportWorld) {
	ctx := context.Background()
	r, err := w.s.Compliance(ctx, "", store.ReportFilter{From: day(t, "2026-12-01"), To: day(t, "2027-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	// Every override in the audit is listed, with who, when and why.
	rows, err := w.db.Query(`SELECT entity_id, at, actor, after FROM audit WHERE entity = 'position' AND action = 'assign' AND after LIKE '%cap overridden%'`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var pos int64
		var at, actor, after string
		if err := rows.Scan(&pos, &at, &actor, &after); err != nil {
			t.Fatal(err)
		}
		n++
		found := false
		for _, o := range r.Overrides {
			if o.PositionID == pos && o.At.Format(time.RFC3339) == at && o.Actor == actor && strings.HasSuffix(after, o.Reason) && o.Reason != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("the audit's override of position %d at %s (%s) is not in the report", pos, at, after)
		}
	}
	rows.Close()
	if n != 4 || len(r.Overrides) != 4 {
		t.Errorf("%d overrides in the audit, %d in the report", n, len(r.Overrides))
	}
	current := 0
	for _, o := range r.Overrides {
		if o.Current {
			current++
		}
		if o.Customer != "Report Co" || !strings.Contains(o.Officer, "(RP1)") {
			t.Errorf("override %+v", o)
		}
	}
	if current != 3 {
		t.Errorf("%d overrides still on their positions, want 3 (one was unassigned)", current)
	}
	// The caps as booked (overridden) and the rest as worked (not).
	type finding struct {
		badge, rule    string
		booked, worked int
		overB, overW   bool
		overridden     bool
	}
	var got []finding
	for _, f := range r.Findings {
		got = append(got, finding{f.Officer.Badge, f.Rule, f.Booked, f.Worked, f.OverBooked, f.OverWorked, f.Overridden})
	}
	want := []finding{
		{"RP1", store.RuleWeeklyCap, 42 * 60, -1, true, false, true},
		{"RP1", store.RuleRest, 4 * 60, -1, true, false, true},
		{"RP1", store.RuleDay, 17 * 60, -1, true, false, true},
		{"RP2", store.RuleRest, 8 * 60, 7*60 + 10, false, true, false},
	}
	if len(got) != len(want) {
		t.Fatalf("findings %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if r.Worked != 1 || r.Booked != 3 || r.Counts[store.RuleRest] != 2 {
		t.Errorf("worked %d booked %d counts %v", r.Worked, r.Booked, r.Counts)
	}
	// The bar's request, refused with the agency's rule quoted; not the
	// request refused for short notice.
	if len(r.Refused) != 1 || r.Refused[0].Venue != "alcohol" || !strings.Contains(r.Refused[0].Rule, "alcohol") || r.Refused[0].Customer != "Report Co" {
		t.Errorf("refused in December: %+v", r.Refused)
	}
	short, err := w.s.Compliance(ctx, "", store.ReportFilter{From: day(t, "2026-11-27"), To: day(t, "2026-11-28")})
	if err != nil || len(short.Refused) != 0 {
		t.Errorf("a request refused for short notice is listed: %+v, %v", short.Refused, err)
	}
	// Over the history (and December), the refused prohibited-venue
	// requests are those of the jobs table.
	hist, err := w.s.Compliance(ctx, "", store.ReportFilter{From: w.from, To: day(t, "2027-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	var refused int
	if err := w.db.QueryRow(`SELECT count(*) FROM jobs WHERE bookable = 0 AND quote_json LIKE '%prohibited-venue%' AND starts_at >= ? AND starts_at < ?`,
		mustLocal(w.from.Format("2006-01-02")+" 00:00").UTC().Format(time.RFC3339), mustLocal("2027-01-01 00:00").UTC().Format(time.RFC3339)).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if len(hist.Refused) != refused || refused == 0 {
		t.Errorf("%d refused prohibited-venue requests listed, %d in the jobs", len(hist.Refused), refused)
	}
	for _, rr := range hist.Refused {
		if !strings.Contains(strings.ToLower(rr.Rule), "prohibited") && !strings.Contains(rr.Rule, "venue") {
			t.Errorf("refusal %d: %q", rr.JobID, rr.Rule)
		}
	}
}
