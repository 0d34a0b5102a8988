package seed_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

var demoNow = func() time.Time {
	loc, err := time.LoadLocation(seed.Zone)
	if err != nil {
		panic(err)
	}
	t, err := pricing.ParseLocal("2026-11-26 09:00", loc)
	if err != nil {
		panic(err)
	}
	return t
}()

func open(t testing.TB) (*store.Store, *sql.DB) {
	t.Helper()
	return openAt(t, demoNow)
}

// openAt opens a new database whose store clock is now.
func openAt(t testing.TB, now time.Time) (*store.Store, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "offduty.db")
	s, err := store.Open(path, store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, db
}

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestEnsureAgencies(t *testing.T) {
	ctx := context.Background()
	s, db := open(t)
	created, err := seed.EnsureAgencies(ctx, s)
	if err != nil || !created {
		t.Fatalf("EnsureAgencies on a new database = %v, %v; want true", created, err)
	}

	type row struct {
		slug, name, zone, from string
		rates                  [10]sql.NullString
		types                  [10]string
		minimum, notice, supAt int
	}
	rows, err := db.Query(`SELECT a.slug, a.name, a.zone, r.effective_from,
		r.regular_total, r.regular_officer, r.supervisor_total, r.supervisor_officer, r.holiday_total, r.holiday_officer,
		r.emergency_total, r.emergency_officer, r.vehicle_total, r.vehicle_officer,
		typeof(r.regular_total), typeof(r.regular_officer), typeof(r.supervisor_total), typeof(r.supervisor_officer),
		typeof(r.holiday_total), typeof(r.holiday_officer), typeof(r.emergency_total), typeof(r.emergency_officer),
		typeof(r.vehicle_total), typeof(r.vehicle_officer),
		r.minimum_minutes, r.notice_minutes, r.supervisor_at
		FROM agencies a JOIN rate_cards r ON r.agency_id = a.id ORDER BY a.slug`)
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for rows.Next() {
		var r row
		dst := []any{&r.slug, &r.name, &r.zone, &r.from}
		for i := range r.rates {
			dst = append(dst, &r.rates[i])
		}
		for i := range r.types {
			dst = append(dst, &r.types[i])
		}
		dst = append(dst, &r.minimum, &r.notice, &r.supAt)
		if err := rows.Scan(dst...); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	if len(got) != 2 {
		t.Fatalf("%d agency rate cards, want exactly 2", len(got))
	}
	text := func(vals ...string) [10]sql.NullString {
		var out [10]sql.NullString
		for i, v := range vals {
			if v != "" {
				out[i] = sql.NullString{String: v, Valid: true}
			}
		}
		return out
	}
	want := []struct {
		slug, name, from       string
		rates                  [10]sql.NullString
		minimum, notice, supAt int
	}{
		{"grantsville", "Grantsville PD", "2020-07-20T06:00:00Z",
			text("60.00", "53.50", "", "", "", "", "", "", "", ""), 120, 24 * 60, 0},
		{"west-valley-city", "West Valley City PD", "2020-11-16T07:00:00Z",
			text("57.00", "50.00", "68.40", "60.00", "85.50", "75.00", "85.50", "75.00", "1.14", "1.00"), 120, 72 * 60, 5},
	}
	for i, w := range want {
		g := got[i]
		if g.slug != w.slug || g.name != w.name || g.zone != "America/Denver" || g.from != w.from {
			t.Errorf("agency %d = %s %q %s from %s, want %s %q America/Denver from %s", i, g.slug, g.name, g.zone, g.from, w.slug, w.name, w.from)
		}
		if g.rates != w.rates {
			t.Errorf("%s rates = %v, want %v", w.slug, g.rates, w.rates)
		}
		for k, typ := range g.types {
			wantType := "null"
			if w.rates[k].Valid {
				wantType = "text"
			}
			if typ != wantType {
				t.Errorf("%s rate column %d stored as %s, want %s", w.slug, k, typ, wantType)
			}
		}
		if g.minimum != w.minimum || g.notice != w.notice || g.supAt != w.supAt {
			t.Errorf("%s minimum %d notice %d supervisor at %d", w.slug, g.minimum, g.notice, g.supAt)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM agency_holidays`); n != 26 {
		t.Errorf("%d holidays, want 13 per agency", n)
	}
	venues := map[string]string{}
	vr, err := db.Query(`SELECT a.slug || ' ' || v.venue, v.rule FROM venue_rules v JOIN agencies a ON a.id = v.agency_id`)
	if err != nil {
		t.Fatal(err)
	}
	for vr.Next() {
		var k, rule string
		if err := vr.Scan(&k, &rule); err != nil {
			t.Fatal(err)
		}
		venues[k] = rule
	}
	vr.Close()
	if len(venues) != 4 || !strings.Contains(venues["west-valley-city alcohol"], "alcoholic beverages") ||
		!strings.Contains(venues["west-valley-city gambling"], "gambling") || venues["west-valley-city illegal"] != venues["west-valley-city gambling"] ||
		!strings.Contains(venues["grantsville labor-dispute"], "strike, lockout, picket") {
		t.Errorf("venue rules = %v", venues)
	}

	// The store reads the same card back.
	pa, err := s.Pricing(ctx, "grantsville", demoNow)
	if err != nil {
		t.Fatal(err)
	}
	c := pa.Pricing.Card
	if c.Regular.Total.StringFixed(2) != "60.00" || c.Regular.Admin().StringFixed(2) != "6.50" || c.Supervisor.Offered() || c.Holiday.Offered() ||
		c.Emergency.Offered() || c.Vehicle.Offered() {
		t.Errorf("grantsville card read back as %+v", c)
	}

	// A second call finds the agencies and does nothing.
	before := count(t, db, `SELECT count(*) FROM audit`)
	created, err = seed.EnsureAgencies(ctx, s)
	if err != nil || created {
		t.Fatalf("second EnsureAgencies = %v, %v; want false", created, err)
	}
	if n := count(t, db, `SELECT count(*) FROM agencies`); n != 2 {
		t.Errorf("%d agencies after the second call", n)
	}
	if n := count(t, db, `SELECT count(*) FROM rate_cards`); n != 2 {
		t.Errorf("%d rate cards after the second call", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit`); n != before {
		t.Errorf("the second call wrote %d audit rows", n-before)
	}
}

func TestAgenciesAreValid(t *testing.T) {
	for _, a := range seed.Agencies() {
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", a.Slug, err)
		}
		for _, r := range []pricing.Rate{a.Card.Regular, a.Card.Supervisor, a.Card.Holiday, a.Card.Emergency, a.Card.Vehicle} {
			if r.Offered() && r.Admin().IsNegative() {
				t.Errorf("%s: negative admin fee in %+v", a.Slug, r)
			}
		}
	}
}

// demoJob is what identifies a demo job's content.
type demoJob struct {
	Customer, Site, Agency, Start, End, Status, Total, Venue, PO string
	Officers, Supervisors, Vehicles                              int
	Assigned                                                     string // badges by slot, "-" for open
}

func demoJobs(t testing.TB, db *sql.DB) []demoJob {
	t.Helper()
	rows, err := db.Query(`SELECT c.name, st.name, a.slug, j.starts_at, j.ends_at, j.status, j.total, j.venue, j.po_number,
		j.officers, j.supervisors, j.vehicles,
		coalesce((SELECT group_concat(coalesce(o.badge, '-'), ',') FROM (SELECT p.officer_id FROM positions p WHERE p.job_id = j.id ORDER BY p.slot) q
			LEFT JOIN officers o ON o.id = q.officer_id), '')
		FROM jobs j JOIN customers c ON c.id = j.customer_id JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id
		ORDER BY j.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []demoJob
	for rows.Next() {
		var j demoJob
		if err := rows.Scan(&j.Customer, &j.Site, &j.Agency, &j.Start, &j.End, &j.Status, &j.Total, &j.Venue, &j.PO,
			&j.Officers, &j.Supervisors, &j.Vehicles, &j.Assigned); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func loadDemo(t testing.TB) (*store.Store, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	s, db := open(t)
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s, demoNow); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	return s, db
}

func TestDemoIsDeterministic(t *testing.T) {
	_, db1 := loadDemo(t)
	_, db2 := loadDemo(t)
	a, b := demoJobs(t, db1), demoJobs(t, db2)
	if len(a) == 0 {
		t.Fatal("no demo jobs")
	}
	if !reflect.DeepEqual(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("demo job %d differs between two runs with the same clock:\n%+v\n%+v", i, a[i], b[i])
			}
		}
		t.Fatalf("%d and %d demo jobs from the same clock", len(a), len(b))
	}
	// And a different clock gives different data.
	ctx := context.Background()
	s3, db3 := openAt(t, demoNow.AddDate(0, 0, 7))
	if _, err := seed.EnsureAgencies(ctx, s3); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s3, demoNow.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if c := demoJobs(t, db3); reflect.DeepEqual(a, c) {
		t.Error("a clock a week later gave the same jobs")
	}
}

func TestDemoData(t *testing.T) {
	ctx := context.Background()
	s, db := loadDemo(t)

	if n := count(t, db, `SELECT count(*) FROM officers`); n != 25 {
		t.Errorf("%d officers, want 25", n)
	}
	if n := count(t, db, `SELECT count(*) FROM customers`); n != 12 {
		t.Errorf("%d customers, want 12", n)
	}
	// Its made-up events owe nobody a message.
	if n := count(t, db, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("the demo left %d messages to send", n)
	}
	officers, err := s.Officers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	perAgency := map[string]int{}
	for _, o := range officers {
		perAgency[o.AgencySlug]++
	}
	if perAgency["west-valley-city"] != 16 || perAgency["grantsville"] != 9 {
		t.Errorf("officers per agency = %v", perAgency)
	}

	jobs, err := s.Jobs(ctx, "", store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) < 100 {
		t.Errorf("only %d demo jobs", len(jobs))
	}
	loc := jobs[0].Start.Location()
	if l, err := time.LoadLocation(seed.Zone); err == nil {
		loc = l
	}
	today := time.Date(demoNow.Year(), demoNow.Month(), demoNow.Day(), 0, 0, 0, 0, loc)
	first, last := jobs[0].Start, jobs[len(jobs)-1].Start
	if first.Before(today.AddDate(0, 0, -56)) || first.After(today.AddDate(0, 0, -49)) {
		t.Errorf("first job starts %v, want in the 8th week before %v", first.In(loc), today)
	}
	if !last.Before(today.AddDate(0, 0, 42)) || last.Before(today.AddDate(0, 0, 35)) {
		t.Errorf("last job starts %v, want in the 6th week after %v", last.In(loc), today)
	}

	statuses := map[string]int{}
	for _, j := range jobs {
		statuses[j.Status]++
		past := j.End.Before(demoNow) || j.End.Equal(demoNow)
		switch j.Status {
		case store.StatusCompleted, store.StatusInvoiced, store.StatusPaid:
			if !past {
				t.Errorf("job %d is %s but ends %v, after now", j.ID, j.Status, j.End.In(loc))
			}
		case store.StatusRequested, store.StatusApproved, store.StatusScheduled:
			if j.Start.Before(demoNow) && j.Status != store.StatusRequested && j.Filled == len(j.Positions) {
				t.Errorf("job %d started %v, fully staffed, but still %s", j.ID, j.Start.In(loc), j.Status)
			}
		}
		if !j.Bookable && j.Status != store.StatusRequested {
			t.Errorf("job %d is not bookable (%v) but %s", j.ID, j.Quote.Refusals, j.Status)
		}
		if j.Venue == pricing.VenueAlcohol && j.Status != store.StatusRequested {
			t.Errorf("bar job %d is %s", j.ID, j.Status)
		}
	}
	for _, st := range store.Statuses {
		if statuses[st] > 0 {
			continue
		}
		if st == store.StatusInProgress {
			t.Logf("no in_progress demo job at %v (nothing is on shift at that hour)", demoNow)
			continue
		}
		t.Errorf("no demo job is %s (statuses: %v)", st, statuses)
	}
	t.Logf("demo statuses at %v: %v", demoNow, statuses)

	// Work that happened was staffed: no past completed job has an open position.
	if n := count(t, db, `SELECT count(*) FROM jobs j JOIN positions p ON p.job_id = j.id
		WHERE j.status IN ('scheduled', 'in_progress', 'completed', 'invoiced', 'paid') AND (p.status <> 'assigned' OR p.officer_id IS NULL)`); n != 0 {
		t.Errorf("%d open positions on scheduled or later jobs", n)
	}
	// Nobody is double-booked.
	rows, err := db.Query(`SELECT o.badge, p1.job_id, p1.starts_at, p2.job_id, p2.starts_at
		FROM positions p1 JOIN positions p2 ON p2.officer_id = p1.officer_id AND p2.id > p1.id
		JOIN jobs j1 ON j1.id = p1.job_id JOIN jobs j2 ON j2.id = p2.job_id JOIN officers o ON o.id = p1.officer_id
		WHERE p1.status = 'assigned' AND p2.status = 'assigned' AND j1.status <> 'cancelled' AND j2.status <> 'cancelled'
		AND p1.starts_at < p2.ends_at AND p2.starts_at < p1.ends_at`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var badge, s1, s2 string
		var j1, j2 int64
		if err := rows.Scan(&badge, &j1, &s1, &j2, &s2); err != nil {
			t.Fatal(err)
		}
		t.Errorf("officer %s double-booked: job %d at %s and job %d at %s", badge, j1, s1, j2, s2)
	}
	rows.Close()
	// Officers work for their own agency, supervisors are sergeants or above,
	// and nobody goes over their weekly cap.
	if n := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id JOIN officers o ON o.id = p.officer_id
		WHERE o.agency_id <> j.agency_id OR (p.class = 'supervisor' AND o.rank NOT IN ('sergeant', 'lieutenant', 'captain'))`); n != 0 {
		t.Errorf("%d positions held by an officer of another agency or without supervisor rank", n)
	}
	byID := map[int64]store.Officer{}
	for _, o := range officers {
		byID[o.ID] = o
	}
	booked := map[string]int{}
	for _, j := range jobs {
		if j.Status == store.StatusCancelled {
			continue
		}
		full, err := s.Job(ctx, "", j.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range full.Positions {
			if p.OfficerID == 0 || p.Status != "assigned" {
				continue
			}
			l := p.Start.In(loc)
			monday := time.Date(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, 0, 0, 0, 0, loc)
			booked[fmt.Sprintf("%d %s", p.OfficerID, monday.Format("2006-01-02"))] += int(p.End.Sub(p.Start) / time.Minute)
		}
	}
	for k, mins := range booked {
		var id int64
		fmt.Sscan(k, &id)
		if cap := byID[id].WeeklyCapMinutes; mins > cap {
			t.Errorf("officer %s week %s: %d minutes booked, cap %d", byID[id].Badge, strings.Fields(k)[1], mins, cap)
		}
	}
}
