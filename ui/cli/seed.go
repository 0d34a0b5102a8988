package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"offduty/seed"
)

func newSeedCmd(e *env) *cobra.Command {
	var history string
	c := &cobra.Command{
		Use:   "seed",
		Short: "Generate years of past jobs (about 200,000 positions a year)",
		Long: `Generates a deterministic history of past jobs for the agencies, ending before the
clock's day (or before the first job already in the database, such as the demo's): about
200,000 positions a year, priced with the real rate cards, staffed without overlaps or broken
caps, completed or cancelled, and billed: each account's periods that ended are invoiced,
issued the day after and paid as they age (the jobs follow their invoices). It creates the
customers and the several hundred officers that volume needs. Local only.`,
		Example: "  offduty seed --history 5y --db big.db",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if history == "" {
				return fail(ExitInvalid, "seed: --history is required, e.g. --history 5y")
			}
			years, err := seed.ParseYears(history)
			if err != nil {
				return fail(ExitInvalid, "seed: --history: %v", err)
			}
			ctx := cmd.Context()
			s, now, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			st, err := seed.History(ctx, s, now, years, e.stdout)
			if err != nil {
				return fail(ExitInvalid, "seed: %v", err)
			}
			fmt.Fprintf(e.stdout, "seeded %s: %d jobs (%d cancelled), %d positions, %s to %s, %d new officers, %d new customers, in %s\n",
				s.Path(), st.Jobs, st.Cancelled, st.Positions, st.From.Format("2006-01-02"), st.To.Format("2006-01-02"), st.Officers, st.Customers,
				st.Elapsed.Round(100*time.Millisecond))
			return nil
		},
	}
	c.Flags().StringVar(&history, "history", "", "length of the history in whole `YEARS`, e.g. 5y")
	return markLocal(c, "it writes years of data into a database file of the server")
}
