package intent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

type fakeBus struct {
	got    Params
	tenant string
	lane   bool
	res    Result
	err    error
}

func (f *fakeBus) Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error {
	f.got = params.(Params)
	f.tenant, _ = rpc.TenantFrom(ctx)
	f.lane = len(opts) == 1
	*(result.(*Result)) = f.res
	return f.err
}

func TestAnalyzer(t *testing.T) {
	ref := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	bus := &fakeBus{res: Result{Action: "reschedule", Service: &Match{ID: "s1", Name: "Färben"},
		Times: []When{{Kind: "at", Start: ref.Add(time.Hour), Readback: "heute um 11 Uhr"}}, Caller: Caller{Name: "Eva"}}}
	u, err := New(bus).AnalyzeIntent(t.Context(), call.IntentQuery{CompanyID: "c1", BranchID: "b1", Text: "x", Reference: ref})
	require.NoError(t, err)
	require.Equal(t, call.Understanding{Intent: call.IntentReschedule, CallerName: "Eva", Service: "Färben", ServiceID: "s1",
		Times: []call.TimeWindow{{Start: ref.Add(time.Hour), Readback: "heute um 11 Uhr"}}}, u)
	require.Equal(t, Params{CompanyID: "c1", BranchID: "b1", Text: "x", ReferenceTime: ref}, bus.got)
	require.Equal(t, "c1", bus.tenant)
	require.True(t, bus.lane, "asks on the low lane")

	bus.err = rpc.ErrNoResponders
	_, err = New(bus).AnalyzeIntent(t.Context(), call.IntentQuery{Text: "x"})
	require.True(t, errors.Is(err, rpc.ErrNoResponders))
}

func TestIntentOf(t *testing.T) {
	for action, want := range map[string]call.Intent{"book": call.IntentBooking, "cancel": call.IntentCancellation,
		"reschedule": call.IntentReschedule, "info": call.IntentInfo, "none": call.IntentNone, "": call.IntentNone} {
		require.Equal(t, want, intentOf(action), action)
	}
}
