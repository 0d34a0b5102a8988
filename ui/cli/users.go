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
(everything, rate cards, invoices, payroll and users included); customer (read-only view
of one account's jobs and invoices: --account is the customer's id). A name is letters,
digits, dot, dash and underscore. --key takes an authorized_keys line and may be given
more than once; --key-file reads one key a line (a .pub file or an authorized_keys file),
- for stdin. A key belongs to one user only. Supervisors only: locally as the machine's
user, or over SSH as a supervisor (keys as --key, or on stdin with --key-file -).
Exit status: 0 done; 1 invalid input or an unknown user, customer or key; 2 refused
(a name or key already taken, or the acting user's role does not allow it).`,
		Example: `  offduty user add dana --role dispatcher --key-file ~/.ssh/dana.pub
  ssh -p 2222 office user add mallcop --role customer --account 3 --key-file - < mallcop.pub
  offduty user key remove dana SHA256:...`,
	}
	key := &cobra.Command{
		Use:   "key",
		Short: "Add or remove a user's keys",
	}
	group(key, newUserKeyAddCmd(e), newUserKeyRemoveCmd(e))
	key.Aliases = []string{"keys"}
	group(c, newUserAddCmd(e), newUserListCmd(e), newUserRemoveCmd(e), key)
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
	var role, account string
	var kf keyFlags
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user with a role and keys",
		Long: `Adds a user who signs in over SSH with one of their keys. ROLE is operator, dispatcher,
supervisor or customer; a customer user sees one account, --account CUSTOMER-ID (the ids
are shown by offduty invoices list and in the console). Keys: --key "ssh-ed25519 AAAA..."
(repeatable), --key-file FILE (locally), --key-file - (stdin, also over SSH).
Exit status: 0 added; 1 invalid input or an unknown customer; 2 refused (the name or a key
is taken, or the acting user is not a supervisor).`,
		Example: "  offduty user add dana --role dispatcher --key-file ~/.ssh/dana.pub",
	}
	c.Flags().StringVar(&role, "role", "", "the user's `ROLE`: operator, dispatcher, supervisor or customer (required)")
	c.Flags().StringVar(&account, "account", "", "for a customer user, the `CUSTOMER-ID` whose jobs and invoices they see")
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
			return fail(ExitInvalid, "%s: --role is required: operator, dispatcher, supervisor or customer", label)
		}
		acct, err := accountID(label, account)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		if err := mayAdmin(ctx, e, s, label); err != nil {
			return err
		}
		keys, err := kf.keys(e, label)
		if err != nil {
			return err
		}
		u, err := s.CreateUser(ctx, e.actor(), name, role, acct, keys)
		if err != nil {
			return storeFail(label, err)
		}
		what := u.Role
		if u.CustomerID != 0 {
			what += " of " + customerLabel(ctx, s, u.CustomerID)
		}
		fmt.Fprintf(e.stdout, "Added %s, %s, with %d %s:\n", u.Name, what, len(u.Keys), plural(len(u.Keys), "key"))
		for _, k := range u.Keys {
			fmt.Fprintf(e.stdout, "  %s %s %s\n", k.Fingerprint, k.Type, clean(k.Comment))
		}
		return nil
	}
	return c
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
		Short:   "List the users, their roles, accounts and keys",
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
		if asJSON {
			type jsonKey struct {
				Fingerprint string `json:"fingerprint"`
				Type        string `json:"type"`
				Comment     string `json:"comment"`
			}
			type jsonUser struct {
				Name        string    `json:"name"`
				Role        string    `json:"role"`
				Account     *int64    `json:"account"`
				AccountName string    `json:"account_name,omitempty"`
				Keys        []jsonKey `json:"keys"`
			}
			out := []jsonUser{}
			for _, u := range users {
				ju := jsonUser{Name: u.Name, Role: u.Role, Keys: []jsonKey{}}
				if u.CustomerID != 0 {
					id := u.CustomerID
					ju.Account, ju.AccountName = &id, names[id]
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
		fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", "USER", "ROLE", "ACCOUNT", "KEYS")
		for _, u := range users {
			acct := ""
			if u.CustomerID != 0 {
				acct = shorten(fmt.Sprintf("#%d %s", u.CustomerID, clean(names[u.CustomerID])), 28)
			}
			var keys []string
			for _, k := range u.Keys {
				keys = append(keys, strings.TrimSpace(k.Fingerprint+" "+clean(k.Comment)))
			}
			if len(keys) == 0 {
				keys = []string{"(none: cannot sign in)"}
			}
			fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", u.Name, u.Role, acct, keys[0])
			for _, k := range keys[1:] {
				fmt.Fprintf(e.stdout, "%-20s %-10s %-28s %s\n", "", "", "", k)
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
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		if err := mayAdmin(ctx, e, s, label); err != nil {
			return err
		}
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
