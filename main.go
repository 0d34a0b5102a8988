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
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata"

	tea "charm.land/bubbletea/v2" // a bare machine still knows America/Denver

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
	"offduty/ui"
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
		{"console", "offduty [console] [--db FILE] [--now TIME] [--demo=false]", "open the dispatch console (the default)", runConsole},
		{"quote", "offduty quote --agency SLUG --start TIME (--end TIME | --hours H) --officers N [flags]", "price a request and explain it", runQuote},
		{"agencies", "offduty agencies [--json]", "list agencies with their rate cards, holidays and prohibited venues", runAgencies},
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
data on first run). Keys are listed on the help line; ? shows them all.`)
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
	actor := e.getenv("USER")
	if actor == "" {
		actor = "local"
	}
	app := ui.New(ui.Options{Store: s, Now: clock, Loc: loc, Actor: actor})
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
