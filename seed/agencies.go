// Package seed loads the real partner agencies into a new database, and demo
// officers, customers and jobs relative to a clock.
package seed

import (
	"context"
	"fmt"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// Zone is the seed agencies' time zone (and the office's).
const Zone = "America/Denver"

// Rules quoted on refusal, from the agencies' own pages.
const (
	ruleAlcohol = "Where alcoholic beverages are dispensed and/or consumed and are the main focus of the business."
	ruleIllegal = "Any business where any activity is of an illegal or gambling based nature."
	ruleLabor   = "No officer may engage in such outside employment during or at the site of a strike, lockout, picket, or other physical demonstration of a labor dispute."
)

// Agencies returns the two seed agencies exactly as RULES.md tables them.
func Agencies() []store.AgencyInput {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		panic(err)
	}
	return []store.AgencyInput{
		{
			Slug: "west-valley-city", Name: "West Valley City PD", Zone: Zone,
			EffectiveFrom: time.Date(2020, 11, 16, 0, 0, 0, 0, loc),
			Card: pricing.RateCard{
				Regular:        pricing.MustRate("57.00", "50.00"),
				Supervisor:     pricing.MustRate("68.40", "60.00"),
				Holiday:        pricing.MustRate("85.50", "75.00"),
				Emergency:      pricing.MustRate("85.50", "75.00"),
				Vehicle:        pricing.MustRate("1.14", "1.00"),
				MinimumMinutes: 2 * 60,
				NoticeMinutes:  72 * 60,
				SupervisorAt:   5,
			},
			Holidays: pricing.StandardHolidays(),
			Prohibited: map[pricing.Venue]string{
				pricing.VenueAlcohol:  ruleAlcohol,
				pricing.VenueGambling: ruleIllegal,
				pricing.VenueIllegal:  ruleIllegal,
			},
		},
		{
			Slug: "grantsville", Name: "Grantsville PD", Zone: Zone,
			EffectiveFrom: time.Date(2020, 7, 20, 0, 0, 0, 0, loc),
			Card: pricing.RateCard{
				Regular:        pricing.MustRate("60.00", "53.50"),
				MinimumMinutes: 2 * 60,
				NoticeMinutes:  24 * 60,
			},
			Holidays: pricing.StandardHolidays(),
			Prohibited: map[pricing.Venue]string{
				pricing.VenueLaborDispute: ruleLabor,
			},
		},
	}
}

// Actor is the name seed data is recorded under in the audit.
const Actor = "seed"

// EnsureAgencies loads the seed agencies into a database that has none, in
// one transaction, and reports whether it did (a new database).
func EnsureAgencies(ctx context.Context, s *store.Store) (bool, error) {
	created, err := s.EnsureAgencies(ctx, Actor, Agencies())
	if err != nil {
		return false, fmt.Errorf("seed agencies: %w", err)
	}
	return created, nil
}
