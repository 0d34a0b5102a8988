package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// openReports opens the Reports tab on the demo data at w x h, the report
// of the clock's month loaded.
func openReports(t *testing.T, w, h int) *App {
	t.Helper()
	a := newTestApp(t, w, h)
	if !containsTab(a.tabs, tabReports) {
		t.Fatalf("a supervisor has no Reports tab: %v", a.tabs)
	}
	a.tab = tabReports
	drain(a, a.rep.load())
	if a.rep.doc == nil {
		t.Fatalf("no report loaded: %s", a.rep.err)
	}
	return a
}

func containsTab(tabs []int, t int) bool {
	for _, x := range tabs {
		if x == t {
			return true
		}
	}
	return false
}

// TestReportsTab shows each report at 80x24 and 120x40: its name marked,
// the period, its totals, its chart and the head of its first list, the
// help line; nothing wider than the window.
func TestReportsTab(t *testing.T) {
	want := map[string][]string{
		"revenue":     {"Billed $", "Officer pay", "Admin fees", "Cancellation fees", "By agency"},
		"receivables": {"Unpaid $", "Overdue", "Unpaid by days past due", "over 90 days", "By account"},
		"fill":        {"Requested", "Filled", "Unfilled", "Approval to fully staffed", "By agency"},
		"fairness":    {"Officers", "Gini", "Earnings", "Officers by hours worked", "Officers, most hours first"},
		"compliance":  {"Overrides of a cap", "weekly cap", "Days over 16 h", "Rests under 8 h", "Findings"},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		a := openReports(t, size[0], size[1])
		for i, name := range store.ReportNames {
			drain(a, press(a, string(rune('1'+i))))
			if a.rep.doc == nil || a.rep.doc.Name != name {
				t.Fatalf("%dx%d: %d shows %v (%s)", size[0], size[1], i+1, a.rep.doc, a.rep.err)
			}
			s := screen(a)
			assertFits(t, s, size[0], size[1])
			head := "November 2026"
			if name == "receivables" {
				head = "as of Thu 26 Nov 2026"
			}
			for _, w := range append([]string{head, "all agencies", "1-5 report", "[ ] period", "x export"}, want[name]...) {
				if !strings.Contains(s, w) {
					t.Fatalf("%dx%d %s lacks %q:\n%s", size[0], size[1], name, w, s)
				}
			}
			if os.Getenv("REPORTS_SHOW") != "" {
				t.Logf("%dx%d %s:\n%s", size[0], size[1], name, s)
			}
		}
	}
}

// TestReportsKeys: ←/→ go round the reports, [ ] move by a month, p takes
// a range, a picks an agency, the list scrolls, ? shows the full help.
func TestReportsKeys(t *testing.T) {
	a := openReports(t, 80, 24)
	left := tea.KeyPressMsg{Code: tea.KeyLeft}
	_, cmd := a.Update(left)
	drain(a, cmd)
	if a.rep.doc.Name != "compliance" {
		t.Fatalf("← from revenue shows %s", a.rep.doc.Name)
	}
	drain(a, press(a, "right"))
	if a.rep.doc.Name != "revenue" {
		t.Fatalf("→ from compliance shows %s", a.rep.doc.Name)
	}
	drain(a, press(a, "["))
	if a.rep.from.Format("2006-01-02") != "2026-10-01" || a.rep.to.Format("2006-01-02") != "2026-11-01" || a.rep.doc.Period != "October 2026" {
		t.Fatalf("[ shows %s to %s (%s)", a.rep.from, a.rep.to, a.rep.doc.Period)
	}
	if !strings.Contains(screen(a), "October 2026") {
		t.Fatalf("no October:\n%s", screen(a))
	}
	drain(a, press(a, "]", "]"))
	if a.rep.doc.Period != "December 2026" {
		t.Fatalf("] ] shows %s", a.rep.doc.Period)
	}
	drain(a, press(a, "t"))
	if a.rep.doc.Period != "November 2026" {
		t.Fatalf("t shows %s", a.rep.doc.Period)
	}
	// A range typed: the quarter, then [ moves by its length.
	drain(a, press(a, "p"))
	if a.rep.prompt == nil {
		t.Fatal("p opened no prompt")
	}
	drain(a, press(a, "2026-09-01 to 2026-11-30"))
	if !strings.Contains(screen(a), "1 Sep - 30 Nov 2026") {
		t.Fatalf("the range is not echoed:\n%s", screen(a))
	}
	drain(a, press(a, "enter"))
	if a.rep.prompt != nil || a.rep.doc.Period != "1 Sep - 30 Nov 2026" {
		t.Fatalf("range: %v %q", a.rep.prompt != nil, a.rep.doc.Period)
	}
	if len(a.rep.doc.Charts) == 0 || a.rep.doc.Charts[0].Title != "Billed by month" || len(a.rep.doc.Charts[0].Bars) != 3 {
		t.Fatalf("a quarter's chart: %+v", a.rep.doc.Charts)
	}
	drain(a, press(a, "p", "nonsense", "enter"))
	if a.rep.prompt == nil || !strings.Contains(screen(a), "✗") {
		t.Fatalf("a bad range was taken:\n%s", screen(a))
	}
	drain(a, press(a, "esc"))
	// a: one agency, then the other, then all again.
	drain(a, press(a, "a"))
	if a.rep.agency == "" || !strings.Contains(screen(a), a.rep.agency) {
		t.Fatalf("a: agency %q\n%s", a.rep.agency, screen(a))
	}
	r := a.rep.data.(store.RevenueReport)
	if r.Scope.Agency == nil || r.Scope.Agency.Slug != a.rep.agency {
		t.Fatalf("the report is not the agency's: %+v", r.Scope.Agency)
	}
	drain(a, press(a, "a", "a"))
	if a.rep.agency != "" {
		t.Fatalf("a a a: %q", a.rep.agency)
	}
	// The lists scroll; G goes to the end, g to the top.
	before := screen(a)
	drain(a, press(a, "G"))
	if screen(a) == before || a.rep.scroll == 0 {
		t.Fatalf("G did not scroll:\n%s", screen(a))
	}
	drain(a, press(a, "g"))
	if a.rep.scroll != 0 {
		t.Fatalf("g: scroll %d", a.rep.scroll)
	}
	// ? shows the full help, with the keys of this tab.
	drain(a, press(a, "?"))
	s := screen(a)
	for _, w := range []string{"this month", "range", "agency", "chart", "reload", "export"} {
		if !strings.Contains(s, w) {
			t.Fatalf("full help lacks %q:\n%s", w, s)
		}
	}
	assertFits(t, s, 80, 24)
}

// TestReportsExport: x asks for a file and writes the PDF or the CSV; over
// SSH it shows the commands that bring them to the user's machine instead.
func TestReportsExport(t *testing.T) {
	a := openReports(t, 120, 40)
	drain(a, press(a, "2")) // receivables
	dir := t.TempDir()
	for _, name := range []string{"r.pdf", "r.csv"} {
		drain(a, press(a, "x"))
		if a.rep.prompt == nil {
			t.Fatal("x opened no prompt")
		}
		if v := a.rep.prompt.input.Value(); v != "receivables-2026-11-26.pdf" {
			t.Fatalf("default file %q", v)
		}
		drain(a, press(a, filepath.Join(dir, name), "enter"))
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v (%s)", name, err, a.msg)
		}
		if strings.HasSuffix(name, ".pdf") && !strings.HasPrefix(string(b), "%PDF-") {
			t.Fatalf("%s is not a PDF", name)
		}
		if strings.HasSuffix(name, ".csv") && !strings.HasPrefix(string(b), "section,as_of,account_id") {
			t.Fatalf("%s: %.80s", name, b)
		}
		if !strings.Contains(a.msg, "Exported the receivables report") {
			t.Fatalf("message %q", a.msg)
		}
	}

	a = openReports(t, 80, 24)
	a.c.Remote, a.c.PublicAddress = true, "office.example:2222"
	drain(a, press(a, "x"))
	if a.hint == nil || a.rep.prompt != nil {
		t.Fatal("x over SSH opened no hint")
	}
	s := screen(a)
	for _, w := range []string{"ssh -p 2222 office.example report revenue --from 2026-11-01 --to 2026-12-01 --format pdf > revenue-2026-11.pdf",
		"--csv > revenue-2026-11.csv"} {
		if !strings.Contains(strings.Join(strings.Fields(s), " "), w) {
			t.Fatalf("hint lacks %q:\n%s", w, s)
		}
	}
}

// Only supervisors have the tab; the store refuses the others anyway.
func TestReportsTabIsASupervisors(t *testing.T) {
	for _, role := range []string{store.RoleOperator, store.RoleDispatcher, store.RoleCustomer} {
		if containsTab(tabsFor(role), tabReports) {
			t.Errorf("a %s has the Reports tab", role)
		}
	}
	if !containsTab(tabsFor(store.RoleSupervisor), tabReports) || !containsTab(tabsFor(""), tabReports) {
		t.Error("a supervisor has no Reports tab")
	}
}

// parsePeriod reads months, years and ranges, the last day included.
func TestParsePeriod(t *testing.T) {
	today := Date{2026, time.November, 26}
	for in, want := range map[string]string{
		"2026-10":                  "2026-10-01 2026-11-01",
		"oct 2026":                 "2026-10-01 2026-11-01",
		"2025":                     "2025-01-01 2026-01-01",
		"dec":                      "2025-12-01 2026-01-01",
		"2026-10-01 to 2026-12-31": "2026-10-01 2027-01-01",
		"10/1..10/15":              "2026-10-01 2026-10-16",
		"2026-11-03":               "2026-11-03 2026-11-04",
	} {
		from, to, err := parsePeriod(in, today)
		if got := from.Format("2006-01-02") + " " + to.Format("2006-01-02"); err != nil || got != want {
			t.Errorf("parsePeriod(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-12-31 to 2026-01-01", "someday", "1990"} {
		if _, _, err := parsePeriod(in, today); err == nil {
			t.Errorf("parsePeriod(%q) took it", in)
		}
	}
}
