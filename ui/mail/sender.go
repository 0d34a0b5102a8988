// Package mail delivers the outbox: a Sender claims the messages due (so
// that two senders, in one process or several, never both take one), sends
// each through the office's SMTP relay, and records the outcome in the
// store: sent, or tried again later with a growing wait, or failed at once
// when the relay refuses it for good. Schedule writes the messages the
// clock owes (reminders, rosters) every minute.
//
// Delivery is at least once: a sender that dies between the relay's
// acceptance and the store's record leaves the message to be sent again
// when its claim runs out, with the same Message-ID.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"offduty/store"
	"offduty/ui/export"
)

// STARTTLS modes.
const (
	StartTLSAuto   = "auto"   // encrypt when the relay offers STARTTLS
	StartTLSAlways = "always" // refuse a relay that does not offer it
	StartTLSNever  = "never"  // plain connection (a relay on this machine)
)

// Environment variables holding the relay's credentials (never flags: a
// flag shows in the process list and the shell's history).
const (
	EnvUser     = "OFFDUTY_SMTP_USER"
	EnvPassword = "OFFDUTY_SMTP_PASSWORD"
)

// Defaults.
const (
	DefaultLease   = 10 * time.Minute // a claim's length
	DefaultTimeout = 30 * time.Second // connecting, and each command
	DefaultBatch   = 20               // messages claimed at once
	DefaultPoll    = 30 * time.Second // Run looks for due messages at least this often
	MinBackoff     = time.Minute      // the first retry's wait, doubled each time
	MaxBackoff     = time.Hour        // up to this
)

// Actor is who the sender acts as in the store: not a user name (it holds
// a space), so the store takes it for the machine's own operator.
const Actor = "offduty mail"

// Logger is what the sender logs to (charm.land/log's *Logger fits).
type Logger interface {
	Info(msg any, keyvals ...any)
	Warn(msg any, keyvals ...any)
	Error(msg any, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Info(any, ...any)  {}
func (nopLogger) Warn(any, ...any)  {}
func (nopLogger) Error(any, ...any) {}

// Config configures a Sender.
type Config struct {
	Store *store.Store
	// Relay is the office's SMTP relay, HOST:PORT.
	Relay string
	// StartTLS is StartTLSAuto (the default), StartTLSAlways or StartTLSNever.
	StartTLS string
	// TLS configures the encrypted connection (nil: the system's roots, the
	// relay's host name checked).
	TLS *tls.Config
	// Username and Password, when set, sign in with AUTH PLAIN: over an
	// encrypted connection, or in the clear only to a relay on loopback.
	Username, Password string
	// Name is this sender's name on its claims (default HOST:PID).
	Name string
	// Hello is the name given in EHLO (default this machine's host name).
	Hello   string
	Batch   int
	Lease   time.Duration
	Timeout time.Duration
	// Loc is the zone of the Date header (default UTC).
	Loc    *time.Location
	Logger Logger
}

// FromEnv reads the relay's credentials from the environment.
func (c *Config) FromEnv(getenv func(string) string) {
	c.Username, c.Password = getenv(EnvUser), getenv(EnvPassword)
}

// Sender delivers the outbox through one relay.
type Sender struct {
	cfg  Config
	host string
	log  Logger

	mu       sync.Mutex
	noSender bool // "no sender address" was logged and still holds
}

// Report counts what one pass did.
type Report struct {
	Sent    int // accepted by the relay
	Retry   int // failed for now: tried again later
	Failed  int // refused for good (or after store.MaxAttempts)
	Skipped int // their claim ran short before they were sent: left to the next pass
}

func (r Report) String() string {
	return fmt.Sprintf("%d sent, %d to retry, %d failed", r.Sent, r.Retry, r.Failed)
}

// New checks the configuration and makes a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Store == nil {
		return nil, errors.New("mail: no store")
	}
	host, port, err := net.SplitHostPort(cfg.Relay)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("the relay: want HOST:PORT such as mail.example.com:587, got %q", cfg.Relay)
	}
	switch cfg.StartTLS {
	case "":
		cfg.StartTLS = StartTLSAuto
	case StartTLSAuto, StartTLSAlways, StartTLSNever:
	default:
		return nil, fmt.Errorf("starttls: auto, always or never, got %q", cfg.StartTLS)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, fmt.Errorf("credentials: set both %s and %s, or neither", EnvUser, EnvPassword)
	}
	if cfg.Username != "" && cfg.StartTLS == StartTLSNever && !loopback(host) {
		return nil, fmt.Errorf("credentials would cross the network in the clear: --starttls never is for a relay on this machine; use auto or always")
	}
	if cfg.Name == "" {
		h, _ := os.Hostname()
		if h == "" {
			h = "localhost"
		}
		cfg.Name = fmt.Sprintf("%s:%d", h, os.Getpid())
	}
	if cfg.Hello == "" {
		cfg.Hello, _ = os.Hostname()
		if cfg.Hello == "" || strings.ContainsAny(cfg.Hello, " \r\n") {
			cfg.Hello = "localhost"
		}
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	lg := cfg.Logger
	if lg == nil {
		lg = nopLogger{}
	}
	return &Sender{cfg: cfg, host: host, log: lg}, nil
}

// Name is the sender's name on its claims.
func (s *Sender) Name() string { return s.cfg.Name }

// Backoff is the wait before the next try of a message that failed after
// attempts earlier tries: a minute, doubled each time, at most an hour.
func Backoff(attempts int) time.Duration {
	d := MinBackoff
	for i := 0; i < attempts && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// SendDue sends every message due now, a batch at a time, and reports what
// it did. With no sender address in the office's settings it sends
// nothing (and logs that once).
func (s *Sender) SendDue(ctx context.Context) (Report, error) {
	var rep Report
	st := s.cfg.Store
	o, err := st.Settings(ctx)
	if err != nil {
		return rep, err
	}
	s.mu.Lock()
	if o.Sender == "" {
		if !s.noSender {
			s.log.Warn("no sender address in the office's settings: nothing is sent (offduty settings set sender ADDRESS)")
		}
		s.noSender = true
		s.mu.Unlock()
		return rep, nil
	}
	if s.noSender {
		s.log.Info("sender address set: sending", "from", o.Sender)
	}
	s.noSender = false
	s.mu.Unlock()
	for ctx.Err() == nil {
		claimed := st.Now()
		msgs, err := st.ClaimMessages(ctx, s.cfg.Name, s.cfg.Batch, s.cfg.Lease)
		if err != nil {
			return rep, err
		}
		if len(msgs) == 0 {
			break
		}
		s.sendBatch(ctx, o, msgs, claimed.Add(s.cfg.Lease/2), time.Now(), &rep)
		if len(msgs) < s.cfg.Batch {
			break
		}
	}
	return rep, ctx.Err()
}

// sendBatch sends claimed messages over one connection (made again after
// a broken one). A message is begun only while less than half its claim
// has run (by the store's clock and by the real one, claimed at start), and
// the connection does nothing past nine tenths of the claim: no other
// sender can take a message before its claim runs out, so none sends one
// this sender is sending.
func (s *Sender) sendBatch(ctx context.Context, o store.OfficeSettings, msgs []store.Message, until, start time.Time, rep *Report) {
	st := s.cfg.Store
	var c *smtp.Client
	var connErr error
	defer func() {
		if c != nil {
			if err := c.Quit(); err != nil {
				c.Close()
			}
		}
	}()
	for _, m := range msgs {
		if ctx.Err() != nil || !st.Now().Before(until) || time.Since(start) >= s.cfg.Lease/2 {
			rep.Skipped++ // left claimed: another pass takes it when the claim runs out
			continue
		}
		data, perm, err := s.compose(ctx, m, o)
		if err == nil && c == nil && connErr == nil {
			c, connErr = s.connect(ctx, start.Add(s.cfg.Lease*9/10))
		}
		switch {
		case err != nil:
		case connErr != nil:
			err = connErr
		default:
			perm, err = s.deliver(c, o.Sender, m.To, data)
			if err != nil && !isSMTP(err) { // the connection broke: a new one for the next
				c.Close()
				c = nil
			} else if err != nil {
				if rerr := c.Reset(); rerr != nil {
					c.Close()
					c = nil
				}
			}
		}
		s.record(ctx, m, err, perm, rep)
	}
}

// record marks a message sent, or failed for now or for good.
func (s *Sender) record(ctx context.Context, m store.Message, err error, permanent bool, rep *Report) {
	st := s.cfg.Store
	if err == nil {
		if merr := st.MarkSent(ctx, s.cfg.Name, m.ID); merr != nil {
			s.log.Error("sent, but not recorded: it may be sent again (same Message-ID)", "id", m.ID, "to", m.To, "err", merr)
			return
		}
		rep.Sent++
		s.log.Info("sent", "id", m.ID, "kind", m.Kind, "to", m.To)
		return
	}
	retry := Backoff(m.Attempts)
	if permanent {
		retry = 0
	}
	if merr := st.MarkFailed(ctx, s.cfg.Name, m.ID, err.Error(), retry); merr != nil {
		s.log.Error("could not record a failed send", "id", m.ID, "err", merr)
		return
	}
	if permanent || m.Attempts+1 >= store.MaxAttempts {
		rep.Failed++
		s.log.Error("failed for good", "id", m.ID, "kind", m.Kind, "to", m.To, "attempts", m.Attempts+1, "err", err)
		return
	}
	rep.Retry++
	s.log.Warn("not sent: will retry", "id", m.ID, "to", m.To, "in", retry, "err", err)
}

// compose builds a message's bytes, its invoice's PDF attached; perm is
// true when it can never be built (its invoice is gone). An invoice's PDF
// prints the office as the invoice was issued under (store.InvoiceOffice),
// and the message's remittance text is that PDF's; the signature is the
// office's as it is now.
func (s *Sender) compose(ctx context.Context, m store.Message, o store.OfficeSettings) ([]byte, bool, error) {
	var att *Attachment
	if m.InvoiceID != 0 {
		inv, err := s.cfg.Store.Invoice(ctx, Actor, m.InvoiceID)
		if err != nil {
			return nil, store.ErrorCode(err) == store.ENotFound, fmt.Errorf("invoice %d: %w", m.InvoiceID, err)
		}
		issuer, err := s.cfg.Store.InvoiceOffice(ctx, inv.ID)
		if err != nil {
			return nil, false, fmt.Errorf("invoice %s: %w", export.Name(inv), err)
		}
		o.Office.Remittance = issuer.Remittance
		var pdf bytes.Buffer
		if err := export.InvoicePDF(&pdf, inv, issuer); err != nil {
			return nil, false, fmt.Errorf("invoice %s: %w", export.Name(inv), err)
		}
		att = &Attachment{Name: export.FileName(inv, "pdf"), ContentType: "application/pdf", Data: pdf.Bytes()}
	}
	data, err := Compose(m, o, att, s.cfg.Loc)
	return data, false, err
}

// connect opens a session with the relay: STARTTLS as configured, then
// AUTH PLAIN when there are credentials.
func (s *Sender) connect(ctx context.Context, end time.Time) (*smtp.Client, error) {
	dial := func() (net.Conn, error) {
		d := net.Dialer{Timeout: s.cfg.Timeout, Deadline: end}
		conn, err := d.DialContext(ctx, "tcp", s.cfg.Relay)
		if err != nil {
			return nil, err
		}
		return &boundedConn{Conn: conn, timeout: s.cfg.Timeout, end: end}, nil
	}
	tlsConf := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLS != nil {
		tlsConf = s.cfg.TLS.Clone()
		if tlsConf.ServerName == "" {
			tlsConf.ServerName = s.host
		}
	}
	conn, err := dial()
	if err != nil {
		return nil, fmt.Errorf("relay %s: %w", s.cfg.Relay, err)
	}
	setTimeouts := func(c *smtp.Client) {
		c.CommandTimeout, c.SubmissionTimeout = s.cfg.Timeout, 2*s.cfg.Timeout
	}
	var c *smtp.Client
	switch s.cfg.StartTLS {
	case StartTLSNever:
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, tlsConf)
		if err != nil && s.cfg.StartTLS == StartTLSAuto && strings.Contains(err.Error(), "support STARTTLS") {
			if conn, err = dial(); err != nil {
				return nil, fmt.Errorf("relay %s: %w", s.cfg.Relay, err)
			}
			c = smtp.NewClient(conn)
		} else if err != nil {
			if strings.Contains(err.Error(), "support STARTTLS") {
				err = errors.New("the relay does not offer STARTTLS (--starttls always)")
			}
			return nil, fmt.Errorf("relay %s: %w", s.cfg.Relay, err)
		}
	}
	setTimeouts(c)
	fail := func(err error) (*smtp.Client, error) {
		c.Close()
		return nil, fmt.Errorf("relay %s: %w", s.cfg.Relay, err)
	}
	if err := c.Hello(s.cfg.Hello); err != nil {
		return fail(err)
	}
	if s.cfg.Username != "" {
		if _, encrypted := c.TLSConnectionState(); !encrypted && !loopback(s.host) {
			return fail(errors.New("the relay offers no STARTTLS: the credentials are not sent in the clear"))
		}
		if !c.SupportsAuth(sasl.Plain) {
			return fail(errors.New("the relay does not offer AUTH PLAIN"))
		}
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fail(fmt.Errorf("sign-in as %s: %w", s.cfg.Username, err))
		}
	}
	return c, nil
}

// deliver sends one message in an open session. permanent is true when
// the relay refused the recipient or the message for good (5xx): trying
// again would not help. A refusal of the sender (MAIL FROM) is the relay's
// setup, not the message's: it is retried.
func (s *Sender) deliver(c *smtp.Client, from, to string, data []byte) (permanent bool, err error) {
	var opts *smtp.MailOptions
	if !ascii(from) || !ascii(to) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return true, errors.New("the relay takes no address with non-ASCII characters (no SMTPUTF8)")
		}
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(from, opts); err != nil {
		return false, fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return permanentErr(err), fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return permanentErr(err), fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return false, fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return permanentErr(err), fmt.Errorf("DATA: %w", err)
	}
	return false, nil
}

// boundedConn is a connection whose every wait is at most timeout and
// ends by end, whatever deadline the SMTP library asks for (it allows
// minutes for a reply, and none for writing the message).
type boundedConn struct {
	net.Conn
	timeout time.Duration
	end     time.Time
}

func (b *boundedConn) bound(t time.Time) time.Time {
	lim := time.Now().Add(b.timeout)
	if lim.After(b.end) {
		lim = b.end
	}
	if t.IsZero() || t.After(lim) {
		return lim
	}
	return t
}

func (b *boundedConn) SetDeadline(t time.Time) error      { return b.Conn.SetDeadline(b.bound(t)) }
func (b *boundedConn) SetReadDeadline(t time.Time) error  { return b.Conn.SetReadDeadline(b.bound(t)) }
func (b *boundedConn) SetWriteDeadline(t time.Time) error { return b.Conn.SetWriteDeadline(b.bound(t)) }

func isSMTP(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se)
}

func permanentErr(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Run sends what is due until ctx ends: at once, whenever the database
// changes (a new message, here or in another process), and at least every
// poll (a retry's time comes).
func (s *Sender) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = DefaultPoll
	}
	s.log.Info("sending mail", "relay", s.cfg.Relay, "starttls", s.cfg.StartTLS, "sender", s.cfg.Name, "auth", s.cfg.Username != "")
	for ctx.Err() == nil {
		rep, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("outbox", "err", err)
		}
		if rep.Sent+rep.Retry+rep.Failed > 0 {
			continue // more may have come meanwhile
		}
		s.cfg.Store.WaitChange(ctx, poll)
	}
}

// Schedule writes the messages the clock owes (store.QueueScheduled: the
// day-before reminders, positions still open close to their start, each
// agency's roster) at once and then every `every` (a minute) until ctx
// ends.
func Schedule(ctx context.Context, st *store.Store, every time.Duration, lg Logger) {
	if lg == nil {
		lg = nopLogger{}
	}
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := st.QueueScheduled(ctx, st.Now()); err != nil && ctx.Err() == nil {
			lg.Error("scheduled messages", "err", err)
		} else if n > 0 {
			lg.Info("scheduled messages queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
