package seed_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for making the databases

	"offduty/store"
)

// The same benchmarks on PostgreSQL, next to SQLite's: OFFDUTY_BENCH_PG
// names a server (postgres://USER@HOST:PORT/postgres), where the
// 1,000,000-position office of bench1M is copied once (offduty migrate's
// copy, then ANALYZE) into a database named by the SQLite file it came
// from. Without it they are skipped.
//
//	OFFDUTY_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres go test ./seed -run '^$' -bench 'Postgres' -benchtime 20x
const benchPGEnv = "OFFDUTY_BENCH_PG"

func benchPGAdmin(b *testing.B) (*sql.DB, *url.URL) {
	b.Helper()
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 positions")
	}
	server := os.Getenv(benchPGEnv)
	if server == "" {
		b.Skipf("%s is not set: no PostgreSQL server to compare with", benchPGEnv)
	}
	u, err := url.Parse(server)
	if err != nil {
		b.Fatal(err)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	return admin, u
}

// bench1MPostgres is the 1M office on PostgreSQL, copied from bench1M's
// file the first time.
func bench1MPostgres(b *testing.B) string {
	b.Helper()
	admin, u := benchPGAdmin(b)
	src := bench1M(b)
	name := "offduty_bench_" + strings.NewReplacer("-", "_", ".", "_").Replace(strings.TrimSuffix(filepath.Base(src), ".db"))
	u.Path = "/" + name
	var n int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 1 {
		return u.String()
	}
	began := time.Now()
	building := name + "_building"
	admin.Exec(`DROP DATABASE IF EXISTS ` + building + ` WITH (FORCE)`)
	if _, err := admin.Exec(`CREATE DATABASE ` + building); err != nil {
		b.Fatal(err)
	}
	bu := *u
	bu.Path = "/" + building
	from, err := store.Open(src, store.ReadOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer from.Close()
	to, err := store.Open(bu.String(), store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	if err := from.CopyTo(context.Background(), to, nil); err != nil {
		b.Fatal(err)
	}
	to.Close()
	raw, err := sql.Open("pgx", bu.String())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	raw.Close()
	if _, err := admin.Exec(`ALTER DATABASE ` + building + ` RENAME TO ` + name); err != nil {
		b.Fatal(err)
	}
	b.Logf("copied %s into PostgreSQL database %s in %s", src, name, time.Since(began).Round(time.Second))
	return u.String()
}

// BenchmarkMonthOpen1MPostgres is BenchmarkMonthOpen1M on PostgreSQL.
func BenchmarkMonthOpen1MPostgres(b *testing.B) {
	db := bench1MPostgres(b)
	s, err := store.Open(db, store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchMonthOpen(b, s, store.MonthStart(demoNow, demoNow.Location()).AddDate(0, -2, 0))
}

// BenchmarkGenerateMonth1MPostgres is BenchmarkGenerateMonth1M on
// PostgreSQL, on a copy of the 1M database (CREATE DATABASE ... TEMPLATE).
func BenchmarkGenerateMonth1MPostgres(b *testing.B) {
	db := bench1MPostgres(b)
	admin, u := benchPGAdmin(b)
	tmpl := strings.TrimPrefix((func() string { p, _ := url.Parse(db); return p.Path })(), "/")
	name := fmt.Sprintf("offduty_bench_month_%d", os.Getpid())
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	u.Path = "/" + name
	benchGenerateMonth(b, u.String())
}
