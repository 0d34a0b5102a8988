package store_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/store"
)

// The web pages' store side (issue 17): sign-in links, sessions, calendar
// feeds, the open-shift e-mails, and web users judged like SSH users.

var linkRE = regexp.MustCompile(`https?://\S+/link/([A-Za-z0-9_-]+)`)

func webLink(base string) func(string) string {
	return func(tok string) string { return base + "/link/" + tok }
}

// signInToken asks for a link for addr and returns its token, read from
// the e-mail in the outbox.
func signInToken(t *testing.T, w *mailWorld, addr string) string {
	t.Helper()
	sent, err := w.s.RequestSignIn(context.Background(), store.SignInRequest{Address: addr, Link: webLink("https://office.example")})
	if err != nil || sent.Links != 1 {
		t.Fatalf("RequestSignIn(%s) = %+v, %v; want one link", addr, sent, err)
	}
	ms := w.outbox(t)
	m := ms[len(ms)-1]
	if m.Kind != store.MsgSignIn || !strings.EqualFold(m.To, addr) {
		t.Fatalf("newest message %s to %s, want a sign-in link to %s", m.Kind, m.To, addr)
	}
	got := linkRE.FindStringSubmatch(m.Body)
	if got == nil {
		t.Fatalf("no link in:\n%s", m.Body)
	}
	return got[1]
}

func TestWebSignInLinkWorksOnce(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	tok := signInToken(t, w, "CORA@valleyfair.example") // any case
	for range 2 {                                       // a mail scanner's look uses nothing up
		l, err := w.s.PeekSignIn(ctx, tok)
		if err != nil || l.UserName != "cora" || l.Role != store.RoleCustomer {
			t.Fatalf("PeekSignIn = %+v, %v", l, err)
		}
	}
	in, err := w.s.CompleteSignIn(ctx, tok)
	if err != nil || in.Session.User.Name != "cora" || in.Token == "" || in.Session.Actor != "cora@web" {
		t.Fatalf("CompleteSignIn = %+v, %v", in, err)
	}
	if _, err := w.s.CompleteSignIn(ctx, tok); store.ErrorCode(err) != store.EConflict || !strings.Contains(err.Error(), "used already") {
		t.Fatalf("the link used twice: %v, want a conflict saying it was used", err)
	}
	if _, err := w.s.PeekSignIn(ctx, tok); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("peek after use: %v", err)
	}
	if _, err := w.s.PeekSignIn(ctx, tok+"x"); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("an unknown token: %v", err)
	}
	// The outbox keeps no working link once it was used.
	for _, m := range w.outbox(t) {
		if strings.Contains(m.Body, tok) {
			t.Errorf("the used link is still in the outbox: %s", m.Body)
		}
	}
	ws, err := w.s.Session(ctx, in.Token)
	if err != nil || ws.User.Name != "cora" || ws.CSRF == "" {
		t.Fatalf("Session = %+v, %v", ws, err)
	}
	audit, err := w.s.Audit(ctx, store.AuditFilter{Actor: "cora@web"})
	if err != nil || len(audit) != 1 || audit[0].Action != "web sign-in" {
		t.Fatalf("audit of cora@web = %+v, %v", audit, err)
	}
	if err := w.s.EndSession(ctx, in.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Session(ctx, in.Token); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("a signed-out session: %v", err)
	}
}

func TestWebSignInLinkExpires(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	setClock(t, "2026-11-26 09:00")
	tok := signInToken(t, w, coraAddr)
	setClock(t, mustLocal("2026-11-26 09:00").Add(store.SignInTTL))
	_, err := w.s.CompleteSignIn(ctx, tok)
	if store.ErrorCode(err) != store.EConflict || !strings.Contains(err.Error(), "expired at 09:15") {
		t.Fatalf("an expired link: %v", err)
	}
}

func TestWebSignInWhoGetsALink(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	o := w.officer(t, "WV9001", "pat@wvc.example")
	if _, err := w.s.CreateUserWith(ctx, "", store.UserInput{Name: "pat", Role: store.RoleOfficer, OfficerID: o.ID}); err != nil {
		t.Fatal(err)
	}
	link := webLink("https://office.example")
	for _, c := range []struct {
		addr         string
		links, notes int
	}{
		{"pat@wvc.example", 1, 0},    // an officer user at the officer record's address
		{sueAddr, 0, 1},              // staff: told the console is theirs
		{"nobody@example.com", 0, 0}, // unknown: nothing, and the page says the same
	} {
		sent, err := w.s.RequestSignIn(ctx, store.SignInRequest{Address: c.addr, Link: link, Console: "ssh -p 2222 office"})
		if err != nil || sent.Links != c.links || sent.Notes != c.notes {
			t.Errorf("RequestSignIn(%s) = %+v, %v; want %d links, %d notes", c.addr, sent, err, c.links, c.notes)
		}
	}
	ms := w.outbox(t)
	if m := ms[len(ms)-1]; m.To != sueAddr || !strings.Contains(m.Body, "ssh -p 2222 office") || linkRE.MatchString(m.Body) {
		t.Errorf("staff's note: %+v", m)
	}
	if _, err := w.s.RequestSignIn(ctx, store.SignInRequest{Address: "not an address", Link: link}); store.ErrorCode(err) != store.EInvalid {
		t.Errorf("a bad address: %v", err)
	}
	// At most SignInLimit requests per address in the window, known or not.
	for i := range store.SignInLimit + 1 {
		_, err := w.s.RequestSignIn(ctx, store.SignInRequest{Address: "flood@example.com", Link: link})
		if (i < store.SignInLimit) != (err == nil) {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if err != nil && (store.ErrorCode(err) != store.EConflict || !strings.Contains(err.Error(), "try again after")) {
			t.Fatalf("the limit: %v", err)
		}
	}
}

func TestWebSessionsEnd(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	start := mustLocal("2026-11-26 09:00")
	setClock(t, start)
	in, err := w.s.CompleteSignIn(ctx, signInToken(t, w, coraAddr))
	if err != nil {
		t.Fatal(err)
	}
	// Used every 11 hours, it lives until SessionMax; idle for SessionIdle, it ends.
	at := start
	for at.Add(11 * time.Hour).Before(start.Add(store.SessionMax)) {
		at = at.Add(11 * time.Hour)
		setClock(t, at)
		if _, err := w.s.Session(ctx, in.Token); err != nil {
			t.Fatalf("at %s: %v", at, err)
		}
	}
	setClock(t, start.Add(store.SessionMax))
	if _, err := w.s.Session(ctx, in.Token); err == nil || !strings.Contains(err.Error(), "lasts 168 hours at most") {
		t.Fatalf("past SessionMax: %v", err)
	}
	setClock(t, start)
	in, err = w.s.CompleteSignIn(ctx, signInToken(t, w, coraAddr))
	if err != nil {
		t.Fatal(err)
	}
	setClock(t, start.Add(store.SessionIdle))
	if _, err := w.s.Session(ctx, in.Token); err == nil || !strings.Contains(err.Error(), "without use") {
		t.Fatalf("idle: %v", err)
	}
	// A user who is no longer a web user is signed out.
	setClock(t, start)
	in, err = w.s.CompleteSignIn(ctx, signInToken(t, w, coraAddr))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.RemoveUser(ctx, "", "cora"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Session(ctx, in.Token); err == nil {
		t.Fatal("a removed user's session still works")
	}
}

func TestWebCalendarFeed(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	o := w.officer(t, "WV9002", "kim@wvc.example")
	if _, err := w.s.CreateUserWith(ctx, "", store.UserInput{Name: "kim", Role: store.RoleOfficer, OfficerID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if f, err := w.s.CalendarFeedOf(ctx, "kim@web"); err != nil || f.Active {
		t.Fatalf("before: %+v, %v", f, err)
	}
	first, err := w.s.NewCalendarFeed(ctx, "kim@web")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := w.s.CalendarFeedActor(ctx, first); err != nil || a != "kim@web" {
		t.Fatalf("CalendarFeedActor = %q, %v", a, err)
	}
	second, err := w.s.NewCalendarFeed(ctx, "kim@web")
	if err != nil || second == first {
		t.Fatal(err)
	}
	if _, err := w.s.CalendarFeedActor(ctx, first); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("a replaced link: %v", err)
	}
	if err := w.s.StopCalendarFeed(ctx, "kim@web"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CalendarFeedActor(ctx, second); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("a stopped link: %v", err)
	}
	if err := w.s.StopCalendarFeed(ctx, "kim@web"); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("stopping twice: %v", err)
	}
	if _, err := w.s.NewCalendarFeed(ctx, "cora@web"); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a customer's calendar link: %v", err)
	}
	audit, _ := w.s.Audit(ctx, store.AuditFilter{Actor: "kim@web"})
	if len(audit) != 3 {
		t.Errorf("kim@web's audit: %d entries, want 3 (two links, one stop)", len(audit))
	}
}

// A web user is scoped and audited like an SSH user: a customer requests
// for its own account only, as "name@web".
func TestWebActorScoped(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	v, err := w.s.Viewer(ctx, "cora@web")
	if err != nil || !v.IsCustomer() || !v.Remote || v.CustomerID != w.cust {
		t.Fatalf("Viewer(cora@web) = %+v, %v", v, err)
	}
	other, err := w.s.CreateCustomer(ctx, "test", store.CustomerInput{Name: "Other Arena"})
	if err != nil {
		t.Fatal(err)
	}
	in := store.JobInput{CustomerID: other.ID, SiteID: w.site, Agency: "west-valley-city", Start: mustLocal("2026-12-10 18:00"),
		End: mustLocal("2026-12-10 22:00"), Officers: 1, Venue: pricing.VenueRetail}
	if _, err := w.s.CreateJobs(ctx, "cora@web", in); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("another account's request: %v", err)
	}
	in.CustomerID = w.cust
	ids, err := w.s.CreateJobs(ctx, "cora@web", in)
	if err != nil {
		t.Fatal(err)
	}
	if j := job(t, w.s, ids[0]); j.CreatedBy != "cora@web" {
		t.Errorf("created by %q, want cora@web", j.CreatedBy)
	}
}

// While the web pages are on, an approved job's open shifts are e-mailed
// to the officer users who may take them, linking to the shift's page;
// each once. Off, nothing is written.
func TestWebOpenShiftMail(t *testing.T) {
	w := newMailWorld(t)
	ctx := context.Background()
	o := w.officer(t, "WV9003", "lee@wvc.example")
	if _, err := w.s.CreateUserWith(ctx, "", store.UserInput{Name: "lee", Role: store.RoleOfficer, OfficerID: o.ID}); err != nil {
		t.Fatal(err)
	}
	w.officer(t, "WV9004", "nouser@wvc.example") // an officer without a user: no web pages, no such e-mail
	j := w.job(t, "2026-12-10 18:00", "2026-12-10 22:00", 1, true)
	count := func() []store.Message {
		var out []store.Message
		for _, m := range w.outbox(t) {
			if m.Kind == store.MsgOfficerOpenShift {
				out = append(out, m)
			}
		}
		return out
	}
	if _, err := w.s.QueueScheduled(ctx, now()); err != nil {
		t.Fatal(err)
	}
	if n := len(count()); n != 0 {
		t.Fatalf("web pages off: %d open-shift e-mails", n)
	}
	if err := w.s.SetWebURL(ctx, "", "https://office.example/"); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.s.WebURL(ctx); u != "https://office.example" {
		t.Fatalf("WebURL = %q", u)
	}
	for range 2 {
		if _, err := w.s.QueueScheduled(ctx, now()); err != nil {
			t.Fatal(err)
		}
	}
	ms := count()
	if len(ms) != 1 || ms[0].To != "lee@wvc.example" {
		t.Fatalf("open-shift e-mails: %+v", ms)
	}
	want := store.ShiftPage("https://office.example", j.Positions[0].ID)
	if !strings.Contains(ms[0].Body, want) {
		t.Errorf("the e-mail does not link to %s:\n%s", want, ms[0].Body)
	}
	if err := w.s.SetWebURL(ctx, "", "ftp://x"); store.ErrorCode(err) != store.EInvalid {
		t.Errorf("a bad address: %v", err)
	}
}
