package cli

import (
	"context"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"offduty/store"
	"offduty/ui"
)

func newConsoleCmd(e *env) *cobra.Command {
	var as string
	c := &cobra.Command{
		Use:   "console",
		Short: "Open the dispatch console (the default)",
		Long: `Opens the dispatch console on the database (created with the agencies and demo data on
first run). Keys are listed on the help line; ? shows them all.
Without --as the console is the local supervisor's, recorded as "$USER (local)"; with
--as USER it runs as that user of the database (see offduty user): their role and
account apply, and changes are recorded under their name.
Over SSH the console opens when ssh is given a terminal and no command: ssh -t HOST.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, now, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer e.close(s)
			clock := time.Now
			if e.nowText != "" {
				clock = func() time.Time { return now }
			}
			// The local supervisor's name can never be a user's (no spaces in
			// those), so the store never mistakes it for one; --as is that
			// user exactly.
			opts := ui.Options{Store: s, Now: clock, Loc: office(), Actor: e.actor()}
			if as != "" {
				u, err := s.UserByName(context.Background(), as)
				if store.ErrorCode(err) == store.ENotFound {
					return fail(ExitInvalid, "console: --as: no user %q (see offduty user list)", as)
				}
				if err != nil {
					return fail(ExitInvalid, "console: --as: %v", err)
				}
				opts.Actor, opts.Role, opts.CustomerID = u.Name, u.Role, u.CustomerID
			}
			popts := []tea.ProgramOption{tea.WithContext(cmd.Context())}
			if e.stdin != os.Stdin {
				popts = append(popts, tea.WithInput(e.stdin))
			}
			if e.stdout != os.Stdout {
				popts = append(popts, tea.WithOutput(e.stdout))
			}
			if _, err := tea.NewProgram(ui.New(opts), popts...).Run(); err != nil {
				return fail(ExitInvalid, "console: %v", err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&as, "as", "", "run as the database user `USER`: their role and account apply (exit 1 if there is no such user)")
	markLocal(c, "the console over SSH opens when ssh is given a terminal and no command: ssh -t HOST")
	return c
}
