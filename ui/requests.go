package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// requestKeys are the Requests tab's keys.
type requestKeys struct {
	Up, Down, Top, Bottom, Open, Back, Approve, Edit, Filter, Status, Sort, New key.Binding
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
		return []key.Binding{r.keys.Back, key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "job screen")), r.keys.Approve, r.keys.Edit}
	}
	return []key.Binding{r.keys.Open, r.keys.New, r.keys.Approve, r.keys.Edit, r.keys.Filter, r.keys.Status}
}

func (r *requestsModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{r.keys.Up, r.keys.Down, r.keys.Top, r.keys.Bottom}, {r.keys.Open, r.keys.Back, r.keys.New, r.keys.Approve, r.keys.Edit},
		{r.keys.Filter, r.keys.Status, r.keys.Sort}}
}

// applyRole turns off the keys the user's role may not use.
func (r *requestsModel) applyRole() {
	if r.readOnly || !r.c.can(store.PermDispatch) {
		r.keys.Approve.SetEnabled(false)
	}
	if r.readOnly || !r.c.can(store.PermRequest) {
		r.keys.Edit.SetEnabled(false)
		r.keys.New.SetEnabled(false)
	}
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
		return filterKey(&r.filter, &r.filtering, km, r.apply)
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
		keep := r.selected()
		if km.String() == "s" {
			r.status = (r.status + 1) % (len(store.Statuses) + 1)
		} else {
			r.status = int(km.String()[0] - '0')
		}
		r.apply()
		if keep != nil {
			r.selectJob(keep.ID)
		}
	case key.Matches(km, r.keys.Open):
		if j := r.selected(); j != nil {
			jj := *j
			r.detail, r.detailTop = &jj, 0
			id := j.ID
			return func() tea.Msg { return openMsg{id} }
		}
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
	}
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
	// columns: date 10, time 11, customer, site, agency 3, off 5, status 11, total 10
	fixed := 10 + 11 + 3 + 5 + 11 + 10 + 7 // plus gaps
	flex := max(w-fixed, 10)
	custW := flex * 55 / 100
	siteW := flex - custW
	header := fit("Date", 10) + " " + fit("Time", 11) + " " + fit("Customer", custW) + " " + fit("Site", siteW) + " " +
		fit("Agy", 3) + " " + right("Off", 5) + " " + fit("Status", 11) + " " + right("Total", 10)
	b.WriteString(st.Header.Render(fit(header, w)) + "\n")
	rowsH := max(height-2, 1)
	if r.cursor < r.offset {
		r.offset = r.cursor
	}
	if r.cursor >= r.offset+rowsH {
		r.offset = r.cursor - rowsH + 1
	}
	r.offset = min(r.offset, max(len(r.view)-rowsH, 0))
	if len(r.view) == 0 {
		b.WriteString(st.Muted.Render("No jobs match. Press n for a new request, esc or 0 to clear filters."))
	}
	for i := r.offset; i < len(r.view) && i < r.offset+rowsH; i++ {
		j := r.jobs[r.view[i]]
		loc := r.c.Loc
		s, e := j.Start.In(loc), j.End.In(loc)
		off := fmt.Sprint(j.Officers)
		if j.Supervisors > 0 {
			off += fmt.Sprintf("+%d", j.Supervisors)
		}
		total := pricing.FormatMoney(j.Total)
		if !j.Bookable {
			total = "✗ " + total
		}
		stTxt := statusLabel(j.Status)
		cells := fit(s.Format("Mon 02 Jan"), 10) + " " + fit(s.Format("15:04")+"-"+e.Format("15:04"), 11) + " " +
			fit(safe(j.CustomerName), custW) + " " + fit(safe(j.SiteName), siteW) + " " + fit(agencyShort(j), 3) + " " +
			right(off, 5) + " "
		line := fit(cells+fit(stTxt, 11)+" "+right(total, 10), w)
		if i == r.cursor {
			b.WriteString(st.Selected.Render(line))
		} else {
			b.WriteString(fit(cells+st.StatusStyle(j.Status).Render(fit(stTxt, 11))+" "+right(total, 10), w))
		}
		if i < r.offset+rowsH-1 && i < len(r.view)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// detailView is the read-only job detail: all fields, post orders, quote lines.
func (r *requestsModel) detailView(height int) string {
	st := r.c.Styles
	jj := cleanJob(*r.detail) // the root hands the detail in as loaded
	j := &jj
	w := r.c.Width
	loc := r.c.Loc
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
	add("Shift", s.Format("Mon 02 Jan 2006 15:04")+" - "+e.Format("15:04")+fmt.Sprintf("  (%s h)", pricing.FormatMinutes(int(e.Sub(s).Minutes()))))
	pos := fmt.Sprintf("%d officers", j.Officers)
	if j.Supervisors > 0 {
		pos += fmt.Sprintf(" + %d supervisor", j.Supervisors)
	}
	add("Positions", fmt.Sprintf("%s, %d filled; %d vehicles", pos, j.Filled, j.Vehicles))
	add("Contact", strings.TrimSpace(safe(j.ContactName)+"  "+safe(j.ContactPhone)))
	add("PO", safe(j.PONumber))
	add("Received", j.Received.In(loc).Format("Mon 02 Jan 2006 15:04")+" by "+safe(j.CreatedBy))
	if j.SeriesID != 0 {
		add("Series", fmt.Sprintf("weekly series %d, date %d", j.SeriesID, j.SeriesIndex+1))
	}
	if j.CancelFee.Valid {
		add("Cancel fee", pricing.FormatMoney(j.CancelFee.Decimal))
	}
	lines = append(lines, st.Label.Render("Post orders"))
	orders := store.Clean(j.PostOrders, true)
	if orders == "" {
		orders = "(none)"
	}
	for _, l := range strings.Split(wrap(orders, w-4), "\n") {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", st.Label.Render("Quote")+st.Muted.Render(fmt.Sprintf("  (rate card #%d, as priced when received)", j.RateCardID)))
	for _, l := range j.Quote.Lines {
		label := fmt.Sprintf("%d %s", l.Count, safe(string(l.Class)))
		if l.Basis != pricing.BasisRegular && l.Basis != string(l.Class) {
			label += " " + safe(l.Basis)
		}
		lines = append(lines, "  "+fit(label, 24)+right(safe(l.Hours)+" h", 9)+right(safe(l.Rate), 8)+right(safe(l.Amount), 12))
	}
	lines = append(lines, "  "+st.Total.Render(fit("Total", 41)+right(safe(j.Quote.Total), 12)))
	for _, rf := range j.Quote.Refusals {
		lines = append(lines, st.Refused.Render(wrapPrefixed("  ✗ ", safe(rf.Message), w)))
	}
	for _, wn := range j.Quote.Warnings {
		lines = append(lines, st.Warn.Render(wrapPrefixed("  ! ", safe(wn), w)))
	}
	if len(j.Positions) > 0 {
		lines = append(lines, "", st.Label.Render("Positions"))
		for _, p := range j.Positions {
			who := st.Warn.Render("open")
			if p.OfficerID != 0 {
				who = safe(p.OfficerName)
			}
			lines = append(lines, fmt.Sprintf("  %2d %-10s %s", p.Slot, safe(p.Class), who))
		}
	}
	all := strings.Join(lines, "\n")
	ls := strings.Split(all, "\n")
	r.detailTop = min(r.detailTop, max(len(ls)-height, 0))
	ls = ls[r.detailTop:]
	if len(ls) > height {
		ls = ls[:height]
	}
	for i := range ls {
		ls[i] = fit(ls[i], w)
	}
	return strings.Join(ls, "\n")
}

// capturing reports whether the filter line takes typed text.
func (r *requestsModel) capturing() bool { return r.filtering }
