package pricing_test

import (
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

// The seed cards are exactly the RULES.md table, and every rate splits into
// officer share + admin fee as stated there.
func TestSeedCards(t *testing.T) {
	w, g := wvc(t), gv(t)
	for _, tc := range []struct {
		name                  string
		r                     pricing.Rate
		total, officer, admin string
	}{
		{"WVC regular", w.Card.Regular, "57.00", "50.00", "7.00"},
		{"WVC supervisor", w.Card.Supervisor, "68.40", "60.00", "8.40"},
		{"WVC holiday", w.Card.Holiday, "85.50", "75.00", "10.50"},
		{"WVC emergency", w.Card.Emergency, "85.50", "75.00", "10.50"},
		{"WVC vehicle", w.Card.Vehicle, "1.14", "1.00", "0.14"},
		{"Grantsville regular", g.Card.Regular, "60.00", "53.50", "6.50"},
	} {
		checkMoney(t, tc.name+" total", tc.r.Total, tc.total)
		checkMoney(t, tc.name+" officer", tc.r.Officer, tc.officer)
		checkMoney(t, tc.name+" admin", tc.r.Admin(), tc.admin)
		if !tc.r.Offered() {
			t.Errorf("%s not offered", tc.name)
		}
	}
	// West Valley's admin fee is 14% of officer pay on every rate.
	for _, r := range []pricing.Rate{w.Card.Regular, w.Card.Supervisor, w.Card.Holiday, w.Card.Emergency, w.Card.Vehicle} {
		if !r.Admin().Equal(r.Officer.Mul(dec("0.14"))) {
			t.Errorf("WVC admin %s is not 14%% of %s", r.Admin(), r.Officer)
		}
	}
	if g.Card.Supervisor.Offered() || g.Card.Holiday.Offered() || g.Card.Emergency.Offered() || g.Card.Vehicle.Offered() {
		t.Errorf("Grantsville offers more than a regular rate: %+v", g.Card)
	}
	if w.Card.MinimumMinutes != 120 || w.Card.NoticeMinutes != 72*60 || w.Card.SupervisorAt != 5 {
		t.Errorf("WVC policy %+v", w.Card)
	}
	if g.Card.MinimumMinutes != 120 || g.Card.NoticeMinutes != 24*60 || g.Card.SupervisorAt != 0 {
		t.Errorf("Grantsville policy %+v", g.Card)
	}
	if w.Zone.String() != "America/Denver" || g.Zone.String() != "America/Denver" {
		t.Errorf("zones %v %v", w.Zone, g.Zone)
	}
}

func TestRateCardValidate(t *testing.T) {
	good := wvc(t).Card
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*pricing.RateCard)
		msg  string
	}{
		{"officer share above total", func(c *pricing.RateCard) { c.Regular = pricing.Rate{Total: dec("50"), Officer: dec("57")} }, "more than the total"},
		{"negative", func(c *pricing.RateCard) { c.Vehicle = pricing.Rate{Total: dec("-1"), Officer: dec("0")} }, "negative"},
		{"fractions of a cent", func(c *pricing.RateCard) { c.Regular = pricing.Rate{Total: dec("57.001"), Officer: dec("50")} }, "whole cents"},
		{"officer share without a total", func(c *pricing.RateCard) { c.Holiday = pricing.Rate{Officer: dec("75")} }, "holiday rate"},
		{"no regular rate", func(c *pricing.RateCard) { c.Regular = pricing.Rate{} }, "regular rate is required"},
		{"minimum above 24 h", func(c *pricing.RateCard) { c.MinimumMinutes = 24*60 + 1 }, "minimum"},
		{"negative minimum", func(c *pricing.RateCard) { c.MinimumMinutes = -1 }, "minimum"},
		{"notice above 720 h", func(c *pricing.RateCard) { c.NoticeMinutes = 30*24*60 + 1 }, "notice"},
		{"negative threshold", func(c *pricing.RateCard) { c.SupervisorAt = -1 }, "threshold"},
		{"threshold without a supervisor rate", func(c *pricing.RateCard) { c.Supervisor = pricing.Rate{} }, "supervisor rate"},
	} {
		c := good
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.msg)
		}
	}
	if _, err := pricing.NewRate("57.00", "x"); err == nil {
		t.Errorf("NewRate with a bad officer share accepted")
	}
	if _, err := pricing.NewRate("", "1"); err == nil {
		t.Errorf("NewRate with no total accepted")
	}
	defer func() {
		if recover() == nil {
			t.Errorf("MustRate did not panic on a bad amount")
		}
	}()
	pricing.MustRate("fifty", "1")
}

func TestAgencyValidate(t *testing.T) {
	a := wvc(t)
	for _, tc := range []struct {
		name string
		mod  func(*pricing.Agency)
	}{
		{"no slug", func(a *pricing.Agency) { a.Slug = "" }},
		{"no name", func(a *pricing.Agency) { a.Name = "" }},
		{"no zone", func(a *pricing.Agency) { a.Zone = nil }},
		{"bad card", func(a *pricing.Agency) { a.Card.Regular = pricing.Rate{} }},
	} {
		b := *a
		tc.mod(&b)
		if err := b.Validate(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	// The zone is the agency's, whatever zone the request's instants carry.
	start := at(t, "2026-12-23 22:00").UTC()
	q, err := a.Quote(pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	checkMoney(t, "UTC instants split at Denver midnight", q.Total, "285.00") // 2 h x 57.00 + 2 h x 85.50
}
