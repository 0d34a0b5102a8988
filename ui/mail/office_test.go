package mail

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"offduty/store"
	"offduty/ui/export"
)

var wvcOffice = store.Office{Name: "West Valley Off-Duty Office", Tagline: "West Valley City Police Department, off-duty program",
	Address: "3600 S Constitution Blvd\nWest Valley City, UT 84119", Phone: "801-555-0100", Email: "billing@wvc-offduty.example",
	Website: "wvc-offduty.example", Remittance: "Make checks payable to West Valley City\nACH: First Utah Bank, routing 124000054, account 000123456789"}

const wvcSignature = "-- \n" +
	"West Valley Off-Duty Office\n" +
	"West Valley City Police Department, off-duty program\n" +
	"3600 S Constitution Blvd\n" +
	"West Valley City, UT 84119\n" +
	"Phone: 801-555-0100\n" +
	"E-mail: billing@wvc-offduty.example\n" +
	"Web: wvc-offduty.example"

// composedText is a composed single-part message's text, decoded, with
// "\n" line ends.
func composedText(t *testing.T, data []byte) string {
	t.Helper()
	return strings.ReplaceAll(textBody(t, parse(t, data)), "\r\n", "\n")
}

// TestComposeSignature: every message is signed with the office's details;
// an invoice's message also says how to pay; an office without a name
// signs nothing.
func TestComposeSignature(t *testing.T) {
	o := office
	o.Office = wvcOffice
	m := store.Message{ID: 9, Kind: store.MsgCustomerReceived, To: "pat@customer.test", Subject: "Request received",
		Body: "We have your request.\n", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	data, err := Compose(m, o, nil, loc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := composedText(t, data), "We have your request.\n\n"+wvcSignature+"\n"; got != want {
		t.Errorf("text:\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(string(data), "How to pay") {
		t.Error("a message that is not an invoice's says how to pay")
	}

	// An invoice's message: the remittance text before the signature.
	m.InvoiceID, m.Kind = 4, store.MsgInvoiceIssued
	data, err = Compose(m, o, nil, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := "We have your request.\n\nHow to pay:\nMake checks payable to West Valley City\nACH: First Utah Bank, routing 124000054, account 000123456789\n\n" + wvcSignature + "\n"
	if got := composedText(t, data); got != want {
		t.Errorf("invoice's text:\n%q\nwant\n%q", got, want)
	}

	// Only the details the office has; none without a name.
	o.Office = store.Office{Name: "offduty"}
	if got := Signature(o.Office); got != "-- \noffduty" {
		t.Errorf("a bare office's signature %q", got)
	}
	o.Office = store.Office{}
	m.InvoiceID = 0
	data, _ = Compose(m, o, nil, loc)
	if got := composedText(t, data); got != "We have your request.\n" {
		t.Errorf("an unnamed office signed: %q", got)
	}
}

// TestInvoiceMailOffice: the office's details as a supervisor set them
// sign the mail; an invoice's PDF and its remittance text are the office's
// as the invoice was issued, even after the office changed them; the
// signature is the office's now.
func TestInvoiceMailOffice(t *testing.T) {
	s, ck := newStore(t, true)
	ctx := context.Background()
	if _, err := s.SetOffice(ctx, "tester", wvcOffice); err != nil {
		t.Fatal(err)
	}
	drafts, err := s.GenerateInvoices(ctx, "tester", ck.Now(), 0, true)
	if err != nil || len(drafts) == 0 {
		t.Fatalf("no invoice to issue: %v", err)
	}
	if _, err := s.IssueInvoice(ctx, "tester", drafts[0].ID, ck.Now()); err != nil {
		t.Fatal(err)
	}
	inv, err := s.Invoice(ctx, "tester", drafts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EditOffice(ctx, "tester", func(o *store.Office) error {
		o.Name, o.Remittance = "WVC Off-Duty", "Pay online only: wvc-offduty.example/pay"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if ms, _ := s.Outbox(ctx, "tester", store.OutboxFilter{Kind: store.MsgInvoiceIssued}); len(ms) > 0 {
		id = ms[0].ID
	} else {
		id = enqueue(t, s, store.MsgInvoiceIssued, "billing@customer.test", "Invoice "+export.Name(inv), "Your invoice is attached.", inv.ID)
	}
	execSQL(t, s, `DELETE FROM outbox WHERE id <> ?`, id)
	r := startRelay(t, "127.0.0.1:0", nil)
	snd, _ := newSender(t, s, r.addr, nil)
	if rep := sendDue(t, snd); rep.Sent != 1 {
		t.Fatalf("pass: %+v", rep)
	}
	got := r.messages()
	if len(got) != 1 {
		t.Fatalf("relay got %d messages", len(got))
	}
	m := parse(t, got[0].data)
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(part)
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if !strings.Contains(text, "How to pay:\nMake checks payable to West Valley City\nACH: First Utah Bank") {
		t.Errorf("the remittance text is not the issued invoice's:\n%s", text)
	}
	if !strings.Contains(text, "-- \nWVC Off-Duty\nWest Valley City Police Department") || strings.Contains(text, "Pay online only") {
		t.Errorf("the signature is not the office's now:\n%s", text)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(base64Reader(att))
	var want, now bytes.Buffer
	export.InvoicePDF(&want, inv, wvcOffice)
	cur, _ := s.Office(ctx)
	export.InvoicePDF(&now, inv, cur)
	if !bytes.Equal(pdf, want.Bytes()) || bytes.Equal(pdf, now.Bytes()) {
		t.Errorf("the attached PDF is not the invoice as issued (%d bytes; as issued %d, as now %d)", len(pdf), want.Len(), now.Len())
	}
}
