package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"offduty/store"
)

// The officer commands: officers' standing (leave, suspension, restricted
// duty), certifications and the certifications venues or customers require.
// Dispatchers read; supervisors change. Every change is audited.

func newOfficerCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "officer",
		Short: "Officers' standing: leave, suspension, restricted duty, certifications, requirements",
		Long: `Officers' standing, as the picker, sign-ups and assign read it.

An officer on leave or suspended on any local day of a shift (the agency's days; the last
day is inclusive) cannot take it. Restricted duty keeps an officer from supervisor positions
and from traffic, construction, event and labor-dispute venues (static posts stay open).
A certification a venue category or a customer requires must be valid through the shift's
end. None of these is lifted by assign --override. A certification lapsing within 30 days
is marked with ! here and on the console's Officers tab.

Dispatchers read (list, show, requirement list); supervisors change, locally or over SSH.
Every change is audited with what was before and after.
Exit status: 0 done; 1 invalid input or an unknown officer, period or certification;
2 refused by a rule (an overlapping period, adding a certification held) or the user's role.`,
		Example: `  offduty officer list --expiring
  offduty officer show WV1702 --json
  offduty officer leave WV1702 --kind leave --from 2026-12-14 --to 2026-12-18 --reason family
  offduty officer leave WV1702 end 3
  offduty officer cert WV1702 add "traffic control" --expires 2027-06-30
  offduty officer requirement add --venue construction --cert "traffic control"`,
	}
	return group(c, newOfficerListCmd(e), newOfficerShowCmd(e), newOfficerLeaveCmd(e), newOfficerCertCmd(e), newOfficerRequirementCmd(e))
}

// dayFlag reads a --from, --to, --expires or --last value: YYYY-MM-DD.
func dayFlag(cmd, flag, v string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, fail(ExitInvalid, "%s: --%s: want a date YYYY-MM-DD, got %q", cmd, flag, v)
	}
	return d, nil
}

// officerToday is the office's day (as the store keeps days).
func officerToday(now time.Time) time.Time {
	n := now.In(office())
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// resolveOfficer finds an officer by badge (any case; a badge two
// agencies use needs #ID) or by id ("12", "#12").
func resolveOfficer(ctx context.Context, s *store.Store, cmd, who string) (store.Officer, error) {
	who = strings.TrimSpace(who)
	all, err := s.Officers(ctx, 0)
	if err != nil {
		return store.Officer{}, storeFail(cmd, err)
	}
	var match []store.Officer
	for _, o := range all {
		if strings.EqualFold(o.Badge, who) {
			match = append(match, o)
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	if len(match) > 1 {
		var ids []string
		for _, o := range match {
			ids = append(ids, fmt.Sprintf("#%d (%s)", o.ID, o.AgencySlug))
		}
		return store.Officer{}, fail(ExitInvalid, "%s: badge %s is used in more than one agency: name the officer by id, %s", cmd, clean(who), strings.Join(ids, " or "))
	}
	if id, ok := idArg(who); ok {
		for _, o := range all {
			if o.ID == id {
				return o, nil
			}
		}
	}
	return store.Officer{}, fail(ExitInvalid, "%s: no officer with badge or id %q (see offduty officer list)", cmd, clean(who))
}

type jsonStandingPeriod struct {
	ID      int64   `json:"id"`
	Kind    string  `json:"kind"`
	From    string  `json:"from"`
	To      *string `json:"to"` // null: until further notice
	Reason  string  `json:"reason"`
	Current bool    `json:"current"`
}

type jsonCert struct {
	Name     string `json:"name"`
	Expires  string `json:"expires"`
	DaysLeft int    `json:"days_left"`
	Expiring bool   `json:"expiring"` // lapses within 30 days, or has
	Lapsed   bool   `json:"lapsed"`
}

type jsonStanding struct {
	ID       int64                `json:"id"`
	Badge    string               `json:"badge"`
	Name     string               `json:"name"`
	Agency   string               `json:"agency"`
	Rank     string               `json:"rank"`
	Active   bool                 `json:"active"`
	Standing string               `json:"standing"` // today: on duty, leave, suspension, restricted
	Periods  []jsonStandingPeriod `json:"periods"`
	Certs    []jsonCert           `json:"certifications"`
}

func standingJSON(o store.Officer, st store.Standing, today time.Time) jsonStanding {
	out := jsonStanding{ID: o.ID, Badge: o.Badge, Name: o.Name(), Agency: o.AgencySlug, Rank: o.Rank, Active: o.Active,
		Standing: "on duty", Periods: []jsonStandingPeriod{}, Certs: []jsonCert{}}
	if on := st.On(today); len(on) > 0 {
		out.Standing = on[0].Kind
	}
	for _, p := range st.Periods {
		jp := jsonStandingPeriod{ID: p.ID, Kind: p.Kind, From: p.From.Format("2006-01-02"), Reason: p.Reason, Current: p.Covers(today)}
		if !p.Open() {
			to := p.To.Format("2006-01-02")
			jp.To = &to
		}
		out.Periods = append(out.Periods, jp)
	}
	for _, c := range st.Certs {
		n := c.DaysLeft(today)
		out.Certs = append(out.Certs, jsonCert{Name: c.Name, Expires: c.Expires.Format("2006-01-02"), DaysLeft: n, Expiring: c.Expiring(today), Lapsed: n < 0})
	}
	return out
}

// standingText is today's standing in a list: "on duty", "leave to 2026-12-18".
func standingText(o store.Officer, st store.Standing, today time.Time) string {
	var parts []string
	if !o.Active {
		parts = append(parts, "inactive")
	}
	for _, p := range st.On(today) {
		w := map[string]string{store.StandingLeave: "leave", store.StandingSuspension: "suspended", store.StandingRestricted: "restricted"}[p.Kind]
		if p.Open() {
			w += " (no end)"
		} else {
			w += " to " + p.To.Format("2006-01-02")
		}
		parts = append(parts, w)
	}
	if len(parts) == 0 {
		return "on duty"
	}
	return strings.Join(parts, ", ")
}

// certText is a certification in a list: "traffic control to 2026-12-15 (! 19 days)".
func certText(c store.Cert, today time.Time) string {
	n := c.DaysLeft(today)
	s := fmt.Sprintf("%s to %s", clean(c.Name), c.Expires.Format("2006-01-02"))
	switch {
	case n < 0:
		s += " (! lapsed)"
	case c.Expiring(today):
		s += fmt.Sprintf(" (! %d %s)", n, plural(n, "day"))
	}
	return s
}

func newOfficerListCmd(e *env) *cobra.Command {
	var asJSON, expiring bool
	var agency string
	c := &cobra.Command{
		Use:   "list",
		Short: "List officers with today's standing and their certifications (! lapsing within 30 days)",
		Args:  noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array: id, badge, name, agency, rank, active, standing, periods, certifications")
	c.Flags().BoolVar(&expiring, "expiring", false, "only officers with a certification lapsing within 30 days (or lapsed)")
	c.Flags().StringVar(&agency, "agency", "", "only this agency's officers (`SLUG`)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "officer list"
		ctx := cmd.Context()
		s, now, err := e.openFor(ctx, label, mayDispatch)
		if err != nil {
			return err
		}
		defer e.close(s)
		var agencyID int64
		if agency != "" {
			a, err := s.AgencyBySlug(ctx, agency)
			if err != nil {
				return storeFail(label, err)
			}
			agencyID = a.ID
		}
		list, err := s.Officers(ctx, agencyID)
		if err != nil {
			return storeFail(label, err)
		}
		by, err := s.Standings(ctx, e.actor())
		if err != nil {
			return storeFail(label, err)
		}
		today := officerToday(now)
		if expiring {
			list = slices.DeleteFunc(list, func(o store.Officer) bool { return len(by[o.ID].Expiring(today)) == 0 })
		}
		if asJSON {
			out := []jsonStanding{}
			for _, o := range list {
				out = append(out, standingJSON(o, by[o.ID], today))
			}
			return writeJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  BADGE\tNAME\tAGENCY\tRANK\tSTANDING\tCERTIFICATIONS")
		marked := 0
		for _, o := range list {
			st := by[o.ID]
			mark := " "
			if len(st.Expiring(today)) > 0 {
				mark = "!"
				marked++
			}
			var certs []string
			for _, c := range st.Certs {
				certs = append(certs, certText(c, today))
			}
			if len(certs) == 0 {
				certs = []string{"-"}
			}
			fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\n", mark, clean(o.Badge), clean(o.Name()), clean(o.AgencySlug), o.Rank, clean(standingText(o, st, today)), strings.Join(certs, "; "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d %s", len(list), plural(len(list), "officer"))
		if marked > 0 {
			fmt.Fprintf(e.stdout, "; ! %d with a certification lapsing within %d days", marked, store.CertWarnDays)
		}
		fmt.Fprintln(e.stdout, ".")
		return nil
	}
	return c
}

func newOfficerShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "show BADGE|#ID",
		Short:   "Show an officer's standing: periods of leave, suspension or restricted duty, and certifications",
		Example: "  offduty officer show WV1702\n  offduty officer show '#12' --json",
		Args:    cobra.ArbitraryArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object: id, badge, name, agency, rank, active, standing, periods, certifications")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "officer show"
		if err := wantArgs(label, args, 1, "one BADGE or #ID"); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, now, err := e.openFor(ctx, label, mayDispatch)
		if err != nil {
			return err
		}
		defer e.close(s)
		o, err := resolveOfficer(ctx, s, label, args[0])
		if err != nil {
			return err
		}
		st, err := s.OfficerStanding(ctx, e.actor(), o.ID)
		if err != nil {
			return storeFail(label, err)
		}
		today := officerToday(now)
		if asJSON {
			return writeJSON(e.stdout, standingJSON(o, st, today))
		}
		active := "active"
		if !o.Active {
			active = "inactive"
		}
		fmt.Fprintf(e.stdout, "%s (%s, #%d), %s, %s; %s.\n", clean(o.Name()), clean(o.Badge), o.ID, o.Rank, clean(o.AgencySlug), active)
		fmt.Fprintf(e.stdout, "Today: %s.\n", clean(standingText(o, st, today)))
		fmt.Fprintln(e.stdout, "Periods:")
		if len(st.Periods) == 0 {
			fmt.Fprintln(e.stdout, "  none")
		}
		for _, p := range st.Periods {
			when := ""
			switch {
			case p.Covers(today):
				when = " (now)"
			case p.From.After(today):
				when = " (ahead)"
			}
			fmt.Fprintf(e.stdout, "  #%d %s %s: %s%s\n", p.ID, p.Kind, p.Span(), clean(p.Reason), when)
		}
		fmt.Fprintln(e.stdout, "Certifications:")
		if len(st.Certs) == 0 {
			fmt.Fprintln(e.stdout, "  none")
		}
		for _, c := range st.Certs {
			fmt.Fprintf(e.stdout, "  %s\n", certText(c, today))
		}
		return nil
	}
	return c
}

func newOfficerLeaveCmd(e *env) *cobra.Command {
	var kind, from, to, reason, last string
	c := &cobra.Command{
		Use:   "leave BADGE [end|remove ID]",
		Short: "Record a period of leave, suspension or restricted duty; end or remove one",
		Long: `With --kind, --from and --reason (and --to, the last day, inclusive; without it the
period runs until further notice), records a period for the officer. A period does not
overlap another of the same kind. Shifts the officer already holds in it are listed to be
reassigned; they are not taken away.
"end ID" ends period ID early: --last is its new last day (yesterday by default, so the
officer is back today). "remove ID" deletes a period entered by mistake (the audit keeps it).
Days are the agency's local days. Supervisors only.`,
		Example: `  offduty officer leave WV1702 --kind leave --from 2026-12-14 --to 2026-12-18 --reason family
  offduty officer leave WV1702 --kind suspension --from 2026-12-01 --reason "IA review"
  offduty officer leave WV1702 end 3 --last 2026-12-16
  offduty officer leave WV1702 remove 4`,
		Args: cobra.ArbitraryArgs,
	}
	f := c.Flags()
	f.StringVar(&kind, "kind", "", "leave, suspension or restricted (`KIND`)")
	f.StringVar(&from, "from", "", "the first day (`DATE`, YYYY-MM-DD)")
	f.StringVar(&to, "to", "", "the last day, inclusive (`DATE`, YYYY-MM-DD); leave it out for until further notice")
	f.StringVar(&reason, "reason", "", "why (`TEXT`): family, IA review, light duty after injury")
	f.StringVar(&last, "last", "", "with end: the period's new last day (`DATE`; yesterday by default)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "officer leave"
		if len(args) != 1 && len(args) != 3 {
			return fail(ExitInvalid, "%s: want a BADGE, or a BADGE, end or remove, and a period ID (see offduty officer leave --help)", label)
		}
		verb := "add"
		var pid int64
		if len(args) == 3 {
			verb = args[1]
			if verb != "end" && verb != "remove" {
				return fail(ExitInvalid, "%s: %q: want end or remove, then a period ID", label, clean(verb))
			}
			id, ok := idArg(args[2])
			if !ok {
				return fail(ExitInvalid, "%s: the period ID must be a number such as 3 (see offduty officer show), got %q", label, clean(args[2]))
			}
			pid = id
			for _, fl := range []string{"kind", "from", "to", "reason"} {
				if f.Changed(fl) {
					return fail(ExitInvalid, "%s %s: --%s is for a new period", label, verb, fl)
				}
			}
			if verb == "remove" && f.Changed("last") {
				return fail(ExitInvalid, "%s remove: --last is for end", label)
			}
		} else {
			if f.Changed("last") {
				return fail(ExitInvalid, "%s: --last is for end ID", label)
			}
			for _, fl := range []string{"kind", "from", "reason"} {
				if !f.Changed(fl) {
					return fail(ExitInvalid, "%s: a new period needs --kind, --from and --reason (missing --%s)", label, fl)
				}
			}
		}
		in := store.StandingInput{Reason: reason}
		if verb == "add" {
			k, err := store.ParseStandingKind(kind)
			if err != nil {
				return fail(ExitInvalid, "%s: --kind: %v", label, err)
			}
			in.Kind = k
			if in.From, err = dayFlag(label, "from", from); err != nil {
				return err
			}
			if f.Changed("to") {
				if in.To, err = dayFlag(label, "to", to); err != nil {
					return err
				}
			}
		}
		var lastDay time.Time
		if f.Changed("last") {
			var err error
			if lastDay, err = dayFlag(label, "last", last); err != nil {
				return err
			}
		}
		ctx := cmd.Context()
		s, now, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		o, err := resolveOfficer(ctx, s, label, args[0])
		if err != nil {
			return err
		}
		who := fmt.Sprintf("%s (%s)", clean(o.Name()), clean(o.Badge))
		switch verb {
		case "end":
			if lastDay.IsZero() {
				lastDay = officerToday(now).AddDate(0, 0, -1)
			}
			p, err := s.EndStanding(ctx, e.actor(), o.ID, pid, lastDay)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Ended %s's %s #%d: %s; on duty from %s.\n", who, p.Kind, p.ID, p.Span(), p.To.AddDate(0, 0, 1).Format("Mon 02 Jan 2006"))
			return nil
		case "remove":
			if err := s.RemoveStanding(ctx, e.actor(), o.ID, pid); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Removed period #%d of %s.\n", pid, who)
			return nil
		}
		in.OfficerID = o.ID
		p, held, err := s.AddStanding(ctx, e.actor(), in)
		if err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Recorded %s #%d for %s: %s: %s.\n", p.Kind, p.ID, who, p.Span(), clean(p.Reason))
		if len(held) > 0 {
			zones, err := agencyZones(ctx, s)
			if err != nil {
				return fail(ExitInvalid, "%s: %v", label, err)
			}
			loc := zones[o.AgencyID]
			if loc == nil {
				loc = office()
			}
			fmt.Fprintf(e.stdout, "%s still holds %d %s in it: reassign %s (offduty assign ...).\n", who, len(held), plural(len(held), "shift"), map[bool]string{true: "it", false: "them"}[len(held) == 1])
			for _, h := range held {
				fmt.Fprintf(e.stdout, "  job #%d, %s: %s\n", h.JobID, shiftSpan(h.Start, h.End, loc), clean(h.Why))
			}
		}
		return nil
	}
	return c
}

func newOfficerCertCmd(e *env) *cobra.Command {
	var expires string
	c := &cobra.Command{
		Use:   "cert BADGE add|renew|remove NAME",
		Short: "Add, renew or remove an officer's certification (valid through --expires)",
		Long: `Adds a certification the officer does not hold, renews one they hold (a new expiry),
or removes one. NAME is free text, kept in lower case ("traffic control", "alcohol venue
training"); it may be quoted or given as several words. --expires is the last valid day
(YYYY-MM-DD): a venue or customer that requires it accepts the officer for shifts ending
by the end of that day. Supervisors only.`,
		Example: `  offduty officer cert WV1702 add "traffic control" --expires 2027-06-30
  offduty officer cert WV1702 renew traffic control --expires 2029-06-30
  offduty officer cert WV1702 remove "traffic control"`,
		Args: cobra.ArbitraryArgs,
	}
	c.Flags().StringVar(&expires, "expires", "", "the last valid day (`DATE`, YYYY-MM-DD): with add and renew")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "officer cert"
		if len(args) < 3 {
			return fail(ExitInvalid, "%s: want a BADGE, add, renew or remove, and a NAME (see offduty officer cert --help)", label)
		}
		verb := args[1]
		if verb != store.CertAdd && verb != store.CertRenew && verb != "remove" {
			return fail(ExitInvalid, "%s: %q: want add, renew or remove", label, clean(verb))
		}
		name, err := store.CertName(strings.Join(args[2:], " "))
		if err != nil {
			return storeFail(label, err)
		}
		var exp time.Time
		switch {
		case verb == "remove" && c.Flags().Changed("expires"):
			return fail(ExitInvalid, "%s remove: --expires is for add and renew", label)
		case verb != "remove" && !c.Flags().Changed("expires"):
			return fail(ExitInvalid, "%s %s: --expires DATE is required (the last valid day)", label, verb)
		case verb != "remove":
			if exp, err = dayFlag(label, "expires", expires); err != nil {
				return err
			}
		}
		ctx := cmd.Context()
		s, now, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		o, err := resolveOfficer(ctx, s, label, args[0])
		if err != nil {
			return err
		}
		who := fmt.Sprintf("%s (%s)", clean(o.Name()), clean(o.Badge))
		if verb == "remove" {
			if err := s.RemoveCert(ctx, e.actor(), o.ID, name); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Removed %s from %s.\n", clean(name), who)
			return nil
		}
		known, err := s.CertNames(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		cert, err := s.SetCert(ctx, e.actor(), o.ID, verb, name, exp)
		if err != nil {
			return storeFail(label, err)
		}
		verbed := map[string]string{store.CertAdd: "Added", store.CertRenew: "Renewed"}[verb]
		fmt.Fprintf(e.stdout, "%s %s for %s: %s.\n", verbed, clean(cert.Name), who, certText(cert, officerToday(now)))
		if len(known) > 0 && !slices.Contains(known, cert.Name) {
			fmt.Fprintf(e.stdout, "Note: no other officer holds %q and nothing requires it; the names in use: %s.\n", cert.Name, clean(strings.Join(known, ", ")))
		}
		return nil
	}
	return c
}

func newOfficerRequirementCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "requirement",
		Short: "The certifications venue categories or customers require",
		Long: `A requirement names a venue category (--venue construction) or a customer (--customer ID)
and a certification: every officer on its jobs must hold it, valid through the shift's end.
Positions already filled keep their officer. Dispatchers list; supervisors add and remove.`,
		Example: `  offduty officer requirement add --venue construction --cert "traffic control"
  offduty officer requirement add --customer 12 --cert "site induction"
  offduty officer requirement list --json`,
	}
	return group(c, newRequirementListCmd(e), newRequirementChangeCmd(e, "add"), newRequirementChangeCmd(e, "remove"))
}

func newRequirementListCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{Use: "list", Short: "List the requirements", Args: noArgs}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array: id, venue or customer_id and customer, cert")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "officer requirement list"
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayDispatch)
		if err != nil {
			return err
		}
		defer e.close(s)
		reqs, err := s.Requirements(ctx, e.actor())
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			type jsonReq struct {
				ID         int64  `json:"id"`
				Venue      string `json:"venue,omitempty"`
				CustomerID int64  `json:"customer_id,omitempty"`
				Customer   string `json:"customer,omitempty"`
				Cert       string `json:"cert"`
			}
			out := []jsonReq{}
			for _, r := range reqs {
				out = append(out, jsonReq{r.ID, string(r.Venue), r.CustomerID, r.CustomerName, r.Cert})
			}
			return writeJSON(e.stdout, out)
		}
		if len(reqs) == 0 {
			fmt.Fprintln(e.stdout, "No venue or customer requires a certification.")
			return nil
		}
		for _, r := range reqs {
			fmt.Fprintf(e.stdout, "%s\n", clean(r.Describe()))
		}
		return nil
	}
	return c
}

func newRequirementChangeCmd(e *env, verb string) *cobra.Command {
	var venue, customer, cert string
	short := map[string]string{"add": "Require a certification at a venue category or of a customer's jobs", "remove": "Drop a requirement"}[verb]
	c := &cobra.Command{Use: verb, Short: short, Args: noArgs}
	c.Flags().StringVar(&venue, "venue", "", "a venue category (`VENUE`): construction, event, traffic, ...")
	c.Flags().StringVar(&customer, "customer", "", "a customer's id (`ID`, 12 or #12)")
	c.Flags().StringVar(&cert, "cert", "", "the certification (`NAME`)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		label := "officer requirement " + verb
		if (venue == "") == (customer == "") {
			return fail(ExitInvalid, "%s: name one of --venue VENUE or --customer ID", label)
		}
		if cert == "" {
			return fail(ExitInvalid, "%s: --cert NAME is required", label)
		}
		in := store.RequirementInput{Venue: venue, Cert: cert}
		if customer != "" {
			id, ok := idArg(customer)
			if !ok {
				return fail(ExitInvalid, "%s: --customer: want a customer's id such as 12, got %q", label, clean(customer))
			}
			in.CustomerID = id
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		if verb == "remove" {
			r, err := s.RemoveRequirement(ctx, e.actor(), in)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "No longer required: %s (#%d).\n", clean(r.Describe()), r.ID)
			return nil
		}
		r, err := s.AddRequirement(ctx, e.actor(), in)
		if err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Required: %s (#%d). Positions already filled keep their officer.\n", clean(r.Describe()), r.ID)
		return nil
	}
	return c
}
