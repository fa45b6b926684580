package calcom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Booking-window types of EventTypeOutput_2024_06_14.bookingWindow.
const (
	WindowBusinessDays = "businessDays"
	WindowCalendarDays = "calendarDays"
	WindowRange        = "range"
)

// EventTypeLimits is the part of one event type (GET /v2/event-types/{id}) that says when it may
// be booked: minimumBookingNotice in minutes and the bookingWindow. Nil fields are absent (or
// null) in Cal.com's answer.
type EventTypeLimits struct {
	ID                   int            `json:"id"`
	MinimumBookingNotice *float64       `json:"minimumBookingNotice"`
	BookingWindow        *BookingWindow `json:"bookingWindow"`
}

// BookingWindow is Cal.com's future-booking limit. The OpenAPI document declares the output as
// an array of BusinessDaysWindow / CalendarDaysWindow / RangeWindow; Cal.com's own transformer
// (transformFutureBookingLimitsInternalToApi) returns one object, or {"disabled": true} for
// "indefinitely". UnmarshalJSON takes all of them: the first element of an array, an object,
// and null or [] (no window).
type BookingWindow struct {
	Type string `json:"type"`
	// Days is the value of a businessDays or calendarDays window.
	Days int `json:"-"`
	// From and To are the first and last day of a range window ("2006-01-02").
	From, To string `json:"-"`
	Rolling  bool   `json:"rolling"`
	Disabled bool   `json:"disabled"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (w *BookingWindow) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("booking window: %w", err)
		}
		if len(list) == 0 {
			*w = BookingWindow{}
			return nil
		}
		raw = list[0]
	}
	var v struct {
		Type     string          `json:"type"`
		Value    json.RawMessage `json:"value"`
		Rolling  bool            `json:"rolling"`
		Disabled bool            `json:"disabled"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("booking window: %w", err)
	}
	*w = BookingWindow{Type: v.Type, Rolling: v.Rolling, Disabled: v.Disabled}
	switch v.Type {
	case WindowBusinessDays, WindowCalendarDays:
		var n float64
		if err := json.Unmarshal(v.Value, &n); err != nil || n < 0 {
			return fmt.Errorf("booking window %s: value %s is not a day count", v.Type, v.Value)
		}
		w.Days = int(math.Floor(n))
	case WindowRange:
		var days []string
		if err := json.Unmarshal(v.Value, &days); err != nil || len(days) != 2 {
			return fmt.Errorf("booking window range: value %s is not [start, end]", v.Value)
		}
		w.From, w.To = days[0], days[1]
	}
	return nil
}

// Limits are an event type's notice and horizon in our units; nil: Cal.com sets none.
type Limits struct {
	NoticeMinutes *int
	HorizonDays   *int
}

// Limits turns Cal.com's fields into minutes of notice and days of horizon counted from the
// local date of now in loc (the company's zone), as the booking rules count them:
//
//   - minimumBookingNotice: minutes, rounded up;
//   - calendarDays N: N days;
//   - businessDays N: the fewest calendar days that N business days (Monday to Friday) can span,
//     N + 2·⌊(N−1)/5⌋ (counted from a Sunday). Stored once and used on every later weekday, it
//     never lets a booking through that Cal.com would refuse: from any other weekday N business
//     days reach as far or farther;
//   - range [from, to]: the days from today to `to` (0 once it has passed); the start of the
//     range is left to Cal.com's slots;
//   - rolling windows ("value days with free slots") are taken as fixed ones, which is the
//     stricter reading; {"disabled": true} and an unknown type are no limit.
//
// A range horizon shrinks by a day each day: it is right on the day of the sync, and re-syncing
// (askpro tenant sync-calcom) keeps it so.
func (l EventTypeLimits) Limits(now time.Time, loc *time.Location) (Limits, error) {
	var out Limits
	if n := l.MinimumBookingNotice; n != nil {
		if *n < 0 || math.IsNaN(*n) || *n > math.MaxInt32 {
			return Limits{}, fmt.Errorf("event type %d: minimumBookingNotice %v: %w", l.ID, *n, ErrUpstream)
		}
		m := int(math.Ceil(*n))
		out.NoticeMinutes = &m
	}
	w := l.BookingWindow
	if w == nil || w.Disabled {
		return out, nil
	}
	var days int
	switch w.Type {
	case WindowCalendarDays:
		days = w.Days
	case WindowBusinessDays:
		days = w.Days
		if days > 0 {
			days += 2 * ((days - 1) / 5)
		}
	case WindowRange:
		end, err := time.ParseInLocation(time.DateOnly, w.To, loc)
		if err != nil {
			return Limits{}, fmt.Errorf("event type %d: booking window range end %q: %w", l.ID, w.To, ErrUpstream)
		}
		y, m, d := now.In(loc).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, loc)
		days = max(int(math.Round(end.Sub(today).Hours()/24)), 0)
	default:
		return out, nil
	}
	out.HorizonDays = &days
	return out, nil
}

// EventTypeLimits reads one event type (GET /v2/event-types/{id}, cal-api-version 2024-06-14,
// which needs the key) for its notice and booking window.
func (a *Account) EventTypeLimits(ctx context.Context, id int) (EventTypeLimits, error) {
	if id <= 0 {
		return EventTypeLimits{}, fmt.Errorf("event type id %d: %w", id, ErrInvalidInput)
	}
	var et EventTypeLimits
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/event-types/" + strconv.Itoa(id),
		version: VersionEventTypes, idempotent: true}, &et)
	if err != nil {
		return EventTypeLimits{}, fmt.Errorf("get event type %d: %w", id, err)
	}
	return et, nil
}
