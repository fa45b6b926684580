package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/ratelimit"
)

// The method classes of /rpc, each with a budget of its own per tenant on top of the tenant's
// total: writes that reach Cal.com share the tenant's Cal.com budget with its voice agent, so
// they are held to far less than reads.
const (
	ClassRead        = "read"
	ClassCalcomWrite = "calcom_write"
)

// budgetTotal names the per-tenant budget every call is charged to, whatever its class.
const budgetTotal = "total"

// RateLimits are the per-tenant budgets of /rpc.
type RateLimits struct {
	Total, Read, CalcomWrite ratelimit.Limit
}

// Cost is what one HTTP request costs: the number of calls it holds, by class.
type Cost struct {
	Read, CalcomWrite int
}

func (c Cost) total() int { return c.Read + c.CalcomWrite }

// RateLimiter limits /rpc calls per tenant across every gateway replica. Every budget is one
// Redis key (prefix:gateway:rl:[<class>:]<tenant>), so it runs on Redis Cluster.
type RateLimiter struct {
	rl     *ratelimit.Limiter
	limits RateLimits
	now    func() time.Time
}

// RateLimitOption adjusts a RateLimiter.
type RateLimitOption func(*RateLimiter)

// WithRateLimitClock makes the limiter read the time from now instead of time.Now; tests use it
// to spend and refill budgets without waiting.
func WithRateLimitClock(now func() time.Time) RateLimitOption {
	return func(l *RateLimiter) { l.now = now }
}

// Decision is the outcome of one Charge.
type Decision struct {
	Allowed bool
	// RetryAfter is how long until the same cost would pass; ratelimit.Never when it exceeds
	// the burst of Budget, so it can never pass.
	RetryAfter time.Duration
	// Budget is the budget that refused the request, or, when allowed, the one with the
	// fewest calls left; Remaining and Limit (its burst) describe it.
	Budget    string
	Remaining int
	Limit     int
}

// NewRateLimiter builds the per-tenant limiter of /rpc.
func NewRateLimiter(rdb *redis.Client, prefix string, limits RateLimits, opts ...RateLimitOption) (*RateLimiter, error) {
	for _, lim := range []ratelimit.Limit{limits.Total, limits.Read, limits.CalcomWrite} {
		if err := lim.Validate(); err != nil {
			return nil, fmt.Errorf("rpc rate limit: %w", err)
		}
	}
	l := &RateLimiter{limits: limits, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	rl, err := ratelimit.New(rdb, prefix+":gateway:rl:", l.now)
	if err != nil {
		return nil, err
	}
	l.rl = rl
	return l, nil
}

type budget struct {
	name, key string
	limit     ratelimit.Limit
	n         int
}

// Charge spends cost from tenant's budgets, all or nothing: the scarcest class first, the
// total last, and when one refuses, what the others were charged is given back. A cost larger
// than a budget's burst is refused without touching Redis.
func (l *RateLimiter) Charge(ctx context.Context, tenant string, cost Cost) (Decision, error) {
	budgets := []budget{
		{ClassCalcomWrite, ClassCalcomWrite + ":" + tenant, l.limits.CalcomWrite, cost.CalcomWrite},
		{ClassRead, ClassRead + ":" + tenant, l.limits.Read, cost.Read},
		{budgetTotal, tenant, l.limits.Total, cost.total()},
	}
	for _, b := range slices.Backward(budgets) { // the total first: it names the problem best
		if b.n > b.limit.Burst {
			return Decision{RetryAfter: ratelimit.Never, Budget: b.name, Limit: b.limit.Burst, Remaining: b.limit.Burst}, nil
		}
	}
	best := Decision{Allowed: true, Remaining: -1}
	for i, b := range budgets {
		if b.n == 0 {
			continue
		}
		r, err := l.rl.AllowN(ctx, b.key, b.limit, b.n)
		if err != nil {
			return Decision{}, errors.Join(err, l.refund(ctx, budgets[:i]))
		}
		if !r.Allowed {
			if err := l.refund(ctx, budgets[:i]); err != nil {
				// The refusal stands; only the refund is lost, and it costs the tenant at
				// most this request's calls until its budget refills.
				logging.FromContext(ctx).Warn().Err(err).Msg("rate_limit_refund_failed")
			}
			return Decision{RetryAfter: r.RetryAfter, Budget: b.name, Remaining: r.Remaining, Limit: b.limit.Burst}, nil
		}
		if best.Remaining < 0 || r.Remaining < best.Remaining {
			best.Budget, best.Remaining, best.Limit = b.name, r.Remaining, b.limit.Burst
		}
	}
	return best, nil
}

func (l *RateLimiter) refund(ctx context.Context, charged []budget) error {
	var errs []error
	for _, b := range charged {
		if b.n > 0 {
			errs = append(errs, l.rl.Refund(ctx, b.key, b.limit, b.n))
		}
	}
	return errors.Join(errs...)
}
