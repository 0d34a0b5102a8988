package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// HistoryPositionsPerDay is the density of a generated history: five years
// hold about 1,000,000 positions.
const HistoryPositionsPerDay = 548

// HistoryStats describes a generated history.
type HistoryStats struct {
	From, To  time.Time // jobs start on the local days [From, To)
	Jobs      int
	Positions int
	Cancelled int // jobs, of Jobs
	Officers  int // officers created for the history
	Customers int // customers created for the history
	Elapsed   time.Duration
}

// ParseYears reads a history length in whole years: "5y", "5", "5 years".
func ParseYears(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, suffix := range []string{"years", "year", "yrs", "yr", "y"} {
		if strings.HasSuffix(t, suffix) {
			t = strings.TrimSpace(strings.TrimSuffix(t, suffix))
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 || n > 50 {
		return 0, fmt.Errorf("history %q: give a whole number of years from 1 to 50, e.g. 5y", s)
	}
	return n, nil
}

// History generates `years` of past jobs for the seed agencies, ending on the
// local day of now, or earlier, on the day of the first job already in the
// database (the demo's, say), so that it never meets existing work. See
// HistorySpan.
func History(ctx context.Context, s *store.Store, now time.Time, years int, w io.Writer) (HistoryStats, error) {
	if years < 1 {
		return HistoryStats{}, fmt.Errorf("history: at least one year")
	}
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return HistoryStats{}, err
	}
	to := midnight(now, loc)
	first, err := s.Jobs(ctx, Actor, store.JobFilter{Limit: 1})
	if err != nil {
		return HistoryStats{}, err
	}
	if len(first) > 0 {
		if d := midnight(first[0].Start, loc); d.Before(to) {
			to = d
		}
	}
	return HistorySpan(ctx, s, now, to.AddDate(-years, 0, 0), to, w)
}

// HistorySpan generates past jobs starting on the local days [from, to) at
// HistoryPositionsPerDay, deterministically: the same database and arguments
// give the same rows. It creates the customers, sites and officers that
// volume needs (the demo customers, when present, keep their own patterns),
// prices every job with pricing.Agency.Quote and the card in force when it
// was received, staffs it in start order, round robin, with officers that
// store.Eligibility accepts (no overlap, weekly cap, 16 h a day, 8 h rest,
// supervisor rank), and completes it, or cancels it (by the customer, or
// refused); a shift still running at now is left out. Each month goes to
// store.ImportHistory with the invoices of the customers' periods that ended
// by its end (see invoicesUntil): the store bills them as GenerateInvoices
// does, and their jobs become invoiced or paid with them. The history must
// come before every job already in the database and can be generated once
// (its officers' badges end in H0001...); existing officers only take shifts
// ending 8 days before to. Months are generated while the previous one is
// imported; progress goes to w.
func HistorySpan(ctx context.Context, s *store.Store, now, from, to time.Time, w io.Writer) (HistoryStats, error) {
	began := time.Now()
	if w == nil {
		w = io.Discard
	}
	g, err := newHistoryGen(ctx, s, now, from, to)
	if err != nil {
		return HistoryStats{}, err
	}
	st := HistoryStats{From: g.from, To: g.to, Officers: g.newOfficers, Customers: g.newCustomers}
	fmt.Fprintf(w, "history %s to %s: %d customers (%d new), %d officers (%d new)\n", g.from.Format("2006-01-02"), g.to.Format("2006-01-02"),
		len(g.customers), g.newCustomers, g.officers, g.newOfficers)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		month time.Time
		jobs  []store.HistoryJob
		err   error
	}
	ch := make(chan batch, 2)
	go func() {
		defer close(ch)
		err := g.run(ctx, func(month time.Time, jobs []store.HistoryJob) bool {
			select {
			case ch <- batch{month: month, jobs: jobs}:
				return true
			case <-ctx.Done():
				return false
			}
		})
		if err != nil {
			select {
			case ch <- batch{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	for b := range ch {
		if b.err != nil {
			return st, b.err
		}
		// With the month's jobs, the invoices of the periods that end by its end.
		until := time.Date(b.month.Year(), b.month.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		invs := g.invoicesUntil(until)
		if err := s.ImportHistory(ctx, Actor, b.jobs, invs...); err != nil {
			return st, fmt.Errorf("history %s: %w", b.month.Format("2006-01"), err)
		}
		n, c := 0, 0
		for _, j := range b.jobs {
			n += len(j.Positions)
			if j.Status == store.StatusCancelled {
				c++
			}
		}
		st.Jobs += len(b.jobs)
		st.Positions += n
		st.Cancelled += c
		fmt.Fprintf(w, "  %s  %6d jobs  %7d positions  (total %d positions, %s)\n", b.month.Format("2006-01"), len(b.jobs), n,
			st.Positions, time.Since(began).Round(100*time.Millisecond))
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if invs := g.invoicesUntil(g.to); len(invs) > 0 { // periods ending after the last month with jobs
		if err := s.ImportHistory(ctx, Actor, nil, invs...); err != nil {
			return st, fmt.Errorf("history invoices: %w", err)
		}
	}
	st.Elapsed = time.Since(began)
	return st, nil
}

// invoicesUntil is the billing of the customers' periods that end by the
// civil date until (and by the end of the history), in order, each once:
// an invoice is issued the day after its period, unless that is after
// today (then it stays a draft for the office to review), and paid 7 to 200
// days later (most within a month, a few late) if that is not after today.
// The store bills what each period holds and skips periods with nothing.
func (g *historyGen) invoicesUntil(until time.Time) []store.HistoryInvoice {
	end := time.Date(g.to.Year(), g.to.Month(), g.to.Day(), 0, 0, 0, 0, time.UTC)
	if until.After(end) {
		until = end
	}
	n := g.now.In(g.loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	var out []store.HistoryInvoice
	for i := range g.customers {
		c := &g.customers[i]
		if c.billFrom.IsZero() {
			c.billFrom = time.Date(g.from.Year(), g.from.Month(), g.from.Day(), 0, 0, 0, 0, time.UTC)
		}
		for {
			ps, pe, err := pricing.Period(c.cycle, c.billFrom)
			if err != nil || pe.After(until) {
				break
			}
			c.billFrom = pe
			h := store.HistoryInvoice{CustomerID: c.id, PeriodStart: ps}
			issued := pe.AddDate(0, 0, 1)
			if !issued.After(today) {
				h.IssuedOn = issued
				rng := rand.New(rand.NewPCG(uint64(c.id), uint64(ps.Unix())))
				var days int
				switch x := rng.IntN(100); {
				case x < 55:
					days = 7 + rng.IntN(23)
				case x < 85:
					days = 30 + rng.IntN(26)
				case x < 97:
					days = 56 + rng.IntN(45)
				default:
					days = 101 + rng.IntN(100)
				}
				if paid := issued.AddDate(0, 0, days); !paid.After(today) {
					h.PaidOn, h.PaidRef = paid, fmt.Sprintf("ACH %s-%d", paid.Format("060102"), c.id)
				}
			}
			out = append(out, h)
		}
	}
	return out // the store numbers them in issue-date order
}

func midnight(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// histAgency is an agency with its card versions, ready to price, and its roster.
type histAgency struct {
	store.Agency
	cards  []store.PricedAgency // oldest first
	roster roster
}

// cardAt is the card in force at t, or nil.
func (a *histAgency) cardAt(t time.Time) *store.PricedAgency {
	i := sort.Search(len(a.cards), func(i int) bool { return a.cards[i].Card.EffectiveFrom.After(t) })
	if i == 0 {
		return nil
	}
	return &a.cards[i-1]
}

type histCustomer struct {
	id       int64
	name     string
	cycle    string    // billing cycle
	billFrom time.Time // civil start of the next period to bill
	agency   *histAgency
	venue    pricing.Venue
	sites    []int64
	patterns []pattern
	contact  string
	phone    string
}

type historyGen struct {
	s            *store.Store
	now          time.Time
	loc          *time.Location
	from, to     time.Time
	agencies     []*histAgency
	customers    []histCustomer
	officers     int
	newOfficers  int
	newCustomers int
	rng          *rand.Rand
}

// historyBadge prefixes the badges of generated officers; their presence
// means the database already has a generated history.
func historyBadge(a store.Agency, i int) string {
	var p strings.Builder
	for _, part := range strings.Split(a.Slug, "-") {
		if part != "" {
			p.WriteString(strings.ToUpper(part[:1]))
		}
	}
	return fmt.Sprintf("%sH%04d", p.String(), i+1)
}

func newHistoryGen(ctx context.Context, s *store.Store, now, from, to time.Time) (*historyGen, error) {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return nil, err
	}
	g := &historyGen{s: s, now: now, loc: loc, from: midnight(from, loc), to: midnight(to, loc), rng: rand.New(rand.NewPCG(1849, 2026))}
	if g.to.After(midnight(now, loc)) {
		return nil, fmt.Errorf("history must end by today (%s)", midnight(now, loc).Format("2006-01-02"))
	}
	agencies, err := s.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(agencies, func(i, k int) bool { return agencies[i].ID < agencies[k].ID })
	bySlug := map[string]*histAgency{}
	earliest := g.from
	for _, a := range agencies {
		ha := &histAgency{Agency: a}
		cards, err := s.RateCards(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for i := len(cards) - 1; i >= 0; i-- { // oldest first
			pa, err := s.Pricing(ctx, a.Slug, cards[i].EffectiveFrom)
			if err != nil {
				return nil, err
			}
			ha.cards = append(ha.cards, pa)
		}
		if len(ha.cards) == 0 {
			continue
		}
		// Requests are received up to 3 weeks ahead: start after the first card.
		if d := midnight(ha.cards[0].Card.EffectiveFrom.AddDate(0, 0, 22), loc); d.After(earliest) {
			earliest = d
		}
		g.agencies = append(g.agencies, ha)
		bySlug[a.Slug] = ha
	}
	if len(g.agencies) == 0 {
		return nil, fmt.Errorf("history: no agency with a rate card")
	}
	g.from = earliest
	if !g.from.Before(g.to) {
		return nil, fmt.Errorf("history: no days to generate from %s to %s (requests need a rate card in force)", g.from.Format("2006-01-02"), g.to.Format("2006-01-02"))
	}
	// The history comes before all existing work, so that no officer's
	// existing shifts need to be taken into account.
	if n, err := s.Jobs(ctx, Actor, store.JobFilter{To: g.to, Limit: 1}); err != nil {
		return nil, err
	} else if len(n) > 0 {
		return nil, fmt.Errorf("history: the database already has jobs before %s (the first on %s)", g.to.Format("2006-01-02"),
			n[0].Start.In(loc).Format("2006-01-02"))
	}
	for _, a := range g.agencies {
		offs, err := s.Officers(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range offs {
			if o.Badge == historyBadge(a.Agency, 0) {
				return nil, fmt.Errorf("history: %s already has generated officers (badge %s): this database has a generated history", a.Name, o.Badge)
			}
		}
	}

	if err := g.loadCustomers(ctx, bySlug); err != nil {
		return nil, err
	}
	if err := g.loadOfficers(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

// expected is a pattern's expected positions per day for an agency (the demo
// adds an officer to a quarter of the jobs; the card may add a supervisor).
func expected(p pattern, a *histAgency) (positions, minutes float64) {
	per := float64(p.officers) + 0.25
	if len(a.cards) > 0 {
		if at := a.cards[len(a.cards)-1].Card.Card.SupervisorAt; at > 0 {
			switch {
			case p.officers >= at:
				per++
			case p.officers+1 == at:
				per += 0.25
			}
		}
	}
	days := p.p * float64(len(p.days)) / 7
	return days * per, days * per * float64(p.len)
}

// loadCustomers takes the demo customers found in the database, with their
// patterns, and creates generated ones until the expected volume reaches
// HistoryPositionsPerDay.
func (g *historyGen) loadCustomers(ctx context.Context, bySlug map[string]*histAgency) error {
	existing, err := g.s.Customers(ctx)
	if err != nil {
		return err
	}
	byName := map[string]store.Customer{}
	for _, c := range existing {
		byName[c.Name] = c
	}
	total := 0.0
	for _, dc := range demoCustomers {
		c, ok := byName[dc.in.Name]
		a := bySlug[dc.agency]
		if !ok || a == nil {
			continue
		}
		hc := histCustomer{id: c.ID, name: c.Name, cycle: c.BillingCycle, agency: a, venue: dc.venue, patterns: dc.patterns, contact: contactName(dc), phone: contactPhone(dc)}
		for _, si := range dc.sites {
			for _, st := range c.Sites {
				if st.Name == si.Name {
					hc.sites = append(hc.sites, st.ID)
					break
				}
			}
		}
		if len(hc.sites) != len(dc.sites) {
			continue // edited since: leave it out
		}
		for _, p := range dc.patterns {
			n, _ := expected(p, a)
			total += n
		}
		g.customers = append(g.customers, hc)
	}
	// Generated customers, 70% for the first agency (West Valley City).
	rng := rand.New(rand.NewPCG(77, 1849))
	names := map[string]bool{}
	for _, c := range existing {
		names[c.Name] = true
	}
	for i := 0; total < HistoryPositionsPerDay; i++ {
		a := g.agencies[0]
		if len(g.agencies) > 1 && rng.IntN(10) >= 7 {
			a = g.agencies[1+rng.IntN(len(g.agencies)-1)]
		}
		hc, in, sites := genCustomer(rng, i, a)
		hc.name = in.Name
		for k := 2; names[in.Name]; k++ {
			in.Name = fmt.Sprintf("%s %d", hc.name, k)
		}
		names[in.Name] = true
		c, err := g.s.CreateCustomer(ctx, Actor, in)
		if err != nil {
			return fmt.Errorf("history customer %s: %w", in.Name, err)
		}
		hc.id, hc.name, hc.cycle = c.ID, c.Name, c.BillingCycle
		for _, si := range sites {
			si.CustomerID = c.ID
			site, err := g.s.CreateSite(ctx, Actor, si)
			if err != nil {
				return err
			}
			hc.sites = append(hc.sites, site.ID)
		}
		for _, p := range hc.patterns {
			n, _ := expected(p, a)
			total += n
		}
		g.customers = append(g.customers, hc)
		g.newCustomers++
	}
	return nil
}

var (
	histPlaces = []string{"Oquirrh", "Jordan River", "Decker Lake", "Redwood", "Bangerter", "Magna", "Kearns", "Taylorsville",
		"Hunter", "Granger", "Chesterfield", "Lake Park", "Valley West", "Stansbury", "Tooele Valley", "Erda", "Lake Point",
		"Cedar Fort", "Copper Hills", "Wasatch", "Bonneville", "Great Salt Lake", "Pioneer", "Silver Hills"}
	histKinds = map[pricing.Venue][]string{
		pricing.VenueGeneral:      {"Apartments", "Storage", "Credit Union", "Medical Center", "Transit Hub", "Business Park"},
		pricing.VenueRetail:       {"Market", "Outlet", "Plaza", "Hardware", "Pharmacy", "Shopping Center"},
		pricing.VenueEvent:        {"Events Center", "Fairgrounds", "Sports Complex", "Amphitheater"},
		pricing.VenueSchool:       {"High School", "Junior High", "Elementary", "Academy"},
		pricing.VenueWorship:      {"Community Church", "Chapel", "Mosque", "Stake Center"},
		pricing.VenueTraffic:      {"Utilities", "Striping", "Signal Works"},
		pricing.VenueConstruction: {"Construction", "Excavation", "Builders"},
	}
	histVenues = []pricing.Venue{pricing.VenueRetail, pricing.VenueRetail, pricing.VenueGeneral, pricing.VenueGeneral, pricing.VenueEvent,
		pricing.VenueSchool, pricing.VenueWorship, pricing.VenueTraffic, pricing.VenueConstruction}
	histOrders = map[pricing.Venue]string{
		pricing.VenueGeneral:      "Visible patrol of the grounds; check doors and lots; report to the front desk on arrival.",
		pricing.VenueRetail:       "Uniformed presence at the entrances; assist loss prevention; escort staff to cars at close.",
		pricing.VenueEvent:        "Entry screening and crowd presence; traffic on the main road after the event.",
		pricing.VenueSchool:       "Game or event duty: gates and parking; stay until the lot is clear.",
		pricing.VenueWorship:      "Traffic between services; parking lot presence.",
		pricing.VenueTraffic:      "Marked unit with lights at the taper; stay with the crew until the cones are up.",
		pricing.VenueConstruction: "Work zone presence; slow traffic through the lane shift.",
	}
	histFirst = []string{"Aaron", "Abby", "Bryce", "Camille", "Dallin", "Emma", "Garrett", "Heather", "Jake", "Jenna", "Kade", "Lacey",
		"Mason", "McKenna", "Nate", "Paige", "Quinn", "Rebecca", "Sam", "Tanner", "Whitney", "Zach", "Ana", "Manuel", "Sione", "Lupe", "Mele", "Ken"}
	histLast = []string{"Allred", "Bingham", "Cannon", "Dixon", "Eldredge", "Frandsen", "Gardner", "Hatch", "Jacobsen", "Kimball",
		"Lund", "Madsen", "Nielsen", "Pace", "Richards", "Sorensen", "Thackeray", "Udall", "Vance", "Woolley", "Young", "Garcia",
		"Hernandez", "Tonga", "Vaifanua", "Nguyen", "Tran", "Kim", "Benally", "Yazzie"}
)

// genCustomer makes the i-th generated customer of agency a: a venue, one to
// three sites and one to three recurring patterns.
func genCustomer(rng *rand.Rand, i int, a *histAgency) (histCustomer, store.CustomerInput, []store.SiteInput) {
	venue := pricing.VenueGeneral
	for range 20 { // one the agency does not prohibit
		v := histVenues[rng.IntN(len(histVenues))]
		if _, banned := a.cards[len(a.cards)-1].Pricing.Prohibited[v]; !banned {
			venue = v
			break
		}
	}
	kinds := histKinds[venue]
	place := histPlaces[rng.IntN(len(histPlaces))]
	name := place + " " + kinds[rng.IntN(len(kinds))]
	city, area, zip := "West Valley City", "801", 84119+rng.IntN(3)
	if a.Slug == "grantsville" {
		city, area, zip = "Grantsville", "435", 84029
	}
	phone := fmt.Sprintf("%s-555-%04d", area, 1000+i)
	contact := histFirst[rng.IntN(len(histFirst))] + " " + histLast[rng.IntN(len(histLast))]
	cycles := []string{"weekly", "biweekly", "monthly", "monthly"}
	in := store.CustomerInput{Name: name, Phone: phone, Email: fmt.Sprintf("security%d@%s.example", i+1, strings.ToLower(strings.ReplaceAll(place, " ", ""))),
		Address: fmt.Sprintf("%d W %d S, %s, UT %d", 1000+rng.IntN(6000), 2000+rng.IntN(4000), city, zip), BillingCycle: cycles[rng.IntN(len(cycles))],
		Contacts: []store.Contact{{Name: contact, Phone: fmt.Sprintf("%s-555-%04d", area, 5000+i), Role: "site manager"}}}
	var sites []store.SiteInput
	for k := range 1 + rng.IntN(3) {
		sn := name
		if k > 0 {
			sn = fmt.Sprintf("%s #%d", name, k+1)
		}
		sites = append(sites, store.SiteInput{Name: sn, Address: fmt.Sprintf("%d W %d S, %s", 1000+rng.IntN(6000), 2000+rng.IntN(4000), city)})
	}
	hc := histCustomer{agency: a, venue: venue, contact: contact, phone: in.Contacts[0].Phone}
	for range 1 + rng.IntN(3) {
		p := genPattern(rng, venue, len(sites))
		if !a.cards[len(a.cards)-1].Card.Card.Vehicle.Offered() {
			p.vehicle = 0
		}
		hc.patterns = append(hc.patterns, p)
	}
	return hc, in, sites
}

func pickDays(rng *rand.Rand, from []time.Weekday, n int) []time.Weekday {
	d := append([]time.Weekday{}, from...)
	rng.Shuffle(len(d), func(i, k int) { d[i], d[k] = d[k], d[i] })
	d = d[:min(n, len(d))]
	sort.Slice(d, func(i, k int) bool { return d[i] < d[k] })
	return d
}

var (
	allDays  = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	workDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
)

func genPattern(rng *rand.Rand, v pricing.Venue, sites int) pattern {
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	p := pattern{p: 0.45 + 0.5*rng.Float64(), minute: 30 * rng.IntN(2), site: rng.IntN(sites), orders: histOrders[v]}
	switch v {
	case pricing.VenueRetail:
		p.days, p.hour, p.len, p.officers = pickDays(rng, allDays, between(2, 7)), between(9, 17), 60*between(4, 8), between(1, 2)
	case pricing.VenueEvent:
		p.days, p.hour, p.len, p.officers, p.vehicle = pickDays(rng, []time.Weekday{time.Thursday, time.Friday, time.Saturday, time.Sunday}, between(1, 3)),
			between(15, 19), 60*between(4, 7), between(2, 8), rng.IntN(3)
	case pricing.VenueSchool:
		p.days, p.hour, p.len, p.officers = pickDays(rng, workDays, between(1, 3)), between(15, 18), 60*between(3, 5), between(1, 3)
	case pricing.VenueWorship:
		p.days, p.hour, p.len, p.officers = pickDays(rng, []time.Weekday{time.Saturday, time.Sunday}, between(1, 2)), between(8, 10), 60*between(3, 5), between(1, 2)
	case pricing.VenueTraffic:
		p.days, p.len, p.officers, p.vehicle = pickDays(rng, workDays, between(2, 5)), 60*between(6, 10), 1+rng.IntN(2), 1
		p.hour = between(6, 8)
		if rng.IntN(2) == 0 {
			p.hour = between(20, 22)
		}
	case pricing.VenueConstruction:
		p.days, p.hour, p.len, p.officers, p.vehicle = pickDays(rng, append(workDays, time.Saturday), between(3, 6)), between(6, 8), 60*between(8, 10), between(1, 2), rng.IntN(2)
	default: // general: any time, overnight too
		p.days, p.hour, p.len, p.officers = pickDays(rng, allDays, between(3, 7)), between(0, 23), 60*between(4, 10), between(1, 2)
	}
	return p
}

// roster is an agency's officers in the order they are offered shifts.
type roster struct {
	all, sup         []*rosterOfficer
	nextAll, nextSup int
}

type rosterOfficer struct {
	store.Officer
	until time.Time // zero: any time; else only shifts ending by then
	book  []store.Booking
}

// pick finds, round robin from where the last search stopped, an officer who
// may take [start, end) by store.Eligibility, and books them.
func (r *roster) pick(start, end time.Time, supervisor bool, loc *time.Location, jobID int64) *rosterOfficer {
	list, next := r.all, &r.nextAll
	if supervisor {
		list, next = r.sup, &r.nextSup
	}
	horizon := start.AddDate(0, 0, -9)
	for k := range list {
		i := (*next + k) % len(list)
		c := list[i]
		if !c.until.IsZero() && end.After(c.until) {
			continue
		}
		if len(c.book) > 12 {
			keep := c.book[:0]
			for _, b := range c.book {
				if b.End.After(horizon) {
					keep = append(keep, b)
				}
			}
			c.book = keep
		}
		if len(store.Eligibility(c.Officer, c.book, start, end, supervisor, loc)) > 0 {
			continue
		}
		*next = (i + 1) % len(list)
		c.book = append(c.book, store.Booking{JobID: jobID, Start: start, End: end})
		return c
	}
	return nil
}

// unbook removes a job's booking from an officer (staffing that failed).
func (c *rosterOfficer) unbook(jobID int64) {
	for i := len(c.book) - 1; i >= 0; i-- {
		if c.book[i].JobID == jobID {
			c.book = append(c.book[:i], c.book[i+1:]...)
			return
		}
	}
}

// loadOfficers builds each agency's roster: its existing officers (until 8
// days before the history ends) and generated ones, as many as the
// expected hours and the busiest weekday need.
func (g *historyGen) loadOfficers(ctx context.Context) error {
	cutoff := g.to.AddDate(0, 0, -8)
	for ai, a := range g.agencies {
		var weekMin float64
		var day [7]float64
		for _, c := range g.customers {
			if c.agency != a {
				continue
			}
			for _, p := range c.patterns {
				n, m := expected(p, a)
				weekMin += 7 * m
				for _, d := range p.days {
					day[d] += n * 7 / float64(len(p.days))
				}
			}
		}
		peak := 0.0
		for _, n := range day {
			peak = max(peak, n)
		}
		want := int(math.Ceil(max(weekMin/(28*60), peak*1.3))) + 6

		existing, err := g.s.Officers(ctx, a.ID)
		if err != nil {
			return err
		}
		sort.Slice(existing, func(i, k int) bool { return existing[i].ID < existing[k].ID })
		rng := rand.New(rand.NewPCG(uint64(ai)+5, 1849))
		var made []store.Officer
		for i := range want {
			rank := "officer"
			switch {
			case i%25 == 0:
				rank = "lieutenant"
			case i%5 == 0:
				rank = "sergeant"
			case i%3 == 1:
				rank = "corporal"
			}
			first, last := histFirst[rng.IntN(len(histFirst))], histLast[rng.IntN(len(histLast))]
			area := "801"
			if a.Slug == "grantsville" {
				area = "435"
			}
			o, err := g.s.CreateOfficer(ctx, Actor, store.OfficerInput{AgencyID: a.ID, Badge: historyBadge(a.Agency, i), FirstName: first, LastName: last,
				Rank: rank, Phone: fmt.Sprintf("%s-555-%04d", area, 2000+i), Email: fmt.Sprintf("%s.%s%d@%s.example", lower(first), lower(last), i+1, a.Slug),
				WeeklyCapMinutes: 60 * []int{40, 40, 36, 32}[rng.IntN(4)], HiredOn: g.from.AddDate(-1-rng.IntN(20), -rng.IntN(12), 0).UTC().Truncate(24 * time.Hour)})
			if err != nil {
				return fmt.Errorf("history officer: %w", err)
			}
			made = append(made, o)
		}
		g.newOfficers += len(made)
		add := func(o store.Officer, until time.Time) {
			ro := &rosterOfficer{Officer: o, until: until}
			a.roster.all = append(a.roster.all, ro)
			if store.SupervisorRank(o.Rank) {
				a.roster.sup = append(a.roster.sup, ro)
			}
		}
		for _, o := range existing {
			add(o, cutoff)
		}
		for _, o := range made {
			add(o, time.Time{})
		}
		g.officers += len(a.roster.all)
	}
	return nil
}

// histJob is a job of the day being generated, before it is priced.
type histJob struct {
	c          *histCustomer
	p          *pattern
	start, end time.Time
	officers   int
	received   time.Time
	po         string
	roll       float64 // decides cancellation
	rng        uint64  // seeds the job's own details
}

var cancelReasons = []string{"customer cancelled by phone", "event cancelled", "event postponed", "weather", "project delayed", "customer cancelled by email"}

// run generates the days [from, to) in order, handing over each month.
func (g *historyGen) run(ctx context.Context, emit func(month time.Time, jobs []store.HistoryJob) bool) error {
	var batch []store.HistoryJob
	month := time.Date(g.from.Year(), g.from.Month(), 1, 0, 0, 0, 0, g.loc)
	var seq int64
	for day := g.from; day.Before(g.to); day = day.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if m := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, g.loc); !m.Equal(month) {
			if len(batch) > 0 && !emit(month, batch) {
				return ctx.Err()
			}
			batch, month = nil, m
		}
		var todays []histJob
		for ci := range g.customers {
			c := &g.customers[ci]
			for pi := range c.patterns {
				p := &c.patterns[pi]
				if !hasDay(p.days, day.Weekday()) || g.rng.Float64() >= p.p {
					continue
				}
				start, err := pricing.LocalTime(c.agency.Loc, day.Year(), day.Month(), day.Day(), p.hour, p.minute)
				if err != nil {
					continue // the clocks skip that hour
				}
				j := histJob{c: c, p: p, start: start, end: start.Add(time.Duration(p.len) * time.Minute), officers: p.officers,
					po: fmt.Sprintf("PO-%d", 4000+g.rng.IntN(5000)), roll: g.rng.Float64(), rng: g.rng.Uint64()}
				if g.rng.IntN(4) == 0 {
					j.officers++
				}
				lead := time.Duration(3*24+g.rng.IntN(18*24)) * time.Hour
				if g.rng.IntN(30) == 0 {
					lead = time.Duration(20+g.rng.IntN(40)) * time.Hour // short notice: emergency rate, or refused
				}
				j.received = start.Add(-lead)
				todays = append(todays, j)
			}
		}
		sort.SliceStable(todays, func(i, k int) bool { return todays[i].start.Before(todays[k].start) })
		for i := range todays {
			seq++
			hj, ok, err := g.job(&todays[i], seq)
			if err != nil {
				return err
			}
			if ok {
				batch = append(batch, hj)
			}
		}
	}
	if len(batch) > 0 && !emit(month, batch) {
		return ctx.Err()
	}
	return nil
}

// job prices, staffs and closes one generated job.
func (g *historyGen) job(j *histJob, seq int64) (store.HistoryJob, bool, error) {
	a := j.c.agency
	pa := a.cardAt(j.received)
	if pa == nil {
		return store.HistoryJob{}, false, nil
	}
	if j.end.After(g.now) {
		return store.HistoryJob{}, false, nil // still running: not history
	}
	vehicles := j.p.vehicle
	if !pa.Pricing.Card.Vehicle.Offered() {
		vehicles = 0
	}
	q, err := pa.Pricing.Quote(pricing.Request{Start: j.start, End: j.end, Officers: j.officers, Vehicles: vehicles, Venue: j.c.venue, Received: j.received})
	if err != nil {
		return store.HistoryJob{}, false, fmt.Errorf("history job for %s at %s: %w", j.c.name, j.start.Format(time.RFC3339), err)
	}
	snap, err := json.Marshal(q)
	if err != nil {
		return store.HistoryJob{}, false, err
	}
	rng := rand.New(rand.NewPCG(j.rng, uint64(seq)))
	h := store.HistoryJob{CustomerID: j.c.id, SiteID: j.c.sites[j.p.site], AgencyID: a.ID, RateCardID: pa.Card.ID, Quote: q, QuoteJSON: snap,
		ContactName: j.c.contact, ContactPhone: j.c.phone, PostOrders: j.p.orders, PONumber: j.po}
	cancel := func(at time.Time, reason string, approved bool) (store.HistoryJob, bool, error) {
		fee, err := pricing.CancellationFee(pricing.Cancellation{Quote: q, Minimum: pa.Card.Card.MinimumMinutes, Approved: approved,
			At: at, Officers: q.Officers, Supervisors: q.Supervisors})
		if err != nil {
			return h, false, err
		}
		h.Status = store.StatusCancelled
		h.Cancel = &store.HistoryCancel{At: at, Reason: reason, Fee: fee}
		h.Positions = h.Positions[:0]
		for k := range q.Officers + q.Supervisors {
			class := "officer"
			if k >= q.Officers {
				class = "supervisor"
			}
			h.Positions = append(h.Positions, store.HistoryPosition{Class: class, Status: "cancelled"})
		}
		return h, true, nil
	}
	if !q.Bookable {
		why := q.Refusals[0].Message
		return cancel(j.received.Add(2*time.Hour), "refused: "+why, false)
	}
	if j.roll < 1.0/35 {
		at := j.start.Add(-time.Duration(2+rng.IntN(240)) * time.Hour)
		if !at.After(j.received) {
			at = j.received.Add(time.Hour)
		}
		return cancel(at, cancelReasons[rng.IntN(len(cancelReasons))], true)
	}
	var staff []*rosterOfficer
	for k := range q.Officers + q.Supervisors {
		sup := k >= q.Officers
		o := a.roster.pick(q.Start, q.End, sup, a.Loc, seq)
		if o == nil {
			for _, s := range staff {
				s.unbook(seq)
			}
			at := j.start.Add(-50 * time.Hour)
			if !at.After(j.received) {
				at = j.received.Add(time.Hour)
			}
			return cancel(at, "no officers available", true)
		}
		staff = append(staff, o)
		class := "officer"
		if sup {
			class = "supervisor"
		}
		p := store.HistoryPosition{Class: class, OfficerID: o.ID, Status: "assigned",
			CheckIn: q.Start.Add(-time.Duration(rng.IntN(16)) * time.Minute), CheckOut: q.End}
		if rng.IntN(25) == 0 {
			p.CheckOut, p.Attendance = q.End.Add(-time.Duration(15+rng.IntN(60))*time.Minute), pricing.AttendanceReleasedEarly
		}
		h.Positions = append(h.Positions, p)
	}
	h.Status = store.StatusCompleted // its invoice makes it invoiced, then paid (see invoicesUntil)
	return h, true, nil
}
