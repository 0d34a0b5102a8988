package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"offduty/store"
)

// remoteRun runs the command tree as an SSH exec request of user, on the
// database of env at its clock.
func remoteRun(t *testing.T, env map[string]string, user string, args ...string) result {
	t.Helper()
	var r result
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		u, err := s.UserByName(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		now := s.Now()
		r.code = Run(ctx, args, Env{Stdout: &out, Stderr: &errb, Remote: &Remote{Store: s, User: u, Now: func() time.Time { return now }}})
		r.stdout, r.stderr = out.String(), errb.String()
	})
	return r
}

type ratesOut struct {
	InForce *struct {
		ID    int64 `json:"id"`
		Rates map[string]*struct {
			Total, Officer, Admin string
		} `json:"rates"`
		CancelAdmin int `json:"cancel_admin_minutes"`
		CancelLate  int `json:"cancel_late_minutes"`
	} `json:"in_force"`
	Scheduled []struct {
		ID            int64  `json:"id"`
		EffectiveFrom string `json:"effective_from"`
		Note          string `json:"note"`
		CreatedBy     string `json:"created_by"`
		Rates         map[string]*struct {
			Total, Officer, Admin string
		} `json:"rates"`
		CancelLate int `json:"cancel_late_minutes"`
	} `json:"scheduled"`
	Earlier []struct {
		ID int64 `json:"id"`
	} `json:"earlier"`
}

func rates(t *testing.T, env map[string]string, slug string) ratesOut {
	t.Helper()
	r := runWith(env, "agency", "rates", slug, "--json")
	if r.code != 0 {
		t.Fatalf("agency rates --json: exit %d: %s", r.code, r.stderr)
	}
	var out ratesOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("agency rates --json: %v\n%s", err, r.stdout)
	}
	return out
}

// TestAgencyRatesCommand: the card in force and its history; a new card
// as a dry run (a diff, nothing saved) and saved; refusals that say why.
func TestAgencyRatesCommand(t *testing.T) {
	env := testEnv(t)
	expect(t, "show", runWith(env, "--demo=false", "agency", "rates", "west-valley-city"), 0,
		"In force: #1 from Mon 16 Nov 2020 00:00 MST", "initial card", "regular         57.00     50.00      7.00",
		"minimum 2 h per person; notice 72 h; supervisor at 5 or more officers", "admin fee for the first 24 h", "within 48 h")
	before := rates(t, env, "west-valley-city")
	if before.InForce == nil || before.InForce.ID != 1 || before.InForce.Rates["regular"].Total != "57.00" || before.InForce.CancelAdmin != 1440 ||
		before.InForce.CancelLate != 2880 || len(before.Scheduled) != 0 {
		t.Fatalf("rates --json = %+v", before)
	}

	args := []string{"agency", "rates", "west-valley-city", "--from", "2027-01-01", "--regular", "60.00/52.50", "--emergency", "90/79",
		"--cancel-late", "72", "--note", "2027 rates"}
	r := runWith(env, append(args, "--dry-run")...)
	expect(t, "dry run", r, 0, "new rate card from Fri 01 Jan 2027 00:00 MST", "Against card #1", "3 changes",
		"*   regular", "57.00 = 50.00 + 7.00", "60.00 = 52.50 + 7.50", "90.00 = 79.00 + 11.00", "inside 72 h: + officer share", "(same)",
		"Note: 2027 rates", "Dry run: nothing saved")
	if strings.Contains(r.stdout, "*   supervisor") {
		t.Errorf("supervisor marked changed:\n%s", r.stdout)
	}
	if got := rates(t, env, "west-valley-city"); len(got.Scheduled) != 0 {
		t.Fatalf("a dry run saved a card: %+v", got.Scheduled)
	}
	expect(t, "save", runWith(env, args...), 0, "Saved rate card #3", "keep the card they were priced with")
	got := rates(t, env, "west-valley-city")
	if got.InForce.ID != 1 || len(got.Scheduled) != 1 {
		t.Fatalf("after saving: %+v", got)
	}
	if s := got.Scheduled[0]; s.ID != 3 || s.EffectiveFrom != "2027-01-01T00:00:00-07:00" || s.Note != "2027 rates" || s.Rates["regular"].Admin != "7.50" ||
		s.Rates["supervisor"].Total != "68.40" || s.CancelLate != 4320 || !strings.Contains(s.CreatedBy, "local") {
		t.Errorf("scheduled card = %+v", s)
	}
	expect(t, "history", runWith(env, "agency", "rates", "west-valley-city"), 0, "Scheduled:", "#3 from Fri 01 Jan 2027 00:00 MST",
		"against #1: regular 57.00 = 50.00 + 7.00 -> 60.00 = 52.50 + 7.50")

	// JSON of a plan.
	r = runWith(env, "agency", "rates", "grantsville", "--from", "2026-11-26", "--vehicle", "1.20/1.05", "--dry-run", "--json")
	var plan struct {
		DryRun  bool `json:"dry_run"`
		FromNow bool `json:"from_now"`
		Changed int  `json:"changed"`
		Changes []struct {
			Field, Before, After string
			Changed              bool
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || !plan.DryRun || !plan.FromNow || plan.Changed != 1 || plan.Changes[4].Field != "vehicle" ||
		plan.Changes[4].Before != "none" || plan.Changes[4].After != "1.20 = 1.05 + 0.15" {
		t.Errorf("plan JSON = %+v, %v\n%s", plan, err, r.stdout)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", "2026-11-25", "--regular", "60/52.50"}, ExitInvalid, "cannot start before today (Thu 26 Nov 2026 in America/Denver)"},
		{[]string{"--from", "2027-02-01", "--regular", "50/55"}, ExitInvalid, "officer share 55.00 is more than the total 50.00"},
		{[]string{"--from", "2027-02-01", "--regular", "57"}, ExitInvalid, "want TOTAL/OFFICER such as 57.00/50.00"},
		{[]string{"--from", "2027-02-01", "--regular", "-57/-50"}, ExitInvalid, "the total must be more than 0"},
		{[]string{"--from", "2027-02-01", "--notice", "-2"}, ExitInvalid, "--notice: notice: want a number of hours"},
		{[]string{"--from", "2027-02-01", "--cancel-admin", "0"}, ExitInvalid, "between 1 h and 168 h"},
		{[]string{"--from", "2027-02-01", "--supervisor", "none"}, ExitInvalid, "a supervisor threshold needs a supervisor rate"},
		{[]string{"--from", "2027-02-01", "--supervisor-at", "lots"}, ExitInvalid, "--supervisor-at: want the number of officers"},
		{[]string{"--from", "2027-02-01"}, ExitInvalid, "nothing changes against card #3"},
		{[]string{"--from", "2027-01-01", "--regular", "61/53"}, ExitRefused, "card #3 already takes effect on Fri 01 Jan 2027"},
		{[]string{"--regular", "61/53"}, ExitInvalid, "a new card needs --from DATE"},
		{[]string{"--from", "1/1/2027", "--regular", "61/53"}, ExitInvalid, "--from: want a date YYYY-MM-DD"},
	} {
		r := runWith(env, append([]string{"agency", "rates", "west-valley-city"}, c.args...)...)
		refused(t, r, c.code, c.want)
	}
	refused(t, runWith(env, "agency", "rates", "atlantis"), ExitInvalid, `unknown agency "atlantis"`)
	refused(t, runWith(env, "agency", "rates"), ExitInvalid, "want an agency SLUG")
	if got := rates(t, env, "west-valley-city"); len(got.Scheduled) != 1 {
		t.Errorf("refused runs saved cards: %+v", got.Scheduled)
	}
}

// TestAgencyCommandsOverSSH: a supervisor changes an agency over SSH, a
// dispatcher is refused (exit 2) and changes nothing.
func TestAgencyCommandsOverSSH(t *testing.T) {
	env := testEnv(t)
	expect(t, "create", runWith(env, "--demo=false", "agencies"), 0)
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		for _, u := range []struct{ name, role string }{{"sam", store.RoleSupervisor}, {"dan", store.RoleDispatcher}} {
			if _, err := s.CreateUser(ctx, "admin", u.name, u.role, 0, nil); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, args := range [][]string{
		{"agency", "rates", "grantsville"},
		{"agency", "rates", "grantsville", "--from", "2027-01-01", "--regular", "62/55"},
		{"agency", "holiday", "grantsville", "list"},
		{"agency", "holiday", "grantsville", "add", "Fair Day", "--date", "2027-08-10"},
		{"agency", "venue", "grantsville", "set", "event", "--rule", "No."},
		{"agency", "venue", "grantsville", "list"},
	} {
		refused(t, remoteRun(t, env, "dan", args...), ExitRefused, "needs a supervisor")
	}
	expect(t, "supervisor over ssh", remoteRun(t, env, "sam", "agency", "rates", "grantsville", "--from", "2027-01-01", "--regular", "62/55"), 0, "Saved rate card #3")
	expect(t, "holiday over ssh", remoteRun(t, env, "sam", "agency", "holiday", "grantsville", "add", "Fair Day", "--date", "2027-08-10"), 0, "Added holiday Fair Day")
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		cards, _ := s.RateCards(ctx, 2)
		if len(cards) != 2 || cards[0].CreatedBy != "sam@ssh" {
			t.Errorf("cards after ssh: %+v", cards)
		}
		entries, err := s.Audit(ctx, store.AuditFilter{Actor: "sam@ssh"})
		if err != nil || len(entries) != 2 || entries[1].Entity != "rate_card" || !strings.Contains(entries[1].Before, "regular 60.00/53.50") ||
			!strings.Contains(entries[1].After, "regular 62.00/55.00") || entries[0].Action != "holiday add" {
			t.Errorf("audit = %+v, %v", entries, err)
		}
	})
}

// TestAgencyHolidayCommand: a one-off date and a rule, listed with their
// dates this year and next, priced as holidays, removed by key.
func TestAgencyHolidayCommand(t *testing.T) {
	env := testEnv(t)
	expect(t, "add one-off", runWith(env, "--demo=false", "agency", "holiday", "west-valley-city", "add", "Stake Conference", "--date", "2026-12-08"), 0,
		"Added holiday Stake Conference (key stake-conference-2026-12-08) to West Valley City PD: one-off Tue 08 Dec 2026.", "priced at 85.50 per hour")
	expect(t, "add rule", runWith(env, "agency", "holiday", "grantsville", "add", "Founders' Day", "--rule", "1 wed dec"), 0,
		"Founders' Day (key founders-day)", "1st Wednesday of December; 2026: Wed 02 Dec, 2027: Wed 01 Dec", "no holiday rate")
	expect(t, "list", runWith(env, "agency", "holiday", "west-valley-city", "list"), 0, "14 holidays", "KEY", "2026", "2027",
		"thanksgiving", "Thu 26 Nov  Thu 25 Nov", "stake-conference-2026-12-08", "one-off Tue 08 Dec 2026", "Tue 08 Dec  -")
	r := runWith(env, "agency", "holiday", "list", "grantsville", "--json") // the verb first works too
	var hs []struct {
		Key    string   `json:"key"`
		OneOff bool     `json:"one_off"`
		Dates  []string `json:"dates"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &hs); err != nil || len(hs) != 14 || hs[13].Key != "founders-day" || hs[13].OneOff ||
		strings.Join(hs[13].Dates, " ") != "2026-12-02 2027-12-01" {
		t.Errorf("holiday list --json = %+v, %v\n%s", hs, err, r.stdout)
	}
	// The one-off prices as a holiday in a quote.
	q := snapshot(t, quote(env, "--agency", "west-valley-city", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "1", "--json"))
	if q.Total != "342.00" || q.Lines[0].Basis != "holiday" {
		t.Errorf("quote on the one-off: %s %+v", q.Total, q.Lines)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"add", "Old Day", "--date", "2026-11-01"}, ExitInvalid, "in the past"},
		{[]string{"add", "Odd Day", "--date", "2026-13-01"}, ExitInvalid, "--date: want a date YYYY-MM-DD"},
		{[]string{"add", "Odd Day", "--rule", "every tuesday"}, ExitInvalid, "use a known holiday, MM-DD"},
		{[]string{"add", "Both", "--rule", "07-01", "--date", "2027-07-01"}, ExitInvalid, "one of them"},
		{[]string{"add", "Turkey Day", "--date", "2026-11-26"}, ExitRefused, "already a holiday of West Valley City PD: Thanksgiving Day"},
		{[]string{"remove", "no-such-day"}, ExitInvalid, `no holiday "no-such-day"`},
		{[]string{"rename", "x"}, ExitInvalid, `unknown action "rename"`},
		{[]string{"list", "--date", "2027-01-01"}, ExitInvalid, "--date and --rule go with add"},
	} {
		refused(t, runWith(env, append([]string{"agency", "holiday", "west-valley-city"}, c.args...)...), c.code, c.want)
	}
	expect(t, "remove", runWith(env, "agency", "holiday", "west-valley-city", "remove", "stake-conference-2026-12-08"), 0,
		"Removed holiday Stake Conference (key stake-conference-2026-12-08, one-off Tue 08 Dec 2026) from West Valley City PD.")
	q = snapshot(t, quote(env, "--agency", "west-valley-city", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "1", "--json"))
	if q.Total != "228.00" {
		t.Errorf("quote after removing the one-off: %s", q.Total)
	}
}

// TestAgencyVenueCommand: a venue prohibited with its rule text, quoted by
// a quote at once; the text edited; allowed again.
func TestAgencyVenueCommand(t *testing.T) {
	env := testEnv(t)
	expect(t, "list", runWith(env, "--demo=false", "agency", "venue", "grantsville", "list"), 0, "1 prohibited venue", "labor-dispute", "Allowed: general, retail")
	expect(t, "set", runWith(env, "agency", "venue", "grantsville", "set", "Event", "--rule", "No officer may work a ticketed concert."), 0,
		`event: allowed -> prohibited, quoting "No officer may work a ticketed concert."`)
	qargs := []string{"--agency", "grantsville", "--start", "2026-12-12 18:00", "--hours", "4", "--officers", "1", "--venue", "event", "--json"}
	if s := snapshot(t, quote(env, qargs...)); s.Bookable || len(s.Refusals) != 1 || !strings.Contains(s.Refusals[0].Message, "No officer may work a ticketed concert.") {
		t.Errorf("quote after set: bookable %v refusals %+v", s.Bookable, s.Refusals)
	}
	expect(t, "edit", runWith(env, "agency", "venue", "grantsville", "set", "event", "--rule", "Concerts are the agency's own."), 0,
		`rule text "No officer may work a ticketed concert." -> "Concerts are the agency's own."`)
	expect(t, "same", runWith(env, "agency", "venue", "grantsville", "set", "event", "--rule", "Concerts are the agency's own."), 0, "nothing changed")
	if s := snapshot(t, quote(env, qargs...)); len(s.Refusals) != 1 || !strings.Contains(s.Refusals[0].Message, "Concerts are the agency's own.") || strings.Contains(s.Refusals[0].Message, "ticketed") {
		t.Errorf("quote after the edit: %+v", s.Refusals)
	}
	r := runWith(env, "agency", "venue", "grantsville", "list", "--json")
	var vs []struct{ Venue, Label, Rule string }
	if err := json.Unmarshal([]byte(r.stdout), &vs); err != nil || len(vs) != 2 || vs[0].Venue != "event" || vs[0].Rule != "Concerts are the agency's own." {
		t.Errorf("venue list --json = %+v, %v", vs, err)
	}
	expect(t, "remove", runWith(env, "agency", "venue", "grantsville", "remove", "event"), 0, `event: prohibited -> allowed (the rule was "Concerts are the agency's own.")`)
	if s := snapshot(t, quote(env, qargs...)); !s.Bookable {
		t.Errorf("quote after remove: %+v", s.Refusals)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"set", "general", "--rule", "x"}, ExitInvalid, "cannot be prohibited"},
		{[]string{"set", "casino", "--rule", "x"}, ExitInvalid, `unknown venue "casino"`},
		{[]string{"set", "event"}, ExitInvalid, "--rule TEXT"},
		{[]string{"remove", "event"}, ExitInvalid, "does not prohibit event"},
		{[]string{"remove", "event", "--rule", "x"}, ExitInvalid, "--rule goes with set"},
	} {
		refused(t, runWith(env, append([]string{"agency", "venue", "grantsville"}, c.args...)...), c.code, c.want)
	}
}

// The agency group keeps agency dispatch, and agency list is agencies.
func TestAgencyGroup(t *testing.T) {
	env := testEnv(t)
	expect(t, "dispatch", runWith(env, "--demo=false", "agency", "dispatch", "grantsville", "desk@gpd.test"), 0, "(none) -> desk@gpd.test")
	a, l := runWith(env, "agencies"), runWith(env, "agency", "list")
	if a.code != 0 || l.code != 0 || a.stdout != l.stdout || !strings.Contains(l.stdout, "Grantsville PD (grantsville)") {
		t.Errorf("agency list differs from agencies:\n%s\n---\n%s", l.stdout, a.stdout)
	}
	expect(t, "group alone", runWith(env, "agency"), ExitInvalid, "dispatch, holiday, list, rates or venue")
}
