package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui/export"
)

func newInvoiceCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "invoice",
		Short: "Show, export (PDF, CSV), issue, mark paid or void one invoice",
		Long: `Shows, exports, issues, records the payment of, or voids one invoice.
NUMBER is an issued invoice's number (2026-000123), or #ID for a draft (as invoices
generate and invoices list show it). A customer user shows and exports its own
account's issued invoices only; the rest is a supervisor's.`,
	}
	group(c, newInvoiceShowCmd(e), newInvoiceExportCmd(e), newInvoiceIssueCmd(e), newInvoicePaidCmd(e), newInvoiceVoidCmd(e))
	return c
}

var invoiceNumberRE = regexp.MustCompile(`^(\d{4}-\d{6}|#[1-9]\d{0,17})$`)

// invoiceArg opens the database and finds the invoice NUMBER (or #ID) as
// the acting user may read it. Close the store with e.close.
func invoiceArg(cmd *cobra.Command, e *env, label string, pos []string) (*store.Store, store.Invoice, error) {
	if len(pos) != 1 {
		return nil, store.Invoice{}, fail(ExitInvalid, "%s: want one invoice NUMBER such as 2026-000123, or #ID for a draft (see offduty invoice --help)", label)
	}
	n := strings.TrimSpace(pos[0])
	if !invoiceNumberRE.MatchString(n) {
		return nil, store.Invoice{}, fail(ExitInvalid, "%s: %q is not an invoice number: want YYYY-NNNNNN such as 2026-000123, or #ID", label, n)
	}
	s, _, err := e.open(cmd.Context())
	if err != nil {
		return nil, store.Invoice{}, err
	}
	inv, err := s.InvoiceByNumber(cmd.Context(), e.actor(), n)
	if err != nil {
		e.close(s)
		return nil, store.Invoice{}, storeFail(label, err)
	}
	return s, inv, nil
}

func newInvoiceShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "show NUMBER",
		Short:   "An invoice with its lines",
		Example: "  offduty invoice show 2026-000017\n  offduty invoice show '#31' --json",
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (money as two-decimal strings)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "invoice show"
		s, inv, err := invoiceArg(cmd, e, label, pos)
		if err != nil {
			return err
		}
		defer e.close(s)
		today, err := civilDate(e, label, "now", "")
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(e.stdout, invoiceJSON(inv, today))
		}
		fmt.Fprint(e.stdout, formatInvoice(inv, today, true))
		return nil
	}
	return c
}

func newInvoiceExportCmd(e *env) *cobra.Command {
	var format, out string
	c := &cobra.Command{
		Use:   "export NUMBER",
		Short: "An invoice as a PDF (as printed) or a CSV (one row per line)",
		Long: `Exports an invoice. pdf: the printed invoice (office, bill-to, number, dates, period,
the lines, subtotal, total, terms), one page up to 41 lines, then further pages; csv: one
row per line, cells that a spreadsheet would run as a formula neutralised.
The format defaults to -o's extension, else pdf; without -o, csv. A PDF goes to stdout when stdout
is not a terminal (a pipe, a redirect, or an SSH exec without -t): over SSH that is how the
file reaches you, and -o is refused there. A file (-o) is replaced atomically; only a
regular file is ever replaced, and it keeps its mode.`,
		Example: `  offduty invoice export 2026-000017 -o 2026-000017.pdf
  ssh -p 2222 office invoice export 2026-000017 --format pdf > 2026-000017.pdf`,
	}
	c.Flags().StringVar(&format, "format", "", "`FORMAT`: pdf or csv (default: -o's extension, else pdf; csv without -o)")
	outputFlag(c.Flags(), &out, "write to `FILE`, replaced atomically; - writes to stdout (local only)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "invoice export"
		f := strings.ToLower(strings.TrimSpace(format))
		if f == "" {
			f = "pdf"
			if strings.EqualFold(filepath.Ext(out), ".csv") || out == "" {
				f = "csv"
			}
		}
		if f != "pdf" && f != "csv" {
			return fail(ExitInvalid, "%s: --format: unknown format %q (known: pdf, csv)", label, format)
		}
		if err := e.checkOut(label, out); err != nil {
			return err
		}
		if f == "pdf" && toStdout(out) && e.stdoutIsTerminal() {
			return fail(ExitInvalid, "%s: a PDF is not shown on a terminal: redirect it (> FILE.pdf) or give -o FILE", label)
		}
		s, inv, err := invoiceArg(cmd, e, label, pos)
		if err != nil {
			return err
		}
		defer e.close(s)
		issuer, err := s.InvoiceOffice(cmd.Context(), inv.ID) // the office as issued
		if err != nil {
			return storeFail(label, err)
		}
		err = e.writeOut(out, 0o644, func(w io.Writer) error {
			if f == "csv" {
				return export.InvoiceCSV(w, inv)
			}
			return export.InvoicePDF(w, inv, issuer)
		})
		if err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		if !toStdout(out) {
			fmt.Fprintf(e.stderr, "wrote invoice %s (%s, %d %s, total %s) to %s\n", export.Name(inv), clean(inv.CustomerName), len(inv.Lines),
				plural(len(inv.Lines), "line"), pricing.FormatMoney(inv.Total), out)
		}
		return nil
	}
	return c
}

func newInvoiceIssueCmd(e *env) *cobra.Command {
	var on string
	c := &cobra.Command{
		Use:   "issue '#ID'",
		Short: "Issue a draft: it takes the next number of the issue date's year",
		Long: `Issues a draft: it takes the next number of the issue date's year (gap-free; a voided
number is never reused) and its due date from the account's terms (net 30 by default); its
jobs become invoiced; it never changes again. --on defaults to the clock's day.`,
	}
	c.Flags().StringVar(&on, "on", "", "issue date `YYYY-MM-DD` (default: the clock's day)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "invoice issue"
		day, err := civilDate(e, label, "on", on)
		if err != nil {
			return err
		}
		s, inv, err := invoiceArg(cmd, e, label, pos)
		if err != nil {
			return err
		}
		defer e.close(s)
		number, err := s.IssueInvoice(cmd.Context(), e.actor(), inv.ID, day)
		if err != nil {
			return storeFail(label, err)
		}
		inv, err = s.Invoice(cmd.Context(), e.actor(), inv.ID)
		if err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Issued %s to %s on %s: %s, due %s (%s).\n", number, clean(inv.CustomerName), day.Format("2006-01-02"),
			pricing.FormatMoney(inv.Total), inv.DueOn.Format("2006-01-02"), store.TermsText(inv.TermsDays))
		return nil
	}
	return c
}

func newInvoicePaidCmd(e *env) *cobra.Command {
	var on, ref string
	c := &cobra.Command{
		Use:   "paid NUMBER",
		Short: "Record an invoice's payment: its jobs become paid",
	}
	c.Flags().StringVar(&on, "on", "", "payment date `YYYY-MM-DD` (default: the clock's day)")
	c.Flags().StringVar(&ref, "ref", "", "the payment's reference (`TEXT`: check number, transfer id)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "invoice paid"
		day, err := civilDate(e, label, "on", on)
		if err != nil {
			return err
		}
		s, inv, err := invoiceArg(cmd, e, label, pos)
		if err != nil {
			return err
		}
		defer e.close(s)
		if err := s.MarkPaid(cmd.Context(), e.actor(), inv.ID, day, ref); err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Recorded the payment of %s (%s, %s) on %s.\n", export.Name(inv), clean(inv.CustomerName), pricing.FormatMoney(inv.Total), day.Format("2006-01-02"))
		return nil
	}
	return c
}

func newInvoiceVoidCmd(e *env) *cobra.Command {
	var reason string
	c := &cobra.Command{
		Use:   "void NUMBER",
		Short: "Void a draft or unpaid invoice: its shifts can be billed again",
		Long: `Voids a draft or an unpaid invoice: it keeps its number, and its shifts, vehicles and
fees can be billed again (invoices generate --save).`,
	}
	c.Flags().StringVar(&reason, "reason", "", "why it is void (`TEXT`, required): printed on it")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "invoice void"
		if strings.TrimSpace(reason) == "" {
			return fail(ExitInvalid, "%s: --reason is required, e.g. --reason \"billed the wrong site\"", label)
		}
		s, inv, err := invoiceArg(cmd, e, label, pos)
		if err != nil {
			return err
		}
		defer e.close(s)
		if err := s.VoidInvoice(cmd.Context(), e.actor(), inv.ID, reason); err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Voided %s (%s, %s): its shifts can be billed again.\n", export.Name(inv), clean(inv.CustomerName), pricing.FormatMoney(inv.Total))
		return nil
	}
	return c
}

func newInvoicesCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "invoices",
		Short: "Bill accounts for a period (preview, save, issue), or list invoices",
	}
	group(c, newInvoicesGenerateCmd(e), newInvoicesListCmd(e))
	return c
}

func newInvoicesGenerateCmd(e *env) *cobra.Command {
	var period, account, on string
	var save, issue, asJSON bool
	c := &cobra.Command{
		Use:   "generate",
		Short: "Bill every period that has ended: preview, save drafts, or issue",
		Long: `Bills, for a date D (--period, default today), per account (or one), every period of the
account's own billing cycle (weekly Monday to Sunday, biweekly, monthly) whose last day is on
or before D and before today, that holds work not billed yet: all of them, oldest first
(catch-up), never a period still running. An invoice has the period's completed shifts not
billed yet, one line per shift and position and rate (billed hours: the minimum, the full
shift when released early, the real time when held over; prices from each job's own rate
card), its vehicles and its cancellation and reduction fees.
Without --save it only previews, and lists apart what the periods still running hold so far;
--save keeps the invoices as drafts (one account per transaction); --issue saves them and
issues every draft of the periods covered, oldest first (numbers in order, due dates from the
terms), also drafts an earlier --save or a killed run left: run it again after an interruption
and it finishes the job. Supervisors only.
--json prints a JSON array of the invoices (money as two-decimal strings; period_end is the
last day).
Exit status: 0 (also when there is nothing to bill); 1 invalid input or an unknown account;
2 refused by a rule or a role.`,
		Example: `  offduty invoices generate                       # preview what has ended, up to today
  offduty invoices generate --issue                # bill and issue it all
  offduty invoices generate --period 2026-11-30 --account 3 --save`,
		Args: noArgs,
	}
	f := c.Flags()
	f.StringVar(&period, "period", "", "bill the periods ended on or before this date `YYYY-MM-DD` (default: today; a period still running is never billed)")
	f.StringVar(&account, "account", "", "bill only this account (customer `ID`)")
	f.BoolVar(&save, "save", false, "keep the invoices as drafts (without it: a preview, nothing written)")
	f.BoolVar(&issue, "issue", false, "save and issue them, and every draft of the periods covered (implies --save)")
	f.StringVar(&on, "on", "", "with --issue: the issue date `YYYY-MM-DD` (default: today; never in the future)")
	f.BoolVar(&asJSON, "json", false, "print a JSON array")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "invoices generate"
		day, err := civilDate(e, label, "period", period)
		if err != nil {
			return err
		}
		cust, err := accountID(label, account)
		if err != nil {
			return err
		}
		if on != "" && !issue {
			return fail(ExitInvalid, "%s: --on is the issue date: it goes with --issue", label)
		}
		issueOn, err := civilDate(e, label, "on", on)
		if err != nil {
			return err
		}
		today, err := civilDate(e, label, "now", "")
		if err != nil {
			return err
		}
		// The issue date is checked before anything is saved.
		if issue && (issueOn.After(today) || issueOn.Year() < store.MinYear) {
			return fail(ExitInvalid, "%s: --on %s: an invoice is issued today (%s) or on a past day, never in the future", label,
				issueOn.Format("2006-01-02"), today.Format("2006-01-02"))
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		invs, err := s.GenerateInvoices(ctx, e.actor(), day, cust, save || issue)
		if err != nil {
			return storeFail(label, err)
		}
		if issue {
			if invs, err = s.IssueDrafts(ctx, e.actor(), day, cust, issueOn); err != nil {
				return storeFail(label, err)
			}
		}
		var running []store.Invoice
		if !save && !issue && !asJSON {
			if running, err = s.RunningInvoices(ctx, e.actor(), cust); err != nil {
				return storeFail(label, err)
			}
		}
		if asJSON {
			out := make([]any, 0, len(invs))
			for _, inv := range invs {
				out = append(out, invoiceJSON(inv, today))
			}
			return writeJSON(e.stdout, out)
		}
		upTo := day
		if !day.Before(today) {
			upTo = today.AddDate(0, 0, -1)
		}
		if len(invs) == 0 {
			fmt.Fprintf(e.stdout, "Nothing to bill: no period ended by %s holds work not billed yet.\n", upTo.Format("Mon 02 Jan 2006"))
		} else {
			total := decimal.Zero
			lines := 0
			for _, inv := range invs {
				fmt.Fprint(e.stdout, formatInvoice(inv, today, false))
				total = total.Add(inv.Total)
				lines += len(inv.Lines)
			}
			what := "previewed (nothing saved; --save keeps them, --issue issues them)"
			switch {
			case issue:
				what = "issued"
			case save:
				what = "saved as drafts"
			}
			fmt.Fprintf(e.stdout, "%d %s, %d %s, %s: %s.\n", len(invs), plural(len(invs), "invoice"), lines, plural(lines, "line"), pricing.FormatMoney(total), what)
		}
		if len(running) > 0 {
			total := decimal.Zero
			fmt.Fprintf(e.stdout, "\nStill running (billed once they end, not now):\n")
			for _, inv := range running {
				fmt.Fprintf(e.stdout, "  %-28s %-9s %s to %s  %12s so far\n", clip(clean(inv.CustomerName), 28), inv.Cycle,
					inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"), pricing.FormatMoney(inv.Total))
				total = total.Add(inv.Total)
			}
			fmt.Fprintf(e.stdout, "  %d %s, %s so far.\n", len(running), plural(len(running), "period"), pricing.FormatMoney(total))
		}
		return nil
	}
	return c
}

func newInvoicesListCmd(e *env) *cobra.Command {
	var account, state string
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Invoices, newest period first, with their state",
		Long: `Invoices, newest period first, with their state (overdue: issued and past due by the
clock). A customer user lists its own account's issued invoices.`,
		Args: noArgs,
	}
	c.Flags().StringVar(&account, "account", "", "only this account (customer `ID`)")
	c.Flags().StringVar(&state, "state", "", "only this `STATE`: draft, issued, paid, void or overdue")
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "invoices list"
		cust, err := accountID(label, account)
		if err != nil {
			return err
		}
		st := strings.ToLower(strings.TrimSpace(state))
		switch st {
		case "", store.InvoiceDraft, store.InvoiceIssued, store.InvoicePaid, store.InvoiceVoid, "overdue":
		default:
			return fail(ExitInvalid, "%s: --state: unknown state %q (draft, issued, paid, void or overdue)", label, state)
		}
		today, err := civilDate(e, label, "now", "")
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		f := store.InvoiceFilter{CustomerID: cust, State: st}
		if st == "overdue" {
			f.State = store.InvoiceIssued
		}
		all, err := s.Invoices(ctx, e.actor(), f)
		if err != nil {
			return storeFail(label, err)
		}
		var list []store.Invoice
		for _, inv := range all {
			if st != "overdue" || inv.Overdue(today) {
				list = append(list, inv)
			}
		}
		if asJSON {
			out := make([]any, 0, len(list))
			for _, inv := range list {
				out = append(out, invoiceJSON(inv, today))
			}
			return writeJSON(e.stdout, out)
		}
		var b strings.Builder
		for _, inv := range list {
			fmt.Fprintf(&b, "%-12s %-9s %-28s %s to %s  %12s  %s\n", export.Name(inv), stateWord(inv, today), clip(clean(inv.CustomerName), 28),
				inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"), pricing.FormatMoney(inv.Total), dueText(inv))
		}
		fmt.Fprint(e.stdout, b.String())
		return nil
	}
	return c
}

func stateWord(inv store.Invoice, today time.Time) string {
	if inv.Overdue(today) {
		return "OVERDUE"
	}
	return inv.State
}

func dueText(inv store.Invoice) string {
	switch inv.State {
	case store.InvoiceIssued:
		return "due " + inv.DueOn.Format("2006-01-02")
	case store.InvoicePaid:
		return "paid " + inv.PaidOn.Format("2006-01-02")
	case store.InvoiceVoid:
		return "void: " + clean(inv.VoidReason)
	}
	return "not issued"
}

// formatInvoice is an invoice as text: its head, and its lines when asked.
func formatInvoice(inv store.Invoice, today time.Time, lines bool) string {
	var b strings.Builder
	name := export.Name(inv)
	if inv.ID == 0 {
		name = "(preview)"
	}
	fmt.Fprintf(&b, "%s  %s (account %d, %s)  %s to %s  %s\n", name, clean(inv.CustomerName), inv.CustomerID, inv.Cycle,
		inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"), stateWord(inv, today))
	if !inv.IssuedOn.IsZero() {
		fmt.Fprintf(&b, "  issued %s, due %s (%s)", inv.IssuedOn.Format("2006-01-02"), inv.DueOn.Format("2006-01-02"), store.TermsText(inv.TermsDays))
		if inv.State == store.InvoicePaid {
			fmt.Fprintf(&b, ", paid %s %s", inv.PaidOn.Format("2006-01-02"), clean(inv.PaidRef))
		}
		b.WriteString("\n")
	}
	if inv.State == store.InvoiceVoid {
		fmt.Fprintf(&b, "  void: %s\n", clean(inv.VoidReason))
	}
	if lines {
		for _, l := range inv.Lines {
			who, class, hours, rate := clean(l.Officer), clean(l.Class), pricing.FormatMinutes(l.Minutes), pricing.FormatMoney(l.Rate)
			if l.Basis != "" && l.Basis != pricing.BasisRegular && l.Basis != l.Class {
				class += ", " + clean(l.Basis)
			}
			switch l.Kind {
			case "vehicle":
				who = fmt.Sprintf("%d %s", l.Count, plural(l.Count, "vehicle"))
			case "fee":
				who, hours, rate = clean(l.Description), "", ""
			}
			if l.Kind == "shift" && l.Description != "" {
				who += " (" + clean(l.Description) + ")"
			}
			fmt.Fprintf(&b, "  %3d  %s  %-24s %-34s %-20s %6s %7s %10s\n", l.Seq, l.Day.Format("2006-01-02"), clip(clean(l.Site), 24), clip(who, 34),
				clip(class, 20), hours, rate, pricing.FormatMoney(l.Amount))
		}
	}
	fmt.Fprintf(&b, "  %d %s, subtotal %s, total %s\n", len(inv.Lines), plural(len(inv.Lines), "line"), pricing.FormatMoney(inv.Subtotal),
		pricing.FormatMoney(inv.Total))
	return b.String()
}

// invoiceJSON is an invoice for --json: money as two-decimal strings, dates
// YYYY-MM-DD (null when not set), period_end the last day of the period;
// its lines when it has them loaded (invoices list leaves them out).
func invoiceJSON(inv store.Invoice, today time.Time) map[string]any {
	date := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format("2006-01-02")
	}
	var number, name, id any
	if inv.Number != "" {
		number = inv.Number
	}
	if inv.ID != 0 { // a preview has neither
		name, id = export.Name(inv), inv.ID
	}
	lines := make([]map[string]any, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		lines = append(lines, map[string]any{"seq": l.Seq, "kind": l.Kind, "job": l.JobID, "date": l.Day.Format("2006-01-02"), "site": l.Site,
			"officer": l.Officer, "class": l.Class, "basis": l.Basis, "count": l.Count, "minutes": l.Minutes, "hours": pricing.FormatMinutes(l.Minutes),
			"rate": l.Rate.StringFixed(2), "amount": l.Amount.StringFixed(2), "officer_pay": l.OfficerPay.StringFixed(2),
			"admin_fee": l.AdminFee.StringFixed(2), "description": l.Description})
	}
	out := map[string]any{"id": id, "number": number, "name": name, "state": inv.State, "overdue": inv.Overdue(today),
		"account_id": inv.CustomerID, "account": inv.CustomerName, "cycle": inv.Cycle,
		"period_start": inv.PeriodStart.Format("2006-01-02"), "period_end": inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"),
		"terms_days": inv.TermsDays, "issued_on": date(inv.IssuedOn), "due_on": date(inv.DueOn), "paid_on": date(inv.PaidOn), "paid_ref": inv.PaidRef,
		"void_reason": inv.VoidReason, "subtotal": inv.Subtotal.StringFixed(2), "total": inv.Total.StringFixed(2)}
	if inv.Lines != nil {
		out["lines"] = lines
	}
	return out
}
