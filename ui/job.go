package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/store"
)

// jobKeys are the Job screen's keys.
type jobKeys struct {
	Up, Down, PgUp, PgDown, Back, Assign, Unassign, CheckIn, CheckOut, NoShow, Note, Media, Cancel, Reduce, Approve, Edit, Signup key.Binding
}

func newJobKeys() jobKeys {
	return jobKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "position")),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		PgUp:     key.NewBinding(key.WithKeys("pgup", "K"), key.WithHelp("pgup/pgdn", "scroll")),
		PgDown:   key.NewBinding(key.WithKeys("pgdown", "J", "space")),
		Back:     key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Assign:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign")),
		Unassign: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unassign")),
		CheckIn:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "check in")),
		CheckOut: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "check out")),
		NoShow:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "no-show")),
		Note:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "note")),
		Media:    key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "attach")),
		Cancel:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel job")),
		Reduce:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reduce")),
		Approve:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "approve")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit request")),
		Signup:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sign-ups")),
	}
}

// jobScreen shows one job: details, positions with attendance, post orders,
// quote, notes, media, fees and audit, with the dispatcher's actions.
type jobScreen struct {
	c    *Common
	keys jobKeys
	id   int64

	job    *store.Job
	extras store.JobExtras
	audit  []store.AuditEntry
	err    string

	sel    int // selected position
	scroll int

	picker  *picker
	prompt  *prompt
	confirm *confirmBox
	busy    bool
	intent  string // an action to start once the job has loaded

	// signups are the officers' sign-ups waiting for a dispatcher on this
	// job's positions (when the office confirms sign-ups); deciding is the
	// one being answered: y assigns, n refuses, esc leaves it
	signups  []store.Signup
	deciding *store.Signup
}

func newJobScreen(c *Common, id int64) *jobScreen {
	s := &jobScreen{c: c, keys: newJobKeys(), id: id}
	if !c.can(store.PermDispatch) { // operators and customers read; the store would refuse anyway
		for _, k := range []*key.Binding{&s.keys.Assign, &s.keys.Unassign, &s.keys.CheckIn, &s.keys.CheckOut, &s.keys.NoShow,
			&s.keys.Note, &s.keys.Media, &s.keys.Cancel, &s.keys.Reduce, &s.keys.Approve, &s.keys.Signup} {
			k.SetEnabled(false)
		}
	}
	if c.Role == store.RoleCustomer { // a customer cancels or reduces its own job, the fee shown first, as staff do
		s.keys.Cancel.SetEnabled(true)
		s.keys.Reduce.SetEnabled(true)
	}
	if !c.can(store.PermRequest) {
		s.keys.Edit.SetEnabled(false)
	}
	return s
}

// Messages of the Job screen.
type (
	jobLoadedMsg struct {
		id      int64
		job     store.Job
		extras  store.JobExtras
		audit   []store.AuditEntry
		signups []store.Signup // pending, on this job's positions (dispatchers)
		err     error
	}
	// jobDoneMsg reports a finished action; the root reloads everything.
	jobDoneMsg struct {
		id   int64
		what string
		err  error
	}
	candidatesMsg struct {
		position store.Position
		list     []store.Candidate
		err      error
	}
	feePreviewMsg struct {
		plan store.CancelPlan
		fee  pricing.Fee
		// going are the positions a reduction removes, in the store's order
		// (open first, then the latest filled; never a checked-in one);
		// supervisorAt is the job's rate card threshold (0: none).
		going        []store.Position
		supervisorAt int
		err          error
	}
)

func (s *jobScreen) load() tea.Cmd {
	st, id := s.c.Store, s.id
	return func() tea.Msg {
		ctx := context.Background()
		m := jobLoadedMsg{id: id}
		if m.job, m.err = st.Job(ctx, s.c.Actor, id); m.err != nil {
			return m
		}
		if m.extras, m.err = st.Extras(ctx, s.c.Actor, id); m.err != nil {
			return m
		}
		if s.customer() {
			return m // the audit is the office's own record
		}
		if s.c.can(store.PermDispatch) {
			if all, err := st.Signups(ctx, s.c.Actor, store.SignupPending); err == nil {
				for _, x := range all {
					if x.JobID == id {
						m.signups = append(m.signups, x)
					}
				}
			}
		}
		m.audit, m.err = st.Audit(ctx, store.AuditFilter{JobID: id, Limit: 200})
		return m
	}
}

// customer reports whether a customer user is looking: they read what is
// shared with them (the store decides), never the office's own record.
func (s *jobScreen) customer() bool { return s.c.Role == store.RoleCustomer }

// act runs a store call and reports it as a jobDoneMsg.
func (s *jobScreen) act(what string, fn func(ctx context.Context) error) tea.Cmd {
	s.busy = true
	id := s.id
	return func() tea.Msg { return jobDoneMsg{id: id, what: what, err: fn(context.Background())} }
}

func (s *jobScreen) position() *store.Position {
	if s.job == nil || s.sel < 0 || s.sel >= len(s.job.Positions) {
		return nil
	}
	return &s.job.Positions[s.sel]
}

// capturing reports whether the screen is taking typed text (prompt or picker).
func (s *jobScreen) capturing() bool {
	return s.prompt != nil || s.picker != nil || s.confirm != nil || s.deciding != nil
}

func (s *jobScreen) ShortHelp() []key.Binding {
	if s.prompt != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	if s.confirm != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "keep"))}
	}
	if s.picker != nil {
		return s.picker.ShortHelp()
	}
	if s.deciding != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "assign")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "refuse")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "later"))}
	}
	if s.customer() {
		return []key.Binding{s.keys.Back, s.keys.PgUp, s.keys.Cancel, s.keys.Reduce}
	}
	if len(s.signups) > 0 {
		return []key.Binding{s.keys.Back, s.keys.Signup, s.keys.Assign, s.keys.CheckIn, s.keys.CheckOut, s.keys.Note, s.keys.Cancel}
	}
	return []key.Binding{s.keys.Back, s.keys.Assign, s.keys.CheckIn, s.keys.CheckOut, s.keys.NoShow, s.keys.Note, s.keys.Cancel}
}

func (s *jobScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Up, s.keys.PgUp, s.keys.Back}, {s.keys.Assign, s.keys.Unassign, s.keys.CheckIn, s.keys.CheckOut, s.keys.NoShow},
		{s.keys.Note, s.keys.Media, s.keys.Cancel, s.keys.Reduce, s.keys.Approve, s.keys.Edit, s.keys.Signup}}
}

// Update handles the Job screen's messages and keys.
func (s *jobScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case jobLoadedMsg:
		if msg.id != s.id {
			return nil
		}
		s.busy = false
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		j := cleanJob(msg.job)
		s.job, s.extras, s.audit, s.err = &j, cleanExtras(msg.extras), cleanAudit(msg.audit), ""
		s.signups = cleanSignups(msg.signups)
		s.sel = min(s.sel, max(len(j.Positions)-1, 0))
		if s.intent != "" {
			return s.startIntent()
		}
		return nil
	case candidatesMsg:
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		list := make([]store.Candidate, len(msg.list))
		for i, c := range msg.list {
			c.Officer = cleanOfficer(c.Officer)
			why := make([]store.Reason, len(c.Reasons))
			for k, r := range c.Reasons {
				why[k] = store.Reason{Text: safe(r.Text), Cap: r.Cap}
			}
			c.Reasons = why
			list[i] = c
		}
		s.picker = newPicker(s.c, msg.position, list)
		return nil
	case feePreviewMsg:
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		s.confirm = s.feeConfirm(msg)
		return nil
	case pickedMsg:
		s.picker = nil
		pos, officer, name := msg.position, msg.officer, safe(msg.name)
		if msg.override {
			s.prompt = newPrompt("Override reason", "", "why the cap may be lifted (recorded in the audit)",
				func(v string) (string, error) {
					if strings.TrimSpace(v) == "" {
						return "", fmt.Errorf("a written reason is required")
					}
					return "", nil
				},
				func(v string) tea.Cmd {
					return s.act("Assigned "+name+" (cap overridden)", func(ctx context.Context) error {
						return s.c.Store.Assign(ctx, s.c.Actor, pos, officer, v)
					})
				})
			return s.prompt.focus()
		}
		return s.act("Assigned "+name, func(ctx context.Context) error { return s.c.Store.Assign(ctx, s.c.Actor, pos, officer, "") })
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	if s.prompt != nil {
		_, cmd := s.prompt.update(msg)
		return cmd
	}
	return nil
}

func (s *jobScreen) key(km tea.KeyPressMsg) tea.Cmd {
	if s.prompt != nil {
		p := s.prompt
		done, cmd := p.update(km)
		if done && s.prompt == p { // the answer may have asked the next question
			s.prompt = nil
		}
		return cmd
	}
	if s.confirm != nil {
		return answer(&s.confirm, km)
	}
	if s.deciding != nil {
		return s.decide(km)
	}
	if s.picker != nil {
		cmd, closed := s.picker.Update(km)
		if closed {
			s.picker = nil
		}
		return cmd
	}
	s.err = ""
	if s.job == nil {
		return nil
	}
	p := s.position()
	switch {
	case key.Matches(km, s.keys.Up):
		s.sel = max(s.sel-1, 0)
	case key.Matches(km, s.keys.Down):
		s.sel = min(s.sel+1, max(len(s.job.Positions)-1, 0))
	case key.Matches(km, s.keys.PgDown):
		s.scroll += max(s.c.Height/2, 1)
	case key.Matches(km, s.keys.PgUp):
		s.scroll = max(s.scroll-max(s.c.Height/2, 1), 0)
	case key.Matches(km, s.keys.Assign):
		if p == nil || p.Status == "cancelled" {
			s.err = "no position selected"
			return nil
		}
		if p.OfficerID != 0 {
			s.err = fmt.Sprintf("position %d already has %s: u to unassign first", p.Slot, p.OfficerName)
			return nil
		}
		pos := *p
		st := s.c.Store
		return func() tea.Msg {
			list, err := st.Candidates(context.Background(), pos.ID)
			return candidatesMsg{position: pos, list: list, err: err}
		}
	case key.Matches(km, s.keys.Unassign):
		if p == nil || p.OfficerID == 0 {
			s.err = "that position is open"
			return nil
		}
		id, name := p.ID, p.OfficerName
		return s.act("Unassigned "+name, func(ctx context.Context) error { return s.c.Store.Unassign(ctx, s.c.Actor, id) })
	case key.Matches(km, s.keys.CheckIn), key.Matches(km, s.keys.CheckOut):
		if p == nil || p.OfficerID == 0 {
			s.err = "assign an officer first"
			return nil
		}
		in := key.Matches(km, s.keys.CheckIn)
		return s.timePrompt(*p, in)
	case key.Matches(km, s.keys.NoShow):
		if p == nil || p.OfficerID == 0 {
			s.err = "assign an officer first"
			return nil
		}
		if now := s.c.Now(); now.Before(p.Start) {
			s.err = "a no-show is recorded once the start (" + p.Start.In(s.c.Loc).Format("Mon 02 Jan 15:04") + ") has passed"
			return nil
		}
		id, name := p.ID, p.OfficerName
		s.confirm = &confirmBox{title: fmt.Sprintf("Record %s as a no-show?", name), lines: []string{"The position reopens and is flagged on Today."},
			yes: s.act("No-show recorded: position reopened", func(ctx context.Context) error { return s.c.Store.NoShow(ctx, s.c.Actor, id) })}
	case key.Matches(km, s.keys.Note):
		var p *prompt
		p = newPrompt("Field note", "", "what happened on site (saved with your name and the time)",
			func(v string) (string, error) {
				if strings.TrimSpace(v) == "" {
					return "", fmt.Errorf("type the note")
				}
				return "", nil
			},
			func(v string) tea.Cmd {
				aud := store.Audiences[p.choice]
				return s.act(fmt.Sprintf("Note added (%s)", audienceWords(aud)), func(ctx context.Context) error {
					_, err := s.c.Store.AddNote(ctx, s.c.Actor, s.id, v, aud)
					return err
				})
			}).withChoice("For", 0, audienceChoices()...)
		s.prompt = p
		return s.prompt.focus()
	case key.Matches(km, s.keys.Media):
		if s.c.Remote { // over SSH a file comes on the connection, never from a server path
			h := attachHint(s.c, s.id)
			h.outro += " Staff only unless you add --audience officers or --audience customer."
			return showHint(h)
		}
		var p *prompt
		p = newPrompt("Attach file", "", "path of a photo, video or document on this machine",
			func(v string) (string, error) {
				if strings.TrimSpace(v) == "" {
					return "", fmt.Errorf("type a path")
				}
				return "", nil
			},
			func(v string) tea.Cmd {
				aud := store.Audiences[p.choice]
				return s.act(fmt.Sprintf("File attached (%s)", audienceWords(aud)), func(ctx context.Context) error {
					_, err := s.c.Store.AttachMediaFile(ctx, s.c.Actor, s.id, v, aud)
					return err
				})
			}).withChoice("For", 0, audienceChoices()...)
		s.prompt = p
		return s.prompt.focus()
	case key.Matches(km, s.keys.Cancel):
		return s.reasonPrompt(fmt.Sprintf("Cancel job #%d", s.id), store.CancelPlan{JobID: s.id})
	case key.Matches(km, s.keys.Reduce):
		n := s.job.Officers
		if n <= 1 {
			s.err = "one officer left: cancel the job instead (c)"
			return nil
		}
		s.prompt = newPrompt("Remove officers", "1", fmt.Sprintf("how many of the %d officer positions to remove", n),
			func(v string) (string, error) {
				k, err := ParseCount(v, 1, n-1, 0, "officers")
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("%d -> %d officers", n, n-k), nil
			},
			func(v string) tea.Cmd {
				k, _ := ParseCount(v, 1, n-1, 0, "officers")
				return s.reasonPrompt(fmt.Sprintf("Remove %d of %d officers", k, n), store.CancelPlan{JobID: s.id, Officers: k})
			})
		return s.prompt.focus()
	case key.Matches(km, s.keys.Approve):
		return s.act(fmt.Sprintf("Approved job #%d", s.id), func(ctx context.Context) error { return s.c.Store.Approve(ctx, s.c.Actor, s.id) })
	case key.Matches(km, s.keys.Signup):
		if len(s.signups) == 0 {
			s.err = "no sign-up is waiting on this job"
			return nil
		}
		x := s.signups[0]
		if p != nil {
			for _, y := range s.signups {
				if y.PositionID == p.ID {
					x = y
					break
				}
			}
		}
		s.deciding = &x
	}
	return nil
}

// decide answers the sign-up on screen: y assigns the officer (under the
// rules: the store refuses with the reason when they no longer allow it),
// n asks why (optional) and refuses, esc leaves it waiting.
func (s *jobScreen) decide(km tea.KeyPressMsg) tea.Cmd {
	x := *s.deciding
	who := safe(x.OfficerName)
	switch km.String() {
	case "y", "Y":
		s.deciding = nil
		return s.act(fmt.Sprintf("Sign-up confirmed: %s assigned", who), func(ctx context.Context) error {
			return s.c.Store.DecideSignup(ctx, s.c.Actor, x.ID, true, "")
		})
	case "n", "N":
		s.deciding = nil
		s.prompt = newPrompt("Reason", "", "why "+who+" does not get it (the officer is told) · optional: enter skips",
			func(v string) (string, error) {
				if n := len([]rune(strings.TrimSpace(v))); n > store.MaxReason {
					return "", fmt.Errorf("at most %d characters (%d typed)", store.MaxReason, n)
				}
				return "", nil
			},
			func(v string) tea.Cmd {
				return s.act(fmt.Sprintf("Sign-up of %s refused", who), func(ctx context.Context) error {
					return s.c.Store.DecideSignup(ctx, s.c.Actor, x.ID, false, v)
				})
			})
		return s.prompt.focus()
	case "esc":
		s.deciding = nil
	}
	return nil
}

// cleanSignups cleans sign-ups as loaded.
func cleanSignups(list []store.Signup) []store.Signup {
	var out []store.Signup
	for _, x := range list {
		x.OfficerName, x.Badge, x.State, x.CustomerName, x.SiteName, x.Reason, x.DecidedBy = safe(x.OfficerName), safe(x.Badge), safe(x.State),
			safe(x.CustomerName), safe(x.SiteName), safe(x.Reason), safe(x.DecidedBy)
		out = append(out, x)
	}
	return out
}

// signupFor is the first sign-up waiting on a position, or nil.
func (s *jobScreen) signupFor(positionID int64) *store.Signup {
	for i := range s.signups {
		if s.signups[i].PositionID == positionID {
			return &s.signups[i]
		}
	}
	return nil
}

// startIntent selects the position an action from the board is meant for
// (the first open one to assign, the first due to check in or out) and starts it.
func (s *jobScreen) startIntent() tea.Cmd {
	intent := s.intent
	s.intent = ""
	switch intent { // the job's, not a position's: from a list's c or r
	case "cancel":
		return s.key(tea.KeyPressMsg{Code: 'c', Text: "c"})
	case "reduce":
		return s.key(tea.KeyPressMsg{Code: 'r', Text: "r"})
	}
	for i, p := range s.job.Positions {
		if p.Status == "cancelled" {
			continue
		}
		ok := false
		switch intent {
		case "assign":
			ok = p.OfficerID == 0
		case "checkin":
			ok = p.OfficerID != 0 && p.CheckIn.IsZero()
		case "checkout":
			ok = p.OfficerID != 0 && !p.CheckIn.IsZero() && p.CheckOut.IsZero()
		}
		if ok {
			s.sel = i
			k := map[string]string{"assign": "a", "checkin": "i", "checkout": "o"}[intent]
			return s.key(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
		}
	}
	s.err = map[string]string{"assign": "every position is filled", "checkin": "nobody is waiting to check in", "checkout": "nobody is on duty"}[intent]
	return nil
}

// reasonPrompt asks why a job is cancelled or reduced (optional, kept with
// the job like the CLI's --reason), then shows the fee and what goes.
func (s *jobScreen) reasonPrompt(what string, plan store.CancelPlan) tea.Cmd {
	hint := what + " · why, as the customer gave it · optional: enter skips"
	if s.customer() {
		hint = what + " · why, for the office · optional: enter skips"
	}
	s.prompt = newPrompt("Reason", "", hint,
		func(v string) (string, error) {
			if n := len([]rune(strings.TrimSpace(v))); n > store.MaxReason {
				return "", fmt.Errorf("at most %d characters (%d typed)", store.MaxReason, n)
			}
			return "", nil
		},
		func(v string) tea.Cmd {
			plan.Reason = v
			plan.At = s.c.Now()
			return s.preview(plan)
		})
	return s.prompt.focus()
}

// preview prices a plan without changing anything; for a reduction it also
// works out which positions go, in the store's order.
func (s *jobScreen) preview(plan store.CancelPlan) tea.Cmd {
	st := s.c.Store
	var job store.Job
	if s.job != nil {
		job = *s.job
	}
	return func() tea.Msg {
		ctx := context.Background()
		m := feePreviewMsg{plan: plan}
		if m.fee, m.err = st.PreviewCancelFor(ctx, s.c.Actor, plan); m.err != nil { // a customer: its own job, at now
			return m
		}
		if plan.Officers == 0 || plan.Officers >= job.Officers {
			return m
		}
		cards, err := st.RateCards(ctx, job.AgencyID)
		if err != nil {
			m.err = err
			return m
		}
		for _, c := range cards {
			if c.ID == job.RateCardID {
				m.supervisorAt = c.Card.SupervisorAt
			}
		}
		m.going = goingPositions(job, plan.Officers, m.supervisorAt)
		return m
	}
}

// goingPositions is what removing n officer positions takes off a job, as
// store.CancelOrReduce does it: open positions first, then the latest
// filled (highest slot); a checked-in position never. The supervisor goes
// too when the officers left fall under the rate card's threshold
// (supervisorAt; 0 means the card requires none).
func goingPositions(j store.Job, n, supervisorAt int) []store.Position {
	pick := func(class string, k int) []store.Position {
		var c []store.Position
		for _, p := range j.Positions {
			if p.Class == class && p.Status != "cancelled" && p.CheckIn.IsZero() {
				c = append(c, p)
			}
		}
		sort.SliceStable(c, func(a, b int) bool {
			if oa, ob := c[a].Status == "open", c[b].Status == "open"; oa != ob {
				return oa
			}
			return c[a].Slot > c[b].Slot
		})
		return c[:min(k, len(c))]
	}
	out := pick(string(pricing.ClassOfficer), n)
	if j.Supervisors > 0 && (supervisorAt == 0 || j.Officers-n < supervisorAt) {
		out = append(out, pick(string(pricing.ClassSupervisor), j.Supervisors)...)
	}
	return out
}

// describeGoing says which positions a reduction removes, one line each.
func describeGoing(going []store.Position, officersLeft, supervisorAt int) []string {
	var lines []string
	for _, p := range going {
		who := "open"
		if p.OfficerID != 0 {
			who = safe(p.OfficerName)
			if p.Badge != "" {
				who += " (" + safe(p.Badge) + ")"
			}
			who += " is taken off"
		}
		why := ""
		if p.Class == string(pricing.ClassSupervisor) {
			why = " · the rate card requires no supervisor"
			if supervisorAt > 0 {
				why = fmt.Sprintf(" · %d officers left, a supervisor comes with %d", officersLeft, supervisorAt)
			}
		}
		lines = append(lines, fmt.Sprintf("Goes: %s #%d, %s%s", safe(p.Class), p.Slot, who, why))
	}
	return lines
}

func (s *jobScreen) feeConfirm(msg feePreviewMsg) *confirmBox {
	plan, fee := msg.plan, msg.fee
	title := fmt.Sprintf("Cancel job #%d?", plan.JobID)
	done := fmt.Sprintf("Job #%d cancelled, fee %s", plan.JobID, pricing.FormatMoney(fee.Total))
	var lines []string
	if plan.Officers > 0 && s.job != nil && plan.Officers < s.job.Officers {
		title = fmt.Sprintf("Remove %d officer position(s) from job #%d?", plan.Officers, plan.JobID)
		done = fmt.Sprintf("Job #%d reduced, fee %s", plan.JobID, pricing.FormatMoney(fee.Total))
		lines = append(lines, describeGoing(msg.going, s.job.Officers-plan.Officers, msg.supervisorAt)...)
	}
	if r := strings.TrimSpace(plan.Reason); r != "" {
		lines = append(lines, "Reason: "+safe(r))
	} else {
		lines = append(lines, "Reason: none given")
	}
	lines = append(lines, fee.Notes...)
	for _, l := range fee.Lines {
		lines = append(lines, fmt.Sprintf("%s = %s", l.Describe(), pricing.FormatMoney(l.Amount)))
	}
	lines = append(lines, "Fee: "+pricing.FormatMoney(fee.Total))
	return &confirmBox{title: title, lines: lines, yes: s.act(done, func(ctx context.Context) error {
		_, err := s.c.Store.CancelOrReduce(ctx, s.c.Actor, plan)
		return err
	})}
}

// timePrompt asks for a check-in or check-out time, defaulting to now.
func (s *jobScreen) timePrompt(p store.Position, in bool) tea.Cmd {
	loc := s.c.Loc
	label, verb := "Check-out time", "Checked out"
	if in {
		label, verb = "Check-in time", "Checked in"
	}
	resolve := func(v string) (time.Time, error) {
		c, err := ParseClock(v)
		if err != nil {
			return time.Time{}, err
		}
		base := p.Start.In(loc)
		t, err := pricing.LocalTime(loc, base.Year(), base.Month(), base.Day(), c.Hour, c.Minute)
		if err != nil {
			return t, err
		}
		if t.Before(p.Start.Add(-12 * time.Hour)) { // an overnight shift: the next day
			d := base.AddDate(0, 0, 1)
			t, err = pricing.LocalTime(loc, d.Year(), d.Month(), d.Day(), c.Hour, c.Minute)
		}
		return t, err
	}
	now := s.c.Now().In(loc).Format("15:04")
	s.prompt = newPrompt(label, now, "enter for now, or type a time (18:05, 6:05pm)",
		func(v string) (string, error) {
			t, err := resolve(v)
			if err != nil {
				return "", err
			}
			echo := t.In(loc).Format("Mon 02 Jan 15:04")
			if !in {
				switch {
				case t.Before(p.End):
					echo += " · released early: billed the full shift"
				case t.After(p.End):
					echo += " · held over: billed the real time"
				}
			}
			return echo, nil
		},
		func(v string) tea.Cmd {
			t, _ := resolve(v)
			id, name := p.ID, p.OfficerName
			return s.act(fmt.Sprintf("%s %s at %s", verb, name, t.In(loc).Format("15:04")), func(ctx context.Context) error {
				if in {
					return s.c.Store.CheckIn(ctx, s.c.Actor, id, t)
				}
				return s.c.Store.CheckOut(ctx, s.c.Actor, id, t)
			})
		})
	return s.prompt.focus()
}

// positionState is what a position is doing now, from the clock.
func positionState(p store.Position, now time.Time) (label string, kind string) {
	switch {
	case p.Status == "cancelled":
		return "cancelled", "muted"
	case p.OfficerID == 0 && p.Attendance == pricing.AttendanceNoShow:
		return "NO-SHOW, open", "bad"
	case p.OfficerID == 0:
		return "OPEN", "bad"
	case !p.CheckOut.IsZero() && p.Attendance == pricing.AttendanceReleasedEarly:
		return "released " + p.CheckOut.In(now.Location()).Format("15:04"), "muted"
	case !p.CheckOut.IsZero() && p.Attendance == pricing.AttendanceHeldOver:
		return "held over to " + p.CheckOut.In(now.Location()).Format("15:04"), "muted"
	case !p.CheckOut.IsZero():
		return "done", "muted"
	case !p.CheckIn.IsZero():
		return "on duty since " + p.CheckIn.In(now.Location()).Format("15:04"), "ok"
	case now.After(p.Start):
		return "LATE " + pricing.FormatMinutes(int(now.Sub(p.Start)/time.Minute)), "bad"
	default:
		return "assigned", "ok"
	}
}

func (st Styles) kind(kind string) Paint {
	switch kind {
	case "bad":
		return st.Refused
	case "ok":
		return st.OK
	case "muted":
		return st.Muted
	}
	return Paint{}
}

// View draws the Job screen into height rows.
func (s *jobScreen) View(height int) string {
	st := s.c.Styles
	w := s.c.Width
	if s.job == nil {
		if s.err != "" {
			return st.Error.Render(truncate("✗ "+safe(s.err), w))
		}
		return st.Muted.Render("loading job…")
	}
	if s.picker != nil {
		return s.picker.View(height)
	}
	j := s.job
	loc := s.c.Loc
	now := s.c.Now()
	var top []string
	start, end := j.Start.In(loc), j.End.In(loc)
	top = append(top, st.Title.Render(fmt.Sprintf("Job #%d", j.ID))+"  "+st.StatusStyle(j.Status).Render(statusLabel(j.Status))+"  "+
		st.Bold.Render(truncate(safe(j.CustomerName), w/2)))
	top = append(top, truncate(fmt.Sprintf("%s %s-%s (%s) · %s · %s", start.Format("Mon 02 Jan 2006"), start.Format("15:04"), end.Format("15:04"),
		pricing.FormatHours(int(end.Sub(start)/time.Minute)), safe(j.AgencyName), safe(string(j.Venue))), w))
	top = append(top, truncate(safe(j.SiteName)+", "+safe(j.SiteAddress)+"   contact "+safe(j.ContactName)+" "+safe(j.ContactPhone), w))
	top = append(top, st.Header.Render(fit(fmt.Sprintf(" %-3s %-10s %-26s %s", "#", "class", "officer", "attendance"), w)))
	posRows := []string{}
	for i, p := range j.Positions {
		who := "—"
		if p.OfficerID != 0 {
			who = safe(p.OfficerName) + " " + safe(p.Badge)
		}
		state, kind := positionState(p, now)
		if p.Override != "" && !s.customer() {
			state += " · cap overridden"
		}
		if x := s.signupFor(p.ID); x != nil && p.OfficerID == 0 {
			state += " · " + safe(x.OfficerName) + " signed up (s)"
		}
		line := fmt.Sprintf(" %-3d %-10s %s %s", p.Slot, safe(p.Class), fit(who, 26), "")
		row := fit(line, 43) + st.kind(kind).Render(truncate(state, max(w-43, 1)))
		if i == s.sel {
			row = st.Selected.Render(fit(line+truncate(state, max(w-43, 1)), w))
		}
		posRows = append(posRows, row)
	}
	// the rest, scrollable
	var doc []string
	section := func(name string) { doc = append(doc, "", st.Label.Render(name)) }
	if len(s.signups) > 0 {
		section(fmt.Sprintf("Sign-ups waiting for a dispatcher (%d): s to decide", len(s.signups)))
		for _, x := range s.signups {
			slot := 0
			for _, p := range j.Positions {
				if p.ID == x.PositionID {
					slot = p.Slot
				}
			}
			doc = append(doc, st.Warn.Render(truncate(fmt.Sprintf(" position %d: %s %s, signed up %s", slot, safe(x.OfficerName), safe(x.Badge),
				x.At.In(loc).Format("Mon 02 Jan 15:04")), w)))
		}
	}
	section("Post orders")
	orders := store.Clean(j.PostOrders, true)
	if orders == "" {
		orders = "(none)"
	}
	for _, l := range strings.Split(wrap(orders, w-2), "\n") {
		doc = append(doc, " "+l)
	}
	if s.customer() {
		section("Quote")
	} else {
		section(fmt.Sprintf("Quote (rate card #%d)", j.RateCardID))
	}
	labels := make([]string, len(j.Quote.Lines))
	labelW, amountW := 5, max(width(moneyText(j.Quote.Total)), 8)
	for i, l := range j.Quote.Lines {
		labels[i] = quoteLineLabel(l)
		labelW = max(labelW, width(labels[i]))
		amountW = max(amountW, width(moneyText(l.Amount)))
	}
	labelW = min(labelW, max(w-1-9-8-amountW-1, 10)) // the label gives way; an amount is never cut
	for i, l := range j.Quote.Lines {
		doc = append(doc, " "+fit(labels[i], labelW)+right(pricing.FormatMinutes(l.Minutes)+" h", 9)+right(safe(l.Rate), 8)+right(moneyText(l.Amount), amountW+1))
	}
	doc = append(doc, " "+st.Total.Render(fit("Total", labelW+17)+right(moneyText(j.Quote.Total), amountW+1)))
	if j.Status == store.StatusCancelled && j.CancelFee.Valid {
		doc = append(doc, " "+st.Warn.Render(fit("Cancelled: charged the fee", labelW+17)+right(pricing.FormatMoney(j.CancelFee.Decimal), amountW+1)))
	}
	for _, f := range s.extras.Fees {
		line := fmt.Sprintf("%s fee %s on %s", safe(f.Kind), moneyText(f.Total), f.At.In(loc).Format("02 Jan 15:04"))
		if !s.customer() { // how it splits, and who: the office's own
			line = fmt.Sprintf("%s fee %s (admin %s, officer %s) %s by %s", safe(f.Kind), moneyText(f.Total), moneyText(f.Admin), moneyText(f.Officer),
				f.At.In(loc).Format("02 Jan 15:04"), safe(f.Actor))
		}
		doc = append(doc, " "+st.Warn.Render(truncate(line, w-1)))
	}
	if s.customer() {
		section(fmt.Sprintf("Notes from the office (%d)", len(s.extras.Notes)))
	} else {
		section(fmt.Sprintf("Field notes (%d)", len(s.extras.Notes)))
	}
	for _, n := range s.extras.Notes {
		head := n.At.In(loc).Format("02 Jan 15:04") + " " + safe(n.Author)
		tag := ""
		if !s.customer() { // everything a customer reads is shared with it
			tag = audienceTag(st, n.Audience) + " "
		}
		body := strings.ReplaceAll(store.Clean(n.Body, true), "\n", " / ")
		doc = append(doc, " "+tag+st.Muted.Render(head+": ")+truncate(body, max(w-width(head)-width(ansi.Strip(tag))-3, 10)))
	}
	if len(s.extras.Notes) == 0 && s.customer() {
		doc = append(doc, st.Muted.Render(" (none shared with you yet)"))
	}
	section(fmt.Sprintf("Media (%d)", len(s.extras.Media)))
	for _, m := range s.extras.Media {
		// where the copy is kept, locally; over SSH, or to a customer, the
		// server's folders are nobody's business (the store gives no path)
		where := safe(m.Path)
		if s.c.Remote || s.customer() || where == "" {
			where = "added " + m.AddedAt.In(loc).Format("02 Jan 15:04") + " by " + safe(m.AddedBy)
		}
		tag := ""
		if !s.customer() {
			tag = " " + audienceTag(st, m.Audience)
		}
		typ, _, _ := strings.Cut(safe(m.Type), ";") // "text/plain", not its charset
		doc = append(doc, tag+truncate(fmt.Sprintf(" %s  %s  %s  %s", safe(m.Name), ByteSize(m.Size), typ, where), w-width(ansi.Strip(tag))))
	}
	audit := s.audit
	if s.customer() {
		audit = nil // the office's own record
	} else {
		section("Audit")
	}
	for _, a := range audit {
		change := safe(a.Action)
		if a.Before != "" || a.After != "" {
			change += ": " + safe(a.Before)
			if a.Before != "" && a.After != "" {
				change += " -> "
			}
			change += safe(a.After)
		}
		doc = append(doc, truncate(fmt.Sprintf(" %s %-10s %s %d %s", a.At.In(loc).Format("02 Jan 15:04"), truncate(safe(a.Actor), 10), safe(a.Entity), a.EntityID, change), w))
	}
	// bottom: prompt, confirmation or error
	var bottom []string
	switch {
	case s.prompt != nil:
		bottom = strings.Split(s.prompt.view(st, w), "\n")
	case s.confirm != nil:
		bottom = append(bottom, st.Warn.Render(truncate(safe(s.confirm.title)+"  y/n", w)))
		for _, l := range s.confirm.lines {
			bottom = append(bottom, "  "+truncate(safe(l), w-2))
		}
	case s.deciding != nil:
		x := s.deciding
		slot := 0
		for _, p := range j.Positions {
			if p.ID == x.PositionID {
				slot = p.Slot
			}
		}
		bottom = append(bottom, st.Warn.Render(truncate(fmt.Sprintf("Give position %d to %s (%s)?  y assign · n refuse · esc later", slot, safe(x.OfficerName), safe(x.Badge)), w)),
			"  "+truncate("signed up "+x.At.In(loc).Format("Mon 02 Jan 15:04")+"; assigning checks the rules again (overlap, caps, rest)", w-2))
	case s.err != "":
		bottom = append(bottom, st.Error.Render(truncate("✗ "+safe(s.err), w)))
	}
	// positions get at most half the room; the document scrolls in the rest
	room := height - len(top) - len(bottom)
	posMax := max(min(len(posRows), room/2), 1)
	pStart := 0
	if s.sel >= posMax {
		pStart = s.sel - posMax + 1
	}
	out := append([]string{}, top...)
	out = append(out, posRows[pStart:min(pStart+posMax, len(posRows))]...)
	if len(posRows) > posMax {
		out = append(out, st.Muted.Render(fmt.Sprintf(" … %d positions, ↑/↓ to see all", len(posRows))))
	}
	docRoom := height - len(out) - len(bottom)
	s.scroll = min(s.scroll, max(len(doc)-docRoom, 0))
	if docRoom > 0 {
		out = append(out, doc[s.scroll:min(s.scroll+docRoom, len(doc))]...)
	}
	for len(out) < height-len(bottom) {
		out = append(out, "")
	}
	out = append(out, bottom...)
	if len(out) > height {
		out = out[:height]
	}
	for i := range out {
		out[i] = fit(out[i], w)
	}
	return strings.Join(out, "\n")
}

// ByteSize is a size as people read it: 532 B, 14.2 KB, 3.1 MB (decimal
// units, as the commands and the web pages show it too).
func ByteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// The database file can be edited with other tools (the sqlite3 shell), so
// what the console shows from it passes through store.Clean once, as it is
// loaded: escape sequences, C0 and C1 controls and bidi overrides never
// reach the terminal. The render code cleans the names it prints again (safe).

// cleanJob is a job as the console shows it; post orders keep their lines.
func cleanJob(j store.Job) store.Job {
	for _, p := range []*string{&j.CustomerName, &j.SiteName, &j.SiteAddress, &j.AgencySlug, &j.AgencyName, &j.Status,
		&j.ContactName, &j.ContactPhone, &j.PONumber, &j.CreatedBy} {
		*p = safe(*p)
	}
	j.Venue = pricing.Venue(safe(string(j.Venue)))
	j.PostOrders = store.Clean(j.PostOrders, true)
	if j.Positions != nil {
		ps := make([]store.Position, len(j.Positions))
		for i, p := range j.Positions {
			for _, s := range []*string{&p.Class, &p.OfficerName, &p.Status, &p.Attendance, &p.Badge, &p.Override, &p.NoShowName} {
				*s = safe(*s)
			}
			ps[i] = p
		}
		j.Positions = ps
	}
	j.Quote = cleanSnapshot(j.Quote)
	return j
}

// cleanJobs cleans a list of jobs into a new slice.
func cleanJobs(jobs []store.Job) []store.Job {
	if jobs == nil {
		return nil
	}
	out := make([]store.Job, len(jobs))
	for i, j := range jobs {
		out[i] = cleanJob(j)
	}
	return out
}

// cleanSnapshot cleans a quote as saved on a job (JSON in the database).
func cleanSnapshot(q pricing.Snapshot) pricing.Snapshot {
	for _, p := range []*string{&q.Agency, &q.AgencyName, &q.Start, &q.End, &q.Received, &q.Total, &q.OfficerPay, &q.AdminFee, &q.EarliestStart} {
		*p = safe(*p)
	}
	q.Venue = pricing.Venue(safe(string(q.Venue)))
	if q.Lines != nil {
		ls := make([]pricing.SnapshotLine, len(q.Lines))
		for i, l := range q.Lines {
			l.Class = pricing.Class(safe(string(l.Class)))
			for _, p := range []*string{&l.Basis, &l.Hours, &l.Rate, &l.OfficerPay, &l.AdminFee, &l.Amount, &l.OfficerPer, &l.AdminPer} {
				*p = safe(*p)
			}
			ls[i] = l
		}
		q.Lines = ls
	}
	if q.Warnings != nil {
		ws := make([]string, len(q.Warnings))
		for i, w := range q.Warnings {
			ws[i] = safe(w)
		}
		q.Warnings = ws
	}
	if q.Refusals != nil {
		rs := make([]pricing.SnapshotRefusal, len(q.Refusals))
		for i, r := range q.Refusals {
			rs[i] = pricing.SnapshotRefusal{Code: safe(r.Code), Message: safe(r.Message)}
		}
		q.Refusals = rs
	}
	return q
}

// cleanAudit cleans audit entries: who, what, and the values before and after.
func cleanAudit(list []store.AuditEntry) []store.AuditEntry {
	if list == nil {
		return nil
	}
	out := make([]store.AuditEntry, len(list))
	for i, e := range list {
		e.Actor, e.Entity, e.Action, e.Before, e.After = safe(e.Actor), safe(e.Entity), safe(e.Action), safe(e.Before), safe(e.After)
		out[i] = e
	}
	return out
}

// cleanExtras cleans a job's notes (lines kept), media and fees.
func cleanExtras(x store.JobExtras) store.JobExtras {
	var out store.JobExtras
	for _, n := range x.Notes {
		n.Author, n.Body, n.Audience = safe(n.Author), store.Clean(n.Body, true), store.Audience(safe(string(n.Audience)))
		out.Notes = append(out.Notes, n)
	}
	for _, m := range x.Media {
		m.SHA256, m.Name, m.Type, m.AddedBy, m.Path = safe(m.SHA256), safe(m.Name), safe(m.Type), safe(m.AddedBy), safe(m.Path)
		m.Audience = store.Audience(safe(string(m.Audience)))
		out.Media = append(out.Media, m)
	}
	for _, f := range x.Fees {
		f.Kind, f.Total, f.Admin, f.Officer, f.Actor = safe(f.Kind), safe(f.Total), safe(f.Admin), safe(f.Officer), safe(f.Actor)
		out.Fees = append(out.Fees, f)
	}
	return out
}

// cleanOfficer cleans an officer's text.
func cleanOfficer(o store.Officer) store.Officer {
	for _, p := range []*string{&o.AgencySlug, &o.Badge, &o.FirstName, &o.LastName, &o.Rank, &o.Phone, &o.Email} {
		*p = safe(*p)
	}
	return o
}

// quoteLineLabel names a quote line without saying a word twice: "5
// officers", "1 supervisor", "1 vehicle", "12 officers emergency" (the rate
// basis only where it differs from the class and from the regular rate).
func quoteLineLabel(l pricing.SnapshotLine) string {
	class := safe(string(l.Class))
	noun := class
	if l.Count != 1 {
		noun += "s"
	}
	label := fmt.Sprintf("%d %s", l.Count, noun)
	if basis := safe(l.Basis); basis != "" && basis != pricing.BasisRegular && basis != class {
		label += " " + basis
	}
	return label
}

// audienceChoices are the options of the note and file prompts, in
// store.Audiences order: staff only is the default.
func audienceChoices() []promptChoice {
	out := make([]promptChoice, len(store.Audiences))
	for i, a := range store.Audiences {
		out[i] = promptChoice{name: string(a), about: "seen by " + a.Describe()}
	}
	return out
}

// audienceWords is an audience as the status line says it.
func audienceWords(a store.Audience) string {
	switch a {
	case store.AudienceOfficers:
		return "for the officers on the job"
	case store.AudienceCustomer:
		return "shared with the customer"
	}
	return "staff only"
}

// audienceTag marks who reads a note or a file: [staff], [officers],
// [customer]; the brackets say it without colour too.
func audienceTag(st Styles, a store.Audience) string {
	if a == "" {
		a = store.AudienceStaff
	}
	tag := "[" + string(a) + "]"
	switch a {
	case store.AudienceCustomer:
		return st.Warn.Render(tag)
	case store.AudienceOfficers:
		return st.Echo.Render(tag)
	}
	return st.Muted.Render(tag)
}

// moneyText is an amount saved as text ("1710.00") as the console writes
// money everywhere ("1,710.00"); text that is not a number stays as it is.
func moneyText(v string) string {
	d, err := decimal.NewFromString(strings.TrimSpace(v))
	if err != nil {
		return safe(v)
	}
	return pricing.FormatMoney(d)
}
