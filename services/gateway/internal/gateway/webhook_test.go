package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
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
	srv := gateway.NewServer(gateway.Options{
		Verifier: v,
		Inbox:    gateway.NewInbox(env.Client, publish, env.Prefix, time.Hour),
		Logger:   zerolog.Nop(),
	})
	return &webhookEnv{srv: srv, rdb: env.Client, stream: stream, seen: env.Prefix + ":gateway:seen:"}
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

func TestWebhookOversizedBody(t *testing.T) {
	e := newWebhookEnv(t, nil)
	big := `{"event":"call_ended","call":{"call_id":"c","transcript":"` + strings.Repeat("x", gateway.MaxWebhookBody) + `"}}`
	rec := e.post(t, big, signNow(big))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Empty(t, e.stored(t))
}

func TestWebhookAnswers503WhenItCannotStore(t *testing.T) {
	failing := func(context.Context, string, any) error { return errors.New("redis: connection refused") }
	e := newWebhookEnv(t, failing)
	body := `{"event":"call_analyzed","call":{"call_id":"call_503"}}`
	rec := e.post(t, body, signNow(body))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))

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
