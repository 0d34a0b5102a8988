package ui

import (
	"context"
	"fmt"
	"slices"
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

	dayShifts map[string][]store.Job // the grid's first shifts a day, when its cells have room
	shiftN    int                    // how many a day dayShifts holds at most

	// the last frame's layout, for clicks
	gridTop, cellH, cw    int
	agendaOff, agendaRows int
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
		shifts   map[string][]store.Job // by day: its first shiftN shifts
		shiftN   int
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
			jobs, err := st.Agenda(context.Background(), m.c.Actor, from, to)
			return dayJobsMsg{from: from, to: to, jobs: jobs, week: true, err: err}
		}
	}
	from := m.gridStart()
	to := from.AddDate(0, 0, 42)
	n, actor := m.gridShiftLines(), m.c.Actor
	return func() tea.Msg {
		ctx := context.Background()
		counts, err := st.DayCounts(ctx, from, to, loc)
		msg := countsMsg{from: from, to: to, counts: counts, err: err}
		if err != nil || n == 0 {
			return msg
		}
		// a day's first shifts, each day its own small query: a month of a
		// busy history holds tens of thousands
		live := slices.DeleteFunc(slices.Clone(store.Statuses), func(s string) bool { return s == store.StatusCancelled })
		msg.shifts, msg.shiftN = map[string][]store.Job{}, n
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			jobs, err := st.Jobs(ctx, actor, store.JobFilter{From: d, To: d.AddDate(0, 0, 1), Statuses: live, Limit: n})
			if err != nil {
				msg.err = err
				return msg
			}
			msg.shifts[d.Format("2006-01-02")] = cleanJobs(jobs)
		}
		return msg
	}
}

// gridShiftLines is how many shifts a month cell has room to list in this
// window (none at 80x24): the body below the tab bar and above the status
// and help lines holds a title, the weekdays, six weeks and the day's line.
func (m *calendarModel) gridShiftLines() int {
	body := m.c.Height - 5
	return max((body-4)/6-2, 0)
}

func (m *calendarModel) loadAgenda() tea.Cmd {
	st := m.c.Store
	from := m.day
	to := from.AddDate(0, 0, 1)
	return func() tea.Msg {
		jobs, err := st.Agenda(context.Background(), m.c.Actor, from, to)
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
		m.dayShifts, m.shiftN = msg.shifts, msg.shiftN
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
	if !m.week && (m.day.Before(m.span[0]) || !m.day.Before(m.span[1]) || m.day.Month() != old.Month() || m.gridShiftLines() > m.shiftN) {
		return m.load() // another month, or a window grown taller since the grid loaded
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
	// a taller window gives taller cells: below each day's counts, its first shifts
	cellH := max((height-4)/6, 2)
	var hdr strings.Builder
	for d := 0; d < 7; d++ {
		name := time.Weekday(d).String()
		if cw < len(name)+2 {
			name = name[:3]
		}
		if cellH > 2 {
			hdr.WriteString(fit(" "+name, cw))
		} else {
			hdr.WriteString(right(name+" ", cw))
		}
	}
	out = append(out, st.Header.Render(hdr.String()))
	now := m.c.Now().In(m.c.Loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, m.c.Loc)
	start := m.gridStart()
	m.gridTop, m.cellH, m.cw = len(out), cellH, cw
	for wk := 0; wk < 6; wk++ {
		lines := make([]strings.Builder, cellH)
		for d := 0; d < 7; d++ {
			day := start.AddDate(0, 0, wk*7+d)
			key := day.Format("2006-01-02")
			num := fmt.Sprintf("%2d", day.Day())
			if cellH > 2 {
				num = fmt.Sprint(day.Day())
			}
			if day.Equal(today) {
				num = "•" + fmt.Sprintf("%d", day.Day())
			}
			// narrow cells right-align their numbers; tall ones read from the left, as their shifts do
			align := func(s string) string { return right(s+" ", cw) }
			if cellH > 2 {
				align = func(s string) string { return fit(" "+s, cw) }
			}
			cell := align(num)
			other := day.Month() != m.day.Month()
			switch {
			case day.Equal(m.day):
				cell = st.Selected.Render(cell)
			case other:
				cell = st.Muted.Render(cell)
			}
			lines[0].WriteString(cell)
			dc, ok := m.counts[key]
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
				long := fmt.Sprintf("%d %s", dc.Shifts, plural(dc.Shifts, "shift"))
				if dc.OpenJobs > 0 {
					long += fmt.Sprintf(", %d open", dc.OpenJobs)
				}
				if cellH > 2 && len(long) < cw {
					txt = long
				}
			}
			lines[1].WriteString(paint.Render(align(txt)))
			shifts := m.dayShifts[key]
			room := cellH - 2
			more := dc.Shifts - min(len(shifts), room)
			for i := 0; i < room; i++ {
				txt, paint := "", Paint{}
				switch {
				case i == room-1 && more > 0 && len(shifts) >= room:
					txt, paint = fmt.Sprintf("+%d more", dc.Shifts-(room-1)), st.Muted
				case i < len(shifts):
					j := shifts[i]
					txt = j.Start.In(m.c.Loc).Format("15:04") + " " + safe(j.CustomerName)
					if j.Filled < j.Officers+j.Supervisors {
						paint = st.Warn
					}
					if other {
						paint = st.Muted
					}
				}
				lines[2+i].WriteString(paint.Render(fit(" "+txt, cw)))
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

// weekColumns splits the width into the week's seven columns, each with a
// space on its right.
func weekColumns(w int) []int {
	cols := make([]int, 7)
	for d := range cols {
		cols[d] = max(w/7, 6)
		if d < w%7 {
			cols[d]++
		}
	}
	return cols
}

// shiftTime is a shift's start and end in n cells at most: 18:00-23:30,
// or where that does not fit, 18-23:30 (hours alone on the hour).
func shiftTime(s, e time.Time, n int) string {
	full := s.Format("15:04") + "-" + e.Format("15:04")
	if len(full) <= n {
		return full
	}
	short := func(t time.Time) string {
		if t.Minute() == 0 {
			return fmt.Sprint(t.Hour())
		}
		return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	}
	return short(s) + "-" + short(e)
}

func (m *calendarModel) weekView(height int) string {
	st := m.c.Styles
	w := m.c.Width
	from := m.weekStart()
	cols := weekColumns(w)
	narrowest := slices.Min(cols) - 1
	var out []string
	out = append(out, fit(st.Title.Render("Week of "+from.Format("Mon 02 Jan 2006"))+st.Muted.Render("   w month · f/t staffed, ! open, req requested"), w))
	var hdr strings.Builder
	for d := 0; d < 7; d++ {
		day := from.AddDate(0, 0, d)
		label := day.Format("Mon 02")
		if cols[d]-1 >= 10 {
			label = day.Format("Mon 02 Jan")
		}
		h := fit(label, cols[d]-1)
		if day.Equal(m.day) {
			h = st.Selected.Render(h)
		} else {
			h = st.Header.Render(h)
		}
		hdr.WriteString(h + " ")
	}
	out = append(out, hdr.String())
	type cell struct {
		text  string
		paint Paint
	}
	days := make([][]cell, 7)
	for _, j := range m.weekJob {
		if j.Status == store.StatusCancelled {
			continue
		}
		s, e := j.Start.In(m.c.Loc), j.End.In(m.c.Loc)
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
		requested := j.Status == store.StatusRequested
		if requested {
			paint = st.Muted
		}
		// two lines a shift: start-end and staffing, then the customer as
		// wide as the column
		n := cols[d] - 1
		tm := shiftTime(s, e, narrowest) // one format across the week
		staff := fmt.Sprintf("%d/%d", filled, total)
		switch {
		case requested:
			staff = "req"
		case filled < total:
			staff += "!"
		}
		line := tm
		if len(tm)+1+len(staff) <= n {
			line += " " + staff
		} else if filled < total && !requested {
			line = truncate(tm, n-1) + "!"
		}
		days[d] = append(days[d], cell{line, paint}, cell{safe(j.CustomerName), Paint{}})
	}
	room := max(height-len(out), 1)
	for d := range days {
		if len(days[d]) > room { // cut whole shifts, and say how many more
			shown := (room - 1) / 2 * 2
			more := (len(days[d]) - shown) / 2
			days[d] = append(days[d][:shown], cell{fmt.Sprintf("+%d more", more), st.Muted})
		}
	}
	rows := 0
	for _, c := range days {
		rows = max(rows, len(c))
	}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for d := 0; d < 7; d++ {
			if r < len(days[d]) {
				b.WriteString(days[d][r].paint.Render(fit(days[d][r].text, cols[d]-1)) + " ")
			} else {
				b.WriteString(strings.Repeat(" ", cols[d]))
			}
		}
		out = append(out, b.String())
	}
	if rows == 0 {
		out = append(out, st.Muted.Render("No shifts this week."))
	}
	return strings.Join(out[:min(len(out), height)], "\n")
}

// click selects the day under (x, y) of the month grid or week; a click on
// the selected day lists it, as enter does. In a day's list it selects the
// shift under it, and a click on the selected one opens it.
func (m *calendarModel) click(x, y int) tea.Cmd {
	if m.agendaOn {
		i, ok := rowAt(y, 2, m.agendaOff, m.agendaRows, len(m.agenda))
		if !ok {
			return nil
		}
		if i == m.agendaSel {
			return m.key(tea.KeyPressMsg{Code: tea.KeyEnter})
		}
		m.agendaSel = i
		return nil
	}
	var day time.Time
	if m.week {
		if y < 1 { // the title
			return nil
		}
		x0 := 0
		for d, cw := range weekColumns(m.c.Width) {
			if x >= x0 && x < x0+cw {
				day = m.weekStart().AddDate(0, 0, d)
			}
			x0 += cw
		}
	} else {
		if m.cw == 0 || m.cellH == 0 || y < m.gridTop || y >= m.gridTop+6*m.cellH || x >= 7*m.cw {
			return nil
		}
		day = m.gridStart().AddDate(0, 0, (y-m.gridTop)/m.cellH*7+x/m.cw)
	}
	if day.IsZero() {
		return nil
	}
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, m.c.Loc)
	if day.Equal(m.day) {
		return m.key(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	old := m.day
	m.day = day
	if !m.week && day.Month() != old.Month() {
		return m.load()
	}
	return nil
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
	m.agendaSel, m.agendaOff = scrollList(m.agendaSel, m.agendaOff, rows, len(m.agenda))
	offset := m.agendaOff
	m.agendaRows = min(rows, len(m.agenda)-offset)
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

// loadedOnce reports whether the calendar has loaded anything yet (a resize
// then reloads it for the new size).
func (m *calendarModel) loadedOnce() bool { return m.counts != nil }
