package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"offduty/store"
)

func newCheckCmd(e *env) *cobra.Command {
	var asJSON bool
	var promises []string
	for _, c := range store.Checks {
		promises = append(promises, fmt.Sprintf("  %-16s %s", c.Name, c.Promise))
	}
	c := &cobra.Command{
		Use:   "check",
		Short: "Check the database: the file's integrity and every business invariant",
		Long: `Checks, in one consistent read (while others keep working), the file and every promise
the store makes:
` + strings.Join(promises, "\n") + `
Each finding names its rows (up to 20) and how to put it right. Supervisors only (also over SSH).
Exit status: 0 sound; 1 findings (or a database that cannot be read); 2 refused by the role.`,
		Example: "  offduty check\n  ssh -p 2222 office check --json",
		Args:    noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of checks, each with its findings")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		res, err := s.Check(ctx, e.actor())
		if err != nil {
			return storeFail("check", err)
		}
		found := 0
		for _, r := range res {
			found += len(r.Findings)
		}
		if asJSON {
			type finding struct {
				Problem string   `json:"problem"`
				Count   int      `json:"count"`
				Rows    []string `json:"rows"`
				Hint    string   `json:"hint"`
			}
			type check struct {
				Name     string    `json:"name"`
				Sound    bool      `json:"sound"`
				Note     string    `json:"note,omitempty"`
				Findings []finding `json:"findings"`
			}
			out := []check{}
			for _, r := range res {
				c := check{Name: r.Name, Sound: len(r.Findings) == 0, Note: r.Note, Findings: []finding{}}
				for _, f := range r.Findings {
					c.Findings = append(c.Findings, finding{f.Problem, f.Count, f.Rows, f.Hint})
				}
				out = append(out, c)
			}
			if err := writeJSON(e.stdout, out); err != nil {
				return err
			}
		} else {
			for _, r := range res {
				if len(r.Findings) == 0 {
					fmt.Fprintf(e.stdout, "ok       %s\n", r.Name)
					if r.Note != "" {
						fmt.Fprintf(e.stdout, "         note: %s\n", r.Note)
					}
					continue
				}
				for _, f := range r.Findings {
					fmt.Fprintf(e.stdout, "FAILED   %s: %s (%d %s)\n", r.Name, f.Problem, f.Count, plural(f.Count, "row"))
					for _, row := range f.Rows {
						fmt.Fprintf(e.stdout, "           %s\n", clean(row))
					}
					if f.Count > len(f.Rows) {
						fmt.Fprintf(e.stdout, "           … and %d more\n", f.Count-len(f.Rows))
					}
					fmt.Fprintf(e.stdout, "         hint: %s\n", f.Hint)
				}
			}
		}
		if !asJSON {
			t, err := s.Tally(ctx, e.actor())
			if err != nil {
				return storeFail("check", err)
			}
			writeTally(e.stdout, t)
		}
		if found > 0 {
			return fail(ExitInvalid, "check: %d %s", found, plural(found, "finding"))
		}
		if !asJSON {
			fmt.Fprintf(e.stdout, "The database is sound.\n")
		}
		return nil
	}
	return c
}

// writeTally prints what the office adds up to: rows per table (those with
// any) and its money, the same on every engine for the same office.
func writeTally(w io.Writer, t store.Tally) {
	var parts []string
	for _, c := range t.Counts {
		if c.Rows > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Table, c.Rows))
		}
	}
	fmt.Fprintf(w, "rows     %s\n", wrapList(parts, 9, 88))
	for _, m := range t.Totals {
		fmt.Fprintf(w, "money    %-24s %s\n", m.Name, m.Total.StringFixed(2))
	}
}

// wrapList joins parts with ", ", breaking lines before width and indenting
// the lines after the first by indent.
func wrapList(parts []string, indent, width int) string {
	var b strings.Builder
	col := indent
	for i, p := range parts {
		if i > 0 {
			if col+2+len(p) > width {
				b.WriteString(",\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteString(", ")
				col += 2
			}
		}
		b.WriteString(p)
		col += len(p)
	}
	return b.String()
}
