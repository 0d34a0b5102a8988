package seed_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"offduty/store"
)

// BenchmarkReports1M opens each report (store.ReportNames) over the last
// month of the five-year history (September 2026: about 8,400 jobs, 16,700
// positions, 900 invoices issued) and over its last year (October 2025 to
// September 2026: about 100,000 jobs, 200,000 positions, 10,000 invoices),
// on the 1,000,000-position database of BenchmarkMonthOpen1M (built once,
// about 80 s; the first open after an upgrade also builds the reports'
// indexes, migration 0009). A report is what the Reports tab and offduty
// report ask the store for: its one read transaction, whole. Goals: a
// month under 200 ms, a year under 1 s.
//
//	go test ./seed -run '^$' -bench Reports1M -benchtime 5x
func BenchmarkReports1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 1,000,000 positions")
	}
	path := bench1M(b)
	began := time.Now()
	s, err := store.Open(path, store.WithClock(func() time.Time { return demoNow }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if d := time.Since(began); d > time.Second {
		b.Logf("opened %s in %s (the reports' indexes were built)", path, d.Round(time.Second))
	}
	ctx := context.Background()
	month := store.ReportFilter{From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	year := store.ReportFilter{From: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), To: month.To}
	for _, span := range []struct {
		name string
		f    store.ReportFilter
	}{{"month", month}, {"year", year}} {
		for _, name := range store.ReportNames {
			f := span.f
			if name == "receivables" {
				f.AsOf = f.To.AddDate(0, 0, -1)
			}
			b.Run(span.name+"/"+name, func(b *testing.B) {
				var r any
				for b.Loop() {
					if r, err = s.Report(ctx, "", name, f); err != nil {
						b.Fatal(err)
					}
				}
				b.Log(reportSize(r))
			})
		}
	}
}

// reportSize says what a report found, so that a run shows it read the history.
func reportSize(r any) string {
	switch r := r.(type) {
	case store.RevenueReport:
		return "billed " + r.Total.Billed.StringFixed(2) + ", paid " + r.PayTotal.Pay.StringFixed(2)
	case store.ReceivablesReport:
		return "unpaid " + r.Total.StringFixed(2)
	case store.FillReport:
		return "requested " + strconv.Itoa(r.Total.Requested) + " positions"
	case store.FairnessReport:
		return strconv.Itoa(len(r.Officers)) + " officers"
	case store.ComplianceReport:
		return strconv.Itoa(len(r.Findings)) + " findings, " + strconv.Itoa(len(r.Refused)) + " refused"
	}
	return ""
}
