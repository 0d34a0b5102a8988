package sshd

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"offduty/pricing"
	"offduty/store"
)

func TestUnknownKeyRefusedAtAuthentication(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	addUser(t, st, "sam", store.RoleSupervisor, 0)

	stranger, _ := newKey(t)
	client, err := dial(ts.addr, stranger)
	if err == nil {
		client.Close()
		t.Fatal("a key that belongs to no user signed in")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("dial error = %v, want an authentication failure", err)
	}
	// The only method offered is publickey: a password never gets a screen either.
	_, err = gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User:            "sam",
		Auth:            []gossh.AuthMethod{gossh.Password("sam"), gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"x"}, nil })},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), "no supported methods remain") {
		t.Errorf("password sign-in: err = %v, want refused with no supported methods", err)
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "unknown key") || !strings.Contains(logs, fingerprint(stranger)) {
		t.Errorf("the refusal is not logged with the key's fingerprint %s:\n%s", fingerprint(stranger), logs)
	}
	if n := ts.Sessions(); n != 0 {
		t.Errorf("%d sessions open, want 0", n)
	}
}

func TestSessionDrawsConsole(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "offduty", "Today", "Requests", "sam@ssh") {
		t.Fatalf("the console was not drawn; screen:\n%s", tm.text())
	}
	// xterm-256color: colours come as 256-colour indexes, never 24-bit.
	tm.mu.Lock()
	raw := tm.out.String()
	tm.mu.Unlock()
	if !strings.Contains(raw, "38;5;") || strings.Contains(raw, "38;2;") {
		t.Errorf("colours are not in the session's 256-colour profile")
	}
	logs := ts.logs.String()
	for _, want := range []string{"msg=connect", "user=sam", "role=supervisor", fingerprint(key), "width=120", "height=40"} {
		if !strings.Contains(logs, want) {
			t.Errorf("connect log lacks %q:\n%s", want, logs)
		}
	}
	// q quits; the session ends and the disconnect is logged with its duration.
	tm.send("q")
	if _, ok := tm.wait(5 * time.Second); !ok {
		t.Fatal("the session did not end after q")
	}
	waitLog(t, ts, "msg=disconnect", "duration=", "reason=quit")
}

func waitLog(t *testing.T, ts *testServer, want ...string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		logs := ts.logs.String()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(logs, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("log lacks %q:\n%s", want, logs)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSessionWithoutPTYRefused(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	tm, err := openTerm(t, ts.addr, key, false)
	if err != nil {
		t.Fatal(err)
	}
	werr, ok := tm.wait(5 * time.Second)
	if !ok {
		t.Fatal("a session without a PTY was not ended")
	}
	var exit *gossh.ExitError
	if !errors.As(werr, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exit = %v, want status 1", werr)
	}
	if got := tm.text() + tm.errText(); !strings.Contains(got, "PTY") || strings.Contains(got, "Requests") {
		t.Errorf("output = %q, want the PTY message and no console", got)
	}
	waitLog(t, ts, "reason=\"no pty\"", "user=sam", "msg=disconnect", "reason=refused")
}

// requestedJob is a job of the demo data still waiting for approval.
func requestedJob(t *testing.T, st *store.Store) store.Job {
	t.Helper()
	jobs, err := st.Jobs(context.Background(), "", store.JobFilter{Statuses: []string{store.StatusRequested}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Bookable {
			return j
		}
	}
	t.Fatal("the demo data has no bookable requested job")
	return store.Job{}
}

func jobStatuses(t *testing.T, st *store.Store) map[int64]string {
	t.Helper()
	jobs, err := st.Jobs(context.Background(), "", store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, j := range jobs {
		out[j.ID] = j.Status
	}
	return out
}

func TestOperatorCannotApprove(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "olive", store.RoleOperator, 0)
	ctx := context.Background()

	// The store refuses the operator, whoever asks.
	j := requestedJob(t, st)
	err := st.Approve(ctx, store.SSHActor("olive"), j.ID)
	if store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("Approve as olive@ssh: err = %v (code %q), want %q", err, store.ErrorCode(err), store.EForbidden)
	}

	// Through the keys: whatever the screen offers, nothing gets approved.
	before := jobStatuses(t, st)
	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "offduty", "Requests") {
		t.Fatalf("the console was not drawn; screen:\n%s", tm.text())
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	tm.send("/requested" + keyEnter) // the requested jobs only
	tm.settle(100*time.Millisecond, time.Second)
	for i := 0; i < 4; i++ {
		tm.send("a")
		tm.settle(100*time.Millisecond, time.Second)
		tm.send(keyDown)
		tm.settle(50*time.Millisecond, time.Second)
	}
	tm.send(keyEnter) // the detail, then approve from there
	tm.settle(100*time.Millisecond, time.Second)
	tm.send("a")
	tm.settle(300*time.Millisecond, 2*time.Second)
	if !strings.Contains(tm.text(), "requested") {
		t.Errorf("the filter found no requested job to try")
	}
	after := jobStatuses(t, st)
	for id, s := range before {
		if after[id] != s {
			t.Errorf("job %d went from %s to %s in an operator's session", id, s, after[id])
		}
	}
	if strings.Contains(tm.text(), "Approved job") {
		t.Errorf("the operator's screen says a job was approved")
	}
}

func TestCustomerSeesOnlyTheirAccount(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	ctx := context.Background()
	customers, err := st.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine store.Customer
	for _, c := range customers {
		if c.Name == "Maverik Center" {
			mine = c
		}
	}
	if mine.ID == 0 {
		t.Fatal("the demo data has no Maverik Center")
	}
	own, err := st.Jobs(ctx, "", store.JobFilter{CustomerID: mine.ID})
	if err != nil || len(own) == 0 {
		t.Fatalf("Maverik Center has no jobs (%v)", err)
	}
	key := addUser(t, st, "maverik", store.RoleCustomer, mine.ID)

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "offduty", "Maverik Center") {
		t.Fatalf("the customer's console does not show their account; screen:\n%s", tm.text())
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	keys := []string{keyDown, keyDown, keyEnter, keyDown, keyEsc, keyTab, keyEnter, keyDown, keyEnter, keyEsc, keyTab,
		keyRight, keyLeft, keyEnter, keyUp, keyEnter, keyEsc, "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~", "\x1b[18~",
		keyTab, "o", keyEnter, keyEsc, "n", keyEsc, keyTab, keyDown, keyDown, keyEnter}
	for _, k := range keys {
		tm.send(k)
		tm.settle(60*time.Millisecond, time.Second)
	}
	tm.settle(300*time.Millisecond, 2*time.Second)
	screen := tm.text()
	if !strings.Contains(screen, "Maverik Center") {
		t.Errorf("the customer's own name is not on their screen")
	}
	ownText := mine.Name
	for _, s := range mine.Sites {
		ownText += "\n" + s.Name + "\n" + s.Address
	}
	for _, c := range customers {
		if c.ID == mine.ID {
			continue
		}
		names := []string{c.Name}
		for _, s := range c.Sites {
			names = append(names, s.Name, s.Address)
		}
		for _, n := range names {
			for _, probe := range []string{n, prefix(n, 12)} {
				if len(probe) < 6 || strings.Contains(ownText, probe) {
					continue
				}
				if strings.Contains(screen, probe) {
					t.Errorf("a customer of Maverik Center saw %q (of %s)", probe, c.Name)
				}
			}
		}
	}
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func TestChangeInOneSessionShowsInAnother(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	keyA := addUser(t, st, "dana", store.RoleDispatcher, 0)
	keyB := addUser(t, st, "sam", store.RoleSupervisor, 0)

	a := connect(t, ts.addr, keyA)
	b := connect(t, ts.addr, keyB)
	for _, tm := range []*term{a, b} {
		if !tm.waitFor(5*time.Second, "offduty", "Today") {
			t.Fatalf("a console was not drawn; screen:\n%s", tm.text())
		}
	}
	b.settle(300*time.Millisecond, 3*time.Second)
	from := b.outLen()

	// Session A's user books a job for this afternoon: B's Today board shows it.
	const name = "Zephyr Live Refresh Co"
	day := testNow.In(denver)
	_, err := st.CreateJobs(context.Background(), store.SSHActor("dana"), store.JobInput{
		NewCustomer: &store.CustomerInput{Name: name, Phone: "801-555-0999", BillingCycle: "monthly"},
		NewSite:     &store.SiteInput{Name: "Zephyr depot", Address: "1 Test Way, West Valley City"},
		Agency:      "west-valley-city",
		Start:       time.Date(day.Year(), day.Month(), day.Day(), 13, 0, 0, 0, denver),
		End:         time.Date(day.Year(), day.Month(), day.Day(), 17, 0, 0, 0, denver),
		Officers:    1,
		Venue:       pricing.VenueGeneral,
		Received:    testNow,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !b.waitForSince(from, 2*time.Second, "Zephyr") {
		if !b.waitForSince(from, 30*time.Second, "Zephyr") {
			t.Fatalf("session B never showed the new job; screen since:\n%s", b.textSince(from))
		}
		t.Fatalf("session B showed the new job after %v, want within 2 s", time.Since(start).Round(time.Millisecond))
	}
	t.Logf("session B showed the new job %v after it was saved", time.Since(start).Round(time.Millisecond))
}

func TestMaxSessions(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, func(c *Config) { c.MaxSessions = 2 })
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	first := connect(t, ts.addr, key)
	second := connect(t, ts.addr, key)
	for _, tm := range []*term{first, second} {
		if !tm.waitFor(5*time.Second, "offduty") {
			t.Fatalf("a console was not drawn; screen:\n%s", tm.text())
		}
	}
	third := connect(t, ts.addr, key)
	werr, ok := third.wait(5 * time.Second)
	if !ok {
		t.Fatal("the third session was not refused")
	}
	var exit *gossh.ExitError
	if !errors.As(werr, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("third session exit = %v, want status 1", werr)
	}
	if msg := third.errText() + third.text(); !strings.Contains(msg, "server is full") || strings.Contains(msg, "Requests") {
		t.Errorf("third session got %q, want the 'server is full' message and no console", msg)
	}
	waitLog(t, ts, "reason=\"too many sessions\"", "reason=refused")

	// When one leaves, a new one gets in.
	first.send("q")
	if _, ok := first.wait(5 * time.Second); !ok {
		t.Fatal("the first session did not end")
	}
	waitLog(t, ts, "reason=quit")
	fourth := connect(t, ts.addr, key)
	if !fourth.waitFor(5*time.Second, "offduty") {
		t.Fatalf("no session after one ended; got %q", fourth.errText())
	}
}

func TestHostKeyCreatedPrivateAndReused(t *testing.T) {
	st := seededStore(t)
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, HostKeyName)
	s1, err := New(Config{Store: st, HostKeyPath: path})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("host key not written: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", fi.Mode().Perm())
	}
	s2, err := New(Config{Store: st, HostKeyPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if s1.HostKeyFingerprint() != s2.HostKeyFingerprint() {
		t.Errorf("restart made a new host key: %s then %s", s1.HostKeyFingerprint(), s2.HostKeyFingerprint())
	}
	// A key left readable by others is made private again.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s3, err := New(Config{Store: st, HostKeyPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o after restart, want 0600", fi.Mode().Perm())
	}
	if s3.HostKeyFingerprint() != s1.HostKeyFingerprint() {
		t.Error("the host key changed")
	}

	// The server presents that key to clients.
	ts := startServer(t, st, func(c *Config) { c.HostKeyPath = path })
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)
	var seen string
	client, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: "sam", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			seen = gossh.FingerprintSHA256(k)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	if seen != s1.HostKeyFingerprint() {
		t.Errorf("client saw host key %s, want %s", seen, s1.HostKeyFingerprint())
	}
}

func TestHostKeyDefaultsBesideDatabase(t *testing.T) {
	st := seededStore(t)
	if st.Postgres() {
		if _, err := New(Config{Store: st}); err == nil || !strings.Contains(err.Error(), "host key") {
			t.Fatalf("New on PostgreSQL without a host key path: %v, want it asked for", err)
		}
		return
	}
	wd, _ := os.Getwd()
	s, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(filepath.Dir(st.Path()), HostKeyName)
	if s.HostKeyPath() != want {
		t.Errorf("host key path %s, want %s", s.HostKeyPath(), want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("host key not beside the database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wd, "id_ed25519")); err == nil {
		t.Errorf("a key was written into the working directory")
	}
}

func TestGracefulShutdown(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	var terms []*term
	for i := 0; i < 3; i++ {
		tm := connect(t, ts.addr, key)
		if !tm.waitFor(5*time.Second, "offduty") {
			t.Fatalf("a console was not drawn; screen:\n%s", tm.text())
		}
		terms = append(terms, tm)
	}
	terms[1].send("n") // one is in the middle of a request
	terms[1].settle(100*time.Millisecond, time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	t.Logf("Shutdown took %v", time.Since(start).Round(time.Millisecond))
	for i, tm := range terms {
		if _, ok := tm.wait(2 * time.Second); !ok {
			t.Errorf("session %d still open after Shutdown", i)
		}
		if !strings.Contains(tm.text(), "shutting down") {
			t.Errorf("session %d was not told: %q", i, lastLines(tm.text(), 3))
		}
	}
	select {
	case err := <-ts.done:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("Serve did not return")
	}
	if c, err := dial(ts.addr, key); err == nil {
		c.Close()
		t.Error("the server still accepts connections")
	}
	waitLog(t, ts, "reason=shutdown")
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\r\n "), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func TestIdleSessionClosed(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, func(c *Config) { c.IdleTimeout = 700 * time.Millisecond })
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "offduty") {
		t.Fatalf("the console was not drawn; screen:\n%s", tm.text())
	}
	// Typing keeps it open...
	for i := 0; i < 6; i++ {
		time.Sleep(250 * time.Millisecond)
		tm.send(keyDown)
	}
	select {
	case <-tm.ended:
		t.Fatal("a session in use was closed as idle")
	default:
	}
	// ...and silence closes it, with a message.
	if _, ok := tm.wait(3 * time.Second); !ok {
		t.Fatal("an idle session was not closed")
	}
	if !strings.Contains(tm.text(), "nothing typed") {
		t.Errorf("no idle message: %q", lastLines(tm.text(), 3))
	}
	waitLog(t, ts, "reason=idle")
}

func TestResizeFollowed(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)

	tm := connect(t, ts.addr, key)
	// At 120 columns the tabs have their whole names; at 80 their short ones.
	if !tm.waitFor(5*time.Second, "offduty", "Requests", "Customers") {
		t.Fatalf("the console was not drawn at 120 columns; screen:\n%s", tm.text())
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	from := tm.outLen()
	if err := tm.sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	if !tm.waitForSince(from, 5*time.Second, "offduty", "Reqs", "Cust") || strings.Contains(tm.textSince(from), "Customers") {
		t.Fatalf("the console did not redraw at 80x24; since the resize:\n%s", tm.textSince(from))
	}
}
