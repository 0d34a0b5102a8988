package pricing_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

// wantLine is a hand-computed quote line: rate x count x minutes / 60, rounded
// half up to the cent once per line (RULES.md, Quote 1).
type wantLine struct {
	class   pricing.Class
	basis   string
	count   int
	minutes int
	rate    string // total per hour
	amount  string
	officer string // officer pay of the line; the admin fee is amount - officer
}

type quoteCase struct {
	name     string
	agency   string // slug; "" is West Valley City
	start    string // Denver wall time
	end      string
	officers int
	vehicles int
	venue    pricing.Venue // "" is general
	received string        // Denver wall time; "" is 30 days before the start

	lines       []wantLine
	total       string
	officerPay  string
	elapsed     int // real minutes
	billed      int // per person
	supervisors int
	emergency   bool
	bookable    bool
	refusals    []string // refusal codes, in order
	warnings    []string // substrings that must appear among the warnings (wording of the figures may change)
}

func (c quoteCase) request(t *testing.T) pricing.Request {
	t.Helper()
	start, end := at(t, c.start), at(t, c.end)
	received := start.Add(-30 * 24 * time.Hour)
	if c.received != "" {
		received = at(t, c.received)
	}
	venue := c.venue
	if venue == "" {
		venue = pricing.VenueGeneral
	}
	return pricing.Request{Start: start, End: end, Officers: c.officers, Vehicles: c.vehicles, Venue: venue, Received: received}
}

func (c quoteCase) agencyFor(t *testing.T) *pricing.Agency {
	if c.agency == "" {
		return wvc(t)
	}
	return seedAgency(t, c.agency)
}

// All expected figures below are computed by hand from RULES.md and the
// seed rate cards (WVC 57.00/50.00 regular, 68.40/60.00 supervisor,
// 85.50/75.00 holiday and emergency, 1.14/1.00 vehicle; Grantsville
// 60.00/53.50 regular only).
var quoteCases = []quoteCase{
	{
		name:  "midnight split into Christmas Eve",
		start: "2026-12-23 22:00", end: "2026-12-24 02:00", officers: 2,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 2, 120, "57.00", "228.00", "200.00"}, // 2 x 2 h x 57.00
			{pricing.ClassOfficer, "holiday", 2, 120, "85.50", "342.00", "300.00"}, // 2 x 2 h x 85.50
		},
		total: "570.00", officerPay: "500.00", elapsed: 240, billed: 240, bookable: true,
		warnings: []string{"holiday rate: Christmas Eve"},
	},
	{
		name:  "midnight split out of Christmas Day",
		start: "2026-12-25 22:00", end: "2026-12-26 02:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 1, 120, "85.50", "171.00", "150.00"},
			{pricing.ClassOfficer, "regular", 1, 120, "57.00", "114.00", "100.00"},
		},
		total: "285.00", officerPay: "250.00", elapsed: 240, billed: 240, bookable: true,
		warnings: []string{"holiday rate: Christmas Day"},
	},
	{
		name:  "Christmas Eve into Christmas Day merges into one holiday line",
		start: "2026-12-24 20:00", end: "2026-12-25 04:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 1, 480, "85.50", "684.00", "600.00"}, // 8 h x 85.50
		},
		total: "684.00", officerPay: "600.00", elapsed: 480, billed: 480, bookable: true,
		warnings: []string{"holiday rate: Christmas Eve", "holiday rate: Christmas Day"},
	},
	{
		name:  "day after Thanksgiving into an ordinary Saturday",
		start: "2026-11-27 20:00", end: "2026-11-28 02:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 1, 240, "85.50", "342.00", "300.00"},
			{pricing.ClassOfficer, "regular", 1, 120, "57.00", "114.00", "100.00"},
		},
		total: "456.00", officerPay: "400.00", elapsed: 360, billed: 360, bookable: true,
		warnings: []string{"holiday rate: Day after Thanksgiving"},
	},
	{
		name:  "spring forward night is 7 real hours",
		start: "2027-03-13 22:00", end: "2027-03-14 06:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 420, "57.00", "399.00", "350.00"}, // 7 h x 57.00
		},
		total: "399.00", officerPay: "350.00", elapsed: 420, billed: 420, bookable: true,
		warnings: []string{"clock change"},
	},
	{
		name:  "fall back night is 9 real hours",
		start: "2026-10-31 22:00", end: "2026-11-01 06:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 540, "57.00", "513.00", "450.00"}, // 9 h x 57.00
		},
		total: "513.00", officerPay: "450.00", elapsed: 540, billed: 540, bookable: true,
		warnings: []string{"clock change"},
	},
	{
		name:  "exactly 72 h notice is not an emergency",
		start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 5, vehicles: 1, received: "2026-06-07 10:00",
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 5, 240, "57.00", "1140.00", "1000.00"},
			{pricing.ClassSupervisor, "supervisor", 1, 240, "68.40", "273.60", "240.00"},
			{pricing.ClassVehicle, "vehicle", 1, 240, "1.14", "4.56", "4.00"},
		},
		total: "1418.16", officerPay: "1244.00", elapsed: 240, billed: 240, supervisors: 1, bookable: true,
		warnings: []string{"supervisor added: 5 or more officers"},
	},
	{
		name:  "71 h 59 min notice is an emergency, supervisor too, vehicles stay 1.14",
		start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 5, vehicles: 1, received: "2026-06-07 10:01",
		lines: []wantLine{
			{pricing.ClassOfficer, "emergency", 5, 240, "85.50", "1710.00", "1500.00"},
			{pricing.ClassSupervisor, "emergency", 1, 240, "85.50", "342.00", "300.00"},
			{pricing.ClassVehicle, "vehicle", 1, 240, "1.14", "4.56", "4.00"},
		},
		total: "2056.56", officerPay: "1804.00", elapsed: 240, billed: 240, supervisors: 1, emergency: true, bookable: true,
		warnings: []string{"emergency rate: received 71 h 59 min before start, 72 h required"},
	},
	{
		name:  "received after the start is an emergency",
		start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 1, received: "2026-06-10 11:00",
		lines: []wantLine{
			{pricing.ClassOfficer, "emergency", 1, 240, "85.50", "342.00", "300.00"},
		},
		total: "342.00", officerPay: "300.00", elapsed: 240, billed: 240, emergency: true, bookable: true,
		warnings: []string{"received 1 h after start"},
	},
	{
		name:  "received at the start is an emergency",
		start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 1, received: "2026-06-10 10:00",
		lines: []wantLine{
			{pricing.ClassOfficer, "emergency", 1, 240, "85.50", "342.00", "300.00"},
		},
		total: "342.00", officerPay: "300.00", elapsed: 240, billed: 240, emergency: true, bookable: true,
		warnings: []string{"received at the start"},
	},
	{
		name:  "emergency on a holiday with a vehicle: no uplift on the vehicle",
		start: "2026-12-24 10:00", end: "2026-12-24 14:00", officers: 1, vehicles: 1, received: "2026-12-23 10:00",
		lines: []wantLine{
			{pricing.ClassOfficer, "emergency", 1, 240, "85.50", "342.00", "300.00"},
			{pricing.ClassVehicle, "vehicle", 1, 240, "1.14", "4.56", "4.00"},
		},
		total: "346.56", officerPay: "304.00", elapsed: 240, billed: 240, emergency: true, bookable: true,
	},
	{
		name:   "Grantsville 23 h 59 min notice is refused",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 2, received: "2026-06-09 10:01",
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 2, 240, "60.00", "480.00", "428.00"}, // 2 x 4 h x 53.50 = 428.00
		},
		total: "480.00", officerPay: "428.00", elapsed: 240, billed: 240, bookable: false,
		refusals: []string{"short-notice"},
	},
	{
		name:   "Grantsville exactly 24 h notice is fine",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 14:00", officers: 2, received: "2026-06-09 10:00",
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 2, 240, "60.00", "480.00", "428.00"},
		},
		total: "480.00", officerPay: "428.00", elapsed: 240, billed: 240, bookable: true,
	},
	{
		name:   "Grantsville has no holiday rate: regular applies and says so",
		agency: "grantsville", start: "2026-12-25 10:00", end: "2026-12-25 14:00", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 240, "60.00", "240.00", "214.00"},
		},
		total: "240.00", officerPay: "214.00", elapsed: 240, billed: 240, bookable: true,
		warnings: []string{"holiday: Christmas Day", "Grantsville PD has no holiday rate, regular applies"},
	},
	{
		name:  "minimum with a split shift: top-up at the first minute's rate (regular)",
		start: "2026-12-23 23:00", end: "2026-12-24 00:30", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 90, "57.00", "85.50", "75.00"}, // 60 min worked + 30 min top-up
			{pricing.ClassOfficer, "holiday", 1, 30, "85.50", "42.75", "37.50"},
		},
		total: "128.25", officerPay: "112.50", elapsed: 90, billed: 120, bookable: true,
		warnings: []string{"2-hour minimum applied"},
	},
	{
		name:  "minimum with a split shift: top-up at the first minute's rate (holiday)",
		start: "2026-12-25 23:30", end: "2026-12-26 00:30", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 1, 90, "85.50", "128.25", "112.50"}, // 30 min worked + 60 min top-up
			{pricing.ClassOfficer, "regular", 1, 30, "57.00", "28.50", "25.00"},
		},
		total: "156.75", officerPay: "137.50", elapsed: 60, billed: 120, bookable: true,
		warnings: []string{"2-hour minimum applied"},
	},
	{
		name:  "4 officers: no supervisor",
		start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 4,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 4, 180, "57.00", "684.00", "600.00"},
		},
		total: "684.00", officerPay: "600.00", elapsed: 180, billed: 180, bookable: true,
	},
	{
		name:  "5 officers: one supervisor on top",
		start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 5,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 5, 180, "57.00", "855.00", "750.00"},
			{pricing.ClassSupervisor, "supervisor", 1, 180, "68.40", "205.20", "180.00"},
		},
		total: "1060.20", officerPay: "930.00", elapsed: 180, billed: 180, supervisors: 1, bookable: true,
		warnings: []string{"supervisor added: 5 or more officers"},
	},
	{
		name:   "Grantsville never adds a supervisor, even at 10 officers",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 10,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 10, 180, "60.00", "1800.00", "1605.00"},
		},
		total: "1800.00", officerPay: "1605.00", elapsed: 180, billed: 180, bookable: true,
	},
	{
		name:  "vehicles billed for the minimum too",
		start: "2026-06-10 10:00", end: "2026-06-10 11:00", officers: 1, vehicles: 2,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 120, "57.00", "114.00", "100.00"},
			{pricing.ClassVehicle, "vehicle", 2, 120, "1.14", "4.56", "4.00"}, // 2 x 2 h x 1.14
		},
		total: "118.56", officerPay: "104.00", elapsed: 60, billed: 120, bookable: true,
	},
	{
		name:  "5 officers, 6 h holiday, a vehicle: supervisor at the holiday rate",
		start: "2026-12-25 08:00", end: "2026-12-25 14:00", officers: 5, vehicles: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 5, 360, "85.50", "2565.00", "2250.00"},
			{pricing.ClassSupervisor, "holiday", 1, 360, "85.50", "513.00", "450.00"},
			{pricing.ClassVehicle, "vehicle", 1, 360, "1.14", "6.84", "6.00"},
		},
		total: "3084.84", officerPay: "2706.00", elapsed: 360, billed: 360, supervisors: 1, bookable: true,
	},
	{
		name:  "a full 24 h over New Year's Eve and Day, 5 officers, 2 vehicles",
		start: "2026-12-31 12:00", end: "2027-01-01 12:00", officers: 5, vehicles: 2,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 5, 1440, "85.50", "10260.00", "9000.00"},
			{pricing.ClassSupervisor, "holiday", 1, 1440, "85.50", "2052.00", "1800.00"},
			{pricing.ClassVehicle, "vehicle", 2, 1440, "1.14", "54.72", "48.00"},
		},
		total: "12366.72", officerPay: "10848.00", elapsed: 1440, billed: 1440, supervisors: 1, bookable: true,
		warnings: []string{"holiday rate: New Year's Eve", "holiday rate: New Year's Day"},
	},
	{
		name:  "supervisor split at midnight into a holiday",
		start: "2026-12-23 21:00", end: "2026-12-24 01:00", officers: 5,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 5, 180, "57.00", "855.00", "750.00"},
			{pricing.ClassOfficer, "holiday", 5, 60, "85.50", "427.50", "375.00"},
			{pricing.ClassSupervisor, "supervisor", 1, 180, "68.40", "205.20", "180.00"},
			{pricing.ClassSupervisor, "holiday", 1, 60, "85.50", "85.50", "75.00"},
		},
		total: "1573.20", officerPay: "1380.00", elapsed: 240, billed: 240, supervisors: 1, bookable: true,
	},

	// Rounding: once per line, half up.
	{
		name:  "2 h 07 min x 3 officers at 57.00",
		start: "2026-06-10 10:00", end: "2026-06-10 12:07", officers: 3,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 3, 127, "57.00", "361.95", "317.50"}, // 3 x 127/60 x 57 = 361.95; x 50 = 317.50
		},
		total: "361.95", officerPay: "317.50", elapsed: 127, billed: 127, bookable: true,
	},
	{
		name:  "holiday 2 h 01 min x 3: per line 517.275 -> 517.28 (per officer would be 3 x 172.43 = 517.29)",
		start: "2026-12-24 10:00", end: "2026-12-24 12:01", officers: 3,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 3, 121, "85.50", "517.28", "453.75"},
		},
		total: "517.28", officerPay: "453.75", elapsed: 121, billed: 121, bookable: true,
	},
	{
		name:  "half up at exactly .005: 121/60 x 85.50 = 172.425 -> 172.43",
		start: "2026-12-24 10:00", end: "2026-12-24 12:01", officers: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "holiday", 1, 121, "85.50", "172.43", "151.25"},
		},
		total: "172.43", officerPay: "151.25", elapsed: 121, billed: 121, bookable: true,
	},
	{
		name:  "vehicle half up: 125/60 x 1.14 = 2.375 -> 2.38, officer share 2.0833 -> 2.08",
		start: "2026-06-10 10:00", end: "2026-06-10 12:05", officers: 1, vehicles: 1,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 125, "57.00", "118.75", "104.17"}, // 50 x 125/60 = 104.1666...
			{pricing.ClassVehicle, "vehicle", 1, 125, "1.14", "2.38", "2.08"},
		},
		total: "121.13", officerPay: "106.25", elapsed: 125, billed: 125, bookable: true,
	},
	{
		name:  "3 vehicles x 127 min: per line 7.239 -> 7.24 (per vehicle would be 3 x 2.41 = 7.23)",
		start: "2026-06-10 10:00", end: "2026-06-10 12:07", officers: 1, vehicles: 3,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 1, 127, "57.00", "120.65", "105.83"},
			{pricing.ClassVehicle, "vehicle", 3, 127, "1.14", "7.24", "6.35"},
		},
		total: "127.89", officerPay: "112.18", elapsed: 127, billed: 127, bookable: true,
	},
	{
		name:  "7 officers x 2 h 01 min: officer share 705.8333 -> 705.83 (per officer 7 x 100.83 = 705.81)",
		start: "2026-06-10 10:00", end: "2026-06-10 12:01", officers: 7,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 7, 121, "57.00", "804.65", "705.83"},       // 7 x 121 x 57 / 60 = 804.65
			{pricing.ClassSupervisor, "supervisor", 1, 121, "68.40", "137.94", "121.00"}, // 121 x 68.40 / 60 = 137.94
		},
		total: "942.59", officerPay: "826.83", elapsed: 121, billed: 121, supervisors: 1, bookable: true,
	},
	{
		name:   "Grantsville 7 officers x 2 h 01 min: officer share 755.2416 -> 755.24 (per officer 755.23)",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 12:01", officers: 7,
		lines: []wantLine{
			{pricing.ClassOfficer, "regular", 7, 121, "60.00", "847.00", "755.24"},
		},
		total: "847.00", officerPay: "755.24", elapsed: 121, billed: 121, bookable: true,
	},

	// Actual dates, not observed ones; Juneteenth and Columbus Day are not on the list.
	{
		name:  "Juneteenth 2026 is regular",
		start: "2026-06-19 10:00", end: "2026-06-19 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 240, "57.00", "228.00", "200.00"}},
		total: "228.00", officerPay: "200.00", elapsed: 240, billed: 240, bookable: true,
	},
	{
		name:  "Columbus Day 2026 is regular",
		start: "2026-10-12 10:00", end: "2026-10-12 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 240, "57.00", "228.00", "200.00"}},
		total: "228.00", officerPay: "200.00", elapsed: 240, billed: 240, bookable: true,
	},
	{
		name:  "Independence Day 2026 falls on a Saturday and is still the holiday",
		start: "2026-07-04 10:00", end: "2026-07-04 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "holiday", 1, 240, "85.50", "342.00", "300.00"}},
		total: "342.00", officerPay: "300.00", elapsed: 240, billed: 240, bookable: true,
		warnings: []string{"holiday rate: Independence Day"},
	},
	{
		name:  "Friday 2026-07-03 (the observed day) is regular",
		start: "2026-07-03 10:00", end: "2026-07-03 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 240, "57.00", "228.00", "200.00"}},
		total: "228.00", officerPay: "200.00", elapsed: 240, billed: 240, bookable: true,
	},
	{
		name:  "Monday 2027-12-27 (observed Christmas) is regular",
		start: "2027-12-27 10:00", end: "2027-12-27 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 240, "57.00", "228.00", "200.00"}},
		total: "228.00", officerPay: "200.00", elapsed: 240, billed: 240, bookable: true,
	},
	{
		name:  "Christmas 2027 is a Saturday and is the holiday",
		start: "2027-12-25 10:00", end: "2027-12-25 14:00", officers: 1,
		lines: []wantLine{{pricing.ClassOfficer, "holiday", 1, 240, "85.50", "342.00", "300.00"}},
		total: "342.00", officerPay: "300.00", elapsed: 240, billed: 240, bookable: true,
	},

	// Prohibited venues: refused with the rule quoted, figures still priced.
	{
		name:  "WVC alcohol-focused venue",
		start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 1, venue: pricing.VenueAlcohol,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 180, "57.00", "171.00", "150.00"}},
		total: "171.00", officerPay: "150.00", elapsed: 180, billed: 180, bookable: false,
		refusals: []string{"prohibited-venue"},
	},
	{
		name:   "Grantsville labor dispute",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 1, venue: pricing.VenueLaborDispute,
		lines: []wantLine{{pricing.ClassOfficer, "regular", 1, 180, "60.00", "180.00", "160.50"}},
		total: "180.00", officerPay: "160.50", elapsed: 180, billed: 180, bookable: false,
		refusals: []string{"prohibited-venue"},
	},
	{
		name:   "Grantsville labor dispute at short notice: two refusals",
		agency: "grantsville", start: "2026-06-10 10:00", end: "2026-06-10 13:00", officers: 1, venue: pricing.VenueLaborDispute,
		received: "2026-06-10 09:00",
		lines:    []wantLine{{pricing.ClassOfficer, "regular", 1, 180, "60.00", "180.00", "160.50"}},
		total:    "180.00", officerPay: "160.50", elapsed: 180, billed: 180, bookable: false,
		refusals: []string{"prohibited-venue", "short-notice"},
	},
}

func TestQuoteTable(t *testing.T) {
	for _, c := range quoteCases {
		t.Run(c.name, func(t *testing.T) {
			a := c.agencyFor(t)
			req := c.request(t)
			q, err := a.Quote(req)
			if err != nil {
				t.Fatalf("Quote: %v", err)
			}
			if len(q.Lines) != len(c.lines) {
				t.Fatalf("got %d lines, want %d:\n%s", len(q.Lines), len(c.lines), dumpLines(q))
			}
			for i, w := range c.lines {
				l := q.Lines[i]
				if l.Class != w.class || l.Basis != w.basis || l.Count != w.count || l.Minutes != w.minutes {
					t.Errorf("line %d = %s %s x%d %d min, want %s %s x%d %d min", i, l.Class, l.Basis, l.Count, l.Minutes, w.class, w.basis, w.count, w.minutes)
				}
				checkMoney(t, "line "+strconv.Itoa(i)+" rate", l.Rate.Total, w.rate)
				checkMoney(t, "line "+strconv.Itoa(i)+" amount", l.Amount, w.amount)
				checkMoney(t, "line "+strconv.Itoa(i)+" officer pay", l.OfficerPay, w.officer)
				checkMoney(t, "line "+strconv.Itoa(i)+" admin fee", l.AdminFee, dec(w.amount).Sub(dec(w.officer)).StringFixed(2))
			}
			checkMoney(t, "total", q.Total, c.total)
			checkMoney(t, "officer pay", q.OfficerPay, c.officerPay)
			checkMoney(t, "admin fee", q.AdminFee, dec(c.total).Sub(dec(c.officerPay)).StringFixed(2))
			if q.ElapsedMinutes != c.elapsed || q.BilledMinutes != c.billed {
				t.Errorf("elapsed/billed = %d/%d, want %d/%d", q.ElapsedMinutes, q.BilledMinutes, c.elapsed, c.billed)
			}
			if q.MinimumTop != c.billed-c.elapsed {
				t.Errorf("MinimumTop = %d, want %d", q.MinimumTop, c.billed-c.elapsed)
			}
			if q.Supervisors != c.supervisors {
				t.Errorf("supervisors = %d, want %d", q.Supervisors, c.supervisors)
			}
			if q.Emergency != c.emergency {
				t.Errorf("emergency = %v, want %v", q.Emergency, c.emergency)
			}
			if q.Bookable != c.bookable {
				t.Errorf("bookable = %v, want %v (refusals %v)", q.Bookable, c.bookable, q.Refusals)
			}
			var codes []string
			for _, r := range q.Refusals {
				codes = append(codes, r.Code)
			}
			if strings.Join(codes, ",") != strings.Join(c.refusals, ",") {
				t.Errorf("refusals = %v, want %v", codes, c.refusals)
			}
			all := strings.Join(q.Warnings, "\n")
			for _, w := range c.warnings {
				if !strings.Contains(all, w) {
					t.Errorf("warnings lack %q:\n%s", w, all)
				}
			}
			if q.Officers != c.officers || q.Vehicles != c.vehicles || q.Agency != a.Slug || q.AgencyName != a.Name {
				t.Errorf("echo: officers %d vehicles %d agency %s/%s", q.Officers, q.Vehicles, q.Agency, q.AgencyName)
			}
			if q.Start.Location() != a.Zone || q.End.Location() != a.Zone || q.Received.Location() != a.Zone {
				t.Errorf("times not in the agency zone: %v %v %v", q.Start.Location(), q.End.Location(), q.Received.Location())
			}
			if want := int(req.Start.Sub(req.Received) / time.Minute); q.NoticeMinutes != want {
				t.Errorf("NoticeMinutes = %d, want %d", q.NoticeMinutes, want)
			}
		})
	}
}

func dumpLines(q *pricing.Quote) string {
	var b strings.Builder
	for _, l := range q.Lines {
		b.WriteString("  " + string(l.Class) + " " + l.Basis + " x" + strconv.Itoa(l.Count) + " " + strconv.Itoa(l.Minutes) + " min @" + l.Rate.Total.String() + " = " + l.Amount.String() + "\n")
	}
	return b.String()
}

func TestQuoteSpansCoverTheShift(t *testing.T) {
	a := wvc(t)
	start, end := at(t, "2026-12-23 21:00"), at(t, "2026-12-24 01:00")
	q, err := a.Quote(pricing.Request{Start: start, End: end, Officers: 5, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	midnight := at(t, "2026-12-24 00:00")
	want := []pricing.Span{
		{Class: pricing.ClassOfficer, Start: start, End: midnight, Basis: "regular"},
		{Class: pricing.ClassOfficer, Start: midnight, End: end, Basis: "holiday", Holiday: "Christmas Eve"},
		{Class: pricing.ClassSupervisor, Start: start, End: midnight, Basis: "supervisor"},
		{Class: pricing.ClassSupervisor, Start: midnight, End: end, Basis: "holiday", Holiday: "Christmas Eve"},
	}
	if len(q.Spans) != len(want) {
		t.Fatalf("got %d spans, want %d", len(q.Spans), len(want))
	}
	wantMin := []int{180, 60, 180, 60}
	wantRate := []string{"57.00", "85.50", "68.40", "85.50"}
	for i, w := range want {
		s := q.Spans[i]
		if s.Class != w.Class || !s.Start.Equal(w.Start) || !s.End.Equal(w.End) || s.Basis != w.Basis || s.Holiday != w.Holiday {
			t.Errorf("span %d = %+v, want %+v", i, s, w)
		}
		if s.Minutes() != wantMin[i] {
			t.Errorf("span %d minutes = %d, want %d", i, s.Minutes(), wantMin[i])
		}
		checkMoney(t, "span rate", s.Rate.Total, wantRate[i])
	}
}

func TestShortNoticeRefusal(t *testing.T) {
	a := gv(t)
	start := at(t, "2026-06-10 10:00")
	for _, tc := range []struct {
		name     string
		received time.Time
		earliest string
	}{
		{"23 h 59 min", at(t, "2026-06-09 10:01"), "2026-06-10 10:01"},
		{"received after the start", at(t, "2026-06-10 11:00"), "2026-06-11 11:00"},
		{"received with seconds rounds up to the next minute", at(t, "2026-06-09 10:00").Add(30 * time.Second), "2026-06-10 10:01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := a.Quote(pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: tc.received})
			if err != nil {
				t.Fatal(err)
			}
			if q.Bookable || q.Emergency {
				t.Errorf("bookable %v emergency %v, want false false", q.Bookable, q.Emergency)
			}
			if len(q.Refusals) != 1 || q.Refusals[0].Code != "short-notice" {
				t.Fatalf("refusals = %+v", q.Refusals)
			}
			want := at(t, tc.earliest)
			if !q.EarliestStart.Equal(want) {
				t.Errorf("EarliestStart = %v, want %v", q.EarliestStart, want)
			}
			if q.EarliestStart.Location() != a.Zone {
				t.Errorf("EarliestStart zone %v", q.EarliestStart.Location())
			}
			msg := q.Refusals[0].Message
			for _, s := range []string{"24 h required", "Grantsville PD has no emergency rate", "earliest acceptable start " + want.Format("Mon 02 Jan 2006 15:04")} {
				if !strings.Contains(msg, s) {
					t.Errorf("refusal %q lacks %q", msg, s)
				}
			}
			// A request received at that time for the earliest start is accepted.
			q2, err := a.Quote(pricing.Request{Start: q.EarliestStart, End: q.EarliestStart.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: tc.received})
			if err != nil {
				t.Fatal(err)
			}
			if !q2.Bookable {
				t.Errorf("earliest start %v not bookable: %+v", q.EarliestStart, q2.Refusals)
			}
		})
	}
	// Exactly 24 h: no refusal, no EarliestStart.
	q, err := a.Quote(pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: start.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Bookable || !q.EarliestStart.IsZero() || len(q.Refusals) != 0 {
		t.Errorf("24 h notice: bookable %v earliest %v refusals %v", q.Bookable, q.EarliestStart, q.Refusals)
	}
}

// The 72 h window is real elapsed time: across the spring-forward night,
// 72 wall-clock hours are only 71 real hours.
func TestNoticeIsRealTime(t *testing.T) {
	a := wvc(t)
	start := at(t, "2027-03-15 10:00")
	for _, tc := range []struct {
		received  string
		emergency bool
	}{
		{"2027-03-12 10:00", true},  // 72 h on the clock, 71 h real
		{"2027-03-12 09:00", false}, // 72 h real
	} {
		q, err := a.Quote(pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueGeneral, Received: at(t, tc.received)})
		if err != nil {
			t.Fatal(err)
		}
		if q.Emergency != tc.emergency {
			t.Errorf("received %s: emergency %v, want %v (notice %d min)", tc.received, q.Emergency, tc.emergency, q.NoticeMinutes)
		}
	}
}

func TestProhibitedVenues(t *testing.T) {
	rules := map[string]map[pricing.Venue]string{
		"west-valley-city": {
			pricing.VenueAlcohol:  "Where alcoholic beverages are dispensed and/or consumed and are the main focus of the business.",
			pricing.VenueGambling: "Any business where any activity is of an illegal or gambling based nature.",
			pricing.VenueIllegal:  "Any business where any activity is of an illegal or gambling based nature.",
		},
		"grantsville": {
			pricing.VenueLaborDispute: "No officer may engage in such outside employment during or at the site of a strike, lockout, picket, or other physical demonstration of a labor dispute.",
		},
	}
	totals := map[string]string{"west-valley-city": "171.00", "grantsville": "180.00"} // 3 h x 57.00, 3 h x 60.00
	for slug, prohibited := range rules {
		a := seedAgency(t, slug)
		for _, v := range pricing.Venues {
			t.Run(slug+"/"+string(v), func(t *testing.T) {
				start := at(t, "2026-06-10 10:00")
				q, err := a.Quote(pricing.Request{Start: start, End: start.Add(3 * time.Hour), Officers: 1, Venue: v, Received: start.Add(-720 * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				checkMoney(t, "total", q.Total, totals[slug])
				rule, banned := prohibited[v]
				if q.Bookable == banned {
					t.Fatalf("bookable = %v for %s", q.Bookable, v)
				}
				if !banned {
					if len(q.Refusals) != 0 {
						t.Errorf("refusals %v", q.Refusals)
					}
					return
				}
				if len(q.Refusals) != 1 || q.Refusals[0].Code != "prohibited-venue" {
					t.Fatalf("refusals = %+v", q.Refusals)
				}
				msg := q.Refusals[0].Message
				if !strings.Contains(msg, `"`+rule+`"`) {
					t.Errorf("refusal %q does not quote the rule %q", msg, rule)
				}
				if !strings.Contains(msg, a.Name) || !strings.Contains(msg, v.Label()) {
					t.Errorf("refusal %q lacks the agency or venue", msg)
				}
			})
		}
		got := a.ProhibitedVenues()
		if len(got) != len(prohibited) {
			t.Errorf("%s ProhibitedVenues = %v", slug, got)
		}
	}
	if got := wvc(t).ProhibitedVenues(); len(got) != 3 || got[0] != pricing.VenueAlcohol || got[1] != pricing.VenueGambling || got[2] != pricing.VenueIllegal {
		t.Errorf("WVC ProhibitedVenues order = %v", got)
	}
}

// A venue spelled differently from its canonical form (as ParseVenue accepts)
// must still be refused where it is prohibited.
func TestProhibitedVenueSpellings(t *testing.T) {
	start := at(t, "2026-06-10 10:00")
	for _, tc := range []struct {
		agency *pricing.Agency
		venue  string
	}{
		{wvc(t), "Alcohol"},
		{wvc(t), " GAMBLING "},
		{gv(t), "labor"},
		{gv(t), "labour-dispute"},
		{gv(t), "labor_dispute"},
	} {
		q, err := tc.agency.Quote(pricing.Request{Start: start, End: start.Add(3 * time.Hour), Officers: 1, Venue: pricing.Venue(tc.venue), Received: start.Add(-720 * time.Hour)})
		if err != nil {
			t.Errorf("%s %q: %v", tc.agency.Slug, tc.venue, err)
			continue
		}
		if q.Bookable || len(q.Refusals) != 1 || q.Refusals[0].Code != "prohibited-venue" {
			t.Errorf("%s venue %q: bookable %v refusals %+v, want a prohibited-venue refusal", tc.agency.Slug, tc.venue, q.Bookable, q.Refusals)
		}
		if canon, _ := pricing.ParseVenue(tc.venue); q.Venue != canon {
			t.Errorf("quote venue %q, want the canonical %q", q.Venue, canon)
		}
	}
}

func TestQuoteInputErrors(t *testing.T) {
	start := at(t, "2026-06-10 10:00")
	base := pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)}
	for _, tc := range []struct {
		name   string
		agency *pricing.Agency
		mod    func(*pricing.Request)
		field  string // "" means valid
	}{
		{"valid", wvc(t), func(r *pricing.Request) {}, ""},
		{"end equals start", wvc(t), func(r *pricing.Request) { r.End = r.Start }, "end"},
		{"end before start", wvc(t), func(r *pricing.Request) { r.End = r.Start.Add(-time.Hour) }, "end"},
		{"exactly 24 h", wvc(t), func(r *pricing.Request) { r.End = r.Start.Add(24 * time.Hour) }, ""},
		{"24 h 01 min", wvc(t), func(r *pricing.Request) { r.End = r.Start.Add(24*time.Hour + time.Minute) }, "hours"},
		{"0 officers", wvc(t), func(r *pricing.Request) { r.Officers = 0 }, "officers"},
		{"-1 officers", wvc(t), func(r *pricing.Request) { r.Officers = -1 }, "officers"},
		{"500 officers", wvc(t), func(r *pricing.Request) { r.Officers = 500 }, ""},
		{"501 officers", wvc(t), func(r *pricing.Request) { r.Officers = 501 }, "officers"},
		{"negative vehicles", wvc(t), func(r *pricing.Request) { r.Vehicles = -1 }, "vehicles"},
		{"500 vehicles", wvc(t), func(r *pricing.Request) { r.Vehicles = 500 }, ""},
		{"501 vehicles", wvc(t), func(r *pricing.Request) { r.Vehicles = 501 }, "vehicles"},
		{"Grantsville vehicles", gv(t), func(r *pricing.Request) { r.Vehicles = 1 }, "vehicles"},
		{"Grantsville no vehicles", gv(t), func(r *pricing.Request) { r.Vehicles = 0 }, ""},
		{"unknown venue", wvc(t), func(r *pricing.Request) { r.Venue = "nightclub" }, "venue"},
		{"empty venue", wvc(t), func(r *pricing.Request) { r.Venue = "" }, "venue"},
		{"no start", wvc(t), func(r *pricing.Request) { r.Start = time.Time{} }, "start"},
		{"no end", wvc(t), func(r *pricing.Request) { r.End = time.Time{} }, "end"},
		{"no received", wvc(t), func(r *pricing.Request) { r.Received = time.Time{} }, "received"},
		{"start off the minute", wvc(t), func(r *pricing.Request) { r.Start = r.Start.Add(time.Second) }, "start"},
		{"end off the minute", wvc(t), func(r *pricing.Request) { r.End = r.End.Add(time.Millisecond) }, "end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.mod(&r)
			q, err := tc.agency.Quote(r)
			if tc.field == "" {
				if err != nil || q == nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one on %q", tc.field)
			}
			if q != nil {
				t.Errorf("quote returned with an error")
			}
			if f := inputField(t, err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
			if err.Error() == "" {
				t.Errorf("empty message")
			}
		})
	}
	_, err := gv(t).Quote(pricing.Request{Start: start, End: start.Add(time.Hour), Officers: 1, Vehicles: 2, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "Grantsville PD does not offer vehicles") {
		t.Errorf("Grantsville vehicles error = %v", err)
	}
}

func TestParseVenue(t *testing.T) {
	for in, want := range map[string]pricing.Venue{
		"":               pricing.VenueGeneral,
		"general":        pricing.VenueGeneral,
		" Retail ":       pricing.VenueRetail,
		"ALCOHOL":        pricing.VenueAlcohol,
		"labor":          pricing.VenueLaborDispute,
		"labor dispute":  pricing.VenueLaborDispute,
		"labour-dispute": pricing.VenueLaborDispute,
		"labor_dispute":  pricing.VenueLaborDispute,
		"labor-dispute":  pricing.VenueLaborDispute,
		"traffic":        pricing.VenueTraffic,
	} {
		got, err := pricing.ParseVenue(in)
		if err != nil || got != want {
			t.Errorf("ParseVenue(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"bar", "nightclub", "alcohol-focused", "general store"} {
		if v, err := pricing.ParseVenue(in); err == nil {
			t.Errorf("ParseVenue(%q) = %q, want an error", in, v)
		} else if !strings.Contains(err.Error(), "labor-dispute") {
			t.Errorf("ParseVenue(%q) error %q does not list the venues", in, err)
		}
	}
	for _, v := range pricing.Venues {
		if got, err := pricing.ParseVenue(string(v)); err != nil || got != v {
			t.Errorf("ParseVenue(%q) = %q, %v", v, got, err)
		}
		if v.Label() == "" {
			t.Errorf("%q has no label", v)
		}
	}
	if pricing.VenueLaborDispute.Label() != "labor dispute (strike, lockout, picket)" {
		t.Errorf("label %q", pricing.VenueLaborDispute.Label())
	}
}

func TestQuoteSnapshotJSON(t *testing.T) {
	a := wvc(t)
	start := at(t, "2026-11-01 01:30") // fall-back: the first 01:30, MDT
	q, err := a.Quote(pricing.Request{Start: start, End: start.Add(2 * time.Hour), Officers: 1, Vehicles: 1, Venue: pricing.VenueEvent, Received: at(t, "2026-10-30 12:00")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	// 37 h 30 min notice: emergency. 2 h x 85.50 = 171.00; vehicle 2 h x 1.14 = 2.28.
	for k, want := range map[string]any{
		"agency": "west-valley-city", "start": "2026-11-01T01:30:00-06:00", "end": "2026-11-01T02:30:00-07:00",
		"received": "2026-10-30T12:00:00-06:00", "total": "173.28", "officer_pay": "152.00", "admin_fee": "21.28",
		"emergency": true, "bookable": true, "elapsed_minutes": float64(120), "billed_minutes": float64(120), "venue": "event",
	} {
		if s[k] != want {
			t.Errorf("%s = %#v, want %#v", k, s[k], want)
		}
	}
	lines := s["lines"].([]any)
	if len(lines) != 2 {
		t.Fatalf("lines %v", lines)
	}
	l0 := lines[0].(map[string]any)
	for k, want := range map[string]any{"class": "officer", "basis": "emergency", "hours": "2.00", "rate": "85.50", "amount": "171.00", "officer_pay": "150.00", "admin_fee": "21.00", "officer_rate": "75.00", "admin_rate": "10.50"} {
		if l0[k] != want {
			t.Errorf("line 0 %s = %#v, want %#v", k, l0[k], want)
		}
	}
	if _, ok := s["earliest_start"]; ok {
		t.Errorf("earliest_start present on a bookable quote")
	}
	if r, ok := s["refusals"].([]any); !ok || len(r) != 0 {
		t.Errorf("refusals = %#v, want []", s["refusals"])
	}

	// A refused Grantsville quote carries its earliest start.
	g := gv(t)
	gs := at(t, "2026-06-10 10:00")
	gq, err := g.Quote(pricing.Request{Start: gs, End: gs.Add(2 * time.Hour), Officers: 1, Venue: pricing.VenueGeneral, Received: at(t, "2026-06-10 08:00")})
	if err != nil {
		t.Fatal(err)
	}
	snap := gq.Snapshot()
	if snap.EarliestStart != "2026-06-11T08:00:00-06:00" || snap.Bookable || len(snap.Refusals) != 1 || snap.Refusals[0].Code != "short-notice" {
		t.Errorf("snapshot earliest %q bookable %v refusals %+v", snap.EarliestStart, snap.Bookable, snap.Refusals)
	}
}

func TestLineHelpers(t *testing.T) {
	l := pricing.Line{Class: pricing.ClassOfficer, Count: 5, Minutes: 127}
	if l.Label() != "5 officers" {
		t.Errorf("Label = %q", l.Label())
	}
	if got := l.Hours().String(); got != "2.1167" {
		t.Errorf("Hours = %s", got)
	}
	l = pricing.Line{Class: pricing.ClassSupervisor, Count: 1, Minutes: 90}
	if l.Label() != "1 supervisor" || l.Hours().String() != "1.5" {
		t.Errorf("Label %q Hours %s", l.Label(), l.Hours())
	}
}

// Below the minimum, one more minute of shift replaces a minute of top-up
// billed at the first minute's rate (RULES.md, Quote 5). Starting on a
// holiday and running into an ordinary day, the longer shift costs less.
func TestMinimumTopUpAcrossARateChange(t *testing.T) {
	a := wvc(t)
	start := at(t, "2026-12-25 23:00")
	for _, tc := range []struct {
		minutes int
		total   string
	}{
		{60, "171.00"},  // 60 min worked + 60 min top-up, all at 85.50
		{61, "170.53"},  // holiday 119 min: 169.575 -> 169.58; regular 1 min: 0.95
		{120, "142.50"}, // 60 min holiday 85.50 + 60 min regular 57.00, no top-up
		{121, "143.45"}, // + 1 min at 57.00
	} {
		q, err := a.Quote(pricing.Request{Start: start, End: start.Add(time.Duration(tc.minutes) * time.Minute), Officers: 1, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		checkMoney(t, strconv.Itoa(tc.minutes)+" min total", q.Total, tc.total)
	}
}
