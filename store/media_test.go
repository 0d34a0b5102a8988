package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

// mediaJob is a seeded store with one approved job and the users of the
// scope tests (cora a customer, olga an operator, dan a dispatcher, gone
// removed).
func mediaJob(t *testing.T) (*store.Store, string, store.Job) {
	t.Helper()
	ctx := context.Background()
	s, path := seededStore(t)
	cust, site := customerAndSite(t, s, "Media Co")
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	for _, u := range []struct {
		name, role string
		cust       int64
	}{{"cora", store.RoleCustomer, cust}, {"olga", store.RoleOperator, 0}, {"dan", store.RoleDispatcher, 0}, {"gone", store.RoleSupervisor, 0}} {
		if _, err := s.CreateUser(ctx, localActor, u.name, u.role, u.cust, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveUser(ctx, localActor, "gone"); err != nil {
		t.Fatal(err)
	}
	return s, path, j
}

// tripwire is a reader that must never be read.
type tripwire struct{ reads atomic.Int32 }

func (r *tripwire) Read(p []byte) (int, error) {
	r.reads.Add(1)
	return 0, errors.New("tripwire: this reader must not be read")
}

// repeating is an endless stream that never tells its size; it counts what
// was taken from it. (Past 64 MB it fails, so a store that forgot the limit
// fails the test instead of filling the disk.)
type repeating struct {
	b    byte
	read atomic.Int64
}

func (r *repeating) Read(p []byte) (int, error) {
	if r.read.Load() > 64<<20 {
		return 0, errors.New("repeating: read 64 MB, the limit was not applied")
	}
	for i := range p {
		p[i] = r.b
	}
	r.read.Add(int64(len(p)))
	return len(p), nil
}

// mediaLeft lists the contents kept: the media folder's files on SQLite
// (nothing if it is absent), the media_blobs rows on PostgreSQL (which has
// no folder).
func mediaLeft(t *testing.T, s *store.Store, path string) []string {
	t.Helper()
	if storetest.Postgres() {
		if s.MediaDir() != "" {
			t.Errorf("MediaDir = %q on PostgreSQL, want none", s.MediaDir())
		}
		rows, err := rawDB(t, path).Query(`SELECT sha256 FROM media_blobs ORDER BY sha256`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var sum string
			if err := rows.Scan(&sum); err != nil {
				t.Fatal(err)
			}
			out = append(out, sum)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	entries, err := os.ReadDir(s.MediaDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// mediaContent reads an attachment's content as actor through OpenMedia
// (either engine) and, on SQLite, checks the file at m.Path holds the same.
func mediaContent(t *testing.T, s *store.Store, actor string, m store.Media) []byte {
	t.Helper()
	r, err := s.OpenMedia(context.Background(), actor, m)
	if err != nil {
		t.Fatalf("OpenMedia(%s, %d): %v", actor, m.ID, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading attachment %d: %v", m.ID, err)
	}
	if m.Path != "" {
		if onDisk, err := os.ReadFile(m.Path); err != nil || !bytes.Equal(onDisk, got) {
			t.Errorf("the file at %s: %v (equal %v)", m.Path, err, bytes.Equal(onDisk, got))
		}
	}
	return got
}

// wantMediaPath checks where an attachment is said to be kept: the file
// named by its SHA-256 in the media folder on SQLite, no file on
// PostgreSQL (the content is in the database).
func wantMediaPath(t *testing.T, s *store.Store, m store.Media) {
	t.Helper()
	want := filepath.Join(s.MediaDir(), m.SHA256)
	if storetest.Postgres() {
		want = ""
	}
	if m.Path != want || s.MediaPath(m.SHA256) != want {
		t.Errorf("attachment %d kept at %q (MediaPath %q), want %q", m.ID, m.Path, s.MediaPath(m.SHA256), want)
	}
}

// setMaxMedia lowers the attachment limit for one test.
func setMaxMedia(t *testing.T, n int64) {
	t.Helper()
	old := store.MaxMediaBytes
	store.MaxMediaBytes = n
	t.Cleanup(func() { store.MaxMediaBytes = old })
}

func TestMediaFromReader(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	db := rawDB(t, path)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 300)...)
	sum := sha256.Sum256(png)

	// No extension: the type is sniffed from the content.
	m, err := s.AttachMedia(ctx, store.SSHActor("dan"), j.ID, "gate-scan", bytes.NewReader(png), store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m.JobID != j.ID || m.Name != "gate-scan" || m.Size != int64(len(png)) || m.SHA256 != hex.EncodeToString(sum[:]) ||
		m.Type != "image/png" || m.AddedBy != "dan@ssh" || !m.AddedAt.Equal(testNow) {
		t.Errorf("media %+v", m)
	}
	wantMediaPath(t, s, m)
	if got := mediaContent(t, s, localActor, m); !bytes.Equal(got, png) {
		t.Errorf("stored copy: %d bytes, want the %d written", len(got), len(png))
	}
	// A stream that hides its size, in small pieces, and a known extension.
	text := strings.Repeat("the gate code is 1234\n", 200)
	m2, err := s.AttachMedia(ctx, localActor, j.ID, "notes.txt", io.LimitReader(iotestHalf(strings.NewReader(text)), int64(len(text))), store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	tsum := sha256.Sum256([]byte(text))
	if m2.Size != int64(len(text)) || m2.SHA256 != hex.EncodeToString(tsum[:]) || !strings.HasPrefix(m2.Type, "text/plain") || m2.Name != "notes.txt" {
		t.Errorf("text media %+v", m2)
	}
	if got := mediaContent(t, s, store.SSHActor("dan"), m2); string(got) != text {
		t.Errorf("text content: %d bytes, want %d", len(got), len(text))
	}
	// The same bytes again: one file, two rows.
	m3, err := s.AttachMedia(ctx, localActor, j.ID, "copy.png", bytes.NewReader(png), store.AudienceStaff)
	if err != nil || m3.SHA256 != m.SHA256 || m3.Path != m.Path || m3.ID == m.ID || m3.Type != "image/png" {
		t.Errorf("same content again = %+v, %v", m3, err)
	}
	if left := mediaLeft(t, s, path); len(left) != 2 {
		t.Errorf("media folder holds %v, want the 2 distinct contents (no upload left over)", left)
	}
	if n := count(t, db, `SELECT count(*) FROM media WHERE job_id = ?`, j.ID); n != 3 {
		t.Errorf("%d media rows, want 3", n)
	}
	var name, typ, sha string
	var size int64
	if err := db.QueryRow(`SELECT name, type, sha256, size FROM media WHERE id = ?`, m.ID).Scan(&name, &typ, &sha, &size); err != nil ||
		name != "gate-scan" || typ != "image/png" || sha != m.SHA256 || size != m.Size {
		t.Errorf("row = %q %q %q %d, %v", name, typ, sha, size, err)
	}
	x, err := s.Extras(ctx, localActor, j.ID)
	if err != nil || len(x.Media) != 3 || x.Media[0].Name != "gate-scan" || x.Media[1].Name != "notes.txt" {
		t.Errorf("extras = %+v, %v", x.Media, err)
	}
	// An empty file is attached, and reads back empty.
	empty, err := s.AttachMedia(ctx, localActor, j.ID, "empty.txt", strings.NewReader(""), store.AudienceStaff)
	if err != nil || empty.Size != 0 {
		t.Fatalf("empty file = %+v, %v", empty, err)
	}
	if got := mediaContent(t, s, localActor, empty); len(got) != 0 {
		t.Errorf("empty file reads back %d bytes", len(got))
	}
}

// iotestHalf reads at most half of what is asked each time (like
// testing/iotest.HalfReader), so a copy takes many reads.
func iotestHalf(r io.Reader) io.Reader { return &halfReader{r} }

type halfReader struct{ r io.Reader }

func (h *halfReader) Read(p []byte) (int, error) { return h.r.Read(p[:(len(p)+1)/2]) }

// The role (and the job) is checked before a byte is read or a file opened.
func TestMediaRoleCheckedBeforeReading(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	db := rawDB(t, path)
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		actor       string
		job         int64
		code, field string
	}{
		{store.SSHActor("cora"), j.ID, store.EForbidden, "role"}, // customer
		{"cora", j.ID, store.EForbidden, "role"},                 // customer at the console (--as)
		{store.SSHActor("olga"), j.ID, store.EForbidden, "role"}, // operator
		{"olga", j.ID, store.EForbidden, "role"},
		{store.SSHActor("gone"), j.ID, store.EForbidden, "user"}, // removed
		{store.SSHActor("dan"), 99999, store.ENotFound, "job"},   // no such job
		{localActor, 99999, store.ENotFound, "job"},
	} {
		r := &tripwire{}
		m, err := s.AttachMedia(ctx, c.actor, c.job, "photo.jpg", r, store.AudienceStaff)
		storeErr(t, err, c.code, c.field)
		if n := r.reads.Load(); n != 0 {
			t.Errorf("%s: the reader was read %d times before the refusal", c.actor, n)
		}
		if m.ID != 0 || m.SHA256 != "" {
			t.Errorf("%s: refused but returned %+v", c.actor, m)
		}
		// A path is not even looked at: a FIFO would block an open, a
		// device would be read forever.
		for _, p := range []string{fifo, "/dev/zero", filepath.Join(t.TempDir(), "missing")} {
			err := withTimeout(t, 5*time.Second, func() error {
				_, err := s.AttachMediaFile(ctx, c.actor, c.job, p, store.AudienceStaff)
				return err
			})
			storeErr(t, err, c.code, c.field)
		}
	}
	if left := mediaLeft(t, s, path); len(left) != 0 {
		t.Errorf("refused attachments left %v in the media folder", left)
	}
	if n := count(t, db, `SELECT count(*) FROM media`); n != 0 {
		t.Errorf("%d media rows after refusals", n)
	}
	// The dispatcher may.
	if _, err := s.AttachMedia(ctx, store.SSHActor("dan"), j.ID, "photo.jpg", strings.NewReader("jpeg?"), store.AudienceStaff); err != nil {
		t.Errorf("dispatcher: %v", err)
	}
}

// withTimeout runs fn and fails the test if it has not returned in d (an
// open that waits on a FIFO writer, a read from a device that never ends).
func withTimeout(t *testing.T, d time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still running after %s", d)
		return nil
	}
}

// Past the limit nothing is kept, whether or not the reader tells its size.
func TestMediaSizeLimit(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	db := rawDB(t, path)
	const limit = 4096
	setMaxMedia(t, limit)
	over := func(what string, r io.Reader) {
		t.Helper()
		m, err := s.AttachMedia(ctx, localActor, j.ID, what+".bin", r, store.AudienceStaff)
		e := storeErr(t, err, store.EInvalid, "file")
		if !strings.Contains(e.Message, "nothing was attached") {
			t.Errorf("%s: %q", what, e.Message)
		}
		if m.ID != 0 {
			t.Errorf("%s: refused but returned %+v", what, m)
		}
		if left := mediaLeft(t, s, path); len(left) != 0 {
			t.Errorf("%s: media folder holds %v after the refusal", what, left)
		}
		if n := count(t, db, `SELECT count(*) FROM media`); n != 0 {
			t.Errorf("%s: %d media rows", what, n)
		}
	}
	over("one byte over", bytes.NewReader(bytes.Repeat([]byte{'x'}, limit+1)))
	// A stream that never says its size: counted while copying, and not
	// read much past the limit.
	inf := &repeating{b: 'y'}
	over("limited stream", io.LimitReader(inf, 10<<20))
	if n := inf.read.Load(); n > limit+1 {
		t.Errorf("read %d bytes of a stream for a limit of %d", n, limit)
	}
	endless := &repeating{b: 'z'}
	if err := withTimeout(t, 10*time.Second, func() error {
		_, err := s.AttachMedia(ctx, localActor, j.ID, "endless", endless, store.AudienceStaff)
		return err
	}); store.ErrorCode(err) != store.EInvalid {
		t.Errorf("endless stream: %v", err)
	}
	if n := endless.read.Load(); n > limit+1 {
		t.Errorf("read %d bytes of an endless stream for a limit of %d", n, limit)
	}
	if left := mediaLeft(t, s, path); len(left) != 0 {
		t.Errorf("media folder holds %v after the refusals", left)
	}

	// A file over the limit, by path.
	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, bytes.Repeat([]byte{'b'}, limit+1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.AttachMediaFile(ctx, localActor, j.ID, big, store.AudienceStaff)
	storeErr(t, err, store.EInvalid, "path")

	// Exactly the limit is accepted.
	m, err := s.AttachMedia(ctx, localActor, j.ID, "exact.bin", io.LimitReader(&repeating{b: 'e'}, limit), store.AudienceStaff)
	if err != nil || m.Size != limit {
		t.Fatalf("exactly the limit = %+v, %v", m, err)
	}
	if left := mediaLeft(t, s, path); len(left) != 1 || left[0] != m.SHA256 {
		t.Errorf("media folder holds %v, want only %s", left, m.SHA256)
	}
	if n := count(t, db, `SELECT count(*) FROM media`); n != 1 {
		t.Errorf("%d media rows, want 1", n)
	}
}

// Only regular files are attached from a path: never a folder, a device,
// a FIFO or a socket, also behind a symlink.
func TestMediaFileRefusesNonRegular(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	db := rawDB(t, path)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	if l, err := net.Listen("unix", sock); err != nil {
		t.Logf("no socket case: %v", err) // e.g. a temp path too long for a socket
		sock = fifo
	} else {
		defer l.Close()
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := map[string]string{
		"folder":          dir,
		"fifo":            fifo,
		"socket":          sock,
		"link to zero":    link("zero.jpg", "/dev/zero"),
		"link to fifo":    link("fifo.jpg", fifo),
		"link to folder":  link("dir.jpg", dir),
		"missing":         filepath.Join(dir, "missing.jpg"),
		"dangling link":   link("dangling.jpg", filepath.Join(dir, "nowhere")),
		"blank":           "   ",
		"dev/null":        "/dev/null",
		"dev/zero":        "/dev/zero",
		"dev/urandom":     "/dev/urandom",
		"folder, spaced:": "  " + dir + "\n",
	}
	for what, p := range bad {
		if strings.HasPrefix(p, "/dev/") {
			if _, err := os.Stat(p); err != nil {
				t.Logf("%s: %v (skipped)", what, err)
				continue
			}
		}
		err := withTimeout(t, 5*time.Second, func() error {
			_, err := s.AttachMediaFile(ctx, localActor, j.ID, p, store.AudienceStaff)
			return err
		})
		e := storeErr(t, err, store.EInvalid, "path")
		switch what {
		case "folder", "link to folder", "folder, spaced:":
			if !strings.Contains(e.Message, "is a folder") {
				t.Errorf("%s: %q", what, e.Message)
			}
		case "missing", "dangling link", "blank":
		default:
			if !strings.Contains(e.Message, "not a regular file") {
				t.Errorf("%s: %q", what, e.Message)
			}
		}
	}
	if left := mediaLeft(t, s, path); len(left) != 0 {
		t.Errorf("refused files left %v in the media folder", left)
	}
	if n := count(t, db, `SELECT count(*) FROM media`); n != 0 {
		t.Errorf("%d media rows after refusals", n)
	}

	// A symlink to a regular file is that file, under the link's name.
	real := filepath.Join(dir, "real.txt")
	if err := os.WriteFile(real, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := s.AttachMediaFile(ctx, localActor, j.ID, link("alias.txt", real), store.AudienceStaff)
	if err != nil || m.Size != 5 || m.Name != "alias.txt" {
		t.Errorf("link to a file = %+v, %v", m, err)
	}
	if err == nil {
		if got := mediaContent(t, s, localActor, m); string(got) != "hello" {
			t.Errorf("link to a file holds %q", got)
		}
	}
}

// The name is the base name, cleaned of control characters and escape
// sequences; the file lands in the media folder whatever the name says.
func TestMediaNames(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	db := rawDB(t, path)
	for i, c := range []struct{ in, want string }{
		{"../../etc/passwd", "passwd"},
		{"/etc/shadow", "shadow"},
		{`..\..\Windows\System32\evil.exe`, "evil.exe"},
		{"uploads/./photo.jpg", "photo.jpg"},
		{"  spaced name.jpg \n", "spaced name.jpg"},
		{"\x1b[31mred\x1b[0m.txt", "red.txt"},
		{"\x1b]0;pwned\x07title.png", "title.png"},
		{"\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07.pdf", "click.pdf"},
		{"bell\x07\x00nul\x7f.txt", "bellnul.txt"},
		{"\u202egnp.exe", "gnp.exe"}, // right-to-left override
		{"c1\u009b31mcsi.txt", "c1csi.txt"},
	} {
		body := []byte{byte(i), 'x'}
		m, err := s.AttachMedia(ctx, localActor, j.ID, c.in, bytes.NewReader(body), store.AudienceStaff)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if m.Name != c.want {
			t.Errorf("%q stored as %q, want %q", c.in, m.Name, c.want)
		}
		if storetest.Postgres() {
			if m.Path != "" {
				t.Errorf("%q kept at %s: PostgreSQL keeps no file", c.in, m.Path)
			}
		} else if filepath.Dir(m.Path) != s.MediaDir() || filepath.Base(m.Path) != m.SHA256 {
			t.Errorf("%q kept at %s, outside %s", c.in, m.Path, s.MediaDir())
		}
		if got := mediaContent(t, s, localActor, m); !bytes.Equal(got, body) {
			t.Errorf("%q holds %q, want %q", c.in, got, body)
		}
		var name string
		if err := db.QueryRow(`SELECT name FROM media WHERE id = ?`, m.ID).Scan(&name); err != nil || name != c.want {
			t.Errorf("%q: row name %q, %v", c.in, name, err)
		}
	}
	before := count(t, db, `SELECT count(*) FROM media`)
	// Nothing left to call it, or only a path part: refused.
	for _, in := range []string{"", "   ", ".", "/", "..", "../..", "x/..", "a/b/../..", "\x1b[0m", "\x1b[0m..", "..\u200f", `..\..`} {
		r := &tripwire{}
		_, err := s.AttachMedia(ctx, localActor, j.ID, in, r, store.AudienceStaff)
		storeErr(t, err, store.EInvalid, "name")
		if r.reads.Load() != 0 {
			t.Errorf("%q: the reader was read for a refused name", in)
		}
	}
	_, err := s.AttachMedia(ctx, localActor, j.ID, strings.Repeat("n", 256), strings.NewReader("x"), store.AudienceStaff)
	storeErr(t, err, store.EInvalid, "name")
	if n := count(t, db, `SELECT count(*) FROM media`); n != before {
		t.Errorf("refused names added %d rows", n-before)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "etc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a path name reached beside the database: %v", err)
	}
}

// A new database is its owner's only, and so are its WAL files and the
// media folder, whatever the umask lets through.
func TestModeNewFiles(t *testing.T) {
	ctx := context.Background()
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	path := filepath.Join(t.TempDir(), "new", "offduty.db")
	s, err := store.Open(path, store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			s.Close()
		}
	})
	if _, err := seed.EnsureAgencies(ctx, s); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) fs.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	if m := mode(path); m != 0o600 {
		t.Errorf("new database is %v, want -rw-------", m)
	}
	if m := mode(filepath.Dir(path)); m != 0o700 {
		t.Errorf("new database folder is %v, want drwx------", m)
	}
	cust, site := customerAndSite(t, s, "Mode Co")
	j := approvedJob(t, s, cust, site, mustLocal("2026-12-08 10:00"), 4, 1)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if m := mode(path + suffix); m != 0o600 {
			t.Errorf("%s after a write is %v, want -rw-------", filepath.Base(path+suffix), m)
		}
	}
	m, err := s.AttachMedia(ctx, localActor, j.ID, "photo.jpg", strings.NewReader("\xff\xd8\xff\xe0 photo"), store.AudienceStaff)
	if err != nil {
		t.Fatal(err)
	}
	if got := mode(s.MediaDir()); got != 0o700 {
		t.Errorf("media folder is %v, want drwx------", got)
	}
	if got := mode(m.Path); got != 0o600 {
		t.Errorf("stored attachment is %v, want -rw-------", got)
	}
	// Reopened, the file keeps its mode.
	closed = true
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := mode(path); got != 0o600 {
		t.Errorf("reopened database is %v", got)
	}
}

// A large attachment reads back whole and exact, on either engine (on
// PostgreSQL it is read from the database a piece at a time).
func TestMediaLargeContentReadsBack(t *testing.T) {
	ctx := context.Background()
	s, path, j := mediaJob(t)
	big := make([]byte, 5<<20/2+3) // 2.5 MB and 3 bytes: not a round number of pieces
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	m, err := s.AttachMedia(ctx, localActor, j.ID, "big.bin", bytes.NewReader(big), store.AudienceCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if m.Size != int64(len(big)) {
		t.Errorf("size %d, want %d", m.Size, len(big))
	}
	if got := mediaContent(t, s, localActor, m); !bytes.Equal(got, big) {
		t.Errorf("read back %d bytes, not the %d attached", len(got), len(big))
	}
	// Small reads cross the pieces as well.
	r, err := s.OpenMedia(ctx, store.SSHActor("cora"), m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(iotestHalf(r))
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("the customer read %d bytes (%v), want the %d attached", len(got), err, len(big))
	}
	if left := mediaLeft(t, s, path); len(left) != 1 || left[0] != m.SHA256 {
		t.Errorf("kept %v, want only %s", left, m.SHA256)
	}
}
