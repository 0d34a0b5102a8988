package pricing

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Dates are taken in the years MinYear to MaxYear only (RULES.md, "Invoices
// and payroll"); the store keeps the same bounds.
const (
	MinYear = 2000
	MaxYear = 2100
)

// CheckYear refuses a year outside MinYear to MaxYear; what names the value
// in the message ("2101-01-01 10:00", "period 2400-01-01").
func CheckYear(what string, y int) error {
	if y < MinYear || y > MaxYear {
		return fmt.Errorf("%s: dates run from %d to %d", what, MinYear, MaxYear)
	}
	return nil
}

// LocalTime resolves a wall-clock time in loc to an instant. A wall time that
// does not exist (inside a spring-forward gap) is an error; one that occurs
// twice (the fall-back hour) resolves to its first occurrence. Years outside
// MinYear to MaxYear are refused.
func LocalTime(loc *time.Location, y int, mo time.Month, d, h, mi int) (time.Time, error) {
	if err := CheckYear(fmt.Sprintf("%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi), y); err != nil {
		return time.Time{}, err
	}
	if mo < 1 || mo > 12 || d < 1 || d > time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day() || h < 0 || h > 23 || mi < 0 || mi > 59 {
		return time.Time{}, fmt.Errorf("%04d-%02d-%02d %02d:%02d is not a real date and time", y, mo, d, h, mi)
	}
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	// Candidate offsets: those in force half a day either side.
	var best time.Time
	seen := map[int]bool{}
	for _, probe := range []time.Time{wall.Add(-14 * time.Hour), wall, wall.Add(14 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		cand := wall.Add(-time.Duration(off) * time.Second).In(loc)
		cy, cm, cd := cand.Date()
		if cy == y && cm == mo && cd == d && cand.Hour() == h && cand.Minute() == mi {
			if best.IsZero() || cand.Before(best) {
				best = cand
			}
		}
	}
	if best.IsZero() {
		return time.Time{}, fmt.Errorf("%04d-%02d-%02d %02d:%02d does not exist in %s (the clocks skip that hour)", y, mo, d, h, mi, loc)
	}
	return best, nil
}

var localRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$`)

// ParseLocal reads "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM") as wall time in
// loc, in the years MinYear to MaxYear.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	m := localRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not a date and time: use YYYY-MM-DD HH:MM", s)
	}
	n := make([]int, 6)
	for i := 1; i <= 5; i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	return LocalTime(loc, n[1], time.Month(n[2]), n[3], n[4], n[5])
}

// ParseHours reads a shift length in hours ("6", "2.5", "1.75") as whole
// minutes, more than 0 and at most 24 hours.
func ParseHours(s string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.ContainsAny(t, "$,eE") {
		return 0, fmt.Errorf("%q is not a number of hours", s)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of hours", s)
	}
	if !d.IsPositive() {
		return 0, fmt.Errorf("hours must be more than 0 (got %s)", t)
	}
	if d.GreaterThan(decimal.NewFromInt(MaxShiftMinutes / 60)) {
		return 0, fmt.Errorf("a shift can be at most %d hours (got %s)", MaxShiftMinutes/60, t)
	}
	m := d.Mul(sixty)
	if !m.Equal(m.Truncate(0)) {
		return 0, fmt.Errorf("%s hours is not a whole number of minutes", t)
	}
	return int(m.IntPart()), nil
}
