package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"offduty/pricing"
	"offduty/store"
)

// icsProp is one content line, unfolded: NAME:VALUE (no parameters: the
// export writes none, so the parser refuses them).
type icsProp struct{ name, value string }

// icsComp is a BEGIN/END component with its properties and subcomponents.
type icsComp struct {
	name  string
	props []icsProp
	subs  []*icsComp
}

// one returns the value of a property that must appear exactly once.
func (c *icsComp) one(t *testing.T, name string) string {
	t.Helper()
	var vals []string
	for _, p := range c.props {
		if p.name == name {
			vals = append(vals, p.value)
		}
	}
	if len(vals) != 1 {
		t.Fatalf("%s has %d %s properties, want exactly 1", c.name, len(vals), name)
	}
	return vals[0]
}

// text is a TEXT property (exactly once), unescaped.
func (c *icsComp) text(t *testing.T, name string) string {
	t.Helper()
	v, err := icsUnescape(c.one(t, name))
	if err != nil {
		t.Fatalf("%s %s: %v", c.name, name, err)
	}
	return v
}

var icsName = regexp.MustCompile(`^[A-Z][A-Z0-9-]*$`)

// parseICS is a strict reader of what the export writes: CRLF line ends only,
// physical lines of at most 75 octets, each valid UTF-8 (folds fall between
// characters), no control characters, BEGIN/END balanced around one VCALENDAR.
func parseICS(t *testing.T, data string) *icsComp {
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
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("line %d has control character %U: %q", i+1, r, l)
			}
		}
		if l == "" {
			t.Fatalf("line %d is empty", i+1)
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(logical) == 0 {
				t.Fatalf("the first line is a continuation")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var root *icsComp
	var stack []*icsComp
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !icsName.MatchString(name) {
			t.Fatalf("not a NAME:VALUE content line (or it has parameters): %q", l)
		}
		switch name {
		case "BEGIN":
			c := &icsComp{name: value}
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
			top.props = append(top.props, icsProp{name, value})
		}
	}
	if len(stack) != 0 || root == nil || root.name != "VCALENDAR" {
		t.Fatalf("unbalanced BEGIN/END or no VCALENDAR (%d left open)", len(stack))
	}
	return root
}

// icsUnescape reads a TEXT value strictly: \\ \; \, \n \N are the only
// escapes, and a bare ; or , is an error.
func icsUnescape(v string) (string, error) {
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

func icsInstant(t *testing.T, v string) time.Time {
	t.Helper()
	at, err := time.Parse("20060102T150405Z", v)
	if err != nil {
		t.Fatalf("not a UTC DATE-TIME: %q", v)
	}
	return at
}

// checkCalendar checks the calendar's properties and each event against the
// store's shifts, in order, and returns the events.
func checkCalendar(t *testing.T, data string, o store.Officer, shifts []store.OfficerShift, stamp time.Time) []*icsComp {
	t.Helper()
	cal := parseICS(t, data)
	for name, want := range map[string]string{"VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": "PUBLISH"} {
		if got := cal.one(t, name); got != want {
			t.Errorf("%s:%s, want %s", name, got, want)
		}
	}
	if cal.one(t, "PRODID") == "" {
		t.Error("empty PRODID")
	}
	if got, want := cal.text(t, "X-WR-CALNAME"), fmt.Sprintf("Off-duty shifts: %s (%s)", o.Name(), o.Badge); got != want {
		t.Errorf("X-WR-CALNAME %q, want %q", got, want)
	}
	// The office's VTIMEZONE comes first (a calendar with no shift still
	// holds a component, as RFC 5545 wants), then one VEVENT a shift.
	if len(cal.subs) == 0 || cal.subs[0].name != "VTIMEZONE" || cal.subs[0].one(t, "TZID") != "America/Denver" {
		t.Fatalf("the calendar does not start with the office's VTIMEZONE")
	}
	events := cal.subs[1:]
	if len(events) != len(shifts) {
		t.Fatalf("%d events, want %d", len(events), len(shifts))
	}
	uids := map[string]bool{}
	for i, ev := range events {
		sh := shifts[i]
		if ev.name != "VEVENT" || len(ev.subs) != 0 {
			t.Fatalf("component %d is %s with %d subcomponents", i, ev.name, len(ev.subs))
		}
		uid := ev.one(t, "UID")
		if uids[uid] {
			t.Errorf("UID %s twice", uid)
		}
		uids[uid] = true
		if want := fmt.Sprintf("position-%d@offduty", sh.PositionID); uid != want {
			t.Errorf("event %d UID %s, want %s", i, uid, want)
		}
		if got := icsInstant(t, ev.one(t, "DTSTAMP")); !got.Equal(stamp) {
			t.Errorf("%s DTSTAMP %s, want the clock %s", uid, got, stamp)
		}
		st, en := icsInstant(t, ev.one(t, "DTSTART")), icsInstant(t, ev.one(t, "DTEND"))
		if !st.Before(en) || !st.Equal(sh.Start) || !en.Equal(sh.End) {
			t.Errorf("%s %s - %s, want %s - %s", uid, st, en, sh.Start, sh.End)
		}
		if got, want := ev.text(t, "SUMMARY"), "Off-duty: "+sh.SiteName+" ("+sh.Class+")"; got != want {
			t.Errorf("%s SUMMARY %q, want %q", uid, got, want)
		}
		if got, want := ev.text(t, "LOCATION"), sh.SiteName+", "+sh.SiteAddress; got != want {
			t.Errorf("%s LOCATION %q, want %q", uid, got, want)
		}
		desc := ev.text(t, "DESCRIPTION")
		head, orders, hasOrders := strings.Cut(desc, "Post orders:\n")
		if !hasOrders {
			head = desc
		}
		if orders != sh.PostOrders {
			t.Errorf("%s post orders %q, want %q", uid, orders, sh.PostOrders)
		}
		fields := map[string]string{}
		for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				t.Errorf("%s description line %q is not Label: value", uid, l)
			}
			fields[k] = v
		}
		want := map[string]string{"Customer": sh.CustomerName, "Agency": sh.AgencyName, "Job": fmt.Sprintf("#%d", sh.JobID),
			"Position": fmt.Sprintf("%d (%s)", sh.Slot, sh.Class), "Status": strings.ReplaceAll(sh.JobStatus, "_", " "),
			"Contact": sh.ContactName + ", " + sh.ContactPhone}
		for k, w := range want {
			if fields[k] != w {
				t.Errorf("%s description %s: %q, want %q", uid, k, fields[k], w)
			}
		}
		if !strings.HasPrefix(fields["Shift"], sh.Start.In(denverLoc(t)).Format("Mon 02 Jan 2006 15:04")) {
			t.Errorf("%s description Shift: %q, start %s", uid, fields["Shift"], sh.Start.In(denverLoc(t)))
		}
		if ev.one(t, "STATUS") != "CONFIRMED" {
			t.Errorf("%s STATUS %s", uid, ev.one(t, "STATUS"))
		}
	}
	return events
}

// trickyOrders are post orders with everything TEXT must escape, and a long
// line of multi-byte characters to fold.
const trickyOrders = "Gate 3, north lot; bags checked, no exceptions.\n" +
	`Radio ch. 2; if late call C:\dispatch\night, then wait.` + "\n" +
	"Señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 señal — café ✓ 🚓 fin"

func TestShiftsExport(t *testing.T) {
	env := demoEnv(t)
	stamp := local(t, env["OFFDUTY_NOW"])
	// The demo officer with the most upcoming shifts, given one more on a
	// Wednesday after the demo data with tricky text.
	var o store.Officer
	var shifts []store.OfficerShift
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		all, err := s.Officers(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range all {
			got, err := s.OfficerShifts(ctx, "", x.ID, stamp, 0)
			if err != nil {
				t.Fatal(err)
			}
			if x.AgencySlug == "west-valley-city" && len(got) > len(shifts) {
				o, shifts = x, got
			}
		}
		st := local(t, "2027-02-10 18:00")
		ids, err := s.CreateJobs(ctx, "test", store.JobInput{
			NewCustomer: &store.CustomerInput{Name: "Ünïcode, Café; & Co"},
			NewSite:     &store.SiteInput{Name: `Gate 3; north, "lot"`, Address: `1 Main St, Suite \ 4; West Valley City`},
			Agency:      "west-valley-city", Start: st, End: st.Add(4 * time.Hour), Officers: 1, Venue: pricing.VenueRetail, Received: s.Now(),
			ContactName: "Pat O'Neil, Jr.", ContactPhone: "801-555-0100", PostOrders: trickyOrders})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Approve(ctx, "test", ids[0]); err != nil {
			t.Fatal(err)
		}
		j, err := s.Job(ctx, "", ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, "test", j.Positions[0].ID, o.ID, ""); err != nil {
			t.Fatal(err)
		}
		if shifts, err = s.OfficerShifts(ctx, "", o.ID, stamp, 0); err != nil {
			t.Fatal(err)
		}
	})
	if len(shifts) < 3 || shifts[len(shifts)-1].PostOrders != trickyOrders {
		t.Fatalf("%s has %d shifts; the last one's post orders %q", o.Badge, len(shifts), shifts[len(shifts)-1].PostOrders)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "shifts.ics")
	os.WriteFile(file, []byte("an older export"), 0o600) // replaced, keeping its mode
	r := runWith(env, "shifts", "export", "--officer", strings.ToLower(o.Badge), "--format", "ics", "-o", file)
	if r.code != 0 || r.stdout != "" || r.stderr != fmt.Sprintf("wrote %d shifts to %s\n", len(shifts), file) {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	checkCalendar(t, string(data), o, shifts, stamp)
	if !strings.Contains(string(data), "\r\n ") {
		t.Error("nothing was folded")
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the replaced file's mode: %v %v", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the file alone (no temporary file left)", len(entries))
	}

	// stdout: the same bytes, with no -o or with -o -; the numeric id and #id work too.
	for _, args := range [][]string{{"--officer", o.Badge}, {"--officer", o.Badge, "-o", "-"}, {"--officer", fmt.Sprint(o.ID)},
		{"--officer", fmt.Sprintf("#%d", o.ID), "--output", "-"}} {
		r := runWith(env, append([]string{"shifts", "export"}, args...)...)
		if r.code != 0 || r.stderr != "" || r.stdout != string(data) {
			t.Errorf("%v: exit %d, stderr %q, stdout differs from the file: %v", args, r.code, r.stderr, r.stdout != string(data))
		}
	}

	// --from: the shifts that end after that day's start, office time.
	r = runWith(env, "shifts", "export", "--officer", o.Badge, "--from", "2027-02-10")
	if r.code != 0 {
		t.Fatalf("--from: exit %d %q", r.code, r.stderr)
	}
	evs := checkCalendar(t, r.stdout, o, shifts[len(shifts)-1:], stamp)
	if got := evs[0].text(t, "DESCRIPTION"); !strings.Contains(got, "Post orders:\n"+trickyOrders) || !strings.Contains(got, "Customer: Ünïcode, Café; & Co\n") {
		t.Errorf("description %q", got)
	}
	// After every shift: an empty calendar, still well formed.
	r = runWith(env, "shifts", "export", "--officer", o.Badge, "--from", "2030-01-01", "-o", file)
	if r.code != 0 || r.stderr != "wrote 0 shifts to "+file+"\n" {
		t.Fatalf("no shifts: exit %d %q", r.code, r.stderr)
	}
	data, _ = os.ReadFile(file)
	checkCalendar(t, string(data), o, nil, stamp)
}

func TestShiftsExportRefusals(t *testing.T) {
	env := demoEnv(t)
	// A Grantsville officer with a West Valley City badge, in another case.
	var wv, gv store.Officer
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		wv = officerByBadge(t, ctx, s, "WV1702")
		a, err := s.AgencyBySlug(ctx, "grantsville")
		if err != nil {
			t.Fatal(err)
		}
		gv, err = s.CreateOfficer(ctx, "test", store.OfficerInput{AgencyID: a.ID, Badge: "wv1702", FirstName: "Gale", LastName: "Twin",
			Rank: "officer", WeeklyCapMinutes: 40 * 60, HiredOn: time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "out.ics")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"shifts"}, "want a subcommand"},
		{[]string{"shifts", "import"}, `unknown subcommand "import"`},
		{[]string{"shifts", "--officer", "WV1702"}, "the subcommand comes first"},
		{[]string{"shifts", "export"}, "--officer is required"},
		{[]string{"shifts", "export", "--officer", "  "}, "--officer is required"},
		{[]string{"shifts", "export", "--officer", "NOPE1", "-o", file}, `no officer with badge or id "NOPE1"`},
		{[]string{"shifts", "export", "--officer", "999999"}, `no officer with badge or id "999999"`},
		{[]string{"shifts", "export", "--officer", "#999999"}, "no officer with id 999999"},
		{[]string{"shifts", "export", "--officer", "#x"}, "want a badge or an officer id"},
		{[]string{"shifts", "export", "--officer", "Wv1702", "-o", file}, "give the officer's numeric id"},
		{[]string{"shifts", "export", "--officer", "WV1702", "--format", "csv", "-o", file}, `unknown format "csv" (known: ics)`},
		{[]string{"shifts", "export", "--officer", "WV1702", "--from", "12/24"}, "--from: want YYYY-MM-DD"},
		{[]string{"shifts", "export", "--officer", "WV1702", "--bogus"}, "unknown flag"},
		{[]string{"shifts", "export", "--officer", "WV1702", "extra"}, `unexpected argument "extra"`},
		{[]string{"shifts", "export", "--officer", fmt.Sprint(wv.ID), "-o", filepath.Join(dir, "missing", "out.ics")}, "no folder"},
		{[]string{"shifts", "export", "--officer", fmt.Sprint(wv.ID), "-o", dir}, "is a folder"},
	} {
		refused(t, runWith(env, c.args...), 1, c.want)
	}
	// The ambiguous badge names both officers' ids.
	r := runWith(env, "shifts", "export", "--officer", "wv1702")
	for _, want := range []string{fmt.Sprint(wv.ID), fmt.Sprint(gv.ID), "west-valley-city", "grantsville"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("ambiguous badge: %q does not name %s", r.stderr, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused export left %d files", len(entries))
	}
	// Each id picks its officer.
	for _, o := range []store.Officer{wv, gv} {
		r := runWith(env, "shifts", "export", "--officer", fmt.Sprint(o.ID))
		if r.code != 0 || !strings.Contains(r.stdout, "X-WR-CALNAME:Off-duty shifts: "+o.Name()+" ("+o.Badge+")\r\n") {
			t.Errorf("--officer %d: exit %d %q\n%s", o.ID, r.code, r.stderr, r.stdout)
		}
	}
}

func TestShiftsHelp(t *testing.T) {
	env := testEnv(t)
	for _, args := range [][]string{{"shifts", "--help"}, {"help", "shifts"}} {
		r := runWith(env, args...)
		if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "USAGE") != 1 || !strings.Contains(r.stdout, "export") {
			t.Errorf("%v: exit %d stderr %q\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
	for _, args := range [][]string{{"shifts", "export", "--help"}, {"shifts", "export", "-h"}, {"help", "shifts", "export"}} {
		r := runWith(env, args...)
		if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "USAGE") != 1 || !strings.Contains(r.stdout, "offduty shifts export") || !strings.Contains(r.stdout, "Exit status") {
			t.Errorf("%v: exit %d stderr %q\n%s", args, r.code, r.stderr, r.stdout)
		}
		for _, f := range []string{"--db", "--now", "--demo", "--officer", "--format", "-o --output", "--from"} {
			if !strings.Contains(r.stdout, "  "+f) {
				t.Errorf("%v does not explain %s", args, f)
			}
		}
	}
	if top := runWith(env, "--help").stdout; !strings.Contains(top, "  shifts ") {
		t.Error("top-level help does not list shifts")
	}
}
