package handler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

// KeyLookup is the database service's method that decrypts a company's Cal.com API key.
type KeyLookup interface {
	CalcomAPIKey(ctx context.Context, p database.CompanyParams, opts ...rpc.CallOption) (database.CalcomAPIKeyResult, error)
}

// DatabaseKeys reads each company's key from the database service, which stores it encrypted,
// and keeps it in memory for ttl so a burst of calls costs one lookup.
type DatabaseKeys struct {
	db  KeyLookup
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	key     string
	expires time.Time
}

// NewDatabaseKeys builds a DatabaseKeys; now may be nil.
func NewDatabaseKeys(db KeyLookup, ttl time.Duration, now func() time.Time) *DatabaseKeys {
	if now == nil {
		now = time.Now
	}
	return &DatabaseKeys{db: db, ttl: ttl, now: now, keys: map[string]cachedKey{}}
}

// APIKey implements Keys.
func (k *DatabaseKeys) APIKey(ctx context.Context, companyID string) (string, error) {
	k.mu.Lock()
	c, ok := k.keys[companyID]
	k.mu.Unlock()
	if ok && k.now().Before(c.expires) {
		return c.key, nil
	}
	res, err := k.db.CalcomAPIKey(ctx, database.CompanyParams{CompanyID: companyID})
	if errors.Is(err, rpc.ErrNotFound) || (err == nil && res.APIKey == "") {
		return "", fmt.Errorf("company %s: %w", companyID, ErrNoAPIKey)
	}
	if err != nil {
		return "", fmt.Errorf("look up cal.com key: %w", err)
	}
	k.mu.Lock()
	k.keys[companyID] = cachedKey{key: res.APIKey, expires: k.now().Add(k.ttl)}
	k.mu.Unlock()
	return res.APIKey, nil
}

// Forget drops companyID's cached key, so the next call reads it again (after a rotation).
func (k *DatabaseKeys) Forget(companyID string) {
	k.mu.Lock()
	delete(k.keys, companyID)
	k.mu.Unlock()
}

// EventTypeStore is what the calcom service reads and writes of the database service's
// catalogue: the upsert of syncEventTypes, and the company, its event types and their Cal.com
// limits for syncEventTypeLimits.
type EventTypeStore interface {
	UpsertEventType(ctx context.Context, p database.UpsertEventTypeParams, opts ...rpc.CallOption) (database.EventType, error)
	Company(ctx context.Context, p database.CompanyParams, opts ...rpc.CallOption) (database.Company, error)
	EventTypes(ctx context.Context, p database.CatalogueParams, opts ...rpc.CallOption) (database.EventTypeList, error)
	SetCalcomLimits(ctx context.Context, p database.SetCalcomLimitsParams, opts ...rpc.CallOption) (database.EventType, error)
}
