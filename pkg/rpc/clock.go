package rpc

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// clock measures the offset of the local clock to Redis's clock. Deadlines on the wire are in
// Redis time, so pods whose clocks disagree still agree on when a request expires.
type clock struct {
	offset atomic.Int64 // Redis time minus local time, nanoseconds
}

// sample reads Redis TIME and updates the offset, assuming the reply came half-way through
// the round trip.
func (c *clock) sample(ctx context.Context, rdb *redis.Client) {
	before := time.Now()
	t, err := rdb.Time(ctx).Result()
	if err != nil {
		return
	}
	after := time.Now()
	local := before.Add(after.Sub(before) / 2)
	c.offset.Store(int64(t.Sub(local)))
}

// toRedis converts a local time to Redis time.
func (c *clock) toRedis(t time.Time) time.Time { return t.Add(time.Duration(c.offset.Load())) }

// toLocal converts a Redis time to local time.
func (c *clock) toLocal(t time.Time) time.Time { return t.Add(-time.Duration(c.offset.Load())) }
