// Package ui is the offduty console: one root model with tabs, one file per
// screen, a shared keymap and styles. Update never does I/O: every store call
// runs in a tea.Cmd.
package ui

import (
	"context"
	"image/color"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

// Common is what every screen shares: size, styles, keys, the store, the clock.
type Common struct {
	Width, Height int
	Styles        Styles
	Keys          Keys
	Store         *store.Store
	Now           func() time.Time
	Loc           *time.Location // the office zone
	Actor         string         // who is at the keyboard
	Role          string         // "" is the local supervisor
	CustomerID    int64          // a customer user's account
	DBPath        string
	Ctx           context.Context // the session's; nil: never ends (Options.Context)
	// Remote is a console served over SSH: no key asks for, reads or writes
	// a path on the server; keys that would show the commands to run from
	// the user's own machine, which reach the server at PublicAddress.
	Remote        bool
	PublicAddress string // HOST:PORT
}

// can reports whether the user's role allows a store permission.
func (c *Common) can(perm string) bool { return c.Role == "" || store.Allows(c.Role, perm) }

// today is the office's current civil date.
func (c *Common) today() Date {
	n := c.Now().In(c.Loc)
	return Date{n.Year(), n.Month(), n.Day()}
}

// Paint is a text style reduced to the escape codes around its text, so a
// frame can style hundreds of cells without running lipgloss each time.
type Paint struct{ pre, suf string }

func paint(st lipgloss.Style) Paint {
	// a printable cell: lipgloss styles rune by rune when it underlines or
	// strikes through, and leaves a control character (once "\x00" here,
	// which lost the active tab's and a cancelled job's style) unstyled
	r := st.Render("X")
	pre, suf, _ := strings.Cut(r, "X")
	return Paint{pre, suf}
}

// Render styles s (each line of it).
func (p Paint) Render(s string) string {
	if p.pre == "" && p.suf == "" {
		return s
	}
	if strings.Contains(s, "\n") {
		s = strings.ReplaceAll(s, "\n", p.suf+"\n"+p.pre)
	}
	return p.pre + s + p.suf
}

// Styles are the console's styles for a light or dark background.
type Styles struct {
	Dark bool
	// Plain is a terminal without colour (NO_COLOR, or no colour at all):
	// what colour alone would tell is marked in the text, as [the active tab].
	Plain     bool
	Title     Paint
	Tab       Paint
	ActiveTab Paint
	Status    Paint
	Rule      Paint
	Label     Paint
	Focus     Paint
	Echo      Paint
	Error     Paint
	Warn      Paint
	OK        Paint
	Muted     Paint
	Bold      Paint
	Selected  Paint
	Header    Paint
	Total     Paint
	Refused   Paint
	status    map[string]Paint
}

// NewStyles builds the styles for the terminal's background.
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	accent := c("#5A3FD1", "#B4A7FF")
	muted := c("#6B6B6B", "#8A8A8A")
	red := c("#B3261E", "#FF6B6B")
	amber := c("#8A5A00", "#F2C14E")
	green := c("#1E7A34", "#6BD38A")
	blue := c("#1F5FAD", "#7FB2FF")
	fg := func(col color.Color) Paint { return paint(lipgloss.NewStyle().Foreground(col)) }
	s := Styles{
		Dark:      dark,
		Title:     paint(lipgloss.NewStyle().Bold(true).Foreground(accent)),
		Tab:       fg(muted),
		ActiveTab: paint(lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent)),
		Status:    fg(muted),
		Rule:      fg(muted),
		Label:     fg(muted),
		Focus:     paint(lipgloss.NewStyle().Bold(true).Foreground(accent)),
		Echo:      fg(blue),
		Error:     fg(red),
		Warn:      fg(amber),
		OK:        fg(green),
		Muted:     fg(muted),
		Bold:      paint(lipgloss.NewStyle().Bold(true)),
		Selected:  paint(lipgloss.NewStyle().Reverse(true)),
		Header:    paint(lipgloss.NewStyle().Bold(true).Foreground(muted)),
		Total:     paint(lipgloss.NewStyle().Bold(true)),
		Refused:   paint(lipgloss.NewStyle().Bold(true).Foreground(red)),
	}
	s.status = map[string]Paint{
		store.StatusRequested:  fg(amber),
		store.StatusApproved:   fg(blue),
		store.StatusScheduled:  fg(green),
		store.StatusInProgress: paint(lipgloss.NewStyle().Bold(true).Foreground(green)),
		store.StatusCompleted:  fg(muted),
		store.StatusInvoiced:   fg(muted),
		store.StatusPaid:       fg(muted),
		store.StatusCancelled:  paint(lipgloss.NewStyle().Foreground(red).Strikethrough(true)),
	}
	return s
}

// StatusStyle colours a job status.
func (s Styles) StatusStyle(status string) Paint { return s.status[status] }

// Keys is the shared keymap; screens add their own.
type Keys struct {
	Quit    key.Binding
	Help    key.Binding
	New     key.Binding
	NextTab key.Binding
	PrevTab key.Binding
}

// DefaultKeys are the global keys.
func DefaultKeys() Keys {
	return Keys{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new request")),
		NextTab: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev tab")),
	}
}

// width is the display width of one line of s, styled or not. It counts
// fast over ASCII, CSI escape sequences and the narrow symbols the console
// draws, and asks lipgloss about anything else.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !(r >= 0xa0 && r < 0x300) && !(r >= 0x2010 && r < 0x2600) && r != 0x2713 && r != 0x2717 {
				return lipgloss.Width(s)
			}
			n++
			i += size
		default:
			return lipgloss.Width(s)
		}
	}
	return n
}

// fit cuts (with an ellipsis) or pads s, styled or not, to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// truncate cuts s to at most w cells with an ellipsis.
func truncate(s string, w int) string {
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// right pads s on the left to w cells.
func right(s string, w int) string {
	sw := width(s)
	if sw >= w {
		return s
	}
	return strings.Repeat(" ", w-sw) + s
}

// safe strips control and escape sequences from text other users typed.
func safe(s string) string { return store.Clean(s, false) }

// clip cuts s, styled or not, to exactly w cells without an ellipsis.
func clip(s string, w int) string {
	s = ansi.Truncate(s, w, "")
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}

// newInput is a text input with a steady cursor: a blinking one redraws
// every session's screen twice a second, over SSH too, for nothing.
func newInput() textinput.Model {
	ti := textinput.New()
	st := ti.Styles()
	st.Cursor.Blink = false
	ti.SetStyles(st)
	return ti
}

// newArea is a multi-line input with a steady cursor.
func newArea() textarea.Model {
	ta := textarea.New()
	st := ta.Styles()
	st.Cursor.Blink = false
	ta.SetStyles(st)
	return ta
}

// helpViews are the help lines drawn lately, shared by every console of the
// process (over SSH, each session's): bubbles' help styles every key with
// lipgloss on every frame, a tenth of a keystroke's cost, for lines that
// change with the screen and the width only.
var helpViews struct {
	sync.Mutex
	m map[string]helpView
}

type helpView struct {
	styles help.Styles
	lines  []string // shared: read only
}

// helpLines is h's short help of km, or its full help, as lines; the same
// keys, width and styles give the lines drawn before.
func helpLines(h *help.Model, km help.KeyMap, full bool) []string {
	var k strings.Builder
	k.Grow(256)
	if full {
		k.WriteByte('F')
	}
	k.WriteString(strconv.Itoa(h.Width()))
	for _, s := range []string{h.ShortSeparator, h.FullSeparator, h.Ellipsis} {
		k.WriteByte(0)
		k.WriteString(s)
	}
	add := func(bs []key.Binding) {
		for _, b := range bs {
			if b.Enabled() {
				hl := b.Help()
				k.WriteByte(1)
				k.WriteString(hl.Key)
				k.WriteByte(0)
				k.WriteString(hl.Desc)
			}
		}
		k.WriteByte(2)
	}
	var groups [][]key.Binding
	if full {
		groups = km.FullHelp()
		for _, g := range groups {
			add(g)
		}
	} else {
		add(km.ShortHelp())
	}
	helpViews.Lock()
	v, ok := helpViews.m[k.String()]
	helpViews.Unlock()
	if ok && reflect.DeepEqual(&v.styles, &h.Styles) { // pointers: nothing copied
		return v.lines
	}
	var s string
	if full {
		s = h.FullHelpView(groups)
	} else {
		s = h.ShortHelpView(km.ShortHelp())
	}
	lines := strings.Split(s, "\n")
	helpViews.Lock()
	if helpViews.m == nil || len(helpViews.m) >= 1024 {
		helpViews.m = map[string]helpView{}
	}
	helpViews.m[k.String()] = helpView{styles: h.Styles, lines: lines}
	helpViews.Unlock()
	return lines
}
