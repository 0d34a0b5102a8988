package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// auditModel is the Audit tab (supervisors): every change, newest first,
// filtered by user; enter shows one change whole (the list cuts long
// values), o opens the job a change belongs to.
type auditModel struct {
	c         *Common
	keys      auditKeys
	list      []store.AuditEntry
	cursor    int
	offset    int
	filter    textinput.Model
	filtering bool
	loaded    bool
	err       string
	detail    bool // the selected change, whole
	scroll    int  // the detail's first line
	top       int  // the screen line of the list's first row, as last drawn (for clicks)
	rows      int  // how many rows the last frame showed

	checking bool                // a check is running
	checked  []store.CheckResult // the last check's results, shown until esc
	checkAt  time.Time
}

type auditKeys struct {
	Up, Down, Page, Ends, Detail, Job, Filter, Back, Entry, Check key.Binding
}

func newAudit(c *Common) *auditModel {
	fi := newInput()
	fi.Prompt = "user: "
	fi.Placeholder = "exact user name, e.g. alice@ssh"
	return &auditModel{c: c, filter: fi, keys: auditKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		Page:   key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page")),
		Ends:   key.NewBinding(key.WithKeys("home", "g", "end", "G"), key.WithHelp("g/G", "newest/oldest")),
		Detail: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Job:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open job")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "user")),
		Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Entry:  key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "newer/older")),
		Check:  key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "check the database")),
	}}
}

// auditLimit bounds the list: the newest changes are what people look for.
const auditLimit = 2000

type auditMsg struct {
	list []store.AuditEntry
	err  error
}

type checkMsg struct {
	res []store.CheckResult
	at  time.Time
	err error
}

// check runs offduty check: the file's integrity and every invariant.
func (m *auditModel) check() tea.Cmd {
	st, actor, now := m.c.Store, m.c.Actor, m.c.Now
	m.checking, m.checked = true, nil
	return func() tea.Msg {
		res, err := st.Check(context.Background(), actor)
		return checkMsg{res, now(), err}
	}
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
	if m.detail {
		return []key.Binding{m.keys.Back, m.keys.Entry, m.jobKey()}
	}
	if m.checked != nil {
		return []key.Binding{m.keys.Back, m.keys.Check}
	}
	return []key.Binding{m.keys.Up, m.keys.Detail, m.jobKey(), m.keys.Filter, m.keys.Check}
}

func (m *auditModel) FullHelp() [][]key.Binding {
	if m.detail {
		return [][]key.Binding{{m.keys.Back, m.keys.Entry, key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))}, {m.jobKey()}}
	}
	return [][]key.Binding{{m.keys.Up, m.keys.Page, m.keys.Ends}, {m.keys.Detail, m.jobKey(), m.keys.Filter, m.keys.Check}}
}

// jobKey is o, offered when the selected change belongs to a job.
func (m *auditModel) jobKey() key.Binding {
	k := m.keys.Job
	e := m.selected()
	k.SetEnabled(e != nil && e.JobID != 0)
	return k
}

func (m *auditModel) selected() *store.AuditEntry {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return nil
	}
	return &m.list[m.cursor]
}

// openJob asks the root for the selected change's job.
func (m *auditModel) openJob() tea.Cmd {
	e := m.selected()
	if e == nil || e.JobID == 0 {
		if e != nil {
			m.err = fmt.Sprintf("this change (%s %d) belongs to no job", safe(e.Entity), e.EntityID)
		}
		return nil
	}
	id := e.JobID
	return func() tea.Msg { return openJobMsg{id: id} }
}

func (m *auditModel) Update(msg tea.Msg) tea.Cmd {
	if cm, ok := msg.(checkMsg); ok {
		m.checking = false
		if cm.err != nil {
			m.err = cm.err.Error()
			return nil
		}
		m.checked, m.checkAt, m.scroll = cm.res, cm.at, 0
		return nil
	}
	if am, ok := msg.(auditMsg); ok {
		if am.err != nil {
			m.err = am.err.Error()
			return nil
		}
		var keep int64
		if e := m.selected(); e != nil {
			keep = e.ID
		}
		m.list, m.loaded, m.err = cleanAudit(am.list), true, ""
		m.cursor = min(m.cursor, max(len(m.list)-1, 0))
		for i, e := range m.list { // a refresh keeps the change in view
			if e.ID == keep {
				m.cursor = i
			}
		}
		if len(m.list) == 0 {
			m.detail = false
		}
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if m.filtering {
		if ok {
			switch km.String() {
			case "enter", "esc":
				if km.String() == "esc" {
					m.filter.SetValue("")
				}
				m.filtering = false
				m.filter.Blur()
				m.cursor, m.offset, m.detail = 0, 0, false // the first match, at the top
				m.list, m.loaded = nil, false              // nothing of the old list to keep
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
	m.err = ""
	if m.checked != nil {
		switch {
		case key.Matches(km, m.keys.Back), km.String() == "enter", km.String() == "q":
			m.checked = nil
		case key.Matches(km, m.keys.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(km, m.keys.Down):
			m.scroll++
		case key.Matches(km, m.keys.Check):
			return m.check()
		}
		return nil
	}
	if key.Matches(km, m.keys.Check) && !m.checking {
		return m.check()
	}
	if m.detail {
		switch {
		case key.Matches(km, m.keys.Back):
			m.detail = false
		case key.Matches(km, m.keys.Detail):
			m.detail = false
		case km.String() == "left" || km.String() == "h":
			m.cursor, m.scroll = max(m.cursor-1, 0), 0
		case km.String() == "right" || km.String() == "l":
			m.cursor, m.scroll = min(m.cursor+1, max(len(m.list)-1, 0)), 0
		case key.Matches(km, m.keys.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(km, m.keys.Down):
			m.scroll++
		case key.Matches(km, m.keys.Job):
			return m.openJob()
		}
		return nil
	}
	page := max(m.c.Height-8, 1)
	switch km.String() {
	case "up", "k":
		m.cursor = max(m.cursor-1, 0)
	case "down", "j":
		m.cursor = min(m.cursor+1, max(len(m.list)-1, 0))
	case "pgdown":
		m.cursor = min(m.cursor+page, max(len(m.list)-1, 0))
	case "pgup":
		m.cursor = max(m.cursor-page, 0)
	case "home", "g":
		m.cursor = 0
	case "end", "G":
		m.cursor = max(len(m.list)-1, 0)
	case "/":
		m.filtering = true
		return m.filter.Focus()
	case "enter":
		if m.selected() != nil {
			m.detail, m.scroll = true, 0
		}
	case "o":
		return m.openJob()
	}
	return nil
}

// click selects the change under (x, y) of the screen body; a click on the
// selected one shows it whole, as enter does.
func (m *auditModel) click(x, y int) tea.Cmd {
	if m.detail || m.filtering || !m.loaded {
		return nil
	}
	i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.list))
	if !ok {
		return nil
	}
	m.err = ""
	if i == m.cursor {
		m.detail, m.scroll = true, 0
		return nil
	}
	m.cursor = i
	return nil
}

// auditWhat names the thing a change is about.
func auditWhat(e store.AuditEntry) string {
	what := fmt.Sprintf("%s %d", safe(e.Entity), e.EntityID)
	if e.JobID != 0 && e.Entity != "job" {
		what = fmt.Sprintf("job %d", e.JobID)
	}
	return what
}

func (m *auditModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if !m.loaded && m.err != "" {
		return st.Error.Render(truncate("✗ "+safe(m.err), w))
	}
	if !m.loaded {
		return st.Muted.Render("loading the audit…")
	}
	var bottom []string
	if m.err != "" {
		bottom = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	}
	h := max(height-len(bottom), 1)
	var out []string
	if m.checking {
		out = []string{st.Muted.Render("checking the database: integrity and every invariant…")}
	} else if m.checked != nil {
		out = m.checkView(h)
	} else if m.detail && m.selected() != nil {
		out = m.detailView(h)
	} else {
		out = m.listView(h)
	}
	for len(out) < h && len(bottom) > 0 {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}

func (m *auditModel) listView(height int) []string {
	st := m.c.Styles
	w := m.c.Width
	who := "all users"
	if v := safe(m.filter.Value()); v != "" {
		who = v
	}
	head := fmt.Sprintf("%d changes (newest %d at most) · %s", len(m.list), auditLimit, who)
	out := []string{st.Muted.Render(fit(head, w))}
	if m.filtering {
		out[0] = fit(m.filter.View(), w)
	}
	// the user column is as wide as the longest name shown, within reason
	rows := max(height-2, 1)
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.list))
	m.top, m.rows = 2, min(rows, len(m.list)-m.offset)
	userW, whatW := 4, 4
	for i := m.offset; i < len(m.list) && i < m.offset+rows; i++ {
		userW = max(userW, width(safe(m.list[i].Actor)))
		whatW = max(whatW, width(auditWhat(m.list[i])))
	}
	userW, whatW = min(userW, max(w/5, 8)), min(whatW, 14)
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-12s %s %s %s", "When", fit("User", userW), fit("What", whatW), "Change"), w)))
	if len(m.list) == 0 {
		out = append(out, st.Muted.Render(truncate(" No changes by this user. / changes the user; esc there shows all.", w)))
	}
	for i := m.offset; i < len(m.list) && i < m.offset+rows; i++ {
		e := m.list[i]
		line := fit(fmt.Sprintf(" %-12s %s %s %s", e.At.In(m.c.Loc).Format("02 Jan 15:04"), fit(safe(e.Actor), userW), fit(auditWhat(e), whatW), auditChange(e)), w)
		if i == m.cursor {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// auditChange is a change on one line: action: before -> after.
func auditChange(e store.AuditEntry) string {
	change := safe(e.Action)
	if e.Before != "" || e.After != "" {
		change += ": " + safe(e.Before)
		if e.Before != "" && e.After != "" {
			change += " -> "
		}
		change += safe(e.After)
	}
	return change
}

// detailView shows the selected change whole: long values wrap.
func (m *auditModel) detailView(height int) []string {
	st := m.c.Styles
	w := m.c.Width
	e := *m.selected()
	const labelW = 9
	var lines []string
	field := func(label, v string) {
		body := strings.Split(wrap(v, max(w-labelW, 10)), "\n")
		for i, l := range body {
			lead := strings.Repeat(" ", labelW)
			if i == 0 {
				lead = st.Label.Render(fit(label, labelW))
			}
			lines = append(lines, lead+strings.TrimRight(l, " "))
		}
	}
	title := st.Title.Render(fmt.Sprintf("Change #%d", e.ID))
	pos := st.Muted.Render(fmt.Sprintf("%d of %d, newest first", m.cursor+1, len(m.list)))
	out := []string{fit(title, max(w-width(pos), 0)) + pos}
	field("When", e.At.In(m.c.Loc).Format("Mon 02 Jan 2006 15:04:05 MST"))
	field("Who", safe(e.Actor))
	field("Entity", fmt.Sprintf("%s %d", safe(e.Entity), e.EntityID))
	field("Action", safe(e.Action))
	job := "none"
	if e.JobID != 0 {
		job = fmt.Sprintf("#%d   o opens it", e.JobID)
	}
	field("Job", job)
	for _, v := range []struct{ label, text string }{{"Before", e.Before}, {"After", e.After}} {
		text := safe(v.text)
		if text == "" {
			text = "(empty)"
		}
		field(v.label, text)
	}
	room := max(height-1, 1)
	m.scroll = min(m.scroll, max(len(lines)-room, 0))
	shown := lines[m.scroll:min(m.scroll+room, len(lines))]
	if len(lines) > room {
		pos = st.Muted.Render(fmt.Sprintf("%d of %d · lines %d-%d of %d, ↑/↓", m.cursor+1, len(m.list), m.scroll+1, m.scroll+len(shown), len(lines)))
		out[0] = fit(title, max(w-width(pos), 0)) + pos
	}
	for _, l := range shown {
		out = append(out, fit(l, w))
	}
	return out
}

// checkView is the last check's results: a line a check, each finding with
// its rows and hint.
func (m *auditModel) checkView(height int) []string {
	st := m.c.Styles
	w := m.c.Width
	found := 0
	var body []string
	for _, r := range m.checked {
		if len(r.Findings) == 0 {
			body = append(body, st.OK.Render("✓ ")+truncate(r.Name, w-2))
			if r.Note != "" { // what this engine's check cannot look at
				for _, l := range strings.Split(wrap("note: "+safe(r.Note), w-4), "\n") {
					body = append(body, st.Muted.Render("    "+l))
				}
			}
			continue
		}
		for _, f := range r.Findings {
			found++
			body = append(body, st.Error.Render(truncate(fmt.Sprintf("✗ %s: %s (%d)", r.Name, safe(f.Problem), f.Count), w)))
			for _, row := range f.Rows {
				body = append(body, "    "+truncate(safe(row), w-4))
			}
			for _, l := range strings.Split(wrap("hint: "+safe(f.Hint), w-4), "\n") {
				body = append(body, st.Muted.Render("    "+l))
			}
		}
	}
	title := "The database is sound"
	if found > 0 {
		title = fmt.Sprintf("%d %s", found, map[bool]string{true: "finding", false: "findings"}[found == 1])
	}
	head := []string{st.Title.Render(truncate(fmt.Sprintf("Check · %s · %s", title, m.checkAt.In(m.c.Loc).Format("Mon 02 Jan 15:04:05")), w)),
		st.Muted.Render(truncate("integrity, foreign keys, numbering, totals, billed once, double booking, positions, payroll", w))}
	room := max(height-len(head), 1)
	m.scroll = min(m.scroll, max(len(body)-room, 0))
	body = body[m.scroll:]
	if len(body) > room {
		body = body[:room]
	}
	return append(head, body...)
}
