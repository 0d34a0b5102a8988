package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/pricing"
	"offduty/store"
)

// The request form's fields, in order.
const (
	fCustomer = iota
	fPhone
	fEmail
	fCycle
	fAgency
	fSite
	fAddress
	fVenue
	fDate
	fStart
	fEnd
	fOfficers
	fVehicles
	fContact
	fContactPhone
	fOrders
	fPO
	fRepeat
	nFields
)

var fieldLabels = [nFields]string{"Customer", "Phone", "Email", "Billing", "Agency", "Site", "Address", "Venue",
	"Date", "Start", "End/hrs", "Officers", "Vehicles", "Contact", "Phone", "Orders", "PO", "Repeat"}

var fieldNames = [nFields]string{"customer", "phone", "email", "billing cycle", "agency", "site", "address", "venue",
	"date", "start", "end or hours", "officers", "vehicles", "contact", "contact phone", "post orders", "PO", "repeat"}

const labelW = 10

// formKeys are the request form's keys.
type formKeys struct {
	Next, Prev, Save, Cancel, Choose, Pick key.Binding
}

func newFormKeys() formKeys {
	return formKeys{
		Next:   key.NewBinding(key.WithKeys("tab", "enter"), key.WithHelp("tab", "next")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
		Save:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Choose: key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choose")),
		Pick:   key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "pick match")),
	}
}

func (k formKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Prev, k.Choose, k.Save, k.Cancel}
}

func (k formKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Pick, k.Choose}, {k.Save, k.Cancel}}
}

// formModel is the request form with its live quote.
type formModel struct {
	c    *Common
	keys formKeys

	editID   int64 // editing this job; 0 = new request
	received time.Time

	inputs [nFields]textinput.Model
	orders textarea.Model
	choice [nFields]int // for fCycle, fAgency, fVenue

	agencies   []store.PricedAgency
	customers  []store.Customer
	lastAgency map[int64]int64 // customer -> agency of their latest job

	customerID int64 // chosen existing customer, 0 = new
	// fixedCustomer is a customer user's form: its own account, never
	// searched or changed, and its own sites (or a new one on its account)
	fixedCustomer bool
	base          string // what a customer's form held when it opened (its account, a site, a contact)
	siteID        int64  // chosen existing site, 0 = new
	siteOnly      bool   // the site was taken because it is the customer's only one
	matches       []int  // indexes into customers or sites (for the focused search field)
	matchSel      int    // the highlighted match; -1: none yet (an empty Site with several to choose from)
	matchMoved    bool   // the operator moved the highlight with ↑/↓
	siteAsked     bool   // tab on an empty Site with several sites asked which; tab again leaves it empty

	focus       int
	fresh       bool // the focused short field is replaced by the first character typed
	scroll      int
	triedSave   bool
	confirmQuit bool
	saving      bool

	// derived on every change
	errs    [nFields]string
	echo    [nFields]string
	quote   *pricing.Quote
	weeks   []weekQuote
	missing []string
	input   store.JobInput

	// the last pricing and quote pane, kept while what they depend on does
	// not change (most keys change neither: a name, a phone, the orders)
	priced      pricedMemo
	pricedWeeks []pricedMemo
	pane        paneMemo
}

// pricedMemo is the last quote priced: the same request on the same
// agency prices the same (pricing is pure), so it is not priced again.
type pricedMemo struct {
	agency *pricing.Agency
	req    pricing.Request
	quote  *pricing.Quote
	err    error
}

func (f *formModel) price(pa *pricing.Agency, req pricing.Request) (*pricing.Quote, error) {
	if m := &f.priced; m.agency == pa && m.req == req && (m.quote != nil || m.err != nil) {
		return m.quote, m.err
	}
	q, err := pa.Quote(req)
	f.priced = pricedMemo{agency: pa, req: req, quote: q, err: err}
	return q, err
}

// priceWeek prices week i of a repeated request, as price does.
func (f *formModel) priceWeek(pa *pricing.Agency, i int, req pricing.Request) (*pricing.Quote, error) {
	for len(f.pricedWeeks) <= i {
		f.pricedWeeks = append(f.pricedWeeks, pricedMemo{})
	}
	if m := &f.pricedWeeks[i]; m.agency == pa && m.req == req && (m.quote != nil || m.err != nil) {
		return m.quote, m.err
	}
	q, err := pa.Quote(req)
	f.pricedWeeks[i] = pricedMemo{agency: pa, req: req, quote: q, err: err}
	return q, err
}

// paneMemo is the quote pane last drawn, and what it was drawn from.
type paneMemo struct {
	dark, plain bool
	title       Paint
	agency      string
	quote       *pricing.Quote
	weeks       []weekQuote
	missing     string
	w, h        int
	lines       []string
}

// quotePane is the quote pane's lines (renderQuote, then quoteLines),
// drawn again only when what it shows changed.
func (f *formModel) quotePane(st Styles, w, h int) []string {
	m := &f.pane
	agency, missing := agencyName(f.agency()), strings.Join(f.missing, "\x00")
	if m.lines != nil && m.dark == st.Dark && m.plain == st.Plain && m.title == st.Title && m.agency == agency &&
		m.quote == f.quote && sameWeeks(m.weeks, f.weeks) && m.missing == missing && m.w == w && m.h == h {
		return m.lines
	}
	lines := f.quoteLines(renderQuote(st, agency, f.quote, f.missing, f.weeks, w, h))
	*m = paneMemo{dark: st.Dark, plain: st.Plain, title: st.Title, agency: agency, quote: f.quote, weeks: f.weeks,
		missing: missing, w: w, h: h, lines: lines}
	return lines
}

func sameWeeks(a, b []weekQuote) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func newForm(c *Common, agencies []store.PricedAgency, customers []store.Customer) *formModel {
	f := &formModel{c: c, keys: newFormKeys(), agencies: cleanAgencies(agencies), customers: cleanCustomers(customers), received: c.Now()}
	for i := range f.inputs {
		ti := newInput()
		ti.Prompt = ""
		ti.CharLimit = 200
		f.inputs[i] = ti
	}
	// the store's limits: an input stops where the store would refuse
	for i, n := range map[int]int{fCustomer: store.MaxName, fPhone: store.MaxPhone, fEmail: store.MaxEmail, fSite: store.MaxName,
		fAddress: store.MaxAddress, fContact: store.MaxPerson, fContactPhone: store.MaxPhone, fPO: store.MaxPO} {
		f.inputs[i].CharLimit = n
	}
	f.inputs[fCustomer].Placeholder = "name or phone"
	f.inputs[fDate].Placeholder = "12/24, sat"
	f.inputs[fStart].Placeholder = "6pm, 18:00"
	f.inputs[fEnd].Placeholder = "10pm or 6h"
	f.inputs[fOfficers].SetValue("1")
	f.inputs[fVehicles].SetValue("0")
	f.inputs[fRepeat].Placeholder = "1"
	f.orders = newArea()
	f.orders.ShowLineNumbers = false
	f.orders.Prompt = ""
	f.orders.Placeholder = "instructions for the officers"
	f.orders.CharLimit = store.MaxPostOrders
	f.orders.SetHeight(3)
	f.choice[fCycle] = 2 // monthly
	f.setFocus(fCustomer)
	f.recompute()
	return f
}

// editForm fills the form from a saved job.
func editForm(c *Common, agencies []store.PricedAgency, customers []store.Customer, j store.Job) *formModel {
	f := newForm(c, agencies, customers)
	f.editID, f.received = j.ID, j.Received
	f.customerID, f.siteID = j.CustomerID, j.SiteID
	j = cleanJob(j) // from the database: no escape sequence or bidi control in the inputs
	f.inputs[fCustomer].SetValue(j.CustomerName)
	f.inputs[fSite].SetValue(j.SiteName)
	f.inputs[fAddress].SetValue(j.SiteAddress)
	for i, a := range agencies {
		if a.ID == j.AgencyID {
			f.choice[fAgency] = i
		}
	}
	for i, v := range pricing.Venues {
		if v == j.Venue {
			f.choice[fVenue] = i
		}
	}
	loc := c.Loc
	if a := f.agency(); a != nil {
		loc = a.Loc
	}
	st, en := j.Start.In(loc), j.End.In(loc)
	f.inputs[fDate].SetValue(st.Format("2006-01-02"))
	f.inputs[fStart].SetValue(st.Format("15:04"))
	f.inputs[fEnd].SetValue(en.Format("15:04"))
	f.inputs[fOfficers].SetValue(fmt.Sprint(j.Officers))
	f.inputs[fVehicles].SetValue(fmt.Sprint(j.Vehicles))
	f.inputs[fContact].SetValue(j.ContactName)
	f.inputs[fContactPhone].SetValue(j.ContactPhone)
	f.orders.SetValue(j.PostOrders)
	f.inputs[fPO].SetValue(j.PONumber)
	f.recompute()
	return f
}

func (f *formModel) agency() *store.PricedAgency {
	if len(f.agencies) == 0 {
		return nil
	}
	return &f.agencies[f.choice[fAgency]%len(f.agencies)]
}

func (f *formModel) customer() *store.Customer {
	for i := range f.customers {
		if f.customers[i].ID == f.customerID {
			return &f.customers[i]
		}
	}
	return nil
}

func (f *formModel) newCustomer() bool {
	return f.customerID == 0 && strings.TrimSpace(f.inputs[fCustomer].Value()) != ""
}

func (f *formModel) visible(i int) bool {
	switch i {
	case fPhone, fEmail, fCycle:
		return f.newCustomer() && (f.focus != fCustomer || len(f.matches) == 0)
	case fAddress:
		return f.siteID == 0
	case fRepeat:
		return f.editID == 0
	}
	return true
}

func (f *formModel) isChoice(i int) bool { return i == fCycle || i == fAgency || i == fVenue }

func (f *formModel) setFocus(i int) tea.Cmd {
	if f.fixedCustomer && i == fCustomer { // a customer's own account is not a field
		i = fAgency
	}
	for j := range f.inputs {
		f.inputs[j].Blur()
	}
	f.orders.Blur()
	f.focus = i
	f.fresh = f.isShort(i)
	f.matchSel, f.matchMoved, f.siteAsked = 0, false, false
	f.updateMatches()
	switch {
	case i == fOrders:
		return f.orders.Focus()
	case f.isChoice(i):
		return nil
	default:
		return f.inputs[i].Focus()
	}
}

func (f *formModel) move(d int) tea.Cmd {
	i := f.focus
	for {
		i += d
		if i < 0 || i >= nFields || f.fixedCustomer && i == fCustomer {
			return nil
		}
		if f.visible(i) {
			return f.setFocus(i)
		}
	}
}

// SetSize lays the form out again; nothing typed is lost.
func (f *formModel) SetSize() {
	lw, _, _ := f.layout()
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(f.inputWidth(i, lw)-1, 1)) // the cursor takes a cell
	}
	f.orders.SetWidth(max(lw-labelW-1, 10))
}

// layout splits the body into the form and the quote pane.
func (f *formModel) layout() (formW, quoteW int, stacked bool) {
	w := f.c.Width
	if w < 78 {
		return w - 2, w - 2, true
	}
	formW = w * 52 / 100
	return formW, w - formW - 3, false
}

func (f *formModel) isShort(i int) bool {
	switch i {
	case fDate, fStart, fEnd, fOfficers, fVehicles, fRepeat:
		return true
	}
	return false
}

func (f *formModel) inputWidth(i, lw int) int {
	if f.isShort(i) {
		return min(12, lw-labelW-1)
	}
	return lw - labelW - 1
}

// updateMatches recomputes the customer or site matches for the focused field.
func (f *formModel) updateMatches() {
	f.matches = f.matches[:0]
	q := strings.ToLower(strings.TrimSpace(f.inputs[f.focus].Value()))
	switch f.focus {
	case fCustomer:
		if q == "" || (f.customerID != 0 && f.customer() != nil && strings.EqualFold(f.customer().Name, q)) {
			return
		}
		digits := onlyDigits(q)
		for i, c := range f.customers {
			if strings.Contains(strings.ToLower(c.Name), q) || (len(digits) >= 3 && strings.Contains(onlyDigits(c.Phone), digits)) {
				f.matches = append(f.matches, i)
			}
		}
	case fSite:
		c := f.customer()
		if c == nil {
			return
		}
		for i, s := range c.Sites {
			if f.siteID == s.ID && strings.EqualFold(s.Name, q) {
				f.matches = f.matches[:0]
				return
			}
			if q == "" || strings.Contains(strings.ToLower(s.Name+" "+s.Address), q) {
				f.matches = append(f.matches, i)
			}
		}
		if f.siteChoice() && !f.matchMoved {
			f.matchSel = -1 // several sites and nothing typed: the operator picks one, none is assumed
			return
		}
	}
	if f.matchSel >= len(f.matches) {
		f.matchSel = max(len(f.matches)-1, 0)
	}
}

// siteChoice reports whether the focused Site field is empty and lists
// several sites of the customer to choose from.
func (f *formModel) siteChoice() bool {
	return f.focus == fSite && strings.TrimSpace(f.inputs[fSite].Value()) == "" && len(f.matches) > 1
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pick accepts the highlighted match in the customer or site field.
func (f *formModel) pick() bool {
	if len(f.matches) == 0 || f.matchSel < 0 || f.matchSel >= len(f.matches) {
		return false
	}
	i := f.matches[f.matchSel]
	switch f.focus {
	case fCustomer:
		c := f.customers[i]
		f.customerID = c.ID
		f.inputs[fCustomer].SetValue(c.Name)
		f.inputs[fCustomer].CursorEnd()
		f.siteID, f.siteOnly = 0, false
		if aid, ok := f.lastAgency[c.ID]; ok {
			for k, a := range f.agencies {
				if a.ID == aid {
					f.choice[fAgency] = k
				}
			}
		}
		if len(c.Sites) == 1 {
			f.siteID, f.siteOnly = c.Sites[0].ID, true
			f.inputs[fSite].SetValue(c.Sites[0].Name)
			f.inputs[fAddress].SetValue(c.Sites[0].Address)
		}
		if len(c.Contacts) > 0 && f.inputs[fContact].Value() == "" {
			f.inputs[fContact].SetValue(c.Contacts[0].Name)
			f.inputs[fContactPhone].SetValue(c.Contacts[0].Phone)
		}
	case fSite:
		s := f.customer().Sites[i]
		f.siteID, f.siteOnly = s.ID, len(f.customer().Sites) == 1
		f.inputs[fSite].SetValue(s.Name)
		f.inputs[fSite].CursorEnd()
		f.inputs[fAddress].SetValue(s.Address)
	}
	f.matches = f.matches[:0]
	return true
}

// formSaveMsg asks the root to save the form's input.
type formSaveMsg struct {
	editID int64
	input  store.JobInput
}

// formCancelMsg closes the form.
type formCancelMsg struct{}

// Update handles a message; it never does I/O.
func (f *formModel) Update(msg tea.Msg) tea.Cmd {
	km, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		var cmd tea.Cmd
		if f.focus == fOrders {
			f.orders, cmd = f.orders.Update(msg)
		} else if !f.isChoice(f.focus) {
			f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		}
		return cmd
	}
	if !key.Matches(km, f.keys.Cancel) {
		f.confirmQuit = false
	}
	switch {
	case key.Matches(km, f.keys.Save):
		f.triedSave = true
		f.recompute()
		if first := f.firstError(); first >= 0 {
			return f.setFocus(first)
		}
		if f.saving {
			return nil
		}
		f.saving = true
		in := f.input
		return func() tea.Msg { return formSaveMsg{editID: f.editID, input: in} }
	case key.Matches(km, f.keys.Cancel):
		if len(f.matches) > 0 && (f.focus == fCustomer || f.focus == fSite) {
			f.matches = f.matches[:0]
			return nil
		}
		if f.dirty() && !f.confirmQuit {
			f.confirmQuit = true
			return nil
		}
		return func() tea.Msg { return formCancelMsg{} }
	case km.String() == "shift+tab":
		cmd := f.move(-1)
		f.recompute()
		return cmd
	case km.String() == "up" && len(f.matches) > 0:
		if f.matchSel < 0 {
			f.matchSel = 0
		}
		f.matchSel = (f.matchSel + len(f.matches) - 1) % len(f.matches)
		f.matchMoved = true
		f.recompute()
		return nil
	case km.String() == "down" && len(f.matches) > 0:
		f.matchSel = (f.matchSel + 1) % len(f.matches)
		f.matchMoved = true
		f.recompute()
		return nil
	case km.String() == "tab" || (km.String() == "enter" && f.focus != fOrders):
		if f.siteChoice() && f.matchSel < 0 && !f.siteAsked {
			// several sites and none chosen: ask once rather than take the first
			f.siteAsked = true
			f.recompute()
			return nil
		}
		f.pick()
		cmd := f.move(1)
		f.recompute() // echoes that depend on the focus ("tab takes the match") follow it
		return cmd
	case (km.String() == "up" || km.String() == "down") && f.focus != fOrders:
		d := 1
		if km.String() == "up" {
			d = -1
		}
		cmd := f.move(d)
		f.recompute()
		return cmd
	}
	if f.isChoice(f.focus) {
		n := f.choices(f.focus)
		switch km.String() {
		case "left", "h":
			f.choice[f.focus] = (f.choice[f.focus] + n - 1) % n
		case "right", "l", "space":
			f.choice[f.focus] = (f.choice[f.focus] + 1) % n
		default:
			// typing a letter jumps to the first option starting with it
			if t := km.Text; t != "" {
				for i := range n {
					j := (f.choice[f.focus] + 1 + i) % n
					if strings.HasPrefix(strings.ToLower(f.choiceLabel(f.focus, j)), strings.ToLower(t)) {
						f.choice[f.focus] = j
						break
					}
				}
			}
		}
		f.recompute()
		return nil
	}
	var cmd tea.Cmd
	if f.focus == fOrders {
		f.orders, cmd = f.orders.Update(msg)
	} else {
		before := f.inputs[f.focus].Value()
		if f.fresh && km.Text != "" {
			f.inputs[f.focus].SetValue("") // typing over a field replaces it, like a spreadsheet cell
		}
		f.fresh = false
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		if after := f.inputs[f.focus].Value(); after != before {
			f.edited(f.focus, after)
		}
	}
	f.recompute()
	return cmd
}

// edited reacts to a changed text field: a changed customer or site name
// forgets the chosen record unless it still names it exactly.
func (f *formModel) edited(i int, v string) {
	switch i {
	case fCustomer:
		f.customerID = 0
		for _, c := range f.customers {
			if strings.EqualFold(c.Name, strings.TrimSpace(v)) {
				f.customerID = c.ID
			}
		}
		f.siteID = 0
		f.matchSel = 0
		f.updateMatches()
	case fSite:
		f.siteID, f.siteOnly, f.siteAsked, f.matchMoved = 0, false, false, false
		if c := f.customer(); c != nil {
			for _, s := range c.Sites {
				if strings.EqualFold(s.Name, strings.TrimSpace(v)) {
					f.siteID = s.ID
					f.inputs[fAddress].SetValue(s.Address)
				}
			}
		}
		f.matchSel = 0
		f.updateMatches()
	}
}

func (f *formModel) dirty() bool {
	if f.fixedCustomer {
		return editorValue(f) != f.base
	}
	for i := range f.inputs {
		if i == fOfficers || i == fVehicles {
			continue
		}
		if f.inputs[i].Value() != "" {
			return true
		}
	}
	return f.orders.Value() != ""
}

func (f *formModel) choices(i int) int {
	switch i {
	case fCycle:
		return len(store.BillingCycles)
	case fAgency:
		return max(len(f.agencies), 1)
	case fVenue:
		return len(pricing.Venues)
	}
	return 1
}

func (f *formModel) choiceLabel(i, j int) string {
	switch i {
	case fCycle:
		return store.BillingCycles[j]
	case fAgency:
		if len(f.agencies) == 0 {
			return "(no agencies)"
		}
		return safe(f.agencies[j].Name)
	case fVenue:
		return string(pricing.Venues[j])
	}
	return ""
}

func (f *formModel) firstError() int {
	for i := range nFields {
		if f.visible(i) && f.errs[i] != "" {
			return i
		}
	}
	return -1
}

// HasErrors reports whether any visible field is invalid (saving is blocked).
func (f *formModel) HasErrors() bool { return f.firstError() >= 0 }

// recompute parses every field, echoes what was understood, and re-prices
// the request in memory.
func (f *formModel) recompute() {
	f.errs, f.echo = [nFields]string{}, [nFields]string{}
	f.quote, f.weeks, f.missing = nil, nil, nil
	val := func(i int) string { return strings.TrimSpace(f.inputs[i].Value()) }
	required := func(i int) {
		if val(i) == "" {
			f.missing = append(f.missing, fieldNames[i])
			if f.triedSave {
				f.errs[i] = fieldNames[i] + " is required"
			}
		}
	}
	in := store.JobInput{RepeatWeeks: 1}

	// customer
	required(fCustomer)
	if c := f.customer(); c != nil && f.fixedCustomer {
		in.CustomerID = c.ID
		f.echo[fCustomer] = "your account"
	} else if c != nil {
		in.CustomerID = c.ID
		f.echo[fCustomer] = c.Phone
	} else if f.newCustomer() && f.focus == fCustomer && len(f.matches) > 0 {
		f.echo[fCustomer] = "tab takes the match"
		in.NewCustomer = &store.CustomerInput{Name: val(fCustomer)}
	} else if f.newCustomer() {
		f.echo[fCustomer] = "+ new account"
		nc := &store.CustomerInput{Name: val(fCustomer), Phone: val(fPhone), Email: val(fEmail), BillingCycle: store.BillingCycles[f.choice[fCycle]]}
		if err := nc.Validate(); err != nil {
			if se, ok := err.(*store.Error); ok {
				switch se.Field {
				case "phone":
					f.errs[fPhone] = se.Message
				case "email":
					f.errs[fEmail] = se.Message
				default:
					f.errs[fCustomer] = se.Message
				}
			}
		}
		in.NewCustomer = nc
	}
	// agency
	pa := f.agency()
	if pa == nil {
		f.errs[fAgency] = "no agency has a rate card in force"
	} else {
		in.Agency = pa.Slug
	}
	// site
	required(fSite)
	switch {
	case f.siteID != 0:
		in.SiteID = f.siteID
		f.echo[fSite] = val(fAddress)
		if f.siteOnly {
			f.echo[fSite] = "only site · " + val(fAddress)
		}
	case val(fSite) != "":
		f.echo[fSite] = "+ new site"
		if f.focus == fSite && len(f.matches) > 0 && f.matchSel >= 0 {
			f.echo[fSite] = "tab takes the match"
		}
		in.NewSite = &store.SiteInput{Name: val(fSite), Address: val(fAddress)}
	case f.focus == fSite && len(f.matches) == 1:
		f.echo[fSite] = "tab takes the only site"
	case f.siteChoice() && f.matchSel >= 0:
		f.echo[fSite] = "tab takes the highlighted site"
	case f.siteChoice() && f.siteAsked:
		f.echo[fSite] = "which site? ↑/↓ then tab, or type a new one; tab again leaves it empty"
	case f.siteChoice():
		f.echo[fSite] = fmt.Sprintf("%d sites: ↑/↓ to pick one", len(f.matches))
	}
	// venue
	in.Venue = pricing.Venues[f.choice[fVenue]]
	if pa != nil {
		if _, bad := pa.Pricing.Prohibited[in.Venue]; bad {
			f.echo[fVenue] = "prohibited"
		} else if in.Venue.Label() != string(in.Venue) {
			f.echo[fVenue] = in.Venue.Label()
		}
	}
	// date and times
	loc := f.c.Loc
	if pa != nil {
		loc = pa.Loc
	}
	var date Date
	var start, end time.Time
	okDate, okStart, okEnd := false, false, false
	required(fDate)
	if val(fDate) != "" {
		d, err := ParseDate(val(fDate), f.c.today())
		if err != nil {
			f.errs[fDate] = err.Error()
		} else {
			date, okDate = d, true
			f.echo[fDate] = d.Echo()
		}
	}
	required(fStart)
	var sc Clock
	if val(fStart) != "" {
		c, err := ParseClock(val(fStart))
		if err != nil {
			f.errs[fStart] = err.Error()
		} else {
			sc, okStart = c, true
			f.echo[fStart] = c.Echo()
		}
	}
	if okDate && okStart {
		t, err := pricing.LocalTime(loc, date.Year, date.Month, date.Day, sc.Hour, sc.Minute)
		if err != nil {
			f.errs[fStart] = err.Error()
			okStart = false
		} else {
			start = t
		}
	}
	required(fEnd)
	if val(fEnd) != "" {
		mins, ec, isHours, err := ParseEnd(val(fEnd))
		switch {
		case err != nil:
			f.errs[fEnd] = err.Error()
		case okDate && okStart && isHours:
			end, okEnd = start.Add(time.Duration(mins)*time.Minute), true
		case okDate && okStart:
			ed := date
			if ec.Hour*60+ec.Minute <= sc.Hour*60+sc.Minute {
				ed = addDays(date, 1) // overnight
			}
			t, err := pricing.LocalTime(loc, ed.Year, ed.Month, ed.Day, ec.Hour, ec.Minute)
			if err != nil {
				f.errs[fEnd] = err.Error()
			} else {
				end, okEnd = t, true
			}
		case isHours:
			f.echo[fEnd] = pricing.FormatHours(mins)
		default:
			f.echo[fEnd] = "until " + ec.Echo()
		}
		if okEnd {
			el := int(end.Sub(start) / time.Minute)
			if el > pricing.MaxShiftMinutes {
				f.errs[fEnd] = "a shift can be at most 24 hours"
				okEnd = false
			} else {
				f.echo[fEnd] = shiftEcho(start.In(loc), end.In(loc), el)
			}
		}
	}
	// counts
	officers, err := ParseCount(val(fOfficers), 1, pricing.MaxOfficers, 0, "officers")
	if err != nil {
		f.errs[fOfficers] = err.Error()
	} else if val(fOfficers) == "" {
		f.missing = append(f.missing, "officers")
		if f.triedSave {
			f.errs[fOfficers] = "officers is required"
		}
	}
	vehicles, err := ParseCount(val(fVehicles), 0, pricing.MaxVehicles, 0, "vehicles")
	if err != nil {
		f.errs[fVehicles] = err.Error()
	} else if vehicles > 0 && pa != nil && !pa.Pricing.Card.Vehicle.Offered() {
		f.errs[fVehicles] = safe(pa.Name) + " does not offer vehicles"
	}
	if err := store.ValidatePhone(val(fContactPhone)); err != nil {
		f.errs[fContactPhone] = err.Error()
	}
	weeks, err := ParseCount(val(fRepeat), 1, store.MaxRepeatWeeks, 1, "weeks")
	if err != nil {
		f.errs[fRepeat] = err.Error()
	} else if f.visible(fRepeat) {
		if weeks > 1 {
			f.echo[fRepeat] = fmt.Sprintf("%d weekly jobs", weeks)
		} else {
			f.echo[fRepeat] = "once"
		}
	}
	in.Start, in.End, in.Officers, in.Vehicles, in.Received = start, end, officers, vehicles, f.received
	in.ContactName, in.ContactPhone, in.PostOrders, in.PONumber = val(fContact), val(fContactPhone), f.orders.Value(), val(fPO)
	in.RepeatWeeks = weeks
	f.input = in

	if pa == nil || !okEnd || officers < 1 || f.errs[fVehicles] != "" {
		return
	}
	req := pricing.Request{Start: start, End: end, Officers: officers, Vehicles: vehicles, Venue: in.Venue, Received: f.received}
	q, err := f.price(pa.Pricing, req)
	if err != nil {
		if ie, ok := err.(*pricing.InputError); ok {
			f.errs[fieldFor(ie.Field)] = ie.Msg
		}
		return
	}
	f.quote = q
	if weeks > 1 {
		for i := range weeks {
			st, en, err := store.WeeklyDates(start, end, loc, i)
			label := start.In(loc).AddDate(0, 0, 7*i).Format("Mon 02 Jan")
			if err != nil {
				f.weeks = append(f.weeks, weekQuote{label: label, err: "no such time"})
				f.errs[fRepeat] = err.Error()
				continue
			}
			wq, err := f.priceWeek(pa.Pricing, i, pricing.Request{Start: st, End: en, Officers: officers, Vehicles: vehicles, Venue: in.Venue, Received: f.received})
			if err != nil {
				f.weeks = append(f.weeks, weekQuote{label: label, err: err.Error()})
				continue
			}
			f.weeks = append(f.weeks, weekQuote{label: st.In(loc).Format("Mon 02 Jan"), quote: wq})
		}
	}
}

// shiftEcho reads a shift back: "18:00-22:00, 4 h", and when it ends on a
// later day, says so: "18:00-00:30 (+1 day), 6:30 h"; "18:00-00:00
// (midnight), 6 h".
func shiftEcho(start, end time.Time, minutes int) string {
	s := start.Format("15:04") + "-" + end.Format("15:04")
	sy, sm, sd := start.Date()
	ey, em, ed := end.Date()
	days := int(time.Date(ey, em, ed, 0, 0, 0, 0, time.UTC).Sub(time.Date(sy, sm, sd, 0, 0, 0, 0, time.UTC)).Hours()) / 24
	atMidnight := func(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 }
	switch {
	case days == 1 && atMidnight(end) && !atMidnight(start):
		s += " (midnight)"
	case days == 1:
		s += " (+1 day)"
	case days > 1:
		s += fmt.Sprintf(" (+%d days)", days)
	}
	return s + ", " + pricing.FormatHours(minutes)
}

func fieldFor(name string) int {
	switch name {
	case "start":
		return fStart
	case "end", "hours":
		return fEnd
	case "officers":
		return fOfficers
	case "vehicles":
		return fVehicles
	case "venue":
		return fVenue
	}
	return fDate
}

// View draws the form and the quote pane in the body area (width x height).
func (f *formModel) View(height int) string {
	st := f.c.Styles
	lw, qw, stacked := f.layout()
	var rows []string
	focusRow := 0
	title := "New request"
	if f.fixedCustomer {
		title = "New request to the office"
	}
	if f.editID != 0 {
		title = fmt.Sprintf("Edit request #%d", f.editID)
	}
	rows = append(rows, st.Title.Render(title))
	for i := range nFields {
		if !f.visible(i) {
			continue
		}
		if i == f.focus {
			focusRow = len(rows)
		}
		label := fit(fieldLabels[i], labelW)
		if i == f.focus {
			label = st.Focus.Render(fit("›"+fieldLabels[i], labelW))
		} else {
			label = st.Label.Render(label)
		}
		var value string
		iw := f.inputWidth(i, lw)
		switch {
		case f.isChoice(i):
			v := f.choiceLabel(i, f.choice[i])
			if i == f.focus {
				v = "‹ " + v + " ›"
			}
			value = fit(v, min(lipgloss.Width(v)+1, iw))
		case i == fOrders:
			if i == f.focus {
				value = f.orders.View()
			} else {
				v := strings.ReplaceAll(store.Clean(f.orders.Value(), true), "\n", " ⏎ ")
				if v == "" {
					v = st.Muted.Render("(none)")
				}
				value = fit(v, lw-labelW-1)
			}
		default:
			vw := iw
			if !f.isShort(i) { // long fields end where their text ends, so the echo can follow
				t := f.inputs[i].Value()
				if t == "" {
					t = f.inputs[i].Placeholder
				}
				vw = min(lipgloss.Width(t)+1, iw)
			}
			if i == f.focus {
				value = clip(f.inputs[i].View(), vw)
			} else if v := f.inputs[i].Value(); v != "" {
				value = fit(safe(v), vw) // a blurred input is just its text
			} else {
				value = st.Muted.Render(fit(f.inputs[i].Placeholder, vw))
			}
		}
		line := label + value
		var below []string // an echo that does not fit beside its field goes under it, whole
		if e := f.echo[i]; e != "" && i != fOrders {
			style := st.Echo
			if e == "prohibited" {
				style = st.Refused
			}
			at := lipgloss.Width(line) + 1 // long fields end where their text ends
			if f.isShort(i) && !f.isChoice(i) {
				at = labelW + iw + 2 // short fields' echoes line up
			}
			under := func(s string) { // under the value, whole
				for _, l := range wrapWords(s, lw-labelW, 2) {
					below = append(below, strings.Repeat(" ", labelW)+style.Render(l))
				}
			}
			head, tail, split := strings.Cut(e, " · ") // "only site · 3601 S 2700 W": the head may stay beside
			switch {
			case at+width(e) <= lw:
				line = fit(line, at) + style.Render(e)
			case split && at+width(head) <= lw:
				line = fit(line, at) + style.Render(head)
				under(tail)
			default:
				under(e)
			}
		}
		if i == fOrders && i == f.focus {
			ls := strings.Split(value, "\n")
			for k := range ls {
				if k == 0 {
					ls[k] = label + ls[k]
				} else {
					ls[k] = strings.Repeat(" ", labelW) + ls[k]
				}
			}
			rows = append(rows, ls...)
		} else {
			rows = append(rows, fit(line, lw))
		}
		rows = append(rows, below...)
		if f.errs[i] != "" && (val0(f, i) != "" || f.triedSave || f.isChoice(i)) {
			for _, l := range wrapWords("✗ "+f.errs[i], lw-labelW, 2) {
				rows = append(rows, strings.Repeat(" ", labelW)+st.Error.Render(l))
			}
		}
		if i == f.focus && len(f.matches) > 0 {
			for k, m := range f.matches {
				if k >= 4 {
					rows = append(rows, strings.Repeat(" ", labelW)+st.Muted.Render(fmt.Sprintf("  … %d more", len(f.matches)-4)))
					break
				}
				var text string
				if i == fCustomer {
					c := f.customers[m]
					text = safe(c.Name) + "  " + safe(c.Phone)
				} else {
					s := f.customer().Sites[m]
					text = safe(s.Name) + "  " + safe(s.Address)
				}
				text = fit("  "+text, lw-labelW)
				if k == f.matchSel {
					text = st.Selected.Render(text)
				} else {
					text = st.Muted.Render(text)
				}
				rows = append(rows, strings.Repeat(" ", labelW)+text)
			}
		}
	}
	notice := func(p Paint, s string) {
		for _, l := range wrapWords(s, lw, 2) {
			rows = append(rows, p.Render(l))
		}
	}
	if f.confirmQuit {
		notice(st.Warn, "Unsaved request: esc again to discard, any other key to keep typing")
	} else if f.triedSave && f.HasErrors() {
		notice(st.Error, "Cannot save: fix the fields marked ✗")
	} else if f.quote != nil && !f.quote.Bookable {
		notice(st.Refused, "Refused: saves as a request that cannot be approved")
	}

	if stacked {
		formH := max(height/2, 6)
		body := window(rows, focusRow, formH, &f.scroll)
		qlines := f.quotePane(st, qw, height-len(body)-1)
		all := append(body, st.Rule.Render(strings.Repeat("─", lw)))
		all = append(all, qlines...)
		if len(all) > height {
			all = all[:height]
		}
		return strings.Join(all, "\n")
	}
	body := window(rows, focusRow, height, &f.scroll)
	qlines := f.quotePane(st, qw, height)
	out := make([]string, height)
	bar := " " + st.Rule.Render("│") + " "
	for r := range height {
		left := ""
		if r < len(body) {
			left = body[r]
		}
		q := ""
		if r < len(qlines) {
			q = qlines[r]
		}
		out[r] = fit(left, lw) + bar + fit(q, qw)
	}
	return strings.Join(out, "\n")
}

// quoteLines is the quote pane, one line each; a customer's form leaves
// out how the office splits the total (officer pay, admin fee).
func (f *formModel) quoteLines(quote string) []string {
	lines := strings.Split(strings.TrimRight(quote, "\n"), "\n")
	if !f.fixedCustomer {
		return lines
	}
	out := lines[:0]
	for _, l := range lines {
		t := strings.TrimSpace(ansi.Strip(l))
		if strings.HasPrefix(t, "officer pay") || strings.HasPrefix(t, "admin fee") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func val0(f *formModel, i int) string {
	if i == fOrders {
		return f.orders.Value()
	}
	return strings.TrimSpace(f.inputs[i].Value())
}

func agencyName(pa *store.PricedAgency) string {
	if pa == nil {
		return ""
	}
	return safe(pa.Name)
}

// window shows at most h rows, scrolled so that row focus is visible.
func window(rows []string, focus, h int, scroll *int) []string {
	if h <= 0 {
		return nil
	}
	if len(rows) <= h {
		*scroll = 0
		return rows
	}
	if focus < *scroll+1 {
		*scroll = max(focus-1, 0)
	}
	if focus >= *scroll+h-2 {
		*scroll = focus - h + 3
	}
	*scroll = min(max(*scroll, 0), len(rows)-h)
	return rows[*scroll : *scroll+h]
}

// cleanCustomers is the form's copy of the customers, their text from the
// database through store.Clean: what a pick puts in an input, what the
// matches show and what typed text is compared with.
func cleanCustomers(list []store.Customer) []store.Customer {
	out := make([]store.Customer, len(list))
	for i, c := range list {
		c.Name, c.Phone, c.Email, c.Address, c.BillingCycle, c.Notes = safe(c.Name), safe(c.Phone), safe(c.Email), safe(c.Address),
			safe(c.BillingCycle), store.Clean(c.Notes, true)
		sites := make([]store.Site, len(c.Sites))
		for k, s := range c.Sites {
			s.Name, s.Address, s.Notes = safe(s.Name), safe(s.Address), store.Clean(s.Notes, true)
			sites[k] = s
		}
		contacts := make([]store.Contact, len(c.Contacts))
		for k, ct := range c.Contacts {
			ct.Name, ct.Phone, ct.Email, ct.Role = safe(ct.Name), safe(ct.Phone), safe(ct.Email), safe(ct.Role)
			contacts[k] = ct
		}
		c.Sites, c.Contacts = sites, contacts
		out[i] = c
	}
	return out
}

// cleanAgencies is the form's copy of the agencies: their names, holiday
// names and prohibited-venue rules (quoted by a refusal) cleaned for the
// quote pane. Slugs and rules stay as they are: the store and pricing read them.
func cleanAgencies(list []store.PricedAgency) []store.PricedAgency {
	out := make([]store.PricedAgency, len(list))
	for i, a := range list {
		a.Name = safe(a.Name)
		if a.Pricing != nil {
			p := *a.Pricing
			p.Name = safe(p.Name)
			p.Holidays = make([]pricing.Holiday, len(a.Pricing.Holidays))
			for k, h := range a.Pricing.Holidays {
				h.Name = safe(h.Name)
				p.Holidays[k] = h
			}
			p.Prohibited = make(map[pricing.Venue]string, len(a.Pricing.Prohibited))
			for v, rule := range a.Pricing.Prohibited {
				p.Prohibited[v] = safe(rule)
			}
			a.Pricing = &p
		}
		out[i] = a
	}
	return out
}

// customerFormMsg carries a customer user's own account (its sites and
// contacts) for its request form.
type customerFormMsg struct {
	customer store.Customer
	err      error
}

// openCustomerForm loads the customer user's own account, then opens the
// request form fixed to it (customerForm).
func (a *App) openCustomerForm() tea.Cmd {
	if len(a.agencies) == 0 {
		a.setErr("no agency has a rate card in force: the office cannot take requests yet")
		return nil
	}
	st, id := a.c.Store, a.c.CustomerID
	return func() tea.Msg {
		c, err := st.Customer(context.Background(), id)
		return customerFormMsg{c, err}
	}
}

// customerForm is the request form of a customer user: the customer is its
// own account, fixed; the site is one of its own (its only one is taken)
// or a new one on its account; the agency is the one its latest job had;
// the live quote is the office's.
func customerForm(c *Common, agencies []store.PricedAgency, own store.Customer, jobs []store.Job) *formModel {
	f := newForm(c, agencies, []store.Customer{own})
	f.fixedCustomer = true
	cust := f.customers[0] // cleaned
	f.customerID = cust.ID
	f.inputs[fCustomer].SetValue(cust.Name)
	f.lastAgency = map[int64]int64{}
	for _, j := range jobs { // in start order: the last one wins
		if j.CustomerID == cust.ID {
			f.lastAgency[cust.ID] = j.AgencyID
		}
	}
	if aid, ok := f.lastAgency[cust.ID]; ok {
		for k, pa := range f.agencies {
			if pa.ID == aid {
				f.choice[fAgency] = k
			}
		}
	}
	if len(cust.Sites) == 1 {
		f.siteID, f.siteOnly = cust.Sites[0].ID, true
		f.inputs[fSite].SetValue(cust.Sites[0].Name)
		f.inputs[fAddress].SetValue(cust.Sites[0].Address)
	}
	if len(cust.Contacts) > 0 {
		f.inputs[fContact].SetValue(cust.Contacts[0].Name)
		f.inputs[fContactPhone].SetValue(cust.Contacts[0].Phone)
	}
	if f.siteID != 0 { // its only site, and the agency of its last job: on to the date
		f.setFocus(fDate)
	} else {
		f.setFocus(fSite)
	}
	f.recompute()
	f.base = editorValue(f)
	return f
}
