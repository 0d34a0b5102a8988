package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/store"
)

// The officer's and the agency's tabs, numbered apart from the staff's.
const (
	tabMyShifts = 100 + iota
	tabOpenShifts
	tabMyPay
	tabRoster
)

var selfTabNames = map[int]string{tabMyShifts: "My shifts", tabOpenShifts: "Open shifts", tabMyPay: "My pay", tabRoster: "Roster"}

func init() {
	for long, short := range map[string]string{"My shifts": "Shifts", "Open shifts": "Open", "My pay": "Pay", "Roster": "Roster"} {
		tabShort[long] = short
	}
}

// How far the officer's My shifts list reaches back and ahead.
const (
	myShiftsPastDays  = 62
	myShiftsAheadDays = 180
)

// dropNotice is how long before its start an officer may still drop a
// shift themselves; inside it they call the office.
const dropNotice = store.DropNotice

// selfOnly reports whether the user is an officer or an agency: their own
// tabs, and nothing of the office's lists is loaded.
func (c *Common) selfOnly() bool { return c.Role == store.RoleOfficer || c.Role == store.RoleAgency }

// mayRequest reports whether n opens the request form: staff who take
// requests, and a customer user for its own account.
func (c *Common) mayRequest() bool { return c.can(store.PermRequest) || c.Role == store.RoleCustomer }

// selfService holds the officer's and the agency's screens.
type selfService struct {
	shifts *myShiftsModel
	open   *openShiftsModel
	pay    *myPayModel
	roster *rosterModel
}

func newSelfService(c *Common) *selfService {
	return &selfService{shifts: newMyShifts(c), open: newOpenShifts(c), pay: newMyPay(c), roster: newRoster(c)}
}

// screen is the model of one of these tabs, or nil for any other tab.
func (s *selfService) screen(tab int) tabScreen {
	switch tab {
	case tabMyShifts:
		return s.shifts
	case tabOpenShifts:
		return s.open
	case tabMyPay:
		return s.pay
	case tabRoster:
		return s.roster
	}
	return nil
}

// loads are the loads of these tabs among tabs.
func (s *selfService) loads(tabs []int) []tea.Cmd {
	var cmds []tea.Cmd
	for _, t := range tabs {
		switch t {
		case tabMyShifts:
			cmds = append(cmds, s.shifts.load())
		case tabOpenShifts:
			cmds = append(cmds, s.open.load())
		case tabMyPay:
			cmds = append(cmds, s.pay.load())
		case tabRoster:
			cmds = append(cmds, s.roster.load())
		}
	}
	return cmds
}

// editors lists (into buf) the prompts open on these screens, for the
// question ctrl+c asks before losing what was typed.
func (s *selfService) editors(buf []any) []any {
	for _, p := range []*prompt{s.shifts.prompt, s.roster.prompt} {
		if p != nil {
			buf = append(buf, p)
		}
	}
	return buf
}

// selfDoneMsg reports a finished sign-up, drop or decision.
type selfDoneMsg struct {
	what string
	err  error
}

// routeSelf hands the messages of the officer and agency screens to them.
func (a *App) routeSelf(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case myShiftsMsg, shiftExtrasMsg:
		return a.self.shifts.Update(msg), true
	case openShiftsMsg:
		return a.self.open.Update(msg), true
	case myPayMsg:
		return a.self.pay.Update(msg), true
	case rosterMsg:
		return a.self.roster.Update(msg), true
	case signedUpMsg:
		return a.routeSelf(a.self.open.signedUp(m))
	case customerFormMsg:
		if m.err != nil {
			a.setErr("could not open the request form: %s", storeMessage(m.err))
			return nil, true
		}
		a.form = customerForm(a.c, a.agencies, m.customer, a.req.jobs)
		a.form.SetSize()
		a.full = false
		return a.form.setFocus(a.form.focus), true
	case selfDoneMsg:
		if m.err != nil {
			a.setErr("%s", storeMessage(m.err))
		} else {
			a.setMsg("%s", m.what)
		}
		return a.refresh(), true
	}
	return nil, false
}

// storeMessage is an error as the user reads it: the store's message
// without the field it names.
func storeMessage(err error) string {
	var se *store.Error
	if errors.As(err, &se) && se.Message != "" {
		return se.Message
	}
	return err.Error()
}

// shiftWhen is a shift's day and times: "Sat 28 Nov 18:00-22:00", the
// end's day named when it is another.
func shiftWhen(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	t := s.Format("Mon 02 Jan 15:04") + "-" + e.Format("15:04")
	if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
		t += " (+1 day)"
	}
	return t
}

// timesText is a shift's times for a list: "18:00-22:00".
func timesText(start, end time.Time, loc *time.Location) string {
	return start.In(loc).Format("15:04") + "-" + end.In(loc).Format("15:04")
}

// ---------------------------------------------------------------- My shifts

type myShiftKeys struct {
	Up, Down, Open, Back, Drop, Now key.Binding
}

// myShiftsModel is the officer's My shifts tab: past and upcoming shifts
// with attendance, hours and pay; enter shows what the office shares with
// the officers on the job; d drops a shift far enough ahead.
type myShiftsModel struct {
	c      *Common
	keys   myShiftKeys
	list   []store.MyShift
	loaded bool
	err    string

	cursor, offset int
	placed         bool // the cursor was put on the first upcoming shift

	detail    *store.MyShift
	extras    *store.JobExtras
	extrasErr string
	scroll    int

	prompt  *prompt
	confirm *confirmBox
	note    string // why the last key did nothing, until the next key
}

type (
	myShiftsMsg struct {
		list []store.MyShift
		err  error
	}
	shiftExtrasMsg struct {
		jobID  int64
		extras store.JobExtras
		err    error
	}
)

func newMyShifts(c *Common) *myShiftsModel {
	return &myShiftsModel{c: c, keys: myShiftKeys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "shift")),
		Down: key.NewBinding(key.WithKeys("down", "j")),
		Open: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Drop: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "drop")),
		Now:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next shift")),
	}}
}

func (m *myShiftsModel) load() tea.Cmd {
	st, actor := m.c.Store, m.c.Actor
	now := m.c.Now()
	from, to := now.AddDate(0, 0, -myShiftsPastDays), now.AddDate(0, 0, myShiftsAheadDays)
	return func() tea.Msg {
		list, err := st.MyShifts(context.Background(), actor, from, to)
		return myShiftsMsg{list, err}
	}
}

func (m *myShiftsModel) loadExtras(jobID int64) tea.Cmd {
	st, actor := m.c.Store, m.c.Actor
	return func() tea.Msg {
		x, err := st.Extras(context.Background(), actor, jobID)
		return shiftExtrasMsg{jobID, x, err}
	}
}

func (m *myShiftsModel) capturing() bool { return m.prompt != nil || m.confirm != nil }

func (m *myShiftsModel) ShortHelp() []key.Binding {
	switch {
	case m.prompt != nil:
		return promptHelp()
	case m.confirm != nil:
		return confirmHelp()
	case m.detail != nil:
		return []key.Binding{m.keys.Back, scrollHelp, m.keys.Drop}
	}
	return []key.Binding{m.keys.Up, m.keys.Open, m.keys.Drop, m.keys.Now}
}

func (m *myShiftsModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Open, m.keys.Back, m.keys.Now}, {m.keys.Drop}}
}

var scrollHelp = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))

func promptHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}

func confirmHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "no"))}
}

// cleanMyShift is a shift as the console shows it.
func cleanMyShift(sh store.MyShift) store.MyShift {
	for _, p := range []*string{&sh.Class, &sh.JobStatus, &sh.CustomerName, &sh.SiteName, &sh.SiteAddress, &sh.AgencySlug, &sh.AgencyName,
		&sh.AgencyZone, &sh.ContactName, &sh.ContactPhone, &sh.Attendance} {
		*p = safe(*p)
	}
	sh.PostOrders = store.Clean(sh.PostOrders, true)
	return sh
}

func (m *myShiftsModel) selected() *store.MyShift {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return nil
	}
	return &m.list[m.cursor]
}

// firstUpcoming is the index of the first shift not yet over.
func (m *myShiftsModel) firstUpcoming() int {
	now := m.c.Now()
	for i, sh := range m.list {
		if sh.End.After(now) {
			return i
		}
	}
	return max(len(m.list)-1, 0)
}

func (m *myShiftsModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case myShiftsMsg:
		if msg.err != nil {
			m.err = storeMessage(msg.err)
			return nil
		}
		var keep int64
		if sh := m.selected(); sh != nil && m.placed {
			keep = sh.PositionID
		}
		m.list = make([]store.MyShift, len(msg.list))
		for i, sh := range msg.list {
			m.list[i] = cleanMyShift(sh)
		}
		sort.SliceStable(m.list, func(i, j int) bool { return m.list[i].Start.Before(m.list[j].Start) })
		m.loaded, m.err = true, ""
		switch {
		case !m.placed:
			m.cursor, m.placed = m.firstUpcoming(), true
			m.offset = max(m.cursor-2, 0)
		case keep != 0:
			for i, sh := range m.list {
				if sh.PositionID == keep {
					m.cursor = i
				}
			}
		}
		m.cursor = min(m.cursor, max(len(m.list)-1, 0))
		if m.detail != nil { // the open shift, as it is now
			found := false
			for i := range m.list {
				if m.list[i].PositionID == m.detail.PositionID {
					sh := m.list[i]
					m.detail, found = &sh, true
				}
			}
			if !found {
				m.detail, m.extras = nil, nil
			}
		}
		return nil
	case shiftExtrasMsg:
		if m.detail == nil || m.detail.JobID != msg.jobID {
			return nil
		}
		if msg.err != nil {
			m.extrasErr = storeMessage(msg.err)
			return nil
		}
		x := cleanExtras(msg.extras)
		m.extras, m.extrasErr = &x, ""
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
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	m.note = ""
	if m.detail != nil {
		switch {
		case key.Matches(km, m.keys.Back):
			m.detail, m.extras, m.extrasErr = nil, nil, ""
		case key.Matches(km, m.keys.Down), km.String() == "pgdown", km.String() == "space":
			m.scroll++
		case key.Matches(km, m.keys.Up), km.String() == "pgup":
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(km, m.keys.Drop):
			return m.drop(*m.detail)
		}
		return nil
	}
	switch {
	case key.Matches(km, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.list)-1, 0))
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case km.String() == "pgdown":
		m.cursor = min(m.cursor+max(m.c.Height-10, 1), max(len(m.list)-1, 0))
	case km.String() == "pgup":
		m.cursor = max(m.cursor-max(m.c.Height-10, 1), 0)
	case key.Matches(km, m.keys.Now):
		m.cursor = m.firstUpcoming()
		m.offset = max(m.cursor-2, 0)
	case key.Matches(km, m.keys.Open):
		sh := m.selected()
		if sh == nil {
			return nil
		}
		d := *sh
		m.detail, m.extras, m.extrasErr, m.scroll = &d, nil, "", 0
		return m.loadExtras(d.JobID)
	case key.Matches(km, m.keys.Drop):
		if sh := m.selected(); sh != nil {
			return m.drop(*sh)
		}
		m.note = "no shift selected"
	}
	return nil
}

// drop asks why (optional), then to confirm, and drops the shift; inside
// 48 hours of its start the officer is told to call the office instead.
func (m *myShiftsModel) drop(sh store.MyShift) tea.Cmd {
	now := m.c.Now()
	when := shiftWhen(sh.Start, sh.End, m.c.Loc)
	switch {
	case sh.JobStatus == store.StatusCancelled:
		m.note = "that shift is cancelled: nothing to drop"
		return nil
	case !sh.Start.After(now):
		m.note = "that shift has started: call the office"
		return nil
	case sh.Start.Sub(now) <= dropNotice:
		m.note = fmt.Sprintf("%s is %s away: inside 48 hours, call the office to drop it",
			sh.Start.In(m.c.Loc).Format("Mon 02 Jan 15:04"), pricing.FormatDuration(sh.Start.Sub(now).Truncate(time.Minute)))
		return nil
	}
	pos := sh.PositionID
	site := safe(sh.SiteName)
	st, actor := m.c.Store, m.c.Actor
	m.prompt = newPrompt("Reason", "", "Drop "+when+" · why, for the dispatchers · optional: enter skips",
		func(v string) (string, error) {
			if n := len([]rune(strings.TrimSpace(v))); n > store.MaxReason {
				return "", fmt.Errorf("at most %d characters (%d typed)", store.MaxReason, n)
			}
			return "", nil
		},
		func(reason string) tea.Cmd {
			m.confirm = &confirmBox{
				title: fmt.Sprintf("Drop your shift %s at %s?", when, site),
				lines: []string{"The position opens again for other officers, and the dispatchers are told."},
				yes: func() tea.Msg {
					err := st.DropShift(context.Background(), actor, pos, reason)
					return selfDoneMsg{what: fmt.Sprintf("Dropped %s at %s: the position is open again", when, site), err: err}
				},
			}
			return nil
		})
	return m.prompt.focus()
}

// shiftState is a shift's status as the officer reads it.
func shiftState(sh store.MyShift, now time.Time) string {
	switch sh.JobStatus {
	case store.StatusCancelled:
		return "cancelled"
	case store.StatusInProgress:
		return "on now"
	case store.StatusCompleted, store.StatusInvoiced, store.StatusPaid:
		return "done"
	case store.StatusScheduled, store.StatusApproved:
		if sh.End.Before(now) {
			return "over"
		}
		return "booked"
	}
	return statusLabel(sh.JobStatus)
}

// attendanceText is the attendance as recorded: "18:02-22:00", "in 18:02",
// "released 21:00", "held to 23:10", "no-show"; "—" before the start,
// "not recorded" after it.
func attendanceText(sh store.MyShift, now time.Time, loc *time.Location) string {
	hm := func(t time.Time) string { return t.In(loc).Format("15:04") }
	switch {
	case sh.Attendance == pricing.AttendanceNoShow:
		return "no-show"
	case !sh.CheckOut.IsZero() && sh.Attendance == pricing.AttendanceReleasedEarly:
		return "released " + hm(sh.CheckOut)
	case !sh.CheckOut.IsZero() && sh.Attendance == pricing.AttendanceHeldOver:
		return "held to " + hm(sh.CheckOut)
	case !sh.CheckOut.IsZero() && !sh.CheckIn.IsZero():
		return hm(sh.CheckIn) + "-" + hm(sh.CheckOut)
	case !sh.CheckIn.IsZero():
		return "in " + hm(sh.CheckIn)
	case sh.JobStatus == store.StatusCancelled || sh.Start.After(now):
		return "—"
	}
	return "not recorded"
}

// hoursOf is the hours a shift counts: as paid when the store says, else as scheduled.
func hoursOf(sh store.MyShift) int {
	if sh.Minutes > 0 {
		return sh.Minutes
	}
	return int(sh.End.Sub(sh.Start) / time.Minute)
}

func payText(d decimal.Decimal) string {
	if d.IsZero() {
		return "—"
	}
	return pricing.FormatMoney(d)
}

func (m *myShiftsModel) View(height int) string {
	if m.detail != nil {
		return m.detailView(height)
	}
	st, w, loc, now := m.c.Styles, m.c.Width, m.c.Loc, m.c.Now()
	var out []string
	if m.err != "" && !m.loaded {
		return st.Error.Render(truncate("✗ "+m.err, w))
	}
	if !m.loaded {
		return st.Muted.Render("loading your shifts…")
	}
	up, past := 0, 0
	var pay decimal.Decimal
	for _, sh := range m.list {
		if sh.End.After(now) {
			up++
		} else {
			past++
			pay = pay.Add(sh.Pay)
		}
	}
	out = append(out, st.Muted.Render(truncate(fmt.Sprintf("%d upcoming · %d in the last %d days · pay is your share of each shift", up, past, myShiftsPastDays), w)))
	const dateW, timeW, stateW, attW, hoursW = 10, 11, 9, 14, 6
	payW := 8
	for _, sh := range m.list {
		payW = max(payW, width(payText(sh.Pay)))
	}
	siteW := max(w-dateW-timeW-stateW-attW-hoursW-payW-6, 8)
	out = append(out, st.Header.Render(fit(fit("Date", dateW)+" "+fit("Time", timeW)+" "+fit("Site", siteW)+" "+fit("Status", stateW)+" "+
		fit("Attendance", attW)+" "+right("Hours", hoursW)+" "+right("Pay", payW), w)))
	bottom := m.bottom(w)
	rows := max(height-2-len(bottom), 1)
	if len(m.list) == 0 {
		out = append(out, st.Muted.Render(truncate("No shifts yet. The Open shifts tab lists the ones you may sign up for.", w)))
	}
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.list))
	for i := m.offset; i < len(m.list) && i < m.offset+rows; i++ {
		sh := m.list[i]
		state := shiftState(sh, now)
		line := fit(sh.Start.In(loc).Format("Mon 02 Jan"), dateW) + " " + fit(timesText(sh.Start, sh.End, loc), timeW) + " " +
			fit(safe(sh.SiteName), siteW) + " " + fit(state, stateW) + " " + fit(attendanceText(sh, now, loc), attW) + " " +
			right(pricing.FormatMinutes(hoursOf(sh)), hoursW) + " " + right(payText(sh.Pay), payW)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(fit(line, w))
		case sh.JobStatus == store.StatusCancelled:
			line = st.Muted.Render(line)
		case !sh.End.After(now):
			line = st.Muted.Render(line)
		}
		out = append(out, line)
	}
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	return strings.Join(append(out, bottom...), "\n")
}

// bottom is the prompt, the question or the note at the foot of the screen.
func (m *myShiftsModel) bottom(w int) []string {
	st := m.c.Styles
	switch {
	case m.prompt != nil:
		return strings.Split(m.prompt.view(st, w), "\n")
	case m.confirm != nil:
		out := []string{st.Warn.Render(truncate(safe(m.confirm.title)+"  y/n", w))}
		for _, l := range m.confirm.lines {
			out = append(out, "  "+truncate(safe(l), w-2))
		}
		return out
	case m.note != "":
		var out []string
		for _, l := range wrapWords("✗ "+m.note, w, 2) {
			out = append(out, st.Error.Render(l))
		}
		return out
	case m.err != "":
		return []string{st.Error.Render(truncate("✗ "+m.err, w))}
	}
	return nil
}

// detailView is one shift with what is shared with the officers on the
// job: where, who to see, the post orders, the notes and files.
func (m *myShiftsModel) detailView(height int) string {
	st, w, loc, now := m.c.Styles, m.c.Width, m.c.Loc, m.c.Now()
	sh := m.detail
	var doc []string
	add := func(label, v string) {
		doc = append(doc, st.Label.Render(fit(label, 11))+truncate(v, max(w-11, 1)))
	}
	s, e := sh.Start.In(loc), sh.End.In(loc)
	doc = append(doc, st.Title.Render("Shift")+"  "+st.Bold.Render(truncate(shiftSpan(s, e), w-7)))
	add("Site", safe(sh.SiteName)+", "+safe(sh.SiteAddress))
	add("Customer", safe(sh.CustomerName))
	add("Agency", safe(sh.AgencyName))
	add("Position", fmt.Sprintf("%s, position %d of job #%d", safe(sh.Class), sh.Slot, sh.JobID))
	contact := strings.TrimSpace(safe(sh.ContactName) + "  " + safe(sh.ContactPhone))
	if contact == "" {
		contact = "(none given: call the office)"
	}
	add("Contact", contact)
	add("Status", shiftState(*sh, now)+" · attendance "+attendanceText(*sh, now, loc))
	add("Hours, pay", pricing.FormatMinutes(hoursOf(*sh))+" h · "+payText(sh.Pay))
	if sh.Start.After(now) {
		if sh.Start.Sub(now) > dropNotice {
			add("Drop", "d drops it (until "+sh.Start.Add(-dropNotice).In(loc).Format("Mon 02 Jan 15:04")+")")
		} else {
			add("Drop", "inside 48 hours: call the office")
		}
	}
	doc = append(doc, "", st.Label.Render("Post orders"))
	orders := sh.PostOrders
	if orders == "" {
		orders = "(none)"
	}
	for _, l := range strings.Split(wrap(orders, w-2), "\n") {
		doc = append(doc, " "+l)
	}
	switch {
	case m.extrasErr != "":
		doc = append(doc, "", st.Error.Render(truncate("✗ notes and files: "+m.extrasErr, w)))
	case m.extras == nil:
		doc = append(doc, "", st.Muted.Render("loading notes and files…"))
	default:
		doc = append(doc, "", st.Label.Render(fmt.Sprintf("Notes for the officers (%d)", len(m.extras.Notes))))
		for _, n := range m.extras.Notes {
			head := n.At.In(loc).Format("02 Jan 15:04") + " " + safe(n.Author) + ": "
			body := strings.ReplaceAll(store.Clean(n.Body, true), "\n", " / ")
			for i, l := range wrapWords(head+body, w-1, 2) {
				if i == 0 {
					l = st.Muted.Render(head) + strings.TrimPrefix(l, head)
				}
				doc = append(doc, " "+l)
			}
		}
		if len(m.extras.Notes) == 0 {
			doc = append(doc, st.Muted.Render(" (none)"))
		}
		doc = append(doc, "", st.Label.Render(fmt.Sprintf("Files (%d)", len(m.extras.Media))))
		for _, f := range m.extras.Media {
			typ, _, _ := strings.Cut(safe(f.Type), ";")
			doc = append(doc, truncate(fmt.Sprintf(" %s  %s  %s  added %s", safe(f.Name), ByteSize(f.Size), typ, f.AddedAt.In(loc).Format("02 Jan 15:04")), w))
		}
		if len(m.extras.Media) == 0 {
			doc = append(doc, st.Muted.Render(" (none)"))
		}
	}
	bottom := m.bottom(w)
	room := max(height-len(bottom), 1)
	m.scroll = min(m.scroll, max(len(doc)-room, 0))
	out := doc[m.scroll:min(m.scroll+room, len(doc))]
	for len(out) < room {
		out = append(out, "")
	}
	out = append(out, bottom...)
	for i := range out {
		out[i] = fit(out[i], w)
	}
	return strings.Join(out, "\n")
}

// ---------------------------------------------------------------- Open shifts

type openShiftKeys struct {
	Up, Down, SignUp key.Binding
}

// openShiftsModel is the officer's Open shifts tab: the open positions they
// may take, soonest first, with pay and the fairness window; enter signs up.
type openShiftsModel struct {
	c       *Common
	keys    openShiftKeys
	list    []store.OpenShift
	pending map[int64]bool // positions the officer is waiting on
	mode    string         // the office's sign-up mode
	loaded  bool
	err     string
	cursor  int
	offset  int
	confirm *confirmBox
	note    string // the refusal or result of the last sign-up, until the next key
	noteErr bool
}

type openShiftsMsg struct {
	list    []store.OpenShift
	pending []store.Signup
	mode    string
	err     error
}

func newOpenShifts(c *Common) *openShiftsModel {
	return &openShiftsModel{c: c, keys: openShiftKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "shift")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		SignUp: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sign up")),
	}}
}

func (m *openShiftsModel) load() tea.Cmd {
	st, actor := m.c.Store, m.c.Actor
	return func() tea.Msg {
		ctx := context.Background()
		list, err := st.OpenShifts(ctx, actor)
		if err != nil {
			return openShiftsMsg{err: err}
		}
		msg := openShiftsMsg{list: list}
		msg.pending, _ = st.Signups(ctx, actor, "pending") // the officer's own, waiting
		if set, err := st.Settings(ctx); err == nil {
			msg.mode = set.SignupMode
		}
		return msg
	}
}

func (m *openShiftsModel) capturing() bool { return m.confirm != nil }

func (m *openShiftsModel) ShortHelp() []key.Binding {
	if m.confirm != nil {
		return confirmHelp()
	}
	return []key.Binding{m.keys.Up, m.keys.SignUp}
}

func (m *openShiftsModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.SignUp}}
}

func cleanOpenShift(o store.OpenShift) store.OpenShift {
	for _, p := range []*string{&o.Class, &o.CustomerName, &o.SiteName, &o.SiteAddress, &o.AgencyName, &o.AgencyZone, &o.Hours} {
		*p = safe(*p)
	}
	o.PostOrders = store.Clean(o.PostOrders, true)
	return o
}

func (m *openShiftsModel) selected() *store.OpenShift {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return nil
	}
	return &m.list[m.cursor]
}

func (m *openShiftsModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openShiftsMsg:
		if msg.err != nil {
			m.err = storeMessage(msg.err)
			return nil
		}
		var keep int64
		if o := m.selected(); o != nil {
			keep = o.PositionID
		}
		m.list = make([]store.OpenShift, len(msg.list))
		for i, o := range msg.list {
			m.list[i] = cleanOpenShift(o)
		}
		sort.SliceStable(m.list, func(i, j int) bool { return m.list[i].Start.Before(m.list[j].Start) })
		m.pending = map[int64]bool{}
		for _, s := range msg.pending {
			m.pending[s.PositionID] = true
		}
		m.mode, m.loaded, m.err = msg.mode, true, ""
		for i, o := range m.list {
			if o.PositionID == keep {
				m.cursor = i
			}
		}
		m.cursor = min(m.cursor, max(len(m.list)-1, 0))
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if m.confirm != nil {
		return answer(&m.confirm, km)
	}
	m.note = ""
	switch {
	case key.Matches(km, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.list)-1, 0))
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case km.String() == "pgdown":
		m.cursor = min(m.cursor+max(m.c.Height-12, 1), max(len(m.list)-1, 0))
	case km.String() == "pgup":
		m.cursor = max(m.cursor-max(m.c.Height-12, 1), 0)
	case key.Matches(km, m.keys.SignUp):
		o := m.selected()
		if o == nil {
			m.note, m.noteErr = "no open shift to sign up for", true
			return nil
		}
		if m.pending[o.PositionID] {
			m.note, m.noteErr = "you already signed up for it: waiting for a dispatcher", true
			return nil
		}
		return m.ask(*o)
	}
	return nil
}

// ask shows what the shift is and asks to confirm the sign-up.
func (m *openShiftsModel) ask(o store.OpenShift) tea.Cmd {
	when := shiftWhen(o.Start, o.End, m.c.Loc)
	site := safe(o.SiteName)
	after := "You are assigned at once if the rules allow it."
	if m.mode == store.SignupConfirm {
		after = "A dispatcher confirms it; you are told either way."
	}
	st, actor, pos := m.c.Store, m.c.Actor, o.PositionID
	m.confirm = &confirmBox{
		title: fmt.Sprintf("Sign up for %s at %s (%s, pays %s)?", when, site, hoursText(o), pricing.FormatMoney(o.Pay)),
		lines: []string{after + " You may drop it yourself until 48 hours before the start."},
		yes: func() tea.Msg {
			res, err := st.SignUp(context.Background(), actor, pos)
			if err != nil {
				return signedUpMsg{pos: pos, err: err}
			}
			return signedUpMsg{pos: pos, res: res, what: when + " at " + site}
		},
	}
	return nil
}

// signedUpMsg is the store's answer to a sign-up.
type signedUpMsg struct {
	pos  int64
	res  store.SignupResult
	what string
	err  error
}

// signedUp turns the store's answer into what the officer reads, on the
// screen and on the status line.
func (m *openShiftsModel) signedUp(msg signedUpMsg) selfDoneMsg {
	if msg.err != nil {
		m.note, m.noteErr = "Not signed up: "+storeMessage(msg.err), true
		return selfDoneMsg{err: fmt.Errorf("not signed up: %s", storeMessage(msg.err))}
	}
	var what string
	switch msg.res.State {
	case "assigned":
		what = "Assigned: " + msg.what + " is on My shifts"
	case "pending":
		what = "Waiting for a dispatcher to confirm " + msg.what
	default:
		what = "Signed up for " + msg.what + " (" + safe(msg.res.State) + ")"
	}
	if extra := safe(msg.res.Message); extra != "" && !strings.Contains(what, extra) {
		what += " · " + extra
	}
	return selfDoneMsg{what: what} // on the status line
}

// hoursText is a shift's billed hours ("4 h"): the store's figure, else its length.
func hoursText(o store.OpenShift) string {
	if o.Hours != "" {
		return o.Hours
	}
	return pricing.FormatHours(int(o.End.Sub(o.Start) / time.Minute))
}

func (m *openShiftsModel) View(height int) string {
	st, w, loc, now := m.c.Styles, m.c.Width, m.c.Loc, m.c.Now()
	if m.err != "" && !m.loaded {
		return st.Error.Render(truncate("✗ "+m.err, w))
	}
	if !m.loaded {
		return st.Muted.Render("loading open shifts…")
	}
	mode := "sign-ups: assigned at once"
	if m.mode == store.SignupConfirm {
		mode = "sign-ups: a dispatcher confirms"
	}
	fair := false
	for _, o := range m.list {
		fair = fair || o.FairOnlyUntil.After(now)
	}
	head := fmt.Sprintf("%d open %s you may take · %s", len(m.list), plural(len(m.list), "shift"), mode)
	out := []string{st.Muted.Render(truncate(head, w))}
	const dateW, timeW, classW, hoursW = 10, 11, 10, 7
	payW := 8
	for _, o := range m.list {
		payW = max(payW, width(pricing.FormatMoney(o.Pay)))
	}
	markW := 9 // "* waiting"
	siteW := max(w-dateW-timeW-classW-hoursW-payW-markW-6, 8)
	out = append(out, st.Header.Render(fit(fit("Date", dateW)+" "+fit("Time", timeW)+" "+fit("Site", siteW)+" "+fit("Class", classW)+" "+
		right("Hours", hoursW)+" "+right("Pay", payW)+" ", w)))
	detail := m.detailLines(w)
	bottom := m.bottom(w)
	rows := max(height-2-len(detail)-len(bottom), 1)
	if len(m.list) == 0 {
		out = append(out, st.Muted.Render(truncate("No open shifts you may take now. New ones appear here as the office approves jobs.", w)))
	}
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.list))
	for i := m.offset; i < len(m.list) && i < m.offset+rows; i++ {
		o := m.list[i]
		mark := ""
		switch {
		case m.pending[o.PositionID]:
			mark = "waiting"
		case o.FairOnlyUntil.After(now):
			mark = "*"
		}
		line := fit(o.Start.In(loc).Format("Mon 02 Jan"), dateW) + " " + fit(timesText(o.Start, o.End, loc), timeW) + " " + fit(safe(o.SiteName), siteW) + " " +
			fit(safe(o.Class), classW) + " " + right(hoursText(o), hoursW) + " " + right(pricing.FormatMoney(o.Pay), payW) + " " + mark
		if i == m.cursor {
			line = st.Selected.Render(fit(line, w))
		}
		out = append(out, line)
	}
	for len(out) < height-len(detail)-len(bottom) {
		out = append(out, "")
	}
	out = append(out, detail...)
	if fair && len(detail) == 0 {
		out = append(out, st.Muted.Render(truncate("* fair share: for now only officers at or below the agency's median hours this month", w)))
	}
	return strings.Join(append(out, bottom...), "\n")
}

// detailLines is the selected shift's customer, address, agency, fairness
// window and post orders, under the list.
func (m *openShiftsModel) detailLines(w int) []string {
	o := m.selected()
	if o == nil || m.confirm != nil {
		return nil
	}
	st, loc, now := m.c.Styles, m.c.Loc, m.c.Now()
	out := []string{st.Rule.Render(strings.Repeat("─", w))}
	out = append(out, truncate(st.Bold.Render(safe(o.CustomerName))+" · "+safe(o.SiteAddress)+" · "+safe(o.AgencyName), w))
	if o.FairOnlyUntil.After(now) {
		out = append(out, st.Warn.Render(truncate("* fair share until "+o.FairOnlyUntil.In(loc).Format("Mon 02 Jan 15:04")+
			": only officers at or below the agency's median hours this month may sign up", w)))
	}
	orders := strings.ReplaceAll(o.PostOrders, "\n", " / ")
	if orders == "" {
		orders = "(no post orders)"
	}
	out = append(out, st.Muted.Render(truncate("Post orders: "+orders, w)))
	return out
}

func (m *openShiftsModel) bottom(w int) []string {
	st := m.c.Styles
	switch {
	case m.confirm != nil:
		var out []string
		for _, l := range wrapWords(safe(m.confirm.title)+"  y/n", w, 2) {
			out = append(out, st.Warn.Render(l))
		}
		for _, l := range m.confirm.lines {
			for _, wl := range wrapWords(safe(l), w-2, 0) {
				out = append(out, "  "+wl)
			}
		}
		return out
	case m.note != "" && m.noteErr:
		var out []string
		for _, l := range wrapWords("✗ "+m.note, w, 2) {
			out = append(out, st.Error.Render(l))
		}
		return out
	case m.note != "":
		return []string{st.OK.Render(truncate("✓ "+m.note, w))}
	case m.err != "":
		return []string{st.Error.Render(truncate("✗ "+m.err, w))}
	}
	return nil
}

// ---------------------------------------------------------------- My pay

type myPayKeys struct {
	Up, Down, Prev, Next, Now key.Binding
}

// myPayModel is the officer's My pay tab: one pay period's lines and total.
type myPayModel struct {
	c      *Common
	keys   myPayKeys
	day    time.Time // a civil date (UTC midnight) in the period shown
	pay    *store.OfficerPay
	start  time.Time // the period's first day and the day after its last
	end    time.Time
	err    string
	loaded bool
	scroll int
}

type myPayMsg struct {
	day        time.Time
	pay        store.OfficerPay
	start, end time.Time
	err        error
}

func newMyPay(c *Common) *myPayModel {
	n := c.Now().In(c.Loc)
	return &myPayModel{c: c, day: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), keys: myPayKeys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		Down: key.NewBinding(key.WithKeys("down", "j")),
		Prev: key.NewBinding(key.WithKeys("["), key.WithHelp("[ ]", "period")),
		Next: key.NewBinding(key.WithKeys("]")),
		Now:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "current")),
	}}
}

func (m *myPayModel) load() tea.Cmd {
	st, actor, day := m.c.Store, m.c.Actor, m.day
	return func() tea.Msg {
		ctx := context.Background()
		p, err := st.MyPay(ctx, actor, day)
		msg := myPayMsg{day: day, pay: p, err: err}
		if err == nil {
			msg.start, msg.end, msg.err = st.PayPeriod(ctx, day)
		}
		return msg
	}
}

func (m *myPayModel) capturing() bool { return false }

func (m *myPayModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Prev, m.keys.Now, m.keys.Up}
}

func (m *myPayModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Prev, m.keys.Now, m.keys.Up}}
}

func (m *myPayModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case myPayMsg:
		if !msg.day.Equal(m.day) {
			return nil // a period left meanwhile
		}
		if msg.err != nil {
			m.err = storeMessage(msg.err)
			return nil
		}
		p := msg.pay
		for i := range p.Lines {
			l := &p.Lines[i]
			l.Kind, l.Customer, l.Site, l.Class, l.Rate = safe(l.Kind), safe(l.Customer), safe(l.Site), safe(l.Class), safe(l.Rate)
		}
		p.Officer = cleanOfficer(p.Officer)
		m.pay, m.start, m.end, m.err, m.loaded = &p, msg.start, msg.end, "", true
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	days := store.DefaultPayDays
	if !m.start.IsZero() && m.end.After(m.start) {
		days = int(m.end.Sub(m.start).Hours()/24 + 0.5)
	}
	switch {
	case key.Matches(km, m.keys.Down):
		m.scroll++
	case key.Matches(km, m.keys.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(km, m.keys.Prev):
		m.day, m.scroll = m.periodStart().AddDate(0, 0, -days), 0
		return m.load()
	case key.Matches(km, m.keys.Next):
		m.day, m.scroll = m.periodStart().AddDate(0, 0, days), 0
		return m.load()
	case key.Matches(km, m.keys.Now):
		n := m.c.Now().In(m.c.Loc)
		m.day, m.scroll = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), 0
		return m.load()
	}
	return nil
}

// periodStart is the first day of the period shown, or the day asked for.
func (m *myPayModel) periodStart() time.Time {
	if !m.start.IsZero() {
		return m.start
	}
	return m.day
}

func (m *myPayModel) View(height int) string {
	st, w := m.c.Styles, m.c.Width
	if m.err != "" {
		return st.Error.Render(truncate("✗ "+m.err, w))
	}
	if !m.loaded || m.pay == nil {
		return st.Muted.Render("loading your pay…")
	}
	p := m.pay
	var title string
	if !m.start.IsZero() {
		title = "Pay period " + m.start.Format("Mon 02 Jan") + " - " + m.end.AddDate(0, 0, -1).Format("Mon 02 Jan 2006")
	} else {
		title = "Pay period holding " + m.day.Format("Mon 02 Jan 2006")
	}
	who := strings.TrimSpace(safe(p.Officer.Name()) + " " + safe(p.Officer.Badge))
	out := []string{st.Title.Render(truncate(title, w)) + st.Muted.Render(truncate("  "+who, max(w-width(title), 0)))}
	const dayW, hoursW = 10, 6
	rateW, amountW := 5, max(width(pricing.FormatMoney(p.Total)), 6)
	for _, l := range p.Lines {
		rateW = max(rateW, width(l.Rate))
		amountW = max(amountW, width(pricing.FormatMoney(l.Amount)))
	}
	classW := 10
	siteW := max(w-dayW-classW-hoursW-rateW-amountW-5, 8)
	out = append(out, st.Header.Render(fit(fit("Day", dayW)+" "+fit("Customer, site", siteW)+" "+fit("For", classW)+" "+right("Hours", hoursW)+" "+
		right("Rate", rateW)+" "+right("Amount", amountW), w)))
	var lines []string
	for _, l := range p.Lines {
		where := safe(l.Customer)
		if l.Site != "" && l.Site != l.Customer {
			where += ", " + safe(l.Site)
		}
		what := safe(l.Class)
		if l.Kind != "" && l.Kind != "shift" {
			what = safe(l.Kind)
		}
		lines = append(lines, fit(l.Day.Format("Mon 02 Jan"), dayW)+" "+fit(where, siteW)+" "+fit(what, classW)+" "+right(pricing.FormatMinutes(l.Minutes), hoursW)+" "+
			right(l.Rate, rateW)+" "+right(pricing.FormatMoney(l.Amount), amountW))
	}
	if len(lines) == 0 {
		lines = append(lines, st.Muted.Render(truncate("Nothing worked in this period yet: pay counts completed shifts. [ ] for other periods.", w)))
	}
	room := max(height-4, 1)
	m.scroll = min(m.scroll, max(len(lines)-room, 0))
	out = append(out, lines[m.scroll:min(m.scroll+room, len(lines))]...)
	for len(out) < height-2 {
		out = append(out, "")
	}
	total := fit("Total", dayW+1+siteW+1+classW) + " " + right(pricing.FormatMinutes(p.Minutes), hoursW) + " " + right("", rateW) + " " + right(pricing.FormatMoney(p.Total), amountW)
	out = append(out, st.Rule.Render(strings.Repeat("─", min(w, width(total)))), st.Total.Render(total))
	return strings.Join(out, "\n")
}
