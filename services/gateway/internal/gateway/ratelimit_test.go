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

func TestRateLimiterSharedAcrossReplicas(t *testing.T) {
	env := testenv.Redis(t)
	// Two limiters on the same Redis stand for two gateway replicas.
	a, err := gateway.NewRateLimiter(env.Client, env.Prefix, 60, 10)
	require.NoError(t, err)
	b, err := gateway.NewRateLimiter(env.Client, env.Prefix, 60, 10)
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
				require.Positive(t, d.RetryAfter)
				require.LessOrEqual(t, d.RetryAfter, 2*time.Second)
			}
		}()
	}
	wg.Wait()
	// A burst of 10 at 1/s: 10 pass at once, perhaps one more if a second ticked by.
	require.GreaterOrEqual(t, allowed.Load(), int64(10))
	require.LessOrEqual(t, allowed.Load(), int64(11))

	// Another tenant has its own budget.
	d, err := a.Allow(t.Context(), "tenant-2")
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, 9, d.Remaining)
}

func TestRateLimiterRejectsBadSettings(t *testing.T) {
	env := testenv.Redis(t)
	_, err := gateway.NewRateLimiter(env.Client, env.Prefix, 0, 10)
	require.Error(t, err)
}
