package intent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

type fakeRouting struct {
	got  routing.AnalyzeIntentParams
	opts int
	res  routing.Intent
	err  error
}

func (f *fakeRouting) AnalyzeIntent(_ context.Context, p routing.AnalyzeIntentParams, opts ...rpc.CallOption) (routing.Intent, error) {
	f.got, f.opts = p, len(opts)
	return f.res, f.err
}

func TestAnalyzer(t *testing.T) {
	ref := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	r := &fakeRouting{res: routing.Intent{Action: "reschedule", Service: &routing.Match{ID: "s1", Name: "Färben"},
		Times: []routing.When{{Kind: "at", Start: ref.Add(time.Hour), Readback: "heute um 11 Uhr"}}, Caller: routing.Caller{Name: "Eva"}}}
	u, err := New(r).AnalyzeIntent(t.Context(), call.IntentQuery{CompanyID: "c1", BranchID: "b1", Text: "x", Reference: ref})
	require.NoError(t, err)
	require.Equal(t, call.Understanding{Intent: call.IntentReschedule, CallerName: "Eva", Service: "Färben", ServiceID: "s1",
		Times: []call.TimeWindow{{Start: ref.Add(time.Hour), Readback: "heute um 11 Uhr"}}}, u)
	require.Equal(t, routing.AnalyzeIntentParams{CompanyID: "c1", BranchID: "b1", Text: "x", ReferenceTime: ref}, r.got)
	require.Equal(t, 1, r.opts, "asks on the low lane")

	r.err = rpc.ErrNoResponders
	_, err = New(r).AnalyzeIntent(t.Context(), call.IntentQuery{Text: "x"})
	require.True(t, errors.Is(err, rpc.ErrNoResponders))
}

func TestIntentOf(t *testing.T) {
	for action, want := range map[string]call.Intent{"book": call.IntentBooking, "cancel": call.IntentCancellation,
		"reschedule": call.IntentReschedule, "info": call.IntentInfo, "none": call.IntentNone, "": call.IntentNone} {
		require.Equal(t, want, intentOf(action), action)
	}
}
