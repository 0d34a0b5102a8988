package web

// End-to-end in a real headless browser (Debian's chromium, driven with
// chromedp): a customer signs in from the e-mailed link (delivered by the
// outbox's sender to an SMTP server started here), requests officers,
// watches the quote follow the hours, and saves; then, signed out, an
// officer follows an open-shift e-mail, signs in from the link and signs
// up. Without Chromium the test says that the browser run was skipped.

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	smtp "github.com/emersion/go-smtp"

	"offduty/pricing"
	"offduty/store"
	offmail "offduty/ui/mail"
)

// chromium finds the browser: $OFFDUTY_CHROMIUM ("none": no browser run),
// else Debian's chromium.
func chromium() string {
	switch p := os.Getenv("OFFDUTY_CHROMIUM"); p {
	case "none":
		return ""
	case "":
	default:
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// inbox is an SMTP server that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	got  []*mail.Message
	body map[*mail.Message]string
	srv  *smtp.Server
	addr string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

type inboxSession struct{ b *inbox }

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *inboxSession) Reset()                               {}
func (s *inboxSession) Logout() error                        { return nil }
func (s *inboxSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	var body []byte
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body, err = io.ReadAll(quotedprintable.NewReader(m.Body))
	} else {
		body, err = io.ReadAll(m.Body)
	}
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.got = append(s.b.got, m)
	s.b.body[m] = string(body)
	s.b.mu.Unlock()
	return nil
}

type nopLog struct{}

func (nopLog) Printf(string, ...any) {}
func (nopLog) Println(...any)        {}

func startInbox(t *testing.T) *inbox {
	t.Helper()
	b := &inbox{body: map[*mail.Message]string{}}
	b.srv = smtp.NewServer(b)
	b.srv.Domain = "inbox.test"
	b.srv.ReadTimeout, b.srv.WriteTimeout = 10*time.Second, 10*time.Second
	b.srv.ErrorLog = nopLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	go b.srv.Serve(ln)
	t.Cleanup(func() { b.srv.Close() })
	return b
}

// await sends the outbox and waits for a message to addr whose body
// matches re; it returns the first submatch (or the match).
func (b *inbox) await(t *testing.T, snd *offmail.Sender, addr string, re *regexp.Regexp, seen int) (string, int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := snd.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		b.mu.Lock()
		for i := seen; i < len(b.got); i++ {
			m := b.got[i]
			if !strings.Contains(strings.ToLower(m.Header.Get("To")), strings.ToLower(addr)) {
				continue
			}
			if g := re.FindStringSubmatch(b.body[m]); g != nil {
				b.mu.Unlock()
				return g[len(g)-1], i + 1
			}
		}
		b.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no e-mail to %s matching %s", addr, re)
	return "", 0
}

func TestWebBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		const msg = "browser run skipped: no Chromium here (Debian: apt-get install chromium; or set OFFDUTY_CHROMIUM)"
		// go test ./... shows nothing of a passing package but "ok": say it
		// on the terminal too, where there is one.
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			fmt.Fprintln(tty, "offduty/ui/web: "+msg)
			tty.Close()
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("browser run skipped: -short")
	}
	began := time.Now()
	w := newWorld(t)
	ctx := context.Background()
	box := startInbox(t)
	set, err := w.s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.Sender, set.SenderName = "office@offduty.example", "The office"
	if err := w.s.SetSettings(ctx, "", set); err != nil {
		t.Fatal(err)
	}
	snd, err := offmail.New(offmail.Config{Store: w.s, Relay: box.addr, StartTLS: offmail.StartTLSNever, Name: "browser-test", Timeout: 5 * time.Second, Loc: w.loc})
	if err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(360, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil { // starts the browser (no timeout on this first call)
		t.Fatalf("starting %s: %v", exe, err)
	}
	tctx, cancelTimeout := context.WithTimeout(bctx, 25*time.Second)
	defer cancelTimeout()
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for i, st := range steps {
			sctx, cancel := context.WithTimeout(tctx, 10*time.Second)
			err := chromedp.Do(sctx, st)
			cancel()
			if err != nil {
				loc, _ := chromedp.Run(bctx, chromedp.Location())
				body, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
				t.Fatalf("%s (step %d): %v\nat %s: %s", what, i, err, loc, body)
			}
		}
		if err := chromedp.Do(tctx); err != nil {
			body, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage: %s", what, err, body)
		}
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(tctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	void := func(a chromedp.Action[bool]) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := a(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	base := w.srv.URL
	linkPattern := regexp.MustCompile(`(https?://\S+/link/[A-Za-z0-9_-]+)`)
	heading := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h1[text()=%q]`, text)))
	}
	flash := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//p[contains(@class,"flash") and contains(., %q)]`, text)))
	}

	// The customer: sign in from the e-mailed link.
	run("start", chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("email")))
	run("ask for a link", chromedp.SendKeys(chromedp.ID("email"), coraAddr), chromedp.Submit(chromedp.ID("email")), heading("Check your e-mail"))
	link, seen := box.await(t, snd, coraAddr, linkPattern, 0)
	run("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("signin-button")))
	run("press Sign in", chromedp.Click(chromedp.ID("signin-button")), heading("Your jobs"))

	// Request officers and watch the quote follow the hours.
	total := func(want string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Poll[bool](fmt.Sprintf(`(function(){var e=document.getElementById("quote-total");return !!e && e.textContent===%q})()`, want),
			chromedp.WithPollingTimeout(15*time.Second)))
	}
	// setField sets a field as a person choosing from a picker does: the
	// value, then the input and change events the page listens to.
	setField := func(id, v string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var e=document.getElementById(%q); e.focus(); e.value=%q;
			e.dispatchEvent(new Event("input",{bubbles:true})); e.dispatchEvent(new Event("change",{bubbles:true})); return e.value===%q})()`, id, v, v)))
	}
	// typeHours types the hours key by key.
	typeHours := func(h string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(setField("hours", ""), chromedp.SendKeys(chromedp.ID("hours"), h))
	}
	run("the request page", chromedp.Navigate(base+"/customer/request"), chromedp.WaitVisible(chromedp.ID("request")))
	run("fill in the request",
		setField("agency", "west-valley-city"),
		setField("venue", "school"),
		setField("date", "2026-12-10"),
		setField("start", "18:00"),
		setField("officers", ""), chromedp.SendKeys(chromedp.ID("officers"), "2"),
		typeHours("4"), total("$456.00"))
	run("hours 6", typeHours("6"), total("$684.00"))
	if p := os.Getenv("OFFDUTY_WEB_SCREENSHOT"); p != "" {
		shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Error(err)
		}
	}
	run("hours 2.5", typeHours("2.5"), total("$285.00"))
	run("save", chromedp.Click(chromedp.ID("save")), flash("Request saved as job #"))
	var jobID int64
	if _, err := fmt.Sscanf(location(), base+"/customer/jobs/%d", &jobID); err != nil {
		t.Fatalf("after saving: %s", location())
	}
	j, err := w.s.Job(ctx, "", jobID)
	if err != nil || j.CreatedBy != "cora@web" || j.Officers != 2 || pricing.FormatMoney(j.Total) != "285.00" {
		t.Fatalf("the saved job: %+v, %v", j, err)
	}
	run("sign out", chromedp.Click(chromedp.Search(`//button[text()="Sign out"]`)), chromedp.WaitVisible(chromedp.Search(`//p[contains(., "You signed out.")]`)))

	// The officer: an open shift of a job just approved is e-mailed with a
	// link to its page; the link leads through sign-in to the sign-up.
	if err := w.s.SetWebURL(ctx, "", base); err != nil {
		t.Fatal(err)
	}
	c, err := w.s.Customer(ctx, w.other)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := w.s.CreateJobs(ctx, "", store.JobInput{CustomerID: c.ID, SiteID: c.Sites[0].ID, Agency: "grantsville", Start: w.local("2026-12-12 10:00"),
		End: w.local("2026-12-12 14:00"), Officers: 1, Venue: pricing.VenueGeneral, Received: w.now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.Approve(ctx, "", ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.QueueScheduled(ctx, w.now()); err != nil {
		t.Fatal(err)
	}
	fresh, err := w.s.Job(ctx, "", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	shiftLink, seen := box.await(t, snd, kelseyAddr, regexp.MustCompile(fmt.Sprintf(`(https?://\S+/officer/shifts/%d)\b`, fresh.Positions[0].ID)), seen)
	run("open the shift's link", chromedp.Navigate(shiftLink), chromedp.WaitVisible(chromedp.ID("email")))
	run("ask for a link", chromedp.SendKeys(chromedp.ID("email"), kelseyAddr), chromedp.Submit(chromedp.ID("email")), heading("Check your e-mail"))
	link, _ = box.await(t, snd, kelseyAddr, linkPattern, seen)
	run("sign in", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("signin-button")), chromedp.Click(chromedp.ID("signin-button")),
		chromedp.WaitVisible(chromedp.ID("signup")))
	if loc := location(); loc != shiftLink {
		t.Errorf("signed in at %s, want the shift's page %s", loc, shiftLink)
	}
	run("one tap", chromedp.Click(chromedp.ID("signup")), flash("You are on it"))
	full, err := w.s.Job(ctx, "", ids[0])
	if err != nil || full.Positions[0].OfficerID != w.kelsey.ID {
		t.Fatalf("the position after the sign-up: %+v, %v", full.Positions, err)
	}
	t.Logf("browser run: %s", time.Since(began).Round(100*time.Millisecond))
}
