package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"offduty/store"
)

// user add for officer, agency and customer people: the link flags, the
// e-mail (an officer's defaults to the officer record's), the refusals;
// user list shows who each user is for and their e-mail; user email
// changes it.
func TestUserAddSelfServiceRoles(t *testing.T) {
	env := demoEnv(t)
	var marcus, dana store.Officer
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		marcus = officerByBadge(t, ctx, s, "WV1187")
		dana = officerByBadge(t, ctx, s, "WV1342")
	})
	if marcus.Email == "" {
		t.Fatal("the demo officer has no e-mail to default to")
	}
	expect := func(what string, r result, code int, stdout, stderr string) {
		t.Helper()
		if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
			t.Errorf("%s: exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", what, r.code, code, r.stdout, stdout, r.stderr, stderr)
		}
	}
	k := func() string { return mustKey(t) }

	expect("officer by badge", runWith(env, "user", "add", "marcus", "--role", "officer", "--officer", "wv1187", "--key", k()), 0,
		"officer Marcus Hale (WV1187, west-valley-city), e-mail "+marcus.Email, "")
	expect("officer by #id, own e-mail", runWith(env, "user", "add", "dana", "--role", "officer", "--officer", fmt.Sprintf("#%d", dana.ID),
		"--email", "dana.w@example.com", "--key", k()), 0, "e-mail dana.w@example.com", "")
	expect("agency", runWith(env, "user", "add", "gpd", "--role", "agency", "--agency", "grantsville", "--email", "dispatch@grantsville.example", "--key", k()), 0,
		"agency for Grantsville", "")
	expect("customer with e-mail", runWith(env, "user", "add", "mav-ops", "--role", "customer", "--account", "2", "--email", "ops@maverik.example", "--key", k()), 0,
		"e-mail ops@maverik.example", "")
	expect("second person of the account", runWith(env, "user", "add", "mav-box", "--role", "customer", "--account", "2", "--email", "boxoffice@maverik.example", "--key", k()), 0,
		"customer of", "")

	// refusals: 1 for bad input and unknown things, 2 for conflicts
	expect("officer twice", runWith(env, "user", "add", "marcus2", "--role", "officer", "--officer", "WV1187", "--key", k()), ExitRefused, "", "already has a user")
	expect("unknown badge", runWith(env, "user", "add", "zed", "--role", "officer", "--officer", "XX999", "--key", k()), ExitInvalid, "", "no officer")
	expect("officer without --officer", runWith(env, "user", "add", "zed", "--role", "officer", "--key", k()), ExitInvalid, "", "--officer BADGE")
	expect("--officer on an operator", runWith(env, "user", "add", "zed", "--role", "operator", "--officer", "WV1702", "--key", k()), ExitInvalid, "", "--officer is for --role officer")
	expect("unknown agency", runWith(env, "user", "add", "zed", "--role", "agency", "--agency", "nowhere", "--key", k()), ExitInvalid, "", "no agency \"nowhere\"")
	expect("agency without --agency", runWith(env, "user", "add", "zed", "--role", "agency", "--key", k()), ExitInvalid, "", "--agency SLUG")
	expect("--agency on a customer", runWith(env, "user", "add", "zed", "--role", "customer", "--account", "2", "--agency", "grantsville", "--key", k()), ExitInvalid, "", "--agency is for --role agency")
	expect("bad e-mail", runWith(env, "user", "add", "zed", "--role", "operator", "--email", "not-an-address", "--key", k()), ExitInvalid, "", "not an e-mail address")
	if r := runWith(env, "user", "list", "--json"); strings.Contains(r.stdout, `"zed"`) || strings.Contains(r.stdout, `"marcus2"`) {
		t.Fatalf("a refused user was added:\n%s", r.stdout)
	}

	// list: who each is for, and the e-mail
	r := runWith(env, "user", "list")
	expect("list", r, 0, "EMAIL", "")
	for _, want := range []string{"WV1187 Marcus Hale", marcus.Email, "grantsville", "dispatch@grantsville.example", "#2 ", "ops@maverik.example", "boxoffice@maverik.example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("user list lacks %q:\n%s", want, r.stdout)
		}
	}
	type jsonUser struct {
		Name, Role, Email, Agency string
		OfficerBadge              string `json:"officer_badge"`
		Officer                   *int64
	}
	var users []jsonUser
	if err := json.Unmarshal([]byte(runWith(env, "user", "list", "--json").stdout), &users); err != nil {
		t.Fatal(err)
	}
	byName := map[string]jsonUser{}
	for _, u := range users {
		byName[u.Name] = u
	}
	if u := byName["marcus"]; u.Email != marcus.Email || u.OfficerBadge != "WV1187" || u.Officer == nil || *u.Officer != marcus.ID {
		t.Errorf("marcus in JSON: %+v", u)
	}
	if u := byName["gpd"]; u.Agency != "grantsville" || u.Role != store.RoleAgency {
		t.Errorf("gpd in JSON: %+v", u)
	}

	// user email: set, then none
	expect("user email", runWith(env, "user", "email", "mav-ops", "frontdesk@maverik.example"), 0, "frontdesk@maverik.example", "")
	expect("user email -", runWith(env, "user", "email", "gpd", "-"), 0, "no e-mail address", "")
	expect("user email bad", runWith(env, "user", "email", "gpd", "nope"), ExitInvalid, "", "not an e-mail address")
	expect("user email unknown", runWith(env, "user", "email", "nobody", "a@b.example"), ExitInvalid, "", "no user")
	users = nil
	if err := json.Unmarshal([]byte(runWith(env, "user", "list", "--json").stdout), &users); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		switch u.Name {
		case "mav-ops":
			if u.Email != "frontdesk@maverik.example" {
				t.Errorf("mav-ops e-mail %q", u.Email)
			}
		case "gpd":
			if u.Email != "" {
				t.Errorf("gpd e-mail %q, want none", u.Email)
			}
		}
	}
}

// Over SSH: a supervisor adds an officer user; the officer exports its own
// shifts without --officer (the same calendar the staff export for it),
// and is refused another officer's; staff still name the officer.
func TestRemoteOfficerShiftsExport(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	ctx := context.Background()
	sup := rs.user("sam", store.RoleSupervisor, 0)
	disp := rs.user("dee", store.RoleDispatcher, 0)
	officerKey, line := sshKey(t)
	r := rs.ssh(sup, "user", "add", "marcus", "--role", "officer", "--officer", "WV1187", "--key", line)
	expectRemote(t, "user add --role officer over SSH", r, 0)
	if !strings.Contains(r.stdout, "officer Marcus Hale") {
		t.Fatalf("user add: %q", r.stdout)
	}

	own := rs.ssh(officerKey, "shifts", "export")
	expectRemote(t, "shifts export as the officer", own, 0)
	staff := rs.ssh(disp, "shifts", "export", "--officer", "WV1187")
	expectRemote(t, "shifts export by a dispatcher", staff, 0)
	if own.stdout != staff.stdout {
		t.Fatalf("the officer's own calendar differs from the staff's export of it:\n%s\n---\n%s", own.stdout, staff.stdout)
	}
	m := officerByBadge(t, ctx, rs.store, "WV1187")
	shifts, err := rs.store.OfficerShifts(ctx, "", m.ID, rs.store.Now(), 0)
	if err != nil || len(shifts) == 0 {
		t.Fatalf("the officer's shifts: %d %v", len(shifts), err)
	}
	if n := strings.Count(own.stdout, "BEGIN:VEVENT"); n != len(shifts) {
		t.Fatalf("%d events, want %d", n, len(shifts))
	}
	for _, sh := range shifts {
		if !strings.Contains(own.stdout, fmt.Sprintf("UID:position-%d@offduty", sh.PositionID)) {
			t.Fatalf("shift %d is not in the calendar", sh.PositionID)
		}
	}
	expectRemote(t, "shifts export --officer self", rs.ssh(officerKey, "shifts", "export", "--officer", "WV1187"), 0)
	expectRemote(t, "shifts export --officer another", rs.ssh(officerKey, "shifts", "export", "--officer", "WV1342"), ExitRefused, "own shifts only")
	expectRemote(t, "shifts export by staff without --officer", rs.ssh(disp, "shifts", "export"), ExitInvalid, "--officer is required")
	cust := rs.user("cora", store.RoleCustomer, 2)
	expectRemote(t, "shifts export by a customer", rs.ssh(cust, "shifts", "export", "--officer", "WV1187"), ExitRefused)
}
