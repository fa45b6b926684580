package booking_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/askproai/backend/services/booking/internal/booking"
)

// BenchmarkCreate books distinct slots through the domain with in-memory Store and Calendar
// doubles and the real Redis locker and ledger; it reports bookings/s and p95 latency.
func BenchmarkCreate(b *testing.B) {
	f := newFixture(b, booking.Config{})
	staff := []string{"anna", "ben"}
	var n atomic.Int64
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		i := n.Add(1)
		// Nine disjoint one-hour slots a day per staff member, walking forward day by day.
		st := staff[i%2]
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, berlin).AddDate(0, 0, int(i/18)).Add(time.Duration((i%18)/2) * time.Hour)
		began := time.Now()
		if _, err := f.svc.Create(b.Context(), request(st, t0.UTC(), fmt.Sprintf("bench-%d", i))); err != nil {
			b.Fatalf("create %d: %v", i, err)
		}
		lat = append(lat, time.Since(began))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "bookings/s")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95_µs")
}
