package pricing

import "time"

// Attendance outcomes of a position.
const (
	AttendanceNone          = ""               // worked as scheduled (or not yet recorded)
	AttendanceReleasedEarly = "released_early" // sent home before the end
	AttendanceHeldOver      = "held_over"      // kept past the end
	AttendanceNoShow        = "no_show"        // did not come: the position reopens
)

// WorkedMinutes is the billed and paid time of one position (RULES.md
// "Attendance"): the full scheduled shift when released early or worked as
// scheduled, the real time from check-in to check-out when held over, nothing
// for a no-show; never less than the minimum when anything is billed.
func WorkedMinutes(start, end, checkIn, checkOut time.Time, attendance string, minimum int) int {
	scheduled := int(end.Sub(start) / time.Minute)
	var m int
	switch attendance {
	case AttendanceNoShow:
		return 0
	case AttendanceHeldOver:
		from := checkIn
		if from.IsZero() {
			from = start
		}
		m = int(checkOut.Sub(from) / time.Minute)
		if checkOut.IsZero() || m < 0 {
			m = scheduled
		}
	default: // as scheduled, or released early: the full shift
		m = scheduled
	}
	return max(m, minimum)
}
