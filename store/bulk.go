package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// HistoryJob is one past job, made by a generator (seed.History), with
// everything its row, its positions and its fee need.
type HistoryJob struct {
	CustomerID int64
	SiteID     int64
	AgencyID   int64
	RateCardID int64 // the card in force when the request was received

	// Quote is the job as priced by pricing.Agency.Quote with that card: it
	// gives the shift, the counts, the venue, the received time, the total
	// and bookable. QuoteJSON is its saved snapshot (json.Marshal(Quote)),
	// marshalled here when empty.
	Quote     *pricing.Quote
	QuoteJSON []byte

	// Status is completed or cancelled: a job becomes invoiced or paid only
	// through an invoice (see HistoryInvoice).
	Status string

	ContactName  string
	ContactPhone string
	PostOrders   string
	PONumber     string

	CreatedAt time.Time // zero: Quote.Received
	UpdatedAt time.Time // zero: the end of the shift, or the cancellation

	// Cancel is set on a cancelled job: when, why, and the fee kept on it
	// (computed with pricing.CancellationFee, zero when never approved).
	Cancel *HistoryCancel

	// Positions are the job's officer positions then its supervisor
	// positions, Quote.Officers + Quote.Supervisors of them, in slot order.
	Positions []HistoryPosition
}

// HistoryCancel is the cancellation of a past job.
type HistoryCancel struct {
	At     time.Time
	Reason string
	Fee    pricing.Fee
}

// HistoryPosition is one position of a past job; it runs over the job's shift.
type HistoryPosition struct {
	Class      string // officer or supervisor
	OfficerID  int64  // 0: nobody
	Status     string // open, assigned or cancelled
	CheckIn    time.Time
	CheckOut   time.Time
	Attendance string // "", released_early, held_over, no_show
}

// HistoryInvoice is a past invoice that ImportHistory makes once the jobs of
// its call are in: it bills, exactly as GenerateInvoices does, what the
// customer owes for one period of its billing cycle and is on no invoice yet
// (jobs of this call and of earlier ones), then issues it (the next number of
// the issue date's year) and records its payment as given; its jobs become
// invoiced or paid. A period with nothing to bill gets no invoice (and no
// number).
type HistoryInvoice struct {
	CustomerID  int64
	PeriodStart time.Time // civil date (its year, month and day): the first day of a period of the customer's cycle
	IssuedOn    time.Time // civil date; zero: left a draft
	PaidOn      time.Time // civil date; zero: unpaid (only an issued invoice is paid)
	PaidRef     string
}

// historyStatuses are the statuses a past job may be imported in.
var historyStatuses = map[string]bool{StatusCompleted: true, StatusCancelled: true}

// ImportHistory bulk-loads generated past jobs with their positions (and the
// fees of cancelled ones) in one immediate transaction on the write
// connection: job ids are assigned up front so that jobs, positions and fees
// go in prepared multi-row INSERTs, with a 256 MB page cache and in-memory
// statement journals for the duration of the call. Pass batches of some
// thousands of jobs (seed.History passes a month at a time: 1,000,000
// positions take about a minute on two cores). It is fast also because it
// does not do what the interactive methods do for every row: it does not check
// that the site belongs to the customer, that the card was the one in force,
// or that an officer belongs to the job's agency, is active, of the right
// rank, free of overlapping shifts and within the weekly cap, 16 h a day and
// 8 h rest. The generator guarantees those invariants (seed's tests check
// them on its output); only the shape of each job (status, position count and
// classes, times) is checked here, and SQLite still enforces its foreign keys
// and constraints. Then it makes the invoices (see HistoryInvoice), lines,
// claims and numbers in multi-row INSERTs too. The audit gets one entry per
// call, not one per change. All or nothing.
func (s *Store) ImportHistory(ctx context.Context, actor string, jobs []HistoryJob, invoices ...HistoryInvoice) error {
	if len(jobs) == 0 && len(invoices) == 0 {
		return nil
	}
	for i := range jobs {
		if err := checkHistoryJob(&jobs[i]); err != nil {
			return &Error{Code: EInvalid, Field: "history", Message: fmt.Sprintf("history job %d: %v", i, err)}
		}
	}
	for i, h := range invoices {
		if err := checkHistoryInvoice(h); err != nil {
			return &Error{Code: EInvalid, Field: "history", Message: fmt.Sprintf("history invoice %d: %v", i, err)}
		}
	}
	// While importing, a large page cache (the officer and customer indexes
	// take inserts all over their B-trees) and statement journals in memory
	// (multi-row inserts need them). The write connection is the only one:
	// the settings are put back on it afterwards.
	// (SQLite's: PostgreSQL's server has its own settings.)
	if !s.dialect().pg() {
		restore, err := s.tuneSQLite(ctx, -262144)
		if err != nil {
			return err
		}
		defer restore()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Rows go in many to a statement; ids are given here (this
		// transaction holds the write lock), so that positions and fees can
		// name their job, and invoices their positions and fees, before
		// they are written.
		var maxID, maxPos, maxFee int64
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(id), 0) FROM jobs), (SELECT coalesce(max(id), 0) FROM positions),
			(SELECT coalesce(max(id), 0) FROM job_fees)`).Scan(&maxID, &maxPos, &maxFee); err != nil {
			return err
		}
		// Bill first: a job of this call billed by an issued invoice goes in
		// invoiced or paid, with no second write.
		bill, err := billHistory(ctx, s.dialect(), tx, jobs, invoices, maxID, maxPos, maxFee)
		if err != nil {
			return err
		}
		d := s.dialect()
		insJobs := &multiInsert{tx: tx, per: d.rowsPerInsert(32), head: `INSERT INTO jobs (id, customer_id, site_id, agency_id, rate_card_id, series_id, series_index,
			starts_at, ends_at, officers, supervisors, vehicles, venue, received_at, status,
			contact_name, contact_phone, post_orders, po_number, total, bookable, quote_json,
			cancel_fee, cancelled_at, cancel_reason, created_at, created_by, updated_at) VALUES `,
			row: `(?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
		insPos := &multiInsert{tx: tx, per: d.rowsPerInsert(64), head: `INSERT INTO positions (id, job_id, slot, class, officer_id, starts_at, ends_at, status,
			check_in_at, check_out_at, attendance) VALUES `, row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
		insFees := &multiInsert{tx: tx, per: d.rowsPerInsert(32), head: `INSERT INTO job_fees (id, job_id, at, kind, total, admin, officer, detail, actor) VALUES `,
			row: `(?, ?, ?, 'cancel', ?, ?, ?, ?, ?)`}
		defer insJobs.close()
		defer insPos.close()
		defer insFees.close()

		positions, posID, feeID := 0, maxPos, maxFee
		for lo := 0; lo < len(jobs); lo += insJobs.per {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+insJobs.per, len(jobs))
			// The chunk's jobs first: its positions and fees refer to them.
			for i := lo; i < hi; i++ {
				h := &jobs[i]
				id := maxID + int64(i) + 1
				q := h.Quote
				snap := h.QuoteJSON
				if len(snap) == 0 {
					var err error
					if snap, err = json.Marshal(q); err != nil {
						return err
					}
				}
				created, updated := h.CreatedAt, h.UpdatedAt
				if created.IsZero() {
					created = q.Received
				}
				if updated.IsZero() {
					updated = q.End
				}
				status, stamp := h.Status, fmtTime(updated)
				if st, ok := bill.status[id]; ok {
					status, stamp = st, bill.stamp[id]
				}
				var fee, cancelledAt any
				reason := ""
				if h.Cancel != nil {
					fee, cancelledAt, reason = h.Cancel.Fee.Total.StringFixed(2), fmtTime(h.Cancel.At), Clean(h.Cancel.Reason, false)
					if h.UpdatedAt.IsZero() {
						stamp = fmtTime(h.Cancel.At)
					}
				}
				if err := insJobs.add(ctx, id, h.CustomerID, h.SiteID, h.AgencyID, h.RateCardID,
					fmtTime(q.Start), fmtTime(q.End), q.Officers, q.Supervisors, q.Vehicles, string(q.Venue), fmtTime(q.Received), status,
					h.ContactName, h.ContactPhone, h.PostOrders, h.PONumber, q.Total.StringFixed(2), q.Bookable, string(snap),
					fee, cancelledAt, reason, fmtTime(created), actor, stamp); err != nil {
					return fmt.Errorf("history jobs: %w", err)
				}
			}
			if err := insJobs.flush(ctx); err != nil {
				return fmt.Errorf("history jobs: %w", err)
			}
			for i := lo; i < hi; i++ {
				h := &jobs[i]
				id := maxID + int64(i) + 1
				start, end := fmtTime(h.Quote.Start), fmtTime(h.Quote.End)
				for k, p := range h.Positions {
					var officer, in, out any
					if p.OfficerID != 0 {
						officer = p.OfficerID
					}
					if !p.CheckIn.IsZero() {
						in = fmtTime(p.CheckIn)
					}
					if !p.CheckOut.IsZero() {
						out = fmtTime(p.CheckOut)
					}
					posID++
					if err := insPos.add(ctx, posID, id, k+1, p.Class, officer, start, end, p.Status, in, out, p.Attendance); err != nil {
						return fmt.Errorf("history positions: %w", err)
					}
				}
				positions += len(h.Positions)
				if h.Cancel != nil {
					f := h.Cancel.Fee
					detail, err := json.Marshal(f.Lines)
					if err != nil {
						return err
					}
					feeID++
					if err := insFees.add(ctx, feeID, id, fmtTime(h.Cancel.At), f.Total.StringFixed(2), f.Admin.StringFixed(2),
						f.Officer.StringFixed(2), string(detail), actor); err != nil {
						return fmt.Errorf("history fees: %w", err)
					}
				}
			}
		}
		if err := insPos.flush(ctx); err != nil {
			return fmt.Errorf("history positions: %w", err)
		}
		if err := insFees.flush(ctx); err != nil {
			return fmt.Errorf("history fees: %w", err)
		}
		if err := writeHistoryInvoices(ctx, d, tx, actor, bill, maxID); err != nil {
			return err
		}
		first, last := maxID+1, maxID+int64(len(jobs))
		what := fmt.Sprintf("%d invoices", len(bill.invoices))
		if len(jobs) > 0 {
			what = fmt.Sprintf("%d jobs (#%d to #%d), %d positions, starting %s to %s; %s", len(jobs), first, last, positions,
				fmtTime(jobs[0].Quote.Start), fmtTime(jobs[len(jobs)-1].Quote.Start), what)
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO audit (at, actor, entity, entity_id, action, before, after) VALUES (?, ?, 'history', ?, 'import', '', ?)`,
			fmtTime(s.now()), actor, first, what); err != nil {
			return err
		}
		// The ids given here are taken: the database numbers the next rows after them.
		return s.dialect().syncIdentity(ctx, tx, "jobs", "positions", "job_fees", "invoices")
	})
}

// multiInsert batches rows into multi-row INSERT statements: a prepared one
// for full batches, a one-off for the rest.
type multiInsert struct {
	tx        *sql.Tx
	head, row string
	per       int
	full      *sql.Stmt
	args      []any
	n         int
}

func (m *multiInsert) sql(n int) string {
	var b strings.Builder
	b.WriteString(m.head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.row)
	}
	return b.String()
}

func (m *multiInsert) add(ctx context.Context, vals ...any) error {
	m.args = append(m.args, vals...)
	m.n++
	if m.n < m.per {
		return nil
	}
	if m.full == nil {
		var err error
		if m.full, err = m.tx.PrepareContext(ctx, m.sql(m.per)); err != nil {
			return err
		}
	}
	_, err := m.full.ExecContext(ctx, m.args...)
	m.args, m.n = m.args[:0], 0
	return err
}

func (m *multiInsert) flush(ctx context.Context) error {
	if m.n == 0 {
		return nil
	}
	_, err := m.tx.ExecContext(ctx, m.sql(m.n), m.args...)
	m.args, m.n = m.args[:0], 0
	return err
}

func (m *multiInsert) close() {
	if m.full != nil {
		m.full.Close()
	}
}

// checkHistoryJob checks the shape of a generated job, not its invariants.
func checkHistoryJob(h *HistoryJob) error {
	q := h.Quote
	switch {
	case q == nil:
		return fmt.Errorf("no quote")
	case !historyStatuses[h.Status]:
		return fmt.Errorf("status %q: a past job is completed or cancelled (invoices make it invoiced or paid)", h.Status)
	case (h.Status == StatusCancelled) != (h.Cancel != nil):
		return fmt.Errorf("a cancelled job, and only one, has a cancellation")
	case h.Status != StatusCancelled && !q.Bookable:
		return fmt.Errorf("a job that is not bookable can only be cancelled")
	case !q.End.After(q.Start):
		return fmt.Errorf("shift ends before it starts")
	case len(h.Positions) != q.Officers+q.Supervisors:
		return fmt.Errorf("%d positions for %d officers and %d supervisors", len(h.Positions), q.Officers, q.Supervisors)
	case h.CustomerID == 0 || h.SiteID == 0 || h.AgencyID == 0 || h.RateCardID == 0:
		return fmt.Errorf("customer, site, agency and rate card are required")
	}
	for k, p := range h.Positions {
		want := "officer"
		if k >= q.Officers {
			want = "supervisor"
		}
		if p.Class != want {
			return fmt.Errorf("position %d is %q, want %q", k+1, p.Class, want)
		}
		switch {
		case p.Status == "assigned" && p.OfficerID == 0:
			return fmt.Errorf("position %d is assigned to nobody", k+1)
		case p.Status == "open" && p.OfficerID != 0:
			return fmt.Errorf("position %d is open with an officer", k+1)
		case p.Status != "assigned" && p.Status != "open" && p.Status != "cancelled":
			return fmt.Errorf("position %d status %q", k+1, p.Status)
		case h.Status != StatusCancelled && p.Status != "assigned":
			return fmt.Errorf("position %d of a %s job is %s", k+1, h.Status, p.Status)
		case h.Status == StatusCancelled && p.Status != "cancelled":
			return fmt.Errorf("position %d of a cancelled job is %s", k+1, p.Status)
		case !p.CheckOut.IsZero() && !p.CheckOut.After(p.CheckIn):
			return fmt.Errorf("position %d checks out before it checks in", k+1)
		}
	}
	return nil
}

func checkHistoryInvoice(h HistoryInvoice) error {
	switch {
	case h.CustomerID == 0:
		return fmt.Errorf("no customer")
	case h.PeriodStart.IsZero():
		return fmt.Errorf("no period")
	case !h.PaidOn.IsZero() && h.IssuedOn.IsZero():
		return fmt.Errorf("paid but never issued")
	case !h.PaidOn.IsZero() && civil(h.PaidOn).Before(civil(h.IssuedOn)):
		return fmt.Errorf("paid before it was issued")
	}
	return nil
}

// historyBill is the billing of an ImportHistory call, before it is written.
type historyBill struct {
	invoices []Invoice        // with ids, numbers and states, in id order
	status   map[int64]string // the jobs they move to invoiced or paid
	stamp    map[int64]string // and when (updated_at)
	counters map[int]int      // the last number of each year
}

// billHistory bills the invoices of an ImportHistory call: the jobs of the
// call, which will get ids from maxID+1 (positions from maxPos+1, fees from
// maxFee+1, in order), come from memory; the jobs already in the database
// that the periods cover come from a few queries. Lines are made by
// billPeriod, as GenerateInvoices makes them; the issued invoices are
// numbered in issue-date order.
func billHistory(ctx context.Context, d *dialect, tx *sql.Tx, jobs []HistoryJob, invoices []HistoryInvoice, maxID, maxPos, maxFee int64) (*historyBill, error) {
	bill := &historyBill{status: map[int64]string{}, stamp: map[int64]string{}}
	if len(invoices) == 0 {
		return bill, nil
	}
	custs, err := invoiceCustomers(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Customer{}
	for _, c := range custs {
		byID[c.ID] = c
	}
	type period struct{ ps, pe time.Time }
	periods := make([]period, len(invoices))
	var lo, hi time.Time
	for i, h := range invoices {
		c, ok := byID[h.CustomerID]
		if !ok {
			return nil, &Error{Code: ENotFound, Field: "history", Message: fmt.Sprintf("history invoice %d: no customer %d", i, h.CustomerID)}
		}
		day := civil(h.PeriodStart)
		ps, pe, err := pricing.Period(c.BillingCycle, day)
		if err != nil {
			return nil, err
		}
		if !ps.Equal(day) {
			return nil, &Error{Code: EInvalid, Field: "history", Message: fmt.Sprintf("history invoice %d: %s is not the start of a %s period of %s (that is %s)",
				i, day.Format(dateLayout), c.BillingCycle, c.Name, ps.Format(dateLayout))}
		}
		periods[i] = period{ps, pe}
		if lo.IsZero() || ps.Before(lo) {
			lo = ps
		}
		if pe.After(hi) {
			hi = pe
		}
	}
	from, to := lo.Add(-36*time.Hour), hi.Add(36*time.Hour)
	// What the database already holds (earlier calls' jobs not billed yet).
	set, err := loadBillingWhere(ctx, d, tx, `j.starts_at >= ? AND j.starts_at < ? AND j.id <= ?`, []any{fmtTime(from), fmtTime(to), maxID}, false, `j.status`)
	if err != nil {
		return nil, err
	}
	// This call's jobs, as the queries would read them once written.
	if len(jobs) > 0 {
		sites, err := idNames(ctx, tx, `SELECT id, name FROM sites`)
		if err != nil {
			return nil, err
		}
		officers, err := idNames(ctx, tx, `SELECT id, first_name || ' ' || last_name || `+d.unitSep()+` || badge FROM officers`)
		if err != nil {
			return nil, err
		}
		posID, feeID := maxPos, maxFee
		for i := range jobs {
			h := &jobs[i]
			q := h.Quote
			id := maxID + int64(i) + 1
			firstPos := posID
			posID += int64(len(h.Positions))
			if h.Cancel != nil {
				feeID++
			}
			if q.Start.Before(from) || !q.Start.Before(to) {
				continue
			}
			j := Job{ID: id, CustomerID: h.CustomerID, SiteID: h.SiteID, SiteName: sites[h.SiteID], AgencyID: h.AgencyID, RateCardID: h.RateCardID,
				Start: q.Start, End: q.End, Vehicles: q.Vehicles, Status: h.Status}
			j.Quote.Emergency = q.Emergency
			set.jobs = append(set.jobs, j)
			if h.Status == StatusCompleted {
				for k, p := range h.Positions {
					if p.Status != "assigned" || p.OfficerID == 0 {
						continue
					}
					name, badge, _ := strings.Cut(officers[p.OfficerID], "\x1f")
					set.pos[id] = append(set.pos[id], Position{ID: firstPos + int64(k) + 1, JobID: id, Slot: k + 1, Class: p.Class, OfficerID: p.OfficerID,
						OfficerName: name, Badge: badge, Start: q.Start, End: q.End, Status: p.Status, CheckIn: p.CheckIn, CheckOut: p.CheckOut,
						Attendance: p.Attendance})
				}
			}
			if f := h.Cancel; f != nil && !f.Fee.Total.IsZero() {
				exact := func(d decimal.Decimal) decimal.Decimal { return decimal.RequireFromString(d.StringFixed(2)) } // as stored
				set.fees[id] = append(set.fees[id], billFee{id: feeID, jobID: id, kind: "cancel", total: exact(f.Fee.Total),
					admin: exact(f.Fee.Admin), officer: exact(f.Fee.Officer)})
			}
		}
	}
	jobsOf := map[int64][]Job{}
	status := map[int64]string{}
	for _, j := range set.jobs {
		jobsOf[j.CustomerID] = append(jobsOf[j.CustomerID], j)
		status[j.ID] = j.Status
	}
	for _, js := range jobsOf {
		sort.SliceStable(js, func(a, b int) bool {
			return js[a].Start.Before(js[b].Start) || (js[a].Start.Equal(js[b].Start) && js[a].ID < js[b].ID)
		})
	}

	pr := newPricer()
	var made []Invoice
	var src []HistoryInvoice
	for i, h := range invoices {
		inv, err := billPeriod(ctx, tx, pr, byID[h.CustomerID], periods[i].ps, periods[i].pe, jobsOf[h.CustomerID], set)
		if err != nil {
			return nil, err
		}
		if len(inv.Lines) > 0 {
			made, src = append(made, inv), append(src, h)
		}
	}
	if len(made) == 0 {
		return bill, nil
	}
	// Ids and numbers in issue-date order (drafts last).
	order := make([]int, len(made))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := src[order[a]].IssuedOn, src[order[b]].IssuedOn
		return !x.IsZero() && (y.IsZero() || civil(x).Before(civil(y)))
	})
	counters := map[int]int{}
	rows, err := tx.QueryContext(ctx, `SELECT year, last FROM invoice_counters`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var y, n int
		if err := rows.Scan(&y, &n); err != nil {
			rows.Close()
			return nil, err
		}
		counters[y] = n
	}
	rows.Close()
	var maxInv int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM invoices`).Scan(&maxInv); err != nil {
		return nil, err
	}
	for k, i := range order {
		inv, h := made[i], src[i]
		inv.ID = maxInv + int64(k) + 1
		if !h.IssuedOn.IsZero() {
			day := civil(h.IssuedOn)
			counters[day.Year()]++
			inv.Number = fmt.Sprintf("%04d-%06d", day.Year(), counters[day.Year()])
			inv.State, inv.IssuedOn, inv.DueOn = InvoiceIssued, day, day.AddDate(0, 0, inv.TermsDays)
			to, when := StatusInvoiced, day
			if !h.PaidOn.IsZero() {
				inv.State, inv.PaidOn, inv.PaidRef = InvoicePaid, civil(h.PaidOn), Clean(h.PaidRef, false)
				to, when = StatusPaid, inv.PaidOn
			}
			// Its jobs move on, as IssueInvoice and MarkPaid move them.
			for _, l := range inv.Lines {
				if l.Kind != "fee" && status[l.JobID] == StatusCompleted {
					status[l.JobID] = to
					bill.status[l.JobID], bill.stamp[l.JobID] = to, fmtTime(when.Add(16*time.Hour))
				}
			}
		}
		bill.invoices = append(bill.invoices, inv)
	}
	bill.counters = counters
	return bill, nil
}

// idNames reads a query of (id, text) rows into a map.
func idNames(ctx context.Context, q querier, query string) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

// writeHistoryInvoices writes a historyBill once the call's jobs are in:
// invoices, lines and claims in multi-row INSERTs, the year counters, and the
// status of the earlier jobs (id up to maxID) it billed.
func writeHistoryInvoices(ctx context.Context, d *dialect, tx *sql.Tx, actor string, bill *historyBill, maxID int64) error {
	if len(bill.invoices) == 0 {
		return nil
	}
	insInv := &multiInsert{tx: tx, per: d.rowsPerInsert(32), head: `INSERT INTO invoices (id, number, customer_id, cycle, period_start, period_end, state, terms_days,
		issued_on, due_on, paid_on, paid_ref, subtotal, total, created_at, created_by, updated_at) VALUES `,
		row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
	insLine := &multiInsert{tx: tx, per: d.rowsPerInsert(48), head: `INSERT INTO invoice_lines (invoice_id, seq, kind, job_id, position_id, fee_id, day, site, officer, class,
		basis, count, minutes, rate, amount, officer_pay, admin_fee, description) VALUES `,
		row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
	insClaim := &multiInsert{tx: tx, per: d.rowsPerInsert(128), head: `INSERT INTO invoice_claims (kind, ref_id, invoice_id) VALUES `, row: `(?, ?, ?)`}
	defer insInv.close()
	defer insLine.close()
	defer insClaim.close()
	date := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format(dateLayout)
	}
	for _, inv := range bill.invoices {
		var number any
		if inv.Number != "" {
			number = inv.Number
		}
		// Stamps: the draft the day its period ended, the last change when
		// issued or paid (16:00 UTC, the office's morning).
		created := fmtTime(inv.PeriodEnd.Add(16 * time.Hour))
		updated := created
		for _, d := range []time.Time{inv.IssuedOn, inv.PaidOn} {
			if !d.IsZero() {
				updated = fmtTime(d.Add(16 * time.Hour))
			}
		}
		if err := insInv.add(ctx, inv.ID, number, inv.CustomerID, inv.Cycle, inv.PeriodStart.Format(dateLayout), inv.PeriodEnd.Format(dateLayout),
			inv.State, inv.TermsDays, date(inv.IssuedOn), date(inv.DueOn), date(inv.PaidOn), inv.PaidRef,
			inv.Subtotal.StringFixed(2), inv.Total.StringFixed(2), created, actor, updated); err != nil {
			return fmt.Errorf("history invoices: %w", err)
		}
	}
	if err := insInv.flush(ctx); err != nil {
		return fmt.Errorf("history invoices: %w", err)
	}
	for _, inv := range bill.invoices {
		seen := map[claimKey]bool{}
		for _, l := range inv.Lines {
			if err := insLine.add(ctx, inv.ID, l.Seq, l.Kind, l.JobID, nullID(l.PositionID), nullID(l.FeeID), l.Day.Format(dateLayout), l.Site, l.Officer,
				l.Class, l.Basis, l.Count, l.Minutes, l.Rate.StringFixed(2), l.Amount.StringFixed(2), l.OfficerPay.StringFixed(2),
				l.AdminFee.StringFixed(2), l.Description); err != nil {
				return fmt.Errorf("history invoice lines: %w", err)
			}
			key := lineClaim(l)
			if seen[key] {
				continue // a position billed at two rates is claimed once
			}
			seen[key] = true
			if err := insClaim.add(ctx, key.kind, key.ref, inv.ID); err != nil {
				return fmt.Errorf("history invoice claims: %w", err)
			}
		}
	}
	if err := insLine.flush(ctx); err != nil {
		return fmt.Errorf("history invoice lines: %w", err)
	}
	if err := insClaim.flush(ctx); err != nil {
		return fmt.Errorf("history invoice claims: %w", err)
	}
	for y, n := range bill.counters {
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoice_counters (year, last) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last`, y, n); err != nil {
			return err
		}
	}
	ids := make([]int64, 0, len(bill.status))
	for id := range bill.status {
		if id <= maxID {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, updated_at = ? WHERE id = ? AND status = 'completed'`,
			bill.status[id], bill.stamp[id], id); err != nil {
			return err
		}
	}
	return nil
}
