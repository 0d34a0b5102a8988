package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"offduty/pricing"
)

// Scheduling limits (RULES.md "Job lifecycle" and the dispatch issue).
const (
	MaxDayMinutes  = 16 * 60 // an officer works at most 16 h in a local day
	MinRestMinutes = 8 * 60  // and rests at least 8 h between shifts
)

// Booking is a shift an officer already holds.
type Booking struct {
	PositionID int64
	JobID      int64
	Start, End time.Time
}

// Reason is why an officer cannot take a shift. Cap reasons (weekly cap,
// 16 h day, 8 h rest) may be overridden by a supervisor with a written
// reason; the others never.
type Reason struct {
	Text string
	Cap  bool
}

// Eligibility lists why officer o cannot take [start, end) given the shifts
// they already hold; none means eligible. Days and weeks (Monday to Sunday)
// are judged in loc.
func Eligibility(o Officer, bookings []Booking, start, end time.Time, supervisor bool, loc *time.Location) []Reason {
	var out []Reason
	if !o.Active {
		out = append(out, Reason{Text: "inactive"})
	}
	if supervisor && !SupervisorRank(o.Rank) {
		out = append(out, Reason{Text: "supervisor rank needed (sergeant or above)"})
	}
	for _, b := range bookings {
		if b.Start.Before(end) && b.End.After(start) {
			out = append(out, Reason{Text: fmt.Sprintf("overlapping shift %s-%s (job #%d)", b.Start.In(loc).Format("Mon 15:04"), b.End.In(loc).Format("15:04"), b.JobID)})
			break
		}
	}
	shift := int(end.Sub(start) / time.Minute)
	ws := WeekStart(start, loc)
	week := minutesStarting(bookings, ws, ws.AddDate(0, 0, 7))
	if week+shift > o.WeeklyCapMinutes {
		out = append(out, Reason{Text: fmt.Sprintf("weekly cap reached (%s of %s booked)", pricing.FormatHours(week), pricing.FormatHours(o.WeeklyCapMinutes)), Cap: true})
	}
	for d := dayStart(start, loc); d.Before(end); d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		m := overlap(start, end, d, next)
		for _, b := range bookings {
			m += overlap(b.Start, b.End, d, next)
		}
		if m > MaxDayMinutes {
			out = append(out, Reason{Text: fmt.Sprintf("more than 16 h on %s (%s)", d.Format("Mon 02 Jan"), pricing.FormatHours(m)), Cap: true})
			break
		}
	}
	for _, b := range bookings {
		if b.Start.Before(end) && b.End.After(start) {
			continue
		}
		var gap time.Duration
		var what string
		if !b.End.After(start) {
			gap, what = start.Sub(b.End), "after a shift ending "+b.End.In(loc).Format("Mon 15:04")
		} else {
			gap, what = b.Start.Sub(end), "before a shift starting "+b.Start.In(loc).Format("Mon 15:04")
		}
		if gap < MinRestMinutes*time.Minute {
			out = append(out, Reason{Text: fmt.Sprintf("less than 8 h rest %s", what), Cap: true})
			break
		}
	}
	return out
}

func minutesStarting(bs []Booking, from, to time.Time) int {
	m := 0
	for _, b := range bs {
		if !b.Start.Before(from) && b.Start.Before(to) {
			m += int(b.End.Sub(b.Start) / time.Minute)
		}
	}
	return m
}

func overlap(s1, e1, s2, e2 time.Time) int {
	s, e := s1, e1
	if s2.After(s) {
		s = s2
	}
	if e2.Before(e) {
		e = e2
	}
	if !e.After(s) {
		return 0
	}
	return int(e.Sub(s) / time.Minute)
}

func dayStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// WeekStart is the Monday 00:00 (in loc) of t's week.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	d := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-d, 0, 0, 0, 0, loc)
}

// MonthStart is the first of t's month, 00:00 in loc.
func MonthStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
}

// bookings loads the assigned shifts of the given officers that start in [from, to),
// leaving out one position (the one being filled).
func bookings(ctx context.Context, q querier, officerIDs []int64, from, to time.Time, exclude int64) (map[int64][]Booking, error) {
	out := map[int64][]Booking{}
	if len(officerIDs) == 0 {
		return out, nil
	}
	args := []any{fmtTime(from), fmtTime(to), exclude}
	for _, id := range officerIDs {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT p.officer_id, p.id, p.job_id, p.starts_at, p.ends_at FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ? AND p.starts_at < ? AND p.id <> ?
		AND p.officer_id IN (?`+strings.Repeat(", ?", len(officerIDs)-1)+`) ORDER BY p.starts_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var oid int64
		var b Booking
		var st, en string
		if err := rows.Scan(&oid, &b.PositionID, &b.JobID, &st, &en); err != nil {
			return nil, err
		}
		if b.Start, err = parseTime(st); err != nil {
			return nil, err
		}
		if b.End, err = parseTime(en); err != nil {
			return nil, err
		}
		out[oid] = append(out[oid], b)
	}
	return out, rows.Err()
}

// Candidate is an officer as the assignment picker shows them.
type Candidate struct {
	Officer
	WeekMinutes  int // booked in the shift's week
	MonthMinutes int // booked in the shift's month
	Reasons      []Reason
}

// Eligible reports whether the officer can take the shift as it is.
func (c Candidate) Eligible() bool { return len(c.Reasons) == 0 }

// Overridable reports whether only caps stand in the way.
func (c Candidate) Overridable() bool {
	if len(c.Reasons) == 0 {
		return false
	}
	for _, r := range c.Reasons {
		if !r.Cap {
			return false
		}
	}
	return true
}

type positionRow struct {
	id, jobID  int64
	class      string
	status     string
	officerID  sql.NullInt64
	start, end time.Time
}

func positionByID(ctx context.Context, q querier, id int64) (positionRow, error) {
	var p positionRow
	var st, en string
	err := q.QueryRowContext(ctx, `SELECT id, job_id, class, status, officer_id, starts_at, ends_at FROM positions WHERE id = ?`, id).
		Scan(&p.id, &p.jobID, &p.class, &p.status, &p.officerID, &st, &en)
	if errors.Is(err, sql.ErrNoRows) {
		return p, &Error{Code: ENotFound, Field: "position", Message: fmt.Sprintf("no position %d", id)}
	}
	if err != nil {
		return p, err
	}
	if p.start, err = parseTime(st); err != nil {
		return p, err
	}
	p.end, err = parseTime(en)
	return p, err
}

// candidates ranks the agency's officers for a position: eligible first, by
// fewest hours this month, then seniority; then the others with their
// reasons: Eligibility's and their standing's (StandingReasons: leave,
// suspension, restricted duty, a certification the job requires).
func candidates(ctx context.Context, q querier, p positionRow, j Job) ([]Candidate, error) {
	a, err := agencyByID(ctx, q, j.AgencyID)
	if err != nil {
		return nil, err
	}
	offs, err := officers(ctx, q, `WHERE o.agency_id = ?`, j.AgencyID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(offs))
	for i, o := range offs {
		ids[i] = o.ID
	}
	ms, ws := MonthStart(p.start, a.Loc), WeekStart(p.start, a.Loc)
	from := ms
	if ws.Before(from) {
		from = ws
	}
	from = from.Add(-48 * time.Hour) // shifts that end on the day or the rest window
	to := ms.AddDate(0, 1, 0)
	// A shift starts before the week's end and lasts at most 24 h: shifts
	// starting up to 8 h after its end (rest) fall before Monday + 9 days.
	if we := ws.AddDate(0, 0, 9); we.After(to) {
		to = we
	}
	bk, err := bookings(ctx, q, ids, from, to, p.id)
	if err != nil {
		return nil, err
	}
	sd, err := loadStanding(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, len(offs))
	for i, o := range offs {
		b := bk[o.ID]
		sup := p.class == "supervisor"
		out[i] = Candidate{Officer: o, WeekMinutes: minutesStarting(b, ws, ws.AddDate(0, 0, 7)), MonthMinutes: minutesStarting(b, ms, ms.AddDate(0, 1, 0)),
			Reasons: withStanding(Eligibility(o, b, p.start, p.end, sup, a.Loc), sd.reasons(o, j, p.start, p.end, sup, a.Loc))}
	}
	sort.SliceStable(out, func(i, k int) bool {
		ci, ck := out[i], out[k]
		if ci.Eligible() != ck.Eligible() {
			return ci.Eligible()
		}
		if ci.MonthMinutes != ck.MonthMinutes {
			return ci.MonthMinutes < ck.MonthMinutes
		}
		if !ci.HiredOn.Equal(ck.HiredOn) {
			return ci.HiredOn.Before(ck.HiredOn)
		}
		return ci.Name() < ck.Name()
	})
	return out, nil
}

// Candidates ranks the officers who could fill a position (see candidates).
func (s *Store) Candidates(ctx context.Context, positionID int64) ([]Candidate, error) {
	var out []Candidate
	err := s.read(ctx, func(tx *sql.Tx) error {
		p, err := positionByID(ctx, tx, positionID)
		if err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, p.jobID)
		if err != nil {
			return err
		}
		out, err = candidates(ctx, tx, p, j)
		return err
	})
	return out, err
}

// Assign puts an officer in an open position of an approved, scheduled or
// running job. Inside the write transaction it checks agency, activity, rank,
// overlap, standing (leave, suspension, restricted duty, a required
// certification current through the shift's end), the weekly cap, 16 h a
// day and 8 h rest; override (a supervisor's written reason) lifts the caps
// but never an overlap, a rank, standing or an inactive officer. The job
// becomes scheduled when every position is filled.
func (s *Store) Assign(ctx context.Context, actor string, positionID, officerID int64, override string) error {
	override = Clean(override, false)
	if err := limitText("override", "override reason", override, MaxOverrideReason); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		p, err := positionByID(ctx, tx, positionID)
		if err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, p.jobID)
		if err != nil {
			return err
		}
		switch j.Status {
		case StatusApproved, StatusScheduled, StatusInProgress:
		default:
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: positions are filled once it is approved, until it is completed", j.ID, statusWord(j.Status))}
		}
		if p.status == "cancelled" {
			return &Error{Code: EConflict, Field: "position", Message: "that position was cancelled"}
		}
		if p.officerID.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "that position already has an officer: unassign first"}
		}
		list, err := officers(ctx, tx, `WHERE o.id = ?`, officerID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", officerID)}
		}
		o := list[0]
		if o.AgencyID != j.AgencyID {
			return &Error{Code: EConflict, Field: "officer", Message: fmt.Sprintf("%s cannot take this shift: officer of another agency", o.Name())}
		}
		cands, err := candidates(ctx, tx, p, j)
		if err != nil {
			return err
		}
		var c Candidate
		for _, x := range cands {
			if x.ID == officerID {
				c = x
			}
		}
		if !c.Eligible() {
			var why []string
			for _, r := range c.Reasons {
				why = append(why, r.Text)
			}
			if !c.Overridable() || override == "" {
				msg := fmt.Sprintf("%s cannot take this shift: %s", o.Name(), strings.Join(why, "; "))
				if c.Overridable() {
					msg += " (a supervisor may override with a reason)"
				}
				return &Error{Code: EConflict, Field: "officer", Message: msg}
			}
		} else {
			override = ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET officer_id = ?, status = 'assigned', override_reason = ?, attendance = '',
			check_in_at = NULL, check_out_at = NULL WHERE id = ?`, officerID, override, positionID); err != nil {
			return err
		}
		after := fmt.Sprintf("%s (%s)", o.Name(), o.Badge)
		if override != "" {
			after += "; cap overridden: " + override
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "assign", "open", after); err != nil {
			return err
		}
		if err := s.settleStatus(ctx, tx, actor, j); err != nil {
			return err
		}
		return s.tellAssigned(ctx, tx, positionID)
	})
}

// settleStatus moves an approved job to scheduled when every position is
// filled, and a scheduled one back to approved when one reopens.
func (s *Store) settleStatus(ctx context.Context, tx *sql.Tx, actor string, j Job) error {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND status = 'open'`, j.ID).Scan(&open); err != nil {
		return err
	}
	to := ""
	switch {
	case open == 0 && j.Status == StatusApproved:
		to = StatusScheduled
	case open > 0 && j.Status == StatusScheduled:
		to = StatusApproved
	}
	if to == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?`, to, fmtTime(s.now()), j.ID); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, "job", j.ID, "status", j.Status, to)
}

func statusWord(s string) string { return strings.ReplaceAll(s, "_", " ") }

// Unassign frees a position that has not been checked in.
func (s *Store) Unassign(ctx context.Context, actor string, positionID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		p, err := positionByID(ctx, tx, positionID)
		if err != nil {
			return err
		}
		if !p.officerID.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "that position is already open"}
		}
		j, err := jobByID(ctx, tx, p.jobID)
		if err != nil {
			return err
		}
		if j.Status != StatusApproved && j.Status != StatusScheduled && j.Status != StatusInProgress {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: its positions can no longer change", j.ID, statusWord(j.Status))}
		}
		var checkedIn sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT check_in_at FROM positions WHERE id = ?`, positionID).Scan(&checkedIn); err != nil {
			return err
		}
		if checkedIn.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "the officer has checked in: record a check-out or release instead"}
		}
		name := officerLabel(ctx, tx, p.officerID.Int64)
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET officer_id = NULL, status = 'open', override_reason = '' WHERE id = ?`, positionID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "unassign", name, "open"); err != nil {
			return err
		}
		if err := s.tellUnassigned(ctx, tx, positionID, p.officerID.Int64, "the office took you off it"); err != nil {
			return err
		}
		return s.settleStatus(ctx, tx, actor, j)
	})
}

func officerLabel(ctx context.Context, q querier, id int64) string {
	var first, last, badge string
	if err := q.QueryRowContext(ctx, `SELECT first_name, last_name, badge FROM officers WHERE id = ?`, id).Scan(&first, &last, &badge); err != nil {
		return fmt.Sprintf("officer %d", id)
	}
	return fmt.Sprintf("%s %s (%s)", first, last, badge)
}

// Attendance follows the clock (RULES.md, "Attendance"): a check-in or
// check-out is never later than now, give or take ClockGrace for clock skew;
// a check-in is at most CheckInEarly before the start (and, as a bound on
// typing errors, at most CheckInLate after the end); a check-out follows its
// check-in by at most MaxAttendance; a no-show is recorded once the start has
// passed. Every refusal names the rule and the allowed range, in the
// agency's local time.
const (
	ClockGrace    = 5 * time.Minute
	CheckInEarly  = 2 * time.Hour
	CheckInLate   = 12 * time.Hour
	MaxAttendance = 24 * time.Hour
)

// Longest free text kept by dispatch, in characters (after Clean).
const (
	MaxFieldNote      = 4000 // a field note on a job
	MaxOverrideReason = 500  // a supervisor's reason for overriding a cap
)

// agencyLoc is the zone of the job's agency, in which attendance is judged.
func agencyLoc(ctx context.Context, q querier, j Job) (*time.Location, error) {
	a, err := agencyByID(ctx, q, j.AgencyID)
	if err != nil {
		return nil, err
	}
	return a.Loc, nil
}

// wallClocks writes instants as loc's wall clock for a message: "15:04" when
// they all fall on one local day (unless withDay), "Mon 02 Jan 15:04"
// otherwise, with the year when they span years.
func wallClocks(loc *time.Location, withDay bool, ts ...time.Time) []string {
	layout := "15:04"
	for _, t := range ts {
		if t.In(loc).Year() != ts[0].In(loc).Year() {
			layout = "Mon 02 Jan 2006 15:04"
			break
		}
		if withDay || !civilIn(t, loc).Equal(civilIn(ts[0], loc)) {
			layout = "Mon 02 Jan 15:04"
		}
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(loc).Format(layout)
	}
	return out
}

// notFuture refuses an attendance time later than now plus ClockGrace.
func (s *Store) notFuture(field, what string, at time.Time, loc *time.Location) error {
	now := s.now()
	latest := now.Add(ClockGrace)
	if !at.After(latest) {
		return nil
	}
	w := wallClocks(loc, false, at, now, latest)
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("%s at %s is in the future: now is %s (%d minutes' grace: %s at the latest)",
		what, w[0], w[1], int(ClockGrace/time.Minute), w[2])}
}

// checkInRule is the check-in's window: from CheckInEarly before the start
// to now (with ClockGrace), and never more than CheckInLate after the end.
func (s *Store) checkInRule(p positionRow, at time.Time, loc *time.Location) error {
	if earliest := p.start.Add(-CheckInEarly); at.Before(earliest) {
		w := wallClocks(loc, false, at, p.start, earliest)
		return &Error{Code: EInvalid, Field: "check_in", Message: fmt.Sprintf("check-in at %s is more than %s before the %s start: the earliest is %s",
			w[0], pricing.FormatHours(int(CheckInEarly/time.Minute)), w[1], w[2])}
	}
	if latest := p.end.Add(CheckInLate); at.After(latest) {
		w := wallClocks(loc, false, at, p.end, latest)
		return &Error{Code: EInvalid, Field: "check_in", Message: fmt.Sprintf("check-in at %s is more than %s after the %s end: the latest is %s",
			w[0], pricing.FormatHours(int(CheckInLate/time.Minute)), w[1], w[2])}
	}
	return s.notFuture("check_in", "check-in", at, loc)
}

// checkOutRule is the check-out's window: after the check-in, at most
// MaxAttendance after it, and not later than now (with ClockGrace).
func (s *Store) checkOutRule(in, at time.Time, loc *time.Location) error {
	if !at.After(in) {
		w := wallClocks(loc, false, at, in)
		return &Error{Code: EInvalid, Field: "check_out", Message: fmt.Sprintf("check-out at %s is not after the check-in at %s: a check-out follows its check-in", w[0], w[1])}
	}
	if latest := in.Add(MaxAttendance); at.After(latest) {
		w := wallClocks(loc, false, at, in, latest)
		return &Error{Code: EInvalid, Field: "check_out", Message: fmt.Sprintf("check-out at %s is more than %s after the check-in at %s: the latest is %s",
			w[0], pricing.FormatHours(int(MaxAttendance/time.Minute)), w[1], w[2])}
	}
	return s.notFuture("check_out", "check-out", at, loc)
}

// CheckIn records an officer's arrival; the job is then in progress. The
// time is refused outside its window (see checkInRule).
func (s *Store) CheckIn(ctx context.Context, actor string, positionID int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		p, j, err := s.attendancePosition(ctx, tx, positionID)
		if err != nil {
			return err
		}
		loc, err := agencyLoc(ctx, tx, j)
		if err != nil {
			return err
		}
		if err := s.checkInRule(p, at, loc); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET check_in_at = ?, check_out_at = NULL, attendance = '' WHERE id = ?`, fmtTime(at), positionID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "check in", "", at.UTC().Format("2006-01-02 15:04Z")); err != nil {
			return err
		}
		if j.Status == StatusScheduled || j.Status == StatusApproved {
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'in_progress', updated_at = ? WHERE id = ?`, fmtTime(s.now()), j.ID); err != nil {
				return err
			}
			return s.audit(ctx, tx, actor, "job", j.ID, "status", j.Status, StatusInProgress)
		}
		return nil
	})
}

func (s *Store) attendancePosition(ctx context.Context, tx *sql.Tx, positionID int64) (positionRow, Job, error) {
	p, err := positionByID(ctx, tx, positionID)
	if err != nil {
		return p, Job{}, err
	}
	j, err := jobByID(ctx, tx, p.jobID)
	if err != nil {
		return p, j, err
	}
	if !p.officerID.Valid || p.status != "assigned" {
		return p, j, &Error{Code: EConflict, Field: "position", Message: "no officer is assigned to that position"}
	}
	switch j.Status {
	case StatusApproved, StatusScheduled, StatusInProgress:
	default:
		return p, j, &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: attendance is recorded while it is scheduled or in progress", j.ID, statusWord(j.Status))}
	}
	return p, j, nil
}

// CheckOut records an officer's departure. Before the scheduled end it is an
// early release (billed and paid the full shift); after it, a hold-over
// (billed and paid the real time). When every filled position has checked
// out and none is open, the job is completed.
func (s *Store) CheckOut(ctx context.Context, actor string, positionID int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		p, j, err := s.attendancePosition(ctx, tx, positionID)
		if err != nil {
			return err
		}
		var in sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT check_in_at FROM positions WHERE id = ?`, positionID).Scan(&in); err != nil {
			return err
		}
		if !in.Valid {
			return &Error{Code: EConflict, Field: "check_out", Message: "check the officer in first"}
		}
		inAt, err := parseTime(in.String)
		if err != nil {
			return err
		}
		loc, err := agencyLoc(ctx, tx, j)
		if err != nil {
			return err
		}
		if err := s.checkOutRule(inAt, at, loc); err != nil {
			return err
		}
		att := pricing.AttendanceNone
		switch {
		case at.Before(p.end):
			att = pricing.AttendanceReleasedEarly
		case at.After(p.end):
			att = pricing.AttendanceHeldOver
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET check_out_at = ?, attendance = ? WHERE id = ?`, fmtTime(at), att, positionID); err != nil {
			return err
		}
		what := at.UTC().Format("2006-01-02 15:04Z")
		if att != "" {
			what += ", " + statusWord(att)
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "check out", "", what); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND (status = 'open' OR (status = 'assigned' AND check_out_at IS NULL))`, j.ID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'completed', updated_at = ? WHERE id = ?`, fmtTime(s.now()), j.ID); err != nil {
				return err
			}
			return s.audit(ctx, tx, actor, "job", j.ID, "status", j.Status, StatusCompleted)
		}
		return nil
	})
}

// NoShow records that the assigned officer did not come: the position reopens
// and is flagged until it is filled again.
func (s *Store) NoShow(ctx context.Context, actor string, positionID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		p, j, err := s.attendancePosition(ctx, tx, positionID)
		if err != nil {
			return err
		}
		var in sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT check_in_at FROM positions WHERE id = ?`, positionID).Scan(&in); err != nil {
			return err
		}
		if in.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "the officer has checked in: not a no-show"}
		}
		if now := s.now(); now.Before(p.start) {
			loc, err := agencyLoc(ctx, tx, j)
			if err != nil {
				return err
			}
			w := wallClocks(loc, true, p.start, now)
			return &Error{Code: EConflict, Field: "no_show", Message: fmt.Sprintf("a no-show is recorded once the start (%s) has passed: it is %s now", w[0], w[1])}
		}
		name := officerLabel(ctx, tx, p.officerID.Int64)
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET no_show_officer_id = officer_id, officer_id = NULL, status = 'open',
			attendance = 'no_show', override_reason = '' WHERE id = ?`, positionID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "position", positionID, "no-show", name, "open (no-show)"); err != nil {
			return err
		}
		if err := s.tellUnassigned(ctx, tx, positionID, p.officerID.Int64, "you were recorded as a no-show and the position reopened"); err != nil {
			return err
		}
		return s.settleStatus(ctx, tx, actor, j)
	})
}

// Audience is who reads a field note or a media file, chosen when it is
// written (RULES.md "Who sees what"). The office's staff read everything.
type Audience string

const (
	// AudienceStaff is the office's staff only: the default.
	AudienceStaff Audience = "staff"
	// AudienceOfficers adds the officers on the job.
	AudienceOfficers Audience = "officers"
	// AudienceCustomer adds the customer's users; the officers on the job
	// read it too.
	AudienceCustomer Audience = "customer"
)

// Audiences lists the audiences from the narrowest.
var Audiences = []Audience{AudienceStaff, AudienceOfficers, AudienceCustomer}

// PostOrdersAudience is who reads a job's post orders: the officers on the
// job and the customer (they are not chosen per job).
const PostOrdersAudience = AudienceCustomer

// roleOfficer is the officer user of a later issue (their own shifts only).
// It is not a role a user can be given yet; VisibleTo already answers for it.
const roleOfficer = "officer"

// ParseAudience reads an audience as typed: staff, officers or customer
// (any case; "" is staff, the default).
func ParseAudience(s string) (Audience, error) {
	a := Audience(strings.ToLower(strings.TrimSpace(s)))
	if a == "" {
		return AudienceStaff, nil
	}
	if !a.Valid() {
		return "", &Error{Code: EInvalid, Field: "audience", Message: fmt.Sprintf("audience %q: use staff (the office only, the default), officers (and the officers on the job) or customer (and the customer, who sees it with the officers on the job)", Clean(s, false))}
	}
	return a, nil
}

// Valid reports whether a is one of Audiences.
func (a Audience) Valid() bool {
	return a == AudienceStaff || a == AudienceOfficers || a == AudienceCustomer
}

// ReachesOfficers reports whether the officers on the job read it.
func (a Audience) ReachesOfficers() bool { return a == AudienceOfficers || a == AudienceCustomer }

// ReachesCustomer reports whether the customer's users read it.
func (a Audience) ReachesCustomer() bool { return a == AudienceCustomer }

// Describe is the audience in words: "staff only", "staff and the officers
// on the job", "the customer, the officers on the job and staff".
func (a Audience) Describe() string {
	switch a {
	case AudienceOfficers:
		return "staff and the officers on the job"
	case AudienceCustomer:
		return "the customer, the officers on the job and staff"
	}
	return "staff only"
}

// VisibleTo reports whether a viewer reads what was written for a: the
// office's staff (operators, dispatchers, supervisors, the local operator)
// read everything; a customer user reads what is written for the customer;
// an officer user what is written for the officers or the customer. It
// judges the audience only: the caller also checks that the job is the
// customer's own (Extras does) or that the officer works on it.
func (a Audience) VisibleTo(v Viewer) bool {
	switch {
	case isStaff(v):
		return true
	case v.IsCustomer():
		return a.ReachesCustomer()
	case v.Role == roleOfficer:
		return a.ReachesOfficers()
	}
	return false // a role nobody taught this: nothing
}

// isStaff reports whether the viewer is the office's own: the local
// operator or an operator, dispatcher or supervisor user.
func isStaff(v Viewer) bool {
	switch v.Role {
	case "", RoleOperator, RoleDispatcher, RoleSupervisor:
		return true
	}
	return false
}

// mark is how the audit names a wider audience than staff: "[for customer] ".
func (a Audience) mark() string {
	if a == AudienceStaff || a == "" {
		return ""
	}
	return "[for " + string(a) + "] "
}

// Note is a timestamped field note on a job.
type Note struct {
	ID       int64
	JobID    int64
	At       time.Time
	Author   string // "office" for a customer: staff names stay with staff
	Body     string
	Audience Audience
}

// AddNote adds a field note to a job for an audience ("" is staff only).
func (s *Store) AddNote(ctx context.Context, actor string, jobID int64, body string, audience Audience) (Note, error) {
	aud, err := ParseAudience(string(audience))
	if err != nil {
		return Note{}, err
	}
	body = Clean(body, true)
	if body == "" {
		return Note{}, &Error{Code: EInvalid, Field: "note", Message: "a note needs some text"}
	}
	if err := limitText("note", "note", body, MaxFieldNote); err != nil {
		return Note{}, err
	}
	n := Note{JobID: jobID, At: s.now().UTC().Truncate(time.Second), Author: actor, Body: body, Audience: aud}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		if _, err := jobByID(ctx, tx, jobID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO job_notes (job_id, at, author, body, audience) VALUES (?, ?, ?, ?, ?)`, jobID, fmtTime(n.At), actor, body, string(aud))
		if err != nil {
			return err
		}
		n.ID, _ = res.LastInsertId()
		return s.auditJob(ctx, tx, actor, jobID, "note", n.ID, "note", "", aud.mark()+firstLine(body))
	})
	return n, err
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 80 {
		l = l[:80] + "…"
	}
	return l
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Actor    string
	Entity   string
	EntityID int64
	JobID    int64
	Action   string
	Before   string
	After    string
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	JobID int64
	Actor string
	Limit int
}

// Audit lists recorded changes, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	if f.JobID != 0 {
		where, args = append(where, "job_id = ?"), append(args, f.JobID)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	q := `SELECT id, at, actor, entity, entity_id, coalesce(job_id, 0), action, before, after FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	var out []AuditEntry
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			var at string
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Entity, &e.EntityID, &e.JobID, &e.Action, &e.Before, &e.After); err != nil {
				return err
			}
			if e.At, err = parseTime(at); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
