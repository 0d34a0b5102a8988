package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/store"
)

// mayDispatch refuses, before anything is read, a user whose role cannot
// dispatch (the store refuses the write anyway).
func mayDispatch(ctx context.Context, e *env, s *store.Store, cmd string) error {
	v, err := s.Viewer(ctx, e.actor())
	if err != nil {
		return storeFail(cmd, err)
	}
	if err := v.Need(store.PermDispatch, cmd); err != nil {
		return storeFail(cmd, err)
	}
	return nil
}

func newAssignCmd(e *env) *cobra.Command {
	var override string
	c := &cobra.Command{
		Use:   "assign JOB POSITION OFFICER",
		Short: "Put an officer (badge or id) in a position of a job",
		Long: `Puts an officer in a position of an approved (or scheduled, or running) job.
JOB is the job number; POSITION the slot number within the job, as "offduty jobs" shows it;
OFFICER a badge (e.g. WV1702, any case) or an officer's numeric id. The officer must belong to
the job's agency, be active, hold sergeant rank or above for a supervisor position, not be on
leave, suspended or on restricted duty that bars the post, hold every certification the venue or
customer requires (current through the shift), and not be on an overlapping shift; the weekly
hours cap, 16 h in a local day and 8 h rest between shifts
are caps that a supervisor may lift with --override and a written reason. The job becomes
scheduled when every position is filled; the change is audited under the acting user.
Exit status: 0 assigned; 1 invalid input or unknown job, position or officer; 2 refused by a
scheduling or lifecycle rule, or the user's role, the reason on stderr.`,
		Example: "  offduty assign 132 1 WV1702\n  offduty assign 132 2 WV1702 --override \"event runs late, approved by Lt. Ruiz\"",
	}
	c.Flags().StringVar(&override, "override", "", "a supervisor's written `REASON` for lifting the cap rules (weekly cap, 16 h a day, 8 h rest); never lifts an overlap, the rank, an inactive officer, leave or suspension, or a missing certification")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := wantArgs("assign", pos, 3, "JOB POSITION OFFICER"); err != nil {
			return err
		}
		jobID, err := jobNumber("assign", pos[0])
		if err != nil {
			return err
		}
		slot64, err := parseWhole(pos[1])
		if err != nil || slot64 <= 0 {
			return fail(ExitInvalid, "assign: POSITION must be a slot number such as 1, got %q", pos[1])
		}
		slot := int(slot64)
		who := strings.TrimSpace(pos[2])
		if who == "" {
			return fail(ExitInvalid, "assign: OFFICER must be a badge or an officer id")
		}
		if cmd.Flags().Changed("override") && strings.TrimSpace(store.Clean(override, false)) == "" {
			return fail(ExitInvalid, "assign: --override needs a written reason")
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, "assign", mayDispatch)
		if err != nil {
			return err
		}
		defer e.close(s)
		j, err := s.Job(ctx, e.actor(), jobID)
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
			return fail(ExitInvalid, "assign: job %d has no position %d (it has %d: 1 to %d)", j.ID, slot, len(j.Positions), len(j.Positions))
		}
		o, err := findOfficer(ctx, s, who, j.AgencyID)
		if err != nil {
			return err
		}
		if err := s.Assign(ctx, e.actor(), p.ID, o.ID, override); err != nil {
			return storeFail("assign", err)
		}
		after, err := s.Job(ctx, e.actor(), j.ID)
		if err != nil {
			return fail(ExitInvalid, "assign: %v", err)
		}
		zones, err := agencyZones(ctx, s)
		if err != nil {
			return fail(ExitInvalid, "assign: %v", err)
		}
		loc := zoneOf(zones, after, office())
		fmt.Fprintf(e.stdout, "Assigned %s (%s) to job #%d position %d (%s), %s, %s.\n", clean(o.Name()), clean(o.Badge), j.ID, slot, p.Class,
			shiftSpan(p.Start, p.End, loc), clean(after.CustomerName))
		for _, q := range after.Positions {
			if q.Slot == slot && q.Override != "" {
				fmt.Fprintf(e.stdout, "Cap overridden: %s\n", clean(q.Override))
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
	return c
}

// findOfficer resolves a badge (the job's agency first, case-insensitive)
// or a numeric id.
func findOfficer(ctx context.Context, s *store.Store, who string, agencyID int64) (store.Officer, error) {
	all, err := s.Officers(ctx, 0)
	if err != nil {
		return store.Officer{}, fail(ExitInvalid, "assign: %v", err)
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
	if id, ok := idArg(who); ok && !strings.HasPrefix(who, "#") {
		for _, o := range all {
			if o.ID == id {
				return o, nil
			}
		}
	}
	return store.Officer{}, fail(ExitInvalid, "assign: no officer with badge or id %q", who)
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

func newCancelCmd(e *env) *cobra.Command {
	var reason string
	var asJSON bool
	c := &cobra.Command{
		Use:   "cancel JOB",
		Short: "Cancel a job, or reduce it by N officers, and show the fee",
		Long: `Cancels a job, or with --positions N reduces it by N officer positions (open
positions go first, then the latest filled; checked-in officers are never removed; at West Valley
City the supervisor goes too when fewer than 5 officers remain, and the job is re-priced).
The fee follows the rules ("Cancellation and reduction" in the README): after approval, the
admin fee for the first 24 h of each removed position, plus, within 48 h of the start, the
officer share for the greater of the hours worked or the minimum; before approval, nothing.
The cancellation time is the clock. The fee is printed line by line and kept on the job.
Exit status: 0 done; 1 invalid input or unknown job; 2 refused by the lifecycle (a completed,
invoiced, paid or already cancelled job), a rule (only checked-in positions left) or the
user's role, reason on stderr.`,
		Example: "  offduty cancel 132 --reason \"event called off\"\n  offduty cancel 132 --positions 2 --json",
	}
	f := c.Flags()
	positions := intFlag(f, "positions", "remove `N` officer positions instead of cancelling the whole job (N equal to all of them cancels it)")
	f.StringVar(&reason, "reason", "", "why, as the customer gave it (`TEXT`, kept with a cancellation)")
	f.BoolVar(&asJSON, "json", false, `print one JSON object: job, kind ("cancel" or "reduce"), fee, admin, officer, lines, and what the job is left with`)
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := wantArgs("cancel", pos, 1, "one JOB"); err != nil {
			return err
		}
		jobID, err := jobNumber("cancel", pos[0])
		if err != nil {
			return err
		}
		if f.Changed("positions") && *positions < 1 {
			return fail(ExitInvalid, "cancel: --positions must be at least 1 (got %d); leave it out to cancel the whole job", *positions)
		}
		ctx := cmd.Context()
		s, now, err := e.openFor(ctx, "cancel", mayDispatch)
		if err != nil {
			return err
		}
		defer e.close(s)
		before, err := s.Job(ctx, e.actor(), jobID)
		if err != nil {
			return storeFail("cancel", err)
		}
		fee, err := s.CancelOrReduce(ctx, e.actor(), store.CancelPlan{JobID: jobID, At: now, Officers: int(*positions), Reason: reason})
		if err != nil {
			return storeFail("cancel", err)
		}
		j, err := s.Job(ctx, e.actor(), jobID)
		if err != nil {
			return fail(ExitInvalid, "cancel: %v", err)
		}
		zones, err := agencyZones(ctx, s)
		if err != nil {
			return fail(ExitInvalid, "cancel: %v", err)
		}
		loc := zoneOf(zones, j, office())
		kind := "reduce"
		if j.Status == store.StatusCancelled {
			kind = "cancel"
		}
		if asJSON {
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
			return writeJSON(e.stdout, out)
		}
		what := fmt.Sprintf("job #%d (%s, %s)", j.ID, clean(j.CustomerName), shiftSpan(j.Start, j.End, loc))
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
			fmt.Fprintf(e.stdout, "  %s\n", clean(n))
		}
		for _, l := range fee.Lines {
			fmt.Fprintf(e.stdout, "  %-62s %10s\n", clean(l.Describe()), l.Amount.StringFixed(2))
		}
		fmt.Fprintf(e.stdout, "  %-62s %10s\n", "Fee", fee.Total.StringFixed(2))
		fmt.Fprintf(e.stdout, "  %-62s %10s\n", "  admin fee", fee.Admin.StringFixed(2))
		fmt.Fprintf(e.stdout, "  %-62s %10s\n", "  officer share", fee.Officer.StringFixed(2))
		if !j.CancelFee.Decimal.Equal(fee.Total) {
			fmt.Fprintf(e.stdout, "  %-62s %10s\n", "Fees on this job so far", j.CancelFee.Decimal.StringFixed(2))
		}
		return nil
	}
	return c
}
