package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"offduty/pricing"
)

// OfficerShift is one position an officer holds, with what the officer needs
// to know to get there and work it.
type OfficerShift struct {
	PositionID int64
	JobID      int64
	Slot       int
	Class      string // officer or supervisor
	Start, End time.Time
	JobStatus  string

	CustomerName string
	SiteName     string
	SiteAddress  string
	AgencyID     int64
	AgencySlug   string
	AgencyName   string
	AgencyZone   string

	PostOrders   string
	ContactName  string
	ContactPhone string
}

// OfficerShifts lists the positions the officer holds (position assigned,
// job not cancelled) that end after from, by start time; limit <= 0 means
// all of them. An officer user reads only its own, an agency user only its
// own officers' (EForbidden otherwise).
func (s *Store) OfficerShifts(ctx context.Context, actor string, officerID int64, from time.Time, limit int) ([]OfficerShift, error) {
	v, err := s.Viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	if err := s.canSeeOfficer(ctx, v, officerID); err != nil { // an officer its own, an agency its officers', staff anyone's
		return nil, err
	}
	// A shift lasts at most pricing.MaxShiftMinutes: one ending after from
	// started after from minus that, which keeps the read to a range of the
	// positions_officer index (officer_id, starts_at) however long the history.
	earliest := from.Add(-pricing.MaxShiftMinutes * time.Minute)
	q := `SELECT p.id, p.job_id, p.slot, p.class, p.starts_at, p.ends_at, j.status,
		c.name, st.name, st.address, a.id, a.slug, a.name, a.zone, j.post_orders, j.contact_name, j.contact_phone
		FROM positions p JOIN jobs j ON j.id = p.job_id JOIN customers c ON c.id = j.customer_id
		JOIN sites st ON st.id = j.site_id JOIN agencies a ON a.id = j.agency_id
		WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled'
		AND p.starts_at > ? AND p.ends_at > ?
		ORDER BY p.starts_at, p.id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []OfficerShift
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, officerID, fmtTime(earliest), fmtTime(from))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sh OfficerShift
			var st, en string
			if err := rows.Scan(&sh.PositionID, &sh.JobID, &sh.Slot, &sh.Class, &st, &en, &sh.JobStatus,
				&sh.CustomerName, &sh.SiteName, &sh.SiteAddress, &sh.AgencyID, &sh.AgencySlug, &sh.AgencyName, &sh.AgencyZone,
				&sh.PostOrders, &sh.ContactName, &sh.ContactPhone); err != nil {
				return err
			}
			if sh.Start, err = parseTime(st); err != nil {
				return err
			}
			if sh.End, err = parseTime(en); err != nil {
				return err
			}
			out = append(out, sh)
		}
		return rows.Err()
	})
	return out, err
}

// OfficerByBadge finds the officers with this badge, in any case. A badge is
// unique within an agency only, so several agencies' officers may match; by
// agency then name. None is not an error: the list is empty.
func (s *Store) OfficerByBadge(ctx context.Context, badge string) ([]Officer, error) {
	badge = Clean(badge, false)
	if badge == "" {
		return nil, nil
	}
	var out []Officer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = officers(ctx, tx, `WHERE o.badge = ? COLLATE NOCASE`, badge)
		return err
	})
	return out, err
}

// OfficerByID loads one officer.
func (s *Store) OfficerByID(ctx context.Context, id int64) (Officer, error) {
	var out []Officer
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = officers(ctx, tx, `WHERE o.id = ?`, id)
		return err
	})
	if err != nil {
		return Officer{}, err
	}
	if len(out) == 0 {
		return Officer{}, &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", id)}
	}
	return out[0], nil
}
