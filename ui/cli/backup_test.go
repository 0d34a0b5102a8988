package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"offduty/store"
)

// TestBackupRestore takes a backup while bookings go on in another
// connection, restores it, and finds a database that check passes holding
// every booking acknowledged before the backup began, and the media files.
func TestBackupRestore(t *testing.T) {
	env := demoEnv(t)
	dir := t.TempDir()
	photo := filepath.Join(dir, "gate.jpg")
	if err := os.WriteFile(photo, []byte("\xff\xd8\xff\xe0 a photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	job := firstJob(t, env)
	if r := runWith(env, "job", "attach", job, photo); r.code != 0 {
		t.Fatalf("attach: %d %s", r.code, r.stderr)
	}

	// Bookings in another connection, before and during the backup.
	var mu sync.Mutex
	var acked []int64 // acknowledged booking ids, in order
	var ackedAt []time.Time
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		withStore(t, env, func(ctx context.Context, s *store.Store) {
			custs, err := s.Customers(ctx)
			if err != nil || len(custs) == 0 || len(custs[0].Sites) == 0 {
				t.Error("no customer with a site", err)
				return
			}
			loc := denverLoc(t)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Date(2027, 1, 4+i%20, 8, 0, 0, 0, loc)
				ids, err := s.CreateJobs(ctx, "booker", store.JobInput{CustomerID: custs[0].ID, SiteID: custs[0].Sites[0].ID, Agency: "west-valley-city",
					Start: start, End: start.Add(4 * time.Hour), Officers: 1, Venue: "retail", Received: time.Date(2026, 11, 26, 9, 0, 0, 0, loc)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked, ackedAt = append(acked, ids[0]), append(ackedAt, time.Now())
				mu.Unlock()
			}
		})
	}()
	time.Sleep(150 * time.Millisecond)
	archive := filepath.Join(dir, "office.tar.gz")
	began := time.Now()
	r := runWith(env, "backup", "-o", archive)
	close(stop)
	<-done
	if r.code != 0 || !strings.Contains(r.stdout, "Backed up") || !strings.Contains(r.stdout, "1 media file") {
		t.Fatalf("backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if st, err := os.Stat(archive); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the archive: %v %v", st.Mode(), err)
	}
	var before []int64
	mu.Lock()
	for i, at := range ackedAt {
		if at.Before(began) {
			before = append(before, acked[i])
		}
	}
	t.Logf("%d bookings acknowledged before the backup began, %d in all", len(before), len(acked))
	mu.Unlock()
	if len(before) == 0 {
		t.Fatal("no booking before the backup")
	}

	// Restored into a new place: sound, with every booking acknowledged
	// before the backup began, and the photo.
	restored := map[string]string{"OFFDUTY_DB": filepath.Join(t.TempDir(), "restored.db"), "OFFDUTY_NOW": env["OFFDUTY_NOW"]}
	if r := runWith(restored, "restore", archive); r.code != 0 || !strings.Contains(r.stdout, "Restored") {
		t.Fatalf("restore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWith(restored, "check"); r.code != 0 || !strings.Contains(r.stdout, "The database is sound.") {
		t.Fatalf("check of the restored database: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	db, err := sql.Open("sqlite", "file:"+restored["OFFDUTY_DB"]+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range before {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM jobs WHERE id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Errorf("booking %d, acknowledged before the backup, is not in it (%v)", id, err)
		}
	}
	var sum string
	if err := db.QueryRow(`SELECT sha256 FROM media LIMIT 1`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if got, err := fileSHA256(filepath.Join(filepath.Dir(restored["OFFDUTY_DB"]), "media", sum)); err != nil || got != sum {
		t.Errorf("the restored photo: %s %v", got, err)
	}

	// Restoring over a database moves it aside; refused while in use; a
	// damaged archive restores nothing.
	if r := runWith(restored, "restore", archive); r.code != 0 || !strings.Contains(r.stdout, "is kept as") {
		t.Errorf("restore over a database: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	release, err := lockDB(restored["OFFDUTY_DB"], false) // as the console would
	if err != nil {
		t.Fatal(err)
	}
	if r := runWith(restored, "restore", archive); r.code != 1 || !strings.Contains(r.stderr, "is in use") {
		t.Errorf("restore while in use: exit %d %s", r.code, r.stderr)
	}
	release()
	b, _ := os.ReadFile(archive)
	damaged := filepath.Join(dir, "damaged.tar.gz")
	os.WriteFile(damaged, b[:len(b)/2], 0o600)
	keep := fileSum(t, restored["OFFDUTY_DB"])
	if r := runWith(restored, "restore", damaged); r.code != 1 || !strings.Contains(r.stderr, "damaged") {
		t.Errorf("a damaged archive: exit %d %s", r.code, r.stderr)
	}
	if fileSum(t, restored["OFFDUTY_DB"]) != keep {
		t.Error("a damaged archive changed the database")
	}
}
