package gateway_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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

func TestRateLimiterSharedAcrossReplicas(t *testing.T) {
	env := testenv.Redis(t)
	clock := newTestClock()
	// Two limiters on the same Redis stand for two gateway replicas.
	a, err := gateway.NewRateLimiter(env.Client, env.Prefix, 60, 10, gateway.WithRateLimitClock(clock.Now))
	require.NoError(t, err)
	b, err := gateway.NewRateLimiter(env.Client, env.Prefix, 60, 10, gateway.WithRateLimitClock(clock.Now))
	require.NoError(t, err)

	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := a
			if i%2 == 1 {
				l = b
			}
			d, err := l.Allow(t.Context(), "tenant-1")
			require.NoError(t, err)
			if d.Allowed {
				allowed.Add(1)
			} else {
				require.Equal(t, time.Second, d.RetryAfter)
			}
		}()
	}
	wg.Wait()
	// A burst of 10 at 1/s, all within one instant: exactly 10 pass.
	require.Equal(t, int64(10), allowed.Load())

	// Not quite a second later the budget is still empty; at one second one request passes.
	clock.Advance(999 * time.Millisecond)
	d, err := b.Allow(t.Context(), "tenant-1")
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.Equal(t, time.Millisecond, d.RetryAfter)
	clock.Advance(time.Millisecond)
	d, err = a.Allow(t.Context(), "tenant-1")
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, 0, d.Remaining)

	// An idle minute refills the whole burst, and no more.
	clock.Advance(time.Minute)
	for i := range 10 {
		d, err = a.Allow(t.Context(), "tenant-1")
		require.NoError(t, err)
		require.True(t, d.Allowed, "request %d after the refill", i)
	}
	d, err = a.Allow(t.Context(), "tenant-1")
	require.NoError(t, err)
	require.False(t, d.Allowed)

	// Another tenant has its own budget.
	d, err = a.Allow(t.Context(), "tenant-2")
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, 9, d.Remaining)
}

func TestRateLimiterRejectsBadSettings(t *testing.T) {
	env := testenv.Redis(t)
	_, err := gateway.NewRateLimiter(env.Client, env.Prefix, 0, 10)
	require.Error(t, err)
	_, err = gateway.NewRateLimiter(env.Client, env.Prefix, 60, 0)
	require.Error(t, err)
	_, err = gateway.NewRateLimiter(env.Client, env.Prefix, 60, 10, gateway.WithRateLimitClock(nil))
	require.Error(t, err)
}
