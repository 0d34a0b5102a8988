package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutputFileRefusals: -o replaces a regular file only. A device, a FIFO
// or a folder is refused before anything is computed and left as it was; a
// FIFO is never opened (which would block); an existing file keeps its
// mode; a new payroll export is readable by its owner only.
func TestOutputFileRefusals(t *testing.T) {
	env := demoEnv(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "folder")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	linkToDevice := filepath.Join(dir, "null-link")
	if err := os.Symlink("/dev/null", linkToDevice); err != nil {
		t.Fatal(err)
	}
	number := firstNumber(t, env)
	for _, target := range []struct{ path, why string }{
		{"/dev/null", "not a regular file"},
		{fifo, "not a regular file"},
		{sub, "is a folder"},
		{linkToDevice, "not a regular file"},
		{filepath.Join(dir, "missing", "x.csv"), "no folder"},
	} {
		for _, args := range [][]string{
			{"invoice", "export", number, "--format", "csv", "-o", target.path},
			{"payroll", "export", "--period", "2026-11-10", "-o", target.path},
			{"shifts", "export", "--officer", "WV1702", "-o", target.path},
		} {
			done := make(chan result, 1)
			go func() { done <- runWith(env, args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%v: still running after 10 s (opened the FIFO?)", args)
			}
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, target.why) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", args, r.code, r.stdout, r.stderr, target.why)
			}
		}
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("/dev/null is no longer a device: %v %v", st.Mode(), err)
	}

	// Modes: an existing file keeps its own; new ones: invoices 0644,
	// payroll 0600 (everyone's pay).
	kept := filepath.Join(dir, "kept.csv")
	if err := os.WriteFile(kept, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		path string
		mode os.FileMode
	}{
		{[]string{"invoice", "export", number, "-o", kept}, kept, 0o640},
		{[]string{"payroll", "export", "--period", "2026-11-10", "-o", kept}, kept, 0o640},
		{[]string{"payroll", "export", "--period", "2026-11-10", "-o", filepath.Join(dir, "pay.csv")}, filepath.Join(dir, "pay.csv"), 0o600},
	} {
		if r := runWith(env, c.args...); r.code != 0 {
			t.Fatalf("%v: exit %d %s", c.args, r.code, r.stderr)
		}
		st, err := os.Stat(c.path)
		if err != nil || st.Mode().Perm() != c.mode {
			t.Errorf("%v: mode %v (%v), want %v", c.args, st.Mode().Perm(), err, c.mode)
		}
	}
	// A link to a regular file: the file it points to is replaced, the
	// link stays a link.
	link := filepath.Join(dir, "latest.csv")
	if err := os.Symlink(kept, link); err != nil {
		t.Fatal(err)
	}
	if r := runWith(env, "invoice", "export", number, "-o", link); r.code != 0 {
		t.Fatalf("export through a link: %d %s", r.code, r.stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file: %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(kept); !strings.HasPrefix(string(b), "invoice,") {
		t.Errorf("the linked file holds %q", b[:min(len(b), 40)])
	}
	// Nothing temporary is left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func firstNumber(t *testing.T, env map[string]string) string {
	t.Helper()
	invs := invoicesJSON(t, runWith(env, "invoices", "list", "--state", "paid", "--json"))
	if len(invs) == 0 || invs[0].Number == nil {
		t.Fatal("the demo has no paid invoice")
	}
	return *invs[0].Number
}

// TestCompletionManVersion: the shell completions, the man page and the
// version print real output.
func TestCompletionManVersion(t *testing.T) {
	env := testEnv(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"completion", "bash"}, []string{"__start_offduty", "complete -o default"}},
		{[]string{"completion", "zsh"}, []string{"#compdef offduty"}},
		{[]string{"completion", "fish"}, []string{"complete -c offduty"}},
		{[]string{"man"}, []string{".TH OFFDUTY 1", "invoice", "serve"}},
		{[]string{"--version"}, []string{"offduty version"}},
		{[]string{"--now", "2026-12-01 09:00", "jobs", "--demo=false"}, []string{"No shifts on Tue 01 Dec 2026."}},
		{[]string{"jobs", "--demo=false", "--now", "2026-12-01 09:00"}, []string{"No shifts on Tue 01 Dec 2026."}},
	} {
		r := runWith(env, c.args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d %s", c.args, r.code, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: no %q in\n%.400s", c.args, w, r.stdout)
			}
		}
	}
}
