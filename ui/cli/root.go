// Package cli is offduty's command tree (cobra, presented with fang): the
// same commands run from a shell on the office machine and, through
// "offduty serve", as SSH exec requests under the signed-in user's role.
//
// One file per command group; every command reaches the database through
// env.open, and acts as env.actor(), so the store judges roles and time
// alike for every caller.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/fang/v2"
	"github.com/charmbracelet/x/term"
	mango "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"offduty/store"
)

// Version is printed by --version; the build may set it with -ldflags.
var Version = ""

// Env is what a run of the tree gets from its caller: streams, the
// environment, and for an SSH exec request the server's side of it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Remote is set by the SSH server for an exec request: the server's
	// database and clock are the only ones, the user is the signed-in one.
	Remote *Remote
}

// Remote is the server's side of an SSH exec request.
type Remote struct {
	Store *store.Store
	User  store.User
	Now   func() time.Time
	// PublicAddress is the server as users reach it (HOST:PORT), for hints.
	PublicAddress string
	// Terminal is set when the session has a PTY (ssh -t): binary output
	// such as a PDF would land on the user's screen.
	Terminal bool
}

// Exit statuses.
const (
	ExitOK      = 0
	ExitInvalid = 1 // invalid input, or something that does not exist
	ExitRefused = 2 // refused by a rule or a role
)

// Run runs the command tree on args and returns the exit status. Errors go
// to Stderr: styled when it is a terminal, one plain "offduty: ..." line
// otherwise (scripts and SSH clients read those).
func Run(ctx context.Context, args []string, io Env) int {
	if io.Getenv == nil {
		io.Getenv = func(string) string { return "" }
	}
	if io.Stdin == nil {
		io.Stdin = strings.NewReader("")
	}
	e := newEnv(io)
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(io.Stdin)
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	if io.Remote != nil {
		// fang looks at the process's own terminal (its background colour)
		// for help and errors: over SSH that is the server's console, not the
		// user's. Remote runs get cobra's plain help and one-line errors.
		root.Version = version()
		err := root.ExecuteContext(ctx)
		if err != nil {
			errorHandler(io.Stderr, fang.Styles{}, err)
		}
		return exitCode(err)
	}
	err := fang.Execute(ctx, root,
		fang.WithoutManpage(), // fang's writes to the process's stdout: ours writes to the command's
		fang.WithErrorHandler(errorHandler),
		fang.WithVersion(version()))
	return exitCode(err)
}

// version is Version, else the module's version from the build, else
// "unknown (built from source)"; with the commit when the build knows it.
func version() string {
	v, commit := Version, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Sum != "" {
			v = info.Main.Version
		}
		for _, kv := range info.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 7 {
				commit = kv.Value[:7]
			}
		}
	}
	if v == "" {
		v = "unknown (built from source)"
	}
	if commit != "" {
		v += " (" + commit + ")"
	}
	return v
}

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var x *exitError
	if errors.As(err, &x) {
		return x.code
	}
	return ExitInvalid
}

// errorHandler prints a failed command's message: one plain line for a
// script or a remote client, fang's styled block on a terminal.
func errorHandler(w io.Writer, styles fang.Styles, err error) {
	var x *exitError
	if errors.As(err, &x) && x.msg == "" {
		return
	}
	msg := err.Error()
	if !isTerminal(w) {
		fmt.Fprintf(w, "offduty: %s\n", msg)
		return
	}
	fmt.Fprintln(w, styles.ErrorHeader.String())
	fmt.Fprintln(w, styles.ErrorText.Render(msg))
	fmt.Fprintln(w)
}

// isTerminal reports whether w (or what fang wrapped it around) is a
// terminal of this process.
func isTerminal(w io.Writer) bool {
	type unwrapper interface{ Unwrap() io.Writer }
	for {
		if f, ok := w.(*os.File); ok {
			return term.IsTerminal(f.Fd())
		}
		u, ok := w.(unwrapper)
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

// local marks a command that names files or processes of the server: it is
// refused over SSH, saying why.
const localOnly = "local-only"

// localOnlyPostgres, beside localOnly, is the reason over SSH when the
// server's database is PostgreSQL.
const localOnlyPostgres = "offduty-local-only-postgres"

func markLocal(c *cobra.Command, why string) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[localOnly] = why
	return c
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "offduty",
		Short: "Dispatch console for off-duty police officers",
		Long: `offduty is a dispatch console for an office that hires out off-duty police officers to
businesses and events on behalf of partner agencies: quotes, requests, dispatch,
attendance, invoices and payroll, in a terminal or over SSH.

Without a command it opens the console on the local database (created with the two
agencies and demo data on first run). Over SSH ("offduty serve"), the same commands run
as exec requests under the signed-in user's role: ssh -p 2222 HOST jobs --json.`,
		Example: `  offduty
  offduty quote --agency west-valley-city --start "2026-12-24 18:00" --hours 6 --officers 5 --vehicles 1
  offduty --now "2026-12-01 09:00" jobs --date 2026-12-24
  ssh -p 2222 office invoice export 2026-000017 --format pdf > inv.pdf`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fail(ExitInvalid, "unknown command %q (see offduty --help)", args[0])
			}
			return nil
		},
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return e.check(cmd) },
	}
	root.SetFlagErrorFunc(flagError)
	e.globalFlags(root.PersistentFlags())
	console := newConsoleCmd(e)
	root.Flags().AddFlagSet(console.Flags())
	root.RunE = console.RunE
	markLocal(root, "the console over SSH opens with a terminal: ssh -t HOST (no command)")
	root.AddGroup(&cobra.Group{ID: "desk", Title: "Requests and dispatch"},
		&cobra.Group{ID: "money", Title: "Invoices and payroll"},
		&cobra.Group{ID: "admin", Title: "Users and the server"})
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("desk", console, newQuoteCmd(e), newAgenciesCmd(e), newJobsCmd(e), newJobCmd(e), newAssignCmd(e), newCancelCmd(e), newShiftsCmd(e))
	add("desk", newCustomerCmd(e))
	add("desk", newOfficerCmd(e))
	add("money", newInvoicesCmd(e), newInvoiceCmd(e), newPayrollCmd(e))
	add("money", newReportCmd(e))
	add("admin", newUserCmd(e), newCheckCmd(e), newBackupCmd(e), newRestoreCmd(e), newServeCmd(e), newSeedCmd(e), newMigrateCmd(e), newManCmd())
	add("admin", newNotifyCmd(e), newSettingsCmd(e), newOfficeCmd(e), newAgencyCmd(e))
	root.SetHelpCommandGroupID("admin")
	root.SetCompletionCommandGroupID("admin")
	walk(root, func(c *cobra.Command) {
		c.SetFlagErrorFunc(flagError)
		c.SilenceUsage, c.SilenceErrors = true, true
		// Usages name their value in backquotes (`FILE`), as pflag reads
		// them; the help shows the word without the quotes.
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { f.Usage = strings.ReplaceAll(f.Usage, "`", "") })
		}
	})
	return root
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, s := range c.Commands() {
		walk(s, fn)
	}
}

// flagError names the command and points at its help.
func flagError(c *cobra.Command, err error) error {
	if c.HasAvailableSubCommands() && c.HasParent() && strings.HasPrefix(err.Error(), "unknown") {
		return fail(ExitInvalid, "%s: the subcommand comes first: %s %s ... (see %s --help)", commandName(c), c.CommandPath(),
			strings.NewReplacer(", ", "|", " or ", "|").Replace(verbs(c)), c.CommandPath())
	}
	return fail(ExitInvalid, "%s: %v (see %s --help)", commandName(c), err, c.CommandPath())
}

// commandName is the command's path without the program: "invoice export".
func commandName(c *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), c.Root().Name()), " ")
}

// newManCmd prints the man page to the command's own output (fang's would
// print to the process's, which over SSH is the server's log).
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Print the manual page (roff): offduty man | man -l -",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mango.NewManPage(1, cmd.Root())
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}

// check runs before every command: over SSH it refuses what is local-only
// and the flags that would name the server's files or clock.
func (e *env) check(cmd *cobra.Command) error {
	if e.remote == nil {
		return nil
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c == cmd.Root() && c != cmd {
			break // the root's mark is the console's, not its commands'
		}
		if why, ok := c.Annotations[localOnly]; ok {
			if pg, ok := c.Annotations[localOnlyPostgres]; ok && e.remote.Store != nil && e.remote.Store.Postgres() {
				why = pg // what the server's engine makes of it
			}
			return fail(ExitRefused, "%s runs on the server's machine only, not over SSH: %s", cmdLabel(cmd), why)
		}
	}
	for _, name := range []string{"db", "now", "demo"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			what := map[string]string{"db": "the server's database is the only one", "now": "the server's clock is the only one",
				"demo": "the server's database is the only one"}[name]
			return fail(ExitRefused, "%s: --%s is not available over SSH: %s", cmdLabel(cmd), name, what)
		}
	}
	var refused error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if refused == nil && f.Annotations != nil && f.Annotations[localOnly] != nil {
			refused = fail(ExitRefused, "%s: --%s is not available over SSH: %s", cmdLabel(cmd), f.Name, f.Annotations[localOnly][0])
		}
	})
	return refused
}

func cmdLabel(cmd *cobra.Command) string {
	if n := commandName(cmd); n != "" {
		return n
	}
	return "the console"
}

// localFlag marks a flag that names a server file: refused over SSH.
func localFlag(fs *pflag.FlagSet, name, why string) {
	_ = fs.SetAnnotation(name, localOnly, []string{why})
}

// noArgs refuses positional arguments, naming the first.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fail(ExitInvalid, "%s: unexpected argument %q (see %s --help)", commandName(c), args[0], c.CommandPath())
	}
	return nil
}

// subcommands is the Args of a command that only groups others: an
// argument that is not one of them is an unknown subcommand.
func subcommands(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fail(ExitInvalid, "%s: unknown subcommand %q: want %s (see %s --help)", commandName(c), args[0], verbs(c), c.CommandPath())
}

// verbs lists a command's subcommands: "show, export or issue".
func verbs(c *cobra.Command) string {
	var names []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// group makes c a command that only groups its subcommands: alone it says
// which to use.
func group(c *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	c.AddCommand(subs...)
	c.Args = subcommands
	c.RunE = func(c *cobra.Command, _ []string) error {
		return fail(ExitInvalid, "%s: want a subcommand: %s (see %s --help)", commandName(c), verbs(c), c.CommandPath())
	}
	return c
}
