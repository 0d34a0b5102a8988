package export_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"

	"offduty/store"
	"offduty/ui/export"
)

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pageText is the text a PDF draws, without any tool: its page streams
// inflated, each string shown ("(...) Tj") one a line, as written
// (Windows-1252, PDF escapes undone).
func pageText(t *testing.T, doc []byte) string {
	t.Helper()
	var out strings.Builder
	shown := regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`)
	for _, m := range streamRE.FindAllSubmatch(doc, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not a deflated stream (a font's)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			continue
		}
		for _, s := range shown.FindAllSubmatch(data, -1) {
			out.WriteString(strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1])))
			out.WriteString("\n")
		}
	}
	return out.String()
}

var wvc = store.Office{Name: "West Valley Off-Duty Office", Tagline: "West Valley City Police Department, off-duty program",
	Address: "3600 S Constitution Blvd\nWest Valley City, UT 84119", Phone: "801-555-0100", Email: "billing@wvc-offduty.example",
	Website: "wvc-offduty.example", Remittance: "Make checks payable to West Valley City\nACH: First Utah Bank, routing 124000054, account 000123456789"}

// The invoice shows the office it is given: name, tagline, the address's
// lines on the contact line with the phone, e-mail and website, the footer,
// and the remittance text in its box; 41 lines still fit one page.
func TestInvoicePDFOffice(t *testing.T) {
	for _, n := range []int{12, 41} {
		var b bytes.Buffer
		if err := export.InvoicePDF(&b, invoice(n), wvc); err != nil {
			t.Fatal(err)
		}
		if pages := len(pageObj.FindAll(b.Bytes(), -1)); pages != 1 {
			t.Errorf("%d lines with a remittance box: %d pages, want 1", n, pages)
		}
		text := pageText(t, b.Bytes())
		for _, want := range []string{
			"West Valley Off-Duty Office", "West Valley City Police Department, off-duty program",
			"3600 S Constitution Blvd, West Valley City, UT 84119 - 801-555-0100 - billing@wvc-offduty.example - wvc-offduty.example",
			"HOW TO PAY", "Make checks payable to West Valley City", "ACH: First Utah Bank, routing 124000054, account 000123456789",
			"West Valley Off-Duty Office - invoice 2026-000123", "Amount due by Feb 1, 2027",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%d lines: the PDF shows no %q:\n%s", n, want, text)
			}
		}
		for _, not := range []string{"\noffduty\n", "off-duty management office", "billing@offduty.example", "West Valley City, Utah"} {
			if strings.Contains("\n"+text, not) {
				t.Errorf("%d lines: the default office's %q is still on it", n, not)
			}
		}
	}

	// The default office: today's header, no remittance box.
	var b bytes.Buffer
	if err := export.InvoicePDF(&b, invoice(12), export.DefaultOffice); err != nil {
		t.Fatal(err)
	}
	text := pageText(t, b.Bytes())
	for _, want := range []string{"offduty", "off-duty management office", "West Valley City, Utah - billing@offduty.example"} {
		if !strings.Contains(text, want) {
			t.Errorf("default office: no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "HOW TO PAY") {
		t.Error("a remittance box without remittance text")
	}
}

// Details at their longest still fit: the name and tagline set smaller,
// the contact line cut, the remittance text in its box, nothing past the
// page; the text is Windows-1252 (accents, the euro, the dash).
func TestInvoicePDFOfficeLong(t *testing.T) {
	o := store.Office{Name: strings.Repeat("Greater Valley Off-Duty ", 4)[:80], Tagline: strings.Repeat("A cooperative of cities ", 4)[:90],
		Address: strings.Repeat(strings.Repeat("x", 89)+"\n", 5), Phone: "+1 (801) 555-0100 ext. 1234", Email: "billing@greater-valley.example",
		Remittance: strings.Repeat("Make checks payable to the Greater Valley Off-Duty Officer Management Program, PO Box 12\n", 5) + "Bureau de sécurité – €"}
	o.Remittance = strings.Join(store.Lines(o.Remittance)[1:], "\n") // five lines
	if err := o.Tidy().Validate(); err != nil {
		t.Fatalf("the fixture is not a valid office: %v", err)
	}
	var b bytes.Buffer
	if err := export.InvoicePDF(&b, invoice(41), o.Tidy()); err != nil {
		t.Fatal(err)
	}
	if pages := len(pageObj.FindAll(b.Bytes(), -1)); pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	text := pageText(t, b.Bytes())
	if !strings.Contains(text, "Bureau de s\xe9curit\xe9 \x96 \x80") {
		t.Errorf("the last remittance line is not on the page in Windows-1252:\n%s", text)
	}
	if !strings.Contains(text, "Greater Valley Off-Duty") {
		t.Errorf("no name:\n%s", text)
	}
	if strings.Count(text, "Make checks payable") != 4 {
		t.Errorf("the remittance lines: %d of 4 shown:\n%s", strings.Count(text, "Make checks payable"), text)
	}
}
