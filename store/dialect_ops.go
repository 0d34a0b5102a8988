package store

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
