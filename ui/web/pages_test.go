package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// Sign-in: the link's page uses nothing up (a mail scanner's GET), its
// button does, once; the session cookie is HttpOnly and SameSite; the
// sign-in is audited as the web user.
func TestWebSignInLinkOnce(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	w.check(c.get("/"), "GET / signed out", http.StatusSeeOther)
	c.must("/signin", http.StatusOK, `<label for="email">E-mail address</label>`)
	c.askLink(coraAddr, "/customer/invoices")
	link := w.lastLink(coraAddr)
	for range 3 { // scanners and a second look
		c.must(link, http.StatusOK, "signs you in as <strong>cora</strong>", "Sign in</button>")
	}
	p := c.post(link, nil)
	if p.status != http.StatusSeeOther || p.location() != "/customer/invoices" {
		t.Fatalf("sign in: %d to %q\n%s", p.status, p.location(), mainOf(p.body))
	}
	sc := p.header.Values("Set-Cookie")
	if len(sc) == 0 || !strings.Contains(sc[0], "HttpOnly") || !strings.Contains(sc[0], "SameSite=Lax") || strings.Contains(sc[0], "Secure") {
		t.Errorf("session cookie over http: %q", sc)
	}
	c.must("/customer/invoices", http.StatusOK, "Signed in as cora")
	// The same link again, in this browser or another: refused in the store's words.
	other := w.client()
	other.get(link)
	p = other.post(link, nil)
	w.check(p, "the link used twice", http.StatusConflict, "This sign-in link was used already: each link works once. Ask for a new one.")
	audit, err := w.s.Audit(context.Background(), store.AuditFilter{Actor: "cora@web"})
	if err != nil || len(audit) == 0 || audit[len(audit)-1].Action != "web sign-in" {
		t.Errorf("audit: %+v, %v", audit, err)
	}
}

func TestWebSignInLinkExpires(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	c.askLink(kelseyAddr, "")
	link := w.lastLink(kelseyAddr)
	c.must(link, http.StatusOK, "Sign in</button>")
	w.setClock(w.now().Add(store.SignInTTL))
	w.check(c.post(link, nil), "an expired link", http.StatusConflict, "This sign-in link expired at 09:15 on Tue 01 Dec: ask for a new one.")
	c.must(link, http.StatusConflict, "expired")
}

// Only customer and officer users with an address get a link; the page
// says the same for everyone, so it tells nobody whose address it is.
func TestWebSignInWho(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	before := w.outboxLen()
	for _, addr := range []string{sueAddr, "nobody@example.com"} {
		p := c.askLink(addr, "")
		w.check(p, "asking as "+addr, http.StatusOK, "Check your e-mail")
	}
	ms, _ := w.s.Outbox(context.Background(), "", store.OutboxFilter{})
	if n := len(ms) - before; n != 1 || ms[0].To != sueAddr || linkRE.MatchString(ms[0].Body) || !strings.Contains(ms[0].Body, "ssh -p 2222 office.example") {
		t.Errorf("staff and unknown addresses: %d messages, newest %+v", n, ms[0])
	}
	p := c.askLink("not-an-address", "")
	w.check(p, "a bad address", http.StatusUnprocessableEntity, `class="error"`)
	// The limit on requests per address.
	for range store.SignInLimit - 1 {
		c.askLink("nobody@example.com", "")
	}
	w.check(c.askLink("nobody@example.com", ""), "too many links", http.StatusTooManyRequests, "sign-in links were asked for this address")
}

func (w *world) outboxLen() int {
	ms, err := w.s.Outbox(context.Background(), "", store.OutboxFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	return len(ms)
}

// Sessions end: signing out, idle, and the longest a session lives.
func TestWebSessionExpiry(t *testing.T) {
	w := newWorld(t)
	start := w.now()
	c := w.client()
	c.signIn(coraAddr)
	c.must("/customer", http.StatusOK, "Your jobs")
	w.setClock(start.Add(store.SessionIdle))
	c.must("/customer", http.StatusUnauthorized, "Your session ended after 12 hours without use: sign in again.", `name="next" value="/customer"`)
	c.must("/customer", http.StatusUnauthorized, "E-mail address") // the cookie is gone

	w.setClock(start)
	c = w.client()
	c.signIn(coraAddr)
	for at := start; at.Before(start.Add(store.SessionMax - 11*time.Hour)); at = at.Add(11 * time.Hour) {
		w.setClock(at)
		c.must("/customer", http.StatusOK)
	}
	w.setClock(start.Add(store.SessionMax))
	c.must("/customer", http.StatusUnauthorized, "Your session ended: a sign-in lasts 168 hours at most. Sign in again.")

	w.setClock(start)
	c = w.client()
	c.signIn(coraAddr)
	c.get("/customer")
	w.check(c.post("/signout", url.Values{"csrf": {"forged"}}), "sign-out without the token", http.StatusForbidden)
	c.must("/customer", http.StatusOK)
	p := c.post("/signout", nil)
	if p.status != http.StatusSeeOther || p.location() != "/signin?out=1" {
		t.Fatalf("sign out: %d %q", p.status, p.location())
	}
	c.must("/signin?out=1", http.StatusOK, "You signed out.")
	c.must("/customer", http.StatusUnauthorized)
}

// Every form refuses a request without the session's token, and changes
// nothing; so does a POST from another site.
func TestWebCSRF(t *testing.T) {
	w := newWorld(t)
	cust, off := w.client(), w.client()
	cust.signIn(coraAddr)
	off.signIn(kelseyAddr)
	job := w.custJob(store.StatusApproved)
	open := w.openShift()
	before := w.outboxLen()
	auditBefore, _ := w.s.Audit(context.Background(), store.AuditFilter{})
	for _, c := range []struct {
		cl   *client
		path string
		form url.Values
	}{
		{cust, "/customer/request", w.requestForm("2026-12-20", "4", "2")},
		{cust, "/customer/quote", w.requestForm("2026-12-20", "4", "2")},
		{cust, fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), url.Values{"remove": {"all"}, "confirm": {"yes"}}},
		{cust, "/signout", nil},
		{off, fmt.Sprintf("/officer/shifts/%d/signup", open.PositionID), nil},
		{off, fmt.Sprintf("/officer/shifts/%d/drop", open.PositionID), nil},
		{off, "/officer/signups/1/withdraw", nil},
		{off, "/officer/calendar", url.Values{"action": {"new"}}},
	} {
		for _, tok := range []string{"", "forged"} {
			f := url.Values{"csrf": {tok}}
			for k, v := range c.form {
				f[k] = v
			}
			p := c.cl.post(c.path, f)
			w.check(p, "POST "+c.path+" token "+tok, http.StatusForbidden, "security token does not match")
		}
	}
	// Forms before sign-in carry a token bound to the browser's own cookie.
	anon := w.client()
	anon.get("/signin")
	w.check(anon.post("/signin", url.Values{"email": {coraAddr}, "csrf": {"forged"}}), "sign-in form, forged", http.StatusForbidden)
	w.client().askLink(coraAddr, "")
	link := w.lastLink(coraAddr)
	w.check(anon.post(link, url.Values{"csrf": {"forged"}}), "a link pressed with a forged token", http.StatusForbidden, "security token")
	// Another site's page posting with a valid token.
	req, _ := http.NewRequest(http.MethodPost, cust.url("/customer/request"), strings.NewReader(url.Values{"csrf": {cust.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	w.check(cust.do(req), "a cross-site POST", http.StatusForbidden, "sent from another site")

	auditAfter, _ := w.s.Audit(context.Background(), store.AuditFilter{})
	if w.outboxLen() != before+1 || len(auditAfter) != len(auditBefore) { // the one link asked for above
		t.Errorf("refused forms changed something: outbox %d -> %d, audit %d -> %d", before, w.outboxLen(), len(auditBefore), len(auditAfter))
	}
}

// Roles: customers' pages are a customer's, officers' an officer's; staff
// get no link; nobody reads another's data.
func TestWebRoles(t *testing.T) {
	w := newWorld(t)
	cust, off, otto := w.client(), w.client(), w.client()
	if to := cust.signIn(coraAddr); to != "/customer" {
		t.Errorf("a customer lands on %q", to)
	}
	if to := off.signIn(kelseyAddr); to != "/officer" {
		t.Errorf("an officer lands on %q", to)
	}
	otto.signIn(ottoAddr)
	for _, p := range []string{"/officer", "/officer/open", "/officer/pay", "/officer/calendar", "/officer/shifts/1"} {
		cust.must(p, http.StatusForbidden, "These pages are an officer&#39;s: you are signed in as cora")
	}
	for _, p := range []string{"/customer", "/customer/request", "/customer/invoices", "/customer/jobs/1"} {
		off.must(p, http.StatusForbidden, "These pages are a customer&#39;s")
	}
	anon := w.client()
	for _, p := range []string{"/customer", "/officer/open", "/customer/invoices/1/pdf"} {
		anon.must(p, http.StatusUnauthorized, "E-mail address")
	}
	// Another account's job, invoice and cancellation.
	job := w.custJob(store.StatusApproved)
	otto.must(fmt.Sprintf("/customer/jobs/%d", job.ID), http.StatusForbidden, fmt.Sprintf("Job #%d is not on your account.", job.ID))
	otto.must(fmt.Sprintf("/customer/jobs/%d/cancel?remove=all", job.ID), http.StatusForbidden, "is not on your account")
	otto.get("/customer")
	w.check(otto.post(fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), url.Values{"remove": {"all"}, "confirm": {"yes"}}), "cancelling another's job",
		http.StatusForbidden, "is not on your account")
	inv := w.custInvoice()
	otto.must(fmt.Sprintf("/customer/invoices/%d", inv.ID), http.StatusForbidden, "That invoice is not on your account.")
	otto.must(fmt.Sprintf("/customer/invoices/%d/pdf", inv.ID), http.StatusForbidden)
	p := otto.must("/customer/invoices", http.StatusOK)
	if strings.Contains(p.body, inv.Number) {
		t.Errorf("otto's invoices list cora's %s", inv.Number)
	}
	// An officer's shift page shows nothing of a shift not theirs nor open to them.
	other := w.otherAgencyPosition()
	p = off.must(fmt.Sprintf("/officer/shifts/%d", other), http.StatusNotFound, "is not among the open shifts you may take")
	off.get("/officer")
	w.check(off.post(fmt.Sprintf("/officer/shifts/%d/signup", other), nil), "another agency's shift", http.StatusForbidden,
		fmt.Sprintf("Shift #%d is another agency&#39;s.", other))
}

// The customer's pages: jobs, the request with its quote, saving, a job,
// cancelling with the fee shown first, invoices and the PDF.
func TestWebCustomerPages(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	c.signIn(coraAddr)
	c.must("/customer", http.StatusOK, "Your jobs", "Coming", "Past 90 days")
	c.must("/customer/request", http.StatusOK, `<label for="hours">Hours`, `src="/static/quote.js"`, "Fill in the date and start to see the quote.")

	// The quote follows the values, priced as the console prices them.
	q4 := c.post("/customer/quote", w.requestForm("2026-12-10", "4", "2"))
	w.check(q4, "quote 4 h", http.StatusOK, "2 officers", "$456.00", `id="quote-total">$456.00`)
	q6 := c.post("/customer/quote", w.requestForm("2026-12-10", "6", "2"))
	w.check(q6, "quote 6 h", http.StatusOK, `id="quote-total">$684.00`)
	hol := c.post("/customer/quote", w.requestForm("2026-12-25", "4", "5"))
	w.check(hol, "holiday with a supervisor", http.StatusOK, "1 supervisor", "holiday")
	// Refusals in the pricing's own words; a refused request is not saved.
	f := w.requestForm("2026-12-01", "4", "1")
	f.Set("agency", "grantsville")
	w.check(c.post("/customer/quote", f), "short notice", http.StatusOK, "Refused: Short notice: received", "Grantsville PD has no emergency rate")
	f.Set("action", "save")
	jobsBefore := w.jobCount()
	w.check(c.post("/customer/request", f), "saving a refused request", http.StatusUnprocessableEntity, "Not saved: Short notice")
	bad := w.requestForm("2026-12-10", "30", "1")
	w.check(c.post("/customer/quote", bad), "too long", http.StatusOK, "Hours")
	bad = w.requestForm("2026-12-10", "4", "0")
	bad.Set("action", "save")
	w.check(c.post("/customer/request", bad), "no officers", http.StatusUnprocessableEntity, "Officers: 1 to 500")
	venue := w.requestForm("2026-12-10", "4", "1")
	venue.Set("venue", "alcohol")
	w.check(c.post("/customer/quote", venue), "prohibited venue", http.StatusOK, "Refused: Prohibited venue")
	if w.jobCount() != jobsBefore {
		t.Fatal("a refused request was saved")
	}
	// Saving: a job on the account, audited as cora@web.
	save := w.requestForm("2026-12-10", "4", "2")
	save.Set("action", "save")
	save.Set("orders", "North gate.\nRadio at 19:00.")
	p := c.post("/customer/request", save)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/customer/jobs/") {
		t.Fatalf("save: %d %q\n%s", p.status, p.location(), mainOf(p.body))
	}
	jp := c.must(p.location(), http.StatusOK, "Request saved as job #", "Quoted total $456.00", "requested", "North gate.", "not placed yet")
	_ = jp
	var id int64
	fmt.Sscanf(p.location(), "/customer/jobs/%d", &id)
	j, err := w.s.Job(context.Background(), "", id)
	if err != nil || j.CreatedBy != "cora@web" || j.CustomerID != w.cust {
		t.Fatalf("saved job: %+v, %v", j, err)
	}
	// An approved job with an officer, a shared note and a staff note.
	job := w.custJob(store.StatusApproved)
	if _, err := w.s.AddNote(context.Background(), "", job.ID, "Shared with the customer", store.AudienceCustomer); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.AddNote(context.Background(), "", job.ID, "Staff only remark", store.AudienceStaff); err != nil {
		t.Fatal(err)
	}
	mapPDF := []byte("%PDF-1.4 site map\n")
	shared, err := w.s.AttachMedia(context.Background(), "", job.ID, "site map.pdf", bytes.NewReader(mapPDF), store.AudienceCustomer)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := w.s.AttachMedia(context.Background(), "", job.ID, "staff.txt", strings.NewReader("staff only"), store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	p = c.must(fmt.Sprintf("/customer/jobs/%d", job.ID), http.StatusOK, "Shared with the customer", "Officers and attendance", "Cancel or reduce",
		"Files", fmt.Sprintf(`href="/customer/jobs/%d/files/%d"`, job.ID, shared.ID), "site map.pdf")
	if strings.Contains(p.body, "Staff only remark") {
		t.Error("the customer reads a staff note")
	}
	if strings.Contains(p.body, "staff.txt") {
		t.Error("the customer sees a staff file")
	}
	// The shared file comes down whole, as a download; the staff one does not.
	f1 := c.must(fmt.Sprintf("/customer/jobs/%d/files/%d", job.ID, shared.ID), http.StatusOK)
	if f1.body != string(mapPDF) || f1.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(f1.header.Get("Content-Disposition"), "attachment") || !strings.Contains(f1.header.Get("Content-Disposition"), "site map.pdf") {
		t.Errorf("shared file: %q, headers %v", f1.body, f1.header)
	}
	c.must(fmt.Sprintf("/customer/jobs/%d/files/%d", job.ID, staff.ID), http.StatusNotFound, "no such file shared with you")
	c.must(fmt.Sprintf("/customer/jobs/%d/files/x", job.ID), http.StatusNotFound)
	// Cancelling: the fee first, then the same fee charged.
	c.must(fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), http.StatusOK, "What to cancel")
	preview, err := w.s.PreviewCancelFor(context.Background(), "cora@web", store.CancelPlan{JobID: job.ID})
	if err != nil {
		t.Fatal(err)
	}
	fee := money(preview.Total)
	c.must(fmt.Sprintf("/customer/jobs/%d/cancel?remove=all", job.ID), http.StatusOK, "The fee, if you confirm now", `id="fee-total">`+fee, "Cancel the job, fee "+fee)
	p = c.post(fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), url.Values{"remove": {"all"}, "confirm": {"yes"}, "reason": {"rained out"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", p.status, mainOf(p.body))
	}
	c.must(p.location(), http.StatusOK, "Job cancelled. Fee: "+fee+".", "cancelled")
	// Cancelling twice: the lifecycle's words.
	p = c.post(fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), url.Values{"remove": {"all"}, "confirm": {"yes"}})
	w.check(p, "cancel twice", http.StatusConflict, "cancelled")
	audit, _ := w.s.Audit(context.Background(), store.AuditFilter{JobID: job.ID, Actor: "cora@web"})
	if len(audit) == 0 {
		t.Error("the cancellation is not audited as cora@web")
	}
	// Invoices and the PDF.
	inv := w.custInvoice()
	c.must("/customer/invoices", http.StatusOK, "Invoice "+inv.Number)
	c.must(fmt.Sprintf("/customer/invoices/%d", inv.ID), http.StatusOK, "Download the PDF", money(inv.Total))
	pdf := c.get(fmt.Sprintf("/customer/invoices/%d/pdf", inv.ID))
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") ||
		!strings.Contains(pdf.header.Get("Content-Disposition"), "invoice-"+inv.Number+".pdf") {
		t.Errorf("PDF: %d %q %q", pdf.status, pdf.header.Get("Content-Type"), pdf.header.Get("Content-Disposition"))
	}
	c.must("/customer/invoices/999999", http.StatusNotFound)
	c.must("/customer/jobs/abc", http.StatusNotFound)
}

// A reduction shows its own fee and keeps the job.
func TestWebCustomerReduce(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	c.signIn(coraAddr)
	ctx := context.Background()
	cu, err := w.s.Customer(ctx, w.cust)
	if err != nil {
		t.Fatal(err)
	}
	// Three officers in a week, approved: more than 48 hours ahead, the
	// admin fee of the first 24 hours only.
	ids, err := w.s.CreateJobs(ctx, "cora@web", store.JobInput{CustomerID: w.cust, SiteID: cu.Sites[0].ID, Agency: "west-valley-city",
		Start: w.local("2026-12-08 18:00"), End: w.local("2026-12-08 22:00"), Officers: 3, Venue: pricing.VenueRetail})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Approve(ctx, "", ids[0]); err != nil {
		t.Fatal(err)
	}
	job, err := w.s.Job(ctx, "", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	c.must(fmt.Sprintf("/customer/jobs/%d/cancel?remove=1", job.ID), http.StatusOK, "Admin fee, first 24 h: 1 officer x 4:00 h x 7.00", "Remove 1 officer(s), fee $28.00")
	p := c.post(fmt.Sprintf("/customer/jobs/%d/cancel", job.ID), url.Values{"remove": {"1"}, "confirm": {"yes"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("reduce: %d\n%s", p.status, mainOf(p.body))
	}
	c.must(p.location(), http.StatusOK, "Job reduced by 1 officer(s). Fee: $28.00.", "0 of 2 officers placed")
	j, _ := w.s.Job(context.Background(), "", job.ID)
	if j.Officers != job.Officers-1 || j.Status == store.StatusCancelled {
		t.Errorf("after the reduction: %d officers, %s", j.Officers, j.Status)
	}
}

// The officer's pages: shifts, open shifts, signing up (and the store's
// refusals), dropping, pay, and the calendar link.
func TestWebOfficerPages(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	c.signIn(kelseyAddr)
	c.must("/officer", http.StatusOK, "My shifts", "Coming")
	open := w.openShift()
	c.must("/officer/open", http.StatusOK, fmt.Sprintf(`action="/officer/shifts/%d/signup"`, open.PositionID))
	c.must(fmt.Sprintf("/officer/shifts/%d", open.PositionID), http.StatusOK, "Sign up for this shift", money(open.Pay))
	p := c.post(fmt.Sprintf("/officer/shifts/%d/signup", open.PositionID), nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign up: %d\n%s", p.status, mainOf(p.body))
	}
	c.must(p.location(), http.StatusOK, "You are on it:", "yours")
	w.check(c.post(fmt.Sprintf("/officer/shifts/%d/signup", open.PositionID), nil), "signing up twice", http.StatusConflict,
		"Kelsey Anderson already holds this shift.")
	audit, _ := w.s.Audit(context.Background(), store.AuditFilter{Actor: "kelsey@web"})
	found := false
	for _, a := range audit {
		found = found || a.Action == "sign up"
	}
	if !found {
		t.Errorf("the sign-up is not audited as kelsey@web: %+v", audit)
	}
	// Dropping: more than 48 hours ahead, else the store's words.
	if open.Start.Sub(w.now()) > store.DropNotice {
		p = c.post(fmt.Sprintf("/officer/shifts/%d/drop", open.PositionID), url.Values{"reason": {"family"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("drop: %d\n%s", p.status, mainOf(p.body))
		}
		c.must("/officer", http.StatusOK, "You dropped shift")
	}
	c.must("/officer/pay", http.StatusOK, "Pay period", `id="pay-total">`)
	c.must("/officer/pay?day=2026-11-10", http.StatusOK, "Pay period")
	c.must("/officer/pay?day=tomorrow", http.StatusUnprocessableEntity, "is not a date")

	// The calendar link: made, read without a session, replaced, stopped.
	c.must("/officer/calendar", http.StatusOK, "You have no calendar link.")
	p = c.post("/officer/calendar", url.Values{"action": {"new"}})
	m := feedRE.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("new calendar link: %d\n%s", p.status, mainOf(p.body))
	}
	feed := m[1]
	anon := w.client()
	ics := anon.get(feed)
	if ics.status != http.StatusOK || !strings.HasPrefix(ics.header.Get("Content-Type"), "text/calendar") || !strings.Contains(ics.body, "BEGIN:VEVENT") {
		t.Fatalf("the feed: %d %q\n%.300s", ics.status, ics.header.Get("Content-Type"), ics.body)
	}
	c.must("/officer/calendar", http.StatusOK, "Your calendar link works")
	c.post("/officer/calendar", url.Values{"action": {"new"}})
	w.check(anon.get(feed), "a replaced feed", http.StatusNotFound, "No such calendar")
	c.get("/officer/calendar")
	c.post("/officer/calendar", url.Values{"action": {"stop"}})
	c.must("/officer/calendar", http.StatusOK, "Your calendar link stopped working.", "You have no calendar link.")
}

var feedRE = regexp.MustCompile(`value="(http://[^"]+/calendar/[A-Za-z0-9_-]+\.ics)"`)

// An open-shift e-mail leads a signed-out officer through sign-in straight
// to the shift's page.
func TestWebOpenShiftLink(t *testing.T) {
	w := newWorld(t)
	open := w.openShift()
	c := w.client()
	page := fmt.Sprintf("/officer/shifts/%d", open.PositionID)
	c.must(page, http.StatusUnauthorized, fmt.Sprintf(`name="next" value="%s"`, page))
	c.post("/signin", url.Values{"email": {kelseyAddr}, "next": {page}})
	link := w.lastLink(kelseyAddr)
	c.get(link)
	p := c.post(link, nil)
	if p.location() != page {
		t.Fatalf("after sign-in: %q, want %q", p.location(), page)
	}
	c.must(page, http.StatusOK, "Sign up for this shift")
	// A page of the other role, or another site, is never where a link leads.
	c2 := w.client()
	c2.askLink(coraAddr, page)
	l2 := w.lastLink(coraAddr)
	c2.get(l2)
	if p := c2.post(l2, nil); p.location() != "/customer" {
		t.Errorf("a customer asked for an officer's page lands on %q", p.location())
	}
	c3 := w.client()
	c3.askLink(ottoAddr, "//evil.example/x")
	l3 := w.lastLink(ottoAddr)
	c3.get(l3)
	if p := c3.post(l3, nil); p.location() != "/customer" {
		t.Errorf("next=//evil.example leads to %q", p.location())
	}
}

// Headers every page carries, and https: Secure cookies with the __Host- prefix.
func TestWebHeadersAndHTTPS(t *testing.T) {
	w := newWorldWith(t, worldOpts{publicURL: "https://office.example"})
	c := w.client()
	p := c.must("/signin", http.StatusOK)
	for k, want := range map[string]string{"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin", "Cache-Control": "no-store", "Strict-Transport-Security": "max-age"} {
		if !strings.Contains(p.header.Get(k), want) {
			t.Errorf("%s: %q, want %q", k, p.header.Get(k), want)
		}
	}
	sc := p.header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "__Host-offduty_form=") || !strings.Contains(sc, "Secure") || !strings.Contains(sc, "HttpOnly") {
		t.Errorf("form cookie behind https: %q", sc)
	}
	c.post("/signin", url.Values{"email": {coraAddr}})
	if l := w.lastLink(coraAddr); !strings.HasPrefix(l, "https://office.example/link/") {
		t.Errorf("the e-mailed link: %q, want the public URL", l)
	}
	css := c.get("/static/style.css")
	if css.status != http.StatusOK || !strings.Contains(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet: %d %q", css.status, css.header.Get("Content-Type"))
	}
	if _, err := ParsePublicURL("https://office.example/app"); err == nil {
		t.Error("a public URL with a path is accepted")
	}
	if _, err := ParsePublicURL("ftp://office.example"); err == nil {
		t.Error("an ftp public URL is accepted")
	}
}

// Text typed by one user and read by another is escaped and cleaned.
func TestWebEscapes(t *testing.T) {
	w := newWorld(t)
	job := w.custJob(store.StatusApproved)
	if _, err := w.s.AddNote(context.Background(), "", job.ID, "<script>alert(1)</script>\x1b[31mred", store.AudienceCustomer); err != nil {
		t.Fatal(err)
	}
	c := w.client()
	c.signIn(coraAddr)
	p := c.must(fmt.Sprintf("/customer/jobs/%d", job.ID), http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(p.body, "<script>alert") || strings.Contains(p.body, "\x1b") {
		t.Error("a note is not escaped or cleaned")
	}
}

// Helpers over the demo data.

func (w *world) requestForm(date, hours, officers string) url.Values {
	w.t.Helper()
	c, err := w.s.Customer(context.Background(), w.cust)
	if err != nil || len(c.Sites) == 0 {
		w.t.Fatalf("cora's account: %+v, %v", c, err)
	}
	return url.Values{"site": {fmt.Sprint(c.Sites[0].ID)}, "agency": {"west-valley-city"}, "venue": {"school"}, "date": {date},
		"start": {"18:00"}, "hours": {hours}, "officers": {officers}, "vehicles": {"0"}}
}

func (w *world) custJobs() []store.Job {
	w.t.Helper()
	js, err := w.s.Jobs(context.Background(), "cora@web", store.JobFilter{From: w.now()})
	if err != nil {
		w.t.Fatal(err)
	}
	return js
}

// custJob is one of cora's coming jobs in a status.
func (w *world) custJob(status string) store.Job {
	w.t.Helper()
	for _, j := range w.custJobs() {
		if j.Status == status {
			return j
		}
	}
	w.t.Fatalf("cora has no %s job coming", status)
	return store.Job{}
}

func (w *world) jobCount() int {
	js, err := w.s.Jobs(context.Background(), "", store.JobFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	return len(js)
}

func (w *world) custInvoice() store.Invoice {
	w.t.Helper()
	invs, err := w.s.Invoices(context.Background(), "cora@web", store.InvoiceFilter{})
	if err != nil || len(invs) == 0 {
		w.t.Fatalf("cora's invoices: %v", err)
	}
	return invs[0]
}

// openShift is an open shift kelsey may take, starting more than 48 h ahead.
func (w *world) openShift() store.OpenShift {
	w.t.Helper()
	list, err := w.s.OpenShifts(context.Background(), "kelsey@web")
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range list {
		if o.Start.Sub(w.now()) > store.DropNotice {
			return o
		}
	}
	w.t.Fatalf("no open shift for kelsey: %d", len(list))
	return store.OpenShift{}
}

// otherAgencyPosition is an open position of West Valley City's (not
// kelsey's agency).
func (w *world) otherAgencyPosition() int64 {
	w.t.Helper()
	js, err := w.s.Jobs(context.Background(), "", store.JobFilter{From: w.now()})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, j := range js {
		if j.AgencySlug != "west-valley-city" {
			continue
		}
		full, err := w.s.Job(context.Background(), "", j.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, p := range full.Positions {
			if p.OfficerID == 0 && p.Status == "open" {
				return p.ID
			}
		}
	}
	w.t.Fatal("no open West Valley City position")
	return 0
}
