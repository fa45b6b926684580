package gateway_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

func digest(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

// rpcEnv runs the gateway against the real bus, with the database and booking services
// answered by handlers registered here.
type rpcEnv struct {
	srv   *gateway.Server
	clock *testClock // the rate limiter's clock
	calls *callCounter
}

// callCounter counts the calls that reached the services behind the bus, by method.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[method]++
}

func (c *callCounter) get(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[method]
}

// newRPCEnv limits each tenant to 600 calls a minute with the given burst, for reads too, and
// to 30 Cal.com writes a minute with bursts of 10.
func newRPCEnv(t *testing.T, burst int) *rpcEnv {
	t.Helper()
	return newRPCEnvWith(t, limits(ratelimit.PerMinute(600, burst), ratelimit.PerMinute(600, burst), ratelimit.PerMinute(30, 10)))
}

func newRPCEnvWith(t *testing.T, lim gateway.RateLimits) *rpcEnv {
	t.Helper()
	env := testenv.Redis(t)
	calls := &callCounter{n: map[string]int{}}
	tenants := map[string]string{digest("key-salon"): "company-salon", digest("key-clinic"): "company-clinic"}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, dbapi.Service, "db-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, dbapi.MethodCompaniesByAPIKeyDigest, func(_ context.Context, p dbapi.ByAPIKeyDigestParams) (dbapi.Company, error) {
			id, ok := tenants[p.DigestHex]
			if !ok {
				return dbapi.Company{}, rpc.ErrNotFound
			}
			return dbapi.Company{ID: id, Active: true}, nil
		})
		rpc.Register(s, dbapi.MethodBranchesList, func(_ context.Context, p dbapi.CompanyParams) (dbapi.BranchList, error) {
			calls.add(dbapi.MethodBranchesList)
			return dbapi.BranchList{}, nil
		})
	})
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, bookingapi.Service, "booking-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, bookingapi.MethodCreate, func(_ context.Context, p bookingapi.CreateParams) (bookingapi.CreateResult, error) {
			calls.add(bookingapi.MethodCreate)
			return bookingapi.CreateResult{Message: "gebucht"}, nil
		})
		rpc.Register(s, bookingapi.MethodCheckAvailability, func(ctx context.Context, p bookingapi.AvailabilityParams) (bookingapi.AvailabilityResult, error) {
			calls.add(bookingapi.MethodCheckAvailability)
			tenant, _ := rpc.TenantFrom(ctx)
			if tenant != p.CompanyID {
				return bookingapi.AvailabilityResult{}, rpc.NewError(rpc.CodeUnauthorized, "tenant mismatch", nil)
			}
			if p.EventTypeID == "missing" {
				return bookingapi.AvailabilityResult{}, rpc.ErrNotFound
			}
			return bookingapi.AvailabilityResult{Message: p.CompanyID + "@" + p.At.UTC().Format(time.RFC3339)}, nil
		})
	})
	bus := rpctest.NewClient(t, env, "gateway-0", nil)
	clock := newTestClock()
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, lim, gateway.WithRateLimitClock(clock.Now))
	require.NoError(t, err)
	v, err := retell.NewVerifier([]string{testKey}, time.Now)
	require.NoError(t, err)
	return &rpcEnv{clock: clock, calls: calls, srv: gateway.NewServer(gateway.Options{
		Verifier: v, Limiter: limiter, Bus: bus, Auth: gateway.NewAuthenticator(bus, time.Minute),
		Inbox: gateway.NewInbox(env.Client, bus.Publish, env.Prefix, time.Hour), Logger: zerolog.Nop(),
	})}
}

func (e *rpcEnv) do(t *testing.T, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/rpc", strings.NewReader(body))
	if key != "" {
		req.Header.Set(gateway.APIKeyHeader, key)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	} `json:"error"`
	ID json.RawMessage `json:"id"`
}

func decodeReply(t *testing.T, rec *httptest.ResponseRecorder) rpcReply {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var r rpcReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	return r
}

func TestRPCAuthenticatesByKeyDigest(t *testing.T) {
	e := newRPCEnv(t, 100)
	call := `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"event_type_id":"e1"}}`
	require.Equal(t, http.StatusUnauthorized, e.do(t, "", call).Code)
	rec := e.do(t, "key-unknown", call)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.JSONEq(t, `{"jsonrpc":"2.0","id":null,"error":{"code":-32004,"message":"missing or unknown API key",
		"data":{"field":"X-API-Key","reason":"no active tenant has this key"}}}`, rec.Body.String())
	r := decodeReply(t, e.do(t, "key-salon", call))
	require.Nil(t, r.Error)
	require.Contains(t, string(r.Result), "company-salon@")
}

func TestRPCForcesTheKeysTenant(t *testing.T) {
	e := newRPCEnv(t, 100)
	// The caller claims to be the clinic; the key says salon. The key wins, in the params and
	// in the envelope.
	call := `{"jsonrpc":"2.0","id":"a","method":"booking.checkAvailability","params":{"company_id":"company-clinic","at":"2026-12-01T13:30:00Z"}}`
	r := decodeReply(t, e.do(t, "key-salon", call))
	require.Nil(t, r.Error)
	require.JSONEq(t, `"a"`, string(r.ID))
	require.Contains(t, string(r.Result), "company-salon@2026-12-01T13:30:00Z")
}

func TestRPCSpecErrors(t *testing.T) {
	e := newRPCEnv(t, 100)
	cases := []struct {
		name, body string
		code       int
	}{
		{"parse error", `{"jsonrpc":"2.0",`, rpc.CodeParseError},
		{"not 2.0", `{"jsonrpc":"1.0","id":1,"method":"booking.checkAvailability"}`, rpc.CodeInvalidRequest},
		{"object id", `{"jsonrpc":"2.0","id":{},"method":"booking.checkAvailability"}`, rpc.CodeInvalidRequest},
		{"not allowlisted", `{"jsonrpc":"2.0","id":1,"method":"database.calls.save","params":{}}`, rpc.CodeMethodNotFound},
		{"unknown field", `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"sql":"DROP TABLE"}}`, rpc.CodeInvalidParams},
		{"wrong type", `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"at":"morgen"}}`, rpc.CodeInvalidParams},
		{"service error passes through", `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"event_type_id":"missing"}}`, rpc.CodeNotFound},
		{"empty batch", `[]`, rpc.CodeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := decodeReply(t, e.do(t, "key-salon", tc.body))
			require.NotNil(t, r.Error, "%s", tc.body)
			require.Equal(t, tc.code, r.Error.Code)
		})
	}
}

func TestRPCBatchAndNotification(t *testing.T) {
	e := newRPCEnv(t, 100)
	batch := `[
	 {"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{}},
	 {"jsonrpc":"2.0","method":"booking.checkAvailability","params":{}},
	 {"jsonrpc":"2.0","id":2,"method":"nope.nope"}
	]`
	rec := e.do(t, "key-clinic", batch)
	require.Equal(t, http.StatusOK, rec.Code)
	var out []rpcReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Len(t, out, 2, "the notification gets no reply")
	require.Contains(t, string(out[0].Result), "company-clinic@")
	require.Equal(t, rpc.CodeMethodNotFound, out[1].Error.Code)

	rec = e.do(t, "key-clinic", `{"jsonrpc":"2.0","method":"booking.checkAvailability","params":{}}`)
	require.Equal(t, http.StatusNoContent, rec.Code)
}

func TestRPCRateLimitPerTenant(t *testing.T) {
	e := newRPCEnv(t, 3)
	call := `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{}}`
	for range 3 {
		require.Equal(t, http.StatusOK, e.do(t, "key-salon", call).Code)
	}
	rec := e.do(t, "key-salon", call)
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	// 600/min is one request per 100 ms; Retry-After rounds up to whole seconds.
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.Equal(t, "0", rec.Header().Get("X-RateLimit-Remaining"))
	require.JSONEq(t, `{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"rate limit exceeded",
	  "data":{"budget":"read","retry_after_seconds":1}}}`, rec.Body.String())
	// Another tenant is not affected.
	require.Equal(t, http.StatusOK, e.do(t, "key-clinic", call).Code)
	// One emission interval later the salon may send one more request, and only one.
	e.clock.Advance(100 * time.Millisecond)
	require.Equal(t, http.StatusOK, e.do(t, "key-salon", call).Code)
	require.Equal(t, http.StatusTooManyRequests, e.do(t, "key-salon", call).Code)
	require.Equal(t, 5, e.calls.get(bookingapi.MethodCheckAvailability), "refused requests reached nothing")
}

// batchOf is a batch of n calls of method with ids 1..n.
func batchOf(n int, method, params string) string {
	calls := make([]string, n)
	for i := range calls {
		calls[i] = `{"jsonrpc":"2.0","id":` + strconv.Itoa(i+1) + `,"method":"` + method + `","params":` + params + `}`
	}
	return "[" + strings.Join(calls, ",") + "]"
}

func TestRPCBatchIsChargedEachCall(t *testing.T) {
	e := newRPCEnv(t, 60)
	batch := batchOf(50, "database.branches.list", `{}`)
	rec := e.do(t, "key-salon", batch)
	require.Equal(t, http.StatusOK, rec.Code)
	var out []rpcReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Len(t, out, 50)
	require.Equal(t, "10", rec.Header().Get("X-RateLimit-Remaining"))
	require.Equal(t, "60", rec.Header().Get("X-RateLimit-Limit"))

	// The next five batches of 50 are refused whole: 10 calls are left, not 50.
	for i := range 5 {
		rec = e.do(t, "key-salon", batch)
		require.Equal(t, http.StatusTooManyRequests, rec.Code, "batch %d", i+2)
		// 40 calls more than the budget holds, at 100 ms each.
		require.Equal(t, "4", rec.Header().Get("Retry-After"))
		require.Equal(t, "10", rec.Header().Get("X-RateLimit-Remaining"), "a refused batch is charged nothing")
		var r rpcReply
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), "one JSON-RPC error for the whole batch")
		require.Equal(t, rpc.CodeRateLimited, r.Error.Code)
		require.JSONEq(t, `null`, string(r.ID))
	}
	require.Equal(t, 50, e.calls.get(dbapi.MethodBranchesList), "only the first batch reached the database service")

	// Retry-After counts down on the limiter's clock and is rounded up to whole seconds.
	e.clock.Advance(3900 * time.Millisecond)
	rec = e.do(t, "key-salon", batch)
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"), "100 ms rounds up to 1 s")
	e.clock.Advance(100 * time.Millisecond)
	rec = e.do(t, "key-salon", batch)
	require.Equal(t, http.StatusOK, rec.Code, "after Retry-After the batch passes")
	require.Equal(t, "0", rec.Header().Get("X-RateLimit-Remaining"))
	require.Equal(t, 100, e.calls.get(dbapi.MethodBranchesList))
}

func TestRPCBatchLargerThanTheBurstIsInvalid(t *testing.T) {
	e := newRPCEnv(t, 20)
	r := decodeReply(t, e.do(t, "key-salon", batchOf(21, "database.branches.list", `{}`)))
	require.Equal(t, rpc.CodeInvalidRequest, r.Error.Code)
	require.Equal(t, "batch holds 21 total calls, more than that rate limit's burst of 20; send at most 20 at once", r.Error.Message)

	creates := batchOf(11, "booking.create", `{"start":"2026-12-08T10:00:00Z"}`)
	rec := e.do(t, "key-salon", creates)
	require.Empty(t, rec.Header().Get("Retry-After"), "retrying cannot help")
	r = decodeReply(t, rec)
	require.Equal(t, rpc.CodeInvalidRequest, r.Error.Code)
	require.Contains(t, r.Error.Message, "11 calcom_write calls")
	require.Zero(t, e.calls.get(dbapi.MethodBranchesList)+e.calls.get(bookingapi.MethodCreate), "nothing ran")

	rec = e.do(t, "key-salon", batchOf(20, "database.branches.list", `{}`))
	require.Equal(t, http.StatusOK, rec.Code, "the refused batches cost nothing")
}

func TestRPCCalcomWritesHaveTheirOwnBudget(t *testing.T) {
	e := newRPCEnvWith(t, limits(ratelimit.PerMinute(600, 40), ratelimit.PerMinute(600, 40), ratelimit.PerMinute(30, 10)))
	create := `{"jsonrpc":"2.0","id":"c","method":"booking.create","params":{"start":"2026-12-08T10:00:00Z"}}`
	rec := e.do(t, "key-salon", batchOf(10, "booking.create", `{"start":"2026-12-08T10:00:00Z"}`))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "calcom_write", rec.Header().Get("X-RateLimit-Budget"))
	require.Equal(t, "0", rec.Header().Get("X-RateLimit-Remaining"))
	require.Equal(t, 10, e.calls.get(bookingapi.MethodCreate))

	rec = e.do(t, "key-salon", create)
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Equal(t, "2", rec.Header().Get("Retry-After"), "30 writes a minute: one every 2 s")
	require.JSONEq(t, `{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"rate limit exceeded",
	  "data":{"budget":"calcom_write","retry_after_seconds":2}}}`, rec.Body.String())
	mixed := `[{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{}},` + create + `]`
	require.Equal(t, http.StatusTooManyRequests, e.do(t, "key-salon", mixed).Code, "a batch with one write waits too")
	require.Equal(t, 10, e.calls.get(bookingapi.MethodCreate))
	require.Zero(t, e.calls.get(dbapi.MethodBranchesList))

	// Reads go on: the total has 30 left, and the refused writes were not charged to it.
	rec = e.do(t, "key-salon", batchOf(30, "database.branches.list", `{}`))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "total", rec.Header().Get("X-RateLimit-Budget"))
	require.Equal(t, "0", rec.Header().Get("X-RateLimit-Remaining"))

	// The other tenant's writes are its own.
	require.Nil(t, decodeReply(t, e.do(t, "key-clinic", create)).Error)

	e.clock.Advance(2 * time.Second)
	r := decodeReply(t, e.do(t, "key-salon", create))
	require.Nil(t, r.Error)
	require.Equal(t, 12, e.calls.get(bookingapi.MethodCreate))
}

func TestRPCOversizedBody(t *testing.T) {
	e := newRPCEnv(t, 100)
	big := `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"staff_id":"` + strings.Repeat("x", gateway.MaxRPCBody) + `"}}`
	require.Equal(t, http.StatusRequestEntityTooLarge, e.do(t, "key-salon", big).Code)
}
