package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// The supervisors' tabs for messages: the Outbox and the Settings.
const (
	tabOutbox = 200 + iota
	tabSettings
)

var adminTabNames = map[int]string{tabOutbox: "Outbox", tabSettings: "Settings"}

func init() {
	tabShort["Outbox"], tabShort["Settings"] = "Out", "Set"
}

// adminScreens holds the Outbox and Settings tabs.
type adminScreens struct {
	out *outboxModel
	set *settingsModel
}

func newAdminScreens(c *Common) *adminScreens {
	return &adminScreens{out: newOutbox(c), set: newSettings(c)}
}

// screen is the model of tab t, or nil when it is not one of these.
func (s *adminScreens) screen(t int) tabScreen {
	switch t {
	case tabOutbox:
		return s.out
	case tabSettings:
		return s.set
	}
	return nil
}

// loads loads what the role's tabs among these show.
func (s *adminScreens) loads(tabs []int) []tea.Cmd {
	var cmds []tea.Cmd
	for _, t := range tabs {
		switch t {
		case tabOutbox:
			cmds = append(cmds, s.out.load())
		case tabSettings:
			cmds = append(cmds, s.set.load())
		}
	}
	return cmds
}

// editors adds the prompts open on these tabs.
func (s *adminScreens) editors(buf []any) []any {
	if s.set.prompt != nil {
		buf = append(buf, s.set.prompt)
	}
	return buf
}

// routeAdmin gives these tabs' messages to their models, whichever tab is
// in front.
func (a *App) routeAdmin(msg tea.Msg) (tea.Cmd, bool) {
	switch msg.(type) {
	case outboxMsg, outboxDoneMsg:
		return a.adm.out.Update(msg), true
	case settingsMsg, settingSavedMsg:
		return a.adm.set.Update(msg), true
	}
	return nil, false
}

// outboxModel is the Outbox tab (supervisors): the messages the changes
// wrote, newest first, with their state; enter shows one whole, r puts a
// failed one back in line, s shows one state only.
type outboxModel struct {
	c      *Common
	keys   outboxKeys
	list   []store.Message
	sender string // the office's sender address ("" sends nothing)
	state  string // the filter: "" all
	loaded bool
	cursor int
	offset int
	detail bool
	scroll int
	err    string
	note   string
	top    int
	rows   int
}

type outboxKeys struct {
	Up, Detail, Retry, State, Back key.Binding
}

// outboxLimit bounds the list: the newest messages are the ones looked for.
const outboxLimit = 1000

// outboxStates is what s cycles through.
var outboxStates = []string{"", store.MsgPending, store.MsgFailed, store.MsgSent}

func newOutbox(c *Common) *outboxModel {
	return &outboxModel{c: c, keys: outboxKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "move")),
		Detail: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "message")),
		Retry:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry failed")),
		State:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "state")),
		Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
	}}
}

type outboxMsg struct {
	list   []store.Message
	sender string
	state  string
	err    error
}

type outboxDoneMsg struct {
	what string
	err  error
}

func (m *outboxModel) load() tea.Cmd {
	st, actor, state := m.c.Store, m.c.Actor, m.state
	return func() tea.Msg {
		ctx := context.Background()
		list, err := st.Outbox(ctx, actor, store.OutboxFilter{State: state, Limit: outboxLimit})
		if err != nil {
			return outboxMsg{err: err, state: state}
		}
		o, err := st.Settings(ctx)
		return outboxMsg{list: list, sender: o.Sender, state: state, err: err}
	}
}

func (m *outboxModel) capturing() bool { return false }

func (m *outboxModel) selected() *store.Message {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return nil
	}
	return &m.list[m.cursor]
}

// retryKey is r, offered when the selected message has failed.
func (m *outboxModel) retryKey() key.Binding {
	k := m.keys.Retry
	sel := m.selected()
	k.SetEnabled(sel != nil && sel.State == store.MsgFailed)
	return k
}

func (m *outboxModel) ShortHelp() []key.Binding {
	if m.detail {
		return []key.Binding{m.keys.Back, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "newer/older")), m.retryKey()}
	}
	return []key.Binding{m.keys.Up, m.keys.Detail, m.retryKey(), m.keys.State}
}

func (m *outboxModel) FullHelp() [][]key.Binding {
	if m.detail {
		return [][]key.Binding{m.ShortHelp(), {key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))}}
	}
	return [][]key.Binding{{m.keys.Up, key.NewBinding(key.WithKeys("g", "G"), key.WithHelp("g/G", "newest/oldest"))}, {m.keys.Detail, m.retryKey(), m.keys.State}}
}

func (m *outboxModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case outboxMsg:
		if msg.state != m.state { // an answer for a filter no longer asked
			return nil
		}
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		var keep int64
		if sel := m.selected(); sel != nil {
			keep = sel.ID
		}
		m.list, m.sender, m.loaded = msg.list, msg.sender, true
		m.cursor = min(m.cursor, max(len(m.list)-1, 0))
		for i, x := range m.list { // a refresh keeps the message in view
			if x.ID == keep {
				m.cursor = i
			}
		}
		if len(m.list) == 0 {
			m.detail = false
		}
		return nil
	case outboxDoneMsg:
		if msg.err != nil {
			m.err, m.note = msg.err.Error(), ""
		} else {
			m.note, m.err = msg.what, ""
		}
		return m.load()
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.loaded {
		return nil
	}
	m.err, m.note = "", ""
	if km.String() == "r" {
		return m.retry()
	}
	if m.detail {
		switch km.String() {
		case "esc", "backspace", "enter", "q":
			m.detail = false
		case "left", "h":
			m.cursor, m.scroll = max(m.cursor-1, 0), 0
		case "right", "l":
			m.cursor, m.scroll = min(m.cursor+1, max(len(m.list)-1, 0)), 0
		case "up", "k":
			m.scroll = max(m.scroll-1, 0)
		case "down", "j":
			m.scroll++
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
	case "enter":
		if m.selected() != nil {
			m.detail, m.scroll = true, 0
		}
	case "s":
		for i, s := range outboxStates {
			if s == m.state {
				m.state = outboxStates[(i+1)%len(outboxStates)]
				break
			}
		}
		m.cursor, m.offset, m.loaded, m.list = 0, 0, false, nil
		return m.load()
	}
	return nil
}

// retry puts the selected failed message back in line.
func (m *outboxModel) retry() tea.Cmd {
	sel := m.selected()
	switch {
	case sel == nil:
		return nil
	case sel.State != store.MsgFailed:
		m.err = fmt.Sprintf("message %d is %s: only a failed message is retried", sel.ID, sel.State)
		return nil
	}
	st, actor, id := m.c.Store, m.c.Actor, sel.ID
	return func() tea.Msg {
		if err := st.RetryMessage(context.Background(), actor, id); err != nil {
			return outboxDoneMsg{err: err}
		}
		return outboxDoneMsg{what: fmt.Sprintf("message %d is in line again: the sender takes it at once", id)}
	}
}

// click selects the message under (x, y); a click on the selected one
// opens it, as enter does.
func (m *outboxModel) click(x, y int) tea.Cmd {
	if m.detail || !m.loaded {
		return nil
	}
	i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.list))
	if !ok {
		return nil
	}
	m.err, m.note = "", ""
	if i == m.cursor {
		m.detail, m.scroll = true, 0
		return nil
	}
	m.cursor = i
	return nil
}

// stateText is a message's state on its row: "retry 14:05" for a pending
// one that failed before.
func (m *outboxModel) stateText(x store.Message) string {
	if x.State == store.MsgPending && x.Attempts > 0 {
		return "retry " + x.NextAt.In(m.c.Loc).Format("15:04")
	}
	return x.State
}

func (m *outboxModel) stateStyle(x store.Message) Paint {
	st := m.c.Styles
	switch {
	case x.State == store.MsgFailed:
		return st.Error
	case x.State == store.MsgPending && x.Attempts > 0:
		return st.Warn
	case x.State == store.MsgSent:
		return st.OK
	}
	return st.Muted
}

func (m *outboxModel) View(height int) string {
	st, w := m.c.Styles, m.c.Width
	if !m.loaded {
		if m.err != "" {
			return st.Error.Render(truncate("✗ "+safe(m.err), w))
		}
		return st.Muted.Render("loading the outbox…")
	}
	var bottom []string
	switch {
	case m.err != "":
		bottom = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	case m.note != "":
		bottom = []string{st.OK.Render(truncate("✓ "+m.note, w))}
	}
	h := max(height-len(bottom), 1)
	var out []string
	if m.detail && m.selected() != nil {
		out = m.detailView(h)
	} else {
		out = m.listView(h)
	}
	for len(out) < h && len(bottom) > 0 {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}

func (m *outboxModel) listView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	which := "all states"
	if m.state != "" {
		which = m.state + " only"
	}
	head := fmt.Sprintf("%d %s · %s (s) · ", len(m.list), map[bool]string{true: "message", false: "messages"}[len(m.list) == 1], which)
	if w >= 100 {
		head = strings.Replace(head, " · ", ", newest first · ", 1)
	}
	from := st.Muted.Render(head + "from " + safe(m.sender))
	if m.sender == "" {
		from = st.Muted.Render(head) + st.Warn.Render("no sender address: nothing is sent (see Settings)")
	}
	out := []string{fit(from, w)}
	// columns: when, kind, to, state, tries, subject; the last error too on a wide window
	const kindW, stateW, triesW = 18, 11, 2
	whenW, when := 12, func(x store.Message) string { return x.CreatedAt.In(m.c.Loc).Format("02 Jan 15:04") }
	if w < 100 { // narrow: the time for today's, the date for older ones (enter shows both)
		today := m.c.Now().In(m.c.Loc).Format("2006-01-02")
		whenW, when = 6, func(x store.Message) string {
			t := x.CreatedAt.In(m.c.Loc)
			if t.Format("2006-01-02") == today {
				return t.Format("15:04")
			}
			return t.Format("02 Jan")
		}
	}
	rest := max(w-1-whenW-kindW-stateW-triesW-5, 10)
	errW := 0
	if w >= 120 {
		errW = rest * 2 / 5
		rest -= errW + 1
	}
	toW := min(max(rest/2, 10), 32)
	subjW := max(rest-toW-1, 1)
	cols := func(when, kind, to, state, tries, subj, lastErr string) string {
		s := " " + fit(when, whenW) + " " + fit(kind, kindW) + " " + fit(to, toW) + " " + fit(state, stateW) + " " + right(tries, triesW) + " " + fit(subj, subjW)
		if errW > 0 {
			s += " " + fit(lastErr, errW)
		}
		return s
	}
	out = append(out, st.Header.Render(fit(cols("When", "Kind", "To", "State", "#", "Subject", "Last error"), w)))
	room := max(height-3, 1) // the head, the columns' head, the selected one's error
	m.cursor, m.offset = scrollList(m.cursor, m.offset, room, len(m.list))
	m.top, m.rows = 2, min(room, len(m.list)-m.offset)
	if len(m.list) == 0 {
		none := " No messages yet: changes that matter to someone write them here."
		if m.state != "" {
			none = fmt.Sprintf(" No %s messages. s shows another state.", m.state)
		}
		out = append(out, st.Muted.Render(truncate(none, w)))
	}
	for i := m.offset; i < len(m.list) && i < m.offset+room; i++ {
		x := m.list[i]
		when := when(x)
		line := cols(when, safe(x.Kind), safe(x.To), m.stateText(x), fmt.Sprint(x.Attempts), safe(x.Subject), safe(x.LastError))
		if i == m.cursor {
			out = append(out, st.Selected.Render(fit(line, w)))
			continue
		}
		// the state in its colour
		pre := " " + fit(when, whenW) + " " + fit(safe(x.Kind), kindW) + " " + fit(safe(x.To), toW) + " "
		post := " " + right(fmt.Sprint(x.Attempts), triesW) + " " + fit(safe(x.Subject), subjW)
		if errW > 0 {
			post += " " + st.Error.Render(fit(safe(x.LastError), errW))
		}
		out = append(out, fit(pre+m.stateStyle(x).Render(fit(m.stateText(x), stateW))+post, w))
	}
	for len(out) < height-1 {
		out = append(out, "")
	}
	if sel := m.selected(); sel != nil && sel.LastError != "" && errW == 0 {
		out = append(out, st.Error.Render(truncate(" last error: "+safe(sel.LastError), w)))
	}
	return out
}

// detailView shows the selected message whole: its facts and its body.
func (m *outboxModel) detailView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	x := *m.selected()
	const labelW = 10
	var lines []string
	field := func(label, v string) {
		for i, l := range strings.Split(wrap(v, max(w-labelW, 10)), "\n") {
			lead := strings.Repeat(" ", labelW)
			if i == 0 {
				lead = st.Label.Render(fit(label, labelW))
			}
			lines = append(lines, lead+strings.TrimRight(l, " "))
		}
	}
	loc := m.c.Loc
	to := safe(x.To)
	if x.ToName != "" {
		to = safe(x.ToName) + " <" + to + ">"
	}
	field("To", to)
	field("Subject", safe(x.Subject))
	field("Kind", safe(x.Kind))
	field("Written", x.CreatedAt.In(loc).Format("Mon 02 Jan 2006 15:04"))
	state := x.State
	switch {
	case x.State == store.MsgSent:
		state += " " + x.SentAt.In(loc).Format("Mon 02 Jan 15:04") + " by " + safe(x.ClaimedBy)
	case x.State == store.MsgPending && x.Attempts > 0:
		state += ", next try " + x.NextAt.In(loc).Format("Mon 02 Jan 15:04")
	case x.State == store.MsgFailed:
		state += ": r puts it back in line"
	}
	field("State", fmt.Sprintf("%s (%d %s)", state, x.Attempts, map[bool]string{true: "try", false: "tries"}[x.Attempts == 1]))
	if x.LastError != "" {
		field("Error", safe(x.LastError))
	}
	if x.JobID != 0 {
		field("Job", fmt.Sprintf("#%d", x.JobID))
	}
	if x.InvoiceID != 0 {
		field("Attached", fmt.Sprintf("the PDF of invoice %d", x.InvoiceID))
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", w)))
	for _, l := range strings.Split(store.Clean(x.Body, true), "\n") {
		for _, part := range strings.Split(wrap(l, max(w-1, 10)), "\n") {
			lines = append(lines, " "+strings.TrimRight(part, " "))
		}
	}
	title := st.Title.Render(fmt.Sprintf("Message %d", x.ID))
	room := max(height-1, 1)
	m.scroll = min(m.scroll, max(len(lines)-room, 0))
	shown := lines[m.scroll:min(m.scroll+room, len(lines))]
	pos := fmt.Sprintf("%d of %d, newest first", m.cursor+1, len(m.list))
	if len(lines) > room {
		pos += fmt.Sprintf(" · lines %d-%d of %d, ↑/↓", m.scroll+1, m.scroll+len(shown), len(lines))
	}
	pos = st.Muted.Render(pos)
	out := []string{fit(title, max(w-width(pos), 0)) + pos}
	for _, l := range shown {
		out = append(out, fit(l, w))
	}
	return out
}
