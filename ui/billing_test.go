package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"offduty/pricing"
	"offduty/ui/export"

	"offduty/store"
)

func TestInvoicesTab(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.inv.load())
	a.tab = tabInvoices
	s := screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"Invoices", "2026-0000", "issued", "OVERDUE", "g generate", "? help"} {
		if !strings.Contains(s, want) {
			t.Fatalf("Invoices tab lacks %q:\n%s", want, s)
		}
	}
	// the printed view of the selected invoice
	drain(a, press(a, "enter"))
	s = screen(a)
	assertFits(t, s, 80, 24)
	for _, want := range []string{"INVOICE 2026-", "Bill to:", "Period", "Subtotal", "Total $", "Terms: net 30 days"} {
		if !strings.Contains(s, want) {
			t.Fatalf("invoice view lacks %q:\n%s", want, s)
		}
	}
	inv := a.inv.open
	if inv == nil || len(inv.Lines) == 0 {
		t.Fatal("no invoice open")
	}
	sum := inv.Lines[0].Amount.Sub(inv.Lines[0].Amount)
	for _, l := range inv.Lines {
		sum = sum.Add(l.Amount)
	}
	if !sum.Equal(inv.Total) {
		t.Fatalf("lines add up to %s, total %s", sum, inv.Total)
	}
	// mark it paid through the prompts
	if inv.State == store.InvoiceIssued {
		drain(a, press(a, "p"))
		drain(a, press(a, "enter"))             // paid today
		drain(a, press(a, "CHK 1042", "enter")) // reference
		if a.inv.open.State != store.InvoicePaid || a.inv.open.PaidRef != "CHK 1042" {
			t.Fatalf("not paid: %+v (%s)", a.inv.open.State, a.msg)
		}
	}
}

func TestInvoiceGeneratePreviewThenSave(t *testing.T) {
	a := newTestApp(t, 120, 40)
	drain(a, a.inv.load())
	a.tab = tabInvoices
	before := len(a.inv.list)
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // the app's clock
	// g asks for a date, today by default: every period that has ended by
	// then (the demo leaves its last month unbilled) is ready; the ones
	// still running are listed apart, never billed.
	drain(a, press(a, "g"))
	if v := a.inv.prompt.input.Value(); v != "2026-11-26" {
		t.Fatalf("g's default date %q, want today", v)
	}
	drain(a, press(a, "enter"))
	if a.inv.preview == nil || len(a.inv.preview) == 0 {
		t.Fatalf("no preview: %s", a.inv.err)
	}
	for _, inv := range a.inv.preview {
		if inv.PeriodEnd.After(today) {
			t.Errorf("ready to bill: %s %s-%s, a period still running", inv.CustomerName, inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.Format("2006-01-02"))
		}
	}
	if len(a.inv.running) == 0 {
		t.Fatal("nothing listed as still running")
	}
	for _, inv := range a.inv.running {
		if !inv.PeriodEnd.After(today) {
			t.Errorf("listed as running: %s %s, which has ended", inv.CustomerName, inv.PeriodStart.Format("2006-01-02"))
		}
	}
	s := screen(a)
	if !strings.Contains(s, "Ready to bill: periods ended by Wed 25 Nov 2026") || !strings.Contains(s, "Still running") || !strings.Contains(s, "y save as drafts") {
		t.Fatalf("preview:\n%s", s)
	}
	if len(a.inv.list) != before {
		t.Fatal("preview saved something")
	}
	ready := len(a.inv.preview)
	drain(a, press(a, "y"))
	if len(a.inv.list) != before+ready {
		t.Fatalf("%d drafts saved, want %d: %s", len(a.inv.list)-before, ready, a.msg)
	}
	for _, inv := range a.inv.list {
		if inv.State == store.InvoiceDraft && inv.PeriodEnd.After(today) {
			t.Errorf("a draft for a period still running: %s %s", inv.CustomerName, inv.PeriodStart.Format("2006-01-02"))
		}
	}
	// Billing again finds nothing that has ended, and says so; what is still
	// running is still listed.
	drain(a, press(a, "g"))
	drain(a, press(a, "enter"))
	if a.inv.preview == nil || len(a.inv.preview) != 0 || len(a.inv.running) == 0 {
		t.Fatalf("second generation: preview %d, running %d, err %q", len(a.inv.preview), len(a.inv.running), a.inv.err)
	}
	if s := screen(a); !strings.Contains(s, "nothing: every period that has ended is billed") {
		t.Fatalf("second preview:\n%s", s)
	}
	drain(a, press(a, "y")) // nothing to save
	if a.inv.preview == nil {
		t.Fatal("y closed an empty preview")
	}
	drain(a, press(a, "esc"))
	if a.inv.preview != nil {
		t.Fatal("esc did not close the preview")
	}
}

func TestInvoiceGenerateAndIssueAll(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.inv.load())
	a.tab = tabInvoices
	drain(a, press(a, "g"))
	drain(a, press(a, "enter"))
	ready := len(a.inv.preview)
	if ready == 0 {
		t.Fatalf("nothing ready: %s", a.inv.err)
	}
	assertFits(t, screen(a), 80, 24)
	drain(a, press(a, "I"))
	issued := 0
	for _, inv := range a.inv.list {
		if inv.State == store.InvoiceDraft {
			t.Errorf("a draft is left: %s", invName(inv))
		}
		if inv.State == store.InvoiceIssued && inv.IssuedOn.Format("2006-01-02") == "2026-11-26" {
			issued++
		}
	}
	if issued != ready || !strings.Contains(a.msg, fmt.Sprintf("Issued %d invoices dated today", ready)) {
		t.Fatalf("issued %d of %d: %q", issued, ready, a.msg)
	}
}

func TestPayrollTab(t *testing.T) {
	a := newTestApp(t, 80, 24)
	a.tab = tabPayroll
	drain(a, a.pay.load())
	drain(a, press(a, "[")) // the previous, complete period
	s := screen(a)
	assertFits(t, s, 80, 24)
	if !strings.Contains(s, "Pay period") || !strings.Contains(s, "Officer pay") {
		t.Fatalf("payroll:\n%s", s)
	}
	p := a.pay.p
	if p == nil || len(p.Officers) == 0 {
		t.Fatal("no officers paid in the last period")
	}
	total := p.Total.Sub(p.Total)
	for _, op := range p.Officers {
		total = total.Add(op.Total)
	}
	if !total.Equal(p.Total) {
		t.Fatalf("officers add up to %s, period %s", total, p.Total)
	}
	drain(a, press(a, "enter"))
	if s := screen(a); !strings.Contains(s, p.Officers[0].Officer.Badge) {
		t.Fatalf("officer lines:\n%s", s)
	}
	drain(a, press(a, "esc"))
	drain(a, press(a, "L"))
	drain(a, press(a, "y"))
	if !a.pay.p.Locked {
		t.Fatalf("not locked: %s", a.msg)
	}
}

func TestInvoiceExports(t *testing.T) {
	a := newTestApp(t, 80, 24)
	drain(a, a.inv.load())
	inv, err := a.c.Store.Invoice(context.Background(), "", a.inv.list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "inv.pdf")
	if err := export.WriteNew(pdfPath, func(w io.Writer) error { return export.InvoicePDF(w, inv, export.DefaultOffice) }); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pdfPath)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command(tool, "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), inv.Number) || !strings.Contains(string(out), pricing.FormatMoney(inv.Total)) {
			t.Fatalf("PDF text lacks the number or total:\n%s", out)
		}
	} else {
		t.Log("pdftotext not installed: checked the PDF header only")
	}
	var buf bytes.Buffer
	if err := export.InvoiceCSV(&buf, inv); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(inv.Lines)+1 {
		t.Fatalf("%d rows for %d lines", len(rows), len(inv.Lines))
	}
	sum := decimal.Zero
	for _, r := range rows[1:] {
		d, err := decimal.NewFromString(r[15])
		if err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(d)
	}
	if !sum.Equal(inv.Total) {
		t.Fatalf("CSV adds up to %s, invoice %s", sum, inv.Total)
	}
	// through the console: x, a file name, enter
	a.tab = tabInvoices
	drain(a, press(a, "x"))
	a.inv.prompt.input.SetValue(filepath.Join(dir, "console.csv"))
	drain(a, press(a, "enter"))
	if _, err := os.Stat(filepath.Join(dir, "console.csv")); err != nil || !strings.Contains(a.msg, "Exported") {
		t.Fatalf("console export: %v %q", err, a.msg)
	}
}
