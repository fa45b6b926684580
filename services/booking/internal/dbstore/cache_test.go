package dbstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCatalogueCache(t *testing.T) {
	tests := []struct {
		name  string
		ttl   time.Duration
		loads int
	}{
		{"cached", time.Minute, 1},
		{"disabled", 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(tc.ttl)
			loads := 0
			load := func(context.Context) (string, error) { loads++; return "v", nil }
			for range 3 {
				v, err := get(t.Context(), c, "k", load)
				require.NoError(t, err)
				require.Equal(t, "v", v)
			}
			require.Equal(t, tc.loads, loads)
		})
	}
	c := newCache(time.Minute)
	_, err := get(t.Context(), c, "e", func(context.Context) (int, error) { return 0, errors.New("down") })
	require.Error(t, err)
	v, err := get(t.Context(), c, "e", func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	require.Equal(t, 7, v, "errors are not cached")
}
