package ui

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// outboxFixture empties the outbox of a test app's database and writes
// three messages, oldest first: one sent, one failed, one pending after a
// failed try. It returns their ids in that order.
func outboxFixture(t *testing.T, a *App) []int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+a.c.Store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := func(d time.Duration) string { return testNow.Add(d).UTC().Format("2006-01-02T15:04:05Z") }
	if _, err := db.Exec(`DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range []struct {
		kind, to, subject, body, state string
		attempts                       int
		lastErr                        string
		at                             time.Duration
	}{
		{store.MsgCustomerApproved, "pat@customer.test", "Approved: Sat 12 Dec 18:00 Valley Fair", "Your request is approved: job #12.\nWe will tell you when every position is filled.", "sent", 1, "", -3 * time.Hour},
		{store.MsgOfficerAssigned, "gone@wvc.example", "Assigned: Sat 12 Dec 18:00", "You are assigned.", "failed", 1, "RCPT TO: SMTP error 550: no such user", -2 * time.Hour},
		{store.MsgOfficerReminder, "maria@wvc.example", "Tomorrow: Valley Fair 18:00", "Your shift is tomorrow.", "pending", 2, "relay 127.0.0.1:25: connection refused", -time.Hour},
	} {
		var sent any
		if r.state == "sent" {
			sent = ts(r.at + time.Minute)
		}
		res, err := db.Exec(`INSERT INTO outbox (kind, to_addr, subject, body, created_at, state, attempts, next_at, sent_at, last_error, claimed_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'host:1')`, r.kind, r.to, r.subject, r.body, ts(r.at), r.state, r.attempts, ts(5*time.Minute), sent, r.lastErr)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		ids = append(ids, id)
	}
	return ids
}

// TestOutboxTab: supervisors see the outbox newest first with when, kind,
// to, subject, state, tries and the last error; enter shows a message
// whole; r retries a failed one (and answers for another); s filters by
// state. It fits 80x24 and grows with the window.
func TestOutboxTab(t *testing.T) {
	a := newTestApp(t, 80, 24)
	if !slices.Contains(a.tabs, tabOutbox) || !slices.Contains(a.tabs, tabSettings) {
		t.Fatalf("a supervisor's tabs: %v", a.tabs)
	}
	if bar, _ := a.tabBar(); !strings.Contains(bar, "Out") || !strings.Contains(bar, "Set") {
		t.Fatalf("tab bar %q", bar)
	}
	ids := outboxFixture(t, a)
	a.tab = tabOutbox
	drain(a, a.adm.out.load())
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"3 messages", "all states", "When", "Kind", "To", "State", "Subject",
		"officer.reminder", "maria@wvc.example", "retry", "failed", "sent", "gone@wvc.example"} {
		if !strings.Contains(s, want) {
			t.Fatalf("outbox lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "maria@") > strings.Index(s, "gone@") || strings.Index(s, "gone@") > strings.Index(s, "pat@") {
		t.Fatalf("not newest first:\n%s", s)
	}
	if !strings.Contains(s, "last error: relay 127.0.0.1:25: connection refused") { // the selected one's, at 80 columns
		t.Fatalf("no last error of the selected message:\n%s", s)
	}
	short, _ := helpText(a)
	if !strings.Contains(short, "enter message") || !strings.Contains(short, "s state") || strings.Contains(short, "retry") {
		t.Fatalf("help line for a pending message: %q", short)
	}

	// r on a message that has not failed answers why
	drain(a, press(a, "r"))
	if !strings.Contains(screen(a), "only a failed message is retried") {
		t.Fatalf("r on a pending message:\n%s", screen(a))
	}
	// enter: the message whole
	press(a, "j")
	drain(a, press(a, "enter"))
	s = screen(a)
	for _, want := range []string{"Message ", "To", "gone@wvc.example", "Subject", "State", "failed", "r puts it back", "Error", "550: no such user", "You are assigned."} {
		if !strings.Contains(s, want) {
			t.Fatalf("detail lacks %q:\n%s", want, s)
		}
	}
	assertFits(t, s, 80, 24)
	// r retries it: pending again, the store records it
	drain(a, press(a, "r"))
	if !strings.Contains(screen(a), "in line again") {
		t.Fatalf("retry:\n%s", screen(a))
	}
	all, err := a.c.Store.Outbox(context.Background(), "tester", store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == ids[1] && (m.State != store.MsgPending || m.Attempts != 0) {
			t.Fatalf("retried message: %+v", m)
		}
	}
	press(a, "esc")
	if a.adm.out.detail {
		t.Fatal("esc kept the detail")
	}

	// s: pending only, then failed (none now), then sent, then all
	drain(a, press(a, "s"))
	s = screen(a)
	if !strings.Contains(s, "pending only") || !strings.Contains(s, "gone@") || !strings.Contains(s, "maria@") || strings.Contains(s, "pat@") {
		t.Fatalf("pending only:\n%s", s)
	}
	drain(a, press(a, "s"))
	if s = screen(a); !strings.Contains(s, "No failed messages") {
		t.Fatalf("failed only:\n%s", s)
	}
	drain(a, press(a, "s"))
	if s = screen(a); !strings.Contains(s, "pat@") || strings.Contains(s, "gone@") {
		t.Fatalf("sent only:\n%s", s)
	}
	drain(a, press(a, "s"))
	if s = screen(a); !strings.Contains(s, "all states") || !strings.Contains(s, "3 messages") {
		t.Fatalf("all again:\n%s", s)
	}

	// a wide window shows the last error as a column; the smallest still fits
	a.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	s = screen(a)
	assertFits(t, s, 140, 40)
	if !strings.Contains(s, "Last error") || !strings.Contains(s, "relay 127.0.0.1:25: connection") {
		t.Fatalf("140 columns:\n%s", s)
	}
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	assertFits(t, screen(a), minWidth, minHeight)

	// no sender address: the head says nothing is sent
	if !strings.Contains(screen(a), "no sender address") {
		a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
		if !strings.Contains(screen(a), "no sender address") {
			t.Fatalf("no warning without a sender:\n%s", screen(a))
		}
	}
}

// TestOutboxNotForOthers: the Outbox and Settings tabs are a supervisor's.
func TestOutboxNotForOthers(t *testing.T) {
	for _, role := range []string{store.RoleOperator, store.RoleDispatcher, store.RoleCustomer, store.RoleOfficer, store.RoleAgency} {
		tabs := tabsFor(role)
		if slices.Contains(tabs, tabOutbox) || slices.Contains(tabs, tabSettings) {
			t.Errorf("%s sees %v", role, tabs)
		}
	}
	for _, role := range []string{"", store.RoleSupervisor} {
		if tabs := tabsFor(role); !slices.Contains(tabs, tabOutbox) || !slices.Contains(tabs, tabSettings) {
			t.Errorf("%q lacks them: %v", role, tabs)
		}
	}
}

// TestSettingsTab: every setting with its meaning and the agencies'
// dispatch addresses; enter edits one in a prompt that refuses bad values
// as typed; a change is saved, audited and shown.
func TestSettingsTab(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabSettings
	drain(a, a.adm.set.load())
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, f := range SettingFields {
		if !strings.Contains(s, f.Key) {
			t.Fatalf("settings lack %s:\n%s", f.Key, s)
		}
	}
	for _, want := range []string{"Setting", "Value", "Meaning", "(none: nothing is sent)", "Agency", "Dispatch address", "west-valley-city", "grantsville",
		"what an officer's sign-up for an open shift does"} {
		if !strings.Contains(s, want) {
			t.Fatalf("settings lack %q:\n%s", want, s)
		}
	}
	short, _ := helpText(a)
	if !strings.Contains(short, "enter change") {
		t.Fatalf("help: %q", short)
	}

	// roster_hour: a bad value is refused as typed; a good one saved
	press(a, "j", "j")
	drain(a, press(a, "enter"))
	if a.adm.set.prompt == nil || !a.typing() {
		t.Fatal("enter opened no prompt")
	}
	press(a, "24")
	s = screen(a)
	if !strings.Contains(s, "roster_hour: an hour of the day, 0 to 23") {
		t.Fatalf("24 not refused:\n%s", s)
	}
	if a.typedWork() == "" {
		t.Fatal("ctrl+c would lose the typed value without asking")
	}
	drain(a, press(a, "enter"))
	if a.adm.set.prompt == nil {
		t.Fatal("enter took a bad value")
	}
	press(a, "backspace", "backspace", "14")
	if s = screen(a); !strings.Contains(s, "15 → 14") {
		t.Fatalf("no echo:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if s = screen(a); !strings.Contains(s, "roster_hour: 15 → 14 (recorded in the audit)") || !strings.Contains(s, "14") {
		t.Fatalf("not saved:\n%s", s)
	}
	ctx := context.Background()
	if o, _ := a.c.Store.Settings(ctx); o.RosterHour != 14 {
		t.Fatalf("roster_hour %d", o.RosterHour)
	}
	audit, _ := a.c.Store.Audit(ctx, store.AuditFilter{})
	if len(audit) == 0 || audit[0].Entity != "settings" || audit[0].Action != "roster_hour" || audit[0].Before != "15" || audit[0].After != "14" {
		t.Fatalf("audit: %+v", audit[:min(len(audit), 1)])
	}

	// sender: typing replaces the default; esc cancels a prompt
	press(a, "j", "j", "j")
	drain(a, press(a, "enter"))
	press(a, "esc")
	if a.adm.set.prompt != nil {
		t.Fatal("esc kept the prompt")
	}
	drain(a, press(a, "enter"))
	press(a, "not-an-address")
	if s = screen(a); !strings.Contains(s, "not an e-mail address") {
		t.Fatalf("bad sender not refused:\n%s", s)
	}
	for range len("not-an-address") {
		press(a, "backspace")
	}
	press(a, "dispatch@office.test")
	drain(a, press(a, "enter"))
	if o, _ := a.c.Store.Settings(ctx); o.Sender != "dispatch@office.test" {
		t.Fatalf("sender %q:\n%s", o.Sender, screen(a))
	}

	// the last agency's dispatch address
	drain(a, press(a, "G"))
	drain(a, press(a, "enter"))
	press(a, "desk@")
	if s = screen(a); !strings.Contains(s, "not an e-mail address") {
		t.Fatalf("bad address not refused:\n%s", s)
	}
	press(a, "agency.test")
	drain(a, press(a, "enter"))
	ag := a.adm.set.agencies[len(a.adm.set.agencies)-1]
	if addr, _ := a.c.Store.AgencyDispatch(ctx, ag.id); addr != "desk@agency.test" {
		t.Fatalf("dispatch %q:\n%s", addr, screen(a))
	}
	if s = screen(a); !strings.Contains(s, "desk@agency.test") || !strings.Contains(s, "recorded in the audit") {
		t.Fatalf("after the dispatch address:\n%s", s)
	}

	// resize: small and large windows still fit; the selection stays in view
	for _, size := range [][2]int{{minWidth, minHeight}, {120, 40}, {80, 24}} {
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s = screen(a)
		assertFits(t, s, size[0], size[1])
		if !strings.Contains(s, ag.slug) {
			t.Fatalf("%dx%d: the selected agency is out of view:\n%s", size[0], size[1], s)
		}
	}
}

// TestSettingsClick: a click selects a setting, a second click edits it.
func TestSettingsClick(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabSettings
	drain(a, a.adm.set.load())
	y := -1
	for i, l := range strings.Split(screen(a), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "reminder_hour") {
			y = i
		}
	}
	if y < 0 {
		t.Fatal("no reminder_hour row")
	}
	click := tea.MouseClickMsg{X: 3, Y: y, Button: tea.MouseLeft}
	a.Update(click)
	if SettingFields[a.adm.set.cursor].Key != "reminder_hour" {
		t.Fatalf("click selected %d", a.adm.set.cursor)
	}
	_, cmd := a.Update(click)
	drain(a, cmd)
	if a.adm.set.prompt == nil || a.adm.set.prompt.label != "reminder_hour" {
		t.Fatal("a second click did not edit")
	}
}
