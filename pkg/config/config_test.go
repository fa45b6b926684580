package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/config"
)

func env(m map[string]string) config.LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestReaderTypedValues(t *testing.T) {
	r := config.New(env(map[string]string{
		"N": "42", "D": "250ms", "B": "yes", "L": "a, b,,c", "U": "redis://h:1/0", "F": "0.5",
	}))
	require.Equal(t, 42, r.Int("N", 1))
	require.Equal(t, 250*time.Millisecond, r.Duration("D", time.Second))
	require.True(t, r.Bool("B", false))
	require.Equal(t, []string{"a", "b", "c"}, r.List("L", nil))
	require.Equal(t, "redis://h:1/0", r.URL("U", "", "redis"))
	require.InDelta(t, 0.5, r.Float("F", 0), 1e-9)
	require.Equal(t, "dflt", r.String("MISSING", "dflt"))
	require.NoError(t, r.Err())
}

func TestReaderReportsEveryErrorTogether(t *testing.T) {
	r := config.New(env(map[string]string{
		"N": "forty", "D": "-1s", "B": "maybe", "U": "not a url", "E": "x",
	}))
	r.Int("N", 1)
	r.Duration("D", time.Second)
	r.Bool("B", false)
	r.URL("U", "", "redis")
	r.Required("REQ")
	r.OneOf("E", "a", "a", "b")
	r.IntRange("R", 5, 10, 20)
	err := r.Err()
	require.Error(t, err)
	for _, key := range []string{"N:", "D:", "B:", "U:", "REQ:", "E:", "R:"} {
		require.Contains(t, err.Error(), key)
	}
}

func TestReadCommonDefaultsAndPodName(t *testing.T) {
	r := config.New(env(map[string]string{"POD_NAME": "booking-7f9c"}))
	c := config.ReadCommon(r, "booking", ":9090")
	require.NoError(t, r.Err())
	require.Equal(t, "booking-7f9c", c.Instance)
	require.Equal(t, "booking", c.Service)
	require.Equal(t, ":9090", c.OpsAddr)
	require.Equal(t, "info", c.LogLevel)
	require.Equal(t, "askpro", c.Namespace)
}

func TestClaimMinIdleIsBounded(t *testing.T) {
	r := config.New(env(nil))
	require.Equal(t, 5*time.Second, config.ReadCommon(r, "booking", "").ClaimMinIdle)
	require.NoError(t, r.Err())
	r = config.New(env(map[string]string{"RPC_CLAIM_MIN_IDLE": "3s"}))
	require.Equal(t, 3*time.Second, config.ReadCommon(r, "booking", "").ClaimMinIdle)
	require.NoError(t, r.Err())
	for _, bad := range []string{"100ms", "2m", "soon"} {
		r = config.New(env(map[string]string{"RPC_CLAIM_MIN_IDLE": bad}))
		config.ReadCommon(r, "booking", "")
		require.ErrorContains(t, r.Err(), "RPC_CLAIM_MIN_IDLE", bad)
	}
}
