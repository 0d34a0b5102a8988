package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"offduty/store"
)

// testRelay is an SMTP server on 127.0.0.1:0 that keeps the recipients of
// what it receives and refuses "gone@" addresses for good.
type testRelay struct {
	addr string
	mu   sync.Mutex
	to   []string
}

func (r *testRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct {
	r  *testRelay
	to string
}

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "gone@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = to
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	s.r.mu.Lock()
	s.r.to = append(s.r.to, s.to)
	s.r.mu.Unlock()
	return nil
}
func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

func startTestRelay(t *testing.T) *testRelay {
	t.Helper()
	r := &testRelay{}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *testRelay) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.to...)
}

// outboxRow writes a message into the outbox of env's database, due at the
// test clock's time, as the store's hooks do.
func outboxRow(t *testing.T, env map[string]string, kind, to, subject string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+env["OFFDUTY_DB"]+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := local(t, env["OFFDUTY_NOW"]).UTC().Format("2006-01-02T15:04:05Z")
	res, err := db.Exec(`INSERT INTO outbox (kind, to_addr, subject, body, created_at, next_at) VALUES (?, ?, ?, 'Body.', ?, ?)`, kind, to, subject, at, at)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func expect(t *testing.T, what string, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d\nstdout %q\nstderr %q", what, r.code, code, r.stdout, r.stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("%s: output lacks %q:\nstdout %q\nstderr %q", what, w, r.stdout, r.stderr)
		}
	}
}

// TestSettingsCommands: settings show and set every key, with clear
// refusals for bad values; agency dispatch; each change in the audit.
func TestSettingsCommands(t *testing.T) {
	env := testEnv(t)
	expect(t, "show", runWith(env, "settings", "show", "--demo=false"), 0, "signup_mode", "assign", "reply_to", "No sender address", "west-valley-city", "(none: no roster)")
	for _, c := range []struct{ k, v, want string }{
		{"signup_mode", "confirm", "signup_mode: assign -> confirm"},
		{"fairness_hours", "48", "fairness_hours: 0 -> 48"},
		{"roster_hour", "14", "roster_hour: 15 -> 14"},
		{"reminder_hour", "17", "reminder_hour: 16 -> 17"},
		{"open_soon_hours", "12", "open_soon_hours: 24 -> 12"},
		{"sender", "dispatch@office.test", "sender: (none) -> dispatch@office.test"},
		{"sender_name", "West Valley Off-Duty Office", "sender_name: offduty -> West Valley Off-Duty Office"},
		{"reply_to", "desk@office.test", "reply_to: (none) -> desk@office.test"},
		{"reply_to", "none", "reply_to: desk@office.test -> (none)"},
		{"roster_hour", "14", "already 14"},
	} {
		expect(t, "set "+c.k, runWith(env, "settings", "set", c.k, c.v), 0, c.want)
	}
	for _, c := range []struct{ args, want []string }{
		{[]string{"roster_hour", "24"}, []string{"roster_hour: an hour of the day, 0 to 23"}},
		{[]string{"reminder_hour", "seven"}, []string{"reminder_hour: want a whole number"}},
		{[]string{"fairness_hours", "1000"}, []string{"fairness_hours: 0 (off) to 336 hours"}},
		{[]string{"open_soon_hours", "0"}, []string{"open_soon_hours: 1 to 168 hours"}},
		{[]string{"signup_mode", "maybe"}, []string{"signup_mode: assign or confirm"}},
		{[]string{"sender", "not-an-address"}, []string{"sender:", "not an e-mail address"}},
		{[]string{"sender_name", "A <b>"}, []string{"sender_name: at most 100 characters"}},
		{[]string{"colour", "blue"}, []string{`no setting "colour"`, "signup_mode, fairness_hours"}},
		{[]string{"roster_hour"}, []string{"want a KEY and a VALUE"}},
	} {
		expect(t, "set "+strings.Join(c.args, " "), runWith(env, append([]string{"settings", "set"}, c.args...)...), ExitInvalid, c.want...)
	}
	expect(t, "agency dispatch", runWith(env, "agency", "dispatch", "west-valley-city", "dispatch@wvc.test"), 0, "(none) -> dispatch@wvc.test")
	expect(t, "agency dispatch show", runWith(env, "agency", "dispatch", "west-valley-city"), 0, "dispatch@wvc.test")
	expect(t, "agency dispatch bad", runWith(env, "agency", "dispatch", "west-valley-city", "nope"), ExitInvalid, "not an e-mail address")
	expect(t, "agency dispatch unknown", runWith(env, "agency", "dispatch", "atlantis", "a@b.test"), ExitInvalid, "atlantis")

	r := runWith(env, "settings", "show", "--json")
	var got struct {
		SignupMode    string `json:"signup_mode"`
		FairnessHours int    `json:"fairness_hours"`
		RosterHour    int    `json:"roster_hour"`
		Sender        string `json:"sender"`
		ReplyTo       string `json:"reply_to"`
		Agencies      []struct {
			Slug     string `json:"slug"`
			Dispatch string `json:"dispatch_email"`
		} `json:"agencies"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if got.SignupMode != "confirm" || got.FairnessHours != 48 || got.RosterHour != 14 || got.Sender != "dispatch@office.test" || got.ReplyTo != "" || len(got.Agencies) != 2 {
		t.Errorf("--json: %+v", got)
	}
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		audit, err := s.Audit(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var settings, dispatch int
		for _, a := range audit {
			switch {
			case a.Entity == "settings":
				settings++
			case a.Entity == "agency" && a.Action == "dispatch email":
				dispatch++
			}
		}
		if settings != 9 || dispatch != 1 {
			t.Errorf("audit: %d settings changes (want 9), %d dispatch (want 1)", settings, dispatch)
		}
	})
}

// TestNotifyCommands: notify run --once delivers through a relay started
// here (a 5xx fails its message at once), list shows the states, retry puts
// a failed one back, optout and optin, kinds; without a sender address run
// refuses.
func TestNotifyCommands(t *testing.T) {
	env := testEnv(t)
	expect(t, "create", runWith(env, "agencies", "--demo=false"), 0)
	relay := startTestRelay(t)
	a := outboxRow(t, env, store.MsgCustomerApproved, "pat@customer.test", "Approved: job #1")
	b := outboxRow(t, env, store.MsgOfficerAssigned, "gone@wvc.test", "Assigned")
	c := outboxRow(t, env, store.MsgInvoiceIssued, "billing@customer.test", "Invoice")
	_ = c

	expect(t, "run without a sender", runWith(env, "notify", "run", "--smtp", relay.addr, "--once"), ExitRefused, "no sender address", "settings set sender")
	expect(t, "set sender", runWith(env, "settings", "set", "sender", "dispatch@office.test"), 0)
	expect(t, "bad starttls", runWith(env, "notify", "run", "--smtp", relay.addr, "--starttls", "maybe", "--once"), ExitInvalid, "--starttls: auto, always or never")
	expect(t, "bad relay", runWith(env, "notify", "run", "--smtp", "nowhere", "--once"), ExitInvalid, "HOST:PORT")
	r := runWith(env, "notify", "run", "--smtp", relay.addr, "--starttls", "never", "--once")
	expect(t, "run", r, 0, "2 sent, 0 to retry, 1 failed")
	if got := relay.got(); len(got) != 2 || got[0] != "pat@customer.test" || got[1] != "billing@customer.test" {
		t.Errorf("relay got %v", got)
	}
	expect(t, "run again", runWith(env, "notify", "run", "--smtp", relay.addr, "--once"), 0, "0 sent, 0 to retry, 0 failed")

	r = runWith(env, "notify", "list", "--json")
	var list []struct {
		ID        int64  `json:"id"`
		To        string `json:"to"`
		State     string `json:"state"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"last_error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 3 {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}
	if list[0].ID <= list[2].ID {
		t.Errorf("not newest first: %+v", list)
	}
	for _, m := range list {
		want := store.MsgSent
		if m.ID == b {
			want = store.MsgFailed
		}
		if m.State != want || m.Attempts != 1 {
			t.Errorf("message %d: %+v", m.ID, m)
		}
	}
	expect(t, "list failed", runWith(env, "notify", "list", "--state", "failed"), 0, "gone@wvc.test", "550", "no such user")
	if r := runWith(env, "notify", "list", "--state", "failed"); strings.Contains(r.stdout, "pat@customer.test") {
		t.Errorf("--state failed lists a sent one:\n%s", r.stdout)
	}
	expect(t, "list bad state", runWith(env, "notify", "list", "--state", "lost"), ExitInvalid, "pending, sent or failed")
	expect(t, "retry", runWith(env, "notify", "retry", fmt.Sprint(b)), 0, "in line again")
	expect(t, "retry again", runWith(env, "notify", "retry", fmt.Sprint(b)), ExitRefused, "has not failed")
	expect(t, "retry sent", runWith(env, "notify", "retry", fmt.Sprint(a)), ExitRefused, "has not failed")
	expect(t, "retry bad", runWith(env, "notify", "retry", "x"), ExitInvalid, "message number")
	expect(t, "list pending", runWith(env, "notify", "list", "--state", "pending"), 0, "gone@wvc.test")

	expect(t, "optout", runWith(env, "notify", "optout", "Pat@Customer.test", store.MsgCustomerApproved), 0, "pat@customer.test no longer gets customer.approved")
	expect(t, "optout mandatory", runWith(env, "notify", "optout", "pat@customer.test", store.MsgCustomerCancelled), ExitRefused, "nobody opts out")
	expect(t, "optout unknown", runWith(env, "notify", "optout", "pat@customer.test", "gossip"), ExitInvalid, `no message kind "gossip"`)
	expect(t, "optout bad address", runWith(env, "notify", "optout", "pat", store.MsgCustomerApproved), ExitInvalid, "not an e-mail address")
	expect(t, "optout all", runWith(env, "notify", "optout", "ops@customer.test", "all"), 0, "no longer gets optional messages")
	expect(t, "optin", runWith(env, "notify", "optin", "pat@customer.test", store.MsgCustomerApproved), 0, "gets customer.approved messages again")
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		db, err := sql.Open("sqlite", "file:"+s.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var pat, ops, mandatory int
		db.QueryRow(`SELECT count(*) FROM optouts WHERE address = 'pat@customer.test'`).Scan(&pat)
		db.QueryRow(`SELECT count(*) FROM optouts WHERE address = 'ops@customer.test'`).Scan(&ops)
		db.QueryRow(`SELECT count(*) FROM optouts WHERE kind IN ('officer.cancelled', 'customer.cancelled')`).Scan(&mandatory)
		if pat != 0 || ops == 0 || mandatory != 0 {
			t.Errorf("opt-outs: pat %d, ops %d, mandatory %d", pat, ops, mandatory)
		}
	})
	r = runWith(env, "notify", "kinds")
	for _, k := range store.MessageKinds {
		if !strings.Contains(r.stdout, k) {
			t.Errorf("kinds lacks %s", k)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "customer.cancelled no") {
		t.Errorf("kinds does not say cancellations cannot be refused:\n%s", r.stdout)
	}
}

// TestNotifyRemote: over SSH a supervisor lists the outbox and changes a
// setting; notify run is the server's own (refused, saying why); a
// dispatcher may not see the outbox or change the settings.
func TestNotifyRemote(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	sup := rs.user("sam", store.RoleSupervisor, 0)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	expectRemote(t, "run over ssh", rs.ssh(sup, "notify", "run", "--once"), ExitRefused, "server's machine only", "serve --smtp")
	r := rs.ssh(sup, "notify", "list", "--json")
	expectRemote(t, "list", r, 0)
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "[") {
		t.Errorf("list --json: %q", r.stdout)
	}
	expectRemote(t, "settings set", rs.ssh(sup, "settings", "set", "reminder_hour", "18"), 0)
	if o, err := rs.store.Settings(context.Background()); err != nil || o.ReminderHour != 18 {
		t.Errorf("reminder_hour %d (%v)", o.ReminderHour, err)
	}
	expectRemote(t, "agency dispatch", rs.ssh(sup, "agency", "dispatch", "grantsville", "desk@grantsville.test"), 0)
	expectRemote(t, "dispatcher list", rs.ssh(disp, "notify", "list"), ExitRefused, "supervisor")
	expectRemote(t, "dispatcher settings", rs.ssh(disp, "settings", "set", "roster_hour", "9"), ExitRefused, "supervisor")
	expectRemote(t, "dispatcher show", rs.ssh(disp, "settings", "show"), ExitRefused, "supervisor")
	expectRemote(t, "dispatcher agency", rs.ssh(disp, "agency", "dispatch", "grantsville", "x@y.test"), ExitRefused, "supervisor")
}

// TestServeSendsMail: serve --smtp delivers the outbox while it serves, and
// without --smtp, --starttls is refused.
func TestServeSendsMail(t *testing.T) {
	env := testEnv(t)
	expect(t, "starttls without smtp", runWith(env, "serve", "--demo=false", "--listen", "127.0.0.1:0", "--starttls", "always"), ExitInvalid, "--starttls needs --smtp")
	expect(t, "set sender", runWith(env, "settings", "set", "sender", "dispatch@office.test"), 0)
	outboxRow(t, env, store.MsgCustomerApproved, "pat@customer.test", "Approved")
	relay := startTestRelay(t)
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--listen", "127.0.0.1:0", "--backup-every", "0", "--smtp", relay.addr, "--starttls", "never"}, &stdout, &stderr, func(k string) string { return env[k] })
	}()
	deadline := time.Now().Add(15 * time.Second)
	for len(relay.got()) == 0 && time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if got := relay.got(); len(got) != 1 || got[0] != "pat@customer.test" {
		t.Errorf("relay got %v\n%s", got, stderr.String())
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not stop:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "sent") || !strings.Contains(stderr.String(), "sending mail") {
		t.Errorf("log:\n%s", stderr.String())
	}
}
