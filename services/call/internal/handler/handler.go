// Package handler is the call service's face on the bus: it registers the JSON-RPC methods and
// event subscriptions, decodes params, calls the domain and maps domain errors to wire codes.
package handler

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// Group is the consumer group of every subscription of the call service.
const Group = callapi.Service

// Bus is the part of rpc.Client the handler uses to start extraction jobs on the low lane.
type Bus interface {
	Notify(ctx context.Context, service, method string, params any, opts ...rpc.CallOption) error
}

// Handler serves the call service's methods and events.
type Handler struct {
	svc    *call.Service
	bus    Bus
	log    zerolog.Logger
	jobTTL time.Duration
}

// New returns a Handler; jobTimeout bounds one extraction job.
func New(svc *call.Service, bus Bus, log zerolog.Logger, jobTimeout time.Duration) *Handler {
	return &Handler{svc: svc, bus: bus, log: log, jobTTL: jobTimeout}
}

// Register adds the methods and subscriptions to s. Call it before s.Run.
func (h *Handler) Register(s *rpc.Server) {
	rpc.Register(s, callapi.MethodSave, h.save, rpc.Summary("store one Retell lifecycle webhook (idempotent)"))
	rpc.Register(s, callapi.MethodExtractMetadata, h.extractMetadata, rpc.Summary("understand a transcript"))
	rpc.Register(s, callapi.MethodLinkToAppointment, h.link, rpc.Summary("link a call to its appointment"))
	rpc.Register(s, callapi.MethodAnalytics, h.analytics, rpc.Summary("call figures by day and branch"))
	rpc.Register(s, callapi.MethodAnalyzeCall, h.analyzeCall, rpc.Summary("extraction job (low lane)"))
	rpc.Subscribe(s, callapi.TopicRetellWebhook, Group, h.onRetellWebhook)
	rpc.Subscribe(s, database.TopicCallSaved, Group, h.onCallSaved)
	rpc.Subscribe(s, database.TopicBookingCreated, Group, h.onBookingCreated)
}

// company is the tenant the request acts for: the params' company, or the envelope's tenant.
// A request naming another tenant than its envelope is refused.
func company(ctx context.Context, fromParams string) (string, error) {
	t, ok := rpc.TenantFrom(ctx)
	switch {
	case !ok || t == "":
		return fromParams, nil
	case fromParams == "" || fromParams == t:
		return t, nil
	}
	return "", rpc.NewError(rpc.CodeUnauthorized, "company does not match the acting tenant", nil)
}

func (h *Handler) save(ctx context.Context, p callapi.SaveParams) (callapi.SaveResult, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return callapi.SaveResult{}, err
	}
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = clock.Now() // business time: a test-clock build follows the test (pkg/clock)
	}
	s, err := h.svc.Save(ctx, companyID, p.Body, p.ReceivedAt)
	if ignorable(err) {
		return callapi.SaveResult{Ignored: true}, nil
	}
	if err != nil {
		return callapi.SaveResult{}, h.wire(ctx, err)
	}
	return callapi.SaveResult{CallID: s.CallID, CustomerID: s.CustomerID, Status: string(s.Status)}, nil
}

func (h *Handler) extractMetadata(ctx context.Context, p callapi.ExtractMetadataParams) (callapi.Metadata, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return callapi.Metadata{}, err
	}
	e, err := h.svc.ExtractMetadata(ctx, call.Conversation{
		CompanyID: companyID, BranchID: p.BranchID, Transcript: p.Transcript, StartedAt: p.StartedAt,
		RetellSentiment: call.ParseSentiment(p.UserSentiment), AppointmentID: p.AppointmentID,
	})
	if err != nil {
		return callapi.Metadata{}, h.wire(ctx, err)
	}
	return Metadata(e), nil
}

func (h *Handler) link(ctx context.Context, p callapi.LinkParams) (callapi.LinkResult, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return callapi.LinkResult{}, err
	}
	ref := call.CallRef{ID: p.CallID, RetellCallID: p.RetellCallID}
	id, err := h.svc.Link(ctx, companyID, ref, p.AppointmentID)
	if err != nil {
		return callapi.LinkResult{}, h.wire(ctx, err)
	}
	return callapi.LinkResult{CallID: id}, nil
}

func (h *Handler) analytics(ctx context.Context, p callapi.AnalyticsParams) (callapi.AnalyticsResult, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return callapi.AnalyticsResult{}, err
	}
	r, err := h.svc.Analytics(ctx, call.AnalyticsQuery{
		CompanyID: companyID, BranchID: p.BranchID, From: p.From, To: p.To,
	})
	if err != nil {
		return callapi.AnalyticsResult{}, h.wire(ctx, err)
	}
	return Report(r), nil
}

func (h *Handler) analyzeCall(ctx context.Context, p callapi.AnalyzeCallParams) (callapi.AnalyzeCallResult, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return callapi.AnalyzeCallResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.jobTTL)
	defer cancel()
	done, err := h.svc.Analyze(ctx, companyID, call.CallRef{ID: p.CallID})
	if err != nil {
		return callapi.AnalyzeCallResult{}, h.wire(ctx, err)
	}
	return callapi.AnalyzeCallResult{Analyzed: done}, nil
}
