package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"offduty/store"
)

// maxKeyFile bounds what --key-file reads: an authorized_keys file of a few
// hundred keys fits.
const maxKeyFile = 256 << 10

func newUserCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "user",
		Short: "Add, list and remove the users who sign in over SSH, and their keys",
		Long: `Manages the users who sign in to "offduty serve" with their SSH keys.
Roles: operator (quote, create and edit requests); dispatcher (an operator who also
approves, assigns, records attendance, notes, media and cancellations); supervisor
(everything, rate cards, invoices, payroll and users included); customer (one account's
jobs and invoices, its own requests and cancellations: --account is the customer's id or
exact name, as offduty customer list shows them);
officer (one officer's shifts, pay and the open shifts they may take: --officer BADGE or
id); agency (a police agency's roster of its own officers, read-only: --agency SLUG).
--email ADDR is where a user's messages go (an officer's defaults to the officer record's;
change it later with offduty user email NAME ADDR). A name is letters,
digits, dot, dash and underscore. --key takes an authorized_keys line and may be given
more than once; --key-file reads one key a line (a .pub file or an authorized_keys file),
- for stdin. A key belongs to one user only. Supervisors only: locally as the machine's
user, or over SSH as a supervisor (keys as --key, or on stdin with --key-file -).
Exit status: 0 done; 1 invalid input or an unknown user, customer or key; 2 refused
(a name or key already taken, or the acting user's role does not allow it).`,
		Example: `  offduty user add dana --role dispatcher --key-file ~/.ssh/dana.pub
  ssh -p 2222 office user add mallcop --role customer --account 3 --email ops@mall.example --key-file - < mallcop.pub
  offduty user add alyssa --role officer --officer WV1702 --key-file alyssa.pub
  offduty user add wvc --role agency --agency west-valley-city --email dispatch@wvc.example --key-file wvc.pub
  offduty user email mallcop frontdesk@mall.example
  offduty user key remove dana SHA256:...`,
	}
	key := &cobra.Command{
		Use:   "key",
		Short: "Add or remove a user's keys",
	}
	group(key, newUserKeyAddCmd(e), newUserKeyRemoveCmd(e))
	key.Aliases = []string{"keys"}
	group(c, newUserAddCmd(e), newUserListCmd(e), newUserEmailCmd(e), newUserRemoveCmd(e), key)
	return c
}

// keyFlags are --key (repeatable) and --key-file.
type keyFlags struct {
	lines []string
	file  string
}

func (k *keyFlags) register(c *cobra.Command) {
	c.Flags().StringArrayVar(&k.lines, "key", nil, "a public key, `\"ssh-ed25519 AAAA... comment\"` (may be repeated)")
	c.Flags().StringVar(&k.file, "key-file", "", "read public keys from `FILE`, one a line (e.g. ~/.ssh/id_ed25519.pub); - reads stdin")
}

// keys returns the keys given, checked, or an error naming the bad one.
func (k *keyFlags) keys(e *env, cmd string) ([]string, error) {
	lines := append([]string(nil), k.lines...)
	if k.file != "" {
		var r io.Reader
		name := k.file
		switch {
		case k.file == "-":
			r, name = e.stdin, "stdin"
		case e.remote != nil:
			return nil, fail(ExitRefused, "%s: --key-file: over SSH no file of the server is read: send the keys on stdin with --key-file - < KEY.pub", cmd)
		default:
			f, err := openRegular(k.file)
			if err != nil {
				return nil, fail(ExitInvalid, "%s: --key-file: %v", cmd, err)
			}
			defer f.Close()
			r = f
		}
		b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
		if err != nil {
			return nil, fail(ExitInvalid, "%s: --key-file: cannot read %s: %v", cmd, name, unwrapPath(err))
		}
		if len(b) > maxKeyFile {
			return nil, fail(ExitInvalid, "%s: --key-file: %s is larger than %d KB: not a key file", cmd, name, maxKeyFile>>10)
		}
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines, n = append(lines, l), n+1
			}
		}
		if n == 0 {
			return nil, fail(ExitInvalid, "%s: --key-file: %s holds no key", cmd, name)
		}
	}
	if len(lines) == 0 {
		return nil, fail(ExitInvalid, "%s: give the user's public key with --key \"ssh-ed25519 AAAA...\" or --key-file FILE", cmd)
	}
	for _, l := range lines {
		if _, _, err := store.ParseKey(l); err != nil {
			return nil, fail(ExitInvalid, "%s: %v (got %q)", cmd, err, shorten(clean(l), 40))
		}
	}
	return lines, nil
}

// openRegular opens a file of this machine for reading, a regular file
// only: a device, a FIFO or a folder is refused without blocking.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	return f, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// keyFingerprint is the SHA256 fingerprint of an authorized_keys line.
func keyFingerprint(line string) string {
	k, _, err := store.ParseKey(line)
	if err != nil {
		return "?"
	}
	return gossh.FingerprintSHA256(k)
}

// mayAdmin refuses, before anything is read, a user who is not a supervisor.
func mayAdmin(ctx context.Context, e *env, s *store.Store, cmd string) error {
	v, err := s.Viewer(ctx, e.actor())
	if err != nil {
		return storeFail(cmd, err)
	}
	if err := v.Need(store.PermAdmin, cmd); err != nil {
		return storeFail(cmd, err)
	}
	return nil
}

func newUserAddCmd(e *env) *cobra.Command {
	var role, account, officer, agency, email string
	var kf keyFlags
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user with a role and keys",
		Long: `Adds a user who signs in over SSH with one of their keys. ROLE is operator, dispatcher,
supervisor, customer, officer or agency. A customer user sees one account, --account
ID or the account's exact name, any case (offduty customer list shows the ids, and so does
the console's Customers tab); several people of one account each get a user, with their own
--email. An officer user is one officer,
--officer BADGE (any case) or the officer's id (#ID is always an id), and gets their
messages at the officer record's e-mail unless --email says otherwise. An agency user
speaks for one agency, --agency SLUG (offduty agencies lists them), and sees its own
officers' roster only. --email ADDR is where the user's messages go, for any role.
Keys: --key "ssh-ed25519 AAAA..." (repeatable), --key-file FILE (locally), --key-file -
(stdin, also over SSH). A customer or officer user with an e-mail may have none: they sign
in on the web pages only (offduty serve --http), by a link sent to that address.
Exit status: 0 added; 1 invalid input or an unknown customer, officer or agency; 2 refused
(the name or a key is taken, the officer already has a user, or the acting user is not a
supervisor).`,
		Example: `  offduty user add dana --role dispatcher --key-file ~/.ssh/dana.pub
  offduty user add alyssa --role officer --officer WV1702 --key-file alyssa.pub
  offduty user add wvc --role agency --agency west-valley-city --email dispatch@wvc.example --key-file wvc.pub
  offduty user add mall-ops --role customer --account 3 --email ops@mall.example --key-file ops.pub`,
	}
	c.Flags().StringVar(&role, "role", "", "the user's `ROLE`: operator, dispatcher, supervisor, customer, officer or agency (required)")
	c.Flags().StringVar(&account, "account", "", "for a customer user, the account whose jobs and invoices they see: its `ID` or exact name (offduty customer list)")
	c.Flags().StringVar(&officer, "officer", "", "for an officer user, the officer: `BADGE` (any case) or numeric id, #ID for an id only")
	c.Flags().StringVar(&agency, "agency", "", "for an agency user, the agency's `SLUG` (e.g. west-valley-city)")
	c.Flags().StringVar(&email, "email", "", "where the user's messages go, `ADDR` (an officer's defaults to the officer record's)")
	kf.register(c)
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "user add"
		if err := wantArgs(label, pos, 1, "one user NAME"); err != nil {
			return err
		}
		name := pos[0]
		if err := store.ValidUserName(name); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		if role == "" {
			return fail(ExitInvalid, "%s: --role is required: operator, dispatcher, supervisor, customer, officer or agency", label)
		}
		// each link belongs to its role: say so before anything is read
		for _, l := range []struct{ flag, val, role string }{{"--account", account, store.RoleCustomer},
			{"--officer", officer, store.RoleOfficer}, {"--agency", agency, store.RoleAgency}} {
			if strings.TrimSpace(l.val) != "" && role != l.role {
				return fail(ExitInvalid, "%s: %s is for --role %s only (this user is --role %s)", label, l.flag, l.role, clean(role))
			}
		}
		if role == store.RoleOfficer && strings.TrimSpace(officer) == "" {
			return fail(ExitInvalid, "%s: an officer user needs --officer BADGE (or the officer's id)", label)
		}
		if role == store.RoleAgency && strings.TrimSpace(agency) == "" {
			return fail(ExitInvalid, "%s: an agency user needs --agency SLUG (offduty agencies lists them)", label)
		}
		if err := store.ValidEmail(strings.TrimSpace(email)); err != nil {
			return fail(ExitInvalid, "%s: --email: %v", label, err)
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		var acct int64 // an id, or the account's exact name
		if strings.TrimSpace(account) != "" {
			if acct, err = resolveAccount(ctx, s, label, "--account", account); err != nil {
				return err
			}
		}
		in := store.UserInput{Name: name, Role: role, CustomerID: acct, Email: strings.TrimSpace(email)}
		var off store.Officer
		if strings.TrimSpace(officer) != "" {
			if off, err = shiftsOfficer(ctx, s, label, strings.TrimSpace(officer)); err != nil {
				return err
			}
			in.OfficerID = off.ID
		}
		var ag store.Agency
		if slug := strings.TrimSpace(agency); slug != "" {
			if ag, err = s.AgencyBySlug(ctx, slug); err != nil {
				if store.ErrorCode(err) == store.ENotFound {
					return fail(ExitInvalid, "%s: --agency: no agency %q (offduty agencies lists them)", label, clean(slug))
				}
				return storeFail(label, err)
			}
			in.AgencyID = ag.ID
		}
		// A customer or officer user with an address may have no key: they
		// sign in on the web pages only, by an e-mailed link (serve --http).
		webOnly := len(kf.lines) == 0 && kf.file == "" && (role == store.RoleCustomer || role == store.RoleOfficer) &&
			(in.Email != "" || strings.TrimSpace(off.Email) != "")
		if !webOnly {
			if in.Keys, err = kf.keys(e, label); err != nil {
				return err
			}
		}
		u, err := s.CreateUserWith(ctx, e.actor(), in)
		if err != nil {
			return storeFail(label, err)
		}
		what := u.Role
		switch {
		case u.CustomerID != 0:
			what += " of " + customerLabel(ctx, s, u.CustomerID)
		case u.OfficerID != 0:
			what += " " + clean(off.Name()) + " (" + clean(off.Badge) + ", " + clean(off.AgencySlug) + ")"
		case u.AgencyID != 0:
			what += " for " + clean(ag.Name) + " (" + clean(ag.Slug) + ")"
		}
		if u.Email != "" {
			what += ", e-mail " + clean(u.Email)
		} else {
			what += ", no e-mail"
		}
		if webOnly {
			fmt.Fprintf(e.stdout, "Added %s, %s, with no key: they sign in on the web pages (serve --http) by an e-mailed link\n", u.Name, what)
			return nil
		}
		fmt.Fprintf(e.stdout, "Added %s, %s, with %d %s:\n", u.Name, what, len(u.Keys), plural(len(u.Keys), "key"))
		for _, k := range u.Keys {
			fmt.Fprintf(e.stdout, "  %s %s %s\n", k.Fingerprint, k.Type, clean(k.Comment))
		}
		return nil
	}
	return c
}

// newUserEmailCmd sets where a user's messages go.
func newUserEmailCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "email NAME ADDR",
		Short: "Set where a user's messages go",
		Long: `Sets the e-mail address a user's messages go to (an officer's shift notices, a customer
person's confirmations, an agency's roster). ADDR "" or - removes it: the user gets no
messages. Supervisors only; audited.
Exit status: 0 set; 1 an unknown user or an address that is not one; 2 refused by the
acting user's role.`,
		Example: "  offduty user email mall-ops frontdesk@mall.example\n  offduty user email mall-ops -",
		RunE: func(cmd *cobra.Command, pos []string) error {
			const label = "user email"
			if err := wantArgs(label, pos, 2, "a user NAME and an e-mail ADDR (- for none)"); err != nil {
				return err
			}
			addr := strings.TrimSpace(pos[1])
			if addr == "-" {
				addr = ""
			}
			if err := store.ValidEmail(addr); err != nil {
				return fail(ExitInvalid, "%s: %v", label, err)
			}
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			if err := s.SetUserEmail(ctx, e.actor(), pos[0], addr); err != nil {
				return storeFail(label, err)
			}
			if addr == "" {
				fmt.Fprintf(e.stdout, "%s has no e-mail address now: they get no messages.\n", pos[0])
			} else {
				fmt.Fprintf(e.stdout, "%s's messages go to %s.\n", pos[0], addr)
			}
			return nil
		},
	}
}

// customerLabel is "Name (#id)", or "#id" when the customer cannot be read.
func customerLabel(ctx context.Context, s *store.Store, id int64) string {
	if c, err := s.Customer(ctx, id); err == nil {
		return fmt.Sprintf("%s (#%d)", clean(c.Name), id)
	}
	return fmt.Sprintf("#%d", id)
}

func newUserListCmd(e *env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the users, their roles, who they are for, e-mail and keys",
		Args:    noArgs,
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "user list"
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		users, err := s.Users(ctx, e.actor())
		if err != nil {
			return storeFail(label, err)
		}
		names := map[int64]string{}
		if cs, err := s.Customers(ctx); err == nil {
			for _, c := range cs {
				names[c.ID] = c.Name
			}
		}
		agencies := map[int64]store.Agency{}
		if as, err := s.Agencies(ctx); err == nil {
			for _, a := range as {
				agencies[a.ID] = a
			}
		}
		officers := map[int64]store.Officer{}
		for _, u := range users {
			if u.OfficerID != 0 {
				if o, err := s.OfficerByID(ctx, u.OfficerID); err == nil {
					officers[u.OfficerID] = o
				}
			}
		}
		if asJSON {
			type jsonKey struct {
				Fingerprint string `json:"fingerprint"`
				Type        string `json:"type"`
				Comment     string `json:"comment"`
			}
			type jsonUser struct {
				Name         string    `json:"name"`
				Role         string    `json:"role"`
				Account      *int64    `json:"account"`
				AccountName  string    `json:"account_name,omitempty"`
				Officer      *int64    `json:"officer,omitempty"`
				OfficerBadge string    `json:"officer_badge,omitempty"`
				OfficerName  string    `json:"officer_name,omitempty"`
				Agency       string    `json:"agency,omitempty"`
				Email        string    `json:"email"`
				Keys         []jsonKey `json:"keys"`
			}
			out := []jsonUser{}
			for _, u := range users {
				ju := jsonUser{Name: u.Name, Role: u.Role, Email: u.Email, Keys: []jsonKey{}}
				if u.CustomerID != 0 {
					id := u.CustomerID
					ju.Account, ju.AccountName = &id, names[id]
				}
				if u.OfficerID != 0 {
					id := u.OfficerID
					ju.Officer, ju.OfficerBadge, ju.OfficerName = &id, officers[id].Badge, officers[id].Name()
				}
				if u.AgencyID != 0 {
					ju.Agency = agencies[u.AgencyID].Slug
				}
				for _, k := range u.Keys {
					ju.Keys = append(ju.Keys, jsonKey{k.Fingerprint, k.Type, k.Comment})
				}
				out = append(out, ju)
			}
			return writeJSON(e.stdout, out)
		}
		if len(users) == 0 {
			fmt.Fprintln(e.stdout, "No users: add one with offduty user add NAME --role ROLE --key-file FILE.")
			return nil
		}
		// columns as wide as what they hold: an address is never cut
		type row struct{ name, role, who, mail string }
		rows := make([]row, len(users))
		nameW, roleW, whoW, mailW := len("USER"), len("ROLE"), len("FOR"), len("EMAIL")
		for i, u := range users {
			var who string
			switch {
			case u.CustomerID != 0:
				who = shorten(fmt.Sprintf("#%d %s", u.CustomerID, clean(names[u.CustomerID])), 28)
			case u.OfficerID != 0:
				o := officers[u.OfficerID]
				who = strings.TrimSpace(clean(o.Badge) + " " + clean(o.Name()))
				if who == "" {
					who = fmt.Sprintf("officer #%d", u.OfficerID)
				}
			case u.AgencyID != 0:
				who = clean(agencies[u.AgencyID].Slug)
			}
			mail := clean(u.Email)
			if mail == "" {
				mail = "-"
			}
			rows[i] = row{u.Name, u.Role, who, mail}
			nameW, roleW = max(nameW, len([]rune(u.Name))), max(roleW, len(u.Role))
			whoW, mailW = max(whoW, len([]rune(who))), max(mailW, len([]rune(mail)))
		}
		line := fmt.Sprintf("%%-%ds %%-%ds %%-%ds %%-%ds %%s\n", nameW, roleW, whoW, mailW)
		fmt.Fprintf(e.stdout, line, "USER", "ROLE", "FOR", "EMAIL", "KEYS")
		for i, u := range users {
			var keys []string
			for _, k := range u.Keys {
				keys = append(keys, strings.TrimSpace(k.Fingerprint+" "+clean(k.Comment)))
			}
			if len(keys) == 0 {
				keys = []string{"(none: cannot sign in)"}
			}
			r := rows[i]
			fmt.Fprintf(e.stdout, line, r.name, r.role, r.who, r.mail, keys[0])
			for _, k := range keys[1:] {
				fmt.Fprintf(e.stdout, line, "", "", "", "", k)
			}
		}
		return nil
	}
	return c
}

func newUserRemoveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm"},
		Short:   "Remove a user and their keys",
		RunE: func(cmd *cobra.Command, pos []string) error {
			const label = "user remove"
			if err := wantArgs(label, pos, 1, "one user NAME"); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			if err := s.RemoveUser(ctx, e.actor(), pos[0]); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Removed %s and their keys: they cannot sign in, and a session still open can change nothing.\n", pos[0])
			return nil
		},
	}
}

func newUserKeyAddCmd(e *env) *cobra.Command {
	var kf keyFlags
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Add keys to a user",
	}
	kf.register(c)
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "user key add"
		if err := wantArgs(label, pos, 1, "one user NAME"); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.openFor(ctx, label, mayAdmin)
		if err != nil {
			return err
		}
		defer e.close(s)
		keys, err := kf.keys(e, label)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.AddUserKey(ctx, e.actor(), pos[0], k); err != nil {
				return storeFail(label, err)
			}
			fmt.Fprintf(e.stdout, "Added key %s to %s.\n", keyFingerprint(k), pos[0])
		}
		return nil
	}
	return c
}

func newUserKeyRemoveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "remove NAME FINGERPRINT|KEY",
		Aliases: []string{"rm"},
		Short:   "Remove a key from a user",
		RunE: func(cmd *cobra.Command, pos []string) error {
			const label = "user key remove"
			if len(pos) < 2 {
				return fail(ExitInvalid, "%s: want a user NAME and a key FINGERPRINT (SHA256:...) or the key itself", label)
			}
			key := strings.Join(pos[1:], " ") // an unquoted key line arrives in pieces
			ctx := cmd.Context()
			s, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer e.close(s)
			if err := s.RemoveUserKey(ctx, e.actor(), pos[0], key); err != nil {
				return storeFail(label, err)
			}
			fp := key
			if !strings.HasPrefix(fp, "SHA256:") {
				fp = keyFingerprint(key)
			}
			fmt.Fprintf(e.stdout, "Removed key %s from %s.\n", fp, pos[0])
			return nil
		},
	}
}
