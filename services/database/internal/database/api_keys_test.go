package database

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/testenv"
)

func testKey(t *testing.T) (digest []byte, digestHex, prefix string) {
	t.Helper()
	key := "ak_test_" + testenv.RandomSuffix()
	sum := sha256.Sum256([]byte(key))
	return sum[:], hex.EncodeToString(sum[:]), key[:12]
}

// authEvents reads the auth.changed payloads in the outbox, oldest first.
func authEvents(t *testing.T, e *env, companyID string) []api.AuthChangedEvent {
	t.Helper()
	rows, err := e.pool.Query(t.Context(), `SELECT payload FROM outbox WHERE company_id = $1 AND topic = $2 ORDER BY id`,
		companyID, api.TopicAuthChanged)
	require.NoError(t, err)
	defer rows.Close()
	var out []api.AuthChangedEvent
	for rows.Next() {
		var ev api.AuthChangedEvent
		require.NoError(t, rows.Scan(&ev))
		out = append(out, ev)
	}
	require.NoError(t, rows.Err())
	return out
}

func auditActions(t *testing.T, e *env, companyID string) []string {
	t.Helper()
	rows, err := e.pool.Query(t.Context(), `SELECT action FROM audit_log
WHERE company_id = $1 AND (action LIKE 'api_key.%' OR action LIKE 'company.%') ORDER BY id`, companyID)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		out = append(out, a)
	}
	return out
}

// Several named keys per tenant; a revoked key and a deactivated tenant no longer resolve,
// also through the cache; each change is audited and queues auth.changed with the digests.
func TestAPIKeysCreateRevokeDeactivate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := t.Context()
	a := newTenant(t, e.store, "A")
	id := a.company.ID

	c, err := e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.NoError(t, err)
	require.NotEmpty(t, c.APIKeyID, "the matching key's id comes along")

	digest, digestHex, prefix := testKey(t)
	k, err := e.store.CreateAPIKey(ctx, id, "zapier", digest, prefix)
	require.NoError(t, err)
	assert.Equal(t, "zapier", k.Name)
	assert.Equal(t, prefix, k.Prefix)
	c, err = e.store.CompanyByAPIKeyDigest(ctx, digestHex)
	require.NoError(t, err)
	assert.Equal(t, k.ID, c.APIKeyID)

	d2, _, p2 := testKey(t)
	_, err = e.store.CreateAPIKey(ctx, id, "zapier", d2, p2)
	require.ErrorIs(t, err, ErrValidation, "a live key of that name exists")
	_, err = e.store.CreateAPIKey(ctx, id, "", d2, p2)
	require.ErrorIs(t, err, ErrValidation)

	_, err = e.store.RevokeAPIKey(ctx, id, KeySelector{Name: "nope"})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = e.store.RevokeAPIKey(ctx, id, KeySelector{})
	require.ErrorIs(t, err, ErrValidation)
	b := newTenant(t, e.store, "B")
	_, err = e.store.RevokeAPIKey(ctx, b.company.ID, KeySelector{Name: "zapier"})
	require.ErrorIs(t, err, ErrNotFound, "another tenant's key")

	r, err := e.store.RevokeAPIKey(ctx, id, KeySelector{Prefix: prefix})
	require.NoError(t, err)
	require.NotNil(t, r.RevokedAt)
	_, err = e.store.CompanyByAPIKeyDigest(ctx, digestHex)
	require.ErrorIs(t, err, ErrNotFound, "the revoked key, although its lookup was cached")
	_, err = e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.NoError(t, err, "the tenant's other key still works")
	_, err = e.store.CreateAPIKey(ctx, id, "zapier", d2, p2)
	require.NoError(t, err, "a revoked key's name is free again")

	keys, err := e.store.APIKeys(ctx, id)
	require.NoError(t, err)
	require.Len(t, keys, 3)
	assert.Equal(t, []string{DefaultKeyName, "zapier", "zapier"}, []string{keys[0].Name, keys[1].Name, keys[2].Name})
	assert.NotNil(t, keys[1].RevokedAt)

	changed, err := e.store.SetCompanyActive(ctx, id, false)
	require.NoError(t, err)
	require.True(t, changed)
	_, err = e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.ErrorIs(t, err, ErrNotFound, "a deactivated tenant's key")
	changed, err = e.store.SetCompanyActive(ctx, id, false)
	require.NoError(t, err)
	require.False(t, changed, "already inactive: nothing to do")
	_, err = e.store.SetCompanyActive(ctx, "00000000-0000-0000-0000-000000000000", false)
	require.ErrorIs(t, err, ErrNotFound)
	changed, err = e.store.SetCompanyActive(ctx, id, true)
	require.NoError(t, err)
	require.True(t, changed)
	_, err = e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.NoError(t, err)

	evs := authEvents(t, e, id)
	require.Len(t, evs, 5)
	assert.Equal(t, api.AuthChangedEvent{CompanyID: id, KeyDigests: []string{digestHex}}, evs[0], "created")
	assert.Equal(t, api.AuthChangedEvent{CompanyID: id, KeyDigests: []string{digestHex}, Revoked: true}, evs[1], "revoked")
	assert.True(t, evs[3].Revoked && evs[3].Tenant, "deactivated")
	assert.ElementsMatch(t, []string{a.apiKeyHex, hex.EncodeToString(d2)}, evs[3].KeyDigests)
	assert.True(t, !evs[4].Revoked && evs[4].Tenant, "activated")
	assert.Equal(t, []string{"api_key.created", "company.created", "api_key.created", "api_key.revoked",
		"api_key.created", "company.deactivated", "company.activated"}, auditActions(t, e, id))
}

// Rotation revokes the default key and creates a new one; keys of other names stay.
func TestRotateAPIKeyRevokesTheDefaultKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := t.Context()
	a := newTenant(t, e.store, "A")
	other, otherHex, otherPrefix := testKey(t)
	_, err := e.store.CreateAPIKey(ctx, a.company.ID, "crm", other, otherPrefix)
	require.NoError(t, err)
	_, err = e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex) // cached
	require.NoError(t, err)

	digest, digestHex, prefix := testKey(t)
	c, err := e.store.RotateAPIKey(ctx, a.company.ID, digest, prefix)
	require.NoError(t, err)
	assert.Equal(t, prefix, c.APIKeyPrefix)
	_, err = e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.ErrorIs(t, err, ErrNotFound, "the old default key")
	for _, d := range []string{digestHex, otherHex} {
		_, err = e.store.CompanyByAPIKeyDigest(ctx, d)
		require.NoError(t, err)
	}
	evs := authEvents(t, e, a.company.ID)
	require.Len(t, evs, 3)
	assert.Equal(t, api.AuthChangedEvent{CompanyID: a.company.ID, KeyDigests: []string{a.apiKeyHex}, Revoked: true}, evs[1])
}

// last_used_at is written by a lookup, in the background, and at most once a minute.
func TestAPIKeyLastUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ctx := t.Context()
	a := newTenant(t, e.store, "A")
	lastUsed := func() *time.Time {
		var ts *time.Time
		require.NoError(t, e.pool.QueryRow(ctx, `SELECT last_used_at FROM api_keys WHERE company_id = $1`, a.company.ID).Scan(&ts))
		return ts
	}
	require.Nil(t, lastUsed())
	_, err := e.store.CompanyByAPIKeyDigest(ctx, a.apiKeyHex)
	require.NoError(t, err)
	testenv.Eventually(t, 10*time.Second, func() bool { return lastUsed() != nil })
	first := *lastUsed()
	// A second writer (another replica) within the minute changes nothing.
	tag, err := e.pool.Exec(ctx, sqlAPIKeyTouch, mustKeyID(t, e, a.company.ID))
	require.NoError(t, err)
	assert.Zero(t, tag.RowsAffected())
	assert.Equal(t, first, *lastUsed())
}

func mustKeyID(t *testing.T, e *env, companyID string) string {
	t.Helper()
	var id string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT id::text FROM api_keys WHERE company_id = $1`, companyID).Scan(&id))
	return id
}
