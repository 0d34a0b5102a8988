package ui

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
	"offduty/ui/export"
)

// tabReports is the Reports tab (supervisors): the office's numbers over a
// period, one report at a time.
const tabReports = 300

func init() {
	tabShort["Reports"] = "Rep"
}

// reportTitles are the reports as the tab names them, in store.ReportNames' order.
var reportTitles = []string{"Revenue", "Receivables", "Fill", "Fairness", "Compliance"}

// reportsModel is the Reports tab: one report (1-5 or ←/→) over a period
// (a month by default; [ ] the previous or next, p a range typed), for all
// agencies or one (a); its totals, a chart (c the next one), then its
// lists, scrolled with ↑/↓. x exports it (over SSH: the commands that bring
// the PDF or CSV to the user's machine).
type reportsModel struct {
	c    *Common
	keys reportKeys

	kind     int       // index in store.ReportNames
	from, to time.Time // civil dates, to exclusive
	agency   string    // slug; "" all
	slugs    []string  // the agencies, for a (loaded with the first report)

	doc      *export.Doc
	data     any // the store's report the doc lays out
	loading  bool
	seq      int // the latest load: older answers are dropped
	took     time.Duration
	loadedAt time.Time
	viewedAt time.Time
	err      string

	chart  int // which of the doc's charts
	scroll int // the first list line shown
	rows   int // list lines shown by the last frame
	prompt *prompt
}

type reportKeys struct {
	Pick, Prev, Next, Period, Range, Agency, Chart, Scroll, Page, Ends, Export, Reload key.Binding
}

func newReports(c *Common) *reportsModel {
	m := &reportsModel{c: c, keys: reportKeys{
		Pick:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "report")),
		Prev:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "report")),
		Next:   key.NewBinding(key.WithKeys("right", "l")),
		Period: key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "period")),
		Range:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "range")),
		Agency: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "agency")),
		Chart:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "chart")),
		Scroll: key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "scroll")),
		Page:   key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page")),
		Ends:   key.NewBinding(key.WithKeys("home", "end", "g", "G"), key.WithHelp("g/G", "top/end")),
		Export: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Reload: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
	}}
	m.thisMonth()
	return m
}

// thisMonth is the period holding today.
func (m *reportsModel) thisMonth() {
	t := m.c.today()
	m.from = time.Date(t.Year, t.Month, 1, 0, 0, 0, 0, time.UTC)
	m.to = m.from.AddDate(0, 1, 0)
}

// whole reports whether the period is whole calendar months.
func (m *reportsModel) whole() (months int, ok bool) {
	if m.from.Day() != 1 || m.to.Day() != 1 {
		return 0, false
	}
	return (m.to.Year()-m.from.Year())*12 + int(m.to.Month()-m.from.Month()), true
}

// step moves the period by its own length: a month (or n months) at a
// time, else by its days.
func (m *reportsModel) step(d int) {
	if n, ok := m.whole(); ok {
		m.from, m.to = m.from.AddDate(0, d*n, 0), m.to.AddDate(0, d*n, 0)
		return
	}
	days := int(m.to.Sub(m.from).Hours() / 24)
	m.from, m.to = m.from.AddDate(0, 0, d*days), m.to.AddDate(0, 0, d*days)
}

// asOf is the receivables' date: today, or the period's last day when it
// has ended.
func (m *reportsModel) asOf() time.Time {
	t := m.c.today()
	today := time.Date(t.Year, t.Month, t.Day, 0, 0, 0, 0, time.UTC)
	if last := m.to.AddDate(0, 0, -1); last.Before(today) {
		return last
	}
	return today
}

func (m *reportsModel) filter() store.ReportFilter {
	f := store.ReportFilter{From: m.from, To: m.to, Agency: m.agency}
	if store.ReportNames[m.kind] == "receivables" {
		f.AsOf = m.asOf()
	}
	return f
}

// reportMsg is a report computed.
type reportMsg struct {
	seq   int
	data  any
	doc   export.Doc
	slugs []string
	took  time.Duration
	err   error
}

func (m *reportsModel) load() tea.Cmd {
	m.seq++
	m.loading, m.err = true, ""
	seq, st, actor, name, f := m.seq, m.c.Store, m.c.Actor, store.ReportNames[m.kind], m.filter()
	needSlugs := m.slugs == nil
	return func() tea.Msg {
		ctx := context.Background()
		began := time.Now()
		data, err := st.Report(ctx, actor, name, f)
		if err != nil {
			return reportMsg{seq: seq, err: err}
		}
		doc, err := export.ReportDoc(data)
		msg := reportMsg{seq: seq, data: data, doc: doc, took: time.Since(began), err: err}
		if needSlugs {
			if as, err := st.Agencies(ctx); err == nil {
				for _, a := range as {
					msg.slugs = append(msg.slugs, a.Slug)
				}
			}
		}
		return msg
	}
}

// autoload is the tab's part of a refresh: the first load, then, when the
// database changes, a new one at most every 30 s and only while the tab is
// on screen (a report over a long history is not free).
func (m *reportsModel) autoload() tea.Cmd {
	now := time.Now()
	switch {
	case m.doc == nil && !m.loading && m.err == "":
		return m.load()
	case m.loading || now.Sub(m.viewedAt) > 2*time.Second || now.Sub(m.loadedAt) < 30*time.Second:
		return nil
	}
	return m.load()
}

func (m *reportsModel) capturing() bool { return m.prompt != nil }

func (m *reportsModel) ShortHelp() []key.Binding {
	if m.prompt != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	return []key.Binding{m.keys.Pick, m.keys.Period, m.keys.Range, m.keys.Agency, m.keys.Export, m.keys.Scroll}
}

func (m *reportsModel) FullHelp() [][]key.Binding {
	today := key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "this month"))
	return [][]key.Binding{{m.keys.Pick, m.keys.Prev, m.keys.Chart}, {m.keys.Period, today, m.keys.Range, m.keys.Agency},
		{m.keys.Scroll, m.keys.Page, m.keys.Ends}, {m.keys.Export, m.keys.Reload}}
}

func (m *reportsModel) Update(msg tea.Msg) tea.Cmd {
	if rm, ok := msg.(reportMsg); ok {
		if rm.seq != m.seq {
			return nil // an older period or report: a newer one is on its way
		}
		m.loading, m.loadedAt = false, time.Now()
		if rm.slugs != nil {
			m.slugs = rm.slugs
		}
		if rm.err != nil {
			m.err = rm.err.Error()
			return nil
		}
		doc := rm.doc
		m.doc, m.data, m.took, m.err = &doc, rm.data, rm.took, ""
		m.chart = min(m.chart, max(len(doc.Charts)-1, 0))
		return nil
	}
	if m.prompt != nil {
		p := m.prompt
		done, cmd := p.update(msg)
		if done && m.prompt == p {
			m.prompt = nil
		}
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	m.err = ""
	page := max(m.rows-1, 1)
	switch s := km.String(); {
	case s >= "1" && s <= "5" && len(s) == 1:
		return m.pick(int(s[0] - '1'))
	case s == "left" || s == "h":
		return m.pick((m.kind + len(store.ReportNames) - 1) % len(store.ReportNames))
	case s == "right" || s == "l":
		return m.pick((m.kind + 1) % len(store.ReportNames))
	case s == "[" || s == "]":
		if s == "[" {
			m.step(-1)
		} else {
			m.step(1)
		}
		m.scroll = 0
		return m.load()
	case s == "t":
		m.thisMonth()
		m.scroll = 0
		return m.load()
	case s == "p":
		return m.rangePrompt()
	case s == "a":
		m.nextAgency()
		m.scroll = 0
		return m.load()
	case s == "c":
		if m.doc != nil && len(m.doc.Charts) > 0 {
			m.chart = (m.chart + 1) % len(m.doc.Charts)
		}
	case s == "r":
		return m.load()
	case s == "up" || s == "k":
		m.scroll = max(m.scroll-1, 0)
	case s == "down" || s == "j":
		m.scroll++
	case s == "pgup":
		m.scroll = max(m.scroll-page, 0)
	case s == "pgdown" || s == "space":
		m.scroll += page
	case s == "home" || s == "g":
		m.scroll = 0
	case s == "end" || s == "G":
		m.scroll = math.MaxInt32
	case s == "x":
		return m.export()
	}
	return nil
}

func (m *reportsModel) pick(kind int) tea.Cmd {
	if kind == m.kind && m.doc != nil {
		return nil
	}
	m.kind, m.chart, m.scroll = kind, 0, 0
	return m.load()
}

func (m *reportsModel) nextAgency() {
	opts := append([]string{""}, m.slugs...)
	for i, s := range opts {
		if s == m.agency {
			m.agency = opts[(i+1)%len(opts)]
			return
		}
	}
	m.agency = ""
}

// rangePrompt asks for a period: a month (2026-10, oct), a year (2025), or
// two dates, the first and the last day (2026-10-01 to 2026-12-31).
func (m *reportsModel) rangePrompt() tea.Cmd {
	def := m.from.Format("2006-01-02") + " to " + m.to.AddDate(0, 0, -1).Format("2006-01-02")
	if n, ok := m.whole(); ok && n == 1 {
		def = m.from.Format("2006-01")
	}
	today := m.c.today()
	m.prompt = newPrompt("Period", def, "a month (2026-10), a year (2025), or the first and last day: 2026-10-01 to 2026-12-31",
		func(v string) (string, error) {
			from, to, err := parsePeriod(v, today)
			if err != nil {
				return "", err
			}
			return export.PeriodLabel(from, to), nil
		},
		func(v string) tea.Cmd {
			m.from, m.to, _ = parsePeriod(v, today)
			m.scroll = 0
			return m.load()
		})
	return m.prompt.focus()
}

// parsePeriod reads a period as typed: "2026-10" or "oct 2026" (a month),
// "2025" (a year), or two days "2026-10-01 to 2026-12-31" (also "..", " - "),
// the last one included. It returns the days [from, to).
func parsePeriod(s string, today Date) (time.Time, time.Time, error) {
	in := strings.TrimSpace(strings.ToLower(s))
	if in == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("a month, a year or two dates")
	}
	if t, err := time.Parse("2006", in); err == nil {
		return t, t.AddDate(1, 0, 0), checkSpan(t, t.AddDate(1, 0, 0))
	}
	for _, layout := range []string{"2006-01", "2006-1", "01/2006", "1/2006"} {
		if t, err := time.Parse(layout, in); err == nil {
			return t, t.AddDate(0, 1, 0), checkSpan(t, t.AddDate(0, 1, 0))
		}
	}
	if f := strings.Fields(in); len(f) == 2 { // "oct 2026", "october 2026"
		if mo, ok := months[f[0]]; ok {
			if y, err := time.Parse("2006", f[1]); err == nil {
				t := time.Date(y.Year(), mo, 1, 0, 0, 0, 0, time.UTC)
				return t, t.AddDate(0, 1, 0), checkSpan(t, t.AddDate(0, 1, 0))
			}
		}
	}
	if mo, ok := months[in]; ok { // a month alone: the latest one begun by today
		y := today.Year
		if mo > today.Month {
			y--
		}
		t := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
		return t, t.AddDate(0, 1, 0), nil
	}
	var parts []string
	for _, sep := range []string{" to ", "..", " - ", " until "} {
		if a, b, ok := strings.Cut(in, sep); ok {
			parts = []string{a, b}
			break
		}
	}
	if parts == nil {
		d, err := ParseDatePast(in, today)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%v: a month (2026-10), a year (2025) or two dates (2026-10-01 to 2026-12-31)", err)
		}
		t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		return t, t.AddDate(0, 0, 1), nil
	}
	a, err := ParseDatePast(parts[0], today)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("first day: %v", err)
	}
	b, err := ParseDatePast(parts[1], today)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("last day: %v", err)
	}
	from := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	to := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	return from, to, checkSpan(from, to)
}

func checkSpan(from, to time.Time) error {
	switch {
	case !from.Before(to):
		return fmt.Errorf("the last day is before the first")
	case from.Year() < store.MinYear || to.Year() > store.MaxYear+1:
		return fmt.Errorf("dates run from %d to %d", store.MinYear, store.MaxYear)
	case to.Sub(from).Hours()/24 > store.MaxReportDays:
		return fmt.Errorf("a report covers at most ten years")
	}
	return nil
}

// export is x: over SSH the commands to run from the user's machine; here a
// file name (.pdf or .csv).
func (m *reportsModel) export() tea.Cmd {
	if m.doc == nil || m.data == nil {
		m.err = "nothing to export yet"
		return nil
	}
	if m.c.Remote {
		return showHint(reportHint(m.c, store.ReportNames[m.kind], m.filter(), m.doc))
	}
	data, doc := m.data, *m.doc
	sc := reportScope(data)
	def := export.ReportFileName(doc.Name, sc, "pdf")
	m.prompt = newPrompt("Export to", def, "a .pdf (summary page, chart, lists) or .csv (its lists, plain numbers) file",
		func(v string) (string, error) {
			p, ext, err := exportPath(v)
			if err != nil {
				return "", err
			}
			return strings.ToUpper(ext[1:]) + " → " + p, nil
		},
		func(v string) tea.Cmd {
			p, ext, _ := exportPath(v)
			stamp, st := m.c.Now(), m.c.Store
			return func() tea.Msg {
				office, err := st.Office(context.Background())
				if err != nil {
					return exportedMsg{err: err}
				}
				err = export.WriteFile(p, 0o600, func(w io.Writer) error {
					if ext == ".csv" {
						return export.ReportCSV(w, data)
					}
					return export.ReportPDF(w, doc, office, stamp)
				})
				return exportedMsg{what: fmt.Sprintf("Exported the %s report (%s) to %s", strings.ToLower(doc.Title), doc.Period, p), err: err}
			}
		})
	return m.prompt.focus()
}

// reportScope is the scope a store report was made for.
func reportScope(data any) store.ReportScope {
	switch r := data.(type) {
	case store.RevenueReport:
		return r.Scope
	case store.ReceivablesReport:
		return r.Scope
	case store.FillReport:
		return r.Scope
	case store.FairnessReport:
		return r.Scope
	case store.ComplianceReport:
		return r.Scope
	}
	return store.ReportScope{}
}

// reportHint is x on the Reports tab over SSH: the report as a PDF or a CSV.
func reportHint(c *Common, name string, f store.ReportFilter, doc *export.Doc) *remoteHint {
	args := []string{"report", name, "--from", f.From.Format("2006-01-02"), "--to", f.To.Format("2006-01-02")}
	if f.Agency != "" {
		args = append(args, "--agency", shellQuote(f.Agency))
	}
	if !f.AsOf.IsZero() {
		args = append(args, "--as-of", f.AsOf.Format("2006-01-02"))
	}
	sc := store.ReportScope{From: f.From, To: f.To, AsOf: f.AsOf}
	if f.Agency != "" {
		sc.Agency = &store.Agency{Slug: f.Agency}
	}
	cmd := func(format string) string {
		flag := []string{"--format", "pdf"}
		if format == "csv" {
			flag = []string{"--csv"}
		}
		return c.sshCommand(append(append(append([]string{}, args...), flag...), ">", shellQuote(export.ReportFileName(name, sc, format)))...)
	}
	return &remoteHint{
		title: "Export the " + strings.ToLower(doc.Title) + " report, " + doc.Period,
		intro: remoteIntro + "Run one of these on your own computer: the file lands in the folder you run it from.",
		cmds: []hintCmd{
			{label: "PDF: a summary page with the chart, then the lists:", line: cmd("pdf")},
			{label: "CSV: the lists, one row per line, plain numbers:", line: cmd("csv")},
		},
		outro: "--to is the day after the period's last (the period is the days from --from up to --to).",
	}
}

// ---- drawing ----

func (m *reportsModel) View(height int) string {
	m.viewedAt = time.Now()
	st := m.c.Styles
	w := m.c.Width
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.err != "":
		bottom = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	}
	h := max(height-len(bottom), 1)
	out := []string{m.selector(w), m.periodLine(w)}
	if m.doc == nil {
		msg := "loading the report…"
		if !m.loading {
			msg = "no report loaded: r loads it"
		}
		out = append(out, "", st.Muted.Render(msg))
	} else {
		out = append(out, m.body(h-len(out))...)
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(append(out[:h], bottom...), "\n")
}

// selector is the line of reports, the chosen one marked.
func (m *reportsModel) selector(w int) string {
	st := m.c.Styles
	names := reportTitles
	if w < 76 {
		names = []string{"Rev", "Recv", "Fill", "Fair", "Comp"}
	}
	var b strings.Builder
	for i, n := range names {
		label := fmt.Sprintf("%d %s", i+1, n)
		switch {
		case i == m.kind && st.Plain:
			b.WriteString("[" + st.ActiveTab.Render(label) + "]")
		case i == m.kind:
			b.WriteString(" " + st.ActiveTab.Render(label) + " ")
		default:
			b.WriteString(" " + st.Tab.Render(label) + " ")
		}
	}
	return fit(b.String(), w)
}

// periodLine says what is shown: the period, the agency, how long it took.
func (m *reportsModel) periodLine(w int) string {
	st := m.c.Styles
	period := export.PeriodLabel(m.from, m.to)
	if store.ReportNames[m.kind] == "receivables" {
		period = "as of " + m.asOf().Format("Mon 2 Jan 2006")
	}
	scope := "all agencies"
	if m.agency != "" {
		scope = m.agency
	}
	left := st.Bold.Render(period) + st.Muted.Render(" · "+scope)
	status := ""
	switch {
	case m.loading:
		status = "loading…"
	case m.doc != nil:
		status = fmt.Sprintf("%.2f s", m.took.Seconds())
	}
	return fit(left, max(w-width(status)-1, 0)) + " " + st.Muted.Render(status)
}

// body is the totals, the chart and the scrolled lists, in height lines.
func (m *reportsModel) body(height int) []string {
	st := m.c.Styles
	w := m.c.Width
	d := m.doc
	totals := m.totalLines(w, min(3, max(height/5, 2)))
	listMin := min(6, max(height-len(totals)-3, 2))
	chartRoom := height - len(totals) - listMin - 1
	want := max(height/3, 4) // columns; a few bars take a line each
	if c := m.current(); c != nil && len(c.Bars) <= 8 {
		want = len(c.Bars) + 1
	}
	chart := m.chartLines(w, min(chartRoom, want))
	var out []string
	out = append(out, totals...)
	if len(chart) > 0 {
		out = append(out, chart...)
	}
	lines, marks := m.listLines(d, w)
	room := max(height-len(out), 1)
	maxScroll := max(len(lines)-room, 0)
	m.scroll = min(m.scroll, maxScroll)
	m.rows = room
	shown := lines[m.scroll:min(len(lines), m.scroll+room)]
	for i, l := range shown {
		switch marks[m.scroll+i] {
		case markTitle:
			l = st.Title.Render(truncate(l, w))
		case markHead:
			l = st.Header.Render(fit(l, w))
		case markAlert:
			l = st.Refused.Render(fit(l, w))
		case markMuted:
			l = st.Muted.Render(fit(l, w))
		default:
			l = fit(l, w)
		}
		out = append(out, l)
	}
	if len(lines) > room && len(out) > 0 { // where the list is: on its last line shown
		pos := st.Muted.Render(fmt.Sprintf(" %d-%d of %d ", m.scroll+1, m.scroll+len(shown), len(lines)))
		last := len(out) - 1
		out[last] = fit(out[last], max(w-width(pos), 0)) + pos
	}
	return out
}

// totalLines lays the totals out as "Label value" pairs, as many on a line
// as fit, in at most n lines (the rest cut with an ellipsis).
func (m *reportsModel) totalLines(w, n int) []string {
	st := m.c.Styles
	var lines []string
	cur, curW := "", 0
	for _, f := range m.doc.Totals {
		val := safe(f.Value)
		p := st.Label.Render(safe(f.Label)+" ") + st.Bold.Render(val)
		if f.Alert {
			p = st.Label.Render(safe(f.Label)+" ") + st.Refused.Render(val)
		}
		pw := width(safe(f.Label)) + 1 + width(val)
		if curW > 0 && curW+3+pw > w {
			lines = append(lines, cur)
			cur, curW = "", 0
		}
		if curW > 0 {
			cur += st.Muted.Render(" · ")
			curW += 3
		}
		cur += p
		curW += pw
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n { // the rest is cut: an ellipsis says so
		lines = lines[:n]
		lines[n-1] = truncate(lines[n-1]+" …", w)
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return lines
}

// current is the chart shown (nil when the report has none).
func (m *reportsModel) current() *export.Chart {
	if m.doc == nil || len(m.doc.Charts) == 0 {
		return nil
	}
	return &m.doc.Charts[min(m.chart, len(m.doc.Charts)-1)]
}

// chartLines draws the current chart in at most n lines: one bar a line
// when that fits, else columns of block characters over their labels.
func (m *reportsModel) chartLines(w, n int) []string {
	st := m.c.Styles
	d := m.doc
	if m.current() == nil || n < 3 {
		return nil
	}
	c := *m.current()
	title := safe(c.Title)
	if c.Solid != "" {
		title += st.Muted.Render("  █ " + c.Solid + " ░ " + c.Light)
	}
	if len(d.Charts) > 1 {
		title += st.Muted.Render(fmt.Sprintf("  (c: chart %d of %d)", m.chart+1, len(d.Charts)))
	}
	out := []string{st.Label.Render(fit(title, w))}
	if len(c.Bars) <= n-1 {
		safeBars := c
		safeBars.Bars = nil
		for _, b := range c.Bars {
			b.Label, b.Text = safe(b.Label), safe(b.Text)
			safeBars.Bars = append(safeBars.Bars, b)
		}
		for _, l := range export.HBars(safeBars, w-1) {
			out = append(out, " "+fit(l, w-1))
		}
		return out
	}
	return append(out, columns(c, w, n-1)...)
}

// columns draws bars as columns h-1 lines high (block characters to the
// eighth of a line), with a line of labels under them.
func columns(c export.Chart, w, h int) []string {
	rows := max(h-1, 1)
	n := len(c.Bars)
	axis := 0
	for _, b := range c.Bars {
		axis = max(axis, width(b.Text))
	}
	axis = min(axis, 12)
	colW := max(min((w-axis-2)/max(n, 1), 8), 1)
	gap := 0
	if colW >= 3 {
		gap = 1
	}
	blocks := []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	out := make([]string, rows+1)
	top := ""
	for _, b := range c.Bars { // the largest figure heads the axis
		if b.Value >= 1-1e-9 {
			top = b.Text
		}
	}
	for r := 0; r < rows; r++ {
		var line strings.Builder
		lead := strings.Repeat(" ", axis)
		if r == 0 {
			lead = right(truncate(top, axis), axis)
		}
		line.WriteString(lead + " ")
		for _, b := range c.Bars {
			level := (rows - 1 - r) * 8 // eighths below this row
			v := int(math.Round(math.Max(0, math.Min(1, b.Value)) * float64(rows*8)))
			if b.Value > 0 && v == 0 {
				v = 1
			}
			cell := v - level
			ch := " "
			switch {
			case cell >= 8:
				ch = "█"
			case cell > 0:
				ch = blocks[cell]
			}
			// the unfilled part of a two-part bar is shaded
			if b.Part >= 0 && b.Part < b.Value && ch != " " {
				p := int(math.Round(b.Part * float64(rows*8)))
				if p <= level {
					ch = "░"
				}
			}
			line.WriteString(strings.Repeat(ch, colW-gap) + strings.Repeat(" ", gap))
		}
		out[r] = fit(line.String(), w)
	}
	var labels strings.Builder
	labels.WriteString(strings.Repeat(" ", axis+1))
	every := 1
	for every*colW < 3 {
		every++
	}
	for i, b := range c.Bars {
		l := ""
		if i%every == 0 {
			l = safe(b.Label)
		}
		span := colW * every
		if i%every == 0 {
			labels.WriteString(fit(l, min(span, colW*(n-i))))
		}
	}
	out[rows] = fit(labels.String(), w)
	return out
}

const (
	markRow = iota
	markTitle
	markHead
	markAlert
	markMuted
)

// listLines lays the doc's lists out in w cells: for each, a blank line,
// its title, the column heads, the rows; the notes last.
func (m *reportsModel) listLines(d *export.Doc, w int) ([]string, []int) {
	var lines []string
	var marks []int
	add := func(s string, mark int) {
		lines = append(lines, s)
		marks = append(marks, mark)
	}
	for ti, t := range d.Tables {
		if ti > 0 {
			add("", markRow)
		}
		add(safe(t.Title), markTitle)
		if len(t.Rows) == 0 {
			add(" "+safe(t.Empty), markMuted)
			continue
		}
		widths := tableWidths(t, w-1)
		row := func(cells []string) string {
			var b strings.Builder
			for i, c := range t.Columns {
				if widths[i] == 0 {
					continue
				}
				v := safe(cells[i])
				if c.Right {
					b.WriteString(" " + right(truncate(v, widths[i]), widths[i]))
				} else {
					b.WriteString(" " + fit(v, widths[i]))
				}
			}
			return b.String()
		}
		names := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			names[i] = c.Name
		}
		add(row(names), markHead)
		for k, r := range t.Rows {
			mark := markRow
			if k < len(t.Marks) && t.Marks[k] {
				mark = markAlert
			}
			add(row(r), mark)
		}
	}
	if len(d.Notes) > 0 {
		add("", markRow)
		for _, n := range d.Notes {
			for _, l := range strings.Split(wrap(safe(n), max(w-1, 10)), "\n") {
				add(" "+strings.TrimRight(l, " "), markMuted)
			}
		}
	}
	return lines, marks
}

// tableWidths sizes a list's columns for w cells (one space before each):
// what their widest cell needs; when that is too wide, the free-text
// columns give way first (to 6 cells), then the rightmost columns are
// dropped (never a number cut in the middle).
func tableWidths(t export.Table, w int) []int {
	need := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		need[i] = width(c.Name)
	}
	for _, r := range t.Rows {
		for i := range t.Columns {
			need[i] = max(need[i], width(safe(r[i])))
		}
	}
	for i, c := range t.Columns {
		if c.Wide {
			need[i] = min(need[i], 40)
		}
	}
	total := func() int {
		n := 0
		for _, x := range need {
			if x > 0 {
				n += x + 1
			}
		}
		return n
	}
	for total() > w {
		// the widest free-text column above 6 cells gives a cell
		wi := -1
		for i, c := range t.Columns {
			if c.Wide && need[i] > 6 && (wi < 0 || need[i] > need[wi]) {
				wi = i
			}
		}
		if wi >= 0 {
			need[wi]--
			continue
		}
		// then the last column still shown goes
		for i := len(need) - 1; i > 0; i-- {
			if need[i] > 0 {
				need[i] = 0
				break
			}
		}
		if need[1] == 0 && total() > w { // one column left: it is cut to fit
			need[0] = max(w-1, 1)
			break
		}
	}
	return need
}
