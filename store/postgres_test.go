package store

import (
	"context"
	"sort"
	"strings"
	"testing"

	"offduty/store/storetest"
)

func TestInsertReturning(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`INSERT INTO series (weeks, created_at) VALUES (?, ?)`, `INSERT INTO series (weeks, created_at) VALUES ($1, $2) RETURNING id`},
		{`INSERT INTO jobs (id, customer_id) VALUES (?, ?), (?, ?)`, `INSERT INTO jobs (id, customer_id) VALUES ($1, $2), ($3, $4)`},
		{`INSERT INTO optouts (address, kind, at) VALUES (?, ?, ?)`, `INSERT INTO optouts (address, kind, at) VALUES ($1, $2, $3)`},
		{`INSERT INTO users (name) VALUES ('a?b') RETURNING id`, `INSERT INTO users (name) VALUES ('a?b') RETURNING id`},
		{`SELECT * FROM jobs j INDEXED BY jobs_dims WHERE +j.status = ? AND x = '?'`, `SELECT * FROM jobs j WHERE j.status = $1 AND x = '?'`},
	} {
		if got, _ := insertReturning(c.in); got != c.out {
			t.Errorf("insertReturning(%q)\n= %q\nwant %q", c.in, got, c.out)
		}
	}
}

func TestIsPostgresAndRedact(t *testing.T) {
	for _, c := range []struct {
		db    string
		pg    bool
		shown string
	}{
		{"postgres://u:s3cr3t@db1/offduty", true, "postgres://u:xxxxx@db1/offduty"},
		{"POSTGRES://u@db1/offduty", true, "postgres://u@db1/offduty"},
		{"postgresql://u@db1:5433/offduty?sslmode=require&password=s3cr3t", true, "postgresql://u@db1:5433/offduty?password=xxxxx&sslmode=require"},
		{"host=db1 dbname=offduty user=u password=s3cr3t", true, "host=db1 dbname=offduty user=u password=xxxxx"},
		{"dbname=offduty password='s3 cr3t' host=db1", true, "dbname=offduty password=xxxxx host=db1"},
		{"/srv/offduty/offduty.db", false, ""},
		{"offduty.db", false, ""},
		{"my=file.db", false, ""},
	} {
		if got := IsPostgres(c.db); got != c.pg {
			t.Errorf("IsPostgres(%q) = %v, want %v", c.db, got, c.pg)
		}
		if !c.pg {
			continue
		}
		if got := RedactURL(c.db); got != c.shown {
			t.Errorf("RedactURL(%q) = %q, want %q", c.db, got, c.shown)
		}
	}
}

// The tables whose INSERTs hand back LastInsertId on PostgreSQL are those
// whose id the database numbers.
func TestIdentityTables(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only")
	}
	s, err := Open(storetest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := queryList[string](context.Background(), s.r, `SELECT table_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for t := range identityTables {
		want = append(want, t)
	}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("identity tables in the schema:\n%v\nidentityTables:\n%v", got, want)
	}
	// and an id comes back through a prepared INSERT too
	tx, err := s.w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO series (weeks, created_at) VALUES (?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Exec(2, "2026-11-26T16:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := res.LastInsertId(); err != nil || id <= 0 {
		t.Errorf("LastInsertId of a prepared INSERT = %d, %v", id, err)
	}
}
