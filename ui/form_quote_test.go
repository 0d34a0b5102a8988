package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/pricing"
)

// go test ./ui/ -run TestFormQuoteGolden -update rewrites ui/testdata/*.golden.
func init() {
	if flag.Lookup("update") == nil { // another test file may define it too
		flag.Bool("update", false, "rewrite the golden files under ui/testdata")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with ui/testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// formBody is the form and its quote pane as drawn in h rows, without
// colour and without trailing blanks: the part of the screen this file owns.
func formBody(a *App, h int) string {
	lines := strings.Split(ansi.Strip(a.form.View(h)), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// fillRequest opens a new request for Valley Fair Mall (West Valley City PD,
// its only site) and types the date, start, end or hours, officers and
// vehicles.
func fillRequest(t *testing.T, a *App, date, start, end, officers, vehicles string) {
	t.Helper()
	press(a, "n", "Valley Fair", "tab")
	if a.form == nil || a.form.customerID == 0 {
		t.Fatal("customer not picked")
	}
	a.form.setFocus(fDate)
	press(a, date, "tab", start, "tab", end, "tab", officers, "tab", vehicles)
}

var sizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// paneText is the quote pane's text (right of the form's bar), its rows
// joined and its spaces collapsed, so a wrapped warning reads as one.
func paneText(s string) string {
	var rows []string
	for _, r := range strings.Split(s, "\n") {
		if _, q, ok := strings.Cut(r, " │ "); ok {
			rows = append(rows, q)
		}
	}
	return strings.Join(strings.Fields(strings.Join(rows, " ")), " ")
}

// assertWholeAmounts checks that every quote line shows its hours, rate and
// amount, whole and on one row, and that the total, officer pay and admin
// fee appear whole: never "12,312.…".
func assertWholeAmounts(t *testing.T, s string, q *pricing.Quote) {
	t.Helper()
	for _, row := range strings.Split(s, "\n") { // the form and its pane (the status line is not this file's)
		if strings.Contains(row, "│") && regexp.MustCompile(`[0-9,.:]…`).MatchString(row) {
			t.Errorf("a figure is cut: %q\n%s", row, s)
		}
	}
	for _, l := range q.Lines {
		re := regexp.MustCompile(`(^|[ │])` + regexp.QuoteMeta(pricing.FormatMinutes(l.Minutes)+" h") + ` +` +
			regexp.QuoteMeta(l.Rate.Total.StringFixed(2)) + ` +` + regexp.QuoteMeta(pricing.FormatMoney(l.Amount)) + `( |$)`)
		found := false
		for _, row := range strings.Split(s, "\n") {
			if re.MatchString(row) {
				found = true
			}
		}
		if !found {
			t.Errorf("line %d %s: %s h x %s = %s not shown whole on one row:\n%s", l.Count, l.Class,
				pricing.FormatMinutes(l.Minutes), l.Rate.Total.StringFixed(2), pricing.FormatMoney(l.Amount), s)
		}
	}
	for what, amount := range map[string]string{"Total": pricing.FormatMoney(q.Total), "officer pay": pricing.FormatMoney(q.OfficerPay),
		"admin": pricing.FormatMoney(q.AdminFee)} {
		re := regexp.MustCompile(regexp.QuoteMeta(what) + ` .*\b` + regexp.QuoteMeta(amount) + `( |$)`)
		ok := false
		for _, row := range strings.Split(s, "\n") {
			if re.MatchString(row) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s %s not shown whole:\n%s", what, amount, s)
		}
	}
}

// TestFormQuoteGolden: a 24-hour, 40-officer request with a vehicle over
// Christmas Eve and Christmas Day (holiday rate, a supervisor added, a
// 5-digit total) at 80x24, 120x40 and 200x60: every amount whole, to the
// cent, and the form and pane as in the golden files.
func TestFormQuoteGolden(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			a := newTestApp(t, size[0], size[1])
			fillRequest(t, a, "12/24", "6pm", "24", "40", "1")
			q := a.form.quote
			if q == nil {
				t.Fatalf("no quote: %v", a.form.errs)
			}
			// the figures themselves: 40 x 24 h x 85.50, 1 x 24 h x 85.50, 1 x 24 h x 1.14
			want := map[string]string{"officer": "82,080.00", "supervisor": "2,052.00", "vehicle": "27.36"}
			if len(q.Lines) != 3 {
				t.Fatalf("%d lines, want 3: %+v", len(q.Lines), q.Lines)
			}
			for _, l := range q.Lines {
				if got := pricing.FormatMoney(l.Amount); got != want[string(l.Class)] {
					t.Errorf("%s line = %s, want %s", l.Class, got, want[string(l.Class)])
				}
			}
			if got := pricing.FormatMoney(q.Total); got != "84,159.36" {
				t.Fatalf("total %s, want 84,159.36", got)
			}
			s := screen(a)
			assertFits(t, s, size[0], size[1])
			assertWholeAmounts(t, s, q)
			for _, w := range []string{"18:00-18:00 (+1 day), 24 h", "Thu 24 Dec 2026", "! 24 h shift, 18 h of it in one day",
				"(2 per position)", "holiday rate: Christmas Eve, 6 h", "holiday rate: Christmas Day, 18 h"} {
				if !strings.Contains(s, w) && !strings.Contains(paneText(s), w) {
					t.Errorf("%q missing:\n%s", w, s)
				}
			}
			golden(t, fmt.Sprintf("form_24h_40_officers_%dx%d.golden", size[0], size[1]), formBody(a, size[1]-5))
		})
	}
}

// TestFormQuoteNeverCutsFigures: the cut amounts, at every size.
func TestFormQuoteNeverCutsFigures(t *testing.T) {
	cases := []struct {
		name                                 string
		date, start, end, officers, vehicles string
		amounts                              []string
	}{
		// 47 h ahead of Thu 26 Nov 09:00: the emergency rate
		{"12 officers emergency 12 h", "11/28", "8am", "12", "12", "0", []string{"12,312.00", "1,026.00", "13,338.00"}},
		{"17 h with a vehicle", "12/8", "6am", "11pm", "1", "1", []string{"969.00", "19.38", "988.38"}},
		{"overnight 6:30 h", "12/8", "6pm", "0030", "2", "0", []string{"741.00"}},
	}
	for _, size := range append(sizes, [2]int{60, 30}) {
		a := newTestApp(t, size[0], size[1])
		press(a, "n", "Valley Fair", "tab")
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s %dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				a.form.setFocus(fDate) // each short field is replaced by what is typed
				press(a, c.date, "tab", c.start, "tab", c.end, "tab", c.officers, "tab", c.vehicles)
				if a.form.quote == nil {
					t.Fatalf("no quote: %v", a.form.errs)
				}
				s := screen(a)
				assertFits(t, s, size[0], size[1])
				if size[0] < 78 { // stacked: the form first, the pane below it may run off the screen
					return
				}
				assertWholeAmounts(t, s, a.form.quote)
				for _, amt := range c.amounts {
					if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(amt) + `(\s|$)`).MatchString(s) {
						t.Errorf("%s not whole:\n%s", amt, s)
					}
				}
			})
		}
	}
}

// TestRenderQuoteWidths: the pane alone, from 12 to 120 cells wide: no row
// wider than the pane, every amount whole on some row, the labels giving way.
func TestRenderQuoteWidths(t *testing.T) {
	a := newTestApp(t, 120, 40)
	fillRequest(t, a, "12/24", "6pm", "24", "40", "1")
	q := a.form.quote
	a.form.setFocus(fDate) // 4 officers 20:00-01:00 into Christmas Eve: regular and holiday officer lines
	press(a, "12/23", "tab", "8pm", "tab", "5", "tab", "4")
	q2 := a.form.quote
	if q == nil || q2 == nil || len(q2.Lines) < 2 {
		t.Fatalf("quotes missing: %v %v", q, q2)
	}
	st := NewStyles(true)
	for _, quote := range []*pricing.Quote{q, q2} {
		for w := 12; w <= 120; w++ {
			out := ansi.Strip(renderQuote(st, "West Valley City PD", quote, nil, nil, w, 0))
			rows := strings.Split(out, "\n")
			for i, r := range rows {
				if ansi.StringWidth(r) > w {
					t.Fatalf("w=%d: row %d is %d wide: %q", w, i, ansi.StringWidth(r), r)
				}
			}
			amounts := []string{pricing.FormatMoney(quote.Total)}
			for _, l := range quote.Lines {
				amounts = append(amounts, pricing.FormatMoney(l.Amount))
			}
			for _, amt := range amounts {
				if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(amt) + `(\s|$)`).MatchString(out) {
					t.Fatalf("w=%d: %s not whole:\n%s", w, amt, out)
				}
			}
			if strings.Contains(out, ".…") {
				t.Fatalf("w=%d: cut figure:\n%s", w, out)
			}
		}
	}
	// two officer lines at different rates keep what tells them apart
	out := ansi.Strip(renderQuote(st, "", q2, nil, nil, 36, 0))
	if !strings.Contains(out, "holiday") {
		t.Errorf("the holiday officer line lost its basis:\n%s", out)
	}
}

func TestShiftEcho(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, testLoc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ start, end, want string }{
		{"2026-12-08 18:00", "2026-12-08 22:00", "18:00-22:00, 4 h"},
		{"2026-12-08 18:00", "2026-12-09 00:30", "18:00-00:30 (+1 day), 6:30 h"},
		{"2026-12-08 18:00", "2026-12-09 00:00", "18:00-00:00 (midnight), 6 h"},
		{"2026-12-08 00:00", "2026-12-09 00:00", "00:00-00:00 (+1 day), 24 h"},
		{"2026-12-24 18:00", "2026-12-25 18:00", "18:00-18:00 (+1 day), 24 h"},
		{"2026-12-31 20:00", "2027-01-01 02:00", "20:00-02:00 (+1 day), 6 h"},
	}
	for _, c := range cases {
		s, e := d(c.start), d(c.end)
		if got := shiftEcho(s, e, int(e.Sub(s)/time.Minute)); got != c.want {
			t.Errorf("%s-%s: %q, want %q", c.start, c.end, got, c.want)
		}
	}
}

// TestFormEndEchoSaysNextDay: the echo beside End/hrs says the shift ends
// the next day, whole, at every size.
func TestFormEndEchoSaysNextDay(t *testing.T) {
	for _, size := range sizes {
		a := newTestApp(t, size[0], size[1])
		fillRequest(t, a, "12/8", "6pm", "0030", "2", "0")
		if got := a.form.echo[fEnd]; got != "18:00-00:30 (+1 day), 6:30 h" {
			t.Fatalf("echo %q", got)
		}
		if s := screen(a); !strings.Contains(s, "18:00-00:30 (+1 day), 6:30 h") {
			t.Errorf("%dx%d: the end echo is not whole on one row:\n%s", size[0], size[1], s)
		}
	}
}

// TestFormSeriesHeadline: a weekly series is headed by its total over every
// date, and its marks are explained.
func TestFormSeriesHeadline(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			a := newTestApp(t, size[0], size[1])
			fillRequest(t, a, "12/3", "6pm", "6", "2", "0") // Thursdays: 24 and 31 Dec are holidays
			a.form.setFocus(fRepeat)
			press(a, "8")
			f := a.form
			if len(f.weeks) != 8 {
				t.Fatalf("%d weeks", len(f.weeks))
			}
			grand := f.quote.Total.Sub(f.quote.Total)
			for _, wq := range f.weeks {
				grand = grand.Add(wq.quote.Total)
			}
			if got := pricing.FormatMoney(grand); got != "6,156.00" { // 6 x 684.00 + 2 x 1,026.00
				t.Fatalf("grand total %s", got)
			}
			s := screen(a)
			assertFits(t, s, size[0], size[1])
			// the headline comes first in the pane, before the first date's lines
			head := regexp.MustCompile(`Series total, 8 dates +6,156\.00`).FindStringIndex(s)
			first := strings.Index(s, "First date, Thu 03 Dec")
			if head == nil || first < 0 || head[0] > first {
				t.Fatalf("series headline missing or after the first date:\n%s", s)
			}
			if regexp.MustCompile(`(?m)│ Total +684\.00`).MatchString(s) {
				t.Errorf("the first date's total is still shown as the Total:\n%s", s)
			}
			for _, w := range []string{"Thu 24 Dec  ! holiday", "Thu 31 Dec  ! holiday", "! = a higher rate applies that date", "Date total"} {
				if !strings.Contains(s, w) {
					t.Errorf("%q missing:\n%s", w, s)
				}
			}
			// 52 weeks still fit: unmarked dates at the same total fold into runs
			press(a, "backspace", "52")
			s = screen(a)
			assertFits(t, s, size[0], size[1])
			if !strings.Contains(s, "Series total, 52 dates") || !strings.Contains(s, "! = a higher rate applies that date") {
				t.Errorf("52 weeks:\n%s", s)
			}
		})
	}
}

// TestFormSiteTabAsks: tab from an empty Site when the customer has several
// sites asks which instead of taking the first; an only site is taken and
// said so.
func TestFormSiteTabAsks(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "n", "Granite", "tab") // Granite School District: Hunter High, Granger High
	f := a.form
	if f == nil || f.customer() == nil || len(f.customer().Sites) != 2 {
		t.Fatalf("customer with two sites not picked")
	}
	f.setFocus(fSite)
	f.recompute()
	if f.matchSel != -1 || len(f.matches) != 2 {
		t.Fatalf("no site should be highlighted yet: sel %d, matches %v", f.matchSel, f.matches)
	}
	if !strings.Contains(screen(a), "2 sites: ↑/↓ to pick one") {
		t.Errorf("the choice is not shown:\n%s", screen(a))
	}
	press(a, "tab")
	if f.focus != fSite || f.siteID != 0 {
		t.Fatalf("tab took a site or moved on: focus %d site %d", f.focus, f.siteID)
	}
	if s := strings.Join(strings.Fields(screen(a)), " "); !strings.Contains(s, "which site?") {
		t.Errorf("tab did not ask:\n%s", screen(a))
	}
	press(a, "tab") // again: leaves it empty
	if f.focus == fSite || f.siteID != 0 || f.inputs[fSite].Value() != "" {
		t.Fatalf("second tab: focus %d site %d %q", f.focus, f.siteID, f.inputs[fSite].Value())
	}
	// back, ↓ highlights the first, tab takes it
	f.setFocus(fSite)
	a.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	want := f.customer().Sites[f.matches[0]]
	press(a, "tab")
	if f.siteID != want.ID || f.inputs[fSite].Value() != want.Name {
		t.Fatalf("↓ tab took %d %q, want %s", f.siteID, f.inputs[fSite].Value(), want.Name)
	}
	// ↑ from nothing highlights the last
	f.setFocus(fSite)
	press(a, "backspace")
	for f.inputs[fSite].Value() != "" {
		press(a, "backspace")
	}
	a.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	want = f.customer().Sites[f.matches[len(f.matches)-1]]
	press(a, "enter")
	if f.siteID != want.ID {
		t.Fatalf("↑ enter took %d, want %s", f.siteID, want.Name)
	}

	// Valley Fair Mall has one site: taken, and the form says so
	b := newTestApp(t, 80, 24)
	press(b, "n", "Valley Fair", "tab")
	if b.form.siteID == 0 || !strings.Contains(b.form.echo[fSite], "only site") {
		t.Fatalf("only site not taken or not said: %d %q", b.form.siteID, b.form.echo[fSite])
	}
	if !strings.Contains(screen(b), "only site") {
		t.Errorf("only site not shown:\n%s", screen(b))
	}
}

// TestFormTypingReplacesDefault: a field with a default (or a value) is
// replaced by typing, like a spreadsheet cell; an arrow key edits it instead.
func TestFormTypingReplacesDefault(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "n")
	a.form.setFocus(fOfficers)
	press(a, "40")
	if got := a.form.inputs[fOfficers].Value(); got != "40" {
		t.Fatalf("officers %q, want 40", got)
	}
	press(a, "tab", "2")
	if got := a.form.inputs[fVehicles].Value(); got != "2" {
		t.Fatalf("vehicles %q, want 2", got)
	}

	// the small forms (officer edit) do the same
	fields := []*field{textField("Weekly cap", "40", "hours", nil), textField("Badge", "WV2300", "", nil)}
	ff := newFieldForm("Edit", fields, func() tea.Cmd { return nil })
	key := func(k tea.KeyPressMsg) { ff.update(k) }
	typ := func(s string) {
		for _, r := range s {
			key(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	typ("32")
	if got := fields[0].value(); got != "32" {
		t.Fatalf("weekly cap %q, want 32", got)
	}
	key(tea.KeyPressMsg{Code: tea.KeyTab})
	key(tea.KeyPressMsg{Code: tea.KeyLeft})
	typ("X")
	if got := fields[1].value(); got != "WV230X0" {
		t.Fatalf("after ← the value is edited in place: %q", got)
	}
}

// TestFormQuoteWithoutColour: what colour says in the pane is also in its
// text, so NO_COLOR (or a monochrome terminal) reads the same.
func TestFormQuoteWithoutColour(t *testing.T) {
	a := newTestApp(t, 80, 24)
	fillRequest(t, a, "11/28", "6am", "11pm", "5", "0") // emergency, supervisor, 17 h
	a.form.setFocus(fVenue)
	for a.form.choiceLabel(fVenue, a.form.choice[fVenue]) != "alcohol" {
		press(a, "right")
	}
	s := screen(a)
	for _, w := range []string{"Total (not bookable)", "✗ REFUSED prohibited venue", "! 17 h shift: no officer may work more than 16 h",
		"! emergency rate", "+ supervisor added", "Refused: saves as a request"} {
		if !strings.Contains(paneText(s), w) && !strings.Contains(s, w) {
			t.Errorf("%q is not in the text:\n%s", w, screen(a))
		}
	}
}

// TestRenderSeriesWithAFailedDate: a date of a series that cannot be priced
// (a clock change gap) is listed with its reason, not counted in the total,
// and the series headline says how many are not bookable.
func TestRenderSeriesWithAFailedDate(t *testing.T) {
	a := newTestApp(t, 120, 40)
	fillRequest(t, a, "12/8", "6pm", "6", "2", "0")
	q := a.form.quote
	weeks := []weekQuote{{label: "Sun 08 Mar", err: "02:30 does not exist on Sun 08 Mar 2026"}, {label: "Tue 08 Dec", quote: q}, {label: "Tue 15 Dec", quote: q}}
	for _, w := range []int{36, 55} {
		out := ansi.Strip(renderQuote(NewStyles(false), "West Valley City PD", q, nil, weeks, w, 0))
		text := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{"Series total, 3 dates 1,368.00", "1 of 3 dates not bookable (✗)", "Sun 08 Mar ✗ 02:30 does not exist", "✗ = that date cannot be booked"} {
			if !strings.Contains(text, want) {
				t.Errorf("w=%d: %q missing:\n%s", w, want, out)
			}
		}
	}
}
