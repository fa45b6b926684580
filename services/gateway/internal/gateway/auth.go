package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

// APIKeyHeader carries a tenant's API key on /rpc.
const APIKeyHeader = "X-API-Key"

// ErrUnknownKey means no active tenant has the presented key.
var ErrUnknownKey = errors.New("unknown API key")

// Bus is the part of rpc.Client the gateway uses; *rpc.Client satisfies it.
type Bus interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Authenticator resolves an API key to its tenant by the key's SHA-256 digest, the only form in
// which keys are stored. Keys are random and high-entropy, so a fast digest is safe, and a
// per-request bcrypt would cost tens of milliseconds. Results, negative ones included, are
// cached briefly so a flood of bad keys does not reach the database service.
type Authenticator struct {
	bus Bus
	ttl time.Duration

	mu    sync.Mutex
	cache map[string]authEntry
}

type authEntry struct {
	companyID string
	err       error
	expires   time.Time
}

// NewAuthenticator caches lookups for ttl.
func NewAuthenticator(bus Bus, ttl time.Duration) *Authenticator {
	return &Authenticator{bus: bus, ttl: ttl, cache: map[string]authEntry{}}
}

// Tenant returns the company id of key.
func (a *Authenticator) Tenant(ctx context.Context, key string) (string, error) {
	if key == "" || len(key) > 256 {
		return "", ErrUnknownKey
	}
	sum := sha256.Sum256([]byte(key))
	digest := hex.EncodeToString(sum[:])
	now := time.Now()
	a.mu.Lock()
	e, ok := a.cache[digest]
	a.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.companyID, e.err
	}
	var company dbapi.Company
	err := a.bus.Call(ctx, dbapi.Service, dbapi.MethodCompaniesByAPIKeyDigest, dbapi.ByAPIKeyDigestParams{DigestHex: digest}, &company)
	switch {
	case errors.Is(err, rpc.ErrNotFound) || err == nil && !company.Active:
		e = authEntry{err: ErrUnknownKey, expires: now.Add(a.ttl)}
	case err != nil:
		return "", fmt.Errorf("look up API key: %w", err) // not cached: the next request retries
	default:
		e = authEntry{companyID: company.ID, expires: now.Add(a.ttl)}
	}
	a.mu.Lock()
	if len(a.cache) > 10000 {
		a.cache = map[string]authEntry{}
	}
	a.cache[digest] = e
	a.mu.Unlock()
	return e.companyID, e.err
}
