package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"offduty/store"
)

// scopeWorld is a database with two accounts, each with billed work, and a
// user of every role: what the read scoping is tested on.
type scopeWorld struct {
	s                 *store.Store
	path              string
	acme, other       int64   // customers
	acmeJobs          []int64 // every job of Acme
	otherJobs         []int64 // every job of Other
	acmeIssued        store.Invoice
	acmeDraft         store.Invoice
	otherIssued       store.Invoice
	officerID         int64 // holds Acme's first shift
	invoicesBeforeGen int
}

// Users of the scope tests: SSH actors are "name@ssh", the console's --as
// is the bare name, anyone else is the local operator.
const (
	localActor = "alice (local)"
)

var (
	coraSSH = store.SSHActor("cora") // customer of Acme
	olgaSSH = store.SSHActor("olga") // operator
	danSSH  = store.SSHActor("dan")  // dispatcher
	samSSH  = store.SSHActor("sam")  // supervisor
	goneSSH = store.SSHActor("gone") // a supervisor, removed
)

func newScopeWorld(t *testing.T) *scopeWorld {
	t.Helper()
	ctx := context.Background()
	s, path := seededStore(t)
	w := &scopeWorld{s: s, path: path}
	var acmeSite, otherSite int64
	w.acme, acmeSite = customerAndSite(t, s, "Acme Mall")
	w.other, otherSite = customerAndSite(t, s, "Other Arena")

	// December work for both, billed monthly on 1 December: both issued.
	a1 := workedJob(t, s, w.acme, acmeSite, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "AC")
	o1 := workedJob(t, s, w.other, otherSite, shift{start: "2026-12-09 10:00", end: "2026-12-09 14:00", officers: 1}, "OT")
	w.officerID = a1.Positions[0].OfficerID
	setClock(t, "2027-01-02 09:00") // December has ended: it can be billed
	invs, err := s.GenerateInvoices(ctx, localActor, day(t, "2026-12-31"), 0, true)
	if err != nil || len(invs) != 2 {
		t.Fatalf("GenerateInvoices = %d, %v; want one per account", len(invs), err)
	}
	for _, inv := range invs {
		if _, err := s.IssueInvoice(ctx, localActor, inv.ID, day(t, "2026-12-31")); err != nil {
			t.Fatal(err)
		}
		got, err := s.Invoice(ctx, localActor, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CustomerID == w.acme {
			w.acmeIssued = got
		} else {
			w.otherIssued = got
		}
	}
	if w.acmeIssued.Number == "" || w.otherIssued.Number == "" || w.acmeIssued.Number == w.otherIssued.Number {
		t.Fatalf("issued invoices: acme %+v, other %+v", w.acmeIssued, w.otherIssued)
	}
	// A later Acme shift: on a draft.
	a2 := workedJob(t, s, w.acme, acmeSite, shift{start: "2026-12-20 10:00", end: "2026-12-20 14:00", officers: 1}, "AD")
	invs, err = s.GenerateInvoices(ctx, localActor, day(t, "2026-12-31"), w.acme, true)
	if err != nil || len(invs) != 1 || invs[0].State != store.InvoiceDraft {
		t.Fatalf("Acme draft = %+v, %v", invs, err)
	}
	w.acmeDraft = invs[0]
	// Work not billed yet (for the preview), and a job still ahead for each.
	o2 := workedJob(t, s, w.other, otherSite, shift{start: "2026-12-22 10:00", end: "2026-12-22 14:00", officers: 1}, "OU")
	a3 := approvedJob(t, s, w.acme, acmeSite, mustLocal("2027-01-15 10:00"), 4, 2)
	o3 := approvedJob(t, s, w.other, otherSite, mustLocal("2027-01-16 10:00"), 4, 1)
	w.acmeJobs = []int64{a1.ID, a2.ID, a3.ID}
	w.otherJobs = []int64{o1.ID, o2.ID, o3.ID}
	w.invoicesBeforeGen = count(t, rawDB(t, path), `SELECT count(*) FROM invoices`)

	key, _ := newKey(t)
	for _, u := range []struct {
		name, role string
		cust       int64
	}{
		{"cora", store.RoleCustomer, w.acme},
		{"olga", store.RoleOperator, 0},
		{"dan", store.RoleDispatcher, 0},
		{"sam", store.RoleSupervisor, 0},
		{"gone", store.RoleSupervisor, 0},
	} {
		var keys []string
		if u.name == "cora" {
			keys = []string{key}
		}
		if _, err := s.CreateUser(ctx, localActor, u.name, u.role, u.cust, keys); err != nil {
			t.Fatalf("CreateUser %s: %v", u.name, err)
		}
	}
	if err := s.RemoveUser(ctx, localActor, "gone"); err != nil {
		t.Fatal(err)
	}
	return w
}

func jobIDs(jobs []store.Job) []int64 {
	var out []int64
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	slices.Sort(out)
	return out
}

func invoiceIDs(invs []store.Invoice) []int64 {
	var out []int64
	for _, inv := range invs {
		out = append(out, inv.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// forbidden asserts err is EForbidden and its message holds every want.
func forbidden(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if store.ErrorCode(err) != store.EForbidden {
		t.Errorf("%s: %v, want %s", what, err, store.EForbidden)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not say %q", what, err.Error(), w)
		}
	}
}

func TestScopeViewer(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	for _, c := range []struct {
		actor   string
		want    store.Viewer
		admin   bool
		request bool
	}{
		{coraSSH, store.Viewer{Name: "cora", Role: store.RoleCustomer, CustomerID: w.acme, Remote: true}, false, false},
		{"cora", store.Viewer{Name: "cora", Role: store.RoleCustomer, CustomerID: w.acme}, false, false},
		{olgaSSH, store.Viewer{Name: "olga", Role: store.RoleOperator, Remote: true}, false, true},
		{"dan", store.Viewer{Name: "dan", Role: store.RoleDispatcher}, false, true},
		{samSSH, store.Viewer{Name: "sam", Role: store.RoleSupervisor, Remote: true}, true, true},
		{localActor, store.Viewer{Name: localActor}, true, true},
		// A name that is not (or no longer) a user, on the machine itself:
		// the local operator, who holds the file.
		{"gone", store.Viewer{Name: "gone"}, true, true},
	} {
		v, err := w.s.Viewer(ctx, c.actor)
		if err != nil || v != c.want {
			t.Errorf("Viewer(%q) = %+v, %v; want %+v", c.actor, v, err, c.want)
		}
		if v.Can(store.PermAdmin) != c.admin || v.Can(store.PermRequest) != c.request || v.IsCustomer() != (c.want.Role == store.RoleCustomer) {
			t.Errorf("Viewer(%q): admin %v request %v customer %v", c.actor, v.Can(store.PermAdmin), v.Can(store.PermRequest), v.IsCustomer())
		}
	}
	_, err := w.s.Viewer(ctx, goneSSH)
	storeErr(t, err, store.EForbidden, "user")
}

// A customer lists and opens its own account's jobs only, whatever the
// filter names; staff see every account.
func TestScopeJobs(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	from, to := mustLocal("2026-12-01 00:00"), mustLocal("2027-02-01 00:00")
	all := sorted(append(slices.Clone(w.acmeJobs), w.otherJobs...)...)
	acme, other := sorted(w.acmeJobs...), sorted(w.otherJobs...)

	for _, cora := range []string{coraSSH, "cora"} {
		for _, f := range []store.JobFilter{{}, {CustomerID: w.other}, {CustomerID: w.acme}, {From: from, To: to, CustomerID: w.other}} {
			jobs, err := w.s.Jobs(ctx, cora, f)
			if err != nil || !slices.Equal(jobIDs(jobs), acme) {
				t.Errorf("%s Jobs(%+v) = %v, %v; want Acme's %v", cora, f, jobIDs(jobs), err, acme)
			}
			for _, j := range jobs {
				if j.CustomerID != w.acme {
					t.Errorf("%s sees job %d of customer %d", cora, j.ID, j.CustomerID)
				}
			}
		}
		// A filter on the other account's status mix still yields Acme's only.
		jobs, err := w.s.Jobs(ctx, cora, store.JobFilter{Statuses: []string{store.StatusApproved}, CustomerID: w.other})
		if err != nil || !slices.Equal(jobIDs(jobs), sorted(w.acmeJobs[2])) {
			t.Errorf("%s approved jobs = %v, %v; want %v", cora, jobIDs(jobs), err, w.acmeJobs[2])
		}
		withPos, err := w.s.JobsWithPositions(ctx, cora, from, to)
		if err != nil || !slices.Equal(jobIDs(withPos), acme) {
			t.Errorf("%s JobsWithPositions = %v, %v; want %v", cora, jobIDs(withPos), err, acme)
		}
		for _, j := range withPos {
			if len(j.Positions) == 0 {
				t.Errorf("%s JobsWithPositions: job %d without its positions", cora, j.ID)
			}
		}
		for _, id := range w.acmeJobs {
			if j, err := w.s.Job(ctx, cora, id); err != nil || j.ID != id || len(j.Positions) == 0 {
				t.Errorf("%s Job(%d) own = %d (%d positions), %v", cora, id, j.ID, len(j.Positions), err)
			}
		}
		for _, id := range w.otherJobs {
			j, err := w.s.Job(ctx, cora, id)
			e := storeErr(t, err, store.EForbidden, "job")
			if !strings.Contains(e.Message, "not on your account") {
				t.Errorf("%s Job(%d): %q", cora, id, e.Message)
			}
			if j.ID != 0 || j.CustomerID != 0 || j.SiteName != "" || len(j.Positions) != 0 {
				t.Errorf("%s Job(%d) refused but returned job %d of %q at %q", cora, id, j.ID, j.CustomerName, j.SiteName)
			}
		}
		_, err = w.s.Job(ctx, cora, 99999)
		storeErr(t, err, store.ENotFound, "job")
	}

	// Staff and the local operator: every account, the filter honoured.
	for _, actor := range []string{olgaSSH, danSSH, samSSH, "olga", localActor} {
		jobs, err := w.s.Jobs(ctx, actor, store.JobFilter{})
		if err != nil || !slices.Equal(jobIDs(jobs), all) {
			t.Errorf("%s Jobs = %v, %v; want %v", actor, jobIDs(jobs), err, all)
		}
		jobs, err = w.s.Jobs(ctx, actor, store.JobFilter{CustomerID: w.other})
		if err != nil || !slices.Equal(jobIDs(jobs), other) {
			t.Errorf("%s Jobs(other) = %v, %v; want %v", actor, jobIDs(jobs), err, other)
		}
		withPos, err := w.s.JobsWithPositions(ctx, actor, from, to)
		if err != nil || !slices.Equal(jobIDs(withPos), all) {
			t.Errorf("%s JobsWithPositions = %v, %v; want %v", actor, jobIDs(withPos), err, all)
		}
		if j, err := w.s.Job(ctx, actor, w.otherJobs[0]); err != nil || j.ID != w.otherJobs[0] {
			t.Errorf("%s Job(other) = %d, %v", actor, j.ID, err)
		}
	}
}

// Invoices are a supervisor's; a customer reads its own account's once
// issued, never a draft, never another account's.
func TestScopeInvoices(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	acmeNo, otherNo := w.acmeIssued.Number, w.otherIssued.Number
	draftNo := fmt.Sprintf("#%d", w.acmeDraft.ID)
	everyID := sorted(w.acmeIssued.ID, w.acmeDraft.ID, w.otherIssued.ID)

	for _, cora := range []string{coraSSH, "cora"} {
		for _, f := range []store.InvoiceFilter{{}, {CustomerID: w.other}, {CustomerID: w.acme}, {State: store.InvoiceIssued}} {
			invs, err := w.s.Invoices(ctx, cora, f)
			if err != nil || !slices.Equal(invoiceIDs(invs), []int64{w.acmeIssued.ID}) {
				t.Errorf("%s Invoices(%+v) = %v, %v; want only %d (Acme's issued one)", cora, f, invoiceIDs(invs), err, w.acmeIssued.ID)
			}
		}
		if invs, err := w.s.Invoices(ctx, cora, store.InvoiceFilter{State: store.InvoiceDraft}); err != nil || len(invs) != 0 {
			t.Errorf("%s lists drafts: %v, %v", cora, invoiceIDs(invs), err)
		}
		inv, err := w.s.Invoice(ctx, cora, w.acmeIssued.ID)
		if err != nil || inv.ID != w.acmeIssued.ID || len(inv.Lines) == 0 || !inv.Total.Equal(w.acmeIssued.Total) {
			t.Errorf("%s own invoice = %d (%d lines, %s), %v", cora, inv.ID, len(inv.Lines), inv.Total, err)
		}
		inv, err = w.s.InvoiceByNumber(ctx, cora, acmeNo)
		if err != nil || inv.ID != w.acmeIssued.ID {
			t.Errorf("%s own invoice %s = %d, %v", cora, acmeNo, inv.ID, err)
		}
		for what, id := range map[string]int64{"draft": w.acmeDraft.ID, "other account's": w.otherIssued.ID} {
			inv, err := w.s.Invoice(ctx, cora, id)
			e := storeErr(t, err, store.EForbidden, "invoice")
			if !strings.Contains(e.Message, "not on your account") {
				t.Errorf("%s Invoice(%s): %q", cora, what, e.Message)
			}
			if inv.ID != 0 || len(inv.Lines) != 0 || !inv.Total.IsZero() || inv.CustomerName != "" {
				t.Errorf("%s Invoice(%s) refused but returned invoice %d of %q, %d lines", cora, what, inv.ID, inv.CustomerName, len(inv.Lines))
			}
		}
		for _, number := range []string{otherNo, draftNo} {
			inv, err := w.s.InvoiceByNumber(ctx, cora, number)
			e := storeErr(t, err, store.EForbidden, "invoice")
			if !strings.Contains(e.Message, "not on your account") || !strings.Contains(e.Message, number) {
				t.Errorf("%s InvoiceByNumber(%s): %q", cora, number, e.Message)
			}
			if inv.ID != 0 || len(inv.Lines) != 0 {
				t.Errorf("%s InvoiceByNumber(%s) refused but returned invoice %d of %q", cora, number, inv.ID, inv.CustomerName)
			}
		}
	}

	// Operators and dispatchers read no invoice at all.
	for _, actor := range []string{olgaSSH, danSSH, "olga", "dan"} {
		invs, err := w.s.Invoices(ctx, actor, store.InvoiceFilter{})
		forbidden(t, actor+" Invoices", err, "needs a supervisor")
		if len(invs) != 0 {
			t.Errorf("%s Invoices refused but returned %d", actor, len(invs))
		}
		inv, err := w.s.Invoice(ctx, actor, w.acmeIssued.ID)
		forbidden(t, actor+" Invoice", err, "needs a supervisor")
		if inv.ID != 0 {
			t.Errorf("%s Invoice refused but returned invoice %d", actor, inv.ID)
		}
		_, err = w.s.InvoiceByNumber(ctx, actor, acmeNo)
		forbidden(t, actor+" InvoiceByNumber", err, "needs a supervisor")
		_, err = w.s.InvoiceByNumber(ctx, actor, draftNo)
		forbidden(t, actor+" InvoiceByNumber draft", err, "needs a supervisor")
	}

	// A supervisor and the local operator read every invoice, drafts too.
	for _, actor := range []string{samSSH, "sam", localActor} {
		invs, err := w.s.Invoices(ctx, actor, store.InvoiceFilter{})
		if err != nil || !slices.Equal(invoiceIDs(invs), everyID) {
			t.Errorf("%s Invoices = %v, %v; want %v", actor, invoiceIDs(invs), err, everyID)
		}
		invs, err = w.s.Invoices(ctx, actor, store.InvoiceFilter{CustomerID: w.other})
		if err != nil || !slices.Equal(invoiceIDs(invs), []int64{w.otherIssued.ID}) {
			t.Errorf("%s Invoices(other) = %v, %v", actor, invoiceIDs(invs), err)
		}
		for _, number := range []string{acmeNo, otherNo, draftNo} {
			if inv, err := w.s.InvoiceByNumber(ctx, actor, number); err != nil || inv.ID == 0 || len(inv.Lines) == 0 {
				t.Errorf("%s InvoiceByNumber(%s) = %d, %v", actor, number, inv.ID, err)
			}
		}
	}
}

// Payroll, the users, an officer's shifts and the invoice preview are staff
// reads; which staff, by role.
func TestScopeStaffReads(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	db := rawDB(t, w.path)
	payDay := day(t, "2026-12-08")

	for _, actor := range []string{coraSSH, "cora", olgaSSH, danSSH, "dan"} {
		p, err := w.s.Payroll(ctx, actor, payDay)
		forbidden(t, actor+" Payroll", err, "needs a supervisor")
		if len(p.Officers) != 0 || !p.Total.IsZero() {
			t.Errorf("%s Payroll refused but returned %d officers, %s", actor, len(p.Officers), p.Total)
		}
		users, err := w.s.Users(ctx, actor)
		forbidden(t, actor+" Users", err, "needs a supervisor")
		if len(users) != 0 {
			t.Errorf("%s Users refused but returned %d", actor, len(users))
		}
		invs, err := w.s.GenerateInvoices(ctx, actor, day(t, "2026-12-31"), 0, false)
		forbidden(t, actor+" invoice preview", err, "needs a supervisor")
		if len(invs) != 0 {
			t.Errorf("%s preview refused but returned %d invoices", actor, len(invs))
		}
	}
	for _, actor := range []string{samSSH, "sam", localActor} {
		p, err := w.s.Payroll(ctx, actor, payDay)
		if err != nil || len(p.Officers) == 0 || p.Total.IsZero() {
			t.Errorf("%s Payroll = %d officers, %s, %v", actor, len(p.Officers), p.Total, err)
		}
		users, err := w.s.Users(ctx, actor)
		var names []string
		for _, u := range users {
			names = append(names, u.Name)
		}
		if err != nil || strings.Join(names, " ") != "cora dan olga sam" {
			t.Errorf("%s Users = %v, %v", actor, names, err)
		}
		invs, err := w.s.GenerateInvoices(ctx, actor, day(t, "2026-12-31"), 0, false)
		if err != nil || len(invs) != 1 || invs[0].CustomerID != w.other {
			t.Errorf("%s preview = %d invoices, %v; want Other's unbilled shift", actor, len(invs), err)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM invoices`); n != w.invoicesBeforeGen {
		t.Errorf("previews saved invoices: %d, want %d", n, w.invoicesBeforeGen)
	}

	from := mustLocal("2026-12-01 00:00")
	for _, actor := range []string{coraSSH, "cora"} {
		shifts, err := w.s.OfficerShifts(ctx, actor, w.officerID, from, 0)
		forbidden(t, actor+" OfficerShifts", err, "needs an operator")
		if len(shifts) != 0 {
			t.Errorf("%s OfficerShifts refused but returned %d", actor, len(shifts))
		}
	}
	for _, actor := range []string{olgaSSH, danSSH, samSSH, localActor} {
		shifts, err := w.s.OfficerShifts(ctx, actor, w.officerID, from, 0)
		if err != nil || len(shifts) != 1 || shifts[0].JobID != w.acmeJobs[0] {
			t.Errorf("%s OfficerShifts = %d shifts, %v", actor, len(shifts), err)
		}
	}
}

// A user removed while signed in over SSH reads nothing more.
func TestScopeRemovedUser(t *testing.T) {
	ctx := context.Background()
	w := newScopeWorld(t)
	from, to := mustLocal("2026-12-01 00:00"), mustLocal("2027-02-01 00:00")
	check := func(what string, n int, err error) {
		t.Helper()
		e := storeErr(t, err, store.EForbidden, "user")
		if !strings.Contains(e.Message, "gone is not a user any more") {
			t.Errorf("%s: %q", what, e.Message)
		}
		if n != 0 {
			t.Errorf("%s refused but returned %d", what, n)
		}
	}
	jobs, err := w.s.Jobs(ctx, goneSSH, store.JobFilter{})
	check("Jobs", len(jobs), err)
	jobs, err = w.s.JobsWithPositions(ctx, goneSSH, from, to)
	check("JobsWithPositions", len(jobs), err)
	j, err := w.s.Job(ctx, goneSSH, w.acmeJobs[0])
	check("Job", int(j.ID), err)
	invs, err := w.s.Invoices(ctx, goneSSH, store.InvoiceFilter{})
	check("Invoices", len(invs), err)
	inv, err := w.s.Invoice(ctx, goneSSH, w.acmeIssued.ID)
	check("Invoice", int(inv.ID), err)
	inv, err = w.s.InvoiceByNumber(ctx, goneSSH, w.acmeIssued.Number)
	check("InvoiceByNumber", int(inv.ID), err)
	p, err := w.s.Payroll(ctx, goneSSH, day(t, "2026-12-08"))
	check("Payroll", len(p.Officers), err)
	shifts, err := w.s.OfficerShifts(ctx, goneSSH, w.officerID, from, 0)
	check("OfficerShifts", len(shifts), err)
	users, err := w.s.Users(ctx, goneSSH)
	check("Users", len(users), err)
	invs, err = w.s.GenerateInvoices(ctx, goneSSH, day(t, "2026-12-31"), 0, false)
	check("GenerateInvoices preview", len(invs), err)
}
