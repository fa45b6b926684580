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
		"SMS_PROVIDER": "log",
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
	cfg, err := loadConfig(lookup(map[string]string{"BOOKING_RECONCILE_AFTER": "40s", "SMS_PROVIDER": "none"}))
	require.NoError(t, err)
	require.Equal(t, 40*time.Second, cfg.ReconcileAfter)
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// A deployment that does not choose an SMS provider must not start and send every confirmation
// to its log; log is only what a developer asks for.
func TestSMSProviderMustBeChosen(t *testing.T) {
	err := run(t.Context(), lookup(map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}))
	require.ErrorContains(t, err, "SMS_PROVIDER: required but not set")
	require.ErrorContains(t, err, "log (development only)")

	_, err = loadConfig(lookup(map[string]string{"SMS_PROVIDER": "twilio"}))
	require.ErrorContains(t, err, `SMS_PROVIDER: "twilio" is not one of http, none, log`)

	_, err = loadConfig(lookup(map[string]string{"SMS_PROVIDER": "http"}))
	require.ErrorContains(t, err, "required when SMS_PROVIDER=http")

	for _, provider := range []string{"log", "none"} {
		cfg, err := loadConfig(lookup(map[string]string{"SMS_PROVIDER": provider}))
		require.NoError(t, err, provider)
		require.Equal(t, provider, cfg.SMS.Provider)
	}
	cfg, err := loadConfig(lookup(map[string]string{"SMS_PROVIDER": "http",
		"SMS_HTTP_URL": "https://sms.example/send", "SMS_HTTP_TOKEN": "t"}))
	require.NoError(t, err)
	require.Equal(t, SMSConfig{Provider: "http", URL: "https://sms.example/send", Token: "t", Sender: "AskPro"}, cfg.SMS)
}
