package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"offduty/pricing"
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
			if isUnique(err) {
				return &Error{Code: EConflict, Field: "badge", Message: fmt.Sprintf("badge %s is already used in this agency", in.Badge)}
			}
			if isForeignKey(err) {
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
			if isUnique(err) {
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

// Officers' standing (issue 15): periods of leave, suspension or restricted
// duty, certifications with an expiry date, and the certifications a venue
// category or a customer requires. Days are local days of the officer's
// agency, kept as dates (00:00 UTC, as HiredOn); an end day is inclusive.
// The picker (Candidates), sign-ups (OpenShifts, SignUp) and Assign read
// them through StandingReasons: none of those reasons is a cap, so none is
// lifted with an override.

// Standing kinds.
const (
	StandingLeave      = "leave"      // may not work
	StandingSuspension = "suspension" // may not work
	StandingRestricted = "restricted" // restricted (light) duty: see RestrictedVenues
)

// StandingKinds lists the kinds of period.
var StandingKinds = []string{StandingLeave, StandingSuspension, StandingRestricted}

// RestrictedVenues are the venue categories an officer on restricted duty
// does not work: roadway, site and crowd work. Restricted duty also keeps
// an officer from supervisor positions; a static post (general, retail,
// school, worship) is still open to them.
var RestrictedVenues = []pricing.Venue{pricing.VenueTraffic, pricing.VenueConstruction, pricing.VenueEvent, pricing.VenueLaborDispute}

// CertWarnDays is how far ahead an expiring certification is flagged.
const CertWarnDays = 30

// MaxCertName is the longest certification name, in characters.
const MaxCertName = 60

// StandingPeriod is a period of leave, suspension or restricted duty.
type StandingPeriod struct {
	ID        int64
	OfficerID int64
	Kind      string
	From      time.Time // the first day (a date)
	To        time.Time // the last day, inclusive (a date); zero: until further notice
	Reason    string
	CreatedAt time.Time
	CreatedBy string
}

// Open reports whether the period has no end day.
func (p StandingPeriod) Open() bool { return p.To.IsZero() }

// Covers reports whether the period includes day (a date).
func (p StandingPeriod) Covers(day time.Time) bool {
	return !day.Before(p.From) && (p.Open() || !day.After(p.To))
}

// overlapsDays reports whether the period shares a day with [first, last].
func (p StandingPeriod) overlapsDays(first, last time.Time) bool {
	return !p.From.After(last) && (p.Open() || !p.To.Before(first))
}

// Span is "2026-12-07 to 2026-12-18" or "from 2026-12-07, until further notice".
func (p StandingPeriod) Span() string {
	if p.Open() {
		return "from " + p.From.Format(dateLayout) + ", until further notice"
	}
	if p.To.Equal(p.From) {
		return "on " + p.From.Format(dateLayout)
	}
	return p.From.Format(dateLayout) + " to " + p.To.Format(dateLayout)
}

// Describe is the period as the audit and the lists write it:
// "leave 2026-12-07 to 2026-12-18: family (#3)".
func (p StandingPeriod) Describe() string {
	return fmt.Sprintf("%s %s: %s (#%d)", p.Kind, p.Span(), p.Reason, p.ID)
}

// Cert is a certification an officer holds.
type Cert struct {
	OfficerID int64
	Name      string    // lower case: "traffic control"
	Expires   time.Time // the last valid day (a date)
	UpdatedAt time.Time
	UpdatedBy string
}

// DaysLeft is the number of days from today (a date) to the expiry day:
// 0 on the last valid day, negative once it has lapsed.
func (c Cert) DaysLeft(today time.Time) int {
	return int(c.Expires.Sub(civil(today)).Hours() / 24)
}

// Expiring reports whether the certification lapses within CertWarnDays
// of today, or already has.
func (c Cert) Expiring(today time.Time) bool { return c.DaysLeft(today) <= CertWarnDays }

// Standing is an officer's periods (newest first) and certifications (by name).
type Standing struct {
	OfficerID int64
	Periods   []StandingPeriod
	Certs     []Cert
}

// On lists the periods that include day (a date).
func (s Standing) On(day time.Time) []StandingPeriod {
	var out []StandingPeriod
	for _, p := range s.Periods {
		if p.Covers(day) {
			out = append(out, p)
		}
	}
	return out
}

// Ahead lists the periods that start after day, soonest first.
func (s Standing) Ahead(day time.Time) []StandingPeriod {
	var out []StandingPeriod
	for i := len(s.Periods) - 1; i >= 0; i-- {
		if p := s.Periods[i]; p.From.After(day) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].From.Before(out[k].From) })
	return out
}

// Expiring lists the certifications that lapse within CertWarnDays of
// today or already have, soonest first.
func (s Standing) Expiring(today time.Time) []Cert {
	var out []Cert
	for _, c := range s.Certs {
		if c.Expiring(today) {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Expires.Before(out[k].Expires) })
	return out
}

// Cert finds a certification by name (any case).
func (s Standing) Cert(name string) (Cert, bool) {
	n := strings.ToLower(name)
	for _, c := range s.Certs {
		if c.Name == n {
			return c, true
		}
	}
	return Cert{}, false
}

// Requirement is a certification a venue category, or one customer,
// requires of every officer on its jobs.
type Requirement struct {
	ID           int64
	Venue        pricing.Venue // set for a venue category
	CustomerID   int64         // set for a customer
	CustomerName string
	Cert         string
}

// Applies reports whether the requirement binds a job at venue for customerID.
func (r Requirement) Applies(venue pricing.Venue, customerID int64) bool {
	if r.CustomerID != 0 {
		return r.CustomerID == customerID
	}
	return r.Venue == venue
}

// Where is "at construction venues" or "by Acme Corp (#12)".
func (r Requirement) Where() string {
	if r.CustomerID != 0 {
		return fmt.Sprintf("by %s (#%d)", r.CustomerName, r.CustomerID)
	}
	return fmt.Sprintf("at %s venues", r.Venue)
}

// Describe is "construction venues need traffic control".
func (r Requirement) Describe() string {
	if r.CustomerID != 0 {
		return fmt.Sprintf("%s (#%d) needs %s", r.CustomerName, r.CustomerID, r.Cert)
	}
	return fmt.Sprintf("%s venues need %s", r.Venue, r.Cert)
}

// CertName reads a certification's name as typed: cleaned, spaces
// collapsed, lower case, without a trailing "certification" (the reasons
// add the word).
func CertName(s string) (string, error) {
	n := strings.ToLower(strings.Join(strings.Fields(Clean(s, false)), " "))
	n = strings.TrimSpace(strings.TrimSuffix(n, "certification"))
	if n == "" {
		return "", &Error{Code: EInvalid, Field: "cert", Message: "a certification needs a name, such as \"traffic control\""}
	}
	if err := limitText("cert", "certification name", n, MaxCertName); err != nil {
		return "", err
	}
	return n, nil
}

// ParseStandingKind reads a kind: leave, suspension (suspended) or
// restricted (restricted duty), any case.
func ParseStandingKind(s string) (string, error) {
	switch k := strings.ToLower(strings.TrimSpace(s)); k {
	case StandingLeave, StandingSuspension, StandingRestricted:
		return k, nil
	case "suspended":
		return StandingSuspension, nil
	case "restricted duty", "restricted-duty":
		return StandingRestricted, nil
	}
	return "", &Error{Code: EInvalid, Field: "kind", Message: fmt.Sprintf("kind %q: use leave, suspension or restricted", Clean(s, false))}
}

// dayWords is a day in a reason: "Fri 18 Dec", with the year when it is
// not the shift's.
func dayWords(d, shift time.Time, weekday bool) string {
	layout := "02 Jan"
	if weekday {
		layout = "Mon 02 Jan"
	}
	if d.Year() != shift.Year() {
		layout += " 2006"
	}
	return d.Format(layout)
}

// StandingReasons lists why an officer's standing keeps them from the shift
// [start, end) of a job at venue for customerID: leave or suspension on one
// of the shift's local days; restricted duty on one of them, for a
// supervisor position or a venue of RestrictedVenues; a certification that
// reqs bind the job to, missing or not valid through the shift's end (its
// last local day). Days are judged in loc. None of the reasons is a cap.
func StandingReasons(st Standing, reqs []Requirement, venue pricing.Venue, customerID int64, start, end time.Time, supervisor bool, loc *time.Location) []Reason {
	first, last := civilIn(start, loc), civilIn(end.Add(-time.Nanosecond), loc)
	if last.Before(first) {
		last = first
	}
	var out []Reason
	span := func(p StandingPeriod) string {
		var s string
		if p.From.After(first) {
			s = "from " + dayWords(p.From, first, true) + " "
		}
		if p.Open() {
			return s + "until further notice"
		}
		return s + "until " + dayWords(p.To, first, true)
	}
	for i := len(st.Periods) - 1; i >= 0; i-- { // oldest first
		p := st.Periods[i]
		if !p.overlapsDays(first, last) {
			continue
		}
		switch p.Kind {
		case StandingLeave:
			out = append(out, Reason{Text: fmt.Sprintf("on leave %s: %s", span(p), p.Reason)})
		case StandingSuspension:
			out = append(out, Reason{Text: "suspended " + span(p)})
		case StandingRestricted:
			if supervisor {
				out = append(out, Reason{Text: fmt.Sprintf("on restricted duty %s: no supervisor positions", span(p))})
			} else if slices.Contains(RestrictedVenues, venue) {
				out = append(out, Reason{Text: fmt.Sprintf("on restricted duty %s: not at %s venues", span(p), venue)})
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if !r.Applies(venue, customerID) || seen[r.Cert] {
			continue
		}
		seen[r.Cert] = true
		c, ok := st.Cert(r.Cert)
		switch {
		case !ok:
			out = append(out, Reason{Text: fmt.Sprintf("no %s certification (required %s)", r.Cert, r.Where())})
		case c.Expires.Before(first):
			out = append(out, Reason{Text: fmt.Sprintf("%s certification expired %s", r.Cert, dayWords(c.Expires, first, false))})
		case c.Expires.Before(last):
			out = append(out, Reason{Text: fmt.Sprintf("%s certification expires %s, before the shift ends", r.Cert, dayWords(c.Expires, first, false))})
		}
	}
	return out
}

// standingData is what StandingReasons needs for some officers: their
// standing and every requirement.
type standingData struct {
	by   map[int64]Standing
	reqs []Requirement
}

// loadStanding reads the standing of the given officers and every requirement.
func loadStanding(ctx context.Context, q querier, officerIDs []int64) (standingData, error) {
	d := standingData{by: map[int64]Standing{}}
	var err error
	if d.by, err = standings(ctx, q, officerIDs); err != nil {
		return d, err
	}
	d.reqs, err = requirements(ctx, q)
	return d, err
}

// reasons judges officer o for the shift [start, end) of job j.
func (d standingData) reasons(o Officer, j Job, start, end time.Time, supervisor bool, loc *time.Location) []Reason {
	return StandingReasons(d.by[o.ID], d.reqs, j.Venue, j.CustomerID, start, end, supervisor, loc)
}

// withStanding merges standing reasons into Eligibility's: the rules that
// are never lifted first (inactive, rank, overlap), then standing, then
// the caps.
func withStanding(elig, standing []Reason) []Reason {
	if len(standing) == 0 {
		return elig
	}
	out := make([]Reason, 0, len(elig)+len(standing))
	for _, r := range elig {
		if !r.Cap {
			out = append(out, r)
		}
	}
	out = append(out, standing...)
	for _, r := range elig {
		if r.Cap {
			out = append(out, r)
		}
	}
	return out
}

// standings reads the periods and certifications of the given officers
// (nil: all officers).
func standings(ctx context.Context, q querier, officerIDs []int64) (map[int64]Standing, error) {
	out := map[int64]Standing{}
	if officerIDs != nil && len(officerIDs) == 0 {
		return out, nil
	}
	where, args := "", []any{}
	if officerIDs != nil {
		where = ` WHERE officer_id IN (?` + strings.Repeat(", ?", len(officerIDs)-1) + `)`
		for _, id := range officerIDs {
			args = append(args, id)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT id, officer_id, kind, from_day, to_day, reason, created_at, created_by
		FROM officer_standing`+where+` ORDER BY from_day DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p StandingPeriod
		var from, at string
		var to sql.NullString // NULL: open-ended
		if err := rows.Scan(&p.ID, &p.OfficerID, &p.Kind, &from, &to, &p.Reason, &at, &p.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		if p.From, err = parseDate(from); err != nil {
			rows.Close()
			return nil, err
		}
		if to.String != "" {
			if p.To, err = parseDate(to.String); err != nil {
				rows.Close()
				return nil, err
			}
		}
		p.CreatedAt, _ = parseTime(at)
		st := out[p.OfficerID]
		st.OfficerID = p.OfficerID
		st.Periods = append(st.Periods, p)
		out[p.OfficerID] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT officer_id, name, expires_on, updated_at, updated_by FROM officer_certs`+where+` ORDER BY officer_id, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Cert
		var exp, at string
		if err := rows.Scan(&c.OfficerID, &c.Name, &exp, &at, &c.UpdatedBy); err != nil {
			return nil, err
		}
		if c.Expires, err = parseDate(exp); err != nil {
			return nil, err
		}
		c.UpdatedAt, _ = parseTime(at)
		st := out[c.OfficerID]
		st.OfficerID = c.OfficerID
		st.Certs = append(st.Certs, c)
		out[c.OfficerID] = st
	}
	return out, rows.Err()
}

// requirements reads every certification requirement: venues first, then
// customers, each by certification.
func requirements(ctx context.Context, q querier) ([]Requirement, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, coalesce(r.venue, ''), coalesce(r.customer_id, 0), coalesce(c.name, ''), r.cert
		FROM cert_requirements r LEFT JOIN customers c ON c.id = r.customer_id
		ORDER BY r.customer_id IS NOT NULL, r.venue, c.name, r.customer_id, r.cert`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Requirement
	for rows.Next() {
		var r Requirement
		var venue string
		if err := rows.Scan(&r.ID, &venue, &r.CustomerID, &r.CustomerName, &r.Cert); err != nil {
			return nil, err
		}
		r.Venue = pricing.Venue(venue)
		out = append(out, r)
	}
	return out, rows.Err()
}

// officerByID loads one officer, ENotFound when there is none.
func officerByID(ctx context.Context, q querier, id int64) (Officer, error) {
	list, err := officers(ctx, q, `WHERE o.id = ?`, id)
	if err != nil {
		return Officer{}, err
	}
	if len(list) == 0 {
		return Officer{}, &Error{Code: ENotFound, Field: "officer", Message: fmt.Sprintf("no officer %d", id)}
	}
	return list[0], nil
}

// Standings reads every officer's standing, by officer id (officers with
// neither a period nor a certification are left out). Dispatchers and up.
func (s *Store) Standings(ctx context.Context, actor string) (map[int64]Standing, error) {
	var out map[int64]Standing
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		var err error
		out, err = standings(ctx, tx, nil)
		return err
	})
	return out, err
}

// OfficerStanding reads one officer's standing. Dispatchers and up.
func (s *Store) OfficerStanding(ctx context.Context, actor string, officerID int64) (Standing, error) {
	st := Standing{OfficerID: officerID}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		if _, err := officerByID(ctx, tx, officerID); err != nil {
			return err
		}
		by, err := standings(ctx, tx, []int64{officerID})
		if x, ok := by[officerID]; ok {
			st = x
		}
		return err
	})
	return st, err
}

// Requirements lists the certification requirements. Dispatchers and up.
func (s *Store) Requirements(ctx context.Context, actor string) ([]Requirement, error) {
	var out []Requirement
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		var err error
		out, err = requirements(ctx, tx)
		return err
	})
	return out, err
}

// CertNames lists the certification names in use (held by an officer or
// required), for suggestions and to catch a misspelt name.
func (s *Store) CertNames(ctx context.Context) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryList[string](ctx, tx, `SELECT name FROM officer_certs UNION SELECT cert FROM cert_requirements ORDER BY 1`)
		return err
	})
	return out, err
}

// StandingInput is a new period of leave, suspension or restricted duty.
type StandingInput struct {
	OfficerID int64
	Kind      string
	From      time.Time // first day (its date is read)
	To        time.Time // last day, inclusive; zero: until further notice
	Reason    string
}

// HeldShift is a shift an officer holds that a new period keeps them from.
type HeldShift struct {
	PositionID, JobID int64
	Start, End        time.Time
	Why               string
}

// heldShifts lists officer o's assigned shifts, of jobs not cancelled and
// not yet over at now, that the standing st keeps them from.
func heldShifts(ctx context.Context, q querier, o Officer, st Standing, loc *time.Location, now time.Time) ([]HeldShift, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.job_id, p.class, p.starts_at, p.ends_at, j.venue, j.customer_id FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE p.officer_id = ? AND p.status = 'assigned' AND j.status <> 'cancelled' AND p.ends_at > ? ORDER BY p.starts_at`, o.ID, fmtTime(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HeldShift
	for rows.Next() {
		var h HeldShift
		var class, st1, en, venue string
		var cust int64
		if err := rows.Scan(&h.PositionID, &h.JobID, &class, &st1, &en, &venue, &cust); err != nil {
			return nil, err
		}
		if h.Start, err = parseTime(st1); err != nil {
			return nil, err
		}
		if h.End, err = parseTime(en); err != nil {
			return nil, err
		}
		if why := StandingReasons(st, nil, pricing.Venue(venue), cust, h.Start, h.End, class == "supervisor", loc); len(why) > 0 {
			h.Why = why[0].Text
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

// AddStanding records a period of leave, suspension or restricted duty for
// an officer (supervisors). A period does not overlap another of the same
// kind. Shifts the officer already holds are not touched: the ones the
// period keeps them from are returned, to be reassigned.
func (s *Store) AddStanding(ctx context.Context, actor string, in StandingInput) (StandingPeriod, []HeldShift, error) {
	kind, err := ParseStandingKind(in.Kind)
	if err != nil {
		return StandingPeriod{}, nil, err
	}
	p := StandingPeriod{OfficerID: in.OfficerID, Kind: kind, From: civil(in.From), Reason: Clean(in.Reason, false), CreatedBy: actor}
	if !in.To.IsZero() {
		p.To = civil(in.To)
	}
	if in.From.IsZero() {
		return p, nil, &Error{Code: EInvalid, Field: "from", Message: "a period needs its first day"}
	}
	if err := checkYear("from", p.From); err != nil {
		return p, nil, err
	}
	if !p.Open() {
		if err := checkYear("to", p.To); err != nil {
			return p, nil, err
		}
		if p.To.Before(p.From) {
			return p, nil, &Error{Code: EInvalid, Field: "to", Message: fmt.Sprintf("the last day %s is before the first %s", p.To.Format(dateLayout), p.From.Format(dateLayout))}
		}
	}
	if p.Reason == "" {
		return p, nil, &Error{Code: EInvalid, Field: "reason", Message: "a period needs a reason (\"family\", \"IA review\", \"light duty after injury\")"}
	}
	if err := limitText("reason", "reason", p.Reason, MaxReason); err != nil {
		return p, nil, err
	}
	var held []HeldShift
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		o, err := officerByID(ctx, tx, p.OfficerID)
		if err != nil {
			return err
		}
		by, err := standings(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		for _, x := range by[o.ID].Periods {
			last := p.To
			if p.Open() {
				last = time.Date(MaxYear, 12, 31, 0, 0, 0, 0, time.UTC)
			}
			if x.Kind == p.Kind && x.overlapsDays(p.From, last) {
				return &Error{Code: EConflict, Field: "from", Message: fmt.Sprintf("%s overlaps %s: end or remove that one first", o.Name(), x.Describe())}
			}
		}
		p.CreatedAt = s.now().UTC().Truncate(time.Second)
		var to any
		if !p.Open() {
			to = p.To.Format(dateLayout)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO officer_standing (officer_id, kind, from_day, to_day, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			o.ID, p.Kind, p.From.Format(dateLayout), to, p.Reason, fmtTime(p.CreatedAt), actor)
		if err != nil {
			return err
		}
		p.ID, _ = res.LastInsertId()
		if err := s.audit(ctx, tx, actor, "officer", o.ID, "standing add", "", p.Describe()); err != nil {
			return err
		}
		a, err := agencyByID(ctx, tx, o.AgencyID)
		if err != nil {
			return err
		}
		held, err = heldShifts(ctx, tx, o, Standing{OfficerID: o.ID, Periods: []StandingPeriod{p}}, a.Loc, s.now())
		return err
	})
	return p, held, err
}

// standingRow loads one period of an officer.
func standingRow(ctx context.Context, q querier, officerID, id int64) (StandingPeriod, error) {
	by, err := standings(ctx, q, []int64{officerID})
	if err != nil {
		return StandingPeriod{}, err
	}
	for _, p := range by[officerID].Periods {
		if p.ID == id {
			return p, nil
		}
	}
	return StandingPeriod{}, &Error{Code: ENotFound, Field: "period", Message: fmt.Sprintf("officer %d has no period #%d", officerID, id)}
}

// EndStanding ends a period early: last is its new last day (a date). The
// officer is back from the day after. A period that has not begun by then
// is removed instead (RemoveStanding); one already over stays as it is.
func (s *Store) EndStanding(ctx context.Context, actor string, officerID, id int64, last time.Time) (StandingPeriod, error) {
	var p StandingPeriod
	last = civil(last)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		if p, err = standingRow(ctx, tx, officerID, id); err != nil {
			return err
		}
		before := p.Describe()
		if last.Before(p.From) {
			return &Error{Code: EConflict, Field: "to", Message: fmt.Sprintf("%s begins %s, after %s: remove it instead", before, p.From.Format(dateLayout), last.Format(dateLayout))}
		}
		if !p.Open() && !p.To.After(last) {
			return &Error{Code: EConflict, Field: "to", Message: fmt.Sprintf("%s already ends by %s", before, last.Format(dateLayout))}
		}
		p.To = last
		if _, err := tx.ExecContext(ctx, `UPDATE officer_standing SET to_day = ? WHERE id = ?`, last.Format(dateLayout), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "officer", officerID, "standing end", before, p.Describe())
	})
	return p, err
}

// RemoveStanding deletes a period entered by mistake (the audit keeps it).
func (s *Store) RemoveStanding(ctx context.Context, actor string, officerID, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		p, err := standingRow(ctx, tx, officerID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM officer_standing WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "officer", officerID, "standing remove", p.Describe(), "")
	})
}

func certWords(c Cert) string {
	return fmt.Sprintf("%s valid through %s", c.Name, c.Expires.Format(dateLayout))
}

// Cert actions.
const (
	CertAdd   = "add"   // a certification the officer does not hold yet
	CertRenew = "renew" // a new expiry for one they hold
)

// SetCert adds (CertAdd) or renews (CertRenew) an officer's certification,
// valid through expires (a date). Adding one the officer holds, or renewing
// one they do not, is refused with what to do. Supervisors.
func (s *Store) SetCert(ctx context.Context, actor string, officerID int64, action, name string, expires time.Time) (Cert, error) {
	n, err := CertName(name)
	if err != nil {
		return Cert{}, err
	}
	if action != CertAdd && action != CertRenew {
		return Cert{}, &Error{Code: EInvalid, Field: "action", Message: fmt.Sprintf("certification action %q: add or renew", action)}
	}
	c := Cert{OfficerID: officerID, Name: n, Expires: civil(expires), UpdatedBy: actor}
	if expires.IsZero() {
		return c, &Error{Code: EInvalid, Field: "expires", Message: "a certification needs its expiry date"}
	}
	if err := checkYear("expires", c.Expires); err != nil {
		return c, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		o, err := officerByID(ctx, tx, officerID)
		if err != nil {
			return err
		}
		by, err := standings(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		old, held := by[o.ID].Cert(n)
		switch {
		case action == CertAdd && held:
			return &Error{Code: EConflict, Field: "cert", Message: fmt.Sprintf("%s already holds %s: renew it", o.Name(), certWords(old))}
		case action == CertRenew && !held:
			return &Error{Code: EConflict, Field: "cert", Message: fmt.Sprintf("%s holds no %s certification: add it", o.Name(), n)}
		}
		c.UpdatedAt = s.now().UTC().Truncate(time.Second)
		before := ""
		if held {
			before = certWords(old)
			_, err = tx.ExecContext(ctx, `UPDATE officer_certs SET expires_on = ?, updated_at = ?, updated_by = ? WHERE officer_id = ? AND name = ?`,
				c.Expires.Format(dateLayout), fmtTime(c.UpdatedAt), actor, o.ID, n)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO officer_certs (officer_id, name, expires_on, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)`,
				o.ID, n, c.Expires.Format(dateLayout), fmtTime(c.UpdatedAt), actor)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "officer", o.ID, "cert "+action, before, certWords(c))
	})
	return c, err
}

// RemoveCert takes a certification off an officer. Supervisors.
func (s *Store) RemoveCert(ctx context.Context, actor string, officerID int64, name string) error {
	n, err := CertName(name)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		o, err := officerByID(ctx, tx, officerID)
		if err != nil {
			return err
		}
		by, err := standings(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		old, held := by[o.ID].Cert(n)
		if !held {
			return &Error{Code: ENotFound, Field: "cert", Message: fmt.Sprintf("%s holds no %s certification", o.Name(), n)}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM officer_certs WHERE officer_id = ? AND name = ?`, o.ID, n); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "officer", o.ID, "cert remove", certWords(old), "")
	})
}

// RequirementInput names a venue category or a customer, and the
// certification it requires.
type RequirementInput struct {
	Venue      string // a venue category (pricing.Venues), or
	CustomerID int64  // a customer
	Cert       string
}

// resolve checks the input against the database: the venue category or
// the customer (one of them), the certification's name.
func (in RequirementInput) resolve(ctx context.Context, q querier) (Requirement, error) {
	var r Requirement
	n, err := CertName(in.Cert)
	if err != nil {
		return r, err
	}
	r.Cert = n
	venue := strings.TrimSpace(in.Venue)
	switch {
	case venue != "" && in.CustomerID != 0, venue == "" && in.CustomerID == 0:
		return r, &Error{Code: EInvalid, Field: "venue", Message: "a requirement is a venue category's or a customer's: name one of them"}
	case venue != "":
		v, err := pricing.ParseVenue(venue)
		if err != nil {
			return r, &Error{Code: EInvalid, Field: "venue", Message: err.Error()}
		}
		r.Venue = v
	default:
		err := q.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, in.CustomerID).Scan(&r.CustomerName)
		if errors.Is(err, sql.ErrNoRows) {
			return r, &Error{Code: ENotFound, Field: "customer", Message: fmt.Sprintf("no customer %d", in.CustomerID)}
		}
		if err != nil {
			return r, err
		}
		r.CustomerID = in.CustomerID
	}
	return r, nil
}

// AddRequirement makes a venue category or a customer require a
// certification of every officer on its jobs. Positions already filled
// keep their officer. Supervisors.
func (s *Store) AddRequirement(ctx context.Context, actor string, in RequirementInput) (Requirement, error) {
	var r Requirement
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		if r, err = in.resolve(ctx, tx); err != nil {
			return err
		}
		var venue, cust any
		if r.CustomerID != 0 {
			cust = r.CustomerID
		} else {
			venue = string(r.Venue)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cert_requirements (venue, customer_id, cert, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
			venue, cust, r.Cert, fmtTime(s.now()), actor)
		if err != nil {
			if isUnique(err) {
				return &Error{Code: EConflict, Field: "cert", Message: fmt.Sprintf("already required: %s", r.Describe())}
			}
			return err
		}
		r.ID, _ = res.LastInsertId()
		return s.audit(ctx, tx, actor, "requirement", r.ID, "add", "", r.Describe())
	})
	return r, err
}

// RemoveRequirement drops a requirement and returns it. Supervisors.
func (s *Store) RemoveRequirement(ctx context.Context, actor string, in RequirementInput) (Requirement, error) {
	var r Requirement
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		var err error
		if r, err = in.resolve(ctx, tx); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM cert_requirements WHERE cert = ? AND (venue = ? OR customer_id = ?)`,
			r.Cert, string(r.Venue), r.CustomerID).Scan(&r.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: ENotFound, Field: "cert", Message: fmt.Sprintf("no such requirement: %s", r.Describe())}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_requirements WHERE id = ?`, r.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "requirement", r.ID, "remove", r.Describe(), "")
	})
	return r, err
}
