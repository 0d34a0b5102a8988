// Package storetest gives tests a new, empty database on the engine the run
// is for: a SQLite file under t.TempDir(), or a PostgreSQL database of its
// own on the server OFFDUTY_TEST_PG names. Main runs a package's suite on
// SQLite, then once more on PostgreSQL in a second process of the same test
// binary, or says that the PostgreSQL run was skipped.
package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for creating databases
)

// ServerEnv names a PostgreSQL server the tests may create databases on,
// e.g. postgres://postgres@127.0.0.1:55432/postgres (.ci/run sets it).
const ServerEnv = "OFFDUTY_TEST_PG"

// engineEnv is set to "postgres" in the second run.
const engineEnv = "OFFDUTY_TEST_ENGINE"

// Postgres reports whether this run is the PostgreSQL one.
func Postgres() bool { return os.Getenv(engineEnv) == "postgres" }

// Engine names this run's engine.
func Engine() string {
	if Postgres() {
		return "PostgreSQL"
	}
	return "SQLite"
}

// Main runs the suite on SQLite, then on PostgreSQL when OFFDUTY_TEST_PG
// names a server, in a child process of the same binary with the same
// flags; it exits with failure when either run failed. m is a *testing.M,
// or one that wraps it.
func Main(m interface{ Run() int }) {
	code := m.Run()
	if Postgres() {
		DropTemplates()
		os.Exit(code)
	}
	server := os.Getenv(ServerEnv)
	if server == "" {
		fmt.Printf("offduty: the PostgreSQL run of this package was skipped: %s is not set (.ci/run starts a server and sets it)\n", ServerEnv)
		os.Exit(code)
	}
	fmt.Printf("offduty: the same tests on PostgreSQL (%s)\n", redact(server))
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), engineEnv+"=postgres")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Printf("offduty: the PostgreSQL run failed: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "?"
	}
	return u.Redacted()
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	seq       atomic.Int64
)

// DB is a new, empty database for this run's engine, removed when the test
// ends: a file path, or a postgres:// address.
func DB(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "offduty.db")
	}
	return NewPostgres(t)
}

// NewPostgres is a new, empty PostgreSQL database on OFFDUTY_TEST_PG's
// server, dropped when the test ends; the test is skipped without one.
func NewPostgres(t testing.TB) string {
	t.Helper()
	return newDatabase(t, connectServer(t), "")
}

// connectServer is OFFDUTY_TEST_PG's address, the admin connection to it
// made once; the test is skipped without one.
func connectServer(t testing.TB) *url.URL {
	t.Helper()
	server := os.Getenv(ServerEnv)
	if server == "" {
		t.Skipf("no PostgreSQL server: %s is not set", ServerEnv)
	}
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", server)
		if adminErr == nil {
			admin.SetMaxOpenConns(2)
			adminErr = admin.Ping()
		}
	})
	if adminErr != nil {
		t.Fatalf("PostgreSQL server %s: %v", redact(server), adminErr)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newDatabase makes a database of its own for the test (a copy of
// template when one is named), dropped when the test ends, and returns its
// address on server.
func newDatabase(t testing.TB, server *url.URL, template string) string {
	t.Helper()
	name := fmt.Sprintf("offduty_test_%d_%d", os.Getpid(), seq.Add(1))
	q := `CREATE DATABASE ` + name
	if template != "" {
		q += ` TEMPLATE ` + template
	}
	if _, err := admin.Exec(q); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u := *server
	u.Path = "/" + name
	return u.String()
}

// SQLiteOnly skips a test about the SQLite file itself in the PostgreSQL run.
func SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skipf("SQLite only: %s", why)
	}
}

var (
	templatesMu sync.Mutex
	templates   = map[string]string{} // key -> template database name
)

// FromTemplate is a new PostgreSQL database holding what build put in a
// template database made once per process under key (CREATE DATABASE ...
// TEMPLATE: far quicker than building each test's data again). build gets
// the template's address and must close every connection it opened.
func FromTemplate(t testing.TB, key string, build func(db string) error) string {
	t.Helper()
	server := connectServer(t)
	templatesMu.Lock()
	defer templatesMu.Unlock()
	tmpl, ok := templates[key]
	if !ok {
		tmpl = fmt.Sprintf("offduty_tmpl_%d_%d", os.Getpid(), len(templates)+1)
		if _, err := admin.Exec(`CREATE DATABASE ` + tmpl); err != nil {
			t.Fatalf("create template %s: %v", tmpl, err)
		}
		u := *server
		u.Path = "/" + tmpl
		if err := build(u.String()); err != nil {
			admin.Exec(`DROP DATABASE IF EXISTS ` + tmpl + ` WITH (FORCE)`)
			t.Fatalf("build template %s: %v", tmpl, err)
		}
		templates[key] = tmpl
	}
	return newDatabase(t, server, tmpl)
}

// DropTemplates removes the template databases this process made (call it
// at the end of TestMain's run).
func DropTemplates() {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	for _, tmpl := range templates {
		admin.Exec(`DROP DATABASE IF EXISTS ` + tmpl + ` WITH (FORCE)`)
	}
	templates = map[string]string{}
}

// ReportRun is a package's test that says which engine the run is on, and
// is skipped, saying why, when the PostgreSQL run will not happen
// (go test -v shows it; so does Main's line at the end).
func ReportRun(t *testing.T) {
	switch {
	case Postgres():
		t.Logf("this run is on PostgreSQL (%s)", redact(os.Getenv(ServerEnv)))
	case os.Getenv(ServerEnv) == "":
		t.Skipf("the PostgreSQL run of this package is skipped: %s is not set (.ci/run starts a server and sets it)", ServerEnv)
	default:
		t.Logf("this run is on SQLite; the same tests run next on PostgreSQL (%s)", redact(os.Getenv(ServerEnv)))
	}
}

// MigrationsHash names a set of SQLite migrations (the *.sql files of dir,
// their names, sizes and text): the benchmarks' migrated copies of the 1M
// database are named by it, so a tree with a new migration never changes
// the file other trees use.
func MigrationsHash(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", fmt.Errorf("no migrations in %s", dir)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		body, err := os.ReadFile(n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(n), len(body))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
