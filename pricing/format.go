package pricing

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// FormatMinutes shows a number of minutes as hours and minutes: 390 -> "6:30".
func FormatMinutes(m int) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d:%02d", sign, m/60, m%60)
}

// FormatHours shows minutes as hours for prose: 360 -> "6 h", 390 -> "6:30 h".
func FormatHours(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return FormatMinutes(m) + " h"
}

// FormatDuration shows a duration in words: "33 h", "33 h 15 min", "45 min".
func FormatDuration(d time.Duration) string {
	m := int(d / time.Minute)
	h, mm := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", mm)
	case mm == 0:
		return fmt.Sprintf("%d h", h)
	default:
		return fmt.Sprintf("%d h %d min", h, mm)
	}
}

// FormatMoney shows an amount with two decimals and thousands separators: "2,565.00".
func FormatMoney(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// Label is a short description of the line: "5 officers, holiday".
func (l Line) Label() string {
	noun := string(l.Class)
	if l.Count != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", l.Count, noun)
}

// SnapshotLine is a quote line as saved on a job.
type SnapshotLine struct {
	Class      Class  `json:"class"`
	Basis      string `json:"basis"`
	Count      int    `json:"count"`
	Minutes    int    `json:"minutes"`
	Hours      string `json:"hours"`
	Rate       string `json:"rate"`
	OfficerPay string `json:"officer_pay"`
	AdminFee   string `json:"admin_fee"`
	Amount     string `json:"amount"`
	OfficerPer string `json:"officer_rate"`
	AdminPer   string `json:"admin_rate"`
}

// SnapshotRefusal is a refusal as saved on a job.
type SnapshotRefusal struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Snapshot is a quote as saved on a job (and printed by `quote --json`):
// money as two-decimal strings, times with their offset.
type Snapshot struct {
	Agency         string            `json:"agency"`
	AgencyName     string            `json:"agency_name"`
	Start          string            `json:"start"`
	End            string            `json:"end"`
	Received       string            `json:"received"`
	Officers       int               `json:"officers"`
	Supervisors    int               `json:"supervisors"`
	Vehicles       int               `json:"vehicles"`
	Venue          Venue             `json:"venue"`
	ElapsedMinutes int               `json:"elapsed_minutes"`
	BilledMinutes  int               `json:"billed_minutes"`
	Emergency      bool              `json:"emergency"`
	Lines          []SnapshotLine    `json:"lines"`
	Total          string            `json:"total"`
	OfficerPay     string            `json:"officer_pay"`
	AdminFee       string            `json:"admin_fee"`
	Warnings       []string          `json:"warnings"`
	Refusals       []SnapshotRefusal `json:"refusals"`
	Bookable       bool              `json:"bookable"`
	EarliestStart  string            `json:"earliest_start,omitempty"`
}

const jsonTime = "2006-01-02T15:04:05-07:00"

// MarshalJSON writes the quote with money as two-decimal strings and times
// in the agency's zone with their offset.
func (q *Quote) MarshalJSON() ([]byte, error) { return json.Marshal(q.Snapshot()) }

// Snapshot is the quote in its saved form.
func (q *Quote) Snapshot() Snapshot {
	j := Snapshot{
		Agency: q.Agency, AgencyName: q.AgencyName,
		Start: q.Start.Format(jsonTime), End: q.End.Format(jsonTime), Received: q.Received.Format(jsonTime),
		Officers: q.Officers, Supervisors: q.Supervisors, Vehicles: q.Vehicles, Venue: q.Venue,
		ElapsedMinutes: q.ElapsedMinutes, BilledMinutes: q.BilledMinutes, Emergency: q.Emergency,
		Lines: []SnapshotLine{}, Total: q.Total.StringFixed(2), OfficerPay: q.OfficerPay.StringFixed(2),
		AdminFee: q.AdminFee.StringFixed(2), Warnings: append([]string{}, q.Warnings...),
		Refusals: []SnapshotRefusal{}, Bookable: q.Bookable,
	}
	for _, l := range q.Lines {
		j.Lines = append(j.Lines, SnapshotLine{Class: l.Class, Basis: l.Basis, Count: l.Count, Minutes: l.Minutes,
			Hours: l.Hours().StringFixed(2), Rate: l.Rate.Total.StringFixed(2), OfficerPay: l.OfficerPay.StringFixed(2),
			AdminFee: l.AdminFee.StringFixed(2), Amount: l.Amount.StringFixed(2),
			OfficerPer: l.Rate.Officer.StringFixed(2), AdminPer: l.Rate.Admin().StringFixed(2)})
	}
	for _, r := range q.Refusals {
		j.Refusals = append(j.Refusals, SnapshotRefusal(r))
	}
	if !q.EarliestStart.IsZero() {
		j.EarliestStart = q.EarliestStart.Format(jsonTime)
	}
	return j
}
