package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// payrollModel is the Payroll tab: one pay period, per officer their shifts
// with hours and officer share, totals; lock once exported.
type payrollModel struct {
	c       *Common
	keys    payrollKeys
	day     time.Time // a civil date in the period shown
	p       *store.Payroll
	cursor  int
	offset  int
	open    bool // the selected officer's lines
	scroll  int
	prompt  *prompt
	confirm *confirmBox
	err     string
	top     int // the screen line of the first officer row, as last drawn (for clicks)
	rows    int // how many rows the last frame showed
}

type payrollKeys struct {
	Up, Down, Prev, Next, Today, Open, Back, Lock, Export key.Binding
}

func newPayroll(c *Common) *payrollModel {
	n := c.Now().In(c.Loc)
	return &payrollModel{c: c, day: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), keys: payrollKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "officer")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		Prev:   key.NewBinding(key.WithKeys("["), key.WithHelp("[ ]", "period")),
		Next:   key.NewBinding(key.WithKeys("]")),
		Today:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "current")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "shifts")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Lock:   key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "lock")),
		Export: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export csv")),
	}}
}

func (m *payrollModel) capturing() bool { return m.prompt != nil || m.confirm != nil }

func (m *payrollModel) ShortHelp() []key.Binding {
	if m.prompt != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	if m.confirm != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "keep"))}
	}
	if m.open {
		return []key.Binding{m.keys.Back, m.keys.Up}
	}
	return []key.Binding{m.keys.Prev, m.keys.Today, m.keys.Open, m.keys.Export, m.keys.Lock}
}

func (m *payrollModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Prev, m.keys.Today, m.keys.Open, m.keys.Back}, {m.keys.Export, m.keys.Lock}}
}

type (
	payrollMsg struct {
		p   store.Payroll
		err error
	}
	payrollDoneMsg struct {
		what string
		err  error
	}
)

func (m *payrollModel) load() tea.Cmd {
	st, day := m.c.Store, m.day
	return func() tea.Msg {
		p, err := st.Payroll(context.Background(), m.c.Actor, day)
		return payrollMsg{p, err}
	}
}

func (m *payrollModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case payrollMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		p := msg.p
		m.p, m.err = &p, ""
		m.cursor = min(m.cursor, max(len(p.Officers)-1, 0))
		return nil
	case payrollDoneMsg:
		return m.load()
	}
	if m.prompt != nil {
		p := m.prompt
		done, cmd := p.update(msg)
		if done && m.prompt == p { // the answer may have asked the next question
			m.prompt = nil
		}
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	m.err = ""
	if m.open {
		switch {
		case key.Matches(km, m.keys.Back):
			m.open = false
		case key.Matches(km, m.keys.Down):
			m.scroll++
		case key.Matches(km, m.keys.Up):
			m.scroll = max(m.scroll-1, 0)
		}
		return nil
	}
	days := 14
	if m.p != nil {
		days = int(m.p.End.Sub(m.p.Start).Hours() / 24)
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		if m.p != nil {
			m.cursor = min(m.cursor+1, max(len(m.p.Officers)-1, 0))
		}
	case key.Matches(km, m.keys.Prev):
		m.day = m.day.AddDate(0, 0, -days)
		return m.load()
	case key.Matches(km, m.keys.Next):
		m.day = m.day.AddDate(0, 0, days)
		return m.load()
	case key.Matches(km, m.keys.Today):
		n := m.c.Now().In(m.c.Loc)
		m.day = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
		return m.load()
	case key.Matches(km, m.keys.Open):
		if m.p != nil && len(m.p.Officers) > 0 {
			m.open, m.scroll = true, 0
		}
	case key.Matches(km, m.keys.Lock):
		if m.p == nil {
			return nil
		}
		if m.p.Locked {
			m.err = "this period is already locked"
			return nil
		}
		if today := m.c.today(); !m.p.End.Before(time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)) {
			m.err = fmt.Sprintf("this period runs until %s: it can be locked from %s, after its last day",
				m.p.End.AddDate(0, 0, -1).Format("Mon 02 Jan"), m.p.End.Format("Mon 02 Jan"))
			return nil
		}
		day, st, actor := m.day, m.c.Store, m.c.Actor
		m.confirm = &confirmBox{title: fmt.Sprintf("Lock the pay period %s, total %s? Later changes go to the next period.", periodLabel(*m.p), pricing.FormatMoney(m.p.Total)),
			yes: func() tea.Msg {
				p, err := st.LockPayroll(context.Background(), actor, day)
				return payrollDoneMsg{what: fmt.Sprintf("Locked pay period %s (%s)", periodLabel(p), pricing.FormatMoney(p.Total)), err: err}
			}}
	case key.Matches(km, m.keys.Export):
		switch {
		case m.p == nil:
		case m.c.Remote: // over SSH: the command that brings the file to the user's machine
			return showHint(payrollHint(m.c, *m.p))
		default:
			return m.exportPrompt(*m.p)
		}
	}
	return nil
}

// click selects the officer under (x, y) of the screen body; a click on
// the selected one opens their shifts, as enter does.
func (m *payrollModel) click(x, y int) tea.Cmd {
	if m.p == nil || m.open || m.prompt != nil || m.confirm != nil {
		return nil
	}
	i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.p.Officers))
	if !ok {
		return nil
	}
	m.err = ""
	if i == m.cursor {
		m.open, m.scroll = true, 0
		return nil
	}
	m.cursor = i
	return nil
}

func periodLabel(p store.Payroll) string {
	return p.Start.Format("Mon 02 Jan") + " - " + p.End.AddDate(0, 0, -1).Format("Mon 02 Jan 2006")
}

func (m *payrollModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if m.p == nil {
		if m.err != "" {
			return st.Error.Render(truncate("✗ "+safe(m.err), w))
		}
		return st.Muted.Render("loading payroll…")
	}
	p := m.p
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.confirm != nil:
		bottom = []string{st.Warn.Render(truncate(m.confirm.title+"  y/n", w))}
	case m.err != "":
		bottom = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	}
	state := st.OK.Render("open")
	if p.Locked {
		state = st.Warn.Render("locked " + p.LockedAt.In(m.c.Loc).Format("02 Jan 15:04") + " by " + safe(p.LockedBy))
	}
	out := []string{fit(st.Title.Render("Pay period "+periodLabel(*p))+"  "+state, w-16) + st.Total.Render(right("$"+pricing.FormatMoney(p.Total), 16))}
	if m.open && m.cursor < len(p.Officers) {
		op := p.Officers[m.cursor]
		out = append(out, st.Bold.Render(fmt.Sprintf("%s %s · %s", safe(op.Officer.Name()), op.Officer.Badge, op.Officer.Rank))+
			st.Muted.Render(fmt.Sprintf("  %s h, %s", pricing.FormatMinutes(op.Minutes), pricing.FormatMoney(op.Total))))
		siteW := max(w-8-6-11-12-8-12-6, 8)
		out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-7s %-5s %s %-11s %7s %11s %10s", "Date", "Job", fit("Customer / site", siteW), "Class", "Hours", "Rate", "Pay"), w)))
		var lines []string
		for _, l := range op.Lines {
			class := l.Class
			if l.Kind == "adjustment" {
				class = "adjust"
			}
			lines = append(lines, fit(fmt.Sprintf(" %-7s %-5d %s %-11s %7s %11s %10s", l.Day.Format("02 Jan"), l.JobID, fit(safe(l.Customer)+" · "+safe(l.Site), siteW),
				truncate(class, 11), pricing.FormatMinutes(l.Minutes), l.Rate, pricing.FormatMoney(l.Amount)), w))
		}
		room := max(height-len(out)-len(bottom), 1)
		m.scroll = min(m.scroll, max(len(lines)-room, 0))
		out = append(out, lines[m.scroll:min(m.scroll+room, len(lines))]...)
	} else {
		out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-24s %-7s %-10s %6s %8s %12s", "Officer", "Badge", "Rank", "Shifts", "Hours", "Officer pay"), w)))
		rows := max(height-len(out)-len(bottom), 1)
		m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(p.Officers))
		m.top, m.rows = len(out), min(rows, len(p.Officers)-m.offset)
		if len(p.Officers) == 0 {
			out = append(out, st.Muted.Render(" Nobody worked a completed shift in this period."))
		}
		for i := m.offset; i < len(p.Officers) && i < m.offset+rows; i++ {
			op := p.Officers[i]
			shifts := 0
			for _, l := range op.Lines {
				if l.Kind == "shift" {
					shifts++
				}
			}
			line := fit(fmt.Sprintf(" %-24s %-7s %-10s %6d %8s %12s", truncate(safe(op.Officer.Name()), 24), op.Officer.Badge, op.Officer.Rank, shifts,
				pricing.FormatMinutes(op.Minutes), pricing.FormatMoney(op.Total)), w)
			if i == m.cursor {
				line = st.Selected.Render(line)
			}
			out = append(out, line)
		}
	}
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	return strings.Join(append(out[:max(height-len(bottom), 0)], bottom...), "\n")
}
