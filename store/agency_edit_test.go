package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// newYearCard is West Valley City's seed card with the 2027 figures these
// tests use: regular 60.00 = 52.50 + 7.50, emergency 90.00 = 79.00 + 11.00.
func newYearCard() pricing.RateCard {
	c := seed.Agencies()[0].Card
	c.Regular = pricing.MustRate("60.00", "52.50")
	c.Emergency = pricing.MustRate("90.00", "79.00")
	return c
}

func civilDay(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// wvcJob creates a one-officer West Valley City job start-end (Denver wall
// times) received at `received`, and returns it read back.
func wvcJob(t *testing.T, s *store.Store, cust, site int64, start, end string, received time.Time) store.Job {
	t.Helper()
	ids, err := s.CreateJobs(context.Background(), "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: mustLocal(start), End: mustLocal(end), Officers: 1, Venue: pricing.VenueRetail, Received: received})
	if err != nil {
		t.Fatal(err)
	}
	return job(t, s, ids[0])
}

func lineRates(j store.Job) string {
	var out []string
	for _, l := range j.Quote.Lines {
		out = append(out, fmt.Sprintf("%s %s x%d %s", l.Class, l.Basis, l.Count, l.Rate))
	}
	return strings.Join(out, ", ")
}

// The issue's case: with a card effective 1 January, a request received
// on 31 December for 2 January keeps the old card and one received on 1
// January gets the new; an edit of the first, made once the new card is
// in force, keeps the old card.
func TestNewCardFromItsDate(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	old, err := s.Pricing(ctx, "west-valley-city", testNow)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: newYearCard(), Note: "2027 rates"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Saved.ID == 0 || p.Today || !p.From.Equal(mustLocal("2027-01-01 00:00")) || p.Previous.ID != old.Card.ID || p.Changed() != 2 {
		t.Fatalf("plan = saved #%d today %v from %s previous #%d changed %d", p.Saved.ID, p.Today, p.From, p.Previous.ID, p.Changed())
	}
	for _, c := range p.Changes {
		switch c.Key {
		case "regular":
			if !c.Changed || c.Before != "57.00 = 50.00 + 7.00" || c.After != "60.00 = 52.50 + 7.50" {
				t.Errorf("regular change = %+v", c)
			}
		case "emergency":
			if !c.Changed || c.After != "90.00 = 79.00 + 11.00" {
				t.Errorf("emergency change = %+v", c)
			}
		default:
			if c.Changed {
				t.Errorf("%s marked changed: %+v", c.Key, c)
			}
		}
	}
	cust, site := customerAndSite(t, s, "New Year Co")

	setClock(t, "2026-12-31 12:00")
	a := wvcJob(t, s, cust, site, "2027-01-02 10:00", "2027-01-02 14:00", now()) // 46 h notice: emergency
	setClock(t, "2027-01-01 09:00")
	b := wvcJob(t, s, cust, site, "2027-01-02 10:00", "2027-01-02 14:00", now())
	if a.RateCardID != old.Card.ID || !a.Total.Equal(dec("342.00")) {
		t.Errorf("received 31 Dec: card #%d total %s (%s), want the old card #%d and 342.00 (4 h x 85.50)", a.RateCardID, a.Total, lineRates(a), old.Card.ID)
	}
	if b.RateCardID != p.Saved.ID || !b.Total.Equal(dec("360.00")) {
		t.Errorf("received 1 Jan: card #%d total %s (%s), want the new card #%d and 360.00 (4 h x 90.00)", b.RateCardID, b.Total, lineRates(b), p.Saved.ID)
	}

	// Edited on 1 January, when the new card is in force: the old card still.
	setClock(t, "2027-01-01 12:00")
	in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2027-01-02 10:00"), End: mustLocal("2027-01-02 14:00"),
		Officers: 2, Venue: pricing.VenueRetail}
	if err := s.UpdateJob(ctx, "dispatch", a.ID, in); err != nil {
		t.Fatal(err)
	}
	e := job(t, s, a.ID)
	if e.RateCardID != old.Card.ID || !e.Total.Equal(dec("684.00")) || len(e.Quote.Lines) != 1 || e.Quote.Lines[0].Rate != "85.50" {
		t.Errorf("edited: card #%d total %s (%s), want the old card #%d and 684.00 (2 x 4 h x 85.50)", e.RateCardID, e.Total, lineRates(e), old.Card.ID)
	}
}

// A job already priced keeps its card on an edit even when its recorded
// receipt falls after a card added later (a request typed in ahead):
// edits re-price with the job's own card, never with a newer one.
func TestEditKeepsTheJobsOwnCard(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	old, err := s.Pricing(ctx, "west-valley-city", testNow)
	if err != nil {
		t.Fatal(err)
	}
	cust, site := customerAndSite(t, s, "Ahead Co")
	j := wvcJob(t, s, cust, site, "2027-01-20 10:00", "2027-01-20 14:00", mustLocal("2027-01-05 10:00"))
	if j.RateCardID != old.Card.ID || !j.Total.Equal(dec("228.00")) {
		t.Fatalf("job: card #%d total %s", j.RateCardID, j.Total)
	}
	p, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: newYearCard()})
	if err != nil {
		t.Fatal(err)
	}
	in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2027-01-20 10:00"), End: mustLocal("2027-01-20 15:00"),
		Officers: 1, Venue: pricing.VenueRetail}
	if err := s.UpdateJob(ctx, "dispatch", j.ID, in); err != nil {
		t.Fatal(err)
	}
	if e := job(t, s, j.ID); e.RateCardID != old.Card.ID || !e.Total.Equal(dec("285.00")) {
		t.Errorf("edited: card #%d total %s, want the job's own card #%d and 285.00 (5 h x 57.00), not the new #%d", e.RateCardID, e.Total, old.Card.ID, p.Saved.ID)
	}
}

// Past jobs and invoices are unchanged after a new card: an issued
// invoice keeps its total and lines, jobs their totals and saved quotes,
// and a shift worked under the old card but billed after the new one is
// billed at the old card's rates.
func TestNewCardLeavesPastJobsAndInvoices(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	billed, bsite := customerAndSite(t, s, "Billed Co")
	later, lsite := customerAndSite(t, s, "Later Co")
	j1 := workedJob(t, s, billed, bsite, shift{start: "2026-12-01 10:00", end: "2026-12-01 14:00", officers: 1, vehicles: 1}, "PB")
	j2 := workedJob(t, s, later, lsite, shift{start: "2026-12-02 10:00", end: "2026-12-02 16:00", officers: 2}, "PL")

	setClock(t, "2027-01-02 09:00")
	drafts, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), billed, true)
	if err != nil || len(drafts) != 1 {
		t.Fatalf("generate = %d, %v", len(drafts), err)
	}
	if _, err := s.IssueInvoice(ctx, "office", drafts[0].ID, day(t, "2027-01-02")); err != nil {
		t.Fatal(err)
	}
	before, err := s.Invoice(ctx, "", drafts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// 4 h x 57.00 + 4 h x 1.14
	if !before.Total.Equal(dec("232.56")) || len(before.Lines) != 2 {
		t.Fatalf("issued invoice: total %s, %d lines", before.Total, len(before.Lines))
	}

	// A new card from today, with every rate up.
	c := newYearCard()
	c.Vehicle = pricing.MustRate("2.00", "1.50")
	p, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-02"), Card: c, Note: "raise"})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Today || !p.From.Equal(now()) {
		t.Errorf("a card dated today: today %v from %s (now %s)", p.Today, p.From, now())
	}

	after, err := s.Invoice(ctx, "", drafts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Total.Equal(before.Total) || len(after.Lines) != len(before.Lines) {
		t.Fatalf("issued invoice changed: total %s -> %s", before.Total, after.Total)
	}
	for i := range before.Lines {
		b, a := before.Lines[i], after.Lines[i]
		if !b.Rate.Equal(a.Rate) || !b.Amount.Equal(a.Amount) || !b.OfficerPay.Equal(a.OfficerPay) || b.Minutes != a.Minutes {
			t.Errorf("line %d changed: %+v -> %+v", i+1, b, a)
		}
	}
	for _, j := range []store.Job{j1, j2} {
		now := job(t, s, j.ID)
		if !now.Total.Equal(j.Total) || now.RateCardID != j.RateCardID || now.Quote.Total != j.Quote.Total || lineRates(now) != lineRates(j) {
			t.Errorf("job #%d changed: total %s -> %s, card #%d -> #%d, lines %s -> %s", j.ID, j.Total, now.Total, j.RateCardID, now.RateCardID, lineRates(j), lineRates(now))
		}
	}
	// Worked under the old card, billed after the new one: the old rates.
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), later, false)
	if err != nil || len(invs) != 1 {
		t.Fatalf("later = %d, %v", len(invs), err)
	}
	if inv := invs[0]; !inv.Total.Equal(dec("684.00")) || len(inv.Lines) != 2 || !inv.Lines[0].Rate.Equal(dec("57.00")) || !inv.Lines[0].OfficerPay.Equal(dec("300.00")) {
		t.Errorf("billed after the new card: total %s lines %+v, want 684.00 at 57.00 (2 x 6 h)", inv.Total, inv.Lines)
	}
	// A request received now is priced with the new card.
	n := wvcJob(t, s, later, lsite, "2027-01-20 10:00", "2027-01-20 14:00", now())
	if n.RateCardID != p.Saved.ID || !n.Total.Equal(dec("240.00")) {
		t.Errorf("new request: card #%d total %s, want #%d and 240.00", n.RateCardID, n.Total, p.Saved.ID)
	}
}

// A card dated today takes effect when it is saved: a request received
// earlier today keeps the old card.
func TestCardDatedToday(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Today Co")
	old, _ := s.Pricing(ctx, "west-valley-city", testNow)
	early := wvcJob(t, s, cust, site, "2026-12-10 10:00", "2026-12-10 14:00", mustLocal("2026-11-26 08:00"))
	p, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2026-11-26"), Card: newYearCard()})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Today || !p.From.Equal(testNow) {
		t.Fatalf("today's card from %s (now %s)", p.From, testNow)
	}
	pa, err := s.Pricing(ctx, "west-valley-city", mustLocal("2026-11-26 08:00"))
	if err != nil || pa.Card.ID != old.Card.ID {
		t.Errorf("at 08:00 today: card #%d, %v; want the old #%d", pa.Card.ID, err, old.Card.ID)
	}
	setClock(t, "2026-11-26 09:05")
	late := wvcJob(t, s, cust, site, "2026-12-10 10:00", "2026-12-10 14:00", now())
	if early.RateCardID != old.Card.ID || late.RateCardID != p.Saved.ID {
		t.Errorf("early card #%d, late card #%d; want #%d and #%d", early.RateCardID, late.RateCardID, old.Card.ID, p.Saved.ID)
	}
}

// New cards are checked with messages that say what is wrong, and a plan
// (the dry run) writes nothing.
func TestNewCardValidation(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cards := func() int { return count(t, db, `SELECT count(*) FROM rate_cards`) }
	n := cards()

	p, err := s.PlanRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: newYearCard()})
	if err != nil || p.Saved.ID != 0 || p.Changed() != 2 {
		t.Fatalf("plan = %+v, %v", p, err)
	}
	if cards() != n {
		t.Fatal("a plan wrote a card")
	}
	for _, tc := range []struct {
		name  string
		in    store.CardInput
		code  string
		field string
		msg   string
	}{
		{"yesterday", store.CardInput{Agency: "west-valley-city", Date: civilDay("2026-11-25"), Card: newYearCard()}, store.EInvalid, "effective_from", "cannot start before today (Thu 26 Nov 2026"},
		{"no date", store.CardInput{Agency: "west-valley-city", Card: newYearCard()}, store.EInvalid, "effective_from", "needs the date"},
		{"unknown agency", store.CardInput{Agency: "springfield", Date: civilDay("2027-01-01"), Card: newYearCard()}, store.ENotFound, "agency", "springfield"},
		{"officer above total", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: wvcCard("50.00", "55.00")}, store.EInvalid, "card", "officer share 55.00 is more than the total 50.00"},
		{"negative", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: wvcCard("-1.00", "0")}, store.EInvalid, "card", "cannot be negative"},
		{"unchanged", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: seed.Agencies()[0].Card}, store.EInvalid, "card", "nothing changes against card #"},
		{"year", store.CardInput{Agency: "west-valley-city", Date: civilDay("2101-01-01"), Card: newYearCard()}, store.EInvalid, "effective_from", "2000 to 2100"},
	} {
		_, err := s.SaveRateCard(ctx, "supervisor", tc.in)
		e := storeErr(t, err, tc.code, tc.field)
		if !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %q lacks %q", tc.name, e.Message, tc.msg)
		}
	}
	// The same date twice is a conflict naming the card already there.
	if _, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: newYearCard()}); err != nil {
		t.Fatal(err)
	}
	c := newYearCard()
	c.Regular = pricing.MustRate("61.00", "53.00")
	_, err = s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: c})
	if e := storeErr(t, err, store.EConflict, "effective_from"); !strings.Contains(e.Message, "already takes effect on Fri 01 Jan 2027") {
		t.Errorf("conflict: %q", e.Message)
	}
	// A card between now and a scheduled one is compared with the one in
	// force then, and says the scheduled one still follows.
	p, err = s.PlanRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2026-12-15"), Card: c})
	if err != nil || len(p.Later) != 1 || !p.Later[0].EffectiveFrom.Equal(mustLocal("2027-01-01 00:00")) || p.Previous.Card.Regular.Total.String() != "57" {
		t.Errorf("plan before a scheduled card: later %+v previous %+v, %v", p.Later, p.Previous, err)
	}
	// Only supervisors.
	if _, err := s.CreateUser(ctx, "admin", "dora", store.RoleDispatcher, 0, nil); err != nil {
		t.Fatal(err)
	}
	_, err = s.SaveRateCard(ctx, "dora", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-02-01"), Card: c})
	storeErr(t, err, store.EForbidden, "role")
	_, err = s.PlanRateCard(ctx, "dora", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-02-01"), Card: c})
	storeErr(t, err, store.EForbidden, "role")
	// AddRateCard refuses an instant in the past too.
	_, err = s.AddRateCard(ctx, "supervisor", agency(t, s, "west-valley-city").ID, testNow.Add(-time.Hour), c, "")
	storeErr(t, err, store.EInvalid, "effective_from")
	if cards() != n+1 {
		t.Errorf("%d cards, want %d", cards(), n+1)
	}
}

// The cancellation terms are card fields: the cards saved before them
// read RULES.md's 24 h and 48 h, and a job cancelled is charged under the
// terms of its own card.
func TestCancellationTermsOnTheCard(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	if n := count(t, db, `SELECT count(*) FROM rate_cards WHERE cancel_admin_minutes = 1440 AND cancel_late_minutes = 2880`); n != 2 {
		t.Fatalf("%d seed cards with 24 h / 48 h terms, want 2", n)
	}
	cust, site := customerAndSite(t, s, "Terms Co")
	// Under the seed card: 60 h before the start is outside 48 h, admin fee only.
	a := approvedJob(t, s, cust, site, mustLocal("2026-12-10 10:00"), 6, 1)
	fa, err := s.PreviewCancel(ctx, store.CancelPlan{JobID: a.ID, At: mustLocal("2026-12-07 22:00")})
	if err != nil {
		t.Fatal(err)
	}
	if !fa.Total.Equal(dec("42.00")) || len(fa.Lines) != 1 { // 6 h x 7.00
		t.Errorf("old terms: fee %s %+v, want 42.00", fa.Total, fa.Lines)
	}
	// A card from tomorrow: admin fee for the first 4 h, late window 72 h.
	c := seed.Agencies()[0].Card
	c.CancelAdminMinutes, c.CancelLateMinutes = 4*60, 72*60
	p, err := s.SaveRateCard(ctx, "supervisor", store.CardInput{Agency: "west-valley-city", Date: civilDay("2026-11-27"), Card: c})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changed() != 2 {
		t.Errorf("terms change: %d changed", p.Changed())
	}
	cards, _ := s.RateCards(ctx, agency(t, s, "west-valley-city").ID)
	if cards[0].Card.CancelAdminMinutes != 240 || cards[0].Card.CancelLateMinutes != 4320 || cards[1].Card.CancelAdminMinutes != 1440 {
		t.Errorf("terms read back: %+v / %+v", cards[0].Card, cards[1].Card)
	}
	setClock(t, "2026-11-27 09:00")
	ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-10 10:00"),
		End: mustLocal("2026-12-10 16:00"), Officers: 1, Venue: pricing.VenueRetail, Received: now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Approve(ctx, "dispatch", ids[0]); err != nil {
		t.Fatal(err)
	}
	fb, err := s.PreviewCancel(ctx, store.CancelPlan{JobID: ids[0], At: mustLocal("2026-12-07 22:00")})
	if err != nil {
		t.Fatal(err)
	}
	// 4 h x 7.00 = 28.00 admin; inside 72 h: 2 h minimum x 50.00 = 100.00.
	if !fb.Total.Equal(dec("128.00")) || len(fb.Lines) != 2 || !strings.Contains(fb.Lines[0].Describe(), "first 4 h") || !strings.Contains(fb.Lines[1].Describe(), "inside 72 h") {
		var d []string
		for _, l := range fb.Lines {
			d = append(d, l.Describe()+" = "+l.Amount.StringFixed(2))
		}
		t.Errorf("new terms: fee %s %v, want 128.00", fb.Total, d)
	}
	// The old job keeps the old terms after the new card.
	if fa2, _ := s.PreviewCancel(ctx, store.CancelPlan{JobID: a.ID, At: mustLocal("2026-12-07 22:00")}); !fa2.Total.Equal(fa.Total) {
		t.Errorf("old job's fee %s after the new card, want %s", fa2.Total, fa.Total)
	}
	// A late window of 0 h is refused with a message (a card always has terms).
	if _, err := pricing.ParseCardHours("late-cancellation window", "0", 60, pricing.MaxCancelLateMinutes); err == nil || !strings.Contains(err.Error(), "between 1 h and 720 h") {
		t.Errorf("0 h window: %v", err)
	}
}

// Holidays: a rule that recurs and a one-off date both price as holidays
// (the one-off in its own year only); removing one prices the date as
// regular again; bad or duplicate entries are refused.
func TestHolidaysAndOneOffDates(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	wvc := agency(t, s, "west-valley-city")
	quote := func(start string) *pricing.Quote {
		t.Helper()
		pa, err := s.Pricing(ctx, "west-valley-city", testNow)
		if err != nil {
			t.Fatal(err)
		}
		st := mustLocal(start)
		q, err := pa.Pricing.Quote(pricing.Request{Start: st, End: st.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if q := quote("2026-12-08 10:00"); !q.Total.Equal(dec("228.00")) {
		t.Fatalf("8 Dec before the holiday: %s", q.Total)
	}
	once, err := s.AddHoliday(ctx, "supervisor", wvc.ID, "Stake Conference", "2026-12-08")
	if err != nil {
		t.Fatal(err)
	}
	if once.Key != "stake-conference-2026-12-08" || once.Rule != "2026-12-08" {
		t.Errorf("one-off = %+v", once)
	}
	if d, ok := once.OneOff(); !ok || d.Format("2006-01-02") != "2026-12-08" {
		t.Errorf("OneOff = %s %v", d, ok)
	}
	rule, err := s.AddHoliday(ctx, "supervisor", wvc.ID, "Founders' Day", "1 wed dec")
	if err != nil {
		t.Fatal(err)
	}
	if rule.Key != "founders-day" || rule.Describe() != "1st Wednesday of December" {
		t.Errorf("rule = %+v (%s)", rule, rule.Describe())
	}
	for _, c := range []struct {
		start, total, holiday string
	}{
		{"2026-12-08 10:00", "342.00", "Stake Conference"}, // 4 h x 85.50
		{"2027-12-08 10:00", "228.00", ""},                 // a one-off holds its year only
		{"2026-12-02 10:00", "342.00", "Founders' Day"},    // the first Wednesday of December 2026
		{"2027-12-01 10:00", "342.00", "Founders' Day"},    // and of 2027
		{"2026-12-09 10:00", "228.00", ""},
	} {
		q := quote(c.start)
		got := ""
		for _, sp := range q.Spans {
			got = sp.Holiday
		}
		if !q.Total.Equal(dec(c.total)) || got != c.holiday {
			t.Errorf("%s: total %s holiday %q, want %s %q", c.start, q.Total, got, c.total, c.holiday)
		}
	}
	// A job on the one-off date is priced as a holiday and says which.
	cust, site := customerAndSite(t, s, "Holiday Co")
	j := wvcJob(t, s, cust, site, "2026-12-08 10:00", "2026-12-08 14:00", testNow)
	if !j.Total.Equal(dec("342.00")) || j.Quote.Lines[0].Basis != "holiday" {
		t.Errorf("job on the one-off: %s (%s)", j.Total, lineRates(j))
	}

	hs, err := s.Holidays(ctx, wvc.ID)
	if err != nil || len(hs) != 15 || hs[13].Key != once.Key || hs[14].Key != rule.Key {
		t.Fatalf("Holidays = %d, %v", len(hs), err)
	}
	for _, tc := range []struct {
		name, hname, rule string
		code, field, msg  string
	}{
		{"past", "Old Day", "2026-11-01", store.EInvalid, "rule", "in the past"},
		{"bad", "Odd Day", "the 32nd", store.EInvalid, "rule", "use a known holiday"},
		{"not a date", "Odd Day", "2027-02-30", store.EInvalid, "rule", "not a real date"},
		{"no name", "  ", "2027-03-01", store.EInvalid, "name", "needs a name"},
		{"no rule", "Some Day", "", store.EInvalid, "rule", "needs a date"},
		{"same date", "Turkey Day", "2026-11-26", store.EConflict, "rule", "Thu 26 Nov 2026 is already a holiday of West Valley City PD: Thanksgiving Day"},
		{"same rule", "Xmas", "christmas-day", store.EConflict, "rule", "already has Christmas Day"},
		{"same key", "Founders Day", "07-01", store.EConflict, "name", "already has a holiday \"Founders' Day\""},
	} {
		_, err := s.AddHoliday(ctx, "supervisor", wvc.ID, tc.hname, tc.rule)
		e := storeErr(t, err, tc.code, tc.field)
		if !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %q lacks %q", tc.name, e.Message, tc.msg)
		}
	}

	gone, err := s.RemoveHoliday(ctx, "supervisor", wvc.ID, once.Key)
	if err != nil || gone.Name != "Stake Conference" {
		t.Fatalf("remove = %+v, %v", gone, err)
	}
	if q := quote("2026-12-08 10:00"); !q.Total.Equal(dec("228.00")) {
		t.Errorf("8 Dec after removing the one-off: %s, want 228.00", q.Total)
	}
	if _, err := s.RemoveHoliday(ctx, "supervisor", wvc.ID, "Founders' Day"); err != nil { // by name
		t.Errorf("remove by name: %v", err)
	}
	_, err = s.RemoveHoliday(ctx, "supervisor", wvc.ID, "no-such-day")
	storeErr(t, err, store.ENotFound, "key")
	if j2 := job(t, s, j.ID); !j2.Total.Equal(dec("342.00")) {
		t.Errorf("the job's saved quote changed: %s", j2.Total)
	}
}

// A prohibited venue's rule text is quoted at intake, the new text as soon
// as it changes; removing the rule makes the venue bookable again.
func TestVenueRuleQuotesTheNewText(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	wvc := agency(t, s, "west-valley-city")
	cust, site := customerAndSite(t, s, "Venue Co")
	event := func() store.Job {
		t.Helper()
		ids, err := s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-12 18:00"),
			End: mustLocal("2026-12-12 22:00"), Officers: 1, Venue: pricing.VenueEvent, Received: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return job(t, s, ids[0])
	}
	refusal := func(j store.Job) string {
		var out []string
		for _, r := range j.Quote.Refusals {
			out = append(out, r.Message)
		}
		return strings.Join(out, "; ")
	}
	if j := event(); !j.Bookable {
		t.Fatalf("event refused before any rule: %s", refusal(j))
	}
	const first = "No officer may work a ticketed concert."
	before, err := s.SetVenueRule(ctx, "supervisor", wvc.ID, "Event", first)
	if err != nil || before != "" {
		t.Fatalf("set = %q, %v", before, err)
	}
	j1 := event()
	if j1.Bookable || !strings.Contains(refusal(j1), first) {
		t.Errorf("after the rule: bookable %v refusal %q", j1.Bookable, refusal(j1))
	}
	err = s.Approve(ctx, "dispatch", j1.ID)
	if e := storeErr(t, err, store.EConflict, "status"); !strings.Contains(e.Message, first) {
		t.Errorf("approve: %q", e.Message)
	}
	const second = "Concerts and festivals are staffed by the agency itself, not off-duty officers."
	if before, err = s.SetVenueRule(ctx, "supervisor", wvc.ID, pricing.VenueEvent, "  "+second+"  "); err != nil || before != first {
		t.Fatalf("edit = %q, %v", before, err)
	}
	j2 := event()
	if !strings.Contains(refusal(j2), second) || strings.Contains(refusal(j2), first) {
		t.Errorf("after the edit: %q", refusal(j2))
	}
	// An edit of the first job re-quotes it with the new text.
	if err := s.UpdateJob(ctx, "dispatch", j1.ID, store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-12 18:00"),
		End: mustLocal("2026-12-12 23:00"), Officers: 1, Venue: pricing.VenueEvent}); err != nil {
		t.Fatal(err)
	}
	if r := refusal(job(t, s, j1.ID)); !strings.Contains(r, second) {
		t.Errorf("edited job's refusal: %q", r)
	}
	rules, err := s.VenueRules(ctx, wvc.ID)
	if err != nil || len(rules) != 4 || rules[0].Venue != pricing.VenueEvent || rules[0].Rule != second {
		t.Errorf("VenueRules = %+v, %v", rules, err)
	}
	if before, err = s.RemoveVenueRule(ctx, "supervisor", wvc.ID, "event"); err != nil || before != second {
		t.Fatalf("remove = %q, %v", before, err)
	}
	if j := event(); !j.Bookable {
		t.Errorf("event refused after the rule was removed: %s", refusal(j))
	}
	for _, tc := range []struct {
		venue, rule, code, field string
	}{
		{"general", "x", store.EInvalid, "venue"},
		{"casino", "x", store.EInvalid, "venue"},
		{"retail", "   ", store.EInvalid, "rule"},
		{"retail", strings.Repeat("x", store.MaxVenueRule+1), store.EInvalid, "rule"},
	} {
		_, err := s.SetVenueRule(ctx, "supervisor", wvc.ID, pricing.Venue(tc.venue), tc.rule)
		storeErr(t, err, tc.code, tc.field)
	}
	_, err = s.RemoveVenueRule(ctx, "supervisor", wvc.ID, "event")
	storeErr(t, err, store.ENotFound, "venue")
}

// Every change to an agency is audited with what was before and after,
// and only a supervisor makes one.
func TestAgencyChangesAudited(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	wvc := agency(t, s, "west-valley-city")
	if _, err := s.SaveRateCard(ctx, "sam", store.CardInput{Agency: "west-valley-city", Date: civilDay("2027-01-01"), Card: newYearCard(), Note: "2027 rates"}); err != nil {
		t.Fatal(err)
	}
	h, err := s.AddHoliday(ctx, "sam", wvc.ID, "Stake Conference", "2027-04-03")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveHoliday(ctx, "sam", wvc.ID, h.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetVenueRule(ctx, "sam", wvc.ID, pricing.VenueEvent, "No concerts."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetVenueRule(ctx, "sam", wvc.ID, pricing.VenueEvent, "No concerts or festivals."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetVenueRule(ctx, "sam", wvc.ID, pricing.VenueEvent, "No concerts or festivals."); err != nil { // unchanged: no entry
		t.Fatal(err)
	}
	if _, err := s.RemoveVenueRule(ctx, "sam", wvc.ID, pricing.VenueEvent); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Audit(ctx, store.AuditFilter{Actor: "sam"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ entity, action, before, after string }{
		{"agency", "venue remove", "event prohibited: No concerts or festivals.", "event: allowed"},
		{"agency", "venue set", "event prohibited: No concerts.", "event prohibited: No concerts or festivals."},
		{"agency", "venue set", "event: allowed", "event prohibited: No concerts."},
		{"agency", "holiday remove", "Stake Conference (stake-conference-2027-04-03): 2027-04-03", ""},
		{"agency", "holiday add", "", "Stake Conference (stake-conference-2027-04-03): 2027-04-03"},
		{"rate_card", "create", "from 2020-11-16T07:00:00Z: regular 57.00/50.00, supervisor 68.40/60.00, holiday 85.50/75.00, emergency 85.50/75.00, vehicle 1.14/1.00, minimum 2 h, notice 72 h, supervisor at 5, cancel admin fee 24 h, late cancel 48 h; note: initial card",
			"from 2027-01-01T07:00:00Z: regular 60.00/52.50, supervisor 68.40/60.00, holiday 85.50/75.00, emergency 90.00/79.00, vehicle 1.14/1.00, minimum 2 h, notice 72 h, supervisor at 5, cancel admin fee 24 h, late cancel 48 h; note: 2027 rates"},
	}
	if len(entries) != len(want) {
		for _, e := range entries {
			t.Logf("%s %s %q -> %q", e.Entity, e.Action, e.Before, e.After)
		}
		t.Fatalf("%d audit entries, want %d", len(entries), len(want))
	}
	for i, w := range want {
		e := entries[i]
		if e.Entity != w.entity || e.Action != w.action || e.Before != w.before || e.After != w.after {
			t.Errorf("entry %d = %s %s %q -> %q\nwant %s %s %q -> %q", i, e.Entity, e.Action, e.Before, e.After, w.entity, w.action, w.before, w.after)
		}
		if w.entity == "agency" && e.EntityID != wvc.ID {
			t.Errorf("entry %d on agency %d", i, e.EntityID)
		}
	}

	// Not a supervisor: refused, nothing written.
	for _, u := range []struct{ name, role string }{{"olive", store.RoleOperator}, {"dan", store.RoleDispatcher}} {
		if _, err := s.CreateUser(ctx, "admin", u.name, u.role, 0, nil); err != nil {
			t.Fatal(err)
		}
		_, err := s.AddHoliday(ctx, u.name, wvc.ID, "Their Day", "2027-05-05")
		storeErr(t, err, store.EForbidden, "role")
		_, err = s.SetVenueRule(ctx, u.name+"@ssh", wvc.ID, pricing.VenueRetail, "no")
		storeErr(t, err, store.EForbidden, "role")
		_, err = s.RemoveHoliday(ctx, u.name, wvc.ID, "christmas-day")
		storeErr(t, err, store.EForbidden, "role")
		_, err = s.RemoveVenueRule(ctx, u.name, wvc.ID, pricing.VenueAlcohol)
		storeErr(t, err, store.EForbidden, "role")
	}
	if hs, _ := s.Holidays(ctx, wvc.ID); len(hs) != 13 {
		t.Errorf("%d holidays after refused changes, want 13", len(hs))
	}
}
