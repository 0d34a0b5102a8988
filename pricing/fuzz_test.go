package pricing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// fuzzBase is the first instant a fuzzed shift can start at; shifts start
// anywhere in the three years after it (holidays, both clock changes, midnights).
var fuzzBase = time.Date(2026, 1, 1, 0, 0, 0, 0, denver)

const fuzzSpan = 3 * 366 * 24 * 60 // minutes

func posMod(v, m int) int { return ((v % m) + m) % m }

type fuzzInput struct {
	a        *pricing.Agency
	req      pricing.Request
	received time.Time
}

func fuzzRequest(agencies []*pricing.Agency, startOffset, length, officers, vehicles, lead, venueIndex, agencyIndex int) fuzzInput {
	start := fuzzBase.Add(time.Duration(posMod(startOffset, fuzzSpan)) * time.Minute)
	venue := pricing.Venue("bogus")
	if i := posMod(venueIndex, len(pricing.Venues)+1); i < len(pricing.Venues) {
		venue = pricing.Venues[i]
	}
	received := start.Add(-time.Duration(posMod(lead, 12*24*60)-24*60) * time.Minute) // from 1 day after to 11 days before the start
	return fuzzInput{
		a: agencies[posMod(agencyIndex, len(agencies))],
		req: pricing.Request{
			Start:    start,
			End:      start.Add(time.Duration(posMod(length, 1500)) * time.Minute), // 0 and > 24 h are invalid
			Officers: posMod(officers, 503),                                        // 0, 501 and 502 are invalid
			Vehicles: posMod(vehicles, 503) - 1,                                    // -1 and 501 are invalid
			Venue:    venue,
			Received: received,
		},
		received: received,
	}
}

// checkQuote checks the invariants every successful quote must hold.
func checkQuote(t *testing.T, a *pricing.Agency, r pricing.Request, q *pricing.Quote) {
	t.Helper()
	total, pay, admin := decimal.Zero, decimal.Zero, decimal.Zero
	minutes := map[pricing.Class]int{}
	half := dec("0.005")
	for i, l := range q.Lines {
		if l.Amount.IsNegative() || l.OfficerPay.IsNegative() || l.AdminFee.IsNegative() {
			t.Fatalf("line %d negative: %+v", i, l)
		}
		if !l.OfficerPay.Add(l.AdminFee).Equal(l.Amount) {
			t.Fatalf("line %d: officer %s + admin %s != amount %s", i, l.OfficerPay, l.AdminFee, l.Amount)
		}
		if !l.Amount.Equal(l.Amount.Round(2)) || !l.OfficerPay.Equal(l.OfficerPay.Round(2)) {
			t.Fatalf("line %d not in whole cents: %s %s", i, l.Amount, l.OfficerPay)
		}
		exact := l.Rate.Total.Mul(decimal.NewFromInt(int64(l.Count * l.Minutes))).Div(decimal.NewFromInt(60))
		if l.Amount.Sub(exact).Abs().GreaterThan(half) {
			t.Fatalf("line %d amount %s is not %s rounded", i, l.Amount, exact)
		}
		if l.Count <= 0 || l.Minutes <= 0 {
			t.Fatalf("line %d with count %d minutes %d", i, l.Count, l.Minutes)
		}
		total = total.Add(l.Amount)
		pay = pay.Add(l.OfficerPay)
		admin = admin.Add(l.AdminFee)
		minutes[l.Class] += l.Minutes
	}
	if !total.Equal(q.Total) || !pay.Equal(q.OfficerPay) || !admin.Equal(q.AdminFee) {
		t.Fatalf("sums %s/%s/%s != quote %s/%s/%s", total, pay, admin, q.Total, q.OfficerPay, q.AdminFee)
	}
	if !q.OfficerPay.Add(q.AdminFee).Equal(q.Total) {
		t.Fatalf("officer pay %s + admin %s != total %s", q.OfficerPay, q.AdminFee, q.Total)
	}
	elapsed := int(r.End.Sub(r.Start) / time.Minute)
	billed := max(elapsed, a.Card.MinimumMinutes)
	if q.ElapsedMinutes != elapsed || q.BilledMinutes != billed {
		t.Fatalf("elapsed/billed %d/%d, want %d/%d", q.ElapsedMinutes, q.BilledMinutes, elapsed, billed)
	}
	if minutes[pricing.ClassOfficer] != billed {
		t.Fatalf("officer lines bill %d min, want %d", minutes[pricing.ClassOfficer], billed)
	}
	wantSup := 0
	if a.Card.SupervisorAt > 0 && r.Officers >= a.Card.SupervisorAt {
		wantSup = 1
	}
	if q.Supervisors != wantSup || minutes[pricing.ClassSupervisor] != wantSup*billed {
		t.Fatalf("supervisors %d billing %d min, want %d", q.Supervisors, minutes[pricing.ClassSupervisor], wantSup)
	}
	if r.Vehicles > 0 && minutes[pricing.ClassVehicle] != billed || r.Vehicles == 0 && minutes[pricing.ClassVehicle] != 0 {
		t.Fatalf("vehicle minutes %d", minutes[pricing.ClassVehicle])
	}
	short := r.Start.Sub(r.Received) < time.Duration(a.Card.NoticeMinutes)*time.Minute
	if q.Emergency != (short && a.Card.Emergency.Offered()) {
		t.Fatalf("emergency %v with short %v", q.Emergency, short)
	}
	_, banned := a.Prohibited[r.Venue]
	wantBookable := !banned && !(short && !a.Card.Emergency.Offered())
	if q.Bookable != wantBookable || q.Bookable != (len(q.Refusals) == 0) {
		t.Fatalf("bookable %v refusals %v, want bookable %v", q.Bookable, q.Refusals, wantBookable)
	}
	if short && !a.Card.Emergency.Offered() && !q.EarliestStart.Equal(r.Received.Add(time.Duration(a.Card.NoticeMinutes)*time.Minute)) {
		t.Fatalf("earliest start %v", q.EarliestStart)
	}
	for _, l := range q.Lines {
		if q.Emergency && l.Class != pricing.ClassVehicle && l.Basis != pricing.BasisEmergency {
			t.Fatalf("emergency quote with a %s line", l.Basis)
		}
		if l.Class == pricing.ClassVehicle && !l.Rate.Total.Equal(a.Card.Vehicle.Total) {
			t.Fatalf("vehicle line at %s", l.Rate.Total)
		}
	}
}

func officerLines(q *pricing.Quote) int {
	n := 0
	for _, l := range q.Lines {
		if l.Class == pricing.ClassOfficer {
			n++
		}
	}
	return n
}

func FuzzQuote(f *testing.F) {
	// start offset (min after 2026-01-01 00:00 Denver), length, officers, vehicles, lead, venue, agency
	dec23 := int(time.Date(2026, 12, 23, 22, 0, 0, 0, denver).Sub(fuzzBase) / time.Minute)
	spring := int(time.Date(2027, 3, 13, 22, 0, 0, 0, denver).Sub(fuzzBase) / time.Minute)
	fall := int(time.Date(2026, 10, 31, 22, 0, 0, 0, denver).Sub(fuzzBase) / time.Minute)
	lead := 24*60 + 30*24*60 // 30 days before (see fuzzRequest)
	f.Add(dec23, 240, 2, 0, lead, 0, 0)
	f.Add(dec23+60, 90, 1, 0, lead, 0, 0)
	f.Add(dec23+24*60, 240, 5, 1, lead, 3, 0)
	f.Add(spring, 420, 1, 0, lead, 0, 0)
	f.Add(fall, 540, 4, 2, lead, 6, 0)
	f.Add(dec23, 240, 5, 1, 24*60+72*60-1, 0, 0) // emergency
	f.Add(dec23, 240, 2, 0, 24*60+24*60-1, 0, 1) // Grantsville short notice
	f.Add(dec23, 121, 7, 3, lead, 7, 0)          // alcohol
	f.Add(dec23, 121, 10, 0, lead, 10, 1)        // labor dispute
	f.Add(0, 60, 1, 2, 0, 0, 0)                  // received a day after the start
	f.Add(1000, 1440, 500, 500, lead, 11, 0)     // limits; bogus venue
	f.Add(-5, -5, -5, -5, -5, -5, -5)

	agencies := []*pricing.Agency{wvc(f), gv(f)}
	f.Fuzz(func(t *testing.T, startOffset, length, officers, vehicles, lead, venueIndex, agencyIndex int) {
		in := fuzzRequest(agencies, startOffset, length, officers, vehicles, lead, venueIndex, agencyIndex)
		a, r := in.a, in.req
		q, err := a.Quote(r)
		if err != nil {
			var ie *pricing.InputError
			if !errors.As(err, &ie) || ie.Field == "" || ie.Msg == "" {
				t.Fatalf("error %v is not an InputError with a field", err)
			}
			if q != nil {
				t.Fatalf("a quote with an error")
			}
			return
		}
		checkQuote(t, a, r, q)
		if again, _ := a.Quote(r); !again.Total.Equal(q.Total) {
			t.Fatalf("not deterministic: %s then %s", q.Total, again.Total)
		}

		// One more officer never lowers the total (even when it adds a supervisor).
		if r.Officers < pricing.MaxOfficers {
			r2 := r
			r2.Officers++
			q2, err := a.Quote(r2)
			if err != nil {
				t.Fatalf("one more officer: %v", err)
			}
			checkQuote(t, a, r2, q2)
			if q2.Total.LessThan(q.Total) {
				t.Fatalf("officers %d -> %d: total %s -> %s", r.Officers, r2.Officers, q.Total, q2.Total)
			}
		}
		// One more vehicle never lowers the total, and adds exactly one vehicle's worth.
		if a.Card.Vehicle.Offered() && r.Vehicles < pricing.MaxVehicles {
			r2 := r
			r2.Vehicles++
			q2, err := a.Quote(r2)
			if err != nil {
				t.Fatalf("one more vehicle: %v", err)
			}
			checkQuote(t, a, r2, q2)
			if q2.Total.LessThan(q.Total) {
				t.Fatalf("vehicles %d -> %d: total %s -> %s", r.Vehicles, r2.Vehicles, q.Total, q2.Total)
			}
		}
		// One more minute (received fixed) never lowers the total once the shift is at
		// least the minimum. Below the minimum, the extra minute replaces a minute of
		// top-up billed at the first minute's rate (RULES.md, Quote 5), so the total can
		// only drop when the shift crosses into a cheaper rate.
		if r.End.Sub(r.Start) < pricing.MaxShiftMinutes*time.Minute {
			r2 := r
			r2.End = r.End.Add(time.Minute)
			q2, err := a.Quote(r2)
			if err != nil {
				t.Fatalf("one more minute: %v", err)
			}
			checkQuote(t, a, r2, q2)
			if q2.Total.LessThan(q.Total) && (q.ElapsedMinutes >= a.Card.MinimumMinutes || officerLines(q2) < 2) {
				t.Fatalf("length %d -> %d min: total %s -> %s", q.ElapsedMinutes, q2.ElapsedMinutes, q.Total, q2.Total)
			}
		}
	})
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"2.5", "6", "1.75", "24", "0", "-1", "25", "abc", "2.51", "0.05", " 3 ", "+2", ".5", "1e2", "24.0000", "00000000000000000001", "0.0000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := pricing.ParseHours(s)
		if err != nil {
			if m != 0 {
				t.Fatalf("ParseHours(%q) = %d with error %v", s, m, err)
			}
			return
		}
		if m < 1 || m > pricing.MaxShiftMinutes {
			t.Fatalf("ParseHours(%q) = %d, out of range", s, m)
		}
		// The input is exactly m minutes.
		d, derr := decimal.NewFromString(strings.TrimSpace(s))
		if derr != nil || !d.Mul(decimal.NewFromInt(60)).Equal(decimal.NewFromInt(int64(m))) {
			t.Fatalf("ParseHours(%q) = %d, but the input is %s h (%v)", s, m, d, derr)
		}
		// Round trip through the canonical decimal form of m/60 (exact: a decimal
		// number of hours that is whole minutes is a multiple of 3 minutes).
		if m%3 != 0 {
			t.Fatalf("ParseHours(%q) = %d, not a multiple of 3 minutes", s, m)
		}
		canon := decimal.NewFromInt(int64(m)).Div(decimal.NewFromInt(60)).String()
		if back, err := pricing.ParseHours(canon); err != nil || back != m {
			t.Fatalf("round trip %q -> %d -> %q -> %d, %v", s, m, canon, back, err)
		}
	})
}

func FuzzParseLocal(f *testing.F) {
	for _, s := range []string{"2026-12-24 10:00", "2027-03-14 02:30", "2026-11-01 01:30", "2026-02-30 10:00", "2026-12-24 25:00",
		"2026-12-24T23:59", "2028-02-29 00:00", "0000-01-01 00:00", "9999-12-31 23:59", "2026-1-5 9:30", "garbage", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := pricing.ParseLocal(s, denver)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("ParseLocal(%q) = %v with error %v", s, got, err)
			}
			return
		}
		wall := got.In(denver).Format("2006-01-02 15:04")
		back, err := pricing.ParseLocal(wall, denver)
		if err != nil || !back.Equal(got) {
			t.Fatalf("round trip %q -> %v -> %q -> %v, %v", s, got, wall, back, err)
		}
		back, err = pricing.ParseLocal(strings.Replace(wall, " ", "T", 1), denver)
		if err != nil || !back.Equal(got) {
			t.Fatalf("T form of %q: %v, %v", wall, back, err)
		}
		// The first occurrence: an hour earlier never shows the same wall clock.
		if got.Add(-time.Hour).In(denver).Format("2006-01-02 15:04") == wall {
			t.Fatalf("%q resolved to the second occurrence %v", s, got)
		}
		// A canonical input reads back as itself.
		if c := strings.Replace(strings.TrimSpace(s), "T", " ", 1); len(c) == 16 && c != wall {
			t.Fatalf("ParseLocal(%q) shows %q", s, wall)
		}
		if got.Year() >= 1900 && got.Second() != 0 {
			t.Fatalf("ParseLocal(%q) = %v, not on a whole minute", s, got)
		}
	})
}
