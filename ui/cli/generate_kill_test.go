package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/store"
)

// TestMain lets a test run this package's command tree as a real process
// (OFFDUTY_TEST_CLI holds the arguments as JSON): a process can be killed
// with SIGKILL in the middle of its work, a goroutine cannot.
func TestMain(m *testing.M) {
	if os.Getenv("OFFDUTY_TEST_WORKLOAD") != "" {
		os.Exit(workload())
	}
	if args := os.Getenv("OFFDUTY_TEST_CLI"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(Run(context.Background(), argv, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// command is offduty ARGS as a child process on env's database and clock.
func command(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	argv, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OFFDUTY_TEST_CLI="+string(argv))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// killSeed is the seed of the kill moments: OFFDUTY_KILL_SEED repeats a run.
func killSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("OFFDUTY_KILL_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("OFFDUTY_KILL_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("kill moments from seed %d (OFFDUTY_KILL_SEED=%d repeats them)", seed, seed)
	return seed
}

// TestGenerateIssueSurvivesKill kills "invoices generate --issue" with
// SIGKILL at random moments, runs it again until it finishes, and checks the
// books: every ended period billed once, no draft left, numbers gap-free.
func TestGenerateIssueSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	template := demoEnv(t) // the demo leaves its last month of ended periods to bill
	rng := rand.New(rand.NewPCG(killSeed(t), 0))
	// How long a whole run takes here, to kill inside it.
	probe := copyEnv(t, template)
	began := time.Now()
	if out, err := command(t, probe, "invoices", "generate", "--issue").CombinedOutput(); err != nil {
		t.Fatalf("a whole run: %v\n%s", err, out)
	}
	whole := time.Since(began)
	t.Logf("a whole run takes %s (the process's start included)", whole.Round(time.Millisecond))

	// Each trial: a fresh copy, one or two kills at random moments, then
	// runs until one finishes; the books must be right.
	for trial := range 10 {
		env := copyEnv(t, template)
		var moments []string
		for range 1 + trial%2 {
			cmd := command(t, env, "invoices", "generate", "--issue")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			after := time.Duration(rng.Int64N(int64(whole)))
			time.Sleep(after)
			cmd.Process.Kill()
			err := cmd.Wait()
			moments = append(moments, fmt.Sprintf("%s (%v)", after.Round(time.Millisecond), err))
		}
		r := runWith(env, "invoices", "generate", "--issue")
		if r.code != 0 {
			t.Fatalf("trial %d, killed at %v: the next run: exit %d\n%s", trial, moments, r.code, r.stderr)
		}
		t.Logf("trial %d: killed at %s; then: %s", trial, strings.Join(moments, ", "), lastLine(r.stdout))
		checkBooks(t, env)
		if r := runWith(env, "invoices", "generate", "--json"); strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("trial %d: something is left to bill:\n%s", trial, r.stdout)
		}
		if r := runWith(env, "invoices", "list", "--json"); !strings.Contains(r.stdout, `"state": "issued"`) {
			t.Errorf("trial %d: nothing was issued", trial)
		}
	}
}

// copyEnv is env on a copy of its database file.
func copyEnv(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	out["OFFDUTY_DB"] = filepath.Join(t.TempDir(), "offduty.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(env["OFFDUTY_DB"] + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out["OFFDUTY_DB"]+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// checkBooks checks what billing must always leave: no draft, each period
// of an account on one invoice that is not void, each shift, vehicle and fee
// claimed once, numbers gap-free per year, a sound file.
func checkBooks(t *testing.T, env map[string]string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+env["OFFDUTY_DB"]+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	one := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity: %s %v", ok, err)
	}
	if n := one(`SELECT count(*) FROM invoices WHERE state = 'draft'`); n != 0 {
		t.Errorf("%d drafts left", n)
	}
	if n := one(`SELECT count(*) FROM (SELECT customer_id, period_start FROM invoices WHERE state <> 'void'
		GROUP BY customer_id, period_start HAVING count(*) > 1)`); n != 0 {
		t.Errorf("%d periods billed twice", n)
	}
	if n := one(`SELECT count(*) FROM (SELECT l.position_id FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE i.state <> 'void' AND l.position_id IS NOT NULL GROUP BY l.position_id HAVING count(DISTINCT l.invoice_id) > 1)`); n != 0 {
		t.Errorf("%d shifts on two invoices", n)
	}
	if n := one(`SELECT count(*) FROM invoices i WHERE i.state <> 'void' AND i.total <> (SELECT printf('%.2f', coalesce(sum(CAST(amount AS REAL)), 0))
		FROM invoice_lines l WHERE l.invoice_id = i.id)`); n != 0 {
		t.Errorf("%d invoices whose lines do not add up", n)
	}
	rows, err := db.Query(`SELECT substr(number, 1, 4), count(*), max(CAST(substr(number, 6) AS INTEGER)) FROM invoices WHERE number IS NOT NULL GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var year string
		var n, hi int
		if err := rows.Scan(&year, &n, &hi); err != nil {
			t.Fatal(err)
		}
		if n != hi {
			t.Errorf("%s: %d numbers up to %06d: a gap", year, n, hi)
		}
	}
}

// TestParallelBillsAndBookings runs bills in several processes at once while
// bookings go on: nobody is refused with "database is locked", each period
// is billed once.
func TestParallelBillsAndBookings(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	env := demoEnv(t)
	var wg sync.WaitGroup
	type result struct {
		what string
		out  []byte
		err  error
	}
	results := make(chan result, 64)
	for i := range 6 {
		args := []string{"invoices", "generate", "--issue"}
		if i%2 == 1 {
			args = []string{"invoices", "generate", "--save"}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := command(t, env, args...).CombinedOutput()
			results <- result{strings.Join(args, " "), out, err}
		}()
	}
	// Bookings meanwhile, from another connection: requests created and
	// approved, one after another.
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		custs, err := s.Customers(ctx)
		if err != nil || len(custs) == 0 {
			t.Fatal(custs, err)
		}
		sites := custs[0].Sites
		if len(sites) == 0 {
			t.Fatal("the first customer has no site")
		}
		loc := denverLoc(t)
		for i := range 20 {
			start := time.Date(2026, 12, 10+i%10, 8+i/10, 0, 0, 0, loc)
			ids, err := s.CreateJobs(ctx, "booker", store.JobInput{CustomerID: custs[0].ID, SiteID: sites[0].ID, Agency: "west-valley-city",
				Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: "retail", Received: time.Date(2026, 11, 26, 9, 0, 0, 0, loc)})
			if err != nil {
				results <- result{"booking", nil, err}
				continue
			}
			if err := s.Approve(ctx, "booker", ids[0]); err != nil {
				results <- result{"approve", nil, err}
			}
		}
	})
	wg.Wait()
	close(results)
	for r := range results {
		if r.err != nil || strings.Contains(string(r.out), "locked") || strings.Contains(string(r.out), "BUSY") {
			t.Errorf("%s: %v\n%s", r.what, r.err, r.out)
		}
	}
	// What a --save left is issued by the next --issue.
	if r := runWith(env, "invoices", "generate", "--issue"); r.code != 0 {
		t.Fatalf("final run: exit %d %s", r.code, r.stderr)
	}
	checkBooks(t, env)
}
