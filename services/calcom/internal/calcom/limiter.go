package calcom

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/ratelimit"
)

// errBudgetSpent: the shared budget would make the call wait longer than allowed. It is not
// retried: the waiting it would take is exactly what MaxRateWait refuses.
var errBudgetSpent = fmt.Errorf("shared rate budget spent: %w", ErrRateLimited)

// limiter keeps every replica's requests for one API key within Cal.com's budget: at most
// limit requests in any minute, burst of them back to back, the rest evenly spaced. It is
// pkg/ratelimit's GCRA with a sustained rate of limit-burst a minute: a full burst plus a
// minute's refill is then exactly limit.
type limiter struct {
	rl    *ratelimit.Limiter
	limit ratelimit.Limit
	clock Clock
}

func newLimiter(rdb redis.UniversalClient, prefix string, perMinute, burst int, clock Clock) (*limiter, error) {
	if perMinute <= burst || burst < 1 {
		return nil, fmt.Errorf("rate limit %d/min with burst %d: %w", perMinute, burst, ErrInvalidInput)
	}
	rl, err := ratelimit.New(rdb, prefix+"ratelimit:", clock.Now)
	if err != nil {
		return nil, err
	}
	return &limiter{rl: rl, limit: ratelimit.PerMinute(perMinute-burst, burst), clock: clock}, nil
}

// wait admits one request for account, waiting up to maxWait; beyond that it fails with
// ErrRateLimited instead of queueing callers for long.
func (l *limiter) wait(ctx context.Context, account string, maxWait time.Duration) error {
	deadline := l.clock.Now().Add(maxWait)
	for {
		r, err := l.rl.Allow(ctx, account, l.limit)
		if err != nil {
			return fmt.Errorf("rate limiter: %w", err)
		}
		if r.Allowed {
			return nil
		}
		if l.clock.Now().Add(r.RetryAfter).After(deadline) {
			return &APIError{Status: 429, Code: "LocalRateLimit", Message: "shared rate budget spent",
				RetryAfter: r.RetryAfter, kind: errBudgetSpent}
		}
		if err := l.clock.Sleep(ctx, r.RetryAfter); err != nil {
			return fmt.Errorf("wait for rate limit: %w", err)
		}
	}
}

// block stops every replica from calling for account during d.
func (l *limiter) block(ctx context.Context, account string, d time.Duration) error {
	if err := l.rl.Hold(ctx, account, l.limit, d); err != nil {
		return fmt.Errorf("rate limiter: %w", err)
	}
	return nil
}
