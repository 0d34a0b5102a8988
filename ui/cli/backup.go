package cli

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"offduty/store"
	"offduty/ui/sshd"
)

// A backup is one gzip'd tar archive: offduty.db (a consistent snapshot),
// media/<sha256> (every file the snapshot refers to) and BACKUP.txt (what it
// is, and the snapshot's SHA-256, checked on restore).
const (
	backupDB       = "offduty.db"
	backupManifest = "BACKUP.txt"
)

var mediaNameRE = regexp.MustCompile(`^media/[0-9a-f]{64}$`)

func newBackupCmd(e *env) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "backup",
		Short: "Write a consistent backup of the database and its media files",
		Long: `Writes one archive (.tar.gz) with a consistent snapshot of the database, taken while the
console, serve and other commands go on working (SQLite's VACUUM INTO: the database as of one
moment, committed changes in its write-ahead log included), the media files it refers to, and
BACKUP.txt (when, from where, the schema version, counts and the snapshot's SHA-256). The
archive is created readable by you only. Never copy the database file itself with cp: while
offduty runs, recent changes may still be in its -wal file.
The SSH host key is a secret and is not in the archive: keep a copy of it apart, readable by
you only (see the README). serve --backup-every takes backups on a schedule.
Restore with offduty restore ARCHIVE. Local only.
Exit status: 0 written; 1 the database or the archive cannot be read or written.`,
		Example: "  offduty backup\n  offduty backup -o /mnt/usb/offduty-$(date +%F).tar.gz",
		Args:    noArgs,
	}
	outputFlag(c.Flags(), &out, "the archive to write (default: offduty-backup-YYYYMMDD-HHMMSS.tar.gz in the current folder)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := e.onPostgres("backup", pgBackupHint); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		if out == "" || out == "-" {
			out = "offduty-backup-" + now.Format("20060102-150405") + ".tar.gz"
		}
		if err := e.checkOut("backup", out); err != nil {
			return err
		}
		sum, n, err := writeBackup(ctx, s, out, now)
		if err != nil {
			return fail(ExitInvalid, "backup: %v", err)
		}
		fmt.Fprintf(e.stdout, "Backed up %s to %s: the database (SHA-256 %s…) and %d media %s.\n", s.Path(), out, sum[:12], n, plural(n, "file"))
		if key := sshd.DefaultHostKeyPath(s.Path()); exists(key) {
			fmt.Fprintf(e.stderr, "note: the SSH host key %s is not in the backup (it is a secret): keep a copy of it apart, readable by you only\n", key)
		}
		return nil
	}
	markLocal(c, "it writes a file on the server; a supervisor there runs it, or serve --backup-every")
	c.Annotations[localOnlyPostgres] = "the server's database is PostgreSQL, backed up with its own tools (pg_dump, base backups and WAL archiving) by whoever runs it"
	return c
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// writeBackup snapshots s into an archive at path (atomically: a
// temporary file beside it, renamed once complete). It returns the
// snapshot's SHA-256 and how many media files it holds.
func writeBackup(ctx context.Context, s *store.Store, path string, now time.Time) (string, int, error) {
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".offduty-backup-")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, backupDB)
	media, err := s.Snapshot(ctx, snap)
	if err != nil {
		return "", 0, err
	}
	sum, err := fileSHA256(snap)
	if err != nil {
		return "", 0, err
	}
	version := store.KnownSchema()
	manifest := fmt.Sprintf(`offduty backup
taken:    %s
from:     %s
schema:   %d
database: %s  sha256 %s
media:    %d files (media/<sha256>)
Restore:  offduty restore THIS-ARCHIVE [--db FILE]
The SSH host key is not here: it is a secret, kept apart.
`, now.Format(time.RFC3339), s.Path(), version, backupDB, sum, len(media))

	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	add := func(name string, src string, body []byte) error {
		var size int64
		var r io.Reader
		if src != "" {
			sf, err := os.Open(src)
			if err != nil {
				return err
			}
			defer sf.Close()
			st, err := sf.Stat()
			if err != nil {
				return err
			}
			size, r = st.Size(), sf
		} else {
			size, r = int64(len(body)), strings.NewReader(string(body))
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	if err := add(backupManifest, "", []byte(manifest)); err != nil {
		f.Close()
		return "", 0, err
	}
	if err := add(backupDB, snap, nil); err != nil {
		f.Close()
		return "", 0, err
	}
	for _, m := range media {
		if err := add("media/"+m, s.MediaPath(m), nil); err != nil {
			f.Close()
			return "", 0, fmt.Errorf("media file %s: %w", m, err)
		}
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		f.Close()
		return "", 0, err
	}
	if err := errors.Join(f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", 0, err
	}
	return sum, len(media), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func newRestoreCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "restore ARCHIVE",
		Short: "Put a backup back in place of the database",
		Long: `Puts the database and media files of a backup (offduty backup) back. The archive is read
and checked first (its snapshot's SHA-256, SQLite's integrity check, a schema this offduty
knows); then the database in place (with its -wal and -shm) is moved aside as
FILE.replaced-YYYYMMDD-HHMMSS, not deleted, and the backup's takes its place; its media files
join the media folder. Refused while the database is in use: stop the console and serve first.
Local only.
Exit status: 0 restored; 1 an unreadable or damaged archive, or the database in use.`,
		Example: "  offduty restore offduty-backup-20261201-090000.tar.gz\n  offduty restore backup.tar.gz --db /srv/offduty/offduty.db",
	}
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := e.onPostgres("restore", "restore with PostgreSQL's own tools (pg_restore into a new database, or promote a standby; see the README); to bring a SQLite backup in, restore it into a file (offduty --db FILE restore ARCHIVE), then offduty migrate --from FILE --to postgres://USER@HOST/DB"); err != nil {
			return err
		}
		const label = "restore"
		if err := wantArgs(label, pos, 1, "one ARCHIVE"); err != nil {
			return err
		}
		now, err := e.now()
		if err != nil {
			return err
		}
		// Nobody may have the database open while it is replaced.
		release, err := lockDB(e.db, true)
		if err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		defer release()
		dir := filepath.Dir(e.db)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		work, err := os.MkdirTemp(dir, ".offduty-restore-")
		if err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		defer os.RemoveAll(work)
		media, err := unpackBackup(pos[0], work)
		if err != nil {
			return fail(ExitInvalid, "%s: %s: %v", label, pos[0], err)
		}
		restored := filepath.Join(work, backupDB)
		s, err := store.Open(restored, store.ReadOnly())
		if err != nil {
			return fail(ExitInvalid, "%s: the backup's database: %v", label, err)
		}
		res, err := s.Check(cmd.Context(), e.actor())
		s.Close()
		if err != nil {
			return fail(ExitInvalid, "%s: the backup's database: %v", label, err)
		}
		if len(res) == 0 || len(res[0].Findings) > 0 {
			return fail(ExitInvalid, "%s: the backup's database fails SQLite's integrity check: not restored", label)
		}
		aside := ""
		if exists(e.db) {
			aside = e.db + ".replaced-" + now.Format("20060102-150405")
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Rename(e.db+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fail(ExitInvalid, "%s: moving the database aside: %v", label, err)
				}
			}
		}
		if err := os.Rename(restored, e.db); err != nil {
			return fail(ExitInvalid, "%s: %v (the database was moved aside to %s)", label, err, aside)
		}
		mediaDir := filepath.Join(dir, "media")
		if err := os.MkdirAll(mediaDir, 0o700); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		added := 0
		for _, m := range media {
			dst := filepath.Join(mediaDir, m)
			if exists(dst) {
				continue // content-addressed: the same file
			}
			if err := os.Rename(filepath.Join(work, "media", m), dst); err != nil {
				return fail(ExitInvalid, "%s: media file %s: %v", label, m, err)
			}
			added++
		}
		fmt.Fprintf(e.stdout, "Restored %s from %s (%d media %s, %d new).\n", e.db, pos[0], len(media), plural(len(media), "file"), added)
		if aside != "" {
			fmt.Fprintf(e.stdout, "The database it replaced is kept as %s.\n", aside)
		}
		return nil
	}
	return markLocal(c, "it replaces a file on the server")
}

// pgBackupHint says how a PostgreSQL office is backed up.
const pgBackupHint = "back it up with PostgreSQL's own tools: pg_dump -Fc for a snapshot, pg_basebackup with WAL archiving for point-in-time recovery and a streaming standby (see the README)"

// unpackBackup reads an archive into dir: offduty.db (its SHA-256 checked
// against BACKUP.txt) and media files; anything else is refused. It returns
// the media files' names.
func unpackBackup(path, dir string) ([]string, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("not an offduty backup (not gzip): %w", err)
	}
	tr := tar.NewReader(zr)
	want := ""
	var media []string
	haveDB := false
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o700); err != nil {
		return nil, err
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("damaged archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("unexpected entry %q in the archive", h.Name)
		}
		switch {
		case h.Name == backupManifest:
			b, err := io.ReadAll(io.LimitReader(tr, 64<<10))
			if err != nil {
				return nil, err
			}
			if m := regexp.MustCompile(`(?m)^database: offduty\.db  sha256 ([0-9a-f]{64})$`).FindSubmatch(b); m != nil {
				want = string(m[1])
			}
		case h.Name == backupDB || mediaNameRE.MatchString(h.Name):
			dst := filepath.Join(dir, filepath.FromSlash(h.Name))
			out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, fmt.Errorf("damaged archive: %w", err)
			}
			if h.Name == backupDB {
				haveDB = true
			} else {
				name := strings.TrimPrefix(h.Name, "media/")
				if sum, err := fileSHA256(dst); err != nil || sum != name {
					return nil, fmt.Errorf("media file %s does not match its name: damaged archive", name)
				}
				media = append(media, name)
			}
		default:
			return nil, fmt.Errorf("unexpected entry %q in the archive: not an offduty backup", h.Name)
		}
	}
	if !haveDB || want == "" {
		return nil, fmt.Errorf("not an offduty backup (no %s or %s)", backupDB, backupManifest)
	}
	if sum, err := fileSHA256(filepath.Join(dir, backupDB)); err != nil || sum != want {
		return nil, fmt.Errorf("the database in the archive does not match its SHA-256: damaged archive")
	}
	return media, nil
}

// lockDB takes DB.lock: shared for a process using the database (until
// release), or exclusive, without waiting, for one replacing it.
func lockDB(db string, exclusive bool) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(db+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX | syscall.LOCK_NB
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the database %s is in use (the console, serve or a command is running): stop them first", db)
		}
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
