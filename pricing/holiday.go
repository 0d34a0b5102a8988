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
	Rule string // a builtin key, "MM-DD", or "N WEEKDAY MONTH [+D]" (N may be "last")
	cal  *cal.Holiday
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
//     optionally shifted by D days, e.g. "3 mon jan", "last mon may", "4 thu nov +1".
func NewHoliday(key, name, rule string) (Holiday, error) {
	h, err := parseRule(rule)
	if err != nil {
		return Holiday{}, err
	}
	if strings.TrimSpace(name) == "" {
		return Holiday{}, fmt.Errorf("holiday %q needs a name", key)
	}
	return Holiday{Key: key, Name: name, Rule: strings.TrimSpace(rule), cal: h}, nil
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

func parseRule(rule string) (*cal.Holiday, error) {
	r := strings.ToLower(strings.TrimSpace(rule))
	for _, b := range builtin {
		if r == b.key {
			return b.h, nil
		}
	}
	bad := fmt.Errorf("holiday rule %q: use a known holiday, MM-DD, or \"N weekday month [+days]\" (e.g. \"3 mon jan\", \"last mon may\")", rule)
	if len(r) == 5 && r[2] == '-' {
		m, err1 := strconv.Atoi(r[:2])
		d, err2 := strconv.Atoi(r[3:])
		if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m)) {
			return nil, bad
		}
		return &cal.Holiday{Month: time.Month(m), Day: d, Func: cal.CalcDayOfMonth}, nil
	}
	f := strings.Fields(r)
	if len(f) < 3 || len(f) > 4 {
		return nil, bad
	}
	var n int
	if f[0] == "last" {
		n = -1
	} else {
		v, err := strconv.Atoi(f[0])
		if err != nil || v < 1 || v > 5 {
			return nil, bad
		}
		n = v
	}
	wd, ok := weekdayNames[f[1]]
	if !ok {
		return nil, bad
	}
	mo, ok := monthNames[f[2]]
	if !ok {
		return nil, bad
	}
	off := 0
	if len(f) == 4 {
		v, err := strconv.Atoi(f[3])
		if err != nil || v < -7 || v > 7 {
			return nil, bad
		}
		off = v
	}
	return &cal.Holiday{Month: mo, Weekday: wd, Offset: n, CalcOffset: off, Func: cal.CalcWeekdayOffset}, nil
}

func daysIn(m time.Month) int {
	return time.Date(2024, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // 2024: a leap year allows 02-29
}

// Date returns the holiday's actual (not observed) date in the given year,
// and false if it does not occur that year.
func (h Holiday) Date(year int) (time.Month, int, bool) {
	c := h.cal
	if c == nil {
		var err error
		if c, err = parseRule(h.Rule); err != nil {
			return 0, 0, false
		}
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
