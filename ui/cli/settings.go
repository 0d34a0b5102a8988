package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"offduty/ui"
)

func newSettingsCmd(e *env) *cobra.Command {
	var about strings.Builder
	for _, f := range ui.SettingFields {
		fmt.Fprintf(&about, "  %-16s %s\n", f.Key, f.About)
	}
	c := &cobra.Command{
		Use:   "settings",
		Short: "Show or change the office's settings: sign-ups, fairness, rosters, reminders, sender",
		Long: `The office's choices for officers' sign-ups and for the messages it sends:
` + about.String() + `Each agency's dispatch address (its daily roster) is set with offduty agency dispatch; the
office's own name, address and remittance text (on invoices and e-mails) with offduty office.
Supervisors show and change them (locally, or over SSH); every change is recorded in the
audit with its value before and after.
Exit status: 0 done; 1 an unknown setting or a bad value; 2 refused (not a supervisor).`,
		Example: `  offduty settings show
  offduty settings set sender dispatch@office.example
  offduty settings set sender_name "West Valley Off-Duty Office"
  offduty settings set signup_mode confirm
  ssh -p 2222 office settings set reminder_hour 17`,
	}
	return group(c, newSettingsShowCmd(e), newSettingsSetCmd(e))
}

func newSettingsShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Show every setting with its meaning, and each agency's dispatch address",
		Args:  noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "settings show"
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		o, err := s.Settings(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		agencies, err := s.Agencies(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		addrs := make([]string, len(agencies))
		for i, a := range agencies {
			if addrs[i], err = s.AgencyDispatch(ctx, a.ID); err != nil {
				return storeFail(label, err)
			}
		}
		if asJSON {
			type jsonAgency struct {
				Slug     string `json:"slug"`
				Name     string `json:"name"`
				Dispatch string `json:"dispatch_email"`
			}
			out := struct {
				SignupMode    string       `json:"signup_mode"`
				FairnessHours int          `json:"fairness_hours"`
				RosterHour    int          `json:"roster_hour"`
				ReminderHour  int          `json:"reminder_hour"`
				OpenSoonHours int          `json:"open_soon_hours"`
				Sender        string       `json:"sender"`
				SenderName    string       `json:"sender_name"`
				ReplyTo       string       `json:"reply_to"`
				Agencies      []jsonAgency `json:"agencies"`
			}{o.SignupMode, o.FairnessHours, o.RosterHour, o.ReminderHour, o.OpenSoonHours, o.Sender, o.SenderName, o.ReplyTo, []jsonAgency{}}
			for i, a := range agencies {
				out.Agencies = append(out.Agencies, jsonAgency{a.Slug, a.Name, addrs[i]})
			}
			return writeJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SETTING\tVALUE\tMEANING")
		for _, f := range ui.SettingFields {
			v := f.Get(o)
			if v == "" {
				v = "(none)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Key, clean(v), f.About)
		}
		fmt.Fprintln(tw, "\t\t")
		fmt.Fprintln(tw, "AGENCY\tDISPATCH ADDRESS\tGETS THE ROSTER AT roster_hour")
		for i, a := range agencies {
			v := addrs[i]
			if v == "" {
				v = "(none: no roster)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", clean(a.Slug), clean(v), clean(a.Name))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if o.Sender == "" {
			fmt.Fprintln(e.stdout, "\nNo sender address: no message is sent. Set one: offduty settings set sender ADDRESS")
		}
		return nil
	}
	return c
}

func newSettingsSetCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one setting (none clears sender or reply_to)",
		Long: `Changes one of the office's settings: ` + ui.SettingKeys() + `.
Numbers are whole numbers; sender and reply_to take an address, or none to clear it (no
sender sends nothing). The change is recorded in the audit. Supervisors only.`,
		Example: "  offduty settings set roster_hour 14\n  offduty settings set reply_to none",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			const label = "settings set"
			if err := wantArgs(label, args, 2, "a KEY and a VALUE"); err != nil {
				return err
			}
			k, v := args[0], args[1]
			f, ok := ui.SettingByKey(k)
			if !ok {
				return fail(ExitInvalid, "%s: no setting %q: want one of %s", label, clean(k), ui.SettingKeys())
			}
			ctx := cmd.Context()
			s, _, err := e.openFor(ctx, label, mayAdmin)
			if err != nil {
				return err
			}
			defer e.close(s)
			o, err := s.Settings(ctx)
			if err != nil {
				return storeFail(label, err)
			}
			old := f.Get(o)
			next, err := ui.ApplySetting(o, k, v)
			if err != nil {
				return fail(ExitInvalid, "%s: %v", label, err)
			}
			if err := s.SetSettings(ctx, e.actor(), next); err != nil {
				return storeFail(label, err)
			}
			now := f.Get(next)
			if old == now {
				fmt.Fprintf(e.stdout, "%s is already %s: nothing changed.\n", k, shownValue(now))
				return nil
			}
			fmt.Fprintf(e.stdout, "%s: %s -> %s\n", k, shownValue(old), shownValue(now))
			if k == "sender" && now == "" {
				fmt.Fprintln(e.stdout, "No sender address: no message is sent until one is set.")
			}
			return nil
		},
	}
}

func shownValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return clean(v)
}
