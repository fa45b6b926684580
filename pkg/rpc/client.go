package rpc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// ClientConfig configures a Client. Zero values take the documented defaults.
type ClientConfig struct {
	Instance       string        // names the reply stream; default DefaultInstance()
	Namespace      string        // default "askpro"
	DefaultTimeout time.Duration // default 30s when ctx has no deadline

	// ReplyTTL is the expiry of the reply stream, refreshed every ReplyTTL/3 while the client
	// lives, default 60s.
	ReplyTTL time.Duration
	// EventRetention trims event streams on Publish (MINID), default 24h.
	EventRetention time.Duration
	// LiveCacheTTL is how long a positive no-responders check is trusted, default 1s.
	LiveCacheTTL time.Duration
}

func (c *ClientConfig) defaults() error {
	if c.Instance == "" {
		c.Instance = DefaultInstance()
	}
	c.Namespace = namespaceOr(c.Namespace)
	setDefault(&c.DefaultTimeout, 30*time.Second)
	setDefault(&c.ReplyTTL, 60*time.Second)
	setDefault(&c.EventRetention, 24*time.Hour)
	setDefault(&c.LiveCacheTTL, time.Second)
	return nil
}

// Client calls services and publishes events. It owns one reply stream, read by one goroutine
// that hands each reply to the waiting call.
type Client struct {
	cfg      ClientConfig
	rdb      *redis.Client
	blk      *redis.Client
	log      zerolog.Logger
	metrics  *clientMetrics
	replyKey string
	idPrefix string
	seq      atomic.Uint64

	mu      sync.Mutex
	waiters map[string]chan []byte

	liveMu sync.Mutex
	live   map[string]time.Time // service -> checked-live-until

	sender    batcher[*sendReq]
	metricsMu sync.RWMutex
	perMethod map[methodKey]*callMetrics

	lastID  string
	stopped chan struct{} // closed by Close: waiting calls fail
	clock   clock
	cancel  context.CancelFunc
	done    sync.WaitGroup
	closed  atomic.Bool
}

// NewClient creates the client's reply stream and starts its reader. reg may be nil.
func NewClient(rdb *redis.Client, cfg ClientConfig, logger zerolog.Logger, reg prometheus.Registerer) (*Client, error) {
	if rdb == nil {
		return nil, errors.New("rpc client: nil redis client")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("client id nonce: %w", err)
	}
	c := &Client{
		cfg: cfg, rdb: rdb, blk: newBlockingClient(rdb, 1),
		log:       logger.With().Str("component", "rpc_client").Logger(),
		metrics:   newClientMetrics(reg),
		replyKey:  ReplyStream(cfg.Namespace, cfg.Instance),
		idPrefix:  hex.EncodeToString(nonce[:]) + "-",
		waiters:   map[string]chan []byte{},
		stopped:   make(chan struct{}),
		live:      map[string]time.Time{},
		perMethod: map[methodKey]*callMetrics{},
	}
	c.sender.flush = c.flushSends
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.clock.sample(ctx, rdb)
	if err := c.createReplyStream(ctx); err != nil {
		cancel()
		_ = c.blk.Close()
		return nil, err
	}
	c.done.Add(2)
	go func() { defer c.done.Done(); c.readReplies(ctx) }()
	go func() { defer c.done.Done(); c.keepReplyStream(ctx) }()
	return c, nil
}

// createReplyStream makes the reply stream exist (servers write with NOMKSTREAM) and reads
// from its newest entry on.
func (c *Client) createReplyStream(ctx context.Context) error {
	id, err := c.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: c.replyKey, MaxLen: 1000, Approx: true, Values: []any{fieldVersion, envelopeVersion, "init", c.idPrefix},
	}).Result()
	if err != nil {
		return fmt.Errorf("create reply stream %s: %w", c.replyKey, err)
	}
	if err := c.rdb.Expire(ctx, c.replyKey, c.cfg.ReplyTTL).Err(); err != nil {
		return fmt.Errorf("expire reply stream: %w", err)
	}
	if c.lastID == "" {
		c.lastID = id
	}
	return nil
}

// keepReplyStream refreshes the reply stream's TTL; it recreates the stream if it vanished.
func (c *Client) keepReplyStream(ctx context.Context) {
	t := time.NewTicker(c.cfg.ReplyTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.clock.sample(ctx, c.rdb)
		ok, err := c.rdb.Expire(ctx, c.replyKey, c.cfg.ReplyTTL).Result()
		if err == nil && !ok {
			err = c.createReplyStream(ctx)
		}
		if err != nil && ctx.Err() == nil {
			c.log.Warn().Err(err).Msg("rpc_reply_stream_refresh_failed")
		}
	}
}

// readReplies is the one reader of the reply stream.
func (c *Client) readReplies(ctx context.Context) {
	last := c.lastID
	for ctx.Err() == nil {
		res, err := c.blk.XRead(ctx, &redis.XReadArgs{
			Streams: []string{c.replyKey, last}, Count: 512, Block: time.Second,
		}).Result()
		if err != nil {
			if !errors.Is(err, redis.Nil) && ctx.Err() == nil {
				c.log.Warn().Err(err).Msg("rpc_reply_read_failed")
				pause(ctx, 100*time.Millisecond)
			}
			continue
		}
		n := 0
		for _, st := range res {
			for _, m := range st.Messages {
				last = m.ID
				c.deliver(m.Values)
				n++
			}
		}
		if n == 1 {
			// A lone caller: let it run before this goroutine issues its next read.
			runtime.Gosched()
		}
	}
}

func (c *Client) deliver(values map[string]any) {
	cid, _ := values[fieldCID].(string)
	body, _ := values[fieldBody].(string)
	if cid == "" || body == "" {
		return
	}
	c.mu.Lock()
	ch := c.waiters[cid]
	c.mu.Unlock()
	if ch == nil {
		c.metrics.orphans.Inc()
		return
	}
	select {
	case ch <- []byte(body):
	default:
		c.metrics.orphans.Inc()
	}
}

func (c *Client) wait(cid string) chan []byte {
	ch := make(chan []byte, 1)
	c.mu.Lock()
	c.waiters[cid] = ch
	c.mu.Unlock()
	return ch
}

func (c *Client) unwait(cid string) {
	c.mu.Lock()
	delete(c.waiters, cid)
	c.mu.Unlock()
}

// newID returns a globally unique request id: a random per-client prefix and a counter.
func (c *Client) newID() string {
	return c.idPrefix + strconv.FormatUint(c.seq.Add(1), 36)
}

// Close stops the reply reader and deletes the reply stream. Calls still waiting fail.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(c.stopped)
	c.cancel()
	c.done.Wait()
	err := c.rdb.Del(context.Background(), c.replyKey).Err()
	_ = c.blk.Close()
	if err != nil {
		return fmt.Errorf("delete reply stream: %w", err)
	}
	return nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// callMetrics caches the metric children of one (service, method), so the hot path does not
// hash label values.
type callMetrics struct {
	ok        prometheus.Counter
	roundTrip prometheus.Observer
}

// methodKey names one (service, method); as a map key it costs no allocation to look up.
type methodKey struct{ service, method string }

func (c *Client) observe(service, method string, code int, took time.Duration) {
	key := methodKey{service, method}
	c.metricsMu.RLock()
	cm := c.perMethod[key]
	c.metricsMu.RUnlock()
	if cm == nil {
		cm = &callMetrics{
			ok:        c.metrics.requests.WithLabelValues(service, method, "0"),
			roundTrip: c.metrics.roundTrip.WithLabelValues(service, method),
		}
		c.metricsMu.Lock()
		c.perMethod[key] = cm
		c.metricsMu.Unlock()
	}
	if code == 0 {
		cm.ok.Inc()
	} else {
		c.metrics.requests.WithLabelValues(service, method, codeLabel(code)).Inc()
	}
	cm.roundTrip.Observe(seconds(took))
}
