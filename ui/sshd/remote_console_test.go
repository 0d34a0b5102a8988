package sshd

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"offduty/store"
)

// files lists the files under dirs (the database's own aside), with sizes
// and times, to tell that none appeared or changed.
func files(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			if b := filepath.Base(p); strings.HasPrefix(b, "offduty.db") {
				return nil // the database changes as it likes
			}
			info, _ := e.Info()
			out[p] = fmt.Sprint(info.Size(), " ", info.ModTime())
			return nil
		})
	}
	return out
}

// showsAfterRedraw resizes the session, which redraws the whole screen,
// and waits for want in what was drawn since.
func showsAfterRedraw(t *testing.T, tm *term, cols int, want ...string) bool {
	t.Helper()
	tm.settle(150*time.Millisecond, 2*time.Second)
	from := tm.outLen()
	if err := tm.sess.WindowChange(termRows, cols); err != nil {
		t.Fatal(err)
	}
	return tm.waitForSince(from, 5*time.Second, want...)
}

// Over SSH, x on Invoices and Payroll and m on the Job screen show the
// command to run from the user's own machine, naming the server by its
// public address; no key opens, reads or writes a file of the server, and
// the server's database path is never shown.
func TestRemoteConsoleNeverOpensServerFiles(t *testing.T) {
	st := seededStore(t)
	ctx := context.Background()
	t.Chdir(t.TempDir()) // the server's working folder: nothing may land in it
	wd, _ := os.Getwd()
	ts := startServer(t, st, func(c *Config) { c.PublicAddress = "office.example.com:2222" })
	key := addUser(t, st, "sam", store.RoleSupervisor, 0)
	watched := []string{wd, filepath.Dir(st.Path()), st.MediaDir()}
	before := files(t, watched...)

	// what the screens will select: the first invoice, the current pay period
	invs, err := st.Invoices(ctx, "", store.InvoiceFilter{})
	if err != nil || len(invs) == 0 || invs[0].Number == "" {
		t.Fatalf("the demo's first invoice: %v %v", invs, err)
	}
	number := invs[0].Number
	n := testNow.In(denver)
	p, err := st.Payroll(ctx, "", time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	period := p.Start.Format("2006-01-02")
	pdf := "ssh -p 2222 office.example.com invoice export " + number + " --format pdf > " + number + ".pdf"
	csv := "ssh -p 2222 office.example.com invoice export " + number + " --format csv > " + number + ".csv"
	payroll := "ssh -p 2222 office.example.com payroll export --period " + period + " > payroll-" + period + ".csv"

	tm := connect(t, ts.addr, key)
	if !tm.waitFor(5*time.Second, "offduty", "Today", "sam@ssh") {
		t.Fatalf("the console was not drawn; screen:\n%s", tm.text())
	}
	if !tm.waitFor(2*time.Second, "office.example.com:2222") {
		t.Errorf("the status line does not name the server's public address")
	}
	tm.settle(200*time.Millisecond, 3*time.Second)

	// Invoices: f7 (Today, Requests, Calendar, Officers, Customers, Invoices)
	tm.send("\x1b[18~")
	if !tm.waitFor(5*time.Second, "Number", number) {
		t.Fatalf("the Invoices tab did not open; screen:\n%s", tm.text())
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("x")
	if !showsAfterRedraw(t, tm, 130, "Export "+number, pdf, csv) {
		t.Fatalf("x on Invoices did not show the commands %q and %q; screen:\n%s", pdf, csv, lastLines(tm.text(), 40))
	}
	tm.send(keyEsc)
	tm.settle(150*time.Millisecond, 2*time.Second) // an esc right before a key would read as alt+key

	// Payroll: x shows the command; c sends it to the user's clipboard (OSC 52)
	tm.send(keyTab)
	if !tm.waitFor(5*time.Second, "Pay period") {
		t.Fatalf("the Payroll tab did not open; screen:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("x")
	if !showsAfterRedraw(t, tm, 120, payroll) {
		t.Fatalf("x on Payroll did not show %q; screen:\n%s", payroll, lastLines(tm.text(), 40))
	}
	tm.send("c")
	osc := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(payroll))
	deadline := time.Now().Add(3 * time.Second)
	for {
		tm.mu.Lock()
		raw := tm.out.String()
		tm.mu.Unlock()
		if strings.Contains(raw, osc) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("c did not send the command to the clipboard (OSC 52)")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.send(keyEsc)
	tm.settle(150*time.Millisecond, 2*time.Second) // an esc right before a key would read as alt+key

	// the Job screen: f2 jumps to the first tab, Today, then enter opens the first job; m shows the attach command
	tm.send("\x1bOQ")
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send(keyEnter)
	if !tm.waitFor(5*time.Second, "Post orders") {
		t.Fatalf("the Job screen did not open; screen:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	tm.send("m")
	attach := regexp.MustCompile(`ssh -p 2222 office\.example\.com job attach (\d+) --name photo\.jpg < photo\.jpg`)
	if !showsAfterRedraw(t, tm, 130, "Attach a file to job #", "job attach") {
		t.Fatalf("m on the Job screen did not show the attach command; screen:\n%s", lastLines(tm.text(), 40))
	}
	tm.settle(150*time.Millisecond, 2*time.Second)
	m := attach.FindStringSubmatch(tm.text())
	if m == nil || !strings.Contains(tm.text(), "Attach a file to job #"+m[1]) {
		t.Fatalf("the attach command is not whole or names another job; screen:\n%s", lastLines(tm.text(), 40))
	}
	tm.send(keyEnter)
	tm.settle(150*time.Millisecond, 2*time.Second)

	// never a path prompt, never the server's database path
	all := tm.text()
	for _, bad := range []string{"Export to", "Attach file", st.Path(), filepath.Dir(st.Path())} {
		if strings.Contains(all, bad) {
			t.Errorf("the remote console showed %q", bad)
		}
	}
	tm.send("q")
	if _, ok := tm.wait(5 * time.Second); !ok {
		t.Fatal("the session did not end after q")
	}
	after := files(t, watched...)
	var changed []string
	for p, v := range after {
		if before[p] != v {
			changed = append(changed, p)
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("files appeared or changed on the server: %v", changed)
	}
	if entries, err := os.ReadDir(wd); err != nil || len(entries) != 0 {
		t.Errorf("the server's working folder holds %v (%v)", entries, err)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if x, err := st.Extras(ctx, "", id); err != nil || len(x.Media) != 0 {
		t.Errorf("job #%s has media after m: %v %v", m[1], x.Media, err)
	}
}
