package pricing

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Class is the kind of thing a quote line bills.
type Class string

// The classes of quote lines.
const (
	ClassOfficer    Class = "officer"
	ClassSupervisor Class = "supervisor"
	ClassVehicle    Class = "vehicle"
)

// Basis names the rate a stretch of time is billed at.
const (
	BasisRegular    = "regular"
	BasisSupervisor = "supervisor"
	BasisHoliday    = "holiday"
	BasisEmergency  = "emergency"
	BasisVehicle    = "vehicle"
)

// Limits on a request.
const (
	MaxOfficers     = 500
	MaxVehicles     = 500
	MaxShiftMinutes = 24 * 60
	// MaxOfficerDayMinutes is the most one officer may work in a local day
	// (the store refuses an assignment past it; store.MaxDayMinutes).
	MaxOfficerDayMinutes = 16 * 60
)

// Request is what a customer asks for.
type Request struct {
	Start    time.Time // first minute of the shift (an instant)
	End      time.Time // end of the shift (an instant)
	Officers int
	Vehicles int
	Venue    Venue
	Received time.Time // when the office received the request
}

// InputError is invalid input, tied to the field it concerns.
type InputError struct {
	Field string // "start", "end", "hours", "officers", "vehicles", "venue", "received"
	Msg   string
}

func (e *InputError) Error() string { return e.Msg }

func inputErr(field, format string, args ...any) error {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Line is one priced line: one class at one rate.
type Line struct {
	Class      Class
	Basis      string // which rate won: regular, supervisor, holiday, emergency, vehicle ("+"-joined if several tie)
	Count      int    // officers, supervisors or vehicles
	Minutes    int    // billed minutes per person or vehicle
	Rate       Rate   // per hour
	Amount     decimal.Decimal
	OfficerPay decimal.Decimal
	AdminFee   decimal.Decimal
}

// Hours is the line's billed hours per person, exact.
func (l Line) Hours() decimal.Decimal { return minutesToHours(l.Minutes) }

// Span is a stretch of one class's shift at one rate, in time order.
type Span struct {
	Class   Class
	Start   time.Time
	End     time.Time
	Basis   string
	Rate    Rate
	Holiday string // holiday name when the stretch falls on one
}

// Minutes is the span's real elapsed length.
func (s Span) Minutes() int { return int(s.End.Sub(s.Start) / time.Minute) }

// Refusal is a reason the request cannot be booked.
type Refusal struct {
	Code    string // "prohibited-venue" or "short-notice"
	Message string
}

// Quote is a priced request that explains itself.
type Quote struct {
	Agency      string // slug
	AgencyName  string
	Start, End  time.Time
	Received    time.Time
	Officers    int
	Supervisors int
	Vehicles    int
	Venue       Venue

	ElapsedMinutes int // real elapsed time of the shift
	BilledMinutes  int // per person, after the minimum
	NoticeMinutes  int // from received to start (negative if received after the start)
	Emergency      bool

	Lines      []Line
	Total      decimal.Decimal
	OfficerPay decimal.Decimal
	AdminFee   decimal.Decimal
	Warnings   []string
	Refusals   []Refusal
	Bookable   bool
	// EarliestStart is set when short notice is refused: the earliest start
	// that would be accepted for a request received when this one was.
	EarliestStart time.Time

	Spans      []Span // officer and supervisor timelines, for cancellation fees
	MinimumTop int    // minutes added by the minimum, per person
}

// Quote prices a request with the agency's card. The result depends on the
// request alone; refusals still carry the figures.
func (a *Agency) Quote(r Request) (*Quote, error) {
	if err := a.validateRequest(r); err != nil {
		return nil, err
	}
	r.Venue, _ = ParseVenue(string(r.Venue)) // canonical, so "Alcohol" or "labor" meets the prohibited-venue rule
	card := a.Card
	loc := a.Zone
	start, end := r.Start.In(loc), r.End.In(loc)
	q := &Quote{
		Agency: a.Slug, AgencyName: a.Name,
		Start: start, End: end, Received: r.Received.In(loc),
		Officers: r.Officers, Vehicles: r.Vehicles, Venue: r.Venue,
		ElapsedMinutes: int(end.Sub(start) / time.Minute),
	}
	q.BilledMinutes = max(q.ElapsedMinutes, card.MinimumMinutes)
	q.MinimumTop = q.BilledMinutes - q.ElapsedMinutes
	lead := start.Sub(r.Received)
	q.NoticeMinutes = int(lead / time.Minute)
	short := lead < time.Duration(card.NoticeMinutes)*time.Minute
	q.Emergency = short && card.Emergency.Offered()

	if card.SupervisorAt > 0 && r.Officers >= card.SupervisorAt {
		q.Supervisors = 1
	}

	days := splitDays(start, end, loc, a.Holidays)

	type key struct {
		class          Class
		total, officer string
	}
	idx := map[key]int{}
	add := func(class Class, basis string, count, minutes int, rate Rate) {
		k := key{class, rate.Total.String(), rate.Officer.String()}
		if i, ok := idx[k]; ok {
			l := &q.Lines[i]
			l.Minutes += minutes
			if !strings.Contains("+"+l.Basis+"+", "+"+basis+"+") {
				l.Basis += "+" + basis
			}
			return
		}
		idx[k] = len(q.Lines)
		q.Lines = append(q.Lines, Line{Class: class, Basis: basis, Count: count, Minutes: minutes, Rate: rate})
	}

	classes := []struct {
		class Class
		count int
	}{
		{ClassOfficer, r.Officers},
		{ClassSupervisor, q.Supervisors},
	}
	for _, c := range classes {
		if c.count == 0 {
			continue
		}
		for i, d := range days {
			basis, rate := card.rateFor(c.class, d.holiday != "", q.Emergency)
			q.Spans = append(q.Spans, Span{Class: c.class, Start: d.start, End: d.end, Basis: basis, Rate: rate, Holiday: d.holiday})
			minutes := d.minutes
			if i == 0 {
				minutes += q.MinimumTop // the top-up is billed at the first minute's rate
			}
			add(c.class, basis, c.count, minutes, rate)
		}
	}
	if r.Vehicles > 0 {
		add(ClassVehicle, BasisVehicle, r.Vehicles, q.BilledMinutes, card.Vehicle)
	}

	q.Total, q.OfficerPay, q.AdminFee = decimal.Zero, decimal.Zero, decimal.Zero
	for i := range q.Lines {
		l := &q.Lines[i]
		l.Amount = lineAmount(l.Rate.Total, l.Count, l.Minutes)
		l.OfficerPay = lineAmount(l.Rate.Officer, l.Count, l.Minutes)
		l.AdminFee = l.Amount.Sub(l.OfficerPay)
		q.Total = q.Total.Add(l.Amount)
		q.OfficerPay = q.OfficerPay.Add(l.OfficerPay)
		q.AdminFee = q.AdminFee.Add(l.AdminFee)
	}

	q.explain(a, days, short, lead)
	q.Bookable = len(q.Refusals) == 0
	return q, nil
}

func (q *Quote) explain(a *Agency, days []day, short bool, lead time.Duration) {
	card := a.Card
	if rule, ok := a.Prohibited[q.Venue]; ok {
		q.Refusals = append(q.Refusals, Refusal{Code: "prohibited-venue",
			Message: fmt.Sprintf("prohibited venue (%s): %s rule: %q", q.Venue.Label(), a.Name, rule)})
	}
	notice := FormatDuration(time.Duration(card.NoticeMinutes) * time.Minute)
	when := "received " + FormatDuration(lead.Abs()) + " before start"
	if lead < 0 {
		when = "received " + FormatDuration(lead.Abs()) + " after start"
	} else if lead == 0 {
		when = "received at the start"
	}
	if w := dayCapWarning(q.ElapsedMinutes, days); w != "" {
		q.Warnings = append(q.Warnings, w) // first: it changes who can be sent
	}
	if short && q.Emergency {
		q.Warnings = append(q.Warnings, fmt.Sprintf("emergency rate: %s, %s required", when, notice))
	}
	if short && !q.Emergency {
		q.EarliestStart = q.Received.Add(time.Duration(card.NoticeMinutes) * time.Minute)
		if q.EarliestStart.Truncate(time.Minute) != q.EarliestStart {
			q.EarliestStart = q.EarliestStart.Truncate(time.Minute).Add(time.Minute)
		}
		q.EarliestStart = q.EarliestStart.In(a.Zone)
		q.Refusals = append(q.Refusals, Refusal{Code: "short-notice",
			Message: fmt.Sprintf("short notice: %s, %s required and %s has no emergency rate; earliest acceptable start %s",
				when, notice, a.Name, q.EarliestStart.Format("Mon 02 Jan 2006 15:04"))})
	}
	// Holiday hours, per holiday, in time order.
	var names []string
	mins := map[string]int{}
	for _, d := range days {
		if d.holiday == "" {
			continue
		}
		if _, ok := mins[d.holiday]; !ok {
			names = append(names, d.holiday)
		}
		mins[d.holiday] += d.minutes
	}
	for _, n := range names {
		if card.Holiday.Offered() {
			q.Warnings = append(q.Warnings, fmt.Sprintf("holiday rate: %s, %s", n, FormatHours(mins[n])))
		} else {
			q.Warnings = append(q.Warnings, fmt.Sprintf("holiday: %s, %s; %s has no holiday rate, regular applies", n, FormatHours(mins[n]), a.Name))
		}
	}
	if q.Supervisors > 0 {
		q.Warnings = append(q.Warnings, fmt.Sprintf("supervisor added: %d or more officers", card.SupervisorAt))
	}
	if q.MinimumTop > 0 {
		q.Warnings = append(q.Warnings, fmt.Sprintf("%s minimum applied: %s shift billed as %s per person",
			minimumLabel(card.MinimumMinutes), FormatHours(q.ElapsedMinutes), FormatHours(q.BilledMinutes)))
	}
	wall := time.Date(q.End.Year(), q.End.Month(), q.End.Day(), q.End.Hour(), q.End.Minute(), 0, 0, time.UTC).
		Sub(time.Date(q.Start.Year(), q.Start.Month(), q.Start.Day(), q.Start.Hour(), q.Start.Minute(), 0, 0, time.UTC))
	if int(wall/time.Minute) != q.ElapsedMinutes {
		q.Warnings = append(q.Warnings, fmt.Sprintf("clock change: %s on the clock is %s of real time",
			FormatHours(int(wall/time.Minute)), FormatHours(q.ElapsedMinutes)))
	}
}

// dayCapWarning says when no single officer may work the whole shift: some
// local day of it is longer than MaxOfficerDayMinutes (the rule the store
// applies when an officer is assigned), so each position needs relief.
func dayCapWarning(elapsed int, days []day) string {
	longest := 0
	for _, d := range days {
		longest = max(longest, d.minutes)
	}
	if longest <= MaxOfficerDayMinutes {
		return ""
	}
	per := (longest + MaxOfficerDayMinutes - 1) / MaxOfficerDayMinutes
	shift := FormatHours(elapsed) + " shift"
	if longest != elapsed {
		shift += ", " + FormatHours(longest) + " of it in one day"
	}
	return fmt.Sprintf("%s: no officer may work more than %s in a day; it needs relief officers (%d per position)",
		shift, FormatHours(MaxOfficerDayMinutes), per)
}

func minimumLabel(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d-hour", m/60)
	}
	return FormatMinutes(m) + " h"
}

func (a *Agency) validateRequest(r Request) error {
	if r.Start.IsZero() {
		return inputErr("start", "start is required")
	}
	if r.End.IsZero() {
		return inputErr("end", "end or hours is required")
	}
	if r.Start.Second() != 0 || r.Start.Nanosecond() != 0 {
		return inputErr("start", "start must be on a whole minute")
	}
	if r.End.Second() != 0 || r.End.Nanosecond() != 0 {
		return inputErr("end", "end must be on a whole minute")
	}
	if !r.End.After(r.Start) {
		return inputErr("end", "end must be after start")
	}
	if r.End.Sub(r.Start) > MaxShiftMinutes*time.Minute {
		return inputErr("hours", "a shift can be at most 24 hours (this one is %s h)", FormatMinutes(int(r.End.Sub(r.Start)/time.Minute)))
	}
	if r.Officers < 1 {
		return inputErr("officers", "officers must be at least 1")
	}
	if r.Officers > MaxOfficers {
		return inputErr("officers", "at most %d officers per request", MaxOfficers)
	}
	if r.Vehicles < 0 {
		return inputErr("vehicles", "vehicles cannot be negative")
	}
	if r.Vehicles > MaxVehicles {
		return inputErr("vehicles", "at most %d vehicles per request", MaxVehicles)
	}
	if r.Vehicles > 0 && !a.Card.Vehicle.Offered() {
		return inputErr("vehicles", "%s does not offer vehicles", a.Name)
	}
	if _, err := ParseVenue(string(r.Venue)); err != nil || r.Venue == "" {
		return inputErr("venue", "unknown venue %q", r.Venue)
	}
	if r.Received.IsZero() {
		return inputErr("received", "the time the request was received is required")
	}
	return nil
}

// rateFor is the highest rate that applies to a minute of a class: its class
// rate, the holiday rate on a holiday, the emergency rate on an emergency
// request (a tie goes to the later, so one rate covers most of a shift).
func (card RateCard) rateFor(class Class, holiday, emergency bool) (string, Rate) {
	basis, rate := BasisRegular, card.Regular
	if class == ClassSupervisor {
		basis, rate = BasisSupervisor, card.Supervisor
	}
	if holiday && card.Holiday.Offered() && !card.Holiday.Total.LessThan(rate.Total) {
		basis, rate = BasisHoliday, card.Holiday
	}
	if emergency && !card.Emergency.Total.LessThan(rate.Total) {
		basis, rate = BasisEmergency, card.Emergency
	}
	return basis, rate
}

// day is a stretch of a shift within one local calendar day.
type day struct {
	start, end time.Time
	minutes    int
	holiday    string
}

// splitDays cuts [start, end) at local midnights and marks holiday dates.
func splitDays(start, end time.Time, loc *time.Location, hs []Holiday) []day {
	var out []day
	for t := start; t.Before(end); {
		y, m, d := t.In(loc).Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		if next.After(end) {
			next = end
		}
		dd := day{start: t, end: next, minutes: int(next.Sub(t) / time.Minute)}
		if h, ok := HolidayOn(hs, y, m, d); ok {
			dd.holiday = h.Name
		}
		out = append(out, dd)
		t = next
	}
	return out
}

var sixty = decimal.NewFromInt(60)

// lineAmount is rate x count x minutes / 60, rounded half up to the cent once.
func lineAmount(rate decimal.Decimal, count, minutes int) decimal.Decimal {
	return rate.Mul(decimal.NewFromInt(int64(count)*int64(minutes))).DivRound(sixty, 12).Round(2)
}

func minutesToHours(m int) decimal.Decimal {
	return decimal.NewFromInt(int64(m)).DivRound(sixty, 4)
}
