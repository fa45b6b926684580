package calcom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
)

var secret = []byte("whsec_test")

const cancelledBody = `{"triggerEvent":"BOOKING_CANCELLED","createdAt":"2030-03-02T10:00:00.000Z","payload":{"type":"beratung","uid":"abc","bookingId":7,"eventTypeId":100,"startTime":"2030-04-01T07:00:00Z","endTime":"2030-04-01T07:30:00Z","status":"CANCELLED","cancellationReason":"ill","metadata":{"videoCallUrl":"x"}}}`

func TestVerifySignature(t *testing.T) {
	body := []byte(cancelledBody)
	cases := []struct {
		name      string
		secret    []byte
		signature string
		ok        bool
	}{
		{"valid", secret, calcom.Sign(secret, body), true},
		{"other secret", secret, calcom.Sign([]byte("x"), body), false},
		{"not hex", secret, "zz", false},
		{"cal.com without a secret", secret, "no-secret-provided", false},
		{"we have no secret", nil, calcom.Sign(nil, body), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := calcom.VerifySignature(tc.secret, body, tc.signature)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, calcom.ErrBadSignature)
			}
		})
	}
	require.Error(t, calcom.VerifySignature(secret, append(body, ' '), calcom.Sign(secret, body)), "the raw body is signed")
}

func TestWebhookHandler(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	var got []calcom.WebhookEvent
	h := &calcom.WebhookHandler{Secret: secret, Client: e.client, OnEvent: func(_ context.Context, ev calcom.WebhookEvent) error {
		got = append(got, ev)
		return nil
	}}
	post := func(body, sig string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/calcom", strings.NewReader(body))
		req.Header.Set(calcom.SignatureHeader, sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	q := calcom.AvailabilityQuery{EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"}
	_, err := e.acct.Availability(t.Context(), q)
	require.NoError(t, err)

	require.Equal(t, http.StatusUnauthorized, post(cancelledBody, "00"))
	require.Empty(t, got)
	require.Equal(t, http.StatusNoContent, post(cancelledBody, calcom.Sign(secret, []byte(cancelledBody))))
	require.Len(t, got, 1)
	ev := got[0]
	require.Equal(t, calcom.TriggerBookingCancelled, ev.Trigger)
	require.Equal(t, "abc", ev.Booking.UID)
	require.Equal(t, 100, ev.Booking.EventTypeID)
	require.Equal(t, "ill", ev.Booking.CancellationReason)
	require.Empty(t, ev.Booking.RequestID(), "not one of ours")

	_, err = e.acct.Availability(t.Context(), q)
	require.NoError(t, err)
	require.Equal(t, 2, e.sim.Requests()["GET /v2/slots"], "the webhook invalidated the cached slots")

	ping := `{"triggerEvent":"PING","createdAt":"2030-03-02T10:00:00.000Z","payload":{}}`
	require.Equal(t, http.StatusNoContent, post(ping, calcom.Sign(secret, []byte(ping))))
	require.Len(t, got, 1)
}

func TestParseRescheduled(t *testing.T) {
	ev, err := calcom.ParseWebhook([]byte(`{"triggerEvent":"BOOKING_RESCHEDULED","createdAt":"2030-03-02T10:00:00Z","payload":{"uid":"new","rescheduleUid":"old","eventTypeId":100,"startTime":"2030-04-01T08:00:00Z","endTime":"2030-04-01T08:30:00Z","status":"ACCEPTED","metadata":{"askproai_request_id":"r9"}}}`))
	require.NoError(t, err)
	require.Equal(t, "old", ev.Booking.RescheduleUID)
	require.Equal(t, "r9", ev.Booking.RequestID())
}
