package cli

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/store"
	"offduty/store/storetest"
)

// A PostgreSQL database gets its office whole: tables left empty by a
// first start cut short are filled by the next start, and first starts
// racing make one office, not two.
func TestPostgresFirstStartIsWhole(t *testing.T) {
	countJobs := func(db string) int {
		t.Helper()
		s, err := store.Open(db, store.ReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		jobs, err := s.JobsWithPositions(context.Background(), "", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		return len(jobs)
	}
	// The tables made, the office not yet (as a start killed between the two leaves it).
	cut := storetest.NewPostgres(t)
	s, err := store.Open(cut)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	env := map[string]string{"OFFDUTY_DB": cut, "OFFDUTY_NOW": "2026-11-26 09:00"}
	var out, errb strings.Builder
	if code := run([]string{"jobs"}, &out, &errb, func(k string) string { return env[k] }); code != 0 || !strings.Contains(errb.String(), "made the offduty tables") {
		t.Fatalf("the next start: exit %d, stderr %q", code, errb.String())
	}
	want := countJobs(cut)
	if want < 100 {
		t.Fatalf("the demo office has %d jobs", want)
	}

	// Four first starts at once on a new database: one office.
	race := storetest.NewPostgres(t)
	env = map[string]string{"OFFDUTY_DB": race, "OFFDUTY_NOW": "2026-11-26 09:00"}
	var wg sync.WaitGroup
	codes := make([]result, 4)
	for i := range codes {
		wg.Go(func() { codes[i] = runWith(env, "jobs") })
	}
	wg.Wait()
	for i, r := range codes {
		if r.code != 0 {
			t.Errorf("start %d: exit %d %s", i, r.code, r.stderr)
		}
	}
	if got := countJobs(race); got != want {
		t.Errorf("four first starts made %d jobs, want one office's %d", got, want)
	}
}
