// Package intent implements the call domain's IntentAnalyzer with routing's typed client
// (pkg/api/routing): routing.analyzeIntent on the bus, on the low lane.
package intent

import (
	"context"
	"fmt"

	"github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// Routing is the part of routing's typed client (pkg/api/routing.Client) the analyzer uses.
type Routing interface {
	AnalyzeIntent(ctx context.Context, p routing.AnalyzeIntentParams, opts ...rpc.CallOption) (routing.Intent, error)
}

// Analyzer is call.IntentAnalyzer over the bus. Extraction is background work, so it asks on
// the low lane.
type Analyzer struct{ routing Routing }

// New returns an Analyzer.
func New(r Routing) *Analyzer { return &Analyzer{routing: r} }

var _ call.IntentAnalyzer = (*Analyzer)(nil)

// AnalyzeIntent implements call.IntentAnalyzer.
func (a *Analyzer) AnalyzeIntent(ctx context.Context, q call.IntentQuery) (call.Understanding, error) {
	in, err := a.routing.AnalyzeIntent(ctx, routing.AnalyzeIntentParams{
		CompanyID: q.CompanyID, BranchID: q.BranchID, Text: q.Text, ReferenceTime: q.Reference,
	}, rpc.WithLane(rpc.LaneLow))
	if err != nil {
		return call.Understanding{}, fmt.Errorf("routing.analyzeIntent: %w", err)
	}
	return Understanding(in), nil
}

// Understanding maps routing's answer to the domain's. Ambiguous times stay candidates.
func Understanding(in routing.Intent) call.Understanding {
	u := call.Understanding{Intent: intentOf(in.Action), CallerName: in.Caller.Name}
	if in.Service != nil {
		u.Service, u.ServiceID = in.Service.Name, in.Service.ID
	}
	for _, w := range in.Times {
		u.Times = append(u.Times, call.TimeWindow{Start: w.Start, End: w.End, Readback: w.Readback})
	}
	return u
}

func intentOf(action string) call.Intent {
	switch action {
	case "book":
		return call.IntentBooking
	case "cancel":
		return call.IntentCancellation
	case "reschedule":
		return call.IntentReschedule
	case "info":
		return call.IntentInfo
	}
	return call.IntentNone
}
