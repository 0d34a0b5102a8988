package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

// helpText is the help as drawn: the short line, then (with ?) the full help.
func helpText(a *App) (short, full string) {
	lines := strings.Split(screen(a), "\n")
	short = lines[len(lines)-1]
	press(a, "?")
	full = screen(a)
	press(a, "?")
	return short, full
}

// offered reports whether the full help (in columns: key, spaces, what)
// offers a key such as "a assign".
func offered(full, offer string) bool {
	k, what, _ := strings.Cut(offer, " ")
	return regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(k) + ` +` + regexp.QuoteMeta(what) + `\b`).MatchString(full)
}

// An operator's a, i and o on Today are not offered, and answer why.
func TestListsOperatorTodayRefusedKeysAnswer(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "olga", store.RoleOperator, "")
	a.tab = tabToday
	if len(a.today.jobs) == 0 {
		t.Fatal("no shift today")
	}
	short, full := helpText(a)
	for _, offer := range []string{"a assign", "i check in", "o check out"} {
		if strings.Contains(short, offer) || offered(full, offer) {
			t.Fatalf("an operator is offered %q:\n%s", offer, full)
		}
	}
	if !strings.Contains(short, "enter open") {
		t.Fatalf("help line: %q", short)
	}
	for _, c := range []struct{ key, why string }{
		{"a", "assigning officers needs a dispatcher (you are an operator)"},
		{"i", "recording check-ins needs a dispatcher"},
		{"o", "recording check-outs needs a dispatcher"},
	} {
		drain(a, press(a, c.key))
		if a.job != nil {
			t.Fatalf("%s opened the Job screen", c.key)
		}
		if s := screen(a); !strings.Contains(s, c.why) {
			t.Fatalf("%s: no answer %q:\n%s", c.key, c.why, s)
		}
		assertFits(t, screen(a), 80, 24)
	}
	press(a, "j") // the next key clears the answer
	if strings.Contains(screen(a), "needs a dispatcher") {
		t.Fatal("the refusal outlived the next key")
	}
}

// An operator's a on Requests (list and detail) answers why; e and n work.
func TestListsOperatorRequestsApproveAnswers(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "olga", store.RoleOperator, "")
	a.tab = tabRequests
	short, full := helpText(a)
	if strings.Contains(short, "a approve") || regexp.MustCompile(`\ba +approve\b`).MatchString(full) {
		t.Fatalf("an operator is offered approve:\n%s", full)
	}
	if !strings.Contains(short, "n new") || !strings.Contains(short, "e edit") {
		t.Fatalf("an operator's help line: %q", short)
	}
	drain(a, press(a, "a"))
	if s := screen(a); !strings.Contains(s, "approving requests needs a dispatcher (you are an operator)") {
		t.Fatalf("no answer to a:\n%s", s)
	}
	drain(a, press(a, "enter"))
	if a.req.detail == nil {
		t.Fatal("enter did not open the detail")
	}
	drain(a, press(a, "a"))
	if s := screen(a); !strings.Contains(s, "approving requests needs a dispatcher") {
		t.Fatalf("no answer to a in the detail:\n%s", s)
	}
}

// A customer's a and e answer why; help and the empty list offer neither.
// (n is the customer's own request form since issue 13.)
func TestListsCustomerRefusedKeysAnswer(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "cora", store.RoleCustomer, "Maverik Center")
	a.tab = tabRequests
	short, full := helpText(a)
	for _, offer := range []string{"a approve", "e edit"} {
		if strings.Contains(short, offer) || offered(full, offer) {
			t.Fatalf("a customer is offered %q:\n%s", offer, full)
		}
	}
	for _, c := range []struct{ key, why string }{
		{"a", "the office approves requests"},
		{"e", "changes go through the office: call or email it about job #"},
	} {
		drain(a, press(a, c.key))
		if a.form != nil {
			t.Fatal("a customer opened the request form")
		}
		if s := screen(a); !strings.Contains(s, c.why) {
			t.Fatalf("%s: no answer %q:\n%s", c.key, c.why, s)
		}
	}
	press(a, "/", "no such job at all", "enter")
	s := screen(a)
	if !strings.Contains(s, "No jobs match") || strings.Contains(s, "Press n") {
		t.Fatalf("empty list for a customer:\n%s", s)
	}
}

// A customer's detail: hours and money as the form writes them, no
// internal names, and a cancelled job shows the fee charged, not its total.
func TestListsCustomerDetail(t *testing.T) {
	a, _ := newRemoteApp(t, 100, 40, "cora", store.RoleCustomer, "Maverik Center")
	a.tab = tabRequests
	// cancel one of the account's future jobs, as the office would
	var target store.Job
	for _, j := range a.req.jobs {
		if j.Start.After(testNow.Add(24*3600e9)) && j.Status != store.StatusCancelled {
			target = j
			break
		}
	}
	if target.ID == 0 {
		t.Fatal("no future job")
	}
	fee, err := a.c.Store.Cancel(context.Background(), "tester", target.ID, testNow, "event moved")
	if err != nil {
		t.Fatal(err)
	}
	drain(a, a.loadJobs)
	// a job not cancelled: formats
	var live store.Job
	for _, j := range a.req.jobs {
		if j.Status != store.StatusCancelled && j.Total.GreaterThan(pricingThousand) {
			live = j
			break
		}
	}
	if live.ID == 0 {
		t.Fatal("no job over 1,000.00")
	}
	openDetail(t, a, live.ID)
	s := screen(a)
	if !strings.Contains(s, pricingFormat(live.Total)) || strings.Contains(s, live.Total.StringFixed(2)) {
		t.Fatalf("total not written as %s:\n%s", pricingFormat(live.Total), s)
	}
	if !strings.Contains(s, ":30 h") && !strings.Contains(s, ":00 h") || strings.Contains(s, ".00 h") || strings.Contains(s, ".50 h") {
		t.Fatalf("hours not written as 6:00 h:\n%s", s)
	}
	if strings.Contains(s, " by ") || strings.Contains(s, "seed") || strings.Contains(s, "rate card #") {
		t.Fatalf("a customer sees internal names:\n%s", s)
	}
	press(a, "esc")
	openDetail(t, a, target.ID)
	s = screen(a)
	want := "Charged     " + pricingFormat(fee.Total) + " cancellation fee"
	if fee.Total.IsZero() {
		want = "cancelled without a fee"
	}
	if !strings.Contains(s, want) || strings.Contains(s, pricingFormat(target.Total)) {
		t.Fatalf("cancelled job: want %q, not the total %s:\n%s", want, pricingFormat(target.Total), s)
	}
}

// Staff see who took the request, and the same formats.
func TestListsStaffDetailFormats(t *testing.T) {
	a := newTestApp(t, 100, 40)
	var big store.Job
	for _, j := range a.req.jobs {
		if j.Total.GreaterThan(pricingThousand) && j.Status != store.StatusCancelled {
			big = j
			break
		}
	}
	if big.ID == 0 {
		t.Fatal("no job over 1,000.00")
	}
	a.tab = tabRequests
	openDetail(t, a, big.ID)
	s := screen(a)
	if !strings.Contains(s, "Total") || !strings.Contains(s, pricingFormat(big.Total)) || strings.Contains(s, big.Total.StringFixed(2)+"\n") {
		t.Fatalf("total not %s:\n%s", pricingFormat(big.Total), s)
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, " officer ") && strings.Contains(l, " h ") && !strings.Contains(l, ":") {
			t.Fatalf("hours not written as 6:00 h: %q", l)
		}
	}
	if !strings.Contains(s, "by seed") {
		t.Fatalf("staff do not see who took it:\n%s", s)
	}
}

// openDetail selects job id in the Requests list and opens its detail.
func openDetail(t *testing.T, a *App, id int64) {
	t.Helper()
	press(a, "0")
	a.req.selectJob(id)
	if j := a.req.selected(); j == nil || j.ID != id {
		t.Fatalf("job #%d not in the list", id)
	}
	drain(a, press(a, "enter"))
	if a.req.detail == nil || a.req.detail.ID != id || len(a.req.detail.Quote.Lines) == 0 && a.req.detail.Status != store.StatusCancelled {
		t.Fatalf("detail of #%d not loaded: %+v", id, a.req.detail)
	}
}

// A customer clicking and pressing through the list never reaches another
// account's job.
func TestListsCustomerNeverSeesAnotherAccount(t *testing.T) {
	a, _ := newRemoteApp(t, 80, 24, "cora", store.RoleCustomer, "Maverik Center")
	custs, err := a.c.Store.Customers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var me int64
	for _, c := range custs {
		if c.Name == "Maverik Center" {
			me = c.ID
		}
	}
	a.tab = tabRequests
	seen := ""
	for y := 0; y < 20; y++ {
		drain(a, a.req.click(0, y))
		drain(a, a.req.click(0, y)) // a second click opens
		seen += screen(a)
		if d := a.req.detail; d != nil && d.CustomerID != me {
			t.Fatalf("opened job #%d of %s", d.ID, d.CustomerName)
		}
		drain(a, press(a, "o")) // the Job screen, from the detail
		seen += screen(a)
		if a.job != nil && a.job.job != nil && a.job.job.CustomerID != me {
			t.Fatalf("Job screen of %s", a.job.job.CustomerName)
		}
		drain(a, press(a, "esc"))
		drain(a, press(a, "esc"))
	}
	for _, k := range []string{"/", "a", "enter", "s", "s", "G", "enter", "esc", "8", "enter"} {
		drain(a, press(a, k))
		seen += screen(a)
	}
	seen = ansi.Strip(seen)
	for _, c := range custs {
		if c.ID != me && strings.Contains(seen, c.Name) {
			t.Fatalf("a customer saw %s", c.Name)
		}
	}
}
