package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
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
//
// Revocation does not wait for AUTH_CACHE_TTL: the database publishes auth.changed when a key
// is revoked or a tenant deactivated, every replica reads it (Subscribe) and drops the keys at
// once. The revoked digests are also remembered for a while, so that a lookup that was already
// under way when the event arrived, or a stale answer from the database's own cache, cannot put
// the key back. If the event is missed (the replica was cut off from Redis), the entry still
// expires after AUTH_CACHE_TTL and the next lookup finds the key revoked.
type Authenticator struct {
	bus         Bus
	ttl         time.Duration
	negativeTTL time.Duration
	valid       *lru.Cache[string, validEntry]
	negative    *lru.Cache[string, time.Time] // digest → expiry
	revoked     *lru.Cache[string, time.Time] // digest → expiry, from auth.changed
	limiter     *FailureLimiter
	now         func() time.Time
	validSize   int
	negSize     int
	// mu orders a lookup's "not revoked? then cache it" against an event's "revoke, then drop".
	mu sync.Mutex
}

type validEntry struct {
	Principal
	expires time.Time
}

// Principal is who an API key authenticates: the tenant and the key's id (api_keys.id).
type Principal struct {
	CompanyID string
	// KeyID is the key's id, or "" when the database did not say (a service older than
	// api_keys): the caller then names the key by its digest (KeyID(key)).
	KeyID string
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
	a.revoked, _ = lru.New[string, time.Time](a.validSize)
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
	p, err := a.Identify(ctx, key, addr)
	return p.CompanyID, err
}

// Identify is Authenticate with the key's id.
func (a *Authenticator) Identify(ctx context.Context, key, addr string) (Principal, error) {
	if key == "" || len(key) > 256 {
		return Principal{}, a.charge(ctx, key, addr, false)
	}
	sum := sha256.Sum256([]byte(key))
	digest := hex.EncodeToString(sum[:])
	now := a.now()
	if e, ok := a.valid.Get(digest); ok {
		if now.Before(e.expires) {
			return e.Principal, nil
		}
		return a.refresh(ctx, digest)
	}
	if err := a.charge(ctx, key, addr, true); !errors.Is(err, ErrUnknownKey) {
		return Principal{}, err
	}
	if a.isRevoked(digest, now) {
		return Principal{}, ErrUnknownKey
	}
	if exp, ok := a.negative.Get(digest); ok && now.Before(exp) {
		return Principal{}, ErrUnknownKey
	}
	p, err := a.lookup(ctx, digest)
	if err == nil || !errors.Is(err, ErrUnknownKey) {
		a.refund(ctx, key, addr) // not a failure of the client's: give the charge back
	}
	return p, err
}

func (a *Authenticator) isRevoked(digest string, now time.Time) bool {
	exp, ok := a.revoked.Get(digest)
	return ok && now.Before(exp)
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
func (a *Authenticator) refresh(ctx context.Context, digest string) (Principal, error) {
	p, err := a.lookup(ctx, digest)
	if errors.Is(err, ErrUnknownKey) {
		a.valid.Remove(digest)
	}
	return p, err
}

// lookup asks the database service for digest's tenant and caches the answer, unless an
// auth.changed revoked the key meanwhile.
func (a *Authenticator) lookup(ctx context.Context, digest string) (Principal, error) {
	var company dbapi.Company
	err := a.bus.Call(ctx, dbapi.Service, dbapi.MethodCompaniesByAPIKeyDigest, dbapi.ByAPIKeyDigestParams{DigestHex: digest}, &company)
	switch {
	case errors.Is(err, rpc.ErrNotFound) || err == nil && !company.Active:
		a.negative.Add(digest, a.now().Add(a.negativeTTL))
		return Principal{}, ErrUnknownKey
	case err != nil:
		return Principal{}, fmt.Errorf("look up API key: %w", err) // not cached: the next request retries
	}
	p := Principal{CompanyID: company.ID, KeyID: company.APIKeyID}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.isRevoked(digest, a.now()) {
		return Principal{}, ErrUnknownKey
	}
	a.negative.Remove(digest)
	a.valid.Add(digest, validEntry{Principal: p, expires: a.now().Add(a.ttl)})
	return p, nil
}

// Subscribe makes s hand every auth.changed to a (rpc.SubscribeAll: every replica sees every
// event). Call before s runs.
func (a *Authenticator) Subscribe(s *rpc.Server) {
	rpc.SubscribeAll(s, dbapi.TopicAuthChanged, a.OnAuthChanged)
}

// OnAuthChanged applies an auth.changed event to the caches: revoked keys (and, for a
// deactivated tenant, every cached key of it) are dropped and refused from now on; created or
// re-admitted keys are forgotten as unknown, so they work at once.
func (a *Authenticator) OnAuthChanged(ctx context.Context, ev dbapi.AuthChangedEvent) error {
	if !ev.Revoked {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, d := range ev.KeyDigests {
			a.revoked.Remove(d)
			a.negative.Remove(d)
		}
		return nil
	}
	until := a.now().Add(max(a.ttl, a.negativeTTL))
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range ev.KeyDigests {
		a.revoked.Add(d, until)
		a.valid.Remove(d)
	}
	dropped := len(ev.KeyDigests)
	if ev.Tenant && ev.CompanyID != "" {
		// Keys the event may not list (created a moment before): every entry of the tenant.
		for _, d := range a.valid.Keys() {
			if e, ok := a.valid.Peek(d); ok && e.CompanyID == ev.CompanyID {
				a.valid.Remove(d)
				dropped++
			}
		}
	}
	logging.FromContext(ctx).Info().Str("company_id", ev.CompanyID).Int("keys", dropped).
		Bool("tenant", ev.Tenant).Msg("api_keys_revoked")
	return nil
}

// CacheLen reports how many valid keys and unknown digests are cached.
func (a *Authenticator) CacheLen() (valid, negative int) {
	return a.valid.Len(), a.negative.Len()
}
