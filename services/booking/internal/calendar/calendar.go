// Package calendar implements booking.Calendar over the calcom service (pkg/api/calcom), which
// owns the Cal.com API key, rate limit, breaker, cache and retries. Wire errors become domain
// errors: conflict → booking.ErrSlotTaken, not found → booking.ErrNotFound, validation →
// booking.ErrValidation, anything else → booking.ErrUpstream (a passed deadline stays visible as
// context.DeadlineExceeded, so the domain can record an unknown outcome).
package calendar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
)

// Caller is the part of *rpc.Client the adapter uses.
type Caller interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Calendar is the calcom service as a booking.Calendar.
type Calendar struct {
	rpc Caller
}

// New wraps an rpc client.
func New(c Caller) *Calendar { return &Calendar{rpc: c} }

var _ booking.Calendar = (*Calendar)(nil)

func (c *Calendar) call(ctx context.Context, companyID, method string, params, result any) error {
	return c.rpc.Call(rpc.WithTenant(ctx, companyID), calcom.Service, method, params, result)
}

// Slots implements booking.Calendar: the calcom service answers by local dates, the domain asks
// by instants, so the dates around [From, To) are asked for and the starts outside dropped.
func (c *Calendar) Slots(ctx context.Context, q booking.SlotQuery) ([]time.Time, error) {
	loc, err := time.LoadLocation(q.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar slots: %w", booking.ErrValidation)
	}
	var res calcom.AvailabilityResult
	err = c.call(ctx, q.CompanyID, calcom.MethodGetAvailability, calcom.AvailabilityParams{CompanyID: q.CompanyID,
		EventTypeID: q.Staff.CalcomEventType(q.EventType), From: q.From.In(loc).Format(time.DateOnly),
		To: q.To.Add(-time.Nanosecond).In(loc).Format(time.DateOnly), TimeZone: q.TimeZone, StaffID: q.Staff.ID}, &res)
	if err != nil {
		return nil, domainErr("calendar slots", err)
	}
	out := make([]time.Time, 0, len(res.Slots))
	for _, s := range res.Slots {
		if !s.Start.Before(q.From) && s.Start.Before(q.To) {
			out = append(out, s.Start.UTC())
		}
	}
	return out, nil
}

// CreateBooking implements booking.Calendar. The idempotency key is the calcom RequestID, which
// Cal.com keeps in the booking's metadata, so a retry or a reconciliation finds the booking.
func (c *Calendar) CreateBooking(ctx context.Context, b booking.CalendarBooking) (string, error) {
	var res calcom.Booking
	err := c.call(ctx, b.CompanyID, calcom.MethodCreateBooking, calcom.CreateBookingParams{CompanyID: b.CompanyID,
		RequestID: b.IdempotencyKey, EventTypeID: b.Staff.CalcomEventType(b.EventType), Start: b.Start,
		Name: nameOr(b.Attendee.Name), Phone: b.Attendee.Phone, Email: b.Attendee.Email, TimeZone: b.TimeZone,
		Language: "de", Metadata: map[string]string{"staff_id": b.Staff.ID, "fence": strconv.FormatInt(b.Fence, 10)}}, &res)
	if err != nil {
		return "", domainErr("calendar create booking", err)
	}
	return res.UID, nil
}

// CancelBooking implements booking.Calendar.
func (c *Calendar) CancelBooking(ctx context.Context, companyID, uid, reason string) error {
	if reason == "" {
		reason = "cancelled by caller"
	}
	var res calcom.Booking
	err := c.call(ctx, companyID, calcom.MethodCancelBooking, calcom.CancelBookingParams{CompanyID: companyID, UID: uid, Reason: reason}, &res)
	if err != nil {
		return domainErr("calendar cancel booking", err)
	}
	return nil
}

// RescheduleBooking implements booking.Calendar and returns the new booking's UID.
func (c *Calendar) RescheduleBooking(ctx context.Context, companyID, uid string, start time.Time, reason string) (string, error) {
	var res calcom.Booking
	err := c.call(ctx, companyID, calcom.MethodRescheduleBooking, calcom.RescheduleBookingParams{CompanyID: companyID,
		UID: uid, Start: start, Reason: reason}, &res)
	if err != nil {
		return "", domainErr("calendar reschedule booking", err)
	}
	return res.UID, nil
}

// FindBooking implements booking.Calendar: the idempotency key is the RequestID CreateBooking
// sent.
func (c *Calendar) FindBooking(ctx context.Context, companyID string, calcomEventTypeID int64, start time.Time, key string) (string, bool, error) {
	var res calcom.FindBookingResult
	err := c.call(ctx, companyID, calcom.MethodFindBooking, calcom.FindBookingParams{CompanyID: companyID,
		EventTypeID: calcomEventTypeID, Start: start, RequestID: key}, &res)
	if err != nil {
		return "", false, domainErr("calendar find booking", err)
	}
	return res.Booking.UID, res.Found, nil
}

// outcomeUnknown reports whether the calcom service said Cal.com may have acted although
// the call failed (calcom.ErrorData).
func outcomeUnknown(err error) bool {
	var rerr *rpc.Error
	var data calcom.ErrorData
	return errors.As(err, &rerr) && rerr.Data != nil && rerr.DecodeData(&data) == nil && data.OutcomeUnknown
}

func nameOr(n string) string {
	if n == "" {
		return "Anrufer"
	}
	return n
}

func domainErr(op string, err error) error {
	var sentinel error
	switch {
	case errors.Is(err, rpc.ErrConflict):
		sentinel = booking.ErrSlotTaken
	case errors.Is(err, rpc.ErrNotFound):
		sentinel = booking.ErrNotFound
	case errors.Is(err, rpc.ErrValidation), errors.Is(err, rpc.ErrInvalidParams):
		sentinel = booking.ErrValidation
	case errors.Is(err, rpc.ErrDeadlineExceeded):
		return fmt.Errorf("%s: %w: %w: %w", op, booking.ErrUpstream, context.DeadlineExceeded, err)
	case outcomeUnknown(err):
		return fmt.Errorf("%s: %w: %w: %w", op, booking.ErrUpstream, booking.ErrOutcomeUnknown, err)
	default:
		sentinel = booking.ErrUpstream
	}
	return fmt.Errorf("%s: %w: %w", op, sentinel, err)
}
