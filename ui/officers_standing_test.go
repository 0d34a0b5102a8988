package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

func ymd(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// officerRow is the drawn (unstyled) list row of a badge, "" when not shown.
func officerRow(a *App, badge string) string {
	for _, l := range bodyLines(a) {
		l = ansi.Strip(l)
		if strings.Contains(l, " "+badge+" ") {
			return l
		}
	}
	return ""
}

// selectOfficer searches the Officers tab for a badge and keeps the search.
func selectOfficer(t *testing.T, a *App, badge string) {
	t.Helper()
	press(a, "/", badge, "enter")
	if o := a.offs.selected(); o == nil || o.Badge != badge {
		t.Fatalf("officer %s not selected: %+v", badge, o)
	}
}

// Today is Thu 26 Nov 2026: a certification valid through 15 Dec (19
// days) is marked on the list and in the detail; one of 27 Dec (31 days)
// is not; today's leave shows on the row and in the detail, at 80x24.
func TestOfficersStandingShows(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t, 80, 24)
	a.tab = tabOfficers
	drain(a, a.offs.load())
	if len(a.offs.list) < 2 {
		t.Fatal("precondition: two officers")
	}
	st := a.c.Store
	o, other := a.offs.list[0], a.offs.list[1]
	if _, _, err := st.AddStanding(ctx, "tester", store.StandingInput{OfficerID: o.ID, Kind: store.StandingLeave, From: ymd("2026-11-20"), To: ymd("2026-12-18"), Reason: "family"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCert(ctx, "tester", o.ID, store.CertAdd, "traffic control", ymd("2026-12-15")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCert(ctx, "tester", other.ID, store.CertAdd, "traffic control", ymd("2026-12-27")); err != nil {
		t.Fatal(err)
	}
	drain(a, a.offs.load())

	row := officerRow(a, o.Badge)
	if !strings.HasPrefix(row, "!") || !strings.Contains(row, "(leave)") {
		t.Fatalf("row of an officer on leave with an expiring certification: %q\n%s", row, screen(a))
	}
	if row := officerRow(a, other.Badge); row == "" || strings.HasPrefix(row, "!") || strings.Contains(row, "(leave)") {
		t.Fatalf("row of an officer whose certification runs 31 more days: %q\n%s", row, screen(a))
	}
	s := screen(a)
	for _, want := range []string{" standing: on leave Fri 20 Nov to Fri 18 Dec: family (#", " certifications: ! traffic control expires Tue 15 Dec (19 days)"} {
		if !strings.Contains(s, want) {
			t.Fatalf("detail misses %q:\n%s", want, s)
		}
	}
	assertFits(t, s, 80, 24)

	selectOfficer(t, a, other.Badge)
	s = screen(a)
	if !strings.Contains(s, " standing: on duty (no leave, suspension or restriction)") || !strings.Contains(s, " certifications: traffic control to 27 Dec 2026") {
		t.Fatalf("the other officer's detail:\n%s", s)
	}
	if strings.Contains(s, "! traffic control") {
		t.Fatalf("31 days ahead is marked:\n%s", s)
	}
	assertFits(t, s, 80, 24)
}

// A supervisor records leave (l), adds and renews a certification (c) and
// removes a period that begins today (x), each through the store.
func TestOfficersStandingKeys(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t, 80, 24)
	a.tab = tabOfficers
	drain(a, a.offs.load())
	o := a.offs.list[0]
	selectOfficer(t, a, o.Badge)
	st := a.c.Store

	press(a, "l")
	if a.offs.form == nil {
		t.Fatalf("l opened no form:\n%s", screen(a))
	}
	assertFits(t, screen(a), 80, 24)
	press(a, "tab", "tab", "12/18", "tab", "family")
	if s := screen(a); !strings.Contains(s, "Fri 18 Dec 2026, inclusive") || !strings.Contains(s, "Thu 26 Nov 2026") {
		t.Fatalf("the form does not echo the days:\n%s", s)
	}
	drain(a, press(a, "ctrl+s"))
	got, err := st.OfficerStanding(ctx, "tester", o.ID)
	if err != nil || len(got.Periods) != 1 {
		t.Fatalf("after l: %+v, %v\n%s", got, err, screen(a))
	}
	if p := got.Periods[0]; p.Kind != store.StandingLeave || !p.From.Equal(ymd("2026-11-26")) || !p.To.Equal(ymd("2026-12-18")) || p.Reason != "family" {
		t.Fatalf("period = %+v", p)
	}
	if s := screen(a); !strings.Contains(s, "Recorded leave for") || !strings.Contains(officerRow(a, o.Badge), "(leave)") {
		t.Fatalf("after l:\n%s", s)
	}

	press(a, "c", "Traffic Control", "tab", "12/15/2026")
	drain(a, press(a, "ctrl+s"))
	if got, _ = st.OfficerStanding(ctx, "tester", o.ID); len(got.Certs) != 1 || got.Certs[0].Name != "traffic control" || !got.Certs[0].Expires.Equal(ymd("2026-12-15")) {
		t.Fatalf("after c: %+v\n%s", got.Certs, screen(a))
	}
	if !strings.HasPrefix(officerRow(a, o.Badge), "!") {
		t.Fatalf("no mark after an expiring certification:\n%s", screen(a))
	}
	// c again offers the expiring one, to renew it.
	press(a, "c")
	if s := screen(a); !strings.Contains(s, "traffic control") || !strings.Contains(s, "renews; now to 15 Dec 2026") {
		t.Fatalf("the certification form does not offer the renewal:\n%s", s)
	}
	press(a, "tab", "12/15/2028")
	drain(a, press(a, "ctrl+s"))
	if got, _ = st.OfficerStanding(ctx, "tester", o.ID); len(got.Certs) != 1 || !got.Certs[0].Expires.Equal(ymd("2028-12-15")) {
		t.Fatalf("after the renewal: %+v", got.Certs)
	}
	if strings.HasPrefix(officerRow(a, o.Badge), "!") {
		t.Fatalf("still marked after the renewal:\n%s", screen(a))
	}

	// The leave begins today: x removes it.
	press(a, "x")
	if s := screen(a); !strings.Contains(s, "Remove ") || !strings.Contains(s, "y/n") {
		t.Fatalf("x asks nothing:\n%s", s)
	}
	drain(a, press(a, "y"))
	if got, _ = st.OfficerStanding(ctx, "tester", o.ID); len(got.Periods) != 0 {
		t.Fatalf("after x: %+v", got.Periods)
	}
	log, _ := st.Audit(ctx, store.AuditFilter{Actor: "tester", Limit: 4})
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "standing remove,cert renew,cert add,standing add" {
		t.Fatalf("audit = %v", actions)
	}
}

// A period that began before today is ended as of yesterday.
func TestOfficersEndLeaveAsOfYesterday(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t, 80, 24)
	a.tab = tabOfficers
	drain(a, a.offs.load())
	o := a.offs.list[0]
	if _, _, err := a.c.Store.AddStanding(ctx, "tester", store.StandingInput{OfficerID: o.ID, Kind: store.StandingSuspension, From: ymd("2026-11-01"), Reason: "review"}); err != nil {
		t.Fatal(err)
	}
	drain(a, a.offs.load())
	selectOfficer(t, a, o.Badge)
	press(a, "x")
	if s := screen(a); !strings.Contains(s, "as of yesterday") {
		t.Fatalf("x:\n%s", s)
	}
	drain(a, press(a, "y"))
	got, _ := a.c.Store.OfficerStanding(ctx, "tester", o.ID)
	if len(got.Periods) != 1 || !got.Periods[0].To.Equal(ymd("2026-11-25")) {
		t.Fatalf("after x: %+v", got.Periods)
	}
	if strings.Contains(officerRow(a, o.Badge), "(suspended)") {
		t.Fatalf("still marked suspended:\n%s", screen(a))
	}
}

// A dispatcher reads standing but is not offered l, x or c, and is told why.
func TestOfficersStandingDispatcherReads(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "dana", store.RoleDispatcher, "")
	a.tab = tabOfficers
	o := a.offs.list[0]
	if _, err := a.c.Store.SetCert(context.Background(), "", o.ID, store.CertAdd, "traffic control", ymd("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	drain(a, a.offs.load())
	if s := screen(a); !strings.Contains(s, "! traffic control expires Tue 01 Dec (5 days)") {
		t.Fatalf("a dispatcher does not read the certification:\n%s", s)
	}
	short, full := helpText(a)
	for _, offer := range []string{"l leave", "x end leave", "c cert"} {
		if strings.Contains(short, offer) || offered(full, offer) {
			t.Fatalf("a dispatcher is offered %q:\n%s", offer, full)
		}
	}
	for _, k := range []string{"l", "x", "c"} {
		drain(a, press(a, k))
		if a.offs.form != nil || a.offs.confirm != nil {
			t.Fatalf("%s opened something for a dispatcher", k)
		}
		if s := screen(a); !strings.Contains(s, "needs a supervisor (you are a dispatcher)") {
			t.Fatalf("%s: no answer:\n%s", k, s)
		}
		assertFits(t, screen(a), 80, 24)
	}
}

// A supervisor is offered the keys in the full help.
func TestOfficersStandingHelp(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabOfficers
	drain(a, a.offs.load())
	_, full := helpText(a)
	for _, offer := range []string{"l leave", "x end leave", "c cert"} {
		if !offered(full, offer) {
			t.Fatalf("help misses %q:\n%s", offer, full)
		}
	}
}
