package gateway

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/ratelimit"
)

// KeyPrefixLen is how much of a presented key names its failure budget: the part the CLI shows
// ("ak_live_3f9a"). Every key starts "ak_live_", so a shorter prefix would be one budget for
// all keys, and a flood would lock every new lookup out.
const KeyPrefixLen = 12

// KeyPrefix is the part of key that names its failure budget.
func KeyPrefix(key string) string {
	return key[:min(len(key), KeyPrefixLen)]
}

// Which failure budget refused a client.
const (
	LimitedByAddress = "address"
	LimitedByPrefix  = "key_prefix"
)

// LimitedError refuses an authentication because the client's failures spent a budget.
type LimitedError struct {
	// By is LimitedByAddress or LimitedByPrefix.
	By         string
	RetryAfter time.Duration
}

func (e *LimitedError) Error() string {
	return "too many failed authentications by " + e.By + ", retry after " + e.RetryAfter.String()
}

// FailureLimits are the failure budgets: per client address and per key prefix.
type FailureLimits struct {
	Address, Prefix ratelimit.Limit
}

// FailureLimiter keeps the failed-authentication budgets in Redis, shared by every gateway
// replica: one key per client address (prefix:gateway:authfail:addr:<ip>) and one per key
// prefix (prefix:gateway:authfail:key:<hex of the prefix>).
//
// A refusal is also remembered in memory until its Retry-After has passed, so a client that
// keeps hammering costs this replica no Redis round trip per request: during a flood most
// requests are refusals, and they must stay cheap for the valid tenants served beside them.
// Redis stays the only place where budgets are spent; the memo only repeats its answer.
type FailureLimiter struct {
	rl      *ratelimit.Limiter
	limits  FailureLimits
	now     func() time.Time
	blocked *lru.Cache[string, time.Time] // budget key → refused until
}

// refusalMemoSize bounds the remembered refusals; a flood from more addresses than this
// only costs the forgotten ones a Redis round trip again.
const refusalMemoSize = 50_000

// NewFailureLimiter builds the failed-authentication limiter; now is its clock (time.Now in
// production).
func NewFailureLimiter(rdb *redis.Client, prefix string, limits FailureLimits, now func() time.Time) (*FailureLimiter, error) {
	for _, lim := range []ratelimit.Limit{limits.Address, limits.Prefix} {
		if err := lim.Validate(); err != nil {
			return nil, fmt.Errorf("auth failure limit: %w", err)
		}
	}
	rl, err := ratelimit.New(rdb, prefix+":gateway:authfail:", now)
	if err != nil {
		return nil, err
	}
	blocked, _ := lru.New[string, time.Time](refusalMemoSize) // fails only for a size below 1
	return &FailureLimiter{rl: rl, limits: limits, now: now, blocked: blocked}, nil
}

type failureBudget struct {
	by, key string
	limit   ratelimit.Limit
}

func (l *FailureLimiter) budgets(addr, keyPrefix string) []failureBudget {
	var b []failureBudget
	if addr != "" {
		b = append(b, failureBudget{LimitedByAddress, "addr:" + addr, l.limits.Address})
	}
	if keyPrefix != "" {
		b = append(b, failureBudget{LimitedByPrefix, "key:" + hex.EncodeToString([]byte(keyPrefix)), l.limits.Prefix})
	}
	return b
}

// Charge spends one failure from addr's and keyPrefix's budgets (an empty one is skipped),
// all or nothing. It returns a *LimitedError, charging nothing, when a budget is spent.
func (l *FailureLimiter) Charge(ctx context.Context, addr, keyPrefix string) (*LimitedError, error) {
	budgets := l.budgets(addr, keyPrefix)
	now := l.now()
	for _, b := range budgets {
		if until, ok := l.blocked.Get(b.key); ok && now.Before(until) {
			return &LimitedError{By: b.by, RetryAfter: until.Sub(now)}, nil
		}
	}
	for i, b := range budgets {
		r, err := l.rl.Allow(ctx, b.key, b.limit)
		if err != nil {
			return nil, errors.Join(err, l.refund(ctx, budgets[:i]))
		}
		if !r.Allowed {
			if err := l.refund(ctx, budgets[:i]); err != nil {
				// The refusal stands; the lost refund costs the client one failure.
				logging.FromContext(ctx).Warn().Err(err).Msg("auth_failure_refund_failed")
			}
			if r.RetryAfter > 0 {
				l.blocked.Add(b.key, now.Add(r.RetryAfter))
			}
			return &LimitedError{By: b.by, RetryAfter: r.RetryAfter}, nil
		}
	}
	return nil, nil
}

// Refund gives back a charge whose request turned out not to be a failure.
func (l *FailureLimiter) Refund(ctx context.Context, addr, keyPrefix string) error {
	return l.refund(ctx, l.budgets(addr, keyPrefix))
}

func (l *FailureLimiter) refund(ctx context.Context, charged []failureBudget) error {
	var errs []error
	for _, b := range charged {
		errs = append(errs, l.rl.Refund(ctx, b.key, b.limit, 1))
	}
	return errors.Join(errs...)
}

// retryAfterSeconds is d in whole seconds, rounded up, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}
