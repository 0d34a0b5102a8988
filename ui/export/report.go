package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/store"
)

// A report (store.RevenueReport, ReceivablesReport, FillReport,
// FairnessReport, ComplianceReport) is laid out once, as a Doc, for every
// medium: the console's Reports tab, the command's text, and the PDF (a
// summary page with the totals and the chart, then the lists). Its CSV is
// written from the report itself: plain numbers, one row per line of its
// lists.

// Doc is a report laid out: its totals, its charts, its lists.
type Doc struct {
	Name   string // revenue, receivables, fill, fairness or compliance
	Title  string // "Revenue"
	Period string // "November 2026", "1 Oct 2025 - 30 Sep 2026"
	Scope  string // "all agencies", an agency's name; for receivables "as of ..." too
	Totals []Figure
	Charts []Chart
	Tables []Table
	Notes  []string // how to read it
}

// Figure is one total: "Billed" "$6,605,497.43".
type Figure struct {
	Label, Value string
	Alert        bool // a figure that wants attention (overdue, findings)
}

// Chart is a bar chart: one bar per label.
type Chart struct {
	Title string
	Bars  []Bar
	Solid string // what the solid part of a bar is ("filled"), when bars have parts
	Light string // what the rest is ("open")
}

// Bar is one bar. Value and Part only size the bar (money is never
// computed with them: Text is the exact figure).
type Bar struct {
	Label string
	Value float64
	Part  float64 // the part drawn solid, 0 to Value; negative: the whole bar is solid
	Text  string
}

// Table is one list of a report.
type Table struct {
	Title   string
	Columns []Column
	Rows    [][]string
	Empty   string // shown when there are no rows
	Marks   []bool // rows that want attention (far above the median, overdue 90 days)
}

// Column is a list's column.
type Column struct {
	Name  string
	Right bool // a number: aligned right, never cut
	Wide  bool // free text: cut first when the page or window is narrow
}

// ReportDoc lays out any of the store's reports.
func ReportDoc(v any) (Doc, error) {
	switch r := v.(type) {
	case store.RevenueReport:
		return RevenueDoc(r), nil
	case store.ReceivablesReport:
		return ReceivablesDoc(r), nil
	case store.FillReport:
		return FillDoc(r), nil
	case store.FairnessReport:
		return FairnessDoc(r), nil
	case store.ComplianceReport:
		return ComplianceDoc(r), nil
	}
	return Doc{}, fmt.Errorf("not a report: %T", v)
}

// PeriodLabel names the days [from, to): "November 2026", "2026", or
// "1 Oct 2025 - 30 Sep 2026".
func PeriodLabel(from, to time.Time) string {
	last := to.AddDate(0, 0, -1)
	switch {
	case from.Day() == 1 && to.Day() == 1 && from.AddDate(0, 1, 0).Equal(to):
		return from.Format("January 2006")
	case from.YearDay() == 1 && to.YearDay() == 1 && from.AddDate(1, 0, 0).Equal(to):
		return from.Format("2006")
	case from.Equal(last):
		return from.Format("Mon 2 Jan 2006")
	case from.Year() == last.Year():
		return from.Format("2 Jan") + " - " + last.Format("2 Jan 2006")
	}
	return from.Format("2 Jan 2006") + " - " + last.Format("2 Jan 2006")
}

// ReportFileName suggests a file name: "revenue-2026-11.pdf",
// "fill-2025-10-01-2026-09-30.csv", "receivables-2026-11-25.pdf" (its as-of date).
func ReportFileName(name string, sc store.ReportScope, ext string) string {
	span := sc.From.Format(dateLayout) + "-" + sc.To.AddDate(0, 0, -1).Format(dateLayout)
	if sc.From.Day() == 1 && sc.To.Day() == 1 && sc.From.AddDate(0, 1, 0).Equal(sc.To) {
		span = sc.From.Format("2006-01")
	}
	if name == "receivables" {
		span = sc.AsOf.Format(dateLayout)
	}
	if sc.Agency != nil {
		span = sc.Agency.Slug + "-" + span
	}
	return name + "-" + span + "." + ext
}

func money(d decimal.Decimal) string   { return pricing.FormatMoney(d) }
func dollars(d decimal.Decimal) string { return "$" + pricing.FormatMoney(d) }

// Hours shows minutes as hours: "1,234:30".
func Hours(m int) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return sign + thousands(m/60) + fmt.Sprintf(":%02d", m%60)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func count(n int, word string) string {
	if n != 1 {
		word += "s"
	}
	return thousands(n) + " " + word
}

func percent(part, whole int) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// frac is a/b for sizing bars (0 when b is zero).
func frac(a, b decimal.Decimal) float64 {
	if b.IsZero() {
		return 0
	}
	f, _ := a.Div(b).Float64()
	return f
}

func scopeLabel(sc store.ReportScope) string { return sc.AgencyName() }

// RevenueDoc lays out the revenue report.
func RevenueDoc(r store.RevenueReport) Doc {
	d := Doc{Name: "revenue", Title: "Revenue", Period: PeriodLabel(r.Scope.From, r.Scope.To), Scope: scopeLabel(r.Scope)}
	d.Totals = []Figure{
		{Label: "Billed", Value: dollars(r.Total.Billed) + " on " + count(r.Total.Invoices, "invoice")},
		{Label: "Officer pay", Value: dollars(r.Total.OfficerPay)},
		{Label: "Admin fees", Value: dollars(r.Total.AdminFees)},
		{Label: "Cancellation fees", Value: dollars(r.Total.CancelFees)},
		{Label: "Paid for shifts worked", Value: dollars(r.PayTotal.Pay) + " for " + Hours(r.PayTotal.Minutes) + " h"},
	}
	var max decimal.Decimal
	bars := func(parts []store.RevenueTotal, label func(store.RevenueTotal) string) []Bar {
		for _, p := range parts {
			if p.Billed.GreaterThan(max) {
				max = p.Billed
			}
		}
		var out []Bar
		for _, p := range parts {
			out = append(out, Bar{Label: label(p), Value: frac(p.Billed, max), Part: frac(p.OfficerPay, max), Text: money(p.Billed)})
		}
		return out
	}
	if len(r.Months) > 1 {
		d.Charts = append(d.Charts, Chart{Title: "Billed by month", Solid: "officer pay", Light: "admin and cancellation fees",
			Bars: bars(r.Months, func(t store.RevenueTotal) string {
				m, _ := time.Parse("2006-01", t.Key)
				if len(r.Months) > 12 {
					return m.Format("Jan 06")
				}
				return m.Format("Jan")
			})})
	}
	max = decimal.Zero
	top := r.Customers
	if len(top) > 8 {
		top = top[:8]
	}
	d.Charts = append(d.Charts, Chart{Title: "Billed by customer (the largest)", Solid: "officer pay", Light: "admin and cancellation fees",
		Bars: bars(top, func(t store.RevenueTotal) string { return t.Label })})
	max = decimal.Zero
	d.Charts = append(d.Charts, Chart{Title: "Billed by agency", Solid: "officer pay", Light: "admin and cancellation fees",
		Bars: bars(r.Agencies, func(t store.RevenueTotal) string { return t.Label })})
	// Paid to each agency's officers: there is pay to show even in a
	// period with nothing billed yet.
	var maxPay decimal.Decimal
	for _, p := range r.Pay {
		if p.Pay.GreaterThan(maxPay) {
			maxPay = p.Pay
		}
	}
	pay := Chart{Title: "Paid to the officers of each agency"}
	for _, p := range r.Pay {
		pay.Bars = append(pay.Bars, Bar{Label: p.Agency.Name, Value: frac(p.Pay, maxPay), Part: -1, Text: money(p.Pay)})
	}
	d.Charts = append(d.Charts, pay)
	d.Charts = nonEmpty(d.Charts)

	moneyCols := []Column{{Name: "Inv.", Right: true}, {Name: "Billed", Right: true}, {Name: "Officer pay", Right: true},
		{Name: "Admin", Right: true}, {Name: "Cancel", Right: true}}
	moneyCells := func(t store.RevenueTotal) []string {
		return []string{thousands(t.Invoices), money(t.Billed), money(t.OfficerPay), money(t.AdminFees), money(t.CancelFees)}
	}
	ag := Table{Title: "By agency: billed, and paid to its officers for the shifts worked in the period",
		Columns: append(append([]Column{{Name: "Agency", Wide: true}}, moneyCols...), Column{Name: "Hours", Right: true}, Column{Name: "Paid", Right: true})}
	for _, a := range r.Agencies {
		row := append([]string{a.Label}, moneyCells(a)...)
		hours, paid := "0:00", "0.00"
		for _, p := range r.Pay {
			if p.Agency.Slug == a.Key {
				hours, paid = Hours(p.Minutes), money(p.Pay)
			}
		}
		ag.Rows = append(ag.Rows, append(row, hours, paid))
	}
	ag.Rows = append(ag.Rows, append(append([]string{"Total"}, moneyCells(r.Total)...), Hours(r.PayTotal.Minutes), money(r.PayTotal.Pay)))
	d.Tables = append(d.Tables, ag)
	if len(r.Months) > 1 {
		mt := Table{Title: "By month of issue", Columns: append([]Column{{Name: "Month"}}, moneyCols...)}
		for _, m := range r.Months {
			mt.Rows = append(mt.Rows, append([]string{m.Label}, moneyCells(m)...))
		}
		d.Tables = append(d.Tables, mt)
	}
	ct := Table{Title: "By customer", Columns: append([]Column{{Name: "Customer", Wide: true}}, moneyCols...), Empty: "No invoice issued in the period."}
	for _, c := range r.Customers {
		ct.Rows = append(ct.Rows, append([]string{c.Label}, moneyCells(c)...))
	}
	d.Tables = append(d.Tables, ct)
	rt := Table{Title: "By month, agency and customer", Columns: append([]Column{{Name: "Month"}, {Name: "Agency"}, {Name: "Customer", Wide: true}}, moneyCols...),
		Empty: "No invoice issued in the period."}
	for _, row := range r.Rows {
		agency := fmt.Sprint(row.AgencyID)
		for _, a := range r.Scope.Agencies {
			if a.ID == row.AgencyID {
				agency = a.Slug
			}
		}
		rt.Rows = append(rt.Rows, append([]string{row.Month.Format("Jan 2006"), agency, row.Customer}, moneyCells(store.RevenueTotal{Invoices: row.Invoices,
			Billed: row.Billed, OfficerPay: row.OfficerPay, AdminFees: row.AdminFees, CancelFees: row.CancelFees})...))
	}
	d.Tables = append(d.Tables, rt)
	d.Notes = []string{"Billed: invoices issued (or since paid) in the period, by issue date; void ones are left out.",
		"Paid: payroll's arithmetic for the shifts whose local start date is in the period (hours paid: the billed time, minimum included)."}
	return d
}

// nonEmpty leaves out the charts with nothing to draw; one stays, so that
// a report always has its chart (empty bars say there is nothing).
func nonEmpty(cs []Chart) []Chart {
	var out []Chart
	for _, c := range cs {
		for _, b := range c.Bars {
			if b.Value > 0 {
				out = append(out, c)
				break
			}
		}
	}
	if len(out) == 0 && len(cs) > 0 {
		return cs[len(cs)-1:]
	}
	return out
}

// ReceivablesDoc lays out the receivables report.
func ReceivablesDoc(r store.ReceivablesReport) Doc {
	d := Doc{Name: "receivables", Title: "Receivables", Period: "as of " + r.Scope.AsOf.Format("Mon 2 Jan 2006"), Scope: scopeLabel(r.Scope)}
	overdue, overdueN := decimal.Zero, 0
	for i := 1; i < len(r.Buckets); i++ {
		overdue, overdueN = overdue.Add(r.Buckets[i]), overdueN+r.Counts[i]
	}
	d.Totals = []Figure{
		{Label: "Unpaid", Value: dollars(r.Total) + " on " + count(r.Invoices, "invoice")},
		{Label: "Overdue", Value: dollars(overdue) + " on " + count(overdueN, "invoice"), Alert: overdueN > 0},
		{Label: "Over 90 days", Value: dollars(r.Buckets[4]), Alert: r.Counts[4] > 0},
		{Label: "Accounts owing", Value: thousands(len(r.Accounts))},
	}
	var max decimal.Decimal
	for _, b := range r.Buckets {
		if b.GreaterThan(max) {
			max = b
		}
	}
	c := Chart{Title: "Unpaid by days past due"}
	for i, b := range r.Buckets {
		c.Bars = append(c.Bars, Bar{Label: store.AgingBuckets[i], Value: frac(b, max), Part: -1, Text: money(b)})
	}
	d.Charts = []Chart{c}
	at := Table{Title: "By account", Columns: []Column{{Name: "Account", Wide: true}, {Name: "Not due", Right: true}, {Name: "1-30", Right: true},
		{Name: "31-60", Right: true}, {Name: "61-90", Right: true}, {Name: "Over 90", Right: true}, {Name: "Total", Right: true}, {Name: "Oldest", Right: true}},
		Empty: "Nothing unpaid."}
	for _, a := range r.Accounts {
		row := []string{a.Customer.Name}
		for _, b := range a.Buckets {
			row = append(row, money(b))
		}
		oldest := "-"
		if a.Oldest > 0 {
			oldest = fmt.Sprintf("%d d", a.Oldest)
		}
		at.Rows = append(at.Rows, append(row, money(a.Total), oldest))
		at.Marks = append(at.Marks, a.Oldest > 90)
	}
	d.Tables = append(d.Tables, at)
	ot := Table{Title: "Overdue, with whom to call", Columns: []Column{{Name: "Invoice"}, {Name: "Account", Wide: true}, {Name: "Due"},
		{Name: "Days", Right: true}, {Name: "Amount", Right: true}, {Name: "Phone"}, {Name: "Email", Wide: true}, {Name: "Contact", Wide: true}},
		Empty: "Nothing overdue."}
	for _, o := range r.Overdue {
		contact := o.Customer.Contact
		if o.Customer.ContactPhone != "" && o.Customer.ContactPhone != o.Customer.Phone {
			contact += " " + o.Customer.ContactPhone
		}
		ot.Rows = append(ot.Rows, []string{invoiceRef(o), o.Customer.Name, o.DueOn.Format("02 Jan 2006"), fmt.Sprint(o.DaysLate), money(o.Amount),
			o.Customer.Phone, o.Customer.Email, strings.TrimSpace(contact)})
		ot.Marks = append(ot.Marks, o.DaysLate > 90)
	}
	d.Tables = append(d.Tables, ot)
	d.Notes = []string{"Unpaid on the as-of date: issued by then and not paid by then; days past due counted from the due date (issue date + terms)."}
	if r.Scope.Agency != nil {
		d.Notes = append(d.Notes, "Only "+r.Scope.Agency.Name+"'s lines of each invoice count.")
	}
	return d
}

func invoiceRef(r store.Receivable) string {
	if r.Number != "" {
		return r.Number
	}
	return fmt.Sprintf("#%d", r.InvoiceID)
}

// fillCells are a group's counts as cells.
func fillCells(c store.FillCounts) []string {
	return []string{thousands(c.Requested), thousands(c.Filled), thousands(c.Unfilled), thousands(c.Cancelled), percent(c.Filled, c.Filled+c.Unfilled)}
}

var fillColumns = []Column{{Name: "Requested", Right: true}, {Name: "Filled", Right: true}, {Name: "Unfilled", Right: true},
	{Name: "Cancelled", Right: true}, {Name: "Fill rate", Right: true}}

// Duration shows a duration in days, hours and minutes: "2 d 3 h", "5 h 10 min", "12 min".
func Duration(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m >= 24*60:
		return fmt.Sprintf("%d d %d h", m/(24*60), m%(24*60)/60)
	case m >= 60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

// FillDoc lays out the fill report.
func FillDoc(r store.FillReport) Doc {
	d := Doc{Name: "fill", Title: "Fill", Period: PeriodLabel(r.Scope.From, r.Scope.To), Scope: scopeLabel(r.Scope)}
	staffed := "not recorded (no approval in the audit)"
	if len(r.Staffed) > 0 {
		staffed = fmt.Sprintf("median %s, 90%% within %s, slowest %s (%s)", Duration(r.Median), Duration(r.P90), Duration(r.Slow), count(len(r.Staffed), "job"))
	}
	noShows := 0
	for _, n := range r.NoShows {
		noShows += n.Count
	}
	d.Totals = []Figure{
		{Label: "Requested", Value: count(r.Total.Requested, "position") + " on " + count(r.Jobs, "job")},
		{Label: "Filled", Value: thousands(r.Total.Filled) + " (" + percent(r.Total.Filled, r.Total.Filled+r.Total.Unfilled) + " of those still wanted)"},
		{Label: "Unfilled", Value: thousands(r.Total.Unfilled), Alert: r.Total.Unfilled > 0},
		{Label: "Cancelled", Value: thousands(r.Total.Cancelled)},
		{Label: "Approval to fully staffed", Value: staffed},
		{Label: "No-shows", Value: thousands(noShows), Alert: noShows > 0},
	}
	bar := func(label string, c store.FillCounts, max int) Bar {
		wanted := c.Filled + c.Unfilled
		b := Bar{Label: label, Text: fmt.Sprintf("%d/%d", c.Filled, wanted)}
		if max > 0 {
			b.Value, b.Part = float64(wanted)/float64(max), float64(c.Filled)/float64(max)
		}
		return b
	}
	maxOf := func(cs []store.FillCounts) int {
		m := 0
		for _, c := range cs {
			m = max(m, c.Filled+c.Unfilled)
		}
		return m
	}
	hours := Chart{Title: "Positions by hour of the day (local start)", Solid: "filled", Light: "unfilled"}
	mh := maxOf(r.Hours[:])
	for h, c := range r.Hours {
		hours.Bars = append(hours.Bars, bar(fmt.Sprintf("%02d", h), c, mh))
	}
	days := Chart{Title: "Positions by weekday", Solid: "filled", Light: "unfilled"}
	md := maxOf(r.Weekdays[:])
	for i, c := range r.Weekdays {
		days.Bars = append(days.Bars, bar(time.Weekday((i + 1) % 7).String()[:3], c, md))
	}
	d.Charts = []Chart{hours, days}

	group := func(title, key string, rows []store.FillRow) Table {
		t := Table{Title: title, Columns: append([]Column{{Name: key, Wide: true}}, fillColumns...), Empty: "No positions in the period."}
		for _, g := range rows {
			t.Rows = append(t.Rows, append([]string{g.Label}, fillCells(g.FillCounts)...))
			t.Marks = append(t.Marks, g.Unfilled > 0)
		}
		return t
	}
	ag := group("By agency", "Agency", r.Agencies)
	ag.Rows = append(ag.Rows, append([]string{"Total"}, fillCells(r.Total)...))
	ag.Marks = append(ag.Marks, false)
	d.Tables = append(d.Tables, ag, group("By customer", "Customer", r.Customers))
	wd := Table{Title: "By weekday (local start)", Columns: append([]Column{{Name: "Weekday"}}, fillColumns...)}
	for i, c := range r.Weekdays {
		wd.Rows = append(wd.Rows, append([]string{time.Weekday((i + 1) % 7).String()}, fillCells(c)...))
	}
	hr := Table{Title: "By hour of the day (local start)", Columns: append([]Column{{Name: "Hour"}}, fillColumns...)}
	for h, c := range r.Hours {
		if c.Requested > 0 {
			hr.Rows = append(hr.Rows, append([]string{fmt.Sprintf("%02d:00", h)}, fillCells(c)...))
		}
	}
	d.Tables = append(d.Tables, wd, hr)
	ns := Table{Title: "No-shows by officer", Columns: []Column{{Name: "Officer", Wide: true}, {Name: "Badge"}, {Name: "Agency", Wide: true}, {Name: "No-shows", Right: true},
		{Name: "Last"}}, Empty: "No no-show in the period."}
	for _, n := range r.NoShows {
		ns.Rows = append(ns.Rows, []string{n.Officer.Name(), n.Officer.Badge, n.Officer.AgencySlug, fmt.Sprint(n.Count), n.Last.In(zoneOf(r.Scope, n.Officer.AgencyID)).Format("Mon 02 Jan 15:04")})
	}
	d.Tables = append(d.Tables, ns)
	st := Table{Title: "Approval to fully staffed (slowest first)", Columns: []Column{{Name: "Job", Right: true}, {Name: "Customer", Wide: true},
		{Name: "Shift"}, {Name: "Approved"}, {Name: "Staffed"}, {Name: "Took", Right: true}}, Empty: "No approval of these jobs is in the audit (a generated history has none)."}
	loc := zoneOf(r.Scope, 0)
	for _, s := range r.Staffed {
		st.Rows = append(st.Rows, []string{fmt.Sprintf("#%d", s.JobID), s.Customer, s.Start.In(loc).Format("Mon 02 Jan 15:04"), s.ApprovedAt.In(loc).Format("02 Jan 15:04"),
			s.StaffedAt.In(loc).Format("02 Jan 15:04"), Duration(s.Took)})
		st.Marks = append(st.Marks, false)
	}
	for _, s := range r.Waiting {
		st.Rows = append(st.Rows, []string{fmt.Sprintf("#%d", s.JobID), s.Customer, s.Start.In(loc).Format("Mon 02 Jan 15:04"), s.ApprovedAt.In(loc).Format("02 Jan 15:04"),
			"not yet", "-"})
		st.Marks = append(st.Marks, true)
	}
	d.Tables = append(d.Tables, st)
	d.Notes = []string{"Positions of the jobs starting in the period (local start). Filled: an officer holds it; unfilled: still open (a no-show's included); " +
		"cancelled: with its job, or removed by a reduction. The fill rate leaves cancelled positions out."}
	return d
}

// zoneOf is an agency's zone in a report's scope (the first agency's for 0).
func zoneOf(sc store.ReportScope, agencyID int64) *time.Location {
	for _, a := range sc.Agencies {
		if a.ID == agencyID || agencyID == 0 {
			return a.Loc
		}
	}
	return time.UTC
}

// FairnessDoc lays out the fairness report.
func FairnessDoc(r store.FairnessReport) Doc {
	d := Doc{Name: "fairness", Title: "Fairness", Period: PeriodLabel(r.Scope.From, r.Scope.To), Scope: scopeLabel(r.Scope)}
	signups := "not recorded in the period"
	if r.Recorded {
		signups = fmt.Sprintf("%s, %d refused", count(r.SignUps, "sign-up"), r.Refusals)
	}
	h := func(x float64) string { return Hours(int(math.Round(x * 60))) }
	d.Totals = []Figure{
		{Label: "Officers", Value: fmt.Sprintf("%s: %d with hours, %d without", thousands(len(r.Officers)), r.WithHours, r.Idle)},
		{Label: "Hours", Value: fmt.Sprintf("min %s, median %s, max %s; Gini %.3f", h(r.Hours.Min), h(r.Hours.Median), h(r.Hours.Max), r.Hours.Gini)},
		{Label: "Earnings", Value: fmt.Sprintf("min %s, median %s, max %s; Gini %.3f", money(r.Earnings.Min), money(r.Earnings.Median.Round(2)), money(r.Earnings.Max), r.Earnings.Gini)},
		{Label: "Far from the median", Value: fmt.Sprintf("%d above twice it, %d below half of it", r.Above, r.Below), Alert: r.Above > 0},
		{Label: "Sign-ups", Value: signups},
	}
	// Officers by hours: eight bands up to the most hours.
	top := r.Hours.Max
	step := math.Max(1, math.Ceil(top/8/5)*5)
	var bands [9]int
	for _, o := range r.Officers {
		hrs := float64(o.Minutes) / 60
		if o.Minutes == 0 {
			bands[0]++
			continue
		}
		bands[min(1+int(math.Ceil(hrs/step))-1, 8)]++
	}
	mb := 0
	for _, b := range bands {
		mb = max(mb, b)
	}
	c := Chart{Title: "Officers by hours worked in the period"}
	for i, n := range bands {
		label := "0 h"
		if i > 0 {
			label = fmt.Sprintf("%g-%g", step*float64(i-1), step*float64(i))
			if i == 8 {
				label = fmt.Sprintf("%g+", step*7)
			}
		}
		if i == 8 && n == 0 {
			continue
		}
		b := Bar{Label: label, Part: -1, Text: fmt.Sprint(n)}
		if mb > 0 {
			b.Value = float64(n) / float64(mb)
		}
		c.Bars = append(c.Bars, b)
	}
	d.Charts = []Chart{c}
	t := Table{Title: "Officers, most hours first", Columns: []Column{{Name: "Officer", Wide: true}, {Name: "Badge"}, {Name: "Agency", Wide: true}, {Name: "Shifts", Right: true},
		{Name: "Hours", Right: true}, {Name: "Pay", Right: true}, {Name: "x median", Right: true}, {Name: "Flag"}},
		Empty: "No officer in the period."}
	if r.Recorded { // sign-ups where the office records them
		t.Columns = append(t.Columns, Column{Name: "Sign-ups", Right: true}, Column{Name: "Refused", Right: true})
	}
	for _, o := range r.Officers {
		vs := "-"
		if r.Hours.Median > 0 {
			vs = fmt.Sprintf("%.2f", o.VsMedian)
		}
		row := []string{o.Officer.Name(), o.Officer.Badge, o.Officer.AgencySlug, fmt.Sprint(o.Shifts), Hours(o.Minutes), money(o.Pay), vs, o.Flag}
		if r.Recorded {
			row = append(row, fmt.Sprint(o.SignUps), fmt.Sprint(o.Refusals))
		}
		t.Rows = append(t.Rows, row)
		t.Marks = append(t.Marks, o.Flag != "")
	}
	d.Tables = []Table{t}
	d.Notes = []string{"Hours and pay as payroll counts them, for the shifts whose local start date is in the period; the active officers without hours count too.",
		"Gini: 0 when everyone has the same, towards 1 when a few have it all. Far above: more than twice the median hours; far below: under half of it."}
	return d
}

// ComplianceDoc lays out the compliance report.
func ComplianceDoc(r store.ComplianceReport) Doc {
	d := Doc{Name: "compliance", Title: "Compliance", Period: PeriodLabel(r.Scope.From, r.Scope.To), Scope: scopeLabel(r.Scope)}
	current := 0
	for _, o := range r.Overrides {
		if o.Current {
			current++
		}
	}
	d.Totals = []Figure{
		{Label: "Overrides of a cap or rest rule", Value: fmt.Sprintf("%d (%d still on their shift)", len(r.Overrides), current), Alert: len(r.Overrides) > 0},
		{Label: "Over the weekly cap", Value: thousands(r.Counts[store.RuleWeeklyCap]), Alert: r.Counts[store.RuleWeeklyCap] > 0},
		{Label: "Days over 16 h", Value: thousands(r.Counts[store.RuleDay]), Alert: r.Counts[store.RuleDay] > 0},
		{Label: "Rests under 8 h", Value: thousands(r.Counts[store.RuleRest]), Alert: r.Counts[store.RuleRest] > 0},
		{Label: "Of those findings", Value: fmt.Sprintf("%d as worked, %d as booked", r.Worked, r.Booked)},
		{Label: "Refused (prohibited venue)", Value: thousands(len(r.Refused))},
	}
	counts := []struct {
		label string
		n     int
	}{{"overrides", len(r.Overrides)}, {"weekly cap", r.Counts[store.RuleWeeklyCap]}, {"16 h day", r.Counts[store.RuleDay]},
		{"8 h rest", r.Counts[store.RuleRest]}, {"venue refused", len(r.Refused)}}
	mc := 0
	for _, c := range counts {
		mc = max(mc, c.n)
	}
	c := Chart{Title: "Findings"}
	for _, x := range counts {
		b := Bar{Label: x.label, Part: -1, Text: fmt.Sprint(x.n)}
		if mc > 0 {
			b.Value = float64(x.n) / float64(mc)
		}
		c.Bars = append(c.Bars, b)
	}
	d.Charts = []Chart{c}
	loc := zoneOf(r.Scope, 0)
	ov := Table{Title: "Overrides of a cap or rest rule: who, when, why", Columns: []Column{{Name: "Shift"}, {Name: "Officer", Wide: true}, {Name: "Job", Right: true},
		{Name: "Customer", Wide: true}, {Name: "By"}, {Name: "When"}, {Name: "Reason", Wide: true}, {Name: "Now"}}, Empty: "No override in the period."}
	for _, o := range r.Overrides {
		when, now := "-", "in force"
		if !o.At.IsZero() {
			when = o.At.In(loc).Format("02 Jan 15:04")
		}
		if !o.Current {
			now = "undone"
		}
		ov.Rows = append(ov.Rows, []string{o.Start.In(loc).Format("Mon 02 Jan 15:04"), o.Officer, fmt.Sprintf("#%d", o.JobID), o.Customer, o.Actor, when, o.Reason, now})
	}
	fd := Table{Title: "Over a cap or under the rest, as booked and as worked", Columns: []Column{{Name: "When"}, {Name: "Officer", Wide: true}, {Name: "Badge"},
		{Name: "Rule"}, {Name: "Booked", Right: true}, {Name: "Worked", Right: true}, {Name: "Limit", Right: true}, {Name: "Override"}, {Name: "Jobs", Wide: true}},
		Empty: "Every shift kept the caps and the rest, as booked and as worked."}
	for _, f := range r.Findings {
		when := f.When.Format("Mon 02 Jan")
		switch f.Rule {
		case store.RuleWeeklyCap:
			when = "week of " + f.When.Format("02 Jan")
		case store.RuleRest:
			when = f.When.In(loc).Format("Mon 02 Jan 15:04")
		}
		cell := func(m int, over bool) string {
			if m < 0 {
				return "-"
			}
			s := Hours(m)
			if over {
				s = "!" + s
			}
			return s
		}
		ovr := "no"
		if f.Overridden {
			ovr = "yes"
		}
		var jobs []string
		for _, j := range f.JobIDs {
			jobs = append(jobs, fmt.Sprintf("#%d", j))
		}
		fd.Rows = append(fd.Rows, []string{when, f.Officer.Name(), f.Officer.Badge, f.Rule, cell(f.Booked, f.OverBooked), cell(f.Worked, f.OverWorked),
			Hours(f.Limit), ovr, strings.Join(jobs, " ")})
		fd.Marks = append(fd.Marks, !f.Overridden)
	}
	rf := Table{Title: "Requests refused for a prohibited venue", Columns: []Column{{Name: "Shift"}, {Name: "Job", Right: true}, {Name: "Agency"},
		{Name: "Customer", Wide: true}, {Name: "Site", Wide: true}, {Name: "Venue"}, {Name: "Rule", Wide: true}}, Empty: "None in the period."}
	for _, x := range r.Refused {
		rf.Rows = append(rf.Rows, []string{x.Start.In(loc).Format("Mon 02 Jan 15:04"), fmt.Sprintf("#%d", x.JobID), x.Agency, x.Customer, x.Site, x.Venue, x.Rule})
	}
	d.Tables = []Table{ov, fd, rf}
	d.Notes = []string{"Booked: the scheduled shifts; worked: check-in to check-out (a shift held over, or checked in early, counts as worked). " +
		"A ! marks what breaks the rule; rests are between two shifts in a row; weeks run Monday to Sunday."}
	return d
}

// ---- CSV ----

// ReportCSV writes a report as CSV: a header row, then one row per line of
// its lists, a section column saying which list. Numbers are plain
// (minutes, two-decimal amounts, dates YYYY-MM-DD); text cells are TextCells.
func ReportCSV(w io.Writer, v any) error {
	cw := csv.NewWriter(w)
	switch r := v.(type) {
	case store.RevenueReport:
		revenueCSV(cw, r)
	case store.ReceivablesReport:
		receivablesCSV(cw, r)
	case store.FillReport:
		fillCSV(cw, r)
	case store.FairnessReport:
		fairnessCSV(cw, r)
	case store.ComplianceReport:
		complianceCSV(cw, r)
	default:
		return fmt.Errorf("not a report: %T", v)
	}
	cw.Flush()
	return cw.Error()
}

func fixed(d decimal.Decimal) string { return d.StringFixed(2) }

func revenueCSV(cw *csv.Writer, r store.RevenueReport) {
	cw.Write([]string{"section", "month", "agency", "customer_id", "customer", "invoices", "billed", "officer_pay", "admin_fees", "cancellation_fees",
		"minutes_paid", "hours_paid", "paid_to_officers"})
	slug := func(id int64) string {
		for _, a := range r.Scope.Agencies {
			if a.ID == id {
				return a.Slug
			}
		}
		return fmt.Sprint(id)
	}
	for _, row := range r.Rows {
		cw.Write([]string{"billed", row.Month.Format("2006-01"), TextCell(slug(row.AgencyID)), fmt.Sprint(row.CustomerID), TextCell(row.Customer), fmt.Sprint(row.Invoices),
			fixed(row.Billed), fixed(row.OfficerPay), fixed(row.AdminFees), fixed(row.CancelFees), "", "", ""})
	}
	for _, m := range r.Months {
		cw.Write([]string{"month", m.Key, "", "", "", fmt.Sprint(m.Invoices), fixed(m.Billed), fixed(m.OfficerPay), fixed(m.AdminFees), fixed(m.CancelFees), "", "", ""})
	}
	for _, a := range r.Agencies {
		row := []string{"agency", "", TextCell(a.Key), "", "", fmt.Sprint(a.Invoices), fixed(a.Billed), fixed(a.OfficerPay), fixed(a.AdminFees), fixed(a.CancelFees), "0", "0:00", "0.00"}
		for _, p := range r.Pay {
			if p.Agency.Slug == a.Key {
				row[10], row[11], row[12] = fmt.Sprint(p.Minutes), pricing.FormatMinutes(p.Minutes), fixed(p.Pay)
			}
		}
		cw.Write(row)
	}
	cw.Write([]string{"total", "", "", "", "", fmt.Sprint(r.Total.Invoices), fixed(r.Total.Billed), fixed(r.Total.OfficerPay), fixed(r.Total.AdminFees),
		fixed(r.Total.CancelFees), fmt.Sprint(r.PayTotal.Minutes), pricing.FormatMinutes(r.PayTotal.Minutes), fixed(r.PayTotal.Pay)})
}

func receivablesCSV(cw *csv.Writer, r store.ReceivablesReport) {
	cw.Write([]string{"section", "as_of", "account_id", "account", "invoice", "issued_on", "due_on", "days_past_due", "bucket",
		"not_yet_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total", "phone", "email", "contact", "contact_phone", "contact_email"})
	asOf := r.Scope.AsOf.Format(dateLayout)
	contact := func(c store.ReportCustomer) []string {
		return []string{TextCell(c.Phone), TextCell(c.Email), TextCell(c.Contact), TextCell(c.ContactPhone), TextCell(c.ContactEmail)}
	}
	for _, u := range r.Unpaid {
		b := []string{"0.00", "0.00", "0.00", "0.00", "0.00"}
		b[u.Bucket] = fixed(u.Amount)
		row := []string{"invoice", asOf, fmt.Sprint(u.Customer.ID), TextCell(u.Customer.Name), TextCell(invoiceRef(u)), u.IssuedOn.Format(dateLayout),
			u.DueOn.Format(dateLayout), fmt.Sprint(u.DaysLate), TextCell(store.AgingBuckets[u.Bucket])}
		cw.Write(append(append(append(row, b...), fixed(u.Amount)), contact(u.Customer)...))
	}
	for _, a := range r.Accounts {
		row := []string{"account", asOf, fmt.Sprint(a.Customer.ID), TextCell(a.Customer.Name), "", "", "", fmt.Sprint(a.Oldest), ""}
		for _, b := range a.Buckets {
			row = append(row, fixed(b))
		}
		cw.Write(append(append(row, fixed(a.Total)), contact(a.Customer)...))
	}
	row := []string{"total", asOf, "", "", "", "", "", "", ""}
	for _, b := range r.Buckets {
		row = append(row, fixed(b))
	}
	cw.Write(append(row, fixed(r.Total), "", "", "", "", ""))
}

func fillCSV(cw *csv.Writer, r store.FillReport) {
	cw.Write([]string{"section", "key", "label", "requested", "filled", "unfilled", "cancelled", "fill_rate", "no_shows", "last_no_show",
		"job", "shift_start", "approved_at", "staffed_at", "minutes_to_staff"})
	rate := func(c store.FillCounts) string {
		if c.Filled+c.Unfilled == 0 {
			return ""
		}
		return fmt.Sprintf("%.4f", c.Rate())
	}
	counts := func(section, key, label string, c store.FillCounts) {
		cw.Write([]string{section, TextCell(key), TextCell(label), fmt.Sprint(c.Requested), fmt.Sprint(c.Filled), fmt.Sprint(c.Unfilled), fmt.Sprint(c.Cancelled),
			rate(c), "", "", "", "", "", "", ""})
	}
	counts("total", "", "", r.Total)
	for _, a := range r.Agencies {
		counts("agency", a.Key, a.Label, a.FillCounts)
	}
	for _, c := range r.Customers {
		counts("customer", c.Key, c.Label, c.FillCounts)
	}
	for i, c := range r.Weekdays {
		counts("weekday", fmt.Sprint(i+1), time.Weekday((i+1)%7).String(), c)
	}
	for h, c := range r.Hours {
		counts("hour", fmt.Sprintf("%02d", h), fmt.Sprintf("%02d:00", h), c)
	}
	for _, n := range r.NoShows {
		cw.Write([]string{"no_show", TextCell(n.Officer.Badge), TextCell(n.Officer.Name()), "", "", "", "", "", fmt.Sprint(n.Count), n.Last.UTC().Format(time.RFC3339),
			"", "", "", "", ""})
	}
	staff := func(s store.StaffingTime) {
		staffed, took := "", ""
		if !s.StaffedAt.IsZero() {
			staffed, took = s.StaffedAt.UTC().Format(time.RFC3339), fmt.Sprint(int(s.Took/time.Minute))
		}
		cw.Write([]string{"staffing", fmt.Sprint(s.JobID), TextCell(s.Customer), "", "", "", "", "", "", "", fmt.Sprint(s.JobID), s.Start.UTC().Format(time.RFC3339),
			s.ApprovedAt.UTC().Format(time.RFC3339), staffed, took})
	}
	for _, s := range r.Staffed {
		staff(s)
	}
	for _, s := range r.Waiting {
		staff(s)
	}
}

func fairnessCSV(cw *csv.Writer, r store.FairnessReport) {
	cw.Write([]string{"badge", "officer", "agency", "shifts", "minutes", "hours", "pay", "vs_median", "flag", "signups", "refusals"})
	for _, o := range r.Officers {
		vs := ""
		if r.Hours.Median > 0 {
			vs = fmt.Sprintf("%.4f", o.VsMedian)
		}
		cw.Write([]string{TextCell(o.Officer.Badge), TextCell(o.Officer.Name()), TextCell(o.Officer.AgencySlug), fmt.Sprint(o.Shifts), fmt.Sprint(o.Minutes),
			pricing.FormatMinutes(o.Minutes), fixed(o.Pay), vs, TextCell(o.Flag), fmt.Sprint(o.SignUps), fmt.Sprint(o.Refusals)})
	}
}

func complianceCSV(cw *csv.Writer, r store.ComplianceReport) {
	cw.Write([]string{"section", "shift_start", "officer", "badge", "rule", "booked_minutes", "worked_minutes", "limit_minutes", "over_booked", "over_worked",
		"overridden", "job", "position", "by", "at", "reason", "in_force", "customer", "site", "agency", "venue"})
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for _, o := range r.Overrides {
		at := ""
		if !o.At.IsZero() {
			at = o.At.UTC().Format(time.RFC3339)
		}
		cw.Write([]string{"override", o.Start.UTC().Format(time.RFC3339), TextCell(o.Officer), "", "", "", "", "", "", "", "yes", fmt.Sprint(o.JobID), fmt.Sprint(o.PositionID),
			TextCell(o.Actor), at, TextCell(o.Reason), yes(o.Current), TextCell(o.Customer), "", "", ""})
	}
	for _, f := range r.Findings {
		var jobs, positions []string
		for i, p := range f.Positions {
			positions = append(positions, fmt.Sprint(p))
			if i < len(f.JobIDs) {
				jobs = append(jobs, fmt.Sprint(f.JobIDs[i]))
			}
		}
		worked := ""
		if f.Worked >= 0 {
			worked = fmt.Sprint(f.Worked)
		}
		cw.Write([]string{"finding", f.When.UTC().Format(time.RFC3339), TextCell(f.Officer.Name()), TextCell(f.Officer.Badge), f.Rule, fmt.Sprint(f.Booked), worked,
			fmt.Sprint(f.Limit), yes(f.OverBooked), yes(f.OverWorked), yes(f.Overridden), strings.Join(jobs, " "), strings.Join(positions, " "), "", "", "", "", "", "", "", ""})
	}
	for _, x := range r.Refused {
		cw.Write([]string{"refused", x.Start.UTC().Format(time.RFC3339), "", "", "prohibited venue", "", "", "", "", "", "", fmt.Sprint(x.JobID), "", "",
			x.Received.UTC().Format(time.RFC3339), TextCell(x.Rule), "", TextCell(x.Customer), TextCell(x.Site), TextCell(x.Agency), TextCell(x.Venue)})
	}
}

// ---- Text ----

// ReportText writes a laid-out report as plain text for a terminal or a
// pipe: the totals, the charts as bars of block characters (width wide),
// then the lists with their columns aligned (a long text cell is cut at 40
// characters).
func ReportText(w io.Writer, d Doc, width int) error {
	d = cleanDoc(d)
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · %s\n\n", d.Title, d.Period, d.Scope)
	lw := 0
	for _, f := range d.Totals {
		lw = max(lw, len([]rune(f.Label)))
	}
	for _, f := range d.Totals {
		fmt.Fprintf(&b, "  %s  %s\n", pad(f.Label, lw), f.Value)
	}
	for _, c := range d.Charts {
		b.WriteString("\n" + c.Title)
		if c.Solid != "" {
			b.WriteString(" (█ " + c.Solid + ", ░ " + c.Light + ")")
		}
		b.WriteString("\n")
		for _, l := range HBars(c, width-2) {
			b.WriteString("  " + l + "\n")
		}
	}
	for _, t := range d.Tables {
		b.WriteString("\n" + t.Title + "\n")
		if len(t.Rows) == 0 {
			b.WriteString("  " + t.Empty + "\n")
			continue
		}
		widths := make([]int, len(t.Columns))
		cell := func(s string, i int) string {
			if t.Columns[i].Wide && len([]rune(s)) > 40 {
				return string([]rune(s)[:39]) + "…"
			}
			return s
		}
		for i, c := range t.Columns {
			widths[i] = len([]rune(c.Name))
		}
		for _, r := range t.Rows {
			for i := range t.Columns {
				widths[i] = max(widths[i], len([]rune(cell(r[i], i))))
			}
		}
		line := func(cells []string) {
			parts := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				if c.Right {
					parts[i] = padLeft(cell(cells[i], i), widths[i])
				} else {
					parts[i] = pad(cell(cells[i], i), widths[i])
				}
			}
			b.WriteString("  " + strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
		}
		names := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			names[i] = c.Name
		}
		line(names)
		for _, r := range t.Rows {
			line(r)
		}
	}
	if len(d.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range d.Notes {
			b.WriteString(n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cleanDoc is a doc with every text cleaned for a terminal (store.Clean):
// names and reasons come from other users.
func cleanDoc(d Doc) Doc {
	c := func(s string) string { return store.Clean(s, false) }
	d.Title, d.Period, d.Scope = c(d.Title), c(d.Period), c(d.Scope)
	var totals []Figure
	for _, f := range d.Totals {
		totals = append(totals, Figure{Label: c(f.Label), Value: c(f.Value), Alert: f.Alert})
	}
	d.Totals = totals
	var charts []Chart
	for _, ch := range d.Charts {
		var bars []Bar
		for _, b := range ch.Bars {
			b.Label, b.Text = c(b.Label), c(b.Text)
			bars = append(bars, b)
		}
		ch.Bars = bars
		charts = append(charts, ch)
	}
	d.Charts = charts
	var tables []Table
	for _, t := range d.Tables {
		var rows [][]string
		for _, r := range t.Rows {
			cells := make([]string, len(r))
			for i, x := range r {
				cells[i] = c(x)
			}
			rows = append(rows, cells)
		}
		t.Rows = rows
		tables = append(tables, t)
	}
	d.Tables = tables
	return d
}

func pad(s string, n int) string {
	if k := len([]rune(s)); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func padLeft(s string, n int) string {
	if k := len([]rune(s)); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

// eighths are the block characters of a bar's last cell, by eighths.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// HBar is a bar of block characters w cells wide at most: value (0 to 1)
// of it drawn, part of it solid (█, to the eighth of a cell) and the rest
// light (░).
func HBar(value, part float64, w int) string {
	value = math.Max(0, math.Min(1, value))
	if part < 0 || part > value {
		part = value
	}
	total := int(math.Round(value * float64(w) * 8))
	solid := int(math.Round(part * float64(w) * 8))
	if value > 0 && total == 0 {
		total = 1
	}
	if part > 0 && solid == 0 {
		solid = 1
	}
	full, rest := solid/8, solid%8
	s := strings.Repeat("█", full) + eighths[rest]
	cells := full
	if rest > 0 {
		cells++
	}
	if light := (total+7)/8 - cells; light > 0 {
		s += strings.Repeat("░", light)
	}
	return s
}

// HBars draws a chart as one line per bar: label, bar, value, in w cells.
func HBars(c Chart, w int) []string {
	lw, tw := 0, 0
	for _, b := range c.Bars {
		lw, tw = max(lw, len([]rune(b.Label))), max(tw, len([]rune(b.Text)))
	}
	lw = min(lw, max(w/3, 6))
	bw := max(w-lw-tw-2, 4)
	var out []string
	for _, b := range c.Bars {
		label := b.Label
		if r := []rune(label); len(r) > lw {
			label = string(r[:lw-1]) + "…"
		}
		out = append(out, pad(label, lw)+" "+pad(HBar(b.Value, b.Part, bw), bw)+" "+padLeft(b.Text, tw))
	}
	return out
}

// ---- PDF ----

// ReportPDF writes a laid-out report: a summary page (the office, the
// report, its period and scope, the totals, a bar chart drawn with
// rectangles, a second one if there is room, the notes), then its lists,
// paginated with their heads repeated. stamp dates the document (the same
// report and stamp give the same bytes).
func ReportPDF(w io.Writer, d Doc, office Office, stamp time.Time) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	text := func(s string) string { return tr(store.Clean(s, false)) }
	pdf.SetTitle(text(d.Title+" report, "+d.Period+", "+d.Scope), false)
	pdf.SetAuthor(text(author(office)), false)
	pdf.SetCreator("offduty", false)
	pdf.AliasNbPages("{nb}")
	fit := func(s string, w float64) string {
		w -= 1.5
		if pdf.GetStringWidth(s) <= w {
			return s
		}
		const ellipsis = "\x85"
		for len(s) > 0 && pdf.GetStringWidth(s+ellipsis) > w {
			s = s[:len(s)-1]
		}
		return strings.TrimRight(s, " ,") + ellipsis
	}
	gray := func() { pdf.SetTextColor(110, 110, 120) }
	black := func() { pdf.SetTextColor(0, 0, 0) }
	pdf.SetFooterFunc(func() {
		pdf.SetXY(margin, footerY)
		pdf.SetFont("Helvetica", "", 7.5)
		gray()
		pdf.CellFormat(contentW, 4, text(fmt.Sprintf("%s - %s report - %s - %s - page %d of {nb}", office.Name, strings.ToLower(d.Title), d.Period, d.Scope, pdf.PageNo())),
			"", 0, "C", false, 0, "")
		black()
	})

	// The summary page.
	pdf.AddPage()
	pdf.SetXY(margin, margin)
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(contentW/2, 9, text(office.Name), "", 0, "L", false, 0, "")
	pdf.CellFormat(contentW/2, 9, text(strings.ToUpper(d.Title)), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(contentW/2, 5, text(office.Tagline), "", 0, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(contentW/2, 5, text(d.Period), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	gray()
	pdf.CellFormat(contentW, 5, text(d.Scope+" - made "+stamp.Format("Jan 2, 2006 15:04 MST")), "", 1, "R", false, 0, "")
	black()
	pdf.SetDrawColor(160, 160, 170)
	pdf.Line(margin, 36, pageW-margin, 36)
	y := 40.0
	for _, f := range d.Totals {
		pdf.SetXY(margin, y)
		pdf.SetFont("Helvetica", "B", 9.5)
		pdf.CellFormat(62, 5.5, fit(text(f.Label), 62), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9.5)
		if f.Alert {
			pdf.SetTextColor(180, 30, 30)
		}
		pdf.CellFormat(contentW-62, 5.5, fit(text(f.Value), contentW-62), "", 0, "L", false, 0, "")
		black()
		y += 5.5
	}
	y += 5
	for i, c := range d.Charts {
		h := 62.0
		if i > 0 && y+h+20 > bodyBottom-float64(len(d.Notes))*4.5 {
			break
		}
		y = pdfChart(pdf, text, fit, c, y, h) + 6
	}
	pdf.SetXY(margin, max(y, pdf.GetY()+4))
	pdf.SetFont("Helvetica", "", 8)
	gray()
	for _, n := range d.Notes {
		pdf.MultiCell(contentW, 4, text(n), "", "L", false)
	}
	black()

	// The lists, one after the other from a new page; a list starts on the
	// next page when its head and first rows would not fit.
	const row, font = 4.6, 7.5
	pdf.AddPage()
	y = margin
	for ti, t := range d.Tables {
		if ti > 0 {
			y += 6
		}
		if y+8+5.5+3*row > bodyBottom {
			pdf.AddPage()
			y = margin
		}
		head := func(y float64, cont bool) float64 {
			pdf.SetXY(margin, y)
			pdf.SetFont("Helvetica", "B", 11)
			title := t.Title
			if cont {
				title += " (continued)"
			}
			pdf.CellFormat(contentW, 7, fit(text(title), contentW), "", 1, "L", false, 0, "")
			return y + 8
		}
		widths := pdfWidths(pdf, text, t, font)
		cols := func(y float64) float64 {
			pdf.SetXY(margin, y)
			pdf.SetFont("Helvetica", "B", font)
			pdf.SetFillColor(232, 232, 238)
			for i, c := range t.Columns {
				al := "L"
				if c.Right {
					al = "R"
				}
				pdf.CellFormat(widths[i], 5.5, fit(text(c.Name), widths[i]), "", 0, al, true, 0, "")
			}
			return y + 5.5
		}
		y = cols(head(y, false))
		pdf.SetFont("Helvetica", "", font)
		if len(t.Rows) == 0 {
			pdf.SetXY(margin, y)
			pdf.SetFont("Helvetica", "I", font)
			pdf.CellFormat(contentW, row, text(t.Empty), "", 0, "L", false, 0, "")
		}
		for k, r := range t.Rows {
			if y+row > bodyBottom {
				pdf.AddPage()
				y = cols(head(margin, true))
				pdf.SetFont("Helvetica", "", font)
			}
			pdf.SetXY(margin, y)
			if k%2 == 1 {
				pdf.SetFillColor(247, 247, 250)
			}
			if k < len(t.Marks) && t.Marks[k] {
				pdf.SetTextColor(180, 30, 30)
			}
			for i, c := range t.Columns {
				al := "L"
				if c.Right {
					al = "R"
				}
				pdf.CellFormat(widths[i], row, fit(text(r[i]), widths[i]), "", 0, al, k%2 == 1, 0, "")
			}
			black()
			y += row
		}
		if len(t.Rows) == 0 {
			y += row
		}
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

// pdfWidths shares the content width among a list's columns: each gets what
// its widest cell needs (numbers always), and the wide text columns give way
// when the page is too narrow for all of it.
func pdfWidths(pdf *fpdf.Fpdf, text func(string) string, t Table, font float64) []float64 {
	pdf.SetFont("Helvetica", "", font)
	need := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		pdf.SetFont("Helvetica", "B", font)
		need[i] = pdf.GetStringWidth(text(c.Name)) + 2.5
	}
	pdf.SetFont("Helvetica", "", font)
	for _, r := range t.Rows {
		for i := range t.Columns {
			need[i] = max(need[i], pdf.GetStringWidth(text(r[i]))+2.5)
		}
	}
	total, wide := 0.0, 0.0
	for i, c := range t.Columns {
		total += need[i]
		if c.Wide {
			wide += need[i]
		}
	}
	out := append([]float64(nil), need...)
	switch {
	case total <= contentW: // room to spare: the first free-text column takes it
		for i, c := range t.Columns {
			if c.Wide {
				out[i] += contentW - total
				break
			}
		}
	case wide > 0 && total-wide < contentW*0.9: // the text columns give way
		room := contentW - (total - wide)
		for i, c := range t.Columns {
			if c.Wide {
				out[i] = need[i] * room / wide
			}
		}
	default: // everything shrinks
		for i := range out {
			out[i] = need[i] * contentW / total
		}
	}
	return out
}

// pdfChart draws a bar chart with rectangles from y, h millimetres high in
// all: its title, the bars (solid part dark, the rest light) over a base
// line, each bar's label and value; it returns the y below it.
func pdfChart(pdf *fpdf.Fpdf, text func(string) string, fit func(string, float64) string, c Chart, y, h float64) float64 {
	pdf.SetXY(margin, y)
	pdf.SetFont("Helvetica", "B", 10)
	title := c.Title
	if c.Solid != "" {
		title += " (dark: " + c.Solid + "; light: " + c.Light + ")"
	}
	pdf.CellFormat(contentW, 6, fit(text(title), contentW), "", 1, "L", false, 0, "")
	top := y + 9
	labelH := 8.0
	plotH := h - 9 - labelH
	base := top + plotH
	n := len(c.Bars)
	if n == 0 {
		return y + h
	}
	slot := contentW / float64(n)
	bw := slot * 0.7
	pdf.SetDrawColor(160, 160, 170)
	pdf.Line(margin, base, pageW-margin, base)
	valueFont := math.Min(7, math.Max(4.5, slot*0.9))
	for i, b := range c.Bars {
		x := margin + float64(i)*slot + (slot-bw)/2
		vh := math.Max(0, math.Min(1, b.Value)) * (plotH - 5)
		ph := vh
		if b.Part >= 0 && b.Part <= b.Value {
			ph = math.Max(0, b.Part) * (plotH - 5)
		}
		if vh > 0 {
			pdf.SetFillColor(196, 204, 232) // the light rest
			pdf.Rect(x, base-vh, bw, vh, "F")
		}
		if ph > 0 {
			pdf.SetFillColor(62, 80, 160)
			pdf.Rect(x, base-ph, bw, ph, "F")
		}
		pdf.SetFont("Helvetica", "", valueFont)
		pdf.SetXY(margin+float64(i)*slot, base-vh-4)
		pdf.CellFormat(slot, 3.5, fit(text(b.Text), slot+1.5), "", 0, "C", false, 0, "")
		pdf.SetXY(margin+float64(i)*slot, base+1)
		pdf.CellFormat(slot, 3.5, fit(text(b.Label), slot+1.5), "", 0, "C", false, 0, "")
	}
	return base + labelH
}
