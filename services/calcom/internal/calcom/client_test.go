package calcom_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
)

func TestEveryMethodAgainstCalsim(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	ctx := t.Context()

	me, err := e.acct.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, "praxis-berlin", me.Username)

	ets, err := e.acct.EventTypes(ctx, me.Username)
	require.NoError(t, err)
	require.Len(t, ets, 2)
	require.False(t, ets[0].RequiresEmail(), "100 is phone-only")
	require.True(t, ets[1].RequiresEmail(), "101 demands an e-mail")

	schedules, err := e.acct.Schedules(ctx)
	require.NoError(t, err)
	require.Equal(t, "Europe/Berlin", schedules[0].TimeZone)

	slots, err := e.acct.Availability(ctx, calcom.AvailabilityQuery{EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	require.Len(t, slots, 16)
	require.Equal(t, "2030-04-01T09:00:00+02:00", slots[0].Start.Format(time.RFC3339))
	require.Equal(t, "2030-04-01T16:30:00+02:00", slots[15].Start.Format(time.RFC3339))

	b, err := e.acct.CreateBooking(ctx, bookingRequest(slots[0].Start, "req-1"))
	require.NoError(t, err)
	require.Equal(t, "req-1", b.RequestID())
	require.Equal(t, "+4915112345678", b.Attendees[0].PhoneNumber)

	got, err := e.acct.Booking(ctx, b.UID)
	require.NoError(t, err)
	require.Equal(t, b.UID, got.UID)

	found, ok, err := e.acct.FindBooking(ctx, 100, slots[0].Start, "req-1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, b.UID, found.UID)

	moved, err := e.acct.RescheduleBooking(ctx, b.UID, slots[1].Start, "caller asked")
	require.NoError(t, err)
	require.NotEqual(t, b.UID, moved.UID)
	require.Equal(t, b.UID, moved.RescheduledFromUID)

	cancelled, err := e.acct.CancelBooking(ctx, moved.UID, "caller is ill")
	require.NoError(t, err)
	require.Equal(t, "cancelled", cancelled.Status)
}

func TestTypedErrors(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	ctx := t.Context()
	_, err := e.acct.CreateBooking(ctx, bookingRequest(monday0900, "a"))
	require.NoError(t, err)

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"slot taken", func() error { _, err := e.acct.CreateBooking(ctx, bookingRequest(monday0900, "b")); return err }, calcom.ErrSlotTaken},
		{"unknown booking", func() error { _, err := e.acct.Booking(ctx, "nope"); return err }, calcom.ErrNotFound},
		{"bad key", func() error { _, err := e.client.Account("cal_wrong").Me(ctx); return err }, calcom.ErrUnauthorized},
		{"cancel without reason", func() error { _, err := e.acct.CancelBooking(ctx, "x", ""); return err }, calcom.ErrInvalidInput},
		{"phone not E.164", func() error {
			r := bookingRequest(monday0900, "c")
			r.Phone = "0151 123"
			_, err := e.acct.CreateBooking(ctx, r)
			return err
		}, calcom.ErrInvalidInput},
		{"phone the old regex took", func() error {
			r := bookingRequest(monday0900, "c2")
			r.Phone = "+4900000000" // E.164-shaped, but no number libphonenumber knows
			_, err := e.acct.CreateBooking(ctx, r)
			return err
		}, phone.ErrInvalid},
		{"national phone without region", func() error {
			r := bookingRequest(monday0900, "c3")
			r.Phone = "0151 12345678"
			_, err := e.acct.CreateBooking(ctx, r)
			return err
		}, calcom.ErrInvalidInput},
		{"e-mail demanded but missing", func() error {
			r := bookingRequest(monday0900, "d")
			r.EventTypeID, r.EmailRequired = 101, true
			_, err := e.acct.CreateBooking(ctx, r)
			return err
		}, calcom.ErrInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), tc.want)
		})
	}
}

func TestNationalPhoneIsSentAsE164(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	r := bookingRequest(monday0900, "n1")
	r.Phone, r.Region = "+49 (0)151 123 456-78", "DE"
	b, err := e.acct.CreateBooking(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, "+4915112345678", b.Attendees[0].PhoneNumber)

	r = bookingRequest(monday0900.Add(2*time.Hour), "n2")
	r.Phone, r.Region = "0664 1234567", "AT"
	b, err = e.acct.CreateBooking(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, "+436641234567", b.Attendees[0].PhoneNumber)
}

func TestEmailOnlyWhenDemanded(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	r := bookingRequest(monday0900, "e1")
	r.Email = "erika@example.com"
	b, err := e.acct.CreateBooking(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, "4915112345678@sms.cal.com", b.Attendees[0].Email, "not sent when the event type does not ask")

	r = bookingRequest(monday0900.Add(2*time.Hour), "e2")
	r.EventTypeID, r.EmailRequired, r.Email = 101, true, "erika@example.com"
	b, err = e.acct.CreateBooking(t.Context(), r)
	require.NoError(t, err)
	require.Equal(t, "erika@example.com", b.Attendees[0].Email)
}

func TestVersionHeaderPerEndpoint(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	seen := map[string]string{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen[r.Method+" "+r.URL.Path] = r.Header.Get("cal-api-version")
		require.Equal(t, "Bearer "+apiKey, r.Header.Get("Authorization"))
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	e.url = proxy.URL
	acct := e.newClient(t, calcom.Options{}).Account(apiKey)
	ctx := t.Context()
	_, err := acct.Availability(ctx, calcom.AvailabilityQuery{EventTypeID: 100, From: "2030-04-01", To: "2030-04-02", TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	b, err := acct.CreateBooking(ctx, bookingRequest(monday0900, "v"))
	require.NoError(t, err)
	_, err = acct.CancelBooking(ctx, b.UID, "test")
	require.NoError(t, err)
	_, err = acct.EventTypes(ctx, "praxis-berlin")
	require.NoError(t, err)
	_, err = acct.Schedules(ctx)
	require.NoError(t, err)
	_, err = acct.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"GET /v2/slots": "2024-09-04", "POST /v2/bookings": "2024-08-13",
		"POST /v2/bookings/" + b.UID + "/cancel": "2024-08-13", "GET /v2/event-types": "2024-06-14",
		"GET /v2/schedules": "2024-06-11", "GET /v2/me": "",
	}, seen)
}
