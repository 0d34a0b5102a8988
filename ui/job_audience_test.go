package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// The note prompt asks who reads the note (staff only unless tab picks the
// officers or the customer); the list shows each note's audience.
func TestJobNoteAudienceChosenWhenWritten(t *testing.T) {
	a := newTestApp(t, 80, 24)
	j := newStaffedJob(t, a.c.Store, "Valley Fair Mall", testNow.Add(time.Hour), 4, 1, 1)
	openJobScreen(t, a, j.ID)
	drain(a, press(a, "t"))
	s := screen(a)
	if !strings.Contains(s, "For:") || !strings.Contains(s, "[staff]") || !strings.Contains(s, "seen by staff only") {
		t.Fatalf("the note prompt does not show its audience:\n%s", s)
	}
	press(a, "Gate code 4411")
	drain(a, press(a, "enter"))
	drain(a, press(a, "t", "Bring radios", "tab"))
	if s := screen(a); !strings.Contains(s, "[officers]") || !strings.Contains(s, "seen by staff and the officers on the job") {
		t.Fatalf("tab did not pick the officers:\n%s", s)
	}
	drain(a, press(a, "enter"))
	drain(a, press(a, "t", "Officers arrived, all quiet", "tab", "tab"))
	if s := screen(a); !strings.Contains(s, "[customer]") || !strings.Contains(s, "seen by the customer") {
		t.Fatalf("tab tab did not pick the customer:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if !strings.Contains(a.msg, "shared with the customer") {
		t.Errorf("status %q does not say the note is shared", a.msg)
	}
	x, err := a.c.Store.Extras(context.Background(), "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range x.Notes {
		got = append(got, string(n.Audience)+":"+n.Body)
	}
	if want := []string{"staff:Gate code 4411", "officers:Bring radios", "customer:Officers arrived, all quiet"}; !slices.Equal(got, want) {
		t.Fatalf("notes stored %q, want %q", got, want)
	}
	s = screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"[staff] ", "Gate code 4411", "[officers] ", "Bring radios", "[customer] ", "Officers arrived, all quiet"} {
		if !strings.Contains(s, want) {
			t.Errorf("the Job screen lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("screen:\n%s", s)
	}
	t.Logf("80x24, notes of each audience:\n%s", s)

	// m locally: the path, then the audience, the same way.
	photo := filepath.Join(t.TempDir(), "site-map.pdf")
	if err := os.WriteFile(photo, []byte("%PDF-1.4 a map"), 0o600); err != nil {
		t.Fatal(err)
	}
	drain(a, press(a, "m"))
	if s := screen(a); !strings.Contains(s, "Attach file") || !strings.Contains(s, "[staff]") {
		t.Fatalf("m locally:\n%s", s)
	}
	press(a, photo, "tab", "tab")
	drain(a, press(a, "enter"))
	x, err = a.c.Store.Extras(context.Background(), "", j.ID)
	if err != nil || len(x.Media) != 1 || x.Media[0].Audience != store.AudienceCustomer {
		t.Fatalf("media: %+v %v (%s)", x.Media, err, a.msg)
	}
}

// sharedJob is a Maverik Center job with a note and a file for each
// audience, written by the office.
func sharedJob(t *testing.T, st *store.Store) store.Job {
	t.Helper()
	ctx := context.Background()
	j := newStaffedJob(t, st, "Maverik Center", testNow.Add(2*time.Hour), 4, 1, 1)
	for _, aud := range store.Audiences {
		if _, err := st.AddNote(ctx, "tester", j.ID, "note for "+string(aud)+" readers", aud); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AttachMedia(ctx, "tester", j.ID, string(aud)+"-file.txt", strings.NewReader("for "+string(aud)), aud); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

// A customer's Job screen shows what is shared with it and nothing else:
// no staff or officers note or file, no path on the server, no audit, no
// staff names; staff see it all.
func TestCustomerJobScreenShowsOnlyShared(t *testing.T) {
	a, _ := newRemoteApp(t, 120, 50, "cora", store.RoleCustomer, "Maverik Center")
	st := a.c.Store
	j := sharedJob(t, st)
	x, err := st.Extras(context.Background(), "", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	sha := x.Media[0].SHA256
	drain(a, a.loadAll) // the new job on the customer's list

	local := New(Options{Store: st, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "cora", Role: store.RoleCustomer, CustomerID: j.CustomerID})
	local.Update(tea.WindowSizeMsg{Width: 120, Height: 50})
	drain(local, local.loadAll)
	for name, app := range map[string]*App{"over SSH": a, "locally": local} {
		openJobScreen(t, app, j.ID)
		s := screen(app)
		for _, want := range []string{"note for customer readers", "customer-file.txt", "Notes from the office (1)", "Media (1)", "office: ", "Patrol the lots"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the customer does not see %q", name, want)
			}
		}
		for _, never := range []string{"note for staff", "note for officers", "staff-file.txt", "officers-file.txt", "tester",
			st.MediaDir(), sha[:12], "Audit", "rate card #", "[staff]", "[officers]"} {
			if strings.Contains(s, never) {
				t.Errorf("%s: the customer sees %q", name, never)
			}
		}
		if t.Failed() {
			t.Fatalf("%s:\n%s", name, s)
		}
	}

	staff := newTestAppOn(t, st, 120, 50)
	openJobScreen(t, staff, j.ID)
	s := screen(staff)
	for _, want := range []string{"[staff]", "note for staff readers", "[officers]", "note for officers readers", "[customer]", "note for customer readers",
		"staff-file.txt", "officers-file.txt", "customer-file.txt", st.MediaDir()} {
		if !strings.Contains(s, want) {
			t.Errorf("staff do not see %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("staff:\n%s", s)
	}
}

// newTestAppOn is the local console (the machine's operator) on a store.
func newTestAppOn(t *testing.T, st *store.Store, w, h int) *App {
	t.Helper()
	a := New(Options{Store: st, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "tester"})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drain(a, a.loadAll)
	return a
}

// A customer cannot open another account's job: nothing of it shows.
func TestCustomerJobScreenOtherAccount(t *testing.T) {
	a, _ := newRemoteApp(t, 100, 30, "cora", store.RoleCustomer, "Maverik Center")
	vf := newStaffedJob(t, a.c.Store, "Valley Fair Mall", testNow.Add(3*time.Hour), 4, 1, 0)
	if _, err := a.c.Store.AddNote(context.Background(), "tester", vf.ID, "Valley Fair's shared note", store.AudienceCustomer); err != nil {
		t.Fatal(err)
	}
	drain(a, func() tea.Msg { return openJobMsg{id: vf.ID} })
	s := screen(a)
	if a.job != nil && a.job.job != nil {
		t.Fatalf("another account's job opened:\n%s", s)
	}
	if strings.Contains(s, "Valley Fair") {
		t.Fatalf("another account shows:\n%s", s)
	}
}

// The quote on the Job screen names each line once: "1 vehicle", "1
// supervisor", never "vehicle vehicle" or "supervisor supervisor"; amounts
// are written as everywhere else (1,710.00).
func TestJobScreenQuoteLabels(t *testing.T) {
	a := newTestApp(t, 80, 40)
	ctx := context.Background()
	custs, err := a.c.Store.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cust store.Customer
	for _, c := range custs {
		if c.Name == "Valley Fair Mall" {
			cust = c
		}
	}
	start := testNow.Add(7 * 24 * time.Hour)
	ids, err := a.c.Store.CreateJobs(ctx, "tester", store.JobInput{CustomerID: cust.ID, SiteID: cust.Sites[0].ID, Agency: "west-valley-city",
		Start: start, End: start.Add(6 * time.Hour), Officers: 5, Vehicles: 1, Venue: "retail", Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	openJobScreen(t, a, ids[0])
	s := screen(a)
	for _, bad := range []string{"vehicle vehicle", "supervisor supervisor", "officer regular", "officers regular"} {
		if strings.Contains(s, bad) {
			t.Errorf("the Job screen says %q", bad)
		}
	}
	for _, want := range []string{" 5 officers ", " 1 supervisor ", " 1 vehicle ", "1,710.00"} {
		if !strings.Contains(s, want) {
			t.Errorf("the Job screen lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("screen:\n%s", s)
	}
}
