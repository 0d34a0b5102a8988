package ui

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

// evil is what another tool (the sqlite3 shell) can write into any text
// column: an OSC that retitles the terminal, a screen clear, a right-to-left
// override and a C1 CSI (U+009B) that turns the text red.
const evil = "\x1b]0;pwn\x07\x1b[2J\u202e\u009b31m"

// hostile wraps a label in evil, so a test can check the label is shown
// and nothing of the sequences around it.
func hostile(label string) string { return evil + label + "\x1b]0;pwn\x07 \u202e\u2066" }

// residue is what a half-cleaned sequence leaves: the parameters of the OSC,
// the clear and the C1 CSI.
var residue = []string{"pwn", "[2J", "31m", "]0;"}

// assertNoControls fails when a view holds a rune a terminal would act on:
// ESC or any other C0 or C1 control (newlines aside), a bidi control, a line
// or paragraph separator, or what is left of a hostile sequence. With
// stripped, the view's own styling is removed first (ansi.Strip) and only
// what survives is checked: the text inputs draw their cursor in colour.
func assertNoControls(t *testing.T, where, view string, stripped bool, want ...string) {
	t.Helper()
	s := view
	if stripped {
		s = ansi.Strip(view)
	}
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			t.Errorf("%s: the view holds %U:\n%q", where, r, s)
			return
		}
	}
	for _, x := range residue {
		if strings.Contains(s, x) {
			t.Errorf("%s: the view holds %q, the rest of an escape sequence:\n%s", where, x, s)
		}
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s: the view lacks %q:\n%s", where, w, s)
		}
	}
}

// Text written into the database by another tool reaches no screen with its
// escape sequences, C0/C1 controls or bidi overrides: customer and site
// names, contact, PO, post orders, venue, officers, agencies, audit actions
// and values, media names and types, notes, fees and the saved quote.
func TestHostileTextIsCleanedOnEveryScreen(t *testing.T) {
	a := newTestApp(t, 160, 50)
	a.c.Styles = Styles{} // no styling: any escape left in a view came from the database
	ctx := context.Background()
	drain(a, a.today.load())
	var j store.Job
	for _, x := range a.today.jobs {
		for _, p := range x.Positions {
			if p.OfficerID != 0 && x.Status != store.StatusCancelled {
				j = x
			}
		}
	}
	if j.ID == 0 {
		t.Fatal("no staffed shift today in the demo")
	}
	var officerID int64
	for _, p := range j.Positions {
		if p.OfficerID != 0 {
			officerID = p.OfficerID
		}
	}

	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: a.c.Store.Path()}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := testNow.UTC().Format("2006-01-02T15:04:05Z")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE customers SET name = ?, phone = ? WHERE id = ?`, []any{hostile("Hostile Co"), hostile("801-555-0100"), j.CustomerID}},
		{`UPDATE sites SET name = ?, address = ? WHERE id = ?`, []any{hostile("Back Lot"), hostile("9 Evil Way"), j.SiteID}},
		{`UPDATE jobs SET contact_name = ?, contact_phone = ?, po_number = ?, post_orders = ?, venue = ?, created_by = ? WHERE id = ?`,
			[]any{hostile("Contact Person"), hostile("801-555-0199"), hostile("PO-666"), hostile("Gate code") + "\n" + hostile("second line"),
				hostile("retail"), hostile("creator"), j.ID}},
		{`UPDATE jobs SET quote_json = json_set(quote_json, '$.warnings', json_array(?), '$.lines[0].basis', ?, '$.total', ?) WHERE id = ?`,
			[]any{hostile("Quote warning"), hostile("regular"), hostile("999.00"), j.ID}},
		{`UPDATE officers SET first_name = ?, badge = ?, phone = ?, email = ? WHERE id = ?`,
			[]any{hostile("Alyssa"), hostile("WV666"), hostile("801-555-0123"), hostile("a@x.example"), officerID}},
		{`UPDATE agencies SET name = ? WHERE id = ?`, []any{hostile("West Valley PD"), j.AgencyID}},
		{`UPDATE positions SET override_reason = ? WHERE job_id = ?`, []any{hostile("override"), j.ID}},
		{`INSERT INTO audit (at, actor, entity, entity_id, action, before, after, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{at, hostile("mallory"), hostile("job"), j.ID, hostile("Hostile action"), hostile("before value"), hostile("after value"), j.ID}},
		{`INSERT INTO media (job_id, sha256, name, size, type, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			[]any{j.ID, hostile("abc"), hostile("photo.jpg"), 2048, hostile("image/jpeg"), at, hostile("uploader")}},
		{`INSERT INTO job_notes (job_id, at, author, body) VALUES (?, ?, ?, ?)`,
			[]any{j.ID, at, hostile("noter"), hostile("Hostile note") + "\n" + hostile("more")}},
		{`INSERT INTO job_fees (job_id, at, kind, total, admin, officer, detail, actor) VALUES (?, ?, 'reduce', ?, ?, ?, '[]', ?)`,
			[]any{j.ID, at, hostile("12.00"), hostile("7.00"), hostile("5.00"), hostile("feeman")}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	raw, err := a.c.Store.Job(ctx, "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw.CustomerName, "\x1b]0;pwn") {
		t.Fatalf("the store cleaned on read (%q): this test would prove nothing", raw.CustomerName)
	}

	// Today, the Requests list and its detail.
	drain(a, a.today.load())
	assertNoControls(t, "Today", a.today.View(40), false, "Hostile Co", "Back Lot")
	a.Update(a.loadJobs())
	a.req.selectJob(j.ID)
	assertNoControls(t, "Requests", a.req.View(40), false, "Hostile Co", "Back Lot")
	a.req.detail = &raw
	assertNoControls(t, "Request detail", a.req.View(60), false, "Hostile Co", "Back Lot", "9 Evil Way", "Contact Person", "PO-666",
		"Gate code", "second line", "West Valley PD", "Quote warning", "Alyssa", "creator")
	a.req.detail = nil

	// The calendar's day agenda and week.
	y, m, d := j.Start.In(a.c.Loc).Date()
	a.cal.day = time.Date(y, m, d, 0, 0, 0, 0, a.c.Loc)
	a.cal.agendaOn = true
	a.cal.Update(a.cal.loadAgenda()())
	assertNoControls(t, "Calendar agenda", a.cal.View(40), false, "Hostile Co", "Back Lot")
	a.cal.agendaOn, a.cal.week = false, true
	a.cal.Update(a.cal.load()())
	assertNoControls(t, "Calendar week", a.cal.View(40), false, "Hostile")

	// The Job screen: details, positions, post orders, quote, notes, media, fees, audit.
	js := newJobScreen(a.c, j.ID)
	js.Update(js.load()())
	assertNoControls(t, "Job screen", js.View(200), false, "Hostile Co", "Back Lot", "9 Evil Way", "Contact Person", "West Valley PD",
		"Gate code", "Alyssa", "WV666", "Hostile note", "photo.jpg", "image/jpeg", "12.00", "feeman", "Hostile action", "before value",
		"after value", "mallory")

	// The Audit tab.
	a.aud.Update(a.aud.load()())
	assertNoControls(t, "Audit", a.aud.View(40), false, "Hostile action", "before value", "after value", "mallory")

	// The Officers tab, its details line and its edit form.
	a.offs.Update(a.offs.load()())
	for i, k := range a.offs.view {
		if a.offs.list[k].ID == officerID {
			a.offs.cursor = i
		}
	}
	assertNoControls(t, "Officers", a.offs.View(40), false, "Alyssa", "WV666", "a@x.example")
	a.offs.agency = 1
	for i, ag := range a.offs.agencies {
		if ag.ID == j.AgencyID {
			a.offs.agency = i + 1
		}
	}
	a.offs.apply()
	assertNoControls(t, "Officers by agency", a.offs.View(40), false, "West Valley PD")
	a.offs.agency = 0
	a.offs.apply()
	if o := a.offs.selected(); o != nil {
		a.offs.openForm(o)
		assertNoControls(t, "Officer form", a.offs.View(40), true, "Alyssa", "WV666")
		a.offs.form = nil
	}

	// The request form: editing the job, and a customer search.
	a.Update(a.loadAll())
	f := editForm(a.c, a.agencies, a.customers, raw)
	f.SetSize()
	assertNoControls(t, "Edit form", f.View(50), true, "Hostile Co", "Back Lot", "Contact Person", "PO-666", "Gate code", "West Valley PD")
	n := newForm(a.c, a.agencies, a.customers)
	n.SetSize()
	n.inputs[fCustomer].SetValue("Hostile")
	n.edited(fCustomer, "Hostile")
	if len(n.matches) == 0 {
		t.Fatal("the customer search finds no Hostile Co")
	}
	assertNoControls(t, "New request search", n.View(50), true, "Hostile Co")
	n.pick()
	if n.customerID != j.CustomerID {
		t.Errorf("picking the match chose customer %d, want %d", n.customerID, j.CustomerID)
	}
	n.edited(fCustomer, n.inputs[fCustomer].Value()) // the name as shown still names the account
	if n.customerID != j.CustomerID {
		t.Errorf("the cleaned name no longer names customer %d", j.CustomerID)
	}
}
