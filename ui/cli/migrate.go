package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"offduty/store"
)

func newMigrateCmd(e *env) *cobra.Command {
	var from, to string
	c := &cobra.Command{
		Use:   "migrate --from DB --to DB",
		Short: "Copy a whole office from one database to another (SQLite to PostgreSQL, or back)",
		Long: `Copies every record of an office, and its media files, from one database into a new,
empty one: a SQLite file into PostgreSQL to move an office onto a replicated engine, or
PostgreSQL back into a SQLite file. The source is read as of one moment (others may keep
working on it); the destination is written in one transaction, all of it or nothing, and
must hold no office yet (a new PostgreSQL database: createdb offduty).

Then offduty check runs on both ends: every invariant, the rows of every table and the
money the office holds. The copy is good when both ends are sound and tally the same.
Stop the console and serve on the source first if nothing may change after the copy.
Local only. Exit status: 0 copied and tallied; 1 refused, failed or not tallying.`,
		Example: "  createdb offduty\n  offduty migrate --from ~/.local/share/offduty/offduty.db --to postgres://offduty@db1/offduty\n  OFFDUTY_DB=postgres://offduty@db1/offduty offduty serve",
		Args:    noArgs,
	}
	c.Flags().StringVar(&from, "from", "", "the database to copy: a SQLite `FILE` or a postgres:// address")
	c.Flags().StringVar(&to, "to", "", "the new, empty database to copy into: a postgres:// `ADDRESS` or a SQLite file")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if from == "" || to == "" {
			return fail(ExitInvalid, "migrate: both --from and --to are needed, e.g. --from offduty.db --to postgres://offduty@localhost/offduty")
		}
		if from == to {
			return fail(ExitInvalid, "migrate: --from and --to are the same database")
		}
		if !store.IsPostgres(from) {
			if _, err := os.Stat(from); err != nil {
				return fail(ExitInvalid, "migrate: --from %s: %v", from, unwrapPath(err))
			}
		}
		if !store.IsPostgres(to) {
			if _, err := os.Stat(to); err == nil {
				return fail(ExitInvalid, "migrate: --to %s already exists: copy into a new file", to)
			}
		}
		src, err := store.Open(from, store.ReadOnly())
		if err != nil {
			return fail(ExitInvalid, "migrate: --from: %v", err)
		}
		defer src.Close()
		if v, err := src.SchemaVersion(ctx); err != nil || v == 0 {
			return fail(ExitInvalid, "migrate: --from %s is not an offduty database (it has no offduty tables): nothing to copy", src.Path())
		}
		if has, err := src.HasOffice(ctx); err != nil || !has {
			return fail(ExitInvalid, "migrate: --from %s holds no office (no agencies): nothing to copy", src.Path())
		}
		dst, err := store.Open(to)
		if err != nil {
			return fail(ExitInvalid, "migrate: --to: %v", err)
		}
		copied := false
		defer func() {
			dst.Close()
			if !copied && !store.IsPostgres(to) {
				for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
					os.Remove(to + suffix) // the new file this run made, left empty
				}
			}
		}()
		fmt.Fprintf(e.stderr, "Copying %s into %s\n", src.Path(), dst.Path())
		began := time.Now()
		var rows int64
		err = src.CopyTo(ctx, dst, func(table string, n int64, took time.Duration) {
			rows += n
			fmt.Fprintf(e.stderr, "  %-20s %9d %s\n", table, n, took.Round(time.Millisecond))
		})
		if err != nil {
			return storeFail("migrate", err)
		}
		copied = true
		fmt.Fprintf(e.stdout, "Copied %d rows in %s.\n", rows, time.Since(began).Round(100*time.Millisecond))
		sound := true
		var tallies [2]store.Tally
		for i, s := range []*store.Store{src, dst} {
			res, err := s.Check(ctx, e.actor())
			if err != nil {
				return storeFail("migrate: check", err)
			}
			for _, r := range res {
				state := "ok"
				if len(r.Findings) > 0 {
					state, sound = fmt.Sprintf("FAILED (%d %s)", len(r.Findings), plural(len(r.Findings), "finding")), false
				}
				fmt.Fprintf(e.stdout, "check %-4s %-16s %s\n", []string{"from", "to"}[i], r.Name, state)
			}
			if tallies[i], err = s.Tally(ctx, e.actor()); err != nil {
				return storeFail("migrate: check", err)
			}
		}
		writeTally(e.stdout, tallies[1])
		if diff := tallyDiff(tallies[0], tallies[1]); len(diff) > 0 {
			for _, d := range diff {
				fmt.Fprintf(e.stdout, "DIFFERS  %s\n", d)
			}
			return fail(ExitInvalid, "migrate: the copy does not tally with %s (%d %s): do not use it", src.Path(), len(diff), plural(len(diff), "difference"))
		}
		if !sound {
			return fail(ExitInvalid, "migrate: copied and tallied, but check found problems (run offduty check on each end)")
		}
		fmt.Fprintf(e.stdout, "Both ends are sound and tally the same: %s holds the office.\n", dst.Path())
		return nil
	}
	return markLocal(c, "it opens databases by path or address on the server")
}

// tallyDiff lists where two tallies differ.
func tallyDiff(a, b store.Tally) []string {
	var out []string
	counts := map[string]int64{}
	for _, c := range b.Counts {
		counts[c.Table] = c.Rows
	}
	for _, c := range a.Counts {
		if counts[c.Table] != c.Rows {
			out = append(out, fmt.Sprintf("%s: %d rows, copied %d", c.Table, c.Rows, counts[c.Table]))
		}
	}
	totals := map[string]string{}
	for _, m := range b.Totals {
		totals[m.Name] = m.Total.StringFixed(2)
	}
	for _, m := range a.Totals {
		if got := totals[m.Name]; got != m.Total.StringFixed(2) {
			out = append(out, fmt.Sprintf("%s: %s, copied %s", m.Name, m.Total.StringFixed(2), got))
		}
	}
	return out
}
