// Package web serves the few pages customers and officers need on their
// phones (issue 17), from the same store, roles and rules as the console:
// plain server-rendered HTML (html/template escapes every value), one small
// script for the live quote, nothing else.
//
// Sign-in is by a one-time link e-mailed through the outbox: the link's page
// shows a button, and only pressing it (a POST) uses the link up, so a mail
// scanner that opens links signs nobody in. A session is a random id in an
// HttpOnly, SameSite=Lax cookie (Secure when the public URL is https),
// stored hashed; every form carries the session's CSRF token (forms before
// sign-in a token bound to a cookie of their own). A signed-in user acts as
// "name@web" (store.WebActor): the store decides what it may read and
// change and audits it so; a refusal reads on the page in the store's words.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"offduty/store"
)

//go:embed templates/*.html static/*
var files embed.FS

// Logger is what the server logs to (charm.land/log's *Logger fits).
type Logger interface {
	Info(msg any, keyvals ...any)
	Warn(msg any, keyvals ...any)
	Error(msg any, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Info(any, ...any)  {}
func (nopLogger) Warn(any, ...any)  {}
func (nopLogger) Error(any, ...any) {}

// Config configures the pages.
type Config struct {
	Store *store.Store
	// PublicURL is the pages' address as people reach it, put in e-mailed
	// links ("https://office.example.com", or "http://127.0.0.1:8080"). An
	// https address makes the cookies Secure.
	PublicURL string
	// Loc is the office's zone (default store.DefaultZone): dates that
	// belong to no agency.
	Loc *time.Location
	// Console says how the office's staff reach the console ("ssh -p 2222
	// office.example.com"); a staff user who asks for a link is told so.
	Console string
	Logger  Logger
}

// Server is the pages' http.Handler.
type Server struct {
	st      *store.Store
	base    *url.URL
	secure  bool
	loc     *time.Location
	console string
	log     Logger
	mux     *http.ServeMux
	pages   map[string]*template.Template
	key     []byte // signs the forms shown before sign-in (new at each start)

	mu     sync.Mutex
	flash  map[int64]string // one message for a session's next page
	static fs.FS
}

// ParsePublicURL checks a public URL: http or https, a host, no path
// beyond "/", no query or fragment. It returns it without a trailing slash.
func ParsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("want an address such as https://office.example.com, got %q", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: the pages are served at the root of their address: leave out the path, query and fragment", raw)
	}
	u.Path = ""
	return u, nil
}

// New makes the pages' handler.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store")
	}
	base, err := ParsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("public URL: %w", err)
	}
	s := &Server{st: cfg.Store, base: base, secure: base.Scheme == "https", loc: cfg.Loc, console: cfg.Console, log: cfg.Logger,
		flash: map[int64]string{}}
	if s.loc == nil {
		if s.loc, err = time.LoadLocation(store.DefaultZone); err != nil {
			return nil, err
		}
	}
	if s.log == nil {
		s.log = nopLogger{}
	}
	s.key = make([]byte, 32)
	rand.Read(s.key)
	if s.static, err = fs.Sub(files, "static"); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// URL is the public address of a path on the pages ("/link/..." -> "https://office.example.com/link/...").
func (s *Server) URL(path string) string { return s.base.String() + path }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /signin", s.signInPage)
	m.HandleFunc("POST /signin", s.signInRequest)
	m.HandleFunc("GET /link/{token}", s.linkPage)
	m.HandleFunc("POST /link/{token}", s.linkUse)
	m.HandleFunc("POST /signout", s.signOut)
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(s.static)))
	m.HandleFunc("GET /calendar/{secret}", s.calendarFeed)

	customer := func(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
		return s.as(store.RoleCustomer, h)
	}
	m.HandleFunc("GET /customer", customer(s.customerHome))
	m.HandleFunc("GET /customer/request", customer(s.requestPage))
	m.HandleFunc("POST /customer/request", customer(s.requestPost))
	m.HandleFunc("POST /customer/quote", customer(s.quotePost))
	m.HandleFunc("GET /customer/jobs/{id}", customer(s.jobPage))
	m.HandleFunc("GET /customer/jobs/{id}/files/{file}", customer(s.jobFile))
	m.HandleFunc("GET /customer/jobs/{id}/cancel", customer(s.cancelPage))
	m.HandleFunc("POST /customer/jobs/{id}/cancel", customer(s.cancelPost))
	m.HandleFunc("GET /customer/invoices", customer(s.invoicesPage))
	m.HandleFunc("GET /customer/invoices/{id}", customer(s.invoicePage))
	m.HandleFunc("GET /customer/invoices/{id}/pdf", customer(s.invoicePDF))

	officer := func(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
		return s.as(store.RoleOfficer, h)
	}
	m.HandleFunc("GET /officer", officer(s.officerHome))
	m.HandleFunc("GET /officer/open", officer(s.openPage))
	m.HandleFunc("GET /officer/shifts/{id}", officer(s.shiftPage))
	m.HandleFunc("POST /officer/shifts/{id}/signup", officer(s.signUpPost))
	m.HandleFunc("POST /officer/shifts/{id}/drop", officer(s.dropPost))
	m.HandleFunc("POST /officer/signups/{id}/withdraw", officer(s.withdrawPost))
	m.HandleFunc("GET /officer/pay", officer(s.payPage))
	m.HandleFunc("GET /officer/calendar", officer(s.calendarPage))
	m.HandleFunc("POST /officer/calendar", officer(s.calendarPost))
	s.mux = m
}

// maxForm bounds a form's body.
const maxForm = 64 << 10

// ServeHTTP serves a request with the pages' headers: a strict content
// security policy (only this site's own style sheet and script), no
// framing, no referrer to other sites (a link's token never leaks), nothing cached but the
// static files. A POST from another site's page is refused.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin") // a link's token never leaves the site
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "public, max-age=3600")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodPost {
		if !s.sameOrigin(r) {
			s.fail(w, r, nil, http.StatusForbidden, "This form was sent from another site: refused. Open the page here and send it again.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	s.mux.ServeHTTP(w, r)
}

// sameOrigin reports whether a POST came from these pages: its Origin (or,
// without one, its Referer) is the public URL's or the request's own host.
// A request that names neither (a script, a test) is left to the CSRF token.
func (s *Server) sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "null" { // an opaque origin says nothing: left to the token
		from = ""
	}
	if from == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			if u, err := url.Parse(ref); err == nil {
				from = u.Scheme + "://" + u.Host
			}
		}
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, s.base.Host) || strings.EqualFold(u.Host, r.Host)
}

// session is a signed-in request's user.
type session struct {
	store.WebSession
	Who string // how the pages name them: "Dana Diaz (Acme Mall)", "Officer Ann Lee, badge 1234"
}

// Cookie names; with https the __Host- prefix pins them to this host.
func (s *Server) cookieName(name string) string {
	if s.secure {
		return "__Host-" + name
	}
	return name
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

const (
	sessionCookie = "offduty"
	formCookie    = "offduty_form"
)

// currentSession is the request's session, or the store's reason there is none.
func (s *Server) currentSession(r *http.Request) (*session, error) {
	tok := s.cookie(r, sessionCookie)
	if tok == "" {
		return nil, &store.Error{Code: store.ENotFound, Field: "session", Message: "you are not signed in"}
	}
	ws, err := s.st.Session(r.Context(), tok)
	if err != nil {
		return nil, err
	}
	se := &session{WebSession: ws, Who: ws.User.Name}
	switch ws.User.Role {
	case store.RoleCustomer:
		if c, err := s.st.Customer(r.Context(), ws.User.CustomerID); err == nil {
			se.Who = fmt.Sprintf("%s (%s)", ws.User.Name, store.Clean(c.Name, false))
		}
	case store.RoleOfficer:
		if o, err := s.st.OfficerByID(r.Context(), ws.User.OfficerID); err == nil {
			se.Who = fmt.Sprintf("%s, badge %s", store.Clean(o.Name(), false), store.Clean(o.Badge, false))
		}
	}
	return se, nil
}

// as serves a page of one role: signed in, that role, and for a POST the
// session's CSRF token. Anyone else is shown the sign-in page (not signed
// in, or the session ended: the store's words) or refused (another role).
func (s *Server) as(role string, h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, err := s.currentSession(r)
		if err != nil {
			if store.ErrorCode(err) == "" {
				s.fail(w, r, nil, http.StatusInternalServerError, "")
				s.log.Error("session", "err", err)
				return
			}
			s.setCookie(w, sessionCookie, "", -1)
			next := ""
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			msg := ""
			if s.cookie(r, sessionCookie) != "" {
				msg = sentence(err.Error())
			}
			s.renderSignIn(w, r, http.StatusUnauthorized, signInData{Next: next, Error: msg})
			return
		}
		if se.User.Role != role {
			s.fail(w, r, se, http.StatusForbidden, fmt.Sprintf("These pages are a%s %s's: you are signed in as %s.", an(role), role, se.Who))
			return
		}
		if r.Method == http.MethodPost && !store.SameSecret(r.PostFormValue("csrf"), se.CSRF) {
			s.fail(w, r, se, http.StatusForbidden, csrfRefusal)
			return
		}
		h(w, r, se)
	}
}

const csrfRefusal = "This form is out of date or did not come from these pages (its security token does not match): reload the page and send it again."

func an(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// home sends a signed-in user to their role's first page, anyone else to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	se, err := s.currentSession(r)
	if err != nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/"+se.User.Role, http.StatusSeeOther)
}

// formToken is the CSRF token of a form shown before sign-in: bound to a
// random cookie of the browser's own, signed with the server's key.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	c := s.cookie(r, formCookie)
	if len(c) < 20 {
		b := make([]byte, 32)
		rand.Read(b)
		c = base64.RawURLEncoding.EncodeToString(b)
		s.setCookie(w, formCookie, c, 0)
	}
	return s.sign(c)
}

func (s *Server) sign(v string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkFormToken checks a form sent before sign-in.
func (s *Server) checkFormToken(r *http.Request) bool {
	c := s.cookie(r, formCookie)
	return c != "" && store.SameSecret(r.PostFormValue("csrf"), s.sign(c))
}

// setFlash keeps one message for the session's next page.
func (s *Server) setFlash(se *session, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.flash) > 10000 { // never grows without bound
		clear(s.flash)
	}
	s.flash[se.ID] = msg
}

func (s *Server) takeFlash(se *session) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.flash[se.ID]
	delete(s.flash, se.ID)
	return msg
}

// statusOf is the HTTP status of a store refusal.
func statusOf(err error) int {
	switch store.ErrorCode(err) {
	case store.EForbidden:
		return http.StatusForbidden
	case store.ENotFound:
		return http.StatusNotFound
	case store.EConflict:
		return http.StatusConflict
	case store.EInvalid:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// refusal is what a page says of a store error: the store's own words for a
// refusal; for anything else a plain apology (the details go to the log).
func (s *Server) refusal(err error) string {
	if store.ErrorCode(err) != "" {
		return sentence(err.Error())
	}
	s.log.Error("web", "err", err)
	return "Something went wrong on the server: try again, or call the office."
}

// sentence starts a message with a capital and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// pathID reads a numeric path value; a bad one is a 404.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// remoteIP is the client's address, for the log.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Shutdown-friendly: the caller owns the http.Server; nothing runs in the background here.
var _ http.Handler = (*Server)(nil)

// now is the store's clock: every page judges time as the store does.
func (s *Server) now() time.Time { return s.st.Now() }
