package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	charmlog "charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"offduty/store"
	"offduty/ui/sshd"
)

// The tests of this file run the command tree as "offduty serve" runs it for
// SSH exec requests: a real server on 127.0.0.1:0, clients of
// golang.org/x/crypto/ssh, and the demo database of demoEnv, whose fixed
// clock (OFFDUTY_NOW) is the server's too.

// remoteServer is offduty serve in a test.
type remoteServer struct {
	t     *testing.T
	env   map[string]string // the same database and clock, for local runs and checks
	store *store.Store      // the server's
	addr  string
	logs  *lockedBuffer
}

// remoteAdmin is the local actor that sets the tests up (the machine's operator).
const remoteAdmin = "admin"

// TestRemote runs the exec-request tests, each on its own copy of one demo
// database (seeding it takes most of a test's time under -race).
func TestRemote(t *testing.T) {
	template := demoEnv(t)
	for _, c := range []struct {
		name string
		test func(*testing.T, map[string]string)
	}{
		{"InvoiceExportMatchesLocal", testRemoteInvoiceExportMatchesLocal},
		{"CustomerSeesOnlyItsAccount", testRemoteCustomerSeesOnlyItsAccount},
		{"OutputFlagRefused", testRemoteOutputFlagRefused},
		{"AttachFromStdin", testRemoteAttachFromStdin},
		{"AttachSizeLimit", testRemoteAttachSizeLimit},
		{"MediaBackOverSSH", testRemoteMediaBack},
		{"LocalOnlyRefused", testRemoteLocalOnlyRefused},
		{"UserAdd", testRemoteUserAdd},
		{"ExitStatus", testRemoteExitStatus},
		{"HelpGoesToTheClient", testRemoteHelpGoesToTheClient},
		{"ServerTerminalUntouched", testRemoteServerTerminalUntouched},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, template) })
	}
}

// remoteCopy is a copy of template's database with the same clock.
func remoteCopy(t *testing.T, template map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for k, v := range template {
		env[k] = v
	}
	env["OFFDUTY_DB"] = filepath.Join(t.TempDir(), "offduty.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(template["OFFDUTY_DB"] + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(env["OFFDUTY_DB"]+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// startRemote serves a copy of the template database the way serve.go
// does: sshd.Config with Exec running Run as the signed-in user, with a
// Remote.
func startRemote(t *testing.T, template map[string]string) *remoteServer {
	t.Helper()
	env := remoteCopy(t, template)
	now := local(t, env["OFFDUTY_NOW"])
	clock := func() time.Time { return now }
	s, err := store.Open(env["OFFDUTY_DB"], store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // after the server's shutdown (cleanups run last first)
	logs := &lockedBuffer{}
	const public = "office.test:2222"
	srv, err := sshd.New(sshd.Config{
		Listen:        "127.0.0.1:0",
		PublicAddress: public,
		HostKeyPath:   filepath.Join(t.TempDir(), sshd.HostKeyName),
		Store:         s,
		Now:           clock,
		Loc:           office(),
		Logger:        charmlog.NewWithOptions(logs, charmlog.Options{Formatter: charmlog.LogfmtFormatter, Level: charmlog.DebugLevel}),
		Exec: func(ctx context.Context, r sshd.ExecRequest) int {
			return Run(ctx, r.Args, Env{Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr,
				Remote: &Remote{Store: s, User: r.User, Now: clock, PublicAddress: public, Terminal: r.PTY}})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, sshd.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &remoteServer{t: t, env: env, store: s, addr: ln.Addr().String(), logs: logs}
}

// sshKey is a new ed25519 key: its signer and its authorized_keys line.
func sshKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " test@client"
}

// user adds a user of the database with a new key and returns the key.
func (rs *remoteServer) user(name, role string, customerID int64) gossh.Signer {
	rs.t.Helper()
	signer, line := sshKey(rs.t)
	if _, err := rs.store.CreateUser(context.Background(), remoteAdmin, name, role, customerID, []string{line}); err != nil {
		rs.t.Fatalf("create user %s: %v", name, err)
	}
	return signer
}

// execOpts are what a client sends besides the command.
type execOpts struct {
	stdin []byte
	pty   bool              // request a terminal, as ssh -t does
	env   map[string]string // "env" requests, as ssh's SendEnv/SetEnv
}

// shellQuote quotes args for the exec request's command line (the server
// splits it as a POSIX shell would).
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// ssh runs args as an exec request signed in with key, as
// "ssh -p PORT HOST ARGS..." does, and returns the exit status the client
// got with the output.
func (rs *remoteServer) ssh(key gossh.Signer, args ...string) result {
	rs.t.Helper()
	return rs.sshWith(key, execOpts{}, args...)
}

func (rs *remoteServer) sshWith(key gossh.Signer, o execOpts, args ...string) result {
	rs.t.Helper()
	client, err := gossh.Dial("tcp", rs.addr, &gossh.ClientConfig{
		User:            "whoever",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
	if err != nil {
		rs.t.Fatalf("dial: %v", err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		rs.t.Fatalf("session: %v", err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	sess.Stdin = bytes.NewReader(o.stdin)
	for k, v := range o.env {
		if err := sess.Setenv(k, v); err != nil {
			rs.t.Fatalf("setenv %s: %v", k, err)
		}
	}
	if o.pty {
		if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
			rs.t.Fatalf("pty: %v", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- sess.Run(shellQuote(args)) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		// A command that never ends (serve, had it run): end the connection
		// and go on; the buffers are left to the abandoned Run.
		client.Close()
		rs.t.Errorf("ssh %v: no exit status after 30 s", args)
		return result{code: -1}
	}
	code := 0
	var exit *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	default:
		rs.t.Fatalf("ssh %v: %v (no exit status); stderr %q", args, err, errb.String())
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// expectRemote checks an exit status and that each of want is on stderr.
func expectRemote(t *testing.T, what string, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d\nstdout %q\nstderr %q", what, r.code, code, shorten(r.stdout, 400), r.stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("%s: stderr %q lacks %q", what, r.stderr, w)
		}
	}
}

// issuedInvoices are the database's issued invoices, as the local operator sees them.
func (rs *remoteServer) issuedInvoices() []store.Invoice {
	rs.t.Helper()
	list, err := rs.store.Invoices(context.Background(), remoteAdmin, store.InvoiceFilter{State: store.InvoiceIssued})
	if err != nil {
		rs.t.Fatal(err)
	}
	if len(list) < 2 {
		rs.t.Fatalf("the demo data has %d issued invoices, want at least 2 (is the clock %s?)", len(list), rs.env["OFFDUTY_NOW"])
	}
	return list
}

func testRemoteInvoiceExportMatchesLocal(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	sup := rs.user("sam", store.RoleSupervisor, 0)
	inv := rs.issuedInvoices()[0]
	dir := t.TempDir()
	for _, format := range []string{"pdf", "csv"} {
		r := rs.ssh(sup, "invoice", "export", inv.Number, "--format", format)
		expectRemote(t, "remote export "+format, r, 0)
		if r.stderr != "" {
			t.Errorf("remote export %s: stderr %q", format, r.stderr)
		}
		file := filepath.Join(dir, inv.Number+"."+format)
		if l := runWith(rs.env, "invoice", "export", inv.Number, "-o", file); l.code != 0 {
			t.Fatalf("local export %s: exit %d: %s", format, l.code, l.stderr)
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !bytes.Equal([]byte(r.stdout), want) {
			t.Errorf("%s: the remote export (%d bytes) differs from the local one (%d bytes)", format, len(r.stdout), len(want))
		}
		switch format {
		case "pdf":
			if !strings.HasPrefix(r.stdout, "%PDF-") {
				t.Errorf("remote PDF starts %q", shorten(r.stdout, 20))
			}
		case "csv":
			if !strings.Contains(r.stdout, inv.Number) && !strings.Contains(r.stdout, inv.CustomerName) {
				t.Errorf("remote CSV names neither the invoice nor its account:\n%s", r.stdout)
			}
		}
	}
	// With a terminal (ssh -t) a PDF would land on the user's screen: refused, nothing sent.
	r := rs.sshWith(sup, execOpts{pty: true}, "invoice", "export", inv.Number, "--format", "pdf")
	if r.code != ExitInvalid || strings.Contains(r.stdout, "%PDF") || !strings.Contains(r.stdout+r.stderr, "redirect") {
		t.Errorf("PDF to a remote terminal: exit %d stdout %q stderr %q, want 1 and the hint to redirect", r.code, shorten(r.stdout, 200), r.stderr)
	}
}

// customerDay finds an account with an issued invoice and a day on which
// it and other accounts have jobs, and an issued invoice of another account.
func (rs *remoteServer) customerDay() (own, other store.Invoice, day time.Time) {
	rs.t.Helper()
	ctx := context.Background()
	issued := rs.issuedInvoices()
	start := local(rs.t, rs.env["OFFDUTY_NOW"])
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	for d := 0; d < 60; d++ {
		from := start.AddDate(0, 0, d)
		jobs, err := rs.store.Jobs(ctx, remoteAdmin, store.JobFilter{From: from, To: from.AddDate(0, 0, 1)})
		if err != nil {
			rs.t.Fatal(err)
		}
		accounts := map[int64]bool{}
		for _, j := range jobs {
			accounts[j.CustomerID] = true
		}
		if len(accounts) < 2 {
			continue
		}
		for _, a := range issued {
			if !accounts[a.CustomerID] {
				continue
			}
			for _, b := range issued {
				if b.CustomerID != a.CustomerID {
					return a, b, from
				}
			}
		}
	}
	rs.t.Fatal("the demo data has no day with jobs of several accounts, one of them with an issued invoice")
	return
}

func testRemoteCustomerSeesOnlyItsAccount(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	ctx := context.Background()
	own, other, day := rs.customerDay()
	cust := rs.user("mallcop", store.RoleCustomer, own.CustomerID)
	cwd, _ := os.Getwd()
	dbDir := filepath.Dir(rs.env["OFFDUTY_DB"])
	filesBefore := dirNames(t, dbDir)

	// Another account's invoice: refused by the store, nothing sent or written.
	for _, format := range []string{"pdf", "csv"} {
		r := rs.ssh(cust, "invoice", "export", other.Number, "--format", format)
		expectRemote(t, "export of another account's invoice as "+format, r, ExitRefused, "invoice "+other.Number+" is not on your account")
		if r.stdout != "" {
			t.Errorf("another account's invoice (%s): stdout %q, want nothing", format, shorten(r.stdout, 200))
		}
		for _, p := range []string{filepath.Join(cwd, other.Number+"."+format), filepath.Join(dbDir, other.Number+"."+format)} {
			if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s exists after a refused export (%v)", p, err)
			}
		}
	}
	if after := dirNames(t, dbDir); !slices.Equal(filesBefore, after) {
		t.Errorf("the server's folder changed after refused exports: %v -> %v", filesBefore, after)
	}
	r := rs.ssh(cust, "invoice", "show", other.Number)
	expectRemote(t, "invoice show of another account's", r, ExitRefused, "not on your account")
	if strings.Contains(r.stdout, other.CustomerName) {
		t.Errorf("invoice show of another account's printed it:\n%s", r.stdout)
	}

	// Its own issued invoice.
	r = rs.ssh(cust, "invoice", "export", own.Number, "--format", "pdf")
	expectRemote(t, "export of its own invoice", r, 0)
	if !strings.HasPrefix(r.stdout, "%PDF-") {
		t.Errorf("its own invoice: stdout starts %q, want a PDF", shorten(r.stdout, 20))
	}

	// invoices list: its account's only (and not empty).
	r = rs.ssh(cust, "invoices", "list", "--json")
	expectRemote(t, "invoices list", r, 0)
	var invs []struct {
		Number    *string `json:"number"`
		AccountID int64   `json:"account_id"`
		State     string  `json:"state"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &invs); err != nil {
		t.Fatalf("invoices list --json: %v\n%s", err, r.stdout)
	}
	sawOwn := false
	for _, inv := range invs {
		if inv.AccountID != own.CustomerID {
			t.Errorf("invoices list shows account %d's invoice %v to a customer of account %d", inv.AccountID, inv.Number, own.CustomerID)
		}
		if inv.Number != nil && *inv.Number == own.Number {
			sawOwn = true
		}
	}
	if !sawOwn {
		t.Errorf("invoices list lacks its own invoice %s:\n%s", own.Number, r.stdout)
	}
	// Even when it asks for another account.
	r = rs.ssh(cust, "invoices", "list", "--json", "--account", itoa(other.CustomerID))
	if r.code == 0 && strings.Contains(r.stdout, other.Number) {
		t.Errorf("invoices list --account %d shows another account's invoice:\n%s", other.CustomerID, r.stdout)
	}

	// jobs --date D --json: its account's jobs only, all of them.
	all, err := rs.store.Jobs(ctx, remoteAdmin, store.JobFilter{From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, j := range all {
		if j.CustomerID == own.CustomerID {
			want = append(want, j.ID)
		}
	}
	r = rs.ssh(cust, "jobs", "--date", day.Format("2006-01-02"), "--json")
	expectRemote(t, "jobs --json", r, 0)
	var jobs []struct {
		ID       int64  `json:"id"`
		Customer string `json:"customer"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil {
		t.Fatalf("jobs --json: %v\n%s", err, r.stdout)
	}
	var got []int64
	for _, j := range jobs {
		got = append(got, j.ID)
		if j.Customer != own.CustomerName {
			t.Errorf("jobs --json shows job #%d of %q to a customer of %q", j.ID, j.Customer, own.CustomerName)
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if len(want) == 0 || len(want) == len(all) || !slices.Equal(got, want) {
		t.Errorf("jobs on %s: the customer got %v, want %v (of %d jobs that day)", day.Format("2006-01-02"), got, want, len(all))
	}
	// The same day for a supervisor lists every account's jobs.
	sup := rs.user("sam", store.RoleSupervisor, 0)
	r = rs.ssh(sup, "jobs", "--date", day.Format("2006-01-02"), "--json")
	expectRemote(t, "jobs --json as supervisor", r, 0)
	jobs = nil
	if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil || len(jobs) != len(all) {
		t.Errorf("a supervisor's jobs --json: %d jobs (err %v), want %d", len(jobs), err, len(all))
	}

	// Payroll is a supervisor's.
	for _, args := range [][]string{{"payroll", "show"}, {"payroll", "show", "--json"}, {"payroll", "export"}} {
		r = rs.ssh(cust, args...)
		expectRemote(t, strings.Join(args, " "), r, ExitRefused)
		if r.stdout != "" {
			t.Errorf("%v as a customer: stdout %q", args, shorten(r.stdout, 200))
		}
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !strings.HasSuffix(n, "-wal") && !strings.HasSuffix(n, "-shm") {
			names = append(names, n)
		}
	}
	return names
}

func testRemoteOutputFlagRefused(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	sup := rs.user("sam", store.RoleSupervisor, 0)
	inv := rs.issuedInvoices()[0]
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"x.pdf", []string{"invoice", "export", inv.Number, "--format", "pdf", "-o"}},
		{"x.csv", []string{"invoice", "export", inv.Number, "--output"}},
		{"pay.csv", []string{"payroll", "export", "-o"}},
		{"shifts.ics", []string{"shifts", "export", "--officer", "WV1702", "-o"}},
	} {
		target := filepath.Join(dir, c.name)
		args := append(slices.Clone(c.args), target)
		r := rs.ssh(sup, args...)
		expectRemote(t, strings.Join(args, " "), r, ExitRefused, "-o is not available over SSH", "stdout")
		if r.stdout != "" {
			t.Errorf("%v: stdout %q, want nothing", args, shorten(r.stdout, 200))
		}
		if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: %s exists (%v)", args, target, err)
		}
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("files written where -o pointed: %v", names)
	}
	// "-o -" is stdout, which is where remote output goes anyway.
	r := rs.ssh(sup, "invoice", "export", inv.Number, "--format", "csv", "-o", "-")
	expectRemote(t, "-o -", r, 0)
	if r.stdout == "" {
		t.Errorf("-o -: nothing on stdout")
	}
}

// mediaState is a job's attachments and the files of the media folder.
func (rs *remoteServer) mediaState(jobID int64) ([]store.Media, []string) {
	rs.t.Helper()
	x, err := rs.store.Extras(context.Background(), "", jobID)
	if err != nil {
		rs.t.Fatal(err)
	}
	var files []string
	entries, err := os.ReadDir(rs.store.MediaDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		rs.t.Fatal(err)
	}
	for _, e := range entries {
		files = append(files, e.Name())
	}
	return x.Media, files
}

// someJob is a job of the demo data.
func (rs *remoteServer) someJob() store.Job {
	rs.t.Helper()
	jobs, err := rs.store.Jobs(context.Background(), remoteAdmin, store.JobFilter{Limit: 1})
	if err != nil || len(jobs) == 0 {
		rs.t.Fatalf("no job in the demo data (%v)", err)
	}
	return jobs[0]
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func testRemoteAttachFromStdin(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	job := rs.someJob()
	id := itoa(job.ID)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	cust := rs.user("mallcop", store.RoleCustomer, job.CustomerID) // even the job's own account
	oper := rs.user("olive", store.RoleOperator, 0)

	// Refused roles: nothing stored, whatever was sent.
	photo := randomBytes(t, 64<<10)
	media0, files0 := rs.mediaState(job.ID)
	for who, key := range map[string]gossh.Signer{"customer": cust, "operator": oper} {
		r := rs.sshWith(key, execOpts{stdin: photo}, "job", "attach", id, "--name", "photo.jpg")
		expectRemote(t, "attach as "+who, r, ExitRefused)
		if media, files := rs.mediaState(job.ID); len(media) != len(media0) || !slices.Equal(files, files0) {
			t.Errorf("attach as %s stored something: media %d -> %d, files %v -> %v", who, len(media0), len(media), files0, files)
		}
	}

	// A file of the server is never read over SSH, whoever asks.
	for _, path := range []string{"/etc/hostname", rs.env["OFFDUTY_DB"]} {
		r := rs.ssh(disp, "job", "attach", id, path)
		expectRemote(t, "attach "+path, r, ExitRefused, "over SSH no file of the server is read", "stdin")
		if media, files := rs.mediaState(job.ID); len(media) != len(media0) || !slices.Equal(files, files0) {
			t.Errorf("attach %s over SSH stored something: media %d -> %d, files %v -> %v", path, len(media0), len(media), files0, files)
		}
	}

	// A dispatcher sends the file on stdin.
	r := rs.sshWith(disp, execOpts{stdin: photo}, "job", "attach", id, "--name", "photo.jpg")
	expectRemote(t, "attach as dispatcher", r, 0)
	sum := sha256.Sum256(photo)
	want := hex.EncodeToString(sum[:])
	if !strings.Contains(r.stdout, want[:12]) || !strings.Contains(r.stdout, "photo.jpg") {
		t.Errorf("attach: stdout %q should name the file and its hash %s", r.stdout, want[:12])
	}
	media, _ := rs.mediaState(job.ID)
	if len(media) != len(media0)+1 {
		t.Fatalf("attach as dispatcher: %d attachments, want %d", len(media), len(media0)+1)
	}
	var m *store.Media
	for i := range media {
		if media[i].Name == "photo.jpg" {
			m = &media[i]
		}
	}
	if m == nil || m.SHA256 != want || m.Size != int64(len(photo)) || m.AddedBy != store.SSHActor("dana") {
		t.Fatalf("the attachment is %+v, want photo.jpg, %d bytes, SHA-256 %s, by dana@ssh", m, len(photo), want)
	}
	kept, err := os.ReadFile(filepath.Join(rs.store.MediaDir(), want))
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(kept); hex.EncodeToString(got[:]) != want {
		t.Errorf("the kept file's SHA-256 is %x, want %s", got, want)
	}
	// --name is required with stdin.
	r = rs.sshWith(disp, execOpts{stdin: photo}, "job", "attach", id)
	expectRemote(t, "attach without --name", r, ExitInvalid, "--name")
}

// job media: what was attached comes back over the connection, byte for
// byte, to those its audience lets see it; listed with its id.
func testRemoteMediaBack(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	job := rs.someJob()
	id := itoa(job.ID)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	cust := rs.user("mallcop", store.RoleCustomer, job.CustomerID)
	photo := randomBytes(t, 200<<10)
	expectRemote(t, "attach", rs.sshWith(disp, execOpts{stdin: photo}, "job", "attach", id, "--name", "gate.jpg"), 0)
	media, _ := rs.mediaState(job.ID)
	var m store.Media
	for _, x := range media {
		if x.Name == "gate.jpg" {
			m = x
		}
	}
	list := rs.ssh(disp, "job", "media", id)
	expectRemote(t, "list", list, 0)
	for _, want := range []string{"gate.jpg", "#" + itoa(m.ID), "staff", "204.8 KB"} {
		if !strings.Contains(list.stdout, want) {
			t.Errorf("job media %s lists:\n%s\nwithout %q", id, list.stdout, want)
		}
	}
	got := rs.ssh(disp, "job", "media", id, itoa(m.ID))
	expectRemote(t, "get", got, 0)
	if got.stdout != string(photo) {
		t.Errorf("job media sent %d bytes, not the %d attached", len(got.stdout), len(photo))
	}
	// The customer may not see a staff attachment, even of its own job.
	r := rs.ssh(cust, "job", "media", id, itoa(m.ID))
	if r.code == 0 || len(r.stdout) > 0 {
		t.Errorf("a customer got a staff attachment: exit %d, %d bytes", r.code, len(r.stdout))
	}
	if r := rs.ssh(cust, "job", "media", id); strings.Contains(r.stdout, "gate.jpg") {
		t.Errorf("a customer's list shows a staff attachment:\n%s", r.stdout)
	}
	// Over SSH -o names no file of the server; a terminal gets no bytes.
	expectRemote(t, "-o over SSH", rs.ssh(disp, "job", "media", id, itoa(m.ID), "-o", "/tmp/x.jpg"), ExitRefused, "-o is not available over SSH")
	expectRemote(t, "to a terminal", rs.sshWith(disp, execOpts{pty: true}, "job", "media", id, itoa(m.ID)), ExitInvalid, "not shown on a terminal")
}

func testRemoteAttachSizeLimit(t *testing.T, template map[string]string) {
	// Set before the server starts (its goroutines read it), restored after it stops.
	old := store.MaxMediaBytes
	store.MaxMediaBytes = 1 << 20
	t.Cleanup(func() { store.MaxMediaBytes = old })
	rs := startRemote(t, template)
	job := rs.someJob()
	id := itoa(job.ID)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	media0, files0 := rs.mediaState(job.ID)

	r := rs.sshWith(disp, execOpts{stdin: randomBytes(t, 1<<20+1)}, "job", "attach", id, "--name", "big.mov")
	if r.code == 0 || !strings.Contains(r.stderr, "larger than 1 MB") {
		t.Errorf("1 MB + 1 byte: exit %d stderr %q, want refused as larger than 1 MB", r.code, r.stderr)
	}
	expectRemote(t, "1 MB + 1 byte", r, ExitInvalid)
	media, files := rs.mediaState(job.ID)
	if len(media) != len(media0) || !slices.Equal(files, files0) {
		t.Errorf("an attachment over the limit stored something: media %d -> %d, files %v -> %v", len(media0), len(media), files0, files)
	}
	// Exactly the limit is taken.
	r = rs.sshWith(disp, execOpts{stdin: randomBytes(t, 1<<20)}, "job", "attach", id, "--name", "fits.mov")
	expectRemote(t, "exactly 1 MB", r, 0)
	if media, _ := rs.mediaState(job.ID); len(media) != len(media0)+1 {
		t.Errorf("exactly the limit: %d attachments, want %d", len(media), len(media0)+1)
	}
}

func testRemoteLocalOnlyRefused(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	sup := rs.user("sam", store.RoleSupervisor, 0)
	other := filepath.Join(t.TempDir(), "other.db")
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--listen", "127.0.0.1:0"},
		{"seed", "--history", "1y"},
		{"console"},
		{"jobs", "--db", other},
		{"--db", other, "jobs"},
		{"jobs", "--now", "2026-01-01 09:00"},
		{"--now", "2026-01-01 09:00", "quote", "--agency", "grantsville", "--start", "2026-01-01 10:00", "--hours", "2", "--officers", "1"},
		{"jobs", "--demo=false"},
	} {
		r := rs.ssh(sup, args...)
		expectRemote(t, strings.Join(args, " "), r, ExitRefused, "over SSH")
		if r.stdout != "" {
			t.Errorf("%v: stdout %q, want nothing", args, shorten(r.stdout, 200))
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "offduty: ") {
			t.Errorf("%v: stderr should be one plain line: %q", args, r.stderr)
		}
	}
	if _, err := os.Lstat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created over SSH (%v)", other, err)
	}
	// The client's environment never reaches the command: OFFDUTY_DB and
	// OFFDUTY_NOW sent with the request change nothing.
	r := rs.sshWith(sup, execOpts{env: map[string]string{"OFFDUTY_DB": other, "OFFDUTY_NOW": "2026-01-01 09:00"}}, "jobs", "--json")
	expectRemote(t, "jobs with OFFDUTY_DB and OFFDUTY_NOW sent", r, 0)
	if _, err := os.Lstat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created from the client's OFFDUTY_DB (%v)", other, err)
	}
	local := runWith(rs.env, "jobs", "--json") // the server's day, by its clock
	if local.code != 0 || r.stdout != local.stdout {
		t.Errorf("jobs with the client's OFFDUTY_NOW differs from the server's day:\nremote %s\nlocal %s", shorten(r.stdout, 300), shorten(local.stdout, 300))
	}
	// What only reads the database runs: help, man and completions included.
	for _, args := range [][]string{{"help", "serve"}, {"serve", "--help"}, {"man"}, {"completion", "bash"}} {
		r := rs.ssh(sup, args...)
		expectRemote(t, strings.Join(args, " "), r, 0)
		if r.stdout == "" {
			t.Errorf("%v printed nothing", args)
		}
	}
}

func testRemoteUserAdd(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	ctx := context.Background()
	sup := rs.user("sam", store.RoleSupervisor, 0)
	oper := rs.user("olive", store.RoleOperator, 0)
	exists := func(name string) (store.User, bool) {
		u, err := rs.store.UserByName(ctx, name)
		return u, err == nil
	}

	_, k1 := sshKey(t)
	r := rs.ssh(sup, "user", "add", "opal", "--role", "operator", "--key", k1)
	expectRemote(t, "user add --key as supervisor", r, 0)
	if u, ok := exists("opal"); !ok || u.Role != store.RoleOperator {
		t.Errorf("opal: %+v (exists %v), want an operator", u, ok)
	}

	newKey, k2 := sshKey(t)
	r = rs.sshWith(sup, execOpts{stdin: []byte(k2 + "\n")}, "user", "add", "dora", "--role", "dispatcher", "--key-file", "-")
	expectRemote(t, "user add --key-file - as supervisor", r, 0)
	if u, ok := exists("dora"); !ok || u.Role != store.RoleDispatcher {
		t.Fatalf("dora: %+v (exists %v), want a dispatcher", u, ok)
	}
	// The key sent on stdin signs dora in.
	r = rs.ssh(newKey, "jobs", "--json")
	expectRemote(t, "jobs as dora", r, 0)

	// An operator may not add users, with either kind of key.
	_, k3 := sshKey(t)
	r = rs.ssh(oper, "user", "add", "xavier", "--role", "operator", "--key", k3)
	expectRemote(t, "user add --key as operator", r, ExitRefused)
	r = rs.sshWith(oper, execOpts{stdin: []byte(k3 + "\n")}, "user", "add", "xavier", "--role", "supervisor", "--key-file", "-")
	expectRemote(t, "user add --key-file - as operator", r, ExitRefused)
	if _, ok := exists("xavier"); ok {
		t.Errorf("an operator added xavier")
	}

	// --key-file FILE names a file of the server: refused before it is read.
	for _, path := range []string{"/etc/passwd", filepath.Join(t.TempDir(), "id.pub")} {
		r = rs.ssh(sup, "user", "add", "yuri", "--role", "operator", "--key-file", path)
		expectRemote(t, "user add --key-file "+path, r, ExitRefused, "over SSH no file of the server is read", "--key-file -")
	}
	if _, ok := exists("yuri"); ok {
		t.Errorf("yuri was added from a server file")
	}
}

func testRemoteExitStatus(t *testing.T, template map[string]string) {
	rs := startRemote(t, template)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	quoteArgs := []string{"quote", "--agency", "west-valley-city", "--start", "2026-12-12 21:00", "--hours", "4", "--officers", "2"}

	r := rs.ssh(disp, quoteArgs...)
	expectRemote(t, "bookable quote", r, ExitOK)
	if !strings.Contains(r.stdout, "Bookable.") {
		t.Errorf("bookable quote:\n%s", r.stdout)
	}
	r = rs.ssh(disp, append(quoteArgs, "--venue", "alcohol")...)
	expectRemote(t, "prohibited venue", r, ExitRefused, "not bookable", "alcoholic beverages are dispensed")
	if !strings.Contains(r.stdout, "Not bookable.") {
		t.Errorf("prohibited venue: stdout should still show the quote:\n%s", r.stdout)
	}
	r = rs.ssh(disp, "quote", "--agency", "west-valley-city", "--start", "2026-12-12 21:00", "--hours", "4", "--officers", "0")
	expectRemote(t, "invalid input", r, ExitInvalid, "--officers must be at least 1")
	r = rs.ssh(disp, "frobnicate")
	expectRemote(t, "unknown command", r, ExitInvalid, `unknown command "frobnicate"`)
	r = rs.ssh(disp, "jobs", "--bogus")
	expectRemote(t, "unknown flag", r, ExitInvalid, "unknown flag")
	// Each status reaches the client as it is, over the same connection too.
	if r := rs.ssh(disp, "invoice", "issue", "#1"); r.code != ExitRefused && r.code != ExitInvalid {
		t.Errorf("invoice issue as a dispatcher: exit %d, want refused", r.code)
	}
	waitFor(t, func() bool {
		return strings.Contains(rs.logs.String(), "exit=2") && strings.Contains(rs.logs.String(), "exit=1")
	},
		"the server logs the exit statuses:\n"+rs.logs.String())
}

func waitFor(t *testing.T, ok func() bool, msg string) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(end) {
			t.Error(msg)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testRemoteHelpGoesToTheClient(t *testing.T, template map[string]string) {
	// The server's own stdout is a pipe here, set before the server starts
	// (its goroutines read os.Stdout) and put back after it stops.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	serverOut := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(pr)
		serverOut <- b
	}()
	saved := os.Stdout
	os.Stdout = pw
	t.Cleanup(func() {
		os.Stdout = saved
		pw.Close()
		if b := <-serverOut; len(b) > 0 {
			t.Errorf("the server's stdout got %d bytes:\n%s", len(b), shorten(string(b), 500))
		}
	})
	rs := startRemote(t, template)
	cust := rs.user("mallcop", store.RoleCustomer, rs.someJob().CustomerID)

	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"USAGE", "invoice", "jobs", "quote"}},
		{[]string{"-h"}, []string{"USAGE"}},
		{[]string{"help", "invoice", "export"}, []string{"USAGE", "--format"}},
		{[]string{"jobs", "--help"}, []string{"--date", "--json"}},
		{[]string{"man"}, []string{".TH", "offduty"}},
		{[]string{"completion", "bash"}, []string{"bash completion"}},
		{[]string{"--version"}, []string{"offduty"}},
	} {
		r := rs.ssh(cust, c.args...)
		expectRemote(t, strings.Join(c.args, " "), r, 0)
		if r.stderr != "" {
			t.Errorf("%v: stderr %q", c.args, r.stderr)
		}
		for _, w := range c.want { // any case: "USAGE" (fang) or "Usage:" (cobra)
			if !strings.Contains(strings.ToLower(r.stdout), strings.ToLower(w)) {
				t.Errorf("%v: the client's stdout lacks %q:\n%s", c.args, w, shorten(r.stdout, 600))
			}
		}
		if strings.Contains(r.stdout, "\x1b[") {
			t.Errorf("%v: a client without a terminal got escape sequences:\n%q", c.args, shorten(r.stdout, 300))
		}
	}
}

// openPTY opens a pseudo-terminal pair (Linux: /dev/ptmx), or skips the test.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("the pseudo-terminal helper knows Linux on amd64 and arm64 only")
	}
	const (
		tiocsptlck = 0x40045431 // _IOW('T', 0x31, int)
		tiocgptn   = 0x80045430 // _IOR('T', 0x30, unsigned int)
	)
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), tiocsptlck, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Skipf("unlockpt: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), tiocgptn, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Skipf("ptsname: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+itoa(int64(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open the pseudo-terminal: %v", err)
	}
	return m, s
}

// An operator who starts "offduty serve" in a terminal keeps that terminal:
// no exec request writes to it, reads from it or changes its mode, and none
// waits on it.
func testRemoteServerTerminalUntouched(t *testing.T, template map[string]string) {
	master, slave := openPTY(t)
	screen := &lockedBuffer{}
	go io.Copy(screen, master)
	// The server's stdin and stdout are the terminal, set before the server
	// starts (its goroutines read them) and put back after it stops.
	savedIn, savedOut := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = slave, slave
	t.Cleanup(func() {
		os.Stdin, os.Stdout = savedIn, savedOut
		slave.Close()
		master.Close()
	})
	rs := startRemote(t, template)
	key := rs.user("sam", store.RoleSupervisor, 0)
	for _, args := range [][]string{{"--help"}, {"jobs", "--bogus"}, {"frobnicate"}, {"jobs", "--json"}} {
		start := time.Now()
		r := rs.ssh(key, args...)
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("%v took %s (exit %d)", args, d.Round(time.Millisecond), r.code)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if got := screen.String(); got != "" {
		t.Errorf("the server's terminal got %q", shorten(got, 300))
	}
}
