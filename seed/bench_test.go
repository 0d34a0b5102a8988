package seed_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
)

// Month open is what the calendar (ui/calendar.go) loads when a month is
// shown: the per-day counts of its grid (six weeks from the Sunday on or
// before the 1st), then the jobs with their positions of the selected day
// (here the month's busiest).

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
var bench1MPath = filepath.Join(os.TempDir(), "offduty-bench-1m-v1.db")

// BenchmarkMonthOpen1M opens the last month of a five-year generated history
// (about 1,000,000 positions; seed.History ends where the demo data begins).
// The database is built once per machine, at bench1MPath.
func BenchmarkMonthOpen1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 positions")
	}
	if _, err := os.Stat(bench1MPath); err != nil {
		build1M(b)
	}
	s, err := store.Open(bench1MPath, store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// The demo starts 8 weeks before the clock; the history fills the months before.
	benchMonthOpen(b, s, store.MonthStart(demoNow, demoNow.Location()).AddDate(0, -2, 0))
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
		jobs, err := s.JobsWithPositions(ctx, day, dayEnd)
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
