package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui/export"
)

func newReportCmd(e *env) *cobra.Command {
	var from, to, agency, asOf, format, out string
	var asJSON, asCSV bool
	c := &cobra.Command{
		Use:   "report NAME",
		Short: "The office's numbers: revenue, receivables, fill, fairness or compliance",
		Long: `Prints one report over the days from --from up to --to (the day after the last;
default: this month), for every agency or one (--agency). A supervisor's.

  revenue      billed by month, agency and customer (invoices issued or since paid, by
               issue date), split into officer pay, admin fees and cancellation fees; per
               agency the hours its officers were paid for the shifts of the period and
               what they were paid (payroll's arithmetic)
  receivables  what was unpaid on --as-of (default today) by days past due (not yet due,
               1-30, 31-60, 61-90, over 90) per account, and the overdue invoices with
               the account's phone, e-mail and contact
  fill         positions requested, filled, unfilled and cancelled by agency, customer,
               weekday and hour (local start); time from approval to fully staffed (from
               the audit); no-shows by officer
  fairness     hours and earnings per officer: min, median, max, Gini coefficient, the
               officers above twice or below half the median, sign-ups where recorded
  compliance   every override of a cap or rest rule (who, when, why); officers over their
               weekly cap, over 16 h in a day or under 8 h of rest, as booked and as worked
               (check-in to check-out); requests refused for a prohibited venue

Output: text (the totals, a chart of block characters, the lists); --json one object
(money as two-decimal strings, minutes as numbers); --csv the lists, one row per line
(text cells neutralised for spreadsheets); --format pdf a summary page with the chart,
then the lists. A PDF goes to stdout when stdout is not a terminal (a pipe, a redirect, or
an SSH exec without -t): over SSH that is how the file reaches you, and -o is refused
there. -o FILE writes a file (replaced atomically, readable by its owner only when new);
its extension picks the format when none is given.
Exit status: 0; 1 invalid input (an unknown report or agency, a bad date); 2 refused by
the user's role.`,
		Example: `  offduty report revenue                                   # this month
  offduty report fill --from 2026-01-01 --to 2027-01-01 --agency grantsville
  offduty report receivables --as-of 2026-11-30 --csv > aging.csv
  ssh -p 2222 office report compliance --from 2026-11-01 --to 2026-12-01 --format pdf > compliance.pdf`,
		ValidArgs: store.ReportNames,
	}
	f := c.Flags()
	f.StringVar(&from, "from", "", "the first day `YYYY-MM-DD` (default: the first of this month, or a month before --to)")
	f.StringVar(&to, "to", "", "the day after the last `YYYY-MM-DD` (default: a month after --from)")
	f.StringVar(&agency, "agency", "", "only this agency (`SLUG`: west-valley-city, grantsville)")
	f.StringVar(&asOf, "as-of", "", "receivables: the day `YYYY-MM-DD` to age the unpaid invoices at (default: today)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.BoolVar(&asCSV, "csv", false, "print the lists as CSV")
	f.StringVar(&format, "format", "", "`FORMAT`: text, json, csv or pdf (default: -o's extension, else text)")
	outputFlag(f, &out, "write to `FILE`, replaced atomically; - writes to stdout (local only)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "report"
		if len(pos) != 1 {
			return fail(ExitInvalid, "%s: want one report NAME: %s (see offduty report --help)", label, strings.Join(store.ReportNames, ", "))
		}
		name := strings.ToLower(strings.TrimSpace(pos[0]))
		known := false
		for _, n := range store.ReportNames {
			known = known || n == name
		}
		if !known {
			return fail(ExitInvalid, "%s: unknown report %q: %s", label, clean(pos[0]), strings.Join(store.ReportNames, ", "))
		}
		fmtName, err := reportFormat(label, format, out, asJSON, asCSV)
		if err != nil {
			return err
		}
		if err := e.checkOut(label, out); err != nil {
			return err
		}
		if fmtName == "pdf" && toStdout(out) && e.stdoutIsTerminal() {
			return fail(ExitInvalid, "%s: a PDF is not shown on a terminal: redirect it (> FILE.pdf) or give -o FILE", label)
		}
		filter, err := reportFilter(e, label, from, to, asOf)
		if err != nil {
			return err
		}
		if !filter.AsOf.IsZero() && name != "receivables" {
			return fail(ExitInvalid, "%s: --as-of goes with the receivables report (the others cover --from to --to)", label)
		}
		filter.Agency = agency
		ctx := cmd.Context()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		data, err := s.Report(ctx, e.actor(), name, filter)
		if err != nil {
			return storeFail(label, err)
		}
		doc, err := export.ReportDoc(data)
		if err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		office, err := s.Office(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		err = e.writeOut(out, 0o600, func(w io.Writer) error {
			switch fmtName {
			case "json":
				return writeJSON(w, reportJSON(name, data))
			case "csv":
				return export.ReportCSV(w, data)
			case "pdf":
				return export.ReportPDF(w, doc, office, now)
			}
			return export.ReportText(w, doc, 100)
		})
		if err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		if !toStdout(out) {
			fmt.Fprintf(e.stderr, "wrote the %s report (%s, %s) to %s\n", name, doc.Period, clean(doc.Scope), out)
		}
		return nil
	}
	return c
}

// reportFormat picks the output: --json, --csv, --format, else -o's
// extension, else text.
func reportFormat(label, format, out string, asJSON, asCSV bool) (string, error) {
	f := strings.ToLower(strings.TrimSpace(format))
	for _, x := range []struct {
		on   bool
		name string
	}{{asJSON, "json"}, {asCSV, "csv"}} {
		if !x.on {
			continue
		}
		if f != "" && f != x.name {
			return "", fail(ExitInvalid, "%s: --%s and --format %s: choose one", label, x.name, f)
		}
		f = x.name
	}
	if f == "" {
		f = "text"
		switch strings.ToLower(filepath.Ext(out)) {
		case ".pdf":
			f = "pdf"
		case ".csv":
			f = "csv"
		case ".json":
			f = "json"
		}
	}
	switch f {
	case "text", "txt":
		return "text", nil
	case "json", "csv", "pdf":
		return f, nil
	}
	return "", fail(ExitInvalid, "%s: --format: unknown format %q (known: text, json, csv, pdf)", label, format)
}

// reportFilter reads --from, --to and --as-of: both ends default to this
// month; one alone gives a month from (or to) it.
func reportFilter(e *env, label, from, to, asOf string) (store.ReportFilter, error) {
	var f store.ReportFilter
	date := func(flag, v string) (time.Time, error) {
		d, err := time.Parse("2006-01-02", strings.TrimSpace(v))
		if err != nil {
			return d, fail(ExitInvalid, "%s: --%s: want a date YYYY-MM-DD, got %q", label, flag, v)
		}
		return d, nil
	}
	var err error
	switch {
	case strings.TrimSpace(from) == "" && strings.TrimSpace(to) == "":
		today, err := civilDate(e, label, "now", "")
		if err != nil {
			return f, err
		}
		f.From = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		f.To = f.From.AddDate(0, 1, 0)
	case strings.TrimSpace(to) == "":
		if f.From, err = date("from", from); err != nil {
			return f, err
		}
		f.To = f.From.AddDate(0, 1, 0)
	case strings.TrimSpace(from) == "":
		if f.To, err = date("to", to); err != nil {
			return f, err
		}
		f.From = f.To.AddDate(0, -1, 0)
	default:
		if f.From, err = date("from", from); err != nil {
			return f, err
		}
		if f.To, err = date("to", to); err != nil {
			return f, err
		}
	}
	if !f.From.Before(f.To) {
		return f, fail(ExitInvalid, "%s: --to %s is not after --from %s: --to is the day after the last (--from 2026-11-01 --to 2026-12-01 is November)",
			label, f.To.Format("2006-01-02"), f.From.Format("2006-01-02"))
	}
	if strings.TrimSpace(asOf) != "" {
		if f.AsOf, err = date("as-of", asOf); err != nil {
			return f, err
		}
	}
	return f, nil
}

// ---- JSON ----

func m2(d decimal.Decimal) string { return d.StringFixed(2) }

func dateJSON(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}

func instantJSON(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(office()).Format(time.RFC3339)
}

func scopeJSON(name string, sc store.ReportScope) map[string]any {
	var agency any
	if sc.Agency != nil {
		agency = sc.Agency.Slug
	}
	return map[string]any{"report": name, "from": sc.From.Format("2006-01-02"), "to": sc.To.Format("2006-01-02"),
		"last_day": sc.To.AddDate(0, 0, -1).Format("2006-01-02"), "period": export.PeriodLabel(sc.From, sc.To), "agency": agency}
}

func revenueTotalJSON(t store.RevenueTotal) map[string]any {
	return map[string]any{"invoices": t.Invoices, "billed": m2(t.Billed), "officer_pay": m2(t.OfficerPay), "admin_fees": m2(t.AdminFees),
		"cancellation_fees": m2(t.CancelFees)}
}

func fillJSON(c store.FillCounts) map[string]any {
	return map[string]any{"requested": c.Requested, "filled": c.Filled, "unfilled": c.Unfilled, "cancelled": c.Cancelled}
}

func officerJSON(o store.Officer) map[string]any {
	return map[string]any{"id": o.ID, "badge": o.Badge, "name": o.Name(), "agency": o.AgencySlug}
}

// reportJSON is a report for --json: money as two-decimal strings, minutes
// as numbers, dates YYYY-MM-DD, instants RFC 3339 in office time; "to" is
// the day after the last ("last_day" says it).
func reportJSON(name string, data any) map[string]any {
	switch r := data.(type) {
	case store.RevenueReport:
		out := scopeJSON(name, r.Scope)
		out["total"] = revenueTotalJSON(r.Total)
		out["paid"] = map[string]any{"minutes": r.PayTotal.Minutes, "hours": pricing.FormatMinutes(r.PayTotal.Minutes), "amount": m2(r.PayTotal.Pay)}
		var agencies, months, customers, rows []map[string]any
		for _, a := range r.Agencies {
			j := revenueTotalJSON(a)
			j["agency"], j["name"], j["paid_minutes"], j["paid"] = a.Key, a.Label, 0, "0.00"
			for _, p := range r.Pay {
				if p.Agency.Slug == a.Key {
					j["paid_minutes"], j["paid"] = p.Minutes, m2(p.Pay)
				}
			}
			agencies = append(agencies, j)
		}
		for _, m := range r.Months {
			j := revenueTotalJSON(m)
			j["month"] = m.Key
			months = append(months, j)
		}
		for _, c := range r.Customers {
			j := revenueTotalJSON(c)
			j["customer_id"], j["customer"] = c.Key, c.Label
			customers = append(customers, j)
		}
		for _, row := range r.Rows {
			j := revenueTotalJSON(store.RevenueTotal{Invoices: row.Invoices, Billed: row.Billed, OfficerPay: row.OfficerPay, AdminFees: row.AdminFees, CancelFees: row.CancelFees})
			slug := ""
			for _, a := range r.Scope.Agencies {
				if a.ID == row.AgencyID {
					slug = a.Slug
				}
			}
			j["month"], j["agency"], j["customer_id"], j["customer"] = row.Month.Format("2006-01"), slug, row.CustomerID, row.Customer
			rows = append(rows, j)
		}
		out["agencies"], out["months"], out["customers"], out["rows"] = nonNil(agencies), nonNil(months), nonNil(customers), nonNil(rows)
		return out
	case store.ReceivablesReport:
		out := scopeJSON(name, r.Scope)
		out["as_of"], out["total"], out["invoices"] = r.Scope.AsOf.Format("2006-01-02"), m2(r.Total), r.Invoices
		var buckets, accounts, unpaid []map[string]any
		for i, b := range r.Buckets {
			buckets = append(buckets, map[string]any{"bucket": store.AgingBuckets[i], "amount": m2(b), "invoices": r.Counts[i]})
		}
		contact := func(c store.ReportCustomer) map[string]any {
			return map[string]any{"id": c.ID, "name": c.Name, "phone": c.Phone, "email": c.Email, "contact": c.Contact, "contact_phone": c.ContactPhone,
				"contact_email": c.ContactEmail}
		}
		for _, a := range r.Accounts {
			var bs []string
			for _, b := range a.Buckets {
				bs = append(bs, m2(b))
			}
			accounts = append(accounts, map[string]any{"account": contact(a.Customer), "buckets": bs, "total": m2(a.Total), "invoices": a.Invoices,
				"oldest_days_past_due": a.Oldest})
		}
		for _, u := range r.Unpaid {
			number := any(u.Number)
			if u.Number == "" {
				number = nil
			}
			unpaid = append(unpaid, map[string]any{"invoice_id": u.InvoiceID, "number": number, "account": contact(u.Customer), "issued_on": dateJSON(u.IssuedOn),
				"due_on": dateJSON(u.DueOn), "days_past_due": u.DaysLate, "bucket": store.AgingBuckets[u.Bucket], "amount": m2(u.Amount),
				"overdue": u.DaysLate > 0, "paid_on": dateJSON(u.PaidLater)})
		}
		out["buckets"], out["accounts"], out["unpaid"] = buckets, nonNil(accounts), nonNil(unpaid)
		return out
	case store.FillReport:
		out := scopeJSON(name, r.Scope)
		out["total"], out["jobs"] = fillJSON(r.Total), r.Jobs
		var agencies, customers, weekdays, hours, noShows []map[string]any
		for _, a := range r.Agencies {
			j := fillJSON(a.FillCounts)
			j["agency"], j["name"] = a.Key, a.Label
			agencies = append(agencies, j)
		}
		for _, c := range r.Customers {
			j := fillJSON(c.FillCounts)
			j["customer_id"], j["customer"] = c.Key, c.Label
			customers = append(customers, j)
		}
		for i, c := range r.Weekdays {
			j := fillJSON(c)
			j["weekday"] = time.Weekday((i + 1) % 7).String()
			weekdays = append(weekdays, j)
		}
		for h, c := range r.Hours {
			j := fillJSON(c)
			j["hour"] = h
			hours = append(hours, j)
		}
		for _, n := range r.NoShows {
			noShows = append(noShows, map[string]any{"officer": officerJSON(n.Officer), "no_shows": n.Count, "last": instantJSON(n.Last)})
		}
		staff := func(list []store.StaffingTime) []map[string]any {
			var out []map[string]any
			for _, s := range list {
				var minutes any
				if !s.StaffedAt.IsZero() {
					minutes = int(s.Took / time.Minute)
				}
				out = append(out, map[string]any{"job": s.JobID, "customer": s.Customer, "start": instantJSON(s.Start), "approved_at": instantJSON(s.ApprovedAt),
					"staffed_at": instantJSON(s.StaffedAt), "minutes": minutes})
			}
			return nonNil(out)
		}
		out["agencies"], out["customers"], out["weekdays"], out["hours"], out["no_shows"] = nonNil(agencies), nonNil(customers), weekdays, hours, nonNil(noShows)
		out["staffing"] = map[string]any{"audited": r.Audited, "median_minutes": int(r.Median / time.Minute), "p90_minutes": int(r.P90 / time.Minute),
			"slowest_minutes": int(r.Slow / time.Minute), "staffed": staff(r.Staffed), "waiting": staff(r.Waiting)}
		return out
	case store.FairnessReport:
		out := scopeJSON(name, r.Scope)
		var officers []map[string]any
		for _, o := range r.Officers {
			officers = append(officers, map[string]any{"officer": officerJSON(o.Officer), "shifts": o.Shifts, "minutes": o.Minutes, "hours": pricing.FormatMinutes(o.Minutes),
				"pay": m2(o.Pay), "vs_median": o.VsMedian, "flag": o.Flag, "signups": o.SignUps, "refusals": o.Refusals})
		}
		out["officers"] = nonNil(officers)
		out["hours"] = map[string]any{"min": r.Hours.Min, "median": r.Hours.Median, "max": r.Hours.Max, "gini": r.Hours.Gini}
		out["earnings"] = map[string]any{"min": m2(r.Earnings.Min), "median": m2(r.Earnings.Median), "max": m2(r.Earnings.Max), "gini": r.Earnings.Gini}
		out["total_pay"], out["total_minutes"], out["far_above"], out["far_below"], out["without_hours"] = m2(r.Total), r.Minutes, r.Above, r.Below, r.Idle
		out["signups_recorded"], out["signups"], out["refusals"] = r.Recorded, r.SignUps, r.Refusals
		return out
	case store.ComplianceReport:
		out := scopeJSON(name, r.Scope)
		var overrides, findings, refused []map[string]any
		for _, o := range r.Overrides {
			overrides = append(overrides, map[string]any{"at": instantJSON(o.At), "by": o.Actor, "job": o.JobID, "position": o.PositionID, "officer": o.Officer,
				"shift_start": instantJSON(o.Start), "customer": o.Customer, "reason": o.Reason, "in_force": o.Current})
		}
		for _, f := range r.Findings {
			var worked any
			if f.Worked >= 0 {
				worked = f.Worked
			}
			findings = append(findings, map[string]any{"officer": officerJSON(f.Officer), "rule": f.Rule, "when": instantJSON(f.When), "booked_minutes": f.Booked,
				"worked_minutes": worked, "limit_minutes": f.Limit, "over_booked": f.OverBooked, "over_worked": f.OverWorked, "overridden": f.Overridden,
				"jobs": f.JobIDs, "positions": f.Positions})
		}
		for _, x := range r.Refused {
			refused = append(refused, map[string]any{"job": x.JobID, "agency": x.Agency, "customer": x.Customer, "site": x.Site, "start": instantJSON(x.Start),
				"received": instantJSON(x.Received), "venue": x.Venue, "rule": x.Rule})
		}
		out["overrides"], out["findings"], out["refused"] = nonNil(overrides), nonNil(findings), nonNil(refused)
		out["counts"] = map[string]any{"overrides": len(r.Overrides), "weekly_cap": r.Counts[store.RuleWeeklyCap], "day_over_16h": r.Counts[store.RuleDay],
			"rest_under_8h": r.Counts[store.RuleRest], "as_worked": r.Worked, "as_booked": r.Booked, "refused": len(r.Refused)}
		return out
	}
	return map[string]any{"report": name}
}

// nonNil makes an empty list [] in JSON rather than null.
func nonNil(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}
