package rpc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

// TestServerReadyOnlyWhileConsuming: Ready, the check behind a service's /ready, says no
// before Run has joined the bus, yes once a caller would find the instance live, and no again
// while it drains.
func TestServerReadyOnlyWhileConsuming(t *testing.T) {
	env := testenv.Redis(t)
	cfg := rpctest.ServerConfig(env, "ready", "ready-0")
	srv, err := rpc.NewServer(env.Client, cfg, rpctest.Logger(t), nil)
	require.NoError(t, err)
	rpc.Register(srv, "echo", func(_ context.Context, p echoParams) (int, error) { return p.N, nil })
	require.ErrorContains(t, srv.Ready(t.Context()), "not consuming")

	stop := rpctest.Run(t, srv)
	testenv.Eventually(t, 30*time.Second, func() bool { return srv.Ready(t.Context()) == nil }, "server never ready")
	// Ready means live: the first call after it finds the instance, without a retry.
	c := rpctest.NewClient(t, env, "caller", nil)
	var n int
	require.NoError(t, c.Call(t.Context(), "ready", "echo", echoParams{N: 7}, &n, rpc.WithRetries(0)))
	require.Equal(t, 7, n)

	require.NoError(t, stop())
	require.ErrorContains(t, srv.Ready(t.Context()), "not consuming")
}
