package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// invoicesModel is the Invoices tab: invoices by account, period, state and
// amount (overdue ones highlighted); generation with a preview; a printed-
// style invoice view; issue, mark paid, void, export.
type invoicesModel struct {
	c         *Common
	keys      invoiceKeys
	list      []store.Invoice
	view      []int
	cursor    int
	offset    int
	state     int // 0 all, then draft, issued, paid, void, overdue
	filter    textinput.Model
	filtering bool
	loaded    bool

	readOnly bool           // a customer's own invoices
	open     *store.Invoice // the invoice view
	scroll   int
	preview  []store.Invoice // generated, not saved yet: ended periods
	running  []store.Invoice // periods still running, shown apart
	genDay   time.Time
	prompt   *prompt
	confirm  *confirmBox
	err      string
	top      int // the screen line of the list's first row, as last drawn (for clicks)
	rows     int // how many rows the last frame showed
}

var invoiceStates = []string{"all", store.InvoiceDraft, store.InvoiceIssued, store.InvoicePaid, store.InvoiceVoid, "overdue"}

type invoiceKeys struct {
	Up, Down, Open, Back, Generate, Issue, Paid, Void, Export, State, Filter key.Binding
}

func newInvoices(c *Common) *invoicesModel {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "account or number"
	return &invoicesModel{c: c, filter: fi, keys: invoiceKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "view")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Generate: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "generate")),
		Issue:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "issue")),
		Paid:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "paid")),
		Void:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "void")),
		Export:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		State:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "state")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	}}
}

// applyRole turns off the keys the user's role may not use.
func (m *invoicesModel) applyRole() {
	if m.readOnly || !m.c.can(store.PermAdmin) {
		for _, k := range []*key.Binding{&m.keys.Generate, &m.keys.Issue, &m.keys.Paid, &m.keys.Void} {
			k.SetEnabled(false)
		}
	}
}

// refusal says why a key the role may not use does nothing ("" for any other key).
func (m *invoicesModel) refusal(km tea.KeyPressMsg) string {
	customer := m.readOnly || m.c.Role == store.RoleCustomer
	for _, k := range []struct {
		b    key.Binding
		what string
	}{{m.keys.Generate, "billing"}, {m.keys.Issue, "issuing invoices"}, {m.keys.Paid, "recording payments"}, {m.keys.Void, "voiding invoices"}} {
		if refused(km, k.b) {
			if customer {
				return k.what + " is the office's work: call or email it about an invoice"
			}
			return needs(m.c, k.what, store.PermAdmin)
		}
	}
	return ""
}

func (m *invoicesModel) capturing() bool {
	return m.filtering || m.prompt != nil || m.confirm != nil || m.preview != nil
}

func (m *invoicesModel) ShortHelp() []key.Binding {
	switch {
	case m.prompt != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.confirm != nil || m.preview != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "cancel"))}
	case m.filtering:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	case m.open != nil:
		return []key.Binding{m.keys.Back, m.keys.Issue, m.keys.Paid, m.keys.Void, m.keys.Export}
	}
	return []key.Binding{m.keys.Open, m.keys.Generate, m.keys.Issue, m.keys.Paid, m.keys.Void, m.keys.Export}
}

func (m *invoicesModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Open, m.keys.Back, m.keys.Filter, m.keys.State}, {m.keys.Generate, m.keys.Issue, m.keys.Paid, m.keys.Void, m.keys.Export}}
}

type (
	invoicesMsg struct {
		list []store.Invoice
		err  error
	}
	invoiceMsg struct {
		inv store.Invoice
		err error
	}
	invoicePreviewMsg struct {
		day     time.Time
		list    []store.Invoice // ended periods, ready to bill
		running []store.Invoice // periods still running: billed once they end
		err     error
	}
	invoiceDoneMsg struct {
		what string
		id   int64
		err  error
	}
)

func (m *invoicesModel) load() tea.Cmd {
	st := m.c.Store
	f := store.InvoiceFilter{}
	if m.c.Role == store.RoleCustomer {
		f.CustomerID = m.c.CustomerID // their own account only
	}
	return func() tea.Msg {
		list, err := st.Invoices(context.Background(), m.c.Actor, f)
		if m.c.Role == store.RoleCustomer { // drafts are the office's work in progress
			out := list[:0]
			for _, inv := range list {
				if inv.State != store.InvoiceDraft {
					out = append(out, inv)
				}
			}
			list = out
		}
		return invoicesMsg{list, err}
	}
}

func (m *invoicesModel) loadOne(id int64) tea.Cmd {
	st := m.c.Store
	return func() tea.Msg {
		inv, err := st.Invoice(context.Background(), m.c.Actor, id)
		return invoiceMsg{inv, err}
	}
}

func (m *invoicesModel) today() time.Time {
	n := m.c.Now().In(m.c.Loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (m *invoicesModel) apply() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.view = m.view[:0]
	today := m.today()
	for i, inv := range m.list {
		st := invoiceStates[m.state]
		switch {
		case st == "overdue":
			if !inv.Overdue(today) {
				continue
			}
		case st != "all" && inv.State != st:
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(inv.CustomerName+" "+inv.Number+fmt.Sprintf(" #%d", inv.ID)), q) {
			continue
		}
		m.view = append(m.view, i)
	}
	m.cursor = min(m.cursor, max(len(m.view)-1, 0))
}

// refilter applies a changed filter or state: the list selects its first
// match, at the top.
func (m *invoicesModel) refilter() {
	m.apply()
	m.cursor, m.offset = 0, 0
}

// click selects the invoice under (x, y) of the screen body; a click on
// the selected one opens it, as enter does.
func (m *invoicesModel) click(x, y int) tea.Cmd {
	if m.open != nil || m.prompt != nil || m.confirm != nil || m.preview != nil || !m.loaded {
		return nil
	}
	if m.filtering { // a click ends typing and keeps the filter
		m.filtering = false
		m.filter.Blur()
	}
	i, ok := rowAt(y, m.top, m.offset, m.rows, len(m.view))
	if !ok {
		return nil
	}
	m.err = ""
	if i == m.cursor {
		return m.loadOne(m.list[m.view[i]].ID)
	}
	m.cursor = i
	return nil
}

func (m *invoicesModel) selected() *store.Invoice {
	if m.open != nil {
		return m.open
	}
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return nil
	}
	return &m.list[m.view[m.cursor]]
}

func invName(inv store.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return fmt.Sprintf("draft #%d", inv.ID)
}

func (m *invoicesModel) done(what string, id int64, fn func(ctx context.Context) error) tea.Cmd {
	return func() tea.Msg { return invoiceDoneMsg{what: what, id: id, err: fn(context.Background())} }
}

// dayPrompt asks for a date (default today) and runs next with it.
func (m *invoicesModel) dayPrompt(label string, def time.Time, next func(time.Time) tea.Cmd) tea.Cmd {
	today := m.c.today()
	m.prompt = newPrompt(label, def.Format("2006-01-02"), "a date: 2026-11-30, 11/30, today, yesterday is not needed",
		func(v string) (string, error) {
			d, err := ParseDatePast(v, today)
			if err != nil {
				return "", err
			}
			return d.Echo(), nil
		},
		func(v string) tea.Cmd {
			d, _ := ParseDatePast(v, today)
			return next(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC))
		})
	m.prompt.hint = "a date: 2026-11-30, 11/30, today"
	return m.prompt.focus()
}

func (m *invoicesModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case invoicesMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		var keep int64
		if inv := m.selected(); inv != nil {
			keep = inv.ID
		}
		m.list, m.loaded, m.err = msg.list, true, ""
		m.apply()
		for i, idx := range m.view {
			if m.list[idx].ID == keep {
				m.cursor = i
			}
		}
		return nil
	case invoiceMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		inv := msg.inv
		m.open = &inv
		return nil
	case invoicePreviewMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		if len(msg.list) == 0 && len(msg.running) == 0 {
			m.err = "nothing to bill: every completed shift up to " + msg.day.Format("Mon 02 Jan 2006") + " is on an invoice"
			return nil
		}
		m.preview, m.running, m.genDay = msg.list, msg.running, msg.day
		if m.preview == nil {
			m.preview = []store.Invoice{} // the preview shows, with only what is still running
		}
		return nil
	case invoiceDoneMsg:
		if msg.err == nil && m.open != nil && m.open.ID == msg.id {
			return tea.Batch(m.load(), m.loadOne(msg.id))
		}
		return m.load()
	}
	km, ok := msg.(tea.KeyPressMsg)
	if m.prompt != nil {
		p := m.prompt
		done, cmd := p.update(msg)
		if done && m.prompt == p { // the answer may have asked the next question
			m.prompt = nil
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
	if m.preview != nil {
		day, st, actor, today := m.genDay, m.c.Store, m.c.Actor, m.today()
		ready := len(m.preview)
		switch km.String() {
		case "y", "Y":
			if ready == 0 {
				return nil
			}
			m.preview, m.running = nil, nil
			return func() tea.Msg {
				list, err := st.GenerateInvoices(context.Background(), actor, day, 0, true)
				return invoiceDoneMsg{what: fmt.Sprintf("Saved %d draft %s: i issues one, or g then I issues them all", len(list), plural(len(list), "invoice")), err: err}
			}
		case "I":
			if ready == 0 {
				return nil
			}
			m.preview, m.running = nil, nil
			return func() tea.Msg {
				ctx := context.Background()
				if _, err := st.GenerateInvoices(ctx, actor, day, 0, true); err != nil {
					return invoiceDoneMsg{err: err}
				}
				list, err := st.IssueDrafts(ctx, actor, day, 0, today)
				total := pricing.Sum()
				for _, inv := range list {
					total = total.Add(inv.Total)
				}
				return invoiceDoneMsg{what: fmt.Sprintf("Issued %d %s dated today, %s", len(list), plural(len(list), "invoice"), pricing.FormatMoney(total)), err: err}
			}
		case "n", "N", "esc", "q":
			m.preview, m.running = nil, nil
		}
		return nil
	}
	if m.filtering {
		return filterKey(&m.filter, &m.filtering, km, m.refilter)
	}
	m.err = ""
	if why := m.refusal(km); why != "" {
		m.err = why
		return nil
	}
	inv := m.selected()
	switch {
	case m.open != nil && key.Matches(km, m.keys.Back):
		m.open, m.scroll = nil, 0
	case m.open != nil && key.Matches(km, m.keys.Down):
		m.scroll++
	case m.open != nil && key.Matches(km, m.keys.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(km, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(km, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.view)-1, 0))
	case key.Matches(km, m.keys.Open):
		if inv != nil {
			return m.loadOne(inv.ID)
		}
	case key.Matches(km, m.keys.State):
		m.state = (m.state + 1) % len(invoiceStates)
		m.refilter()
	case key.Matches(km, m.keys.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(km, m.keys.Generate):
		// Billing for a date takes every period ended by then (and before
		// today) that holds work not billed yet: today bills all that can be.
		st, actor := m.c.Store, m.c.Actor
		return m.dayPrompt("Bill what has ended by", m.today(), func(day time.Time) tea.Cmd {
			return func() tea.Msg {
				ctx := context.Background()
				list, err := st.GenerateInvoices(ctx, actor, day, 0, false)
				if err != nil {
					return invoicePreviewMsg{day: day, err: err}
				}
				running, err := st.RunningInvoices(ctx, actor, 0)
				return invoicePreviewMsg{day: day, list: list, running: running, err: err}
			}
		})
	case key.Matches(km, m.keys.Issue):
		if inv == nil || inv.State != store.InvoiceDraft {
			m.err = "only a draft can be issued"
			return nil
		}
		id, st, actor, total := inv.ID, m.c.Store, m.c.Actor, inv.Total
		return m.dayPrompt("Issue on", m.today(), func(day time.Time) tea.Cmd {
			return func() tea.Msg {
				n, err := st.IssueInvoice(context.Background(), actor, id, day)
				return invoiceDoneMsg{what: fmt.Sprintf("Issued %s for %s", n, pricing.FormatMoney(total)), id: id, err: err}
			}
		})
	case key.Matches(km, m.keys.Paid):
		if inv == nil || inv.State != store.InvoiceIssued {
			m.err = "only an issued invoice can be marked paid"
			return nil
		}
		id, name, st, actor := inv.ID, invName(*inv), m.c.Store, m.c.Actor
		return m.dayPrompt("Paid on", m.today(), func(day time.Time) tea.Cmd {
			m.prompt = newPrompt("Payment reference", "", "cheque or transfer number (optional)", nil, func(ref string) tea.Cmd {
				return m.done(fmt.Sprintf("Marked %s paid on %s", name, day.Format("02 Jan 2006")), id, func(ctx context.Context) error {
					return st.MarkPaid(ctx, actor, id, day, ref)
				})
			})
			return m.prompt.focus()
		})
	case key.Matches(km, m.keys.Void):
		if inv == nil || (inv.State != store.InvoiceDraft && inv.State != store.InvoiceIssued) {
			m.err = "only a draft or an unpaid invoice can be voided"
			return nil
		}
		id, name, st, actor := inv.ID, invName(*inv), m.c.Store, m.c.Actor
		m.prompt = newPrompt("Void reason", "", "why (kept on the invoice); its shifts can then be billed again",
			func(v string) (string, error) {
				if strings.TrimSpace(v) == "" {
					return "", fmt.Errorf("a reason is required")
				}
				return "", nil
			},
			func(v string) tea.Cmd {
				return m.done("Voided "+name, id, func(ctx context.Context) error { return st.VoidInvoice(ctx, actor, id, v) })
			})
		return m.prompt.focus()
	case key.Matches(km, m.keys.Export):
		if inv == nil {
			return nil
		}
		if m.c.Remote { // over SSH: the command that brings the file to the user's machine
			return showHint(invoiceHint(m.c, *inv))
		}
		return m.exportPrompt(*inv)
	}
	return nil
}

func (m *invoicesModel) View(height int) string {
	st := m.c.Styles
	w := m.c.Width
	var bottom []string
	switch {
	case m.prompt != nil:
		bottom = strings.Split(m.prompt.view(st, w), "\n")
	case m.confirm != nil:
		bottom = append(bottom, st.Warn.Render(truncate(m.confirm.title+"  y/n", w)))
	case m.err != "":
		bottom = append(bottom, st.Error.Render(truncate("✗ "+safe(m.err), w)))
	}
	h := max(height-len(bottom), 1)
	var body string
	switch {
	case m.preview != nil:
		body = m.previewView(h)
	case m.open != nil:
		body = m.invoiceView(*m.open, h)
	default:
		body = m.listView(h)
	}
	lines := strings.Split(body, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(append(lines[:h], bottom...), "\n")
}

func (m *invoicesModel) listView(height int) string {
	st := m.c.Styles
	w := m.c.Width
	if !m.loaded {
		return st.Muted.Render("loading invoices…")
	}
	today := m.today()
	var due, overdue int
	dueSum, overSum := pricing.Sum(), pricing.Sum()
	for _, inv := range m.list {
		if inv.State == store.InvoiceIssued {
			due++
			dueSum = dueSum.Add(inv.Total)
			if inv.Overdue(today) {
				overdue++
				overSum = overSum.Add(inv.Total)
			}
		}
	}
	head := fmt.Sprintf("%d of %d invoices · %s · unpaid %d (%s)", len(m.view), len(m.list), invoiceStates[m.state], due, pricing.FormatMoney(dueSum))
	over := ""
	if overdue > 0 {
		over = st.Refused.Render(fmt.Sprintf(" · %d overdue (%s)", overdue, pricing.FormatMoney(overSum)))
	}
	var out []string
	if m.filtering || m.filter.Value() != "" {
		out = append(out, fit(m.filter.View(), w/3)+" "+fit(st.Muted.Render(head)+over, w-w/3-1))
	} else {
		out = append(out, fit(st.Muted.Render(head)+over, w))
	}
	accW := max(w-12-24-8-11-12-5, 10)
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-11s %s %-23s %-7s %10s  %s", "Number", fit("Account", accW), "Period", "State", "Total", "Due"), w)))
	rows := max(height-2, 1)
	m.cursor, m.offset = scrollList(m.cursor, m.offset, rows, len(m.view))
	m.top, m.rows = 2, min(rows, len(m.view)-m.offset)
	if len(m.view) == 0 {
		empty := " No invoices here."
		if m.keys.Generate.Enabled() {
			empty += " g bills every period that has ended."
		}
		out = append(out, st.Muted.Render(empty))
	}
	for i := m.offset; i < len(m.view) && i < m.offset+rows; i++ {
		inv := m.list[m.view[i]]
		period := inv.PeriodStart.Format("02 Jan") + "-" + inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006")
		dueTxt := ""
		if !inv.DueOn.IsZero() {
			dueTxt = inv.DueOn.Format("02 Jan")
		}
		if inv.State == store.InvoicePaid {
			dueTxt = "paid " + inv.PaidOn.Format("02 Jan")
		}
		if inv.Overdue(today) {
			dueTxt = fmt.Sprintf("OVERDUE %dd", int(today.Sub(inv.DueOn).Hours()/24))
		}
		line := fit(fmt.Sprintf(" %-11s %s %-23s %-7s %10s  %s", invName(inv), fit(safe(inv.CustomerName), accW), period, inv.State,
			pricing.FormatMoney(inv.Total), dueTxt), w)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(line)
		case inv.Overdue(today):
			line = st.Refused.Render(line)
		case inv.State == store.InvoiceVoid:
			line = st.Muted.Render(line)
		case inv.State == store.InvoiceDraft:
			line = st.Warn.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func (m *invoicesModel) previewView(height int) string {
	st := m.c.Styles
	w := m.c.Width
	accW := max(w-1-10-24-6-13-1, 10)
	row := func(inv store.Invoice) string {
		period := inv.PeriodStart.Format("02 Jan") + "-" + inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006")
		return fit(fmt.Sprintf(" %s %-9s %-23s %5d %12s", fit(safe(inv.CustomerName), accW), inv.Cycle, period, len(inv.Lines), pricing.FormatMoney(inv.Total)), w)
	}
	upTo := m.genDay
	if today := m.today(); !upTo.Before(today) {
		upTo = today.AddDate(0, 0, -1)
	}
	head := []string{st.Title.Render(truncate("Ready to bill: periods ended by "+upTo.Format("Mon 02 Jan 2006"), w)),
		st.Muted.Render(truncate("each account's own cycle, oldest period first; nothing is saved until y", w)),
		st.Header.Render(fit(fmt.Sprintf(" %s %-9s %-23s %5s %12s", fit("Account", accW), "Cycle", "Period", "Lines", "Total"), w))}
	var ready []string
	total := pricing.Sum()
	for _, inv := range m.preview {
		ready = append(ready, row(inv))
		total = total.Add(inv.Total)
	}
	if len(m.preview) == 0 {
		ready = append(ready, st.Muted.Render(truncate(" nothing: every period that has ended is billed", w)))
	} else {
		ready = append(ready, st.Total.Render(fit(fmt.Sprintf(" %s %-9s %-23s %5s %12s", fit(fmt.Sprintf("%d %s", len(m.preview), plural(len(m.preview), "invoice")), accW), "", "", "", pricing.FormatMoney(total)), w)))
	}
	var running []string
	if len(m.running) > 0 {
		so := pricing.Sum()
		for _, inv := range m.running {
			so = so.Add(inv.Total)
		}
		running = append(running, "", st.Warn.Render(truncate(fmt.Sprintf("Still running, billed once they end (%d, %s so far):", len(m.running), pricing.FormatMoney(so)), w)))
		for _, inv := range m.running {
			running = append(running, st.Muted.Render(row(inv)))
		}
	}
	ask := "y save as drafts  I save and issue all today  n cancel"
	if len(m.preview) == 0 {
		ask = "nothing to save  esc back"
	}
	foot := []string{"", st.Warn.Render(truncate(ask, w))}
	// Fit the height: the ready list first, then what is still running,
	// each cut with a "… N more" line.
	room := max(height-len(head)-len(foot), 2)
	cut := func(lines []string, n int) []string {
		if len(lines) <= n {
			return lines
		}
		if n <= 0 {
			return nil
		}
		return append(lines[:n-1], st.Muted.Render(fmt.Sprintf(" … %d more", len(lines)-n+1)))
	}
	ready = cut(ready, max(room-min(len(running), 4), 2))
	running = cut(running, room-len(ready))
	out := append(append(append(head, ready...), running...), foot...)
	return strings.Join(out, "\n")
}

// invoiceView lays an invoice out as it prints.
func (m *invoicesModel) invoiceView(inv store.Invoice, height int) string {
	st := m.c.Styles
	w := m.c.Width
	var out []string
	title := "INVOICE " + invName(inv)
	out = append(out, st.Title.Render(fit("offduty · off-duty officer services", w-len(title)-1))+" "+st.Bold.Render(title))
	state := inv.State
	if inv.Overdue(m.today()) {
		state = "OVERDUE"
	}
	dates := "Issued " + dateOr(inv.IssuedOn, "not yet") + " · Due " + dateOr(inv.DueOn, "on issue +"+fmt.Sprint(inv.TermsDays)+" days")
	out = append(out, fit("Bill to: "+st.Bold.Render(safe(inv.CustomerName)), w/2)+right(dates, w-w/2))
	out = append(out, fit("         "+safe(inv.BillTo), w/2)+right(fmt.Sprintf("Period %s - %s (%s)", inv.PeriodStart.Format("02 Jan"), inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006"), inv.Cycle), w-w/2))
	out = append(out, fit("         "+safe(inv.Email), w/2)+right("State: "+st.StatusStyle(map[string]string{"draft": store.StatusRequested, "issued": store.StatusApproved, "paid": store.StatusScheduled, "void": store.StatusCancelled}[inv.State]).Render(state), w-w/2))
	siteW := max(w-7-20-10-7-7-11-6, 8)
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-6s %s %-19s %-9s %6s %6s %10s", "Date", fit("Site", siteW), "Officer", "Class", "Hours", "Rate", "Amount"), w)))
	var lines []string
	for _, l := range inv.Lines {
		who := l.Officer
		class := safe(l.Class)
		if basis := safe(l.Basis); basis != "" && basis != pricing.BasisRegular && basis != class {
			class += " " + truncate(basis, 3)
		}
		hours, rate := pricing.FormatMinutes(l.Minutes), l.Rate.StringFixed(2)
		switch l.Kind {
		case "vehicle":
			who = fmt.Sprintf("%d vehicle(s)", l.Count)
		case "fee":
			who, hours, rate = l.Description, "", ""
		}
		lines = append(lines, fit(fmt.Sprintf(" %-6s %s %-19s %-9s %6s %6s %10s", l.Day.Format("02 Jan"), fit(safe(l.Site), siteW), truncate(safe(who), 19),
			truncate(class, 9), hours, rate, pricing.FormatMoney(l.Amount)), w))
		if l.Description != "" && l.Kind != "fee" {
			lines = append(lines, st.Muted.Render(fit("        "+safe(l.Description), w)))
		}
	}
	room := max(height-len(out)-4, 1)
	m.scroll = min(m.scroll, max(len(lines)-room, 0))
	out = append(out, lines[m.scroll:min(m.scroll+room, len(lines))]...)
	if len(lines) > room {
		out = append(out, st.Muted.Render(fmt.Sprintf(" … lines %d-%d of %d (↑/↓)", m.scroll+1, min(m.scroll+room, len(lines)), len(lines))))
	}
	out = append(out, fit("", w-24)+right("Subtotal "+pricing.FormatMoney(inv.Subtotal), 24))
	out = append(out, st.Total.Render(fit("", w-24)+right("Total $"+pricing.FormatMoney(inv.Total), 24)))
	terms := "Terms: " + store.TermsText(inv.TermsDays) + "."
	if inv.State == store.InvoicePaid {
		terms += " Paid " + inv.PaidOn.Format("02 Jan 2006") + " " + safe(inv.PaidRef)
	}
	if inv.State == store.InvoiceVoid {
		terms += " VOID: " + safe(inv.VoidReason)
	}
	out = append(out, st.Muted.Render(truncate(terms, w)))
	return strings.Join(out, "\n")
}

func dateOr(t time.Time, def string) string {
	if t.IsZero() {
		return def
	}
	return t.Format("02 Jan 2006")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
