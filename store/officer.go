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
