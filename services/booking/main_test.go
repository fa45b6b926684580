package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

func TestRunServesReadyAndStopsCleanly(t *testing.T) {
	redis := testenv.Redis(t)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "RPC_NAMESPACE": rpctest.Namespace(redis), "LOG_LEVEL": "error",
	})
	rpctest.CheckOpenRPC(t, rpctest.NewClient(t, redis, "schema-check", nil), "booking", "../../proto-schemas/booking.openrpc.json")
	require.NoError(t, stop())
}

func TestRunRejectsBadConfig(t *testing.T) {
	err := run(t.Context(), func(k string) (string, bool) {
		return map[string]string{"REDIS_URL": "nope", "DRAIN_TIMEOUT": "soon"}[k], k == "REDIS_URL" || k == "DRAIN_TIMEOUT"
	})
	require.ErrorContains(t, err, "REDIS_URL")
	require.ErrorContains(t, err, "DRAIN_TIMEOUT")
}

func TestReconcileAfterMustOutlastARequest(t *testing.T) {
	env := map[string]string{"BOOKING_RECONCILE_AFTER": "5s"}
	err := run(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.ErrorContains(t, err, "BOOKING_RECONCILE_AFTER")
	cfg, err := loadConfig(func(k string) (string, bool) {
		return map[string]string{"BOOKING_RECONCILE_AFTER": "40s"}[k], k == "BOOKING_RECONCILE_AFTER"
	})
	require.NoError(t, err)
	require.Equal(t, 40*time.Second, cfg.ReconcileAfter)
}
