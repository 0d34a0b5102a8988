package cli

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"offduty/store"
)

// TestOfficeCommands: office show (the defaults at first), office set some
// details (the others kept; lines with |), show --json, bad values refused
// with the detail named and nothing saved, each change audited with before
// and after.
func TestOfficeCommands(t *testing.T) {
	env := testEnv(t)
	expect(t, "show defaults", runWith(env, "office", "show", "--demo=false"), 0, "name", "offduty", "tagline", "off-duty management office",
		"West Valley City, Utah", "remittance", "(none)", "These are the defaults")
	r := runWith(env, "office", "set", "--name", "West Valley Off-Duty Office", "--address", "3600 S Constitution Blvd | West Valley City, UT 84119",
		"--phone", "801-555-0100", "--remittance", "Make checks payable to West Valley City\nACH: routing 124000054, account 000123456789")
	expect(t, "set", r, 0, "name: offduty -> West Valley Off-Duty Office",
		"address: West Valley City, Utah -> 3600 S Constitution Blvd | West Valley City, UT 84119", "phone: (none) -> 801-555-0100",
		"remittance: (none) -> Make checks payable to West Valley City | ACH: routing 124000054, account 000123456789")
	expect(t, "set again", runWith(env, "office", "set", "--phone", "801-555-0100"), 0, "phone is already 801-555-0100", "Nothing changed.")
	expect(t, "clear", runWith(env, "office", "set", "--email", "none", "--website", "wvc-offduty.example"), 0,
		"email: billing@offduty.example -> (none)", "website: (none) -> wvc-offduty.example")

	r = runWith(env, "office", "show")
	expect(t, "show", r, 0, "West Valley Off-Duty Office", "3600 S Constitution Blvd", "West Valley City, UT 84119", "ACH: routing 124000054")
	if strings.Contains(r.stdout, "defaults") {
		t.Errorf("a named office is called the defaults:\n%s", r.stdout)
	}
	r = runWith(env, "office", "show", "--json")
	var got struct {
		Name       string   `json:"name"`
		Tagline    string   `json:"tagline"`
		Address    []string `json:"address"`
		Phone      string   `json:"phone"`
		Email      string   `json:"email"`
		Website    string   `json:"website"`
		Remittance []string `json:"remittance"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if got.Name != "West Valley Off-Duty Office" || got.Tagline != "off-duty management office" || len(got.Address) != 2 || got.Address[1] != "West Valley City, UT 84119" ||
		got.Phone != "801-555-0100" || got.Email != "" || got.Website != "wvc-offduty.example" || len(got.Remittance) != 2 {
		t.Errorf("--json: %+v", got)
	}

	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--name", ""}, []string{"office set: office name: required"}},
		{[]string{"--phone", "call us"}, []string{"office phone: want a phone number"}},
		{[]string{"--email", "billing at wvc"}, []string{"office email:", "not an e-mail address"}},
		{[]string{"--website", "not a site"}, []string{"office website: want a web address"}},
		{[]string{"--address", "1 | 2 | 3 | 4 | 5 | 6"}, []string{"office address: at most 5 lines (got 6)"}},
		{[]string{"--tagline", "the \x1b[31mred\x1b[0m office"}, []string{"office tagline: no control characters"}},
		{[]string{"--tagline", "two\nlines"}, []string{"office tagline: one line"}},
		{[]string{"--phone", "801-555-0199", "--email", "nope"}, []string{"office email:"}}, // all or nothing
		{nil, []string{"give at least one of --name, --tagline, --address"}},
		{[]string{"extra"}, []string{"office set"}},
	} {
		expect(t, "set "+strings.Join(c.args, " "), runWith(env, append([]string{"office", "set"}, c.args...)...), ExitInvalid, c.want...)
	}
	r = runWith(env, "office", "show", "--json")
	json.Unmarshal([]byte(r.stdout), &got)
	if got.Name != "West Valley Off-Duty Office" || got.Phone != "801-555-0100" {
		t.Errorf("a refused change was saved: %+v", got)
	}

	withStore(t, env, func(ctx context.Context, s *store.Store) {
		audit, err := s.Audit(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		changes := map[string][2]string{}
		n := 0
		for _, a := range audit {
			if a.Entity == "office" {
				n++
				if _, seen := changes[a.Action]; !seen { // newest first
					changes[a.Action] = [2]string{a.Before, a.After}
				}
			}
		}
		if n != 6 {
			t.Errorf("%d office changes audited, want 6", n)
		}
		for k, w := range map[string][2]string{
			"name":       {"offduty", "West Valley Off-Duty Office"},
			"address":    {"West Valley City, Utah", "3600 S Constitution Blvd\nWest Valley City, UT 84119"},
			"phone":      {"", "801-555-0100"},
			"email":      {"billing@offduty.example", ""},
			"website":    {"", "wvc-offduty.example"},
			"remittance": {"", "Make checks payable to West Valley City\nACH: routing 124000054, account 000123456789"},
		} {
			if changes[k] != w {
				t.Errorf("audit of %s: %q, want %q", k, changes[k], w)
			}
		}
	})
}

// TestOfficeRemote: over SSH a supervisor shows and sets the office; a
// dispatcher may do neither.
func TestOfficeRemote(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	sup := rs.user("sam", store.RoleSupervisor, 0)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	r := rs.ssh(sup, "office", "set", "--name", "WVC Off-Duty", "--tagline", "none")
	expectRemote(t, "set over ssh", r, 0)
	if !strings.Contains(r.stdout, "name: offduty -> WVC Off-Duty") || !strings.Contains(r.stdout, "tagline: off-duty management office -> (none)") {
		t.Errorf("set over ssh:\n%s", r.stdout)
	}
	r = rs.ssh(sup, "office", "show", "--json")
	expectRemote(t, "show over ssh", r, 0)
	if !strings.Contains(r.stdout, `"name": "WVC Off-Duty"`) {
		t.Errorf("show over ssh:\n%s", r.stdout)
	}
	if o, err := rs.store.Office(context.Background()); err != nil || o.Name != "WVC Off-Duty" || o.Tagline != "" {
		t.Errorf("office %+v (%v)", o, err)
	}
	expectRemote(t, "dispatcher set", rs.ssh(disp, "office", "set", "--name", "Mine"), ExitRefused, "supervisor")
	expectRemote(t, "dispatcher show", rs.ssh(disp, "office", "show"), ExitRefused, "supervisor")
	if o, _ := rs.store.Office(context.Background()); o.Name != "WVC Off-Duty" {
		t.Errorf("a dispatcher renamed the office: %q", o.Name)
	}
}

// pdfShows is the text a PDF's pages show (their streams inflated).
func pdfShows(t *testing.T, doc []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(doc, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b)
	}
	return out.String()
}

// TestOfficeOnInvoiceExport: invoice export prints the office an invoice
// was issued under, after the office changes; a draft prints it as it is
// now.
func TestOfficeOnInvoiceExport(t *testing.T) {
	env := demoEnv(t)
	dir := t.TempDir()
	expect(t, "set", runWith(env, "office", "set", "--name", "Issuing Office", "--remittance", "Pay the issuing office"), 0)
	expect(t, "generate", runWith(env, "invoices", "generate", "--period", "2026-11-23", "--save"), 0)
	var draft, issued string
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		list, err := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceDraft})
		if err != nil || len(list) < 2 {
			t.Fatalf("drafts: %d, %v", len(list), err)
		}
		issued, draft = "#"+itoa(list[0].ID), "#"+itoa(list[1].ID)
	})
	r := runWith(env, "invoice", "issue", issued, "--on", "2026-11-26")
	m := regexp.MustCompile(`Issued (2026-\d{6})`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("issue: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	expect(t, "rename", runWith(env, "office", "set", "--name", "Renamed Office", "--remittance", "Pay the renamed office"), 0)
	for _, c := range []struct{ inv, want, not string }{
		{m[1], "Issuing Office", "Renamed Office"},
		{draft, "Renamed Office", "Issuing Office"},
	} {
		path := filepath.Join(dir, strings.TrimPrefix(c.inv, "#")+".pdf")
		if r := runWith(env, "invoice", "export", c.inv, "--format", "pdf", "-o", path); r.code != 0 {
			t.Fatalf("export %s: exit %d %s", c.inv, r.code, r.stderr)
		}
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfShows(t, doc)
		if !strings.Contains(text, "("+c.want+")") || strings.Contains(text, c.not) || !strings.Contains(text, "(Pay the "+strings.ToLower(strings.Fields(c.want)[0])+" office)") {
			t.Errorf("invoice %s: want %q, not %q, with its remittance text", c.inv, c.want, c.not)
		}
	}
}
