package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"offduty/store"
)

// Attachment is a file sent with a message (an invoice's PDF).
type Attachment struct {
	Name        string // the file name the reader sees
	ContentType string // application/pdf
	Data        []byte
}

// MessageID is a message's Message-ID: the same on every attempt, so a
// resend after a crash (sent, but not yet marked sent) is recognisable as
// the same message by the relay and the reader's mail program.
func MessageID(m store.Message, from string) string {
	return fmt.Sprintf("<offduty-%d@%s>", m.ID, domainOf(from))
}

// domainOf is the part of an address after its @ ("offduty.invalid" when none).
func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return strings.ToLower(d)
	}
	return "offduty.invalid"
}

// Signature is the office's signature under every message: the usual "-- "
// line, then the office's name, tagline, address lines, phone, e-mail and
// website, one a line, those it has ("" for an office without a name).
func Signature(o store.Office) string {
	if strings.TrimSpace(o.Name) == "" {
		return ""
	}
	lines := []string{"-- ", o.Name, o.Tagline}
	lines = append(lines, store.Lines(o.Address)...)
	for _, f := range []struct{ label, v string }{{"Phone: ", o.Phone}, {"E-mail: ", o.Email}, {"Web: ", o.Website}} {
		if f.v != "" {
			lines = append(lines, f.label+f.v)
		}
	}
	var out []string
	for i, l := range lines {
		if i > 0 {
			l = store.Clean(l, false)
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Text is a message's text as it is sent: its body; for an invoice's
// message, the office's remittance text after "How to pay:"; then the
// office's signature.
func Text(m store.Message, o store.Office) string {
	text := strings.TrimRight(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n")
	if remit := store.Lines(o.Remittance); m.InvoiceID != 0 && len(remit) > 0 {
		for i := range remit {
			remit[i] = store.Clean(remit[i], false)
		}
		text += "\n\nHow to pay:\n" + strings.Join(remit, "\n")
	}
	if sig := Signature(o); sig != "" {
		text += "\n\n" + sig
	}
	return text
}

// Compose writes a message as it goes to the relay (CRLF line ends, 7-bit):
// the office as From (with its name), Reply-To when the office set one, a
// stable Message-ID, the message's creation as its Date, the text (Text:
// the body, an invoice's remittance text, the office's signature) as
// quoted-printable UTF-8; with an attachment, multipart/mixed with the file
// in base64. The same message composes to the same bytes every time.
func Compose(m store.Message, o store.OfficeSettings, att *Attachment, loc *time.Location) ([]byte, error) {
	if o.Sender == "" {
		return nil, fmt.Errorf("no sender address: set one with offduty settings set sender ADDRESS")
	}
	if loc == nil {
		loc = time.UTC
	}
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(fold(name + ": " + oneLine(value)))
		b.WriteString("\r\n")
	}
	header("From", (&mail.Address{Name: o.SenderName, Address: o.Sender}).String())
	header("To", (&mail.Address{Name: m.ToName, Address: m.To}).String())
	if o.ReplyTo != "" && !strings.EqualFold(o.ReplyTo, o.Sender) {
		header("Reply-To", (&mail.Address{Address: o.ReplyTo}).String())
	}
	header("Subject", mime.QEncoding.Encode("UTF-8", oneLine(m.Subject)))
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	header("Date", date.In(loc).Format(time.RFC1123Z))
	header("Message-ID", MessageID(m, o.Sender))
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no vacation replies to a notification
	header("X-Offduty-Kind", m.Kind)
	body, err := qp(Text(m, o.Office))
	if err != nil {
		return nil, err
	}
	if att == nil {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		b.Write(body)
		return b.Bytes(), nil
	}
	w := multipart.NewWriter(&b)
	if err := w.SetBoundary(fmt.Sprintf("=_offduty-%d", m.ID)); err != nil {
		return nil, err
	}
	header("Content-Type", `multipart/mixed; boundary="`+w.Boundary()+`"`)
	b.WriteString("\r\n")
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	p.Write(body)
	name := mime.QEncoding.Encode("UTF-8", oneLine(att.Name))
	ct := att.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	p, err = w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {fmt.Sprintf("%s; name=%q", ct, name)},
		"Content-Disposition":       {fmt.Sprintf("attachment; filename=%q", name)},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(att.Data)
	for len(enc) > 76 {
		p.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	p.Write([]byte(enc + "\r\n"))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// qp is text as quoted-printable with CRLF line ends.
func qp(text string) ([]byte, error) {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := w.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine makes a header value one line: no CR or LF can start a header of its own.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// fold breaks a header line longer than 78 characters at spaces (RFC 5322
// 2.2.3), each continuation starting with a space.
func fold(line string) string {
	if len(line) <= 78 {
		return line
	}
	var out strings.Builder
	cur := 0
	for i, word := range strings.Split(line, " ") {
		switch {
		case i == 0:
		case cur+1+len(word) > 78 && cur > 0:
			out.WriteString("\r\n")
			cur = 0
			out.WriteString(" ")
			cur++
		default:
			out.WriteString(" ")
			cur++
		}
		out.WriteString(word)
		cur += len(word)
	}
	return out.String()
}
