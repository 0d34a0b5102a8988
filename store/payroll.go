package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// Pay periods: two weeks from an anchor Monday unless configured otherwise.
var (
	DefaultPayAnchor = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	DefaultPayDays   = 14
)

// PaySettings are the pay-period start date and length.
type PaySettings struct {
	Anchor time.Time // a civil date periods count from
	Days   int
}

func paySettings(ctx context.Context, q querier) (PaySettings, error) {
	ps := PaySettings{Anchor: DefaultPayAnchor, Days: DefaultPayDays}
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN ('pay_anchor', 'pay_days')`)
	if err != nil {
		return ps, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return ps, err
		}
		switch k {
		case "pay_anchor":
			if t, err := parseDate(v); err == nil {
				ps.Anchor = t
			}
		case "pay_days":
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				ps.Days = n
			}
		}
	}
	return ps, rows.Err()
}

// SetPaySettings changes the pay-period start date and length (7 or 14 days,
// or any length up to a month).
func (s *Store) SetPaySettings(ctx context.Context, actor string, p PaySettings) error {
	if p.Days < 1 || p.Days > 31 {
		return &Error{Code: EInvalid, Field: "days", Message: "a pay period is 1 to 31 days"}
	}
	if err := checkYear("anchor", civil(p.Anchor)); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		// Periods already locked stay periods: the new settings must cut
		// time the same way around them, or their shifts would be paid twice.
		locks, err := payLocks(ctx, tx)
		if err != nil {
			return err
		}
		for _, l := range locks {
			ps, pe, err := pricing.PeriodFrom(p.Anchor, p.Days, l.start)
			if err != nil {
				return err
			}
			if !ps.Equal(l.start) || !pe.Equal(l.end) {
				return &Error{Code: EConflict, Field: "anchor", Message: fmt.Sprintf("pay period %s to %s is locked: new periods must keep it whole (from %s, %d days does not)",
					l.start.Format(dateLayout), l.end.AddDate(0, 0, -1).Format(dateLayout), civil(p.Anchor).Format(dateLayout), p.Days)}
			}
		}
		for k, v := range map[string]string{"pay_anchor": civil(p.Anchor).Format(dateLayout), "pay_days": strconv.Itoa(p.Days)} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, actor, "settings", 0, "pay period", "", fmt.Sprintf("from %s, %d days", civil(p.Anchor).Format(dateLayout), p.Days))
	})
}

// PayLine is one thing an officer is paid for in a period.
type PayLine struct {
	OfficerID  int64
	JobID      int64
	PositionID int64
	Kind       string // shift, vehicle, adjustment
	Day        time.Time
	Customer   string
	Site       string
	Class      string
	Minutes    int
	Rate       string // officer share per hour ("50.00", or "50.00/75.00" across a rate change)
	Amount     decimal.Decimal
}

// OfficerPay is an officer's lines and total in a period.
type OfficerPay struct {
	Officer Officer
	Lines   []PayLine
	Minutes int
	Total   decimal.Decimal
}

// Payroll is one pay period.
type Payroll struct {
	Start, End time.Time // civil dates, end exclusive
	Locked     bool
	LockedAt   time.Time
	LockedBy   string
	Officers   []OfficerPay
	Total      decimal.Decimal
}

// payLines computes what is owed for the shifts of [ps, pe): every worked
// position of a completed (or invoiced, paid) job, at its officer share,
// priced exactly as the invoice bills it; a job's vehicles are paid to its
// first officer.
func payLines(ctx context.Context, d *dialect, q querier, pr *pricer, ps, pe time.Time) ([]PayLine, error) {
	set, err := loadBilling(ctx, d, q, 0, ps.Add(-36*time.Hour), pe.Add(36*time.Hour), true)
	if err != nil {
		return nil, err
	}
	var out []PayLine
	for _, j := range set.jobs {
		a, err := pr.agency(ctx, q, j)
		if err != nil {
			return nil, err
		}
		day := civilIn(j.Start, a.Zone)
		if day.Before(ps) || !day.Before(pe) {
			continue
		}
		first := int64(0)
		for _, p := range set.pos[j.ID] {
			lines := positionCharge(a, j, p)
			if len(lines) == 0 {
				continue
			}
			if first == 0 {
				first = p.OfficerID
			}
			pl := PayLine{OfficerID: p.OfficerID, JobID: j.ID, PositionID: p.ID, Kind: "shift", Day: day, Customer: j.CustomerName, Site: j.SiteName, Class: p.Class}
			for i, l := range lines {
				pl.Minutes += l.Minutes
				pl.Amount = pl.Amount.Add(l.OfficerPay)
				if i > 0 {
					pl.Rate += "/"
				}
				pl.Rate += l.Rate.Officer.StringFixed(2)
			}
			out = append(out, pl)
		}
		if vl, ok := vehicleCharge(a, j); ok && first != 0 {
			out = append(out, PayLine{OfficerID: first, JobID: j.ID, Kind: "vehicle", Day: day, Customer: j.CustomerName, Site: j.SiteName,
				Class: fmt.Sprintf("%d vehicle(s)", vl.Count), Minutes: vl.Minutes, Rate: vl.Rate.Officer.StringFixed(2), Amount: vl.OfficerPay})
		}
	}
	return out, nil
}

type lockInfo struct {
	start, end time.Time
	at         time.Time
	by         string
}

func payLocks(ctx context.Context, q querier) (map[string]lockInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT period_start, period_end, locked_at, locked_by FROM payroll_locks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]lockInfo{}
	for rows.Next() {
		var s, e, at string
		var li lockInfo
		if err := rows.Scan(&s, &e, &at, &li.by); err != nil {
			return nil, err
		}
		li.start, _ = parseDate(s)
		li.end, _ = parseDate(e)
		li.at, _ = parseTime(at)
		out[s] = li
	}
	return out, rows.Err()
}

// adjustments are the differences, for shifts of locked periods, between
// what is owed now and what was paid, due in the first open period after
// their own: that is ps when it is.
func adjustments(ctx context.Context, d *dialect, q querier, pr *pricer, set PaySettings, locks map[string]lockInfo, ps time.Time) ([]PayLine, error) {
	var out []PayLine
	for _, l := range locks {
		if !l.start.Before(ps) {
			continue
		}
		next := l.end
		for {
			if _, ok := locks[next.Format(dateLayout)]; !ok {
				break
			}
			next = next.AddDate(0, 0, set.Days)
		}
		if !next.Equal(ps) {
			continue
		}
		owed, err := payLines(ctx, d, q, pr, l.start, l.end)
		if err != nil {
			return nil, err
		}
		now := map[string]PayLine{}
		for _, pl := range owed {
			now[payKey(pl)] = pl
		}
		paid := map[string]decimal.Decimal{}
		info := map[string]PayLine{}
		// Everything paid so far for the shifts of that period, wherever it was paid
		// (adjustments keep their shift's day).
		rows, err := q.QueryContext(ctx, `SELECT officer_id, job_id, coalesce(position_id, 0), kind, day, amount, class FROM payroll_lines
			WHERE day >= ? AND day < ?`, l.start.Format(dateLayout), l.end.Format(dateLayout))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var pl PayLine
			var day, amt string
			if err := rows.Scan(&pl.OfficerID, &pl.JobID, &pl.PositionID, &pl.Kind, &day, &amt, &pl.Class); err != nil {
				rows.Close()
				return nil, err
			}
			pl.Day, _ = parseDate(day)
			a, _ := decimal.NewFromString(amt)
			k := payKey(pl)
			paid[k] = paid[k].Add(a)
			info[k] = pl
		}
		rows.Close()
		keys := map[string]bool{}
		for k := range now {
			keys[k] = true
		}
		for k := range paid {
			keys[k] = true
		}
		for k := range keys {
			d := now[k].Amount.Sub(paid[k])
			if d.IsZero() {
				continue
			}
			base, ok := now[k]
			if !ok {
				base = info[k]
				base.Minutes = 0
			}
			base.Kind, base.Amount, base.Rate = "adjustment", d, ""
			out = append(out, base)
		}
	}
	sort.Slice(out, func(i, k int) bool {
		a, b := out[i], out[k]
		if !a.Day.Equal(b.Day) {
			return a.Day.Before(b.Day)
		}
		if a.JobID != b.JobID {
			return a.JobID < b.JobID
		}
		if a.PositionID != b.PositionID {
			return a.PositionID < b.PositionID
		}
		return a.OfficerID < b.OfficerID
	})
	return out, nil
}

func payKey(pl PayLine) string {
	if pl.PositionID != 0 {
		return fmt.Sprintf("p%d/%d", pl.PositionID, pl.OfficerID)
	}
	return fmt.Sprintf("v%d/%d", pl.JobID, pl.OfficerID)
}

func (s *Store) payroll(ctx context.Context, q querier, day time.Time) (Payroll, []PayLine, error) {
	set, err := paySettings(ctx, q)
	if err != nil {
		return Payroll{}, nil, err
	}
	ps, pe, err := pricing.PeriodFrom(set.Anchor, set.Days, day)
	if err != nil {
		return Payroll{}, nil, err
	}
	p := Payroll{Start: ps, End: pe}
	locks, err := payLocks(ctx, q)
	if err != nil {
		return p, nil, err
	}
	var lines []PayLine
	if l, ok := locks[ps.Format(dateLayout)]; ok {
		p.Locked, p.LockedAt, p.LockedBy = true, l.at, l.by
		rows, err := q.QueryContext(ctx, `SELECT pl.officer_id, pl.job_id, coalesce(pl.position_id, 0), pl.kind, pl.day, pl.minutes, pl.amount,
			pl.class, pl.rate, c.name, st.name FROM payroll_lines pl JOIN jobs j ON j.id = pl.job_id JOIN customers c ON c.id = j.customer_id JOIN sites st ON st.id = j.site_id
			WHERE pl.period_start = ? ORDER BY pl.id`, ps.Format(dateLayout))
		if err != nil {
			return p, nil, err
		}
		for rows.Next() {
			var pl PayLine
			var d, amt string
			if err := rows.Scan(&pl.OfficerID, &pl.JobID, &pl.PositionID, &pl.Kind, &d, &pl.Minutes, &amt, &pl.Class, &pl.Rate, &pl.Customer, &pl.Site); err != nil {
				rows.Close()
				return p, nil, err
			}
			pl.Day, _ = parseDate(d)
			pl.Amount, _ = decimal.NewFromString(amt)
			lines = append(lines, pl)
		}
		rows.Close()
	} else {
		pr := newPricer()
		if lines, err = payLines(ctx, s.dialect(), q, pr, ps, pe); err != nil {
			return p, nil, err
		}
		adj, err := adjustments(ctx, s.dialect(), q, pr, set, locks, ps)
		if err != nil {
			return p, nil, err
		}
		lines = append(lines, adj...)
	}
	offs, err := officers(ctx, q, ``)
	if err != nil {
		return p, nil, err
	}
	byID := map[int64]Officer{}
	for _, o := range offs {
		byID[o.ID] = o
	}
	idx := map[int64]int{}
	for _, l := range lines {
		i, ok := idx[l.OfficerID]
		if !ok {
			i = len(p.Officers)
			idx[l.OfficerID] = i
			p.Officers = append(p.Officers, OfficerPay{Officer: byID[l.OfficerID]})
		}
		op := &p.Officers[i]
		op.Lines = append(op.Lines, l)
		if l.Kind == "shift" {
			op.Minutes += l.Minutes
		}
		op.Total = op.Total.Add(l.Amount)
		p.Total = p.Total.Add(l.Amount)
	}
	sort.Slice(p.Officers, func(i, k int) bool {
		a, b := p.Officers[i].Officer, p.Officers[k].Officer
		if a.LastName != b.LastName {
			return a.LastName < b.LastName
		}
		if a.FirstName != b.FirstName {
			return a.FirstName < b.FirstName
		}
		return a.ID < b.ID
	})
	return p, lines, nil
}

// Payroll computes (or, once locked, reads back) the pay period holding `day`.
func (s *Store) Payroll(ctx context.Context, actor string, day time.Time) (Payroll, error) {
	var p Payroll
	if err := checkYear("period", day); err != nil {
		return p, err
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := v.Need(PermAdmin, "payroll"); err != nil {
			return err
		}
		p, _, err = s.payroll(ctx, tx, day)
		return err
	})
	return p, err
}

// LockPayroll locks the pay period holding `day` once it is exported: its
// lines are kept as paid; later changes to its shifts are paid in the next
// open period as adjustments. A period is locked only after its last day
// (before the office's today), so no shift of it can still be worked.
func (s *Store) LockPayroll(ctx context.Context, actor string, day time.Time) (Payroll, error) {
	var p Payroll
	if err := checkYear("period", day); err != nil {
		return p, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var lines []PayLine
		var err error
		if p, lines, err = s.payroll(ctx, tx, day); err != nil {
			return err
		}
		if p.Locked {
			return &Error{Code: EConflict, Field: "period", Message: fmt.Sprintf("pay period %s to %s is already locked", p.Start.Format(dateLayout), p.End.AddDate(0, 0, -1).Format(dateLayout))}
		}
		// p.End is the day after the last: the first day the period can be locked.
		if today := s.Today(); today.Before(p.End) {
			return &Error{Code: EConflict, Field: "period", Message: fmt.Sprintf("pay period %s to %s has not ended (today is %s): it can be locked from %s, after its last day",
				p.Start.Format(dateLayout), p.End.AddDate(0, 0, -1).Format(dateLayout), today.Format(dateLayout), p.End.Format(dateLayout))}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_locks (period_start, period_end, locked_at, locked_by, total) VALUES (?, ?, ?, ?, ?)`,
			p.Start.Format(dateLayout), p.End.Format(dateLayout), fmtTime(s.now()), actor, p.Total.StringFixed(2)); err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_lines (period_start, officer_id, job_id, position_id, kind, day, minutes, amount, class, rate)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Start.Format(dateLayout), l.OfficerID, l.JobID, nullID(l.PositionID), l.Kind, l.Day.Format(dateLayout),
				l.Minutes, l.Amount.StringFixed(2), l.Class, l.Rate); err != nil {
				return err
			}
		}
		p.Locked, p.LockedBy = true, actor
		p.LockedAt, _ = parseTime(fmtTime(s.now()))
		return s.audit(ctx, tx, actor, "payroll", 0, "lock", "", fmt.Sprintf("%s to %s, %d lines, %s", p.Start.Format(dateLayout),
			p.End.AddDate(0, 0, -1).Format(dateLayout), len(lines), p.Total.StringFixed(2)))
	})
	return p, err
}
