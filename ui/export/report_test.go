package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/store"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var (
	wvc = store.Agency{ID: 1, Slug: "west-valley-city", Name: "West Valley City PD", Loc: denver()}
	gpd = store.Agency{ID: 2, Slug: "grantsville", Name: "Grantsville PD", Loc: denver()}
)

func denver() *time.Location {
	loc, err := time.LoadLocation("America/Denver")
	if err != nil {
		panic(err)
	}
	return loc
}

func scope() store.ReportScope {
	return store.ReportScope{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		AsOf: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Agencies: []store.Agency{gpd, wvc}}
}

// revenue is a small revenue report whose customer's name a spreadsheet
// would run as a formula, and another's holds an escape sequence.
func revenue() store.RevenueReport {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rows := []store.RevenueRow{
		{Month: nov, AgencyID: 1, CustomerID: 7, Customer: "=HYPERLINK(\"http://x\")", Invoices: 2, Billed: d("1140.00"), OfficerPay: d("1000.00"), AdminFees: d("140.00"), CancelFees: d("0")},
		{Month: nov, AgencyID: 2, CustomerID: 8, Customer: "Tooele \x1b[31mRed\x1b[0m Co", Invoices: 1, Billed: d("300.00"), OfficerPay: d("267.50"), AdminFees: d("32.50"), CancelFees: d("0")},
		{Month: nov, AgencyID: 1, CustomerID: 8, Customer: "Tooele \x1b[31mRed\x1b[0m Co", Invoices: 1, Billed: d("56.00"), OfficerPay: d("0"), AdminFees: d("0"), CancelFees: d("56.00")},
	}
	r := store.RevenueReport{Scope: scope(), Rows: rows}
	r.Total = store.RevenueTotal{Key: "total", Label: "Total", Invoices: 4, Billed: d("1496.00"), OfficerPay: d("1267.50"), AdminFees: d("172.50"), CancelFees: d("56.00")}
	r.Months = []store.RevenueTotal{{Key: "2026-11", Label: "Nov 2026", Invoices: 4, Billed: d("1496.00"), OfficerPay: d("1267.50"), AdminFees: d("172.50"), CancelFees: d("56.00")}}
	r.Agencies = []store.RevenueTotal{
		{Key: "grantsville", Label: "Grantsville PD", Invoices: 1, Billed: d("300.00"), OfficerPay: d("267.50"), AdminFees: d("32.50")},
		{Key: "west-valley-city", Label: "West Valley City PD", Invoices: 3, Billed: d("1196.00"), OfficerPay: d("1000.00"), AdminFees: d("140.00"), CancelFees: d("56.00")},
	}
	r.Customers = []store.RevenueTotal{
		{Key: "7", Label: rows[0].Customer, Invoices: 2, Billed: d("1140.00"), OfficerPay: d("1000.00"), AdminFees: d("140.00")},
		{Key: "8", Label: rows[1].Customer, Invoices: 2, Billed: d("356.00"), OfficerPay: d("267.50"), AdminFees: d("32.50"), CancelFees: d("56.00")},
	}
	r.Pay = []store.AgencyPay{{Agency: gpd, Minutes: 300, Pay: d("267.50")}, {Agency: wvc, Minutes: 1200, Pay: d("1000.00")}}
	r.PayTotal = store.AgencyPay{Agency: store.Agency{Name: "all agencies"}, Minutes: 1500, Pay: d("1267.50")}
	return r
}

func TestReportCSVNeutralisesText(t *testing.T) {
	var b bytes.Buffer
	if err := ReportCSV(&b, revenue()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "section" || rows[1][4] != `'=HYPERLINK("http://x")` || strings.Contains(rows[2][4], "\x1b") {
		t.Fatalf("rows: %q", rows[:3])
	}
	last := rows[len(rows)-1]
	if last[0] != "total" || last[6] != "1496.00" || last[10] != "1500" || last[12] != "1267.50" {
		t.Errorf("total row %q", last)
	}
	// Officers whose names start with @ or -: neutralised; numbers stay numbers.
	f := store.FairnessReport{Scope: scope(), Officers: []store.OfficerShare{
		{Officer: store.Officer{Badge: "@B1", FirstName: "-Ann", LastName: "Lee", AgencySlug: "grantsville"}, Shifts: 2, Minutes: 480, Pay: d("-12.50")},
	}}
	b.Reset()
	if err := ReportCSV(&b, f); err != nil {
		t.Fatal(err)
	}
	rows, _ = csv.NewReader(&b).ReadAll()
	if rows[1][0] != "'@B1" || rows[1][1] != "'-Ann Lee" || rows[1][6] != "-12.50" || rows[1][4] != "480" {
		t.Errorf("fairness row %q", rows[1])
	}
}

func TestReportPDF(t *testing.T) {
	stamp := time.Date(2026, 11, 26, 9, 0, 0, 0, denver())
	docs := []Doc{RevenueDoc(revenue()), FairnessDoc(store.FairnessReport{Scope: scope()}), ComplianceDoc(store.ComplianceReport{Scope: scope(), Counts: map[string]int{}}),
		FillDoc(store.FillReport{Scope: scope()}), ReceivablesDoc(store.ReceivablesReport{Scope: scope()})}
	for _, doc := range docs {
		var a, b bytes.Buffer
		if err := ReportPDF(&a, doc, DefaultOffice, stamp); err != nil {
			t.Fatalf("%s: %v", doc.Name, err)
		}
		if err := ReportPDF(&b, doc, DefaultOffice, stamp); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: not a PDF, or not the same twice", doc.Name)
		}
		// A summary page, then the lists (short ones share a page).
		if pages := bytes.Count(a.Bytes(), []byte("/Type /Page\n")); pages != 2 {
			t.Errorf("%s: %d pages, want 2", doc.Name, pages)
		}
	}
	// A long list runs on over pages, its head repeated.
	long := Doc{Name: "x", Title: "X", Period: "November 2026", Scope: "all agencies", Tables: []Table{{Title: "Rows", Columns: []Column{{Name: "A"}, {Name: "B", Right: true}}}}}
	for i := 0; i < 200; i++ {
		long.Tables[0].Rows = append(long.Tables[0].Rows, []string{"row", "1.00"})
	}
	var a bytes.Buffer
	if err := ReportPDF(&a, long, DefaultOffice, stamp); err != nil {
		t.Fatal(err)
	}
	if pages := bytes.Count(a.Bytes(), []byte("/Type /Page\n")); pages < 4 {
		t.Errorf("200 rows on %d pages", pages)
	}
}

func TestReportText(t *testing.T) {
	var b bytes.Buffer
	if err := ReportText(&b, RevenueDoc(revenue()), 80); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, w := range []string{"Revenue · November 2026 · all agencies", "Billed                  $1,496.00 on 4 invoices", "By agency", "West Valley City PD", "1,196.00", "Tooele Red Co"} {
		if !strings.Contains(s, w) {
			t.Errorf("text lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "\x1b") {
		t.Errorf("an escape sequence reached the text:\n%q", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "█") && len([]rune(l)) > 80 {
			t.Errorf("a chart line is %d wide: %q", len([]rune(l)), l)
		}
	}
}

func TestHBarAndLabels(t *testing.T) {
	for _, c := range []struct {
		value, part float64
		w           int
		want        string
	}{
		{1, -1, 4, "████"},
		{0.5, 0.25, 8, "██░░"},
		{0.5, -1, 3, "█▌"},
		{0, -1, 5, ""},
		{0.01, -1, 5, "▏"},
		{1, 0, 2, "░░"},
	} {
		if got := HBar(c.value, c.part, c.w); got != c.want {
			t.Errorf("HBar(%v, %v, %d) = %q, want %q", c.value, c.part, c.w, got, c.want)
		}
	}
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	for _, c := range []struct{ from, to, want string }{
		{"2026-11-01", "2026-12-01", "November 2026"},
		{"2025-01-01", "2026-01-01", "2025"},
		{"2026-09-01", "2026-12-01", "1 Sep - 30 Nov 2026"},
		{"2025-10-01", "2026-10-01", "1 Oct 2025 - 30 Sep 2026"},
		{"2026-11-26", "2026-11-27", "Thu 26 Nov 2026"},
	} {
		if got := PeriodLabel(day(c.from), day(c.to)); got != c.want {
			t.Errorf("PeriodLabel(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	sc := scope()
	if got := ReportFileName("revenue", sc, "pdf"); got != "revenue-2026-11.pdf" {
		t.Errorf("file name %q", got)
	}
	if got := ReportFileName("receivables", sc, "csv"); got != "receivables-2026-11-26.csv" {
		t.Errorf("file name %q", got)
	}
	sc.Agency = &gpd
	sc.To = sc.To.AddDate(0, 1, 0)
	if got := ReportFileName("fill", sc, "csv"); got != "fill-grantsville-2026-11-01-2026-12-31.csv" {
		t.Errorf("file name %q", got)
	}
}
