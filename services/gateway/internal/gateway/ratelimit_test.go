package gateway_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func limits(total, read, write ratelimit.Limit) gateway.RateLimits {
	return gateway.RateLimits{Total: total, Read: read, CalcomWrite: write}
}

func TestRateLimiterSharedAcrossReplicas(t *testing.T) {
	env := testenv.Redis(t)
	clock := newTestClock()
	lim := limits(ratelimit.PerMinute(60, 10), ratelimit.PerMinute(60, 10), ratelimit.PerMinute(60, 10))
	// Two limiters on the same Redis stand for two gateway replicas.
	var replicas [2]*gateway.RateLimiter
	for i := range replicas {
		l, err := gateway.NewRateLimiter(env.Client, env.Prefix, lim, gateway.WithRateLimitClock(clock.Now))
		require.NoError(t, err)
		replicas[i] = l
	}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			d, err := replicas[i%2].Charge(t.Context(), "tenant-1", gateway.Cost{Read: 1})
			if err != nil {
				t.Error(err)
				return
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(10), allowed.Load(), "a burst of 10 at one instant: exactly 10 pass")
	d, err := replicas[0].Charge(t.Context(), "tenant-2", gateway.Cost{Read: 1})
	require.NoError(t, err)
	require.True(t, d.Allowed, "another tenant has its own budget")
	require.Equal(t, 9, d.Remaining)
}

func TestRateLimiterClassesAndRefunds(t *testing.T) {
	env := testenv.Redis(t)
	clock := newTestClock()
	l, err := gateway.NewRateLimiter(env.Client, env.Prefix,
		limits(ratelimit.PerMinute(600, 20), ratelimit.PerMinute(600, 20), ratelimit.PerMinute(30, 5)),
		gateway.WithRateLimitClock(clock.Now))
	require.NoError(t, err)
	ctx := t.Context()

	d, err := l.Charge(ctx, "t", gateway.Cost{Read: 2, CalcomWrite: 5})
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, gateway.ClassCalcomWrite, d.Budget, "the headers describe the tightest budget")
	require.Equal(t, 0, d.Remaining)
	require.Equal(t, 5, d.Limit)

	d, err = l.Charge(ctx, "t", gateway.Cost{Read: 1, CalcomWrite: 1})
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.Equal(t, gateway.ClassCalcomWrite, d.Budget)
	require.Equal(t, 2*time.Second, d.RetryAfter, "30/min: one write every 2 s")

	// The total has 13 left: 14 reads pass the read budget (18 left) but not the total, and
	// the read budget gets them back, or the 13 reads after them would not pass.
	d, err = l.Charge(ctx, "t", gateway.Cost{Read: 14})
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.Equal(t, "total", d.Budget)
	require.Equal(t, 13, d.Remaining)
	require.Equal(t, 100*time.Millisecond, d.RetryAfter)
	d, err = l.Charge(ctx, "t", gateway.Cost{Read: 13})
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, "total", d.Budget)
	require.Equal(t, 0, d.Remaining)
	d, err = l.Charge(ctx, "t", gateway.Cost{Read: 1})
	require.NoError(t, err)
	require.False(t, d.Allowed)

	d, err = l.Charge(ctx, "fresh", gateway.Cost{CalcomWrite: 6})
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.Equal(t, ratelimit.Never, d.RetryAfter, "more writes than the write burst never pass")
	require.Equal(t, gateway.ClassCalcomWrite, d.Budget)
}

func TestRateLimiterRejectsBadSettings(t *testing.T) {
	env := testenv.Redis(t)
	ok := ratelimit.PerMinute(60, 10)
	for _, lim := range []gateway.RateLimits{
		limits(ratelimit.PerMinute(0, 10), ok, ok),
		limits(ok, ratelimit.PerMinute(60, 0), ok),
		limits(ok, ok, ratelimit.Limit{}),
	} {
		_, err := gateway.NewRateLimiter(env.Client, env.Prefix, lim)
		require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
	}
	_, err := gateway.NewRateLimiter(env.Client, env.Prefix, limits(ok, ok, ok), gateway.WithRateLimitClock(nil))
	require.Error(t, err)
}
