package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
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
	TermsDays    int
	Notes        string
	Contacts     []Contact
	Sites        []Site
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
}

// CustomerInput creates a customer.
type CustomerInput struct {
	Name         string
	Phone        string
	Email        string
	Address      string
	BillingCycle string // default monthly
	TermsDays    int    // default 30
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
	if in.TermsDays == 0 {
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
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (name, phone, email, address, billing_cycle, terms_days, notes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Phone, in.Email, in.Address, in.BillingCycle, in.TermsDays, in.Notes, fmtTime(s.now()))
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

// Customers lists every customer with contacts and sites, by name.
func (s *Store) Customers(ctx context.Context) ([]Customer, error) {
	var out []Customer
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, phone, email, address, billing_cycle, terms_days, notes FROM customers ORDER BY name COLLATE NOCASE`)
		if err != nil {
			return err
		}
		idx := map[int64]int{}
		for rows.Next() {
			var c Customer
			if err := rows.Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Address, &c.BillingCycle, &c.TermsDays, &c.Notes); err != nil {
				rows.Close()
				return err
			}
			idx[c.ID] = len(out)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT id, customer_id, name, address, notes FROM sites ORDER BY name COLLATE NOCASE`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var st Site
			if err := rows.Scan(&st.ID, &st.CustomerID, &st.Name, &st.Address, &st.Notes); err != nil {
				rows.Close()
				return err
			}
			if i, ok := idx[st.CustomerID]; ok {
				out[i].Sites = append(out[i].Sites, st)
			}
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT id, customer_id, name, phone, email, role FROM contacts ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ct Contact
			if err := rows.Scan(&ct.ID, &ct.CustomerID, &ct.Name, &ct.Phone, &ct.Email, &ct.Role); err != nil {
				return err
			}
			if i, ok := idx[ct.CustomerID]; ok {
				out[i].Contacts = append(out[i].Contacts, ct)
			}
		}
		return rows.Err()
	})
	return out, err
}

func customerByID(ctx context.Context, q querier, id int64) (Customer, error) {
	var c Customer
	err := q.QueryRowContext(ctx, `SELECT id, name, phone, email, address, billing_cycle, terms_days, notes FROM customers WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Address, &c.BillingCycle, &c.TermsDays, &c.Notes)
	if errors.Is(err, sql.ErrNoRows) {
		return c, &Error{Code: ENotFound, Field: "customer", Message: fmt.Sprintf("no customer %d", id)}
	}
	return c, err
}

// Customer loads one customer with contacts and sites.
func (s *Store) Customer(ctx context.Context, id int64) (Customer, error) {
	all, err := s.Customers(ctx)
	if err != nil {
		return Customer{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return Customer{}, &Error{Code: ENotFound, Field: "customer", Message: fmt.Sprintf("no customer %d", id)}
}
