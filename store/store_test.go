package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"offduty/store/storetest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// testNow is the clock of these tests: Thursday 26 Nov 2026 09:00 in Utah,
// unless a test moves it (setClock), as time passes for what it records.
var testNow = mustLocal("2026-11-26 09:00")

var (
	clockMu  sync.Mutex
	clockNow time.Time // zero: testNow
)

// now is the stores' clock in these tests.
func now() time.Time {
	clockMu.Lock()
	defer clockMu.Unlock()
	if clockNow.IsZero() {
		return testNow
	}
	return clockNow
}

// setClock moves the clock to a local "YYYY-MM-DD HH:MM" (or an instant)
// until the end of the test.
func setClock(t testing.TB, at any) {
	t.Helper()
	var v time.Time
	switch x := at.(type) {
	case string:
		v = mustLocal(x)
	case time.Time:
		v = x
	default:
		t.Fatalf("setClock(%v)", at)
	}
	clockMu.Lock()
	clockNow = v
	clockMu.Unlock()
	t.Cleanup(func() {
		clockMu.Lock()
		clockNow = time.Time{}
		clockMu.Unlock()
	})
}

// atLeast moves the clock forward to t if it is earlier (recording what
// happened at t needs the clock to have reached it).
func atLeast(tb testing.TB, at time.Time) {
	tb.Helper()
	if now().Before(at) {
		setClock(tb, at)
	}
}

func denver() *time.Location {
	loc, err := time.LoadLocation(seed.Zone)
	if err != nil {
		panic(err)
	}
	return loc
}

// mustLocal reads "YYYY-MM-DD HH:MM" as America/Denver wall time.
func mustLocal(s string) time.Time {
	t, err := pricing.ParseLocal(s, denver())
	if err != nil {
		panic(err)
	}
	return t
}

// openStore opens a store on a new file under t.TempDir() with the fixed
// clock, and closes it at the end of the test.
func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.WithClock(now))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seededStore is a new database with the two seed agencies.
func seededStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := storetest.DB(t)
	s := openStore(t, path)
	if _, err := seed.EnsureAgencies(context.Background(), s); err != nil {
		t.Fatalf("EnsureAgencies: %v", err)
	}
	return s, path
}

// rawDB is a throwaway database/sql connection on the same file, for looking
// at what the store wrote without going through its API.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := store.OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) { storetest.Main(m) }

// TestPostgreSQLRun says which engine this run is on, or that the
// PostgreSQL run is skipped.
func TestPostgreSQLRun(t *testing.T) { storetest.ReportRun(t) }

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// storeErr asserts err is a *store.Error with the code (and field, if not "").
func storeErr(t testing.TB, err error, code, field string) *store.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error (field %q), got nil", code, field)
	}
	var e *store.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *store.Error %s, got %T: %v", code, err, err)
	}
	if e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("want code %s field %q, got code %s field %q: %v", code, field, e.Code, e.Field, err)
	}
	if store.ErrorCode(err) != code {
		t.Fatalf("ErrorCode = %q, want %q", store.ErrorCode(err), code)
	}
	return e
}

func TestOpenMigratesNewFileAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "folder", "offduty.db")
	s, err := store.Open(path, store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if !s.Now().Equal(testNow) {
		t.Errorf("Now() = %v, want the injected clock %v", s.Now(), testNow)
	}
	files := migrationFiles(t)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(files) {
		t.Fatalf("SchemaVersion = %d, %v; want %d (one per embedded migration)", v, err, len(files))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db := rawDB(t, path)
	rows, err := db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var version int
		var name, applied string
		if err := rows.Scan(&version, &name, &applied); err != nil {
			t.Fatal(err)
		}
		if version != len(got)+1 || applied != "2026-11-26T16:00:00Z" {
			t.Errorf("schema_migrations row = %d %q %q", version, name, applied)
		}
		got = append(got, name)
	}
	rows.Close()
	if len(got) != len(files) || len(got) < 2 || got[0] != "0001_init.sql" || got[1] != "0002_dispatch.sql" {
		t.Errorf("schema_migrations names = %v, want the embedded files %v", got, files)
	}
	for _, table := range []string{"agencies", "rate_cards", "agency_holidays", "venue_rules", "customers", "contacts",
		"sites", "officers", "series", "jobs", "positions", "audit", "job_notes", "media", "job_fees"} {
		if count(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table) != 1 {
			t.Errorf("table %s missing after migration", table)
		}
	}

	// Reopening applies nothing again and keeps the data.
	for i := range 3 {
		s2, err := store.Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if v, err := s2.SchemaVersion(ctx); err != nil || v != len(files) {
			t.Fatalf("reopen %d: SchemaVersion = %d, %v", i, v, err)
		}
		s2.Close()
	}
	if n := count(t, db, `SELECT count(*) FROM schema_migrations`); n != len(files) {
		t.Errorf("schema_migrations has %d rows after reopening, want %d", n, len(files))
	}
}

// migrationFiles lists the numbered migrations the store embeds, checking
// they run 0001, 0002, ... without a gap (so the highest is their count).
func migrationFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for i, f := range files {
		files[i] = filepath.Base(f)
		if want := fmt.Sprintf("%04d_", i+1); !strings.HasPrefix(files[i], want) {
			t.Fatalf("migration %s: want a name starting %s", files[i], want)
		}
	}
	if len(files) < 2 {
		t.Fatalf("embedded migrations %v: want at least 0001 and 0002", files)
	}
	return files
}

func TestOpenRefusesEmptyPath(t *testing.T) {
	if _, err := store.Open(""); err == nil {
		t.Fatal("Open(\"\") succeeded")
	}
}

func TestOpenPragmas(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	if !storetest.Postgres() { // PostgreSQL always enforces foreign keys and has no journal mode
		var mode string
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		// A connection opened with the store's own pragma has foreign keys on
		// (the pragma is per connection: the throwaway one starts with it off).
		fk, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		defer fk.Close()
		if n := count(t, fk, `PRAGMA foreign_keys`); n != 1 {
			t.Errorf("foreign_keys with the store's DSN pragma = %d, want 1", n)
		}
	}
	// And the store's write connection enforces them: these rows point at
	// an agency that does not exist.
	_, err := s.CreateOfficer(ctx, "test", store.OfficerInput{AgencyID: 999, Badge: "X1", FirstName: "No", LastName: "Agency",
		Rank: "officer", WeeklyCapMinutes: 600, HiredOn: testNow})
	storeErr(t, err, store.ENotFound, "agency")
	_, err = s.AddRateCard(ctx, "test", 999, mustLocal("2027-01-01 00:00"), seed.Agencies()[0].Card, "")
	storeErr(t, err, store.ENotFound, "agency")
	if n := count(t, db, `SELECT count(*) FROM officers`); n != 0 {
		t.Errorf("%d officers written for a missing agency", n)
	}
	if n := count(t, db, `SELECT count(*) FROM rate_cards WHERE agency_id = 999`); n != 0 {
		t.Errorf("%d rate cards written for a missing agency", n)
	}
}

// Several processes starting at once on a new file each migrate safely.
func TestOpenConcurrentlyOnNewFile(t *testing.T) {
	files := migrationFiles(t)
	path := storetest.DB(t)
	const n = 8
	errs := make([]error, n)
	stores := make([]*store.Store, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = store.Open(path)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		if v, err := stores[i].SchemaVersion(context.Background()); err != nil || v != len(files) {
			t.Errorf("Open %d: SchemaVersion = %d, %v; want %d", i, v, err, len(files))
		}
		stores[i].Close()
	}
	rows := len(files)
	if storetest.Postgres() { // PostgreSQL starts from the whole schema at 0014
		pg, _ := filepath.Glob(filepath.Join("migrations", "postgres", "*.sql"))
		rows = len(pg)
	}
	if n := count(t, rawDB(t, path), `SELECT count(*) FROM schema_migrations`); n != rows {
		t.Errorf("schema_migrations has %d rows, want %d", n, rows)
	}
}

func TestClean(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"plain text", false, "plain text"},
		{"  padded  ", false, "padded"},
		{"\x1b[31mred\x1b[0m", false, "red"},
		{"\x1b]0;title\x07", false, ""},
		{"before\x1b]0;title\x07after", false, "beforeafter"},
		{"osc with ST\x1b]8;;http://x\x1b\\link", false, "osc with STlink"},
		{"\x1bP1$r\x1b\\dcs", false, "dcs"},
		{"\x1b[2J\x1b[H\x1b[?25lclear", false, "clear"},
		{"\u009b31mC1 CSI", false, "C1 CSI"},
		{"bell\x07 and backspace\x08", false, "bell and backspace"},
		{"nul\x00byte", false, "nulbyte"},
		{"tab\there", false, "tab here"},
		{"one\ntwo", false, "onetwo"},
		{"one\ntwo", true, "one\ntwo"},
		{"crlf\r\nline\rcr", true, "crlf\nline\ncr"},
		{"trailing\n\n  \n", true, "trailing"},
		{"bidi \u202eevil\u202c \u2066x\u2069", false, "bidi evil x"},
		{"line\u2028sep\ufeff", false, "linesep"},
		{"unterminated \x1b]0;title", false, "unterminated"},
		{"lone escape at end\x1b", false, "lone escape at end"},
		{"\x1b7saved\x1b8", false, "saved"},
		{"José Ñúñez – 5600 W", false, "José Ñúñez – 5600 W"},
	} {
		if got := store.Clean(c.in, c.multiline); got != c.want {
			t.Errorf("Clean(%q, %v) = %q, want %q", c.in, c.multiline, got, c.want)
		}
		// What comes out is stable and has no control characters left.
		got := store.Clean(c.in, c.multiline)
		if again := store.Clean(got, c.multiline); again != got {
			t.Errorf("Clean is not idempotent on %q: %q then %q", c.in, got, again)
		}
		if strings.ContainsAny(got, "\x1b\x07\x00\r\u009b") {
			t.Errorf("Clean(%q) left a control character: %q", c.in, got)
		}
	}
}
