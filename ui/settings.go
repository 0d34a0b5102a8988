package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// SettingField is one of the office's settings as the commands and the
// Settings tab show and change it: its key, what it means, its value as
// text, and how text sets it (the store checks the whole on saving).
type SettingField struct {
	Key   string
	About string
	Hint  string // what a value looks like
	Get   func(store.OfficeSettings) string
	Set   func(*store.OfficeSettings, string) error
}

var wholeRE = regexp.MustCompile(`^[0-9]{1,4}$`)

func intSetting(key string, p func(*store.OfficeSettings) *int) func(*store.OfficeSettings, string) error {
	return func(o *store.OfficeSettings, v string) error {
		v = strings.TrimSpace(v)
		if !wholeRE.MatchString(v) {
			return fmt.Errorf("%s: want a whole number such as 16, got %q", key, safe(v))
		}
		n, _ := strconv.Atoi(v)
		*p(o) = n
		return nil
	}
}

// addressSetting takes an e-mail address; "" or "none" clears it.
func addressSetting(p func(*store.OfficeSettings) *string) func(*store.OfficeSettings, string) error {
	return func(o *store.OfficeSettings, v string) error {
		v = strings.TrimSpace(v)
		if strings.EqualFold(v, "none") {
			v = ""
		}
		*p(o) = v
		return nil
	}
}

// SettingFields are the office's settings, in the order they are shown.
var SettingFields = []SettingField{
	{Key: "signup_mode", Hint: "assign or confirm",
		About: "what an officer's sign-up for an open shift does: assign (at once, under the store's rules) or confirm (held for a dispatcher)",
		Get:   func(o store.OfficeSettings) string { return o.SignupMode },
		Set: func(o *store.OfficeSettings, v string) error {
			v = strings.ToLower(strings.TrimSpace(v))
			if v != store.SignupAssign && v != store.SignupConfirm {
				return fmt.Errorf("signup_mode: assign or confirm, got %q", safe(v))
			}
			o.SignupMode = v
			return nil
		}},
	{Key: "fairness_hours", Hint: "hours, 0 to 336 (0: off)",
		About: "for this many hours after a job is approved, only officers of its agency at or below the agency's median hours this month may sign up (0: off)",
		Get:   func(o store.OfficeSettings) string { return strconv.Itoa(o.FairnessHours) },
		Set:   intSetting("fairness_hours", func(o *store.OfficeSettings) *int { return &o.FairnessHours })},
	{Key: "roster_hour", Hint: "an hour, 0 to 23",
		About: "the hour (office time) each agency's dispatch address gets the roster of its officers working in the next 24 hours",
		Get:   func(o store.OfficeSettings) string { return strconv.Itoa(o.RosterHour) },
		Set:   intSetting("roster_hour", func(o *store.OfficeSettings) *int { return &o.RosterHour })},
	{Key: "reminder_hour", Hint: "an hour, 0 to 23",
		About: "the hour (office time) officers get the reminder of their shifts of the next day",
		Get:   func(o store.OfficeSettings) string { return strconv.Itoa(o.ReminderHour) },
		Set:   intSetting("reminder_hour", func(o *store.OfficeSettings) *int { return &o.ReminderHour })},
	{Key: "open_soon_hours", Hint: "hours, 1 to 168",
		About: "a position still open this close to its start is flagged to the dispatchers by e-mail",
		Get:   func(o store.OfficeSettings) string { return strconv.Itoa(o.OpenSoonHours) },
		Set:   intSetting("open_soon_hours", func(o *store.OfficeSettings) *int { return &o.OpenSoonHours })},
	{Key: "sender", Hint: "an address, or none",
		About: "the From address of every message; none sends nothing at all (messages wait in the outbox)",
		Get:   func(o store.OfficeSettings) string { return o.Sender },
		Set:   addressSetting(func(o *store.OfficeSettings) *string { return &o.Sender })},
	{Key: "sender_name", Hint: "a name, e.g. West Valley Off-Duty Office",
		About: "the name shown with the From address",
		Get:   func(o store.OfficeSettings) string { return o.SenderName },
		Set: func(o *store.OfficeSettings, v string) error {
			o.SenderName = strings.TrimSpace(v)
			return nil
		}},
	{Key: "reply_to", Hint: "an address, or none",
		About: "where replies to the messages go (none: to the sender address)",
		Get:   func(o store.OfficeSettings) string { return o.ReplyTo },
		Set:   addressSetting(func(o *store.OfficeSettings) *string { return &o.ReplyTo })},
}

// SettingKeys lists the settings' keys: "signup_mode, ..., reply_to".
func SettingKeys() string {
	return fieldKeys(SettingFields, func(f SettingField) string { return f.Key })
}

// SettingByKey finds a setting by its key.
func SettingByKey(k string) (SettingField, bool) {
	return fieldByKey(SettingFields, func(f SettingField) string { return f.Key }, k)
}

// fieldKeys lists fields' keys, comma-separated.
func fieldKeys[F any](fields []F, key func(F) string) string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = key(f)
	}
	return strings.Join(keys, ", ")
}

// fieldByKey finds the field with key k.
func fieldByKey[F any](fields []F, key func(F) string, k string) (F, bool) {
	for _, f := range fields {
		if key(f) == k {
			return f, true
		}
	}
	var none F
	return none, false
}

// ApplySetting is o with one setting changed, checked as the store checks
// it; the error says what is wrong.
func ApplySetting(o store.OfficeSettings, k, v string) (store.OfficeSettings, error) {
	f, ok := SettingByKey(k)
	if !ok {
		return o, fmt.Errorf("no setting %q: want one of %s", safe(k), SettingKeys())
	}
	if err := f.Set(&o, v); err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		var se *store.Error
		if errors.As(err, &se) {
			return o, errors.New(se.Message)
		}
		return o, err
	}
	return o, nil
}

// OfficeField is one of the office's own details (store.Office) as the
// commands and the Settings tab show and change it. The address and the
// remittance text have lines: on one line (a prompt, a flag) " | "
// separates them.
type OfficeField struct {
	Key   string // its name in the audit and the flag of office set
	About string
	Hint  string // what a value looks like
	Multi bool   // lines
	Ptr   func(*store.Office) *string
}

// OfficeFields are the office's details, in the order they are shown.
var OfficeFields = []OfficeField{
	{Key: "name", Hint: "e.g. West Valley Off-Duty Office (required)",
		About: "the office's name: it heads every invoice and report and signs every e-mail",
		Ptr:   func(o *store.Office) *string { return &o.Name }},
	{Key: "tagline", Hint: "a line, e.g. the legal name, or none",
		About: "the line under the name on invoices and in the signature: what the office is, or its legal name",
		Ptr:   func(o *store.Office) *string { return &o.Tagline }},
	{Key: "address", Multi: true, Hint: "up to 5 lines, | between them: 3600 S Constitution Blvd | West Valley City, UT 84119",
		About: "the office's address: on the invoice's header (commas between the lines) and in the e-mails' signature (one a line)",
		Ptr:   func(o *store.Office) *string { return &o.Address }},
	{Key: "phone", Hint: "e.g. 801-555-0100, or none",
		About: "the office's phone number, on invoices and in the signature",
		Ptr:   func(o *store.Office) *string { return &o.Phone }},
	{Key: "email", Hint: "an address, or none",
		About: "the address customers write to about invoices, on invoices and in the signature (messages go From the sender setting)",
		Ptr:   func(o *store.Office) *string { return &o.Email }},
	{Key: "website", Hint: "e.g. wvc-offduty.example, or none",
		About: "the office's web address, on invoices and in the signature",
		Ptr:   func(o *store.Office) *string { return &o.Website }},
	{Key: "remittance", Multi: true, Hint: "up to 5 lines, | between them, or none",
		About: "how to pay (make checks payable to, bank details): in a box by an invoice's totals and in the e-mail sending it",
		Ptr:   func(o *store.Office) *string { return &o.Remittance }},
}

// OfficeKeys lists the details' keys: "name, tagline, ..., remittance".
func OfficeKeys() string {
	return fieldKeys(OfficeFields, func(f OfficeField) string { return f.Key })
}

// OfficeFieldByKey finds a detail by its key.
func OfficeFieldByKey(k string) (OfficeField, bool) {
	return fieldByKey(OfficeFields, func(f OfficeField) string { return f.Key }, k)
}

// OfficeValue is a detail on one line: its lines with " | " between them.
func OfficeValue(f OfficeField, o store.Office) string {
	return strings.Join(store.Lines(*f.Ptr(&o)), " | ")
}

// ApplyOffice is o with one detail changed, tidied and checked as the store
// checks it; the error says what is wrong. "none" clears a detail (all but
// the name); in the address and the remittance text "|" (or a line break)
// separates the lines.
func ApplyOffice(o store.Office, k, v string) (store.Office, error) {
	f, ok := OfficeFieldByKey(k)
	if !ok {
		return o, fmt.Errorf("no office detail %q: want one of %s", safe(k), OfficeKeys())
	}
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "none") && k != "name" {
		v = ""
	}
	if f.Multi {
		v = strings.ReplaceAll(v, "|", "\n")
	}
	*f.Ptr(&o) = v
	o = o.Tidy()
	if err := o.Validate(); err != nil {
		var se *store.Error
		if errors.As(err, &se) {
			return o, errors.New(se.Message)
		}
		return o, err
	}
	return o, nil
}

// settingsModel is the Settings tab (supervisors): the office's choices
// for self-service and messages with what each means, and every agency's
// dispatch address; o turns to the office's own details (name, address,
// remittance text...) and back; enter changes the selected one in a
// prompt. The store audits every change.
type settingsModel struct {
	c        *Common
	keys     settingsKeys
	o        store.OfficeSettings
	agencies []agencyAddress
	loaded   bool
	cursor   int
	offset   int
	office   bool // the office's details are shown
	ocursor  int
	ooffset  int
	prompt   *prompt
	err      string
	note     string
	lineItem []int // the item each body line showed, as last drawn, -1 for none (for clicks)
}

// agencyAddress is an agency and where its roster goes.
type agencyAddress struct {
	id               int64
	slug, name, addr string
}

type settingsKeys struct {
	Up, Edit, Office, Back key.Binding
}

func newSettings(c *Common) *settingsModel {
	return &settingsModel{c: c, keys: settingsKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "move")),
		Edit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "change")),
		Office: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "the office's details")),
		Back:   key.NewBinding(key.WithKeys("o", "esc"), key.WithHelp("o/esc", "the settings")),
	}}
}

type settingsMsg struct {
	o        store.OfficeSettings
	agencies []agencyAddress
	err      error
}

type settingSavedMsg struct {
	what string
	err  error
}

func (m *settingsModel) load() tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		ctx := context.Background()
		o, err := st.Settings(ctx)
		if err != nil {
			return settingsMsg{err: err}
		}
		all, err := st.Agencies(ctx)
		if err != nil {
			return settingsMsg{err: err}
		}
		var out []agencyAddress
		for _, a := range all {
			addr, err := st.AgencyDispatch(ctx, a.ID)
			if err != nil {
				return settingsMsg{err: err}
			}
			out = append(out, agencyAddress{a.ID, a.Slug, a.Name, addr})
		}
		return settingsMsg{o: o, agencies: out}
	}
}

func (m *settingsModel) capturing() bool { return m.prompt != nil }

func (m *settingsModel) count() int {
	if m.office {
		return len(OfficeFields)
	}
	return len(SettingFields) + len(m.agencies)
}

// at is the shown list's cursor.
func (m *settingsModel) at() *int {
	if m.office {
		return &m.ocursor
	}
	return &m.cursor
}

func (m *settingsModel) ShortHelp() []key.Binding {
	if m.prompt != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	if m.office {
		return []key.Binding{m.keys.Up, m.keys.Edit, m.keys.Back}
	}
	return []key.Binding{m.keys.Up, m.keys.Edit, m.keys.Office}
}

func (m *settingsModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *settingsModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case settingsMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.o, m.agencies, m.loaded = msg.o, msg.agencies, true
		m.cursor = min(m.cursor, max(m.count()-1, 0))
		return nil
	case settingSavedMsg:
		if msg.err != nil {
			m.err, m.note = msg.err.Error(), ""
		} else {
			m.note, m.err = msg.what, ""
		}
		return m.load()
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
	if !ok || !m.loaded {
		return nil
	}
	m.err, m.note = "", ""
	cur := m.at()
	switch km.String() {
	case "up", "k":
		*cur = max(*cur-1, 0)
	case "down", "j":
		*cur = min(*cur+1, max(m.count()-1, 0))
	case "home", "g":
		*cur = 0
	case "end", "G":
		*cur = max(m.count()-1, 0)
	case "enter":
		return m.edit()
	case "o":
		m.office = !m.office
	case "esc":
		m.office = false
	}
	return nil
}

// editOffice opens the prompt for the selected detail of the office.
func (m *settingsModel) editOffice() tea.Cmd {
	st, actor := m.c.Store, m.c.Actor
	f := OfficeFields[m.ocursor]
	base := m.o.Office
	old := OfficeValue(f, base)
	m.prompt = newPrompt("office "+f.Key, old, f.Hint+" · esc cancels",
		func(v string) (string, error) {
			next, err := ApplyOffice(base, f.Key, v)
			if err != nil {
				return "", err
			}
			if now := OfficeValue(f, next); now != old {
				return fmt.Sprintf("%s → %s", shown(old), shown(now)), nil
			}
			return "unchanged · " + f.Hint, nil
		},
		func(v string) tea.Cmd {
			if _, err := ApplyOffice(base, f.Key, v); err != nil {
				return nil
			}
			return func() tea.Msg {
				// the details as they are now, so that what others changed meanwhile stays
				before, after, err := st.EditOffice(context.Background(), actor, func(o *store.Office) error {
					next, err := ApplyOffice(*o, f.Key, v)
					*o = next
					return err
				})
				if err != nil {
					return settingSavedMsg{err: err}
				}
				return settingSavedMsg{what: fmt.Sprintf("office %s: %s → %s (recorded in the audit)", f.Key, shown(OfficeValue(f, before)), shown(OfficeValue(f, after)))}
			}
		})
	return m.prompt.focus()
}

// edit opens the prompt for the selected setting or agency address.
func (m *settingsModel) edit() tea.Cmd {
	if m.office {
		return m.editOffice()
	}
	st, actor := m.c.Store, m.c.Actor
	if m.cursor < len(SettingFields) {
		f := SettingFields[m.cursor]
		base := m.o
		old := f.Get(base)
		m.prompt = newPrompt(f.Key, old, f.Hint+" · esc cancels",
			func(v string) (string, error) {
				next, err := ApplySetting(base, f.Key, v)
				if err != nil {
					return "", err
				}
				if f.Get(next) == old {
					return "unchanged · " + f.Hint, nil
				}
				return fmt.Sprintf("%s → %s", shown(old), shown(f.Get(next))), nil
			},
			func(v string) tea.Cmd {
				next, err := ApplySetting(base, f.Key, v)
				if err != nil {
					return nil
				}
				return func() tea.Msg {
					cur, err := st.Settings(context.Background()) // what others changed meanwhile stays
					if err != nil {
						return settingSavedMsg{err: err}
					}
					if cur, err = ApplySetting(cur, f.Key, f.Get(next)); err != nil {
						return settingSavedMsg{err: err}
					}
					if err := st.SetSettings(context.Background(), actor, cur); err != nil {
						return settingSavedMsg{err: err}
					}
					return settingSavedMsg{what: fmt.Sprintf("%s: %s → %s (recorded in the audit)", f.Key, shown(old), shown(f.Get(cur)))}
				}
			})
		return m.prompt.focus()
	}
	a := m.agencies[m.cursor-len(SettingFields)]
	m.prompt = newPrompt("dispatch address of "+a.slug, a.addr, "an address, or none · esc cancels",
		func(v string) (string, error) {
			v = strings.TrimSpace(v)
			if strings.EqualFold(v, "none") || v == "" {
				return "no dispatch address: " + a.name + " gets no roster", nil
			}
			if err := store.ValidEmail(v); err != nil {
				var se *store.Error
				if errors.As(err, &se) {
					return "", errors.New(se.Message)
				}
				return "", err
			}
			return a.name + "'s rosters go to " + v, nil
		},
		func(v string) tea.Cmd {
			if strings.EqualFold(v, "none") {
				v = ""
			}
			return func() tea.Msg {
				if err := st.SetAgencyDispatch(context.Background(), actor, a.id, v); err != nil {
					return settingSavedMsg{err: err}
				}
				return settingSavedMsg{what: fmt.Sprintf("%s dispatch: %s → %s (recorded in the audit)", a.slug, shown(a.addr), shown(v))}
			}
		})
	return m.prompt.focus()
}

// shown is a value as the screen shows it: "(none)" when empty.
func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return safe(v)
}

// click selects the row under (x, y); a click on the selected one edits it.
func (m *settingsModel) click(x, y int) tea.Cmd {
	if m.prompt != nil || !m.loaded {
		return nil
	}
	if y < 0 || y >= len(m.lineItem) || m.lineItem[y] < 0 {
		return nil
	}
	i := m.lineItem[y]
	m.err, m.note = "", ""
	if cur := m.at(); i != *cur {
		*cur = i
		return nil
	}
	return m.edit()
}

func (m *settingsModel) View(height int) string {
	st, w := m.c.Styles, m.c.Width
	if !m.loaded {
		if m.err != "" {
			return st.Error.Render(truncate("✗ "+safe(m.err), w))
		}
		return st.Muted.Render("loading the settings…")
	}
	if m.office {
		return m.officeView(height)
	}
	// the bottom: the selected row's meaning, the prompt, or a message
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.err != "":
		bottom = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	case m.note != "":
		bottom = []string{st.OK.Render(truncate("✓ "+m.note, w))}
	}
	var about string
	if m.cursor < len(SettingFields) {
		about = SettingFields[m.cursor].About
	} else {
		a := m.agencies[m.cursor-len(SettingFields)]
		about = fmt.Sprintf("%s (%s): its daily roster and its officers' changes inside 24 hours go here", safe(a.name), safe(a.slug))
	}
	meaning := strings.Split(wrap(about, max(w-2, 10)), "\n")
	if len(meaning) > 3 {
		meaning = meaning[:3]
	}
	for i := range meaning {
		meaning[i] = st.Muted.Render(" " + strings.TrimRight(meaning[i], " "))
	}
	bottom = append(meaning, bottom...)

	const keyW = 20
	valW := min(max(w/3, 16), 34)
	aboutW := max(w-keyW-valW-3, 0)
	row := func(k, v, about string, selected bool) string {
		if selected {
			return st.Selected.Render(fit(" "+fit(k, keyW)+" "+fit(v, valW)+" "+truncate(about, aboutW), w))
		}
		return " " + fit(k, keyW) + " " + fit(v, valW) + " " + st.Muted.Render(truncate(about, aboutW))
	}
	// the rows, with the agencies' head between the settings and the agencies
	var lines []string
	var items []int // the item each line shows, -1 for the head
	for i, f := range SettingFields {
		v := f.Get(m.o)
		if v == "" {
			v = "(none)"
			if f.Key == "sender" {
				v = "(none: nothing is sent)"
			}
		}
		lines, items = append(lines, row(f.Key, safe(v), f.About, i == m.cursor)), append(items, i)
	}
	lines = append(lines, st.Header.Render(fit(" "+fit("Agency", keyW)+" "+fit("Dispatch address", valW)+" Gets the roster", w)))
	items = append(items, -1)
	for i, a := range m.agencies {
		v := a.addr
		if v == "" {
			v = "(none: no roster)"
		}
		n := len(SettingFields) + i
		lines, items = append(lines, row(a.slug, safe(v), safe(a.name), n == m.cursor)), append(items, n)
	}
	head := st.Header.Render(fit(" "+fit("Setting", keyW)+" "+fit("Value", valW)+" Meaning", w))
	room := max(height-1-len(bottom), 1)
	pos := m.cursor
	if pos >= len(SettingFields) {
		pos++
	}
	_, m.offset = scrollList(pos, m.offset, room, len(lines))
	out := []string{head}
	m.lineItem = []int{-1}
	for i := m.offset; i < len(lines) && i < m.offset+room; i++ {
		out, m.lineItem = append(out, lines[i]), append(m.lineItem, items[i])
	}
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}

// bottom is the foot of the tab: the selected row's meaning (up to three
// lines), then the prompt or the last message.
func (m *settingsModel) bottom(about string) []string {
	st, w := m.c.Styles, m.c.Width
	var out []string
	switch {
	case m.prompt != nil:
		out = strings.Split(m.prompt.view(st, w), "\n")
	case m.err != "":
		out = []string{st.Error.Render(truncate("✗ "+safe(m.err), w))}
	case m.note != "":
		out = []string{st.OK.Render(truncate("✓ "+m.note, w))}
	}
	meaning := strings.Split(wrap(about, max(w-2, 10)), "\n")
	if len(meaning) > 3 {
		meaning = meaning[:3]
	}
	for i := range meaning {
		meaning[i] = st.Muted.Render(" " + strings.TrimRight(meaning[i], " "))
	}
	return append(meaning, out...)
}

// officeView is the office's details, one a row (lines joined by " | "),
// with what each is for; an issued invoice keeps the details it was issued
// with.
func (m *settingsModel) officeView(height int) string {
	st, w := m.c.Styles, m.c.Width
	bottom := m.bottom(OfficeFields[m.ocursor].About)
	const keyW = 12
	valW := max(w-keyW-3, 10)
	var lines []string
	var items []int
	for i, f := range OfficeFields {
		v := OfficeValue(f, m.o.Office)
		if v == "" {
			v = "(none)"
		}
		line := " " + fit(f.Key, keyW) + " " + truncate(safe(v), valW)
		if i == m.ocursor {
			line = st.Selected.Render(fit(line, w))
		}
		lines, items = append(lines, line), append(items, i)
	}
	lines = append(lines, "", st.Muted.Render(truncate(" On invoices and e-mails; an issued invoice keeps those it was issued with.", w)))
	items = append(items, -1, -1)
	head := st.Header.Render(fit(" "+fit("Office", keyW)+" "+"Its details (o: back to the settings)", w))
	room := max(height-1-len(bottom), 1)
	_, m.ooffset = scrollList(m.ocursor, m.ooffset, room, len(lines))
	out := []string{head}
	m.lineItem = []int{-1}
	for i := m.ooffset; i < len(lines) && i < m.ooffset+room; i++ {
		out, m.lineItem = append(out, lines[i]), append(m.lineItem, items[i])
	}
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}
