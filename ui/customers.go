package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// tabCustomers is the Customers tab: the accounts with their ids, cycle,
// terms and (supervisors) open balance; enter shows one whole. Supervisors
// edit an account (e), its contacts (c) and sites (s), and merge a
// duplicate into it (M); dispatchers read.
const tabCustomers = 400

func init() { tabShort["Customers"] = "Cust" }

// The account's panes: its details, or a cursor on its contacts or sites.
const (
	paneInfo = iota
	paneContacts
	paneSites
)

type customersModel struct {
	c         *Common
	keys      customerKeys
	list      []store.Account
	view      []int
	cursor    int
	offset    int
	filter    textinput.Model
	filtering bool
	loaded    bool
	err       string
	note      string // why the last key did nothing, until the next key

	acct   *store.Account // the account open (enter), with its newest jobs
	openID int64
	pane   int
	sub    int // the contact or site under the cursor
	scroll int

	form    *fieldForm
	prompt  *prompt          // merge: which account is the duplicate
	plan    *store.MergePlan // merge: what moves, until y or n
	confirm *confirmBox

	top, rows int // the list's first row and rows, as last drawn (clicks)
}

type customerKeys struct {
	Up, Down, Filter, Open, Back, Edit, Contacts, Sites, Add, Remove, Restore, Merge key.Binding
}

func newCustomers(c *Common) *customersModel {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "name, id, phone, contact, site"
	fi.CharLimit = 80
	m := &customersModel{c: c, filter: fi, keys: customerKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "account")),
		Back:     key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Contacts: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "contacts")),
		Sites:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sites")),
		Add:      key.NewBinding(key.WithKeys("+", "a"), key.WithHelp("+", "add")),
		Remove:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		Restore:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "restore site")),
		Merge:    key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "merge duplicate")),
	}}
	// help offers only what the role may do; a refused key still answers why
	if !c.can(store.PermAdmin) {
		for _, k := range []*key.Binding{&m.keys.Edit, &m.keys.Add, &m.keys.Remove, &m.keys.Restore, &m.keys.Merge} {
			k.SetEnabled(false)
		}
	}
	return m
}

// routeCustomers gives this tab's messages to its model, whichever tab is
// in front; a change also reloads the request form's accounts.
func (a *App) routeCustomers(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case customersMsg, accountMsg, mergePlanMsg:
		return a.cust.Update(msg), true
	case customerSavedMsg:
		if m.err != nil {
			a.setErr("%v", m.err)
		} else if m.what != "" {
			a.setMsg("%s", m.what)
		}
		return tea.Batch(a.cust.Update(msg), a.loadAll), true
	}
	return nil, false
}

// editors adds the form or prompt open on this tab.
func (m *customersModel) editors(buf []any) []any {
	if m.form != nil {
		buf = append(buf, m.form)
	}
	if m.prompt != nil {
		buf = append(buf, m.prompt)
	}
	return buf
}

type (
	customersMsg struct {
		list []store.Account
		err  error
	}
	accountMsg struct {
		acct store.Account
		err  error
	}
	customerSavedMsg struct {
		what string
		err  error
	}
	mergePlanMsg struct {
		plan store.MergePlan
		err  error
	}
)

func (m *customersModel) load() tea.Cmd {
	st, actor, open := m.c.Store, m.c.Actor, m.openID
	return tea.Batch(func() tea.Msg {
		list, err := st.CustomerList(context.Background(), actor)
		return customersMsg{list, err}
	}, m.loadAccount(open))
}

func (m *customersModel) loadAccount(id int64) tea.Cmd {
	if id == 0 {
		return nil
	}
	st, actor := m.c.Store, m.c.Actor
	return func() tea.Msg {
		a, err := st.CustomerAccount(context.Background(), actor, id)
		return accountMsg{a, err}
	}
}

// click selects the account under (x, y) of the screen body; a second
// click on it opens it.
func (m *customersModel) click(x, y int) tea.Cmd {
	if m.capturing() || m.acct != nil || !m.loaded {
		return nil
	}
	if i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.view)); ok {
		m.note, m.err = "", ""
		if i == m.cursor {
			return m.open(paneInfo)
		}
		m.cursor = i
	}
	return nil
}

func (m *customersModel) capturing() bool {
	return m.filtering || m.form != nil || m.prompt != nil || m.plan != nil || m.confirm != nil
}

// refusal says why a key the role may not use does nothing ("" for any other key).
func (m *customersModel) refusal(km tea.KeyPressMsg) string {
	switch {
	case refused(km, m.keys.Edit):
		return needs(m.c, "editing an account", store.PermAdmin)
	case refused(km, m.keys.Add), refused(km, m.keys.Remove), refused(km, m.keys.Restore):
		return needs(m.c, "changing an account's contacts and sites", store.PermAdmin)
	case refused(km, m.keys.Merge):
		return needs(m.c, "merging accounts", store.PermAdmin)
	}
	return ""
}

func (m *customersModel) ShortHelp() []key.Binding {
	switch {
	case m.form != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next")), key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.filtering:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	case m.plan != nil || m.confirm != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "keep"))}
	case m.prompt != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "preview")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.acct != nil && m.pane == paneContacts:
		return []key.Binding{m.keys.Back, m.keys.Add, m.keys.Edit, m.keys.Remove, m.keys.Sites}
	case m.acct != nil && m.pane == paneSites:
		return []key.Binding{m.keys.Back, m.keys.Add, m.keys.Edit, m.keys.Remove, m.keys.Restore, m.keys.Contacts}
	case m.acct != nil:
		return []key.Binding{m.keys.Back, m.keys.Edit, m.keys.Contacts, m.keys.Sites, m.keys.Merge}
	}
	return []key.Binding{m.keys.Open, m.keys.Filter, m.keys.Edit, m.keys.Contacts, m.keys.Sites, m.keys.Merge}
}

func (m *customersModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Filter, m.keys.Open, m.keys.Back}, {m.keys.Edit, m.keys.Contacts, m.keys.Sites, m.keys.Merge},
		{m.keys.Add, m.keys.Remove, m.keys.Restore}}
}

// apply recomputes the rows shown from the search.
func (m *customersModel) apply() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.view = m.view[:0]
	for i, a := range m.list {
		if q != "" {
			hay := []string{a.Name, "#" + strconv.FormatInt(a.ID, 10), strconv.FormatInt(a.ID, 10), a.Phone, a.Email, a.Address, a.BillingCycle, a.Terms()}
			for _, c := range a.Contacts {
				hay = append(hay, c.Name, c.Role, c.Phone, c.Email)
			}
			for _, s := range a.Sites {
				hay = append(hay, s.Name, s.Address)
			}
			for _, u := range a.Users {
				hay = append(hay, u.Name)
			}
			if !strings.Contains(strings.ToLower(strings.Join(hay, " ")), q) {
				continue
			}
		}
		m.view = append(m.view, i)
	}
	m.cursor = min(max(m.cursor, 0), max(len(m.view)-1, 0))
}

func (m *customersModel) refilter() {
	m.apply()
	m.cursor, m.offset = 0, 0
}

func (m *customersModel) selected() *store.Account {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return nil
	}
	return &m.list[m.view[m.cursor]]
}

// current is the account open, else the one selected.
func (m *customersModel) current() *store.Account {
	if m.acct != nil {
		return m.acct
	}
	return m.selected()
}

// cleanAccount makes what other people typed safe to draw.
func cleanAccount(a store.Account) store.Account {
	for _, p := range []*string{&a.Name, &a.Phone, &a.Email, &a.Address, &a.Notes} {
		*p = safe(*p)
	}
	cs := make([]store.Contact, len(a.Contacts))
	for i, c := range a.Contacts {
		c.Name, c.Role, c.Phone, c.Email = safe(c.Name), safe(c.Role), safe(c.Phone), safe(c.Email)
		cs[i] = c
	}
	a.Contacts = cs
	ss := make([]store.Site, len(a.Sites))
	for i, s := range a.Sites {
		s.Name, s.Address, s.Notes = safe(s.Name), safe(s.Address), safe(s.Notes)
		ss[i] = s
	}
	a.Sites = ss
	us := make([]store.CustomerUser, len(a.Users))
	for i, u := range a.Users {
		u.Name, u.Email = safe(u.Name), safe(u.Email)
		us[i] = u
	}
	a.Users = us
	js := make([]store.AccountJob, len(a.RecentJobs))
	for i, j := range a.RecentJobs {
		j.Site = safe(j.Site)
		js[i] = j
	}
	a.RecentJobs = js
	ms := make([]store.Customer, len(a.Merged))
	for i, x := range a.Merged {
		x.Name = safe(x.Name)
		ms[i] = x
	}
	a.Merged = ms
	return a
}

func (m *customersModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case customersMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		keep := int64(0)
		if a := m.selected(); a != nil {
			keep = a.ID
		}
		m.list = make([]store.Account, len(msg.list))
		for i, a := range msg.list {
			m.list[i] = cleanAccount(a)
		}
		m.loaded, m.err = true, ""
		m.apply()
		for i, idx := range m.view {
			if m.list[idx].ID == keep {
				m.cursor = i
			}
		}
		return nil
	case accountMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		if msg.acct.ID != m.openID {
			return nil // another account was opened meanwhile
		}
		a := cleanAccount(msg.acct)
		m.acct = &a
		m.clampSub()
		return nil
	case mergePlanMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		p := msg.plan
		m.plan = &p
		return nil
	case customerSavedMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.err = ""
		return m.load()
	}
	if m.form != nil {
		closed, cmd := m.form.update(msg)
		if closed {
			m.form = nil
		}
		return cmd
	}
	if m.prompt != nil {
		done, cmd := m.prompt.update(msg)
		if done {
			m.prompt = nil
		}
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.filtering {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			return cmd
		}
		return nil
	}
	if m.plan != nil {
		return m.answerPlan(km)
	}
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	if m.filtering {
		return filterKey(&m.filter, &m.filtering, km, m.refilter)
	}
	m.note, m.err = "", ""
	if why := m.refusal(km); why != "" {
		m.note = why
		return nil
	}
	if m.acct != nil {
		return m.accountKey(km)
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.view)-1, 0))
	case key.Matches(km, m.keys.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(km, m.keys.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.refilter()
		}
	case key.Matches(km, m.keys.Open):
		return m.open(paneInfo)
	case key.Matches(km, m.keys.Contacts):
		return m.open(paneContacts)
	case key.Matches(km, m.keys.Sites):
		return m.open(paneSites)
	case key.Matches(km, m.keys.Edit):
		if a := m.selected(); a != nil {
			return m.editAccount(*a)
		}
	case key.Matches(km, m.keys.Merge):
		if a := m.selected(); a != nil {
			return m.askMerge(*a)
		}
	}
	return nil
}

// open shows the selected account, on a pane.
func (m *customersModel) open(pane int) tea.Cmd {
	a := m.selected()
	if a == nil {
		return nil
	}
	acct := *a // shown at once; its newest jobs follow
	m.acct, m.openID, m.pane, m.sub, m.scroll = &acct, a.ID, pane, 0, 0
	return m.loadAccount(a.ID)
}

func (m *customersModel) clampSub() {
	n := 0
	switch m.pane {
	case paneContacts:
		n = len(m.acct.Contacts)
	case paneSites:
		n = len(m.acct.Sites)
	}
	m.sub = min(max(m.sub, 0), max(n-1, 0))
}

func (m *customersModel) accountKey(km tea.KeyPressMsg) tea.Cmd {
	a := *m.acct
	switch {
	case key.Matches(km, m.keys.Back):
		if m.pane != paneInfo {
			m.pane = paneInfo
			return nil
		}
		m.acct, m.openID = nil, 0
		return nil
	case km.String() == "up" || km.String() == "k":
		if m.pane == paneInfo {
			m.scroll = max(m.scroll-1, 0)
		} else {
			m.sub--
			m.clampSub()
		}
	case km.String() == "down" || km.String() == "j":
		if m.pane == paneInfo {
			m.scroll++
		} else {
			m.sub++
			m.clampSub()
		}
	case key.Matches(km, m.keys.Contacts):
		m.pane, m.sub = paneContacts, 0
	case key.Matches(km, m.keys.Sites):
		m.pane, m.sub = paneSites, 0
	case key.Matches(km, m.keys.Merge):
		return m.askMerge(a)
	case a.MergedInto != 0 && (key.Matches(km, m.keys.Edit) || key.Matches(km, m.keys.Add) || key.Matches(km, m.keys.Remove)):
		m.note = fmt.Sprintf("this account was merged into #%d: change that one", a.MergedInto)
	case key.Matches(km, m.keys.Edit):
		switch m.pane {
		case paneContacts:
			if m.sub < len(a.Contacts) {
				return m.editContact(a, &a.Contacts[m.sub])
			}
		case paneSites:
			if m.sub < len(a.Sites) {
				return m.editSite(a, &a.Sites[m.sub])
			}
		default:
			return m.editAccount(a)
		}
	case key.Matches(km, m.keys.Add):
		switch m.pane {
		case paneContacts:
			return m.editContact(a, nil)
		case paneSites:
			return m.editSite(a, nil)
		default:
			m.note = "c shows the contacts, s the sites: + adds there"
		}
	case key.Matches(km, m.keys.Remove):
		m.askRemove(a)
	case key.Matches(km, m.keys.Restore):
		if m.pane != paneSites || m.sub >= len(a.Sites) {
			m.note = "u restores an archived site: s shows the sites"
			return nil
		}
		st := a.Sites[m.sub]
		if !st.Archived {
			m.note = st.Name + " is in use, not archived"
			return nil
		}
		sto, actor, id, sid := m.c.Store, m.c.Actor, a.ID, st.ID
		return func() tea.Msg {
			err := sto.RestoreSite(context.Background(), actor, id, sid)
			return customerSavedMsg{what: "Site " + st.Name + " is offered to new requests again", err: err}
		}
	}
	return nil
}

// askRemove asks before removing a contact, or removing (archiving when
// used) a site.
func (m *customersModel) askRemove(a store.Account) {
	st, actor := m.c.Store, m.c.Actor
	switch {
	case m.pane == paneContacts && m.sub < len(a.Contacts):
		ct := a.Contacts[m.sub]
		m.confirm = &confirmBox{title: fmt.Sprintf("Remove contact %s from %s?", ct.Name, a.Name), yes: func() tea.Msg {
			_, err := st.RemoveContact(context.Background(), actor, a.ID, ct.ID)
			return customerSavedMsg{what: "Removed contact " + ct.Name, err: err}
		}}
	case m.pane == paneSites && m.sub < len(a.Sites):
		s := a.Sites[m.sub]
		title := fmt.Sprintf("Remove site %s? No job uses it.", s.Name)
		if s.Jobs > 0 {
			title = fmt.Sprintf("Archive site %s? Used by %s: they keep it; new requests no longer offer it.", s.Name, countOf(s.Jobs, "job"))
		}
		if s.Archived {
			m.note = s.Name + " is archived already: its jobs keep it (u restores it)"
			return
		}
		m.confirm = &confirmBox{title: title, yes: func() tea.Msg {
			archived, err := st.RemoveSite(context.Background(), actor, a.ID, s.ID)
			what := "Removed site " + s.Name
			if archived {
				what = "Archived site " + s.Name + ": its jobs keep it"
			}
			return customerSavedMsg{what: what, err: err}
		}}
	default:
		m.note = "c shows the contacts, s the sites: d removes there"
	}
}

func termsCheck(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 365 {
		return "", fmt.Errorf("terms: days after the issue date, 0 to 365 (0: due on receipt)")
	}
	return store.TermsText(n), nil
}

func (m *customersModel) editAccount(a store.Account) tea.Cmd {
	if a.MergedInto != 0 {
		m.note = fmt.Sprintf("this account was merged into #%d: change that one", a.MergedInto)
		return nil
	}
	cycle := 0
	for i, c := range store.BillingCycles {
		if c == a.BillingCycle {
			cycle = i
		}
	}
	po := 0
	if a.PORequired {
		po = 1
	}
	poChoices := []string{"not required", "required on every request"}
	fields := []*field{
		textField("Name", a.Name, "", func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("the account needs a name")
			}
			return "", nil
		}).max(store.MaxName),
		choiceField("Cycle", store.BillingCycles, cycle),
		textField("Terms", strconv.Itoa(a.TermsDays), "days; 0 = due on receipt", termsCheck),
		choiceField("PO number", poChoices, po),
		textField("Phone", a.Phone, "801-555-0100", func(v string) (string, error) { return "", store.ValidatePhone(v) }).max(store.MaxPhone),
		textField("Email", a.Email, "ap@example.com", nil).max(store.MaxEmail),
		textField("Address", a.Address, "billing address", nil).max(store.MaxAddress),
		textField("Notes", a.Notes, "", nil).max(store.MaxNotes),
	}
	id, name := a.ID, a.Name
	m.form = newFieldForm(fmt.Sprintf("Edit %s (#%d)", name, id), fields, func() tea.Cmd {
		get := func(label string) string {
			for _, f := range fields {
				if f.label == label {
					return f.value()
				}
			}
			return ""
		}
		terms, _ := strconv.Atoi(get("Terms"))
		p := store.CustomerPatch{Name: ptrTo(get("Name")), BillingCycle: ptrTo(get("Cycle")), TermsDays: &terms, PORequired: ptrTo(get("PO number") == poChoices[1]),
			Phone: ptrTo(get("Phone")), Email: ptrTo(get("Email")), Address: ptrTo(get("Address")), Notes: ptrTo(get("Notes"))}
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			c, changes, err := st.UpdateCustomer(context.Background(), actor, id, p)
			if err != nil {
				return customerSavedMsg{err: err}
			}
			if len(changes) == 0 {
				return customerSavedMsg{what: "No change to " + safe(c.Name)}
			}
			var parts []string
			for _, ch := range changes {
				if ch.Field == "notes" {
					parts = append(parts, "notes")
					continue
				}
				parts = append(parts, fmt.Sprintf("%s %s → %s", ch.Field, orNone(ch.Before), orNone(ch.After)))
			}
			return customerSavedMsg{what: "Saved " + safe(c.Name) + ": " + safe(strings.Join(parts, "; "))}
		}
	})
	return m.form.setFocus(0)
}

func ptrTo[T any](v T) *T { return &v }

// countOf is "1 site", "3 sites".
func countOf(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (m *customersModel) editContact(a store.Account, ct *store.Contact) tea.Cmd {
	var in store.Contact
	title := "Add a contact to " + a.Name
	if ct != nil {
		in, title = *ct, "Edit contact "+ct.Name
	}
	fields := []*field{
		textField("Name", in.Name, "", func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("a contact needs a name")
			}
			return "", nil
		}).max(store.MaxPerson),
		textField("Role", in.Role, "security manager", nil).max(store.MaxPerson),
		textField("Phone", in.Phone, "801-555-0100", func(v string) (string, error) { return "", store.ValidatePhone(v) }).max(store.MaxPhone),
		textField("Email", in.Email, "", nil).max(store.MaxEmail),
	}
	id := a.ID
	m.form = newFieldForm(title, fields, func() tea.Cmd {
		c := store.Contact{Name: fields[0].value(), Role: fields[1].value(), Phone: fields[2].value(), Email: fields[3].value()}
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			if ct == nil {
				got, err := st.AddContact(context.Background(), actor, id, c)
				return customerSavedMsg{what: "Added contact " + safe(store.ContactText(got)), err: err}
			}
			got, err := st.UpdateContact(context.Background(), actor, id, ct.ID, c)
			return customerSavedMsg{what: "Saved contact " + safe(store.ContactText(got)), err: err}
		}
	})
	return m.form.setFocus(0)
}

func (m *customersModel) editSite(a store.Account, s *store.Site) tea.Cmd {
	var in store.Site
	title := "Add a site to " + a.Name
	if s != nil {
		in, title = *s, "Edit site "+s.Name
	}
	fields := []*field{
		textField("Name", in.Name, "", func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("a site needs a name")
			}
			return "", nil
		}).max(store.MaxName),
		textField("Address", in.Address, "street address", nil).max(store.MaxAddress),
		textField("Notes", in.Notes, "parking, entrance", nil).max(store.MaxNotes),
	}
	id := a.ID
	m.form = newFieldForm(title, fields, func() tea.Cmd {
		si := store.SiteInput{CustomerID: id, Name: fields[0].value(), Address: fields[1].value(), Notes: fields[2].value()}
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			if s == nil {
				got, err := st.AddSite(context.Background(), actor, si)
				return customerSavedMsg{what: "Added site " + safe(store.SiteText(got)), err: err}
			}
			got, err := st.UpdateSite(context.Background(), actor, id, s.ID, si)
			return customerSavedMsg{what: "Saved site " + safe(store.SiteText(got)), err: err}
		}
	})
	return m.form.setFocus(0)
}

// askMerge asks which account is the duplicate of a (kept): its id or exact name.
func (m *customersModel) askMerge(keep store.Account) tea.Cmd {
	if keep.MergedInto != 0 {
		m.note = fmt.Sprintf("this account was merged into #%d already", keep.MergedInto)
		return nil
	}
	find := func(v string) (*store.Account, error) {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("the duplicate's id or exact name")
		}
		if n, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64); err == nil {
			for i := range m.list {
				if m.list[i].ID == n {
					return &m.list[i], nil
				}
			}
			return nil, fmt.Errorf("no account #%d", n)
		}
		var found []*store.Account
		for i := range m.list {
			if strings.EqualFold(m.list[i].Name, v) && m.list[i].ID != keep.ID {
				found = append(found, &m.list[i])
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("no other account named %q: type its id", v)
		case 1:
			return found[0], nil
		}
		return nil, fmt.Errorf("%d accounts have that name: type the id", len(found))
	}
	keepID := keep.ID
	m.prompt = newPrompt(fmt.Sprintf("Duplicate of #%d", keep.ID), "", fmt.Sprintf("its id or exact name: it merges into %s, which stays; enter previews", keep.Name),
		func(v string) (string, error) {
			d, err := find(v)
			if err != nil {
				return "", err
			}
			if d.ID == keepID {
				return "", fmt.Errorf("that is this account: an account is not merged into itself")
			}
			return fmt.Sprintf("%s (#%d): %s, %s, %s, %s", d.Name, d.ID, countOf(d.Jobs, "job"), countOf(len(d.Sites), "site"),
				countOf(len(d.Contacts), "contact"), countOf(len(d.Users), "user")), nil
		},
		func(v string) tea.Cmd {
			d, err := find(v)
			if err != nil {
				return nil
			}
			st, actor, dropID := m.c.Store, m.c.Actor, d.ID
			return func() tea.Msg {
				p, err := st.MergeCustomers(context.Background(), actor, keepID, dropID, false)
				return mergePlanMsg{p, err}
			}
		})
	return m.prompt.focus()
}

func (m *customersModel) answerPlan(km tea.KeyPressMsg) tea.Cmd {
	switch km.String() {
	case "y", "Y":
		p := *m.plan
		m.plan = nil
		st, actor := m.c.Store, m.c.Actor
		return func() tea.Msg {
			done, err := st.MergeCustomers(context.Background(), actor, p.Keep.ID, p.Drop.ID, true)
			if err != nil {
				return customerSavedMsg{err: err}
			}
			return customerSavedMsg{what: fmt.Sprintf("Merged %s (#%d) into %s (#%d): %d jobs, %d users, %d drafts moved; %d issued invoices kept as issued",
				safe(done.Drop.Name), done.Drop.ID, safe(done.Keep.Name), done.Keep.ID, len(done.Jobs), len(done.Users), len(done.Drafts), len(done.Issued))}
		}
	case "n", "N", "esc":
		m.plan = nil
		m.note = "Not merged"
	}
	return nil
}

// planLines says what a merge moves.
func planLines(p store.MergePlan) []string {
	k, d := p.Keep, p.Drop
	count := countOf
	var sites, contacts []string
	for _, s := range p.Sites {
		sites = append(sites, safe(s.Name))
	}
	for _, c := range p.Contacts {
		contacts = append(contacts, safe(c.Name))
	}
	out := []string{
		fmt.Sprintf("Moves from %s (#%d) to %s (#%d):", safe(d.Name), d.ID, safe(k.Name), k.ID),
		"  " + count(len(p.Jobs), "job"),
		"  " + strings.TrimSpace(count(len(p.Sites), "site")+" "+strings.Join(sites, ", ")),
		"  " + strings.TrimSpace(count(len(p.Contacts), "contact")+" "+strings.Join(contacts, ", ")),
		"  " + strings.TrimSpace(count(len(p.Users), "user")+" "+safe(strings.Join(p.Users, ", "))),
		"  " + count(len(p.Drafts), "draft invoice") + ", billed on " + k.Terms(),
		"  " + count(len(p.Issued), "issued invoice") + " kept as issued (number, bill-to, totals)",
	}
	if len(p.Certs) > 0 {
		out = append(out, "  officers need "+safe(strings.Join(p.Certs, ", ")))
	}
	for _, f := range p.Filled {
		if f.Field == "notes" {
			out = append(out, "  its notes are added to "+safe(k.Name)+"'s")
			continue
		}
		out = append(out, fmt.Sprintf("  %s taken: %s", f.Field, safe(f.After)))
	}
	for _, f := range p.Kept {
		out = append(out, fmt.Sprintf("  %s stays %s (it had %s)", f.Field, f.After, f.Before))
	}
	out = append(out, fmt.Sprintf("#%d is then marked merged into #%d: hidden, refused for new work.", d.ID, k.ID))
	return out
}

func (m *customersModel) View(height int) string {
	st, w := m.c.Styles, m.c.Width
	if m.form != nil {
		return m.form.view(st, w, height)
	}
	if m.plan != nil {
		lines := []string{st.Title.Render(truncate(fmt.Sprintf("Merge %s (#%d) into %s (#%d)?", safe(m.plan.Drop.Name), m.plan.Drop.ID, safe(m.plan.Keep.Name), m.plan.Keep.ID), w))}
		for _, l := range planLines(*m.plan) {
			lines = append(lines, truncate(l, w))
		}
		lines = append(lines, "", st.Warn.Render(truncate("y merges, in one step (audited) · n or esc leaves both as they are", w)))
		if len(lines) > height {
			lines = append(lines[:height-1], lines[len(lines)-1])
		}
		return strings.Join(lines, "\n")
	}
	if !m.loaded {
		if m.err != "" {
			return st.Error.Render(truncate("✗ "+safe(m.err), w))
		}
		return st.Muted.Render("loading customers…")
	}
	var body []string
	bottom := 0
	if m.prompt != nil {
		bottom = 3
	} else if m.confirm != nil || m.err != "" || m.note != "" {
		bottom = 1
	}
	if m.acct != nil {
		body = m.accountView(height - bottom)
	} else {
		body = m.listView(height - bottom)
	}
	for len(body) < height-bottom {
		body = append(body, "")
	}
	body = body[:max(height-bottom, 0)]
	switch {
	case m.prompt != nil:
		body = append(body, strings.Split(m.prompt.view(st, w), "\n")...)
	case m.confirm != nil:
		body = append(body, st.Warn.Render(truncate(safe(m.confirm.title)+"  y/n", w)))
	case m.err != "":
		body = append(body, st.Error.Render(truncate("✗ "+safe(m.err), w)))
	case m.note != "":
		body = append(body, st.Warn.Render(truncate(safe(m.note), w)))
	}
	return strings.Join(body, "\n")
}

func (m *customersModel) balance(a store.Account) string {
	if a.Invoices == nil {
		return ""
	}
	return pricing.FormatMoney(a.Invoices.Open)
}

func (m *customersModel) listView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	head := fmt.Sprintf("%d of %d accounts · enter opens one · ids for user add --account", len(m.view), len(m.list))
	var out []string
	if m.filtering || m.filter.Value() != "" {
		out = append(out, fit(m.filter.View(), w/2)+" "+st.Muted.Render(truncate(head, w-w/2-1)))
	} else {
		out = append(out, st.Muted.Render(fit(head, w)))
	}
	money := m.c.can(store.PermAdmin)
	openW := 0
	if money {
		openW = 12
	}
	// " ID   Name  Cycle     Terms           PO   Users Open"
	nameW := max(w-1-5-9-15-4-6-openW-1, 10)
	hdr := fmt.Sprintf(" %-5s%s %-9s%-15s%-4s%5s", "ID", fit("Name", nameW), "Cycle", "Terms", "PO", "Users")
	if money {
		hdr += right("Open", openW)
	}
	out = append(out, st.Header.Render(fit(hdr, w)))
	detail := 3
	rows := max(height-2-detail, 1)
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.view))
	m.top, m.rows = 2, min(rows, len(m.view)-m.offset)
	if len(m.view) == 0 {
		msg := " No accounts yet: one is made with its first request."
		if len(m.list) > 0 {
			msg = " No account matches: / changes the search, esc clears it."
		}
		out = append(out, st.Muted.Render(truncate(msg, w)))
	}
	for i := m.offset; i < len(m.view) && i < m.offset+rows; i++ {
		a := m.list[m.view[i]]
		po := "-"
		if a.PORequired {
			po = "yes"
		}
		line := fmt.Sprintf(" %-5s%s %-9s%-15s%-4s%5d", "#"+strconv.FormatInt(a.ID, 10), fit(a.Name, nameW), a.BillingCycle, a.Terms(), po, len(a.Users))
		if money {
			line += right(m.balance(a), openW)
		}
		line = fit(line, w)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(line)
		case a.Invoices != nil && a.Invoices.OverdueCount > 0:
			line = st.Warn.Render(line)
		}
		out = append(out, line)
	}
	for len(out) < height-detail {
		out = append(out, "")
	}
	if a := m.selected(); a != nil {
		contact := "no contact"
		if len(a.Contacts) > 0 {
			contact = store.ContactText(a.Contacts[0])
		}
		who := []string{}
		for _, u := range a.Users {
			who = append(who, u.Name)
		}
		users := "no users"
		if len(who) > 0 {
			users = "users " + strings.Join(who, ", ")
		}
		out = append(out, st.Rule.Render(strings.Repeat("─", w)),
			truncate(fmt.Sprintf(" %s (#%d) · %s · %s", a.Name, a.ID, orNone(a.Phone), orNone(a.Email)), w),
			truncate(fmt.Sprintf(" %s · %s · %s · %s", contact, countOf(len(a.Sites), "site"), countOf(a.Jobs, "job"), users), w))
	}
	return out
}

func (m *customersModel) accountView(height int) []string {
	st, w := m.c.Styles, m.c.Width
	a := *m.acct
	po := "PO not required"
	if a.PORequired {
		po = "PO required"
	}
	head := []string{
		st.Title.Render(truncate(fmt.Sprintf("%s (#%d)", a.Name, a.ID), w)) + st.Muted.Render(truncate(fmt.Sprintf("  %s · %s · %s", a.BillingCycle, a.Terms(), po), max(w-width(a.Name)-8, 0))),
	}
	if a.MergedInto != 0 {
		head = append(head, st.Warn.Render(truncate(fmt.Sprintf(" merged into #%d on %s: its work is there now", a.MergedInto, a.MergedAt.In(m.c.Loc).Format("02 Jan 2006")), w)))
	}
	head = append(head, truncate(fmt.Sprintf(" %s · %s · %s", orNone(a.Phone), orNone(a.Email), orNone(a.Address)), w))
	var lines []string // the scrolled part
	selLine := -1
	if a.Notes != "" {
		lines = append(lines, st.Muted.Render(truncate(" notes: "+strings.ReplaceAll(a.Notes, "\n", " / "), w)))
	}
	for _, x := range a.Merged {
		lines = append(lines, st.Muted.Render(truncate(fmt.Sprintf(" merged here: %s (#%d)", x.Name, x.ID), w)))
	}
	section := func(title string, pane int) {
		label := fmt.Sprintf(" %s", title)
		if m.pane == pane {
			lines = append(lines, st.Focus.Render(truncate("›"+label, w)))
		} else {
			lines = append(lines, st.Header.Render(truncate(label, w)))
		}
	}
	section(fmt.Sprintf("Contacts (%d) · c", len(a.Contacts)), paneContacts)
	if len(a.Contacts) == 0 {
		lines = append(lines, st.Muted.Render("   none"))
	}
	for i, c := range a.Contacts {
		l := fit("   "+store.ContactText(c), w)
		if m.pane == paneContacts && i == m.sub {
			l, selLine = st.Selected.Render(l), len(lines)
		}
		lines = append(lines, l)
	}
	section(fmt.Sprintf("Sites (%d) · s", len(a.Sites)), paneSites)
	if len(a.Sites) == 0 {
		lines = append(lines, st.Muted.Render("   none"))
	}
	for i, s := range a.Sites {
		txt := "   " + s.Name
		if s.Archived {
			txt += " (archived)"
		}
		txt += " · " + countOf(s.Jobs, "job")
		if s.Address != "" {
			txt += " · " + s.Address
		}
		l := fit(txt, w)
		switch {
		case m.pane == paneSites && i == m.sub:
			l, selLine = st.Selected.Render(l), len(lines)
		case s.Archived:
			l = st.Muted.Render(l)
		}
		lines = append(lines, l)
	}
	var users []string
	for _, u := range a.Users {
		users = append(users, u.Name)
	}
	if len(users) == 0 {
		users = []string{fmt.Sprintf("none (offduty user add NAME --role customer --account %d)", a.ID)}
	}
	lines = append(lines, st.Header.Render(fmt.Sprintf(" Users (%d)", len(a.Users))), truncate("   "+strings.Join(users, ", "), w))
	if inv := a.Invoices; inv != nil {
		txt := fmt.Sprintf("   %d draft, %d issued, %d paid, %d void · open %s", inv.Drafts, inv.Issued, inv.Paid, inv.Void, pricing.FormatMoney(inv.Open))
		if inv.OverdueCount > 0 {
			txt += fmt.Sprintf(" · overdue %s", pricing.FormatMoney(inv.Overdue))
		}
		lines = append(lines, st.Header.Render(" Invoices"), truncate(txt, w))
	}
	lines = append(lines, st.Header.Render(fmt.Sprintf(" Jobs (%d; newest first)", a.Jobs)))
	for _, j := range a.RecentJobs {
		lines = append(lines, truncate(fmt.Sprintf("   #%-5d %s  %-10s %s  %s", j.ID, j.Start.In(m.c.Loc).Format("Mon 02 Jan 2006 15:04"), statusLabel(j.Status),
			right(pricing.FormatMoney(j.Total), 10), j.Site), w))
	}
	rows := max(height-len(head), 1)
	if selLine >= 0 { // the cursor stays in sight
		if selLine < m.scroll {
			m.scroll = selLine
		}
		if selLine >= m.scroll+rows {
			m.scroll = selLine - rows + 1
		}
	}
	m.scroll = min(m.scroll, max(len(lines)-rows, 0))
	return append(head, lines[m.scroll:min(len(lines), m.scroll+rows)]...)
}
