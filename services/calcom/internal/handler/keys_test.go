package handler

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

type countingLookup struct{ calls int }

func (c *countingLookup) CalcomAPIKey(_ context.Context, p database.CompanyParams, _ ...rpc.CallOption) (database.CalcomAPIKeyResult, error) {
	c.calls++
	if p.CompanyID == "none" {
		return database.CalcomAPIKeyResult{}, rpc.ErrNotFound
	}
	return database.CalcomAPIKeyResult{APIKey: "cal_" + p.CompanyID}, nil
}

func TestDatabaseKeysCacheAndForget(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	db := &countingLookup{}
	keys := NewDatabaseKeys(db, time.Minute, func() time.Time { return now })
	for range 3 {
		k, err := keys.APIKey(t.Context(), "c1")
		require.NoError(t, err)
		require.Equal(t, "cal_c1", k)
	}
	require.Equal(t, 1, db.calls)
	now = now.Add(2 * time.Minute)
	_, err := keys.APIKey(t.Context(), "c1")
	require.NoError(t, err)
	require.Equal(t, 2, db.calls, "expired")
	keys.Forget("c1")
	_, err = keys.APIKey(t.Context(), "c1")
	require.NoError(t, err)
	require.Equal(t, 3, db.calls, "forgotten")
	_, err = keys.APIKey(t.Context(), "none")
	require.ErrorIs(t, err, ErrNoAPIKey)
}
