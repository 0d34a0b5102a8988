package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

const testPublic = "office.example.com:2222"

// newRemoteApp is the console as the SSH server builds it for a user of
// the database: Remote, the public address, the user's role and account.
// It runs in an empty working folder, so a file written anywhere relative
// would show.
func newRemoteApp(t *testing.T, w, h int, name, role, account string) (*App, *fileWatch) {
	t.Helper()
	base := newTestApp(t, w, h)
	var customerID int64
	if account != "" {
		custs, err := base.c.Store.Customers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range custs {
			if c.Name == account {
				customerID = c.ID
			}
		}
	}
	if _, err := base.c.Store.CreateUser(context.Background(), "", name, role, customerID, nil); err != nil {
		t.Fatal(err)
	}
	fw := watchFiles(t, base.c.Store)
	a := New(Options{Store: base.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: store.SSHActor(name),
		Role: role, CustomerID: customerID, Remote: true, PublicAddress: testPublic})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drain(a, a.loadAll)
	for _, c := range a.tabLoads() {
		drain(a, c)
	}
	return a, fw
}

// fileWatch notes the files of the working folder and of the database's
// folder (media included) to tell later that none appeared or changed.
type fileWatch struct {
	t    *testing.T
	dirs []string
	seen map[string]string
}

func watchFiles(t *testing.T, st *store.Store) *fileWatch {
	t.Helper()
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	fw := &fileWatch{t: t, dirs: []string{wd, filepath.Dir(st.Path()), st.MediaDir()}}
	fw.seen = fw.list()
	return fw
}

func (fw *fileWatch) list() map[string]string {
	out := map[string]string{}
	for _, d := range fw.dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || strings.HasSuffix(p, "-wal") || strings.HasSuffix(p, "-shm") || strings.HasSuffix(p, ".db") {
				return nil // the database itself changes as it likes
			}
			info, _ := e.Info()
			out[p] = fmt.Sprint(info.Size(), info.ModTime())
			return nil
		})
	}
	return out
}

// same fails if a file appeared or changed since the watch began.
func (fw *fileWatch) same() {
	fw.t.Helper()
	now := fw.list()
	for p, v := range now {
		if was, ok := fw.seen[p]; !ok || was != v {
			fw.t.Errorf("a file appeared or changed: %s", p)
		}
	}
	if entries, err := os.ReadDir(fw.dirs[0]); err != nil || len(entries) != 0 {
		fw.t.Errorf("the working folder holds %v (%v), want nothing", entries, err)
	}
}

// oneLine fails unless the screen shows cmd whole on a line of its own
// (spaces around it at most), with no ellipsis.
func oneLine(t *testing.T, s, cmd string) {
	t.Helper()
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == cmd {
			return
		}
	}
	t.Fatalf("the screen lacks the line %q:\n%s", cmd, s)
}

// fitsBut is assertFits allowing lines that hold only one of long (a
// command wider than the window runs past its edge, whole).
func fitsBut(t *testing.T, s string, w, h int, long ...string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, s)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w && !slices.Contains(long, strings.TrimSpace(l)) {
			t.Fatalf("line %d is %d wide (> %d): %q", i, got, w, l)
		}
	}
}

func TestSSHPrefix(t *testing.T) {
	for addr, want := range map[string]string{
		"office.example.com:2222": "ssh -p 2222 office.example.com",
		"office.example.com:22":   "ssh office.example.com",
		"office.example.com":      "ssh office.example.com",
		"127.0.0.1:2222":          "ssh -p 2222 127.0.0.1",
		"[::1]:2222":              "ssh -p 2222 ::1",
		":2222":                   "ssh -p 2222 localhost",
		"0.0.0.0:2222":            "ssh -p 2222 localhost",
		"":                        "ssh localhost",
	} {
		if got := sshPrefix(addr); got != want {
			t.Errorf("sshPrefix(%q) = %q, want %q", addr, got, want)
		}
	}
	for in, want := range map[string]string{"2026-000017": "2026-000017", "#12": "'#12'", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// A draft is "#ID" on the command line, quoted for the shell.
func TestRemoteDraftInvoiceHint(t *testing.T) {
	c := &Common{PublicAddress: testPublic}
	h := invoiceHint(c, store.Invoice{ID: 12, State: store.InvoiceDraft})
	want := []string{
		"ssh -p 2222 office.example.com invoice export '#12' --format pdf > invoice-draft-12.pdf",
		"ssh -p 2222 office.example.com invoice export '#12' --format csv > invoice-draft-12.csv",
	}
	for i, w := range want {
		if h.cmds[i].line != w {
			t.Errorf("command %d = %q, want %q", i, h.cmds[i].line, w)
		}
	}
}

func TestRemoteInvoiceExportShowsCommand(t *testing.T) {
	a, fw := newRemoteApp(t, 80, 24, "sam", store.RoleSupervisor, "")
	a.tab = tabInvoices
	inv := a.inv.selected()
	if inv == nil || inv.Number == "" {
		t.Fatalf("no issued invoice selected: %+v", inv)
	}
	pdf := "ssh -p 2222 office.example.com invoice export " + inv.Number + " --format pdf > " + inv.Number + ".pdf"
	csv := "ssh -p 2222 office.example.com invoice export " + inv.Number + " --format csv > " + inv.Number + ".csv"
	drain(a, press(a, "x"))
	if a.inv.prompt != nil || a.hint == nil {
		t.Fatalf("x over SSH: prompt %v, hint %v", a.inv.prompt != nil, a.hint != nil)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 20}, {200, 50}, {80, 24}} { // and back: resizes keep it whole
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := screen(a)
		fitsBut(t, s, size[0], size[1], pdf, csv)
		oneLine(t, s, pdf)
		oneLine(t, s, csv)
		if strings.Contains(s, "Export to") || strings.Contains(s, a.c.DBPath) {
			t.Fatalf("%dx%d: a path prompt or the database path on a remote screen:\n%s", size[0], size[1], s)
		}
		if wide := len(pdf) > size[0]; wide != strings.Contains(s, "narrower than the command") {
			t.Errorf("%dx%d: the too-narrow note is shown %v, want %v", size[0], size[1], !wide, wide)
		}
	}
	// the help line and ? keep working; the commands stay on screen
	if s := screen(a); !strings.Contains(s, "c copy command") || !strings.Contains(s, "esc/enter close") {
		t.Fatalf("help line while the box is open:\n%s", s)
	}
	press(a, "?")
	s := screen(a)
	oneLine(t, s, pdf)
	if !a.full || !strings.Contains(s, "ctrl+c") {
		t.Fatalf("? did not open the full help:\n%s", s)
	}
	press(a, "?")
	// c sends the chosen command to the user's clipboard (OSC 52); ↓ chooses the CSV one
	if msg := press(a, "c")(); fmt.Sprint(msg) != pdf {
		t.Errorf("c copied %q, want %q", fmt.Sprint(msg), pdf)
	}
	press(a, "j")
	if msg := press(a, "c")(); fmt.Sprint(msg) != csv {
		t.Errorf("c after ↓ copied %q, want %q", fmt.Sprint(msg), csv)
	}
	// letters do nothing else while it is open; enter closes it
	press(a, "g", "i", "n")
	if a.inv.prompt != nil || a.form != nil || a.inv.preview != nil {
		t.Fatal("a key behind the box acted")
	}
	press(a, "enter")
	if a.hint != nil || strings.Contains(screen(a), pdf) {
		t.Fatal("enter did not close the box")
	}
	// from the printed view too; esc closes it
	drain(a, press(a, "enter"))
	drain(a, press(a, "x"))
	oneLine(t, screen(a), pdf)
	press(a, "esc")
	if a.hint != nil || a.inv.open == nil {
		t.Fatalf("esc: hint %v, invoice view %v", a.hint != nil, a.inv.open != nil)
	}
	fw.same()
}

func TestRemotePayrollExportShowsCommand(t *testing.T) {
	a, fw := newRemoteApp(t, 80, 24, "sam", store.RoleSupervisor, "")
	a.tab = tabPayroll
	drain(a, press(a, "[")) // the last complete period
	p := a.pay.p
	if p == nil {
		t.Fatal("no pay period")
	}
	day := p.Start.Format("2006-01-02")
	want := "ssh -p 2222 office.example.com payroll export --period " + day + " > payroll-" + day + ".csv"
	drain(a, press(a, "x"))
	if a.pay.prompt != nil || a.hint == nil {
		t.Fatal("x over SSH did not show the command")
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := screen(a)
		fitsBut(t, s, size[0], size[1], want)
		oneLine(t, s, want)
		if !strings.Contains(s, "L locks the period") {
			t.Fatalf("the lock key is not mentioned:\n%s", s)
		}
	}
	press(a, "esc")
	// locking stays its own key
	press(a, "L")
	if a.pay.confirm == nil {
		t.Fatal("L no longer asks to lock the period")
	}
	press(a, "n")
	fw.same()
}

// openJob opens the Job screen of a job of today's board.
func openJob(t *testing.T, a *App) int64 {
	t.Helper()
	drain(a, a.today.load())
	if len(a.today.jobs) == 0 {
		t.Fatal("no job today")
	}
	id := a.today.jobs[0].ID
	drain(a, func() tea.Msg { return openJobMsg{id: id} })
	if a.job == nil || a.job.job == nil {
		t.Fatalf("job #%d did not open: %s", id, a.msg)
	}
	return id
}

func TestRemoteAttachShowsCommand(t *testing.T) {
	a, fw := newRemoteApp(t, 80, 24, "dana", store.RoleDispatcher, "")
	id := openJob(t, a)
	want := fmt.Sprintf("ssh -p 2222 office.example.com job attach %d --name photo.jpg < photo.jpg", id)
	drain(a, press(a, "m"))
	if a.job.prompt != nil || a.hint == nil {
		t.Fatal("m over SSH did not show the command")
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {70, 20}} {
		a.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := screen(a)
		fitsBut(t, s, size[0], size[1], want)
		oneLine(t, s, want)
		if strings.Contains(s, "Attach file") || !strings.Contains(s, "travels over the SSH connection") {
			t.Fatalf("%dx%d:\n%s", size[0], size[1], s)
		}
	}
	press(a, "enter")
	if a.hint != nil || a.job == nil {
		t.Fatal("enter did not close the box back to the Job screen")
	}
	x, err := a.c.Store.Extras(context.Background(), "", id)
	if err != nil || len(x.Media) != 0 {
		t.Fatalf("media after m: %v %v", x.Media, err)
	}
	fw.same()
}

// A customer exports their own invoices the same way; the Job screen's m
// is not theirs, and Payroll is not among their tabs.
func TestRemoteCustomer(t *testing.T) {
	a, fw := newRemoteApp(t, 80, 24, "cora", store.RoleCustomer, "Maverik Center")
	if slices.Contains(a.tabs, tabPayroll) {
		t.Fatal("a customer has the Payroll tab")
	}
	a.tab = tabInvoices
	inv := a.inv.selected()
	if inv == nil {
		t.Skip("Maverik Center has no invoice in the demo")
	}
	drain(a, press(a, "x"))
	oneLine(t, screen(a), "ssh -p 2222 office.example.com invoice export "+inv.Number+" --format pdf > "+inv.Number+".pdf")
	press(a, "esc")
	a.tab = tabRequests
	if len(a.req.jobs) == 0 {
		t.Fatal("the customer sees no jobs")
	}
	id := a.req.jobs[0].ID
	drain(a, func() tea.Msg { return openJobMsg{id: id} })
	if a.job == nil {
		t.Fatal("the customer's own job did not open")
	}
	drain(a, press(a, "m"))
	if a.hint != nil || a.job.prompt != nil {
		t.Fatal("m did something for a customer")
	}
	fw.same()
}

// The status line shows the user and the clock, and the server's address
// rather than its database file; locally the database stays.
func TestRemoteStatusLine(t *testing.T) {
	a, _ := newRemoteApp(t, 120, 30, "sam", store.RoleSupervisor, "")
	s := screen(a)
	if strings.Contains(s, a.c.DBPath) || strings.Contains(s, filepath.Base(a.c.DBPath)) {
		t.Fatalf("the database path on a remote screen:\n%s", s)
	}
	if !strings.Contains(s, "sam@ssh · "+testPublic+" · Thu 26 Nov 2026 09:00") {
		t.Fatalf("status line:\n%s", s)
	}
	local := New(Options{Store: a.c.Store, Now: func() time.Time { return testNow }, Loc: testLoc, Actor: "tester"})
	local.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	if s := screen(local); !strings.Contains(s, "tester · "+a.c.DBPath+" · Thu 26 Nov 2026") {
		t.Fatalf("local status line lost the database:\n%s", s)
	}
}

// Locally the keys keep their path prompts, and a file is attached from
// this machine's path.
func TestLocalKeysKeepPathPrompts(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.inv.load())
	a.tab = tabInvoices
	drain(a, press(a, "x"))
	if a.hint != nil || a.inv.prompt == nil || !strings.Contains(screen(a), "Export to") {
		t.Fatalf("x locally:\n%s", screen(a))
	}
	press(a, "esc")
	a.tab = tabPayroll
	drain(a, a.pay.load())
	drain(a, press(a, "x"))
	if a.hint != nil || a.pay.prompt == nil || !strings.Contains(screen(a), "Export to") {
		t.Fatalf("x on Payroll locally:\n%s", screen(a))
	}
	press(a, "esc")
	id := openJob(t, a)
	drain(a, press(a, "m"))
	if a.hint != nil || a.job.prompt == nil || !strings.Contains(screen(a), "Attach file") {
		t.Fatalf("m locally:\n%s", screen(a))
	}
	photo := filepath.Join(t.TempDir(), "gate.jpg")
	if err := os.WriteFile(photo, []byte("\xff\xd8\xff\xe0 not much of a photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	a.job.prompt.input.SetValue(photo)
	drain(a, press(a, "enter"))
	x, err := a.c.Store.Extras(context.Background(), "", id)
	if err != nil || len(x.Media) != 1 || x.Media[0].Name != "gate.jpg" {
		t.Fatalf("attached: %+v %v (%s)", x.Media, err, a.msg)
	}
	if s := screen(a); !strings.Contains(s, "File attached") {
		t.Fatalf("no confirmation:\n%s", s)
	}
}
