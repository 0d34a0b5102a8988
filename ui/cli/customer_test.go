package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"offduty/store"
)

type customerRow struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Cycle      string   `json:"cycle"`
	TermsDays  int      `json:"terms_days"`
	Terms      string   `json:"terms"`
	PORequired bool     `json:"po_required"`
	Users      []string `json:"users"`
	Jobs       int      `json:"jobs"`
	Open       *string  `json:"open_balance"`
}

func customerList(t *testing.T, env map[string]string) map[string]customerRow {
	t.Helper()
	r := runWith(env, "customer", "list", "--json")
	var rows []customerRow
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil {
		t.Fatalf("customer list --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := map[string]customerRow{}
	for _, c := range rows {
		out[c.Name] = c
	}
	return out
}

func TestCustomerCommands(t *testing.T) {
	env := demoEnv(t)
	expect := func(r result, code int, stdout, stderr string) {
		t.Helper()
		if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
			t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", r.code, code, r.stdout, stdout, r.stderr, stderr)
		}
	}
	list := customerList(t, env)
	mav, ok := list["Maverik Center"]
	if !ok || mav.ID == 0 || mav.Cycle != "biweekly" || mav.TermsDays != 30 || mav.Open == nil || mav.Jobs == 0 {
		t.Fatalf("Maverik Center in the list: %+v", mav)
	}
	vf := list["Valley Fair Mall"]
	r := runWith(env, "customer", "list")
	expect(r, 0, "ID", "")
	for _, want := range []string{"Maverik Center", id(mav.ID), "biweekly", "net 30 days", "OPEN"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("customer list lacks %q:\n%s", want, r.stdout)
		}
	}

	// show, by name in any case, or by id
	expect(runWith(env, "customer", "show", "maverik center"), 0, "Maverik Center (#"+id(mav.ID)+")", "")
	r = runWith(env, "customer", "show", "#"+id(mav.ID))
	for _, want := range []string{"Tom Kearns (event operations)", "Maverik Center arena", "Invoices:", "Jobs ("} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("customer show lacks %q:\n%s", want, r.stdout)
		}
	}
	expect(runWith(env, "customer", "show", "Nobody Inc"), 1, "", "no account named")

	// set: terms 0 is due on receipt, not the default
	r = runWith(env, "customer", "set", id(mav.ID), "--terms", "0", "--cycle", "weekly", "--po-required", "true")
	expect(r, 0, "terms: net 30 days -> due on receipt", "")
	expect(r, 0, "cycle: biweekly -> weekly", "")
	expect(r, 0, "PO: not required -> required", "")
	if got := customerList(t, env)["Maverik Center"]; got.TermsDays != 0 || got.Terms != "due on receipt" || got.Cycle != "weekly" || !got.PORequired {
		t.Errorf("after set: %+v", got)
	}
	expect(runWith(env, "customer", "set", id(mav.ID), "--terms", "0"), 0, "Nothing changed", "")
	expect(runWith(env, "customer", "set", id(mav.ID)), 1, "", "nothing to change")
	expect(runWith(env, "customer", "set", id(mav.ID), "--terms", "400"), 1, "", "0 to 365")
	expect(runWith(env, "customer", "set", id(mav.ID), "--cycle", "daily"), 1, "", "weekly, biweekly or monthly")
	expect(runWith(env, "customer", "set", id(mav.ID), "--po-required", "maybe"), 1, "", "true or false")
	// and intake refuses a request without a PO
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		c, err := s.Customer(ctx, mav.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := store.JobInput{CustomerID: mav.ID, SiteID: c.Sites[0].ID, Agency: "west-valley-city", Start: local(t, "2026-12-20 10:00"),
			End: local(t, "2026-12-20 14:00"), Officers: 1, Venue: "event", Received: local(t, "2026-11-26 09:00")}
		if _, err := s.CreateJobs(ctx, "desk", in); err == nil || !strings.Contains(err.Error(), "requires a purchase order") {
			t.Errorf("request without a PO: %v", err)
		}
	})

	// contacts
	r = runWith(env, "customer", "contact", id(mav.ID), "add", "--name", "Dana Reyes", "--role", "security manager", "--phone", "801-555-0199")
	expect(r, 0, "Added contact #", "")
	contactID := strings.TrimPrefix(strings.Fields(r.stdout)[2], "#")
	expect(runWith(env, "customer", "contact", id(mav.ID), "set", contactID, "--role", "director"),
		0, "Dana Reyes (security manager), 801-555-0199 -> Dana Reyes (director), 801-555-0199", "")
	expect(runWith(env, "customer", "contact", id(mav.ID), "remove", contactID), 0, "Removed contact #"+contactID, "")
	expect(runWith(env, "customer", "contact", id(mav.ID), "remove", contactID), 1, "", "no contact")
	expect(runWith(env, "customer", "contact", id(mav.ID), "add"), 1, "", "--name")
	expect(runWith(env, "customer", "contact", id(mav.ID), "frob"), 1, "", "unknown action")
	expect(runWith(env, "customer", "contact", id(mav.ID), "add", "--name", "X", "--phone", "12"), 1, "", "7 to 15 digits")

	// sites: an unused one is removed, a used one archived
	r = runWith(env, "customer", "site", id(mav.ID), "add", "--name", "North lot", "--address", "1 North Rd")
	expect(r, 0, "Added site #", "")
	siteID := strings.TrimPrefix(strings.Fields(r.stdout)[2], "#")
	expect(runWith(env, "customer", "site", id(mav.ID), "set", siteID, "--notes", "gate B"), 0, "North lot, 1 North Rd (notes: gate B)", "")
	expect(runWith(env, "customer", "site", id(mav.ID), "remove", siteID), 0, "Removed site #"+siteID, "")
	var arena int64
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		c, _ := s.Customer(ctx, mav.ID)
		arena = c.Sites[0].ID
	})
	expect(runWith(env, "customer", "site", id(mav.ID), "remove", id(arena)), 0, "archived, not removed", "")
	expect(runWith(env, "customer", "show", id(mav.ID)), 0, "[archived]", "")
	expect(runWith(env, "customer", "site", id(mav.ID), "restore", id(arena)), 0, "in use again", "")
	expect(runWith(env, "customer", "site", id(vf.ID), "set", id(arena), "--name", "X"), 1, "", "no site")

	// user add --account takes the exact name as well as the id
	expect(runWith(env, "user", "add", "mav-ops", "--role", "customer", "--account", "MAVERIK CENTER", "--key", mustKey(t)),
		0, "customer of Maverik Center (#"+id(mav.ID)+")", "")
	expect(runWith(env, "user", "add", "nobody-ops", "--role", "customer", "--account", "Maverick Centre", "--key", mustKey(t)), 1, "", "no account named")
	expect(runWith(env, "customer", "add", "Maverik Center", "--terms", "0"), 0, "due on receipt", "")
	expect(runWith(env, "user", "add", "dup-ops", "--role", "customer", "--account", "Maverik Center", "--key", mustKey(t)), 1, "", "2 accounts are named")

	// merge: the duplicate into the one kept
	var dup int64
	for _, c := range customerList(t, env) {
		if c.Name == "Maverik Center" && c.ID != mav.ID {
			dup = c.ID
		}
	}
	if dup == 0 {
		t.Fatal("the duplicate is not listed")
	}
	expect(runWith(env, "customer", "merge", id(mav.ID), id(mav.ID)), 2, "", "into itself")
	r = runWith(env, "customer", "merge", id(dup), id(mav.ID), "--dry-run")
	expect(r, 0, "would move", "")
	expect(r, 0, "users:    1 mav-ops", "")
	expect(r, 0, "Nothing changed (--dry-run)", "")
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		if all, _ := s.Customers(ctx); len(all) != len(list)+1 {
			t.Errorf("the dry run changed something: %d accounts", len(all))
		}
	})
	r = runWith(env, "customer", "merge", id(dup), id(mav.ID))
	expect(r, 0, "moved", "")
	expect(r, 0, "is marked merged into #"+id(dup), "")
	after := customerList(t, env)
	if got := after["Maverik Center"]; got.ID != dup || got.Jobs != mav.Jobs || len(got.Users) != 1 || len(after) != len(list) {
		t.Errorf("after the merge: %+v (%d accounts)", got, len(after))
	}
	expect(runWith(env, "customer", "show", id(mav.ID)), 0, "merged into #"+id(dup), "")
	expect(runWith(env, "customer", "merge", id(dup), id(mav.ID)), 2, "", "was merged into")
	expect(runWith(env, "customer", "set", id(mav.ID), "--terms", "5"), 1, "", "was merged into")

	// help
	for _, args := range [][]string{{"customer", "--help"}, {"customer", "merge", "--help"}, {"customer", "site", "--help"}} {
		r := runWith(env, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "offduty customer") {
			t.Errorf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	expect(runWith(env, "customer"), 1, "", "want a subcommand")
}

// Over SSH a dispatcher lists and shows accounts (without the invoice
// balance) and is refused every change; an operator is refused the list;
// a supervisor changes them.
func TestCustomerCommandsRemote(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	disp := rs.user("dina", store.RoleDispatcher, 0)
	op := rs.user("otto", store.RoleOperator, 0)
	boss := rs.user("sam", store.RoleSupervisor, 0)
	r := rs.ssh(disp, "customer", "list", "--json")
	var rows []customerRow
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil || len(rows) == 0 {
		t.Fatalf("dispatcher's list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range rows {
		if c.Open != nil {
			t.Fatalf("a dispatcher reads %s's balance", c.Name)
		}
	}
	first := id(rows[0].ID)
	if r := rs.ssh(disp, "customer", "show", first); r.code != 0 || strings.Contains(r.stdout, "Invoices:") {
		t.Errorf("dispatcher's show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"customer", "set", first, "--terms", "0"},
		{"customer", "contact", first, "add", "--name", "X"},
		{"customer", "site", first, "add", "--name", "X"},
		{"customer", "merge", first, id(rows[1].ID), "--dry-run"},
		{"customer", "add", "New Co"},
	} {
		if r := rs.ssh(disp, args...); r.code != 2 || !strings.Contains(r.stderr, "needs a supervisor") {
			t.Errorf("dispatcher %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := rs.ssh(op, "customer", "list"); r.code != 2 || !strings.Contains(r.stderr, "needs a dispatcher") {
		t.Errorf("operator's list: exit %d %s", r.code, r.stderr)
	}
	if r := rs.ssh(boss, "customer", "set", first, "--terms", "0"); r.code != 0 || !strings.Contains(r.stdout, "due on receipt") {
		t.Errorf("supervisor's set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := rs.ssh(boss, "customer", "list"); r.code != 0 || !strings.Contains(r.stdout, "OPEN") {
		t.Errorf("supervisor's list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
