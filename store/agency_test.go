package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// wvcCard is West Valley City's seed card with a different regular rate.
func wvcCard(total, officer string) pricing.RateCard {
	c := seed.Agencies()[0].Card
	c.Regular = pricing.MustRate(total, officer)
	return c
}

func agency(t testing.TB, s *store.Store, slug string) store.Agency {
	t.Helper()
	a, err := s.AgencyBySlug(context.Background(), slug)
	if err != nil {
		t.Fatalf("AgencyBySlug(%s): %v", slug, err)
	}
	return a
}

// oneOfficer is a one-officer 4-hour WVC job at start for an existing
// customer and site, received at `received`.
func oneOfficer(cust, site int64, start, received time.Time) store.JobInput {
	return store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: start, End: start.Add(4 * time.Hour),
		Officers: 1, Venue: pricing.VenueRetail, Received: received}
}

func TestAgencyLookups(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	all, err := s.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Slug != "grantsville" || all[1].Slug != "west-valley-city" {
		t.Fatalf("Agencies = %+v, want grantsville and west-valley-city by name", all)
	}
	for _, a := range all {
		if a.Loc == nil || a.Loc.String() != "America/Denver" {
			t.Errorf("%s: Loc = %v", a.Slug, a.Loc)
		}
	}
	_, err = s.AgencyBySlug(ctx, "springfield")
	storeErr(t, err, store.ENotFound, "agency")
	_, err = s.Pricing(ctx, "springfield", testNow)
	storeErr(t, err, store.ENotFound, "agency")
	// Before the first card took effect there is no price.
	_, err = s.Pricing(ctx, "grantsville", mustLocal("2019-01-01 00:00"))
	storeErr(t, err, store.ENotFound, "received")
	pas, err := s.PricingAll(ctx, mustLocal("2020-10-01 00:00")) // Grantsville's card only
	if err != nil || len(pas) != 1 || pas[0].Slug != "grantsville" {
		t.Fatalf("PricingAll before West Valley's first card = %+v, %v", pas, err)
	}

	// Duplicate agencies are refused; invalid ones too.
	_, err = s.CreateAgency(ctx, "test", seed.Agencies()[1])
	storeErr(t, err, store.EConflict, "")
	bad := seed.Agencies()[1]
	bad.Slug, bad.Zone = "nowhere", "Mars/Olympus"
	_, err = s.CreateAgency(ctx, "test", bad)
	storeErr(t, err, store.EInvalid, "zone")
	if all, _ := s.Agencies(ctx); len(all) != 2 {
		t.Errorf("%d agencies after refused creations, want 2", len(all))
	}
}

func TestPricingLoadsHolidaysAndVenueRules(t *testing.T) {
	s, _ := seededStore(t)
	pa, err := s.Pricing(context.Background(), "west-valley-city", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(pa.Pricing.Holidays) != 13 {
		t.Errorf("%d holidays, want the 13 of RULES.md", len(pa.Pricing.Holidays))
	}
	if got := pa.Pricing.ProhibitedVenues(); len(got) != 3 || got[0] != pricing.VenueAlcohol || got[1] != pricing.VenueGambling || got[2] != pricing.VenueIllegal {
		t.Errorf("prohibited venues = %v", got)
	}
	// The loaded pricing reproduces the quote of RULES.md's Christmas Eve example.
	q, err := pa.Pricing.Quote(pricing.Request{Start: mustLocal("2026-12-24 18:00"), End: mustLocal("2026-12-25 00:00"),
		Officers: 5, Vehicles: 1, Venue: pricing.VenueGeneral, Received: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Total.Equal(dec("3084.84")) {
		t.Errorf("total = %s, want 3084.84", q.Total)
	}
}

func TestRateCardVersioning(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	wvc := agency(t, s, "west-valley-city")
	newYear := mustLocal("2027-01-01 00:00")

	rc, err := s.AddRateCard(ctx, "supervisor", wvc.ID, newYear, wvcCard("60.00", "52.50"), "2027 rates")
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID == 0 || rc.AgencyID != wvc.ID || !rc.EffectiveFrom.Equal(newYear) || rc.Note != "2027 rates" || rc.CreatedBy != "supervisor" {
		t.Errorf("AddRateCard returned %+v", rc)
	}

	cards, err := s.RateCards(ctx, wvc.ID)
	if err != nil || len(cards) != 2 {
		t.Fatalf("RateCards = %d cards, %v; want 2", len(cards), err)
	}
	if cards[0].ID != rc.ID || !cards[0].Card.Regular.Total.Equal(dec("60.00")) || !cards[1].Card.Regular.Total.Equal(dec("57.00")) {
		t.Errorf("RateCards not newest first: %+v", cards)
	}
	oldID := cards[1].ID

	// Pricing picks the card in force at the instant asked.
	for _, c := range []struct {
		at   string
		id   int64
		rate string
	}{
		{"2026-11-26 09:00", oldID, "57.00"},
		{"2026-12-31 23:59", oldID, "57.00"},
		{"2027-01-01 00:00", rc.ID, "60.00"},
		{"2027-06-01 12:00", rc.ID, "60.00"},
	} {
		pa, err := s.Pricing(ctx, "west-valley-city", mustLocal(c.at))
		if err != nil {
			t.Fatal(err)
		}
		if pa.Card.ID != c.id || !pa.Pricing.Card.Regular.Total.Equal(dec(c.rate)) {
			t.Errorf("Pricing at %s: card %d regular %s, want card %d at %s", c.at, pa.Card.ID, pa.Pricing.Card.Regular.Total, c.id, c.rate)
		}
	}

	// A job is priced with the card in force when it was received, whatever its date.
	shift := mustLocal("2027-02-10 10:00")
	cust, site := customerAndSite(t, s, "Versioned Co")
	ids, err := s.CreateJobs(ctx, "dispatch", oneOfficer(cust, site, shift, mustLocal("2026-12-01 10:00")))
	if err != nil {
		t.Fatal(err)
	}
	early := job(t, s, ids[0])
	ids, err = s.CreateJobs(ctx, "dispatch", oneOfficer(cust, site, shift.Add(7*24*time.Hour), mustLocal("2027-01-02 10:00")))
	if err != nil {
		t.Fatal(err)
	}
	late := job(t, s, ids[0])
	if early.RateCardID != oldID || !early.Total.Equal(dec("228.00")) {
		t.Errorf("job received in 2026: card %d total %s, want card %d and 228.00 (4 h x 57.00)", early.RateCardID, early.Total, oldID)
	}
	if late.RateCardID != rc.ID || !late.Total.Equal(dec("240.00")) {
		t.Errorf("job received in 2027: card %d total %s, want card %d and 240.00 (4 h x 60.00)", late.RateCardID, late.Total, rc.ID)
	}
	// Editing a requested job keeps the card of its first receipt.
	in := oneOfficer(cust, site, shift, time.Time{})
	in.Officers = 2
	if err := s.UpdateJob(ctx, "dispatch", early.ID, in); err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, early.ID); j.RateCardID != oldID || !j.Total.Equal(dec("456.00")) || len(j.Positions) != 2 {
		t.Errorf("edited job: card %d total %s positions %d, want card %d, 456.00, 2", j.RateCardID, j.Total, len(j.Positions), oldID)
	}

	// The same effective date twice is a conflict; a bad card or date is invalid.
	_, err = s.AddRateCard(ctx, "supervisor", wvc.ID, newYear, wvcCard("61.00", "53.00"), "again")
	storeErr(t, err, store.EConflict, "")
	_, err = s.AddRateCard(ctx, "supervisor", wvc.ID, mustLocal("2027-03-01 00:00"), wvcCard("50.00", "55.00"), "officer share above total")
	storeErr(t, err, store.EInvalid, "card")
	_, err = s.AddRateCard(ctx, "supervisor", wvc.ID, mustLocal("2027-03-01 00:00"), wvcCard("57.005", "50.00"), "fractions of a cent")
	storeErr(t, err, store.EInvalid, "card")
	noRegular := wvcCard("57.00", "50.00")
	noRegular.Regular = pricing.Rate{}
	_, err = s.AddRateCard(ctx, "supervisor", wvc.ID, mustLocal("2027-03-01 00:00"), noRegular, "no regular rate")
	storeErr(t, err, store.EInvalid, "card")
	_, err = s.AddRateCard(ctx, "supervisor", wvc.ID, time.Time{}, wvcCard("57.00", "50.00"), "no date")
	storeErr(t, err, store.EInvalid, "effective_from")
	if cards, _ := s.RateCards(ctx, wvc.ID); len(cards) != 2 {
		t.Errorf("%d cards after refused additions, want 2", len(cards))
	}
}

func TestMoneyRoundTripsExactly(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Money Co")

	// RULES.md's example: 5 officers + supervisor on Christmas Eve with a vehicle.
	in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-24 18:00"),
		End: mustLocal("2026-12-25 00:00"), Officers: 5, Vehicles: 1, Venue: pricing.VenueGeneral, Received: testNow}
	ids, err := s.CreateJobs(ctx, "dispatch", in)
	if err != nil {
		t.Fatal(err)
	}
	j := job(t, s, ids[0])
	if !j.Total.Equal(dec("3084.84")) || j.Total.StringFixed(2) != "3084.84" {
		t.Errorf("Total = %s, want exactly 3084.84", j.Total)
	}
	if j.Quote.Total != "3084.84" || j.Quote.OfficerPay != "2706.00" || j.Quote.AdminFee != "378.84" || len(j.Quote.Lines) != 3 {
		t.Errorf("saved quote = %+v", j.Quote)
	}
	// Money is exact: text on SQLite, numeric on PostgreSQL.
	var total, typ string
	typeQuery, wantType := `SELECT total, typeof(total) FROM jobs WHERE id = ?`, "text"
	if storetest.Postgres() {
		typeQuery, wantType = `SELECT total, CAST(pg_typeof(total) AS text) FROM jobs WHERE id = ?`, "numeric"
	}
	if err := db.QueryRow(typeQuery, j.ID).Scan(&total, &typ); err != nil {
		t.Fatal(err)
	}
	if total != "3084.84" || typ != wantType {
		t.Errorf("jobs.total stored as %s %q, want %s \"3084.84\"", typ, total, wantType)
	}

	// A card with odd cents round-trips and prices exactly.
	wvc := agency(t, s, "west-valley-city")
	odd := wvcCard("57.01", "50.01")
	odd.Vehicle = pricing.MustRate("1.17", "1.03")
	rc, err := s.AddRateCard(ctx, "supervisor", wvc.ID, mustLocal("2027-01-01 00:00"), odd, "odd cents")
	if err != nil {
		t.Fatal(err)
	}
	cards, err := s.RateCards(ctx, wvc.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := cards[0]
	if got.ID != rc.ID || !got.Card.Regular.Total.Equal(dec("57.01")) || !got.Card.Regular.Officer.Equal(dec("50.01")) ||
		!got.Card.Regular.Admin().Equal(dec("7.00")) || !got.Card.Vehicle.Total.Equal(dec("1.17")) || !got.Card.Vehicle.Officer.Equal(dec("1.03")) {
		t.Errorf("odd card read back as %+v", got.Card)
	}
	var rt, ro string
	if err := db.QueryRow(`SELECT regular_total, regular_officer FROM rate_cards WHERE id = ?`, rc.ID).Scan(&rt, &ro); err != nil {
		t.Fatal(err)
	}
	if rt != "57.01" || ro != "50.01" {
		t.Errorf("stored %q/%q, want 57.01/50.01", rt, ro)
	}
	// 3 officers x 3 h 20 min x 57.01 = 570.10; with 1 vehicle x 3:20 x 1.17 = 3.90.
	start := mustLocal("2027-02-09 10:00")
	ids, err = s.CreateJobs(ctx, "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: start, End: start.Add(200 * time.Minute), Officers: 3, Vehicles: 1, Venue: pricing.VenueRetail, Received: mustLocal("2027-01-05 08:00")})
	if err != nil {
		t.Fatal(err)
	}
	if j := job(t, s, ids[0]); !j.Total.Equal(dec("574.00")) || j.RateCardID != rc.ID {
		t.Errorf("odd-cents job: total %s card %d, want 574.00 (570.10 + 3.90) on card %d", j.Total, j.RateCardID, rc.ID)
	}
}
