package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// copyOrder is every table, parents before children: the order a whole
// office is copied in (customers' merged_into, the one reference to its own
// table, is set after every customer is in).
var copyOrder = []string{
	"agencies", "rate_cards", "agency_holidays", "venue_rules", "customers", "contacts", "sites",
	"officers", "series", "jobs", "positions", "audit", "job_notes", "media", "job_fees",
	"invoices", "invoice_lines", "invoice_claims", "invoice_counters", "settings",
	"payroll_locks", "payroll_lines", "users", "user_keys", "signups", "outbox", "optouts",
	"officer_standing", "officer_certs", "cert_requirements",
	"web_signin_links", "web_signin_requests", "web_sessions", "web_calendar_feeds", "web_config",
}

// CopyProgress tells how a copy goes: a table done and its rows.
type CopyProgress func(table string, rows int64, took time.Duration)

// CopyTo copies the whole office in s into dst, a new database with no
// office in it yet (its tables empty), in one transaction of dst: all of
// it or nothing. Both must be at the same schema version. Media files
// travel too: from the folder beside a SQLite file into PostgreSQL's
// media_blobs, or back. The read is one consistent snapshot of s, so the
// copy is of one moment even while others write.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress CopyProgress) error {
	if dst.readOnly {
		return &Error{Code: EConflict, Field: "to", Message: fmt.Sprintf("%s is open for reading only", dst.path)}
	}
	sv, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	dv, err := dst.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if sv != dv {
		return &Error{Code: EConflict, Field: "from", Message: fmt.Sprintf("%s is at schema version %d and %s at %d: open the older one once with this offduty to bring it up to date", s.path, sv, dst.path, dv)}
	}
	return s.read(ctx, func(src *sql.Tx) error {
		have, err := s.tableNames(ctx, src)
		if err != nil {
			return err
		}
		for _, t := range have {
			if t != "schema_migrations" && t != "media_blobs" && t != "write_seq" && !slices.Contains(copyOrder, t) {
				return fmt.Errorf("table %s of %s is not known to the copy: nothing was copied", t, s.path)
			}
		}
		return dst.tx(ctx, func(out *sql.Tx) error {
			for _, t := range copyOrder {
				var n int
				if err := out.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteName(t)).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return &Error{Code: EConflict, Field: "to", Message: fmt.Sprintf("%s already holds an office (%d rows in %s): copy into a new, empty database", dst.path, n, t)}
				}
			}
			for _, t := range copyOrder {
				began := time.Now()
				n, err := copyTable(ctx, src, out, t)
				if err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
				if progress != nil {
					progress(t, n, time.Since(began))
				}
			}
			rows, err := src.QueryContext(ctx, `SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL`)
			if err != nil {
				return err
			}
			var merged [][2]int64
			for rows.Next() {
				var m [2]int64
				if err := rows.Scan(&m[0], &m[1]); err != nil {
					rows.Close()
					return err
				}
				merged = append(merged, m)
			}
			rows.Close()
			for _, m := range merged {
				if _, err := out.ExecContext(ctx, `UPDATE customers SET merged_into = ? WHERE id = ?`, m[1], m[0]); err != nil {
					return err
				}
			}
			if dst.pg != nil {
				for _, t := range copyOrder {
					if !identityTables[t] {
						continue
					}
					if _, err := out.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(CAST(? AS text), 'id'), coalesce(max(id), 0) + 1, false) FROM `+quoteName(t), t); err != nil {
						return fmt.Errorf("number %s: %w", t, err)
					}
				}
			}
			began := time.Now()
			n, err := s.copyMedia(ctx, src, dst, out)
			if err != nil {
				return fmt.Errorf("copy media: %w", err)
			}
			if progress != nil {
				progress("media files", n, time.Since(began))
			}
			return nil
		})
	})
}

// HasOffice reports whether the database holds an office (its agencies):
// false for a new one, or one whose first start was cut short before the
// office was copied in.
func (s *Store) HasOffice(ctx context.Context) (bool, error) {
	var n int
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM agencies`).Scan(&n)
	})
	return n > 0, err
}

func (s *Store) tableNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return queryList[string](ctx, tx, s.dialect().tables)
}

// anyRow is a row of n values of any type and the pointers Scan takes.
func anyRow(n int) (vals, ptrs []any) {
	vals, ptrs = make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, ptrs
}

func quoteName(t string) string { return `"` + strings.ReplaceAll(t, `"`, `""`) + `"` }

// copyTable copies one table's rows, many a statement (PostgreSQL takes at
// most 65,535 parameters a statement). Columns are matched by name; one the
// destination numbers itself (agency_holidays' rowid on PostgreSQL) keeps
// the source's order.
func copyTable(ctx context.Context, src, out *sql.Tx, table string) (int64, error) {
	order := "1"
	if table == "agency_holidays" {
		order = "rowid" // the order they were entered
	}
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+quoteName(table)+` ORDER BY `+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	var names []string
	keep := make([]bool, len(cols))
	for i, c := range cols {
		if c == "rowid" || (table == "customers" && c == "merged_into") {
			continue // numbered by the destination; set after every customer is in
		}
		keep[i] = true
		names = append(names, quoteName(c))
	}
	per := max(1, min(500, 60000/len(names)))
	rowSQL := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	var batch []any
	var n, inBatch int64
	flush := func() error {
		if inBatch == 0 {
			return nil
		}
		q := `INSERT INTO ` + quoteName(table) + ` (` + strings.Join(names, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(rowSQL+", ", int(inBatch)), ", ")
		if _, err := out.ExecContext(ctx, q, batch...); err != nil {
			return err
		}
		batch, inBatch = batch[:0], 0
		return nil
	}
	vals, ptrs := anyRow(len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			if keep[i] {
				batch = append(batch, v)
			}
		}
		n++
		if inBatch++; inBatch == int64(per) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// copyMedia brings every media file the office records across.
func (s *Store) copyMedia(ctx context.Context, src *sql.Tx, dst *Store, out *sql.Tx) (int64, error) {
	sums, err := queryList[string](ctx, src, `SELECT DISTINCT sha256 FROM media ORDER BY 1`)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, sum := range sums {
		var data []byte
		if s.pg != nil {
			if err := src.QueryRowContext(ctx, `SELECT data FROM media_blobs WHERE sha256 = ?`, sum).Scan(&data); err != nil {
				return n, fmt.Errorf("media %s: %w", sum, err)
			}
		} else if data, err = os.ReadFile(s.MediaPath(sum)); err != nil {
			return n, fmt.Errorf("media %s: %w", sum, err)
		}
		if dst.pg != nil {
			if _, err := out.ExecContext(ctx, `INSERT INTO media_blobs (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, sum, data); err != nil {
				return n, err
			}
		} else {
			if err := os.MkdirAll(dst.MediaDir(), 0o700); err != nil {
				return n, err
			}
			if err := os.WriteFile(dst.MediaPath(sum), data, 0o600); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}
