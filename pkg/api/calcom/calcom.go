// Package calcom is the wire contract of the calcom service: method names, params and results.
// Other services import this package and nothing else of the calcom service.
//
// Every call carries the tenant in CompanyID; the service resolves the company's Cal.com API
// key (stored encrypted by the database service). Times are UTC instants unless a field says
// otherwise; dates are "2006-01-02" in the named IANA time zone; phone numbers are E.164.
package calcom

import "time"

// Service is the name the calcom service registers on the bus.
const Service = "calcom"

// Method names.
const (
	MethodGetAvailability       = "getAvailability"
	MethodBulkCheckAvailability = "bulkCheckAvailability"
	MethodCreateBooking         = "createBooking"
	MethodCancelBooking         = "cancelBooking"
	MethodRescheduleBooking     = "rescheduleBooking"
	MethodSyncEventTypes        = "syncEventTypes"
	MethodFindBooking           = "findBooking"
	MethodSyncEventTypeLimits   = "syncEventTypeLimits"
)

// AvailabilityParams asks for the free slots of a Cal.com event type on the local dates
// From..To (inclusive) of TimeZone, the branch's zone.
type AvailabilityParams struct {
	CompanyID   string `msgpack:"company_id" json:"company_id"`
	EventTypeID int64  `msgpack:"event_type_id" json:"event_type_id"`
	From        string `msgpack:"from" json:"from"`
	To          string `msgpack:"to" json:"to"`
	TimeZone    string `msgpack:"time_zone" json:"time_zone"`
	// StaffID narrows to one host; reserved: single-host event types ignore it.
	StaffID string `msgpack:"staff_id,omitempty" json:"staff_id,omitempty"`
}

// Slot is a bookable interval.
type Slot struct {
	Start time.Time `msgpack:"start" json:"start"`
	End   time.Time `msgpack:"end" json:"end"`
}

// AvailabilityResult lists slots in start order.
type AvailabilityResult struct {
	Slots []Slot `msgpack:"slots" json:"slots"`
}

// BulkAvailabilityParams checks several criteria at once (bounded concurrency on the server).
type BulkAvailabilityParams struct {
	CompanyID string               `msgpack:"company_id" json:"company_id"`
	Criteria  []AvailabilityParams `msgpack:"criteria" json:"criteria"`
}

// BulkAvailabilityItem is the answer to one criterion: slots, or the error it met.
type BulkAvailabilityItem struct {
	Slots     []Slot `msgpack:"slots" json:"slots"`
	ErrorCode int    `msgpack:"error_code,omitempty" json:"error_code,omitempty"`
	Error     string `msgpack:"error,omitempty" json:"error,omitempty"`
}

// BulkAvailabilityResult answers in the order of the criteria.
type BulkAvailabilityResult struct {
	Results []BulkAvailabilityItem `msgpack:"results" json:"results"`
}

// CreateBookingParams books a slot for a caller. The attendee is phone-first: Email is sent
// only when EmailRequired (the event type demands one). RequestID is stored in the Cal.com
// booking's metadata and settles ambiguous failures; reuse it when retrying.
type CreateBookingParams struct {
	CompanyID     string            `msgpack:"company_id" json:"company_id"`
	RequestID     string            `msgpack:"request_id" json:"request_id"`
	EventTypeID   int64             `msgpack:"event_type_id" json:"event_type_id"`
	Start         time.Time         `msgpack:"start" json:"start"`
	Name          string            `msgpack:"name" json:"name"`
	Phone         string            `msgpack:"phone" json:"phone"`
	Email         string            `msgpack:"email,omitempty" json:"email,omitempty"`
	EmailRequired bool              `msgpack:"email_required,omitempty" json:"email_required,omitempty"`
	TimeZone      string            `msgpack:"time_zone" json:"time_zone"`
	Language      string            `msgpack:"language,omitempty" json:"language,omitempty"`
	Metadata      map[string]string `msgpack:"metadata,omitempty" json:"metadata,omitempty"`
}

// CancelBookingParams cancels a booking; Reason is mandatory.
type CancelBookingParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	UID       string `msgpack:"uid" json:"uid"`
	Reason    string `msgpack:"reason" json:"reason"`
}

// RescheduleBookingParams moves a booking; the result carries the new UID.
type RescheduleBookingParams struct {
	CompanyID string    `msgpack:"company_id" json:"company_id"`
	UID       string    `msgpack:"uid" json:"uid"`
	Start     time.Time `msgpack:"start" json:"start"`
	Reason    string    `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// ErrorData is the data of a -32006 (upstream unavailable) answer to createBooking. With
// OutcomeUnknown set, Cal.com may have made the booking: the call failed ambiguously (a
// timeout, a dropped connection, a 5xx) and the lookup by request id could not settle it, so
// the caller must settle it later with findBooking. Without it, nothing was booked.
type ErrorData struct {
	OutcomeUnknown bool `msgpack:"outcome_unknown" json:"outcome_unknown"`
}

// FindBookingParams asks whether a createBooking with RequestID happened: the booking of
// EventTypeID starting at Start whose metadata carries RequestID. A caller that lost the answer
// to createBooking (its deadline passed) settles the outcome with it once the request's own
// deadline is over.
type FindBookingParams struct {
	CompanyID   string    `msgpack:"company_id" json:"company_id"`
	EventTypeID int64     `msgpack:"event_type_id" json:"event_type_id"`
	Start       time.Time `msgpack:"start" json:"start"`
	RequestID   string    `msgpack:"request_id" json:"request_id"`
}

// FindBookingResult is the booking when Found. Only a booking that holds its time (accepted or
// pending) is found: a cancelled or rejected one has nothing left to settle.
type FindBookingResult struct {
	Found   bool    `msgpack:"found" json:"found"`
	Booking Booking `msgpack:"booking" json:"booking"`
}

// Booking is a Cal.com booking as the calcom service reports it.
type Booking struct {
	UID                string    `msgpack:"uid" json:"uid"`
	ID                 int64     `msgpack:"id" json:"id"`
	Status             string    `msgpack:"status" json:"status"` // accepted, pending, cancelled, rejected
	EventTypeID        int64     `msgpack:"event_type_id" json:"event_type_id"`
	Start              time.Time `msgpack:"start" json:"start"`
	End                time.Time `msgpack:"end" json:"end"`
	RescheduledFromUID string    `msgpack:"rescheduled_from_uid,omitempty" json:"rescheduled_from_uid,omitempty"`
}

// SyncEventTypesParams reads a company's Cal.com event types.
type SyncEventTypesParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
}

// EventType is a Cal.com event type as synced.
type EventType struct {
	CalcomEventTypeID int64  `msgpack:"calcom_event_type_id" json:"calcom_event_type_id"`
	Title             string `msgpack:"title" json:"title"`
	Slug              string `msgpack:"slug" json:"slug"`
	DurationMinutes   int    `msgpack:"duration_minutes" json:"duration_minutes"`
	Hidden            bool   `msgpack:"hidden" json:"hidden"`
	RequiresEmail     bool   `msgpack:"requires_email" json:"requires_email"`
}

// SyncEventTypesResult is the account's username and its event types.
type SyncEventTypesResult struct {
	Username   string      `msgpack:"username" json:"username"`
	EventTypes []EventType `msgpack:"event_types" json:"event_types"`
}

// SyncEventTypeLimitsParams reads Cal.com's minimum notice and booking window of each of a
// company's active event types (GET /v2/event-types/{id}) and stores them through the database
// service (eventTypes.setCalcomLimits). Booking then uses Cal.com's value where it is set.
type SyncEventTypeLimitsParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
}

// EventTypeLimits is what Cal.com says about one event type: MinimumNoticeMinutes and
// BookingHorizonDays (counted from the day of the sync in the company's zone) are nil where
// Cal.com sets none. WindowType is Cal.com's bookingWindow type (businessDays, calendarDays,
// range; empty: none). Error is set, and nothing stored, when Cal.com does not know the event
// type (its Cal.com id is stale).
type EventTypeLimits struct {
	EventTypeID          string `msgpack:"event_type_id" json:"event_type_id"`
	CalcomEventTypeID    int64  `msgpack:"calcom_event_type_id" json:"calcom_event_type_id"`
	Name                 string `msgpack:"name" json:"name"`
	MinimumNoticeMinutes *int   `msgpack:"minimum_notice_minutes,omitempty" json:"minimum_notice_minutes,omitempty"`
	BookingHorizonDays   *int   `msgpack:"booking_horizon_days,omitempty" json:"booking_horizon_days,omitempty"`
	WindowType           string `msgpack:"window_type,omitempty" json:"window_type,omitempty"`
	Error                string `msgpack:"error,omitempty" json:"error,omitempty"`
}

// SyncEventTypeLimitsResult lists every active event type of the company, in catalogue order.
type SyncEventTypeLimitsResult struct {
	EventTypes []EventTypeLimits `msgpack:"event_types" json:"event_types"`
}
