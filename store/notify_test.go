package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// mailWorld is an office whose people have addresses: a customer account
// with its own address and a customer user, two dispatchers with addresses
// (and one without), West Valley City's dispatch address.
type mailWorld struct {
	s          *store.Store
	path       string
	cust, site int64
}

const (
	acctAddr = "billing@valleyfair.example"
	coraAddr = "cora@valleyfair.example"
	danAddr  = "dan@office.example"
	sueAddr  = "sue@office.example"
	wvcAddr  = "dispatch@wvc.example"
	gvAddr   = "dispatch@grantsville.example"
)

func newMailWorld(t *testing.T) *mailWorld {
	t.Helper()
	ctx := context.Background()
	s, path := seededStore(t)
	c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Valley Fair", Phone: "801-555-0100", Email: acctAddr})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: c.ID, Name: "Valley Fair Mall", Address: "3601 S 2700 W"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.UserInput{
		{Name: "cora", Role: store.RoleCustomer, CustomerID: c.ID, Email: coraAddr},
		{Name: "dan", Role: store.RoleDispatcher, Email: danAddr},
		{Name: "sue", Role: store.RoleSupervisor, Email: sueAddr},
		{Name: "dora", Role: store.RoleDispatcher}, // no address
		{Name: "olga", Role: store.RoleOperator, Email: "olga@office.example"},
	} {
		if _, err := s.CreateUserWith(ctx, "", u); err != nil {
			t.Fatalf("user %s: %v", u.Name, err)
		}
	}
	if err := s.SetAgencyDispatch(ctx, "", agency(t, s, "west-valley-city").ID, wvcAddr); err != nil {
		t.Fatal(err)
	}
	return &mailWorld{s: s, path: path, cust: c.ID, site: site.ID}
}

// mailOfficer is a West Valley City sergeant with an address ("" for none).
func (w *mailWorld) officer(t *testing.T, badge, email string) store.Officer {
	t.Helper()
	o, err := w.s.CreateOfficer(context.Background(), "test", store.OfficerInput{AgencyID: agency(t, w.s, "west-valley-city").ID, Badge: badge,
		FirstName: "Pat", LastName: "Lee" + badge, Rank: "sergeant", Email: email, WeeklyCapMinutes: 60 * 60, HiredOn: time.Date(2015, 1, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// job requests (and, unless requested, approves) a West Valley City job at
// Valley Fair Mall with an on-site contact and post orders.
func (w *mailWorld) job(t *testing.T, start, end string, officers int, approve bool) store.Job {
	t.Helper()
	ctx := context.Background()
	ids, err := w.s.CreateJobs(ctx, "desk", store.JobInput{CustomerID: w.cust, SiteID: w.site, Agency: "west-valley-city",
		Start: mustLocal(start), End: mustLocal(end), Officers: officers, Venue: pricing.VenueRetail, Received: now(),
		ContactName: "Dana Ruiz", ContactPhone: "801-555-0199", PostOrders: "Watch the north doors.\nRadio check at 20:00."})
	if err != nil {
		t.Fatal(err)
	}
	if approve {
		if err := w.s.Approve(ctx, "desk", ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	return job(t, w.s, ids[0])
}

// outbox is every message written, oldest first.
func (w *mailWorld) outbox(t *testing.T) []store.Message {
	t.Helper()
	ms, err := w.s.Outbox(context.Background(), "", store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := 0, len(ms)-1; i < k; i, k = i+1, k-1 {
		ms[i], ms[k] = ms[k], ms[i]
	}
	return ms
}

// since is the messages written after the first n.
func (w *mailWorld) since(t *testing.T, n int) []store.Message {
	t.Helper()
	return w.outbox(t)[n:]
}

// summary is "kind to" per message, sorted, for comparing sets.
func summary(ms []store.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind+" "+m.To)
	}
	sortStrings(out)
	return strings.Join(out, "\n")
}

func sortStrings(ss []string) {
	for i := 1; i < len(ss); i++ {
		for k := i; k > 0 && ss[k] < ss[k-1]; k-- {
			ss[k], ss[k-1] = ss[k-1], ss[k]
		}
	}
}

func want(t *testing.T, what string, ms []store.Message, lines ...string) {
	t.Helper()
	sortStrings(lines)
	if got, exp := summary(ms), strings.Join(lines, "\n"); got != exp {
		t.Fatalf("%s wrote:\n%s\nwant:\n%s", what, got, exp)
	}
}

// has checks that a message's subject and body say each thing.
func has(t *testing.T, m store.Message, subject []string, body ...string) {
	t.Helper()
	for _, x := range subject {
		if !strings.Contains(m.Subject, x) {
			t.Errorf("%s to %s: subject %q lacks %q", m.Kind, m.To, m.Subject, x)
		}
	}
	for _, x := range body {
		if !strings.Contains(m.Body, x) {
			t.Errorf("%s to %s: body lacks %q:\n%s", m.Kind, m.To, x, m.Body)
		}
	}
}

func lacks(t *testing.T, m store.Message, things ...string) {
	t.Helper()
	for _, x := range things {
		if strings.Contains(m.Subject+"\n"+m.Body, x) {
			t.Errorf("%s to %s says %q:\n%s\n%s", m.Kind, m.To, x, m.Subject, m.Body)
		}
	}
}

func TestNotifyApproveAssignStaffed(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	j := w.job(t, "2026-12-24 18:00", "2026-12-25 00:00", 2, false)
	n := len(w.outbox(t))

	if err := s.Approve(ctx, "desk", j.ID); err != nil {
		t.Fatal(err)
	}
	got := w.since(t, n)
	want(t, "approve", got, "customer.approved "+acctAddr, "customer.approved "+coraAddr)
	for _, m := range got {
		has(t, m, []string{"Approved: Thu 24 Dec 18:00-00:00, Valley Fair Mall"}, fmt.Sprintf("#%d", j.ID), "Thu 24 Dec 2026 18:00 to Fri 25 Dec 00:00 (6 h, MST)",
			"3601 S 2700 W", "Dana Ruiz, 801-555-0199", "2 officers", store.OptOutLine(store.MsgCustomerApproved))
		if m.JobID != j.ID {
			t.Errorf("approved message job %d", m.JobID)
		}
	}

	// The first officer: one message, to the officer record's address, with
	// the post orders; the job is not full yet, and it is weeks away (no agency notice).
	a := w.officer(t, "A1", "a1@wvc.example")
	b := w.officer(t, "B2", "") // no address: nothing for them
	n = len(w.outbox(t))
	j = job(t, s, j.ID)
	if err := s.Assign(ctx, "desk", j.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "first assign", got, "officer.assigned a1@wvc.example")
	has(t, got[0], []string{"Assigned: Thu 24 Dec 18:00-00:00, Valley Fair Mall"}, "Thu 24 Dec 2026 18:00 to Fri 25 Dec 00:00 (6 h, MST)",
		"Valley Fair Mall, 3601 S 2700 W", "On-site contact: Dana Ruiz, 801-555-0199", fmt.Sprintf("Job: #%d", j.ID),
		"Post orders:\nWatch the north doors.\nRadio check at 20:00.", store.OptOutLine(store.MsgOfficerAssigned))
	if got[0].ToName != "Pat LeeA1" {
		t.Errorf("to name %q", got[0].ToName)
	}

	// The second fills the job: the customer hears it is fully staffed.
	n = len(w.outbox(t))
	if err := s.Assign(ctx, "desk", j.Positions[1].ID, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "filling assign", got, "customer.staffed "+acctAddr, "customer.staffed "+coraAddr)
	has(t, got[0], []string{"Fully staffed: Thu 24 Dec 18:00-00:00, Valley Fair Mall"}, "Every position", "2 officers")

	// Losing and regaining full staffing is not told twice; taking A off
	// and putting A back tells A both times.
	n = len(w.outbox(t))
	for _, step := range []func() error{
		func() error { return s.Unassign(ctx, "desk", j.Positions[1].ID) },
		func() error { return s.Assign(ctx, "desk", j.Positions[1].ID, b.ID, "") },
		func() error { return s.Unassign(ctx, "desk", j.Positions[0].ID) },
		func() error { return s.Assign(ctx, "desk", j.Positions[0].ID, a.ID, "") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	got = w.since(t, n)
	want(t, "off and on again", got, "officer.cancelled a1@wvc.example", "officer.assigned a1@wvc.example")
	has(t, got[0], []string{"Off the shift: Thu 24 Dec 18:00-00:00, Valley Fair Mall"}, "the office took you off it")
	lacks(t, got[0], "To stop messages") // cancellations cannot be refused
	if got[0].Dedupe == got[1].Dedupe || !strings.HasSuffix(got[1].Dedupe, ">a1@wvc.example") {
		t.Errorf("dedupe keys %q, %q", got[0].Dedupe, got[1].Dedupe)
	}
	// Nobody without an address got anything; dispatchers were not told of their own work.
	for _, m := range w.outbox(t) {
		if m.To == "" || strings.HasPrefix(m.Kind, "dispatch.") || m.Kind == store.MsgAgencyChange {
			t.Errorf("unexpected %s to %q", m.Kind, m.To)
		}
	}
}

func TestNotifyAgencyChangeInsideTheDay(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	// Now is Thu 26 Nov 09:00: tomorrow morning is inside 24 hours, Sunday is not.
	soon := w.job(t, "2026-11-27 07:00", "2026-11-27 11:00", 1, true)
	later := w.job(t, "2026-11-29 07:00", "2026-11-29 11:00", 1, true)
	a := w.officer(t, "A1", "a1@wvc.example")
	b := w.officer(t, "B2", "b2@wvc.example")

	n := len(w.outbox(t))
	if err := s.Assign(ctx, "desk", soon.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "desk", later.Positions[0].ID, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := w.since(t, n)
	want(t, "assign", got, "officer.assigned a1@wvc.example", "agency.change "+wvcAddr, "customer.staffed "+acctAddr, "customer.staffed "+coraAddr,
		"officer.assigned b2@wvc.example", "customer.staffed "+acctAddr, "customer.staffed "+coraAddr)
	for _, m := range got {
		if m.Kind == store.MsgAgencyChange {
			has(t, m, []string{"Added: Pat LeeA1 (A1), Fri 27 Nov 07:00-11:00, Valley Fair Mall"}, "Sergeant Pat LeeA1, badge A1",
				"Valley Fair Mall, 3601 S 2700 W", "Dana Ruiz, 801-555-0199", "West Valley City")
			lacks(t, m, "To stop messages")
			if m.ToName == "" {
				t.Error("agency notice without a name")
			}
		}
	}

	n = len(w.outbox(t))
	if err := s.Unassign(ctx, "desk", soon.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Unassign(ctx, "desk", later.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "unassign", got, "officer.cancelled a1@wvc.example", "agency.change "+wvcAddr, "officer.cancelled b2@wvc.example")
	for _, m := range got {
		if m.Kind == store.MsgAgencyChange {
			has(t, m, []string{"Cancelled: Pat LeeA1 (A1), Fri 27 Nov 07:00-11:00"}, "no longer on")
		}
	}

	// A no-show, once the shift has started: the officer is told, and the
	// agency (the shift runs now).
	if err := s.Assign(ctx, "desk", soon.Positions[0].ID, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	setClock(t, "2026-11-27 07:30")
	n = len(w.outbox(t))
	if err := s.NoShow(ctx, "desk", soon.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "no-show", got, "officer.cancelled b2@wvc.example", "agency.change "+wvcAddr)
	has(t, got[0], nil, "no-show")

	// An agency without a dispatch address is told nothing.
	if err := s.SetAgencyDispatch(ctx, "", agency(t, s, "west-valley-city").ID, ""); err != nil {
		t.Fatal(err)
	}
	n = len(w.outbox(t))
	if err := s.Assign(ctx, "desk", soon.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	want(t, "assign without agency address", w.since(t, n), "officer.assigned a1@wvc.example")
}

func TestNotifyCancelAndReduce(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	db := rawDB(t, w.path)
	// Friday 27 Nov 18:00 (33 hours away), three officers, all filled.
	j := w.job(t, "2026-11-27 18:00", "2026-11-27 22:00", 3, true)
	var offs []store.Officer
	for i, p := range j.Positions {
		o := w.officer(t, fmt.Sprintf("C%d", i+1), fmt.Sprintf("c%d@wvc.example", i+1))
		offs = append(offs, o)
		if err := s.Assign(ctx, "desk", p.ID, o.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Opting out of a cancellation is refused, and a row that says so anyway is ignored.
	if err := s.SetOptOut(ctx, "", acctAddr, store.MsgCustomerCancelled, true); store.ErrorCode(err) != store.EConflict {
		t.Errorf("opt out of cancellations: %v", err)
	}
	if _, err := db.Exec(`INSERT INTO optouts (address, kind, at) VALUES (?, ?, '2026-01-01T00:00:00Z')`, acctAddr, store.MsgCustomerCancelled); err != nil {
		t.Fatal(err)
	}

	// Reduced by one, inside 48 hours: the last filled position goes.
	n := len(w.outbox(t))
	fee, err := s.CancelOrReduce(ctx, "desk", store.CancelPlan{JobID: j.ID, At: now(), Officers: 1, Reason: "smaller crowd"})
	if err != nil {
		t.Fatal(err)
	}
	if !fee.Total.IsPositive() {
		t.Fatalf("reduction fee %s", fee.Total)
	}
	got := w.since(t, n)
	want(t, "reduce", got, "customer.cancelled "+acctAddr, "customer.cancelled "+coraAddr, "officer.cancelled c3@wvc.example")
	feeText := "$" + pricing.FormatMoney(fee.Total)
	for _, m := range got {
		switch m.Kind {
		case store.MsgCustomerCancelled:
			has(t, m, []string{"Reduced to 2 officers: Fri 27 Nov 18:00-22:00, Valley Fair Mall, fee " + feeText}, "Fee: "+feeText, "admin fee, first 24 h",
				"officer share inside 48 h", "now has 2 officers")
			lacks(t, m, "To stop messages")
		case store.MsgOfficerCancelled:
			has(t, m, []string{"Cancelled: Fri 27 Nov 18:00-22:00, Valley Fair Mall"}, "reduced", "Do not go")
		}
	}

	// The whole job: the two left are told, the one removed before is not.
	n = len(w.outbox(t))
	fee2, err := s.Cancel(ctx, "desk", j.ID, now(), "event off")
	if err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "cancel", got, "customer.cancelled "+acctAddr, "customer.cancelled "+coraAddr, "officer.cancelled c1@wvc.example", "officer.cancelled c2@wvc.example")
	for _, m := range got {
		if m.Kind == store.MsgCustomerCancelled {
			has(t, m, []string{"Cancelled: Fri 27 Nov 18:00-22:00, Valley Fair Mall, fee $" + pricing.FormatMoney(fee2.Total)}, "event off",
				"Fee: $"+pricing.FormatMoney(fee2.Total))
			lacks(t, m, "Estimated total")
		}
	}

	// Before approval: no fee, and the customer is told so.
	r := w.job(t, "2026-12-10 10:00", "2026-12-10 14:00", 1, false)
	n = len(w.outbox(t))
	if _, err := s.Cancel(ctx, "desk", r.ID, now(), ""); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "cancel a request", got, "customer.cancelled "+acctAddr, "customer.cancelled "+coraAddr)
	has(t, got[0], []string{"Cancelled: Thu 10 Dec 10:00-14:00, Valley Fair Mall, no fee"}, "No fee.")
}

func TestNotifyOptOutsAndChanges(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	a := w.officer(t, "A1", "a1@wvc.example")
	if err := s.SetOptOut(ctx, "", coraAddr, store.MsgCustomerApproved, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOptOut(ctx, "", "A1@WVC.example", store.MsgOfficerAssigned, true); err != nil {
		t.Fatal(err)
	}

	// A requested job edited: its customer hears what changed; an edit of
	// nothing that matters (the PO number) says nothing.
	j := w.job(t, "2026-12-24 18:00", "2026-12-25 00:00", 1, false)
	in := store.JobInput{CustomerID: w.cust, SiteID: w.site, Agency: "west-valley-city", Start: mustLocal("2026-12-24 19:00"), End: mustLocal("2026-12-25 01:00"),
		Officers: 1, Venue: pricing.VenueRetail, ContactName: "Dana Ruiz", ContactPhone: "801-555-0199", PostOrders: "Watch the south doors."}
	n := len(w.outbox(t))
	if err := s.UpdateJob(ctx, "desk", j.ID, in); err != nil {
		t.Fatal(err)
	}
	got := w.since(t, n)
	want(t, "edit", got, "customer.changed "+acctAddr, "customer.changed "+coraAddr)
	has(t, got[0], []string{"Changed: Thu 24 Dec 19:00-01:00, Valley Fair Mall"}, "time: Thu 24 Dec 2026 19:00 to Fri 25 Dec 01:00 (6 h, MST), was Thu 24 Dec 2026 18:00 to Fri 25 Dec 00:00",
		"post orders", store.OptOutLine(store.MsgCustomerChanged))
	in.PONumber = "PO-7"
	n = len(w.outbox(t))
	if err := s.UpdateJob(ctx, "desk", j.ID, in); err != nil {
		t.Fatal(err)
	}
	want(t, "edit of the PO", w.since(t, n))

	// Opted out: cora gets no approval, A no assignment; the account's
	// address still does, and A still hears of being taken off.
	n = len(w.outbox(t))
	if err := s.Approve(ctx, "desk", j.ID); err != nil {
		t.Fatal(err)
	}
	j = job(t, s, j.ID)
	if err := s.Assign(ctx, "desk", j.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Unassign(ctx, "desk", j.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	want(t, "opted out", w.since(t, n), "customer.approved "+acctAddr, "customer.staffed "+acctAddr, "customer.staffed "+coraAddr,
		"officer.cancelled a1@wvc.example")
	// Opting back in works.
	if err := s.SetOptOut(ctx, "", "a1@wvc.example", store.MsgOfficerAssigned, false); err != nil {
		t.Fatal(err)
	}
	n = len(w.outbox(t))
	if err := s.Assign(ctx, "desk", j.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	want(t, "opted in", w.since(t, n), "officer.assigned a1@wvc.example")
}

func TestNotifyInvoiceIssued(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	workedJob(t, s, w.cust, w.site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 2}, "IV")
	setClock(t, "2027-01-05 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), w.cust, true)
	if err != nil || len(invs) != 1 {
		t.Fatalf("generate = %+v, %v", invs, err)
	}
	n := len(w.outbox(t))
	number, err := s.IssueInvoice(ctx, "office", invs[0].ID, day(t, "2027-01-04"))
	if err != nil {
		t.Fatal(err)
	}
	got := w.since(t, n)
	want(t, "issue", got, "customer.invoice "+acctAddr, "customer.invoice "+coraAddr)
	for _, m := range got {
		has(t, m, []string{"Invoice " + number, "$456.00", "due Wed 03 Feb 2027"}, "Total: $456.00", "Period: 01 Dec 2026 to 31 Dec 2026",
			"Due: Wed 03 Feb 2027 (net 30 days)", "attached")
		if m.InvoiceID != invs[0].ID {
			t.Errorf("invoice message without its invoice: %d", m.InvoiceID)
		}
	}
}

func TestNotifyDroppedAndSignup(t *testing.T) {
	// The self-service hooks, called as the store's own methods would: each
	// in a write transaction, through the export_test seam.
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	j := w.job(t, "2026-12-24 18:00", "2026-12-25 00:00", 2, true)
	a := w.officer(t, "A1", "a1@wvc.example")
	if err := s.Assign(ctx, "desk", j.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, w.path)
	if _, err := db.Exec(`INSERT INTO signups (position_id, officer_id, at, state, reason) VALUES (?, ?, '2026-11-26T16:00:00Z', 'dropped', 'sick child')`,
		j.Positions[0].ID, a.ID); err != nil {
		t.Fatal(err)
	}
	n := len(w.outbox(t))
	if err := store.TellDropped(ctx, s, j.Positions[0].ID, a.ID); err != nil {
		t.Fatal(err)
	}
	got := w.since(t, n)
	want(t, "dropped", got, "dispatch.dropped "+danAddr, "dispatch.dropped "+sueAddr)
	has(t, got[0], []string{"Dropped: Pat LeeA1 (A1), Thu 24 Dec 18:00-00:00, Valley Fair Mall"}, "Valley Fair Mall, 3601 S 2700 W",
		"Their reason: sick child")
	// Told once, however often the hook runs for the same event.
	if err := store.TellDropped(ctx, s, j.Positions[0].ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if len(w.since(t, n)) != 2 {
		t.Errorf("dropped twice: %s", summary(w.since(t, n)))
	}

	// A sign-up waiting for a dispatcher; one already decided says nothing.
	res, err := db.Exec(`INSERT INTO signups (position_id, officer_id, at, state) VALUES (?, ?, '2026-11-26T16:00:00Z', 'pending')`, j.Positions[1].ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	n = len(w.outbox(t))
	if err := store.TellSignupPending(ctx, s, id); err != nil {
		t.Fatal(err)
	}
	got = w.since(t, n)
	want(t, "signup", got, "dispatch.signup "+danAddr, "dispatch.signup "+sueAddr)
	has(t, got[0], []string{"Sign-up to confirm: Pat LeeA1 (A1), Thu 24 Dec 18:00-00:00"}, "confirm or refuse", store.OptOutLine(store.MsgDispatchSignup))
	if _, err := db.Exec(`UPDATE signups SET state = 'refused' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM outbox WHERE kind = ?`, store.MsgDispatchSignup); err != nil {
		t.Fatal(err)
	}
	n = len(w.outbox(t))
	if err := store.TellSignupPending(ctx, s, id); err != nil {
		t.Fatal(err)
	}
	want(t, "decided signup", w.since(t, n))
}

func TestNotifyReceived(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	ids, err := s.CreateJobs(ctx, "desk", store.JobInput{CustomerID: w.cust, SiteID: w.site, Agency: "west-valley-city",
		Start: mustLocal("2026-12-03 18:00"), End: mustLocal("2026-12-03 22:00"), Officers: 1, Venue: pricing.VenueRetail, Received: now(), RepeatWeeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Whether or not CreateJobs tells it itself, the series is told once per address.
	for _, id := range ids {
		if err := store.TellReceived(ctx, s, id); err != nil {
			t.Fatal(err)
		}
	}
	var got []store.Message
	for _, m := range w.outbox(t) {
		if m.Kind == store.MsgCustomerReceived {
			got = append(got, m)
		}
	}
	want(t, "received", got, "customer.received "+acctAddr, "customer.received "+coraAddr)
	has(t, got[0], []string{"Request received: Thu 03 Dec 18:00-22:00, Valley Fair Mall (weekly, 3 weeks)"}, "not confirmed yet",
		fmt.Sprintf("#%d", ids[0]), "Estimated total: $")
	// A request that cannot be booked says why.
	bar, err := s.CreateJobs(ctx, "desk", store.JobInput{CustomerID: w.cust, SiteID: w.site, Agency: "west-valley-city",
		Start: mustLocal("2026-12-05 20:00"), End: mustLocal("2026-12-05 23:00"), Officers: 1, Venue: pricing.VenueAlcohol, Received: now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.TellReceived(ctx, s, bar[0]); err != nil {
		t.Fatal(err)
	}
	ms := w.outbox(t)
	last := ms[len(ms)-1]
	has(t, last, []string{"Request received: Sat 05 Dec 20:00-23:00"}, "cannot be booked", "Why:")
}

func TestQueueScheduled(t *testing.T) {
	ctx := context.Background()
	w := newMailWorld(t)
	s := w.s
	// Now is Thu 26 Nov 09:00. Friday morning A works; Friday evening B
	// works and one position is open; C has no address.
	morning := w.job(t, "2026-11-27 10:00", "2026-11-27 14:00", 2, true)
	evening := w.job(t, "2026-11-27 20:00", "2026-11-27 23:00", 2, true)
	a := w.officer(t, "A1", "a1@wvc.example")
	b := w.officer(t, "B2", "b2@wvc.example")
	c := w.officer(t, "C3", "")
	for _, x := range []struct {
		pos int64
		o   store.Officer
	}{{morning.Positions[0].ID, a}, {morning.Positions[1].ID, c}, {evening.Positions[0].ID, b}} {
		if err := s.Assign(ctx, "desk", x.pos, x.o.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	run := func(at string, wantN int, lines ...string) []store.Message {
		t.Helper()
		setClock(t, at)
		n := len(w.outbox(t))
		got, err := s.QueueScheduled(ctx, now())
		if err != nil {
			t.Fatalf("QueueScheduled at %s: %v", at, err)
		}
		ms := w.since(t, n)
		if got != wantN || len(ms) != wantN {
			t.Fatalf("QueueScheduled at %s wrote %d (says %d), want %d:\n%s", at, len(ms), got, wantN, summary(ms))
		}
		want(t, "QueueScheduled at "+at, ms, lines...)
		return ms
	}

	run("2026-11-26 09:00", 0) // before every hour
	ms := run("2026-11-26 15:30", 1, "agency.roster "+wvcAddr)
	has(t, ms[0], []string{"Roster Thu 26 Nov: 2 officers on 2 details"}, "Thu 26 Nov 15:00 to Fri 27 Nov 15:00",
		"Sergeant Pat LeeA1, badge A1", "Sergeant Pat LeeC3, badge C3", "Fri 27 Nov 10:00-14:00", "Valley Fair Mall, 3601 S 2700 W",
		"Contact: Dana Ruiz, 801-555-0199", fmt.Sprintf("Job #%d", morning.ID), store.OptOutLine(store.MsgAgencyRoster))
	lacks(t, ms[0], "LeeB2") // the evening is outside the window

	// Grantsville gets its roster once it has an address: nobody works.
	if err := s.SetAgencyDispatch(ctx, "", agency(t, s, "grantsville").ID, gvAddr); err != nil {
		t.Fatal(err)
	}
	ms = run("2026-11-26 15:40", 1, "agency.roster "+gvAddr)
	has(t, ms[0], []string{"no details in the next 24 hours"})

	ms = run("2026-11-26 16:05", 2, "officer.reminder a1@wvc.example", "officer.reminder b2@wvc.example")
	for _, m := range ms {
		if m.To == "b2@wvc.example" {
			has(t, m, []string{"Tomorrow: Fri 27 Nov 20:00-23:00, Valley Fair Mall"}, "Post orders:\nWatch the north doors.", "Dana Ruiz")
		}
	}
	run("2026-11-26 17:00", 0)
	// The evening job's open position within 24 hours: each dispatcher with an address.
	ms = run("2026-11-26 20:30", 2, "dispatch.open-soon "+danAddr, "dispatch.open-soon "+sueAddr)
	has(t, ms[0], []string{"Still open: 1 of 2, Fri 27 Nov 20:00-23:00, Valley Fair Mall"}, "starts in 23 h 30 min", "officer position")
	run("2026-11-26 23:59", 0)
	run("2026-11-27 09:00", 0) // the shifts are today: no reminder
	// The next day's rosters: the evening is in the window, the morning is over.
	ms = run("2026-11-27 15:00", 2, "agency.roster "+wvcAddr, "agency.roster "+gvAddr)
	for _, m := range ms {
		if m.To == wvcAddr {
			has(t, m, []string{"Roster Fri 27 Nov: 1 officer on 1 detail"}, "Pat LeeB2", "Fri 27 Nov 20:00-23:00")
			lacks(t, m, "LeeA1")
		}
	}
	run("2026-11-27 16:00", 0)
}
