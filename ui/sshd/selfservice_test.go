package sshd

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"offduty/pricing"
	"offduty/store"
)

// The self-service tests of issue 13: officers, customers and an agency
// signed in over real SSH sessions (golang.org/x/crypto/ssh, a PTY of
// 120x40) to a server on 127.0.0.1:0 with the seeded demo.

// addUserWith creates a user of any role with a new key.
func addUserWith(t testing.TB, st *store.Store, in store.UserInput) gossh.Signer {
	t.Helper()
	signer, line := newKey(t)
	in.Keys = []string{line}
	if _, err := st.CreateUserWith(context.Background(), local, in); err != nil {
		t.Fatalf("create user %s: %v", in.Name, err)
	}
	return signer
}

// officerUser makes the demo officer with badge an officer user.
func officerUser(t testing.TB, st *store.Store, name, badge string) (store.Officer, gossh.Signer) {
	t.Helper()
	offs, err := st.OfficerByBadge(context.Background(), badge)
	if err != nil || len(offs) != 1 {
		t.Fatalf("officer %s: %v %v", badge, offs, err)
	}
	return offs[0], addUserWith(t, st, store.UserInput{Name: name, Role: store.RoleOfficer, OfficerID: offs[0].ID})
}

// redraws counts the forced redraws of each session, to alternate widths.
var (
	redrawMu sync.Mutex
	redraws  = map[*term]int{}
)

// redrawShows makes the session draw its whole screen again (a resize)
// and waits for every one of want in what was drawn since: a screen the
// renderer updated cell by cell reads whole again.
func redrawShows(t *testing.T, tm *term, want ...string) bool {
	t.Helper()
	redrawMu.Lock()
	redraws[tm]++
	cols := termCols + redraws[tm]%2
	redrawMu.Unlock()
	return showsAfterRedraw(t, tm, cols, want...)
}

// screenNow is the last full screen drawn (after a forced redraw).
func screenNow(t *testing.T, tm *term) string {
	t.Helper()
	from := tm.outLen()
	redrawShows(t, tm, "offduty")
	tm.settle(150*time.Millisecond, 2*time.Second)
	return tm.textSince(from)
}

// openIndex is where a position is on an officer's Open shifts tab.
func openIndex(t *testing.T, st *store.Store, actor string, positionID int64) int {
	t.Helper()
	list, err := st.OpenShifts(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range list {
		if o.PositionID == positionID {
			return i
		}
	}
	t.Fatalf("position %d is not on %s's open shifts", positionID, actor)
	return -1
}

// selectOpen goes to the Open shifts tab, puts the cursor on position, and
// presses enter: the question before signing up.
func selectOpen(t *testing.T, tm *term, st *store.Store, actor string, positionID int64) {
	t.Helper()
	tm.send(keyTab)
	if !tm.waitFor(5*time.Second, "open shifts you may take") {
		t.Fatalf("no Open shifts tab:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send(strings.Repeat(keyUp, 60) + strings.Repeat(keyDown, openIndex(t, st, actor, positionID)))
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send(keyEnter)
	if !redrawShows(t, tm, "Sign up for", "y/n") {
		t.Fatalf("enter asked nothing:\n%s", lastLines(tm.text(), 40))
	}
}

func positionOfficer(t *testing.T, st *store.Store, jobID, positionID int64) int64 {
	t.Helper()
	j, err := st.Job(context.Background(), local, jobID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range j.Positions {
		if p.ID == positionID {
			return p.OfficerID
		}
	}
	t.Fatalf("job #%d has no position %d", jobID, positionID)
	return 0
}

// An officer signs up for an eligible open shift and is assigned; then a
// shift that became ineligible meanwhile (a dispatcher booked the officer
// on an overlapping one) is refused with the store's reason.
func TestSSHOfficerSignsUpAndIsRefused(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	ts := startServer(t, st, nil)
	me, key := officerUser(t, st, "marcus", "WV1187")
	actor := store.SSHActor("marcus")
	open, err := st.OpenShifts(ctx, actor)
	if err != nil || len(open) < 3 {
		t.Fatalf("open shifts: %d %v", len(open), err)
	}
	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "My shifts", "Open shifts", "My pay", "marcus@ssh") {
		t.Fatalf("no officer console:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(200*time.Millisecond, 3*time.Second)

	// eligible: assigned at once
	first := open[0]
	selectOpen(t, tm, st, actor, first.PositionID)
	tm.send("y")
	if !redrawShows(t, tm, "Assigned:") {
		t.Fatalf("no Assigned:\n%s", lastLines(tm.text(), 40))
	}
	if got := positionOfficer(t, st, first.JobID, first.PositionID); got != me.ID {
		t.Fatalf("position %d holds officer %d, want %d", first.PositionID, got, me.ID)
	}

	// two open shifts that overlap: the officer asks for one, and before
	// the y a dispatcher books it on the other
	open, err = st.OpenShifts(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	var want, other store.OpenShift
	for _, a := range open {
		for _, b := range open {
			if a.JobID != b.JobID && a.Start.Before(b.End) && b.Start.Before(a.End) && want.PositionID == 0 {
				want, other = a, b
			}
		}
	}
	if want.PositionID == 0 {
		t.Fatal("the demo has no two overlapping open shifts for the officer")
	}
	tm.send(keyTab + keyTab) // round to My shifts, then selectOpen's tab to Open shifts
	tm.settle(150*time.Millisecond, 2*time.Second)
	selectOpen(t, tm, st, actor, want.PositionID)
	if !redrawShows(t, tm, want.Start.In(denver).Format("Mon 02 Jan 15:04")) {
		t.Fatalf("the question is not about %s:\n%s", want.Start.In(denver), lastLines(tm.text(), 40))
	}
	if err := st.Assign(ctx, local, other.PositionID, me.ID, ""); err != nil {
		t.Fatal(err)
	}
	tm.settle(300*time.Millisecond, 3*time.Second)
	tm.send("y")
	if !redrawShows(t, tm, "Not signed up: you cannot take this shift: overlapping shift") {
		t.Fatalf("the refusal and its reason are not shown:\n%s", lastLines(tm.text(), 40))
	}
	if got := positionOfficer(t, st, want.JobID, want.PositionID); got != 0 {
		t.Fatalf("the refused shift was filled by officer %d", got)
	}
}

// lastOpen finds an open position that is the last open one of its job
// and that both officers may take.
func lastOpen(t *testing.T, st *store.Store, a, b string) store.OpenShift {
	t.Helper()
	ctx := context.Background()
	la, err := st.OpenShifts(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := st.OpenShifts(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	inB := map[int64]bool{}
	for _, o := range lb {
		inB[o.PositionID] = true
	}
	for _, o := range la {
		if !inB[o.PositionID] {
			continue
		}
		j, err := st.Job(ctx, local, o.JobID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range j.Positions {
			if p.Status == "open" {
				n++
			}
		}
		if n == 1 {
			return o
		}
	}
	return store.OpenShift{}
}

// Two officers race for the last open position of a job, each in their
// own SSH session, y pressed in both at once: one is assigned, the other
// reads that another officer took it. Then eight officer users race
// through the store: one wins.
func TestSSHTwoOfficersRaceForLastPosition(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	ts := startServer(t, st, nil)
	wvc, err := st.AgencyBySlug(ctx, "west-valley-city")
	if err != nil {
		t.Fatal(err)
	}
	offs, err := st.Officers(ctx, wvc.ID)
	if err != nil {
		t.Fatal(err)
	}
	type user struct {
		o     store.Officer
		actor string
		key   gossh.Signer
	}
	var users []user
	for _, o := range offs {
		if !o.Active {
			continue
		}
		name := "o" + strings.ToLower(o.Badge)
		users = append(users, user{o, store.SSHActor(name), addUserWith(t, st, store.UserInput{Name: name, Role: store.RoleOfficer, OfficerID: o.ID})})
	}
	var a, b user
	var last store.OpenShift
	for i := 0; i < len(users) && last.PositionID == 0; i++ {
		for k := i + 1; k < len(users) && last.PositionID == 0; k++ {
			if last = lastOpen(t, st, users[i].actor, users[k].actor); last.PositionID != 0 {
				a, b = users[i], users[k]
			}
		}
	}
	if last.PositionID == 0 {
		t.Fatal("no last open position two officers may both take")
	}
	ta, tb := connect(t, ts.addr, a.key), connect(t, ts.addr, b.key)
	for _, tm := range []*term{ta, tb} {
		if !tm.waitFor(5*time.Second, "My shifts", "Open shifts") {
			t.Fatalf("no officer console:\n%s", lastLines(tm.text(), 40))
		}
		tm.settle(200*time.Millisecond, 3*time.Second)
	}
	selectOpen(t, ta, st, a.actor, last.PositionID)
	selectOpen(t, tb, st, b.actor, last.PositionID)
	fromA, fromB := ta.outLen(), tb.outLen()
	var wg sync.WaitGroup
	for _, tm := range []*term{ta, tb} {
		wg.Add(1)
		go func() { defer wg.Done(); tm.send("y") }()
	}
	wg.Wait()
	result := func(tm *term, from int) string {
		for range 3 {
			tm.waitForSince(from, 5*time.Second, "signed up")
			txt := tm.textSince(from)
			switch {
			case strings.Contains(txt, "Assigned:"):
				return "won"
			case strings.Contains(txt, "Not signed up: another officer took this shift first"):
				return "lost"
			}
			redrawShows(t, tm, "offduty")
		}
		return "?"
	}
	ra, rb := result(ta, fromA), result(tb, fromB)
	if !(ra == "won" && rb == "lost" || ra == "lost" && rb == "won") {
		t.Fatalf("race: %s and %s, want one winner\nA:\n%s\nB:\n%s", ra, rb, lastLines(ta.text(), 40), lastLines(tb.text(), 40))
	}
	winner := a.o.ID
	if rb == "won" {
		winner = b.o.ID
	}
	if got := positionOfficer(t, st, last.JobID, last.PositionID); got != winner {
		t.Fatalf("the position holds officer %d, the screens say %d won", got, winner)
	}

	// the store, eight at once, for a new job's only position
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, denver)
	custs, err := st.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.CreateJobs(ctx, local, store.JobInput{CustomerID: custs[0].ID, SiteID: custs[0].Sites[0].ID, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Approve(ctx, local, ids[0]); err != nil {
		t.Fatal(err)
	}
	j, err := st.Job(ctx, local, ids[0])
	if err != nil || len(j.Positions) != 1 {
		t.Fatalf("job: %+v %v", j, err)
	}
	racers := users[:min(8, len(users))]
	errs := make([]error, len(racers))
	var ready sync.WaitGroup
	ready.Add(1)
	for i, u := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Wait()
			_, errs[i] = st.SignUp(ctx, u.actor, j.Positions[0].ID)
		}()
	}
	ready.Done()
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case store.ErrorCode(err) != store.EConflict:
			t.Errorf("%s: %v (want a conflict)", racers[i].actor, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d officers won the one position: %v", won, errs)
	}
}

// An officer reads its own pay and what is shared with the officers on
// its jobs: never another officer's pay lines, never a staff-only note.
func TestSSHOfficerSeesOnlyOwnPayAndShared(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	ts := startServer(t, st, nil)
	me, key := officerUser(t, st, "marcus", "WV1187")
	actor := store.SSHActor("marcus")
	mine, err := st.MyShifts(ctx, actor, testNow, testNow.AddDate(0, 1, 0))
	if err != nil || len(mine) == 0 {
		t.Fatalf("my shifts: %v %v", mine, err)
	}
	next := mine[0].JobID
	for aud, body := range map[store.Audience]string{store.AudienceStaff: "STAFF-ONLY-7Q", store.AudienceOfficers: "FOR-OFFICERS-3K"} {
		if _, err := st.AddNote(ctx, local, next, body, aud); err != nil {
			t.Fatal(err)
		}
	}
	// the previous pay period, with Marcus's and other officers' lines
	prevDay := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	all, err := st.Payroll(ctx, local, prevDay)
	if err != nil {
		t.Fatal(err)
	}
	var others []store.OfficerPay
	var own store.OfficerPay
	for _, op := range all.Officers {
		if op.Officer.ID == me.ID {
			own = op
		} else {
			others = append(others, op)
		}
	}
	if len(own.Lines) == 0 || len(others) == 0 {
		t.Fatalf("the period of %s has no lines for the officer (%d) or none for others (%d)", prevDay.Format("2006-01-02"), len(own.Lines), len(others))
	}

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "My shifts", "marcus@ssh") {
		t.Fatalf("no officer console:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	tm.send(keyEnter) // the next shift's details
	if !redrawShows(t, tm, "Notes for the officers", "FOR-OFFICERS-3K") {
		t.Fatalf("the officers' note is not shown:\n%s", lastLines(tm.text(), 40))
	}
	tm.send(keyEsc)
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send(keyTab + keyTab) // My pay
	if !tm.waitFor(5*time.Second, "Pay period") {
		t.Fatalf("no My pay:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("[")
	total := pricing.FormatMoney(own.Total)
	if !redrawShows(t, tm, "Pay period Mon 09 Nov - Sun 22 Nov 2026", me.Name(), total) {
		t.Fatalf("the officer's own pay (%s) is not shown:\n%s", total, lastLines(tm.text(), 40))
	}
	seen := tm.text()
	if strings.Contains(seen, "STAFF-ONLY-7Q") {
		t.Fatal("an officer saw a staff-only note")
	}
	for _, op := range others {
		for _, never := range []string{op.Officer.Name(), op.Officer.Badge} {
			if strings.Contains(seen, never) {
				t.Fatalf("an officer saw %q of another officer's pay:\n%s", never, lastLines(seen, 40))
			}
		}
	}
	if strings.Contains(seen, pricing.FormatMoney(all.Total)) && !all.Total.Equal(own.Total) {
		t.Fatalf("an officer saw the period's total for everyone (%s)", pricing.FormatMoney(all.Total))
	}
	// nor through the store, whatever a client asks
	if _, err := st.Payroll(ctx, actor, prevDay); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("an officer read the payroll: %v", err)
	}
	x, err := st.Extras(ctx, actor, next)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range x.Notes {
		if n.Body == "STAFF-ONLY-7Q" {
			t.Fatal("the store gave an officer a staff-only note")
		}
	}
}

// A customer's request over SSH: n, the date, times and officers; the
// quote on screen and the saved job are the operator's price for the same
// request, and the job lands as requested on the customer's account.
func TestSSHCustomerRequestPricedAsOperator(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	ts := startServer(t, st, nil)
	custs, err := st.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var me store.Customer
	for _, c := range custs {
		if c.Name == "Maverik Center" {
			me = c
		}
	}
	if me.ID == 0 || len(me.Sites) != 1 {
		t.Fatalf("Maverik Center: %+v", me)
	}
	key := addUser(t, st, "cora", store.RoleCustomer, me.ID)
	// the operator's price for the same request
	pa, err := st.Pricing(ctx, "west-valley-city", testNow)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 24, 18, 0, 0, 0, denver)
	q, err := pa.Pricing.Quote(pricing.Request{Start: start, End: start.Add(6 * time.Hour), Officers: 4, Venue: pricing.Venues[0], Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := pricing.FormatMoney(q.Total)

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "My jobs", "cora@ssh") {
		t.Fatalf("no customer console:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	tm.send("n")
	if !tm.waitFor(5*time.Second, "New request to the office", "your account") {
		t.Fatalf("n opened no form:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("12/24" + keyTab + "6pm" + keyTab + "6h" + keyTab + "4")
	if !redrawShows(t, tm, "Thu 24 Dec 2026", want, "Christmas Eve") {
		t.Fatalf("the quote %s is not shown:\n%s", want, lastLines(tm.text(), 40))
	}
	tm.send("\x13") // ctrl+s
	if !redrawShows(t, tm, "as requested") {
		t.Fatalf("not saved:\n%s", lastLines(tm.text(), 40))
	}
	jobs, err := st.Jobs(ctx, local, store.JobFilter{CustomerID: me.ID})
	if err != nil {
		t.Fatal(err)
	}
	var saved store.Job
	for _, j := range jobs {
		if j.ID > saved.ID {
			saved = j
		}
	}
	if saved.Status != store.StatusRequested || saved.CustomerID != me.ID || saved.SiteID != me.Sites[0].ID || !saved.Total.Equal(q.Total) ||
		saved.Officers != 4 || !saved.Start.Equal(start) || saved.CreatedBy != "cora@ssh" {
		t.Fatalf("saved %+v; want requested, account %d, total %s, 4 officers from %s, by cora@ssh", saved, me.ID, want, start)
	}
	for _, c := range custs {
		if c.ID != me.ID && strings.Contains(tm.text(), c.Name) {
			t.Fatalf("the customer's session showed %s", c.Name)
		}
	}
}

// An agency user's Roster shows its own officers only, in the next 24
// hours and over a range of days it asks for.
func TestSSHAgencySeesOnlyOwnOfficers(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	ts := startServer(t, st, nil)
	gv, err := st.AgencyBySlug(ctx, "grantsville")
	if err != nil {
		t.Fatal(err)
	}
	key := addUserWith(t, st, store.UserInput{Name: "gpd", Role: store.RoleAgency, AgencyID: gv.ID, Email: "dispatch@grantsville.example"})
	all, err := st.Officers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, denver)
	lines, err := st.AgencyRoster(ctx, store.SSHActor("gpd"), from, from.AddDate(0, 0, 29))
	if err != nil || len(lines) == 0 {
		t.Fatalf("the roster of Grantsville: %d lines, %v", len(lines), err)
	}
	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "Roster", "Grantsville", "gpd@ssh") {
		t.Fatalf("no agency console:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	tm.send("r")
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("11/26 12/24" + keyEnter)
	if !redrawShows(t, tm, "Thu 26 Nov - Thu 24 Dec", lines[0].Badge, lines[0].OfficerName) {
		t.Fatalf("the range is not listed:\n%s", lastLines(tm.text(), 40))
	}
	for range len(lines) {
		tm.send("j")
	}
	redrawShows(t, tm, lines[len(lines)-1].Badge)
	seen := tm.text()
	for _, o := range all {
		if o.AgencyID != gv.ID && (strings.Contains(seen, o.Badge) || strings.Contains(seen, o.Name())) {
			t.Fatalf("an agency user saw %s (%s) of another agency", o.Name(), o.Badge)
		}
	}
	// and through the store
	for _, l := range lines {
		for _, o := range all {
			if o.ID == l.OfficerID && o.AgencyID != gv.ID {
				t.Fatalf("the store gave the agency %s", o.Name())
			}
		}
	}
	if _, err := st.OpenShifts(ctx, store.SSHActor("gpd")); !errors.As(err, new(*store.Error)) || store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("an agency user read open shifts: %v", err)
	}
}
