package rpc_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"
)

// metricSum adds up every series of a counter or gauge family in reg.
func metricSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// pendingCount is the number of entries of stream pending in group.
func pendingCount(rdb *redis.Client, stream, group string) int64 {
	p, err := rdb.XPending(context.Background(), stream, group).Result()
	if err != nil {
		return -1
	}
	return p.Count
}

// groupLag is the number of entries of stream that group has not read yet (-1 when unknown).
func groupLag(rdb *redis.Client, stream, group string) int64 {
	groups, err := rdb.XInfoGroups(context.Background(), stream).Result()
	if err != nil {
		return -1
	}
	for _, g := range groups {
		if g.Name == group {
			return g.Lag
		}
	}
	return -1
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	require.NoError(t, err)
	return b
}

func mustUnmarshal(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, msgpack.Unmarshal(b, &v))
	return v
}

func hasMetric(t *testing.T, reg *prometheus.Registry, name string) bool {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() == name {
			return true
		}
	}
	return false
}
