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

// picker chooses an officer for a position: eligible officers first, ranked
// for fairness (fewest hours this month, then seniority), with their hours
// this week and month; the others greyed out with the reason. / searches
// by name or badge.
type picker struct {
	c         *Common
	position  store.Position
	list      []store.Candidate
	view      []int // indexes of list shown, after the search
	cursor    int   // in view
	offset    int
	filter    textinput.Model
	filtering bool
}

// pickedMsg is an officer chosen in the picker.
type pickedMsg struct {
	position, officer int64
	name              string
	override          bool
}

func newPicker(c *Common, p store.Position, list []store.Candidate) *picker {
	fi := newInput()
	fi.Prompt = "/"
	fi.Placeholder = "name or badge"
	fi.CharLimit = 40
	pk := &picker{c: c, position: p, list: list, filter: fi}
	pk.apply()
	return pk
}

// apply recomputes the officers shown from the search: a match selects the
// first one, at the top.
func (p *picker) apply() {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.view = p.view[:0]
	for i, c := range p.list {
		if q != "" && !strings.Contains(strings.ToLower(safe(c.Name())+" "+safe(c.Badge)), q) {
			continue
		}
		p.view = append(p.view, i)
	}
	p.cursor, p.offset = 0, 0
}

// selected is the candidate under the cursor.
func (p *picker) selected() *store.Candidate {
	if p.cursor < 0 || p.cursor >= len(p.view) {
		return nil
	}
	return &p.list[p.view[p.cursor]]
}

func (p *picker) ShortHelp() []key.Binding {
	if p.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep search")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		}
	}
	back := "back"
	if p.filter.Value() != "" {
		back = "clear search"
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "officer")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "assign")),
		key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "override cap")),
		key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", back)),
	}
}

// Update returns a command and whether the picker closed.
func (p *picker) Update(km tea.KeyPressMsg) (tea.Cmd, bool) {
	if p.filtering {
		switch km.String() {
		case "enter":
			p.filtering = false
			p.filter.Blur()
		case "esc":
			p.filtering = false
			p.filter.Blur()
			p.filter.SetValue("")
			p.apply()
		case "up", "down": // move through the matches while typing
			p.move(map[string]int{"up": -1, "down": 1}[km.String()])
		default:
			var cmd tea.Cmd
			p.filter, cmd = p.filter.Update(km)
			p.apply()
			return cmd, false
		}
		return nil, false
	}
	switch km.String() {
	case "esc", "q":
		if km.String() == "esc" && p.filter.Value() != "" { // esc clears the search first
			p.filter.SetValue("")
			p.apply()
			return nil, false
		}
		return nil, true
	case "/":
		p.filtering = true
		return p.filter.Focus(), false
	case "up", "k":
		p.move(-1)
	case "down", "j":
		p.move(1)
	case "home", "g":
		p.cursor = 0
	case "end", "G":
		p.cursor = max(len(p.view)-1, 0)
	case "enter", "o":
		if len(p.list) == 0 {
			return nil, true
		}
		c := p.selected()
		if c == nil {
			return nil, false // the search matches nobody
		}
		override := false
		if !c.Eligible() {
			if !c.Overridable() || km.String() != "o" {
				return nil, false // greyed out: the reason is on screen
			}
			override = true
		}
		pos, id, name := p.position.ID, c.ID, c.Name()
		return func() tea.Msg { return pickedMsg{position: pos, officer: id, name: name, override: override} }, true
	}
	return nil, false
}

func (p *picker) move(d int) {
	p.cursor = min(max(p.cursor+d, 0), max(len(p.view)-1, 0))
}

func (p *picker) View(height int) string {
	st := p.c.Styles
	w := p.c.Width
	loc := p.c.Loc
	var out []string
	out = append(out, st.Title.Render(fmt.Sprintf("Assign position %d (%s)", p.position.Slot, p.position.Class))+"  "+
		st.Muted.Render(p.position.Start.In(loc).Format("Mon 02 Jan 15:04")+"-"+p.position.End.In(loc).Format("15:04")))
	if p.filtering || p.filter.Value() != "" {
		count := fmt.Sprintf("%d of %d officers", len(p.view), len(p.list))
		out = append(out, fit(p.filter.View(), max(w-len(count)-1, 10))+" "+st.Muted.Render(count))
	}
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-22s %-10s %-7s %6s %6s  %s", "officer", "rank", "badge", "week", "month", "why not"), w)))
	rows := max(height-len(out)-2, 1)
	p.cursor, p.offset = scrollList(p.cursor, p.offset, rows, len(p.view))
	for i := p.offset; i < len(p.view) && i < p.offset+rows; i++ {
		c := p.list[p.view[i]]
		var why []string
		for _, r := range c.Reasons {
			why = append(why, r.Text)
		}
		line := fmt.Sprintf(" %-22s %-10s %-7s %6s %6s  %s", truncate(safe(c.Name()), 22), safe(c.Rank), safe(c.Badge),
			pricing.FormatMinutes(c.WeekMinutes), pricing.FormatMinutes(c.MonthMinutes), strings.Join(why, "; "))
		line = fit(line, w)
		switch {
		case i == p.cursor:
			line = st.Selected.Render(line)
		case !c.Eligible():
			line = st.Muted.Render(line)
		}
		out = append(out, line)
	}
	switch {
	case len(p.list) == 0:
		out = append(out, st.Muted.Render(" this agency has no officers"))
	case len(p.view) == 0:
		out = append(out, st.Muted.Render(truncate(" no officer's name or badge matches: esc clears the search", w)))
	}
	for len(out) < height-1 {
		out = append(out, "")
	}
	hint := "enter assigns an eligible officer"
	if len(p.view) == 0 && len(p.list) > 0 {
		hint = "nobody matches the search: esc clears it"
	}
	if c := p.selected(); c != nil {
		if c.Overridable() {
			hint = "only caps stand in the way: o to override with a written reason"
		} else if !c.Eligible() {
			hint = "cannot take this shift: " + c.Reasons[0].Text
		}
	}
	out = append(out, st.Warn.Render(truncate(hint, w)))
	return strings.Join(out[:min(len(out), height)], "\n")
}
