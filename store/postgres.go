package store

// PostgreSQL: the same store on a replicated engine. The store's SQL is
// written once, with ? placeholders; this file holds what differs for
// PostgreSQL at the connection: a database/sql driver over pgx that numbers
// the placeholders ($1, $2, ...) and hands back instants and dates as the
// same text the SQLite columns hold, so every reader scans alike. Queries
// whose text must differ live in dialect.go, one entry per engine.
//
// Writes are serialized across every process and host by a transaction-level
// advisory lock taken first in each write transaction: the same one-writer-
// at-a-time model as SQLite's, so each invariant checked inside a write
// transaction (one booking wins a race, gap-free invoice numbers per year,
// roles and time rules) holds exactly as it does on one file. Reads run in
// REPEATABLE READ read-only transactions: one consistent snapshot, as on
// SQLite. A committed write sends NOTIFY on the offduty channel; every store
// LISTENs, so sessions on other hosts refresh as on one file.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsPostgres reports whether db names a PostgreSQL database
// (postgres://... or postgresql://...) rather than a SQLite file.
// The keyword form (host=db1 dbname=offduty user=...) is one too.
func IsPostgres(db string) bool {
	l := strings.ToLower(strings.TrimSpace(db))
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") || pgKeywords.MatchString(db)
}

// pgKeywords is the keyword form of a PostgreSQL address: key=value pairs,
// one of them naming the database or the host.
var pgKeywords = regexp.MustCompile(`^\s*\w+\s*=.*\b(dbname|host)\s*=`)

// pgSecret finds a password (or a key's passphrase) in the keyword form or
// in a URL's options.
var pgSecret = regexp.MustCompile(`(?i)\b((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)

// RedactURL is a PostgreSQL address without its password, wherever it is
// given (user:password@, ?password=, password=...), for every message,
// log line and screen.
func RedactURL(db string) string {
	if !strings.Contains(db, "://") {
		return pgSecret.ReplaceAllString(db, "${1}xxxxx")
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://…"
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// writeLockKey is the advisory lock every write transaction takes first.
const writeLockKey = 0x6f6666647574 // "offdut"

// notifyChannel is the LISTEN/NOTIFY channel a committed write signals on.
const notifyChannel = "offduty_changed"

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.pg != nil }

// pgState is what a store on PostgreSQL keeps besides its pools.
type pgState struct {
	cfg *pgx.ConnConfig
}

// openPG connects both pools to PostgreSQL and applies its migrations.
func (s *Store) openPG(dsn string) error {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok {
		dsn = strings.ToLower(scheme) + "://" + rest // POSTGRES://... too
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s: not a PostgreSQL address: %v", RedactURL(dsn), err)}
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	// The write lock is the whole cluster's: a front end that dies or
	// hangs inside a transaction must not hold it for long. The server
	// ends a transaction left idle a minute, and looks every 10 s whether
	// the client of a running one is still there.
	for k, v := range map[string]string{"idle_in_transaction_session_timeout": "60s", "client_connection_check_interval": "10s"} {
		if cfg.RuntimeParams[k] == "" {
			cfg.RuntimeParams[k] = v
		}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "offduty"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	s.pg = &pgState{cfg: cfg}
	s.path = RedactURL(dsn)
	open := func(n int) *sql.DB {
		db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db
	}
	s.r = open(8)
	if s.readOnly {
		s.w = s.r
	} else {
		s.w = open(4)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ConnectTimeout+5*time.Second)
	defer cancel()
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return pgConnectError(s.path, cfg, err)
	}
	if err := s.checkKnown(ctx, s.r); err != nil {
		s.Close()
		return err
	}
	if s.readOnly {
		return nil
	}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			return &Error{Code: EForbidden, Field: "db", Message: fmt.Sprintf("%s: user %q may not make offduty's tables there (%s): make the database theirs (createdb -O %s %s), or grant them CREATE on its schema",
				s.path, cfg.User, pe.Message, cfg.User, cfg.Database)}
		}
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	return nil
}

// pgConnector hands out connections wrapped by pgConn.
type pgConnector struct{ c driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.c.Driver() }

// pgConn numbers placeholders and converts what rows hand back.
type pgConn struct{ c *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	q, returning := insertReturning(query)
	st, err := c.c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &pgStmt{st, returning}, nil
}

func (c *pgConn) Close() error { return c.c.Close() }

func (c *pgConn) Begin() (driver.Tx, error) { return c.c.Begin() } //nolint:staticcheck // driver.Conn needs it

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, opts)
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	q, returning := insertReturning(query)
	if !returning {
		return c.c.ExecContext(ctx, q, args)
	}
	// An INSERT into a table with an id: ask for the ids, so that
	// LastInsertId answers as on SQLite (the last row's id).
	rows, err := c.c.QueryContext(ctx, q, args)
	if err != nil {
		return nil, err
	}
	return insertResult(rows)
}

// insertResult reads the ids an INSERT ... RETURNING id gave: the last is
// LastInsertId, their count RowsAffected.
func insertResult(rows driver.Rows) (driver.Result, error) {
	defer rows.Close()
	var res pgResult
	dest := make([]driver.Value, 1)
	for {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		res.n++
		if id, ok := dest[0].(int64); ok {
			res.id = id
		}
	}
	return res, rows.Close()
}

type pgResult struct{ id, n int64 }

func (r pgResult) LastInsertId() (int64, error) { return r.id, nil }
func (r pgResult) RowsAffected() (int64, error) { return r.n, nil }

// identityTables have an id column the database numbers (TestIdentityTables
// checks the list against the schema).
var identityTables = map[string]bool{
	"agencies": true, "rate_cards": true, "customers": true, "contacts": true, "sites": true,
	"officers": true, "series": true, "jobs": true, "positions": true, "audit": true,
	"job_notes": true, "media": true, "job_fees": true, "invoices": true, "invoice_lines": true,
	"payroll_lines": true, "users": true, "user_keys": true, "signups": true, "outbox": true,
	"officer_standing": true, "cert_requirements": true, "web_signin_links": true,
	"web_signin_requests": true, "web_sessions": true,
}

var returningQueries sync.Map

// givesID reports whether an INSERT names the id column itself (the ids
// given, as the bulk import and the invoices' save do): nothing to ask back.
func givesID(q string) bool {
	open := strings.IndexByte(q, '(')
	end := strings.IndexByte(q, ')')
	if open < 0 || end < open {
		return false
	}
	for _, c := range strings.Split(q[open+1:end], ",") {
		if strings.Trim(strings.TrimSpace(c), `"`) == "id" {
			return true
		}
	}
	return false
}

// insertReturning numbers a query's placeholders and, for an INSERT into a
// table of identityTables with no RETURNING of its own and no id given,
// asks for the ids.
func insertReturning(query string) (string, bool) {
	type entry struct {
		q string
		r bool
	}
	if v, ok := returningQueries.Load(query); ok {
		e := v.(entry)
		return e.q, e.r
	}
	q := rebind(query)
	e := entry{q: q}
	f := strings.Fields(q)
	if len(f) >= 3 && strings.EqualFold(f[0], "INSERT") && strings.EqualFold(f[1], "INTO") {
		table := strings.Trim(f[2], `"`)
		if i := strings.IndexByte(table, '('); i >= 0 {
			table = table[:i]
		}
		if identityTables[table] && !strings.Contains(strings.ToUpper(q), "RETURNING") && !givesID(q) {
			e = entry{q: strings.TrimRight(strings.TrimSpace(q), ";") + " RETURNING id", r: true}
		}
	}
	returningQueries.Store(query, e)
	return e.q, e.r
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.c.QueryContext(ctx, rebind(query), args)
	if err != nil {
		return nil, err
	}
	return newPGRows(rows), nil
}

func (c *pgConn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

// CheckNamedValue passes a Go bool as 1 or 0: flags are integer columns on
// both engines.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	return c.c.CheckNamedValue(nv)
}
func (c *pgConn) ResetSession(ctx context.Context) error { return c.c.ResetSession(ctx) }

type pgStmt struct {
	st        driver.Stmt
	returning bool // an INSERT made to return its ids (insertReturning)
}

func (s *pgStmt) Close() error  { return s.st.Close() }
func (s *pgStmt) NumInput() int { return s.st.NumInput() }
func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	if s.returning {
		rows, err := s.st.Query(args) //nolint:staticcheck // driver.Stmt needs it
		if err != nil {
			return nil, err
		}
		return insertResult(rows)
	}
	return s.st.Exec(args) //nolint:staticcheck // driver.Stmt needs it
}
func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	rows, err := s.st.Query(args) //nolint:staticcheck // driver.Stmt needs it
	if err != nil {
		return nil, err
	}
	return newPGRows(rows), nil
}
func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.returning {
		rows, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
		if err != nil {
			return nil, err
		}
		return insertResult(rows)
	}
	return s.st.(driver.StmtExecContext).ExecContext(ctx, args)
}
func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return newPGRows(rows), nil
}

// pgRows hands back timestamptz as the store's UTC text
// (2006-01-02T15:04:05Z) and date as 2006-01-02, as SQLite's columns hold
// them.
type pgRows struct {
	driver.Rows
	kinds []byte // per column: 't' instant, 'd' date, 0 other
}

func newPGRows(r driver.Rows) *pgRows {
	out := &pgRows{Rows: r}
	if tn, ok := r.(driver.RowsColumnTypeDatabaseTypeName); ok {
		cols := r.Columns()
		out.kinds = make([]byte, len(cols))
		for i := range cols {
			switch tn.ColumnTypeDatabaseTypeName(i) {
			case "TIMESTAMPTZ", "TIMESTAMP":
				out.kinds[i] = 't'
			case "DATE":
				out.kinds[i] = 'd'
			}
		}
	}
	return out
}

func (r *pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	for i, k := range r.kinds {
		if k == 0 {
			continue
		}
		if t, ok := dest[i].(time.Time); ok {
			if k == 'd' {
				dest[i] = t.Format(dateLayout)
			} else {
				dest[i] = t.UTC().Format(timeLayout)
			}
		}
	}
	return nil
}

func (r *pgRows) ColumnTypeDatabaseTypeName(i int) string {
	if tn, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return tn.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// rebound caches each query's numbered form.
var rebound sync.Map

// sqliteHints are SQLite's planner hints, which PostgreSQL's planner does
// without: INDEXED BY name, and a unary + that keeps a column off an index.
var sqliteHints = regexp.MustCompile(`\s+INDEXED BY \w+|([\s(])\+([a-z]\w*\.)`)

// rebind numbers the ? placeholders of a query ($1, $2, ...), leaving those
// inside quoted text, quoted names and comments alone, and drops SQLite's
// planner hints.
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	q := sqliteHints.ReplaceAllString(query, "$1$2")
	if !strings.Contains(q, "?") {
		rebound.Store(query, q)
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(q) {
				j = len(q) - 1
			}
			b.WriteString(q[i : j+1])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i - 1
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}

// pgConnectError says in one line why PostgreSQL could not be reached.
func pgConnectError(addr string, cfg *pgx.ConnConfig, err error) error {
	where := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "3D000":
		return &Error{Code: ENotFound, Field: "db", Message: fmt.Sprintf("%s: the server at %s has no database %q: make it first (createdb %s), or check the name", addr, where, cfg.Database, cfg.Database)}
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"):
		return &Error{Code: EForbidden, Field: "db", Message: fmt.Sprintf("%s: the server at %s refused user %q: %s", addr, where, cfg.User, pe.Message)}
	case errors.As(err, &pe):
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s: %s (SQLSTATE %s)", addr, pe.Message, pe.Code)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s: no PostgreSQL server answers at %s (connection refused): is it running, on that port?", addr, where)}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s: no answer from %s within %s", addr, where, cfg.ConnectTimeout)}
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	return &Error{Code: EInvalid, Field: "db", Message: fmt.Sprintf("%s: cannot connect: %s", addr, msg)}
}

// pgStandby turns PostgreSQL's refusal to write on a hot standby (or in a
// read-only transaction) into a clear message.
func (s *Store) pgStandby(err error) error {
	var pe *pgconn.PgError
	if s.pg != nil && errors.As(err, &pe) && pe.Code == "25006" {
		return &Error{Code: EConflict, Field: "db", Message: fmt.Sprintf("%s is read-only (a standby, or a read-only server): nothing was changed; changes go to the primary", s.path)}
	}
	return err
}

// pgUnique reports a unique-constraint violation.
func pgUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// startWatchPG LISTENs on a connection of its own and wakes the waiters on
// every notification, reconnecting after a failure.
func (s *Store) startWatchPG() {
	s.watch.started = true
	s.watch.stop = make(chan struct{})
	stop := s.watch.stop
	cfg := s.pg.cfg.Copy()
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-stop; cancel() }()
		for wait, first := 100*time.Millisecond, true; ctx.Err() == nil; first = false {
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err == nil {
				if _, err = conn.Exec(ctx, "LISTEN "+notifyChannel); err == nil {
					wait = 100 * time.Millisecond
					if !first {
						s.notify() // anything missed while not listening
					}
					for {
						if _, err = conn.WaitForNotification(ctx); err != nil {
							break
						}
						s.notify()
					}
				}
				conn.Close(context.Background())
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if wait < 5*time.Second {
				wait *= 2
			}
		}
	}()
}

// OpenRaw opens a plain database/sql handle on a database (a file path or a
// postgres:// address) that takes the store's ? placeholders on either
// engine: for tools and tests that look underneath the store's API.
func OpenRaw(db string) (*sql.DB, error) {
	if !IsPostgres(db) {
		return sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	cfg, err := pgx.ParseConfig(db)
	if err != nil {
		return nil, err
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)}), nil
}
