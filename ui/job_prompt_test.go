package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// promptValue is what an open prompt holds.
func promptValue(t *testing.T, p *prompt) string {
	t.Helper()
	if p == nil {
		t.Fatal("no prompt open")
	}
	return p.input.Value()
}

// A default in a prompt yields to typing, like a spreadsheet cell: the
// first character replaces it; arrows and backspace edit it instead; enter
// takes it as it is.
func TestPromptTypingReplacesDefault(t *testing.T) {
	a := newTestApp(t, 80, 24)
	j := newStaffedJob(t, a.c.Store, "Valley Fair Mall", testNow.Add(time.Hour), 4, 3, 2)
	openJobScreen(t, a, j.ID)

	// Check-in: the default is now (09:00), shown selected.
	drain(a, press(a, "i"))
	if v := promptValue(t, a.job.prompt); v != "09:00" {
		t.Fatalf("check-in default %q, want 09:00", v)
	}
	if s := screen(a); !strings.Contains(s, "09:00  type to replace") {
		t.Fatalf("the default is not shown as replaceable:\n%s", s)
	}
	press(a, "11:55")
	if v := promptValue(t, a.job.prompt); v != "11:55" {
		t.Fatalf("typing 11:55 over the check-in default gave %q", v)
	}
	if s := screen(a); strings.Contains(s, "09:0011:55") || !strings.Contains(s, "Thu 26 Nov 11:55") {
		t.Fatalf("check-in prompt after typing:\n%s", s)
	}
	press(a, "esc")
	// backspace edits the default rather than replacing it
	drain(a, press(a, "i", "backspace", "5"))
	if v := promptValue(t, a.job.prompt); v != "09:05" {
		t.Fatalf("backspace then 5 on the default gave %q, want 09:05", v)
	}
	press(a, "esc")

	// Reduce: the default count is 1; typing 2 asks for 2, not 12.
	drain(a, press(a, "r"))
	if v := promptValue(t, a.job.prompt); v != "1" {
		t.Fatalf("reduce default %q", v)
	}
	press(a, "2")
	if v := promptValue(t, a.job.prompt); v != "2" {
		t.Fatalf("typing 2 over the reduce default gave %q", v)
	}
	if s := screen(a); !strings.Contains(s, "3 -> 1 officers") {
		t.Fatalf("reduce echo:\n%s", s)
	}
	press(a, "esc", "esc")

	// Export: the default file name gives way to a typed path.
	a.job = nil
	a.tab = tabInvoices
	drain(a, a.inv.load())
	drain(a, press(a, "x"))
	def := promptValue(t, a.inv.prompt)
	if def == "" {
		t.Fatal("the export prompt has no default")
	}
	out := filepath.Join(t.TempDir(), "march.csv")
	press(a, out)
	if v := promptValue(t, a.inv.prompt); v != out {
		t.Fatalf("typing a path over the export default %q gave %q", def, v)
	}
	if s := screen(a); !strings.Contains(s, "CSV →") {
		t.Fatalf("export echo:\n%s", s)
	}
	press(a, "esc")
	// an arrow edits the default: what is typed next goes into it
	a.tab = tabPayroll
	drain(a, a.pay.load())
	drain(a, press(a, "x"))
	def = promptValue(t, a.pay.prompt)
	press(a, "right", "x")
	if v := promptValue(t, a.pay.prompt); v != def+"x" {
		t.Fatalf("an arrow then x on the payroll default %q gave %q, want it edited", def, v)
	}
}
