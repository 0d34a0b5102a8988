package sshd

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"offduty/store"
	"offduty/ui"
)

// fullCells is what Bubble Tea's renderer puts in its cell buffer for a
// frame: the buffer cleared, the whole text drawn.
func fullCells(content string, w, h int, m ansi.Method) uv.ScreenBuffer {
	b := uv.NewScreenBuffer(w, h)
	b.Method = m
	b.Clear()
	uv.NewStyledString(content).Draw(b, b.Bounds())
	return b
}

func sameCells(t *testing.T, what string, got, want uv.ScreenBuffer) {
	t.Helper()
	if got.Width() != want.Width() || got.Height() != want.Height() {
		t.Fatalf("%s: %dx%d cells, want %dx%d", what, got.Width(), got.Height(), want.Width(), want.Height())
	}
	for y := range want.Height() {
		for x := range want.Width() {
			g, w := got.CellAt(x, y), want.CellAt(x, y)
			if (g == nil) != (w == nil) || g != nil && !reflect.DeepEqual(*g, *w) {
				t.Fatalf("%s: cell %d,%d is %+v, want %+v\ngot  %q\nwant %q", what, x, y, g, w,
					got.Line(y).String(), want.Line(y).String())
			}
		}
	}
}

// drawFrames draws frames one after the other as a session's screen does
// and checks each one's cells against Bubble Tea's.
func drawFrames(t *testing.T, w, h int, frames []string) (partial int) {
	t.Helper()
	s := newScreen(io.Discard, []string{"TERM=xterm-256color"}, w, h, colorprofile.TrueColor)
	defer s.closeQuiet()
	for i, f := range frames {
		if i%7 == 6 {
			s.release() // idle: the next frame takes a buffer from the pool
		}
		s.mu.Lock()
		if s.cells.RenderBuffer == nil {
			s.acquire(uv.Rect(0, 0, w, h))
		}
		before := s.lines != nil
		s.draw(f, true)
		if before && s.lines != nil {
			partial++
		}
		got := s.cells
		s.mu.Unlock()
		sameCells(t, fmt.Sprintf("frame %d", i), got, fullCells(f, w, h, got.Method))
	}
	return partial
}

// TestScreenCells: a screen that draws only the lines that changed ends
// each frame with the cells Bubble Tea's renderer would have, on the
// console's own frames (a request typed at 120x40 and at 80x24) and on
// text that defeats drawing line by line (a style left open across lines,
// hyperlinks, wide and combining characters).
func TestScreenCells(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("console %dx%d", size[0], size[1]), func(t *testing.T) {
			frames := consoleFrames(t, size[0], size[1])
			if partial := drawFrames(t, size[0], size[1], frames); partial < len(frames)/2 {
				t.Errorf("only %d of %d frames drawn line by line", partial, len(frames))
			}
		})
	}
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	frames := []string{
		"plain\nlines\n" + red.Render("red") + " and not",
		"plain\nlines changed\n" + red.Render("red") + " and not\nmore",
		"\x1b[1mbold left open\nstill bold\x1b[m\nnot",               // drawn whole
		"\x1b[1mbold left open\nstill bold, changed\x1b[m\nnot",      // drawn whole
		"a link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\\nnext",      // drawn whole
		"wide 日本語 text\n" + strings.Repeat("界", 30) + "\n\u0301mark", // the mark first on a line: drawn whole
		"wide 日本語 text\n" + strings.Repeat("界", 31),
		"cr\rx\nline",
		"\x1b[0;1mreset then bold\nopen\x1b[0m",
		"\x1b[38;5;111mclosed\x1b[0m\nfine\n\n\nlast",
		strings.Repeat("long line ", 10) + "\n" + strings.Repeat("x\n", 12),
		"",
		"after empty",
	}
	drawFrames(t, 40, 10, frames)
}

func TestLinesIndependent(t *testing.T) {
	for s, want := range map[string]bool{
		"":                                true,
		"a\nb":                            true,
		"\x1b[31ma\x1b[m\nb":              true,
		"\x1b[31ma\x1b[0m\nb":             true,
		"\x1b[31ma\nb\x1b[m":              false,
		"\x1b[31ma\x1b[m\x1b[1m\nb\x1b[m": false,
		"a\x1b]8;;u\x1b\\b\x1b]8;;\x1b\\": false,
		"a\r\nb":                          false,
		"a\u009b31mb":                     false,
		"a\n\u0301b":                      false,
		"a\n\x1b[1m\u0301b\x1b[m":         false,
		"a\n©\nb":                         true,
		"\x1b[2Ka\x1b[m":                  true,
		"\x1b":                            false,
		"\x1b[31m":                        false,
		"日本\n語":                           true,
	} {
		if got := linesIndependent(s); got != want {
			t.Errorf("linesIndependent(%q) = %v, want %v", s, got, want)
		}
	}
}

// consoleFrames are the console's frames while an operator opens the
// request form and types a request into it, and goes back to the list.
func consoleFrames(t *testing.T, w, h int) []string {
	st := seededStore(t)
	addUser(t, st, "olive", store.RoleOperator, 0)
	app := ui.New(ui.Options{Store: st, Now: func() time.Time { return testNow }, Loc: denver,
		Actor: store.SSHActor("olive"), Role: store.RoleOperator, Remote: true, PublicAddress: "office:2222"})
	var m tea.Model = app
	var frames []string
	var mu sync.Mutex
	msgs := make(chan tea.Msg, 64)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					run(c)
				}
				return
			}
			if msg != nil {
				select {
				case msgs <- msg:
				case <-time.After(5 * time.Second):
				}
			}
		}()
	}
	update := func(msg tea.Msg) {
		var c tea.Cmd
		m, c = m.Update(msg)
		run(c)
		mu.Lock()
		frames = append(frames, m.View().Content)
		mu.Unlock()
	}
	settle := func() { // what the commands answer (not the waits for changes)
		for {
			select {
			case msg := <-msgs:
				update(msg)
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	run(m.Init())
	update(tea.WindowSizeMsg{Width: w, Height: h})
	settle()
	update(tea.KeyPressMsg{Code: 'n', Text: "n"})
	settle()
	for _, step := range loadScript {
		for range step.tabs {
			update(tea.KeyPressMsg{Code: tea.KeyTab})
		}
		for _, c := range step.text {
			update(tea.KeyPressMsg{Code: c, Text: string(c)})
		}
	}
	update(tea.KeyPressMsg{Code: tea.KeyTab})
	update(tea.KeyPressMsg{Code: '3', Text: "3"})
	update(tea.KeyPressMsg{Code: tea.KeyEscape})
	update(tea.KeyPressMsg{Code: tea.KeyEscape})
	settle()
	if !strings.Contains(ansi.Strip(strings.Join(frames, "\n")), "New request") {
		t.Fatalf("the form never opened; last frame:\n%s", ansi.Strip(frames[len(frames)-1]))
	}
	return frames
}

// TestScreenPutsTerminalBack: a session's console draws on the alternate
// screen with the modes Bubble Tea's renderer sets, draws each key's echo
// at once, and when it ends leaves the terminal as it found it (main
// screen, cursor shown, modes off) before the server's last word.
func TestScreenPutsTerminalBack(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "olive", store.RoleOperator, 0)
	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "Requests") {
		t.Fatalf("no console: %q", tm.text())
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	tm.mu.Lock()
	start := tm.out.String()
	tm.mu.Unlock()
	for _, seq := range []string{ansi.SetModeAltScreenSaveCursor, ansi.ResetModeTextCursorEnable, ansi.SetModeBracketedPaste,
		ansi.SetWindowTitle("offduty"), ansi.SetModeMouseButtonEvent, ansi.PushKittyKeyboard(1)} {
		if !strings.Contains(start, seq) {
			t.Errorf("the first screen lacks %q", seq)
		}
	}
	tm.send("n")
	if !tm.waitFor(5*time.Second, "Customer") {
		t.Fatalf("no form: %q", lastLines(tm.text(), 5))
	}
	tm.settle(200*time.Millisecond, 3*time.Second)
	n := tm.outLen()
	sent := time.Now()
	tm.send("Z")
	if !tm.waitForSince(n, 2*time.Second, "Z") {
		t.Fatalf("no echo of Z: %q", tm.textSince(n))
	}
	if d := time.Since(sent); d > time.Second {
		t.Errorf("echo took %v", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	tm.wait(3 * time.Second)
	tm.mu.Lock()
	out := tm.out.String()
	tm.mu.Unlock()
	leave := strings.LastIndex(out, ansi.ResetModeAltScreenSaveCursor)
	told := strings.LastIndex(out, "shutting down")
	if leave < 0 || told < leave {
		t.Fatalf("the alternate screen was not left before the message (at %d, message at %d): %q", leave, told, out[max(len(out)-300, 0):])
	}
	tail := out[strings.LastIndex(out, ansi.SetModeAltScreenSaveCursor):]
	for _, seq := range []string{ansi.SetModeTextCursorEnable, ansi.ResetModeBracketedPaste, ansi.ResetModeMouseButtonEvent,
		ansi.SetWindowTitle(""), ansi.PopKittyKeyboard(1)} {
		if !strings.Contains(tail, seq) {
			t.Errorf("the end does not send %q", seq)
		}
	}
}
