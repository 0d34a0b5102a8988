package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"offduty/pricing"
	"offduty/seed"
	"offduty/store"
)

// BenchmarkBooking measures bookings (one request of two officers, saved
// with its quote, in its own transaction) with the write connection at
// synchronous=FULL, the default (an acknowledged commit survives power
// loss), and at NORMAL (a power loss may drop the last commits).
//
//	go test ./store -run '^$' -bench Booking -count 5
func BenchmarkBooking(b *testing.B) {
	for _, mode := range []string{"FULL", "NORMAL"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			s, err := store.Open(filepath.Join(b.TempDir(), "offduty.db"), store.WithClock(func() time.Time { return testNow }), store.WithSynchronous(mode))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := seed.EnsureAgencies(ctx, s); err != nil {
				b.Fatal(err)
			}
			c, err := s.CreateCustomer(ctx, "bench", store.CustomerInput{Name: "Bench Co"})
			if err != nil {
				b.Fatal(err)
			}
			site, err := s.CreateSite(ctx, "bench", store.SiteInput{CustomerID: c.ID, Name: "Bench lot"})
			if err != nil {
				b.Fatal(err)
			}
			start := mustLocal("2027-01-04 10:00")
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				st := start.Add(time.Duration(i%500) * 24 * time.Hour)
				if _, err := s.CreateJobs(ctx, "bench", store.JobInput{CustomerID: c.ID, SiteID: site.ID, Agency: "west-valley-city",
					Start: st, End: st.Add(4 * time.Hour), Officers: 2, Venue: pricing.VenueRetail, Received: testNow}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bookings/s")
		})
	}
}
