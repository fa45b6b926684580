// Package ratelimit shares request budgets between every replica of a service through Redis.
//
// It is the generic cell rate algorithm (GCRA): one key per budget holds the theoretical
// arrival time (TAT) in microseconds, and each operation is one Lua script on that one key, so
// it runs on Redis Cluster and is atomic without locks. The caller passes "now" from its own
// clock rather than the script reading Redis TIME: tests then spend and refill budgets with a
// clock they set, and replicas' NTP-synchronised clocks differ by far less than one emission
// interval.
//
// go-redis's redis_rate is the same algorithm, but it reads Redis TIME (no injected clock) and
// has no way to hold a budget for an upstream's Retry-After or to give charges back, which the
// services need; hence this small package.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Never is the RetryAfter of a request that can never pass: it costs more than the burst.
const Never time.Duration = -1

// ErrInvalidLimit: a Limit or cost that no budget can serve.
var ErrInvalidLimit = errors.New("invalid rate limit")

// Limit is a budget: Rate requests per Period sustained, of which Burst may come back to back.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// PerMinute is rate requests a minute with bursts of up to burst.
func PerMinute(rate, burst int) Limit {
	return Limit{Rate: rate, Burst: burst, Period: time.Minute}
}

// Validate reports a Limit that cannot be enforced.
func (l Limit) Validate() error {
	if l.Rate < 1 || l.Burst < 1 || l.Period <= 0 || l.Period/time.Duration(l.Rate) < time.Microsecond {
		return fmt.Errorf("%d per %s with burst %d: %w", l.Rate, l.Period, l.Burst, ErrInvalidLimit)
	}
	return nil
}

// interval is the emission interval: one request's share of the period.
func (l Limit) interval() time.Duration { return l.Period / time.Duration(l.Rate) }

// Result is the outcome of Allow or AllowN.
type Result struct {
	// Allowed says whether the whole cost was charged; a refused request is charged nothing.
	Allowed bool
	// Remaining is how many more requests would pass now, after this one.
	Remaining int
	// RetryAfter is, when refused, how long until the same cost would pass; Never when it
	// exceeds the burst. Zero when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the budget is full again.
	ResetAfter time.Duration
}

// script takes ARGV: now µs, interval µs, burst, op, arg. Ops:
//
//	take n    charge n requests, all or none: {allowed, remaining, retry_after µs, reset_after µs}
//	refund n  give n requests back (never beyond a full budget)
//	hold d    let nobody through for d µs; after it the budget refills from empty
//
// The TAT is stored with an expiry at the moment the budget is full again, so idle keys vanish.
var script = redis.NewScript(`
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local op = ARGV[4]
local arg = tonumber(ARGV[5])
local tolerance = burst * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local function store(t)
  if t <= now then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], t, 'PX', math.ceil((t - now) / 1000))
  end
end
if op == 'take' then
  local remaining = math.max(0, math.floor((tolerance - (tat - now)) / interval))
  if arg > burst then
    return {0, remaining, -1, tat - now}
  end
  local new = tat + arg * interval
  local allow_at = new - tolerance
  if allow_at > now then
    return {0, remaining, allow_at - now, tat - now}
  end
  store(new)
  return {1, math.floor((tolerance - (new - now)) / interval), 0, new - now}
elseif op == 'refund' then
  store(math.max(now, tat - arg * interval))
elseif op == 'hold' then
  local held = now + arg + tolerance - interval
  if held > tat then store(held) end
end
return {1, 0, 0, 0}
`)

// Limiter enforces budgets kept in Redis; it is safe for concurrent use, and every Limiter on
// the same Redis and prefix shares the same budgets.
type Limiter struct {
	rdb    redis.Scripter
	prefix string
	now    func() time.Time
}

// New returns a Limiter whose keys start with prefix and whose time comes from now (time.Now
// in production, a test clock in tests).
func New(rdb redis.Scripter, prefix string, now func() time.Time) (*Limiter, error) {
	if rdb == nil || now == nil {
		return nil, errors.New("new rate limiter: redis and clock are required")
	}
	return &Limiter{rdb: rdb, prefix: prefix, now: now}, nil
}

// Allow charges one request to key's budget.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	return l.AllowN(ctx, key, limit, 1)
}

// AllowN charges n requests to key's budget, all or none: when fewer than n remain, nothing
// is charged and RetryAfter says when n will fit.
func (l *Limiter) AllowN(ctx context.Context, key string, limit Limit, n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("rate limit %s: cost %d: %w", key, n, ErrInvalidLimit)
	}
	res, err := l.run(ctx, key, limit, "take", int64(n))
	if err != nil {
		return Result{}, err
	}
	r := Result{Allowed: res[0] == 1, Remaining: int(res[1]), RetryAfter: Never,
		ResetAfter: time.Duration(res[3]) * time.Microsecond}
	if res[2] >= 0 {
		r.RetryAfter = time.Duration(res[2]) * time.Microsecond
	}
	return r, nil
}

// Refund gives n requests back to key's budget, for a charge whose work never ran (another
// budget refused it). The budget never grows beyond full.
func (l *Limiter) Refund(ctx context.Context, key string, limit Limit, n int) error {
	if n < 1 {
		return fmt.Errorf("rate limit %s: refund %d: %w", key, n, ErrInvalidLimit)
	}
	_, err := l.run(ctx, key, limit, "refund", int64(n))
	return err
}

// Hold lets no request through key's budget for d, for example while an upstream's
// Retry-After runs; after it the budget refills from empty. A shorter hold never shortens a
// longer one.
func (l *Limiter) Hold(ctx context.Context, key string, limit Limit, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	_, err := l.run(ctx, key, limit, "hold", d.Microseconds())
	return err
}

func (l *Limiter) run(ctx context.Context, key string, limit Limit, op string, arg int64) ([]int64, error) {
	if err := limit.Validate(); err != nil {
		return nil, fmt.Errorf("rate limit %s: %w", key, err)
	}
	res, err := script.Run(ctx, l.rdb, []string{l.prefix + key},
		strconv.FormatInt(l.now().UnixMicro(), 10), strconv.FormatInt(limit.interval().Microseconds(), 10),
		strconv.Itoa(limit.Burst), op, strconv.FormatInt(arg, 10)).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return res, nil
}
