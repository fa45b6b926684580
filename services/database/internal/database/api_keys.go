package database

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

// A tenant's API keys (migrations/00017). Every change commits an audit row and an auth.changed
// event in one transaction; the relay publishes the event and every gateway replica drops (or
// admits) the keys at once. Operator writes: the askpro CLI calls them, no JSON-RPC method does.

// DefaultKeyName names the key created with a tenant, the one `tenant apply --rotate-key` rotates.
const DefaultKeyName = "default"

// keyTouchInterval: a key's last_used_at is written at most this often.
const keyTouchInterval = time.Minute

const (
	apiKeyColumns   = `id::text, company_id::text, name, prefix, created_at, last_used_at, revoked_at, encode(digest, 'hex')`
	sqlAPIKeyInsert = `INSERT INTO api_keys (company_id, name, digest, prefix) VALUES ($1, $2, $3, $4)
RETURNING ` + apiKeyColumns
	sqlAPIKeyList = `SELECT ` + apiKeyColumns + ` FROM api_keys WHERE company_id = $1
ORDER BY created_at, id`
	// The live keys a revocation names, locked until it commits.
	sqlAPIKeysToRevoke = `SELECT ` + apiKeyColumns + ` FROM api_keys
WHERE company_id = $1 AND revoked_at IS NULL AND (name = $2 OR prefix = $3) ORDER BY created_at, id FOR UPDATE`
	sqlAPIKeyRevoke = `UPDATE api_keys SET revoked_at = now() WHERE id = ANY($1) AND revoked_at IS NULL
RETURNING ` + apiKeyColumns
	sqlLiveKeyDigests   = `SELECT encode(digest, 'hex') FROM api_keys WHERE company_id = $1 AND revoked_at IS NULL`
	sqlCompanySetActive = `UPDATE companies SET active = $2, updated_at = now() WHERE id = $1 AND active <> $2`
	sqlCompanyExists    = `SELECT true FROM companies WHERE id = $1 FOR UPDATE`
	// Written at most once a minute whatever the number of replicas: the condition is the guard.
	sqlAPIKeyTouch = `UPDATE api_keys SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`
)

// KeySelector names the keys of one tenant to revoke: by Name, or by Prefix.
type KeySelector struct {
	Name   string
	Prefix string
}

func digestCacheKey(digestHex string) string { return "digest:" + digestHex }

type storedKey struct {
	api.APIKey
	digest string // hex
}

func scanAPIKey(row pgx.Row) (storedKey, error) {
	var k storedKey
	err := row.Scan(&k.ID, &k.CompanyID, &k.Name, &k.Prefix, &k.CreatedAt, &k.LastUsedAt, &k.RevokedAt, &k.digest)
	return k, err
}

func collectKeys(rows pgx.Rows, err error) ([]storedKey, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedKey, error) { return scanAPIKey(r) })
}

func insertAPIKey(ctx context.Context, tx pgx.Tx, companyID, name string, digest []byte, prefix string) (storedKey, error) {
	if len(digest) != 32 || len(prefix) < 4 || len(prefix) > 16 {
		return storedKey{}, invalid("an API key needs a SHA-256 digest and a prefix of 4 to 16 characters")
	}
	k, err := scanAPIKey(tx.QueryRow(ctx, sqlAPIKeyInsert, companyID, name, digest, prefix))
	if err != nil {
		if sqlState(err) == codeUniqueViolation {
			return storedKey{}, invalid("the tenant has a live API key named %q; revoke it or choose another name", name)
		}
		return storedKey{}, fmt.Errorf("insert api key: %w", classify(err))
	}
	if err := audit(ctx, tx, companyID, "api_key.created", "api_key", k.ID,
		map[string]any{"name": k.Name, "prefix": k.Prefix}); err != nil {
		return storedKey{}, err
	}
	return k, nil
}

// authChanged queues auth.changed in tx.
func authChanged(ctx context.Context, tx pgx.Tx, ev api.AuthChangedEvent) error {
	return enqueue(ctx, tx, ev.CompanyID, "company", ev.CompanyID, api.TopicAuthChanged, ev)
}

func checkKeyName(name string) error {
	if name == "" || len(name) > 100 {
		return invalid("a key name of 1 to 100 characters is required")
	}
	return nil
}

// CreateAPIKey adds a named key to a tenant. digest is the key's SHA-256, prefix its first
// characters; the key itself is never stored.
func (s *Store) CreateAPIKey(ctx context.Context, companyID, name string, digest []byte, prefix string) (api.APIKey, error) {
	if err := checkIDs(companyID); err != nil {
		return api.APIKey{}, err
	}
	if err := checkKeyName(name); err != nil {
		return api.APIKey{}, err
	}
	var k storedKey
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCompany(ctx, tx, companyID); err != nil {
			return err
		}
		var err error
		if k, err = insertAPIKey(ctx, tx, companyID, name, digest, prefix); err != nil {
			return err
		}
		return authChanged(ctx, tx, api.AuthChangedEvent{CompanyID: companyID, KeyDigests: []string{k.digest}})
	})
	if err != nil {
		return api.APIKey{}, fmt.Errorf("create api key of %s: %w", companyID, classify(err))
	}
	return k.APIKey, nil
}

// APIKeys lists a tenant's keys, revoked ones too, oldest first.
func (s *Store) APIKeys(ctx context.Context, companyID string) ([]api.APIKey, error) {
	if err := checkIDs(companyID); err != nil {
		return nil, err
	}
	keys, err := collectKeys(s.write.Query(ctx, sqlAPIKeyList, companyID))
	if err != nil {
		return nil, fmt.Errorf("list api keys of %s: %w", companyID, classify(err))
	}
	out := make([]api.APIKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.APIKey)
	}
	return out, nil
}

// RevokeAPIKey revokes the tenant's live key named by sel. It answers ErrNotFound when no live
// key matches, and refuses a prefix that matches more than one.
func (s *Store) RevokeAPIKey(ctx context.Context, companyID string, sel KeySelector) (api.APIKey, error) {
	if err := checkIDs(companyID); err != nil {
		return api.APIKey{}, err
	}
	if (sel.Name == "") == (sel.Prefix == "") {
		return api.APIKey{}, invalid("name either a key's name or its prefix")
	}
	var revoked []storedKey
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		keys, err := collectKeys(tx.Query(ctx, sqlAPIKeysToRevoke, companyID, nullIfEmpty(sel.Name), nullIfEmpty(sel.Prefix)))
		switch {
		case err != nil:
			return fmt.Errorf("find key: %w", err)
		case len(keys) == 0:
			return ErrNotFound
		case len(keys) > 1:
			return invalid("prefix %q matches %d live keys; name the key", sel.Prefix, len(keys))
		}
		revoked, err = s.revokeKeys(ctx, tx, companyID, keys)
		return err
	})
	if err != nil {
		return api.APIKey{}, fmt.Errorf("revoke api key of %s: %w", companyID, classify(err))
	}
	return revoked[0].APIKey, s.dropDigests(ctx, revoked)
}

// revokeKeys revokes keys in tx, audits each and queues one auth.changed for them.
func (s *Store) revokeKeys(ctx context.Context, tx pgx.Tx, companyID string, keys []storedKey) ([]storedKey, error) {
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	revoked, err := collectKeys(tx.Query(ctx, sqlAPIKeyRevoke, ids))
	if err != nil {
		return nil, fmt.Errorf("revoke keys: %w", err)
	}
	ev := api.AuthChangedEvent{CompanyID: companyID, Revoked: true}
	for _, k := range revoked {
		ev.KeyDigests = append(ev.KeyDigests, k.digest)
		if err := audit(ctx, tx, companyID, "api_key.revoked", "api_key", k.ID,
			map[string]any{"name": k.Name, "prefix": k.Prefix}); err != nil {
			return nil, err
		}
	}
	return revoked, authChanged(ctx, tx, ev)
}

// RotateAPIKey replaces the tenant's "default" key: the new key is created and every live key of
// that name revoked, in one transaction. Keys of other names stay.
func (s *Store) RotateAPIKey(ctx context.Context, companyID string, digest []byte, prefix string) (api.Company, error) {
	if err := checkIDs(companyID); err != nil {
		return api.Company{}, err
	}
	var revoked []storedKey
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCompany(ctx, tx, companyID); err != nil {
			return err
		}
		old, err := collectKeys(tx.Query(ctx, sqlAPIKeysToRevoke, companyID, DefaultKeyName, nil))
		if err != nil {
			return fmt.Errorf("find default key: %w", err)
		}
		if len(old) > 0 {
			if revoked, err = s.revokeKeys(ctx, tx, companyID, old); err != nil {
				return err
			}
		}
		k, err := insertAPIKey(ctx, tx, companyID, DefaultKeyName, digest, prefix)
		if err != nil {
			return err
		}
		if err := authChanged(ctx, tx, api.AuthChangedEvent{CompanyID: companyID, KeyDigests: []string{k.digest}}); err != nil {
			return err
		}
		return audit(ctx, tx, companyID, "company.api_key_rotated", "company", companyID, nil)
	})
	if err != nil {
		return api.Company{}, fmt.Errorf("rotate api key of %s: %w", companyID, classify(err))
	}
	if err := s.dropDigests(ctx, revoked); err != nil {
		return api.Company{}, err
	}
	return s.Company(ctx, companyID)
}

// SetCompanyActive deactivates (active false) or activates a tenant. A deactivated tenant's
// keys stop authenticating at once; activation lets its live keys work again. Setting the
// state a tenant has changes nothing and publishes nothing.
func (s *Store) SetCompanyActive(ctx context.Context, companyID string, active bool) (changed bool, err error) {
	if err := checkIDs(companyID); err != nil {
		return false, err
	}
	var digests []string
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlCompanySetActive, companyID, active)
		if err != nil {
			return fmt.Errorf("set active: %w", err)
		}
		if changed = tag.RowsAffected() == 1; !changed {
			return lockCompany(ctx, tx, companyID) // not found, or already so
		}
		rows, err := tx.Query(ctx, sqlLiveKeyDigests, companyID)
		if err != nil {
			return fmt.Errorf("live keys: %w", err)
		}
		if digests, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("live keys: %w", err)
		}
		action := "company.activated"
		if !active {
			action = "company.deactivated"
		}
		if err := audit(ctx, tx, companyID, action, "company", companyID, nil); err != nil {
			return err
		}
		return authChanged(ctx, tx, api.AuthChangedEvent{CompanyID: companyID, KeyDigests: digests,
			Revoked: !active, Tenant: true})
	})
	if err != nil {
		return false, fmt.Errorf("set tenant %s active=%t: %w", companyID, active, classify(err))
	}
	keys := make([]string, 0, len(digests))
	for _, d := range digests {
		keys = append(keys, digestCacheKey(d))
	}
	return changed, s.cache.Invalidate(ctx, companyID, keys...)
}

func lockCompany(ctx context.Context, tx pgx.Tx, companyID string) error {
	var ok bool
	if err := tx.QueryRow(ctx, sqlCompanyExists, companyID).Scan(&ok); err != nil {
		return fmt.Errorf("load company: %w", classify(err))
	}
	return nil
}

// dropDigests drops the cached lookups of revoked keys.
func (s *Store) dropDigests(ctx context.Context, keys []storedKey) error {
	if len(keys) == 0 {
		return nil
	}
	cacheKeys := make([]string, 0, len(keys))
	for _, k := range keys {
		cacheKeys = append(cacheKeys, digestCacheKey(k.digest))
	}
	return s.cache.Invalidate(ctx, keys[0].CompanyID, cacheKeys...)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// keyTouches remembers when this process last wrote a key's last_used_at, so that a busy key
// costs one UPDATE a minute per replica at most, and none on the lookup's own path.
type keyTouches struct {
	mu   sync.Mutex
	last map[string]time.Time
	wg   sync.WaitGroup
}

// keyUsed notes, in the background, that key id was used. The UPDATE's own condition keeps
// the write to once a minute across replicas; the map spares the round trip within one.
func (s *Store) keyUsed(id string) {
	if id == "" {
		return
	}
	now := time.Now()
	t := &s.touches
	t.mu.Lock()
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	if last, ok := t.last[id]; ok && now.Sub(last) < keyTouchInterval {
		t.mu.Unlock()
		return
	}
	if len(t.last) > 100_000 { // bounded: forgetting only costs a conditional UPDATE
		clear(t.last)
	}
	t.last[id] = now
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := s.write.Exec(ctx, sqlAPIKeyTouch, id); err != nil {
			s.log.Warn().Err(err).Str("api_key_id", id).Msg("api_key_touch_failed")
		}
	}()
}
