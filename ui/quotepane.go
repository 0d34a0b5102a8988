package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"offduty/pricing"
)

// weekQuote is one date of a weekly series with its quote.
type weekQuote struct {
	label string
	quote *pricing.Quote
	err   string
}

// renderQuote draws the live quote pane: lines, total, warnings, refusals and,
// for a weekly series, each date's total and the grand total.
func renderQuote(st Styles, agency string, q *pricing.Quote, missing []string, weeks []weekQuote, w int) string {
	var b strings.Builder
	title := st.Title.Render("Quote")
	if agency != "" {
		title += "  " + st.Bold.Render(truncate(agency, max(w-7, 1)))
	}
	b.WriteString(title + "\n\n")
	if q == nil {
		if len(missing) > 0 {
			b.WriteString(st.Muted.Render(wrap("waiting for: "+strings.Join(missing, ", "), w)) + "\n")
		}
		return b.String()
	}
	amountW := max(8, len(pricing.FormatMoney(q.Total))) + 1
	rateW, hoursW := 6, 6
	labelW := max(w-amountW-rateW-hoursW-3, 6)
	for _, l := range q.Lines {
		label := fmt.Sprintf("%d %s", l.Count, l.Class)
		if l.Basis != pricing.BasisRegular && l.Basis != string(l.Class) && len(label)+1+len(l.Basis) <= labelW {
			label += " " + l.Basis
		}
		b.WriteString(fit(label, labelW) + " " + right(pricing.FormatMinutes(l.Minutes)+" h", hoursW) + " " +
			right(l.Rate.Total.StringFixed(2), rateW) + " " + right(pricing.FormatMoney(l.Amount), amountW) + "\n")
	}
	b.WriteString(st.Rule.Render(strings.Repeat("─", w)) + "\n")
	totalLabel := "Total"
	totalStyle := st.Total
	if !q.Bookable {
		totalLabel = "Total (not bookable)"
		totalStyle = st.Refused
	}
	b.WriteString(totalStyle.Render(fit(totalLabel, w-amountW)+right(pricing.FormatMoney(q.Total), amountW)) + "\n")
	b.WriteString(st.Muted.Render(fit("officer pay "+pricing.FormatMoney(q.OfficerPay)+"  admin "+pricing.FormatMoney(q.AdminFee), w)) + "\n")
	if len(q.Warnings)+len(q.Refusals) > 0 {
		b.WriteString("\n")
	}
	for _, r := range q.Refusals {
		b.WriteString(st.Refused.Render(wrapPrefixed("✗ ", "REFUSED "+r.Message, w)) + "\n")
	}
	for _, wn := range q.Warnings {
		prefix := "! "
		if strings.HasPrefix(wn, "supervisor added") {
			prefix = "+ "
		}
		b.WriteString(st.Warn.Render(wrapPrefixed(prefix, wn, w)) + "\n")
	}
	if len(weeks) > 1 {
		b.WriteString("\n" + st.Bold.Render(fmt.Sprintf("Weekly, %d dates", len(weeks))) + "\n")
		grand := q.Total.Sub(q.Total)
		for _, wq := range weeks {
			if wq.quote == nil {
				b.WriteString(st.Error.Render(fit(wq.label+"  "+wq.err, w)) + "\n")
				continue
			}
			grand = grand.Add(wq.quote.Total)
			mark := ""
			if !wq.quote.Bookable {
				mark = " ✗"
			} else if wq.quote.Emergency || hasHoliday(wq.quote) {
				mark = " !"
			}
			b.WriteString(fit(wq.label+mark, w-amountW) + right(pricing.FormatMoney(wq.quote.Total), amountW) + "\n")
		}
		b.WriteString(st.Total.Render(fit("Grand total", w-amountW)+right(pricing.FormatMoney(grand), amountW)) + "\n")
	}
	return b.String()
}

func hasHoliday(q *pricing.Quote) bool {
	for _, l := range q.Lines {
		if strings.Contains(l.Basis, pricing.BasisHoliday) {
			return true
		}
	}
	return false
}

// wrap folds plain text to w cells.
func wrap(s string, w int) string {
	return lipgloss.NewStyle().Width(max(w, 1)).Render(s)
}

// wrapPrefixed folds text to w cells with a hanging prefix.
func wrapPrefixed(prefix, s string, w int) string {
	pw := lipgloss.Width(prefix)
	body := wrap(s, max(w-pw, 1))
	lines := strings.Split(body, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", pw) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
