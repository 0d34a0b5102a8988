package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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

// Assign puts an officer in an open position of an approved or scheduled job.
// Inside the write transaction it checks the officer's agency, activity,
// rank, overlapping shifts and weekly cap; the job becomes scheduled when
// every position is filled.
func (s *Store) Assign(ctx context.Context, actor string, positionID, officerID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var jobID int64
		var class, st, en, status string
		var current sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT job_id, class, starts_at, ends_at, status, officer_id FROM positions WHERE id = ?`, positionID).
			Scan(&jobID, &class, &st, &en, &status, &current)
		if err == sql.ErrNoRows {
			return &Error{Code: ENotFound, Field: "position", Message: fmt.Sprintf("no position %d", positionID)}
		}
		if err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, jobID)
		if err != nil {
			return err
		}
		if j.Status != StatusApproved && j.Status != StatusScheduled && j.Status != StatusInProgress {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: positions are filled once it is approved", jobID, j.Status)}
		}
		if status == "cancelled" {
			return &Error{Code: EConflict, Field: "position", Message: "that position was cancelled"}
		}
		if current.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "that position already has an officer: unassign first"}
		}
		list, err := officers(ctx, tx, `WHERE o.id = ?`, officerID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", officerID)}
		}
		o := list[0]
		if reason := s.ineligible(ctx, tx, o, j, class); reason != "" {
			return &Error{Code: EConflict, Field: "officer", Message: fmt.Sprintf("%s cannot take this shift: %s", o.Name(), reason)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET officer_id = ?, status = 'assigned' WHERE id = ?`, officerID, positionID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "assign", "", fmt.Sprintf("%s (%s)", o.Name(), o.Badge)); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND status = 'open'`, jobID).Scan(&open); err != nil {
			return err
		}
		if open == 0 && j.Status == StatusApproved {
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'scheduled', updated_at = ? WHERE id = ?`, fmtTime(s.now()), jobID); err != nil {
				return err
			}
			return s.audit(ctx, tx, actor, "job", jobID, "status", StatusApproved, StatusScheduled)
		}
		return nil
	})
}

// ineligible says why an officer cannot take a position of job j, or "".
func (s *Store) ineligible(ctx context.Context, q querier, o Officer, j Job, class string) string {
	if !o.Active {
		return "inactive"
	}
	if o.AgencyID != j.AgencyID {
		return "officer of another agency"
	}
	if class == "supervisor" && !SupervisorRank(o.Rank) {
		return "supervisor rank needed (sergeant or above)"
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at < ? AND p.ends_at > ?`,
		o.ID, fmtTime(j.End), fmtTime(j.Start)).Scan(&n); err != nil {
		return err.Error()
	}
	if n > 0 {
		return "overlapping shift"
	}
	loc, _ := time.LoadLocation("America/Denver")
	if a, err := agencyByID(ctx, q, j.AgencyID); err == nil {
		loc = a.Loc
	}
	ws := weekStart(j.Start, loc)
	var mins int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(sum((unixepoch(p.ends_at) - unixepoch(p.starts_at)) / 60), 0)
		FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ? AND p.starts_at < ?`,
		o.ID, fmtTime(ws), fmtTime(ws.AddDate(0, 0, 7))).Scan(&mins); err != nil {
		return err.Error()
	}
	if mins+int(j.End.Sub(j.Start)/time.Minute) > o.WeeklyCapMinutes {
		return fmt.Sprintf("weekly cap reached (%s of %s h booked)", pricing.FormatMinutes(mins), pricing.FormatMinutes(o.WeeklyCapMinutes))
	}
	return ""
}

// weekStart is the Monday 00:00 (in loc) of t's week.
func weekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	d := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-d, 0, 0, 0, 0, loc)
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

// Cancel cancels a whole job at `at`, computing the fee of RULES.md
// "Cancellation and reduction" and keeping it on the job.
func (s *Store) Cancel(ctx context.Context, actor string, id int64, at time.Time, reason string) (pricing.Fee, error) {
	var fee pricing.Fee
	err := s.tx(ctx, func(tx *sql.Tx) error {
		j, err := jobByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanMove(j.Status, StatusCancelled); err != nil {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d: %v", id, err)}
		}
		q, card, err := s.jobQuote(ctx, tx, j)
		if err != nil {
			return err
		}
		// Hours already worked (a job cancelled while in progress), per position.
		worked := int(min(max(at.Sub(j.Start), 0), j.End.Sub(j.Start)) / time.Minute)
		fee, err = pricing.CancellationFee(pricing.Cancellation{Quote: q, Minimum: card.MinimumMinutes, Approved: j.Status != StatusRequested,
			At: at, Officers: j.Officers, Supervisors: j.Supervisors, WorkedMinutes: worked})
		if err != nil {
			return &Error{Code: EInvalid, Message: err.Error()}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', cancel_fee = ?, cancelled_at = ?, cancel_reason = ?, updated_at = ? WHERE id = ?`,
			fee.Total.StringFixed(2), fmtTime(at), Clean(reason, false), fmtTime(s.now()), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET status = 'cancelled' WHERE job_id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "job", id, "cancel", j.Status, "cancelled, fee "+fee.Total.StringFixed(2))
	})
	return fee, err
}
