package cli

import (
	"io"
	"os"

	"github.com/spf13/pflag"

	"offduty/ui/export"
)

// outputFlag registers -o/--output.
func outputFlag(fs *pflag.FlagSet, p *string, usage string) {
	fs.StringVarP(p, "output", "o", "", usage)
}

// toStdout reports whether -o means standard output.
func toStdout(out string) bool { return out == "" || out == "-" }

// checkOut checks -o before anything is computed: over SSH there is no
// file of the server to name (the output comes on stdout); locally the
// target must be a regular file or a new one in an existing folder.
func (e *env) checkOut(cmd, out string) error {
	if toStdout(out) {
		return nil
	}
	if e.remote != nil {
		return fail(ExitRefused, "%s: -o is not available over SSH: no file of the server is written; the output comes on stdout: ssh ... %s > FILE", cmd, cmd)
	}
	if _, _, err := export.Target(out, 0o600); err != nil {
		return fail(ExitInvalid, "%s: -o: %v", cmd, err)
	}
	return nil
}

// writeOut writes to stdout, or to the file -o names, atomically: only a
// regular file is replaced, an existing one keeps its mode, a new one gets
// perm.
func (e *env) writeOut(out string, perm os.FileMode, write func(io.Writer) error) error {
	if toStdout(out) {
		return write(e.stdout)
	}
	return export.WriteFile(out, perm, write)
}

// stdoutIsTerminal reports whether binary output would land on a terminal:
// a local one, or the user's own over an SSH session with a PTY.
func (e *env) stdoutIsTerminal() bool {
	if e.remote != nil {
		return e.remote.Terminal
	}
	return isTerminal(e.stdout)
}
