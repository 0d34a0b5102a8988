package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
)

// Options configure the console.
type Options struct {
	Store *store.Store
	Now   func() time.Time // the injected clock
	Loc   *time.Location   // office zone
	Actor string           // user name shown and recorded in the audit
	// Role limits what the console offers ("" or supervisor: everything;
	// operator, dispatcher, customer); the store enforces it on every write.
	Role string
	// CustomerID is the account a customer user sees, and nothing else.
	CustomerID int64
	// Remote is a console served over SSH: no key asks for, reads or writes
	// a path on the server; files travel as SSH commands the user runs from
	// their own machine, which name the server as PublicAddress (HOST:PORT).
	Remote        bool
	PublicAddress string
}

// The tabs, in order.
const (
	tabToday = iota
	tabRequests
	tabCalendar
	tabOfficers
	tabInvoices
	tabPayroll
	tabAudit
)

var tabShort = map[string]string{"Today": "Today", "Requests": "Reqs", "Calendar": "Cal", "Officers": "Offs", "Invoices": "Inv",
	"Payroll": "Pay", "Audit": "Audit", "My jobs": "My jobs", "My invoices": "My invoices"}

var tabNames = []string{"Today", "Requests", "Calendar", "Officers", "Invoices", "Payroll", "Audit"}

// tabsFor is what each role sees: the store refuses the rest anyway.
func tabsFor(role string) []int {
	switch role {
	case store.RoleCustomer:
		return []int{tabRequests, tabInvoices} // their own jobs and invoices, read-only
	case store.RoleOperator:
		return []int{tabRequests, tabToday, tabCalendar}
	case store.RoleDispatcher:
		return []int{tabToday, tabRequests, tabCalendar, tabOfficers}
	}
	return []int{tabToday, tabRequests, tabCalendar, tabOfficers, tabInvoices, tabPayroll, tabAudit}
}

func (a *App) tabName(t int) string {
	if a.c.Role == store.RoleCustomer {
		return map[int]string{tabRequests: "My jobs", tabInvoices: "My invoices"}[t]
	}
	return tabNames[t]
}

// switchTab moves d tabs along the role's tabs.
func (a *App) switchTab(d int) {
	for i, t := range a.tabs {
		if t == a.tab {
			a.tab = a.tabs[(i+d+len(a.tabs))%len(a.tabs)]
			return
		}
	}
	a.tab = a.tabs[0]
}

// App is the root model: tab bar, the active screen, status line and help.
type App struct {
	c     *Common
	tabs  []int // the tabs this user's role sees
	tab   int
	today *todayModel
	req   *requestsModel
	cal   *calendarModel
	offs  *officersModel
	inv   *invoicesModel
	pay   *payrollModel
	aud   *auditModel
	form  *formModel  // the request form, over any tab
	job   *jobScreen  // the Job screen, over any tab
	hint  *remoteHint // over SSH: the command a file key stands for, over everything
	help  help.Model
	full  bool

	agencies  []store.PricedAgency
	customers []store.Customer

	msg    string
	msgErr bool
}

// New builds the console.
func New(o Options) *App {
	c := &Common{Store: o.Store, Now: o.Now, Loc: o.Loc, Actor: o.Actor, Role: o.Role, CustomerID: o.CustomerID,
		Remote: o.Remote, PublicAddress: o.PublicAddress,
		Styles: NewStyles(true), Keys: DefaultKeys(), Width: 80, Height: 24}
	if o.Store != nil {
		c.DBPath = o.Store.Path()
	}
	a := &App{c: c, today: newToday(c), req: newRequests(c), cal: newCalendar(c), offs: newOfficers(c), inv: newInvoices(c), pay: newPayroll(c), aud: newAudit(c), help: help.New()}
	a.help.Styles = help.DefaultStyles(true)
	a.tabs = tabsFor(o.Role)
	a.tab = a.tabs[0]
	if o.Role == store.RoleCustomer {
		a.req.readOnly, a.inv.readOnly = true, true
	}
	a.req.applyRole()
	a.inv.applyRole()
	return a
}

// Messages from store commands.
type (
	loadedMsg struct {
		agencies  []store.PricedAgency
		customers []store.Customer
		jobs      []store.Job
		err       error
	}
	jobsMsg struct {
		jobs []store.Job
		err  error
	}
	savedMsg struct {
		ids    []int64
		editID int64
		err    error
	}
	approvedMsg struct {
		id  int64
		err error
	}
	jobMsg struct {
		job     store.Job
		forEdit bool
		err     error
	}
	tickMsg time.Time
)

func (a *App) loadAll() tea.Msg {
	ctx := context.Background()
	var m loadedMsg
	if m.agencies, m.err = a.c.Store.PricingAll(ctx, a.c.Now()); m.err != nil {
		return m
	}
	if a.c.can(store.PermRequest) { // the form's customer search; never for a customer user
		if m.customers, m.err = a.c.Store.Customers(ctx); m.err != nil {
			return m
		}
	}
	m.jobs, m.err = a.c.Store.Jobs(ctx, a.c.Actor, a.requestsWindow())
	return m
}

// requestsWindow is what the Requests tab lists: jobs from two weeks ago
// on (older ones are on the Calendar), so a years-long history opens fast.
func (a *App) requestsWindow() store.JobFilter {
	n := a.c.Now().In(a.c.Loc)
	if a.c.Role == store.RoleCustomer { // all their past and future shifts, and nobody else's
		return store.JobFilter{CustomerID: a.c.CustomerID}
	}
	return store.JobFilter{From: time.Date(n.Year(), n.Month(), n.Day()-14, 0, 0, 0, 0, a.c.Loc)}
}

func (a *App) loadJobs() tea.Msg {
	jobs, err := a.c.Store.Jobs(context.Background(), a.c.Actor, a.requestsWindow())
	return jobsMsg{jobs, err}
}

// refresh reloads every view's data after a change.
func (a *App) refresh() tea.Cmd {
	cmds := append([]tea.Cmd{a.loadJobs}, a.tabLoads()...)
	if a.cal.agendaOn {
		cmds = append(cmds, a.cal.loadAgenda())
	}
	if a.job != nil {
		cmds = append(cmds, a.job.load())
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd {
	return tea.Tick(30*time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Init asks for the background colour and loads the data.
func (a *App) Init() tea.Cmd {
	cmds := append([]tea.Cmd{tea.RequestBackgroundColor, a.loadAll, tick(), a.waitChange()}, a.tabLoads()...)
	return tea.Batch(cmds...)
}

// tabLoads loads what the role's tabs show, and nothing else.
func (a *App) tabLoads() []tea.Cmd {
	var cmds []tea.Cmd
	for _, t := range a.tabs {
		switch t {
		case tabToday:
			cmds = append(cmds, a.today.load())
		case tabCalendar:
			cmds = append(cmds, a.cal.load())
		case tabOfficers:
			cmds = append(cmds, a.offs.load())
		case tabInvoices:
			cmds = append(cmds, a.inv.load())
		case tabPayroll:
			cmds = append(cmds, a.pay.load())
		case tabAudit:
			cmds = append(cmds, a.aud.load())
		}
	}
	return cmds
}

// changedMsg says the database changed (in this session, another, or another process).
type changedMsg struct{}

// waitChange waits (at most 30 s, so a finished session leaves nothing
// behind) for the next change to the database.
func (a *App) waitChange() tea.Cmd {
	st := a.c.Store
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		if st.WaitChange(context.Background(), 30*time.Second) {
			return changedMsg{}
		}
		return waitAgainMsg{}
	}
}

type waitAgainMsg struct{}

// Update routes messages; it never does I/O.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		a.req.SetSize(msg.Width, msg.Height-6)
		if a.form != nil {
			a.form.SetSize()
		}
		return a, nil
	case tea.BackgroundColorMsg:
		dark := msg.IsDark()
		a.c.Styles = NewStyles(dark)
		a.help.Styles = help.DefaultStyles(dark)
		return a, nil
	case changedMsg:
		// live refresh: lists keep their selection, forms and prompts are left alone
		return a, tea.Batch(a.refresh(), a.waitChange())
	case waitAgainMsg:
		return a, a.waitChange()
	case tickMsg:
		// the board refreshes itself; lists keep their selection
		cmds := []tea.Cmd{tick(), a.today.load()}
		if a.job != nil && !a.job.capturing() {
			cmds = append(cmds, a.job.load())
		}
		return a, tea.Batch(cmds...)
	case loadedMsg:
		if msg.err != nil {
			a.setErr("could not load: %v", msg.err)
			return a, nil
		}
		a.agencies, a.customers = msg.agencies, msg.customers
		a.req.SetJobs(msg.jobs)
		return a, nil
	case jobsMsg:
		if msg.err != nil {
			a.setErr("could not load jobs: %v", msg.err)
			return a, nil
		}
		a.req.SetJobs(msg.jobs)
		return a, nil
	case todayMsg:
		a.today.set(msg)
		return a, nil
	case countsMsg, dayJobsMsg:
		return a, a.cal.Update(msg)
	case officersMsg:
		return a, a.offs.Update(msg)
	case invoicesMsg, invoiceMsg, invoicePreviewMsg:
		return a, a.inv.Update(msg)
	case payrollMsg:
		return a, a.pay.Update(msg)
	case auditMsg:
		return a, a.aud.Update(msg)
	case invoiceDoneMsg:
		if msg.err != nil {
			a.setErr("%v", msg.err)
		} else {
			a.setMsg("%s", msg.what)
		}
		return a, tea.Batch(a.inv.Update(msg), a.refresh())
	case hintMsg:
		a.hint, a.full = msg.hint, false
		return a, nil
	case exportedMsg:
		if msg.err != nil {
			a.setErr("export failed: %v", msg.err)
		} else {
			a.setMsg("%s", msg.what)
		}
		return a, nil
	case payrollDoneMsg:
		if msg.err != nil {
			a.setErr("%v", msg.err)
		} else {
			a.setMsg("%s", msg.what)
		}
		return a, a.pay.Update(msg)
	case officerSavedMsg:
		if msg.err != nil {
			a.setErr("%v", msg.err)
		} else {
			a.setMsg("%s", msg.what)
		}
		return a, a.offs.Update(msg)
	case formSaveMsg:
		return a, a.save(msg)
	case savedMsg:
		if a.form != nil {
			a.form.saving = false
		}
		if msg.err != nil {
			a.setErr("not saved: %v", msg.err)
			return a, nil
		}
		a.form = nil
		switch {
		case msg.editID != 0:
			a.setMsg("Saved changes to job #%d", msg.editID)
			a.req.selectID = msg.editID
		case len(msg.ids) == 1:
			a.setMsg("Saved job #%d as requested", msg.ids[0])
			a.req.selectID = msg.ids[0]
		default:
			a.setMsg("Saved %d weekly jobs #%d-#%d as requested", len(msg.ids), msg.ids[0], msg.ids[len(msg.ids)-1])
			a.req.selectID = msg.ids[0]
		}
		if a.job == nil && a.c.can(store.PermRequest) {
			a.tab = tabRequests
		}
		a.req.status, a.req.detail = 0, nil
		a.req.filter.SetValue("")
		return a, tea.Batch(a.loadAll, a.refresh())
	case formCancelMsg:
		a.form = nil
		a.setMsg("Request discarded")
		return a, nil
	case approveMsg:
		id := msg.id
		return a, func() tea.Msg {
			return approvedMsg{id, a.c.Store.Approve(context.Background(), a.c.Actor, id)}
		}
	case approvedMsg:
		if msg.err != nil {
			a.setErr("%v", msg.err)
			return a, nil
		}
		a.setMsg("Approved job #%d", msg.id)
		cmds := []tea.Cmd{a.refresh()}
		if a.req.detail != nil && a.req.detail.ID == msg.id {
			cmds = append(cmds, a.loadJob(msg.id, false))
		}
		return a, tea.Batch(cmds...)
	case editMsg:
		return a, a.loadJob(msg.id, true)
	case openMsg:
		return a, a.loadJob(msg.id, false)
	case openJobMsg:
		if a.c.Role == store.RoleCustomer && !a.req.owns(msg.id) {
			return a, nil // a customer opens only their own account's jobs
		}
		a.job = newJobScreen(a.c, msg.id)
		a.job.intent = msg.intent
		a.full = false
		return a, a.job.load()
	case jobDoneMsg:
		if a.job != nil {
			a.job.busy = false
		}
		if msg.err != nil {
			a.setErr("%v", msg.err)
			return a, nil
		}
		a.setMsg("%s", msg.what)
		return a, a.refresh()
	case jobLoadedMsg, candidatesMsg, feePreviewMsg, pickedMsg:
		if a.job != nil {
			return a, a.job.Update(msg)
		}
		return a, nil
	case jobMsg:
		if msg.err != nil {
			a.setErr("%v", msg.err)
			return a, nil
		}
		if msg.forEdit {
			if msg.job.Status != store.StatusRequested {
				a.setErr("job #%d is %s: only requested jobs can be edited", msg.job.ID, statusLabel(msg.job.Status))
				return a, nil
			}
			a.form = editForm(a.c, a.agencies, a.customers, msg.job)
			a.form.SetSize()
			a.full = false
			return a, a.form.setFocus(fDate)
		}
		if a.req.detail != nil && a.req.detail.ID == msg.job.ID {
			j := msg.job
			a.req.detail = &j
		}
		return a, nil
	case tea.KeyPressMsg:
		return a, a.key(msg)
	}
	// other messages (cursor blink, paste) go to whatever takes text
	if _, paste := msg.(tea.PasteMsg); paste && a.hint != nil { // nothing behind the box takes it
		return a, nil
	}
	switch {
	case a.form != nil:
		return a, a.form.Update(msg)
	case a.job != nil:
		return a, a.job.Update(msg)
	}
	return a, a.active().Update(msg)
}

// tabScreen is what every tab's model does for the root.
type tabScreen interface {
	Update(tea.Msg) tea.Cmd
	View(height int) string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	capturing() bool // taking typed text: global letter keys must not fire
}

// active is the active tab's model.
func (a *App) active() tabScreen {
	switch a.tab {
	case tabToday:
		return a.today
	case tabCalendar:
		return a.cal
	case tabOfficers:
		return a.offs
	case tabInvoices:
		return a.inv
	case tabPayroll:
		return a.pay
	case tabAudit:
		return a.aud
	}
	return a.req
}

// typing reports whether the focused screen takes typed text, so global
// single-letter keys must not fire.
func (a *App) typing() bool {
	switch {
	case a.hint != nil, a.form != nil:
		return true
	case a.job != nil:
		return a.job.capturing()
	}
	return a.active().capturing()
}

func (a *App) key(km tea.KeyPressMsg) tea.Cmd {
	if km.String() == "ctrl+c" {
		return tea.Quit
	}
	if a.hint != nil {
		return a.hintKey(km)
	}
	if a.form != nil {
		if km.String() == "f1" || (km.String() == "?" && a.form.helpKeyFree()) {
			a.full = !a.full
			return nil
		}
		a.clearMsg()
		return a.form.Update(km)
	}
	if a.typing() {
		if km.String() == "f1" {
			a.full = !a.full
			return nil
		}
		if a.job != nil {
			return a.job.Update(km)
		}
		return a.active().Update(km)
	}
	switch {
	case key.Matches(km, a.c.Keys.Help), km.String() == "f1":
		a.full = !a.full
		return nil
	case km.String() == "esc" && a.full:
		a.full = false
		return nil
	case key.Matches(km, a.c.Keys.Quit):
		return tea.Quit
	case key.Matches(km, a.c.Keys.New) && a.c.can(store.PermRequest):
		return a.openForm()
	}
	if a.job != nil {
		if key.Matches(km, a.job.keys.Back) {
			a.job = nil
			return a.refresh()
		}
		if key.Matches(km, a.job.keys.Edit) {
			return a.loadJob(a.job.id, true)
		}
		a.clearMsg()
		return a.job.Update(km)
	}
	switch {
	case key.Matches(km, a.c.Keys.NextTab):
		a.switchTab(1)
		return nil
	case key.Matches(km, a.c.Keys.PrevTab):
		a.switchTab(-1)
		return nil
	case len(km.String()) == 2 && km.String()[0] == 'f' && km.String()[1] >= '2' && km.String()[1] <= '9' && int(km.String()[1]-'2') < len(a.tabs):
		a.tab = a.tabs[km.String()[1]-'2']
		return nil
	}
	a.clearMsg()
	if a.tab == tabRequests && a.req.detail != nil && km.String() == "o" { // from the request detail to the full Job screen
		id := a.req.detail.ID
		return func() tea.Msg { return openJobMsg{id: id} }
	}
	return a.active().Update(km)
}

func (a *App) openForm() tea.Cmd {
	if len(a.agencies) == 0 {
		a.setErr("no agency has a rate card in force: cannot take requests yet")
		return nil
	}
	a.form = newForm(a.c, a.agencies, a.customers)
	a.form.lastAgency = map[int64]int64{}
	for _, j := range a.req.jobs { // jobs are in start order: the last one wins
		a.form.lastAgency[j.CustomerID] = j.AgencyID
	}
	a.form.SetSize()
	a.full = false
	return a.form.setFocus(fCustomer)
}

func (a *App) loadJob(id int64, forEdit bool) tea.Cmd {
	return func() tea.Msg {
		j, err := a.c.Store.Job(context.Background(), a.c.Actor, id)
		return jobMsg{job: j, forEdit: forEdit, err: err}
	}
}

func (a *App) save(m formSaveMsg) tea.Cmd {
	st, actor := a.c.Store, a.c.Actor
	return func() tea.Msg {
		ctx := context.Background()
		if m.editID != 0 {
			return savedMsg{editID: m.editID, err: st.UpdateJob(ctx, actor, m.editID, m.input)}
		}
		ids, err := st.CreateJobs(ctx, actor, m.input)
		return savedMsg{ids: ids, err: err}
	}
}

func (a *App) setMsg(format string, args ...any) {
	a.msg, a.msgErr = safe(fmt.Sprintf(format, args...)), false
}

func (a *App) setErr(format string, args ...any) {
	a.msg, a.msgErr = safe(fmt.Sprintf(format, args...)), true
}

func (a *App) clearMsg() {
	if !a.msgErr {
		a.msg = ""
	}
	a.msgErr = false
}

// keyMap is the help for what is on screen now.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyMap) ShortHelp() []key.Binding  { return k.short }
func (k keyMap) FullHelp() [][]key.Binding { return k.full }

type helper interface {
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

func (a *App) keys() keyMap {
	g := a.c.Keys
	if a.hint != nil {
		return a.hint.keys()
	}
	if a.form != nil {
		f1 := key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help"))
		full := append(a.form.keys.FullHelp(), []key.Binding{f1, key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))})
		return keyMap{short: append(a.form.keys.ShortHelp(), f1), full: full}
	}
	var h helper = a.active()
	if a.job != nil {
		h = a.job
	}
	if a.typing() {
		return keyMap{short: h.ShortHelp(), full: h.FullHelp()}
	}
	globals := []key.Binding{g.Help, g.Quit}
	more := []key.Binding{g.NextTab, g.PrevTab, g.Help, g.Quit}
	if a.c.can(store.PermRequest) {
		more = append(more, g.New)
	}
	full := append(h.FullHelp(), more)
	return keyMap{short: append(h.ShortHelp(), globals...), full: full}
}

// View draws the whole screen.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "offduty"
	return v
}

func (a *App) render() string {
	st := a.c.Styles
	w, h := a.c.Width, a.c.Height
	if w < 20 || h < 8 {
		return "offduty: window too small"
	}
	now := a.c.Now().In(a.c.Loc)
	// tab bar
	bar := st.Title.Render(" offduty ")
	clock := now.Format("Mon 02 Jan 15:04") + " "
	if w < 90 {
		clock = now.Format("02 Jan 15:04") + " "
	}
	need := width(bar) + len(clock)
	for _, t := range a.tabs {
		need += len(a.tabName(t)) + 2
	}
	for _, t := range a.tabs {
		name := a.tabName(t)
		if need > w { // narrow: short names keep every tab in sight
			name = tabShort[name]
		}
		if t == a.tab && a.job == nil && a.form == nil {
			bar += st.ActiveTab.Render(name)
		} else {
			bar += st.Tab.Render(name)
		}
	}
	bar = fit(bar, w-len(clock)) + st.Muted.Render(clock)
	rule := st.Rule.Render(strings.Repeat("─", w))

	// help
	km := a.keys()
	var helpView string
	if a.full {
		helpView = a.help.FullHelpView(km.FullHelp())
	} else {
		helpView = a.help.ShortHelpView(km.ShortHelp())
	}
	helpLines := strings.Split(helpView, "\n")
	bodyH := max(h-4-len(helpLines), 1)
	var body string
	switch {
	case a.form != nil:
		body = a.form.View(bodyH)
	case a.job != nil:
		body = a.job.View(bodyH)
	default:
		body = a.active().View(bodyH)
	}
	bl := strings.Split(body, "\n")
	for len(bl) < bodyH {
		bl = append(bl, "")
	}
	bl = bl[:bodyH]
	for i := range bl {
		bl[i] = fit(bl[i], w)
	}
	if a.hint != nil { // over the screen, in the middle
		box := a.hint.view(st, w, bodyH)
		copy(bl[max((bodyH-len(box))/2, 0):], box)
	}

	// status line: message, or user · database · office time; over SSH the
	// server's address in place of its database file
	where := shortPath(a.c.DBPath)
	if a.c.Remote {
		where = a.c.PublicAddress
	}
	right := strings.Join(slices.DeleteFunc([]string{a.c.Actor, where, now.Format("Mon 02 Jan 2006 15:04 MST")}, func(s string) bool { return s == "" }), " · ")
	var status string
	switch {
	case a.msg != "" && a.msgErr:
		status = st.Error.Render(truncate("✗ "+a.msg, w))
	case a.msg != "":
		status = st.OK.Render(truncate("✓ "+a.msg, w))
	default:
		status = st.Status.Render(truncate(right, w))
	}
	out := []string{bar, rule}
	out = append(out, bl...)
	out = append(out, rule, fit(status, w))
	for _, l := range helpLines {
		out = append(out, fit(l, w))
	}
	return strings.Join(out, "\n")
}

func shortPath(p string) string {
	if p == "" {
		return "(no database)"
	}
	return p
}

// helpKeyFree reports whether "?" can mean help in the focused field (it is
// never valid input in a choice, date, time or number field).
func (f *formModel) helpKeyFree() bool {
	switch f.focus {
	case fCycle, fAgency, fVenue, fDate, fStart, fEnd, fOfficers, fVehicles, fRepeat:
		return true
	}
	return false
}
