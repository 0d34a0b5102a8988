package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"offduty/store"
)

// officerShow runs officer show --json and reads it.
func officerShow(t *testing.T, env map[string]string, badge string) jsonStanding {
	t.Helper()
	r := runWith(env, "officer", "show", badge, "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("officer show %s --json: exit %d, stderr %q", badge, r.code, r.stderr)
	}
	var out jsonStanding
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("officer show --json is not one object: %v\n%s", err, r.stdout)
	}
	return out
}

// Leave recorded with the command refuses assign (override or not) with the
// reason; ended, the officer is assigned. A certification a customer
// requires refuses while lapsed and accepts once renewed.
func TestOfficerLeaveAndCertRefuseAssign(t *testing.T) {
	env := demoEnv(t)
	jobID := newJob(t, env, "2027-02-10 10:00", 4, 1, true)
	const badge = "WV2190"

	r := runWith(env, "officer", "leave", strings.ToLower(badge), "--kind", "leave", "--from", "2027-02-08", "--to", "2027-02-12", "--reason", "family")
	if r.code != 0 || !strings.Contains(r.stdout, "Recorded leave #1 for Spencer Call (WV2190): 2027-02-08 to 2027-02-12: family.") {
		t.Fatalf("officer leave: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	o := officerShow(t, env, badge)
	if len(o.Periods) != 1 || o.Periods[0].Kind != "leave" || o.Periods[0].To == nil || *o.Periods[0].To != "2027-02-12" || o.Standing != "on duty" {
		t.Fatalf("officer show after leave: %+v", o)
	}
	refused(t, runWith(env, "assign", id(jobID), "1", badge), ExitRefused, "Spencer Call cannot take this shift: on leave until Fri 12 Feb: family")
	r = runWith(env, "assign", id(jobID), "1", badge, "--override", "approved by Lt. Ruiz")
	refused(t, r, ExitRefused, "on leave until Fri 12 Feb: family")
	if strings.Contains(r.stderr, "may override") {
		t.Errorf("leave offered as overridable: %s", r.stderr)
	}

	// Ended on the 9th: the 10th is free.
	r = runWith(env, "officer", "leave", badge, "end", "1", "--last", "2027-02-09")
	if r.code != 0 || !strings.Contains(r.stdout, "on duty from Wed 10 Feb 2027") {
		t.Fatalf("officer leave end: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The customer requires site induction: none, then lapsed, refuse; renewed, accepts.
	cust := loadJob(t, env, jobID).CustomerID
	if r := runWith(env, "officer", "requirement", "add", "--customer", id(cust), "--cert", "Site Induction"); r.code != 0 || !strings.Contains(r.stdout, "needs site induction") {
		t.Fatalf("requirement add: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	refused(t, runWith(env, "assign", id(jobID), "1", badge), ExitRefused, "no site induction certification (required by CLI Co")
	if r := runWith(env, "officer", "cert", badge, "add", "site", "induction", "--expires", "2027-01-31"); r.code != 0 {
		t.Fatalf("cert add: exit %d %s", r.code, r.stderr)
	}
	refused(t, runWith(env, "assign", id(jobID), "1", badge), ExitRefused, "site induction certification expired 31 Jan")
	refused(t, runWith(env, "officer", "cert", badge, "add", "site induction", "--expires", "2028-01-31"), ExitRefused, "renew it")
	if r := runWith(env, "officer", "cert", badge, "renew", "site induction", "--expires", "2028-01-31"); r.code != 0 || !strings.Contains(r.stdout, "Renewed site induction") {
		t.Fatalf("cert renew: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWith(env, "assign", id(jobID), "1", badge); r.code != 0 {
		t.Fatalf("assign after the renewal: exit %d %s", r.code, r.stderr)
	}

	// Each change is audited with before and after, under the local user.
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		log, err := s.Audit(ctx, store.AuditFilter{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]store.AuditEntry{}
		for _, e := range log {
			if _, ok := got[e.Action]; !ok {
				got[e.Action] = e
			}
		}
		for action, want := range map[string][2]string{
			"standing add": {"", "leave 2027-02-08 to 2027-02-12: family (#1)"},
			"standing end": {"leave 2027-02-08 to 2027-02-12: family (#1)", "leave 2027-02-08 to 2027-02-09: family (#1)"},
			"cert add":     {"", "site induction valid through 2027-01-31"},
			"cert renew":   {"site induction valid through 2027-01-31", "site induction valid through 2028-01-31"},
		} {
			e, ok := got[action]
			if !ok || e.Before != want[0] || e.After != want[1] || e.Entity != "officer" {
				t.Errorf("audit %s = %+v, want before %q after %q", action, e, want[0], want[1])
			}
		}
		if e := got["add"]; e.Entity != "requirement" || !strings.Contains(e.After, "needs site induction") {
			t.Errorf("requirement audit = %+v", e)
		}
	})
}

// A certification lapsing within 30 days is marked in the list and
// selected by --expiring; the JSON says so.
func TestOfficerListMarksExpiring(t *testing.T) {
	env := demoEnv(t)
	if r := runWith(env, "officer", "cert", "WV2190", "add", "traffic control", "--expires", "2026-12-15"); r.code != 0 {
		t.Fatalf("cert add: %d %s", r.code, r.stderr)
	}
	if r := runWith(env, "officer", "cert", "WV1611", "add", "traffic control", "--expires", "2026-12-27"); r.code != 0 {
		t.Fatalf("cert add: %d %s", r.code, r.stderr)
	}
	r := runWith(env, "officer", "list", "--expiring")
	if r.code != 0 {
		t.Fatalf("officer list --expiring: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "! WV2190") || !strings.Contains(lines[1], "traffic control to 2026-12-15 (! 19 days)") ||
		!strings.Contains(lines[2], "1 officer; ! 1 with a certification lapsing within 30 days") {
		t.Fatalf("officer list --expiring:\n%s", r.stdout)
	}
	r = runWith(env, "officer", "list", "--json")
	var all []jsonStanding
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || r.code != 0 {
		t.Fatalf("officer list --json: %v\n%s", err, r.stdout)
	}
	seen := 0
	for _, o := range all {
		switch o.Badge {
		case "WV2190":
			seen++
			if len(o.Certs) != 1 || !o.Certs[0].Expiring || o.Certs[0].DaysLeft != 19 {
				t.Errorf("WV2190: %+v", o.Certs)
			}
		case "WV1611":
			seen++
			if len(o.Certs) != 1 || o.Certs[0].Expiring || o.Certs[0].DaysLeft != 31 {
				t.Errorf("WV1611: %+v", o.Certs)
			}
		}
	}
	if seen != 2 || len(all) < 10 {
		t.Errorf("officer list --json: %d officers, saw %d of the two", len(all), seen)
	}
}

// Wrong input is exit 1 with what to type; a rule is exit 2.
func TestOfficerCommandErrors(t *testing.T) {
	env := demoEnv(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"officer", "leave", "WV2190", "--kind", "leave", "--from", "12/14", "--reason", "x"}, ExitInvalid, "--from: want a date YYYY-MM-DD"},
		{[]string{"officer", "leave", "WV2190", "--kind", "leave", "--reason", "x"}, ExitInvalid, "missing --from"},
		{[]string{"officer", "leave", "WV2190", "--kind", "holiday", "--from", "2026-12-14", "--reason", "x"}, ExitInvalid, "use leave, suspension or restricted"},
		{[]string{"officer", "leave", "WV2190", "--kind", "leave", "--from", "2026-12-14", "--to", "2026-12-01", "--reason", "x"}, ExitInvalid, "before the first"},
		{[]string{"officer", "leave", "NOPE", "--kind", "leave", "--from", "2026-12-14", "--reason", "x"}, ExitInvalid, "no officer with badge or id"},
		{[]string{"officer", "leave", "WV2190", "end", "9"}, ExitInvalid, "has no period #9"},
		{[]string{"officer", "leave", "WV2190", "stop", "9"}, ExitInvalid, "want end or remove"},
		{[]string{"officer", "cert", "WV2190", "add", "traffic control"}, ExitInvalid, "--expires DATE is required"},
		{[]string{"officer", "cert", "WV2190", "renew", "traffic control", "--expires", "2027-01-01"}, ExitRefused, "add it"},
		{[]string{"officer", "cert", "WV2190", "remove", "traffic control"}, ExitInvalid, "holds no traffic control certification"},
		{[]string{"officer", "requirement", "add", "--cert", "x"}, ExitInvalid, "name one of --venue VENUE or --customer ID"},
		{[]string{"officer", "requirement", "add", "--venue", "moon", "--cert", "x"}, ExitInvalid, "unknown venue"},
		{[]string{"officer", "requirement", "add", "--customer", "9999", "--cert", "x"}, ExitInvalid, "no customer 9999"},
		{[]string{"officer", "show"}, ExitInvalid, "want one BADGE or #ID"},
	} {
		r := runWith(env, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	if r := runWith(env, "officer", "leave", "WV2190", "--kind", "suspension", "--from", "2026-12-01", "--reason", "review"); r.code != 0 {
		t.Fatalf("suspension: %d %s", r.code, r.stderr)
	}
	refused(t, runWith(env, "officer", "leave", "WV2190", "--kind", "suspended", "--from", "2027-01-01", "--reason", "again"), ExitRefused, "overlaps suspension")
}

// Over SSH a dispatcher reads and is refused changes; a supervisor changes.
func TestOfficerRemote(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	disp := rs.user("dana", store.RoleDispatcher, 0)
	sup := rs.user("sam", store.RoleSupervisor, 0)
	oper := rs.user("olive", store.RoleOperator, 0)

	r := rs.ssh(sup, "officer", "leave", "WV2190", "--kind", "restricted", "--from", "2026-12-01", "--to", "2027-01-31", "--reason", "knee")
	expectRemote(t, "officer leave as supervisor", r, 0)
	r = rs.ssh(sup, "officer", "requirement", "add", "--venue", "construction", "--cert", "traffic control")
	expectRemote(t, "requirement add as supervisor", r, 0)

	r = rs.ssh(disp, "officer", "show", "WV2190", "--json")
	expectRemote(t, "officer show as dispatcher", r, 0)
	var o jsonStanding
	if err := json.Unmarshal([]byte(r.stdout), &o); err != nil || o.Standing != "on duty" || len(o.Periods) != 1 || o.Periods[0].Kind != "restricted" {
		t.Errorf("officer show over SSH: %+v, %v", o, err)
	}
	expectRemote(t, "requirement list as dispatcher", rs.ssh(disp, "officer", "requirement", "list", "--json"), 0)
	expectRemote(t, "officer list as dispatcher", rs.ssh(disp, "officer", "list"), 0)
	expectRemote(t, "officer leave as dispatcher", rs.ssh(disp, "officer", "leave", "WV2190", "--kind", "leave", "--from", "2027-03-01", "--reason", "x"),
		ExitRefused, "needs a supervisor")
	expectRemote(t, "officer cert as dispatcher", rs.ssh(disp, "officer", "cert", "WV2190", "add", "x", "--expires", "2027-03-01"), ExitRefused, "needs a supervisor")
	expectRemote(t, "officer list as operator", rs.ssh(oper, "officer", "list"), ExitRefused, "needs a dispatcher")

	log, err := rs.store.Audit(context.Background(), store.AuditFilter{Actor: store.SSHActor("sam")})
	if err != nil || len(log) != 2 || log[1].Action != "standing add" || log[0].Action != "add" {
		t.Errorf("audit by sam@ssh: %+v, %v", log, err)
	}
}
