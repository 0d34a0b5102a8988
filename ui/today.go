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

// todayModel is the supervisor's board: today's and tonight's shifts by
// start time, with each one's state derived from the clock.
type todayModel struct {
	c      *Common
	keys   todayKeys
	jobs   []store.Job
	cursor int
	offset int
	loaded bool
	err    string
	note   string // why the last key did nothing (a refused key), until the next key
	top    int    // the screen line of the first row, as last drawn (for clicks)
	rows   int    // how many rows the last frame showed
}

type todayKeys struct {
	Up, Down, Open, Assign, CheckIn, CheckOut, Refresh key.Binding
}

func newToday(c *Common) *todayModel {
	t := &todayModel{c: c, keys: todayKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Assign:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign")),
		CheckIn:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "check in")),
		CheckOut: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "check out")),
		Refresh:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
	}}
	// help offers only what the role may do; a refused key still answers why
	if !c.can(store.PermDispatch) {
		for _, k := range []*key.Binding{&t.keys.Assign, &t.keys.CheckIn, &t.keys.CheckOut} {
			k.SetEnabled(false)
		}
	}
	return t
}

// refusal says why a key the role may not use does nothing ("" for any other key).
func (t *todayModel) refusal(km tea.KeyPressMsg) string {
	switch {
	case refused(km, t.keys.Assign):
		return needs(t.c, "assigning officers", store.PermDispatch)
	case refused(km, t.keys.CheckIn):
		return needs(t.c, "recording check-ins", store.PermDispatch)
	case refused(km, t.keys.CheckOut):
		return needs(t.c, "recording check-outs", store.PermDispatch)
	}
	return ""
}

func (t *todayModel) ShortHelp() []key.Binding {
	return []key.Binding{t.keys.Open, t.keys.Assign, t.keys.CheckIn, t.keys.CheckOut}
}

func (t *todayModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{t.keys.Up, t.keys.Open, t.keys.Refresh}, {t.keys.Assign, t.keys.CheckIn, t.keys.CheckOut}}
}

type todayMsg struct {
	jobs []store.Job
	err  error
}

// window is the board's span: shifts starting today, and earlier ones still running.
func (t *todayModel) window() (time.Time, time.Time) {
	n := t.c.Now().In(t.c.Loc)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, t.c.Loc)
	return day, day.AddDate(0, 0, 1)
}

func (t *todayModel) load() tea.Cmd {
	st := t.c.Store
	from, to := t.window()
	now := t.c.Now()
	return func() tea.Msg {
		jobs, err := st.Agenda(context.Background(), t.c.Actor, from.Add(-24*time.Hour), to)
		if err != nil {
			return todayMsg{err: err}
		}
		var out []store.Job
		for _, j := range jobs {
			if !j.Start.Before(from) || j.End.After(now) {
				out = append(out, j)
			}
		}
		return todayMsg{jobs: out}
	}
}

func (t *todayModel) set(m todayMsg) {
	if m.err != nil {
		t.err = m.err.Error()
		return
	}
	var keep int64
	if j := t.selected(); j != nil {
		keep = j.ID
	}
	t.jobs, t.loaded, t.err = cleanJobs(m.jobs), true, ""
	for i, j := range t.jobs {
		if j.ID == keep {
			t.cursor = i
		}
	}
	t.cursor = min(t.cursor, max(len(t.jobs)-1, 0))
}

func (t *todayModel) selected() *store.Job {
	if t.cursor < 0 || t.cursor >= len(t.jobs) {
		return nil
	}
	return &t.jobs[t.cursor]
}

// openJobMsg asks the root to open the Job screen, optionally starting an action.
type openJobMsg struct {
	id     int64
	intent string // "", "assign", "checkin", "checkout"
}

func (t *todayModel) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	t.note = ""
	if why := t.refusal(km); why != "" {
		t.note = why
		return nil
	}
	switch {
	case key.Matches(km, t.keys.Up):
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(km, t.keys.Down):
		t.cursor = min(t.cursor+1, max(len(t.jobs)-1, 0))
	case key.Matches(km, t.keys.Refresh):
		return t.load()
	case key.Matches(km, t.keys.Open), key.Matches(km, t.keys.Assign), key.Matches(km, t.keys.CheckIn), key.Matches(km, t.keys.CheckOut):
		return t.open(map[string]string{"a": "assign", "i": "checkin", "o": "checkout"}[km.String()])
	}
	return nil
}

// open asks the root for the selected shift's Job screen, starting an action.
func (t *todayModel) open(intent string) tea.Cmd {
	j := t.selected()
	if j == nil {
		return nil
	}
	id := j.ID
	return func() tea.Msg { return openJobMsg{id: id, intent: intent} }
}

// click selects the shift under (x, y) of the screen body; a click on the
// selected one opens it, as enter does.
func (t *todayModel) click(x, y int) tea.Cmd {
	i, ok := rowAt(y, t.top, t.offset, t.rows, len(t.jobs))
	if !ok {
		return nil
	}
	t.note = ""
	if i == t.cursor {
		return t.open("")
	}
	t.cursor = i
	return nil
}

// jobState summarises a job's positions for the board.
func jobState(j store.Job, now time.Time) (string, string) {
	if j.Status == store.StatusCancelled {
		return "cancelled", "muted"
	}
	var open, noShow, late, onDuty, done, released, assigned, total int
	lateBy := 0
	for _, p := range j.Positions {
		if p.Status == "cancelled" {
			continue
		}
		total++
		label, _ := positionState(p, now)
		switch {
		case strings.HasPrefix(label, "NO-SHOW"):
			noShow++
			open++
		case label == "OPEN":
			open++
		case strings.HasPrefix(label, "LATE"):
			late++
			lateBy = max(lateBy, int(now.Sub(p.Start)/time.Minute))
		case strings.HasPrefix(label, "on duty"):
			onDuty++
		case label == "assigned":
			assigned++
		case strings.HasPrefix(label, "released"):
			released++
			done++
		default:
			done++
		}
	}
	var parts []string
	kind := "ok"
	if open > 0 {
		s := fmt.Sprintf("%d OPEN", open)
		if noShow > 0 {
			s = fmt.Sprintf("%d OPEN (%d no-show)", open, noShow)
		}
		parts, kind = append(parts, s), "bad"
	}
	if late > 0 {
		parts, kind = append(parts, fmt.Sprintf("LATE %d:%02d", lateBy/60, lateBy%60)), "bad"
	}
	if onDuty > 0 {
		parts = append(parts, fmt.Sprintf("%d on duty", onDuty))
	}
	early := ""
	if released > 0 {
		early = fmt.Sprintf(" (%d released early)", released)
	}
	if done > 0 && done == total {
		return "done" + early, "muted"
	}
	if done > 0 {
		parts = append(parts, fmt.Sprintf("%d done%s", done, early))
	}
	if len(parts) == 0 {
		return "assigned", "ok"
	}
	return strings.Join(parts, " · "), kind
}

func (t *todayModel) View(height int) string {
	st := t.c.Styles
	w := t.c.Width
	now := t.c.Now()
	if t.err != "" {
		return st.Error.Render(truncate("✗ "+safe(t.err), w))
	}
	if !t.loaded {
		return st.Muted.Render("loading today's shifts…")
	}
	var shifts, positions, open, late, onDuty, done int
	for _, j := range t.jobs {
		if j.Status == store.StatusCancelled {
			continue
		}
		shifts++
		for _, p := range j.Positions {
			if p.Status == "cancelled" {
				continue
			}
			positions++
			label, _ := positionState(p, now)
			switch {
			case label == "OPEN" || strings.HasPrefix(label, "NO-SHOW"):
				open++
			case strings.HasPrefix(label, "LATE"):
				late++
			case strings.HasPrefix(label, "on duty"):
				onDuty++
			case label != "assigned":
				done++
			}
		}
	}
	head := fmt.Sprintf("%d shifts  %d positions  ", shifts, positions)
	openS := fmt.Sprintf("%d open", open)
	lateS := fmt.Sprintf("%d late", late)
	if open > 0 {
		openS = st.Refused.Render(openS)
	}
	if late > 0 {
		lateS = st.Refused.Render(lateS)
	}
	lines := []string{fit(st.Bold.Render(head)+openS+"  "+lateS+fmt.Sprintf("  %d on duty  %d done", onDuty, done), w)}
	custW := max((w-12-5-22)/2, 8)
	siteW := max(w-12-5-22-custW-4, 6)
	lines = append(lines, st.Header.Render(fit(fmt.Sprintf(" %-11s %s %s %s  %s", "Time", fit("Customer", custW), fit("Site", siteW), right("Pos", 5), "State"), w)))
	rows := max(height-2, 1)
	if t.note != "" {
		rows = max(height-3, 1)
	}
	t.cursor, t.offset = scrollList(t.cursor, t.offset, rows, len(t.jobs))
	t.top, t.rows = 2, min(rows, len(t.jobs)-t.offset)
	if len(t.jobs) == 0 {
		empty := " No shifts today."
		if t.c.can(store.PermRequest) {
			empty += " n takes a new request."
		}
		lines = append(lines, st.Muted.Render(empty))
	}
	for i := t.offset; i < len(t.jobs) && i < t.offset+rows; i++ {
		j := t.jobs[i]
		s, e := j.Start.In(t.c.Loc), j.End.In(t.c.Loc)
		filled, total := 0, 0
		for _, p := range j.Positions {
			if p.Status != "cancelled" {
				total++
				if p.OfficerID != 0 {
					filled++
				}
			}
		}
		tm := s.Format("15:04") + "-" + e.Format("15:04")
		if s.Day() != now.In(t.c.Loc).Day() {
			tm = s.Format("Mon") + " " + s.Format("15:04")
		}
		state, kind := jobState(j, now)
		plain := fmt.Sprintf(" %-11s %s %s %s  ", tm, fit(safe(j.CustomerName), custW), fit(safe(j.SiteName), siteW), right(fmt.Sprintf("%d/%d", filled, total), 5))
		if i == t.cursor {
			lines = append(lines, st.Selected.Render(fit(plain+state, w)))
		} else {
			lines = append(lines, fit(plain+st.kind(kind).Render(truncate(state, max(w-width(plain), 1))), w))
		}
	}
	if t.note != "" {
		for len(lines) < height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, st.Error.Render(truncate("✗ "+t.note, w)))
	}
	return strings.Join(lines, "\n")
}

// capturing: this tab never takes typed text.
func (m *todayModel) capturing() bool { return false }
