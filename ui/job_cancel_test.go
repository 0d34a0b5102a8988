package ui

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	_ "modernc.org/sqlite"

	"offduty/pricing"
	"offduty/store"
)

// newStaffedJob saves and approves a West Valley City job for an account
// of the demo (its first site), starting at start, and fills the first
// `filled` officer positions with eligible officers.
func newStaffedJob(t *testing.T, st *store.Store, account string, start time.Time, hours, officers, filled int) store.Job {
	t.Helper()
	ctx := context.Background()
	custs, err := st.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cust store.Customer
	for _, c := range custs {
		if c.Name == account {
			cust = c
		}
	}
	if cust.ID == 0 || len(cust.Sites) == 0 {
		t.Fatalf("no account %q with a site in the demo", account)
	}
	ids, err := st.CreateJobs(ctx, "tester", store.JobInput{CustomerID: cust.ID, SiteID: cust.Sites[0].ID, Agency: "west-valley-city",
		Start: start, End: start.Add(time.Duration(hours) * time.Hour), Officers: officers, Venue: pricing.VenueRetail, Received: testNow,
		PostOrders: "Patrol the lots; report to the manager on duty."})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Approve(ctx, "tester", ids[0]); err != nil {
		t.Fatal(err)
	}
	j, err := st.Job(ctx, "tester", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range j.Positions {
		if p.Class != string(pricing.ClassOfficer) || n == filled {
			continue
		}
		cands, err := st.Candidates(ctx, p.ID)
		if err != nil || len(cands) == 0 || !cands[0].Eligible() {
			t.Fatalf("no eligible officer for position %d: %v", p.Slot, err)
		}
		if err := st.Assign(ctx, "tester", p.ID, cands[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if j, err = st.Job(ctx, "tester", ids[0]); err != nil {
		t.Fatal(err)
	}
	return j
}

func openJobScreen(t *testing.T, a *App, id int64) {
	t.Helper()
	drain(a, func() tea.Msg { return openJobMsg{id: id} })
	if a.job == nil || a.job.job == nil || a.job.job.ID != id {
		t.Fatalf("job #%d did not open: %s", id, a.msg)
	}
}

func cancelReason(t *testing.T, st *store.Store, id int64) (string, bool) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: st.Path()}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var reason sql.NullString
	var status string
	if err := db.QueryRow(`SELECT status, cancel_reason FROM jobs WHERE id = ?`, id).Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	return reason.String, status == store.StatusCancelled
}

// c asks the reason first (optional), then shows the fee; y cancels with
// that reason kept on the job.
func TestJobCancelAsksReason(t *testing.T) {
	a := newTestApp(t, 100, 30)
	j := newStaffedJob(t, a.c.Store, "Valley Fair Mall", testNow.Add(26*time.Hour), 4, 2, 1)
	openJobScreen(t, a, j.ID)
	drain(a, press(a, "c"))
	s := screen(a)
	if a.job.prompt == nil || a.job.confirm != nil || !strings.Contains(s, "Reason:") || !strings.Contains(s, "optional") {
		t.Fatalf("c did not ask the reason first:\n%s", s)
	}
	drain(a, press(a, "event called off by the city", "enter"))
	s = screen(a)
	if a.job.confirm == nil || !strings.Contains(s, "Reason: event called off by the city") || !strings.Contains(s, "Fee: ") ||
		!strings.Contains(s, "officer share inside 48 h") {
		t.Fatalf("the fee and the reason are not shown before y:\n%s", s)
	}
	if _, cancelled := cancelReason(t, a.c.Store, j.ID); cancelled {
		t.Fatal("cancelled before y")
	}
	drain(a, press(a, "y"))
	reason, cancelled := cancelReason(t, a.c.Store, j.ID)
	if !cancelled || reason != "event called off by the city" {
		t.Fatalf("after y: cancelled %v, reason %q (%s)", cancelled, reason, a.msg)
	}
	// The Job screen now says what was charged, not only the quote.
	if s := screen(a); !strings.Contains(s, "Cancelled: charged the fee") {
		t.Fatalf("the cancelled job does not show the fee charged:\n%s", s)
	}

	// No reason is fine: enter skips it, and esc at the reason gives up.
	j2 := newStaffedJob(t, a.c.Store, "Valley Fair Mall", testNow.Add(30*time.Hour), 4, 1, 0)
	openJobScreen(t, a, j2.ID)
	drain(a, press(a, "c", "esc"))
	if a.job.prompt != nil || a.job.confirm != nil {
		t.Fatal("esc at the reason did not give up")
	}
	drain(a, press(a, "c", "enter"))
	if s := screen(a); a.job.confirm == nil || !strings.Contains(s, "Reason: none given") {
		t.Fatalf("an empty reason:\n%s", s)
	}
	drain(a, press(a, "y"))
	if reason, cancelled := cancelReason(t, a.c.Store, j2.ID); !cancelled || reason != "" {
		t.Fatalf("cancelled %v, reason %q", cancelled, reason)
	}
}

// r names the positions that go before y, in the store's order: open ones
// first, then the latest filled, never a checked-in one; the supervisor
// too when too few officers stay. What y removes is what was named.
func TestJobReduceNamesPositions(t *testing.T) {
	a := newTestApp(t, 100, 40)
	st := a.c.Store
	ctx := context.Background()
	// Five officers at West Valley: a supervisor on top. Officers on 3 of
	// the 5 officer positions; the latest of them has checked in.
	j := newStaffedJob(t, st, "Valley Fair Mall", testNow.Add(time.Hour), 4, 5, 3)
	if j.Supervisors != 1 {
		t.Fatalf("want a supervisor on a 5-officer West Valley job: %+v", j)
	}
	var filled []store.Position
	for _, p := range j.Positions {
		if p.Class == "officer" && p.OfficerID != 0 {
			filled = append(filled, p)
		}
	}
	latest := filled[len(filled)-1]
	if err := st.CheckIn(ctx, "tester", latest.ID, testNow); err != nil {
		t.Fatal(err)
	}
	openJobScreen(t, a, j.ID)
	drain(a, press(a, "r", "3", "enter")) // count, then the reason prompt
	if a.job.prompt == nil || !strings.Contains(screen(a), "Reason:") {
		t.Fatalf("reduce did not ask the reason:\n%s", screen(a))
	}
	drain(a, press(a, "fewer shoppers", "enter"))
	s := screen(a)
	if a.job.confirm == nil {
		t.Fatalf("no confirmation:\n%s", s)
	}
	// Expected: the two open officer positions (highest slot first), then
	// the latest filled that has not checked in, then the supervisor.
	var want []string
	var wantIDs []int64
	for i := len(j.Positions) - 1; i >= 0; i-- {
		if p := j.Positions[i]; p.Class == "officer" && p.OfficerID == 0 {
			want, wantIDs = append(want, fmt.Sprintf("Goes: officer #%d, open", p.Slot)), append(wantIDs, p.ID)
		}
	}
	second := filled[len(filled)-2]
	want = append(want, fmt.Sprintf("Goes: officer #%d, %s (%s) is taken off", second.Slot, second.OfficerName, second.Badge))
	wantIDs = append(wantIDs, second.ID)
	for _, p := range j.Positions {
		if p.Class == "supervisor" {
			want = append(want, fmt.Sprintf("Goes: supervisor #%d, open · 2 officers left, a supervisor comes with 5", p.Slot))
			wantIDs = append(wantIDs, p.ID)
		}
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("the confirmation lacks %q", w)
		}
	}
	if strings.Contains(s, latest.OfficerName+" ("+latest.Badge+") is taken off") {
		t.Errorf("a checked-in officer is named as removed")
	}
	if !strings.Contains(s, "Reason: fewer shoppers") || !strings.Contains(s, "Fee: ") {
		t.Errorf("reason or fee missing")
	}
	if t.Failed() {
		t.Fatalf("screen:\n%s", s)
	}
	drain(a, press(a, "y"))
	after, err := st.Job(ctx, "tester", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	var gone []int64
	for _, p := range after.Positions {
		if p.Status == "cancelled" {
			gone = append(gone, p.ID)
		}
	}
	slices.Sort(gone)
	slices.Sort(wantIDs)
	if !slices.Equal(gone, wantIDs) {
		t.Fatalf("the store removed positions %v, the screen named %v (%s)", gone, wantIDs, a.msg)
	}
}

// goingPositions follows the store's order on its own: open first (latest
// slot first), then the latest filled; checked-in never; supervisor only
// under the threshold.
func TestGoingPositionsOrder(t *testing.T) {
	pos := func(slot int, class, status string, officer int64, in bool) store.Position {
		p := store.Position{ID: int64(slot), Slot: slot, Class: class, Status: status, OfficerID: officer}
		if in {
			p.CheckIn = testNow
		}
		return p
	}
	j := store.Job{Officers: 6, Supervisors: 1, Positions: []store.Position{
		pos(1, "officer", "assigned", 11, true),
		pos(2, "officer", "open", 0, false),
		pos(3, "officer", "assigned", 13, false),
		pos(4, "officer", "assigned", 14, false),
		pos(5, "officer", "open", 0, false),
		pos(6, "officer", "assigned", 16, true),
		pos(7, "supervisor", "assigned", 17, false),
	}}
	slots := func(ps []store.Position) []int {
		var out []int
		for _, p := range ps {
			out = append(out, p.Slot)
		}
		return out
	}
	for _, c := range []struct {
		n, at int
		want  []int
	}{
		{1, 5, []int{5}},
		{2, 5, []int{5, 2, 7}}, // 4 officers left, under 5: the supervisor goes
		{3, 4, []int{5, 2, 4, 7}},
		{3, 3, []int{5, 2, 4}}, // 3 left, threshold 3: the supervisor stays
		{4, 0, []int{5, 2, 4, 3, 7}},
	} {
		if got := slots(goingPositions(j, c.n, c.at)); !slices.Equal(got, c.want) {
			t.Errorf("remove %d (supervisor at %d): %v, want %v", c.n, c.at, got, c.want)
		}
	}
}
