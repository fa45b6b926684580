package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

func TestRunServesRetellAndStopsCleanly(t *testing.T) {
	redis := testenv.Redis(t)
	addr := testenv.FreeAddr(t)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "LOG_LEVEL": "error", "GATEWAY_ADDR": addr,
		"RETELL_API_KEY": "k1,k2", "RPC_NAMESPACE": redis.Prefix + "askpro",
	})
	body := `{"event":"call_started","call":{"call_id":"call_run"}}`
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/retell/webhook", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(retell.SignatureHeader, retell.Sign([]byte(body), "k2", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	// The event is in the inbox stream on Redis.
	n, err := redis.Client.XLen(t.Context(), redis.Prefix+"askpro:evt:retell.webhook").Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)

	resp, err = http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(b), `askpro_gateway_webhooks_total{outcome="stored"} 1`)
	require.NoError(t, stop())
}

func TestRunRejectsBadConfig(t *testing.T) {
	env := map[string]string{"REDIS_URL": "nope", "DRAIN_TIMEOUT": "soon", "RPC_RATE_LIMIT_BURST": "0",
		"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}
	err := run(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.ErrorContains(t, err, "REDIS_URL")
	require.ErrorContains(t, err, "DRAIN_TIMEOUT")
	require.ErrorContains(t, err, "RETELL_API_KEY")
	require.ErrorContains(t, err, "RPC_RATE_LIMIT_BURST")
	require.ErrorContains(t, err, `TRUSTED_PROXIES: trusted proxy "proxy.internal"`)
}

func TestRateLimitDefaults(t *testing.T) {
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	cfg, err := loadConfig(lookup(map[string]string{"RETELL_API_KEY": "k", "RPC_RATE_LIMIT_PER_MINUTE": "1200"}))
	require.NoError(t, err)
	require.Equal(t, 1200, cfg.ReadRateLimitPerMinute, "reads follow the total unless set")
	require.Equal(t, 60, cfg.ReadRateLimitBurst)
	require.Equal(t, 30, cfg.WriteRateLimitPerMinute)
	require.Equal(t, 10, cfg.WriteRateLimitBurst)

	_, err = loadConfig(lookup(map[string]string{"RETELL_API_KEY": "k", "RPC_RATE_LIMIT_WRITE_BURST": "0"}))
	require.ErrorContains(t, err, "RPC_RATE_LIMIT_WRITE_BURST")
}
