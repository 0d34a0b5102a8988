package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
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
	// Office is the office's own details, read with the settings; they are
	// changed by SetOffice or EditOffice, never by SetSettings.
	Office Office
}

// DefaultSettings are what a new office starts with.
var DefaultSettings = OfficeSettings{SignupMode: SignupAssign, FairnessHours: 0, RosterHour: 15, ReminderHour: 16, OpenSoonHours: 24,
	SenderName: "offduty", Office: DefaultOffice}

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
	keys := append(append([]string(nil), settingKeys...), officeKeys()...)
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")+`)`, anys(keys)...)
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
		default:
			for _, f := range officeFields {
				if k == f.key {
					*f.p(&o.Office) = v
				}
			}
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
// value is audited with its before and after. The office's own details
// (o.Office) are not SetSettings' to change: they stay as they are (see
// SetOffice).
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

// Office is the office's own details: who issues the invoices and signs the
// messages. They head every invoice (name, tagline, address, phone, e-mail,
// website), fill its remittance box (how to pay), and sign every e-mail.
// Until a supervisor sets them they are DefaultOffice's. Each change is
// audited (entity "office") with its value before and after; an issued
// invoice prints the details as they were when it was issued
// (InvoiceOffice).
type Office struct {
	Name       string // "offduty": required, one line
	Tagline    string // a line under the name: what the office is, or its legal name
	Address    string // up to OfficeMaxLines lines
	Phone      string
	Email      string
	Website    string // offduty.example or https://offduty.example/pay
	Remittance string // how to pay (bank details, "make checks payable to"): up to OfficeMaxLines lines
}

// DefaultOffice is the office until its supervisors name it.
var DefaultOffice = Office{Name: "offduty", Tagline: "off-duty management office", Address: "West Valley City, Utah", Email: "billing@offduty.example"}

// The office's details' limits: what fits the invoice's header and its
// remittance box.
const (
	OfficeMaxLines    = 5  // lines of the address, and of the remittance text
	OfficeNameMax     = 80 // characters of the name
	OfficeLineMax     = 90 // characters of the tagline, and of each line of the address or remittance text
	OfficePhoneMax    = 40
	OfficeWebsiteMax  = 100
	officeMinPhoneDig = 7
)

// officeField is one detail: its settings key, its name in the audit and in
// messages, whether it has lines.
type officeField struct {
	key, name string
	multi     bool
	p         func(*Office) *string
}

var officeFields = []officeField{
	{"office_name", "name", false, func(o *Office) *string { return &o.Name }},
	{"office_tagline", "tagline", false, func(o *Office) *string { return &o.Tagline }},
	{"office_address", "address", true, func(o *Office) *string { return &o.Address }},
	{"office_phone", "phone", false, func(o *Office) *string { return &o.Phone }},
	{"office_email", "email", false, func(o *Office) *string { return &o.Email }},
	{"office_website", "website", false, func(o *Office) *string { return &o.Website }},
	{"office_remittance", "remittance", true, func(o *Office) *string { return &o.Remittance }},
}

func officeKeys() []string {
	out := make([]string, len(officeFields))
	for i, f := range officeFields {
		out[i] = f.key
	}
	return out
}

// Lines is a detail of several lines (Address, Remittance) as its lines.
func Lines(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Tidy is the office's details as they are kept: spaces trimmed, tabs made
// spaces, line ends made "\n", and blank lines dropped from the address and
// the remittance text (the one-line details keep any line break, for
// Validate to refuse).
func (o Office) Tidy() Office {
	for _, f := range officeFields {
		p := f.p(&o)
		v := strings.ReplaceAll(strings.ReplaceAll(*p, "\r\n", "\n"), "\t", " ")
		if !f.multi {
			*p = strings.TrimSpace(v)
			continue
		}
		var lines []string
		for _, l := range strings.Split(strings.ReplaceAll(v, "\r", "\n"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		*p = strings.Join(lines, "\n")
	}
	return o
}

// cp1252Extra are the characters Windows-1252 (the invoice's type) has
// besides Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// printable reports whether the invoice's type can print r.
func printable(r rune) bool {
	return (r >= 0x20 && r < 0x7f) || (r >= 0xa0 && r <= 0xff) || strings.ContainsRune(cp1252Extra, r)
}

// Validate checks tidy details (Tidy): the name is required; each detail
// is one line (the address and remittance text up to OfficeMaxLines lines)
// of printable characters, no control characters or escape sequences, within
// its length; the phone is a phone number, the e-mail an address, the
// website a web address. The message names the detail and what is wanted.
func (o Office) Validate() error {
	bad := func(f officeField, format string, args ...any) error {
		return &Error{Code: EInvalid, Field: "office_" + f.name, Message: "office " + f.name + ": " + fmt.Sprintf(format, args...)}
	}
	for _, f := range officeFields {
		v := *f.p(&o)
		if f.name == "name" && v == "" {
			return bad(f, "required: it heads every invoice and signs every e-mail")
		}
		if !f.multi && strings.ContainsAny(v, "\r\n") {
			return bad(f, "one line, no line breaks")
		}
		if Clean(v, f.multi) != v {
			return bad(f, "no control characters or escape sequences")
		}
		for _, r := range v {
			if r != '\n' && !printable(r) {
				return bad(f, "%q cannot be printed on the invoice (its type has Latin letters, accents and the common signs)", string(r))
			}
		}
		limit := OfficeLineMax
		switch f.name {
		case "name":
			limit = OfficeNameMax
		case "phone":
			limit = OfficePhoneMax
		case "website":
			limit = OfficeWebsiteMax
		}
		lines := Lines(v)
		if f.multi && len(lines) > OfficeMaxLines {
			return bad(f, "at most %d lines (got %d)", OfficeMaxLines, len(lines))
		}
		for i, l := range lines {
			if n := len([]rune(l)); n > limit {
				if f.multi {
					return bad(f, "line %d: at most %d characters (got %d)", i+1, limit, n)
				}
				return bad(f, "at most %d characters (got %d)", limit, n)
			}
		}
	}
	if o.Phone != "" {
		digits := 0
		for _, r := range o.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == ' ' || strings.ContainsRune("+-().,/#", r) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			default:
				return &Error{Code: EInvalid, Field: "office_phone", Message: fmt.Sprintf("office phone: %q is not part of a phone number (want e.g. 801-555-0100 or +1 (801) 555-0100 ext. 12)", string(r))}
			}
		}
		if digits < officeMinPhoneDig {
			return &Error{Code: EInvalid, Field: "office_phone", Message: fmt.Sprintf("office phone: want a phone number such as 801-555-0100 (at least %d digits, got %d)", officeMinPhoneDig, digits)}
		}
	}
	if err := ValidEmail(o.Email); err != nil {
		return &Error{Code: EInvalid, Field: "office_email", Message: "office email: " + err.Error()}
	}
	if o.Website != "" && !validWebsite(o.Website) {
		return &Error{Code: EInvalid, Field: "office_website", Message: fmt.Sprintf("office website: want a web address such as offduty.example or https://offduty.example/pay, got %q", o.Website)}
	}
	return nil
}

// validWebsite accepts a host name with a dot, with or without http(s)://,
// and a path; no spaces, no user name.
func validWebsite(w string) bool {
	if strings.ContainsAny(w, " <>\"\\") {
		return false
	}
	raw := w
	if !strings.Contains(w, "://") {
		raw = "https://" + w
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return false
	}
	host := u.Hostname()
	return strings.Contains(host, ".") && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".")
}

// Office reads the office's details as they are now.
func (s *Store) Office(ctx context.Context) (Office, error) {
	o, err := s.Settings(ctx)
	return o.Office, err
}

// SetOffice replaces the office's details (see EditOffice); it returns
// them as they were.
func (s *Store) SetOffice(ctx context.Context, actor string, o Office) (before Office, err error) {
	before, _, err = s.EditOffice(ctx, actor, func(cur *Office) error {
		*cur = o
		return nil
	})
	return before, err
}

// EditOffice changes the office's details: edit gets them as they are, in
// the transaction, and changes what it means to (so that two supervisors
// changing different details both keep theirs). The result is tidied and
// checked (Tidy, Validate); each detail that changed is saved and audited
// (entity "office", action its name, with its value before and after). A
// supervisor's. It returns the details before and after.
func (s *Store) EditOffice(ctx context.Context, actor string, edit func(*Office) error) (before, after Office, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		cur, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		before, after = cur.Office, cur.Office
		if err := edit(&after); err != nil {
			return err
		}
		after = after.Tidy()
		if err := after.Validate(); err != nil {
			return err
		}
		for _, f := range officeFields {
			old, now := *f.p(&before), *f.p(&after)
			if old == now {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, f.key, now); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, actor, "office", 0, f.name, old, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Office{}, Office{}, err
	}
	return before, after, nil
}

// InvoiceOffice is the office as invoice id prints it. An issued invoice
// (paid or void since included) keeps the details in force when it was
// issued, like a printed page: each is the last value the audit shows set
// before the issue, else the value the first later change replaced, else
// the value now. A draft prints the details as they are now.
func (s *Store) InvoiceOffice(ctx context.Context, id int64) (Office, error) {
	var o Office
	err := s.read(ctx, func(tx *sql.Tx) error {
		cur, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		o = cur.Office
		var issued sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM audit WHERE entity = 'invoice' AND entity_id = ? AND action = 'issue'`, id).Scan(&issued); err != nil {
			return err
		}
		if !issued.Valid {
			return nil // a draft, or no such invoice
		}
		asOf := func(query string) error {
			rows, err := tx.QueryContext(ctx, query, issued.Int64)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var name, v string
				if err := rows.Scan(&name, &v); err != nil {
					return err
				}
				for _, f := range officeFields {
					if f.name == name {
						*f.p(&o) = v
					}
				}
			}
			return rows.Err()
		}
		// The first change after the issue, read newest first, so that the
		// earliest one's "before" is the last written; then the last change
		// before it, oldest first, so that its "after" wins.
		if err := asOf(`SELECT action, before FROM audit WHERE entity = 'office' AND entity_id = 0 AND id > ? ORDER BY id DESC`); err != nil {
			return err
		}
		return asOf(`SELECT action, after FROM audit WHERE entity = 'office' AND entity_id = 0 AND id < ? ORDER BY id`)
	})
	return o, err
}
