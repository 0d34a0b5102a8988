package pricing

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// Holiday is one entry of an agency's holiday list: a name and a rule that
// gives its actual date in any year.
type Holiday struct {
	Key  string // stable identifier, e.g. "christmas-eve"
	Name string // shown on quotes
	Rule string // a builtin key, "MM-DD", "N WEEKDAY MONTH [+D]" (N may be "last"), or a one-off "YYYY-MM-DD"
	cal  *cal.Holiday
	year int // a one-off date's year; 0 for a rule that recurs every year
}

// The holidays that rickar/cal's us package lacks.
var (
	christmasEve = &cal.Holiday{Name: "Christmas Eve", Month: time.December, Day: 24, Func: cal.CalcDayOfMonth}
	newYearsEve  = &cal.Holiday{Name: "New Year's Eve", Month: time.December, Day: 31, Func: cal.CalcDayOfMonth}
	pioneerDay   = &cal.Holiday{Name: "Pioneer Day", Month: time.July, Day: 24, Func: cal.CalcDayOfMonth}
)

// builtin holidays by key, with the display names the agencies use.
var builtin = []struct {
	key, name string
	h         *cal.Holiday
}{
	{"new-years-eve", "New Year's Eve", newYearsEve},
	{"new-years-day", "New Year's Day", us.NewYear},
	{"mlk-day", "MLK Day", us.MlkDay},
	{"presidents-day", "Presidents' Day", us.PresidentsDay},
	{"memorial-day", "Memorial Day", us.MemorialDay},
	{"independence-day", "Independence Day", us.IndependenceDay},
	{"pioneer-day", "Pioneer Day", pioneerDay},
	{"labor-day", "Labor Day", us.LaborDay},
	{"veterans-day", "Veterans Day", us.VeteransDay},
	{"thanksgiving", "Thanksgiving Day", us.ThanksgivingDay},
	{"day-after-thanksgiving", "Day after Thanksgiving", us.DayAfterThanksgivingDay},
	{"christmas-eve", "Christmas Eve", christmasEve},
	{"christmas-day", "Christmas Day", us.ChristmasDay},
}

// StandardHolidays is the holiday list of the seed agencies (RULES.md).
func StandardHolidays() []Holiday {
	out := make([]Holiday, len(builtin))
	for i, b := range builtin {
		out[i] = Holiday{Key: b.key, Name: b.name, Rule: b.key, cal: b.h}
	}
	return out
}

// NewHoliday compiles a holiday rule. Rule is one of:
//   - a builtin key such as "thanksgiving" or "christmas-eve";
//   - "MM-DD", a fixed date, e.g. "07-24";
//   - "N WEEKDAY MONTH [+D|-D]", the Nth weekday of a month, N = 1..5 or "last",
//     optionally shifted by D days, e.g. "3 mon jan", "last mon may", "4 thu nov +1";
//   - "YYYY-MM-DD", a one-off date that holds that year only, e.g. "2027-03-15".
func NewHoliday(key, name, rule string) (Holiday, error) {
	h, year, err := parseRule(rule)
	if err != nil {
		return Holiday{}, err
	}
	if strings.TrimSpace(name) == "" {
		return Holiday{}, fmt.Errorf("holiday %q needs a name", key)
	}
	return Holiday{Key: key, Name: name, Rule: strings.TrimSpace(rule), cal: h, year: year}, nil
}

// OneOff reports whether the holiday is a single date, and which (a civil
// date at UTC midnight).
func (h Holiday) OneOff() (time.Time, bool) {
	if h.cal == nil {
		c, year, err := parseRule(h.Rule)
		if err != nil || year == 0 {
			return time.Time{}, false
		}
		return time.Date(year, c.Month, c.Day, 0, 0, 0, 0, time.UTC), true
	}
	if h.year == 0 {
		return time.Time{}, false
	}
	return time.Date(h.year, h.cal.Month, h.cal.Day, 0, 0, 0, 0, time.UTC), true
}

// Occurrences lists the holiday's dates (civil, at UTC midnight) in the
// years from..to, in order: one a year for a rule, at most one for a
// one-off date.
func (h Holiday) Occurrences(from, to int) []time.Time {
	var out []time.Time
	for y := from; y <= to; y++ {
		if m, d, ok := h.Date(y); ok {
			out = append(out, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
		}
	}
	return out
}

// Describe is the rule in words: "fixed date 07-24", "3rd Monday of
// January", "one-off date Mon 15 Mar 2027", or the builtin's name.
func (h Holiday) Describe() string {
	r := strings.ToLower(strings.TrimSpace(h.Rule))
	for _, b := range builtin {
		if r == b.key {
			return "standard: " + b.name
		}
	}
	if d, ok := h.OneOff(); ok {
		return "one-off " + d.Format("Mon 02 Jan 2006")
	}
	c, _, err := parseRule(r)
	if err != nil {
		return h.Rule
	}
	if c.Day != 0 {
		return fmt.Sprintf("every %s %d", c.Month, c.Day)
	}
	nth := map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}[c.Offset]
	out := fmt.Sprintf("%s %s of %s", nth, c.Weekday, c.Month)
	switch {
	case c.CalcOffset == 1:
		out = "day after the " + out
	case c.CalcOffset > 1:
		out = fmt.Sprintf("%d days after the %s", c.CalcOffset, out)
	case c.CalcOffset == -1:
		out = "day before the " + out
	case c.CalcOffset < -1:
		out = fmt.Sprintf("%d days before the %s", -c.CalcOffset, out)
	}
	return out
}

var monthNames = map[string]time.Month{}
var weekdayNames = map[string]time.Weekday{}

func init() {
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		monthNames[n] = m
		monthNames[n[:3]] = m
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := strings.ToLower(d.String())
		weekdayNames[n] = d
		weekdayNames[n[:3]] = d
	}
}

// parseRule compiles a rule; year is set (and the rule holds that year
// only) for a one-off date "YYYY-MM-DD".
func parseRule(rule string) (*cal.Holiday, int, error) {
	r := strings.ToLower(strings.TrimSpace(rule))
	for _, b := range builtin {
		if r == b.key {
			return b.h, 0, nil
		}
	}
	bad := fmt.Errorf("holiday rule %q: use a known holiday, MM-DD, \"N weekday month [+days]\" (e.g. \"3 mon jan\", \"last mon may\") or a one-off date YYYY-MM-DD", rule)
	if len(r) == 10 && r[4] == '-' && r[7] == '-' {
		d, err := time.Parse("2006-01-02", r)
		if err != nil {
			return nil, 0, fmt.Errorf("holiday date %q is not a real date (YYYY-MM-DD)", rule)
		}
		if err := CheckYear("holiday date "+r, d.Year()); err != nil {
			return nil, 0, err
		}
		return &cal.Holiday{Month: d.Month(), Day: d.Day(), Func: cal.CalcDayOfMonth}, d.Year(), nil
	}
	if len(r) == 5 && r[2] == '-' {
		m, err1 := strconv.Atoi(r[:2])
		d, err2 := strconv.Atoi(r[3:])
		if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m)) {
			return nil, 0, bad
		}
		return &cal.Holiday{Month: time.Month(m), Day: d, Func: cal.CalcDayOfMonth}, 0, nil
	}
	f := strings.Fields(r)
	if len(f) < 3 || len(f) > 4 {
		return nil, 0, bad
	}
	var n int
	if f[0] == "last" {
		n = -1
	} else {
		v, err := strconv.Atoi(f[0])
		if err != nil || v < 1 || v > 5 {
			return nil, 0, bad
		}
		n = v
	}
	wd, ok := weekdayNames[f[1]]
	if !ok {
		return nil, 0, bad
	}
	mo, ok := monthNames[f[2]]
	if !ok {
		return nil, 0, bad
	}
	off := 0
	if len(f) == 4 {
		v, err := strconv.Atoi(f[3])
		if err != nil || v < -7 || v > 7 {
			return nil, 0, bad
		}
		off = v
	}
	return &cal.Holiday{Month: mo, Weekday: wd, Offset: n, CalcOffset: off, Func: cal.CalcWeekdayOffset}, 0, nil
}

func daysIn(m time.Month) int {
	return time.Date(2024, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // 2024: a leap year allows 02-29
}

// Date returns the holiday's actual (not observed) date in the given year,
// and false if it does not occur that year.
func (h Holiday) Date(year int) (time.Month, int, bool) {
	c, once := h.cal, h.year
	if c == nil {
		var err error
		if c, once, err = parseRule(h.Rule); err != nil {
			return 0, 0, false
		}
	}
	if once != 0 && once != year {
		return 0, 0, false // a one-off date holds its own year only
	}
	actual, _ := c.Calc(year)
	if actual.IsZero() || actual.Year() != year {
		return 0, 0, false
	}
	if c.Day != 0 && c.CalcOffset == 0 && (actual.Month() != c.Month || actual.Day() != c.Day) {
		return 0, 0, false // 02-29 outside a leap year
	}
	if c.Day == 0 && actual.AddDate(0, 0, -c.CalcOffset).Month() != c.Month {
		return 0, 0, false // a 5th weekday the month does not have that year
	}
	return actual.Month(), actual.Day(), true
}

// HolidayOn reports which of the holidays falls on the civil date y-m-d.
func HolidayOn(hs []Holiday, y int, m time.Month, d int) (Holiday, bool) {
	for _, h := range hs {
		hm, hd, ok := h.Date(y)
		if ok && hm == m && hd == d {
			return h, true
		}
	}
	return Holiday{}, false
}
