package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// keyDB is a database service on the bus whose keys and tenants a test revokes and deactivates;
// publish sends the auth.changed the database's outbox relay would.
type keyDB struct {
	mu       sync.Mutex
	keys     map[string]dbapi.Company // digest → tenant and key id
	revoked  map[string]bool
	inactive map[string]bool
	lookups  int
	pub      *rpc.Client
}

func (d *keyDB) byDigest(_ context.Context, p dbapi.ByAPIKeyDigestParams) (dbapi.Company, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lookups++
	c, ok := d.keys[p.DigestHex]
	if !ok || d.revoked[p.DigestHex] || d.inactive[c.ID] {
		return dbapi.Company{}, rpc.ErrNotFound
	}
	return c, nil
}

func (d *keyDB) revoke(t *testing.T, key string) {
	t.Helper()
	d.mu.Lock()
	d.revoked[digest(key)] = true
	c := d.keys[digest(key)]
	d.mu.Unlock()
	require.NoError(t, d.pub.Publish(t.Context(), dbapi.TopicAuthChanged,
		dbapi.AuthChangedEvent{CompanyID: c.ID, KeyDigests: []string{digest(key)}, Revoked: true}))
}

func (d *keyDB) deactivate(t *testing.T, companyID string, digests ...string) {
	t.Helper()
	d.mu.Lock()
	d.inactive[companyID] = true
	d.mu.Unlock()
	require.NoError(t, d.pub.Publish(t.Context(), dbapi.TopicAuthChanged,
		dbapi.AuthChangedEvent{CompanyID: companyID, KeyDigests: digests, Revoked: true, Tenant: true}))
}

// replica is one gateway: its own bus client, key caches and event subscription.
type replica struct {
	srv   *gateway.Server
	clock *testClock
}

// newReplicas starts the key database and n gateway replicas on one Redis.
func newReplicas(t *testing.T, n int, keys map[string]dbapi.Company) (*keyDB, []replica) {
	t.Helper()
	env := testenv.Redis(t)
	db := &keyDB{keys: map[string]dbapi.Company{}, revoked: map[string]bool{}, inactive: map[string]bool{},
		pub: rpctest.NewClient(t, env, "database-relay", nil)}
	for k, c := range keys {
		db.keys[digest(k)] = c
	}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, dbapi.Service, "db-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, dbapi.MethodCompaniesByAPIKeyDigest, db.byDigest)
		rpc.Register(s, dbapi.MethodBranchesList, func(context.Context, dbapi.CompanyParams) (dbapi.BranchList, error) {
			return dbapi.BranchList{}, nil
		})
	})
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, limits3(ratelimit.PerMinute(100_000, 10_000)))
	require.NoError(t, err)
	var out []replica
	for i := range n {
		instance := "gateway-" + string(rune('0'+i))
		bus := rpctest.NewClient(t, env, instance, nil)
		clk := newTestClock()
		auth := gateway.NewAuthenticator(bus, time.Minute, gateway.WithAuthClock(clk.Now))
		rpctest.StartServer(t, env, rpctest.ServerConfig(env, "gateway", instance), nil, auth.Subscribe)
		out = append(out, replica{clock: clk, srv: gateway.NewServer(gateway.Options{Limiter: limiter, Bus: bus,
			Auth: auth, Logger: zerolog.Nop(), Registry: prometheus.NewRegistry()})})
	}
	return db, out
}

// refusedWithin waits, up to 1 s, until every replica answers key with 401, and returns how
// long that took.
func refusedWithin(t *testing.T, replicas []replica, key string) time.Duration {
	t.Helper()
	start := time.Now()
	testenv.Eventually(t, time.Second, func() bool {
		for _, r := range replicas {
			if post(r.srv, "203.0.113.9", key).Code != http.StatusUnauthorized {
				return false
			}
		}
		return true
	}, "every replica refuses the key within 1 s")
	return time.Since(start)
}

const (
	keyCRM    = "ak_live_c7m0000000000000000000000000000000000000000000000000000000000"
	keyZapier = "ak_live_2ap1e70000000000000000000000000000000000000000000000000000000"
	keyOther  = "ak_live_07he70000000000000000000000000000000000000000000000000000000"
)

// A revoked key and a deactivated tenant are refused by every replica within a second of the
// event, although each had the key cached for a minute; other keys go on working.
func TestRevocationReachesEveryReplicaWithinASecond(t *testing.T) {
	t.Parallel()
	db, replicas := newReplicas(t, 2, map[string]dbapi.Company{
		keyCRM:    {ID: "company-salon", Active: true, APIKeyID: "key-crm"},
		keyZapier: {ID: "company-salon", Active: true, APIKeyID: "key-zapier"},
		keyOther:  {ID: "company-other", Active: true, APIKeyID: "key-other"},
	})
	for _, r := range replicas {
		for _, k := range []string{keyCRM, keyZapier, keyOther} {
			require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", k).Code)
		}
	}
	db.mu.Lock()
	cachedLookups := db.lookups
	db.mu.Unlock()
	require.Equal(t, 6, cachedLookups, "each replica looked each key up once")

	db.revoke(t, keyCRM)
	took := refusedWithin(t, replicas, keyCRM)
	t.Logf("key revoked on %d replicas in %s", len(replicas), took)
	for _, r := range replicas {
		require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyZapier).Code, "the tenant's other key")
	}

	// The tenant's deactivation names no digests here: the replicas drop every cached key of it.
	db.deactivate(t, "company-salon")
	took = refusedWithin(t, replicas, keyZapier)
	t.Logf("tenant deactivated on %d replicas in %s", len(replicas), took)
	for _, r := range replicas {
		require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyOther).Code, "another tenant")
	}
}

// A lookup that returns after the revocation's event, with the database's stale answer, does
// not put the key back: the replica remembers the revoked digest.
func TestRevokedKeyIsNotCachedAgainFromAStaleAnswer(t *testing.T) {
	t.Parallel()
	db, replicas := newReplicas(t, 1, map[string]dbapi.Company{keyCRM: {ID: "company-salon", Active: true, APIKeyID: "key-crm"}})
	r := replicas[0]
	require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyCRM).Code)
	// The event arrives, but the database (its cache) still says the key is valid.
	require.NoError(t, db.pub.Publish(t.Context(), dbapi.TopicAuthChanged,
		dbapi.AuthChangedEvent{CompanyID: "company-salon", KeyDigests: []string{digest(keyCRM)}, Revoked: true}))
	refusedWithin(t, replicas, keyCRM)
	r.clock.Advance(2 * time.Minute) // past AUTH_CACHE_TTL: the next request asks the database
	assert.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyCRM).Code,
		"once the revocation is older than the cache lifetime, the database decides again")
}

// Without the event (a replica cut off from the bus) a revoked key still stops working when its
// cache entry expires, after AUTH_CACHE_TTL.
func TestRevocationWithoutTheEventByCacheLifetime(t *testing.T) {
	t.Parallel()
	db, replicas := newReplicas(t, 1, map[string]dbapi.Company{keyCRM: {ID: "company-salon", Active: true, APIKeyID: "key-crm"}})
	r := replicas[0]
	require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyCRM).Code)
	db.mu.Lock()
	db.revoked[digest(keyCRM)] = true // revoked, but no event published
	db.mu.Unlock()
	r.clock.Advance(59 * time.Second)
	require.Equal(t, http.StatusOK, post(r.srv, "203.0.113.9", keyCRM).Code, "still cached")
	r.clock.Advance(2 * time.Second)
	require.Equal(t, http.StatusUnauthorized, post(r.srv, "203.0.113.9", keyCRM).Code, "expired, looked up again, refused")
}

// A key created (or a tenant activated) after its digest was cached as unknown works at once.
func TestCreatedKeyWorksAtOnce(t *testing.T) {
	t.Parallel()
	db, replicas := newReplicas(t, 2, nil)
	for _, r := range replicas {
		require.Equal(t, http.StatusUnauthorized, post(r.srv, "203.0.113.9", keyCRM).Code)
	}
	db.mu.Lock()
	db.keys[digest(keyCRM)] = dbapi.Company{ID: "company-salon", Active: true, APIKeyID: "key-crm"}
	db.mu.Unlock()
	require.NoError(t, db.pub.Publish(t.Context(), dbapi.TopicAuthChanged,
		dbapi.AuthChangedEvent{CompanyID: "company-salon", KeyDigests: []string{digest(keyCRM)}}))
	testenv.Eventually(t, time.Second, func() bool {
		for _, r := range replicas {
			if post(r.srv, "203.0.113.9", keyCRM).Code != http.StatusOK {
				return false
			}
		}
		return true
	}, "every replica admits the new key within 1 s")
}
