package ui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/shopspring/decimal"

	"offduty/pricing"
)

// bodyLines is the screen body as drawn (styled): the lines between the
// tab bar's rule and the status line's.
func bodyLines(a *App) []string {
	lines := strings.Split(a.render(), "\n")
	return lines[2 : len(lines)-3] // tab bar, rule; rule, status, help (one line)
}

// selectedLine reports whether a drawn line is the reverse-video selection.
func selectedLine(l string) bool { return strings.Contains(l, "\x1b[7m") }

// headCount reads "N of M ..." from the first line of the body.
func headCount(t *testing.T, a *App) int {
	t.Helper()
	head := ansi.Strip(bodyLines(a)[0])
	m := regexp.MustCompile(`(\d+) of \d+`).FindStringSubmatch(head)
	if m == nil {
		t.Fatalf("no count in %q", head)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// firstRowShowsSelected checks that body line row (the first row of a list)
// is drawn selected and holds want, and that no other line is selected.
func firstRowShowsSelected(t *testing.T, a *App, row int, want string) {
	t.Helper()
	body := bodyLines(a)
	if !selectedLine(body[row]) || !strings.Contains(ansi.Strip(body[row]), want) {
		t.Fatalf("first row is not the selected %q:\n%s", want, screen(a))
	}
	for i, l := range body {
		if i != row && selectedLine(l) {
			t.Fatalf("line %d is also selected:\n%s", i, screen(a))
		}
	}
}

// collapse folds runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

var pricingThousand = decimal.NewFromInt(1000)

func pricingFormat(d decimal.Decimal) string { return pricing.FormatMoney(d) }
