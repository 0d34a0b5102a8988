package web

// The customer's pages: their jobs, a request with the live quote, a job
// with its officers, attendance and shared notes, cancelling or reducing
// with the fee shown first, and invoices with their PDF.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui"
	"offduty/ui/export"
)

// jobCard is a job in a list.
type jobCard struct {
	ID                  int64
	When, Where, Agency string
	Status              string
	Officers            string
	Total               string
}

func (s *Server) jobCard(j store.Job, zones map[int64]*time.Location) jobCard {
	loc := s.zoneOf(zones, j.AgencyID)
	officers := fmt.Sprintf("%d of %d officers placed", j.Filled, j.Officers+j.Supervisors)
	if j.Vehicles > 0 {
		officers += fmt.Sprintf(", %d vehicle(s)", j.Vehicles)
	}
	return jobCard{ID: j.ID, When: span(j.Start, j.End, loc), Where: clean(j.SiteName) + ", " + clean(j.SiteAddress),
		Agency: clean(j.AgencyName), Status: statusWords(j.Status), Officers: officers, Total: money(j.Total)}
}

// customerHome: GET /customer lists the account's jobs: coming and recent.
func (s *Server) customerHome(w http.ResponseWriter, r *http.Request, se *session) {
	now := s.now()
	jobs, err := s.st.Jobs(r.Context(), se.Actor, store.JobFilter{From: now.AddDate(0, 0, -90)})
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	zones := s.zones(r)
	var d struct{ Coming, Past []jobCard }
	for _, j := range jobs {
		c := s.jobCard(j, zones)
		if j.End.After(now) && j.Status != store.StatusCancelled {
			d.Coming = append(d.Coming, c)
		} else {
			d.Past = append([]jobCard{c}, d.Past...) // newest first
		}
	}
	s.render(w, r, se, http.StatusOK, "customer", pageData{Title: "Your jobs", D: d})
}

// requestForm is the request as typed.
type requestForm struct {
	Site, Agency, Venue, Date, Start, Hours, Officers, Vehicles string
	Contact, Phone, PO, Orders                                  string
}

func readRequestForm(r *http.Request) requestForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return requestForm{Site: v("site"), Agency: v("agency"), Venue: v("venue"), Date: v("date"), Start: v("start"), Hours: v("hours"),
		Officers: v("officers"), Vehicles: v("vehicles"), Contact: v("contact"), Phone: v("phone"), PO: v("po"), Orders: r.PostFormValue("orders")}
}

// quoteLine is one priced line as shown.
type quoteLine struct{ Label, Hours, Rate, Amount string }

// quoteView is the quote box.
type quoteView struct {
	Missing, Problem   string
	Q                  *pricing.Quote
	Agency, Shift      string
	Lines              []quoteLine
	Total              string
	Warnings, Refusals []string
}

func viewQuote(q *pricing.Quote, loc *time.Location) quoteView {
	v := quoteView{Q: q, Agency: clean(q.AgencyName), Total: money(q.Total),
		Shift: fmt.Sprintf("%s, %s", span(q.Start, q.End, loc), q.Venue.Label())}
	for _, l := range q.Lines {
		label := l.Label()
		if l.Basis != "" && l.Basis != pricing.BasisRegular && l.Basis != string(l.Class) {
			label += ", " + l.Basis
		}
		v.Lines = append(v.Lines, quoteLine{Label: label, Hours: pricing.FormatMinutes(l.Minutes), Rate: l.Rate.Total.StringFixed(2), Amount: money(l.Amount)})
	}
	for _, w := range q.Warnings {
		v.Warnings = append(v.Warnings, clean(w))
	}
	for _, r := range q.Refusals {
		v.Refusals = append(v.Refusals, sentence(clean(r.Message)))
	}
	return v
}

// priceRequest reads a request form into the store's input and its quote,
// priced as the store prices it (the agency's card in force now, received
// now). A field that cannot be read says so in Problem (the console's and
// the pricing's own words); one not filled in yet, in Missing.
func (s *Server) priceRequest(ctx context.Context, se *session, f requestForm) (store.JobInput, quoteView) {
	in := store.JobInput{CustomerID: se.User.CustomerID, Agency: f.Agency, ContactName: f.Contact, ContactPhone: f.Phone,
		PONumber: f.PO, PostOrders: f.Orders}
	var qv quoteView
	if f.Agency == "" {
		qv.Missing = "Choose the agency to see the quote."
		return in, qv
	}
	a, err := s.st.AgencyBySlug(ctx, f.Agency)
	if err != nil {
		qv.Problem = s.refusal(err)
		return in, qv
	}
	if id, err := strconv.ParseInt(f.Site, 10, 64); err == nil {
		in.SiteID = id
	}
	if in.Venue, err = pricing.ParseVenue(f.Venue); err != nil {
		qv.Problem = sentence("venue: " + err.Error())
		return in, qv
	}
	var missing []string
	for _, m := range []struct{ v, name string }{{f.Date, "date"}, {f.Start, "start"}, {f.Hours, "hours"}, {f.Officers, "officers"}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		if n := len(missing); n > 1 {
			list = strings.Join(missing[:n-1], ", ") + " and " + missing[n-1]
		}
		qv.Missing = "Fill in the " + list + " to see the quote."
		return in, qv
	}
	if in.Start, err = pricing.ParseLocal(f.Date+" "+f.Start, a.Loc); err != nil {
		qv.Problem = sentence("start: " + err.Error())
		return in, qv
	}
	minutes, err := pricing.ParseHours(f.Hours)
	if err != nil {
		qv.Problem = sentence("hours: " + err.Error())
		return in, qv
	}
	in.End = in.Start.Add(time.Duration(minutes) * time.Minute)
	if in.Officers, err = ui.ParseCount(f.Officers, 1, pricing.MaxOfficers, 0, "officers"); err != nil {
		qv.Problem = sentence(err.Error())
		return in, qv
	}
	if in.Vehicles, err = ui.ParseCount(f.Vehicles, 0, pricing.MaxVehicles, 0, "vehicles"); err != nil {
		qv.Problem = sentence(err.Error())
		return in, qv
	}
	now := s.now()
	in.Received = now
	pa, err := s.st.Pricing(ctx, a.Slug, now)
	if err != nil {
		qv.Problem = s.refusal(err)
		return in, qv
	}
	q, err := pa.Pricing.Quote(pricing.Request{Start: in.Start, End: in.End, Officers: in.Officers, Vehicles: in.Vehicles, Venue: in.Venue, Received: now})
	if err != nil {
		var ie *pricing.InputError
		if errors.As(err, &ie) {
			qv.Problem = sentence(ie.Field + ": " + ie.Msg)
		} else {
			qv.Problem = s.refusal(err)
		}
		return in, qv
	}
	return in, viewQuote(q, a.Loc)
}

// requestData is the request page's.
type requestData struct {
	F        requestForm
	Sites    []store.Site
	Agencies []store.Agency
	Venues   []venueOption
	Quote    quoteView
	Customer store.Customer
}

type venueOption struct{ Value, Label string }

func (s *Server) requestData(ctx context.Context, se *session, f requestForm) (requestData, error) {
	d := requestData{F: f}
	c, err := s.st.Customer(ctx, se.User.CustomerID)
	if err != nil {
		return d, err
	}
	d.Customer = c
	for _, st := range c.Sites {
		if !st.Archived {
			d.Sites = append(d.Sites, st)
		}
	}
	if d.Agencies, err = s.st.Agencies(ctx); err != nil {
		return d, err
	}
	for _, v := range pricing.Venues {
		d.Venues = append(d.Venues, venueOption{string(v), v.Label()})
	}
	if d.F.Venue == "" {
		d.F.Venue = string(pricing.VenueGeneral)
	}
	if d.F.Officers == "" {
		d.F.Officers = "1"
	}
	if d.F.Vehicles == "" {
		d.F.Vehicles = "0"
	}
	if d.F.Hours == "" {
		d.F.Hours = "4"
	}
	if d.F.Site == "" && len(d.Sites) > 0 {
		d.F.Site = strconv.FormatInt(d.Sites[0].ID, 10)
	}
	if d.F.Agency == "" && len(d.Agencies) > 0 {
		d.F.Agency = d.Agencies[0].Slug
	}
	return d, nil
}

// requestPage: GET /customer/request shows the request form.
func (s *Server) requestPage(w http.ResponseWriter, r *http.Request, se *session) {
	d, err := s.requestData(r.Context(), se, requestForm{})
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	_, d.Quote = s.priceRequest(r.Context(), se, d.F)
	s.render(w, r, se, http.StatusOK, "request", pageData{Title: "Request officers", Script: "quote.js", D: d})
}

// quotePost: POST /customer/quote prices the form as typed: the quote box alone.
func (s *Server) quotePost(w http.ResponseWriter, r *http.Request, se *session) {
	_, qv := s.priceRequest(r.Context(), se, readRequestForm(r))
	s.fragment(w, "request", "quotebox", qv)
}

// requestPost: POST /customer/request saves the request (action=save) or
// shows its quote (action=quote, the page without script).
func (s *Server) requestPost(w http.ResponseWriter, r *http.Request, se *session) {
	ctx := r.Context()
	f := readRequestForm(r)
	d, err := s.requestData(ctx, se, f)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	in, qv := s.priceRequest(ctx, se, d.F)
	d.Quote = qv
	page := pageData{Title: "Request officers", Script: "quote.js", D: d}
	if r.PostFormValue("action") == "quote" {
		s.render(w, r, se, http.StatusOK, "request", page)
		return
	}
	switch {
	case qv.Missing != "":
		page.Error = qv.Missing
	case qv.Problem != "":
		page.Error = qv.Problem
	case qv.Q != nil && !qv.Q.Bookable:
		page.Error = "Not saved: " + strings.Join(qv.Refusals, " ")
	}
	if page.Error != "" {
		s.render(w, r, se, http.StatusUnprocessableEntity, "request", page)
		return
	}
	ids, err := s.st.CreateJobs(ctx, se.Actor, in)
	if err != nil {
		page.Error = s.refusal(err)
		s.render(w, r, se, statusOf(err), "request", page)
		return
	}
	s.setFlash(se, fmt.Sprintf("Request saved as job #%d: the office approves it and places the officers. Quoted total %s.", ids[0], qv.Total))
	http.Redirect(w, r, fmt.Sprintf("/customer/jobs/%d", ids[0]), http.StatusSeeOther)
}

// positionView is a position on the customer's job page.
type positionView struct {
	Slot                       int
	Class, Officer             string
	CheckIn, CheckOut, Attends string
}

// jobData is the customer's job page's.
type jobData struct {
	J          store.Job
	Card       jobCard
	Positions  []positionView
	Notes      []noteView
	Files      []fileView // the job's attachments shared with the customer
	Fees       []store.Fee
	CancelFee  string
	CanCancel  bool
	PostOrders []string
	Quote      quoteView
}

type noteView struct {
	At, Author string
	Body       []string
}

// fileView is an attachment as the job page lists it.
type fileView struct {
	ID               int64
	Name, Size, Type string
}

func attendanceWords(a string) string {
	switch a {
	case pricing.AttendanceNoShow:
		return "did not come (the position reopened)"
	case "":
		return ""
	}
	return strings.ReplaceAll(a, "_", " ")
}

// jobPage: GET /customer/jobs/{id}.
func (s *Server) jobPage(w http.ResponseWriter, r *http.Request, se *session) {
	j, ok := s.customerJob(w, r, se)
	if !ok {
		return
	}
	ctx := r.Context()
	x, err := s.st.Extras(ctx, se.Actor, j.ID)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	zones := s.zones(r)
	loc := s.zoneOf(zones, j.AgencyID)
	d := jobData{J: j, Card: s.jobCard(j, zones), Fees: x.Fees, PostOrders: paragraphs(j.PostOrders)}
	if j.CancelFee.Valid {
		d.CancelFee = money(j.CancelFee.Decimal)
	}
	d.CanCancel = store.CanMove(j.Status, store.StatusCancelled) == nil
	for _, p := range j.Positions {
		pv := positionView{Slot: p.Slot, Class: p.Class, Officer: "not placed yet", Attends: attendanceWords(p.Attendance)}
		switch {
		case p.Status == "cancelled":
			pv.Officer = "(removed)"
		case p.OfficerID != 0:
			pv.Officer = clean(p.OfficerName)
			if p.Badge != "" {
				pv.Officer += ", badge " + clean(p.Badge)
			}
		case p.NoShowName != "":
			pv.Officer = "open (" + clean(p.NoShowName) + " did not come)"
		}
		if !p.CheckIn.IsZero() {
			pv.CheckIn = p.CheckIn.In(loc).Format("15:04")
		}
		if !p.CheckOut.IsZero() {
			pv.CheckOut = p.CheckOut.In(loc).Format("15:04")
		}
		d.Positions = append(d.Positions, pv)
	}
	for _, n := range x.Notes {
		d.Notes = append(d.Notes, noteView{At: stamp(n.At, loc), Author: clean(n.Author), Body: paragraphs(n.Body)})
	}
	for _, m := range x.Media { // Extras gives a customer only what is shared with it
		typ, _, _ := strings.Cut(clean(m.Type), ";")
		d.Files = append(d.Files, fileView{ID: m.ID, Name: clean(m.Name), Size: ui.ByteSize(m.Size), Type: typ})
	}
	s.render(w, r, se, http.StatusOK, "job", pageData{Title: fmt.Sprintf("Job #%d", j.ID), D: d})
}

// jobFile: GET /customer/jobs/{id}/files/{file}: an attachment shared with
// the customer, as a download (never shown in the page's own origin: the
// pages' content policy forbids running anything in it).
func (s *Server) jobFile(w http.ResponseWriter, r *http.Request, se *session) {
	id, ok := pathID(r, "id")
	fid, fok := pathID(r, "file")
	if !ok || !fok {
		s.fail(w, r, se, http.StatusNotFound, "No such file.")
		return
	}
	ctx := r.Context()
	m, err := s.st.JobMedia(ctx, se.Actor, id, fid)
	if store.ErrorCode(err) == store.ENotFound && store.ErrorField(err) == "media" {
		s.fail(w, r, se, http.StatusNotFound, fmt.Sprintf("Job #%d has no such file shared with you.", id))
		return
	} else if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	rc, err := s.st.OpenMedia(ctx, se.Actor, m)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	defer rc.Close()
	typ := "application/octet-stream"
	if t, params, err := mime.ParseMediaType(m.Type); err == nil {
		typ = mime.FormatMediaType(t, params)
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.Name}))
	h.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Warn("file download cut short", "job", id, "file", fid, "err", err)
	}
}

// feeView is a fee as shown.
type feeView struct {
	Lines []struct{ Text, Amount string }
	Total string
	Notes []string
}

func viewFee(f pricing.Fee) feeView {
	v := feeView{Total: money(f.Total)}
	for _, l := range f.Lines {
		text := l.Describe()
		if text != "" {
			text = strings.ToUpper(text[:1]) + text[1:]
		}
		v.Lines = append(v.Lines, struct{ Text, Amount string }{text, money(l.Amount)})
	}
	for _, n := range f.Notes {
		v.Notes = append(v.Notes, sentence(clean(n)))
	}
	return v
}

// cancelData is the cancel page's.
type cancelData struct {
	Card     jobCard
	JobID    int64
	Officers int // officers on the job now
	Remove   int // 0: the whole job
	Reason   string
	Fee      *feeView
	Whole    bool
}

// cancelPlan reads what the customer asks: ?remove=N officers (0 or all:
// the whole job).
func cancelPlan(r *http.Request, j store.Job) (store.CancelPlan, int, error) {
	raw := strings.TrimSpace(r.FormValue("remove"))
	n := 0
	if raw != "" && raw != "all" {
		var err error
		if n, err = ui.ParseCount(raw, 1, max(j.Officers, 1), 0, "officers to remove"); err != nil {
			return store.CancelPlan{}, 0, err
		}
	}
	if n >= j.Officers {
		n = 0
	}
	return store.CancelPlan{JobID: j.ID, Officers: n, Reason: strings.TrimSpace(r.FormValue("reason"))}, n, nil
}

// cancelPage: GET /customer/jobs/{id}/cancel[?remove=N] shows the fee of
// cancelling the job, or removing N officers, before anything is done.
func (s *Server) cancelPage(w http.ResponseWriter, r *http.Request, se *session) {
	s.cancelFlow(w, r, se, false)
}

// cancelPost: POST /customer/jobs/{id}/cancel does it (confirm=yes), at the
// store's now; the fee charged is the one the store computes then.
func (s *Server) cancelPost(w http.ResponseWriter, r *http.Request, se *session) {
	s.cancelFlow(w, r, se, r.PostFormValue("confirm") == "yes")
}

func (s *Server) cancelFlow(w http.ResponseWriter, r *http.Request, se *session, confirm bool) {
	j, ok := s.customerJob(w, r, se)
	if !ok {
		return
	}
	ctx := r.Context()
	d := cancelData{Card: s.jobCard(j, s.zones(r)), JobID: j.ID, Officers: j.Officers}
	title := fmt.Sprintf("Cancel or reduce job #%d", j.ID)
	plan, n, err := cancelPlan(r, j)
	if err != nil {
		s.render(w, r, se, http.StatusUnprocessableEntity, "cancel", pageData{Title: title, Error: sentence(err.Error()), D: d})
		return
	}
	d.Remove, d.Reason, d.Whole = n, plan.Reason, n == 0
	if confirm {
		fee, err := s.st.CancelOrReduce(ctx, se.Actor, plan)
		if err != nil {
			s.render(w, r, se, statusOf(err), "cancel", pageData{Title: title, Error: s.refusal(err), D: d})
			return
		}
		what := "Job cancelled"
		if n > 0 {
			what = fmt.Sprintf("Job reduced by %d officer(s)", n)
		}
		s.setFlash(se, fmt.Sprintf("%s. Fee: %s.", what, money(fee.Total)))
		http.Redirect(w, r, fmt.Sprintf("/customer/jobs/%d", j.ID), http.StatusSeeOther)
		return
	}
	status := http.StatusOK
	page := pageData{Title: title, D: &d}
	if r.FormValue("remove") != "" || r.Method == http.MethodPost {
		fee, err := s.st.PreviewCancelFor(ctx, se.Actor, plan)
		if err != nil {
			page.Error, status = s.refusal(err), statusOf(err)
		} else {
			fv := viewFee(fee)
			d.Fee = &fv
		}
	} else if err := store.CanMove(j.Status, store.StatusCancelled); err != nil {
		page.Error, status = sentence(fmt.Sprintf("job %d: %v", j.ID, err)), http.StatusConflict
	}
	s.render(w, r, se, status, "cancel", page)
}

// invoiceCard is an invoice in the list.
type invoiceCard struct {
	ID                       int64
	Number, Period, State    string
	Issued, Due, Total, Paid string
	Overdue                  bool
}

func invoiceCardOf(inv store.Invoice, today time.Time) invoiceCard {
	c := invoiceCard{ID: inv.ID, Number: export.Name(inv), State: inv.State, Total: money(inv.Total), Overdue: inv.Overdue(today),
		Period: fmt.Sprintf("%s to %s", inv.PeriodStart.Format("02 Jan 2006"), inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006"))}
	if !inv.IssuedOn.IsZero() {
		c.Issued = inv.IssuedOn.Format("02 Jan 2006")
	}
	if !inv.DueOn.IsZero() {
		c.Due = inv.DueOn.Format("02 Jan 2006")
	}
	if !inv.PaidOn.IsZero() {
		c.Paid = inv.PaidOn.Format("02 Jan 2006")
	}
	return c
}

func (s *Server) today() time.Time {
	t := s.now().In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// invoicesPage: GET /customer/invoices.
func (s *Server) invoicesPage(w http.ResponseWriter, r *http.Request, se *session) {
	list, err := s.st.Invoices(r.Context(), se.Actor, store.InvoiceFilter{})
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	var cards []invoiceCard
	for _, inv := range list {
		cards = append(cards, invoiceCardOf(inv, s.today()))
	}
	s.render(w, r, se, http.StatusOK, "invoices", pageData{Title: "Invoices", D: cards})
}

// invoiceLineView is an invoice line as shown.
type invoiceLineView struct{ Day, What, Hours, Rate, Amount string }

// invoicePage: GET /customer/invoices/{id}.
func (s *Server) invoicePage(w http.ResponseWriter, r *http.Request, se *session) {
	inv, ok := s.customerInvoice(w, r, se)
	if !ok {
		return
	}
	d := struct {
		C     invoiceCard
		Inv   store.Invoice
		Lines []invoiceLineView
		Terms string
	}{C: invoiceCardOf(inv, s.today()), Inv: inv, Terms: store.TermsText(inv.TermsDays)}
	for _, l := range inv.Lines {
		what := clean(l.Description)
		if what == "" {
			what = strings.TrimSpace(strings.Join([]string{clean(l.Site), clean(l.Officer), l.Class}, ", "))
		}
		lv := invoiceLineView{What: what, Amount: money(l.Amount)}
		if !l.Day.IsZero() {
			lv.Day = l.Day.Format("02 Jan")
		}
		if l.Minutes > 0 {
			lv.Hours = pricing.FormatMinutes(l.Minutes)
		}
		if !l.Rate.IsZero() {
			lv.Rate = l.Rate.StringFixed(2)
		}
		d.Lines = append(d.Lines, lv)
	}
	s.render(w, r, se, http.StatusOK, "invoice", pageData{Title: "Invoice " + d.C.Number, D: d})
}

// customerJob is the job the path's {id} names, if the customer may read
// it; otherwise the page saying why is sent and ok is false.
func (s *Server) customerJob(w http.ResponseWriter, r *http.Request, se *session) (store.Job, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such job.")
		return store.Job{}, false
	}
	j, err := s.st.Job(r.Context(), se.Actor, id)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return j, false
	}
	return j, true
}

func (s *Server) customerInvoice(w http.ResponseWriter, r *http.Request, se *session) (store.Invoice, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.fail(w, r, se, http.StatusNotFound, "No such invoice.")
		return store.Invoice{}, false
	}
	inv, err := s.st.Invoice(r.Context(), se.Actor, id)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return inv, false
	}
	return inv, true
}

// invoicePDF: GET /customer/invoices/{id}/pdf, the printed invoice as the
// office issued it (ui/export's PDF).
func (s *Server) invoicePDF(w http.ResponseWriter, r *http.Request, se *session) {
	inv, ok := s.customerInvoice(w, r, se)
	if !ok {
		return
	}
	office, err := s.st.InvoiceOffice(r.Context(), inv.ID)
	if err != nil {
		s.fail(w, r, se, statusOf(err), s.refusal(err))
		return
	}
	var buf bytes.Buffer
	if err := export.InvoicePDF(&buf, inv, office); err != nil {
		s.fail(w, r, se, http.StatusInternalServerError, s.refusal(err))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+url.PathEscape(export.FileName(inv, "pdf"))+"\"")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	buf.WriteTo(w)
}
