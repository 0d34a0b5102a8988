// Package sshd serves the dispatch console over SSH: one Bubble Tea program
// per session, for users of the database who sign in with a public key.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"offduty/store"
	"offduty/ui"
)

// Defaults of the Config.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	// HostKeyName is the host key's file name, beside the database by default.
	HostKeyName = "ssh_host_ed25519_key"
	// handshakeTimeout bounds a connection that has not signed in yet.
	handshakeTimeout = 30 * time.Second
)

// sessionFPS is how often a session's Bubble Tea program writes out the
// terminal queries it has queued (the background colour asked at start).
// Frames do not wait for it: the session's screen draws each one as soon as
// the console has it (see screen). 20 a second costs an idle session
// almost nothing, where Bubble Tea's renderer woke 120 times a second.
var sessionFPS = 20

// ErrServerClosed is what Serve and ListenAndServe return after Shutdown.
var ErrServerClosed = ssh.ErrServerClosed

// Config configures the server.
type Config struct {
	Listen      string        // address to listen on; DefaultListen if empty ("127.0.0.1:0" picks a port)
	HostKeyPath string        // host key file, created (mode 0600) if missing; default beside the database
	IdleTimeout time.Duration // a session with no key pressed for this long is closed; 0 is DefaultIdleTimeout, <0 never
	MaxSessions int           // sessions open at once; 0 is no limit
	Store       *store.Store  // the database (required)
	Now         func() time.Time
	Loc         *time.Location // office zone
	Logger      *log.Logger    // connects, disconnects and refusals; nil discards them
	// PublicAddress is the server as users reach it (HOST:PORT), named in
	// the commands the console shows for files; default Listen.
	PublicAddress string
	// Exec runs an exec request ("ssh HOST COMMAND ...") as the signed-in
	// user and returns its exit status; nil refuses exec requests.
	Exec func(ctx context.Context, r ExecRequest) int
}

// ExecRequest is an SSH exec request of a signed-in user: the command's
// arguments, the session's streams, and whether it has a terminal.
type ExecRequest struct {
	Args           []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	User           store.User
	PTY            bool
}

// Server is the SSH server.
type Server struct {
	cfg         Config
	log         *log.Logger
	srv         *ssh.Server
	fingerprint string // of the host key

	failures failures // recent failed sign-ins per source address

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	sessions  map[ssh.Session]*session
	active    int            // sessions holding a slot (counted against MaxSessions)
	wg        sync.WaitGroup // every session handler under way
}

// session is one signed-in SSH session.
type session struct {
	user      store.User
	key       ssh.PublicKey // the key it signed in with
	fp        string
	remote    string
	start     time.Time
	lastInput atomic.Int64 // unix nanoseconds of the last byte the client typed

	// guarded by Server.mu
	prog   *tea.Program
	screen *screen
	reason string // why the server ended it: "idle", "shutdown" or "refused"
}

// New prepares a server: it loads or creates the host key; it does not listen.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("sshd: Config.Store is required")
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.Local
	}
	if cfg.PublicAddress == "" {
		cfg.PublicAddress = cfg.Listen
	}
	if cfg.HostKeyPath == "" {
		if cfg.Store.Postgres() {
			return nil, fmt.Errorf("sshd: on PostgreSQL there is no folder beside the database: give the host key's path")
		}
		cfg.HostKeyPath = DefaultHostKeyPath(cfg.Store.Path())
	}
	if cfg.MaxSessions < 0 {
		return nil, fmt.Errorf("sshd: MaxSessions must be 0 (no limit) or more, got %d", cfg.MaxSessions)
	}
	lg := cfg.Logger
	if lg == nil {
		lg = log.New(io.Discard)
	}
	s := &Server{cfg: cfg, log: lg, listeners: map[net.Listener]struct{}{}, sessions: map[ssh.Session]*session{}}

	pemBytes, created, oldMode, err := ensureHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("sshd: host key %s: %w", cfg.HostKeyPath, err)
	}
	s.fingerprint = gossh.FingerprintSHA256(signer.PublicKey())
	if created {
		lg.Info("host key created", "path", cfg.HostKeyPath, "fingerprint", s.fingerprint)
	}
	if oldMode != 0 {
		lg.Warn("host key mode fixed to 0600", "path", cfg.HostKeyPath, "was", fmt.Sprintf("%04o", oldMode))
	}

	// Middlewares run last to first: identify, session limit, an exec
	// request's command, else the PTY check and the console.
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithVersion("offduty"), // not a bare "SSH-2.0-Go"
		wish.WithHostKeyPEM(pemBytes),
		wish.WithPublicKeyAuth(s.authKey), // public keys only: no password, no keyboard-interactive
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			activeterm.Middleware(),
			s.requirePTY,
			s.exec,
			s.limit,
			s.identify,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("sshd: %w", err)
	}
	srv.HandshakeTimeout = handshakeTimeout
	if cfg.IdleTimeout > 0 {
		// A session's idle time is its typing (watchIdle); a connection
		// with no traffic at all (no session, or a vanished client) goes a
		// minute later, without a message.
		srv.IdleTimeout = cfg.IdleTimeout + time.Minute
	}
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		lg.Debug("connection failed", "remote", c.RemoteAddr().String(), "err", err)
	}
	s.srv = srv
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the host key, as ssh shows it.
func (s *Server) HostKeyFingerprint() string { return s.fingerprint }

// HostKeyPath is the host key file in use.
func (s *Server) HostKeyPath() string { return s.cfg.HostKeyPath }

// Listen binds Config.Listen; Serve it with Serve, or use ListenAndServe.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("sshd: %w", err)
	}
	return ln, nil
}

// ListenAndServe listens on Config.Listen and serves until Shutdown, after
// which it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown, after which it returns
// ErrServerClosed. Tests listen on "127.0.0.1:0" and pass the listener.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	s.log.Info("listening", "addr", ln.Addr().String(), "host-key", s.cfg.HostKeyPath, "fingerprint", s.fingerprint,
		"max-sessions", s.cfg.MaxSessions, "idle-timeout", s.cfg.IdleTimeout)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go s.watchUsers(watchCtx)
	err := s.srv.Serve(ln)
	s.mu.Lock()
	closing := s.closing
	delete(s.listeners, ln)
	s.mu.Unlock()
	if closing {
		return ErrServerClosed
	}
	return err
}

// Addr is the address of a listener being served (nil before Serve).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		return ln.Addr()
	}
	return nil
}

// Sessions is the number of sessions open now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Shutdown stops accepting connections, tells every session the server is
// going away (their console quits and the message is left on the screen),
// and waits for the sessions to end, until ctx is done; then it closes
// whatever connections are left. It returns ctx's error if sessions were
// still running when ctx ended.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	open := make([]*session, 0, len(s.sessions))
	for _, st := range s.sessions {
		open = append(open, st)
	}
	s.mu.Unlock()
	if len(open) > 0 {
		s.log.Info("shutting down", "sessions", len(open))
	}
	for _, st := range open {
		s.end(st, "shutdown")
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.log.Warn("shutdown: sessions still open, closing their connections", "sessions", s.Sessions())
	}
	if cerr := s.srv.Close(); err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// end asks a session's console to quit, for a reason its user is told.
func (s *Server) end(st *session, reason string) {
	s.mu.Lock()
	if st.reason == "" {
		st.reason = reason
	}
	p := st.prog
	s.mu.Unlock()
	if p != nil {
		go p.Quit() // blocks until the program reads it, or ends
	}
}

// authKey is the public-key check: only keys of users in the database get
// in. A refusal is slowed by a delay that grows with the source address's
// recent failures (see failures): guessing is slow, while a key that works
// is never delayed, whatever its address did before (users forwarded
// through the machine's own SSH server all come from 127.0.0.1).
func (s *Server) authKey(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	u, err := s.cfg.Store.UserByKey(ctx, key)
	if err != nil {
		host := hostOf(ctx.RemoteAddr())
		delay := s.failures.fail(host, time.Now())
		if store.ErrorCode(err) == store.ENotFound {
			s.log.Warn("refused", "reason", "unknown key", "fingerprint", fp, "key-type", key.Type(),
				"login", ctx.User(), "remote", ctx.RemoteAddr().String(), "delay", delay)
		} else {
			s.log.Error("refused", "reason", "key lookup failed", "fingerprint", fp, "remote", ctx.RemoteAddr().String(), "err", err)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
		return false
	}
	s.log.Debug("key accepted", "user", u.Name, "fingerprint", fp)
	return true
}

func hostOf(a net.Addr) string {
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// Failed sign-ins are remembered per source address for failureWindow; the
// first freeFailures cost nothing (a client offers several keys), then each
// costs firstDelay, doubling, up to maxDelay.
const (
	failureWindow = 10 * time.Minute
	freeFailures  = 3
	firstDelay    = 250 * time.Millisecond
	maxDelay      = 5 * time.Second
)

// failures counts recent failed sign-ins per source address.
type failures struct {
	mu sync.Mutex
	by map[string][]time.Time
}

// fail records a failure from host at now and returns how long to delay
// the answer.
func (f *failures) fail(host string, now time.Time) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by == nil {
		f.by = map[string][]time.Time{}
	}
	recent := f.by[host][:0]
	for _, t := range f.by[host] {
		if now.Sub(t) < failureWindow {
			recent = append(recent, t)
		}
	}
	recent = append(recent, now)
	if len(recent) > 64 {
		recent = recent[len(recent)-64:]
	}
	f.by[host] = recent
	if len(f.by) > 10000 { // forget the quiet ones
		for h, ts := range f.by {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= failureWindow {
				delete(f.by, h)
			}
		}
	}
	return delayFor(len(recent))
}

// delayFor is the delay after n recent failures.
func delayFor(n int) time.Duration {
	if n <= freeFailures {
		return 0
	}
	d := firstDelay
	for i := freeFailures + 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// identify finds the user of the key the session signed in with, logs the
// connect and disconnect, and tells the user why the server ended a session.
func (s *Server) identify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		remote := sess.RemoteAddr().String()
		key := sess.PublicKey()
		if key == nil {
			s.log.Warn("refused", "reason", "no public key", "remote", remote)
			wish.Fatalln(sess, "offduty: sign in with a public key")
			return
		}
		fp := gossh.FingerprintSHA256(key)
		// Looked up again: the key handler may have seen other keys first,
		// and the user may have been removed since.
		u, err := s.cfg.Store.UserByKey(sess.Context(), key)
		if err != nil {
			s.log.Warn("refused", "reason", "unknown key", "fingerprint", fp, "remote", remote, "err", err)
			wish.Fatalln(sess, "offduty: this key does not belong to a user")
			return
		}
		st := &session{user: u, key: key, fp: fp, remote: remote, start: time.Now()}
		st.lastInput.Store(st.start.UnixNano())
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			s.log.Info("refused", "reason", "shutting down", "user", u.Name, "remote", remote)
			wish.Fatalln(sess, "offduty: the server is shutting down; connect again in a moment")
			return
		}
		s.sessions[sess] = st
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.sessions, sess)
			s.mu.Unlock()
		}()

		pty, _, _ := sess.Pty()
		s.log.Info("connect", "user", u.Name, "role", u.Role, "account", u.CustomerID, "remote", remote, "fingerprint", fp,
			"term", pty.Term, "width", pty.Window.Width, "height", pty.Window.Height)

		stop := s.watchIdle(st)
		next(sess)
		stop()

		s.mu.Lock()
		why := st.reason
		s.mu.Unlock()
		switch {
		case why == "shutdown":
			wish.Println(sess, "\noffduty: the server is shutting down; this session has ended.")
		case why == "idle":
			wish.Printf(sess, "\noffduty: nothing typed for %s; this session has ended.\n", s.cfg.IdleTimeout)
		case why == "removed":
			wish.Println(sess, "\noffduty: your access was removed; this session has ended.")
		case why == "changed":
			wish.Println(sess, "\noffduty: your role or account changed; sign in again.")
		case why != "": // refused, and told why
		case sess.Context().Err() != nil:
			why = "connection closed"
		default:
			why = "quit"
		}
		s.log.Info("disconnect", "user", u.Name, "role", u.Role, "remote", remote, "duration", time.Since(st.start).Round(time.Millisecond), "reason", why)
	}
}

// watchIdle ends the session when nothing has been typed for IdleTimeout.
func (s *Server) watchIdle(st *session) (stop func()) {
	d := s.cfg.IdleTimeout
	if d <= 0 {
		return func() {}
	}
	var mu sync.Mutex
	var t *time.Timer
	var check func()
	check = func() {
		idle := time.Since(time.Unix(0, st.lastInput.Load()))
		mu.Lock()
		defer mu.Unlock()
		if t == nil { // stopped
			return
		}
		if idle >= d {
			s.log.Info("idle timeout", "user", st.user.Name, "remote", st.remote, "idle", idle.Round(time.Second))
			s.end(st, "idle")
			return
		}
		t = time.AfterFunc(d-idle, check)
	}
	mu.Lock()
	t = time.AfterFunc(d, check)
	mu.Unlock()
	return func() {
		mu.Lock()
		t.Stop()
		t = nil
		mu.Unlock()
	}
}

// requirePTY logs sessions without a terminal; activeterm refuses them.
func (s *Server) requirePTY(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			st := s.refused(sess)
			s.log.Warn("refused", "reason", "no pty", "user", st.user.Name, "remote", st.remote, "command", sess.RawCommand())
		}
		next(sess)
		// the console has ended: its last frame, then the terminal as it was
		st := s.lookup(sess)
		s.mu.Lock()
		scr := st.screen
		s.mu.Unlock()
		if scr != nil {
			scr.close()
		}
	}
}

// limit refuses a session over MaxSessions.
func (s *Server) limit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		st := s.lookup(sess)
		s.mu.Lock()
		if max := s.cfg.MaxSessions; max > 0 && s.active >= max {
			s.mu.Unlock()
			s.refused(sess)
			s.log.Warn("refused", "reason", "too many sessions", "user", st.user.Name, "remote", st.remote, "max-sessions", max)
			wish.Fatalf(sess, "offduty: the server is full (%d sessions open, the most it takes); try again later\r\n", max)
			return
		}
		s.active++
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.active--
			s.mu.Unlock()
		}()
		next(sess)
	}
}

// refused marks a session the server turned away (it tells the user why).
func (s *Server) refused(sess ssh.Session) *session {
	st := s.lookup(sess)
	s.mu.Lock()
	if st.reason == "" {
		st.reason = "refused"
	}
	s.mu.Unlock()
	return st
}

func (s *Server) lookup(sess ssh.Session) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.sessions[sess]; st != nil {
		return st
	}
	return &session{remote: sess.RemoteAddr().String()}
}

// program builds the session's console: the user's role and account, the
// session's PTY size and colour profile; a nil program (the server is
// closing, or the session already ended) skips it.
func (s *Server) program(sess ssh.Session) *tea.Program {
	st := s.lookup(sess)
	m := ui.New(ui.Options{
		Store:         s.cfg.Store,
		Now:           s.cfg.Now,
		Loc:           s.cfg.Loc,
		Actor:         store.SSHActor(st.user.Name),
		Role:          st.user.Role,
		CustomerID:    st.user.CustomerID,
		Remote:        true,
		PublicAddress: s.cfg.PublicAddress,
		Context:       sess.Context(),
	})
	// The session's screen draws the console (see screen); Bubble Tea's
	// program writes only its queries, through the same writer.
	pty, _, _ := sess.Pty()
	env := append(sess.Environ(), "TERM="+pty.Term)
	out := &sessionWriter{w: sess}
	scr := newScreen(out, env, pty.Window.Width, pty.Window.Height, colorprofile.Env(env))
	opts := append(bm.MakeOptions(sess),
		tea.WithInput(&typing{r: sess, st: st}), // the session's input, watched for the idle timeout
		tea.WithOutput(out),
		tea.WithoutRenderer(),
		tea.WithoutSignalHandler(), // the server's signals are not the session's
		tea.WithFPS(sessionFPS),
	)
	p := tea.NewProgram(screenModel{m: m, s: scr}, opts...)
	scr.mu.Lock()
	scr.fail = func(r any) {
		s.log.Error("drawing failed", "user", st.user.Name, "remote", st.remote, "panic", r, "stack", string(debug.Stack()))
		go p.Kill()
	}
	scr.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || st.reason != "" {
		if st.reason == "" {
			st.reason = "shutdown"
		}
		scr.closeQuiet()
		return nil
	}
	st.prog, st.screen = p, scr
	return p
}

// sessionWriter is a session's output, written whole by one goroutine at a
// time (an SSH channel's Write is not safe for two at once).
type sessionWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *sessionWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// typing is the session's input; it notes when the user last typed.
type typing struct {
	r  io.Reader
	st *session
}

func (t *typing) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.st.lastInput.Store(time.Now().UnixNano())
	}
	return n, err
}

// exec runs an exec request ("ssh HOST jobs --json") through Config.Exec as
// the signed-in user: the session's stdin, stdout and stderr are the
// command's, and its exit status goes back to the client. A session without
// a command goes on to the console.
func (s *Server) exec(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 {
			next(sess)
			return
		}
		st := s.lookup(sess)
		if s.cfg.Exec == nil {
			s.refused(sess)
			wish.Fatalln(sess, "offduty: this server runs no commands; connect with a terminal for the console")
			return
		}
		_, _, pty := sess.Pty()
		var out, errw io.Writer = sess, sess.Stderr()
		if pty { // the client's terminal is raw: a line feed alone would not return the carriage
			out, errw = &crlf{w: out}, &crlf{w: errw}
		}
		start := time.Now()
		code := s.cfg.Exec(sess.Context(), ExecRequest{Args: args, Stdin: &typing{r: sess, st: st}, Stdout: out, Stderr: errw, User: st.user, PTY: pty})
		s.log.Info("exec", "user", st.user.Name, "role", st.user.Role, "remote", st.remote, "command", args[0], "args", len(args)-1,
			"exit", code, "duration", time.Since(start).Round(time.Millisecond))
		s.mu.Lock()
		if st.reason == "" {
			st.reason = fmt.Sprintf("exec %s, exit %d", args[0], code)
		}
		s.mu.Unlock()
		_ = sess.Exit(code)
	}
}

// crlf writes "\n" as "\r\n", for output to a raw terminal.
type crlf struct{ w io.Writer }

func (c *crlf) Write(p []byte) (int, error) {
	var b []byte
	for i, ch := range p {
		if ch == '\n' && (i == 0 || p[i-1] != '\r') {
			b = append(b, '\r')
		}
		b = append(b, ch)
	}
	if _, err := c.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// watchUsers ends, within seconds, the sessions of users who were removed,
// lost the key they signed in with, or changed role or account (they may
// sign in again to get the new ones): on every change to the database, and
// every few seconds.
func (s *Server) watchUsers(ctx context.Context) {
	for ctx.Err() == nil {
		s.cfg.Store.WaitChange(ctx, 3*time.Second)
		s.mu.Lock()
		open := make([]*session, 0, len(s.sessions))
		for _, st := range s.sessions {
			if st.reason == "" {
				open = append(open, st)
			}
		}
		s.mu.Unlock()
		for _, st := range open {
			if st.user.Name == "" || st.key == nil {
				continue
			}
			u, err := s.cfg.Store.UserByKey(ctx, st.key)
			switch {
			case store.ErrorCode(err) == store.ENotFound:
				s.log.Info("session ended", "reason", "user or key removed", "user", st.user.Name, "remote", st.remote)
				s.end(st, "removed")
			case err != nil:
			case u.Name != st.user.Name || u.Role != st.user.Role || u.CustomerID != st.user.CustomerID:
				s.log.Info("session ended", "reason", "role or account changed", "user", st.user.Name, "remote", st.remote)
				s.end(st, "changed")
			}
		}
		select { // at most a couple of scans a second, however busy the database
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}
