package seed_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

// Month open is what the calendar (ui/calendar.go) loads when a month is
// shown: the per-day counts of its grid (six weeks from the Sunday on or
// before the 1st), then the agenda of the selected day (here the month's
// busiest): store.Agenda, the jobs with their positions as the calendar and
// the board draw them.

// BenchmarkMonthOpenDemo opens the month of the test clock on the demo data.
func BenchmarkMonthOpenDemo(b *testing.B) {
	s, _ := open(b)
	ctx := context.Background()
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		b.Fatal(err)
	}
	if err := seed.Demo(ctx, s, demoNow); err != nil {
		b.Fatal(err)
	}
	benchMonthOpen(b, s, store.MonthStart(demoNow, demoNow.Location()))
}

// bench1MPath is where the database of BenchmarkMonthOpen1M is kept between
// runs: building it takes about a minute. Bump the version when seed or the
// schema change what it holds.
var bench1MPath = filepath.Join(os.TempDir(), "offduty-bench-1m-v2.db")

// BenchmarkMonthOpen1M opens the last month of a five-year generated history
// (about 1,000,000 positions; seed.History ends where the demo data begins).
// The database is built once per machine, at bench1MPath.
func BenchmarkMonthOpen1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 positions")
	}
	s, err := store.Open(bench1M(b), store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// The demo starts 8 weeks before the clock; the history fills the months before.
	benchMonthOpen(b, s, store.MonthStart(demoNow, demoNow.Location()).AddDate(0, -2, 0))
}

// bench1M is the 1M-position database (built first if missing) as this
// tree's schema has it: bench1MPath itself when no migration of this tree
// is missing from it, else a copy beside it migrated once (named by the
// migrations' hash, as ui/cli's start-up benchmark names it), so that a
// tree with a new migration never changes the file other trees use.
func bench1M(b *testing.B) string {
	b.Helper()
	if _, err := os.Stat(bench1MPath); err != nil {
		build1M(b)
	}
	names, err := filepath.Glob(filepath.Join("..", "store", "migrations", "*.sql"))
	if err != nil || len(names) == 0 {
		b.Fatalf("migrations: %v", err)
	}
	hash, err := storetest.MigrationsHash(filepath.Join("..", "store", "migrations"))
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+bench1MPath+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	var applied int
	err = db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied)
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	if applied == len(names) {
		return bench1MPath
	}
	path := strings.TrimSuffix(bench1MPath, ".db") + "-schema-" + hash + ".db"
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := fmt.Sprintf("%s.copy-%d", path, os.Getpid())
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
	}()
	if err := copyFile(bench1MPath, tmp); err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(tmp, store.WithClock(func() time.Time { return demoNow })) // migrates the copy
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// build1M builds the 1M-position database under a temporary name, then moves it into place.
func build1M(b *testing.B) {
	b.Helper()
	began := time.Now()
	tmp := fmt.Sprintf("%s.build-%d", bench1MPath, os.Getpid())
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
	}()
	s, err := store.Open(tmp, store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		b.Fatal(err)
	}
	if err := seed.Demo(ctx, s, demoNow); err != nil {
		b.Fatal(err)
	}
	st, err := seed.History(ctx, s, demoNow, 5, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, bench1MPath); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %s: %d jobs, %d positions (history %s)", bench1MPath, time.Since(began).Round(time.Second), st.Jobs, st.Positions, st.Elapsed.Round(time.Second))
}

func benchMonthOpen(b *testing.B, s *store.Store, month time.Time) {
	ctx := context.Background()
	loc := month.Location()
	from := month.AddDate(0, 0, -int(month.Weekday()))
	to := from.AddDate(0, 0, 42)
	days, err := s.DayCounts(ctx, from, to, loc)
	if err != nil {
		b.Fatal(err)
	}
	busiest, shifts, positions := days[0], 0, 0
	for _, d := range days {
		if d.Day.Month() != month.Month() {
			continue
		}
		if d.Positions > busiest.Positions {
			busiest = d
		}
		shifts += d.Shifts
		positions += d.Positions
	}
	if shifts == 0 {
		b.Fatalf("no shifts in %s", month.Format("2006-01"))
	}
	day, dayEnd := busiest.Day, busiest.Day.AddDate(0, 0, 1)
	b.Logf("%s: %d shifts, %d positions; busiest day %s: %d shifts, %d positions", month.Format("2006-01"), shifts, positions,
		day.Format("Mon 2006-01-02"), busiest.Shifts, busiest.Positions)
	grid := func(b *testing.B) {
		if _, err := s.DayCounts(ctx, from, to, loc); err != nil {
			b.Fatal(err)
		}
	}
	list := func(b *testing.B) {
		jobs, err := s.Agenda(ctx, "", day, dayEnd)
		if err != nil {
			b.Fatal(err)
		}
		if len(jobs) < busiest.Shifts {
			b.Fatalf("%d jobs on %s, want at least %d", len(jobs), day.Format("2006-01-02"), busiest.Shifts)
		}
	}
	b.Run("grid", func(b *testing.B) {
		for b.Loop() {
			grid(b)
		}
	})
	b.Run("day", func(b *testing.B) {
		for b.Loop() {
			list(b)
		}
	})
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			grid(b)
			list(b)
		}
	})
}

// BenchmarkGenerateMonth1M bills a month on the 1,000,000-position history:
// every period that starts in September 2026 (the last month of the
// history: each monthly account's month, a biweekly account's two periods,
// a weekly account's four or five; the last ends on 4 October), as
// offduty invoices generate --date 2026-10-04 bills them: one
// GenerateInvoices for every account. The history comes billed, so it works
// on a copy of the database (in the test's temporary folder) where those
// invoices are taken back out first. "preview" computes them; "save" also
// writes the drafts and their claims, in batches of accounts (they
// are voided, off the clock, between rounds so that the next round bills
// the month again).
func BenchmarkGenerateMonth1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 positions")
	}
	path := filepath.Join(b.TempDir(), "month.db")
	if err := copyFile(bench1M(b), path); err != nil {
		b.Fatal(err)
	}
	benchGenerateMonth(b, path)
}

// benchGenerateMonth is BenchmarkGenerateMonth1M on db, a copy of the 1M
// office (a file, or a PostgreSQL database) it may change.
func benchGenerateMonth(b *testing.B, path string) {
	month, next := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	billDay := time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC) // the last day of the last period starting in September
	raw, err := store.OpenRaw(path)
	if err != nil {
		b.Fatal(err)
	}
	db, err := raw.Conn(context.Background()) // one connection: the temporary table is its own
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TEMP TABLE gone AS SELECT id FROM invoices WHERE period_start >= '2026-09-01' AND period_start < '2026-10-01'`,
		`UPDATE jobs SET status = 'completed' WHERE id IN (SELECT l.job_id FROM invoice_lines l WHERE l.invoice_id IN (SELECT id FROM gone) AND l.kind <> 'fee')
			AND status IN ('invoiced', 'paid')`,
		`DELETE FROM invoice_claims WHERE invoice_id IN (SELECT id FROM gone)`,
		`DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM gone)`,
		`DELETE FROM invoices WHERE id IN (SELECT id FROM gone)`,
	} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	raw.Close()
	s, err := store.Open(path, store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	custs, err := s.Customers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, save bool) (invoices, lines int, total decimal.Decimal) {
		invs, err := s.GenerateInvoices(ctx, "bench", billDay, 0, save)
		if err != nil {
			b.Fatal(err)
		}
		for _, inv := range invs {
			invoices++
			lines += len(inv.Lines)
			total = total.Add(inv.Total)
		}
		return invoices, lines, total
	}
	b.Run("preview", func(b *testing.B) {
		var n, l int
		var total decimal.Decimal
		for b.Loop() {
			n, l, total = run(b, false)
		}
		b.Logf("%d accounts: %d invoices, %d lines, %s", len(custs), n, l, total.StringFixed(2))
		if n < 500 || l < 5000 {
			b.Fatalf("%d invoices, %d lines: the month was not unbilled", n, l)
		}
	})
	b.Run("save", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n, _, _ := run(b, true)
			b.StopTimer()
			drafts, err := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceDraft, From: month.AddDate(0, 0, -7), To: next})
			if err != nil || len(drafts) < n {
				b.Fatalf("%d drafts for %d invoices: %v", len(drafts), n, err)
			}
			for _, d := range drafts {
				if err := s.VoidInvoice(ctx, "bench", d.ID, "benchmark round"); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
