package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

// The fixed clock of the tests: Thanksgiving morning in the office.
var (
	denver, _ = time.LoadLocation(seed.Zone)
	testNow   = time.Date(2026, 11, 26, 9, 0, 0, 0, denver)
)

// local is the actor of test set-up: the machine's operator, who may do anything.
const local = "test (local)"

// templateDB is a seeded database made once per run; each test copies it.
var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

func TestMain(m *testing.M) {
	storetest.Main(&cleanupM{m})
}

// TestPostgreSQLRun says which engine this run is on, or that the
// PostgreSQL run is skipped.
func TestPostgreSQLRun(t *testing.T) { storetest.ReportRun(t) }

// cleanupM removes the template folder after the run.
type cleanupM struct{ m *testing.M }

func (c *cleanupM) Run() int {
	code := c.m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	return code
}

// seedDemo gives a new database the agencies and the demo data.
func seedDemo(db string) error {
	ctx := context.Background()
	s, err := store.Open(db, store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		return err
	}
	return seed.Demo(ctx, s, testNow)
}

func seededStore(t testing.TB) *store.Store {
	t.Helper()
	if storetest.Postgres() {
		s, err := store.Open(storetest.FromTemplate(t, "demo", seedDemo), store.WithClock(func() time.Time { return testNow }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "offduty-sshd-template-")
		if templateErr != nil {
			return
		}
		ctx := context.Background()
		s, err := store.Open(filepath.Join(templateDir, "offduty.db"), store.WithClock(func() time.Time { return testNow }))
		if err != nil {
			templateErr = err
			return
		}
		defer s.Close()
		if _, err := seed.EnsureAgencies(ctx, s); err != nil {
			templateErr = err
			return
		}
		templateErr = seed.Demo(ctx, s, testNow)
	})
	if templateErr != nil {
		t.Fatalf("seed: %v", templateErr)
	}
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(templateDir, "offduty.db"+suffix))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "offduty.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := store.Open(filepath.Join(dir, "offduty.db"), store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// syncBuffer is a log sink the tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testServer is a server on 127.0.0.1:0 with its log.
type testServer struct {
	*Server
	store *store.Store
	logs  *syncBuffer
	addr  string
	done  chan error // Serve's result
}

func startServer(t testing.TB, st *store.Store, edit func(*Config)) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	lg := log.NewWithOptions(logs, log.Options{Formatter: log.LogfmtFormatter, Level: log.DebugLevel})
	cfg := Config{
		Listen:      "127.0.0.1:0",
		HostKeyPath: filepath.Join(t.TempDir(), HostKeyName),
		Store:       st,
		Now:         func() time.Time { return testNow },
		Loc:         denver,
		Logger:      lg,
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, store: st, logs: logs, addr: ln.Addr().String(), done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return ts
}

// newKey makes an ed25519 key pair: the signer and its authorized_keys line.
func newKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " test@host"
}

// addUser creates a user with a new key and returns the key's signer.
func addUser(t testing.TB, st *store.Store, name, role string, customerID int64) gossh.Signer {
	t.Helper()
	signer, line := newKey(t)
	if _, err := st.CreateUser(context.Background(), local, name, role, customerID, []string{line}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return signer
}

func dial(addr string, signer gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "anyone",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
}

// term is a client session with a PTY: what it sends and what it got.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu     sync.Mutex
	out    bytes.Buffer
	stderr bytes.Buffer
	reads  []chunk // every read, with its time
	more   chan struct{}
	ended  chan struct{} // the session's output is closed
	err    error         // from Wait
}

type chunk struct {
	at time.Time
	n  int
	b  []byte
}

const (
	termRows = 40
	termCols = 120
)

// connect signs in and opens a shell with a 120x40 xterm-256color PTY.
func connect(t testing.TB, addr string, signer gossh.Signer) *term {
	t.Helper()
	tm, err := openTerm(t, addr, signer, true)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func openTerm(t testing.TB, addr string, signer gossh.Signer, pty bool) (*term, error) {
	client, err := dial(addr, signer)
	if err != nil {
		return nil, err
	}
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		return nil, err
	}
	tm := &term{t: t, client: client, sess: sess, more: make(chan struct{}, 1), ended: make(chan struct{})}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return nil, err
	}
	sess.Stderr = &lockedWriter{mu: &tm.mu, w: &tm.stderr}
	if tm.in, err = sess.StdinPipe(); err != nil {
		return nil, err
	}
	if pty {
		modes := gossh.TerminalModes{gossh.ECHO: 0, gossh.TTY_OP_ISPEED: 38400, gossh.TTY_OP_OSPEED: 38400}
		if err := sess.RequestPty("xterm-256color", termRows, termCols, modes); err != nil {
			client.Close()
			return nil, err
		}
	}
	if err := sess.Shell(); err != nil {
		client.Close()
		return nil, err
	}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				now := time.Now()
				tm.mu.Lock()
				tm.out.Write(buf[:n])
				tm.reads = append(tm.reads, chunk{at: now, n: n, b: append([]byte(nil), buf[:n]...)})
				tm.mu.Unlock()
				select {
				case tm.more <- struct{}{}:
				default:
				}
			}
			if err != nil {
				break
			}
		}
		werr := sess.Wait()
		tm.mu.Lock()
		tm.err = werr
		tm.mu.Unlock()
		close(tm.ended)
	}()
	t.Cleanup(tm.close)
	return tm, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
}

// send types keys.
func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Errorf("send %q: %v", keys, err)
	}
}

// text is everything shown so far, terminal sequences removed.
func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.out.String())
}

func (tm *term) errText() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.stderr.String()
}

func (tm *term) outLen() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.Len()
}

// textSince is what was shown after the first n bytes.
func (tm *term) textSince(n int) string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(string(tm.out.Bytes()[n:]))
}

// waitFor waits until the screen shows every one of want.
func (tm *term) waitFor(d time.Duration, want ...string) bool {
	return tm.waitForSince(0, d, want...)
}

func (tm *term) waitForSince(from int, d time.Duration, want ...string) bool {
	deadline := time.After(d)
	for {
		txt := tm.textSince(from)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(txt, w)
		}
		if ok {
			return true
		}
		select {
		case <-tm.more:
		case <-tm.ended:
			txt := tm.textSince(from)
			for _, w := range want {
				if !strings.Contains(txt, w) {
					return false
				}
			}
			return true
		case <-deadline:
			return false
		}
	}
}

// settle waits until the output has been quiet for quiet (at most max).
func (tm *term) settle(quiet, max time.Duration) {
	end := time.Now().Add(max)
	for time.Now().Before(end) {
		select {
		case <-tm.more:
		case <-tm.ended:
			return
		case <-time.After(quiet):
			return
		}
	}
}

// wait waits for the session to end and returns its exit error.
func (tm *term) wait(d time.Duration) (error, bool) {
	select {
	case <-tm.ended:
		tm.mu.Lock()
		defer tm.mu.Unlock()
		return tm.err, true
	case <-time.After(d):
		return nil, false
	}
}

func fingerprint(s gossh.Signer) string { return gossh.FingerprintSHA256(s.PublicKey()) }

// keys the tests type
const (
	keyTab   = "\t"
	keyEnter = "\r"
	keyEsc   = "\x1b"
	keyUp    = "\x1b[A"
	keyDown  = "\x1b[B"
	keyRight = "\x1b[C"
	keyLeft  = "\x1b[D"
	keyCtrlC = "\x03"
)

func mustNotErr(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
