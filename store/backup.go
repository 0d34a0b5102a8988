package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// Snapshot writes a consistent copy of the database to dst (a new file)
// with SQLite's VACUUM INTO, while the console, serve and other commands
// go on reading and writing: the copy is the database as of one moment,
// the WAL's committed changes included, compacted. It runs on a connection
// of its own, so no write waits for it. It returns the SHA-256 names of the
// media files the copy refers to (copy them with it).
func (s *Store) Snapshot(ctx context.Context, dst string) ([]string, error) {
	if s.pg != nil {
		return nil, &Error{Code: EInvalid, Field: "db", Message: "a snapshot copies a SQLite file: back up a PostgreSQL database with its own tools (pg_dump), attachments included (media_blobs)"}
	}
	if _, err := os.Stat(dst); err == nil {
		return nil, fmt.Errorf("snapshot: %s already exists", dst)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: s.path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return nil, err
	}
	// What the copy refers to, read from the copy itself.
	cp, err := sql.Open("sqlite", "file:"+(&url.URL{Path: dst}).EscapedPath()+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer cp.Close()
	rows, err := cp.QueryContext(ctx, `SELECT DISTINCT sha256 FROM media ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer rows.Close()
	var media []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return nil, err
		}
		media = append(media, sum)
	}
	return media, rows.Err()
}

// MediaPath is where a media file of the given SHA-256 is kept: a file in
// MediaDir on SQLite, none ("") on PostgreSQL, which keeps the content in
// the database (read it with OpenMedia).
func (s *Store) MediaPath(sum string) string {
	if s.pg != nil {
		return ""
	}
	return filepath.Join(s.MediaDir(), sum)
}
