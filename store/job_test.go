package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

func customerAndSite(t testing.TB, s *store.Store, name string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: name, Phone: "801-555-0100"})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: c.ID, Name: name + " site", Address: "1 Main St"})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, site.ID
}

func job(t testing.TB, s *store.Store, id int64) store.Job {
	t.Helper()
	j, err := s.Job(context.Background(), "", id)
	if err != nil {
		t.Fatalf("Job(%d): %v", id, err)
	}
	return j
}

func officer(t testing.TB, s *store.Store, slug, badge, rank string, capHours int) store.Officer {
	t.Helper()
	o, err := s.CreateOfficer(context.Background(), "test", store.OfficerInput{AgencyID: agency(t, s, slug).ID, Badge: badge,
		FirstName: "Officer", LastName: badge, Rank: rank, WeeklyCapMinutes: capHours * 60, HiredOn: time.Date(2015, 1, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("CreateOfficer %s: %v", badge, err)
	}
	return o
}

// approvedJob creates and approves a job of n officers at WVC.
func approvedJob(t testing.TB, s *store.Store, cust, site int64, start time.Time, hours, n int) store.Job {
	t.Helper()
	ctx := context.Background()
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(time.Duration(hours) * time.Hour), Officers: n, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Approve(ctx, "dispatch", ids[0]); err != nil {
		t.Fatal(err)
	}
	return job(t, s, ids[0])
}

func TestCreateJobsWithNewCustomerAndSite(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	start := mustLocal("2026-12-08 10:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{
		NewCustomer: &store.CustomerInput{Name: "Decker Lake Events", Phone: "801-555-0123", Email: "ops@decker.example", BillingCycle: "weekly"},
		NewSite:     &store.SiteInput{Name: "North lot", Address: "3200 S Decker Lake Dr"},
		Agency:      "west-valley-city", Start: start, End: start.Add(4 * time.Hour), Officers: 5, Venue: pricing.VenueEvent, Received: testNow,
		ContactName: "Tom", ContactPhone: "801-555-0231", PostOrders: "Gate 1", PONumber: "PO-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("ids = %v", ids)
	}
	j := job(t, s, ids[0])
	if j.CustomerName != "Decker Lake Events" || j.SiteName != "North lot" || j.AgencySlug != "west-valley-city" {
		t.Errorf("job customer/site/agency = %q %q %q", j.CustomerName, j.SiteName, j.AgencySlug)
	}
	if j.Status != store.StatusRequested || j.SeriesID != 0 || j.SeriesIndex != 0 || !j.Bookable {
		t.Errorf("status %s series %d/%d bookable %v", j.Status, j.SeriesID, j.SeriesIndex, j.Bookable)
	}
	if !j.Start.Equal(start) || !j.End.Equal(start.Add(4*time.Hour)) || !j.Received.Equal(testNow) || !j.CreatedAt.Equal(testNow) || j.CreatedBy != "dispatch" {
		t.Errorf("times: %v-%v received %v created %v by %s", j.Start, j.End, j.Received, j.CreatedAt, j.CreatedBy)
	}
	// 5 officers x 4 h x 57.00 + supervisor 4 h x 68.40 = 1140.00 + 273.60.
	if !j.Total.Equal(dec("1413.60")) || j.Officers != 5 || j.Supervisors != 1 {
		t.Errorf("total %s officers %d supervisors %d, want 1413.60, 5, 1", j.Total, j.Officers, j.Supervisors)
	}
	if len(j.Positions) != 6 || j.Filled != 0 {
		t.Fatalf("%d positions (%d filled), want 6 open", len(j.Positions), j.Filled)
	}
	for i, p := range j.Positions {
		wantClass := "officer"
		if i == 5 {
			wantClass = "supervisor"
		}
		if p.Slot != i+1 || p.Class != wantClass || p.Status != "open" || p.OfficerID != 0 || !p.Start.Equal(j.Start) || !p.End.Equal(j.End) {
			t.Errorf("position %d = %+v", i, p)
		}
	}
	cs, err := s.Customers(ctx)
	if err != nil || len(cs) != 1 || cs[0].BillingCycle != "weekly" || cs[0].TermsDays != 30 || len(cs[0].Sites) != 1 || cs[0].Sites[0].ID != j.SiteID {
		t.Fatalf("Customers = %+v, %v", cs, err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit WHERE actor = 'dispatch' AND entity IN ('customer', 'site', 'job')`); n != 3 {
		t.Errorf("%d audit rows for the request, want 3 (customer, site, job)", n)
	}

	// Under 5 officers there is no supervisor position.
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: j.CustomerID, SiteID: j.SiteID, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 4, Venue: pricing.VenueEvent, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, ids[0]); len(j.Positions) != 4 || j.Supervisors != 0 {
		t.Errorf("4 officers: %d positions, %d supervisors", len(j.Positions), j.Supervisors)
	}
	// Grantsville never adds one.
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: j.CustomerID, SiteID: j.SiteID, Agency: "grantsville",
		Start: start, End: start.Add(4 * time.Hour), Officers: 7, Venue: pricing.VenueEvent, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, ids[0]); len(j.Positions) != 7 || j.Supervisors != 0 || !j.Total.Equal(dec("1680.00")) {
		t.Errorf("grantsville 7 officers: %d positions, %d supervisors, total %s", len(j.Positions), j.Supervisors, j.Total)
	}
}

func TestCreateJobsWeeklySeries(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Series Co")
	start := mustLocal("2026-12-17 18:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(6 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow, RepeatWeeks: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 4 {
		t.Fatalf("%d jobs, want 4", len(ids))
	}
	// Each week is priced on its own date: Christmas Eve and New Year's Eve
	// (both holidays of RULES.md, 18:00-24:00) at 85.50, the others at 57.00.
	want := []struct {
		start, total, basis string
	}{
		{"2026-12-17 18:00", "342.00", "regular"},
		{"2026-12-24 18:00", "513.00", "holiday"},
		{"2026-12-31 18:00", "513.00", "holiday"},
		{"2027-01-07 18:00", "342.00", "regular"},
	}
	var series int64
	for i, id := range ids {
		j := job(t, s, id)
		if i == 0 {
			series = j.SeriesID
			if series == 0 {
				t.Fatal("series job has no SeriesID")
			}
		}
		if j.SeriesID != series || j.SeriesIndex != i {
			t.Errorf("job %d: series %d index %d, want %d and %d", i, j.SeriesID, j.SeriesIndex, series, i)
		}
		if !j.Start.Equal(mustLocal(want[i].start)) || j.End.Sub(j.Start) != 6*time.Hour {
			t.Errorf("job %d: %v-%v, want %s for 6 h", i, j.Start, j.End, want[i].start)
		}
		if !j.Total.Equal(dec(want[i].total)) || len(j.Quote.Lines) != 1 || j.Quote.Lines[0].Basis != want[i].basis {
			t.Errorf("job %d (%s): total %s lines %+v, want %s at %s", i, want[i].start, j.Total, j.Quote.Lines, want[i].total, want[i].basis)
		}
		if len(j.Positions) != 1 {
			t.Errorf("job %d: %d positions", i, len(j.Positions))
		}
	}

	// A series keeps the wall time across the autumn clock change.
	fall := mustLocal("2027-10-31 18:00")
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: fall, End: fall.Add(2 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow, RepeatWeeks: 2})
	if err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, ids[1]); !j.Start.Equal(mustLocal("2027-11-07 18:00")) || j.Start.Sub(fall) != 7*24*time.Hour+time.Hour {
		t.Errorf("week after fall-back starts %v, want 2027-11-07 18:00 MST", j.Start.In(denver()))
	}
}

func TestCreateJobsIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	// Week 2 of this series is 2027-03-14 02:30, which the spring-forward skips.
	start := mustLocal("2027-03-07 02:30")
	_, err := s.CreateJobs(ctx, "dispatch", store.JobInput{
		NewCustomer: &store.CustomerInput{Name: "Night Owl Bakery"}, NewSite: &store.SiteInput{Name: "Bakery"},
		Agency: "west-valley-city", Start: start, End: start.Add(3 * time.Hour), Officers: 2, Venue: pricing.VenueRetail,
		Received: testNow, RepeatWeeks: 3})
	e := storeErr(t, err, store.EInvalid, "repeat")
	if !strings.Contains(e.Message, "week 2") || !strings.Contains(e.Message, "does not exist") {
		t.Errorf("message %q should name week 2 and the missing hour", e.Message)
	}
	for _, table := range []string{"customers", "sites", "series", "jobs", "positions"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows left in %s after a refused series", n, table)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM audit WHERE entity <> 'agency' AND entity <> 'rate_card'`); n != 0 {
		t.Errorf("%d audit rows left after a refused series", n)
	}
}

func TestCreateJobsInvalidInput(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Existing")
	other, otherSite := customerAndSite(t, s, "Other")
	_ = other
	start := mustLocal("2026-12-08 10:00")
	valid := func() store.JobInput {
		return store.JobInput{NewCustomer: &store.CustomerInput{Name: "New Co"}, NewSite: &store.SiteInput{Name: "New site"},
			Agency: "west-valley-city", Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: testNow}
	}
	for _, c := range []struct {
		name, code, field string
		edit              func(*store.JobInput)
	}{
		{"no customer", store.EInvalid, "customer", func(in *store.JobInput) { in.NewCustomer = nil }},
		{"no site", store.EInvalid, "site", func(in *store.JobInput) { in.NewSite = nil }},
		{"blank customer name", store.EInvalid, "customer", func(in *store.JobInput) { in.NewCustomer.Name = "  \x1b[0m " }},
		{"bad email", store.EInvalid, "email", func(in *store.JobInput) { in.NewCustomer.Email = "not an email" }},
		{"bad customer phone", store.EInvalid, "phone", func(in *store.JobInput) { in.NewCustomer.Phone = "12" }},
		{"bad billing cycle", store.EInvalid, "billing_cycle", func(in *store.JobInput) { in.NewCustomer.BillingCycle = "daily" }},
		{"blank site name", store.EInvalid, "site", func(in *store.JobInput) { in.NewSite.Name = " " }},
		{"bad contact phone", store.EInvalid, "contact_phone", func(in *store.JobInput) { in.ContactPhone = "call me" }},
		{"too many weeks", store.EInvalid, "repeat", func(in *store.JobInput) { in.RepeatWeeks = store.MaxRepeatWeeks + 1 }},
		{"negative weeks", store.EInvalid, "repeat", func(in *store.JobInput) { in.RepeatWeeks = -1 }},
		{"post orders too long", store.EInvalid, "post_orders", func(in *store.JobInput) { in.PostOrders = strings.Repeat("x", 4001) }},
		{"zero officers", store.EInvalid, "officers", func(in *store.JobInput) { in.Officers = 0 }},
		{"501 officers", store.EInvalid, "officers", func(in *store.JobInput) { in.Officers = 501 }},
		{"negative vehicles", store.EInvalid, "vehicles", func(in *store.JobInput) { in.Vehicles = -1 }},
		{"vehicles at grantsville", store.EInvalid, "vehicles", func(in *store.JobInput) { in.Agency, in.Vehicles = "grantsville", 1 }},
		{"end before start", store.EInvalid, "end", func(in *store.JobInput) { in.End = in.Start.Add(-time.Hour) }},
		{"no end", store.EInvalid, "end", func(in *store.JobInput) { in.End = time.Time{} }},
		{"25 hours", store.EInvalid, "hours", func(in *store.JobInput) { in.End = in.Start.Add(25 * time.Hour) }},
		{"start off the minute", store.EInvalid, "start", func(in *store.JobInput) { in.Start = in.Start.Add(30 * time.Second) }},
		{"no venue", store.EInvalid, "venue", func(in *store.JobInput) { in.Venue = "" }},
		{"unknown venue", store.EInvalid, "venue", func(in *store.JobInput) { in.Venue = "moon" }},
		{"unknown agency", store.ENotFound, "agency", func(in *store.JobInput) { in.Agency = "springfield" }},
		{"unknown customer", store.ENotFound, "customer", func(in *store.JobInput) { in.NewCustomer, in.CustomerID = nil, 999 }},
		{"unknown site", store.ENotFound, "site", func(in *store.JobInput) { in.NewCustomer, in.NewSite, in.CustomerID, in.SiteID = nil, nil, cust, 999 }},
		{"another customer's site", store.EInvalid, "site", func(in *store.JobInput) {
			in.NewCustomer, in.NewSite, in.CustomerID, in.SiteID = nil, nil, cust, otherSite
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.edit(&in)
			ids, err := s.CreateJobs(ctx, "dispatch", in)
			storeErr(t, err, c.code, c.field)
			if ids != nil {
				t.Errorf("ids = %v on error", ids)
			}
		})
	}
	_ = site
	if n := count(t, db, `SELECT count(*) FROM customers`); n != 2 {
		t.Errorf("%d customers after refused requests, want the 2 made first", n)
	}
	if n := count(t, db, `SELECT count(*) FROM jobs`); n != 0 {
		t.Errorf("%d jobs after refused requests", n)
	}
}

func TestTextIsStoredCleaned(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	start := mustLocal("2026-12-08 10:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{
		NewCustomer: &store.CustomerInput{Name: "\x1b[31mred\x1b[0m Co", Phone: "801-555-0100\x07", Email: "a@b.example",
			Address: "1 Main\x1b]0;title\x07 St", Notes: "line one\nline\x1b[2J two"},
		NewSite: &store.SiteInput{Name: "\x1b]0;title\x07Lot B", Address: "\x1b[1mBold\x1b[0m Ave", Notes: "gate\x1b[5m code"},
		Agency:  "west-valley-city", Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow,
		ContactName: "\x1b[31mred\x1b[0m", ContactPhone: "\t801-555-0199 ", PONumber: "\x1b]0;title\x07PO-7",
		PostOrders: "Gate 1\r\n\x1b[31mstay\x1b[0m until close\t\n\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	j := job(t, s, ids[0])
	for _, c := range []struct{ got, want string }{
		{j.CustomerName, "red Co"},
		{j.SiteName, "Lot B"},
		{j.SiteAddress, "Bold Ave"},
		{j.ContactName, "red"},
		{j.ContactPhone, "801-555-0199"},
		{j.PONumber, "PO-7"},
		{j.PostOrders, "Gate 1\nstay until close"},
	} {
		if c.got != c.want {
			t.Errorf("stored %q, want %q", c.got, c.want)
		}
	}
	var phone, addr, notes, siteNotes string
	if err := db.QueryRow(`SELECT c.phone, c.address, c.notes, s.notes FROM customers c JOIN sites s ON s.customer_id = c.id`).
		Scan(&phone, &addr, &notes, &siteNotes); err != nil {
		t.Fatal(err)
	}
	if phone != "801-555-0100" || addr != "1 Main St" || notes != "line one\nline two" || siteNotes != "gate code" {
		t.Errorf("customer phone %q address %q notes %q, site notes %q", phone, addr, notes, siteNotes)
	}

	// The plain creation paths clean too.
	c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "\x1b[32mGreen\x1b[0m", Address: "\x1b]2;x\x07Road",
		Contacts: []store.Contact{{Name: "\x1b[1mAnn\x1b[0m", Role: "boss\x07"}}})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: c.ID, Name: "\x1b[4mYard\x1b[0m"})
	if err != nil {
		t.Fatal(err)
	}
	c, err = s.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Green" || c.Address != "Road" || len(c.Contacts) != 1 || c.Contacts[0].Name != "Ann" || c.Contacts[0].Role != "boss" ||
		len(c.Sites) != 1 || c.Sites[0].Name != "Yard" || site.Name != "Yard" {
		t.Errorf("customer stored as %+v", c)
	}
	o := officer(t, s, "grantsville", "\x1b[31mGV9\x1b[0m", "officer", 20)
	if o.Badge != "GV9" || o.LastName != "GV9" {
		t.Errorf("officer badge stored as %q", o.Badge)
	}
	if n := count(t, db, `SELECT count(*) FROM customers WHERE name || address || notes LIKE ?`, "%\x1b%"); n != 0 {
		t.Errorf("%d customers stored with an escape character", n)
	}
}

func TestApprove(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Approve Co")
	start := mustLocal("2026-12-12 21:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Approve(ctx, "dispatch", ids[0]); err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, ids[0]); j.Status != store.StatusApproved || !j.UpdatedAt.Equal(testNow) {
		t.Errorf("status %s after approval", j.Status)
	}
	e := storeErr(t, s.Approve(ctx, "dispatch", ids[0]), store.EConflict, "status")
	if !strings.Contains(e.Message, "approved") {
		t.Errorf("second approval message %q", e.Message)
	}
	storeErr(t, s.Approve(ctx, "dispatch", 9999), store.ENotFound, "job")

	// A bar at West Valley City is saved with its figures but cannot be approved.
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueAlcohol, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	bar := job(t, s, ids[0])
	if bar.Bookable || !bar.Total.Equal(dec("456.00")) || len(bar.Quote.Refusals) != 1 {
		t.Errorf("bar job: bookable %v total %s refusals %+v", bar.Bookable, bar.Total, bar.Quote.Refusals)
	}
	e = storeErr(t, s.Approve(ctx, "dispatch", bar.ID), store.EConflict, "status")
	if !strings.Contains(e.Message, "Where alcoholic beverages are dispensed and/or consumed and are the main focus of the business.") {
		t.Errorf("refusal %q does not quote the agency's rule", e.Message)
	}
	if j := job(t, s, bar.ID); j.Status != store.StatusRequested {
		t.Errorf("refused job is %s", j.Status)
	}

	// Short notice at Grantsville (no emergency rate) is refused with the reason too.
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "grantsville",
		Start: testNow.Add(10 * time.Hour), End: testNow.Add(14 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	e = storeErr(t, s.Approve(ctx, "dispatch", ids[0]), store.EConflict, "status")
	if !strings.Contains(e.Message, "short notice") || !strings.Contains(e.Message, "Fri 27 Nov 2026 09:00") {
		t.Errorf("short-notice refusal %q should give the reason and the earliest start", e.Message)
	}
}

func TestAssign(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Assign Co")
	// Monday 7 Dec 2026, 5 officers + a supervisor.
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-07 10:00"), 4, 5)
	sup := j.Positions[5]
	if sup.Class != "supervisor" {
		t.Fatalf("last position is %s", sup.Class)
	}
	var wvc []store.Officer
	for i, badge := range []string{"W1", "W2", "W3", "W4", "W5"} {
		rank := "officer"
		if i == 0 {
			rank = "corporal"
		}
		wvc = append(wvc, officer(t, s, "west-valley-city", badge, rank, 40))
	}
	sergeant := officer(t, s, "west-valley-city", "W9", "sergeant", 40)
	gv := officer(t, s, "grantsville", "G1", "sergeant", 40)

	e := storeErr(t, s.Assign(ctx, "dispatch", j.Positions[0].ID, gv.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "another agency") {
		t.Errorf("wrong agency: %q", e.Message)
	}
	e = storeErr(t, s.Assign(ctx, "dispatch", sup.ID, wvc[0].ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "supervisor rank") {
		t.Errorf("corporal as supervisor: %q", e.Message)
	}
	storeErr(t, s.Assign(ctx, "dispatch", 99999, wvc[0].ID, ""), store.ENotFound, "position")
	storeErr(t, s.Assign(ctx, "dispatch", j.Positions[0].ID, 99999, ""), store.ENotFound, "officer")

	inactive := officer(t, s, "west-valley-city", "W8", "officer", 40)
	if _, err := s.SetOfficerActive(ctx, "test", inactive.ID, false, testNow); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM officers WHERE id = ? AND active = 0`, inactive.ID); n != 1 {
		t.Fatal("SetOfficerActive(false) did not store the officer as inactive")
	}
	e = storeErr(t, s.Assign(ctx, "dispatch", j.Positions[0].ID, inactive.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "inactive") {
		t.Errorf("inactive: %q", e.Message)
	}

	for i := range 5 {
		if err := s.Assign(ctx, "dispatch", j.Positions[i].ID, wvc[i].ID, ""); err != nil {
			t.Fatalf("assign %s: %v", wvc[i].Badge, err)
		}
		if got := job(t, s, j.ID); got.Status != store.StatusApproved || got.Filled != i+1 {
			t.Errorf("after %d assignments: %s with %d filled", i+1, got.Status, got.Filled)
		}
	}
	e = storeErr(t, s.Assign(ctx, "dispatch", j.Positions[0].ID, sergeant.ID, ""), store.EConflict, "position")
	if !strings.Contains(e.Message, "already has an officer") {
		t.Errorf("filled position: %q", e.Message)
	}
	// One officer cannot hold two positions of the same shift.
	e = storeErr(t, s.Assign(ctx, "dispatch", sup.ID, wvc[0].ID, ""), store.EConflict, "officer")
	if err := s.Assign(ctx, "dispatch", sup.ID, sergeant.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := job(t, s, j.ID)
	if got.Status != store.StatusScheduled || got.Filled != 6 || got.Positions[5].OfficerID != sergeant.ID || got.Positions[5].OfficerName != "Officer W9" {
		t.Errorf("full job: %s, %d filled, supervisor %+v", got.Status, got.Filled, got.Positions[5])
	}
	if got.Positions[0].Status != "assigned" {
		t.Errorf("position status %q", got.Positions[0].Status)
	}

	// Overlap with another job by one minute is refused outright, even with an override.
	overlap := approvedJob(t, s, cust, site, mustLocal("2026-12-07 13:59"), 2, 1)
	e = storeErr(t, s.Assign(ctx, "dispatch", overlap.Positions[0].ID, wvc[1].ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "overlapping shift") || strings.Contains(e.Message, "may override") {
		t.Errorf("overlap: %q", e.Message)
	}
	storeErr(t, s.Assign(ctx, "dispatch", overlap.Positions[0].ID, wvc[1].ID, "short-staffed"), store.EConflict, "officer")
	// Back to back (10:00-14:00 then 14:00-16:00) no longer overlaps but
	// leaves no rest: refused under the 8 h rule, which a supervisor may lift.
	backToBack := approvedJob(t, s, cust, site, mustLocal("2026-12-07 14:00"), 2, 1)
	e = storeErr(t, s.Assign(ctx, "dispatch", backToBack.Positions[0].ID, wvc[1].ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "less than 8 h rest after a shift ending Mon 14:00") || strings.Contains(e.Message, "overlapping") ||
		!strings.Contains(e.Message, "may override") {
		t.Errorf("back-to-back: %q", e.Message)
	}
	// 8 h after the end (22:00) is fine.
	after := approvedJob(t, s, cust, site, mustLocal("2026-12-07 22:00"), 2, 1)
	if err := s.Assign(ctx, "dispatch", after.Positions[0].ID, wvc[1].ID, ""); err != nil {
		t.Errorf("shift 8 h after the last one refused: %v", err)
	}
	if j := job(t, s, after.ID); j.Status != store.StatusScheduled {
		t.Errorf("one-position job is %s after its assignment", j.Status)
	}

	// Positions are filled only once the job is approved.
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: mustLocal("2026-12-20 10:00"), End: mustLocal("2026-12-20 12:00"), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	e = storeErr(t, s.Assign(ctx, "dispatch", job(t, s, ids[0]).Positions[0].ID, wvc[2].ID, ""), store.EConflict, "status")
}

func TestAssignWeeklyCap(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Cap Co")
	o := officer(t, s, "west-valley-city", "CAP1", "officer", 10) // 10 h a week
	// Week of Monday 7 Dec 2026 (America/Denver).
	mon := approvedJob(t, s, cust, site, mustLocal("2026-12-07 08:00"), 6, 1)
	wed := approvedJob(t, s, cust, site, mustLocal("2026-12-09 08:00"), 4, 1)
	fri := approvedJob(t, s, cust, site, mustLocal("2026-12-11 08:00"), 1, 1)
	nextMon := approvedJob(t, s, cust, site, mustLocal("2026-12-14 00:00"), 8, 1)
	if err := s.Assign(ctx, "dispatch", mon.Positions[0].ID, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "dispatch", wed.Positions[0].ID, o.ID, ""); err != nil {
		t.Fatalf("reaching the cap exactly (6 + 4 = 10 h) was refused: %v", err)
	}
	e := storeErr(t, s.Assign(ctx, "dispatch", fri.Positions[0].ID, o.ID, ""), store.EConflict, "officer")
	if !strings.Contains(e.Message, "weekly cap reached (10 h of 10 h booked)") {
		t.Errorf("cap message %q", e.Message)
	}
	if err := s.Assign(ctx, "dispatch", nextMon.Positions[0].ID, o.ID, ""); err != nil {
		t.Errorf("next week (Monday 00:00) counted against this week: %v", err)
	}
	// A cancelled job frees its hours.
	if _, err := s.Cancel(ctx, "dispatch", wed.ID, testNow, "rained out"); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, "dispatch", fri.Positions[0].ID, o.ID, ""); err != nil {
		t.Errorf("hours of a cancelled job still count: %v", err)
	}
}

func TestAdvanceLifecycle(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Lifecycle Co")
	o := officer(t, s, "west-valley-city", "L1", "officer", 40)

	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: mustLocal("2026-12-08 10:00"), End: mustLocal("2026-12-08 14:00"), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	for _, to := range []string{store.StatusCompleted, store.StatusInProgress, store.StatusScheduled, store.StatusPaid} {
		storeErr(t, s.Advance(ctx, "dispatch", id, to), store.EConflict, "status")
	}
	storeErr(t, s.Advance(ctx, "dispatch", id, store.StatusApproved), store.EInvalid, "status")
	storeErr(t, s.Advance(ctx, "dispatch", id, store.StatusCancelled), store.EInvalid, "status")
	storeErr(t, s.Advance(ctx, "dispatch", 9999, store.StatusCompleted), store.ENotFound, "job")
	if err := s.Approve(ctx, "dispatch", id); err != nil {
		t.Fatal(err)
	}
	e := storeErr(t, s.Advance(ctx, "dispatch", id, store.StatusScheduled), store.EConflict, "status")
	if !strings.Contains(e.Message, "every position has an officer") {
		t.Errorf("approved -> scheduled message %q", e.Message)
	}
	storeErr(t, s.Advance(ctx, "dispatch", id, store.StatusInProgress), store.EConflict, "status")
	if err := s.Assign(ctx, "dispatch", job(t, s, id).Positions[0].ID, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	storeErr(t, s.Advance(ctx, "dispatch", id, store.StatusCompleted), store.EConflict, "status")
	for _, to := range []string{store.StatusInProgress, store.StatusCompleted, store.StatusInvoiced, store.StatusPaid} {
		if err := s.Advance(ctx, "dispatch", id, to); err != nil {
			t.Fatalf("advance to %s: %v", to, err)
		}
		if j := job(t, s, id); j.Status != to {
			t.Fatalf("status %s, want %s", j.Status, to)
		}
	}
	for _, to := range []string{store.StatusInvoiced, store.StatusRequested, store.StatusPaid} {
		storeErr(t, s.Advance(ctx, "dispatch", id, to), store.EConflict, "status")
	}
	_, err = s.Cancel(ctx, "dispatch", id, testNow, "")
	storeErr(t, err, store.EConflict, "status")

	// CanMove explains itself.
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{store.StatusRequested, store.StatusApproved, true},
		{store.StatusRequested, store.StatusCancelled, true},
		{store.StatusInProgress, store.StatusCancelled, true},
		{store.StatusCompleted, store.StatusCancelled, false},
		{store.StatusCancelled, store.StatusCancelled, false},
		{store.StatusScheduled, store.StatusCompleted, false},
		{store.StatusPaid, store.StatusInvoiced, false},
	} {
		if err := store.CanMove(c.from, c.to); (err == nil) != c.ok {
			t.Errorf("CanMove(%s, %s) = %v, want ok=%v", c.from, c.to, err, c.ok)
		}
	}
}

func TestJobsFilter(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Filter Co")
	other, otherSite := customerAndSite(t, s, "Other Co")
	a := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	ids, err := s.CreateJobs(ctx, "dispatch", oneOfficer(other, otherSite, mustLocal("2026-12-09 10:00"), testNow))
	if err != nil {
		t.Fatal(err)
	}
	b := job(t, s, ids[0])
	all, err := s.Jobs(ctx, "", store.JobFilter{})
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("Jobs() = %d jobs, %v", len(all), err)
	}
	for _, c := range []struct {
		f    store.JobFilter
		want []int64
	}{
		{store.JobFilter{Statuses: []string{store.StatusApproved}}, []int64{a.ID}},
		{store.JobFilter{Statuses: []string{store.StatusApproved, store.StatusRequested}}, []int64{a.ID, b.ID}},
		{store.JobFilter{CustomerID: other}, []int64{b.ID}},
		{store.JobFilter{From: mustLocal("2026-12-08 10:01")}, []int64{b.ID}},
		{store.JobFilter{To: mustLocal("2026-12-09 10:00")}, []int64{a.ID}},
		{store.JobFilter{Limit: 1}, []int64{a.ID}},
	} {
		got, err := s.Jobs(ctx, "", c.f)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []int64
		for _, j := range got {
			gotIDs = append(gotIDs, j.ID)
		}
		if len(gotIDs) != len(c.want) || (len(gotIDs) > 0 && gotIDs[0] != c.want[0]) || (len(gotIDs) > 1 && gotIDs[1] != c.want[1]) {
			t.Errorf("Jobs(%+v) = %v, want %v", c.f, gotIDs, c.want)
		}
	}
}

func TestWeeklyDates(t *testing.T) {
	loc := denver()
	for _, c := range []struct {
		start, end string
		week       int
		want       string // start of that week, "" for an error
		wantEnd    string
	}{
		{"2026-12-17 18:00", "2026-12-18 00:00", 0, "2026-12-17 18:00", "2026-12-18 00:00"},
		{"2026-12-17 18:00", "2026-12-18 00:00", 2, "2026-12-31 18:00", "2027-01-01 00:00"}, // across a month and a year
		{"2026-01-29 09:00", "2026-01-29 17:00", 4, "2026-02-26 09:00", "2026-02-26 17:00"},
		{"2027-03-07 02:30", "2027-03-07 05:30", 1, "", ""},                                 // 02:30 does not exist on 14 March 2027
		{"2027-03-07 01:00", "2027-03-07 05:00", 1, "2027-03-14 01:00", "2027-03-14 05:00"}, // same wall times, one hour less
		{"2027-10-31 01:30", "2027-10-31 03:00", 1, "2027-11-07 01:30", "2027-11-07 03:00"}, // first 01:30 of the fall-back
	} {
		st, en, err := store.WeeklyDates(mustLocal(c.start), mustLocal(c.end), loc, c.week)
		if c.want == "" {
			if err == nil {
				t.Errorf("WeeklyDates(%s, week %d) = %v, want an error", c.start, c.week, st)
			}
			continue
		}
		if err != nil {
			t.Errorf("WeeklyDates(%s, week %d): %v", c.start, c.week, err)
			continue
		}
		if !st.Equal(mustLocal(c.want)) || !en.Equal(mustLocal(c.wantEnd)) {
			t.Errorf("WeeklyDates(%s, week %d) = %v - %v, want %s - %s", c.start, c.week, st.In(loc), en.In(loc), c.want, c.wantEnd)
		}
	}
	// The first occurrence of 01:30 on the fall-back night is MDT.
	st, _, _ := store.WeeklyDates(mustLocal("2027-10-31 01:30"), mustLocal("2027-10-31 03:00"), loc, 1)
	if name, _ := st.In(loc).Zone(); name != "MDT" {
		t.Errorf("fall-back 01:30 resolved to %s, want the first occurrence (MDT)", name)
	}
}
