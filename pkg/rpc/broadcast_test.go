package rpc_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

// SubscribeAll: every running instance gets every event, in order; no consumer group is made,
// so nothing is left behind when instances come and go; a later instance starts with the
// events published after it went live; a failed handler is not called again.
func TestSubscribeAllReachesEveryInstanceWithoutGroups(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	var mu sync.Mutex
	seen := map[string][]int{}
	start := func(instance string) {
		rpctest.StartServer(t, env, rpctest.ServerConfig(env, "pricing", instance), nil, func(s *rpc.Server) {
			rpc.SubscribeAll(s, "price.changed", func(_ context.Context, ev echoParams) error {
				mu.Lock()
				defer mu.Unlock()
				seen[instance] = append(seen[instance], ev.N)
				if ev.N == 2 && instance == "p-0" {
					return errors.New("cache busy")
				}
				return nil
			})
		})
	}
	got := func(instance string) []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), seen[instance]...)
	}
	start("p-0")
	start("p-1")
	c := rpctest.NewClient(t, env, "publisher", nil)
	for n := range 3 {
		require.NoError(t, c.Publish(t.Context(), "price.changed", echoParams{N: n + 1}))
	}
	want := []int{1, 2, 3}
	testenv.Eventually(t, 30*time.Second, func() bool { return len(got("p-0")) == 3 && len(got("p-1")) == 3 })
	assert.Equal(t, want, got("p-0"), "the failed event 2 is not delivered again")
	assert.Equal(t, want, got("p-1"))

	start("p-2")
	require.NoError(t, c.Publish(t.Context(), "price.changed", echoParams{N: 4}))
	testenv.Eventually(t, 30*time.Second, func() bool { return len(got("p-2")) == 1 && len(got("p-0")) == 4 })
	assert.Equal(t, []int{4}, got("p-2"), "only what was published after it went live")

	groups, err := env.Client.XInfoGroups(t.Context(), rpc.EventStream(rpctest.Namespace(env), "price.changed")).Result()
	require.NoError(t, err)
	assert.Empty(t, groups, "no consumer group to clean up")
	// Nothing else may arrive, no redelivery of the failed 2: a later event is the barrier, as
	// each instance reads the stream in order.
	require.NoError(t, c.Publish(t.Context(), "price.changed", echoParams{N: 5}))
	testenv.Eventually(t, 30*time.Second, func() bool { return len(got("p-0")) >= 5 })
	assert.Equal(t, []int{1, 2, 3, 4, 5}, got("p-0"))
}
