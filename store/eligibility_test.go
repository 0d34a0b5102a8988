package store_test

import (
	"strings"
	"testing"
	"time"

	"offduty/store"
)

// book is a shift an officer already holds, from a Denver wall time.
func book(job int64, start string, minutes int) store.Booking {
	st := mustLocal(start)
	return store.Booking{PositionID: job * 10, JobID: job, Start: st, End: st.Add(time.Duration(minutes) * time.Minute)}
}

type wantReason struct {
	text string // a part of the reason
	cap  bool
}

// Eligibility is a pure function: every rule of the dispatch issue, judged in
// America/Denver, in the week of Monday 7 December 2026.
func TestEligibility(t *testing.T) {
	loc := denver()
	base := store.Officer{ID: 1, AgencyID: 1, Badge: "E1", FirstName: "Eli", LastName: "Gibbs", Rank: "officer", WeeklyCapMinutes: 40 * 60, Active: true}
	with := func(edit func(*store.Officer)) store.Officer {
		o := base
		edit(&o)
		return o
	}
	capped := func(h int) store.Officer { return with(func(o *store.Officer) { o.WeeklyCapMinutes = h * 60 }) }
	for _, c := range []struct {
		name       string
		officer    store.Officer
		bookings   []store.Booking
		start      string
		minutes    int
		supervisor bool
		want       []wantReason // in order; none = eligible
	}{
		{name: "free officer", officer: base, start: "2026-12-08 10:00", minutes: 240},
		{name: "inactive", officer: with(func(o *store.Officer) { o.Active = false }), start: "2026-12-08 10:00", minutes: 240,
			want: []wantReason{{"inactive", false}}},

		// Rank: sergeant and above for a supervisor position; anyone for an officer position.
		{name: "officer as supervisor", officer: base, start: "2026-12-08 10:00", minutes: 240, supervisor: true,
			want: []wantReason{{"supervisor rank needed (sergeant or above)", false}}},
		{name: "corporal as supervisor", officer: with(func(o *store.Officer) { o.Rank = "corporal" }), start: "2026-12-08 10:00", minutes: 240, supervisor: true,
			want: []wantReason{{"supervisor rank needed", false}}},
		{name: "sergeant as supervisor", officer: with(func(o *store.Officer) { o.Rank = "sergeant" }), start: "2026-12-08 10:00", minutes: 240, supervisor: true},
		{name: "lieutenant as supervisor", officer: with(func(o *store.Officer) { o.Rank = "lieutenant" }), start: "2026-12-08 10:00", minutes: 240, supervisor: true},
		{name: "captain as supervisor", officer: with(func(o *store.Officer) { o.Rank = "captain" }), start: "2026-12-08 10:00", minutes: 240, supervisor: true},
		{name: "sergeant as officer", officer: with(func(o *store.Officer) { o.Rank = "sergeant" }), start: "2026-12-08 10:00", minutes: 240},

		// Overlap: never, and not a cap (no rest reason on top for the same shift).
		{name: "overlap", officer: base, bookings: []store.Booking{book(7, "2026-12-08 12:00", 240)}, start: "2026-12-08 10:00", minutes: 240,
			want: []wantReason{{"overlapping shift Tue 12:00-16:00 (job #7)", false}}},
		{name: "overlap by one minute", officer: base, bookings: []store.Booking{book(7, "2026-12-08 06:00", 241)}, start: "2026-12-08 10:00", minutes: 240,
			want: []wantReason{{"overlapping shift", false}}},
		{name: "shift inside a booking", officer: base, bookings: []store.Booking{book(7, "2026-12-08 08:00", 600)}, start: "2026-12-08 10:00", minutes: 120,
			want: []wantReason{{"overlapping shift", false}}},

		// Weekly cap, Monday to Sunday in Denver; reaching it exactly is allowed.
		{name: "reaching the cap exactly", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 360), book(2, "2026-12-09 08:00", 120)}, start: "2026-12-11 08:00", minutes: 120},
		{name: "one minute over the cap", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 360), book(2, "2026-12-09 08:00", 120)}, start: "2026-12-11 08:00", minutes: 121,
			want: []wantReason{{"weekly cap reached (8 h of 10 h booked)", true}}},
		{name: "cap already full", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 360), book(2, "2026-12-09 08:00", 240)}, start: "2026-12-11 08:00", minutes: 60,
			want: []wantReason{{"weekly cap reached (10 h of 10 h booked)", true}}},
		{name: "cap shown in hours and minutes", officer: with(func(o *store.Officer) { o.WeeklyCapMinutes = 570 }),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 390)}, start: "2026-12-11 08:00", minutes: 240,
			want: []wantReason{{"weekly cap reached (6:30 h of 9:30 h booked)", true}}},
		{name: "last week and next week do not count", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-06 08:00", 600), book(2, "2026-12-14 00:00", 600)}, start: "2026-12-10 08:00", minutes: 600},
		{name: "Sunday night shift counts in its own week", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 480)}, start: "2026-12-13 20:00", minutes: 180,
			want: []wantReason{{"weekly cap reached (8 h of 10 h booked)", true}}},
		{name: "Monday 00:00 is the next week", officer: capped(10),
			bookings: []store.Booking{book(1, "2026-12-07 08:00", 480)}, start: "2026-12-14 00:00", minutes: 180},

		// At most 16 h in a local day, split at local midnight.
		{name: "16 h in a day", officer: base, start: "2026-12-08 06:00", minutes: 16 * 60},
		{name: "17 h in a day", officer: base, start: "2026-12-08 06:00", minutes: 17 * 60,
			want: []wantReason{{"more than 16 h on Tue 08 Dec (17 h)", true}}},
		{name: "17 h crossing midnight, neither day over 16 h", officer: base, start: "2026-12-08 20:00", minutes: 17 * 60},
		{name: "crossing midnight, 16:30 h on the second day", officer: base, start: "2026-12-08 23:00", minutes: 17*60 + 30,
			want: []wantReason{{"more than 16 h on Wed 09 Dec (16:30 h)", true}}},
		{name: "a booking from the night before adds to the day", officer: base,
			bookings: []store.Booking{book(3, "2026-12-07 18:00", 660)}, start: "2026-12-08 12:00", minutes: 720,
			want: []wantReason{{"more than 16 h on Tue 08 Dec (17 h)", true}, {"less than 8 h rest after a shift ending Tue 05:00", true}}},
		// The fall-back day is 25 h long: 00:00 to 16:00 on the wall is 17 h of work.
		{name: "fall-back day counts real hours", officer: base, start: "2027-11-07 00:00", minutes: 17 * 60,
			want: []wantReason{{"more than 16 h on Sun 07 Nov (17 h)", true}}},

		// At least 8 h rest between shifts, before and after.
		{name: "back to back", officer: base, bookings: []store.Booking{book(4, "2026-12-08 06:00", 240)}, start: "2026-12-08 10:00", minutes: 240,
			want: []wantReason{{"less than 8 h rest after a shift ending Tue 10:00", true}}},
		{name: "7:59 h rest after", officer: base, bookings: []store.Booking{book(4, "2026-12-08 06:00", 240)}, start: "2026-12-08 17:59", minutes: 120,
			want: []wantReason{{"less than 8 h rest after a shift ending Tue 10:00", true}}},
		{name: "8 h rest after", officer: base, bookings: []store.Booking{book(4, "2026-12-08 06:00", 240)}, start: "2026-12-08 18:00", minutes: 120},
		{name: "7:59 h rest before", officer: base, bookings: []store.Booking{book(5, "2026-12-09 02:00", 240)}, start: "2026-12-08 16:00", minutes: 121,
			want: []wantReason{{"less than 8 h rest before a shift starting Wed 02:00", true}}},
		{name: "8 h rest before", officer: base, bookings: []store.Booking{book(5, "2026-12-09 02:00", 240)}, start: "2026-12-08 16:00", minutes: 120},
		{name: "rest is real time over the spring-forward", officer: base,
			bookings: []store.Booking{book(6, "2027-03-13 18:00", 240)}, start: "2027-03-14 06:30", minutes: 240,
			want: []wantReason{{"less than 8 h rest after a shift ending Sat 22:00", true}}},

		// Several reasons at once, in a fixed order, each with its own flag.
		{name: "everything wrong", officer: with(func(o *store.Officer) { o.Active = false; o.WeeklyCapMinutes = 240 }),
			bookings: []store.Booking{book(8, "2026-12-08 08:00", 240)}, start: "2026-12-08 11:00", minutes: 240, supervisor: true,
			want: []wantReason{{"inactive", false}, {"supervisor rank needed", false}, {"overlapping shift", false}, {"weekly cap reached (4 h of 4 h booked)", true}}},
		{name: "caps only: weekly cap, day and rest", officer: capped(20),
			bookings: []store.Booking{book(1, "2026-12-07 06:00", 600), book(2, "2026-12-08 00:00", 480)}, start: "2026-12-08 10:00", minutes: 600,
			want: []wantReason{{"weekly cap reached (18 h of 20 h booked)", true}, {"more than 16 h on Tue 08 Dec (18 h)", true}, {"less than 8 h rest after a shift ending Tue 08:00", true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := mustLocal(c.start)
			got := store.Eligibility(c.officer, c.bookings, start, start.Add(time.Duration(c.minutes)*time.Minute), c.supervisor, loc)
			if len(got) != len(c.want) {
				t.Fatalf("reasons %+v, want %+v", got, c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i].Text, w.text) || got[i].Cap != w.cap {
					t.Errorf("reason %d = %+v, want %q with Cap=%v", i, got[i], w.text, w.cap)
				}
			}
			cand := store.Candidate{Officer: c.officer, Reasons: got}
			overridable := len(c.want) > 0
			for _, w := range c.want {
				overridable = overridable && w.cap
			}
			if cand.Eligible() != (len(c.want) == 0) || cand.Overridable() != overridable {
				t.Errorf("Eligible() = %v, Overridable() = %v; want %v, %v", cand.Eligible(), cand.Overridable(), len(c.want) == 0, overridable)
			}
		})
	}
}

func TestWeekAndMonthStart(t *testing.T) {
	loc := denver()
	for _, c := range []struct{ at, week, month string }{
		{"2026-12-07 00:00", "2026-12-07 00:00", "2026-12-01 00:00"}, // a Monday
		{"2026-12-13 23:59", "2026-12-07 00:00", "2026-12-01 00:00"}, // the Sunday after
		{"2026-12-01 00:30", "2026-11-30 00:00", "2026-12-01 00:00"}, // the week began last month
		{"2027-03-14 12:00", "2027-03-08 00:00", "2027-03-01 00:00"}, // spring-forward Sunday
	} {
		at := mustLocal(c.at)
		if got := store.WeekStart(at, loc); !got.Equal(mustLocal(c.week)) {
			t.Errorf("WeekStart(%s) = %v, want %s", c.at, got, c.week)
		}
		if got := store.MonthStart(at, loc); !got.Equal(mustLocal(c.month)) {
			t.Errorf("MonthStart(%s) = %v, want %s", c.at, got, c.month)
		}
		// Judged in Denver even when the instant is given in UTC.
		if got := store.WeekStart(at.UTC(), loc); !got.Equal(mustLocal(c.week)) {
			t.Errorf("WeekStart(%s UTC) = %v", c.at, got)
		}
	}
}
