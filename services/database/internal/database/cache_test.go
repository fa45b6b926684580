package database

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/testenv"
)

// Two replicas share Redis; a write through one is seen by the other, L1 included.
func TestCacheInvalidationReachesEveryReplica(t *testing.T) {
	url := testenv.PostgresURL(t)
	r := testenv.Redis(t)
	ctx := t.Context()
	replica := func() (*Store, *Cache) {
		c := NewCache(r.Client, CacheOptions{Namespace: r.Prefix + "askpro", L1TTL: time.Hour, Logger: zerolog.Nop()})
		s, err := New(ctx, Options{WriteURL: url, Cipher: testCipher(t, "v1:"+testKeyV1), Cache: c, Logger: zerolog.Nop()})
		require.NoError(t, err)
		t.Cleanup(s.Close)
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = c.Listen(lctx) }()
		t.Cleanup(func() { cancel(); <-done })
		return s, c
	}
	one, _ := replica()
	two, twoCache := replica()
	tn := newTenant(t, one, "Salon")

	list, err := two.EventTypes(ctx, tn.company.ID, "")
	require.NoError(t, err)
	require.Len(t, list, 1)
	byPhone, err := two.BranchByPhone(ctx, "", tn.branch.PhoneNumber)
	require.NoError(t, err)
	require.Equal(t, tn.branch.ID, byPhone.ID)
	_, hit := twoCache.lookup(ctx, tn.company.ID, "event_types:")
	require.True(t, hit)

	_, err = one.UpsertEventType(ctx, api.EventType{CompanyID: tn.company.ID, CalcomEventTypeID: 43,
		Name: "Damenschnitt", DurationMinutes: 45, Active: true})
	require.NoError(t, err)
	moved := tn.branch
	moved.PhoneNumber = "+4940123456789"
	_, err = one.UpsertBranch(ctx, moved)
	require.NoError(t, err)

	// The two invalidations are separate messages that replica two applies one after the other,
	// so each one is waited for.
	testenv.Eventually(t, 30*time.Second, func() bool {
		l, err := two.EventTypes(ctx, tn.company.ID, "")
		return err == nil && len(l) == 2
	}, "replica two still serves the old catalogue")
	testenv.Eventually(t, 30*time.Second, func() bool {
		_, err := two.BranchByPhone(ctx, "", tn.branch.PhoneNumber)
		return errors.Is(err, ErrNotFound)
	}, "replica two still resolves the old number")
	got, err := two.BranchByPhone(ctx, "", moved.PhoneNumber)
	require.NoError(t, err)
	require.Equal(t, tn.branch.ID, got.ID)
}

func TestCachedReadsMatchTheDatabase(t *testing.T) {
	cachedEnv := newEnv(t, true)
	tn := newTenant(t, cachedEnv.store, "Salon")
	ctx := t.Context()
	for range 2 { // a miss, then a hit
		c, err := cachedEnv.store.CompanyByAPIKeyDigest(ctx, tn.apiKeyHex)
		require.NoError(t, err)
		require.NotEmpty(t, c.APIKeyID, "the matching key's id")
		c.APIKeyID = ""
		require.Equal(t, tn.company, c)
		st, err := cachedEnv.store.StaffByName(ctx, tn.company.ID, tn.branch.ID, " STEFFI ")
		require.NoError(t, err)
		require.Len(t, st, 1)
		require.Equal(t, []string{tn.service.ID}, st[0].EventTypeIDs)
		et, err := cachedEnv.store.EventTypesByName(ctx, tn.company.ID, tn.branch.ID, "Haare schneiden")
		require.NoError(t, err)
		require.Len(t, et, 1)
	}
	_, err := cachedEnv.store.CompanyByAPIKeyDigest(ctx, "00"+tn.apiKeyHex[2:])
	require.ErrorIs(t, err, ErrNotFound)
	key, err := cachedEnv.store.CalcomAPIKey(ctx, tn.company.ID)
	require.NoError(t, err)
	require.Equal(t, "cal_live_secret", key)
}

// A value loaded before a write committed is served once but never cached over the write's
// invalidation.
func TestStaleFillIsNotCached(t *testing.T) {
	r := testenv.Redis(t)
	c := NewCache(r.Client, CacheOptions{Namespace: r.Prefix + "askpro", Logger: zerolog.Nop()})
	ctx := t.Context()
	for _, tc := range []struct{ name, tenant, key, inv string }{
		{"tenant entry", "company-1", "staff:", ""},
		{"pre-tenant entry", "", "phone:+4930123456", "phone:+4930123456"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			invalidate := func() {
				if tc.tenant != "" {
					require.NoError(t, c.Invalidate(ctx, tc.tenant))
				} else {
					require.NoError(t, c.Invalidate(ctx, "", tc.inv))
				}
			}
			v, err := cached(ctx, c, tc.tenant, tc.key, func(context.Context) (string, error) {
				invalidate() // a write commits while this read is loading
				return "old", nil
			})
			require.NoError(t, err)
			require.Equal(t, "old", v)
			_, hit := c.lookup(ctx, tc.tenant, tc.key)
			require.False(t, hit, "the stale value was not cached")

			v, err = cached(ctx, c, tc.tenant, tc.key, func(context.Context) (string, error) { return "new", nil })
			require.NoError(t, err)
			require.Equal(t, "new", v)
			raw, hit := c.lookup(ctx, tc.tenant, tc.key)
			require.True(t, hit)
			require.JSONEq(t, `"new"`, string(raw))
		})
	}
}
