package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"offduty/pricing"
	"offduty/store"
	"offduty/store/storetest"
)

var listenRE = regexp.MustCompile(`listening addr=(\S+)`)

// startServe runs "offduty serve" as a process of its own on a free
// loopback port and returns its SSH address; it is stopped at the end.
func startServe(t *testing.T, bin string, env []string, name string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "host_key"))
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.Write(append(sc.Bytes(), '\n'))
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("serve %s log:\n%s", name, log.String())
		}
	})
	select {
	case a := <-addr:
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("serve %s did not start:\n%s", name, log.String())
	}
	return ""
}

// screenReader keeps what a console session drew, as plain text.
type screenReader struct {
	mu  sync.Mutex
	raw bytes.Buffer
}

func (s *screenReader) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.Write(p)
}

func (s *screenReader) since(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.raw.Bytes()
	if n > len(b) {
		n = len(b)
	}
	return ansi.Strip(string(b[n:]))
}

func (s *screenReader) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.Len()
}

// Two serve processes on one PostgreSQL database, as two front ends of one
// office: a change made through one shows in a console session of the
// other within a second (LISTEN/NOTIFY), and 16 writers across both never
// double-book an officer nor fill a position twice.
func TestTwoServeProcessesShareOnePostgres(t *testing.T) {
	db := storetest.NewPostgres(t)
	bin := startupBinary(t)
	home := t.TempDir()
	const nowText = "2026-11-26 09:00"
	env := append(os.Environ(), "OFFDUTY_DB="+db, "OFFDUTY_NOW="+nowText, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	signer, line := sshKey(t)
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(keyFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	add := exec.Command(bin, "user", "add", "sam", "--role", "supervisor", "--key-file", keyFile)
	add.Env = env
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "made the offduty tables") {
		t.Fatalf("the first command on a new PostgreSQL database did not make the tables:\n%s", out)
	}
	a := &remoteServer{t: t, addr: startServe(t, bin, env, "A")}
	b := &remoteServer{t: t, addr: startServe(t, bin, env, "B")}

	now := local(t, nowText)
	st, err := store.Open(db, store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	loc := office()
	day := now.In(loc)
	dayStart := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	today, err := st.JobsWithPositions(ctx, "", dayStart, dayStart.AddDate(0, 0, 1))
	if err != nil || len(today) == 0 {
		t.Fatalf("today's jobs: %d, %v", len(today), err)
	}

	// A console on B, on today's board.
	client, err := gossh.Dial("tcp", b.addr, &gossh.ClientConfig{User: "sam", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	screen := &screenReader{}
	sess.Stdout = screen
	stdin, _ := sess.StdinPipe()
	defer stdin.Close()
	if err := sess.RequestPty("xterm-256color", 40, 140, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitScreen := func(from int, within time.Duration, want string) bool {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if strings.Contains(screen.since(from), want) {
				return true
			}
			time.Sleep(5 * time.Millisecond)
		}
		return false
	}
	if !waitScreen(0, 15*time.Second, today[0].CustomerName) {
		t.Fatalf("B's console did not show today's board with %q:\n%s", today[0].CustomerName, screen.since(0))
	}
	time.Sleep(500 * time.Millisecond) // the first frames settle
	// Renamed through A: B's board shows the new name within a second.
	const renamed = "Zephyr Two Hosts Co"
	from := screen.len()
	r := a.ssh(signer, "customer", "set", fmt.Sprint(today[0].CustomerID), "--name", renamed)
	saved := time.Now()
	if r.code != 0 {
		t.Fatalf("customer set through A: exit %d %s", r.code, r.stderr)
	}
	if !waitScreen(from, time.Second, renamed) {
		waitScreen(from, 10*time.Second, renamed)
		t.Fatalf("B's console did not show the change made through A within 1 s (after %v); since:\n%s",
			time.Since(saved).Round(time.Millisecond), screen.since(from))
	}
	t.Logf("B's console showed the change made through A %v after A answered", time.Since(saved).Round(time.Millisecond))
	io.WriteString(stdin, "q")
	// backup over SSH: refused, with what a PostgreSQL office does instead
	if r := a.ssh(signer, "backup"); r.code != ExitRefused || !strings.Contains(r.stderr, "pg_dump") {
		t.Errorf("backup over SSH on PostgreSQL: exit %d %q", r.code, r.stderr)
	}

	// A job today with 16 positions, and one officer all 16 writers want
	// in it: only one may have him (the shifts overlap).
	start := time.Date(day.Year(), day.Month(), day.Day(), 19, 0, 0, 0, loc)
	jobs, err := st.CreateJobs(ctx, "", store.JobInput{
		NewCustomer: &store.CustomerInput{Name: "Sixteen Writers Arena", Phone: "801-555-0116", BillingCycle: "monthly"},
		NewSite:     &store.SiteInput{Name: "Arena", Address: "16 Race Way, West Valley City"},
		Agency:      "west-valley-city", Start: start, End: start.Add(4 * time.Hour),
		Officers: 16, Venue: pricing.VenueGeneral, Received: now.Add(-72 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	jobID := jobs[0]
	if err := st.Approve(ctx, "", jobID); err != nil {
		t.Fatal(err)
	}
	full, err := st.JobsWithPositions(ctx, "", start, start.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var posID int64
	for _, j := range full {
		if j.ID == jobID {
			posID = j.Positions[0].ID
		}
	}
	cands, err := st.Candidates(ctx, posID)
	if err != nil {
		t.Fatal(err)
	}
	var eligible []store.Candidate
	for _, c := range cands {
		if c.Eligible() {
			eligible = append(eligible, c)
		}
	}
	if len(eligible) < 4 {
		t.Fatalf("only %d eligible officers for the race", len(eligible))
	}
	officer := eligible[0]
	race := func(args func(i int) []string) (won int) {
		var wg sync.WaitGroup
		codes := make([]result, 16)
		for i := range 16 {
			srv := a
			if i%2 == 1 {
				srv = b
			}
			wg.Go(func() { codes[i] = srv.ssh(signer, args(i)...) })
		}
		wg.Wait()
		for i, r := range codes {
			switch r.code {
			case 0:
				won++
			case ExitRefused:
			default:
				t.Errorf("writer %d: exit %d %s", i, r.code, r.stderr)
			}
		}
		return won
	}
	// 16 writers put the same officer in the 16 overlapping positions.
	if won := race(func(i int) []string { return []string{"assign", fmt.Sprint(jobID), fmt.Sprint(i + 1), officer.Badge} }); won != 1 {
		t.Errorf("the same officer went into %d overlapping positions, want 1", won)
	}
	// 16 writers put different officers in one position.
	if won := race(func(i int) []string {
		return []string{"assign", fmt.Sprint(jobID), "16", eligible[1+i%(len(eligible)-1)].Badge}
	}); won != 1 {
		t.Errorf("position 16 was filled %d times, want once", won)
	}
	after, err := st.JobsWithPositions(ctx, "", start, start.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, j := range after {
		for _, p := range j.Positions {
			if p.OfficerID == officer.ID {
				held++
			}
		}
	}
	if held != 1 {
		t.Errorf("officer %s holds %d positions of the overlapping shifts, want 1", officer.Badge, held)
	}
	res, err := st.Check(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res {
		if len(c.Findings) > 0 {
			t.Errorf("check %s: %+v", c.Name, c.Findings)
		}
	}
}
