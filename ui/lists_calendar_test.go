package ui

import (
	"strings"
	"testing"

	"offduty/store"
)

// The week view shows each shift's start and end, and names as wide as
// the column: whole at 120 columns, not cut at 9 characters.
func TestListsWeekViewTimesAndNames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		a := newTestApp(t, size[0], size[1])
		a.tab = tabCalendar
		drain(a, press(a, "w"))
		s := screen(a)
		assertFits(t, s, size[0], size[1])
		narrowest := size[0]/7 - 1
		shown := 0
		for _, j := range a.cal.weekJob {
			if j.Status == store.StatusCancelled {
				continue
			}
			st, en := j.Start.In(testLoc), j.End.In(testLoc)
			tm := shiftTime(st, en, narrowest)
			if !strings.Contains(s, tm) {
				t.Fatalf("%dx%d: %s-%s not shown as %q:\n%s", size[0], size[1], st.Format("15:04"), en.Format("15:04"), tm, s)
			}
			if size[0] >= 120 && len(j.CustomerName) <= size[0]/7-1 && !strings.Contains(s, j.CustomerName) {
				t.Fatalf("%dx%d: %q cut:\n%s", size[0], size[1], j.CustomerName, s)
			}
			shown++
		}
		if shown == 0 {
			t.Fatal("no shift this week")
		}
		if size[0] >= 120 && !strings.Contains(s, "18:00-23:30") {
			t.Fatalf("%dx%d: full times missing:\n%s", size[0], size[1], s)
		}
	}
}

// A tall window's month grid lists each day's first shifts; 80x24 keeps counts only.
func TestListsMonthGridUsesTallWindows(t *testing.T) {
	a := newTestApp(t, 200, 60)
	a.tab = tabCalendar
	drain(a, a.cal.load())
	s := screen(a)
	assertFits(t, s, 200, 60)
	if !strings.Contains(s, "18:00 Maverik Center") || !strings.Contains(s, "4 shifts, 2 open") {
		t.Fatalf("200x60 grid lists no shifts:\n%s", s)
	}
	small := newTestApp(t, 80, 24)
	small.tab = tabCalendar
	drain(small, small.cal.load())
	s = screen(small)
	assertFits(t, s, 80, 24)
	if small.cal.dayShifts != nil || !strings.Contains(s, "•26") || !strings.Contains(s, "Thu 26 Nov: ") {
		t.Fatalf("80x24 grid:\n%s", s)
	}
}
