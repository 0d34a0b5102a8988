package store

import (
	"context"
	"database/sql"

	"github.com/shopspring/decimal"
)

// Tally is what a whole office adds up to: rows per table and the money
// the records hold. Two databases holding the same office tally the same,
// whichever engine each is on (offduty migrate compares them).
type Tally struct {
	Counts []TableCount
	Totals []MoneyTotal
}

// TableCount is one table's rows.
type TableCount struct {
	Table string
	Rows  int64
}

// MoneyTotal is one sum of money, exact to the cent.
type MoneyTotal struct {
	Name  string
	Total decimal.Decimal
}

// tallySums are the money totals a tally adds, as whole cents.
var tallySums = []struct{ name, query string }{
	{"jobs quoted", `SELECT coalesce(sum(` + centsOf("total") + `), 0) FROM jobs`},
	{"cancellation fees", `SELECT coalesce(sum(` + centsOf("total") + `), 0) FROM job_fees`},
	{"invoices (not void)", `SELECT coalesce(sum(` + centsOf("total") + `), 0) FROM invoices WHERE state <> 'void'`},
	{"invoice lines", `SELECT coalesce(sum(` + centsOf("amount") + `), 0) FROM invoice_lines`},
	{"officer pay on invoices", `SELECT coalesce(sum(` + centsOf("officer_pay") + `), 0) FROM invoice_lines`},
	{"payroll locked", `SELECT coalesce(sum(` + centsOf("amount") + `), 0) FROM payroll_lines`},
}

// Tally counts every table's rows and adds up the office's money, in one
// consistent read. A supervisor's, or the local operator's.
func (s *Store) Tally(ctx context.Context, actor string) (Tally, error) {
	var out Tally
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.authorize(ctx, tx, actor, PermAdmin); err != nil {
			return err
		}
		for _, t := range copyOrder {
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteName(t)).Scan(&n); err != nil {
				return err
			}
			out.Counts = append(out.Counts, TableCount{t, n})
		}
		for _, m := range tallySums {
			var c int64
			if err := tx.QueryRowContext(ctx, m.query).Scan(&c); err != nil {
				return err
			}
			out.Totals = append(out.Totals, MoneyTotal{m.name, cents(c)})
		}
		return nil
	})
	return out, err
}
