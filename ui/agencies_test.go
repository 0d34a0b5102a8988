package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"offduty/store"
)

// agenciesApp is a supervisor's console on the Agencies tab, loaded.
func agenciesApp(t *testing.T, w, h int) *App {
	t.Helper()
	a := newTestApp(t, w, h)
	a.tab = tabAgencies
	drain(a, a.agc.load())
	return a
}

func mustShow(t *testing.T, a *App, what string, want ...string) string {
	t.Helper()
	s := screen(a)
	assertFits(t, s, a.c.Width, a.c.Height)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("%s: screen lacks %q:\n%s", what, w, s)
		}
	}
	return s
}

// Only supervisors have the tab; its list shows each agency's card in
// force, the next one, and counts, at 80x24 with its help line.
func TestAgenciesTabList(t *testing.T) {
	for _, role := range []string{store.RoleOperator, store.RoleDispatcher, store.RoleCustomer, store.RoleOfficer, store.RoleAgency} {
		if slices.Contains(tabsFor(role), tabAgencies) {
			t.Errorf("a %s sees the Agencies tab", role)
		}
	}
	if !slices.Contains(tabsFor(store.RoleSupervisor), tabAgencies) || !slices.Contains(tabsFor(""), tabAgencies) {
		t.Fatal("a supervisor lacks the Agencies tab")
	}
	a := agenciesApp(t, 80, 24)
	mustShow(t, a, "list", "Agency", "Card in force", "Grantsville PD", "#2 since 20 Jul 2020", "60.00", "West Valley City PD", "#1 since 16 Nov 2020",
		"57.00", "enter: the card in force")
	if short, _ := helpText(a); !strings.Contains(short, "enter open") || !strings.Contains(short, "n new card") || strings.Contains(short, "new request") {
		t.Errorf("help: %q", short)
	}
	if a.agc.cursor != 0 || a.agc.rows[0].a.Slug != "grantsville" || a.agc.rows[0].holidays != 13 || a.agc.rows[1].venues != 3 {
		t.Errorf("rows: %+v", a.agc.rows)
	}
}

// enter opens an agency: its card and history, its holidays with the
// dates this year and next, its venues; esc goes back to the list.
func TestAgenciesTabPage(t *testing.T) {
	a := agenciesApp(t, 80, 24)
	press(a, "j")
	drain(a, press(a, "enter"))
	if a.agc.page == nil || a.agc.page.a.Slug != "west-valley-city" || len(a.agc.page.cards) != 1 {
		t.Fatalf("page = %+v", a.agc.page)
	}
	mustShow(t, a, "card", "West Valley City PD", "[1 Card]", "2 Holidays (13)", "3 Venues (3)", "Card #1 in force since Mon 16 Nov 2020",
		"regular", "57.00", "50.00", "7.00", "vehicle", "1.14", "minimum 2 h per person · notice 72 h · supervisor at 5 or more officers",
		"cancel: admin fee for the first 24 h; within 48 h", "History", "#1 from Mon 16 Nov 2020", "the first card")
	press(a, "right")
	s := mustShow(t, a, "holidays", "[2 Holidays (13)]", "Name", "Rule", "2026", "2027", "New Year's Eve", "standard: New Year's Eve", "Thu 31 Dec", "Fri 31 Dec",
		"holiday hours at 85.50 per hour", "key new-years-eve")
	press(a, "j", "j")
	if s2 := screen(a); !strings.Contains(s2, "key mlk-day") || s2 == s {
		t.Errorf("the cursor did not move:\n%s", s2)
	}
	press(a, "3")
	mustShow(t, a, "venues", "[3 Venues (3)]", "Venue", "retail", "allowed", "alcohol", "prohibited: “Where alcoholic beverages")
	press(a, "esc")
	if a.agc.page != nil {
		t.Fatal("esc left the page open")
	}
	mustShow(t, a, "back", "Card in force")
}

// n opens a form prefilled from the card in force; each field says what
// it was and a line counts the changes; ctrl+s shows the diff; n goes back
// to the form as typed; y saves, and the card is scheduled.
func TestAgenciesNewCard(t *testing.T) {
	ctx := context.Background()
	a := agenciesApp(t, 80, 24)
	press(a, "j")
	drain(a, press(a, "enter"))
	drain(a, press(a, "n"))
	if a.agc.form == nil || a.agc.cardForm == nil || !a.typing() {
		t.Fatalf("n opened no form (form %v)", a.agc.form != nil)
	}
	if a.form != nil {
		t.Fatal("n opened the request form on the Agencies tab")
	}
	mustShow(t, a, "form", "New rate card", "West Valley City PD", "2026-11-27", "57.00/50.00", "68.40/60.00", "1.14/1.00", "Late hours", "officer share within 48 h · same", "admin fee first 24 h · same",
		"no change against card #1 yet")
	press(a, "60/52.50")
	mustShow(t, a, "typed", "60/52.50", "was 57.00/50.00", "1 change against card #1: regular · ctrl+s shows the diff")
	if a.typedWork() == "" {
		t.Error("ctrl+c would lose the card being typed without asking")
	}
	// A bad figure is refused as typed, and the form stays.
	a.agc.form.setFocus(4) // emergency
	press(a, "70/80")
	mustShow(t, a, "bad", "officer share 80.00 is more than the total 70.00")
	drain(a, press(a, "ctrl+s"))
	if a.agc.plan != nil || a.agc.form == nil {
		t.Fatal("a bad card went to the diff")
	}
	press(a, "backspace", "backspace", "backspace", "backspace", "backspace", "90/79")
	drain(a, press(a, "ctrl+s"))
	if a.agc.plan == nil {
		t.Fatalf("ctrl+s showed no diff:\n%s", screen(a))
	}
	mustShow(t, a, "diff", "New rate card for West Valley City PD from Fri 27 Nov 2026 00:00", "against card #1", "2 changes",
		"* regular", "57.00 = 50.00 + 7.00", "60.00 = 52.50 + 7.50", "* emergency", "90.00 = 79.00 + 11.00", "y saves the card")
	if short, _ := helpText(a); !strings.Contains(short, "y save the card") {
		t.Errorf("help under the diff: %q", short)
	}
	press(a, "n")
	if a.agc.plan != nil || a.agc.form == nil || a.agc.cardForm.fields["regular"].value() != "60/52.50" {
		t.Fatal("n did not go back to the form as typed")
	}
	drain(a, press(a, "ctrl+s"))
	drain(a, press(a, "y"))
	if a.agc.plan != nil || a.agc.form != nil {
		t.Fatal("y left the diff open")
	}
	mustShow(t, a, "saved", "Saved card #3 for West Valley City PD from Fri 27 Nov 2026 (2 changes,", "audited)",
		"#3 from Fri 27 Nov 2026  scheduled  by tester", "regular 57.00/50.00 → 60.00/52.50", "emergency 85.50/75.00 → 90.00/79.00")
	cards, err := a.c.Store.RateCards(ctx, a.agc.page.a.ID)
	if err != nil || len(cards) != 2 || cards[0].Card.Regular.Total.StringFixed(2) != "60.00" || cards[0].Card.Emergency.Officer.StringFixed(2) != "79.00" ||
		cards[0].CreatedBy != "tester" {
		t.Fatalf("cards = %+v, %v", cards, err)
	}
	audit, _ := a.c.Store.Audit(ctx, store.AuditFilter{Actor: "tester"})
	if len(audit) == 0 || audit[0].Entity != "rate_card" || !strings.Contains(audit[0].Before, "regular 57.00/50.00") || !strings.Contains(audit[0].After, "regular 60.00/52.50") {
		t.Errorf("audit: %+v", audit[:min(len(audit), 1)])
	}
	// esc on a new form discards it.
	drain(a, press(a, "n"))
	press(a, "esc")
	if a.agc.form != nil || a.agc.cardForm != nil {
		t.Error("esc kept the form")
	}
}

// h adds a holiday (a one-off date, or a rule), with its dates echoed; d
// removes the selected one after y.
func TestAgenciesHolidays(t *testing.T) {
	ctx := context.Background()
	a := agenciesApp(t, 80, 24)
	press(a, "j")
	drain(a, press(a, "enter"))
	drain(a, press(a, "h"))
	if a.agc.form == nil || a.agc.section != secHolidays {
		t.Fatal("h opened no form")
	}
	press(a, "Stake Conference", "tab", "dec 8")
	mustShow(t, a, "typed", "Add a holiday", "one-off Tue 08 Dec 2026")
	press(a, "backspace", "backspace", "backspace", "backspace", "backspace", "1 wed dec")
	mustShow(t, a, "rule", "2026 Wed 02 Dec · 2027 Wed 01 Dec")
	press(a, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "2026-12-08")
	drain(a, press(a, "enter"))
	if a.agc.form != nil {
		t.Fatalf("not saved:\n%s", screen(a))
	}
	mustShow(t, a, "added", "Added Stake Conference (one-off Tue 08 Dec 2026)", "2 Holidays (14)")
	hs, _ := a.c.Store.Holidays(ctx, a.agc.page.a.ID)
	if len(hs) != 14 || hs[13].Rule != "2026-12-08" {
		t.Fatalf("holidays: %+v", hs)
	}
	// A past date is refused as typed.
	drain(a, press(a, "h"))
	press(a, "Old Day", "tab", "2026-11-01")
	mustShow(t, a, "past", "Sun 01 Nov 2026 is in the past")
	press(a, "esc")

	for range 13 {
		press(a, "j")
	}
	mustShow(t, a, "selected", "key stake-conference-2026-12-08")
	press(a, "d")
	mustShow(t, a, "confirm", "Remove the holiday Stake Conference (one-off Tue 08 Dec 2026) from West Valley", "City PD?", "y removes")
	drain(a, press(a, "y"))
	mustShow(t, a, "removed", "Removed Stake Conference", "2 Holidays (13)")
	audit, _ := a.c.Store.Audit(ctx, store.AuditFilter{Actor: "tester"})
	if len(audit) < 2 || audit[0].Action != "holiday remove" || audit[1].Action != "holiday add" || audit[0].Before != audit[1].After {
		t.Errorf("audit: %+v", audit[:min(len(audit), 2)])
	}
}

// v edits the selected venue's rule text in a prompt; the text is quoted;
// d allows the venue again after y.
func TestAgenciesVenues(t *testing.T) {
	ctx := context.Background()
	a := agenciesApp(t, 80, 24)
	drain(a, press(a, "enter")) // Grantsville
	press(a, "3", "j", "j")     // event
	mustShow(t, a, "event", "event / venue: allowed")
	press(a, "d")
	mustShow(t, a, "allowed", "event is allowed: v prohibits it")
	drain(a, press(a, "v"))
	if a.agc.prompt == nil || !a.typing() {
		t.Fatal("v opened no prompt")
	}
	press(a, "No officer may work a ticketed concert.")
	mustShow(t, a, "prompt", "rule for event", "event: allowed → prohibited")
	drain(a, press(a, "enter"))
	mustShow(t, a, "saved", "Grantsville PD prohibits event now", "prohibited: “No officer may work a ticketed concert.”", "3 Venues (2)")
	pa, err := a.c.Store.Pricing(ctx, "grantsville", testNow)
	if err != nil || pa.Pricing.Prohibited["event"] != "No officer may work a ticketed concert." {
		t.Fatalf("pricing rules: %+v, %v", pa.Pricing.Prohibited, err)
	}
	// Edited: the new text replaces the old.
	drain(a, press(a, "v"))
	press(a, "Concerts are the agency's own.")
	drain(a, press(a, "enter"))
	mustShow(t, a, "edited", "rule for event changed", "“Concerts are the agency's own.”")
	press(a, "d")
	mustShow(t, a, "confirm", "Allow event again at Grantsville PD?", "Its rule: Concerts are the agency's own.")
	press(a, "n")
	if a.agc.confirm != nil {
		t.Fatal("n kept the question")
	}
	press(a, "d")
	drain(a, press(a, "y"))
	mustShow(t, a, "removed", "Grantsville PD allows event again", "3 Venues (1)")
	audit, _ := a.c.Store.Audit(ctx, store.AuditFilter{Actor: "tester"})
	if len(audit) != 3 || audit[0].Action != "venue remove" || audit[1].Before != "event prohibited: No officer may work a ticketed concert." ||
		audit[1].After != "event prohibited: Concerts are the agency's own." || audit[2].Before != "event: allowed" {
		t.Errorf("audit: %+v", audit)
	}
}

// The page fits small and large windows; the card section scrolls.
func TestAgenciesTabSizes(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {80, 24}, {120, 40}} {
		a := agenciesApp(t, size[0], size[1])
		press(a, "j")
		drain(a, press(a, "enter"))
		for _, k := range []string{"1", "2", "3"} {
			press(a, k)
			assertFits(t, screen(a), size[0], size[1])
		}
		press(a, "1")
		drain(a, press(a, "n"))
		assertFits(t, screen(a), size[0], size[1])
	}
	a := agenciesApp(t, 60, 16)
	press(a, "j")
	drain(a, press(a, "enter"))
	s := mustShow(t, a, "small", "more (↑/↓ scroll)")
	press(a, "j", "j", "j", "j", "j", "j", "j", "j", "j", "j")
	if s2 := screen(a); s2 == s || !strings.Contains(s2, "the first card") {
		t.Errorf("no scroll:\n%s", s2)
	}
}
