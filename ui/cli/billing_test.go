package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/store"
	"offduty/store/storetest"
)

type invoiceOut struct {
	ID       *int64  `json:"id"`
	Number   *string `json:"number"`
	Name     *string `json:"name"`
	State    string  `json:"state"`
	Account  string  `json:"account"`
	Period   string  `json:"period_start"`
	PeriodTo string  `json:"period_end"`
	DueOn    *string `json:"due_on"`
	Total    string  `json:"total"`
	Lines    *[]struct {
		Kind   string `json:"kind"`
		Amount string `json:"amount"`
	} `json:"lines"`
}

func invoicesJSON(t *testing.T, r result) []invoiceOut {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out []invoiceOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.stdout)
	}
	for _, inv := range out {
		if inv.Lines == nil {
			continue // invoices list leaves them out
		}
		sum := decimal.Zero
		for _, l := range *inv.Lines {
			sum = sum.Add(decimal.RequireFromString(l.Amount))
		}
		if !sum.Equal(decimal.RequireFromString(inv.Total)) || len(*inv.Lines) == 0 {
			t.Errorf("%s: %d lines add up to %s, total %s", inv.Account, len(*inv.Lines), sum, inv.Total)
		}
	}
	return out
}

func drafts(t *testing.T, env map[string]string) int {
	t.Helper()
	n := 0
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		list, err := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceDraft})
		if err != nil {
			t.Fatal(err)
		}
		n = len(list)
	})
	return n
}

// The billing commands on both engines: a SQLite file, and PostgreSQL
// when OFFDUTY_TEST_PG names a server (skipped otherwise).
func TestInvoicesCommands(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testInvoicesCommands(t, demoEnv(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { testInvoicesCommands(t, demoEnvPostgres(t)) })
}

func TestPayrollCommands(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testPayrollCommands(t, demoEnv(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { testPayrollCommands(t, demoEnvPostgres(t)) })
}

// demoEnvPostgres is demoEnv on a new PostgreSQL database.
func demoEnvPostgres(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"OFFDUTY_DB": storetest.NewPostgres(t), "OFFDUTY_NOW": "2026-11-26 09:00"}
	if r := runWith(env, "agencies"); r.code != 0 {
		t.Fatalf("creating the demo database: exit %d: %s", r.code, r.stderr)
	}
	return env
}

func testInvoicesCommands(t *testing.T, env map[string]string) {
	dir := t.TempDir()
	before := drafts(t, env)

	// A preview writes nothing.
	preview := invoicesJSON(t, runWith(env, "invoices", "generate", "--period", "2026-11-23", "--json"))
	if len(preview) == 0 {
		t.Fatal("nothing to bill in the demo's current periods")
	}
	for _, inv := range preview {
		if inv.ID != nil || inv.Number != nil || inv.State != store.InvoiceDraft {
			t.Errorf("preview %+v", inv)
		}
	}
	if n := drafts(t, env); n != before {
		t.Fatalf("a preview saved %d drafts", n-before)
	}
	if r := runWith(env, "invoices", "generate", "--period", "2026-11-23"); r.code != 0 || !strings.Contains(r.stdout, "previewed (nothing saved") {
		t.Errorf("text preview: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// One account, saved, then issued by number.
	one := invoicesJSON(t, runWith(env, "invoices", "generate", "--period", "2026-11-23", "--account", "1", "--save", "--json"))
	if len(one) != 1 || one[0].ID == nil || *one[0].Name != "#"+itoa(*one[0].ID) || one[0].Account != "Valley Fair Mall" {
		t.Fatalf("saved %+v", one)
	}
	if again := runWith(env, "invoices", "generate", "--period", "2026-11-23", "--account", "1", "--json"); again.code != 0 || strings.TrimSpace(again.stdout) != "[]" {
		t.Errorf("billed twice: %s", again.stdout)
	}
	if r := runWith(env, "invoice", "issue", *one[0].Name, "--on", "2026-11-27"); r.code != 1 || !strings.Contains(r.stderr, "is in the future") {
		t.Errorf("issued tomorrow: exit %d %s", r.code, r.stderr)
	}
	r := runWith(env, "invoice", "issue", *one[0].Name, "--on", "2026-11-26")
	m := regexp.MustCompile(`Issued (2026-\d{6}) to Valley Fair Mall on 2026-11-26: .*, due 2026-12-26 \(net 30 days\)`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("issue: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	number := m[1]

	// Exports: a PDF with the number and the total; a CSV that adds up.
	pdfPath, csvPath := filepath.Join(dir, "inv.pdf"), filepath.Join(dir, "inv.csv")
	if r := runWith(env, "invoice", "export", number, "--format", "pdf", "-o", pdfPath); r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "wrote invoice "+number) {
		t.Fatalf("export pdf: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	doc, err := os.ReadFile(pdfPath)
	if err != nil || !strings.HasPrefix(string(doc), "%PDF-") {
		t.Fatalf("PDF: %v %q", err, doc[:min(len(doc), 8)])
	}
	if r := runWith(env, "invoice", "export", number, "-o", csvPath); r.code != 0 {
		t.Fatalf("export csv: exit %d %s", r.code, r.stderr)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, row := range rows[1:] {
		if row[0] != number {
			t.Errorf("row of %s in %s's CSV", row[0], number)
		}
		sum = sum.Add(decimal.RequireFromString(row[15]))
	}
	if len(rows)-1 != len(*one[0].Lines) || !sum.Equal(decimal.RequireFromString(one[0].Total)) {
		t.Errorf("CSV: %d rows adding up to %s; the invoice has %d lines, %s", len(rows)-1, sum, len(*one[0].Lines), one[0].Total)
	}
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command(tool, "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		total := "$" + formatThousands(one[0].Total)
		for _, want := range []string{"No. " + number, "Valley Fair Mall", "off-duty management office", total, "Dec 26, 2026 (net 30 days)"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the exported PDF has no %q:\n%s", want, out)
			}
		}
	} else {
		t.Log("pdftotext is not installed: the PDF's text is not checked here (ui/export checks it where it is)")
	}

	// Payment, void, and the refusals.
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"invoice", "show", number}, 0, number + "  Valley Fair Mall"},
		{[]string{"invoice", "paid", number, "--on", "2026-11-20"}, 1, ""},                      // before it was issued
		{[]string{"invoice", "issue", number}, 2, ""},                                           // not a draft
		{[]string{"invoice", "void", number}, 1, ""},                                            // no reason
		{[]string{"invoice", "paid", number, "--on", "2026-12-01", "--ref", "CHK 1001"}, 1, ""}, // in the future
		{[]string{"invoice", "paid", number, "--on", "2099-01-01"}, 1, ""},
		{[]string{"invoice", "paid", number, "--on", "2026-11-26", "--ref", "CHK 1001"}, 0, "Recorded the payment of " + number},
		{[]string{"invoice", "void", number, "--reason", "too late"}, 2, ""}, // paid
		{[]string{"invoice", "show", "2026-999999"}, 1, ""},
		{[]string{"invoice", "show", "12"}, 1, ""},
		{[]string{"invoice", "export", number, "--format", "docx", "-o", filepath.Join(dir, "x")}, 1, ""},
		{[]string{"invoice", "export", number, "--format", "pdf"}, 0, "%PDF-1."}, // stdout is not a terminal: the PDF goes there
		{[]string{"invoice", "export", number, "-o", filepath.Join(dir, "no", "x.pdf")}, 1, ""},
		{[]string{"invoice"}, 1, ""},
		{[]string{"invoice", "refund", number}, 1, ""},
		{[]string{"invoices", "generate"}, 0, "previewed (nothing saved"}, // today by default: what has ended
		{[]string{"invoices", "generate", "--period", "2400-01-01"}, 1, ""},
		{[]string{"invoices", "generate", "--period", "1999-12-31", "--issue"}, 1, ""},
		{[]string{"invoices", "generate", "--issue", "--on", "2026-11-27"}, 1, ""}, // issued in the future
		{[]string{"invoices", "generate", "--period", "26-11-01"}, 1, ""},
		{[]string{"invoices", "generate", "--period", "2026-11-01", "--account", "999"}, 1, ""},
		{[]string{"invoices", "generate", "--period", "2026-11-01", "--on", "2026-11-02"}, 1, ""}, // --on needs --issue
		{[]string{"invoices", "list", "--state", "late"}, 1, ""},
		{[]string{"invoices", "list", "--state", "paid"}, 0, number},
	} {
		r := runWith(env, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout, c.out) || (c.code != 0 && (r.stdout != "" || r.stderr == "")) {
			t.Errorf("%v: exit %d (want %d)\nstdout %q\nstderr %q", c.args, r.code, c.code, r.stdout, r.stderr)
		}
	}
	if n := len(invoicesJSON(t, runWith(env, "invoices", "list", "--state", "overdue", "--json"))); n == 0 {
		t.Error("the demo has no overdue invoice")
	}
	// A dispatcher signed in over SSH may not bill (the commands themselves
	// act as the local operator, who may).
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		if _, err := s.CreateUser(ctx, "admin", "dana", store.RoleDispatcher, 0, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GenerateInvoices(ctx, store.SSHActor("dana"), mustDate(t, "2026-11-23"), 0, true); store.ErrorCode(err) != store.EForbidden {
			t.Errorf("a dispatcher saved invoices: %v", err)
		}
	})
}

func testPayrollCommands(t *testing.T, env map[string]string) {
	path := filepath.Join(t.TempDir(), "pay.csv")
	r := runWith(env, "payroll", "export", "--period", "2026-11-10", "--format", "csv", "-o", path, "--lock")
	if r.code != 0 || !strings.Contains(r.stderr, "wrote pay period 2026-11-09 to 2026-11-22 (locked)") {
		t.Fatalf("export --lock: exit %d %s", r.code, r.stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	sum := decimal.Zero
	for _, row := range rows[1:] {
		sum = sum.Add(decimal.RequireFromString(row[len(row)-1]))
	}
	var shown struct {
		Locked bool   `json:"locked"`
		Total  string `json:"total"`
		Start  string `json:"period_start"`
	}
	show := runWith(env, "payroll", "show", "--period", "2026-11-22", "--json")
	if err := json.Unmarshal([]byte(show.stdout), &shown); err != nil || !shown.Locked || shown.Start != "2026-11-09" ||
		!decimal.RequireFromString(shown.Total).Equal(sum) {
		t.Errorf("show: %+v (%v); the CSV adds up to %s", shown, err, sum)
	}
	if r := runWith(env, "payroll", "export", "--period", "2026-11-10", "-o", path, "--lock"); r.code != 2 {
		t.Errorf("locked twice: exit %d %s", r.code, r.stderr)
	}
	// Without -o, the same CSV on stdout.
	again := runWith(env, "payroll", "export", "--period", "2026-11-10")
	if b, _ := os.ReadFile(path); again.code != 0 || again.stdout != string(b) {
		t.Errorf("stdout export differs from the locked file (exit %d)", again.code)
	}
	if r := runWith(env, "payroll", "show"); r.code != 0 || !strings.Contains(r.stdout, "Pay period 2026-11-23 to 2026-12-06 (open)") {
		t.Errorf("show (the clock's period): exit %d\n%s", r.code, r.stdout)
	}
	for _, args := range [][]string{
		{"payroll"}, {"payroll", "pay"}, {"payroll", "export", "--format", "pdf"}, {"payroll", "show", "--period", "next week"},
	} {
		if r := runWith(env, args...); r.code != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d stdout %q", args, r.code, r.stdout)
		}
	}
}

func TestBillingHelp(t *testing.T) {
	env := testEnv(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"invoices", "--help"}, []string{"generate", "list"}},
		{[]string{"invoices", "generate", "--help"}, []string{"--period", "--account", "--save", "--issue", "--on", "--json"}},
		{[]string{"invoices", "list", "--help"}, []string{"--account", "--state", "--json"}},
		{[]string{"invoice", "--help"}, []string{"show", "export", "issue", "paid", "void"}},
		{[]string{"invoice", "show", "--help"}, []string{"--json"}},
		{[]string{"invoice", "export", "--help"}, []string{"--format", "-o --output"}},
		{[]string{"payroll", "--help"}, []string{"show", "export"}},
		{[]string{"payroll", "show", "--help"}, []string{"--period", "--json"}},
		{[]string{"payroll", "export", "--help"}, []string{"--lock", "-o --output", "--format", "--period"}},
	} {
		r := runWith(env, c.args...)
		if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "USAGE") != 1 {
			t.Errorf("%v: exit %d stderr %q", c.args, r.code, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v does not mention %s:\n%s", c.args, w, r.stdout)
			}
		}
	}
	top := runWith(env, "--help").stdout
	for _, cmd := range []string{"invoices", "invoice", "payroll"} {
		if !strings.Contains(top, "  "+cmd+" ") {
			t.Errorf("top-level help does not list %s", cmd)
		}
	}
	if _, err := os.Stat(env["OFFDUTY_DB"]); !os.IsNotExist(err) {
		t.Errorf("help created the database (%v)", err)
	}
}

func itoa(n int64) string { return decimal.NewFromInt(n).String() }

func formatThousands(s string) string {
	i, f, _ := strings.Cut(s, ".")
	var b strings.Builder
	for k, c := range i {
		if k > 0 && (len(i)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + f
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
