// Package export writes invoices and payroll as files: an invoice as a
// printed PDF page or as CSV (one row per line), a pay period as CSV (one
// row per paid line). The commands and the console share it; it reads only
// what the store hands it and never the database.
package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"offduty/pricing"
	"offduty/store"
)

// Office is who issues the invoices: the header of every page, the
// remittance box by the totals (store.Office: name, tagline, address lines,
// phone, e-mail, website, remittance lines).
type Office = store.Office

// DefaultOffice is the office as the invoices name it when nothing else is
// configured (store.DefaultOffice).
var DefaultOffice = store.DefaultOffice

// author is the office as a document's author: "name, tagline".
func author(o Office) string {
	if o.Tagline == "" {
		return o.Name
	}
	return o.Name + ", " + o.Tagline
}

// contact is the office's contact line: its address (lines joined with
// commas), phone, e-mail and website.
func contact(o Office) string {
	var out []string
	for _, s := range []string{strings.Join(store.Lines(o.Address), ", "), o.Phone, o.Email, o.Website} {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " - ")
}

// Name is how an invoice is referred to: its number once issued, "#ID" as a draft.
func Name(inv store.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return fmt.Sprintf("#%d", inv.ID)
}

const dateLayout = "2006-01-02"

// Letter, portrait, in millimetres.
const (
	pageW, pageH = 215.9, 279.4
	margin       = 15.0
	contentW     = pageW - 2*margin
	footerY      = pageH - 11 // the footer's baseline area
	bodyBottom   = pageH - margin - 6
	totalsH      = 44.0 // subtotal, total, the amount line, terms
)

// The lines table: date, site, officer or item, class, hours, rate, amount.
var (
	cols    = []float64{15, 40, 58, 28, 14, 14, contentW - 169}
	headers = []string{"Date", "Site", "Officer / item", "Class", "Hours", "Rate", "Amount"}
)

// sizes are the table's row heights and font sizes, largest first. An
// invoice takes the largest that fits all its lines on one page; beyond the
// smallest, it continues on further pages (header and table head repeated,
// totals on the last page).
var sizes = []struct{ row, font float64 }{{5.2, 8.5}, {4.4, 7.5}, {3.7, 6.5}, {3.2, 6}}

// InvoicePDF writes an invoice as a printed page: the office's header (its
// name, tagline, and a line of address, phone, e-mail and website; long ones
// set smaller), bill-to, number, issue and due dates, period, the lines
// (date, site, officer, class, hours, rate, amount), subtotal, total, the
// office's remittance text in a box beside the totals (when it has one) and
// terms. Callers pass the office the invoice prints (store.InvoiceOffice: as
// issued, for an issued one). It fits one page by shrinking the table's rows
// down to 6 pt type (41 lines; the remittance box takes no room from them);
// a longer invoice paginates at 7.5 pt (about 50 lines a page, the table's
// head repeated, the totals on the last page), "page N of M" in the footer.
// The output depends on the invoice and the office alone (the invoice's
// dates stamp the document).
func InvoicePDF(w io.Writer, inv store.Invoice, office Office) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.SetCatalogSort(true)
	stamp := inv.CreatedAt
	if stamp.IsZero() {
		stamp = inv.PeriodEnd
	}
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: accents, the dash
	text := func(s string) string { return tr(store.Clean(s, false)) }
	pdf.SetTitle(text("Invoice "+Name(inv)+" "+inv.CustomerName), false)
	pdf.SetAuthor(text(author(office)), false)
	pdf.SetCreator("offduty", false)
	pdf.AliasNbPages("{nb}")

	// fit cuts s (already translated) to width w with an ellipsis.
	fit := func(s string, w float64) string {
		w -= 1.5
		if pdf.GetStringWidth(s) <= w {
			return s
		}
		const ellipsis = "\x85"
		for len(s) > 0 && pdf.GetStringWidth(s+ellipsis) > w {
			s = s[:len(s)-1]
		}
		return strings.TrimRight(s, " ,") + ellipsis
	}
	// shrink sets the largest of sizes (in style) at which s fits width w,
	// and returns s, cut to fit at the smallest.
	shrink := func(s string, w float64, style string, sizes ...float64) string {
		for _, sz := range sizes {
			pdf.SetFont("Helvetica", style, sz)
			if pdf.GetStringWidth(s) <= w-1.5 {
				return s
			}
		}
		return fit(s, w)
	}
	gray := func() { pdf.SetTextColor(110, 110, 120) }
	black := func() { pdf.SetTextColor(0, 0, 0) }

	pdf.SetFooterFunc(func() {
		pdf.SetXY(margin, footerY)
		pdf.SetFont("Helvetica", "", 7.5)
		gray()
		pdf.CellFormat(contentW, 4, fit(text(fmt.Sprintf("%s - invoice %s - %s - page %d of {nb}", office.Name, Name(inv), inv.CustomerName, pdf.PageNo())), contentW),
			"", 0, "C", false, 0, "")
		black()
	})

	number := "No. " + inv.Number
	if inv.Number == "" {
		number = fmt.Sprintf("DRAFT #%d - not issued", inv.ID)
	}
	// Page 1: the office, the invoice, the customer.
	first := func() float64 {
		pdf.AddPage()
		pdf.SetXY(margin, margin)
		// The name and tagline may run past the middle, never into
		// "INVOICE" or the number: long ones are set smaller.
		pdf.CellFormat(contentW/2, 9, shrink(text(office.Name), contentW-38, "B", 20, 17, 14, 12, 10), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 20)
		pdf.CellFormat(contentW/2, 9, "INVOICE", "", 1, "R", false, 0, "")
		pdf.SetFont("Helvetica", "B", 11)
		numberW := pdf.GetStringWidth(text(number)) + 4
		pdf.CellFormat(contentW/2, 5, shrink(text(office.Tagline), contentW-numberW, "", 10, 9, 8), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(contentW/2, 5, text(number), "", 1, "R", false, 0, "")
		gray()
		pdf.CellFormat(contentW, 4.5, shrink(text(contact(office)), contentW, "", 8, 7, 6.5), "", 1, "L", false, 0, "")
		black()
		pdf.SetDrawColor(160, 160, 170)
		pdf.Line(margin, 35, pageW-margin, 35)

		// Bill to, left; the invoice's facts, right.
		top := 39.0
		pdf.SetXY(margin, top)
		pdf.SetFont("Helvetica", "B", 8)
		gray()
		pdf.CellFormat(95, 5, "BILL TO", "", 2, "L", false, 0, "")
		black()
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(95, 6, fit(text(inv.CustomerName), 95), "", 2, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		for _, s := range []string{inv.BillTo, inv.Email} {
			if strings.TrimSpace(s) != "" {
				pdf.CellFormat(95, 5, fit(text(s), 95), "", 2, "L", false, 0, "")
			}
		}
		issued, due := "not issued", "-"
		if !inv.IssuedOn.IsZero() {
			issued = inv.IssuedOn.Format("Jan 2, 2006")
			due = inv.DueOn.Format("Jan 2, 2006") + " (" + store.TermsText(inv.TermsDays) + ")"
		}
		facts := [][2]string{
			{"Invoice", Name(inv)},
			{"Issued", issued},
			{"Due", due},
			{"Period", inv.PeriodStart.Format("Jan 2, 2006") + " - " + inv.PeriodEnd.AddDate(0, 0, -1).Format("Jan 2, 2006")},
			{"Billing", inv.Cycle},
			{"Status", stateText(inv)},
		}
		y := top
		for _, f := range facts {
			pdf.SetXY(120, y)
			pdf.SetFont("Helvetica", "B", 9)
			pdf.CellFormat(20, 5, f[0], "", 0, "L", false, 0, "")
			pdf.SetFont("Helvetica", "", 9)
			switch {
			case f[0] == "Status" && inv.State == store.InvoiceVoid:
				pdf.SetTextColor(180, 30, 30)
			case f[0] == "Status" && inv.State == store.InvoicePaid:
				pdf.SetTextColor(20, 120, 50)
			}
			pdf.CellFormat(pageW-margin-140, 5, fit(text(f[1]), pageW-margin-140), "", 0, "L", false, 0, "")
			black()
			y += 5
		}
		return y + 6
	}
	// Further pages: a compact header.
	next := func() float64 {
		pdf.AddPage()
		pdf.SetXY(margin, margin)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(contentW/2, 6, fit(text(office.Name), contentW/2), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(contentW/2, 6, text("Invoice "+Name(inv)+", "+inv.CustomerName+" (continued)"), "", 1, "R", false, 0, "")
		pdf.Line(margin, margin+8, pageW-margin, margin+8)
		return margin + 11
	}
	tableHead := func(y, fs float64) float64 {
		pdf.SetXY(margin, y)
		pdf.SetFont("Helvetica", "B", fs)
		pdf.SetFillColor(232, 232, 238)
		for i, h := range headers {
			pdf.CellFormat(cols[i], 6, h, "", 0, align(i), true, 0, "")
		}
		return y + 6
	}

	y := first()
	size := sizes[len(sizes)-1]
	for _, sz := range sizes {
		if y+6+float64(len(inv.Lines))*sz.row <= bodyBottom-totalsH {
			size = sz
			break
		}
	}
	if y+6+float64(len(inv.Lines))*size.row > bodyBottom-totalsH {
		size = sizes[1] // it paginates anyway: keep the rows readable
	}
	y = tableHead(y, size.font)
	pdf.SetFont("Helvetica", "", size.font)
	for i, l := range inv.Lines {
		if y+size.row > bodyBottom {
			y = tableHead(next(), size.font)
			pdf.SetFont("Helvetica", "", size.font)
		}
		cells := lineCells(l)
		pdf.SetXY(margin, y)
		if i%2 == 1 {
			pdf.SetFillColor(247, 247, 250)
		}
		for k, c := range cells {
			pdf.CellFormat(cols[k], size.row, fit(text(c), cols[k]), "", 0, align(k), i%2 == 1, 0, "")
		}
		y += size.row
	}
	if len(inv.Lines) == 0 {
		pdf.SetXY(margin, y)
		pdf.SetFont("Helvetica", "I", size.font)
		pdf.CellFormat(contentW, size.row, "No lines.", "", 0, "L", false, 0, "")
		y += size.row
	}
	if y+totalsH > bodyBottom {
		y = next()
	}

	// Totals, the remittance box beside them, then the terms.
	y += 2
	pdf.SetDrawColor(160, 160, 170)
	pdf.Line(pageW-margin-80, y, pageW-margin, y)
	amountX, amountW := pageW-margin-120, 120.0
	if remit := store.Lines(office.Remittance); len(remit) > 0 {
		remittanceBox(pdf, margin, y+1, remitW, remitH, remit, text, fit)
		amountX = margin + remitW + 4
		amountW = pageW - margin - amountX
	}
	pdf.SetXY(pageW-margin-80, y+1)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(50, 6, "Subtotal", "", 0, "R", false, 0, "")
	pdf.CellFormat(30, 6, pricing.FormatMoney(inv.Subtotal), "", 1, "R", false, 0, "")
	pdf.SetX(pageW - margin - 80)
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(50, 8, "Total (USD)", "", 0, "R", false, 0, "")
	pdf.CellFormat(30, 8, "$"+pricing.FormatMoney(inv.Total), "", 1, "R", false, 0, "")
	pdf.SetX(amountX)
	pdf.CellFormat(amountW, 5, shrink(text(amountLine(inv)), amountW, "", 9, 8), "", 1, "R", false, 0, "")
	pdf.SetXY(margin, pdf.GetY()+4)
	pdf.SetFont("Helvetica", "", 8)
	pdf.MultiCell(contentW, 4, text(terms(inv)), "", "L", false)
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

// The remittance box: left of the totals, from the subtotal's line to the
// terms, so that it takes no room from the lines.
const remitW, remitH = 100.0, 22.0

// remittanceBox draws the office's remittance text (how to pay) in a box at
// x, y of w by h: a "HOW TO PAY" head, then the lines, wrapped, at the
// largest size from 7 pt down to 5.5 pt that fits them all; past that the
// last lines are cut (Validate's limits keep real text well within).
func remittanceBox(pdf *fpdf.Fpdf, x, y, w, h float64, lines []string, text func(string) string, fit func(string, float64) string) {
	const pad, headH = 2.0, 4.0
	pdf.SetDrawColor(160, 160, 170)
	pdf.SetFillColor(247, 247, 250)
	pdf.Rect(x, y, w, h, "FD")
	pdf.SetXY(x+pad, y+pad/2)
	pdf.SetFont("Helvetica", "B", 7)
	pdf.SetTextColor(110, 110, 120)
	pdf.CellFormat(w-2*pad, headH, "HOW TO PAY", "", 0, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	room := h - pad - headH
	var rows []string
	var lh float64
	for _, fs := range []float64{7, 6.5, 6, 5.5} {
		pdf.SetFont("Helvetica", "", fs)
		lh = fs * 0.42
		rows = rows[:0]
		for _, l := range lines {
			rows = append(rows, wrapText(pdf, text(l), w-2*pad-1)...)
		}
		if float64(len(rows))*lh <= room {
			break
		}
	}
	if n := int(room / lh); len(rows) > n {
		rows = rows[:n]
		rows[n-1] = fit(rows[n-1]+" \x85", w-2*pad)
	}
	for i, r := range rows {
		pdf.SetXY(x+pad, y+pad/2+headH+float64(i)*lh)
		pdf.CellFormat(w-2*pad, lh, r, "", 0, "L", false, 0, "")
	}
}

// wrapText breaks s (already in the PDF's single-byte encoding) into lines
// no wider than w in the current font, at spaces; a word wider than w is
// broken where it must be.
func wrapText(pdf *fpdf.Fpdf, s string, w float64) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if pdf.GetStringWidth(try) <= w {
			line = try
			continue
		}
		if line != "" {
			out = append(out, line)
		}
		for pdf.GetStringWidth(word) > w && len(word) > 1 {
			n := len(word) - 1
			for n > 1 && pdf.GetStringWidth(word[:n]) > w {
				n--
			}
			out = append(out, word[:n])
			word = word[n:]
		}
		line = word
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func align(col int) string {
	if col >= 4 {
		return "R"
	}
	return "L"
}

// lineCells are the table's cells for a line.
func lineCells(l store.InvoiceLine) []string {
	who, class, hours, rate := l.Officer, l.Class, pricing.FormatMinutes(l.Minutes), pricing.FormatMoney(l.Rate)
	switch l.Basis {
	case "", pricing.BasisRegular, pricing.BasisSupervisor, pricing.BasisVehicle:
	default:
		class += ", " + strings.ReplaceAll(l.Basis, "+", "/")
	}
	switch l.Kind {
	case "shift":
		switch l.Description {
		case "":
		case "released early: full shift":
			who += " - released early"
		case "held over: real time":
			who += " - held over"
		default:
			who += " - " + l.Description
		}
	case "vehicle":
		who = fmt.Sprintf("%d vehicle", l.Count)
		if l.Count != 1 {
			who += "s"
		}
		if l.Count > 1 {
			hours += fmt.Sprintf(" x%d", l.Count)
		}
	case "fee":
		who, hours, rate = l.Description, "", ""
	}
	return []string{l.Day.Format("Jan 02"), l.Site, who, class, hours, rate, pricing.FormatMoney(l.Amount)}
}

func stateText(inv store.Invoice) string {
	switch inv.State {
	case store.InvoicePaid:
		s := "paid " + inv.PaidOn.Format("Jan 2, 2006")
		if inv.PaidRef != "" {
			s += " (" + inv.PaidRef + ")"
		}
		return s
	case store.InvoiceVoid:
		return "VOID: " + inv.VoidReason
	case store.InvoiceDraft:
		return "draft (not issued)"
	}
	return "issued, unpaid"
}

func amountLine(inv store.Invoice) string {
	switch inv.State {
	case store.InvoicePaid:
		return "Paid in full on " + inv.PaidOn.Format("Jan 2, 2006") + "."
	case store.InvoiceVoid:
		return "Void, nothing is due: " + inv.VoidReason
	case store.InvoiceDraft:
		return "Draft: not yet issued, nothing is due."
	}
	return "Amount due by " + inv.DueOn.Format("Jan 2, 2006") + ": $" + pricing.FormatMoney(inv.Total)
}

func terms(inv store.Invoice) string {
	return fmt.Sprintf("Terms: %s from the issue date; please quote invoice %s with your payment. "+
		"Rates are per officer-hour or vehicle-hour and include the office's admin fee; they are those of the agency's rate card in force "+
		"when each job was requested. Each officer is billed at least the agency's minimum hours, the full scheduled shift when released "+
		"early, and the real time from check-in to check-out when held over. Cancellations after approval carry the fee shown.",
		store.TermsText(inv.TermsDays), Name(inv))
}

// TextCell is a text value as a CSV cell: cleaned of control characters and
// escape sequences (store.Clean), then neutralised by the OWASP CSV-injection
// rule: a cell beginning with =, +, -, @, a tab or a carriage return gets a
// leading ' so that a spreadsheet shows it as text and never runs it as a
// formula. Numbers the exports compute themselves (counts, minutes, hours,
// rates, amounts, dates) are written as they are, so a negative amount stays
// a number (-12.50); every text cell goes through TextCell.
func TextCell(s string) string {
	s = store.Clean(s, false)
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// InvoiceCSV writes one row per invoice line, after a header row, with the
// invoice's number (or #ID), account and period (inclusive) on each row;
// money as two-decimal strings, so the amounts add up to the total exactly.
// Text cells (account, site, officer, class, description...) are TextCells.
func InvoiceCSV(w io.Writer, inv store.Invoice) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"invoice", "account", "period_start", "period_end", "line", "kind", "date", "site", "officer", "class", "basis",
		"count", "minutes", "hours", "rate", "amount", "officer_pay", "admin_fee", "description"})
	for _, l := range inv.Lines {
		cw.Write([]string{TextCell(Name(inv)), TextCell(inv.CustomerName), inv.PeriodStart.Format(dateLayout), inv.PeriodEnd.AddDate(0, 0, -1).Format(dateLayout),
			fmt.Sprint(l.Seq), TextCell(l.Kind), l.Day.Format(dateLayout), TextCell(l.Site), TextCell(l.Officer), TextCell(l.Class), TextCell(l.Basis),
			fmt.Sprint(l.Count), fmt.Sprint(l.Minutes), pricing.FormatMinutes(l.Minutes), l.Rate.StringFixed(2), l.Amount.StringFixed(2),
			l.OfficerPay.StringFixed(2), l.AdminFee.StringFixed(2), TextCell(l.Description)})
	}
	cw.Flush()
	return cw.Error()
}

// PayrollCSV writes one row per paid line of a pay period (shifts, vehicles,
// adjustments for earlier locked periods), officer by officer, after a header
// row; the amounts add up to the period's total. Text cells (badge, officer,
// customer, site, class...) are TextCells; numbers stay numbers.
func PayrollCSV(w io.Writer, p store.Payroll) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"period_start", "period_end", "badge", "officer", "kind", "date", "job", "customer", "site", "class", "minutes", "hours", "rate", "amount"})
	for _, op := range p.Officers {
		for _, l := range op.Lines {
			cw.Write([]string{p.Start.Format(dateLayout), p.End.AddDate(0, 0, -1).Format(dateLayout), TextCell(op.Officer.Badge), TextCell(op.Officer.Name()),
				TextCell(l.Kind), l.Day.Format(dateLayout), fmt.Sprint(l.JobID), TextCell(l.Customer), TextCell(l.Site), TextCell(l.Class),
				fmt.Sprint(l.Minutes), pricing.FormatMinutes(l.Minutes), l.Rate, l.Amount.StringFixed(2)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteNew is WriteFile for a file anyone may read (0644 when new): invoices.
func WriteNew(path string, write func(io.Writer) error) error { return WriteFile(path, 0o644, write) }

// WriteFile replaces the file at path with what write produces, atomically:
// a temporary file beside it is written, flushed and renamed over it, so a
// reader never sees half a file and a failed write leaves the old one. Only a
// regular file is replaced: an existing folder, device, FIFO or socket is
// refused (a symbolic link is followed to its target, which must be a regular
// file). An existing file keeps its mode; a new one gets perm.
func WriteFile(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	target, mode, err := Target(path, perm)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), target)
}

// Target checks that path can be written by WriteFile before anything is
// computed: it returns the file to replace (a symbolic link resolved) and the
// mode it will have (an existing file's, else perm).
func Target(path string, perm os.FileMode) (string, os.FileMode, error) {
	if path == "" {
		return "", 0, fmt.Errorf("no file name")
	}
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", 0, fmt.Errorf("%s: %v", path, unwrap(err))
	}
	st, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if fi, derr := os.Stat(filepath.Dir(target)); derr != nil || !fi.IsDir() {
			return "", 0, fmt.Errorf("no folder %s", filepath.Dir(target))
		}
		return target, perm, nil
	case err != nil:
		return "", 0, fmt.Errorf("%s: %v", path, unwrap(err))
	case st.IsDir():
		return "", 0, fmt.Errorf("%s is a folder, not a file", path)
	case !st.Mode().IsRegular():
		return "", 0, fmt.Errorf("%s is not a regular file (a device, a pipe or a socket): it is never replaced", path)
	}
	return target, st.Mode().Perm(), nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// civil is a date's day for display in file names.
func civil(t time.Time) string { return t.Format(dateLayout) }

// FileName suggests a file name for an invoice: "invoice-2026-000123.pdf",
// "invoice-draft-12.csv".
func FileName(inv store.Invoice, ext string) string {
	if inv.Number != "" {
		return "invoice-" + inv.Number + "." + ext
	}
	return fmt.Sprintf("invoice-draft-%d.%s", inv.ID, ext)
}

// PayrollFileName suggests a file name for a pay period: "payroll-2026-12-07.csv".
func PayrollFileName(p store.Payroll) string { return "payroll-" + civil(p.Start) + ".csv" }
