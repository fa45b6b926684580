// Package handler exposes the booking domain as JSON-RPC methods on the bus: decode, call the
// domain, map errors to wire codes (errors.go). It also subscribes to the booking events and
// turns each into a confirmation job on the service's own high lane.
package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	api "github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/notify"
)

// Caller enqueues confirmation jobs; *rpc.Client implements it.
type Caller interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Handler binds the domain service to the bus.
type Handler struct {
	svc  *booking.Service
	jobs Caller
}

// New returns a Handler; jobs may be nil when no event subscriptions are registered.
func New(svc *booking.Service, jobs Caller) *Handler { return &Handler{svc: svc, jobs: jobs} }

// Register adds the booking methods to s. create, reserveSlot, cancel and reschedule are
// non-idempotent: a retried or redelivered request gets the stored result.
func Register(s *rpc.Server, h *Handler) {
	rpc.Register(s, api.MethodCheckAvailability, h.checkAvailability, rpc.Summary("Free slots nearest the wish, with German read-backs"))
	rpc.Register(s, api.MethodHandleConflict, h.handleConflict, rpc.Summary("Alternatives to a slot that is gone"))
	rpc.Register(s, api.MethodReserveSlot, h.reserveSlot, rpc.NonIdempotent(), rpc.Summary("Hold a slot for a short time"))
	rpc.Register(s, api.MethodCreate, h.create, rpc.NonIdempotent(), rpc.Summary("Book a slot without double-booking"))
	rpc.Register(s, api.MethodCancel, h.cancel, rpc.NonIdempotent(), rpc.Summary("Cancel an appointment"))
	rpc.Register(s, api.MethodReschedule, h.reschedule, rpc.NonIdempotent(), rpc.Summary("Move an appointment"))
	rpc.Register(s, api.MethodSendConfirmation, h.sendConfirmation, rpc.Summary("Internal: send the confirmations of a booking event"))
}

// Subscribe makes every booking event start a confirmation job on the high lane. An event whose
// job could not be enqueued stays pending and is delivered again.
func Subscribe(s *rpc.Server, h *Handler, group string) {
	for _, topic := range []string{database.TopicBookingCreated, database.TopicBookingCancelled, database.TopicBookingRescheduled} {
		rpc.Subscribe(s, topic, group, func(ctx context.Context, ev database.AppointmentEvent) error {
			var ack api.Ack
			return h.jobs.Call(ctx, api.Service, api.MethodSendConfirmation, job(topic, ev), &ack, rpc.WithLane(rpc.LaneHigh))
		})
	}
}

// tenant fills or checks the company against the envelope's tenant.
func tenant(ctx context.Context, companyID *string) error {
	t, ok := rpc.TenantFrom(ctx)
	switch {
	case !ok || t == "":
		return nil
	case *companyID == "":
		*companyID = t
	case *companyID != t:
		return rpc.NewError(rpc.CodeUnauthorized, "company does not match the acting tenant", nil)
	}
	return nil
}

func (h *Handler) checkAvailability(ctx context.Context, p api.AvailabilityParams) (api.AvailabilityResult, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.AvailabilityResult{}, err
	}
	a, err := h.svc.CheckAvailability(ctx, criteria(p))
	if err != nil {
		return api.AvailabilityResult{}, wireError(ctx, err, nil)
	}
	return api.AvailabilityResult{Options: options(a.Options), Exact: a.Exact, Message: a.Message, Reason: string(a.Reason)}, nil
}

func (h *Handler) handleConflict(ctx context.Context, p api.AvailabilityParams) (api.Alternatives, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.Alternatives{}, err
	}
	a, err := h.svc.HandleConflict(ctx, criteria(p))
	if err != nil {
		return api.Alternatives{}, wireError(ctx, err, nil)
	}
	return alternatives(a), nil
}

func (h *Handler) reserveSlot(ctx context.Context, p api.ReserveParams) (api.Reservation, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.Reservation{}, err
	}
	slot := booking.Slot{StaffID: p.StaffID, Start: p.Start.UTC(), End: p.Start.Add(time.Duration(p.DurationMinutes) * time.Minute).UTC()}
	l, err := h.svc.ReserveSlot(ctx, p.CompanyID, slot, seconds(p.TTLSeconds))
	if err != nil {
		return api.Reservation{}, wireError(ctx, err, nil)
	}
	return reservation(l), nil
}

// create answers a lost slot with the alternatives as error data, so the agent can offer them
// in the same turn.
func (h *Handler) create(ctx context.Context, p api.CreateParams) (api.CreateResult, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.CreateResult{}, err
	}
	res, err := h.svc.Create(ctx, createRequest(p))
	if err != nil {
		var data any
		if errors.Is(err, booking.ErrSlotTaken) || errors.Is(err, booking.ErrSlotLocked) || errors.Is(err, booking.ErrLockLost) ||
			errors.Is(err, booking.ErrRuleBroken) {
			wire := refusal(err)
			if alt, aerr := h.svc.HandleConflict(ctx, booking.Criteria{CompanyID: p.CompanyID, BranchID: p.BranchID,
				EventTypeID: p.EventTypeID, StaffID: p.StaffID, At: p.Start, TimeZone: p.TimeZone}); aerr == nil {
				wire = alternatives(alt)
				wire.Reason = refusal(err).Reason
				if errors.Is(err, booking.ErrRuleBroken) && wire.Message == "" {
					wire.Message = refusal(err).Message
				}
			}
			data = wire
		}
		return api.CreateResult{}, wireError(ctx, err, data)
	}
	return api.CreateResult{Booking: toWire(res.Booking), ConfirmationSpoken: res.Spoken, Message: res.Message}, nil
}

func (h *Handler) cancel(ctx context.Context, p api.CancelParams) (api.CancelResult, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.CancelResult{}, err
	}
	res, err := h.svc.Cancel(ctx, booking.CancelRequest{CompanyID: p.CompanyID, ConfirmationNumber: p.ConfirmationNumber,
		Phone: p.Phone, Date: p.Date, TimeZone: p.TimeZone, Reason: p.Reason})
	if err != nil {
		return api.CancelResult{}, wireError(ctx, err, nil)
	}
	return api.CancelResult{Booking: toWire(res.Booking), Message: res.Message}, nil
}

func (h *Handler) reschedule(ctx context.Context, p api.RescheduleParams) (api.RescheduleResult, error) {
	if err := tenant(ctx, &p.CompanyID); err != nil {
		return api.RescheduleResult{}, err
	}
	res, err := h.svc.Reschedule(ctx, booking.RescheduleRequest{CompanyID: p.CompanyID, AppointmentID: p.AppointmentID,
		ConfirmationNumber: p.ConfirmationNumber, StaffID: p.StaffID, Start: p.Start, TimeZone: p.TimeZone,
		Reason: p.Reason})
	if err != nil {
		return api.RescheduleResult{}, wireError(ctx, err, refusalData(err))
	}
	return api.RescheduleResult{Booking: toWire(res.Booking), Previous: toWire(res.Previous),
		ConfirmationSpoken: res.Spoken, Message: res.Message}, nil
}

// sendConfirmation is the high-lane job. The event id is topic + appointment id: each
// appointment is created, cancelled or made by a reschedule once.
func (h *Handler) sendConfirmation(ctx context.Context, j api.ConfirmationJob) (api.Ack, error) {
	ev := booking.Event{ID: j.Topic + ":" + j.Booking.ID, Kind: booking.EventKind(j.Topic), CompanyID: j.CompanyID,
		Booking: fromWire(j.Booking), PreviousID: j.PreviousID}
	err := h.svc.Confirm(ctx, ev)
	if errors.Is(err, notify.ErrPermanent) {
		// Retrying cannot fix a refused address; the failure is logged here, once.
		logging.FromContext(ctx).Warn().Err(err).Str("event_id", ev.ID).Msg("confirmation_refused")
		return api.Ack{OK: false}, nil
	}
	if err != nil {
		return api.Ack{}, wireError(ctx, fmt.Errorf("send confirmation: %w", err), nil)
	}
	return api.Ack{OK: true}, nil
}
