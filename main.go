// Command offduty is a terminal dispatch console for an office that hires out
// off-duty police officers on behalf of partner agencies.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata"

	tea "charm.land/bubbletea/v2" // a bare machine still knows America/Denver
	charmlog "charm.land/log/v2"
	"github.com/shopspring/decimal"
	gossh "golang.org/x/crypto/ssh"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
	"offduty/ui"
	"offduty/ui/export"
	"offduty/ui/sshd"
)

// officeZone is the zone of --now and of the console's clock.
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

type command struct {
	name, usage, summary string
	run                  func(env *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"console", "offduty [console] [--as USER] [--db FILE] [--now TIME] [--demo=false]", "open the dispatch console (the default)", runConsole},
		{"quote", "offduty quote --agency SLUG --start TIME (--end TIME | --hours H) --officers N [flags]", "price a request and explain it", runQuote},
		{"agencies", "offduty agencies [--json]", "list agencies with their rate cards, holidays and prohibited venues", runAgencies},
		{"jobs", "offduty jobs [--date YYYY-MM-DD] [--json]", "list a day's shifts with their positions and officers", runJobs},
		{"assign", "offduty assign JOB POSITION OFFICER [--override REASON]", "put an officer (badge or id) in a position of a job", runAssign},
		{"cancel", "offduty cancel JOB [--positions N] [--reason TEXT] [--json]", "cancel a job, or reduce it by N officers, and show the fee", runCancel},
		{"seed", "offduty seed --history 5y [--db FILE] [--now TIME] [--demo=false]", "generate years of past jobs (about 200,000 positions a year)", runSeed},
		{"shifts", "offduty shifts export --officer BADGE [--format ics] [-o FILE] [--from YYYY-MM-DD]", "export an officer's upcoming shifts as an iCalendar (.ics) file", runShifts},
		{"serve", "offduty serve [--listen 127.0.0.1:2222] [--host-key FILE] [--idle-timeout 30m] [--max-sessions N]", "serve the console over SSH to the users of the database", runServe},
		{"user", "offduty user add|list|remove|key ... (see below)", "add, list and remove the users who sign in over SSH, and their keys", runUser},
		{"invoices", "offduty invoices generate --period YYYY-MM-DD [--account ID] [--save] [--issue] [--json] | list [--state S]", "bill accounts for a period (preview, save, issue), or list invoices", runInvoices},
		{"invoice", "offduty invoice show|export|issue|paid|void NUMBER [flags]", "show, export (PDF, CSV), issue, mark paid or void one invoice", runInvoice},
		{"payroll", "offduty payroll show|export --period YYYY-MM-DD [--format csv] [-o FILE] [--lock]", "a pay period per officer; export it as CSV and lock it", runPayroll},
	}
}

// env is what every command gets: streams, the environment and common flags.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	db             string
	nowText        string
	demo           bool
}

// common registers the flags every command takes.
func (e *env) common(fs *flag.FlagSet) {
	fs.StringVar(&e.db, "db", e.db, "database `FILE` (env OFFDUTY_DB; default $XDG_DATA_HOME/offduty/offduty.db)")
	fs.StringVar(&e.nowText, "now", e.nowText, "fix the clock at `\"YYYY-MM-DD HH:MM\"` office time (env OFFDUTY_NOW)")
	fs.BoolVar(&e.demo, "demo", e.demo, "load demo officers, customers and jobs into a new database")
}

// now is the injected clock: --now / OFFDUTY_NOW, or the real time.
func (e *env) now() (time.Time, error) {
	loc, err := time.LoadLocation(officeZone)
	if err != nil {
		return time.Time{}, err
	}
	if e.nowText == "" {
		return time.Now().In(loc).Truncate(time.Minute), nil
	}
	t, err := pricing.ParseLocal(e.nowText, loc)
	if err != nil {
		return time.Time{}, fail(1, "--now: %v", err)
	}
	return t, nil
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

// open opens (or creates, with the agencies and, if asked, demo data) the database.
func (e *env) open(ctx context.Context) (*store.Store, time.Time, error) {
	now, err := e.now()
	if err != nil {
		return nil, now, err
	}
	clock := func() time.Time { return now }
	if e.nowText == "" {
		clock = time.Now
	}
	s, err := store.Open(e.db, store.WithClock(clock))
	if err != nil {
		return nil, now, fail(1, "%v", err)
	}
	created, err := seed.EnsureAgencies(ctx, s)
	if err != nil {
		s.Close()
		return nil, now, fail(1, "%v", err)
	}
	if created && e.demo {
		if err := seed.Demo(ctx, s, now); err != nil {
			s.Close()
			return nil, now, fail(1, "demo data: %v", err)
		}
	}
	return s, now, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run is the whole program, minus the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv, db: getenv("OFFDUTY_DB"), nowText: getenv("OFFDUTY_NOW"), demo: true}
	if e.db == "" {
		e.db = defaultDB(getenv)
	}
	name := "console"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || (len(args) > 0 && name == "console" && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help")) {
		if len(args) > 0 && name == "help" {
			if c := lookup(args[0]); c != nil {
				return exit(e, c.run(e, []string{"--help"}))
			}
		}
		usage(stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "offduty: unknown command %q\n\n", name)
		usage(stderr)
		return 1
	}
	return exit(e, c.run(e, args))
}

func exit(e *env, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var x *exitError
	if errors.As(err, &x) {
		if x.msg != "" {
			fmt.Fprintf(e.stderr, "offduty: %s\n", x.msg)
		}
		return x.code
	}
	fmt.Fprintf(e.stderr, "offduty: %v\n", err)
	return 1
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `offduty: dispatch console for off-duty police officers

Usage:
  offduty [command] [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags every command takes:
  --db FILE       database file (env OFFDUTY_DB); default $XDG_DATA_HOME/offduty/offduty.db,
                  else ~/.local/share/offduty/offduty.db; created on first use
  --now TIME      fix the clock at "YYYY-MM-DD HH:MM", office time America/Denver (env OFFDUTY_NOW)
  --demo=false    do not load demo data into a new database

Run "offduty COMMAND --help" for a command's flags.
`)
}

// newFlagSet makes a command's flag set with the common flags and a usage text.
func newFlagSet(e *env, c string, describe string) *flag.FlagSet {
	fs := flag.NewFlagSet(c, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.common(fs)
	fs.Usage = func() {
		cmd := lookup(c)
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s\n\nFlags:\n", cmd.usage, describe)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		// Flags are written --name in this project's help, as in the usage lines.
		fmt.Fprint(e.stdout, strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")[1:])
	}
	return fs
}

// parse parses flags, printing help on --help and a specific message otherwise.
func parse(fs *flag.FlagSet, args []string) error {
	// The flag package calls Usage itself on -help and on every error: silence
	// it while parsing, so help prints once and errors leave stdout empty.
	help := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = help
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return fail(1, "%s: %v (see offduty %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fail(1, "%s: unexpected argument %q (see offduty %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

func runConsole(e *env, args []string) error {
	fs := newFlagSet(e, "console", `Opens the dispatch console on the database (created with the agencies and demo
data on first run). Keys are listed on the help line; ? shows them all.
Without --as the console is the local supervisor's, recorded as "$USER (local)";
with --as USER it runs as that user of the database (see offduty user): their role
and account apply, and changes are recorded under their name.`)
	as := fs.String("as", "", "run as the database user `USER`: their role and account apply (exit 1 if there is no such user)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, now, err := e.open(context.Background())
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := time.LoadLocation(officeZone)
	clock := time.Now
	if e.nowText != "" {
		clock = func() time.Time { return now }
	}
	// The local supervisor's name can never be a user's (no spaces in those),
	// so the store never mistakes it for one; --as is that user exactly.
	opts := ui.Options{Store: s, Now: clock, Loc: loc, Actor: e.actorName()}
	if *as != "" {
		u, err := s.UserByName(context.Background(), *as)
		if store.ErrorCode(err) == store.ENotFound {
			return fail(1, "console: --as: no user %q (see offduty user list)", *as)
		}
		if err != nil {
			return fail(1, "console: --as: %v", err)
		}
		opts.Actor, opts.Role, opts.CustomerID = u.Name, u.Role, u.CustomerID
	}
	app := ui.New(opts)
	if _, err := tea.NewProgram(app).Run(); err != nil {
		return fail(1, "console: %v", err)
	}
	return nil
}

func runQuote(e *env, args []string) error {
	fs := newFlagSet(e, "quote", `Prices a request with the agency's rate card in force when it was received, and
explains every line. Times are the agency's local time (America/Denver for both seed
agencies). Exit status: 0 bookable; 2 priced but not bookable (prohibited venue, or
short notice where the agency has no emergency rate), reason on stderr; 1 invalid input.`)
	agency := fs.String("agency", "", "agency `SLUG`: west-valley-city or grantsville")
	start := fs.String("start", "", "shift start, `\"YYYY-MM-DD HH:MM\"` local time")
	end := fs.String("end", "", "shift end, `\"YYYY-MM-DD HH:MM\"` local time (or --hours)")
	hours := fs.String("hours", "", "shift length in hours, decimals allowed (`H`, e.g. 2.5); instead of --end")
	officers := fs.Int("officers", 0, "number of officers asked for, 1 to 500 (`N`)")
	vehicles := fs.Int("vehicles", 0, "number of vehicles (`N`)")
	venue := fs.String("venue", "general", "venue `CATEGORY`: "+venueList())
	received := fs.String("received", "", "when the request was received, `\"YYYY-MM-DD HH:MM\"` local time (default: the clock)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *agency == "" {
		return fail(1, "quote: --agency is required (west-valley-city or grantsville)")
	}
	if *start == "" {
		return fail(1, "quote: --start is required, e.g. --start \"2026-12-24 18:00\"")
	}
	if *end == "" && *hours == "" {
		return fail(1, "quote: give --end or --hours")
	}
	if *end != "" && *hours != "" {
		return fail(1, "quote: give --end or --hours, not both")
	}
	if !set["officers"] {
		return fail(1, "quote: --officers is required")
	}
	if *officers < 1 {
		return fail(1, "quote: --officers must be at least 1 (got %d)", *officers)
	}
	if *officers > pricing.MaxOfficers {
		return fail(1, "quote: --officers: at most %d officers per request (got %d)", pricing.MaxOfficers, *officers)
	}
	if *vehicles < 0 {
		return fail(1, "quote: --vehicles cannot be negative (got %d)", *vehicles)
	}
	v, err := pricing.ParseVenue(*venue)
	if err != nil {
		return fail(1, "quote: --venue: %v", err)
	}
	ctx := context.Background()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.AgencyBySlug(ctx, *agency)
	if err != nil {
		var slugs []string
		all, _ := s.Agencies(ctx)
		for _, x := range all {
			slugs = append(slugs, x.Slug)
		}
		return fail(1, "quote: --agency: unknown agency %q (known: %s)", *agency, strings.Join(slugs, ", "))
	}
	req := pricing.Request{Officers: *officers, Vehicles: *vehicles, Venue: v, Received: now}
	if req.Start, err = pricing.ParseLocal(*start, a.Loc); err != nil {
		return fail(1, "quote: --start: %v", err)
	}
	if *end != "" {
		if req.End, err = pricing.ParseLocal(*end, a.Loc); err != nil {
			return fail(1, "quote: --end: %v", err)
		}
		if !req.End.After(req.Start) {
			return fail(1, "quote: --end must be after --start")
		}
	} else {
		m, err := pricing.ParseHours(*hours)
		if err != nil {
			return fail(1, "quote: --hours: %v", err)
		}
		req.End = req.Start.Add(time.Duration(m) * time.Minute)
	}
	if *received != "" {
		if req.Received, err = pricing.ParseLocal(*received, a.Loc); err != nil {
			return fail(1, "quote: --received: %v", err)
		}
	}
	pa, err := s.Pricing(ctx, a.Slug, req.Received)
	if err != nil {
		return fail(1, "quote: %v", err)
	}
	q, err := pa.Pricing.Quote(req)
	if err != nil {
		var ie *pricing.InputError
		if errors.As(err, &ie) {
			return fail(1, "quote: --%s: %s", ie.Field, ie.Msg)
		}
		return fail(1, "quote: %v", err)
	}
	if *asJSON {
		b, err := q.MarshalJSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		fmt.Fprint(e.stdout, formatQuote(q))
	}
	if !q.Bookable {
		var why []string
		for _, r := range q.Refusals {
			why = append(why, r.Message)
		}
		return fail(2, "not bookable: %s", strings.Join(why, "; "))
	}
	return nil
}

func venueList() string {
	var names []string
	for _, v := range pricing.Venues {
		names = append(names, string(v))
	}
	return strings.Join(names, ", ")
}

// formatQuote is the plain-text quote: lines, total, warnings and refusals.
func formatQuote(q *pricing.Quote) string {
	var b strings.Builder
	const layout = "Mon 02 Jan 2006 15:04"
	fmt.Fprintf(&b, "Quote  %s\n", q.AgencyName)
	endLayout := "15:04"
	if q.End.YearDay() != q.Start.YearDay() || q.End.Year() != q.Start.Year() {
		endLayout = layout
	}
	fmt.Fprintf(&b, "Shift  %s - %s (%s h), %s\n", q.Start.Format(layout), q.End.Format(endLayout), pricing.FormatMinutes(q.ElapsedMinutes), q.Venue)
	fmt.Fprintf(&b, "Asked  %d %s, %d %s; received %s\n\n", q.Officers, plural(q.Officers, "officer"), q.Vehicles, plural(q.Vehicles, "vehicle"), q.Received.Format(layout))
	fmt.Fprintf(&b, "  %-14s %-10s %8s %8s %12s\n", "Line", "Rate", "Hours", "Per hour", "Amount")
	for _, l := range q.Lines {
		fmt.Fprintf(&b, "  %-14s %-10s %8s %8s %12s\n", l.Label(), l.Basis, pricing.FormatMinutes(l.Minutes)+" h", l.Rate.Total.StringFixed(2), pricing.FormatMoney(l.Amount))
	}
	fmt.Fprintf(&b, "  %s\n", strings.Repeat("-", 56))
	fmt.Fprintf(&b, "  %-42s %12s\n", "Total", pricing.FormatMoney(q.Total))
	fmt.Fprintf(&b, "  %-42s %12s\n", "  officer pay", pricing.FormatMoney(q.OfficerPay))
	fmt.Fprintf(&b, "  %-42s %12s\n", "  admin fee", pricing.FormatMoney(q.AdminFee))
	if len(q.Warnings) > 0 || len(q.Refusals) > 0 {
		b.WriteString("\n")
	}
	for _, w := range q.Warnings {
		fmt.Fprintf(&b, "  ! %s\n", w)
	}
	for _, r := range q.Refusals {
		fmt.Fprintf(&b, "  REFUSED %s\n", r.Message)
	}
	if q.Bookable {
		b.WriteString("\n  Bookable.\n")
	} else {
		b.WriteString("\n  Not bookable.\n")
	}
	return b.String()
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func runAgencies(e *env, args []string) error {
	fs := newFlagSet(e, "agencies", "Lists the agencies with the rate card in force now, their holidays and prohibited venues.")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	all, err := s.PricingAll(ctx, now)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeAgenciesJSON(e.stdout, all, now)
	}
	for i, pa := range all {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		c := pa.Card.Card
		fmt.Fprintf(e.stdout, "%s (%s), %s; rate card #%d in force since %s\n", pa.Name, pa.Slug, pa.Zone, pa.Card.ID, pa.Card.EffectiveFrom.In(pa.Loc).Format("2006-01-02"))
		fmt.Fprintf(e.stdout, "  %-11s %9s %9s %9s\n", "rate", "total", "officer", "admin")
		for _, r := range []struct {
			n string
			r pricing.Rate
		}{{"regular", c.Regular}, {"supervisor", c.Supervisor}, {"holiday", c.Holiday}, {"emergency", c.Emergency}, {"vehicle", c.Vehicle}} {
			if !r.r.Offered() {
				fmt.Fprintf(e.stdout, "  %-11s %9s\n", r.n, "none")
				continue
			}
			fmt.Fprintf(e.stdout, "  %-11s %9s %9s %9s\n", r.n, r.r.Total.StringFixed(2), r.r.Officer.StringFixed(2), r.r.Admin().StringFixed(2))
		}
		sup := "never"
		if c.SupervisorAt > 0 {
			sup = fmt.Sprintf("at %d or more officers", c.SupervisorAt)
		}
		fmt.Fprintf(e.stdout, "  minimum %s h per officer; notice %s; supervisor %s\n", pricing.FormatMinutes(c.MinimumMinutes), pricing.FormatDuration(time.Duration(c.NoticeMinutes)*time.Minute), sup)
		var hs []string
		for _, h := range pa.Pricing.Holidays {
			m, d, _ := h.Date(now.Year())
			hs = append(hs, fmt.Sprintf("%s (%s %d)", h.Name, m.String()[:3], d))
		}
		fmt.Fprintf(e.stdout, "  holidays %d: %s\n", now.Year(), strings.Join(hs, ", "))
		for _, v := range pa.Pricing.ProhibitedVenues() {
			fmt.Fprintf(e.stdout, "  prohibited %s: %q\n", v, pa.Pricing.Prohibited[v])
		}
	}
	return nil
}

func writeAgenciesJSON(w io.Writer, all []store.PricedAgency, now time.Time) error {
	type rate struct {
		Total   string `json:"total"`
		Officer string `json:"officer"`
		Admin   string `json:"admin"`
	}
	type agency struct {
		Slug           string            `json:"slug"`
		Name           string            `json:"name"`
		Zone           string            `json:"zone"`
		RateCard       int64             `json:"rate_card"`
		EffectiveFrom  string            `json:"effective_from"`
		Rates          map[string]*rate  `json:"rates"`
		MinimumMinutes int               `json:"minimum_minutes"`
		NoticeMinutes  int               `json:"notice_minutes"`
		SupervisorAt   int               `json:"supervisor_at"`
		Holidays       map[string]string `json:"holidays"`
		Prohibited     map[string]string `json:"prohibited"`
	}
	var out []agency
	for _, pa := range all {
		c := pa.Card.Card
		a := agency{Slug: pa.Slug, Name: pa.Name, Zone: pa.Zone, RateCard: pa.Card.ID, EffectiveFrom: pa.Card.EffectiveFrom.Format(time.RFC3339),
			Rates: map[string]*rate{}, MinimumMinutes: c.MinimumMinutes, NoticeMinutes: c.NoticeMinutes, SupervisorAt: c.SupervisorAt,
			Holidays: map[string]string{}, Prohibited: map[string]string{}}
		for n, r := range map[string]pricing.Rate{"regular": c.Regular, "supervisor": c.Supervisor, "holiday": c.Holiday, "emergency": c.Emergency, "vehicle": c.Vehicle} {
			if r.Offered() {
				a.Rates[n] = &rate{r.Total.StringFixed(2), r.Officer.StringFixed(2), r.Admin().StringFixed(2)}
			} else {
				a.Rates[n] = nil
			}
		}
		for _, h := range pa.Pricing.Holidays {
			m, d, _ := h.Date(now.Year())
			a.Holidays[h.Name] = fmt.Sprintf("%04d-%02d-%02d", now.Year(), m, d)
		}
		for v, r := range pa.Pricing.Prohibited {
			a.Prohibited[string(v)] = r
		}
		out = append(out, a)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func runSeed(e *env, args []string) error {
	fs := newFlagSet(e, "seed", `Generates a deterministic history of past jobs for the agencies, ending before the
clock's day (or before the first job already in the database, such as the demo's): about
200,000 positions a year, priced with the real rate cards, staffed without overlaps or broken
caps, completed or cancelled, and billed: each account's periods that ended are invoiced,
issued the day after and paid as they age (the jobs follow their invoices). It creates the
customers and the several hundred officers that volume needs. For benchmarks: offduty seed
--history 5y --db big.db`)
	history := fs.String("history", "", "length of the history in whole `YEARS`, e.g. 5y")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *history == "" {
		return fail(1, "seed: --history is required, e.g. --history 5y")
	}
	years, err := seed.ParseYears(*history)
	if err != nil {
		return fail(1, "seed: --history: %v", err)
	}
	ctx := context.Background()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := seed.History(ctx, s, now, years, e.stdout)
	if err != nil {
		return fail(1, "seed: %v", err)
	}
	fmt.Fprintf(e.stdout, "seeded %s: %d jobs (%d cancelled), %d positions, %s to %s, %d new officers, %d new customers, in %s\n",
		s.Path(), st.Jobs, st.Cancelled, st.Positions, st.From.Format("2006-01-02"), st.To.Format("2006-01-02"), st.Officers, st.Customers,
		st.Elapsed.Round(100*time.Millisecond))
	return nil
}

// parseArgs is parse for commands with positional arguments: flags may come
// before, between or after them ("--" ends the flags). It returns the
// positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	help := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = help }()
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			help()
			return nil, err
		}
		if err != nil {
			return nil, fail(1, "%s: %v (see offduty %s --help)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// storeFail turns a store error into an exit status: 2 when a scheduling or
// lifecycle rule refuses, 1 for invalid input or something that does not exist.
func storeFail(cmd string, err error) error {
	if store.ErrorCode(err) == store.EConflict {
		return fail(2, "%s: %v", cmd, err)
	}
	return fail(1, "%s: %v", cmd, err)
}

// actorName is who the audit records for a change made from the shell.
// actorName is who the commands act as in the audit: the machine's user,
// marked local so it can never be taken for a console user's name (whose
// role would then apply).
func (e *env) actorName() string {
	if u := e.getenv("USER"); u != "" {
		return u + " (local)"
	}
	return "local"
}

// jobNumber reads a job number ("12" or "#12").
func jobNumber(cmd, s string) (int64, error) {
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(s, "#"), "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != strings.TrimPrefix(s, "#") {
		return 0, fail(1, "%s: JOB must be a job number such as 12, got %q", cmd, s)
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

func runJobs(e *env, args []string) error {
	fs := newFlagSet(e, "jobs", `Lists the shifts of one day: every job starting that day in office time
(America/Denver), cancelled ones included, with its positions: slot number (as the assign
command takes it), class, the officer (name and badge) or "open", check-in and check-out
times and attendance (released early, held over, no-show). Exit status: 0; 1 invalid input.`)
	date := fs.String("date", "", "the day, `YYYY-MM-DD` (default: today by the clock)")
	asJSON := fs.Bool("json", false, "print a JSON array of jobs (times RFC 3339 with their offset)")
	if err := parse(fs, args); err != nil {
		return err
	}
	office, err := time.LoadLocation(officeZone)
	if err != nil {
		return err
	}
	now, err := e.now()
	if err != nil {
		return err
	}
	day := now.In(office)
	if *date != "" {
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(*date), office)
		if err != nil {
			return fail(1, "jobs: --date: want YYYY-MM-DD, got %q", *date)
		}
		day = d
	}
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, office)
	to := from.AddDate(0, 0, 1)
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	jobs, err := s.JobsWithPositions(ctx, from, to)
	if err != nil {
		return fail(1, "jobs: %v", err)
	}
	zones, err := agencyZones(ctx, s)
	if err != nil {
		return fail(1, "jobs: %v", err)
	}
	if *asJSON {
		return writeJobsJSON(e.stdout, jobs, zones, office)
	}
	fmt.Fprint(e.stdout, formatJobs(jobs, zones, office, from))
	return nil
}

// formatJobs is the plain-text day sheet.
func formatJobs(jobs []store.Job, zones map[int64]*time.Location, office *time.Location, day time.Time) string {
	var b strings.Builder
	shifts, positions, open := 0, 0, 0
	for _, j := range jobs {
		if j.Status == store.StatusCancelled {
			continue
		}
		shifts++
		for _, p := range j.Positions {
			if p.Status != "cancelled" {
				positions++
				if p.OfficerID == 0 {
					open++
				}
			}
		}
	}
	if len(jobs) == 0 {
		fmt.Fprintf(&b, "No shifts on %s.\n", day.Format("Mon 02 Jan 2006"))
		return b.String()
	}
	fmt.Fprintf(&b, "%s: %d %s, %d %s, %d open\n", day.Format("Mon 02 Jan 2006"), shifts, plural(shifts, "shift"), positions, plural(positions, "position"), open)
	for _, j := range jobs {
		loc := zoneOf(zones, j, office)
		st, en := j.Start.In(loc), j.End.In(loc)
		span := st.Format("15:04") + "-" + en.Format("15:04")
		if en.Format("2006-01-02") != st.Format("2006-01-02") && en.Format("15:04") != "00:00" {
			span += "+1"
		}
		fmt.Fprintf(&b, "\n#%-5d %-13s %-12s %s, %s (%s)\n", j.ID, span, statusText(j.Status), j.CustomerName, j.SiteName, j.AgencyName)
		for _, p := range j.Positions {
			who := "open"
			switch {
			case p.Status == "cancelled":
				who = "(cancelled)"
			case p.OfficerID != 0:
				who = fmt.Sprintf("%s (%s)", p.OfficerName, p.Badge)
			case p.NoShowName != "":
				who = "open (no-show: " + p.NoShowName + ")"
			}
			var extra []string
			if !p.CheckIn.IsZero() {
				extra = append(extra, "in "+clockText(p.CheckIn, st, loc))
			}
			if !p.CheckOut.IsZero() {
				extra = append(extra, "out "+clockText(p.CheckOut, st, loc))
			}
			if p.Attendance != "" && p.Attendance != pricing.AttendanceNoShow {
				extra = append(extra, statusText(p.Attendance))
			}
			if p.Override != "" {
				extra = append(extra, "cap overridden: "+p.Override)
			}
			line := fmt.Sprintf("  %3d  %-10s  %-32s  %s", p.Slot, p.Class, who, strings.Join(extra, ", "))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	return b.String()
}

func statusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

// clockText shows a time of the shift's day as 15:04, another day's as "Wed 15:04".
func clockText(t, day time.Time, loc *time.Location) string {
	l := t.In(loc)
	if l.Format("2006-01-02") == day.Format("2006-01-02") {
		return l.Format("15:04")
	}
	return l.Format("Mon 15:04")
}

type jsonPosition struct {
	Slot       int     `json:"slot"`
	Class      string  `json:"class"`
	Status     string  `json:"status"`
	OfficerID  *int64  `json:"officer_id"`
	Officer    string  `json:"officer"`
	Badge      string  `json:"badge"`
	CheckIn    *string `json:"check_in"`
	CheckOut   *string `json:"check_out"`
	Attendance string  `json:"attendance"`
	Override   string  `json:"override"`
	NoShow     string  `json:"no_show"`
}

type jsonJob struct {
	ID          int64          `json:"id"`
	Customer    string         `json:"customer"`
	Site        string         `json:"site"`
	Address     string         `json:"address"`
	Agency      string         `json:"agency"`
	AgencyName  string         `json:"agency_name"`
	Start       string         `json:"start"`
	End         string         `json:"end"`
	Status      string         `json:"status"`
	Officers    int            `json:"officers"`
	Supervisors int            `json:"supervisors"`
	Vehicles    int            `json:"vehicles"`
	Total       string         `json:"total"`
	Positions   []jsonPosition `json:"positions"`
}

func writeJobsJSON(w io.Writer, jobs []store.Job, zones map[int64]*time.Location, office *time.Location) error {
	out := []jsonJob{}
	opt := func(t time.Time, loc *time.Location) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(loc).Format(time.RFC3339)
		return &s
	}
	for _, j := range jobs {
		loc := zoneOf(zones, j, office)
		x := jsonJob{ID: j.ID, Customer: j.CustomerName, Site: j.SiteName, Address: j.SiteAddress, Agency: j.AgencySlug, AgencyName: j.AgencyName,
			Start: j.Start.In(loc).Format(time.RFC3339), End: j.End.In(loc).Format(time.RFC3339), Status: j.Status,
			Officers: j.Officers, Supervisors: j.Supervisors, Vehicles: j.Vehicles, Total: j.Total.StringFixed(2), Positions: []jsonPosition{}}
		for _, p := range j.Positions {
			jp := jsonPosition{Slot: p.Slot, Class: p.Class, Status: p.Status, Officer: p.OfficerName, Badge: p.Badge,
				CheckIn: opt(p.CheckIn, loc), CheckOut: opt(p.CheckOut, loc), Attendance: p.Attendance, Override: p.Override, NoShow: p.NoShowName}
			if p.OfficerID != 0 {
				id := p.OfficerID
				jp.OfficerID = &id
			}
			x.Positions = append(x.Positions, jp)
		}
		out = append(out, x)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func runAssign(e *env, args []string) error {
	fs := newFlagSet(e, "assign", `Puts an officer in a position of an approved (or scheduled, or running) job.
JOB is the job number; POSITION the slot number within the job, as "offduty jobs" shows it;
OFFICER a badge (e.g. WV1702, any case) or an officer's numeric id. The officer must belong to
the job's agency, be active, hold sergeant rank or above for a supervisor position, and not be
on an overlapping shift; the weekly hours cap, 16 h in a local day and 8 h rest between shifts
are caps that a supervisor may lift with --override and a written reason. The job becomes
scheduled when every position is filled; the change is audited under $USER.
Exit status: 0 assigned; 1 invalid input or unknown job, position or officer; 2 refused by a
scheduling or lifecycle rule, the reason on stderr.`)
	override := fs.String("override", "", "a supervisor's written `REASON` for lifting the cap rules (weekly cap, 16 h a day, 8 h rest); never lifts an overlap, the rank or an inactive officer")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 {
		return fail(1, "assign: want JOB POSITION OFFICER, got %d %s (see offduty assign --help)", len(pos), plural(len(pos), "argument"))
	}
	jobID, err := jobNumber("assign", pos[0])
	if err != nil {
		return err
	}
	var slot int
	if _, err := fmt.Sscanf(pos[1], "%d", &slot); err != nil || slot <= 0 || fmt.Sprint(slot) != pos[1] {
		return fail(1, "assign: POSITION must be a slot number such as 1, got %q", pos[1])
	}
	who := strings.TrimSpace(pos[2])
	if who == "" {
		return fail(1, "assign: OFFICER must be a badge or an officer id")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["override"] && strings.TrimSpace(store.Clean(*override, false)) == "" {
		return fail(1, "assign: --override needs a written reason")
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	j, err := s.Job(ctx, jobID)
	if err != nil {
		return storeFail("assign", err)
	}
	var p *store.Position
	for i := range j.Positions {
		if j.Positions[i].Slot == slot {
			p = &j.Positions[i]
		}
	}
	if p == nil {
		return fail(1, "assign: job %d has no position %d (it has %d: 1 to %d)", j.ID, slot, len(j.Positions), len(j.Positions))
	}
	o, err := findOfficer(ctx, s, who, j.AgencyID)
	if err != nil {
		return err
	}
	if err := s.Assign(ctx, e.actorName(), p.ID, o.ID, *override); err != nil {
		return storeFail("assign", err)
	}
	after, err := s.Job(ctx, j.ID)
	if err != nil {
		return fail(1, "assign: %v", err)
	}
	zones, err := agencyZones(ctx, s)
	if err != nil {
		return fail(1, "assign: %v", err)
	}
	office, _ := time.LoadLocation(officeZone)
	loc := zoneOf(zones, after, office)
	fmt.Fprintf(e.stdout, "Assigned %s (%s) to job #%d position %d (%s), %s, %s.\n", o.Name(), o.Badge, j.ID, slot, p.Class,
		shiftSpan(p.Start, p.End, loc), after.CustomerName)
	for _, q := range after.Positions {
		if q.Slot == slot && q.Override != "" {
			fmt.Fprintf(e.stdout, "Cap overridden: %s\n", q.Override)
		}
	}
	open := 0
	for _, q := range after.Positions {
		if q.Status == "open" {
			open++
		}
	}
	fmt.Fprintf(e.stdout, "Job #%d is %s: %d of %d %s filled, %d open.\n", j.ID, statusText(after.Status), after.Filled, after.Filled+open, plural(after.Filled+open, "position"), open)
	return nil
}

// findOfficer resolves a badge (the job's agency first, case-insensitive)
// or a numeric id.
func findOfficer(ctx context.Context, s *store.Store, who string, agencyID int64) (store.Officer, error) {
	all, err := s.Officers(ctx, 0)
	if err != nil {
		return store.Officer{}, fail(1, "assign: %v", err)
	}
	var other *store.Officer
	for i, o := range all {
		if strings.EqualFold(o.Badge, who) {
			if o.AgencyID == agencyID {
				return o, nil
			}
			if other == nil {
				other = &all[i]
			}
		}
	}
	if other != nil {
		return *other, nil // Assign refuses it with the reason
	}
	var id int64
	if _, err := fmt.Sscanf(who, "%d", &id); err == nil && fmt.Sprint(id) == who {
		for _, o := range all {
			if o.ID == id {
				return o, nil
			}
		}
	}
	return store.Officer{}, fail(1, "assign: no officer with badge or id %q", who)
}

type jsonFeeLine struct {
	Kind    string `json:"kind"`
	Class   string `json:"class"`
	Count   int    `json:"count"`
	Minutes int    `json:"minutes"`
	Rate    string `json:"rate"`
	Amount  string `json:"amount"`
	Text    string `json:"text"`
}

func runCancel(e *env, args []string) error {
	fs := newFlagSet(e, "cancel", `Cancels a job, or with --positions N reduces it by N officer positions (open
positions go first, then the latest filled; checked-in officers are never removed; at West Valley
City the supervisor goes too when fewer than 5 officers remain, and the job is re-priced).
The fee follows the rules (RULES.md "Cancellation and reduction"): after approval, the admin fee
for the first 24 h of each removed position, plus, within 48 h of the start, the officer share
for the greater of the hours worked or the minimum; before approval, nothing. The cancellation
time is the clock (--now). The fee is printed line by line and kept on the job.
Exit status: 0 done; 1 invalid input or unknown job; 2 refused by the lifecycle (a completed,
invoiced, paid or already cancelled job) or a rule (only checked-in positions left), reason on stderr.`)
	positions := fs.Int("positions", 0, "remove `N` officer positions instead of cancelling the whole job (N equal to all of them cancels it)")
	reason := fs.String("reason", "", "why, as the customer gave it (`TEXT`, kept with a cancellation)")
	asJSON := fs.Bool("json", false, `print one JSON object: job, kind ("cancel" or "reduce"), fee, admin, officer, lines, and what the job is left with`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fail(1, "cancel: want one JOB, got %d %s (see offduty cancel --help)", len(pos), plural(len(pos), "argument"))
	}
	jobID, err := jobNumber("cancel", pos[0])
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["positions"] && *positions < 1 {
		return fail(1, "cancel: --positions must be at least 1 (got %d); leave it out to cancel the whole job", *positions)
	}
	ctx := context.Background()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	before, err := s.Job(ctx, jobID)
	if err != nil {
		return storeFail("cancel", err)
	}
	fee, err := s.CancelOrReduce(ctx, e.actorName(), store.CancelPlan{JobID: jobID, At: now, Officers: *positions, Reason: *reason})
	if err != nil {
		return storeFail("cancel", err)
	}
	j, err := s.Job(ctx, jobID)
	if err != nil {
		return fail(1, "cancel: %v", err)
	}
	zones, err := agencyZones(ctx, s)
	if err != nil {
		return fail(1, "cancel: %v", err)
	}
	office, _ := time.LoadLocation(officeZone)
	loc := zoneOf(zones, j, office)
	kind := "reduce"
	if j.Status == store.StatusCancelled {
		kind = "cancel"
	}
	if *asJSON {
		out := struct {
			Job         int64         `json:"job"`
			Kind        string        `json:"kind"`
			At          string        `json:"at"`
			Fee         string        `json:"fee"`
			Admin       string        `json:"admin"`
			Officer     string        `json:"officer"`
			Lines       []jsonFeeLine `json:"lines"`
			Notes       []string      `json:"notes"`
			Status      string        `json:"status"`
			Officers    int           `json:"officers"`
			Supervisors int           `json:"supervisors"`
			Total       string        `json:"total"`
			CancelFee   string        `json:"cancel_fee"`
		}{Job: j.ID, Kind: kind, At: now.In(loc).Format(time.RFC3339), Fee: fee.Total.StringFixed(2), Admin: fee.Admin.StringFixed(2),
			Officer: fee.Officer.StringFixed(2), Lines: []jsonFeeLine{}, Notes: fee.Notes, Status: j.Status, Officers: j.Officers,
			Supervisors: j.Supervisors, Total: j.Total.StringFixed(2), CancelFee: j.CancelFee.Decimal.StringFixed(2)}
		if out.Notes == nil {
			out.Notes = []string{}
		}
		for _, l := range fee.Lines {
			out.Lines = append(out.Lines, jsonFeeLine{Kind: l.Kind, Class: string(l.Class), Count: l.Count, Minutes: l.Minutes,
				Rate: l.Rate.StringFixed(2), Amount: l.Amount.StringFixed(2), Text: l.Describe()})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	what := fmt.Sprintf("job #%d (%s, %s)", j.ID, j.CustomerName, shiftSpan(j.Start, j.End, loc))
	if kind == "cancel" {
		fmt.Fprintf(e.stdout, "Cancelled %s at %s.\n", what, now.In(loc).Format("Mon 02 Jan 2006 15:04"))
	} else {
		removed := fmt.Sprintf("%d officer %s", before.Officers-j.Officers, plural(before.Officers-j.Officers, "position"))
		if before.Supervisors > j.Supervisors {
			removed += " and the supervisor"
		}
		fmt.Fprintf(e.stdout, "Reduced %s at %s: removed %s; now %d %s", what, now.In(loc).Format("Mon 02 Jan 2006 15:04"), removed, j.Officers, plural(j.Officers, "officer"))
		if j.Supervisors > 0 {
			fmt.Fprintf(e.stdout, " + %d supervisor", j.Supervisors)
		}
		fmt.Fprintf(e.stdout, ", re-priced at %s (was %s).\n", j.Total.StringFixed(2), before.Total.StringFixed(2))
	}
	for _, n := range fee.Notes {
		fmt.Fprintf(e.stdout, "  %s\n", n)
	}
	for _, l := range fee.Lines {
		fmt.Fprintf(e.stdout, "  %-62s %10s\n", l.Describe(), l.Amount.StringFixed(2))
	}
	fmt.Fprintf(e.stdout, "  %-62s %10s\n", "Fee", fee.Total.StringFixed(2))
	fmt.Fprintf(e.stdout, "  %-62s %10s\n", "  admin fee", fee.Admin.StringFixed(2))
	fmt.Fprintf(e.stdout, "  %-62s %10s\n", "  officer share", fee.Officer.StringFixed(2))
	if !j.CancelFee.Decimal.Equal(fee.Total) {
		fmt.Fprintf(e.stdout, "  %-62s %10s\n", "Fees on this job so far", j.CancelFee.Decimal.StringFixed(2))
	}
	return nil
}

// shiftsDescribe is the help text of "offduty shifts export".
const shiftsDescribe = `Exports an officer's shifts (the positions they hold in jobs that are not cancelled)
that end after --from, soonest first, as an iCalendar file (RFC 5545) that phone and desktop
calendars import: one event per shift, its times in UTC (the calendar shows them in its own
zone), the site and its address as the location, and the customer, agency, job number,
position, local shift time, status, on-site contact and post orders in the notes. Each event has
a stable UID (position-ID@offduty), so a calendar recognises a shift it already has.
OFFICER is a badge (any case) or an officer's numeric id (#ID is always an id); a badge
used in two agencies is refused: give the id. Without -o, or with -o -, the calendar goes to
stdout; a file is replaced atomically (written beside it, then renamed) and a one-line
summary goes to stderr.
Exit status: 0 written; 1 invalid input, an unknown or ambiguous officer, or a file that
cannot be written, the message on stderr and nothing written.`

// runShifts is "offduty shifts SUBCOMMAND": export is the only one.
func runShifts(e *env, args []string) error {
	if len(args) == 0 {
		return fail(1, "shifts: want a subcommand: offduty shifts export --officer BADGE (see offduty shifts --help)")
	}
	switch a := args[0]; {
	case a == "export":
		return runShiftsExport(e, args[1:])
	case a == "-h" || a == "-help" || a == "--help":
		return runShiftsExport(e, args[:1])
	case strings.HasPrefix(a, "-"):
		return fail(1, "shifts: the subcommand comes first: offduty shifts export %s (see offduty shifts --help)", strings.Join(args, " "))
	default:
		return fail(1, "shifts: unknown subcommand %q: want export (see offduty shifts --help)", a)
	}
}

func runShiftsExport(e *env, args []string) error {
	const cmd = "shifts export"
	fs := newFlagSet(e, cmd, shiftsDescribe)
	officer := fs.String("officer", "", "the officer: `BADGE` (any case) or numeric id, #ID for an id only (required)")
	format := fs.String("format", "ics", "output `FORMAT`: ics (iCalendar, RFC 5545)")
	var out string
	fs.StringVar(&out, "o", "", "write to `FILE`, replaced atomically; - or none writes to stdout")
	fs.StringVar(&out, "output", "", "same as -o (`FILE`)")
	from := fs.String("from", "", "shifts that end after this day's start, `YYYY-MM-DD` office time (default: the clock)")
	// newFlagSet's usage looks the command up by the flag set's name, and
	// writes every flag --name: this one is "shifts", and -o stays -o.
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s\n\nFlags:\n", lookup("shifts").usage, shiftsDescribe)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		text := strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")[1:]
		fmt.Fprint(e.stdout, strings.ReplaceAll(text, "\n  --o ", "\n  -o "))
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	who := strings.TrimSpace(*officer)
	if who == "" {
		return fail(1, "%s: --officer is required: a badge such as WV1702, or an officer's id", cmd)
	}
	if f := strings.ToLower(strings.TrimSpace(*format)); f != "ics" {
		return fail(1, "%s: --format: unknown format %q (known: ics)", cmd, *format)
	}
	office, err := time.LoadLocation(officeZone)
	if err != nil {
		return err
	}
	now, err := e.now()
	if err != nil {
		return err
	}
	since := now
	if *from != "" {
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(*from), office)
		if err != nil {
			return fail(1, "%s: --from: want YYYY-MM-DD, got %q", cmd, *from)
		}
		since = d
	}
	if out != "" && out != "-" {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			return fail(1, "%s: -o: %s is a folder, not a file", cmd, out)
		}
	}
	ctx := context.Background()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	o, err := shiftsOfficer(ctx, s, cmd, who)
	if err != nil {
		return err
	}
	shifts, err := s.OfficerShifts(ctx, o.ID, since, 0)
	if err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	cal := formatShiftsICS(o, shifts, now, office)
	if out == "" || out == "-" {
		_, err := io.WriteString(e.stdout, cal)
		return err
	}
	if err := writeFileAtomic(out, []byte(cal)); err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	fmt.Fprintf(e.stderr, "wrote %d %s to %s\n", len(shifts), plural(len(shifts), "shift"), out)
	return nil
}

// shiftsOfficer resolves --officer: a badge (any case; refused when officers
// of several agencies have it), else a numeric id; "#12" is only an id.
func shiftsOfficer(ctx context.Context, s *store.Store, cmd, who string) (store.Officer, error) {
	idOf := func(t string) int64 {
		var id int64
		if _, err := fmt.Sscanf(t, "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != t {
			return 0
		}
		return id
	}
	byID := func(id int64) (store.Officer, error) {
		o, err := s.OfficerByID(ctx, id)
		if store.ErrorCode(err) == store.ENotFound {
			return o, fail(1, "%s: no officer with id %d", cmd, id)
		}
		if err != nil {
			return o, fail(1, "%s: %v", cmd, err)
		}
		return o, nil
	}
	if strings.HasPrefix(who, "#") {
		id := idOf(who[1:])
		if id == 0 {
			return store.Officer{}, fail(1, "%s: --officer: want a badge or an officer id such as #12, got %q", cmd, who)
		}
		return byID(id)
	}
	matches, err := s.OfficerByBadge(ctx, who)
	if err != nil {
		return store.Officer{}, fail(1, "%s: %v", cmd, err)
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		if id := idOf(who); id != 0 {
			o, err := byID(id)
			if err == nil {
				return o, nil
			}
		}
		return store.Officer{}, fail(1, "%s: no officer with badge or id %q", cmd, who)
	}
	var list []string
	for _, o := range matches {
		list = append(list, fmt.Sprintf("%d for %s %s (%s)", o.ID, o.Badge, o.Name(), o.AgencySlug))
	}
	return store.Officer{}, fail(1, "%s: badge %q is used in %d agencies: give the officer's numeric id with --officer: %s",
		cmd, who, len(matches), strings.Join(list, ", "))
}

// writeFileAtomic replaces path with data: it writes a temporary file in the
// same folder, flushes it and renames it over path, so a reader never sees a
// half-written file. An existing file keeps its permissions.
func writeFileAtomic(path string, data []byte) (err error) {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s is a folder, not a file", path)
		}
		mode = fi.Mode().Perm()
	}
	failed := func(err error) error {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return failed(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return failed(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return failed(err)
	}
	if err := tmp.Sync(); err != nil {
		return failed(err)
	}
	if err := tmp.Close(); err != nil {
		return failed(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return failed(err)
	}
	return nil
}

// icsMaxOctets is the longest content line RFC 5545 allows, CRLF excluded.
const icsMaxOctets = 75

// formatShiftsICS is the officer's shifts as an iCalendar object (RFC 5545):
// one VEVENT per shift, times in UTC, stamped with the clock.
func formatShiftsICS(o store.Officer, shifts []store.OfficerShift, stamp time.Time, office *time.Location) string {
	var b strings.Builder
	line := func(name, value string) { b.WriteString(icsFold(name + ":" + value)) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//offduty//offduty shifts export//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", icsText(icsOneLine(fmt.Sprintf("Off-duty shifts: %s (%s)", o.Name(), o.Badge))))
	zones := map[string]*time.Location{}
	for _, sh := range shifts {
		loc, ok := zones[sh.AgencyZone]
		if !ok {
			var err error
			if loc, err = time.LoadLocation(sh.AgencyZone); err != nil || sh.AgencyZone == "" {
				loc = office
			}
			zones[sh.AgencyZone] = loc
		}
		line("BEGIN", "VEVENT")
		line("UID", fmt.Sprintf("position-%d@offduty", sh.PositionID))
		line("DTSTAMP", icsTime(stamp))
		line("DTSTART", icsTime(sh.Start))
		line("DTEND", icsTime(sh.End))
		line("SUMMARY", icsText(icsOneLine(fmt.Sprintf("Off-duty: %s (%s)", sh.SiteName, sh.Class))))
		line("LOCATION", icsText(icsOneLine(joinNonEmpty(", ", sh.SiteName, sh.SiteAddress))))
		line("DESCRIPTION", icsText(shiftDescription(sh, loc)))
		line("STATUS", "CONFIRMED")
		line("TRANSP", "OPAQUE")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.String()
}

// shiftDescription is an event's notes: one "Label: value" line each, the
// post orders last, as typed (several lines).
func shiftDescription(sh store.OfficerShift, loc *time.Location) string {
	var d strings.Builder
	fmt.Fprintf(&d, "Customer: %s\n", icsOneLine(sh.CustomerName))
	fmt.Fprintf(&d, "Agency: %s\n", icsOneLine(sh.AgencyName))
	fmt.Fprintf(&d, "Job: #%d\n", sh.JobID)
	fmt.Fprintf(&d, "Position: %d (%s)\n", sh.Slot, sh.Class)
	fmt.Fprintf(&d, "Shift: %s (%s)\n", shiftSpan(sh.Start, sh.End, loc), loc)
	fmt.Fprintf(&d, "Status: %s\n", statusText(sh.JobStatus))
	if c := icsOneLine(joinNonEmpty(", ", sh.ContactName, sh.ContactPhone)); c != "" {
		fmt.Fprintf(&d, "Contact: %s\n", c)
	}
	if po := store.Clean(sh.PostOrders, true); strings.TrimSpace(po) != "" {
		fmt.Fprintf(&d, "Post orders:\n%s\n", po)
	}
	return d.String()
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// icsTime is an instant as an iCalendar UTC DATE-TIME.
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsOneLine is text for a one-line field: control characters removed,
// line breaks and runs of spaces made one space.
func icsOneLine(s string) string {
	return strings.Join(strings.Fields(store.Clean(s, true)), " ")
}

var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)

// icsText is an iCalendar TEXT value: control characters (and terminal
// escapes) removed, CR LF and CR made LF, then backslash, semicolon, comma
// and newline escaped. What is left holds no CR, LF or other control
// character, so it cannot break the file's structure.
func icsText(s string) string {
	return icsEscaper.Replace(store.Clean(s, true))
}

// icsFold is one content line, folded (RFC 5545 3.1) so that no line is
// longer than 75 octets: a fold is CRLF and a space, the space counting
// on the next line; folds fall between UTF-8 sequences, never inside one.
func icsFold(s string) string {
	var b strings.Builder
	limit := icsMaxOctets
	for len(s) > limit {
		cut := limit
		for cut > 1 && s[cut]&0xC0 == 0x80 { // a continuation byte: back up to the rune's start
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = icsMaxOctets - 1
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// serveDescribe is the help text of "offduty serve".
const serveDescribe = `Serves the dispatch console over SSH, one console per session, to the users of the
database (see offduty user): a user signs in with one of their public keys, and their
role decides what the console offers and what the store lets them change. Keys that
belong to no user, passwords and sessions without a terminal are refused. The host key
is created on first start (ed25519, mode 0600) and kept. Connects, disconnects and
refusals are logged on stderr. SIGINT or SIGTERM stops accepting connections, tells
every session and waits for them (10 s at most); a second signal ends at once.
Connect with: ssh -p 2222 -i KEY localhost
Exit status: 0 after a shutdown; 1 invalid input, or the address or host key unusable.`

// runServe is "offduty serve".
func runServe(e *env, args []string) error {
	fs := newFlagSet(e, "serve", serveDescribe)
	listen := fs.String("listen", sshd.DefaultListen, "address to listen on, `HOST:PORT` (:2222 for every interface)")
	hostKey := fs.String("host-key", "", "host key `FILE`, created if missing (default: "+sshd.HostKeyName+" beside the database)")
	idle := fs.Duration("idle-timeout", sshd.DefaultIdleTimeout, "close a session after this long with no key pressed (`DURATION`, e.g. 30m, 1h; 0 never)")
	maxSessions := fs.Int("max-sessions", 100, "sessions open at once (`N`); more are refused with a message; 0 no limit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *idle < 0 {
		return fail(1, "serve: --idle-timeout cannot be negative (got %s)", *idle)
	}
	if *maxSessions < 0 {
		return fail(1, "serve: --max-sessions cannot be negative (got %d); 0 means no limit", *maxSessions)
	}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return fail(1, "serve: --listen: want HOST:PORT such as 127.0.0.1:2222, got %q", *listen)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, now, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := time.LoadLocation(officeZone)
	clock := time.Now
	if e.nowText != "" {
		clock = func() time.Time { return now }
	}
	logger := charmlog.NewWithOptions(e.stderr, charmlog.Options{ReportTimestamp: true, TimeFormat: "2006-01-02 15:04:05", Prefix: "serve"})
	timeout := *idle
	if timeout == 0 {
		timeout = -1 // never
	}
	srv, err := sshd.New(sshd.Config{Listen: *listen, HostKeyPath: *hostKey, IdleTimeout: timeout, MaxSessions: *maxSessions,
		Store: s, Now: clock, Loc: loc, Logger: logger})
	if err != nil {
		return fail(1, "serve: %v", err)
	}
	ln, err := srv.Listen()
	if err != nil {
		return fail(1, "serve: %v", err)
	}
	if users, err := s.Users(ctx); err == nil && len(users) == 0 {
		logger.Warn("no users yet: nobody can sign in; add one with: offduty user add NAME --role supervisor --key-file ~/.ssh/id_ed25519.pub")
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fail(1, "serve: %v", err)
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once
	logger.Info("signal: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown: sessions did not end in time; their connections were closed", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, sshd.ErrServerClosed) {
		return fail(1, "serve: %v", err)
	}
	logger.Info("stopped")
	return nil
}

// userDescribe is the help text of "offduty user".
const userDescribe = `Manages the users who sign in to "offduty serve" with their SSH keys.
  offduty user add NAME --role ROLE [--account CUSTOMER-ID] (--key "ssh-ed25519 AAAA... c" | --key-file FILE)
  offduty user list [--json]
  offduty user remove NAME
  offduty user key add NAME (--key "ssh-ed25519 AAAA..." | --key-file FILE)
  offduty user key remove NAME FINGERPRINT|KEY
Roles: operator (quote, create and edit requests); dispatcher (an operator who also
approves, assigns, records attendance, notes, media and cancellations); supervisor
(everything, rate cards, invoices, payroll and users included); customer (read-only view
of one account's jobs and invoices: --account is the customer's id). A name is letters,
digits, dot, dash and underscore. --key takes an authorized_keys line and may be given
more than once; --key-file reads one key a line (a .pub file or an authorized_keys file).
A key belongs to one user only. These commands act as the local operator ($USER); if
$USER is also the name of a user, that user's role applies.
Exit status: 0 done; 1 invalid input or an unknown user, customer or key; 2 refused
(a name or key already taken, or the acting user's role does not allow it).`

// runUser is "offduty user SUBCOMMAND".
func runUser(e *env, args []string) error {
	if len(args) == 0 {
		return fail(1, "user: want a subcommand: add, list, remove or key (see offduty user --help)")
	}
	switch a := args[0]; a {
	case "add":
		return runUserAdd(e, args[1:])
	case "list", "ls":
		return runUserList(e, args[1:])
	case "remove", "rm":
		return runUserRemove(e, args[1:])
	case "key", "keys":
		if len(args) < 2 {
			return fail(1, "user key: want add or remove (see offduty user --help)")
		}
		switch args[1] {
		case "add":
			return runUserKeyAdd(e, args[2:])
		case "remove", "rm":
			return runUserKeyRemove(e, args[2:])
		case "-h", "-help", "--help":
			return runUserList(e, []string{"--help"})
		}
		return fail(1, "user key: unknown subcommand %q: want add or remove (see offduty user --help)", args[1])
	case "-h", "-help", "--help":
		return runUserList(e, []string{"--help"})
	default:
		if strings.HasPrefix(a, "-") {
			return fail(1, "user: the subcommand comes first: offduty user add|list|remove|key ... (see offduty user --help)")
		}
		return fail(1, "user: unknown subcommand %q: want add, list, remove or key (see offduty user --help)", a)
	}
}

// userFlagSet is a flag set for "user ..." subcommands: its errors name the
// subcommand; its help is the whole of "offduty user".
func userFlagSet(e *env, name string) *flag.FlagSet {
	fs := newFlagSet(e, name, userDescribe)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s\n\nFlags:\n", lookup("user").usage, userDescribe)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprint(e.stdout, strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")[1:])
	}
	return fs
}

// userFail turns a store error into an exit status: 2 refused, 1 otherwise.
func userFail(cmd string, err error) error {
	switch store.ErrorCode(err) {
	case store.EConflict, store.EForbidden:
		return fail(2, "%s: %v", cmd, err)
	}
	return fail(1, "%s: %v", cmd, err)
}

// keyFlags are --key (repeatable) and --key-file.
type keyFlags struct {
	lines []string
	file  string
}

func (k *keyFlags) String() string     { return strings.Join(k.lines, "\n") }
func (k *keyFlags) Set(v string) error { k.lines = append(k.lines, v); return nil }

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.Var(k, "key", "a public key, `\"ssh-ed25519 AAAA... comment\"` (may be repeated)")
	fs.StringVar(&k.file, "key-file", "", "read public keys from `FILE`, one a line (e.g. ~/.ssh/id_ed25519.pub)")
}

// keys returns the keys given, checked, or an error naming the bad one.
func (k *keyFlags) keys(cmd string) ([]string, error) {
	lines := append([]string(nil), k.lines...)
	if k.file != "" {
		b, err := os.ReadFile(k.file)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fail(1, "%s: --key-file: cannot read %s: %v", cmd, k.file, err)
		}
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines, n = append(lines, l), n+1
			}
		}
		if n == 0 {
			return nil, fail(1, "%s: --key-file: %s holds no key", cmd, k.file)
		}
	}
	if len(lines) == 0 {
		return nil, fail(1, "%s: give the user's public key with --key \"ssh-ed25519 AAAA...\" or --key-file FILE", cmd)
	}
	for _, l := range lines {
		if _, _, err := store.ParseKey(l); err != nil {
			return nil, fail(1, "%s: %v (got %q)", cmd, err, shorten(l, 40))
		}
	}
	return lines, nil
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// keyFingerprint is the SHA256 fingerprint of an authorized_keys line.
func keyFingerprint(line string) string {
	k, _, err := store.ParseKey(line)
	if err != nil {
		return "?"
	}
	return gossh.FingerprintSHA256(k)
}

func runUserAdd(e *env, args []string) error {
	const cmd = "user add"
	fs := userFlagSet(e, cmd)
	role := fs.String("role", "", "the user's `ROLE`: operator, dispatcher, supervisor or customer (required)")
	account := fs.Int64("account", 0, "for a customer user, the `CUSTOMER-ID` whose jobs and invoices they see")
	var kf keyFlags
	kf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fail(1, "%s: want one user NAME, got %d arguments (see offduty user --help)", cmd, len(pos))
	}
	name := pos[0]
	if err := store.ValidUserName(name); err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	if *role == "" {
		return fail(1, "%s: --role is required: operator, dispatcher, supervisor or customer", cmd)
	}
	keys, err := kf.keys(cmd)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.CreateUser(ctx, e.actorName(), name, *role, *account, keys)
	if err != nil {
		return userFail(cmd, err)
	}
	what := u.Role
	if u.CustomerID != 0 {
		what += " of " + customerLabel(ctx, s, u.CustomerID)
	}
	fmt.Fprintf(e.stdout, "Added %s, %s, with %d %s:\n", u.Name, what, len(u.Keys), plural(len(u.Keys), "key"))
	for _, k := range u.Keys {
		fmt.Fprintf(e.stdout, "  %s %s %s\n", k.Fingerprint, k.Type, k.Comment)
	}
	return nil
}

// customerLabel is "Name (#id)", or "#id" when the customer cannot be read.
func customerLabel(ctx context.Context, s *store.Store, id int64) string {
	cs, err := s.Customers(ctx)
	if err == nil {
		for _, c := range cs {
			if c.ID == id {
				return fmt.Sprintf("%s (#%d)", c.Name, id)
			}
		}
	}
	return fmt.Sprintf("#%d", id)
}

func runUserList(e *env, args []string) error {
	const cmd = "user list"
	fs := userFlagSet(e, cmd)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	users, err := s.Users(ctx)
	if err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	names := map[int64]string{}
	if cs, err := s.Customers(ctx); err == nil {
		for _, c := range cs {
			names[c.ID] = c.Name
		}
	}
	if *asJSON {
		type jsonKey struct {
			Fingerprint string `json:"fingerprint"`
			Type        string `json:"type"`
			Comment     string `json:"comment"`
		}
		type jsonUser struct {
			Name        string    `json:"name"`
			Role        string    `json:"role"`
			Account     *int64    `json:"account"`
			AccountName string    `json:"account_name,omitempty"`
			Keys        []jsonKey `json:"keys"`
		}
		out := []jsonUser{}
		for _, u := range users {
			ju := jsonUser{Name: u.Name, Role: u.Role, Keys: []jsonKey{}}
			if u.CustomerID != 0 {
				id := u.CustomerID
				ju.Account, ju.AccountName = &id, names[id]
			}
			for _, k := range u.Keys {
				ju.Keys = append(ju.Keys, jsonKey{k.Fingerprint, k.Type, k.Comment})
			}
			out = append(out, ju)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stdout, "No users: add one with offduty user add NAME --role ROLE --key-file FILE.")
		return nil
	}
	fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", "USER", "ROLE", "ACCOUNT", "KEYS")
	for _, u := range users {
		acct := ""
		if u.CustomerID != 0 {
			acct = shorten(fmt.Sprintf("#%d %s", u.CustomerID, names[u.CustomerID]), 28)
		}
		var keys []string
		for _, k := range u.Keys {
			keys = append(keys, strings.TrimSpace(k.Fingerprint+" "+k.Comment))
		}
		if len(keys) == 0 {
			keys = []string{"(none: cannot sign in)"}
		}
		fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", u.Name, u.Role, acct, keys[0])
		for _, k := range keys[1:] {
			fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", "", "", "", k)
		}
	}
	return nil
}

func runUserRemove(e *env, args []string) error {
	const cmd = "user remove"
	fs := userFlagSet(e, cmd)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fail(1, "%s: want one user NAME, got %d arguments", cmd, len(pos))
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RemoveUser(ctx, e.actorName(), pos[0]); err != nil {
		return userFail(cmd, err)
	}
	fmt.Fprintf(e.stdout, "Removed %s and their keys: they cannot sign in, and a session still open can change nothing.\n", pos[0])
	return nil
}

func runUserKeyAdd(e *env, args []string) error {
	const cmd = "user key add"
	fs := userFlagSet(e, cmd)
	var kf keyFlags
	kf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fail(1, "%s: want one user NAME, got %d arguments", cmd, len(pos))
	}
	keys, err := kf.keys(cmd)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, k := range keys {
		if err := s.AddUserKey(ctx, e.actorName(), pos[0], k); err != nil {
			return userFail(cmd, err)
		}
		fmt.Fprintf(e.stdout, "Added key %s to %s.\n", keyFingerprint(k), pos[0])
	}
	return nil
}

func runUserKeyRemove(e *env, args []string) error {
	const cmd = "user key remove"
	fs := userFlagSet(e, cmd)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fail(1, "%s: want a user NAME and a key FINGERPRINT (SHA256:...) or the key itself", cmd)
	}
	key := strings.Join(pos[1:], " ") // an unquoted key line arrives in pieces
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RemoveUserKey(ctx, e.actorName(), pos[0], key); err != nil {
		return userFail(cmd, err)
	}
	fp := key
	if !strings.HasPrefix(fp, "SHA256:") {
		fp = keyFingerprint(key)
	}
	fmt.Fprintf(e.stdout, "Removed key %s from %s.\n", fp, pos[0])
	return nil
}

// ---- Invoices and payroll ----

// billingFail turns a store error into an exit status: 2 when a billing
// rule or the user's role refuses, 1 for invalid input or something unknown.
func billingFail(cmd string, err error) error {
	switch store.ErrorCode(err) {
	case store.EConflict, store.EForbidden:
		return fail(2, "%s: %v", cmd, err)
	}
	return fail(1, "%s: %v", cmd, err)
}

// billingFlagSet is a flag set for "NOUN VERB" commands: its errors name the
// subcommand, its help is the noun's (describe), and -o stays -o.
func billingFlagSet(e *env, noun, name, describe string) *flag.FlagSet {
	fs := newFlagSet(e, name, describe)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s\n\nFlags:\n", lookup(noun).usage, describe)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		text := strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")[1:]
		fmt.Fprint(e.stdout, strings.ReplaceAll(text, "\n  --o ", "\n  -o "))
	}
	return fs
}

// subcommand dispatches "NOUN VERB ..."; help is the verb whose --help
// prints the noun's.
func subcommand(e *env, noun string, args []string, verbs map[string]func(*env, []string) error, list, help string) error {
	if len(args) == 0 {
		return fail(1, "%s: want a subcommand: %s (see offduty %s --help)", noun, list, noun)
	}
	a := args[0]
	if run, ok := verbs[a]; ok {
		return run(e, args[1:])
	}
	switch {
	case a == "-h" || a == "-help" || a == "--help":
		return verbs[help](e, []string{"--help"})
	case strings.HasPrefix(a, "-"):
		return fail(1, "%s: the subcommand comes first: offduty %s %s ... (see offduty %s --help)", noun, noun,
			strings.NewReplacer(", ", "|", " or ", "|").Replace(list), noun)
	}
	return fail(1, "%s: unknown subcommand %q: want %s (see offduty %s --help)", noun, a, list, noun)
}

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
		return time.Time{}, fail(1, "%s: --%s: want a date YYYY-MM-DD, got %q", cmd, flagName, v)
	}
	return d, nil
}

// accountID reads --account: a customer's id ("12" or "#12").
func accountID(cmd, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(v, "#"), "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != strings.TrimPrefix(v, "#") {
		return 0, fail(1, "%s: --account: want an account (customer) id such as 12, got %q", cmd, v)
	}
	return id, nil
}

// outputPath checks -o before anything is computed: "" or "-" is stdout.
func outputPath(cmd, out string) error {
	if out == "" || out == "-" {
		return nil
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return fail(1, "%s: -o: %s is a folder, not a file", cmd, out)
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return fail(1, "%s: -o: no folder %s", cmd, filepath.Dir(out))
	}
	return nil
}

// writeOut writes to stdout, or to a file atomically (the file is only
// replaced once complete).
func writeOut(e *env, out string, write func(io.Writer) error) error {
	if out == "" || out == "-" {
		return write(e.stdout)
	}
	return export.WriteFile(out, write)
}

const invoiceDescribe = `Shows, exports, issues, records the payment of, or voids one invoice.
NUMBER is an issued invoice's number (2026-000123), or #ID for a draft (as invoices
generate and invoices list show it).

  offduty invoice show NUMBER [--json]
  offduty invoice export NUMBER [--format pdf|csv] -o FILE
      pdf: the printed invoice (office, bill-to, number, dates, period, the lines, subtotal,
      total, terms), one page up to 41 lines, then further pages; csv: one row per line.
      The format defaults to -o's extension, else pdf; -o - writes to stdout (csv goes to
      stdout without -o). The file is replaced atomically.
  offduty invoice issue #ID [--on YYYY-MM-DD]    a draft takes the next number of the issue
      date's year (gap-free; a voided number is never reused) and its due date from the
      account's terms (net 30 by default); its jobs become invoiced; it never changes again
  offduty invoice paid NUMBER [--on YYYY-MM-DD] [--ref TEXT]   records the payment; its
      jobs become paid
  offduty invoice void NUMBER --reason TEXT   a draft or unpaid invoice: it keeps its number,
      its shifts, vehicles and fees can be billed again (invoices generate --save)
--on defaults to the clock's day (office time).
Exit status: 0 done; 1 invalid input or an unknown invoice; 2 refused by a rule (issuing
what is not a draft, paying what is not issued, voiding a paid invoice) or a role.`

func runInvoice(e *env, args []string) error {
	return subcommand(e, "invoice", args, map[string]func(*env, []string) error{
		"show": runInvoiceShow, "export": runInvoiceExport, "issue": runInvoiceIssue, "paid": runInvoicePaid, "void": runInvoiceVoid,
	}, "show, export, issue, paid or void", "show")
}

// invoiceArg opens the database and finds the invoice NUMBER (or #ID).
func invoiceArg(e *env, cmd string, pos []string) (*store.Store, store.Invoice, error) {
	if len(pos) != 1 {
		return nil, store.Invoice{}, fail(1, "%s: want one invoice NUMBER such as 2026-000123, or #ID for a draft (see offduty invoice --help)", cmd)
	}
	n := strings.TrimSpace(pos[0])
	if !invoiceNumberRE.MatchString(n) {
		return nil, store.Invoice{}, fail(1, "%s: %q is not an invoice number: want YYYY-NNNNNN such as 2026-000123, or #ID", cmd, n)
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return nil, store.Invoice{}, err
	}
	inv, err := s.InvoiceByNumber(ctx, n)
	if err != nil {
		s.Close()
		return nil, store.Invoice{}, billingFail(cmd, err)
	}
	return s, inv, nil
}

var invoiceNumberRE = regexp.MustCompile(`^(\d{4}-\d{6}|#[1-9]\d*)$`)

func runInvoiceShow(e *env, args []string) error {
	const cmd = "invoice show"
	fs := billingFlagSet(e, "invoice", cmd, invoiceDescribe)
	asJSON := fs.Bool("json", false, "print one JSON object (money as two-decimal strings)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	s, inv, err := invoiceArg(e, cmd, pos)
	if err != nil {
		return err
	}
	defer s.Close()
	today, err := civilDate(e, cmd, "now", "")
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, invoiceJSON(inv, today))
	}
	fmt.Fprint(e.stdout, formatInvoice(inv, today, true))
	return nil
}

func runInvoiceExport(e *env, args []string) error {
	const cmd = "invoice export"
	fs := billingFlagSet(e, "invoice", cmd, invoiceDescribe)
	format := fs.String("format", "", "`FORMAT`: pdf or csv (default: -o's extension, else pdf)")
	var out string
	fs.StringVar(&out, "o", "", "write to `FILE`, replaced atomically; - writes to stdout")
	fs.StringVar(&out, "output", "", "same as -o (`FILE`)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	f := strings.ToLower(strings.TrimSpace(*format))
	if f == "" {
		f = "pdf"
		if strings.EqualFold(filepath.Ext(out), ".csv") || out == "" {
			f = "csv"
		}
	}
	if f != "pdf" && f != "csv" {
		return fail(1, "%s: --format: unknown format %q (known: pdf, csv)", cmd, *format)
	}
	if f == "pdf" && out == "" {
		return fail(1, "%s: a PDF needs -o FILE (or -o - for stdout)", cmd)
	}
	if err := outputPath(cmd, out); err != nil {
		return err
	}
	s, inv, err := invoiceArg(e, cmd, pos)
	if err != nil {
		return err
	}
	defer s.Close()
	err = writeOut(e, out, func(w io.Writer) error {
		if f == "csv" {
			return export.InvoiceCSV(w, inv)
		}
		return export.InvoicePDF(w, inv, export.DefaultOffice)
	})
	if err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	if out != "" && out != "-" {
		fmt.Fprintf(e.stderr, "wrote invoice %s (%s, %d %s, total %s) to %s\n", export.Name(inv), inv.CustomerName, len(inv.Lines),
			plural(len(inv.Lines), "line"), pricing.FormatMoney(inv.Total), out)
	}
	return nil
}

func runInvoiceIssue(e *env, args []string) error {
	const cmd = "invoice issue"
	fs := billingFlagSet(e, "invoice", cmd, invoiceDescribe)
	on := fs.String("on", "", "issue date `YYYY-MM-DD` (default: the clock's day)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	day, err := civilDate(e, cmd, "on", *on)
	if err != nil {
		return err
	}
	s, inv, err := invoiceArg(e, cmd, pos)
	if err != nil {
		return err
	}
	defer s.Close()
	number, err := s.IssueInvoice(context.Background(), e.actorName(), inv.ID, day)
	if err != nil {
		return billingFail(cmd, err)
	}
	inv, err = s.Invoice(context.Background(), inv.ID)
	if err != nil {
		return billingFail(cmd, err)
	}
	fmt.Fprintf(e.stdout, "Issued %s to %s on %s: %s, due %s (net %d).\n", number, inv.CustomerName, day.Format("2006-01-02"),
		pricing.FormatMoney(inv.Total), inv.DueOn.Format("2006-01-02"), inv.TermsDays)
	return nil
}

func runInvoicePaid(e *env, args []string) error {
	const cmd = "invoice paid"
	fs := billingFlagSet(e, "invoice", cmd, invoiceDescribe)
	on := fs.String("on", "", "payment date `YYYY-MM-DD` (default: the clock's day)")
	ref := fs.String("ref", "", "the payment's reference (`TEXT`: check number, transfer id)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	day, err := civilDate(e, cmd, "on", *on)
	if err != nil {
		return err
	}
	s, inv, err := invoiceArg(e, cmd, pos)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.MarkPaid(context.Background(), e.actorName(), inv.ID, day, *ref); err != nil {
		return billingFail(cmd, err)
	}
	fmt.Fprintf(e.stdout, "Recorded the payment of %s (%s, %s) on %s.\n", export.Name(inv), inv.CustomerName, pricing.FormatMoney(inv.Total), day.Format("2006-01-02"))
	return nil
}

func runInvoiceVoid(e *env, args []string) error {
	const cmd = "invoice void"
	fs := billingFlagSet(e, "invoice", cmd, invoiceDescribe)
	reason := fs.String("reason", "", "why it is void (`TEXT`, required): printed on it")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return fail(1, "%s: --reason is required, e.g. --reason \"billed the wrong site\"", cmd)
	}
	s, inv, err := invoiceArg(e, cmd, pos)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.VoidInvoice(context.Background(), e.actorName(), inv.ID, *reason); err != nil {
		return billingFail(cmd, err)
	}
	fmt.Fprintf(e.stdout, "Voided %s (%s, %s): its shifts can be billed again.\n", export.Name(inv), inv.CustomerName, pricing.FormatMoney(inv.Total))
	return nil
}

const invoicesDescribe = `Bills accounts, or lists invoices.

  offduty invoices generate --period YYYY-MM-DD [--account ID] [--save] [--issue [--on YYYY-MM-DD]] [--json]
      For every account (or one), the invoice of the period of its billing cycle (weekly
      Monday to Sunday, biweekly, monthly) that holds the date: its completed shifts not
      billed yet, one line per shift and position and rate (billed hours: the minimum, the
      full shift when released early, the real time when held over; prices from each job's
      own rate card), its vehicles and its cancellation and reduction fees. Without --save
      it only previews; --save keeps them as drafts; --issue also issues them (numbers in
      order, due dates from the terms). Accounts with nothing to bill are left out.
  offduty invoices list [--account ID] [--state draft|issued|paid|void|overdue] [--json]
      Invoices, newest period first, with their state (overdue: issued and past due by the
      clock).
--json prints a JSON array (money as two-decimal strings; period_end is the last day).
Exit status: 0 (also when there is nothing to bill); 1 invalid input or an unknown account;
2 refused by a rule or a role.`

func runInvoices(e *env, args []string) error {
	return subcommand(e, "invoices", args, map[string]func(*env, []string) error{
		"generate": runInvoicesGenerate, "list": runInvoicesList, "ls": runInvoicesList,
	}, "generate or list", "generate")
}

func runInvoicesGenerate(e *env, args []string) error {
	const cmd = "invoices generate"
	fs := billingFlagSet(e, "invoices", cmd, invoicesDescribe)
	period := fs.String("period", "", "a date `YYYY-MM-DD` in the periods to bill (required)")
	account := fs.String("account", "", "bill only this account (customer `ID`)")
	save := fs.Bool("save", false, "keep the invoices as drafts (without it: a preview, nothing written)")
	issue := fs.Bool("issue", false, "save and issue them (implies --save)")
	on := fs.String("on", "", "with --issue: the issue date `YYYY-MM-DD` (default: the clock's day)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*period) == "" {
		return fail(1, "%s: --period is required, e.g. --period 2026-11-01", cmd)
	}
	day, err := civilDate(e, cmd, "period", *period)
	if err != nil {
		return err
	}
	cust, err := accountID(cmd, *account)
	if err != nil {
		return err
	}
	if *on != "" && !*issue {
		return fail(1, "%s: --on is the issue date: it goes with --issue", cmd)
	}
	issueOn, err := civilDate(e, cmd, "on", *on)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	invs, err := s.GenerateInvoices(ctx, e.actorName(), day, cust, *save || *issue)
	if err != nil {
		return billingFail(cmd, err)
	}
	if *issue {
		for i := range invs {
			if _, err := s.IssueInvoice(ctx, e.actorName(), invs[i].ID, issueOn); err != nil {
				return billingFail(cmd, err)
			}
			if invs[i], err = s.Invoice(ctx, invs[i].ID); err != nil {
				return billingFail(cmd, err)
			}
		}
	}
	today, err := civilDate(e, cmd, "now", "")
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]any, 0, len(invs))
		for _, inv := range invs {
			out = append(out, invoiceJSON(inv, today))
		}
		return writeJSON(e.stdout, out)
	}
	if len(invs) == 0 {
		fmt.Fprintf(e.stdout, "Nothing to bill for the periods holding %s.\n", day.Format("2006-01-02"))
		return nil
	}
	total := decimal.Zero
	lines := 0
	for _, inv := range invs {
		fmt.Fprint(e.stdout, formatInvoice(inv, today, false))
		total = total.Add(inv.Total)
		lines += len(inv.Lines)
	}
	what := "previewed (nothing saved; --save keeps them)"
	switch {
	case *issue:
		what = "issued"
	case *save:
		what = "saved as drafts"
	}
	fmt.Fprintf(e.stdout, "%d %s, %d %s, %s: %s.\n", len(invs), plural(len(invs), "invoice"), lines, plural(lines, "line"), pricing.FormatMoney(total), what)
	return nil
}

func runInvoicesList(e *env, args []string) error {
	const cmd = "invoices list"
	fs := billingFlagSet(e, "invoices", cmd, invoicesDescribe)
	account := fs.String("account", "", "only this account (customer `ID`)")
	state := fs.String("state", "", "only this `STATE`: draft, issued, paid, void or overdue")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	cust, err := accountID(cmd, *account)
	if err != nil {
		return err
	}
	st := strings.ToLower(strings.TrimSpace(*state))
	switch st {
	case "", store.InvoiceDraft, store.InvoiceIssued, store.InvoicePaid, store.InvoiceVoid, "overdue":
	default:
		return fail(1, "%s: --state: unknown state %q (draft, issued, paid, void or overdue)", cmd, *state)
	}
	today, err := civilDate(e, cmd, "now", "")
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	f := store.InvoiceFilter{CustomerID: cust, State: st}
	if st == "overdue" {
		f.State = store.InvoiceIssued
	}
	all, err := s.Invoices(ctx, f)
	if err != nil {
		return billingFail(cmd, err)
	}
	var list []store.Invoice
	for _, inv := range all {
		if st != "overdue" || inv.Overdue(today) {
			list = append(list, inv)
		}
	}
	if *asJSON {
		out := make([]any, 0, len(list))
		for _, inv := range list {
			out = append(out, invoiceJSON(inv, today))
		}
		return writeJSON(e.stdout, out)
	}
	var b strings.Builder
	for _, inv := range list {
		fmt.Fprintf(&b, "%-12s %-9s %-28s %s to %s  %12s  %s\n", export.Name(inv), stateWord(inv, today), clip(inv.CustomerName, 28),
			inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"), pricing.FormatMoney(inv.Total), dueText(inv))
	}
	fmt.Fprint(e.stdout, b.String())
	return nil
}

func stateWord(inv store.Invoice, today time.Time) string {
	if inv.Overdue(today) {
		return "OVERDUE"
	}
	return inv.State
}

func dueText(inv store.Invoice) string {
	switch inv.State {
	case store.InvoiceIssued:
		return "due " + inv.DueOn.Format("2006-01-02")
	case store.InvoicePaid:
		return "paid " + inv.PaidOn.Format("2006-01-02")
	case store.InvoiceVoid:
		return "void: " + inv.VoidReason
	}
	return "not issued"
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatInvoice is an invoice as text: its head, and its lines when asked
// (or when it has a few).
func formatInvoice(inv store.Invoice, today time.Time, lines bool) string {
	var b strings.Builder
	name := export.Name(inv)
	if inv.ID == 0 {
		name = "(preview)"
	}
	fmt.Fprintf(&b, "%s  %s (account %d, %s)  %s to %s  %s\n", name, inv.CustomerName, inv.CustomerID, inv.Cycle,
		inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"), stateWord(inv, today))
	if !inv.IssuedOn.IsZero() {
		fmt.Fprintf(&b, "  issued %s, due %s (net %d)", inv.IssuedOn.Format("2006-01-02"), inv.DueOn.Format("2006-01-02"), inv.TermsDays)
		if inv.State == store.InvoicePaid {
			fmt.Fprintf(&b, ", paid %s %s", inv.PaidOn.Format("2006-01-02"), inv.PaidRef)
		}
		b.WriteString("\n")
	}
	if inv.State == store.InvoiceVoid {
		fmt.Fprintf(&b, "  void: %s\n", inv.VoidReason)
	}
	if lines {
		for _, l := range inv.Lines {
			who, class, hours, rate := l.Officer, l.Class, pricing.FormatMinutes(l.Minutes), pricing.FormatMoney(l.Rate)
			if l.Basis != "" && l.Basis != pricing.BasisRegular && l.Basis != l.Class {
				class += ", " + l.Basis
			}
			switch l.Kind {
			case "vehicle":
				who = fmt.Sprintf("%d %s", l.Count, plural(l.Count, "vehicle"))
			case "fee":
				who, hours, rate = l.Description, "", ""
			}
			if l.Kind == "shift" && l.Description != "" {
				who += " (" + l.Description + ")"
			}
			fmt.Fprintf(&b, "  %3d  %s  %-24s %-34s %-20s %6s %7s %10s\n", l.Seq, l.Day.Format("2006-01-02"), clip(l.Site, 24), clip(who, 34),
				clip(class, 20), hours, rate, pricing.FormatMoney(l.Amount))
		}
	}
	fmt.Fprintf(&b, "  %d %s, subtotal %s, total %s\n", len(inv.Lines), plural(len(inv.Lines), "line"), pricing.FormatMoney(inv.Subtotal),
		pricing.FormatMoney(inv.Total))
	return b.String()
}

// invoiceJSON is an invoice for --json: money as two-decimal strings, dates
// YYYY-MM-DD (null when not set), period_end the last day of the period;
// its lines when it has them loaded (invoices list leaves them out).
func invoiceJSON(inv store.Invoice, today time.Time) map[string]any {
	date := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format("2006-01-02")
	}
	var number, name, id any
	if inv.Number != "" {
		number = inv.Number
	}
	if inv.ID != 0 { // a preview has neither
		name, id = export.Name(inv), inv.ID
	}
	lines := make([]map[string]any, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		lines = append(lines, map[string]any{"seq": l.Seq, "kind": l.Kind, "job": l.JobID, "date": l.Day.Format("2006-01-02"), "site": l.Site,
			"officer": l.Officer, "class": l.Class, "basis": l.Basis, "count": l.Count, "minutes": l.Minutes, "hours": pricing.FormatMinutes(l.Minutes),
			"rate": l.Rate.StringFixed(2), "amount": l.Amount.StringFixed(2), "officer_pay": l.OfficerPay.StringFixed(2),
			"admin_fee": l.AdminFee.StringFixed(2), "description": l.Description})
	}
	out := map[string]any{"id": id, "number": number, "name": name, "state": inv.State, "overdue": inv.Overdue(today),
		"account_id": inv.CustomerID, "account": inv.CustomerName, "cycle": inv.Cycle,
		"period_start": inv.PeriodStart.Format("2006-01-02"), "period_end": inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"),
		"terms_days": inv.TermsDays, "issued_on": date(inv.IssuedOn), "due_on": date(inv.DueOn), "paid_on": date(inv.PaidOn), "paid_ref": inv.PaidRef,
		"void_reason": inv.VoidReason, "subtotal": inv.Subtotal.StringFixed(2), "total": inv.Total.StringFixed(2)}
	if inv.Lines != nil {
		out["lines"] = lines
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

const payrollDescribe = `Pay periods: per officer, each shift with its hours and the officer's share of
the rate (the invoice bills the total; the office keeps the admin fee), the vehicles of a
job paid to its first officer, and adjustments: changes to the shifts of periods already
locked (a late completion, a corrected check-out) are paid in the next open period.
Periods are two weeks from Monday 5 Jan 2026 unless configured otherwise.

  offduty payroll show --period YYYY-MM-DD [--json]
  offduty payroll export --period YYYY-MM-DD [--format csv] [-o FILE] [--lock]
      CSV, one row per paid line (officer, kind, date, job, customer, site, class, minutes,
      hours, rate, amount); -o - or no -o writes to stdout; a file is replaced atomically.
      --lock locks the period as exported: it reads back unchanged from then on.
--period is any date in the period (default: the clock's day).
Exit status: 0; 1 invalid input; 2 refused (--lock on a locked period, or a role).`

func runPayroll(e *env, args []string) error {
	return subcommand(e, "payroll", args, map[string]func(*env, []string) error{
		"show": runPayrollShow, "export": runPayrollExport,
	}, "show or export", "show")
}

func runPayrollShow(e *env, args []string) error {
	const cmd = "payroll show"
	fs := billingFlagSet(e, "payroll", cmd, payrollDescribe)
	period := fs.String("period", "", "a date `YYYY-MM-DD` in the pay period (default: the clock's day)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	day, err := civilDate(e, cmd, "period", *period)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.Payroll(ctx, day)
	if err != nil {
		return billingFail(cmd, err)
	}
	if *asJSON {
		return writeJSON(e.stdout, payrollJSON(p))
	}
	fmt.Fprint(e.stdout, formatPayroll(p))
	return nil
}

func runPayrollExport(e *env, args []string) error {
	const cmd = "payroll export"
	fs := billingFlagSet(e, "payroll", cmd, payrollDescribe)
	period := fs.String("period", "", "a date `YYYY-MM-DD` in the pay period (default: the clock's day)")
	format := fs.String("format", "csv", "`FORMAT`: csv")
	var out string
	fs.StringVar(&out, "o", "", "write to `FILE`, replaced atomically; - or none writes to stdout")
	fs.StringVar(&out, "output", "", "same as -o (`FILE`)")
	lock := fs.Bool("lock", false, "lock the period as exported (later changes go to the next period)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if f := strings.ToLower(strings.TrimSpace(*format)); f != "csv" {
		return fail(1, "%s: --format: unknown format %q (known: csv)", cmd, *format)
	}
	day, err := civilDate(e, cmd, "period", *period)
	if err != nil {
		return err
	}
	if err := outputPath(cmd, out); err != nil {
		return err
	}
	ctx := context.Background()
	s, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	// Locking first makes what is written exactly what was locked (a locked
	// period reads back unchanged, so a failed write can be done again).
	var p store.Payroll
	if *lock {
		p, err = s.LockPayroll(ctx, e.actorName(), day)
	} else {
		p, err = s.Payroll(ctx, day)
	}
	if err != nil {
		return billingFail(cmd, err)
	}
	if err := writeOut(e, out, func(w io.Writer) error { return export.PayrollCSV(w, p) }); err != nil {
		return fail(1, "%s: %v", cmd, err)
	}
	lines := 0
	for _, op := range p.Officers {
		lines += len(op.Lines)
	}
	where := "stdout"
	if out != "" && out != "-" {
		where = out
	}
	state := "open"
	if p.Locked {
		state = "locked"
	}
	fmt.Fprintf(e.stderr, "wrote pay period %s to %s (%s): %d %s, %d %s, %s to %s\n", p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02"),
		state, len(p.Officers), plural(len(p.Officers), "officer"), lines, plural(lines, "line"), pricing.FormatMoney(p.Total), where)
	return nil
}

func formatPayroll(p store.Payroll) string {
	var b strings.Builder
	state := "open"
	if p.Locked {
		state = fmt.Sprintf("locked %s by %s", p.LockedAt.Format("2006-01-02 15:04Z"), p.LockedBy)
	}
	fmt.Fprintf(&b, "Pay period %s to %s (%s): %d %s, %s\n", p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02"), state,
		len(p.Officers), plural(len(p.Officers), "officer"), pricing.FormatMoney(p.Total))
	for _, op := range p.Officers {
		fmt.Fprintf(&b, "%-28s %-8s %7s h %12s\n", clip(op.Officer.Name(), 28), op.Officer.Badge, pricing.FormatMinutes(op.Minutes), pricing.FormatMoney(op.Total))
		for _, l := range op.Lines {
			fmt.Fprintf(&b, "    %s  %-10s #%-7d %-28s %-12s %6s %-11s %10s\n", l.Day.Format("2006-01-02"), l.Kind, l.JobID, clip(l.Customer, 28),
				clip(l.Class, 12), pricing.FormatMinutes(l.Minutes), l.Rate, pricing.FormatMoney(l.Amount))
		}
	}
	return b.String()
}

func payrollJSON(p store.Payroll) map[string]any {
	offs := make([]map[string]any, 0, len(p.Officers))
	for _, op := range p.Officers {
		lines := make([]map[string]any, 0, len(op.Lines))
		for _, l := range op.Lines {
			lines = append(lines, map[string]any{"kind": l.Kind, "date": l.Day.Format("2006-01-02"), "job": l.JobID, "position": l.PositionID,
				"customer": l.Customer, "site": l.Site, "class": l.Class, "minutes": l.Minutes, "hours": pricing.FormatMinutes(l.Minutes),
				"rate": l.Rate, "amount": l.Amount.StringFixed(2)})
		}
		offs = append(offs, map[string]any{"officer_id": op.Officer.ID, "badge": op.Officer.Badge, "officer": op.Officer.Name(),
			"minutes": op.Minutes, "total": op.Total.StringFixed(2), "lines": lines})
	}
	var at any
	if p.Locked {
		at = p.LockedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{"period_start": p.Start.Format("2006-01-02"), "period_end": p.End.AddDate(0, 0, -1).Format("2006-01-02"),
		"locked": p.Locked, "locked_at": at, "locked_by": p.LockedBy, "total": p.Total.StringFixed(2), "officers": offs}
}
