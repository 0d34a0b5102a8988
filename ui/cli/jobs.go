package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
)

func newJobsCmd(e *env) *cobra.Command {
	var date string
	var asJSON bool
	c := &cobra.Command{
		Use:   "jobs",
		Short: "List a day's shifts with their positions and officers",
		Long: `Lists the shifts of one day: every job starting that day in office time
(America/Denver), cancelled ones included, with its positions: slot number (as the assign
command takes it), class, the officer (name and badge) or "open", check-in and check-out
times and attendance (released early, held over, no-show). A customer user sees its own
account's jobs only. Exit status: 0; 1 invalid input.`,
		Example: "  offduty jobs --date 2026-12-24\n  ssh -p 2222 office jobs --date 2026-12-24 --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loc := office()
			now, err := e.now()
			if err != nil {
				return err
			}
			day := now.In(loc)
			if date != "" {
				d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(date), loc)
				if err != nil {
					return fail(ExitInvalid, "jobs: --date: want YYYY-MM-DD, got %q", date)
				}
				day = d
			}
			from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			to := from.AddDate(0, 0, 1)
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			jobs, err := s.JobsWithPositions(ctx, e.actor(), from, to)
			if err != nil {
				return storeFail("jobs", err)
			}
			zones, err := agencyZones(ctx, s)
			if err != nil {
				return fail(ExitInvalid, "jobs: %v", err)
			}
			if asJSON {
				return writeJobsJSON(e.stdout, jobs, zones, loc)
			}
			fmt.Fprint(e.stdout, formatJobs(jobs, zones, loc, from))
			return nil
		},
	}
	c.Flags().StringVar(&date, "date", "", "the day, `YYYY-MM-DD` (default: today by the clock)")
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of jobs (times RFC 3339 with their offset)")
	return c
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
		fmt.Fprintf(&b, "\n#%-5d %-13s %-12s %s, %s (%s)\n", j.ID, span, statusText(j.Status), clean(j.CustomerName), clean(j.SiteName), clean(j.AgencyName))
		for _, p := range j.Positions {
			who := "open"
			switch {
			case p.Status == "cancelled":
				who = "(cancelled)"
			case p.OfficerID != 0:
				who = fmt.Sprintf("%s (%s)", clean(p.OfficerName), clean(p.Badge))
			case p.NoShowName != "":
				who = "open (no-show: " + clean(p.NoShowName) + ")"
			}
			var extra []string
			if !p.CheckIn.IsZero() {
				extra = append(extra, "in "+clockText(p.CheckIn, st, loc))
			}
			if !p.CheckOut.IsZero() {
				extra = append(extra, "out "+clockText(p.CheckOut, st, loc))
			}
			if p.Attendance != "" && p.Attendance != pricing.AttendanceNoShow {
				extra = append(extra, statusText(clean(p.Attendance)))
			}
			if p.Override != "" {
				extra = append(extra, "cap overridden: "+clean(p.Override))
			}
			line := fmt.Sprintf("  %3d  %-10s  %-32s  %s", p.Slot, p.Class, who, strings.Join(extra, ", "))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	return b.String()
}

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
	return writeJSON(w, out)
}
