package routing

import (
	"sync"
	"time"
)

// ttlCache is a small in-process cache with a time-to-live. Routing instances each keep their
// own: branches change rarely, a branch.changed event drops stale entries, and the TTL bounds
// how long a missed event can matter.
type ttlCache[V any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cached[V]
}

type cached[V any] struct {
	value   V
	expires time.Time
	tag     string // what the entry belongs to (a branch id), for invalidation
}

func newTTLCache[V any](ttl time.Duration, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, now: now, entries: make(map[string]cached[V])}
}

func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		delete(c.entries, key)
		var zero V
		return zero, false
	}
	return e.value, true
}

func (c *ttlCache[V]) put(key, tag string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cached[V]{value: v, expires: c.now().Add(c.ttl), tag: tag}
}

// drop removes the entries under keys and every entry tagged tag.
func (c *ttlCache[V]) drop(tag string, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
	for k, e := range c.entries {
		if tag != "" && e.tag == tag {
			delete(c.entries, k)
		}
	}
}
