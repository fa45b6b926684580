package database

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// Cache keeps hot reads in Redis, shared by all replicas, and for a few seconds in process
// memory (L1). A write invalidates both: it bumps the entry's generation, deletes the Redis
// entry and publishes an invalidation message that every replica's Listen applies to its L1.
//
// The generation closes the classic stale-fill race: a reader that loaded from PostgreSQL
// before a write committed must not put that old value back after the write invalidated it. A
// reader notes the generation before loading and stores only if it is unchanged (WATCH/MULTI
// on the generation key); otherwise it serves its value once and caches nothing.
//
// Redis layout under <namespace>:dbcache: (hash tags keep an entry and its generation in one
// cluster slot)
//
//	{t:<company id>}       hash, one field per cached read of that tenant (dropped as a whole)
//	{k:<key>}              reads made before the tenant is known (phone number, key digest)
//	{…}:gen                the generation of the entry
//	invalidate             the pub/sub channel
type Cache struct {
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
	l1TTL  time.Duration
	log    zerolog.Logger
	met    *Metrics

	mu sync.Mutex
	l1 map[string]l1Entry
}

type l1Entry struct {
	val    []byte
	tenant string
	exp    time.Time
}

// invalidation is the message on the pub/sub channel.
type invalidation struct {
	Tenant string   `json:"tenant,omitempty"`
	Keys   []string `json:"keys,omitempty"`
}

// CacheOptions configures a Cache.
type CacheOptions struct {
	Namespace string        // key prefix, "askpro" in production
	TTL       time.Duration // Redis entries (default 5m)
	L1TTL     time.Duration // in-process entries (default 2s)
	Metrics   *Metrics      // nil: none
	Logger    zerolog.Logger
}

// generationTTL outlives any entry, so a generation never resets under a live entry.
const generationTTL = 24 * time.Hour

var errStaleFill = errors.New("cache entry invalidated while loading")

// NewCache returns a cache on rdb.
func NewCache(rdb *redis.Client, o CacheOptions) *Cache {
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.L1TTL <= 0 {
		o.L1TTL = 2 * time.Second
	}
	return &Cache{rdb: rdb, prefix: o.Namespace + ":dbcache:", ttl: o.TTL, l1TTL: o.L1TTL,
		log: o.Logger, met: o.Metrics, l1: map[string]l1Entry{}}
}

// cached returns the value stored under (tenant, key), loading and storing it on a miss. A nil
// cache loads every time. Errors are never cached, and Redis trouble degrades to a load.
func cached[T any](ctx context.Context, c *Cache, tenant, key string, load func(context.Context) (T, error)) (T, error) {
	if c == nil {
		return load(ctx)
	}
	var v T
	if raw, ok := c.lookup(ctx, tenant, key); ok && json.Unmarshal(raw, &v) == nil {
		return v, nil
	}
	gen := c.generation(ctx, tenant, key)
	c.met.cacheRead("database")
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	if raw, err := json.Marshal(v); err == nil {
		c.store(ctx, tenant, key, gen, raw)
	}
	return v, nil
}

// entryKey is the Redis key holding (tenant, key): the tenant's hash, or a plain key.
func (c *Cache) entryKey(tenant, key string) string {
	if tenant != "" {
		return c.prefix + "{t:" + tenant + "}"
	}
	return c.prefix + "{k:" + key + "}"
}

func (c *Cache) genKey(tenant, key string) string { return c.entryKey(tenant, key) + ":gen" }

func (c *Cache) l1Key(tenant, key string) string { return tenant + "|" + key }

func (c *Cache) lookup(ctx context.Context, tenant, key string) ([]byte, bool) {
	c.mu.Lock()
	e, ok := c.l1[c.l1Key(tenant, key)]
	c.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		c.met.cacheRead("l1")
		return e.val, true
	}
	var raw []byte
	var err error
	if tenant != "" {
		raw, err = c.rdb.HGet(ctx, c.entryKey(tenant, key), key).Bytes()
	} else {
		raw, err = c.rdb.Get(ctx, c.entryKey(tenant, key)).Bytes()
	}
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			c.log.Warn().Err(err).Msg("cache_read_failed")
		}
		return nil, false
	}
	c.met.cacheRead("redis")
	c.remember(tenant, key, raw)
	return raw, true
}

// generation reads the entry's generation ("" when never invalidated or unreadable).
func (c *Cache) generation(ctx context.Context, tenant, key string) string {
	g, err := c.rdb.Get(ctx, c.genKey(tenant, key)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		c.log.Warn().Err(err).Msg("cache_read_failed")
	}
	return g
}

// store writes the entry if its generation is still gen, and then remembers it in L1.
func (c *Cache) store(ctx context.Context, tenant, key, gen string, raw []byte) {
	gk, ek := c.genKey(tenant, key), c.entryKey(tenant, key)
	err := c.rdb.Watch(ctx, func(tx *redis.Tx) error {
		cur, err := tx.Get(ctx, gk).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if cur != gen {
			return errStaleFill
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if tenant != "" {
				p.HSet(ctx, ek, key, raw)
				p.ExpireNX(ctx, ek, c.ttl)
			} else {
				p.Set(ctx, ek, raw, c.ttl)
			}
			return nil
		})
		return err
	}, gk)
	switch {
	case errors.Is(err, errStaleFill), errors.Is(err, redis.TxFailedErr):
		return
	case err != nil:
		c.log.Warn().Err(err).Msg("cache_write_failed")
		return
	}
	c.remember(tenant, key, raw)
}

func (c *Cache) remember(tenant, key string, raw []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.l1[c.l1Key(tenant, key)] = l1Entry{val: raw, tenant: tenant, exp: time.Now().Add(c.l1TTL)}
}

// Invalidate drops every entry of tenant (when not empty) and the untenanted keys, in Redis and
// in every replica's L1. Call it after the write committed.
func (c *Cache) Invalidate(ctx context.Context, tenant string, keys ...string) error {
	if c == nil {
		return nil
	}
	type entry struct{ tenant, key string }
	entries := make([]entry, 0, len(keys)+1)
	if tenant != "" {
		entries = append(entries, entry{tenant: tenant})
	}
	for _, k := range keys {
		entries = append(entries, entry{key: k})
	}
	c.apply(invalidation{Tenant: tenant, Keys: keys})
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			p.Incr(ctx, c.genKey(e.tenant, e.key))
			p.Expire(ctx, c.genKey(e.tenant, e.key), generationTTL)
			p.Del(ctx, c.entryKey(e.tenant, e.key))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("invalidate cache: %w", err)
	}
	msg, _ := json.Marshal(invalidation{Tenant: tenant, Keys: keys})
	if err := c.rdb.Publish(ctx, c.prefix+"invalidate", msg).Err(); err != nil {
		return fmt.Errorf("publish invalidation: %w", err)
	}
	return nil
}

func (c *Cache) apply(inv invalidation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.l1 {
		if inv.Tenant != "" && e.tenant == inv.Tenant {
			delete(c.l1, k)
		}
	}
	for _, k := range inv.Keys {
		delete(c.l1, c.l1Key("", k))
	}
}

// Listen applies invalidations published by any replica to this one's L1 until ctx ends. It
// also drops expired L1 entries, so the map stays small.
func (c *Cache) Listen(ctx context.Context) error {
	sub := c.rdb.Subscribe(ctx, c.prefix+"invalidate")
	defer func() { _ = sub.Close() }()
	if _, err := sub.Receive(ctx); err != nil {
		return fmt.Errorf("subscribe to invalidations: %w", err)
	}
	msgs := sub.Channel()
	sweep := time.NewTicker(10 * c.l1TTL)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			var inv invalidation
			if err := json.Unmarshal([]byte(m.Payload), &inv); err != nil {
				c.log.Warn().Err(err).Msg("cache_invalidation_undecodable")
				continue
			}
			c.apply(inv)
		case <-sweep.C:
			c.sweep()
		}
	}
}

func (c *Cache) sweep() {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.l1 {
		if now.After(e.exp) {
			delete(c.l1, k)
		}
	}
}
