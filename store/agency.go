package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// Agency is a partner police department.
type Agency struct {
	ID   int64
	Slug string
	Name string
	Zone string
	Loc  *time.Location
}

// RateCard is one version of an agency's rate card.
type RateCard struct {
	ID            int64
	AgencyID      int64
	EffectiveFrom time.Time
	Card          pricing.RateCard
	Note          string
	CreatedBy     string
}

// AgencyInput creates an agency with its first rate card, holidays and venue rules.
type AgencyInput struct {
	Slug          string
	Name          string
	Zone          string
	EffectiveFrom time.Time // of the first rate card
	Card          pricing.RateCard
	Holidays      []pricing.Holiday
	Prohibited    map[pricing.Venue]string
}

// Validate checks the input.
func (in AgencyInput) Validate() error {
	if in.Slug == "" || in.Name == "" {
		return &Error{Code: EInvalid, Field: "slug", Message: "an agency needs a slug and a name"}
	}
	if _, err := time.LoadLocation(in.Zone); err != nil || in.Zone == "" {
		return &Error{Code: EInvalid, Field: "zone", Message: fmt.Sprintf("unknown time zone %q", in.Zone)}
	}
	if err := in.Card.Validate(); err != nil {
		return &Error{Code: EInvalid, Field: "card", Message: err.Error()}
	}
	for v := range in.Prohibited {
		if _, err := pricing.ParseVenue(string(v)); err != nil {
			return &Error{Code: EInvalid, Field: "venue", Message: err.Error()}
		}
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// CreateAgency adds an agency.
func (s *Store) CreateAgency(ctx context.Context, actor string, in AgencyInput) (Agency, error) {
	if err := in.Validate(); err != nil {
		return Agency{}, err
	}
	var a Agency
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		a, err = s.createAgency(ctx, tx, actor, in)
		return err
	})
	return a, err
}

// EnsureAgencies creates the given agencies if the database has none, all in
// one transaction, and reports whether it did. Two processes opening a new
// file at once create them exactly once.
func (s *Store) EnsureAgencies(ctx context.Context, actor string, ins []AgencyInput) (bool, error) {
	for _, in := range ins {
		if err := in.Validate(); err != nil {
			return false, err
		}
	}
	// Read first: a database that has its agencies is opened without
	// taking the write lock.
	var have int
	if err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM agencies`).Scan(&have)
	}); err != nil {
		return false, err
	}
	if have > 0 {
		return false, nil
	}
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agencies`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, in := range ins {
			if _, err := s.createAgency(ctx, tx, actor, in); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	return created, err
}

func (s *Store) createAgency(ctx context.Context, tx *sql.Tx, actor string, in AgencyInput) (Agency, error) {
	var a Agency
	err := func() error {
		res, err := tx.ExecContext(ctx, `INSERT INTO agencies (slug, name, zone, created_at) VALUES (?, ?, ?, ?)`,
			in.Slug, in.Name, in.Zone, fmtTime(s.now()))
		if err != nil {
			return errorf(EConflict, "agency %s: %v", in.Slug, err)
		}
		id, _ := res.LastInsertId()
		if _, err := s.addRateCard(ctx, tx, actor, id, in.EffectiveFrom, in.Card, "initial card"); err != nil {
			return err
		}
		for _, h := range in.Holidays {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agency_holidays (agency_id, key, name, rule) VALUES (?, ?, ?, ?)`, id, h.Key, h.Name, h.Rule); err != nil {
				return err
			}
		}
		for v, rule := range in.Prohibited {
			if _, err := tx.ExecContext(ctx, `INSERT INTO venue_rules (agency_id, venue, rule) VALUES (?, ?, ?)`, id, string(v), rule); err != nil {
				return err
			}
		}
		if a, err = agencyByID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", id, "create", "", in.Slug)
	}()
	return a, err
}

// Agencies lists the agencies by name.
func (s *Store) Agencies(ctx context.Context) ([]Agency, error) {
	var out []Agency
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, slug, name, zone FROM agencies ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Agency
			if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Zone); err != nil {
				return err
			}
			if a.Loc, err = time.LoadLocation(a.Zone); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

func agencyByID(ctx context.Context, q querier, id int64) (Agency, error) {
	return scanAgency(q.QueryRowContext(ctx, `SELECT id, slug, name, zone FROM agencies WHERE id = ?`, id), fmt.Sprint(id))
}

func agencyBySlug(ctx context.Context, q querier, slug string) (Agency, error) {
	return scanAgency(q.QueryRowContext(ctx, `SELECT id, slug, name, zone FROM agencies WHERE slug = ?`, slug), slug)
}

func scanAgency(row *sql.Row, name string) (Agency, error) {
	var a Agency
	if err := row.Scan(&a.ID, &a.Slug, &a.Name, &a.Zone); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return a, &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("unknown agency %q", name)}
		}
		return a, err
	}
	var err error
	a.Loc, err = time.LoadLocation(a.Zone)
	return a, err
}

// AgencyBySlug finds an agency by its slug.
func (s *Store) AgencyBySlug(ctx context.Context, slug string) (Agency, error) {
	var a Agency
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = agencyBySlug(ctx, tx, slug)
		return err
	})
	return a, err
}

// AddRateCard adds a new version of an agency's card, in force from effectiveFrom.
// Jobs requested before that keep the card they were priced with.
func (s *Store) AddRateCard(ctx context.Context, actor string, agencyID int64, effectiveFrom time.Time, card pricing.RateCard, note string) (RateCard, error) {
	var rc RateCard
	if err := card.Validate(); err != nil {
		return rc, &Error{Code: EInvalid, Field: "card", Message: err.Error()}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		rc, err = s.addRateCard(ctx, tx, actor, agencyID, effectiveFrom, card, note)
		return err
	})
	return rc, err
}

func (s *Store) addRateCard(ctx context.Context, tx *sql.Tx, actor string, agencyID int64, from time.Time, c pricing.RateCard, note string) (RateCard, error) {
	if from.IsZero() {
		return RateCard{}, &Error{Code: EInvalid, Field: "effective_from", Message: "a rate card needs an effective date"}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO rate_cards (agency_id, effective_from,
		regular_total, regular_officer, supervisor_total, supervisor_officer, holiday_total, holiday_officer,
		emergency_total, emergency_officer, vehicle_total, vehicle_officer,
		minimum_minutes, notice_minutes, supervisor_at, note, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		agencyID, fmtTime(from),
		c.Regular.Total.StringFixed(2), c.Regular.Officer.StringFixed(2),
		rateCol(c.Supervisor.Total, c.Supervisor), rateCol(c.Supervisor.Officer, c.Supervisor),
		rateCol(c.Holiday.Total, c.Holiday), rateCol(c.Holiday.Officer, c.Holiday),
		rateCol(c.Emergency.Total, c.Emergency), rateCol(c.Emergency.Officer, c.Emergency),
		rateCol(c.Vehicle.Total, c.Vehicle), rateCol(c.Vehicle.Officer, c.Vehicle),
		c.MinimumMinutes, c.NoticeMinutes, c.SupervisorAt, note, fmtTime(s.now()), actor)
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return RateCard{}, &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("no agency %d", agencyID)}
		}
		if !strings.Contains(err.Error(), "UNIQUE") {
			return RateCard{}, err
		}
		return RateCard{}, errorf(EConflict, "a rate card already takes effect at %s", fmtTime(from))
	}
	id, _ := res.LastInsertId()
	if err := s.audit(ctx, tx, actor, "rate_card", id, "create", "", fmt.Sprintf("agency %d from %s", agencyID, fmtTime(from))); err != nil {
		return RateCard{}, err
	}
	return RateCard{ID: id, AgencyID: agencyID, EffectiveFrom: from.UTC(), Card: c, Note: note, CreatedBy: actor}, nil
}

func rateCol(d decimal.Decimal, r pricing.Rate) any {
	if !r.Offered() {
		return nil
	}
	return d.StringFixed(2)
}

const rateCardCols = `id, agency_id, effective_from, regular_total, regular_officer, supervisor_total, supervisor_officer,
	holiday_total, holiday_officer, emergency_total, emergency_officer, vehicle_total, vehicle_officer,
	minimum_minutes, notice_minutes, supervisor_at, note, created_by`

func scanRateCard(sc interface{ Scan(...any) error }) (RateCard, error) {
	var rc RateCard
	var from string
	var money [10]sql.NullString
	err := sc.Scan(&rc.ID, &rc.AgencyID, &from, &money[0], &money[1], &money[2], &money[3], &money[4], &money[5],
		&money[6], &money[7], &money[8], &money[9], &rc.Card.MinimumMinutes, &rc.Card.NoticeMinutes, &rc.Card.SupervisorAt, &rc.Note, &rc.CreatedBy)
	if err != nil {
		return rc, err
	}
	if rc.EffectiveFrom, err = parseTime(from); err != nil {
		return rc, err
	}
	rates := []*pricing.Rate{&rc.Card.Regular, &rc.Card.Supervisor, &rc.Card.Holiday, &rc.Card.Emergency, &rc.Card.Vehicle}
	for i, r := range rates {
		if !money[2*i].Valid {
			continue
		}
		if *r, err = pricing.NewRate(money[2*i].String, money[2*i+1].String); err != nil {
			return rc, fmt.Errorf("rate card %d: %w", rc.ID, err)
		}
	}
	return rc, nil
}

// RateCards lists an agency's card versions, newest first.
func (s *Store) RateCards(ctx context.Context, agencyID int64) ([]RateCard, error) {
	var out []RateCard
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+rateCardCols+` FROM rate_cards WHERE agency_id = ? ORDER BY effective_from DESC`, agencyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			rc, err := scanRateCard(rows)
			if err != nil {
				return err
			}
			out = append(out, rc)
		}
		return rows.Err()
	})
	return out, err
}

func rateCardAt(ctx context.Context, q querier, agencyID int64, at time.Time) (RateCard, error) {
	rc, err := scanRateCard(q.QueryRowContext(ctx, `SELECT `+rateCardCols+` FROM rate_cards
		WHERE agency_id = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1`, agencyID, fmtTime(at)))
	if errors.Is(err, sql.ErrNoRows) {
		return rc, &Error{Code: ENotFound, Field: "received", Message: fmt.Sprintf("no rate card in force at %s", at.UTC().Format("2006-01-02 15:04 UTC"))}
	}
	return rc, err
}

func rateCardByID(ctx context.Context, q querier, id int64) (RateCard, error) {
	return scanRateCard(q.QueryRowContext(ctx, `SELECT `+rateCardCols+` FROM rate_cards WHERE id = ?`, id))
}

// PricedAgency is an agency with the rate card in force at some instant,
// ready to price requests in memory.
type PricedAgency struct {
	Agency
	Card    RateCard
	Pricing *pricing.Agency
}

func loadPricing(ctx context.Context, q querier, a Agency, rc RateCard) (*pricing.Agency, error) {
	p := &pricing.Agency{Slug: a.Slug, Name: a.Name, Zone: a.Loc, Card: rc.Card, Prohibited: map[pricing.Venue]string{}}
	rows, err := q.QueryContext(ctx, `SELECT key, name, rule FROM agency_holidays WHERE agency_id = ? ORDER BY rowid`, a.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var key, name, rule string
		if err := rows.Scan(&key, &name, &rule); err != nil {
			rows.Close()
			return nil, err
		}
		h, err := pricing.NewHoliday(key, name, rule)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("agency %s: %w", a.Slug, err)
		}
		p.Holidays = append(p.Holidays, h)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT venue, rule FROM venue_rules WHERE agency_id = ?`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v, rule string
		if err := rows.Scan(&v, &rule); err != nil {
			return nil, err
		}
		p.Prohibited[pricing.Venue(v)] = rule
	}
	return p, rows.Err()
}

// Pricing loads an agency by slug with the card in force at `at`.
func (s *Store) Pricing(ctx context.Context, slug string, at time.Time) (PricedAgency, error) {
	var pa PricedAgency
	err := s.read(ctx, func(tx *sql.Tx) error {
		a, err := agencyBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		pa, err = pricedAgency(ctx, tx, a, at)
		return err
	})
	return pa, err
}

func pricedAgency(ctx context.Context, q querier, a Agency, at time.Time) (PricedAgency, error) {
	rc, err := rateCardAt(ctx, q, a.ID, at)
	if err != nil {
		return PricedAgency{}, err
	}
	p, err := loadPricing(ctx, q, a, rc)
	if err != nil {
		return PricedAgency{}, err
	}
	return PricedAgency{Agency: a, Card: rc, Pricing: p}, nil
}

// PricingAll loads every agency with the card in force at `at`; agencies with
// no card in force then are left out.
func (s *Store) PricingAll(ctx context.Context, at time.Time) ([]PricedAgency, error) {
	agencies, err := s.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	var out []PricedAgency
	err = s.read(ctx, func(tx *sql.Tx) error {
		for _, a := range agencies {
			pa, err := pricedAgency(ctx, tx, a, at)
			if ErrorCode(err) == ENotFound {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, pa)
		}
		return nil
	})
	return out, err
}
