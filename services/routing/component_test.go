package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/api/database"
	api "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

// Fixtures: one company with a Berlin branch.
const (
	companyID   = "c0000000-0000-4000-8000-000000000001"
	branchID    = "b0000000-0000-4000-8000-000000000001"
	branchPhone = "+493012345678"
)

// fakeDatabase stands in for the database service on the real bus.
type fakeDatabase struct {
	mu         sync.Mutex
	branchName string
	lookups    int
}

func (f *fakeDatabase) branch() database.Branch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return database.Branch{
		ID: branchID, CompanyID: companyID, Name: f.branchName, PhoneNumber: branchPhone, TimeZone: "Europe/Berlin",
		Active: true, OpeningHours: database.OpeningHours{
			"mon": {{From: "09:00", To: "18:00"}}, "tue": {{From: "09:00", To: "18:00"}},
			"wed": {{From: "09:00", To: "18:00"}}, "thu": {{From: "09:00", To: "20:00"}},
			"fri": {{From: "09:00", To: "18:00"}}, "sat": {{From: "09:00", To: "14:00"}},
		},
	}
}

func (f *fakeDatabase) rename(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.branchName = name
}

func (f *fakeDatabase) register(s *rpc.Server) {
	rpc.Register(s, database.MethodBranchesByPhone, func(_ context.Context, p database.BranchByPhoneParams) (database.Branch, error) {
		f.mu.Lock()
		f.lookups++
		f.mu.Unlock()
		if p.PhoneNumber != branchPhone {
			return database.Branch{}, rpc.ErrNotFound
		}
		return f.branch(), nil
	})
	rpc.Register(s, database.MethodBranchesGet, func(_ context.Context, p database.BranchParams) (database.Branch, error) {
		if p.CompanyID != companyID || p.BranchID != branchID {
			return database.Branch{}, rpc.ErrNotFound
		}
		return f.branch(), nil
	})
	rpc.Register(s, database.MethodEventTypesList, func(context.Context, database.CatalogueParams) (database.EventTypeList, error) {
		return database.EventTypeList{EventTypes: []database.EventType{
			{ID: "et-damen", Name: "Damenhaarschnitt", Aliases: []string{"Haare schneiden"}, Active: true},
			{ID: "et-massage", Name: "Massage", Aliases: []string{"Rückenmassage"}, Active: true},
			{ID: "et-alt", Name: "Dauerwelle", Active: false},
		}}, nil
	})
	rpc.Register(s, database.MethodStaffList, func(context.Context, database.CatalogueParams) (database.StaffList, error) {
		return database.StaffList{Staff: []database.Staff{
			{ID: "s-maria", Name: "Maria Schmidt", EventTypeIDs: []string{"et-damen"}, Active: true},
			{ID: "s-jonas", Name: "Jonas Weber", EventTypeIDs: []string{"et-massage"}, Active: true},
		}}, nil
	})
}

// fakeBooking answers that Maria and Jonas are free at the wish, and Maria also later.
func registerBooking(s *rpc.Server) {
	rpc.Register(s, booking.MethodCheckAvailability, func(_ context.Context, p booking.AvailabilityParams) (booking.AvailabilityResult, error) {
		return booking.AvailabilityResult{Exact: true, Options: []booking.Option{
			{StaffID: "s-maria", Start: p.At}, {StaffID: "s-jonas", Start: p.At},
			{StaffID: "s-maria", Start: p.At.Add(time.Hour)},
		}}, nil
	})
}

func startRouting(t *testing.T) (*api.Client, *rpc.Client, *fakeDatabase) {
	t.Helper()
	env := testenv.Redis(t)
	db := &fakeDatabase{branchName: "Salon Mitte"}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, database.Service, "db-0"), nil, db.register)
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, booking.Service, "booking-0"), nil, registerBooking)
	testenv.StartService(t, run, map[string]string{
		"REDIS_URL": env.URL, "RPC_NAMESPACE": rpctest.Namespace(env), "LOG_LEVEL": "error", "POD_NAME": "routing-0",
		"AGENT_BRANCHES": "agent-web=" + companyID + "/" + branchID,
	})
	rpctest.WaitLive(t, env, rpctest.Namespace(env), api.Service, "routing-0")
	bus := rpctest.NewClient(t, env, "client-"+testenv.RandomSuffix(), nil)
	return api.NewClient(bus), bus, db
}

func TestComponentResolveBranch(t *testing.T) {
	client, _, db := startRouting(t)
	for _, number := range []string{"030 12345678", "+49 30 12345678", "(030) 123 456-78"} {
		b, err := client.ResolveBranch(t.Context(), api.ResolveBranchParams{PhoneNumber: number})
		require.NoError(t, err)
		require.Equal(t, branchID, b.ID)
		require.Equal(t, companyID, b.CompanyID)
	}
	db.mu.Lock()
	require.Equal(t, 1, db.lookups, "one lookup, then the cache")
	db.mu.Unlock()

	_, err := client.ResolveBranch(t.Context(), api.ResolveBranchParams{PhoneNumber: "+49 30 99999999"})
	require.ErrorIs(t, err, rpc.ErrNotFound)
	_, err = client.ResolveBranch(t.Context(), api.ResolveBranchParams{PhoneNumber: "hallo"})
	require.ErrorIs(t, err, rpc.ErrValidation)
}

func TestComponentBranchChangedDropsTheCache(t *testing.T) {
	client, bus, db := startRouting(t)
	b, err := client.ResolveBranch(t.Context(), api.ResolveBranchParams{PhoneNumber: branchPhone})
	require.NoError(t, err)
	require.Equal(t, "Salon Mitte", b.Name)

	db.rename("Salon Mitte am Park")
	require.NoError(t, bus.Publish(t.Context(), api.TopicBranchChanged,
		api.BranchChangedEvent{CompanyID: companyID, BranchID: branchID, PhoneNumbers: []string{branchPhone}}))
	testenv.Eventually(t, 30*time.Second, func() bool {
		b, err := client.ResolveBranch(context.Background(), api.ResolveBranchParams{PhoneNumber: branchPhone})
		return err == nil && b.Name == "Salon Mitte am Park"
	}, "the renamed branch is served after branch.changed")
}

func TestComponentAnalyzeIntent(t *testing.T) {
	client, _, _ := startRouting(t)
	ref := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) // 10:00 in Berlin
	in, err := client.AnalyzeIntent(t.Context(), api.AnalyzeIntentParams{
		CompanyID: companyID, BranchID: branchID, ReferenceTime: ref,
		Text: "Guten Morgen, ich hätte gern Haare schneiden bei Maria, nächsten Dienstag um halb drei",
	})
	require.NoError(t, err)
	require.Equal(t, "book", in.Action)
	require.Equal(t, "et-damen", in.Service.ID)
	require.Equal(t, "s-maria", in.Staff.ID)
	require.Len(t, in.Times, 1)
	require.Equal(t, "Dienstag, 1. Dezember, um 14:30 Uhr", in.Times[0].Readback)
	require.True(t, in.Times[0].Start.Equal(time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC)))

	_, err = client.AnalyzeIntent(t.Context(), api.AnalyzeIntentParams{CompanyID: companyID, BranchID: "other", Text: "morgen"})
	require.ErrorIs(t, err, rpc.ErrNotFound)
}

func TestComponentFindAvailableStaff(t *testing.T) {
	client, _, _ := startRouting(t)
	start := time.Date(2026, 11, 25, 13, 30, 0, 0, time.UTC)
	got, err := client.FindAvailableStaff(t.Context(), api.FindAvailableStaffParams{
		CompanyID: companyID, BranchID: branchID, EventTypeID: "et-damen", Start: start,
	})
	require.NoError(t, err)
	require.Equal(t, []api.StaffMember{{ID: "s-maria", Name: "Maria Schmidt"}}, got.Staff)

	_, err = client.FindAvailableStaff(t.Context(), api.FindAvailableStaffParams{CompanyID: companyID, BranchID: branchID})
	require.ErrorIs(t, err, rpc.ErrValidation)
}

func TestComponentRouteCall(t *testing.T) {
	tests := []struct {
		name   string
		params api.RouteCallParams
		typ    string
		staff  string
	}{
		{name: "phone call, no words yet", params: api.RouteCallParams{CallType: api.CallTypePhone, ToNumber: "030 12345678"},
			typ: api.RouteNextAvailable},
		{name: "phone call asking for maria", params: api.RouteCallParams{ToNumber: branchPhone, Text: "einen Termin bei Maria bitte"},
			typ: api.RouteSpecificStaff, staff: "s-maria"},
		{name: "web call by metadata", params: api.RouteCallParams{CallType: api.CallTypeWeb,
			Metadata: map[string]any{api.MetaCompanyID: companyID, api.MetaBranchID: branchID}, Text: "was kostet eine Massage"},
			typ: api.RouteInfoOnly},
		{name: "web call by agent", params: api.RouteCallParams{CallType: api.CallTypeWeb, AgentID: "agent-web"},
			typ: api.RouteNextAvailable},
	}
	client, _, _ := startRouting(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := client.RouteCall(t.Context(), tc.params)
			require.NoError(t, err)
			require.Equal(t, tc.typ, d.Type)
			require.Equal(t, branchID, d.BranchID)
			require.Equal(t, tc.staff, d.StaffID)
		})
	}
	_, err := client.RouteCall(t.Context(), api.RouteCallParams{CallType: api.CallTypeWeb, AgentID: "nobody"})
	require.ErrorIs(t, err, rpc.ErrValidation)
}
