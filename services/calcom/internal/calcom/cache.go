package calcom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// cache keeps availability per event type and range. Invalidation bumps the event type's
// generation, which every entry key contains, so one INCR drops all of its ranges at once and a
// fetch that raced with an invalidation stores its result where nobody looks.
type cache struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

func (c *cache) genKey(eventTypeID int) string {
	return c.prefix + "avail:" + strconv.Itoa(eventTypeID) + ":gen"
}

func (c *cache) generation(ctx context.Context, eventTypeID int) (int64, error) {
	gen, err := c.rdb.Get(ctx, c.genKey(eventTypeID)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("availability cache generation: %w", err)
	}
	return gen, nil
}

func (c *cache) entryKey(q AvailabilityQuery, gen int64) string {
	return fmt.Sprintf("%savail:%d:%d:%s:%s:%s", c.prefix, q.EventTypeID, gen, q.From, q.To, q.TimeZone)
}

func (c *cache) get(ctx context.Context, q AvailabilityQuery, gen int64) ([]Slot, bool) {
	raw, err := c.rdb.Get(ctx, c.entryKey(q, gen)).Bytes()
	if err != nil {
		return nil, false
	}
	var slots []Slot
	if json.Unmarshal(raw, &slots) != nil {
		return nil, false
	}
	return slots, true
}

func (c *cache) set(ctx context.Context, q AvailabilityQuery, gen int64, slots []Slot) error {
	raw, err := json.Marshal(slots)
	if err != nil {
		return fmt.Errorf("encode availability: %w", err)
	}
	if err := c.rdb.Set(ctx, c.entryKey(q, gen), raw, c.ttl).Err(); err != nil {
		return fmt.Errorf("store availability: %w", err)
	}
	return nil
}

func (c *cache) invalidate(ctx context.Context, eventTypeID int) error {
	// The generation key never expires: were it to restart at 0, entries of an older epoch with
	// the same number could reappear.
	if err := c.rdb.Incr(ctx, c.genKey(eventTypeID)).Err(); err != nil {
		return fmt.Errorf("invalidate availability of event type %d: %w", eventTypeID, err)
	}
	return nil
}
