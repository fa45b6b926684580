package handler

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
)

func (h *Handler) getAvailability(ctx context.Context, p calcom.AvailabilityParams) (calcom.AvailabilityResult, error) {
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.AvailabilityResult{}, err
	}
	slots, err := acct.Availability(ctx, client.AvailabilityQuery{EventTypeID: int(p.EventTypeID),
		From: p.From, To: p.To, TimeZone: p.TimeZone})
	if err != nil {
		return calcom.AvailabilityResult{}, h.failed(p.CompanyID, err)
	}
	out := calcom.AvailabilityResult{Slots: make([]calcom.Slot, len(slots))}
	for i, s := range slots {
		out.Slots[i] = calcom.Slot{Start: s.Start.UTC(), End: s.End.UTC()}
	}
	return out, nil
}

// bulkCheckAvailability runs the criteria at most h.bulk at a time; one failing criterion
// reports its error in place and does not fail the others.
func (h *Handler) bulkCheckAvailability(ctx context.Context, p calcom.BulkAvailabilityParams) (calcom.BulkAvailabilityResult, error) {
	out := calcom.BulkAvailabilityResult{Results: make([]calcom.BulkAvailabilityItem, len(p.Criteria))}
	var g errgroup.Group
	g.SetLimit(h.bulk)
	for i, c := range p.Criteria {
		c.CompanyID = p.CompanyID
		g.Go(func() error {
			res, err := h.getAvailability(ctx, c)
			out.Results[i] = item(res, err)
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}

func item(res calcom.AvailabilityResult, err error) calcom.BulkAvailabilityItem {
	if err == nil {
		return calcom.BulkAvailabilityItem{Slots: res.Slots}
	}
	var rerr *rpc.Error
	if errors.As(wireError(err), &rerr) {
		return calcom.BulkAvailabilityItem{Slots: []calcom.Slot{}, ErrorCode: rerr.Code, Error: rerr.Message}
	}
	return calcom.BulkAvailabilityItem{Slots: []calcom.Slot{}, ErrorCode: rpc.CodeInternal, Error: "internal error"}
}

func (h *Handler) createBooking(ctx context.Context, p calcom.CreateBookingParams) (calcom.Booking, error) {
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.Booking{}, err
	}
	b, err := acct.CreateBooking(ctx, client.BookingRequest{
		EventTypeID: int(p.EventTypeID), Start: p.Start, Name: p.Name, Phone: p.Phone, Region: h.region, Email: p.Email,
		EmailRequired: p.EmailRequired, TimeZone: p.TimeZone, Language: p.Language, RequestID: p.RequestID,
		Metadata: p.Metadata,
	})
	if err != nil {
		return calcom.Booking{}, h.failed(p.CompanyID, err)
	}
	return booking(b), nil
}

func (h *Handler) cancelBooking(ctx context.Context, p calcom.CancelBookingParams) (calcom.Booking, error) {
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.Booking{}, err
	}
	b, err := acct.CancelBooking(ctx, p.UID, p.Reason)
	if err != nil {
		return calcom.Booking{}, h.failed(p.CompanyID, err)
	}
	return booking(b), nil
}

func (h *Handler) rescheduleBooking(ctx context.Context, p calcom.RescheduleBookingParams) (calcom.Booking, error) {
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.Booking{}, err
	}
	b, err := acct.RescheduleBooking(ctx, p.UID, p.Start, p.Reason)
	if err != nil {
		return calcom.Booking{}, h.failed(p.CompanyID, err)
	}
	return booking(b), nil
}

func (h *Handler) findBooking(ctx context.Context, p calcom.FindBookingParams) (calcom.FindBookingResult, error) {
	if p.RequestID == "" || p.EventTypeID <= 0 || p.Start.IsZero() {
		return calcom.FindBookingResult{}, fmt.Errorf("request_id, event_type_id and start are required: %w", client.ErrInvalidInput)
	}
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.FindBookingResult{}, err
	}
	b, ok, err := acct.FindBooking(ctx, int(p.EventTypeID), p.Start, p.RequestID)
	if err != nil {
		return calcom.FindBookingResult{}, h.failed(p.CompanyID, err)
	}
	if !ok {
		return calcom.FindBookingResult{}, nil
	}
	return calcom.FindBookingResult{Found: true, Booking: booking(b)}, nil
}

// syncEventTypes reads /v2/me for the username, then its event types, and stores each through
// the database service (upsert by Cal.com id).
func (h *Handler) syncEventTypes(ctx context.Context, p calcom.SyncEventTypesParams) (calcom.SyncEventTypesResult, error) {
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.SyncEventTypesResult{}, err
	}
	me, err := acct.Me(ctx)
	if err != nil {
		return calcom.SyncEventTypesResult{}, h.failed(p.CompanyID, fmt.Errorf("sync event types: %w", err))
	}
	ets, err := acct.EventTypes(ctx, me.Username)
	if err != nil {
		return calcom.SyncEventTypesResult{}, fmt.Errorf("sync event types: %w", err)
	}
	out := calcom.SyncEventTypesResult{Username: me.Username, EventTypes: make([]calcom.EventType, len(ets))}
	for i, et := range ets {
		out.EventTypes[i] = calcom.EventType{CalcomEventTypeID: int64(et.ID), Title: et.Title, Slug: et.Slug,
			DurationMinutes: et.LengthInMinutes, Hidden: et.Hidden, RequiresEmail: et.RequiresEmail()}
		if err := h.storeEventType(ctx, p.CompanyID, out.EventTypes[i]); err != nil {
			return calcom.SyncEventTypesResult{}, err
		}
	}
	return out, nil
}

func (h *Handler) storeEventType(ctx context.Context, companyID string, et calcom.EventType) error {
	if h.store == nil {
		return nil
	}
	_, err := h.store.UpsertEventType(rpc.WithDefaultActor(ctx, "calcom.syncEventTypes"), database.UpsertEventTypeParams{
		EventType: database.EventType{CompanyID: companyID, CalcomEventTypeID: et.CalcomEventTypeID,
			Name: et.Title, DurationMinutes: et.DurationMinutes, Active: !et.Hidden}})
	if err != nil {
		return fmt.Errorf("store event type %d: %w", et.CalcomEventTypeID, err)
	}
	return nil
}

func booking(b client.Booking) calcom.Booking {
	return calcom.Booking{UID: b.UID, ID: int64(b.ID), Status: b.Status, EventTypeID: int64(b.EventType()),
		Start: b.Start.UTC(), End: b.End.UTC(), RescheduledFromUID: b.RescheduledFromUID}
}
