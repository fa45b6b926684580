// Package calcom is the Cal.com API v2 client of the calcom service: the right cal-api-version
// per endpoint, typed errors from the error envelope, one circuit breaker per account, a rate
// limit shared by all replicas through Redis, retries for idempotent requests only, booking
// reconciliation after ambiguous failures, and an availability cache in Redis.
package calcom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/sony/gobreaker/v2"
)

// Cal.com API versions, one per endpoint family (calcom.md §1).
const (
	VersionSlots      = "2024-09-04"
	VersionBookings   = "2024-08-13"
	VersionEventTypes = "2024-06-14"
	VersionSchedules  = "2024-06-11"
)

// DefaultBaseURL is the production API; paths already start with /v2.
const DefaultBaseURL = "https://api.cal.com"

// Options configure a Client. Zero values take the defaults named on each field.
type Options struct {
	BaseURL string // DefaultBaseURL
	Redis   redis.UniversalClient
	// KeyPrefix starts every Redis key the client writes ("calcom:").
	KeyPrefix  string
	HTTPClient *http.Client
	// RequestTimeout bounds each HTTP attempt (30 s).
	RequestTimeout time.Duration
	// BreakerFailures consecutive failures open an account's breaker (5); it half-opens after
	// BreakerOpenTimeout (60 s).
	BreakerFailures    uint32
	BreakerOpenTimeout time.Duration
	// RateLimit is our budget per API key and minute across all replicas (110, under Cal.com's
	// 120); RateBurst of it may go back to back (10). MaxRateWait is how long a call may queue
	// for the budget before failing with ErrRateLimited (10 s).
	RateLimit   int
	RateBurst   int
	MaxRateWait time.Duration
	// RetryAttempts for idempotent requests (3), backoff from RetryBaseDelay (200 ms) doubling
	// up to RetryMaxDelay (5 s), with full jitter.
	RetryAttempts  int
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// CacheTTL of availability (300 s).
	CacheTTL time.Duration
	// CreateAttempts is how many times a booking may be posted when lookups prove the earlier
	// attempts left nothing behind (2).
	CreateAttempts int
	Clock          Clock
	Logger         zerolog.Logger
	// Metrics receives askpro_calcom_breaker_state; nil leaves the gauge unregistered.
	Metrics prometheus.Registerer
	// Jitter returns a random duration in [0, d); nil uses math/rand/v2.
	Jitter func(d time.Duration) time.Duration
}

// Client talks to Cal.com for any number of accounts; it is safe for concurrent use.
type Client struct {
	opts     Options
	limiter  *limiter
	cache    *cache
	mu       sync.Mutex
	breakers map[string]*gobreaker.CircuitBreaker[struct{}]
	// breakerState is 0 closed, 1 half-open, 2 open, per account (a digest prefix of its key).
	breakerState *prometheus.GaugeVec
}

// New checks opts, fills in defaults and builds a Client.
func New(opts Options) (*Client, error) {
	if opts.Redis == nil {
		return nil, fmt.Errorf("new cal.com client: redis is required: %w", ErrInvalidInput)
	}
	opts = withDefaults(opts)
	lim, err := newLimiter(opts.Redis, opts.KeyPrefix, opts.RateLimit, opts.RateBurst, opts.Clock)
	if err != nil {
		return nil, fmt.Errorf("new cal.com client: %w", err)
	}
	state := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "askpro_calcom_breaker_state",
		Help: "Cal.com circuit breaker per account: 0 closed, 1 half-open, 2 open.",
	}, []string{"account"})
	if opts.Metrics != nil {
		if err := opts.Metrics.Register(state); err != nil {
			return nil, fmt.Errorf("new cal.com client: register metrics: %w", err)
		}
	}
	return &Client{
		opts: opts, limiter: lim, breakers: map[string]*gobreaker.CircuitBreaker[struct{}]{},
		cache:        &cache{rdb: opts.Redis, prefix: opts.KeyPrefix, ttl: opts.CacheTTL},
		breakerState: state,
	}, nil
}

func withDefaults(o Options) Options {
	o.BaseURL = strings.TrimRight(or(o.BaseURL, DefaultBaseURL), "/")
	o.KeyPrefix = or(o.KeyPrefix, "calcom:")
	o.RequestTimeout = or(o.RequestTimeout, 30*time.Second)
	o.BreakerFailures = or(o.BreakerFailures, 5)
	o.BreakerOpenTimeout = or(o.BreakerOpenTimeout, 60*time.Second)
	o.RateLimit = or(o.RateLimit, 110)
	o.RateBurst = or(o.RateBurst, 10)
	o.MaxRateWait = or(o.MaxRateWait, 10*time.Second)
	o.RetryAttempts = or(o.RetryAttempts, 3)
	o.RetryBaseDelay = or(o.RetryBaseDelay, 200*time.Millisecond)
	o.RetryMaxDelay = or(o.RetryMaxDelay, 5*time.Second)
	o.CacheTTL = or(o.CacheTTL, 300*time.Second)
	o.CreateAttempts = or(o.CreateAttempts, 2)
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Jitter == nil {
		o.Jitter = fullJitter
	}
	return o
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Account is the client bound to one Cal.com API key.
type Account struct {
	c       *Client
	key     string
	id      string // a hash of the key: safe for Redis keys and logs
	breaker *gobreaker.CircuitBreaker[struct{}]
}

// Account returns the handle for apiKey; handles for the same key share one breaker.
func (c *Client) Account(apiKey string) *Account {
	sum := sha256.Sum256([]byte(apiKey))
	id := hex.EncodeToString(sum[:8])
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.breakers[id]
	if !ok {
		b = c.newBreaker(id)
		c.breakers[id] = b
	}
	return &Account{c: c, key: apiKey, id: id, breaker: b}
}

// InvalidateAvailability drops every cached range of an event type (for webhooks).
func (c *Client) InvalidateAvailability(ctx context.Context, eventTypeID int) error {
	return c.cache.invalidate(ctx, eventTypeID)
}
