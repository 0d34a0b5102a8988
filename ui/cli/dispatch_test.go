package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// demoEnv is a fresh database with the demo data, made at the fixed clock.
func demoEnv(t *testing.T) map[string]string {
	t.Helper()
	env := testEnv(t)
	if r := runWith(env, "agencies"); r.code != 0 {
		t.Fatalf("creating the demo database: exit %d: %s", r.code, r.stderr)
	}
	return env
}

// withStore opens the command's database directly, for setting up and checking.
func withStore(t *testing.T, env map[string]string, fn func(ctx context.Context, s *store.Store)) {
	t.Helper()
	now, err := pricing.ParseLocal(env["OFFDUTY_NOW"], denverLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(env["OFFDUTY_DB"], store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fn(context.Background(), s)
}

func denverLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(officeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func local(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := pricing.ParseLocal(s, denverLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newJob saves (and, if asked, approves) a West Valley City retail job
// received at the fixed clock. Wednesday 10 February 2027 is past the demo
// data and no holiday.
func newJob(t *testing.T, env map[string]string, start string, hours, officers int, approve bool) int64 {
	t.Helper()
	var id int64
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		st := local(t, start)
		ids, err := s.CreateJobs(ctx, "test", store.JobInput{
			NewCustomer: &store.CustomerInput{Name: fmt.Sprintf("CLI Co %s %d", start, officers)}, NewSite: &store.SiteInput{Name: "Front gate"},
			Agency: "west-valley-city", Start: st, End: st.Add(time.Duration(hours) * time.Hour), Officers: officers,
			Venue: pricing.VenueRetail, Received: s.Now()})
		if err != nil {
			t.Fatal(err)
		}
		id = ids[0]
		if approve {
			if err := s.Approve(ctx, "test", id); err != nil {
				t.Fatal(err)
			}
		}
	})
	return id
}

func loadJob(t *testing.T, env map[string]string, id int64) store.Job {
	t.Helper()
	var j store.Job
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		var err error
		if j, err = s.Job(ctx, "", id); err != nil {
			t.Fatal(err)
		}
	})
	return j
}

// refused checks a failed run: the exit status, a message on stderr, nothing on stdout.
func refused(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code || r.stdout != "" || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d (want %d), stdout %q, stderr %q (want %q)", r.code, code, r.stdout, r.stderr, want)
	}
}

func id(n int64) string { return fmt.Sprint(n) }

type cliJob struct {
	ID          int64  `json:"id"`
	Customer    string `json:"customer"`
	Site        string `json:"site"`
	Agency      string `json:"agency"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Status      string `json:"status"`
	Officers    int    `json:"officers"`
	Supervisors int    `json:"supervisors"`
	Total       string `json:"total"`
	Positions   []struct {
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
	} `json:"positions"`
}

func jobsJSON(t *testing.T, env map[string]string, date string) []cliJob {
	t.Helper()
	r := runWith(env, "jobs", "--date", date, "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("jobs --date %s --json: exit %d, stderr %q", date, r.code, r.stderr)
	}
	var out []cliJob
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("jobs --json is not a JSON array: %v\n%s", err, r.stdout)
	}
	return out
}

func TestJobsCommand(t *testing.T) {
	env := demoEnv(t)
	// The demo always has a shift on duty at the clock: the day has jobs.
	got := jobsJSON(t, env, "2026-11-26")
	var want []store.Job
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		from := local(t, "2026-11-26 00:00")
		var err error
		if want, err = s.JobsWithPositions(ctx, "", from, from.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
	})
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d jobs listed, the store has %d that day", len(got), len(want))
	}
	assigned := 0
	for i, g := range got {
		w := want[i]
		if g.ID != w.ID || g.Customer != w.CustomerName || g.Site != w.SiteName || g.Agency != w.AgencySlug || g.Status != w.Status ||
			g.Start != w.Start.In(denverLoc(t)).Format(time.RFC3339) || g.End != w.End.In(denverLoc(t)).Format(time.RFC3339) ||
			len(g.Positions) != len(w.Positions) || g.Total != w.Total.StringFixed(2) {
			t.Errorf("job %d = %+v, store has %+v", i, g, w)
			continue
		}
		if !strings.HasSuffix(g.Start, "-07:00") || !strings.HasPrefix(g.Start, "2026-11-26T") {
			t.Errorf("start %q is not RFC 3339 in office time on the day", g.Start)
		}
		for k, p := range g.Positions {
			wp := w.Positions[k]
			if p.Slot != wp.Slot || p.Class != wp.Class || p.Status != wp.Status || p.Badge != wp.Badge || p.Officer != wp.OfficerName ||
				(p.OfficerID == nil) != (wp.OfficerID == 0) || (p.CheckIn == nil) != wp.CheckIn.IsZero() {
				t.Errorf("job %d position %d = %+v, store has %+v", g.ID, k, p, wp)
			}
			if p.OfficerID != nil {
				assigned++
			}
		}
	}
	if assigned == 0 {
		t.Error("no assigned position on a demo day")
	}

	// The table shows every job with its positions: officer and badge, or open.
	r := runWith(env, "jobs", "--date", "2026-11-26")
	if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Thu 26 Nov 2026: ") {
		t.Fatalf("exit %d stderr %q stdout:\n%s", r.code, r.stderr, r.stdout)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, fmt.Sprintf("#%-5d %s-%s", w.ID, w.Start.In(denverLoc(t)).Format("15:04"), w.End.In(denverLoc(t)).Format("15:04"))) ||
			!strings.Contains(r.stdout, w.CustomerName) {
			t.Errorf("job %d missing from the table:\n%s", w.ID, r.stdout)
		}
		for _, p := range w.Positions {
			if p.OfficerID != 0 && !strings.Contains(r.stdout, p.OfficerName+" ("+p.Badge+")") {
				t.Errorf("officer %s (%s) missing from the table", p.OfficerName, p.Badge)
			}
		}
	}
	// Without --date: the clock's day.
	if r2 := runWith(env, "jobs"); r2.code != 0 || r2.stdout != r.stdout {
		t.Errorf("jobs without --date differs from the clock's day: exit %d\n%s", r2.code, r2.stdout)
	}

	// A job at 23:30 belongs to its local day, not the UTC one.
	late := newJob(t, env, "2027-02-10 23:30", 4, 2, true)
	if jobs := jobsJSON(t, env, "2027-02-10"); len(jobs) != 1 || jobs[0].ID != late || jobs[0].Start != "2027-02-10T23:30:00-07:00" ||
		jobs[0].End != "2027-02-11T03:30:00-07:00" || jobs[0].Status != "approved" || len(jobs[0].Positions) != 2 ||
		jobs[0].Positions[0].OfficerID != nil || jobs[0].Positions[1].Slot != 2 {
		t.Errorf("the 10th: %+v", jobs)
	}
	if jobs := jobsJSON(t, env, "2027-02-11"); len(jobs) != 0 {
		t.Errorf("the 11th lists %+v", jobs)
	}
	r = runWith(env, "jobs", "--date", "2027-02-10")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("#%-5d 23:30-03:30+1", late)) || strings.Count(r.stdout, "  officer     open") != 2 {
		t.Errorf("late job table:\n%s", r.stdout)
	}
	// An empty day.
	if r := runWith(env, "jobs", "--date", "2027-02-11"); r.code != 0 || r.stdout != "No shifts on Thu 11 Feb 2027.\n" {
		t.Errorf("empty day: exit %d %q", r.code, r.stdout)
	}
	if r := runWith(env, "jobs", "--date", "2027-02-11", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty day JSON: exit %d %q", r.code, r.stdout)
	}

	// Invalid input.
	for _, args := range [][]string{
		{"jobs", "--date", "2027-13-01"},
		{"jobs", "--date", "10/02/2027"},
		{"jobs", "--date"},
		{"jobs", "2027-02-10"},
		{"jobs", "--bogus"},
	} {
		r := runWith(env, args...)
		if r.code != 1 || r.stdout != "" || r.stderr == "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestAssignCommand(t *testing.T) {
	env := demoEnv(t)
	env["USER"] = "dana"
	a := newJob(t, env, "2027-02-10 10:00", 4, 2, true)
	b := newJob(t, env, "2027-02-10 16:00", 4, 1, true)
	requested := newJob(t, env, "2027-02-12 10:00", 4, 1, false)

	// A badge, in any case.
	r := runWith(env, "assign", id(a), "1", "wv1702")
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Assigned Alyssa Moana (WV1702) to job #"+id(a)+" position 1 (officer), Wed 10 Feb 2027 10:00-14:00") ||
		!strings.Contains(r.stdout, "is approved: 1 of 2 positions filled, 1 open") {
		t.Fatalf("exit %d stderr %q stdout:\n%s", r.code, r.stderr, r.stdout)
	}
	j := loadJob(t, env, a)
	if j.Positions[0].Badge != "WV1702" || j.Status != store.StatusApproved {
		t.Errorf("after assign: %s, %+v", j.Status, j.Positions[0])
	}
	// The same officer on the other position of the same shift: an overlap, exit 2.
	refused(t, runWith(env, "assign", id(a), "2", "WV1702"), 2, "overlapping shift")
	// A numeric officer id; flags may follow the arguments.
	var jensen store.Officer
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		all, err := s.Officers(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range all {
			if o.Badge == "WV1766" {
				jensen = o
			}
		}
	})
	r = runWith(env, "assign", id(a), "2", id(jensen.ID), "--demo=false")
	if r.code != 0 || !strings.Contains(r.stdout, "Tyler Jensen (WV1766)") || !strings.Contains(r.stdout, "is scheduled: 2 of 2 positions filled, 0 open") {
		t.Errorf("assign by id: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if j := loadJob(t, env, a); j.Status != store.StatusScheduled || j.Positions[1].OfficerID != jensen.ID {
		t.Errorf("after the second assign: %s %+v", j.Status, j.Positions[1])
	}
	// A filled position, an officer of another agency, a requested job: refused, exit 2.
	refused(t, runWith(env, "assign", id(a), "2", "WV1803"), 2, "already has an officer")
	refused(t, runWith(env, "assign", id(b), "1", "GV207"), 2, "another agency")
	refused(t, runWith(env, "assign", id(requested), "1", "WV1803"), 2, "approved")

	// 2 h after her first shift: the 8 h rest rule refuses; a supervisor may override.
	refused(t, runWith(env, "assign", id(b), "1", "WV1702"), 2, "less than 8 h rest")
	if r := runWith(env, "assign", id(b), "1", "WV1702"); !strings.Contains(r.stderr, "may override") {
		t.Errorf("the refusal does not say it may be overridden: %q", r.stderr)
	}
	r = runWith(env, "assign", "--override", "same crew asked for by the store", id(b), "1", "WV1702")
	if r.code != 0 || !strings.Contains(r.stdout, "Cap overridden: same crew asked for by the store") {
		t.Errorf("override: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if p := loadJob(t, env, b).Positions[0]; p.Badge != "WV1702" || p.Override != "same crew asked for by the store" {
		t.Errorf("overridden position %+v", p)
	}
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		audit, err := s.Audit(ctx, store.AuditFilter{JobID: b, Actor: "dana (local)"})
		if err != nil || len(audit) < 1 || !strings.Contains(audit[len(audit)-1].After, "cap overridden: same crew") {
			t.Errorf("audit under $USER: %+v, %v", audit, err)
		}
	})
	// An override never lifts an overlap.
	c := newJob(t, env, "2027-02-10 12:00", 4, 1, true)
	refused(t, runWith(env, "assign", id(c), "1", "WV1702", "--override", "please"), 2, "overlapping shift")
	refused(t, runWith(env, "assign", id(c), "1", "WV1702", "--override", " "), 1, "--override needs a written reason")

	// Invalid input or unknown things: exit 1.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"assign", "99999", "1", "WV1702"}, "no job 99999"},
		{[]string{"assign", id(c), "9", "WV1702"}, "has no position 9"},
		{[]string{"assign", id(c), "1", "XX0000"}, `no officer with badge or id "XX0000"`},
		{[]string{"assign", id(c), "1", "999999"}, `no officer with badge or id "999999"`},
		{[]string{"assign", id(c), "1"}, "want JOB POSITION OFFICER"},
		{[]string{"assign", id(c), "1", "WV1702", "extra"}, "want JOB POSITION OFFICER"},
		{[]string{"assign", "abc", "1", "WV1702"}, "JOB must be a job number"},
		{[]string{"assign", id(c), "0", "WV1702"}, "POSITION must be a slot number"},
		{[]string{"assign", id(c), "one", "WV1702"}, "POSITION must be a slot number"},
		{[]string{"assign", id(c), "1", "WV1702", "--bogus"}, "unknown flag"},
	} {
		refused(t, runWith(env, c.args...), 1, c.want)
	}
	if p := loadJob(t, env, c).Positions[0]; p.OfficerID != 0 {
		t.Errorf("a refused assignment filled the position: %+v", p)
	}
}

// cancelOut is what cancel --json prints.
type cancelOut struct {
	Job         int64    `json:"job"`
	Kind        string   `json:"kind"`
	At          string   `json:"at"`
	Fee         string   `json:"fee"`
	Admin       string   `json:"admin"`
	Officer     string   `json:"officer"`
	Status      string   `json:"status"`
	Officers    int      `json:"officers"`
	Supervisors int      `json:"supervisors"`
	Total       string   `json:"total"`
	CancelFee   string   `json:"cancel_fee"`
	Notes       []string `json:"notes"`
	Lines       []struct {
		Kind    string `json:"kind"`
		Class   string `json:"class"`
		Count   int    `json:"count"`
		Minutes int    `json:"minutes"`
		Rate    string `json:"rate"`
		Amount  string `json:"amount"`
		Text    string `json:"text"`
	} `json:"lines"`
}

func TestCancelCommand(t *testing.T) {
	env := demoEnv(t)
	big := newJob(t, env, "2027-02-10 10:00", 4, 5, true)

	// Reduce 5 officers to 3, 75 days ahead: the supervisor goes too, admin fee only.
	r := runWith(env, "cancel", id(big), "--positions", "2", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	var out cancelOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if out.Job != big || out.Kind != "reduce" || out.Fee != "89.60" || out.Admin != "89.60" || out.Officer != "0.00" || out.Status != "approved" ||
		out.Officers != 3 || out.Supervisors != 0 || out.Total != "684.00" || out.At != "2026-11-26T09:00:00-07:00" || len(out.Lines) != 2 ||
		out.Lines[0].Text != "admin fee, first 24 h: 2 officers x 4:00 h x 7.00" || out.Lines[0].Amount != "56.00" ||
		out.Lines[1].Class != "supervisor" || out.Lines[1].Amount != "33.60" || out.Lines[1].Minutes != 240 || out.Lines[1].Rate != "8.40" {
		t.Errorf("reduce JSON %+v", out)
	}
	if j := loadJob(t, env, big); j.Officers != 3 || j.Supervisors != 0 || j.Total.StringFixed(2) != out.Total {
		t.Errorf("job after reduce: %d+%d total %s", j.Officers, j.Supervisors, j.Total)
	}

	// Then cancel what is left, as text: the fee line by line and the total.
	r = runWith(env, "cancel", id(big), "--reason", "store closed for inventory")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"Cancelled job #" + id(big) + " (",
		"Wed 10 Feb 2027 10:00-14:00) at Thu 26 Nov 2026 09:00.",
		"admin fee, first 24 h: 3 officers x 4:00 h x 7.00",
		"84.00",
		"Fee",
		"Fees on this job so far",
		"173.60",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("cancel output lacks %q:\n%s", want, r.stdout)
		}
	}
	j := loadJob(t, env, big)
	if j.Status != store.StatusCancelled || !j.CancelFee.Valid || j.CancelFee.Decimal.StringFixed(2) != "173.60" {
		t.Errorf("cancelled job: %s fee %v", j.Status, j.CancelFee)
	}
	// A cancelled job cannot be cancelled again: the lifecycle refuses, exit 2.
	refused(t, runWith(env, "cancel", id(big)), 2, "can no longer be cancelled")

	// The clock is the cancellation time: 25 h before the start, the officer share is due too.
	soon := newJob(t, env, "2027-02-10 10:00", 4, 1, true)
	r = runWith(env, "cancel", id(soon), "--now", "2027-02-09 09:00", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("exit %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if out.Kind != "cancel" || out.Fee != "128.00" || out.Admin != "28.00" || out.Officer != "100.00" || len(out.Lines) != 2 ||
		out.Lines[1].Text != "officer share inside 48 h: 1 officer x 2:00 h x 50.00" || out.At != "2027-02-09T09:00:00-07:00" || out.Status != "cancelled" {
		t.Errorf("cancel inside 48 h: %+v", out)
	}
	// Removing every officer is a cancellation.
	all := newJob(t, env, "2027-02-11 10:00", 4, 2, true)
	r = runWith(env, "cancel", id(all), "--positions", "2", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || out.Kind != "cancel" || out.Fee != "56.00" {
		t.Errorf("--positions all: exit %d %+v %v", r.code, out, err)
	}
	// A request not yet approved costs nothing.
	req := newJob(t, env, "2027-02-12 10:00", 4, 3, false)
	r = runWith(env, "cancel", id(req))
	if r.code != 0 || !strings.Contains(r.stdout, "not yet approved: no fee") || !strings.Contains(r.stdout, "0.00") {
		t.Errorf("requested: exit %d\n%s", r.code, r.stdout)
	}

	// A completed demo job: refused by the lifecycle.
	var done int64
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		jobs, err := s.Jobs(ctx, "", store.JobFilter{Statuses: []string{store.StatusCompleted}, Limit: 1})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("no completed demo job: %v", err)
		}
		done = jobs[0].ID
	})
	refused(t, runWith(env, "cancel", id(done)), 2, "completed job can no longer be cancelled")

	// Only checked-in officers left: a reduction is refused by the rule, exit 2.
	live := newJob(t, env, "2027-02-11 18:00", 4, 2, true)
	clock := env["OFFDUTY_NOW"]
	env["OFFDUTY_NOW"] = "2027-02-11 18:00" // the officers check in as they arrive, at the start
	withStore(t, env, func(ctx context.Context, s *store.Store) {
		j, err := s.Job(ctx, "", live)
		if err != nil {
			t.Fatal(err)
		}
		for i, badge := range []string{"WV1859", "WV1912"} {
			o := officerByBadge(t, ctx, s, badge)
			if err := s.Assign(ctx, "test", j.Positions[i].ID, o.ID, ""); err != nil {
				t.Fatal(err)
			}
			if err := s.CheckIn(ctx, "test", j.Positions[i].ID, j.Start); err != nil {
				t.Fatal(err)
			}
		}
	})
	env["OFFDUTY_NOW"] = clock
	refused(t, runWith(env, "cancel", id(live), "--positions", "1", "--now", "2027-02-11 19:00"), 2, "checked in")

	// Invalid input or an unknown job: exit 1, and nothing changes.
	other := newJob(t, env, "2027-02-13 10:00", 4, 2, true)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cancel", "99999"}, "no job 99999"},
		{[]string{"cancel", id(other), "--positions", "3"}, "has 2 officer positions"},
		{[]string{"cancel", id(other), "--positions", "0"}, "--positions must be at least 1"},
		{[]string{"cancel", id(other), "--positions", "-1"}, "--positions must be at least 1"},
		{[]string{"cancel", id(other), "--positions", "two"}, "invalid argument"},
		{[]string{"cancel"}, "want one JOB"},
		{[]string{"cancel", id(other), id(other)}, "want one JOB"},
		{[]string{"cancel", "#x"}, "JOB must be a job number"},
		{[]string{"cancel", id(other), "--now", "2027-03-14 02:30"}, "--now"},
	} {
		refused(t, runWith(env, c.args...), 1, c.want)
	}
	if j := loadJob(t, env, other); j.Status != store.StatusApproved || j.CancelFee.Valid || j.Officers != 2 {
		t.Errorf("refused cancels changed the job: %s %v %d", j.Status, j.CancelFee, j.Officers)
	}
	// "#12" is accepted as a job number.
	if r := runWith(env, "cancel", "#"+id(other), "--positions", "1"); r.code != 0 || !strings.Contains(r.stdout, "Reduced job #"+id(other)) {
		t.Errorf("#id: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func officerByBadge(t *testing.T, ctx context.Context, s *store.Store, badge string) store.Officer {
	t.Helper()
	all, err := s.Officers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.Badge == badge {
			return o
		}
	}
	t.Fatalf("no officer %s", badge)
	return store.Officer{}
}

func TestDispatchCommandsHelp(t *testing.T) {
	env := testEnv(t)
	for _, c := range []struct {
		cmd   string
		flags []string
	}{
		{"jobs", []string{"db", "now", "demo", "date", "json"}},
		{"assign", []string{"db", "now", "demo", "override"}},
		{"cancel", []string{"db", "now", "demo", "positions", "reason", "json"}},
	} {
		for _, args := range [][]string{{c.cmd, "--help"}, {"help", c.cmd}} {
			r := runWith(env, args...)
			if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "USAGE") != 1 || !strings.Contains(r.stdout, "offduty "+c.cmd) || !strings.Contains(r.stdout, "Exit status") {
				t.Errorf("%v: exit %d stderr %q\n%s", args, r.code, r.stderr, r.stdout)
			}
			for _, f := range c.flags {
				if !strings.Contains(r.stdout, "  --"+f) {
					t.Errorf("%v does not explain --%s", args, f)
				}
			}
		}
		if top := runWith(env, "--help").stdout; !strings.Contains(top, "  "+c.cmd+" ") {
			t.Errorf("top-level help does not list %s", c.cmd)
		}
	}
}
