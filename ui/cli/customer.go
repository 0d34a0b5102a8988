package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
)

// The customer commands: the accounts, their contacts and sites, and the
// merging of duplicates. Dispatchers and supervisors list and show;
// supervisors change. The store audits every change.

func newCustomerCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:     "customer",
		Aliases: []string{"customers"},
		Short:   "List, show and change the customer accounts, their contacts and sites; merge duplicates",
		Long: `The customer accounts: billing cycle (weekly, biweekly, monthly), payment terms (days after
the issue date; 0 is due on receipt), whether every request needs a purchase-order number,
contacts, sites, notes, and the customer users who sign in for the account.
An account is named by its id (offduty customer list shows them: 12 or #12) or by its exact
name, any case ("Maverik Center").
Dispatchers and supervisors list and show accounts (the invoice balance is a supervisor's);
only supervisors change them, locally or over SSH. Every change is audited with its value
before and after.
Exit status: 0 done; 1 invalid input or an unknown account, contact or site; 2 refused
(a rule, such as merging an account into itself or one already merged, or the acting user's
role).`,
		Example: `  offduty customer list
  offduty customer show "Maverik Center" --json
  offduty customer set 3 --terms 0 --cycle weekly --po-required true
  offduty customer contact 3 add --name "Dana Reyes" --role "security manager" --phone 801-555-0199
  offduty customer site 3 remove 14
  offduty customer merge 3 9 --dry-run`,
	}
	return group(c, newCustomerListCmd(e), newCustomerShowCmd(e), newCustomerAddCmd(e), newCustomerSetCmd(e),
		newCustomerContactCmd(e), newCustomerSiteCmd(e), newCustomerMergeCmd(e))
}

// mayReadCustomers refuses, before anything is read, a user who is not a
// dispatcher or supervisor.
func mayReadCustomers(ctx context.Context, e *env, s *store.Store, cmd string) error {
	v, err := s.Viewer(ctx, e.actor())
	if err != nil {
		return storeFail(cmd, err)
	}
	if err := v.Need(store.PermDispatch, cmd); err != nil {
		return storeFail(cmd, err)
	}
	return nil
}

// resolveAccount reads an account given by id ("12", "#12") or by its
// exact name (any case). An id of an account merged into another is
// returned as is (the store says where it went); a name names a live
// account only.
func resolveAccount(ctx context.Context, s *store.Store, cmd, flag, v string) (int64, error) {
	v = strings.TrimSpace(v)
	what := "an account"
	if flag != "" {
		what = flag
	}
	if v == "" {
		return 0, fail(ExitInvalid, "%s: want %s: a customer id such as 12 or the account's exact name (offduty customer list shows them)", cmd, what)
	}
	if id, ok := idArg(v); ok {
		return id, nil
	}
	all, err := s.Customers(ctx)
	if err != nil {
		return 0, storeFail(cmd, err)
	}
	var found []store.Customer
	for _, c := range all {
		if strings.EqualFold(strings.TrimSpace(c.Name), v) {
			found = append(found, c)
		}
	}
	prefix := cmd + ": "
	if flag != "" {
		prefix += flag + ": "
	}
	switch len(found) {
	case 0:
		return 0, fail(ExitInvalid, "%sno account named %q: give its id or its exact name (offduty customer list shows them)", prefix, clean(v))
	case 1:
		return found[0].ID, nil
	}
	var ids []string
	for _, c := range found {
		ids = append(ids, fmt.Sprintf("#%d", c.ID))
	}
	return 0, fail(ExitInvalid, "%s%d accounts are named %q (%s): give the id", prefix, len(found), clean(v), strings.Join(ids, ", "))
}

func moneyOrDash(inv *store.InvoiceSummary) string {
	if inv == nil {
		return "-"
	}
	return pricing.FormatMoney(inv.Open)
}

func newCustomerListCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the accounts with their ids, cycle, terms, PO rule, users and (supervisors) open balance",
		Long: `Lists the accounts by name with the id that offduty user add --account, invoices --account and
the other customer commands take; their billing cycle, payment terms, whether a PO number
is required, how many customer users and jobs they have, and for a supervisor what their
issued invoices still ask (OPEN). Accounts merged into another are not listed (customer
show ID says where they went). Dispatchers and supervisors.
--json prints an array: id, name, phone, email, address, cycle, terms_days, terms,
po_required, notes, contacts, sites, users (names), jobs, and open_balance and overdue
(strings, or null when the user may not read invoices).`,
		Args: noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "customer list"
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		list, err := s.CustomerList(ctx, e.actor())
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			out := make([]map[string]any, 0, len(list))
			for _, a := range list {
				users := []string{}
				for _, u := range a.Users {
					users = append(users, u.Name)
				}
				m := map[string]any{"id": a.ID, "name": a.Name, "phone": a.Phone, "email": a.Email, "address": a.Address, "cycle": a.BillingCycle,
					"terms_days": a.TermsDays, "terms": a.Terms(), "po_required": a.PORequired, "notes": a.Notes, "contacts": len(a.Contacts),
					"sites": len(a.Sites), "users": users, "jobs": a.Jobs, "open_balance": nil, "overdue": nil}
				if a.Invoices != nil {
					m["open_balance"], m["overdue"] = a.Invoices.Open.StringFixed(2), a.Invoices.Overdue.StringFixed(2)
				}
				out = append(out, m)
			}
			return writeJSON(e.stdout, out)
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stdout, "No customer accounts yet: an account is made with its first request (the console's n).")
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCYCLE\tTERMS\tPO\tUSERS\tJOBS\tOPEN")
		for _, a := range list {
			po := "-"
			if a.PORequired {
				po = "required"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", a.ID, shorten(clean(a.Name), 36), a.BillingCycle, a.Terms(), po, len(a.Users), a.Jobs, moneyOrDash(a.Invoices))
		}
		return tw.Flush()
	}
	return c
}

func newCustomerShowCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show ID|NAME",
		Short: "Show one account: details, contacts, sites, users, recent jobs, invoices",
		Long: `Shows one account whole: its details and rules, its contacts and sites with their ids (the
ids contact and site set and remove take; an archived site is marked, with its jobs), its
customer users, its newest jobs and, for a supervisor, its invoices by state with the open
balance. An account merged into another says where it went. Dispatchers and supervisors.`,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer show"
		if err := wantArgs(label, pos, 1, "one account ID or NAME"); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayReadCustomers)
		if err != nil {
			return err
		}
		defer e.close(s)
		id, err := resolveAccount(ctx, s, label, "", pos[0])
		if err != nil {
			return err
		}
		a, err := s.CustomerAccount(ctx, e.actor(), id)
		if err != nil {
			return storeFail(label, err)
		}
		if asJSON {
			return writeJSON(e.stdout, accountJSON(a))
		}
		writeAccount(e.stdout, a, office())
		return nil
	}
	return c
}

func accountJSON(a store.Account) map[string]any {
	contacts := []map[string]any{}
	for _, c := range a.Contacts {
		contacts = append(contacts, map[string]any{"id": c.ID, "name": c.Name, "role": c.Role, "phone": c.Phone, "email": c.Email})
	}
	sites := []map[string]any{}
	for _, st := range a.Sites {
		sites = append(sites, map[string]any{"id": st.ID, "name": st.Name, "address": st.Address, "notes": st.Notes, "archived": st.Archived, "jobs": st.Jobs})
	}
	users := []map[string]any{}
	for _, u := range a.Users {
		users = append(users, map[string]any{"name": u.Name, "email": u.Email, "keys": u.Keys})
	}
	jobs := []map[string]any{}
	for _, j := range a.RecentJobs {
		jobs = append(jobs, map[string]any{"id": j.ID, "start": j.Start.UTC().Format(time.RFC3339), "site": j.Site, "status": j.Status, "total": j.Total.StringFixed(2)})
	}
	merged := []map[string]any{}
	for _, m := range a.Merged {
		merged = append(merged, map[string]any{"id": m.ID, "name": m.Name})
	}
	out := map[string]any{"id": a.ID, "name": a.Name, "phone": a.Phone, "email": a.Email, "address": a.Address, "cycle": a.BillingCycle,
		"terms_days": a.TermsDays, "terms": a.Terms(), "po_required": a.PORequired, "notes": a.Notes, "contacts": contacts, "sites": sites,
		"users": users, "jobs": a.Jobs, "recent_jobs": jobs, "merged_from": merged, "merged_into": nil, "merged_at": nil, "invoices": nil}
	if a.MergedInto != 0 {
		out["merged_into"], out["merged_at"] = a.MergedInto, a.MergedAt.UTC().Format(time.RFC3339)
	}
	if inv := a.Invoices; inv != nil {
		out["invoices"] = map[string]any{"drafts": inv.Drafts, "issued": inv.Issued, "paid": inv.Paid, "void": inv.Void,
			"open_balance": inv.Open.StringFixed(2), "overdue": inv.Overdue.StringFixed(2), "overdue_count": inv.OverdueCount}
	}
	return out
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return clean(s)
}

func writeAccount(w io.Writer, a store.Account, loc *time.Location) {
	fmt.Fprintf(w, "%s (#%d)\n", clean(a.Name), a.ID)
	if a.MergedInto != 0 {
		fmt.Fprintf(w, "  merged into #%d on %s: its jobs, sites, contacts, users and invoices are there now (offduty customer show %d)\n",
			a.MergedInto, a.MergedAt.In(loc).Format("2006-01-02"), a.MergedInto)
	}
	po := "not required"
	if a.PORequired {
		po = "required on every request"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range [][2]string{{"billing cycle", a.BillingCycle}, {"terms", a.Terms()}, {"PO number", po}, {"phone", orNone(a.Phone)},
		{"email", orNone(a.Email)}, {"address", orNone(a.Address)}} {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	tw.Flush()
	if a.Notes != "" {
		fmt.Fprintln(w, "  notes:")
		for _, l := range strings.Split(store.Clean(a.Notes, true), "\n") {
			fmt.Fprintln(w, "    "+l)
		}
	}
	for _, m := range a.Merged {
		fmt.Fprintf(w, "  merged here: %s (#%d)\n", clean(m.Name), m.ID)
	}
	fmt.Fprintf(w, "\nContacts (%d)\n", len(a.Contacts))
	for _, c := range a.Contacts {
		fmt.Fprintf(w, "  #%-5d %s\n", c.ID, clean(store.ContactText(c)))
	}
	fmt.Fprintf(w, "\nSites (%d)\n", len(a.Sites))
	for _, st := range a.Sites {
		mark := ""
		if st.Archived {
			mark = " [archived]"
		}
		fmt.Fprintf(w, "  #%-5d %s%s, %d %s\n", st.ID, clean(store.SiteText(st)), mark, st.Jobs, map[bool]string{true: "job", false: "jobs"}[st.Jobs == 1])
	}
	fmt.Fprintf(w, "\nUsers (%d)\n", len(a.Users))
	for _, u := range a.Users {
		fmt.Fprintf(w, "  %s, %s, %d %s\n", clean(u.Name), orNone(u.Email), u.Keys, map[bool]string{true: "key", false: "keys"}[u.Keys == 1])
	}
	if len(a.Users) == 0 && a.MergedInto == 0 {
		fmt.Fprintf(w, "  none: offduty user add NAME --role customer --account %d --key-file KEY.pub\n", a.ID)
	}
	fmt.Fprintf(w, "\nJobs (%d; the newest %d)\n", a.Jobs, len(a.RecentJobs))
	for _, j := range a.RecentJobs {
		fmt.Fprintf(w, "  #%-6d %s  %-11s %s  %s\n", j.ID, j.Start.In(loc).Format("2006-01-02 15:04"), statusText(j.Status), clean(j.Site), pricing.FormatMoney(j.Total))
	}
	if inv := a.Invoices; inv != nil {
		fmt.Fprintf(w, "\nInvoices: %d draft, %d issued, %d paid, %d void; open %s", inv.Drafts, inv.Issued, inv.Paid, inv.Void, pricing.FormatMoney(inv.Open))
		if inv.OverdueCount > 0 {
			fmt.Fprintf(w, ", overdue %s (%d)", pricing.FormatMoney(inv.Overdue), inv.OverdueCount)
		}
		fmt.Fprintf(w, " (offduty invoices list --account %d)\n", a.ID)
	}
}

// accountFlags are the account's fields as flags; only those given change.
type accountFlags struct {
	name, cycle, email, phone, address, notes, po string
	terms                                         *int64
}

func (f *accountFlags) register(c *cobra.Command, withName bool) {
	fs := c.Flags()
	if withName {
		fs.StringVar(&f.name, "name", "", "the account's `NAME`")
	}
	fs.StringVar(&f.cycle, "cycle", "", "billing cycle: `weekly|biweekly|monthly`")
	f.terms = intFlag(fs, "terms", "payment terms in `DAYS` after the issue date, 0 to 365 (0: due on receipt)")
	fs.StringVar(&f.po, "po-required", "", "`true|false`: every request needs a purchase-order number")
	fs.StringVar(&f.email, "email", "", "the account's billing e-mail `ADDR` (\"\" for none)")
	fs.StringVar(&f.phone, "phone", "", "the account's `PHONE` (\"\" for none)")
	fs.StringVar(&f.address, "address", "", "the billing `ADDRESS` invoices are sent to (\"\" for none)")
	fs.StringVar(&f.notes, "notes", "", "the office's `TEXT` about the account (\"\" for none)")
}

func parseYesNo(cmd, flag, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "y", "1", "on":
		return true, nil
	case "false", "no", "n", "0", "off":
		return false, nil
	}
	return false, fail(ExitInvalid, "%s: --%s: want true or false, got %q", cmd, flag, clean(v))
}

// patch is what the flags given change.
func (f *accountFlags) patch(c *cobra.Command, cmd string) (store.CustomerPatch, int, error) {
	var p store.CustomerPatch
	n := 0
	str := func(flag string, v string, dst **string) {
		if c.Flags().Changed(flag) {
			v := v
			*dst, n = &v, n+1
		}
	}
	str("name", f.name, &p.Name)
	str("cycle", f.cycle, &p.BillingCycle)
	str("email", f.email, &p.Email)
	str("phone", f.phone, &p.Phone)
	str("address", f.address, &p.Address)
	str("notes", f.notes, &p.Notes)
	if c.Flags().Changed("cycle") {
		switch strings.ToLower(strings.TrimSpace(f.cycle)) {
		case "weekly", "biweekly", "monthly":
			v := strings.ToLower(strings.TrimSpace(f.cycle))
			p.BillingCycle = &v
		default:
			return p, 0, fail(ExitInvalid, "%s: --cycle: want weekly, biweekly or monthly, got %q", cmd, clean(f.cycle))
		}
	}
	if c.Flags().Changed("terms") {
		if *f.terms < 0 || *f.terms > 365 {
			return p, 0, fail(ExitInvalid, "%s: --terms: payment terms are 0 to 365 days (0: due on receipt), got %d", cmd, *f.terms)
		}
		t := int(*f.terms)
		p.TermsDays, n = &t, n+1
	}
	if c.Flags().Changed("po-required") {
		b, err := parseYesNo(cmd, "po-required", f.po)
		if err != nil {
			return p, 0, err
		}
		p.PORequired, n = &b, n+1
	}
	return p, n, nil
}

func newCustomerAddCmd(e *env) *cobra.Command {
	var f accountFlags
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an account (before its first request, e.g. to give it a user)",
		Long: `Adds an account. Accounts are usually made with their first request; this one is for an
account set up ahead (its users, its rules). Defaults: monthly, net 30 days, no PO rule.
Supervisors only.`,
		Example: `  offduty customer add "Hale Centre Theatre" --cycle biweekly --terms 0 --email ap@hale.example`,
	}
	f.register(c, false)
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer add"
		if err := wantArgs(label, pos, 1, "the account's NAME"); err != nil {
			return err
		}
		p, _, err := f.patch(cmd, label)
		if err != nil {
			return err
		}
		in := store.CustomerInput{Name: pos[0]}
		for _, x := range []struct {
			dst *string
			src *string
		}{{&in.BillingCycle, p.BillingCycle}, {&in.Email, p.Email}, {&in.Phone, p.Phone}, {&in.Address, p.Address}, {&in.Notes, p.Notes}} {
			if x.src != nil {
				*x.dst = *x.src
			}
		}
		if p.TermsDays != nil {
			in.TermsDays, in.TermsSet = *p.TermsDays, true
		}
		if p.PORequired != nil {
			in.PORequired = *p.PORequired
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		cu, err := s.CreateCustomer(ctx, e.actor(), in)
		if err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Added %s (#%d): %s, %s.\n", clean(cu.Name), cu.ID, cu.BillingCycle, cu.Terms())
		return nil
	}
	return c
}

func newCustomerSetCmd(e *env) *cobra.Command {
	var f accountFlags
	c := &cobra.Command{
		Use:   "set ID|NAME",
		Short: "Change an account's cycle, terms, PO rule, name, e-mail, phone, address or notes",
		Long: `Changes the fields given, and only those: --name, --cycle weekly|biweekly|monthly, --terms DAYS
(0 is due on receipt: an invoice is due the day it is issued), --po-required true|false (a
request without a PO number is then refused at intake, saying why), --email, --phone,
--address (the bill-to of invoices not issued yet), --notes; "" clears a text field.
Drafts follow a change of terms; an issued invoice keeps its own terms, name and address.
Prints each change before and after, as the audit records it. Supervisors only.`,
		Example: `  offduty customer set 3 --terms 0
  offduty customer set "Maverik Center" --po-required true --notes "PO from the events office"`,
	}
	f.register(c, true)
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer set"
		if err := wantArgs(label, pos, 1, "one account ID or NAME"); err != nil {
			return err
		}
		p, n, err := f.patch(cmd, label)
		if err != nil {
			return err
		}
		if n == 0 {
			return fail(ExitInvalid, "%s: nothing to change: give --cycle, --terms, --po-required, --name, --email, --phone, --address or --notes", label)
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		id, err := resolveAccount(ctx, s, label, "", pos[0])
		if err != nil {
			return err
		}
		cu, changes, err := s.UpdateCustomer(ctx, e.actor(), id, p)
		if err != nil {
			return storeFail(label, err)
		}
		if len(changes) == 0 {
			fmt.Fprintf(e.stdout, "Nothing changed: %s (#%d) already has those values.\n", clean(cu.Name), cu.ID)
			return nil
		}
		fmt.Fprintf(e.stdout, "Changed %s (#%d):\n", clean(cu.Name), cu.ID)
		for _, ch := range changes {
			fmt.Fprintf(e.stdout, "  %s: %s -> %s\n", ch.Field, shorten(orNone(ch.Before), 60), shorten(orNone(ch.After), 60))
		}
		return nil
	}
	return c
}

// subVerb splits "ID VERB [SUB-ID]" of the contact and site commands.
func subVerb(cmd, what string, pos []string, verbs ...string) (account, verb string, sub int64, err error) {
	if len(pos) < 2 {
		return "", "", 0, fail(ExitInvalid, "%s: want the account ID and %s (see offduty %s --help)", cmd, strings.Join(verbs, ", "), cmd)
	}
	account, verb = pos[0], strings.ToLower(pos[1])
	known := false
	for _, v := range verbs {
		known = known || v == verb
	}
	if !known {
		return "", "", 0, fail(ExitInvalid, "%s: unknown action %q: want %s (offduty %s ID ACTION ...)", cmd, clean(pos[1]), strings.Join(verbs, ", "), cmd)
	}
	if verb == "add" {
		if len(pos) != 2 {
			return "", "", 0, fail(ExitInvalid, "%s: add takes flags only, not %q", cmd, clean(pos[2]))
		}
		return account, verb, 0, nil
	}
	if len(pos) != 3 {
		return "", "", 0, fail(ExitInvalid, "%s: %s wants the %s's id (offduty customer show %s lists them)", cmd, verb, what, clean(pos[0]))
	}
	id, ok := idArg(pos[2])
	if !ok {
		return "", "", 0, fail(ExitInvalid, "%s: want a %s id such as 12, got %q", cmd, what, clean(pos[2]))
	}
	return account, verb, id, nil
}

func newCustomerContactCmd(e *env) *cobra.Command {
	var name, role, phone, mail string
	c := &cobra.Command{
		Use:   "contact ID add|set|remove [CONTACT-ID]",
		Short: "Add, change or remove one of an account's contacts",
		Long: `An account's people: name, role, phone, e-mail. add needs --name; set changes the flags given
of contact CONTACT-ID (customer show lists the ids); remove removes it (jobs keep the
on-site contact they were requested with). Supervisors only; audited before and after.`,
		Example: `  offduty customer contact 3 add --name "Dana Reyes" --role "security manager" --phone 801-555-0199 --email dana@mall.example
  offduty customer contact 3 set 17 --role director
  offduty customer contact 3 remove 17`,
		Args: cobra.ArbitraryArgs,
	}
	c.Flags().StringVar(&name, "name", "", "the contact's `NAME`")
	c.Flags().StringVar(&role, "role", "", "their `ROLE` (security manager, accounts payable)")
	c.Flags().StringVar(&phone, "phone", "", "their `PHONE`")
	c.Flags().StringVar(&mail, "email", "", "their e-mail `ADDR`")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer contact"
		acct, verb, sub, err := subVerb(label, "contact", pos, "add", "set", "remove")
		if err != nil {
			return err
		}
		given := 0
		for _, f := range []string{"name", "role", "phone", "email"} {
			if cmd.Flags().Changed(f) {
				given++
			}
		}
		switch {
		case verb == "add" && !cmd.Flags().Changed("name"):
			return fail(ExitInvalid, "%s: add needs --name", label)
		case verb == "set" && given == 0:
			return fail(ExitInvalid, "%s: set: nothing to change: give --name, --role, --phone or --email", label)
		case verb == "remove" && given > 0:
			return fail(ExitInvalid, "%s: remove takes no flags", label)
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		id, err := resolveAccount(ctx, s, label, "", acct)
		if err != nil {
			return err
		}
		switch verb {
		case "add":
			ct, err := s.AddContact(ctx, e.actor(), id, store.Contact{Name: name, Role: role, Phone: phone, Email: mail})
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Added contact #%d to account #%d: %s\n", ct.ID, id, clean(store.ContactText(ct)))
		case "set":
			a, err := s.CustomerAccount(ctx, e.actor(), id)
			if err != nil {
				return storeFail(label, err)
			}
			var ct *store.Contact
			for i := range a.Contacts {
				if a.Contacts[i].ID == sub {
					ct = &a.Contacts[i]
				}
			}
			if ct == nil {
				return fail(ExitInvalid, "%s: account #%d has no contact %d (offduty customer show %d lists them)", label, id, sub, id)
			}
			before := *ct
			next := before
			for _, x := range []struct {
				flag string
				dst  *string
				src  string
			}{{"name", &next.Name, name}, {"role", &next.Role, role}, {"phone", &next.Phone, phone}, {"email", &next.Email, mail}} {
				if cmd.Flags().Changed(x.flag) {
					*x.dst = x.src
				}
			}
			after, err := s.UpdateContact(ctx, e.actor(), id, sub, next)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Changed contact #%d: %s -> %s\n", sub, clean(store.ContactText(before)), clean(store.ContactText(after)))
		case "remove":
			ct, err := s.RemoveContact(ctx, e.actor(), id, sub)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Removed contact #%d (%s) from account #%d.\n", sub, clean(store.ContactText(ct)), id)
		}
		return nil
	}
	return c
}

func newCustomerSiteCmd(e *env) *cobra.Command {
	var name, address, notes string
	c := &cobra.Command{
		Use:   "site ID add|set|remove|restore [SITE-ID]",
		Short: "Add, change, remove (or archive) and restore an account's sites",
		Long: `Where an account has officers work. add needs --name; set changes the flags given of site
SITE-ID (customer show lists the ids); remove removes a site no job uses, and archives one
a job uses (its jobs keep it; it is no longer offered to new requests); restore puts an
archived site back. Supervisors only; audited before and after.`,
		Example: `  offduty customer site 3 add --name "North gate" --address "3601 S 2700 W"
  offduty customer site 3 set 14 --notes "park behind the loading dock"
  offduty customer site 3 remove 14`,
		Args: cobra.ArbitraryArgs,
	}
	c.Flags().StringVar(&name, "name", "", "the site's `NAME`")
	c.Flags().StringVar(&address, "address", "", "its street `ADDRESS`")
	c.Flags().StringVar(&notes, "notes", "", "`TEXT` for the officers and the office (parking, entrance)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer site"
		acct, verb, sub, err := subVerb(label, "site", pos, "add", "set", "remove", "restore")
		if err != nil {
			return err
		}
		given := 0
		for _, f := range []string{"name", "address", "notes"} {
			if cmd.Flags().Changed(f) {
				given++
			}
		}
		switch {
		case verb == "add" && !cmd.Flags().Changed("name"):
			return fail(ExitInvalid, "%s: add needs --name", label)
		case verb == "set" && given == 0:
			return fail(ExitInvalid, "%s: set: nothing to change: give --name, --address or --notes", label)
		case (verb == "remove" || verb == "restore") && given > 0:
			return fail(ExitInvalid, "%s: %s takes no flags", label, verb)
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		id, err := resolveAccount(ctx, s, label, "", acct)
		if err != nil {
			return err
		}
		switch verb {
		case "add":
			st, err := s.AddSite(ctx, e.actor(), store.SiteInput{CustomerID: id, Name: name, Address: address, Notes: notes})
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Added site #%d to account #%d: %s\n", st.ID, id, clean(store.SiteText(st)))
		case "set":
			a, err := s.CustomerAccount(ctx, e.actor(), id)
			if err != nil {
				return storeFail(label, err)
			}
			var st *store.Site
			for i := range a.Sites {
				if a.Sites[i].ID == sub {
					st = &a.Sites[i]
				}
			}
			if st == nil {
				return fail(ExitInvalid, "%s: account #%d has no site %d (offduty customer show %d lists them)", label, id, sub, id)
			}
			in := store.SiteInput{Name: st.Name, Address: st.Address, Notes: st.Notes}
			for _, x := range []struct {
				flag string
				dst  *string
				src  string
			}{{"name", &in.Name, name}, {"address", &in.Address, address}, {"notes", &in.Notes, notes}} {
				if cmd.Flags().Changed(x.flag) {
					*x.dst = x.src
				}
			}
			after, err := s.UpdateSite(ctx, e.actor(), id, sub, in)
			if err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Changed site #%d: %s -> %s\n", sub, clean(store.SiteText(*st)), clean(store.SiteText(after)))
		case "remove":
			archived, err := s.RemoveSite(ctx, e.actor(), id, sub)
			if err != nil {
				return storeFail(label, err)
			}
			if archived {
				fmt.Fprintf(e.stdout, "Site #%d is used by jobs, so it is archived, not removed: its jobs keep it, new requests no longer offer it (restore with offduty customer site %d restore %d).\n", sub, id, sub)
			} else {
				fmt.Fprintf(e.stdout, "Removed site #%d (no job used it).\n", sub)
			}
		case "restore":
			if err := s.RestoreSite(ctx, e.actor(), id, sub); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Site #%d is in use again: new requests offer it.\n", sub)
		}
		return nil
	}
	return c
}

// writePlan says what a merge moves (or moved).
func writePlan(w io.Writer, p store.MergePlan) {
	k, d := p.Keep, p.Drop
	verb := "would move"
	if p.Done {
		verb = "moved"
	}
	fmt.Fprintf(w, "Merge %s (#%d) into %s (#%d): %s\n", clean(d.Name), d.ID, clean(k.Name), k.ID, verb)
	ids := func(xs []int64) string {
		var parts []string
		for i, x := range xs {
			if i == 12 {
				parts = append(parts, fmt.Sprintf("and %d more", len(xs)-12))
				break
			}
			parts = append(parts, fmt.Sprintf("#%d", x))
		}
		return strings.Join(parts, " ")
	}
	row := func(label string, n int, detail, about string) {
		l := fmt.Sprintf("  %-9s %d", label+":", n)
		if detail != "" {
			l += " " + detail
		}
		if about != "" && n > 0 {
			l += " (" + about + ")"
		}
		fmt.Fprintln(w, l)
	}
	var sites, contacts []string
	for _, st := range p.Sites {
		sites = append(sites, fmt.Sprintf("#%d %s", st.ID, clean(st.Name)))
	}
	for _, c := range p.Contacts {
		contacts = append(contacts, clean(c.Name))
	}
	row("jobs", len(p.Jobs), ids(p.Jobs), "")
	row("sites", len(p.Sites), strings.Join(sites, ", "), "")
	row("contacts", len(p.Contacts), strings.Join(contacts, ", "), "")
	row("users", len(p.Users), clean(strings.Join(p.Users, ", ")), "")
	row("drafts", len(p.Drafts), ids(p.Drafts), fmt.Sprintf("billed to %s on its terms, %s", clean(k.Name), k.Terms()))
	row("issued", len(p.Issued), clean(strings.Join(p.Issued, " ")), "kept as issued: number, bill-to name and address, dates, totals")
	if len(p.Certs) > 0 {
		fmt.Fprintf(w, "  officers need: %s (now required on %s's jobs too)\n", clean(strings.Join(p.Certs, ", ")), clean(k.Name))
	}
	for _, f := range p.Filled {
		fmt.Fprintf(w, "  %s of %s: %s -> %s (from %s)\n", f.Field, clean(k.Name), shorten(orNone(f.Before), 40), shorten(orNone(f.After), 60), clean(d.Name))
	}
	for _, f := range p.Kept {
		fmt.Fprintf(w, "  %s stays %s (%s had %s)\n", f.Field, f.After, clean(d.Name), f.Before)
	}
	if p.Done {
		fmt.Fprintf(w, "Account #%d is marked merged into #%d: hidden from the lists, refused for new work.\n", d.ID, k.ID)
	} else {
		fmt.Fprintf(w, "Nothing changed (--dry-run). Run again without --dry-run to merge; #%d is then marked merged into #%d.\n", d.ID, k.ID)
	}
}

func newCustomerMergeCmd(e *env) *cobra.Command {
	var dry bool
	c := &cobra.Command{
		Use:   "merge KEEP DROP",
		Short: "Merge a duplicate account (DROP) into the one to keep (KEEP)",
		Long: `Merges account DROP into account KEEP, in one transaction: DROP's jobs, sites, contacts,
customer users and draft invoices move to KEEP (drafts take KEEP's terms and bill-to); its
issued, paid and void invoices move to KEEP as the account that owes them but stay exactly
as issued: number, dates, terms, lines, totals and the name and address they were issued
to. KEEP keeps its name, cycle, terms and PO rule; a phone, e-mail or address it lacks is
taken from DROP, and DROP's notes are added to its own. DROP is then marked merged into
KEEP: hidden from the lists, refused for new requests and users, its id still saying where
it went. --dry-run shows what would move and changes nothing. Merging an account into
itself, or one already merged, is refused. Supervisors only; every move is audited.`,
		Example: `  offduty customer merge 3 9 --dry-run
  offduty customer merge "Valley Fair Mall" 9`,
	}
	c.Flags().BoolVar(&dry, "dry-run", false, "show what would move; change nothing")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "customer merge"
		if err := wantArgs(label, pos, 2, "the account to KEEP and the duplicate to DROP"); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		keep, err := resolveAccount(ctx, s, label, "KEEP", pos[0])
		if err != nil {
			return err
		}
		drop, err := resolveAccount(ctx, s, label, "DROP", pos[1])
		if err != nil {
			return err
		}
		if keep == drop {
			return fail(ExitRefused, "%s: account #%d cannot be merged into itself: give the account to keep, then its duplicate", label, keep)
		}
		plan, err := s.MergeCustomers(ctx, e.actor(), keep, drop, !dry)
		if err != nil {
			if store.ErrorCode(err) == store.EInvalid && strings.Contains(err.Error(), "merged into") {
				return fail(ExitRefused, "%s: %v", label, err)
			}
			return storeFail(label, err)
		}
		writePlan(e.stdout, plan)
		return nil
	}
	return c
}
