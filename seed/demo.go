package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"offduty/pricing"
	"offduty/store"
)

type demoOfficer struct {
	agency, badge, first, last, rank, phone string
	capHours                                int
	hired                                   string
}

var demoOfficers = []demoOfficer{
	{"west-valley-city", "WV1187", "Marcus", "Hale", "lieutenant", "801-555-0311", 24, "2009-06-15"},
	{"west-valley-city", "WV1342", "Dana", "Whitaker", "sergeant", "801-555-0312", 30, "2011-03-01"},
	{"west-valley-city", "WV1408", "Luis", "Ortega", "sergeant", "801-555-0313", 30, "2012-08-20"},
	{"west-valley-city", "WV1529", "Kimberly", "Tanner", "sergeant", "801-555-0314", 28, "2013-01-07"},
	{"west-valley-city", "WV1611", "Jared", "Christensen", "corporal", "801-555-0315", 32, "2014-05-12"},
	{"west-valley-city", "WV1702", "Alyssa", "Moana", "officer", "801-555-0316", 32, "2015-09-08"},
	{"west-valley-city", "WV1766", "Tyler", "Jensen", "officer", "801-555-0317", 36, "2016-02-22"},
	{"west-valley-city", "WV1803", "Brandon", "Nguyen", "officer", "801-555-0318", 32, "2016-11-14"},
	{"west-valley-city", "WV1859", "Rachel", "Larsen", "officer", "801-555-0319", 30, "2017-04-03"},
	{"west-valley-city", "WV1912", "Derek", "Fifita", "officer", "801-555-0320", 36, "2018-07-16"},
	{"west-valley-city", "WV1958", "Megan", "Petersen", "officer", "801-555-0321", 28, "2019-01-28"},
	{"west-valley-city", "WV2024", "Carlos", "Mendoza", "officer", "801-555-0322", 36, "2019-10-07"},
	{"west-valley-city", "WV2077", "Hannah", "Olsen", "officer", "801-555-0323", 30, "2020-06-01"},
	{"west-valley-city", "WV2131", "Isaac", "Tuilagi", "officer", "801-555-0324", 36, "2021-03-15"},
	{"west-valley-city", "WV2190", "Spencer", "Call", "officer", "801-555-0325", 32, "2022-08-29"},
	{"west-valley-city", "WV2245", "Jasmine", "Reyes", "officer", "801-555-0326", 24, "2023-05-22"},
	{"grantsville", "GV207", "Wade", "Barrus", "sergeant", "435-555-0141", 30, "2010-04-19"},
	{"grantsville", "GV219", "Kelsey", "Anderson", "officer", "435-555-0142", 30, "2013-09-09"},
	{"grantsville", "GV224", "Cody", "Sandberg", "officer", "435-555-0143", 32, "2015-02-02"},
	{"grantsville", "GV231", "Brittany", "Hammond", "officer", "435-555-0144", 24, "2016-06-27"},
	{"grantsville", "GV238", "Trevor", "Ekker", "officer", "435-555-0145", 32, "2018-01-08"},
	{"grantsville", "GV242", "Natalie", "Bevan", "officer", "435-555-0146", 28, "2019-08-12"},
	{"grantsville", "GV249", "Ryan", "Matthews", "corporal", "435-555-0147", 30, "2020-11-30"},
	{"grantsville", "GV253", "Ashley", "Clegg", "officer", "435-555-0148", 24, "2022-03-21"},
	{"grantsville", "GV260", "Jordan", "Wrathall", "officer", "435-555-0149", 32, "2024-07-01"},
}

// pattern is a recurring need of a customer: on the given weekdays, with
// probability p, a shift from hh:mm for the given minutes.
type pattern struct {
	days              []time.Weekday
	p                 float64
	hour, minute, len int
	officers, vehicle int
	site              int // index into the customer's sites
	orders            string
}

type demoCustomer struct {
	in       store.CustomerInput
	agency   string
	venue    pricing.Venue
	sites    []store.SiteInput
	patterns []pattern
}

var (
	weekend  = []time.Weekday{time.Friday, time.Saturday}
	weeknite = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
)

var demoCustomers = []demoCustomer{
	{in: store.CustomerInput{Name: "Valley Fair Mall", Phone: "801-555-0142", Email: "security@valleyfair.example", Address: "3601 S 2700 W, West Valley City, UT 84119", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Dana Ruiz", Phone: "801-555-0199", Role: "security manager"}}},
		agency: "west-valley-city", venue: pricing.VenueRetail,
		sites: []store.SiteInput{{Name: "Valley Fair Mall", Address: "3601 S 2700 W, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Saturday}, p: 0.9, hour: 10, len: 8 * 60, officers: 3, site: 0, orders: "Patrol parking lots A-D; escort staff to cars at close; report to security office on arrival."},
			{days: []time.Weekday{time.Friday}, p: 0.6, hour: 16, len: 6 * 60, officers: 2, site: 0, orders: "Food court and east entrance presence."},
		}},
	{in: store.CustomerInput{Name: "Maverik Center", Phone: "801-555-0230", Email: "events@maverikcenter.example", Address: "3200 S Decker Lake Dr, West Valley City, UT 84119", BillingCycle: "biweekly",
		Contacts: []store.Contact{{Name: "Tom Kearns", Phone: "801-555-0231", Role: "event operations"}}},
		agency: "west-valley-city", venue: pricing.VenueEvent,
		sites: []store.SiteInput{{Name: "Maverik Center arena", Address: "3200 S Decker Lake Dr, West Valley City"}},
		patterns: []pattern{
			{days: weekend, p: 0.45, hour: 18, len: 5*60 + 30, officers: 5, vehicle: 1, site: 0, orders: "Gate 1 and 3 entry screening; traffic at Decker Lake Dr after the event."},
		}},
	{in: store.CustomerInput{Name: "USANA Amphitheatre", Phone: "801-555-0260", Email: "ops@usana-amp.example", Address: "5150 S 6055 W, West Valley City, UT 84118", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Priya Shah", Phone: "801-555-0261", Role: "venue manager"}}},
		agency: "west-valley-city", venue: pricing.VenueEvent,
		sites: []store.SiteInput{{Name: "USANA Amphitheatre", Address: "5150 S 6055 W, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Saturday}, p: 0.3, hour: 17, len: 6 * 60, officers: 6, vehicle: 2, site: 0, orders: "Lawn and pit crowd control; two units for 5600 W traffic after the show."},
		}},
	{in: store.CustomerInput{Name: "Staker Parson Companies", Phone: "801-555-0370", Email: "traffic@stakerparson.example", Address: "2350 S 1900 W, Ogden, UT 84401", BillingCycle: "weekly",
		Contacts: []store.Contact{{Name: "Glen Hatch", Phone: "801-555-0371", Role: "traffic foreman"}}},
		agency: "west-valley-city", venue: pricing.VenueTraffic,
		sites: []store.SiteInput{{Name: "SR-201 lane closure", Address: "SR-201 at 5600 W, West Valley City"}, {Name: "3500 S repaving", Address: "3500 S at 4000 W, West Valley City"}},
		patterns: []pattern{
			{days: weeknite, p: 0.35, hour: 21, len: 8 * 60, officers: 1, vehicle: 1, site: 0, orders: "Marked unit with lights at the taper; stay with the crew until cones are up."},
			{days: []time.Weekday{time.Tuesday, time.Wednesday}, p: 0.3, hour: 7, len: 4 * 60, officers: 1, vehicle: 1, site: 1, orders: "Flagging support at the intersection during paving."},
		}},
	{in: store.CustomerInput{Name: "Granite School District", Phone: "385-555-0400", Email: "police@graniteschools.example", Address: "2500 S State St, Salt Lake City, UT 84115", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Coach Ben Larkin", Phone: "385-555-0401", Role: "athletics director"}}},
		agency: "west-valley-city", venue: pricing.VenueSchool,
		sites: []store.SiteInput{{Name: "Hunter High School", Address: "4200 S 5600 W, West Valley City"}, {Name: "Granger High School", Address: "3580 S 3600 W, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Friday}, p: 0.7, hour: 17, len: 5 * 60, officers: 2, site: 0, orders: "Football game: stadium gates and parking lot; stay until the lot is clear."},
			{days: []time.Weekday{time.Thursday}, p: 0.3, hour: 18, len: 3 * 60, officers: 1, site: 1, orders: "Basketball game: gym entrance."},
		}},
	{in: store.CustomerInput{Name: "Sts. Peter and Paul Parish", Phone: "801-555-0450", Email: "office@stspeterpaul.example", Address: "3560 S 3800 W, West Valley City, UT 84120", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Maria Lopez", Phone: "801-555-0451", Role: "parish administrator"}}},
		agency: "west-valley-city", venue: pricing.VenueWorship,
		sites: []store.SiteInput{{Name: "Sts. Peter and Paul Parish", Address: "3560 S 3800 W, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Sunday}, p: 0.8, hour: 8, minute: 30, len: 4 * 60, officers: 1, site: 0, orders: "Traffic at 3800 W between masses; parking lot presence."},
		}},
	{in: store.CustomerInput{Name: "Smith's Marketplace", Phone: "801-555-0480", Email: "lp4411@smiths.example", Address: "5600 W 3500 S, West Valley City, UT 84120", BillingCycle: "weekly",
		Contacts: []store.Contact{{Name: "Kevin Park", Phone: "801-555-0481", Role: "loss prevention"}}},
		agency: "west-valley-city", venue: pricing.VenueRetail,
		sites: []store.SiteInput{{Name: "Smith's Marketplace #4411", Address: "5600 W 3500 S, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Thursday, time.Friday, time.Saturday}, p: 0.4, hour: 16, len: 6 * 60, officers: 1, site: 0, orders: "Uniformed presence at the front doors; assist loss prevention."},
		}},
	{in: store.CustomerInput{Name: "Lucky 7 Lounge", Phone: "801-555-0777", Address: "2900 S Redwood Rd, West Valley City, UT 84119", BillingCycle: "monthly"},
		agency: "west-valley-city", venue: pricing.VenueAlcohol,
		sites: []store.SiteInput{{Name: "Lucky 7 Lounge", Address: "2900 S Redwood Rd, West Valley City"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Saturday}, p: 0.15, hour: 21, len: 5 * 60, officers: 2, site: 0, orders: "Door security."},
		}},
	{in: store.CustomerInput{Name: "Tooele County School District", Phone: "435-555-0500", Email: "safety@tooelesd.example", Address: "92 Lodestone Way, Tooele, UT 84074", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Lisa Durfee", Phone: "435-555-0501", Role: "district safety"}}},
		agency: "grantsville", venue: pricing.VenueSchool,
		sites: []store.SiteInput{{Name: "Grantsville High School", Address: "155 E Cherry St, Grantsville"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Friday}, p: 0.7, hour: 17, len: 5 * 60, officers: 2, site: 0, orders: "Game night: ticket gate and parking."},
		}},
	{in: store.CustomerInput{Name: "Grantsville City Events", Phone: "435-555-0520", Email: "events@grantsvilleut.example", Address: "429 E Main St, Grantsville, UT 84029", BillingCycle: "monthly",
		Contacts: []store.Contact{{Name: "Rhonda Nix", Phone: "435-555-0521", Role: "events coordinator"}}},
		agency: "grantsville", venue: pricing.VenueEvent,
		sites: []store.SiteInput{{Name: "Grantsville City Park", Address: "429 E Main St, Grantsville"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Saturday}, p: 0.4, hour: 10, len: 6 * 60, officers: 3, site: 0, orders: "Market and concert: crowd presence; lost-child point at the pavilion."},
		}},
	{in: store.CustomerInput{Name: "Ridley's Family Markets", Phone: "435-555-0540", Email: "store12@ridleys.example", Address: "349 E Main St, Grantsville, UT 84029", BillingCycle: "biweekly",
		Contacts: []store.Contact{{Name: "Josh Hale", Phone: "435-555-0541", Role: "store director"}}},
		agency: "grantsville", venue: pricing.VenueRetail,
		sites: []store.SiteInput{{Name: "Ridley's Grantsville", Address: "349 E Main St, Grantsville"}},
		patterns: []pattern{
			{days: weekend, p: 0.4, hour: 18, len: 4 * 60, officers: 1, site: 0, orders: "Lot patrol and front-end presence until close."},
		}},
	{in: store.CustomerInput{Name: "Wasatch Paving & Grading", Phone: "801-555-0560", Email: "dispatch@wasatchpaving.example", Address: "1250 W 2100 S, Salt Lake City, UT 84119", BillingCycle: "weekly",
		Contacts: []store.Contact{{Name: "Art Vigil", Phone: "801-555-0561", Role: "superintendent"}}},
		agency: "grantsville", venue: pricing.VenueConstruction,
		sites: []store.SiteInput{{Name: "SR-138 widening", Address: "SR-138 at Durfee St, Grantsville"}},
		patterns: []pattern{
			{days: []time.Weekday{time.Monday, time.Wednesday}, p: 0.5, hour: 7, len: 8 * 60, officers: 1, site: 0, orders: "Work zone presence; slow traffic through the lane shift."},
		}},
}

// Demo loads demo officers, customers and jobs from 8 weeks before to 6 weeks
// after now. The same clock gives the same data.
func Demo(ctx context.Context, s *store.Store, now time.Time) error {
	agencies, err := s.Agencies(ctx)
	if err != nil {
		return err
	}
	bySlug := map[string]store.Agency{}
	for _, a := range agencies {
		bySlug[a.Slug] = a
	}
	staff := map[string][]store.Officer{}
	for _, d := range demoOfficers {
		a, ok := bySlug[d.agency]
		if !ok {
			return fmt.Errorf("demo officer %s: no agency %s", d.badge, d.agency)
		}
		hired, _ := time.Parse("2006-01-02", d.hired)
		o, err := s.CreateOfficer(ctx, Actor, store.OfficerInput{AgencyID: a.ID, Badge: d.badge, FirstName: d.first, LastName: d.last,
			Rank: d.rank, Phone: d.phone, Email: fmt.Sprintf("%s.%s@%s.example", lower(d.first), lower(d.last), d.agency),
			WeeklyCapMinutes: d.capHours * 60, HiredOn: hired})
		if err != nil {
			return fmt.Errorf("demo officer %s: %w", d.badge, err)
		}
		staff[d.agency] = append(staff[d.agency], o)
	}

	rng := rand.New(rand.NewPCG(2026, 11))
	loc := bySlug["west-valley-city"].Loc
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	for _, dc := range demoCustomers {
		c, err := s.CreateCustomer(ctx, Actor, dc.in)
		if err != nil {
			return fmt.Errorf("demo customer %s: %w", dc.in.Name, err)
		}
		var siteIDs []int64
		for _, si := range dc.sites {
			si.CustomerID = c.ID
			site, err := s.CreateSite(ctx, Actor, si)
			if err != nil {
				return err
			}
			siteIDs = append(siteIDs, site.ID)
		}
		for day := -56; day < 42; day++ {
			date := today.AddDate(0, 0, day)
			for _, p := range dc.patterns {
				if !hasDay(p.days, date.Weekday()) || rng.Float64() >= p.p {
					continue
				}
				start, err := pricing.LocalTime(loc, date.Year(), date.Month(), date.Day(), p.hour, p.minute)
				if err != nil {
					continue
				}
				end := start.Add(time.Duration(p.len) * time.Minute)
				officers := p.officers
				if rng.IntN(4) == 0 {
					officers++
				}
				lead := time.Duration(3*24+rng.IntN(18*24)) * time.Hour
				if rng.IntN(12) == 0 {
					lead = time.Duration(20+rng.IntN(40)) * time.Hour // a few short-notice requests
				}
				received := start.Add(-lead)
				if received.After(now) {
					received = now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour)
				}
				ids, err := s.CreateJobs(ctx, Actor, store.JobInput{CustomerID: c.ID, SiteID: siteIDs[p.site], Agency: dc.agency,
					Start: start, End: end, Officers: officers, Vehicles: p.vehicle, Venue: dc.venue, Received: received,
					ContactName: contactName(dc), ContactPhone: contactPhone(dc), PostOrders: p.orders,
					PONumber: fmt.Sprintf("PO-%d", 4000+rng.IntN(5000))})
				if err != nil {
					return fmt.Errorf("demo job for %s on %s: %w", dc.in.Name, date.Format("2006-01-02"), err)
				}
				if err := progress(ctx, s, rng, ids[0], staff[dc.agency], start, end, now); err != nil {
					return fmt.Errorf("demo job %d: %w", ids[0], err)
				}
			}
		}
		// Whatever the clock, the board has a shift on duty now and one about to start.
		if dc.in.Name == "Smith's Marketplace" || dc.in.Name == "Ridley's Family Markets" {
			hour := now.In(loc).Truncate(time.Hour)
			start, end := hour.Add(-2*time.Hour), hour.Add(4*time.Hour)
			if dc.agency == "grantsville" {
				start, end = hour.Add(3*time.Hour), hour.Add(7*time.Hour)
			}
			ids, err := s.CreateJobs(ctx, Actor, store.JobInput{CustomerID: c.ID, SiteID: siteIDs[0], Agency: dc.agency,
				Start: start, End: end, Officers: 1, Venue: dc.venue, Received: start.Add(-6 * 24 * time.Hour),
				ContactName: contactName(dc), ContactPhone: contactPhone(dc), PostOrders: dc.patterns[0].orders, PONumber: "PO-NOW"})
			if err != nil {
				return fmt.Errorf("demo job for %s now: %w", dc.in.Name, err)
			}
			if err := progress(ctx, s, rand.New(rand.NewPCG(7, 7)), ids[0], staff[dc.agency], start, end, now); err != nil {
				return fmt.Errorf("demo job %d: %w", ids[0], err)
			}
		}
	}
	if err := demoBilling(ctx, s, now, today.AddDate(0, 0, -56)); err != nil {
		return err
	}
	// The demo's events are made up: they owe nobody a message.
	_, err = s.ClearOutbox(ctx, Actor)
	return err
}

// progress moves a demo job to a status that fits its time relative to now.
func progress(ctx context.Context, s *store.Store, rng *rand.Rand, id int64, staff []store.Officer, start, end, now time.Time) error {
	j, err := s.Job(ctx, Actor, id)
	if err != nil {
		return err
	}
	if !j.Bookable {
		return nil // stays requested: the console shows why it cannot be approved
	}
	if rng.IntN(20) == 0 {
		if start.After(now) && rng.IntN(2) == 0 {
			_, err := s.Cancel(ctx, Actor, id, now.Add(-time.Duration(rng.IntN(48))*time.Hour), "customer cancelled by phone")
			return err
		}
		if !start.After(now) {
			_, err := s.Cancel(ctx, Actor, id, start.Add(-time.Duration(10+rng.IntN(100))*time.Hour), "event cancelled")
			return err
		}
	}
	ahead := start.Sub(now)
	if ahead > 21*24*time.Hour && rng.IntN(2) == 0 {
		return nil // requested, far ahead
	}
	if ahead > 0 && rng.IntN(8) == 0 {
		return nil // requested, waiting for a dispatcher
	}
	if err := s.Approve(ctx, Actor, id); err != nil {
		return err
	}
	if ahead > 14*24*time.Hour && rng.IntN(2) == 0 {
		return nil // approved, not staffed yet
	}
	leaveOpen := ahead > 0 && rng.IntN(5) == 0
	offset := rng.IntN(len(staff))
	for i, p := range j.Positions {
		if leaveOpen && i == len(j.Positions)-1 {
			break
		}
		for k := range staff {
			o := staff[(offset+i+k)%len(staff)]
			if p.Class == "supervisor" && !store.SupervisorRank(o.Rank) {
				continue
			}
			if err := s.Assign(ctx, Actor, p.ID, o.ID, ""); err == nil {
				break
			} else if store.ErrorCode(err) != store.EConflict {
				return err
			}
		}
	}
	j, err = s.Job(ctx, Actor, id)
	if err != nil || start.After(now) {
		return err
	}
	if j.Status != store.StatusScheduled { // could not be staffed: the customer was told and cancelled
		_, err := s.Cancel(ctx, Actor, id, start.Add(-50*time.Hour), "no officers available")
		return err
	}
	// Attendance: officers check in around the start (one in a while late),
	// and, for shifts that are over, check out at the end, a few released
	// early or held over. The store moves the job to in progress, then completed.
	for _, p := range j.Positions {
		in := start.Add(time.Duration(rng.IntN(11)-7) * time.Minute)
		if in.After(now) {
			in = now
		}
		if err := s.CheckIn(ctx, Actor, p.ID, in); err != nil {
			return err
		}
	}
	if end.After(now) {
		return nil
	}
	for _, p := range j.Positions {
		out := end
		switch rng.IntN(12) {
		case 0:
			out = end.Add(-time.Duration(30+rng.IntN(90)) * time.Minute) // released early
		case 1:
			out = end.Add(time.Duration(15+rng.IntN(60)) * time.Minute) // held over
		}
		if out.After(now) { // held over until now, at most: a check-out is never in the future
			out = now
		}
		if err := s.CheckOut(ctx, Actor, p.ID, out); err != nil {
			return err
		}
	}
	_ = rng.IntN(3) // keeps the demo's random sequence as it was
	return nil
}

// demoBilling bills the demo's older past: for every customer, each billing
// period that ended more than 30 days ago gets its invoice, issued the day
// after the period; most are paid, some are left overdue. The last month is
// left for the office to bill (g in the Invoices tab), as it would be.
func demoBilling(ctx context.Context, s *store.Store, now time.Time, from time.Time) error {
	custs, err := s.Customers(ctx)
	if err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	type due struct {
		id     int64
		issued time.Time
		k      int
	}
	var todo []due
	for k, c := range custs {
		day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		for {
			_, pe, err := pricing.Period(c.BillingCycle, day)
			if err != nil {
				return err
			}
			if pe.After(today.AddDate(0, 0, -30)) {
				break
			}
			invs, err := s.GenerateInvoices(ctx, Actor, pe.AddDate(0, 0, -1), c.ID, true) // the period ended on its last day
			if err != nil {
				return fmt.Errorf("demo invoices for %s: %w", c.Name, err)
			}
			for _, inv := range invs {
				if issued := pe.AddDate(0, 0, 1); !issued.After(today) { // the newest stay drafts for the office to review
					todo = append(todo, due{inv.ID, issued, k})
				}
			}
			day = pe
		}
	}
	// Numbers follow the issue dates.
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].issued.Before(todo[j].issued) })
	for _, d := range todo {
		if _, err := s.IssueInvoice(ctx, Actor, d.id, d.issued); err != nil {
			return err
		}
	}
	for _, d := range todo {
		paid := d.issued.AddDate(0, 0, 12+(d.k%3)*10)
		if paid.Before(today) && d.k%4 != 3 {
			if err := s.MarkPaid(ctx, Actor, d.id, paid, fmt.Sprintf("ACH %s-%d", paid.Format("0102"), d.id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasDay(days []time.Weekday, d time.Weekday) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

func contactName(dc demoCustomer) string {
	if len(dc.in.Contacts) > 0 {
		return dc.in.Contacts[0].Name
	}
	return ""
}

func contactPhone(dc demoCustomer) string {
	if len(dc.in.Contacts) > 0 {
		return dc.in.Contacts[0].Phone
	}
	return dc.in.Phone
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
