package calcom

import "time"

// TopicBookingChanged carries Cal.com booking webhooks (created, cancelled, rescheduled) for
// changes made outside our system: the calcom service verifies the signature, drops changes
// that carry our own request id, and publishes the rest here for the appointment owner
// (through the database service) to apply. Delivery is at least once: deduplicate on
// (Trigger, UID, CreatedAt).
const TopicBookingChanged = "calcom.booking.changed"

// Webhook triggers.
const (
	TriggerBookingCreated     = "BOOKING_CREATED"
	TriggerBookingCancelled   = "BOOKING_CANCELLED"
	TriggerBookingRescheduled = "BOOKING_RESCHEDULED"
)

// BookingChanged is one verified booking webhook.
type BookingChanged struct {
	Trigger     string    `msgpack:"trigger" json:"trigger"`
	CreatedAt   time.Time `msgpack:"created_at" json:"created_at"`
	UID         string    `msgpack:"uid" json:"uid"`
	EventTypeID int64     `msgpack:"event_type_id" json:"event_type_id"`
	Start       time.Time `msgpack:"start" json:"start"`
	End         time.Time `msgpack:"end" json:"end"`
	// Status is Cal.com's upper-case booking status: ACCEPTED, PENDING, CANCELLED…
	Status string `msgpack:"status" json:"status"`
	// RescheduleUID is the old booking's uid on BOOKING_RESCHEDULED.
	RescheduleUID      string `msgpack:"reschedule_uid,omitempty" json:"reschedule_uid,omitempty"`
	CancellationReason string `msgpack:"cancellation_reason,omitempty" json:"cancellation_reason,omitempty"`
	// OrganizerUsername is the host's Cal.com username (with EventTypeID, it identifies the tenant).
	OrganizerUsername string `msgpack:"organizer_username,omitempty" json:"organizer_username,omitempty"`
}
