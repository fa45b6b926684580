package booking

import (
	"time"

	"github.com/askproai/backend/pkg/schedule"
)

// Slot is a half-open interval [Start, End) of one staff member.
type Slot struct {
	StaffID string
	Start   time.Time
	End     time.Time
}

// Overlaps reports whether the half-open intervals share a moment; back-to-back slots do not.
func (s Slot) Overlaps(start, end time.Time) bool {
	return s.Start.Before(end) && start.Before(s.End)
}

// Branch is the part of a branch the service needs: its name, clock and opening rules.
type Branch struct {
	ID       string
	Name     string
	TimeZone string
	// Hours are the weekly opening hours; nil: no hours configured, so the branch is closed.
	Hours *schedule.Week
	// State is the ISO 3166-2 code whose public holidays close the branch; empty: none.
	State          string
	Closings       []schedule.Closing
	OpenOnHolidays []schedule.Date
}

// Staff is a bookable person of a branch.
type Staff struct {
	ID           string
	Name         string
	CalcomUserID int64
	EventTypeIDs []string
	// CalcomEventTypes: per offered event type, the staff member's own Cal.com event type, when
	// they have one; see CalcomEventType.
	CalcomEventTypes map[string]int64
	// Hours are the staff member's working hours by branch id; a branch missing here: the
	// branch's opening hours.
	Hours map[string]schedule.Week
	// TimeOff lists the staff member's absences.
	TimeOff []schedule.Absence
}

// CalcomEventType is the Cal.com event type through which the staff member is booked for et:
// their own when they have one (its host is their Cal.com user, so colleagues can be booked
// at the same time), else the service's.
func (s Staff) CalcomEventType(et EventType) int64 {
	if id, ok := s.CalcomEventTypes[et.ID]; ok && id > 0 {
		return id
	}
	return et.CalcomEventTypeID
}

// Offers reports whether the staff member performs the event type.
func (s Staff) Offers(eventTypeID string) bool {
	for _, id := range s.EventTypeIDs {
		if id == eventTypeID {
			return true
		}
	}
	return false
}

// EventType is a bookable service.
type EventType struct {
	ID                string
	CalcomEventTypeID int64
	Name              string
	Duration          time.Duration
	// Notice is the minimum notice and HorizonDays the booking horizon in days, resolved from
	// the event type, else the company (0: schedule.DefaultNotice / DefaultHorizonDays).
	Notice      time.Duration
	HorizonDays int
}

// Contact is how a caller is reached for confirmations. Phone is E.164.
type Contact struct {
	Phone string
	Name  string
	Email string
}

// Criteria asks for free slots. Either At (the resolved wish) or From/To (a range) is set;
// with both, options inside the range nearest At come first.
type Criteria struct {
	CompanyID   string
	BranchID    string
	EventTypeID string
	StaffID     string // empty: every staff member who offers the event type
	At          time.Time
	From        time.Time
	To          time.Time
	TimeZone    string // empty: the branch's
	Limit       int    // options to return; 0 means DefaultOptions
}

// Option is one bookable slot with its German read-back.
type Option struct {
	Slot
	StaffName string
	Spoken    string // "Dienstag, 1. Dezember, um 14:30 Uhr"
}

// Availability answers checkAvailability.
type Availability struct {
	Options []Option
	// Exact is true when the wished time itself is free (it is then Options[0]).
	Exact bool
	// Reason is why the wished time cannot be booked by the rules (closed, holiday, …), empty
	// when the rules allow it or no time was wished.
	Reason schedule.Reason
	// Message is a German sentence the agent can read out.
	Message string
}

// CreateRequest books a slot. IdempotencyKey defaults to call id + staff + start + event type.
type CreateRequest struct {
	CompanyID        string
	BranchID         string
	EventTypeID      string
	StaffID          string
	Start            time.Time
	TimeZone         string
	CallID           string
	Customer         Contact
	Notes            string
	IdempotencyKey   string
	ReservationToken string // a reservation from ReserveSlot to book under
}

// Booking is an appointment as the service reports it.
type Booking struct {
	ID                 string
	CompanyID          string
	BranchID           string
	StaffID            string
	EventTypeID        string
	CustomerID         string
	CallID             string
	CalcomBookingID    string
	Start              time.Time
	End                time.Time
	Status             string
	ConfirmationNumber string
	RescheduledFrom    string
}

// CreateResult answers create.
type CreateResult struct {
	Booking Booking
	// Spoken is the confirmation number spelled for the phone ("K 7 M 2 P 9").
	Spoken string
	// Message is the German confirmation sentence.
	Message string
}

// Alternatives answers handleConflict.
type Alternatives struct {
	SameStaff  []Option // the wished staff member at the nearest times
	OtherStaff []Option // other staff at the wished time
	NextDays   []Option // the following days, nearest the wished time of day
	Message    string
}

func (a Alternatives) all() []Option {
	return append(append(append([]Option{}, a.SameStaff...), a.OtherStaff...), a.NextDays...)
}

// Empty reports whether nothing at all could be offered.
func (a Alternatives) Empty() bool {
	return len(a.SameStaff)+len(a.OtherStaff)+len(a.NextDays) == 0
}

// CancelRequest names an appointment by confirmation number, or by the caller's phone and the
// local day of the appointment.
type CancelRequest struct {
	CompanyID          string
	ConfirmationNumber string
	Phone              string
	Date               string // YYYY-MM-DD in TimeZone
	TimeZone           string
	Reason             string
}

// CancelResult answers cancel.
type CancelResult struct {
	Booking Booking
	Message string
}

// RescheduleRequest moves an appointment, found by id or confirmation number.
type RescheduleRequest struct {
	CompanyID          string
	AppointmentID      string
	ConfirmationNumber string
	StaffID            string // empty: the same staff member
	Start              time.Time
	TimeZone           string
	Reason             string
}

// RescheduleResult answers reschedule.
type RescheduleResult struct {
	Booking  Booking
	Previous Booking
	Spoken   string
	Message  string
}

// Lock is a live reservation of a slot. Token proves ownership; Fence grows with every
// reservation of the staff member, so a write carrying an older fence can be told apart.
type Lock struct {
	Slot
	Token     string
	Fence     int64
	ExpiresAt time.Time
	// Resumed: the reservation was already held under this owner (ReserveAs), by an earlier
	// run of the same request that did not finish. That run may have booked at Cal.com.
	Resumed bool
}

// NewAppointment is what the Store writes, together with the booking.created outbox event.
type NewAppointment struct {
	CompanyID       string
	BranchID        string
	StaffID         string
	EventTypeID     string
	CustomerID      string
	CallID          string
	CalcomBookingID string
	Start           time.Time
	End             time.Time
	Notes           string
	Fence           int64
}

// Move is what the Store writes for a reschedule: the new appointment and the old one released
// in one transaction, with the booking.rescheduled outbox event.
type Move struct {
	CompanyID       string
	AppointmentID   string
	StaffID         string
	Start           time.Time
	End             time.Time
	CalcomBookingID string
	Fence           int64
}

// CalendarBooking is what the Calendar books at Cal.com.
type CalendarBooking struct {
	CompanyID      string
	EventType      EventType
	Staff          Staff
	Start          time.Time
	End            time.Time
	TimeZone       string
	Attendee       Contact
	IdempotencyKey string
	Fence          int64
}

// SlotQuery asks the Calendar for the free starts of one staff member.
type SlotQuery struct {
	CompanyID string
	EventType EventType
	Staff     Staff
	From      time.Time
	To        time.Time
	TimeZone  string
}

// Orphan is a Cal.com booking whose local counterpart could not be written (or removed), kept
// for the reconciliation job. CalcomBookingID is empty when the upstream outcome is unknown
// (a timeout): then the Cal.com event type, the start and the idempotency key (the request id
// in the booking's metadata) tell the job where to look.
type Orphan struct {
	ID                string // the record's id in the ledger
	Kind              OrphanKind
	AppointmentID     string // for OrphanLocalCancel
	CompanyID         string
	CalcomBookingID   string
	CalcomEventTypeID int64 // for OrphanUnknownBooking
	StaffID           string
	Start             time.Time
	End               time.Time
	Reason            string
	IdempotencyKey    string
	At                time.Time
}

// OrphanKind tells the reconciler what an orphan record needs.
type OrphanKind string

// Orphan kinds.
const (
	// OrphanCalendarBooking: a Cal.com booking that may have no active local appointment; the
	// reconciler keeps it if one exists, else cancels it at Cal.com.
	OrphanCalendarBooking OrphanKind = "calendar_booking"
	// OrphanLocalCancel: cancelled at Cal.com, still active here; the reconciler cancels it here.
	OrphanLocalCancel OrphanKind = "local_cancel"
	// OrphanUnknownBooking: Cal.com's answer to a create was lost (a timeout). The reconciler
	// looks the booking up by its idempotency key: none means nothing to undo; one is then
	// treated as an OrphanCalendarBooking.
	OrphanUnknownBooking OrphanKind = "unknown_booking"
	// OrphanManual: a move half done, or an unknown outcome without the data to settle it; an
	// operator decides.
	OrphanManual OrphanKind = "manual"
)

// AuditEntry is one audited action of the booking service.
type AuditEntry struct {
	CompanyID string
	Action    string
	Entity    string
	EntityID  string
	Data      map[string]any
}

// EventKind names the booking events that trigger confirmations.
type EventKind string

// Event kinds, equal to their bus topics.
const (
	EventCreated     EventKind = "booking.created"
	EventCancelled   EventKind = "booking.cancelled"
	EventRescheduled EventKind = "booking.rescheduled"
)

// Event is a booking event as the outbox relay publishes it.
type Event struct {
	ID         string // unique per event; confirmations are sent at most once per ID and channel
	Kind       EventKind
	CompanyID  string
	Booking    Booking
	PreviousID string
}

// Confirmation is a message to send for an event.
type Confirmation struct {
	EventID  string
	Kind     EventKind
	To       Contact
	BranchID string
	Booking  Booking
	Subject  string
	Text     string
	BranchTZ string
}

// Slot is the booking's interval.
func (b Booking) Slot() Slot { return Slot{StaffID: b.StaffID, Start: b.Start, End: b.End} }
