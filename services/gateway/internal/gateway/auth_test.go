package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

const (
	validKey = "ak_live_5a1on000000000000000000000000000000000000000000000000000000000"
	listCall = `{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{}}`
)

// authEnv is the gateway's /rpc on the real bus and Redis, with a database service that knows
// one key and counts every key lookup that reached it.
type authEnv struct {
	srv        *gateway.Server
	auth       *gateway.Authenticator
	limitClock *testClock // the failure limiter's clock
	authClock  *testClock // the key caches' clock
	reg        *prometheus.Registry

	mu      sync.Mutex
	lookups int
}

func newAuthEnv(t *testing.T, limits gateway.FailureLimits) *authEnv {
	t.Helper()
	env := testenv.Redis(t)
	e := &authEnv{limitClock: newTestClock(), authClock: newTestClock(), reg: prometheus.NewRegistry()}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, dbapi.Service, "db-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, dbapi.MethodCompaniesByAPIKeyDigest, func(_ context.Context, p dbapi.ByAPIKeyDigestParams) (dbapi.Company, error) {
			e.mu.Lock()
			e.lookups++
			e.mu.Unlock()
			if p.DigestHex != digest(validKey) {
				return dbapi.Company{}, rpc.ErrNotFound
			}
			return dbapi.Company{ID: "company-salon", Active: true}, nil
		})
		rpc.Register(s, dbapi.MethodBranchesList, func(context.Context, dbapi.CompanyParams) (dbapi.BranchList, error) {
			return dbapi.BranchList{}, nil
		})
	})
	bus := rpctest.NewClient(t, env, "gateway-0", nil)
	failures, err := gateway.NewFailureLimiter(env.Client, env.Prefix, limits, e.limitClock.Now)
	require.NoError(t, err)
	tenantLimits := ratelimit.PerMinute(100_000, 10_000)
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, limits3(tenantLimits))
	require.NoError(t, err)
	e.auth = gateway.NewAuthenticator(bus, time.Minute, gateway.WithFailureLimiter(failures),
		gateway.WithNegativeCache(100, 10*time.Second), gateway.WithAuthClock(e.authClock.Now))
	e.srv = gateway.NewServer(gateway.Options{Limiter: limiter, Bus: bus, Auth: e.auth, Logger: zerolog.Nop(), Registry: e.reg})
	return e
}

func limits3(l ratelimit.Limit) gateway.RateLimits { return limits(l, l, l) }

func (e *authEnv) lookupCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lookups
}

// post sends listCall with key from the client at ip.
func post(srv http.Handler, ip, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/rpc", strings.NewReader(listCall))
	req.RemoteAddr = ip + ":40000"
	if key != "" {
		req.Header.Set(gateway.APIKeyHeader, key)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func badKey(i int) string { return fmt.Sprintf("ak_live_%056x", i) }

type errorBody struct {
	JSONRPC string `json:"jsonrpc"`
	Error   struct {
		Code int `json:"code"`
		Data struct {
			Budget     string `json:"budget"`
			RetryAfter int    `json:"retry_after_seconds"`
		} `json:"data"`
	} `json:"error"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var b errorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b), rec.Body.String())
	require.Equal(t, "2.0", b.JSONRPC)
	return b
}

func TestAuthFloodFromOneAddressIsLimited(t *testing.T) {
	e := newAuthEnv(t, gateway.FailureLimits{
		Address: ratelimit.PerMinute(60, 10),          // one failure a second, bursts of 10
		Prefix:  ratelimit.PerMinute(100_000, 10_000), // out of the way: every key has its own prefix here
	})
	const attacker, neighbour = "198.51.100.7", "198.51.100.8"
	require.Equal(t, http.StatusOK, post(e.srv, attacker, validKey).Code, "the tenant's key is cached first")
	require.Equal(t, 1, e.lookupCount())

	for i := range 10 {
		rec := post(e.srv, attacker, badKey(i))
		require.Equal(t, http.StatusUnauthorized, rec.Code, "failure %d is within the burst", i)
		require.Equal(t, rpc.CodeUnauthorized, decodeError(t, rec).Error.Code)
	}
	require.Equal(t, 11, e.lookupCount())
	for i := 10; i < 200; i++ {
		rec := post(e.srv, attacker, badKey(i))
		require.Equal(t, http.StatusTooManyRequests, rec.Code, "failure %d is past the burst", i)
		require.Equal(t, "1", rec.Header().Get("Retry-After"), "one failure refills in a second")
		b := decodeError(t, rec)
		require.Equal(t, rpc.CodeRateLimited, b.Error.Code)
		require.Equal(t, "auth_address", b.Error.Data.Budget)
		require.Equal(t, 1, b.Error.Data.RetryAfter)
	}
	require.Equal(t, 11, e.lookupCount(), "a refused request is decided before any lookup")
	require.Equal(t, http.StatusTooManyRequests, post(e.srv, attacker, "").Code, "a missing key spends the same budget")

	require.Equal(t, http.StatusOK, post(e.srv, attacker, validKey).Code, "a cached key is never refused")
	e.authClock.Advance(2 * time.Minute) // the cached entry expires; the digest stays known
	require.Equal(t, http.StatusOK, post(e.srv, attacker, validKey).Code, "a known key's refresh is never refused")
	require.Equal(t, 12, e.lookupCount(), "the refresh looked the key up again")

	require.Equal(t, http.StatusUnauthorized, post(e.srv, neighbour, badKey(1000)).Code, "another address has its own budget")
	e.limitClock.Advance(time.Second)
	require.Equal(t, http.StatusUnauthorized, post(e.srv, attacker, badKey(1001)).Code, "one failure refilled")
	require.Equal(t, http.StatusTooManyRequests, post(e.srv, attacker, badKey(1002)).Code)

	require.InDelta(t, 12, counter(t, e.reg, "askpro_gateway_auth_failures_total"), 0)
	require.InDelta(t, 192, counter(t, e.reg, "askpro_gateway_auth_limited_total"), 0)
}

// counter sums every series of the counter name in reg.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func TestAuthFailuresPerKeyPrefix(t *testing.T) {
	e := newAuthEnv(t, gateway.FailureLimits{
		Address: ratelimit.PerMinute(100_000, 10_000),
		Prefix:  ratelimit.PerMinute(30, 5),
	})
	// Guesses at one key's shown prefix, each from its own address.
	guess := func(i int) string { return validKey[:gateway.KeyPrefixLen] + fmt.Sprintf("%060x", i) }
	for i := range 5 {
		require.Equal(t, http.StatusUnauthorized, post(e.srv, fmt.Sprintf("203.0.113.%d", i), guess(i)).Code)
	}
	rec := post(e.srv, "203.0.113.99", guess(99))
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Equal(t, "2", rec.Header().Get("Retry-After"), "30 a minute: one every 2 s")
	require.Equal(t, "auth_key_prefix", decodeError(t, rec).Error.Data.Budget)
	require.Equal(t, 5, e.lookupCount())
	require.Equal(t, http.StatusUnauthorized, post(e.srv, "203.0.113.99", badKey(1)).Code, "another prefix has its own budget")
	// A key this gateway has not seen yet is a guess like any other until its prefix refills:
	// the limit is decided before the lookup. Once known, it is never refused.
	require.Equal(t, http.StatusTooManyRequests, post(e.srv, "203.0.113.99", validKey).Code)
	e.limitClock.Advance(2 * time.Second)
	require.Equal(t, http.StatusOK, post(e.srv, "203.0.113.99", validKey).Code, "charged, found, and given back")
	require.Equal(t, http.StatusUnauthorized, post(e.srv, "203.0.113.99", guess(100)).Code, "the refund left the refilled failure")
	require.Equal(t, http.StatusTooManyRequests, post(e.srv, "203.0.113.99", guess(101)).Code)
	require.Equal(t, http.StatusOK, post(e.srv, "203.0.113.99", validKey).Code, "a known key is never refused")
}

// countingBus answers companies.byApiKeyDigest from memory and counts lookups by digest.
type countingBus struct {
	mu      sync.Mutex
	valid   map[string]string // digest → company id
	lookups map[string]int
	total   int
}

func (b *countingBus) Call(_ context.Context, _, method string, params, result any, _ ...rpc.CallOption) error {
	if method != dbapi.MethodCompaniesByAPIKeyDigest {
		return nil // database.branches.list: an empty list
	}
	d := params.(dbapi.ByAPIKeyDigestParams).DigestHex
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lookups[d]++
	b.total++
	id, ok := b.valid[d]
	if !ok {
		return rpc.ErrNotFound
	}
	*result.(*dbapi.Company) = dbapi.Company{ID: id, Active: true}
	return nil
}

func (b *countingBus) count(d string) (one, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lookups[d], b.total
}

func TestAuthCacheBoundedUnderFlood(t *testing.T) {
	env := testenv.Redis(t)
	bus := &countingBus{valid: map[string]string{digest(validKey): "company-salon"}, lookups: map[string]int{}}
	clock := newTestClock()
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, limits3(ratelimit.PerMinute(100_000, 10_000)))
	require.NoError(t, err)
	auth := gateway.NewAuthenticator(bus, time.Minute, gateway.WithKeyCacheSize(100),
		gateway.WithNegativeCache(50, 10*time.Second), gateway.WithAuthClock(clock.Now))
	srv := gateway.NewServer(gateway.Options{Limiter: limiter, Bus: bus, Auth: auth, Logger: zerolog.Nop()})

	require.Equal(t, http.StatusOK, post(srv, "192.0.2.1", validKey).Code)
	const flood = 20_000
	for i := range flood {
		require.Equal(t, http.StatusUnauthorized, post(srv, "192.0.2.2", badKey(i)).Code)
		valid, negative := auth.CacheLen()
		if valid > 1 || negative > 50 {
			t.Fatalf("after %d bad keys the caches hold %d valid and %d unknown entries", i+1, valid, negative)
		}
	}
	require.Equal(t, http.StatusOK, post(srv, "192.0.2.1", validKey).Code)
	one, total := bus.count(digest(validKey))
	require.Equal(t, 1, one, "the flood did not evict the valid key")
	require.Equal(t, flood+1, total)

	for range 100 {
		require.Equal(t, http.StatusUnauthorized, post(srv, "192.0.2.2", badKey(flood-1)).Code)
	}
	one, _ = bus.count(digest(badKey(flood - 1)))
	require.Equal(t, 1, one, "a repeated bad key is answered from the negative cache")
	clock.Advance(11 * time.Second)
	require.Equal(t, http.StatusUnauthorized, post(srv, "192.0.2.2", badKey(flood-1)).Code)
	one, _ = bus.count(digest(badKey(flood - 1)))
	require.Equal(t, 2, one, "a negative entry expires after its TTL")
}
