package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"offduty/store"
	"offduty/store/storetest"
)

// checkFindings runs Check and returns its findings by check name.
func checkFindings(t *testing.T, s *store.Store) map[string][]store.Finding {
	t.Helper()
	res, err := s.Check(context.Background(), "office")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(store.Checks) {
		t.Fatalf("%d checks ran, want %d", len(res), len(store.Checks))
	}
	out := map[string][]store.Finding{}
	for _, r := range res {
		if len(r.Findings) > 0 {
			out[r.Name] = r.Findings
		}
	}
	return out
}

// TestCheck: a sound database passes every check; each invariant broken
// by hand (as another tool could) is found, named, with its rows and a hint.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Check Co")
	a := workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 2, vehicles: 1}, "CA")
	b := workedJob(t, s, cust, site, shift{start: "2026-12-09 10:00", end: "2026-12-09 14:00", officers: 1}, "CB")
	setClock(t, "2027-01-04 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-03"), 0, true)
	if err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	}
	if _, err := s.IssueDrafts(ctx, "office", day(t, "2027-01-03"), 0, day(t, "2027-01-04")); err != nil {
		t.Fatal(err)
	}
	if f := checkFindings(t, s); len(f) != 0 {
		t.Fatalf("a sound database has findings: %+v", f)
	}
	if _, err := s.Check(ctx, store.SSHActor("nobody")); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("a stranger ran the check: %v", err)
	}

	for _, c := range []struct {
		check, problem string
		break_, repair string
	}{
		{"invoice totals", "not the sum of its lines",
			`UPDATE invoices SET total = '1.00' WHERE number IS NOT NULL`, `UPDATE invoices SET total = subtotal`},
		{"invoice numbers", "gap or a repeat",
			`UPDATE invoices SET number = '2027-000005' WHERE number = '2027-000001'`, `UPDATE invoices SET number = '2027-000001' WHERE number = '2027-000005'`},
		{"invoice numbers", "counter is not at its last",
			`UPDATE invoice_counters SET last = last + 1`, `UPDATE invoice_counters SET last = last - 1`},
		{"double booking", "two overlapping live positions",
			`UPDATE positions SET officer_id = (SELECT officer_id FROM positions WHERE job_id = ` + itoa(a.ID) + ` AND slot = 1),
				starts_at = (SELECT starts_at FROM positions WHERE job_id = ` + itoa(a.ID) + ` AND slot = 1) WHERE job_id = ` + itoa(b.ID),
			``},
		{"positions", "do not match",
			`UPDATE jobs SET officers = officers + 1 WHERE id = ` + itoa(a.ID), `UPDATE jobs SET officers = officers - 1 WHERE id = ` + itoa(a.ID)},
		{"billed once", "still claims",
			`INSERT INTO invoices (customer_id, cycle, period_start, period_end, state, terms_days, subtotal, total, created_at, created_by, updated_at, void_reason)
				VALUES (` + itoa(cust) + `, 'monthly', '2026-12-01', '2027-01-01', 'void', 30, '0.00', '0.00', '2027-01-04T16:00:00Z', 'x', '2027-01-04T16:00:00Z', 'test');
			 INSERT INTO invoice_claims (kind, ref_id, invoice_id) VALUES ('vehicle', 999999, (SELECT max(id) FROM invoices))`, ``},
		{"foreign keys", "do not exist", orphanNote, ``},
	} {
		for _, q := range strings.Split(c.break_, ";\n") { // one statement at a time (an INSERT's id is asked for on PostgreSQL)
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", c.check, err)
			}
		}
		f := checkFindings(t, s)
		found := false
		for _, x := range f[c.check] {
			if strings.Contains(x.Problem, c.problem) && x.Count > 0 && len(x.Rows) > 0 && x.Hint != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s (%s) not found: %+v", c.check, c.problem, f)
		}
		if c.repair != "" {
			if _, err := db.Exec(c.repair); err != nil {
				t.Fatal(err)
			}
			if f := checkFindings(t, s); len(f[c.check]) != 0 {
				t.Errorf("%s still found after the repair: %+v", c.check, f[c.check])
			}
		}
	}
}

// orphanNote writes a job note of no job, the foreign keys off for it:
// as another tool could (SQLite's pragma; PostgreSQL's replica role, which
// skips the triggers that enforce them; in one statement, on one connection).
var orphanNote = func() string {
	insert := `INSERT INTO job_notes (job_id, at, author, body) VALUES (999999, '2027-01-01T00:00:00Z', 'x', 'orphan')`
	if storetest.Postgres() {
		return `SET session_replication_role = replica; ` + insert + `; RESET session_replication_role`
	}
	return `PRAGMA foreign_keys = OFF; ` + insert
}()

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
