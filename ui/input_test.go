package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var today = Date{2026, time.November, 26} // a Thursday

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		err  bool
	}{
		{"12/24", Date{2026, 12, 24}, false},
		{"2026-12-24", Date{2026, 12, 24}, false},
		{"12/24/2027", Date{2027, 12, 24}, false},
		{"12/24/27", Date{2027, 12, 24}, false},
		{"1/5", Date{2027, 1, 5}, false}, // already past this year: next year
		{"11/26", Date{2026, 11, 26}, false},
		{"today", Date{2026, 11, 26}, false},
		{"tomorrow", Date{2026, 11, 27}, false},
		{"Tomorrow ", Date{2026, 11, 27}, false},
		{"sat", Date{2026, 11, 28}, false},
		{"saturday", Date{2026, 11, 28}, false},
		{"thu", Date{2026, 11, 26}, false}, // today is Thursday
		{"wed", Date{2026, 12, 2}, false},
		{"dec 24", Date{2026, 12, 24}, false},
		{"24 Dec", Date{2026, 12, 24}, false},
		{"December 24th", Date{2026, 12, 24}, false},
		{"Thu 24 Dec 2026", Date{2026, 12, 24}, false},
		{"Fri 24 Dec 2026", Date{}, true}, // wrong weekday
		{"2/29", Date{2028, 2, 29}, false},
		{"2/30", Date{}, true},
		{"13/1", Date{}, true},
		{"2026-02-30", Date{}, true},
		{"", Date{}, true},
		{"soon", Date{}, true},
		{"foo 12", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, today)
		if (err != nil) != tt.err {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want Clock
		err  bool
	}{
		{"6pm", Clock{18, 0}, false},
		{"6 pm", Clock{18, 0}, false},
		{"6:30pm", Clock{18, 30}, false},
		{"6:30 p.m.", Clock{18, 30}, false},
		{"12am", Clock{0, 0}, false},
		{"12pm", Clock{12, 0}, false},
		{"18:00", Clock{18, 0}, false},
		{"1830", Clock{18, 30}, false},
		{"0630", Clock{6, 30}, false},
		{"630", Clock{6, 30}, false},
		{"18", Clock{18, 0}, false},
		{"0", Clock{0, 0}, false},
		{"noon", Clock{12, 0}, false},
		{"midnight", Clock{0, 0}, false},
		{"6", Clock{}, true}, // am or pm?
		{"13pm", Clock{}, true},
		{"24:00", Clock{}, true},
		{"18:60", Clock{}, true},
		{"", Clock{}, true},
		{"six", Clock{}, true},
	}
	for _, tt := range tests {
		got, err := ParseClock(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseClock(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && got != tt.want {
			t.Errorf("ParseClock(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseEnd(t *testing.T) {
	tests := []struct {
		in      string
		minutes int
		end     Clock
		hours   bool
		err     bool
	}{
		{"6", 360, Clock{}, true, false},
		{"6h", 360, Clock{}, true, false},
		{"2.5", 150, Clock{}, true, false},
		{"2.5 hours", 150, Clock{}, true, false},
		{"24", 1440, Clock{}, true, false},
		{"25", 0, Clock{}, true, true},
		{"0", 0, Clock{}, true, true},
		{"1.01", 0, Clock{}, true, true}, // not whole minutes
		{"10pm", 0, Clock{22, 0}, false, false},
		{"22:00", 0, Clock{22, 0}, false, false},
		{"2200", 0, Clock{22, 0}, false, false},
		{"midnight", 0, Clock{0, 0}, false, false},
		{"", 0, Clock{}, false, true},
		{"later", 0, Clock{}, false, true},
	}
	for _, tt := range tests {
		m, c, h, err := ParseEnd(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseEnd(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && (m != tt.minutes || c != tt.end || h != tt.hours) {
			t.Errorf("ParseEnd(%q) = %d %v %v, want %d %v %v", tt.in, m, c, h, tt.minutes, tt.end, tt.hours)
		}
	}
}

// FuzzParseDate: never panics, and whatever is accepted reads back the same
// from its echo.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"12/24", "2026-12-24", "tomorrow", "sat", "dec 24", "Thu 24 Dec 2026", "2/29", "1/1/99", "31 feb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, today)
		if err != nil {
			return
		}
		back, err := ParseDate(d.Echo(), today)
		if err != nil || back != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, d.Echo(), back, err)
		}
	})
}

// FuzzParseClock: never panics; accepted times read back from their echo.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"6pm", "18:00", "1830", "0630", "noon", "12am", "7:05 a.m."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			return
		}
		if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 {
			t.Fatalf("%q -> out of range %v", s, c)
		}
		back, err := ParseClock(c.Echo())
		if err != nil || back != c {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, c, c.Echo(), back, err)
		}
		if _, e, isHours, err := ParseEnd(s); err == nil && !isHours && e != c {
			t.Fatalf("ParseEnd(%q) = %v, ParseClock = %v", s, e, c)
		}
	})
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string // a part of the message, "" when accepted
	}{
		{"5", 5, ""},
		{" 5 ", 5, ""}, // spaces around are trimmed
		{"\t7\n", 7, ""},
		{"", 2, ""}, // the default
		{"   ", 2, ""},
		{"1", 1, ""},
		{"20", 20, ""},
		{"007", 7, ""},
		{"0x5", 0, "not a whole number of officers: type digits only, 1 to 20"},
		{"0X5", 0, "digits only"},
		{"0b1", 0, "digits only"},
		{"0o7", 0, "digits only"},
		{"+3", 0, "digits only"},
		{"-3", 0, "digits only"},
		{"-0", 0, "digits only"},
		{"1e3", 0, "digits only"},
		{"1E1", 0, "digits only"},
		{"2.0", 0, "digits only"},
		{"1_0", 0, "digits only"},
		{"1,000", 0, "digits only"},
		{"5 5", 0, "digits only"},
		{"٣", 0, "digits only"}, // an Arabic-Indic three
		{"５", 0, "digits only"}, // a fullwidth five
		{"five", 0, "digits only"},
		{"0", 0, "officers: 1 to 20"},
		{"21", 0, "officers: 1 to 20"},
		{"99999999999999999999999", 0, "officers: 1 to 20"}, // beyond int
	}
	for _, tt := range tests {
		got, err := ParseCount(tt.in, 1, 20, 2, "officers")
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseCount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseCount(%q) = %d, %v; want an error with %q", tt.in, got, err, tt.err)
		}
	}
}

// FuzzParseCount: never panics; whatever is accepted is in range and is the
// trimmed input's plain decimal digits.
func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"5", " 5 ", "0x5", "+3", "1e3", "-1", "", "007", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseCount(s, 0, 1000, 3, "things")
		if err != nil {
			return
		}
		if n < 0 || n > 1000 {
			t.Fatalf("%q -> %d, out of range", s, n)
		}
		in := strings.TrimSpace(s)
		if in == "" {
			if n != 3 {
				t.Fatalf("%q -> %d, want the default", s, n)
			}
			return
		}
		if strings.TrimLeft(in, "0123456789") != "" || strings.TrimLeft(in, "0") != strings.TrimLeft(strconv.Itoa(n), "0") {
			t.Fatalf("%q -> %d: not its digits", s, n)
		}
	})
}
