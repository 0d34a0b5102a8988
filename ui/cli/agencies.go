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

func newAgenciesCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "agencies",
		Short: "List agencies with their rate cards, holidays and prohibited venues",
		Long:  "Lists the agencies with the rate card in force now, their holidays and prohibited venues.",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, now, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			all, err := s.PricingAll(ctx, now)
			if err != nil {
				return fail(ExitInvalid, "agencies: %v", err)
			}
			if asJSON {
				return writeAgenciesJSON(e.stdout, all, now)
			}
			fmt.Fprint(e.stdout, formatAgencies(all, now))
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func formatAgencies(all []store.PricedAgency, now time.Time) string {
	var b strings.Builder
	for i, pa := range all {
		if i > 0 {
			fmt.Fprintln(&b)
		}
		c := pa.Card.Card
		fmt.Fprintf(&b, "%s (%s), %s; rate card #%d in force since %s\n", clean(pa.Name), clean(pa.Slug), clean(pa.Zone), pa.Card.ID, pa.Card.EffectiveFrom.In(pa.Loc).Format("2006-01-02"))
		fmt.Fprintf(&b, "  %-11s %9s %9s %9s\n", "rate", "total", "officer", "admin")
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
		sup := "never"
		if c.SupervisorAt > 0 {
			sup = fmt.Sprintf("at %d or more officers", c.SupervisorAt)
		}
		fmt.Fprintf(&b, "  minimum %s h per officer; notice %s; supervisor %s\n", pricing.FormatMinutes(c.MinimumMinutes), pricing.FormatDuration(time.Duration(c.NoticeMinutes)*time.Minute), sup)
		var hs []string
		for _, h := range pa.Pricing.Holidays {
			m, d, ok := h.Date(now.Year())
			if !ok { // a one-off date of another year
				continue
			}
			hs = append(hs, fmt.Sprintf("%s (%s %d)", clean(h.Name), m.String()[:3], d))
		}
		fmt.Fprintf(&b, "  holidays %d: %s\n", now.Year(), strings.Join(hs, ", "))
		for _, v := range pa.Pricing.ProhibitedVenues() {
			fmt.Fprintf(&b, "  prohibited %s: %q\n", v, clean(pa.Pricing.Prohibited[v]))
		}
	}
	return b.String()
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
		CancelAdmin    int               `json:"cancel_admin_minutes"`
		CancelLate     int               `json:"cancel_late_minutes"`
		Holidays       map[string]string `json:"holidays"`
		Prohibited     map[string]string `json:"prohibited"`
	}
	out := []agency{}
	for _, pa := range all {
		c := pa.Card.Card
		a := agency{Slug: pa.Slug, Name: pa.Name, Zone: pa.Zone, RateCard: pa.Card.ID, EffectiveFrom: pa.Card.EffectiveFrom.Format(time.RFC3339),
			Rates: map[string]*rate{}, MinimumMinutes: c.MinimumMinutes, NoticeMinutes: c.NoticeMinutes, SupervisorAt: c.SupervisorAt,
			CancelAdmin: c.CancelTerms().AdminMinutes, CancelLate: c.CancelTerms().LateMinutes,
			Holidays: map[string]string{}, Prohibited: map[string]string{}}
		for n, r := range map[string]pricing.Rate{"regular": c.Regular, "supervisor": c.Supervisor, "holiday": c.Holiday, "emergency": c.Emergency, "vehicle": c.Vehicle} {
			if r.Offered() {
				a.Rates[n] = &rate{r.Total.StringFixed(2), r.Officer.StringFixed(2), r.Admin().StringFixed(2)}
			} else {
				a.Rates[n] = nil
			}
		}
		for _, h := range pa.Pricing.Holidays {
			m, d, ok := h.Date(now.Year())
			if !ok { // a one-off date of another year
				continue
			}
			a.Holidays[h.Name] = fmt.Sprintf("%04d-%02d-%02d", now.Year(), m, d)
		}
		for v, r := range pa.Pricing.Prohibited {
			a.Prohibited[string(v)] = r
		}
		out = append(out, a)
	}
	return writeJSON(w, out)
}
