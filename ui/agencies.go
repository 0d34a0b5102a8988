package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// tabAgencies is the Agencies tab (supervisors): each agency's rate card in
// force and its history, a new card from a date (a form prefilled from the
// card it follows, with a live diff, saved on y), holidays with their next
// dates, and prohibited venues with the rule text quoted at intake.
const tabAgencies = 410 // after the Customers tab (400)

func init() {
	tabShort["Agencies"] = "Agy"
}

// The sections of an agency's page.
const (
	secCard = iota
	secHolidays
	secVenues
)

var sectionNames = []string{"Card", "Holidays", "Venues"}

// agenciesModel is the Agencies tab: the list of agencies, then one
// agency's page in three sections (←/→): its card and history, its
// holidays, its venue rules.
type agenciesModel struct {
	c      *Common
	keys   agencyKeys
	rows   []agencyRow
	loaded bool
	cursor int
	err    string
	note   string

	page    *agencyPage // nil: the list
	section int
	item    int // the selected holiday or venue
	scroll  int // the card section's first line

	form     *fieldForm // a new card or a holiday being typed
	cardForm *cardForm  // the new card's fields, for the live diff
	held     *fieldForm // the card form behind its diff while y is asked
	plan     *store.CardPlan
	prompt   *prompt     // a venue's rule text
	confirm  *confirmBox // removing a holiday or a venue rule
	seq      int         // the latest page load: older answers are dropped
}

// agencyRow is an agency as the list shows it.
type agencyRow struct {
	a        store.Agency
	inForce  *store.RateCard
	next     *store.RateCard // the next scheduled card
	holidays int
	venues   int
}

// agencyPage is one agency's card history, holidays and venue rules.
type agencyPage struct {
	a        store.Agency
	cards    []store.RateCard // newest first
	holidays []pricing.Holiday
	venues   []store.VenueRule
}

type agencyKeys struct {
	Up, Open, Back, Section, New, Holiday, Venue, Remove key.Binding
}

func newAgencies(c *Common) *agenciesModel {
	return &agenciesModel{c: c, keys: agencyKeys{
		Up:      key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "move")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:    key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Section: key.NewBinding(key.WithKeys("left", "right", "1", "2", "3"), key.WithHelp("←/→", "section")),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new card")),
		Holiday: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "add holiday")),
		Venue:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "venue rule")),
		Remove:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "remove")),
	}}
}

// Messages of the tab.
type (
	agenciesMsg struct {
		rows []agencyRow
		err  error
	}
	agencyPageMsg struct {
		seq  int
		page *agencyPage
		err  error
	}
	agencyPlanMsg struct {
		plan store.CardPlan
		err  error
	}
	agencyDoneMsg struct {
		what string
		err  error
	}
)

// routeAgencies gives the tab's messages to it, whichever tab is in front.
func (a *App) routeAgencies(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case agencyDoneMsg:
		cmd := a.agc.Update(msg)
		if m.err == nil { // the request form prices with what changed
			return tea.Batch(cmd, a.loadAll), true
		}
		return cmd, true
	case agenciesMsg, agencyPageMsg, agencyPlanMsg:
		return a.agc.Update(msg), true
	}
	return nil, false
}

// editors adds the tab's open form or prompt.
func (m *agenciesModel) editors(buf []any) []any {
	if m.form != nil {
		buf = append(buf, m.form)
	}
	if m.prompt != nil {
		buf = append(buf, m.prompt)
	}
	return buf
}

func (m *agenciesModel) load() tea.Cmd {
	st, now := m.c.Store, m.c.Now()
	cmds := []tea.Cmd{func() tea.Msg {
		ctx := context.Background()
		all, err := st.Agencies(ctx)
		if err != nil {
			return agenciesMsg{err: err}
		}
		var rows []agencyRow
		for _, a := range all {
			r := agencyRow{a: a}
			cards, err := st.RateCards(ctx, a.ID)
			if err != nil {
				return agenciesMsg{err: err}
			}
			scheduled, inForce, _ := store.SplitCards(cards, now)
			if inForce != nil {
				c := *inForce
				r.inForce = &c
			}
			if len(scheduled) > 0 {
				r.next = &scheduled[0]
			}
			hs, err := st.Holidays(ctx, a.ID)
			if err != nil {
				return agenciesMsg{err: err}
			}
			vs, err := st.VenueRules(ctx, a.ID)
			if err != nil {
				return agenciesMsg{err: err}
			}
			r.holidays, r.venues = len(hs), len(vs)
			rows = append(rows, r)
		}
		return agenciesMsg{rows: rows}
	}}
	if m.page != nil {
		cmds = append(cmds, m.loadPage(m.page.a))
	}
	return tea.Batch(cmds...)
}

func (m *agenciesModel) loadPage(a store.Agency) tea.Cmd {
	st := m.c.Store
	m.seq++
	seq := m.seq
	return func() tea.Msg {
		ctx := context.Background()
		p := &agencyPage{a: a}
		var err error
		if p.cards, err = st.RateCards(ctx, a.ID); err != nil {
			return agencyPageMsg{seq: seq, err: err}
		}
		if p.holidays, err = st.Holidays(ctx, a.ID); err != nil {
			return agencyPageMsg{seq: seq, err: err}
		}
		if p.venues, err = st.VenueRules(ctx, a.ID); err != nil {
			return agencyPageMsg{seq: seq, err: err}
		}
		return agencyPageMsg{seq: seq, page: p}
	}
}

func (m *agenciesModel) capturing() bool {
	return m.form != nil || m.prompt != nil || m.confirm != nil || m.plan != nil
}

func (m *agenciesModel) ShortHelp() []key.Binding {
	switch {
	case m.plan != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "save the card")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "back to the form"))}
	case m.confirm != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "remove")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "keep"))}
	case m.form != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next")), key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "review")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.prompt != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.page == nil:
		return []key.Binding{m.keys.Up, m.keys.Open, m.keys.New}
	}
	out := []key.Binding{m.keys.Section, m.keys.Up, m.keys.New, m.keys.Holiday, m.keys.Venue}
	if m.section != secCard {
		out = append(out, m.keys.Remove)
	}
	return append(out, m.keys.Back)
}

func (m *agenciesModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *agenciesModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case agenciesMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.rows, m.loaded = msg.rows, true
		m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
		return nil
	case agencyPageMsg:
		if msg.seq != m.seq || m.page == nil {
			return nil
		}
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.page = msg.page
		m.clampItem()
		return nil
	case agencyPlanMsg:
		if msg.err != nil {
			m.form, m.held = m.held, nil // back to the form, with what was typed
			m.err = errText(msg.err)
			return nil
		}
		p := msg.plan
		m.plan = &p
		m.err = ""
		return nil
	case agencyDoneMsg:
		if msg.err != nil {
			m.err, m.note = errText(msg.err), ""
		} else {
			m.note, m.err = msg.what, ""
		}
		return m.load()
	}
	if m.form != nil {
		f := m.form
		closed, cmd := f.update(msg)
		if closed && m.form == f {
			m.form = nil
			if cmd == nil { // esc
				m.cardForm = nil
			}
		}
		return cmd
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
	if m.plan != nil {
		switch km.String() {
		case "y", "Y":
			return m.saveCard()
		case "n", "N", "esc":
			m.plan = nil
			m.form, m.held = m.held, nil
		}
		return nil
	}
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	if !m.loaded {
		return nil
	}
	m.err, m.note = "", ""
	if m.page == nil {
		return m.listKey(km)
	}
	return m.pageKey(km)
}

// errText is an error as the screen says it: a store error's message alone.
func errText(err error) string {
	var se *store.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

func (m *agenciesModel) listKey(km tea.KeyPressMsg) tea.Cmd {
	switch km.String() {
	case "up", "k":
		m.cursor = max(m.cursor-1, 0)
	case "down", "j":
		m.cursor = min(m.cursor+1, max(len(m.rows)-1, 0))
	case "enter":
		if len(m.rows) == 0 {
			return nil
		}
		m.page, m.section, m.item, m.scroll = &agencyPage{a: m.rows[m.cursor].a}, secCard, 0, 0
		return m.loadPage(m.rows[m.cursor].a)
	case "n":
		if len(m.rows) == 0 {
			return nil
		}
		m.page, m.section, m.item, m.scroll = &agencyPage{a: m.rows[m.cursor].a}, secCard, 0, 0
		cmd := m.loadPage(m.rows[m.cursor].a)
		return tea.Batch(cmd, m.newCard())
	}
	return nil
}

func (m *agenciesModel) pageKey(km tea.KeyPressMsg) tea.Cmd {
	switch km.String() {
	case "esc", "backspace":
		m.page = nil
		m.seq++
	case "left":
		m.setSection((m.section + 2) % 3)
	case "right":
		m.setSection((m.section + 1) % 3)
	case "1", "2", "3":
		m.setSection(int(km.String()[0] - '1'))
	case "up", "k":
		if m.section == secCard {
			m.scroll = max(m.scroll-1, 0)
		} else {
			m.item = max(m.item-1, 0)
		}
	case "down", "j":
		if m.section == secCard {
			m.scroll++
		} else {
			m.item++
			m.clampItem()
		}
	case "pgdown":
		m.scroll += 10
	case "pgup":
		m.scroll = max(m.scroll-10, 0)
	case "n":
		return m.newCard()
	case "h":
		m.setSection(secHolidays)
		return m.newHoliday()
	case "v", "enter":
		if m.section != secVenues {
			if km.String() == "enter" {
				return nil
			}
			m.setSection(secVenues)
			return nil
		}
		return m.editVenue()
	case "d":
		return m.remove()
	}
	return nil
}

func (m *agenciesModel) setSection(s int) {
	if s != m.section {
		m.section, m.item, m.scroll = s, 0, 0
	}
}

// venueRows are the venue categories an agency may prohibit, in display order.
func venueRows() []pricing.Venue { return pricing.Venues[1:] }

func (m *agenciesModel) clampItem() {
	n := 0
	if m.page != nil {
		switch m.section {
		case secHolidays:
			n = len(m.page.holidays)
		case secVenues:
			n = len(venueRows())
		}
	}
	m.item = min(max(m.item, 0), max(n-1, 0))
}

func (m *agenciesModel) ruleOf(v pricing.Venue) string {
	for _, r := range m.page.venues {
		if r.Venue == v {
			return r.Rule
		}
	}
	return ""
}

// today is the agency's civil date now (UTC midnight).
func (m *agenciesModel) today(a store.Agency) time.Time {
	n := m.c.Now().In(a.Loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// cardForm holds the new card's fields and the card they follow.
type cardForm struct {
	a      store.Agency
	base   store.RateCard // the card in force now (the diff's left side)
	fields map[string]*field
}

// card reads the fields into a card and its date; the error names the first bad field.
func (cf *cardForm) card(today time.Time) (time.Time, pricing.RateCard, string, error) {
	c := cf.base.Card.WithTerms()
	d, err := ParseDate(cf.fields["from"].value(), Date{today.Year(), today.Month(), today.Day()})
	if err != nil {
		return time.Time{}, c, "", fmt.Errorf("from: %v", err)
	}
	date := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		k   string
		dst *pricing.Rate
	}{{"regular", &c.Regular}, {"supervisor", &c.Supervisor}, {"holiday", &c.Holiday}, {"emergency", &c.Emergency}, {"vehicle", &c.Vehicle}} {
		v, err := pricing.ParseRate(r.k, cf.fields[r.k].value())
		if err != nil {
			return date, c, "", err
		}
		*r.dst = v
	}
	for _, h := range []struct {
		k, what string
		dst     *int
		lo, hi  int
	}{
		{"minimum", "minimum hours", &c.MinimumMinutes, 0, 24 * 60},
		{"notice", "notice", &c.NoticeMinutes, 0, 30 * 24 * 60},
		{"cancel_admin", "admin-fee hours", &c.CancelAdminMinutes, 60, pricing.MaxCancelAdminMinutes},
		{"cancel_late", "late window", &c.CancelLateMinutes, 60, pricing.MaxCancelLateMinutes},
	} {
		m, err := pricing.ParseCardHours(h.what, cf.fields[h.k].value(), h.lo, h.hi)
		if err != nil {
			return date, c, "", err
		}
		*h.dst = m
	}
	n, err := parseSupervisorAt(cf.fields["supervisor_at"].value())
	if err != nil {
		return date, c, "", err
	}
	c.SupervisorAt = n
	if err := c.Validate(); err != nil {
		return date, c, "", err
	}
	return date, c, cf.fields["note"].value(), nil
}

func parseSupervisorAt(v string) (int, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "never" || v == "none" || v == "0" {
		return 0, nil
	}
	n, err := ParseCount(v, 1, 500, 0, "officers")
	if err != nil {
		return 0, fmt.Errorf("supervisor at: a number of officers (1 to 500), or never")
	}
	return n, nil
}

// newCard opens the new-card form for the page's agency, prefilled from
// the card in force; each field echoes what it was, and the lines under
// the form count the changes.
func (m *agenciesModel) newCard() tea.Cmd {
	if m.page == nil {
		return nil
	}
	a := m.page.a
	var base store.RateCard
	for _, r := range m.rows {
		if r.a.ID == a.ID && r.inForce != nil {
			base = *r.inForce
		}
	}
	c := base.Card.WithTerms()
	cf := &cardForm{a: a, base: base, fields: map[string]*field{}}
	today := m.today(a)
	was := func(before, after string) string {
		if before == after {
			return "same"
		}
		return "was " + before
	}
	rate := func(k, label string, r pricing.Rate) *field {
		f := textField(label, pricing.FormatRate(r), "TOTAL/OFFICER or none", func(v string) (string, error) {
			x, err := pricing.ParseRate(k, v)
			if err != nil {
				return "", errors.New(strings.TrimPrefix(err.Error(), k+" rate: "))
			}
			echo := was(pricing.FormatRate(r), pricing.FormatRate(x))
			if x.Offered() {
				echo = "admin " + x.Admin().StringFixed(2) + " · " + echo
			}
			return echo, nil
		})
		cf.fields[k] = f
		return f
	}
	hours := func(k, label, what string, m0, lo, hi int) *field {
		say := map[string]string{"cancel_admin": "admin fee first ", "cancel_late": "officer share within ", "notice": "notice "}[k]
		tail := map[string]string{"minimum": " per person"}[k]
		f := textField(label, strings.TrimSuffix(pricing.FormatHours(m0), " h"), "hours", func(v string) (string, error) {
			n, err := pricing.ParseCardHours(what, v, lo, hi)
			if err != nil {
				return "", err
			}
			return say + pricing.FormatHours(n) + tail + " · " + was(pricing.FormatHours(m0), pricing.FormatHours(n)), nil
		})
		cf.fields[k] = f
		return f
	}
	sup := "never"
	if c.SupervisorAt > 0 {
		sup = fmt.Sprint(c.SupervisorAt)
	}
	from := textField("From", today.AddDate(0, 0, 1).Format("2006-01-02"), "YYYY-MM-DD, today or later", func(v string) (string, error) {
		d, err := ParseDate(v, Date{today.Year(), today.Month(), today.Day()})
		if err != nil {
			return "", err
		}
		t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		switch {
		case t.Before(today):
			return "", fmt.Errorf("before today: a card starts today or later")
		case t.Equal(today):
			return "today: in force once saved", nil
		}
		return d.Echo() + " 00:00", nil
	})
	cf.fields["from"] = from
	fields := []*field{
		from,
		rate("regular", "Regular", c.Regular),
		rate("supervisor", "Supervisor", c.Supervisor),
		rate("holiday", "Holiday", c.Holiday),
		rate("emergency", "Emergency", c.Emergency),
		rate("vehicle", "Vehicle", c.Vehicle),
		hours("minimum", "Minimum h", "minimum hours", c.MinimumMinutes, 0, 24*60),
		hours("notice", "Notice h", "notice", c.NoticeMinutes, 0, 30*24*60),
	}
	supF := textField("Sup. at", sup, "officers, or never", func(v string) (string, error) {
		n, err := parseSupervisorAt(v)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return "never · " + was(sup, "never"), nil
		}
		return fmt.Sprintf("%d or more officers · %s", n, was(sup, fmt.Sprint(n))), nil
	})
	cf.fields["supervisor_at"] = supF
	t := c.CancelTerms()
	fields = append(fields, supF,
		hours("cancel_admin", "Fee hours", "admin-fee hours", t.AdminMinutes, 60, pricing.MaxCancelAdminMinutes),
		hours("cancel_late", "Late hours", "late window", t.LateMinutes, 60, pricing.MaxCancelLateMinutes))
	note := textField("Note", "", "why the card changes", nil).max(store.MaxReason)
	cf.fields["note"] = note
	fields = append(fields, note)
	m.cardForm = cf
	st, actor := m.c.Store, m.c.Actor
	var form *fieldForm
	form = newFieldForm(fmt.Sprintf("New rate card · %s · total/officer per hour", safe(a.Name)), fields, func() tea.Cmd {
		date, card, note, err := cf.card(m.today(a))
		m.held = form
		if err != nil {
			return func() tea.Msg { return agencyPlanMsg{err: err} }
		}
		in := store.CardInput{Agency: a.Slug, Date: date, Card: card, Note: note}
		return func() tea.Msg {
			p, err := st.PlanRateCard(context.Background(), actor, in)
			return agencyPlanMsg{plan: p, err: err}
		}
	})
	m.form = form
	m.err, m.note = "", ""
	return form.setFocus(1) // the regular rate: the date is prefilled with tomorrow
}

// saveCard saves the planned card: y on its diff.
func (m *agenciesModel) saveCard() tea.Cmd {
	p := *m.plan
	m.plan, m.held, m.cardForm = nil, nil, nil
	st, actor := m.c.Store, m.c.Actor
	in := store.CardInput{Agency: p.Agency.Slug, Date: p.Date, Card: p.Card, Note: p.Note}
	return func() tea.Msg {
		s, err := st.SaveRateCard(context.Background(), actor, in)
		if err != nil {
			return agencyDoneMsg{err: err}
		}
		when := "from " + s.From.In(s.Agency.Loc).Format("Mon 02 Jan 2006")
		if s.Today {
			when = "from now"
		}
		return agencyDoneMsg{what: fmt.Sprintf("Saved card #%d for %s %s (%d %s, audited)", s.Saved.ID, s.Agency.Name, when, s.Changed(), plural(s.Changed(), "change"))}
	}
}

// holidayWhen reads a holiday's date or rule as typed: a recurring rule
// (a standard holiday, MM-DD, "3 mon jan") or a date (one-off) in any form
// the request form takes.
func holidayWhen(v string, today time.Time) (string, pricing.Holiday, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", pricing.Holiday{}, fmt.Errorf("a date (one-off) or a rule (07-24, 3 mon jan, thanksgiving)")
	}
	if h, err := pricing.NewHoliday("", "x", v); err == nil {
		return strings.ToLower(v), h, nil
	}
	d, err := ParseDate(v, Date{today.Year(), today.Month(), today.Day()})
	if err != nil {
		return "", pricing.Holiday{}, fmt.Errorf("not a date or a rule: try 2027-04-03, apr 3, 07-24 or 3 mon jan")
	}
	rule := fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	h, err := pricing.NewHoliday("", "x", rule)
	return rule, h, err
}

func (m *agenciesModel) newHoliday() tea.Cmd {
	if m.page == nil {
		return nil
	}
	a := m.page.a
	today := m.today(a)
	name := textField("Name", "", "e.g. Stake Conference", func(v string) (string, error) {
		if v == "" {
			return "", fmt.Errorf("a name is required")
		}
		return "", nil
	}).max(store.MaxHolidayName)
	when := textField("When", "", "2027-04-03 once, or 07-24, 3 mon jan", func(v string) (string, error) {
		_, h, err := holidayWhen(v, today)
		if err != nil {
			return "", err
		}
		if d, ok := h.OneOff(); ok {
			if d.Before(today) {
				return "", fmt.Errorf("%s is in the past", d.Format("Mon 02 Jan 2006"))
			}
			return "one-off " + d.Format("Mon 02 Jan 2006"), nil
		}
		y := today.Year()
		return fmt.Sprintf("%d %s · %d %s", y, onYearUI(h, y), y+1, onYearUI(h, y+1)), nil
	})
	st, actor := m.c.Store, m.c.Actor
	m.form = newFieldForm("Add a holiday · "+safe(a.Name), []*field{name, when}, func() tea.Cmd {
		rule, _, err := holidayWhen(when.value(), today)
		n := name.value()
		return func() tea.Msg {
			if err != nil {
				return agencyDoneMsg{err: err}
			}
			h, err := st.AddHoliday(context.Background(), actor, a.ID, n, rule)
			if err != nil {
				return agencyDoneMsg{err: err}
			}
			return agencyDoneMsg{what: fmt.Sprintf("Added %s (%s) to %s's holidays (recorded in the audit)", h.Name, h.Describe(), a.Name)}
		}
	})
	m.cardForm = nil
	return m.form.setFocus(0)
}

func onYearUI(h pricing.Holiday, y int) string {
	if mo, d, ok := h.Date(y); ok {
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Format("Mon 02 Jan")
	}
	return "—"
}

// editVenue opens the prompt for the selected venue's rule text.
func (m *agenciesModel) editVenue() tea.Cmd {
	if m.page == nil || m.section != secVenues {
		return nil
	}
	a := m.page.a
	v := venueRows()[m.item]
	old := m.ruleOf(v)
	st, actor := m.c.Store, m.c.Actor
	m.prompt = newPrompt("rule for "+string(v), old, "the text quoted when a request is refused · esc cancels",
		func(s string) (string, error) {
			s = strings.TrimSpace(s)
			switch {
			case s == "":
				return "", fmt.Errorf("the rule text is required (d allows the venue again)")
			case len([]rune(s)) > store.MaxVenueRule:
				return "", fmt.Errorf("at most %d characters", store.MaxVenueRule)
			case old == "":
				return fmt.Sprintf("%s: allowed → prohibited, quoting this text", v), nil
			case strings.Join(strings.Fields(s), " ") == old:
				return "unchanged", nil
			}
			return fmt.Sprintf("%s: the text quoted changes", v), nil
		},
		func(s string) tea.Cmd {
			return func() tea.Msg {
				before, err := st.SetVenueRule(context.Background(), actor, a.ID, v, s)
				if err != nil {
					return agencyDoneMsg{err: err}
				}
				if before == "" {
					return agencyDoneMsg{what: fmt.Sprintf("%s prohibits %s now (recorded in the audit)", a.Name, v)}
				}
				return agencyDoneMsg{what: fmt.Sprintf("%s's rule for %s changed (recorded in the audit)", a.Name, v)}
			}
		})
	return m.prompt.focus()
}

// remove asks to remove the selected holiday or venue rule.
func (m *agenciesModel) remove() tea.Cmd {
	if m.page == nil {
		return nil
	}
	a := m.page.a
	st, actor := m.c.Store, m.c.Actor
	switch m.section {
	case secHolidays:
		if len(m.page.holidays) == 0 {
			return nil
		}
		h := m.page.holidays[m.item]
		m.confirm = &confirmBox{title: fmt.Sprintf("Remove the holiday %s (%s) from %s?", safe(h.Name), safe(h.Describe()), safe(a.Name)),
			lines: []string{"Quotes from now on, and shifts not yet invoiced, price that date as a regular day."},
			yes: func() tea.Msg {
				g, err := st.RemoveHoliday(context.Background(), actor, a.ID, h.Key)
				if err != nil {
					return agencyDoneMsg{err: err}
				}
				return agencyDoneMsg{what: fmt.Sprintf("Removed %s from %s's holidays (recorded in the audit)", g.Name, a.Name)}
			}}
	case secVenues:
		v := venueRows()[m.item]
		rule := m.ruleOf(v)
		if rule == "" {
			m.err = fmt.Sprintf("%s is allowed: v prohibits it", v)
			return nil
		}
		m.confirm = &confirmBox{title: fmt.Sprintf("Allow %s again at %s?", v, safe(a.Name)),
			lines: []string{"Its rule: " + safe(rule)},
			yes: func() tea.Msg {
				if _, err := st.RemoveVenueRule(context.Background(), actor, a.ID, v); err != nil {
					return agencyDoneMsg{err: err}
				}
				return agencyDoneMsg{what: fmt.Sprintf("%s allows %s again (recorded in the audit)", a.Name, v)}
			}}
	default:
		m.err = "a card is never removed: n makes a new one"
	}
	return nil
}

func (m *agenciesModel) View(height int) string {
	st, w := m.c.Styles, m.c.Width
	if !m.loaded {
		if m.err != "" {
			return st.Error.Render(truncate("✗ "+safe(m.err), w))
		}
		return st.Muted.Render("loading the agencies…")
	}
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.confirm != nil:
		for _, l := range wrapWords(m.confirm.title, max(w, 10), 0) {
			bottom = append(bottom, st.Warn.Render(truncate(l, w)))
		}
		for _, l := range m.confirm.lines {
			bottom = append(bottom, st.Muted.Render(truncate(" "+l, w)))
		}
		bottom = append(bottom, st.Bold.Render("y")+st.Muted.Render(" removes · n or esc keeps it"))
	case m.err != "":
		bottom = wrapped(st.Error, "✗ "+safe(m.err), w)
	case m.note != "":
		bottom = wrapped(st.OK, "✓ "+safe(m.note), w)
	}
	var body []string
	switch {
	case m.plan != nil:
		body = m.planView(height - len(bottom))
	case m.form != nil:
		body = m.formView(height - len(bottom))
	case m.page != nil:
		body = m.pageView(height - len(bottom))
	default:
		body = m.listView(height - len(bottom))
	}
	room := max(height-len(bottom), 0)
	if len(body) > room {
		body = body[:room]
	}
	for len(body) < room {
		body = append(body, "")
	}
	return strings.Join(append(body, bottom...), "\n")
}

func (m *agenciesModel) listView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	const nameW = 22
	row := func(name, card, regular, next, hol, ven string) string {
		return " " + fit(name, nameW) + " " + fit(card, 22) + " " + right(regular, 8) + "  " + fit(next, 12) + " " + right(hol, 4) + " " + right(ven, 4)
	}
	out := []string{st.Header.Render(fit(row("Agency", "Card in force", "Regular", "Next card", "Hol", "Ven"), w))}
	for i, r := range m.rows {
		card, regular, next := "none", "—", "—"
		if r.inForce != nil {
			card = fmt.Sprintf("#%d since %s", r.inForce.ID, r.inForce.EffectiveFrom.In(r.a.Loc).Format("02 Jan 2006"))
			regular = r.inForce.Card.Regular.Total.StringFixed(2)
		}
		if r.next != nil {
			next = r.next.EffectiveFrom.In(r.a.Loc).Format("02 Jan 2006")
		}
		l := fit(row(safe(r.a.Name), card, regular, next, fmt.Sprint(r.holidays), fmt.Sprint(r.venues)), w)
		if i == m.cursor {
			l = st.Selected.Render(l)
		}
		out = append(out, l)
	}
	if len(m.rows) == 0 {
		out = append(out, st.Muted.Render(" No agencies."))
	}
	out = append(out, "", st.Muted.Render(truncate(" enter: the card in force, its history, holidays and venues · n: a new card", w)))
	return out
}

// sectionBar is "West Valley City PD  [Card] Holidays (13) Venues (3)".
func (m *agenciesModel) sectionBar() string {
	st, w := m.c.Styles, m.c.Width
	p := m.page
	counts := []string{"", fmt.Sprintf(" (%d)", len(p.holidays)), fmt.Sprintf(" (%d)", len(p.venues))}
	bar := ""
	for i, n := range sectionNames {
		label := fmt.Sprintf("%d %s%s", i+1, n, counts[i])
		if i == m.section {
			bar += st.ActiveTab.Render("["+label+"]") + " "
		} else {
			bar += st.Muted.Render(" "+label+" ") + " "
		}
	}
	head := st.Title.Render(safe(p.a.Name)) + " "
	if w >= 100 {
		head += st.Muted.Render("(" + safe(p.a.Slug) + ") ")
	}
	return truncate(head+" "+bar, w)
}

func (m *agenciesModel) pageView(height int) []string {
	out := []string{m.sectionBar()}
	var rest []string
	switch m.section {
	case secCard:
		lines := m.cardLines()
		room := max(height-1, 1)
		m.scroll = min(m.scroll, max(len(lines)-room, 0))
		rest = lines[m.scroll:]
		if m.scroll > 0 {
			rest[0] = m.c.Styles.Muted.Render(truncate(fmt.Sprintf(" ↑ %d more", m.scroll), m.c.Width))
		}
		if len(rest) > room {
			rest = rest[:room]
			rest[room-1] = m.c.Styles.Muted.Render(truncate(fmt.Sprintf(" ↓ %d more (↑/↓ scroll)", len(lines)-m.scroll-room+1), m.c.Width))
		}
	case secHolidays:
		rest = m.holidayLines(height - 1)
	case secVenues:
		rest = m.venueLines(height - 1)
	}
	return append(out, rest...)
}

// cardLines are the card in force, its terms, and every card with what it
// changed, newest first.
func (m *agenciesModel) cardLines() []string {
	st, w := m.c.Styles, m.c.Width
	p := m.page
	loc := p.a.Loc
	scheduled, inForce, earlier := store.SplitCards(p.cards, m.c.Now())
	var out []string
	if inForce == nil {
		return []string{st.Warn.Render(" No card in force: requests cannot be priced. n makes one.")}
	}
	c := inForce.Card
	by := fmt.Sprintf("Card #%d in force since %s · by %s", inForce.ID, inForce.EffectiveFrom.In(loc).Format("Mon 02 Jan 2006 15:04"), safe(inForce.CreatedBy))
	if inForce.Note != "" {
		by += " · " + safe(inForce.Note)
	}
	out = append(out, st.Bold.Render(truncate(by, w)))
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-11s %9s %9s %9s", "rate", "total", "officer", "admin"), min(w, 42))))
	for _, r := range []struct {
		n string
		r pricing.Rate
	}{{"regular", c.Regular}, {"supervisor", c.Supervisor}, {"holiday", c.Holiday}, {"emergency", c.Emergency}, {"vehicle", c.Vehicle}} {
		if !r.r.Offered() {
			out = append(out, fmt.Sprintf(" %-11s %9s", r.n, "none"))
			continue
		}
		out = append(out, fmt.Sprintf(" %-11s %9s %9s %9s", r.n, r.r.Total.StringFixed(2), r.r.Officer.StringFixed(2), r.r.Admin().StringFixed(2)))
	}
	f := c.Fields()
	t := c.CancelTerms()
	out = append(out, truncate(fmt.Sprintf(" minimum %s · notice %s · supervisor at %s", f[5].Value, f[6].Value, f[7].Value), w),
		truncate(fmt.Sprintf(" cancel: admin fee for the first %s; within %s of the start also the officer share",
			pricing.FormatHours(t.AdminMinutes), pricing.FormatHours(t.LateMinutes)), w))
	out = append(out, st.Header.Render(fit(" History (newest first)", w)))
	prevOf := func(rc store.RateCard) *store.RateCard {
		for i := range p.cards {
			if p.cards[i].EffectiveFrom.Before(rc.EffectiveFrom) {
				return &p.cards[i]
			}
		}
		return nil
	}
	entry := func(rc store.RateCard, state string) {
		head := fmt.Sprintf(" #%d from %s  %-10s by %s", rc.ID, rc.EffectiveFrom.In(loc).Format("Mon 02 Jan 2006"), state, safe(rc.CreatedBy))
		if rc.Note != "" {
			head += " · " + safe(rc.Note)
		}
		line := head
		if state == "scheduled" {
			line = st.Warn.Render(truncate(head, w))
		} else if state == "in force" {
			line = st.OK.Render(truncate(head, w))
		}
		out = append(out, truncate(line, w))
		prev := prevOf(rc)
		if prev == nil {
			out = append(out, st.Muted.Render("    the first card"))
			return
		}
		var ch []string
		for _, c := range pricing.CompareCards(prev.Card, rc.Card) {
			if c.Changed {
				ch = append(ch, fmt.Sprintf("%s %s → %s", c.Label, shortFigure(c.Before), shortFigure(c.After)))
			}
		}
		if len(ch) == 0 {
			ch = []string{"same figures"}
		}
		for _, l := range wrapWords(strings.Join(ch, "; "), max(w-4, 10), 0) {
			out = append(out, st.Muted.Render("    "+l))
		}
	}
	for i := len(scheduled) - 1; i >= 0; i-- {
		entry(scheduled[i], "scheduled")
	}
	entry(*inForce, "in force")
	for _, rc := range earlier {
		entry(rc, "earlier")
	}
	return out
}

// shortFigure is a card figure for a history line: "57.00 = 50.00 + 7.00"
// as "57.00/50.00".
func shortFigure(s string) string {
	if t, rest, ok := strings.Cut(s, " = "); ok {
		o, _, _ := strings.Cut(rest, " + ")
		return t + "/" + o
	}
	return s
}

func (m *agenciesModel) holidayLines(height int) []string {
	st, w := m.c.Styles, m.c.Width
	p := m.page
	y := m.c.Now().In(p.a.Loc).Year()
	nameW := max(min(22, w-56), 10)
	ruleW := max(w-nameW-2*11-5, 10)
	row := func(name, rule, a, b string) string {
		return " " + fit(name, nameW) + " " + fit(rule, ruleW) + " " + fit(a, 11) + " " + fit(b, 11)
	}
	out := []string{st.Header.Render(fit(row("Name", "Rule", fmt.Sprint(y), fmt.Sprint(y+1)), w))}
	if len(p.holidays) == 0 {
		return append(out, st.Muted.Render(" No holidays: h adds one."))
	}
	rows := max(height-3, 1)
	offset := 0
	_, offset = scrollList(m.item, offset, rows, len(p.holidays))
	for i := offset; i < len(p.holidays) && i < offset+rows; i++ {
		h := p.holidays[i]
		l := fit(row(safe(h.Name), safe(h.Describe()), onYearUI(h, y), onYearUI(h, y+1)), w)
		if i == m.item {
			l = st.Selected.Render(l)
		}
		out = append(out, l)
	}
	hr := "no holiday rate: the regular rate applies on holidays"
	for _, r := range m.rows {
		if r.a.ID == p.a.ID && r.inForce != nil && r.inForce.Card.Holiday.Offered() {
			hr = "holiday hours at " + r.inForce.Card.Holiday.Total.StringFixed(2) + " per hour"
		}
	}
	out = append(out, st.Muted.Render(truncate(fmt.Sprintf(" %s · key %s · h adds · d removes", hr, safe(p.holidays[m.item].Key)), w)))
	return out
}

func (m *agenciesModel) venueLines(height int) []string {
	st, w := m.c.Styles, m.c.Width
	vs := venueRows()
	out := []string{st.Header.Render(fit(" "+fit("Venue", 15)+" Rule quoted when a request is refused", w))}
	for i, v := range vs {
		rule := m.ruleOf(v)
		text := st.Muted.Render("allowed")
		plain := "allowed"
		if rule != "" {
			plain = "prohibited: “" + safe(rule) + "”"
			text = plain
		}
		l := " " + fit(string(v), 15) + " " + truncate(text, max(w-17, 1))
		if i == m.item {
			l = st.Selected.Render(fit(" "+fit(string(v), 15)+" "+truncate(plain, max(w-17, 1)), w))
		}
		out = append(out, l)
	}
	v := vs[min(m.item, len(vs)-1)]
	about := v.Label() + ": allowed · v prohibits it, with the text quoted to the caller"
	if r := m.ruleOf(v); r != "" {
		about = v.Label() + ": “" + safe(r) + "” · v edits · d allows it again"
	}
	room := max(height-len(out), 1)
	lines := wrapWords(about, max(w-2, 10), 0)
	if len(lines) > room {
		lines = lines[:room]
	}
	for _, l := range lines {
		out = append(out, st.Muted.Render(" "+l))
	}
	return out
}

// formView is the form with, under it, the live diff against the card in
// force (a new card) or what the holiday does.
func (m *agenciesModel) formView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	out := strings.Split(m.form.view(st, w, height), "\n")
	if m.cardForm == nil {
		return out
	}
	cf := m.cardForm
	_, card, _, err := cf.card(m.today(cf.a))
	if err != nil {
		return append(out, st.Error.Render(truncate("✗ "+err.Error(), w)))
	}
	var ch []string
	for _, c := range pricing.CompareCards(cf.base.Card, card) {
		if c.Changed {
			ch = append(ch, c.Label)
		}
	}
	line := fmt.Sprintf("no change against card #%d yet", cf.base.ID)
	if len(ch) > 0 {
		line = fmt.Sprintf("%d %s against card #%d: %s · ctrl+s shows the diff", len(ch), plural(len(ch), "change"), cf.base.ID, strings.Join(ch, ", "))
	}
	return append(out, st.Echo.Render(truncate(line, w)))
}

// planView is the new card's diff against the card it follows, before y.
func (m *agenciesModel) planView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	p := m.plan
	loc := p.Agency.Loc
	when := "from " + p.From.In(loc).Format("Mon 02 Jan 2006 15:04")
	if p.Today {
		when = "from now, when saved"
	}
	out := []string{st.Title.Render(truncate(fmt.Sprintf("New rate card for %s %s", safe(p.Agency.Name), when), w))}
	if p.Previous.ID != 0 {
		out = append(out, st.Muted.Render(truncate(fmt.Sprintf("against card #%d (in force from %s): %d %s", p.Previous.ID,
			p.Previous.EffectiveFrom.In(loc).Format("02 Jan 2006"), p.Changed(), plural(p.Changed(), "change")), w)))
	}
	colW := max((w-24)/2, 10)
	out = append(out, st.Header.Render(fit("   "+fit("", 18)+" "+fit("now", colW)+" "+fit("new", colW), w)))
	for _, c := range p.Changes {
		after := c.After
		mark := "  "
		if !c.Changed {
			after = "="
		} else {
			mark = "* "
		}
		l := " " + mark + fit(c.Label, 18) + " " + fit(c.Before, colW) + " " + fit(after, colW)
		if c.Changed {
			l = st.Warn.Render(truncate(l, w))
		}
		out = append(out, truncate(l, w))
	}
	if p.Note != "" {
		out = append(out, truncate(" note: "+safe(p.Note), w))
	}
	for _, l := range p.Later {
		out = append(out, st.Muted.Render(truncate(fmt.Sprintf(" card #%d still takes over from %s", l.ID, l.EffectiveFrom.In(loc).Format("Mon 02 Jan 2006")), w)))
	}
	out = append(out, st.Muted.Render(truncate(" Jobs, quotes and invoices already made keep their card.", w)),
		st.Bold.Render(" y")+st.Muted.Render(" saves the card · n or esc goes back to the form"))
	return out
}

// wrapped is a message in at most two lines of w cells.
func wrapped(p Paint, s string, w int) []string {
	lines := wrapWords(s, max(w, 10), 2)
	if len(lines) > 2 {
		lines = lines[:2]
		lines[1] = truncate(lines[1]+" …", w)
	}
	for i := range lines {
		lines[i] = p.Render(truncate(lines[i], w))
	}
	return lines
}
