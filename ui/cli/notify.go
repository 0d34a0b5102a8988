package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	charmlog "charm.land/log/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"offduty/store"
	"offduty/ui/mail"
)

// kindAbout says who gets each kind of message and when.
var kindAbout = map[string]string{
	store.MsgOfficerAssigned:   "officer: put in a position",
	store.MsgOfficerChanged:    "officer: their shift's time or place changed",
	store.MsgOfficerCancelled:  "officer: their shift was cancelled, or they were taken off it",
	store.MsgOfficerReminder:   "officer: the day before a shift (at reminder_hour)",
	store.MsgOfficerOpenShift:  "officer: an open shift they may take",
	store.MsgCustomerReceived:  "customer: a request was received",
	store.MsgCustomerApproved:  "customer: the request was approved",
	store.MsgCustomerStaffed:   "customer: every position is filled",
	store.MsgCustomerChanged:   "customer: the job changed",
	store.MsgCustomerCancelled: "customer: cancelled or reduced, with the fee",
	store.MsgInvoiceIssued:     "customer: an invoice was issued (its PDF attached)",
	store.MsgDispatchDropped:   "dispatchers: an officer dropped a shift",
	store.MsgDispatchOpenSoon:  "dispatchers: a position still open close to its start (open_soon_hours)",
	store.MsgDispatchSignup:    "dispatchers: a sign-up waits for confirmation",
	store.MsgAgencyRoster:      "agency dispatch: its officers' details in the next 24 hours (at roster_hour)",
	store.MsgAgencyChange:      "agency dispatch: one added or cancelled inside those 24 hours",
	store.MsgSignIn:            "web user: a sign-in link they asked for",
}

func knownKind(k string) bool {
	for _, x := range store.MessageKinds {
		if x == k {
			return true
		}
	}
	return false
}

func newNotifyCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "notify",
		Short: "Deliver the outbox by e-mail, list it, retry a message, opt people in or out",
		Long: `Every change that matters to someone (an officer assigned, a request approved, an
invoice issued, ...) writes an e-mail into the outbox in the same transaction. These
commands deliver and manage it:
  notify run       sends what is due through the office's SMTP relay (and writes the
                   scheduled messages: reminders, rosters); serve --smtp does the same
  notify list      the outbox, newest first
  notify retry ID  puts a failed message back in line
  notify optout EMAIL KIND, notify optin EMAIL KIND, notify kinds
Nothing is sent until the office has a sender address: offduty settings set sender ADDRESS.
The relay's credentials come from the environment: OFFDUTY_SMTP_USER and
OFFDUTY_SMTP_PASSWORD (AUTH PLAIN, over STARTTLS unless the relay is on this machine).
Supervisors only (anyone may opt their own address in or out).
Exit status: 0 done; 1 invalid input or no such message; 2 refused (a rule, the role,
or no sender address).`,
		Example: `  offduty settings set sender dispatch@office.example
  OFFDUTY_SMTP_USER=office OFFDUTY_SMTP_PASSWORD=... offduty notify run --smtp mail.example.com:587
  offduty notify run --smtp localhost:25 --starttls never --once
  ssh -p 2222 office notify list --state failed`,
	}
	return group(c, newNotifyRunCmd(e), newNotifyListCmd(e), newNotifyRetryCmd(e), newNotifyOptCmd(e, true), newNotifyOptCmd(e, false), newNotifyKindsCmd(e))
}

// smtpFlags are the relay's flags, shared by notify run and serve.
type smtpFlags struct {
	relay    string
	starttls string
}

func (f *smtpFlags) register(fs *pflag.FlagSet, relayDefault, relayUsage string) {
	fs.StringVar(&f.relay, "smtp", relayDefault, relayUsage)
	fs.StringVar(&f.starttls, "starttls", mail.StartTLSAuto, "encrypt with STARTTLS: `auto` (when the relay offers it), always (refuse a relay without it) or never (a relay on this machine)")
}

// sender makes the mail sender for the flags, with the credentials of the
// environment.
func (f *smtpFlags) sender(e *env, cmd string, s *store.Store, logger *charmlog.Logger) (*mail.Sender, error) {
	switch f.starttls {
	case mail.StartTLSAuto, mail.StartTLSAlways, mail.StartTLSNever:
	default:
		return nil, fail(ExitInvalid, "%s: --starttls: auto, always or never, got %q", cmd, f.starttls)
	}
	cfg := mail.Config{Store: s, Relay: f.relay, StartTLS: f.starttls, Loc: office(), Logger: logger}
	cfg.FromEnv(e.getenv)
	snd, err := mail.New(cfg)
	if err != nil {
		return nil, fail(ExitInvalid, "%s: --smtp: %v", cmd, err)
	}
	return snd, nil
}

func mailLogger(e *env, prefix string) *charmlog.Logger {
	return charmlog.NewWithOptions(e.stderr, charmlog.Options{ReportTimestamp: true, TimeFormat: "2006-01-02 15:04:05", Prefix: prefix})
}

func newNotifyRunCmd(e *env) *cobra.Command {
	var sf smtpFlags
	var once bool
	var poll time.Duration
	c := &cobra.Command{
		Use:   "run",
		Short: "Send the messages due through the office's SMTP relay (--once: then exit)",
		Long: `Sends the outbox's due messages through the SMTP relay, and writes the messages the
clock owes (officers' reminders, positions still open close to their start, each agency's
roster) every minute. Without --once it runs until SIGINT or SIGTERM, sending as soon as a
message is written (by this machine's console, commands or server) and retrying failures
after 1, 2, 4 ... minutes (at most an hour apart; failed after 12 tries). A relay's
permanent refusal of a recipient or message (5xx) fails that message at once. Each message
is claimed before it is sent: several senders (notify run, serve --smtp) never both send
one. A message's Message-ID is the same on every try, so one sent again after a crash is
recognisable.
Credentials: OFFDUTY_SMTP_USER and OFFDUTY_SMTP_PASSWORD (AUTH PLAIN).
It runs on the server's machine only: it connects to the relay from there and holds the
database open; over SSH, serve --smtp does the sending.
Exit status: 0 done (--once: whatever the relay said; see the log and notify list);
1 invalid flags; 2 no sender address set.`,
		Example: `  offduty notify run --smtp mail.example.com:587 --once
  offduty notify run --smtp localhost:25 --starttls never`,
		Args: noArgs,
	}
	sf.register(c.Flags(), "localhost:25", "the office's SMTP relay, `HOST:PORT`")
	c.Flags().BoolVar(&once, "once", false, "send what is due now (after writing the scheduled messages), then exit")
	c.Flags().DurationVar(&poll, "poll", mail.DefaultPoll, "look for messages whose retry time came at least this often (`DURATION`)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "notify run"
		if poll < time.Second {
			return fail(ExitInvalid, "%s: --poll: at least 1s (got %s)", label, poll)
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		logger := mailLogger(e, "notify")
		snd, err := sf.sender(e, label, s, logger)
		if err != nil {
			return err
		}
		o, err := s.Settings(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		if o.Sender == "" && once {
			return fail(ExitRefused, "%s: nothing sent: the office has no sender address; set one with offduty settings set sender ADDRESS", label)
		}
		if once {
			n, err := s.QueueScheduled(ctx, now)
			if err != nil {
				return storeFail(label, err)
			}
			rep, err := snd.SendDue(ctx)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "%s", rep)
			if n > 0 {
				fmt.Fprintf(e.stdout, " (%d scheduled %s written)", n, plural(n, "message"))
			}
			if rep.Skipped > 0 {
				fmt.Fprintf(e.stdout, ", %d left for the next run", rep.Skipped)
			}
			fmt.Fprintln(e.stdout)
			return nil
		}
		go mail.Schedule(ctx, s, time.Minute, logger)
		snd.Run(ctx, poll)
		logger.Info("stopped")
		return nil
	}
	return markLocal(c, "it connects to the relay from the server's machine; over SSH the server sends when started with serve --smtp")
}

func newNotifyListCmd(e *env) *cobra.Command {
	var state, kind string
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the outbox, newest first: when, kind, to, subject, state, tries, last error",
		Args:    noArgs,
	}
	c.Flags().StringVar(&state, "state", "", "only messages in this `STATE`: pending, sent or failed")
	c.Flags().StringVar(&kind, "kind", "", "only messages of this `KIND` (see notify kinds)")
	limit := intFlag(c.Flags(), "limit", "at most `N` messages, the newest (0: all)")
	*limit = 100
	c.Flags().Lookup("limit").DefValue = "100"
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "notify list"
		switch state {
		case "", store.MsgPending, store.MsgSent, store.MsgFailed:
		default:
			return fail(ExitInvalid, "%s: --state: pending, sent or failed, got %q", label, state)
		}
		if kind != "" && !knownKind(kind) {
			return fail(ExitInvalid, "%s: --kind: no message kind %q (see offduty notify kinds)", label, kind)
		}
		if *limit < 0 {
			return fail(ExitInvalid, "%s: --limit cannot be negative", label)
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		msgs, err := s.Outbox(ctx, e.actor(), store.OutboxFilter{State: state, Kind: kind, Limit: int(*limit)})
		if err != nil {
			return storeFail(label, err)
		}
		loc := office()
		if asJSON {
			type jsonMsg struct {
				ID        int64   `json:"id"`
				Kind      string  `json:"kind"`
				To        string  `json:"to"`
				ToName    string  `json:"to_name"`
				Subject   string  `json:"subject"`
				Body      string  `json:"body"`
				Job       *int64  `json:"job"`
				Invoice   *int64  `json:"invoice"`
				Created   string  `json:"created"`
				State     string  `json:"state"`
				Attempts  int     `json:"attempts"`
				NextTry   *string `json:"next_try"`
				Sent      *string `json:"sent"`
				LastError string  `json:"last_error"`
				Sender    string  `json:"sender"`
			}
			out := []jsonMsg{}
			for _, m := range msgs {
				j := jsonMsg{ID: m.ID, Kind: m.Kind, To: m.To, ToName: m.ToName, Subject: m.Subject, Body: m.Body,
					Created: m.CreatedAt.In(loc).Format(time.RFC3339), State: m.State, Attempts: m.Attempts, LastError: m.LastError, Sender: m.ClaimedBy}
				if m.JobID != 0 {
					j.Job = &m.JobID
				}
				if m.InvoiceID != 0 {
					j.Invoice = &m.InvoiceID
				}
				if m.State == store.MsgPending {
					t := m.NextAt.In(loc).Format(time.RFC3339)
					j.NextTry = &t
				}
				if !m.SentAt.IsZero() {
					t := m.SentAt.In(loc).Format(time.RFC3339)
					j.Sent = &t
				}
				out = append(out, j)
			}
			return writeJSON(e.stdout, out)
		}
		if len(msgs) == 0 {
			fmt.Fprintln(e.stdout, "No messages.")
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tWHEN\tKIND\tTO\tSUBJECT\tSTATE\tTRIES\tLAST ERROR")
		for _, m := range msgs {
			st := m.State
			if m.State == store.MsgPending && m.Attempts > 0 {
				st = "retry " + m.NextAt.In(loc).Format("15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.CreatedAt.In(loc).Format("2006-01-02 15:04"), m.Kind, clean(m.To),
				shorten(clean(m.Subject), 50), st, m.Attempts, shorten(clean(m.LastError), 60))
		}
		return tw.Flush()
	}
	return c
}

func newNotifyRetryCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "Put a failed message back in line (its tries start again)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			const label = "notify retry"
			if err := wantArgs(label, args, 1, "one message ID (see notify list --state failed)"); err != nil {
				return err
			}
			id, ok := idArg(args[0])
			if !ok {
				return fail(ExitInvalid, "%s: ID must be a message number such as 12, got %q", label, args[0])
			}
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			if err := s.RetryMessage(ctx, e.actor(), id); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Message %d is in line again: the next notify run (or serve --smtp) sends it.\n", id)
			return nil
		},
	}
}

func newNotifyOptCmd(e *env, out bool) *cobra.Command {
	use, short := "optin EMAIL KIND", "Let an address get a kind of message again"
	if out {
		use, short = "optout EMAIL KIND", "Stop a kind of message to an address (never cancellations); KIND all: every optional kind"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			label := "notify " + strings.Fields(use)[0]
			if err := wantArgs(label, args, 2, "an EMAIL and a KIND (see notify kinds)"); err != nil {
				return err
			}
			addr, kind := args[0], args[1]
			kinds := []string{kind}
			if kind == "all" {
				kinds = nil
				for _, k := range store.MessageKinds {
					if !store.Mandatory(k) {
						kinds = append(kinds, k)
					}
				}
			} else if !knownKind(kind) {
				return fail(ExitInvalid, "%s: no message kind %q: want one of notify kinds, or all", label, clean(kind))
			}
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			for _, k := range kinds {
				if err := s.SetOptOut(ctx, e.actor(), addr, k, out); err != nil {
					return storeFail(label, err)
				}
			}
			what := kind + " messages"
			if kind == "all" {
				what = "optional messages (cancellations always go)"
			}
			if out {
				fmt.Fprintf(e.stdout, "%s no longer gets %s.\n", clean(strings.ToLower(addr)), what)
			} else {
				fmt.Fprintf(e.stdout, "%s gets %s again.\n", clean(strings.ToLower(addr)), what)
			}
			return nil
		},
	}
}

func newNotifyKindsCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "kinds",
		Short: "List the kinds of message: who gets each, and which nobody can opt out of",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tOPT OUT\tWHO, WHEN")
			for _, k := range store.MessageKinds {
				opt := "yes"
				if store.Mandatory(k) {
					opt = "no"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k, opt, kindAbout[k])
			}
			return tw.Flush()
		},
	}
}

// startMail runs the sender and the scheduler inside serve until ctx ends.
func startMail(ctx context.Context, snd *mail.Sender, s *store.Store, logger *charmlog.Logger) {
	go mail.Schedule(ctx, s, time.Minute, logger)
	go snd.Run(ctx, mail.DefaultPoll)
}
