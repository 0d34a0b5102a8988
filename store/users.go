package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Roles, from least to most.
const (
	RoleCustomer   = "customer"
	RoleOperator   = "operator"
	RoleDispatcher = "dispatcher"
	RoleSupervisor = "supervisor"
	RoleOfficer    = "officer" // one officer: their shifts, pay, open shifts they may take
	RoleAgency     = "agency"  // a police agency: its own officers' details, read-only
)

// Roles lists the roles a user can have.
var Roles = []string{RoleOperator, RoleDispatcher, RoleSupervisor, RoleCustomer, RoleOfficer, RoleAgency}

// IsStaff reports whether a role is the office's own (operator and up).
func IsStaff(role string) bool {
	return role == "" || role == RoleOperator || role == RoleDispatcher || role == RoleSupervisor
}

// Permissions checked by the store's write methods.
const (
	PermRequest  = "request"  // quote, create and edit requests: operator and up
	PermDispatch = "dispatch" // approve, assign, attendance, notes, media, cancellations: dispatcher and up
	PermAdmin    = "admin"    // rate cards, officers, invoices, payroll, users: supervisor
)

// Allows reports whether a role holds a permission.
func Allows(role, perm string) bool {
	switch role {
	case RoleSupervisor:
		return true
	case RoleDispatcher:
		return perm == PermRequest || perm == PermDispatch
	case RoleOperator:
		return perm == PermRequest
	}
	return false
}

// User is a person who signs in over SSH.
type User struct {
	ID         int64
	Name       string
	Role       string
	CustomerID int64  // the account a customer user sees
	OfficerID  int64  // the officer an officer user is
	AgencyID   int64  // the agency an agency user speaks for
	Email      string // where their messages go (an officer's is the officer record's)
	Keys       []UserKey
}

// UserInput is a new user.
type UserInput struct {
	Name       string
	Role       string
	CustomerID int64 // customer users
	OfficerID  int64 // officer users
	AgencyID   int64 // agency users
	Email      string
	Keys       []string // authorized_keys lines
}

// UserKey is one of a user's public keys.
type UserKey struct {
	Fingerprint string
	Type        string
	Comment     string
}

// ParseKey reads an authorized_keys line ("ssh-ed25519 AAAA... comment").
func ParseKey(line string) (ssh.PublicKey, string, error) {
	k, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return nil, "", &Error{Code: EInvalid, Field: "key", Message: "not a public key: give a line like \"ssh-ed25519 AAAA... you@host\""}
	}
	return k, comment, nil
}

// ValidUserName checks a user name: letters, digits, dot, dash, underscore.
func ValidUserName(name string) error {
	if name == "" || len(name) > 64 {
		return &Error{Code: EInvalid, Field: "name", Message: "a user name is 1 to 64 characters"}
	}
	if name == "." || name == ".." || strings.HasPrefix(name, "-") {
		return &Error{Code: EInvalid, Field: "name", Message: fmt.Sprintf("user name %q: not . or .., and not starting with a dash", name)}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return &Error{Code: EInvalid, Field: "name", Message: fmt.Sprintf("user name %q: use letters, digits, dot, dash or underscore", name)}
		}
	}
	return nil
}

// CreateUser adds a user with a role and, for a customer, the account they see.
func (s *Store) CreateUser(ctx context.Context, actor, name, role string, customerID int64, keys []string) (User, error) {
	return s.CreateUserWith(ctx, actor, UserInput{Name: name, Role: role, CustomerID: customerID, Keys: keys})
}

// CreateUserWith adds a user: a customer user sees one account, an officer
// user is one officer (their e-mail is the officer record's), an agency
// user speaks for one agency.
func (s *Store) CreateUserWith(ctx context.Context, actor string, in UserInput) (User, error) {
	if err := ValidUserName(in.Name); err != nil {
		return User{}, err
	}
	if !slices.Contains(Roles, in.Role) {
		return User{}, &Error{Code: EInvalid, Field: "role", Message: fmt.Sprintf("role %q: use operator, dispatcher, supervisor, customer, officer or agency", in.Role)}
	}
	for _, link := range []struct {
		role, flag, what string
		id               int64
	}{{RoleCustomer, "--account CUSTOMER-ID", "an account", in.CustomerID}, {RoleOfficer, "--officer BADGE", "an officer", in.OfficerID},
		{RoleAgency, "--agency SLUG", "an agency", in.AgencyID}} {
		if (in.Role == link.role) != (link.id != 0) {
			if in.Role == link.role {
				return User{}, &Error{Code: EInvalid, Field: link.role, Message: fmt.Sprintf("a %s user needs %s", link.role, link.flag)}
			}
			return User{}, &Error{Code: EInvalid, Field: link.role, Message: fmt.Sprintf("only %s users have %s", link.role, link.what)}
		}
	}
	email := strings.TrimSpace(in.Email)
	if err := ValidEmail(email); err != nil {
		return User{}, err
	}
	var u User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if in.CustomerID != 0 {
			if _, err := customerByID(ctx, tx, in.CustomerID); err != nil {
				return err
			}
		}
		if in.OfficerID != 0 {
			var officerEmail string
			err := tx.QueryRowContext(ctx, `SELECT email FROM officers WHERE id = ?`, in.OfficerID).Scan(&officerEmail)
			if errors.Is(err, sql.ErrNoRows) {
				return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", in.OfficerID)}
			}
			if err != nil {
				return err
			}
			if email == "" {
				email = officerEmail
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE officer_id = ?`, in.OfficerID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &Error{Code: EConflict, Field: "officer", Message: "that officer already has a user"}
			}
		}
		if in.AgencyID != 0 {
			if _, err := agencyByID(ctx, tx, in.AgencyID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, customer_id, officer_id, agency_id, email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			in.Name, in.Role, nullID(in.CustomerID), nullID(in.OfficerID), nullID(in.AgencyID), email, fmtTime(s.now()))
		if err != nil {
			if isUnique(err) {
				return &Error{Code: EConflict, Field: "name", Message: fmt.Sprintf("user %s already exists", in.Name)}
			}
			return err
		}
		id, _ := res.LastInsertId()
		for _, k := range in.Keys {
			if err := s.addKey(ctx, tx, id, k); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, actor, "user", id, "create", "", strings.TrimSpace(in.Name+" "+in.Role+" "+email)); err != nil {
			return err
		}
		u, err = userBy(ctx, tx, `u.id = ?`, id)
		return err
	})
	return u, err
}

// SetUserEmail changes where a user's messages go ("" for none).
func (s *Store) SetUserEmail(ctx context.Context, actor, name, email string) error {
	email = strings.TrimSpace(email)
	if err := ValidEmail(email); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		u, err := userBy(ctx, tx, `u.name = ?`, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "email", u.Email, email)
	})
}

// ValidEmail checks an e-mail address ("" is none): one @, no spaces or
// controls, at most 254 characters.
func ValidEmail(email string) error {
	if email == "" {
		return nil
	}
	if len(email) > 254 {
		return &Error{Code: EInvalid, Field: "email", Message: "an e-mail address is at most 254 characters"}
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(email, " \t\r\n<>,;\"") || strings.Contains(domain, "@") || !strings.Contains(domain, ".") {
		return &Error{Code: EInvalid, Field: "email", Message: fmt.Sprintf("%q is not an e-mail address (like dana@example.com)", Clean(email, false))}
	}
	for _, r := range email {
		if r < 0x20 || r == 0x7f {
			return &Error{Code: EInvalid, Field: "email", Message: "an e-mail address holds no control characters"}
		}
	}
	return nil
}

func (s *Store) addKey(ctx context.Context, tx *sql.Tx, userID int64, line string) error {
	k, comment, err := ParseKey(line)
	if err != nil {
		return err
	}
	fp := ssh.FingerprintSHA256(k)
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_keys (user_id, fingerprint, key, comment, added_at) VALUES (?, ?, ?, ?, ?)`,
		userID, fp, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), Clean(comment, false), fmtTime(s.now())); err != nil {
		if isUnique(err) {
			return &Error{Code: EConflict, Field: "key", Message: fmt.Sprintf("key %s already belongs to a user", fp)}
		}
		return err
	}
	return nil
}

// AddUserKey adds a public key to a user.
func (s *Store) AddUserKey(ctx context.Context, actor, name, line string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		u, err := userBy(ctx, tx, `u.name = ?`, name)
		if err != nil {
			return err
		}
		if err := s.addKey(ctx, tx, u.ID, line); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "key add", "", name)
	})
}

// RemoveUserKey removes one of a user's keys, named by fingerprint or key line.
func (s *Store) RemoveUserKey(ctx context.Context, actor, name, keyOrFingerprint string) error {
	fp := strings.TrimSpace(keyOrFingerprint)
	if !strings.HasPrefix(fp, "SHA256:") {
		k, _, err := ParseKey(fp)
		if err != nil {
			return err
		}
		fp = ssh.FingerprintSHA256(k)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		u, err := userBy(ctx, tx, `u.name = ?`, name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM user_keys WHERE user_id = ? AND fingerprint = ?`, u.ID, fp)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: ENotFound, Field: "key", Message: fmt.Sprintf("%s has no key %s", name, fp)}
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "key remove", fp, "")
	})
}

// RemoveUser removes a user and their keys; the audit keeps their name.
func (s *Store) RemoveUser(ctx context.Context, actor, name string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		u, err := userBy(ctx, tx, `u.name = ?`, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_keys WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "remove", name+" "+u.Role, "")
	})
}

func userBy(ctx context.Context, q querier, where string, arg any) (User, error) {
	var u User
	var cust, off, ag sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.customer_id, u.officer_id, u.agency_id, u.email FROM users u WHERE `+where, arg).
		Scan(&u.ID, &u.Name, &u.Role, &cust, &off, &ag, &u.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return u, &Error{Code: ENotFound, Field: "user", Message: fmt.Sprintf("no user %v", arg)}
	}
	if err != nil {
		return u, err
	}
	u.CustomerID, u.OfficerID, u.AgencyID = cust.Int64, off.Int64, ag.Int64
	rows, err := q.QueryContext(ctx, `SELECT fingerprint, key, comment FROM user_keys WHERE user_id = ? ORDER BY id`, u.ID)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		var k UserKey
		var line string
		if err := rows.Scan(&k.Fingerprint, &line, &k.Comment); err != nil {
			return u, err
		}
		k.Type, _, _ = strings.Cut(line, " ")
		u.Keys = append(u.Keys, k)
	}
	return u, rows.Err()
}

// Users lists the users by name.
func (s *Store) Users(ctx context.Context, actor string) ([]User, error) {
	var out []User
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := v.Need(PermAdmin, "the list of users"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM users ORDER BY name`)
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
		for _, id := range ids {
			u, err := userBy(ctx, tx, `u.id = ?`, id)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	return out, err
}

// UserByName finds a user.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = userBy(ctx, tx, `u.name = ?`, name)
		return err
	})
	return u, err
}

// UserByKey finds the user a public key belongs to (ENotFound for an unknown key).
func (s *Store) UserByKey(ctx context.Context, k ssh.PublicKey) (User, error) {
	fp := ssh.FingerprintSHA256(k)
	var u User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = userBy(ctx, tx, `u.id = (SELECT user_id FROM user_keys WHERE fingerprint = ?)`, fp)
		return err
	})
	return u, err
}

// SSHActor is how the SSH server names an authenticated user when it acts:
// "alice@ssh". The audit shows it as is.
func SSHActor(name string) string { return name + "@ssh" }

// authorize checks that the acting user holds a permission. An SSH actor
// ("name@ssh") must be a user of the database with a role that allows it; a
// removed user can do nothing. Any other actor is the local operator of the
// machine (the console without SSH, the commands, the seeders), who holds
// the file and every right, unless --as names a user, whose role applies.
func (s *Store) authorize(ctx context.Context, q querier, actor, perm string) error {
	v, err := viewerOf(ctx, q, actor)
	if err != nil {
		return err
	}
	return v.Need(perm, "this")
}

func article(role string) string {
	if strings.IndexAny(role[:1], "aeiou") == 0 {
		return "an"
	}
	return "a"
}

// Viewer is who reads, as the store judges it: a user of the database (by
// name, or "name@ssh" over SSH) with their role and account, or the local
// operator of the machine (Role ""), who holds the file and every right.
type Viewer struct {
	Name       string
	Role       string // "" is the local operator
	CustomerID int64  // a customer user's account
	OfficerID  int64  // an officer user's officer
	AgencyID   int64  // an agency user's agency
	Remote     bool   // signed in over SSH or on the web pages
}

// IsOfficer reports whether the viewer is an officer user (sees their own
// shifts and pay, and the open shifts they may take).
func (v Viewer) IsOfficer() bool { return v.Role == RoleOfficer }

// IsAgency reports whether the viewer speaks for an agency (sees its own
// officers' details, read-only).
func (v Viewer) IsAgency() bool { return v.Role == RoleAgency }

// IsStaff reports whether the viewer is the office's own.
func (v Viewer) IsStaff() bool { return IsStaff(v.Role) }

// Can reports whether the viewer's role holds a permission.
func (v Viewer) Can(perm string) bool { return v.Role == "" || Allows(v.Role, perm) }

// IsCustomer reports whether the viewer sees one account only.
func (v Viewer) IsCustomer() bool { return v.Role == RoleCustomer }

// Need is the EForbidden error for a permission the viewer lacks, or nil.
func (v Viewer) Need(perm, what string) error {
	if v.Can(perm) {
		return nil
	}
	who := map[string]string{PermRequest: "an operator", PermDispatch: "a dispatcher", PermAdmin: "a supervisor"}[perm]
	return &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s %s: %s needs %s", v.Name, article(v.Role), v.Role, what, who)}
}

// Viewer resolves an actor the way the write methods' role checks do.
func (s *Store) Viewer(ctx context.Context, actor string) (Viewer, error) {
	var v Viewer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = viewerOf(ctx, tx, actor)
		return err
	})
	return v, err
}

func viewerOf(ctx context.Context, q querier, actor string) (Viewer, error) {
	name, remote := strings.CutSuffix(actor, "@ssh")
	if !remote { // the web pages' users act as "name@web" (web.go), judged alike
		name, remote = strings.CutSuffix(actor, "@web")
	}
	v := Viewer{Name: name, Remote: remote}
	var cust, off, ag sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT role, customer_id, officer_id, agency_id FROM users WHERE name = ?`, name).Scan(&v.Role, &cust, &off, &ag)
	if errors.Is(err, sql.ErrNoRows) {
		if remote {
			return v, &Error{Code: EForbidden, Field: "user", Message: fmt.Sprintf("%s is not a user any more", name)}
		}
		return Viewer{Name: actor}, nil
	}
	if err != nil {
		return v, err
	}
	v.CustomerID, v.OfficerID, v.AgencyID = cust.Int64, off.Int64, ag.Int64
	return v, nil
}
