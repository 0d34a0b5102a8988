// Package store is the only code that speaks SQL. It keeps offduty's data in
// one SQLite file (WAL), writes through a single connection in immediate
// transactions, reads through a pool, and enforces the invariants inside the
// write transaction. Public methods own their transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is an open offduty database.
type Store struct {
	w     *sql.DB // one connection: every write goes through it
	r     *sql.DB // read pool
	path  string
	now   func() time.Time
	zone  *time.Location // the office's: what "today" is for billing and payroll
	watch watcher
}

// DefaultZone is the office's zone unless WithZone says otherwise.
const DefaultZone = "America/Denver"

// Option configures Open.
type Option func(*Store)

// WithClock injects the clock used for created/updated stamps, the audit and
// every time rule (a record never claims what has not happened by it).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithZone sets the office's zone, in which "today" is judged for invoices
// and payroll (DefaultZone otherwise).
func WithZone(loc *time.Location) Option { return func(s *Store) { s.zone = loc } }

// Today is the office's current civil date, as a date value (00:00 UTC).
func (s *Store) Today() time.Time { return civilIn(s.now(), s.zone) }

// Years outside [MinYear, MaxYear] are refused wherever a date is taken.
const (
	MinYear = 2000
	MaxYear = 2100
)

// checkYear refuses a date outside the years MinYear to MaxYear.
func checkYear(field string, t time.Time) error {
	if y := t.Year(); y < MinYear || y > MaxYear {
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("%s %s: dates run from %d to %d", field, t.Format("2006-01-02"), MinYear, MaxYear)}
	}
	return nil
}

// Open opens the database file at path, creating it (and its folder) and
// applying migrations as needed.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("no database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// A new database is readable by its owner only; SQLite gives the -wal
	// and -shm files the database file's mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create database: %w", err)
	}
	s := &Store{path: path, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.zone == nil {
		loc, err := time.LoadLocation(DefaultZone)
		if err != nil {
			return nil, fmt.Errorf("office zone: %w", err)
		}
		s.zone = loc
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	var err error
	if s.w, err = sql.Open("sqlite", base+"&_txlock=immediate"); err != nil {
		return nil, err
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	if err := s.migrate(context.Background()); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if s.r, err = sql.Open("sqlite", base+"&_pragma=query_only(1)"); err != nil {
		s.w.Close()
		return nil, err
	}
	s.r.SetMaxOpenConns(4)
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Close closes both pools.
func (s *Store) Close() error {
	s.stopWatch()
	return errors.Join(s.r.Close(), s.w.Close())
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations. It first only reads which are applied (a shared lock):
// opening a database that is up to date takes no write lock, so it never
// waits behind, nor holds up, another process's writes.
func (s *Store) migrate(ctx context.Context) error {
	type migration struct {
		version int
		name    string
		body    []byte
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var all []migration
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		all = append(all, migration{v, base, body})
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	var pending []migration
	for _, m := range all {
		if !applied[m.version] {
			pending = append(pending, m)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	// The first write opens the write connection, whose pragmas switch a
	// new file to WAL. SQLite answers SQLITE_BUSY at once, without waiting,
	// when another process is switching the same new file at that moment
	// (waiting could deadlock): try again for a while.
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		_, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
		if err == nil {
			break
		}
		if !isBusy(err) || wait > 2*time.Second {
			return err
		}
		time.Sleep(wait)
	}
	for _, m := range pending {
		err = s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // another process applied it meanwhile
			}
			if _, err := tx.ExecContext(ctx, string(m.body)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, fmtTime(s.now()))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// appliedMigrations reads the versions applied so far (none for a new
// file), with no write lock.
func (s *Store) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	out := map[int]bool{}
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		var n int
		err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		if err == nil && n == 0 {
			return out, nil
		}
		if err == nil {
			var rows *sql.Rows
			if rows, err = s.w.QueryContext(ctx, `SELECT version FROM schema_migrations`); err == nil {
				for rows.Next() {
					var v int
					if err = rows.Scan(&v); err != nil {
						break
					}
					out[v] = true
				}
				rows.Close()
				if err == nil {
					err = rows.Err()
				}
				if err == nil {
					return out, nil
				}
			}
		}
		if !isBusy(err) || wait > 2*time.Second {
			return nil, err
		}
		time.Sleep(wait)
	}
}

// SchemaVersion is the highest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// tx runs fn in an immediate write transaction on the single write connection.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.notify()
	return nil
}

// read runs fn in a read transaction from the pool (one consistent snapshot).
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// audit records one change. Changes to a job, its positions, notes, media
// and fees also carry the job's id, so a job's history is one query.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor, entity string, id int64, action, before, after string) error {
	var jobID any
	switch entity {
	case "job":
		jobID = id
	case "position":
		jobID = sql.NullInt64{}
		var j int64
		if err := tx.QueryRowContext(ctx, `SELECT job_id FROM positions WHERE id = ?`, id).Scan(&j); err == nil {
			jobID = j
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, entity, entity_id, action, before, after, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		fmtTime(s.now()), actor, entity, id, action, before, after, jobID)
	return err
}

// auditJob records a change that belongs to a job but is not the job row itself.
func (s *Store) auditJob(ctx context.Context, tx *sql.Tx, actor string, jobID int64, entity string, id int64, action, before, after string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, entity, entity_id, action, before, after, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		fmtTime(s.now()), actor, entity, id, action, before, after, jobID)
	return err
}

const timeLayout = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q in database: %w", s, err)
	}
	return t, nil
}

func nullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// Error codes.
const (
	ENotFound  = "not_found"
	EInvalid   = "invalid"
	EConflict  = "conflict"
	EForbidden = "forbidden"
)

// Error is a store error with a code the caller can act on.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or an extended form of it).
func isBusy(err error) bool {
	var c interface{ Code() int }
	return errors.As(err, &c) && c.Code()&0xff == 5
}

// ErrorCode returns the code of a store error, or "" for anything else.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
