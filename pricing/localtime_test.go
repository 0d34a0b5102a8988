package pricing_test

import (
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

func TestParseLocal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		utc  string // RFC 3339 instant; "" means rejected
		zone string // "MST" or "MDT" when accepted
		msg  string // substring of the error when rejected
	}{
		{"2026-06-10 10:00", "2026-06-10T16:00:00Z", "MDT", ""},
		{"2026-12-24 10:00", "2026-12-24T17:00:00Z", "MST", ""},
		{"2026-12-24T10:00", "2026-12-24T17:00:00Z", "MST", ""},
		{" 2026-1-5 9:30 ", "2026-01-05T16:30:00Z", "MST", ""},
		{"2028-02-29 12:00", "2028-02-29T19:00:00Z", "MST", ""},
		// Spring forward 2027-03-14: 02:00-02:59 does not exist.
		{"2027-03-14 01:59", "2027-03-14T08:59:00Z", "MST", ""},
		{"2027-03-14 02:00", "", "", "does not exist"},
		{"2027-03-14 02:30", "", "", "does not exist"},
		{"2027-03-14 02:59", "", "", "does not exist"},
		{"2027-03-14 03:00", "2027-03-14T09:00:00Z", "MDT", ""},
		// Fall back 2026-11-01: 01:00-01:59 occurs twice; the first (MDT) is meant.
		{"2026-11-01 00:59", "2026-11-01T06:59:00Z", "MDT", ""},
		{"2026-11-01 01:00", "2026-11-01T07:00:00Z", "MDT", ""},
		{"2026-11-01 01:30", "2026-11-01T07:30:00Z", "MDT", ""},
		{"2026-11-01 01:59", "2026-11-01T07:59:00Z", "MDT", ""},
		{"2026-11-01 02:00", "2026-11-01T09:00:00Z", "MST", ""},
		// Not real dates or times.
		{"2026-02-30 10:00", "", "", "not a real date"},
		{"2027-02-29 10:00", "", "", "not a real date"},
		{"2026-04-31 10:00", "", "", "not a real date"},
		{"2026-13-01 10:00", "", "", "not a real date"},
		{"2026-00-10 10:00", "", "", "not a real date"},
		{"2026-12-00 10:00", "", "", "not a real date"},
		{"2026-12-24 25:00", "", "", "not a real date"},
		{"2026-12-24 24:00", "", "", "not a real date"},
		{"2026-12-24 10:60", "", "", "not a real date"},
		// Years 2000 to 2100 (RULES.md, "Invoices and payroll"), judged on the wall date.
		{"1999-12-31 23:59", "", "", "1999-12-31 23:59: dates run from 2000 to 2100"},
		{"2000-01-01 00:00", "2000-01-01T07:00:00Z", "MST", ""},
		{"2100-12-31 23:59", "2101-01-01T06:59:00Z", "MST", ""},
		{"2101-01-01 00:00", "", "", "2101-01-01 00:00: dates run from 2000 to 2100"},
		{"2400-01-01 10:00", "", "", "dates run from 2000 to 2100"},
		{"0000-01-01 00:00", "", "", "dates run from 2000 to 2100"},
		{"9999-12-31 23:59", "", "", "dates run from 2000 to 2100"},
		{"2026-12-24", "", "", "YYYY-MM-DD HH:MM"},
		{"2026-12-24 10:00:00", "", "", "YYYY-MM-DD HH:MM"},
		{"24/12/2026 10:00", "", "", "YYYY-MM-DD HH:MM"},
		{"tomorrow", "", "", "YYYY-MM-DD HH:MM"},
		{"", "", "", "YYYY-MM-DD HH:MM"},
	} {
		got, err := pricing.ParseLocal(tc.in, denver)
		if tc.utc == "" {
			if err == nil {
				t.Errorf("ParseLocal(%q) = %v, want an error", tc.in, got)
			} else if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("ParseLocal(%q) error %q lacks %q", tc.in, err, tc.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseLocal(%q): %v", tc.in, err)
			continue
		}
		if u := got.UTC().Format(time.RFC3339); u != tc.utc {
			t.Errorf("ParseLocal(%q) = %s, want %s", tc.in, u, tc.utc)
		}
		if z, _ := got.Zone(); z != tc.zone || got.Location() != denver {
			t.Errorf("ParseLocal(%q) zone %s (%v), want %s", tc.in, z, got.Location(), tc.zone)
		}
	}
}

func TestLocalTime(t *testing.T) {
	// The ambiguous fall-back minute is the first occurrence: -06:00.
	got, err := pricing.LocalTime(denver, 2026, time.November, 1, 1, 30)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Format(time.RFC3339); s != "2026-11-01T01:30:00-06:00" {
		t.Errorf("fall-back 01:30 = %s, want the first occurrence 2026-11-01T01:30:00-06:00", s)
	}
	// One hour of real time later, the clock shows 01:30 again, in MST.
	if s := got.Add(time.Hour).Format(time.RFC3339); s != "2026-11-01T01:30:00-07:00" {
		t.Errorf("an hour later = %s", s)
	}
	if _, err := pricing.LocalTime(denver, 2027, time.March, 14, 2, 30); err == nil {
		t.Errorf("2027-03-14 02:30 (in the gap) accepted")
	}
	for _, bad := range [][5]int{{1999, 12, 31, 23, 59}, {2101, 1, 1, 0, 0}, {-1, 1, 1, 0, 0}, {1 << 40, 1, 1, 0, 0}, {2026, 0, 1, 10, 0}, {2026, 13, 1, 10, 0}, {2026, 2, 29, 10, 0}, {2026, 1, 32, 10, 0}, {2026, 1, 1, -1, 0}, {2026, 1, 1, 10, -1}, {2026, 1, 1, 10, 60}} {
		if _, err := pricing.LocalTime(denver, bad[0], time.Month(bad[1]), bad[2], bad[3], bad[4]); err == nil {
			t.Errorf("LocalTime%v accepted", bad)
		}
	}

	for _, y := range []int{pricing.MinYear, pricing.MaxYear} {
		if _, err := pricing.LocalTime(denver, y, time.June, 1, 12, 0); err != nil {
			t.Errorf("LocalTime in %d: %v", y, err)
		}
	}
	if err := pricing.CheckYear("period 2400-01-01", 2400); err == nil || err.Error() != "period 2400-01-01: dates run from 2000 to 2100" {
		t.Errorf("CheckYear(2400) = %v", err)
	}

	// The same rules in a zone whose clocks move by 30 minutes (Lord Howe Island):
	// spring forward 2026-10-04 02:00 -> 02:30, fall back 2026-04-05 02:00 -> 01:30.
	lh, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pricing.LocalTime(lh, 2026, time.October, 4, 2, 15); err == nil {
		t.Errorf("Lord Howe 02:15 in the gap accepted")
	}
	if got, err := pricing.LocalTime(lh, 2026, time.October, 4, 2, 30); err != nil || got.Format("-07:00") != "+11:00" {
		t.Errorf("Lord Howe 02:30 = %v, %v", got, err)
	}
	if got, err := pricing.LocalTime(lh, 2026, time.April, 5, 1, 45); err != nil || got.Format(time.RFC3339) != "2026-04-05T01:45:00+11:00" {
		t.Errorf("Lord Howe ambiguous 01:45 = %v, %v; want the first occurrence at +11:00", got, err)
	}
	// A zone without clock changes accepts every minute.
	if got, err := pricing.LocalTime(time.UTC, 2027, time.March, 14, 2, 30); err != nil || got.Format(time.RFC3339) != "2027-03-14T02:30:00Z" {
		t.Errorf("UTC 02:30 = %v, %v", got, err)
	}
}

// Every minute of a whole year resolves: the gap hour is rejected, the
// fall-back hour resolves to MDT, and every accepted time shows its own wall clock.
func TestLocalTimeEveryMinuteOf2027(t *testing.T) {
	if testing.Short() {
		t.Skip("525,600 minutes")
	}
	rejected := 0
	for d := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2027; d = d.Add(time.Minute) {
		got, err := pricing.LocalTime(denver, d.Year(), d.Month(), d.Day(), d.Hour(), d.Minute())
		if err != nil {
			rejected++
			if d.Month() != time.March || d.Day() != 14 || d.Hour() != 2 {
				t.Fatalf("%s rejected: %v", d.Format("2006-01-02 15:04"), err)
			}
			continue
		}
		if got.Format("2006-01-02 15:04") != d.Format("2006-01-02 15:04") {
			t.Fatalf("%s resolved to %s", d.Format("2006-01-02 15:04"), got)
		}
		if got.Add(-time.Hour).Format("2006-01-02 15:04") == d.Format("2006-01-02 15:04") {
			t.Fatalf("%s resolved to the second occurrence", d.Format("2006-01-02 15:04"))
		}
	}
	if rejected != 60 {
		t.Errorf("%d minutes rejected, want the 60 of the gap", rejected)
	}
}

func TestParseHours(t *testing.T) {
	for in, want := range map[string]int{
		"2.5": 150, "6": 360, "1.75": 105, "24": 1440, "24.00": 1440, "0.05": 3, " 2 ": 120, "0.5": 30, "2.25": 135, "+3": 180, "23.95": 1437,
	} {
		got, err := pricing.ParseHours(in)
		if err != nil || got != want {
			t.Errorf("ParseHours(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"0":      "more than 0",
		"0.00":   "more than 0",
		"-1":     "more than 0",
		"25":     "at most 24",
		"24.01":  "at most 24",
		"abc":    "not a number",
		"":       "not a number",
		"2.51":   "not a whole number of minutes",
		"0.01":   "not a whole number of minutes",
		"1.3333": "not a whole number of minutes",
		"1e1":    "not a number",
		"$2":     "not a number",
		"1,5":    "not a number",
		"2 h":    "not a number",
	} {
		got, err := pricing.ParseHours(in)
		if err == nil {
			t.Errorf("ParseHours(%q) = %d, want an error", in, got)
		} else if !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseHours(%q) error %q lacks %q", in, err, msg)
		}
	}
}
