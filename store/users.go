package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Roles, from least to most.
const (
	RoleCustomer   = "customer"
	RoleOperator   = "operator"
	RoleDispatcher = "dispatcher"
	RoleSupervisor = "supervisor"
)

// Roles lists the roles a user can have.
var Roles = []string{RoleOperator, RoleDispatcher, RoleSupervisor, RoleCustomer}

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
	CustomerID int64 // the account a customer user sees
	Keys       []UserKey
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
	if err := ValidUserName(name); err != nil {
		return User{}, err
	}
	ok := false
	for _, r := range Roles {
		ok = ok || r == role
	}
	if !ok {
		return User{}, &Error{Code: EInvalid, Field: "role", Message: fmt.Sprintf("role %q: use operator, dispatcher, supervisor or customer", role)}
	}
	if (role == RoleCustomer) != (customerID != 0) {
		if role == RoleCustomer {
			return User{}, &Error{Code: EInvalid, Field: "account", Message: "a customer user needs --account CUSTOMER-ID"}
		}
		return User{}, &Error{Code: EInvalid, Field: "account", Message: "only customer users have an account"}
	}
	var u User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if customerID != 0 {
			if _, err := customerByID(ctx, tx, customerID); err != nil {
				return err
			}
		}
		var cust any
		if customerID != 0 {
			cust = customerID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, customer_id, created_at) VALUES (?, ?, ?, ?)`, name, role, cust, fmtTime(s.now()))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return &Error{Code: EConflict, Field: "name", Message: fmt.Sprintf("user %s already exists", name)}
			}
			return err
		}
		id, _ := res.LastInsertId()
		for _, k := range keys {
			if err := s.addKey(ctx, tx, id, k); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, actor, "user", id, "create", "", name+" "+role); err != nil {
			return err
		}
		u, err = userBy(ctx, tx, `u.id = ?`, id)
		return err
	})
	return u, err
}

func (s *Store) addKey(ctx context.Context, tx *sql.Tx, userID int64, line string) error {
	k, comment, err := ParseKey(line)
	if err != nil {
		return err
	}
	fp := ssh.FingerprintSHA256(k)
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_keys (user_id, fingerprint, key, comment, added_at) VALUES (?, ?, ?, ?, ?)`,
		userID, fp, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), Clean(comment, false), fmtTime(s.now())); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
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
	var cust sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.customer_id FROM users u WHERE `+where, arg).Scan(&u.ID, &u.Name, &u.Role, &cust)
	if errors.Is(err, sql.ErrNoRows) {
		return u, &Error{Code: ENotFound, Field: "user", Message: fmt.Sprintf("no user %v", arg)}
	}
	if err != nil {
		return u, err
	}
	u.CustomerID = cust.Int64
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
	Remote     bool   // signed in over SSH
}

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
	v := Viewer{Name: name, Remote: remote}
	var cust sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT role, customer_id FROM users WHERE name = ?`, name).Scan(&v.Role, &cust)
	if errors.Is(err, sql.ErrNoRows) {
		if remote {
			return v, &Error{Code: EForbidden, Field: "user", Message: fmt.Sprintf("%s is not a user any more", name)}
		}
		return Viewer{Name: actor}, nil
	}
	if err != nil {
		return v, err
	}
	v.CustomerID = cust.Int64
	return v, nil
}
