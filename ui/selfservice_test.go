package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/pricing"
	"offduty/store"
)

// The demo officer the self-service tests sign in as: West Valley City's
// Marcus Hale, who has worked shifts behind him and booked ones ahead.
const selfBadge = "WV1187"

// newOfficerApp is the console of an officer user (over SSH) for the demo
// officer with badge, on a fresh demo database; and that officer.
func newOfficerApp(t *testing.T, w, h int, badge string) (*App, store.Officer) {
	t.Helper()
	base := newTestApp(t, w, h)
	return officerAppOn(t, base.c.Store, w, h, "olly", badge)
}

func officerAppOn(t *testing.T, st *store.Store, w, h int, name, badge string) (*App, store.Officer) {
	t.Helper()
	ctx := context.Background()
	offs, err := st.OfficerByBadge(ctx, badge)
	if err != nil || len(offs) != 1 {
		t.Fatalf("officer %s: %v %v", badge, offs, err)
	}
	if _, err := st.CreateUserWith(ctx, "", store.UserInput{Name: name, Role: store.RoleOfficer, OfficerID: offs[0].ID}); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor(name), Role: store.RoleOfficer,
		Remote: true, PublicAddress: testPublic})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	loadAllTabs(a)
	return a, offs[0]
}

func loadAllTabs(a *App) {
	drain(a, a.loadAll)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}
}

// checkFrame fails unless the screen is exactly w x h cells.
func checkFrame(t *testing.T, a *App, w, h int, what string) {
	t.Helper()
	lines := strings.Split(a.render(), "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d:\n%s", what, len(lines), h, screen(a))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw != w {
			t.Fatalf("%s: line %d is %d cells, want %d: %q", what, i, lw, w, ansi.Strip(l))
		}
	}
}

// The officer's three tabs draw whole at 80x24, each with its help line,
// and follow a resize.
func TestOfficerTabsAt80x24(t *testing.T) {
	a, o := newOfficerApp(t, 80, 24, selfBadge)
	if len(a.tabs) != 3 || a.tabs[0] != tabMyShifts || a.tabs[1] != tabOpenShifts || a.tabs[2] != tabMyPay {
		t.Fatalf("officer tabs %v", a.tabs)
	}
	cases := []struct {
		tab  int
		want []string // on screen
		help string   // on the help line
	}{
		{tabMyShifts, []string{"My shifts", "upcoming", "Attendance", "Pay", "Maverik Center", "17:56-23:30", "released 22:43", "412.50"}, "d drop"},
		{tabOpenShifts, []string{"open shifts you may take", "sign-ups: assigned at once", "SR-201 lane closure", "600.00", "Post orders:"}, "enter sign up"},
		{tabMyPay, []string{"Pay period Mon 23 Nov - Sun 06 Dec 2026", o.Name(), "Total"}, "[ ] period"},
	}
	for _, c := range cases {
		a.tab = c.tab
		checkFrame(t, a, 80, 24, selfTabNames[c.tab])
		s := screen(a)
		for _, w := range c.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks %q", selfTabNames[c.tab], w)
			}
		}
		lines := strings.Split(s, "\n")
		if help := lines[len(lines)-1]; !strings.Contains(help, c.help) || !strings.Contains(help, "q quit") {
			t.Errorf("%s help line %q lacks %q", selfTabNames[c.tab], help, c.help)
		}
		if t.Failed() {
			t.Fatalf("%s:\n%s", selfTabNames[c.tab], s)
		}
		for _, size := range [][2]int{{120, 40}, {60, 16}, {80, 24}} {
			a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			checkFrame(t, a, size[0], size[1], selfTabNames[c.tab]+" resized")
		}
	}
	// the staff's tabs and lists are not an officer's
	for _, never := range []string{"Requests", "Today", "Payroll", "Audit"} {
		for _, tab := range a.tabs {
			a.tab = tab
			if strings.Contains(strings.Split(screen(a), "\n")[0], never) {
				t.Fatalf("an officer has the %s tab", never)
			}
		}
	}
	if len(a.req.jobs) != 0 || a.customers != nil {
		t.Fatalf("the office's lists were loaded for an officer: %d jobs, %d customers", len(a.req.jobs), len(a.customers))
	}
}

// The shift detail shows what is shared with the officers on the job and
// nothing staff-only.
func TestOfficerShiftDetailShared(t *testing.T) {
	a, _ := newOfficerApp(t, 80, 40, selfBadge)
	st := a.c.Store
	sh := a.self.shifts.selected()
	if sh == nil || !sh.Start.After(testNow) {
		t.Fatalf("the cursor is not on the next shift: %+v", sh)
	}
	ctx := context.Background()
	for aud, body := range map[store.Audience]string{store.AudienceStaff: "staff only: the customer is late paying",
		store.AudienceOfficers: "officers: park behind gate 3", store.AudienceCustomer: "shared: doors open at 5"} {
		if _, err := st.AddNote(ctx, "tester", sh.JobID, body, aud); err != nil {
			t.Fatal(err)
		}
	}
	drain(a, press(a, "enter"))
	s := screen(a)
	for _, want := range []string{"Post orders", "Gate 1 and 3 entry screening", "Tom Kearns", "801-555-0231", "officers: park behind gate 3",
		"shared: doors open at 5", "inside 48 hours: call the office"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	for _, never := range []string{"staff only", "tester"} {
		if strings.Contains(s, never) {
			t.Errorf("detail shows %q", never)
		}
	}
	if t.Failed() {
		t.Fatalf("detail:\n%s", s)
	}
	drain(a, press(a, "esc"))
	if a.self.shifts.detail != nil {
		t.Fatal("esc did not close the detail")
	}
}

// enter, y signs up: assigned at once, and the shift moves to My shifts.
func TestOfficerSignUpAssigned(t *testing.T) {
	a, o := newOfficerApp(t, 80, 24, selfBadge)
	a.tab = tabOpenShifts
	first := a.self.open.selected()
	if first == nil {
		t.Fatal("no open shift")
	}
	pos := first.PositionID
	drain(a, press(a, "enter"))
	if a.self.open.confirm == nil || !strings.Contains(screen(a), "Sign up for") || !strings.Contains(screen(a), "y/n") {
		t.Fatalf("enter asked nothing:\n%s", screen(a))
	}
	drain(a, press(a, "y"))
	if s := screen(a); !strings.Contains(s, "✓ Assigned:") {
		t.Fatalf("no Assigned message:\n%s", s)
	}
	j := jobOfPosition(t, a.c.Store, pos)
	for _, p := range j.Positions {
		if p.ID == pos && p.OfficerID != o.ID {
			t.Fatalf("position %d holds officer %d, want %d", pos, p.OfficerID, o.ID)
		}
	}
	for _, x := range a.self.open.list {
		if x.PositionID == pos {
			t.Fatal("the taken shift is still listed as open")
		}
	}
	found := false
	for _, sh := range a.self.shifts.list {
		found = found || sh.PositionID == pos
	}
	if !found {
		t.Fatal("the new shift is not on My shifts")
	}
}

// With sign-ups confirmed by a dispatcher, the officer reads that it waits;
// the dispatcher sees it on the Job screen and s, y assigns it.
func TestSignUpWaitsForDispatcher(t *testing.T) {
	a, o := newOfficerApp(t, 100, 30, selfBadge)
	st := a.c.Store
	ctx := context.Background()
	set, err := st.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.SignupMode = store.SignupConfirm
	if err := st.SetSettings(ctx, "tester", set); err != nil {
		t.Fatal(err)
	}
	a.tab = tabOpenShifts
	loadAllTabs(a)
	if !strings.Contains(screen(a), "sign-ups: a dispatcher confirms") {
		t.Fatalf("the mode is not said:\n%s", screen(a))
	}
	pos := a.self.open.selected().PositionID
	drain(a, press(a, "enter"))
	drain(a, press(a, "y"))
	if s := screen(a); !strings.Contains(s, "Waiting for a dispatcher") {
		t.Fatalf("no waiting message:\n%s", s)
	}
	if !a.self.open.pending[pos] || !strings.Contains(screen(a), "waiting") {
		t.Fatalf("the shift is not marked waiting:\n%s", screen(a))
	}
	// the dispatcher's Job screen
	j := jobOfPosition(t, st, pos)
	staff := newTestAppOn(t, st, 100, 30)
	openJobScreen(t, staff, j.ID)
	s := screen(staff)
	if !strings.Contains(s, "Sign-ups waiting for a dispatcher (1)") || !strings.Contains(s, o.Name()+" signed up (s)") {
		t.Fatalf("the dispatcher does not see the sign-up:\n%s", s)
	}
	drain(staff, press(staff, "s"))
	if !strings.Contains(screen(staff), "y assign · n refuse") {
		t.Fatalf("s asked nothing:\n%s", screen(staff))
	}
	drain(staff, press(staff, "y"))
	if !strings.Contains(screen(staff), "Sign-up confirmed: "+o.Name()+" assigned") {
		t.Fatalf("no confirmation:\n%s", screen(staff))
	}
	for _, p := range jobOfPosition(t, st, pos).Positions {
		if p.ID == pos && p.OfficerID != o.ID {
			t.Fatalf("position %d not given to the officer: %+v", pos, p)
		}
	}
	if strings.Contains(screen(staff), "Sign-ups waiting") {
		t.Fatalf("the decided sign-up is still listed:\n%s", screen(staff))
	}
}

// A dispatcher refuses a sign-up with n and a reason.
func TestDispatcherRefusesSignUp(t *testing.T) {
	a, o := newOfficerApp(t, 100, 30, selfBadge)
	st := a.c.Store
	ctx := context.Background()
	set, _ := st.Settings(ctx)
	set.SignupMode = store.SignupConfirm
	if err := st.SetSettings(ctx, "tester", set); err != nil {
		t.Fatal(err)
	}
	a.tab = tabOpenShifts
	loadAllTabs(a)
	pos := a.self.open.selected().PositionID
	res, err := st.SignUp(ctx, store.SSHActor("olly"), pos)
	if err != nil || res.State != store.SignupPending {
		t.Fatalf("sign-up: %+v %v", res, err)
	}
	staff := newTestAppOn(t, st, 100, 30)
	openJobScreen(t, staff, jobOfPosition(t, st, pos).ID)
	drain(staff, press(staff, "s"))
	drain(staff, press(staff, "n"))
	if staff.form != nil || staff.job.prompt == nil {
		t.Fatalf("n did not ask a reason (form %v):\n%s", staff.form != nil, screen(staff))
	}
	drain(staff, press(staff, "already staffed by the agency", "enter"))
	if !strings.Contains(screen(staff), "Sign-up of "+o.Name()+" refused") {
		t.Fatalf("no refusal message:\n%s", screen(staff))
	}
	list, err := st.Signups(ctx, "tester", store.SignupRefused)
	if err != nil || len(list) != 1 || list[0].Reason != "already staffed by the agency" {
		t.Fatalf("refused sign-ups: %+v %v", list, err)
	}
	for _, p := range jobOfPosition(t, st, pos).Positions {
		if p.ID == pos && p.OfficerID != 0 {
			t.Fatalf("a refused sign-up filled the position: %+v", p)
		}
	}
}

// A sign-up the store refuses shows the store's reason: here another
// officer took the position between the list and the y.
func TestOfficerSignUpRefused(t *testing.T) {
	a, o := newOfficerApp(t, 80, 24, selfBadge)
	st := a.c.Store
	a.tab = tabOpenShifts
	sel := a.self.open.selected()
	pos := sel.PositionID
	drain(a, press(a, "enter"))
	// meanwhile a dispatcher gives it to someone else
	cands, err := st.Candidates(context.Background(), pos)
	if err != nil {
		t.Fatal(err)
	}
	var other int64
	for _, c := range cands {
		if c.ID != o.ID && c.Eligible() {
			other = c.ID
			break
		}
	}
	if other == 0 {
		t.Fatal("no other eligible officer")
	}
	if err := st.Assign(context.Background(), "tester", pos, other, ""); err != nil {
		t.Fatal(err)
	}
	drain(a, press(a, "y"))
	s := screen(a)
	if !strings.Contains(s, "Not signed up: another officer took this shift first") {
		t.Fatalf("the refusal's reason is not shown:\n%s", s)
	}
	if strings.Contains(s, "Assigned") {
		t.Fatalf("a refused sign-up reads as assigned:\n%s", s)
	}
}

// d inside 48 hours of the start is refused with the office to call, and
// nothing changes; more than 48 hours ahead it asks, then drops.
func TestOfficerDrop(t *testing.T) {
	a, o := newOfficerApp(t, 80, 24, selfBadge)
	st := a.c.Store
	m := a.self.shifts
	near, far := -1, -1
	for i, sh := range m.list {
		if sh.Start.After(testNow) && sh.Start.Sub(testNow) <= 48*time.Hour && near < 0 {
			near = i
		}
		if sh.Start.Sub(testNow) > 48*time.Hour && far < 0 {
			far = i
		}
	}
	if near < 0 || far < 0 {
		t.Fatalf("the demo officer lacks a shift inside and one beyond 48 h: %d %d", near, far)
	}
	nearPos, farPos := m.list[near].PositionID, m.list[far].PositionID
	m.cursor = near
	drain(a, press(a, "d"))
	s := screen(a)
	if !strings.Contains(s, "inside 48 hours, call the office to drop it") || m.prompt != nil || m.confirm != nil {
		t.Fatalf("d inside 48 h:\n%s", s)
	}
	// the store refuses it too, whatever the screen says
	if err := st.DropShift(context.Background(), store.SSHActor("olly"), nearPos, ""); err == nil || !strings.Contains(err.Error(), "call the office") {
		t.Fatalf("the store dropped a shift inside 48 h: %v", err)
	}
	m.cursor = far
	drain(a, press(a, "d"))
	if m.prompt == nil {
		t.Fatalf("d did not ask why:\n%s", screen(a))
	}
	drain(a, press(a, "sick", "enter"))
	if m.confirm == nil || !strings.Contains(screen(a), "Drop your shift") {
		t.Fatalf("no question before dropping:\n%s", screen(a))
	}
	drain(a, press(a, "y"))
	if s := screen(a); !strings.Contains(s, "✓ Dropped") {
		t.Fatalf("no drop message:\n%s", s)
	}
	for _, p := range jobOfPosition(t, st, farPos).Positions {
		if p.ID == farPos && p.OfficerID == o.ID {
			t.Fatal("the officer still holds the dropped shift")
		}
	}
	for _, p := range jobOfPosition(t, st, nearPos).Positions {
		if p.ID == nearPos && p.OfficerID != o.ID {
			t.Fatal("the shift inside 48 h was dropped")
		}
	}
}

// A customer's request form is fixed to its own account: the customer
// field is never focused nor changed, the sites are its own, and the
// quote and the saved request are the operator's for the same input.
func TestCustomerFormFixedToAccount(t *testing.T) {
	a, _ := newRemoteApp(t, 100, 40, "cora", store.RoleCustomer, "Maverik Center")
	me := a.c.CustomerID
	drain(a, press(a, "n"))
	f := a.form
	if f == nil || !f.fixedCustomer || f.customerID != me || f.focus == fCustomer {
		t.Fatalf("customer form: %+v", f)
	}
	for range nFields { // back past the first field: never the customer
		press(a, "shift+tab")
		if f.focus == fCustomer {
			t.Fatal("shift+tab reached the customer field")
		}
	}
	if len(f.customers) != 1 || f.customers[0].ID != me {
		t.Fatalf("the form knows %d accounts", len(f.customers))
	}
	f.setFocus(fDate)
	press(a, "12/24", "tab", "6pm", "tab", "6h", "tab", "4")
	if f.quote == nil || f.customerID != me {
		t.Fatalf("no quote, or the account changed: %+v", f.input)
	}
	total := f.quote.Total
	if s := screen(a); strings.Contains(s, "officer pay") || strings.Contains(s, "admin") || !strings.Contains(s, pricing.FormatMoney(total)) {
		t.Fatalf("the customer's quote pane:\n%s", s)
	}
	drain(a, press(a, "ctrl+s"))
	if a.form != nil {
		t.Fatalf("not saved: %s\n%s", a.msg, screen(a))
	}
	jobs, err := a.c.Store.Jobs(context.Background(), "tester", store.JobFilter{CustomerID: me})
	if err != nil {
		t.Fatal(err)
	}
	saved := jobs[len(jobs)-1]
	for _, j := range jobs {
		if j.ID > saved.ID {
			saved = j
		}
	}
	if saved.Status != store.StatusRequested || saved.CustomerID != me || !saved.Total.Equal(total) || saved.Officers != 4 {
		t.Fatalf("saved %+v, want requested, account %d, total %s", saved, me, total)
	}
	// the operator's form, same input: the same total
	staff := newTestAppOn(t, a.c.Store, 100, 40)
	press(staff, "n", "Maverik", "tab")
	staff.form.setFocus(fDate)
	press(staff, "12/24", "tab", "6pm", "tab", "6h", "tab", "4")
	if staff.form.quote == nil || !staff.form.quote.Total.Equal(total) {
		t.Fatalf("the operator's quote %v, the customer's %s", staff.form.quote, total)
	}
}

// A customer cancels its own job from the list: c, a reason, the fee
// shown, then y; the job is cancelled under the staff's rules.
func TestCustomerCancelsOwnJob(t *testing.T) {
	a, _ := newRemoteApp(t, 100, 40, "cora", store.RoleCustomer, "Maverik Center")
	a.tab = tabRequests
	var target store.Job
	for _, j := range a.req.jobs {
		if j.Status == store.StatusScheduled && j.Start.After(testNow) {
			target = j
			break
		}
	}
	if target.ID == 0 {
		t.Fatal("no scheduled job ahead for the customer")
	}
	a.req.selectJob(target.ID)
	drain(a, press(a, "c"))
	if a.job == nil || a.job.prompt == nil {
		t.Fatalf("c did not ask a reason:\n%s", screen(a))
	}
	drain(a, press(a, "event moved", "enter"))
	s := screen(a)
	if a.job.confirm == nil || !strings.Contains(s, "Cancel job #") || !strings.Contains(s, "Fee: ") {
		t.Fatalf("no fee before y:\n%s", s)
	}
	want, err := a.c.Store.PreviewCancelFor(context.Background(), a.c.Actor, store.CancelPlan{JobID: target.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "Fee: "+pricing.FormatMoney(want.Total)) {
		t.Fatalf("fee shown is not the store's %s:\n%s", pricing.FormatMoney(want.Total), s)
	}
	drain(a, press(a, "y"))
	j, err := a.c.Store.Job(context.Background(), "tester", target.ID)
	if err != nil || j.Status != store.StatusCancelled {
		t.Fatalf("job #%d is %s (%v)", target.ID, j.Status, err)
	}
}

// An agency user's Roster lists its own officers only, and a range of days.
func TestAgencyRosterOwnOfficers(t *testing.T) {
	base := newTestApp(t, 80, 24)
	st := base.c.Store
	ctx := context.Background()
	gpd, err := st.AgencyBySlug(ctx, "grantsville")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUserWith(ctx, "", store.UserInput{Name: "gpd", Role: store.RoleAgency, AgencyID: gpd.ID}); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor("gpd"), Role: store.RoleAgency, Remote: true, PublicAddress: testPublic})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	loadAllTabs(a)
	if len(a.tabs) != 1 || a.tabs[0] != tabRoster {
		t.Fatalf("agency tabs %v", a.tabs)
	}
	checkFrame(t, a, 80, 24, "roster")
	drain(a, press(a, "r", "11/26 12/24", "enter"))
	if a.self.roster.days != 29 || len(a.self.roster.list) == 0 {
		t.Fatalf("range not applied: %d days, %d lines\n%s", a.self.roster.days, len(a.self.roster.list), screen(a))
	}
	officers, err := st.Officers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine := map[int64]bool{}
	for _, o := range officers {
		mine[o.ID] = o.AgencyID == gpd.ID
	}
	seen := ""
	for range len(a.self.roster.list) {
		seen += screen(a)
		press(a, "j")
	}
	for _, l := range a.self.roster.list {
		if !mine[l.OfficerID] {
			t.Fatalf("the roster lists %s of another agency", l.OfficerName)
		}
	}
	for _, o := range officers {
		if o.AgencyID != gpd.ID && strings.Contains(seen, o.Badge) {
			t.Fatalf("the roster shows badge %s of another agency", o.Badge)
		}
	}
	if !strings.Contains(seen, "Grantsville") || !strings.Contains(seen, "contact") {
		t.Fatalf("roster:\n%s", screen(a))
	}
}

// jobOfPosition loads the job a position belongs to, as staff see it.
func jobOfPosition(t *testing.T, st *store.Store, positionID int64) store.Job {
	t.Helper()
	ctx := context.Background()
	jobs, err := st.Jobs(ctx, "tester", store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		full, err := st.Job(ctx, "tester", j.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range full.Positions {
			if p.ID == positionID {
				return full
			}
		}
	}
	t.Fatalf("no job holds position %d", positionID)
	return store.Job{}
}
