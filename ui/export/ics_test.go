package export_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	ics "github.com/arran4/golang-ical"

	"offduty/store"
	"offduty/ui/export"
)

// vcomp is a BEGIN/END component read back from an export: its properties
// (unfolded, still escaped) in order and its subcomponents.
type vcomp struct {
	name  string
	props [][2]string
	subs  []*vcomp
}

// one is the raw value of a property that must appear exactly once.
func (c *vcomp) one(t *testing.T, name string) string {
	t.Helper()
	var vals []string
	for _, p := range c.props {
		if p[0] == name {
			vals = append(vals, p[1])
		}
	}
	if len(vals) != 1 {
		t.Fatalf("%s has %d %s properties, want exactly 1", c.name, len(vals), name)
	}
	return vals[0]
}

// text is a TEXT property (exactly once), unescaped strictly.
func (c *vcomp) text(t *testing.T, name string) string {
	t.Helper()
	v, err := unescapeText(c.one(t, name))
	if err != nil {
		t.Fatalf("%s %s: %v", c.name, name, err)
	}
	return v
}

// names lists the property names in order.
func (c *vcomp) names() []string {
	var out []string
	for _, p := range c.props {
		out = append(out, p[0])
	}
	return out
}

var icsPropName = regexp.MustCompile(`^[A-Z][A-Z0-9-]*$`)

// readICS is a strict reader of what ShiftsICS writes: CRLF line ends only,
// physical lines of at most 75 octets, each valid UTF-8 on its own (folds
// fall between characters), no control characters, no parameters, BEGIN/END
// balanced around one VCALENDAR. It returns the calendar and the physical lines.
func readICS(t *testing.T, data string) (*vcomp, []string) {
	t.Helper()
	if !strings.HasSuffix(data, "\r\n") {
		t.Fatalf("the file does not end with CRLF: %q", data[max(0, len(data)-20):])
	}
	phys := strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n")
	var logical []string
	for i, l := range phys {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets (at most 75): %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d is not valid UTF-8 on its own (a fold split a character): %q", i+1, l)
		}
		for _, r := range l {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("line %d has control character %U: %q", i+1, r, l)
			}
		}
		if l == "" {
			t.Fatalf("line %d is empty", i+1)
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(logical) == 0 {
				t.Fatal("the first line is a continuation")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var root *vcomp
	var stack []*vcomp
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !icsPropName.MatchString(name) {
			t.Fatalf("not a NAME:VALUE content line (or it has parameters): %q", l)
		}
		switch name {
		case "BEGIN":
			c := &vcomp{name: value}
			if len(stack) == 0 {
				if root != nil {
					t.Fatalf("a second top-level component %s", value)
				}
				root = c
			} else {
				top := stack[len(stack)-1]
				top.subs = append(top.subs, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].name != value {
				t.Fatalf("END:%s does not close the open component", value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				t.Fatalf("property outside any component: %q", l)
			}
			top := stack[len(stack)-1]
			top.props = append(top.props, [2]string{name, value})
		}
	}
	if len(stack) != 0 || root == nil || root.name != "VCALENDAR" {
		t.Fatalf("unbalanced BEGIN/END or no VCALENDAR (%d left open)", len(stack))
	}
	return root, phys
}

// unescapeText reads a TEXT value strictly: \\ \; \, \n \N are the only
// escapes, and a bare ; or , is an error.
func unescapeText(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 >= len(v) {
				return "", fmt.Errorf("dangling backslash in %q", v)
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return "", fmt.Errorf("unknown escape \\%c in %q", v[i], v)
			}
		case ';', ',':
			return "", fmt.Errorf("unescaped %c in %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a wall time in loc, "2006-01-02 15:04".
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// shiftsICS runs the export and reads it back strictly; the library's own
// parser must accept the file too.
func shiftsICS(t *testing.T, o store.Officer, shifts []store.OfficerShift, stamp time.Time, office *time.Location) (*vcomp, []string, *ics.Calendar) {
	t.Helper()
	var b bytes.Buffer
	if err := export.ShiftsICS(&b, o, shifts, stamp, office); err != nil {
		t.Fatal(err)
	}
	cal, phys := readICS(t, b.String())
	parsed, err := ics.ParseCalendar(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("the library's parser refuses the export: %v", err)
	}
	return cal, phys, parsed
}

// events are the calendar's VEVENTs; everything else must be the VTIMEZONE.
func events(t *testing.T, cal *vcomp) []*vcomp {
	t.Helper()
	var evs []*vcomp
	for i, c := range cal.subs {
		switch {
		case c.name == "VEVENT":
			evs = append(evs, c)
		case c.name == "VTIMEZONE" && i == 0:
		default:
			t.Fatalf("component %d is %s", i, c.name)
		}
	}
	return evs
}

func officer() store.Officer {
	return store.Officer{ID: 5, AgencySlug: "west-valley-city", Badge: "WV-114", FirstName: "Dana", LastName: "Fox"}
}

func TestShiftsICS(t *testing.T) {
	den := zone(t, "America/Denver")
	stamp := time.Date(2026, 12, 1, 16, 30, 5, 0, time.UTC)
	base := store.OfficerShift{JobID: 12, Slot: 2, Class: "officer", JobStatus: "scheduled", CustomerName: "Hale Centre",
		SiteName: "Hale Centre", SiteAddress: "3601 S 2700 W, West Valley City, UT 84119", AgencyName: "West Valley City PD"}
	shifts := []store.OfficerShift{base, base, base, base}
	shifts[0].PositionID, shifts[0].AgencyZone = 41, "America/Denver"
	shifts[0].Start, shifts[0].End = at(t, den, "2026-12-08 10:00"), at(t, den, "2026-12-08 14:00")
	shifts[0].ContactName, shifts[0].ContactPhone, shifts[0].PostOrders = "Lee Park", "801-555-0100", "Park in lot C.\nRadio channel 2."
	// Ends at midnight: shown on one date. No zone: the office's.
	shifts[1].PositionID, shifts[1].JobID, shifts[1].Slot, shifts[1].Class = 42, 13, 1, "supervisor"
	shifts[1].Start, shifts[1].End, shifts[1].JobStatus = at(t, den, "2026-12-31 20:00"), at(t, den, "2027-01-01 00:00"), "in_progress"
	// Over midnight: both dates. An unknown zone: the office's.
	shifts[2].PositionID, shifts[2].AgencyZone = 43, "Mars/Olympus"
	shifts[2].Start, shifts[2].End = at(t, den, "2027-01-01 22:00"), at(t, den, "2027-01-02 02:00")
	shifts[2].ContactPhone = "801-555-0199"
	// Another agency zone: the notes show its clock (Arizona keeps MST in March).
	shifts[3].PositionID, shifts[3].AgencyZone, shifts[3].AgencyName = 44, "America/Phoenix", "Elsewhere PD"
	shifts[3].Start, shifts[3].End = at(t, den, "2027-03-20 10:00"), at(t, den, "2027-03-20 14:00")

	cal, _, parsed := shiftsICS(t, officer(), shifts, stamp, den)

	if got, want := strings.Join(cal.names(), " "), "VERSION PRODID CALSCALE METHOD X-WR-CALNAME"; got != want {
		t.Errorf("calendar properties %s, want %s", got, want)
	}
	for name, want := range map[string]string{"VERSION": "2.0", "PRODID": "-//offduty//offduty shifts export//EN",
		"CALSCALE": "GREGORIAN", "METHOD": "PUBLISH"} {
		if got := cal.one(t, name); got != want {
			t.Errorf("%s:%s, want %s", name, got, want)
		}
	}
	if got, want := cal.text(t, "X-WR-CALNAME"), "Off-duty shifts: Dana Fox (WV-114)"; got != want {
		t.Errorf("X-WR-CALNAME %q, want %q", got, want)
	}
	if len(cal.subs) == 0 || cal.subs[0].name != "VTIMEZONE" || cal.subs[0].one(t, "TZID") != "America/Denver" {
		t.Fatal("the first component is not the office's VTIMEZONE")
	}

	type want struct{ uid, start, end, summary, location, desc string }
	wants := []want{
		{"position-41@offduty", "20261208T170000Z", "20261208T210000Z", "Off-duty: Hale Centre (officer)",
			"Hale Centre, 3601 S 2700 W, West Valley City, UT 84119",
			"Customer: Hale Centre\nAgency: West Valley City PD\nJob: #12\nPosition: 2 (officer)\n" +
				"Shift: Tue 08 Dec 2026 10:00-14:00 (America/Denver)\nStatus: scheduled\nContact: Lee Park, 801-555-0100\n" +
				"Post orders:\nPark in lot C.\nRadio channel 2."},
		{"position-42@offduty", "20270101T030000Z", "20270101T070000Z", "Off-duty: Hale Centre (supervisor)",
			"Hale Centre, 3601 S 2700 W, West Valley City, UT 84119",
			"Customer: Hale Centre\nAgency: West Valley City PD\nJob: #13\nPosition: 1 (supervisor)\n" +
				"Shift: Thu 31 Dec 2026 20:00-00:00 (America/Denver)\nStatus: in progress"},
		{"position-43@offduty", "20270102T050000Z", "20270102T090000Z", "Off-duty: Hale Centre (officer)",
			"Hale Centre, 3601 S 2700 W, West Valley City, UT 84119",
			"Customer: Hale Centre\nAgency: West Valley City PD\nJob: #12\nPosition: 2 (officer)\n" +
				"Shift: Fri 01 Jan 2027 22:00 - Sat 02 Jan 02:00 (America/Denver)\nStatus: scheduled\nContact: 801-555-0199"},
		{"position-44@offduty", "20270320T160000Z", "20270320T200000Z", "Off-duty: Hale Centre (officer)",
			"Hale Centre, 3601 S 2700 W, West Valley City, UT 84119",
			"Customer: Hale Centre\nAgency: Elsewhere PD\nJob: #12\nPosition: 2 (officer)\n" +
				"Shift: Sat 20 Mar 2027 09:00-13:00 (America/Phoenix)\nStatus: scheduled"},
	}
	evs := events(t, cal)
	if len(evs) != len(wants) {
		t.Fatalf("%d events, want %d", len(evs), len(wants))
	}
	for i, ev := range evs {
		w := wants[i]
		if got, want := strings.Join(ev.names(), " "),
			"UID DTSTAMP DTSTART DTEND SEQUENCE SUMMARY LOCATION DESCRIPTION STATUS TRANSP"; got != want {
			t.Errorf("event %d properties %s, want %s", i, got, want)
		}
		for name, want := range map[string]string{"UID": w.uid, "DTSTAMP": "20261201T163005Z", "DTSTART": w.start, "DTEND": w.end,
			"SEQUENCE": "0", "STATUS": "CONFIRMED", "TRANSP": "OPAQUE"} {
			if got := ev.one(t, name); got != want {
				t.Errorf("event %d %s:%s, want %s", i, name, got, want)
			}
		}
		for name, want := range map[string]string{"SUMMARY": w.summary, "LOCATION": w.location, "DESCRIPTION": w.desc} {
			if got := ev.text(t, name); got != want {
				t.Errorf("event %d %s %q, want %q", i, name, got, want)
			}
		}
		if len(ev.subs) != 0 {
			t.Errorf("event %d has %d subcomponents", i, len(ev.subs))
		}
	}

	// The library's parser reads the same events back.
	pe := parsed.Events()
	if len(pe) != len(shifts) {
		t.Fatalf("the library reads %d events, want %d", len(pe), len(shifts))
	}
	for i, ev := range pe {
		st, err1 := ev.GetStartAt()
		en, err2 := ev.GetEndAt()
		if ev.Id() != wants[i].uid || err1 != nil || err2 != nil || !st.Equal(shifts[i].Start) || !en.Equal(shifts[i].End) {
			t.Errorf("library event %d: %s %v-%v (%v %v), want %s %v-%v", i, ev.Id(), st, en, err1, err2, wants[i].uid, shifts[i].Start, shifts[i].End)
		}
		if got := ev.GetProperty(ics.ComponentPropertyDescription).Value; got != wants[i].desc {
			t.Errorf("library event %d DESCRIPTION %q, want %q", i, got, wants[i].desc)
		}
	}
}

// trickyOrders are post orders with everything TEXT must escape, a
// backslash-n that is not a newline, and a long line of multi-byte
// characters to fold.
const trickyOrders = "Gate 3, north lot; bags checked, no exceptions.\n" +
	`Radio ch. 2; if late call C:\dispatch\night, then wait; \n is not a newline.` + "\n" +
	"  indented line, kept\n" +
	"Señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 fin"

func TestShiftsICSEscaping(t *testing.T) {
	den := zone(t, "America/Denver")
	st := at(t, den, "2026-12-09 18:00")
	sh := store.OfficerShift{PositionID: 9, JobID: 4, Slot: 1, Class: "officer", Start: st, End: st.Add(3 * time.Hour), JobStatus: "scheduled",
		CustomerName: `Hale Centre, "West"; \ suite`, SiteName: `Lot C; Gate 2, \North`, SiteAddress: "1 Main St,\nSuite 4",
		AgencyName: "West Valley City PD", AgencyZone: "America/Denver", PostOrders: trickyOrders, ContactName: `O'Neil; Pat`}
	o := officer()
	o.LastName = `Fox; Jr, \III`
	cal, _, parsed := shiftsICS(t, o, []store.OfficerShift{sh}, st, den)

	if got, want := cal.text(t, "X-WR-CALNAME"), `Off-duty shifts: Dana Fox; Jr, \III (WV-114)`; got != want {
		t.Errorf("X-WR-CALNAME %q, want %q", got, want)
	}
	if got, want := cal.one(t, "X-WR-CALNAME"), `Off-duty shifts: Dana Fox\; Jr\, \\III (WV-114)`; got != want {
		t.Errorf("raw X-WR-CALNAME %q, want %q", got, want)
	}
	evs := events(t, cal)
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	if got, want := ev.one(t, "LOCATION"), `Lot C\; Gate 2\, \\North\, 1 Main St\, Suite 4`; got != want {
		t.Errorf("raw LOCATION %q, want %q", got, want)
	}
	if got, want := ev.text(t, "SUMMARY"), `Off-duty: Lot C; Gate 2, \North (officer)`; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
	desc := ev.text(t, "DESCRIPTION")
	wantDesc := `Customer: Hale Centre, "West"; \ suite` + "\nAgency: West Valley City PD\nJob: #4\nPosition: 1 (officer)\n" +
		"Shift: Wed 09 Dec 2026 18:00-21:00 (America/Denver)\nStatus: scheduled\nContact: O'Neil; Pat\n" +
		"Post orders:\n" + trickyOrders
	if desc != wantDesc {
		t.Errorf("DESCRIPTION\n%q, want\n%q", desc, wantDesc)
	}
	// The raw value: each special escaped once, newlines as \n, the literal
	// backslash-n as \\n.
	raw := ev.one(t, "DESCRIPTION")
	for _, frag := range []string{`Gate 3\, north lot\; bags checked\,`, `C:\\dispatch\\night\,`, `wait\; \\n is not a newline.\n  indented`} {
		if !strings.Contains(raw, frag) {
			t.Errorf("raw DESCRIPTION lacks %q: %q", frag, raw)
		}
	}
	// The library's parser unescapes to the same text.
	pe := parsed.Events()
	if len(pe) != 1 {
		t.Fatalf("the library reads %d events", len(pe))
	}
	if got := pe[0].GetProperty(ics.ComponentPropertyDescription).Value; got != wantDesc {
		t.Errorf("library DESCRIPTION %q, want %q", got, wantDesc)
	}
	if got := pe[0].GetProperty(ics.ComponentPropertyLocation).Value; got != `Lot C; Gate 2, \North, 1 Main St, Suite 4` {
		t.Errorf("library LOCATION %q", got)
	}
}

// TestShiftsICSCleansText feeds the writer text that reached the database
// some other way: control characters, terminal escapes (OSC, CSI, C1 CSI),
// bidi overrides, bare CRs and an attempt to close the event early must not
// reach the file or break its structure.
func TestShiftsICSCleansText(t *testing.T) {
	den := zone(t, "America/Denver")
	st := at(t, den, "2026-12-01 22:00")
	sh := store.OfficerShift{PositionID: 7, JobID: 3, Slot: 1, Class: "officer\x00", Start: st, End: st.Add(5 * time.Hour), JobStatus: "in_progress",
		CustomerName: "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT Co", SiteName: "Lot\x1b]0;pwn\x07 B\u2028", SiteAddress: "1 Main\rSt\u0085\u202e",
		AgencyName: "West Valley\x1b[2J City PD", AgencyZone: "America/Denver",
		PostOrders:  "line 1\r\nline 2\rline 3 \x1b[31mred\x1b[0m; \u202egnp.exe\u202c C1:\u009b31mgone raw:\x9b31m\n\n",
		ContactName: "A\tB\u2066", ContactPhone: "\x1b]8;;http://x\x1b\\801\x1b]8;;\x1b\\"}
	o := store.Officer{ID: 1, Badge: "X1\u009b1m", FirstName: "Eve\x1b]0;pwn\x07", LastName: "\u202eSmith\x7f"}
	var b bytes.Buffer
	if err := export.ShiftsICS(&b, o, []store.OfficerShift{sh}, st, den); err != nil {
		t.Fatal(err)
	}
	data := b.String()
	if !utf8.ValidString(data) {
		t.Error("the calendar is not valid UTF-8")
	}
	for _, bad := range []string{"\x1b", "\x07", "\x00", "\x7f", "\u009b", "\u0085", "\u2028", "\u202e", "\u202c", "\u2066", "pwn", "http://x"} {
		if strings.Contains(data, bad) {
			t.Errorf("the calendar holds %q", bad)
		}
	}
	if n := strings.Count(data, "\r\nBEGIN:VEVENT\r\n"); n != 1 {
		t.Errorf("%d BEGIN:VEVENT lines, want 1", n)
	}
	cal, _ := readICS(t, data)
	if got, want := cal.text(t, "X-WR-CALNAME"), "Off-duty shifts: Eve Smith (X1)"; got != want {
		t.Errorf("X-WR-CALNAME %q, want %q", got, want)
	}
	evs := events(t, cal)
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	if got, want := ev.text(t, "SUMMARY"), "Off-duty: Lot B (officer)"; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
	if got, want := ev.text(t, "LOCATION"), "Lot B, 1 Main St"; got != want {
		t.Errorf("LOCATION %q, want %q", got, want)
	}
	// A raw 0x9b byte is not a character: it becomes U+FFFD, which is
	// harmless; the C1 CSI character U+009B starts a sequence and goes with it.
	wantDesc := "Customer: Evil END:VEVENT BEGIN:VEVENT Co\nAgency: West Valley City PD\nJob: #3\nPosition: 1 (officer)\n" +
		"Shift: Tue 01 Dec 2026 22:00 - Wed 02 Dec 03:00 (America/Denver)\nStatus: in progress\nContact: A B, 801\n" +
		"Post orders:\nline 1\nline 2\nline 3 red; gnp.exe C1:gone raw:\ufffd31m"
	if got := ev.text(t, "DESCRIPTION"); got != wantDesc {
		t.Errorf("DESCRIPTION\n%q, want\n%q", got, wantDesc)
	}
}

func TestShiftsICSNoShifts(t *testing.T) {
	den := zone(t, "America/Denver")
	stamp := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, shifts := range [][]store.OfficerShift{nil, {}} {
		cal, _, parsed := shiftsICS(t, officer(), shifts, stamp, den)
		if len(cal.subs) != 1 || cal.subs[0].name != "VTIMEZONE" {
			var names []string
			for _, c := range cal.subs {
				names = append(names, c.name)
			}
			t.Fatalf("components %v, want exactly one VTIMEZONE", names)
		}
		if got := cal.text(t, "X-WR-CALNAME"); got != "Off-duty shifts: Dana Fox (WV-114)" {
			t.Errorf("X-WR-CALNAME %q", got)
		}
		tz := cal.subs[0]
		if got := tz.one(t, "TZID"); got != "America/Denver" {
			t.Errorf("TZID %s", got)
		}
		want := map[string][][2]string{
			"STANDARD": {{"DTSTART", "20261101T020000"}, {"TZOFFSETFROM", "-0600"}, {"TZOFFSETTO", "-0700"},
				{"RRULE", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}, {"TZNAME", "MST"}},
			"DAYLIGHT": {{"DTSTART", "20260308T020000"}, {"TZOFFSETFROM", "-0700"}, {"TZOFFSETTO", "-0600"},
				{"RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"}, {"TZNAME", "MDT"}},
		}
		if len(tz.subs) != 2 {
			t.Fatalf("VTIMEZONE has %d subcomponents, want STANDARD and DAYLIGHT", len(tz.subs))
		}
		seen := map[string]bool{}
		for _, sub := range tz.subs {
			w, ok := want[sub.name]
			if !ok || seen[sub.name] {
				t.Fatalf("unexpected %s in VTIMEZONE", sub.name)
			}
			seen[sub.name] = true
			if fmt.Sprint(sub.props) != fmt.Sprint(w) {
				t.Errorf("%s %v, want %v", sub.name, sub.props, w)
			}
		}
		if len(parsed.Events()) != 0 || len(parsed.Timezones()) != 1 {
			t.Errorf("the library reads %d events and %d time zones, want 0 and 1", len(parsed.Events()), len(parsed.Timezones()))
		}
	}
}

// TestShiftsICSTimezoneRules checks the VTIMEZONE against the zone itself:
// the yearly rules, expanded for the following years, land on the instants
// where the zone's offset really changes, from TZOFFSETFROM to TZOFFSETTO.
func TestShiftsICSTimezoneRules(t *testing.T) {
	stamp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone string
		want map[string]string // sub-component: its RRULE
	}{
		{"America/Denver", map[string]string{"STANDARD": "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "DAYLIGHT": "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"}},
		{"Europe/Berlin", map[string]string{"STANDARD": "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "DAYLIGHT": "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}},
		{"Australia/Sydney", map[string]string{"STANDARD": "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "DAYLIGHT": "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU"}},
		{"America/Phoenix", map[string]string{"STANDARD": ""}},
		{"UTC", map[string]string{"STANDARD": ""}},
	} {
		loc := zone(t, tc.zone)
		cal, _, _ := shiftsICS(t, officer(), nil, stamp, loc)
		tz := cal.subs[0]
		if got := tz.one(t, "TZID"); got != tc.zone {
			t.Errorf("%s: TZID %s", tc.zone, got)
		}
		if len(tz.subs) != len(tc.want) {
			t.Fatalf("%s: %d sub-components, want %d", tc.zone, len(tz.subs), len(tc.want))
		}
		for _, sub := range tz.subs {
			rule, ok := tc.want[sub.name]
			if !ok {
				t.Fatalf("%s: unexpected %s", tc.zone, sub.name)
			}
			from, to := parseOffset(t, sub.one(t, "TZOFFSETFROM")), parseOffset(t, sub.one(t, "TZOFFSETTO"))
			if sub.one(t, "TZNAME") == "" {
				t.Errorf("%s %s: empty TZNAME", tc.zone, sub.name)
			}
			if rule == "" { // no DST: the one offset in force
				if _, off := stamp.In(loc).Zone(); from != off || to != off || len(sub.props) != 4 {
					t.Errorf("%s %s: %v, want a fixed offset %d", tc.zone, sub.name, sub.props, off)
				}
				continue
			}
			if got := sub.one(t, "RRULE"); got != rule {
				t.Errorf("%s %s RRULE %s, want %s", tc.zone, sub.name, got, rule)
			}
			if (sub.name == "DAYLIGHT") != (to > from) {
				t.Errorf("%s %s goes from %d to %d", tc.zone, sub.name, from, to)
			}
			start, err := time.Parse("20060102T150405", sub.one(t, "DTSTART"))
			if err != nil {
				t.Fatalf("%s %s DTSTART: %v", tc.zone, sub.name, err)
			}
			if start.Year() != 2026 {
				t.Errorf("%s %s DTSTART %s, want the export's year 2026", tc.zone, sub.name, start)
			}
			month, nth, wd := parseRule(t, rule)
			for year := start.Year(); year <= start.Year()+11; year++ {
				d := nthWeekday(year, month, nth, wd)
				wall := time.Date(year, month, d, start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
				if year == start.Year() && !wall.Equal(start) {
					t.Errorf("%s %s: the rule gives %s in the DTSTART year, DTSTART is %s", tc.zone, sub.name, wall, start)
				}
				instant := wall.Add(-time.Duration(from) * time.Second) // wall clock read at offset from
				_, before := instant.Add(-time.Second).In(loc).Zone()
				_, after := instant.In(loc).Zone()
				if before != from || after != to {
					t.Errorf("%s %s %d: at %s (%s UTC) the offset goes %d -> %d, want %d -> %d",
						tc.zone, sub.name, year, wall.Format("2006-01-02 15:04"), instant.Format("15:04"), before, after, from, to)
				}
			}
		}
	}
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	m := regexp.MustCompile(`^([+-])(\d\d)(\d\d)(\d\d)?$`).FindStringSubmatch(s)
	if m == nil || s == "-0000" {
		t.Fatalf("not a UTC-OFFSET: %q", s)
	}
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	sec, _ := strconv.Atoi("0" + m[4])
	off := h*3600 + mi*60 + sec
	if m[1] == "-" {
		off = -off
	}
	return off
}

// parseRule reads FREQ=YEARLY;BYMONTH=m;BYDAY=nWD.
func parseRule(t *testing.T, rule string) (time.Month, int, time.Weekday) {
	t.Helper()
	m := regexp.MustCompile(`^FREQ=YEARLY;BYMONTH=(\d{1,2});BYDAY=(-?\d)(SU|MO|TU|WE|TH|FR|SA)$`).FindStringSubmatch(rule)
	if m == nil {
		t.Fatalf("unexpected RRULE %q", rule)
	}
	month, _ := strconv.Atoi(m[1])
	nth, _ := strconv.Atoi(m[2])
	wd := time.Weekday(strings.Index("SUMOTUWETHFRSA", m[3]) / 2)
	return time.Month(month), nth, wd
}

// nthWeekday is the day of the month of its nth wd (-1: the last).
func nthWeekday(year int, month time.Month, nth int, wd time.Weekday) int {
	if nth < 0 {
		last := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
		return last.Day() - (int(last.Weekday())-int(wd)+7)%7
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	return 1 + (int(wd)-int(first.Weekday())+7)%7 + 7*(nth-1)
}

// TestShiftsICSFolding: long values, multi-byte names among them, are folded
// at 75 octets between UTF-8 sequences (readICS checks every physical line)
// and unfold to the same text.
func TestShiftsICSFolding(t *testing.T) {
	den := zone(t, "America/Denver")
	st := at(t, den, "2026-12-10 07:00")
	long := strings.Repeat("🚓", 40)     // 160 octets, no spaces: folds inside the word
	accents := strings.Repeat("é", 100) // 2-octet characters
	o := store.Officer{Badge: "Ω-7", FirstName: "Zoë Ægir " + long, LastName: "Ångström-Ñandú ✓✓✓ " + accents}
	sh := store.OfficerShift{PositionID: 1, JobID: 1, Slot: 1, Class: "officer", Start: st, End: st.Add(2 * time.Hour), JobStatus: "scheduled",
		CustomerName: "Café " + accents, SiteName: "Señal " + long, SiteAddress: strings.Repeat("x", 74) + "✓" + strings.Repeat("y", 80),
		AgencyName: "West Valley City PD", PostOrders: trickyOrders + "\n" + long + accents}
	cal, phys, _ := shiftsICS(t, o, []store.OfficerShift{sh}, st, den)

	if got, want := cal.text(t, "X-WR-CALNAME"), "Off-duty shifts: "+o.Name()+" (Ω-7)"; got != want {
		t.Errorf("X-WR-CALNAME %q, want %q", got, want)
	}
	ev := events(t, cal)[0]
	if got, want := ev.text(t, "SUMMARY"), "Off-duty: Señal "+long+" (officer)"; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
	if got, want := ev.text(t, "LOCATION"), sh.SiteName+", "+sh.SiteAddress; got != want {
		t.Errorf("LOCATION %q, want %q", got, want)
	}
	desc := ev.text(t, "DESCRIPTION")
	if _, orders, _ := strings.Cut(desc, "Post orders:\n"); orders != sh.PostOrders {
		t.Errorf("post orders %q, want %q", orders, sh.PostOrders+"\n")
	}
	// Folds did happen, some of them next to multi-byte characters.
	folds, multi := 0, 0
	for _, l := range phys {
		if strings.HasPrefix(l, " ") {
			folds++
			if r, _ := utf8.DecodeRuneInString(l[1:]); r >= utf8.RuneSelf {
				multi++
			}
		}
	}
	if folds < 10 || multi < 3 {
		t.Errorf("%d folded lines, %d of them starting with a multi-byte character", folds, multi)
	}
}

// TestShiftsICSRoundTrip: random text over an alphabet of specials,
// whitespace and multi-byte characters reads back as it was typed (cleaned),
// through the strict reader and the library's parser.
func TestShiftsICSRoundTrip(t *testing.T) {
	den := zone(t, "America/Denver")
	st := at(t, den, "2026-12-10 07:00")
	alphabet := []string{"a", "b", " ", " ", ";", ",", `\`, `\n`, "\n", "\t", "é", "✓", "🚓", ":", `"`, "<", ">"}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() string {
		var b strings.Builder
		for n := rng.IntN(300); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(store.Clean(s, true)), " ") }
	for i := range 300 {
		site, orders := random(), random()
		sh := store.OfficerShift{PositionID: int64(i), Class: "officer", Start: st, End: st.Add(time.Hour), SiteName: site, PostOrders: orders}
		cal, _, parsed := shiftsICS(t, officer(), []store.OfficerShift{sh}, st, den)
		ev := events(t, cal)[0]
		if got, want := ev.text(t, "SUMMARY"), oneLine("Off-duty: "+site+" (officer)"); got != want {
			t.Fatalf("SUMMARY %q, want %q", got, want)
		}
		want := ""
		if po := store.Clean(orders, true); strings.TrimSpace(po) != "" {
			want = "Post orders:\n" + po
		}
		desc := ev.text(t, "DESCRIPTION")
		suffix := "\nStatus: "
		if want != "" {
			suffix += "\n" + want
		}
		if !strings.HasSuffix(desc, suffix) {
			t.Fatalf("DESCRIPTION %q, want it to end with %q", desc, want)
		}
		if got := parsed.Events()[0].GetProperty(ics.ComponentPropertyDescription).Value; got != desc {
			t.Fatalf("the library reads DESCRIPTION %q, the strict reader %q", got, desc)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestShiftsICSWriteError(t *testing.T) {
	den := zone(t, "America/Denver")
	if err := export.ShiftsICS(failWriter{}, officer(), nil, time.Now(), den); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the writer's", err)
	}
}
