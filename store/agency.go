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
	CreatedAt     time.Time
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

// AddRateCard adds a new version of an agency's card, in force from the
// instant effectiveFrom, which may not be in the past: jobs already priced
// keep their card whatever its date (SaveRateCard takes a civil date).
func (s *Store) AddRateCard(ctx context.Context, actor string, agencyID int64, effectiveFrom time.Time, card pricing.RateCard, note string) (RateCard, error) {
	var rc RateCard
	if err := card.Validate(); err != nil {
		return rc, &Error{Code: EInvalid, Field: "card", Message: err.Error()}
	}
	if !effectiveFrom.IsZero() && effectiveFrom.Before(s.now().Truncate(time.Second)) {
		return rc, &Error{Code: EInvalid, Field: "effective_from", Message: fmt.Sprintf("a new card cannot take effect in the past (%s): it would re-price nothing already priced and only confuse the history",
			effectiveFrom.UTC().Format("2006-01-02 15:04 UTC"))}
	}
	note = Clean(note, false)
	if err := limitText("note", "note", note, MaxReason); err != nil {
		return rc, err
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
	c = c.WithTerms() // the terms spelled out: a card keeps them whatever the defaults become
	var before string
	if prev, err := rateCardAt(ctx, tx, agencyID, from.Add(-time.Second)); err == nil {
		before = cardAudit(prev.EffectiveFrom, prev.Card, prev.Note)
	} else if ErrorCode(err) != ENotFound {
		return RateCard{}, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO rate_cards (agency_id, effective_from,
		regular_total, regular_officer, supervisor_total, supervisor_officer, holiday_total, holiday_officer,
		emergency_total, emergency_officer, vehicle_total, vehicle_officer,
		minimum_minutes, notice_minutes, supervisor_at, note, created_at, created_by, cancel_admin_minutes, cancel_late_minutes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		agencyID, fmtTime(from),
		c.Regular.Total.StringFixed(2), c.Regular.Officer.StringFixed(2),
		rateCol(c.Supervisor.Total, c.Supervisor), rateCol(c.Supervisor.Officer, c.Supervisor),
		rateCol(c.Holiday.Total, c.Holiday), rateCol(c.Holiday.Officer, c.Holiday),
		rateCol(c.Emergency.Total, c.Emergency), rateCol(c.Emergency.Officer, c.Emergency),
		rateCol(c.Vehicle.Total, c.Vehicle), rateCol(c.Vehicle.Officer, c.Vehicle),
		c.MinimumMinutes, c.NoticeMinutes, c.SupervisorAt, note, fmtTime(s.now()), actor, c.CancelAdminMinutes, c.CancelLateMinutes)
	if err != nil {
		if isForeignKey(err) {
			return RateCard{}, &Error{Code: ENotFound, Field: "agency", Message: fmt.Sprintf("no agency %d", agencyID)}
		}
		if !isUnique(err) {
			return RateCard{}, err
		}
		return RateCard{}, errorf(EConflict, "a rate card already takes effect at %s", fmtTime(from))
	}
	id, _ := res.LastInsertId()
	if err := s.audit(ctx, tx, actor, "rate_card", id, "create", before, cardAudit(from, c, note)); err != nil {
		return RateCard{}, err
	}
	return RateCard{ID: id, AgencyID: agencyID, EffectiveFrom: from.UTC(), Card: c, Note: note, CreatedAt: s.now().UTC().Truncate(time.Second), CreatedBy: actor}, nil
}

// cardAudit is a card as the audit keeps it: when it takes effect and
// every figure.
func cardAudit(from time.Time, c pricing.RateCard, note string) string {
	out := "from " + fmtTime(from) + ": " + c.Summary()
	if note != "" {
		out += "; note: " + note
	}
	return out
}

func rateCol(d decimal.Decimal, r pricing.Rate) any {
	if !r.Offered() {
		return nil
	}
	return d.StringFixed(2)
}

const rateCardCols = `id, agency_id, effective_from, regular_total, regular_officer, supervisor_total, supervisor_officer,
	holiday_total, holiday_officer, emergency_total, emergency_officer, vehicle_total, vehicle_officer,
	minimum_minutes, notice_minutes, supervisor_at, note, created_by, created_at, cancel_admin_minutes, cancel_late_minutes`

func scanRateCard(sc interface{ Scan(...any) error }) (RateCard, error) {
	var rc RateCard
	var from, created string
	var money [10]sql.NullString
	err := sc.Scan(&rc.ID, &rc.AgencyID, &from, &money[0], &money[1], &money[2], &money[3], &money[4], &money[5],
		&money[6], &money[7], &money[8], &money[9], &rc.Card.MinimumMinutes, &rc.Card.NoticeMinutes, &rc.Card.SupervisorAt, &rc.Note, &rc.CreatedBy,
		&created, &rc.Card.CancelAdminMinutes, &rc.Card.CancelLateMinutes)
	if err != nil {
		return rc, err
	}
	if rc.EffectiveFrom, err = parseTime(from); err != nil {
		return rc, err
	}
	if rc.CreatedAt, err = parseTime(created); err != nil {
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
	var err error
	if p.Holidays, err = holidaysOf(ctx, q, a.ID); err != nil {
		return nil, fmt.Errorf("agency %s: %w", a.Slug, err)
	}
	rules, err := venueRulesOf(ctx, q, a.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		p.Prohibited[r.Venue] = r.Rule
	}
	return p, nil
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

// jobPricing is what an edit of job j re-prices it with: the job's own
// card when it stays with its agency (a new card never re-prices a job
// already priced, whatever its dates), else the other agency's card in
// force when the job was received.
func jobPricing(ctx context.Context, q querier, a Agency, j Job) (PricedAgency, error) {
	if a.ID != j.AgencyID || j.RateCardID == 0 {
		return pricedAgency(ctx, q, a, j.Received)
	}
	rc, err := rateCardByID(ctx, q, j.RateCardID)
	if err != nil {
		return PricedAgency{}, err
	}
	p, err := loadPricing(ctx, q, a, rc)
	if err != nil {
		return PricedAgency{}, err
	}
	return PricedAgency{Agency: a, Card: rc, Pricing: p}, nil
}

// CardInput is a new rate card as a supervisor proposes it.
type CardInput struct {
	Agency string           // slug
	Date   time.Time        // the civil date it takes effect (year, month and day are read)
	Card   pricing.RateCard // every figure; zero cancellation terms are RULES.md's 24 h and 48 h
	Note   string
}

// CardPlan is a new card checked against the card it follows, before or
// after it is saved.
type CardPlan struct {
	Agency   Agency
	Date     time.Time // the civil date asked (UTC midnight)
	From     time.Time // the instant it takes effect: the date's local midnight, or for today the moment it is saved
	Today    bool      // dated today: in force from the moment it is saved
	Card     pricing.RateCard
	Note     string
	Previous RateCard   // the card in force just before From (ID 0: none)
	Later    []RateCard // cards already scheduled after From: they still take over on their dates
	Changes  []pricing.CardChange
	Saved    RateCard // the card as saved (SaveRateCard); ID 0 for a plan only
}

// Changed counts the figures that differ from the previous card.
func (p CardPlan) Changed() int {
	n := 0
	for _, c := range p.Changes {
		if c.Changed {
			n++
		}
	}
	return n
}

// PlanRateCard checks a new card and compares it with the card it would
// follow, writing nothing (the dry run, and the diff shown before y).
// Supervisors only.
func (s *Store) PlanRateCard(ctx context.Context, actor string, in CardInput) (CardPlan, error) {
	var p CardPlan
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		p, err = s.planCard(ctx, tx, in)
		return err
	})
	return p, err
}

// SaveRateCard checks and saves a new card, in force from its date (a card
// dated today from the moment it is saved); earlier dates are refused.
// Jobs, quotes and invoices already priced keep the card they were priced
// with. Audited with the card it follows and the new one. Supervisors only.
func (s *Store) SaveRateCard(ctx context.Context, actor string, in CardInput) (CardPlan, error) {
	var p CardPlan
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		if p, err = s.planCard(ctx, tx, in); err != nil {
			return err
		}
		p.Saved, err = s.addRateCard(ctx, tx, actor, p.Agency.ID, p.From, p.Card, p.Note)
		return err
	})
	return p, err
}

func (s *Store) planCard(ctx context.Context, q querier, in CardInput) (CardPlan, error) {
	a, err := agencyBySlug(ctx, q, in.Agency)
	if err != nil {
		return CardPlan{}, err
	}
	p := CardPlan{Agency: a, Note: Clean(in.Note, false)}
	if err := limitText("note", "note", p.Note, MaxReason); err != nil {
		return p, err
	}
	if in.Date.IsZero() {
		return p, &Error{Code: EInvalid, Field: "effective_from", Message: "a new card needs the date it takes effect (YYYY-MM-DD)"}
	}
	y, m, d := in.Date.Date()
	p.Date = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if err := pricing.CheckYear("effective date", y); err != nil {
		return p, &Error{Code: EInvalid, Field: "effective_from", Message: err.Error()}
	}
	if p.From, p.Today, err = effectiveFrom(a, p.Date, s.now()); err != nil {
		return p, err
	}
	if err := in.Card.Validate(); err != nil {
		return p, &Error{Code: EInvalid, Field: "card", Message: err.Error()}
	}
	p.Card = in.Card.WithTerms()
	var prev RateCard
	if prev, err = rateCardAt(ctx, q, a.ID, p.From.Add(-time.Second)); err == nil {
		p.Previous = prev
	} else if ErrorCode(err) != ENotFound {
		return p, err
	}
	p.Changes = pricing.CompareCards(p.Previous.Card, p.Card)
	if p.Previous.ID != 0 && p.Changed() == 0 {
		return p, &Error{Code: EInvalid, Field: "card", Message: fmt.Sprintf("nothing changes against card #%d (in force from %s): change a rate or a term",
			p.Previous.ID, p.Previous.EffectiveFrom.In(a.Loc).Format("2006-01-02"))}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+rateCardCols+` FROM rate_cards WHERE agency_id = ? AND effective_from >= ? ORDER BY effective_from`, a.ID, fmtTime(p.From))
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		rc, err := scanRateCard(rows)
		if err != nil {
			return p, err
		}
		if rc.EffectiveFrom.Equal(p.From.UTC()) || (!p.Today && sameLocalDay(rc.EffectiveFrom, p.From, a.Loc)) {
			return p, &Error{Code: EConflict, Field: "effective_from", Message: fmt.Sprintf("card #%d already takes effect on %s: choose another date",
				rc.ID, rc.EffectiveFrom.In(a.Loc).Format("Mon 02 Jan 2006"))}
		}
		p.Later = append(p.Later, rc)
	}
	return p, rows.Err()
}

// effectiveFrom is the instant a card dated `date` (civil) takes effect
// at `now`: the date's local midnight, or for today the moment it is
// saved; an earlier date is refused, saying why.
func effectiveFrom(a Agency, date, now time.Time) (time.Time, bool, error) {
	ln := now.In(a.Loc)
	today := time.Date(ln.Year(), ln.Month(), ln.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case date.Before(today):
		return time.Time{}, false, &Error{Code: EInvalid, Field: "effective_from", Message: fmt.Sprintf(
			"a new card cannot start before today (%s in %s): jobs already received keep the card they were priced with, so an earlier date would change nothing and only confuse the history; start it today or later",
			today.Format("Mon 02 Jan 2006"), a.Zone)}
	case date.Equal(today):
		return now.Truncate(time.Second), true, nil // from the moment it is saved: what was priced before keeps its card
	}
	from, err := pricing.LocalTime(a.Loc, date.Year(), date.Month(), date.Day(), 0, 0)
	if err != nil {
		return time.Time{}, false, &Error{Code: EInvalid, Field: "effective_from", Message: err.Error()}
	}
	return from, false, nil
}

// CardBefore is the card a new card dated `date` (civil) would follow: the
// one in force just before it takes effect, which a new card's figures
// start from. ENotFound when the agency has none then.
func (s *Store) CardBefore(ctx context.Context, slug string, date time.Time) (RateCard, error) {
	var rc RateCard
	err := s.read(ctx, func(tx *sql.Tx) error {
		a, err := agencyBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		y, m, d := date.Date()
		from, _, err := effectiveFrom(a, time.Date(y, m, d, 0, 0, 0, 0, time.UTC), s.now())
		if err != nil {
			return err
		}
		rc, err = rateCardAt(ctx, tx, a.ID, from.Add(-time.Second))
		return err
	})
	return rc, err
}

func sameLocalDay(a, b time.Time, loc *time.Location) bool {
	return a.In(loc).Format("2006-01-02") == b.In(loc).Format("2006-01-02")
}

// SplitCards sorts an agency's cards (RateCards' order, newest first) by
// the instant now: those scheduled to take effect later (soonest first),
// the one in force (nil: none yet), and the earlier ones (newest first).
func SplitCards(cards []RateCard, now time.Time) (scheduled []RateCard, inForce *RateCard, earlier []RateCard) {
	for i := range cards {
		switch {
		case cards[i].EffectiveFrom.After(now):
			scheduled = append([]RateCard{cards[i]}, scheduled...)
		case inForce == nil:
			inForce = &cards[i]
		default:
			earlier = append(earlier, cards[i])
		}
	}
	return scheduled, inForce, earlier
}

// MaxHolidayName bounds a holiday's name; MaxVenueRule the rule text quoted
// on a refused request.
const (
	MaxHolidayName = 80
	MaxVenueRule   = 500
)

// Holidays lists an agency's holidays in the order they were added.
func (s *Store) Holidays(ctx context.Context, agencyID int64) ([]pricing.Holiday, error) {
	var out []pricing.Holiday
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = holidaysOf(ctx, tx, agencyID)
		return err
	})
	return out, err
}

func holidaysOf(ctx context.Context, q querier, agencyID int64) ([]pricing.Holiday, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, name, rule FROM agency_holidays WHERE agency_id = ? ORDER BY rowid`, agencyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pricing.Holiday
	for rows.Next() {
		var key, name, rule string
		if err := rows.Scan(&key, &name, &rule); err != nil {
			return nil, err
		}
		h, err := pricing.NewHoliday(key, name, rule)
		if err != nil {
			return nil, fmt.Errorf("agency %d holiday %s: %w", agencyID, key, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// holidayKey is a holiday's key made from its name: "Stake Conference" ->
// "stake-conference"; a one-off date's carries the date.
func holidayKey(name string, once time.Time, oneOff bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	k := strings.TrimSuffix(b.String(), "-")
	if len(k) > 40 {
		k = strings.TrimSuffix(k[:40], "-")
	}
	if k == "" {
		k = "holiday"
	}
	if oneOff {
		k += "-" + once.Format("2006-01-02")
	}
	return k
}

func holidayAudit(h pricing.Holiday) string {
	return fmt.Sprintf("%s (%s): %s", h.Name, h.Key, h.Rule)
}

// AddHoliday adds a holiday to an agency's list: a rule that recurs every
// year (a standard holiday's key, "MM-DD" or "N weekday month [+days]") or
// a one-off date "YYYY-MM-DD", not before today. Its key is made from the
// name (and a one-off's date). Hours on it are priced at the holiday rate
// in quotes from now on, and billed so on shifts not yet invoiced; saved
// quotes and issued invoices do not change. Audited. Supervisors only.
func (s *Store) AddHoliday(ctx context.Context, actor string, agencyID int64, name, rule string) (pricing.Holiday, error) {
	name = Clean(strings.TrimSpace(name), false)
	rule = strings.ToLower(strings.Join(strings.Fields(Clean(rule, false)), " "))
	if name == "" {
		return pricing.Holiday{}, &Error{Code: EInvalid, Field: "name", Message: "a holiday needs a name"}
	}
	if err := limitText("name", "holiday name", name, MaxHolidayName); err != nil {
		return pricing.Holiday{}, err
	}
	if rule == "" {
		return pricing.Holiday{}, &Error{Code: EInvalid, Field: "rule", Message: "a holiday needs a date (YYYY-MM-DD) or a rule (MM-DD, \"3 mon jan\", \"last mon may\", a standard holiday)"}
	}
	if err := limitText("rule", "holiday rule", rule, 40); err != nil {
		return pricing.Holiday{}, err
	}
	h, err := pricing.NewHoliday("", name, rule)
	if err != nil {
		return pricing.Holiday{}, &Error{Code: EInvalid, Field: "rule", Message: err.Error()}
	}
	once, oneOff := h.OneOff()
	h, _ = pricing.NewHoliday(holidayKey(name, once, oneOff), name, rule)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		ln := s.now().In(a.Loc)
		if oneOff && once.Before(time.Date(ln.Year(), ln.Month(), ln.Day(), 0, 0, 0, 0, time.UTC)) {
			return &Error{Code: EInvalid, Field: "rule", Message: fmt.Sprintf("%s is in the past (today is %s in %s): a one-off holiday is today or later",
				once.Format("Mon 02 Jan 2006"), ln.Format("Mon 02 Jan 2006"), a.Zone)}
		}
		have, err := holidaysOf(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		for _, o := range have {
			if o.Key == h.Key {
				return &Error{Code: EConflict, Field: "name", Message: fmt.Sprintf("%s already has a holiday %q (%s): remove it first, or use another name", a.Name, o.Name, o.Key)}
			}
			if strings.EqualFold(o.Rule, h.Rule) {
				return &Error{Code: EConflict, Field: "rule", Message: fmt.Sprintf("%s already has %s (%s) on the rule %q", a.Name, o.Name, o.Key, o.Rule)}
			}
			if oneOff {
				if m, d, ok := o.Date(once.Year()); ok && m == once.Month() && d == once.Day() {
					return &Error{Code: EConflict, Field: "rule", Message: fmt.Sprintf("%s is already a holiday of %s: %s (%s)", once.Format("Mon 02 Jan 2006"), a.Name, o.Name, o.Key)}
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agency_holidays (agency_id, key, name, rule) VALUES (?, ?, ?, ?)`, agencyID, h.Key, h.Name, h.Rule); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", agencyID, "holiday add", "", holidayAudit(h))
	})
	return h, err
}

// RemoveHoliday takes a holiday off an agency's list, by its key (or its
// name, when no key matches). Audited. Supervisors only.
func (s *Store) RemoveHoliday(ctx context.Context, actor string, agencyID int64, key string) (pricing.Holiday, error) {
	var gone pricing.Holiday
	key = strings.TrimSpace(key)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		have, err := holidaysOf(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		found := -1
		for i, h := range have {
			if h.Key == key {
				found = i
			}
		}
		if found < 0 {
			for i, h := range have {
				if strings.EqualFold(h.Name, key) {
					if found >= 0 {
						return &Error{Code: EInvalid, Field: "key", Message: fmt.Sprintf("several holidays of %s are named %q: give the key", a.Name, key)}
					}
					found = i
				}
			}
		}
		if found < 0 {
			return &Error{Code: ENotFound, Field: "key", Message: fmt.Sprintf("%s has no holiday %q: give a key or a name from its list", a.Name, key)}
		}
		gone = have[found]
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_holidays WHERE agency_id = ? AND key = ?`, agencyID, gone.Key); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", agencyID, "holiday remove", holidayAudit(gone), "")
	})
	return gone, err
}

// VenueRule is a venue category an agency prohibits, with the rule quoted
// when a request is refused.
type VenueRule struct {
	Venue pricing.Venue
	Rule  string
}

// VenueRules lists an agency's prohibited venues in display order.
func (s *Store) VenueRules(ctx context.Context, agencyID int64) ([]VenueRule, error) {
	var out []VenueRule
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = venueRulesOf(ctx, tx, agencyID)
		return err
	})
	return out, err
}

func venueRulesOf(ctx context.Context, q querier, agencyID int64) ([]VenueRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT venue, rule FROM venue_rules WHERE agency_id = ?`, agencyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[pricing.Venue]string{}
	for rows.Next() {
		var v, r string
		if err := rows.Scan(&v, &r); err != nil {
			return nil, err
		}
		m[pricing.Venue(v)] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p := pricing.Agency{Prohibited: m}
	var out []VenueRule
	for _, v := range p.ProhibitedVenues() {
		out = append(out, VenueRule{v, m[v]})
	}
	return out, nil
}

// ParseProhibitable reads a venue category an agency may prohibit (any but
// general, which every request without a category is).
func ParseProhibitable(s string) (pricing.Venue, error) {
	if strings.TrimSpace(s) == "" {
		return "", &Error{Code: EInvalid, Field: "venue", Message: "name the venue category"}
	}
	v, err := pricing.ParseVenue(s)
	if err != nil {
		return "", &Error{Code: EInvalid, Field: "venue", Message: err.Error()}
	}
	if v == pricing.VenueGeneral {
		return "", &Error{Code: EInvalid, Field: "venue", Message: "general is every request without a category: it cannot be prohibited"}
	}
	return v, nil
}

// SetVenueRule prohibits a venue category for an agency, or changes the
// rule text quoted when a request for it is refused; it returns the text
// before ("" if the venue was allowed). Requests quoted from now on are
// refused with the new text; jobs already saved keep their quote until
// edited. Audited with before and after. Supervisors only.
func (s *Store) SetVenueRule(ctx context.Context, actor string, agencyID int64, venue pricing.Venue, rule string) (string, error) {
	v, err := ParseProhibitable(string(venue))
	if err != nil {
		return "", err
	}
	rule = Clean(strings.Join(strings.Fields(rule), " "), false)
	if rule == "" {
		return "", &Error{Code: EInvalid, Field: "rule", Message: "a prohibited venue needs the rule text quoted to the caller (remove the rule to allow the venue)"}
	}
	if err := limitText("rule", "rule text", rule, MaxVenueRule); err != nil {
		return "", err
	}
	var before string
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		if _, err := agencyByID(ctx, tx, agencyID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT rule FROM venue_rules WHERE agency_id = ? AND venue = ?`, agencyID, string(v)).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if before == rule {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO venue_rules (agency_id, venue, rule) VALUES (?, ?, ?)
			ON CONFLICT (agency_id, venue) DO UPDATE SET rule = excluded.rule`, agencyID, string(v), rule); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", agencyID, "venue set", venueAudit(v, before), venueAudit(v, rule))
	})
	return before, err
}

// RemoveVenueRule allows a venue category again; it returns the rule text
// it had. Audited. Supervisors only.
func (s *Store) RemoveVenueRule(ctx context.Context, actor string, agencyID int64, venue pricing.Venue) (string, error) {
	v, err := ParseProhibitable(string(venue))
	if err != nil {
		return "", err
	}
	var before string
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT rule FROM venue_rules WHERE agency_id = ? AND venue = ?`, agencyID, string(v)).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: ENotFound, Field: "venue", Message: fmt.Sprintf("%s does not prohibit %s", a.Name, v)}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM venue_rules WHERE agency_id = ? AND venue = ?`, agencyID, string(v)); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "agency", agencyID, "venue remove", venueAudit(v, before), venueAudit(v, ""))
	})
	return before, err
}

func venueAudit(v pricing.Venue, rule string) string {
	if rule == "" {
		return string(v) + ": allowed"
	}
	return string(v) + " prohibited: " + rule
}
