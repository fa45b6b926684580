package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

const testKey = "key-live"

// streamPublisher writes each event to a real Redis stream, the way the bus does, so the
// tests observe exactly what was made durable.
func streamPublisher(rdb *redis.Client, stream string) gateway.PublishFunc {
	return func(ctx context.Context, topic string, payload any) error {
		b, err := msgpack.Marshal(payload)
		if err != nil {
			return err
		}
		return rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"topic", topic, "body", b}}).Err()
	}
}

type webhookEnv struct {
	srv    *gateway.Server
	rdb    *redis.Client
	stream string
	seen   string
	log    *logBuffer
}

// logBuffer collects the server's log lines; the server logs from more than one goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newWebhookEnv(t *testing.T, publish gateway.PublishFunc) *webhookEnv {
	t.Helper()
	env := testenv.Redis(t)
	stream := env.Prefix + "inbox"
	if publish == nil {
		publish = streamPublisher(env.Client, stream)
	}
	v, err := retell.NewVerifier([]string{"old-key", testKey}, time.Now)
	require.NoError(t, err)
	logs := &logBuffer{}
	srv := gateway.NewServer(gateway.Options{
		Verifier: v,
		Inbox:    gateway.NewInbox(env.Client, publish, env.Prefix, time.Hour),
		Logger:   zerolog.New(logs).Level(zerolog.WarnLevel),
	})
	return &webhookEnv{srv: srv, rdb: env.Client, stream: stream, seen: env.Prefix + ":gateway:seen:", log: logs}
}

// settled waits until every stored event's seen-mark is written (after the 204, off the
// request's path), so that a following duplicate is recognised.
func (e *webhookEnv) settled(t *testing.T) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, func() bool {
		for _, w := range e.stored(t) {
			if e.rdb.Exists(t.Context(), e.seen+w.Key).Val() == 0 {
				return false
			}
		}
		return true
	}, "seen-marks written")
}

func (e *webhookEnv) post(t *testing.T, body, sig string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/retell/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(retell.SignatureHeader, sig)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func (e *webhookEnv) stored(t *testing.T) []callapi.RetellWebhook {
	t.Helper()
	msgs, err := e.rdb.XRange(t.Context(), e.stream, "-", "+").Result()
	require.NoError(t, err)
	var out []callapi.RetellWebhook
	for _, m := range msgs {
		var w callapi.RetellWebhook
		require.NoError(t, msgpack.Unmarshal([]byte(m.Values["body"].(string)), &w))
		out = append(out, w)
	}
	return out
}

func signNow(body string) string { return retell.Sign([]byte(body), testKey, time.Now()) }

func TestWebhookStoresRawBodyBefore204(t *testing.T) {
	e := newWebhookEnv(t, nil)
	body := `{"event":"call_ended","call":{"call_id":"call_abc","transcript":"User: Ich hätte gern einen Termin","from_number":"+4915112345678"}}`
	rec := e.post(t, body, signNow(body))
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.NotEmpty(t, rec.Header().Get(gateway.RequestIDHeader))

	got := e.stored(t)
	require.Len(t, got, 1)
	require.Equal(t, "call_ended", got[0].Event)
	require.Equal(t, "call_abc", got[0].CallID)
	require.Equal(t, "call_ended:call_abc", got[0].Key)
	require.Equal(t, body, string(got[0].Body), "the exact bytes are kept")
}

func TestWebhookDuplicateIsAcknowledgedAndDropped(t *testing.T) {
	e := newWebhookEnv(t, nil)
	body := `{"event":"call_started","call":{"call_id":"call_dup"}}`
	for range 3 {
		require.Equal(t, http.StatusNoContent, e.post(t, body, signNow(body)).Code)
		e.settled(t)
	}
	// Another event of the same call is not a duplicate.
	other := `{"event":"call_ended","call":{"call_id":"call_dup"}}`
	require.Equal(t, http.StatusNoContent, e.post(t, other, signNow(other)).Code)
	// Transcript updates repeat within a call: identical bodies are duplicates, new ones are not.
	upd1 := `{"event":"transcript_updated","call":{"call_id":"call_dup","transcript":"a"}}`
	upd2 := `{"event":"transcript_updated","call":{"call_id":"call_dup","transcript":"a b"}}`
	for _, b := range []string{upd1, upd1, upd2} {
		require.Equal(t, http.StatusNoContent, e.post(t, b, signNow(b)).Code)
		e.settled(t)
	}
	require.Len(t, e.stored(t), 4)
}

func TestWebhookRejectsBadInputAndStoresNothing(t *testing.T) {
	e := newWebhookEnv(t, nil)
	good := `{"event":"call_started","call":{"call_id":"call_x"}}`
	cases := []struct {
		name string
		body string
		sig  string
		want int
	}{
		{"no signature", good, "", http.StatusUnauthorized},
		{"wrong key", good, retell.Sign([]byte(good), "intruder", time.Now()), http.StatusUnauthorized},
		{"stale", good, retell.Sign([]byte(good), testKey, time.Now().Add(-6*time.Minute)), http.StatusUnauthorized},
		{"tampered", strings.Replace(good, "call_x", "call_y", 1), signNow(good), http.StatusUnauthorized},
		{"malformed header", good, "v=abc,d=123", http.StatusUnauthorized},
		{"not JSON", `{"event":`, signNow(`{"event":`), http.StatusBadRequest},
		{"no event", `{"call":{"call_id":"c"}}`, signNow(`{"call":{"call_id":"c"}}`), http.StatusBadRequest},
		{"no call id", `{"event":"call_started","call":{}}`, signNow(`{"event":"call_started","call":{}}`), http.StatusBadRequest},
		{"call id wrong type", `{"event":"call_started","call":{"call_id":5}}`, signNow(`{"event":"call_started","call":{"call_id":5}}`), http.StatusBadRequest},
		{"array body", `[1,2]`, signNow(`[1,2]`), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, e.post(t, tc.body, tc.sig).Code)
		})
	}
	require.Empty(t, e.stored(t))
}

// A client learns that its payload is not a Retell webhook, by a stable code and a plain
// sentence; which field or byte the parser tripped on goes to the log, and the body to neither.
func TestWebhookErrorsAreStableAndKeepParserDetailsInTheLog(t *testing.T) {
	e := newWebhookEnv(t, nil)
	cases := []struct{ body, detail string }{
		{`{"event":"call_started","call":{"call_id":"+4930123456"`, "invalid JSON"},
		{`{"event":"call_started","call":{"call_id":4930123456}}`, "field call.call_id has the wrong type"},
		{`{"event":"call_started","call":{"to_number":"+4930123456"}}`, "call.call_id is missing"},
	}
	for _, tc := range cases {
		rec := e.post(t, tc.body, signNow(tc.body))
		require.Equal(t, http.StatusBadRequest, rec.Code)
		require.JSONEq(t, `{"code":"malformed_payload","error":"not a Retell webhook: expected {event, call: {call_id}}"}`, rec.Body.String())
		require.Contains(t, e.log.String(), tc.detail)
	}
	logs := e.log.String()
	require.Equal(t, len(cases), strings.Count(logs, `"message":"webhook_malformed"`), logs)
	require.NotContains(t, logs, "4930123456", "the body is never logged")

	rec := e.post(t, `{"event":"call_started","call":{"call_id":"c"}}`, "")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.JSONEq(t, `{"code":"invalid_signature","error":"invalid signature"}`, rec.Body.String())
	require.Empty(t, e.stored(t))
}

func TestWebhookOversizedBody(t *testing.T) {
	e := newWebhookEnv(t, nil)
	big := `{"event":"call_ended","call":{"call_id":"c","transcript":"` + strings.Repeat("x", gateway.MaxWebhookBody) + `"}}`
	rec := e.post(t, big, signNow(big))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Contains(t, rec.Body.String(), `"code":"body_too_large"`)
	require.Empty(t, e.stored(t))
}

func TestWebhookAnswers503WhenItCannotStore(t *testing.T) {
	failing := func(context.Context, string, any) error { return errors.New("redis: connection refused") }
	e := newWebhookEnv(t, failing)
	body := `{"event":"call_analyzed","call":{"call_id":"call_503"}}`
	rec := e.post(t, body, signNow(body))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.JSONEq(t, `{"code":"not_stored","error":"event not stored, retry"}`, rec.Body.String())
	require.NotContains(t, rec.Body.String(), "connection refused")

	// The failed attempt left no mark behind: Retell's retry is stored, not dropped.
	n, err := e.rdb.Keys(t.Context(), "*call_analyzed:call_503").Result()
	require.NoError(t, err)
	require.Empty(t, n)
}

func TestWebhookKeepsRequestID(t *testing.T) {
	e := newWebhookEnv(t, nil)
	body := `{"event":"call_started","call":{"call_id":"call_rid"}}`
	req := httptest.NewRequest(http.MethodPost, "/retell/webhook", bytes.NewReader([]byte(body)))
	req.Header.Set(retell.SignatureHeader, signNow(body))
	req.Header.Set(gateway.RequestIDHeader, "req-123")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	require.Equal(t, "req-123", rec.Header().Get(gateway.RequestIDHeader))
	require.Equal(t, "req-123", e.stored(t)[0].RequestID)
}
