package seed_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

func TestParseYears(t *testing.T) {
	for in, want := range map[string]int{"5y": 5, "5": 5, " 1 year ": 1, "10 years": 10, "2Y": 2} {
		if got, err := seed.ParseYears(in); err != nil || got != want {
			t.Errorf("ParseYears(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "y", "0y", "-1y", "1.5y", "5m", "five"} {
		if _, err := seed.ParseYears(in); err == nil {
			t.Errorf("ParseYears(%q) accepted", in)
		}
	}
}

// demoHistory loads the demo, then `days` of generated history ending where
// the demo begins (8 weeks before the clock, 1 Oct 2026).
func demoHistory(t *testing.T, days int) (*store.Store, *sql.DB, seed.HistoryStats) {
	t.Helper()
	s, db := loadDemo(t)
	loc := demoNow.Location()
	to := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
	var out strings.Builder
	st, err := seed.HistorySpan(context.Background(), s, demoNow, to.AddDate(0, 0, -days), to, &out)
	if err != nil {
		t.Fatalf("HistorySpan: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "2026-09") {
		t.Errorf("no progress for 2026-09 in:\n%s", out.String())
	}
	return s, db, st
}

// digest is a hash of a query's rows.
func digest(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	h := sha256.New()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(h, "%v|%s\x1f", v.Valid, v.String)
		}
		h.Write([]byte{'\n'})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	s, db, st := demoHistory(t, 30)
	loc := demoNow.Location()
	from, to := time.Date(2026, 9, 1, 0, 0, 0, 0, loc), time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
	if !st.From.Equal(from) || !st.To.Equal(to) {
		t.Errorf("history %s to %s, want %s to %s", st.From, st.To, from, to)
	}
	inRange := fmt.Sprintf(`j.starts_at >= '%s' AND j.starts_at < '%s'`, from.UTC().Format("2006-01-02T15:04:05Z"), to.UTC().Format("2006-01-02T15:04:05Z"))

	t.Run("volume", func(t *testing.T) {
		jobs := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange)
		positions := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id WHERE `+inRange)
		if jobs != st.Jobs || positions != st.Positions {
			t.Errorf("database has %d jobs, %d positions in the month; stats say %d, %d", jobs, positions, st.Jobs, st.Positions)
		}
		// About HistoryPositionsPerDay a day: 5 years hold about 1,000,000.
		if want := 30 * seed.HistoryPositionsPerDay; positions < want*8/10 || positions > want*12/10 {
			t.Errorf("%d positions in 30 days, want about %d", positions, want)
		}
		if st.Cancelled == 0 || st.Cancelled > st.Jobs/10 {
			t.Errorf("%d of %d jobs cancelled, want a few", st.Cancelled, st.Jobs)
		}
		if st.Officers < 100 || st.Customers < 10 {
			t.Errorf("%d officers, %d customers created", st.Officers, st.Customers)
		}
	})

	t.Run("statuses", func(t *testing.T) {
		if n := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange+` AND status NOT IN ('completed', 'invoiced', 'paid', 'cancelled')`); n != 0 {
			t.Errorf("%d past jobs neither completed, invoiced, paid nor cancelled", n)
		}
		for _, status := range []string{"paid", "invoiced", "cancelled"} {
			if n := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange+` AND status = ?`, status); n == 0 {
				t.Errorf("no %s job in the month before the demo", status)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id WHERE `+inRange+` AND j.status <> 'cancelled'
			AND (p.status <> 'assigned' OR p.officer_id IS NULL OR p.check_in_at IS NULL OR p.check_out_at IS NULL OR p.check_out_at <= p.check_in_at
				OR p.starts_at <> j.starts_at OR p.ends_at <> j.ends_at)`); n != 0 {
			t.Errorf("%d positions of done jobs not staffed, checked in and out over the job's shift", n)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange+` AND status = 'cancelled'
			AND (cancelled_at IS NULL OR cancelled_at < received_at OR cancel_fee IS NULL
				OR (SELECT count(*) FROM job_fees f WHERE f.job_id = j.id AND f.kind = 'cancel' AND f.total = j.cancel_fee) <> 1
				OR EXISTS (SELECT 1 FROM positions p WHERE p.job_id = j.id AND p.status <> 'cancelled'))`); n != 0 {
			t.Errorf("%d cancelled jobs without a cancellation, its fee, or with live positions", n)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange+` AND (bookable = 0) AND status <> 'cancelled'`); n != 0 {
			t.Errorf("%d jobs that could not be booked were done", n)
		}
		if n := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id JOIN officers o ON o.id = p.officer_id
			WHERE `+inRange+` AND o.agency_id <> j.agency_id`); n != 0 {
			t.Errorf("%d positions staffed by another agency's officer", n)
		}
	})

	t.Run("billed", func(t *testing.T) {
		// Invoiced and paid jobs are so because of a real invoice: each of
		// their positions is on one, issued or paid in step with the job.
		if n := count(t, db, `SELECT count(*) FROM jobs j WHERE `+inRange+` AND j.status IN ('invoiced', 'paid')`); n == 0 {
			t.Fatal("no invoiced or paid job")
		}
		if n := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id WHERE `+inRange+` AND j.status IN ('invoiced', 'paid')
			AND NOT EXISTS (SELECT 1 FROM invoice_claims c JOIN invoices i ON i.id = c.invoice_id WHERE c.kind = 'position' AND c.ref_id = p.id
				AND i.state = CASE j.status WHEN 'invoiced' THEN 'issued' ELSE 'paid' END)`); n != 0 {
			t.Errorf("%d positions of invoiced or paid jobs not on an invoice in the same state", n)
		}
		if n := count(t, db, `SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id JOIN jobs j ON j.id = l.job_id
			WHERE l.kind <> 'fee' AND i.state IN ('issued', 'paid') AND j.status NOT IN ('invoiced', 'paid')`); n != 0 {
			t.Errorf("%d lines of issued invoices whose job is not invoiced", n)
		}
		// Numbers: gap-free per year (the demo's and the history's together).
		if n := count(t, db, `SELECT count(*) FROM invoice_counters k WHERE k.last <> (SELECT count(*) FROM invoices i WHERE i.number LIKE k.year || '-%')
			OR k.last <> (SELECT max(CAST(substr(i.number, 6) AS INTEGER)) FROM invoices i WHERE i.number LIKE k.year || '-%')`); n != 0 {
			t.Errorf("%d years with a gap in the invoice numbers", n)
		}
	})

	t.Run("priced", func(t *testing.T) {
		rows, err := db.Query(`SELECT j.id, a.slug, j.rate_card_id, j.starts_at, j.ends_at, j.officers, j.supervisors, j.vehicles, j.venue, j.received_at,
			j.total, j.bookable, j.quote_json, (SELECT count(*) FROM positions p WHERE p.job_id = j.id)
			FROM jobs j JOIN agencies a ON a.id = j.agency_id WHERE ` + inRange + ` ORDER BY j.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cards := map[string]store.PricedAgency{}
		n := 0
		for rows.Next() {
			var id, card int64
			var slug, start, end, venue, recv, total, snap string
			var officers, supervisors, vehicles, positions int
			var bookable bool
			if err := rows.Scan(&id, &slug, &card, &start, &end, &officers, &supervisors, &vehicles, &venue, &recv, &total, &bookable, &snap, &positions); err != nil {
				t.Fatal(err)
			}
			tm := func(s string) time.Time {
				v, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			received := tm(recv)
			pa, ok := cards[slug+recv[:10]]
			if !ok {
				if pa, err = s.Pricing(ctx, slug, received); err != nil {
					t.Fatal(err)
				}
				cards[slug+recv[:10]] = pa
			}
			if pa.Card.EffectiveFrom.After(received) {
				pa, _ = s.Pricing(ctx, slug, received)
			}
			if pa.Card.ID != card {
				t.Fatalf("job %d priced with card %d, card in force when received is %d", id, card, pa.Card.ID)
			}
			q, err := pa.Pricing.Quote(pricing.Request{Start: tm(start), End: tm(end), Officers: officers, Vehicles: vehicles, Venue: pricing.Venue(venue), Received: received})
			if err != nil {
				t.Fatalf("job %d: %v", id, err)
			}
			want, _ := json.Marshal(q)
			if got, _ := decimal.NewFromString(total); !got.Equal(q.Total) || total != q.Total.StringFixed(2) || string(want) != snap {
				t.Fatalf("job %d: total %s, quote says %s (snapshot equal: %v)", id, total, q.Total.StringFixed(2), string(want) == snap)
			}
			if bookable != q.Bookable || supervisors != q.Supervisors || positions != q.Officers+q.Supervisors {
				t.Fatalf("job %d: bookable %v, %d supervisors, %d positions; quote: %v, %d officers, %d supervisors", id, bookable, supervisors, positions,
					q.Bookable, q.Officers, q.Supervisors)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no history jobs")
		}
	})

	t.Run("staffing", func(t *testing.T) {
		live := `p.status = 'assigned' AND j.status <> 'cancelled'`
		// No officer in two places at once, history and demo together.
		if n := count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id JOIN positions q ON q.officer_id = p.officer_id AND q.id > p.id
			JOIN jobs k ON k.id = q.job_id AND k.status <> 'cancelled'
			WHERE `+live+` AND q.status = 'assigned' AND q.starts_at < p.ends_at AND p.starts_at < q.ends_at`); n != 0 {
			t.Errorf("%d pairs of overlapping shifts of one officer", n)
		}
		// At least 8 h between an officer's shifts.
		if n := count(t, db, `WITH s AS (SELECT p.officer_id, unixepoch(p.starts_at) AS st,
				lag(unixepoch(p.ends_at)) OVER (PARTITION BY p.officer_id ORDER BY p.starts_at) AS prev
				FROM positions p JOIN jobs j ON j.id = p.job_id WHERE `+live+`)
			SELECT count(*) FROM s WHERE prev IS NOT NULL AND st - prev < 8 * 3600`); n != 0 {
			t.Errorf("%d shifts starting less than 8 h after the officer's previous one", n)
		}
		// Every history shift passes the dispatch rules against all the officer's others
		// (rank, overlap, weekly cap, 16 h a day, 8 h rest).
		offs, err := s.Officers(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]store.Officer{}
		for _, o := range offs {
			byID[o.ID] = o
		}
		rows, err := db.Query(`SELECT p.id, p.job_id, p.officer_id, p.class, p.starts_at, p.ends_at, ` + inRange + `
			FROM positions p JOIN jobs j ON j.id = p.job_id WHERE ` + live + ` ORDER BY p.officer_id, p.starts_at`)
		if err != nil {
			t.Fatal(err)
		}
		type shift struct {
			b       store.Booking
			class   string
			history bool
		}
		shifts := map[int64][]shift{}
		for rows.Next() {
			var sh shift
			var officer int64
			var st, en string
			if err := rows.Scan(&sh.b.PositionID, &sh.b.JobID, &officer, &sh.class, &st, &en, &sh.history); err != nil {
				t.Fatal(err)
			}
			sh.b.Start, _ = time.Parse(time.RFC3339, st)
			sh.b.End, _ = time.Parse(time.RFC3339, en)
			shifts[officer] = append(shifts[officer], sh)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		checked := 0
		for officer, list := range shifts {
			for i, sh := range list {
				if !sh.history {
					continue
				}
				var others []store.Booking
				for k, o := range list {
					if k != i && o.b.End.After(sh.b.Start.AddDate(0, 0, -9)) && o.b.Start.Before(sh.b.End.AddDate(0, 0, 9)) {
						others = append(others, o.b)
					}
				}
				if why := store.Eligibility(byID[officer], others, sh.b.Start, sh.b.End, sh.class == "supervisor", loc); len(why) > 0 {
					t.Fatalf("officer %d (%s) on position %d at %s: %v", officer, byID[officer].Badge, sh.b.PositionID, sh.b.Start.In(loc), why)
				}
				checked++
			}
		}
		if checked != count(t, db, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id WHERE `+inRange+` AND `+live) || checked == 0 {
			t.Errorf("checked %d history shifts", checked)
		}
	})

	t.Run("day counts", func(t *testing.T) {
		// Reductions and a no-show among the demo's coming jobs, then DayCounts
		// against the row-by-row definition, over history and demo.
		upcoming, err := s.Jobs(ctx, "", store.JobFilter{From: demoNow.AddDate(0, 0, 3), Statuses: []string{store.StatusApproved, store.StatusScheduled}})
		if err != nil {
			t.Fatal(err)
		}
		reduced := 0
		for _, j := range upcoming {
			if j.Officers >= 2 && reduced < 3 {
				if _, err := s.CancelOrReduce(ctx, "test", store.CancelPlan{JobID: j.ID, At: demoNow, Officers: 1, Reason: "smaller"}); err != nil {
					t.Fatalf("reduce job %d: %v", j.ID, err)
				}
				reduced++
			}
		}
		if reduced == 0 {
			t.Fatal("no job to reduce")
		}
		compareDayCounts(t, s, db, time.Date(2026, 8, 25, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 0, 0, 0, 0, loc))
	})
}

// compareDayCounts checks DayCounts against the definition: per local day, the
// jobs starting that day that are not cancelled and have a position that is
// not, those positions, the open ones, and the jobs with an open one.
func compareDayCounts(t *testing.T, s *store.Store, db *sql.DB, from, to time.Time) {
	t.Helper()
	loc := from.Location()
	got, err := s.DayCounts(context.Background(), from, to, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*store.DayCount{}
	rows, err := db.Query(`SELECT j.starts_at, count(p.id), sum(p.status = 'open')
		FROM jobs j JOIN positions p ON p.job_id = j.id AND p.status <> 'cancelled'
		WHERE j.starts_at >= ? AND j.starts_at < ? AND j.status <> 'cancelled' GROUP BY j.id`,
		from.UTC().Format("2006-01-02T15:04:05Z"), to.UTC().Format("2006-01-02T15:04:05Z"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n, open int
		if err := rows.Scan(&st, &n, &open); err != nil {
			t.Fatal(err)
		}
		at, _ := time.Parse(time.RFC3339, st)
		k := at.In(loc).Format("2006-01-02")
		d := want[k]
		if d == nil {
			d = &store.DayCount{}
			want[k] = d
		}
		d.Shifts++
		d.Positions += n
		d.Open += open
		if open > 0 {
			d.OpenJobs++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	days, open := 0, 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days++
	}
	if len(got) != days {
		t.Fatalf("%d days from %s to %s, want %d", len(got), from, to, days)
	}
	for _, g := range got {
		w := want[g.Day.Format("2006-01-02")]
		if w == nil {
			w = &store.DayCount{}
		}
		w.Day = g.Day
		if g != *w {
			t.Errorf("%s: DayCounts %+v, want %+v", g.Day.Format("Mon 2006-01-02"), g, *w)
		}
		open += g.Open
	}
	if open == 0 {
		t.Error("no open position in the range: the comparison misses a case")
	}
}

// bareHistory generates three days of history, ending a month before the
// clock, into a database with the agencies only.
func bareHistory(t *testing.T) (*store.Store, *sql.DB, seed.HistoryStats) {
	t.Helper()
	ctx := context.Background()
	s, db := open(t)
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	to := time.Date(2026, 10, 26, 0, 0, 0, 0, demoNow.Location())
	st, err := seed.HistorySpan(ctx, s, demoNow, to.AddDate(0, 0, -3), to, io.Discard)
	if err != nil || st.Jobs == 0 {
		t.Fatalf("HistorySpan: %+v, %v", st, err)
	}
	return s, db, st
}

func TestHistoryIsDeterministic(t *testing.T) {
	s, db1, st1 := bareHistory(t)
	_, db2, st2 := bareHistory(t)
	if !st1.From.Equal(st2.From) || !st1.To.Equal(st2.To) || st1.Jobs != st2.Jobs || st1.Positions != st2.Positions || st1.Cancelled != st2.Cancelled ||
		st1.Officers != st2.Officers || st1.Customers != st2.Customers {
		t.Errorf("stats differ: %+v, %+v", st1, st2)
	}
	for _, q := range []string{
		`SELECT * FROM jobs ORDER BY id`,
		`SELECT * FROM positions ORDER BY id`,
		`SELECT * FROM job_fees ORDER BY id`,
		`SELECT * FROM officers ORDER BY id`,
		`SELECT * FROM customers ORDER BY id`,
		`SELECT * FROM sites ORDER BY id`,
	} {
		if a, b := digest(t, db1, q), digest(t, db2, q); a != b {
			t.Errorf("%s differs between two runs", q)
		}
	}

	// A database with a generated history refuses another, and the future.
	ctx := context.Background()
	jobs, customers := count(t, db1, `SELECT count(*) FROM jobs`), count(t, db1, `SELECT count(*) FROM customers`)
	to := st1.From
	if _, err := seed.HistorySpan(ctx, s, demoNow, to.AddDate(0, 0, -7), to, io.Discard); err == nil {
		t.Error("a second history was generated")
	}
	if _, err := seed.History(ctx, s, demoNow, 1, io.Discard); err == nil {
		t.Error("History ran over existing generated officers")
	}
	if _, err := seed.HistorySpan(ctx, s, demoNow, demoNow, demoNow.AddDate(0, 0, 2), io.Discard); err == nil {
		t.Error("a history in the future was generated")
	}
	if n, c := count(t, db1, `SELECT count(*) FROM jobs`), count(t, db1, `SELECT count(*) FROM customers`); n != jobs || c != customers {
		t.Errorf("%d jobs, %d customers after refusals, want %d, %d", n, c, jobs, customers)
	}
}
