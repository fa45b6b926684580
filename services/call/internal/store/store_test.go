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

type fakeBus struct {
	method string
	params any
	tenant string
	err    error
}

func (f *fakeBus) Call(ctx context.Context, _, method string, params, _ any, _ ...rpc.CallOption) error {
	f.method, f.params = method, params
	f.tenant, _ = rpc.TenantFrom(ctx)
	return f.err
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
			err := New(&fakeBus{err: tc.err}, "service:call").LinkAppointment(t.Context(), "c1", "k1", "a1")
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSaveParams(t *testing.T) {
	bus := &fakeBus{}
	d := 95
	end := time.Date(2026, 11, 24, 10, 1, 35, 0, time.UTC)
	_, err := New(bus, "service:call").SaveCall(t.Context(), call.Record{CompanyID: "c1", BranchID: "b1",
		RetellCallID: "call_1", Status: call.StatusEnded, DurationSeconds: &d, EndedAt: end, Raw: []byte(`{}`)})
	require.NoError(t, err)
	p := bus.params.(database.SaveCallParams)
	require.Equal(t, database.MethodCallsSave, bus.method)
	require.Equal(t, "c1", bus.tenant)
	require.Equal(t, "ended", p.Status)
	require.Equal(t, end, *p.EndedAt)
	require.Equal(t, "service:call", p.Actor)
}

func TestStoredAndDayRow(t *testing.T) {
	c := Stored(database.Call{ID: "k1", RetellCallID: "call_1", Status: "analyzed", DurationSeconds: 12, AppointmentID: "a1"})
	require.Equal(t, "k1", c.ID)
	require.Equal(t, 12, *c.DurationSeconds)
	require.Equal(t, call.StatusAnalyzed, c.Status)
	require.Nil(t, dayRow(database.DailyStats{Calls: 2}).P50DurationSeconds, "no answered calls: no percentiles")
	require.Equal(t, 30.0, *dayRow(database.DailyStats{Calls: 2, Answered: 1, P90DurationSeconds: 30}).P90DurationSeconds)
}
