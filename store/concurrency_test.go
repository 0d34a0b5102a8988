package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
)

// noBusy fails the test if err looks like SQLite lock contention leaking out.
func noBusy(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "sqlite_busy") || strings.Contains(msg, "locked") || strings.Contains(msg, "busy") {
		t.Errorf("lock contention leaked out: %v", err)
	}
}

// openMany opens n stores of their own on path, as n processes would.
func openMany(t testing.TB, path string, n int) []*store.Store {
	t.Helper()
	out := make([]*store.Store, n)
	for i := range out {
		out[i] = openStore(t, path)
	}
	return out
}

// Eight consoles race to put the same officer on eight overlapping shifts:
// the overlap check inside the write transaction lets exactly one through.
func TestConcurrentAssignSameOfficer(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Race Co")
	o := officer(t, s, "west-valley-city", "R1", "officer", 168)
	const n = 8
	var positions []int64
	for i := range n {
		j := approvedJob(t, s, cust, site, mustLocal("2026-12-10 10:00").Add(time.Duration(i)*10*time.Minute), 4, 1)
		positions = append(positions, j.Positions[0].ID)
	}
	stores := openMany(t, path, n)

	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = stores[i].Assign(ctx, fmt.Sprintf("dispatcher %d", i), positions[i], o.ID, "")
		})
	}
	close(start)
	wg.Wait()

	won := 0
	for i, err := range errs {
		noBusy(t, err)
		if err == nil {
			won++
			continue
		}
		if store.ErrorCode(err) != store.EConflict || !strings.Contains(err.Error(), "overlapping shift") {
			t.Errorf("dispatcher %d: %v (code %q), want an overlap conflict", i, err, store.ErrorCode(err))
		}
	}
	if won != 1 {
		t.Errorf("%d assignments succeeded, want exactly 1", won)
	}
	db := rawDB(t, path)
	if got := count(t, db, `SELECT count(*) FROM positions WHERE officer_id = ? AND status = 'assigned'`, o.ID); got != 1 {
		t.Errorf("officer holds %d positions, want 1", got)
	}
	if got := count(t, db, `SELECT count(*) FROM audit WHERE action = 'assign' AND after LIKE 'Officer R1 %'`); got != 1 {
		t.Errorf("%d assignments audited, want 1", got)
	}
	// The losers were refused for the overlap alone, not for a cap: no
	// supervisor override can put the officer on a second of these shifts.
	for i, err := range errs {
		if err == nil {
			continue
		}
		if strings.Contains(err.Error(), "may override") {
			t.Errorf("dispatcher %d was offered an override: %v", i, err)
		}
		if err := stores[i].Assign(ctx, "sergeant", positions[i], o.ID, "need him there"); store.ErrorCode(err) != store.EConflict {
			t.Errorf("override on an overlapping shift: %v", err)
		}
	}
}

// Eight consoles each fill one position of the same job at once: all go
// through, and the job becomes scheduled exactly once.
func TestConcurrentFillOneJob(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Crowd Co")
	const n = 8
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-12 17:00"), 5, n) // 8 officers + a supervisor
	var offs []store.Officer
	for i := range len(j.Positions) {
		offs = append(offs, officer(t, s, "west-valley-city", fmt.Sprintf("CR%d", i), "sergeant", 40))
	}
	// The supervisor first, so the race is on the last eight.
	if err := s.Assign(ctx, "dispatch", j.Positions[n].ID, offs[n].ID, ""); err != nil {
		t.Fatal(err)
	}
	stores := openMany(t, path, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = stores[i].Assign(ctx, fmt.Sprintf("dispatcher %d", i), j.Positions[i].ID, offs[i].ID, "")
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		noBusy(t, err)
		if err != nil {
			t.Errorf("dispatcher %d: %v", i, err)
		}
	}
	got := job(t, s, j.ID)
	if got.Status != store.StatusScheduled || got.Filled != n+1 {
		t.Errorf("job %s with %d filled, want scheduled with %d", got.Status, got.Filled, n+1)
	}
	if c := count(t, rawDB(t, path), `SELECT count(*) FROM audit WHERE job_id = ? AND action = 'status' AND after = 'scheduled'`, j.ID); c != 1 {
		t.Errorf("job became scheduled %d times", c)
	}
}

// Eight processes each write 20 requests at once: none is lost or refused.
func TestConcurrentCreateJobs(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Busy Co")
	const n, each = 8, 20
	stores := openMany(t, path, n)
	errs := make([][]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			for k := range each {
				st := mustLocal("2026-12-07 06:00").Add(time.Duration(i*each+k) * time.Hour)
				in := oneOfficer(cust, site, st, testNow)
				in.PONumber = fmt.Sprintf("PO-%d-%d", i, k)
				if k%5 == 0 { // some new customers too, in the same transaction
					in.CustomerID, in.SiteID = 0, 0
					in.NewCustomer = &store.CustomerInput{Name: fmt.Sprintf("Walk-in %d-%d", i, k)}
					in.NewSite = &store.SiteInput{Name: "Front door"}
				}
				_, err := stores[i].CreateJobs(ctx, "dispatch", in)
				errs[i] = append(errs[i], err)
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range errs {
		for k, err := range errs[i] {
			noBusy(t, err)
			if err != nil {
				t.Errorf("writer %d request %d: %v", i, k, err)
			}
		}
	}
	jobs, err := s.Jobs(ctx, "", store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != n*each {
		t.Errorf("%d jobs, want %d", len(jobs), n*each)
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[j.PONumber] = true
		if !j.Total.Equal(dec("228.00")) { // 4 h x 57.00
			t.Errorf("job %d (%s) total %s", j.ID, j.Start.In(denver()), j.Total)
		}
	}
	if len(seen) != n*each {
		t.Errorf("%d distinct requests saved, want %d", len(seen), n*each)
	}
	db := rawDB(t, path)
	if got := count(t, db, `SELECT count(*) FROM customers`); got != 1+n*each/5 {
		t.Errorf("%d customers, want %d", got, 1+n*each/5)
	}
	if got := count(t, db, `SELECT count(*) FROM positions`); got != n*each {
		t.Errorf("%d positions, want %d", got, n*each)
	}
}

// Eight stores, as eight front ends on as many hosts, issue the office's
// drafts at once, each trying every draft: each draft is issued once, and
// the numbers run gap-free, each used once, the counter at the last.
func TestConcurrentIssueGapFree(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	if err := seed.Demo(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	today := s.Today()
	if _, err := s.GenerateInvoices(ctx, "office", today, 0, true); err != nil {
		t.Fatal(err)
	}
	drafts, err := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceDraft})
	if err != nil || len(drafts) < 8 {
		t.Fatalf("%d drafts to issue, %v", len(drafts), err)
	}
	before, err := s.Invoices(ctx, "", store.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	numbered := 0
	for _, inv := range before {
		if inv.Number != "" {
			numbered++
		}
	}
	stores := openMany(t, path, 8)
	issued := make([][]string, len(stores))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, st := range stores {
		wg.Go(func() {
			<-start
			for k := range drafts {
				d := drafts[(k+i*3)%len(drafts)] // each starts elsewhere in the list
				n, err := st.IssueInvoice(ctx, fmt.Sprintf("clerk %d", i), d.ID, today)
				noBusy(t, err)
				if err == nil {
					issued[i] = append(issued[i], n)
				} else if store.ErrorCode(err) != store.EConflict {
					t.Errorf("clerk %d issuing %d: %v", i, d.ID, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	seen := map[string]bool{}
	for _, ns := range issued {
		for _, n := range ns {
			if seen[n] {
				t.Errorf("number %s given twice", n)
			}
			seen[n] = true
		}
	}
	if len(seen) != len(drafts) {
		t.Errorf("%d numbers given for %d drafts", len(seen), len(drafts))
	}
	year := today.Format("2006")
	for k := range len(drafts) {
		if want := fmt.Sprintf("%s-%06d", year, numbered+k+1); !seen[want] {
			t.Errorf("number %s was not given: a gap (given %v)", want, seen)
		}
	}
	res, err := s.Check(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res {
		if len(c.Findings) > 0 {
			t.Errorf("check %s: %+v", c.Name, c.Findings)
		}
	}
}
