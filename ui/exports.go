package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/go-pdf/fpdf"

	"offduty/pricing"
	"offduty/store"
)

// InvoicePDF writes an invoice as a printed page: office header, bill-to,
// number and dates, period, the lines, subtotal, total and terms. Long
// invoices continue on further pages with the table header repeated.
func InvoicePDF(w io.Writer, inv store.Invoice) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 20)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: accents and the like
	txt := func(s string) string { return tr(store.Clean(s, false)) }
	header := func() {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.SetFillColor(235, 235, 240)
		for i, h := range []string{"Date", "Site", "Officer / item", "Class", "Hours", "Rate", "Amount"} {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(invCols[i], 6, h, "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
	}
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() > 1 {
			pdf.SetFont("Helvetica", "", 8)
			pdf.CellFormat(0, 5, txt("Invoice "+invName(inv)+" (continued)"), "", 1, "R", false, 0, "")
			header()
		}
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(110, 8, "offduty", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 8, txt("INVOICE "+invName(inv)), "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(110, 5, "Off-duty officer services for partner police agencies", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 5, "Issued "+dateOr(inv.IssuedOn, "(draft)")+"   Due "+dateOr(inv.DueOn, "-"), "", 1, "R", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(110, 5, "Bill to", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 5, "Period", "", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(110, 5, txt(inv.CustomerName), "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 5, inv.PeriodStart.Format("02 Jan 2006")+" - "+inv.PeriodEnd.AddDate(0, 0, -1).Format("02 Jan 2006"), "", 1, "R", false, 0, "")
	pdf.CellFormat(110, 5, txt(inv.BillTo), "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 5, txt(inv.Cycle+" billing"), "", 1, "R", false, 0, "")
	pdf.CellFormat(110, 5, txt(inv.Email), "", 1, "L", false, 0, "")
	pdf.Ln(5)
	header()
	for _, l := range inv.Lines {
		who, hours, rate := l.Officer, pricing.FormatMinutes(l.Minutes), l.Rate.StringFixed(2)
		class := l.Class
		if l.Basis != "" && l.Basis != pricing.BasisRegular && l.Basis != l.Class {
			class += " " + l.Basis
		}
		switch l.Kind {
		case "vehicle":
			who = fmt.Sprintf("%d vehicle(s)", l.Count)
		case "fee":
			who, hours, rate = l.Description, "", ""
		}
		cells := []string{l.Day.Format("02 Jan"), clipText(txt(l.Site), 26), clipText(txt(who), 30), clipText(class, 16), hours, rate, pricing.FormatMoney(l.Amount)}
		for i, c := range cells {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(invCols[i], 5.5, c, "", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
		if l.Description != "" && l.Kind != "fee" {
			pdf.SetFont("Helvetica", "I", 8)
			pdf.CellFormat(0, 4, txt("    "+l.Description), "", 1, "L", false, 0, "")
			pdf.SetFont("Helvetica", "", 9)
		}
	}
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(150, 6, "Subtotal", "T", 0, "R", false, 0, "")
	pdf.CellFormat(0, 6, pricing.FormatMoney(inv.Subtotal), "T", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(150, 8, "Total (USD)", "", 0, "R", false, 0, "")
	pdf.CellFormat(0, 8, "$"+pricing.FormatMoney(inv.Total), "", 1, "R", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 9)
	terms := fmt.Sprintf("Terms: net %d days from the issue date. Please quote the invoice number with your payment.", inv.TermsDays)
	switch inv.State {
	case store.InvoicePaid:
		terms += " PAID " + inv.PaidOn.Format("02 Jan 2006") + " " + inv.PaidRef
	case store.InvoiceVoid:
		terms += " VOID: " + inv.VoidReason
	case store.InvoiceDraft:
		terms += " DRAFT: not yet issued."
	}
	pdf.MultiCell(0, 5, txt(terms), "", "L", false)
	return pdf.Output(w)
}

var invCols = []float64{16, 42, 48, 26, 14, 16, 24}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "."
}

// InvoiceCSV writes one row per invoice line, with the invoice's number,
// account and period on each row.
func InvoiceCSV(w io.Writer, inv store.Invoice) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"invoice", "account", "period_start", "period_end", "line", "kind", "date", "site", "officer", "class", "basis",
		"count", "minutes", "hours", "rate", "amount", "officer_pay", "admin_fee", "description"})
	for _, l := range inv.Lines {
		cw.Write([]string{invName(inv), store.Clean(inv.CustomerName, false), inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"),
			fmt.Sprint(l.Seq), l.Kind, l.Day.Format("2006-01-02"), store.Clean(l.Site, false), store.Clean(l.Officer, false), l.Class, l.Basis,
			fmt.Sprint(l.Count), fmt.Sprint(l.Minutes), pricing.FormatMinutes(l.Minutes), l.Rate.StringFixed(2), l.Amount.StringFixed(2),
			l.OfficerPay.StringFixed(2), l.AdminFee.StringFixed(2), store.Clean(l.Description, false)})
	}
	cw.Flush()
	return cw.Error()
}

// PayrollCSV writes one row per paid line of a pay period.
func PayrollCSV(w io.Writer, p store.Payroll) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"period_start", "period_end", "badge", "officer", "kind", "date", "job", "customer", "site", "class", "minutes", "hours", "rate", "amount"})
	for _, op := range p.Officers {
		for _, l := range op.Lines {
			cw.Write([]string{p.Start.Format("2006-01-02"), p.End.AddDate(0, 0, -1).Format("2006-01-02"), op.Officer.Badge, store.Clean(op.Officer.Name(), false),
				l.Kind, l.Day.Format("2006-01-02"), fmt.Sprint(l.JobID), store.Clean(l.Customer, false), store.Clean(l.Site, false), l.Class,
				fmt.Sprint(l.Minutes), pricing.FormatMinutes(l.Minutes), l.Rate, l.Amount.StringFixed(2)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteFileAtomic writes a file through a temporary file in the same folder.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".offduty-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func exportPath(v string) (string, string, error) {
	p := strings.TrimSpace(v)
	if p == "" {
		return "", "", fmt.Errorf("type a file name")
	}
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	ext := strings.ToLower(filepath.Ext(p))
	if ext != ".pdf" && ext != ".csv" {
		return "", "", fmt.Errorf("name a .pdf or .csv file")
	}
	if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("no folder %s", filepath.Dir(p))
	}
	return p, ext, nil
}

type exportedMsg struct {
	what string
	err  error
}

func (m *invoicesModel) exportPrompt(inv store.Invoice) tea.Cmd {
	st := m.c.Store
	def := strings.ReplaceAll(invName(inv), " #", "-") + ".pdf"
	m.prompt = newPrompt("Export to", def, "a .pdf (as printed) or .csv (one row per line) file",
		func(v string) (string, error) {
			p, ext, err := exportPath(v)
			if err != nil {
				return "", err
			}
			return strings.ToUpper(ext[1:]) + " → " + p, nil
		},
		func(v string) tea.Cmd {
			p, ext, _ := exportPath(v)
			id := inv.ID
			return func() tea.Msg {
				full, err := st.Invoice(context.Background(), id) // with its lines
				if err != nil {
					return exportedMsg{err: err}
				}
				err = WriteFileAtomic(p, func(w io.Writer) error {
					if ext == ".csv" {
						return InvoiceCSV(w, full)
					}
					return InvoicePDF(w, full)
				})
				return exportedMsg{what: fmt.Sprintf("Exported %s to %s", invName(full), p), err: err}
			}
		})
	return m.prompt.focus()
}

func (m *payrollModel) exportPrompt(p store.Payroll) tea.Cmd {
	def := "payroll-" + p.Start.Format("2006-01-02") + ".csv"
	m.prompt = newPrompt("Export to", def, "a .csv file, one row per paid line",
		func(v string) (string, error) {
			path, ext, err := exportPath(v)
			if err != nil {
				return "", err
			}
			if ext != ".csv" {
				return "", fmt.Errorf("payroll exports as .csv")
			}
			return "CSV → " + path, nil
		},
		func(v string) tea.Cmd {
			path, _, _ := exportPath(v)
			return func() tea.Msg {
				err := WriteFileAtomic(path, func(w io.Writer) error { return PayrollCSV(w, p) })
				return exportedMsg{what: fmt.Sprintf("Exported pay period %s to %s (L locks it)", periodLabel(p), path), err: err}
			}
		})
	return m.prompt.focus()
}
