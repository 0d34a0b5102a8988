package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// A test world: the demo database at a fixed, movable clock, served by
// httptest, with a customer user (cora, of an account with invoices), an
// officer user (kelsey, Grantsville GV219), a second customer (otto, of
// another account) and a supervisor (sue), each with an address.

const (
	coraAddr   = "cora@school.example"
	ottoAddr   = "otto@other.example"
	kelseyAddr = "kelsey@gv.example"
	sueAddr    = "sue@office.example"
)

type world struct {
	t      testing.TB
	s      *store.Store
	srv    *httptest.Server
	h      *Server
	loc    *time.Location
	mu     sync.Mutex
	clock  time.Time
	cust   int64 // cora's account
	other  int64 // otto's account
	kelsey store.Officer
}

func (w *world) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock
}

// setClock moves the clock (the store's, so the pages' too).
func (w *world) setClock(t time.Time) {
	w.mu.Lock()
	w.clock = t
	w.mu.Unlock()
}

func (w *world) local(s string) time.Time {
	t, err := pricing.ParseLocal(s, w.loc)
	if err != nil {
		w.t.Fatal(err)
	}
	return t
}

type worldOpts struct {
	publicURL string // "" the test server's
	handler   func(http.Handler) http.Handler
}

func newWorld(t testing.TB) *world { return newWorldWith(t, worldOpts{}) }

func newWorldWith(t testing.TB, o worldOpts) *world {
	t.Helper()
	loc, err := time.LoadLocation(seed.Zone)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, loc: loc}
	w.clock = w.local("2026-12-01 09:00")
	ctx := context.Background()
	s, err := store.Open(filepath.Join(t.TempDir(), "offduty.db"), store.WithClock(w.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w.s = s
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s, w.clock); err != nil {
		t.Fatal(err)
	}
	invs, err := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoicePaid})
	if err != nil || len(invs) == 0 {
		t.Fatalf("demo invoices: %d, %v", len(invs), err)
	}
	w.cust = invs[0].CustomerID
	custs, err := s.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range custs {
		if c.ID != w.cust && len(c.Sites) > 0 {
			w.other = c.ID
			break
		}
	}
	gv, err := s.AgencyBySlug(ctx, "grantsville")
	if err != nil {
		t.Fatal(err)
	}
	offs, err := s.Officers(ctx, gv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offs {
		if o.Badge == "GV219" {
			w.kelsey = o
		}
	}
	if w.kelsey.ID == 0 {
		t.Fatal("no officer GV219 in the demo data")
	}
	for _, u := range []store.UserInput{
		{Name: "cora", Role: store.RoleCustomer, CustomerID: w.cust, Email: coraAddr},
		{Name: "otto", Role: store.RoleCustomer, CustomerID: w.other, Email: ottoAddr},
		{Name: "kelsey", Role: store.RoleOfficer, OfficerID: w.kelsey.ID, Email: kelseyAddr},
		{Name: "sue", Role: store.RoleSupervisor, Email: sueAddr},
	} {
		if _, err := s.CreateUserWith(ctx, "", u); err != nil {
			t.Fatalf("user %s: %v", u.Name, err)
		}
	}
	w.srv = httptest.NewUnstartedServer(nil)
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	public := o.publicURL
	if public == "" {
		public = w.srv.URL
	}
	if w.h, err = New(Config{Store: s, PublicURL: public, Console: "ssh -p 2222 office.example"}); err != nil {
		t.Fatal(err)
	}
	var h http.Handler = w.h
	if o.handler != nil {
		h = o.handler(h)
	}
	w.srv.Config.Handler = h
	return w
}

// client is a browser: a cookie jar, redirects not followed.
type client struct {
	w    *world
	c    *http.Client
	jar  *cookiejar.Jar
	csrf string // the last form token seen
}

func (w *world) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{w: w, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page is a response read whole.
type page struct {
	status int
	body   string
	header http.Header
}

func (p page) location() string { return p.header.Get("Location") }

func (c *client) do(req *http.Request) page {
	c.w.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, body: string(b), header: resp.Header}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *client) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return c.w.srv.URL + path
}

func (c *client) get(path string) page {
	c.w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.url(path), nil)
	return c.do(req)
}

// post sends a form with the last CSRF token seen (unless it sets its own).
func (c *client) post(path string, form url.Values) page {
	c.w.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var linkRE = regexp.MustCompile(`https?://\S+/link/[A-Za-z0-9_-]+`)

// lastLink is the newest sign-in link e-mailed to addr (from the outbox).
func (w *world) lastLink(addr string) string {
	w.t.Helper()
	ms, err := w.s.Outbox(context.Background(), "", store.OutboxFilter{Kind: store.MsgSignIn})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		if strings.EqualFold(m.To, addr) {
			if l := linkRE.FindString(m.Body); l != "" {
				return l
			}
		}
	}
	w.t.Fatalf("no sign-in link for %s in the outbox", addr)
	return ""
}

// askLink asks for a sign-in link on the page, as a browser would.
func (c *client) askLink(addr, next string) page {
	c.w.t.Helper()
	c.get("/signin")
	return c.post("/signin", url.Values{"email": {addr}, "next": {next}})
}

// signIn signs in from the e-mailed link and returns where it leads.
func (c *client) signIn(addr string) string {
	c.w.t.Helper()
	if p := c.askLink(addr, ""); p.status != http.StatusOK || !strings.Contains(p.body, "Check your e-mail") {
		c.w.t.Fatalf("asking for a link: %d\n%s", p.status, p.body)
	}
	link := c.w.lastLink(addr)
	if p := c.get(link); p.status != http.StatusOK || !strings.Contains(p.body, "Sign in</button>") {
		c.w.t.Fatalf("the link's page: %d\n%s", p.status, p.body)
	}
	p := c.post(link, nil)
	if p.status != http.StatusSeeOther {
		c.w.t.Fatalf("pressing Sign in: %d\n%s", p.status, p.body)
	}
	return p.location()
}

// must fetches a page that must answer status and contain every want.
func (c *client) must(path string, status int, want ...string) page {
	c.w.t.Helper()
	p := c.get(path)
	c.w.check(p, "GET "+path, status, want...)
	return p
}

func (w *world) check(p page, what string, status int, want ...string) {
	w.t.Helper()
	if p.status != status {
		w.t.Errorf("%s: status %d, want %d\n%s", what, p.status, status, mainOf(p.body))
	}
	for _, s := range want {
		if !strings.Contains(p.body, s) {
			w.t.Errorf("%s: no %q in\n%s", what, s, mainOf(p.body))
		}
	}
}

// mainOf is a page's <main> (for readable failures).
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
		if j := strings.Index(body, "</main>"); j >= 0 {
			body = body[:j]
		}
	}
	if len(body) > 3000 {
		body = body[:3000] + "..."
	}
	return body
}
