package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// moves lists the legal status changes other than approval, assignment and
// cancellation, which have their own methods.
var moves = map[string][]string{
	StatusScheduled:  {StatusInProgress},
	StatusInProgress: {StatusCompleted},
	StatusCompleted:  {StatusInvoiced},
	StatusInvoiced:   {StatusPaid},
}

// CanMove reports whether a job may go from one status to another, and why not.
func CanMove(from, to string) error {
	if to == StatusCancelled {
		switch from {
		case StatusRequested, StatusApproved, StatusScheduled, StatusInProgress:
			return nil
		}
		return fmt.Errorf("a %s job can no longer be cancelled", from)
	}
	for _, ok := range moves[from] {
		if ok == to {
			return nil
		}
	}
	if from == StatusRequested && to == StatusApproved {
		return nil
	}
	if from == StatusApproved && to == StatusScheduled {
		return fmt.Errorf("a job becomes scheduled when every position has an officer")
	}
	return fmt.Errorf("a job cannot go from %s to %s", from, to)
}

// Advance moves a job along the lifecycle (scheduled -> in progress ->
// completed -> invoiced -> paid), refusing any other move with the reason.
func (s *Store) Advance(ctx context.Context, actor string, id int64, to string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if to == StatusApproved || to == StatusCancelled {
			return &Error{Code: EInvalid, Field: "status", Message: "use approve or cancel"}
		}
		if err := CanMove(j.Status, to); err != nil {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d: %v", id, err)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?`, to, fmtTime(s.now()), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "job", id, "status", j.Status, to)
	})
}

// JobQuote re-prices a job from its saved inputs with the rate card it was
// priced with (for cancellation fees and invoices).
func (s *Store) jobQuote(ctx context.Context, q querier, j Job) (*pricing.Quote, pricing.RateCard, error) {
	a, err := agencyByID(ctx, q, j.AgencyID)
	if err != nil {
		return nil, pricing.RateCard{}, err
	}
	rc, err := rateCardByID(ctx, q, j.RateCardID)
	if err != nil {
		return nil, pricing.RateCard{}, err
	}
	p, err := loadPricing(ctx, q, a, rc)
	if err != nil {
		return nil, pricing.RateCard{}, err
	}
	qt, err := p.Quote(pricing.Request{Start: j.Start, End: j.End, Officers: j.Officers, Vehicles: j.Vehicles, Venue: j.Venue, Received: j.Received})
	return qt, rc.Card, err
}

// CancelPlan describes a cancellation or reduction: remove Officers officer
// positions (all of them, or 0, cancels the whole job).
type CancelPlan struct {
	JobID    int64
	At       time.Time
	Officers int // officer positions to remove; 0 or all = cancel the job
	Reason   string
}

// planFee prices a plan: the positions removed (officers, and the supervisor
// if the officers left fall under the agency's threshold) and the fee.
func (s *Store) planFee(ctx context.Context, q querier, j Job, plan CancelPlan) (fee pricing.Fee, offs, sups int, whole bool, err error) {
	if err = CanMove(j.Status, StatusCancelled); err != nil {
		return fee, 0, 0, false, &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d: %v", j.ID, err)}
	}
	quote, card, err := s.jobQuote(ctx, q, j)
	if err != nil {
		return fee, 0, 0, false, err
	}
	if plan.Officers < 0 || plan.Officers > j.Officers {
		return fee, 0, 0, false, &Error{Code: EInvalid, Field: "positions", Message: fmt.Sprintf("job %d has %d officer positions: remove 1 to %d", j.ID, j.Officers, j.Officers)}
	}
	offs, sups, whole = plan.Officers, 0, plan.Officers == 0 || plan.Officers == j.Officers
	if whole {
		offs, sups = j.Officers, j.Supervisors
	} else if j.Supervisors > 0 && (card.SupervisorAt == 0 || j.Officers-offs < card.SupervisorAt) {
		sups = j.Supervisors // fewer officers than the threshold: the supervisor goes too
	}
	if !whole { // refuse here, so a preview says what applying the plan would say
		for _, c := range []struct {
			class string
			n     int
		}{{"officer", offs}, {"supervisor", sups}} {
			if err = checkRemovable(ctx, q, j.ID, c.class, c.n); err != nil {
				return fee, 0, 0, false, err
			}
		}
	}
	// Hours already worked: a whole job cancelled while it runs has worked
	// since its start; a reduction only removes positions nobody checked in to.
	worked := 0
	if whole {
		worked = int(min(max(plan.At.Sub(j.Start), 0), j.End.Sub(j.Start)) / time.Minute)
	}
	fee, err = pricing.CancellationFee(pricing.Cancellation{Quote: quote, Minimum: card.MinimumMinutes, Terms: card.CancelTerms(), Approved: j.Status != StatusRequested,
		At: plan.At, Officers: offs, Supervisors: sups, WorkedMinutes: worked})
	if err != nil {
		return fee, 0, 0, false, &Error{Code: EInvalid, Message: err.Error()}
	}
	return fee, offs, sups, whole, nil
}

// PreviewCancel computes the fee of a cancellation or reduction without
// changing anything, so it can be shown before the user confirms. It asks
// no role: a customer's screen uses PreviewCancelFor.
func (s *Store) PreviewCancel(ctx context.Context, plan CancelPlan) (pricing.Fee, error) {
	var fee pricing.Fee
	err := s.read(ctx, func(tx *sql.Tx) error {
		j, err := jobByID(ctx, tx, plan.JobID)
		if err != nil {
			return err
		}
		fee, _, _, _, err = s.planFee(ctx, tx, j, plan)
		return err
	})
	return fee, err
}

// Cancel cancels a whole job at `at`, computing the fee of RULES.md
// "Cancellation and reduction" and keeping it on the job.
func (s *Store) Cancel(ctx context.Context, actor string, id int64, at time.Time, reason string) (pricing.Fee, error) {
	return s.CancelOrReduce(ctx, actor, CancelPlan{JobID: id, At: at, Reason: reason})
}

// CancelOrReduce applies a plan: the whole job is cancelled, or the officer
// positions (open ones first) are removed and the job re-priced for what
// remains; the fee is kept on the job, line by line, for invoicing. A
// dispatcher (and up) cancels any job; a customer user its own account's,
// at the office's now whatever plan.At says, under the same fee rules.
func (s *Store) CancelOrReduce(ctx context.Context, actor string, plan CancelPlan) (pricing.Fee, error) {
	var fee pricing.Fee
	plan.Reason = Clean(plan.Reason, false)
	if err := limitText("reason", "reason", plan.Reason, MaxReason); err != nil {
		return fee, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorizeCancel(ctx, tx, actor, &plan); err != nil { // a dispatcher, or a customer its own job (at now)
			return err
		}
		j, err := jobByID(ctx, tx, plan.JobID)
		if err != nil {
			return err
		}
		var offs, sups int
		var whole bool
		if fee, offs, sups, whole, err = s.planFee(ctx, tx, j, plan); err != nil {
			return err
		}
		held, err := heldPositions(ctx, tx, j.ID) // who is on it, to tell those taken off
		if err != nil {
			return err
		}
		kind := "reduce"
		if whole {
			kind = "cancel"
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?, updated_at = ? WHERE id = ?`,
				fmtTime(plan.At), plan.Reason, fmtTime(s.now()), j.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE positions SET status = 'cancelled' WHERE job_id = ? AND status <> 'cancelled'`, j.ID); err != nil {
				return err
			}
		} else {
			if err := s.removePositions(ctx, tx, j.ID, "officer", offs); err != nil {
				return err
			}
			if err := s.removePositions(ctx, tx, j.ID, "supervisor", sups); err != nil {
				return err
			}
			if err := s.reprice(ctx, tx, j, j.Officers-offs); err != nil {
				return err
			}
		}
		detail, _ := json.Marshal(fee.Lines)
		if _, err := tx.ExecContext(ctx, `INSERT INTO job_fees (job_id, at, kind, total, admin, officer, detail, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			j.ID, fmtTime(plan.At), kind, fee.Total.StringFixed(2), fee.Admin.StringFixed(2), fee.Officer.StringFixed(2), string(detail), actor); err != nil {
			return err
		}
		sum, err := feeSum(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET cancel_fee = ? WHERE id = ?`, sum.StringFixed(2), j.ID); err != nil {
			return err
		}
		if whole {
			if err := s.audit(ctx, tx, actor, "job", j.ID, "cancel", j.Status, "cancelled, fee "+fee.Total.StringFixed(2)); err != nil {
				return err
			}
			removed, err := removedOfficers(ctx, tx, held)
			if err != nil {
				return err
			}
			return s.tellCancelled(ctx, tx, j.ID, false, fee.Total, removed)
		}
		after := fmt.Sprintf("%d officers, %d supervisors, fee %s", j.Officers-offs, j.Supervisors-sups, fee.Total.StringFixed(2))
		if r := plan.Reason; r != "" {
			after += "; reason: " + r
		}
		if err := s.audit(ctx, tx, actor, "job", j.ID, "reduce", fmt.Sprintf("%d officers, %d supervisors", j.Officers, j.Supervisors), after); err != nil {
			return err
		}
		j2, err := jobByID(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		if err := s.settleStatus(ctx, tx, actor, j2); err != nil {
			return err
		}
		removed, err := removedOfficers(ctx, tx, held)
		if err != nil {
			return err
		}
		return s.tellCancelled(ctx, tx, j.ID, true, fee.Total, removed)
	})
	return fee, err
}

// checkRemovable refuses to remove n positions of a class when fewer than n
// have not checked in.
func checkRemovable(ctx context.Context, q querier, jobID int64, class string, n int) error {
	if n == 0 {
		return nil
	}
	var free int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND class = ? AND status <> 'cancelled' AND check_in_at IS NULL`,
		jobID, class).Scan(&free); err != nil {
		return err
	}
	if free < n {
		return &Error{Code: EConflict, Field: "positions", Message: fmt.Sprintf("only %d %s positions can be removed: the others have checked in", free, class)}
	}
	return nil
}

// removePositions cancels n positions of a class, open ones first, then the
// latest filled; checked-in positions are never removed.
func (s *Store) removePositions(ctx context.Context, tx *sql.Tx, jobID int64, class string, n int) error {
	if n == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM positions WHERE job_id = ? AND class = ? AND status <> 'cancelled' AND check_in_at IS NULL
		ORDER BY (status = 'open') DESC, slot DESC LIMIT ?`, jobID, class, n)
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
	if len(ids) < n {
		return &Error{Code: EConflict, Field: "positions", Message: fmt.Sprintf("only %d %s positions can be removed: the others have checked in", len(ids), class)}
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET status = 'cancelled' WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// reprice prices a reduced job with its own card and received time.
func (s *Store) reprice(ctx context.Context, tx *sql.Tx, j Job, officers int) error {
	j.Officers = officers
	q, _, err := s.jobQuote(ctx, tx, j)
	if err != nil {
		return quoteErr(err)
	}
	snap, err := json.Marshal(q)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE jobs SET officers = ?, supervisors = ?, total = ?, quote_json = ?, updated_at = ? WHERE id = ?`,
		q.Officers, q.Supervisors, q.Total.StringFixed(2), string(snap), fmtTime(s.now()), j.ID)
	return err
}

// feeSum adds up a job's fees exactly.
func feeSum(ctx context.Context, q querier, jobID int64) (decimal.Decimal, error) {
	rows, err := q.QueryContext(ctx, `SELECT total FROM job_fees WHERE job_id = ?`, jobID)
	if err != nil {
		return decimal.Zero, err
	}
	defer rows.Close()
	sum := decimal.Zero
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return sum, err
		}
		d, err := decimal.NewFromString(t)
		if err != nil {
			return sum, err
		}
		sum = sum.Add(d)
	}
	return sum, rows.Err()
}
