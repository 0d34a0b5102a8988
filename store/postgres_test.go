package store

import "testing"

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
