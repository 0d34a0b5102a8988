package store_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"offduty/pricing"
	"offduty/store"
)

// hostile is text written into the database by another tool (the sqlite3
// shell): an OSC title, a screen clear, a bidi override and a C1 CSI.
var hostile = []string{"\x1b]0;pwn\x07", "\x1b[2J", "\u202e", "\u009b31m", "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
	"\x1bP+q\x1b\\", "\u0085next line", "\u2066isolate\u2069", "\x9b", "\x1b"}

// shownSafe reports a rune a terminal would act on rather than print: ESC,
// any C0 or C1 control, a bidi control, or the line and paragraph separators.
func shownSafe(s string, multiline bool) (rune, bool) {
	for _, r := range s {
		if r == '\n' && multiline {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return r, false
		}
	}
	return 0, true
}

func TestCleanHostile(t *testing.T) {
	for _, h := range hostile {
		for _, in := range []string{h, "Acme " + h + " Co", h + h, strings.Repeat(h, 3) + "x"} {
			for _, ml := range []bool{false, true} {
				got := store.Clean(in, ml)
				if r, ok := shownSafe(got, ml); !ok {
					t.Errorf("Clean(%q, %v) = %q: keeps %U", in, ml, got, r)
				}
				if strings.Contains(got, "pwn") || strings.Contains(got, "31m") || strings.Contains(got, "[2J") || strings.Contains(got, "evil") {
					t.Errorf("Clean(%q, %v) = %q: the sequence's parameters are left", in, ml, got)
				}
			}
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Acme \x1b]0;pwn\x07Co", "Acme Co"},
		{"\x1b[2JAcme", "Acme"},
		{"Acme\u202eoC", "AcmeoC"},
		{"\u009b31mAcme", "Acme"},
		{"Acme \u0085Co", "Acme Co"},
	} {
		if got := store.Clean(c.in, false); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Free text has a length limit per field: a longer value is refused with a
// message that names the field and the limit, and nothing is stored.
func TestTextLimits(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Limits Co")
	start := mustLocal("2026-12-08 10:00")
	long := func(n int) string { return strings.Repeat("x", n) }
	jobIn := func(f func(*store.JobInput)) store.JobInput {
		in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: start, End: start.Add(4 * time.Hour),
			Officers: 1, Venue: pricing.VenueRetail, Received: testNow}
		f(&in)
		return in
	}
	tables := `(SELECT count(*) FROM jobs) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM sites) + (SELECT count(*) FROM officers) +
		(SELECT count(*) FROM contacts) + (SELECT count(*) FROM audit)`
	officerIn := func(f func(*store.OfficerInput)) store.OfficerInput {
		in := store.OfficerInput{AgencyID: agency(t, s, "west-valley-city").ID, Badge: "LIM1", FirstName: "Lim", LastName: "Its", Rank: "officer",
			WeeklyCapMinutes: 20 * 60, HiredOn: time.Date(2015, 1, 5, 0, 0, 0, 0, time.UTC)}
		f(&in)
		return in
	}
	existing := officer(t, s, "west-valley-city", "LIM0", "officer", 20)
	ids, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.PONumber = "PO-1" }))
	if err != nil {
		t.Fatal(err)
	}
	jobID := ids[0]

	for _, c := range []struct {
		name, field, msg string
		do               func() error
	}{
		{"post orders", "post_orders", "post orders: at most 4,000 characters (got 4,001)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.PostOrders = long(4001) }))
			return err
		}},
		{"post orders, multiline", "post_orders", "post orders: at most 4,000 characters (got 4,001)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.PostOrders = strings.Repeat("line\n", 800) + "x" }))
			return err
		}},
		{"contact name", "contact_name", "contact name: at most 100 characters (got 101)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.ContactName = long(101) }))
			return err
		}},
		{"contact phone", "contact_phone", "contact phone: at most 40 characters (got 47)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.ContactPhone = "801" + strings.Repeat(" ", 37) + "5550100" }))
			return err
		}},
		{"PO number", "po", "PO number: at most 60 characters (got 1,000)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.PONumber = long(1000) }))
			return err
		}},
		{"PO number on edit", "po", "PO number: at most 60 characters (got 61)", func() error {
			return s.UpdateJob(ctx, "dispatch", jobID, jobIn(func(in *store.JobInput) { in.PONumber = long(61) }))
		}},
		{"new customer's name with a job", "customer", "customer name: at most 200 characters (got 201)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) {
				in.CustomerID, in.SiteID = 0, 0
				in.NewCustomer = &store.CustomerInput{Name: long(201)}
				in.NewSite = &store.SiteInput{Name: "Lot"}
			}))
			return err
		}},
		{"new site's name with a job", "site", "site name: at most 200 characters (got 250)", func() error {
			_, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) { in.SiteID, in.NewSite = 0, &store.SiteInput{Name: long(250)} }))
			return err
		}},
		{"customer name", "customer", "customer name: at most 200 characters (got 201)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: long(201)})
			return err
		}},
		{"customer name in accents", "customer", "customer name: at most 200 characters (got 201)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: strings.Repeat("é", 201)})
			return err
		}},
		{"customer address", "address", "address: at most 300 characters (got 301)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "A", Address: long(301)})
			return err
		}},
		{"customer email", "email", "email: at most 254 characters (got 310)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "A", Email: long(300) + "@x.example"})
			return err
		}},
		{"customer phone", "phone", "phone: at most 40 characters (got 100)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "A", Phone: "8015550100" + strings.Repeat("-", 90)})
			return err
		}},
		{"customer notes", "notes", "customer notes: at most 4,000 characters (got 5,000)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "A", Notes: long(5000)})
			return err
		}},
		{"a contact's name", "contact_name", "contact name: at most 100 characters (got 101)", func() error {
			_, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "A", Contacts: []store.Contact{{Name: long(101)}}})
			return err
		}},
		{"site name", "site", "site name: at most 200 characters (got 201)", func() error {
			_, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: cust, Name: long(201)})
			return err
		}},
		{"site address", "site_address", "site address: at most 300 characters (got 400)", func() error {
			_, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: cust, Name: "Lot", Address: long(400)})
			return err
		}},
		{"badge", "badge", "badge: at most 32 characters (got 33)", func() error {
			_, err := s.CreateOfficer(ctx, "test", officerIn(func(in *store.OfficerInput) { in.Badge = long(33) }))
			return err
		}},
		{"first name", "first_name", "first name: at most 100 characters (got 101)", func() error {
			_, err := s.CreateOfficer(ctx, "test", officerIn(func(in *store.OfficerInput) { in.FirstName = long(101) }))
			return err
		}},
		{"last name on edit", "last_name", "last name: at most 100 characters (got 102,400)", func() error {
			return s.UpdateOfficer(ctx, "test", existing.ID, officerIn(func(in *store.OfficerInput) { in.Badge, in.LastName = "LIM0", long(100*1024) }))
		}},
		{"officer phone", "phone", "phone: at most 40 characters (got 41)", func() error {
			_, err := s.CreateOfficer(ctx, "test", officerIn(func(in *store.OfficerInput) { in.Phone = "8015550100" + strings.Repeat(" ", 30) + "1" }))
			return err
		}},
		{"officer email", "email", "email: at most 254 characters (got 255)", func() error {
			_, err := s.CreateOfficer(ctx, "test", officerIn(func(in *store.OfficerInput) { in.Email = long(245) + "@x.example" }))
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := count(t, db, `SELECT `+tables)
			err := c.do()
			e := storeErr(t, err, store.EInvalid, c.field)
			if e.Message != c.msg {
				t.Errorf("message %q, want %q", e.Message, c.msg)
			}
			if after := count(t, db, `SELECT `+tables); after != before {
				t.Errorf("%d rows before, %d after a refused write", before, after)
			}
		})
	}
	if j := job(t, s, jobID); j.PONumber != "PO-1" {
		t.Errorf("the refused edit left PO %q", j.PONumber)
	}
	var last string
	if err := db.QueryRow(`SELECT last_name FROM officers WHERE id = ?`, existing.ID).Scan(&last); err != nil || last != "LIM0" {
		t.Errorf("last name %q (%v) after a refused edit", last, err)
	}

	// At the limit is fine, counted in characters, not bytes.
	if _, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: strings.Repeat("é", 200), Address: long(300), Notes: long(4000)}); err != nil {
		t.Errorf("a customer at the limits: %v", err)
	}
	if _, err := s.CreateJobs(ctx, "dispatch", jobIn(func(in *store.JobInput) {
		in.PostOrders, in.ContactName, in.PONumber = strings.Repeat("ü", 4000), long(100), long(60)
	})); err != nil {
		t.Errorf("a job at the limits: %v", err)
	}
	if _, err := s.CreateOfficer(ctx, "test", officerIn(func(in *store.OfficerInput) {
		in.Badge, in.FirstName, in.LastName, in.Email = long(32), long(100), long(100), long(244)+"@x.example"
	})); err != nil {
		t.Errorf("an officer at the limits: %v", err)
	}
	// Escape sequences do not count: the limit applies to what is kept.
	if _, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: strings.Repeat("\x1b[31m", 100) + long(200)}); err != nil {
		t.Errorf("a name of 200 characters after cleaning: %v", err)
	}
}

// A cancellation or reduction reason is at most 500 characters: a 100 KB
// --reason is refused and the job is left as it was.
func TestReasonLimit(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Reason Co")
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 3)
	audit := count(t, db, `SELECT count(*) FROM audit`)

	for _, c := range []struct {
		name string
		plan store.CancelPlan
	}{
		{"cancel", store.CancelPlan{JobID: j.ID, At: testNow, Reason: strings.Repeat("x", 100*1024)}},
		{"reduce", store.CancelPlan{JobID: j.ID, At: testNow, Officers: 1, Reason: strings.Repeat("x", 100*1024)}},
		{"501 characters", store.CancelPlan{JobID: j.ID, At: testNow, Officers: 1, Reason: strings.Repeat("ß", 501)}},
	} {
		_, err := s.CancelOrReduce(ctx, "dispatch", c.plan)
		e := storeErr(t, err, store.EInvalid, "reason")
		want := "reason: at most 500 characters (got 102,400)"
		if c.name == "501 characters" {
			want = "reason: at most 500 characters (got 501)"
		}
		if e.Message != want {
			t.Errorf("%s: %q, want %q", c.name, e.Message, want)
		}
	}
	if _, err := s.Cancel(ctx, "dispatch", j.ID, testNow, strings.Repeat("x", 100*1024)); err == nil {
		t.Error("Cancel took a 100 KB reason")
	}
	if got := job(t, s, j.ID); got.Status != store.StatusApproved || got.Officers != 3 {
		t.Errorf("after refused cancellations the job is %s with %d officers", got.Status, got.Officers)
	}
	if n := count(t, db, `SELECT count(*) FROM job_fees`); n != 0 {
		t.Errorf("%d fees kept after refused cancellations", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit`); n != audit {
		t.Errorf("audit grew from %d to %d", audit, n)
	}
	// 500 characters, escape sequences aside, is a reason.
	if _, err := s.CancelOrReduce(ctx, "dispatch", store.CancelPlan{JobID: j.ID, At: testNow, Officers: 1,
		Reason: "\x1b[1m" + strings.Repeat("r", 500) + "\x1b[0m"}); err != nil {
		t.Fatalf("a 500-character reason: %v", err)
	}
	var after string
	if err := db.QueryRow(`SELECT after FROM audit WHERE action = 'reduce' ORDER BY id DESC LIMIT 1`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(after, "reason: "+strings.Repeat("r", 500)) {
		t.Errorf("audit after = %q", after)
	}
}
