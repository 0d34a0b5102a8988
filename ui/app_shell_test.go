package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"offduty/store"
)

// ctrlC presses ctrl+c as a terminal sends it.
func ctrlC(a *App) tea.Cmd {
	_, cmd := a.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	return cmd
}

// quits reports whether cmd ends the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		_, ok := msg.(tea.QuitMsg)
		return ok
	case <-time.After(300 * time.Millisecond):
		return false
	}
}

const discardRequest = "Discard the request being typed and quit? y/n"

// ctrl+c in a half-typed request asks first; n goes back to it, whole.
func TestCtrlCAsksOverTypedRequest(t *testing.T) {
	a := newTestApp(t, 80, 24)
	fillWestValley(t, a, "12/24", "6pm", "6", "5")
	if cmd := ctrlC(a); quits(cmd) {
		t.Fatal("ctrl+c quit over a typed request")
	}
	s := screen(a)
	if !strings.Contains(s, discardRequest) || !strings.Contains(s, "y discard and quit") {
		t.Fatalf("no question:\n%s", s)
	}
	assertFits(t, s, 80, 24)
	// other keys neither answer nor reach the form
	if cmd := press(a, "x"); quits(cmd) || a.quitAsk == "" || a.form.inputs[fOfficers].Value() != "5" {
		t.Fatalf("x answered the question or typed: ask %q, officers %q", a.quitAsk, a.form.inputs[fOfficers].Value())
	}
	if cmd := press(a, "n"); quits(cmd) {
		t.Fatal("n quit")
	}
	if a.form == nil || a.quitAsk != "" {
		t.Fatalf("n did not go back to the form: form %v, ask %q", a.form != nil, a.quitAsk)
	}
	if got := a.form.inputs[fCustomer].Value(); got != "Valley Fair Mall" {
		t.Fatalf("customer lost: %q", got)
	}
	if got := a.form.inputs[fDate].Value(); got != "12/24" {
		t.Fatalf("date lost: %q", got)
	}
	if s := screen(a); strings.Contains(s, discardRequest) || !strings.Contains(s, "Thu 24 Dec 2026") {
		t.Fatalf("after n:\n%s", s)
	}
	press(a, "backspace", "7") // typing goes on into the form
	if got := a.form.inputs[fOfficers].Value(); got != "7" {
		t.Fatalf("officers after typing on: %q", got)
	}
	// esc also keeps it; y quits; ctrl+c twice quits
	ctrlC(a)
	press(a, "esc")
	if a.form == nil || a.quitAsk != "" {
		t.Fatal("esc did not go back to the form")
	}
	ctrlC(a)
	if !quits(press(a, "y")) {
		t.Fatal("y did not quit")
	}
	ctrlC(a)
	if !quits(ctrlC(a)) {
		t.Fatal("a second ctrl+c did not quit")
	}
}

// With nothing typed, ctrl+c and q quit at once, as before; a form opened
// and left untouched holds nothing to lose.
func TestCtrlCQuitsWithoutTypedWork(t *testing.T) {
	a := newTestApp(t, 80, 24)
	if !quits(ctrlC(a)) {
		t.Fatal("ctrl+c did not quit")
	}
	if !quits(press(a, "q")) {
		t.Fatal("q did not quit")
	}
	press(a, "n")
	if a.form == nil {
		t.Fatal("n opened no form")
	}
	if !quits(ctrlC(a)) {
		t.Fatalf("ctrl+c over an empty form did not quit:\n%s", screen(a))
	}
	// typed then taken back: nothing to lose either
	press(a, "V", "backspace")
	if !quits(ctrlC(a)) {
		t.Fatalf("ctrl+c over a form typed back to empty did not quit:\n%s", screen(a))
	}
}

// A prompt (here a payroll export path) holds typed work too: its default
// is not work, what is typed over it is.
func TestCtrlCAsksOverTypedPrompt(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabPayroll
	a.pay.prompt = newPrompt("Export to", "payroll.csv", "a .csv file", nil, func(string) tea.Cmd { return nil })
	a.pay.prompt.focus()
	if !quits(ctrlC(a)) {
		t.Fatal("ctrl+c over an untouched prompt did not quit")
	}
	press(a, "backspace", "backspace", "backspace", "txt")
	if quits(ctrlC(a)) {
		t.Fatal("ctrl+c quit over a typed prompt")
	}
	if s := screen(a); !strings.Contains(s, "Discard what you typed (Export to) and quit? y/n") {
		t.Fatalf("no question:\n%s", s)
	}
	press(a, "n")
	if a.pay.prompt == nil || a.pay.prompt.input.Value() != "payroll.txt" {
		t.Fatalf("prompt lost: %+v", a.pay.prompt)
	}
}

// Without colour the active tab is still told apart: in brackets, in the
// text itself; with colour its style is really there (underlined, bold).
func TestNoColorActiveTab(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.Update(tea.ColorProfileMsg{Profile: colorprofile.ASCII}) // what NO_COLOR=1 gives
	bar := strings.Split(screen(a), "\n")[0]
	if !strings.Contains(bar, "[Today]") || strings.Count(bar, "[") != 1 {
		t.Fatalf("Today is not marked alone: %q", bar)
	}
	press(a, "tab")
	bar = strings.Split(screen(a), "\n")[0]
	if !strings.Contains(bar, "[Reqs]") || strings.Contains(bar, "[Today]") {
		t.Fatalf("Requests is not marked alone: %q", bar)
	}
	assertFits(t, screen(a), 80, 24)
	// plain text at 120 wide: the full names
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if bar = strings.Split(screen(a), "\n")[0]; !strings.Contains(bar, "[Requests]") {
		t.Fatalf("120 wide: %q", bar)
	}
	// in colour, no brackets, and the style survives (it was lost once)
	a.Update(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	if bar = strings.Split(screen(a), "\n")[0]; strings.Contains(bar, "[") {
		t.Fatalf("brackets in colour: %q", bar)
	}
	st := NewStyles(true)
	for name, p := range map[string]Paint{"active tab": st.ActiveTab, "cancelled": st.StatusStyle(store.StatusCancelled)} {
		if p.Render("x") == "x" {
			t.Errorf("%s: no style", name)
		}
	}
	if raw := strings.Split(a.render(), "\n")[0]; !strings.Contains(raw, st.ActiveTab.Render("Requests")) {
		t.Fatalf("the active tab is not styled: %q", raw)
	}
}

// Below the minimum the console says so, centred, and keeps what is typed;
// at 80x24 every tab is whole again.
func TestTooSmallWindow(t *testing.T) {
	a := newTestApp(t, 80, 24)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}
	a.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
	s := screen(a)
	assertFits(t, s, 40, 12)
	for _, want := range []string{"Window too small: 40x12", "offduty needs at least 60x16", "press q to quit"} {
		if !strings.Contains(s, want) {
			t.Fatalf("%q missing:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Today") || strings.Contains(s, "──") {
		t.Fatalf("a screen drawn behind the message:\n%s", s)
	}
	lines := strings.Split(s, "\n")
	if strings.TrimSpace(lines[0]) != "" || !strings.HasPrefix(lines[5], "  ") { // centred both ways
		t.Fatalf("not centred:\n%s", s)
	}
	if a.View().MouseMode != tea.MouseModeNone {
		t.Fatal("the mouse is taken in a window too small")
	}
	press(a, "tab", "j") // nothing on screen to act on
	if a.tab != tabToday {
		t.Fatalf("a key acted unseen: tab %d", a.tab)
	}
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, tab := range a.tabs {
		a.tab = tab
		s := screen(a)
		if strings.Contains(s, "too small") || !strings.Contains(s, "offduty") {
			t.Fatalf("tab %d at 80x24:\n%s", tab, s)
		}
		assertFits(t, s, 80, 24)
	}
	a.tab = tabToday
	if s := screen(a); !strings.Contains(s, "Time") || !strings.Contains(s, "q quit") {
		t.Fatalf("Today after growing back:\n%s", s)
	}
	// the minimum itself is not too small; one less is
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	if strings.Contains(screen(a), "too small") {
		t.Fatalf("%dx%d refused", minWidth, minHeight)
	}
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight - 1})
	if !strings.Contains(screen(a), "too small") {
		t.Fatalf("%dx%d accepted", minWidth, minHeight-1)
	}
	// typed work waits for the window, and quitting still asks
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	fillWestValley(t, a, "12/24", "6pm", "6", "5")
	a.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
	if s := screen(a); !strings.Contains(s, "What you typed is kept") {
		t.Fatalf("small with a typed request:\n%s", s)
	}
	press(a, "9") // not typed into a form nobody sees
	if quits(press(a, "q")) {
		t.Fatal("q quit over a typed request")
	}
	if s := screen(a); !strings.Contains(s, "Discard the request being typed") {
		t.Fatalf("no question in a small window:\n%s", s)
	}
	press(a, "n")
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if a.form == nil || a.form.inputs[fOfficers].Value() != "5" {
		t.Fatal("the request was not kept")
	}
	if s := screen(a); !strings.Contains(s, "Thu 24 Dec 2026") {
		t.Fatalf("form after growing back:\n%s", s)
	}
	// a tiny window still gets a frame of its size
	for _, size := range [][2]int{{12, 3}, {1, 1}} {
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		assertFits(t, screen(a), size[0], size[1])
	}
}

// The mouse: a click on a tab switches to it; the console takes the mouse
// except while a box of commands to copy is open.
func TestClickTabSwitches(t *testing.T) {
	a := newTestApp(t, 80, 24)
	if a.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse off")
	}
	bar := strings.Split(screen(a), "\n")[0]
	x := strings.Index(bar, " Cal ") + 2
	if x < 2 {
		t.Fatalf("no Cal tab: %q", bar)
	}
	a.Update(tea.MouseClickMsg{X: x, Y: 0, Button: tea.MouseLeft})
	if a.tab != tabCalendar {
		t.Fatalf("click on Cal: tab %d", a.tab)
	}
	a.Update(tea.MouseClickMsg{X: x, Y: 0, Button: tea.MouseRight})
	a.Update(tea.MouseClickMsg{X: 2, Y: 0, Button: tea.MouseLeft}) // the title
	if a.tab != tabCalendar {
		t.Fatalf("a right click or the title switched: tab %d", a.tab)
	}
	x = strings.Index(bar, " Inv ") + 3
	a.Update(tea.MouseClickMsg{X: x, Y: 0, Button: tea.MouseLeft})
	if a.tab != tabInvoices {
		t.Fatalf("click on Inv: tab %d", a.tab)
	}
	// over the request form a tab click changes nothing
	press(a, "n", "Valley")
	a.Update(tea.MouseClickMsg{X: strings.Index(bar, " Today ") + 2, Y: 0, Button: tea.MouseLeft})
	if a.form == nil || a.tab != tabInvoices {
		t.Fatal("a tab click left the request form")
	}
	press(a, "esc", "esc")
	a.hint = &remoteHint{title: "x", cmds: []hintCmd{{label: "a", line: "ssh x"}}}
	if a.View().MouseMode != tea.MouseModeNone {
		t.Fatal("mouse taken over a box of commands to copy")
	}
}

// The wheel moves the Requests list's selection three rows a notch; a
// click on a row selects it.
func TestWheelAndClickOnRequests(t *testing.T) {
	a := newTestApp(t, 80, 24)
	press(a, "tab")
	if a.tab != tabRequests || a.req.selected() == nil {
		t.Fatal("no Requests list")
	}
	before := a.req.cursor
	drain(a, func() tea.Msg { return tea.MouseWheelMsg{X: 10, Y: 8, Button: tea.MouseWheelDown} })
	if a.req.cursor != before+3 {
		t.Fatalf("wheel down: cursor %d, want %d", a.req.cursor, before+3)
	}
	a.Update(tea.MouseWheelMsg{X: 10, Y: 8, Button: tea.MouseWheelUp})
	if a.req.cursor != before {
		t.Fatalf("wheel up: cursor %d, want %d", a.req.cursor, before)
	}
	// a click on the row two below the selection selects that job
	want := a.req.jobs[a.req.view[a.req.cursor+2]]
	wantRow := want.Start.In(testLoc).Format("15:04") + "-" + want.End.In(testLoc).Format("15:04")
	lines := strings.Split(screen(a), "\n")
	y := -1
	for i, l := range lines {
		if strings.Contains(l, wantRow) && strings.Contains(l, want.Start.In(testLoc).Format("02 Jan")) && strings.Contains(l, want.CustomerName[:4]) {
			y = i
			break
		}
	}
	if y < 0 {
		t.Fatalf("job #%d not on screen:\n%s", want.ID, strings.Join(lines, "\n"))
	}
	drain(a, func() tea.Msg { return tea.MouseClickMsg{X: 30, Y: y, Button: tea.MouseLeft} })
	if got := a.req.selected(); got == nil || got.ID != want.ID {
		t.Fatalf("click on screen row %d selected %+v, want job #%d", y, got, want.ID)
	}
}

// A customer is offered n (issue 13: it requests work for its own
// account), and pressing it on either tab opens the request form fixed to
// its account; an officer's n says why not.
func TestCustomerNewAnswers(t *testing.T) {
	base := newTestApp(t, 80, 24)
	ctx := context.Background()
	custs, err := base.c.Store.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	me := custs[0]
	if _, err := base.c.Store.CreateUser(ctx, "", "cora", store.RoleCustomer, me.ID, nil); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: base.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor("cora"), Role: store.RoleCustomer, CustomerID: me.ID})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(a, a.loadAll)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}
	a.full = true
	if s := screen(a); !strings.Contains(s, "new request") {
		t.Fatalf("n not offered to a customer:\n%s", s)
	}
	a.full = false
	for _, tab := range a.tabs {
		a.tab = tab
		a.clearMsg()
		drain(a, press(a, "n"))
		if a.form == nil || !a.form.fixedCustomer || a.form.customerID != me.ID {
			t.Fatalf("tab %d: n did not open the customer's own request form: %+v\n%s", tab, a.form, screen(a))
		}
		drain(a, press(a, "esc")) // a list of its sites to pick from closes first
		if a.form != nil {
			drain(a, press(a, "esc"))
		}
		if a.form != nil {
			t.Fatalf("tab %d: esc on an untouched form did not close it", tab)
		}
	}
	// an officer is not offered it, and is told why
	offs, err := base.c.Store.Officers(ctx, 0)
	if err != nil || len(offs) == 0 {
		t.Fatal(err)
	}
	if _, err := base.c.Store.CreateUserWith(ctx, "", store.UserInput{Name: "olly", Role: store.RoleOfficer, OfficerID: offs[0].ID}); err != nil {
		t.Fatal(err)
	}
	o := New(Options{Store: base.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor("olly"), Role: store.RoleOfficer})
	o.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	o.full = true
	if s := screen(o); strings.Contains(s, "new request") {
		t.Fatalf("n offered to an officer:\n%s", s)
	}
	o.full = false
	drain(o, press(o, "n"))
	if o.form != nil || !strings.Contains(screen(o), "officers take open shifts on the Open shifts tab") {
		t.Fatalf("an officer's n:\n%s", screen(o))
	}
	// the supervisor is offered it
	press(base, "?")
	if s := screen(base); !strings.Contains(s, "new request") {
		t.Fatalf("n not offered to a supervisor:\n%s", s)
	}
}
