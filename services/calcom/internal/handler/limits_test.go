package handler_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/calcom/internal/calsim"
)

func intp(n int) *int { return &n }

// syncEventTypeLimits reads every catalogue event type by its Cal.com id and stores Cal.com's
// limits, nil where Cal.com has none; a stale Cal.com id is reported, not stored.
func TestSyncEventTypeLimits(t *testing.T) {
	seed := calsim.DefaultSeed(key)
	seed.EventTypes[0].MinimumBookingNotice = intp(45)
	seed.EventTypes[0].BookingWindow = &calsim.BookingWindow{Type: calsim.WindowCalendarDays, Days: 21}
	seed.EventTypes[1].BookingWindow = &calsim.BookingWindow{Type: calsim.WindowRange, From: "2030-03-01", To: "2030-03-11"}
	seed.EventTypes[1].BookingWindowShape = "object"
	seed.EventTypes = append(seed.EventTypes, calsim.EventType{ID: 102, UserID: 1, Slug: "frei", Title: "Frei",
		LengthInMinutes: 15, ScheduleID: 1})
	p, _, db := startWith(t, seed)
	db.catalog = []database.EventType{
		{ID: "e1", CompanyID: "c1", CalcomEventTypeID: 100, Name: "Beratung"},
		{ID: "e2", CompanyID: "c1", CalcomEventTypeID: 101, Name: "Behandlung"},
		{ID: "e3", CompanyID: "c1", CalcomEventTypeID: 102, Name: "Frei"},
		{ID: "e4", CompanyID: "c1", CalcomEventTypeID: 4711, Name: "Gelöscht"},
	}
	var res calcom.SyncEventTypeLimitsResult
	require.NoError(t, p.Call(t.Context(), calcom.Service, calcom.MethodSyncEventTypeLimits,
		calcom.SyncEventTypeLimitsParams{CompanyID: "c1"}, &res))
	require.Equal(t, []calcom.EventTypeLimits{
		{EventTypeID: "e1", CalcomEventTypeID: 100, Name: "Beratung", MinimumNoticeMinutes: intp(45), BookingHorizonDays: intp(21), WindowType: "calendarDays"},
		{EventTypeID: "e2", CalcomEventTypeID: 101, Name: "Behandlung", BookingHorizonDays: intp(10), WindowType: "range"},
		{EventTypeID: "e3", CalcomEventTypeID: 102, Name: "Frei"},
		{EventTypeID: "e4", CalcomEventTypeID: 4711, Name: "Gelöscht", Error: "cal.com does not know this event type"},
	}, res.EventTypes)
	db.mu.Lock()
	defer db.mu.Unlock()
	require.Equal(t, []database.SetCalcomLimitsParams{
		{CompanyID: "c1", CalcomEventTypeID: 100, MinimumNoticeMinutes: intp(45), BookingHorizonDays: intp(21)},
		{CompanyID: "c1", CalcomEventTypeID: 101, BookingHorizonDays: intp(10)},
		{CompanyID: "c1", CalcomEventTypeID: 102},
	}, db.limits)
}

func TestSyncEventTypeLimitsErrors(t *testing.T) {
	p, sim, db := start(t)
	db.catalog = []database.EventType{{ID: "e1", CompanyID: "c1", CalcomEventTypeID: 100, Name: "Beratung"}}
	call := func(company string) error {
		var res calcom.SyncEventTypeLimitsResult
		return p.Call(t.Context(), calcom.Service, calcom.MethodSyncEventTypeLimits,
			calcom.SyncEventTypeLimitsParams{CompanyID: company}, &res)
	}
	require.ErrorIs(t, call("c2"), rpc.ErrUnauthorized, "no Cal.com key")
	require.ErrorIs(t, call(""), rpc.ErrValidation)
	for range 3 {
		sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/event-types/{eventTypeId}"})
	}
	require.ErrorIs(t, call("c1"), rpc.ErrUpstreamUnavailable)
	db.mu.Lock()
	defer db.mu.Unlock()
	require.Empty(t, db.limits, "nothing stored when Cal.com fails")
}
