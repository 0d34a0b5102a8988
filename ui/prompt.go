package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// prompt is a one-line question at the bottom of a screen: a label, an
// input, a hint, and a check run on every keystroke; enter submits only a
// valid answer, esc gives up.
type prompt struct {
	label  string
	hint   string
	input  textinput.Model
	check  func(string) (echo string, err error)
	submit func(string) tea.Cmd
	echo   string
	err    string
}

func newPrompt(label, value, hint string, check func(string) (string, error), submit func(string) tea.Cmd) *prompt {
	in := newInput()
	in.Prompt = ""
	in.CharLimit = 500
	in.SetValue(value)
	in.CursorEnd()
	p := &prompt{label: label, hint: hint, input: in, check: check, submit: submit}
	p.validate()
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
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			return true, nil
		case "enter":
			p.validate()
			if p.err != "" {
				return false, nil
			}
			return true, p.submit(strings.TrimSpace(p.input.Value()))
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.validate()
	return false, cmd
}

func (p *prompt) view(st Styles, w int) string {
	lw := min(width(p.label)+2, w/2)
	p.input.SetWidth(max(w-lw-1, 10))
	lines := []string{st.Focus.Render(fit(p.label+":", lw)) + p.input.View()}
	switch {
	case p.err != "" && strings.TrimSpace(p.input.Value()) != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Error.Render(truncate("✗ "+safe(p.err), w-lw)))
	case p.echo != "":
		lines = append(lines, strings.Repeat(" ", lw)+st.Echo.Render(truncate(p.echo, w-lw)))
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
