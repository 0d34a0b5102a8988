package pricing

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Cancellation describes positions (or hours) removed from a priced job.
type Cancellation struct {
	Quote    *Quote    // the job's quote, as priced when it was requested
	Minimum  int       // the agency's minimum billed minutes per person (from the job's card)
	Approved bool      // false: the job was never approved, no fee
	At       time.Time // when the customer cancels or reduces

	Officers    int // officer positions affected
	Supervisors int // supervisor positions affected

	// From, when set, removes only the hours from From to the end of the shift
	// from each affected position (a reduction of hours). Zero removes the
	// whole position.
	From time.Time

	WorkedMinutes int // minutes already worked, per affected position

	// Terms are the cancellation terms of the job's card (its
	// CancelTerms); zero fields are RULES.md's 24 h and 48 h.
	Terms Terms
}

// Terms are a rate card's cancellation terms.
type Terms struct {
	AdminMinutes int // the admin fee is charged for the first AdminMinutes of each removed position
	LateMinutes  int // a cancellation less than LateMinutes before the start adds the officer share
}

// resolved is t with zero fields replaced by RULES.md's defaults.
func (t Terms) resolved() Terms {
	if t.AdminMinutes == 0 {
		t.AdminMinutes = DefaultCancelAdminMinutes
	}
	if t.LateMinutes == 0 {
		t.LateMinutes = DefaultCancelLateMinutes
	}
	return t
}

// FeeLine is one line of a cancellation fee.
type FeeLine struct {
	Kind    string // "admin" (first 24 h of admin fee) or "officer" (officer share inside 48 h)
	Class   Class
	Count   int
	Minutes int
	Rate    decimal.Decimal // per hour
	Amount  decimal.Decimal
	// Term is the card's term the line applies: the admin-fee hours of an
	// admin line, the late window of an officer line (minutes; zero, as in
	// lines saved before cards had terms: 24 h and 48 h).
	Term int `json:",omitempty"`
}

// Describe is the line in words.
func (l FeeLine) Describe() string {
	t := Terms{AdminMinutes: l.Term, LateMinutes: l.Term}.resolved()
	what := "admin fee, first " + FormatHours(t.AdminMinutes)
	if l.Kind == "officer" {
		what = "officer share inside " + FormatHours(t.LateMinutes)
	}
	noun := string(l.Class)
	if l.Count != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%s: %d %s x %s h x %s", what, l.Count, noun, FormatMinutes(l.Minutes), l.Rate.StringFixed(2))
}

// Fee is the cancellation or reduction fee, line by line.
type Fee struct {
	Lines   []FeeLine
	Total   decimal.Decimal
	Admin   decimal.Decimal // the office's part
	Officer decimal.Decimal // paid to officers
	Notes   []string
}

// Within48 reports whether a cancellation at `at` falls inside 48 hours of start
// (exactly 48 h before is not inside).
func Within48(start, at time.Time) bool { return WithinLate(start, at, DefaultCancelLateMinutes) }

// WithinLate reports whether a cancellation at `at` falls inside the late
// window (minutes) before start; exactly the window before is not inside.
func WithinLate(start, at time.Time, window int) bool {
	return start.Sub(at) < time.Duration(window)*time.Minute
}

// CancellationFee computes the fee of RULES.md "Cancellation and reduction"
// under the card's terms (c.Terms, by default 24 h and 48 h): always the
// admin fee for the first admin-fee hours of what is removed, and inside
// the late window before the start, the officer share for the greater of
// the hours worked or the minimum, per removed position.
func CancellationFee(c Cancellation) (Fee, error) {
	f := Fee{Total: decimal.Zero, Admin: decimal.Zero, Officer: decimal.Zero}
	q := c.Quote
	if q == nil {
		return f, fmt.Errorf("cancellation needs the job's quote")
	}
	if c.Officers < 0 || c.Supervisors < 0 || c.Officers > q.Officers || c.Supervisors > q.Supervisors {
		return f, fmt.Errorf("cannot remove %d officers and %d supervisors from a job of %d and %d", c.Officers, c.Supervisors, q.Officers, q.Supervisors)
	}
	if c.Officers+c.Supervisors == 0 {
		return f, fmt.Errorf("nothing to cancel")
	}
	if c.WorkedMinutes < 0 {
		return f, fmt.Errorf("worked minutes cannot be negative")
	}
	partial := !c.From.IsZero()
	if partial && (!c.From.After(q.Start) || !c.From.Before(q.End)) {
		return f, fmt.Errorf("a reduction of hours must end the shift between its start and its end")
	}
	if !c.Approved {
		f.Notes = append(f.Notes, "not yet approved: no fee")
		return f, nil
	}
	terms := c.Terms.resolved()
	late, adminH := FormatHours(terms.LateMinutes), FormatHours(terms.AdminMinutes)
	inside := WithinLate(q.Start, c.At, terms.LateMinutes)
	if inside {
		f.Notes = append(f.Notes, "inside "+late+" of the start: officer share for the greater of hours worked or the minimum")
	} else {
		f.Notes = append(f.Notes, "more than "+late+" before the start: admin fee for the first "+adminH+" only")
	}
	for _, cl := range []struct {
		class Class
		count int
	}{{ClassOfficer, c.Officers}, {ClassSupervisor, c.Supervisors}} {
		if cl.count == 0 {
			continue
		}
		var spans []Span
		for _, s := range q.Spans {
			if s.Class != cl.class {
				continue
			}
			if partial {
				if !s.End.After(c.From) {
					continue
				}
				if s.Start.Before(c.From) {
					s.Start = c.From
				}
			}
			spans = append(spans, s)
		}
		if len(spans) == 0 {
			continue
		}
		// Admin fee over the first admin-fee hours of what is removed, at the rate in force.
		left := terms.AdminMinutes
		adminAt := map[string]int{}
		var order []decimal.Decimal
		take := func(rate decimal.Decimal, m int) {
			m = min(m, left)
			if m <= 0 {
				return
			}
			left -= m
			k := rate.String()
			if _, ok := adminAt[k]; !ok {
				order = append(order, rate)
			}
			adminAt[k] += m
		}
		for i, s := range spans {
			take(s.Rate.Admin(), s.Minutes())
			if i == 0 && !partial {
				take(s.Rate.Admin(), q.MinimumTop) // the minimum top-up belongs to the original assignment
			}
		}
		for _, r := range order {
			f.add(FeeLine{Kind: "admin", Class: cl.class, Count: cl.count, Minutes: adminAt[r.String()], Rate: r, Term: c.Terms.AdminMinutes})
		}
		if inside {
			m := max(c.WorkedMinutes, c.Minimum)
			if m > 0 {
				f.add(FeeLine{Kind: "officer", Class: cl.class, Count: cl.count, Minutes: m, Rate: spans[0].Rate.Officer, Term: c.Terms.LateMinutes})
			}
		}
	}
	return f, nil
}

func (f *Fee) add(l FeeLine) {
	l.Amount = lineAmount(l.Rate, l.Count, l.Minutes)
	f.Lines = append(f.Lines, l)
	f.Total = f.Total.Add(l.Amount)
	if l.Kind == "officer" {
		f.Officer = f.Officer.Add(l.Amount)
	} else {
		f.Admin = f.Admin.Add(l.Amount)
	}
}
