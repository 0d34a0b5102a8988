package pricing_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

// Hand-computed actual dates (RULES.md, Quote 3), not observed weekdays.
// 2026-01-01 is a Thursday, 2027-01-01 a Friday, 2028-01-01 a Saturday (2028 is a leap year).
var holidayDates = map[string]map[int]string{
	"new-years-eve":          {2026: "12-31", 2027: "12-31", 2028: "12-31"},
	"new-years-day":          {2026: "01-01", 2027: "01-01", 2028: "01-01"},
	"mlk-day":                {2026: "01-19", 2027: "01-18", 2028: "01-17"}, // 3rd Monday of January
	"presidents-day":         {2026: "02-16", 2027: "02-15", 2028: "02-21"}, // 3rd Monday of February
	"memorial-day":           {2026: "05-25", 2027: "05-31", 2028: "05-29"}, // last Monday of May
	"independence-day":       {2026: "07-04", 2027: "07-04", 2028: "07-04"}, // Sat, Sun, Tue: never moved
	"pioneer-day":            {2026: "07-24", 2027: "07-24", 2028: "07-24"},
	"labor-day":              {2026: "09-07", 2027: "09-06", 2028: "09-04"}, // 1st Monday of September
	"veterans-day":           {2026: "11-11", 2027: "11-11", 2028: "11-11"},
	"thanksgiving":           {2026: "11-26", 2027: "11-25", 2028: "11-23"}, // 4th Thursday of November
	"day-after-thanksgiving": {2026: "11-27", 2027: "11-26", 2028: "11-24"},
	"christmas-eve":          {2026: "12-24", 2027: "12-24", 2028: "12-24"},
	"christmas-day":          {2026: "12-25", 2027: "12-25", 2028: "12-25"}, // 2027: a Saturday
}

var holidayWeekday = map[string]time.Weekday{
	"mlk-day": time.Monday, "presidents-day": time.Monday, "memorial-day": time.Monday, "labor-day": time.Monday,
	"thanksgiving": time.Thursday, "day-after-thanksgiving": time.Friday,
}

func TestStandardHolidayDates(t *testing.T) {
	hs := pricing.StandardHolidays()
	if len(hs) != len(holidayDates) {
		t.Fatalf("StandardHolidays has %d entries, RULES.md lists %d", len(hs), len(holidayDates))
	}
	seen := map[string]bool{}
	for _, h := range hs {
		want, ok := holidayDates[h.Key]
		if !ok {
			t.Errorf("unexpected holiday %q (%s)", h.Key, h.Name)
			continue
		}
		seen[h.Key] = true
		if h.Name == "" || h.Rule == "" {
			t.Errorf("%s: name %q rule %q", h.Key, h.Name, h.Rule)
		}
		for year, md := range want {
			m, d, ok := h.Date(year)
			if got := fmt.Sprintf("%02d-%02d", int(m), d); !ok || got != md {
				t.Errorf("%s %d = %s (%v), want %s", h.Key, year, got, ok, md)
				continue
			}
			if wd, ok := holidayWeekday[h.Key]; ok {
				if got := time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Weekday(); got != wd {
					t.Errorf("%s %d is a %s, want a %s", h.Key, year, got, wd)
				}
			}
			if on, ok := pricing.HolidayOn(hs, year, m, d); !ok || on.Key != h.Key {
				t.Errorf("HolidayOn(%d-%s) = %q, %v; want %s", year, md, on.Key, ok, h.Key)
			}
			// A Holiday read back from storage has only its rule; it must give the same date.
			bare := pricing.Holiday{Key: h.Key, Name: h.Name, Rule: h.Rule}
			if bm, bd, ok := bare.Date(year); !ok || bm != m || bd != d {
				t.Errorf("%s %d from its rule alone = %02d-%02d (%v)", h.Key, year, bm, bd, ok)
			}
		}
	}
	for k := range holidayDates {
		if !seen[k] {
			t.Errorf("holiday %q missing from StandardHolidays", k)
		}
	}
	if hs[0].Name != "New Year's Eve" {
		t.Errorf("first holiday %q", hs[0].Name)
	}
}

// Exactly the listed days are holidays in 2026-2028: 13 per year, and none of
// the federal holidays that are not on the list (Juneteenth, Columbus Day) nor
// any observed weekday.
func TestHolidayOnWholeYears(t *testing.T) {
	hs := pricing.StandardHolidays()
	for year := 2026; year <= 2028; year++ {
		want := map[string]bool{}
		for _, byYear := range holidayDates {
			want[byYear[year]] = true
		}
		n := 0
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			_, ok := pricing.HolidayOn(hs, year, d.Month(), d.Day())
			md := d.Format("01-02")
			if ok != want[md] {
				t.Errorf("%d-%s holiday = %v, want %v", year, md, ok, want[md])
			}
			if ok {
				n++
			}
		}
		if n != 13 {
			t.Errorf("%d has %d holidays, want 13", year, n)
		}
	}
	for _, d := range []struct {
		y    int
		m    time.Month
		d    int
		what string
	}{
		{2026, time.June, 19, "Juneteenth"}, {2026, time.October, 12, "Columbus Day"},
		{2027, time.June, 18, "Juneteenth observed"}, {2026, time.July, 3, "Independence Day observed"},
		{2027, time.December, 27, "Christmas observed"}, {2027, time.July, 5, "Independence Day observed"},
	} {
		if h, ok := pricing.HolidayOn(hs, d.y, d.m, d.d); ok {
			t.Errorf("%s %d-%02d-%02d is a holiday (%s)", d.what, d.y, d.m, d.d, h.Name)
		}
	}
}

func TestNewHoliday(t *testing.T) {
	for _, tc := range []struct {
		rule string
		want map[int]string // year -> MM-DD; "" means it does not occur that year
	}{
		{"07-24", map[int]string{2026: "07-24", 2027: "07-24", 2028: "07-24"}},
		{"3 mon jan", map[int]string{2026: "01-19", 2027: "01-18", 2028: "01-17"}},
		{"last mon may", map[int]string{2026: "05-25", 2027: "05-31", 2028: "05-29"}},
		{"4 thu nov +1", map[int]string{2026: "11-27", 2027: "11-26", 2028: "11-24"}},
		{"4 thu nov -3", map[int]string{2026: "11-23", 2027: "11-22", 2028: "11-20"}},
		{"  Last Monday MAY ", map[int]string{2026: "05-25"}},
		{"2 monday october", map[int]string{2026: "10-12", 2027: "10-11", 2028: "10-09"}},
		{"1 sun jan", map[int]string{2026: "01-04", 2027: "01-03", 2028: "01-02"}},
		{"thanksgiving", map[int]string{2026: "11-26"}},
		{"Christmas-Eve", map[int]string{2027: "12-24"}},
		{"02-29", map[int]string{2026: "", 2027: "", 2028: "02-29"}},
		{"12-31", map[int]string{2026: "12-31"}},
		// A 5th weekday exists only in some years: 2026 has five Thursdays in January, 2027 four.
		{"5 thu jan", map[int]string{2026: "01-29", 2027: "", 2028: ""}},
		{"5 sat jan", map[int]string{2026: "01-31", 2027: "01-30", 2028: "01-29"}},
	} {
		h, err := pricing.NewHoliday("custom", "Custom Day", tc.rule)
		if err != nil {
			t.Errorf("NewHoliday(%q): %v", tc.rule, err)
			continue
		}
		if h.Key != "custom" || h.Name != "Custom Day" || h.Rule != strings.TrimSpace(tc.rule) {
			t.Errorf("NewHoliday(%q) = %+v", tc.rule, h)
		}
		for year, want := range tc.want {
			m, d, ok := h.Date(year)
			got := ""
			if ok {
				got = fmt.Sprintf("%02d-%02d", int(m), d)
			}
			if got != want {
				t.Errorf("rule %q in %d = %q, want %q", tc.rule, year, got, want)
			}
		}
	}
	for _, rule := range []string{
		"", "13-01", "00-10", "02-30", "04-31", "1-1", "7-24", "07/24", "ab-cd",
		"0 mon jan", "6 mon jan", "first mon jan", "3 xyz jan", "3 mon xyz", "3 mon", "3", "3 mon jan +8", "3 mon jan -8",
		"3 mon jan +x", "3 mon jan +1 extra", "christmas", "juneteenth",
	} {
		if h, err := pricing.NewHoliday("k", "Name", rule); err == nil {
			t.Errorf("NewHoliday(%q) = %+v, want an error", rule, h)
		}
	}
	if _, err := pricing.NewHoliday("k", "  ", "07-24"); err == nil {
		t.Errorf("a holiday without a name was accepted")
	}
	// A bad stored rule gives no date rather than a wrong one.
	if _, _, ok := (pricing.Holiday{Key: "x", Name: "X", Rule: "bogus"}).Date(2026); ok {
		t.Errorf("bogus rule has a date")
	}
}

// A custom holiday list changes what a quote bills at the holiday rate.
func TestCustomHolidayInQuote(t *testing.T) {
	a := wvc(t)
	juneteenth, err := pricing.NewHoliday("juneteenth", "Juneteenth", "06-19")
	if err != nil {
		t.Fatal(err)
	}
	a.Holidays = append(a.Holidays, juneteenth)
	start := at(t, "2026-06-19 10:00")
	q, err := a.Quote(pricing.Request{Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueGeneral, Received: start.Add(-720 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	checkMoney(t, "total", q.Total, "342.00") // 4 h x 85.50
	if len(q.Lines) != 1 || q.Lines[0].Basis != "holiday" {
		t.Errorf("lines %+v", q.Lines)
	}
	a.Holidays = nil
	q, err = a.Quote(pricing.Request{Start: at(t, "2026-12-25 10:00"), End: at(t, "2026-12-25 14:00"), Officers: 1, Venue: pricing.VenueGeneral, Received: start})
	if err != nil {
		t.Fatal(err)
	}
	checkMoney(t, "total without holidays", q.Total, "228.00") // 4 h x 57.00
}
