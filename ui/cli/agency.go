package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
)

// newAgencyCmd is the agencies' settings: rate cards, holidays, prohibited
// venues and dispatch addresses. Changes are a supervisor's, audited with
// what was before and after.
func newAgencyCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "agency",
		Short: "Agencies' rate cards, holidays, prohibited venues and dispatch addresses",
		Long: `The settings of each partner agency, named by its slug (offduty agency list shows them):

  rates     the rate card in force, the cards scheduled and the history; or a new card from a
            date (every rate, minimum hours, notice, supervisor threshold, cancellation terms),
            printed as a diff against the card it follows (--dry-run saves nothing)
  holiday   the holiday list: rules that recur every year and one-off dates, with their dates
            this year and next; add and remove
  venue     prohibited venue categories and the rule text quoted when a request is refused
  dispatch  the address that gets the agency's daily roster and its notices

A job keeps the rate card in force when it was received, also when it is edited later: a
new card never re-prices jobs, quotes or invoices already made. A card starts today (from
the moment it is saved) or on a later date (at local midnight). Supervisors only, locally or
over SSH; every change is recorded in the audit with its value before and after.
Exit status: 0 done; 1 an unknown agency or invalid input; 2 refused (a rule, or not a supervisor).`,
		Example: `  offduty agency list
  offduty agency rates west-valley-city
  offduty agency rates west-valley-city --from 2027-01-01 --regular 60.00/52.50 --dry-run
  offduty agency holiday west-valley-city add "Stake Conference" --date 2027-04-03
  offduty agency venue grantsville set event --rule "No officer may work a ticketed concert."
  offduty agency dispatch west-valley-city dispatch@wvc-ut.example`,
	}
	return group(c, newAgencyListCmd(e), newAgencyRatesCmd(e), newAgencyHolidayCmd(e), newAgencyVenueCmd(e), newAgencyDispatchCmd(e))
}

func newAgencyListCmd(e *env) *cobra.Command {
	c := newAgenciesCmd(e)
	c.Use = "list"
	c.Short = "List the agencies with the card in force, holidays and prohibited venues (as offduty agencies)"
	return c
}

// agencyArg opens the store and finds the agency named by slug, for a
// supervisor (the whole agency group is theirs).
func agencyArg(ctx context.Context, e *env, label, slug string) (*store.Store, store.Agency, time.Time, error) {
	s, now, err := e.open(ctx)
	if err != nil {
		return nil, store.Agency{}, now, err
	}
	if err := mayAdmin(ctx, e, s, label); err != nil {
		e.close(s)
		return nil, store.Agency{}, now, err
	}
	a, err := s.AgencyBySlug(ctx, slug)
	if err != nil {
		e.close(s)
		return nil, store.Agency{}, now, storeFail(label, err)
	}
	return s, a, now, nil
}

// cardFlags are a new card's figures as typed; those not given are taken
// from the card it follows.
type cardFlags struct {
	from, note                                   string
	regular, supervisor, holiday, emergency, veh string
	minimum, notice, supervisorAt                string
	cancelAdmin, cancelLate                      string
	dryRun, asJSON                               bool
}

// changing reports whether any of the card's figures or its date was given.
func (f *cardFlags) changing(c *cobra.Command) bool {
	for _, n := range []string{"from", "regular", "supervisor", "holiday", "emergency", "vehicle", "minimum", "notice", "supervisor-at", "cancel-admin", "cancel-late", "note", "dry-run"} {
		if c.Flags().Changed(n) {
			return true
		}
	}
	return false
}

// card applies the flags given to base.
func (f *cardFlags) card(c *cobra.Command, label string, base pricing.RateCard) (pricing.RateCard, error) {
	out := base.WithTerms()
	for _, r := range []struct {
		flag string
		dst  *pricing.Rate
		v    string
	}{{"regular", &out.Regular, f.regular}, {"supervisor", &out.Supervisor, f.supervisor}, {"holiday", &out.Holiday, f.holiday},
		{"emergency", &out.Emergency, f.emergency}, {"vehicle", &out.Vehicle, f.veh}} {
		if !c.Flags().Changed(r.flag) {
			continue
		}
		v, err := pricing.ParseRate(r.flag, r.v)
		if err != nil {
			return out, fail(ExitInvalid, "%s: --%s: %v", label, r.flag, err)
		}
		*r.dst = v
	}
	for _, h := range []struct {
		flag, what string
		dst        *int
		v          string
		lo, hi     int
	}{
		{"minimum", "minimum hours", &out.MinimumMinutes, f.minimum, 0, 24 * 60},
		{"notice", "notice", &out.NoticeMinutes, f.notice, 0, 30 * 24 * 60},
		{"cancel-admin", "cancellation admin-fee hours", &out.CancelAdminMinutes, f.cancelAdmin, 60, pricing.MaxCancelAdminMinutes},
		{"cancel-late", "late-cancellation window", &out.CancelLateMinutes, f.cancelLate, 60, pricing.MaxCancelLateMinutes},
	} {
		if !c.Flags().Changed(h.flag) {
			continue
		}
		m, err := pricing.ParseCardHours(h.what, h.v, h.lo, h.hi)
		if err != nil {
			return out, fail(ExitInvalid, "%s: --%s: %v", label, h.flag, err)
		}
		*h.dst = m
	}
	if c.Flags().Changed("supervisor-at") {
		v := strings.ToLower(strings.TrimSpace(f.supervisorAt))
		if v == "never" || v == "none" {
			v = "0"
		}
		n, err := parseWhole(v)
		if err != nil || n < 0 || n > 500 {
			return out, fail(ExitInvalid, "%s: --supervisor-at: want the number of officers at which a supervisor is added (1 to 500), or never; got %q", label, f.supervisorAt)
		}
		out.SupervisorAt = int(n)
	}
	if err := out.Validate(); err != nil {
		return out, fail(ExitInvalid, "%s: %v", label, err)
	}
	return out, nil
}

func newAgencyRatesCmd(e *env) *cobra.Command {
	var f cardFlags
	c := &cobra.Command{
		Use:   "rates SLUG",
		Short: "Show the rate card in force and its history, or make a new card from a date",
		Long: `Without --from: the card in force, the cards scheduled to take effect later, and the
earlier ones, each with who made it, when, its note and what it changed.

With --from DATE (YYYY-MM-DD, today or later): a new card. Each figure not given is taken
from the card it follows. Rates are TOTAL/OFFICER, the total the customer pays and the
officer's share of it (the admin fee is the difference), or none for a rate the agency does
not offer. Hours are 2, 2.5 or 1:30. The new card is printed as a diff against the card it
follows; --dry-run stops there. A card dated today is in force from the moment it is saved,
a later one from local midnight of its date. Jobs, quotes and invoices already made keep
their card.`,
		Example: `  offduty agency rates west-valley-city --json
  offduty agency rates west-valley-city --from 2027-01-01 --regular 60.00/52.50 --emergency 90.00/79.00 --note "2027 rates" --dry-run
  offduty agency rates grantsville --from 2027-01-01 --vehicle 1.20/1.05 --cancel-late 72
  offduty agency rates west-valley-city --from 2027-03-01 --supervisor-at never --supervisor none`,
		Args: cobra.ArbitraryArgs,
	}
	fs := c.Flags()
	fs.StringVar(&f.from, "from", "", "the `DATE` the new card takes effect (YYYY-MM-DD, today or later)")
	fs.StringVar(&f.regular, "regular", "", "regular rate per officer-hour, `TOTAL/OFFICER` (e.g. 57.00/50.00)")
	fs.StringVar(&f.supervisor, "supervisor", "", "supervisor rate per hour, `TOTAL/OFFICER` or none")
	fs.StringVar(&f.holiday, "holiday", "", "holiday rate per hour, `TOTAL/OFFICER` or none (regular applies)")
	fs.StringVar(&f.emergency, "emergency", "", "short-notice rate per hour, `TOTAL/OFFICER` or none (short notice is refused)")
	fs.StringVar(&f.veh, "vehicle", "", "vehicle rate per vehicle-hour, `TOTAL/OFFICER` or none (vehicles not offered)")
	fs.StringVar(&f.minimum, "minimum", "", "minimum billed `HOURS` per person")
	fs.StringVar(&f.notice, "notice", "", "notice required before the start, in `HOURS`")
	fs.StringVar(&f.supervisorAt, "supervisor-at", "", "officers at which a supervisor is added, `N` or never")
	fs.StringVar(&f.cancelAdmin, "cancel-admin", "", "a cancellation pays the admin fee for the first `HOURS` of each position (24 by default)")
	fs.StringVar(&f.cancelLate, "cancel-late", "", "a cancellation within `HOURS` of the start adds the officer share (48 by default)")
	fs.StringVar(&f.note, "note", "", "why the card changes, kept with it")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the new card and its diff without saving it")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "agency rates"
		if err := wantArgs(label, args, 1, "an agency SLUG"); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, a, now, err := agencyArg(ctx, e, label, args[0])
		if err != nil {
			return err
		}
		defer e.close(s)
		if !f.changing(cmd) {
			cards, err := s.RateCards(ctx, a.ID)
			if err != nil {
				return storeFail(label, err)
			}
			if f.asJSON {
				return writeRatesJSON(e.stdout, a, cards, now)
			}
			fmt.Fprint(e.stdout, formatRates(a, cards, now))
			return nil
		}
		if strings.TrimSpace(f.from) == "" {
			return fail(ExitInvalid, "%s: a new card needs --from DATE (YYYY-MM-DD, today or later); without figures the command shows the cards", label)
		}
		date, err := time.Parse("2006-01-02", strings.TrimSpace(f.from))
		if err != nil {
			return fail(ExitInvalid, "%s: --from: want a date YYYY-MM-DD, got %q", label, f.from)
		}
		base, err := s.CardBefore(ctx, a.Slug, date)
		if err != nil && store.ErrorCode(err) != store.ENotFound {
			return storeFail(label, err)
		}
		card, err := f.card(cmd, label, base.Card)
		if err != nil {
			return err
		}
		in := store.CardInput{Agency: a.Slug, Date: date, Card: card, Note: f.note}
		var p store.CardPlan
		if f.dryRun {
			p, err = s.PlanRateCard(ctx, e.actor(), in)
		} else {
			p, err = s.SaveRateCard(ctx, e.actor(), in)
		}
		if err != nil {
			return storeFail(label, err)
		}
		if f.asJSON {
			return writePlanJSON(e.stdout, p, f.dryRun)
		}
		fmt.Fprint(e.stdout, formatPlan(p, f.dryRun))
		return nil
	}
	return c
}

// cardWhen is when a card takes effect, in the agency's zone.
func cardWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 02 Jan 2006 15:04 MST")
}

func formatPlan(p store.CardPlan, dry bool) string {
	var b strings.Builder
	loc := p.Agency.Loc
	when := "from " + cardWhen(p.From, loc)
	if p.Today {
		when = "from now (" + cardWhen(p.From, loc) + ", when it is saved)"
	}
	fmt.Fprintf(&b, "%s (%s): new rate card %s\n", clean(p.Agency.Name), clean(p.Agency.Slug), when)
	if p.Previous.ID != 0 {
		fmt.Fprintf(&b, "Against card #%d (in force from %s): %d %s\n", p.Previous.ID, cardWhen(p.Previous.EffectiveFrom, loc), p.Changed(), plural(p.Changed(), "change"))
	} else {
		fmt.Fprintln(&b, "The agency's first card.")
	}
	fmt.Fprintln(&b, "Rates are total = officer + admin, per hour.")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tFIGURE\tNOW\tNEW")
	for _, c := range p.Changes {
		mark := " "
		if c.Changed {
			mark = "*"
		}
		after := c.After
		if !c.Changed {
			after = "(same)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, c.Label, c.Before, after)
	}
	tw.Flush()
	if p.Note != "" {
		fmt.Fprintf(&b, "Note: %s\n", clean(p.Note))
	}
	for _, l := range p.Later {
		fmt.Fprintf(&b, "Card #%d still takes over from %s.\n", l.ID, cardWhen(l.EffectiveFrom, loc))
	}
	fmt.Fprintln(&b, "Jobs, quotes and invoices already made keep the card they were priced with.")
	if dry {
		fmt.Fprintln(&b, "Dry run: nothing saved (run again without --dry-run to save it).")
	} else {
		fmt.Fprintf(&b, "Saved rate card #%d (recorded in the audit).\n", p.Saved.ID)
	}
	return b.String()
}

// formatRates is the card in force, the scheduled ones and the earlier
// ones, each with what it changed against the one before.
func formatRates(a store.Agency, cards []store.RateCard, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %s\n", clean(a.Name), clean(a.Slug), clean(a.Zone))
	scheduled, inForce, earlier := store.SplitCards(cards, now)
	prevOf := func(rc store.RateCard) *store.RateCard {
		for i := range cards {
			if cards[i].EffectiveFrom.Before(rc.EffectiveFrom) {
				return &cards[i] // newest first: the first earlier one
			}
		}
		return nil
	}
	head := func(rc store.RateCard) string {
		by := fmt.Sprintf("by %s on %s", clean(rc.CreatedBy), rc.CreatedAt.In(a.Loc).Format("2006-01-02"))
		out := fmt.Sprintf("#%d from %s, %s", rc.ID, cardWhen(rc.EffectiveFrom, a.Loc), by)
		if rc.Note != "" {
			out += ": " + clean(rc.Note)
		}
		return out
	}
	changes := func(rc store.RateCard) string {
		p := prevOf(rc)
		if p == nil {
			return "the first card"
		}
		var ch []string
		for _, c := range pricing.CompareCards(p.Card, rc.Card) {
			if c.Changed {
				ch = append(ch, fmt.Sprintf("%s %s -> %s", c.Label, c.Before, c.After))
			}
		}
		if len(ch) == 0 {
			return fmt.Sprintf("same figures as #%d", p.ID)
		}
		return fmt.Sprintf("against #%d: %s", p.ID, strings.Join(ch, "; "))
	}
	if inForce == nil {
		fmt.Fprintln(&b, "No card in force: requests cannot be priced yet.")
	} else {
		fmt.Fprintf(&b, "In force: %s\n  %s\n", head(*inForce), changes(*inForce))
		fmt.Fprintf(&b, "  %-11s %9s %9s %9s\n", "rate", "total", "officer", "admin")
		c := inForce.Card
		for _, r := range []struct {
			n string
			r pricing.Rate
		}{{"regular", c.Regular}, {"supervisor", c.Supervisor}, {"holiday", c.Holiday}, {"emergency", c.Emergency}, {"vehicle", c.Vehicle}} {
			if !r.r.Offered() {
				fmt.Fprintf(&b, "  %-11s %9s\n", r.n, "none")
				continue
			}
			fmt.Fprintf(&b, "  %-11s %9s %9s %9s\n", r.n, r.r.Total.StringFixed(2), r.r.Officer.StringFixed(2), r.r.Admin().StringFixed(2))
		}
		f := c.Fields()
		fmt.Fprintf(&b, "  minimum %s; notice %s; supervisor at %s\n", f[5].Value, f[6].Value, f[7].Value)
		t := c.CancelTerms()
		fmt.Fprintf(&b, "  cancellation: admin fee for the first %s of each position; within %s of the start, also the officer share\n",
			pricing.FormatHours(t.AdminMinutes), pricing.FormatHours(t.LateMinutes))
	}
	if len(scheduled) > 0 {
		fmt.Fprintln(&b, "Scheduled:")
		for _, rc := range scheduled {
			fmt.Fprintf(&b, "  %s\n    %s\n", head(rc), changes(rc))
		}
	}
	if len(earlier) > 0 {
		fmt.Fprintln(&b, "Earlier:")
		for _, rc := range earlier {
			fmt.Fprintf(&b, "  %s\n    %s\n", head(rc), changes(rc))
		}
	}
	return b.String()
}

type jsonRate struct {
	Total   string `json:"total"`
	Officer string `json:"officer"`
	Admin   string `json:"admin"`
}

type jsonCard struct {
	ID                 int64                `json:"id"`
	EffectiveFrom      string               `json:"effective_from"`
	CreatedAt          string               `json:"created_at,omitempty"`
	CreatedBy          string               `json:"created_by,omitempty"`
	Note               string               `json:"note"`
	Rates              map[string]*jsonRate `json:"rates"`
	MinimumMinutes     int                  `json:"minimum_minutes"`
	NoticeMinutes      int                  `json:"notice_minutes"`
	SupervisorAt       int                  `json:"supervisor_at"`
	CancelAdminMinutes int                  `json:"cancel_admin_minutes"`
	CancelLateMinutes  int                  `json:"cancel_late_minutes"`
}

func cardJSON(id int64, from time.Time, c pricing.RateCard, note string) jsonCard {
	t := c.CancelTerms()
	out := jsonCard{ID: id, EffectiveFrom: from.Format(time.RFC3339), Note: note, Rates: map[string]*jsonRate{},
		MinimumMinutes: c.MinimumMinutes, NoticeMinutes: c.NoticeMinutes, SupervisorAt: c.SupervisorAt,
		CancelAdminMinutes: t.AdminMinutes, CancelLateMinutes: t.LateMinutes}
	for n, r := range map[string]pricing.Rate{"regular": c.Regular, "supervisor": c.Supervisor, "holiday": c.Holiday, "emergency": c.Emergency, "vehicle": c.Vehicle} {
		if r.Offered() {
			out.Rates[n] = &jsonRate{r.Total.StringFixed(2), r.Officer.StringFixed(2), r.Admin().StringFixed(2)}
		} else {
			out.Rates[n] = nil
		}
	}
	return out
}

func storedCardJSON(rc store.RateCard, loc *time.Location) jsonCard {
	j := cardJSON(rc.ID, rc.EffectiveFrom.In(loc), rc.Card, rc.Note)
	j.CreatedAt, j.CreatedBy = rc.CreatedAt.In(loc).Format(time.RFC3339), rc.CreatedBy
	return j
}

func writeRatesJSON(w io.Writer, a store.Agency, cards []store.RateCard, now time.Time) error {
	scheduled, inForce, earlier := store.SplitCards(cards, now)
	out := struct {
		Slug      string     `json:"slug"`
		Name      string     `json:"name"`
		Zone      string     `json:"zone"`
		InForce   *jsonCard  `json:"in_force"`
		Scheduled []jsonCard `json:"scheduled"`
		Earlier   []jsonCard `json:"earlier"`
	}{Slug: a.Slug, Name: a.Name, Zone: a.Zone, Scheduled: []jsonCard{}, Earlier: []jsonCard{}}
	if inForce != nil {
		j := storedCardJSON(*inForce, a.Loc)
		out.InForce = &j
	}
	for _, rc := range scheduled {
		out.Scheduled = append(out.Scheduled, storedCardJSON(rc, a.Loc))
	}
	for _, rc := range earlier {
		out.Earlier = append(out.Earlier, storedCardJSON(rc, a.Loc))
	}
	return writeJSON(w, out)
}

func writePlanJSON(w io.Writer, p store.CardPlan, dry bool) error {
	type change struct {
		Field   string `json:"field"`
		Before  string `json:"before"`
		After   string `json:"after"`
		Changed bool   `json:"changed"`
	}
	out := struct {
		Agency   string   `json:"agency"`
		DryRun   bool     `json:"dry_run"`
		Saved    bool     `json:"saved"`
		Today    bool     `json:"from_now"`
		Card     jsonCard `json:"card"`
		Previous int64    `json:"previous"`
		Changed  int      `json:"changed"`
		Changes  []change `json:"changes"`
		Later    []int64  `json:"later"`
	}{Agency: p.Agency.Slug, DryRun: dry, Saved: !dry, Today: p.Today, Card: cardJSON(p.Saved.ID, p.From.In(p.Agency.Loc), p.Card, p.Note),
		Previous: p.Previous.ID, Changed: p.Changed(), Changes: []change{}, Later: []int64{}}
	for _, c := range p.Changes {
		out.Changes = append(out.Changes, change{c.Key, c.Before, c.After, c.Changed})
	}
	for _, l := range p.Later {
		out.Later = append(out.Later, l.ID)
	}
	return writeJSON(w, out)
}

func newAgencyHolidayCmd(e *env) *cobra.Command {
	var date, rule string
	var asJSON bool
	c := &cobra.Command{
		Use:   "holiday SLUG list|add NAME|remove KEY",
		Short: "List, add or remove an agency's holidays (rules and one-off dates)",
		Long: `An agency's holidays: hours on them are priced at its holiday rate (where it has one).

  list                       every holiday with its key, rule and dates this year and next
  add NAME --date YYYY-MM-DD a one-off date (today or later), that year only
  add NAME --rule RULE       a rule that recurs every year: MM-DD ("07-24"), "N weekday month
                             [+days]" ("3 mon jan", "last mon may", "4 thu nov +1"), or a
                             standard holiday's key ("thanksgiving")
  remove KEY                 takes one off the list (the keys are in the list)

A change prices quotes from now on and shifts not yet invoiced; the quotes saved on jobs and
issued invoices do not change.`,
		Example: `  offduty agency holiday west-valley-city list
  offduty agency holiday west-valley-city add "Stake Conference" --date 2027-04-03
  offduty agency holiday grantsville add "Founders' Day" --rule "1 wed dec"
  offduty agency holiday west-valley-city remove stake-conference-2027-04-03`,
		Args: cobra.ArbitraryArgs,
	}
	c.Flags().StringVar(&date, "date", "", "a one-off holiday's `DATE` (YYYY-MM-DD)")
	c.Flags().StringVar(&rule, "rule", "", "a recurring holiday's `RULE`")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON (list)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "agency holiday"
		args = verbLast(args, "list", "add", "remove")
		if len(args) < 2 {
			return fail(ExitInvalid, "%s: want an agency SLUG and list, add NAME or remove KEY (see offduty agency holiday --help)", label)
		}
		verb := args[1]
		switch verb {
		case "list":
			if len(args) != 2 {
				return fail(ExitInvalid, "%s list: unexpected argument %q", label, args[2])
			}
		case "add":
			if len(args) != 3 {
				return fail(ExitInvalid, "%s add: want the holiday's NAME (quoted if it has spaces) and --date or --rule", label)
			}
			if (date == "") == (rule == "") {
				return fail(ExitInvalid, "%s add: give --date YYYY-MM-DD (a one-off date) or --rule RULE (every year), one of them", label)
			}
			if date != "" {
				if _, err := time.Parse("2006-01-02", strings.TrimSpace(date)); err != nil {
					return fail(ExitInvalid, "%s add: --date: want a date YYYY-MM-DD, got %q", label, date)
				}
			}
		case "remove":
			if len(args) != 3 {
				return fail(ExitInvalid, "%s remove: want the holiday's KEY (offduty agency holiday %s list shows them)", label, args[0])
			}
		default:
			return fail(ExitInvalid, "%s: unknown action %q: want list, add or remove", label, verb)
		}
		if verb != "add" && (date != "" || rule != "") {
			return fail(ExitInvalid, "%s %s: --date and --rule go with add", label, verb)
		}
		ctx := cmd.Context()
		s, a, now, err := agencyArg(ctx, e, label+" "+verb, args[0])
		if err != nil {
			return err
		}
		defer e.close(s)
		switch verb {
		case "add":
			r := strings.TrimSpace(rule)
			if date != "" {
				r = strings.TrimSpace(date)
			}
			h, err := s.AddHoliday(ctx, e.actor(), a.ID, args[2], r)
			if err != nil {
				return storeFail(label+" add", err)
			}
			y := now.In(a.Loc).Year()
			when := clean(h.Describe())
			if _, once := h.OneOff(); !once {
				when += "; " + holidayDates(h, y)
			}
			fmt.Fprintf(e.stdout, "Added holiday %s (key %s) to %s: %s.\n", clean(h.Name), h.Key, clean(a.Name), when)
			fmt.Fprint(e.stdout, holidayRateNote(ctx, s, a, now))
			return nil
		case "remove":
			h, err := s.RemoveHoliday(ctx, e.actor(), a.ID, args[2])
			if err != nil {
				return storeFail(label+" remove", err)
			}
			fmt.Fprintf(e.stdout, "Removed holiday %s (key %s, %s) from %s.\n", clean(h.Name), h.Key, clean(h.Describe()), clean(a.Name))
			return nil
		}
		hs, err := s.Holidays(ctx, a.ID)
		if err != nil {
			return storeFail(label, err)
		}
		y := now.In(a.Loc).Year()
		if asJSON {
			type jh struct {
				Key    string   `json:"key"`
				Name   string   `json:"name"`
				Rule   string   `json:"rule"`
				About  string   `json:"about"`
				OneOff bool     `json:"one_off"`
				Dates  []string `json:"dates"`
			}
			out := []jh{}
			for _, h := range hs {
				_, once := h.OneOff()
				j := jh{Key: h.Key, Name: h.Name, Rule: h.Rule, About: h.Describe(), OneOff: once, Dates: []string{}}
				for _, d := range h.Occurrences(y, y+1) {
					j.Dates = append(j.Dates, d.Format("2006-01-02"))
				}
				out = append(out, j)
			}
			return writeJSON(e.stdout, out)
		}
		fmt.Fprintf(e.stdout, "%s (%s): %d %s\n", clean(a.Name), clean(a.Slug), len(hs), plural(len(hs), "holiday"))
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "KEY\tNAME\tRULE\t%d\t%d\n", y, y+1)
		for _, h := range hs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", clean(h.Key), clean(h.Name), clean(h.Describe()), onYear(h, y), onYear(h, y+1))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprint(e.stdout, holidayRateNote(ctx, s, a, now))
		return nil
	}
	return c
}

// verbLast puts "VERB SLUG ..." in the documented order "SLUG VERB ...".
func verbLast(args []string, verbs ...string) []string {
	if len(args) >= 2 {
		for _, v := range verbs {
			if args[0] == v {
				out := append([]string{args[1], args[0]}, args[2:]...)
				return out
			}
		}
	}
	return args
}

func onYear(h pricing.Holiday, y int) string {
	if m, d, ok := h.Date(y); ok {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("Mon 02 Jan")
	}
	return "-"
}

// holidayDates is a rule's dates this year and next: "2026: Thu 26 Nov, 2027: Thu 25 Nov".
func holidayDates(h pricing.Holiday, y int) string {
	var out []string
	for _, yy := range []int{y, y + 1} {
		out = append(out, fmt.Sprintf("%d: %s", yy, onYear(h, yy)))
	}
	return strings.Join(out, ", ")
}

// holidayRateNote says what a holiday costs at the agency now.
func holidayRateNote(ctx context.Context, s *store.Store, a store.Agency, now time.Time) string {
	pa, err := s.Pricing(ctx, a.Slug, now)
	if err != nil {
		return ""
	}
	if !pa.Card.Card.Holiday.Offered() {
		return fmt.Sprintf("%s has no holiday rate on its card in force: the regular rate applies on holidays.\n", clean(a.Name))
	}
	return fmt.Sprintf("Hours on a holiday are priced at %s per hour (card #%d) in quotes from now on and on shifts not yet invoiced; saved quotes and issued invoices do not change.\n",
		pa.Card.Card.Holiday.Total.StringFixed(2), pa.Card.ID)
}

func newAgencyVenueCmd(e *env) *cobra.Command {
	var rule string
	var asJSON bool
	c := &cobra.Command{
		Use:   "venue SLUG list|set VENUE --rule TEXT|remove VENUE",
		Short: "List, set or remove an agency's prohibited venues and the rule text quoted at intake",
		Long: `Venue categories an agency prohibits: a request for one is refused with the agency's rule
quoted (the caller still hears the figures, but it cannot be approved).

  list                      the prohibited categories with their rule text, and those allowed
  set VENUE --rule TEXT     prohibits VENUE, or changes the text quoted for it
  remove VENUE              allows VENUE again

VENUE is one of ` + venueList() + ` (not general).
Requests quoted from now on use the new text; a job already saved keeps its quote until edited.`,
		Example: `  offduty agency venue west-valley-city list
  offduty agency venue west-valley-city set event --rule "No officer may work a ticketed concert."
  offduty agency venue west-valley-city remove event`,
		Args: cobra.ArbitraryArgs,
	}
	c.Flags().StringVar(&rule, "rule", "", "the rule `TEXT` quoted when a request is refused")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON (list)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		const label = "agency venue"
		args = verbLast(args, "list", "set", "remove")
		if len(args) < 2 {
			return fail(ExitInvalid, "%s: want an agency SLUG and list, set VENUE --rule TEXT or remove VENUE (see offduty agency venue --help)", label)
		}
		verb := args[1]
		switch verb {
		case "list":
			if len(args) != 2 {
				return fail(ExitInvalid, "%s list: unexpected argument %q", label, args[2])
			}
		case "set", "remove":
			if len(args) != 3 {
				return fail(ExitInvalid, "%s %s: want one VENUE: %s", label, verb, venueList())
			}
			if verb == "set" && strings.TrimSpace(rule) == "" {
				return fail(ExitInvalid, "%s set: give the rule text quoted to the caller: --rule TEXT", label)
			}
		default:
			return fail(ExitInvalid, "%s: unknown action %q: want list, set or remove", label, verb)
		}
		if verb != "set" && cmd.Flags().Changed("rule") {
			return fail(ExitInvalid, "%s %s: --rule goes with set", label, verb)
		}
		ctx := cmd.Context()
		s, a, _, err := agencyArg(ctx, e, label+" "+verb, args[0])
		if err != nil {
			return err
		}
		defer e.close(s)
		switch verb {
		case "set":
			v, err := store.ParseProhibitable(args[2])
			if err != nil {
				return storeFail(label+" set", err)
			}
			before, err := s.SetVenueRule(ctx, e.actor(), a.ID, v, rule)
			if err != nil {
				return storeFail(label+" set", err)
			}
			rules, err := s.VenueRules(ctx, a.ID)
			if err != nil {
				return storeFail(label, err)
			}
			now := ""
			for _, r := range rules {
				if r.Venue == v {
					now = r.Rule
				}
			}
			switch {
			case before == now:
				fmt.Fprintf(e.stdout, "%s (%s) %s: the rule text is already that: nothing changed.\n", clean(a.Name), clean(a.Slug), v)
			case before == "":
				fmt.Fprintf(e.stdout, "%s (%s) %s: allowed -> prohibited, quoting %q\n", clean(a.Name), clean(a.Slug), v, clean(now))
			default:
				fmt.Fprintf(e.stdout, "%s (%s) %s: rule text %q -> %q\n", clean(a.Name), clean(a.Slug), v, clean(before), clean(now))
			}
			return nil
		case "remove":
			v, err := store.ParseProhibitable(args[2])
			if err != nil {
				return storeFail(label+" remove", err)
			}
			before, err := s.RemoveVenueRule(ctx, e.actor(), a.ID, v)
			if err != nil {
				return storeFail(label+" remove", err)
			}
			fmt.Fprintf(e.stdout, "%s (%s) %s: prohibited -> allowed (the rule was %q)\n", clean(a.Name), clean(a.Slug), v, clean(before))
			return nil
		}
		rules, err := s.VenueRules(ctx, a.ID)
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			type jv struct {
				Venue string `json:"venue"`
				Label string `json:"label"`
				Rule  string `json:"rule"`
			}
			out := []jv{}
			for _, r := range rules {
				out = append(out, jv{string(r.Venue), r.Venue.Label(), r.Rule})
			}
			return writeJSON(e.stdout, out)
		}
		fmt.Fprintf(e.stdout, "%s (%s): %d prohibited %s\n", clean(a.Name), clean(a.Slug), len(rules), plural(len(rules), "venue"))
		prohibited := map[pricing.Venue]bool{}
		for _, r := range rules {
			prohibited[r.Venue] = true
			fmt.Fprintf(e.stdout, "  %-14s %q\n", r.Venue, clean(r.Rule))
		}
		var allowed []string
		for _, v := range pricing.Venues {
			if !prohibited[v] {
				allowed = append(allowed, string(v))
			}
		}
		fmt.Fprintf(e.stdout, "Allowed: %s\n", strings.Join(allowed, ", "))
		return nil
	}
	return c
}

func newAgencyDispatchCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "dispatch SLUG [EMAIL]",
		Short: "Show an agency's dispatch address, or set it (none clears it)",
		Long: `Each agency's dispatch address gets, every day at the office's roster_hour, the roster
of its officers working details in the next 24 hours, and a notice when one is added or
cancelled inside that window. Supervisors only; recorded in the audit.`,
		Example: "  offduty agency dispatch west-valley-city dispatch@wvc-ut.example\n  offduty agency dispatch grantsville none",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			const label = "agency dispatch"
			if len(args) < 1 || len(args) > 2 {
				return fail(ExitInvalid, "%s: want an agency SLUG and an EMAIL (or none), got %d %s (see offduty agency dispatch --help)", label, len(args), plural(len(args), "argument"))
			}
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			a, err := s.AgencyBySlug(ctx, args[0])
			if err != nil {
				return storeFail(label, err)
			}
			old, err := s.AgencyDispatch(ctx, a.ID)
			if err != nil {
				return storeFail(label, err)
			}
			if len(args) == 1 {
				if err := mayAdmin(ctx, e, s, label); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s (%s): %s\n", clean(a.Name), clean(a.Slug), shownValue(old))
				return nil
			}
			addr := strings.TrimSpace(args[1])
			if strings.EqualFold(addr, "none") {
				addr = ""
			}
			if err := store.ValidEmail(addr); err != nil {
				return fail(ExitInvalid, "%s: %v", label, err)
			}
			if err := s.SetAgencyDispatch(ctx, e.actor(), a.ID, addr); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "%s (%s) dispatch: %s -> %s\n", clean(a.Name), clean(a.Slug), shownValue(old), shownValue(addr))
			return nil
		},
	}
}
