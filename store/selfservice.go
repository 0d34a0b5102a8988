package store

// Self-service (issue 13): an officer user sees the open shifts it may
// take, signs up (assigned at once, or held for a dispatcher as the office
// chooses), drops a shift more than 48 hours ahead, and reads its own
// shifts and pay; a dispatcher confirms held sign-ups; an agency user reads
// its own officers' roster; a customer user requests work and cancels its
// own (job.go, lifecycle.go call the checks below). Every read of the new
// roles is scoped here: jobScope, canReadJob, redactJob, canSeeOfficer.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// DropNotice is how long before its start an officer may still drop a
// shift on their own; inside it they call the office.
const DropNotice = 48 * time.Hour

// Sign-up states (the signups table).
const (
	SignupPending   = "pending"   // waits for a dispatcher
	SignupAssigned  = "assigned"  // the officer got the position
	SignupRefused   = "refused"   // a dispatcher said no, or the position was filled
	SignupWithdrawn = "withdrawn" // the officer took a pending sign-up back
	SignupDropped   = "dropped"   // the officer dropped the shift later
)

// SignupStates lists the sign-up states.
var SignupStates = []string{SignupPending, SignupAssigned, SignupRefused, SignupWithdrawn, SignupDropped}

// OpenShift is an open position an officer user may take.
type OpenShift struct {
	PositionID   int64
	Slot         int
	Class        string
	Start, End   time.Time
	JobID        int64
	CustomerName string
	SiteName     string
	SiteAddress  string
	AgencyName   string
	AgencyZone   string
	PostOrders   string          // shared with the officers on the job
	Hours        string          // billed hours of the shift ("4 h"), the minimum included
	Pay          decimal.Decimal // the officer's share for the shift, from the job's rate card
	// FairOnlyUntil is zero, or until when only officers at or below the
	// agency's median month may take it (this officer is one of them).
	FairOnlyUntil time.Time
}

// SignupResult is what a sign-up did.
type SignupResult struct {
	SignupID int64
	State    string // SignupAssigned or SignupPending
	Message  string // one line for the officer
}

// Signup is one officer's sign-up for a position.
type Signup struct {
	ID, PositionID, OfficerID, JobID int64
	OfficerName, Badge               string
	At                               time.Time
	State                            string
	Start, End                       time.Time
	CustomerName, SiteName           string
	Reason                           string // why it was refused or dropped
	DecidedAt                        time.Time
	DecidedBy                        string
}

// MyShift is one of an officer's own positions with what was recorded and
// what it pays.
type MyShift struct {
	OfficerShift
	CheckIn, CheckOut time.Time
	Attendance        string          // "", released_early, held_over, no_show
	Minutes           int             // billed minutes (the minimum included; 0 for a no-show)
	Pay               decimal.Decimal // the officer's share
}

// RosterLine is one of an agency's officers on a detail.
type RosterLine struct {
	OfficerID                           int64
	OfficerName, Badge                  string
	JobID                               int64
	CustomerName, SiteName, SiteAddress string
	Start, End                          time.Time
	ContactName, ContactPhone           string
	Status                              string // the job's status
	AgencyID                            int64
	AgencyName                          string
	PositionID                          int64
	Class                               string // officer or supervisor
}

// roleWords names a viewer's role in a refusal: "an officer", "the local operator".
func roleWords(v Viewer) string {
	if v.Role == "" {
		return "the local operator"
	}
	return article(v.Role) + " " + v.Role
}

// selfOfficer resolves an officer user and its officer record; anyone else
// is refused what (e.g. "open shifts are an officer user's").
func selfOfficer(ctx context.Context, q querier, actor, what string) (Viewer, Officer, error) {
	v, err := viewerOf(ctx, q, actor)
	if err != nil {
		return v, Officer{}, err
	}
	if !v.IsOfficer() || v.OfficerID == 0 {
		return v, Officer{}, &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s: %s", v.Name, roleWords(v), what)}
	}
	list, err := officers(ctx, q, `WHERE o.id = ?`, v.OfficerID)
	if err != nil {
		return v, Officer{}, err
	}
	if len(list) == 0 {
		return v, Officer{}, &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", v.OfficerID)}
	}
	return v, list[0], nil
}

// jobScope is the condition (on jobs j) that narrows a job list to what an
// officer or agency user may read: an officer the jobs it holds or held a
// position on; an agency its own jobs that have an officer. "" for others.
func jobScope(v Viewer) (string, []any) {
	switch {
	case v.IsOfficer():
		return `j.id IN (SELECT job_id FROM positions WHERE officer_id = ?)`, []any{v.OfficerID}
	case v.IsAgency():
		return `j.agency_id = ? AND EXISTS (SELECT 1 FROM positions p WHERE p.job_id = j.id AND p.officer_id IS NOT NULL)`, []any{v.AgencyID}
	}
	return "", nil
}

// canReadJob refuses an officer or agency user a job outside jobScope.
func canReadJob(ctx context.Context, q querier, v Viewer, j Job) error {
	switch {
	case v.IsOfficer():
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND officer_id = ?`, j.ID, v.OfficerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &Error{Code: EForbidden, Field: "job", Message: fmt.Sprintf("job #%d is not one of your shifts", j.ID)}
		}
	case v.IsAgency():
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND officer_id IS NOT NULL`, j.ID).Scan(&n); err != nil {
			return err
		}
		if j.AgencyID != v.AgencyID || n == 0 {
			return &Error{Code: EForbidden, Field: "job", Message: fmt.Sprintf("job #%d is not one of your officers' details", j.ID)}
		}
	}
	return nil
}

// redactJob leaves out of a job what an officer or agency user does not
// read: the customer's money (total, quote, fees) and PO number, and the
// staff's notes on positions (redactPosition).
func redactJob(v Viewer, j *Job) {
	if !v.IsOfficer() && !v.IsAgency() {
		return
	}
	j.Total, j.Quote, j.CancelFee, j.PONumber = decimal.Zero, pricing.Snapshot{}, decimal.NullDecimal{}, ""
	for i := range j.Positions {
		redactPosition(v, &j.Positions[i])
	}
}

// redactPosition leaves out a supervisor's override reason and, for an
// officer, who else did not come.
func redactPosition(v Viewer, p *Position) {
	if !v.IsOfficer() && !v.IsAgency() {
		return
	}
	p.Override = ""
	if v.IsOfficer() && p.NoShowOfficerID != v.OfficerID {
		p.NoShowOfficerID, p.NoShowName = 0, ""
	}
}

// canSeeOfficer refuses a viewer another officer's shifts: an officer user
// reads its own, an agency user its own officers', staff (operator and up)
// anyone's.
func (s *Store) canSeeOfficer(ctx context.Context, v Viewer, officerID int64) error {
	switch {
	case v.IsOfficer():
		if officerID != v.OfficerID {
			return &Error{Code: EForbidden, Field: "officer", Message: fmt.Sprintf("%s is an officer: it reads its own shifts only", v.Name)}
		}
		return nil
	case v.IsAgency():
		var agencyID int64
		err := s.read(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT agency_id FROM officers WHERE id = ?`, officerID).Scan(&agencyID)
		})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if agencyID != v.AgencyID {
			return &Error{Code: EForbidden, Field: "officer", Message: fmt.Sprintf("%s reads its own agency's officers only", v.Name)}
		}
		return nil
	}
	return v.Need(PermRequest, "an officer's shifts")
}

// authorizeRequest checks who may save a request: staff with PermRequest,
// or a customer user for its own account and its own sites only (a new
// site goes on its own account), received now whatever the input says.
func (s *Store) authorizeRequest(ctx context.Context, q querier, actor string, in *JobInput) error {
	v, err := viewerOf(ctx, q, actor)
	if err != nil {
		return err
	}
	if !v.IsCustomer() {
		return v.Need(PermRequest, "this")
	}
	if in.NewCustomer != nil || in.CustomerID != v.CustomerID {
		return &Error{Code: EForbidden, Field: "customer", Message: fmt.Sprintf("%s requests work for its own account only", v.Name)}
	}
	if in.NewSite == nil {
		var owner int64
		err := q.QueryRowContext(ctx, `SELECT customer_id FROM sites WHERE id = ?`, in.SiteID).Scan(&owner)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if owner != v.CustomerID {
			return &Error{Code: EForbidden, Field: "site", Message: fmt.Sprintf("site #%d is not one of your sites", in.SiteID)}
		}
	}
	in.Received = s.now() // a customer's request is received when it arrives
	return nil
}

// authorizeCancel checks who may cancel or reduce a job: a dispatcher and
// up, or a customer user its own account's jobs, at the office's now.
func (s *Store) authorizeCancel(ctx context.Context, q querier, actor string, plan *CancelPlan) error {
	v, err := viewerOf(ctx, q, actor)
	if err != nil {
		return err
	}
	if !v.IsCustomer() {
		return v.Need(PermDispatch, "this")
	}
	var owner int64
	err = q.QueryRowContext(ctx, `SELECT customer_id FROM jobs WHERE id = ?`, plan.JobID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: ENotFound, Field: "job", Message: fmt.Sprintf("no job %d", plan.JobID)}
	}
	if err != nil {
		return err
	}
	if owner != v.CustomerID {
		return &Error{Code: EForbidden, Field: "job", Message: fmt.Sprintf("job #%d is not on your account", plan.JobID)}
	}
	plan.At = s.now() // a customer cancels now: never earlier, for a smaller fee
	return nil
}

// PreviewCancelFor is PreviewCancel as actor may ask it: a dispatcher and
// up any job at the plan's time; a customer user its own jobs, at now (what
// CancelOrReduce would charge it). Others are refused.
func (s *Store) PreviewCancelFor(ctx context.Context, actor string, plan CancelPlan) (pricing.Fee, error) {
	var fee pricing.Fee
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorizeCancel(ctx, tx, actor, &plan); err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, plan.JobID)
		if err != nil {
			return err
		}
		fee, _, _, _, err = s.planFee(ctx, tx, j, plan)
		return err
	})
	return fee, err
}

// officerRange is the span of bookings that decides an officer's
// eligibility for shifts starting at the given times (as candidates reads).
func officerRange(starts []time.Time, loc *time.Location) (time.Time, time.Time) {
	var from, to time.Time
	for i, st := range starts {
		ms, ws := MonthStart(st, loc), WeekStart(st, loc)
		f := ms
		if ws.Before(f) {
			f = ws
		}
		f = f.Add(-48 * time.Hour)
		t := ms.AddDate(0, 1, 0)
		if we := ws.AddDate(0, 0, 9); we.After(t) {
			t = we
		}
		if i == 0 || f.Before(from) {
			from = f
		}
		if i == 0 || t.After(to) {
			to = t
		}
	}
	return from, to
}

// approvedAt is when a job was last approved (its audit), zero if never.
func approvedAt(ctx context.Context, q querier, jobID int64) (time.Time, error) {
	var at sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT max(at) FROM audit WHERE entity = 'job' AND entity_id = ? AND action = 'approve'`, jobID).Scan(&at); err != nil {
		return time.Time{}, err
	}
	return nullTime(at)
}

// fairUntil is the end of a job's fairness window, or zero when none
// applies now (off, never approved, or over).
func (s *Store) fairUntil(ctx context.Context, q querier, set OfficeSettings, jobID int64) (time.Time, error) {
	if set.FairnessHours <= 0 {
		return time.Time{}, nil
	}
	at, err := approvedAt(ctx, q, jobID)
	if err != nil || at.IsZero() {
		return time.Time{}, err
	}
	until := at.Add(time.Duration(set.FairnessHours) * time.Hour)
	if !s.now().Before(until) {
		return time.Time{}, nil
	}
	return until, nil
}

// monthLoad is an agency's active officers' minutes booked in one local
// calendar month (assigned positions of jobs not cancelled, by start).
type monthLoad struct {
	month   time.Time // 00:00 local on the first
	minutes map[int64]int
	median2 int // twice the median (an even count's median may end in a half minute)
}

func agencyMonthLoad(ctx context.Context, q querier, agencyID int64, ms time.Time) (monthLoad, error) {
	ml := monthLoad{month: ms, minutes: map[int64]int{}}
	offs, err := officers(ctx, q, `WHERE o.agency_id = ? AND o.active = 1`, agencyID)
	if err != nil {
		return ml, err
	}
	ids := make([]int64, len(offs))
	for i, o := range offs {
		ids[i] = o.ID
	}
	me := ms.AddDate(0, 1, 0)
	bk, err := bookings(ctx, q, ids, ms, me, 0)
	if err != nil {
		return ml, err
	}
	var all []int
	for _, id := range ids {
		m := minutesStarting(bk[id], ms, me)
		ml.minutes[id] = m
		all = append(all, m)
	}
	if n := len(all); n > 0 {
		sort.Ints(all)
		ml.median2 = all[(n-1)/2] + all[n/2]
	}
	return ml, nil
}

// fair reports whether an officer is at or below the month's median.
func (ml monthLoad) fair(officerID int64) bool {
	m, ok := ml.minutes[officerID]
	return ok && 2*m <= ml.median2
}

// fairRefusal is the reason an officer above the median is refused.
func (ml monthLoad) fairRefusal(officerID int64, until time.Time, loc *time.Location) error {
	return &Error{Code: EConflict, Field: "fairness", Message: fmt.Sprintf(
		"until %s this shift goes only to officers with no more than the agency's median hours booked in %s (%s): you have %s booked; try again then",
		until.In(loc).Format("Mon 02 Jan 15:04"), ml.month.Format("January"), pricing.FormatHours(ml.median2/2), pricing.FormatHours(ml.minutes[officerID]))}
}

// shiftPay is an officer's share and billed minutes for a position as its
// job's rate card prices it (nil lines for a no-show or an open position).
func shiftPay(a *pricing.Agency, j Job, p Position) (int, decimal.Decimal) {
	pay, minutes := decimal.Zero, 0
	for _, l := range positionCharge(a, j, p) {
		minutes += l.Minutes
		pay = pay.Add(l.OfficerPay)
	}
	return minutes, pay
}

// OpenShifts lists the open positions an officer user may take, by start:
// positions of its agency's approved or scheduled jobs starting after now
// for which it is eligible by the dispatcher's rules (active, rank, no
// overlap, standing, weekly cap, 16 h a day, 8 h rest) and, inside a job's
// fairness window, at or below the agency's median month. Officer users only.
func (s *Store) OpenShifts(ctx context.Context, actor string) ([]OpenShift, error) {
	var out []OpenShift
	err := s.read(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "open shifts are an officer user's")
		if err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, o.AgencyID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.job_id, p.slot, p.class, p.status, p.officer_id, p.starts_at, p.ends_at
			FROM positions p JOIN jobs j ON j.id = p.job_id
			WHERE p.status = 'open' AND p.starts_at > ? AND j.agency_id = ? AND j.status IN ('approved', 'scheduled')
			ORDER BY p.starts_at, p.id`, fmtTime(s.now()), o.AgencyID)
		if err != nil {
			return err
		}
		type open struct {
			positionRow
			slot int
		}
		var list []open
		var starts []time.Time
		for rows.Next() {
			var p open
			var st, en string
			if err := rows.Scan(&p.id, &p.jobID, &p.slot, &p.class, &p.status, &p.officerID, &st, &en); err != nil {
				rows.Close()
				return err
			}
			if p.start, err = parseTime(st); err != nil {
				rows.Close()
				return err
			}
			if p.end, err = parseTime(en); err != nil {
				rows.Close()
				return err
			}
			list = append(list, p)
			starts = append(starts, p.start)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(list) == 0 {
			return err
		}
		from, to := officerRange(starts, a.Loc)
		bk, err := bookings(ctx, tx, []int64{o.ID}, from, to, 0)
		if err != nil {
			return err
		}
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		sd, err := loadStanding(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		jobs := map[int64]Job{}
		windows := map[int64]time.Time{}
		loads := map[time.Time]monthLoad{}
		pr := newPricer()
		for _, p := range list {
			if len(Eligibility(o, bk[o.ID], p.start, p.end, p.class == "supervisor", a.Loc)) > 0 {
				continue
			}
			j, ok := jobs[p.jobID]
			if !ok {
				if j, err = jobByID(ctx, tx, p.jobID); err != nil {
					return err
				}
				jobs[p.jobID] = j
				if windows[p.jobID], err = s.fairUntil(ctx, tx, set, p.jobID); err != nil {
					return err
				}
			}
			if len(sd.reasons(o, j, p.start, p.end, p.class == "supervisor", a.Loc)) > 0 {
				continue // leave, suspension, restricted duty or a certification (StandingReasons)
			}
			until := windows[p.jobID]
			if !until.IsZero() {
				ms := MonthStart(p.start, a.Loc)
				ml, ok := loads[ms]
				if !ok {
					if ml, err = agencyMonthLoad(ctx, tx, o.AgencyID, ms); err != nil {
						return err
					}
					loads[ms] = ml
				}
				if !ml.fair(o.ID) {
					continue
				}
			}
			pa, err := pr.agency(ctx, tx, j)
			if err != nil {
				return err
			}
			minutes, pay := shiftPay(pa, j, Position{ID: p.id, Class: p.class, Status: "assigned", OfficerID: o.ID, Start: p.start, End: p.end})
			out = append(out, OpenShift{PositionID: p.id, Slot: p.slot, Class: p.class, Start: p.start, End: p.end, JobID: j.ID,
				CustomerName: j.CustomerName, SiteName: j.SiteName, SiteAddress: j.SiteAddress, AgencyName: a.Name, AgencyZone: a.Zone,
				PostOrders: j.PostOrders, Hours: pricing.FormatHours(minutes), Pay: pay, FairOnlyUntil: until})
		}
		return nil
	})
	return out, err
}

// takeable checks, inside the write transaction, that officer o may take
// position p of job j now by the dispatcher's rules: the job takes
// officers, the position is open, the officer is of the job's agency and
// eligible (candidates: active, rank, overlap, standing, caps, rest). No cap is
// overridden here.
func takeable(ctx context.Context, tx *sql.Tx, p positionRow, j Job, o Officer, self bool) error {
	switch j.Status {
	case StatusApproved, StatusScheduled, StatusInProgress:
	default:
		return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: its positions are not open", j.ID, statusWord(j.Status))}
	}
	if p.status == "cancelled" {
		return &Error{Code: EConflict, Field: "position", Message: "that position was cancelled"}
	}
	if p.officerID.Valid {
		switch {
		case p.officerID.Int64 == o.ID:
			return &Error{Code: EConflict, Field: "position", Message: fmt.Sprintf("%s already holds this shift", o.Name())}
		case self:
			return &Error{Code: EConflict, Field: "position", Message: "another officer took this shift first: it is no longer open"}
		}
		return &Error{Code: EConflict, Field: "position", Message: "that position already has an officer"}
	}
	if o.AgencyID != j.AgencyID {
		return &Error{Code: EConflict, Field: "officer", Message: fmt.Sprintf("%s cannot take this shift: officer of another agency", o.Name())}
	}
	cands, err := candidates(ctx, tx, p, j)
	if err != nil {
		return err
	}
	for _, c := range cands {
		if c.ID != o.ID || c.Eligible() {
			continue
		}
		var why []string
		for _, r := range c.Reasons {
			why = append(why, r.Text)
		}
		who := o.Name()
		if self {
			who = "you"
		}
		return &Error{Code: EConflict, Field: "officer", Message: fmt.Sprintf("%s cannot take this shift: %s", who, strings.Join(why, "; "))}
	}
	return nil
}

// fillFromSignup puts officer o in open position p of job j for sign-up
// signupID, with Assign's effects (the job's status settles, the officer
// is told), and closes the other sign-ups waiting for that position.
func (s *Store) fillFromSignup(ctx context.Context, tx *sql.Tx, actor string, p positionRow, j Job, o Officer, signupID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE positions SET officer_id = ?, status = 'assigned', override_reason = '', attendance = '',
		check_in_at = NULL, check_out_at = NULL WHERE id = ? AND status = 'open' AND officer_id IS NULL`, o.ID, p.id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &Error{Code: EConflict, Field: "position", Message: "another officer took this shift first: it is no longer open"}
	}
	if err := s.audit(ctx, tx, actor, "position", p.id, "assign", "open", fmt.Sprintf("%s (%s); sign-up #%d", o.Name(), o.Badge, signupID)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE signups SET state = 'refused', decided_at = ?, decided_by = ?, reason = 'the position was filled'
		WHERE position_id = ? AND state = 'pending' AND id <> ?`, fmtTime(s.now()), actor, p.id, signupID); err != nil {
		return err
	}
	if err := s.settleStatus(ctx, tx, actor, j); err != nil {
		return err
	}
	return s.tellAssigned(ctx, tx, p.id)
}

// shiftWords is a shift for a message: "Acme Mall site, Thu 03 Dec 10:00-14:00".
func shiftWords(j Job, p positionRow, loc *time.Location) string {
	w := wallClocks(loc, true, p.start, p.end)
	end := w[1]
	if civilIn(p.start, loc).Equal(civilIn(p.end, loc)) {
		end = p.end.In(loc).Format("15:04")
	}
	return fmt.Sprintf("%s, %s-%s", j.SiteName, w[0], end)
}

// SignUp signs an officer user up for an open position. In one write
// transaction it checks again that the position is open and the officer
// eligible (EConflict with the reason otherwise) and the job's fairness
// window; then, as the office's settings say, assigns the officer at once
// (SignupAssign: the effects of Assign) or holds the sign-up for a
// dispatcher (SignupConfirm). Two officers racing for the last position:
// the first to commit gets it, the other an EConflict saying it was taken.
func (s *Store) SignUp(ctx context.Context, actor string, positionID int64) (SignupResult, error) {
	var res SignupResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "signing up for shifts is an officer user's")
		if err != nil {
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
		if j.AgencyID != o.AgencyID {
			return &Error{Code: EForbidden, Field: "position", Message: fmt.Sprintf("shift #%d is another agency's", positionID)}
		}
		a, err := agencyByID(ctx, tx, j.AgencyID)
		if err != nil {
			return err
		}
		if j.Status != StatusApproved && j.Status != StatusScheduled {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: it takes no sign-ups", j.ID, statusWord(j.Status))}
		}
		if now := s.now(); !p.start.After(now) {
			return &Error{Code: EConflict, Field: "position", Message: fmt.Sprintf("that shift started at %s: call the office", p.start.In(a.Loc).Format("Mon 02 Jan 15:04"))}
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM signups WHERE position_id = ? AND officer_id = ? AND state = 'pending'`, p.id, o.ID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 && !p.officerID.Valid {
			return &Error{Code: EConflict, Field: "position", Message: "you have signed up for this shift already: a dispatcher confirms it"}
		}
		if err := takeable(ctx, tx, p, j, o, true); err != nil {
			return err
		}
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		until, err := s.fairUntil(ctx, tx, set, j.ID)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			ml, err := agencyMonthLoad(ctx, tx, j.AgencyID, MonthStart(p.start, a.Loc))
			if err != nil {
				return err
			}
			if !ml.fair(o.ID) {
				return ml.fairRefusal(o.ID, until, a.Loc)
			}
		}
		state, decidedAt, decidedBy := SignupPending, any(nil), ""
		if set.SignupMode != SignupConfirm {
			state, decidedAt, decidedBy = SignupAssigned, fmtTime(s.now()), actor
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO signups (position_id, officer_id, at, state, decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?)`,
			p.id, o.ID, fmtTime(s.now()), state, decidedAt, decidedBy)
		if err != nil {
			return err
		}
		id, _ := r.LastInsertId()
		if err := s.auditJob(ctx, tx, actor, j.ID, "signup", id, "sign up", "", fmt.Sprintf("%s (%s) for position %d: %s", o.Name(), o.Badge, p.id, state)); err != nil {
			return err
		}
		res = SignupResult{SignupID: id, State: state}
		what := shiftWords(j, p, a.Loc)
		if state == SignupAssigned {
			res.Message = "You are on it: " + what + "."
			return s.fillFromSignup(ctx, tx, actor, p, j, o, id)
		}
		res.Message = "Signed up for " + what + ": a dispatcher confirms it."
		return s.tellSignupPending(ctx, tx, id)
	})
	return res, err
}

// DropShift takes an officer user off its own shift, more than DropNotice
// before its start (inside that it calls the office): the position reopens
// (the job's status settles), the sign-up is recorded as dropped with the
// reason, the change is audited and the dispatchers are told.
func (s *Store) DropShift(ctx context.Context, actor string, positionID int64, reason string) error {
	reason = Clean(reason, false)
	if err := limitText("reason", "reason", reason, MaxReason); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "dropping a shift is an officer user's (staff unassign)")
		if err != nil {
			return err
		}
		p, err := positionByID(ctx, tx, positionID)
		if err != nil {
			return err
		}
		if p.status != "assigned" || !p.officerID.Valid || p.officerID.Int64 != o.ID {
			return &Error{Code: EForbidden, Field: "position", Message: fmt.Sprintf("shift #%d is not yours", positionID)}
		}
		j, err := jobByID(ctx, tx, p.jobID)
		if err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, j.AgencyID)
		if err != nil {
			return err
		}
		if j.Status != StatusApproved && j.Status != StatusScheduled {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: call the office", j.ID, statusWord(j.Status))}
		}
		var checkedIn sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT check_in_at FROM positions WHERE id = ?`, p.id).Scan(&checkedIn); err != nil {
			return err
		}
		if left := p.start.Sub(s.now()); left <= DropNotice || checkedIn.Valid {
			return &Error{Code: EConflict, Field: "position", Message: fmt.Sprintf("the shift starts %s, inside 48 hours of the start: call the office",
				p.start.In(a.Loc).Format("Mon 02 Jan 15:04"))}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET officer_id = NULL, status = 'open', override_reason = '' WHERE id = ?`, p.id); err != nil {
			return err
		}
		after := "open (dropped by the officer)"
		if reason != "" {
			after = "open (dropped by the officer: " + reason + ")"
		}
		if err := s.audit(ctx, tx, actor, "position", p.id, "drop", officerLabel(ctx, tx, o.ID), after); err != nil {
			return err
		}
		now := fmtTime(s.now())
		r, err := tx.ExecContext(ctx, `UPDATE signups SET state = 'dropped', decided_at = ?, decided_by = ?, reason = ? WHERE id =
			(SELECT id FROM signups WHERE position_id = ? AND officer_id = ? AND state = 'assigned' ORDER BY id DESC LIMIT 1)`, now, actor, reason, p.id, o.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 { // assigned by a dispatcher: the drop is recorded all the same
			if _, err := tx.ExecContext(ctx, `INSERT INTO signups (position_id, officer_id, at, state, decided_at, decided_by, reason) VALUES (?, ?, ?, 'dropped', ?, ?, ?)`,
				p.id, o.ID, now, now, actor, reason); err != nil {
				return err
			}
		}
		if err := s.settleStatus(ctx, tx, actor, j); err != nil {
			return err
		}
		return s.tellDropped(ctx, tx, p.id, o.ID)
	})
}

// Signups lists sign-ups, oldest first, of one state ("" for all): a
// dispatcher (and up) reads everyone's, an officer user its own.
func (s *Store) Signups(ctx context.Context, actor string, state string) ([]Signup, error) {
	if state != "" && !slices.Contains(SignupStates, state) {
		return nil, &Error{Code: EInvalid, Field: "state", Message: fmt.Sprintf("sign-up state %q: use %s", Clean(state, false), strings.Join(SignupStates, ", "))}
	}
	var out []Signup
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		var officerID int64
		if v.IsOfficer() {
			officerID = v.OfficerID
		} else if err := v.Need(PermDispatch, "the sign-ups"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.position_id, s.officer_id, p.job_id, o.first_name || ' ' || o.last_name, o.badge, s.at, s.state,
			p.starts_at, p.ends_at, c.name, st.name, s.reason, s.decided_at, s.decided_by
			FROM signups s JOIN positions p ON p.id = s.position_id JOIN officers o ON o.id = s.officer_id JOIN jobs j ON j.id = p.job_id
			JOIN customers c ON c.id = j.customer_id JOIN sites st ON st.id = j.site_id
			WHERE (? = '' OR s.state = ?) AND (? = 0 OR s.officer_id = ?) ORDER BY s.at, s.id`, state, state, officerID, officerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x Signup
			var at, st, en string
			var decided sql.NullString
			if err := rows.Scan(&x.ID, &x.PositionID, &x.OfficerID, &x.JobID, &x.OfficerName, &x.Badge, &at, &x.State, &st, &en,
				&x.CustomerName, &x.SiteName, &x.Reason, &decided, &x.DecidedBy); err != nil {
				return err
			}
			for _, t := range []struct {
				dst *time.Time
				src string
			}{{&x.At, at}, {&x.Start, st}, {&x.End, en}} {
				if *t.dst, err = parseTime(t.src); err != nil {
					return err
				}
			}
			if x.DecidedAt, err = nullTime(decided); err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// signupRow loads one sign-up's position, officer and state.
func signupRow(ctx context.Context, q querier, id int64) (positionID, officerID int64, state string, err error) {
	err = q.QueryRowContext(ctx, `SELECT position_id, officer_id, state FROM signups WHERE id = ?`, id).Scan(&positionID, &officerID, &state)
	if errors.Is(err, sql.ErrNoRows) {
		err = &Error{Code: ENotFound, Field: "signup", Message: fmt.Sprintf("no sign-up %d", id)}
	}
	return
}

// DecideSignup settles a pending sign-up: a dispatcher's (and up). Accept
// assigns the officer under the rules (EConflict with the reason when they
// no longer allow it: the sign-up then stays pending); refuse records the
// reason.
func (s *Store) DecideSignup(ctx context.Context, actor string, id int64, accept bool, reason string) error {
	reason = Clean(reason, false)
	if err := limitText("reason", "reason", reason, MaxReason); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		positionID, officerID, state, err := signupRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if state != SignupPending {
			return &Error{Code: EConflict, Field: "signup", Message: fmt.Sprintf("sign-up %d is %s: only a pending one is decided", id, state)}
		}
		p, err := positionByID(ctx, tx, positionID)
		if err != nil {
			return err
		}
		now := fmtTime(s.now())
		if !accept {
			if _, err := tx.ExecContext(ctx, `UPDATE signups SET state = 'refused', decided_at = ?, decided_by = ?, reason = ? WHERE id = ?`, now, actor, reason, id); err != nil {
				return err
			}
			return s.auditJob(ctx, tx, actor, p.jobID, "signup", id, "refuse", SignupPending, strings.TrimSpace("refused "+reason))
		}
		j, err := jobByID(ctx, tx, p.jobID)
		if err != nil {
			return err
		}
		list, err := officers(ctx, tx, `WHERE o.id = ?`, officerID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", officerID)}
		}
		if err := takeable(ctx, tx, p, j, list[0], false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signups SET state = 'assigned', decided_at = ?, decided_by = ?, reason = ? WHERE id = ?`, now, actor, reason, id); err != nil {
			return err
		}
		if err := s.auditJob(ctx, tx, actor, j.ID, "signup", id, "accept", SignupPending, SignupAssigned); err != nil {
			return err
		}
		return s.fillFromSignup(ctx, tx, actor, p, j, list[0], id)
	})
}

// WithdrawSignup takes back an officer user's own pending sign-up.
func (s *Store) WithdrawSignup(ctx context.Context, actor string, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "withdrawing a sign-up is an officer user's")
		if err != nil {
			return err
		}
		positionID, officerID, state, err := signupRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if officerID != o.ID {
			return &Error{Code: EForbidden, Field: "signup", Message: fmt.Sprintf("sign-up %d is not yours", id)}
		}
		if state != SignupPending {
			return &Error{Code: EConflict, Field: "signup", Message: fmt.Sprintf("sign-up %d is %s: only a pending one is withdrawn", id, state)}
		}
		now := fmtTime(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE signups SET state = 'withdrawn', decided_at = ?, decided_by = ? WHERE id = ?`, now, actor, id); err != nil {
			return err
		}
		var jobID int64
		if err := tx.QueryRowContext(ctx, `SELECT job_id FROM positions WHERE id = ?`, positionID).Scan(&jobID); err != nil {
			return err
		}
		return s.auditJob(ctx, tx, actor, jobID, "signup", id, "withdraw", SignupPending, SignupWithdrawn)
	})
}

// MyShifts lists an officer user's own positions starting in [from, to)
// (a zero bound is open), by start: those it holds on jobs not cancelled
// (ahead, and past ones worked, with attendance as recorded) and those it
// did not come to (Attendance no_show, no pay), each with its billed
// minutes and the officer's share.
func (s *Store) MyShifts(ctx context.Context, actor string, from, to time.Time) ([]MyShift, error) {
	lo, hi := "", "9999"
	if !from.IsZero() {
		lo = fmtTime(from)
	}
	if !to.IsZero() {
		hi = fmtTime(to)
	}
	var out []MyShift
	err := s.read(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "my shifts are an officer user's")
		if err != nil {
			return err
		}
		const cols = `SELECT p.id, p.job_id, p.slot, p.class, p.starts_at, p.ends_at, j.status,
			c.name, st.name, st.address, a.id, a.slug, a.name, a.zone, j.post_orders, j.contact_name, j.contact_phone,
			p.status, coalesce(p.officer_id, 0), p.check_in_at, p.check_out_at, p.attendance
			FROM positions p JOIN jobs j ON j.id = p.job_id JOIN customers c ON c.id = j.customer_id
			JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id `
		rows, err := tx.QueryContext(ctx, cols+`WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ? AND p.starts_at < ?
			UNION ALL `+cols+`WHERE p.no_show_officer_id = ? AND coalesce(p.officer_id, 0) <> ? AND p.starts_at >= ? AND p.starts_at < ?
			ORDER BY 5, 1`, o.ID, lo, hi, o.ID, o.ID, lo, hi)
		if err != nil {
			return err
		}
		var list []MyShift
		var pos []Position
		for rows.Next() {
			var m MyShift
			var p Position
			var st, en string
			var in, outAt sql.NullString
			sh := &m.OfficerShift
			if err := rows.Scan(&sh.PositionID, &sh.JobID, &sh.Slot, &sh.Class, &st, &en, &sh.JobStatus,
				&sh.CustomerName, &sh.SiteName, &sh.SiteAddress, &sh.AgencyID, &sh.AgencySlug, &sh.AgencyName, &sh.AgencyZone,
				&sh.PostOrders, &sh.ContactName, &sh.ContactPhone, &p.Status, &p.OfficerID, &in, &outAt, &p.Attendance); err != nil {
				rows.Close()
				return err
			}
			if sh.Start, err = parseTime(st); err == nil {
				if sh.End, err = parseTime(en); err == nil {
					if p.CheckIn, err = nullTime(in); err == nil {
						p.CheckOut, err = nullTime(outAt)
					}
				}
			}
			if err != nil {
				rows.Close()
				return err
			}
			p.ID, p.Class, p.Start, p.End = sh.PositionID, sh.Class, sh.Start, sh.End
			if p.OfficerID != o.ID { // a no-show of this officer; the position went on
				p = Position{ID: p.ID, Class: p.Class, Start: p.Start, End: p.End, Attendance: pricing.AttendanceNoShow}
			}
			m.CheckIn, m.CheckOut, m.Attendance = p.CheckIn, p.CheckOut, p.Attendance
			list = append(list, m)
			pos = append(pos, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		jobs := map[int64]Job{}
		pr := newPricer()
		for i := range list {
			m := &list[i]
			m.Pay = decimal.Zero
			if m.Attendance == pricing.AttendanceNoShow {
				continue
			}
			j, ok := jobs[m.JobID]
			if !ok {
				if j, err = jobByID(ctx, tx, m.JobID); err != nil {
					return err
				}
				jobs[m.JobID] = j
			}
			pa, err := pr.agency(ctx, tx, j)
			if err != nil {
				return err
			}
			m.Minutes, m.Pay = shiftPay(pa, j, pos[i])
		}
		out = list
		return nil
	})
	return out, err
}

// MyPay is an officer user's own lines and total in the pay period holding
// day, as Payroll computes (or, once locked, reads) them: never another
// officer's.
func (s *Store) MyPay(ctx context.Context, actor string, day time.Time) (OfficerPay, error) {
	var op OfficerPay
	if err := checkYear("period", day); err != nil {
		return op, err
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "my pay is an officer user's")
		if err != nil {
			return err
		}
		p, _, err := s.payroll(ctx, tx, day)
		if err != nil {
			return err
		}
		op = OfficerPay{Officer: o, Total: decimal.Zero}
		for _, x := range p.Officers {
			if x.Officer.ID == o.ID {
				op = x
				op.Officer = o
			}
		}
		return nil
	})
	return op, err
}

// PayPeriod is the pay period holding day: its first day and the day after
// its last (civil dates).
func (s *Store) PayPeriod(ctx context.Context, day time.Time) (time.Time, time.Time, error) {
	var ps, pe time.Time
	if err := checkYear("period", day); err != nil {
		return ps, pe, err
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		set, err := paySettings(ctx, tx)
		if err != nil {
			return err
		}
		ps, pe, err = pricing.PeriodFrom(set.Anchor, set.Days, day)
		return err
	})
	return ps, pe, err
}

// AgencyRoster lists officers on details starting in [from, to), by start:
// assigned positions of jobs not cancelled. An agency user reads its own
// officers only; staff (operator and up, the local operator) every
// agency's; anyone else is refused.
func (s *Store) AgencyRoster(ctx context.Context, actor string, from, to time.Time) ([]RosterLine, error) {
	var out []RosterLine
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		var agencyID int64
		switch {
		case v.IsAgency():
			agencyID = v.AgencyID
		case v.IsStaff():
		default:
			return &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s: the roster is an agency's or the office's", v.Name, roleWords(v))}
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.first_name || ' ' || o.last_name, o.badge, j.id, c.name, st.name, st.address,
			p.starts_at, p.ends_at, j.contact_name, j.contact_phone, j.status, a.id, a.name, p.id, p.class
			FROM positions p JOIN officers o ON o.id = p.officer_id JOIN jobs j ON j.id = p.job_id JOIN customers c ON c.id = j.customer_id
			JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id
			WHERE p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ? AND p.starts_at < ? AND (? = 0 OR o.agency_id = ?)
			ORDER BY p.starts_at, o.last_name, o.first_name, p.id`, fmtTime(from), fmtTime(to), agencyID, agencyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l RosterLine
			var st, en string
			if err := rows.Scan(&l.OfficerID, &l.OfficerName, &l.Badge, &l.JobID, &l.CustomerName, &l.SiteName, &l.SiteAddress, &st, &en,
				&l.ContactName, &l.ContactPhone, &l.Status, &l.AgencyID, &l.AgencyName, &l.PositionID, &l.Class); err != nil {
				return err
			}
			if l.Start, err = parseTime(st); err != nil {
				return err
			}
			if l.End, err = parseTime(en); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}
