package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// A customer sees their own account's jobs and invoices, read-only, and no
// key sequence shows another account.
func TestCustomerSeesOnlyTheirAccount(t *testing.T) {
	base := newTestApp(t, 100, 30)
	ctx := context.Background()
	custs, err := base.c.Store.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var me store.Customer
	for _, c := range custs {
		if c.Name == "Maverik Center" {
			me = c
		}
	}
	// an SSH actor reads as the user of the database it names
	if _, err := base.c.Store.CreateUser(ctx, "", "cora", store.RoleCustomer, me.ID, nil); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: base.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor("cora"), Role: store.RoleCustomer, CustomerID: me.ID})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drain(a, a.loadAll)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}
	if len(a.req.jobs) == 0 {
		t.Fatal("the customer sees no jobs")
	}
	for _, j := range a.req.jobs {
		if j.CustomerID != me.ID {
			t.Fatalf("customer sees job #%d of %s", j.ID, j.CustomerName)
		}
	}
	if a.customers != nil {
		t.Fatal("the customer list was loaded for a customer")
	}
	// drive keys a curious user would try
	seen := screen(a)
	// (n opens the customer's own request form since issue 13: TestCustomerNewAnswers)
	for _, k := range []string{"tab", "enter", "o", "esc", "esc", "tab", "enter", "esc", "f2", "f3", "f4", "f5", "f6", "f7", "a", "e", "g", "/", "x", "esc", "tab"} {
		drain(a, press(a, k))
		seen += screen(a)
		if a.form != nil {
			t.Fatal("a customer opened the request form")
		}
	}
	for _, c := range custs {
		if c.ID == me.ID {
			continue
		}
		if strings.Contains(seen, c.Name) {
			t.Fatalf("a customer session showed another account: %s", c.Name)
		}
		for _, s := range c.Sites {
			if strings.Contains(seen, s.Name) && s.Name != "Maverik Center arena" {
				t.Fatalf("a customer session showed another account's site: %s", s.Name)
			}
		}
	}
	if !strings.Contains(seen, "My jobs") || strings.Contains(seen, "Payroll") || strings.Contains(seen, "Officers") {
		t.Fatalf("customer tabs wrong:\n%s", screen(a))
	}
	for _, inv := range a.inv.list {
		if inv.CustomerID != me.ID {
			t.Fatalf("customer sees invoice %s of %s", inv.Number, inv.CustomerName)
		}
	}
}

func TestOperatorCannotApproveInTheConsole(t *testing.T) {
	base := newTestApp(t, 80, 24)
	a := New(Options{Store: base.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "olga", Role: store.RoleOperator})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(a, a.loadAll)
	if a.tab != tabRequests {
		t.Fatalf("an operator starts on tab %d", a.tab)
	}
	if s := screen(a); strings.Contains(s, "a approve") || !strings.Contains(s, "n new") {
		t.Fatalf("operator help line:\n%s", s)
	}
}

// A change made elsewhere (another session or process) shows without a key.
func TestLiveRefresh(t *testing.T) {
	a := newTestApp(t, 80, 24)
	before := len(a.req.jobs)
	done := make(chan tea.Msg, 1)
	go func() { done <- a.waitChange()() }()
	time.Sleep(50 * time.Millisecond)
	j := a.req.jobs[0]
	if _, err := a.c.Store.CreateJobs(context.Background(), "elsewhere", store.JobInput{CustomerID: j.CustomerID, SiteID: j.SiteID, Agency: j.AgencySlug,
		Start: testNow.Add(100 * time.Hour), End: testNow.Add(104 * time.Hour), Officers: 1, Venue: j.Venue, Received: testNow}); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-done:
		if _, ok := msg.(changedMsg); !ok {
			t.Fatalf("got %T", msg)
		}
		_, cmd := a.Update(msg)
		drain(a, cmd)
	case <-time.After(2 * time.Second):
		t.Fatal("no change noticed within 2 s")
	}
	if len(a.req.jobs) != before+1 {
		t.Fatalf("list has %d jobs, want %d", len(a.req.jobs), before+1)
	}
}

func TestAuditTabFiltersByUser(t *testing.T) {
	a := newTestApp(t, 100, 30)
	a.tab = tabAudit
	drain(a, a.aud.load())
	if len(a.aud.list) == 0 {
		t.Fatal("no audit entries")
	}
	drain(a, press(a, "/", "nobody-at-all", "enter"))
	if len(a.aud.list) != 0 {
		t.Fatalf("filter by an unknown user kept %d entries", len(a.aud.list))
	}
	drain(a, press(a, "/", "esc")) // back to all users
	drain(a, press(a, "/", "seed", "enter"))
	if len(a.aud.list) == 0 {
		t.Fatal("filter by seed found nothing")
	}
	for _, e := range a.aud.list {
		if e.Actor != "seed" {
			t.Fatalf("entry by %s", e.Actor)
		}
	}
	if s := screen(a); !strings.Contains(s, "Audit") || !strings.Contains(s, "seed") {
		t.Fatalf("audit tab:\n%s", s)
	}
}
