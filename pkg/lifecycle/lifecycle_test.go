package lifecycle_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/testenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestRunServesOpsAndDrainsInOrder(t *testing.T) {
	env := testenv.Redis(t)
	addr := freeAddr(t)
	p, err := lifecycle.Start(t.Context(), config.Common{
		Service: "test", Instance: "i-1", RedisURL: env.URL, LogLevel: "error", OpsAddr: addr, DrainTimeout: time.Second,
	})
	require.NoError(t, err)
	var order []string
	p.OnClose(func() error { order = append(order, "closer"); return nil })

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- p.Run(ctx, func(ctx context.Context) error {
			<-ctx.Done()
			order = append(order, "component")
			return nil
		})
	}()
	testenv.Eventually(t, 30*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
	require.Equal(t, []string{"component", "closer"}, order)
}

func TestRunReturnsFirstComponentError(t *testing.T) {
	env := testenv.Redis(t)
	p, err := lifecycle.Start(t.Context(), config.Common{
		Service: "test", Instance: "i-2", RedisURL: env.URL, LogLevel: "error", DrainTimeout: time.Second,
	})
	require.NoError(t, err)
	boom := errors.New("boom")
	err = p.Run(t.Context(),
		func(context.Context) error { return boom },
		func(ctx context.Context) error { <-ctx.Done(); return nil },
	)
	require.ErrorIs(t, err, boom)
}
