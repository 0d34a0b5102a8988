package store

// The web pages for customers and officers (issue 17): sign-in by a link
// e-mailed through the outbox, sessions, and each officer's calendar feed.
// Secrets are kept only as their SHA-256: the e-mailed link's token, the
// session cookie and the feed's secret exist in full only with their
// holder. A web user acts as "name@web" (WebActor), judged by viewerOf like
// "name@ssh": same roles, same scoping, the audit names them so.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The web's lifetimes and limits.
const (
	SignInTTL    = 15 * time.Minute   // a sign-in link works this long, once
	SignInLimit  = 3                  // links asked for one address ...
	SignInWindow = 15 * time.Minute   // ... in this long
	SessionIdle  = 12 * time.Hour     // a session unused this long ends
	SessionMax   = 7 * 24 * time.Hour // and every session ends this long after sign-in
	sessionTouch = time.Minute        // a session's last use is written at most this often
)

// WebActor is how the web pages name a signed-in user when it acts:
// "dana@web". The audit shows it as is.
func WebActor(name string) string { return name + "@web" }

// WebRole reports whether a role signs in to the web pages: customer and
// officer users; the office's staff and agencies keep the console.
func WebRole(role string) bool { return role == RoleCustomer || role == RoleOfficer }

// newSecret is 32 random bytes, base64url, and its hash as stored.
func newSecret() (raw, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashSecret(raw)
}

// HashSecret is how a token, session id or feed secret is stored: the hex
// SHA-256 of what its holder has.
func HashSecret(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(h[:])
}

// SameSecret compares two secrets in constant time.
func SameSecret(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// SignInRequest asks for a sign-in link.
type SignInRequest struct {
	Address string
	// Next is a local page to open once signed in ("/officer/shifts/12");
	// anything else is dropped.
	Next string
	// Link makes the address of a link's page from its token.
	Link func(token string) string
	// Console says how the office's staff reach the console ("ssh -p 2222
	// office.example.com"), for the staff and agency users who ask.
	Console string
}

// SignInSent is what RequestSignIn wrote: links for customer and officer
// users, notes for staff and agency users that the web is not theirs.
// The web page says the same whatever it is: nobody learns from it whose
// address it is.
type SignInSent struct {
	Links, Notes int
}

// SafeNext keeps a page to open after signing in only when it is a path on
// this site: "/x", never "//host", a scheme or a backslash.
func SafeNext(p string) string {
	if p == "" || len(p) > 200 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t ") || strings.Contains(p, "://") {
		return ""
	}
	return p
}

// RequestSignIn e-mails a one-time sign-in link to each customer or officer
// user whose address this is (an officer's is also the officer record's),
// through the outbox, in one transaction. Staff and agency users of the
// address are told, by e-mail too, that the web pages are not theirs. An
// address nobody has gets nothing. At most SignInLimit requests per address
// in SignInWindow, known or not (EConflict with when to try again).
func (s *Store) RequestSignIn(ctx context.Context, req SignInRequest) (SignInSent, error) {
	var sent SignInSent
	address := strings.TrimSpace(req.Address)
	if address == "" {
		return sent, &Error{Code: EInvalid, Field: "email", Message: "enter your e-mail address"}
	}
	if err := ValidEmail(address); err != nil {
		return sent, err
	}
	if req.Link == nil {
		return sent, errors.New("sign-in: no link maker")
	}
	lower := strings.ToLower(address)
	next := SafeNext(req.Next)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sent = SignInSent{}
		now := s.now()
		if err := s.pruneWeb(ctx, tx, now); err != nil {
			return err
		}
		var n int
		var first sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT count(*), min(at) FROM web_signin_requests WHERE address = ? AND at > ?`,
			lower, fmtTime(now.Add(-SignInWindow))).Scan(&n, &first); err != nil {
			return err
		}
		if n >= SignInLimit {
			again := now.Add(SignInWindow)
			if t, err := nullTime(first); err == nil && !t.IsZero() {
				again = t.Add(SignInWindow)
			}
			return &Error{Code: EConflict, Field: "email", Message: fmt.Sprintf("%d sign-in links were asked for this address in the last %s: try again after %s",
				SignInLimit, formatWindow(SignInWindow), again.In(s.zone).Format("15:04"))}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO web_signin_requests (address, at) VALUES (?, ?)`, lower, fmtTime(now))
		if err != nil {
			return err
		}
		reqID, _ := res.LastInsertId()
		type match struct {
			u               User
			to, who         string
			officerAddrOnly bool
		}
		var ms []match
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.role, u.email, coalesce(o.email, ''),
			coalesce(c.name, ''), coalesce(o.first_name || ' ' || o.last_name, ''), coalesce(o.badge, ''), coalesce(a.name, '')
			FROM users u LEFT JOIN officers o ON o.id = u.officer_id LEFT JOIN customers c ON c.id = u.customer_id LEFT JOIN agencies a ON a.id = u.agency_id
			WHERE lower(u.email) = ? OR (u.role = 'officer' AND lower(o.email) = ?) ORDER BY u.name`, lower, lower)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m match
			var userEmail, officerEmail, cust, officer, badge, agency string
			if err := rows.Scan(&m.u.ID, &m.u.Name, &m.u.Role, &userEmail, &officerEmail, &cust, &officer, &badge, &agency); err != nil {
				rows.Close()
				return err
			}
			m.to = userEmail
			if !strings.EqualFold(userEmail, address) {
				m.to = officerEmail
			}
			switch m.u.Role {
			case RoleCustomer:
				m.who = fmt.Sprintf("%s, a customer user of %s", m.u.Name, Clean(cust, false))
			case RoleOfficer:
				m.who = fmt.Sprintf("%s, officer %s (badge %s)", m.u.Name, Clean(officer, false), Clean(badge, false))
			case RoleAgency:
				m.who = fmt.Sprintf("%s, an agency user of %s", m.u.Name, Clean(agency, false))
			default:
				m.who = fmt.Sprintf("%s, %s %s", m.u.Name, article(m.u.Role), m.u.Role)
			}
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range ms {
			if !WebRole(m.u.Role) {
				how := "The office's staff and the agencies use the console over SSH"
				if c := strings.TrimSpace(req.Console); c != "" {
					how += " (" + c + ")"
				}
				ok, err := s.post(ctx, tx, Message{Kind: MsgSignIn, To: m.to, ToName: m.u.Name, Dedupe: fmt.Sprintf("signin-console:%d:%d", reqID, m.u.ID),
					Subject: "Sign-in: the web pages are for customers and officers",
					Body: paras(fmt.Sprintf("Someone asked to sign in to the office's web pages with this address, which belongs to %s.", m.who),
						"The web pages are for customers and officers. "+how+": nothing was sent to sign in with.",
						"If you did not ask, you need do nothing.")})
				if err != nil {
					return err
				}
				if ok {
					sent.Notes++
				}
				continue
			}
			raw, hash := newSecret()
			expires := now.Add(SignInTTL)
			res, err := tx.ExecContext(ctx, `INSERT INTO web_signin_links (token_hash, user_id, address, next_path, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
				hash, m.u.ID, m.to, next, fmtTime(now), fmtTime(expires))
			if err != nil {
				return err
			}
			linkID, _ := res.LastInsertId()
			dedupe := fmt.Sprintf("signin:%d", linkID)
			ok, err := s.post(ctx, tx, Message{Kind: MsgSignIn, To: m.to, ToName: m.u.Name, Dedupe: dedupe,
				Subject: "Your sign-in link",
				Body: paras(fmt.Sprintf("You asked to sign in to the office's web pages as %s.", m.who),
					"Open this link to sign in:\n"+req.Link(raw),
					fmt.Sprintf("It works once, until %s. The page it opens has a button that completes the sign-in: nothing happens until you press it.",
						expires.In(s.zone).Format("15:04 MST on Mon 02 Jan")),
					"If you did not ask, ignore this message.")})
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			var msgID int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM outbox WHERE dedupe = ?`, dedupe+">"+strings.ToLower(strings.TrimSpace(m.to))).Scan(&msgID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE web_signin_links SET message_id = ? WHERE id = ?`, msgID, linkID); err != nil {
				return err
			}
			sent.Links++
		}
		return nil
	})
	return sent, err
}

// formatWindow says a window: "15 minutes", "1 hour".
func formatWindow(d time.Duration) string {
	if d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

// linkGone is what an e-mailed link's text becomes in the outbox once it
// was used or expired: the outbox keeps no working secret longer than it must.
const linkGone = "(A sign-in link: used or expired, so its text is no longer kept.)"

// pruneWeb forgets what has run out: requests older than a day, links
// expired for a day (their e-mails' text blanked as soon as they expire),
// and ended sessions.
func (s *Store) pruneWeb(ctx context.Context, tx *sql.Tx, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT message_id FROM web_signin_links WHERE message_id IS NOT NULL AND (expires_at <= ? OR used_at IS NOT NULL)`, fmtTime(now))
	if err != nil {
		return err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := blankLink(ctx, tx, id); err != nil {
			return err
		}
	}
	day := fmtTime(now.Add(-24 * time.Hour))
	for _, q := range []string{
		`DELETE FROM web_signin_requests WHERE at < ?`,
		`DELETE FROM web_signin_links WHERE expires_at < ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, day); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= ? OR seen_at <= ?`, fmtTime(now), fmtTime(now.Add(-SessionIdle)))
	return err
}

// blankLink removes a sign-in link's text from its e-mail in the outbox.
func blankLink(ctx context.Context, tx *sql.Tx, messageID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET body = ? WHERE id = ? AND kind = ?`, linkGone, messageID, MsgSignIn); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE web_signin_links SET message_id = NULL WHERE message_id = ?`, messageID)
	return err
}

// SignInLink is what a sign-in link's page shows before its button is pressed.
type SignInLink struct {
	UserName string
	Role     string
	Expires  time.Time
}

type linkRow struct {
	id, userID, messageID int64
	address, next         string
	expires, used         time.Time
}

// link finds a link by its token and checks it still works now: known,
// not used, not expired, its user still a web user at the address it was
// sent to.
func (s *Store) link(ctx context.Context, q querier, token string) (linkRow, User, error) {
	var l linkRow
	var exp string
	var used sql.NullString
	var msg sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, user_id, address, next_path, coalesce(message_id, 0), expires_at, used_at FROM web_signin_links WHERE token_hash = ?`,
		HashSecret(token)).Scan(&l.id, &l.userID, &l.address, &l.next, &msg, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return l, User{}, &Error{Code: ENotFound, Field: "link", Message: "this sign-in link is not known (mistyped, or long expired): ask for a new one"}
	}
	if err != nil {
		return l, User{}, err
	}
	l.messageID = msg.Int64
	if l.expires, err = parseTime(exp); err != nil {
		return l, User{}, err
	}
	if l.used, err = nullTime(used); err != nil {
		return l, User{}, err
	}
	if !l.used.IsZero() {
		return l, User{}, &Error{Code: EConflict, Field: "link", Message: "this sign-in link was used already: each link works once. Ask for a new one"}
	}
	if !s.now().Before(l.expires) {
		return l, User{}, &Error{Code: EConflict, Field: "link", Message: fmt.Sprintf("this sign-in link expired at %s: ask for a new one",
			l.expires.In(s.zone).Format("15:04 on Mon 02 Jan"))}
	}
	u, err := userBy(ctx, q, `u.id = ?`, l.userID)
	if err != nil {
		return l, u, err
	}
	if !WebRole(u.Role) {
		return l, u, &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s %s: the web pages are for customers and officers", u.Name, article(u.Role), u.Role)}
	}
	var officerEmail string
	if u.OfficerID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT email FROM officers WHERE id = ?`, u.OfficerID).Scan(&officerEmail); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return l, u, err
		}
	}
	if !strings.EqualFold(l.address, u.Email) && !strings.EqualFold(l.address, officerEmail) {
		return l, u, &Error{Code: EForbidden, Field: "link", Message: fmt.Sprintf("this sign-in link went to an address that is no longer %s's: ask for a new one", u.Name)}
	}
	return l, u, nil
}

// PeekSignIn checks a sign-in link without using it up (a mail scanner's
// visit, or the page before its button): who it signs in, until when.
func (s *Store) PeekSignIn(ctx context.Context, token string) (SignInLink, error) {
	var out SignInLink
	err := s.read(ctx, func(tx *sql.Tx) error {
		l, u, err := s.link(ctx, tx, token)
		if err != nil {
			return err
		}
		out = SignInLink{UserName: u.Name, Role: u.Role, Expires: l.expires}
		return nil
	})
	return out, err
}

// WebSession is a signed-in browser.
type WebSession struct {
	ID      int64
	User    User
	Actor   string // WebActor(User.Name)
	CSRF    string // the token every form of the session carries
	Created time.Time
	Seen    time.Time
	Expires time.Time // the latest it can last
}

// SignedIn is a completed sign-in: the session and its id for the cookie
// (kept nowhere else), and the page asked for before signing in.
type SignedIn struct {
	Session WebSession
	Token   string
	Next    string
}

// CompleteSignIn uses a sign-in link up and opens a session, in one
// transaction: a link works once, however often its button is pressed.
// The link's text is blanked in the outbox; the sign-in is audited as the
// web user.
func (s *Store) CompleteSignIn(ctx context.Context, token string) (SignedIn, error) {
	var out SignedIn
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = SignedIn{}
		l, u, err := s.link(ctx, tx, token)
		if err != nil {
			return err
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE web_signin_links SET used_at = ? WHERE id = ? AND used_at IS NULL`, fmtTime(now), l.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: EConflict, Field: "link", Message: "this sign-in link was used already: each link works once. Ask for a new one"}
		}
		if l.messageID != 0 {
			if err := blankLink(ctx, tx, l.messageID); err != nil {
				return err
			}
		}
		raw, hash := newSecret()
		csrf, _ := newSecret()
		ws := WebSession{User: u, Actor: WebActor(u.Name), CSRF: csrf, Created: now, Seen: now, Expires: now.Add(SessionMax)}
		res, err = tx.ExecContext(ctx, `INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hash, u.ID, csrf, fmtTime(now), fmtTime(now), fmtTime(ws.Expires))
		if err != nil {
			return err
		}
		ws.ID, _ = res.LastInsertId()
		if err := s.audit(ctx, tx, ws.Actor, "user", u.ID, "web sign-in", "", fmt.Sprintf("session %d until %s at most", ws.ID, fmtTime(ws.Expires))); err != nil {
			return err
		}
		out = SignedIn{Session: ws, Token: raw, Next: l.next}
		return nil
	})
	return out, err
}

// errSession is the refusal of a session that is unknown or ended.
func errSession(msg string) error {
	return &Error{Code: ENotFound, Field: "session", Message: msg}
}

// Session finds the session of a cookie's id and checks it goes on now:
// known, not idle for SessionIdle, not older than SessionMax, its user
// still a customer or officer user. Its last use is written (at most once a
// minute). An ended session is removed.
func (s *Store) Session(ctx context.Context, token string) (WebSession, error) {
	var ws WebSession
	if token == "" {
		return ws, errSession("you are not signed in")
	}
	hash := HashSecret(token)
	var created, seen, expires string
	var userID int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, csrf, created_at, seen_at, expires_at FROM web_sessions WHERE token_hash = ?`, hash).
			Scan(&ws.ID, &userID, &ws.CSRF, &created, &seen, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return errSession("you are not signed in (or you signed out): sign in again")
		}
		if err != nil {
			return err
		}
		if ws.User, err = userBy(ctx, tx, `u.id = ?`, userID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return WebSession{}, err
	}
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&ws.Created, created}, {&ws.Seen, seen}, {&ws.Expires, expires}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return WebSession{}, err
		}
	}
	ws.Actor = WebActor(ws.User.Name)
	now := s.now()
	var ended error
	switch {
	case !now.Before(ws.Expires):
		ended = errSession(fmt.Sprintf("your session ended: a sign-in lasts %s at most. Sign in again", formatWindow(SessionMax)))
	case !now.Before(ws.Seen.Add(SessionIdle)):
		ended = errSession(fmt.Sprintf("your session ended after %s without use: sign in again", formatWindow(SessionIdle)))
	case !WebRole(ws.User.Role):
		ended = &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s %s now: the web pages are for customers and officers", ws.User.Name, article(ws.User.Role), ws.User.Role)}
	}
	if ended != nil {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE id = ?`, ws.ID)
			return err
		}); err != nil {
			return WebSession{}, err
		}
		return WebSession{}, ended
	}
	if now.Sub(ws.Seen) >= sessionTouch {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE web_sessions SET seen_at = ? WHERE id = ?`, fmtTime(now), ws.ID)
			return err
		}); err != nil {
			return WebSession{}, err
		}
		ws.Seen = now
	}
	return ws, nil
}

// EndSession signs a session out: its cookie's id works no more. Audited as
// the web user; an unknown or ended session is no error.
func (s *Store) EndSession(ctx context.Context, token string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id, userID int64
		var name string
		err := tx.QueryRowContext(ctx, `SELECT s.id, s.user_id, u.name FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
			HashSecret(token)).Scan(&id, &userID, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, WebActor(name), "user", userID, "web sign-out", fmt.Sprintf("session %d", id), "")
	})
}

// CalendarFeed is an officer user's calendar subscription, as its page shows it.
type CalendarFeed struct {
	Active  bool
	Created time.Time
}

// feedOfficer is the user behind an officer user's actor; anyone else is refused.
func feedOfficer(ctx context.Context, q querier, actor string) (User, error) {
	v, err := viewerOf(ctx, q, actor)
	if err != nil {
		return User{}, err
	}
	if !v.IsOfficer() {
		return User{}, &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s: a calendar link is an officer user's", v.Name, roleWords(v))}
	}
	return userBy(ctx, q, `u.name = ?`, v.Name)
}

// CalendarFeedOf says whether an officer user has a calendar link, and since when.
func (s *Store) CalendarFeedOf(ctx context.Context, actor string) (CalendarFeed, error) {
	var f CalendarFeed
	err := s.read(ctx, func(tx *sql.Tx) error {
		u, err := feedOfficer(ctx, tx, actor)
		if err != nil {
			return err
		}
		var at string
		err = tx.QueryRowContext(ctx, `SELECT created_at FROM web_calendar_feeds WHERE user_id = ?`, u.ID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		f.Active = true
		f.Created, err = parseTime(at)
		return err
	})
	return f, err
}

// NewCalendarFeed makes an officer user's calendar secret, replacing the
// one it had (which stops working): it is returned once, kept only hashed.
// Audited.
func (s *Store) NewCalendarFeed(ctx context.Context, actor string) (string, error) {
	raw, hash := newSecret()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		u, err := feedOfficer(ctx, tx, actor)
		if err != nil {
			return err
		}
		var had int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM web_calendar_feeds WHERE user_id = ?`, u.ID).Scan(&had); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO web_calendar_feeds (user_id, secret_hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`, u.ID, hash, fmtTime(s.now())); err != nil {
			return err
		}
		before := ""
		if had > 0 {
			before = "the previous link (stopped)"
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "calendar link", before, "a new link")
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

// StopCalendarFeed stops an officer user's calendar link. Audited.
func (s *Store) StopCalendarFeed(ctx context.Context, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := feedOfficer(ctx, tx, actor)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM web_calendar_feeds WHERE user_id = ?`, u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: EConflict, Field: "calendar", Message: "you have no calendar link to stop"}
		}
		return s.audit(ctx, tx, actor, "user", u.ID, "calendar link", "the link", "stopped")
	})
}

// CalendarFeedActor is the officer user a calendar secret reads as
// (WebActor), for its feed: ENotFound for a secret replaced, stopped or
// never made, or a user no longer an officer.
func (s *Store) CalendarFeedActor(ctx context.Context, secret string) (string, error) {
	var actor string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var name, role string
		err := tx.QueryRowContext(ctx, `SELECT u.name, u.role FROM web_calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.secret_hash = ?`,
			HashSecret(secret)).Scan(&name, &role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && role != RoleOfficer) {
			return &Error{Code: ENotFound, Field: "calendar", Message: "no such calendar: the link was replaced or stopped"}
		}
		if err != nil {
			return err
		}
		actor = WebActor(name)
		return nil
	})
	return actor, err
}

// SetWebURL keeps the web pages' public address ("https://office.example.com",
// or "" when they are off): open-shift e-mails link to a shift's page on it.
// offduty serve sets it at start. Unchanged, nothing is written.
func (s *Store) SetWebURL(ctx context.Context, actor, u string) error {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return &Error{Code: EInvalid, Field: "url", Message: fmt.Sprintf("%q: the web pages' address starts with http:// or https://", u)}
	}
	var had string
	if err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		had, err = webURL(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	if had == u {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO web_config (id, public_url) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET public_url = excluded.public_url`, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "settings", 0, "web pages address", had, u)
	})
}

// WebURL is the web pages' public address, "" when they are off.
func (s *Store) WebURL(ctx context.Context) (string, error) {
	var u string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = webURL(ctx, tx)
		return err
	})
	return u, err
}

func webURL(ctx context.Context, q querier) (string, error) {
	var u string
	err := q.QueryRowContext(ctx, `SELECT public_url FROM web_config WHERE id = 1`).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return u, err
}

// ShiftPage is the address of an officer's page of a shift (a position).
func ShiftPage(base string, positionID int64) string {
	return fmt.Sprintf("%s/officer/shifts/%d", strings.TrimRight(base, "/"), positionID)
}

// openShiftLookahead bounds which open shifts are e-mailed: starting within
// this long, of a job approved in the last openShiftRecent.
const (
	openShiftLookahead = 60 * 24 * time.Hour
	openShiftRecent    = 7 * 24 * time.Hour
)

// queueOpenShifts writes, while the web pages are on, one e-mail per open
// position and officer user who may take it now (the dispatcher's rules and,
// inside the job's fairness window, the median rule: an officer above it is
// told once the window ends), with a link straight to the shift's page.
// Positions of jobs approved in the last week, starting after now and
// within 60 days. Each officer is told of a position once (the outbox's
// dedupe key); an opt-out of officer.open is honoured by the outbox.
func (s *Store) queueOpenShifts(ctx context.Context, tx *sql.Tx, set OfficeSettings, now time.Time) (int, error) {
	base, err := webURL(ctx, tx)
	if err != nil || base == "" {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.job_id, p.class, p.status, p.officer_id, p.starts_at, p.ends_at
		FROM positions p JOIN jobs j ON j.id = p.job_id
		WHERE p.status = 'open' AND p.officer_id IS NULL AND p.starts_at > ? AND p.starts_at < ? AND j.status IN ('approved', 'scheduled')
		AND EXISTS (SELECT 1 FROM audit a WHERE a.entity = 'job' AND a.entity_id = j.id AND a.action = 'approve' AND a.at >= ?)
		ORDER BY p.starts_at, p.id`, fmtTime(now), fmtTime(now.Add(openShiftLookahead)), fmtTime(now.Add(-openShiftRecent)))
	if err != nil {
		return 0, err
	}
	var ps []positionRow
	for rows.Next() {
		var p positionRow
		var st, en string
		if err := rows.Scan(&p.id, &p.jobID, &p.class, &p.status, &p.officerID, &st, &en); err != nil {
			rows.Close()
			return 0, err
		}
		if p.start, err = parseTime(st); err == nil {
			p.end, err = parseTime(en)
		}
		if err != nil {
			rows.Close()
			return 0, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ps) == 0 {
		return 0, err
	}
	// The officer users and where they read their mail.
	type reader struct{ name, to string }
	readers := map[int64]reader{}
	urows, err := tx.QueryContext(ctx, `SELECT u.officer_id, u.name, u.email, coalesce(o.email, '') FROM users u JOIN officers o ON o.id = u.officer_id
		WHERE u.role = 'officer' ORDER BY u.name`)
	if err != nil {
		return 0, err
	}
	for urows.Next() {
		var id int64
		var name, ue, oe string
		if err := urows.Scan(&id, &name, &ue, &oe); err != nil {
			urows.Close()
			return 0, err
		}
		to := strings.TrimSpace(ue)
		if to == "" {
			to = strings.TrimSpace(oe)
		}
		if _, seen := readers[id]; !seen && to != "" {
			readers[id] = reader{name, to}
		}
	}
	urows.Close()
	if err := urows.Err(); err != nil || len(readers) == 0 {
		return 0, err
	}
	written := 0
	jobs := map[int64]jobInfo{}
	for _, p := range ps {
		ji, ok := jobs[p.jobID]
		if !ok {
			if ji, err = loadJobInfo(ctx, tx, p.jobID); err != nil {
				return written, err
			}
			jobs[p.jobID] = ji
		}
		cands, err := candidates(ctx, tx, p, ji.Job)
		if err != nil {
			return written, err
		}
		until, err := s.fairUntil(ctx, tx, set, ji.ID)
		if err != nil {
			return written, err
		}
		var ml *monthLoad
		for _, c := range cands {
			r, ok := readers[c.ID]
			if !ok || !c.Eligible() {
				continue
			}
			if !until.IsZero() {
				if ml == nil {
					m, err := agencyMonthLoad(ctx, tx, ji.AgencyID, MonthStart(p.start, ji.loc))
					if err != nil {
						return written, err
					}
					ml = &m
				}
				if !ml.fair(c.ID) {
					continue // told when the window ends, if it is still open
				}
			}
			ok, err := s.post(ctx, tx, Message{Kind: MsgOfficerOpenShift, To: r.to, ToName: r.name, JobID: ji.ID,
				Dedupe:  fmt.Sprintf("open-shift:%d:%d", p.id, c.ID),
				Subject: "Open shift: " + ji.headline(p.start, p.end),
				Body: paras(fmt.Sprintf("A %s shift you may take is open.", p.class),
					lines(ji.officerFacts(p)...),
					"See it and sign up with one tap:\n"+ShiftPage(base, p.id),
					"The first officer to sign up gets it, under the office's rules.")})
			if err != nil {
				return written, err
			}
			if ok {
				written++
			}
		}
	}
	return written, nil
}

// MyShift is one of an officer user's own positions (as MyShifts reads
// it), found by its id; ok is false when it is not theirs (held, or not
// come to). It reads one position, however long the officer's history.
func (s *Store) MyShift(ctx context.Context, actor string, positionID int64) (MyShift, bool, error) {
	var start string
	err := s.read(ctx, func(tx *sql.Tx) error {
		_, o, err := selfOfficer(ctx, tx, actor, "my shifts are an officer user's")
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT starts_at FROM positions WHERE id = ? AND (officer_id = ? OR no_show_officer_id = ?)`,
			positionID, o.ID, o.ID).Scan(&start)
		if errors.Is(err, sql.ErrNoRows) {
			start = ""
			return nil
		}
		return err
	})
	if err != nil || start == "" {
		return MyShift{}, false, err
	}
	at, err := parseTime(start)
	if err != nil {
		return MyShift{}, false, err
	}
	list, err := s.MyShifts(ctx, actor, at, at.Add(time.Second))
	if err != nil {
		return MyShift{}, false, err
	}
	for _, m := range list {
		if m.PositionID == positionID {
			return m, true, nil
		}
	}
	return MyShift{}, false, nil
}
