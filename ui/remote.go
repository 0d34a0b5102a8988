package ui

import (
	"fmt"
	"net"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"offduty/store"
	"offduty/ui/export"
)

// Over SSH the console runs on the office's server: a path typed into it
// would name a file of the server, which the user neither owns nor sees.
// So no key asks for one there. A key that would read or write a file
// (export, attach) shows instead the one-line command the user runs on
// their own machine, where stdin and stdout are their own files.

// remoteHint is the box such a key opens: a title, what to do, and the
// commands, each on a line of its own that nothing else shares (a
// triple-click copies exactly the command), never cut with an ellipsis.
type remoteHint struct {
	title string
	intro string // before the commands
	cmds  []hintCmd
	outro string // after them
	sel   int    // the command c copies
}

type hintCmd struct {
	label string // what the command gets, e.g. "PDF, as printed:"
	line  string // the command itself
}

// hintMsg opens a hint box over the screen.
type hintMsg struct{ hint *remoteHint }

func showHint(h *remoteHint) tea.Cmd { return func() tea.Msg { return hintMsg{h} } }

// sshPrefix is how the user's own machine reaches this server, from the
// public address (HOST:PORT): "ssh -p 2222 office.example.com", or
// "ssh office.example.com" on ssh's own port 22.
func sshPrefix(addr string) string {
	addr = strings.TrimSpace(addr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil { // no port: the host alone
		host, port = strings.Trim(addr, "[]"), ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost" // a wildcard listen address names no host: the server's own
	}
	if port == "" || port == "22" {
		return "ssh " + shellQuote(host)
	}
	return "ssh -p " + shellQuote(port) + " " + shellQuote(host)
}

// shellQuote makes s one word for a POSIX shell: as it is when it holds
// nothing a shell would read, else in single quotes ("#12" is a comment
// to a shell, '#12' is not).
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// sshCommand is a command of the offduty command tree run over SSH.
func (c *Common) sshCommand(args ...string) string {
	return sshPrefix(c.PublicAddress) + " " + strings.Join(args, " ")
}

const remoteIntro = "This console runs on the office's server and saves no file there. "

// invoiceFile is the file an invoice export is saved as: its number
// ("2026-000017.pdf"), or export's name for a draft ("invoice-draft-12.pdf").
func invoiceFile(inv store.Invoice, ext string) string {
	if inv.Number != "" {
		return inv.Number + "." + ext
	}
	return export.FileName(inv, ext)
}

// invoiceHint is x on an invoice over SSH: the PDF and CSV exports.
func invoiceHint(c *Common, inv store.Invoice) *remoteHint {
	name := export.Name(inv) // the CLI names a draft "#ID"
	cmd := func(ext string) string {
		return c.sshCommand("invoice", "export", shellQuote(name), "--format", ext, ">", shellQuote(invoiceFile(inv, ext)))
	}
	return &remoteHint{
		title: "Export " + invName(inv),
		intro: remoteIntro + "Run one of these on your own computer: the file lands in the folder you run it from.",
		cmds: []hintCmd{
			{label: "PDF, as printed:", line: cmd("pdf")},
			{label: "CSV, one row per invoice line:", line: cmd("csv")},
		},
	}
}

// payrollHint is x on a pay period over SSH: its CSV.
func payrollHint(c *Common, p store.Payroll) *remoteHint {
	period := p.Start.Format("2006-01-02")
	lock := "L locks the period here once you have the file."
	if p.Locked {
		lock = "The period is locked: the file is exactly what was locked."
	}
	return &remoteHint{
		title: "Export pay period " + periodLabel(p),
		intro: remoteIntro + "Run this on your own computer: the CSV lands in the folder you run it from.",
		cmds: []hintCmd{
			{label: "CSV, one row per paid line:", line: c.sshCommand("payroll", "export", "--period", period, ">", shellQuote(export.PayrollFileName(p)))},
		},
		outro: lock,
	}
}

// attachHint is m on the Job screen over SSH: the file comes from the
// user's machine on the connection's stdin.
func attachHint(c *Common, jobID int64) *remoteHint {
	return &remoteHint{
		title: fmt.Sprintf("Attach a file to job #%d", jobID),
		intro: "This console runs on the office's server and reads no file there: a file travels over the SSH connection. " +
			"On your own computer, in the folder that holds it, run:",
		cmds: []hintCmd{
			{label: "A photo, video or document:", line: c.sshCommand("job", "attach", fmt.Sprint(jobID), "--name", "photo.jpg", "<", "photo.jpg")},
		},
		outro: fmt.Sprintf("Put your file's name in place of photo.jpg, both times (at most %d MB). It shows under Media here once attached.", store.MaxMediaBytes>>20),
	}
}

// hintKey handles a key while a hint box is open: esc or enter (or q)
// closes it, ↑/↓ choose a command, c copies it to the user's clipboard.
func (a *App) hintKey(km tea.KeyPressMsg) tea.Cmd {
	h := a.hint
	switch km.String() {
	case "?", "f1":
		a.full = !a.full
	case "esc", "enter", "q":
		if a.full && km.String() == "esc" {
			a.full = false
			return nil
		}
		a.hint = nil
		a.clearMsg()
	case "up", "k", "shift+tab":
		h.sel = max(h.sel-1, 0)
	case "down", "j", "tab":
		h.sel = min(h.sel+1, len(h.cmds)-1)
	case "c", "y":
		if len(h.cmds) == 0 {
			return nil
		}
		a.setMsg("Copied to your clipboard, if your terminal allows it (OSC 52)")
		return tea.SetClipboard(h.cmds[h.sel].line)
	}
	return nil
}

// keys are the help while the box is open.
func (h *remoteHint) keys() keyMap {
	choose := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
	choose.SetEnabled(len(h.cmds) > 1)
	copyKey := key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy command"))
	closeKey := key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc/enter", "close"))
	helpKey := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help"))
	quit := key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
	return keyMap{
		short: []key.Binding{choose, copyKey, closeKey, helpKey},
		full:  [][]key.Binding{{choose, copyKey}, {closeKey, helpKey, quit}},
	}
}

// view draws the box across the whole width w in at most height rows.
// Every line is w cells wide except a command wider than the window: it
// runs past the edge, whole, rather than be cut or broken.
func (h *remoteHint) view(st Styles, w, height int) []string {
	rule := func(title string) string {
		if title == "" {
			return st.Rule.Render(strings.Repeat("─", w))
		}
		title = truncate(" "+safe(title)+" ", max(w-3, 1))
		return st.Rule.Render("──") + st.Title.Render(title) + st.Rule.Render(strings.Repeat("─", max(w-2-width(title), 0)))
	}
	para := func(s string, p Paint) []string {
		if s == "" {
			return nil
		}
		var out []string
		for _, l := range strings.Split(wrap(s, max(w-2, 1)), "\n") {
			out = append(out, p.Render(fit(" "+strings.TrimRight(l, " "), w)))
		}
		return out
	}
	tooWide := false
	var cmds []string
	for i, c := range h.cmds {
		mark, lp := "  ", st.Label
		if i == h.sel && len(h.cmds) > 1 {
			mark, lp = "▸ ", st.Focus
		}
		cmds = append(cmds, lp.Render(fit(mark+c.label, w)))
		line := c.line
		switch {
		case width(line)+2 <= w:
			line = fit("  "+line, w)
		case width(line) <= w:
			line = fit(line, w)
		default:
			tooWide = true // whole, past the edge: never an ellipsis, never a break
		}
		p := st.Echo
		if i == h.sel {
			p = st.Bold
		}
		cmds = append(cmds, p.Render(line))
	}
	var note []string
	if tooWide {
		note = para("The window is narrower than the command: widen it to see the whole line, or press c to copy it.", st.Warn)
	}
	intro, outro := para(h.intro, Paint{}), para(h.outro, st.Muted)
	blank := fit("", w)
	build := func(gaps bool) []string {
		out := []string{rule(h.title)}
		add := func(part []string) {
			if len(part) == 0 {
				return
			}
			if gaps && len(out) > 1 {
				out = append(out, blank)
			}
			out = append(out, part...)
		}
		add(intro)
		add(cmds)
		add(note)
		add(outro)
		return append(out, rule(""))
	}
	if out := build(true); len(out) <= height {
		return out
	}
	// short of room: the gaps go first, then the words around the commands
	for _, drop := range []*[]string{nil, &outro, &intro, &note} {
		if drop != nil {
			*drop = nil
		}
		if out := build(false); len(out) <= height {
			return out
		}
	}
	out := build(false)
	return out[:max(height, 0)]
}
