package cli

import (
	"database/sql"
	"strings"
	"testing"
	"unicode"
)

// hostile is text written into the database by another tool: terminal
// escapes (OSC title, clear screen, a C1 CSI), a bidi override, controls.
var hostile = []string{"\x1b]0;pwned\x07", "\x1b[2J", "\u009b31m", "\u202e", "\x07", "\r"}

// assertInert fails if out holds anything a terminal would act on.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%s prints %U:\n%q", what, r, out)
			return
		}
	}
}

// TestOutputIsCleaned: text from the database reaches the terminal without
// escape sequences, controls or bidi overrides, in every command's output,
// plain or JSON (where it keeps its value as \u escapes).
func TestOutputIsCleaned(t *testing.T) {
	env := demoEnv(t)
	db, err := sql.Open("sqlite", "file:"+env["OFFDUTY_DB"]+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evil := strings.Join(hostile, "x")
	for _, q := range []string{
		`UPDATE customers SET name = name || ?`,
		`UPDATE sites SET name = name || ?, address = address || ?`,
		`UPDATE officers SET last_name = last_name || ?`,
		`UPDATE invoice_lines SET description = description || ?, site = site || ?`,
		`UPDATE invoices SET paid_ref = paid_ref || ?, void_reason = void_reason || ?`,
		`UPDATE positions SET override_reason = ? WHERE officer_id IS NOT NULL`,
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = evil
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var number string
	if err := db.QueryRow(`SELECT number FROM invoices WHERE number IS NOT NULL LIMIT 1`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	var badge string
	if err := db.QueryRow(`SELECT badge FROM officers LIMIT 1`).Scan(&badge); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"jobs"}, {"jobs", "--json"}, {"jobs", "--date", "2026-11-20"},
		{"invoice", "show", number}, {"invoice", "show", number, "--json"},
		{"invoices", "list"}, {"invoices", "list", "--json"},
		{"invoices", "generate"}, {"invoices", "generate", "--json"},
		{"payroll", "show", "--period", "2026-11-10"}, {"payroll", "show", "--period", "2026-11-10", "--json"},
		{"agencies"}, {"user", "list"},
	} {
		r := runWith(env, args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d %s", args, r.code, r.stderr)
		}
		assertInert(t, strings.Join(args, " "), r.stdout+r.stderr)
	}
	// JSON keeps the value: a script reads what is stored.
	r := runWith(env, "invoice", "show", number, "--json")
	if !strings.Contains(r.stdout, `\u009b31m`) || !strings.Contains(r.stdout, `\u202e`) || !strings.Contains(r.stdout, `\u001b]0;pwned`) {
		t.Errorf("the JSON lost the stored text:\n%s", r.stdout)
	}
	// A refusal that quotes stored text is cleaned too.
	r = runWith(env, "shifts", "export", "--officer", "nobody"+evil)
	assertInert(t, "shifts export refusal", r.stderr)
}
