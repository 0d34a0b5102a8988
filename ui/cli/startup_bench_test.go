package cli

// Start-up measured from outside: the offduty binary is built (go build of
// the module's main package, once a run), started on a pseudo-terminal of
// 120x40 as a user would start it, and timed from the moment it is started
// to the first frame that shows the Today board with its data (the board's
// head line, "N shifts  M positions ..."). The process is then killed, off
// the clock. This file uses nothing else of its package, so the same file
// measures an older offduty (placed in that tree's main package).
//
//	go test ./ui/cli -run '^$' -bench StartToToday -benchtime 20x
//
// The demo database is made by the first start (demo data around the clock
// of demoClock); the 1M one is seed's BenchmarkMonthOpen1M database
// (offduty-bench-1m-v2.db in the temporary folder: go test -bench MonthOpen1M
// ./seed builds it), which the binary opens from a copy migrated to its
// schema (made once a schema, beside it), so the shared file is never
// changed. OFFDUTY_BENCH_1M names another database to use as it is.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"offduty/store/storetest"
)

// demoClock is the clock of every start: the demo data and the 1M history's
// demo part are around it (seed's demoNow).
const demoClock = "2026-11-26 09:00"

func BenchmarkStartToTodayDemo(b *testing.B) {
	bin := startupBinary(b)
	db := filepath.Join(b.TempDir(), "offduty.db")
	startToToday(b, bin, db, true) // the first start creates it, with the demo data
	benchStart(b, bin, db)
}

func BenchmarkStartToToday1M(b *testing.B) {
	bin := startupBinary(b)
	db := os.Getenv("OFFDUTY_BENCH_1M")
	if db == "" {
		db = migrated1M(b, bin)
	}
	benchStart(b, bin, db)
}

func benchStart(b *testing.B, bin, db string) {
	startToToday(b, bin, db, false) // the page cache warmed, as for a user's second start
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		took = append(took, startToToday(b, bin, db, false))
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-median")
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// startupBinary builds the module's main package once a run.
func startupBinary(b testing.TB) string {
	b.Helper()
	binOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			binErr = err
			return
		}
		// what earlier runs left (a benchmark has no end to clean up at)
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "offduty-startup-bin-*"))
		for _, d := range old {
			if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > 10*time.Minute {
				os.RemoveAll(d)
			}
		}
		dir, err := os.MkdirTemp("", "offduty-startup-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "offduty")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// moduleRoot is the folder of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = up
	}
}

// migrated1M is a copy of seed's 1M database migrated to this binary's
// schema, made once per set of migrations (named by their hash).
func migrated1M(b *testing.B, bin string) string {
	b.Helper()
	shared := filepath.Join(os.TempDir(), "offduty-bench-1m-v2.db")
	if _, err := os.Stat(shared); err != nil {
		b.Skip("no 1M database at " + shared + ": go test -run '^$' -bench MonthOpen1M ./seed builds it")
	}
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	hash, err := storetest.MigrationsHash(filepath.Join(root, "store", "migrations"))
	if err != nil {
		b.Fatalf("migrations: %v", err)
	}
	path := filepath.Join(os.TempDir(), "offduty-bench-1m-v2-schema-"+hash+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := fmt.Sprintf("%s.copy-%d", path, os.Getpid())
	defer os.Remove(tmp)
	if err := copyBenchFile(shared, tmp); err != nil {
		b.Fatal(err)
	}
	// a first command migrates the copy (the binary's own migrations); its
	// store's last connection folds the log into the file as it closes
	cmd := exec.Command(bin, "agencies")
	cmd.Env = append(os.Environ(), "OFFDUTY_DB="+tmp, "OFFDUTY_NOW="+demoClock)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("migrating %s: %v\n%s", tmp, err, out)
	}
	if st, err := os.Stat(tmp + "-wal"); err == nil && st.Size() > 0 {
		b.Fatalf("%s kept a write-ahead log after its first start", tmp)
	}
	for _, suffix := range []string{"-wal", "-shm", ".lock"} {
		os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

func copyBenchFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// escapes are the terminal's control sequences (CSI, OSC, DCS and the
// like), taken out of what the console draws before looking for text.
var escapes = regexp.MustCompile(`\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|[ -/]*[0-~])`)

// boardLoaded is the head line of the Today board, drawn once its data is in.
var boardLoaded = []byte("positions")

// startToToday starts the console on db at 120x40 and returns how long it
// took to draw the Today board with its data; the process is killed after,
// or, for the start that makes the database (first), quit with ctrl+c and
// waited for.
func startToToday(b *testing.B, bin, db string, first bool) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, "console")
	cmd.Env = append(os.Environ(), "OFFDUTY_DB="+db, "OFFDUTY_NOW="+demoClock, "TERM=xterm-256color", "COLORTERM=truecolor")
	began := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		b.StopTimer()
		if first {
			f.Write([]byte{3}) // ctrl+c
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		} else {
			cmd.Process.Kill()
			cmd.Wait()
		}
		f.Close()
		b.StartTimer()
	}()
	limit := 10 * time.Second
	if first {
		limit = 2 * time.Minute
	}
	type result struct {
		at  time.Duration
		err error
	}
	done := make(chan result, 1)
	go func() {
		var raw []byte
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			raw = append(raw, buf[:n]...)
			if n > 0 && bytes.Contains(escapes.ReplaceAll(raw, nil), boardLoaded) {
				done <- result{at: time.Since(began)}
				io.Copy(io.Discard, f) // keep the console's output flowing until it is killed
				return
			}
			if err != nil {
				text := escapes.ReplaceAll(raw, nil)
				if len(text) > 2000 {
					text = text[len(text)-2000:]
				}
				done <- result{err: fmt.Errorf("console output ended before the board was drawn: %v\n%q", err, text)}
				return
			}
		}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			b.Fatal(r.err)
		}
		return r.at
	case <-time.After(limit):
		b.Fatalf("no board with data after %s", limit)
	}
	return 0
}
