package web

// The officer's pages: their shifts and hours, the open shifts they may
// take with one tap to sign up, a shift's own page (where an open-shift
// e-mail leads), their pay, and their calendar subscription.

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui/export"
)

// shiftCard is a shift in a list or on its page.
type shiftCard struct {
	PositionID          int64
	JobID               int64
	When, Where, Agency string
	Customer, Class     string
	Status              string
	Hours, Pay          string
	CheckIn, CheckOut   string
	Attendance          string
	Contact             string
	PostOrders          []string
	FairUntil           string
	CanDrop             bool
	DropBy              string
}

func (s *Server) openCard(o store.OpenShift) shiftCard {
	loc := zoneNamed(o.AgencyZone, s.loc)
	c := shiftCard{PositionID: o.PositionID, JobID: o.JobID, When: span(o.Start, o.End, loc), Where: clean(o.SiteName) + ", " + clean(o.SiteAddress),
		Agency: clean(o.AgencyName), Customer: clean(o.CustomerName), Class: o.Class, Hours: o.Hours, Pay: money(o.Pay), Status: "open",
		PostOrders: paragraphs(o.PostOrders)}
	if !o.FairOnlyUntil.IsZero() {
		c.FairUntil = stamp(o.FairOnlyUntil, loc)
	}
	return c
}

func (s *Server) myCard(m store.MyShift, now time.Time) shiftCard {
	loc := zoneNamed(m.AgencyZone, s.loc)
	c := shiftCard{PositionID: m.PositionID, JobID: m.JobID, When: span(m.Start, m.End, loc), Where: clean(m.SiteName) + ", " + clean(m.SiteAddress),
		Agency: clean(m.AgencyName), Customer: clean(m.CustomerName), Class: m.Class, Status: statusWords(m.JobStatus),
		Hours: pricing.FormatHours(m.Minutes), Pay: money(m.Pay), Attendance: attendanceWords(m.Attendance), PostOrders: paragraphs(m.PostOrders)}
	if m.ContactName != "" || m.ContactPhone != "" {
		c.Contact = strings.TrimSpace(clean(m.ContactName) + " " + clean(m.ContactPhone))
	}
	if !m.CheckIn.IsZero() {
		c.CheckIn = m.CheckIn.In(loc).Format("15:04")
	}
	if !m.CheckOut.IsZero() {
		c.CheckOut = m.CheckOut.In(loc).Format("15:04")
	}
	if m.Attendance != pricing.AttendanceNoShow && m.CheckIn.IsZero() {
		c.CanDrop = m.Start.Sub(now) > store.DropNotice
		c.DropBy = stamp(m.Start.Add(-store.DropNotice), loc)
	}
	return c
}

// officerHome: GET /officer, their shifts: coming, the last two weeks,
// and sign-ups waiting for a dispatcher.
func (s *Server) officerHome(w http.ResponseWriter, r *http.Request, se *session) {
	ctx := r.Context()
	now := s.now()
	mine, err := s.st.MyShifts(ctx, se.Actor, now.AddDate(0, 0, -14).Add(-pricing.MaxShiftMinutes*time.Minute), time.Time{})
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	pending, err := s.st.Signups(ctx, se.Actor, store.SignupPending)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	var d struct {
		Coming, Past []shiftCard
		Pending      []struct {
			ID         int64
			PositionID int64
			When       string
		}
		ComingHours string
	}
	minutes := 0
	for _, m := range mine {
		c := s.myCard(m, now)
		if m.End.After(now) {
			d.Coming = append(d.Coming, c)
			minutes += m.Minutes
		} else {
			d.Past = append([]shiftCard{c}, d.Past...)
		}
	}
	d.ComingHours = pricing.FormatHours(minutes)
	for _, p := range pending {
		d.Pending = append(d.Pending, struct {
			ID         int64
			PositionID int64
			When       string
		}{p.ID, p.PositionID, span(p.Start, p.End, s.loc) + ", " + clean(p.SiteName)})
	}
	s.render(w, r, se, http.StatusOK, "officer", pageData{Title: "My shifts", D: d})
}

// openPage: GET /officer/open, the open shifts this officer may take.
func (s *Server) openPage(w http.ResponseWriter, r *http.Request, se *session) {
	list, err := s.st.OpenShifts(r.Context(), se.Actor)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	var cards []shiftCard
	for _, o := range list {
		cards = append(cards, s.openCard(o))
	}
	s.render(w, r, se, http.StatusOK, "open", pageData{Title: "Open shifts", D: cards})
}

// shiftData is a shift's page.
type shiftData struct {
	ID    int64
	Open  *shiftCard // open to this officer
	Mine  *shiftCard // theirs
	Other bool       // neither: the store says why on sign-up
}

// shiftPage: GET /officer/shifts/{id} (a position's id): an open shift
// with its sign-up button, or one of theirs; nothing of anyone else's.
func (s *Server) shiftPage(w http.ResponseWriter, r *http.Request, se *session) {
	s.showShift(w, r, se, http.StatusOK, "")
}

func (s *Server) showShift(w http.ResponseWriter, r *http.Request, se *session, status int, msg string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such shift.")
		return
	}
	ctx := r.Context()
	d := shiftData{ID: id}
	open, err := s.st.OpenShifts(ctx, se.Actor)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	for _, o := range open {
		if o.PositionID == id {
			c := s.openCard(o)
			d.Open = &c
		}
	}
	if d.Open == nil {
		m, ok, err := s.st.MyShift(ctx, se.Actor, id)
		if err != nil {
			s.fail(w, r, se, statusOf(err), s.refusal(err))
			return
		}
		if ok {
			c := s.myCard(m, s.now())
			d.Mine = &c
		}
	}
	d.Other = d.Open == nil && d.Mine == nil
	if d.Other && status == http.StatusOK && msg == "" {
		status = http.StatusNotFound
	}
	s.render(w, r, se, status, "shift", pageData{Title: fmt.Sprintf("Shift #%d", id), Error: msg, D: d})
}

// signUpPost: POST /officer/shifts/{id}/signup, under the store's rules
// (eligibility, the fairness window, the office's sign-up mode).
func (s *Server) signUpPost(w http.ResponseWriter, r *http.Request, se *session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such shift.")
		return
	}
	res, err := s.st.SignUp(r.Context(), se.Actor, id)
	if err != nil {
		s.showShift(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	s.setFlash(se, sentence(res.Message))
	http.Redirect(w, r, fmt.Sprintf("/officer/shifts/%d", id), http.StatusSeeOther)
}

// dropPost: POST /officer/shifts/{id}/drop, more than 48 hours ahead.
func (s *Server) dropPost(w http.ResponseWriter, r *http.Request, se *session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such shift.")
		return
	}
	if err := s.st.DropShift(r.Context(), se.Actor, id, r.PostFormValue("reason")); err != nil {
		s.showShift(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	s.setFlash(se, fmt.Sprintf("You dropped shift #%d: the dispatchers are told, and it is open again.", id))
	http.Redirect(w, r, "/officer", http.StatusSeeOther)
}

// withdrawPost: POST /officer/signups/{id}/withdraw, a pending sign-up.
func (s *Server) withdrawPost(w http.ResponseWriter, r *http.Request, se *session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such sign-up.")
		return
	}
	if err := s.st.WithdrawSignup(r.Context(), se.Actor, id); err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	s.setFlash(se, "Sign-up withdrawn.")
	http.Redirect(w, r, "/officer", http.StatusSeeOther)
}

// payPage: GET /officer/pay[?day=YYYY-MM-DD], the pay period holding day
// (default today), as payroll computes it.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request, se *session) {
	ctx := r.Context()
	day := s.today()
	title := "Pay"
	if q := strings.TrimSpace(r.URL.Query().Get("day")); q != "" {
		t, err := time.Parse("2006-01-02", q)
		if err != nil {
			s.fail(w, r, se, http.StatusUnprocessableEntity, fmt.Sprintf("%q is not a date: use YYYY-MM-DD.", clean(q)))
			return
		}
		day = t
	}
	ps, pe, err := s.st.PayPeriod(ctx, day)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	op, err := s.st.MyPay(ctx, se.Actor, day)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	type line struct{ Day, What, Hours, Rate, Amount string }
	d := struct {
		Period, Prev, Next string
		Lines              []line
		Hours, Total       string
	}{Period: fmt.Sprintf("%s to %s", ps.Format("Mon 02 Jan 2006"), pe.AddDate(0, 0, -1).Format("Mon 02 Jan 2006")),
		Prev: ps.AddDate(0, 0, -1).Format("2006-01-02"), Next: pe.Format("2006-01-02"),
		Hours: pricing.FormatHours(op.Minutes), Total: money(op.Total)}
	for _, l := range op.Lines {
		what := strings.Trim(strings.Join([]string{clean(l.Customer), clean(l.Site)}, ", "), ", ")
		if l.Kind != "shift" {
			what = l.Kind + ": " + what
		}
		d.Lines = append(d.Lines, line{Day: l.Day.Format("Mon 02 Jan"), What: what, Hours: pricing.FormatMinutes(l.Minutes), Rate: clean(l.Rate), Amount: money(l.Amount)})
	}
	s.render(w, r, se, http.StatusOK, "pay", pageData{Title: title, D: d})
}

// calendarData is the calendar page's.
type calendarData struct {
	Active    bool
	Since     string
	URL       string       // a new link, shown once
	WebcalURL template.URL // webcal://, which html/template would refuse as a plain string
}

// calendarPage: GET /officer/calendar says whether a subscription link works.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, se *session) {
	f, err := s.st.CalendarFeedOf(r.Context(), se.Actor)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	d := calendarData{Active: f.Active}
	if f.Active {
		d.Since = stamp(f.Created, s.loc)
	}
	s.render(w, r, se, http.StatusOK, "calendar", pageData{Title: "Calendar", D: d})
}

// calendarPost: POST /officer/calendar makes a new link (action=new; the
// old one stops) or stops it (action=stop).
func (s *Server) calendarPost(w http.ResponseWriter, r *http.Request, se *session) {
	ctx := r.Context()
	switch r.PostFormValue("action") {
	case "new":
		secret, err := s.st.NewCalendarFeed(ctx, se.Actor)
		if err != nil {
			s.fail(w, r, se, statusOf(err), s.refusal(err))
			return
		}
		u := s.URL("/calendar/" + secret + ".ics")
		d := calendarData{Active: true, Since: stamp(s.now(), s.loc), URL: u,
			WebcalURL: template.URL("webcal://" + strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"))}
		s.render(w, r, se, http.StatusOK, "calendar", pageData{Title: "Calendar",
			Flash: "A new calendar link: copy it now, it is shown only once. Any older link stopped working.", D: d})
	case "stop":
		if err := s.st.StopCalendarFeed(ctx, se.Actor); err != nil {
			s.fail(w, r, se, statusOf(err), s.refusal(err))
			return
		}
		s.setFlash(se, "Your calendar link stopped working.")
		http.Redirect(w, r, "/officer/calendar", http.StatusSeeOther)
	default:
		s.fail(w, r, se, http.StatusUnprocessableEntity, "Choose to make a new link or to stop the one you have.")
	}
}

// writeICS writes the feed with ui/export's iCalendar code (as offduty
// shifts export writes the file).
func writeICS(w io.Writer, o store.Officer, shifts []store.OfficerShift, now time.Time, loc *time.Location) error {
	return export.ShiftsICS(w, o, shifts, now, loc)
}
