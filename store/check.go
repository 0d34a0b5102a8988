package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Finding is one thing Check found wrong: which check, what is wrong, how
// many rows, some of them, and a hint.
type Finding struct {
	Check   string
	Problem string
	Count   int
	Rows    []string // up to maxFindingRows
	Hint    string
}

const maxFindingRows = 20

// CheckResult is one check Check ran, sound or not.
type CheckResult struct {
	Name     string
	Findings []Finding
	Note     string // what the check could not look at on this engine, and why ("" when none)
}

// Checks lists the checks Check runs, in order, with what each promises.
var Checks = []struct{ Name, Promise string }{
	{"integrity", "SQLite's integrity_check: the file's pages, indexes and records are sound (PostgreSQL: a note; its own tools check it)"},
	{"foreign keys", "every reference points at a row that exists"},
	{"invoice numbers", "issued numbers run gap-free per year, each used once, and the counter is at the last"},
	{"invoice totals", "each invoice's subtotal and total are the sum of its lines"},
	{"billed once", "a shift, a job's vehicles and a fee are on at most one invoice that is not void"},
	{"double booking", "no officer holds two overlapping live positions"},
	{"positions", "every live job has a position for each officer and supervisor it asks for"},
	{"payroll", "locked payroll lines pay worked shifts, to the officer who worked them"},
}

// Check verifies the file and every business invariant the store promises,
// in one read transaction (a consistent view while others write). A
// supervisor's, or the local operator's.
func (s *Store) Check(ctx context.Context, actor string) ([]CheckResult, error) {
	var out []CheckResult
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		d := s.dialect()
		for _, c := range Checks {
			fs, err := runCheck(ctx, d, tx, c.Name)
			if err != nil {
				return fmt.Errorf("check %s: %w", c.Name, err)
			}
			out = append(out, CheckResult{Name: c.Name, Findings: fs, Note: d.checkNotes[c.Name]})
		}
		return nil
	})
	return out, err
}

// rowsFinding runs a query whose rows are each one problem, its columns
// joined for display, and makes a finding of them (nil when none).
func rowsFinding(ctx context.Context, tx *sql.Tx, check, problem, hint, query string, args ...any) (*Finding, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	f := &Finding{Check: check, Problem: problem, Hint: hint}
	vals, ptrs := anyRow(len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		f.Count++
		if len(f.Rows) < maxFindingRows {
			var parts []string
			for i, c := range cols {
				parts = append(parts, fmt.Sprintf("%s=%v", c, display(vals[i])))
			}
			f.Rows = append(f.Rows, strings.Join(parts, " "))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.Count == 0 {
		return nil, nil
	}
	return f, nil
}

func display(v any) any {
	switch x := v.(type) {
	case []byte:
		return Clean(string(x), false)
	case string:
		return Clean(x, false)
	case nil:
		return "null"
	}
	return v
}

func runCheck(ctx context.Context, d *dialect, tx *sql.Tx, name string) ([]Finding, error) {
	var queries []struct{ problem, hint, q string }
	switch name {
	case "integrity":
		if d.pg() {
			return nil, nil // the server's own (see the note)
		}
		rows, err := tx.QueryContext(ctx, `PRAGMA integrity_check`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		f := Finding{Check: name, Problem: "the file is damaged", Hint: "restore the latest backup (offduty restore) and re-enter what came after it"}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return nil, err
			}
			if line != "ok" {
				f.Count++
				if len(f.Rows) < maxFindingRows {
					f.Rows = append(f.Rows, line)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if f.Count > 0 {
			return []Finding{f}, nil
		}
		return nil, nil
	case "foreign keys":
		q := `SELECT "table", rowid, parent FROM pragma_foreign_key_check`
		if d.pg() {
			var err error
			if q, err = pgForeignKeyCheck(ctx, tx); err != nil {
				return nil, err
			}
			if q == "" {
				return nil, nil
			}
		}
		queries = append(queries, struct{ problem, hint, q string }{"rows refer to rows that do not exist",
			"the file was edited outside offduty: restore a backup, or repair the rows named", q})
	case "invoice numbers":
		queries = append(queries,
			struct{ problem, hint, q string }{"a year's numbers have a gap or a repeat",
				"numbers are given inside the issuing transaction; a gap means rows were deleted outside offduty",
				`SELECT substr(number, 1, 4) AS year, count(*) AS issued, count(DISTINCT number) AS distinct_numbers,
					max(` + d.seqOf("number") + `) AS highest FROM invoices WHERE number IS NOT NULL
					GROUP BY 1 HAVING count(*) <> max(` + d.seqOf("number") + `) OR count(*) <> count(DISTINCT number)`},
			struct{ problem, hint, q string }{"a year's counter is not at its last number",
				"the next invoice of that year would skip or repeat a number",
				`SELECT c.year, c.last AS counter, coalesce(max(` + d.seqOf("i.number") + `), 0) AS highest
					FROM invoice_counters c LEFT JOIN invoices i ON substr(i.number, 1, 4) = ` + d.year4("c.year") + `
					GROUP BY c.year HAVING c.last <> coalesce(max(` + d.seqOf("i.number") + `), 0)`},
			struct{ problem, hint, q string }{"invoices in the wrong state for their number",
				"an issued, paid or void invoice has a number and an issue date; a draft has neither",
				`SELECT id, state, number, issued_on FROM invoices WHERE (state = 'draft') <> (number IS NULL)
					OR (number IS NOT NULL AND issued_on IS NULL)`})
	case "invoice totals":
		queries = append(queries, struct{ problem, hint, q string }{"an invoice's total is not the sum of its lines",
			"an issued invoice never changes: void it and bill again",
			d.invoiceTotalsCheck})
	case "billed once":
		queries = append(queries,
			struct{ problem, hint, q string }{"a shift is on two invoices that are not void",
				"void the later invoice: its other lines are billed again by the next invoices generate",
				`SELECT l.position_id, ` + d.listDistinct(`coalesce(i.number, '#' || i.id)`) + ` AS invoices FROM invoice_lines l
					JOIN invoices i ON i.id = l.invoice_id WHERE i.state <> 'void' AND l.position_id IS NOT NULL
					GROUP BY l.position_id HAVING count(DISTINCT l.invoice_id) > 1`},
			struct{ problem, hint, q string }{"a job's vehicles or a fee are on two invoices that are not void",
				"void the later invoice",
				`SELECT l.kind, CASE l.kind WHEN 'fee' THEN l.fee_id ELSE l.job_id END AS ref,
					` + d.listDistinct(`coalesce(i.number, '#' || i.id)`) + ` AS invoices FROM invoice_lines l
					JOIN invoices i ON i.id = l.invoice_id WHERE i.state <> 'void' AND l.kind IN ('vehicle', 'fee')
					GROUP BY 1, 2 HAVING count(DISTINCT l.invoice_id) > 1`},
			struct{ problem, hint, q string }{"a void invoice still claims what it billed",
				"voiding frees what an invoice billed; these claims keep it from being billed again",
				`SELECT c.kind, c.ref_id, i.id AS invoice FROM invoice_claims c JOIN invoices i ON i.id = c.invoice_id WHERE i.state = 'void'`})
	case "double booking":
		queries = append(queries, struct{ problem, hint, q string }{"an officer holds two overlapping live positions",
			"unassign one of them on its Job screen (u), then fill it again",
			`SELECT a.officer_id AS officer, a.id AS position, a.job_id AS job, a.starts_at, b.id AS other_position, b.job_id AS other_job, b.starts_at AS other_starts_at
				FROM positions a JOIN jobs ja ON ja.id = a.job_id
				JOIN positions b ON b.officer_id = a.officer_id AND b.starts_at >= a.starts_at AND b.starts_at < a.ends_at AND b.id <> a.id
					AND (b.starts_at > a.starts_at OR b.id > a.id)
				JOIN jobs jb ON jb.id = b.job_id
				WHERE a.officer_id IS NOT NULL AND a.status = 'assigned' AND b.status = 'assigned'
					AND ja.status <> 'cancelled' AND jb.status <> 'cancelled'`})
	case "positions":
		queries = append(queries, struct{ problem, hint, q string }{"a live job's positions do not match the officers and supervisors it asks for",
			"cancel and re-request the job, or reduce it, so its positions are made again",
			`SELECT j.id AS job, j.officers, j.supervisors,
					` + d.countIf("p.class = 'officer' AND p.status <> 'cancelled'") + ` AS officer_positions,
					` + d.countIf("p.class = 'supervisor' AND p.status <> 'cancelled'") + ` AS supervisor_positions
				FROM jobs j LEFT JOIN positions p ON p.job_id = j.id WHERE j.status <> 'cancelled'
				GROUP BY j.id HAVING ` + d.positionsMismatch})
	case "payroll":
		queries = append(queries, struct{ problem, hint, q string }{"a locked payroll line pays a shift that was not worked by that officer",
			"the shift was changed after its period was locked outside offduty: pay the difference as an adjustment",
			`SELECT pl.id AS line, pl.period_start, pl.officer_id, pl.position_id, p.officer_id AS position_officer, p.status, p.attendance, j.status AS job_status
				FROM payroll_lines pl JOIN positions p ON p.id = pl.position_id JOIN jobs j ON j.id = p.job_id
				WHERE pl.kind = 'shift' AND (p.attendance = 'no_show' OR p.status <> 'assigned' OR p.officer_id ` + d.isNot + ` pl.officer_id
					OR j.status NOT IN ('completed', 'invoiced', 'paid'))`})
	}
	var out []Finding
	for _, q := range queries {
		f, err := rowsFinding(ctx, tx, name, q.problem, q.hint, q.q)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// pgForeignKeyCheck is, on PostgreSQL, the query of the rows whose
// references point at no row (as SQLite's foreign_key_check: table, row,
// parent), one part per foreign key of the schema; "" when there is none.
// The server enforces them, but rows written with its triggers off (a
// replica's role, a restore) are not checked.
func pgForeignKeyCheck(ctx context.Context, tx *sql.Tx) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
			quote_ident(a.attname), quote_ident(f.attname),
			EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = c.conrelid AND x.attname = 'id' AND NOT x.attisdropped)
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND cardinality(c.conkey) = 1
		ORDER BY 1, 2, 3`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var child, parent, col, pcol string
		var hasID bool
		if err := rows.Scan(&child, &parent, &col, &pcol, &hasID); err != nil {
			return "", err
		}
		row := `CAST(x.ctid AS text)`
		if hasID {
			row = `CAST(x.id AS text)`
		}
		parts = append(parts, `SELECT `+quoteText(strings.Trim(child, `"`))+` AS "table", `+row+` AS rowid, `+quoteText(strings.Trim(parent, `"`))+` AS parent
			FROM `+child+` x WHERE x.`+col+` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `+parent+` p WHERE p.`+pcol+` = x.`+col+`)`)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(parts, "\nUNION ALL "), nil
}

// quoteText is s as an SQL text literal.
func quoteText(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
