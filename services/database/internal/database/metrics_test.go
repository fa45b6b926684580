package database

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

func TestMetricsCountCacheLayersAndOutbox(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	require.NoError(t, err)
	_, err = NewMetrics(reg)
	require.NoError(t, err, "registering twice is harmless")

	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	r := testenv.Redis(t)
	c := NewCache(r.Client, CacheOptions{Namespace: r.Prefix + "askpro", Metrics: m, Logger: zerolog.Nop()})
	s, err := New(t.Context(), Options{WriteURL: e.url, Cipher: e.store.cipher, Cache: c, Metrics: m, Logger: zerolog.Nop()})
	require.NoError(t, err)
	defer s.Close()
	for range 3 {
		_, err := s.EventTypes(t.Context(), tn.company.ID, "")
		require.NoError(t, err)
	}
	require.InDelta(t, 1, testutil.ToFloat64(m.cache.WithLabelValues("database")), 0)
	require.InDelta(t, 2, testutil.ToFloat64(m.cache.WithLabelValues("l1")), 0)

	relay := NewRelay(e.store.WritePool(), &recorder{}, RelayOptions{Metrics: m, Logger: zerolog.Nop()})
	n, err := relay.RelayOnce(t.Context())
	require.NoError(t, err)
	require.Positive(t, n)
	require.InDelta(t, float64(n), testutil.ToFloat64(m.published), 0)
	require.Zero(t, testutil.ToFloat64(m.oldestUnset))
}
