package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui/export"
)

func newPayrollCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "payroll",
		Short: "A pay period per officer; export it as CSV and lock it",
		Long: `Pay periods: per officer, each shift with its hours and the officer's share of
the rate (the invoice bills the total; the office keeps the admin fee), the vehicles of a
job paid to its first officer, and adjustments: changes to the shifts of periods already
locked (a late completion, a corrected check-out) are paid in the next open period.
Periods are two weeks from Monday 5 Jan 2026 unless configured otherwise. Supervisors only.
Exit status: 0; 1 invalid input; 2 refused (--lock on a locked period, or a role).`,
	}
	group(c, newPayrollShowCmd(e), newPayrollExportCmd(e))
	return c
}

func newPayrollShowCmd(e *env) *cobra.Command {
	var period string
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "A pay period: per officer, each shift and its pay",
		Args:  noArgs,
	}
	c.Flags().StringVar(&period, "period", "", "a date `YYYY-MM-DD` in the pay period (default: the clock's day)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "payroll show"
		day, err := civilDate(e, label, "period", period)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		p, err := s.Payroll(ctx, e.actor(), day)
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			return writeJSON(e.stdout, payrollJSON(p))
		}
		fmt.Fprint(e.stdout, formatPayroll(p))
		return nil
	}
	return c
}

func newPayrollExportCmd(e *env) *cobra.Command {
	var period, format, out string
	var lock bool
	c := &cobra.Command{
		Use:   "export",
		Short: "A pay period as CSV, one row per paid line; --lock locks it",
		Long: `CSV, one row per paid line (officer, kind, date, job, customer, site, class, minutes,
hours, rate, amount); -o - or no -o writes to stdout (over SSH: ssh ... > payroll.csv); a new
file is created readable by its owner only, an existing one keeps its mode. --lock locks the
period as exported: it reads back unchanged from then on.`,
		Example: "  offduty payroll export --period 2026-11-16 -o payroll-2026-11-16.csv --lock\n  ssh -p 2222 office payroll export --period 2026-11-16 > payroll.csv",
		Args:    noArgs,
	}
	f := c.Flags()
	f.StringVar(&period, "period", "", "a date `YYYY-MM-DD` in the pay period (default: the clock's day)")
	f.StringVar(&format, "format", "csv", "`FORMAT`: csv")
	outputFlag(f, &out, "write to `FILE`, replaced atomically; - or none writes to stdout (local only)")
	f.BoolVar(&lock, "lock", false, "lock the period as exported (later changes go to the next period)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "payroll export"
		if f := strings.ToLower(strings.TrimSpace(format)); f != "csv" {
			return fail(ExitInvalid, "%s: --format: unknown format %q (known: csv)", label, format)
		}
		day, err := civilDate(e, label, "period", period)
		if err != nil {
			return err
		}
		if err := e.checkOut(label, out); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		// Locking first makes what is written exactly what was locked (a
		// locked period reads back unchanged, so a failed write can be done
		// again).
		var p store.Payroll
		if lock {
			p, err = s.LockPayroll(ctx, e.actor(), day)
		} else {
			p, err = s.Payroll(ctx, e.actor(), day)
		}
		if err != nil {
			return storeFail(label, err)
		}
		if err := e.writeOut(out, 0o600, func(w io.Writer) error { return export.PayrollCSV(w, p) }); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		lines := 0
		for _, op := range p.Officers {
			lines += len(op.Lines)
		}
		where := "stdout"
		if !toStdout(out) {
			where = out
		}
		state := "open"
		if p.Locked {
			state = "locked"
		}
		fmt.Fprintf(e.stderr, "wrote pay period %s to %s (%s): %d %s, %d %s, %s to %s\n", p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02"),
			state, len(p.Officers), plural(len(p.Officers), "officer"), lines, plural(lines, "line"), pricing.FormatMoney(p.Total), where)
		return nil
	}
	return c
}

func formatPayroll(p store.Payroll) string {
	var b strings.Builder
	state := "open"
	if p.Locked {
		state = fmt.Sprintf("locked %s by %s", p.LockedAt.Format("2006-01-02 15:04Z"), clean(p.LockedBy))
	}
	fmt.Fprintf(&b, "Pay period %s to %s (%s): %d %s, %s\n", p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02"), state,
		len(p.Officers), plural(len(p.Officers), "officer"), pricing.FormatMoney(p.Total))
	for _, op := range p.Officers {
		fmt.Fprintf(&b, "%-28s %-8s %7s h %12s\n", clip(clean(op.Officer.Name()), 28), clean(op.Officer.Badge), pricing.FormatMinutes(op.Minutes), pricing.FormatMoney(op.Total))
		for _, l := range op.Lines {
			fmt.Fprintf(&b, "    %s  %-10s #%-7d %-28s %-12s %6s %-11s %10s\n", l.Day.Format("2006-01-02"), l.Kind, l.JobID, clip(clean(l.Customer), 28),
				clip(clean(l.Class), 12), pricing.FormatMinutes(l.Minutes), l.Rate, pricing.FormatMoney(l.Amount))
		}
	}
	return b.String()
}

func payrollJSON(p store.Payroll) map[string]any {
	offs := make([]map[string]any, 0, len(p.Officers))
	for _, op := range p.Officers {
		lines := make([]map[string]any, 0, len(op.Lines))
		for _, l := range op.Lines {
			lines = append(lines, map[string]any{"kind": l.Kind, "date": l.Day.Format("2006-01-02"), "job": l.JobID, "position": l.PositionID,
				"customer": l.Customer, "site": l.Site, "class": l.Class, "minutes": l.Minutes, "hours": pricing.FormatMinutes(l.Minutes),
				"rate": l.Rate, "amount": l.Amount.StringFixed(2)})
		}
		offs = append(offs, map[string]any{"officer_id": op.Officer.ID, "badge": op.Officer.Badge, "officer": op.Officer.Name(),
			"minutes": op.Minutes, "total": op.Total.StringFixed(2), "lines": lines})
	}
	var at any
	if p.Locked {
		at = p.LockedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{"period_start": p.Start.Format("2006-01-02"), "period_end": p.End.AddDate(0, 0, -1).Format("2006-01-02"),
		"locked": p.Locked, "locked_at": at, "locked_by": p.LockedBy, "total": p.Total.StringFixed(2), "officers": offs}
}
