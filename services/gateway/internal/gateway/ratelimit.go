package gateway

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is the generic cell rate algorithm on one key, so it runs on Redis Cluster and
// every gateway replica shares one budget per tenant. The key holds the theoretical arrival
// time (TAT) in microseconds. The caller passes "now" from the gateway's clock, so tests can
// drive the limit with a clock they set; replicas' clocks are NTP-synchronised, and a skew of a
// few milliseconds moves a budget by far less than one emission interval.
//
// KEYS[1] tenant key; ARGV[1] emission interval µs; ARGV[2] burst tolerance µs; ARGV[3] now µs.
// Returns {allowed (0/1), retry_after µs, remaining}.
var gcraScript = redis.NewScript(`
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst - interval
if allow_at > now then
  return {0, allow_at - now, 0}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, 0, math.floor((burst + interval - (new_tat - now)) / interval)}
`)

// RateLimiter limits requests per tenant across every gateway replica.
type RateLimiter struct {
	rdb      *redis.Client
	prefix   string
	interval time.Duration
	burst    time.Duration
	limit    int
	now      func() time.Time
}

// RateLimitOption adjusts a RateLimiter.
type RateLimitOption func(*RateLimiter)

// WithRateLimitClock makes the limiter read the time from now instead of time.Now; tests use it
// to spend and refill budgets without waiting.
func WithRateLimitClock(now func() time.Time) RateLimitOption {
	return func(l *RateLimiter) { l.now = now }
}

// Decision is the outcome of one Allow call.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration
	Remaining  int
	Limit      int
}

// NewRateLimiter allows perMinute requests per minute per tenant, with bursts of up to burst
// requests.
func NewRateLimiter(rdb *redis.Client, prefix string, perMinute, burst int, opts ...RateLimitOption) (*RateLimiter, error) {
	if perMinute <= 0 || burst <= 0 {
		return nil, fmt.Errorf("rate limit needs positive rate and burst, got %d/min and %d", perMinute, burst)
	}
	interval := time.Minute / time.Duration(perMinute)
	l := &RateLimiter{
		rdb: rdb, prefix: prefix + ":gateway:rl:", limit: burst,
		interval: interval, burst: interval * time.Duration(burst-1), now: time.Now,
	}
	for _, o := range opts {
		o(l)
	}
	if l.now == nil {
		return nil, fmt.Errorf("rate limit needs a clock")
	}
	return l, nil
}

// Allow spends one request of tenant's budget.
func (l *RateLimiter) Allow(ctx context.Context, tenant string) (Decision, error) {
	res, err := gcraScript.Run(ctx, l.rdb, []string{l.prefix + tenant},
		strconv.FormatInt(l.interval.Microseconds(), 10), strconv.FormatInt(l.burst.Microseconds(), 10),
		strconv.FormatInt(l.now().UnixMicro(), 10)).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit: %w", err)
	}
	return Decision{
		Allowed:    res[0] == 1,
		RetryAfter: time.Duration(res[1]) * time.Microsecond,
		Remaining:  int(res[2]),
		Limit:      l.limit,
	}, nil
}
