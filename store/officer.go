package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Ranks, lowest first. Sergeant and above may fill a supervisor position.
var Ranks = []string{"officer", "corporal", "sergeant", "lieutenant", "captain"}

// SupervisorRank reports whether the rank may fill a supervisor position.
func SupervisorRank(rank string) bool {
	return rank == "sergeant" || rank == "lieutenant" || rank == "captain"
}

// Officer is an agency's officer available for off-duty work.
type Officer struct {
	ID               int64
	AgencyID         int64
	AgencySlug       string
	Badge            string
	FirstName        string
	LastName         string
	Rank             string
	Phone            string
	Email            string
	WeeklyCapMinutes int
	HiredOn          time.Time // a date (UTC midnight)
	Active           bool
}

// Name is "First Last".
func (o Officer) Name() string { return strings.TrimSpace(o.FirstName + " " + o.LastName) }

// OfficerInput creates an officer.
type OfficerInput struct {
	AgencyID         int64
	Badge            string
	FirstName        string
	LastName         string
	Rank             string
	Phone            string
	Email            string
	WeeklyCapMinutes int
	HiredOn          time.Time
}

// Validate checks a new officer.
func (in *OfficerInput) Validate() error {
	in.Badge, in.FirstName, in.LastName = Clean(in.Badge, false), Clean(in.FirstName, false), Clean(in.LastName, false)
	in.Phone, in.Email = Clean(in.Phone, false), Clean(in.Email, false)
	if err := limits(
		textLimit{"badge", "badge", in.Badge, MaxBadge},
		textLimit{"first_name", "first name", in.FirstName, MaxPerson},
		textLimit{"last_name", "last name", in.LastName, MaxPerson},
		textLimit{"phone", "phone", in.Phone, MaxPhone},
		textLimit{"email", "email", in.Email, MaxEmail},
	); err != nil {
		return err
	}
	if in.Badge == "" {
		return &Error{Code: EInvalid, Field: "badge", Message: "badge is required"}
	}
	if strings.TrimSpace(in.FirstName+in.LastName) == "" {
		return &Error{Code: EInvalid, Field: "name", Message: "officer name is required"}
	}
	ok := false
	for _, r := range Ranks {
		ok = ok || r == in.Rank
	}
	if !ok {
		return &Error{Code: EInvalid, Field: "rank", Message: fmt.Sprintf("rank %q: use %s", in.Rank, strings.Join(Ranks, ", "))}
	}
	if in.WeeklyCapMinutes <= 0 || in.WeeklyCapMinutes > 7*24*60 {
		return &Error{Code: EInvalid, Field: "cap", Message: "weekly cap must be between 1 and 168 hours"}
	}
	if err := ValidatePhone(in.Phone); err != nil {
		return &Error{Code: EInvalid, Field: "phone", Message: err.Error()}
	}
	return nil
}

// CreateOfficer adds an officer.
func (s *Store) CreateOfficer(ctx context.Context, actor string, in OfficerInput) (Officer, error) {
	if err := in.Validate(); err != nil {
		return Officer{}, err
	}
	var o Officer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO officers (agency_id, badge, first_name, last_name, rank, phone, email, weekly_cap_minutes, hired_on, active)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, in.AgencyID, in.Badge, in.FirstName, in.LastName, in.Rank, in.Phone, in.Email,
			in.WeeklyCapMinutes, in.HiredOn.Format("2006-01-02"))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return &Error{Code: EConflict, Field: "badge", Message: fmt.Sprintf("badge %s is already used in this agency", in.Badge)}
			}
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("no agency %d", in.AgencyID)}
			}
			return err
		}
		id, _ := res.LastInsertId()
		if err := s.audit(ctx, tx, actor, "officer", id, "create", "", in.Badge); err != nil {
			return err
		}
		list, err := officers(ctx, tx, `WHERE o.id = ?`, id)
		if err == nil && len(list) == 1 {
			o = list[0]
		}
		return err
	})
	return o, err
}

// Officers lists officers, by agency then last name; agencyID 0 means all.
func (s *Store) Officers(ctx context.Context, agencyID int64) ([]Officer, error) {
	var out []Officer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if agencyID == 0 {
			out, err = officers(ctx, tx, ``)
		} else {
			out, err = officers(ctx, tx, `WHERE o.agency_id = ?`, agencyID)
		}
		return err
	})
	return out, err
}

func officers(ctx context.Context, q querier, where string, args ...any) ([]Officer, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.agency_id, a.slug, o.badge, o.first_name, o.last_name, o.rank, o.phone, o.email,
		o.weekly_cap_minutes, o.hired_on, o.active FROM officers o JOIN agencies a ON a.id = o.agency_id `+where+`
		ORDER BY a.name, o.last_name, o.first_name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		var o Officer
		var hired string
		if err := rows.Scan(&o.ID, &o.AgencyID, &o.AgencySlug, &o.Badge, &o.FirstName, &o.LastName, &o.Rank, &o.Phone, &o.Email,
			&o.WeeklyCapMinutes, &hired, &o.Active); err != nil {
			return nil, err
		}
		o.HiredOn, _ = time.Parse("2006-01-02", hired)
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOfficer changes an officer's details (not their agency).
func (s *Store) UpdateOfficer(ctx context.Context, actor string, id int64, in OfficerInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		before, err := officers(ctx, tx, `WHERE o.id = ?`, id)
		if err != nil {
			return err
		}
		if len(before) == 0 {
			return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", id)}
		}
		b := before[0]
		if _, err := tx.ExecContext(ctx, `UPDATE officers SET badge = ?, first_name = ?, last_name = ?, rank = ?, phone = ?, email = ?,
			weekly_cap_minutes = ?, hired_on = ? WHERE id = ?`, in.Badge, in.FirstName, in.LastName, in.Rank, in.Phone, in.Email,
			in.WeeklyCapMinutes, in.HiredOn.Format("2006-01-02"), id); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return &Error{Code: EConflict, Field: "badge", Message: fmt.Sprintf("badge %s is already used in this agency", in.Badge)}
			}
			return err
		}
		return s.audit(ctx, tx, actor, "officer", id, "edit",
			fmt.Sprintf("%s %s, %s, cap %d min", b.Badge, b.Name(), b.Rank, b.WeeklyCapMinutes),
			fmt.Sprintf("%s %s %s, %s, cap %d min", in.Badge, in.FirstName, in.LastName, in.Rank, in.WeeklyCapMinutes))
	})
}

// SetOfficerActive deactivates (or reactivates) an officer. Officers are
// never deleted: their history keeps them. Future shifts are not touched;
// the caller is told how many the officer still holds.
func (s *Store) SetOfficerActive(ctx context.Context, actor string, id int64, active bool, now time.Time) (future int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE officers SET active = ? WHERE id = ?`, active, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", id)}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions p JOIN jobs j ON j.id = p.job_id
			WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ?`, id, fmtTime(now)).Scan(&future); err != nil {
			return err
		}
		action := "deactivate"
		if active {
			action = "activate"
		}
		return s.audit(ctx, tx, actor, "officer", id, action, "", "")
	})
	return future, err
}

// OfficerLoad is an officer's booked time around a moment.
type OfficerLoad struct {
	WeekMinutes  int
	MonthMinutes int
	Next         []Booking // upcoming shifts, soonest first (at most 3)
}

// OfficerLoads gives every officer's booked minutes in the week and month of
// `at` (judged in loc) and their next shifts from `at`.
func (s *Store) OfficerLoads(ctx context.Context, at time.Time, loc *time.Location) (map[int64]OfficerLoad, error) {
	out := map[int64]OfficerLoad{}
	ws, ms := WeekStart(at, loc), MonthStart(at, loc)
	from := ws
	if ms.Before(from) {
		from = ms
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.officer_id, p.id, p.job_id, p.starts_at, p.ends_at FROM positions p JOIN jobs j ON j.id = p.job_id
			WHERE p.status = 'assigned' AND j.status <> 'cancelled' AND p.starts_at >= ? ORDER BY p.starts_at`, fmtTime(from))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var oid int64
			var b Booking
			var st, en string
			if err := rows.Scan(&oid, &b.PositionID, &b.JobID, &st, &en); err != nil {
				return err
			}
			b.Start, _ = parseTime(st)
			b.End, _ = parseTime(en)
			l := out[oid]
			m := int(b.End.Sub(b.Start) / time.Minute)
			if !b.Start.Before(ws) && b.Start.Before(ws.AddDate(0, 0, 7)) {
				l.WeekMinutes += m
			}
			if !b.Start.Before(ms) && b.Start.Before(ms.AddDate(0, 1, 0)) {
				l.MonthMinutes += m
			}
			if b.End.After(at) && len(l.Next) < 3 {
				l.Next = append(l.Next, b)
			}
			out[oid] = l
		}
		return rows.Err()
	})
	return out, err
}
