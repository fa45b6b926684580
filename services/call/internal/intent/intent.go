// Package intent implements the call domain's IntentAnalyzer by calling routing.analyzeIntent
// over the bus. pkg/api/routing does not exist yet, so the wire shapes are declared here from
// routing's parser (services/routing/internal/routing.Intent); move them to pkg/api/routing
// when routing publishes its contract.
package intent

import (
	"context"
	"fmt"
	"time"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// Routing's service and method names.
const (
	Service             = "routing"
	MethodAnalyzeIntent = "analyzeIntent"
)

// Params are routing.analyzeIntent's params: the caller's words, anchored at the call's start
// in the branch's time zone and matched against the branch's catalogue.
type Params struct {
	CompanyID     string    `json:"company_id" msgpack:"company_id"`
	BranchID      string    `json:"branch_id,omitempty" msgpack:"branch_id,omitempty"`
	Text          string    `json:"text" msgpack:"text"`
	ReferenceTime time.Time `json:"reference_time" msgpack:"reference_time"`
}

// Match is a catalogue entry routing recognised.
type Match struct {
	ID    string  `json:"id" msgpack:"id"`
	Name  string  `json:"name" msgpack:"name"`
	Score float64 `json:"score" msgpack:"score"`
}

// When is one reading of a requested time.
type When struct {
	Kind     string    `json:"kind" msgpack:"kind"`
	Start    time.Time `json:"start" msgpack:"start"`
	End      time.Time `json:"end,omitzero" msgpack:"end,omitempty"`
	Readback string    `json:"readback,omitempty" msgpack:"readback,omitempty"`
}

// Caller is what callers say about themselves.
type Caller struct {
	Name string `json:"name,omitempty" msgpack:"name,omitempty"`
}

// Result is routing.analyzeIntent's result. Action is none, book, cancel, reschedule or info.
type Result struct {
	Action  string `json:"action" msgpack:"action"`
	Service *Match `json:"service,omitempty" msgpack:"service,omitempty"`
	Times   []When `json:"times,omitempty" msgpack:"times,omitempty"`
	Caller  Caller `json:"caller" msgpack:"caller"`
}

// Bus is the part of rpc.Client the analyzer uses.
type Bus interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Analyzer is call.IntentAnalyzer over the bus. Extraction is background work, so it asks on
// the low lane.
type Analyzer struct{ bus Bus }

// New returns an Analyzer.
func New(bus Bus) *Analyzer { return &Analyzer{bus: bus} }

var _ call.IntentAnalyzer = (*Analyzer)(nil)

// AnalyzeIntent implements call.IntentAnalyzer.
func (a *Analyzer) AnalyzeIntent(ctx context.Context, q call.IntentQuery) (call.Understanding, error) {
	if q.CompanyID != "" {
		ctx = rpc.WithTenant(ctx, q.CompanyID)
	}
	var r Result
	p := Params{CompanyID: q.CompanyID, BranchID: q.BranchID, Text: q.Text, ReferenceTime: q.Reference}
	if err := a.bus.Call(ctx, Service, MethodAnalyzeIntent, p, &r, rpc.WithLane(rpc.LaneLow)); err != nil {
		return call.Understanding{}, fmt.Errorf("routing.analyzeIntent: %w", err)
	}
	return Understanding(r), nil
}

// Understanding maps routing's answer to the domain's.
func Understanding(r Result) call.Understanding {
	u := call.Understanding{Intent: intentOf(r.Action), CallerName: r.Caller.Name}
	if r.Service != nil {
		u.Service, u.ServiceID = r.Service.Name, r.Service.ID
	}
	for _, w := range r.Times {
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
