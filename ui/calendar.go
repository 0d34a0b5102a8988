package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// calendarModel is the Calendar tab: a month grid (or a week), and a day's
// agenda; enter on a shift opens its Job screen.
type calendarModel struct {
	c    *Common
	keys calKeys
	day  time.Time // selected day, 00:00 office time

	counts  map[string]store.DayCount // by "2006-01-02"
	span    [2]time.Time              // what counts covers
	week    bool
	weekJob []store.Job // the selected week's shifts, in week view

	agenda    []store.Job // the selected day's shifts, when open
	agendaOn  bool
	agendaSel int
	err       string
}

type calKeys struct {
	Move, Month, Today, Week, Open, Back key.Binding
}

func newCalendar(c *Common) *calendarModel {
	n := c.Now().In(c.Loc)
	return &calendarModel{c: c, day: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, c.Loc), keys: calKeys{
		Move:  key.NewBinding(key.WithKeys("left", "right", "up", "down", "h", "j", "k", "l"), key.WithHelp("←↓↑→/hjkl", "day")),
		Month: key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "month")),
		Today: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "today")),
		Week:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "week/month")),
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}}
}

func (m *calendarModel) ShortHelp() []key.Binding {
	if m.agendaOn {
		return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "shift")), m.keys.Open, m.keys.Back}
	}
	return []key.Binding{m.keys.Move, m.keys.Month, m.keys.Today, m.keys.Week, m.keys.Open}
}

func (m *calendarModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Move, m.keys.Month, m.keys.Today}, {m.keys.Week, m.keys.Open, m.keys.Back}}
}

type (
	countsMsg struct {
		from, to time.Time
		counts   []store.DayCount
		err      error
	}
	dayJobsMsg struct {
		from, to time.Time
		jobs     []store.Job
		week     bool
		err      error
	}
)

// gridStart is the Sunday on or before the 1st of the selected month.
func (m *calendarModel) gridStart() time.Time {
	first := time.Date(m.day.Year(), m.day.Month(), 1, 0, 0, 0, 0, m.c.Loc)
	return first.AddDate(0, 0, -int(first.Weekday()))
}

func (m *calendarModel) weekStart() time.Time { return m.day.AddDate(0, 0, -int(m.day.Weekday())) }

// load fetches what the current view needs.
func (m *calendarModel) load() tea.Cmd {
	st, loc := m.c.Store, m.c.Loc
	if m.week {
		from := m.weekStart()
		to := from.AddDate(0, 0, 7)
		return func() tea.Msg {
			jobs, err := st.JobsWithPositions(context.Background(), m.c.Actor, from, to)
			return dayJobsMsg{from: from, to: to, jobs: jobs, week: true, err: err}
		}
	}
	from := m.gridStart()
	to := from.AddDate(0, 0, 42)
	return func() tea.Msg {
		counts, err := st.DayCounts(context.Background(), from, to, loc)
		return countsMsg{from: from, to: to, counts: counts, err: err}
	}
}

func (m *calendarModel) loadAgenda() tea.Cmd {
	st := m.c.Store
	from := m.day
	to := from.AddDate(0, 0, 1)
	return func() tea.Msg {
		jobs, err := st.JobsWithPositions(context.Background(), m.c.Actor, from, to)
		return dayJobsMsg{from: from, to: to, jobs: jobs, err: err}
	}
}

func (m *calendarModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case countsMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.counts, m.span, m.err = map[string]store.DayCount{}, [2]time.Time{msg.from, msg.to}, ""
		for _, d := range msg.counts {
			m.counts[d.Day.Format("2006-01-02")] = d
		}
		return nil
	case dayJobsMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		if msg.week {
			m.weekJob = cleanJobs(msg.jobs)
		} else if msg.from.Equal(m.day) {
			m.agenda = cleanJobs(msg.jobs)
			m.agendaSel = min(m.agendaSel, max(len(msg.jobs)-1, 0))
		}
		return nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *calendarModel) key(km tea.KeyPressMsg) tea.Cmd {
	if m.agendaOn {
		switch km.String() {
		case "esc", "backspace":
			m.agendaOn = false
		case "up", "k":
			m.agendaSel = max(m.agendaSel-1, 0)
		case "down", "j":
			m.agendaSel = min(m.agendaSel+1, max(len(m.agenda)-1, 0))
		case "enter":
			if m.agendaSel < len(m.agenda) {
				id := m.agenda[m.agendaSel].ID
				return func() tea.Msg { return openJobMsg{id: id} }
			}
		}
		return nil
	}
	old := m.day
	switch km.String() {
	case "left", "h":
		m.day = m.day.AddDate(0, 0, -1)
	case "right", "l":
		m.day = m.day.AddDate(0, 0, 1)
	case "up", "k":
		m.day = m.day.AddDate(0, 0, -7)
	case "down", "j":
		m.day = m.day.AddDate(0, 0, 7)
	case "[":
		m.day = m.day.AddDate(0, -1, 0)
	case "]":
		m.day = m.day.AddDate(0, 1, 0)
	case "t":
		n := m.c.Now().In(m.c.Loc)
		m.day = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, m.c.Loc)
	case "w":
		m.week = !m.week
		return m.load()
	case "enter":
		m.agendaOn, m.agendaSel, m.agenda = true, 0, nil
		return m.loadAgenda()
	default:
		return nil
	}
	m.day = time.Date(m.day.Year(), m.day.Month(), m.day.Day(), 0, 0, 0, 0, m.c.Loc)
	if m.week && !m.weekStart().Equal(time.Date(old.Year(), old.Month(), old.Day()-int(old.Weekday()), 0, 0, 0, 0, m.c.Loc)) {
		return m.load()
	}
	if !m.week && (m.day.Before(m.span[0]) || !m.day.Before(m.span[1]) || m.day.Month() != old.Month()) {
		return m.load()
	}
	return nil
}

func (m *calendarModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if m.err != "" {
		return st.Error.Render(truncate("✗ "+safe(m.err), w))
	}
	if m.agendaOn {
		return m.agendaView(height)
	}
	if m.week {
		return m.weekView(height)
	}
	var out []string
	title := st.Title.Render(m.day.Format("January 2006"))
	out = append(out, fit(title, w-28)+st.Muted.Render(right("[ prev  ] next  t today", 28)))
	cw := max((w-1)/7, 4)
	var hdr strings.Builder
	for d := 0; d < 7; d++ {
		hdr.WriteString(right(time.Weekday(d).String()[:3]+" ", cw))
	}
	out = append(out, st.Header.Render(hdr.String()))
	now := m.c.Now().In(m.c.Loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, m.c.Loc)
	start := m.gridStart()
	cellH := 2
	if height >= 2+6*3 {
		cellH = 3
	}
	for wk := 0; wk < 6; wk++ {
		lines := make([]strings.Builder, cellH)
		for d := 0; d < 7; d++ {
			day := start.AddDate(0, 0, wk*7+d)
			num := fmt.Sprintf("%2d", day.Day())
			if day.Equal(today) {
				num = "•" + fmt.Sprintf("%d", day.Day())
			}
			cell := right(num+" ", cw)
			other := day.Month() != m.day.Month()
			switch {
			case day.Equal(m.day):
				cell = st.Selected.Render(cell)
			case other:
				cell = st.Muted.Render(cell)
			}
			lines[0].WriteString(cell)
			dc, ok := m.counts[day.Format("2006-01-02")]
			txt := ""
			var paint Paint
			if ok && dc.Shifts > 0 {
				txt = fmt.Sprintf("%d", dc.Shifts)
				switch {
				case dc.OpenJobs == 0:
					paint = st.OK
				case dc.OpenJobs < dc.Shifts:
					paint = st.Warn
					txt += fmt.Sprintf(" (%d)", dc.OpenJobs)
				default:
					paint = st.Refused
					txt += fmt.Sprintf(" (%d)", dc.OpenJobs)
				}
				if other {
					paint = st.Muted
				}
			}
			lines[1].WriteString(paint.Render(right(txt+" ", cw)))
			if cellH > 2 {
				lines[2].WriteString(strings.Repeat(" ", cw))
			}
		}
		for _, l := range lines {
			out = append(out, l.String())
		}
	}
	sel := m.counts[m.day.Format("2006-01-02")]
	info := fmt.Sprintf("%s: %d shifts, %d positions, %d open", m.day.Format("Mon 02 Jan"), sel.Shifts, sel.Positions, sel.Open)
	out = append(out, "", st.Muted.Render(truncate(info+"   n (m) = n shifts, m with open positions", w)))
	if len(out) > height {
		out = out[:height]
	}
	return strings.Join(out, "\n")
}

func (m *calendarModel) weekView(height int) string {
	st := m.c.Styles
	w := m.c.Width
	from := m.weekStart()
	cw := max((w-1)/7, 6)
	var out []string
	out = append(out, st.Title.Render("Week of "+from.Format("Mon 02 Jan 2006"))+st.Muted.Render("   w month view"))
	var hdr strings.Builder
	cols := make([][]string, 7)
	for d := 0; d < 7; d++ {
		day := from.AddDate(0, 0, d)
		h := fit(day.Format("Mon 02"), cw)
		if day.Equal(m.day) {
			h = st.Selected.Render(h)
		} else {
			h = st.Header.Render(h)
		}
		hdr.WriteString(h)
	}
	out = append(out, hdr.String())
	for _, j := range m.weekJob {
		if j.Status == store.StatusCancelled {
			continue
		}
		s := j.Start.In(m.c.Loc)
		d := int(time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, m.c.Loc).Sub(from).Hours()+12) / 24
		if d < 0 || d > 6 {
			continue
		}
		filled, total := 0, 0
		for _, p := range j.Positions {
			if p.Status != "cancelled" {
				total++
				if p.OfficerID != 0 {
					filled++
				}
			}
		}
		paint := st.OK
		if filled < total {
			paint = st.Warn
		}
		if j.Status == store.StatusRequested {
			paint = st.Muted
		}
		// two rows a shift: time and staffing, then the customer
		cols[d] = append(cols[d], paint.Render(fit(fmt.Sprintf("%s %d/%d", s.Format("15:04"), filled, total), cw-1))+" ",
			fit(safe(j.CustomerName), cw-1)+" ")
	}
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c))
	}
	for r := 0; r < rows && len(out) < height; r++ {
		var b strings.Builder
		for d := 0; d < 7; d++ {
			if r < len(cols[d]) {
				b.WriteString(cols[d][r])
			} else {
				b.WriteString(strings.Repeat(" ", cw))
			}
		}
		out = append(out, b.String())
	}
	if rows == 0 {
		out = append(out, st.Muted.Render("No shifts this week."))
	}
	return strings.Join(out, "\n")
}

func (m *calendarModel) agendaView(height int) string {
	st := m.c.Styles
	w := m.c.Width
	now := m.c.Now()
	out := []string{st.Title.Render(m.day.Format("Monday 02 January 2006")) + st.Muted.Render(fmt.Sprintf("   %d shifts", len(m.agenda)))}
	custW := max((w-12-7-22)/2, 8)
	siteW := max(w-12-7-22-custW-3, 6)
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-11s %s %s %s  %s", "Time", fit("Customer", custW), fit("Site", siteW), right("Filled", 6), "State"), w)))
	if len(m.agenda) == 0 {
		out = append(out, st.Muted.Render(" No shifts on this day."))
	}
	rows := max(height-2, 1)
	offset := 0
	if m.agendaSel >= rows {
		offset = m.agendaSel - rows + 1
	}
	for i := offset; i < len(m.agenda) && i < offset+rows; i++ {
		j := m.agenda[i]
		s, e := j.Start.In(m.c.Loc), j.End.In(m.c.Loc)
		filled, total := 0, 0
		for _, p := range j.Positions {
			if p.Status != "cancelled" {
				total++
				if p.OfficerID != 0 {
					filled++
				}
			}
		}
		state, kind := jobState(j, now)
		if j.Status != store.StatusCancelled && (j.Status == store.StatusRequested || j.Status == store.StatusApproved) && kind != "bad" {
			state = statusLabel(j.Status)
		}
		plain := fmt.Sprintf(" %-11s %s %s %s  ", s.Format("15:04")+"-"+e.Format("15:04"), fit(safe(j.CustomerName), custW), fit(safe(j.SiteName), siteW), right(fmt.Sprintf("%d/%d", filled, total), 6))
		if i == m.agendaSel {
			out = append(out, st.Selected.Render(fit(plain+state, w)))
		} else {
			out = append(out, fit(plain+st.kind(kind).Render(truncate(state, max(w-width(plain), 1))), w))
		}
	}
	return strings.Join(out, "\n")
}

// capturing: this tab never takes typed text.
func (m *calendarModel) capturing() bool { return false }
