package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

func TestRunServesReadyAndStopsCleanly(t *testing.T) {
	redis := testenv.Redis(t)
	ops := testenv.FreeAddr(t)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "LOG_LEVEL": "error", "OPS_ADDR": ops,
		"RPC_NAMESPACE": redis.Prefix + "askpro", "CALCOM_KEY_PREFIX": redis.Prefix + "calcom:",
		"CALCOM_WEBHOOK_ADDR": testenv.FreeAddr(t), "CALCOM_WEBHOOK_SECRET": "s",
	})
	// Ready means the bus consumer is live, so the call right after finds an instance.
	resp, err := http.Get("http://" + ops + "/ready")
	require.NoError(t, err)
	var rep struct{ Checks map[string]string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	require.NoError(t, resp.Body.Close())
	require.Equal(t, map[string]string{"redis": "ok", "rpc": "ok"}, rep.Checks)
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
