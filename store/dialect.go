package store

// dialect is the SQL that differs between the engines, one value per engine.
// Everything else the store writes once, with ? placeholders.
type dialect struct {
	name string // as users know it: "SQLite", "PostgreSQL"

	tables           string // every table's name, sorted
	hasMigrations    string // 1 when schema_migrations exists
	schemaMigrations string // creates schema_migrations when missing
}

var sqliteDialect = &dialect{
	name:          "SQLite",
	tables:        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
	hasMigrations: `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
}

var postgresDialect = &dialect{
	name: "PostgreSQL",
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
