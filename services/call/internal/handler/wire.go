package handler

import (
	"context"
	"errors"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// wire maps a domain error to its wire code. Errors the bus already carries as retryable
// (upstream unavailable, rate limited, deadline) keep their code so callers can retry; anything
// unknown becomes -32603 with a generic message, and the detail goes to the log.
func (h *Handler) wire(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, call.ErrInvalidPayload):
		return rpc.NewError(rpc.CodeInvalidParams, "invalid retell payload", nil)
	case errors.Is(err, call.ErrInvalidInput):
		return rpc.NewError(rpc.CodeValidation, err.Error(), nil)
	case errors.Is(err, call.ErrUnroutable):
		return rpc.NewError(rpc.CodeNotFound, "no branch for this call", nil)
	case errors.Is(err, call.ErrNotFound):
		return rpc.NewError(rpc.CodeNotFound, "not found", nil)
	case errors.Is(err, call.ErrStale):
		return rpc.NewError(rpc.CodeConflict, "call kept changing while it was analysed", nil)
	}
	var re *rpc.Error
	if errors.As(err, &re) && rpc.Retryable(re.Code) {
		return rpc.NewError(re.Code, re.Message, nil)
	}
	logging.FromContext(ctx).Error().Err(err).Msg("call_internal_error")
	return rpc.NewError(rpc.CodeInternal, "internal error", nil)
}

// Metadata maps an extraction to the wire.
func Metadata(e call.Extraction) callapi.Metadata {
	m := callapi.Metadata{
		CallerName: e.CallerName, Service: e.Service, ServiceID: e.ServiceID, Intent: string(e.Intent),
		Sentiment: string(e.Sentiment), SentimentSource: e.SentimentSource, Outcome: string(e.Outcome),
	}
	for _, w := range e.PreferredTimes {
		tw := callapi.TimeWindow{Start: w.Start, Readback: w.Readback}
		if !w.End.IsZero() {
			end := w.End
			tw.End = &end
		}
		m.PreferredTimes = append(m.PreferredTimes, tw)
	}
	return m
}

// Report maps an analytics report to the wire.
func Report(r call.Report) callapi.AnalyticsResult {
	out := callapi.AnalyticsResult{
		TimeZone: r.TimeZone, Total: figures(r.Total),
		ByDay: groups(r.ByDay), ByBranch: groups(r.ByBranch), Rows: make([]callapi.Row, 0, len(r.Rows)),
	}
	for _, row := range r.Rows {
		out.Rows = append(out.Rows, callapi.Row{Day: row.Day, BranchID: row.BranchID, Figures: figures(row.Figures)})
	}
	return out
}

func groups(gs []call.Group) []callapi.Group {
	out := make([]callapi.Group, 0, len(gs))
	for _, g := range gs {
		out = append(out, callapi.Group{Key: g.Key, Figures: figures(g.Figures)})
	}
	return out
}

func figures(f call.Figures) callapi.Figures {
	return callapi.Figures{
		Calls: f.Calls, Answered: f.Answered, AvgDurationSeconds: f.AvgDurationSeconds,
		P50DurationSeconds: f.P50DurationSeconds, P90DurationSeconds: f.P90DurationSeconds,
		BookingsFromCalls: f.BookingsFromCalls, Conversion: f.Conversion,
		Cancellations: f.Cancellations, Reschedules: f.Reschedules,
		MissedOpportunities: f.MissedOpportunities, SentimentPositive: f.SentimentPositive,
		SentimentNeutral: f.SentimentNeutral, SentimentNegative: f.SentimentNegative,
	}
}
