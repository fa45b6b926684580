// Package booking is the wire contract of the booking service: method names, params and
// results, and a typed client. Other services and the gateway import this package and nothing
// else of the booking service.
//
// Every call carries the tenant in CompanyID (and the client sets it in the envelope). Times are
// UTC instants; TimeZone names the IANA zone spoken read-backs use (default: the branch's);
// phone numbers are E.164. Errors use the rpc application codes: conflict (slot taken; for
// create and handleConflict the error data carries Alternatives), slot locked, not found,
// validation, upstream unavailable, in progress.
package booking

import "time"

// Service is the name the booking service registers on the bus.
const Service = "booking"

// Method names.
const (
	MethodCreate            = "create"
	MethodCheckAvailability = "checkAvailability"
	MethodHandleConflict    = "handleConflict"
	MethodReserveSlot       = "reserveSlot"
	MethodCancel            = "cancel"
	MethodReschedule        = "reschedule"
	// MethodSendConfirmation is the booking service's own job, enqueued on the high lane by its
	// event subscriptions; other services do not call it.
	MethodSendConfirmation = "sendConfirmation"
)

// AvailabilityParams asks for free slots: At (the resolved wish) and/or From..To.
type AvailabilityParams struct {
	CompanyID   string    `msgpack:"company_id" json:"company_id"`
	BranchID    string    `msgpack:"branch_id" json:"branch_id"`
	EventTypeID string    `msgpack:"event_type_id" json:"event_type_id"`
	StaffID     string    `msgpack:"staff_id,omitempty" json:"staff_id,omitempty"`
	At          time.Time `msgpack:"at,omitempty" json:"at,omitzero"`
	From        time.Time `msgpack:"from,omitempty" json:"from,omitzero"`
	To          time.Time `msgpack:"to,omitempty" json:"to,omitzero"`
	TimeZone    string    `msgpack:"time_zone,omitempty" json:"time_zone,omitempty"`
	Limit       int       `msgpack:"limit,omitempty" json:"limit,omitempty"`
}

// Option is a bookable slot with its German read-back ("Dienstag, 1. Dezember, um 14:30 Uhr").
type Option struct {
	StaffID   string    `msgpack:"staff_id" json:"staff_id"`
	StaffName string    `msgpack:"staff_name" json:"staff_name"`
	Start     time.Time `msgpack:"start" json:"start"`
	End       time.Time `msgpack:"end" json:"end"`
	Spoken    string    `msgpack:"spoken" json:"spoken"`
}

// AvailabilityResult lists options nearest the wish; Exact when the wish itself is Options[0].
type AvailabilityResult struct {
	Options []Option `msgpack:"options" json:"options"`
	Exact   bool     `msgpack:"exact" json:"exact"`
	Message string   `msgpack:"message" json:"message"`
	// Reason is why the wished time cannot be booked by the rules (see Alternatives.Reason);
	// empty when it can or no time was wished.
	Reason string `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// Alternatives answer handleConflict, and travel as error data of a conflict from create.
type Alternatives struct {
	SameStaff  []Option `msgpack:"same_staff" json:"same_staff"`
	OtherStaff []Option `msgpack:"other_staff" json:"other_staff"`
	NextDays   []Option `msgpack:"next_days" json:"next_days"`
	Message    string   `msgpack:"message" json:"message"`
	// Reason is why the wished slot cannot be booked: taken, closed, outside_opening_hours,
	// holiday, staff_absent, too_soon, too_far or in_the_past. As error data of createBooking
	// and rescheduleBooking it is always set, and Message is the German sentence to read out.
	Reason string `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// CreateParams books a slot. IdempotencyKey defaults to call id + staff + start + event type;
// ReservationToken books under a hold taken with reserveSlot.
type CreateParams struct {
	CompanyID        string    `msgpack:"company_id" json:"company_id"`
	BranchID         string    `msgpack:"branch_id" json:"branch_id"`
	EventTypeID      string    `msgpack:"event_type_id" json:"event_type_id"`
	StaffID          string    `msgpack:"staff_id" json:"staff_id"`
	Start            time.Time `msgpack:"start" json:"start"`
	TimeZone         string    `msgpack:"time_zone,omitempty" json:"time_zone,omitempty"`
	CallID           string    `msgpack:"call_id,omitempty" json:"call_id,omitempty"`
	CustomerPhone    string    `msgpack:"customer_phone,omitempty" json:"customer_phone,omitempty"`
	CustomerName     string    `msgpack:"customer_name,omitempty" json:"customer_name,omitempty"`
	CustomerEmail    string    `msgpack:"customer_email,omitempty" json:"customer_email,omitempty"`
	Notes            string    `msgpack:"notes,omitempty" json:"notes,omitempty"`
	IdempotencyKey   string    `msgpack:"idempotency_key,omitempty" json:"idempotency_key,omitempty"`
	ReservationToken string    `msgpack:"reservation_token,omitempty" json:"reservation_token,omitempty"`
}

// Booking is an appointment.
type Booking struct {
	ID                 string    `msgpack:"id" json:"id"`
	CompanyID          string    `msgpack:"company_id" json:"company_id"`
	BranchID           string    `msgpack:"branch_id" json:"branch_id"`
	StaffID            string    `msgpack:"staff_id" json:"staff_id"`
	EventTypeID        string    `msgpack:"event_type_id,omitempty" json:"event_type_id,omitempty"`
	CustomerID         string    `msgpack:"customer_id,omitempty" json:"customer_id,omitempty"`
	CallID             string    `msgpack:"call_id,omitempty" json:"call_id,omitempty"`
	CalcomBookingID    string    `msgpack:"calcom_booking_id,omitempty" json:"calcom_booking_id,omitempty"`
	Start              time.Time `msgpack:"start" json:"start"`
	End                time.Time `msgpack:"end" json:"end"`
	Status             string    `msgpack:"status" json:"status"`
	ConfirmationNumber string    `msgpack:"confirmation_number" json:"confirmation_number"`
	RescheduledFrom    string    `msgpack:"rescheduled_from,omitempty" json:"rescheduled_from,omitempty"`
}

// CreateResult is the booking, its confirmation number spelled for the phone ("K 7 M 2 P 9")
// and a German confirmation sentence.
type CreateResult struct {
	Booking            Booking `msgpack:"booking" json:"booking"`
	ConfirmationSpoken string  `msgpack:"confirmation_spoken" json:"confirmation_spoken"`
	Message            string  `msgpack:"message" json:"message"`
}

// ReserveParams holds a slot for TTLSeconds (default 30, at most 300) while the caller decides.
type ReserveParams struct {
	CompanyID       string    `msgpack:"company_id" json:"company_id"`
	StaffID         string    `msgpack:"staff_id" json:"staff_id"`
	Start           time.Time `msgpack:"start" json:"start"`
	DurationMinutes int       `msgpack:"duration_minutes" json:"duration_minutes"`
	TTLSeconds      int       `msgpack:"ttl_seconds,omitempty" json:"ttl_seconds,omitempty"`
}

// Reservation is a held slot; pass Token to create as ReservationToken.
type Reservation struct {
	StaffID   string    `msgpack:"staff_id" json:"staff_id"`
	Start     time.Time `msgpack:"start" json:"start"`
	End       time.Time `msgpack:"end" json:"end"`
	Token     string    `msgpack:"token" json:"token"`
	Fence     int64     `msgpack:"fence" json:"fence"`
	ExpiresAt time.Time `msgpack:"expires_at" json:"expires_at"`
}

// CancelParams names the appointment by ConfirmationNumber, or by Phone and Date
// (YYYY-MM-DD in TimeZone, required then).
type CancelParams struct {
	CompanyID          string `msgpack:"company_id" json:"company_id"`
	ConfirmationNumber string `msgpack:"confirmation_number,omitempty" json:"confirmation_number,omitempty"`
	Phone              string `msgpack:"phone,omitempty" json:"phone,omitempty"`
	Date               string `msgpack:"date,omitempty" json:"date,omitempty"`
	TimeZone           string `msgpack:"time_zone,omitempty" json:"time_zone,omitempty"`
	Reason             string `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// CancelResult is the cancelled appointment and a German sentence.
type CancelResult struct {
	Booking Booking `msgpack:"booking" json:"booking"`
	Message string  `msgpack:"message" json:"message"`
}

// RescheduleParams moves the appointment (by id or confirmation number) to Start, optionally to
// another staff member. The new slot is secured before the old one is released.
type RescheduleParams struct {
	CompanyID          string    `msgpack:"company_id" json:"company_id"`
	AppointmentID      string    `msgpack:"appointment_id,omitempty" json:"appointment_id,omitempty"`
	ConfirmationNumber string    `msgpack:"confirmation_number,omitempty" json:"confirmation_number,omitempty"`
	StaffID            string    `msgpack:"staff_id,omitempty" json:"staff_id,omitempty"`
	Start              time.Time `msgpack:"start" json:"start"`
	TimeZone           string    `msgpack:"time_zone,omitempty" json:"time_zone,omitempty"`
	Reason             string    `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// RescheduleResult is the new appointment, the old one, and a German sentence.
type RescheduleResult struct {
	Booking            Booking `msgpack:"booking" json:"booking"`
	Previous           Booking `msgpack:"previous" json:"previous"`
	ConfirmationSpoken string  `msgpack:"confirmation_spoken" json:"confirmation_spoken"`
	Message            string  `msgpack:"message" json:"message"`
}

// ConfirmationJob asks the booking service to send the confirmations of one booking event.
type ConfirmationJob struct {
	Topic      string  `msgpack:"topic" json:"topic"`
	CompanyID  string  `msgpack:"company_id" json:"company_id"`
	Booking    Booking `msgpack:"booking" json:"booking"`
	PreviousID string  `msgpack:"previous_id,omitempty" json:"previous_id,omitempty"`
}

// Ack is the result of methods that return nothing else.
type Ack struct {
	OK bool `msgpack:"ok" json:"ok"`
}
