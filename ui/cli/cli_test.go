package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"offduty/pricing"
	"offduty/store"
)

type result struct {
	code           int
	stdout, stderr string
}

// testEnv is a fresh database and the fixed office clock of the examples.
func testEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"OFFDUTY_DB":  filepath.Join(t.TempDir(), "offduty.db"),
		"OFFDUTY_NOW": "2026-11-26 09:00",
	}
}

func runWith(env map[string]string, args ...string) result {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), createdRE.ReplaceAllString(errb.String(), "")}
}

// createdRE is the line a command prints when it makes a new database;
// TestNewDatabaseIsAnnounced checks it, the other tests read past it.
var createdRE = regexp.MustCompile(`(?m)^offduty: (created a new database at|made the offduty tables in) .*\n`)

// quote runs `offduty quote --demo=false ARGS...`.
func quote(env map[string]string, args ...string) result {
	return runWith(env, append([]string{"quote", "--demo=false"}, args...)...)
}

func snapshot(t *testing.T, r result) pricing.Snapshot {
	t.Helper()
	var s pricing.Snapshot
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	return s
}

func TestQuoteChristmasEve(t *testing.T) {
	env := testEnv(t)
	args := []string{"--agency", "west-valley-city", "--start", "2026-12-24 18:00", "--hours", "6", "--officers", "5", "--vehicles", "1"}
	r := quote(env, append(args, "--json")...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Errorf("--json printed more than one line:\n%s", r.stdout)
	}
	s := snapshot(t, r)
	if s.Total != "3084.84" || !s.Bookable || len(s.Lines) != 3 || s.Supervisors != 1 || s.Emergency {
		t.Errorf("total %s bookable %v lines %d supervisors %d emergency %v", s.Total, s.Bookable, len(s.Lines), s.Supervisors, s.Emergency)
	}
	want := []struct{ class, basis, rate, amount string }{
		{"officer", "holiday", "85.50", "2565.00"},
		{"supervisor", "holiday", "85.50", "513.00"},
		{"vehicle", "vehicle", "1.14", "6.84"},
	}
	for i, w := range want {
		if i >= len(s.Lines) {
			break
		}
		l := s.Lines[i]
		if string(l.Class) != w.class || l.Basis != w.basis || l.Rate != w.rate || l.Amount != w.amount {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
		}
	}
	if s.Start != "2026-12-24T18:00:00-07:00" || s.End != "2026-12-25T00:00:00-07:00" || s.Received != "2026-11-26T09:00:00-07:00" {
		t.Errorf("times %s - %s received %s", s.Start, s.End, s.Received)
	}

	r = quote(env, args...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("plain: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"Total", "3,084.84", "supervisor added", "Christmas Eve", "West Valley City PD", "Bookable."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plain quote lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(env["OFFDUTY_DB"]); err != nil {
		t.Errorf("database not created where OFFDUTY_DB says: %v", err)
	}
}

func TestQuoteRegular(t *testing.T) {
	env := testEnv(t)
	r := quote(env, "--agency", "west-valley-city", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "5", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if s := snapshot(t, r); s.Total != "1413.60" || len(s.Lines) != 2 {
		t.Errorf("total %s with %d lines, want 1413.60 (5 x 4 h x 57.00 + 4 h x 68.40)", s.Total, len(s.Lines))
	}
	// --end instead of --hours, and the minimum: 1 h billed as 2 h.
	r = quote(env, "--agency", "grantsville", "--start", "2026-12-08 10:00", "--end", "2026-12-08 11:00", "--officers", "1", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if s := snapshot(t, r); s.Total != "120.00" || s.BilledMinutes != 120 || s.ElapsedMinutes != 60 {
		t.Errorf("grantsville 1 h: total %s billed %d elapsed %d, want 120.00 for 2 h", s.Total, s.BilledMinutes, s.ElapsedMinutes)
	}
}

func TestQuoteNotBookable(t *testing.T) {
	env := testEnv(t)
	r := quote(env, "--agency", "west-valley-city", "--start", "2026-12-12 21:00", "--hours", "4", "--officers", "2", "--venue", "alcohol")
	if r.code != 2 {
		t.Fatalf("alcohol: exit %d, want 2; stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "456.00") || !strings.Contains(r.stdout, "REFUSED") || !strings.Contains(r.stdout, "Not bookable.") {
		t.Errorf("alcohol: stdout should still show the figures:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "not bookable") || !strings.Contains(r.stderr, "alcoholic beverages are dispensed") {
		t.Errorf("alcohol: stderr %q should quote the rule", r.stderr)
	}
	r = quote(env, "--agency", "west-valley-city", "--start", "2026-12-12 21:00", "--hours", "4", "--officers", "2", "--venue", "alcohol", "--json")
	if s := snapshot(t, r); r.code != 2 || s.Bookable || len(s.Refusals) != 1 || s.Refusals[0].Code != "prohibited-venue" {
		t.Errorf("alcohol --json: exit %d, %+v", r.code, s)
	}

	// Grantsville needs 24 h notice and has no emergency rate.
	r = quote(env, "--agency", "grantsville", "--start", "2026-11-26 20:00", "--hours", "4", "--officers", "2")
	if r.code != 2 {
		t.Fatalf("grantsville short notice: exit %d, want 2; stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Total") || !strings.Contains(r.stdout, "480.00") {
		t.Errorf("short notice: stdout should have the quote:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "short notice") || !strings.Contains(r.stderr, "earliest acceptable start Fri 27 Nov 2026 09:00") {
		t.Errorf("short notice: stderr %q", r.stderr)
	}
	// Labor disputes are refused at Grantsville, not at West Valley City.
	r = quote(env, "--agency", "grantsville", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "1", "--venue", "labor-dispute")
	if r.code != 2 || !strings.Contains(r.stderr, "strike, lockout, picket") {
		t.Errorf("labor dispute at grantsville: exit %d stderr %q", r.code, r.stderr)
	}
	r = quote(env, "--agency", "west-valley-city", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "1", "--venue", "labor")
	if r.code != 0 {
		t.Errorf("labor dispute at west valley: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestQuoteInvalidInput(t *testing.T) {
	env := testEnv(t)
	ok := []string{"--agency", "west-valley-city", "--start", "2026-12-08 10:00", "--hours", "4", "--officers", "2"}
	// with replaces (or, with a value of "", removes) flags of the valid request.
	with := func(changes ...string) []string {
		var out []string
		set := map[string]string{}
		for i := 0; i < len(changes); i += 2 {
			set[changes[i]] = changes[i+1]
		}
		for i := 0; i < len(ok); i += 2 {
			v, changed := set[ok[i]]
			if changed {
				delete(set, ok[i])
				if v == "" {
					continue
				}
				out = append(out, ok[i], v)
				continue
			}
			out = append(out, ok[i], ok[i+1])
		}
		for i := 0; i < len(changes); i += 2 {
			if v, left := set[changes[i]]; left {
				out = append(out, changes[i], v)
			}
		}
		return out
	}
	for _, c := range []struct {
		name string
		args []string
		want []string // on stderr
	}{
		{"unknown agency", with("--agency", "springfield"), []string{`--agency: unknown agency "springfield"`, "grantsville, west-valley-city"}},
		{"missing agency", with("--agency", ""), []string{"--agency is required"}},
		{"unknown venue", with("--venue", "moon"), []string{"--venue", `unknown venue "moon"`}},
		{"malformed date", with("--start", "24/12/2026 18:00"), []string{"--start", "is not a date and time", "YYYY-MM-DD HH:MM"}},
		{"date without time", with("--start", "2026-12-24"), []string{"--start", "is not a date and time"}},
		{"impossible date", with("--start", "2026-02-30 10:00"), []string{"--start", "2026-02-30 10:00 is not a real date"}},
		{"impossible hour", with("--start", "2026-12-08 24:00"), []string{"--start", "not a real date"}},
		{"spring-forward gap", with("--start", "2027-03-14 02:30"), []string{"--start", "does not exist", "skip"}},
		{"missing start", with("--start", ""), []string{"--start is required"}},
		{"zero officers", with("--officers", "0"), []string{"--officers must be at least 1 (got 0)"}},
		{"negative officers", with("--officers", "-3"), []string{"--officers must be at least 1 (got -3)"}},
		{"501 officers", with("--officers", "501"), []string{"--officers", "at most 500", "501"}},
		{"officers not a number", with("--officers", "two"), []string{"invalid argument", "officers"}},
		{"missing officers", with("--officers", ""), []string{"--officers is required"}},
		{"end not after start", with("--hours", "", "--end", "2026-12-08 09:00"), []string{"--end must be after --start"}},
		{"end equals start", with("--hours", "", "--end", "2026-12-08 10:00"), []string{"--end must be after --start"}},
		{"end malformed", with("--hours", "", "--end", "tomorrow"), []string{"--end", "is not a date and time"}},
		{"shift over 24 h", with("--hours", "", "--end", "2026-12-09 10:01"), []string{"at most 24 hours"}},
		{"hours 0", with("--hours", "0"), []string{"--hours", "more than 0"}},
		{"hours 25", with("--hours", "25"), []string{"--hours", "at most 24 hours"}},
		{"hours abc", with("--hours", "abc"), []string{"--hours", `"abc" is not a number of hours`}},
		{"hours not whole minutes", with("--hours", "1.001"), []string{"--hours", "whole number of minutes"}},
		{"no end or hours", with("--hours", ""), []string{"give --end or --hours"}},
		{"both end and hours", with("--end", "2026-12-08 14:00"), []string{"--end or --hours, not both"}},
		{"vehicles for grantsville", with("--agency", "grantsville", "--vehicles", "1"), []string{"--vehicles", "Grantsville PD does not offer vehicles"}},
		{"negative vehicles", with("--vehicles", "-1"), []string{"--vehicles cannot be negative"}},
		{"received malformed", with("--received", "yesterday"), []string{"--received", "is not a date and time"}},
		{"unknown flag", with("--officres", "2"), []string{"unknown flag", "officres", "offduty quote --help"}},
		{"stray argument", append(with(), "extra"), []string{`unexpected argument "extra"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := quote(env, c.args...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1 (stderr %q)", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "offduty: quote") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr should be one line starting \"offduty: quote\": %q", r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
		})
	}
	// A bad --now is refused before anything is opened.
	bad := testEnv(t)
	bad["OFFDUTY_NOW"] = "soon"
	r := quote(bad, ok...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "--now") {
		t.Errorf("bad OFFDUTY_NOW: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestQuoteReceivedControlsEmergency(t *testing.T) {
	env := testEnv(t)
	for _, c := range []struct {
		start, received string
		emergency       bool
		total           string
	}{
		// Christmas Eve is a holiday either way; the emergency flag tells them apart.
		{"2026-12-24 18:00", "2026-12-21 18:00", false, "513.00"}, // exactly 72 h
		{"2026-12-24 18:00", "2026-12-21 18:01", true, "513.00"},  // 71 h 59 min
		// On an ordinary day the price changes: 6 h x 57.00 or 85.50.
		{"2026-12-10 18:00", "2026-12-07 18:00", false, "342.00"},
		{"2026-12-10 18:00", "2026-12-07 18:01", true, "513.00"},
		{"2026-12-10 18:00", "2026-12-10 19:00", true, "513.00"}, // received after the start
		{"2026-12-10 18:00", "", false, "342.00"},                // default: the clock, 2 weeks ahead
	} {
		args := []string{"--agency", "west-valley-city", "--start", c.start, "--hours", "6", "--officers", "1", "--json"}
		if c.received != "" {
			args = append(args, "--received", c.received)
		}
		r := quote(env, args...)
		if r.code != 0 {
			t.Errorf("%s received %s: exit %d %s", c.start, c.received, r.code, r.stderr)
			continue
		}
		s := snapshot(t, r)
		if s.Emergency != c.emergency || s.Total != c.total {
			t.Errorf("%s received %q: emergency %v total %s, want %v %s", c.start, c.received, s.Emergency, s.Total, c.emergency, c.total)
		}
		hasWarning := strings.Contains(strings.Join(s.Warnings, "\n"), "emergency rate")
		if hasWarning != c.emergency {
			t.Errorf("%s received %q: warnings %q", c.start, c.received, s.Warnings)
		}
	}
	// At Grantsville the same boundary decides bookable or refused.
	r := quote(env, "--agency", "grantsville", "--start", "2026-12-10 18:00", "--hours", "4", "--officers", "1", "--received", "2026-12-09 18:00")
	if r.code != 0 {
		t.Errorf("grantsville exactly 24 h: exit %d %s", r.code, r.stderr)
	}
	r = quote(env, "--agency", "grantsville", "--start", "2026-12-10 18:00", "--hours", "4", "--officers", "1", "--received", "2026-12-09 18:01")
	if r.code != 2 || !strings.Contains(r.stderr, "earliest acceptable start Thu 10 Dec 2026 18:01") {
		t.Errorf("grantsville 23:59 ahead: exit %d %s", r.code, r.stderr)
	}
}

func TestHelp(t *testing.T) {
	env := testEnv(t)
	flagRE := func(name string) *regexp.Regexp { return regexp.MustCompile(`(^|[\s\[(|])--?` + name + `\b`) }
	for _, c := range []struct {
		args  []string
		flags []string
	}{
		{[]string{"--help"}, []string{"db", "now", "demo"}},
		{[]string{"-h"}, []string{"db", "now", "demo"}},
		{[]string{"help"}, []string{"db", "now", "demo"}},
		{[]string{"quote", "--help"}, []string{"db", "now", "demo", "agency", "start", "end", "hours", "officers", "vehicles", "venue", "received", "json"}},
		{[]string{"quote", "-h"}, []string{"agency", "json"}},
		{[]string{"help", "quote"}, []string{"db", "now", "agency", "start", "end", "hours", "officers", "vehicles", "venue", "received", "json"}},
		{[]string{"agencies", "--help"}, []string{"db", "now", "json"}},
	} {
		r := runWith(env, c.args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d stderr %q", c.args, r.code, r.stderr)
		}
		for _, f := range c.flags {
			if !flagRE(f).MatchString(r.stdout) {
				t.Errorf("%v does not mention --%s:\n%s", c.args, f, r.stdout)
			}
		}
		if n := strings.Count(r.stdout, "USAGE"); n != 1 {
			t.Errorf("%v printed its usage %d times", c.args, n)
		}
	}
	top := runWith(env, "--help").stdout
	for _, cmd := range []string{"console", "quote", "agencies"} {
		if !strings.Contains(top, "  "+cmd+" ") {
			t.Errorf("top-level help does not list %s", cmd)
		}
	}
	if _, err := os.Stat(env["OFFDUTY_DB"]); !os.IsNotExist(err) {
		t.Errorf("help created the database (%v)", err)
	}
	r := runWith(env, "frobnicate")
	if r.code != 1 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) || r.stdout != "" {
		t.Errorf("unknown command: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestDatabaseLocation(t *testing.T) {
	args := []string{"--agency", "grantsville", "--start", "2026-12-08 10:00", "--hours", "2", "--officers", "1", "--json"}

	// OFFDUTY_DB, in a folder that does not exist yet.
	env := testEnv(t)
	env["OFFDUTY_DB"] = filepath.Join(t.TempDir(), "a", "b", "office.db")
	if r := quote(env, args...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(env["OFFDUTY_DB"]); err != nil {
		t.Errorf("OFFDUTY_DB file: %v", err)
	}

	// --db wins over OFFDUTY_DB.
	flagDB := filepath.Join(t.TempDir(), "flag.db")
	if r := quote(env, append(args, "--db", flagDB)...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(flagDB); err != nil {
		t.Errorf("--db file: %v", err)
	}

	// Without OFFDUTY_DB: $XDG_DATA_HOME/offduty/offduty.db.
	xdg := t.TempDir()
	env = map[string]string{"OFFDUTY_NOW": "2026-11-26 09:00", "XDG_DATA_HOME": xdg, "HOME": t.TempDir()}
	if r := quote(env, args...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(xdg, "offduty", "offduty.db")); err != nil {
		t.Errorf("XDG default: %v", err)
	}
	if got := defaultDB(func(k string) string { return env[k] }); got != filepath.Join(xdg, "offduty", "offduty.db") {
		t.Errorf("defaultDB with XDG_DATA_HOME = %s", got)
	}

	// Without XDG_DATA_HOME: ~/.local/share/offduty/offduty.db.
	home := t.TempDir()
	env = map[string]string{"OFFDUTY_NOW": "2026-11-26 09:00", "HOME": home}
	if got := defaultDB(func(k string) string { return env[k] }); got != filepath.Join(home, ".local", "share", "offduty", "offduty.db") {
		t.Errorf("defaultDB with HOME = %s", got)
	}
	if r := quote(env, args...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "offduty", "offduty.db")); err != nil {
		t.Errorf("HOME default: %v", err)
	}
}

func TestDemoFlag(t *testing.T) {
	ctx := context.Background()
	args := []string{"quote", "--agency", "grantsville", "--start", "2026-12-08 10:00", "--hours", "2", "--officers", "1"}
	officers := func(path string) int {
		s, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		list, err := s.Officers(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	env := testEnv(t)
	if r := runWith(env, append(args, "--demo=false")...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := officers(env["OFFDUTY_DB"]); n != 0 {
		t.Errorf("--demo=false loaded %d officers", n)
	}
	// The default loads demo data into a new database, once.
	env = testEnv(t)
	for range 2 {
		if r := runWith(env, args...); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	if n := officers(env["OFFDUTY_DB"]); n != 25 {
		t.Errorf("demo loaded %d officers, want 25", n)
	}
}

func TestAgenciesCommand(t *testing.T) {
	env := testEnv(t)
	r := runWith(env, "agencies", "--demo=false", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out []struct {
		Slug  string `json:"slug"`
		Rates map[string]*struct {
			Total, Officer, Admin string
		} `json:"rates"`
		NoticeMinutes int               `json:"notice_minutes"`
		Prohibited    map[string]string `json:"prohibited"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(out) != 2 || out[0].Slug != "grantsville" || out[1].Slug != "west-valley-city" {
		t.Fatalf("agencies = %+v", out)
	}
	g, w := out[0], out[1]
	if g.Rates["regular"] == nil || g.Rates["regular"].Total != "60.00" || g.Rates["regular"].Admin != "6.50" || g.Rates["vehicle"] != nil || g.NoticeMinutes != 1440 {
		t.Errorf("grantsville = %+v", g)
	}
	if w.Rates["supervisor"] == nil || w.Rates["supervisor"].Total != "68.40" || w.Rates["vehicle"].Admin != "0.14" || len(w.Prohibited) != 3 {
		t.Errorf("west valley = %+v", w)
	}
	r = runWith(env, "agencies")
	if r.code != 0 || !strings.Contains(r.stdout, "West Valley City PD (west-valley-city)") || !strings.Contains(r.stdout, "Christmas Eve (Dec 24)") {
		t.Errorf("agencies: exit %d\n%s", r.code, r.stdout)
	}
}

// run is the program as main runs it, with the given streams and environment.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return Run(context.Background(), args, Env{Stdout: stdout, Stderr: stderr, Getenv: getenv})
}
