package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// Job statuses, in lifecycle order.
const (
	StatusRequested  = "requested"
	StatusApproved   = "approved"
	StatusScheduled  = "scheduled"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusInvoiced   = "invoiced"
	StatusPaid       = "paid"
	StatusCancelled  = "cancelled"
)

// Statuses lists every job status in lifecycle order.
var Statuses = []string{StatusRequested, StatusApproved, StatusScheduled, StatusInProgress,
	StatusCompleted, StatusInvoiced, StatusPaid, StatusCancelled}

// Job is one request: a customer, a site, an agency, a shift and its quote.
type Job struct {
	ID           int64
	CustomerID   int64
	CustomerName string
	SiteID       int64
	SiteName     string
	SiteAddress  string
	AgencyID     int64
	AgencySlug   string
	AgencyName   string
	RateCardID   int64
	SeriesID     int64 // 0: not part of a series
	SeriesIndex  int

	Start, End, Received time.Time
	Officers             int
	Supervisors          int
	Vehicles             int
	Venue                pricing.Venue
	Status               string

	ContactName  string
	ContactPhone string
	PostOrders   string
	PONumber     string

	Total     decimal.Decimal
	Bookable  bool
	Quote     pricing.Snapshot // as priced when saved (left empty by the lists: Jobs, JobsWithPositions)
	CancelFee decimal.NullDecimal

	Filled    int // positions with an officer
	Positions []Position

	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
}

// Position is one person's place on a job.
type Position struct {
	ID          int64
	JobID       int64
	Slot        int
	Class       string // officer or supervisor
	OfficerID   int64  // 0: open
	OfficerName string
	Start, End  time.Time
	Status      string
	CheckIn     time.Time
	CheckOut    time.Time
	Attendance  string // "", released_early, held_over, no_show

	Badge           string
	Override        string // a supervisor's reason for lifting a cap
	NoShowOfficerID int64  // who did not come, when the position reopened
	NoShowName      string
}

// JobInput is a request as typed: it creates (or edits) one job, or a weekly series.
type JobInput struct {
	CustomerID  int64
	NewCustomer *CustomerInput // set to create the customer with the job
	SiteID      int64
	NewSite     *SiteInput // set to create the site with the job (its CustomerID is filled in)

	Agency   string // slug
	Start    time.Time
	End      time.Time
	Officers int
	Vehicles int
	Venue    pricing.Venue
	Received time.Time

	ContactName  string
	ContactPhone string
	PostOrders   string
	PONumber     string

	RepeatWeeks int // number of weekly jobs to create; 0 or 1 is a single job
}

// MaxRepeatWeeks bounds a weekly series.
const MaxRepeatWeeks = 52

func (in *JobInput) clean() error {
	in.ContactName = Clean(in.ContactName, false)
	in.ContactPhone = Clean(in.ContactPhone, false)
	in.PONumber = Clean(in.PONumber, false)
	in.PostOrders = Clean(in.PostOrders, true)
	if err := limits(
		textLimit{"contact_name", "contact name", in.ContactName, MaxPerson},
		textLimit{"contact_phone", "contact phone", in.ContactPhone, MaxPhone},
		textLimit{"po", "PO number", in.PONumber, MaxPO},
		textLimit{"post_orders", "post orders", in.PostOrders, MaxPostOrders},
	); err != nil {
		return err
	}
	if in.NewCustomer == nil && in.CustomerID == 0 {
		return &Error{Code: EInvalid, Field: "customer", Message: "choose a customer or create one"}
	}
	if in.NewSite == nil && in.SiteID == 0 {
		return &Error{Code: EInvalid, Field: "site", Message: "choose a site or create one"}
	}
	if in.NewCustomer != nil {
		in.NewCustomer.Name = Clean(in.NewCustomer.Name, false)
		in.NewCustomer.Phone = Clean(in.NewCustomer.Phone, false)
		in.NewCustomer.Email = Clean(in.NewCustomer.Email, false)
		if err := in.NewCustomer.Validate(); err != nil {
			return err
		}
	}
	if in.NewSite != nil {
		in.NewSite.Name = Clean(in.NewSite.Name, false)
		in.NewSite.Address = Clean(in.NewSite.Address, false)
		if err := in.NewSite.Validate(); err != nil {
			return err
		}
	}
	if err := ValidatePhone(in.ContactPhone); err != nil {
		return &Error{Code: EInvalid, Field: "contact_phone", Message: err.Error()}
	}
	if in.RepeatWeeks < 0 || in.RepeatWeeks > MaxRepeatWeeks {
		return &Error{Code: EInvalid, Field: "repeat", Message: fmt.Sprintf("repeat weekly for 1 to %d weeks", MaxRepeatWeeks)}
	}
	return nil
}

// WeeklyDates returns the shift of week i (0-based) of a series: the same wall
// times i weeks later in loc. A wall time that does not exist that week is an error.
func WeeklyDates(start, end time.Time, loc *time.Location, i int) (time.Time, time.Time, error) {
	shift := func(t time.Time) (time.Time, error) {
		l := t.In(loc)
		// Normalise the date first: a series may run past the end of a month.
		d := time.Date(l.Year(), l.Month(), l.Day()+7*i, 0, 0, 0, 0, time.UTC)
		return pricing.LocalTime(loc, d.Year(), d.Month(), d.Day(), l.Hour(), l.Minute())
	}
	if i == 0 {
		return start, end, nil
	}
	s, err := shift(start)
	if err != nil {
		d := start.In(loc).AddDate(0, 0, 7*i)
		return time.Time{}, time.Time{}, fmt.Errorf("week %d (%s): %w", i+1, d.Format("Mon 02 Jan"), err)
	}
	e, err := shift(end)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("week %d: %w", i+1, err)
	}
	// Keep the normalised day when a wall date overflowed the month.
	return s, e, nil
}

func quoteErr(err error) error {
	var ie *pricing.InputError
	if errors.As(err, &ie) {
		return &Error{Code: EInvalid, Field: ie.Field, Message: ie.Msg}
	}
	return err
}

// CreateJobs saves a request (and its weekly repeats) in status requested,
// each priced on its own date with the rate card in force when it was
// received, creating the customer and site first if they are new. All or nothing.
func (s *Store) CreateJobs(ctx context.Context, actor string, in JobInput) ([]int64, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorizeRequest(ctx, tx, actor, &in); err != nil { // staff, or a customer for its own account and sites
			return err
		}
		a, err := agencyBySlug(ctx, tx, in.Agency)
		if err != nil {
			return err
		}
		pa, err := pricedAgency(ctx, tx, a, in.Received)
		if err != nil {
			return err
		}
		if in.NewCustomer != nil {
			if in.CustomerID, err = s.createCustomer(ctx, tx, actor, *in.NewCustomer); err != nil {
				return err
			}
		} else if err := checkRequestAccount(ctx, tx, in.CustomerID, in.PONumber); err != nil { // not merged away; a PO where the account requires one
			return err
		}
		if in.NewSite != nil {
			ns := *in.NewSite
			ns.CustomerID = in.CustomerID
			if in.SiteID, err = s.createSite(ctx, tx, actor, ns); err != nil {
				return err
			}
		} else if err := checkSite(ctx, tx, in.SiteID, in.CustomerID); err != nil {
			return err
		}
		weeks := max(in.RepeatWeeks, 1)
		var seriesID any
		if weeks > 1 {
			res, err := tx.ExecContext(ctx, `INSERT INTO series (weeks, created_at) VALUES (?, ?)`, weeks, fmtTime(s.now()))
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			seriesID = id
		}
		for i := range weeks {
			st, en, err := WeeklyDates(in.Start, in.End, a.Loc, i)
			if err != nil {
				return &Error{Code: EInvalid, Field: "repeat", Message: err.Error()}
			}
			q, err := pa.Pricing.Quote(pricing.Request{Start: st, End: en, Officers: in.Officers, Vehicles: in.Vehicles, Venue: in.Venue, Received: in.Received})
			if err != nil {
				return quoteErr(err)
			}
			id, err := s.insertJob(ctx, tx, actor, in, pa, q, seriesID, i)
			if err != nil {
				return err
			}
			if err := s.tellReceived(ctx, tx, id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

func checkSite(ctx context.Context, q querier, siteID, customerID int64) error {
	var owner int64
	err := q.QueryRowContext(ctx, `SELECT customer_id FROM sites WHERE id = ?`, siteID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: ENotFound, Field: "site", Message: fmt.Sprintf("no site %d", siteID)}
	}
	if err != nil {
		return err
	}
	if owner != customerID {
		return &Error{Code: EInvalid, Field: "site", Message: "that site belongs to another customer"}
	}
	return nil
}

func (s *Store) insertJob(ctx context.Context, tx *sql.Tx, actor string, in JobInput, pa PricedAgency, q *pricing.Quote, seriesID any, idx int) (int64, error) {
	snap, err := json.Marshal(q)
	if err != nil {
		return 0, err
	}
	now := fmtTime(s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (customer_id, site_id, agency_id, rate_card_id, series_id, series_index,
		starts_at, ends_at, officers, supervisors, vehicles, venue, received_at, status,
		contact_name, contact_phone, post_orders, po_number, total, bookable, quote_json, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.CustomerID, in.SiteID, pa.ID, pa.Card.ID, seriesID, idx,
		fmtTime(q.Start), fmtTime(q.End), q.Officers, q.Supervisors, q.Vehicles, string(q.Venue), fmtTime(q.Received),
		in.ContactName, in.ContactPhone, in.PostOrders, in.PONumber, q.Total.StringFixed(2), q.Bookable, string(snap), now, actor, now)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	if err := insertPositions(ctx, tx, id, q); err != nil {
		return 0, err
	}
	return id, s.audit(ctx, tx, actor, "job", id, "create", "", jobSummary(q))
}

func insertPositions(ctx context.Context, tx *sql.Tx, jobID int64, q *pricing.Quote) error {
	slot := 1
	add := func(class string, n int) error {
		for range n {
			if _, err := tx.ExecContext(ctx, `INSERT INTO positions (job_id, slot, class, starts_at, ends_at) VALUES (?, ?, ?, ?, ?)`,
				jobID, slot, class, fmtTime(q.Start), fmtTime(q.End)); err != nil {
				return err
			}
			slot++
		}
		return nil
	}
	if err := add("officer", q.Officers); err != nil {
		return err
	}
	return add("supervisor", q.Supervisors)
}

// rebuildPositions makes a requested job's positions those of q, as
// deleting them and inserting q's would, but keeping the rows it can: the
// job's positions, slot by slot, take q's class and times (every other
// column back to a new position's), q's extra ones are inserted, and only
// those q no longer has are deleted. Deleting a position costs a probe of
// every invoice line (the lines' reference to positions has no index of its
// own: one would slow every bill), about 0.1 s a position at five years of
// history; an update that keeps the id costs none. A requested job's
// positions hold nothing that refers to them (no officer, sign-up or line).
func rebuildPositions(ctx context.Context, tx *sql.Tx, jobID int64, q *pricing.Quote) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM positions WHERE job_id = ? ORDER BY slot, id`, jobID)
	if err != nil {
		return err
	}
	want := q.Officers + q.Supervisors
	if len(ids) > want {
		drop := ids[want:]
		marks := strings.TrimSuffix(strings.Repeat("?,", len(drop)), ",")
		args := make([]any, len(drop))
		for i, id := range drop {
			args[i] = id
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM positions WHERE id IN (`+marks+`)`, args...); err != nil {
			return err
		}
		ids = ids[:want]
	}
	for i := range want {
		slot, class := i+1, "officer"
		if i >= q.Officers {
			class = "supervisor"
		}
		if i < len(ids) {
			_, err = tx.ExecContext(ctx, `UPDATE positions SET slot = ?, class = ?, starts_at = ?, ends_at = ?, officer_id = NULL,
				status = 'open', check_in_at = NULL, check_out_at = NULL, attendance = '', override_reason = '', no_show_officer_id = NULL
				WHERE id = ?`, slot, class, fmtTime(q.Start), fmtTime(q.End), ids[i])
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO positions (job_id, slot, class, starts_at, ends_at) VALUES (?, ?, ?, ?, ?)`,
				jobID, slot, class, fmtTime(q.Start), fmtTime(q.End))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func jobSummary(q *pricing.Quote) string {
	return fmt.Sprintf("%s %s-%s, %d officers, %d vehicles, %s, total %s",
		q.Agency, q.Start.Format("2006-01-02 15:04"), q.End.Format("15:04"), q.Officers, q.Vehicles, q.Venue, q.Total.StringFixed(2))
}

// UpdateJob edits a job that is still requested: it is re-priced with the
// card in force when it was first received, and its open positions rebuilt.
func (s *Store) UpdateJob(ctx context.Context, actor string, id int64, in JobInput) error {
	in.RepeatWeeks = 0
	if err := in.clean(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermRequest); err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if j.Status != StatusRequested {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: only requested jobs can be edited", id, j.Status)}
		}
		a, err := agencyBySlug(ctx, tx, in.Agency)
		if err != nil {
			return err
		}
		pa, err := jobPricing(ctx, tx, a, j) // the job's own card: a new card never re-prices it
		if err != nil {
			return err
		}
		if in.NewCustomer != nil {
			if in.CustomerID, err = s.createCustomer(ctx, tx, actor, *in.NewCustomer); err != nil {
				return err
			}
		} else if err := checkRequestAccount(ctx, tx, in.CustomerID, in.PONumber); err != nil { // not merged away; a PO where the account requires one
			return err
		}
		if in.NewSite != nil {
			ns := *in.NewSite
			ns.CustomerID = in.CustomerID
			if in.SiteID, err = s.createSite(ctx, tx, actor, ns); err != nil {
				return err
			}
		} else if err := checkSite(ctx, tx, in.SiteID, in.CustomerID); err != nil {
			return err
		}
		q, err := pa.Pricing.Quote(pricing.Request{Start: in.Start, End: in.End, Officers: in.Officers, Vehicles: in.Vehicles, Venue: in.Venue, Received: j.Received})
		if err != nil {
			return quoteErr(err)
		}
		snap, err := json.Marshal(q)
		if err != nil {
			return err
		}
		before := jobSummary(mustQuoteOf(j))
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET customer_id = ?, site_id = ?, agency_id = ?, rate_card_id = ?,
			starts_at = ?, ends_at = ?, officers = ?, supervisors = ?, vehicles = ?, venue = ?,
			contact_name = ?, contact_phone = ?, post_orders = ?, po_number = ?, total = ?, bookable = ?, quote_json = ?, updated_at = ?
			WHERE id = ?`, in.CustomerID, in.SiteID, pa.ID, pa.Card.ID, fmtTime(q.Start), fmtTime(q.End), q.Officers, q.Supervisors, q.Vehicles,
			string(q.Venue), in.ContactName, in.ContactPhone, in.PostOrders, in.PONumber, q.Total.StringFixed(2), q.Bookable, string(snap),
			fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := rebuildPositions(ctx, tx, id, q); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "job", id, "edit", before, jobSummary(q)); err != nil {
			return err
		}
		return s.tellIfChanged(ctx, tx, j)
	})
}

// mustQuoteOf rebuilds enough of a quote from a saved job to describe it.
func mustQuoteOf(j Job) *pricing.Quote {
	return &pricing.Quote{Agency: j.AgencySlug, Start: j.Start, End: j.End, Officers: j.Officers, Vehicles: j.Vehicles, Venue: j.Venue, Total: j.Total}
}

// Approve moves a requested job to approved. A job that is not bookable
// (prohibited venue, refused short notice) is refused with the reason.
func (s *Store) Approve(ctx context.Context, actor string, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		j, err := jobByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if j.Status != StatusRequested {
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d is %s: only requested jobs can be approved", id, j.Status)}
		}
		if !j.Bookable {
			var why []string
			for _, r := range j.Quote.Refusals {
				why = append(why, r.Message)
			}
			return &Error{Code: EConflict, Field: "status", Message: fmt.Sprintf("job %d cannot be approved: %s", id, strings.Join(why, "; "))}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'approved', updated_at = ? WHERE id = ?`, fmtTime(s.now()), id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "job", id, "approve", StatusRequested, StatusApproved); err != nil {
			return err
		}
		return s.tellApproved(ctx, tx, id)
	})
}

const jobCols = `j.id, j.customer_id, c.name, j.site_id, st.name, st.address, j.agency_id, a.slug, a.name, j.rate_card_id,
	coalesce(j.series_id, 0), j.series_index, j.starts_at, j.ends_at, j.received_at, j.officers, j.supervisors, j.vehicles,
	j.venue, j.status, j.contact_name, j.contact_phone, j.post_orders, j.po_number, j.total, j.bookable, j.quote_json,
	j.cancel_fee, j.created_at, j.created_by, j.updated_at,
	(SELECT count(*) FROM positions p WHERE p.job_id = j.id AND p.officer_id IS NOT NULL AND p.status = 'assigned')`

const jobFrom = ` FROM jobs j JOIN customers c ON c.id = j.customer_id JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id `

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var start, end, recv, total, snap, created, updated string
	var fee sql.NullString
	err := sc.Scan(&j.ID, &j.CustomerID, &j.CustomerName, &j.SiteID, &j.SiteName, &j.SiteAddress, &j.AgencyID, &j.AgencySlug, &j.AgencyName,
		&j.RateCardID, &j.SeriesID, &j.SeriesIndex, &start, &end, &recv, &j.Officers, &j.Supervisors, &j.Vehicles, &j.Venue, &j.Status,
		&j.ContactName, &j.ContactPhone, &j.PostOrders, &j.PONumber, &total, &j.Bookable, &snap, &fee, &created, &j.CreatedBy, &updated, &j.Filled)
	if err != nil {
		return j, err
	}
	for _, p := range []struct {
		dst *time.Time
		src string
	}{{&j.Start, start}, {&j.End, end}, {&j.Received, recv}, {&j.CreatedAt, created}, {&j.UpdatedAt, updated}} {
		if *p.dst, err = parseTime(p.src); err != nil {
			return j, err
		}
	}
	if j.Total, err = decimal.NewFromString(total); err != nil {
		return j, fmt.Errorf("job %d total: %w", j.ID, err)
	}
	if fee.Valid {
		d, err := decimal.NewFromString(fee.String)
		if err != nil {
			return j, err
		}
		j.CancelFee = decimal.NullDecimal{Decimal: d, Valid: true}
	}
	if snap != "" { // lists leave the saved quote out (see jobListCols)
		if err := json.Unmarshal([]byte(snap), &j.Quote); err != nil {
			return j, fmt.Errorf("job %d quote: %w", j.ID, err)
		}
	}
	return j, nil
}

// jobListCols are jobCols without the saved quote, which lists do not show
// and which costs more to read and decode than the rest of the row.
var jobListCols = strings.Replace(jobCols, "j.quote_json", "''", 1)

// jobAgendaCols are jobListCols without the count of filled positions, for
// a caller that reads the positions anyway and counts them itself.
var jobAgendaCols = strings.Replace(jobListCols,
	`(SELECT count(*) FROM positions p WHERE p.job_id = j.id AND p.officer_id IS NOT NULL AND p.status = 'assigned')`, `0`, 1)

func jobByID(ctx context.Context, q querier, id int64) (Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobCols+jobFrom+`WHERE j.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, &Error{Code: ENotFound, Field: "job", Message: fmt.Sprintf("no job %d", id)}
	}
	return j, err
}

// Job loads one job with its positions. A customer user reads only its own
// account's jobs; an officer user the jobs it holds (or held) a position on,
// an agency user its own jobs with an officer, both without the customer's
// money (see redactJob).
func (s *Store) Job(ctx context.Context, actor string, id int64) (Job, error) {
	var j Job
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if j, err = jobByID(ctx, tx, id); err != nil {
			return err
		}
		if v.IsCustomer() && j.CustomerID != v.CustomerID {
			j = Job{} // nothing of another account's job goes back
			return &Error{Code: EForbidden, Field: "job", Message: fmt.Sprintf("job #%d is not on your account", id)}
		}
		if err := canReadJob(ctx, tx, v, j); err != nil { // officer and agency users: their own shifts and officers
			j = Job{}
			return err
		}
		j.Positions, err = positions(ctx, tx, id)
		redactJob(v, &j)
		return err
	})
	return j, err
}

const positionCols = `p.id, p.job_id, p.slot, p.class, coalesce(p.officer_id, 0),
	coalesce(o.first_name || ' ' || o.last_name, ''), coalesce(o.badge, ''), p.starts_at, p.ends_at, p.status,
	p.check_in_at, p.check_out_at, p.attendance, p.override_reason, coalesce(p.no_show_officer_id, 0),
	coalesce(n.first_name || ' ' || n.last_name, '')`

func scanPosition(sc interface{ Scan(...any) error }) (Position, error) {
	var p Position
	var st, en string
	var in, out sql.NullString
	err := sc.Scan(&p.ID, &p.JobID, &p.Slot, &p.Class, &p.OfficerID, &p.OfficerName, &p.Badge, &st, &en, &p.Status, &in, &out,
		&p.Attendance, &p.Override, &p.NoShowOfficerID, &p.NoShowName)
	if err != nil {
		return p, err
	}
	if p.Start, err = parseTime(st); err != nil {
		return p, err
	}
	if p.End, err = parseTime(en); err != nil {
		return p, err
	}
	if p.CheckIn, err = nullTime(in); err != nil {
		return p, err
	}
	p.CheckOut, err = nullTime(out)
	return p, err
}

func positions(ctx context.Context, q querier, jobID int64) ([]Position, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+positionCols+` FROM positions p LEFT JOIN officers o ON o.id = p.officer_id
		LEFT JOIN officers n ON n.id = p.no_show_officer_id WHERE p.job_id = ? ORDER BY p.slot`, jobID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Position
	for rows.Next() {
		p, err := scanPosition(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// JobFilter selects jobs.
type JobFilter struct {
	From, To   time.Time // shifts starting in [From, To); zero = open
	Statuses   []string  // empty = all
	CustomerID int64
	Limit      int // 0 = no limit
}

// Jobs lists jobs by start time. A customer user lists only its own
// account's jobs, whatever the filter asks; officer and agency users only
// theirs (jobScope), without the customer's money.
func (s *Store) Jobs(ctx context.Context, actor string, f JobFilter) ([]Job, error) {
	var out []Job
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		out, err = listJobs(ctx, tx, v, f, jobListCols)
		return err
	})
	return out, err
}

// listJobs lists the jobs f selects as v may read them (see Jobs), reading
// cols (jobListCols, or jobAgendaCols when the caller counts the filled
// positions itself).
func listJobs(ctx context.Context, q querier, v Viewer, f JobFilter, cols string) ([]Job, error) {
	if v.IsCustomer() {
		f.CustomerID = v.CustomerID
	}
	var where []string
	var args []any
	if scope, sargs := jobScope(v); scope != "" { // officer and agency users: their own shifts and officers
		where, args = append(where, scope), append(args, sargs...)
	}
	if !f.From.IsZero() {
		where, args = append(where, "j.starts_at >= ?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "j.starts_at < ?"), append(args, fmtTime(f.To))
	}
	if f.CustomerID != 0 {
		where, args = append(where, "j.customer_id = ?"), append(args, f.CustomerID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "j.status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	qs := `SELECT ` + cols + jobFrom
	if len(where) > 0 {
		qs += "WHERE " + strings.Join(where, " AND ")
	}
	qs += " ORDER BY j.starts_at, j.id"
	if f.Limit > 0 {
		qs += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		redactJob(v, &j)
		out = append(out, j)
	}
	return out, rows.Err()
}
