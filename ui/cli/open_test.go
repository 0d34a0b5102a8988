package cli

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestNewDatabaseIsAnnounced: a new database is announced on stderr with
// where it is; an existing one is not.
func TestNewDatabaseIsAnnounced(t *testing.T) {
	env := testEnv(t)
	var out, errb bytes.Buffer
	code := run([]string{"agencies"}, &out, &errb, func(k string) string { return env[k] })
	want := "offduty: created a new database at " + env["OFFDUTY_DB"] + " (the two agencies and demo data)\n"
	if code != 0 || errb.String() != want {
		t.Fatalf("exit %d, stderr %q, want %q", code, errb.String(), want)
	}
	errb.Reset()
	if code := run([]string{"agencies"}, &out, &errb, func(k string) string { return env[k] }); code != 0 || errb.Len() != 0 {
		t.Errorf("second run: exit %d, stderr %q", code, errb.String())
	}
	if st, err := os.Stat(env["OFFDUTY_DB"]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the new database: %v %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(env["OFFDUTY_DB"]))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), newPrefix) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestOpenRefusals: another program's SQLite file, a file that is not
// SQLite, and a database of a newer offduty are refused before a byte is
// written; a read-only file serves reading commands and refuses changes.
func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other-app.db")
	db, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("shopping list\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{other, "another program's SQLite database (tables: notes)"},
		{text, "is not a SQLite database"},
		{dir, "is a folder"},
	} {
		var before [32]byte
		if c.path != dir {
			before = fileSum(t, c.path)
		}
		env := map[string]string{"OFFDUTY_DB": c.path, "OFFDUTY_NOW": "2026-11-26 09:00"}
		for _, args := range [][]string{{"jobs"}, {"agencies"}, {"cancel", "1"}} {
			r := runWith(env, args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Errorf("%s %v: exit %d, stderr %q (want %q)", filepath.Base(c.path), args, r.code, r.stderr, c.want)
			}
		}
		if c.path != dir && fileSum(t, c.path) != before {
			t.Errorf("%s was changed", c.path)
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(c.path + suffix); err == nil {
				t.Errorf("%s%s was created", c.path, suffix)
			}
		}
	}

	// A newer schema: refused, with the version that made it.
	env := demoEnv(t)
	db, err = sql.Open("sqlite", "file:"+env["OFFDUTY_DB"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	db.Close()
	before := fileSum(t, env["OFFDUTY_DB"])
	for _, args := range [][]string{{"jobs"}, {"cancel", "1"}, {"invoices", "generate", "--save"}} {
		r := runWith(env, args...)
		if r.code == 0 || !strings.Contains(r.stderr, "was made by a newer offduty (schema version 99, 0099_future.sql") {
			t.Errorf("newer schema %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if fileSum(t, env["OFFDUTY_DB"]) != before {
		t.Error("the newer database was written to")
	}

	// Read-only: reading commands work, changes are refused with why.
	ro := demoEnv(t)
	if err := os.Chmod(ro["OFFDUTY_DB"], 0o444); err != nil {
		t.Fatal(err)
	}
	before = fileSum(t, ro["OFFDUTY_DB"])
	for _, args := range [][]string{{"jobs"}, {"agencies"}, {"invoices", "list"}, {"jobs", "--json"}} {
		if r := runWith(ro, args...); r.code != 0 || r.stdout == "" {
			t.Errorf("read-only %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	r := runWith(ro, "cancel", firstJob(t, ro))
	if r.code != 2 || !strings.Contains(r.stderr, "open for reading only") {
		t.Errorf("a change to a read-only file: exit %d, stderr %q", r.code, r.stderr)
	}
	if fileSum(t, ro["OFFDUTY_DB"]) != before {
		t.Error("the read-only file was written to")
	}
}

func firstJob(t *testing.T, env map[string]string) string {
	t.Helper()
	jobs := jobsJSON(t, env, "2026-11-27")
	for _, j := range jobs {
		if j.Status != "cancelled" && j.Status != "completed" {
			return fmt.Sprint(j.ID)
		}
	}
	t.Fatal("no live job on 27 Nov")
	return ""
}

// TestFirstStartIsAtomic kills first starts (which create the database and
// its demo data) at seeded random moments: each leaves either no database
// or a whole one, and the next start completes.
func TestFirstStartIsAtomic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	rng := rand.New(rand.NewPCG(killSeed(t), 1))
	probe := testEnv(t)
	began := time.Now()
	if out, err := command(t, probe, "agencies").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	whole := time.Since(began)
	want := counts(t, probe["OFFDUTY_DB"])
	t.Logf("a first start takes %s; a whole database holds %v", whole.Round(time.Millisecond), want)
	for trial := range 6 {
		env := testEnv(t)
		cmd := command(t, env, "agencies")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		after := time.Duration(rng.Int64N(int64(whole)))
		time.Sleep(after)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(env["OFFDUTY_DB"]); err == nil {
			if got := counts(t, env["OFFDUTY_DB"]); got != want {
				t.Errorf("trial %d, killed after %s: a partial database %v, want %v", trial, after, got, want)
			}
		}
		if r := runWith(env, "agencies"); r.code != 0 {
			t.Fatalf("trial %d: the next start: exit %d %s", trial, r.code, r.stderr)
		}
		if got := counts(t, env["OFFDUTY_DB"]); got != want {
			t.Errorf("trial %d: after the next start %v, want %v", trial, got, want)
		}
	}
}

// counts is how many agencies, customers, officers, jobs and invoices a
// database holds.
func counts(t *testing.T, path string) [5]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out [5]int
	for i, table := range []string{"agencies", "customers", "officers", "jobs", "invoices"} {
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&out[i]); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
	}
	return out
}
