package pricing_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/seed"
)

// denver is the seed agencies' zone; every wall time in these tests is Denver time.
var denver = func() *time.Location {
	loc, err := time.LoadLocation("America/Denver")
	if err != nil {
		panic(err)
	}
	return loc
}()

// seedAgency builds a *pricing.Agency from seed.Agencies() exactly as the
// application does: the same card, holidays and prohibited venues.
func seedAgency(tb testing.TB, slug string) *pricing.Agency {
	tb.Helper()
	for _, in := range seed.Agencies() {
		if in.Slug != slug {
			continue
		}
		loc, err := time.LoadLocation(in.Zone)
		if err != nil {
			tb.Fatalf("zone %q: %v", in.Zone, err)
		}
		a := &pricing.Agency{Slug: in.Slug, Name: in.Name, Zone: loc, Card: in.Card, Holidays: in.Holidays, Prohibited: in.Prohibited}
		if err := a.Validate(); err != nil {
			tb.Fatalf("seed agency %s does not validate: %v", slug, err)
		}
		return a
	}
	tb.Fatalf("no seed agency %q", slug)
	return nil
}

func wvc(tb testing.TB) *pricing.Agency { return seedAgency(tb, "west-valley-city") }
func gv(tb testing.TB) *pricing.Agency  { return seedAgency(tb, "grantsville") }

// at parses a Denver wall time "YYYY-MM-DD HH:MM" or fails the test.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := pricing.ParseLocal(s, denver)
	if err != nil {
		tb.Fatalf("ParseLocal(%q): %v", s, err)
	}
	return t
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sameMoney reports whether got equals the two-decimal amount want.
func checkMoney(tb testing.TB, what string, got decimal.Decimal, want string) {
	tb.Helper()
	if !got.Equal(dec(want)) {
		tb.Errorf("%s = %s, want %s", what, got.String(), want)
	}
}

// inputField returns the Field of an *pricing.InputError, or fails.
func inputField(tb testing.TB, err error) string {
	tb.Helper()
	var ie *pricing.InputError
	if !errors.As(err, &ie) {
		tb.Fatalf("error %v (%T) is not an *InputError", err, err)
	}
	return ie.Field
}
