package pricing_test

import (
	"testing"
	"time"

	"offduty/pricing"
)

// BenchmarkQuote prices one West Valley City request: 5 officers (so a
// supervisor is added), 6 h on Christmas Day, one vehicle.
func BenchmarkQuote(b *testing.B) {
	a := wvc(b)
	start := at(b, "2026-12-25 08:00")
	r := pricing.Request{Start: start, End: start.Add(6 * time.Hour), Officers: 5, Vehicles: 1, Venue: pricing.VenueEvent, Received: start.Add(-30 * 24 * time.Hour)}
	q, err := a.Quote(r)
	if err != nil {
		b.Fatal(err)
	}
	if !q.Total.Equal(dec("3084.84")) { // 5 x 6 h x 85.50 + 6 h x 85.50 + 6 h x 1.14
		b.Fatalf("total %s", q.Total)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Quote(r); err != nil {
			b.Fatal(err)
		}
	}
}
