package ratelimit_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/testenv"
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

func newLimiter(t *testing.T) (*ratelimit.Limiter, *testClock, *testenv.RedisEnv) {
	t.Helper()
	env := testenv.Redis(t)
	clock := newTestClock()
	l, err := ratelimit.New(env.Client, env.Prefix, clock.Now)
	require.NoError(t, err)
	return l, clock, env
}

func TestBurstThenOneEveryInterval(t *testing.T) {
	l, clock, _ := newLimiter(t)
	ctx := t.Context()
	limit := ratelimit.PerMinute(60, 10)
	for i := range 10 {
		r, err := l.Allow(ctx, "tenant-1", limit)
		require.NoError(t, err)
		require.True(t, r.Allowed, "request %d of the burst", i)
		require.Equal(t, 9-i, r.Remaining)
	}
	r, err := l.Allow(ctx, "tenant-1", limit)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, time.Second, r.RetryAfter)
	require.Equal(t, 10*time.Second, r.ResetAfter)

	clock.Advance(999 * time.Millisecond)
	r, err = l.Allow(ctx, "tenant-1", limit)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, time.Millisecond, r.RetryAfter)
	clock.Advance(time.Millisecond)
	r, err = l.Allow(ctx, "tenant-1", limit)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.Equal(t, 0, r.Remaining)

	// An idle minute refills the burst, and no more.
	clock.Advance(time.Minute)
	r, err = l.AllowN(ctx, "tenant-1", limit, 10)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	r, err = l.Allow(ctx, "tenant-1", limit)
	require.NoError(t, err)
	require.False(t, r.Allowed)

	// Another key has its own budget.
	r, err = l.Allow(ctx, "tenant-2", limit)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.Equal(t, 9, r.Remaining)
}

func TestAllowNIsAllOrNothing(t *testing.T) {
	l, clock, _ := newLimiter(t)
	ctx := t.Context()
	limit := ratelimit.PerMinute(600, 60) // one request per 100 ms
	r, err := l.AllowN(ctx, "k", limit, 50)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.Equal(t, 10, r.Remaining)

	r, err = l.AllowN(ctx, "k", limit, 50)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, 10, r.Remaining, "a refused request is charged nothing")
	require.Equal(t, 4*time.Second, r.RetryAfter, "40 more requests at 100 ms each")

	r, err = l.AllowN(ctx, "k", limit, 10)
	require.NoError(t, err)
	require.True(t, r.Allowed, "the 10 left are still there")
	require.Equal(t, 0, r.Remaining)

	clock.Advance(5 * time.Second)
	r, err = l.AllowN(ctx, "k", limit, 50)
	require.NoError(t, err)
	require.True(t, r.Allowed, "after Retry-After the same cost passes")

	r, err = l.AllowN(ctx, "other", limit, 61)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, ratelimit.Never, r.RetryAfter, "more than the burst never passes")
	require.Equal(t, 60, r.Remaining)

	_, err = l.AllowN(ctx, "k", limit, 0)
	require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
}

func TestConcurrentCallersNeverExceedTheBudget(t *testing.T) {
	env := testenv.Redis(t)
	clock := newTestClock()
	// Two limiters on one Redis stand for two replicas.
	var replicas [2]*ratelimit.Limiter
	for i := range replicas {
		l, err := ratelimit.New(env.Client, env.Prefix, clock.Now)
		require.NoError(t, err)
		replicas[i] = l
	}
	limit := ratelimit.PerMinute(60, 50)
	var charged, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			n := 1 + i%5
			r, err := replicas[i%2].AllowN(t.Context(), "shared", limit, n)
			if err != nil {
				t.Error(err)
				return
			}
			if r.Allowed {
				charged.Add(int64(n))
			} else {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	require.LessOrEqual(t, charged.Load(), int64(50), "never more than the burst at one instant")
	require.Positive(t, refused.Load())
	r, err := replicas[0].AllowN(t.Context(), "shared", limit, 1)
	require.NoError(t, err)
	if r.Allowed {
		charged.Add(1)
	}
	require.Equal(t, int64(50), charged.Load()+int64(r.Remaining), "what was not charged is still there")

	// While the clock runs, the total stays within burst + elapsed/interval.
	var total atomic.Int64
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Go(func() {
		for range 100 {
			clock.Advance(100 * time.Millisecond)
		}
		close(stop)
	})
	start := clock.Now()
	for i := range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := replicas[i%2].Allow(t.Context(), "running", limit)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					total.Add(1)
				}
			}
		})
	}
	wg.Wait()
	ticker.Wait()
	elapsed := clock.Now().Sub(start)
	require.LessOrEqual(t, total.Load(), int64(50)+int64(elapsed/time.Second))
}

func TestRefundGivesBackWhatWasCharged(t *testing.T) {
	l, _, _ := newLimiter(t)
	ctx := t.Context()
	limit := ratelimit.PerMinute(600, 60)
	r, err := l.AllowN(ctx, "k", limit, 50)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.NoError(t, l.Refund(ctx, "k", limit, 30))
	r, err = l.AllowN(ctx, "k", limit, 41)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, 40, r.Remaining)

	require.NoError(t, l.Refund(ctx, "k", limit, 1000))
	r, err = l.AllowN(ctx, "k", limit, 60)
	require.NoError(t, err)
	require.True(t, r.Allowed, "a refund fills the budget")
	require.Equal(t, 0, r.Remaining, "and never beyond the burst")
	require.ErrorIs(t, l.Refund(ctx, "k", limit, 0), ratelimit.ErrInvalidLimit)
}

func TestHoldStopsEveryoneForItsDuration(t *testing.T) {
	l, clock, _ := newLimiter(t)
	ctx := t.Context()
	limit := ratelimit.PerMinute(110, 10)
	require.NoError(t, l.Hold(ctx, "acct", limit, 30*time.Second))
	require.NoError(t, l.Hold(ctx, "acct", limit, 5*time.Second), "a shorter hold does not shorten it")
	r, err := l.Allow(ctx, "acct", limit)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.Equal(t, 30*time.Second, r.RetryAfter)
	require.Equal(t, 0, r.Remaining)

	clock.Advance(30 * time.Second)
	r, err = l.Allow(ctx, "acct", limit)
	require.NoError(t, err)
	require.True(t, r.Allowed, "the hold is over")
	r, err = l.Allow(ctx, "acct", limit)
	require.NoError(t, err)
	require.False(t, r.Allowed, "and the budget refills from empty")
	require.NoError(t, l.Hold(ctx, "acct", limit, 0))
}

func TestIdleKeysExpireWhenTheBudgetIsFull(t *testing.T) {
	l, _, env := newLimiter(t)
	ctx := t.Context()
	r, err := l.AllowN(ctx, "k", ratelimit.PerMinute(600, 60), 30)
	require.NoError(t, err)
	require.Equal(t, 3*time.Second, r.ResetAfter)
	ttl, err := env.Client.PTTL(ctx, env.Prefix+"k").Result()
	require.NoError(t, err)
	require.InDelta(t, float64(3*time.Second), float64(ttl), float64(200*time.Millisecond))
}

func TestInvalidLimits(t *testing.T) {
	l, _, _ := newLimiter(t)
	for _, tc := range []struct {
		name  string
		limit ratelimit.Limit
	}{
		{"zero rate", ratelimit.PerMinute(0, 10)},
		{"zero burst", ratelimit.PerMinute(60, 0)},
		{"no period", ratelimit.Limit{Rate: 1, Burst: 1}},
		{"interval below a microsecond", ratelimit.Limit{Rate: 2_000_000, Burst: 1, Period: time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.limit.Validate(), ratelimit.ErrInvalidLimit)
			_, err := l.Allow(t.Context(), "k", tc.limit)
			require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
		})
	}
	_, err := ratelimit.New(nil, "", time.Now)
	require.Error(t, err)
}
