package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"offduty/store"
)

func ptr[T any](v T) *T { return &v }

// auditRow is the newest audit row of an entity and action.
func auditRow(t *testing.T, db *sql.DB, entity string, id int64, action string) (before, after string) {
	t.Helper()
	err := db.QueryRow(`SELECT before, after FROM audit WHERE entity = ? AND entity_id = ? AND action = ? ORDER BY id DESC LIMIT 1`, entity, id, action).Scan(&before, &after)
	if err != nil {
		t.Fatalf("no audit %s %d %s: %v", entity, id, action, err)
	}
	return before, after
}

// Terms 0 is "due on receipt": it can be set (it is not taken for the
// default 30), and an invoice issued on those terms is due the day it is
// issued. Drafts follow a change of terms; issued invoices do not.
func TestTermsZeroIsDueOnReceipt(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Receipt Co", TermsDays: 0, TermsSet: true})
	if err != nil || c.TermsDays != 0 || c.Terms() != "due on receipt" {
		t.Fatalf("created with terms 0: %+v, %v", c, err)
	}
	d, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Default Co"})
	if err != nil || d.TermsDays != 30 {
		t.Fatalf("created without terms: %d, %v", d.TermsDays, err)
	}
	cust, site := customerAndSite(t, s, "Net Co")
	if _, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{TermsDays: ptr(15)}); err != nil {
		t.Fatal(err)
	}
	workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "TA")
	workedJob(t, s, cust, site, shift{start: "2027-01-05 10:00", end: "2027-01-05 14:00", officers: 1}, "TB")
	setClock(t, "2027-02-03 09:00")
	drafts, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-31"), cust, true)
	if err != nil || len(drafts) != 2 || drafts[0].TermsDays != 15 {
		t.Fatalf("drafts = %d, %v", len(drafts), err)
	}
	if _, err := s.IssueInvoice(ctx, "office", drafts[0].ID, day(t, "2027-01-04")); err != nil {
		t.Fatal(err)
	}
	updated, changes, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{TermsDays: ptr(0)})
	if err != nil || updated.TermsDays != 0 || len(changes) != 1 || changes[0].After != "due on receipt" {
		t.Fatalf("terms 0: %+v %+v %v", updated, changes, err)
	}
	if got, _ := s.Customer(ctx, cust); got.TermsDays != 0 {
		t.Fatalf("terms read back %d, want 0", got.TermsDays)
	}
	dec, err := s.Invoice(ctx, "office", drafts[0].ID)
	if err != nil || dec.TermsDays != 15 || dec.DueOn.Format("2006-01-02") != "2027-01-19" {
		t.Fatalf("the issued invoice changed with the account: terms %d, due %s, %v", dec.TermsDays, dec.DueOn.Format("2006-01-02"), err)
	}
	jan, err := s.Invoice(ctx, "office", drafts[1].ID)
	if err != nil || jan.TermsDays != 0 {
		t.Fatalf("the draft kept terms %d (want 0, the account's), %v", jan.TermsDays, err)
	}
	if _, err := s.IssueInvoice(ctx, "office", jan.ID, day(t, "2027-02-02")); err != nil {
		t.Fatal(err)
	}
	jan, _ = s.Invoice(ctx, "office", jan.ID)
	if !jan.DueOn.Equal(jan.IssuedOn) || jan.IssuedOn.Format("2006-01-02") != "2027-02-02" {
		t.Fatalf("due on receipt: issued %s, due %s", jan.IssuedOn.Format("2006-01-02"), jan.DueOn.Format("2006-01-02"))
	}
	// Out of range is still refused.
	if _, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{TermsDays: ptr(-1)}); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("terms -1: %v", err)
	}
}

// An account that requires a PO refuses a request without one, with a
// message that says so; with a PO it is taken. Editing a request to drop
// its PO is refused too.
func TestPORequiredRefusesRequestWithoutPO(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "PO Co")
	in := oneOfficer(cust, site, mustLocal("2026-12-10 10:00"), testNow)
	if _, err := s.CreateJobs(ctx, "desk", in); err != nil {
		t.Fatalf("before the rule: %v", err)
	}
	if _, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{PORequired: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateJobs(ctx, "desk", in)
	e := storeErr(t, err, store.EInvalid, "po")
	if !strings.Contains(e.Message, "PO Co requires a purchase order (PO) number") {
		t.Fatalf("message %q", e.Message)
	}
	in.PONumber = "  "
	if _, err := s.CreateJobs(ctx, "desk", in); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("a blank PO was taken: %v", err)
	}
	in.PONumber = "PO-4471"
	ids, err := s.CreateJobs(ctx, "desk", in)
	if err != nil {
		t.Fatalf("with a PO: %v", err)
	}
	in.PONumber = ""
	if err := s.UpdateJob(ctx, "desk", ids[0], in); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("an edit dropping the PO: %v", err)
	}
	if j := job(t, s, ids[0]); j.PONumber != "PO-4471" {
		t.Fatalf("PO now %q", j.PONumber)
	}
	// A customer user requesting for its own account meets the same rule.
	cu := personUser(t, s, "po-user", store.RoleCustomer, cust)
	if _, err := s.CreateJobs(ctx, cu, in); store.ErrorCode(err) != store.EInvalid || !strings.Contains(err.Error(), "purchase order") {
		t.Fatalf("customer user without a PO: %v", err)
	}
}

// Every change to an account, its contacts and sites is audited with what
// it was before and what it is after.
func TestCustomerChangesAudited(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Audit Co")
	_, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{Name: ptr("Audit Company"), BillingCycle: ptr("weekly"), TermsDays: ptr(0),
		PORequired: ptr(true), Notes: ptr("gate code 4471"), Email: ptr("ap@audit.example")})
	if err != nil {
		t.Fatal(err)
	}
	before, after := auditRow(t, db, "customer", cust, "edit")
	for _, want := range []string{"name: Audit Co", "cycle: monthly", "terms: net 30 days", "PO: not required", "notes: (none)", "email: (none)"} {
		if !strings.Contains(before, want) {
			t.Errorf("before %q lacks %q", before, want)
		}
	}
	for _, want := range []string{"name: Audit Company", "cycle: weekly", "terms: due on receipt", "PO: required", "notes: gate code 4471", "email: ap@audit.example"} {
		if !strings.Contains(after, want) {
			t.Errorf("after %q lacks %q", after, want)
		}
	}
	if strings.Contains(before, "phone") {
		t.Errorf("an unchanged field is in the audit: %q", before)
	}
	// Nothing different: nothing written.
	n := count(t, db, `SELECT count(*) FROM audit`)
	if _, ch, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{TermsDays: ptr(0)}); err != nil || len(ch) != 0 {
		t.Fatalf("same terms: %+v %v", ch, err)
	}
	if m := count(t, db, `SELECT count(*) FROM audit`); m != n {
		t.Fatalf("an edit that changed nothing wrote %d audit rows", m-n)
	}

	ct, err := s.AddContact(ctx, "boss", cust, store.Contact{Name: "Dana Reyes", Role: "security manager", Phone: "801-555-0199"})
	if err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "customer", cust, "contact add"); b != "" || !strings.Contains(a, "Dana Reyes (security manager), 801-555-0199") {
		t.Errorf("contact add: %q -> %q", b, a)
	}
	if _, err := s.UpdateContact(ctx, "boss", cust, ct.ID, store.Contact{Name: "Dana Reyes", Role: "director", Email: "dana@audit.example"}); err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "customer", cust, "contact edit"); !strings.Contains(b, "security manager") || !strings.Contains(a, "(director), dana@audit.example") {
		t.Errorf("contact edit: %q -> %q", b, a)
	}
	if _, err := s.RemoveContact(ctx, "boss", cust, ct.ID); err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "customer", cust, "contact remove"); !strings.Contains(b, "Dana Reyes (director)") || a != "" {
		t.Errorf("contact remove: %q -> %q", b, a)
	}
	if _, err := s.UpdateContact(ctx, "boss", cust, ct.ID, store.Contact{Name: "Gone"}); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("editing a removed contact: %v", err)
	}

	if _, err := s.UpdateSite(ctx, "boss", cust, site, store.SiteInput{Name: "North gate", Address: "9 North Rd"}); err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "site", site, "edit"); b != "Audit Co site, 1 Main St" || a != "North gate, 9 North Rd" {
		t.Errorf("site edit: %q -> %q", b, a)
	}
	spare, err := s.AddSite(ctx, "boss", store.SiteInput{CustomerID: cust, Name: "Spare lot"})
	if err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "site", spare.ID, "create"); b != "" || a != "Spare lot" {
		t.Errorf("site add: %q -> %q", b, a)
	}
	// A site no job uses is removed; one a job uses is archived, hidden from new requests.
	if archived, err := s.RemoveSite(ctx, "boss", cust, spare.ID); err != nil || archived {
		t.Fatalf("unused site: archived %v, %v", archived, err)
	}
	if b, a := auditRow(t, db, "site", spare.ID, "remove"); b != "Spare lot" || a != "" {
		t.Errorf("site remove: %q -> %q", b, a)
	}
	in := oneOfficer(cust, site, mustLocal("2026-12-10 10:00"), testNow)
	in.PONumber = "PO-1"
	if _, err := s.CreateJobs(ctx, "desk", in); err != nil {
		t.Fatal(err)
	}
	if archived, err := s.RemoveSite(ctx, "boss", cust, site); err != nil || !archived {
		t.Fatalf("used site: archived %v, %v", archived, err)
	}
	if b, a := auditRow(t, db, "site", site, "archive"); !strings.Contains(b, "North gate") || !strings.Contains(a, "used by 1 job") {
		t.Errorf("site archive: %q -> %q", b, a)
	}
	if count(t, db, `SELECT count(*) FROM sites WHERE id = ?`, site) != 1 {
		t.Fatal("a used site was deleted")
	}
	c, _ := s.Customer(ctx, cust)
	if len(c.Sites) != 0 {
		t.Fatalf("an archived site is offered to new requests: %+v", c.Sites)
	}
	if err := s.RestoreSite(ctx, "boss", cust, site); err != nil {
		t.Fatal(err)
	}
	if b, a := auditRow(t, db, "site", site, "restore"); b != "archived" || a != "in use" {
		t.Errorf("site restore: %q -> %q", b, a)
	}
	// Every row of these has a before or an after, and an actor.
	if n := count(t, db, `SELECT count(*) FROM audit WHERE entity IN ('customer', 'site') AND actor = 'boss' AND before = '' AND after = ''`); n != 0 {
		t.Errorf("%d audit rows say nothing", n)
	}
}

// A dispatcher reads the accounts but changes nothing; an operator does
// not read them here (intake has its own search); a supervisor does all.
func TestDispatcherReadsCustomersOnly(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Read Co")
	other, _ := customerAndSite(t, s, "Other Co")
	ct, err := s.AddContact(ctx, "test", cust, store.Contact{Name: "Ray"})
	if err != nil {
		t.Fatal(err)
	}
	disp := personUser(t, s, "dan", store.RoleDispatcher, 0)
	op := personUser(t, s, "olly", store.RoleOperator, 0)
	boss := personUser(t, s, "sue", store.RoleSupervisor, 0)
	n := count(t, db, `SELECT count(*) FROM audit`)
	for what, err := range map[string]error{
		"edit": func() error {
			_, _, err := s.UpdateCustomer(ctx, disp, cust, store.CustomerPatch{TermsDays: ptr(0)})
			return err
		}(),
		"contact add":    func() error { _, err := s.AddContact(ctx, disp, cust, store.Contact{Name: "X"}); return err }(),
		"contact edit":   func() error { _, err := s.UpdateContact(ctx, disp, cust, ct.ID, store.Contact{Name: "X"}); return err }(),
		"contact remove": func() error { _, err := s.RemoveContact(ctx, disp, cust, ct.ID); return err }(),
		"site add":       func() error { _, err := s.AddSite(ctx, disp, store.SiteInput{CustomerID: cust, Name: "X"}); return err }(),
		"site edit":      func() error { _, err := s.UpdateSite(ctx, disp, cust, site, store.SiteInput{Name: "X"}); return err }(),
		"site remove":    func() error { _, err := s.RemoveSite(ctx, disp, cust, site); return err }(),
		"merge":          func() error { _, err := s.MergeCustomers(ctx, disp, cust, other, true); return err }(),
		"merge preview":  func() error { _, err := s.MergeCustomers(ctx, disp, cust, other, false); return err }(),
	} {
		if store.ErrorCode(err) != store.EForbidden || !strings.Contains(err.Error(), "needs a supervisor") {
			t.Errorf("dispatcher %s: %v", what, err)
		}
	}
	if m := count(t, db, `SELECT count(*) FROM audit`); m != n {
		t.Fatalf("refused changes wrote %d audit rows", m-n)
	}
	if c, _ := s.Customer(ctx, cust); c.TermsDays != 30 || len(c.Contacts) != 1 || len(c.Sites) != 1 {
		t.Fatalf("a refused change went through: %+v", c)
	}
	list, err := s.CustomerList(ctx, disp)
	if err != nil || len(list) != 2 {
		t.Fatalf("dispatcher's list: %d, %v", len(list), err)
	}
	if list[0].Invoices != nil {
		t.Error("a dispatcher reads invoice balances")
	}
	if a, err := s.CustomerAccount(ctx, disp, cust); err != nil || a.Name != "Read Co" || len(a.Contacts) != 1 {
		t.Fatalf("dispatcher's account view: %+v, %v", a, err)
	}
	if _, err := s.CustomerList(ctx, op); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("operator's list: %v", err)
	}
	if list, err := s.CustomerList(ctx, boss); err != nil || list[0].Invoices == nil {
		t.Errorf("supervisor's list has no invoices: %v", err)
	}
	if _, _, err := s.UpdateCustomer(ctx, boss, cust, store.CustomerPatch{TermsDays: ptr(0)}); err != nil {
		t.Errorf("supervisor's edit: %v", err)
	}
}

// Merging a duplicate moves its jobs, sites, contacts, users and drafts to
// the account kept; its issued invoices move to that account but keep
// their number, bill-to name and address, dates and totals; the merged
// account is marked and refused for new work. An issued invoice also keeps
// its bill-to after the account is edited.
func TestMergeMovesWorkKeepsIssuedInvoices(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	keep, keepSite := customerAndSite(t, s, "Hale Centre")
	if _, _, err := s.UpdateCustomer(ctx, "boss", keep, store.CustomerPatch{TermsDays: ptr(10)}); err != nil {
		t.Fatal(err)
	}
	dupC, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Hale Center Inc", Address: "77 Old Rd, Magna UT", Email: "ap@hale.example",
		BillingCycle: "monthly", TermsDays: 20, Notes: "old account", Contacts: []store.Contact{{Name: "Pat Old", Role: "AP"}}})
	if err != nil {
		t.Fatal(err)
	}
	dup := dupC.ID
	dupSite, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: dup, Name: "Hale west lot", Address: "80 Old Rd"})
	if err != nil {
		t.Fatal(err)
	}
	personUser(t, s, "hale-ap", store.RoleCustomer, dup)
	dec := workedJob(t, s, dup, dupSite.ID, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 2}, "MA")
	jan := workedJob(t, s, dup, dupSite.ID, shift{start: "2027-01-05 10:00", end: "2027-01-05 14:00", officers: 1}, "MB")
	workedJob(t, s, keep, keepSite, shift{start: "2027-01-06 10:00", end: "2027-01-06 14:00", officers: 1}, "MC")
	setClock(t, "2027-02-03 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-31"), dup, true)
	if err != nil || len(invs) != 2 {
		t.Fatalf("drafts = %d, %v", len(invs), err)
	}
	number, err := s.IssueInvoice(ctx, "office", invs[0].ID, day(t, "2027-01-04"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPaid(ctx, "office", invs[0].ID, day(t, "2027-01-20"), "chk 1"); err != nil {
		t.Fatal(err)
	}
	issued, _ := s.Invoice(ctx, "office", invs[0].ID)
	if count(t, db, `SELECT count(*) FROM invoices WHERE id = ? AND bill_name = 'Hale Center Inc' AND bill_address = '77 Old Rd, Magna UT'`, issued.ID) != 1 {
		t.Fatal("issuing did not keep the bill-to")
	}
	later := requestedJob(t, s, dup, dupSite.ID, shift{start: "2027-03-01 10:00", end: "2027-03-01 14:00", officers: 1})

	// Into itself, refused.
	if _, err := s.MergeCustomers(ctx, "boss", keep, keep, true); store.ErrorCode(err) != store.EInvalid || !strings.Contains(err.Error(), "into itself") {
		t.Fatalf("merge into itself: %v", err)
	}
	// The preview names what moves and writes nothing.
	n := count(t, db, `SELECT count(*) FROM audit`)
	plan, err := s.MergeCustomers(ctx, "boss", keep, dup, false)
	if err != nil || plan.Done {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Jobs, []int64{dec.ID, jan.ID, later.ID}) || len(plan.Sites) != 1 || len(plan.Contacts) != 1 || !slices.Equal(plan.Users, []string{"hale-ap"}) ||
		!slices.Equal(plan.Drafts, []int64{invs[1].ID}) || !slices.Equal(plan.Issued, []string{number}) {
		t.Fatalf("plan = %+v", plan)
	}
	if count(t, db, `SELECT count(*) FROM audit`) != n || count(t, db, `SELECT count(*) FROM jobs WHERE customer_id = ?`, dup) != 3 {
		t.Fatal("the preview changed something")
	}

	done, err := s.MergeCustomers(ctx, "boss", keep, dup, true)
	if err != nil || !done.Done {
		t.Fatalf("merge: %v", err)
	}
	// Jobs, sites, contacts, users and the draft are the kept account's.
	for _, id := range []int64{dec.ID, jan.ID, later.ID} {
		if j := job(t, s, id); j.CustomerID != keep {
			t.Errorf("job %d is still on account %d", id, j.CustomerID)
		}
	}
	if count(t, db, `SELECT count(*) FROM sites WHERE customer_id = ?`, dup)+count(t, db, `SELECT count(*) FROM contacts WHERE customer_id = ?`, dup)+
		count(t, db, `SELECT count(*) FROM users WHERE customer_id = ?`, dup)+count(t, db, `SELECT count(*) FROM invoices WHERE customer_id = ?`, dup) != 0 {
		t.Fatal("something is left on the merged account")
	}
	k, err := s.Customer(ctx, keep)
	if err != nil || len(k.Sites) != 2 || len(k.Contacts) != 1 || k.Address != "77 Old Rd, Magna UT" || k.Email != "ap@hale.example" ||
		k.Name != "Hale Centre" || k.TermsDays != 10 || !strings.Contains(k.Notes, "old account") || k.Phone != "801-555-0100" {
		t.Fatalf("kept account = %+v, %v", k, err)
	}
	draft, _ := s.Invoice(ctx, "office", invs[1].ID)
	if draft.CustomerID != keep || draft.CustomerName != "Hale Centre" || draft.TermsDays != 10 || draft.State != store.InvoiceDraft || !draft.Total.Equal(invs[1].Total) {
		t.Errorf("draft after merge: %+v", draft)
	}
	// The issued (since paid) invoice is as it was issued: number, bill-to, dates, lines, total.
	after, err := s.Invoice(ctx, "office", invs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Number != number || after.CustomerName != "Hale Center Inc" || after.BillTo != "77 Old Rd, Magna UT" || !after.Total.Equal(issued.Total) ||
		!after.Subtotal.Equal(issued.Subtotal) || !after.IssuedOn.Equal(issued.IssuedOn) || !after.DueOn.Equal(issued.DueOn) || after.TermsDays != 20 ||
		after.State != store.InvoicePaid || len(after.Lines) != len(issued.Lines) {
		t.Errorf("issued invoice changed:\nbefore %+v\nafter  %+v", issued, after)
	}
	for i := range after.Lines {
		if a, b := after.Lines[i], issued.Lines[i]; a.JobID != b.JobID || !a.Amount.Equal(b.Amount) || a.Site != b.Site {
			t.Errorf("line %d changed: %+v -> %+v", i, b, a)
		}
	}
	// The customer user now sees the kept account, its old invoice included.
	if u, _ := s.UserByName(ctx, "hale-ap"); u.CustomerID != keep {
		t.Errorf("user on account %d", u.CustomerID)
	}
	if got, err := s.Invoices(ctx, store.SSHActor("hale-ap"), store.InvoiceFilter{}); err != nil || len(got) != 1 || got[0].Number != number {
		t.Errorf("customer user's invoices after the merge: %d, %v", len(got), err)
	}
	// The merged account is marked, hidden, and refused for new work.
	if _, err := s.Customer(ctx, dup); store.ErrorCode(err) != store.ENotFound || !strings.Contains(err.Error(), "merged into Hale Centre") {
		t.Errorf("merged account read: %v", err)
	}
	acct, err := s.CustomerAccount(ctx, "boss", dup)
	if err != nil || acct.MergedInto != keep || acct.MergedAt.IsZero() {
		t.Errorf("merged account: %+v, %v", acct.Customer, err)
	}
	all, _ := s.Customers(ctx)
	for _, c := range all {
		if c.ID == dup {
			t.Error("the merged account is still listed")
		}
	}
	in := oneOfficer(dup, dupSite.ID, mustLocal("2027-03-10 10:00"), now())
	if _, err := s.CreateJobs(ctx, "desk", in); store.ErrorCode(err) != store.EInvalid || !strings.Contains(err.Error(), "was merged into") {
		t.Errorf("a request for the merged account: %v", err)
	}
	if _, err := s.CreateUser(ctx, "test", "late", store.RoleCustomer, dup, nil); err == nil || !strings.Contains(err.Error(), "use ") {
		t.Errorf("a user for the merged account: %v", err)
	}
	if _, err := s.MergeCustomers(ctx, "boss", keep, dup, true); store.ErrorCode(err) != store.EInvalid {
		t.Errorf("merging it again: %v", err)
	}
	// Audited: the merge on both accounts, each job, user and invoice moved.
	if b, a := auditRow(t, db, "customer", keep, "merge"); !strings.Contains(b, "Hale Centre") || !strings.Contains(a, "3 jobs, 1 site, 1 contact, 1 user, 1 draft invoice, 1 issued invoice") ||
		!strings.Contains(a, "address: 77 Old Rd") {
		t.Errorf("merge audit: %q -> %q", b, a)
	}
	if b, a := auditRow(t, db, "customer", dup, "merged"); !strings.Contains(b, "Hale Center Inc") || !strings.Contains(a, "merged into Hale Centre") {
		t.Errorf("merged audit: %q -> %q", b, a)
	}
	if b, a := auditRow(t, db, "job", later.ID, "account"); !strings.Contains(b, "Hale Center Inc") || !strings.Contains(a, "Hale Centre") {
		t.Errorf("job audit: %q -> %q", b, a)
	}
	if count(t, db, `SELECT count(*) FROM audit WHERE action = 'account' AND entity IN ('job', 'user', 'invoice', 'site')`) != 3+1+2+1 {
		t.Error("not every move is audited")
	}

	// An issued invoice keeps its bill-to when the account is edited; a draft follows.
	if _, _, err := s.UpdateCustomer(ctx, "boss", keep, store.CustomerPatch{Name: ptr("Hale Centre LLC"), Address: ptr("1 New Way")}); err != nil {
		t.Fatal(err)
	}
	if x, _ := s.Invoice(ctx, "office", invs[0].ID); x.CustomerName != "Hale Center Inc" || x.BillTo != "77 Old Rd, Magna UT" {
		t.Errorf("issued bill-to after an edit: %q, %q", x.CustomerName, x.BillTo)
	}
	if x, _ := s.Invoice(ctx, "office", invs[1].ID); x.CustomerName != "Hale Centre LLC" || x.BillTo != "1 New Way" {
		t.Errorf("draft bill-to after an edit: %q, %q", x.CustomerName, x.BillTo)
	}
	number2, err := s.IssueInvoice(ctx, "office", invs[1].ID, day(t, "2027-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateCustomer(ctx, "boss", keep, store.CustomerPatch{Name: ptr("Hale Holdings"), Address: ptr("2 Other Way")}); err != nil {
		t.Fatal(err)
	}
	if x, _ := s.InvoiceByNumber(ctx, "office", number2); x.CustomerName != "Hale Centre LLC" || x.BillTo != "1 New Way" {
		t.Errorf("bill-to issued then edited: %q, %q", x.CustomerName, x.BillTo)
	}
}

// The history generator writes issued invoices without a bill-to; an edit
// of the account first gives them the one they show, so they keep it.
func TestEditKeepsBillToOfInvoicesWithoutOne(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Old Books Co")
	if _, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{Address: ptr("5 Old Lane")}); err != nil {
		t.Fatal(err)
	}
	workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "OB")
	setClock(t, "2027-01-03 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(invs) != 1 {
		t.Fatal(err)
	}
	if _, err := s.IssueInvoice(ctx, "office", invs[0].ID, day(t, "2027-01-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE invoices SET bill_name = NULL, bill_address = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateCustomer(ctx, "boss", cust, store.CustomerPatch{Name: ptr("New Books Co")}); err != nil {
		t.Fatal(err)
	}
	if x, _ := s.Invoice(ctx, "office", invs[0].ID); x.CustomerName != "Old Books Co" || x.BillTo != "5 Old Lane" {
		t.Errorf("bill-to = %q, %q", x.CustomerName, x.BillTo)
	}
}
