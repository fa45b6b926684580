package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

func TestRunServesReadyAndStopsCleanly(t *testing.T) {
	redis := testenv.Redis(t)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "LOG_LEVEL": "error",
		"RPC_NAMESPACE": redis.Prefix + "askpro", "CALCOM_KEY_PREFIX": redis.Prefix + "calcom:",
		"CALCOM_WEBHOOK_ADDR": testenv.FreeAddr(t), "CALCOM_WEBHOOK_SECRET": "s",
	})
	rpctest.CheckOpenRPC(t, rpctest.NewClient(t, redis, "schema-check", nil), "calcom", "../../proto-schemas/calcom.openrpc.json")
	require.NoError(t, stop())
}

func TestRunRejectsBadConfig(t *testing.T) {
	env := map[string]string{"REDIS_URL": "nope", "DRAIN_TIMEOUT": "soon", "CALCOM_RATE_BURST": "200",
		"CALCOM_WEBHOOK_ADDR": ":0"}
	err := run(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.ErrorContains(t, err, "REDIS_URL")
	require.ErrorContains(t, err, "DRAIN_TIMEOUT")
	require.ErrorContains(t, err, "CALCOM_RATE_BURST")
	require.ErrorContains(t, err, "CALCOM_WEBHOOK_SECRET")
}
