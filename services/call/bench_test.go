package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	callapi "github.com/askproai/backend/pkg/api/call"
)

// BenchmarkSaveRealDatabase is the same against the real database service (a separate
// process; PostgreSQL transaction, customer find-or-create with encryption, audit and outbox).
func BenchmarkSaveRealDatabase(b *testing.B) {
	s := startRealStack(b)
	c := callapi.NewClient(s.client)
	var seq atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("call_bench%020d", seq.Add(1))
			if _, err := c.Save(context.Background(), callapi.SaveParams{Body: webhook(b, "call_ended.json", id)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
}

// BenchmarkSaveThroughBus measures call.save end to end on real Redis: client → call service →
// database service (a test handler) → reply, one new call per operation, from many goroutines.
// The database side is in memory, so the figure is the call service plus two bus round trips.
func BenchmarkSaveThroughBus(b *testing.B) {
	for _, file := range []string{"call_started.json", "call_ended.json"} {
		b.Run(file, func(b *testing.B) {
			bus := startBus(b, map[string]string{"LOG_LEVEL": "error"})
			c := callapi.NewClient(bus.client)
			var seq atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("call_bench%020d", seq.Add(1))
					if _, err := c.Save(context.Background(), callapi.SaveParams{Body: webhook(b, file, id)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
		})
	}
}
