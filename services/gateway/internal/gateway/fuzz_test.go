package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// fuzzServer is a gateway on the real bus whose downstream services are not running: every
// decoded request goes as deep as it can and must still answer cleanly.
func fuzzServer(f *testing.F) *gateway.Server {
	env := testenv.Redis(f)
	bus := rpctest.NewClient(f, env, "gateway-fuzz", nil)
	v, err := retell.NewVerifier([]string{testKey}, time.Now)
	require.NoError(f, err)
	return gateway.NewServer(gateway.Options{
		Verifier: v, Logger: zerolog.Nop(), RPC: bus, Redis: env.Client, Namespace: rpctest.Namespace(env),
		Inbox: gateway.NewInbox(env.Client, bus.Publish, env.Prefix, time.Minute), FunctionTimeout: 200 * time.Millisecond,
		InboundTimeout: 200 * time.Millisecond,
	})
}

// post signs body, so fuzzed bodies get past verification into the decoders.
func fuzzPost(t *testing.T, srv *gateway.Server, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set(retell.SignatureHeader, retell.Sign(body, testKey, time.Now()))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func FuzzWebhookHandler(f *testing.F) {
	for _, seed := range []string{
		`{"event":"call_started","call":{"call_id":"call_1"}}`,
		`{"event":"call_ended","call":{"call_id":"call_1","transcript":"User: halb drei","duration_ms":"x"}}`,
		`{"event":"","call":null}`, `[]`, `null`, `{"event":"call_started","call":{"call_id":"` + strings.Repeat("9", 200) + `"}}`,
		"{\"event\":\"call_analyzed\",\"call\":{\"call_id\":\"\u0000\"}}", `{"event":1}`,
	} {
		f.Add([]byte(seed))
	}
	srv := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := fuzzPost(t, srv, "/retell/webhook", body)
		switch rec.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusServiceUnavailable:
		default:
			t.Fatalf("webhook answered %d: %s", rec.Code, rec.Body.String())
		}
	})
}

func FuzzFunctionHandler(f *testing.F) {
	for _, seed := range []string{
		`{"name":"book_appointment","call":{"call_id":"c1","to_number":"+493012345678"},"args":{"service":"Haarschnitt","time":"halb drei"}}`,
		`{"name":"check_availability","call":{"metadata":{"company_id":5}},"args":{"date":["x"]}}`,
		`{"call":{"start_timestamp":-1},"args":null}`, `{"args":{"confirmation_number":"'; DROP TABLE appointments; --"}}`,
		`{`, `"text"`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	srv := fuzzServer(f)
	names := []string{"check_availability", "book_appointment", "cancel_appointment", "reschedule_appointment", "business_info"}
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		rec := fuzzPost(t, srv, "/retell/functions/"+names[int(pick)%len(names)], body)
		if rec.Code != http.StatusOK && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("function answered %d: %s", rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusOK {
			require.Contains(t, rec.Body.String(), `"message":"`, "every answer is speakable")
		}
	})
}
