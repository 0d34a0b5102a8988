package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// auditModel is the Audit tab (supervisors): every change, newest first,
// filtered by user; enter opens the job a change belongs to.
type auditModel struct {
	c         *Common
	list      []store.AuditEntry
	cursor    int
	offset    int
	filter    textinput.Model
	filtering bool
	loaded    bool
	err       string
}

func newAudit(c *Common) *auditModel {
	fi := newInput()
	fi.Prompt = "user: "
	fi.Placeholder = "exact user name, e.g. alice@ssh"
	return &auditModel{c: c, filter: fi}
}

// auditLimit bounds the list: the newest changes are what people look for.
const auditLimit = 2000

type auditMsg struct {
	list []store.AuditEntry
	err  error
}

func (m *auditModel) load() tea.Cmd {
	st, actor := m.c.Store, strings.TrimSpace(m.filter.Value())
	return func() tea.Msg {
		list, err := st.Audit(context.Background(), store.AuditFilter{Actor: actor, Limit: auditLimit})
		return auditMsg{list, err}
	}
}

func (m *auditModel) capturing() bool { return m.filtering }

func (m *auditModel) ShortHelp() []key.Binding {
	if m.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "filter")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "all users"))}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open job")),
		key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "user")),
	}
}

func (m *auditModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *auditModel) Update(msg tea.Msg) tea.Cmd {
	if am, ok := msg.(auditMsg); ok {
		if am.err != nil {
			m.err = am.err.Error()
			return nil
		}
		m.list, m.loaded, m.err = cleanAudit(am.list), true, ""
		m.cursor = min(m.cursor, max(len(m.list)-1, 0))
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if m.filtering {
		if ok {
			switch km.String() {
			case "enter":
				m.filtering = false
				m.filter.Blur()
				m.cursor = 0
				return m.load()
			case "esc":
				m.filtering = false
				m.filter.Blur()
				m.filter.SetValue("")
				m.cursor = 0
				return m.load()
			}
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return cmd
	}
	if !ok {
		return nil
	}
	switch km.String() {
	case "up", "k":
		m.cursor = max(m.cursor-1, 0)
	case "down", "j":
		m.cursor = min(m.cursor+1, max(len(m.list)-1, 0))
	case "pgdown":
		m.cursor = min(m.cursor+max(m.c.Height-8, 1), max(len(m.list)-1, 0))
	case "pgup":
		m.cursor = max(m.cursor-max(m.c.Height-8, 1), 0)
	case "/":
		m.filtering = true
		return m.filter.Focus()
	case "enter":
		if m.cursor < len(m.list) && m.list[m.cursor].JobID != 0 {
			id := m.list[m.cursor].JobID
			return func() tea.Msg { return openJobMsg{id: id} }
		}
	}
	return nil
}

func (m *auditModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if m.err != "" {
		return st.Error.Render(truncate("✗ "+safe(m.err), w))
	}
	if !m.loaded {
		return st.Muted.Render("loading the audit…")
	}
	who := "all users"
	if v := safe(m.filter.Value()); v != "" {
		who = v
	}
	head := fmt.Sprintf("%d changes (newest %d at most) · %s", len(m.list), auditLimit, who)
	out := []string{st.Muted.Render(fit(head, w))}
	if m.filtering {
		out[0] = fit(m.filter.View(), w)
	}
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-12s %-16s %-14s %s", "When", "User", "What", "Change"), w)))
	rows := max(height-2, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	for i := m.offset; i < len(m.list) && i < m.offset+rows; i++ {
		e := m.list[i]
		change := safe(e.Action)
		if e.Before != "" || e.After != "" {
			change += ": " + safe(e.Before)
			if e.Before != "" && e.After != "" {
				change += " -> "
			}
			change += safe(e.After)
		}
		what := fmt.Sprintf("%s %d", safe(e.Entity), e.EntityID)
		if e.JobID != 0 && e.Entity != "job" {
			what = fmt.Sprintf("job %d", e.JobID)
		}
		line := fit(fmt.Sprintf(" %-12s %-16s %-14s %s", e.At.In(m.c.Loc).Format("02 Jan 15:04"), truncate(safe(e.Actor), 16), truncate(what, 14), change), w)
		if i == m.cursor {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
