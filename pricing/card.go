// Package pricing holds the office's money and calendar rules: rate cards,
// quotes, holidays and cancellation fees. It is pure: no I/O and no clock;
// every instant comes in as an argument.
package pricing

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Rate is a price per hour. Total is what the customer pays; Officer is the
// officer's share of it; the rest is the office's admin fee. A zero Total
// means the agency does not offer the rate.
type Rate struct {
	Total   decimal.Decimal
	Officer decimal.Decimal
}

// NewRate builds a rate from decimal strings such as "57.00" and "50.00".
func NewRate(total, officer string) (Rate, error) {
	t, err := ParseMoney(total)
	if err != nil {
		return Rate{}, err
	}
	o, err := ParseMoney(officer)
	if err != nil {
		return Rate{}, err
	}
	return Rate{Total: t, Officer: o}, nil
}

// MustRate is NewRate for literals known to be valid.
func MustRate(total, officer string) Rate {
	r, err := NewRate(total, officer)
	if err != nil {
		panic(err)
	}
	return r
}

// Admin is the office's admin fee inside the rate.
func (r Rate) Admin() decimal.Decimal { return r.Total.Sub(r.Officer) }

// Offered reports whether the agency offers this rate at all.
func (r Rate) Offered() bool { return r.Total.IsPositive() }

func (r Rate) validate(name string) error {
	if r.Total.IsNegative() || r.Officer.IsNegative() {
		return fmt.Errorf("%s rate: amounts cannot be negative", name)
	}
	if r.Officer.GreaterThan(r.Total) {
		return fmt.Errorf("%s rate: officer share %s is more than the total %s", name, r.Officer.StringFixed(2), r.Total.StringFixed(2))
	}
	if !r.Total.Equal(r.Total.Round(2)) || !r.Officer.Equal(r.Officer.Round(2)) {
		return fmt.Errorf("%s rate: amounts are in whole cents", name)
	}
	if r.Total.IsZero() && !r.Officer.IsZero() {
		return fmt.Errorf("%s rate: an officer share needs a total", name)
	}
	return nil
}

// ParseMoney reads a decimal amount of money such as "57", "57.00" or "$1,413.60".
func ParseMoney(s string) (decimal.Decimal, error) {
	c := strings.TrimSpace(s)
	c = strings.TrimPrefix(c, "$")
	c = strings.ReplaceAll(c, ",", "")
	if c == "" {
		return decimal.Zero, fmt.Errorf("empty amount")
	}
	d, err := decimal.NewFromString(c)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not an amount of money", s)
	}
	return d, nil
}

// RateCard is one version of an agency's prices and policy numbers.
type RateCard struct {
	Regular    Rate
	Supervisor Rate // zero: the agency has no supervisor rule
	Holiday    Rate // zero: regular applies on holidays
	Emergency  Rate // zero: short notice is refused
	Vehicle    Rate // zero: vehicles are not offered

	MinimumMinutes int // minimum billed time per person
	NoticeMinutes  int // notice required before shift start
	SupervisorAt   int // officers at which one supervisor is added; 0 = never
}

// Validate checks that a rate card is usable.
func (c RateCard) Validate() error {
	for _, r := range []struct {
		name string
		r    Rate
	}{{"regular", c.Regular}, {"supervisor", c.Supervisor}, {"holiday", c.Holiday}, {"emergency", c.Emergency}, {"vehicle", c.Vehicle}} {
		if err := r.r.validate(r.name); err != nil {
			return err
		}
	}
	if !c.Regular.Offered() {
		return fmt.Errorf("regular rate is required")
	}
	if c.MinimumMinutes < 0 || c.MinimumMinutes > 24*60 {
		return fmt.Errorf("minimum hours must be between 0 and 24")
	}
	if c.NoticeMinutes < 0 || c.NoticeMinutes > 30*24*60 {
		return fmt.Errorf("notice must be between 0 and 720 hours")
	}
	if c.SupervisorAt < 0 {
		return fmt.Errorf("supervisor threshold cannot be negative")
	}
	if c.SupervisorAt > 0 && !c.Supervisor.Offered() {
		return fmt.Errorf("a supervisor threshold needs a supervisor rate")
	}
	return nil
}

// Venue is the category of the place where officers work.
type Venue string

// The venue categories.
const (
	VenueGeneral      Venue = "general"
	VenueRetail       Venue = "retail"
	VenueConstruction Venue = "construction"
	VenueEvent        Venue = "event"
	VenueSchool       Venue = "school"
	VenueWorship      Venue = "worship"
	VenueTraffic      Venue = "traffic"
	VenueAlcohol      Venue = "alcohol"
	VenueGambling     Venue = "gambling"
	VenueIllegal      Venue = "illegal"
	VenueLaborDispute Venue = "labor-dispute"
)

// Venues lists every venue category in display order.
var Venues = []Venue{VenueGeneral, VenueRetail, VenueConstruction, VenueEvent, VenueSchool,
	VenueWorship, VenueTraffic, VenueAlcohol, VenueGambling, VenueIllegal, VenueLaborDispute}

var venueLabels = map[Venue]string{
	VenueGeneral:      "general",
	VenueRetail:       "retail / shopping",
	VenueConstruction: "construction",
	VenueEvent:        "event / venue",
	VenueSchool:       "school",
	VenueWorship:      "place of worship",
	VenueTraffic:      "traffic control",
	VenueAlcohol:      "alcohol-focused business",
	VenueGambling:     "gambling",
	VenueIllegal:      "illegal activity",
	VenueLaborDispute: "labor dispute (strike, lockout, picket)",
}

// Label is a readable description of the venue category.
func (v Venue) Label() string {
	if l, ok := venueLabels[v]; ok {
		return l
	}
	return string(v)
}

// ParseVenue reads a venue category; the empty string is general.
func ParseVenue(s string) (Venue, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return VenueGeneral, nil
	}
	s = strings.ReplaceAll(s, "_", "-")
	if s == "labor" || s == "labour-dispute" || s == "labor dispute" {
		s = string(VenueLaborDispute)
	}
	for _, v := range Venues {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(Venues))
	for i, v := range Venues {
		names[i] = string(v)
	}
	return "", fmt.Errorf("unknown venue %q: use one of %s", s, strings.Join(names, ", "))
}

// Agency is a partner police department as pricing needs it.
type Agency struct {
	Slug       string
	Name       string
	Zone       *time.Location
	Card       RateCard
	Holidays   []Holiday
	Prohibited map[Venue]string // venue -> the agency's rule, quoted on refusal
}

// Validate checks that the agency can price requests.
func (a *Agency) Validate() error {
	if a.Slug == "" || a.Name == "" {
		return fmt.Errorf("agency needs a slug and a name")
	}
	if a.Zone == nil {
		return fmt.Errorf("agency %s has no time zone", a.Slug)
	}
	return a.Card.Validate()
}

// ProhibitedVenues lists the agency's prohibited venues in display order.
func (a *Agency) ProhibitedVenues() []Venue {
	var out []Venue
	for v := range a.Prohibited {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return venueIndex(out[i]) < venueIndex(out[j]) })
	return out
}

func venueIndex(v Venue) int {
	for i, w := range Venues {
		if w == v {
			return i
		}
	}
	return len(Venues)
}
