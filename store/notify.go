package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// The tell* hooks write, inside the transaction of a change, the messages
// it owes people (see outbox.go for kinds and recipients). Each is called
// by the store method that makes the change, after the change itself.
//
// One event gives one message per recipient: every message's Dedupe key
// names the event and ends with its address (see post). Events that can
// happen again to the same position and officer (assigned, taken off,
// assigned again) carry a stamp: the id of the newest audit row when the
// hook runs. Every change writes an audit row in its transaction, so two
// events never share a stamp, while two hooks of one change do (a drop that
// also calls tellUnassigned tells the agency once).
//
// Fully staffed is told once per job (key "staffed:JOB"): a job that loses
// an officer and is filled again is not news to the customer, who was never
// told of the gap.

// tellReceived: a customer's request was received (customer.received). A
// weekly series is told once, by its first job, with the number of weeks.
func (s *Store) tellReceived(ctx context.Context, tx *sql.Tx, jobID int64) error {
	ji, err := loadJobInfo(ctx, tx, jobID)
	if err != nil {
		return err
	}
	if ji.SeriesIndex > 0 {
		return nil
	}
	series := ""
	if ji.SeriesID != 0 {
		var weeks int
		if err := tx.QueryRowContext(ctx, `SELECT weeks FROM series WHERE id = ?`, ji.SeriesID).Scan(&weeks); err != nil {
			return err
		}
		series = fmt.Sprintf(" (weekly, %d weeks)", weeks)
	}
	intro := fmt.Sprintf("We received your request%s. It is not confirmed yet: we will write again once the office approves it.", series)
	if !ji.Bookable {
		intro = fmt.Sprintf("We received your request%s. As it stands it cannot be booked (see below): the office will call you.", series)
	}
	body := []string{intro, lines(ji.customerFacts()...)}
	if !ji.Bookable {
		var why []string
		for _, r := range ji.Quote.Refusals {
			why = append(why, "- "+r.Message)
		}
		body = append(body, "Why:\n"+strings.Join(why, "\n"))
	}
	return s.toCustomer(ctx, tx, ji, Message{Kind: MsgCustomerReceived, Dedupe: fmt.Sprintf("received:%d", ji.ID),
		Subject: "Request received: " + ji.headline(ji.Start, ji.End) + series, Body: paras(body...)})
}

// tellApproved: a request was approved (customer.approved).
func (s *Store) tellApproved(ctx context.Context, tx *sql.Tx, jobID int64) error {
	ji, err := loadJobInfo(ctx, tx, jobID)
	if err != nil {
		return err
	}
	return s.toCustomer(ctx, tx, ji, Message{Kind: MsgCustomerApproved, Dedupe: fmt.Sprintf("approved:%d", ji.ID),
		Subject: "Approved: " + ji.headline(ji.Start, ji.End),
		Body: paras(fmt.Sprintf("Your request is approved: job #%d. We are now assigning officers and will tell you when every position is filled.", ji.ID),
			lines(ji.customerFacts()...))})
}

// tellAssigned: an officer was put in a position (officer.assigned; to the
// agency when the shift starts within 24 hours: agency.change; to the
// customer when the job is now fully staffed: customer.staffed).
func (s *Store) tellAssigned(ctx context.Context, tx *sql.Tx, positionID int64) error {
	p, err := positionByID(ctx, tx, positionID)
	if err != nil {
		return err
	}
	if !p.officerID.Valid || p.status != "assigned" {
		return nil
	}
	ji, err := loadJobInfo(ctx, tx, p.jobID)
	if err != nil {
		return err
	}
	o, err := officerOf(ctx, tx, p.officerID.Int64)
	if err != nil {
		return err
	}
	stamp, err := auditStamp(ctx, tx)
	if err != nil {
		return err
	}
	body := []string{fmt.Sprintf("You are assigned to an off-duty shift: job #%d, %s position.", ji.ID, p.class), lines(ji.officerFacts(p)...)}
	body = append(body, ji.orders()...)
	if _, err := s.post(ctx, tx, Message{Kind: MsgOfficerAssigned, To: o.Email, ToName: o.Name(), JobID: ji.ID,
		Dedupe:  fmt.Sprintf("assigned:%d:%d:%d", p.id, o.ID, stamp),
		Subject: "Assigned: " + ji.headline(p.start, p.end), Body: paras(body...)}); err != nil {
		return err
	}
	if err := s.tellAgency(ctx, tx, ji, p, o, true, stamp, ""); err != nil {
		return err
	}
	return s.tellStaffed(ctx, tx, ji.ID)
}

// tellStaffed tells the customer, once per job, that every position of a
// live job has an officer (customer.staffed).
func (s *Store) tellStaffed(ctx context.Context, tx *sql.Tx, jobID int64) error {
	ji, err := loadJobInfo(ctx, tx, jobID)
	if err != nil {
		return err
	}
	switch ji.Status {
	case StatusApproved, StatusScheduled, StatusInProgress:
	default:
		return nil
	}
	var open, filled int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN status = 'assigned' THEN 1 ELSE 0 END), 0) FROM positions WHERE job_id = ?`,
		jobID).Scan(&open, &filled); err != nil {
		return err
	}
	if open > 0 || filled == 0 {
		return nil
	}
	return s.toCustomer(ctx, tx, ji, Message{Kind: MsgCustomerStaffed, Dedupe: fmt.Sprintf("staffed:%d", ji.ID),
		Subject: "Fully staffed: " + ji.headline(ji.Start, ji.End),
		Body:    paras(fmt.Sprintf("Every position of job #%d has an officer: %s.", ji.ID, ji.people()), lines(ji.customerFacts()...))})
}

// tellUnassigned: an officer was taken off a position, or its shift was
// removed (officer.cancelled; agency.change within 24 hours).
func (s *Store) tellUnassigned(ctx context.Context, tx *sql.Tx, positionID, officerID int64, why string) error {
	p, err := positionByID(ctx, tx, positionID)
	if err != nil {
		return err
	}
	ji, err := loadJobInfo(ctx, tx, p.jobID)
	if err != nil {
		return err
	}
	o, err := officerOf(ctx, tx, officerID)
	if err != nil {
		return err
	}
	stamp, err := auditStamp(ctx, tx)
	if err != nil {
		return err
	}
	if why == "" {
		why = "the office took you off it"
	}
	if _, err := s.post(ctx, tx, Message{Kind: MsgOfficerCancelled, To: o.Email, ToName: o.Name(), JobID: ji.ID,
		Dedupe:  fmt.Sprintf("unassigned:%d:%d:%d", p.id, o.ID, stamp),
		Subject: "Off the shift: " + ji.headline(p.start, p.end),
		Body: paras(fmt.Sprintf("You are no longer on this shift (job #%d): %s. Do not go unless the office asks you again.", ji.ID, why),
			lines(ji.officerFacts(p)...))}); err != nil {
		return err
	}
	return s.tellAgency(ctx, tx, ji, p, o, false, stamp, why)
}

// tellJobChanged: a job's time, place or orders changed (officer.changed to
// its officers, customer.changed).
func (s *Store) tellJobChanged(ctx context.Context, tx *sql.Tx, jobID int64, what string) error {
	ji, err := loadJobInfo(ctx, tx, jobID)
	if err != nil {
		return err
	}
	if ji.Status == StatusCancelled {
		return nil
	}
	stamp, err := auditStamp(ctx, tx)
	if err != nil {
		return err
	}
	changed := ""
	if what = strings.TrimSpace(what); what != "" {
		changed = "What changed:\n" + what
	}
	ps, err := positions(ctx, tx, jobID)
	if err != nil {
		return err
	}
	for _, pos := range ps {
		if pos.Status != "assigned" || pos.OfficerID == 0 {
			continue
		}
		o, err := officerOf(ctx, tx, pos.OfficerID)
		if err != nil {
			return err
		}
		p := positionRow{id: pos.ID, jobID: jobID, class: pos.Class, status: pos.Status, start: pos.Start, end: pos.End}
		body := []string{fmt.Sprintf("Your shift changed: job #%d. Here is the shift as it is now.", ji.ID), changed, lines(ji.officerFacts(p)...)}
		body = append(body, ji.orders()...)
		if _, err := s.post(ctx, tx, Message{Kind: MsgOfficerChanged, To: o.Email, ToName: o.Name(), JobID: ji.ID,
			Dedupe:  fmt.Sprintf("changed:%d:%d:%d", ji.ID, stamp, pos.ID),
			Subject: "Changed: " + ji.headline(pos.Start, pos.End), Body: paras(body...)}); err != nil {
			return err
		}
	}
	return s.toCustomer(ctx, tx, ji, Message{Kind: MsgCustomerChanged, Dedupe: fmt.Sprintf("changed:%d:%d", ji.ID, stamp),
		Subject: "Changed: " + ji.headline(ji.Start, ji.End),
		Body:    paras(fmt.Sprintf("Your job #%d changed. Here it is as it is now.", ji.ID), changed, lines(ji.customerFacts()...))})
}

// tellIfChanged compares a job as it was (before) with the job as it is now
// and, when its time, place, size, contact or orders changed, tells its
// officers and customer what (tellJobChanged).
func (s *Store) tellIfChanged(ctx context.Context, tx *sql.Tx, before Job) error {
	now, err := loadJobInfo(ctx, tx, before.ID)
	if err != nil {
		return err
	}
	var what []string
	if !before.Start.Equal(now.Start) || !before.End.Equal(now.End) {
		what = append(what, fmt.Sprintf("- time: %s, was %s", longWhen(now.loc, now.Start, now.End), longWhen(now.loc, before.Start, before.End)))
	}
	if before.SiteID != now.SiteID || before.SiteAddress != now.SiteAddress {
		what = append(what, fmt.Sprintf("- place: %s, was %s", place(now.SiteName, now.SiteAddress), place(before.SiteName, before.SiteAddress)))
	}
	if before.Officers != now.Officers || before.Supervisors != now.Supervisors || before.Vehicles != now.Vehicles {
		was := jobInfo{Job: before}
		what = append(what, fmt.Sprintf("- officers: %s, was %s", now.people(), was.people()))
	}
	if before.ContactName != now.ContactName || before.ContactPhone != now.ContactPhone {
		what = append(what, "- on-site contact: "+orNone(contact(now.ContactName, now.ContactPhone)))
	}
	if before.PostOrders != now.PostOrders {
		what = append(what, "- post orders (below)")
	}
	if len(what) == 0 {
		return nil
	}
	return s.tellJobChanged(ctx, tx, before.ID, strings.Join(what, "\n"))
}

// tellCancelled: a job was cancelled or reduced, with the fee
// (customer.cancelled; officer.cancelled to the officers taken off).
func (s *Store) tellCancelled(ctx context.Context, tx *sql.Tx, jobID int64, reduced bool, fee decimal.Decimal, removed []int64) error {
	ji, err := loadJobInfo(ctx, tx, jobID)
	if err != nil {
		return err
	}
	stamp, err := auditStamp(ctx, tx)
	if err != nil {
		return err
	}
	// The fee row this change wrote keys the event and gives its lines.
	var feeID int64
	var detail, reason string
	err = tx.QueryRowContext(ctx, `SELECT f.id, f.detail, j.cancel_reason FROM job_fees f JOIN jobs j ON j.id = f.job_id WHERE f.job_id = ? ORDER BY f.id DESC LIMIT 1`,
		jobID).Scan(&feeID, &detail, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		feeID = -stamp
	} else if err != nil {
		return err
	}
	var feeLines []pricing.FeeLine
	_ = json.Unmarshal([]byte(detail), &feeLines)
	feeText := "No fee."
	if fee.IsPositive() {
		var fl []string
		for _, l := range feeLines {
			fl = append(fl, fmt.Sprintf("- %s = $%s", l.Describe(), pricing.FormatMoney(l.Amount)))
		}
		fl = append(fl, fmt.Sprintf("Fee: $%s (on your next invoice)", pricing.FormatMoney(fee)))
		feeText = strings.Join(fl, "\n")
	}
	feePart := ", no fee"
	if fee.IsPositive() {
		feePart = ", fee $" + pricing.FormatMoney(fee)
	}
	subject := "Cancelled: " + ji.headline(ji.Start, ji.End) + feePart
	intro := fmt.Sprintf("Job #%d is cancelled.", ji.ID)
	if reduced {
		subject = fmt.Sprintf("Reduced to %s: %s%s", ji.people(), ji.headline(ji.Start, ji.End), feePart)
		intro = fmt.Sprintf("Job #%d is reduced: it now has %s.", ji.ID, ji.people())
	} else if r := strings.TrimSpace(reason); r != "" {
		intro = fmt.Sprintf("Job #%d is cancelled (%s).", ji.ID, r)
	}
	if err := s.toCustomer(ctx, tx, ji, Message{Kind: MsgCustomerCancelled, Dedupe: fmt.Sprintf("cancelled:%d:%d", ji.ID, feeID),
		Subject: subject, Body: paras(intro, lines(ji.customerFacts()...), feeText)}); err != nil {
		return err
	}
	why := "the job was cancelled"
	if reduced {
		why = "the job was reduced and your position removed"
	}
	seen := map[int64]bool{}
	for _, oid := range removed {
		if seen[oid] {
			continue
		}
		seen[oid] = true
		o, err := officerOf(ctx, tx, oid)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM positions WHERE job_id = ? AND officer_id = ? AND status = 'cancelled' ORDER BY slot`, jobID, oid)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		for _, pid := range ids {
			p, err := positionByID(ctx, tx, pid)
			if err != nil {
				return err
			}
			if _, err := s.post(ctx, tx, Message{Kind: MsgOfficerCancelled, To: o.Email, ToName: o.Name(), JobID: ji.ID,
				Dedupe:  fmt.Sprintf("cancelled:%d:%d:%d", ji.ID, feeID, p.id),
				Subject: "Cancelled: " + ji.headline(p.start, p.end),
				Body:    paras(fmt.Sprintf("Your shift is cancelled (job #%d): %s. %s", ji.ID, why, goOrStop(s.now(), p)), lines(ji.officerFacts(p)...))}); err != nil {
				return err
			}
			if err := s.tellAgency(ctx, tx, ji, p, o, false, stamp, why); err != nil {
				return err
			}
		}
	}
	if reduced {
		return s.tellStaffed(ctx, tx, jobID)
	}
	return nil
}

// heldPositions are a job's filled positions and their officers, read
// before a cancellation so that removedOfficers can tell who it took off.
func heldPositions(ctx context.Context, q querier, jobID int64) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, officer_id FROM positions WHERE job_id = ? AND status = 'assigned' AND officer_id IS NOT NULL`, jobID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var p, o int64
		if err := rows.Scan(&p, &o); err != nil {
			return nil, err
		}
		out[p] = o
	}
	return out, rows.Err()
}

// removedOfficers are the officers of held positions that are now cancelled.
func removedOfficers(ctx context.Context, q querier, held map[int64]int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	for pid, oid := range held {
		var st string
		if err := q.QueryRowContext(ctx, `SELECT status FROM positions WHERE id = ?`, pid).Scan(&st); err != nil {
			return nil, err
		}
		if st == "cancelled" && !seen[oid] {
			seen[oid] = true
			out = append(out, oid)
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i] < out[k] })
	return out, nil
}

// tellInvoiceIssued: an invoice was issued (customer.invoice, its PDF attached).
func (s *Store) tellInvoiceIssued(ctx context.Context, tx *sql.Tx, invoiceID int64) error {
	inv, err := invoiceByID(ctx, tx, invoiceID)
	if err != nil {
		return err
	}
	if inv.State != InvoiceIssued || inv.Number == "" {
		return nil
	}
	addrs, err := customerAddresses(ctx, tx, inv.CustomerID)
	if err != nil {
		return err
	}
	total := "$" + pricing.FormatMoney(inv.Total)
	due := inv.DueOn.Format("Mon 02 Jan 2006")
	shifts := 0
	for _, l := range inv.Lines {
		if l.Kind == "shift" {
			shifts++
		}
	}
	facts := lines(
		"Invoice: "+inv.Number,
		"For: "+inv.CustomerName,
		fmt.Sprintf("Period: %s to %s", inv.PeriodStart.Format("02 Jan 2006"), inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006")),
		fmt.Sprintf("Lines: %d (%d officer shifts)", len(inv.Lines), shifts),
		"Total: "+total,
		"Issued: "+inv.IssuedOn.Format("Mon 02 Jan 2006"),
		fmt.Sprintf("Due: %s (%s)", due, TermsText(inv.TermsDays)),
	)
	for _, a := range addrs {
		if _, err := s.post(ctx, tx, Message{Kind: MsgInvoiceIssued, To: a, ToName: inv.CustomerName, InvoiceID: inv.ID,
			Dedupe:  fmt.Sprintf("invoice:%d", inv.ID),
			Subject: fmt.Sprintf("Invoice %s: %s, due %s", inv.Number, total, due),
			Body:    paras(fmt.Sprintf("Your invoice %s is attached (PDF).", inv.Number), facts)}); err != nil {
			return err
		}
	}
	return nil
}

// tellDropped: an officer dropped a shift (dispatch.dropped; agency.change
// within 24 hours).
func (s *Store) tellDropped(ctx context.Context, tx *sql.Tx, positionID, officerID int64) error {
	p, err := positionByID(ctx, tx, positionID)
	if err != nil {
		return err
	}
	ji, err := loadJobInfo(ctx, tx, p.jobID)
	if err != nil {
		return err
	}
	o, err := officerOf(ctx, tx, officerID)
	if err != nil {
		return err
	}
	stamp, err := auditStamp(ctx, tx)
	if err != nil {
		return err
	}
	var open, all int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END), 0) FROM positions WHERE job_id = ?`,
		ji.ID).Scan(&open, &all); err != nil {
		return err
	}
	addrs, err := dispatcherAddresses(ctx, tx)
	if err != nil {
		return err
	}
	var reason string // the officer's, kept on the sign-up the drop closed
	if err := tx.QueryRowContext(ctx, `SELECT reason FROM signups WHERE position_id = ? AND officer_id = ? AND state = 'dropped' ORDER BY id DESC LIMIT 1`,
		p.id, o.ID).Scan(&reason); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if reason = strings.TrimSpace(reason); reason != "" {
		reason = "Their reason: " + reason
	}
	who := fmt.Sprintf("%s (%s)", o.Name(), o.Badge)
	for _, a := range addrs {
		if _, err := s.post(ctx, tx, Message{Kind: MsgDispatchDropped, To: a, JobID: ji.ID,
			Dedupe:  fmt.Sprintf("dropped:%d:%d:%d", p.id, o.ID, stamp),
			Subject: fmt.Sprintf("Dropped: %s, %s", who, ji.headline(p.start, p.end)),
			Body: paras(fmt.Sprintf("%s dropped their shift on job #%d. The position is open again: %d of %d open.", who, ji.ID, open, all),
				reason, lines(ji.staffFacts(p)...))}); err != nil {
			return err
		}
	}
	return s.tellAgency(ctx, tx, ji, p, o, false, stamp, "the officer dropped the shift")
}

// tellSignupPending: a sign-up waits for a dispatcher (dispatch.signup).
func (s *Store) tellSignupPending(ctx context.Context, tx *sql.Tx, signupID int64) error {
	var posID, offID int64
	var state string
	err := tx.QueryRowContext(ctx, `SELECT position_id, officer_id, state FROM signups WHERE id = ?`, signupID).Scan(&posID, &offID, &state)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && state != "pending") {
		return nil
	}
	if err != nil {
		return err
	}
	p, err := positionByID(ctx, tx, posID)
	if err != nil {
		return err
	}
	ji, err := loadJobInfo(ctx, tx, p.jobID)
	if err != nil {
		return err
	}
	o, err := officerOf(ctx, tx, offID)
	if err != nil {
		return err
	}
	addrs, err := dispatcherAddresses(ctx, tx)
	if err != nil {
		return err
	}
	who := fmt.Sprintf("%s (%s)", o.Name(), o.Badge)
	for _, a := range addrs {
		if _, err := s.post(ctx, tx, Message{Kind: MsgDispatchSignup, To: a, JobID: ji.ID, Dedupe: fmt.Sprintf("signup:%d", signupID),
			Subject: fmt.Sprintf("Sign-up to confirm: %s, %s", who, ji.headline(p.start, p.end)),
			Body: paras(fmt.Sprintf("%s signed up for a %s position on job #%d. It waits for a dispatcher to confirm or refuse.", who, p.class, ji.ID),
				lines(ji.staffFacts(p)...))}); err != nil {
			return err
		}
	}
	return nil
}

// tellAgency tells an agency's dispatch address that one of its officers
// was added to (or taken off) a shift that runs within the next 24 hours
// by the clock: starting before now + 24 h and not yet ended
// (agency.change, which nobody opts out of).
func (s *Store) tellAgency(ctx context.Context, tx *sql.Tx, ji jobInfo, p positionRow, o Officer, added bool, stamp int64, why string) error {
	now := s.now()
	if !p.start.Before(now.Add(24*time.Hour)) || !p.end.After(now) {
		return nil
	}
	var addr, name string
	if err := tx.QueryRowContext(ctx, `SELECT dispatch_email, name FROM agencies WHERE id = ?`, o.AgencyID).Scan(&addr, &name); err != nil {
		return err
	}
	verb, key, intro := "Added", "on", fmt.Sprintf("%s: one of your officers was added to an off-duty detail in the next 24 hours.", name)
	if !added {
		verb, key, intro = "Cancelled", "off", fmt.Sprintf("%s: one of your officers is no longer on an off-duty detail in the next 24 hours", name)
		if why != "" {
			intro += " (" + why + ")"
		}
		intro += "."
	}
	facts := append([]string{fmt.Sprintf("Officer: %s %s, badge %s", rankTitle(o.Rank), o.Name(), o.Badge)}, ji.officerFacts(p)...)
	_, err := s.post(ctx, tx, Message{Kind: MsgAgencyChange, To: addr, ToName: name + " dispatch", JobID: ji.ID,
		Dedupe:  fmt.Sprintf("agency-%s:%d:%d:%d", key, p.id, o.ID, stamp),
		Subject: fmt.Sprintf("%s: %s (%s), %s", verb, o.Name(), o.Badge, ji.headline(p.start, p.end)),
		Body:    paras(intro, lines(facts...))})
	return err
}

// QueueScheduled writes the messages due by the clock at now: officers'
// day-before reminders, positions still open close to their start, each
// agency's daily roster at the office's roster hour. Each at most once
// (their Dedupe keys). It returns how many it wrote.
//
//   - officer.reminder: on the local day before a shift, from the office's
//     reminder hour to midnight (a shift assigned on its own day gets none:
//     its assignment is news enough); once per position, officer and date.
//   - dispatch.open-soon: a job with positions still open that starts within
//     the office's open-soon hours, one message per job listing them, once
//     per job and start (moved to another time, it is told again).
//   - agency.roster: from the roster hour each local day, every agency with a
//     dispatch address gets its officers' details running in the 24 hours
//     from that hour, or that there are none; once per agency and day.
//
// It reads only the positions starting from 48 hours before now to 48 hours
// (or the open-soon hours) after, in one write transaction.
func (s *Store) QueueScheduled(ctx context.Context, now time.Time) (int, error) {
	written := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		written = 0
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		type agencyRow struct {
			id         int64
			name, addr string
			loc        *time.Location
		}
		var agencies []agencyRow
		rows, err := tx.QueryContext(ctx, `SELECT id, name, zone, dispatch_email FROM agencies ORDER BY name`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a agencyRow
			var zone string
			if err := rows.Scan(&a.id, &a.name, &zone, &a.addr); err != nil {
				rows.Close()
				return err
			}
			if a.loc, err = time.LoadLocation(zone); err != nil {
				rows.Close()
				return err
			}
			agencies = append(agencies, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		soon := time.Duration(set.OpenSoonHours) * time.Hour
		ahead := max(48*time.Hour, soon)
		rows, err = tx.QueryContext(ctx, `SELECT p.id, p.job_id, p.class, p.status, p.officer_id, p.starts_at, p.ends_at
			FROM positions p JOIN jobs j ON j.id = p.job_id
			WHERE p.starts_at >= ? AND p.starts_at < ? AND p.status IN ('open', 'assigned') AND j.status IN ('approved', 'scheduled', 'in_progress')
			ORDER BY p.starts_at, p.job_id, p.slot`, fmtTime(now.Add(-48*time.Hour)), fmtTime(now.Add(ahead)))
		if err != nil {
			return err
		}
		var ps []positionRow
		for rows.Next() {
			var p positionRow
			var st, en string
			if err := rows.Scan(&p.id, &p.jobID, &p.class, &p.status, &p.officerID, &st, &en); err != nil {
				rows.Close()
				return err
			}
			if p.start, err = parseTime(st); err == nil {
				p.end, err = parseTime(en)
			}
			if err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		jobs := map[int64]jobInfo{}
		jobOf := func(id int64) (jobInfo, error) {
			if ji, ok := jobs[id]; ok {
				return ji, nil
			}
			ji, err := loadJobInfo(ctx, tx, id)
			jobs[id] = ji
			return ji, err
		}
		offs := map[int64]Officer{}
		officerByID := func(id int64) (Officer, error) {
			if o, ok := offs[id]; ok {
				return o, nil
			}
			o, err := officerOf(ctx, tx, id)
			offs[id] = o
			return o, err
		}
		count := func(ok bool, err error) error {
			if ok {
				written++
			}
			return err
		}

		// Reminders, the day before.
		for _, p := range ps {
			if p.status != "assigned" || !p.officerID.Valid || !p.start.After(now) {
				continue
			}
			ji, err := jobOf(p.jobID)
			if err != nil {
				return err
			}
			sl, nl := p.start.In(ji.loc), now.In(ji.loc)
			eve := time.Date(sl.Year(), sl.Month(), sl.Day()-1, 0, 0, 0, 0, time.UTC)
			if !civil(nl).Equal(eve) || nl.Hour() < set.ReminderHour {
				continue
			}
			o, err := officerByID(p.officerID.Int64)
			if err != nil {
				return err
			}
			body := []string{fmt.Sprintf("A reminder: you work this shift tomorrow (job #%d, %s position).", ji.ID, p.class), lines(ji.officerFacts(p)...)}
			body = append(body, ji.orders()...)
			if err := count(s.post(ctx, tx, Message{Kind: MsgOfficerReminder, To: o.Email, ToName: o.Name(), JobID: ji.ID,
				Dedupe:  fmt.Sprintf("reminder:%d:%d:%s", p.id, o.ID, sl.Format("2006-01-02")),
				Subject: "Tomorrow: " + ji.headline(p.start, p.end), Body: paras(body...)})); err != nil {
				return err
			}
		}

		// Jobs with positions still open close to their start.
		disp, err := dispatcherAddresses(ctx, tx)
		if err != nil {
			return err
		}
		openBy := map[int64][]positionRow{}
		var openJobs []int64
		for _, p := range ps {
			if p.status != "open" || !p.start.After(now) || p.start.After(now.Add(soon)) {
				continue
			}
			if _, ok := openBy[p.jobID]; !ok {
				openJobs = append(openJobs, p.jobID)
			}
			openBy[p.jobID] = append(openBy[p.jobID], p)
		}
		for _, id := range openJobs {
			ji, err := jobOf(id)
			if err != nil {
				return err
			}
			open := openBy[id]
			var all int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE job_id = ? AND status <> 'cancelled'`, id).Scan(&all); err != nil {
				return err
			}
			var list []string
			for _, p := range open {
				list = append(list, fmt.Sprintf("- %s position, %s", p.class, shortWhen(ji.loc, p.start, p.end)))
			}
			left := pricing.FormatDuration(open[0].start.Sub(now).Truncate(time.Minute))
			for _, a := range disp {
				if err := count(s.post(ctx, tx, Message{Kind: MsgDispatchOpenSoon, To: a, JobID: ji.ID,
					Dedupe:  fmt.Sprintf("open-soon:%d:%d", ji.ID, ji.Start.Unix()),
					Subject: fmt.Sprintf("Still open: %d of %d, %s", len(open), all, ji.headline(ji.Start, ji.End)),
					Body: paras(fmt.Sprintf("Job #%d starts in %s and %d of its %d positions have no officer:", ji.ID, left, len(open), all)+"\n"+strings.Join(list, "\n"),
						lines(ji.staffFacts(open[0])...))})); err != nil {
					return err
				}
			}
		}

		// Each agency's roster, once a day from the roster hour.
		for _, a := range agencies {
			if strings.TrimSpace(a.addr) == "" {
				continue
			}
			nl := now.In(a.loc)
			from := time.Date(nl.Year(), nl.Month(), nl.Day(), set.RosterHour, 0, 0, 0, a.loc)
			if now.Before(from) {
				continue
			}
			to := from.Add(24 * time.Hour)
			type entry struct {
				p  positionRow
				ji jobInfo
				o  Officer
			}
			var es []entry
			for _, p := range ps {
				if p.status != "assigned" || !p.officerID.Valid || !p.start.Before(to) || !p.end.After(from) {
					continue
				}
				ji, err := jobOf(p.jobID)
				if err != nil {
					return err
				}
				if ji.AgencyID != a.id {
					continue
				}
				o, err := officerByID(p.officerID.Int64)
				if err != nil {
					return err
				}
				es = append(es, entry{p, ji, o})
			}
			sort.SliceStable(es, func(i, k int) bool {
				if !es[i].p.start.Equal(es[k].p.start) {
					return es[i].p.start.Before(es[k].p.start)
				}
				return es[i].o.LastName+es[i].o.FirstName < es[k].o.LastName+es[k].o.FirstName
			})
			span := fmt.Sprintf("%s to %s (%s)", from.Format("Mon 02 Jan 15:04"), to.In(a.loc).Format("Mon 02 Jan 15:04"), from.Format("MST"))
			subject := fmt.Sprintf("Roster %s: no details in the next 24 hours", from.Format("Mon 02 Jan"))
			var body []string
			if len(es) == 0 {
				body = []string{fmt.Sprintf("%s: none of your officers works an off-duty detail in the next 24 hours, %s.", a.name, span)}
			} else {
				officers := map[int64]bool{}
				for _, e := range es {
					officers[e.o.ID] = true
				}
				subject = fmt.Sprintf("Roster %s: %s on %s in the next 24 hours", from.Format("Mon 02 Jan"), plural(len(officers), "officer"), plural(len(es), "detail"))
				body = []string{fmt.Sprintf("%s: your officers working off-duty details %s.", a.name, span)}
				for _, e := range es {
					l := []string{
						fmt.Sprintf("%s %s, badge %s", rankTitle(e.o.Rank), e.o.Name(), e.o.Badge),
						shortWhen(a.loc, e.p.start, e.p.end),
						place(e.ji.SiteName, e.ji.SiteAddress),
					}
					if c := contact(e.ji.ContactName, e.ji.ContactPhone); c != "" {
						l = append(l, "Contact: "+c)
					}
					l = append(l, fmt.Sprintf("Job #%d for %s", e.ji.ID, e.ji.CustomerName))
					body = append(body, lines(l...))
				}
			}
			if err := count(s.post(ctx, tx, Message{Kind: MsgAgencyRoster, To: a.addr, ToName: a.name + " dispatch",
				Dedupe:  fmt.Sprintf("roster:%d:%s", a.id, from.Format("2006-01-02")),
				Subject: subject, Body: paras(body...)})); err != nil {
				return err
			}
		}
		// Open shifts to the officers who may take them, while the web pages are on (web.go).
		n, err := s.queueOpenShifts(ctx, tx, set, now)
		written += n
		return err
	})
	return written, err
}

// post writes one message (see enqueue): its Dedupe key gets the address,
// so that an event gives one message per recipient, and a kind people may
// refuse ends with how to refuse it.
func (s *Store) post(ctx context.Context, tx *sql.Tx, m Message) (bool, error) {
	m.To = strings.TrimSpace(m.To)
	if m.To == "" {
		return false, nil
	}
	if m.Dedupe != "" {
		m.Dedupe += ">" + strings.ToLower(m.To)
	}
	if !Mandatory(m.Kind) {
		m.Body = paras(m.Body, OptOutLine(m.Kind))
	}
	return s.enqueue(ctx, tx, m)
}

// OptOutLine is the last line of a message people may refuse: how to.
func OptOutLine(kind string) string {
	return fmt.Sprintf("To stop messages like this (%s), reply and ask the office.", kind)
}

// toCustomer writes m to every address of the job's account.
func (s *Store) toCustomer(ctx context.Context, tx *sql.Tx, ji jobInfo, m Message) error {
	addrs, err := customerAddresses(ctx, tx, ji.CustomerID)
	if err != nil {
		return err
	}
	m.JobID, m.ToName = ji.ID, ji.CustomerName
	for _, a := range addrs {
		m.To = a
		if _, err := s.post(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// auditStamp is the id of the newest audit row: what tells two events apart
// (see the top of this file).
func auditStamp(ctx context.Context, q querier) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM audit`).Scan(&id)
	return id, err
}

func officerOf(ctx context.Context, q querier, id int64) (Officer, error) {
	list, err := officers(ctx, q, `WHERE o.id = ?`, id)
	if err != nil {
		return Officer{}, err
	}
	if len(list) == 0 {
		return Officer{}, &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", id)}
	}
	return list[0], nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// jobInfo is a job with its agency's zone, as messages describe it.
type jobInfo struct {
	Job
	loc *time.Location
}

func loadJobInfo(ctx context.Context, q querier, jobID int64) (jobInfo, error) {
	j, err := jobByID(ctx, q, jobID)
	if err != nil {
		return jobInfo{}, err
	}
	loc, err := agencyLoc(ctx, q, j)
	if err != nil {
		return jobInfo{}, err
	}
	return jobInfo{Job: j, loc: loc}, nil
}

// headline is a shift and its site for a subject: "Thu 24 Dec 18:00-00:00, Valley Fair Mall".
func (ji jobInfo) headline(start, end time.Time) string {
	return shortWhen(ji.loc, start, end) + ", " + ji.SiteName
}

// people is the job's size in words: "2 officers, 1 supervisor, 1 vehicle".
func (ji jobInfo) people() string {
	out := plural(ji.Officers, "officer")
	if ji.Supervisors > 0 {
		out += ", " + plural(ji.Supervisors, "supervisor")
	}
	if ji.Vehicles > 0 {
		out += ", " + plural(ji.Vehicles, "vehicle")
	}
	return out
}

// officerFacts are what an officer needs to find and work a shift.
func (ji jobInfo) officerFacts(p positionRow) []string {
	out := []string{"When: " + longWhen(ji.loc, p.start, p.end), "Where: " + place(ji.SiteName, ji.SiteAddress)}
	if c := contact(ji.ContactName, ji.ContactPhone); c != "" {
		out = append(out, "On-site contact: "+c)
	}
	out = append(out, fmt.Sprintf("Job: #%d for %s (%s)", ji.ID, ji.CustomerName, ji.AgencyName))
	return out
}

// staffFacts are a shift as dispatchers read it.
func (ji jobInfo) staffFacts(p positionRow) []string {
	return append(ji.officerFacts(p), fmt.Sprintf("Job size: %s", ji.people()))
}

// customerFacts are a job as its customer reads it.
func (ji jobInfo) customerFacts() []string {
	out := []string{"When: " + longWhen(ji.loc, ji.Start, ji.End), "Where: " + place(ji.SiteName, ji.SiteAddress),
		fmt.Sprintf("Job: #%d, %s from %s", ji.ID, ji.people(), ji.AgencyName)}
	if c := contact(ji.ContactName, ji.ContactPhone); c != "" {
		out = append(out, "On-site contact: "+c)
	}
	if ji.PONumber != "" {
		out = append(out, "PO: "+ji.PONumber)
	}
	if ji.Status != StatusCancelled {
		out = append(out, "Estimated total: $"+pricing.FormatMoney(ji.Total))
	}
	return out
}

// orders are the post orders as a paragraph (none when there are none).
func (ji jobInfo) orders() []string {
	if o := strings.TrimSpace(ji.PostOrders); o != "" {
		return []string{"Post orders:\n" + o}
	}
	return nil
}

// shortWhen is a shift for a subject line: "Thu 24 Dec 18:00-00:00".
func shortWhen(loc *time.Location, start, end time.Time) string {
	s, e := start.In(loc), end.In(loc)
	if e.Sub(s) >= 24*time.Hour {
		return s.Format("Mon 02 Jan 15:04") + "-" + e.Format("Mon 02 Jan 15:04")
	}
	return s.Format("Mon 02 Jan 15:04") + "-" + e.Format("15:04")
}

// longWhen is a shift with its year, length and zone:
// "Thu 24 Dec 2026 18:00 to Fri 25 Dec 00:00 (6 h, MST)".
func longWhen(loc *time.Location, start, end time.Time) string {
	s, e := start.In(loc), end.In(loc)
	out := s.Format("Mon 02 Jan 2006 15:04")
	if civil(s).Equal(civil(e)) {
		out += "-" + e.Format("15:04")
	} else {
		out += " to " + e.Format("Mon 02 Jan 15:04")
	}
	zone := s.Format("MST")
	if z := e.Format("MST"); z != zone {
		zone += "/" + z
	}
	return fmt.Sprintf("%s (%s, %s)", out, pricing.FormatHours(int(e.Sub(s)/time.Minute)), zone)
}

// goOrStop tells an officer taken off a shift what to do: not go, or, when
// it has started, stop.
func goOrStop(now time.Time, p positionRow) string {
	if now.Before(p.start) {
		return "Do not go."
	}
	return "If you are on site, your shift ends now."
}

func place(name, address string) string {
	if strings.TrimSpace(address) == "" {
		return name
	}
	return name + ", " + address
}

func contact(name, phone string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(name)+", "+strings.TrimSpace(phone), ", "))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func rankTitle(rank string) string {
	if rank == "" {
		return ""
	}
	return strings.ToUpper(rank[:1]) + rank[1:]
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// lines joins non-empty lines; paras joins non-empty paragraphs with a blank line.
func lines(ls ...string) string { return joinNonEmpty(ls, "\n") }
func paras(ps ...string) string { return joinNonEmpty(ps, "\n\n") }

func joinNonEmpty(ss []string, sep string) string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
