package cli

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// workload is a process doing an office's writes on OFFDUTY_DB at the
// clock OFFDUTY_NOW, forever: requests booked, approved and staffed, the
// officers checked in and out, and every few jobs the ended periods billed
// and issued. After each commit it prints what is now acknowledged:
//
//	ack job ID            the job is completed
//	ack invoice ID NUMBER  the invoice is issued
func workload() int {
	loc, _ := time.LoadLocation(officeZone)
	now, err := pricing.ParseLocal(os.Getenv("OFFDUTY_NOW"), loc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	ctx := context.Background()
	s, err := store.Open(os.Getenv("OFFDUTY_DB"), store.WithClock(func() time.Time { return now }))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer s.Close()
	out := bufio.NewWriter(os.Stdout)
	ack := func(format string, args ...any) {
		fmt.Fprintf(out, "ack "+format+"\n", args...)
		out.Flush()
	}
	custs, err := s.Customers(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var wvc []store.Customer
	for _, c := range custs {
		if len(c.Sites) > 0 {
			wvc = append(wvc, c)
		}
	}
	seed, _ := strconv.ParseUint(os.Getenv("OFFDUTY_WORKLOAD_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := 0; ; i++ {
		c := wvc[rng.IntN(len(wvc))]
		// A past shift (between three and two weeks ago), so it can be
		// worked and its period billed.
		start := now.AddDate(0, 0, -21+rng.IntN(7)).Truncate(time.Hour).Add(time.Duration(rng.IntN(12)) * time.Hour)
		ids, err := s.CreateJobs(ctx, "work", store.JobInput{CustomerID: c.ID, SiteID: c.Sites[0].ID, Agency: "west-valley-city",
			Start: start, End: start.Add(3 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: start.AddDate(0, 0, -5)})
		if err != nil {
			continue
		}
		id := ids[0]
		if err := s.Approve(ctx, "work", id); err != nil {
			continue
		}
		j, err := s.Job(ctx, "work", id)
		if err != nil {
			continue
		}
		p := j.Positions[0]
		cands, err := s.Candidates(ctx, p.ID)
		if err != nil {
			continue
		}
		assigned := false
		for _, cand := range cands {
			if cand.Eligible() {
				assigned = s.Assign(ctx, "work", p.ID, cand.ID, "") == nil
				break
			}
		}
		if !assigned {
			continue
		}
		if s.CheckIn(ctx, "work", p.ID, p.Start) != nil || s.CheckOut(ctx, "work", p.ID, p.End) != nil {
			continue
		}
		ack("job %d", id)
		if i%5 == 4 {
			today := s.Today()
			if _, err := s.GenerateInvoices(ctx, "work", today, 0, true); err != nil {
				continue
			}
			issued, _ := s.IssueDrafts(ctx, "work", today, 0, today)
			for _, inv := range issued {
				ack("invoice %d %s", inv.ID, inv.Number)
			}
		}
	}
}

// TestCrashKeepsAcknowledgedWrites kills a process doing bookings,
// attendance and billing at seeded random moments (OFFDUTY_CRASH_KILLS
// times, 5 by default); after every kill check passes and every write the
// process acknowledged is there.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	kills := 5
	if v := os.Getenv("OFFDUTY_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("OFFDUTY_CRASH_KILLS=%q", v)
		}
		kills = n
	}
	env := demoEnv(t)
	rng := rand.New(rand.NewPCG(killSeed(t), 3))
	jobs, invoices := map[int64]bool{}, map[int64]string{}
	for k := range kills {
		cmd := command(t, env)
		cmd.Env = append(cmd.Env, "OFFDUTY_TEST_WORKLOAD=1", fmt.Sprintf("OFFDUTY_WORKLOAD_SEED=%d", rng.Uint64()))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		after := time.Duration(200+rng.IntN(800)) * time.Millisecond
		time.Sleep(after)
		cmd.Process.Kill()
		n := 0
		for l := range lines { // what it acknowledged before it died
			f := strings.Fields(l)
			if len(f) < 3 || f[0] != "ack" {
				continue
			}
			id, _ := strconv.ParseInt(f[2], 10, 64)
			switch f[1] {
			case "job":
				jobs[id] = true
			case "invoice":
				invoices[id] = f[3]
			}
			n++
		}
		cmd.Wait()
		t.Logf("kill %d after %s: %d acknowledged", k, after, n)

		r := runWith(env, "check")
		if r.code != 0 {
			t.Fatalf("check after kill %d:\n%s%s", k, r.stdout, r.stderr)
		}
		withStore(t, env, func(ctx context.Context, s *store.Store) {
			for id := range jobs {
				j, err := s.Job(ctx, "", id)
				if err != nil || (j.Status != store.StatusCompleted && j.Status != store.StatusInvoiced && j.Status != store.StatusPaid) {
					t.Errorf("acknowledged job %d: %s %v", id, j.Status, err)
				}
			}
			for id, number := range invoices {
				inv, err := s.Invoice(ctx, "", id)
				if err != nil || inv.Number != number || inv.State != store.InvoiceIssued {
					t.Errorf("acknowledged invoice %d %s: %+v %v", id, number, inv.Number, err)
				}
			}
		})
	}
	if len(jobs) == 0 {
		t.Error("the workload acknowledged nothing")
	}
	t.Logf("%d jobs and %d invoices acknowledged in all, all there", len(jobs), len(invoices))
}
