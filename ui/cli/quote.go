package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
)

func newQuoteCmd(e *env) *cobra.Command {
	var agency, start, end, hours, venue, received string
	var asJSON bool
	c := &cobra.Command{
		Use:   "quote",
		Short: "Price a request and explain it",
		Long: `Prices a request with the agency's rate card in force when it was received, and
explains every line. Times are the agency's local time (America/Denver for both seed
agencies). Exit status: 0 bookable; 2 priced but not bookable (prohibited venue, or
short notice where the agency has no emergency rate), reason on stderr; 1 invalid input.`,
		Example: `  offduty quote --agency west-valley-city --start "2026-12-24 18:00" --hours 6 --officers 5 --vehicles 1
  offduty quote --agency grantsville --start "2026-12-02 08:00" --end "2026-12-02 12:00" --officers 2 --json`,
		Args: noArgs,
	}
	f := c.Flags()
	f.StringVar(&agency, "agency", "", "agency `SLUG`: west-valley-city or grantsville")
	f.StringVar(&start, "start", "", "shift start, `\"YYYY-MM-DD HH:MM\"` local time")
	f.StringVar(&end, "end", "", "shift end, `\"YYYY-MM-DD HH:MM\"` local time (or --hours)")
	f.StringVar(&hours, "hours", "", "shift length in hours, decimals allowed (`H`, e.g. 2.5); instead of --end")
	officers := intFlag(f, "officers", "number of officers asked for, 1 to 500 (`N`)")
	vehicles := intFlag(f, "vehicles", "number of vehicles (`N`)")
	f.StringVar(&venue, "venue", "general", "venue `CATEGORY`: "+venueList())
	f.StringVar(&received, "received", "", "when the request was received, `\"YYYY-MM-DD HH:MM\"` local time (default: the clock)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if agency == "" {
			return fail(ExitInvalid, "quote: --agency is required (west-valley-city or grantsville)")
		}
		if start == "" {
			return fail(ExitInvalid, "quote: --start is required, e.g. --start \"2026-12-24 18:00\"")
		}
		if end == "" && hours == "" {
			return fail(ExitInvalid, "quote: give --end or --hours")
		}
		if end != "" && hours != "" {
			return fail(ExitInvalid, "quote: give --end or --hours, not both")
		}
		if !f.Changed("officers") {
			return fail(ExitInvalid, "quote: --officers is required")
		}
		if *officers < 1 {
			return fail(ExitInvalid, "quote: --officers must be at least 1 (got %d)", *officers)
		}
		if *officers > pricing.MaxOfficers {
			return fail(ExitInvalid, "quote: --officers: at most %d officers per request (got %d)", pricing.MaxOfficers, *officers)
		}
		if *vehicles < 0 {
			return fail(ExitInvalid, "quote: --vehicles cannot be negative (got %d)", *vehicles)
		}
		v, err := pricing.ParseVenue(venue)
		if err != nil {
			return fail(ExitInvalid, "quote: --venue: %v", err)
		}
		ctx := cmd.Context()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		a, err := s.AgencyBySlug(ctx, agency)
		if err != nil {
			var slugs []string
			all, _ := s.Agencies(ctx)
			for _, x := range all {
				slugs = append(slugs, x.Slug)
			}
			return fail(ExitInvalid, "quote: --agency: unknown agency %q (known: %s)", agency, strings.Join(slugs, ", "))
		}
		req := pricing.Request{Officers: int(*officers), Vehicles: int(*vehicles), Venue: v, Received: now}
		if req.Start, err = pricing.ParseLocal(start, a.Loc); err != nil {
			return fail(ExitInvalid, "quote: --start: %v", err)
		}
		if end != "" {
			if req.End, err = pricing.ParseLocal(end, a.Loc); err != nil {
				return fail(ExitInvalid, "quote: --end: %v", err)
			}
			if !req.End.After(req.Start) {
				return fail(ExitInvalid, "quote: --end must be after --start")
			}
		} else {
			m, err := pricing.ParseHours(hours)
			if err != nil {
				return fail(ExitInvalid, "quote: --hours: %v", err)
			}
			req.End = req.Start.Add(time.Duration(m) * time.Minute)
		}
		if received != "" {
			if req.Received, err = pricing.ParseLocal(received, a.Loc); err != nil {
				return fail(ExitInvalid, "quote: --received: %v", err)
			}
		}
		pa, err := s.Pricing(ctx, a.Slug, req.Received)
		if err != nil {
			return fail(ExitInvalid, "quote: %v", err)
		}
		q, err := pa.Pricing.Quote(req)
		if err != nil {
			var ie *pricing.InputError
			if errors.As(err, &ie) {
				return fail(ExitInvalid, "quote: --%s: %s", ie.Field, ie.Msg)
			}
			return fail(ExitInvalid, "quote: %v", err)
		}
		if asJSON {
			b, err := q.MarshalJSON()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\n", inertJSON(string(b)))
		} else {
			fmt.Fprint(e.stdout, formatQuote(q))
		}
		if !q.Bookable {
			var why []string
			for _, r := range q.Refusals {
				why = append(why, r.Message)
			}
			return fail(ExitRefused, "not bookable: %s", clean(strings.Join(why, "; ")))
		}
		return nil
	}
	return c
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
	fmt.Fprintf(&b, "Quote  %s\n", clean(q.AgencyName))
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
		fmt.Fprintf(&b, "  ! %s\n", clean(w))
	}
	for _, r := range q.Refusals {
		fmt.Fprintf(&b, "  REFUSED %s\n", clean(r.Message))
	}
	if q.Bookable {
		b.WriteString("\n  Bookable.\n")
	} else {
		b.WriteString("\n  Not bookable.\n")
	}
	return b.String()
}
