package ui

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// accountID finds a demo account's id by name.
func accountID(t *testing.T, st *store.Store, name string) int64 {
	t.Helper()
	cs, err := st.Customers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no account %q", name)
	return 0
}

// selectAccount puts the Customers tab's cursor on an account.
func selectAccount(t *testing.T, a *App, id int64) {
	t.Helper()
	for i, idx := range a.cust.view {
		if a.cust.list[idx].ID == id {
			a.cust.cursor = i
			return
		}
	}
	t.Fatalf("account %d is not listed", id)
}

func customersApp(t *testing.T) *App {
	t.Helper()
	a := newTestApp(t, 80, 24)
	loadAllTabs(a)
	a.tab = tabCustomers
	return a
}

// A supervisor finds an account, opens it, edits its terms to 0 (due on
// receipt), adds a contact and archives a used site; every screen fits
// 80x24 and the store holds each change.
func TestCustomersTabSupervisorEdits(t *testing.T) {
	a := customersApp(t)
	st := a.c.Store
	ctx := context.Background()
	mav := accountID(t, st, "Maverik Center")
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"Cust", "12 of 12 accounts", "Maverik Center", "#" + itoa(mav), "biweekly", "net 30 days", "Open"} {
		if !strings.Contains(s, want) {
			t.Fatalf("list lacks %q:\n%s", want, s)
		}
	}
	press(a, "/", "maverik", "enter")
	if s := screen(a); !strings.Contains(s, "1 of 12 accounts") || strings.Contains(s, "Valley Fair") {
		t.Fatalf("search:\n%s", s)
	}
	drain(a, press(a, "enter"))
	s = screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"Maverik Center (#" + itoa(mav) + ")", "Tom Kearns (event operations)", "Maverik Center arena", "Jobs (", "Invoices"} {
		if !strings.Contains(s, want) {
			t.Fatalf("account lacks %q:\n%s", want, s)
		}
	}

	// e: terms 0 is due on receipt
	press(a, "e")
	if a.cust.form == nil {
		t.Fatal("e opened no form")
	}
	press(a, "tab", "tab", "0")
	s = screen(a)
	assertFits(t, s, 80, 24)
	if !strings.Contains(s, "due on receipt") {
		t.Fatalf("terms echo:\n%s", s)
	}
	drain(a, press(a, "ctrl+s"))
	if c, _ := st.Customer(ctx, mav); c.TermsDays != 0 {
		t.Fatalf("terms saved as %d", c.TermsDays)
	}
	if !strings.Contains(a.msg, "terms net 30 days → due on receipt") || a.msgErr {
		t.Fatalf("status: %q", a.msg)
	}
	if s := screen(a); !strings.Contains(s, "due on receipt") {
		t.Fatalf("the account does not show its new terms:\n%s", s)
	}

	// c, +: a contact
	press(a, "c", "+")
	if a.cust.form == nil {
		t.Fatal("+ opened no contact form")
	}
	press(a, "Dana Reyes", "tab", "security manager")
	drain(a, press(a, "ctrl+s"))
	if c, _ := st.Customer(ctx, mav); len(c.Contacts) != 2 || c.Contacts[1].Name != "Dana Reyes" || c.Contacts[1].Role != "security manager" {
		t.Fatalf("contacts: %+v", c.Contacts)
	}
	if s := screen(a); !strings.Contains(s, "Dana Reyes (security manager)") {
		t.Fatalf("the new contact is not shown:\n%s", s)
	}

	// s, d: the arena is used by jobs, so it is archived
	press(a, "s", "d")
	s = screen(a)
	assertFits(t, s, 80, 24)
	if !strings.Contains(s, "Archive site Maverik Center arena?") {
		t.Fatalf("no question:\n%s", s)
	}
	drain(a, press(a, "y"))
	acct, err := st.CustomerAccount(ctx, "", mav)
	if err != nil || len(acct.Sites) != 1 || !acct.Sites[0].Archived {
		t.Fatalf("site: %+v, %v", acct.Sites, err)
	}
	if s := screen(a); !strings.Contains(s, "archived") {
		t.Fatalf("the archived site is not marked:\n%s", s)
	}
	// u puts it back in use
	drain(a, press(a, "u"))
	if acct, _ := st.CustomerAccount(ctx, "", mav); acct.Sites[0].Archived {
		t.Fatal("u did not restore the site")
	}

	// esc twice: back to the list, which keeps the search
	press(a, "esc", "esc")
	if a.cust.acct != nil || !strings.Contains(screen(a), "1 of 12 accounts") {
		t.Fatalf("esc:\n%s", screen(a))
	}
	// help names the keys
	a.full = true
	if s := screen(a); !strings.Contains(s, "merge duplicate") || !strings.Contains(s, "contacts") {
		t.Fatalf("full help:\n%s", s)
	}
}

// A dispatcher reads the accounts (no balances) and every change key
// answers why it does nothing; an operator has no Customers tab.
func TestCustomersTabDispatcherReadOnly(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "dina", store.RoleDispatcher, "")
	if !containsTab(a.tabs, tabCustomers) {
		t.Fatalf("dispatcher's tabs: %v", a.tabs)
	}
	if containsTab(tabsFor(store.RoleOperator), tabCustomers) || containsTab(tabsFor(store.RoleCustomer), tabCustomers) {
		t.Fatal("an operator or customer has the Customers tab")
	}
	a.tab = tabCustomers
	st := a.c.Store
	mav := accountID(t, st, "Maverik Center")
	selectAccount(t, a, mav)
	s := screen(a)
	assertFits(t, s, 80, 24)
	if !strings.Contains(s, "Maverik Center") || strings.Contains(s, "Open") || strings.Contains(s, "2,567") {
		t.Fatalf("dispatcher's list:\n%s", s)
	}
	for _, k := range []string{"e", "M"} {
		press(a, k)
		if a.cust.form != nil || a.cust.prompt != nil || !strings.Contains(a.cust.note, "needs a supervisor (you are a dispatcher)") {
			t.Fatalf("%s: form %v prompt %v note %q", k, a.cust.form != nil, a.cust.prompt != nil, a.cust.note)
		}
		if !strings.Contains(screen(a), "needs a supervisor") {
			t.Fatalf("%s: the refusal is not shown:\n%s", k, screen(a))
		}
	}
	drain(a, press(a, "enter"))
	if s := screen(a); !strings.Contains(s, "Tom Kearns") || strings.Contains(s, "Invoices") {
		t.Fatalf("dispatcher's account view:\n%s", s)
	}
	press(a, "c", "+")
	if a.cust.form != nil || !strings.Contains(a.cust.note, "needs a supervisor") {
		t.Fatalf("+ on contacts: note %q", a.cust.note)
	}
	press(a, "s", "d")
	if a.cust.confirm != nil {
		t.Fatal("d asked to remove a site")
	}
	short, _ := helpText(a)
	if strings.Contains(short, "remove") || strings.Contains(short, "add") {
		t.Fatalf("help offers changes to a dispatcher: %q", short)
	}
	if c, _ := st.Customer(context.Background(), mav); len(c.Contacts) != 1 || len(c.Sites) != 1 || c.TermsDays != 30 {
		t.Fatalf("changed: %+v", c)
	}
}

// M merges a duplicate into the account selected: the duplicate is picked
// by id, what moves is shown, y merges; the account itself is refused.
func TestCustomersTabMerge(t *testing.T) {
	a := customersApp(t)
	st := a.c.Store
	ctx := context.Background()
	mav := accountID(t, st, "Maverik Center")
	dup, err := st.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Maverik Centre", Contacts: []store.Contact{{Name: "Box Office"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, "test", "mav-box", store.RoleCustomer, dup.ID, nil); err != nil {
		t.Fatal(err)
	}
	loadAllTabs(a)
	selectAccount(t, a, mav)
	press(a, "M")
	if a.cust.prompt == nil {
		t.Fatal("M asked nothing")
	}
	press(a, itoa(mav))
	if s := screen(a); !strings.Contains(s, "not merged into itself") {
		t.Fatalf("itself:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if a.cust.plan != nil || a.cust.prompt == nil {
		t.Fatal("a merge into itself was previewed")
	}
	press(a, "backspace", "backspace", "backspace", itoa(dup.ID))
	if s := screen(a); !strings.Contains(s, "Maverik Centre (#"+itoa(dup.ID)+"): 0 jobs, 0 sites, 1 contact, 1 user") {
		t.Fatalf("echo:\n%s", s)
	}
	drain(a, press(a, "enter"))
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"Merge Maverik Centre (#" + itoa(dup.ID) + ") into Maverik Center (#" + itoa(mav) + ")?", "1 contact Box Office", "1 user mav-box", "y merges"} {
		if !strings.Contains(s, want) {
			t.Fatalf("preview lacks %q:\n%s", want, s)
		}
	}
	if _, err := st.Customer(ctx, dup.ID); err != nil {
		t.Fatal("the preview merged")
	}
	drain(a, press(a, "y"))
	if _, err := st.Customer(ctx, dup.ID); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("after y: %v", err)
	}
	if u, _ := st.UserByName(ctx, "mav-box"); u.CustomerID != mav {
		t.Fatalf("user on account %d", u.CustomerID)
	}
	if !strings.Contains(a.msg, "Merged Maverik Centre") || a.msgErr {
		t.Fatalf("status %q", a.msg)
	}
	for _, row := range a.cust.list {
		if row.ID == dup.ID {
			t.Fatal("the merged account is still listed")
		}
	}
	// n leaves both as they are
	other := accountID(t, st, "Lucky 7 Lounge")
	selectAccount(t, a, mav)
	press(a, "M", itoa(other))
	drain(a, press(a, "enter"))
	press(a, "n")
	if _, err := st.Customer(ctx, other); err != nil || a.cust.plan != nil {
		t.Fatalf("n merged: %v", err)
	}
}

// What other people typed reaches the tab's list, account, forms and
// merge preview without an escape sequence or a control.
func TestCustomersTabHostileText(t *testing.T) {
	a := newTestApp(t, 160, 50)
	a.c.Styles = Styles{} // no styling: any escape left came from the database
	st := a.c.Store
	mav, vf := accountID(t, st, "Maverik Center"), accountID(t, st, "Valley Fair Mall")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: st.Path()}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := st.CreateUser(context.Background(), "test", "evil-user", store.RoleCustomer, mav, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE customers SET name = ?, email = ?, address = ?, notes = ? WHERE id = ?`, []any{hostile("Hostile Co"), hostile("x@y.example"), hostile("9 Evil Way"), hostile("Notes"), mav}},
		{`UPDATE contacts SET name = ?, role = ? WHERE customer_id = ?`, []any{hostile("Contact Person"), hostile("boss"), mav}},
		{`UPDATE sites SET name = ? WHERE customer_id = ?`, []any{hostile("Back Lot"), mav}},
		{`UPDATE users SET name = ? WHERE name = 'evil-user'`, []any{hostile("evil-user")}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	loadAllTabs(a)
	a.tab = tabCustomers
	m := a.cust
	selectAccount(t, a, mav)
	assertNoControls(t, "Customers list", m.View(40), false, "Hostile Co", "Contact Person")
	drain(a, press(a, "enter"))
	assertNoControls(t, "Customer account", m.View(48), false, "Hostile Co", "Contact Person", "Back Lot", "evil-user", "9 Evil Way", "Notes")
	press(a, "e")
	assertNoControls(t, "Customer edit", m.View(40), true, "Hostile Co")
	press(a, "esc", "c", "e")
	assertNoControls(t, "Contact edit", m.View(40), true, "Contact Person")
	press(a, "esc", "esc", "M", itoa(vf))
	drain(a, press(a, "enter"))
	assertNoControls(t, "Merge preview", m.View(40), false, "Hostile Co")
	press(a, "n", "esc")
	selectAccount(t, a, vf)
	press(a, "M", itoa(mav))
	assertNoControls(t, "Merge prompt", m.View(40), true, "Hostile Co")
	drain(a, press(a, "enter"))
	assertNoControls(t, "Merge preview", m.View(40), false, "Hostile Co", "Contact Person", "Back Lot", "evil-user")
}

// A click selects an account; a second click on it opens it.
func TestCustomersTabClick(t *testing.T) {
	a := customersApp(t)
	screen(a)
	row := a.cust.top + 1
	drain(a, a.click(tea.Mouse{X: 5, Y: bodyTop + row, Button: tea.MouseLeft}))
	if a.cust.cursor != 1 || a.cust.acct != nil {
		t.Fatalf("first click: cursor %d, open %v", a.cust.cursor, a.cust.acct != nil)
	}
	want := a.cust.list[a.cust.view[1]].Name
	drain(a, a.click(tea.Mouse{X: 5, Y: bodyTop + row, Button: tea.MouseLeft}))
	if a.cust.acct == nil || a.cust.acct.Name != want || !strings.Contains(screen(a), want+" (#") {
		t.Fatalf("second click did not open %s:\n%s", want, screen(a))
	}
}

// The tab follows a smaller window and the typed work of its forms is
// asked about before quitting.
func TestCustomersTabSmallAndQuit(t *testing.T) {
	a := customersApp(t)
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	assertFits(t, screen(a), minWidth, minHeight)
	drain(a, press(a, "enter"))
	assertFits(t, screen(a), minWidth, minHeight)
	press(a, "e", "tab", "tab", "7")
	if q := a.typedWork(); !strings.Contains(q, "Discard what you typed") {
		t.Fatalf("quit question: %q", q)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
