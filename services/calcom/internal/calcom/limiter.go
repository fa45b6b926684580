package calcom

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcra is a generic cell rate algorithm over one key holding the theoretical arrival time (TAT,
// milliseconds). ARGV: now, interval, burst, block. With block = 0 it admits one request or
// returns how many milliseconds to wait; with block > 0 it pushes the TAT so that nobody is
// admitted for block milliseconds (a 429's Retry-After, or Remaining: 0), and returns 0.
var gcra = redis.NewScript(`
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3]) * interval
local block = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
if block > 0 then
  local blocked = now + block + burst
  if blocked > tat then
    redis.call('SET', KEYS[1], blocked, 'PX', blocked - now)
  end
  return 0
end
local new = tat + interval
local allow_at = new - burst
if allow_at > now then
  return allow_at - now
end
redis.call('SET', KEYS[1], new, 'PX', new - now)
return 0
`)

// errBudgetSpent: the shared budget would make the call wait longer than allowed. It is not
// retried: the waiting it would take is exactly what MaxRateWait refuses.
var errBudgetSpent = fmt.Errorf("shared rate budget spent: %w", ErrRateLimited)

// limiter keeps every replica's requests for one API key within Cal.com's budget: at most
// limit requests in any minute, burst of them back to back, the rest evenly spaced.
type limiter struct {
	rdb      redis.UniversalClient
	prefix   string
	interval time.Duration
	burst    int
	clock    Clock
}

func newLimiter(rdb redis.UniversalClient, prefix string, perMinute, burst int, clock Clock) (*limiter, error) {
	if perMinute <= burst || burst < 1 {
		return nil, fmt.Errorf("rate limit %d/min with burst %d: %w", perMinute, burst, ErrInvalidInput)
	}
	return &limiter{rdb: rdb, prefix: prefix, interval: time.Minute / time.Duration(perMinute-burst),
		burst: burst, clock: clock}, nil
}

// wait admits one request for account, waiting up to maxWait; beyond that it fails with
// ErrRateLimited instead of queueing callers for long.
func (l *limiter) wait(ctx context.Context, account string, maxWait time.Duration) error {
	deadline := l.clock.Now().Add(maxWait)
	for {
		d, err := l.run(ctx, account, 0)
		if err != nil {
			return err
		}
		if d == 0 {
			return nil
		}
		if l.clock.Now().Add(d).After(deadline) {
			return &APIError{Status: 429, Code: "LocalRateLimit", Message: "shared rate budget spent",
				RetryAfter: d, kind: errBudgetSpent}
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return fmt.Errorf("wait for rate limit: %w", err)
		}
	}
}

// block stops every replica from calling for account during d.
func (l *limiter) block(ctx context.Context, account string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	_, err := l.run(ctx, account, d)
	return err
}

func (l *limiter) run(ctx context.Context, account string, block time.Duration) (time.Duration, error) {
	ms, err := gcra.Run(ctx, l.rdb, []string{l.prefix + "ratelimit:" + account},
		l.clock.Now().UnixMilli(), l.interval.Milliseconds(), l.burst, block.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("rate limiter: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
