package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// prompt is a one-line question at the bottom of a screen: a label, an
// input, a hint, and a check run on every keystroke; enter submits only a
// valid answer, esc gives up.
//
// A value the prompt opens with is a default, shown selected like a
// spreadsheet cell: enter takes it, the first character typed (or pasted)
// replaces it, and arrows, backspace, delete, home or end edit it instead.
//
// A prompt may also carry a choice (withChoice): a second answer picked
// with tab / shift+tab, shown as a row of options with the chosen one in
// brackets (who reads a note).
type prompt struct {
	label  string
	hint   string
	input  textinput.Model
	check  func(string) (echo string, err error)
	submit func(string) tea.Cmd
	echo   string
	err    string
	fresh  bool // the value is the untouched default

	choiceLabel string
	choices     []promptChoice
	choice      int
}

// promptChoice is one option of a prompt's choice: its name, and what it
// means, shown under the row while it is chosen.
type promptChoice struct{ name, about string }

func newPrompt(label, value, hint string, check func(string) (string, error), submit func(string) tea.Cmd) *prompt {
	in := newInput()
	in.Prompt = ""
	in.CharLimit = 500
	in.SetValue(value)
	in.CursorEnd()
	p := &prompt{label: label, hint: hint, input: in, check: check, submit: submit, fresh: value != ""}
	p.validate()
	return p
}

// withChoice adds a choice picked with tab / shift+tab, starting at pick.
func (p *prompt) withChoice(label string, pick int, opts ...promptChoice) *prompt {
	p.choiceLabel, p.choices, p.choice = label, opts, min(max(pick, 0), max(len(opts)-1, 0))
	return p
}

func (p *prompt) focus() tea.Cmd { return p.input.Focus() }

func (p *prompt) validate() {
	p.echo, p.err = "", ""
	if p.check == nil {
		return
	}
	e, err := p.check(p.input.Value())
	if err != nil {
		p.err = err.Error()
	} else {
		p.echo = e
	}
}

// update returns (done, cmd): done is true when the prompt should close.
func (p *prompt) update(msg tea.Msg) (bool, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		switch m.String() {
		case "esc":
			return true, nil
		case "enter":
			p.validate()
			if p.err != "" {
				return false, nil
			}
			return true, p.submit(strings.TrimSpace(p.input.Value()))
		case "tab", "shift+tab":
			if n := len(p.choices); n > 0 {
				if m.String() == "tab" {
					p.choice = (p.choice + 1) % n
				} else {
					p.choice = (p.choice + n - 1) % n
				}
				return false, nil
			}
		}
		if p.fresh {
			p.fresh = false
			if m.Text != "" { // a character replaces the default; other keys edit it
				p.input.SetValue("")
			}
		}
	case tea.PasteMsg:
		if p.fresh {
			p.fresh = false
			p.input.SetValue("")
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.validate()
	return false, cmd
}

func (p *prompt) view(st Styles, w int) string {
	lw := min(width(p.label)+2, w/2)
	if p.choiceLabel != "" {
		lw = min(max(lw, width(p.choiceLabel)+2), w/2)
	}
	p.input.SetWidth(max(w-lw-1, 10))
	field := p.input.View()
	if p.fresh { // the default, selected: typing replaces it
		v := p.input.Value()
		field = st.Selected.Render(truncate(v, max(w-lw-1, 1))) + st.Muted.Render(truncate("  type to replace, ← to edit", max(w-lw-width(v)-1, 0)))
	}
	lines := []string{st.Focus.Render(fit(p.label+":", lw)) + field}
	about := ""
	if len(p.choices) > 0 {
		row := ""
		for i, c := range p.choices {
			if i == p.choice {
				row += st.Selected.Render("["+c.name+"]") + " "
			} else {
				row += st.Muted.Render(" "+c.name+" ") + " "
			}
		}
		lines = append(lines, st.Label.Render(fit(p.choiceLabel+":", lw))+truncate(row+st.Muted.Render(" tab to change"), w-lw))
		about = p.choices[p.choice].about
	}
	switch {
	case p.err != "" && strings.TrimSpace(p.input.Value()) != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Error.Render(truncate("✗ "+safe(p.err), w-lw)))
	case p.echo != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Echo.Render(truncate(p.echo, w-lw)))
	case about != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Muted.Render(truncate(about, w-lw)))
	case p.hint != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Muted.Render(truncate(p.hint, w-lw)))
	}
	return strings.Join(lines, "\n")
}

// confirmBox is a yes/no question; yes runs a command.
type confirmBox struct {
	title string
	lines []string
	yes   tea.Cmd
}

// answer handles a key while a question is open: y runs it, n or esc drops it.
func answer(box **confirmBox, km tea.KeyPressMsg) tea.Cmd {
	switch km.String() {
	case "y", "Y":
		c := (*box).yes
		*box = nil
		return c
	case "n", "N", "esc":
		*box = nil
	}
	return nil
}

// filterKey handles a key while a list's filter line is open: enter keeps
// the filter, esc clears it, anything else edits it; apply re-filters.
func filterKey(in *textinput.Model, open *bool, km tea.KeyPressMsg, apply func()) tea.Cmd {
	switch km.String() {
	case "enter":
		*open = false
		in.Blur()
	case "esc":
		*open = false
		in.Blur()
		in.SetValue("")
		apply()
	default:
		var cmd tea.Cmd
		*in, cmd = in.Update(km)
		apply()
		return cmd
	}
	return nil
}
