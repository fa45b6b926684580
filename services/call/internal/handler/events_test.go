package handler

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

type notified struct {
	method string
	params any
	opts   int
	tenant string
}

type fakeBus struct{ sent []notified }

func (f *fakeBus) Notify(ctx context.Context, _, method string, params any, opts ...rpc.CallOption) error {
	tenant, _ := rpc.TenantFrom(ctx)
	f.sent = append(f.sent, notified{method: method, params: params, opts: len(opts), tenant: tenant})
	return nil
}

func TestOnCallSavedStartsJobsForFinishedCalls(t *testing.T) {
	tests := []struct {
		status string
		job    bool
	}{
		{"registered", false}, {"ongoing", false}, {"ended", true}, {"error", true}, {"analyzed", true},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			bus := &fakeBus{}
			h := New(nil, bus, zerolog.Nop(), time.Second)
			require.NoError(t, h.onCallSaved(t.Context(), database.CallSavedEvent{CompanyID: "c1", CallID: "k1", Status: tc.status}))
			if !tc.job {
				require.Empty(t, bus.sent)
				return
			}
			require.Equal(t, []notified{{method: callapi.MethodAnalyzeCall, opts: 1, tenant: "c1",
				params: callapi.AnalyzeCallParams{CompanyID: "c1", CallID: "k1"}}}, bus.sent)

			// The extraction's own write starts no further job.
			bus.sent = nil
			require.NoError(t, h.onCallSaved(t.Context(), database.CallSavedEvent{CompanyID: "c1", CallID: "k1",
				Status: tc.status, Derived: true}))
			require.Empty(t, bus.sent)
		})
	}
}

func TestOnBookingCreatedWithoutCallIsIgnored(t *testing.T) {
	h := New(nil, &fakeBus{}, zerolog.Nop(), time.Second)
	require.NoError(t, h.onBookingCreated(t.Context(), database.AppointmentEvent{CompanyID: "c1",
		Appointment: database.Appointment{ID: "a1"}}))
}
