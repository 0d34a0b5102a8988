package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// personUser adds a user of a role linked to an officer, an agency or an
// account, and returns it as an SSH actor.
func personUser(t testing.TB, s *store.Store, name, role string, id int64) string {
	t.Helper()
	in := store.UserInput{Name: name, Role: role}
	switch role {
	case store.RoleOfficer:
		in.OfficerID = id
	case store.RoleAgency:
		in.AgencyID = id
	case store.RoleCustomer:
		in.CustomerID = id
	}
	if _, err := s.CreateUserWith(context.Background(), "test", in); err != nil {
		t.Fatalf("CreateUserWith %s: %v", name, err)
	}
	return store.SSHActor(name)
}

// openIDs are the positions of an officer's open shifts, in order.
func openIDs(t testing.TB, s *store.Store, actor string) []int64 {
	t.Helper()
	list, err := s.OpenShifts(context.Background(), actor)
	if err != nil {
		t.Fatalf("OpenShifts(%s): %v", actor, err)
	}
	var out []int64
	for i, o := range list {
		if i > 0 && o.Start.Before(list[i-1].Start) {
			t.Errorf("OpenShifts(%s) not by start: %v before %v", actor, list[i-1].Start, o.Start)
		}
		out = append(out, o.PositionID)
	}
	return out
}

// refused asserts a store error of a code whose message holds want.
func refused(t *testing.T, what string, err error, code, want string) {
	t.Helper()
	if store.ErrorCode(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: %q does not say %q", what, err.Error(), want)
	}
}

func positionIDs(ps []store.Position, class string) []int64 {
	var out []int64
	for _, p := range ps {
		if class == "" || p.Class == class {
			out = append(out, p.ID)
		}
	}
	return out
}

// gvJob creates and approves an n-officer Grantsville job.
func gvJob(t testing.TB, s *store.Store, cust, site int64, start time.Time, hours, n int) store.Job {
	t.Helper()
	ctx := context.Background()
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "grantsville",
		Start: start, End: start.Add(time.Duration(hours) * time.Hour), Officers: n, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Approve(ctx, "dispatch", ids[0]); err != nil {
		t.Fatal(err)
	}
	return job(t, s, ids[0])
}

// An officer sees the open shifts it may take, by the picker's rules, and
// is told why when it asks for one it may not.
func TestOpenShiftsAndSignUp(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Acme Mall")
	a := officer(t, s, "west-valley-city", "A1", "officer", 40)
	capped := officer(t, s, "west-valley-city", "C1", "officer", 4)
	officer(t, s, "grantsville", "G1", "officer", 40) // another agency's: its shift is not A's
	ann := personUser(t, s, "ann", store.RoleOfficer, a.ID)
	cee := personUser(t, s, "cee", store.RoleOfficer, capped.ID)

	booked(t, s, cust, site, a, "2026-12-08 09:00", 6)                          // A is busy on the 8th
	booked(t, s, cust, site, capped, "2026-12-07 08:00", 4)                     // C's week is full
	clash := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1) // overlaps A's
	fine := approvedJob(t, s, cust, site, mustLocal("2026-12-10 10:00"), 4, 1)
	big := approvedJob(t, s, cust, site, mustLocal("2026-12-12 10:00"), 4, 5) // 5 officers and a supervisor
	if _, err := s.CreateJobs(ctx, "dispatch", oneOfficer(cust, site, mustLocal("2026-12-11 10:00"), testNow)); err != nil {
		t.Fatal(err) // requested, not approved: not open
	}
	gvj := gvJob(t, s, cust, site, mustLocal("2026-12-09 10:00"), 4, 1)

	want := append([]int64{fine.Positions[0].ID}, positionIDs(big.Positions, "officer")...)
	if got := openIDs(t, s, ann); !slices.Equal(got, want) {
		t.Fatalf("A's open shifts = %v, want %v (no overlap, no supervisor post, no other agency, no request)", got, want)
	}
	list, _ := s.OpenShifts(ctx, ann)
	if o := list[0]; o.Hours != "4 h" || !o.Pay.Equal(dec("200")) || o.SiteName != "Acme Mall site" || o.AgencyZone != "America/Denver" || !o.FairOnlyUntil.IsZero() {
		t.Errorf("open shift = %+v, want 4 h paid 200.00 (the officer's $50.00 share) at Acme Mall site", o)
	}
	// C's weekly cap is full in the week of Monday the 7th: the 10th and the 12th are not open to C.
	if got := openIDs(t, s, cee); len(got) != 0 {
		t.Errorf("C's open shifts = %v, want none (weekly cap)", got)
	}

	_, err := s.SignUp(ctx, ann, clash.Positions[0].ID)
	refused(t, "A signing up for an overlapping shift", err, store.EConflict, "overlapping shift")
	sup := positionIDs(big.Positions, "supervisor")[0]
	_, err = s.SignUp(ctx, ann, sup)
	refused(t, "an officer signing up for a supervisor post", err, store.EConflict, "supervisor rank needed")
	_, err = s.SignUp(ctx, cee, fine.Positions[0].ID)
	refused(t, "C signing up past the weekly cap", err, store.EConflict, "weekly cap")
	_, err = s.SignUp(ctx, ann, gvj.Positions[0].ID)
	refused(t, "A signing up for another agency's shift", err, store.EForbidden, "another agency")
	for _, who := range []string{"test", "dispatch"} {
		if _, err := s.OpenShifts(ctx, who); store.ErrorCode(err) != store.EForbidden {
			t.Errorf("OpenShifts(%s) = %v, want forbidden (officer users only)", who, err)
		}
	}
	if _, err := s.SignUp(ctx, "test", fine.Positions[0].ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("SignUp by the local operator = %v, want forbidden", err)
	}

	res, err := s.SignUp(ctx, ann, fine.Positions[0].ID)
	if err != nil || res.State != store.SignupAssigned || res.SignupID == 0 || !strings.Contains(res.Message, "Acme Mall site") {
		t.Fatalf("SignUp = %+v, %v; want assigned at once", res, err)
	}
	if j := job(t, s, fine.ID); j.Status != store.StatusScheduled || j.Positions[0].OfficerID != a.ID {
		t.Errorf("after the sign-up the job is %s with officer %d, want scheduled with A", j.Status, j.Positions[0].OfficerID)
	}
	if got := openIDs(t, s, ann); slices.Contains(got, fine.Positions[0].ID) {
		t.Errorf("the shift taken is still open: %v", got)
	}
	_, err = s.SignUp(ctx, ann, fine.Positions[0].ID)
	refused(t, "signing up twice", err, store.EConflict, "already holds")
	ups, err := s.Signups(ctx, ann, "")
	if err != nil || len(ups) != 1 || ups[0].State != store.SignupAssigned || ups[0].JobID != fine.ID {
		t.Errorf("Signups(ann) = %+v, %v", ups, err)
	}
}

// Two officers race for the last position: exactly one gets it, the other
// is told it was taken.
func TestSignUpRace(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Race Co")
	var actors []string
	var ids []int64
	for _, b := range []string{"R1", "R2", "R3"} {
		o := officer(t, s, "west-valley-city", b, "officer", 60)
		actors = append(actors, personUser(t, s, strings.ToLower(b), store.RoleOfficer, o.ID))
		ids = append(ids, o.ID)
	}
	stores := append([]*store.Store{s}, openMany(t, path, 2)...)
	for round := range 4 {
		j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00").AddDate(0, 0, 2*round), 4, 1)
		errs := make([]error, len(actors))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range actors {
			wg.Go(func() {
				<-start
				_, errs[i] = stores[i].SignUp(ctx, actors[i], j.Positions[0].ID)
			})
		}
		close(start)
		wg.Wait()
		won := -1
		for i, err := range errs {
			noBusy(t, err)
			switch {
			case err == nil && won >= 0:
				t.Fatalf("round %d: %s and %s both got the last position", round, actors[won], actors[i])
			case err == nil:
				won = i
			default:
				refused(t, "the slower sign-up", err, store.EConflict, "took this shift first")
			}
		}
		if won < 0 {
			t.Fatalf("round %d: nobody got the position: %v", round, errs)
		}
		if got := job(t, s, j.ID); got.Positions[0].OfficerID != ids[won] || got.Status != store.StatusScheduled {
			t.Errorf("round %d: position holds %d (job %s), want the winner %d", round, got.Positions[0].OfficerID, got.Status, ids[won])
		}
	}
}

// When the office confirms sign-ups, a sign-up waits for a dispatcher, who
// accepts it under the rules or refuses it with a reason.
func TestSignUpConfirmMode(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	set, _ := s.Settings(ctx)
	set.SignupMode = store.SignupConfirm
	if err := s.SetSettings(ctx, "test", set); err != nil {
		t.Fatal(err)
	}
	cust, site := customerAndSite(t, s, "Confirm Co")
	a := officer(t, s, "west-valley-city", "A1", "officer", 40)
	b := officer(t, s, "west-valley-city", "B1", "officer", 40)
	ann := personUser(t, s, "ann", store.RoleOfficer, a.ID)
	bob := personUser(t, s, "bob", store.RoleOfficer, b.ID)
	dan := personUser(t, s, "dan", store.RoleDispatcher, 0)
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	pos := j.Positions[0].ID

	ra, err := s.SignUp(ctx, ann, pos)
	if err != nil || ra.State != store.SignupPending {
		t.Fatalf("SignUp in confirm mode = %+v, %v; want pending", ra, err)
	}
	if got := job(t, s, j.ID); got.Positions[0].OfficerID != 0 || got.Status != store.StatusApproved {
		t.Fatalf("a pending sign-up filled the position: %+v", got.Positions[0])
	}
	_, err = s.SignUp(ctx, ann, pos)
	refused(t, "signing up twice", err, store.EConflict, "already")
	rb, err := s.SignUp(ctx, bob, pos)
	if err != nil || rb.State != store.SignupPending {
		t.Fatalf("second officer's sign-up = %+v, %v", rb, err)
	}
	if ups, err := s.Signups(ctx, dan, store.SignupPending); err != nil || len(ups) != 2 {
		t.Fatalf("pending sign-ups for the dispatcher = %+v, %v; want 2", ups, err)
	}
	if ups, err := s.Signups(ctx, bob, ""); err != nil || len(ups) != 1 || ups[0].OfficerID != b.ID {
		t.Fatalf("Bob's sign-ups = %+v, %v; want his own only", ups, err)
	}
	if err := s.DecideSignup(ctx, ann, ra.SignupID, true, ""); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("an officer deciding a sign-up = %v, want forbidden", err)
	}

	// The rules are judged again when the dispatcher accepts: Ann was booked meanwhile.
	booked(t, s, cust, site, a, "2026-12-08 11:00", 2)
	err = s.DecideSignup(ctx, dan, ra.SignupID, true, "")
	refused(t, "accepting a sign-up the rules no longer allow", err, store.EConflict, "overlapping")
	if err := s.DecideSignup(ctx, dan, rb.SignupID, true, "ok"); err != nil {
		t.Fatalf("accept Bob: %v", err)
	}
	if got := job(t, s, j.ID); got.Positions[0].OfficerID != b.ID || got.Status != store.StatusScheduled {
		t.Fatalf("after accepting Bob: officer %d, job %s", got.Positions[0].OfficerID, got.Status)
	}
	ups, _ := s.Signups(ctx, "test", "")
	states := map[int64]store.Signup{}
	for _, u := range ups {
		states[u.ID] = u
	}
	if u := states[ra.SignupID]; u.State != store.SignupRefused || !strings.Contains(u.Reason, "filled") {
		t.Errorf("Ann's sign-up after Bob got the post = %+v, want refused: filled", u)
	}
	if u := states[rb.SignupID]; u.State != store.SignupAssigned || u.DecidedBy != dan {
		t.Errorf("Bob's sign-up = %+v, want assigned by dan", u)
	}
	err = s.DecideSignup(ctx, dan, rb.SignupID, true, "")
	refused(t, "deciding twice", err, store.EConflict, "only a pending one")

	// Refused with a reason.
	k := approvedJob(t, s, cust, site, mustLocal("2026-12-15 10:00"), 4, 1)
	r, err := s.SignUp(ctx, ann, k.Positions[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DecideSignup(ctx, dan, r.SignupID, false, "we need a K9 officer"); err != nil {
		t.Fatal(err)
	}
	if ups, _ := s.Signups(ctx, ann, store.SignupRefused); len(ups) != 2 || ups[1].Reason != "we need a K9 officer" {
		t.Errorf("Ann's refused sign-ups = %+v", ups)
	}
	if got := job(t, s, k.ID); got.Positions[0].OfficerID != 0 {
		t.Errorf("a refused sign-up filled the position")
	}
}

// An officer drops its own shift more than 48 hours ahead; inside that it
// is told to call the office.
func TestDropShift(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Drop Co")
	a := officer(t, s, "west-valley-city", "A1", "officer", 40)
	b := officer(t, s, "west-valley-city", "B1", "officer", 40)
	ann := personUser(t, s, "ann", store.RoleOfficer, a.ID)
	bob := personUser(t, s, "bob", store.RoleOfficer, b.ID)

	far := approvedJob(t, s, cust, site, testNow.Add(72*time.Hour), 4, 1)
	if _, err := s.SignUp(ctx, ann, far.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	near := booked(t, s, cust, site, a, "2026-11-28 09:00", 4) // exactly 48 h ahead, assigned by a dispatcher

	err := s.DropShift(ctx, bob, far.Positions[0].ID, "")
	refused(t, "dropping another officer's shift", err, store.EForbidden, "not yours")
	err = s.DropShift(ctx, ann, near.Positions[0].ID, "sick")
	refused(t, "dropping inside 48 hours", err, store.EConflict, "inside 48 hours of the start: call the office")
	if got := job(t, s, near.ID); got.Positions[0].OfficerID != a.ID || got.Status != store.StatusScheduled {
		t.Errorf("a refused drop changed the shift: %+v", got.Positions[0])
	}
	if err := s.DropShift(ctx, ann, far.Positions[0].ID, "family event"); err != nil {
		t.Fatalf("dropping more than 48 h ahead: %v", err)
	}
	got := job(t, s, far.ID)
	if got.Positions[0].OfficerID != 0 || got.Positions[0].Status != "open" || got.Status != store.StatusApproved {
		t.Errorf("after the drop: position %+v, job %s; want open and approved", got.Positions[0], got.Status)
	}
	ups, _ := s.Signups(ctx, ann, store.SignupDropped)
	if len(ups) != 1 || ups[0].Reason != "family event" || ups[0].PositionID != far.Positions[0].ID {
		t.Errorf("dropped sign-ups = %+v", ups)
	}
	db := rawDB(t, path)
	if n := count(t, db, `SELECT count(*) FROM audit WHERE entity = 'position' AND entity_id = ? AND action = 'drop' AND after LIKE '%family event%'`, far.Positions[0].ID); n != 1 {
		t.Errorf("%d drop audit rows, want 1", n)
	}
	// The reopened shift is open to others again, and a drop of a
	// dispatcher's assignment is recorded too.
	if ids := openIDs(t, s, bob); !slices.Contains(ids, far.Positions[0].ID) {
		t.Errorf("Bob's open shifts %v lack the dropped one", ids)
	}
	setClock(t, testNow.Add(-2*time.Minute)) // 48 h 2 min before the near shift
	if err := s.DropShift(ctx, ann, near.Positions[0].ID, ""); err != nil {
		t.Fatalf("dropping a dispatcher's assignment 48 h 2 min ahead: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM signups WHERE position_id = ? AND state = 'dropped'`, near.Positions[0].ID); n != 1 {
		t.Errorf("the drop of a dispatcher's assignment left %d sign-up rows", n)
	}
	if err := s.DropShift(ctx, "test", near.Positions[0].ID, ""); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("DropShift by the local operator = %v, want forbidden", err)
	}
}

// An officer reads its own shifts, pay, jobs and what is shared with the
// officers: never another officer's, never a staff-only note, nothing of
// the office's books.
func TestOfficerReadsOnlyItsOwn(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Own Co")
	ja := workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "PA")
	jb := workedJob(t, s, cust, site, shift{start: "2026-12-09 10:00", end: "2026-12-09 16:00", officers: 1}, "PB")
	a, b := ja.Positions[0].OfficerID, jb.Positions[0].OfficerID
	ann := personUser(t, s, "ann", store.RoleOfficer, a)
	personUser(t, s, "bob", store.RoleOfficer, b)
	for _, n := range []struct {
		body string
		aud  store.Audience
	}{{"staff only: customer is slow to pay", store.AudienceStaff}, {"for officers: park at the back", store.AudienceOfficers},
		{"for the customer: thanks", store.AudienceCustomer}} {
		if _, err := s.AddNote(ctx, "dispatch", ja.ID, n.body, n.aud); err != nil {
			t.Fatal(err)
		}
	}

	pay, err := s.MyPay(ctx, ann, day(t, "2026-12-08"))
	if err != nil {
		t.Fatal(err)
	}
	if pay.Officer.ID != a || len(pay.Lines) == 0 || !pay.Total.Equal(dec("200")) {
		t.Fatalf("MyPay = %+v, want A's 200.00", pay)
	}
	for _, l := range pay.Lines {
		if l.OfficerID != a {
			t.Errorf("MyPay returned officer %d's line", l.OfficerID)
		}
	}
	all, err := s.Payroll(ctx, "test", day(t, "2026-12-08"))
	if err != nil || len(all.Officers) != 2 {
		t.Fatalf("Payroll = %+v, %v; want both officers (the lines MyPay picks from)", all, err)
	}
	shifts, err := s.MyShifts(ctx, ann, mustLocal("2026-12-01 00:00"), mustLocal("2027-01-01 00:00"))
	if err != nil || len(shifts) != 1 {
		t.Fatalf("MyShifts = %+v, %v; want A's one shift", shifts, err)
	}
	if sh := shifts[0]; sh.JobID != ja.ID || sh.CheckIn.IsZero() || sh.CheckOut.IsZero() || sh.Minutes != 240 || !sh.Pay.Equal(dec("200")) {
		t.Errorf("my shift = %+v, want job %d worked 4 h, paid 200.00", sh, ja.ID)
	}
	if _, err := s.OfficerShifts(ctx, ann, b, mustLocal("2026-12-01 00:00"), 0); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("OfficerShifts of another officer = %v, want forbidden", err)
	}
	if _, err := s.OfficerShifts(ctx, ann, a, mustLocal("2026-12-01 00:00"), 0); err != nil {
		t.Errorf("OfficerShifts of its own: %v", err)
	}
	jobs, err := s.Jobs(ctx, ann, store.JobFilter{})
	if err != nil || !slices.Equal(jobIDs(jobs), []int64{ja.ID}) || !jobs[0].Total.IsZero() {
		t.Errorf("Jobs(ann) = %v, %v; want only its job, without the customer's money", jobIDs(jobs), err)
	}
	wp, err := s.JobsWithPositions(ctx, ann, mustLocal("2026-12-01 00:00"), mustLocal("2027-01-01 00:00"))
	if err != nil || !slices.Equal(jobIDs(wp), []int64{ja.ID}) {
		t.Errorf("JobsWithPositions(ann) = %v, %v; want only its job", jobIDs(wp), err)
	}
	if _, err := s.Job(ctx, ann, jb.ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Job of another officer's shift = %v, want forbidden", err)
	}
	x, err := s.Extras(ctx, ann, ja.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, n := range x.Notes {
		bodies = append(bodies, n.Body)
		if n.Author != "office" {
			t.Errorf("an officer reads the staff's name %q", n.Author)
		}
	}
	if !slices.Equal(bodies, []string{"for officers: park at the back", "for the customer: thanks"}) {
		t.Errorf("officer's notes = %q, want the officers' and the customer's only", bodies)
	}
	if _, err := s.Extras(ctx, ann, jb.ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Extras of another officer's job = %v, want forbidden", err)
	}
	for what, call := range map[string]func() error{
		"Payroll":          func() error { _, err := s.Payroll(ctx, ann, day(t, "2026-12-08")); return err },
		"Invoices":         func() error { _, err := s.Invoices(ctx, ann, store.InvoiceFilter{}); return err },
		"GenerateInvoices": func() error { _, err := s.GenerateInvoices(ctx, ann, day(t, "2026-12-31"), 0, false); return err },
		"Users":            func() error { _, err := s.Users(ctx, ann); return err },
		"Outbox":           func() error { _, err := s.Outbox(ctx, ann, store.OutboxFilter{}); return err },
		"Check":            func() error { _, err := s.Check(ctx, ann); return err },
		"AgencyRoster":     func() error { _, err := s.AgencyRoster(ctx, ann, testNow, testNow.AddDate(0, 1, 0)); return err },
		"Assign":           func() error { return s.Assign(ctx, ann, jb.Positions[0].ID, a, "") },
	} {
		if err := call(); store.ErrorCode(err) != store.EForbidden {
			t.Errorf("%s by an officer = %v, want forbidden", what, err)
		}
	}
	if _, err := s.MyPay(ctx, "test", day(t, "2026-12-08")); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("MyPay by the local operator = %v, want forbidden", err)
	}
}

// An agency user reads its own officers' details only.
func TestAgencyViewer(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Roster Co")
	w := officer(t, s, "west-valley-city", "W1", "officer", 40)
	g := officer(t, s, "grantsville", "G1", "officer", 40)
	wj := booked(t, s, cust, site, w, "2026-12-08 10:00", 4)
	empty := approvedJob(t, s, cust, site, mustLocal("2026-12-09 10:00"), 4, 1) // nobody on it
	gj := gvJob(t, s, cust, site, mustLocal("2026-12-08 18:00"), 4, 1)
	if err := s.Assign(ctx, "dispatch", gj.Positions[0].ID, g.ID, ""); err != nil {
		t.Fatal(err)
	}
	wvc := personUser(t, s, "wvcpd", store.RoleAgency, agency(t, s, "west-valley-city").ID)
	gpd := personUser(t, s, "gpd", store.RoleAgency, agency(t, s, "grantsville").ID)
	cora := personUser(t, s, "cora", store.RoleCustomer, cust)
	from, to := mustLocal("2026-12-01 00:00"), mustLocal("2027-01-01 00:00")

	for _, c := range []struct {
		actor   string
		officer int64
	}{{wvc, w.ID}, {gpd, g.ID}} {
		lines, err := s.AgencyRoster(ctx, c.actor, from, to)
		if err != nil || len(lines) != 1 || lines[0].OfficerID != c.officer || lines[0].SiteAddress != "1 Main St" || lines[0].Badge == "" {
			t.Errorf("AgencyRoster(%s) = %+v, %v; want its one officer", c.actor, lines, err)
		}
	}
	if lines, err := s.AgencyRoster(ctx, "test", from, to); err != nil || len(lines) != 2 {
		t.Errorf("AgencyRoster for the office = %+v, %v; want both agencies", lines, err)
	}
	if _, err := s.AgencyRoster(ctx, cora, from, to); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("AgencyRoster by a customer = %v, want forbidden", err)
	}
	jobs, err := s.Jobs(ctx, wvc, store.JobFilter{})
	if err != nil || !slices.Equal(jobIDs(jobs), []int64{wj.ID}) {
		t.Errorf("Jobs(wvcpd) = %v, %v; want only its job with an officer (not %d nor %d)", jobIDs(jobs), err, empty.ID, gj.ID)
	}
	if _, err := s.Job(ctx, wvc, gj.ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Job of another agency's = %v, want forbidden", err)
	}
	if j, err := s.Job(ctx, gpd, gj.ID); err != nil || !j.Total.IsZero() || j.Positions[0].OfficerID != g.ID {
		t.Errorf("Job of its own = %+v, %v", j, err)
	}
	if _, err := s.OfficerShifts(ctx, wvc, g.ID, from, 0); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("OfficerShifts of another agency's officer = %v, want forbidden", err)
	}
	if sh, err := s.OfficerShifts(ctx, wvc, w.ID, from, 0); err != nil || len(sh) != 1 {
		t.Errorf("OfficerShifts of its own officer = %+v, %v", sh, err)
	}
	if _, err := s.Extras(ctx, wvc, wj.ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Extras by an agency = %v, want forbidden", err)
	}
	if _, err := s.Payroll(ctx, wvc, day(t, "2026-12-08")); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Payroll by an agency = %v, want forbidden", err)
	}
	if err := s.Unassign(ctx, wvc, wj.Positions[0].ID); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("Unassign by an agency = %v, want forbidden (read-only)", err)
	}
	if _, err := s.OpenShifts(ctx, wvc); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("OpenShifts by an agency = %v, want forbidden", err)
	}
}

// A customer requests work for its own account and sites only, priced like
// the operator's, and cancels only its own jobs, with the staff's fee.
func TestCustomerRequestsAndCancels(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	acme, acmeSite := customerAndSite(t, s, "Acme Mall")
	other, otherSite := customerAndSite(t, s, "Other Arena")
	cora := personUser(t, s, "cora", store.RoleCustomer, acme)
	o := officer(t, s, "west-valley-city", "A1", "officer", 40)
	ann := personUser(t, s, "ann", store.RoleOfficer, o.ID)

	req := oneOfficer(acme, acmeSite, mustLocal("2026-11-28 10:00"), mustLocal("2026-11-01 09:00")) // claims an early receipt
	for what, in := range map[string]store.JobInput{
		"another account":          oneOfficer(other, otherSite, mustLocal("2026-12-08 10:00"), testNow),
		"another account's site":   oneOfficer(acme, otherSite, mustLocal("2026-12-08 10:00"), testNow),
		"a new customer":           {NewCustomer: &store.CustomerInput{Name: "Mine Now", Phone: "801-555-0199"}, SiteID: acmeSite, Agency: "west-valley-city", Start: mustLocal("2026-12-08 10:00"), End: mustLocal("2026-12-08 14:00"), Officers: 1, Venue: pricing.VenueRetail},
		"a site that is not there": oneOfficer(acme, 9999, mustLocal("2026-12-08 10:00"), testNow),
	} {
		if _, err := s.CreateJobs(ctx, cora, in); store.ErrorCode(err) != store.EForbidden {
			t.Errorf("a customer requesting for %s = %v, want forbidden", what, err)
		}
	}
	if _, err := s.CreateJobs(ctx, ann, req); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("an officer requesting work = %v, want forbidden", err)
	}
	ids, err := s.CreateJobs(ctx, cora, req)
	if err != nil || len(ids) != 1 {
		t.Fatalf("the customer's own request: %v, %v", ids, err)
	}
	mine := job(t, s, ids[0])
	if mine.Status != store.StatusRequested || !mine.Received.Equal(testNow) || mine.CreatedBy != cora || !mine.Quote.Emergency {
		t.Errorf("customer's request = %s received %v by %s (emergency %v); want requested, received now (short notice), by %s",
			mine.Status, mine.Received, mine.CreatedBy, mine.Quote.Emergency, cora)
	}
	staff := req
	staff.Received = testNow
	sids, err := s.CreateJobs(ctx, "olga", staff)
	if err != nil {
		t.Fatal(err)
	}
	if theirs := job(t, s, sids[0]); !theirs.Total.Equal(mine.Total) {
		t.Errorf("customer's request priced %s, the operator's %s", mine.Total, theirs.Total)
	}

	// Cancelling: its own approved job, at now whatever the plan says, with the staff's fee.
	own := approvedJob(t, s, acme, acmeSite, mustLocal("2026-11-27 18:00"), 4, 2) // 33 h ahead: inside 48 h, the officer share is due
	theirs := approvedJob(t, s, other, otherSite, mustLocal("2026-12-08 10:00"), 4, 1)
	if _, err := s.Cancel(ctx, cora, theirs.ID, testNow, "not mine"); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("cancelling another account's job = %v, want forbidden", err)
	}
	if _, err := s.PreviewCancelFor(ctx, cora, store.CancelPlan{JobID: theirs.ID, At: testNow}); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("previewing another account's cancellation = %v, want forbidden", err)
	}
	if _, err := s.Cancel(ctx, ann, own.ID, testNow, ""); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("an officer cancelling = %v, want forbidden", err)
	}
	if got := job(t, s, theirs.ID); got.Status != store.StatusApproved {
		t.Errorf("refused cancellation left job %s", got.Status)
	}
	staffFee, err := s.PreviewCancel(ctx, store.CancelPlan{JobID: own.ID, At: testNow, Officers: 1})
	if err != nil {
		t.Fatal(err)
	}
	early, err := s.PreviewCancel(ctx, store.CancelPlan{JobID: own.ID, At: mustLocal("2026-11-01 09:00"), Officers: 1})
	if err != nil || !early.Total.LessThan(staffFee.Total) {
		t.Fatalf("a cancellation weeks ahead costs %v (%v), want less than now's %v", early.Total, err, staffFee.Total)
	}
	preview, err := s.PreviewCancelFor(ctx, cora, store.CancelPlan{JobID: own.ID, At: mustLocal("2026-11-01 09:00"), Officers: 1})
	if err != nil || !preview.Total.Equal(staffFee.Total) {
		t.Fatalf("customer's preview = %v, %v; want the staff's fee at now %v", preview.Total, err, staffFee.Total)
	}
	fee, err := s.CancelOrReduce(ctx, cora, store.CancelPlan{JobID: own.ID, At: mustLocal("2026-11-01 09:00"), Officers: 1, Reason: "smaller crowd"})
	if err != nil || !fee.Total.Equal(preview.Total) {
		t.Fatalf("customer's reduction = %v, %v; want the previewed %v", fee.Total, err, preview.Total)
	}
	if got := job(t, s, own.ID); got.Officers != 1 {
		t.Errorf("after the reduction the job has %d officers, want 1", got.Officers)
	}
	if _, err := s.Cancel(ctx, cora, own.ID, testNow, "event off"); err != nil {
		t.Fatal(err)
	}
	if got := job(t, s, own.ID); got.Status != store.StatusCancelled {
		t.Errorf("customer's own cancellation left job %s", got.Status)
	}
	if _, err := s.Cancel(ctx, cora, mine.ID, testNow, "changed my mind"); err != nil {
		t.Errorf("cancelling its own request: %v", err)
	}
}

// Inside a job's fairness window only officers at or below the agency's
// median month may take it; after the window anyone eligible may.
func TestFairnessWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	set, _ := s.Settings(ctx)
	set.FairnessHours = 24
	if err := s.SetSettings(ctx, "test", set); err != nil {
		t.Fatal(err)
	}
	cust, site := customerAndSite(t, s, "Fair Co")
	heavy := officer(t, s, "west-valley-city", "H1", "officer", 60)
	light := officer(t, s, "west-valley-city", "L1", "officer", 60)
	officer(t, s, "west-valley-city", "L2", "officer", 60)
	hal := personUser(t, s, "hal", store.RoleOfficer, heavy.ID)
	lea := personUser(t, s, "lea", store.RoleOfficer, light.ID)
	booked(t, s, cust, site, heavy, "2026-12-02 10:00", 8) // December: H 8 h, L1 and L2 none
	booked(t, s, cust, site, light, "2026-11-30 10:00", 8) // November's: does not count for December

	j := approvedJob(t, s, cust, site, mustLocal("2026-12-10 10:00"), 4, 2) // approved now: the window runs 24 h
	until := testNow.Add(24 * time.Hour)
	if ids := openIDs(t, s, hal); len(ids) != 0 {
		t.Errorf("the officer above the median sees %v inside the window", ids)
	}
	list, err := s.OpenShifts(ctx, lea)
	if err != nil || len(list) != 2 || !list[0].FairOnlyUntil.Equal(until) {
		t.Fatalf("OpenShifts(lea) = %+v, %v; want both posts, fair only until %v", list, err, until)
	}
	_, err = s.SignUp(ctx, hal, j.Positions[0].ID)
	refused(t, "above the median inside the window", err, store.EConflict, "Fri 27 Nov 09:00")
	refused(t, "above the median inside the window", err, store.EConflict, "median")
	if _, err := s.SignUp(ctx, lea, j.Positions[0].ID); err != nil {
		t.Fatalf("at the median: %v", err)
	}
	setClock(t, until.Add(-time.Minute))
	_, err = s.SignUp(ctx, hal, j.Positions[1].ID)
	refused(t, "a minute before the window ends", err, store.EConflict, "median")
	setClock(t, until)
	if ids := openIDs(t, s, hal); !slices.Equal(ids, []int64{j.Positions[1].ID}) {
		t.Errorf("after the window the heavy officer sees %v, want %v", ids, j.Positions[1].ID)
	}
	if _, err := s.SignUp(ctx, hal, j.Positions[1].ID); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
