package pricing_test

import (
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

// chargeLine is an expected line of ChargeShift: basis, billed minutes, rate,
// amount, officer pay (the admin fee is the difference).
type chargeLine struct {
	basis   string
	minutes int
	rate    string
	amount  string
	officer string
}

// Hand-computed from RULES.md: West Valley regular 57.00 (50.00 officer),
// supervisor 68.40 (60.00), holiday and emergency 85.50 (75.00), 2 h
// minimum; Grantsville 60.00 (53.50), no holiday or emergency rate.
func TestChargeShift(t *testing.T) {
	for _, c := range []struct {
		name       string
		agency     string
		class      pricing.Class
		start, end string
		emergency  bool
		want       []chargeLine
	}{
		{"regular 4 h", "wvc", pricing.ClassOfficer, "2026-12-08 10:00", "2026-12-08 14:00", false,
			[]chargeLine{{"regular", 240, "57.00", "228.00", "200.00"}}},
		{"minimum: 1 h billed as 2", "wvc", pricing.ClassOfficer, "2026-12-08 10:00", "2026-12-08 11:00", false,
			[]chargeLine{{"regular", 120, "57.00", "114.00", "100.00"}}},
		{"supervisor 3 h", "wvc", pricing.ClassSupervisor, "2026-12-08 10:00", "2026-12-08 13:00", false,
			[]chargeLine{{"supervisor", 180, "68.40", "205.20", "180.00"}}},
		{"held over to the minute: 4 h 07", "wvc", pricing.ClassOfficer, "2026-12-08 10:00", "2026-12-08 14:07", false,
			[]chargeLine{{"regular", 247, "57.00", "234.65", "205.83"}}}, // 57 x 247 / 60 = 234.65; 50 x 247 / 60 = 205.833 -> 205.83
		{"Christmas into Boxing Day: split at midnight", "wvc", pricing.ClassOfficer, "2026-12-25 22:00", "2026-12-26 02:00", false,
			[]chargeLine{{"holiday", 120, "85.50", "171.00", "150.00"}, {"regular", 120, "57.00", "114.00", "100.00"}}},
		{"Christmas Eve into Christmas: one holiday line", "wvc", pricing.ClassOfficer, "2026-12-24 22:00", "2026-12-25 02:00", false,
			[]chargeLine{{"holiday", 240, "85.50", "342.00", "300.00"}}},
		{"holiday, rounded half up once", "wvc", pricing.ClassOfficer, "2026-12-25 10:00", "2026-12-25 12:11", false,
			[]chargeLine{{"holiday", 131, "85.50", "186.68", "163.75"}}}, // 85.50 x 131 / 60 = 186.675 -> 186.68
		{"minimum top-up at the first minute's rate", "wvc", pricing.ClassOfficer, "2026-12-23 23:30", "2026-12-24 00:30", false,
			[]chargeLine{{"regular", 90, "57.00", "85.50", "75.00"}, {"holiday", 30, "85.50", "42.75", "37.50"}}},
		{"emergency: every hour", "wvc", pricing.ClassOfficer, "2026-12-08 10:00", "2026-12-08 14:00", true,
			[]chargeLine{{"emergency", 240, "85.50", "342.00", "300.00"}}},
		{"emergency supervisor over a holiday midnight: one line", "wvc", pricing.ClassSupervisor, "2026-12-24 22:00", "2026-12-25 01:00", true,
			[]chargeLine{{"emergency", 180, "85.50", "256.50", "225.00"}}},
		{"spring forward: real time", "wvc", pricing.ClassOfficer, "2027-03-14 00:00", "2027-03-14 04:00", false,
			[]chargeLine{{"regular", 180, "57.00", "171.00", "150.00"}}},
		{"fall back: real time", "wvc", pricing.ClassOfficer, "2026-11-01 00:00", "2026-11-01 03:00", false,
			[]chargeLine{{"regular", 240, "57.00", "228.00", "200.00"}}},
		{"Grantsville holiday: regular applies", "gv", pricing.ClassOfficer, "2026-12-25 10:00", "2026-12-25 13:00", false,
			[]chargeLine{{"regular", 180, "60.00", "180.00", "160.50"}}},
		{"Grantsville has no emergency rate", "gv", pricing.ClassOfficer, "2026-12-08 10:00", "2026-12-08 13:00", true,
			[]chargeLine{{"regular", 180, "60.00", "180.00", "160.50"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := wvc(t)
			if c.agency == "gv" {
				a = gv(t)
			}
			got := a.ChargeShift(c.class, at(t, c.start), at(t, c.end), c.emergency)
			if len(got) != len(c.want) {
				t.Fatalf("%d lines %+v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				l := got[i]
				if l.Class != c.class || l.Count != 1 || l.Basis != w.basis || l.Minutes != w.minutes {
					t.Errorf("line %d = %s %s x%d %d min, want %s %d min", i, l.Class, l.Basis, l.Count, l.Minutes, w.basis, w.minutes)
				}
				checkMoney(t, "rate", l.Rate.Total, w.rate)
				checkMoney(t, "amount", l.Amount, w.amount)
				checkMoney(t, "officer pay", l.OfficerPay, w.officer)
				checkMoney(t, "admin fee", l.AdminFee, dec(w.amount).Sub(dec(w.officer)).StringFixed(2))
			}
		})
	}
	if got := wvc(t).ChargeShift(pricing.ClassOfficer, at(t, "2026-12-08 10:00"), at(t, "2026-12-08 10:00"), false); got != nil {
		t.Errorf("empty interval charged %+v", got)
	}
}

// ChargeShift bills a shift exactly as a one-officer quote of it does.
func TestChargeShiftMatchesQuote(t *testing.T) {
	a := wvc(t)
	for _, s := range [][2]string{
		{"2026-12-08 10:00", "2026-12-08 14:00"},
		{"2026-12-23 23:30", "2026-12-24 00:30"},
		{"2026-12-31 20:00", "2027-01-01 06:00"},
		{"2027-01-01 22:00", "2027-01-02 03:15"},
		{"2027-03-13 22:00", "2027-03-14 05:00"},
	} {
		for _, received := range []string{"2026-11-01 09:00", "2026-12-07 09:00"} { // regular, then short notice
			q, err := a.Quote(pricing.Request{Start: at(t, s[0]), End: at(t, s[1]), Officers: 1, Venue: pricing.VenueGeneral, Received: at(t, received)})
			if err != nil {
				t.Fatal(err)
			}
			got := a.ChargeShift(pricing.ClassOfficer, q.Start, q.End, q.Emergency)
			total := pricing.Sum()
			for _, l := range got {
				total = total.Add(l.Amount)
			}
			if !total.Equal(q.Total) || len(got) != len(q.Lines) {
				t.Errorf("%s-%s received %s: charged %s in %d lines, quoted %s in %d", s[0], s[1], received, total, len(got), q.Total, len(q.Lines))
			}
		}
	}
}

func TestChargeVehicles(t *testing.T) {
	a := wvc(t)
	l, ok := a.ChargeVehicles(2, 240)
	if !ok || l.Class != pricing.ClassVehicle || l.Count != 2 || l.Minutes != 240 {
		t.Fatalf("2 vehicles 4 h = %+v, %v", l, ok)
	}
	checkMoney(t, "2 vehicles 4 h", l.Amount, "9.12") // 1.14 x 2 x 4
	checkMoney(t, "officer share", l.OfficerPay, "8.00")
	checkMoney(t, "admin", l.AdminFee, "1.12")
	l, _ = a.ChargeVehicles(1, 133) // 1.14 x 133 / 60 = 2.527 -> 2.53; 1.00 x 133 / 60 = 2.2166 -> 2.22
	checkMoney(t, "1 vehicle 2 h 13", l.Amount, "2.53")
	checkMoney(t, "its officer share", l.OfficerPay, "2.22")
	l, _ = a.ChargeVehicles(1, 60) // the minimum
	if l.Minutes != 120 {
		t.Errorf("1 h of vehicle billed %d min, want the 2 h minimum", l.Minutes)
	}
	if _, ok := a.ChargeVehicles(0, 240); ok {
		t.Error("no vehicles charged")
	}
	if _, ok := gv(t).ChargeVehicles(1, 240); ok {
		t.Error("Grantsville charged a vehicle it does not offer")
	}
}

func TestBilledInterval(t *testing.T) {
	start, end := at(t, "2026-12-08 10:00"), at(t, "2026-12-08 14:00")
	for _, c := range []struct {
		name, in, out, attendance string
		from, to                  string
		ok                        bool
	}{
		{"as scheduled", "2026-12-08 09:55", "2026-12-08 14:00", pricing.AttendanceNone, "2026-12-08 10:00", "2026-12-08 14:00", true},
		{"released early: the full shift", "2026-12-08 10:00", "2026-12-08 11:00", pricing.AttendanceReleasedEarly, "2026-12-08 10:00", "2026-12-08 14:00", true},
		{"held over: check-in to check-out", "2026-12-08 09:50", "2026-12-08 15:10", pricing.AttendanceHeldOver, "2026-12-08 09:50", "2026-12-08 15:10", true},
		{"held over, no check-in: from the start", "", "2026-12-08 15:10", pricing.AttendanceHeldOver, "2026-12-08 10:00", "2026-12-08 15:10", true},
		{"held over, no check-out: the shift", "2026-12-08 10:00", "", pricing.AttendanceHeldOver, "2026-12-08 10:00", "2026-12-08 14:00", true},
		{"no-show: nothing", "", "", pricing.AttendanceNoShow, "", "", false},
	} {
		var in, out time.Time
		if c.in != "" {
			in = at(t, c.in)
		}
		if c.out != "" {
			out = at(t, c.out)
		}
		from, to, ok := pricing.BilledInterval(start, end, in, out, c.attendance)
		if ok != c.ok || (ok && (!from.Equal(at(t, c.from)) || !to.Equal(at(t, c.to)))) {
			t.Errorf("%s: %v-%v %v, want %s-%s %v", c.name, from.In(denver), to.In(denver), ok, c.from, c.to, c.ok)
		}
	}
}

func TestPeriod(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		cycle string
		day   time.Time
		from  string
		to    string // exclusive
	}{
		{pricing.CycleWeekly, day("2026-11-26"), "2026-11-23", "2026-11-30"}, // Thursday: Monday to Sunday
		{pricing.CycleWeekly, day("2026-11-23"), "2026-11-23", "2026-11-30"}, // a Monday starts its week
		{pricing.CycleWeekly, day("2026-11-29"), "2026-11-23", "2026-11-30"}, // a Sunday ends it
		{pricing.CycleWeekly, day("2027-01-01"), "2026-12-28", "2027-01-04"}, // across the new year
		// Only the civil date counts: 23:30 on Sunday in Denver is Monday in UTC.
		{pricing.CycleWeekly, at(t, "2026-11-29 23:30"), "2026-11-23", "2026-11-30"},
		// Two weeks from Monday 1 Jan 2024: 1,050 days (75 periods) to 16 Nov 2026.
		{pricing.CycleBiweekly, day("2026-11-26"), "2026-11-16", "2026-11-30"},
		{pricing.CycleBiweekly, day("2026-11-30"), "2026-11-30", "2026-12-14"},
		{pricing.CycleBiweekly, day("2024-01-01"), "2024-01-01", "2024-01-15"},
		{pricing.CycleBiweekly, day("2023-12-31"), "2023-12-18", "2024-01-01"}, // before the anchor
		{pricing.CycleMonthly, day("2026-12-31"), "2026-12-01", "2027-01-01"},
		{pricing.CycleMonthly, day("2028-02-29"), "2028-02-01", "2028-03-01"},
	} {
		from, to, err := pricing.Period(c.cycle, c.day)
		if err != nil || from.Format("2006-01-02") != c.from || to.Format("2006-01-02") != c.to {
			t.Errorf("Period(%s, %s) = %s to %s, %v; want %s to %s", c.cycle, c.day.Format("2006-01-02 15:04 MST"),
				from.Format("2006-01-02"), to.Format("2006-01-02"), err, c.from, c.to)
		}
	}
	if _, _, err := pricing.Period("quarterly", day("2026-11-26")); err == nil || !strings.Contains(err.Error(), "quarterly") {
		t.Errorf("unknown cycle: %v", err)
	}

	// Pay periods from any anchor, forwards and backwards.
	anchor := day("2026-01-05")
	for _, c := range []struct {
		days     int
		day      string
		from, to string
	}{
		{14, "2026-01-05", "2026-01-05", "2026-01-19"},
		{14, "2026-01-18", "2026-01-05", "2026-01-19"},
		{14, "2026-12-09", "2026-12-07", "2026-12-21"}, // 338 days: 24 periods
		{14, "2026-01-04", "2025-12-22", "2026-01-05"},
		{14, "2025-12-22", "2025-12-22", "2026-01-05"},
		{7, "2026-12-09", "2026-12-07", "2026-12-14"},
		{1, "2026-12-09", "2026-12-09", "2026-12-10"},
	} {
		from, to, err := pricing.PeriodFrom(anchor, c.days, day(c.day))
		if err != nil || from.Format("2006-01-02") != c.from || to.Format("2006-01-02") != c.to {
			t.Errorf("PeriodFrom(%d days, %s) = %s to %s, %v; want %s to %s", c.days, c.day, from.Format("2006-01-02"), to.Format("2006-01-02"), err, c.from, c.to)
		}
	}
	if _, _, err := pricing.PeriodFrom(anchor, 0, anchor); err == nil {
		t.Error("a period of 0 days was accepted")
	}
}

func TestSum(t *testing.T) {
	checkMoney(t, "Sum()", pricing.Sum(), "0")
	checkMoney(t, "Sum(0.10 x 3)", pricing.Sum(dec("0.10"), dec("0.10"), dec("0.10")), "0.30")
}
