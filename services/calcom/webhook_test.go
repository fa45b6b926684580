package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
)

func TestWebhookPublishesOutsideChanges(t *testing.T) {
	redis := testenv.Redis(t)
	var (
		mu  sync.Mutex
		got []calcom.BookingChanged
	)
	rpctest.StartServer(t, redis, rpctest.ServerConfig(redis, "booking", "booking-0"), prometheus.NewRegistry(), func(s *rpc.Server) {
		rpc.Subscribe(s, calcom.TopicBookingChanged, "booking", func(_ context.Context, ev calcom.BookingChanged) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, ev)
			return nil
		})
	})
	addr := testenv.FreeAddr(t)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "LOG_LEVEL": "error", "RPC_NAMESPACE": rpctest.Namespace(redis),
		"CALCOM_KEY_PREFIX": redis.Prefix + "calcom:", "CALCOM_WEBHOOK_ADDR": addr, "CALCOM_WEBHOOK_SECRET": "s3cret",
	})
	post := func(body, sig string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/webhooks/calcom", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set(client.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	ours := `{"triggerEvent":"BOOKING_CREATED","createdAt":"2030-03-02T10:00:00Z","payload":{"uid":"ours","eventTypeId":100,"startTime":"2030-04-01T07:00:00Z","endTime":"2030-04-01T07:30:00Z","status":"ACCEPTED","metadata":{"askproai_request_id":"r1"}}}`
	outside := `{"triggerEvent":"BOOKING_CANCELLED","createdAt":"2030-03-02T10:01:00Z","payload":{"uid":"theirs","eventTypeId":100,"startTime":"2030-04-01T08:00:00Z","endTime":"2030-04-01T08:30:00Z","status":"CANCELLED","cancellationReason":"ill","organizer":{"username":"praxis-berlin"}}}`
	require.Equal(t, http.StatusUnauthorized, post(outside, "no-secret-provided"))
	require.Equal(t, http.StatusNoContent, post(ours, client.Sign([]byte("s3cret"), []byte(ours))))
	require.Equal(t, http.StatusNoContent, post(outside, client.Sign([]byte("s3cret"), []byte(outside))))

	testenv.Eventually(t, 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	}, "no booking change published")
	mu.Lock()
	require.Len(t, got, 1, "our own change is not published")
	require.Equal(t, calcom.BookingChanged{Trigger: "BOOKING_CANCELLED", UID: "theirs", EventTypeID: 100, Status: "CANCELLED",
		CreatedAt: time.Date(2030, 3, 2, 10, 1, 0, 0, time.UTC), Start: time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC),
		End: time.Date(2030, 4, 1, 8, 30, 0, 0, time.UTC), CancellationReason: "ill", OrganizerUsername: "praxis-berlin"},
		normalise(got[0]))
	mu.Unlock()
	require.NoError(t, stop())
}

func normalise(ev calcom.BookingChanged) calcom.BookingChanged {
	ev.CreatedAt, ev.Start, ev.End = ev.CreatedAt.UTC(), ev.Start.UTC(), ev.End.UTC()
	return ev
}
