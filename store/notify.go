package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/shopspring/decimal"
)

// The tell* hooks write, inside the transaction of a change, the messages
// it owes people (see outbox.go for kinds and recipients). Each is called
// by the store method that makes the change, after the change itself.

// tellReceived: a customer's request was received (customer.received).
func (s *Store) tellReceived(ctx context.Context, tx *sql.Tx, jobID int64) error { return nil }

// tellApproved: a request was approved (customer.approved).
func (s *Store) tellApproved(ctx context.Context, tx *sql.Tx, jobID int64) error { return nil }

// tellAssigned: an officer was put in a position (officer.assigned; to the
// agency when the shift starts within 24 hours: agency.change; to the
// customer when the job is now fully staffed: customer.staffed).
func (s *Store) tellAssigned(ctx context.Context, tx *sql.Tx, positionID int64) error { return nil }

// tellUnassigned: an officer was taken off a position, or its shift was
// removed (officer.cancelled; agency.change within 24 hours).
func (s *Store) tellUnassigned(ctx context.Context, tx *sql.Tx, positionID, officerID int64, why string) error { return nil }

// tellJobChanged: a job's time, place or orders changed (officer.changed to
// its officers, customer.changed).
func (s *Store) tellJobChanged(ctx context.Context, tx *sql.Tx, jobID int64, what string) error { return nil }

// tellCancelled: a job was cancelled or reduced, with the fee
// (customer.cancelled; officer.cancelled to the officers taken off).
func (s *Store) tellCancelled(ctx context.Context, tx *sql.Tx, jobID int64, reduced bool, fee decimal.Decimal, removed []int64) error {
	return nil
}

// tellInvoiceIssued: an invoice was issued (customer.invoice, its PDF attached).
func (s *Store) tellInvoiceIssued(ctx context.Context, tx *sql.Tx, invoiceID int64) error { return nil }

// tellDropped: an officer dropped a shift (dispatch.dropped; agency.change
// within 24 hours).
func (s *Store) tellDropped(ctx context.Context, tx *sql.Tx, positionID, officerID int64) error { return nil }

// tellSignupPending: a sign-up waits for a dispatcher (dispatch.signup).
func (s *Store) tellSignupPending(ctx context.Context, tx *sql.Tx, signupID int64) error { return nil }

// QueueScheduled writes the messages due by the clock at now: officers'
// day-before reminders, positions still open close to their start, each
// agency's daily roster at the office's roster hour. Each at most once
// (their Dedupe keys). It returns how many it wrote.
func (s *Store) QueueScheduled(ctx context.Context, now time.Time) (int, error) { return 0, nil }
