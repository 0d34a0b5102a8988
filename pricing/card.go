// Package pricing holds the office's money and calendar rules: rate cards,
// quotes, holidays and cancellation fees. It is pure: no I/O and no clock;
// every instant comes in as an argument.
package pricing

import (
	"fmt"
	"sort"
	"strconv"
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

	// Cancellation terms (RULES.md "Cancellation and reduction"): the admin
	// fee is charged for the first CancelAdminMinutes of each cancelled
	// position, and a cancellation less than CancelLateMinutes before the
	// start adds the officer share. Zero means RULES.md's 24 h and 48 h (a
	// card built in code without terms); cards saved by the store always
	// carry both (see CancelTerms).
	CancelAdminMinutes int
	CancelLateMinutes  int
}

// RULES.md's cancellation terms, the defaults of a card.
const (
	DefaultCancelAdminMinutes = 24 * 60
	DefaultCancelLateMinutes  = 48 * 60
)

// CancelTerms is the card's cancellation terms, a zero field read as
// RULES.md's default.
func (c RateCard) CancelTerms() Terms {
	t := Terms{AdminMinutes: c.CancelAdminMinutes, LateMinutes: c.CancelLateMinutes}
	return t.resolved()
}

// WithTerms is the card with its cancellation terms spelled out (zeros
// replaced by the defaults), as the store saves it.
func (c RateCard) WithTerms() RateCard {
	t := c.CancelTerms()
	c.CancelAdminMinutes, c.CancelLateMinutes = t.AdminMinutes, t.LateMinutes
	return c
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
		return fmt.Errorf("a supervisor threshold needs a supervisor rate (a threshold of never drops the supervisor rule)")
	}
	if c.SupervisorAt > 500 {
		return fmt.Errorf("supervisor threshold must be at most 500 officers")
	}
	if c.CancelAdminMinutes < 0 || c.CancelAdminMinutes > MaxCancelAdminMinutes {
		return fmt.Errorf("cancellation admin-fee hours must be between 1 and %d", MaxCancelAdminMinutes/60)
	}
	if c.CancelLateMinutes < 0 || c.CancelLateMinutes > MaxCancelLateMinutes {
		return fmt.Errorf("late-cancellation window must be between 1 and %d hours", MaxCancelLateMinutes/60)
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

// The largest cancellation terms a card takes.
const (
	MaxCancelAdminMinutes = 7 * 24 * 60  // a week of admin fee per position
	MaxCancelLateMinutes  = 30 * 24 * 60 // the notice window's own bound
)

// ParseRate reads a rate as typed: "TOTAL/OFFICER" such as "57.00/50.00"
// (the admin fee is the difference), or "none" (or "0") for a rate the
// agency does not offer. The rate is checked as a card checks it.
func ParseRate(name, s string) (Rate, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "none" || t == "0" || t == "-" {
		return Rate{}, nil
	}
	total, officer, ok := strings.Cut(t, "/")
	if !ok {
		return Rate{}, fmt.Errorf("%s rate: want TOTAL/OFFICER such as 57.00/50.00 (the admin fee is the difference), or none; got %q", name, s)
	}
	r, err := NewRate(total, officer)
	if err != nil {
		return Rate{}, fmt.Errorf("%s rate: %v", name, err)
	}
	if !r.Offered() && r.Officer.IsZero() {
		return Rate{}, nil
	}
	if !r.Total.IsPositive() {
		return Rate{}, fmt.Errorf("%s rate: the total must be more than 0 (none removes the rate)", name)
	}
	if err := r.validate(name); err != nil {
		return Rate{}, err
	}
	return r, nil
}

// FormatRate is a rate as ParseRate reads it: "57.00/50.00", or "none".
func FormatRate(r Rate) string {
	if !r.Offered() {
		return "none"
	}
	return r.Total.StringFixed(2) + "/" + r.Officer.StringFixed(2)
}

// ParseCardHours reads a number of hours of a card ("2", "2.5", "1:30",
// "72h") as whole minutes between lo and hi.
func ParseCardHours(what, s string, lo, hi int) (int, error) {
	t := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "h")
	t = strings.TrimSpace(t)
	bad := fmt.Errorf("%s: want a number of hours such as 2, 2.5 or 1:30, got %q", what, s)
	var m int
	if hh, mm, ok := strings.Cut(t, ":"); ok {
		h, err1 := strconv.Atoi(hh)
		n, err2 := strconv.Atoi(mm)
		if err1 != nil || err2 != nil || h < 0 || n < 0 || n > 59 || len(mm) != 2 {
			return 0, bad
		}
		m = h*60 + n
	} else {
		if t == "" || strings.ContainsAny(t, "eE+") {
			return 0, bad
		}
		d, err := decimal.NewFromString(t)
		if err != nil || d.IsNegative() {
			return 0, bad
		}
		x := d.Mul(decimal.NewFromInt(60))
		if !x.Equal(x.Truncate(0)) {
			return 0, fmt.Errorf("%s: %s hours is not a whole number of minutes", what, t)
		}
		if x.GreaterThan(decimal.NewFromInt(int64(hi))) {
			return 0, fmt.Errorf("%s: at most %s, got %s h", what, FormatHours(hi), t)
		}
		m = int(x.IntPart())
	}
	if m < lo || m > hi {
		return 0, fmt.Errorf("%s: between %s and %s, got %s", what, FormatHours(lo), FormatHours(hi), FormatHours(m))
	}
	return m, nil
}

// CardField is one figure of a card as people read it.
type CardField struct {
	Key   string // stable name: regular, supervisor, ..., cancel_late
	Label string
	Value string
}

// rateText is a rate as "57.00 = 50.00 + 7.00" (total = officer + admin).
func rateText(r Rate) string {
	if !r.Offered() {
		return "none"
	}
	return fmt.Sprintf("%s = %s + %s", r.Total.StringFixed(2), r.Officer.StringFixed(2), r.Admin().StringFixed(2))
}

// Fields lists every figure of the card in display order: the five rates
// (total = officer + admin), minimum hours, notice, the supervisor
// threshold and the cancellation terms.
func (c RateCard) Fields() []CardField {
	sup := "never"
	if c.SupervisorAt > 0 {
		sup = fmt.Sprintf("%d or more officers", c.SupervisorAt)
	}
	t := c.CancelTerms()
	return []CardField{
		{"regular", "regular", rateText(c.Regular)},
		{"supervisor", "supervisor", rateText(c.Supervisor)},
		{"holiday", "holiday", rateText(c.Holiday)},
		{"emergency", "emergency", rateText(c.Emergency)},
		{"vehicle", "vehicle", rateText(c.Vehicle)},
		{"minimum", "minimum", FormatHours(c.MinimumMinutes) + " per person"},
		{"notice", "notice", FormatHours(c.NoticeMinutes)},
		{"supervisor_at", "supervisor at", sup},
		{"cancel_admin", "cancel: admin fee", "first " + FormatHours(t.AdminMinutes)},
		{"cancel_late", "cancel: late", "inside " + FormatHours(t.LateMinutes) + ": + officer share"},
	}
}

// CardChange is one figure of two cards side by side.
type CardChange struct {
	Key, Label    string
	Before, After string
	Changed       bool
}

// CompareCards lists every figure of before and after, marking those that
// differ (a diff of a new card against the one it follows).
func CompareCards(before, after RateCard) []CardChange {
	b, a := before.Fields(), after.Fields()
	out := make([]CardChange, len(a))
	for i := range a {
		out[i] = CardChange{Key: a[i].Key, Label: a[i].Label, Before: b[i].Value, After: a[i].Value, Changed: b[i].Value != a[i].Value}
	}
	return out
}

// Summary is the card on one line, as the audit keeps it.
func (c RateCard) Summary() string {
	t := c.CancelTerms()
	sup := "never"
	if c.SupervisorAt > 0 {
		sup = strconv.Itoa(c.SupervisorAt)
	}
	return fmt.Sprintf("regular %s, supervisor %s, holiday %s, emergency %s, vehicle %s, minimum %s, notice %s, supervisor at %s, cancel admin fee %s, late cancel %s",
		FormatRate(c.Regular), FormatRate(c.Supervisor), FormatRate(c.Holiday), FormatRate(c.Emergency), FormatRate(c.Vehicle),
		FormatHours(c.MinimumMinutes), FormatHours(c.NoticeMinutes), sup, FormatHours(t.AdminMinutes), FormatHours(t.LateMinutes))
}
