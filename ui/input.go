package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a civil date typed by an operator.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func (d Date) t() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// Echo is how a parsed date is read back: "Thu 24 Dec 2026".
func (d Date) Echo() string { return d.t().Format("Mon 02 Jan 2006") }

// Clock is a wall-clock time of day.
type Clock struct{ Hour, Minute int }

// Echo is "18:00".
func (c Clock) Echo() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

var months = map[string]time.Month{}
var weekdays = map[string]time.Weekday{}

func init() {
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		months[n], months[n[:3]] = m, m
		if len(n) > 4 {
			months[n[:4]] = m // "sept"
		}
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := strings.ToLower(d.String())
		weekdays[n], weekdays[n[:3]] = d, d
	}
	weekdays["tues"], weekdays["thur"], weekdays["thurs"], weekdays["weds"] = time.Tuesday, time.Thursday, time.Thursday, time.Wednesday
}

var (
	isoRE   = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	slashRE = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$`)
	wordRE  = regexp.MustCompile(`^(?:([a-z]+),?\s+)?(?:(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)|([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?),?(?:\s+(\d{4}))?$`)
)

// ParseDate reads a date as people say it on the phone, relative to today:
// "12/24", "12/24/2026", "2026-12-24", "dec 24", "24 dec", "today",
// "tomorrow", "sat", "saturday", "Thu 24 Dec 2026". A month and day without a
// year mean the next such date from today.
func ParseDate(s string, today Date) (Date, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if in == "" {
		return Date{}, fmt.Errorf("date is required")
	}
	switch in {
	case "today", "tod", "now":
		return today, nil
	case "tomorrow", "tmrw", "tmw", "tom":
		return addDays(today, 1), nil
	}
	if wd, ok := weekdays[in]; ok {
		diff := (int(wd) - int(today.t().Weekday()) + 7) % 7
		return addDays(today, diff), nil
	}
	if m := isoRE.FindStringSubmatch(in); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return civil(y, mo, d)
	}
	if m := slashRE.FindStringSubmatch(in); m != nil {
		mo, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		if m[3] == "" {
			return upcoming(today, mo, d)
		}
		y, _ := strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			y += 2000
		}
		return civil(y, mo, d)
	}
	if m := wordRE.FindStringSubmatch(in); m != nil {
		dayStr, monStr := m[2], m[3]
		if dayStr == "" {
			dayStr, monStr = m[5], m[4]
		}
		mo, ok := months[monStr]
		if !ok {
			return Date{}, fmt.Errorf("%q: unknown month %q", s, monStr)
		}
		d, _ := strconv.Atoi(dayStr)
		var out Date
		var err error
		if m[6] != "" {
			y, _ := strconv.Atoi(m[6])
			out, err = civil(y, int(mo), d)
		} else {
			out, err = upcoming(today, int(mo), d)
		}
		if err != nil {
			return out, err
		}
		if m[1] != "" {
			wd, ok := weekdays[m[1]]
			if !ok {
				return Date{}, fmt.Errorf("%q: unknown weekday %q", s, m[1])
			}
			if out.t().Weekday() != wd {
				return Date{}, fmt.Errorf("%s is a %s, not a %s", out.t().Format("02 Jan 2006"), out.t().Weekday(), wd)
			}
		}
		return out, nil
	}
	return Date{}, fmt.Errorf("%q is not a date: try 12/24, 2026-12-24, dec 24, tomorrow or sat", s)
}

func addDays(d Date, n int) Date {
	t := d.t().AddDate(0, 0, n)
	return Date{t.Year(), t.Month(), t.Day()}
}

func civil(y, mo, d int) (Date, error) {
	if y < 2000 || y > 2200 {
		return Date{}, fmt.Errorf("year %d is out of range", y)
	}
	if mo < 1 || mo > 12 {
		return Date{}, fmt.Errorf("month %d does not exist", mo)
	}
	last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > last {
		return Date{}, fmt.Errorf("%s %d has only %d days", time.Month(mo), y, last)
	}
	return Date{y, time.Month(mo), d}, nil
}

// upcoming is month/day in today's year, or next year if that date has passed.
func upcoming(today Date, mo, d int) (Date, error) {
	if mo < 1 || mo > 12 {
		return Date{}, fmt.Errorf("month %d does not exist", mo)
	}
	if d < 1 || d > 31 {
		return Date{}, fmt.Errorf("day %d does not exist", d)
	}
	for y := today.Year; y <= today.Year+4; y++ { // Feb 29 may be a few years off
		c, err := civil(y, mo, d)
		if err != nil {
			continue
		}
		if !c.t().Before(today.t()) {
			return c, nil
		}
	}
	return Date{}, fmt.Errorf("%s has no day %d", time.Month(mo), d)
}

var (
	clockRE = regexp.MustCompile(`^(\d{1,2})(?::?(\d{2}))?\s*(a|p|am|pm|a\.m\.|p\.m\.)?$`)
)

// ParseClock reads a time of day: "6pm", "6:30 pm", "18:00", "1830", "0630",
// "noon", "midnight". A bare hour from 1 to 12 needs am or pm.
func ParseClock(s string) (Clock, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	switch in {
	case "":
		return Clock{}, fmt.Errorf("time is required")
	case "noon":
		return Clock{12, 0}, nil
	case "midnight":
		return Clock{0, 0}, nil
	}
	m := clockRE.FindStringSubmatch(in)
	if m == nil {
		return Clock{}, fmt.Errorf("%q is not a time: try 6pm, 18:00 or 1830", s)
	}
	h, _ := strconv.Atoi(m[1])
	mi := 0
	if m[2] != "" {
		mi, _ = strconv.Atoi(m[2])
	} else if len(m[1]) > 2 {
		return Clock{}, fmt.Errorf("%q is not a time", s)
	}
	// "630" (three digits) is read as 6:30 by the regexp's 1-2 digit hour.
	if mi > 59 {
		return Clock{}, fmt.Errorf("%q: minutes must be 00 to 59", s)
	}
	switch ampm := strings.TrimSuffix(strings.ReplaceAll(m[3], ".", ""), "m"); ampm {
	case "a", "p":
		if h < 1 || h > 12 {
			return Clock{}, fmt.Errorf("%q: with am/pm the hour is 1 to 12", s)
		}
		if h == 12 {
			h = 0
		}
		if ampm == "p" {
			h += 12
		}
	default:
		if h > 23 {
			return Clock{}, fmt.Errorf("%q: the hour is 0 to 23", s)
		}
		if m[2] == "" && h >= 1 && h <= 12 {
			return Clock{}, fmt.Errorf("%q: add am or pm (%dam, %dpm)", s, h, h)
		}
	}
	return Clock{h, mi}, nil
}

var hoursRE = regexp.MustCompile(`^(\d{1,2}(?:\.\d+)?)\s*(h|hr|hrs|hour|hours)?$`)

// ParseEnd reads the end of a shift: a time ("10pm", "22:00", "0030") or a
// length in hours ("6", "6h", "2.5 hours"). A bare number up to 24 is hours.
// It returns the length in minutes, or the end time.
func ParseEnd(s string) (minutes int, end Clock, isHours bool, err error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if in == "" {
		return 0, Clock{}, false, fmt.Errorf("end time or hours is required")
	}
	if m := hoursRE.FindStringSubmatch(in); m != nil && (m[2] != "" || !strings.Contains(in, ":")) {
		if m[2] != "" || strings.Contains(m[1], ".") || len(m[1]) <= 2 {
			f := m[1]
			mins, herr := parseHoursText(f)
			if herr != nil {
				return 0, Clock{}, true, herr
			}
			return mins, Clock{}, true, nil
		}
	}
	c, err := ParseClock(in)
	if err != nil {
		return 0, Clock{}, false, fmt.Errorf("%q: give an end time (10pm, 22:00) or hours (6, 2.5h)", s)
	}
	return 0, c, false, nil
}

func parseHoursText(f string) (int, error) {
	parts := strings.SplitN(f, ".", 2)
	h, _ := strconv.Atoi(parts[0])
	mins := h * 60
	if len(parts) == 2 {
		frac := parts[1]
		num, _ := strconv.Atoi(frac)
		den := 1
		for range frac {
			den *= 10
		}
		if (num*60)%den != 0 {
			return 0, fmt.Errorf("%s hours is not a whole number of minutes", f)
		}
		mins += num * 60 / den
	}
	if mins <= 0 {
		return 0, fmt.Errorf("hours must be more than 0")
	}
	if mins > 24*60 {
		return 0, fmt.Errorf("a shift can be at most 24 hours")
	}
	return mins, nil
}

// ParseCount reads a whole number in [lo, hi]; empty is def. A count is
// plain decimal digits (spaces around it are trimmed): a sign, a hex or
// octal prefix, an exponent, a decimal point, digit separators and non-ASCII
// digits are refused with a message saying what is expected.
func ParseCount(s string, lo, hi, def int, what string) (int, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return def, nil
	}
	for i := 0; i < len(in); i++ {
		if in[i] < '0' || in[i] > '9' {
			return 0, fmt.Errorf("%q is not a whole number of %s: type digits only, %d to %d", s, what, lo, hi)
		}
	}
	n, err := strconv.Atoi(in)
	if err != nil || n < lo || n > hi { // too many digits for an int is out of range too
		return 0, fmt.Errorf("%s: %d to %d", what, lo, hi)
	}
	return n, nil
}

// ParseDatePast reads a date like ParseDate, but a month and day without a
// year mean the latest such date on or before today (for payments and
// billing periods, which look back).
func ParseDatePast(s string, today Date) (Date, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if in == "yesterday" {
		return addDays(today, -1), nil
	}
	d, err := ParseDate(s, today)
	if err != nil {
		return d, err
	}
	if m := slashRE.FindStringSubmatch(in); m != nil && m[3] == "" && d.t().After(today.t()) {
		return civil(d.Year-1, int(d.Month), d.Day)
	}
	if m := wordRE.FindStringSubmatch(in); m != nil && m[6] == "" && d.t().After(today.t()) {
		return civil(d.Year-1, int(d.Month), d.Day)
	}
	return d, nil
}
