package calcom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/askproai/backend/pkg/phone"
)

type createBody struct {
	Start       string            `json:"start"`
	EventTypeID int               `json:"eventTypeId"`
	Attendee    attendeeBody      `json:"attendee"`
	Metadata    map[string]string `json:"metadata"`
}

type attendeeBody struct {
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber"`
	TimeZone    string `json:"timeZone"`
	Language    string `json:"language"`
}

func (r BookingRequest) body() (createBody, error) {
	e164, perr := phone.Normalize(r.Phone, r.Region)
	switch {
	case perr != nil:
		return createBody{}, fmt.Errorf("phone number is not E.164: %w: %w", ErrInvalidInput, perr)
	case r.EmailRequired && r.Email == "":
		return createBody{}, fmt.Errorf("the event type requires an e-mail: %w", ErrInvalidInput)
	case r.RequestID == "" || r.Name == "" || r.TimeZone == "" || r.Start.IsZero():
		return createBody{}, fmt.Errorf("request id, name, time zone and start are required: %w", ErrInvalidInput)
	}
	md := make(map[string]string, len(r.Metadata)+1)
	for k, v := range r.Metadata {
		md[k] = v
	}
	md[MetadataRequestID] = r.RequestID
	b := createBody{Start: r.Start.UTC().Format(utcMillis), EventTypeID: r.EventTypeID, Metadata: md,
		Attendee: attendeeBody{Name: r.Name, PhoneNumber: e164, TimeZone: r.TimeZone, Language: or(r.Language, "de")}}
	if r.EmailRequired {
		b.Attendee.Email = r.Email
	}
	return b, nil
}

// CreateBooking books r. It is never retried blindly: after an ambiguous failure (timeout,
// dropped connection, 5xx) it looks for a booking carrying r.RequestID; found, that booking is
// the result; proven absent, the booking is posted again (up to CreateAttempts); unprovable,
// the error wraps ErrOutcomeUnknown. A taken slot is looked up too: the booking holding it may
// be this request's own, made by an earlier attempt whose answer was lost with its process
// (a retry claimed from a killed instance), and then it is the result, not a conflict.
func (a *Account) CreateBooking(ctx context.Context, r BookingRequest) (Booking, error) {
	body, err := r.body()
	if err != nil {
		return Booking{}, fmt.Errorf("create booking: %w", err)
	}
	req := request{method: http.MethodPost, path: "/v2/bookings", version: VersionBookings, body: body}
	uncertain := false
	for attempt := 1; ; attempt++ {
		var b Booking
		err = a.do(ctx, req, &b)
		if err == nil {
			return a.booked(ctx, b)
		}
		taken := errors.Is(err, ErrSlotTaken)
		if !ambiguous(err) && !taken {
			return Booking{}, fmt.Errorf("create booking: %w", err)
		}
		found, ok, lerr := a.FindBooking(reconcileCtx(ctx, a.c.opts.RequestTimeout), r.EventTypeID, r.Start, r.RequestID)
		uncertain = uncertain || !taken
		switch {
		case lerr != nil && !uncertain:
			return Booking{}, fmt.Errorf("create booking: %w", err) // taken, most likely by someone else
		case lerr != nil:
			return Booking{}, fmt.Errorf("create booking: %w: %w (lookup: %w)", ErrOutcomeUnknown, err, lerr)
		case ok:
			a.c.opts.Logger.Info().Str("booking_uid", found.UID).Msg("ambiguous_booking_failure_settled_by_lookup")
			return a.booked(ctx, found)
		case errors.Is(err, ErrSlotTaken) || attempt >= a.c.opts.CreateAttempts:
			return Booking{}, fmt.Errorf("create booking: %w", err)
		}
	}
}

// reconcileCtx lets a lookup run even when the caller's context ended with the failed call.
func reconcileCtx(ctx context.Context, timeout time.Duration) context.Context {
	if ctx.Err() == nil {
		return ctx
	}
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	context.AfterFunc(c, cancel)
	return c
}

func (a *Account) booked(ctx context.Context, b Booking) (Booking, error) {
	a.invalidate(ctx, b.EventType())
	return b, nil
}

func (a *Account) invalidate(ctx context.Context, eventTypeID int) {
	if err := a.c.cache.invalidate(context.WithoutCancel(ctx), eventTypeID); err != nil {
		a.c.opts.Logger.Warn().Err(err).Int("event_type_id", eventTypeID).Msg("availability_cache_not_invalidated")
	}
}

// FindBooking looks for the live booking (accepted or pending) of eventTypeID starting at start
// whose metadata carries requestID. Cal.com cannot filter on metadata, so it lists that start's
// bookings and checks. A cancelled one is skipped: an undone attempt's booking may stand next
// to the one a retry made under the same request id.
func (a *Account) FindBooking(ctx context.Context, eventTypeID int, start time.Time, requestID string) (Booking, bool, error) {
	q := url.Values{
		"eventTypeId": {strconv.Itoa(eventTypeID)},
		"afterStart":  {start.UTC().Add(-time.Minute).Format(utcMillis)},
		"beforeEnd":   {start.UTC().Add(24 * time.Hour).Format(utcMillis)},
		"take":        {"250"},
	}
	var list []Booking
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/bookings", version: VersionBookings,
		query: q, idempotent: true}, &list)
	if err != nil {
		return Booking{}, false, fmt.Errorf("find booking: %w", err)
	}
	for _, b := range list {
		if b.RequestID() == requestID && b.Start.Equal(start) && b.Live() {
			return b, true, nil
		}
	}
	return Booking{}, false, nil
}

// Booking fetches one booking by uid.
func (a *Account) Booking(ctx context.Context, uid string) (Booking, error) {
	var b Booking
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/bookings/" + url.PathEscape(uid),
		version: VersionBookings, idempotent: true}, &b)
	if err != nil {
		return Booking{}, fmt.Errorf("get booking %s: %w", uid, err)
	}
	return b, nil
}
