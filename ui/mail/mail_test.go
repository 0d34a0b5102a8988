package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"offduty/seed"
	"offduty/store"
	"offduty/ui/export"
)

// The tests of this file deliver the outbox to a real SMTP server (go-smtp's)
// on 127.0.0.1:0, with the store's clock driven by the test.

// clock is a settable clock for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var loc, _ = time.LoadLocation("America/Denver")

// office is the sender's settings of the tests.
var office = store.OfficeSettings{SignupMode: store.SignupAssign, RosterHour: 15, ReminderHour: 16, OpenSoonHours: 24,
	Sender: "dispatch@office.test", SenderName: "West Valley Off-Duty Office", ReplyTo: "desk@office.test"}

// newStore is a new database (the agencies only, or the demo too) with a
// settable clock, the office's sender set and the outbox empty.
func newStore(t *testing.T, demo bool) (*store.Store, *clock) {
	t.Helper()
	ck := &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, loc)}
	s, err := store.Open(filepath.Join(t.TempDir(), "mail.db"), store.WithClock(ck.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	if demo {
		if err := seed.Demo(ctx, s, ck.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetSettings(ctx, "tester", office); err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, `DELETE FROM outbox`) // what the seeding told anyone is not these tests' business
	return s, ck
}

func execSQL(t *testing.T, s *store.Store, q string, args ...any) sql.Result {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// enqueue writes a message into the outbox as the store's hooks do, due now.
func enqueue(t *testing.T, s *store.Store, kind, to, subject, body string, invoiceID int64) int64 {
	t.Helper()
	now := s.Now().UTC().Format("2006-01-02T15:04:05Z")
	var inv any
	if invoiceID != 0 {
		inv = invoiceID
	}
	res := execSQL(t, s, `INSERT INTO outbox (kind, to_addr, to_name, subject, body, invoice_id, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, to, "Pat Doe", subject, body, inv, now, now)
	id, _ := res.LastInsertId()
	return id
}

func message(t *testing.T, s *store.Store, id int64) store.Message {
	t.Helper()
	all, err := s.Outbox(context.Background(), "tester", store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no message %d", id)
	return store.Message{}
}

// received is one message as the relay took it.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	user string
}

// relay is an SMTP server for the tests: it keeps what it receives, and
// refuses as told.
type relay struct {
	t    *testing.T
	addr string
	srv  *smtp.Server

	mu       sync.Mutex
	got      []received
	rcptErr  func(to string) error // nil accepts
	users    map[string]string     // AUTH PLAIN: user -> password; nil offers no AUTH
	requires bool                  // refuse MAIL before AUTH
	tlsCert  *tls.Certificate      // offers STARTTLS with it
}

func (r *relay) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{r: r, c: c}, nil }

type session struct {
	r    *relay
	c    *smtp.Conn
	cur  received
	user string
}

func (s *session) AuthMechanisms() []string {
	if s.r.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		s.r.mu.Lock()
		defer s.r.mu.Unlock()
		if p, ok := s.r.users[user]; !ok || p != pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.requires && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from, user: s.user}
	_, s.cur.tls = s.c.TLSConnectionState()
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	f := s.r.rcptErr
	s.r.mu.Unlock()
	if f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.r.mu.Lock()
	s.r.got = append(s.r.got, s.cur)
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// startRelay serves a relay on addr ("127.0.0.1:0" for any port).
func startRelay(t *testing.T, addr string, setup func(*relay)) *relay {
	t.Helper()
	r := &relay{t: t}
	if setup != nil {
		setup(r)
	}
	r.srv = smtp.NewServer(r)
	r.srv.Domain = "relay.test"
	r.srv.AllowInsecureAuth = true
	r.srv.ReadTimeout, r.srv.WriteTimeout = 10*time.Second, 10*time.Second
	r.srv.ErrorLog = nopServerLog{}
	if r.srv.TLSConfig == nil && r.tlsCert != nil {
		r.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*r.tlsCert}}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go r.srv.Serve(ln)
	t.Cleanup(func() { r.srv.Close() })
	return r
}

type nopServerLog struct{}

func (nopServerLog) Printf(string, ...any) {}
func (nopServerLog) Println(...any)        {}

func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// byMessageID counts the messages received per Message-ID.
func (r *relay) byMessageID(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, g := range r.messages() {
		out[parse(t, g.data).Header.Get("Message-ID")]++
	}
	return out
}

func parse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, data)
	}
	return m
}

// freeAddr is a loopback address where nothing listens (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func newSender(t *testing.T, s *store.Store, relayAddr string, edit func(*Config)) (*Sender, *logBuf) {
	t.Helper()
	lg := &logBuf{}
	cfg := Config{Store: s, Relay: relayAddr, Name: "test-sender", Timeout: 5 * time.Second, Loc: loc, Logger: lg}
	if edit != nil {
		edit(&cfg)
	}
	snd, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return snd, lg
}

// logBuf keeps what a sender logs.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) put(level string, msg any, kv ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, "%s %v %v\n", level, msg, kv)
}
func (l *logBuf) Info(msg any, kv ...any)  { l.put("INFO", msg, kv...) }
func (l *logBuf) Warn(msg any, kv ...any)  { l.put("WARN", msg, kv...) }
func (l *logBuf) Error(msg any, kv ...any) { l.put("ERROR", msg, kv...) }
func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func sendDue(t *testing.T, snd *Sender) Report {
	t.Helper()
	rep, err := snd.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// textBody is a received single-part message's text, decoded.
func textBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" || m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("Content-Type %q, encoding %q", ct, m.Header.Get("Content-Transfer-Encoding"))
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeliverOnce: messages in the outbox arrive once each, with the
// office as From, the right To, Subject (non-ASCII too), a stable
// Message-ID, Reply-To, Date and a quoted-printable UTF-8 body; a second
// pass sends nothing.
func TestDeliverOnce(t *testing.T) {
	s, _ := newStore(t, false)
	r := startRelay(t, "127.0.0.1:0", nil)
	long := strings.Repeat("Officer Núñez takes post at the north gate; ", 5) + "\nBring the radio.\n"
	want := []struct {
		id                int64
		to, subject, body string
	}{
		{0, "pat@customer.test", "Request #12 received", "We have your request for Sat 12 Dec 2026 18:00-22:00.\nWe will confirm it soon."},
		{0, "maria.nunez@wvc.example", "Assigned: Sat 12 Dec 18:00 · Valley Fair — Núñez", long},
		{0, "ops@customer.test", "Job #12 fully staffed", "All 4 officers are assigned."},
	}
	for i := range want {
		want[i].id = enqueue(t, s, store.MsgCustomerReceived, want[i].to, want[i].subject, want[i].body, 0)
	}
	snd, _ := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep.Sent != 3 || rep.Retry+rep.Failed != 0 {
		t.Fatalf("first pass: %+v", rep)
	}
	if rep := sendDue(t, snd); rep != (Report{}) {
		t.Fatalf("second pass: %+v", rep)
	}
	got := r.messages()
	if len(got) != 3 {
		t.Fatalf("relay got %d messages", len(got))
	}
	dec := new(mime.WordDecoder)
	for i, w := range want {
		g := got[i]
		if g.from != office.Sender || len(g.to) != 1 || g.to[0] != w.to {
			t.Errorf("envelope %s -> %v, want %s -> %s", g.from, g.to, office.Sender, w.to)
		}
		m := parse(t, g.data)
		subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil || subj != w.subject {
			t.Errorf("Subject %q (%v), want %q", subj, err, w.subject)
		}
		if id := m.Header.Get("Message-ID"); id != fmt.Sprintf("<offduty-%d@office.test>", w.id) {
			t.Errorf("Message-ID %q", id)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != w.to || to[0].Name != "Pat Doe" {
			t.Errorf("To %v (%v)", to, err)
		}
		from, err := m.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Address != office.Sender || from[0].Name != office.SenderName {
			t.Errorf("From %v (%v)", from, err)
		}
		if rt := m.Header.Get("Reply-To"); rt != "<desk@office.test>" {
			t.Errorf("Reply-To %q", rt)
		}
		if d, err := m.Header.Date(); err != nil || !d.Equal(time.Date(2026, 11, 26, 9, 0, 0, 0, loc)) {
			t.Errorf("Date %v (%v)", d, err)
		}
		if m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get("MIME-Version") != "1.0" {
			t.Errorf("headers %v", m.Header)
		}
		signed := strings.TrimRight(w.body, "\n") + "\n\n" + Signature(store.DefaultOffice) // the office's signature, the default one
		if body := textBody(t, m); strings.TrimRight(body, "\r\n") != strings.ReplaceAll(signed, "\n", "\r\n") {
			t.Errorf("body %q, want %q", body, signed)
		}
		for n, line := range strings.Split(string(g.data), "\r\n") {
			if len(line) > 78 && !strings.HasPrefix(line, "Subject:") || len(line) > 998 {
				t.Errorf("line %d is %d long: %q", n, len(line), line)
			}
		}
		for _, c := range g.data {
			if c >= 0x80 {
				t.Fatalf("message %d is not 7-bit", w.id)
			}
		}
		if st := message(t, s, w.id); st.State != store.MsgSent || st.Attempts != 1 || st.SentAt.IsZero() {
			t.Errorf("message %d: %s after %d attempts", w.id, st.State, st.Attempts)
		}
	}
}

// TestInvoiceAttachment: an invoice's message carries its PDF (the same
// file the invoice export writes), named as the export names it.
func TestInvoiceAttachment(t *testing.T) {
	s, ck := newStore(t, true)
	ctx := context.Background()
	drafts, err := s.GenerateInvoices(ctx, "tester", ck.Now(), 0, true)
	if err != nil || len(drafts) == 0 {
		t.Fatalf("no invoice to issue: %v", err)
	}
	if _, err := s.IssueInvoice(ctx, "tester", drafts[0].ID, ck.Now()); err != nil {
		t.Fatal(err)
	}
	inv, err := s.Invoice(ctx, "tester", drafts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The store's hook writes this message when it is in; the test writes
	// its own otherwise, so the delivery is tested either way.
	var id int64
	if ms, _ := s.Outbox(ctx, "tester", store.OutboxFilter{Kind: store.MsgInvoiceIssued}); len(ms) > 0 {
		id = ms[0].ID
	} else {
		id = enqueue(t, s, store.MsgInvoiceIssued, "billing@customer.test", "Invoice "+export.Name(inv), "Your invoice is attached.", inv.ID)
	}
	msg := message(t, s, id)
	r := startRelay(t, "127.0.0.1:0", nil)
	snd, _ := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep.Sent != 1 {
		t.Fatalf("pass: %+v", rep)
	}
	got := r.messages()
	if len(got) != 1 || got[0].to[0] != msg.To {
		t.Fatalf("relay got %d messages", len(got))
	}
	m := parse(t, got[0].data)
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	text, err := mr.NextPart()
	if err != nil || !strings.HasPrefix(text.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("first part: %v %v", err, text.Header)
	}
	b, _ := io.ReadAll(text) // multipart decodes quoted-printable itself
	if !strings.Contains(strings.ReplaceAll(string(b), "\r\n", "\n"), strings.TrimSpace(msg.Body)) {
		t.Errorf("text %q", b)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName() != export.FileName(inv, "pdf") || !strings.HasPrefix(att.Header.Get("Content-Type"), "application/pdf") {
		t.Errorf("attachment %q %v", att.FileName(), att.Header)
	}
	pdf, err := io.ReadAll(base64Reader(att))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := export.InvoicePDF(&want, inv, export.DefaultOffice); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !bytes.Equal(pdf, want.Bytes()) {
		t.Errorf("attachment is not the invoice's PDF (%d bytes, want %d)", len(pdf), want.Len())
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("a third part: %v", err)
	}
}

// TestRelayDownThenBack: a relay with nothing listening, then one that
// answers 4xx, then one that accepts: each message is tried again after a
// minute, then two, and arrives once.
func TestRelayDownThenBack(t *testing.T) {
	s, ck := newStore(t, false)
	addr := freeAddr(t)
	var ids []int64
	for i := range 3 {
		ids = append(ids, enqueue(t, s, store.MsgOfficerAssigned, fmt.Sprintf("officer%d@wvc.example", i), fmt.Sprintf("Assigned %d", i), "See you there.", 0))
	}
	snd, logs := newSender(t, s, addr, nil)

	// Down: nothing listens.
	if rep := sendDue(t, snd); rep.Retry != 3 || rep.Sent+rep.Failed != 0 {
		t.Fatalf("relay down: %+v", rep)
	}
	for _, id := range ids {
		m := message(t, s, id)
		if m.State != store.MsgPending || m.Attempts != 1 || !m.NextAt.Equal(ck.Now().Add(time.Minute)) || !strings.Contains(m.LastError, "refused") {
			t.Fatalf("after a refused connection: %+v", m)
		}
	}
	if !strings.Contains(logs.String(), "will retry") {
		t.Errorf("log:\n%s", logs)
	}
	ck.Add(30 * time.Second) // not due yet
	if rep := sendDue(t, snd); rep != (Report{}) {
		t.Fatalf("before the wait: %+v", rep)
	}

	// Up, but busy: 451 to every recipient.
	var busy sync.Mutex
	refusing := true
	r := startRelay(t, addr, func(r *relay) {
		r.rcptErr = func(string) error {
			busy.Lock()
			defer busy.Unlock()
			if refusing {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
			}
			return nil
		}
	})
	ck.Add(31 * time.Second)
	if rep := sendDue(t, snd); rep.Retry != 3 {
		t.Fatalf("relay busy: %+v", rep)
	}
	for _, id := range ids {
		if m := message(t, s, id); m.Attempts != 2 || !m.NextAt.Equal(ck.Now().Add(2*time.Minute)) || !strings.Contains(m.LastError, "451") {
			t.Fatalf("after a 451: %+v", m)
		}
	}
	busy.Lock()
	refusing = false
	busy.Unlock()
	ck.Add(time.Minute)
	if rep := sendDue(t, snd); rep != (Report{}) {
		t.Fatalf("a minute into the two: %+v", rep)
	}
	ck.Add(time.Minute)
	if rep := sendDue(t, snd); rep.Sent != 3 {
		t.Fatalf("relay back: %+v", rep)
	}
	counts := r.byMessageID(t)
	for _, id := range ids {
		if n := counts[fmt.Sprintf("<offduty-%d@office.test>", id)]; n != 1 {
			t.Errorf("message %d arrived %d times", id, n)
		}
		if m := message(t, s, id); m.State != store.MsgSent || m.Attempts != 3 || m.LastError != "" {
			t.Errorf("message %d: %+v", id, m)
		}
	}
}

// TestTwoSendersNeverBoth: two senders, each with its own connection to the
// database as two processes would have, deliver the same outbox at once:
// every message arrives exactly once.
func TestTwoSendersNeverBoth(t *testing.T) {
	s, ck := newStore(t, false)
	const n = 60
	for i := range n {
		enqueue(t, s, store.MsgOfficerReminder, fmt.Sprintf("o%d@wvc.example", i), fmt.Sprintf("Tomorrow %d", i), "Your shift is tomorrow.", 0)
	}
	r := startRelay(t, "127.0.0.1:0", nil)
	other, err := store.Open(s.Path(), store.WithClock(ck.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	a, _ := newSender(t, s, r.addr, func(c *Config) { c.Name, c.Batch = "host-a:1", 3 })
	b, _ := newSender(t, other, r.addr, func(c *Config) { c.Name, c.Batch = "host-b:2", 3 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for _, snd := range []*Sender{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snd.Run(ctx, 50*time.Millisecond)
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(r.messages()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a second copy would show now
	cancel()
	wg.Wait()
	counts := r.byMessageID(t)
	if len(counts) != n {
		t.Fatalf("%d distinct messages arrived, want %d", len(counts), n)
	}
	for id, c := range counts {
		if c != 1 {
			t.Errorf("%s arrived %d times", id, c)
		}
	}
	sent, _ := s.Outbox(context.Background(), "tester", store.OutboxFilter{State: store.MsgSent})
	by := map[string]int{}
	for _, m := range sent {
		by[m.ClaimedBy]++
	}
	if len(sent) != n {
		t.Errorf("%d marked sent, want %d", len(sent), n)
	}
	t.Logf("sent by each: %v", by)
}

// TestClaimHeldIsNotSent: a message another sender claimed is left alone
// until its claim runs out; then it is taken and sent once.
func TestClaimHeldIsNotSent(t *testing.T) {
	s, ck := newStore(t, false)
	id := enqueue(t, s, store.MsgOfficerAssigned, "o@wvc.example", "Assigned", "Body.", 0)
	if _, err := s.ClaimMessages(context.Background(), "crashed:1", 10, DefaultLease); err != nil {
		t.Fatal(err)
	}
	r := startRelay(t, "127.0.0.1:0", nil)
	snd, _ := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep != (Report{}) || len(r.messages()) != 0 {
		t.Fatalf("a claimed message was sent: %+v", rep)
	}
	ck.Add(DefaultLease)
	if rep := sendDue(t, snd); rep.Sent != 1 {
		t.Fatalf("after the claim: %+v", rep)
	}
	if m := message(t, s, id); m.State != store.MsgSent || m.ClaimedBy != "test-sender" {
		t.Fatalf("%+v", m)
	}
}

// TestPermanentRejection: a 5xx to a recipient fails that message at once
// (no retry); the others in the same session are sent.
func TestPermanentRejection(t *testing.T) {
	s, _ := newStore(t, false)
	r := startRelay(t, "127.0.0.1:0", func(r *relay) {
		r.rcptErr = func(to string) error {
			if strings.HasPrefix(to, "gone@") {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			}
			return nil
		}
	})
	ok1 := enqueue(t, s, store.MsgCustomerApproved, "a@customer.test", "Approved", "Yes.", 0)
	bad := enqueue(t, s, store.MsgCustomerApproved, "gone@customer.test", "Approved", "Yes.", 0)
	ok2 := enqueue(t, s, store.MsgCustomerApproved, "b@customer.test", "Approved", "Yes.", 0)
	snd, logs := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep.Sent != 2 || rep.Failed != 1 || rep.Retry != 0 {
		t.Fatalf("pass: %+v", rep)
	}
	m := message(t, s, bad)
	if m.State != store.MsgFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "550") || !strings.Contains(m.LastError, "no such user") {
		t.Fatalf("rejected message: %+v", m)
	}
	for _, id := range []int64{ok1, ok2} {
		if message(t, s, id).State != store.MsgSent {
			t.Errorf("message %d not sent", id)
		}
	}
	if !strings.Contains(logs.String(), "failed for good") {
		t.Errorf("log:\n%s", logs)
	}
	// A supervisor puts it back; the relay still refuses it, at once again.
	if err := s.RetryMessage(context.Background(), "tester", bad); err != nil {
		t.Fatal(err)
	}
	if rep := sendDue(t, snd); rep.Failed != 1 {
		t.Fatalf("after retry: %+v", rep)
	}
	if len(r.messages()) != 2 {
		t.Errorf("relay got %d", len(r.messages()))
	}
}

// TestNoSenderSendsNothing: without a sender address nothing is claimed or
// sent, and the log says why (once); with one, the queue goes out.
func TestNoSenderSendsNothing(t *testing.T) {
	s, _ := newStore(t, false)
	o := office
	o.Sender, o.ReplyTo = "", ""
	if err := s.SetSettings(context.Background(), "tester", o); err != nil {
		t.Fatal(err)
	}
	id := enqueue(t, s, store.MsgCustomerApproved, "a@customer.test", "Approved", "Yes.", 0)
	r := startRelay(t, "127.0.0.1:0", nil)
	snd, logs := newSender(t, s, r.addr, nil)
	for range 2 {
		if rep := sendDue(t, snd); rep != (Report{}) {
			t.Fatalf("sent without a sender: %+v", rep)
		}
	}
	if m := message(t, s, id); m.State != store.MsgPending || m.Attempts != 0 || m.ClaimedBy != "" {
		t.Fatalf("%+v", m)
	}
	if n := strings.Count(logs.String(), "no sender address"); n != 1 {
		t.Errorf("said %d times:\n%s", n, logs)
	}
	if err := s.SetSettings(context.Background(), "tester", office); err != nil {
		t.Fatal(err)
	}
	if rep := sendDue(t, snd); rep.Sent != 1 || len(r.messages()) != 1 {
		t.Fatalf("with a sender: %+v", rep)
	}
}

// TestStartTLSAndAuth: a relay that offers STARTTLS and wants AUTH PLAIN
// gets the message encrypted and signed in; --starttls always refuses a
// relay without it; credentials never go in the clear to another machine.
func TestStartTLSAndAuth(t *testing.T) {
	s, _ := newStore(t, false)
	cert, pool := selfSigned(t)
	r := startRelay(t, "127.0.0.1:0", func(r *relay) {
		r.users = map[string]string{"office": "s3cret"}
		r.requires = true
		r.tlsCert = &cert
	})
	enqueue(t, s, store.MsgCustomerApproved, "a@customer.test", "Approved", "Yes.", 0)
	// Wrong password: retried, never failed for good.
	snd, _ := newSender(t, s, r.addr, func(c *Config) {
		c.TLS = &tls.Config{RootCAs: pool}
		c.Username, c.Password = "office", "wrong"
	})
	if rep := sendDue(t, snd); rep.Retry != 1 {
		t.Fatalf("wrong password: %+v", rep)
	}
	execSQL(t, s, `UPDATE outbox SET next_at = created_at`)
	snd, _ = newSender(t, s, r.addr, func(c *Config) {
		c.TLS = &tls.Config{RootCAs: pool}
		c.StartTLS = StartTLSAlways
		c.FromEnv(func(k string) string { return map[string]string{EnvUser: "office", EnvPassword: "s3cret"}[k] })
	})
	if rep := sendDue(t, snd); rep.Sent != 1 {
		t.Fatalf("with TLS and AUTH: %+v", rep)
	}
	got := r.messages()
	if len(got) != 1 || !got[0].tls || got[0].user != "office" {
		t.Fatalf("received %+v", got)
	}

	// A plain relay with --starttls always: not sent, retried.
	plain := startRelay(t, "127.0.0.1:0", nil)
	enqueue(t, s, store.MsgCustomerApproved, "b@customer.test", "Approved", "Yes.", 0)
	snd, _ = newSender(t, s, plain.addr, func(c *Config) { c.StartTLS = StartTLSAlways })
	if rep := sendDue(t, snd); rep.Retry != 1 || len(plain.messages()) != 0 {
		t.Fatalf("always against a plain relay: %+v", rep)
	}
	var m store.Message
	all, _ := s.Outbox(context.Background(), "tester", store.OutboxFilter{State: store.MsgPending})
	for _, x := range all {
		m = x
	}
	if !strings.Contains(m.LastError, "STARTTLS") {
		t.Errorf("last error %q", m.LastError)
	}

	// Credentials to another machine without TLS are refused up front.
	if _, err := New(Config{Store: s, Relay: "mail.example.com:25", StartTLS: StartTLSNever, Username: "u", Password: "p"}); err == nil || !strings.Contains(err.Error(), "in the clear") {
		t.Errorf("never with credentials: %v", err)
	}
	for _, bad := range []Config{{Store: s, Relay: "mail.example.com"}, {Store: s, Relay: "x:25", StartTLS: "sometimes"}, {Store: s, Relay: "x:25", Username: "u"}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := Backoff(i); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i, got, w)
		}
	}
	if Backoff(100) != time.Hour {
		t.Error("no cap")
	}
}

// TestComposeHeaders: a header value cannot start a header of its own, long
// subjects fold, the same message composes to the same bytes.
func TestComposeHeaders(t *testing.T) {
	m := store.Message{ID: 7, Kind: store.MsgCustomerChanged, To: "a@b.test", ToName: "Ann\r\nBcc: x@evil.test",
		Subject: "Changed:\r\nBcc: y@evil.test " + strings.Repeat("word ", 30), Body: "line\nline", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	a, err := Compose(m, office, nil, loc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Compose(m, office, nil, loc)
	if !bytes.Equal(a, b) {
		t.Error("not stable")
	}
	msg := parse(t, a)
	if msg.Header.Get("Bcc") != "" || strings.Contains(string(a), "\r\nBcc:") {
		t.Fatalf("header injection:\n%s", a)
	}
	if !strings.Contains(msg.Header.Get("Subject"), "Bcc: y@evil.test word") {
		t.Errorf("subject %q", msg.Header.Get("Subject"))
	}
	if _, err := Compose(m, store.OfficeSettings{}, nil, loc); err == nil {
		t.Error("composed without a sender")
	}
	o := office
	o.ReplyTo = ""
	c, _ := Compose(m, o, nil, loc)
	if parse(t, c).Header.Get("Reply-To") != "" {
		t.Error("Reply-To without one set")
	}
}

// TestSchedule: the scheduler asks the store for what the clock owes at
// once and stops with its context.
func TestSchedule(t *testing.T) {
	s, _ := newStore(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Schedule(ctx, s, 10*time.Millisecond, &logBuf{}); close(done) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Schedule did not stop")
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }

// TestStoreEventsDelivered: messages the store writes with a change (a
// request approved, through its public API) are delivered once each, to
// the address and with the subject the store chose.
func TestStoreEventsDelivered(t *testing.T) {
	s, _ := newStore(t, true)
	ctx := context.Background()
	jobs, err := s.Jobs(ctx, "tester", store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	approved := 0
	for _, j := range jobs {
		if j.Status == store.StatusRequested && approved < 3 {
			if err := s.Approve(ctx, "tester", j.ID); err == nil {
				approved++
			}
		}
	}
	queued, err := s.Outbox(ctx, "tester", store.OutboxFilter{State: store.MsgPending})
	if err != nil {
		t.Fatal(err)
	}
	if approved == 0 || len(queued) == 0 {
		t.Skipf("the store wrote no message for %d approvals (its hooks are not in yet)", approved)
	}
	r := startRelay(t, "127.0.0.1:0", nil)
	snd, _ := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep.Sent != len(queued) {
		t.Fatalf("pass: %+v for %d queued", rep, len(queued))
	}
	byID := map[string]received{}
	for _, g := range r.messages() {
		id := parse(t, g.data).Header.Get("Message-ID")
		if _, dup := byID[id]; dup {
			t.Errorf("%s arrived twice", id)
		}
		byID[id] = g
	}
	dec := new(mime.WordDecoder)
	for _, m := range queued {
		g, ok := byID[MessageID(m, office.Sender)]
		if !ok {
			t.Errorf("message %d (%s to %s) did not arrive", m.ID, m.Kind, m.To)
			continue
		}
		subj, _ := dec.DecodeHeader(parse(t, g.data).Header.Get("Subject"))
		if g.to[0] != m.To || subj != m.Subject {
			t.Errorf("message %d arrived to %v as %q, want %s %q", m.ID, g.to, subj, m.To, m.Subject)
		}
	}
}
