package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// APIKeyHeader carries a tenant's API key on /rpc.
const APIKeyHeader = "X-API-Key"

// ErrUnknownKey means no active tenant has the presented key.
var ErrUnknownKey = errors.New("unknown API key")

// Default sizes and lifetimes of the key caches (AUTH_CACHE_SIZE, AUTH_NEGATIVE_CACHE_SIZE,
// AUTH_NEGATIVE_CACHE_TTL).
const (
	DefaultKeyCacheSize      = 10_000
	DefaultNegativeCacheSize = 1_000
	DefaultNegativeCacheTTL  = 10 * time.Second
)

// Bus is the part of rpc.Client the gateway uses; *rpc.Client satisfies it.
type Bus interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Authenticator resolves an API key to its tenant by the key's SHA-256 digest, the only form in
// which keys are stored. Keys are random and high-entropy, so a fast digest is safe, and a
// per-request bcrypt would cost tens of milliseconds.
//
// Two bounded LRU caches keep the database service out of the hot path. Valid keys live in
// one, unknown digests in another, smaller one with a short lifetime: a flood of made-up keys
// churns only the negative cache and can never evict a valid tenant's entry. A valid entry
// past AUTH_CACHE_TTL is looked up again, but its digest stays known, so that lookup is never
// refused by the failure limiter: a known key is not slowed by someone else's failures.
type Authenticator struct {
	bus         Bus
	ttl         time.Duration
	negativeTTL time.Duration
	valid       *lru.Cache[string, validEntry]
	negative    *lru.Cache[string, time.Time] // digest → expiry
	limiter     *FailureLimiter
	now         func() time.Time
	validSize   int
	negSize     int
}

type validEntry struct {
	companyID string
	expires   time.Time
}

// AuthOption adjusts an Authenticator.
type AuthOption func(*Authenticator)

// WithKeyCacheSize bounds the cache of valid keys (default DefaultKeyCacheSize).
func WithKeyCacheSize(n int) AuthOption {
	return func(a *Authenticator) { a.validSize = n }
}

// WithNegativeCache bounds the cache of unknown digests and sets how long one is remembered
// (defaults DefaultNegativeCacheSize and DefaultNegativeCacheTTL). A key created after its
// digest was cached as unknown works once ttl has passed.
func WithNegativeCache(size int, ttl time.Duration) AuthOption {
	return func(a *Authenticator) { a.negSize, a.negativeTTL = size, ttl }
}

// WithFailureLimiter charges every failed authentication to the client's address and key
// prefix, and refuses, before any lookup, a client whose budget is spent.
func WithFailureLimiter(l *FailureLimiter) AuthOption {
	return func(a *Authenticator) { a.limiter = l }
}

// WithAuthClock makes the caches read the time from now instead of time.Now.
func WithAuthClock(now func() time.Time) AuthOption {
	return func(a *Authenticator) { a.now = now }
}

// NewAuthenticator caches valid lookups for ttl.
func NewAuthenticator(bus Bus, ttl time.Duration, opts ...AuthOption) *Authenticator {
	a := &Authenticator{bus: bus, ttl: ttl, now: time.Now, validSize: DefaultKeyCacheSize,
		negSize: DefaultNegativeCacheSize, negativeTTL: DefaultNegativeCacheTTL}
	for _, o := range opts {
		o(a)
	}
	a.validSize, a.negSize = max(a.validSize, 1), max(a.negSize, 1)
	// lru.New fails only for a size below 1, which max rules out.
	a.valid, _ = lru.New[string, validEntry](a.validSize)
	a.negative, _ = lru.New[string, time.Time](a.negSize)
	return a
}

// Tenant returns the company id of key, without a client address: only the key prefix's
// failure budget applies.
func (a *Authenticator) Tenant(ctx context.Context, key string) (string, error) {
	return a.Authenticate(ctx, key, "")
}

// Authenticate returns the company id of key presented by the client at addr (an IP address).
// It fails with ErrUnknownKey, with a *LimitedError when the client's failures have spent its
// budget, or with another error when the lookup itself failed (retryable).
func (a *Authenticator) Authenticate(ctx context.Context, key, addr string) (string, error) {
	if key == "" || len(key) > 256 {
		return "", a.charge(ctx, key, addr, false)
	}
	sum := sha256.Sum256([]byte(key))
	digest := hex.EncodeToString(sum[:])
	now := a.now()
	if e, ok := a.valid.Get(digest); ok {
		if now.Before(e.expires) {
			return e.companyID, nil
		}
		return a.refresh(ctx, digest)
	}
	if err := a.charge(ctx, key, addr, true); !errors.Is(err, ErrUnknownKey) {
		return "", err
	}
	if exp, ok := a.negative.Get(digest); ok && now.Before(exp) {
		return "", ErrUnknownKey
	}
	company, err := a.lookup(ctx, digest)
	if err == nil || !errors.Is(err, ErrUnknownKey) {
		a.refund(ctx, key, addr) // not a failure of the client's: give the charge back
	}
	return company, err
}

// charge spends one failure from the client's budgets. It returns ErrUnknownKey when the
// budgets allowed it (the caller goes on), or a *LimitedError when they refused it.
func (a *Authenticator) charge(ctx context.Context, key, addr string, hasPrefix bool) error {
	if a.limiter == nil {
		return ErrUnknownKey
	}
	prefix := ""
	if hasPrefix {
		prefix = KeyPrefix(key)
	}
	lim, err := a.limiter.Charge(ctx, addr, prefix)
	if err != nil {
		// Fail open, as the tenant rate limiter does: a Redis hiccup must not lock every
		// integration out; the lookups that follow still meet the negative cache.
		logging.FromContext(ctx).Warn().Err(err).Msg("auth_failure_limiter_unavailable")
		return ErrUnknownKey
	}
	if lim != nil {
		return lim
	}
	return ErrUnknownKey
}

func (a *Authenticator) refund(ctx context.Context, key, addr string) {
	if a.limiter == nil {
		return
	}
	if err := a.limiter.Refund(ctx, addr, KeyPrefix(key)); err != nil {
		logging.FromContext(ctx).Warn().Err(err).Msg("auth_failure_refund_failed")
	}
}

// refresh looks a known digest up again after its entry expired. It is never limited; a key
// that is no longer valid leaves the valid cache for the negative one.
func (a *Authenticator) refresh(ctx context.Context, digest string) (string, error) {
	company, err := a.lookup(ctx, digest)
	if errors.Is(err, ErrUnknownKey) {
		a.valid.Remove(digest)
	}
	return company, err
}

// lookup asks the database service for digest's tenant and caches the answer.
func (a *Authenticator) lookup(ctx context.Context, digest string) (string, error) {
	var company dbapi.Company
	err := a.bus.Call(ctx, dbapi.Service, dbapi.MethodCompaniesByAPIKeyDigest, dbapi.ByAPIKeyDigestParams{DigestHex: digest}, &company)
	switch {
	case errors.Is(err, rpc.ErrNotFound) || err == nil && !company.Active:
		a.negative.Add(digest, a.now().Add(a.negativeTTL))
		return "", ErrUnknownKey
	case err != nil:
		return "", fmt.Errorf("look up API key: %w", err) // not cached: the next request retries
	}
	a.negative.Remove(digest)
	a.valid.Add(digest, validEntry{companyID: company.ID, expires: a.now().Add(a.ttl)})
	return company.ID, nil
}

// CacheLen reports how many valid keys and unknown digests are cached.
func (a *Authenticator) CacheLen() (valid, negative int) {
	return a.valid.Len(), a.negative.Len()
}
