package pricing_test

import (
	"testing"
	"time"

	"offduty/pricing"
)

func TestFormatMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0":           "0.00",
		"5":           "5.00",
		"57":          "57.00",
		"1.14":        "1.14",
		"100":         "100.00",
		"999.99":      "999.99",
		"999.995":     "1,000.00", // half up
		"1000":        "1,000.00",
		"1234.5":      "1,234.50",
		"3084.84":     "3,084.84",
		"12366.72":    "12,366.72",
		"100000":      "100,000.00",
		"1234567.891": "1,234,567.89",
		"0.005":       "0.01",
		"0.004":       "0.00",
		"-0.5":        "-0.50",
		"-57":         "-57.00",
		"-1234.5":     "-1,234.50",
		"-1234567.89": "-1,234,567.89",
		"-100000":     "-100,000.00",
	} {
		if got := pricing.FormatMoney(dec(in)); got != want {
			t.Errorf("FormatMoney(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]string{"57": "57", "57.00": "57", "$1,413.60": "1413.6", " 0.14 ": "0.14", "-3": "-3"} {
		got, err := pricing.ParseMoney(in)
		if err != nil || !got.Equal(dec(want)) {
			t.Errorf("ParseMoney(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "$", "abc", "12.3.4", "1 000"} {
		if got, err := pricing.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %s, want an error", in, got)
		}
	}
}

func TestFormatMinutes(t *testing.T) {
	for in, want := range map[int]string{0: "0:00", 5: "0:05", 59: "0:59", 60: "1:00", 90: "1:30", 390: "6:30", 1440: "24:00", 1441: "24:01", -90: "-1:30", -5: "-0:05"} {
		if got := pricing.FormatMinutes(in); got != want {
			t.Errorf("FormatMinutes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 min"},
		{45 * time.Minute, "45 min"},
		{time.Hour, "1 h"},
		{33 * time.Hour, "33 h"},
		{33*time.Hour + 15*time.Minute, "33 h 15 min"},
		{71*time.Hour + 59*time.Minute, "71 h 59 min"},
		{72 * time.Hour, "72 h"},
		{90 * time.Second, "1 min"}, // whole minutes, truncated
		{59 * time.Second, "0 min"},
	} {
		if got := pricing.FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
