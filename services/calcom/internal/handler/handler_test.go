package handler_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
	"github.com/askproai/backend/services/calcom/internal/handler"
)

const key = "cal_test_key"

// fakeDatabase answers the two database-service methods the calcom service calls.
type fakeDatabase struct {
	mu       sync.Mutex
	upserted []database.EventType
	catalog  []database.EventType
	limits   []database.SetCalcomLimitsParams
}

func (f *fakeDatabase) register(s *rpc.Server) {
	rpc.Register(s, database.MethodCompaniesCalcomAPIKey, func(_ context.Context, p database.CompanyParams) (database.CalcomAPIKeyResult, error) {
		if p.CompanyID != "c1" {
			return database.CalcomAPIKeyResult{}, rpc.ErrNotFound
		}
		return database.CalcomAPIKeyResult{APIKey: key}, nil
	})
	rpc.Register(s, database.MethodEventTypesUpsert, func(_ context.Context, p database.UpsertEventTypeParams) (database.EventType, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.upserted = append(f.upserted, p.EventType)
		return p.EventType, nil
	})
	rpc.Register(s, database.MethodCompaniesGet, func(_ context.Context, p database.CompanyParams) (database.Company, error) {
		return database.Company{ID: p.CompanyID, TimeZone: "Europe/Berlin"}, nil
	})
	rpc.Register(s, database.MethodEventTypesList, func(_ context.Context, p database.CatalogueParams) (database.EventTypeList, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return database.EventTypeList{EventTypes: f.catalog}, nil
	})
	rpc.Register(s, database.MethodEventTypesSetCalcomLimits, func(_ context.Context, p database.SetCalcomLimitsParams) (database.EventType, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.limits = append(f.limits, p)
		return database.EventType{CompanyID: p.CompanyID, CalcomEventTypeID: p.CalcomEventTypeID}, nil
	})
}

// start runs calsim, a fake database service and the calcom methods on one test's Redis
// prefix, and returns a bus client.
func start(t *testing.T) (*rpc.Client, *calsim.Server, *fakeDatabase) {
	t.Helper()
	return startWith(t, calsim.DefaultSeed(key))
}

// now is the fixed business clock of calsim and the handler: Friday 2030-03-01, 13:00 in Berlin.
func now() time.Time { return time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC) }

func startWith(t *testing.T, seed calsim.Seed) (*rpc.Client, *calsim.Server, *fakeDatabase) {
	t.Helper()
	sim, err := calsim.New(calsim.Config{Seed: seed, Now: now})
	require.NoError(t, err)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	env := testenv.Redis(t)
	cal, err := client.New(client.Options{BaseURL: srv.URL, Redis: env.Client, KeyPrefix: env.Prefix + "calcom:"})
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	db := &fakeDatabase{}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, database.Service, "database-0"), reg, db.register)
	bus := rpctest.NewClient(t, env, "client-"+testenv.RandomSuffix(), reg)
	dbc := database.NewClient(bus)
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, calcom.Service, "calcom-0"), reg, func(s *rpc.Server) {
		handler.New(cal, handler.NewDatabaseKeys(dbc, time.Minute, nil), dbc, 2, "DE").WithClock(now).Register(s)
	})
	return bus, sim, db
}

func TestMethodsOverTheBus(t *testing.T) {
	p, sim, _ := start(t)
	ctx := t.Context()
	call := func(method string, params, result any) error {
		return p.Call(ctx, calcom.Service, method, params, result)
	}
	var avail calcom.AvailabilityResult
	require.NoError(t, call(calcom.MethodGetAvailability, calcom.AvailabilityParams{CompanyID: "c1",
		EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"}, &avail))
	require.Len(t, avail.Slots, 16)
	require.Equal(t, time.Date(2030, 4, 1, 7, 0, 0, 0, time.UTC), avail.Slots[0].Start.UTC())

	create := calcom.CreateBookingParams{CompanyID: "c1", RequestID: "r1", EventTypeID: 100,
		Start: avail.Slots[0].Start, Name: "Erika", Phone: "+4915112345678", TimeZone: "Europe/Berlin"}
	var b calcom.Booking
	require.NoError(t, call(calcom.MethodCreateBooking, create, &b))
	require.Equal(t, "accepted", b.Status)

	create.RequestID = "r2"
	require.ErrorIs(t, call(calcom.MethodCreateBooking, create, &b), rpc.ErrConflict)

	// A caller that lost createBooking's answer asks whether its request id booked.
	find := calcom.FindBookingParams{CompanyID: "c1", EventTypeID: 100, Start: create.Start, RequestID: "r1"}
	var found calcom.FindBookingResult
	require.NoError(t, call(calcom.MethodFindBooking, find, &found))
	require.True(t, found.Found)
	require.Equal(t, b.UID, found.Booking.UID)
	find.RequestID = "r2" // refused as a conflict: never booked
	require.NoError(t, call(calcom.MethodFindBooking, find, &found))
	require.False(t, found.Found)
	find.RequestID = ""
	require.ErrorIs(t, call(calcom.MethodFindBooking, find, &found), rpc.ErrValidation)

	var moved calcom.Booking
	require.NoError(t, call(calcom.MethodRescheduleBooking, calcom.RescheduleBookingParams{CompanyID: "c1",
		UID: b.UID, Start: avail.Slots[2].Start}, &moved))
	require.NotEqual(t, b.UID, moved.UID)
	require.Equal(t, b.UID, moved.RescheduledFromUID)

	require.ErrorIs(t, call(calcom.MethodCancelBooking, calcom.CancelBookingParams{CompanyID: "c1", UID: moved.UID}, &b), rpc.ErrValidation)
	require.NoError(t, call(calcom.MethodCancelBooking, calcom.CancelBookingParams{CompanyID: "c1", UID: moved.UID, Reason: "ill"}, &b))
	require.Equal(t, "cancelled", b.Status)
	require.ErrorIs(t, call(calcom.MethodCancelBooking, calcom.CancelBookingParams{CompanyID: "c1", UID: "nope", Reason: "x"}, &b), rpc.ErrNotFound)
	for _, stored := range sim.Bookings() {
		require.Equal(t, "cancelled", stored.Status, "no orphan bookings")
	}
}

// A booking whose answer was lost and whose lookup failed crosses the bus as -32006 with
// ErrorData.OutcomeUnknown, so the caller records it for reconciliation; findBooking then
// settles it.
func TestOutcomeUnknownCrossesTheBus(t *testing.T) {
	p, sim, _ := start(t)
	sim.InjectNext(calsim.Fault{Kind: calsim.FaultDrop, Route: "POST /v2/bookings", AfterHandler: true})
	for range 3 { // every attempt of the lookup (RetryAttempts)
		sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/bookings"})
	}
	start := time.Date(2030, 4, 1, 7, 0, 0, 0, time.UTC)
	var b calcom.Booking
	err := p.Call(t.Context(), calcom.Service, calcom.MethodCreateBooking, calcom.CreateBookingParams{CompanyID: "c1",
		RequestID: "lost", EventTypeID: 100, Start: start, Name: "Erika", Phone: "+4915112345678", TimeZone: "Europe/Berlin"}, &b)
	require.ErrorIs(t, err, rpc.ErrUpstreamUnavailable)
	var rerr *rpc.Error
	require.ErrorAs(t, err, &rerr)
	var data calcom.ErrorData
	require.NoError(t, rerr.DecodeData(&data))
	require.True(t, data.OutcomeUnknown)
	require.Len(t, sim.Bookings(), 1, "Cal.com did book it")

	var found calcom.FindBookingResult
	require.NoError(t, p.Call(t.Context(), calcom.Service, calcom.MethodFindBooking,
		calcom.FindBookingParams{CompanyID: "c1", EventTypeID: 100, Start: start, RequestID: "lost"}, &found))
	require.True(t, found.Found)
	require.Equal(t, sim.Bookings()[0].UID, found.Booking.UID)
}

func TestBulkAndSync(t *testing.T) {
	p, _, db := start(t)
	ctx := t.Context()
	criteria := []calcom.AvailabilityParams{
		{EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"},
		{EventTypeID: 999, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"},
		{EventTypeID: 101, From: "2030-04-01", To: "2030-04-02", TimeZone: "Europe/Berlin"},
		{EventTypeID: 100, From: "2030-04-06", To: "2030-04-07", TimeZone: "Europe/Berlin"},
	}
	var bulk calcom.BulkAvailabilityResult
	require.NoError(t, p.Call(ctx, calcom.Service, calcom.MethodBulkCheckAvailability,
		calcom.BulkAvailabilityParams{CompanyID: "c1", Criteria: criteria}, &bulk))
	require.Len(t, bulk.Results, 4)
	require.Len(t, bulk.Results[0].Slots, 16)
	require.Equal(t, rpc.CodeNotFound, bulk.Results[1].ErrorCode)
	require.Len(t, bulk.Results[2].Slots, 16)
	require.Empty(t, bulk.Results[3].Slots, "weekend")

	var synced calcom.SyncEventTypesResult
	require.NoError(t, p.Call(ctx, calcom.Service, calcom.MethodSyncEventTypes, calcom.SyncEventTypesParams{CompanyID: "c1"}, &synced))
	require.Equal(t, "praxis-berlin", synced.Username)
	require.Len(t, synced.EventTypes, 2)
	require.True(t, synced.EventTypes[1].RequiresEmail)
	db.mu.Lock()
	defer db.mu.Unlock()
	require.Len(t, db.upserted, 2, "stored through the database service")
	require.Equal(t, database.EventType{CompanyID: "c1", CalcomEventTypeID: 100, Name: "Beratung", DurationMinutes: 30, Active: true}, db.upserted[0])
}

func TestCompanyWithoutKey(t *testing.T) {
	p, _, _ := start(t)
	var avail calcom.AvailabilityResult
	err := p.Call(t.Context(), calcom.Service, calcom.MethodGetAvailability, calcom.AvailabilityParams{CompanyID: "c2",
		EventTypeID: 100, From: "2030-04-01", To: "2030-04-01", TimeZone: "Europe/Berlin"}, &avail)
	require.ErrorIs(t, err, rpc.ErrUnauthorized)
}
