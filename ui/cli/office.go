package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"offduty/store"
	"offduty/ui"
)

func newOfficeCmd(e *env) *cobra.Command {
	var about strings.Builder
	for _, f := range ui.OfficeFields {
		fmt.Fprintf(&about, "  %-11s %s\n", f.Key, f.About)
	}
	c := &cobra.Command{
		Use:   "office",
		Short: "Show or change the office's own details: name, address, phone, e-mail, remittance text",
		Long: `The office's own details, on every invoice (its header, and the remittance box by the
totals) and under every e-mail (the signature; an invoice's e-mail also says how to pay):
` + about.String() + `Until they are set they are the defaults: offduty, off-duty management office. An issued
invoice keeps the details it was issued with (its PDF never changes); a draft shows them as
they are now. Supervisors show and change them (locally, or over SSH); every change is
recorded in the audit with its value before and after.
Exit status: 0 done; 1 a bad value; 2 refused (not a supervisor).`,
		Example: `  offduty office show
  offduty office set --name "West Valley Off-Duty Office" --phone 801-555-0100
  offduty office set --address "3600 S Constitution Blvd | West Valley City, UT 84119"
  offduty office set --remittance "Make checks payable to West Valley City | ACH: routing 124000054, account 000123456789"
  ssh -p 2222 office office show --json`,
	}
	return group(c, newOfficeShowCmd(e), newOfficeSetCmd(e))
}

// officeJSON is the office as office show --json prints it: the address
// and the remittance text as lists of lines.
type officeJSON struct {
	Name       string   `json:"name"`
	Tagline    string   `json:"tagline"`
	Address    []string `json:"address"`
	Phone      string   `json:"phone"`
	Email      string   `json:"email"`
	Website    string   `json:"website"`
	Remittance []string `json:"remittance"`
}

func toOfficeJSON(o store.Office) officeJSON {
	lines := func(s string) []string {
		if l := store.Lines(s); l != nil {
			return l
		}
		return []string{}
	}
	return officeJSON{o.Name, o.Tagline, lines(o.Address), o.Phone, o.Email, o.Website, lines(o.Remittance)}
}

func newOfficeShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Show the office's details (the address and remittance text line by line)",
		Args:  noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (the address and remittance text as lists of lines)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "office show"
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		o, err := s.Office(ctx)
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			return writeJSON(e.stdout, toOfficeJSON(o))
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, f := range ui.OfficeFields {
			lines := store.Lines(*f.Ptr(&o))
			if len(lines) == 0 {
				lines = []string{"(none)"}
			}
			for i, l := range lines {
				k := f.Key
				if i > 0 {
					k = ""
				}
				fmt.Fprintf(tw, "%s\t%s\n", k, clean(l))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if o == store.DefaultOffice {
			fmt.Fprintln(e.stdout, "\nThese are the defaults: set the office's own with offduty office set --name ... --address ...")
		}
		return nil
	}
	return c
}

func newOfficeSetCmd(e *env) *cobra.Command {
	values := make([]string, len(ui.OfficeFields))
	c := &cobra.Command{
		Use:   "set --name NAME | --tagline TEXT | --address LINES | --phone PHONE | --email EMAIL | --website URL | --remittance LINES",
		Short: "Change some of the office's details (none clears one)",
		Long: `Changes the details given, keeps the others. The address and the remittance text take up
to 5 lines: separate them with | (or real line breaks). none, or "", clears a detail (not the
name). Each change is recorded in the audit; an invoice already issued keeps the details it was
issued with. Supervisors only.`,
		Example: `  offduty office set --name "West Valley Off-Duty Office" --tagline "West Valley City Police Department"
  offduty office set --email billing@wvc-offduty.example --website none`,
		Args: noArgs,
	}
	for i, f := range ui.OfficeFields {
		c.Flags().StringVar(&values[i], f.Key, "", "`"+strings.ToUpper(f.Key)+"`: "+f.Hint)
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "office set"
		var given []int
		for i, f := range ui.OfficeFields {
			if cmd.Flags().Changed(f.Key) {
				given = append(given, i)
			}
		}
		if len(given) == 0 {
			return fail(ExitInvalid, "%s: give at least one of --%s (see offduty office set --help)", label, strings.ReplaceAll(ui.OfficeKeys(), ", ", ", --"))
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		before, after, err := s.EditOffice(ctx, e.actor(), func(o *store.Office) error {
			for _, i := range given {
				next, err := ui.ApplyOffice(*o, ui.OfficeFields[i].Key, values[i])
				if err != nil {
					return &store.Error{Code: store.EInvalid, Field: "office_" + ui.OfficeFields[i].Key, Message: err.Error()}
				}
				*o = next
			}
			return nil
		})
		if err != nil {
			return storeFail(label, err)
		}
		changed := 0
		for _, i := range given {
			f := ui.OfficeFields[i]
			old, now := ui.OfficeValue(f, before), ui.OfficeValue(f, after)
			if old == now {
				fmt.Fprintf(e.stdout, "%s is already %s\n", f.Key, shownValue(now))
				continue
			}
			changed++
			fmt.Fprintf(e.stdout, "%s: %s -> %s\n", f.Key, shownValue(old), shownValue(now))
		}
		if changed == 0 {
			fmt.Fprintln(e.stdout, "Nothing changed.")
		}
		return nil
	}
	return c
}
