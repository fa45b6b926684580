package calcom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// CancelBooking cancels uid; a reason is mandatory (Cal.com refuses host cancellations without
// one). Not retried: after an ambiguous failure the booking is read back, and a cancelled
// booking counts as success.
func (a *Account) CancelBooking(ctx context.Context, uid, reason string) (Booking, error) {
	if reason == "" {
		return Booking{}, fmt.Errorf("cancel booking %s: reason is required: %w", uid, ErrInvalidInput)
	}
	var b Booking
	err := a.do(ctx, request{method: http.MethodPost, path: "/v2/bookings/" + url.PathEscape(uid) + "/cancel",
		version: VersionBookings, body: map[string]string{"cancellationReason": reason}}, &b)
	if err != nil && ambiguous(err) {
		if cur, gerr := a.Booking(reconcileCtx(ctx, a.c.opts.RequestTimeout), uid); gerr == nil && cur.Status == "cancelled" {
			b, err = cur, nil
		}
	}
	if err != nil {
		return Booking{}, fmt.Errorf("cancel booking %s: %w", uid, err)
	}
	a.invalidate(ctx, b.EventType())
	return b, nil
}

// RescheduleBooking moves uid to start and returns the new booking (its UID differs; the old
// booking becomes cancelled with RescheduledToUID). Not retried: after an ambiguous failure the
// old booking is read back and, if it was rescheduled, the new one is returned.
func (a *Account) RescheduleBooking(ctx context.Context, uid string, start time.Time, reason string) (Booking, error) {
	body := map[string]string{"start": start.UTC().Format(utcMillis)}
	if reason != "" {
		body["reschedulingReason"] = reason
	}
	var b Booking
	err := a.do(ctx, request{method: http.MethodPost, path: "/v2/bookings/" + url.PathEscape(uid) + "/reschedule",
		version: VersionBookings, body: body}, &b)
	if err != nil && ambiguous(err) {
		rctx := reconcileCtx(ctx, a.c.opts.RequestTimeout)
		if old, gerr := a.Booking(rctx, uid); gerr == nil && old.RescheduledToUID != "" {
			b, err = a.Booking(rctx, old.RescheduledToUID)
		}
	}
	if err != nil {
		return Booking{}, fmt.Errorf("reschedule booking %s: %w", uid, err)
	}
	a.invalidate(ctx, b.EventType())
	return b, nil
}

// Me returns the owner of the API key (also a cheap validity probe).
func (a *Account) Me(ctx context.Context) (Me, error) {
	var me Me
	if err := a.do(ctx, request{method: http.MethodGet, path: "/v2/me", idempotent: true}, &me); err != nil {
		return Me{}, fmt.Errorf("get me: %w", err)
	}
	return me, nil
}

// EventTypes lists username's event types; Cal.com returns none without a username, so callers
// take it from Me.
func (a *Account) EventTypes(ctx context.Context, username string) ([]EventType, error) {
	var ets []EventType
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/event-types", version: VersionEventTypes,
		query: url.Values{"username": {username}}, idempotent: true}, &ets)
	if err != nil {
		return nil, fmt.Errorf("list event types of %s: %w", username, err)
	}
	return ets, nil
}

// Schedules lists the key owner's schedules.
func (a *Account) Schedules(ctx context.Context) ([]Schedule, error) {
	var s []Schedule
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/schedules", version: VersionSchedules, idempotent: true}, &s)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return s, nil
}
