package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"offduty/seed"
	"offduty/store"
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
customers and the several hundred officers that volume needs.
It is all or nothing: the history is built in a copy of the database beside it, which takes
its place only once complete; a run that is killed leaves the database as it was (run it
again). Refused while the database is in use (the console or serve). Local only.`,
		Example: "  offduty seed --history 5y --db big.db",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := e.onPostgres("seed", "seed a SQLite file (offduty seed --db big.db --history 5y), then copy it into a new, empty PostgreSQL database with offduty migrate --from big.db --to postgres://USER@HOST/DB"); err != nil {
				return err
			}
			if history == "" {
				return fail(ExitInvalid, "seed: --history is required, e.g. --history 5y")
			}
			years, err := seed.ParseYears(history)
			if err != nil {
				return fail(ExitInvalid, "seed: --history: %v", err)
			}
			ctx := cmd.Context()
			now, err := e.now()
			if err != nil {
				return err
			}
			clock := func() time.Time { return now }
			if e.nowText == "" {
				clock = time.Now
			}
			release, err := lockDB(e.db, true)
			if err != nil {
				return fail(ExitInvalid, "seed: %v", err)
			}
			defer release()
			if _, err := os.Stat(e.db); errors.Is(err, fs.ErrNotExist) {
				if err := e.create(ctx, clock, now); err != nil {
					return err
				}
			}
			// A copy beside the database takes the history, then its place.
			dir := filepath.Dir(e.db)
			removeStale(dir)
			f, err := os.CreateTemp(dir, newPrefix+"*.db")
			if err != nil {
				return fail(ExitInvalid, "seed: %v", unwrapPath(err))
			}
			work := f.Name()
			f.Close()
			os.Remove(work) // VACUUM INTO makes it
			defer func() {
				for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
					os.Remove(work + suffix)
				}
			}()
			orig, err := store.Open(e.db, store.WithClock(clock))
			if err != nil {
				return fail(ExitInvalid, "seed: %v", err)
			}
			if _, err := orig.Snapshot(ctx, work); err != nil {
				orig.Close()
				return fail(ExitInvalid, "seed: %v", err)
			}
			if err := orig.Close(); err != nil {
				return fail(ExitInvalid, "seed: %v", err)
			}
			s, err := store.Open(work, store.WithClock(clock))
			if err != nil {
				return fail(ExitInvalid, "seed: %v", err)
			}
			st, err := seed.History(ctx, s, now, years, e.stdout)
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fail(ExitInvalid, "seed: %v (the database is as it was)", err)
			}
			// The original's log was folded into it when it closed; one left
			// behind would be taken for the new file's.
			for _, suffix := range []string{"-wal", "-shm"} {
				if st, err := os.Stat(e.db + suffix); err == nil && st.Size() > 0 && suffix == "-wal" {
					return fail(ExitInvalid, "seed: %s%s is not empty: is the database in use by another program? (the database is as it was)", e.db, suffix)
				}
				os.Remove(e.db + suffix)
			}
			if err := os.Rename(work, e.db); err != nil {
				return fail(ExitInvalid, "seed: %v (the database is as it was)", err)
			}
			fmt.Fprintf(e.stdout, "seeded %s: %d jobs (%d cancelled), %d positions, %s to %s, %d new officers, %d new customers, in %s\n",
				e.db, st.Jobs, st.Cancelled, st.Positions, st.From.Format("2006-01-02"), st.To.Format("2006-01-02"), st.Officers, st.Customers,
				st.Elapsed.Round(100*time.Millisecond))
			return nil
		},
	}
	c.Flags().StringVar(&history, "history", "", "length of the history in whole `YEARS`, e.g. 5y")
	return markLocal(c, "it writes years of data into a database file of the server")
}
