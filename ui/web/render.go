package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/store"
)

// parsePages parses each page with the layout (and the shared parts) into
// its own template set, named as its file without ".html".
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	shared := []string{"templates/layout.html", "templates/parts.html"}
	out := map[string]*template.Template{}
	for _, n := range names {
		if n == shared[0] || n == shared[1] {
			continue
		}
		t, err := template.New(path.Base(n)).Funcs(funcs).ParseFS(files, append([]string{n}, shared...)...)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return out, nil
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	// seq is lo..hi, for a select's options.
	"seq": func(lo, hi int) []int {
		var out []int
		for i := lo; i <= hi && len(out) < 1000; i++ {
			out = append(out, i)
		}
		return out
	},
}

// navItem is one link of the menu.
type navItem struct {
	Href, Label string
	Current     bool
}

// pageData is what the layout reads; D is the page's own.
type pageData struct {
	Title  string
	Office string
	User   *session
	CSRF   string
	Nav    []navItem
	Flash  string
	Error  string
	Script string // one of /static's scripts, or ""
	D      any
}

func navFor(se *session, current string) []navItem {
	var items []navItem
	switch se.User.Role {
	case store.RoleCustomer:
		items = []navItem{{"/customer", "Jobs", false}, {"/customer/request", "Request officers", false}, {"/customer/invoices", "Invoices", false}}
	case store.RoleOfficer:
		items = []navItem{{"/officer", "My shifts", false}, {"/officer/open", "Open shifts", false}, {"/officer/pay", "Pay", false},
			{"/officer/calendar", "Calendar", false}}
	}
	best := -1
	for i, it := range items { // the longest prefix is the current section
		if current == it.Href || strings.HasPrefix(current, it.Href+"/") {
			if best < 0 || len(it.Href) > len(items[best].Href) {
				best = i
			}
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// render writes a page of the layout with a status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, se *session, status int, name string, p pageData) {
	t := s.pages[name]
	if t == nil {
		s.log.Error("web: no page", "name", name)
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	p.User = se
	if se != nil {
		p.CSRF = se.CSRF
		p.Nav = navFor(se, r.URL.Path)
		if p.Flash == "" && r.Method == http.MethodGet {
			p.Flash = s.takeFlash(se)
		}
	}
	p.Office = "offduty"
	if set, err := s.st.Settings(r.Context()); err == nil && strings.TrimSpace(set.Office.Name) != "" {
		p.Office = store.Clean(set.Office.Name, false)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// fragment writes one named template alone (the live quote).
func (s *Server) fragment(w http.ResponseWriter, page, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("web: render", "fragment", name, "err", err)
		http.Error(w, "the quote could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}

// fail shows a page that only says why not.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, se *session, status int, msg string) {
	title := map[int]string{http.StatusForbidden: "Not allowed", http.StatusNotFound: "Not found", http.StatusConflict: "Not possible",
		http.StatusUnprocessableEntity: "Not possible", http.StatusTooManyRequests: "Too many requests"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	if msg == "" {
		msg = "Something went wrong on the server: try again, or call the office."
	}
	s.render(w, r, se, status, "message", pageData{Title: title, Error: msg})
}

// Formats.

func money(d decimal.Decimal) string { return "$" + pricing.FormatMoney(d) }

// span says a shift: "Thu 10 Dec 2026, 18:00-22:00 (4 h)"; an end on a
// later day says its date.
func span(start, end time.Time, loc *time.Location) string {
	st, en := start.In(loc), end.In(loc)
	endText := en.Format("15:04")
	if st.Format("2006-01-02") != en.Format("2006-01-02") {
		endText = en.Format("Mon 02 Jan 15:04")
	}
	return fmt.Sprintf("%s, %s-%s (%s)", st.Format("Mon 02 Jan 2006"), st.Format("15:04"), endText,
		pricing.FormatHours(int(end.Sub(start)/time.Minute)))
}

func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 02 Jan 2006 15:04") }

// statusWords is a job status for people: "in progress".
func statusWords(st string) string { return strings.ReplaceAll(st, "_", " ") }

// zones maps agency ids to their zones.
func (s *Server) zones(r *http.Request) map[int64]*time.Location {
	out := map[int64]*time.Location{}
	if list, err := s.st.Agencies(r.Context()); err == nil {
		for _, a := range list {
			out[a.ID] = a.Loc
		}
	}
	return out
}

func (s *Server) zoneOf(zones map[int64]*time.Location, agencyID int64) *time.Location {
	if l := zones[agencyID]; l != nil {
		return l
	}
	return s.loc
}

func zoneNamed(name string, fallback *time.Location) *time.Location {
	if name == "" {
		return fallback
	}
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return fallback
}

// clean is store.Clean of one line, for text typed by one user and read by another.
func clean(s string) string { return store.Clean(s, false) }

// paragraphs splits multi-line text (cleaned) into lines for the page.
func paragraphs(s string) []string {
	s = store.Clean(s, true)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
