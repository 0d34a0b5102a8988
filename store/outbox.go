package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message kinds: who hears of what.
const (
	// To an officer.
	MsgOfficerAssigned  = "officer.assigned"  // put in a position
	MsgOfficerChanged   = "officer.changed"   // their shift's time or place changed
	MsgOfficerCancelled = "officer.cancelled" // their shift was cancelled, or they were taken off it
	MsgOfficerReminder  = "officer.reminder"  // the day before a shift
	MsgOfficerOpenShift = "officer.open"      // an open shift they may take
	// To a customer.
	MsgCustomerReceived  = "customer.received"  // a request was received
	MsgCustomerApproved  = "customer.approved"  // it was approved
	MsgCustomerStaffed   = "customer.staffed"   // every position is filled
	MsgCustomerChanged   = "customer.changed"   // the job changed
	MsgCustomerCancelled = "customer.cancelled" // cancelled or reduced, with the fee
	MsgInvoiceIssued     = "customer.invoice"   // an invoice was issued (its PDF attached)
	// To dispatchers.
	MsgDispatchDropped  = "dispatch.dropped"   // an officer dropped a shift
	MsgDispatchOpenSoon = "dispatch.open-soon" // a position still open close to its start
	MsgDispatchSignup   = "dispatch.signup"    // a sign-up waits for confirmation
	// To an agency's dispatch address.
	MsgAgencyRoster = "agency.roster" // its officers' details in the next 24 hours
	MsgAgencyChange = "agency.change" // one added or cancelled inside that window
	// To a web user: a sign-in link.
	MsgSignIn = "signin"
)

// MessageKinds lists every kind, for opt-outs and the outbox screen.
var MessageKinds = []string{MsgOfficerAssigned, MsgOfficerChanged, MsgOfficerCancelled, MsgOfficerReminder, MsgOfficerOpenShift,
	MsgCustomerReceived, MsgCustomerApproved, MsgCustomerStaffed, MsgCustomerChanged, MsgCustomerCancelled, MsgInvoiceIssued,
	MsgDispatchDropped, MsgDispatchOpenSoon, MsgDispatchSignup, MsgAgencyRoster, MsgAgencyChange, MsgSignIn}

// Mandatory reports whether a kind is something its reader must know:
// nobody opts out of a cancellation (or a sign-in link they asked for).
func Mandatory(kind string) bool {
	switch kind {
	case MsgOfficerCancelled, MsgCustomerCancelled, MsgSignIn, MsgAgencyChange:
		return true
	}
	return false
}

// Outbox states.
const (
	MsgPending = "pending"
	MsgSent    = "sent"
	MsgFailed  = "failed" // gave up after MaxAttempts
)

// MaxAttempts is how many times a message is tried before it is failed.
const MaxAttempts = 12

// Message is one e-mail in the outbox.
type Message struct {
	ID        int64
	Kind      string
	Dedupe    string // one message per event: a second with the same key is not written
	To        string
	ToName    string
	Subject   string
	Body      string // plain text
	JobID     int64
	InvoiceID int64 // its PDF is attached
	CreatedAt time.Time
	State     string
	Attempts  int
	NextAt    time.Time
	SentAt    time.Time
	LastError string
	ClaimedBy string
}

// enqueue writes a message into the outbox inside tx (the transaction of
// the change it tells of). A message to nobody, or one its reader opted out
// of, is not written; one whose Dedupe key was written before is not
// written again. It reports whether it wrote one.
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, m Message) (bool, error) {
	m.To = strings.TrimSpace(m.To)
	if m.To == "" || ValidEmail(m.To) != nil {
		return false, nil
	}
	if !Mandatory(m.Kind) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM optouts WHERE address = ? COLLATE NOCASE AND kind = ?`, m.To, m.Kind).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return false, nil
		}
	}
	now := fmtTime(s.now())
	var dedupe any
	if m.Dedupe != "" {
		dedupe = m.Dedupe
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, dedupe, to_addr, to_name, subject, body, job_id, invoice_id, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe) DO NOTHING`,
		m.Kind, dedupe, m.To, Clean(m.ToName, false), Clean(m.Subject, false), Clean(m.Body, true), nullID(m.JobID), nullID(m.InvoiceID), now, now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ClaimMessages takes up to n messages due now for sender, for lease: no
// other sender takes them until the lease runs out (a sender that dies
// leaves them to the next). Claims are one short transaction.
func (s *Store) ClaimMessages(ctx context.Context, sender string, n int, lease time.Duration) ([]Message, error) {
	if sender == "" {
		return nil, errors.New("claim: a sender needs a name")
	}
	var out []Message
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, `SELECT `+messageCols+` FROM outbox WHERE state = 'pending' AND next_at <= ?
			AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_at, id LIMIT ?`, fmtTime(now), fmtTime(now), n)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?`, sender, fmtTime(now.Add(lease)), out[i].ID); err != nil {
				return err
			}
			out[i].ClaimedBy = sender
		}
		return nil
	})
	return out, err
}

// MarkSent records that sender sent message id. A message another sender
// holds now (this one's lease ran out) is refused with EConflict.
func (s *Store) MarkSent(ctx context.Context, sender string, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, claimed_until = NULL, last_error = ''
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`, fmtTime(s.now()), id, sender)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: EConflict, Field: "message", Message: fmt.Sprintf("message %d is not %s's to mark", id, sender)}
		}
		return nil
	})
}

// MarkFailed records a failed attempt: the message is tried again after
// retry, or failed for good after MaxAttempts (or when retry is 0).
func (s *Store) MarkFailed(ctx context.Context, sender string, id int64, cause string, retry time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = ? AND claimed_by = ? AND state = 'pending'`, id, sender).Scan(&attempts); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return &Error{Code: EConflict, Field: "message", Message: fmt.Sprintf("message %d is not %s's to mark", id, sender)}
			}
			return err
		}
		state := MsgPending
		if attempts+1 >= MaxAttempts || retry <= 0 {
			state = MsgFailed
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, next_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?`,
			state, fmtTime(s.now().Add(retry)), Clean(cause, false), id)
		return err
	})
}

// OutboxFilter selects messages; zero fields match all.
type OutboxFilter struct {
	State string
	Kind  string
	Limit int
}

// Outbox lists messages, newest first: a supervisor's.
func (s *Store) Outbox(ctx context.Context, actor string, f OutboxFilter) ([]Message, error) {
	var out []Message
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		q := `SELECT ` + messageCols + ` FROM outbox WHERE 1 = 1`
		var args []any
		if f.State != "" {
			q, args = q+` AND state = ?`, append(args, f.State)
		}
		if f.Kind != "" {
			q, args = q+` AND kind = ?`, append(args, f.Kind)
		}
		q += ` ORDER BY id DESC`
		if f.Limit > 0 {
			q += fmt.Sprintf(` LIMIT %d`, f.Limit)
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// RetryMessage puts a failed message back in line: a supervisor's.
func (s *Store) RetryMessage(ctx context.Context, actor string, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, claimed_until = NULL WHERE id = ? AND state = 'failed'`,
			fmtTime(s.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: EConflict, Field: "message", Message: fmt.Sprintf("message %d has not failed", id)}
		}
		return s.audit(ctx, tx, actor, "message", id, "retry", MsgFailed, MsgPending)
	})
}

// SetOptOut records that address does (out true) or does not want a kind
// of message. Cancellations cannot be refused. A supervisor's, or the
// address's own user's.
func (s *Store) SetOptOut(ctx context.Context, actor, address, kind string, out bool) error {
	address = strings.ToLower(strings.TrimSpace(address))
	if err := ValidEmail(address); err != nil || address == "" {
		return &Error{Code: EInvalid, Field: "email", Message: fmt.Sprintf("%q is not an e-mail address", Clean(address, false))}
	}
	known := false
	for _, k := range MessageKinds {
		known = known || k == kind
	}
	if !known {
		return &Error{Code: EInvalid, Field: "kind", Message: fmt.Sprintf("no message kind %q (see offduty notify --help)", Clean(kind, false))}
	}
	if Mandatory(kind) && out {
		return &Error{Code: EConflict, Field: "kind", Message: fmt.Sprintf("%s messages are what people must know: nobody opts out of them", kind)}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if !v.Can(PermAdmin) {
			var own int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users u LEFT JOIN officers o ON o.id = u.officer_id
				WHERE u.name = ? AND (lower(u.email) = ? OR lower(o.email) = ?)`, v.Name, address, address).Scan(&own); err != nil {
				return err
			}
			if own == 0 {
				return &Error{Code: EForbidden, Field: "email", Message: "you may change only your own messages"}
			}
		}
		q := `DELETE FROM optouts WHERE address = ? AND kind = ?`
		args := []any{address, kind}
		if out {
			q, args = `INSERT INTO optouts (address, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, append(args, fmtTime(s.now()))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		what := "in"
		if out {
			what = "out"
		}
		return s.audit(ctx, tx, actor, "optout", 0, kind, address, what)
	})
}

const messageCols = `id, kind, coalesce(dedupe, ''), to_addr, to_name, subject, body, coalesce(job_id, 0), coalesce(invoice_id, 0), created_at, state,
	attempts, next_at, sent_at, last_error, claimed_by`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var created, next string
	var sent sql.NullString
	if err := sc.Scan(&m.ID, &m.Kind, &m.Dedupe, &m.To, &m.ToName, &m.Subject, &m.Body, &m.JobID, &m.InvoiceID, &created, &m.State,
		&m.Attempts, &next, &sent, &m.LastError, &m.ClaimedBy); err != nil {
		return m, err
	}
	m.CreatedAt, _ = parseTime(created)
	m.NextAt, _ = parseTime(next)
	m.SentAt, _ = nullTime(sent)
	return m, nil
}

// Recipients: where messages about a job go.

// officerAddress is an officer's e-mail and name ("" when none).
func officerAddress(ctx context.Context, q querier, officerID int64) (string, string, error) {
	var email, name string
	err := q.QueryRowContext(ctx, `SELECT email, first_name || ' ' || last_name FROM officers WHERE id = ?`, officerID).Scan(&email, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return email, name, err
}

// customerAddresses are the addresses of an account: its customer users'
// and the account's own e-mail, each once.
func customerAddresses(ctx context.Context, q querier, customerID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT email FROM users WHERE customer_id = ? AND email <> ''
		UNION SELECT email FROM customers WHERE id = ? AND email <> ''`, customerID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		if k := strings.ToLower(e); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// dispatcherAddresses are the dispatchers' and supervisors' addresses.
func dispatcherAddresses(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT email FROM users WHERE role IN ('dispatcher', 'supervisor') AND email <> '' ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ClearOutbox removes the messages not sent yet (the demo's made-up events
// owe nobody a message): a supervisor's, audited with the count.
func (s *Store) ClearOutbox(ctx context.Context, actor string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'pending'`)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return s.audit(ctx, tx, actor, "outbox", 0, "clear", fmt.Sprintf("%d pending", n), "")
	})
	return int(n), err
}
