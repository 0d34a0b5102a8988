package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// field is one row of a small form: a text input or a choice, with a check
// that runs on every keystroke and an echo of what was understood.
type field struct {
	label   string
	input   textinput.Model
	choices []string
	choice  int
	check   func(string) (string, error)
	echo    string
	err     string
}

func textField(label, value, placeholder string, check func(string) (string, error)) *field {
	in := newInput()
	in.Prompt = ""
	in.CharLimit = 200
	in.Placeholder = placeholder
	in.SetValue(safe(value)) // a value from the database: no escape sequence or bidi control in the input
	return &field{label: label, input: in, check: check}
}

// max sets the longest value the field takes, in characters (the store's limit).
func (f *field) max(n int) *field {
	f.input.CharLimit = n
	return f
}

func choiceField(label string, choices []string, choice int) *field {
	return &field{label: label, choices: choices, choice: choice}
}

func (f *field) value() string {
	if f.choices != nil {
		return f.choices[f.choice]
	}
	return strings.TrimSpace(f.input.Value())
}

func (f *field) validate() {
	f.echo, f.err = "", ""
	if f.check != nil {
		f.echo, f.err = "", ""
		e, err := f.check(f.value())
		if err != nil {
			f.err = err.Error()
		} else {
			f.echo = e
		}
	}
}

// fieldForm is a titled list of fields; ctrl+s or enter on the last field
// submits when every field is valid.
type fieldForm struct {
	title  string
	fields []*field
	focus  int
	fresh  bool // the focused text field is replaced by the first character typed
	tried  bool
	submit func() tea.Cmd
}

func newFieldForm(title string, fields []*field, submit func() tea.Cmd) *fieldForm {
	f := &fieldForm{title: title, fields: fields, submit: submit}
	for _, x := range fields {
		x.validate()
	}
	f.setFocus(0)
	return f
}

func (f *fieldForm) setFocus(i int) tea.Cmd {
	for _, x := range f.fields {
		x.input.Blur()
	}
	f.focus = i
	f.fresh = f.fields[i].choices == nil
	if f.fields[i].choices == nil {
		f.fields[i].input.CursorEnd()
		return f.fields[i].input.Focus()
	}
	return nil
}

func (f *fieldForm) valid() bool {
	for _, x := range f.fields {
		if x.err != "" {
			return false
		}
	}
	return true
}

// update returns (closed, cmd).
func (f *fieldForm) update(msg tea.Msg) (bool, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	cur := f.fields[f.focus]
	if !ok {
		if cur.choices == nil {
			var cmd tea.Cmd
			cur.input, cmd = cur.input.Update(msg)
			return false, cmd
		}
		return false, nil
	}
	switch km.String() {
	case "esc":
		return true, nil
	case "ctrl+s":
		f.tried = true
		if !f.valid() {
			for i, x := range f.fields {
				if x.err != "" {
					return false, f.setFocus(i)
				}
			}
		}
		return true, f.submit()
	case "tab", "down", "enter":
		if km.String() == "enter" && f.focus == len(f.fields)-1 {
			f.tried = true
			if f.valid() {
				return true, f.submit()
			}
		}
		return false, f.setFocus((f.focus + 1) % len(f.fields))
	case "shift+tab", "up":
		return false, f.setFocus((f.focus + len(f.fields) - 1) % len(f.fields))
	}
	if cur.choices != nil {
		switch km.String() {
		case "left", "h":
			cur.choice = (cur.choice + len(cur.choices) - 1) % len(cur.choices)
		case "right", "l", "space":
			cur.choice = (cur.choice + 1) % len(cur.choices)
		}
		cur.validate()
		return false, nil
	}
	if f.fresh && km.Text != "" {
		cur.input.SetValue("") // typing over a field replaces it, like a spreadsheet cell; ←/→ or backspace edit it
	}
	f.fresh = false
	var cmd tea.Cmd
	cur.input, cmd = cur.input.Update(msg)
	cur.validate()
	return false, cmd
}

func (f *fieldForm) view(st Styles, w, height int) string {
	out := []string{st.Title.Render(safe(f.title))}
	lw := 12
	for i, x := range f.fields {
		label := st.Label.Render(fit(x.label, lw))
		if i == f.focus {
			label = st.Focus.Render(fit("›"+x.label, lw))
		}
		var v string
		switch {
		case x.choices != nil && i == f.focus:
			v = "‹ " + safe(x.choices[x.choice]) + " ›"
		case x.choices != nil:
			v = safe(x.choices[x.choice])
		case i == f.focus:
			x.input.SetWidth(min(30, w-lw-2))
			v = clip(x.input.View(), min(31, w-lw-1))
		default:
			v = fit(safe(x.input.Value()), min(31, w-lw-1))
		}
		line := label + fit(v, min(32, w-lw))
		switch {
		case x.err != "" && (f.tried || x.value() != ""):
			line += st.Error.Render(truncate("✗ "+safe(x.err), max(w-width(line), 1)))
		case x.echo != "":
			line += st.Echo.Render(truncate(safe(x.echo), max(w-width(line), 1)))
		}
		out = append(out, line)
	}
	out = append(out, "", st.Muted.Render("tab next · ←/→ choose · ctrl+s save · esc cancel"))
	if len(out) > height {
		out = out[:height]
	}
	return strings.Join(out, "\n")
}
