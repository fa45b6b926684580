package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// fakeDB records the last params and answers err.
type fakeDB struct {
	params   any
	actor    string // the identity's actor of the last write
	err      error
	branches []database.Branch
}

func (f *fakeDB) BranchByPhone(_ context.Context, p database.BranchByPhoneParams, _ ...rpc.CallOption) (database.Branch, error) {
	f.params = p
	return database.Branch{ID: "b1", CompanyID: "c1"}, f.err
}

func (f *fakeDB) Branches(_ context.Context, p database.CompanyParams, _ ...rpc.CallOption) (database.BranchList, error) {
	f.params = p
	return database.BranchList{Branches: f.branches}, f.err
}

func (f *fakeDB) SaveCall(ctx context.Context, p database.SaveCallParams, _ ...rpc.CallOption) (database.Call, error) {
	f.params = p
	id, _ := rpc.IdentityFrom(ctx)
	f.actor = id.Actor
	return database.Call{ID: "k1", Status: p.Status}, f.err
}

func (f *fakeDB) Call(_ context.Context, p database.GetCallParams, _ ...rpc.CallOption) (database.Call, error) {
	f.params = p
	return database.Call{}, f.err
}

func (f *fakeDB) LinkAppointment(ctx context.Context, p database.LinkAppointmentParams, _ ...rpc.CallOption) (database.Call, error) {
	f.params = p
	id, _ := rpc.IdentityFrom(ctx)
	f.actor = id.Actor
	return database.Call{}, f.err
}

func (f *fakeDB) Analytics(_ context.Context, p database.AnalyticsParams, _ ...rpc.CallOption) (database.AnalyticsResult, error) {
	f.params = p
	return database.AnalyticsResult{TimeZone: "Europe/Berlin", Days: []database.DailyStats{{Day: "2026-11-01", Calls: 1}}}, f.err
}

func TestErrorsBecomeDomainErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"not found", rpc.ErrNotFound, call.ErrNotFound},
		{"validation", rpc.ErrValidation, call.ErrInvalidInput},
		{"invalid params", rpc.ErrInvalidParams, call.ErrInvalidInput},
		{"other stays", rpc.ErrUpstreamUnavailable, rpc.ErrUpstreamUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := New(&fakeDB{err: tc.err}, "service:call").LinkAppointment(t.Context(), "c1", "k1", "a1")
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSaveParams(t *testing.T) {
	db := &fakeDB{}
	d := 95
	end := time.Date(2026, 11, 24, 10, 1, 35, 0, time.UTC)
	s, err := New(db, "service:call").SaveCall(t.Context(), call.Record{CompanyID: "c1", BranchID: "b1",
		RetellCallID: "call_1", Status: call.StatusEnded, DurationSeconds: &d, EndedAt: end, Raw: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, call.Saved{CallID: "k1", Status: call.StatusEnded}, s)
	p := db.params.(database.SaveCallParams)
	require.Equal(t, "ended", p.Status)
	require.Equal(t, end, *p.EndedAt)
	require.Equal(t, 95, *p.DurationSeconds)
	require.Equal(t, "service:call", db.actor, "on its own account")
}

// A write done for a caller is audited as the caller's; the service's own name is the default.
func TestWritesKeepTheCallersIdentity(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"the voice path", rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "retell:call_1"}), "retell:call_1"},
		{"no one", t.Context(), "service:call"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &fakeDB{}
			s := New(db, "service:call")
			_, err := s.SaveCall(tc.ctx, call.Record{CompanyID: "c1", BranchID: "b1", RetellCallID: "call_1", Status: call.StatusEnded})
			require.NoError(t, err)
			require.Equal(t, tc.want, db.actor)
			db.actor = ""
			require.NoError(t, s.LinkAppointment(tc.ctx, "c1", "k1", "a1"))
			require.Equal(t, tc.want, db.actor)
		})
	}
}

func TestOnlyBranch(t *testing.T) {
	tests := []struct {
		name     string
		branches []database.Branch
		ok       bool
	}{
		{"one active", []database.Branch{{ID: "b1", Active: true}, {ID: "b2"}}, true},
		{"two active", []database.Branch{{ID: "b1", Active: true}, {ID: "b2", Active: true}}, false},
		{"none", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(&fakeDB{branches: tc.branches}, "").OnlyBranch(t.Context(), "c1")
			if !tc.ok {
				require.ErrorIs(t, err, call.ErrNotFound)
				return
			}
			require.NoError(t, err)
			require.Equal(t, call.Branch{ID: "b1", CompanyID: "c1"}, b)
		})
	}
}

func TestStoredAndDaily(t *testing.T) {
	c := Stored(database.Call{ID: "k1", RetellCallID: "call_1", Status: "analyzed", DurationSeconds: 12, AppointmentID: "a1"})
	require.Equal(t, "k1", c.ID)
	require.Equal(t, 12, *c.DurationSeconds)
	require.Equal(t, call.StatusAnalyzed, c.Status)
	require.Nil(t, dayRow(database.DailyStats{Calls: 2}).P50DurationSeconds, "no answered calls: no percentiles")
	require.Equal(t, 30.0, *dayRow(database.DailyStats{Calls: 2, Answered: 1, P90DurationSeconds: 30}).P90DurationSeconds)
	d, err := New(&fakeDB{}, "").Daily(t.Context(), call.AnalyticsQuery{CompanyID: "c1", From: "2026-11-01", To: "2026-11-01"})
	require.NoError(t, err)
	require.Equal(t, "Europe/Berlin", d.TimeZone)
	require.Len(t, d.Rows, 1)
}
