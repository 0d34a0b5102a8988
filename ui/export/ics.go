package export

import (
	"fmt"
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"offduty/store"
)

// icsProdID names the program that wrote the calendar.
const icsProdID = "-//offduty//offduty shifts export//EN"

// icsMaxOctets is the longest content line RFC 5545 allows, CRLF excluded.
const icsMaxOctets = 75

// ShiftsICS writes the officer's shifts as an iCalendar object (RFC 5545):
// one VEVENT per shift, times in UTC, stamped with stamp. The shift times in
// each event's notes are shown in the agency's zone (sh.AgencyZone), or in
// office when that is empty or unknown.
//
// Every export carries a VTIMEZONE for the office zone, first, whether or not
// there are shifts: a VCALENDAR must hold at least one component, so an
// officer without shifts still gets a file calendar apps accept, and the
// file has the same shape either way. The events do not refer to it (their
// times are UTC); it is derived from office's transitions in the earliest
// year of stamp and the shifts (see icsTimezone).
//
// Text comes from the database as typed: it is cleaned with store.Clean
// (control characters, terminal escapes, bidi overrides removed) before the
// library sees it; one-line fields have their whitespace collapsed. The
// library (github.com/arran4/golang-ical) escapes backslash, semicolon, comma
// and newline in TEXT values and folds lines at 75 octets between UTF-8
// sequences; the file is written with CRLF line ends.
func ShiftsICS(w io.Writer, o store.Officer, shifts []store.OfficerShift, stamp time.Time, office *time.Location) error {
	if office == nil {
		office = time.UTC
	}
	cal := ics.NewCalendarFor("offduty") // VERSION:2.0 and a PRODID, replaced below
	cal.SetProductId(icsProdID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(icsOneLine(fmt.Sprintf("Off-duty shifts: %s (%s)", o.Name(), o.Badge)))

	year := stamp.In(office).Year()
	for _, sh := range shifts {
		year = min(year, sh.Start.In(office).Year())
	}
	cal.AddVTimezone(icsTimezone(office, year))

	zones := map[string]*time.Location{}
	for _, sh := range shifts {
		loc, ok := zones[sh.AgencyZone]
		if !ok {
			var err error
			if loc, err = time.LoadLocation(sh.AgencyZone); err != nil || sh.AgencyZone == "" {
				loc = office
			}
			zones[sh.AgencyZone] = loc
		}
		ev := cal.AddEvent(fmt.Sprintf("position-%d@offduty", sh.PositionID))
		ev.SetDtStampTime(stamp)
		ev.SetStartAt(sh.Start) // the library writes UTC: 20261208T170000Z
		ev.SetEndAt(sh.End)
		ev.SetSequence(0)
		ev.SetSummary(icsOneLine(fmt.Sprintf("Off-duty: %s (%s)", sh.SiteName, sh.Class)))
		ev.SetLocation(icsOneLine(joinNonEmpty(", ", sh.SiteName, sh.SiteAddress)))
		ev.SetDescription(shiftDescription(sh, loc))
		ev.SetStatus(ics.ObjectStatusConfirmed)
		ev.SetTimeTransparency(ics.TransparencyOpaque)
	}

	// The library ignores write errors on the BEGIN/END lines of the
	// calendar: serialize in memory, then write once.
	var b strings.Builder
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows, ics.WithLineLength(icsMaxOctets)); err != nil {
		return fmt.Errorf("shifts calendar: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shiftDescription is an event's notes: one "Label: value" line each, the
// post orders last, as typed (several lines), cleaned but not escaped.
func shiftDescription(sh store.OfficerShift, loc *time.Location) string {
	var d strings.Builder
	fmt.Fprintf(&d, "Customer: %s\n", icsOneLine(sh.CustomerName))
	fmt.Fprintf(&d, "Agency: %s\n", icsOneLine(sh.AgencyName))
	fmt.Fprintf(&d, "Job: #%d\n", sh.JobID)
	fmt.Fprintf(&d, "Position: %d (%s)\n", sh.Slot, icsOneLine(sh.Class))
	fmt.Fprintf(&d, "Shift: %s (%s)\n", shiftSpan(sh.Start, sh.End, loc), loc)
	fmt.Fprintf(&d, "Status: %s\n", icsOneLine(statusText(sh.JobStatus)))
	if c := joinNonEmpty(", ", icsOneLine(sh.ContactName), icsOneLine(sh.ContactPhone)); c != "" {
		fmt.Fprintf(&d, "Contact: %s\n", c)
	}
	if po := store.Clean(sh.PostOrders, true); strings.TrimSpace(po) != "" {
		fmt.Fprintf(&d, "Post orders:\n%s\n", po)
	}
	return strings.TrimRight(d.String(), "\n") // no empty line after the last

}

// shiftSpan is "Tue 08 Dec 2026 10:00-14:00" (the end's date is shown when it differs).
func shiftSpan(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	if s.Format("2006-01-02") == e.Format("2006-01-02") || (e.Format("15:04") == "00:00" && e.Sub(s) <= 24*time.Hour) {
		return s.Format("Mon 02 Jan 2006 15:04") + "-" + e.Format("15:04")
	}
	return s.Format("Mon 02 Jan 2006 15:04") + " - " + e.Format("Mon 02 Jan 15:04")
}

// statusText is a job status for people: "in_progress" is "in progress".
func statusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

// joinNonEmpty joins the parts that are not blank, trimmed.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// icsOneLine is text for a one-line field: control characters and terminal
// escapes removed, line breaks and runs of spaces made one space.
func icsOneLine(s string) string {
	return strings.Join(strings.Fields(store.Clean(s, true)), " ")
}

// icsTimezone is a VTIMEZONE for loc derived from its transitions in year:
// a STANDARD and a DAYLIGHT sub-component whose DTSTART is that year's
// transition (local time before it), TZOFFSETFROM/TZOFFSETTO the offsets
// either side, and a yearly RRULE on the same weekday of the month ("the
// second Sunday of March"; "-1" when it is the month's last such weekday).
// America/Denver gives 2nd Sunday of March 02:00 -0700 -> -0600 (MDT) and
// 1st Sunday of November 02:00 -0600 -> -0700 (MST), the US rules since 2007.
// A zone without daylight saving time that year gets one STANDARD with the
// offset in force at the year's end. Zones whose rules are not "nth weekday
// of a month" get an approximation; no event refers to the zone.
func icsTimezone(loc *time.Location, year int) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	var toDST, toStd *tzTransition
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	for t := time.Date(year, 1, 1, 0, 0, 0, 0, loc); ; {
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			break
		}
		_, from := next.Add(-time.Nanosecond).Zone()
		name, to := next.Zone()
		tr := &tzTransition{at: next, from: from, to: to, name: name}
		if next.IsDST() && toDST == nil {
			toDST = tr
		} else if !next.IsDST() && toStd == nil {
			toStd = tr
		}
		t = next
	}
	if toDST == nil || toStd == nil {
		name, off := end.Zone()
		std := tz.AddStandard()
		std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(off))
		std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(off))
		std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		return tz
	}
	std := tz.AddStandard()
	toStd.describe(&std.ComponentBase)
	dl := &ics.Daylight{}
	toDST.describe(&dl.ComponentBase)
	tz.Components = append(tz.Components, dl) // the library has AddStandard but no AddDaylight
	return tz
}

// tzTransition is one change of a zone's offset.
type tzTransition struct {
	at       time.Time
	from, to int // seconds east of UTC
	name     string
}

// describe sets a STANDARD or DAYLIGHT sub-component's properties.
func (tr *tzTransition) describe(c *ics.ComponentBase) {
	wall := tr.at.In(time.FixedZone("", tr.from)) // the onset, as the clocks read before it
	c.SetProperty(ics.ComponentPropertyDtStart, wall.Format("20060102T150405"))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(tr.from))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(tr.to))
	nth := (wall.Day()-1)/7 + 1
	if wall.Day()+7 > time.Date(wall.Year(), wall.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		nth = -1
	}
	c.AddRrule(fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(wall.Month()), nth, strings.ToUpper(wall.Weekday().String()[:2])))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), tr.name)
}

// utcOffset is an iCalendar UTC-OFFSET: "-0700", "+0530", "+0000"
// (seconds only when there are any).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
