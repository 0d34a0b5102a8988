package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// ymd is a date as the store keeps one.
func ymd(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// venueJob creates and approves an n-officer West Valley job at a venue category.
func venueJob(t testing.TB, s *store.Store, cust, site int64, venue pricing.Venue, start time.Time, hours, n int) store.Job {
	t.Helper()
	ctx := context.Background()
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(time.Duration(hours) * time.Hour), Officers: n, Venue: venue, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Approve(ctx, "dispatch", ids[0]); err != nil {
		t.Fatal(err)
	}
	return job(t, s, ids[0])
}

// candidate finds an officer among a position's candidates.
func candidate(t *testing.T, s *store.Store, positionID, officerID int64) store.Candidate {
	t.Helper()
	list, err := s.Candidates(context.Background(), positionID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == officerID {
			return c
		}
	}
	t.Fatalf("officer %d is not a candidate for position %d", officerID, positionID)
	return store.Candidate{}
}

func reasonTexts(c store.Candidate) string {
	var out []string
	for _, r := range c.Reasons {
		out = append(out, r.Text)
	}
	return strings.Join(out, "; ")
}

// An officer on leave on the shift's day is refused by the picker, by
// Assign (even with an override) and by a sign-up, each with the reason in
// words; once the leave is ended, the same shift is theirs.
func TestLeaveRefusesEverywhere(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Leave Co")
	a := officer(t, s, "west-valley-city", "L1", "officer", 40)
	b := officer(t, s, "west-valley-city", "L2", "officer", 40)
	ann := personUser(t, s, "ann", store.RoleOfficer, a.ID)

	p, held, err := s.AddStanding(ctx, "test", store.StandingInput{OfficerID: a.ID, Kind: "leave", From: ymd("2026-12-14"), To: ymd("2026-12-18"), Reason: "family"})
	if err != nil || len(held) != 0 {
		t.Fatalf("AddStanding = %+v, %v, %v", p, held, err)
	}
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-17 10:00"), 4, 1)
	pos := j.Positions[0].ID
	const why = "on leave until Fri 18 Dec: family"

	c := candidate(t, s, pos, a.ID)
	if c.Eligible() || c.Overridable() || reasonTexts(c) != why {
		t.Fatalf("candidate on leave: eligible %v, overridable %v, reasons %q; want refused with %q, not overridable", c.Eligible(), c.Overridable(), reasonTexts(c), why)
	}
	if c := candidate(t, s, pos, b.ID); !c.Eligible() {
		t.Fatalf("an officer not on leave is refused: %q", reasonTexts(c))
	}
	refused(t, "Assign on leave", s.Assign(ctx, "dispatch", pos, a.ID, ""), store.EConflict, why)
	err = s.Assign(ctx, "dispatch", pos, a.ID, "the event needs him")
	refused(t, "Assign on leave with an override", err, store.EConflict, why)
	if strings.Contains(err.Error(), "may override") {
		t.Errorf("leave offered as overridable: %v", err)
	}
	if got := openIDs(t, s, ann); slices.Contains(got, pos) {
		t.Errorf("the shift is open to an officer on leave: %v", got)
	}
	_, err = s.SignUp(ctx, ann, pos)
	refused(t, "SignUp on leave", err, store.EConflict, "you cannot take this shift: "+why)

	// Days are the agency's: a shift ending 00:30 on the 14th touches the leave.
	late := approvedJob(t, s, cust, site, mustLocal("2026-12-13 20:30"), 4, 1)
	refused(t, "a night shift into the leave", s.Assign(ctx, "dispatch", late.Positions[0].ID, a.ID, ""), store.EConflict, "on leave from Mon 14 Dec until Fri 18 Dec: family")
	// The day after the leave is free.
	after := approvedJob(t, s, cust, site, mustLocal("2026-12-19 00:00"), 4, 1)
	if err := s.Assign(ctx, "dispatch", after.Positions[0].ID, a.ID, ""); err != nil {
		t.Fatalf("the day after the leave: %v", err)
	}

	// Ended on the 16th: the 17th is the officer's again.
	if _, err := s.EndStanding(ctx, "test", a.ID, p.ID, ymd("2026-12-16")); err != nil {
		t.Fatal(err)
	}
	if got := openIDs(t, s, ann); !slices.Contains(got, pos) {
		t.Errorf("after the leave ended the shift is not open to the officer: %v", got)
	}
	if _, err := s.SignUp(ctx, ann, pos); err != nil {
		t.Fatalf("SignUp after the leave ended: %v", err)
	}
}

// Suspension and open-ended periods; restricted duty blocks supervisor
// positions and roadway, site and crowd venues only.
func TestSuspensionAndRestrictedDuty(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Standing Co")
	sus := officer(t, s, "west-valley-city", "S1", "officer", 40)
	res := officer(t, s, "west-valley-city", "R1", "sergeant", 40)
	if _, _, err := s.AddStanding(ctx, "test", store.StandingInput{OfficerID: sus.ID, Kind: "suspended", From: ymd("2026-12-01"), Reason: "IA review"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddStanding(ctx, "test", store.StandingInput{OfficerID: res.ID, Kind: "restricted", From: ymd("2026-12-01"), To: ymd("2027-01-31"), Reason: "knee"}); err != nil {
		t.Fatal(err)
	}
	retail := approvedJob(t, s, cust, site, mustLocal("2026-12-17 10:00"), 4, 5) // 5 officers and a supervisor
	build := venueJob(t, s, cust, site, pricing.VenueConstruction, mustLocal("2026-12-18 10:00"), 4, 1)
	sup := positionIDs(retail.Positions, "supervisor")[0]
	first := positionIDs(retail.Positions, "officer")[0]

	c := candidate(t, s, first, sus.ID)
	if got := reasonTexts(c); got != "suspended until further notice" || c.Overridable() {
		t.Errorf("suspended: %q (overridable %v)", got, c.Overridable())
	}
	if strings.Contains(reasonTexts(c), "IA review") {
		t.Errorf("a suspension's reason is shown in the picker: %q", reasonTexts(c))
	}
	if got := reasonTexts(candidate(t, s, sup, res.ID)); got != "on restricted duty until Sun 31 Jan 2027: no supervisor positions" {
		t.Errorf("restricted sergeant for a supervisor post: %q", got)
	}
	if got := reasonTexts(candidate(t, s, build.Positions[0].ID, res.ID)); got != "on restricted duty until Sun 31 Jan 2027: not at construction venues" {
		t.Errorf("restricted at a construction site: %q", got)
	}
	if err := s.Assign(ctx, "dispatch", first, res.ID, ""); err != nil {
		t.Errorf("restricted duty at a retail post: %v", err)
	}

	// A period of the same kind does not overlap another.
	_, _, err := s.AddStanding(ctx, "test", store.StandingInput{OfficerID: sus.ID, Kind: "suspension", From: ymd("2027-03-01"), To: ymd("2027-03-02"), Reason: "again"})
	refused(t, "an overlapping suspension", err, store.EConflict, "overlaps suspension from 2026-12-01")
	for _, in := range []store.StandingInput{
		{OfficerID: sus.ID, Kind: "holiday", From: ymd("2027-01-01"), Reason: "x"},
		{OfficerID: sus.ID, Kind: "leave", From: ymd("2027-01-05"), To: ymd("2027-01-04"), Reason: "x"},
		{OfficerID: sus.ID, Kind: "leave", From: ymd("2027-01-05"), Reason: "  "},
		{OfficerID: sus.ID, Kind: "leave", Reason: "x"},
	} {
		if _, _, err := s.AddStanding(ctx, "test", in); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("AddStanding(%+v) = %v, want invalid", in, err)
		}
	}
}

// A new period names the shifts the officer already holds in it; they are
// not taken away.
func TestStandingNamesHeldShifts(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Held Co")
	o := officer(t, s, "west-valley-city", "H1", "officer", 40)
	in := booked(t, s, cust, site, o, "2026-12-10 10:00", 4)
	booked(t, s, cust, site, o, "2026-12-20 10:00", 4) // after the leave
	_, held, err := s.AddStanding(ctx, "test", store.StandingInput{OfficerID: o.ID, Kind: "leave", From: ymd("2026-12-09"), To: ymd("2026-12-12"), Reason: "surgery"})
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || held[0].JobID != in.ID || !strings.Contains(held[0].Why, "on leave") {
		t.Fatalf("held shifts = %+v, want job #%d only", held, in.ID)
	}
	if j := job(t, s, in.ID); j.Positions[0].OfficerID != o.ID {
		t.Errorf("the held shift lost its officer")
	}
}

// A venue category's requirement: a lapsed certification refuses, one
// expiring before the shift ends refuses, a current one accepts, none
// refuses; a customer's requirement binds its jobs only.
func TestCertificationRequirements(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Build Co")
	other, otherSite := customerAndSite(t, s, "Other Co")
	lapsed := officer(t, s, "west-valley-city", "C1", "officer", 40)
	current := officer(t, s, "west-valley-city", "C2", "officer", 40)
	none := officer(t, s, "west-valley-city", "C3", "officer", 40)
	edge := officer(t, s, "west-valley-city", "C4", "officer", 40)
	dan := personUser(t, s, "dan", store.RoleDispatcher, 0)
	sam := personUser(t, s, "sam", store.RoleSupervisor, 0)

	if _, err := s.AddRequirement(ctx, dan, store.RequirementInput{Venue: "construction", Cert: "traffic control"}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a dispatcher adding a requirement: %v, want forbidden", err)
	}
	r, err := s.AddRequirement(ctx, sam, store.RequirementInput{Venue: "Construction", Cert: "Traffic  Control certification"})
	if err != nil || r.Cert != "traffic control" || r.Venue != pricing.VenueConstruction {
		t.Fatalf("AddRequirement = %+v, %v", r, err)
	}
	_, err = s.AddRequirement(ctx, sam, store.RequirementInput{Venue: "construction", Cert: "traffic control"})
	refused(t, "the same requirement twice", err, store.EConflict, "already required")
	if _, err := s.AddRequirement(ctx, sam, store.RequirementInput{CustomerID: cust, Cert: "site induction"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []store.RequirementInput{{Venue: "moon", Cert: "x"}, {Cert: "x"}, {Venue: "event", CustomerID: cust, Cert: "x"}, {Venue: "event", Cert: " "}} {
		if _, err := s.AddRequirement(ctx, sam, in); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("AddRequirement(%+v) = %v, want invalid", in, err)
		}
	}

	for _, c := range []struct {
		o    store.Officer
		name string
		exp  string
	}{{lapsed, "traffic control", "2026-11-30"}, {current, "traffic control", "2027-06-30"}, {edge, "traffic control", "2026-12-17"},
		{lapsed, "site induction", "2027-12-31"}, {current, "site induction", "2027-12-31"}, {edge, "site induction", "2027-12-31"}} {
		if _, err := s.SetCert(ctx, sam, c.o.ID, store.CertAdd, c.name, ymd(c.exp)); err != nil {
			t.Fatal(err)
		}
	}
	// 17 Dec 22:00 to 18 Dec 02:00: the edge officer's certification lapses mid-shift.
	j := venueJob(t, s, cust, site, pricing.VenueConstruction, mustLocal("2026-12-17 22:00"), 4, 1)
	pos := j.Positions[0].ID
	for _, c := range []struct {
		o    store.Officer
		want string
	}{
		{lapsed, "traffic control certification expired 30 Nov"},
		{edge, "traffic control certification expires 17 Dec, before the shift ends"},
		{none, "no traffic control certification (required at construction venues); no site induction certification (required by Build Co (#"},
		{current, ""},
	} {
		got := reasonTexts(candidate(t, s, pos, c.o.ID))
		if c.want == "" && got != "" || !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: reasons %q, want %q", c.o.Badge, got, c.want)
		}
	}
	refused(t, "Assign with a lapsed certification", s.Assign(ctx, "dispatch", pos, lapsed.ID, "short-handed"), store.EConflict, "traffic control certification expired 30 Nov")
	ann := personUser(t, s, "ann", store.RoleOfficer, lapsed.ID)
	_, err = s.SignUp(ctx, ann, pos)
	refused(t, "SignUp with a lapsed certification", err, store.EConflict, "traffic control certification expired 30 Nov")
	if err := s.Assign(ctx, "dispatch", pos, current.ID, ""); err != nil {
		t.Fatalf("Assign with a current certification: %v", err)
	}

	// The edge officer's certification holds through the 17th: a shift ending at midnight is fine.
	day17 := venueJob(t, s, other, otherSite, pricing.VenueConstruction, mustLocal("2026-12-17 16:00"), 8, 1)
	if c := candidate(t, s, day17.Positions[0].ID, edge.ID); !c.Eligible() {
		t.Errorf("a certification valid through the 17th refuses a shift ending 24:00 on the 17th: %q", reasonTexts(c))
	}
	// Renewed, the lapsed officer may go; the customer's requirement binds Build Co only.
	if _, err := s.SetCert(ctx, sam, lapsed.ID, store.CertRenew, "TRAFFIC CONTROL", ymd("2028-11-30")); err != nil {
		t.Fatal(err)
	}
	if c := candidate(t, s, day17.Positions[0].ID, lapsed.ID); !c.Eligible() {
		t.Errorf("renewed: %q", reasonTexts(c))
	}
	retail := approvedJob(t, s, other, otherSite, mustLocal("2026-12-21 10:00"), 4, 1)
	if c := candidate(t, s, retail.Positions[0].ID, none.ID); !c.Eligible() {
		t.Errorf("a retail job of another customer needs no certification: %q", reasonTexts(c))
	}

	// add/renew mistakes say what to do; removal refuses again.
	_, err = s.SetCert(ctx, sam, current.ID, store.CertAdd, "traffic control", ymd("2029-01-01"))
	refused(t, "adding a held certification", err, store.EConflict, "renew it")
	_, err = s.SetCert(ctx, sam, none.ID, store.CertRenew, "traffic control", ymd("2029-01-01"))
	refused(t, "renewing a certification not held", err, store.EConflict, "add it")
	if err := s.RemoveCert(ctx, sam, lapsed.ID, "traffic control"); err != nil {
		t.Fatal(err)
	}
	if c := candidate(t, s, day17.Positions[0].ID, lapsed.ID); !strings.HasPrefix(reasonTexts(c), "no traffic control certification") {
		t.Errorf("after removal: %q", reasonTexts(c))
	}
	if _, err := s.RemoveRequirement(ctx, sam, store.RequirementInput{Venue: "construction", Cert: "traffic control"}); err != nil {
		t.Fatal(err)
	}
	if c := candidate(t, s, day17.Positions[0].ID, lapsed.ID); !c.Eligible() {
		t.Errorf("after the requirement was removed: %q", reasonTexts(c))
	}
	if _, err := s.RemoveRequirement(ctx, sam, store.RequirementInput{Venue: "construction", Cert: "traffic control"}); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("removing it twice: %v", err)
	}
	reqs, err := s.Requirements(ctx, dan)
	if err != nil || len(reqs) != 1 || reqs[0].CustomerID != cust || reqs[0].Cert != "site induction" {
		t.Errorf("Requirements = %+v, %v", reqs, err)
	}
}

// Every change to standing, certifications and requirements is audited
// with what was before and what is after; supervisors write, dispatchers read.
func TestStandingAudited(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, _ := customerAndSite(t, s, "Audit Co")
	o := officer(t, s, "west-valley-city", "A9", "officer", 40)
	dan := personUser(t, s, "dan", store.RoleDispatcher, 0)
	sam := personUser(t, s, "sam", store.RoleSupervisor, 0)

	if _, _, err := s.AddStanding(ctx, dan, store.StandingInput{OfficerID: o.ID, Kind: "leave", From: ymd("2026-12-01"), Reason: "x"}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a dispatcher adding leave: %v", err)
	}
	if _, err := s.SetCert(ctx, dan, o.ID, store.CertAdd, "x", ymd("2027-01-01")); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a dispatcher adding a certification: %v", err)
	}
	p, _, err := s.AddStanding(ctx, sam, store.StandingInput{OfficerID: o.ID, Kind: "leave", From: ymd("2026-12-01"), Reason: "family"})
	if err != nil {
		t.Fatal(err)
	}
	q, _, err := s.AddStanding(ctx, sam, store.StandingInput{OfficerID: o.ID, Kind: "restricted", From: ymd("2027-02-01"), To: ymd("2027-02-10"), Reason: "typo"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		do            func() error
		action        string
		before, after string
	}{
		{func() error { _, err := s.EndStanding(ctx, sam, o.ID, p.ID, ymd("2026-12-04")); return err }, "standing end",
			"leave from 2026-12-01, until further notice: family", "leave 2026-12-01 to 2026-12-04: family"},
		{func() error { return s.RemoveStanding(ctx, sam, o.ID, q.ID) }, "standing remove", "restricted 2027-02-01 to 2027-02-10: typo", ""},
		{func() error {
			_, err := s.SetCert(ctx, sam, o.ID, store.CertAdd, "Alcohol venue training", ymd("2026-12-10"))
			return err
		}, "cert add",
			"", "alcohol venue training valid through 2026-12-10"},
		{func() error {
			_, err := s.SetCert(ctx, sam, o.ID, store.CertRenew, "alcohol venue training", ymd("2028-12-10"))
			return err
		}, "cert renew",
			"alcohol venue training valid through 2026-12-10", "alcohol venue training valid through 2028-12-10"},
		{func() error { return s.RemoveCert(ctx, sam, o.ID, "alcohol venue training") }, "cert remove", "alcohol venue training valid through 2028-12-10", ""},
		{func() error {
			_, err := s.AddRequirement(ctx, sam, store.RequirementInput{CustomerID: cust, Cert: "site induction"})
			return err
		}, "add", "", "Audit Co (#"},
		{func() error {
			_, err := s.RemoveRequirement(ctx, sam, store.RequirementInput{CustomerID: cust, Cert: "site induction"})
			return err
		}, "remove", "Audit Co (#", ""},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
		log, err := s.Audit(ctx, store.AuditFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := log[0]
		if e.Action != st.action || e.Actor != sam || !strings.HasPrefix(e.Before, st.before) || !strings.HasPrefix(e.After, st.after) ||
			(st.before == "") != (e.Before == "") || (st.after == "") != (e.After == "") {
			t.Errorf("audit after %s = %+v, want before %q after %q by %s", st.action, e, st.before, st.after, sam)
		}
	}
	log, _ := s.Audit(ctx, store.AuditFilter{Actor: sam})
	if len(log) != 2+len(steps) {
		t.Errorf("%d audit entries by the supervisor, want %d (the two periods and each step)", len(log), 2+len(steps))
	}
	// Dispatchers read; an officer user does not.
	st, err := s.OfficerStanding(ctx, dan, o.ID)
	if err != nil || len(st.Periods) != 1 || st.Periods[0].To != ymd("2026-12-04") || len(st.Certs) != 0 {
		t.Errorf("OfficerStanding = %+v, %v", st, err)
	}
	ann := personUser(t, s, "ann", store.RoleOfficer, o.ID)
	if _, err := s.Standings(ctx, ann); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("an officer user reading standings: %v", err)
	}
}

// StandingReasons is a pure function: the days are the agency's, the end
// day inclusive, and the words carry the year when it is not the shift's.
func TestStandingReasons(t *testing.T) {
	loc := denver()
	leave := func(from, to, reason string) store.StandingPeriod {
		p := store.StandingPeriod{Kind: store.StandingLeave, From: ymd(from), Reason: reason}
		if to != "" {
			p.To = ymd(to)
		}
		return p
	}
	reqs := []store.Requirement{{Venue: pricing.VenueEvent, Cert: "crowd control"}, {CustomerID: 7, CustomerName: "Arena", Cert: "crowd control"}}
	today := ymd("2026-11-26")
	for _, c := range []struct {
		name  string
		st    store.Standing
		venue pricing.Venue
		cust  int64
		start string
		hours int
		want  string
	}{
		{"leave ends the day before", store.Standing{Periods: []store.StandingPeriod{leave("2026-12-01", "2026-12-16", "family")}}, pricing.VenueRetail, 0, "2026-12-17 00:00", 4, ""},
		{"leave begins the day after", store.Standing{Periods: []store.StandingPeriod{leave("2026-12-18", "", "family")}}, pricing.VenueRetail, 0, "2026-12-17 18:00", 6, ""},
		{"leave into next year", store.Standing{Periods: []store.StandingPeriod{leave("2026-12-20", "2027-01-03", "travel")}}, pricing.VenueRetail, 0, "2026-12-31 20:00", 6,
			"on leave until Sun 03 Jan 2027: travel"},
		{"certification by venue and customer counted once", store.Standing{}, pricing.VenueEvent, 7, "2026-12-17 10:00", 4,
			"no crowd control certification (required at event venues)"},
		{"customer's requirement only", store.Standing{}, pricing.VenueRetail, 7, "2026-12-17 10:00", 4,
			"no crowd control certification (required by Arena (#7))"},
		{"lapsed last year", store.Standing{Certs: []store.Cert{{Name: "crowd control", Expires: ymd("2026-12-30")}}}, pricing.VenueEvent, 0, "2027-01-02 10:00", 4,
			"crowd control certification expired 30 Dec 2026"},
	} {
		st := mustLocal(c.start)
		var got []string
		for _, r := range store.StandingReasons(c.st, reqs, c.venue, c.cust, st, st.Add(time.Duration(c.hours)*time.Hour), false, loc) {
			if r.Cap {
				t.Errorf("%s: %q is a cap", c.name, r.Text)
			}
			got = append(got, r.Text)
		}
		if strings.Join(got, "; ") != c.want {
			t.Errorf("%s: %q, want %q", c.name, strings.Join(got, "; "), c.want)
		}
	}
	cert := store.Cert{Name: "x", Expires: ymd("2026-12-26")}
	if cert.DaysLeft(today) != 30 || !cert.Expiring(today) || (store.Cert{Expires: ymd("2026-12-27")}).Expiring(today) {
		t.Errorf("DaysLeft = %d; 30 days ahead is expiring, 31 is not", cert.DaysLeft(today))
	}
}
