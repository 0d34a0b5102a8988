package store_test

import (
	"context"
	"strings"
	"testing"

	"offduty/store"
)

// wvcOffice is a filled-in office.
var wvcOffice = store.Office{Name: "West Valley Off-Duty Office", Tagline: "West Valley City Police Department, off-duty program",
	Address: "3600 S Constitution Blvd\nWest Valley City, UT 84119", Phone: "801-555-0100", Email: "billing@wvc-offduty.example",
	Website: "wvc-offduty.example", Remittance: "Make checks payable to West Valley City\nACH: First Utah Bank, routing 124000054, account 000123456789"}

func officeAudit(t *testing.T, s *store.Store) []store.AuditEntry {
	t.Helper()
	all, err := s.Audit(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, a := range all {
		if a.Entity == "office" {
			out = append(out, a)
		}
	}
	return out
}

// The office starts as the default one; a supervisor sets its details, each
// changed one audited with its value before and after; a dispatcher may not.
func TestOfficeSetAndAudit(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	if o, err := s.Office(ctx); err != nil || o != store.DefaultOffice {
		t.Fatalf("a new office = %+v, %v; want the default", o, err)
	}
	dan := personUser(t, s, "dan", store.RoleDispatcher, 0)
	if _, err := s.SetOffice(ctx, dan, wvcOffice); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a dispatcher set the office: %v", err)
	}
	sam := personUser(t, s, "sam", store.RoleSupervisor, 0)
	in := wvcOffice
	in.Address = " 3600 S Constitution Blvd \r\n\r\n\tWest Valley City, UT 84119\r\n" // tidied
	in.Name = "  " + in.Name
	before, err := s.SetOffice(ctx, sam, in)
	if err != nil {
		t.Fatal(err)
	}
	if before != store.DefaultOffice {
		t.Errorf("before = %+v", before)
	}
	if o, _ := s.Office(ctx); o != wvcOffice {
		t.Fatalf("office = %+v\nwant %+v", o, wvcOffice)
	}
	if set, _ := s.Settings(ctx); set.Office != wvcOffice {
		t.Errorf("Settings().Office = %+v", set.Office)
	}
	got := map[string][2]string{}
	for _, a := range officeAudit(t, s) {
		if a.Actor != sam {
			t.Errorf("audited as %q", a.Actor)
		}
		got[a.Action] = [2]string{a.Before, a.After}
	}
	want := map[string][2]string{
		"name":       {"offduty", wvcOffice.Name},
		"tagline":    {"off-duty management office", wvcOffice.Tagline},
		"address":    {"West Valley City, Utah", wvcOffice.Address},
		"phone":      {"", wvcOffice.Phone},
		"email":      {"billing@offduty.example", wvcOffice.Email},
		"website":    {"", wvcOffice.Website},
		"remittance": {"", wvcOffice.Remittance},
	}
	if len(got) != len(want) {
		t.Errorf("audit: %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("audit of %s: %q, want %q", k, got[k], w)
		}
	}

	// The same again changes and audits nothing; one detail changes one row.
	if _, err := s.SetOffice(ctx, sam, wvcOffice); err != nil {
		t.Fatal(err)
	}
	if n := len(officeAudit(t, s)); n != 7 {
		t.Errorf("an unchanged office was audited: %d rows", n)
	}
	b, a, err := s.EditOffice(ctx, sam, func(o *store.Office) error { o.Phone = "+1 (801) 555-0199 ext. 12"; return nil })
	if err != nil || b.Phone != "801-555-0100" || a.Phone != "+1 (801) 555-0199 ext. 12" || a.Name != wvcOffice.Name {
		t.Fatalf("EditOffice = %+v, %+v, %v", b, a, err)
	}
	rows := officeAudit(t, s)
	if len(rows) != 8 || rows[0].Action != "phone" || rows[0].Before != "801-555-0100" || rows[0].After != a.Phone {
		t.Errorf("audit after one change: %d rows, newest %+v", len(rows), rows[0])
	}
	// SetSettings leaves the office as it is.
	set, _ := s.Settings(ctx)
	set.Office = store.Office{}
	set.RosterHour = 9
	if err := s.SetSettings(ctx, sam, set); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.Office(ctx); o.Name != wvcOffice.Name {
		t.Errorf("SetSettings changed the office: %+v", o)
	}
}

// Bad details are refused with a message naming the detail; nothing is
// saved.
func TestOfficeValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	with := func(f func(*store.Office)) store.Office {
		o := wvcOffice
		f(&o)
		return o
	}
	for _, c := range []struct {
		what string
		o    store.Office
		want string
	}{
		{"no name", with(func(o *store.Office) { o.Name = "  " }), "office name: required"},
		{"a long name", with(func(o *store.Office) { o.Name = strings.Repeat("n", 81) }), "office name: at most 80 characters (got 81)"},
		{"a name of two lines", with(func(o *store.Office) { o.Name = "West\nValley" }), "office name: one line"},
		{"an escape", with(func(o *store.Office) { o.Tagline = "the \x1b[31mred\x1b[0m office" }), "office tagline: no control characters"},
		{"a bell in the address", with(func(o *store.Office) { o.Address = "1 Main St\nSuite \a2" }), "office address: no control characters"},
		{"a bidi override", with(func(o *store.Office) { o.Remittance = "pay \u202eevil" }), "office remittance: no control characters"},
		{"six address lines", with(func(o *store.Office) { o.Address = "1\n2\n3\n4\n5\n6" }), "office address: at most 5 lines (got 6)"},
		{"a long remittance line", with(func(o *store.Office) { o.Remittance = "ok\n" + strings.Repeat("r", 91) }), "office remittance: line 2: at most 90 characters (got 91)"},
		{"not a phone", with(func(o *store.Office) { o.Phone = "call us" }), "office phone: want a phone number"},
		{"a short phone", with(func(o *store.Office) { o.Phone = "555-01" }), "at least 7 digits, got 5"},
		{"a phone with a star", with(func(o *store.Office) { o.Phone = "801*555*0100" }), `office phone: "*" is not part of a phone number`},
		{"a bad e-mail", with(func(o *store.Office) { o.Email = "billing at wvc" }), "office email:"},
		{"a bad website", with(func(o *store.Office) { o.Website = "not a site" }), "office website: want a web address"},
		{"a website with a user", with(func(o *store.Office) { o.Website = "https://me@wvc.example" }), "office website"},
		{"ftp", with(func(o *store.Office) { o.Website = "ftp://wvc.example" }), "office website"},
		{"unprintable", with(func(o *store.Office) { o.Name = "West Valley 署" }), `office name: "署" cannot be printed on the invoice`},
	} {
		_, err := s.SetOffice(ctx, "test", c.o)
		if store.ErrorCode(err) != store.EInvalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.what, err, c.want)
		}
	}
	if o, _ := s.Office(ctx); o != store.DefaultOffice {
		t.Errorf("a refused office was saved: %+v", o)
	}
	if n := len(officeAudit(t, s)); n != 0 {
		t.Errorf("%d audit rows for refused changes", n)
	}
	// What is allowed: accents, the euro, an http address with a path, no
	// phone, website or remittance.
	ok := with(func(o *store.Office) {
		o.Name, o.Website, o.Phone, o.Remittance = "Bureau de sécurité – Montréal €", "http://wvc.example/pay?x=1", "", ""
	})
	if _, err := s.SetOffice(ctx, "test", ok); err != nil {
		t.Errorf("refused %+v: %v", ok, err)
	}
}

// An issued invoice keeps the office it was issued under; a draft shows the
// office as it is now.
func TestInvoiceOfficeAsIssued(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	early, earlySite := customerAndSite(t, s, "Early Co")
	later, laterSite := customerAndSite(t, s, "Later Co")
	draftCust, draftSite := customerAndSite(t, s, "Draft Co")
	workedJob(t, s, early, earlySite, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "EA")
	workedJob(t, s, later, laterSite, shift{start: "2026-12-09 10:00", end: "2026-12-09 14:00", officers: 1}, "LA")
	workedJob(t, s, draftCust, draftSite, shift{start: "2026-12-10 10:00", end: "2026-12-10 14:00", officers: 1}, "DA")
	setClock(t, "2027-01-05 09:00")
	ids := map[int64]int64{}
	for _, c := range []int64{early, later, draftCust} {
		invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), c, true)
		if err != nil || len(invs) != 1 {
			t.Fatalf("generate: %+v, %v", invs, err)
		}
		ids[c] = invs[0].ID
	}
	office := func(id int64) store.Office {
		t.Helper()
		o, err := s.InvoiceOffice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	// Issued before the office named itself: the default, even after.
	if _, err := s.IssueInvoice(ctx, "office", ids[early], day(t, "2027-01-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOffice(ctx, "office", wvcOffice); err != nil {
		t.Fatal(err)
	}
	if o := office(ids[early]); o != store.DefaultOffice {
		t.Errorf("issued before the change: %+v, want the default", o)
	}
	// Issued under wvcOffice, which then changes twice.
	if _, err := s.IssueInvoice(ctx, "office", ids[later], day(t, "2027-01-02")); err != nil {
		t.Fatal(err)
	}
	moved := wvcOffice
	moved.Address, moved.Remittance = "1 New Way\nWest Valley City, UT 84120", "Pay by ACH only: routing 124000054, account 999"
	if _, err := s.SetOffice(ctx, "office", moved); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EditOffice(ctx, "office", func(o *store.Office) error { o.Name = "WVC Off-Duty"; return nil }); err != nil {
		t.Fatal(err)
	}
	if o := office(ids[later]); o != wvcOffice {
		t.Errorf("issued under wvcOffice: %+v", o)
	}
	if o := office(ids[early]); o != store.DefaultOffice {
		t.Errorf("the early invoice now: %+v", o)
	}
	// Paid later: still as issued.
	if err := s.MarkPaid(ctx, "office", ids[later], day(t, "2027-01-04"), "ACH 1"); err != nil {
		t.Fatal(err)
	}
	if o := office(ids[later]); o != wvcOffice {
		t.Errorf("paid: %+v", o)
	}
	// A draft: the office now.
	now := moved
	now.Name = "WVC Off-Duty"
	if o := office(ids[draftCust]); o != now {
		t.Errorf("draft: %+v, want %+v", o, now)
	}
}
