// Package ui is the offduty console: one root model with tabs, one file per
// screen, a shared keymap and styles. Update never does I/O: every store call
// runs in a tea.Cmd.
package ui

import (
	"image/color"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
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
	DBPath        string
}

// today is the office's current civil date.
func (c *Common) today() Date {
	n := c.Now().In(c.Loc)
	return Date{n.Year(), n.Month(), n.Day()}
}

// Styles are the console's lipgloss styles for a light or dark background.
type Styles struct {
	Dark      bool
	App       lipgloss.Style
	Title     lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Status    lipgloss.Style
	Rule      lipgloss.Style
	Label     lipgloss.Style
	Focus     lipgloss.Style
	Echo      lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	OK        lipgloss.Style
	Muted     lipgloss.Style
	Bold      lipgloss.Style
	Selected  lipgloss.Style
	Header    lipgloss.Style
	Total     lipgloss.Style
	Refused   lipgloss.Style
	status    map[string]lipgloss.Style
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
	s := Styles{
		Dark:      dark,
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Tab:       lipgloss.NewStyle().Foreground(muted).Padding(0, 1),
		ActiveTab: lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent).Padding(0, 1),
		Status:    lipgloss.NewStyle().Foreground(muted),
		Rule:      lipgloss.NewStyle().Foreground(muted),
		Label:     lipgloss.NewStyle().Foreground(muted),
		Focus:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Echo:      lipgloss.NewStyle().Foreground(blue),
		Error:     lipgloss.NewStyle().Foreground(red),
		Warn:      lipgloss.NewStyle().Foreground(amber),
		OK:        lipgloss.NewStyle().Foreground(green),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Bold:      lipgloss.NewStyle().Bold(true),
		Selected:  lipgloss.NewStyle().Reverse(true),
		Header:    lipgloss.NewStyle().Bold(true).Foreground(muted),
		Total:     lipgloss.NewStyle().Bold(true),
		Refused:   lipgloss.NewStyle().Bold(true).Foreground(red),
	}
	s.status = map[string]lipgloss.Style{
		store.StatusRequested:  lipgloss.NewStyle().Foreground(amber),
		store.StatusApproved:   lipgloss.NewStyle().Foreground(blue),
		store.StatusScheduled:  lipgloss.NewStyle().Foreground(green),
		store.StatusInProgress: lipgloss.NewStyle().Bold(true).Foreground(green),
		store.StatusCompleted:  lipgloss.NewStyle().Foreground(muted),
		store.StatusInvoiced:   lipgloss.NewStyle().Foreground(muted),
		store.StatusPaid:       lipgloss.NewStyle().Foreground(muted),
		store.StatusCancelled:  lipgloss.NewStyle().Foreground(red).Strikethrough(true),
	}
	return s
}

// StatusStyle colours a job status.
func (s Styles) StatusStyle(status string) lipgloss.Style {
	if st, ok := s.status[status]; ok {
		return st
	}
	return lipgloss.NewStyle()
}

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

// width is the display width of s, with a fast path for plain ASCII.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			return lipgloss.Width(s)
		}
	}
	return len(s)
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
