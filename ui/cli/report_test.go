package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"offduty/store"
)

// TestReportCommand runs each report on the demo database: text by default,
// --json, --csv and a PDF, the same figures in each; the flags' mistakes
// are exit 1 with a message.
func TestReportCommand(t *testing.T) {
	env := demoEnv(t)
	for _, name := range store.ReportNames {
		r := runWith(env, "report", name)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("report %s: exit %d: %s", name, r.code, r.stderr)
		}
		title := strings.ToUpper(name[:1]) + name[1:]
		if !strings.HasPrefix(r.stdout, title+" · ") || !strings.Contains(r.stdout, "all agencies") {
			t.Errorf("report %s:\n%s", name, shorten(r.stdout, 400))
		}
	}

	// Revenue over three months: the JSON adds up, the text says the same.
	args := []string{"report", "revenue", "--from", "2026-09-01", "--to", "2026-12-01"}
	r := runWith(env, append(args, "--json")...)
	if r.code != 0 {
		t.Fatalf("--json: exit %d: %s", r.code, r.stderr)
	}
	var rev struct {
		From, To string
		LastDay  string `json:"last_day"`
		Period   string
		Total    struct{ Billed string }
		Agencies []struct{ Agency, Billed string }
		Months   []struct{ Month, Billed string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rev); err != nil {
		t.Fatalf("--json: %v\n%s", err, shorten(r.stdout, 300))
	}
	if rev.Period != "1 Sep - 30 Nov 2026" || rev.LastDay != "2026-11-30" || len(rev.Months) != 3 || len(rev.Agencies) != 2 {
		t.Errorf("revenue JSON: %+v", rev)
	}
	sum := decimal.Zero
	for _, m := range rev.Months {
		sum = sum.Add(decimal.RequireFromString(m.Billed))
	}
	if total := decimal.RequireFromString(rev.Total.Billed); !sum.Equal(total) || total.IsZero() {
		t.Errorf("months bill %s, total %s", sum, total)
	}
	text := runWith(env, args...)
	if !strings.Contains(text.stdout, "Billed") || !strings.Contains(text.stdout, formatThousands(rev.Total.Billed)) {
		t.Errorf("text lacks the total %s:\n%s", rev.Total.Billed, shorten(text.stdout, 600))
	}

	// --csv: a header, then rows as wide as it, money as plain numbers.
	r = runWith(env, append(args, "--csv")...)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.code != 0 || err != nil || len(rows) < 3 || rows[0][0] != "section" {
		t.Fatalf("--csv: exit %d, %v:\n%s", r.code, err, shorten(r.stdout, 300))
	}
	last := rows[len(rows)-1]
	if last[0] != "total" || last[6] != rev.Total.Billed {
		t.Errorf("CSV total row %v, billed %s", last, rev.Total.Billed)
	}

	// A PDF: to stdout (not a terminal here), or a file (-o, by its extension).
	r = runWith(env, append(args, "--format", "pdf")...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "%PDF-") {
		t.Fatalf("--format pdf: exit %d: %s", r.code, r.stderr)
	}
	file := filepath.Join(t.TempDir(), "revenue.pdf")
	r = runWith(env, append(args, "-o", file)...)
	b, err := os.ReadFile(file)
	if r.code != 0 || err != nil || !strings.HasPrefix(string(b), "%PDF-") || !strings.Contains(r.stderr, "wrote the revenue report (1 Sep - 30 Nov 2026") {
		t.Fatalf("-o %s: exit %d, %v: %s", file, r.code, err, r.stderr)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, %v (pay figures: owner only)", file, st.Mode().Perm(), err)
	}

	// Receivables as of a day, by agency.
	r = runWith(env, "report", "receivables", "--as-of", "2026-11-20", "--agency", "west-valley-city", "--json")
	var rec struct {
		AsOf    string `json:"as_of"`
		Agency  string
		Total   string
		Buckets []struct{ Amount string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rec); r.code != 0 || err != nil {
		t.Fatalf("receivables: exit %d, %v: %s", r.code, err, r.stderr)
	}
	bsum := decimal.Zero
	for _, b := range rec.Buckets {
		bsum = bsum.Add(decimal.RequireFromString(b.Amount))
	}
	if rec.AsOf != "2026-11-20" || rec.Agency != "west-valley-city" || !bsum.Equal(decimal.RequireFromString(rec.Total)) {
		t.Errorf("receivables: %+v (buckets %s)", rec, bsum)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "want one report NAME"},
		{[]string{"report", "profit"}, `unknown report "profit"`},
		{[]string{"report", "fill", "--from", "2026-13-01"}, "--from: want a date YYYY-MM-DD"},
		{[]string{"report", "fill", "--from", "2026-12-01", "--to", "2026-11-01"}, "--to is the day after the last"},
		{[]string{"report", "fill", "--agency", "salt-lake"}, `unknown agency "salt-lake"`},
		{[]string{"report", "fill", "--as-of", "2026-11-01"}, "--as-of goes with the receivables report"},
		{[]string{"report", "fill", "--json", "--csv"}, "choose one"},
		{[]string{"report", "fill", "--format", "xlsx"}, `unknown format "xlsx"`},
		{[]string{"report", "fill", "--from", "1999-01-01", "--to", "1999-02-01"}, "dates run from 2000"},
	} {
		r := runWith(env, c.args...)
		if r.code != ExitInvalid || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 1 and %q", c.args, r.code, r.stderr, shorten(r.stdout, 80), c.want)
		}
	}
}

// Over SSH: a supervisor gets each report, the PDF on stdout; -o is
// refused; a dispatcher is refused every report (exit 2).
func TestReportRemote(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	sup := rs.user("sam", store.RoleSupervisor, 0)
	dis := rs.user("dana", store.RoleDispatcher, 0)
	r := rs.ssh(sup, "report", "fill", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "pdf")
	expectRemote(t, "report fill pdf", r, 0)
	if !strings.HasPrefix(r.stdout, "%PDF-") {
		t.Errorf("no PDF on stdout: %q", shorten(r.stdout, 60))
	}
	r = rs.ssh(sup, "report", "compliance", "--csv")
	expectRemote(t, "report compliance --csv", r, 0)
	if !strings.HasPrefix(r.stdout, "section,shift_start,officer") {
		t.Errorf("compliance CSV: %q", shorten(r.stdout, 80))
	}
	r = rs.ssh(sup, "report", "revenue", "-o", filepath.Join(t.TempDir(), "x.pdf"))
	expectRemote(t, "report -o", r, ExitRefused, "-o is not available over SSH")
	for _, name := range store.ReportNames {
		r := rs.ssh(dis, "report", name)
		expectRemote(t, "a dispatcher's report "+name, r, ExitRefused, "needs a supervisor")
		if r.stdout != "" {
			t.Errorf("a dispatcher got %s: %q", name, shorten(r.stdout, 80))
		}
	}
}
