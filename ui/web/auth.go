package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// signInData is the sign-in page's.
type signInData struct {
	Next, Email string
	Error       string
	Notice      string
	CSRF        string // the form's token (there is no session yet)
	Minutes     int    // how long a link works
}

// renderSignIn shows the form asking for an e-mail address.
func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData) {
	d.CSRF = s.formToken(w, r)
	d.Next = store.SafeNext(d.Next)
	d.Minutes = int(store.SignInTTL / time.Minute)
	s.render(w, r, nil, status, "signin", pageData{Title: "Sign in", Error: d.Error, Flash: d.Notice, D: d})
}

// signInPage: GET /signin (?next=/page, ?out=1 after signing out).
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	next := store.SafeNext(r.URL.Query().Get("next"))
	if se, err := s.currentSession(r); err == nil {
		if next == "" {
			next = "/" + se.User.Role
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d := signInData{Next: next}
	if r.URL.Query().Get("out") == "1" {
		d.Notice = "You signed out."
	}
	s.renderSignIn(w, r, http.StatusOK, d)
}

// signInRequest: POST /signin asks for a link. The page that follows says
// the same whether or not the address is anyone's.
func (s *Server) signInRequest(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	d := signInData{Next: r.PostFormValue("next"), Email: email}
	if !s.checkFormToken(r) {
		d.Error = csrfRefusal
		s.renderSignIn(w, r, http.StatusForbidden, d)
		return
	}
	sent, err := s.st.RequestSignIn(r.Context(), store.SignInRequest{Address: email, Next: d.Next, Console: s.console,
		Link: func(token string) string { return s.URL("/link/" + token) }})
	if err != nil {
		d.Error = s.refusal(err)
		status := statusOf(err)
		if store.ErrorCode(err) == store.EConflict {
			status = http.StatusTooManyRequests
		}
		s.renderSignIn(w, r, status, d)
		return
	}
	s.log.Info("sign-in link asked for", "from", remoteIP(r), "links", sent.Links, "notes", sent.Notes)
	s.render(w, r, nil, http.StatusOK, "sent", pageData{Title: "Check your e-mail", D: signInData{Email: email, Minutes: int(store.SignInTTL / time.Minute)}})
}

// linkData is the page of an e-mailed link.
type linkData struct {
	Token   string
	CSRF    string
	User    string
	Role    string
	Expires string
	Error   string
}

// linkPage: GET /link/{token} shows who the link signs in and a button;
// it uses nothing up (mail scanners open links).
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	d := linkData{Token: token, CSRF: s.formToken(w, r)}
	l, err := s.st.PeekSignIn(r.Context(), token)
	if err != nil {
		d.Error = s.refusal(err)
		s.render(w, r, nil, statusOf(err), "link", pageData{Title: "Sign in", Error: d.Error, D: d})
		return
	}
	d.User, d.Role, d.Expires = l.UserName, l.Role, l.Expires.In(s.loc).Format("15:04 on Mon 02 Jan")
	s.render(w, r, nil, http.StatusOK, "link", pageData{Title: "Sign in", D: d})
}

// linkUse: POST /link/{token} uses the link up and opens a session.
func (s *Server) linkUse(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !s.checkFormToken(r) {
		d := linkData{Token: token, CSRF: s.formToken(w, r)}
		l, err := s.st.PeekSignIn(r.Context(), token)
		if err != nil { // a link that no longer works says so first
			d.Error = s.refusal(err)
			s.render(w, r, nil, statusOf(err), "link", pageData{Title: "Sign in", Error: d.Error, D: linkData{Token: token, Error: d.Error}})
			return
		}
		d.User, d.Role, d.Expires = l.UserName, l.Role, l.Expires.In(s.loc).Format("15:04 on Mon 02 Jan")
		s.render(w, r, nil, http.StatusForbidden, "link", pageData{Title: "Sign in", Error: csrfRefusal, D: d})
		return
	}
	in, err := s.st.CompleteSignIn(r.Context(), token)
	if err != nil {
		d := linkData{Token: token, Error: s.refusal(err)}
		s.render(w, r, nil, statusOf(err), "link", pageData{Title: "Sign in", Error: d.Error, D: d})
		return
	}
	if old := s.cookie(r, sessionCookie); old != "" { // one session per browser
		s.st.EndSession(r.Context(), old)
	}
	s.setCookie(w, sessionCookie, in.Token, int(store.SessionMax/time.Second))
	s.setCookie(w, formCookie, "", -1)
	s.log.Info("signed in", "user", in.Session.User.Name, "from", remoteIP(r))
	next := store.SafeNext(in.Next)
	if next == "" || !strings.HasPrefix(next, "/"+in.Session.User.Role) {
		next = "/" + in.Session.User.Role
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut: POST /signout ends the session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	se, err := s.currentSession(r)
	if err != nil {
		s.setCookie(w, sessionCookie, "", -1)
		http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
		return
	}
	if !store.SameSecret(r.PostFormValue("csrf"), se.CSRF) {
		s.fail(w, r, se, http.StatusForbidden, csrfRefusal)
		return
	}
	if err := s.st.EndSession(r.Context(), s.cookie(r, sessionCookie)); err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

// calendarFeed: GET /calendar/{secret}.ics is an officer's shifts as an
// iCalendar subscription: no session, the secret is the key.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret := strings.TrimSuffix(r.PathValue("secret"), ".ics")
	ctx := r.Context()
	actor, err := s.st.CalendarFeedActor(ctx, secret)
	if err != nil {
		http.Error(w, sentence(s.refusal(err)), statusOf(err))
		return
	}
	v, err := s.st.Viewer(ctx, actor)
	if err != nil {
		http.Error(w, sentence(s.refusal(err)), statusOf(err))
		return
	}
	o, err := s.st.OfficerByID(ctx, v.OfficerID)
	if err != nil {
		http.Error(w, sentence(s.refusal(err)), statusOf(err))
		return
	}
	now := s.now()
	since := now.AddDate(0, 0, -calendarPastDays)
	mine, err := s.st.MyShifts(ctx, actor, since.Add(-pricing.MaxShiftMinutes*time.Minute), now.AddDate(calendarYears, 0, 0))
	if err != nil {
		http.Error(w, sentence(s.refusal(err)), statusOf(err))
		return
	}
	var shifts []store.OfficerShift
	for _, m := range mine {
		if !m.End.After(since) || m.JobStatus == store.StatusCancelled {
			continue
		}
		shifts = append(shifts, m.OfficerShift)
	}
	sort.SliceStable(shifts, func(i, j int) bool { return shifts[i].Start.Before(shifts[j].Start) })
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="offduty-shifts.ics"`)
	if err := writeICS(w, o, shifts, now, s.loc); err != nil {
		s.log.Error("calendar feed", "err", err)
	}
}

// What a calendar feed holds: the shifts of the last 60 days and of the
// next 3 years.
const (
	calendarPastDays = 60
	calendarYears    = 3
)
