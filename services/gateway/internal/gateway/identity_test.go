package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/retell"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	callapi "github.com/askproai/backend/pkg/api/call"
	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// identityEnv runs the gateway on the real bus with a booking service that records who each
// cancel arrived as, and a subscriber that records who each webhook event was published as.
type identityEnv struct {
	srv *gateway.Server

	mu       sync.Mutex
	cancels  []rpc.Identity
	webhooks chan rpc.Identity
}

func newIdentityEnv(t *testing.T, trusted string) *identityEnv {
	t.Helper()
	env := testenv.Redis(t)
	e := &identityEnv{webhooks: make(chan rpc.Identity, 8)}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, dbapi.Service, "db-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, dbapi.MethodCompaniesByAPIKeyDigest, func(_ context.Context, p dbapi.ByAPIKeyDigestParams) (dbapi.Company, error) {
			if p.DigestHex != digest("key-salon") {
				return dbapi.Company{}, rpc.ErrNotFound
			}
			return dbapi.Company{ID: "company-salon", Active: true}, nil
		})
	})
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, bookingapi.Service, "booking-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, bookingapi.MethodCancel, func(ctx context.Context, p bookingapi.CancelParams) (bookingapi.CancelResult, error) {
			id, _ := rpc.IdentityFrom(ctx)
			e.mu.Lock()
			e.cancels = append(e.cancels, id)
			e.mu.Unlock()
			return bookingapi.CancelResult{Booking: bookingapi.Booking{ID: "a1", ConfirmationNumber: p.ConfirmationNumber}, Message: "Abgesagt."}, nil
		})
	})
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "call", "call-0"), nil, func(s *rpc.Server) {
		rpc.Subscribe(s, callapi.TopicRetellWebhook, "call", func(ctx context.Context, _ callapi.RetellWebhook) error {
			id, _ := rpc.IdentityFrom(ctx)
			e.webhooks <- id
			return nil
		})
	})
	bus := rpctest.NewClient(t, env, "gateway-0", nil)
	limiter, err := gateway.NewRateLimiter(env.Client, env.Prefix, limits(ratelimit.PerMinute(600, 60), ratelimit.PerMinute(600, 60), ratelimit.PerMinute(600, 60)))
	require.NoError(t, err)
	v, err := retell.NewVerifier([]string{testKey}, time.Now)
	require.NoError(t, err)
	proxies, err := gateway.ParseTrustedProxies(strings.Split(trusted, ","))
	require.NoError(t, err)
	e.srv = gateway.NewServer(gateway.Options{
		Verifier: v, Limiter: limiter, Bus: bus, Auth: gateway.NewAuthenticator(bus, time.Minute),
		Inbox: gateway.NewInbox(env.Client, bus.Publish, env.Prefix, time.Hour), Logger: zerolog.Nop(),
		RPC: bus, Redis: env.Client, Namespace: rpctest.Namespace(env), FunctionTimeout: testDeadline,
		TrustedProxies: proxies,
	})
	return e
}

func (e *identityEnv) lastCancel(t *testing.T) (rpc.Identity, int) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.cancels) == 0 {
		return rpc.Identity{}, 0
	}
	return e.cancels[len(e.cancels)-1], len(e.cancels)
}

// rpc posts body to /rpc from peer with extra headers.
func (e *identityEnv) rpc(t *testing.T, peer, body string, headers map[string]string) rpcReply {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/rpc", strings.NewReader(body))
	req.RemoteAddr = peer
	req.Header.Set(gateway.APIKeyHeader, "key-salon")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return decodeReply(t, rec)
}

const cancelCall = `{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":"K7Q2M9"}}`

// /rpc acts as api:<key id>, from the connection's peer unless that peer is a trusted proxy,
// with the client's user agent cut to 256 bytes.
func TestRPCActsAsTheKeyFromTheClientsAddress(t *testing.T) {
	t.Parallel()
	keyID := gateway.KeyID("key-salon")
	require.Equal(t, digest("key-salon")[:16], keyID)
	tests := []struct {
		name    string
		trusted string
		peer    string
		headers map[string]string
		wantIP  string
		wantUA  string
	}{
		{"peer, no proxies trusted", "", "203.0.113.7:51234", map[string]string{"User-Agent": "partner-crm/2.1"}, "203.0.113.7", "partner-crm/2.1"},
		{"spoofed X-Forwarded-For from an untrusted peer is ignored", "",
			"203.0.113.7:51234", map[string]string{"X-Forwarded-For": "198.51.100.1", "User-Agent": "x"}, "203.0.113.7", "x"},
		{"an untrusted peer stays the client even with proxies configured", "10.0.0.0/8",
			"203.0.113.7:51234", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "203.0.113.7", ""},
		{"a trusted proxy names the client", "10.0.0.0/8", "10.1.2.3:443",
			map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1", ""},
		{"what the client wrote left of the last untrusted hop proves nothing", "10.0.0.0/8", "10.1.2.3:443",
			map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.1, 10.9.9.9"}, "198.51.100.1", ""},
		{"IPv6 peer", "", "[2001:db8::1]:443", nil, "2001:db8::1", ""},
		{"a long user agent is cut", "", "203.0.113.7:1", map[string]string{"User-Agent": strings.Repeat("u", 300)},
			"203.0.113.7", strings.Repeat("u", rpc.MaxUserAgent)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newIdentityEnv(t, tt.trusted)
			rep := e.rpc(t, tt.peer, cancelCall, tt.headers)
			require.Nil(t, rep.Error)
			id, n := e.lastCancel(t)
			require.Equal(t, 1, n)
			ua := tt.wantUA
			if _, set := tt.headers["User-Agent"]; !set {
				ua = "" // httptest sets none
			}
			assert.Equal(t, rpc.Identity{Actor: "api:" + keyID, IP: tt.wantIP, UserAgent: ua}, id)
		})
	}
}

// A body that names an actor is refused before anything runs, in a batch too, and a
// notification that names one is dropped.
func TestRPCRefusesAnActorInTheBody(t *testing.T) {
	t.Parallel()
	e := newIdentityEnv(t, "")
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":"K7Q2M9","actor":"askpro-cli"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":"K7Q2M9","Actor":"cli:root"}}`,
		`{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":"K7Q2M9","\u0061ctor":"x"}}`,
	} {
		rep := e.rpc(t, "203.0.113.7:1", body, nil)
		require.NotNil(t, rep.Error, body)
		assert.Equal(t, rpc.CodeInvalidParams, rep.Error.Code)
		assert.Equal(t, "params must not contain actor: the actor is the API key's", rep.Error.Message)
	}
	req := httptest.NewRequest(http.MethodPost, "/rpc", strings.NewReader(`[`+
		`{"jsonrpc":"2.0","method":"booking.cancel","params":{"confirmation_number":"A","actor":"x"}},`+
		`{"jsonrpc":"2.0","id":2,"method":"booking.cancel","params":{"confirmation_number":"B","actor":"x"}}]`))
	req.Header.Set(gateway.APIKeyHeader, "key-salon")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":-32602`)
	_, n := e.lastCancel(t)
	assert.Zero(t, n, "nothing reached booking")

	// The same request without the actor runs.
	require.Nil(t, e.rpc(t, "203.0.113.7:1", cancelCall, nil).Error)
}

// Retell's function calls and webhooks act as retell:<call id>.
func TestRetellRequestsActAsTheCall(t *testing.T) {
	t.Parallel()
	e := newIdentityEnv(t, "")
	body := functionBody(gateway.FnCancelAppointment, "call_7f3a", `{"confirmation_number":"K7Q2M9"}`)
	req := httptest.NewRequest(http.MethodPost, "/retell/functions/"+gateway.FnCancelAppointment, strings.NewReader(body))
	req.Header.Set(retell.SignatureHeader, retell.Sign([]byte(body), testKey, time.Now()))
	req.Header.Set("User-Agent", "axios/1.7.2")
	req.RemoteAddr = "100.20.5.228:40000"
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	require.True(t, decodeFn(t, rec).Success, rec.Body.String())
	id, n := e.lastCancel(t)
	require.Equal(t, 1, n)
	assert.Equal(t, rpc.Identity{Actor: "retell:call_7f3a", IP: "100.20.5.228", UserAgent: "axios/1.7.2"}, id)

	hook := `{"event":"call_ended","call":{"call_id":"call_7f3a"}}`
	req = httptest.NewRequest(http.MethodPost, "/retell/webhook", strings.NewReader(hook))
	req.Header.Set(retell.SignatureHeader, retell.Sign([]byte(hook), testKey, time.Now()))
	req.RemoteAddr = "100.20.5.228:40001"
	rec = httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	select {
	case id := <-e.webhooks:
		assert.Equal(t, rpc.Identity{Actor: "retell:call_7f3a", IP: "100.20.5.228"}, id)
	case <-time.After(30 * time.Second):
		t.Fatal("webhook event not delivered")
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := gateway.ParseTrustedProxies([]string{"10.0.0.0/8", " 192.168.1.7 ", "fd00::/8", ""})
	require.NoError(t, err)
	assert.Equal(t, gateway.TrustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("fd00::/8")}, got)
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0"} {
		_, err := gateway.ParseTrustedProxies([]string{bad})
		assert.Error(t, err, bad)
	}
}
