package store

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Longest free text the store keeps, in characters (after Clean). A longer
// value is refused with a message naming the field and the limit; nothing
// is stored. The console's inputs stop at the same lengths.
const (
	MaxPostOrders = 4000 // a job's post orders
	MaxNotes      = 4000 // notes on a customer or a site
	MaxReason     = 500  // why a job was cancelled or reduced
	MaxName       = 200  // a customer's or a site's name
	MaxPerson     = 100  // a person's name: a contact, an officer's first or last name, a contact's role
	MaxAddress    = 300  // a postal address
	MaxEmail      = 254  // an email address (RFC 5321)
	MaxPhone      = 40   // a phone number, separators and extension included
	MaxPO         = 60   // a purchase-order number
	MaxBadge      = 32   // an officer's badge
)

// limitText refuses s when it is longer than max characters: the message
// names the field as the user knows it (label) and the limit, e.g.
// "reason: at most 500 characters (got 102,400)". field is the Error's Field.
func limitText(field, label, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf("%s: at most %s characters (got %s)", label, thousands(max), thousands(n))}
	}
	return nil
}

// limits checks several values with limitText, in order: the first too long is refused.
func limits(checks ...textLimit) error {
	for _, c := range checks {
		if err := limitText(c.field, c.label, c.s, c.max); err != nil {
			return err
		}
	}
	return nil
}

type textLimit struct {
	field, label, s string
	max             int
}

// thousands writes n with comma separators: 102400 -> "102,400".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Clean strips control characters and terminal escape sequences from text a
// user typed, so it can be shown safely to other users. Newlines and tabs are
// kept only when multiline is set (tabs become spaces).
func Clean(s string, multiline bool) string {
	if plain(s, multiline) {
		return s // the common case, without a copy: the console cleans every name it shows
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(rs, i)
		case r == 0x9b: // C1 CSI
			i = skipCSI(rs, i+1)
		case r == '\n' && multiline:
			b.WriteRune('\n')
		case r == '\r':
			if multiline && (i+1 >= len(rs) || rs[i+1] != '\n') {
				b.WriteRune('\n')
			}
		case r == '\t':
			b.WriteRune(' ')
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\ufeff', unicode.Is(unicode.Bidi_Control, r):
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if !multiline {
		out = strings.TrimSpace(out)
	} else {
		out = strings.TrimRight(out, " \n")
	}
	return out
}

// plain reports whether Clean would return s as it is: printable ASCII only,
// with nothing to trim.
func plain(s string, multiline bool) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return s[len(s)-1] != ' ' && (multiline || s[0] != ' ')
}

func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', '_', '^', 'X': // OSC, DCS, APC, PM, SOS: up to BEL or ST
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == 0x07 {
				return j
			}
			if rs[j] == 0x1b && j+1 < len(rs) && rs[j+1] == '\\' {
				return j + 1
			}
		}
		return len(rs) - 1
	default:
		return i + 1
	}
}

func skipCSI(rs []rune, j int) int {
	for ; j < len(rs); j++ {
		if rs[j] >= 0x40 && rs[j] <= 0x7e {
			return j
		}
	}
	return len(rs) - 1
}
