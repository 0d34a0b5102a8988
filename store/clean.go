package store

import (
	"strings"
	"unicode"
)

// Clean strips control characters and terminal escape sequences from text a
// user typed, so it can be shown safely to other users. Newlines and tabs are
// kept only when multiline is set (tabs become spaces).
func Clean(s string, multiline bool) string {
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
