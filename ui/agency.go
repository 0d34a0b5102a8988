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

// rosterMaxDays bounds a range asked for on the Roster tab.
const rosterMaxDays = 31

type rosterKeys struct {
	Up, Down, Prev, Next, Range, Now key.Binding
}

// rosterModel is an agency user's Roster tab, read-only: its officers on
// details in the next 24 hours (officer, badge, site and address, times,
// the on-site contact), or over a range of days it chooses.
type rosterModel struct {
	c      *Common
	keys   rosterKeys
	from   time.Time // a chosen range: its first day (local midnight); zero: the next 24 hours
	days   int
	list   []store.RosterLine
	agency string
	shown  time.Time // the start and end of what the list holds
	until  time.Time
	loaded bool
	err    string
	scroll int
	prompt *prompt
}

type rosterMsg struct {
	from        time.Time
	list        []store.RosterLine
	agency      string
	start, stop time.Time
	err         error
}

func newRoster(c *Common) *rosterModel {
	return &rosterModel{c: c, days: 1, keys: rosterKeys{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		Down:  key.NewBinding(key.WithKeys("down", "j")),
		Prev:  key.NewBinding(key.WithKeys("["), key.WithHelp("[ ]", "earlier/later")),
		Next:  key.NewBinding(key.WithKeys("]")),
		Range: key.NewBinding(key.WithKeys("r", "/"), key.WithHelp("r", "dates")),
		Now:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next 24 h")),
	}}
}

// window is the span the tab lists: the next 24 hours (with the details
// under way now), or the chosen days.
func (m *rosterModel) window() (time.Time, time.Time) {
	if m.from.IsZero() {
		now := m.c.Now()
		return now, now.Add(24 * time.Hour)
	}
	return m.from, m.from.AddDate(0, 0, m.days)
}

func (m *rosterModel) load() tea.Cmd {
	st, actor, from := m.c.Store, m.c.Actor, m.from
	start, stop := m.window()
	return func() tea.Msg {
		ctx := context.Background()
		msg := rosterMsg{from: from, start: start, stop: stop}
		q := start
		if from.IsZero() { // the next 24 hours: what is under way now too
			q = start.Add(-24 * time.Hour)
		}
		list, err := st.AgencyRoster(ctx, actor, q, stop)
		if err != nil {
			msg.err = err
			return msg
		}
		for _, l := range list {
			if l.End.After(start) {
				msg.list = append(msg.list, l)
			}
		}
		if v, err := st.Viewer(ctx, actor); err == nil && v.AgencyID != 0 {
			if all, err := st.Agencies(ctx); err == nil {
				for _, a := range all {
					if a.ID == v.AgencyID {
						msg.agency = a.Name
					}
				}
			}
		}
		return msg
	}
}

func (m *rosterModel) capturing() bool { return m.prompt != nil }

func (m *rosterModel) ShortHelp() []key.Binding {
	if m.prompt != nil {
		return promptHelp()
	}
	return []key.Binding{m.keys.Up, m.keys.Prev, m.keys.Range, m.keys.Now}
}

func (m *rosterModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Prev, m.keys.Range, m.keys.Now}}
}

func cleanRosterLine(l store.RosterLine) store.RosterLine {
	for _, p := range []*string{&l.OfficerName, &l.Badge, &l.CustomerName, &l.SiteName, &l.SiteAddress, &l.ContactName, &l.ContactPhone,
		&l.Status, &l.AgencyName, &l.Class} {
		*p = safe(*p)
	}
	return l
}

func (m *rosterModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case rosterMsg:
		if !msg.from.Equal(m.from) {
			return nil // another range was asked for meanwhile
		}
		if msg.err != nil {
			m.err = storeMessage(msg.err)
			return nil
		}
		m.list = make([]store.RosterLine, len(msg.list))
		for i, l := range msg.list {
			m.list[i] = cleanRosterLine(l)
		}
		m.agency, m.shown, m.until, m.loaded, m.err = safe(msg.agency), msg.start, msg.stop, true, ""
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
	switch {
	case key.Matches(km, m.keys.Down), km.String() == "pgdown", km.String() == "space":
		m.scroll += 2 // an entry is two lines
	case key.Matches(km, m.keys.Up), km.String() == "pgup":
		m.scroll = max(m.scroll-2, 0)
	case key.Matches(km, m.keys.Prev), key.Matches(km, m.keys.Next):
		d := m.days
		if key.Matches(km, m.keys.Prev) {
			d = -d
		}
		if m.from.IsZero() {
			n := m.c.Now().In(m.c.Loc)
			m.from = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, m.c.Loc)
		}
		m.from, m.scroll = m.from.AddDate(0, 0, d), 0
		return m.load()
	case key.Matches(km, m.keys.Now):
		m.from, m.days, m.scroll = time.Time{}, 1, 0
		return m.load()
	case key.Matches(km, m.keys.Range):
		m.prompt = newPrompt("Dates", "", fmt.Sprintf("a day (12/24, sat) or two: from to (12/24 12/31), at most %d days", rosterMaxDays),
			func(v string) (string, error) {
				from, days, err := m.parseRange(v)
				if err != nil {
					return "", err
				}
				last := from.AddDate(0, 0, days-1)
				if days == 1 {
					return from.Format("Mon 02 Jan 2006"), nil
				}
				return fmt.Sprintf("%s to %s, %d days", from.Format("Mon 02 Jan"), last.Format("Mon 02 Jan 2006"), days), nil
			},
			func(v string) tea.Cmd {
				from, days, err := m.parseRange(v)
				if err != nil {
					return nil
				}
				m.from, m.days, m.scroll = from, days, 0
				return m.load()
			})
		return m.prompt.focus()
	}
	return nil
}

// parseRange reads "DAY" or "FROM TO" (or "FROM to TO") into local
// midnight of the first day and a number of days.
func (m *rosterModel) parseRange(v string) (time.Time, int, error) {
	parts := strings.Fields(strings.ReplaceAll(strings.ToLower(v), " to ", " "))
	if len(parts) == 0 || len(parts) > 2 {
		return time.Time{}, 0, fmt.Errorf("type a day, or two days: from and to")
	}
	today := m.c.today()
	first, err := ParseDate(parts[0], today)
	if err != nil {
		return time.Time{}, 0, err
	}
	last := first
	if len(parts) == 2 {
		if last, err = ParseDate(parts[1], first); err != nil {
			return time.Time{}, 0, err
		}
	}
	from := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, m.c.Loc)
	to := time.Date(last.Year, last.Month, last.Day, 0, 0, 0, 0, m.c.Loc)
	days := int(to.Sub(from).Hours()/24+0.5) + 1
	switch {
	case days < 1:
		return time.Time{}, 0, fmt.Errorf("the second day is before the first")
	case days > rosterMaxDays:
		return time.Time{}, 0, fmt.Errorf("at most %d days at a time (%d asked)", rosterMaxDays, days)
	}
	return from, days, nil
}

func (m *rosterModel) View(height int) string {
	st, w, loc := m.c.Styles, m.c.Width, m.c.Loc
	if m.err != "" && !m.loaded {
		return st.Error.Render(truncate("✗ "+m.err, w))
	}
	if !m.loaded {
		return st.Muted.Render("loading the roster…")
	}
	span := "next 24 h, to " + m.until.In(loc).Format("Mon 02 Jan 15:04")
	if !m.from.IsZero() {
		span = m.shown.In(loc).Format("Mon 02 Jan")
		if m.days > 1 {
			span += " - " + m.until.In(loc).AddDate(0, 0, -1).Format("Mon 02 Jan")
		}
	}
	officers := map[int64]bool{}
	for _, l := range m.list {
		officers[l.OfficerID] = true
	}
	who := m.agency
	if who == "" {
		who = "Your officers"
	}
	head := fmt.Sprintf("%s · %s · %d %s, %d %s", who, span, len(officers), plural(len(officers), "officer"), len(m.list), plural(len(m.list), "detail"))
	out := []string{st.Bold.Render(truncate(head, w))}
	var doc []string
	const whenW, badgeW = 22, 8
	nameW := min(max(w/4, 12), 22)
	for _, l := range m.list {
		s := l.Start.In(loc)
		when := s.Format("Mon 02 Jan") + " " + timesText(l.Start, l.End, loc)
		site := safe(l.SiteName)
		if l.CustomerName != "" && l.CustomerName != l.SiteName {
			site += " (" + safe(l.CustomerName) + ")"
		}
		doc = append(doc, fit(when, whenW)+" "+st.Bold.Render(fit(safe(l.OfficerName), nameW))+" "+fit(safe(l.Badge), badgeW)+" "+
			truncate(site, max(w-whenW-nameW-badgeW-3, 8)))
		contact := strings.TrimSpace(safe(l.ContactName) + " " + safe(l.ContactPhone))
		if contact == "" {
			contact = "no contact given"
		} else {
			contact = "contact " + contact
		}
		more := safe(l.SiteAddress) + " · " + contact + " · " + statusLabel(l.Status)
		if l.Class == "supervisor" {
			more += " · supervisor"
		}
		doc = append(doc, st.Muted.Render(truncate("  "+more, w)))
	}
	if len(m.list) == 0 {
		doc = append(doc, st.Muted.Render(truncate("None of your officers works a detail then. [ ] earlier or later, r for other dates.", w)))
	}
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.err != "":
		bottom = []string{st.Error.Render(truncate("✗ "+m.err, w))}
	}
	room := max(height-1-len(bottom), 1)
	m.scroll = min(m.scroll, max(len(doc)-room, 0))
	m.scroll -= m.scroll % 2 // an entry's two lines stay together
	out = append(out, doc[m.scroll:min(m.scroll+room, len(doc))]...)
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}
