package gateway_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	dbapi "github.com/askproai/backend/pkg/api/database"
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
}

func newRPCEnv(t *testing.T, burst int) *rpcEnv {
	t.Helper()
	env := testenv.Redis(t)
	tenants := map[string]string{digest("key-salon"): "company-salon", digest("key-clinic"): "company-clinic"}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, dbapi.Service, "db-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, dbapi.MethodCompaniesByAPIKeyDigest, func(_ context.Context, p dbapi.ByAPIKeyDigestParams) (dbapi.Company, error) {
			id, ok := tenants[p.DigestHex]
			if !ok {
				return dbapi.Company{}, rpc.ErrNotFound
			}
			return dbapi.Company{ID: id, Active: true}, nil
		})
	})
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, bookingapi.Service, "booking-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, bookingapi.MethodCheckAvailability, func(ctx context.Context, p bookingapi.AvailabilityParams) (bookingapi.AvailabilityResult, error) {
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
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, 600, burst, gateway.WithRateLimitClock(clock.Now))
	require.NoError(t, err)
	v, err := retell.NewVerifier([]string{testKey}, time.Now)
	require.NoError(t, err)
	return &rpcEnv{clock: clock, srv: gateway.NewServer(gateway.Options{
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
		Code    int    `json:"code"`
		Message string `json:"message"`
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
	require.JSONEq(t, `{"code":"unknown_api_key","error":"missing or unknown API key"}`, rec.Body.String())
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
	require.JSONEq(t, `{"code":"rate_limited","error":"rate limit exceeded"}`, rec.Body.String())
	// Another tenant is not affected.
	require.Equal(t, http.StatusOK, e.do(t, "key-clinic", call).Code)
	// One emission interval later the salon may send one more request, and only one.
	e.clock.Advance(100 * time.Millisecond)
	require.Equal(t, http.StatusOK, e.do(t, "key-salon", call).Code)
	require.Equal(t, http.StatusTooManyRequests, e.do(t, "key-salon", call).Code)
}

func TestRPCOversizedBody(t *testing.T) {
	e := newRPCEnv(t, 100)
	big := `{"jsonrpc":"2.0","id":1,"method":"booking.checkAvailability","params":{"staff_id":"` + strings.Repeat("x", gateway.MaxRPCBody) + `"}}`
	require.Equal(t, http.StatusRequestEntityTooLarge, e.do(t, "key-salon", big).Code)
}
