package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/store"
)

// requestKeys are the Requests tab's keys.
type requestKeys struct {
	Up, Down, Top, Bottom, Open, Back, Approve, Edit, Filter, Status, Sort, New, Cancel, Reduce key.Binding
}

func newRequestKeys() requestKeys {
	return requestKeys{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		Bottom:  key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Approve: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Status:  key.NewBinding(key.WithKeys("s", "0", "1", "2", "3", "4", "5", "6", "7", "8"), key.WithHelp("s", "status")),
		Sort:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort")),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Cancel:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel")),
		Reduce:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reduce")),
	}
}

// requestsModel is the Requests tab: a filterable table of jobs and a detail pane.
type requestsModel struct {
	c      *Common
	keys   requestKeys
	jobs   []store.Job
	view   []int // indexes of jobs shown, after filter and sort
	cursor int
	offset int

	filter    textinput.Model
	filtering bool
	status    int // 0 = all, else Statuses[status-1]
	desc      bool

	readOnly  bool       // a customer's own jobs: no approve, no edit
	detail    *store.Job // open detail pane
	detailTop int
	loaded    bool
	selectID  int64 // select this job when the list next loads

	note string // why the last key did nothing (a refused key), until the next key
	top  int    // the screen line of the first row, as last drawn (for clicks)
	rows int    // how many rows the last frame showed
}

func newRequests(c *Common) *requestsModel {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "customer, site, PO, agency…"
	fi.CharLimit = 80
	return &requestsModel{c: c, keys: newRequestKeys(), filter: fi}
}

func (r *requestsModel) ShortHelp() []key.Binding {
	if r.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	}
	if r.detail != nil {
		return []key.Binding{r.keys.Back, key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "job screen")), r.keys.Approve, r.keys.Edit, r.customerKey(r.keys.Cancel)}
	}
	if r.filtered() {
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filters")), r.keys.Open, r.keys.Approve, r.keys.Edit, r.keys.Filter, r.keys.Status, r.customerKey(r.keys.Cancel)}
	}
	return []key.Binding{r.keys.Open, r.keys.New, r.keys.Approve, r.keys.Edit, r.keys.Filter, r.keys.Status, r.customerKey(r.keys.Cancel)}
}

// FullHelp leaves n to the root, which offers it to the roles that may use it.
func (r *requestsModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{r.keys.Up, r.keys.Down, r.keys.Top, r.keys.Bottom}, {r.keys.Open, r.keys.Back, r.keys.Approve, r.keys.Edit},
		{r.keys.Filter, r.keys.Status, r.keys.Sort, r.keys.Cancel, r.keys.Reduce}}
}

// customerKey is a key the short help offers a customer only (staff cancel
// on the Job screen, where the positions are in sight).
func (r *requestsModel) customerKey(b key.Binding) key.Binding {
	if r.c.Role != store.RoleCustomer {
		return key.NewBinding(key.WithDisabled())
	}
	return b
}

// applyRole turns off (in help) the keys the user's role may not use;
// pressing one still answers why (refusal).
func (r *requestsModel) applyRole() {
	if r.readOnly || !r.c.can(store.PermDispatch) {
		r.keys.Approve.SetEnabled(false)
	}
	if r.readOnly || !r.c.can(store.PermRequest) {
		r.keys.Edit.SetEnabled(false)
		r.keys.New.SetEnabled(r.c.mayRequest()) // a customer requests for its own account
	}
	if !r.c.can(store.PermDispatch) && r.c.Role != store.RoleCustomer { // a customer cancels or reduces its own jobs
		r.keys.Cancel.SetEnabled(false)
		r.keys.Reduce.SetEnabled(false)
	}
}

// refusal says why a key the role may not use does nothing ("" for any other key).
func (r *requestsModel) refusal(km tea.KeyPressMsg) string {
	customer := r.readOnly || r.c.Role == store.RoleCustomer
	job := ""
	if j := r.current(); j != nil {
		job = fmt.Sprintf(" about job #%d", j.ID)
	}
	switch {
	case refused(km, r.keys.New):
		if customer {
			return "new requests are taken by the office: call or email it"
		}
		return needs(r.c, "taking requests", store.PermRequest)
	case refused(km, r.keys.Approve):
		if customer {
			return "the office approves requests; this console follows your account's jobs"
		}
		return needs(r.c, "approving requests", store.PermDispatch)
	case refused(km, r.keys.Cancel), refused(km, r.keys.Reduce):
		return needs(r.c, "cancelling or reducing a job", store.PermDispatch)
	case refused(km, r.keys.Edit):
		if customer {
			return "changes go through the office: call or email it" + job
		}
		return needs(r.c, "editing requests", store.PermRequest)
	}
	return ""
}

// current is the job in the detail pane, else the selected one.
func (r *requestsModel) current() *store.Job {
	if r.detail != nil {
		return r.detail
	}
	return r.selected()
}

// owns reports whether a job is in the list (a customer's account).
func (r *requestsModel) owns(id int64) bool {
	for _, j := range r.jobs {
		if j.ID == id {
			return true
		}
	}
	return false
}

// SetJobs replaces the list, keeping the selection (or selecting selectID).
func (r *requestsModel) SetJobs(jobs []store.Job) {
	keep := r.selectID
	if keep == 0 {
		if j := r.selected(); j != nil {
			keep = j.ID
		}
	}
	first := !r.loaded
	jobs = cleanJobs(jobs)
	r.jobs, r.loaded, r.selectID = jobs, true, 0
	r.apply()
	if keep != 0 {
		r.selectJob(keep)
	} else if first {
		// start at the first job from today on
		today := r.c.Now()
		for i, idx := range r.view {
			if !r.jobs[idx].End.Before(today) {
				r.cursor, r.offset = i, max(i-2, 0)
				break
			}
		}
	}
	if r.detail != nil {
		for _, j := range jobs {
			if j.ID == r.detail.ID {
				pos := r.detail.Positions
				jj := j
				jj.Positions = pos
				r.detail = &jj
			}
		}
	}
}

func (r *requestsModel) selectJob(id int64) {
	for i, idx := range r.view {
		if r.jobs[idx].ID == id {
			r.cursor = i
			return
		}
	}
}

func (r *requestsModel) selected() *store.Job {
	if r.cursor < 0 || r.cursor >= len(r.view) {
		return nil
	}
	return &r.jobs[r.view[r.cursor]]
}

// apply recomputes the visible rows from filter, status and sort.
func (r *requestsModel) apply() {
	q := strings.ToLower(strings.TrimSpace(r.filter.Value()))
	r.view = r.view[:0]
	for i, j := range r.jobs {
		if r.status > 0 && j.Status != store.Statuses[r.status-1] {
			continue
		}
		if q != "" {
			hay := strings.ToLower(strings.Join([]string{j.CustomerName, j.SiteName, j.SiteAddress, j.AgencyName, j.AgencySlug,
				j.PONumber, j.ContactName, j.Status, string(j.Venue), fmt.Sprintf("#%d", j.ID)}, " "))
			if !strings.Contains(hay, q) {
				continue
			}
		}
		r.view = append(r.view, i)
	}
	if r.desc {
		for a, b := 0, len(r.view)-1; a < b; a, b = a+1, b-1 {
			r.view[a], r.view[b] = r.view[b], r.view[a]
		}
	}
	r.cursor = min(max(r.cursor, 0), max(len(r.view)-1, 0))
}

// filtered reports whether a status or text filter narrows the list.
func (r *requestsModel) filtered() bool {
	return r.status > 0 || strings.TrimSpace(r.filter.Value()) != ""
}

// refilter applies a changed filter: a filtered list selects its first
// match, at the top; a cleared one keeps the job that was selected.
func (r *requestsModel) refilter() {
	keep := r.selected()
	var id int64
	if keep != nil {
		id = keep.ID
	}
	r.apply()
	r.cursor, r.offset = 0, 0
	if !r.filtered() && id != 0 {
		r.selectJob(id)
		r.offset = max(r.cursor-2, 0)
	}
}

// approveMsg / editMsg / openMsg ask the root to act on a job.
type (
	approveMsg struct{ id int64 }
	editMsg    struct{ id int64 }
	openMsg    struct{ id int64 }
)

// Update handles keys for the tab; store calls are returned as messages to the root.
func (r *requestsModel) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if r.filtering {
			var cmd tea.Cmd
			r.filter, cmd = r.filter.Update(msg)
			return cmd
		}
		return nil
	}
	if r.filtering {
		return filterKey(&r.filter, &r.filtering, km, r.refilter)
	}
	r.note = ""
	if why := r.refusal(km); why != "" {
		r.note = why
		return nil
	}
	if r.detail != nil {
		switch {
		case key.Matches(km, r.keys.Back):
			r.detail = nil
		case key.Matches(km, r.keys.Down):
			r.detailTop++
		case key.Matches(km, r.keys.Up):
			r.detailTop = max(r.detailTop-1, 0)
		case key.Matches(km, r.keys.Approve):
			id := r.detail.ID
			return func() tea.Msg { return approveMsg{id} }
		case key.Matches(km, r.keys.Edit):
			id := r.detail.ID
			return func() tea.Msg { return editMsg{id} }
		case key.Matches(km, r.keys.Cancel), key.Matches(km, r.keys.Reduce):
			return r.jobAction(r.detail, km)
		}
		return nil
	}
	switch {
	case key.Matches(km, r.keys.Down):
		r.cursor = min(r.cursor+1, max(len(r.view)-1, 0))
	case key.Matches(km, r.keys.Up):
		r.cursor = max(r.cursor-1, 0)
	case km.String() == "pgdown":
		r.cursor = min(r.cursor+r.pageSize(), max(len(r.view)-1, 0))
	case km.String() == "pgup":
		r.cursor = max(r.cursor-r.pageSize(), 0)
	case key.Matches(km, r.keys.Top):
		r.cursor = 0
	case key.Matches(km, r.keys.Bottom):
		r.cursor = max(len(r.view)-1, 0)
	case key.Matches(km, r.keys.Back) && r.filtered(): // esc clears the text and status filters, keeping the job selected
		r.filter.SetValue("")
		r.status = 0
		r.refilter()
	case key.Matches(km, r.keys.Filter):
		r.filtering = true
		return r.filter.Focus()
	case key.Matches(km, r.keys.Sort):
		keep := r.selected()
		r.desc = !r.desc
		r.apply()
		if keep != nil {
			r.selectJob(keep.ID)
		}
	case key.Matches(km, r.keys.Status):
		if km.String() == "s" {
			r.status = (r.status + 1) % (len(store.Statuses) + 1)
		} else {
			r.status = int(km.String()[0] - '0')
		}
		r.refilter()
	case key.Matches(km, r.keys.Open):
		return r.open()
	case key.Matches(km, r.keys.Approve):
		if j := r.selected(); j != nil {
			id := j.ID
			return func() tea.Msg { return approveMsg{id} }
		}
	case key.Matches(km, r.keys.Edit):
		if j := r.selected(); j != nil {
			id := j.ID
			return func() tea.Msg { return editMsg{id} }
		}
	case key.Matches(km, r.keys.Cancel), key.Matches(km, r.keys.Reduce):
		return r.jobAction(r.selected(), km)
	}
	return nil
}

// jobAction opens a job's Job screen with its cancellation (c) or
// reduction (r) started: the reason, then the fee shown before y.
func (r *requestsModel) jobAction(j *store.Job, km tea.KeyPressMsg) tea.Cmd {
	if j == nil {
		return nil
	}
	if err := store.CanMove(j.Status, store.StatusCancelled); err != nil {
		r.note = fmt.Sprintf("job #%d: %v", j.ID, err)
		return nil
	}
	id, intent := j.ID, "cancel"
	if key.Matches(km, r.keys.Reduce) {
		intent = "reduce"
	}
	return func() tea.Msg { return openJobMsg{id: id, intent: intent} }
}

// open shows the selected job's detail and asks the root to load it whole.
func (r *requestsModel) open() tea.Cmd {
	j := r.selected()
	if j == nil {
		return nil
	}
	jj := *j
	r.detail, r.detailTop = &jj, 0
	id := j.ID
	return func() tea.Msg { return openMsg{id} }
}

// click selects the row under (x, y) of the screen body; a click on the
// selected row opens it, as enter does.
func (r *requestsModel) click(x, y int) tea.Cmd {
	if r.detail != nil || !r.loaded {
		return nil
	}
	if r.filtering { // a click ends typing and keeps the filter
		r.filtering = false
		r.filter.Blur()
	}
	i, ok := rowAt(y, r.top, r.offset, r.rows, len(r.view))
	if !ok {
		return nil
	}
	r.note = ""
	if i == r.cursor {
		return r.open()
	}
	r.cursor = i
	return nil
}

// SetSize is called on every resize: the list keeps its selection in view.
func (r *requestsModel) SetSize(w, h int) {
	rows := max(h-2, 1)
	if r.cursor >= r.offset+rows {
		r.offset = r.cursor - rows + 1
	}
	r.detailTop = 0
}

func (r *requestsModel) pageSize() int { return max(r.c.Height-8, 1) }

func statusLabel(s string) string { return strings.ReplaceAll(s, "_", " ") }

func agencyShort(j store.Job) string {
	switch j.AgencySlug {
	case "west-valley-city":
		return "WVC"
	case "grantsville":
		return "GPD"
	}
	return truncate(strings.ToUpper(safe(j.AgencySlug)), 4)
}

// View draws the tab into height rows.
func (r *requestsModel) View(height int) string {
	if r.detail != nil {
		return r.detailView(height)
	}
	st := r.c.Styles
	w := r.c.Width
	var b strings.Builder
	// filter / status line
	status := "all"
	if r.status > 0 {
		status = statusLabel(store.Statuses[r.status-1])
	}
	head := fmt.Sprintf("%d of %d jobs · status: %s · %s", len(r.view), len(r.jobs), status, map[bool]string{false: "oldest first", true: "newest first"}[r.desc])
	if r.filtering || r.filter.Value() != "" {
		fv := r.filter.View()
		b.WriteString(fit(fv, w/2) + " " + st.Muted.Render(truncate(head, w-w/2-1)) + "\n")
	} else {
		b.WriteString(st.Muted.Render(fit(head, w)) + "\n")
	}
	if !r.loaded {
		b.WriteString(st.Muted.Render("loading…"))
		return b.String()
	}
	rowsH := max(height-2, 1)
	if r.note != "" {
		rowsH = max(height-3, 1)
	}
	r.cursor, r.offset = scrollList(r.cursor, r.offset, rowsH, len(r.view))
	r.top, r.rows = 2, min(rowsH, len(r.view)-r.offset)
	// the numbers' columns are as wide as what they show; the names share the rest
	totalW, offW := len("Total"), len("Off")
	for i := r.offset; i < len(r.view) && i < r.offset+rowsH; i++ {
		j := r.jobs[r.view[i]]
		totalW = max(totalW, width(r.totalText(j)))
		offW = max(offW, len(officersText(j)))
	}
	fixed := 10 + 11 + 3 + offW + 11 + totalW + 7 // plus gaps
	flex := max(w-fixed, 10)
	custW := flex * 55 / 100
	siteW := flex - custW
	header := fit("Date", 10) + " " + fit("Time", 11) + " " + fit("Customer", custW) + " " + fit("Site", siteW) + " " +
		fit("Agy", 3) + " " + right("Off", offW) + " " + fit("Status", 11) + " " + right("Total", totalW)
	b.WriteString(st.Header.Render(fit(header, w)))
	if len(r.view) == 0 {
		b.WriteString("\n" + st.Muted.Render(truncate(r.emptyText(), w)))
	}
	for i := r.offset; i < len(r.view) && i < r.offset+rowsH; i++ {
		j := r.jobs[r.view[i]]
		loc := r.c.Loc
		s, e := j.Start.In(loc), j.End.In(loc)
		stTxt := statusLabel(j.Status)
		cells := fit(s.Format("Mon 02 Jan"), 10) + " " + fit(s.Format("15:04")+"-"+e.Format("15:04"), 11) + " " +
			fit(safe(j.CustomerName), custW) + " " + fit(safe(j.SiteName), siteW) + " " + fit(agencyShort(j), 3) + " " +
			right(officersText(j), offW) + " "
		total := right(r.totalText(j), totalW)
		b.WriteString("\n")
		if i == r.cursor {
			b.WriteString(st.Selected.Render(fit(cells+fit(stTxt, 11)+" "+total, w)))
		} else {
			b.WriteString(fit(cells+st.StatusStyle(j.Status).Render(fit(stTxt, 11))+" "+total, w))
		}
	}
	if r.note != "" {
		lines := strings.Count(b.String(), "\n") + 1
		b.WriteString(strings.Repeat("\n", max(height-lines, 1)) + st.Error.Render(truncate("✗ "+r.note, w)))
	}
	return b.String()
}

// emptyText is what an empty list says: what to do next, for this role.
func (r *requestsModel) emptyText() string {
	switch {
	case r.filtered():
		if r.keys.New.Enabled() {
			return "No jobs match. esc clears the filters; n takes a new request."
		}
		return "No jobs match. esc clears the filters."
	case r.keys.New.Enabled():
		return "No jobs yet. Press n for a new request."
	case r.readOnly || r.c.Role == store.RoleCustomer:
		return "No jobs on this account yet. To request officers, call or email the office."
	}
	return "No jobs yet."
}

// officersText is a job's positions: officers, and supervisors after a +.
func officersText(j store.Job) string {
	off := fmt.Sprint(j.Officers)
	if j.Supervisors > 0 {
		off += fmt.Sprintf("+%d", j.Supervisors)
	}
	return off
}

// totalText is the amount a list row shows: the quoted total, marked when
// the quote refuses it; for a cancelled job the fee charged, not the total
// that no longer applies.
func (r *requestsModel) totalText(j store.Job) string {
	if j.Status == store.StatusCancelled {
		if j.CancelFee.Valid {
			return pricing.FormatMoney(j.CancelFee.Decimal)
		}
		return pricing.FormatMoney(pricing.Sum())
	}
	total := pricing.FormatMoney(j.Total)
	if !j.Bookable {
		total = "✗ " + total
	}
	return total
}

// money shows a saved amount ("2565.00") as the form does ("2,565.00").
func money(s string) string {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return pricing.FormatMoney(d)
}

// lineMinutes is a saved quote line's billed minutes per person.
func lineMinutes(l pricing.SnapshotLine) int {
	if l.Minutes == 0 && l.Hours != "" {
		if h, err := decimal.NewFromString(l.Hours); err == nil {
			return int(h.Mul(decimal.NewFromInt(60)).Round(0).IntPart())
		}
	}
	return l.Minutes
}

// shiftSpan is a shift's start and end, the end's date named when it is another day.
func shiftSpan(s, e time.Time) string {
	end := e.Format("15:04")
	if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
		end = e.Format("Mon 02 Jan 15:04")
	}
	return s.Format("Mon 02 Jan 2006 15:04") + " - " + end
}

// detailView is the read-only job detail: all fields, post orders, quote
// lines. A customer sees what concerns them: no internal names, and for a
// cancelled job the fee charged in place of the total.
func (r *requestsModel) detailView(height int) string {
	st := r.c.Styles
	jj := cleanJob(*r.detail) // the root hands the detail in as loaded
	j := &jj
	w := r.c.Width
	loc := r.c.Loc
	customer := r.readOnly || r.c.Role == store.RoleCustomer
	cancelled := j.Status == store.StatusCancelled
	var lines []string
	add := func(label, v string) {
		lines = append(lines, st.Label.Render(fit(label, 12))+truncate(v, max(w-12, 1)))
	}
	lines = append(lines, st.Title.Render(fmt.Sprintf("Job #%d", j.ID))+"  "+st.StatusStyle(j.Status).Render(statusLabel(j.Status)))
	add("Customer", safe(j.CustomerName))
	add("Site", safe(j.SiteName)+"  "+safe(j.SiteAddress))
	add("Agency", safe(j.AgencyName))
	add("Venue", safe(string(j.Venue))+" ("+safe(j.Venue.Label())+")")
	s, e := j.Start.In(loc), j.End.In(loc)
	add("Shift", shiftSpan(s, e)+fmt.Sprintf("  (%s h)", pricing.FormatMinutes(int(e.Sub(s).Minutes()))))
	pos := fmt.Sprintf("%d %s", j.Officers, plural(j.Officers, "officer"))
	if j.Supervisors > 0 {
		pos += fmt.Sprintf(" + %d %s", j.Supervisors, plural(j.Supervisors, "supervisor"))
	}
	add("Positions", fmt.Sprintf("%s, %d filled; %d %s", pos, j.Filled, j.Vehicles, plural(j.Vehicles, "vehicle")))
	add("Contact", strings.TrimSpace(safe(j.ContactName)+"  "+safe(j.ContactPhone)))
	add("PO", safe(j.PONumber))
	received := j.Received.In(loc).Format("Mon 02 Jan 2006 15:04")
	if !customer { // who typed it is the office's business
		received += " by " + safe(j.CreatedBy)
	}
	add("Received", received)
	if j.SeriesID != 0 {
		add("Series", fmt.Sprintf("weekly series %d, date %d", j.SeriesID, j.SeriesIndex+1))
	}
	fee := pricing.Sum()
	if j.CancelFee.Valid {
		fee = j.CancelFee.Decimal
	}
	switch {
	case customer && cancelled && fee.IsZero():
		add("Charged", "nothing: cancelled without a fee")
	case customer && cancelled:
		add("Charged", st.Total.Render(pricing.FormatMoney(fee))+" cancellation fee")
	case j.CancelFee.Valid && customer:
		add("Fees", pricing.FormatMoney(fee)+" for positions removed")
	case j.CancelFee.Valid:
		add("Cancel fee", pricing.FormatMoney(fee))
	}
	lines = append(lines, st.Label.Render("Post orders"))
	orders := store.Clean(j.PostOrders, true)
	if orders == "" {
		orders = "(none)"
	}
	for _, l := range strings.Split(wrap(orders, w-4), "\n") {
		lines = append(lines, "  "+l)
	}
	if !(customer && cancelled) { // the quote no longer applies to a cancelled job
		lines = append(lines, r.quoteLines(j, customer)...)
	}
	var posLines []string
	for _, p := range j.Positions {
		who := st.Warn.Render("open")
		if p.OfficerID != 0 {
			who = safe(p.OfficerName)
		}
		if p.Status == "cancelled" {
			if customer { // a place that no longer exists is nothing to them
				continue
			}
			who = st.Muted.Render("cancelled")
			if p.OfficerID != 0 {
				who = st.Muted.Render(safe(p.OfficerName) + " (cancelled)")
			}
		}
		posLines = append(posLines, fmt.Sprintf("  %2d %-10s %s", p.Slot, safe(p.Class), who))
	}
	if len(posLines) > 0 {
		lines = append(append(lines, "", st.Label.Render("Positions")), posLines...)
	}
	all := strings.Join(lines, "\n")
	ls := strings.Split(all, "\n")
	if r.note != "" {
		height = max(height-1, 1)
	}
	r.detailTop = min(r.detailTop, max(len(ls)-height, 0))
	ls = ls[r.detailTop:]
	if len(ls) > height {
		ls = ls[:height]
	}
	for i := range ls {
		ls[i] = fit(ls[i], w)
	}
	if r.note != "" {
		for len(ls) < height {
			ls = append(ls, "")
		}
		ls = append(ls, st.Error.Render(truncate("✗ "+r.note, w)))
	}
	return strings.Join(ls, "\n")
}

// quoteLines is the saved quote as the form shows it: hours as 6:00 h,
// money with thousands separators, columns as wide as their widest value.
func (r *requestsModel) quoteLines(j *store.Job, customer bool) []string {
	st := r.c.Styles
	w := r.c.Width
	title := st.Label.Render("Quote")
	if !customer {
		title += st.Muted.Render(fmt.Sprintf("  (rate card #%d, as priced when received)", j.RateCardID))
	}
	lines := []string{"", title}
	type row struct{ label, hours, rate, amount string }
	var rows []row
	labelW, hoursW, rateW := 5, 0, 0
	total := money(j.Quote.Total)
	if j.Quote.Total == "" {
		total = pricing.FormatMoney(j.Total)
	}
	amountW := width(total)
	for _, l := range j.Quote.Lines {
		label := fmt.Sprintf("%d %s", l.Count, safe(string(l.Class)))
		if l.Basis != pricing.BasisRegular && l.Basis != string(l.Class) {
			label += " " + safe(l.Basis)
		}
		rw := row{label, pricing.FormatMinutes(lineMinutes(l)) + " h", money(l.Rate), money(l.Amount)}
		rows = append(rows, rw)
		labelW, hoursW, rateW, amountW = max(labelW, width(rw.label)), max(hoursW, width(rw.hours)), max(rateW, width(rw.rate)), max(amountW, width(rw.amount))
	}
	// numbers are never cut: the label gives way
	labelW = max(min(labelW, w-2-hoursW-rateW-amountW-6), 5)
	lineW := labelW + 2 + hoursW + 2 + rateW + 2 + amountW
	for _, rw := range rows {
		lines = append(lines, "  "+fit(rw.label, labelW)+"  "+right(rw.hours, hoursW)+"  "+right(rw.rate, rateW)+"  "+right(rw.amount, amountW))
	}
	lines = append(lines, "  "+st.Total.Render(fit("Total", max(lineW-amountW, 6))+right(total, amountW)))
	for _, rf := range j.Quote.Refusals {
		lines = append(lines, st.Refused.Render(wrapPrefixed("  ✗ ", safe(rf.Message), w)))
	}
	for _, wn := range j.Quote.Warnings {
		lines = append(lines, st.Warn.Render(wrapPrefixed("  ! ", safe(wn), w)))
	}
	return lines
}

// capturing reports whether the filter line takes typed text.
func (r *requestsModel) capturing() bool { return r.filtering }

// scrollList keeps a list's cursor in range and in view, and its offset
// from leaving empty rows below the last item while earlier ones are hidden.
func scrollList(cursor, offset, rows, n int) (int, int) {
	rows = max(rows, 1)
	cursor = min(max(cursor, 0), max(n-1, 0))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return cursor, max(min(offset, n-rows), 0)
}

// rowAt is the list row under screen line y: top is the line of the first
// row drawn, offset that row's index, shown how many rows were drawn.
func rowAt(y, top, offset, shown, n int) (int, bool) {
	i := y - top
	if i < 0 || i >= shown || offset+i >= n {
		return 0, false
	}
	return offset + i, true
}

// refused reports whether a key press is a binding the role turned off: it
// is not offered in help, and a press answers why.
func refused(km tea.KeyPressMsg, b key.Binding) bool {
	if b.Enabled() {
		return false
	}
	for _, k := range b.Keys() {
		if km.String() == k {
			return true
		}
	}
	return false
}

// needs says which role an action needs, and which role the user has.
func needs(c *Common, what, perm string) string {
	who := map[string]string{store.PermRequest: "an operator", store.PermDispatch: "a dispatcher", store.PermAdmin: "a supervisor"}[perm]
	s := what + " needs " + who
	if c.Role != "" {
		a := "a"
		if strings.ContainsRune("aeiou", rune(c.Role[0])) {
			a = "an"
		}
		s += " (you are " + a + " " + safe(c.Role) + ")"
	}
	return s
}
