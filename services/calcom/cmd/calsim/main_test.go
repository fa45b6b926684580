package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/calcom/internal/calsim"
)

func TestFlagsAndEnv(t *testing.T) {
	env := map[string]string{"CALSIM_LATENCY": "20ms", "CALSIM_DROP_RATE": "0.1", "CALSIM_RATE_LIMIT": "5"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	o, err := parse([]string{"-error-rate", "0.2", "-addr", "127.0.0.1:1"}, lookup)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:1", o.addr)
	require.Equal(t, 20*time.Millisecond, o.cfg.Faults.Latency)
	require.InDelta(t, 0.1, o.cfg.Faults.DropRate, 1e-9)
	require.InDelta(t, 0.2, o.cfg.Faults.ErrorRate, 1e-9)
	require.Equal(t, 5, o.cfg.RateLimit)

	seed, err := o.spec.Seed()
	require.NoError(t, err)
	require.Equal(t, calsim.DefaultSeed("cal_test_calsim").EventTypes[1].RequiresEmail, seed.EventTypes[1].RequiresEmail)
	require.Len(t, seed.EventTypes, 2)

	env["CALSIM_TIMEOUT_RATE"] = "often"
	_, err = parse(nil, lookup)
	require.ErrorContains(t, err, "CALSIM_TIMEOUT_RATE")
}

func TestRunRejectsABadSeed(t *testing.T) {
	err := run(t.Context(), []string{"-seed", "/nonexistent.json"}, func(string) (string, bool) { return "", false })
	require.ErrorContains(t, err, "read seed")
}

func TestRunRejectsBadFlagSeed(t *testing.T) {
	err := run(t.Context(), []string{"-hours", "Someday=09:00-10:00"}, func(string) (string, bool) { return "", false })
	require.ErrorContains(t, err, "unknown day")
}
