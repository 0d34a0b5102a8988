package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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

	Status string // completed, invoiced, paid or cancelled

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

// historyStatuses are the statuses a past job may be imported in.
var historyStatuses = map[string]bool{StatusCompleted: true, StatusInvoiced: true, StatusPaid: true, StatusCancelled: true}

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
// and constraints. The audit gets one entry per call, not one per change.
// All or nothing.
func (s *Store) ImportHistory(ctx context.Context, actor string, jobs []HistoryJob) error {
	if len(jobs) == 0 {
		return nil
	}
	for i := range jobs {
		if err := checkHistoryJob(&jobs[i]); err != nil {
			return &Error{Code: EInvalid, Field: "history", Message: fmt.Sprintf("history job %d: %v", i, err)}
		}
	}
	// While importing, a large page cache (the officer and customer indexes
	// take inserts all over their B-trees) and statement journals in memory
	// (multi-row inserts need them). The write connection is the only one:
	// the settings are put back on it afterwards.
	var cache, temp int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return err
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return err
	}
	defer s.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
	if _, err := s.w.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return err
	}
	defer s.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Rows go in many to a statement; job ids are given here (this
		// transaction holds the write lock), so positions can name them.
		var maxID int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM jobs`).Scan(&maxID); err != nil {
			return err
		}
		insJobs := &multiInsert{tx: tx, per: 32, head: `INSERT INTO jobs (id, customer_id, site_id, agency_id, rate_card_id, series_id, series_index,
			starts_at, ends_at, officers, supervisors, vehicles, venue, received_at, status,
			contact_name, contact_phone, post_orders, po_number, total, bookable, quote_json,
			cancel_fee, cancelled_at, cancel_reason, created_at, created_by, updated_at) VALUES `,
			row: `(?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
		insPos := &multiInsert{tx: tx, per: 64, head: `INSERT INTO positions (job_id, slot, class, officer_id, starts_at, ends_at, status,
			check_in_at, check_out_at, attendance) VALUES `, row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
		insFees := &multiInsert{tx: tx, per: 32, head: `INSERT INTO job_fees (job_id, at, kind, total, admin, officer, detail, actor) VALUES `,
			row: `(?, ?, 'cancel', ?, ?, ?, ?, ?)`}
		defer insJobs.close()
		defer insPos.close()
		defer insFees.close()

		positions := 0
		for lo := 0; lo < len(jobs); lo += insJobs.per {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+insJobs.per, len(jobs))
			// The chunk's jobs first: its positions and fees refer to them.
			for i := lo; i < hi; i++ {
				h := &jobs[i]
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
				var fee, cancelledAt any
				reason := ""
				if h.Cancel != nil {
					fee, cancelledAt, reason = h.Cancel.Fee.Total.StringFixed(2), fmtTime(h.Cancel.At), Clean(h.Cancel.Reason, false)
					if h.UpdatedAt.IsZero() {
						updated = h.Cancel.At
					}
				}
				if err := insJobs.add(ctx, maxID+int64(i)+1, h.CustomerID, h.SiteID, h.AgencyID, h.RateCardID,
					fmtTime(q.Start), fmtTime(q.End), q.Officers, q.Supervisors, q.Vehicles, string(q.Venue), fmtTime(q.Received), h.Status,
					h.ContactName, h.ContactPhone, h.PostOrders, h.PONumber, q.Total.StringFixed(2), q.Bookable, string(snap),
					fee, cancelledAt, reason, fmtTime(created), actor, fmtTime(updated)); err != nil {
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
					if err := insPos.add(ctx, id, k+1, p.Class, officer, start, end, p.Status, in, out, p.Attendance); err != nil {
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
					if err := insFees.add(ctx, id, fmtTime(h.Cancel.At), f.Total.StringFixed(2), f.Admin.StringFixed(2),
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
		first, last := maxID+1, maxID+int64(len(jobs))
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, entity, entity_id, action, before, after) VALUES (?, ?, 'history', ?, 'import', '', ?)`,
			fmtTime(s.now()), actor, first, fmt.Sprintf("%d jobs (#%d to #%d), %d positions, starting %s to %s", len(jobs), first, last, positions,
				fmtTime(jobs[0].Quote.Start), fmtTime(jobs[len(jobs)-1].Quote.Start)))
		return err
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
		return fmt.Errorf("status %q: a past job is completed, invoiced, paid or cancelled", h.Status)
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
