package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Billing cycles.
var BillingCycles = []string{"weekly", "biweekly", "monthly"}

// Customer is an account that hires officers.
type Customer struct {
	ID           int64
	Name         string
	Phone        string
	Email        string
	Address      string
	BillingCycle string
	TermsDays    int  // 0: due on receipt
	PORequired   bool // a request without a PO number is refused at intake
	Notes        string
	MergedInto   int64 // a duplicate merged into that account (hidden from the lists)
	Contacts     []Contact
	Sites        []Site
}

// Terms says the account's payment terms as an invoice does.
func (c Customer) Terms() string { return TermsText(c.TermsDays) }

// TermsText says payment terms: "due on receipt" (0 days), "net 30 days".
func TermsText(days int) string {
	switch days {
	case 0:
		return "due on receipt"
	case 1:
		return "net 1 day"
	}
	return fmt.Sprintf("net %d days", days)
}

// Contact is a person at a customer.
type Contact struct {
	ID         int64
	CustomerID int64
	Name       string
	Phone      string
	Email      string
	Role       string
}

// Site is a place where a customer has officers work.
type Site struct {
	ID         int64
	CustomerID int64
	Name       string
	Address    string
	Notes      string
	Archived   bool // used by jobs, so kept; hidden from new requests
	Jobs       int  // jobs at the site (CustomerAccount only)
}

// CustomerInput creates a customer.
type CustomerInput struct {
	Name         string
	Phone        string
	Email        string
	Address      string
	BillingCycle string // default monthly
	TermsDays    int    // 0 means the default 30, unless TermsSet
	TermsSet     bool   // TermsDays as given: 0 is due on receipt
	PORequired   bool
	Notes        string
	Contacts     []Contact
}

// Validate checks a new customer.
func (in *CustomerInput) Validate() error {
	in.clean()
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return &Error{Code: EInvalid, Field: "customer", Message: "customer name is required"}
	}
	checks := []textLimit{
		{"customer", "customer name", in.Name, MaxName},
		{"phone", "phone", in.Phone, MaxPhone},
		{"email", "email", in.Email, MaxEmail},
		{"address", "address", in.Address, MaxAddress},
		{"notes", "customer notes", in.Notes, MaxNotes},
	}
	for _, c := range in.Contacts {
		checks = append(checks, textLimit{"contact_name", "contact name", c.Name, MaxPerson}, textLimit{"contact_phone", "contact phone", c.Phone, MaxPhone},
			textLimit{"contact_email", "contact email", c.Email, MaxEmail}, textLimit{"contact_role", "contact role", c.Role, MaxPerson})
	}
	if err := limits(checks...); err != nil {
		return err
	}
	if in.BillingCycle == "" {
		in.BillingCycle = "monthly"
	}
	ok := false
	for _, c := range BillingCycles {
		ok = ok || c == in.BillingCycle
	}
	if !ok {
		return &Error{Code: EInvalid, Field: "billing_cycle", Message: fmt.Sprintf("billing cycle %q: use weekly, biweekly or monthly", in.BillingCycle)}
	}
	if in.TermsDays == 0 && !in.TermsSet {
		in.TermsDays = 30
	}
	if in.TermsDays < 0 || in.TermsDays > 365 {
		return &Error{Code: EInvalid, Field: "terms", Message: "payment terms must be 0 to 365 days"}
	}
	if err := ValidatePhone(in.Phone); err != nil {
		return &Error{Code: EInvalid, Field: "phone", Message: err.Error()}
	}
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil {
			return &Error{Code: EInvalid, Field: "email", Message: fmt.Sprintf("%q is not an email address", in.Email)}
		}
	}
	return nil
}

// clean strips escape sequences and control characters from what was typed.
func (in *CustomerInput) clean() {
	in.Name, in.Phone, in.Email = Clean(in.Name, false), Clean(in.Phone, false), Clean(in.Email, false)
	in.Address, in.Notes = Clean(in.Address, false), Clean(in.Notes, true)
	cs := make([]Contact, len(in.Contacts)) // a copy: the caller's slice stays as it was
	for i, c := range in.Contacts {
		cs[i] = Contact{ID: c.ID, CustomerID: c.CustomerID, Name: Clean(c.Name, false), Phone: Clean(c.Phone, false),
			Email: Clean(c.Email, false), Role: Clean(c.Role, false)}
	}
	in.Contacts = cs
}

// ValidatePhone accepts an empty phone or one with 7 to 15 digits.
func ValidatePhone(p string) error {
	if strings.TrimSpace(p) == "" {
		return nil
	}
	n := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune(" +-().x", r):
		default:
			return fmt.Errorf("phone %q: use digits, spaces, dashes or parentheses", p)
		}
	}
	if n < 7 || n > 15 {
		return fmt.Errorf("phone %q: needs 7 to 15 digits", p)
	}
	return nil
}

// CreateCustomer adds a customer with its contacts.
func (s *Store) CreateCustomer(ctx context.Context, actor string, in CustomerInput) (Customer, error) {
	if err := in.Validate(); err != nil {
		return Customer{}, err
	}
	var c Customer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermRequest); err != nil {
			return err
		}
		id, err := s.createCustomer(ctx, tx, actor, in)
		if err != nil {
			return err
		}
		c, err = customerByID(ctx, tx, id)
		return err
	})
	return c, err
}

func (s *Store) createCustomer(ctx context.Context, tx *sql.Tx, actor string, in CustomerInput) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (name, phone, email, address, billing_cycle, terms_days, po_required, notes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Phone, in.Email, in.Address, in.BillingCycle, in.TermsDays, in.PORequired, in.Notes, fmtTime(s.now()))
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	for _, ct := range in.Contacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (customer_id, name, phone, email, role) VALUES (?, ?, ?, ?, ?)`,
			id, ct.Name, ct.Phone, ct.Email, ct.Role); err != nil {
			return 0, err
		}
	}
	return id, s.audit(ctx, tx, actor, "customer", id, "create", "", in.Name)
}

// SiteInput creates a site.
type SiteInput struct {
	CustomerID int64
	Name       string
	Address    string
	Notes      string
}

// Validate checks a new site.
func (in *SiteInput) Validate() error {
	in.Name, in.Address, in.Notes = Clean(in.Name, false), Clean(in.Address, false), Clean(in.Notes, true)
	if in.Name == "" {
		return &Error{Code: EInvalid, Field: "site", Message: "site name is required"}
	}
	return limits(
		textLimit{"site", "site name", in.Name, MaxName},
		textLimit{"site_address", "site address", in.Address, MaxAddress},
		textLimit{"site_notes", "site notes", in.Notes, MaxNotes},
	)
}

// CreateSite adds a site to a customer.
func (s *Store) CreateSite(ctx context.Context, actor string, in SiteInput) (Site, error) {
	if err := in.Validate(); err != nil {
		return Site{}, err
	}
	var site Site
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermRequest); err != nil {
			return err
		}
		id, err := s.createSite(ctx, tx, actor, in)
		site = Site{ID: id, CustomerID: in.CustomerID, Name: in.Name, Address: in.Address, Notes: in.Notes}
		return err
	})
	return site, err
}

func (s *Store) createSite(ctx context.Context, tx *sql.Tx, actor string, in SiteInput) (int64, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE id = ?`, in.CustomerID).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, &Error{Code: ENotFound, Field: "customer", Message: fmt.Sprintf("no customer %d", in.CustomerID)}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sites (customer_id, name, address, notes) VALUES (?, ?, ?, ?)`,
		in.CustomerID, in.Name, in.Address, in.Notes)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	return id, s.audit(ctx, tx, actor, "site", id, "create", "", in.Name)
}

// customerCols are what a Customer holds of its row (scanCustomer reads them).
const customerCols = `id, name, phone, email, address, billing_cycle, terms_days, po_required, notes, coalesce(merged_into, 0)`

func scanCustomer(sc interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	err := sc.Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Address, &c.BillingCycle, &c.TermsDays, &c.PORequired, &c.Notes, &c.MergedInto)
	return c, err
}

// Customers lists every account (not those merged into another) with its
// contacts and its sites in use (not the archived ones), by name: what the
// request form offers.
func (s *Store) Customers(ctx context.Context) ([]Customer, error) {
	var out []Customer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = loadCustomers(ctx, tx, 0, false)
		return err
	})
	return out, err
}

// loadCustomers reads the accounts not merged (or the one id, merged or
// not) with contacts and sites, archived ones too when asked.
func loadCustomers(ctx context.Context, q querier, id int64, archived bool) ([]Customer, error) {
	where, args := `WHERE merged_into IS NULL`, []any{}
	if id != 0 {
		where, args = `WHERE id = ?`, []any{id}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+customerCols+` FROM customers `+where+` ORDER BY name COLLATE NOCASE, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Customer
	idx := map[int64]int{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	siteWhere := ``
	if !archived {
		siteWhere = ` WHERE archived_at IS NULL`
	}
	if id != 0 {
		siteWhere = ` WHERE customer_id = ?`
		if !archived {
			siteWhere += ` AND archived_at IS NULL`
		}
	}
	rows, err = q.QueryContext(ctx, `SELECT id, customer_id, name, address, notes, archived_at IS NOT NULL FROM sites`+siteWhere+` ORDER BY name COLLATE NOCASE, id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st Site
		if err := rows.Scan(&st.ID, &st.CustomerID, &st.Name, &st.Address, &st.Notes, &st.Archived); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[st.CustomerID]; ok {
			out[i].Sites = append(out[i].Sites, st)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	contactWhere := ``
	if id != 0 {
		contactWhere = ` WHERE customer_id = ?`
	}
	rows, err = q.QueryContext(ctx, `SELECT id, customer_id, name, phone, email, role FROM contacts`+contactWhere+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ct Contact
		if err := rows.Scan(&ct.ID, &ct.CustomerID, &ct.Name, &ct.Phone, &ct.Email, &ct.Role); err != nil {
			return nil, err
		}
		if i, ok := idx[ct.CustomerID]; ok {
			out[i].Contacts = append(out[i].Contacts, ct)
		}
	}
	return out, rows.Err()
}

// customerRow reads one account's row, merged or not.
func customerRow(ctx context.Context, q querier, id int64) (Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, &Error{Code: ENotFound, Field: "customer", Message: fmt.Sprintf("no customer %d", id)}
	}
	return c, err
}

// customerByID reads an account that takes work: one merged into another
// is refused, naming where it went.
func customerByID(ctx context.Context, q querier, id int64) (Customer, error) {
	c, err := customerRow(ctx, q, id)
	if err != nil {
		return c, err
	}
	if c.MergedInto != 0 {
		return c, mergedError(ctx, q, c)
	}
	return c, nil
}

func mergedError(ctx context.Context, q querier, c Customer) error {
	into := fmt.Sprintf("#%d", c.MergedInto)
	if k, err := customerRow(ctx, q, c.MergedInto); err == nil {
		into = fmt.Sprintf("%s (#%d)", k.Name, k.ID)
	}
	return &Error{Code: EInvalid, Field: "customer", Message: fmt.Sprintf("customer %s (#%d) was merged into %s: use %d", c.Name, c.ID, into, c.MergedInto)}
}

// Customer loads one account that takes work with its contacts and sites
// in use.
func (s *Store) Customer(ctx context.Context, id int64) (Customer, error) {
	var c Customer
	err := s.read(ctx, func(tx *sql.Tx) error {
		if _, err := customerByID(ctx, tx, id); err != nil {
			if ErrorCode(err) == EInvalid {
				return &Error{Code: ENotFound, Field: "customer", Message: err.Error()}
			}
			return err
		}
		list, err := loadCustomers(ctx, tx, id, false)
		if err != nil {
			return err
		}
		c = list[0]
		return nil
	})
	return c, err
}

// checkRequestAccount is intake's check of an existing account: it takes
// work (not merged into another), and a request carries a PO number when
// the account requires one.
func checkRequestAccount(ctx context.Context, q querier, customerID int64, po string) error {
	c, err := customerByID(ctx, q, customerID)
	if err != nil {
		return err
	}
	if c.PORequired && strings.TrimSpace(po) == "" {
		return &Error{Code: EInvalid, Field: "po", Message: fmt.Sprintf("%s requires a purchase order (PO) number on every request: enter the PO number, "+
			"or a supervisor changes the account's rule (Customers tab, or offduty customer set %d --po-required false)", c.Name, c.ID)}
	}
	return nil
}

// ---- Account details ----

// CustomerUser is a customer user of an account.
type CustomerUser struct {
	Name  string
	Email string
	Keys  int
}

// AccountJob is one of an account's jobs, as the account lists them.
type AccountJob struct {
	ID     int64
	Start  time.Time
	Site   string
	Status string
	Total  decimal.Decimal
}

// InvoiceSummary counts an account's invoices by state; Open is what its
// issued invoices still ask, Overdue what of it is past due.
type InvoiceSummary struct {
	Drafts, Issued, Paid, Void int
	Open, Overdue              decimal.Decimal
	OverdueCount               int
}

// Account is an account with what hangs on it: contacts, sites (archived
// ones too, with their jobs), users, its jobs, its invoices.
type Account struct {
	Customer
	MergedAt   time.Time  // a merged account: when
	Merged     []Customer // the accounts merged into this one
	Users      []CustomerUser
	Jobs       int          // all its jobs
	RecentJobs []AccountJob // the newest by start (CustomerAccount only)
	// Invoices is nil for a viewer who may not read invoices (they are a
	// supervisor's).
	Invoices *InvoiceSummary
}

// recentJobs is how many jobs CustomerAccount lists.
const recentJobs = 8

// CustomerList lists the accounts (not those merged into another) with
// their contacts, sites, users and, for a supervisor, invoices: dispatchers
// and supervisors.
func (s *Store) CustomerList(ctx context.Context, actor string) ([]Account, error) {
	var out []Account
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := v.Need(PermDispatch, "the list of customers"); err != nil {
			return err
		}
		out, err = loadAccounts(ctx, tx, v, 0, s.Today())
		return err
	})
	return out, err
}

// CustomerAccount loads one account whole, merged or not, with its newest
// jobs: dispatchers and supervisors.
func (s *Store) CustomerAccount(ctx context.Context, actor string, id int64) (Account, error) {
	var a Account
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := v.Need(PermDispatch, "reading a customer's account"); err != nil {
			return err
		}
		if _, err := customerRow(ctx, tx, id); err != nil {
			return err
		}
		list, err := loadAccounts(ctx, tx, v, id, s.Today())
		if err != nil {
			return err
		}
		a = list[0]
		rows, err := tx.QueryContext(ctx, `SELECT j.id, j.starts_at, st.name, j.status, j.total FROM jobs j JOIN sites st ON st.id = j.site_id
			WHERE j.customer_id = ? ORDER BY j.starts_at DESC, j.id DESC LIMIT ?`, id, recentJobs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j AccountJob
			var start, total string
			if err := rows.Scan(&j.ID, &start, &j.Site, &j.Status, &total); err != nil {
				return err
			}
			j.Start, _ = parseTime(start)
			j.Total, _ = decimal.NewFromString(total)
			a.RecentJobs = append(a.RecentJobs, j)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i, st := range a.Sites {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE site_id = ?`, st.ID).Scan(&a.Sites[i].Jobs); err != nil {
				return err
			}
		}
		return nil
	})
	return a, err
}

// loadAccounts reads the accounts not merged (or the one id) with what
// hangs on them; invoices only for a viewer who may read them.
func loadAccounts(ctx context.Context, q querier, v Viewer, id int64, today time.Time) ([]Account, error) {
	custs, err := loadCustomers(ctx, q, id, true)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(custs))
	idx := map[int64]int{}
	for i, c := range custs {
		out[i].Customer = c
		idx[c.ID] = i
	}
	one, args := ``, []any{}
	if id != 0 {
		one, args = ` AND customer_id = ?`, []any{id}
	}
	// users, with their keys counted
	rows, err := q.QueryContext(ctx, `SELECT customer_id, name, email, (SELECT count(*) FROM user_keys k WHERE k.user_id = u.id) FROM users u
		WHERE customer_id IS NOT NULL`+one+` ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cid int64
		var u CustomerUser
		if err := rows.Scan(&cid, &u.Name, &u.Email, &u.Keys); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[cid]; ok {
			out[i].Users = append(out[i].Users, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// the accounts merged into these
	rows, err = q.QueryContext(ctx, `SELECT `+customerCols+` FROM customers WHERE merged_into IS NOT NULL ORDER BY name COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[c.MergedInto]; ok {
			out[i].Merged = append(out[i].Merged, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if id != 0 {
		var at sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT merged_at FROM customers WHERE id = ?`, id).Scan(&at); err != nil {
			return nil, err
		}
		if at.Valid {
			out[0].MergedAt, _ = parseTime(at.String)
		}
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE customer_id = ?`, id).Scan(&out[0].Jobs); err != nil {
			return nil, err
		}
	} else {
		rows, err = q.QueryContext(ctx, `SELECT customer_id, count(*) FROM jobs GROUP BY customer_id`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cid int64
			var n int
			if err := rows.Scan(&cid, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if i, ok := idx[cid]; ok {
				out[i].Jobs = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if !v.Can(PermAdmin) {
		return out, nil
	}
	for i := range out {
		out[i].Invoices = &InvoiceSummary{}
	}
	rows, err = q.QueryContext(ctx, `SELECT customer_id, state, total, due_on FROM invoices WHERE 1 = 1`+one, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var state, total string
		var due sql.NullString // NULL until issued
		if err := rows.Scan(&cid, &state, &total, &due); err != nil {
			return nil, err
		}
		i, ok := idx[cid]
		if !ok {
			continue
		}
		sum := out[i].Invoices
		switch state {
		case InvoiceDraft:
			sum.Drafts++
		case InvoicePaid:
			sum.Paid++
		case InvoiceVoid:
			sum.Void++
		case InvoiceIssued:
			sum.Issued++
			amt, err := decimal.NewFromString(total)
			if err != nil {
				return nil, err
			}
			sum.Open = sum.Open.Add(amt)
			if due.String != "" && due.String < today.Format(dateLayout) {
				sum.Overdue, sum.OverdueCount = sum.Overdue.Add(amt), sum.OverdueCount+1
			}
		}
	}
	return out, rows.Err()
}

// ---- Editing an account ----

// CustomerPatch changes some of an account's fields: nil leaves one as it is.
type CustomerPatch struct {
	Name, Phone, Email, Address, BillingCycle, Notes *string
	TermsDays                                        *int // 0: due on receipt
	PORequired                                       *bool
}

// FieldChange is one field an edit changed, as the audit says it.
type FieldChange struct {
	Field, Before, After string
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// describeChanges lists the fields that differ between two versions of an account.
func describeChanges(a, b Customer) []FieldChange {
	var out []FieldChange
	add := func(field, x, y string) {
		if x != y {
			out = append(out, FieldChange{field, x, y})
		}
	}
	add("name", a.Name, b.Name)
	add("phone", a.Phone, b.Phone)
	add("email", a.Email, b.Email)
	add("address", a.Address, b.Address)
	add("cycle", a.BillingCycle, b.BillingCycle)
	add("terms", a.Terms(), b.Terms())
	add("PO", yesNo(a.PORequired, "required", "not required"), yesNo(b.PORequired, "required", "not required"))
	add("notes", a.Notes, b.Notes)
	return out
}

// changesText is the audit's before (after false) or after text of changes.
func changesText(cs []FieldChange, after bool) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		v := c.Before
		if after {
			v = c.After
		}
		if v == "" {
			v = "(none)"
		}
		parts[i] = c.Field + ": " + v
	}
	return strings.Join(parts, "; ")
}

// UpdateCustomer changes an account's fields (a supervisor's): each change
// is audited with its value before and after. Drafts follow a change of
// terms (an issued invoice keeps its own); issued invoices keep the name
// and address they were issued to. Nothing given, or nothing different,
// changes nothing.
func (s *Store) UpdateCustomer(ctx context.Context, actor string, id int64, p CustomerPatch) (Customer, []FieldChange, error) {
	var after Customer
	var changes []FieldChange
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		before, err := customerByID(ctx, tx, id)
		if err != nil {
			return err
		}
		in := CustomerInput{Name: before.Name, Phone: before.Phone, Email: before.Email, Address: before.Address, BillingCycle: before.BillingCycle,
			TermsDays: before.TermsDays, TermsSet: true, PORequired: before.PORequired, Notes: before.Notes}
		for _, f := range []struct {
			dst *string
			src *string
		}{{&in.Name, p.Name}, {&in.Phone, p.Phone}, {&in.Email, p.Email}, {&in.Address, p.Address}, {&in.BillingCycle, p.BillingCycle}, {&in.Notes, p.Notes}} {
			if f.src != nil {
				*f.dst = strings.TrimSpace(*f.src)
			}
		}
		if p.BillingCycle != nil && in.BillingCycle == "" {
			return &Error{Code: EInvalid, Field: "billing_cycle", Message: "billing cycle: use weekly, biweekly or monthly"}
		}
		if p.TermsDays != nil {
			in.TermsDays = *p.TermsDays
		}
		if p.PORequired != nil {
			in.PORequired = *p.PORequired
		}
		if err := in.Validate(); err != nil {
			return err
		}
		after = before
		after.Name, after.Phone, after.Email, after.Address = in.Name, in.Phone, in.Email, in.Address
		after.BillingCycle, after.TermsDays, after.PORequired, after.Notes = in.BillingCycle, in.TermsDays, in.PORequired, in.Notes
		changes = describeChanges(before, after)
		if len(changes) == 0 {
			return nil
		}
		if err := snapshotBillTo(ctx, tx, before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, phone = ?, email = ?, address = ?, billing_cycle = ?, terms_days = ?, po_required = ?, notes = ?
			WHERE id = ?`, in.Name, in.Phone, in.Email, in.Address, in.BillingCycle, in.TermsDays, in.PORequired, in.Notes, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "customer", id, "edit", changesText(changes, false), changesText(changes, true)); err != nil {
			return err
		}
		if before.TermsDays != after.TermsDays {
			return s.draftsFollow(ctx, tx, actor, id, before.TermsDays, after.TermsDays)
		}
		return nil
	})
	if err != nil {
		return Customer{}, nil, err
	}
	return after, changes, nil
}

// draftsFollow gives an account's drafts its new terms (each audited).
func (s *Store) draftsFollow(ctx context.Context, tx *sql.Tx, actor string, customerID int64, from, to int) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM invoices WHERE customer_id = ? AND state = 'draft' AND terms_days <> ? ORDER BY id`, customerID, to)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET terms_days = ?, updated_at = ? WHERE id = ?`, to, fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "invoice", id, "terms", TermsText(from), TermsText(to)); err != nil {
			return err
		}
	}
	return nil
}

// snapshotBillTo gives an account's issued, paid and void invoices that
// have none (made before bill-to was kept, or by the history generator)
// the name and address they show now, before these change.
func snapshotBillTo(ctx context.Context, tx *sql.Tx, c Customer) error {
	_, err := tx.ExecContext(ctx, `UPDATE invoices SET bill_name = coalesce(bill_name, ?), bill_address = coalesce(bill_address, ?)
		WHERE customer_id = ? AND state <> 'draft' AND (bill_name IS NULL OR bill_address IS NULL)`, c.Name, c.Address, c.ID)
	return err
}

func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	return queryList[int64](ctx, q, query, args...)
}

// queryList reads a query's one column, row by row.
func queryList[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ---- Contacts ----

// validateContact cleans and checks a contact: a name, and a phone and
// e-mail that are one when given.
func validateContact(c *Contact) error {
	c.Name, c.Phone, c.Email, c.Role = Clean(strings.TrimSpace(c.Name), false), Clean(strings.TrimSpace(c.Phone), false),
		Clean(strings.TrimSpace(c.Email), false), Clean(strings.TrimSpace(c.Role), false)
	if c.Name == "" {
		return &Error{Code: EInvalid, Field: "contact_name", Message: "a contact needs a name"}
	}
	if err := limits(textLimit{"contact_name", "contact name", c.Name, MaxPerson}, textLimit{"contact_role", "contact role", c.Role, MaxPerson},
		textLimit{"contact_phone", "contact phone", c.Phone, MaxPhone}, textLimit{"contact_email", "contact email", c.Email, MaxEmail}); err != nil {
		return err
	}
	if err := ValidatePhone(c.Phone); err != nil {
		return &Error{Code: EInvalid, Field: "contact_phone", Message: err.Error()}
	}
	if c.Email != "" {
		if _, err := mail.ParseAddress(c.Email); err != nil {
			return &Error{Code: EInvalid, Field: "contact_email", Message: fmt.Sprintf("%q is not an email address", c.Email)}
		}
	}
	return nil
}

// ContactText is a contact as the audit and lists say it: "Dana Reyes
// (security manager), 801-555-0100, dana@example.com".
func ContactText(c Contact) string {
	s := c.Name
	if c.Role != "" {
		s += " (" + c.Role + ")"
	}
	for _, x := range []string{c.Phone, c.Email} {
		if x != "" {
			s += ", " + x
		}
	}
	return s
}

// AddContact adds a contact to an account (a supervisor's; audited).
func (s *Store) AddContact(ctx context.Context, actor string, customerID int64, c Contact) (Contact, error) {
	if err := validateContact(&c); err != nil {
		return Contact{}, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (customer_id, name, phone, email, role) VALUES (?, ?, ?, ?, ?)`, customerID, c.Name, c.Phone, c.Email, c.Role)
		if err != nil {
			return err
		}
		c.ID, _ = res.LastInsertId()
		c.CustomerID = customerID
		return s.audit(ctx, tx, actor, "customer", customerID, "contact add", "", fmt.Sprintf("contact #%d %s", c.ID, ContactText(c)))
	})
	return c, err
}

func contactOf(ctx context.Context, q querier, customerID, contactID int64) (Contact, error) {
	var c Contact
	err := q.QueryRowContext(ctx, `SELECT id, customer_id, name, phone, email, role FROM contacts WHERE id = ?`, contactID).
		Scan(&c.ID, &c.CustomerID, &c.Name, &c.Phone, &c.Email, &c.Role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.CustomerID != customerID) {
		return c, &Error{Code: ENotFound, Field: "contact", Message: fmt.Sprintf("customer %d has no contact %d", customerID, contactID)}
	}
	return c, err
}

// UpdateContact changes an account's contact (a supervisor's; audited).
func (s *Store) UpdateContact(ctx context.Context, actor string, customerID, contactID int64, c Contact) (Contact, error) {
	if err := validateContact(&c); err != nil {
		return Contact{}, err
	}
	c.ID, c.CustomerID = contactID, customerID
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		before, err := contactOf(ctx, tx, customerID, contactID)
		if err != nil {
			return err
		}
		if before == c {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET name = ?, phone = ?, email = ?, role = ? WHERE id = ?`, c.Name, c.Phone, c.Email, c.Role, contactID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "customer", customerID, "contact edit", fmt.Sprintf("contact #%d %s", contactID, ContactText(before)),
			fmt.Sprintf("contact #%d %s", contactID, ContactText(c)))
	})
	return c, err
}

// RemoveContact removes an account's contact (a supervisor's; audited).
// Jobs keep the on-site contact they were requested with.
func (s *Store) RemoveContact(ctx context.Context, actor string, customerID, contactID int64) (Contact, error) {
	var before Contact
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		var err error
		if before, err = contactOf(ctx, tx, customerID, contactID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ?`, contactID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "customer", customerID, "contact remove", fmt.Sprintf("contact #%d %s", contactID, ContactText(before)), "")
	})
	return before, err
}

// ---- Sites ----

// SiteText is a site as the audit says it: "Main entrance, 1 Main St".
func SiteText(st Site) string {
	s := st.Name
	if st.Address != "" {
		s += ", " + st.Address
	}
	if st.Notes != "" {
		s += " (notes: " + st.Notes + ")"
	}
	return s
}

func siteOf(ctx context.Context, q querier, customerID, siteID int64) (Site, error) {
	var st Site
	err := q.QueryRowContext(ctx, `SELECT id, customer_id, name, address, notes, archived_at IS NOT NULL, (SELECT count(*) FROM jobs WHERE site_id = sites.id)
		FROM sites WHERE id = ?`, siteID).Scan(&st.ID, &st.CustomerID, &st.Name, &st.Address, &st.Notes, &st.Archived, &st.Jobs)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && customerID != 0 && st.CustomerID != customerID) {
		return st, &Error{Code: ENotFound, Field: "site", Message: fmt.Sprintf("customer %d has no site %d", customerID, siteID)}
	}
	return st, err
}

// AddSite adds a site to an account from the account's screens (a
// supervisor's; audited). Intake adds sites with CreateSite.
func (s *Store) AddSite(ctx context.Context, actor string, in SiteInput) (Site, error) {
	if err := in.Validate(); err != nil {
		return Site{}, err
	}
	var site Site
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, in.CustomerID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sites (customer_id, name, address, notes) VALUES (?, ?, ?, ?)`, in.CustomerID, in.Name, in.Address, in.Notes)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		site = Site{ID: id, CustomerID: in.CustomerID, Name: in.Name, Address: in.Address, Notes: in.Notes}
		return s.audit(ctx, tx, actor, "site", id, "create", "", SiteText(site))
	})
	return site, err
}

// UpdateSite changes a site's name, address and notes (a supervisor's;
// audited). Its jobs show the new address; invoices keep the site name
// they were billed with.
func (s *Store) UpdateSite(ctx context.Context, actor string, customerID, siteID int64, in SiteInput) (Site, error) {
	in.CustomerID = customerID
	if err := in.Validate(); err != nil {
		return Site{}, err
	}
	var after Site
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		before, err := siteOf(ctx, tx, customerID, siteID)
		if err != nil {
			return err
		}
		after = before
		after.Name, after.Address, after.Notes = in.Name, in.Address, in.Notes
		if after == before {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET name = ?, address = ?, notes = ? WHERE id = ?`, in.Name, in.Address, in.Notes, siteID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "site", siteID, "edit", SiteText(before), SiteText(after))
	})
	return after, err
}

// RemoveSite removes a site no job uses; a site some job uses is archived
// instead (hidden from new requests, kept by its jobs), which it reports.
// A supervisor's; audited.
func (s *Store) RemoveSite(ctx context.Context, actor string, customerID, siteID int64) (archived bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		st, err := siteOf(ctx, tx, customerID, siteID)
		if err != nil {
			return err
		}
		if st.Jobs > 0 {
			if st.Archived {
				return &Error{Code: EConflict, Field: "site", Message: fmt.Sprintf("site %s (#%d) is already archived: used by %s, so it stays", st.Name, st.ID, plural(st.Jobs, "job"))}
			}
			archived = true
			if _, err := tx.ExecContext(ctx, `UPDATE sites SET archived_at = ? WHERE id = ?`, fmtTime(s.now()), siteID); err != nil {
				return err
			}
			return s.audit(ctx, tx, actor, "site", siteID, "archive", SiteText(st)+" (in use)", fmt.Sprintf("archived: used by %s; hidden from new requests", plural(st.Jobs, "job")))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sites WHERE id = ?`, siteID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "site", siteID, "remove", SiteText(st), "")
	})
	return archived, err
}

// RestoreSite puts an archived site back in use (a supervisor's; audited).
func (s *Store) RestoreSite(ctx context.Context, actor string, customerID, siteID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := customerByID(ctx, tx, customerID); err != nil {
			return err
		}
		st, err := siteOf(ctx, tx, customerID, siteID)
		if err != nil {
			return err
		}
		if !st.Archived {
			return &Error{Code: EConflict, Field: "site", Message: fmt.Sprintf("site %s (#%d) is in use already, not archived", st.Name, st.ID)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET archived_at = NULL WHERE id = ?`, siteID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "site", siteID, "restore", "archived", "in use")
	})
}

// ---- Merging duplicates ----

// MergePlan is what merging one account (Drop) into another (Keep) moves,
// shown before it is done and returned once done.
type MergePlan struct {
	Keep, Drop Customer // as they are before the merge
	Jobs       []int64  // every job of Drop
	Sites      []Site
	Contacts   []Contact
	Users      []string
	Drafts     []int64  // draft invoices: move, and take Keep's terms and bill-to
	Issued     []string // issued, paid and void invoices (numbers): move, kept as issued, bill-to included
	Certs      []string // certifications Drop requires of officers on its jobs: Keep requires them too
	Filled     []FieldChange
	// Kept says where Keep's own setting stays although Drop's differs.
	Kept []FieldChange
	Done bool
}

// Empty reports whether nothing hangs on the merged account.
func (p MergePlan) Empty() bool {
	return len(p.Jobs)+len(p.Sites)+len(p.Contacts)+len(p.Users)+len(p.Drafts)+len(p.Issued) == 0
}

// MergeCustomers merges account drop into account keep, a supervisor's: its
// jobs, sites, contacts, users and draft invoices move to keep; its issued,
// paid and void invoices move too but stay exactly as issued (number,
// dates, terms, lines, totals, and the name and address they were issued
// to); a detail keep lacks (phone, e-mail, address) is taken from drop and
// drop's notes are added to keep's; keep's name, cycle, terms and PO rule
// stay. drop stays as a row marked merged into keep: hidden from the
// lists, refused for new work, its id saying where it went. All in one
// transaction, every move audited. With apply false it only returns the
// plan.
func (s *Store) MergeCustomers(ctx context.Context, actor string, keepID, dropID int64, apply bool) (MergePlan, error) {
	if keepID == dropID {
		return MergePlan{}, &Error{Code: EInvalid, Field: "customer", Message: fmt.Sprintf("customer %d cannot be merged into itself: name the account to keep, then its duplicate", keepID)}
	}
	var plan MergePlan
	plan1 := func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		plan, err = mergePlan(ctx, s.dialect(), tx, keepID, dropID)
		return err
	}
	if !apply {
		err := s.read(ctx, plan1)
		return plan, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := plan1(tx); err != nil {
			return err
		}
		return s.merge(ctx, tx, actor, &plan)
	})
	if err != nil {
		return MergePlan{}, err
	}
	plan.Done = true
	return plan, nil
}

func mergePlan(ctx context.Context, dl *dialect, tx *sql.Tx, keepID, dropID int64) (MergePlan, error) {
	var p MergePlan
	var err error
	if p.Keep, err = customerByID(ctx, tx, keepID); err != nil {
		return p, err
	}
	if p.Drop, err = customerByID(ctx, tx, dropID); err != nil {
		return p, err
	}
	if p.Jobs, err = queryIDs(ctx, tx, `SELECT id FROM jobs WHERE customer_id = ? ORDER BY id`, dropID); err != nil {
		return p, err
	}
	list, err := loadCustomers(ctx, tx, dropID, true)
	if err != nil {
		return p, err
	}
	p.Sites, p.Contacts = list[0].Sites, list[0].Contacts
	if p.Users, err = queryList[string](ctx, tx, `SELECT name FROM users WHERE customer_id = ? ORDER BY name`, dropID); err != nil {
		return p, err
	}
	if p.Drafts, err = queryIDs(ctx, tx, `SELECT id FROM invoices WHERE customer_id = ? AND state = 'draft' ORDER BY id`, dropID); err != nil {
		return p, err
	}
	// the unnumbered first on both engines (as SQLite orders a NULL)
	if p.Issued, err = queryList[string](ctx, tx, `SELECT coalesce(number, '#' || id) FROM invoices WHERE customer_id = ? AND state <> 'draft'
		ORDER BY number IS NOT NULL, number`, dropID); err != nil {
		return p, err
	}
	if hasTable(ctx, dl, tx, "cert_requirements") {
		if p.Certs, err = queryList[string](ctx, tx, `SELECT cert FROM cert_requirements WHERE customer_id = ? ORDER BY cert`, dropID); err != nil {
			return p, err
		}
	}
	k, d := p.Keep, p.Drop
	for _, f := range []struct{ field, keep, drop string }{{"phone", k.Phone, d.Phone}, {"email", k.Email, d.Email}, {"address", k.Address, d.Address}} {
		if f.keep == "" && f.drop != "" {
			p.Filled = append(p.Filled, FieldChange{f.field, "", f.drop})
		}
	}
	if d.Notes != "" && d.Notes != k.Notes {
		p.Filled = append(p.Filled, FieldChange{"notes", k.Notes, mergedNotes(k, d)})
	}
	for _, f := range []struct{ field, keep, drop string }{{"cycle", k.BillingCycle, d.BillingCycle}, {"terms", k.Terms(), d.Terms()},
		{"PO", yesNo(k.PORequired, "required", "not required"), yesNo(d.PORequired, "required", "not required")}} {
		if f.keep != f.drop {
			p.Kept = append(p.Kept, FieldChange{f.field, f.drop, f.keep})
		}
	}
	return p, nil
}

// mergedNotes are keep's notes with drop's added, within the notes' limit.
func mergedNotes(k, d Customer) string {
	n := strings.TrimSpace(k.Notes + "\n\nFrom " + d.Name + " (merged): " + d.Notes)
	if k.Notes == "" {
		n = d.Notes
	}
	if r := []rune(n); len(r) > MaxNotes {
		n = string(r[:MaxNotes-1]) + "…"
	}
	return n
}

func hasTable(ctx context.Context, d *dialect, q querier, name string) bool {
	var n int
	err := q.QueryRowContext(ctx, d.hasTableQuery(), name).Scan(&n)
	return err == nil && n > 0
}

func (s *Store) merge(ctx context.Context, tx *sql.Tx, actor string, p *MergePlan) error {
	keep, drop := p.Keep, p.Drop
	kName, dName := fmt.Sprintf("%s (#%d)", keep.Name, keep.ID), fmt.Sprintf("%s (#%d)", drop.Name, drop.ID)
	now := fmtTime(s.now())
	// Issued invoices keep the name and address they were issued to.
	if err := snapshotBillTo(ctx, tx, drop); err != nil {
		return err
	}
	for _, id := range p.Jobs {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET customer_id = ?, updated_at = ? WHERE id = ?`, keep.ID, now, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "job", id, "account", dName, kName+" (merged)"); err != nil {
			return err
		}
	}
	for _, st := range p.Sites {
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET customer_id = ? WHERE id = ?`, keep.ID, st.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "site", st.ID, "account", dName, kName+" (merged)"); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET customer_id = ? WHERE customer_id = ?`, keep.ID, drop.ID); err != nil {
		return err
	}
	for _, name := range p.Users {
		u, err := userBy(ctx, tx, `u.name = ?`, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET customer_id = ? WHERE id = ?`, keep.ID, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "user", u.ID, "account", name+" of "+dName, name+" of "+kName+" (merged)"); err != nil {
			return err
		}
	}
	for _, id := range p.Drafts { // a draft is the office's work: it bills the kept account on its terms
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET customer_id = ?, terms_days = ?, updated_at = ? WHERE id = ?`, keep.ID, keep.TermsDays, now, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "invoice", id, "account", fmt.Sprintf("draft of %s, %s", dName, drop.Terms()),
			fmt.Sprintf("draft of %s, %s (merged)", kName, keep.Terms())); err != nil {
			return err
		}
	}
	issued, err := queryIDs(ctx, tx, `SELECT id FROM invoices WHERE customer_id = ? AND state <> 'draft' ORDER BY id`, drop.ID)
	if err != nil {
		return err
	}
	for _, id := range issued { // the account that owes them; what they say stays as issued
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET customer_id = ? WHERE id = ?`, keep.ID, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "invoice", id, "account", dName, kName+" (merged; kept as issued, bill-to included)"); err != nil {
			return err
		}
	}
	if len(p.Certs) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE OR IGNORE cert_requirements SET customer_id = ? WHERE customer_id = ?`, keep.ID, drop.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_requirements WHERE customer_id = ?`, drop.ID); err != nil { // those keep had already
			return err
		}
	}
	after := keep
	for _, f := range p.Filled {
		switch f.Field {
		case "phone":
			after.Phone = f.After
		case "email":
			after.Email = f.After
		case "address":
			after.Address = f.After
		case "notes":
			after.Notes = f.After
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET phone = ?, email = ?, address = ?, notes = ? WHERE id = ?`,
		after.Phone, after.Email, after.Address, after.Notes, keep.ID); err != nil {
		return err
	}
	// Accounts merged into drop earlier now point at keep.
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET merged_into = ? WHERE merged_into = ?`, keep.ID, drop.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET merged_into = ?, merged_at = ? WHERE id = ?`, keep.ID, now, drop.ID); err != nil {
		return err
	}
	moved := fmt.Sprintf("merged %s: %s, %s, %s, %s, %s, %s", dName, plural(len(p.Jobs), "job"), plural(len(p.Sites), "site"),
		plural(len(p.Contacts), "contact"), plural(len(p.Users), "user"), plural(len(p.Drafts), "draft invoice"),
		plural(len(p.Issued), "issued invoice")+" (kept as issued)")
	if len(p.Certs) > 0 {
		moved += "; requires " + strings.Join(p.Certs, ", ")
	}
	before := kName
	if len(p.Filled) > 0 {
		before += "; " + changesText(p.Filled, false)
		moved += "; " + changesText(p.Filled, true)
	}
	if err := s.audit(ctx, tx, actor, "customer", keep.ID, "merge", before, moved); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, "customer", drop.ID, "merged", dName, "merged into "+kName)
}
