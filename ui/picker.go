package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/pricing"
	"offduty/store"
)

// picker chooses an officer for a position: eligible officers first, ranked
// for fairness (fewest hours this month, then seniority), with their hours
// this week and month; the others greyed out with the reason.
type picker struct {
	c        *Common
	position store.Position
	list     []store.Candidate
	cursor   int
	offset   int
}

// pickedMsg is an officer chosen in the picker.
type pickedMsg struct {
	position, officer int64
	name              string
	override          bool
}

func newPicker(c *Common, p store.Position, list []store.Candidate) *picker {
	return &picker{c: c, position: p, list: list}
}

func (p *picker) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "officer")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "assign")),
		key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "override cap")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Update returns a command and whether the picker closed.
func (p *picker) Update(km tea.KeyPressMsg) (tea.Cmd, bool) {
	switch km.String() {
	case "esc", "q":
		return nil, true
	case "up", "k":
		p.cursor = max(p.cursor-1, 0)
	case "down", "j":
		p.cursor = min(p.cursor+1, max(len(p.list)-1, 0))
	case "home", "g":
		p.cursor = 0
	case "end", "G":
		p.cursor = max(len(p.list)-1, 0)
	case "enter", "o":
		if len(p.list) == 0 {
			return nil, true
		}
		c := p.list[p.cursor]
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

func (p *picker) View(height int) string {
	st := p.c.Styles
	w := p.c.Width
	loc := p.c.Loc
	var out []string
	out = append(out, st.Title.Render(fmt.Sprintf("Assign position %d (%s)", p.position.Slot, p.position.Class))+"  "+
		st.Muted.Render(p.position.Start.In(loc).Format("Mon 02 Jan 15:04")+"-"+p.position.End.In(loc).Format("15:04")))
	out = append(out, st.Header.Render(fit(fmt.Sprintf(" %-22s %-10s %-7s %6s %6s  %s", "officer", "rank", "badge", "week", "month", "why not"), w)))
	rows := max(height-4, 1)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
	for i := p.offset; i < len(p.list) && i < p.offset+rows; i++ {
		c := p.list[i]
		var why []string
		for _, r := range c.Reasons {
			why = append(why, r.Text)
		}
		line := fmt.Sprintf(" %-22s %-10s %-7s %6s %6s  %s", truncate(safe(c.Name()), 22), c.Rank, c.Badge,
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
	if len(p.list) == 0 {
		out = append(out, st.Muted.Render(" this agency has no officers"))
	}
	for len(out) < height-1 {
		out = append(out, "")
	}
	hint := "enter assigns an eligible officer"
	if len(p.list) > 0 {
		if c := p.list[p.cursor]; c.Overridable() {
			hint = "only caps stand in the way: o to override with a written reason"
		} else if !c.Eligible() {
			hint = "cannot take this shift: " + c.Reasons[0].Text
		}
	}
	out = append(out, st.Warn.Render(truncate(hint, w)))
	return strings.Join(out[:min(len(out), height)], "\n")
}
