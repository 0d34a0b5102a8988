package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// officersModel is the Officers tab: a searchable roster by agency with
// hours this week and month and next shifts; add, edit, deactivate.
type officersModel struct {
	c         *Common
	keys      officerKeys
	agencies  []store.Agency
	list      []store.Officer
	loads     map[int64]store.OfficerLoad
	view      []int
	cursor    int
	offset    int
	agency    int // 0 = all, else agencies[agency-1]
	filter    textinput.Model
	filtering bool
	form      *fieldForm
	editing   int64
	confirm   *confirmBox
	loaded    bool
	err       string
	top       int // the screen line of the first row, as last drawn (for clicks)
	rows      int // how many rows the last frame showed
}

type officerKeys struct {
	Up, Down, Filter, Agency, Add, Edit, Active key.Binding
}

func newOfficers(c *Common) *officersModel {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "name, badge, rank, phone"
	m := &officersModel{c: c, filter: fi, keys: officerKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Agency: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "agency")),
		Add:    key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "add")),
		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Active: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deactivate")),
	}}
	// help offers only what the role may do; a refused key still answers why
	if !c.can(store.PermAdmin) {
		for _, k := range []*key.Binding{&m.keys.Add, &m.keys.Edit, &m.keys.Active} {
			k.SetEnabled(false)
		}
	}
	return m
}

// refusal says why a key the role may not use does nothing ("" for any other key).
func (m *officersModel) refusal(km tea.KeyPressMsg) string {
	switch {
	case refused(km, m.keys.Add):
		return needs(m.c, "adding officers", store.PermAdmin)
	case refused(km, m.keys.Edit):
		return needs(m.c, "editing officers", store.PermAdmin)
	case refused(km, m.keys.Active):
		return needs(m.c, "deactivating officers", store.PermAdmin)
	}
	return ""
}

// refilter applies a changed search or agency: the list selects its first
// match, at the top.
func (m *officersModel) refilter() {
	m.apply()
	m.cursor, m.offset = 0, 0
}

// click selects the officer under (x, y) of the screen body.
func (m *officersModel) click(x, y int) tea.Cmd {
	if m.form != nil || m.confirm != nil || !m.loaded {
		return nil
	}
	if m.filtering { // a click ends typing and keeps the search
		m.filtering = false
		m.filter.Blur()
	}
	if i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.view)); ok {
		m.cursor, m.err = i, ""
	}
	return nil
}

func (m *officersModel) capturing() bool { return m.filtering || m.form != nil || m.confirm != nil }

func (m *officersModel) ShortHelp() []key.Binding {
	if m.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	}
	if m.confirm != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "keep"))}
	}
	return []key.Binding{m.keys.Filter, m.keys.Agency, m.keys.Add, m.keys.Edit, m.keys.Active}
}

func (m *officersModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Filter, m.keys.Agency}, {m.keys.Add, m.keys.Edit, m.keys.Active}}
}

type officersMsg struct {
	agencies []store.Agency
	list     []store.Officer
	loads    map[int64]store.OfficerLoad
	err      error
}

type officerSavedMsg struct {
	what string
	err  error
}

func (m *officersModel) load() tea.Cmd {
	st, now, loc := m.c.Store, m.c.Now(), m.c.Loc
	return func() tea.Msg {
		ctx := context.Background()
		var msg officersMsg
		if msg.agencies, msg.err = st.Agencies(ctx); msg.err != nil {
			return msg
		}
		if msg.list, msg.err = st.Officers(ctx, 0); msg.err != nil {
			return msg
		}
		msg.loads, msg.err = st.OfficerLoads(ctx, now, loc)
		return msg
	}
}

func (m *officersModel) apply() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.view = m.view[:0]
	for i, o := range m.list {
		if m.agency > 0 && o.AgencyID != m.agencies[m.agency-1].ID {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(strings.Join([]string{o.Name(), o.Badge, o.Rank, o.Phone, o.Email, o.AgencySlug}, " ")), q) {
			continue
		}
		m.view = append(m.view, i)
	}
	m.cursor = min(m.cursor, max(len(m.view)-1, 0))
}

func (m *officersModel) selected() *store.Officer {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return nil
	}
	return &m.list[m.view[m.cursor]]
}

func (m *officersModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case officersMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		list := make([]store.Officer, len(msg.list))
		for i, o := range msg.list {
			list[i] = cleanOfficer(o)
		}
		agencies := make([]store.Agency, len(msg.agencies))
		for i, a := range msg.agencies {
			a.Slug, a.Name = safe(a.Slug), safe(a.Name)
			agencies[i] = a
		}
		m.agencies, m.list, m.loads, m.loaded, m.err = agencies, list, msg.loads, true, ""
		m.apply()
		return nil
	case officerSavedMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.err = ""
		return m.load()
	}
	km, ok := msg.(tea.KeyPressMsg)
	if m.form != nil {
		closed, cmd := m.form.update(msg)
		if closed {
			m.form = nil
		}
		return cmd
	}
	if !ok {
		if m.filtering {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			return cmd
		}
		return nil
	}
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	if m.filtering {
		return filterKey(&m.filter, &m.filtering, km, m.refilter)
	}
	m.err = ""
	if why := m.refusal(km); why != "" {
		m.err = why
		return nil
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.view)-1, 0))
	case key.Matches(km, m.keys.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(km, m.keys.Agency):
		m.agency = (m.agency + 1) % (len(m.agencies) + 1)
		m.refilter()
	case key.Matches(km, m.keys.Add):
		return m.openForm(nil)
	case key.Matches(km, m.keys.Edit):
		if o := m.selected(); o != nil {
			return m.openForm(o)
		}
	case key.Matches(km, m.keys.Active):
		o := m.selected()
		if o == nil {
			return nil
		}
		id, name, active := o.ID, safe(o.Name()), !o.Active
		verb := "Deactivate"
		if active {
			verb = "Reactivate"
		}
		m.confirm = &confirmBox{title: fmt.Sprintf("%s %s?", verb, name), yes: func() tea.Msg {
			n, err := m.c.Store.SetOfficerActive(context.Background(), m.c.Actor, id, active, m.c.Now())
			what := fmt.Sprintf("%sd %s", verb, name)
			if err == nil && !active && n > 0 {
				what += fmt.Sprintf("; still holds %d future shift(s): reassign them", n)
			}
			return officerSavedMsg{what: what, err: err}
		}}
	}
	return nil
}

func (m *officersModel) openForm(o *store.Officer) tea.Cmd {
	var agencyNames []string
	for _, a := range m.agencies {
		agencyNames = append(agencyNames, a.Name)
	}
	if len(agencyNames) == 0 {
		m.err = "no agencies"
		return nil
	}
	rank := 0
	in := store.OfficerInput{WeeklyCapMinutes: 20 * 60, HiredOn: m.c.Now()}
	agencyIdx := max(m.agency-1, 0)
	title := "Add officer"
	if o != nil {
		title = "Edit " + safe(o.Name())
		in = store.OfficerInput{AgencyID: o.AgencyID, Badge: o.Badge, FirstName: o.FirstName, LastName: o.LastName, Rank: o.Rank,
			Phone: o.Phone, Email: o.Email, WeeklyCapMinutes: o.WeeklyCapMinutes, HiredOn: o.HiredOn}
		for i, r := range store.Ranks {
			if r == o.Rank {
				rank = i
			}
		}
		for i, a := range m.agencies {
			if a.ID == o.AgencyID {
				agencyIdx = i
			}
		}
	}
	required := func(what string) func(string) (string, error) {
		return func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("%s is required", what)
			}
			return "", nil
		}
	}
	fields := []*field{
		choiceField("Agency", agencyNames, agencyIdx),
		textField("Badge", in.Badge, "WV2300", required("badge")).max(store.MaxBadge),
		textField("First name", in.FirstName, "", required("first name")).max(store.MaxPerson),
		textField("Last name", in.LastName, "", required("last name")).max(store.MaxPerson),
		choiceField("Rank", store.Ranks, rank),
		textField("Phone", in.Phone, "801-555-0100", func(v string) (string, error) { return "", store.ValidatePhone(v) }).max(store.MaxPhone),
		textField("Email", in.Email, "", nil).max(store.MaxEmail),
		textField("Weekly cap", strconv.Itoa(in.WeeklyCapMinutes/60), "hours", func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("weekly cap: a whole number of hours, 1 to 168")
			}
			h, err := ParseCount(v, 1, 168, 0, "hours a week")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d h a week", h), nil
		}),
		textField("Hired on", in.HiredOn.Format("2006-01-02"), "YYYY-MM-DD", func(v string) (string, error) {
			d, err := ParseDate(v, m.c.today())
			if err != nil {
				return "", err
			}
			return d.Echo(), nil
		}),
	}
	if o != nil {
		fields = fields[1:] // an officer stays with their agency
	}
	id := int64(0)
	if o != nil {
		id = o.ID
	}
	m.form = newFieldForm(title, fields, func() tea.Cmd {
		get := func(label string) string {
			for _, f := range fields {
				if f.label == label {
					return f.value()
				}
			}
			return ""
		}
		capH, _ := ParseCount(get("Weekly cap"), 1, 168, 0, "hours a week")
		hired, _ := ParseDate(get("Hired on"), m.c.today())
		input := store.OfficerInput{AgencyID: in.AgencyID, Badge: get("Badge"), FirstName: get("First name"), LastName: get("Last name"),
			Rank: get("Rank"), Phone: get("Phone"), Email: get("Email"), WeeklyCapMinutes: capH * 60,
			HiredOn: time.Date(hired.Year, hired.Month, hired.Day, 0, 0, 0, 0, time.UTC)}
		if id == 0 {
			for _, a := range m.agencies {
				if a.Name == get("Agency") {
					input.AgencyID = a.ID
				}
			}
		}
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			if id == 0 {
				o, err := st.CreateOfficer(context.Background(), actor, input)
				return officerSavedMsg{what: "Added " + safe(o.Name()), err: err}
			}
			return officerSavedMsg{what: "Saved " + safe(input.FirstName+" "+input.LastName), err: st.UpdateOfficer(context.Background(), actor, id, input)}
		}
	})
	return m.form.setFocus(0)
}

func (m *officersModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if m.form != nil {
		return m.form.view(st, w, height)
	}
	if !m.loaded {
		return st.Muted.Render("loading officers…")
	}
	agency := "all agencies"
	if m.agency > 0 {
		agency = safe(m.agencies[m.agency-1].Name)
	}
	head := fmt.Sprintf("%d of %d officers · %s", len(m.view), len(m.list), agency)
	var out []string
	if m.filtering || m.filter.Value() != "" {
		out = append(out, fit(m.filter.View(), w/2)+" "+st.Muted.Render(truncate(head, w-w/2-1)))
	} else {
		out = append(out, st.Muted.Render(fit(head, w)))
	}
	phoneW := 0
	if w >= 100 {
		phoneW = 13
	}
	nameW := max(w-1-4-11-8-phoneW-5-6-6-2-16, 10)
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %s %-3s %-10s %-7s %s%4s %5s %5s  %s", fit("Name", nameW), "Agy", "Rank", "Badge", fit("Phone", phoneW), "Cap", "Week", "Month", "Next shift"), w)))
	bottom := 3 // the selected officer's details
	if m.confirm != nil || m.err != "" {
		bottom++
	}
	rows := max(height-2-bottom, 1)
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.view))
	m.top, m.rows = 2, min(rows, len(m.view)-m.offset)
	if len(m.view) == 0 && len(m.list) > 0 {
		out = append(out, st.Muted.Render(truncate(" No officers match. / changes the search, f the agency.", w)))
	}
	now := m.c.Now()
	for i := m.offset; i < len(m.view) && i < m.offset+rows; i++ {
		o := m.list[m.view[i]]
		l := m.loads[o.ID]
		next := "—"
		for _, b := range l.Next {
			if b.End.After(now) {
				next = b.Start.In(m.c.Loc).Format("Mon 02 Jan 15:04")
				break
			}
		}
		ag := "WVC"
		if o.AgencySlug == "grantsville" {
			ag = "GPD"
		}
		name := safe(o.Name())
		if !o.Active {
			name += " (inactive)"
		}
		line := fit(fmt.Sprintf(" %s %-3s %-10s %-7s %s%4d %5s %5s  %s", fit(name, nameW), ag, safe(o.Rank), safe(o.Badge), fit(safe(o.Phone), phoneW),
			o.WeeklyCapMinutes/60, pricing.FormatMinutes(l.WeekMinutes), pricing.FormatMinutes(l.MonthMinutes), next), w)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(line)
		case !o.Active:
			line = st.Muted.Render(line)
		case l.WeekMinutes >= o.WeeklyCapMinutes:
			line = st.Warn.Render(line)
		}
		out = append(out, line)
	}
	for len(out) < height-bottom {
		out = append(out, "")
	}
	if o := m.selected(); o != nil {
		l := m.loads[o.ID]
		var next []string
		for _, b := range l.Next {
			next = append(next, b.Start.In(m.c.Loc).Format("Mon 02 Jan 15:04")+"-"+b.End.In(m.c.Loc).Format("15:04"))
		}
		if len(next) == 0 {
			next = []string{"none booked"}
		}
		out = append(out, st.Rule.Render(strings.Repeat("─", w)),
			truncate(fmt.Sprintf(" %s · %s · %s · hired %s", safe(o.Name()), safe(o.Phone), safe(o.Email), o.HiredOn.Format("2006-01-02")), w),
			truncate(" next shifts: "+strings.Join(next, ", "), w))
	} else {
		out = append(out, "", "", "")
	}
	if m.confirm != nil {
		out = append(out, st.Warn.Render(truncate(safe(m.confirm.title)+"  y/n", w)))
	} else if m.err != "" {
		out = append(out, st.Error.Render(truncate("✗ "+safe(m.err), w)))
	}
	return strings.Join(out, "\n")
}
