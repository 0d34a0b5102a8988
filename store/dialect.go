package store

import (
	"context"
	"database/sql"
)

// dialect is the SQL that differs between the engines, one value per engine.
// Everything else the store writes once, with ? placeholders.
type dialect struct {
	name string // as users know it: "SQLite", "PostgreSQL"

	tables           string // every table's name, sorted
	hasMigrations    string // 1 when schema_migrations exists
	schemaMigrations string // creates schema_migrations when missing

	// crossJoin joins with ON, the left table first: SQLite's CROSS JOIN
	// (which keeps the planner from reordering), PostgreSQL's JOIN.
	crossJoin string

	isNot string // "a IS NOT b": the two differ, NULL being a value

	// checkNotes are, by check (see Checks), what a check cannot look at on
	// this engine, and why.
	checkNotes map[string]string

	// invoiceTotalsCheck is the check's query of the invoices (not void)
	// whose subtotal or total is not the sum of their lines, to the cent.
	invoiceTotalsCheck string

	// positionsMismatch is the check's HAVING condition that a job's live
	// positions (officer_positions, supervisor_positions) are not the
	// officers and supervisors it asks for.
	positionsMismatch string
}

var sqliteDialect = &dialect{
	name:      "SQLite",
	crossJoin: "CROSS JOIN",
	isNot:     "IS NOT",
	invoiceTotalsCheck: `SELECT i.id, coalesce(i.number, '#' || i.id) AS invoice, i.subtotal, i.total, printf('%.2f', coalesce(l.cents, 0) / 100.0) AS lines
				FROM invoices i LEFT JOIN (SELECT invoice_id, sum(CAST(round(CAST(amount AS REAL) * 100) AS INTEGER)) AS cents
					FROM invoice_lines GROUP BY invoice_id) l ON l.invoice_id = i.id
				WHERE i.state <> 'void' AND (CAST(round(CAST(i.total AS REAL) * 100) AS INTEGER) <> coalesce(l.cents, 0)
					OR CAST(round(CAST(i.subtotal AS REAL) * 100) AS INTEGER) <> coalesce(l.cents, 0))`,
	positionsMismatch: `officer_positions IS NOT j.officers OR supervisor_positions IS NOT j.supervisors`,
	tables:            `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
	hasMigrations:     `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
}

var postgresDialect = &dialect{
	name:      "PostgreSQL",
	crossJoin: "JOIN",
	isNot:     "IS DISTINCT FROM",
	checkNotes: map[string]string{
		"integrity":    "PostgreSQL keeps its own pages and indexes sound (its write-ahead log, checksums when enabled): the server's tools check them (amcheck, pg_checksums), not offduty",
		"foreign keys": "PostgreSQL enforces every foreign key itself; checked anyway, for rows written with its triggers off",
	},
	// Numerics are exact: compared as they are, the lines summed to the cent.
	invoiceTotalsCheck: `SELECT i.id, coalesce(i.number, '#' || i.id) AS invoice, i.subtotal, i.total, CAST(round(coalesce(l.cents, 0) / 100.0, 2) AS text) AS lines
				FROM invoices i LEFT JOIN (SELECT invoice_id, sum(CAST(round(amount * 100) AS bigint)) AS cents
					FROM invoice_lines GROUP BY invoice_id) l ON l.invoice_id = i.id
				WHERE i.state <> 'void' AND (CAST(round(i.total * 100) AS bigint) <> coalesce(l.cents, 0)
					OR CAST(round(i.subtotal * 100) AS bigint) <> coalesce(l.cents, 0))`,
	positionsMismatch: `sum((p.class = 'officer' AND p.status <> 'cancelled')::int) IS DISTINCT FROM j.officers
					OR sum((p.class = 'supervisor' AND p.status <> 'cancelled')::int) IS DISTINCT FROM j.supervisors`,
	tables: `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
	hasMigrations: `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
}

func (s *Store) dialect() *dialect {
	if s.pg != nil {
		return postgresDialect
	}
	return sqliteDialect
}

// pg reports whether d is PostgreSQL's.
func (d *dialect) pg() bool { return d == postgresDialect }

// stamp is an instant column as the store's text, 2006-01-02T15:04:05Z (on
// SQLite the column itself), for SQL that packs it into a text.
func (d *dialect) stamp(col string) string {
	if d.pg() {
		return `to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
	}
	return col
}

// stampOr is an instant column that may be empty (NULL, or ” on SQLite)
// as the store's text, or dflt (an SQL text literal) when empty.
func (d *dialect) stampOr(col, dflt string) string {
	switch {
	case d.pg():
		return `coalesce(` + d.stamp(col) + `, ` + dflt + `)`
	case dflt == "''":
		return `coalesce(` + col + `, '')`
	}
	return `coalesce(nullif(` + col + `, ''), ` + dflt + `)`
}

// day is a calendar-day column as the store's text, 2006-01-02.
func (d *dialect) day(col string) string {
	if d.pg() {
		return `to_char(` + col + `, 'YYYY-MM-DD')`
	}
	return col
}

// dayOr is a calendar-day column that may be NULL (or ” on SQLite) as the
// store's text, or dflt (an SQL text literal) when empty.
func (d *dialect) dayOr(col, dflt string) string {
	if d.pg() {
		return `coalesce(` + d.day(col) + `, ` + dflt + `)`
	}
	return `coalesce(` + col + `, ` + dflt + `)`
}

// countIf is the number of rows of a group for which cond holds.
func (d *dialect) countIf(cond string) string {
	if d.pg() { // NULL as on SQLite when cond is (no row of a LEFT JOIN)
		return `sum((` + cond + `)::int)`
	}
	return `sum(` + cond + `)`
}

// nonZero is the condition that a money column is not zero.
func (d *dialect) nonZero(col string) string {
	if d.pg() {
		return col + ` <> 0`
	}
	return `CAST(` + col + ` AS REAL) <> 0`
}

// emergencyFlag is 1 for a job j whose saved quote (compact JSON, written
// by encoding/json) says emergency, else 0. A quote that holds
// "emergency":false and nowhere "emergency":true is not one, which a
// substring says without parsing the JSON (the most of what reading a
// month's jobs cost); any other is parsed.
func (d *dialect) emergencyFlag() string {
	if d.pg() {
		return `CASE WHEN strpos(j.quote_json, '"emergency":false') > 0 AND strpos(j.quote_json, '"emergency":true') = 0 THEN 0
	WHEN (j.quote_json::jsonb -> 'emergency') = 'true'::jsonb THEN 1 ELSE 0 END`
	}
	return `CASE WHEN instr(j.quote_json, '"emergency":false') > 0 AND instr(j.quote_json, '"emergency":true') = 0 THEN 0
	WHEN json_valid(j.quote_json) AND json_extract(j.quote_json, '$.emergency') THEN 1 ELSE 0 END`
}

// writeMarkQuery says where the database's writes stand (see writeMark):
// on SQLite the write connection's total_changes() and data_version (which
// moves when another connection commits); on PostgreSQL the count of
// committed offduty write transactions (write_seq, bumped by each as it
// commits, on any host: see Store.tx), which other databases of the
// server and its own housekeeping (autovacuum) leave alone.
func (d *dialect) writeMarkQuery() string {
	if d.pg() {
		return `SELECT n, '' FROM write_seq`
	}
	return `SELECT total_changes(), (SELECT data_version FROM pragma_data_version())`
}

// committed is the write mark once the transaction it was read in (at its
// end) commits: on PostgreSQL that commit bumps write_seq once more.
func (d *dialect) committed(m writeMark) writeMark {
	if d.pg() {
		m.changes++
	}
	return m
}

// unitSep is the SQL of the character 31, the unit separator.
func (d *dialect) unitSep() string {
	if d.pg() {
		return `chr(31)`
	}
	return `char(31)`
}

// syncIdentity moves, on PostgreSQL, the id sequence of each table past
// its highest id: for rows written with ids given by the store (under the
// write lock, as SQLite would give them), so that the next row the
// database numbers does not take one of theirs.
func (d *dialect) syncIdentity(ctx context.Context, tx *sql.Tx, tables ...string) error {
	if !d.pg() {
		return nil
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+t); err != nil {
			return err
		}
	}
	return nil
}

// contains is the condition that the text hay holds the text needle.
func (d *dialect) contains(hay, needle string) string {
	if d.pg() {
		return `strpos(` + hay + `, ` + needle + `) > 0`
	}
	return `instr(` + hay + `, ` + needle + `) > 0`
}

// daysCTE is "WITH RECURSIVE days(d) AS (...)": the calendar days from the
// first argument up to the second (excluded), as the type of day columns.
func (d *dialect) daysCTE() string {
	if d.pg() {
		return `WITH RECURSIVE days(d) AS (SELECT CAST(? AS date) UNION ALL SELECT d + 1 FROM days WHERE d + 1 < CAST(? AS date))`
	}
	return `WITH RECURSIVE days(d) AS (SELECT ? UNION ALL SELECT date(d, '+1 day') FROM days WHERE date(d, '+1 day') < ?)`
}

// refusalMessage is the message of the first refusal with the code given
// (an SQL-safe word) in the saved quote of job j, or ”.
func (d *dialect) refusalMessage(code string) string {
	if d.pg() {
		return `coalesce((SELECT x ->> 'message' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.quote_json::jsonb -> 'refusals') = 'array'
				THEN j.quote_json::jsonb -> 'refusals' ELSE '[]'::jsonb END) x
				WHERE x ->> 'code' = '` + code + `' LIMIT 1), '')`
	}
	return `coalesce((SELECT json_extract(x.value, '$.message') FROM json_each(j.quote_json, '$.refusals') x
				WHERE json_extract(x.value, '$.code') = '` + code + `' LIMIT 1), '')`
}

// validQuote is " AND" the condition that job j's saved quote is JSON: on
// PostgreSQL, where it is read as jsonb, every quote the store saved is.
func (d *dialect) validQuote() string {
	if d.pg() {
		return ``
	}
	return ` AND json_valid(j.quote_json)`
}

// seqOf is the sequence number of an invoice number ("2026-000123": 123).
func (d *dialect) seqOf(col string) string {
	if d.pg() {
		return `CAST(substr(` + col + `, 6) AS bigint)`
	}
	return `CAST(substr(` + col + `, 6) AS INTEGER)`
}

// year4 is a year column as four digits of text ("0999", "2026").
func (d *dialect) year4(col string) string {
	if d.pg() {
		return `lpad(CAST(` + col + ` AS text), 4, '0')`
	}
	return `printf('%04d', ` + col + `)`
}

// listDistinct is the distinct values of a text expression over a group,
// joined with commas.
func (d *dialect) listDistinct(expr string) string {
	if d.pg() {
		return `string_agg(DISTINCT ` + expr + `, ',')`
	}
	return `group_concat(DISTINCT ` + expr + `)`
}

// rowsPerInsert is how many rows a multi-row INSERT of a bulk write takes,
// n being SQLite's: PostgreSQL takes 8 times as many (a round trip each
// statement), every statement staying far under its 65,535 parameters (the
// largest, 256 jobs of 28 values, has 7,168).
func (d *dialect) rowsPerInsert(n int) int {
	if d.pg() {
		return n * 8
	}
	return n
}

// SQL of the store's operations (everything but money) whose text differs
// between the engines: one method a query or fragment, the SQLite text as it
// always was, the PostgreSQL variant beside it.

// hasTableQuery counts the tables named ? (0 or 1).
func (d *dialect) hasTableQuery() string {
	if d.pg() {
		return `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	return `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
}

// textAgg concatenates the texts of a group with sep between them.
func (d *dialect) textAgg(expr, sep string) string {
	if d.pg() {
		return `string_agg(` + expr + `, '` + sep + `')`
	}
	return `group_concat(` + expr + `, '` + sep + `')`
}

// dayBounds is the CTE d(i, lo, hi) of the days DayCounts counts, from a
// JSON array ? of [lo, hi] pairs of UTC texts: i from 0, lo and hi
// comparable with the instant columns.
func (d *dialect) dayBounds() string {
	if d.pg() {
		return `WITH d(i, lo, hi) AS (SELECT e.n - 1, CAST(e.v->>0 AS timestamptz), CAST(e.v->>1 AS timestamptz)
			FROM jsonb_array_elements(CAST(? AS jsonb)) WITH ORDINALITY AS e(v, n))`
	}
	return `WITH d(i, lo, hi) AS (SELECT key, value->>0, value->>1 FROM json_each(?))`
}

// agendaSelect is what Agenda selects of a job (before jobFrom): the names,
// the job packed in one text, its positions packed in another.
func (d *dialect) agendaSelect() string {
	if d.pg() {
		return agendaSelectPG
	}
	return agendaSelectSQLite
}

var (
	agendaSelectSQLite = buildAgendaSelect(sqliteDialect)
	agendaSelectPG     = buildAgendaSelect(postgresDialect)
)

func buildAgendaSelect(d *dialect) string {
	return `SELECT c.name, st.name, a.slug, a.name, j.venue,
			j.id || ' ' || j.customer_id || ' ' || j.site_id || ' ' || j.agency_id || ' ' || ` + d.stamp("j.starts_at") + ` || ' ' || ` + d.stamp("j.ends_at") + `
				|| ' ' || j.officers || ' ' || j.supervisors || ' ' || j.vehicles || ' ' || j.status || ' ' || j.bookable,
			(SELECT ` + d.textAgg(`p.id || ' ' || p.slot || ' ' || p.class || ' ' || coalesce(p.officer_id, 0) || ' ' || `+d.stamp("p.starts_at")+` || ' ' || `+d.stamp("p.ends_at")+`
					|| ' ' || p.status || ' ' || `+d.stampOr("p.check_in_at", "'-'")+` || ' ' || `+d.stampOr("p.check_out_at", "'-'")+`
					|| ' ' || coalesce(nullif(p.attendance, ''), '-') || ' ' || coalesce(p.no_show_officer_id, 0)`, ";") + `
				FROM positions p WHERE p.job_id = j.id)`
}
