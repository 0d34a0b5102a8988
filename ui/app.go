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
	"github.com/charmbracelet/colorprofile"

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
	// Context ends with the console's session (over SSH, the connection):
	// the clock's tick and the wait for changes stop with it, so an ended
	// session's console is not kept alive by them (default: never ends).
	Context context.Context
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
		return []int{tabToday, tabRequests, tabCalendar, tabOfficers, tabCustomers} // Customers read-only
	case store.RoleOfficer:
		return []int{tabMyShifts, tabOpenShifts, tabMyPay} // their own shifts and pay, and what they may take
	case store.RoleAgency:
		return []int{tabRoster} // its own officers' details, read-only
	}
	return []int{tabToday, tabRequests, tabCalendar, tabOfficers, tabCustomers, tabInvoices, tabPayroll, tabAudit, tabOutbox, tabSettings, tabReports, tabAgencies}
}

func (a *App) tabName(t int) string {
	if t == tabReports {
		return "Reports"
	}
	if t == tabCustomers {
		return "Customers"
	}
	if t == tabAgencies {
		return "Agencies"
	}
	if n, ok := adminTabNames[t]; ok {
		return n
	}
	if n, ok := selfTabNames[t]; ok {
		return n
	}
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
	adm   *adminScreens
	rep   *reportsModel
	agc   *agenciesModel  // the Agencies tab (supervisors)
	cust  *customersModel // the Customers tab (supervisors; dispatchers read)
	self  *selfService    // the officer's and the agency's tabs
	form  *formModel      // the request form, over any tab
	job   *jobScreen      // the Job screen, over any tab
	hint  *remoteHint     // over SSH: the command a file key stands for, over everything
	help  help.Model
	full  bool

	dark, plain bool       // the terminal's background, and no colour (NO_COLOR)
	quitAsk     string     // ctrl+c over typed work: the question on screen until y or n
	bases       []editBase // what each open form or prompt held when it opened

	agencies  []store.PricedAgency
	customers []store.Customer
	shown     map[int]bool // tabs whose data has been asked for: the others load when first shown
	allAsked  bool         // loadAll asked for (the request form's agencies and customers, the Requests list)

	msg     string
	msgErr  bool
	msgKeep bool // an error outlives the next key press, still as an error
}

// New builds the console.
func New(o Options) *App {
	c := &Common{Store: o.Store, Now: o.Now, Loc: o.Loc, Actor: o.Actor, Role: o.Role, CustomerID: o.CustomerID,
		Remote: o.Remote, PublicAddress: o.PublicAddress, Ctx: o.Context,
		Styles: NewStyles(true), Keys: DefaultKeys(), Width: 80, Height: 24}
	if o.Store != nil {
		c.DBPath = o.Store.Path()
	}
	a := &App{c: c, today: newToday(c), req: newRequests(c), cal: newCalendar(c), offs: newOfficers(c), inv: newInvoices(c), pay: newPayroll(c), aud: newAudit(c), help: help.New(), dark: true}
	a.help.Styles = help.DefaultStyles(true)
	a.adm = newAdminScreens(c)
	a.rep = newReports(c)
	a.agc = newAgencies(c)
	a.cust = newCustomers(c)
	a.self = newSelfService(c)
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
	if a.c.selfOnly() { // an officer or an agency: their own tabs load what they show
		return m
	}
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
	if a.c.selfOnly() {
		return jobsMsg{}
	}
	jobs, err := a.c.Store.Jobs(context.Background(), a.c.Actor, a.requestsWindow())
	return jobsMsg{jobs, err}
}

// refresh reloads the data of every view shown so far after a change (the
// others load when first shown).
func (a *App) refresh() tea.Cmd {
	cmds := append([]tea.Cmd{a.loadJobs}, a.loadsFor(a.shownTabs())...)
	if a.cal.agendaOn {
		cmds = append(cmds, a.cal.loadAgenda())
	}
	if a.job != nil {
		cmds = append(cmds, a.job.load())
	}
	return tea.Batch(cmds...)
}

// tick is the clock's half-minute beat; it stops when the session ends.
func (a *App) tick() tea.Cmd {
	done := a.ctx().Done()
	return func() tea.Msg {
		t := time.NewTimer(30 * time.Second)
		defer t.Stop()
		select {
		case now := <-t.C:
			return tickMsg(now)
		case <-done:
			return nil
		}
	}
}

// ctx is the session's context (Options.Context), or one that never ends.
func (a *App) ctx() context.Context {
	if a.c.Ctx != nil {
		return a.c.Ctx
	}
	return context.Background()
}

// Init asks for the background colour and loads what the first frame
// draws: the first tab's data, and nothing else. Every other tab loads when
// it is first shown (see Update); the request form's agencies and customers
// (loadAll) once the first tab's data is in, unless the first tab is the
// Requests list, which is what loadAll reads.
func (a *App) Init() tea.Cmd {
	cmds := append([]tea.Cmd{tea.RequestBackgroundColor, a.tick(), a.waitChange()}, a.loadsFor([]int{a.tab})...)
	if a.tab != tabToday {
		cmds = append(cmds, a.askAll())
	}
	return tea.Batch(cmds...)
}

// askAll is loadAll the first time it is asked for, nil after.
func (a *App) askAll() tea.Cmd {
	if a.allAsked {
		return nil
	}
	a.allAsked = true
	return a.loadAll
}

// tabLoads loads what every one of the role's tabs shows.
func (a *App) tabLoads() []tea.Cmd { return a.loadsFor(a.tabs) }

// shownTabs are the tabs whose data has been loaded: a refresh reloads them.
func (a *App) shownTabs() []int {
	var out []int
	for _, t := range a.tabs {
		if a.shown[t] {
			out = append(out, t)
		}
	}
	return out
}

// loadsFor loads what these tabs show, and nothing else, and marks them
// shown (a later refresh reloads them).
func (a *App) loadsFor(tabs []int) []tea.Cmd {
	if a.shown == nil {
		a.shown = map[int]bool{}
	}
	var cmds []tea.Cmd
	for _, t := range tabs {
		a.shown[t] = true
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
	cmds = append(cmds, a.self.loads(tabs)...)
	cmds = append(cmds, a.adm.loads(tabs)...)
	if slices.Contains(tabs, tabReports) {
		cmds = append(cmds, a.rep.autoload())
	}
	if slices.Contains(tabs, tabCustomers) {
		cmds = append(cmds, a.cust.load())
	}
	if slices.Contains(tabs, tabAgencies) {
		cmds = append(cmds, a.agc.load())
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
	ctx := a.ctx()
	return func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		if st.WaitChange(ctx, 30*time.Second) {
			return changedMsg{}
		}
		return waitAgainMsg{}
	}
}

type waitAgainMsg struct{}

// Update routes messages; it never does I/O.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	a.watch() // what a form or prompt opened by the last message holds, before anything is typed into it
	was := a.tab
	m, cmd := a.update(msg)
	if a.quitAsk != "" && a.typedWork() == "" { // saved or closed meanwhile: nothing left to lose
		a.quitAsk = ""
	}
	if a.tab != was && !a.shown[a.tab] { // a tab shown for the first time loads its data
		cmd = tea.Batch(append([]tea.Cmd{cmd}, a.loadsFor([]int{a.tab})...)...)
	}
	if _, ok := msg.(todayMsg); (ok || a.tab == tabRequests) && !a.allAsked { // the board is in: now what the request form needs
		cmd = tea.Batch(cmd, a.askAll())
	}
	return m, cmd
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := a.routeSelf(msg); ok { // the officer's and the agency's screens
		return a, cmd
	}
	if rm, ok := msg.(reportMsg); ok { // the Reports tab
		return a, a.rep.Update(rm)
	}
	if cmd, ok := a.routeAdmin(msg); ok { // the Outbox and Settings tabs
		return a, cmd
	}
	if cmd, ok := a.routeCustomers(msg); ok { // the Customers tab
		return a, cmd
	}
	if cmd, ok := a.routeAgencies(msg); ok { // the Agencies tab
		return a, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		grew := msg.Height > a.c.Height || msg.Width > a.c.Width
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		a.req.SetSize(msg.Width, msg.Height-6)
		if a.form != nil {
			a.form.SetSize()
		}
		if grew && a.tab == tabCalendar && a.cal.loadedOnce() {
			return a, a.cal.load() // a taller month grid shows each day's first shifts
		}
		return a, nil
	case tea.BackgroundColorMsg:
		a.dark = msg.IsDark()
		a.restyle()
		return a, nil
	case tea.ColorProfileMsg: // NO_COLOR (here, or the SSH client's) gives ASCII: attributes, no colour
		a.plain = msg.Profile != colorprofile.Unknown && msg.Profile <= colorprofile.ASCII
		a.restyle()
		return a, nil
	case tea.MouseClickMsg:
		return a, a.click(msg.Mouse())
	case tea.MouseWheelMsg:
		return a, a.wheel(msg.Mouse())
	case tea.MouseReleaseMsg, tea.MouseMotionMsg:
		return a, nil
	case changedMsg:
		// live refresh: lists keep their selection, forms and prompts are left alone
		return a, tea.Batch(a.refresh(), a.waitChange())
	case waitAgainMsg:
		return a, a.waitChange()
	case tickMsg:
		// the board refreshes itself; lists keep their selection
		cmds := []tea.Cmd{a.tick(), a.today.load()}
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
	if s := a.self.screen(a.tab); s != nil {
		return s
	}
	if a.tab == tabReports {
		return a.rep
	}
	if a.tab == tabCustomers {
		return a.cust
	}
	if a.tab == tabAgencies {
		return a.agc
	}
	if s := a.adm.screen(a.tab); s != nil {
		return s
	}
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
	if a.quitAsk != "" {
		return a.answerQuit(km)
	}
	if km.String() == "ctrl+c" {
		return a.quit()
	}
	if a.tooSmall() { // nothing on screen to act on: only quitting
		if key.Matches(km, a.c.Keys.Quit) {
			return a.quit()
		}
		return nil
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
		return a.quit()
	case key.Matches(km, a.c.Keys.New) && a.tab == tabAgencies && a.job == nil: // n: a new rate card
		a.clearMsg()
		return a.agc.Update(km)
	case key.Matches(km, a.c.Keys.New):
		if !a.c.mayRequest() {
			a.setErr("%s", newRefusal(a.c.Role))
			return nil
		}
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
	if a.c.Role == store.RoleCustomer { // its own account and sites only
		return a.openCustomerForm()
	}
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
	a.msg, a.msgErr, a.msgKeep = safe(fmt.Sprintf(format, args...)), false, false
}

func (a *App) setErr(format string, args ...any) {
	a.msg, a.msgErr, a.msgKeep = safe(fmt.Sprintf(format, args...)), true, true
}

func (a *App) clearMsg() {
	if a.msgKeep { // an error stays for one more key, still marked as one
		a.msgKeep = false
		return
	}
	a.msg, a.msgErr = "", false
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
	if a.quitAsk != "" {
		yes := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "discard and quit"))
		no := key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "keep it"))
		return keyMap{short: []key.Binding{yes, no}, full: [][]key.Binding{{yes, no}}}
	}
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
	if a.c.mayRequest() && a.tab != tabAgencies { // a customer requests for its own account; an officer's n answers why (on Agencies n is a new card)
		more = append(more, g.New)
	}
	full := append(h.FullHelp(), more)
	if a.mouseOn() {
		full = append(full, mouseHelp)
	}
	return keyMap{short: append(h.ShortHelp(), globals...), full: full}
}

// mouseHelp says what the mouse does, and how to select text while the
// console has it (the terminal's own selection comes back with a modifier).
var mouseHelp = []key.Binding{
	key.NewBinding(key.WithKeys("mouse:click"), key.WithHelp("click", "tab, row")),
	key.NewBinding(key.WithKeys("mouse:wheel"), key.WithHelp("wheel", "scroll")),
	key.NewBinding(key.WithKeys("mouse:shift+drag"), key.WithHelp("shift+drag", "select text")),
}

// View draws the whole screen.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "offduty"
	if a.mouseOn() {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

func (a *App) render() string {
	st := a.c.Styles
	w, h := a.c.Width, a.c.Height
	if a.tooSmall() {
		return a.smallView()
	}
	now := a.c.Now().In(a.c.Loc)
	bar, _ := a.tabBar()
	rule := st.Rule.Render(strings.Repeat("─", w))

	helpLines := a.helpLines()
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
	if a.quitAsk != "" {
		box := a.askView(st, w, bodyH)
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

// restyle builds the styles for the terminal's background and colours.
func (a *App) restyle() {
	a.c.Styles = NewStyles(a.dark)
	a.c.Styles.Plain = a.plain
	a.help.Styles = help.DefaultStyles(a.dark)
}

// tabSpan is where a tab sits on the tab bar: cells x0 to x1 (excluded) of row 0.
type tabSpan struct{ x0, x1, tab int }

// tabBar is the top line: the title, the role's tabs (the active one
// marked, in brackets on a terminal without colour) and the office clock;
// and where each tab is, for the mouse.
func (a *App) tabBar() (string, []tabSpan) {
	st, w := a.c.Styles, a.c.Width
	now := a.c.Now().In(a.c.Loc)
	bar := st.Title.Render(" offduty ")
	clock := now.Format("Mon 02 Jan 15:04") + " "
	if w < 90 {
		clock = now.Format("02 Jan 15:04") + " "
	}
	tabsW := func(short bool) int {
		n := width(bar)
		for _, t := range a.tabs {
			if short {
				n += len(tabShort[a.tabName(t)]) + 2
			} else {
				n += len(a.tabName(t)) + 2
			}
		}
		return n
	}
	// Narrower: the tabs' full names before the date, then before the time
	// (the status line has both); then short names, which keep every tab in
	// sight, with the time if it fits.
	short := false
	for _, c := range []string{clock, now.Format("15:04") + " ", ""} {
		if clock = c; tabsW(false)+len(clock) <= w {
			break
		}
	}
	if tabsW(false)+len(clock) > w {
		short, clock = true, now.Format("15:04")+" "
		if tabsW(true)+len(clock) > w {
			clock = ""
		}
	}
	x := width(bar)
	spans := make([]tabSpan, 0, len(a.tabs))
	for _, t := range a.tabs {
		name := a.tabName(t)
		if short {
			name = tabShort[name]
		}
		switch {
		case t == a.tab && a.job == nil && a.form == nil && st.Plain:
			bar += "[" + st.ActiveTab.Render(name) + "]"
		case t == a.tab && a.job == nil && a.form == nil:
			bar += " " + st.ActiveTab.Render(name) + " "
		default:
			bar += " " + st.Tab.Render(name) + " "
		}
		n := len(name) + 2
		if x < w-len(clock) {
			spans = append(spans, tabSpan{x, min(x+n, w-len(clock)), t})
		}
		x += n
	}
	return fit(bar, w-len(clock)) + st.Muted.Render(clock), spans
}

// helpLines is the help at the bottom: the short line, or the full help.
func (a *App) helpLines() []string {
	return helpLines(&a.help, a.keys(), a.full) // drawn once per screen and width (common.go)
}

// The smallest window the screens are laid out for: the request form
// stacks its quote below the fields from 60 columns; 16 rows leave ten of
// body. Below it the console says so rather than draw screens with cut
// amounts and missing columns. Well under 80x24, so a terminal of that
// size with a status line (tmux) or a split still has the console. A box
// of commands to copy (over SSH) stays down to 20x8: it never cuts a
// command, and the user came for it.
const minWidth, minHeight = 60, 16

func (a *App) tooSmall() bool {
	w, h := a.c.Width, a.c.Height
	if a.hint != nil {
		return w < 20 || h < 8
	}
	return w < minWidth || h < minHeight
}

// smallView is the whole screen of a window too small: what it is, what
// is needed, and how to quit; the screens and what is typed in them wait
// for the window to grow.
func (a *App) smallView() string {
	st, w, h := a.c.Styles, a.c.Width, a.c.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := []string{
		st.Bold.Render(fmt.Sprintf("Window too small: %dx%d", w, h)),
		fmt.Sprintf("offduty needs at least %dx%d", minWidth, minHeight),
		"",
	}
	switch {
	case a.quitAsk != "":
		lines = append(lines, st.Warn.Render(a.quitAsk+" y/n"))
	case a.typedWork() != "":
		lines = append(lines, "What you typed is kept: enlarge the window to go on.", st.Muted.Render("ctrl+c quits"))
	default:
		lines = append(lines, st.Muted.Render("Enlarge the window, or press q to quit."))
	}
	if len(lines) > h {
		lines = slices.DeleteFunc(lines, func(s string) bool { return s == "" })
		lines = lines[:min(len(lines), h)]
	}
	out := make([]string, 0, h)
	for range (h - len(lines)) / 2 {
		out = append(out, strings.Repeat(" ", w))
	}
	for _, l := range lines {
		l = truncate(l, w)
		out = append(out, fit(strings.Repeat(" ", (w-width(l))/2)+l, w))
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return strings.Join(out, "\n")
}

// quit ends the session, unless a form or prompt holds typed work: then it
// asks first (ctrl+c is also copy to many hands, and a call is not typed twice).
func (a *App) quit() tea.Cmd {
	if q := a.typedWork(); q != "" {
		a.quitAsk, a.full = q, false
		return nil
	}
	return tea.Quit
}

// answerQuit handles a key while the quit question is open: y (or ctrl+c
// again) quits, n or esc goes back to the work; any other key is ignored.
func (a *App) answerQuit(km tea.KeyPressMsg) tea.Cmd {
	switch km.String() {
	case "y", "Y", "ctrl+c":
		return tea.Quit
	case "n", "N", "esc":
		a.quitAsk = ""
	}
	return nil
}

// askView is the quit question, across the width, in at most height rows.
func (a *App) askView(st Styles, w, height int) []string {
	title := " Quit? "
	out := []string{
		st.Rule.Render("──") + st.Title.Render(title) + st.Rule.Render(strings.Repeat("─", max(w-2-len(title), 0))),
		fit(" "+st.Warn.Render(a.quitAsk)+" "+st.Bold.Render("y/n"), w),
		fit(" "+st.Muted.Render("y quits and loses it · n or esc goes back to it"), w),
		st.Rule.Render(strings.Repeat("─", w)),
	}
	return out[:min(len(out), height)]
}

// editBase is what an open form or prompt held when it opened.
type editBase struct {
	ed   any // *formModel, *prompt or *fieldForm
	base string
}

// openEditors lists (into buf) the forms and prompts open now.
func (a *App) openEditors(buf []any) []any {
	if a.form != nil {
		buf = append(buf, a.form)
	}
	if a.job != nil && a.job.prompt != nil {
		buf = append(buf, a.job.prompt)
	}
	if a.inv.prompt != nil {
		buf = append(buf, a.inv.prompt)
	}
	if a.pay.prompt != nil {
		buf = append(buf, a.pay.prompt)
	}
	if a.offs.form != nil {
		buf = append(buf, a.offs.form)
	}
	buf = a.self.editors(buf)
	buf = a.adm.editors(buf)
	buf = a.cust.editors(buf)
	buf = a.agc.editors(buf)
	if a.rep.prompt != nil {
		buf = append(buf, a.rep.prompt)
	}
	return buf
}

// editorValue is everything a form or prompt holds, as one string.
func editorValue(ed any) string {
	var b strings.Builder
	switch e := ed.(type) {
	case *formModel:
		for i := range e.inputs {
			b.WriteString(e.inputs[i].Value())
			b.WriteByte(0)
		}
		b.WriteString(e.orders.Value())
		for _, c := range e.choice {
			fmt.Fprintf(&b, "\x00%d", c)
		}
	case *prompt:
		b.WriteString(e.input.Value())
	case *fieldForm:
		for _, f := range e.fields {
			fmt.Fprintf(&b, "%s\x00%d\x00", f.input.Value(), f.choice)
		}
	}
	return b.String()
}

// editorAsk is the question ctrl+c asks over a form or prompt.
func editorAsk(ed any) string {
	switch e := ed.(type) {
	case *formModel:
		if e.editID != 0 {
			return fmt.Sprintf("Discard your changes to job #%d and quit?", e.editID)
		}
		return "Discard the request being typed and quit?"
	case *prompt:
		return fmt.Sprintf("Discard what you typed (%s) and quit?", safe(e.label))
	case *fieldForm:
		return fmt.Sprintf("Discard what you typed (%s) and quit?", safe(e.title))
	}
	return "Discard what you typed and quit?"
}

// watch remembers what each form or prompt held when it opened (it is
// called before each message reaches them), and forgets the closed ones.
func (a *App) watch() {
	var buf [5]any
	open := a.openEditors(buf[:0])
	kept := a.bases[:0]
	for _, b := range a.bases {
		if slices.Contains(open, b.ed) {
			kept = append(kept, b)
		}
	}
	clear(a.bases[len(kept):]) // let the closed ones go
	a.bases = kept
	for _, ed := range open {
		if !slices.ContainsFunc(a.bases, func(b editBase) bool { return b.ed == ed }) {
			a.bases = append(a.bases, editBase{ed, editorValue(ed)})
		}
	}
}

// typedWork is the question to ask before quitting when a form or prompt
// holds something typed since it opened, else "".
func (a *App) typedWork() string {
	a.watch()
	for _, b := range a.bases {
		if editorValue(b.ed) != b.base {
			return editorAsk(b.ed)
		}
	}
	return ""
}

// newRefusal says why n opens no request form for this role.
func newRefusal(role string) string {
	switch role {
	case store.RoleCustomer:
		return "new requests are taken by the office: call or email it"
	case store.RoleOfficer:
		return "officers take open shifts on the Open shifts tab; requests are the office's"
	case store.RoleAgency:
		return "the agency's console is read-only: requests go to the office"
	}
	return fmt.Sprintf("a %s does not take requests: an operator, dispatcher or supervisor does", role)
}

// clickable is a screen that acts on a click in its body: x, y are from
// the top-left of what its View returns (below the tab bar and its rule).
type clickable interface{ click(x, y int) tea.Cmd }

// mouseOn reports whether the console takes the mouse. Not while a box of
// commands to copy is open (the terminal's own selection, a triple-click,
// copies a line), nor in a window too small to show anything to click.
// Elsewhere shift+drag selects text in most terminals.
func (a *App) mouseOn() bool { return a.hint == nil && !a.tooSmall() }

// bodyTop is the screen row of the body's first line.
const bodyTop = 2

// click: on a tab, switches to it; in the body, goes to the screen in
// front if it takes clicks.
func (a *App) click(m tea.Mouse) tea.Cmd {
	if !a.mouseOn() || a.quitAsk != "" || m.Button != tea.MouseLeft {
		return nil
	}
	if m.Y == 0 {
		_, spans := a.tabBar()
		for _, s := range spans {
			if m.X >= s.x0 && m.X < s.x1 {
				return a.clickTab(s.tab)
			}
		}
		return nil
	}
	bodyH := max(a.c.Height-4-len(a.helpLines()), 1)
	if m.Y < bodyTop || m.Y >= bodyTop+bodyH {
		return nil
	}
	var front any = a.active()
	switch {
	case a.form != nil:
		front = a.form
	case a.job != nil:
		front = a.job
	}
	if c, ok := front.(clickable); ok {
		a.clearMsg()
		return c.click(m.X, m.Y-bodyTop)
	}
	return nil
}

// clickTab switches to tab t, closing the Job screen over the tabs; never
// over the request form or a prompt, which the click would hide.
func (a *App) clickTab(t int) tea.Cmd {
	if a.form != nil || (a.job != nil && a.job.capturing()) || a.typedWork() != "" {
		return nil
	}
	a.clearMsg()
	a.tab = t
	if a.job != nil {
		a.job = nil
		return a.refresh()
	}
	return nil
}

// wheel scrolls the list or pane in front: each notch is three presses of
// up or down (one on the month grid, where a press is a week).
func (a *App) wheel(m tea.Mouse) tea.Cmd {
	if !a.mouseOn() || a.quitAsk != "" || a.form != nil || a.typing() {
		return nil
	}
	var code rune
	switch m.Button {
	case tea.MouseWheelUp:
		code = tea.KeyUp
	case tea.MouseWheelDown:
		code = tea.KeyDown
	default:
		return nil
	}
	var front tabScreen = a.active()
	if a.job != nil {
		front = a.job
	}
	n := 3
	if a.job == nil && a.tab == tabCalendar && !a.cal.agendaOn {
		n = 1
	}
	var cmds []tea.Cmd
	for range n {
		cmds = append(cmds, front.Update(tea.KeyPressMsg{Code: code}))
	}
	return tea.Batch(cmds...)
}
