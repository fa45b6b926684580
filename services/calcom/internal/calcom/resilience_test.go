package calcom_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
)

// breakerGauge reads askpro_calcom_breaker_state for the one account in reg.
func breakerGauge(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == "askpro_calcom_breaker_state" {
			require.Len(t, mf.GetMetric(), 1)
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("askpro_calcom_breaker_state not exported")
	return -1
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	reg := prometheus.NewRegistry()
	// The breaker (gobreaker) reads the real clock. 3 s open is far longer than the few calls
	// that must find it open take, even on a busy machine, and short enough to wait out.
	e := setup(t, calsim.Config{Faults: calsim.Faults{ErrorRate: 1}},
		calcom.Options{RetryAttempts: 1, BreakerFailures: 5, BreakerOpenTimeout: 3 * time.Second, Metrics: reg})
	ctx := t.Context()
	for range 5 {
		_, err := e.acct.Me(ctx)
		require.ErrorIs(t, err, calcom.ErrUpstream)
	}
	_, err := e.acct.Me(ctx)
	require.ErrorIs(t, err, calcom.ErrUnavailable)
	require.EqualValues(t, 2, breakerGauge(t, reg), "open")
	require.ErrorContains(t, err, "upstream unavailable")
	require.Equal(t, 5, e.sim.Requests()["GET /v2/me"], "an open breaker sends nothing")

	_, err = e.client.Account(apiKey).Me(ctx)
	require.ErrorIs(t, err, calcom.ErrUnavailable, "the breaker belongs to the account, not the handle")

	require.NoError(t, e.sim.SetFaults(calsim.Faults{}))
	testenv.Eventually(t, 30*time.Second, func() bool {
		_, err := e.acct.Me(ctx)
		return err == nil
	}, "breaker never half-opened")
	_, err = e.acct.Me(ctx)
	require.NoError(t, err, "closed again after a successful probe")
	require.EqualValues(t, 0, breakerGauge(t, reg), "closed")
}

func TestClientErrorsDoNotOpenTheBreaker(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{BreakerFailures: 2})
	for range 4 {
		_, err := e.acct.Booking(t.Context(), "missing")
		require.ErrorIs(t, err, calcom.ErrNotFound)
	}
	_, err := e.acct.Me(t.Context())
	require.NoError(t, err)
}

func TestTwoClientsShareTheRateLimit(t *testing.T) {
	// 6 per minute with a burst of 5: five calls at once, then one every minute.
	opts := calcom.Options{RateLimit: 6, RateBurst: 5, MaxRateWait: time.Millisecond}
	e := setup(t, calsim.Config{}, opts)
	other := e.newClient(t, opts).Account(apiKey)
	ctx := t.Context()
	for i := range 5 {
		acct := e.acct
		if i%2 == 1 {
			acct = other
		}
		_, err := acct.Me(ctx)
		require.NoError(t, err)
	}
	_, err := other.Me(ctx)
	require.ErrorIs(t, err, calcom.ErrRateLimited)
	_, err = e.acct.Me(ctx)
	require.ErrorIs(t, err, calcom.ErrRateLimited)
	require.Equal(t, 5, e.sim.Requests()["GET /v2/me"], "refused calls never reach Cal.com")

	require.NoError(t, e.clock.Sleep(ctx, time.Minute))
	_, err = other.Me(ctx)
	require.NoError(t, err, "a minute later the budget has one more call")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultRateLimit, Route: "GET /v2/me", RetryAfter: 7})
	_, err := e.acct.Me(t.Context())
	require.NoError(t, err)
	require.Equal(t, 2, e.sim.Requests()["GET /v2/me"])
	require.Contains(t, e.clock.Slept(), 7*time.Second)
}

func TestRetryAfterBlocksOtherReplicas(t *testing.T) {
	opts := calcom.Options{RetryAttempts: 1, MaxRateWait: time.Second}
	e := setup(t, calsim.Config{}, opts)
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultRateLimit, Route: "GET /v2/me", RetryAfter: 30})
	_, err := e.acct.Me(t.Context())
	require.ErrorIs(t, err, calcom.ErrRateLimited)

	_, err = e.newClient(t, opts).Account(apiKey).Me(t.Context())
	require.ErrorIs(t, err, calcom.ErrRateLimited, "the other replica waits out the Retry-After too")
	require.Equal(t, 1, e.sim.Requests()["GET /v2/me"])
}

func TestIdempotentReadsRetryOn5xx(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/schedules"})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/schedules"})
	_, err := e.acct.Schedules(t.Context())
	require.NoError(t, err)
	require.Equal(t, 3, e.sim.Requests()["GET /v2/schedules"])
	require.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, e.clock.Slept(),
		"exponential backoff (jitter zeroed in tests)")
}

func TestAmbiguousCreateDoesNotDoubleBook(t *testing.T) {
	cases := []struct {
		name  string
		fault calsim.Fault
		posts int
	}{
		{"dropped after commit", calsim.Fault{Kind: calsim.FaultDrop, AfterHandler: true}, 1},
		{"5xx after commit", calsim.Fault{Kind: calsim.FaultError, AfterHandler: true}, 1},
		{"timeout after commit", calsim.Fault{Kind: calsim.FaultTimeout, AfterHandler: true}, 1},
		{"dropped before commit", calsim.Fault{Kind: calsim.FaultDrop}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, calsim.Config{}, calcom.Options{RequestTimeout: time.Second})
			tc.fault.Route = "POST /v2/bookings"
			e.sim.InjectNext(tc.fault)
			b, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "req-"+tc.name))
			require.NoError(t, err)
			stored := e.sim.Bookings()
			require.Len(t, stored, 1, "exactly one booking, no orphan")
			require.Equal(t, stored[0].UID, b.UID)
			require.Equal(t, tc.posts, e.sim.Requests()["POST /v2/bookings"])
		})
	}
}

// A retry of a create whose first answer was lost with its process (a booking instance killed
// after Cal.com booked; the claimed request runs again elsewhere) meets its own booking as a
// taken slot. The lookup by request id makes it the result; someone else's booking stays a conflict.
func TestRetriedCreateFindsItsOwnBooking(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	first, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "lost-answer"))
	require.NoError(t, err)
	again, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "lost-answer"))
	require.NoError(t, err)
	require.Equal(t, first.UID, again.UID)
	_, err = e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "someone-else"))
	require.ErrorIs(t, err, calcom.ErrSlotTaken)
	_, err = e.acct.CancelBooking(t.Context(), first.UID, "undone")
	require.NoError(t, err)
	_, err = e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "other"))
	require.NoError(t, err)
	_, err = e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "lost-answer"))
	require.ErrorIs(t, err, calcom.ErrSlotTaken, "its own booking was cancelled: the slot is someone else's now")
	require.Len(t, e.sim.Bookings(), 2)
}

// An undone booking and the one a retry made later under the same request id stand side by side
// at Cal.com; the lookup answers with the live one, never the cancelled.
func TestFindBookingSkipsCancelled(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	first, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "same-key"))
	require.NoError(t, err)
	_, err = e.acct.CancelBooking(t.Context(), first.UID, "local write failed")
	require.NoError(t, err)
	_, ok, err := e.acct.FindBooking(t.Context(), 100, monday0900, "same-key")
	require.NoError(t, err)
	require.False(t, ok, "only a cancelled booking: nothing live to settle")

	second, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "same-key"))
	require.NoError(t, err)
	require.NotEqual(t, first.UID, second.UID)
	found, ok, err := e.acct.FindBooking(t.Context(), 100, monday0900, "same-key")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, second.UID, found.UID)
}

func TestCreateIsNeverRetriedBlindly(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{CreateAttempts: 1})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "POST /v2/bookings"})
	_, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "once"))
	require.ErrorIs(t, err, calcom.ErrUpstream)
	require.Equal(t, 1, e.sim.Requests()["POST /v2/bookings"])
	require.Equal(t, 1, e.sim.Requests()["GET /v2/bookings"], "looked up, then gave up")
	require.Empty(t, e.sim.Bookings())
}

func TestOutcomeUnknownWhenTheLookupFails(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{RetryAttempts: 1})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultDrop, Route: "POST /v2/bookings", AfterHandler: true})
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/bookings"})
	_, err := e.acct.CreateBooking(t.Context(), bookingRequest(monday0900, "unknown"))
	require.ErrorIs(t, err, calcom.ErrOutcomeUnknown)
	require.Len(t, e.sim.Bookings(), 1, "the caller must not re-book: the booking exists")
}

func TestAvailabilityCacheIsInvalidated(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{})
	ctx := t.Context()
	q := calcom.AvailabilityQuery{EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"}
	slots := func() []calcom.Slot {
		s, err := e.acct.Availability(ctx, q)
		require.NoError(t, err)
		return s
	}
	first := slots()
	require.Len(t, slots(), len(first))
	require.Equal(t, 1, e.sim.Requests()["GET /v2/slots"], "second read came from Redis")

	b, err := e.acct.CreateBooking(ctx, bookingRequest(first[0].Start, "cache"))
	require.NoError(t, err)
	after := slots()
	require.Equal(t, 2, e.sim.Requests()["GET /v2/slots"], "our booking invalidated the cache")
	require.Len(t, after, len(first)-1)

	_, err = e.acct.CancelBooking(ctx, b.UID, "changed mind")
	require.NoError(t, err)
	require.Len(t, slots(), len(first))
	require.Equal(t, 3, e.sim.Requests()["GET /v2/slots"])

	require.NoError(t, e.client.InvalidateAvailability(ctx, 100))
	slots()
	require.Equal(t, 4, e.sim.Requests()["GET /v2/slots"], "a webhook invalidation drops it too")
}

func TestRemainingZeroHoldsCallsUntilReset(t *testing.T) {
	e := setup(t, calsim.Config{RateLimit: 2}, calcom.Options{MaxRateWait: 2 * time.Minute})
	ctx := t.Context()
	for range 3 {
		_, err := e.acct.Me(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, 3, e.sim.Requests()["GET /v2/me"],
		"Remaining: 0 on the second answer held the third call back: no 429 was ever provoked")
	var waited time.Duration
	for _, d := range e.clock.Slept() {
		waited += d
	}
	require.GreaterOrEqual(t, waited, time.Minute, "it waited for the window to reset")
}

func TestCalcomsOwn429IsWaitedOut(t *testing.T) {
	e := setup(t, calsim.Config{RateLimit: 2}, calcom.Options{})
	// Someone else (say, Retell's native Cal.com tools) spends the key's budget.
	for range 2 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.url+"/v2/me", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+apiKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	_, err := e.acct.Me(t.Context())
	require.NoError(t, err)
	require.Equal(t, 4, e.sim.Requests()["GET /v2/me"], "one 429, then the retry")
	require.Contains(t, e.clock.Slept(), 60*time.Second, "Retry-After of calsim's window")
}

func TestImpatientCallersDoNotOpenTheBreaker(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{BreakerFailures: 2, RetryAttempts: 1})
	for range 3 {
		e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultTimeout, Route: "GET /v2/me"})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		_, err := e.acct.Me(ctx)
		cancel()
		require.Error(t, err)
		require.NotErrorIs(t, err, calcom.ErrUnavailable)
	}
	_, err := e.acct.Me(t.Context())
	require.NoError(t, err, "the breaker stayed closed")
}

func TestOwnTimeoutCountsAsAnOutage(t *testing.T) {
	e := setup(t, calsim.Config{}, calcom.Options{BreakerFailures: 2, RetryAttempts: 1, RequestTimeout: 20 * time.Millisecond})
	for range 2 {
		e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultTimeout, Route: "GET /v2/me"})
		_, err := e.acct.Me(t.Context())
		require.ErrorIs(t, err, calcom.ErrTimeout)
	}
	_, err := e.acct.Me(t.Context())
	require.ErrorIs(t, err, calcom.ErrUnavailable)
}
