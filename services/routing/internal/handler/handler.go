// Package handler is the routing service's face on the bus: it registers the JSON-RPC methods
// and the branch.changed subscription (every instance), converts wire shapes, calls the domain and maps domain
// errors to wire codes.
package handler

import (
	"context"
	"errors"
	"strings"

	api "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/routing/internal/routing"
)

// Handler serves routing's methods.
type Handler struct {
	svc *routing.Service
}

// New returns a Handler.
func New(svc *routing.Service) *Handler {
	return &Handler{svc: svc}
}

// Register adds the methods and the subscription to s. Call it before s.Run.
func (h *Handler) Register(s *rpc.Server) {
	rpc.Register(s, api.MethodResolveBranch, h.resolveBranch, rpc.Summary("Branch of a dialled number (any notation)"))
	rpc.Register(s, api.MethodAnalyzeIntent, h.analyzeIntent, rpc.Summary("Action, service, staff, times and caller details from words"))
	rpc.Register(s, api.MethodFindAvailableStaff, h.findAvailableStaff, rpc.Summary("Staff offering a service who are free at a time"))
	rpc.Register(s, api.MethodRouteCall, h.routeCall, rpc.Summary("Branch, intent and routing decision for an inbound call"))
	// Every instance keeps its own cache, so each must see every branch.changed event.
	rpc.SubscribeAll(s, api.TopicBranchChanged, h.onBranchChanged)
}

func (h *Handler) resolveBranch(ctx context.Context, p api.ResolveBranchParams) (api.Branch, error) {
	b, err := h.svc.ResolveBranch(ctx, p.PhoneNumber)
	if err != nil {
		return api.Branch{}, wireError(ctx, err)
	}
	return toBranch(b), nil
}

func (h *Handler) analyzeIntent(ctx context.Context, p api.AnalyzeIntentParams) (api.Intent, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return api.Intent{}, err
	}
	in, err := h.svc.AnalyzeIntent(ctx, companyID, p.BranchID, p.Text, p.ReferenceTime)
	if err != nil {
		return api.Intent{}, wireError(ctx, err)
	}
	return toIntent(in), nil
}

func (h *Handler) findAvailableStaff(ctx context.Context, p api.FindAvailableStaffParams) (api.StaffList, error) {
	companyID, err := company(ctx, p.CompanyID)
	if err != nil {
		return api.StaffList{}, err
	}
	if p.BranchID == "" || p.EventTypeID == "" || p.Start.IsZero() {
		return api.StaffList{}, rpc.NewError(rpc.CodeValidation, "branch_id, event_type_id and start are required", nil)
	}
	staff, err := h.svc.FindAvailableStaff(ctx, companyID, p.BranchID, p.EventTypeID, p.Start)
	if err != nil {
		return api.StaffList{}, wireError(ctx, err)
	}
	out := api.StaffList{Staff: []api.StaffMember{}}
	for _, s := range staff {
		out.Staff = append(out.Staff, api.StaffMember{ID: s.ID, Name: s.Name})
	}
	return out, nil
}

func (h *Handler) routeCall(ctx context.Context, p api.RouteCallParams) (api.Decision, error) {
	d, err := h.svc.RouteCall(ctx, routing.CallInfo{
		Web: p.CallType == api.CallTypeWeb, ToNumber: p.ToNumber, FromNumber: p.FromNumber,
		AgentID: p.AgentID, Metadata: p.Metadata, Text: p.Text, Reference: p.ReferenceTime,
	})
	if err != nil {
		return api.Decision{}, wireError(ctx, err)
	}
	if t, ok := rpc.TenantFrom(ctx); ok && t != "" && t != d.Branch.CompanyID {
		return api.Decision{}, rpc.NewError(rpc.CodeNotFound, "branch not found", nil)
	}
	return toDecision(d), nil
}

func (h *Handler) onBranchChanged(_ context.Context, ev api.BranchChangedEvent) error {
	h.svc.InvalidateBranch(ev.BranchID, ev.PhoneNumbers...)
	return nil
}

// company is the tenant the request acts for: the params' company, or the envelope's tenant.
// A request naming another tenant than its envelope is refused.
func company(ctx context.Context, fromParams string) (string, error) {
	t, ok := rpc.TenantFrom(ctx)
	switch {
	case !ok || t == "":
		if strings.TrimSpace(fromParams) == "" {
			return "", rpc.NewError(rpc.CodeValidation, "company_id is required", nil)
		}
		return fromParams, nil
	case fromParams == "" || fromParams == t:
		return t, nil
	}
	return "", rpc.NewError(rpc.CodeUnauthorized, "company does not match the acting tenant", nil)
}

// wireError maps domain errors to wire codes. Errors already on the wire (a downstream's
// deadline or unavailability) pass through; anything else is logged and answered as internal.
func wireError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, routing.ErrUnknownNumber):
		return rpc.NewError(rpc.CodeNotFound, "unknown number", nil)
	case errors.Is(err, phone.ErrInvalid):
		return rpc.NewError(rpc.CodeValidation, "invalid phone number", nil)
	case errors.Is(err, routing.ErrNotFound):
		return rpc.NewError(rpc.CodeNotFound, "not found", nil)
	case errors.Is(err, routing.ErrUnroutable):
		return rpc.NewError(rpc.CodeValidation, "web call needs branch metadata or a known agent id", nil)
	case errors.Is(err, context.DeadlineExceeded):
		return rpc.NewError(rpc.CodeDeadlineExceeded, "deadline exceeded", nil)
	}
	var wire *rpc.Error
	if errors.As(err, &wire) && wire.Code != rpc.CodeInternal {
		return wire
	}
	logging.FromContext(ctx).Error().Err(err).Msg("routing_request_failed")
	return rpc.NewError(rpc.CodeInternal, "internal error", nil)
}
