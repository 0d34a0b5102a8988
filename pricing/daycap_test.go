package pricing_test

import (
	"strings"
	"testing"
	"time"

	"offduty/pricing"
)

// TestDayCapWarning: a shift with more than 16 h in one local day cannot be
// worked by one officer (the store refuses such an assignment), so the quote
// warns that it needs relief officers. The figures are unchanged: the
// customer pays for the position's hours whoever works them.
func TestDayCapWarning(t *testing.T) {
	const rule = ": no officer may work more than 16 h in a day; it needs relief officers (2 per position)"
	cases := []struct {
		name       string
		agency     string
		start, end string // Denver wall times
		officers   int
		want       string // the whole warning; "" = none
	}{
		{"16 h exactly", "wvc", "2026-12-08 06:00", "2026-12-08 22:00", 2, ""},
		{"16:01 h", "wvc", "2026-12-08 06:00", "2026-12-08 22:01", 2, "16:01 h shift" + rule},
		{"6am-11pm", "wvc", "2026-12-08 06:00", "2026-12-08 23:00", 2, "17 h shift" + rule},
		{"6am-11pm grantsville", "gv", "2026-12-08 06:00", "2026-12-08 23:00", 1, "17 h shift" + rule},
		{"whole day", "wvc", "2026-12-08 00:00", "2026-12-09 00:00", 1, "24 h shift" + rule},
		{"24 h from 6pm", "wvc", "2026-12-24 18:00", "2026-12-25 18:00", 40, "24 h shift, 18 h of it in one day" + rule},
		{"20 h, 17 of it the second day", "wvc", "2026-12-08 21:00", "2026-12-09 17:00", 5, "20 h shift, 17 h of it in one day" + rule},
		{"24 h noon to noon: 12 h a day", "wvc", "2026-12-08 12:00", "2026-12-09 12:00", 1, ""},
		{"18 h overnight, 14 h the second day", "wvc", "2026-12-08 20:00", "2026-12-09 14:00", 1, ""},
		{"10 h", "wvc", "2026-12-08 08:00", "2026-12-08 18:00", 12, ""},
		// real time: the spring-forward day has 23 h, the fall-back day 25 h
		{"spring forward, 18 h on the clock", "wvc", "2026-03-08 00:00", "2026-03-08 18:00", 1, "17 h shift" + rule},
		{"spring forward, 17 h on the clock", "wvc", "2026-03-08 00:00", "2026-03-08 17:00", 1, ""},
		{"fall back, 16 h on the clock", "wvc", "2026-11-01 00:00", "2026-11-01 16:00", 1, "17 h shift" + rule},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := wvc(t)
			if c.agency == "gv" {
				a = gv(t)
			}
			start := at(t, c.start)
			q, err := a.Quote(pricing.Request{Start: start, End: at(t, c.end), Officers: c.officers,
				Venue: pricing.VenueGeneral, Received: start.Add(-30 * 24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range q.Warnings {
				if strings.Contains(w, "in a day") {
					got = append(got, w)
				}
			}
			switch {
			case c.want == "" && len(got) > 0:
				t.Errorf("unexpected warning %q", got)
			case c.want != "" && (len(got) != 1 || got[0] != c.want):
				t.Errorf("warnings %q, want exactly %q", q.Warnings, c.want)
			}
			if !q.Bookable {
				t.Errorf("a long shift is a warning, not a refusal: %v", q.Refusals)
			}
		})
	}
}
