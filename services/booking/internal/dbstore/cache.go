package dbstore

import (
	"context"
	"sync"
	"time"
)

// catalogueCache keeps branches, event types and staff for a short time in-process: they change
// rarely, and every availability check and create needs all three, so caching them removes
// three bus round trips from the caller's wait. A catalogue change is visible after TTL.
type catalogueCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cached
}

type cached struct {
	v       any
	expires time.Time
}

func newCache(ttl time.Duration) *catalogueCache {
	return &catalogueCache{ttl: ttl, m: map[string]cached{}}
}

// get returns the cached value for key or loads it; errors are not cached.
func get[T any](ctx context.Context, c *catalogueCache, key string, load func(context.Context) (T, error)) (T, error) {
	if c == nil || c.ttl <= 0 {
		return load(ctx)
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		if v, ok := e.v.(T); ok {
			return v, nil
		}
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[key] = cached{v: v, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}
