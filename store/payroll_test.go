package store_test

import (
	"context"
	"reflect"
	"testing"

	"offduty/store"
)

func period(t *testing.T, p store.Payroll) string {
	t.Helper()
	return p.Start.Format("2006-01-02") + "/" + p.End.Format("2006-01-02")
}

func payroll(t *testing.T, s *store.Store, d string) store.Payroll {
	t.Helper()
	p, err := s.Payroll(context.Background(), "", day(t, d))
	if err != nil {
		t.Fatalf("Payroll(%s): %v", d, err)
	}
	return p
}

// payOf is an officer's total in a period, by badge ("" when absent).
func payOf(p store.Payroll, badge string) string {
	for _, op := range p.Officers {
		if op.Officer.Badge == badge {
			return op.Total.StringFixed(2)
		}
	}
	return ""
}

func TestPayPeriods(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	// Two weeks from Monday 5 Jan 2026 by default.
	for d, want := range map[string]string{
		"2026-12-07": "2026-12-07/2026-12-21",
		"2026-12-09": "2026-12-07/2026-12-21",
		"2026-12-20": "2026-12-07/2026-12-21",
		"2026-12-21": "2026-12-21/2027-01-04",
		"2026-01-04": "2025-12-22/2026-01-05",
	} {
		if got := period(t, payroll(t, s, d)); got != want {
			t.Errorf("pay period of %s = %s, want %s", d, got, want)
		}
	}
	// Weekly from a Wednesday.
	if err := s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2026-12-02"), Days: 7}); err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]string{
		"2026-12-08": "2026-12-02/2026-12-09",
		"2026-12-09": "2026-12-09/2026-12-16",
		"2026-11-30": "2026-11-25/2026-12-02",
	} {
		if got := period(t, payroll(t, s, d)); got != want {
			t.Errorf("weekly from Wednesday: pay period of %s = %s, want %s", d, got, want)
		}
	}
	storeErr(t, s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2026-12-02"), Days: 0}), store.EInvalid, "days")
	storeErr(t, s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2026-12-02"), Days: 32}), store.EInvalid, "days")
}

// The December jobs paid per officer: the officer share of what the invoice
// bills, shift by shift; a job's vehicles to its first officer.
func TestPayrollLines(t *testing.T) {
	s, _ := seededStore(t)
	december(t, s)
	p := payroll(t, s, "2026-12-09") // 7 to 20 December
	if p.Locked || period(t, p) != "2026-12-07/2026-12-21" {
		t.Fatalf("payroll %s locked %v", period(t, p), p.Locked)
	}
	want := map[string]string{
		"ERA": "200.00", // released early: paid the full 4 h at 50.00
		"HOA": "275.00", // held over: 5 h 30 real time
		"MIA": "100.00", // the 2 h minimum
		"EMA": "300.00", // emergency 75.00 x 4 h
		"SVA": "153.00", // 3 h at 50.00 and the vehicle's 3.00
		"SVB": "150.00", "SVC": "150.00", "SVD": "150.00", "SVE": "150.00",
		"SVF": "180.00", // the supervisor, 60.00 x 3 h
		"OCA": "200.00", // the old card
		"NCA": "210.00", // the new card: 52.50 x 4 h
	}
	if len(p.Officers) != len(want) {
		t.Errorf("%d officers paid, want %d", len(p.Officers), len(want))
	}
	for badge, amount := range want {
		if got := payOf(p, badge); got != amount {
			t.Errorf("%s paid %q, want %s", badge, got, amount)
		}
	}
	if !p.Total.Equal(dec("2218.00")) {
		t.Errorf("total %s, want 2218.00", p.Total)
	}
	for _, op := range p.Officers {
		switch op.Officer.Badge {
		case "HOA":
			if l := op.Lines[0]; op.Minutes != 330 || l.Kind != "shift" || l.Rate != "50.00" || l.Class != "officer" || l.Customer != "Hale Centre" ||
				l.Site != "Hale Centre site" || l.Day.Format("2006-01-02") != "2026-12-09" {
				t.Errorf("HOA: %d min, %+v", op.Minutes, l)
			}
		case "SVA":
			if len(op.Lines) != 2 || op.Lines[1].Kind != "vehicle" || op.Lines[1].Rate != "1.00" || op.Minutes != 180 {
				t.Errorf("SVA lines %+v", op.Lines)
			}
		case "EMA":
			if op.Lines[0].Rate != "75.00" {
				t.Errorf("EMA rate %s", op.Lines[0].Rate)
			}
		}
	}
	// Christmas night is in the next period: 75.00 x 2 h + 50.00 x 2 h.
	if got := payOf(payroll(t, s, "2026-12-25"), "XMA"); got != "250.00" {
		t.Errorf("Christmas night paid %q", got)
	}
}

func TestPayrollLockAndAdjustments(t *testing.T) {
	ctx := context.Background()
	s, path := seededStore(t)
	db := rawDB(t, path)
	cust, site := customerAndSite(t, s, "Lock Co")
	a := workedJob(t, s, cust, site, shift{start: "2026-12-08 10:00", end: "2026-12-08 14:00", officers: 2}, "LA")
	// Job B is still in progress when the period is exported: one officer out, one not.
	b := requestedJob(t, s, cust, site, shift{start: "2026-12-10 10:00", end: "2026-12-10 14:00", officers: 2})
	if err := s.Approve(ctx, "dispatch", b.ID); err != nil {
		t.Fatal(err)
	}
	b = fill(t, s, job(t, s, b.ID), "LB")
	atLeast(t, b.Start)
	for _, p := range b.Positions {
		if err := s.CheckIn(ctx, "field", p.ID, b.Start); err != nil {
			t.Fatal(err)
		}
	}
	atLeast(t, b.End)
	if err := s.CheckOut(ctx, "field", b.Positions[0].ID, b.End); err != nil {
		t.Fatal(err)
	}
	workedJob(t, s, cust, site, shift{start: "2026-12-22 10:00", end: "2026-12-22 12:00", officers: 1}, "LC")

	// The period (7 to 20 December) has ended: the clock is past its last day.
	if today := s.Today().Format("2006-01-02"); today != "2026-12-22" {
		t.Fatalf("today is %s, want 2026-12-22", today)
	}
	before := payroll(t, s, "2026-12-08")
	if !before.Total.Equal(dec("400.00")) || len(before.Officers) != 2 {
		t.Fatalf("before the lock: %s, %d officers", before.Total, len(before.Officers))
	}
	locked, err := s.LockPayroll(ctx, "office", day(t, "2026-12-08"))
	if err != nil {
		t.Fatal(err)
	}
	if !locked.Locked || locked.LockedBy != "office" || !locked.Total.Equal(dec("400.00")) {
		t.Errorf("LockPayroll = %+v", locked)
	}
	if _, err := s.LockPayroll(ctx, "office", day(t, "2026-12-20")); store.ErrorCode(err) != store.EConflict {
		t.Errorf("locked twice: %v", err)
	}
	// It reads back line for line as it was exported.
	readBack := payroll(t, s, "2026-12-15")
	sameLines := func(what string, got, want store.Payroll) {
		t.Helper()
		if !got.Total.Equal(want.Total) || len(got.Officers) != len(want.Officers) {
			t.Fatalf("%s: total %s, %d officers; want %s, %d", what, got.Total, len(got.Officers), want.Total, len(want.Officers))
		}
		for i := range want.Officers {
			g, w := got.Officers[i], want.Officers[i]
			if g.Officer.ID != w.Officer.ID || !g.Total.Equal(w.Total) || g.Minutes != w.Minutes || len(g.Lines) != len(w.Lines) {
				t.Fatalf("%s: officer %d = %+v, want %+v", what, i, g, w)
			}
			for k := range w.Lines {
				gl, wl := g.Lines[k], w.Lines[k]
				if !gl.Amount.Equal(wl.Amount) {
					t.Errorf("%s: %s line %d amount %s, want %s", what, w.Officer.Badge, k, gl.Amount, wl.Amount)
				}
				gl.Amount = wl.Amount
				if !reflect.DeepEqual(gl, wl) {
					t.Errorf("%s: %s line %d = %+v, want %+v", what, w.Officer.Badge, k, gl, wl)
				}
			}
		}
	}
	if !readBack.Locked || !readBack.LockedAt.Equal(now()) || readBack.LockedBy != "office" {
		t.Errorf("read back: locked %v at %v by %q", readBack.Locked, readBack.LockedAt, readBack.LockedBy)
	}
	sameLines("locked period", readBack, before)

	// B completes after the export: the period stays as exported, and B's
	// two shifts are paid in the next open period as adjustments.
	if err := s.CheckOut(ctx, "field", b.Positions[1].ID, b.End); err != nil {
		t.Fatal(err)
	}
	sameLines("locked period after a late completion", payroll(t, s, "2026-12-08"), before)
	next := payroll(t, s, "2026-12-22")
	if period(t, next) != "2026-12-21/2027-01-04" || next.Locked || !next.Total.Equal(dec("500.00")) {
		t.Fatalf("next period %s: %s, locked %v", period(t, next), next.Total, next.Locked)
	}
	adjustments := 0
	for _, op := range next.Officers {
		for _, l := range op.Lines {
			if l.Kind == "adjustment" {
				adjustments++
				if l.JobID != b.ID || !l.Amount.Equal(dec("200.00")) || l.Day.Format("2006-01-02") != "2026-12-10" || l.Minutes != 240 {
					t.Errorf("adjustment %+v", l)
				}
			}
		}
	}
	if adjustments != 2 || payOf(next, "LCA") != "100.00" {
		t.Errorf("%d adjustments; LCA paid %q", adjustments, payOf(next, "LCA"))
	}

	// Export that one too, then a correction reaches a shift of the first
	// (a supervisor's fix of A's attendance: the first officer was held to
	// 15:00, the second never came): the difference goes to the next open
	// period, the two locked ones read back unchanged.
	setClock(t, "2027-01-04 09:00") // 21 December to 3 January has ended
	nextLocked, err := s.LockPayroll(ctx, "office", day(t, "2027-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE positions SET check_out_at = ?, attendance = 'held_over' WHERE id = ?`,
		mustLocal("2026-12-08 15:00").UTC().Format("2006-01-02T15:04:05Z"), a.Positions[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE positions SET attendance = 'no_show' WHERE id = ?`, a.Positions[1].ID); err != nil {
		t.Fatal(err)
	}
	sameLines("first locked period after a correction", payroll(t, s, "2026-12-08"), before)
	sameLines("second locked period after a correction", payroll(t, s, "2026-12-22"), nextLocked)
	third := payroll(t, s, "2027-01-05")
	if period(t, third) != "2027-01-04/2027-01-18" || !third.Total.Equal(dec("-150.00")) {
		t.Fatalf("third period %s: total %s, want -150.00 (+50.00 - 200.00)", period(t, third), third.Total)
	}
	if got := payOf(third, "LAA"); got != "50.00" {
		t.Errorf("held to 15:00: adjustment %q, want 50.00", got)
	}
	if got := payOf(third, "LAB"); got != "-200.00" {
		t.Errorf("no-show: adjustment %q, want -200.00", got)
	}

	// With periods locked, the settings may only change in step with them.
	storeErr(t, s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2026-12-09"), Days: 7}), store.EConflict, "anchor")
	storeErr(t, s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2026-01-05"), Days: 7}), store.EConflict, "anchor")
	if err := s.SetPaySettings(ctx, "office", store.PaySettings{Anchor: day(t, "2027-01-04"), Days: 14}); err != nil {
		t.Errorf("the same periods from a later anchor: %v", err)
	}
}
