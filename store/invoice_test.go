package store_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

// day is a civil date "YYYY-MM-DD" (UTC midnight, as invoices keep them).
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shift describes a West Valley City job to work through to completed.
type shift struct {
	start, end string // Denver wall times
	officers   int
	vehicles   int
	received   string // default: the test clock
	outs       []string
	// outs[i] is when position i checks out ("" or missing: at the end);
	// everyone checks in at the start.
}

// workedJob creates the job for cust at site, approves it, fills it with new
// sergeants (badges prefix+A, B, ...), checks them in at the start and out as
// given: the job is completed.
func workedJob(t testing.TB, s *store.Store, cust, site int64, sh shift, prefix string) store.Job {
	t.Helper()
	j := requestedJob(t, s, cust, site, sh)
	if err := s.Approve(context.Background(), "dispatch", j.ID); err != nil {
		t.Fatal(err)
	}
	j = fill(t, s, job(t, s, j.ID), prefix)
	work(t, s, j, sh)
	if j = job(t, s, j.ID); j.Status != store.StatusCompleted {
		t.Fatalf("job %d is %s after check-out", j.ID, j.Status)
	}
	return j
}

func requestedJob(t testing.TB, s *store.Store, cust, site int64, sh shift) store.Job {
	t.Helper()
	received := testNow
	if sh.received != "" {
		received = mustLocal(sh.received)
	}
	ids, err := s.CreateJobs(context.Background(), "dispatch", store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city",
		Start: mustLocal(sh.start), End: mustLocal(sh.end), Officers: sh.officers, Vehicles: sh.vehicles, Venue: pricing.VenueRetail, Received: received})
	if err != nil {
		t.Fatal(err)
	}
	return job(t, s, ids[0])
}

// work checks every position of j in at the start and out as sh says.
func work(t testing.TB, s *store.Store, j store.Job, sh shift) {
	t.Helper()
	ctx := context.Background()
	for i, p := range j.Positions {
		atLeast(t, j.Start)
		if err := s.CheckIn(ctx, "field", p.ID, j.Start); err != nil {
			t.Fatal(err)
		}
		out := j.End
		if i < len(sh.outs) && sh.outs[i] != "" {
			out = mustLocal(sh.outs[i])
		}
		atLeast(t, out)
		if err := s.CheckOut(ctx, "field", p.ID, out); err != nil {
			t.Fatal(err)
		}
	}
}

// wantLine is an expected invoice line.
type wantLine struct {
	kind    string
	day     string
	class   string
	basis   string
	minutes int
	rate    string
	amount  string
	officer string // officer pay
}

func checkLines(t *testing.T, inv store.Invoice, want []wantLine) {
	t.Helper()
	if len(inv.Lines) != len(want) {
		for _, l := range inv.Lines {
			t.Logf("  %s %s %s %s %d %s %s", l.Kind, l.Day.Format("2006-01-02"), l.Class, l.Basis, l.Minutes, l.Rate, l.Amount)
		}
		t.Fatalf("%d lines, want %d", len(inv.Lines), len(want))
	}
	sum := decimal.Zero
	for i, w := range want {
		l := inv.Lines[i]
		if l.Seq != i+1 || l.Kind != w.kind || l.Day.Format("2006-01-02") != w.day || l.Class != w.class || l.Basis != w.basis || l.Minutes != w.minutes ||
			!l.Rate.Equal(dec(w.rate)) || !l.Amount.Equal(dec(w.amount)) || !l.OfficerPay.Equal(dec(w.officer)) ||
			!l.AdminFee.Equal(dec(w.amount).Sub(dec(w.officer))) {
			t.Errorf("line %d = %d %s %s %s %s %d min at %s: %s (officer %s, admin %s); want %+v", i+1, l.Seq, l.Kind, l.Day.Format("2006-01-02"), l.Class,
				l.Basis, l.Minutes, l.Rate, l.Amount, l.OfficerPay, l.AdminFee, w)
		}
		sum = sum.Add(l.Amount)
	}
	if !inv.Subtotal.Equal(sum) || !inv.Total.Equal(sum) {
		t.Errorf("subtotal %s, total %s; lines add up to %s", inv.Subtotal, inv.Total, sum)
	}
}

// december builds a month of West Valley City work for one monthly customer,
// every line hand-computed (57.00 = 50.00 + 7.00 regular, 68.40 = 60.00 +
// 8.40 supervisor, 85.50 = 75.00 + 10.50 holiday and emergency, 1.14 = 1.00
// + 0.14 vehicle, 2 h minimum), and a rate card that changes on 1 December
// (regular 60.00 = 52.50 + 7.50) after most of the jobs were requested.
func december(t *testing.T, s *store.Store) (int64, []wantLine, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.AddRateCard(ctx, "supervisor", agency(t, s, "west-valley-city").ID, mustLocal("2026-12-01 00:00"), wvcCard("60.00", "52.50"), "raise"); err != nil {
		t.Fatal(err)
	}
	cust, site := customerAndSite(t, s, "Hale Centre")
	workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1, outs: []string{"2026-12-08 12:30"}}, "ER") // released early
	workedJob(t, s, cust, site, shift{start: "2026-12-09 10:00", end: "2026-12-09 14:00", officers: 1, outs: []string{"2026-12-09 15:30"}}, "HO") // held over
	workedJob(t, s, cust, site, shift{start: "2026-12-10 10:00", end: "2026-12-10 11:00", officers: 1}, "MI")                                     // minimum
	workedJob(t, s, cust, site, shift{start: "2026-12-11 10:00", end: "2026-12-11 14:00", officers: 1, received: "2026-12-10 09:00"}, "EM")       // 25 h notice
	workedJob(t, s, cust, site, shift{start: "2026-12-12 10:00", end: "2026-12-12 13:00", officers: 5, vehicles: 1}, "SV")                        // + supervisor
	x := requestedJob(t, s, cust, site, shift{start: "2026-12-15 10:00", end: "2026-12-15 14:00", officers: 1})
	if err := s.Approve(ctx, "dispatch", x.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(ctx, "dispatch", x.ID, mustLocal("2026-12-14 20:00"), "event off"); err != nil { // 14 h before: within 48 h
		t.Fatal(err)
	}
	workedJob(t, s, cust, site, shift{start: "2026-12-16 10:00", end: "2026-12-16 14:00", officers: 1}, "OC")                               // old card
	workedJob(t, s, cust, site, shift{start: "2026-12-17 10:00", end: "2026-12-17 14:00", officers: 1, received: "2026-12-02 09:00"}, "NC") // new card
	workedJob(t, s, cust, site, shift{start: "2026-12-25 22:00", end: "2026-12-26 02:00", officers: 1}, "XM")                               // Christmas night
	// Not billed: a shift not done yet, and one in January.
	requestedJob(t, s, cust, site, shift{start: "2026-12-29 10:00", end: "2026-12-29 14:00", officers: 1})
	workedJob(t, s, cust, site, shift{start: "2027-01-04 10:00", end: "2027-01-04 14:00", officers: 1}, "JA")

	want := []wantLine{
		{"shift", "2026-12-08", "officer", "regular", 240, "57.00", "228.00", "200.00"},   // released early at 12:30: the full 4 h
		{"shift", "2026-12-09", "officer", "regular", 330, "57.00", "313.50", "275.00"},   // held over to 15:30: 5 h 30 real time
		{"shift", "2026-12-10", "officer", "regular", 120, "57.00", "114.00", "100.00"},   // 1 h billed as the 2 h minimum
		{"shift", "2026-12-11", "officer", "emergency", 240, "85.50", "342.00", "300.00"}, // received 25 h ahead: every hour at 85.50
	}
	for range 5 {
		want = append(want, wantLine{"shift", "2026-12-12", "officer", "regular", 180, "57.00", "171.00", "150.00"})
	}
	want = append(want,
		wantLine{"shift", "2026-12-12", "supervisor", "supervisor", 180, "68.40", "205.20", "180.00"},
		wantLine{"vehicle", "2026-12-12", "vehicle", "vehicle", 180, "1.14", "3.42", "3.00"},
		// Cancelled 14 h before: admin 7.00 x 4 h + officer 50.00 x the 2 h minimum.
		wantLine{"fee", "2026-12-15", "fee", "", 0, "0", "128.00", "100.00"},
		wantLine{"shift", "2026-12-16", "officer", "regular", 240, "57.00", "228.00", "200.00"}, // requested before the raise: the old card
		wantLine{"shift", "2026-12-17", "officer", "regular", 240, "60.00", "240.00", "210.00"}, // requested after it
		wantLine{"shift", "2026-12-25", "officer", "holiday", 120, "85.50", "171.00", "150.00"}, // Christmas Day to midnight
		wantLine{"shift", "2026-12-25", "officer", "regular", 120, "57.00", "114.00", "100.00"}, // then Dec 26
	)
	return cust, want, "2942.12"
}

func TestInvoiceLines(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, want, total := december(t, s)

	// Once December has ended, a preview bills the month and writes nothing.
	setClock(t, "2027-01-02 09:00")
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, false)
	if err != nil || len(invs) != 1 {
		t.Fatalf("preview = %d invoices, %v", len(invs), err)
	}
	inv := invs[0]
	if inv.ID != 0 || inv.State != store.InvoiceDraft || inv.CustomerName != "Hale Centre" || inv.Cycle != "monthly" || inv.TermsDays != 30 ||
		inv.PeriodStart.Format("2006-01-02") != "2026-12-01" || inv.PeriodEnd.Format("2006-01-02") != "2027-01-01" || !inv.Total.Equal(dec(total)) {
		t.Errorf("preview = %+v", inv)
	}
	checkLines(t, inv, want)
	if l := inv.Lines[0]; l.Site != "Hale Centre site" || l.Officer != "Officer ERA ERA" || l.Description != "released early: full shift" {
		t.Errorf("line 1 site %q officer %q description %q", l.Site, l.Officer, l.Description)
	}
	if l := inv.Lines[1]; l.Description != "held over: real time" {
		t.Errorf("line 2 description %q", l.Description)
	}
	if n := count(t, db, `SELECT count(*) FROM invoices`) + count(t, db, `SELECT count(*) FROM invoice_claims`); n != 0 {
		t.Fatalf("a preview wrote %d rows", n)
	}

	// Saved, it reads back the same, a draft.
	saved, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(saved) != 1 || saved[0].ID == 0 {
		t.Fatalf("save = %+v, %v", saved, err)
	}
	got, err := s.Invoice(ctx, "", saved[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != "" || got.State != store.InvoiceDraft || got.CreatedBy != "office" || got.BillTo != "" || !got.Total.Equal(dec(total)) {
		t.Errorf("saved draft = %+v", got)
	}
	checkLines(t, got, want)
	// 13 positions (Christmas night's on two lines, claimed once), a vehicle, a fee.
	if n := count(t, db, `SELECT count(*) FROM invoice_claims WHERE invoice_id = ?`, got.ID); n != 15 {
		t.Errorf("%d claims, want 15", n)
	}

	// Nothing is billed twice: generating again finds nothing, saved or not.
	for _, save := range []bool{false, true} {
		if again, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), 0, save); err != nil || len(again) != 0 {
			t.Errorf("generate again (save %v) = %d invoices, %v", save, len(again), err)
		}
	}
	// January is its own invoice, once it has ended.
	if jan, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-31"), cust, false); err != nil || len(jan) != 0 {
		t.Errorf("January billed while it runs: %+v, %v", jan, err)
	}
	setClock(t, "2027-02-01 09:00")
	jan, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-31"), cust, false)
	if err != nil || len(jan) != 1 || len(jan[0].Lines) != 1 || !jan[0].Total.Equal(dec("228.00")) {
		t.Errorf("January = %+v, %v", jan, err)
	}
	// An unknown account is invalid input.
	if _, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), 9999, false); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("unknown account: %v", err)
	}
}

func TestInvoiceCycles(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	weekly, err := s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Weekly Co", BillingCycle: "weekly", TermsDays: 15})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateSite(ctx, "test", store.SiteInput{CustomerID: weekly.ID, Name: "Weekly lot"})
	if err != nil {
		t.Fatal(err)
	}
	// Sunday 6 Dec 23:00 to Monday 02:00 belongs to the week of its start.
	workedJob(t, s, weekly.ID, site.ID, shift{start: "2026-12-06 23:00", end: "2026-12-07 02:00", officers: 1}, "WA")
	workedJob(t, s, weekly.ID, site.ID, shift{start: "2026-12-07 10:00", end: "2026-12-07 14:00", officers: 1}, "WB")
	workedJob(t, s, weekly.ID, site.ID, shift{start: "2026-12-13 10:00", end: "2026-12-13 14:00", officers: 1}, "WC")
	// On Tue 15 Dec both weeks have ended. Billing for a date takes every
	// week ended by then, oldest first; a week still running on that date
	// waits.
	setClock(t, "2026-12-15 09:00")
	type want struct {
		from, total string
		lines       int
	}
	week1, week2 := want{"2026-11-30", "171.00", 1}, want{"2026-12-07", "456.00", 2} // 3 h; 4 h + 4 h
	for _, c := range []struct {
		day  string
		want []want
	}{
		{"2026-11-29", nil},
		{"2026-12-06", []want{week1}},
		{"2026-12-10", []want{week1}},
		{"2026-12-13", []want{week1, week2}},
		{"2026-12-31", []want{week1, week2}}, // a date ahead: up to yesterday
	} {
		invs, err := s.GenerateInvoices(ctx, "office", day(t, c.day), 0, false)
		if err != nil || len(invs) != len(c.want) {
			t.Fatalf("%s: %d invoices, %v; want %d", c.day, len(invs), err, len(c.want))
		}
		for i, w := range c.want {
			inv := invs[i]
			if inv.Cycle != "weekly" || inv.PeriodStart.Format("2006-01-02") != w.from || inv.PeriodEnd.Sub(inv.PeriodStart) != 7*24*time.Hour ||
				len(inv.Lines) != w.lines || !inv.Total.Equal(dec(w.total)) || inv.TermsDays != 15 {
				t.Errorf("%s #%d: %s %s to %s, %d lines, %s, terms %d", c.day, i, inv.Cycle, inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.Format("2006-01-02"),
					len(inv.Lines), inv.Total, inv.TermsDays)
			}
		}
	}
	saved, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-13"), weekly.ID, true)
	if err != nil || len(saved) != 2 {
		t.Fatal(saved, err)
	}
	saved = saved[1:]
	n, err := s.IssueInvoice(ctx, "office", saved[0].ID, day(t, "2026-12-14"))
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := s.InvoiceByNumber(ctx, "", n)
	if inv.DueOn.Format("2006-01-02") != "2026-12-29" { // net 15
		t.Errorf("due %s, want 2026-12-29", inv.DueOn.Format("2006-01-02"))
	}
}

func TestInvoiceStates(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "State Co")
	a := workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 2}, "SA")
	status := func(id int64) string { return job(t, s, id).Status }

	setClock(t, "2027-02-01 09:00") // December and January have ended
	invs, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(invs) != 1 || !invs[0].Total.Equal(dec("456.00")) {
		t.Fatalf("generate = %+v, %v", invs, err)
	}
	draft := invs[0].ID
	storeErr(t, s.MarkPaid(ctx, "office", draft, day(t, "2027-01-05"), "ACH"), store.EConflict, "state")
	if _, err := s.InvoiceByNumber(ctx, "", fmt.Sprintf("#%d", draft)); err != nil {
		t.Errorf("draft by #id: %v", err)
	}
	if inv, _ := s.Invoice(ctx, "", draft); inv.Overdue(day(t, "2030-01-01")) {
		t.Error("a draft is overdue")
	}

	// Voiding a draft frees its shifts; they are billed again.
	storeErr(t, s.VoidInvoice(ctx, "office", draft, "  "), store.EInvalid, "reason")
	if err := s.VoidInvoice(ctx, "office", draft, "wrong account"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM invoice_claims`); n != 0 {
		t.Errorf("%d claims left by a void draft", n)
	}
	storeErr(t, s.VoidInvoice(ctx, "office", draft, "again"), store.EConflict, "state")
	if _, err := s.IssueInvoice(ctx, "office", draft, day(t, "2027-01-02")); store.ErrorCode(err) != store.EConflict {
		t.Errorf("issue a void draft: %v", err)
	}
	invs, err = s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(invs) != 1 || !invs[0].Total.Equal(dec("456.00")) {
		t.Fatalf("regenerate = %+v, %v", invs, err)
	}
	first := invs[0].ID

	// Issued: the next number of the issue date's year, net 30, jobs invoiced.
	n1, err := s.IssueInvoice(ctx, "office", first, day(t, "2026-12-31"))
	if err != nil || n1 != "2026-000001" {
		t.Fatalf("issue = %q, %v", n1, err)
	}
	inv, err := s.InvoiceByNumber(ctx, "", "2026-000001")
	if err != nil || inv.ID != first || inv.State != store.InvoiceIssued || inv.IssuedOn.Format("2006-01-02") != "2026-12-31" ||
		inv.DueOn.Format("2006-01-02") != "2027-01-30" || status(a.ID) != store.StatusInvoiced {
		t.Fatalf("issued = %+v (%v), job %s", inv, err, status(a.ID))
	}
	if _, err := s.IssueInvoice(ctx, "office", first, day(t, "2026-12-31")); store.ErrorCode(err) != store.EConflict {
		t.Errorf("issued twice: %v", err)
	}
	// Overdue the day after the due date, while unpaid.
	if inv.Overdue(day(t, "2027-01-30")) || !inv.Overdue(day(t, "2027-01-31")) {
		t.Errorf("overdue on the due date %v, the day after %v", inv.Overdue(day(t, "2027-01-30")), inv.Overdue(day(t, "2027-01-31")))
	}
	if list, _ := s.Invoices(ctx, "", store.InvoiceFilter{State: store.InvoiceIssued}); len(list) != 1 || !list[0].Overdue(day(t, "2027-02-15")) {
		t.Errorf("issued list = %+v", list)
	}

	// A shift completed later in the same month goes on a new invoice; the
	// issued one never changes.
	late := workedJob(t, s, cust, site, shift{start: "2026-12-20 10:00", end: "2026-12-20 14:00", officers: 1}, "SL")
	more, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(more) != 1 || len(more[0].Lines) != 1 || more[0].Lines[0].JobID != late.ID {
		t.Fatalf("late shift = %+v, %v", more, err)
	}
	if again, _ := s.Invoice(ctx, "", first); !again.Total.Equal(dec("456.00")) || len(again.Lines) != 2 {
		t.Errorf("the issued invoice changed: %+v", again)
	}

	// Void the issued one: it keeps its number; its shift is billed again,
	// and the re-issue takes the next number (no gap, no reuse).
	if err := s.VoidInvoice(ctx, "office", first, "billed the wrong site"); err != nil {
		t.Fatal(err)
	}
	if status(a.ID) != store.StatusCompleted {
		t.Errorf("job of a void invoice is %s", status(a.ID))
	}
	void, _ := s.InvoiceByNumber(ctx, "", "2026-000001")
	if void.State != store.InvoiceVoid || void.VoidReason != "billed the wrong site" || void.Overdue(day(t, "2027-06-01")) {
		t.Errorf("void = %+v", void)
	}
	if _, err := s.IssueInvoice(ctx, "office", more[0].ID, day(t, "2026-12-31")); err != nil {
		t.Fatal(err)
	}
	re, err := s.GenerateInvoices(ctx, "office", day(t, "2026-12-31"), cust, true)
	if err != nil || len(re) != 1 || !re[0].Total.Equal(dec("456.00")) {
		t.Fatalf("re-bill = %+v, %v", re, err)
	}
	n3, err := s.IssueInvoice(ctx, "office", re[0].ID, day(t, "2026-12-31"))
	if err != nil || n3 != "2026-000003" {
		t.Fatalf("re-issue = %q, %v; want 2026-000003 (000002 went to the late shift)", n3, err)
	}
	// A shift is on at most one invoice that is not void.
	if n := count(t, db, `SELECT count(*) FROM (SELECT l.position_id FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE i.state <> 'void' AND l.position_id IS NOT NULL GROUP BY l.position_id HAVING count(DISTINCT l.invoice_id) > 1) twice`); n != 0 {
		t.Errorf("%d positions on two invoices", n)
	}

	// Paid: not before it was issued; then it is final.
	storeErr(t, s.MarkPaid(ctx, "office", re[0].ID, day(t, "2026-12-30"), "ACH"), store.EInvalid, "paid_on")
	if err := s.MarkPaid(ctx, "office", re[0].ID, day(t, "2027-01-20"), "ACH 0120"); err != nil {
		t.Fatal(err)
	}
	paid, _ := s.Invoice(ctx, "", re[0].ID)
	if paid.State != store.InvoicePaid || paid.PaidOn.Format("2006-01-02") != "2027-01-20" || paid.PaidRef != "ACH 0120" || paid.Overdue(day(t, "2027-06-01")) ||
		status(a.ID) != store.StatusPaid {
		t.Errorf("paid = %+v, job %s", paid, status(a.ID))
	}
	storeErr(t, s.MarkPaid(ctx, "office", re[0].ID, day(t, "2027-01-21"), "again"), store.EConflict, "state")
	storeErr(t, s.VoidInvoice(ctx, "office", re[0].ID, "too late"), store.EConflict, "state")
	storeErr(t, s.MarkPaid(ctx, "office", first, day(t, "2027-01-21"), "void"), store.EConflict, "state")

	// Numbers start again each year.
	other, site2 := customerAndSite(t, s, "New Year Co")
	workedJob(t, s, other, site2, shift{start: "2027-01-05 10:00", end: "2027-01-05 14:00", officers: 1}, "NY")
	ny, err := s.GenerateInvoices(ctx, "office", day(t, "2027-01-31"), other, true)
	if err != nil || len(ny) != 1 {
		t.Fatal(ny, err)
	}
	if n, err := s.IssueInvoice(ctx, "office", ny[0].ID, day(t, "2027-02-01")); err != nil || n != "2027-000001" {
		t.Errorf("first of 2027 = %q, %v", n, err)
	}
	if _, err := s.InvoiceByNumber(ctx, "", "2026-999999"); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("unknown number: %v", err)
	}
	if _, err := s.InvoiceByNumber(ctx, "", "#x"); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("bad #id: %v", err)
	}
	numbers := strings.Fields(digestNumbers(t, s))
	if strings.Join(numbers, " ") != "2026-000001 2026-000002 2026-000003 2027-000001" {
		t.Errorf("numbers %v", numbers)
	}
}

func digestNumbers(t *testing.T, s *store.Store) string {
	t.Helper()
	all, err := s.Invoices(context.Background(), "", store.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Number != "" {
			ns = append(ns, all[i].Number)
		}
	}
	slices.Sort(ns)
	return strings.Join(ns, " ")
}

// TestReconcileHistory bills a generated year of history (about 200,000
// positions: seed.History imports it with its invoices, issued and paid as
// they age) and the periods still open at its end, then checks the books:
// every completed shift, vehicle and fee is on exactly one invoice that is
// not void, job statuses follow their invoice, numbers run gap-free per
// year in issue-date order, and to the cent, the invoices' total is what
// payroll pays officers over the pay periods covering the year, plus the
// office's admin fee on shifts and vehicles, plus the cancellation fees.
func TestReconcileHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year of history")
	}
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	began := time.Now()
	st, err := seed.History(ctx, s, testNow, 1, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("history %s to %s: %d jobs, %d positions in %s", st.From.Format("2006-01-02"), st.To.Format("2006-01-02"), st.Jobs, st.Positions,
		time.Since(began).Round(100*time.Millisecond))
	from := time.Date(st.From.Year(), st.From.Month(), st.From.Day(), 0, 0, 0, 0, time.UTC)
	to := time.Date(st.To.Year(), st.To.Month(), st.To.Day(), 0, 0, 0, 0, time.UTC)

	// The history bills every period that ended by its last day; the office
	// bills the ones still open at its end (drafts) once they have ended.
	// After that nothing is left.
	setClock(t, to.AddDate(0, 0, 45).Add(16*time.Hour))
	open, err := s.GenerateInvoices(ctx, "office", to.AddDate(0, 0, 44), 0, true)
	if err != nil || len(open) == 0 {
		t.Fatalf("open periods: %d invoices, %v", len(open), err)
	}
	for _, d := range []time.Time{from, from.AddDate(0, 4, 0), from.AddDate(0, 8, 3), to.AddDate(0, 0, -1)} {
		if again, err := s.GenerateInvoices(ctx, "office", d, 0, false); err != nil || len(again) != 0 {
			t.Errorf("generate for %s again: %d invoices, %v", d.Format("2006-01-02"), len(again), err)
		}
	}

	// Invoices: states, numbers, totals.
	type invoice struct {
		state, number, issued string
		total, lines          decimal.Decimal
	}
	invs := map[int64]*invoice{}
	rows, err := db.Query(`SELECT id, state, coalesce(number, ''), coalesce(CAST(issued_on AS text), ''), total FROM invoices`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var total string
		v := &invoice{}
		if err := rows.Scan(&id, &v.state, &v.number, &v.issued, &total); err != nil {
			t.Fatal(err)
		}
		v.total = dec(total)
		invs[id] = v
	}
	rows.Close()
	states := map[string]int{}
	byYear := map[string][]string{}
	issuedOn := map[string]string{}
	invoiceTotal := decimal.Zero
	for _, v := range invs {
		states[v.state]++
		if (v.state == store.InvoiceDraft) != (v.number == "") {
			t.Fatalf("%s invoice numbered %q", v.state, v.number)
		}
		if v.number != "" {
			byYear[v.number[:4]] = append(byYear[v.number[:4]], v.number)
			issuedOn[v.number] = v.issued
		}
		if v.state != store.InvoiceVoid {
			invoiceTotal = invoiceTotal.Add(v.total)
		}
	}
	if states[store.InvoicePaid] == 0 || states[store.InvoiceIssued] == 0 || states[store.InvoiceDraft] == 0 {
		t.Errorf("invoices by state %v: want paid, issued and draft ones", states)
	}
	prev := ""
	for year, ns := range byYear {
		slices.Sort(ns)
		for i, n := range ns {
			if want := fmt.Sprintf("%s-%06d", year, i+1); n != want {
				t.Fatalf("numbers of %s: %s where %s was due (gap or duplicate)", year, n, want)
			}
		}
		if last := count(t, db, `SELECT last FROM invoice_counters WHERE year = ?`, year); last != len(ns) {
			t.Errorf("counter of %s at %d, %d numbers given", year, last, len(ns))
		}
	}
	all := slices.Sorted(maps.Keys(issuedOn))
	for _, n := range all {
		if issuedOn[n] < prev {
			t.Fatalf("%s issued %s, before the number ahead of it (%s)", n, issuedOn[n], prev)
		}
		prev = issuedOn[n]
	}

	// Lines: each shift, vehicle and fee on one invoice that is not void.
	onInvoice := map[string]int64{}
	officerPay, adminFee, fees := decimal.Zero, decimal.Zero, decimal.Zero
	rows, err = db.Query(`SELECT invoice_id, kind, coalesce(position_id, 0), job_id, coalesce(fee_id, 0), amount, officer_pay, admin_fee FROM invoice_lines`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var inv, pos, jobID, fee int64
		var kind, amount, op, af string
		if err := rows.Scan(&inv, &kind, &pos, &jobID, &fee, &amount, &op, &af); err != nil {
			t.Fatal(err)
		}
		v := invs[inv]
		v.lines = v.lines.Add(dec(amount))
		if !dec(op).Add(dec(af)).Equal(dec(amount)) {
			t.Fatalf("line of invoice %d: %s + %s is not %s", inv, op, af, amount)
		}
		if v.state == store.InvoiceVoid {
			continue
		}
		key := fmt.Sprintf("%s %d", kind, pos)
		switch kind {
		case "vehicle":
			key = fmt.Sprintf("vehicle %d", jobID)
			fallthrough
		case "shift":
			officerPay, adminFee = officerPay.Add(dec(op)), adminFee.Add(dec(af))
		case "fee":
			key = fmt.Sprintf("fee %d", fee)
			fees = fees.Add(dec(amount))
		}
		if other, ok := onInvoice[key]; ok && other != inv {
			t.Fatalf("%s on invoices %d and %d", key, other, inv)
		}
		onInvoice[key] = inv
	}
	rows.Close()
	for id, v := range invs {
		if !v.lines.Equal(v.total) {
			t.Fatalf("invoice %d totals %s, its lines %s", id, v.total, v.lines)
		}
	}
	// Every completed shift of the history is billed, on an invoice in step
	// with its job: completed on a draft, invoiced when issued, paid when paid.
	jobState := map[string]string{store.StatusCompleted: store.InvoiceDraft, store.StatusInvoiced: store.InvoiceIssued, store.StatusPaid: store.InvoicePaid}
	shifts := 0
	rows, err = db.Query(`SELECT p.id, j.status FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE j.status IN ('completed', 'invoiced', 'paid') AND p.status = 'assigned' AND p.attendance <> 'no_show'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		inv, ok := onInvoice[fmt.Sprintf("shift %d", id)]
		if !ok {
			t.Fatalf("position %d of a %s job is on no invoice", id, status)
		}
		if invs[inv].state != jobState[status] {
			t.Fatalf("position %d of a %s job is on a %s invoice", id, status, invs[inv].state)
		}
		shifts++
	}
	rows.Close()
	billedShifts := 0
	for k := range onInvoice {
		if strings.HasPrefix(k, "shift ") {
			billedShifts++
		}
	}
	if shifts != billedShifts || shifts < st.Positions*9/10 {
		t.Errorf("%d shifts done, %d billed, of %d positions", shifts, billedShifts, st.Positions)
	}
	if n := count(t, db, "SELECT count(*) FROM job_fees WHERE "+nonZero("total")); n == 0 || n != len(onInvoiceWith(onInvoice, "fee ")) {
		t.Errorf("%d fees, %d billed", n, len(onInvoiceWith(onInvoice, "fee ")))
	}
	if n := count(t, db, `SELECT count(*) FROM jobs WHERE vehicles > 0 AND status IN ('completed', 'invoiced', 'paid')`); n == 0 || n != len(onInvoiceWith(onInvoice, "vehicle ")) {
		t.Errorf("%d jobs with vehicles, %d billed", n, len(onInvoiceWith(onInvoice, "vehicle ")))
	}

	// Payroll over every pay period that covers the year.
	payTotal := decimal.Zero
	periods := 0
	for d := from; d.Before(to); {
		p, err := s.Payroll(ctx, "", d)
		if err != nil {
			t.Fatal(err)
		}
		payTotal = payTotal.Add(p.Total)
		periods++
		d = p.End
	}
	if !payTotal.Equal(officerPay) {
		t.Errorf("payroll over %d periods pays %s; the invoices bill %s of officer pay", periods, payTotal, officerPay)
	}
	if sum := payTotal.Add(adminFee).Add(fees); !invoiceTotal.Equal(sum) || invoiceTotal.IsZero() {
		t.Errorf("invoices total %s; payroll %s + admin fees %s + cancellation fees %s = %s", invoiceTotal, payTotal, adminFee, fees, sum)
	}
	t.Logf("%d invoices %v, total %s = payroll %s (%d periods) + admin %s + fees %s; %d shifts; in %s", len(invs), states, invoiceTotal, payTotal,
		periods, adminFee, fees, shifts, time.Since(began).Round(100*time.Millisecond))
}

func onInvoiceWith(m map[string]int64, prefix string) []string {
	var out []string
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// Invoices and payroll are a supervisor's (store.PermAdmin): a dispatcher
// signed in over SSH may not preview, bill, issue, pay, void or lock.
func TestBillingNeedsASupervisor(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Role Co")
	workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 1}, "RO")
	for _, u := range []struct{ name, role string }{{"dana", store.RoleDispatcher}, {"sam", store.RoleSupervisor}} {
		if _, err := s.CreateUser(ctx, "admin", u.name, u.role, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	dana, sam := store.SSHActor("dana"), store.SSHActor("sam")
	setClock(t, "2027-01-02 09:00")
	if _, err := s.GenerateInvoices(ctx, dana, day(t, "2026-12-31"), 0, false); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("a dispatcher previewed invoices: %v", err)
	}
	if _, err := s.GenerateInvoices(ctx, dana, day(t, "2026-12-31"), 0, true); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("a dispatcher saved invoices: %v", err)
	}
	invs, err := s.GenerateInvoices(ctx, sam, day(t, "2026-12-31"), 0, true)
	if err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	}
	id := invs[0].ID
	if _, err := s.IssueInvoice(ctx, dana, id, day(t, "2026-12-31")); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("a dispatcher issued: %v", err)
	}
	if _, err := s.IssueInvoice(ctx, sam, id, day(t, "2026-12-31")); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"paid":       s.MarkPaid(ctx, dana, id, day(t, "2027-01-05"), "ACH"),
		"void":       s.VoidInvoice(ctx, dana, id, "no"),
		"pay period": s.SetPaySettings(ctx, dana, store.PaySettings{Anchor: day(t, "2026-12-07"), Days: 7}),
	} {
		if store.ErrorCode(err) != store.EForbidden {
			t.Errorf("a dispatcher %s: %v", what, err)
		}
	}
	if _, err := s.LockPayroll(ctx, dana, day(t, "2026-12-08")); store.ErrorCode(err) != store.EForbidden {
		t.Errorf("a dispatcher locked payroll: %v", err)
	}
	if _, err := s.LockPayroll(ctx, sam, day(t, "2026-12-08")); err != nil {
		t.Errorf("a supervisor could not lock payroll: %v", err)
	}
}

// nonZero is the condition that a money column is not zero, in the run's
// engine (text on SQLite, numeric on PostgreSQL).
func nonZero(col string) string {
	if storetest.Postgres() {
		return col + ` <> 0`
	}
	return `CAST(` + col + ` AS REAL) <> 0`
}
