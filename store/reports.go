package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Reports (issue 14): the office's numbers over a period, for a supervisor.
// Each report runs in one read transaction (one consistent snapshot while
// others write). Days are local days: a shift belongs to the day it starts
// in its agency's zone, an invoice to its issue date. Money is summed
// exactly: amounts are stored as two-decimal text, summed in SQL as whole
// cents (the text without its point, an integer) and handed back as
// decimal.Decimal; nothing passes through floating point.

// ReportNames are the reports, in the order the console and the commands offer them.
var ReportNames = []string{"revenue", "receivables", "fill", "fairness", "compliance"}

// ReportFilter selects what a report covers.
type ReportFilter struct {
	From, To time.Time // civil dates (their year, month and day): the days [From, To)
	Agency   string    // an agency's slug; "" for all
	AsOf     time.Time // receivables: the civil date the invoices are aged at (zero: today)
}

// ReportScope is a filter as the store resolved it.
type ReportScope struct {
	From, To time.Time // civil dates (UTC midnight), To exclusive
	AsOf     time.Time // civil date
	Agency   *Agency   // nil: every agency
	Agencies []Agency  // every agency, by name

	d *dialect // the store's SQL
}

// AgencyName is the agency reported on, or "all agencies".
func (sc ReportScope) AgencyName() string {
	if sc.Agency == nil {
		return "all agencies"
	}
	return sc.Agency.Name
}

// agency finds an agency of the scope by id (the zero Agency, with the
// office's zone, for one not known).
func (sc *ReportScope) agency(id int64) Agency {
	for _, a := range sc.Agencies {
		if a.ID == id {
			return a
		}
	}
	return Agency{ID: id, Slug: fmt.Sprint(id), Name: fmt.Sprintf("agency %d", id), Loc: time.UTC}
}

func (sc *ReportScope) in(day time.Time) bool { return !day.Before(sc.From) && day.Before(sc.To) }

// window is the instants that may start on the scope's local days in any
// zone (local dates run at most 14 h from UTC): a range for starts_at.
func (sc *ReportScope) window(before, after time.Duration) (string, string) {
	return fmtTime(sc.From.Add(-36*time.Hour - before)), fmtTime(sc.To.Add(36*time.Hour + after))
}

// agencyCond is " AND col = ?" with its argument when the scope has an agency.
func (sc *ReportScope) agencyCond(col string, args []any) (string, []any) {
	if sc.Agency == nil {
		return "", args
	}
	return " AND " + col + " = ?", append(args, sc.Agency.ID)
}

// MaxReportDays bounds a report's period (ten years).
const MaxReportDays = 3660

// report resolves the filter and runs fn in one read transaction, for a
// supervisor (or the local operator).
func (s *Store) report(ctx context.Context, actor, what string, f ReportFilter, fn func(tx *sql.Tx, sc *ReportScope) error) error {
	sc := &ReportScope{From: civil(f.From), To: civil(f.To), AsOf: civil(f.AsOf), d: s.dialect()}
	if f.AsOf.IsZero() {
		sc.AsOf = s.Today()
	}
	for _, d := range []struct {
		field string
		t     time.Time
	}{{"from", sc.From}, {"to", sc.To}, {"as_of", sc.AsOf}} {
		if err := checkYear(d.field, d.t); err != nil {
			return err
		}
	}
	if !sc.From.Before(sc.To) {
		return &Error{Code: EInvalid, Field: "to", Message: fmt.Sprintf("the period ends (%s) before it begins (%s): the end is the day after the last",
			sc.To.Format(dateLayout), sc.From.Format(dateLayout))}
	}
	if days := int(sc.To.Sub(sc.From).Hours() / 24); days > MaxReportDays {
		return &Error{Code: EInvalid, Field: "to", Message: fmt.Sprintf("a report covers at most ten years (%d days), not %d", MaxReportDays, days)}
	}
	return s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := v.Need(PermAdmin, what); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, slug, name, zone FROM agencies ORDER BY name`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a Agency
			if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Zone); err != nil {
				rows.Close()
				return err
			}
			if a.Loc, err = time.LoadLocation(a.Zone); err != nil {
				rows.Close()
				return err
			}
			sc.Agencies = append(sc.Agencies, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if slug := strings.TrimSpace(strings.ToLower(f.Agency)); slug != "" {
			for i := range sc.Agencies {
				if sc.Agencies[i].Slug == slug {
					sc.Agency = &sc.Agencies[i]
				}
			}
			if sc.Agency == nil {
				var known []string
				for _, a := range sc.Agencies {
					known = append(known, a.Slug)
				}
				return &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("unknown agency %q (known: %s)", Clean(f.Agency, false), strings.Join(known, ", "))}
			}
		}
		return fn(tx, sc)
	})
}

// centsOf is the SQL for a two-decimal money column as whole cents, exact.
func centsOf(col string) string { return `CAST(round(` + col + ` * 100) AS BIGINT)` }

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

// ReportCustomer is an account as the reports name it, with its contact.
type ReportCustomer struct {
	ID           int64
	Name         string
	Phone, Email string
	Contact      string // the first contact's name ("" when none)
	ContactPhone string
	ContactEmail string
}

func reportCustomers(ctx context.Context, q querier) (map[int64]ReportCustomer, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.name, c.phone, c.email, coalesce(k.name, ''), coalesce(k.phone, ''), coalesce(k.email, '')
		FROM customers c LEFT JOIN contacts k ON k.id = (SELECT min(id) FROM contacts WHERE customer_id = c.id)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]ReportCustomer{}
	for rows.Next() {
		var c ReportCustomer
		if err := rows.Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Contact, &c.ContactPhone, &c.ContactEmail); err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

func reportOfficers(ctx context.Context, q querier) (map[int64]Officer, error) {
	list, err := officers(ctx, q, ``)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Officer, len(list))
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// ---- Revenue ----

// RevenueRow is what was billed in one month, for one agency's work, to one
// account: invoices issued or paid, by issue date.
type RevenueRow struct {
	Month      time.Time // the first of the month (civil date)
	AgencyID   int64
	CustomerID int64
	Customer   string
	Invoices   int // invoices with lines of this agency
	Billed     decimal.Decimal
	OfficerPay decimal.Decimal // the officer share of shift and vehicle lines
	AdminFees  decimal.Decimal // the office's admin fee of shift and vehicle lines
	CancelFees decimal.Decimal // cancellation and reduction fees
}

// RevenueTotal is a sum of revenue rows (a month, an agency, a customer, all).
type RevenueTotal struct {
	Key        string // the month ("2026-11"), the agency's slug, the customer's id
	Label      string // "Nov 2026", the agency's or the customer's name
	Invoices   int
	Billed     decimal.Decimal
	OfficerPay decimal.Decimal
	AdminFees  decimal.Decimal
	CancelFees decimal.Decimal
}

func (t *RevenueTotal) add(r RevenueRow) {
	t.Billed = t.Billed.Add(r.Billed)
	t.OfficerPay = t.OfficerPay.Add(r.OfficerPay)
	t.AdminFees = t.AdminFees.Add(r.AdminFees)
	t.CancelFees = t.CancelFees.Add(r.CancelFees)
}

// AgencyPay is, for one agency, its officers' shifts of the period (by the
// shift's local start date) as payroll pays them: hours paid (the billed
// time: the minimum, the full shift when released early, the real time when
// held over) and the officer share, vehicles included.
type AgencyPay struct {
	Agency  Agency
	Minutes int
	Pay     decimal.Decimal
}

// RevenueReport is what was billed (invoices issued and paid by issue date)
// by month, agency and customer, split into officer pay, admin fees and
// cancellation fees; and per agency what its officers were paid for the
// shifts worked in the period.
type RevenueReport struct {
	Scope     ReportScope
	Total     RevenueTotal
	Rows      []RevenueRow   // month, agency, customer
	Months    []RevenueTotal // every month of the period, oldest first
	Agencies  []RevenueTotal // by agency name
	Customers []RevenueTotal // most billed first
	Pay       []AgencyPay    // by agency name
	PayTotal  AgencyPay      // every agency
}

// Revenue is the revenue report (see RevenueReport).
func (s *Store) Revenue(ctx context.Context, actor string, f ReportFilter) (RevenueReport, error) {
	var r RevenueReport
	err := s.report(ctx, actor, "the revenue report", f, func(tx *sql.Tx, sc *ReportScope) error {
		r = RevenueReport{Scope: *sc}
		if err := billed(ctx, tx, sc, &r); err != nil {
			return err
		}
		pay, err := workedPay(ctx, tx, sc, nil)
		if err != nil {
			return err
		}
		for _, a := range sc.Agencies {
			if sc.Agency != nil && sc.Agency.ID != a.ID {
				continue
			}
			p := pay.byAgency[a.ID]
			r.Pay = append(r.Pay, AgencyPay{Agency: a, Minutes: p.minutes, Pay: cents(p.cents)})
			r.PayTotal.Minutes += p.minutes
			r.PayTotal.Pay = r.PayTotal.Pay.Add(cents(p.cents))
		}
		r.PayTotal.Agency = Agency{Name: sc.AgencyName()}
		return nil
	})
	return r, err
}

// billed reads the lines of the invoices issued (or since paid) in the
// period, summed per invoice, kind and agency.
func billed(ctx context.Context, tx *sql.Tx, sc *ReportScope, r *RevenueReport) error {
	args := []any{sc.From.Format(dateLayout), sc.To.Format(dateLayout)}
	cond, args := sc.agencyCond("j.agency_id", args)
	// Each agency's share in its own columns, so that the rows come grouped
	// as the indexes walk them (issue date, invoice, kind): no sort of a
	// year's lines. (A job's agency is one of the agencies: a foreign key.)
	var ids []int64
	for _, a := range sc.Agencies {
		if sc.Agency == nil || sc.Agency.ID == a.ID {
			ids = append(ids, a.ID)
		}
	}
	var cols strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&cols, `, %s, sum(CASE WHEN j.agency_id = %d THEN %s END), sum(CASE WHEN j.agency_id = %d THEN %s END)`,
			sc.d.countIf(fmt.Sprintf("j.agency_id = %d", id)), id, centsOf("l.amount"), id, centsOf("l.officer_pay"))
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.issued_on, i.id, i.customer_id, l.kind`+cols.String()+`
		FROM invoices i INDEXED BY invoices_issued
		JOIN invoice_lines l INDEXED BY invoice_lines_money ON l.invoice_id = i.id
		JOIN jobs j INDEXED BY jobs_dims ON j.id = l.job_id
		WHERE i.issued_on >= ? AND i.issued_on < ? AND i.state IN ('issued', 'paid')`+cond+`
		GROUP BY i.issued_on, i.id, l.kind`, args...)
	if err != nil {
		return err
	}
	type key struct {
		month          string
		agency, custom int64
	}
	acc := map[key]*RevenueRow{}
	seen := map[key]map[int64]bool{}
	all := map[int64]bool{}
	per := make([]sql.NullInt64, 3*len(ids))
	dest := make([]any, 4, 4+len(per))
	for i := range per {
		dest = append(dest, &per[i])
	}
	for rows.Next() {
		var inv, cust int64
		var issued, kind string
		dest[0], dest[1], dest[2], dest[3] = &issued, &inv, &cust, &kind
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		for ai, agency := range ids {
			if per[3*ai].Int64 == 0 {
				continue // no line of this agency
			}
			amount, officer := per[3*ai+1].Int64, per[3*ai+2].Int64
			k := key{issued[:7], agency, cust}
			row := acc[k]
			if row == nil {
				m, _ := time.Parse("2006-01", k.month)
				row = &RevenueRow{Month: m, AgencyID: agency, CustomerID: cust}
				acc[k], seen[k] = row, map[int64]bool{}
			}
			if !seen[k][inv] {
				seen[k][inv] = true
				row.Invoices++
			}
			all[inv] = true
			row.Billed = row.Billed.Add(cents(amount))
			if kind == "fee" {
				row.CancelFees = row.CancelFees.Add(cents(amount))
			} else {
				row.OfficerPay = row.OfficerPay.Add(cents(officer))
				row.AdminFees = row.AdminFees.Add(cents(amount - officer))
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	custs, err := reportCustomers(ctx, tx)
	if err != nil {
		return err
	}
	for _, row := range acc {
		row.Customer = custs[row.CustomerID].Name
		r.Rows = append(r.Rows, *row)
	}
	sort.Slice(r.Rows, func(i, k int) bool {
		a, b := r.Rows[i], r.Rows[k]
		if !a.Month.Equal(b.Month) {
			return a.Month.Before(b.Month)
		}
		if a.AgencyID != b.AgencyID {
			return sc.agency(a.AgencyID).Name < sc.agency(b.AgencyID).Name
		}
		if a.Customer != b.Customer {
			return strings.ToLower(a.Customer) < strings.ToLower(b.Customer)
		}
		return a.CustomerID < b.CustomerID
	})

	// Roll-ups: every month of the period (empty ones too, for the chart),
	// the agencies, the customers.
	months := map[string]*RevenueTotal{}
	for m := time.Date(sc.From.Year(), sc.From.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(sc.To); m = m.AddDate(0, 1, 0) {
		r.Months = append(r.Months, RevenueTotal{Key: m.Format("2006-01"), Label: m.Format("Jan 2006")})
	}
	for i := range r.Months {
		months[r.Months[i].Key] = &r.Months[i]
	}
	agencies := map[int64]*RevenueTotal{}
	for _, a := range sc.Agencies {
		if sc.Agency != nil && sc.Agency.ID != a.ID {
			continue
		}
		r.Agencies = append(r.Agencies, RevenueTotal{Key: a.Slug, Label: a.Name})
	}
	for i := range r.Agencies {
		for _, a := range sc.Agencies {
			if a.Slug == r.Agencies[i].Key {
				agencies[a.ID] = &r.Agencies[i]
			}
		}
	}
	customers := map[int64]*RevenueTotal{}
	for _, row := range r.Rows {
		mk := row.Month.Format("2006-01")
		if months[mk] != nil {
			months[mk].add(row)
		}
		if a := agencies[row.AgencyID]; a != nil {
			a.add(row)
			a.Invoices += row.Invoices
		} else {
			a := sc.agency(row.AgencyID)
			r.Agencies = append(r.Agencies, RevenueTotal{Key: a.Slug, Label: a.Name})
			agencies[row.AgencyID] = &r.Agencies[len(r.Agencies)-1]
			agencies[row.AgencyID].add(row)
			agencies[row.AgencyID].Invoices += row.Invoices
		}
		c := customers[row.CustomerID]
		if c == nil {
			c = &RevenueTotal{Key: fmt.Sprint(row.CustomerID), Label: row.Customer}
			customers[row.CustomerID] = c
		}
		c.add(row)
		r.Total.add(row)
	}
	// Invoice counts of months and customers: each invoice once, whatever
	// agencies its lines are for.
	invMonth := map[string]map[int64]bool{}
	invCust := map[int64]map[int64]bool{}
	for k := range seen {
		for inv := range seen[k] {
			if invMonth[k.month] == nil {
				invMonth[k.month] = map[int64]bool{}
			}
			invMonth[k.month][inv] = true
			if invCust[k.custom] == nil {
				invCust[k.custom] = map[int64]bool{}
			}
			invCust[k.custom][inv] = true
		}
	}
	for mk, set := range invMonth {
		if months[mk] != nil {
			months[mk].Invoices = len(set)
		}
	}
	for id, c := range customers {
		c.Invoices = len(invCust[id])
		r.Customers = append(r.Customers, *c)
	}
	sort.Slice(r.Customers, func(i, k int) bool {
		a, b := r.Customers[i], r.Customers[k]
		if c := a.Billed.Cmp(b.Billed); c != 0 {
			return c > 0
		}
		return strings.ToLower(a.Label) < strings.ToLower(b.Label)
	})
	r.Total.Invoices = len(all)
	r.Total.Key, r.Total.Label = "total", "Total"
	return nil
}

// ---- Payroll arithmetic over a period ----

type payAcc struct {
	minutes int   // shift minutes, as payroll counts them
	cents   int64 // officer share, shifts and vehicles
	shifts  int
}

type payTotals struct {
	byAgency  map[int64]payAcc
	byOfficer map[int64]payAcc // only when asked
	agencyOf  map[int64]int64  // officer -> agency of their shifts
}

func (p *payTotals) add(agency, officer int64, minutes int, c int64, shifts int, byOfficer bool) {
	a := p.byAgency[agency]
	a.minutes, a.cents, a.shifts = a.minutes+minutes, a.cents+c, a.shifts+shifts
	p.byAgency[agency] = a
	if byOfficer && officer != 0 {
		o := p.byOfficer[officer]
		o.minutes, o.cents, o.shifts = o.minutes+minutes, o.cents+c, o.shifts+shifts
		p.byOfficer[officer] = o
		p.agencyOf[officer] = agency
	}
}

// workedPay is payroll's arithmetic (payLines) for the shifts whose local
// start date is in the period, summed per agency (and per officer): every
// worked position of a completed, invoiced or paid job at its officer
// share, a job's vehicles to its first officer. It is exact and cheap: what
// an invoice that is not void bills for a position or a job's vehicles is
// what payroll pays for it (both price it with pricing.ChargeShift from the
// job's own rate card, and a billed shift no longer changes), so billed
// work is summed from those lines; only the work on no invoice yet (the
// completed jobs of periods still open, or of a voided invoice) is priced
// here, as payroll prices it.
//
// By officer (offs set), the billed shifts are read without their jobs: a
// line of an invoice that is not void is a completed, invoiced or paid
// job's (billing takes completed jobs only, and only a void gives one back
// to completed), and an officer's shifts are their agency's.
func workedPay(ctx context.Context, tx *sql.Tx, sc *ReportScope, offs map[int64]Officer) (*payTotals, error) {
	byOfficer := offs != nil
	out := &payTotals{byAgency: map[int64]payAcc{}, byOfficer: map[int64]payAcc{}, agencyOf: map[int64]int64{}}
	args := []any{sc.From.Format(dateLayout), sc.To.Format(dateLayout)}
	cond, args := sc.agencyCond("j.agency_id", args)
	// Billed shifts (a position billed at two rates has two lines).
	// By agency, shifts and vehicles in one pass (a vehicle line has no minutes).
	q := `SELECT j.agency_id, 0, sum(CASE l.kind WHEN 'shift' THEN l.minutes ELSE 0 END), sum(` + centsOf("l.officer_pay") + `), 0
		FROM invoice_lines l INDEXED BY invoice_lines_day JOIN jobs j INDEXED BY jobs_dims ON j.id = l.job_id
		WHERE l.day >= ? AND l.day < ? AND l.kind IN ('shift', 'vehicle') AND j.status IN ('completed', 'invoiced', 'paid')
		AND l.invoice_id NOT IN (SELECT id FROM invoices WHERE state = 'void')` + cond + `
		GROUP BY 1`
	qargs := args
	if byOfficer {
		q = `SELECT 0, p.officer_id, sum(l.minutes), sum(` + centsOf("l.officer_pay") + `), count(DISTINCT l.position_id)
		FROM invoice_lines l INDEXED BY invoice_lines_day JOIN positions p ON p.id = l.position_id
		WHERE l.day >= ? AND l.day < ? AND l.kind = 'shift' AND p.officer_id IS NOT NULL
		AND l.invoice_id NOT IN (SELECT id FROM invoices WHERE state = 'void')
		GROUP BY 2`
		qargs = args[:2]
	}
	rows, err := tx.QueryContext(ctx, q, qargs...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var agency, off int64
		var minutes int
		var c int64
		var n int
		if err := rows.Scan(&agency, &off, &minutes, &c, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if byOfficer {
			agency = offs[off].AgencyID
			if sc.Agency != nil && agency != sc.Agency.ID {
				continue
			}
		}
		out.add(agency, off, minutes, c, n, byOfficer)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Billed vehicles, paid to the job's first officer: the period's days
	// one by one, each a range of the index (day, kind).
	if byOfficer {
		rows, err = tx.QueryContext(ctx, sc.d.daysCTE()+`
			SELECT j.agency_id, coalesce((SELECT p.officer_id FROM positions p WHERE p.job_id = l.job_id AND p.status = 'assigned'
				AND p.officer_id IS NOT NULL ORDER BY p.slot LIMIT 1), 0), sum(`+centsOf("l.officer_pay")+`)
			FROM days `+sc.d.crossJoin+` invoice_lines l INDEXED BY invoice_lines_day ON l.day = days.d AND l.kind = 'vehicle'
			JOIN jobs j INDEXED BY jobs_dims ON j.id = l.job_id
			WHERE j.status IN ('completed', 'invoiced', 'paid') AND l.invoice_id NOT IN (SELECT id FROM invoices WHERE state = 'void')`+cond+`
			GROUP BY 1, 2`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var agency, off int64
			var c int64
			if err := rows.Scan(&agency, &off, &c); err != nil {
				rows.Close()
				return nil, err
			}
			out.add(agency, off, 0, c, 0, byOfficer)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	// Work on no invoice: completed jobs (an invoiced or paid job has all its
	// work on its invoice), priced as payroll prices it.
	lo, hi := sc.window(0, 0)
	wargs := []any{lo, hi}
	wcond, wargs := sc.agencyCond("j.agency_id", wargs)
	set, err := loadBillingWhere(ctx, sc.d, tx, `j.starts_at >= ? AND j.starts_at < ? AND j.status = 'completed'`+wcond, wargs, false, `j.status`)
	if err != nil {
		return nil, err
	}
	pr := newPricer()
	for _, j := range set.jobs {
		a, err := pr.agency(ctx, tx, j)
		if err != nil {
			return nil, err
		}
		if !sc.in(civilIn(j.Start, a.Zone)) {
			continue
		}
		var firstOfficer int64
		for _, p := range set.pos[j.ID] {
			lines := positionCharge(a, j, p)
			if len(lines) == 0 {
				continue
			}
			if firstOfficer == 0 {
				firstOfficer = p.OfficerID
			}
			if set.claimed[claimKey{"position", p.ID}] {
				continue
			}
			var m int
			var pay decimal.Decimal
			for _, l := range lines {
				m += l.Minutes
				pay = pay.Add(l.OfficerPay)
			}
			out.add(j.AgencyID, p.OfficerID, m, pay.Shift(2).IntPart(), 1, byOfficer)
		}
		if set.claimed[claimKey{"vehicle", j.ID}] || firstOfficer == 0 {
			continue
		}
		if vl, ok := vehicleCharge(a, j); ok {
			out.add(j.AgencyID, firstOfficer, 0, vl.OfficerPay.Shift(2).IntPart(), 0, byOfficer)
		}
	}
	return out, nil
}

// ---- Receivables ----

// AgingBuckets name the receivables' buckets by days past the due date.
var AgingBuckets = []string{"not yet due", "1-30 days", "31-60 days", "61-90 days", "over 90 days"}

// agingBucket is the bucket of an invoice so many days past due.
func agingBucket(days int) int {
	switch {
	case days <= 0:
		return 0
	case days <= 30:
		return 1
	case days <= 60:
		return 2
	case days <= 90:
		return 3
	}
	return 4
}

// Receivable is an invoice unpaid on the as-of date.
type Receivable struct {
	InvoiceID  int64
	Number     string
	Customer   ReportCustomer
	IssuedOn   time.Time
	DueOn      time.Time
	DaysLate   int // days past due on the as-of date (0 or less: not yet due)
	Bucket     int // index in AgingBuckets
	Amount     decimal.Decimal
	PaidLater  time.Time // paid after the as-of date (zero: still unpaid)
	InvoiceSum decimal.Decimal
}

// AccountAging is one account's unpaid invoices by bucket.
type AccountAging struct {
	Customer ReportCustomer
	Buckets  [5]decimal.Decimal
	Invoices int
	Total    decimal.Decimal
	Oldest   int // most days past due
}

// ReceivablesReport ages what was unpaid on the as-of date: the invoices
// issued by then and not paid by then, by days past their due date, per
// account, and the overdue ones with whom to call. With an agency, only
// that agency's lines of each invoice count.
type ReceivablesReport struct {
	Scope    ReportScope
	Buckets  [5]decimal.Decimal
	Counts   [5]int
	Total    decimal.Decimal
	Invoices int
	Accounts []AccountAging // most owed first
	Unpaid   []Receivable   // every unpaid invoice, most days past due first
	Overdue  []Receivable   // of them, those past due
}

// Receivables is the receivables report (see ReceivablesReport). Only the
// as-of date of the filter matters (From and To are kept for the title).
func (s *Store) Receivables(ctx context.Context, actor string, f ReportFilter) (ReceivablesReport, error) {
	var r ReceivablesReport
	if f.From.IsZero() && f.To.IsZero() { // the as-of date's month, for the title
		d := f.AsOf
		if d.IsZero() {
			d = s.Today()
		}
		f.From = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		f.To = f.From.AddDate(0, 1, 0)
	}
	err := s.report(ctx, actor, "the receivables report", f, func(tx *sql.Tx, sc *ReportScope) error {
		r = ReceivablesReport{Scope: *sc}
		asOf := sc.AsOf.Format(dateLayout)
		rows, err := tx.QueryContext(ctx, `SELECT i.id, coalesce(i.number, ''), i.customer_id, i.issued_on, i.due_on, `+sc.d.dayOr("i.paid_on", "''")+`, i.total
			FROM invoices i WHERE i.state IN ('issued', 'paid') AND i.issued_on <= ? AND (i.state = 'issued' OR i.paid_on > ?)`, asOf, asOf)
		if err != nil {
			return err
		}
		var list []Receivable
		for rows.Next() {
			var rc Receivable
			var issued, due, paid, total string
			if err := rows.Scan(&rc.InvoiceID, &rc.Number, &rc.Customer.ID, &issued, &due, &paid, &total); err != nil {
				rows.Close()
				return err
			}
			rc.IssuedOn, _ = parseDate(issued)
			rc.DueOn, _ = parseDate(due)
			if paid != "" {
				rc.PaidLater, _ = parseDate(paid)
			}
			if rc.InvoiceSum, err = decimal.NewFromString(total); err != nil {
				rows.Close()
				return fmt.Errorf("invoice %d total: %w", rc.InvoiceID, err)
			}
			rc.Amount = rc.InvoiceSum
			list = append(list, rc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if sc.Agency != nil && len(list) > 0 {
			// Only the agency's lines: an account may hire both agencies.
			ids := make([]any, 0, len(list)+1)
			for _, rc := range list {
				ids = append(ids, rc.InvoiceID)
			}
			share := map[int64]int64{}
			rows, err := tx.QueryContext(ctx, `SELECT l.invoice_id, sum(`+centsOf("l.amount")+`) FROM invoice_lines l INDEXED BY invoice_lines_money
				JOIN jobs j INDEXED BY jobs_dims ON j.id = l.job_id WHERE j.agency_id = ? AND l.invoice_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)
				GROUP BY l.invoice_id`, append([]any{sc.Agency.ID}, ids...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, c int64
				if err := rows.Scan(&id, &c); err != nil {
					rows.Close()
					return err
				}
				share[id] = c
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			kept := list[:0]
			for _, rc := range list {
				if c, ok := share[rc.InvoiceID]; ok {
					rc.Amount = cents(c)
					kept = append(kept, rc)
				}
			}
			list = kept
		}
		custs, err := reportCustomers(ctx, tx)
		if err != nil {
			return err
		}
		accounts := map[int64]*AccountAging{}
		for i := range list {
			rc := &list[i]
			rc.Customer = custs[rc.Customer.ID]
			rc.DaysLate = int(sc.AsOf.Sub(rc.DueOn).Hours() / 24)
			rc.Bucket = agingBucket(rc.DaysLate)
			r.Buckets[rc.Bucket] = r.Buckets[rc.Bucket].Add(rc.Amount)
			r.Counts[rc.Bucket]++
			r.Total = r.Total.Add(rc.Amount)
			r.Invoices++
			a := accounts[rc.Customer.ID]
			if a == nil {
				a = &AccountAging{Customer: rc.Customer}
				accounts[rc.Customer.ID] = a
			}
			a.Buckets[rc.Bucket] = a.Buckets[rc.Bucket].Add(rc.Amount)
			a.Total = a.Total.Add(rc.Amount)
			a.Invoices++
			a.Oldest = max(a.Oldest, rc.DaysLate)
			r.Unpaid = append(r.Unpaid, *rc)
		}
		for _, a := range accounts {
			r.Accounts = append(r.Accounts, *a)
		}
		sort.Slice(r.Accounts, func(i, k int) bool {
			a, b := r.Accounts[i], r.Accounts[k]
			if c := a.Total.Cmp(b.Total); c != 0 {
				return c > 0
			}
			return strings.ToLower(a.Customer.Name) < strings.ToLower(b.Customer.Name)
		})
		sort.Slice(r.Unpaid, func(i, k int) bool {
			a, b := r.Unpaid[i], r.Unpaid[k]
			if a.DaysLate != b.DaysLate {
				return a.DaysLate > b.DaysLate
			}
			return a.InvoiceID < b.InvoiceID
		})
		for _, rc := range r.Unpaid {
			if rc.DaysLate > 0 {
				r.Overdue = append(r.Overdue, rc)
			}
		}
		return nil
	})
	return r, err
}

// ---- Fill ----

// FillCounts are positions requested, and what became of them: filled (an
// officer holds it), unfilled (still open, a no-show's included) or
// cancelled (with its job, or removed by a reduction). Requested is their sum.
type FillCounts struct {
	Requested, Filled, Unfilled, Cancelled int
}

func (c *FillCounts) add(o FillCounts) {
	c.Requested += o.Requested
	c.Filled += o.Filled
	c.Unfilled += o.Unfilled
	c.Cancelled += o.Cancelled
}

// Rate is the share of the positions still wanted (not cancelled) that are filled, 0 to 1.
func (c FillCounts) Rate() float64 {
	if n := c.Filled + c.Unfilled; n > 0 {
		return float64(c.Filled) / float64(n)
	}
	return 0
}

// FillRow is a group's counts.
type FillRow struct {
	Key   string // the agency's slug, the customer's id
	Label string
	FillCounts
}

// NoShowCount is an officer's no-shows in the period.
type NoShowCount struct {
	Officer Officer
	Count   int
	Last    time.Time // the latest no-show's shift start
}

// StaffingTime is how long a job took from its approval to fully staffed
// (its status becoming scheduled), from the audit.
type StaffingTime struct {
	JobID      int64
	Customer   string
	Start      time.Time
	ApprovedAt time.Time
	StaffedAt  time.Time // zero: not fully staffed yet
	Took       time.Duration
}

// FillReport counts the positions of the jobs starting in the period.
type FillReport struct {
	Scope     ReportScope
	Total     FillCounts
	Agencies  []FillRow
	Customers []FillRow      // most requested first
	Weekdays  [7]FillCounts  // Monday first, local start
	Hours     [24]FillCounts // local start hour
	NoShows   []NoShowCount  // most first
	Staffed   []StaffingTime // jobs approved and fully staffed, slowest first
	Waiting   []StaffingTime // approved, never fully staffed (cancelled ones left out)
	Jobs      int            // jobs in the period
	Audited   int            // of them, with their approval in the audit
	Median    time.Duration  // approval to fully staffed
	P90, Slow time.Duration  // 90th percentile, slowest
}

// Fill is the fill report (see FillReport).
func (s *Store) Fill(ctx context.Context, actor string, f ReportFilter) (FillReport, error) {
	var r FillReport
	err := s.report(ctx, actor, "the fill report", f, func(tx *sql.Tx, sc *ReportScope) error {
		r = FillReport{Scope: *sc}
		lo, hi := sc.window(0, 0)
		args := []any{lo, hi}
		cond, args := sc.agencyCond("j.agency_id", args)
		// One row a job, read from indexes only: its positions' counts
		// packed in one number (a job has at most 501 positions).
		rows, err := tx.QueryContext(ctx, `SELECT j.agency_id, j.customer_id, j.starts_at, j.status = 'cancelled',
			(SELECT count(*) + 1000 * `+sc.d.countIf("p.status = 'assigned'")+` + 1000000 * `+sc.d.countIf("p.status = 'open'")+`
				FROM positions p INDEXED BY positions_job_status WHERE p.job_id = j.id)
			FROM jobs j INDEXED BY jobs_period WHERE j.starts_at >= ? AND j.starts_at < ?`+cond, args...)
		if err != nil {
			return err
		}
		agencies := map[int64]*FillCounts{}
		customers := map[int64]*FillCounts{}
		zones := newZoneCache()
		for rows.Next() {
			var agency, cust, packed int64
			var start string
			var cancelled bool
			if err := rows.Scan(&agency, &cust, &start, &cancelled, &packed); err != nil {
				rows.Close()
				return err
			}
			t := fastTime(start)
			l := zones.local(t, sc.agency(agency).Loc)
			if !sc.in(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)) {
				continue
			}
			n, filled, open := int(packed%1000), int(packed/1000%1000), int(packed/1000000)
			c := FillCounts{Requested: n}
			if cancelled {
				c.Cancelled = n
			} else {
				c.Filled, c.Unfilled, c.Cancelled = filled, open, n-filled-open
			}
			r.Total.add(c)
			r.Jobs++
			if agencies[agency] == nil {
				agencies[agency] = &FillCounts{}
			}
			agencies[agency].add(c)
			if customers[cust] == nil {
				customers[cust] = &FillCounts{}
			}
			customers[cust].add(c)
			r.Weekdays[(int(l.Weekday())+6)%7].add(c)
			r.Hours[l.Hour()].add(c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range sc.Agencies {
			if c := agencies[a.ID]; c != nil || sc.Agency == nil || sc.Agency.ID == a.ID {
				row := FillRow{Key: a.Slug, Label: a.Name}
				if c != nil {
					row.FillCounts = *c
				}
				r.Agencies = append(r.Agencies, row)
			}
		}
		custs, err := reportCustomers(ctx, tx)
		if err != nil {
			return err
		}
		for id, c := range customers {
			r.Customers = append(r.Customers, FillRow{Key: fmt.Sprint(id), Label: custs[id].Name, FillCounts: *c})
		}
		sort.Slice(r.Customers, func(i, k int) bool {
			a, b := r.Customers[i], r.Customers[k]
			if a.Requested != b.Requested {
				return a.Requested > b.Requested
			}
			return strings.ToLower(a.Label) < strings.ToLower(b.Label)
		})

		// No-shows, by who did not come.
		offs, err := reportOfficers(ctx, tx)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT p.no_show_officer_id, p.starts_at, j.agency_id FROM positions p INDEXED BY positions_noshow
			JOIN jobs j INDEXED BY jobs_dims ON j.id = p.job_id
			WHERE p.starts_at >= ? AND p.starts_at < ? AND p.no_show_officer_id IS NOT NULL`+cond, args...)
		if err != nil {
			return err
		}
		noShows := map[int64]*NoShowCount{}
		for rows.Next() {
			var oid, agency int64
			var start string
			if err := rows.Scan(&oid, &start, &agency); err != nil {
				rows.Close()
				return err
			}
			t := fastTime(start)
			if !sc.in(civilIn(t, sc.agency(agency).Loc)) {
				continue
			}
			n := noShows[oid]
			if n == nil {
				o, ok := offs[oid]
				if !ok {
					o = Officer{ID: oid, LastName: fmt.Sprintf("officer %d", oid)}
				}
				n = &NoShowCount{Officer: o}
				noShows[oid] = n
			}
			n.Count++
			if t.After(n.Last) {
				n.Last = t
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range noShows {
			r.NoShows = append(r.NoShows, *n)
		}
		sort.Slice(r.NoShows, func(i, k int) bool {
			a, b := r.NoShows[i], r.NoShows[k]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Officer.Name() < b.Officer.Name()
		})
		return staffingTimes(ctx, tx, sc, &r, args, cond, custs)
	})
	return r, err
}

// staffingTimes reads, from the audit, how long each job of the period took
// from its first approval to the first time its status became scheduled
// (every position filled) after it.
func staffingTimes(ctx context.Context, tx *sql.Tx, sc *ReportScope, r *FillReport, args []any, cond string, custs map[int64]ReportCustomer) error {
	rows, err := tx.QueryContext(ctx, `SELECT a.job_id, a.action, a.at, j.status, j.starts_at, j.customer_id, j.agency_id
		FROM jobs j INDEXED BY jobs_period JOIN audit a INDEXED BY audit_job ON a.job_id = j.id
		WHERE j.starts_at >= ? AND j.starts_at < ?`+cond+` AND a.entity = 'job'
		AND (a.action = 'approve' OR (a.action = 'status' AND a.after = 'scheduled')) ORDER BY a.job_id, a.id`, args...)
	if err != nil {
		return err
	}
	type times struct {
		StaffingTime
		cancelled bool
	}
	byJob := map[int64]*times{}
	var order []int64
	for rows.Next() {
		var id, cust, agency int64
		var action, at, status, start string
		if err := rows.Scan(&id, &action, &at, &status, &start, &cust, &agency); err != nil {
			rows.Close()
			return err
		}
		x := byJob[id]
		if x == nil {
			t := fastTime(start)
			if !sc.in(civilIn(t, sc.agency(agency).Loc)) {
				continue // starts outside the period's local days
			}
			x = &times{StaffingTime: StaffingTime{JobID: id, Customer: custs[cust].Name, Start: t}, cancelled: status == StatusCancelled}
			byJob[id] = x
			order = append(order, id)
		}
		t := fastTime(at)
		switch {
		case action == "approve" && x.ApprovedAt.IsZero():
			x.ApprovedAt = t
		case action == "status" && !x.ApprovedAt.IsZero() && x.StaffedAt.IsZero():
			x.StaffedAt = t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var took []time.Duration
	for _, id := range order {
		x := byJob[id]
		if x.ApprovedAt.IsZero() {
			continue
		}
		r.Audited++
		st := x.StaffingTime
		if st.StaffedAt.IsZero() {
			if !x.cancelled {
				r.Waiting = append(r.Waiting, st)
			}
			continue
		}
		st.Took = st.StaffedAt.Sub(st.ApprovedAt)
		took = append(took, st.Took)
		r.Staffed = append(r.Staffed, st)
	}
	sort.Slice(r.Staffed, func(i, k int) bool {
		if r.Staffed[i].Took != r.Staffed[k].Took {
			return r.Staffed[i].Took > r.Staffed[k].Took
		}
		return r.Staffed[i].JobID < r.Staffed[k].JobID
	})
	sort.Slice(r.Waiting, func(i, k int) bool { return r.Waiting[i].Start.Before(r.Waiting[k].Start) })
	if len(took) > 0 {
		sort.Slice(took, func(i, k int) bool { return took[i] < took[k] })
		r.Median = medianDuration(took)
		r.P90 = took[min(len(took)-1, int(math.Ceil(0.9*float64(len(took))))-1)]
		r.Slow = took[len(took)-1]
	}
	return nil
}

// zoneCache converts instants to local time, remembering each zone's
// offset over spans without a change (a period's shifts are many; the
// zone's rules lookup is not free).
type zoneCache struct {
	loc        *time.Location
	start, end int64 // unix seconds with the same offset
	offset     int
}

func newZoneCache() *zoneCache { return &zoneCache{} }

// local is t in loc as a time.Time in UTC whose fields are loc's wall clock
// (its year, month, day, weekday and hour).
func (z *zoneCache) local(t time.Time, loc *time.Location) time.Time {
	u := t.Unix()
	if z.loc != loc || u < z.start || u >= z.end {
		_, off := t.In(loc).Zone()
		s, e := t.In(loc).ZoneBounds()
		z.loc, z.offset = loc, off
		z.start, z.end = math.MinInt64, math.MaxInt64
		if !s.IsZero() {
			z.start = s.Unix()
		}
		if !e.IsZero() {
			z.end = e.Unix()
		}
	}
	return time.Unix(u+int64(z.offset), 0).UTC()
}

// localDay is the local date of t in loc as a day number (days since 1 Jan 1970).
func (z *zoneCache) localDay(t time.Time, loc *time.Location) int64 {
	z.local(t, loc)
	return floorDiv(t.Unix()+int64(z.offset), 86400)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func medianDuration(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// ---- Fairness ----

// OfficerShare is one officer's hours and earnings in the period.
type OfficerShare struct {
	Officer  Officer
	Shifts   int
	Minutes  int // paid minutes, as payroll counts them
	Pay      decimal.Decimal
	SignUps  int     // sign-ups for open shifts of the period, where recorded
	Refusals int     // of them, refused by the office
	VsMedian float64 // hours over the median hours (0 when the median is 0)
	Flag     string  // "far above" (more than twice the median), "far below" (under half), or ""
}

// Spread describes how a quantity is shared among the officers.
type Spread struct {
	Min, Median, Max float64 // hours
	Gini             float64 // 0: shared equally; towards 1: a few take it all
}

// MoneySpread is a Spread of earnings.
type MoneySpread struct {
	Min, Median, Max decimal.Decimal
	Gini             float64
}

// Far above and far below the median hours.
const (
	FarAbove = 2.0
	FarBelow = 0.5
)

// FairnessReport is how the period's hours and earnings are shared among
// the officers: those who worked, and the active officers who did not
// (hired before the period ended).
type FairnessReport struct {
	Scope     ReportScope
	Officers  []OfficerShare // most hours first
	Hours     Spread
	Earnings  MoneySpread
	Total     decimal.Decimal
	Minutes   int
	Above     int // officers far above the median hours
	Below     int // far below
	SignUps   int
	Refusals  int
	Recorded  bool // sign-ups are recorded in the period
	Idle      int  // officers with no hours
	WithHours int
}

// Fairness is the fairness report (see FairnessReport).
func (s *Store) Fairness(ctx context.Context, actor string, f ReportFilter) (FairnessReport, error) {
	var r FairnessReport
	err := s.report(ctx, actor, "the fairness report", f, func(tx *sql.Tx, sc *ReportScope) error {
		r = FairnessReport{Scope: *sc}
		offs, err := reportOfficers(ctx, tx)
		if err != nil {
			return err
		}
		pay, err := workedPay(ctx, tx, sc, offs)
		if err != nil {
			return err
		}
		shares := map[int64]*OfficerShare{}
		for id, p := range pay.byOfficer {
			o, ok := offs[id]
			if !ok {
				o = Officer{ID: id, AgencyID: pay.agencyOf[id], LastName: fmt.Sprintf("officer %d", id)}
			}
			shares[id] = &OfficerShare{Officer: o, Shifts: p.shifts, Minutes: p.minutes, Pay: cents(p.cents)}
		}
		for id, o := range offs {
			if _, ok := shares[id]; ok || !o.Active || !o.HiredOn.Before(sc.To) || (sc.Agency != nil && o.AgencyID != sc.Agency.ID) {
				continue
			}
			shares[id] = &OfficerShare{Officer: o}
		}
		// Sign-ups for the period's shifts, where the office records them.
		lo, hi := sc.window(0, 0)
		args := []any{lo, hi}
		cond, args := sc.agencyCond("j.agency_id", args)
		rows, err := tx.QueryContext(ctx, `SELECT su.officer_id, su.state, p.starts_at, j.agency_id FROM signups su
			`+sc.d.crossJoin+` positions p ON p.id = su.position_id JOIN jobs j INDEXED BY jobs_dims ON j.id = p.job_id
			WHERE p.starts_at >= ? AND p.starts_at < ?`+cond, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var oid, agency int64
			var state, start string
			if err := rows.Scan(&oid, &state, &start, &agency); err != nil {
				rows.Close()
				return err
			}
			t, err := parseTime(start)
			if err != nil {
				rows.Close()
				return err
			}
			if !sc.in(civilIn(t, sc.agency(agency).Loc)) {
				continue
			}
			sh := shares[oid]
			if sh == nil {
				o, ok := offs[oid]
				if !ok {
					o = Officer{ID: oid, AgencyID: agency, LastName: fmt.Sprintf("officer %d", oid)}
				}
				sh = &OfficerShare{Officer: o}
				shares[oid] = sh
			}
			sh.SignUps++
			r.SignUps++
			r.Recorded = true
			if state == "refused" {
				sh.Refusals++
				r.Refusals++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, sh := range shares {
			r.Officers = append(r.Officers, *sh)
		}
		fairnessStats(&r)
		return nil
	})
	return r, err
}

// fairnessStats fills the spreads and flags of r.Officers, and sorts them.
func fairnessStats(r *FairnessReport) {
	n := len(r.Officers)
	sort.Slice(r.Officers, func(i, k int) bool {
		a, b := r.Officers[i], r.Officers[k]
		if a.Minutes != b.Minutes {
			return a.Minutes > b.Minutes
		}
		if c := a.Pay.Cmp(b.Pay); c != 0 {
			return c > 0
		}
		if a.Officer.LastName != b.Officer.LastName {
			return a.Officer.LastName < b.Officer.LastName
		}
		return a.Officer.ID < b.Officer.ID
	})
	if n == 0 {
		return
	}
	hours := make([]float64, n)
	money := make([]float64, n)
	pays := make([]decimal.Decimal, n)
	for i, o := range r.Officers {
		hours[i] = float64(o.Minutes) / 60
		money[i] = float64(o.Pay.Shift(2).IntPart())
		pays[i] = o.Pay
		r.Total = r.Total.Add(o.Pay)
		r.Minutes += o.Minutes
		if o.Minutes == 0 {
			r.Idle++
		} else {
			r.WithHours++
		}
	}
	sortedHours := append([]float64(nil), hours...)
	sort.Float64s(sortedHours)
	r.Hours = Spread{Min: sortedHours[0], Median: medianFloat(sortedHours), Max: sortedHours[n-1], Gini: Gini(hours)}
	sort.Slice(pays, func(i, k int) bool { return pays[i].LessThan(pays[k]) })
	med := pays[n/2]
	if n%2 == 0 {
		med = pays[n/2-1].Add(pays[n/2]).Div(decimal.NewFromInt(2))
	}
	r.Earnings = MoneySpread{Min: pays[0], Median: med, Max: pays[n-1], Gini: Gini(money)}
	for i := range r.Officers {
		o := &r.Officers[i]
		if r.Hours.Median <= 0 {
			continue
		}
		o.VsMedian = float64(o.Minutes) / 60 / r.Hours.Median
		switch {
		case o.VsMedian > FarAbove:
			o.Flag = "far above"
			r.Above++
		case o.VsMedian < FarBelow:
			o.Flag = "far below"
			r.Below++
		}
	}
}

func medianFloat(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Gini is the Gini coefficient of non-negative values: the mean absolute
// difference between every two of them over twice their mean. 0 when all
// are equal; (n-1)/n when one holds everything. With the values sorted
// ascending, x(1) <= ... <= x(n): G = 2 Σ i·x(i) / (n Σ x) - (n+1)/n.
func Gini(values []float64) float64 {
	n := len(values)
	if n == 0 {
		return 0
	}
	xs := append([]float64(nil), values...)
	sort.Float64s(xs)
	var sum, weighted float64
	for i, x := range xs {
		sum += x
		weighted += float64(i+1) * x
	}
	if sum <= 0 {
		return 0
	}
	g := 2*weighted/(float64(n)*sum) - float64(n+1)/float64(n)
	return math.Max(0, g)
}

// ---- Compliance ----

// OverrideRecord is a supervisor's lifting of a cap or rest rule for one
// assignment: who, when, the written reason.
type OverrideRecord struct {
	At         time.Time // zero when only the position keeps it (no audit row)
	Actor      string
	JobID      int64
	PositionID int64
	Officer    string // as the audit names them: "First Last (BADGE)"
	Start      time.Time
	Customer   string
	Reason     string
	Current    bool // the position still holds it (not unassigned since)
}

// Compliance rules.
const (
	RuleWeeklyCap = "weekly cap"
	RuleDay       = "16 h day"
	RuleRest      = "8 h rest"
)

// CapFinding is an officer over a cap or under the rest rule, in one week,
// day or gap between two shifts: as booked (the scheduled shifts) and as
// worked (check-in to check-out), so a shift held over or checked in early
// shows even when the booking kept the rules.
type CapFinding struct {
	Officer    Officer
	Rule       string    // RuleWeeklyCap, RuleDay, RuleRest
	When       time.Time // the week's Monday, the day (local midnight), or the later shift's start
	Booked     int       // minutes as booked (for rest: the gap), -1 when not known
	Worked     int       // minutes as worked, -1 when not recorded
	Limit      int       // the cap or the least rest, minutes
	OverBooked bool      // the booking breaks the rule
	OverWorked bool      // the attendance breaks it
	Overridden bool      // a supervisor's override is on record for one of its shifts
	Positions  []int64
	JobIDs     []int64
}

// RefusedRequest is a request refused for a prohibited venue.
type RefusedRequest struct {
	JobID    int64
	Agency   string
	Customer string
	Site     string
	Start    time.Time
	Received time.Time
	Venue    string
	Rule     string // the refusal, with the agency's rule quoted
}

// ComplianceReport lists, for the shifts of the period, every override of a
// cap or rest rule, the officers over their weekly cap, over 16 h in a day
// or under 8 h of rest as booked and as worked, and the requests refused
// for a prohibited venue.
type ComplianceReport struct {
	Scope     ReportScope
	Overrides []OverrideRecord // by shift start
	Findings  []CapFinding     // by time
	Refused   []RefusedRequest // by start
	Counts    map[string]int   // findings per rule
	Worked    int              // findings over as worked
	Booked    int              // findings over as booked
}

type shiftRow struct {
	pos, officer, agency int64
	start, end           time.Time
	in, out              time.Time // worked; zero when not recorded
	override             string
}

// Compliance is the compliance report (see ComplianceReport).
func (s *Store) Compliance(ctx context.Context, actor string, f ReportFilter) (ComplianceReport, error) {
	var r ComplianceReport
	err := s.report(ctx, actor, "the compliance report", f, func(tx *sql.Tx, sc *ReportScope) error {
		r = ComplianceReport{Scope: *sc, Counts: map[string]int{}}
		offs, err := reportOfficers(ctx, tx)
		if err != nil {
			return err
		}
		custs, err := reportCustomers(ctx, tx)
		if err != nil {
			return err
		}
		// The shifts held (assigned; a cancelled job's positions are
		// cancelled with it) from the week before the period to the week
		// after: whole weeks and the rest around them. An officer works for
		// their own agency only: the agency is theirs.
		lo, hi := sc.window(8*24*time.Hour, 8*24*time.Hour)
		// The four instants come in one column: a year of shifts is some
		// 200,000 rows, and each column read costs.
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.officer_id,
			`+sc.d.stamp("p.starts_at")+` || '|' || `+sc.d.stamp("p.ends_at")+` || '|' || `+sc.d.stampOr("p.check_in_at", "''")+` || '|' || `+sc.d.stampOr("p.check_out_at", "''")+`, p.override_reason
			FROM positions p INDEXED BY positions_status
			WHERE p.status = 'assigned' AND p.starts_at >= ? AND p.starts_at < ? AND p.officer_id IS NOT NULL`, lo, hi)
		if err != nil {
			return err
		}
		byOfficer := map[int64][]shiftRow{}
		for rows.Next() {
			var sr shiftRow
			var times string
			if err := rows.Scan(&sr.pos, &sr.officer, &times, &sr.override); err != nil {
				rows.Close()
				return err
			}
			st, rest, _ := strings.Cut(times, "|")
			en, rest, _ := strings.Cut(rest, "|")
			in, out, _ := strings.Cut(rest, "|")
			o, ok := offs[sr.officer]
			if !ok || (sc.Agency != nil && o.AgencyID != sc.Agency.ID) {
				continue
			}
			sr.agency = o.AgencyID
			sr.start, sr.end = fastTime(st), fastTime(en)
			if in != "" {
				sr.in = fastTime(in)
				sr.out = sr.end
				if out != "" {
					sr.out = fastTime(out)
				}
			}
			byOfficer[sr.officer] = append(byOfficer[sr.officer], sr)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// Overrides in the audit, for the shifts of the period.
		olo, ohi := sc.window(0, 0)
		oargs := []any{olo, ohi}
		ocond, oargs := sc.agencyCond("j.agency_id", oargs)
		rows, err = tx.QueryContext(ctx, `SELECT a.at, a.actor, a.entity_id, a.job_id, a.after, j.starts_at, j.agency_id, j.customer_id,
			coalesce(p.override_reason, ''), coalesce(p.officer_id, 0), coalesce(p.status, '')
			FROM jobs j INDEXED BY jobs_starts JOIN audit a INDEXED BY audit_job ON a.job_id = j.id LEFT JOIN positions p ON p.id = a.entity_id
			WHERE j.starts_at >= ? AND j.starts_at < ?`+ocond+` AND a.entity = 'position' AND a.action = 'assign' AND `+sc.d.contains("a.after", "?")+`
			ORDER BY a.id`, append(oargs, overrideMark)...)
		if err != nil {
			return err
		}
		audited := map[int64]bool{} // positions whose override is in the audit
		for rows.Next() {
			var o OverrideRecord
			var at, after, start, reasonNow, status string
			var agency, cust, officerNow int64
			if err := rows.Scan(&at, &o.Actor, &o.PositionID, &o.JobID, &after, &start, &agency, &cust, &reasonNow, &officerNow, &status); err != nil {
				rows.Close()
				return err
			}
			o.At, _ = parseTime(at)
			o.Start = fastTime(start)
			if !sc.in(civilIn(o.Start, sc.agency(agency).Loc)) {
				continue
			}
			o.Officer, o.Reason, _ = strings.Cut(after, overrideMark)
			o.Customer = custs[cust].Name
			o.Current = status == "assigned" && reasonNow == o.Reason
			audited[o.PositionID] = true
			r.Overrides = append(r.Overrides, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		overridden := map[int64]bool{}
		for _, o := range r.Overrides {
			overridden[o.PositionID] = true
		}
		// Overrides kept on a position with no audit row (written by another tool).
		var kept []int64
		for _, list := range byOfficer {
			for _, sr := range list {
				if sr.override != "" {
					kept = append(kept, sr.pos)
				}
			}
		}
		keptJob, err := positionJobs(ctx, tx, kept)
		if err != nil {
			return err
		}
		jobCust := map[int64]int64{}
		if err := jobCustomers(ctx, tx, keptJob, jobCust); err != nil {
			return err
		}
		for _, list := range byOfficer {
			for _, sr := range list {
				if sr.override == "" {
					continue
				}
				overridden[sr.pos] = true
				if audited[sr.pos] || !sc.in(civilIn(sr.start, sc.agency(sr.agency).Loc)) {
					continue
				}
				o := offs[sr.officer]
				job := keptJob[sr.pos]
				r.Overrides = append(r.Overrides, OverrideRecord{Actor: "(not in the audit)", JobID: job, PositionID: sr.pos,
					Officer: fmt.Sprintf("%s (%s)", o.Name(), o.Badge), Start: sr.start, Customer: custs[jobCust[job]].Name, Reason: sr.override, Current: true})
			}
		}
		sort.SliceStable(r.Overrides, func(i, k int) bool {
			if !r.Overrides[i].Start.Equal(r.Overrides[k].Start) {
				return r.Overrides[i].Start.Before(r.Overrides[k].Start)
			}
			return r.Overrides[i].PositionID < r.Overrides[k].PositionID
		})

		z := newZoneCache()
		for oid, list := range byOfficer {
			r.Findings = append(r.Findings, capFindings(sc, z, offs[oid], list, overridden)...)
		}
		var flagged []int64
		for _, fd := range r.Findings {
			flagged = append(flagged, fd.Positions...)
		}
		jobOf, err := positionJobs(ctx, tx, flagged)
		if err != nil {
			return err
		}
		for i := range r.Findings {
			for _, p := range r.Findings[i].Positions {
				r.Findings[i].JobIDs = append(r.Findings[i].JobIDs, jobOf[p])
			}
		}
		sort.Slice(r.Findings, func(i, k int) bool {
			a, b := r.Findings[i], r.Findings[k]
			if !a.When.Equal(b.When) {
				return a.When.Before(b.When)
			}
			if a.Rule != b.Rule {
				return a.Rule < b.Rule
			}
			return a.Officer.ID < b.Officer.ID
		})
		for _, fd := range r.Findings {
			r.Counts[fd.Rule]++
			if fd.OverWorked {
				r.Worked++
			}
			if fd.OverBooked {
				r.Booked++
			}
		}

		// Requests refused for a prohibited venue.
		rows, err = tx.QueryContext(ctx, `SELECT j.id, a.name, c.name, st.name, j.starts_at, j.received_at, j.venue, j.agency_id,
			`+sc.d.refusalMessage("prohibited-venue")+`
			FROM jobs j INDEXED BY jobs_refused JOIN customers c ON c.id = j.customer_id JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id
			WHERE j.bookable = 0 AND j.starts_at >= ? AND j.starts_at < ?`+sc.d.validQuote()+ocond+` ORDER BY j.starts_at, j.id`, oargs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rr RefusedRequest
			var start, recv string
			var agency int64
			if err := rows.Scan(&rr.JobID, &rr.Agency, &rr.Customer, &rr.Site, &start, &recv, &rr.Venue, &agency, &rr.Rule); err != nil {
				return err
			}
			if rr.Rule == "" {
				continue // refused for short notice only
			}
			rr.Start, rr.Received = fastTime(start), fastTime(recv)
			if !sc.in(civilIn(rr.Start, sc.agency(agency).Loc)) {
				continue
			}
			r.Refused = append(r.Refused, rr)
		}
		return rows.Err()
	})
	return r, err
}

// overrideMark separates the officer from the reason in an "assign" audit
// row's after (see Assign).
const overrideMark = "; cap overridden: "

// jobCustomers maps the jobs of positions (position -> job) to their customers.
func jobCustomers(ctx context.Context, tx *sql.Tx, jobOf map[int64]int64, out map[int64]int64) error {
	var ids []int64
	for _, j := range jobOf {
		ids = append(ids, j)
	}
	return inChunks(ids, func(part []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, customer_id FROM jobs INDEXED BY jobs_dims WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, c int64
			if err := rows.Scan(&id, &c); err != nil {
				return err
			}
			out[id] = c
		}
		return rows.Err()
	})
}

// positionJobs maps positions to their jobs.
func positionJobs(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := inChunks(ids, func(part []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, job_id FROM positions WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, j int64
			if err := rows.Scan(&id, &j); err != nil {
				return err
			}
			out[id] = j
		}
		return rows.Err()
	})
	return out, err
}

// inChunks calls fn with the ids, 500 at a time (SQLite's limit on
// parameters is far above; a statement stays small).
func inChunks(ids []int64, fn func([]any) error) error {
	seen := map[int64]bool{}
	var part []any
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		part = append(part, id)
		if len(part) == 500 {
			if err := fn(part); err != nil {
				return err
			}
			part = nil
		}
	}
	if len(part) > 0 {
		return fn(part)
	}
	return nil
}

// fastTime reads a stored instant ("2026-11-26T16:00:00Z") without
// time.Parse (a year of shifts holds hundreds of thousands); anything else
// goes through parseTime.
func fastTime(s string) time.Time {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(i, j int) int {
			v := 0
			for _, c := range s[i:j] {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, se := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
		}
	}
	t, _ := parseTime(s)
	return t
}

// capFindings checks one officer's shifts (sorted here by start): weeks
// over the weekly cap, local days over 16 h, rests under 8 h between two
// shifts, as booked and as worked, within the scope's period. Days are
// counted as day numbers of the agency's zone (see zoneCache).
func capFindings(sc *ReportScope, z *zoneCache, o Officer, list []shiftRow, overridden map[int64]bool) []CapFinding {
	sort.Slice(list, func(i, k int) bool {
		if !list[i].start.Equal(list[k].start) {
			return list[i].start.Before(list[k].start)
		}
		return list[i].pos < list[k].pos
	})
	loc := sc.agency(o.AgencyID).Loc
	first := civilDayNumber(sc.From)
	last := civilDayNumber(sc.To) // exclusive
	var out []CapFinding
	mark := func(f *CapFinding, shifts ...shiftRow) {
		for _, s := range shifts {
			f.Positions = append(f.Positions, s.pos)
			if overridden[s.pos] {
				f.Overridden = true
			}
		}
	}
	minutes := func(a, b time.Time) int { return int(b.Sub(a) / time.Minute) }
	// Monday of a day number's week (1 Jan 1970 was a Thursday).
	monday := func(d int64) int64 { return d - floorMod(d+3, 7) }
	dayTime := func(d int64) time.Time {
		c := time.Unix(d*86400, 0).UTC()
		return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, loc)
	}

	// Weeks, Monday to Sunday local, that overlap the period: the minutes of
	// the shifts starting in them (as Eligibility counts a week).
	type tally struct {
		booked, worked int
		recorded       bool
	}
	weeks := make(map[int64]tally, len(list)/4+1)
	for _, s := range list {
		k := monday(z.localDay(s.start, loc))
		w := weeks[k]
		w.booked += minutes(s.start, s.end)
		weeks[k] = w
		if !s.in.IsZero() {
			k := monday(z.localDay(s.in, loc)) // checked in before Monday: that week
			w := weeks[k]
			w.worked += minutes(s.in, s.out)
			w.recorded = true
			weeks[k] = w
		}
	}
	for _, wk := range sortedKeys(weeks) {
		w := weeks[wk]
		if wk >= last || wk+7 <= first {
			continue
		}
		overB, overW := w.booked > o.WeeklyCapMinutes, w.recorded && w.worked > o.WeeklyCapMinutes
		if !overB && !overW {
			continue
		}
		f := CapFinding{Officer: o, Rule: RuleWeeklyCap, When: dayTime(wk), Booked: w.booked, Worked: -1, Limit: o.WeeklyCapMinutes, OverBooked: overB, OverWorked: overW}
		if w.recorded {
			f.Worked = w.worked
		}
		for _, s := range list { // the shifts starting, or worked from, in that week
			if monday(z.localDay(s.start, loc)) == wk || (!s.in.IsZero() && monday(z.localDay(s.in, loc)) == wk) {
				mark(&f, s)
			}
		}
		out = append(out, f)
	}

	// Local days of the period: every shift's minutes split at local midnight.
	days := make(map[int64]tally, len(list)+1)
	spread := func(a, b time.Time, worked bool) {
		d0, d1 := z.localDay(a, loc), z.localDay(b.Add(-time.Nanosecond), loc)
		if d1 < first || d0 >= last || !b.After(a) {
			return
		}
		for d := d0; d <= d1; d++ {
			m := minutes(a, b)
			if d0 != d1 {
				ds := dayStart(dayTime(d), loc)
				m = overlap(a, b, ds, ds.AddDate(0, 0, 1))
			}
			if m == 0 || d < first || d >= last {
				continue
			}
			x := days[d]
			if worked {
				x.worked += m
				x.recorded = true
			} else {
				x.booked += m
			}
			days[d] = x
		}
	}
	for _, s := range list {
		spread(s.start, s.end, false)
		if !s.in.IsZero() {
			spread(s.in, s.out, true)
		}
	}
	for _, d := range sortedKeys(days) {
		x := days[d]
		overB, overW := x.booked > MaxDayMinutes, x.recorded && x.worked > MaxDayMinutes
		if !overB && !overW {
			continue
		}
		f := CapFinding{Officer: o, Rule: RuleDay, When: dayTime(d), Booked: x.booked, Worked: -1, Limit: MaxDayMinutes, OverBooked: overB, OverWorked: overW}
		if x.recorded {
			f.Worked = x.worked
		}
		ds := dayStart(dayTime(d), loc)
		de := ds.AddDate(0, 0, 1)
		for _, s := range list { // the shifts booked or worked that day
			if overlap(s.start, s.end, ds, de) > 0 || (!s.in.IsZero() && overlap(s.in, s.out, ds, de) > 0) {
				mark(&f, s)
			}
		}
		out = append(out, f)
	}

	// Rest between two shifts in a row: from the end of one to the start of
	// the next, as booked and as worked (when both were worked).
	for i := 1; i < len(list); i++ {
		prev, next := list[i-1], list[i]
		if d := z.localDay(next.start, loc); d < first || d >= last {
			continue
		}
		booked := minutes(prev.end, next.start)
		worked := -1
		if !prev.in.IsZero() && !next.in.IsZero() {
			worked = minutes(prev.out, next.in)
		}
		overB, overW := booked < MinRestMinutes, worked != -1 && worked < MinRestMinutes
		if !overB && !overW {
			continue
		}
		f := CapFinding{Officer: o, Rule: RuleRest, When: next.start, Booked: booked, Worked: worked, Limit: MinRestMinutes, OverBooked: overB, OverWorked: overW}
		mark(&f, prev, next)
		out = append(out, f)
	}
	return out
}

// civilDayNumber is a civil date (UTC midnight) as days since 1 Jan 1970.
func civilDayNumber(d time.Time) int64 { return floorDiv(civil(d).Unix(), 86400) }

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, k int) bool { return out[i] < out[k] })
	return out
}

// Report runs the report of that name (one of ReportNames): a
// RevenueReport, ReceivablesReport, FillReport, FairnessReport or
// ComplianceReport.
func (s *Store) Report(ctx context.Context, actor, name string, f ReportFilter) (any, error) {
	switch name {
	case "revenue":
		return s.Revenue(ctx, actor, f)
	case "receivables":
		return s.Receivables(ctx, actor, f)
	case "fill":
		return s.Fill(ctx, actor, f)
	case "fairness":
		return s.Fairness(ctx, actor, f)
	case "compliance":
		return s.Compliance(ctx, actor, f)
	}
	return nil, &Error{Code: EInvalid, Field: "report", Message: fmt.Sprintf("unknown report %q: %s", Clean(name, false), strings.Join(ReportNames, ", "))}
}
