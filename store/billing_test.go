package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"offduty/store"
)

// TestBillingEndedPeriods is RULES.md "Invoices and payroll": a period can
// be billed once its last day is before today (office time); billing for a
// date D takes, per account, every ended period of its own cycle up to D not
// billed yet, oldest first (catch-up), never one still running. Weekly,
// biweekly and monthly accounts around the turn of 2026 into 2027.
func TestBillingEndedPeriods(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	accounts := map[string]int64{}
	for _, a := range []struct{ name, cycle string }{{"W weekly", "weekly"}, {"B biweekly", "biweekly"}, {"M monthly", "monthly"}} {
		c, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: a.name, BillingCycle: a.cycle})
		if err != nil {
			t.Fatal(err)
		}
		site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: c.ID, Name: a.name + " lot"})
		if err != nil {
			t.Fatal(err)
		}
		accounts[a.name[:1]] = c.ID
		work := map[string][]string{
			// weeks Mon-Sun: 21-27 Dec, 28 Dec-3 Jan, 4-10 Jan
			"W": {"2026-12-21", "2026-12-30", "2027-01-02", "2027-01-04"},
			// two weeks from Mon 1 Jan 2024: 14-27 Dec, 28 Dec-10 Jan
			"B": {"2026-12-15", "2026-12-27", "2026-12-28", "2027-01-08"},
			// months: Nov, Dec (its last day too), Jan
			"M": {"2026-11-30", "2026-12-15", "2026-12-31", "2027-01-03"},
		}[a.name[:1]]
		for i, d := range work {
			workedJob(t, s, c.ID, site.ID, shift{start: d + " 10:00", end: d + " 14:00", officers: 1}, fmt.Sprintf("%s%d", a.name[:1], i))
		}
	}
	name := map[int64]string{}
	for k, id := range accounts {
		name[id] = k
	}
	// periods lists invoices as "W 2026-12-21" (account, period start),
	// sorted, one a line.
	periods := func(invs []store.Invoice) string {
		var out []string
		for _, inv := range invs {
			out = append(out, name[inv.CustomerID]+" "+inv.PeriodStart.Format("2006-01-02"))
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	}
	for _, c := range []struct {
		today, day     string // the clock's day, and D
		ready, running string
	}{
		{"2026-12-28 09:00", "2026-12-28", "B 2026-12-14, M 2026-11-01, W 2026-12-21", "B 2026-12-28, M 2026-12-01, W 2026-12-28"},
		{"2026-12-31 09:00", "2026-12-31", "B 2026-12-14, M 2026-11-01, W 2026-12-21", "B 2026-12-28, M 2026-12-01, W 2026-12-28"},
		// New Year's Day: December has ended, the week over the turn of the year has not.
		{"2027-01-01 09:00", "2027-01-01", "B 2026-12-14, M 2026-11-01, M 2026-12-01, W 2026-12-21", "B 2026-12-28, M 2027-01-01, W 2026-12-28"},
		{"2027-01-05 09:00", "2027-01-05", "B 2026-12-14, M 2026-11-01, M 2026-12-01, W 2026-12-21, W 2026-12-28", "B 2026-12-28, M 2027-01-01, W 2027-01-04"},
		// A date in the past bills what had ended by then, even today.
		{"2027-01-05 09:00", "2026-12-31", "B 2026-12-14, M 2026-11-01, M 2026-12-01, W 2026-12-21", "B 2026-12-28, M 2027-01-01, W 2027-01-04"},
		{"2027-01-05 09:00", "2026-11-29", "", "B 2026-12-28, M 2027-01-01, W 2027-01-04"},
		// A date ahead bills up to yesterday, never what still runs.
		{"2027-01-05 09:00", "2027-03-01", "B 2026-12-14, M 2026-11-01, M 2026-12-01, W 2026-12-21, W 2026-12-28", "B 2026-12-28, M 2027-01-01, W 2027-01-04"},
		{"2027-02-10 09:00", "2027-02-10", "B 2026-12-14, B 2026-12-28, M 2026-11-01, M 2026-12-01, M 2027-01-01, W 2026-12-21, W 2026-12-28, W 2027-01-04", ""},
	} {
		setClock(t, c.today)
		ready, err := s.GenerateInvoices(ctx, "office", day(t, c.day), 0, false)
		if err != nil {
			t.Fatal(err)
		}
		running, err := s.RunningInvoices(ctx, "office", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := periods(ready); got != c.ready {
			t.Errorf("today %s, billing for %s: ready %q, want %q", c.today[:10], c.day, got, c.ready)
		}
		if got := periods(running); got != c.running {
			t.Errorf("today %s: running %q, want %q", c.today[:10], got, c.running)
		}
		// Oldest first within an account.
		for i := 1; i < len(ready); i++ {
			if ready[i].CustomerID == ready[i-1].CustomerID && !ready[i].PeriodStart.After(ready[i-1].PeriodStart) {
				t.Errorf("%s: %s before %s", name[ready[i].CustomerID], ready[i-1].PeriodStart.Format("2006-01-02"), ready[i].PeriodStart.Format("2006-01-02"))
			}
		}
	}

	// On 5 Jan: the catch-up is saved, one account per transaction; then
	// nothing is left for that date, and the weeks and months still
	// running are billed later, once.
	setClock(t, "2027-01-05 09:00")
	saved, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-05"), 0, true)
	if err != nil || periods(saved) != "B 2026-12-14, M 2026-11-01, M 2026-12-01, W 2026-12-21, W 2026-12-28" {
		t.Fatalf("saved %q, %v", periods(saved), err)
	}
	if again, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-05"), 0, true); err != nil || len(again) != 0 {
		t.Errorf("saved again: %q, %v", periods(again), err)
	}
	issued, err := s.IssueDrafts(ctx, "office", day(t, "2027-01-05"), accounts["W"], day(t, "2027-01-05"))
	if err != nil || periods(issued) != "W 2026-12-21, W 2026-12-28" || issued[0].Number != "2027-000001" || issued[1].Number != "2027-000002" {
		t.Fatalf("issued W: %q %v", periods(issued), err)
	}
	setClock(t, "2027-02-10 09:00")
	later, err := s.GenerateInvoices(ctx, "office", day(t, "2027-02-10"), 0, true)
	if err != nil || periods(later) != "B 2026-12-28, M 2027-01-01, W 2027-01-04" {
		t.Fatalf("later: %q, %v", periods(later), err)
	}
	// Every draft of the periods covered is issued, the first run's too,
	// oldest first per account; numbers go on without a gap.
	all, err := s.IssueDrafts(ctx, "office", day(t, "2027-02-10"), 0, day(t, "2027-02-10"))
	if err != nil || len(all) != 6 {
		t.Fatalf("issued %d: %q %v", len(all), periods(all), err)
	}
	var numbers []string
	for _, inv := range all {
		numbers = append(numbers, inv.Number)
	}
	if got := strings.Join(numbers, " "); got != "2027-000003 2027-000004 2027-000005 2027-000006 2027-000007 2027-000008" {
		t.Errorf("numbers %s", got)
	}
	if got := periods(all[:2]); got != "B 2026-12-14, B 2026-12-28" {
		t.Errorf("B issued in the order %q", got)
	}
	if drafts, _ := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceDraft}); len(drafts) != 0 {
		t.Errorf("%d drafts left", len(drafts))
	}
}

// TestInvoiceDatesFollowTheClock: an invoice is issued today or on a past
// date not before its period's last day, never in the future; a payment
// lies between the issue date and today; dates run 2000 to 2100.
func TestInvoiceDatesFollowTheClock(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Dates Co")
	workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "DA")
	setClock(t, "2027-01-05 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-05"), cust, true)
	if err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	}
	id := invs[0].ID
	for _, c := range []struct {
		on, field string
		code      string
	}{
		{"2027-01-06", "issued_on", store.EInvalid}, // tomorrow
		{"2099-01-01", "issued_on", store.EInvalid},
		{"2026-12-30", "issued_on", store.EInvalid}, // before the period's last day
		{"1999-12-31", "issue date", store.EInvalid},
		{"2101-01-01", "issue date", store.EInvalid},
	} {
		_, err := s.IssueInvoice(ctx, "office", id, day(t, c.on))
		storeErr(t, err, c.code, c.field)
	}
	if _, err := s.IssueInvoice(ctx, "office", id, day(t, "2026-12-31")); err != nil { // the last day of the period
		t.Fatal(err)
	}
	for _, on := range []string{"2026-12-30", "2027-01-06", "2099-01-01"} {
		storeErr(t, s.MarkPaid(ctx, "office", id, day(t, on), "ACH"), store.EInvalid, "paid_on")
	}
	storeErr(t, s.MarkPaid(ctx, "office", id, day(t, "1999-12-31"), "ACH"), store.EInvalid, "payment date")
	storeErr(t, s.MarkPaid(ctx, "office", id, day(t, "2027-01-05"), strings.Repeat("x", 201)), store.EInvalid, "ref")
	if err := s.MarkPaid(ctx, "office", id, day(t, "2027-01-05"), "ACH 0105"); err != nil { // today
		t.Fatal(err)
	}
	for _, d := range []string{"1999-12-31", "2101-01-01", "2400-01-01"} {
		if _, err := s.GenerateInvoices(ctx, "office", day(t, d), 0, false); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("billing for %s: %v", d, err)
		}
	}
}
