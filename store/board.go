package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DayCount is one local day of the calendar.
type DayCount struct {
	Day       time.Time // 00:00 local
	Shifts    int       // jobs starting that day, not cancelled
	Positions int       // their positions
	Open      int       // of which without an officer
	OpenJobs  int       // jobs with at least one open position
}

// DayCounts counts shifts and open positions per local day in [from, to)
// (both local midnights): per day, the jobs starting that day that are not
// cancelled, their positions that are not cancelled, the open ones, and the
// jobs with an open position.
//
// It reads only index ranges, a few per day (jobs_starts, jobs_status,
// positions_starts, positions_status), never a row: a month of a database of
// 1,000,000 positions takes a few milliseconds. For that it counts positions
// by their own start, and cancelled jobs and positions by subtraction, which
// rests on what the writes keep true: a job's positions start when it does
// (created and rebuilt with it), cancelling a job cancels its positions, and a
// job that is not cancelled keeps at least one position (a reduction never
// removes them all). seed's TestHistory checks the result against the
// row-by-row definition.
func (s *Store) DayCounts(ctx context.Context, from, to time.Time, loc *time.Location) ([]DayCount, error) {
	var out []DayCount
	type span [2]string
	var days []span
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, DayCount{Day: d})
		// The local date d names, from its midnight in loc to the next, within [from, to).
		y, m, dd := d.Date()
		lo, hi := time.Date(y, m, dd, 0, 0, 0, 0, loc), time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		days = append(days, span{fmtTime(lo), fmtTime(hi)})
	}
	if len(days) == 0 {
		return out, nil
	}
	arg, err := json.Marshal(days)
	if err != nil {
		return nil, err
	}
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.dialect().dayBounds()+`
			SELECT d.i,
				(SELECT count(*) FROM jobs WHERE starts_at >= d.lo AND starts_at < d.hi)
				- (SELECT count(*) FROM jobs WHERE status = 'cancelled' AND starts_at >= d.lo AND starts_at < d.hi),
				(SELECT count(*) FROM positions WHERE starts_at >= d.lo AND starts_at < d.hi)
				- (SELECT count(*) FROM positions WHERE status = 'cancelled' AND starts_at >= d.lo AND starts_at < d.hi),
				(SELECT count(*) FROM positions WHERE status = 'open' AND starts_at >= d.lo AND starts_at < d.hi),
				(SELECT count(DISTINCT job_id) FROM positions WHERE status = 'open' AND starts_at >= d.lo AND starts_at < d.hi)
			FROM d`, string(arg))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int
			var c DayCount
			if err := rows.Scan(&i, &c.Shifts, &c.Positions, &c.Open, &c.OpenJobs); err != nil {
				return err
			}
			if i < 0 || i >= len(out) {
				return fmt.Errorf("day counts: day %d of %d", i, len(out))
			}
			c.Day = out[i].Day
			out[i] = c
		}
		return rows.Err()
	})
	return out, err
}

// JobsWithPositions lists the jobs starting in [from, to), with their
// positions, by start time; cancelled jobs are included. A customer user
// lists only its own account's jobs.
//
// A day's agenda reads that day's rows and nothing else, in one read
// transaction: the jobs by their start (jobs_starts), then the positions of
// the same range of jobs (positions_job_status), each with its officer. The
// filled count of each job is counted from the positions read, not by a
// query a job.
func (s *Store) JobsWithPositions(ctx context.Context, actor string, from, to time.Time) ([]Job, error) {
	var jobs []Job
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		if jobs, err = listJobs(ctx, tx, v, JobFilter{From: from, To: to}, jobAgendaCols); err != nil || len(jobs) == 0 {
			return err
		}
		idx := make(map[int64]int, len(jobs))
		for i, j := range jobs {
			idx[j.ID] = i
		}
		// positions of the jobs starting in [from, to): by the job's start,
		// which holds whatever a position's own times became
		rows, err := tx.QueryContext(ctx, `SELECT `+positionCols+` FROM jobs j `+s.dialect().crossJoin+` positions p ON p.job_id = j.id
			LEFT JOIN officers o ON o.id = p.officer_id
			LEFT JOIN officers n ON n.id = p.no_show_officer_id
			WHERE j.starts_at >= ? AND j.starts_at < ?`, fmtTime(from), fmtTime(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPosition(rows)
			if err != nil {
				return err
			}
			if i, ok := idx[p.JobID]; ok {
				if p.OfficerID != 0 && p.Status == "assigned" {
					jobs[i].Filled++
				}
				redactPosition(v, &p)
				jobs[i].Positions = append(jobs[i].Positions, p)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range jobs {
			slices.SortFunc(jobs[i].Positions, bySlot)
		}
		return nil
	})
	return jobs, err
}

// Agenda lists the jobs starting in [from, to) by start time, cancelled
// ones included, as the board and the calendar draw them: of each job its
// id, customer, site, agency, times, officers, supervisors, vehicles,
// status, bookable flag and filled count, and its positions by slot with
// what their state is judged from (slot, class, officer id, times, status,
// check-in and -out, attendance, who did not come). Everything else (the
// contact, post orders, money, names of officers) is left out: Job reads a
// whole job. It sees what JobsWithPositions sees (a customer user its own
// account's jobs; officer and agency users their own shifts).
//
// A busy day has about 300 shifts and 600 positions, and a row costs the
// driver per column, so it is one query of one row a job: the job's names
// as they are, the rest of the job packed in one text, and its positions
// packed in another (group_concat over the job's positions), in one read
// transaction: 7 columns a shift instead of 32 a job and 16 a position.
func (s *Store) Agenda(ctx context.Context, actor string, from, to time.Time) ([]Job, error) {
	var out []Job
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := viewerOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		where, args := []string{"j.starts_at >= ?", "j.starts_at < ?"}, []any{fmtTime(from), fmtTime(to)}
		if v.IsCustomer() {
			where, args = append(where, "j.customer_id = ?"), append(args, v.CustomerID)
		}
		if scope, sargs := jobScope(v); scope != "" {
			where, args = append(where, scope), append(args, sargs...)
		}
		rows, err := tx.QueryContext(ctx, s.dialect().agendaSelect()+jobFrom+`WHERE `+strings.Join(where, " AND ")+` ORDER BY j.starts_at, j.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j Job
			var head string
			var packed sql.NullString
			if err := rows.Scan(&j.CustomerName, &j.SiteName, &j.AgencySlug, &j.AgencyName, &j.Venue, &head, &packed); err != nil {
				return err
			}
			if err := unpackAgendaJob(&j, head); err != nil {
				return err
			}
			if packed.Valid {
				if j.Positions, err = unpackPositions(j.ID, packed.String); err != nil {
					return err
				}
			}
			for i := range j.Positions {
				if p := &j.Positions[i]; p.OfficerID != 0 && p.Status == "assigned" {
					j.Filled++
				}
			}
			redactJob(v, &j)
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// splitFields splits a packed record at single spaces into f and returns
// how many fields it holds (len(f)+1 when there are more than len(f)).
func splitFields(s string, f []string) int {
	n := 0
	for x := range strings.SplitSeq(s, " ") {
		if n == len(f) {
			return n + 1
		}
		f[n] = x
		n++
	}
	return n
}

// unpackAgendaJob reads what Agenda packs of a job: "id customer site
// agency start end officers supervisors vehicles status bookable", numbers,
// times and a word of a CHECK constraint.
func unpackAgendaJob(j *Job, head string) error {
	var f [11]string
	if n := splitFields(head, f[:]); n != len(f) {
		return fmt.Errorf("job %q: %d fields, want %d", head, n, len(f))
	}
	var err error
	for i, dst := range []*int64{&j.ID, &j.CustomerID, &j.SiteID, &j.AgencyID} {
		if *dst, err = strconv.ParseInt(f[i], 10, 64); err != nil {
			return fmt.Errorf("job %q: %w", head, err)
		}
	}
	if j.Start, err = parseStamp(f[4]); err != nil {
		return err
	}
	if j.End, err = parseStamp(f[5]); err != nil {
		return err
	}
	for i, dst := range []*int{&j.Officers, &j.Supervisors, &j.Vehicles} {
		if *dst, err = strconv.Atoi(f[6+i]); err != nil {
			return fmt.Errorf("job %q: %w", head, err)
		}
	}
	j.Status, j.Bookable = f[9], f[10] == "1"
	return nil
}

// unpackPositions reads the positions Agenda packs: "id slot class officer
// start end status in out attendance no-show" a position ("-" for no time
// or no attendance), ";" between positions. Every field is a number, a
// time or a word of a CHECK constraint, so neither separator occurs in one.
func unpackPositions(jobID int64, packed string) ([]Position, error) {
	out := make([]Position, 0, strings.Count(packed, ";")+1)
	for rec := range strings.SplitSeq(packed, ";") {
		var f [11]string
		if n := splitFields(rec, f[:]); n != len(f) {
			return nil, fmt.Errorf("job %d: position %q: %d fields, want %d", jobID, rec, n, len(f))
		}
		p := Position{JobID: jobID, Class: f[2], Status: f[6]}
		var err error
		if p.ID, err = strconv.ParseInt(f[0], 10, 64); err != nil {
			return nil, fmt.Errorf("job %d: position %q: %w", jobID, rec, err)
		}
		if p.Slot, err = strconv.Atoi(f[1]); err != nil {
			return nil, fmt.Errorf("job %d: position %q: %w", jobID, rec, err)
		}
		if p.OfficerID, err = strconv.ParseInt(f[3], 10, 64); err != nil {
			return nil, fmt.Errorf("job %d: position %q: %w", jobID, rec, err)
		}
		if p.NoShowOfficerID, err = strconv.ParseInt(f[10], 10, 64); err != nil {
			return nil, fmt.Errorf("job %d: position %q: %w", jobID, rec, err)
		}
		if p.Start, err = parseStamp(f[4]); err != nil {
			return nil, err
		}
		if p.End, err = parseStamp(f[5]); err != nil {
			return nil, err
		}
		if f[7] != "-" {
			if p.CheckIn, err = parseStamp(f[7]); err != nil {
				return nil, err
			}
		}
		if f[8] != "-" {
			if p.CheckOut, err = parseStamp(f[8]); err != nil {
				return nil, err
			}
		}
		if f[9] != "-" {
			p.Attendance = f[9]
		}
		out = append(out, p)
	}
	// by slot, as a job's positions are always listed
	if !slices.IsSortedFunc(out, bySlot) {
		slices.SortFunc(out, bySlot)
	}
	return out, nil
}

func bySlot(a, b Position) int { return a.Slot - b.Slot }

// parseStamp reads a time as fmtTime writes it (timeLayout) without the
// general parser, which costs more than the rest of an agenda row; anything
// else goes to parseTime.
func parseStamp(s string) (time.Time, error) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return parseTime(s)
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return parseTime(s)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 31 April and the like: what the parser says of it
		return parseTime(s)
	}
	return t, nil
}

// Media is a file attached to a job, kept under its SHA-256 name.
type Media struct {
	ID      int64
	JobID   int64
	SHA256  string
	Name    string // original file name
	Size    int64
	Type    string // MIME type
	AddedAt time.Time
	AddedBy string // "office" for a customer
	Path    string // where the copy is kept; "" for a customer or over SSH
	// Audience is who reads it (staff only unless chosen when attached).
	Audience Audience
}

// MediaDir is the folder beside the database where attachments are kept.
// On PostgreSQL there is none ("" ): no folder is shared by the hosts of one
// database, so the content is kept in the database itself (media_blobs).
// Read an attachment with OpenMedia, which works on both.
func (s *Store) MediaDir() string {
	if s.pg != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(s.path), "media")
}

// MaxMediaBytes bounds an attachment.
var MaxMediaBytes int64 = 200 << 20

// AttachMediaFile attaches a file of this machine (the local console's
// path prompt): the role is checked before the file is opened, and only a
// regular file is read (never a device, a FIFO or a folder). Over SSH no
// path is ever taken: files arrive on the connection (AttachMedia). The
// audience ("" is staff only) is checked before anything is read.
func (s *Store) AttachMediaFile(ctx context.Context, actor string, jobID int64, path string, audience Audience) (Media, error) {
	if err := s.canAttach(ctx, actor, jobID, audience); err != nil {
		return Media{}, err
	}
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	if path == "" {
		return Media{}, &Error{Code: EInvalid, Field: "path", Message: "give the path of the file to attach"}
	}
	bad := func(err error) error {
		return &Error{Code: EInvalid, Field: "path", Message: fmt.Sprintf("cannot read %s: %v", path, unwrapPathErr(err))}
	}
	st, err := os.Stat(path)
	if err != nil {
		return Media{}, bad(err)
	}
	if err := regularFile(path, st); err != nil {
		return Media{}, err
	}
	// O_NONBLOCK: should the name be swapped for a FIFO after the check,
	// opening it does not wait for a writer; the check below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return Media{}, bad(err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return Media{}, bad(err)
	}
	if err := regularFile(path, st); err != nil {
		return Media{}, err
	}
	return s.AttachMedia(ctx, actor, jobID, filepath.Base(path), f, audience)
}

func regularFile(path string, st os.FileInfo) error {
	switch {
	case st.IsDir():
		return &Error{Code: EInvalid, Field: "path", Message: path + " is a folder, not a file"}
	case !st.Mode().IsRegular():
		return &Error{Code: EInvalid, Field: "path", Message: path + " is not a regular file (a device, a pipe or a socket): only files are attached"}
	case st.Size() > MaxMediaBytes:
		return &Error{Code: EInvalid, Field: "path", Message: fmt.Sprintf("%s is larger than %d MB", path, MaxMediaBytes>>20)}
	}
	return nil
}

// canAttach checks, before a byte is read, that the audience is one of
// Audiences, that the actor may attach files and that the job exists.
func (s *Store) canAttach(ctx context.Context, actor string, jobID int64, audience Audience) error {
	if _, err := ParseAudience(string(audience)); err != nil {
		return err
	}
	return s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		_, err := jobByID(ctx, tx, jobID)
		return err
	})
}

// AttachMedia stores what r holds as a file called name on the job, in the
// media folder under its SHA-256 (on PostgreSQL in media_blobs; the same
// content is kept once), and records it for an audience ("" is staff
// only). The role and the audience
// are checked before r is read; the size limit is counted while copying (a
// stream may say nothing of its size), and past it nothing is kept.
func (s *Store) AttachMedia(ctx context.Context, actor string, jobID int64, name string, r io.Reader, audience Audience) (m Media, err error) {
	if err := s.canAttach(ctx, actor, jobID, audience); err != nil {
		return Media{}, err
	}
	aud, _ := ParseAudience(string(audience))
	name = strings.TrimSpace(Clean(filepath.Base(strings.ReplaceAll(name, "\\", "/")), false))
	if name == "" || name == "." || name == ".." || name == "/" {
		return Media{}, &Error{Code: EInvalid, Field: "name", Message: "the file needs a name, e.g. --name photo.jpg"}
	}
	if len(name) > 255 {
		return Media{}, &Error{Code: EInvalid, Field: "name", Message: "a file name is at most 255 bytes"}
	}
	// The content goes to a temporary file in the media folder (renamed to
	// its SHA-256 once read), or on PostgreSQL to memory, then to
	// media_blobs in the transaction that records it.
	var tmp *os.File
	var blob *bytes.Buffer
	var sink io.Writer
	if s.pg != nil {
		blob = &bytes.Buffer{}
		sink = blob
	} else {
		if err := os.MkdirAll(s.MediaDir(), 0o700); err != nil {
			return Media{}, err
		}
		if tmp, err = os.CreateTemp(s.MediaDir(), ".upload-*"); err != nil {
			return Media{}, err
		}
		defer os.Remove(tmp.Name())
		sink = tmp
	}
	h := sha256.New()
	head := &headWriter{max: 512}
	size, err := io.Copy(io.MultiWriter(sink, h, head), io.LimitReader(r, MaxMediaBytes+1))
	if tmp != nil {
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return Media{}, &Error{Code: EInvalid, Field: "file", Message: fmt.Sprintf("reading %s: %v", name, unwrapPathErr(err))}
	}
	if size > MaxMediaBytes {
		return Media{}, &Error{Code: EInvalid, Field: "file", Message: fmt.Sprintf("%s is larger than %d MB: nothing was attached", name, MaxMediaBytes>>20)}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := "" // the file kept on SQLite
	if tmp != nil {
		dst = filepath.Join(s.MediaDir(), sum)
		created := false
		if _, err := os.Stat(dst); err != nil {
			if err := os.Rename(tmp.Name(), dst); err != nil {
				return Media{}, err
			}
			created = true
		}
		defer func() {
			// A refused record leaves no file that no row points to.
			if created && err != nil {
				var n int
				if s.read(ctx, func(tx *sql.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM media WHERE sha256 = ?`, sum).Scan(&n)
				}) == nil && n == 0 {
					os.Remove(dst)
				}
			}
		}()
	}
	typ := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if typ == "" {
		typ = http.DetectContentType(head.b)
	}
	typ = Clean(typ, false)
	m = Media{JobID: jobID, SHA256: sum, Name: name, Size: size, Type: typ, AddedAt: s.now().UTC().Truncate(time.Second), AddedBy: actor, Path: dst, Audience: aud}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermDispatch); err != nil {
			return err
		}
		if _, err := jobByID(ctx, tx, jobID); err != nil {
			return err
		}
		if blob != nil { // the same content is kept once
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM media_blobs WHERE sha256 = ?`, sum).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				data := blob.Bytes()
				if data == nil {
					data = []byte{} // an empty file is empty content, not NULL
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO media_blobs (sha256, data) VALUES (?, ?)`, sum, data); err != nil {
					return err
				}
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO media (job_id, sha256, name, size, type, added_at, added_by, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			jobID, sum, m.Name, size, typ, fmtTime(m.AddedAt), actor, string(aud))
		if err != nil {
			return err
		}
		m.ID, _ = res.LastInsertId()
		return s.auditJob(ctx, tx, actor, jobID, "media", m.ID, "attach", "", aud.mark()+fmt.Sprintf("%s (%d bytes, %s)", m.Name, size, sum[:12]))
	})
	return m, err
}

// canReadExtras checks that the actor may read the job's notes and files
// (Extras): staff, the customer of the job's account, an officer who holds
// (or held) a position on it.
func canReadExtras(ctx context.Context, tx *sql.Tx, actor string, jobID int64) (Viewer, error) {
	v, err := viewerOf(ctx, tx, actor)
	if err != nil {
		return v, err
	}
	if !isStaff(v) && !v.IsCustomer() && !v.IsOfficer() {
		return v, &Error{Code: EForbidden, Field: "role", Message: fmt.Sprintf("%s is %s %s: a job's notes and files are read on the staff's, the customer's or the officers' screens", v.Name, article(v.Role), v.Role)}
	}
	j, err := jobByID(ctx, tx, jobID)
	if err != nil {
		return v, err
	}
	if v.IsCustomer() && j.CustomerID != v.CustomerID {
		return v, &Error{Code: EForbidden, Field: "job", Message: fmt.Sprintf("job #%d is not on your account", jobID)}
	}
	// an officer: a job it holds (or held) a position on
	return v, canReadJob(ctx, tx, v, j)
}

// OpenMedia opens the content of an attachment (m.ID names it) for reading,
// on either engine: the file in the media folder on SQLite, the database's
// copy (media_blobs) on PostgreSQL. The actor must be one who reads the
// attachment in Extras (its role, its job, the attachment's audience), or
// it is refused before anything is opened. The caller closes the reader.
func (s *Store) OpenMedia(ctx context.Context, actor string, m Media) (io.ReadCloser, error) {
	var sum string
	var size int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		var jobID int64
		var aud string
		err := tx.QueryRowContext(ctx, `SELECT job_id, sha256, size, audience FROM media WHERE id = ?`, m.ID).Scan(&jobID, &sum, &size, &aud)
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: ENotFound, Field: "media", Message: fmt.Sprintf("no attachment %d", m.ID)}
		}
		if err != nil {
			return err
		}
		v, err := canReadExtras(ctx, tx, actor, jobID)
		if err != nil {
			return err
		}
		if !Audience(aud).VisibleTo(v) {
			return &Error{Code: EForbidden, Field: "media", Message: fmt.Sprintf("attachment %d of job #%d is not shared with you", m.ID, jobID)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.pg == nil {
		return os.Open(s.MediaPath(sum))
	}
	return &blobReader{s: s, ctx: ctx, sum: sum, size: size}, nil
}

// JobMedia is attachment id of job jobID, when the actor may see it (as
// Extras lists it); ENotFound otherwise. Open it with OpenMedia.
func (s *Store) JobMedia(ctx context.Context, actor string, jobID, id int64) (Media, error) {
	x, err := s.Extras(ctx, actor, jobID)
	if err != nil {
		return Media{}, err
	}
	for _, m := range x.Media {
		if m.ID == id {
			return m, nil
		}
	}
	return Media{}, &Error{Code: ENotFound, Field: "media", Message: fmt.Sprintf("job #%d has no attachment #%d that you may see", jobID, id)}
}

// blobChunk is how much of a media_blobs row one query reads.
const blobChunk = 1 << 20

// blobReader reads a PostgreSQL attachment a chunk a query, so that a large
// file is never held whole in memory.
type blobReader struct {
	s         *Store
	ctx       context.Context
	sum       string
	size, off int64
	buf       []byte
}

func (r *blobReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.off >= r.size {
			return 0, io.EOF
		}
		var chunk []byte
		err := r.s.read(r.ctx, func(tx *sql.Tx) error {
			// substring counts bytea bytes from 1
			return tx.QueryRowContext(r.ctx, `SELECT substring(data FROM CAST(? AS integer) FOR CAST(? AS integer)) FROM media_blobs WHERE sha256 = ?`,
				r.off+1, blobChunk, r.sum).Scan(&chunk)
		})
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("attachment %s: its content is missing from the database", r.sum[:12])
		}
		if err != nil {
			return 0, err
		}
		if len(chunk) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		r.buf = chunk
	}
	n := copy(p, r.buf)
	r.buf, r.off = r.buf[n:], r.off+int64(n)
	return n, nil
}

func (r *blobReader) Close() error { r.buf, r.off = nil, r.size; return nil }

// headWriter keeps the first bytes written to it (for content sniffing).
type headWriter struct {
	b   []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if n := w.max - len(w.b); n > 0 {
		w.b = append(w.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// JobExtras are a job's notes, media and fees, as one viewer may read them.
type JobExtras struct {
	Notes []Note
	Media []Media
	Fees  []Fee
}

// Fee is a cancellation or reduction fee kept on a job.
type Fee struct {
	At      time.Time
	Kind    string
	Total   string
	Admin   string
	Officer string
	Actor   string // "office" for a customer
}

// officeName is how a customer reads the author of what staff wrote.
const officeName = "office"

// Extras loads a job's notes (oldest first), media and fees as the actor
// may read them (RULES.md "Who sees what"). Staff read everything. A
// customer user reads only its own account's jobs (EForbidden otherwise),
// and of them only the notes and media written for the customer
// (Audience.VisibleTo) and the fees; the staff's names read "office" and no
// media path is given. Over SSH no one is given a path on the server. An
// officer user reads the jobs it holds (or held) a position on, the notes
// and media written for the officers or the customer, no fees, staff names
// as "office"; agency users are refused.
func (s *Store) Extras(ctx context.Context, actor string, jobID int64) (JobExtras, error) {
	var x JobExtras
	err := s.read(ctx, func(tx *sql.Tx) error {
		v, err := canReadExtras(ctx, tx, actor, jobID)
		if err != nil {
			return err
		}
		office := func(name string) string {
			if !isStaff(v) {
				return officeName
			}
			return name
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, at, author, body, audience FROM job_notes WHERE job_id = ? ORDER BY at, id`, jobID)
		if err != nil {
			return err
		}
		for rows.Next() {
			n := Note{JobID: jobID}
			var at, aud string
			if err := rows.Scan(&n.ID, &at, &n.Author, &n.Body, &aud); err != nil {
				rows.Close()
				return err
			}
			if n.Audience = Audience(aud); !n.Audience.VisibleTo(v) {
				continue
			}
			n.At, _ = parseTime(at)
			n.Author = office(n.Author)
			x.Notes = append(x.Notes, n)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT id, sha256, name, size, type, added_at, added_by, audience FROM media WHERE job_id = ? ORDER BY id`, jobID)
		if err != nil {
			return err
		}
		for rows.Next() {
			m := Media{JobID: jobID}
			var at, aud string
			if err := rows.Scan(&m.ID, &m.SHA256, &m.Name, &m.Size, &m.Type, &at, &m.AddedBy, &aud); err != nil {
				rows.Close()
				return err
			}
			if m.Audience = Audience(aud); !m.Audience.VisibleTo(v) {
				continue
			}
			m.AddedAt, _ = parseTime(at)
			m.AddedBy = office(m.AddedBy)
			if isStaff(v) && !v.Remote {
				m.Path = s.MediaPath(m.SHA256) // "" on PostgreSQL: no file
			}
			x.Media = append(x.Media, m)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		if v.IsOfficer() {
			return nil // fees are the customer's and the office's
		}
		rows, err = tx.QueryContext(ctx, `SELECT at, kind, total, admin, officer, actor FROM job_fees WHERE job_id = ? ORDER BY id`, jobID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f Fee
			var at string
			if err := rows.Scan(&at, &f.Kind, &f.Total, &f.Admin, &f.Officer, &f.Actor); err != nil {
				return err
			}
			f.At, _ = parseTime(at)
			f.Actor = office(f.Actor)
			x.Fees = append(x.Fees, f)
		}
		return rows.Err()
	})
	return x, err
}
