package ui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// weekQuote is one date of a weekly series with its quote.
type weekQuote struct {
	label string // "Tue 08 Dec"
	quote *pricing.Quote
	err   string
}

// quoteCols are the quote pane's figure columns, sized from what they show:
// the widest hours, rate and amount. Figures are never cut; the label column
// takes what is left and wraps when it is too narrow.
type quoteCols struct {
	hours, rate, amount int
}

func newQuoteCols(q *pricing.Quote, weeks []weekQuote) quoteCols {
	var c quoteCols
	amount := func(s string) { c.amount = max(c.amount, width(s)) }
	for _, l := range q.Lines {
		c.hours = max(c.hours, width(lineHours(l)))
		c.rate = max(c.rate, width(lineRate(l)))
		amount(pricing.FormatMoney(l.Amount))
	}
	amount(pricing.FormatMoney(q.Total))
	amount(pricing.FormatMoney(q.OfficerPay))
	amount(pricing.FormatMoney(q.AdminFee))
	if len(weeks) > 1 {
		grand := decimal.Zero
		for _, wq := range weeks {
			if wq.quote != nil {
				amount(pricing.FormatMoney(wq.quote.Total))
				grand = grand.Add(wq.quote.Total)
			}
		}
		amount(pricing.FormatMoney(grand))
	}
	return c
}

func lineHours(l pricing.Line) string { return pricing.FormatMinutes(l.Minutes) + " h" }
func lineRate(l pricing.Line) string  { return l.Rate.Total.StringFixed(2) }

// lineLabel is "40 officer", "12 officer emergency", "1 supervisor holiday".
func lineLabel(l pricing.Line) string {
	label := fmt.Sprintf("%d %s", l.Count, l.Class)
	if l.Basis != pricing.BasisRegular && l.Basis != string(l.Class) {
		label += " " + strings.ReplaceAll(safe(l.Basis), "+", " + ")
	}
	return label
}

// figures lays out a quote line's hours, rate and amount in their columns,
// as one row of the given width or, when the pane is narrower than the
// three, as several right-aligned rows: never cut.
func (c quoteCols) figures(l pricing.Line, w int) []string {
	parts := []string{right(lineHours(l), c.hours), right(lineRate(l), c.rate), right(pricing.FormatMoney(l.Amount), c.amount)}
	var out []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case width(cur)+1+width(p) <= w:
			cur += " " + p
		default:
			out = append(out, right(cur, w))
			cur = strings.TrimLeft(p, " ")
		}
	}
	return append(out, right(cur, w))
}

func (c quoteCols) figuresWidth() int { return c.hours + c.rate + c.amount + 2 }

// minLabel is the narrowest label column kept beside the figures; below it a
// line's label goes on its own row above them.
const minLabel = 8

// lineRows draws one quote line: the label (wrapped, never losing the
// count) and the figures, which are never cut. The rate's basis ("holiday",
// "emergency") is dropped from a label that does not fit unless keepBasis
// (another line of the same class needs it to be told apart): the rate
// column and the warnings say it too.
func (c quoteCols) lineRows(l pricing.Line, w int, keepBasis bool) []string {
	label := lineLabel(l)
	lw := w - c.figuresWidth() - 1
	if !keepBasis && width(label) > max(lw, minLabel) {
		label = fmt.Sprintf("%d %s", l.Count, l.Class)
	}
	if lw < minLabel {
		out := wrapWords(label, w, 2)
		return append(out, c.figures(l, w)...)
	}
	words := wrapWords(label, lw, 2)
	first := fit(words[0], lw) + " " + c.figures(l, c.figuresWidth())[0]
	out := []string{first}
	if len(words) > 1 { // the rest of the label continues under it
		out = append(out, wrapWords("  "+strings.TrimSpace(strings.Join(words[1:], " ")), w, 2)...)
	}
	return out
}

// amountRows draws a label with an amount right-aligned at the pane's edge;
// when both do not fit on one row the label wraps and the amount stays whole.
func amountRows(label, amount string, aw, w int) []string {
	aw = max(aw, width(amount))
	lw := w - aw - 1
	if width(label) <= lw {
		return []string{fit(label, lw) + " " + right(amount, aw)}
	}
	if lw >= minLabel {
		ls := wrapWords(label, lw, 2)
		return append([]string{fit(ls[0], lw) + " " + right(amount, aw)}, ls[1:]...)
	}
	return append(wrapWords(label, w, 2), right(amount, w))
}

// wrapWords folds plain text into rows of at most w cells at spaces; a
// continuation row is indented by indent. A word longer than a row is left
// whole (a figure is never split); the caller gives enough room.
func wrapWords(s string, w, indent int) []string {
	w = max(w, 1)
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case width(cur)+1+width(word) <= w:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = strings.Repeat(" ", min(indent, max(w-width(word), 0))) + word
		}
	}
	if strings.HasPrefix(s, " ") && len(out) == 0 && cur != "" { // a caller's own indent on the first row
		cur = s[:len(s)-len(strings.TrimLeft(s, " "))] + cur
	}
	return append(out, cur)
}

// quotePaneMax is the widest the quote's lines are drawn: on a wide window
// the figures stay near their labels instead of at the far edge.
const quotePaneMax = 64

// renderQuote draws the live quote pane, at most w cells wide and, when it
// can, h rows (h <= 0: no limit): lines, total, warnings, refusals and, for
// a weekly series, the series total first, then each date's total with its
// marks explained, then the first date's lines. Figures are never cut: the
// labels shrink or wrap instead. Everything colour says is also in the text
// ("!", "✗ REFUSED", "(not bookable)").
func renderQuote(st Styles, agency string, q *pricing.Quote, missing []string, weeks []weekQuote, w, h int) string {
	w = max(w, 1)
	title := st.Title.Render("Quote")
	if agency != "" && w > 8 {
		title += "  " + st.Bold.Render(truncate(agency, w-7))
	}
	if q == nil {
		rows := []string{title, ""}
		if len(missing) > 0 {
			for _, l := range wrapWords("waiting for: "+strings.Join(missing, ", "), w, 2) {
				rows = append(rows, st.Muted.Render(l))
			}
		}
		return strings.Join(rows, "\n")
	}
	cols := newQuoteCols(q, weeks)
	longest := 0
	classes := map[pricing.Class]int{}
	for _, l := range q.Lines {
		longest = max(longest, width(lineLabel(l)))
		classes[l.Class]++
	}
	w = min(w, max(quotePaneMax, longest+1+cols.figuresWidth()))

	draw := func(tight bool) []string {
		var rows []string
		add := func(p Paint, lines ...string) {
			for _, l := range lines {
				rows = append(rows, p.Render(l))
			}
		}
		rows = append(rows, title, "")
		series := len(weeks) > 1
		if series {
			rows = append(rows, renderSeries(st, weeks, cols, w, tight)...)
			if !tight {
				rows = append(rows, "")
			}
			rows = append(rows, st.Bold.Render(truncate("First date, "+weeks[0].label+":", w)))
		}
		for _, l := range q.Lines {
			rows = append(rows, cols.lineRows(l, w, classes[l.Class] > 1)...)
		}
		rows = append(rows, st.Rule.Render(strings.Repeat("─", w)))
		totalLabel, totalStyle := "Total", st.Total
		if series {
			totalLabel, totalStyle = "Date total", st.Bold
		}
		if !q.Bookable {
			totalLabel, totalStyle = totalLabel+" (not bookable)", st.Refused
		}
		add(totalStyle, amountRows(totalLabel, pricing.FormatMoney(q.Total), cols.amount, w)...)
		pay, admin := pricing.FormatMoney(q.OfficerPay), pricing.FormatMoney(q.AdminFee)
		if s := "officer pay " + pay + "  admin " + admin; width(s) <= w {
			add(st.Muted, s)
		} else if !tight {
			add(st.Muted, amountRows("officer pay", pay, cols.amount, w)...)
			add(st.Muted, amountRows("admin fee", admin, cols.amount, w)...)
		}
		if len(q.Warnings)+len(q.Refusals) > 0 && !tight {
			rows = append(rows, "")
		}
		for _, r := range q.Refusals {
			add(st.Refused, paneWrap("✗ ", "REFUSED "+safe(r.Message), w)...)
		}
		for _, wn := range q.Warnings {
			prefix := "! "
			if strings.HasPrefix(wn, "supervisor added") {
				prefix = "+ "
			}
			add(st.Warn, paneWrap(prefix, safe(wn), w)...)
		}
		return rows
	}
	rows := draw(false)
	if h > 0 && len(rows) > h {
		rows = draw(true) // too tall: no blank rows, pay and admin only on one row, runs of dates folded
	}
	return strings.Join(rows, "\n")
}

// unitRE finds a number and its unit ("4 h", "45 min"), kept on one row.
var unitRE = regexp.MustCompile(`(\d) (h|min)\b`)

// paneWrap folds a warning or refusal under its prefix, never parting a
// number from its unit.
func paneWrap(prefix, s string, w int) []string {
	s = unitRE.ReplaceAllString(s, "$1\u00a0$2")
	out := strings.Split(wrapPrefixed(prefix, s, w), "\n")
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], "\u00a0", " ")
	}
	return out
}

// seriesMark is what a date of a series is marked with, and why.
func seriesMark(q *pricing.Quote) string {
	if !q.Bookable {
		return "✗ refused"
	}
	var why []string
	if hasHoliday(q) {
		why = append(why, pricing.BasisHoliday)
	}
	if q.Emergency {
		why = append(why, pricing.BasisEmergency)
	}
	if len(why) == 0 {
		return ""
	}
	return "! " + strings.Join(why, ", ")
}

// renderSeries is the head of a weekly series: its total over every date
// (the figure to read back), each date's total, and a legend for the marks.
// compact folds runs of unmarked dates at the same total into one row.
func renderSeries(st Styles, weeks []weekQuote, cols quoteCols, w int, compact bool) []string {
	var rows []string
	grand := decimal.Zero
	refused, failed := 0, 0
	for _, wq := range weeks {
		switch {
		case wq.quote == nil:
			failed++
		case !wq.quote.Bookable:
			refused++
			grand = grand.Add(wq.quote.Total)
		default:
			grand = grand.Add(wq.quote.Total)
		}
	}
	head := fmt.Sprintf("Series total, %d dates", len(weeks))
	style := st.Total
	if refused+failed > 0 {
		style = st.Refused
	}
	for _, l := range amountRows(head, pricing.FormatMoney(grand), cols.amount, w) {
		rows = append(rows, style.Render(l))
	}
	if refused+failed > 0 {
		for _, l := range wrapWords(fmt.Sprintf("%d of %d dates not bookable (✗)", refused+failed, len(weeks)), w, 2) {
			rows = append(rows, st.Refused.Render(l))
		}
	}
	rows = append(rows, st.Rule.Render(strings.Repeat("─", w)))
	var bang, cross bool
	for i := 0; i < len(weeks); i++ {
		wq := weeks[i]
		if wq.quote == nil {
			cross = true
			for _, l := range strings.Split(wrapPrefixed(wq.label+" ✗ ", safe(wq.err), w), "\n") {
				rows = append(rows, st.Error.Render(l))
			}
			continue
		}
		mark := seriesMark(wq.quote)
		switch {
		case strings.HasPrefix(mark, "!"):
			bang = true
		case mark != "":
			cross = true
		}
		if compact && mark == "" {
			j := i
			for j+1 < len(weeks) && weeks[j+1].quote != nil && seriesMark(weeks[j+1].quote) == "" && weeks[j+1].quote.Total.Equal(wq.quote.Total) {
				j++
			}
			if j > i {
				sum := wq.quote.Total.Mul(decimal.NewFromInt(int64(j - i + 1)))
				label := fmt.Sprintf("%s-%s: %d dates", shortDate(wq.label), shortDate(weeks[j].label), j-i+1)
				rows = append(rows, amountRows(label, pricing.FormatMoney(sum), cols.amount, w)...)
				i = j
				continue
			}
		}
		label := wq.label
		if mark != "" {
			label += "  " + mark
		}
		p := Paint{}
		switch {
		case strings.HasPrefix(mark, "✗"):
			p = st.Refused
		case mark != "":
			p = st.Warn
		}
		for _, l := range amountRows(label, pricing.FormatMoney(wq.quote.Total), cols.amount, w) {
			rows = append(rows, p.Render(l))
		}
	}
	if bang {
		rows = append(rows, st.Muted.Render(strings.Join(wrapWords("! = a higher rate applies that date", w, 2), "\n")))
	}
	if cross {
		rows = append(rows, st.Muted.Render(strings.Join(wrapWords("✗ = that date cannot be booked", w, 2), "\n")))
	}
	return splitRows(rows)
}

// splitRows makes each element one screen row.
func splitRows(rows []string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Split(r, "\n")...)
	}
	return out
}

// shortDate drops the weekday from "Tue 08 Dec".
func shortDate(label string) string {
	if len(label) > 4 && label[3] == ' ' {
		return label[4:]
	}
	return label
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
