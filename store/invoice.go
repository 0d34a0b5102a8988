package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// Invoice states.
const (
	InvoiceDraft  = "draft"
	InvoiceIssued = "issued"
	InvoicePaid   = "paid"
	InvoiceVoid   = "void"
)

// Invoice bills one account for one period of its billing cycle.
type Invoice struct {
	ID           int64
	Number       string // "2026-000123" once issued
	CustomerID   int64
	CustomerName string
	BillTo       string // address
	Email        string
	Cycle        string
	PeriodStart  time.Time // civil date (UTC midnight)
	PeriodEnd    time.Time // exclusive
	State        string
	TermsDays    int
	IssuedOn     time.Time
	DueOn        time.Time
	PaidOn       time.Time
	PaidRef      string
	VoidReason   string
	Subtotal     decimal.Decimal
	Total        decimal.Decimal
	Lines        []InvoiceLine
	CreatedAt    time.Time
	CreatedBy    string
}

// Overdue reports whether an issued invoice is past its due date on `today` (a civil date).
func (inv Invoice) Overdue(today time.Time) bool {
	return inv.State == InvoiceIssued && !inv.DueOn.IsZero() && civil(today).After(inv.DueOn)
}

// InvoiceLine is one billed line.
type InvoiceLine struct {
	Seq         int
	Kind        string // shift, vehicle, fee
	JobID       int64
	PositionID  int64
	FeeID       int64
	Day         time.Time // civil date of the shift
	Site        string
	Officer     string
	Class       string
	Basis       string
	Count       int
	Minutes     int
	Rate        decimal.Decimal
	Amount      decimal.Decimal
	OfficerPay  decimal.Decimal
	AdminFee    decimal.Decimal
	Description string
}

const dateLayout = "2006-01-02"

func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func civilIn(t time.Time, loc *time.Location) time.Time { return civil(t.In(loc)) }

func parseDate(s string) (time.Time, error) { return time.Parse(dateLayout, s) }

func nullDate(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := parseDate(s.String)
	return t
}

// billJobCols are jobCols with, of the saved quote, only the emergency flag:
// all that billing reads from it, and much cheaper than decoding it whole.
// (Nor does it need the count of filled positions.)
func billJobCols(d *dialect) string {
	emergency := `json_valid(j.quote_json) AND json_extract(j.quote_json, '$.emergency')`
	if d.pg() {
		emergency = `(` + d.emergencyFlag() + `) = 1`
	}
	return strings.NewReplacer("j.quote_json",
		`'{"emergency":' || CASE WHEN `+emergency+` THEN 'true' ELSE 'false' END || '}'`,
		`(SELECT count(*) FROM positions p WHERE p.job_id = j.id AND p.officer_id IS NOT NULL AND p.status = 'assigned')`, `0`).Replace(jobCols)
}

// billLeanCols are what a bill reads of a job (billJob, billPeriod, the
// pricer): a month holds about 9,000 jobs, and a row costs the driver per
// column, so all but the site's name comes packed in one text (ids, times,
// vehicles, status, the emergency flag), followed by the vehicle claim.
// (The emergency flag: dialect.emergencyFlag.)
func billLeanCols(d *dialect) string {
	return `st.name, j.id || ' ' || j.customer_id || ' ' || j.agency_id || ' ' || j.rate_card_id || ' ' || ` + d.stamp("j.starts_at") + ` || ' ' || ` + d.stamp("j.ends_at") + `
	|| ' ' || j.vehicles || ' ' || j.status || ' ' || ` + d.emergencyFlag()
}

const billLeanFrom = ` FROM jobs j JOIN sites st ON st.id = j.site_id `

// scanBillJob reads billLeanCols.
func scanBillJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var packed string
	if err := sc.Scan(&j.SiteName, &packed); err != nil {
		return j, err
	}
	var f [9]string
	if n := splitFields(packed, f[:]); n != len(f) {
		return j, fmt.Errorf("job %q: %d fields, want %d", packed, n, len(f))
	}
	var err error
	for i, dst := range []*int64{&j.ID, &j.CustomerID, &j.AgencyID, &j.RateCardID} {
		if *dst, err = strconv.ParseInt(f[i], 10, 64); err != nil {
			return j, fmt.Errorf("job %q: %w", packed, err)
		}
	}
	if j.Start, err = parseStamp(f[4]); err != nil {
		return j, err
	}
	if j.End, err = parseStamp(f[5]); err != nil {
		return j, err
	}
	if j.Vehicles, err = strconv.Atoi(f[6]); err != nil {
		return j, fmt.Errorf("job %q: %w", packed, err)
	}
	j.Status, j.Quote.Emergency = f[7], f[8] == "1"
	return j, nil
}

// billFee is a cancellation or reduction fee kept on a job.
type billFee struct {
	id, jobID             int64
	kind                  string
	total, admin, officer decimal.Decimal
}

type claimKey struct {
	kind string // position, vehicle, fee
	ref  int64
}

// billingSet is what billing (or payroll) reads about the jobs starting in a
// range, in a few queries rather than a few per job: the jobs, the worked
// positions of those done, and for billing the fees not billed yet and what
// is already on an invoice.
type billingSet struct {
	jobs    []Job
	pos     map[int64][]Position // by job id, slot order
	fees    map[int64][]billFee  // by job id
	claimed map[claimKey]bool
	charges map[chargeKey][]pricing.Line // what positionCharge gave (a job's officers mostly work the same hours)
}

// chargeKey is what positionCharge's lines depend on.
type chargeKey struct {
	agency     *pricing.Agency
	class      string
	start, end int64 // the billed interval, Unix nanoseconds
	emergency  bool
}

// charge is positionCharge, once for each distinct rate card, class,
// interval and emergency flag of a bill.
func (set *billingSet) charge(a *pricing.Agency, j Job, p Position) []pricing.Line {
	if p.Status != "assigned" || p.OfficerID == 0 {
		return nil
	}
	s, e, ok := pricing.BilledInterval(p.Start, p.End, p.CheckIn, p.CheckOut, p.Attendance)
	if !ok {
		return nil
	}
	key := chargeKey{a, p.Class, s.UnixNano(), e.UnixNano(), j.Quote.Emergency}
	if lines, ok := set.charges[key]; ok {
		return lines
	}
	lines := positionCharge(a, j, p)
	if set.charges == nil {
		set.charges = map[chargeKey][]pricing.Line{}
	}
	set.charges[key] = lines
	return lines
}

// wrapScan scans a row into a scanner's columns followed by extra ones.
type wrapScan struct {
	rows  *sql.Rows
	extra []any
}

func (w wrapScan) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// unbilledFee is the condition that a job has a fee (not zero) on no invoice.
func unbilledFee(d *dialect) string {
	return `EXISTS (SELECT 1 FROM job_fees f WHERE f.job_id = j.id AND ` + d.nonZero("f.total") + `
	AND NOT EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'fee' AND c.ref_id = f.id))`
}

// loadBilling reads the jobs starting in [from, to) (instants) of one
// customer, or of all when customerID is 0. For billing (pay false): the
// completed jobs, and the invoiced, paid or cancelled ones with a fee still
// to bill; for payroll (pay true): the completed, invoiced and paid jobs.
func loadBilling(ctx context.Context, d *dialect, q querier, customerID int64, from, to time.Time, pay bool) (*billingSet, error) {
	where := `j.starts_at >= ? AND j.starts_at < ?`
	args := []any{fmtTime(from), fmtTime(to)}
	status := `j.status`
	if customerID != 0 {
		where = `j.customer_id = ? AND ` + where
		args = append([]any{customerID}, args...)
		// One account's jobs come from its index (customer, start); "+"
		// keeps the planner from the status index instead, which would
		// read every account's jobs in the range.
		status = `+j.status`
	}
	return loadBillingWhere(ctx, d, q, where, args, pay, status)
}

// loadBillingWhere is loadBilling for the jobs j matching a condition;
// status is how the conditions name j.status ("+j.status" to keep the
// status index out of the plan).
func loadBillingWhere(ctx context.Context, d *dialect, q querier, where string, args []any, pay bool, status string) (*billingSet, error) {
	done := status + ` = 'completed'` // the jobs whose positions are billed
	which := `(` + status + ` = 'completed' OR (` + status + ` IN ('invoiced', 'paid', 'cancelled') AND ` + unbilledFee(d) + `))`
	vehicleClaim := `EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'vehicle' AND c.ref_id = j.id)`
	positionClaim := `EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'position' AND c.ref_id = p.id)`
	if pay {
		done = status + ` IN ('completed', 'invoiced', 'paid')`
		which, vehicleClaim, positionClaim = done, `0`, `0`
	}
	set := &billingSet{pos: map[int64][]Position{}, fees: map[int64][]billFee{}, claimed: map[claimKey]bool{}}

	cols, from, scan := billJobCols(d), jobFrom, scanJob
	if !pay { // a bill reads of a job only what billJob uses
		cols, from, scan = billLeanCols(d), billLeanFrom, scanBillJob
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+`, `+vehicleClaim+from+`WHERE `+where+` AND `+which+` ORDER BY j.starts_at, j.id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var vc bool
		j, err := scan(wrapScan{rows, []any{&vc}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		if vc {
			set.claimed[claimKey{"vehicle", j.ID}] = true
		}
		set.jobs = append(set.jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(set.jobs) == 0 {
		return set, nil
	}

	if pay {
		return set, loadPayPositions(ctx, d, q, where, args, done, set)
	}
	if err := loadBillPositions(ctx, d, q, where, args, done, positionClaim, set); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT f.id, f.job_id, f.kind, f.total, f.admin, f.officer FROM jobs j `+d.crossJoin+` job_fees f ON f.job_id = j.id
		WHERE `+where+` AND `+status+` IN ('completed', 'invoiced', 'paid', 'cancelled')
		AND NOT EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'fee' AND c.ref_id = f.id) ORDER BY f.job_id, f.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f billFee
		var total, admin, officer string
		if err := rows.Scan(&f.id, &f.jobID, &f.kind, &total, &admin, &officer); err != nil {
			return nil, err
		}
		for _, m := range []struct {
			dst *decimal.Decimal
			src string
		}{{&f.total, total}, {&f.admin, admin}, {&f.officer, officer}} {
			if *m.dst, err = decimal.NewFromString(m.src); err != nil {
				return nil, fmt.Errorf("job %d fee %d: %w", f.jobID, f.id, err)
			}
		}
		if !f.total.IsZero() {
			set.fees[f.jobID] = append(set.fees[f.jobID], f)
		}
	}
	return set, rows.Err()
}

// loadPayPositions reads the worked positions of the jobs of where (done)
// into set, whole, for payroll.
func loadPayPositions(ctx context.Context, d *dialect, q querier, where string, args []any, done string, set *billingSet) error {
	// CROSS JOIN keeps jobs (read by range) outside: left to itself, the
	// planner may walk every assigned position of the history instead.
	rows, err := q.QueryContext(ctx, `SELECT `+positionCols+`, 0 FROM jobs j `+d.crossJoin+` positions p ON p.job_id = j.id
		LEFT JOIN officers o ON o.id = p.officer_id LEFT JOIN officers n ON n.id = p.no_show_officer_id
		WHERE `+where+` AND `+done+` AND p.status = 'assigned' AND p.officer_id IS NOT NULL ORDER BY p.job_id, p.slot`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pc bool
		p, err := scanPosition(wrapScan{rows, []any{&pc}})
		if err != nil {
			return err
		}
		set.pos[p.JobID] = append(set.pos[p.JobID], p)
	}
	return rows.Err()
}

// loadBillPositions reads the worked positions of the jobs of where (done)
// into set, with whether each is on an invoice already, as a bill needs
// them: a month holds about 17,000, and a row costs the driver per column,
// so what is not text (ids, times, class, attendance, the claim) comes
// packed in one column, beside the officer's name and badge.
func loadBillPositions(ctx context.Context, d *dialect, q querier, where string, args []any, done, positionClaim string, set *billingSet) error {
	rows, err := q.QueryContext(ctx, `SELECT p.id || ' ' || p.job_id || ' ' || p.slot || ' ' || p.class || ' ' || p.officer_id || ' ' || `+d.stamp("p.starts_at")+`
			|| ' ' || `+d.stamp("p.ends_at")+` || ' ' || `+d.stampOr("p.check_in_at", "'-'")+` || ' ' || `+d.stampOr("p.check_out_at", "'-'")+`
			|| ' ' || coalesce(nullif(p.attendance, ''), '-') || ' ' || `+positionClaim+`,
			coalesce(o.first_name || ' ' || o.last_name, ''), coalesce(o.badge, '')
		FROM jobs j `+d.crossJoin+` positions p ON p.job_id = j.id LEFT JOIN officers o ON o.id = p.officer_id
		WHERE `+where+` AND `+done+` AND p.status = 'assigned' AND p.officer_id IS NOT NULL`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// The rows come job by job (jobs outside, see CROSS JOIN), unsorted:
	// they go into one slice, cut per job, each job's sorted by slot.
	var all []Position
	first := 0
	cut := func() {
		if first == len(all) {
			return
		}
		ps := all[first:len(all):len(all)]
		if !slices.IsSortedFunc(ps, bySlot) {
			slices.SortFunc(ps, bySlot)
		}
		id := ps[0].JobID
		if had, ok := set.pos[id]; ok { // not together after all: joined
			ps = slices.SortedFunc(slices.Values(append(slices.Clone(had), ps...)), bySlot)
		}
		set.pos[id] = ps
		first = len(all)
	}
	for rows.Next() {
		var packed string
		p := Position{Status: "assigned"}
		if err := rows.Scan(&packed, &p.OfficerName, &p.Badge); err != nil {
			return err
		}
		var f [11]string
		if n := splitFields(packed, f[:]); n != len(f) {
			return fmt.Errorf("position %q: %d fields, want %d", packed, n, len(f))
		}
		var err error
		bad := func(err error) error { return fmt.Errorf("position %q: %w", packed, err) }
		if p.ID, err = strconv.ParseInt(f[0], 10, 64); err != nil {
			return bad(err)
		}
		if p.JobID, err = strconv.ParseInt(f[1], 10, 64); err != nil {
			return bad(err)
		}
		if p.Slot, err = strconv.Atoi(f[2]); err != nil {
			return bad(err)
		}
		p.Class = f[3]
		if p.OfficerID, err = strconv.ParseInt(f[4], 10, 64); err != nil {
			return bad(err)
		}
		if p.Start, err = parseStamp(f[5]); err != nil {
			return err
		}
		if p.End, err = parseStamp(f[6]); err != nil {
			return err
		}
		if f[7] != "-" {
			if p.CheckIn, err = parseStamp(f[7]); err != nil {
				return err
			}
		}
		if f[8] != "-" {
			if p.CheckOut, err = parseStamp(f[8]); err != nil {
				return err
			}
		}
		if f[9] != "-" {
			p.Attendance = f[9]
		}
		if f[10] == "1" || f[10] == "true" { // EXISTS: 1 on SQLite, true on PostgreSQL
			set.claimed[claimKey{"position", p.ID}] = true
		}
		if first < len(all) && all[first].JobID != p.JobID {
			cut()
		}
		all = append(all, p)
	}
	cut()
	return rows.Err()
}

// pricer caches the pricing agencies of rate-card versions.
type pricer struct {
	byCard map[int64]*pricing.Agency
	locs   map[int64]*time.Location
}

func newPricer() *pricer {
	return &pricer{byCard: map[int64]*pricing.Agency{}, locs: map[int64]*time.Location{}}
}

func (p *pricer) agency(ctx context.Context, q querier, j Job) (*pricing.Agency, error) {
	if a, ok := p.byCard[j.RateCardID]; ok {
		return a, nil
	}
	ag, err := agencyByID(ctx, q, j.AgencyID)
	if err != nil {
		return nil, err
	}
	rc, err := rateCardByID(ctx, q, j.RateCardID)
	if err != nil {
		return nil, err
	}
	pa, err := loadPricing(ctx, q, ag, rc)
	if err != nil {
		return nil, err
	}
	p.byCard[j.RateCardID] = pa
	return pa, nil
}

// positionCharge prices a worked position from its job's own rate card: the
// lines an invoice bills and payroll pays (nil for a no-show or an open position).
func positionCharge(a *pricing.Agency, j Job, p Position) []pricing.Line {
	if p.Status != "assigned" || p.OfficerID == 0 {
		return nil
	}
	s, e, ok := pricing.BilledInterval(p.Start, p.End, p.CheckIn, p.CheckOut, p.Attendance)
	if !ok {
		return nil
	}
	return a.ChargeShift(pricing.Class(p.Class), s, e, j.Quote.Emergency)
}

// vehicleCharge prices a job's vehicles for its scheduled shift.
func vehicleCharge(a *pricing.Agency, j Job) (pricing.Line, bool) {
	return a.ChargeVehicles(j.Vehicles, int(j.End.Sub(j.Start)/time.Minute))
}

// billPeriod makes the invoice of customer c for the period [ps, pe) (civil
// dates) from those of jobs (read into set) whose local start date falls in
// it, and marks what it bills as claimed in set.
func billPeriod(ctx context.Context, q querier, pr *pricer, c Customer, ps, pe time.Time, jobs []Job, set *billingSet) (Invoice, error) {
	inv := Invoice{CustomerID: c.ID, CustomerName: c.Name, BillTo: c.Address, Email: c.Email, Cycle: c.BillingCycle,
		PeriodStart: ps, PeriodEnd: pe, State: InvoiceDraft, TermsDays: c.TermsDays}
	for _, j := range jobs {
		if j.CustomerID != c.ID {
			continue
		}
		a, err := pr.agency(ctx, q, j)
		if err != nil {
			return inv, err
		}
		day := civilIn(j.Start, a.Zone)
		if day.Before(ps) || !day.Before(pe) {
			continue
		}
		billJob(&inv, a, j, day, set)
	}
	for i := range inv.Lines {
		inv.Lines[i].Seq = i + 1
		inv.Subtotal = inv.Subtotal.Add(inv.Lines[i].Amount)
	}
	inv.Total = inv.Subtotal
	return inv, nil
}

// billJob adds to inv what job j owes that is on no invoice yet: each worked
// position of a completed job (a line per rate), its vehicles, its fees; and
// marks them claimed in set.
func billJob(inv *Invoice, a *pricing.Agency, j Job, day time.Time, set *billingSet) {
	site := j.SiteName
	if j.Status == StatusCompleted {
		for _, p := range set.pos[j.ID] {
			key := claimKey{"position", p.ID}
			if set.claimed[key] {
				continue
			}
			lines := set.charge(a, j, p)
			if len(lines) == 0 {
				continue
			}
			set.claimed[key] = true
			who := strings.TrimSpace(p.OfficerName + " " + p.Badge)
			desc := ""
			switch p.Attendance {
			case pricing.AttendanceReleasedEarly:
				desc = "released early: full shift"
			case pricing.AttendanceHeldOver:
				desc = "held over: real time"
			}
			for _, l := range lines {
				inv.Lines = append(inv.Lines, InvoiceLine{Kind: "shift", JobID: j.ID, PositionID: p.ID, Day: day, Site: site, Officer: who,
					Class: p.Class, Basis: l.Basis, Count: 1, Minutes: l.Minutes, Rate: l.Rate.Total, Amount: l.Amount,
					OfficerPay: l.OfficerPay, AdminFee: l.AdminFee, Description: desc})
			}
		}
		if key := (claimKey{"vehicle", j.ID}); !set.claimed[key] {
			if vl, ok := vehicleCharge(a, j); ok {
				set.claimed[key] = true
				inv.Lines = append(inv.Lines, InvoiceLine{Kind: "vehicle", JobID: j.ID, Day: day, Site: site, Class: "vehicle",
					Basis: pricing.BasisVehicle, Count: vl.Count, Minutes: vl.Minutes, Rate: vl.Rate.Total, Amount: vl.Amount,
					OfficerPay: vl.OfficerPay, AdminFee: vl.AdminFee})
			}
		}
	}
	for _, f := range set.fees[j.ID] {
		key := claimKey{"fee", f.id}
		if set.claimed[key] {
			continue
		}
		set.claimed[key] = true
		what := "cancellation fee"
		if f.kind == "reduce" {
			what = "reduction fee"
		}
		inv.Lines = append(inv.Lines, InvoiceLine{Kind: "fee", JobID: j.ID, FeeID: f.id, Day: day, Site: site, Class: "fee", Count: 1,
			Amount: f.total, OfficerPay: f.officer, AdminFee: f.admin, Description: fmt.Sprintf("%s, job #%d", what, j.ID)})
	}
}

// A billing period can be billed once it has ended: its last day is before
// today (office time). GenerateInvoices bills, for a date D, per account,
// every period of the account's own cycle whose last day is on or before D
// and before today, that holds work not billed yet: all of them, oldest
// first (catch-up), never one still running.

// GenerateInvoices builds the invoices of every ended period up to day (see
// above), for every customer or one, oldest period first per account. With
// save false it only previews; with save true it saves them as drafts and
// claims their shifts, vehicles and fees, in short transactions: a batch of
// accounts committed once it has held the write lock billHold (so a booking
// never waits long behind a bill of many accounts, and what a killed run
// saved stays saved). An account refused is refused alone, as if each
// account had its own transaction: the accounts before it are saved, and
// the run stops with the refusal. What another bill saved meanwhile is not billed
// twice: once anything was written since the run's read, each account's
// work is read again inside its transaction.
func (s *Store) GenerateInvoices(ctx context.Context, actor string, day time.Time, customerID int64, save bool) ([]Invoice, error) {
	if err := checkYear("date", day); err != nil {
		return nil, err
	}
	last := billableUntil(civil(day), s.Today())
	plan, err := s.billingPlan(ctx, actor, customerID)
	if err != nil {
		return nil, err
	}
	var out []Invoice
	if !save {
		err := s.read(ctx, func(tx *sql.Tx) error {
			built, err := billPlan(ctx, s.dialect(), tx, plan, last)
			for _, invs := range built {
				out = append(out, invs...)
			}
			return err
		})
		return out, err
	}
	// The invoices are built from one read of the range (billPlan), then
	// saved in short write transactions: a batch of accounts, their rows
	// many to a statement, committed once the batch has held the write lock
	// billHold (real time, not the store's clock), so a booking waits at
	// most about that long behind a bill. A batch that fails is undone
	// whole and its accounts saved again one a transaction, so that the
	// outcome is the one of a transaction per account. Each batch first checks that
	// nothing was written since that read, by this process (the write
	// connection's count of changes) or another (its data_version); if
	// anything was, the accounts of that batch and the rest are read again
	// inside their transactions, as a bill always was, so nothing is
	// billed twice.
	d := s.dialect()
	var mark writeMark
	if err := s.w.QueryRowContext(ctx, d.writeMarkQuery()).Scan(&mark.changes, &mark.version); err != nil {
		return nil, err
	}
	var built [][]Invoice
	if err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		built, err = billPlan(ctx, s.dialect(), tx, plan, last)
		return err
	}); err != nil {
		return nil, err
	}
	if afterBillRead != nil {
		afterBillRead()
	}
	// While saving, statement journals in memory (multi-row inserts need
	// them) and a larger page
	// cache, as for an import (bulk.go); put back on the write connection
	// afterwards. (SQLite's: PostgreSQL's server has its own settings.)
	if !d.pg() {
		restore, err := s.tuneSQLite(ctx, -65536)
		if err != nil {
			return nil, err
		}
		defer restore()
	}
	stale := false
	careful := 0 // the accounts before this one are saved one a transaction (a batch of them failed)
	for next := 0; next < len(plan); {
		one := next < careful
		var saved []Invoice
		var after writeMark
		accounts := 0 // taken into this batch
		err := s.tx(ctx, func(tx *sql.Tx) error {
			began := time.Now() // the write lock is held from here (BEGIN IMMEDIATE)
			saved, accounts = nil, 0
			if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
				return err
			}
			if !stale {
				var now writeMark
				if err := tx.QueryRowContext(ctx, d.writeMarkQuery()).Scan(&now.changes, &now.version); err != nil {
					return err
				}
				stale = now != mark
			}
			w := &draftWriter{s: s, tx: tx, actor: actor}
			defer w.close()
			for i := next; i < len(plan); i++ {
				accounts++
				invs := built[i]
				if stale {
					var err error
					if invs, _, err = billAccount(ctx, s.dialect(), tx, newPricer(), plan[i].customer, plan[i].from, last, time.Time{}); err != nil {
						return err
					}
				}
				if err := w.add(ctx, invs); err != nil {
					return err
				}
				saved = append(saved, invs...)
				if one || time.Since(began) >= billHold {
					break
				}
			}
			if err := w.flush(ctx, true); err != nil {
				return err
			}
			if err := d.syncIdentity(ctx, tx, "invoices"); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, d.writeMarkQuery()).Scan(&after.changes, &after.version)
		})
		if err != nil {
			if one || accounts <= 1 {
				return out, err
			}
			// Something in the batch was refused, and it is all undone:
			// its accounts are saved again one a transaction, so that
			// those before the one refused are kept and the run stops at
			// it with its refusal, as if each had had its own transaction.
			careful = next + accounts
			continue
		}
		if afterBillCommit != nil {
			afterBillCommit(accounts)
		}
		mark = d.committed(after)
		out = append(out, saved...)
		next += accounts
	}
	return out, nil
}

// billHold is how long a bill's save holds the write lock before it
// commits what it has (issue 10: no more than about 100 ms, so a booking
// never waits longer behind a bill); checked after each account, so an
// account is never split and a batch holds at least one.
var billHold = 50 * time.Millisecond

// afterBillCommit, when set (by tests), runs after each committed batch of
// GenerateInvoices' save with the number of accounts it saved.
var afterBillCommit func(accounts int)

// afterBillRead, when set (by tests), runs between GenerateInvoices' read
// and its first write transaction.
var afterBillRead func()

// writeMark is where the write connection stands: the rows it has changed
// (total_changes, whoever in this process wrote them) and data_version
// (which moves when another connection commits); on PostgreSQL, the
// offduty write transactions committed (see dialect.writeMarkQuery).
type writeMark struct {
	changes int64
	version string
}

// tuneSQLite sets, on SQLite's write connection, the page cache (as
// PRAGMA cache_size takes it) and in-memory statement journals (multi-row
// inserts need them), and returns what puts them back.
func (s *Store) tuneSQLite(ctx context.Context, cacheSize int) (restore func(), err error) {
	var cache, temp int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return nil, err
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return nil, err
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, cacheSize)); err != nil {
		return nil, err
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		s.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
		return nil, err
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
		s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
	}, nil
}

// billPlan builds the ready invoices of every account of plan (in plan's
// order) up to last. The accounts whose work not billed yet is recent (the
// usual case: the periods just ended) are billed from ONE read of their
// common range, every account's jobs, positions and fees in one pass;
// an account with older work left (catch-up) is read on its own, from its
// own first period, so that one old fee never makes everyone read years.
func billPlan(ctx context.Context, d *dialect, q querier, plan []accountWork, last time.Time) ([][]Invoice, error) {
	type span struct {
		ps, until, from, to time.Time
		ok                  bool
	}
	spans := make([]span, len(plan))
	var latest time.Time
	for i, a := range plan {
		ps, until, from, to, ok, err := accountSpan(a.customer, a.from, last, time.Time{})
		if err != nil {
			return nil, err
		}
		// Of what billAccount would read, only the jobs from a.from (a
		// day before the account's first work not billed yet, see
		// billingPlan) to the end of the last ready period can hold
		// anything to bill: the one read need not cover the rest.
		if f := a.from.Add(-36 * time.Hour); f.After(from) {
			from = f
		}
		if t := last.AddDate(0, 0, 1).Add(36 * time.Hour); t.Before(to) {
			to = t
		}
		spans[i] = span{ps, until, from, to, ok}
		if ok && to.After(latest) {
			latest = to
		}
	}
	// Shared: the accounts whose range begins within sharedDays of the end.
	cut := latest.AddDate(0, 0, -sharedDays)
	var from time.Time
	shared := 0
	for _, sp := range spans {
		if sp.ok && !sp.from.Before(cut) {
			if shared == 0 || sp.from.Before(from) {
				from = sp.from
			}
			shared++
		}
	}
	var set *billingSet
	byCustomer := map[int64][]Job{}
	if shared > 0 {
		var err error
		// "+j.status": the range of starts is the one pass, not the status index.
		if set, err = loadBillingWhere(ctx, d, q, `j.starts_at >= ? AND j.starts_at < ?`, []any{fmtTime(from), fmtTime(latest)}, false, `+j.status`); err != nil {
			return nil, err
		}
		n := map[int64]int{}
		for _, j := range set.jobs {
			n[j.CustomerID]++
		}
		for _, j := range set.jobs {
			if byCustomer[j.CustomerID] == nil {
				byCustomer[j.CustomerID] = make([]Job, 0, n[j.CustomerID])
			}
			byCustomer[j.CustomerID] = append(byCustomer[j.CustomerID], j)
		}
	}
	pr := newPricer()
	out := make([][]Invoice, len(plan))
	for i, a := range plan {
		sp := spans[i]
		if !sp.ok {
			continue
		}
		var err error
		if shared > 0 && !sp.from.Before(cut) {
			out[i], _, err = billPeriods(ctx, q, pr, a.customer, sp.ps, sp.until, last, time.Time{}, set, byCustomer[a.customer.ID])
		} else {
			out[i], _, err = billAccount(ctx, d, q, pr, a.customer, a.from, last, time.Time{})
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sharedDays is how recent an account's first work not billed yet must be
// (from the end of the last ready period) to be billed from the one shared
// read: ten weeks, so a month's bill of monthly, biweekly and weekly
// accounts, a few weeks late, is one read.
const sharedDays = 70

// RunningInvoices previews, per account (or one), what the periods still
// running hold so far: billed once they end, never before.
func (s *Store) RunningInvoices(ctx context.Context, actor string, customerID int64) ([]Invoice, error) {
	today := s.Today()
	last := billableUntil(today, today)
	plan, err := s.billingPlan(ctx, actor, customerID)
	if err != nil {
		return nil, err
	}
	var out []Invoice
	err = s.read(ctx, func(tx *sql.Tx) error {
		pr := newPricer()
		for _, a := range plan {
			_, running, err := billAccount(ctx, s.dialect(), tx, pr, a.customer, a.from, last, today)
			if err != nil {
				return err
			}
			out = append(out, running...)
		}
		return nil
	})
	return out, err
}

// billableUntil is the last day a period may end on to be billed for date
// d: d itself, or yesterday when d is today or later.
func billableUntil(d, today time.Time) time.Time {
	if y := today.AddDate(0, 0, -1); d.After(y) {
		return y
	}
	return d
}

// accountWork is an account with work not billed yet, from its earliest
// such job's local start date.
type accountWork struct {
	customer Customer
	from     time.Time // civil date
}

// billingPlan finds the accounts (or the one) with work not billed yet, and
// where it starts: completed jobs (their positions and vehicles) and fees
// on no invoice. It reads a handful of rows per account, not the history.
func (s *Store) billingPlan(ctx context.Context, actor string, customerID int64) ([]accountWork, error) {
	var out []accountWork
	d := s.dialect()
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		custs, err := invoiceCustomers(ctx, tx, customerID)
		if err != nil {
			return err
		}
		earliest := map[int64]time.Time{}
		note := func(cust int64, start string) error {
			t, err := parseTime(start)
			if err != nil {
				return err
			}
			// Local dates run up to 7 h behind UTC here and at most 14 h
			// anywhere: a day early covers every zone (an empty period is
			// skipped).
			d := civil(t).AddDate(0, 0, -1)
			if e, ok := earliest[cust]; !ok || d.Before(e) {
				earliest[cust] = d
			}
			return nil
		}
		// The fees not billed yet are found from the fees (a few per
		// hundred jobs), or from one account's jobs (its index): never by
		// walking every invoiced and paid job of the history (the status
		// index), which took about 270 ms on 1,000,000 positions, a call.
		queries := []string{
			`SELECT j.customer_id, min(j.starts_at) FROM jobs j WHERE j.status = 'completed' GROUP BY j.customer_id`,
			`SELECT j.customer_id, min(j.starts_at) FROM job_fees f ` + d.crossJoin + ` jobs j ON j.id = f.job_id
				WHERE ` + d.nonZero("f.total") + ` AND j.status IN ('completed', 'invoiced', 'paid', 'cancelled')
				AND NOT EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'fee' AND c.ref_id = f.id) GROUP BY j.customer_id`,
		}
		var args []any
		if customerID != 0 {
			queries = []string{
				`SELECT j.customer_id, min(j.starts_at) FROM jobs j WHERE j.customer_id = ? AND j.status = 'completed' GROUP BY j.customer_id`,
				`SELECT j.customer_id, min(j.starts_at) FROM jobs j ` + d.crossJoin + ` job_fees f ON f.job_id = j.id
					WHERE j.customer_id = ? AND ` + d.nonZero("f.total") + ` AND +j.status IN ('completed', 'invoiced', 'paid', 'cancelled')
					AND NOT EXISTS (SELECT 1 FROM invoice_claims c WHERE c.kind = 'fee' AND c.ref_id = f.id) GROUP BY j.customer_id`,
			}
			args = []any{customerID}
		}
		for _, q := range queries {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var cust int64
				var start string
				if err := rows.Scan(&cust, &start); err != nil {
					rows.Close()
					return err
				}
				if err := note(cust, start); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, c := range custs {
			if from, ok := earliest[c.ID]; ok {
				out = append(out, accountWork{c, from})
			}
		}
		return nil
	})
	return out, err
}

// billAccount builds customer c's invoices, period by period of its cycle
// from the one holding `from`: those of the periods whose last day is on or
// before `last` (ready), and, when today is set, those of the later periods
// that have begun by today (running). Periods with nothing to bill are left
// out.
func billAccount(ctx context.Context, d *dialect, q querier, pr *pricer, c Customer, from, last, today time.Time) (ready, running []Invoice, err error) {
	ps, until, readFrom, readTo, ok, err := accountSpan(c, from, last, today)
	if err != nil || !ok {
		return nil, nil, err
	}
	set, err := loadBilling(ctx, d, q, c.ID, readFrom, readTo, false)
	if err != nil {
		return nil, nil, err
	}
	return billPeriods(ctx, q, pr, c, ps, until, last, today, set, set.jobs)
}

// accountSpan is what billAccount looks at for customer c: its periods from
// ps (the one holding from) up to until (exclusive), and the instants
// [readFrom, readTo) of the starts of the jobs they may hold. ok is false
// when there is no such period.
func accountSpan(c Customer, from, last, today time.Time) (ps, until, readFrom, readTo time.Time, ok bool, err error) {
	until = last.AddDate(0, 0, 1) // exclusive end of the ready periods
	if !today.IsZero() && today.AddDate(0, 0, 1).After(until) {
		until = today.AddDate(0, 0, 1)
	}
	if ps, _, err = pricing.Period(c.BillingCycle, from); err != nil {
		return
	}
	if !ps.Before(until) {
		return
	}
	_, lastEnd, err := pricing.Period(c.BillingCycle, until.AddDate(0, 0, -1)) // the end of the last period looked at
	if err != nil {
		return
	}
	return ps, until, ps.Add(-36 * time.Hour), lastEnd.Add(36 * time.Hour), true, nil
}

// billPeriods is billAccount from what set holds: c's invoices of the
// periods from ps to until, from its jobs (of set, in start order).
func billPeriods(ctx context.Context, q querier, pr *pricer, c Customer, ps, until, last, today time.Time, set *billingSet, jobs []Job) (ready, running []Invoice, err error) {
	for ps.Before(until) {
		_, pe, err := pricing.Period(c.BillingCycle, ps)
		if err != nil {
			return nil, nil, err
		}
		ended := !pe.After(last.AddDate(0, 0, 1))
		if !ended && today.IsZero() {
			break
		}
		inv, err := billPeriod(ctx, q, pr, c, ps, pe, jobs, set)
		if err != nil {
			return nil, nil, err
		}
		if len(inv.Lines) > 0 {
			if ended {
				ready = append(ready, inv)
			} else {
				running = append(running, inv)
			}
		}
		ps = pe
	}
	return ready, running, nil
}

// draftWriter saves built invoices as drafts, with their lines and claims,
// in one write transaction: the statements are prepared once a transaction,
// and rows go in many to a statement, of one account or several (a
// month's bill has about 750 invoices, 16,000 lines and as many claims).
// The transaction holds the write lock, so the invoices' ids are given
// here: the next after the highest, as SQLite would.
type draftWriter struct {
	s      *Store
	tx     *sql.Tx
	actor  string
	nextID int64 // the next invoice id; 0: not read yet
	invs   rowsInsert
	audit  rowsInsert
	lines  rowsInsert
	claim  rowsInsert
}

// draftRows are the rows a statement of a draftWriter: invoices, audit,
// lines, claims (each under SQLite's 32,766 variables).
var draftRows = [4]int{64, 64, 256, 512}

// rowsInsert inserts rows of one table many at a time: in statements of
// max rows, the rest in statements of a power of two rows each, every size
// prepared once. vals holds the rows not written yet.
type rowsInsert struct {
	head, row string
	per, max  int // values a row, rows a statement
	stmts     map[int]*sql.Stmt
	vals      []any
}

func (r *rowsInsert) stmt(ctx context.Context, tx *sql.Tx, n int) (*sql.Stmt, error) {
	if st := r.stmts[n]; st != nil {
		return st, nil
	}
	var b strings.Builder
	b.WriteString(r.head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.row)
	}
	st, err := tx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	if r.stmts == nil {
		r.stmts = map[int]*sql.Stmt{}
	}
	r.stmts[n] = st
	return st, nil
}

// write inserts the rows waiting: all of them, or (all false) as many as
// fill whole statements of max rows. On an error it returns the index of
// the first row of the statement that failed (none of whose rows are
// written: a failed statement is undone whole).
func (r *rowsInsert) write(ctx context.Context, tx *sql.Tx, all bool) (int, error) {
	rows, at := len(r.vals)/r.per, 0
	for at < rows {
		n := r.max
		if rows-at < n {
			if !all {
				break
			}
			for n > rows-at {
				n /= 2
			}
		}
		st, err := r.stmt(ctx, tx, n)
		if err != nil {
			return at, err
		}
		if _, err := st.ExecContext(ctx, r.vals[at*r.per:(at+n)*r.per]...); err != nil {
			return at, err
		}
		at += n
	}
	r.vals = r.vals[:copy(r.vals, r.vals[at*r.per:])]
	return at, nil
}

func (r *rowsInsert) close() {
	for _, st := range r.stmts {
		st.Close()
	}
}

func (w *draftWriter) close() {
	w.invs.close()
	w.audit.close()
	w.lines.close()
	w.claim.close()
}

// add saves invs (one account's) as drafts and claims what they bill: the
// rows wait in w until they fill a statement, or flush.
func (w *draftWriter) add(ctx context.Context, invs []Invoice) error {
	if len(invs) == 0 {
		return nil
	}
	if w.lines.head == "" {
		w.invs = rowsInsert{head: `INSERT INTO invoices (id, customer_id, cycle, period_start, period_end, state, terms_days, subtotal, total,
			created_at, created_by, updated_at) VALUES `, row: `(?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`, per: 11, max: draftRows[0]}
		w.audit = rowsInsert{head: `INSERT INTO audit (at, actor, entity, entity_id, action, before, after, job_id) VALUES `,
			row: `(?, ?, 'invoice', ?, 'draft', '', ?, NULL)`, per: 4, max: draftRows[1]}
		w.lines = rowsInsert{head: `INSERT INTO invoice_lines (invoice_id, seq, kind, job_id, position_id, fee_id, day, site, officer, class,
			basis, count, minutes, rate, amount, officer_pay, admin_fee, description) VALUES `,
			row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, per: 18, max: draftRows[2]}
		w.claim = rowsInsert{head: `INSERT INTO invoice_claims (kind, ref_id, invoice_id) VALUES `, row: `(?, ?, ?)`, per: 3, max: draftRows[3]}
	}
	if w.nextID == 0 {
		if err := w.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM invoices`).Scan(&w.nextID); err != nil {
			return err
		}
	}
	for k := range invs {
		inv := &invs[k]
		now := fmtTime(w.s.now())
		inv.ID, inv.CreatedBy = w.nextID, w.actor
		w.nextID++
		w.invs.vals = append(w.invs.vals, inv.ID, inv.CustomerID, inv.Cycle, inv.PeriodStart.Format(dateLayout), inv.PeriodEnd.Format(dateLayout),
			inv.TermsDays, inv.Subtotal.StringFixed(2), inv.Total.StringFixed(2), now, w.actor, now)
		w.audit.vals = append(w.audit.vals, now, w.actor, inv.ID, fmt.Sprintf("%s %s-%s, %d lines, %s", inv.CustomerName, inv.PeriodStart.Format(dateLayout),
			inv.PeriodEnd.AddDate(0, 0, -1).Format(dateLayout), len(inv.Lines), inv.Total.StringFixed(2)))
		seen := map[claimKey]bool{}
		for _, l := range inv.Lines {
			w.lines.vals = append(w.lines.vals, inv.ID, l.Seq, l.Kind, l.JobID, nullID(l.PositionID), nullID(l.FeeID), l.Day.Format(dateLayout), l.Site, l.Officer,
				l.Class, l.Basis, l.Count, l.Minutes, l.Rate.StringFixed(2), l.Amount.StringFixed(2), l.OfficerPay.StringFixed(2), l.AdminFee.StringFixed(2), l.Description)
			key := lineClaim(l)
			if seen[key] {
				continue // a position billed at two rates is claimed once
			}
			seen[key] = true
			w.claim.vals = append(w.claim.vals, key.kind, key.ref, inv.ID)
		}
	}
	return w.flush(ctx, false)
}

// flush writes the rows waiting: all of them, or (all false) those that
// fill whole statements. The invoices go first (their lines and claims
// refer to them).
func (w *draftWriter) flush(ctx context.Context, all bool) error {
	if w.lines.head == "" {
		return nil
	}
	lines, claims := len(w.lines.vals)/w.lines.per >= w.lines.max, len(w.claim.vals)/w.claim.per >= w.claim.max
	if all || lines || claims || len(w.invs.vals)/w.invs.per >= w.invs.max {
		if _, err := w.invs.write(ctx, w.tx, all || lines || claims); err != nil {
			return err
		}
	}
	if _, err := w.lines.write(ctx, w.tx, all); err != nil {
		return err
	}
	claimed := w.claim.vals
	// On PostgreSQL a statement that fails ends the transaction, unless
	// undone to a savepoint: the claims are written after one.
	pg := w.s.dialect().pg() && len(claimed) > 0
	if pg {
		if _, err := w.tx.ExecContext(ctx, `SAVEPOINT claims`); err != nil {
			return err
		}
	}
	if at, err := w.claim.write(ctx, w.tx, all); err != nil {
		if pg {
			if _, rerr := w.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT claims`); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		// Name what is on another invoice already: the rows of the
		// statement that failed, one at a time.
		one, serr := w.claim.stmt(ctx, w.tx, 1)
		if serr != nil {
			return errors.Join(err, serr)
		}
		for i := at * w.claim.per; i < len(claimed); i += w.claim.per {
			if _, cerr := one.ExecContext(ctx, claimed[i:i+w.claim.per]...); cerr != nil {
				return &Error{Code: EConflict, Field: "invoice", Message: fmt.Sprintf("%s %d is already on another invoice", claimed[i], claimed[i+1])}
			}
		}
		return err
	}
	if pg {
		if _, err := w.tx.ExecContext(ctx, `RELEASE SAVEPOINT claims`); err != nil {
			return err
		}
	}
	_, err := w.audit.write(ctx, w.tx, all)
	return err
}

// IssueDrafts issues, oldest period first and one per transaction, every
// draft of the ended periods up to day (those GenerateInvoices covers for
// it), of every account or one, on date `on`: whether this run saved them,
// an earlier --save kept them, or a killed run left them. Run again after a
// kill, it finishes the job; numbers stay gap-free. It returns the invoices
// issued.
func (s *Store) IssueDrafts(ctx context.Context, actor string, day time.Time, customerID int64, on time.Time) ([]Invoice, error) {
	if err := checkYear("date", day); err != nil {
		return nil, err
	}
	last := billableUntil(civil(day), s.Today())
	var ids []int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		q := `SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.state = 'draft' AND i.period_end <= ?`
		args := []any{last.AddDate(0, 0, 1).Format(dateLayout)}
		if customerID != 0 {
			q += ` AND i.customer_id = ?`
			args = append(args, customerID)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY c.name COLLATE NOCASE, i.period_start, i.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []Invoice
	for _, id := range ids {
		if _, err := s.IssueInvoice(ctx, actor, id, on); err != nil {
			if ErrorCode(err) == EConflict && strings.Contains(err.Error(), "only drafts are issued") {
				continue // another run issued it meanwhile
			}
			return out, err
		}
		inv, err := s.Invoice(ctx, actor, id)
		if err != nil {
			return out, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// lineClaim is what an invoice line claims: its position, its job's
// vehicles, or its fee.
func lineClaim(l InvoiceLine) claimKey {
	switch l.Kind {
	case "vehicle":
		return claimKey{"vehicle", l.JobID}
	case "fee":
		return claimKey{"fee", l.FeeID}
	}
	return claimKey{"position", l.PositionID}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func invoiceCustomers(ctx context.Context, q querier, customerID int64) ([]Customer, error) {
	query := `SELECT id, name, phone, email, address, billing_cycle, terms_days, notes FROM customers`
	var args []any
	if customerID != 0 {
		query += ` WHERE id = ?`
		args = append(args, customerID)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Customer
	for rows.Next() {
		var c Customer
		if err := rows.Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Address, &c.BillingCycle, &c.TermsDays, &c.Notes); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if customerID != 0 && len(out) == 0 {
		return nil, &Error{Code: ENotFound, Field: "account", Message: fmt.Sprintf("no customer %d", customerID)}
	}
	return out, nil
}

// An issued invoice names the bill-to it was issued with (bill_name,
// bill_address); a draft, the account's current one.
const invoiceCols = `i.id, coalesce(i.number, ''), i.customer_id, coalesce(i.bill_name, c.name), coalesce(i.bill_address, c.address), c.email, i.cycle, i.period_start, i.period_end, i.state,
	i.terms_days, i.issued_on, i.due_on, i.paid_on, i.paid_ref, i.void_reason, i.subtotal, i.total, i.created_at, i.created_by`

func scanInvoice(sc interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	var ps, pe, sub, tot, created string
	var issued, due, paid sql.NullString
	err := sc.Scan(&inv.ID, &inv.Number, &inv.CustomerID, &inv.CustomerName, &inv.BillTo, &inv.Email, &inv.Cycle, &ps, &pe, &inv.State,
		&inv.TermsDays, &issued, &due, &paid, &inv.PaidRef, &inv.VoidReason, &sub, &tot, &created, &inv.CreatedBy)
	if err != nil {
		return inv, err
	}
	inv.PeriodStart, _ = parseDate(ps)
	inv.PeriodEnd, _ = parseDate(pe)
	inv.IssuedOn, inv.DueOn, inv.PaidOn = nullDate(issued), nullDate(due), nullDate(paid)
	if inv.Subtotal, err = decimal.NewFromString(sub); err != nil {
		return inv, err
	}
	if inv.Total, err = decimal.NewFromString(tot); err != nil {
		return inv, err
	}
	inv.CreatedAt, _ = parseTime(created)
	return inv, nil
}

// InvoiceFilter selects invoices; zero fields match all.
type InvoiceFilter struct {
	CustomerID int64
	State      string
	From, To   time.Time // period start in [From, To)
}

// Invoices lists invoices, newest period first. Invoices are a supervisor's;
// a customer user lists its own account's, drafts left out (they are the
// office's work in progress).
func (s *Store) Invoices(ctx context.Context, actor string, f InvoiceFilter) ([]Invoice, error) {
	v, err := s.Viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	switch {
	case v.IsCustomer():
		f.CustomerID = v.CustomerID
		where = append(where, "i.state <> 'draft'")
	default:
		if err := v.Need(PermAdmin, "reading invoices"); err != nil {
			return nil, err
		}
	}
	if f.CustomerID != 0 {
		where, args = append(where, "i.customer_id = ?"), append(args, f.CustomerID)
	}
	if f.State != "" {
		where, args = append(where, "i.state = ?"), append(args, f.State)
	}
	if !f.From.IsZero() {
		where, args = append(where, "i.period_start >= ?"), append(args, f.From.Format(dateLayout))
	}
	if !f.To.IsZero() {
		where, args = append(where, "i.period_start < ?"), append(args, f.To.Format(dateLayout))
	}
	q := `SELECT ` + invoiceCols + ` FROM invoices i JOIN customers c ON c.id = i.customer_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY i.period_start DESC, c.name, i.id DESC"
	var out []Invoice
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			inv, err := scanInvoice(rows)
			if err != nil {
				return err
			}
			out = append(out, inv)
		}
		return rows.Err()
	})
	return out, err
}

func invoiceByID(ctx context.Context, q querier, id int64) (Invoice, error) {
	inv, err := scanInvoice(q.QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, &Error{Code: ENotFound, Field: "invoice", Message: fmt.Sprintf("no invoice %d", id)}
	}
	if err != nil {
		return inv, err
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, job_id, coalesce(position_id, 0), coalesce(fee_id, 0), day, site, officer, class, basis,
		count, minutes, rate, amount, officer_pay, admin_fee, description FROM invoice_lines WHERE invoice_id = ? ORDER BY seq`, id)
	if err != nil {
		return inv, err
	}
	defer rows.Close()
	for rows.Next() {
		var l InvoiceLine
		var day, rate, amount, op, af string
		if err := rows.Scan(&l.Seq, &l.Kind, &l.JobID, &l.PositionID, &l.FeeID, &day, &l.Site, &l.Officer, &l.Class, &l.Basis,
			&l.Count, &l.Minutes, &rate, &amount, &op, &af, &l.Description); err != nil {
			return inv, err
		}
		l.Day, _ = parseDate(day)
		for _, m := range []struct {
			dst *decimal.Decimal
			src string
		}{{&l.Rate, rate}, {&l.Amount, amount}, {&l.OfficerPay, op}, {&l.AdminFee, af}} {
			if *m.dst, err = decimal.NewFromString(m.src); err != nil {
				return inv, err
			}
		}
		inv.Lines = append(inv.Lines, l)
	}
	return inv, rows.Err()
}

// Invoice loads one invoice with its lines: a supervisor's, or a customer
// user's own account's once issued.
func (s *Store) Invoice(ctx context.Context, actor string, id int64) (Invoice, error) {
	var inv Invoice
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if !v.IsCustomer() {
			if err := v.Need(PermAdmin, "reading invoices"); err != nil {
				return err
			}
		}
		if inv, err = invoiceByID(ctx, tx, id); err != nil {
			return err
		}
		if v.IsCustomer() && (inv.CustomerID != v.CustomerID || inv.State == InvoiceDraft) {
			inv = Invoice{}
			return &Error{Code: EForbidden, Field: "invoice", Message: "that invoice is not on your account"}
		}
		return nil
	})
	return inv, err
}

// InvoiceByNumber finds an issued invoice by its number ("2026-000123"), or a
// draft by "#ID".
func (s *Store) InvoiceByNumber(ctx context.Context, actor, number string) (Invoice, error) {
	number = strings.TrimSpace(number)
	var id int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		if strings.HasPrefix(number, "#") {
			_, err := fmt.Sscanf(number, "#%d", &id)
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id FROM invoices WHERE number = ?`, number).Scan(&id)
	})
	if err != nil {
		return Invoice{}, &Error{Code: ENotFound, Field: "invoice", Message: fmt.Sprintf("no invoice %q", number)}
	}
	inv, err := s.Invoice(ctx, actor, id)
	if ErrorCode(err) == EForbidden && strings.Contains(err.Error(), "not on your account") {
		err = &Error{Code: EForbidden, Field: "invoice", Message: fmt.Sprintf("invoice %s is not on your account", number)}
	}
	return inv, err
}

func (s *Store) invoiceTx(ctx context.Context, actor string, id int64, fn func(tx *sql.Tx, inv Invoice) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil { // invoices are a supervisor's
			return err
		}
		inv, err := invoiceByID(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, inv)
	})
}

// IssueInvoice issues a draft on day `on`: it takes the next number of that
// year (gap-free), its due date from the payment terms, and its jobs become
// invoiced. An issued invoice never changes.
func (s *Store) IssueInvoice(ctx context.Context, actor string, id int64, on time.Time) (string, error) {
	var number string
	err := s.invoiceTx(ctx, actor, id, func(tx *sql.Tx, inv Invoice) error {
		if inv.State != InvoiceDraft {
			return &Error{Code: EConflict, Field: "state", Message: fmt.Sprintf("invoice %s is %s: only drafts are issued", invoiceName(inv), inv.State)}
		}
		day := civil(on)
		if err := checkYear("issue date", day); err != nil {
			return err
		}
		// Issued today, or on a past day not before the period's end (its
		// last day); never in the future.
		if today := s.Today(); day.After(today) {
			return &Error{Code: EInvalid, Field: "issued_on", Message: fmt.Sprintf("issue date %s is in the future: an invoice is issued today (%s) or on a past day",
				longDate(day), longDate(today))}
		}
		if lastDay := inv.PeriodEnd.AddDate(0, 0, -1); day.Before(lastDay) {
			return &Error{Code: EInvalid, Field: "issued_on", Message: fmt.Sprintf("invoice %s covers %s to %s: it is not issued before the period's end (%s), not on %s",
				invoiceName(inv), longDate(inv.PeriodStart), longDate(lastDay), longDate(lastDay), longDate(day))}
		}
		var last int
		err := tx.QueryRowContext(ctx, `INSERT INTO invoice_counters (year, last) VALUES (?, 1)
			ON CONFLICT(year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last`, day.Year()).Scan(&last)
		if err != nil {
			return err
		}
		number = fmt.Sprintf("%04d-%06d", day.Year(), last)
		due := day.AddDate(0, 0, inv.TermsDays) // terms 0: due on receipt, the issue date
		// The bill-to is kept as issued: a later edit or merge of the account leaves it.
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET state = 'issued', number = ?, issued_on = ?, due_on = ?, bill_name = ?, bill_address = ?, updated_at = ? WHERE id = ?`,
			number, day.Format(dateLayout), due.Format(dateLayout), inv.CustomerName, inv.BillTo, fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := s.setJobStatuses(ctx, tx, actor, id, StatusCompleted, StatusInvoiced); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "invoice", id, "issue", "draft", number+", due "+due.Format(dateLayout)+", "+inv.Total.StringFixed(2)); err != nil {
			return err
		}
		return s.tellInvoiceIssued(ctx, tx, id)
	})
	return number, err
}

// setJobStatuses moves the jobs billed by an invoice from one status to another.
func (s *Store) setJobStatuses(ctx context.Context, tx *sql.Tx, actor string, invoiceID int64, from, to string) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT j.id FROM invoice_lines l JOIN jobs j ON j.id = l.job_id
		WHERE l.invoice_id = ? AND j.status = ? AND l.kind <> 'fee'`, invoiceID, from)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	sort.Slice(ids, func(i, k int) bool { return ids[i] < ids[k] })
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?`, to, fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "job", id, "status", from, to); err != nil {
			return err
		}
	}
	return nil
}

func invoiceName(inv Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return fmt.Sprintf("#%d", inv.ID)
}

// MarkPaid records the payment of an issued invoice; its jobs become paid.
func (s *Store) MarkPaid(ctx context.Context, actor string, id int64, on time.Time, ref string) error {
	ref = Clean(ref, false)
	if n := len([]rune(ref)); n > 200 {
		return &Error{Code: EInvalid, Field: "ref", Message: fmt.Sprintf("payment reference: at most 200 characters (got %d)", n)}
	}
	day := civil(on)
	if err := checkYear("payment date", day); err != nil {
		return err
	}
	return s.invoiceTx(ctx, actor, id, func(tx *sql.Tx, inv Invoice) error {
		if inv.State != InvoiceIssued {
			return &Error{Code: EConflict, Field: "state", Message: fmt.Sprintf("invoice %s is %s: only issued invoices are paid", invoiceName(inv), inv.State)}
		}
		// A payment lies between the issue date and today.
		if today := s.Today(); day.Before(inv.IssuedOn) || day.After(today) {
			return &Error{Code: EInvalid, Field: "paid_on", Message: fmt.Sprintf("payment date %s: it lies between the issue date (%s) and today (%s)",
				longDate(day), longDate(inv.IssuedOn), longDate(today))}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET state = 'paid', paid_on = ?, paid_ref = ?, updated_at = ? WHERE id = ?`,
			day.Format(dateLayout), ref, fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := s.setJobStatuses(ctx, tx, actor, id, StatusInvoiced, StatusPaid); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "invoice", id, "paid", "issued", day.Format(dateLayout)+" "+ref)
	})
}

// VoidInvoice voids a draft or issued invoice with a reason: its shifts,
// vehicles and fees can be billed again (a new invoice is the correction),
// and an issued one keeps its number so numbering stays gap-free. A paid
// invoice cannot be voided.
func (s *Store) VoidInvoice(ctx context.Context, actor string, id int64, reason string) error {
	reason = Clean(reason, false)
	if reason == "" {
		return &Error{Code: EInvalid, Field: "reason", Message: "voiding needs a reason"}
	}
	if n := len([]rune(reason)); n > 500 {
		return &Error{Code: EInvalid, Field: "reason", Message: fmt.Sprintf("reason: at most 500 characters (got %d)", n)}
	}
	return s.invoiceTx(ctx, actor, id, func(tx *sql.Tx, inv Invoice) error {
		if inv.State != InvoiceDraft && inv.State != InvoiceIssued {
			return &Error{Code: EConflict, Field: "state", Message: fmt.Sprintf("invoice %s is %s: only drafts and unpaid invoices can be voided", invoiceName(inv), inv.State)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET state = 'void', void_reason = ?, updated_at = ? WHERE id = ?`, reason, fmtTime(s.now()), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invoice_claims WHERE invoice_id = ?`, id); err != nil {
			return err
		}
		if err := s.setJobStatuses(ctx, tx, actor, id, StatusInvoiced, StatusCompleted); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "invoice", id, "void", inv.State, reason)
	})
}

// longDate is a civil date as people read it: "Sun 29 Nov 2026".
func longDate(d time.Time) string { return d.Format("Mon 02 Jan 2006") }
