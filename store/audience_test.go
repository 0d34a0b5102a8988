package store_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"offduty/store"
	"offduty/store/storetest"
)

// audienceJob writes, on one of Acme's jobs, a note and a file for each
// audience, and reduces the job so it has a fee.
func audienceJob(t *testing.T, w *scopeWorld) int64 {
	t.Helper()
	ctx := context.Background()
	job := w.acmeJobs[2] // approved, ahead, two officers
	for _, a := range store.Audiences {
		n, err := w.s.AddNote(ctx, localActor, job, "note for "+string(a), a)
		if err != nil || n.Audience != a {
			t.Fatalf("AddNote(%s) = %+v, %v", a, n, err)
		}
		m, err := w.s.AttachMedia(ctx, danSSH, job, string(a)+".txt", strings.NewReader("file for "+string(a)), a)
		if err != nil || m.Audience != a {
			t.Fatalf("AttachMedia(%s) = %+v, %v", a, m, err)
		}
	}
	if _, err := w.s.CancelOrReduce(ctx, localActor, store.CancelPlan{JobID: job, At: now(), Officers: 1, Reason: "smaller crowd"}); err != nil {
		t.Fatal(err)
	}
	return job
}

// readMedia reads an attachment's content as actor (OpenMedia).
func readMedia(t *testing.T, s *store.Store, actor string, m store.Media) string {
	t.Helper()
	r, err := s.OpenMedia(context.Background(), actor, m)
	if err != nil {
		t.Fatalf("OpenMedia(%s, %s): %v", actor, m.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %s: %v", m.Name, err)
	}
	return string(b)
}

func noteAudiences(x store.JobExtras) (notes, media []string) {
	for _, n := range x.Notes {
		notes = append(notes, string(n.Audience)+":"+n.Body)
	}
	for _, m := range x.Media {
		media = append(media, string(m.Audience)+":"+m.Name)
	}
	return notes, media
}

// Staff read every note and file; a customer user only what was written
// for the customer, on its own account's jobs, with no staff name and no
// path on the server; nobody over SSH is given a path.
func TestAudienceScopesExtras(t *testing.T) {
	w := newScopeWorld(t)
	ctx := context.Background()
	job := audienceJob(t, w)
	allNotes := []string{"staff:note for staff", "officers:note for officers", "customer:note for customer"}
	allMedia := []string{"staff:staff.txt", "officers:officers.txt", "customer:customer.txt"}
	for _, actor := range []string{localActor, olgaSSH, danSSH, samSSH} {
		x, err := w.s.Extras(ctx, actor, job)
		if err != nil {
			t.Fatalf("%s: %v", actor, err)
		}
		notes, media := noteAudiences(x)
		if !slices.Equal(notes, allNotes) || !slices.Equal(media, allMedia) || len(x.Fees) != 1 {
			t.Errorf("%s reads notes %q, media %q, %d fees; want every one", actor, notes, media, len(x.Fees))
		}
		remote := strings.HasSuffix(actor, "@ssh")
		for _, m := range x.Media {
			if remote && m.Path != "" {
				t.Errorf("%s is given the server path %s", actor, m.Path)
			}
			if !remote && m.Path != w.s.MediaPath(m.SHA256) {
				t.Errorf("the local operator lost the path: %+v", m)
			}
			if !remote && !storetest.Postgres() && m.Path != filepath.Join(w.s.MediaDir(), m.SHA256) {
				t.Errorf("the local operator lost the path: %+v", m)
			}
		}
		if x.Notes[0].Author != localActor || x.Media[0].AddedBy != danSSH || x.Fees[0].Actor != localActor {
			t.Errorf("%s: staff names %q %q %q", actor, x.Notes[0].Author, x.Media[0].AddedBy, x.Fees[0].Actor)
		}
		for _, m := range x.Media { // the content, on either engine
			if got := readMedia(t, w.s, actor, m); got != "file for "+string(m.Audience) {
				t.Errorf("%s reads %s as %q", actor, m.Name, got)
			}
		}
	}
	staffX, err := w.s.Extras(ctx, localActor, job)
	if err != nil {
		t.Fatal(err)
	}

	x, err := w.s.Extras(ctx, coraSSH, job)
	if err != nil {
		t.Fatal(err)
	}
	notes, media := noteAudiences(x)
	if !slices.Equal(notes, []string{"customer:note for customer"}) || !slices.Equal(media, []string{"customer:customer.txt"}) {
		t.Fatalf("the customer reads notes %q, media %q; want only what was written for the customer", notes, media)
	}
	if len(x.Fees) != 1 || x.Fees[0].Total == "" {
		t.Errorf("the customer does not see the fee on its own job: %+v", x.Fees)
	}
	if x.Notes[0].Author != "office" || x.Media[0].AddedBy != "office" || x.Fees[0].Actor != "office" {
		t.Errorf("staff names reach the customer: %q %q %q", x.Notes[0].Author, x.Media[0].AddedBy, x.Fees[0].Actor)
	}
	if x.Media[0].Path != "" {
		t.Errorf("the customer is given the server path %s", x.Media[0].Path)
	}
	// The customer reads the content of its file, and of no other.
	if got := readMedia(t, w.s, coraSSH, x.Media[0]); got != "file for customer" {
		t.Errorf("the customer reads %q", got)
	}
	for _, m := range staffX.Media {
		if m.Audience == store.AudienceCustomer {
			continue
		}
		r, err := w.s.OpenMedia(ctx, coraSSH, m)
		if r != nil {
			r.Close()
		}
		forbidden(t, "the customer opening "+m.Name, err, "not shared with you")
		_, err = w.s.OpenMedia(ctx, goneSSH, m)
		forbidden(t, "a removed user opening "+m.Name, err)
	}
	if _, err := w.s.OpenMedia(ctx, localActor, store.Media{ID: 99999}); store.ErrorCode(err) != store.ENotFound {
		t.Errorf("OpenMedia of no attachment: %v", err)
	}

	// Another account's job: refused, and nothing of it comes back.
	other := w.otherJobs[0]
	if _, err := w.s.AddNote(ctx, localActor, other, "Other Arena's shared note", store.AudienceCustomer); err != nil {
		t.Fatal(err)
	}
	x, err = w.s.Extras(ctx, coraSSH, other)
	forbidden(t, "the customer reading another account's notes", err, "not on your account")
	if len(x.Notes)+len(x.Media)+len(x.Fees) != 0 {
		t.Errorf("another account's extras came back: %+v", x)
	}
	// A removed user reads nothing.
	_, err = w.s.Extras(ctx, goneSSH, job)
	forbidden(t, "a removed user", err)
}

// VisibleTo is the one rule: staff read everything, a customer what is
// written for the customer, an officer (a later role) what is written for
// the officers or the customer, any other role nothing.
func TestAudienceVisibleTo(t *testing.T) {
	want := map[string]string{ // role -> audiences it reads
		"":                    "staff officers customer",
		store.RoleOperator:    "staff officers customer",
		store.RoleDispatcher:  "staff officers customer",
		store.RoleSupervisor:  "staff officers customer",
		store.RoleCustomer:    "customer",
		"officer":             "officers customer",
		"agency":              "",
		"someone-else-entire": "",
	}
	for role, w := range want {
		v := store.Viewer{Name: "x", Role: role}
		if role == store.RoleCustomer {
			v.CustomerID = 1
		}
		var got []string
		for _, a := range store.Audiences {
			if a.VisibleTo(v) {
				got = append(got, string(a))
			}
		}
		if strings.Join(got, " ") != w {
			t.Errorf("role %q reads %q, want %q", role, got, w)
		}
	}
	if !store.PostOrdersAudience.ReachesOfficers() || !store.PostOrdersAudience.ReachesCustomer() {
		t.Error("post orders must reach the officers on the job and the customer")
	}
	if store.AudienceStaff.ReachesOfficers() || store.AudienceOfficers.ReachesCustomer() {
		t.Error("staff or officers notes reach too far")
	}
}

// countingReader fails the test if it is read.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) { r.n++; return 0, io.EOF }

// An audience that is not staff, officers or customer is refused with the
// choices named, before a file is read, and nothing is written.
func TestAudienceInvalidRefused(t *testing.T) {
	w := newScopeWorld(t)
	ctx := context.Background()
	job := w.acmeJobs[2]
	db := rawDB(t, w.path)
	notes0 := count(t, db, `SELECT count(*) FROM job_notes`)
	media0 := count(t, db, `SELECT count(*) FROM media`)
	for _, bad := range []store.Audience{"everyone", "public", "staff only", "customers", "officer"} {
		_, err := w.s.AddNote(ctx, localActor, job, "hello", bad)
		e := storeErr(t, err, store.EInvalid, "audience")
		for _, want := range []string{strconv.Quote(string(bad)), "staff", "officers", "customer"} {
			if !strings.Contains(e.Message, want) {
				t.Errorf("AddNote(%q): message %q lacks %q", bad, e.Message, want)
			}
		}
		r := &countingReader{}
		_, err = w.s.AttachMedia(ctx, localActor, job, "x.txt", r, bad)
		storeErr(t, err, store.EInvalid, "audience")
		if r.n != 0 {
			t.Errorf("AttachMedia(%q) read the file before refusing the audience", bad)
		}
		file := filepath.Join(t.TempDir(), "x.txt")
		os.WriteFile(file, []byte("x"), 0o600)
		_, err = w.s.AttachMediaFile(ctx, localActor, job, file, bad)
		storeErr(t, err, store.EInvalid, "audience")
	}
	if n := count(t, db, `SELECT count(*) FROM job_notes`); n != notes0 {
		t.Errorf("refused notes were written: %d -> %d", notes0, n)
	}
	if n := count(t, db, `SELECT count(*) FROM media`); n != media0 {
		t.Errorf("refused media were written: %d -> %d", media0, n)
	}
	if left := mediaLeft(t, w.s, w.path); len(left) != 0 {
		t.Errorf("a refused attachment left files: %v", left)
	}
	// "" is the default (staff); case and spaces do not matter.
	for in, want := range map[store.Audience]store.Audience{"": store.AudienceStaff, " Customer ": store.AudienceCustomer, "OFFICERS": store.AudienceOfficers} {
		n, err := w.s.AddNote(ctx, localActor, job, "typed "+string(in), in)
		if err != nil || n.Audience != want {
			t.Errorf("AddNote(%q) = %q, %v; want %q", in, n.Audience, err, want)
		}
	}
	// The column refuses what the API would.
	if _, err := db.Exec(`UPDATE job_notes SET audience = 'public' WHERE job_id = ?`, job); err == nil {
		t.Error("the database took audience 'public'")
	}
}

// Notes and files written before the audience existed read as staff only
// once the migration adds the column: no customer sees them.
func TestAudienceMigrationDefaultsToStaff(t *testing.T) {
	storetest.SQLiteOnly(t, "the audience migration (0007) is one of SQLite's: a PostgreSQL database starts from the whole schema, audience included")
	ctx := context.Background()
	w := newScopeWorld(t)
	job := w.acmeJobs[2]
	version := 0
	for _, f := range migrationFiles(t) {
		if strings.Contains(f, "audience") {
			version, _ = strconv.Atoi(f[:4])
		}
	}
	if version == 0 {
		t.Fatal("no audience migration")
	}
	if err := w.s.Close(); err != nil {
		t.Fatal(err)
	}
	// Turn the file back into the schema before the migration, with a note
	// and a file as the console wrote them then.
	db := rawDB(t, w.path)
	for _, q := range []string{
		`ALTER TABLE job_notes DROP COLUMN audience`,
		`ALTER TABLE media DROP COLUMN audience`,
		fmt.Sprintf(`DELETE FROM schema_migrations WHERE version = %d`, version),
		fmt.Sprintf(`INSERT INTO job_notes (job_id, at, author, body) VALUES (%d, '2027-01-02T16:00:00Z', 'dan@ssh', 'gate code 4411')`, job),
		fmt.Sprintf(`INSERT INTO media (job_id, sha256, name, size, type, added_at, added_by) VALUES (%d, '%s', 'badge.jpg', 3, 'image/jpeg', '2027-01-02T16:00:00Z', 'dan@ssh')`, job, strings.Repeat("ab", 32)),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s := openStore(t, w.path)
	if v, err := s.SchemaVersion(ctx); err != nil || v != store.KnownSchema() {
		t.Fatalf("SchemaVersion = %d, %v; want %d (the audience migration applied again)", v, err, store.KnownSchema())
	}
	db = rawDB(t, w.path)
	if n := count(t, db, `SELECT count(*) FROM job_notes WHERE audience <> 'staff'`) + count(t, db, `SELECT count(*) FROM media WHERE audience <> 'staff'`); n != 0 {
		t.Errorf("%d existing rows are not staff only", n)
	}
	x, err := s.Extras(ctx, localActor, job)
	if err != nil || len(x.Notes) != 1 || x.Notes[0].Audience != store.AudienceStaff || len(x.Media) != 1 || x.Media[0].Audience != store.AudienceStaff {
		t.Fatalf("staff read %+v, %v", x, err)
	}
	if x, err := s.Extras(ctx, coraSSH, job); err != nil || len(x.Notes)+len(x.Media) != 0 {
		t.Fatalf("the customer reads older notes or files: %+v, %v", x, err)
	}
}
