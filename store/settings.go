package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Sign-up modes: what an officer's sign-up for an open shift does.
const (
	SignupAssign  = "assign"  // assigned at once under the store's rules
	SignupConfirm = "confirm" // held for a dispatcher to confirm
)

// OfficeSettings are the office's choices for self-service and messages,
// kept in the settings table, changed by a supervisor, audited.
type OfficeSettings struct {
	SignupMode    string // SignupAssign or SignupConfirm
	FairnessHours int    // for this long after approval, only officers at or below the agency's median month may sign up (0: off)
	RosterHour    int    // local hour (0-23) each agency gets its next-24-hours roster
	ReminderHour  int    // local hour officers get the day-before reminder
	OpenSoonHours int    // a position still open this close to its start is flagged to dispatchers
	Sender        string // the From address of every message ("" sends nothing)
	SenderName    string // the From name
	ReplyTo       string // where replies go ("" the sender)
}

// DefaultSettings are what a new office starts with.
var DefaultSettings = OfficeSettings{SignupMode: SignupAssign, FairnessHours: 0, RosterHour: 15, ReminderHour: 16, OpenSoonHours: 24,
	SenderName: "offduty"}

// settingKeys are the settings table's keys of each field.
var settingKeys = []string{"signup_mode", "fairness_hours", "roster_hour", "reminder_hour", "open_soon_hours", "sender", "sender_name", "reply_to"}

func (o OfficeSettings) values() []string {
	return []string{o.SignupMode, strconv.Itoa(o.FairnessHours), strconv.Itoa(o.RosterHour), strconv.Itoa(o.ReminderHour), strconv.Itoa(o.OpenSoonHours),
		o.Sender, o.SenderName, o.ReplyTo}
}

// Describe is the settings one a line, as `offduty settings` shows them.
func (o OfficeSettings) Describe() []string {
	out := make([]string, len(settingKeys))
	for i, v := range o.values() {
		out[i] = settingKeys[i] + " = " + v
	}
	return out
}

// Validate checks the settings.
func (o OfficeSettings) Validate() error {
	switch {
	case o.SignupMode != SignupAssign && o.SignupMode != SignupConfirm:
		return &Error{Code: EInvalid, Field: "signup_mode", Message: fmt.Sprintf("signup_mode %q: assign (at once) or confirm (a dispatcher confirms)", o.SignupMode)}
	case o.FairnessHours < 0 || o.FairnessHours > 24*14:
		return &Error{Code: EInvalid, Field: "fairness_hours", Message: "fairness_hours: 0 (off) to 336 hours"}
	case o.RosterHour < 0 || o.RosterHour > 23:
		return &Error{Code: EInvalid, Field: "roster_hour", Message: "roster_hour: an hour of the day, 0 to 23"}
	case o.ReminderHour < 0 || o.ReminderHour > 23:
		return &Error{Code: EInvalid, Field: "reminder_hour", Message: "reminder_hour: an hour of the day, 0 to 23"}
	case o.OpenSoonHours < 1 || o.OpenSoonHours > 24*7:
		return &Error{Code: EInvalid, Field: "open_soon_hours", Message: "open_soon_hours: 1 to 168 hours"}
	}
	if err := ValidEmail(o.Sender); err != nil {
		return &Error{Code: EInvalid, Field: "sender", Message: "sender: " + err.Error()}
	}
	if err := ValidEmail(o.ReplyTo); err != nil {
		return &Error{Code: EInvalid, Field: "reply_to", Message: "reply_to: " + err.Error()}
	}
	if n := len([]rune(o.SenderName)); n > 100 || strings.ContainsAny(o.SenderName, "\r\n<>\"") {
		return &Error{Code: EInvalid, Field: "sender_name", Message: "sender_name: at most 100 characters, no line breaks, quotes or angle brackets"}
	}
	return nil
}

func readSettings(ctx context.Context, q querier) (OfficeSettings, error) {
	o := DefaultSettings
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(settingKeys)), ", ")+`)`, anys(settingKeys)...)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return o, err
		}
		n, _ := strconv.Atoi(v)
		switch k {
		case "signup_mode":
			o.SignupMode = v
		case "fairness_hours":
			o.FairnessHours = n
		case "roster_hour":
			o.RosterHour = n
		case "reminder_hour":
			o.ReminderHour = n
		case "open_soon_hours":
			o.OpenSoonHours = n
		case "sender":
			o.Sender = v
		case "sender_name":
			o.SenderName = v
		case "reply_to":
			o.ReplyTo = v
		}
	}
	return o, rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Settings reads the office's settings (anyone signed in may read them).
func (s *Store) Settings(ctx context.Context) (OfficeSettings, error) {
	var o OfficeSettings
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = readSettings(ctx, tx)
		return err
	})
	return o, err
}

// SetSettings changes the office's settings: a supervisor's; each changed
// value is audited with its before and after.
func (s *Store) SetSettings(ctx context.Context, actor string, o OfficeSettings) error {
	o.Sender, o.ReplyTo, o.SenderName = strings.TrimSpace(o.Sender), strings.TrimSpace(o.ReplyTo), strings.TrimSpace(Clean(o.SenderName, false))
	if err := o.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		before, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		old, now := before.values(), o.values()
		for i, k := range settingKeys {
			if old[i] == now[i] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, now[i]); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, actor, "settings", 0, k, old[i], now[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetAgencyDispatch sets the address that gets an agency's daily roster
// and notices ("" for none): a supervisor's, audited.
func (s *Store) SetAgencyDispatch(ctx context.Context, actor string, agencyID int64, email string) error {
	email = strings.TrimSpace(email)
	if err := ValidEmail(email); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT dispatch_email FROM agencies WHERE id = ?`, agencyID).Scan(&old); err != nil {
			if err == sql.ErrNoRows {
				return &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("no agency %d", agencyID)}
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agencies SET dispatch_email = ? WHERE id = ?`, email, agencyID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", agencyID, "dispatch email", old, email)
	})
}

// AgencyDispatch is an agency's dispatch address ("" for none).
func (s *Store) AgencyDispatch(ctx context.Context, agencyID int64) (string, error) {
	var email string
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT dispatch_email FROM agencies WHERE id = ?`, agencyID).Scan(&email)
	})
	return email, err
}
