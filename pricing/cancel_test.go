package pricing_test

import (
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

func mustQuote(t *testing.T, a *pricing.Agency, start, end string, officers int, received string) *pricing.Quote {
	t.Helper()
	q, err := a.Quote(pricing.Request{Start: at(t, start), End: at(t, end), Officers: officers, Venue: pricing.VenueGeneral, Received: at(t, received)})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

type wantFee struct {
	kind    string
	class   pricing.Class
	count   int
	minutes int
	rate    string
	amount  string
}

// Hand-computed from RULES.md "Cancellation and reduction": the admin fee for
// the first 24 h of what is removed, per position; inside 48 h of the start,
// also the officer share for max(worked, minimum) per position.
func TestCancellationFee(t *testing.T) {
	a := wvc(t)
	six := mustQuote(t, a, "2026-06-10 10:00", "2026-06-10 16:00", 3, "2026-05-01 10:00")   // 3 officers, 6 h regular
	five := mustQuote(t, a, "2026-06-10 10:00", "2026-06-10 16:00", 5, "2026-05-01 10:00")  // 5 officers + 1 supervisor
	emerg := mustQuote(t, a, "2026-06-10 10:00", "2026-06-10 16:00", 3, "2026-06-08 10:00") // 48 h notice: emergency
	day := mustQuote(t, a, "2026-12-23 10:00", "2026-12-24 10:00", 1, "2026-11-01 10:00")   // 14 h regular + 10 h Christmas Eve
	short := mustQuote(t, a, "2026-06-10 10:00", "2026-06-10 11:00", 1, "2026-05-01 10:00") // 1 h, billed 2 h
	if !emerg.Emergency || six.Emergency || five.Supervisors != 1 || day.ElapsedMinutes != 1440 || short.MinimumTop != 60 {
		t.Fatalf("fixtures: emergency %v/%v supervisors %d elapsed %d top %d", emerg.Emergency, six.Emergency, five.Supervisors, day.ElapsedMinutes, short.MinimumTop)
	}

	// A 30 h assignment cannot be quoted (24 h at most), so it is built by hand:
	// 24 h regular on Dec 23 then 6 h on Christmas Eve.
	d23, d24, d24six := at(t, "2026-12-23 00:00"), at(t, "2026-12-24 00:00"), at(t, "2026-12-24 06:00")
	long := &pricing.Quote{Start: d23, End: d24six, Officers: 1, ElapsedMinutes: 1800, BilledMinutes: 1800,
		Spans: []pricing.Span{
			{Class: pricing.ClassOfficer, Start: d23, End: d24, Basis: "regular", Rate: a.Card.Regular},
			{Class: pricing.ClassOfficer, Start: d24, End: d24six, Basis: "holiday", Rate: a.Card.Holiday, Holiday: "Christmas Eve"},
		}}

	for _, tc := range []struct {
		name        string
		c           pricing.Cancellation
		lines       []wantFee
		total       string
		admin       string
		officer     string
		noteContain string
	}{
		{
			name:  "not approved: no fee",
			c:     pricing.Cancellation{Quote: six, Minimum: 120, Approved: false, At: at(t, "2026-06-10 09:00"), Officers: 3},
			total: "0", admin: "0", officer: "0", noteContain: "not yet approved",
		},
		{
			name:  "72 h ahead: admin fee for the 6 h",
			c:     pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-07 10:00"), Officers: 3},
			lines: []wantFee{{"admin", pricing.ClassOfficer, 3, 360, "7.00", "126.00"}}, // 3 x 6 h x 7.00
			total: "126.00", admin: "126.00", officer: "0", noteContain: "more than 48 h",
		},
		{
			name:  "exactly 48 h ahead is not inside 48 h",
			c:     pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-08 10:00"), Officers: 3},
			lines: []wantFee{{"admin", pricing.ClassOfficer, 3, 360, "7.00", "126.00"}},
			total: "126.00", admin: "126.00", officer: "0",
		},
		{
			name: "47 h ahead: plus the officer share for the 2 h minimum",
			c:    pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-08 11:00"), Officers: 3},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 3, 360, "7.00", "126.00"},
				{"officer", pricing.ClassOfficer, 3, 120, "50.00", "300.00"}, // 3 x 2 h x 50.00
			},
			total: "426.00", admin: "126.00", officer: "300.00", noteContain: "inside 48 h",
		},
		{
			name: "after 3 h worked: officer share for the 3 h",
			c:    pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-10 13:00"), Officers: 3, WorkedMinutes: 180},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 3, 360, "7.00", "126.00"},
				{"officer", pricing.ClassOfficer, 3, 180, "50.00", "450.00"}, // 3 x 3 h x 50.00
			},
			total: "576.00", admin: "126.00", officer: "450.00",
		},
		{
			name: "after 1 h worked: the 2 h minimum is greater",
			c:    pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-10 11:00"), Officers: 3, WorkedMinutes: 60},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 3, 360, "7.00", "126.00"},
				{"officer", pricing.ClassOfficer, 3, 120, "50.00", "300.00"},
			},
			total: "426.00", admin: "126.00", officer: "300.00",
		},
		{
			name: "one of three officers removed inside 48 h",
			c:    pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-08 11:00"), Officers: 1},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 1, 360, "7.00", "42.00"},
				{"officer", pricing.ClassOfficer, 1, 120, "50.00", "100.00"},
			},
			total: "142.00", admin: "42.00", officer: "100.00",
		},
		{
			name:  "hours reduced from 16:00 to 14:00, 72 h ahead",
			c:     pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-07 10:00"), Officers: 3, From: at(t, "2026-06-10 14:00")},
			lines: []wantFee{{"admin", pricing.ClassOfficer, 3, 120, "7.00", "42.00"}}, // 3 x 2 h removed x 7.00
			total: "42.00", admin: "42.00", officer: "0",
		},
		{
			name: "hours reduced from 16:00 to 14:00, inside 48 h",
			c:    pricing.Cancellation{Quote: six, Minimum: 120, Approved: true, At: at(t, "2026-06-09 10:00"), Officers: 3, From: at(t, "2026-06-10 14:00")},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 3, 120, "7.00", "42.00"},
				{"officer", pricing.ClassOfficer, 3, 120, "50.00", "300.00"},
			},
			total: "342.00", admin: "42.00", officer: "300.00",
		},
		{
			name: "whole 5-officer job inside 48 h: the supervisor at the supervisor rates",
			c:    pricing.Cancellation{Quote: five, Minimum: 120, Approved: true, At: at(t, "2026-06-08 11:00"), Officers: 5, Supervisors: 1},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 5, 360, "7.00", "210.00"},
				{"officer", pricing.ClassOfficer, 5, 120, "50.00", "500.00"},
				{"admin", pricing.ClassSupervisor, 1, 360, "8.40", "50.40"},
				{"officer", pricing.ClassSupervisor, 1, 120, "60.00", "120.00"},
			},
			total: "880.40", admin: "260.40", officer: "620.00",
		},
		{
			name:  "supervisor only, 72 h ahead",
			c:     pricing.Cancellation{Quote: five, Minimum: 120, Approved: true, At: at(t, "2026-06-01 10:00"), Supervisors: 1},
			lines: []wantFee{{"admin", pricing.ClassSupervisor, 1, 360, "8.40", "50.40"}},
			total: "50.40", admin: "50.40", officer: "0",
		},
		{
			name: "emergency job: admin and officer share at the emergency rate",
			c:    pricing.Cancellation{Quote: emerg, Minimum: 120, Approved: true, At: at(t, "2026-06-08 11:00"), Officers: 3},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 3, 360, "10.50", "189.00"}, // 3 x 6 h x 10.50
				{"officer", pricing.ClassOfficer, 3, 120, "75.00", "450.00"},
			},
			total: "639.00", admin: "189.00", officer: "450.00",
		},
		{
			name: "24 h over midnight into Christmas Eve: admin at the rate in force",
			c:    pricing.Cancellation{Quote: day, Minimum: 120, Approved: true, At: at(t, "2026-12-19 10:00"), Officers: 1},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 1, 840, "7.00", "98.00"},   // 14 h x 7.00
				{"admin", pricing.ClassOfficer, 1, 600, "10.50", "105.00"}, // 10 h x 10.50
			},
			total: "203.00", admin: "203.00", officer: "0",
		},
		{
			name:  "a 30 h assignment: the admin fee stops after the first 24 h",
			c:     pricing.Cancellation{Quote: long, Minimum: 120, Approved: true, At: at(t, "2026-12-19 10:00"), Officers: 1},
			lines: []wantFee{{"admin", pricing.ClassOfficer, 1, 1440, "7.00", "168.00"}}, // 24 h x 7.00, no holiday hours reached
			total: "168.00", admin: "168.00", officer: "0",
		},
		{
			name: "a 30 h assignment inside 48 h",
			c:    pricing.Cancellation{Quote: long, Minimum: 120, Approved: true, At: at(t, "2026-12-22 10:00"), Officers: 1},
			lines: []wantFee{
				{"admin", pricing.ClassOfficer, 1, 1440, "7.00", "168.00"},
				{"officer", pricing.ClassOfficer, 1, 120, "50.00", "100.00"},
			},
			total: "268.00", admin: "168.00", officer: "100.00",
		},
		{
			// Reading: the original assignment is the billed 2 h (the minimum top-up belongs to it).
			name:  "a 1 h job billed 2 h: admin fee for the 2 billed hours",
			c:     pricing.Cancellation{Quote: short, Minimum: 120, Approved: true, At: at(t, "2026-06-01 10:00"), Officers: 1},
			lines: []wantFee{{"admin", pricing.ClassOfficer, 1, 120, "7.00", "14.00"}},
			total: "14.00", admin: "14.00", officer: "0",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := pricing.CancellationFee(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Lines) != len(tc.lines) {
				t.Fatalf("got %d lines %+v, want %d", len(f.Lines), f.Lines, len(tc.lines))
			}
			for i, w := range tc.lines {
				l := f.Lines[i]
				if l.Kind != w.kind || l.Class != w.class || l.Count != w.count || l.Minutes != w.minutes {
					t.Errorf("line %d = %s %s x%d %d min, want %s %s x%d %d min", i, l.Kind, l.Class, l.Count, l.Minutes, w.kind, w.class, w.count, w.minutes)
				}
				checkMoney(t, "rate", l.Rate, w.rate)
				checkMoney(t, "amount", l.Amount, w.amount)
			}
			checkMoney(t, "total", f.Total, tc.total)
			checkMoney(t, "admin", f.Admin, tc.admin)
			checkMoney(t, "officer", f.Officer, tc.officer)
			if !f.Admin.Add(f.Officer).Equal(f.Total) {
				t.Errorf("admin %s + officer %s != total %s", f.Admin, f.Officer, f.Total)
			}
			if tc.noteContain != "" && !strings.Contains(strings.Join(f.Notes, "\n"), tc.noteContain) {
				t.Errorf("notes %q lack %q", f.Notes, tc.noteContain)
			}
		})
	}
}

func TestCancellationFeeErrors(t *testing.T) {
	a := wvc(t)
	q := mustQuote(t, a, "2026-06-10 10:00", "2026-06-10 16:00", 3, "2026-05-01 10:00")
	base := pricing.Cancellation{Quote: q, Minimum: 120, Approved: true, At: at(t, "2026-06-09 10:00"), Officers: 1}
	for _, tc := range []struct {
		name string
		mod  func(*pricing.Cancellation)
	}{
		{"no quote", func(c *pricing.Cancellation) { c.Quote = nil }},
		{"more officers than the job", func(c *pricing.Cancellation) { c.Officers = 4 }},
		{"negative officers", func(c *pricing.Cancellation) { c.Officers = -1 }},
		{"a supervisor the job does not have", func(c *pricing.Cancellation) { c.Supervisors = 1 }},
		{"nothing", func(c *pricing.Cancellation) { c.Officers = 0 }},
		{"negative worked", func(c *pricing.Cancellation) { c.WorkedMinutes = -1 }},
		{"reduction at the start", func(c *pricing.Cancellation) { c.From = q.Start }},
		{"reduction at the end", func(c *pricing.Cancellation) { c.From = q.End }},
		{"reduction after the end", func(c *pricing.Cancellation) { c.From = q.End.Add(time.Hour) }},
		{"reduction before the start", func(c *pricing.Cancellation) { c.From = q.Start.Add(-time.Hour) }},
	} {
		c := base
		tc.mod(&c)
		if f, err := pricing.CancellationFee(c); err == nil {
			t.Errorf("%s: fee %s, want an error", tc.name, f.Total)
		} else if !f.Total.IsZero() || len(f.Lines) != 0 {
			t.Errorf("%s: error with a fee %s", tc.name, f.Total)
		}
	}
	if f, err := pricing.CancellationFee(base); err != nil || f.Total.IsZero() {
		t.Errorf("base cancellation: %v %v", f.Total, err)
	}
}

func TestWithin48(t *testing.T) {
	start := at(t, "2026-06-10 10:00")
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-48*time.Hour - time.Minute), false},
		{start.Add(-48 * time.Hour), false},
		{start.Add(-48*time.Hour + time.Minute), true},
		{start, true},
		{start.Add(3 * time.Hour), true},
	} {
		if got := pricing.Within48(start, tc.at); got != tc.want {
			t.Errorf("Within48 at %v = %v, want %v", start.Sub(tc.at), got, tc.want)
		}
	}
	// Real hours: across the spring-forward night, 48 wall-clock hours are 47 real ones.
	s := at(t, "2027-03-15 10:00")
	if !pricing.Within48(s, at(t, "2027-03-13 10:00")) {
		t.Errorf("47 real hours before the start is not inside 48 h")
	}
}

func TestFeeLineDescribe(t *testing.T) {
	// The hours may be worded "6:00 h" or "6 h"; the rest is fixed.
	for _, tc := range []struct {
		l          pricing.FeeLine
		prefix     string
		hours, end string
	}{
		{pricing.FeeLine{Kind: "admin", Class: pricing.ClassOfficer, Count: 3, Minutes: 360, Rate: dec("7")}, "admin fee, first 24 h: 3 officers x ", "6", " x 7.00"},
		{pricing.FeeLine{Kind: "officer", Class: pricing.ClassSupervisor, Count: 1, Minutes: 150, Rate: dec("60")}, "officer share inside 48 h: 1 supervisor x ", "2:30", " x 60.00"},
	} {
		got := tc.l.Describe()
		if !strings.HasPrefix(got, tc.prefix+tc.hours) || !strings.HasSuffix(got, tc.end) {
			t.Errorf("Describe = %q, want %q + %s h + %q", got, tc.prefix, tc.hours, tc.end)
		}
	}
}
