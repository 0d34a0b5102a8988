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
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pgMigrationFS holds PostgreSQL's migrations: 0014_schema.sql is the whole
// schema as SQLite's 0001-0014 leave it; later versions exist for both.
//
//go:embed migrations/postgres/*.sql
var pgMigrationFS embed.FS

// Store is an open offduty database.
type Store struct {
	w     *sql.DB // one connection: every write goes through it
	r     *sql.DB // read pool
	path  string
	now   func() time.Time
	zone  *time.Location // the office's: what "today" is for billing and payroll
	watch watcher

	pg *pgState // on PostgreSQL (nil: SQLite)

	readOnly bool   // opened for reading only: writes fail
	created  bool   // Open made a new database file
	sync     string // the write connection's synchronous mode
}

// DefaultZone is the office's zone unless WithZone says otherwise.
const DefaultZone = "America/Denver"

// Option configures Open.
type Option func(*Store)

// WithClock injects the clock used for created/updated stamps, the audit and
// every time rule (a record never claims what has not happened by it).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// ReadOnly opens an existing database for reading only (a file this user
// may not write, or a reading command): no migration runs, writes fail.
func ReadOnly() Option { return func(s *Store) { s.readOnly = true } }

// WithSynchronous sets SQLite's synchronous mode of the write connection:
// FULL (the default: an acknowledged commit survives power loss) or NORMAL
// (faster; a power loss may drop the last commits). For benchmarks.
func WithSynchronous(mode string) Option { return func(s *Store) { s.sync = mode } }

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
// applying migrations as needed. It refuses a file that is not an offduty
// database (another program's SQLite file, or not SQLite at all) and one
// made by a newer offduty (a schema this binary does not know), before
// writing a byte to it.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("no database path")
	}
	s := &Store{path: path, now: time.Now, sync: "FULL"}
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
	if s.sync != "FULL" && s.sync != "NORMAL" {
		return nil, fmt.Errorf("synchronous mode %q: FULL or NORMAL", s.sync)
	}
	if IsPostgres(path) {
		if err := s.openPG(path); err != nil {
			return nil, err
		}
		return s, nil
	}
	if err := s.prepareFile(); err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	// Look before touching: the pragmas below would switch another
	// program's file to WAL. A read-only connection, no pragma, reads
	// what the file holds first.
	if !s.created {
		probe, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			return nil, err
		}
		err = s.checkKnown(context.Background(), probe)
		probe.Close()
		if err != nil {
			return nil, err
		}
	}
	if s.readOnly {
		var err error
		if s.r, err = sql.Open("sqlite", base+"&mode=ro&_pragma=query_only(1)"); err != nil {
			return nil, err
		}
		s.r.SetMaxOpenConns(4)
		s.w = s.r // every write fails: the connections are read-only
		return s, nil
	}
	base += "&_pragma=journal_mode(WAL)"
	var err error
	if s.w, err = sql.Open("sqlite", base+"&_pragma=synchronous("+s.sync+")&_txlock=immediate"); err != nil {
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

// Created reports whether Open made a new database file.
func (s *Store) Created() bool { return s.created }

// IsReadOnly reports whether the store was opened for reading only.
func (s *Store) IsReadOnly() bool { return s.readOnly }

// sqliteHeader begins every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// prepareFile makes a new database file (owner-only, in an owner-only
// folder), or checks that an existing non-empty file is SQLite at all.
func (s *Store) prepareFile() error {
	f, err := os.Open(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if s.readOnly {
			return &Error{Code: ENotFound, Field: "db", Message: fmt.Sprintf("no database %s", s.path)}
		}
		if dir := filepath.Dir(s.path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("create database folder: %w", err)
			}
		}
		// SQLite gives the -wal and -shm files the database file's mode.
		nf, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			nf.Close()
			s.created = true
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return nil // another process made it meanwhile
		}
		return fmt.Errorf("create database: %w", err)
	case err != nil:
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s is a folder, not a database file", s.path)}
	}
	if !st.Mode().IsRegular() {
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s is not a regular file", s.path)}
	}
	head := make([]byte, len(sqliteHeader))
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		return nil // an empty file: a new database
	}
	if string(head[:n]) != sqliteHeader {
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s is not a SQLite database, so not an offduty database: refusing to touch it", s.path)}
	}
	return nil
}

// checkKnown refuses another program's SQLite database (tables but none of
// offduty's migrations record) and one whose schema is newer than this
// binary's, with no write.
func (s *Store) checkKnown(ctx context.Context, db *sql.DB) error {
	var tables []string
	err := retryBusy(func() error {
		tables = tables[:0]
		rows, err := db.QueryContext(ctx, s.dialect().tables)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			tables = append(tables, t)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	if len(tables) == 0 {
		return nil // new
	}
	if !slices.Contains(tables, "schema_migrations") {
		shown := tables
		if len(shown) > 5 {
			shown = append(shown[:5:5], "…")
		}
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s is another program's %s database (tables: %s), not an offduty database: refusing to write to it",
			s.path, s.dialect().name, strings.Join(shown, ", "))}
	}
	var newest int
	var name string
	if err := retryBusy(func() error {
		return db.QueryRowContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1`).Scan(&newest, &name)
	}); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	if known := KnownSchema(); newest > known {
		return &Error{Code: EConflict, Field: "db", Message: fmt.Sprintf("%s was made by a newer offduty (schema version %d, %s; this offduty knows up to %d): use that version, or restore a backup",
			s.path, newest, name, known)}
	}
	return nil
}

// KnownSchema is the newest schema version this binary knows.
func KnownSchema() int {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	hi := 0
	for _, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0]); err == nil && v > hi {
			hi = v
		}
	}
	return hi
}

// retryBusy runs fn again for a while when SQLite answers SQLITE_BUSY at
// once (a new file being switched to WAL by another process).
func retryBusy(fn func() error) error {
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		err := fn()
		if err == nil || !isBusy(err) || wait > 2*time.Second {
			return err
		}
		time.Sleep(wait)
	}
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Close closes both pools.
func (s *Store) Close() error {
	s.stopWatch()
	if s.w == s.r {
		return s.r.Close()
	}
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
	mfs, pattern := fs.FS(migrationFS), "migrations/*.sql"
	if s.pg != nil {
		mfs, pattern = pgMigrationFS, "migrations/postgres/*.sql"
		// One process migrates at a time, across hosts.
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, writeLockKey+1); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, writeLockKey+1)
	}
	names, err := fs.Glob(mfs, pattern)
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
		body, err := fs.ReadFile(mfs, name)
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
	if s.pg != nil && len(applied) == 0 {
		s.created = true // a new, empty PostgreSQL database
	}
	// The first write opens the write connection, whose pragmas switch a
	// new file to WAL. SQLite answers SQLITE_BUSY at once, without waiting,
	// when another process is switching the same new file at that moment
	// (waiting could deadlock): try again for a while.
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		_, err := s.w.ExecContext(ctx, s.dialect().schemaMigrations)
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
		err := s.w.QueryRowContext(ctx, s.dialect().hasMigrations).Scan(&n)
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
	if s.readOnly {
		return &Error{Code: EConflict, Field: "db", Message: fmt.Sprintf("%s is open for reading only: nothing can be changed (is the file writable by you?)", s.path)}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if s.pg != nil {
		// One writer at a time across every process and host, as on
		// SQLite; a commit tells every listener.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLockKey); err != nil {
			tx.Rollback()
			return fmt.Errorf("begin: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.pgStandby(err)
	}
	if s.pg != nil {
		// Count the commit (billing's write mark) and tell every listener.
		if _, err := tx.ExecContext(ctx, `UPDATE write_seq SET n = n + 1`); err != nil {
			tx.Rollback()
			return s.pgStandby(err)
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, '')`, notifyChannel); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.notify()
	return nil
}

// read runs fn in a read transaction from the pool (one consistent snapshot).
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.pg != nil {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.r.BeginTx(ctx, opts)
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

// isUnique reports a unique-constraint violation, on either engine.
func isUnique(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE") || pgUnique(err))
}

// isForeignKey reports a foreign-key violation, on either engine.
func isForeignKey(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "violates foreign key"))
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or an extended form of it).
func isBusy(err error) bool {
	var c interface{ Code() int }
	return errors.As(err, &c) && c.Code()&0xff == 5
}

// ErrorField returns the field a store error is about, or "" for anything else.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of a store error, or "" for anything else.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
