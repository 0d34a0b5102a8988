package pricing

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ChargeShift prices one person's billed time on a shift: the interval
// [start, end) split at local midnights, each minute at the highest rate that
// applies (class, holiday, emergency when the request was an emergency), the
// minimum topped up at the first minute's rate. One line per rate, each
// rounded once; officer pay and admin fee split the same way as a quote's.
// Invoices bill these lines and payroll pays their officer share, so the two
// reconcile to the cent.
func (a *Agency) ChargeShift(class Class, start, end time.Time, emergency bool) []Line {
	if !end.After(start) {
		return nil
	}
	card := a.Card
	days := splitDays(start.In(a.Zone), end.In(a.Zone), a.Zone, a.Holidays)
	elapsed := int(end.Sub(start) / time.Minute)
	top := max(card.MinimumMinutes-elapsed, 0)
	var out []Line
	idx := map[string]int{}
	for i, d := range days {
		basis, rate := card.rateFor(class, d.holiday != "", emergency && card.Emergency.Offered())
		m := d.minutes
		if i == 0 {
			m += top
		}
		k := rate.Total.String() + "/" + rate.Officer.String()
		if j, ok := idx[k]; ok {
			out[j].Minutes += m
			if !strings.Contains("+"+out[j].Basis+"+", "+"+basis+"+") {
				out[j].Basis += "+" + basis // as a quote names a merged line
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, Line{Class: class, Basis: basis, Count: 1, Minutes: m, Rate: rate})
	}
	for i := range out {
		l := &out[i]
		l.Amount = lineAmount(l.Rate.Total, 1, l.Minutes)
		l.OfficerPay = lineAmount(l.Rate.Officer, 1, l.Minutes)
		l.AdminFee = l.Amount.Sub(l.OfficerPay)
	}
	return out
}

// ChargeVehicles prices vehicles for a shift's billed minutes (no uplift).
func (a *Agency) ChargeVehicles(count, minutes int) (Line, bool) {
	if count <= 0 || !a.Card.Vehicle.Offered() {
		return Line{}, false
	}
	r := a.Card.Vehicle
	l := Line{Class: ClassVehicle, Basis: BasisVehicle, Count: count, Minutes: max(minutes, a.Card.MinimumMinutes), Rate: r}
	l.Amount = lineAmount(r.Total, count, l.Minutes)
	l.OfficerPay = lineAmount(r.Officer, count, l.Minutes)
	l.AdminFee = l.Amount.Sub(l.OfficerPay)
	return l, true
}

// BilledInterval is the stretch of time a position is billed and paid for
// (RULES.md "Attendance"): the scheduled shift, or from check-in to
// check-out when held over; false for a no-show.
func BilledInterval(start, end, checkIn, checkOut time.Time, attendance string) (time.Time, time.Time, bool) {
	switch attendance {
	case AttendanceNoShow:
		return time.Time{}, time.Time{}, false
	case AttendanceHeldOver:
		from := checkIn
		if from.IsZero() {
			from = start
		}
		if checkOut.After(from) {
			return from, checkOut, true
		}
	}
	return start, end, true
}

// Billing cycles.
const (
	CycleWeekly   = "weekly"
	CycleBiweekly = "biweekly"
	CycleMonthly  = "monthly"
)

// biweeklyAnchor is the Monday every two-week period counts from.
var biweeklyAnchor = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Period returns the billing period of the given cycle that holds the civil
// date d (only its year, month and day are read): weeks run Monday to
// Sunday, two-week periods from Monday 1 Jan 2024, months are calendar
// months. The end is exclusive; both are civil dates at 00:00 UTC.
func Period(cycle string, d time.Time) (time.Time, time.Time, error) {
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	switch cycle {
	case CycleWeekly:
		s := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		return s, s.AddDate(0, 0, 7), nil
	case CycleBiweekly:
		return PeriodFrom(biweeklyAnchor, 14, day)
	case CycleMonthly:
		s := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 1, 0), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("unknown billing cycle %q", cycle)
}

// PeriodFrom is the period of `days` days, counted from anchor, holding d.
func PeriodFrom(anchor time.Time, days int, d time.Time) (time.Time, time.Time, error) {
	if days <= 0 {
		return time.Time{}, time.Time{}, fmt.Errorf("a period is at least one day")
	}
	a := time.Date(anchor.Year(), anchor.Month(), anchor.Day(), 0, 0, 0, 0, time.UTC)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	n := int(day.Sub(a).Hours()) / 24
	k := n / days
	if n < 0 && n%days != 0 {
		k--
	}
	s := a.AddDate(0, 0, k*days)
	return s, s.AddDate(0, 0, days), nil
}

// Sum adds amounts exactly.
func Sum(ds ...decimal.Decimal) decimal.Decimal {
	t := decimal.Zero
	for _, d := range ds {
		t = t.Add(d)
	}
	return t
}
