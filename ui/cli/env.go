package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/spf13/pflag"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// officeZone is the zone of --now and of the office's clock.
const officeZone = seed.Zone

// exitError carries an exit status and a message for stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// env is what every command gets: streams, the environment, the global
// flags, and over SSH the server's store, clock and user.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	remote         *Remote

	db      string
	nowText string
	demo    bool

	unlock func() // releases the shared lock open took (restore waits for none)
}

func newEnv(io Env) *env {
	e := &env{stdin: io.Stdin, stdout: io.Stdout, stderr: io.Stderr, getenv: io.Getenv, remote: io.Remote, demo: true}
	if e.remote != nil {
		// Nothing of the client's environment reaches a remote command.
		e.getenv = func(string) string { return "" }
		return e
	}
	e.db, e.nowText = e.getenv("OFFDUTY_DB"), e.getenv("OFFDUTY_NOW")
	if e.db == "" {
		e.db = defaultDB(e.getenv)
	}
	return e
}

// globalFlags are taken before or after any command.
func (e *env) globalFlags(fs *pflag.FlagSet) {
	fs.StringVar(&e.db, "db", e.db, "database: a SQLite `FILE`, or a PostgreSQL address postgres://USER@HOST/DB (env OFFDUTY_DB; default $XDG_DATA_HOME/offduty/offduty.db, else ~/.local/share/offduty/offduty.db); local only")
	if store.IsPostgres(e.db) { // the help shows the default: never a password
		fs.Lookup("db").DefValue = store.RedactURL(e.db)
	}
	fs.StringVar(&e.nowText, "now", e.nowText, "fix the clock at `\"YYYY-MM-DD HH:MM\"` office time, America/Denver (env OFFDUTY_NOW); local only")
	fs.BoolVar(&e.demo, "demo", e.demo, "load demo officers, customers and jobs into a new database (--demo=false: agencies only)")
}

// remoteName is the signed-in user's name, or "" locally.
func (e *env) remoteName() string {
	if e.remote == nil {
		return ""
	}
	return e.remote.User.Name
}

// now is the injected clock: the server's over SSH, else --now /
// OFFDUTY_NOW, else the real time; in office time, to the minute.
func (e *env) now() (time.Time, error) {
	loc, err := time.LoadLocation(officeZone)
	if err != nil {
		return time.Time{}, err
	}
	if e.remote != nil {
		return e.remote.Now().In(loc).Truncate(time.Minute), nil
	}
	if e.nowText == "" {
		return time.Now().In(loc).Truncate(time.Minute), nil
	}
	t, err := pricing.ParseLocal(e.nowText, loc)
	if err != nil {
		return time.Time{}, fail(ExitInvalid, "--now: %v", err)
	}
	return t, nil
}

// office is the office's zone.
func office() *time.Location {
	loc, err := time.LoadLocation(officeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func defaultDB(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "offduty", "offduty.db")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".local", "share", "offduty", "offduty.db")
}

// open opens the database, or creates it (with the agencies and, if asked,
// demo data) and says so on stderr; over SSH it is the server's, already
// open. A file this user may not write is opened for reading: reading
// commands work, a change is refused with the reason. Close it with
// e.close.
// openFor opens the store for a command that only some roles may run:
// may says whether the acting user may (mayAdmin, mayDispatch, ...); when
// not, the store is closed again and its refusal returned.
func (e *env) openFor(ctx context.Context, label string, may func(context.Context, *env, *store.Store, string) error) (*store.Store, time.Time, error) {
	s, now, err := e.open(ctx)
	if err != nil {
		return nil, now, err
	}
	if err := may(ctx, e, s, label); err != nil {
		e.close(s)
		return nil, now, err
	}
	return s, now, nil
}

func (e *env) open(ctx context.Context) (*store.Store, time.Time, error) {
	now, err := e.now()
	if err != nil {
		return nil, now, err
	}
	if e.remote != nil {
		return e.remote.Store, now, nil
	}
	clock := func() time.Time { return now }
	if e.nowText == "" {
		clock = time.Now
	}
	opts := []store.Option{store.WithClock(clock)}
	if store.IsPostgres(e.db) {
		return e.openPostgres(ctx, opts, clock, now)
	}
	switch st, err := os.Stat(e.db); {
	case errors.Is(err, fs.ErrNotExist):
		if err := e.create(ctx, clock, now); err != nil {
			return nil, now, err
		}
	case err == nil && st.Mode().IsRegular() && (st.Mode().Perm()&0o200 == 0 || syscall.Access(e.db, 2 /* W_OK */) != nil):
		// Not writable by this user, or made read-only by its owner (which
		// even root respects here).
		opts = append(opts, store.ReadOnly())
	}
	s, err := store.Open(e.db, opts...)
	if err != nil {
		return nil, now, fail(ExitInvalid, "%v", err)
	}
	// The database is in use until e.close: restore refuses meanwhile.
	release, err := lockDB(e.db, false)
	if err != nil {
		s.Close()
		return nil, now, fail(ExitInvalid, "%v", err)
	}
	e.unlock = release
	return s, now, nil
}

// openPostgres opens the PostgreSQL database e.db names. One with no
// office yet (new: no offduty tables, or tables left empty by a first start
// that was killed) gets, as a new file would, the two agencies and demo
// data unless --demo=false, as a whole or not at all: they are built in a
// temporary SQLite file and copied in in one transaction. When two first
// starts race, the second finds the office there and uses it.
func (e *env) openPostgres(ctx context.Context, opts []store.Option, clock func() time.Time, now time.Time) (*store.Store, time.Time, error) {
	s, err := store.Open(e.db, opts...)
	if err != nil {
		return nil, now, fail(ExitInvalid, "%v", err)
	}
	if s.IsReadOnly() {
		return s, now, nil
	}
	has, err := s.HasOffice(ctx)
	if err != nil {
		s.Close()
		return nil, now, fail(ExitInvalid, "%v", err)
	}
	if has {
		return s, now, nil
	}
	what, err := e.buildOffice(ctx, s, clock, now)
	if err != nil {
		if has, _ := s.HasOffice(ctx); has {
			return s, now, nil // another first start made it meanwhile
		}
		s.Close()
		return nil, now, err
	}
	fmt.Fprintf(e.stderr, "offduty: made the offduty tables in %s (%s)\n", s.Path(), what)
	return s, now, nil
}

// seedOffice gives a new database the two agencies and, unless
// --demo=false, the demo data; it says which.
func (e *env) seedOffice(ctx context.Context, s *store.Store, now time.Time) (string, error) {
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		return "", fail(ExitInvalid, "%v", err)
	}
	if !e.demo {
		return "the two agencies, no demo data", nil
	}
	if err := seed.Demo(ctx, s, now); err != nil {
		return "", fail(ExitInvalid, "demo data: %v", err)
	}
	return "the two agencies and demo data", nil
}

// buildOffice puts the agencies (and the demo data) into s, an empty
// office, in one transaction.
func (e *env) buildOffice(ctx context.Context, s *store.Store, clock func() time.Time, now time.Time) (string, error) {
	dir, err := os.MkdirTemp("", "offduty-new-office-")
	if err != nil {
		return "", fail(ExitInvalid, "%v", err)
	}
	defer os.RemoveAll(dir)
	t, err := store.Open(filepath.Join(dir, "offduty.db"), store.WithClock(clock))
	if err != nil {
		return "", fail(ExitInvalid, "%v", err)
	}
	defer t.Close()
	what, err := e.seedOffice(ctx, t, now)
	if err != nil {
		return "", err
	}
	if err := t.CopyTo(ctx, s, nil); err != nil {
		return "", fail(ExitInvalid, "%v", err)
	}
	return what, nil
}

// onPostgres refuses a command about the SQLite file itself when the
// database is PostgreSQL's, saying what to use there instead.
func (e *env) onPostgres(cmd, instead string) error {
	if e.remote == nil && store.IsPostgres(e.db) {
		return fail(ExitRefused, "%s: the database is PostgreSQL (%s): %s", cmd, store.RedactURL(e.db), instead)
	}
	return nil
}

// newPrefix names a database being made, beside where it will be.
const newPrefix = ".offduty-new-"

// create makes a new database at e.db as a whole or not at all: it is
// built (agencies, and demo data unless --demo=false) in a temporary file
// beside it, then linked into place, which fails if another first start
// got there first (its database is then the one used). A kill leaves only
// a temporary file, removed by a later start.
func (e *env) create(ctx context.Context, clock func() time.Time, now time.Time) (err error) {
	dir := filepath.Dir(e.db)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(ExitInvalid, "create the database folder %s: %v", dir, unwrapPath(err))
	}
	removeStale(dir)
	f, err := os.CreateTemp(dir, newPrefix+"*.db")
	if err != nil {
		return fail(ExitInvalid, "create a database in %s: %v", dir, unwrapPath(err))
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}()
	s, err := store.Open(tmp, store.WithClock(clock))
	if err != nil {
		return fail(ExitInvalid, "%v", err)
	}
	what, err := e.seedOffice(ctx, s, now)
	if err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil { // the last connection folds the WAL into the file
		return fail(ExitInvalid, "%v", err)
	}
	if st, err := os.Stat(tmp + "-wal"); err == nil && st.Size() > 0 {
		return fail(ExitInvalid, "the new database %s kept a write-ahead log: not moved into place", tmp)
	}
	switch err := os.Link(tmp, e.db); {
	case err == nil:
		fmt.Fprintf(e.stderr, "offduty: created a new database at %s (%s)\n", e.db, what)
	case errors.Is(err, fs.ErrExist):
		// Another first start made it meanwhile: use that one.
	default:
		return fail(ExitInvalid, "create the database %s: %v", e.db, unwrapPath(err))
	}
	return nil
}

// removeStale removes what killed first starts left in dir (older than an
// hour: a start under way takes seconds).
func removeStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, en := range entries {
		if !strings.HasPrefix(en.Name(), newPrefix) {
			continue
		}
		if info, err := en.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, en.Name()))
		}
	}
}

// close closes what open opened (never the server's store).
func (e *env) close(s *store.Store) {
	if s != nil && (e.remote == nil || s != e.remote.Store) {
		s.Close()
	}
	if e.unlock != nil {
		e.unlock()
		e.unlock = nil
	}
}

// actor is who the commands act as: over SSH the signed-in user
// ("name@ssh", whose role the store applies); locally the machine's user,
// marked local so it can never be taken for a database user's name.
func (e *env) actor() string {
	if e.remote != nil {
		return store.SSHActor(e.remote.User.Name)
	}
	if u := e.getenv("USER"); u != "" {
		return u + " (local)"
	}
	return "local"
}

// storeFail turns a store error into an exit status: 2 when a rule or the
// user's role refuses, 1 for invalid input or something that does not exist.
func storeFail(cmd string, err error) error {
	switch store.ErrorCode(err) {
	case store.EConflict, store.EForbidden:
		return fail(ExitRefused, "%s: %v", cmd, err)
	}
	return fail(ExitInvalid, "%s: %v", cmd, err)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// clean is text from the database made safe for a terminal.
func clean(s string) string { return store.Clean(s, false) }

// wantArgs checks the number of positional arguments with a message that
// says what is wanted.
func wantArgs(cmd string, args []string, n int, what string) error {
	if len(args) != n {
		return fail(ExitInvalid, "%s: want %s, got %d %s (see offduty %s --help)", cmd, what, len(args), plural(len(args), "argument"), cmd)
	}
	return nil
}

var wholeRE = regexp.MustCompile(`^-?[0-9]+$`)

// parseWhole reads a plain decimal whole number ("5", "-1"); "+3", "0x5",
// "1e3" and " 5" are refused.
func parseWhole(s string) (int64, error) {
	if !wholeRE.MatchString(s) {
		return 0, fmt.Errorf("want a whole number such as 5, got %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n, nil
}

// wholeValue is a strict decimal integer flag.
type wholeValue struct{ p *int64 }

func (v wholeValue) String() string { return strconv.FormatInt(*v.p, 10) }
func (v wholeValue) Type() string   { return "int" }
func (v wholeValue) Set(s string) error {
	n, err := parseWhole(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

// intFlag is a strict decimal int flag.
func intFlag(fs *pflag.FlagSet, name string, usage string) *int64 {
	p := new(int64)
	fs.Var(wholeValue{p}, name, usage)
	return p
}

// idArg reads a number such as a job's or customer's id: "12" or "#12".
func idArg(s string) (int64, bool) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if !regexp.MustCompile(`^[1-9][0-9]{0,17}$`).MatchString(t) {
		return 0, false
	}
	n, err := strconv.ParseInt(t, 10, 64)
	return n, err == nil
}

// jobNumber reads a job number ("12" or "#12").
func jobNumber(cmd, s string) (int64, error) {
	id, ok := idArg(s)
	if !ok {
		return 0, fail(ExitInvalid, "%s: JOB must be a job number such as 12, got %q", cmd, s)
	}
	return id, nil
}

// agencyZones maps agency ids to their time zones.
func agencyZones(ctx context.Context, s *store.Store) (map[int64]*time.Location, error) {
	all, err := s.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]*time.Location{}
	for _, a := range all {
		out[a.ID] = a.Loc
	}
	return out, nil
}

func zoneOf(zones map[int64]*time.Location, j store.Job, office *time.Location) *time.Location {
	if loc := zones[j.AgencyID]; loc != nil {
		return loc
	}
	return office
}

// shiftSpan is "Tue 08 Dec 2026 10:00-14:00" (the end's date is shown when it differs).
func shiftSpan(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	if s.Format("2006-01-02") == e.Format("2006-01-02") || (e.Format("15:04") == "00:00" && e.Sub(s) <= 24*time.Hour) {
		return s.Format("Mon 02 Jan 2006 15:04") + "-" + e.Format("15:04")
	}
	return s.Format("Mon 02 Jan 2006 15:04") + " - " + e.Format("Mon 02 Jan 15:04")
}

func statusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

// civilDate reads --period, --on and the like: "YYYY-MM-DD", or the
// clock's day in the office when empty.
func civilDate(e *env, cmd, flagName, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		now, err := e.now()
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, fail(ExitInvalid, "%s: --%s: want a date YYYY-MM-DD, got %q", cmd, flagName, v)
	}
	return d, nil
}

// accountID reads --account: a customer's id ("12" or "#12").
func accountID(cmd, v string) (int64, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	id, ok := idArg(v)
	if !ok {
		return 0, fail(ExitInvalid, "%s: --account: want an account (customer) id such as 12, got %q", cmd, v)
	}
	return id, nil
}

// writeJSON prints v as indented JSON. Text from the database keeps its
// value, but the characters a terminal would act on are written as \u
// escapes (encoding/json already escapes C0 controls such as ESC): C1
// controls (U+0080-U+009F, U+009B being a CSI), bidi overrides and line or
// paragraph separators. A script reads the same strings; a terminal shows
// them inert.
func writeJSON(w io.Writer, v any) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, inertJSON(b.String()))
	return err
}

func inertJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
