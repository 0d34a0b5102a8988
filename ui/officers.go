package ui

import (
	"context"
	"fmt"
	"sort"
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
// hours this week and month and next shifts; add, edit, deactivate. Each
// officer's standing (leave, suspension, restricted duty) and
// certifications show in the detail pane; a name is marked with ! when a
// certification lapses within store.CertWarnDays (or has lapsed), and with
// the standing of today. Supervisors add periods (l), end or remove the
// current one (x) and add or renew certifications (c).
type officersModel struct {
	c         *Common
	keys      officerKeys
	agencies  []store.Agency
	list      []store.Officer
	loads     map[int64]store.OfficerLoad
	standing  map[int64]store.Standing
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
	Leave, EndLeave, Cert                       key.Binding
}

func newOfficers(c *Common) *officersModel {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "name, badge, rank, phone"
	m := &officersModel{c: c, filter: fi, keys: officerKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Agency:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "agency")),
		Add:      key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "add")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Active:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deactivate")),
		Leave:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "leave")),
		EndLeave: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "end leave")),
		Cert:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cert")),
	}}
	// help offers only what the role may do; a refused key still answers why
	if !c.can(store.PermAdmin) {
		for _, k := range []*key.Binding{&m.keys.Add, &m.keys.Edit, &m.keys.Active, &m.keys.Leave, &m.keys.EndLeave, &m.keys.Cert} {
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
	case refused(km, m.keys.Leave), refused(km, m.keys.EndLeave):
		return needs(m.c, "recording leave", store.PermAdmin)
	case refused(km, m.keys.Cert):
		return needs(m.c, "recording certifications", store.PermAdmin)
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
	return []key.Binding{m.keys.Filter, m.keys.Agency, m.keys.Add, m.keys.Edit, m.keys.Active, m.keys.Leave} // c and x: the full help
}

func (m *officersModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Filter, m.keys.Agency}, {m.keys.Add, m.keys.Edit, m.keys.Active}, {m.keys.Leave, m.keys.EndLeave, m.keys.Cert}}
}

type officersMsg struct {
	agencies []store.Agency
	list     []store.Officer
	loads    map[int64]store.OfficerLoad
	standing map[int64]store.Standing
	err      error
}

type officerSavedMsg struct {
	what string
	err  error
}

func (m *officersModel) load() tea.Cmd {
	st, now, loc, actor := m.c.Store, m.c.Now(), m.c.Loc, m.c.Actor
	standing := m.c.can(store.PermDispatch) // the tab's readers: the store refuses anyone else
	return func() tea.Msg {
		ctx := context.Background()
		var msg officersMsg
		if msg.agencies, msg.err = st.Agencies(ctx); msg.err != nil {
			return msg
		}
		if msg.list, msg.err = st.Officers(ctx, 0); msg.err != nil {
			return msg
		}
		if msg.loads, msg.err = st.OfficerLoads(ctx, now, loc); msg.err != nil {
			return msg
		}
		if standing {
			msg.standing, msg.err = st.Standings(ctx, actor)
		}
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
		m.agencies, m.list, m.loads, m.standing, m.loaded, m.err = agencies, list, msg.loads, msg.standing, true, ""
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
	case key.Matches(km, m.keys.Leave):
		if o := m.selected(); o != nil {
			return m.openLeaveForm(o)
		}
	case key.Matches(km, m.keys.EndLeave):
		if o := m.selected(); o != nil {
			m.askEndPeriod(o)
		}
	case key.Matches(km, m.keys.Cert):
		if o := m.selected(); o != nil {
			return m.openCertForm(o)
		}
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
	bottom := 5 // the selected officer's details, standing and certifications
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
	today := m.todayDate()
	for i := m.offset; i < len(m.view) && i < m.offset+rows; i++ {
		o := m.list[m.view[i]]
		l := m.loads[o.ID]
		sd := m.standing[o.ID]
		mark := " "
		if len(sd.Expiring(today)) > 0 {
			mark = "!" // a certification lapses within 30 days, or has
		}
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
		if mark := standingMark(sd, today); mark != "" { // the name gives way to the standing
			name = truncate(name, max(nameW-width(mark), 4)) + mark
		}
		line := fit(fmt.Sprintf(" %s %-3s %-10s %-7s %s%4d %5s %5s  %s", fit(name, nameW), ag, safe(o.Rank), safe(o.Badge), fit(safe(o.Phone), phoneW),
			o.WeeklyCapMinutes/60, pricing.FormatMinutes(l.WeekMinutes), pricing.FormatMinutes(l.MonthMinutes), next), w)
		line = mark + line[1:]
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
		sd := m.standing[o.ID]
		stLine, certs := truncate(standingLine(sd, today), w), truncate(certLine(sd, today), w)
		if len(sd.On(today)) > 0 {
			stLine = st.Warn.Render(stLine)
		}
		if len(sd.Expiring(today)) > 0 {
			certs = st.Warn.Render(certs)
		}
		out = append(out, st.Rule.Render(strings.Repeat("─", w)),
			truncate(fmt.Sprintf(" %s · %s · %s · hired %s", safe(o.Name()), safe(o.Phone), safe(o.Email), o.HiredOn.Format("2006-01-02")), w),
			truncate(" next shifts: "+strings.Join(next, ", "), w), stLine, certs)
	} else {
		out = append(out, "", "", "", "", "")
	}
	if m.confirm != nil {
		out = append(out, st.Warn.Render(truncate(safe(m.confirm.title)+"  y/n", w)))
	} else if m.err != "" {
		out = append(out, st.Error.Render(truncate("✗ "+safe(m.err), w)))
	}
	return strings.Join(out, "\n")
}

// todayDate is the office's today as the store keeps a day (00:00 UTC).
func (m *officersModel) todayDate() time.Time {
	d := m.c.today()
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func dateOf(d Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// shortDay is "Fri 18 Dec", with the year when it is not today's.
func shortDay(d, today time.Time) string {
	if d.Year() != today.Year() {
		return d.Format("Mon 02 Jan 2006")
	}
	return d.Format("Mon 02 Jan")
}

var kindNouns = map[string]string{store.StandingLeave: "leave", store.StandingSuspension: "suspension", store.StandingRestricted: "restricted duty"}

var kindWords = map[string]string{store.StandingLeave: "on leave", store.StandingSuspension: "suspended", store.StandingRestricted: "restricted duty"}

// periodWords is a period in the detail pane: "on leave Mon 14 Dec to Fri
// 18 Dec: family (#3)".
func periodWords(p store.StandingPeriod, today time.Time) string {
	span := "from " + shortDay(p.From, today) + ", until further notice"
	switch {
	case !p.Open() && p.From.Equal(p.To):
		span = "on " + shortDay(p.From, today)
	case !p.Open():
		span = shortDay(p.From, today) + " to " + shortDay(p.To, today)
	}
	return fmt.Sprintf("%s %s: %s (#%d)", kindWords[p.Kind], span, safe(p.Reason), p.ID)
}

// standingMark is what the list adds to a name: today's standing.
func standingMark(st store.Standing, today time.Time) string {
	on := st.On(today)
	if len(on) == 0 {
		return ""
	}
	return " (" + map[string]string{store.StandingLeave: "leave", store.StandingSuspension: "suspended", store.StandingRestricted: "restricted"}[on[0].Kind] + ")"
}

// standingLine is the detail pane's line on leave, suspension and restricted duty.
func standingLine(st store.Standing, today time.Time) string {
	var parts []string
	for _, p := range st.On(today) {
		parts = append(parts, periodWords(p, today))
	}
	if ahead := st.Ahead(today); len(ahead) > 0 {
		parts = append(parts, "next: "+periodWords(ahead[0], today))
	}
	if len(parts) == 0 {
		return " standing: on duty (no leave, suspension or restriction)"
	}
	return " standing: " + strings.Join(parts, " · ")
}

// certLine is the detail pane's line on certifications: an expiring one
// first, marked with !.
func certLine(st store.Standing, today time.Time) string {
	if len(st.Certs) == 0 {
		return " certifications: none"
	}
	certs := append([]store.Cert(nil), st.Certs...)
	sort.SliceStable(certs, func(i, k int) bool { return certs[i].Expiring(today) && !certs[k].Expiring(today) })
	var parts []string
	for _, c := range certs {
		n := c.DaysLeft(today)
		switch {
		case n < 0:
			parts = append(parts, fmt.Sprintf("! %s EXPIRED %s", safe(c.Name), shortDay(c.Expires, today)))
		case n <= store.CertWarnDays:
			parts = append(parts, fmt.Sprintf("! %s expires %s (%d %s)", safe(c.Name), shortDay(c.Expires, today), n, plural(n, "day")))
		default:
			parts = append(parts, fmt.Sprintf("%s to %s", safe(c.Name), c.Expires.Format("02 Jan 2006")))
		}
	}
	return " certifications: " + strings.Join(parts, " · ")
}

// openLeaveForm asks for a period of leave, suspension or restricted duty.
func (m *officersModel) openLeaveForm(o *store.Officer) tea.Cmd {
	today := m.c.today()
	kinds := []string{store.StandingLeave, store.StandingSuspension, store.StandingRestricted}
	var from *field
	from = textField("From", "today", "first day", func(v string) (string, error) {
		d, err := ParseDate(v, today)
		if err != nil {
			return "", err
		}
		return d.Echo(), nil
	})
	to := textField("To", "", "last day; empty: until further notice", func(v string) (string, error) {
		if v == "" {
			return "until further notice", nil
		}
		d, err := ParseDate(v, today)
		if err != nil {
			return "", err
		}
		if f, err := ParseDate(from.value(), today); err == nil && dateOf(d).Before(dateOf(f)) {
			return "", fmt.Errorf("the last day is before the first")
		}
		return d.Echo() + ", inclusive", nil
	})
	reason := textField("Reason", "", "family, IA review, light duty…", func(v string) (string, error) {
		if v == "" {
			return "", fmt.Errorf("a reason is required")
		}
		return "", nil
	}).max(store.MaxReason)
	fields := []*field{choiceField("Kind", kinds, 0), from, to, reason}
	id, name := o.ID, safe(o.Name())
	m.form = newFieldForm("Leave, suspension or restricted duty: "+name, fields, func() tea.Cmd {
		f, _ := ParseDate(from.value(), today)
		in := store.StandingInput{OfficerID: id, Kind: fields[0].value(), From: dateOf(f), Reason: reason.value()}
		if to.value() != "" {
			t, _ := ParseDate(to.value(), today)
			in.To = dateOf(t)
		}
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			p, held, err := st.AddStanding(context.Background(), actor, in)
			what := fmt.Sprintf("Recorded %s for %s, %s", kindNouns[p.Kind], name, p.Span())
			if len(held) > 0 {
				var jobs []string
				for _, h := range held {
					jobs = append(jobs, fmt.Sprintf("#%d", h.JobID))
				}
				what = fmt.Sprintf("Recorded %s for %s; reassign the %d %s held in it: job %s", kindNouns[p.Kind], name, len(held), plural(len(held), "shift"), strings.Join(jobs, ", "))
			}
			return officerSavedMsg{what: what, err: err}
		}
	})
	return m.form.setFocus(0)
}

// askEndPeriod asks to end the officer's current period as of yesterday
// (back on duty today) or, for one that begins today or later, to remove it.
func (m *officersModel) askEndPeriod(o *store.Officer) {
	today := m.todayDate()
	st := m.standing[o.ID]
	var p *store.StandingPeriod
	if on := st.On(today); len(on) > 0 {
		p = &on[0]
	} else if ahead := st.Ahead(today); len(ahead) > 0 {
		p = &ahead[0]
	}
	if p == nil {
		m.err = safe(o.Name()) + " has no current or coming period to end"
		return
	}
	id, pid, name, what := o.ID, p.ID, safe(o.Name()), fmt.Sprintf("%s (#%d)", kindNouns[p.Kind], p.ID)
	db, actor := m.c.Store, m.c.Actor
	if p.From.Before(today) {
		yesterday := today.AddDate(0, 0, -1)
		m.confirm = &confirmBox{title: fmt.Sprintf("End %s's %s as of yesterday, on duty today?", name, what), yes: func() tea.Msg {
			_, err := db.EndStanding(context.Background(), actor, id, pid, yesterday)
			return officerSavedMsg{what: fmt.Sprintf("Ended %s's %s as of %s", name, what, yesterday.Format("Mon 02 Jan")), err: err}
		}}
		return
	}
	m.confirm = &confirmBox{title: fmt.Sprintf("Remove %s's %s, %s?", name, what, strings.TrimPrefix(p.Span(), "from ")), yes: func() tea.Msg {
		err := db.RemoveStanding(context.Background(), actor, id, pid)
		return officerSavedMsg{what: fmt.Sprintf("Removed %s's %s", name, what), err: err}
	}}
}

// openCertForm adds a certification or renews one the officer holds (the
// name says which); an expiring one is offered first.
func (m *officersModel) openCertForm(o *store.Officer) tea.Cmd {
	today := m.c.today()
	st := m.standing[o.ID]
	value := ""
	if exp := st.Expiring(dateOf(today)); len(exp) > 0 {
		value = exp[0].Name
	}
	seen := map[string]bool{}
	var known []string
	for _, x := range m.standing {
		for _, c := range x.Certs {
			if !seen[c.Name] {
				seen[c.Name] = true
				known = append(known, c.Name)
			}
		}
	}
	sort.Strings(known)
	hint := "traffic control"
	if len(known) > 0 {
		hint = strings.Join(known, ", ")
	}
	name := textField("Name", value, hint, func(v string) (string, error) {
		n, err := store.CertName(v)
		if err != nil {
			return "", err
		}
		if c, ok := st.Cert(n); ok {
			return "renews; now to " + c.Expires.Format("02 Jan 2006"), nil
		}
		if len(known) > 0 && !seen[n] {
			return "a new name: check the spelling", nil
		}
		return "adds it", nil
	}).max(store.MaxCertName)
	expires := textField("Expires", "", "last valid day", func(v string) (string, error) {
		d, err := ParseDate(v, today)
		if err != nil {
			return "", err
		}
		return d.Echo(), nil
	})
	fields := []*field{name, expires}
	id, who := o.ID, safe(o.Name())
	m.form = newFieldForm("Certification: "+who, fields, func() tea.Cmd {
		n, _ := store.CertName(name.value())
		d, _ := ParseDate(expires.value(), today)
		action, verb := store.CertAdd, "Added"
		if _, ok := st.Cert(n); ok {
			action, verb = store.CertRenew, "Renewed"
		}
		s, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			c, err := s.SetCert(context.Background(), actor, id, action, n, dateOf(d))
			return officerSavedMsg{what: fmt.Sprintf("%s %s for %s: valid through %s", verb, c.Name, who, c.Expires.Format("02 Jan 2006")), err: err}
		}
	})
	return m.form.setFocus(0)
}
