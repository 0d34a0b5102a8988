package sshd

import (
	"bytes"
	"image/color"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/lucasb-eyer/go-colorful"
)

// A session's screen: what Bubble Tea's own renderer does for a console,
// done for an SSH session at the cost of what changed.
//
// Bubble Tea's renderer wakes up sessionFPS times a second per session,
// and for every frame that changed it clears its cell buffer, parses the
// whole screen's text into it again and compares every cell of every line
// with the terminal's: a keystroke that changes two lines of a 120x40
// screen paid for 4,800 cells, three quarters of the server's CPU under
// load (see the README's Performance section). A screen draws a frame as
// soon as the console has one (no ticker: a key's echo does not wait for
// a tick, and an idle session costs nothing), parses again only the lines
// whose text changed, and lets the same terminal renderer (ultraviolet's,
// the one Bubble Tea uses) compare only those lines. The cells it ends up
// with are the ones Bubble Tea's renderer would have (TestScreenCells), so
// the client's terminal shows the same screen; only fewer bytes may go.
//
// The console's program runs with tea.WithoutRenderer; screenModel hands
// every view to the screen, and the messages the renderer needs (size,
// colour profile, mode reports) too.

// screenMinFrame is the least time between two frames (at most 120 a
// second, as Bubble Tea's renderer at its most); frames that come quicker
// are folded into the next.
const screenMinFrame = time.Second / 120

// screenIdle, when positive, is how long a screen keeps its cell buffer
// after a frame: a session idle for longer holds only the terminal
// renderer's copy of the screen (120x40 cells of 112 bytes: 525 KB), and
// its next frame takes a buffer back (from cellPool, or a new one) and
// parses every line again, as Bubble Tea's renderer does for every frame.
// It is off: an idle session then holds 0.93 MB of heap instead of 1.46 MB,
// but every change that all screens show wakes the idle ones at once, each
// to allocate its buffer again, and in the load test (200 sessions, idle
// 3 s with screenIdle 2 s, then all typing) the p99 went from 6 ms to
// 135-196 ms. OFFDUTY_LOAD_SCREEN_IDLE sets it in the load test.
var screenIdle time.Duration

// cellPool holds the cell buffers of idle screens.
var cellPool sync.Pool

type screen struct {
	mu      sync.Mutex
	w       io.Writer
	buf     bytes.Buffer // the terminal renderer's output, for w
	scr     *uv.TerminalRenderer
	cells   uv.ScreenBuffer
	lines   []string // the text of each line drawn in cells; nil: draw them all
	env     []string
	profile colorprofile.Profile

	view, last    tea.View
	area          uv.Rectangle // the last frame's
	drawn         bool         // last holds the view on the terminal
	width, height int
	syncd         bool   // the terminal takes synchronized output (mode 2026)
	pendingErase  bool   // a resize asks for the whole screen again
	queries       string // sent before the first frame
	closing       bool   // close is under way
	closed        bool
	sized         bool        // the program's first size message has come
	late          *time.Timer // draws the first view if it has not

	fail func(any)     // told of a panic while drawing (the session is ended)
	kick chan struct{} // a view is waiting
	done chan struct{} // closed by close
	idle chan struct{} // closed when the drawing goroutine has ended
	at   time.Time     // the last frame's
}

func newScreen(w io.Writer, env []string, width, height int, profile colorprofile.Profile) *screen {
	s := &screen{w: w, env: env, width: width, height: height, profile: profile,
		kick: make(chan struct{}, 1), done: make(chan struct{}), idle: make(chan struct{})}
	s.cells = uv.ScreenBuffer{Method: ansi.WcWidth}
	scr := uv.NewTerminalRenderer(&s.buf, env)
	scr.SetColorProfile(profile)
	scr.SetRelativeCursor(true) // inline until the first view asks for the alternate screen
	scr.SetFullscreen(false)
	scr.SetTabStops(-1)
	scr.SetBackspace(false)
	scr.SetMapNewline(true) // as Bubble Tea does for an SSH session (no TTY of its own)
	// Bubble Tea's renderer looks for scrolled lines by hashing every line
	// of every frame; lines drawn only when they change would give it stale
	// hashes. A scrolled list is drawn again line by line instead.
	scr.SetScrollOptim(false)
	s.scr = scr
	s.resizeLocked(width, height)
	if shouldQuerySynchronizedOutput(uv.Environ(env)) {
		// as Bubble Tea asks: synchronized output (2026) and grapheme widths (2027)
		s.queries = ansi.RequestModeSynchronizedOutput + ansi.RequestModeUnicodeCore
	}
	go s.loop()
	return s
}

// shouldQuerySynchronizedOutput is Bubble Tea's test of whether to ask the
// terminal about modes 2026 and 2027.
func shouldQuerySynchronizedOutput(environ uv.Environ) bool {
	termType := environ.Getenv("TERM")
	termProg, okTermProg := environ.LookupEnv("TERM_PROGRAM")
	_, okSSHTTY := environ.LookupEnv("SSH_TTY")
	_, okWTSession := environ.LookupEnv("WT_SESSION")
	return (!okTermProg && !okSSHTTY) ||
		okWTSession ||
		(okTermProg && !strings.Contains(termProg, "Apple") && !okSSHTTY) ||
		strings.Contains(termType, "ghostty") ||
		strings.Contains(termType, "wezterm") ||
		strings.Contains(termType, "alacritty") ||
		strings.Contains(termType, "kitty") ||
		strings.Contains(termType, "rio")
}

// render takes the console's latest view; the screen's goroutine draws it.
// Views before the program's first size message are laid out for no size
// yet (Bubble Tea's renderer, a tick later, never showed them either): the
// first is drawn only if that message is late.
func (s *screen) render(v tea.View) {
	s.mu.Lock()
	s.view = v
	sized := s.sized
	if !sized && s.late == nil {
		s.late = time.AfterFunc(screenSizeWait, s.poke)
	}
	s.mu.Unlock()
	if sized {
		s.poke()
	}
}

// screenSizeWait is how long a first view waits for the size message.
const screenSizeWait = 100 * time.Millisecond

func (s *screen) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *screen) loop() {
	defer close(s.idle)
	defer func() {
		if r := recover(); r != nil { // a bug in drawing ends this session, not the server
			s.mu.Lock()
			s.closed = true
			fail := s.fail
			s.mu.Unlock()
			if fail != nil {
				fail(r)
			}
		}
	}()
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	defer idle.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-idle.C:
			s.release()
			continue
		case <-s.kick:
		}
		if wait := screenMinFrame - time.Since(s.at); wait > 0 {
			select {
			case <-s.done:
				return
			case <-time.After(wait):
			}
		}
		s.at = time.Now()
		s.flush(false)
		if screenIdle > 0 {
			idle.Reset(screenIdle)
		}
	}
}

// release gives the cell buffer back to the pool while the session is idle.
func (s *screen) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.cells.RenderBuffer; b != nil {
		b.Touched = nil
		cellPool.Put(b)
		s.cells.RenderBuffer, s.lines = nil, nil
	}
}

// acquire gives the screen a cell buffer of the frame's size, from the
// pool if it has one; every line is drawn again.
func (s *screen) acquire(area uv.Rectangle) {
	b, _ := cellPool.Get().(*uv.RenderBuffer)
	if b == nil {
		b = uv.NewRenderBuffer(area.Dx(), area.Dy())
	} else if b.Bounds() != area {
		b.Resize(area.Dx(), area.Dy())
	}
	s.cells.RenderBuffer, s.lines = b, nil
}

// resize follows the program's size messages; the first one, at start,
// gives the size the screen was made with.
func (s *screen) resize(w, h int) {
	s.mu.Lock()
	first := !s.sized
	s.sized = true
	if !first || w != s.width || h != s.height {
		s.resizeLocked(w, h)
	}
	s.mu.Unlock()
}

func (s *screen) resizeLocked(w, h int) {
	s.scr.Erase()
	s.width, s.height = w, h
	s.scr.Resize(w, h)
	s.pendingErase = true
}

func (s *screen) setColorProfile(p colorprofile.Profile) {
	s.mu.Lock()
	s.profile = p
	s.scr.SetColorProfile(p)
	s.mu.Unlock()
}

// modeReport is the terminal's answer to the queries.
func (s *screen) modeReport(m tea.ModeReportMsg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Mode {
	case ansi.ModeSynchronizedOutput:
		if m.Value == ansi.ModeReset {
			s.syncd = true
		}
	case ansi.ModeUnicodeCore:
		if m.Value == ansi.ModeReset || m.Value == ansi.ModeSet || m.Value == ansi.ModePermanentlySet {
			_, _ = s.scr.WriteString(ansi.SetModeUnicodeCore)
			s.cells.Method = ansi.GraphemeWidth
			s.lines = nil // measured again
		}
	}
}

// flush draws the latest view if it differs from the one on the terminal.
// The bytes are written after the lock is let go: a client slow to take
// them holds up its own screen, not its console's event loop.
func (s *screen) flush(closing bool) {
	if out := s.frame(closing); len(out) > 0 {
		_, _ = s.w.Write(out)
	}
}

// frame draws the latest view in the cells and says what to send.
func (s *screen) frame(closing bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	view := s.view
	area := uv.Rect(0, 0, s.width, s.height)
	if len(view.Content) == 0 {
		area.Max.Y = 0
	}
	if !view.AltScreen {
		if h := strings.Count(view.Content, "\n") + 1; h != area.Dy() {
			area.Max.Y = h
		}
	}
	if !closing && !s.pendingErase && s.drawn && viewEquals(&s.last, &view) && area == s.area {
		return nil
	}
	s.pendingErase = false
	if s.cells.RenderBuffer == nil {
		s.acquire(area)
	}
	if area != s.area {
		s.scr.Erase()
		s.area = area
	}
	if area != s.cells.Bounds() {
		s.cells.Touched = nil
		s.cells.Resize(area.Dx(), area.Dy())
		s.lines = nil
	}
	s.draw(view.Content, view.AltScreen)
	if h := area.Dy(); h > s.height {
		s.cells.Lines = s.cells.Lines[h-s.height:]
		s.lines = nil
	}

	var last *tea.View
	if s.drawn {
		last = &s.last
	}
	altChange := (last == nil && view.AltScreen) || (last != nil && last.AltScreen != view.AltScreen)
	if altChange {
		if view.AltScreen {
			s.scr.SaveCursor()
			s.scr.SetFullscreen(true)
			s.scr.SetRelativeCursor(false)
			s.scr.Erase()
		} else {
			s.scr.Erase()
			s.scr.SetRelativeCursor(true)
			s.scr.SetFullscreen(false)
			s.scr.RestoreCursor()
		}
	}
	if last == nil || view.DisableBracketedPasteMode != last.DisableBracketedPasteMode {
		if !view.DisableBracketedPasteMode {
			_, _ = s.scr.WriteString(ansi.SetModeBracketedPaste)
		} else if last != nil {
			_, _ = s.scr.WriteString(ansi.ResetModeBracketedPaste)
		}
	}
	if last == nil || last.ReportFocus != view.ReportFocus {
		if view.ReportFocus {
			_, _ = s.scr.WriteString(ansi.SetModeFocusEvent)
		} else if last != nil {
			_, _ = s.scr.WriteString(ansi.ResetModeFocusEvent)
		}
	}
	if last == nil || view.MouseMode != last.MouseMode {
		switch view.MouseMode {
		case tea.MouseModeNone:
			if last != nil && last.MouseMode != tea.MouseModeNone {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr)
			}
		case tea.MouseModeCellMotion:
			if last != nil && last.MouseMode == tea.MouseModeAllMotion {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseAnyEvent)
			}
			_, _ = s.scr.WriteString(ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr)
		case tea.MouseModeAllMotion:
			if last != nil && last.MouseMode == tea.MouseModeCellMotion {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent)
			}
			_, _ = s.scr.WriteString(ansi.SetModeMouseAnyEvent + ansi.SetModeMouseExtSgr)
		}
	}
	if last == nil || view.WindowTitle != last.WindowTitle {
		if last != nil || view.WindowTitle != "" {
			_, _ = s.scr.WriteString(ansi.SetWindowTitle(view.WindowTitle))
		}
	}
	if last == nil || view.KeyboardEnhancements != last.KeyboardEnhancements || view.AltScreen != last.AltScreen {
		_, _ = s.scr.WriteString(ansi.SetModifyOtherKeys2)
		flags := keyboardFlags(view.KeyboardEnhancements)
		if last == nil || view.AltScreen != last.AltScreen {
			_, _ = s.scr.WriteString(ansi.PushKittyKeyboard(flags))
		} else {
			_, _ = s.scr.WriteString(ansi.KittyKeyboard(flags, 1))
		}
		if !closing {
			_, _ = s.scr.WriteString(ansi.RequestKittyKeyboard)
		}
	}
	var cc, lcc, lfg, lbg color.Color
	if view.Cursor != nil {
		cc = view.Cursor.Color
	}
	if last != nil {
		if last.Cursor != nil {
			lcc = last.Cursor.Color
		}
		lfg, lbg = last.ForegroundColor, last.BackgroundColor
	}
	for _, c := range []struct {
		now, was color.Color
		reset    string
		set      func(string) string
	}{
		{cc, lcc, ansi.ResetCursorColor, ansi.SetCursorColor},
		{view.ForegroundColor, lfg, ansi.ResetForegroundColor, ansi.SetForegroundColor},
		{view.BackgroundColor, lbg, ansi.ResetBackgroundColor, ansi.SetBackgroundColor},
	} {
		if c.now != c.was {
			if c.now == nil {
				_, _ = s.scr.WriteString(c.reset)
			} else if col, ok := colorful.MakeColor(c.now); ok {
				_, _ = s.scr.WriteString(c.set(col.Hex()))
			}
		}
	}
	var curStyle, lastStyle int
	if view.Cursor != nil {
		curStyle = cursorStyle(view.Cursor.Shape, view.Cursor.Blink)
	}
	if last != nil && last.Cursor != nil {
		lastStyle = cursorStyle(last.Cursor.Shape, last.Cursor.Blink)
	}
	if curStyle != lastStyle {
		_, _ = s.scr.WriteString(ansi.SetCursorStyle(curStyle))
	}

	s.scr.Render(s.cells.RenderBuffer)
	if cur := view.Cursor; cur != nil {
		s.scr.MoveTo(cur.X, cur.Y)
	} else if !view.AltScreen {
		if x, y := s.scr.Position(); x >= s.width-1 {
			s.scr.MoveTo(0, y)
		}
	}
	_ = s.scr.Flush()

	hasUpdates := s.buf.Len() > 0
	didShow := last != nil && last.Cursor != nil
	show := view.Cursor != nil
	visChange := last == nil || didShow != show || altChange
	var out bytes.Buffer
	out.WriteString(s.queries)
	s.queries = ""
	if altChange {
		if last != nil { // keyboard enhancements are per screen
			out.WriteString(ansi.ResetModifyOtherKeys)
			out.WriteString(ansi.PopKittyKeyboard(1))
		} else {
			out.WriteString(ansi.ResetModifyOtherKeys)
		}
		if view.AltScreen {
			out.WriteString(ansi.SetModeAltScreenSaveCursor)
		} else {
			out.WriteString(ansi.ResetModeAltScreenSaveCursor)
		}
	}
	if s.syncd {
		if hasUpdates {
			out.WriteString(ansi.SetModeSynchronizedOutput)
		}
		if visChange && !show {
			out.WriteString(ansi.ResetModeTextCursorEnable)
		}
	} else if (visChange && !show) || (hasUpdates && show && didShow) {
		out.WriteString(ansi.ResetModeTextCursorEnable)
	}
	out.Write(s.buf.Bytes())
	if s.syncd {
		if visChange && show {
			out.WriteString(ansi.SetModeTextCursorEnable)
		}
		if hasUpdates {
			out.WriteString(ansi.ResetModeSynchronizedOutput)
		}
	} else if (visChange && show) || (hasUpdates && show && didShow) {
		out.WriteString(ansi.SetModeTextCursorEnable)
	}
	s.buf.Reset()
	s.last, s.drawn = view, true
	return out.Bytes()
}

// draw puts the content's lines into the cell buffer: only the lines whose
// text changed, when every line starts in the default style (each line's
// last SGR sequence resets it, or it has none) and holds no sequence that
// outlives a line (a hyperlink, a string sequence); else every line, as
// Bubble Tea does.
func (s *screen) draw(content string, alt bool) {
	w, h := s.cells.Width(), s.cells.Height()
	if !alt || !linesIndependent(content) {
		s.cells.Clear()
		uv.NewStyledString(content).Draw(s.cells, s.cells.Bounds())
		s.lines = nil
		return
	}
	lines := strings.Split(content, "\n")
	fresh := len(s.lines) != h
	if fresh {
		s.cells.Clear()
	}
	for y := range h {
		var l string
		if y < len(lines) {
			l = lines[y]
		}
		if !fresh && s.lines[y] == l {
			continue
		}
		if l == "" {
			s.cells.ClearArea(uv.Rect(0, y, w, 1))
			continue
		}
		uv.NewStyledString(l).Draw(s.cells, uv.Rect(0, y, w, 1))
	}
	if fresh {
		s.lines = make([]string, h)
	}
	for y := range h {
		if y < len(lines) {
			s.lines[y] = lines[y]
		} else {
			s.lines[y] = ""
		}
	}
}

// linesIndependent reports whether each line of content draws the same
// alone as after the lines above it: no line leaves a style, a hyperlink
// or a string sequence open for the next, and none has a carriage return
// or a C1 control. One pass over the bytes.
func linesIndependent(content string) bool {
	open := false // the line's last SGR sequence leaves a style set
	start := true // nothing printed on the line yet
	for i := 0; i < len(content); i++ {
		c := content[i]
		if start && c >= 0xc0 {
			// a zero-width mark first on a line joins the line above's last cell
			r, _ := utf8.DecodeRuneInString(content[i:])
			if ansi.StringWidth(string(r)) == 0 {
				return false
			}
		}
		if c != 0x1b && c != '\n' {
			start = false
		}
		switch c {
		case '\n':
			if open {
				return false
			}
			start = true
		case '\r':
			return false
		case 0xc2: // U+0080-U+009F are C1 controls: CSI, OSC, DCS, ...
			if i+1 < len(content) && content[i+1] >= 0x80 && content[i+1] <= 0x9f {
				return false
			}
		case 0x1b:
			if i+1 >= len(content) || content[i+1] != '[' {
				return false // OSC (hyperlinks), DCS, APC, ... or a lone ESC
			}
			// a CSI: parameters and intermediates, then its final byte
			j := i + 2
			for j < len(content) && content[j] >= 0x20 && content[j] <= 0x3f {
				j++
			}
			if j >= len(content) || content[j] < 0x40 || content[j] > 0x7e {
				return false
			}
			if content[j] == 'm' {
				p := content[i+2 : j]
				open = p != "" && p != "0"
			}
			i = j
		}
	}
	return !open
}

// close draws the last view and puts the terminal back as Bubble Tea's
// renderer does when a program ends: main screen, cursor, modes.
func (s *screen) close() {
	s.mu.Lock()
	if s.closed || s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	if s.late != nil {
		s.late.Stop()
	}
	s.mu.Unlock()
	close(s.done)
	<-s.idle
	s.flush(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if !s.drawn {
		return
	}
	lv := s.last
	s.buf.WriteString(ansi.ResetModifyOtherKeys)
	s.buf.WriteString(ansi.PopKittyKeyboard(1))
	h := s.area.Dy()
	if s.cells.RenderBuffer != nil {
		h = s.cells.Height()
	}
	s.scr.MoveTo(0, h-1)
	_ = s.scr.Flush()
	if lv.AltScreen {
		s.scr.Erase()
		s.scr.SetRelativeCursor(true)
		s.scr.SetFullscreen(false)
		s.buf.WriteString(ansi.ResetModeAltScreenSaveCursor)
		s.scr.RestoreCursor()
	} else {
		_, _ = s.scr.WriteString(ansi.EraseScreenBelow)
	}
	if lv.Cursor == nil {
		_, _ = s.scr.WriteString(ansi.SetModeTextCursorEnable)
	}
	if !lv.DisableBracketedPasteMode {
		_, _ = s.scr.WriteString(ansi.ResetModeBracketedPaste)
	}
	if lv.ReportFocus {
		_, _ = s.scr.WriteString(ansi.ResetModeFocusEvent)
	}
	if lv.MouseMode != tea.MouseModeNone {
		_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr)
	}
	if lv.WindowTitle != "" {
		_, _ = s.scr.WriteString(ansi.SetWindowTitle(""))
	}
	if lc := lv.Cursor; lc != nil {
		if st := cursorStyle(lc.Shape, lc.Blink); st != 0 && st != 1 {
			_, _ = s.scr.WriteString(ansi.SetCursorStyle(0))
		}
		if lc.Color != nil {
			_, _ = s.scr.WriteString(ansi.ResetCursorColor)
		}
	}
	if lv.BackgroundColor != nil {
		_, _ = s.scr.WriteString(ansi.ResetBackgroundColor)
	}
	if lv.ForegroundColor != nil {
		_, _ = s.scr.WriteString(ansi.ResetForegroundColor)
	}
	if s.cells.Method == ansi.GraphemeWidth {
		_, _ = s.scr.WriteString(ansi.ResetModeUnicodeCore)
	}
	_ = s.scr.Flush()
	if s.buf.Len() > 0 {
		_, _ = s.w.Write(s.buf.Bytes())
		s.buf.Reset()
	}
}

// closeQuiet ends a screen that never drew (its session ended first).
func (s *screen) closeQuiet() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.done)
	<-s.idle
}

// viewEquals is Bubble Tea's comparison of two views, for what the
// console sets (it sets no progress bar or program status).
func viewEquals(a, b *tea.View) bool {
	if a.Content != b.Content || a.AltScreen != b.AltScreen || a.DisableBracketedPasteMode != b.DisableBracketedPasteMode ||
		a.ReportFocus != b.ReportFocus || a.MouseMode != b.MouseMode || a.WindowTitle != b.WindowTitle ||
		a.ForegroundColor != b.ForegroundColor || a.BackgroundColor != b.BackgroundColor ||
		a.KeyboardEnhancements != b.KeyboardEnhancements {
		return false
	}
	if (a.Cursor == nil) != (b.Cursor == nil) {
		return false
	}
	if a.Cursor != nil && (a.Cursor.X != b.Cursor.X || a.Cursor.Y != b.Cursor.Y || a.Cursor.Shape != b.Cursor.Shape ||
		a.Cursor.Blink != b.Cursor.Blink || a.Cursor.Color != b.Cursor.Color) {
		return false
	}
	return true
}

func keyboardFlags(ke tea.KeyboardEnhancements) int {
	flags := 1 // basic disambiguation, always
	if ke.ReportEventTypes {
		flags |= ansi.KittyReportEventTypes
	}
	if ke.ReportAlternateKeys {
		flags |= ansi.KittyReportAlternateKeys
	}
	if ke.ReportAllKeysAsEscapeCodes {
		flags |= ansi.KittyReportAllKeysAsEscapeCodes
	}
	if ke.ReportAssociatedText {
		flags |= ansi.KittyReportAssociatedKeys
	}
	return flags
}

func cursorStyle(shape tea.CursorShape, blink bool) int {
	st := int(shape)*2 + 1
	if !blink {
		st++
	}
	return st
}

// screenModel is the console as its program sees it: every view goes to
// the session's screen.
type screenModel struct {
	m tea.Model
	s *screen
}

func (sm screenModel) Init() tea.Cmd { return sm.m.Init() }

func (sm screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		sm.s.resize(msg.Width, msg.Height)
	case tea.ColorProfileMsg:
		sm.s.setColorProfile(msg.Profile)
	case tea.ModeReportMsg:
		sm.s.modeReport(msg)
	}
	var cmd tea.Cmd
	sm.m, cmd = sm.m.Update(msg)
	return sm, cmd
}

func (sm screenModel) View() tea.View {
	v := sm.m.View()
	sm.s.render(v)
	return v
}
