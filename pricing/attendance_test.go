package pricing_test

import (
	"testing"
	"time"

	"offduty/pricing"
)

// RULES.md "Attendance": released early is billed and paid the full
// scheduled shift; held over, the real time; a no-show, nothing.
func TestWorkedMinutes(t *testing.T) {
	const minimum = 120
	for _, c := range []struct {
		name                string
		start, end, in, out string // Denver wall times; "" = not recorded
		attendance          string
		want                int
	}{
		{"as scheduled", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:00", "2026-12-08 14:00", pricing.AttendanceNone, 240},
		{"not yet recorded", "2026-12-08 10:00", "2026-12-08 14:00", "", "", pricing.AttendanceNone, 240},
		{"released early: the full shift", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:00", "2026-12-08 11:15", pricing.AttendanceReleasedEarly, 240},
		{"released early after a late arrival", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 11:00", "2026-12-08 12:00", pricing.AttendanceReleasedEarly, 240},
		{"held over: real time", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:00", "2026-12-08 15:30", pricing.AttendanceHeldOver, 330},
		{"held over from a late check-in", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:45", "2026-12-08 14:20", pricing.AttendanceHeldOver, 215},
		{"held over, early check-in counts", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 09:30", "2026-12-08 14:30", pricing.AttendanceHeldOver, 300},
		{"held over without a check-in: from the start", "2026-12-08 10:00", "2026-12-08 14:00", "", "2026-12-08 15:00", pricing.AttendanceHeldOver, 300},
		{"held over without a check-out: the shift", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:00", "", pricing.AttendanceHeldOver, 240},
		{"held over past midnight", "2026-12-08 20:00", "2026-12-09 00:00", "2026-12-08 20:00", "2026-12-09 01:10", pricing.AttendanceHeldOver, 310},
		// Real elapsed time over the spring-forward night: 01:00 to 04:00 is 2 h.
		{"held over across spring-forward", "2027-03-14 00:00", "2027-03-14 03:00", "2027-03-14 01:00", "2027-03-14 04:00", pricing.AttendanceHeldOver, 120},
		{"held over across fall-back", "2027-11-07 00:00", "2027-11-07 02:00", "2027-11-07 00:00", "2027-11-07 02:30", pricing.AttendanceHeldOver, 210},
		{"no-show: nothing", "2026-12-08 10:00", "2026-12-08 14:00", "", "", pricing.AttendanceNoShow, 0},
		{"no-show ignores stray times", "2026-12-08 10:00", "2026-12-08 14:00", "2026-12-08 10:00", "2026-12-08 14:00", pricing.AttendanceNoShow, 0},
		// The minimum applies whenever anything is billed.
		{"one-hour shift: the minimum", "2026-12-08 10:00", "2026-12-08 11:00", "2026-12-08 10:00", "2026-12-08 11:00", pricing.AttendanceNone, minimum},
		{"one-hour shift released early: the minimum", "2026-12-08 10:00", "2026-12-08 11:00", "2026-12-08 10:00", "2026-12-08 10:20", pricing.AttendanceReleasedEarly, minimum},
		{"one-hour shift held over 30 min: still the minimum", "2026-12-08 10:00", "2026-12-08 11:00", "2026-12-08 10:00", "2026-12-08 11:30", pricing.AttendanceHeldOver, minimum},
		{"one-hour shift held over 90 min: real time", "2026-12-08 10:00", "2026-12-08 11:00", "2026-12-08 10:00", "2026-12-08 12:30", pricing.AttendanceHeldOver, 150},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := func(s string) time.Time {
				if s == "" {
					return time.Time{}
				}
				return at(t, s)
			}
			got := pricing.WorkedMinutes(at(t, c.start), at(t, c.end), opt(c.in), opt(c.out), c.attendance, minimum)
			if got != c.want {
				t.Errorf("WorkedMinutes = %d, want %d", got, c.want)
			}
		})
	}
	// No minimum: a short shift is what it is.
	if got := pricing.WorkedMinutes(at(t, "2026-12-08 10:00"), at(t, "2026-12-08 11:00"), time.Time{}, time.Time{}, pricing.AttendanceNone, 0); got != 60 {
		t.Errorf("no minimum: %d, want 60", got)
	}
}
