package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// TestSettingsOffice: o turns the Settings tab to the office's details
// (the defaults at first); enter edits one in a prompt that refuses a bad
// value as typed; the address takes lines separated by |; the change is
// saved, audited with before and after, and shown; o turns back.
func TestSettingsOffice(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabSettings
	drain(a, a.adm.set.load())
	if _, full := helpText(a); !offered(full, "o the office's details") {
		t.Fatalf("the help does not offer o:\n%s", full)
	}
	press(a, "o")
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, f := range OfficeFields {
		if !strings.Contains(s, " "+f.Key+" ") {
			t.Fatalf("the office lacks %s:\n%s", f.Key, s)
		}
	}
	for _, want := range []string{"offduty", "off-duty management office", "West Valley City, Utah", "billing@offduty.example", "(none)",
		"an issued invoice keeps those it was issued with", "the office's name: it heads every invoice"} {
		if !strings.Contains(s, want) {
			t.Fatalf("the office lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "signup_mode") {
		t.Fatalf("the settings still show:\n%s", s)
	}

	// the address: two lines
	press(a, "j", "j")
	drain(a, press(a, "enter"))
	if a.adm.set.prompt == nil || a.adm.set.prompt.label != "office address" {
		t.Fatal("enter opened no prompt for the address")
	}
	press(a, "3600 S Constitution Blvd | West Valley City, UT 84119")
	if s = screen(a); !strings.Contains(s, "West Valley City, Utah → 3600 S Constitution Blvd | West Valley") {
		t.Fatalf("no echo:\n%s", s)
	}
	drain(a, press(a, "enter"))
	ctx := context.Background()
	o, _ := a.c.Store.Office(ctx)
	if o.Address != "3600 S Constitution Blvd\nWest Valley City, UT 84119" {
		t.Fatalf("address %q:\n%s", o.Address, screen(a))
	}
	if s = screen(a); !strings.Contains(s, "office address: West Valley City, Utah → 3600 S") || !strings.Contains(s, "3600 S Constitution Blvd | West Valley City, UT 84119") {
		t.Fatalf("not shown saved:\n%s", s)
	}
	audit, _ := a.c.Store.Audit(ctx, store.AuditFilter{})
	if len(audit) == 0 || audit[0].Entity != "office" || audit[0].Action != "address" || audit[0].Before != "West Valley City, Utah" || audit[0].After != o.Address {
		t.Fatalf("audit: %+v", audit[:min(len(audit), 1)])
	}

	// the phone: a bad one is refused as typed, enter keeps the prompt, esc cancels
	press(a, "j")
	drain(a, press(a, "enter"))
	press(a, "call us")
	if s = screen(a); !strings.Contains(s, "office phone: want a phone number") {
		t.Fatalf("a bad phone not refused:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if a.adm.set.prompt == nil {
		t.Fatal("enter took a bad phone")
	}
	press(a, "esc")
	if a.adm.set.prompt != nil {
		t.Fatal("esc kept the prompt")
	}
	if o, _ := a.c.Store.Office(ctx); o.Phone != "" {
		t.Fatalf("phone %q saved", o.Phone)
	}

	// the name cannot be cleared
	press(a, "g")
	drain(a, press(a, "enter"))
	for range len("offduty") {
		press(a, "backspace")
	}
	drain(a, press(a, "enter"))
	if p := a.adm.set.prompt; p == nil || !strings.Contains(p.err, "office name: required") {
		t.Fatalf("an empty name not refused:\n%s", screen(a))
	}
	press(a, "esc")

	// a click selects a detail, a second one edits it
	y := -1
	for i, l := range strings.Split(screen(a), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "remittance") {
			y = i
		}
	}
	if y < 0 {
		t.Fatal("no remittance row")
	}
	click := tea.MouseClickMsg{X: 3, Y: y, Button: tea.MouseLeft}
	a.Update(click)
	if OfficeFields[a.adm.set.ocursor].Key != "remittance" {
		t.Fatalf("click selected %d", a.adm.set.ocursor)
	}
	_, cmd := a.Update(click)
	drain(a, cmd)
	if a.adm.set.prompt == nil || a.adm.set.prompt.label != "office remittance" {
		t.Fatal("a second click did not edit")
	}
	press(a, "Make checks payable to West Valley City")
	drain(a, press(a, "enter"))
	if o, _ := a.c.Store.Office(ctx); o.Remittance != "Make checks payable to West Valley City" {
		t.Fatalf("remittance %q", o.Remittance)
	}

	// small and large windows fit; o turns back to the settings
	for _, size := range [][2]int{{minWidth, minHeight}, {120, 40}, {80, 24}} {
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		assertFits(t, screen(a), size[0], size[1])
	}
	press(a, "o")
	if s = screen(a); !strings.Contains(s, "signup_mode") || strings.Contains(s, "remittance") {
		t.Fatalf("o did not turn back:\n%s", s)
	}
}
