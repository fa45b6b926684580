package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
)

type stack struct {
	client *api.Client
	bus    *rpc.Client
	db     *memDB
	cal    *calsim
	sms    *smsSink
}

type smsSink struct {
	mu   sync.Mutex
	msgs []map[string]string
}

func (s *smsSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	s.msgs = append(s.msgs, body)
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (s *smsSink) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, m["text"])
	}
	return out
}

// startStack runs the booking service's run() in-process on the test's bus, with the database
// and calcom services replaced by rpc handlers on the same bus.
func startStack(t testing.TB) *stack {
	env := testenv.Redis(t)
	st := &stack{db: &memDB{appts: map[string]database.Appointment{}}, cal: &calsim{bookings: map[string]calBooking{}}, sms: &smsSink{}}
	st.bus = rpctest.NewClient(t, env, "component-client", nil)
	st.db.bus = st.bus
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, database.Service, "db-1"), nil, st.db.register)
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, calcom.Service, "cal-1"), nil, st.cal.register)
	sms := httptest.NewServer(st.sms)
	t.Cleanup(sms.Close)
	testenv.StartService(t, run, map[string]string{"REDIS_URL": env.URL, "LOG_LEVEL": "error",
		"RPC_NAMESPACE": rpctest.Namespace(env), "POD_NAME": "booking-1",
		"SMS_PROVIDER": "http", "SMS_HTTP_URL": sms.URL, "SMS_HTTP_TOKEN": "t"})
	rpctest.WaitLive(t, env, rpctest.Namespace(env), api.Service, "booking-1")
	st.client = api.NewClient(st.bus)
	return st
}

func createParams(start time.Time, key string) api.CreateParams {
	return api.CreateParams{CompanyID: testCompany, BranchID: testBranch, EventTypeID: "cut", StaffID: "anna",
		Start: start, CustomerPhone: "+4915112345678", CustomerName: "Erika", IdempotencyKey: key}
}

func TestComponentBookAvailabilityConfirmCancel(t *testing.T) {
	st := startStack(t)
	ctx := t.Context()
	wish := futureSlot(t, 0)
	loc, _ := time.LoadLocation("Europe/Berlin")

	avail, err := st.client.CheckAvailability(ctx, api.AvailabilityParams{CompanyID: testCompany, BranchID: testBranch,
		EventTypeID: "cut", StaffID: "anna", At: wish})
	require.NoError(t, err)
	require.True(t, avail.Exact)
	require.Equal(t, booking.SpokenTime(wish, loc), avail.Options[0].Spoken)

	res, err := st.client.Create(ctx, createParams(wish, "call-1"))
	require.NoError(t, err)
	require.Contains(t, res.Message, booking.SpokenTime(wish, loc))
	again, err := st.client.Create(ctx, createParams(wish, "call-1"))
	require.NoError(t, err)
	require.Equal(t, res, again, "same key, same answer")

	_, err = st.client.Create(ctx, createParams(wish.Add(30*time.Minute), "call-2"))
	require.ErrorIs(t, err, rpc.ErrConflict)
	var werr *rpc.Error
	require.True(t, errors.As(err, &werr))
	require.NotNil(t, werr.Data, "alternatives travel with the conflict")

	testenv.Eventually(t, 30*time.Second, func() bool { return len(st.sms.texts()) == 1 }, "confirmation SMS")
	require.Contains(t, st.sms.texts()[0], "ist gebucht")

	cancelled, err := st.client.Cancel(ctx, api.CancelParams{CompanyID: testCompany, ConfirmationNumber: res.Booking.ConfirmationNumber})
	require.NoError(t, err)
	require.Equal(t, database.StatusCancelled, cancelled.Booking.Status)
	require.Zero(t, st.db.active())
	require.Zero(t, st.cal.count())
}

func TestComponentContention(t *testing.T) {
	st := startStack(t)
	wish := futureSlot(t, 1)
	starts := []time.Time{wish, wish.Add(30 * time.Minute), wish.Add(-30 * time.Minute)}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := st.client.Create(t.Context(), createParams(starts[i%3], fmt.Sprintf("call-%d", i)))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, rpc.ErrConflict), errors.Is(err, rpc.ErrSlotLocked):
			default:
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	wg.Wait()
	// 14:00, 14:30 and 15:00 pairwise overlap except 14:00/15:00, so one or two may win; every
	// winner must be disjoint from the others.
	require.GreaterOrEqual(t, ok.Load(), int32(1))
	require.Equal(t, int(ok.Load()), st.db.active())
	require.Equal(t, int(ok.Load()), st.cal.count(), "no orphans at Cal.com")
}

func TestComponentUpstreamFailureLeavesNothing(t *testing.T) {
	st := startStack(t)
	st.cal.mu.Lock()
	st.cal.fail = rpc.NewError(rpc.CodeUpstreamUnavailable, "cal.com 503", nil)
	st.cal.mu.Unlock()
	_, err := st.client.Create(t.Context(), createParams(futureSlot(t, 2), "call-x"))
	require.ErrorIs(t, err, rpc.ErrUpstreamUnavailable)
	require.Zero(t, st.db.active())
	avail, err := st.client.CheckAvailability(t.Context(), api.AvailabilityParams{CompanyID: testCompany,
		BranchID: testBranch, EventTypeID: "cut", StaffID: "anna", At: futureSlot(t, 2)})
	require.NoError(t, err)
	require.True(t, avail.Exact, "lock released")
}

func TestComponentRescheduleAndReserve(t *testing.T) {
	st := startStack(t)
	ctx := t.Context()
	wish := futureSlot(t, 3)
	res, err := st.client.Create(ctx, createParams(wish, "call-1"))
	require.NoError(t, err)
	hold, err := st.client.ReserveSlot(ctx, api.ReserveParams{CompanyID: testCompany, StaffID: "anna",
		Start: wish.Add(2 * time.Hour), DurationMinutes: 60})
	require.NoError(t, err)
	_, err = st.client.Reschedule(ctx, api.RescheduleParams{CompanyID: testCompany,
		ConfirmationNumber: res.Booking.ConfirmationNumber, Start: wish.Add(150 * time.Minute)})
	require.ErrorIs(t, err, rpc.ErrSlotLocked, "held by someone else")
	moved, err := st.client.Reschedule(ctx, api.RescheduleParams{CompanyID: testCompany,
		ConfirmationNumber: res.Booking.ConfirmationNumber, Start: wish.Add(30 * time.Minute)})
	require.NoError(t, err)
	require.Equal(t, res.Booking.ID, moved.Booking.RescheduledFrom)
	p := createParams(hold.Start, "call-2")
	p.ReservationToken = hold.Token
	_, err = st.client.Create(ctx, p)
	require.NoError(t, err)
	require.Equal(t, 2, st.db.active())
	require.Equal(t, 2, st.cal.count())
}

// BenchmarkCreateOverBus books distinct slots through the typed client, the bus, the booking
// service and the (in-memory) database and calcom handlers, eight callers at a time.
func BenchmarkCreateOverBus(b *testing.B) {
	st := startStack(b)
	base := futureSlot(b, 0)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := n.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				// Two staff, nine hours a day, one day after another.
				day := base.In(berlin).AddDate(0, 0, int(i/18))
				start := time.Date(day.Year(), day.Month(), day.Day(), 9+int(i%18)/2, 0, 0, 0, berlin)
				p := createParams(start.UTC(), fmt.Sprintf("b-%d", i))
				p.StaffID = []string{"anna", "ben"}[i%2]
				t0 := time.Now()
				if _, err := st.client.Create(b.Context(), p); err != nil {
					b.Errorf("create %d: %v", i, err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "bookings/s")
		b.ReportMetric(float64(lat[len(lat)*95/100].Milliseconds()), "p95_ms")
	}
}
