package calcom

import "time"

// Slot is a bookable interval, in the time zone that was asked for.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// AvailabilityQuery asks for the slots of an event type on the local dates From..To (inclusive,
// "2006-01-02") of a branch's IANA TimeZone.
type AvailabilityQuery struct {
	EventTypeID int
	From, To    string
	TimeZone    string
}

// BookingRequest is a booking made for a caller. Attendees are phone-first: Phone is always
// sent, in E.164 as pkg/phone normalises it; Email only when the event type requires one
// (EmailRequired).
type BookingRequest struct {
	EventTypeID int
	Start       time.Time
	Name        string
	Phone       string
	// Region reads a Phone written without country code; "" accepts international notation
	// only.
	Region string
	Email  string
	// EmailRequired comes from the synced event type (EventType.RequiresEmail).
	EmailRequired bool
	TimeZone      string
	Language      string // Cal.com language code, "de" by default
	// RequestID is our idempotency marker, stored in the booking's metadata so an ambiguous
	// failure can be settled by looking the booking up.
	RequestID string
	// Metadata is extra flat metadata (≤ 49 keys, values ≤ 500 characters).
	Metadata map[string]string
}

// MetadataRequestID is the booking-metadata key holding BookingRequest.RequestID.
const MetadataRequestID = "askproai_request_id"

// Booking is the part of BookingOutput_2024_08_13 we use.
type Booking struct {
	ID           int       `json:"id"`
	UID          string    `json:"uid"`
	Title        string    `json:"title"`
	Status       string    `json:"status"` // accepted, pending, cancelled, rejected
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Duration     int       `json:"duration"`
	EventTypeID  int       `json:"eventTypeId"` // deprecated upstream; see EventTypeRef
	EventTypeRef struct {
		ID   int    `json:"id"`
		Slug string `json:"slug"`
	} `json:"eventType"`
	Attendees          []Attendee     `json:"attendees"`
	Metadata           map[string]any `json:"metadata"`
	CancellationReason string         `json:"cancellationReason"`
	RescheduledFromUID string         `json:"rescheduledFromUid"`
	RescheduledToUID   string         `json:"rescheduledToUid"`
}

// EventType returns the booking's event type id, from eventType.id or the deprecated eventTypeId.
func (b Booking) EventType() int {
	if b.EventTypeRef.ID != 0 {
		return b.EventTypeRef.ID
	}
	return b.EventTypeID
}

// Live reports whether the booking holds its time: accepted or pending, not cancelled or rejected.
func (b Booking) Live() bool { return b.Status != "cancelled" && b.Status != "rejected" }

// RequestID returns our request id from the booking's metadata, if any.
func (b Booking) RequestID() string {
	s, _ := b.Metadata[MetadataRequestID].(string)
	return s
}

// Attendee of a booking. Phone-only attendees carry Cal.com's placeholder e-mail
// "<digits>@sms.cal.com"; RealEmail hides it.
type Attendee struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	TimeZone    string `json:"timeZone"`
	Language    string `json:"language"`
	PhoneNumber string `json:"phoneNumber"`
}

// Me is the owner of an API key.
type Me struct {
	ID                int    `json:"id"`
	Username          string `json:"username"`
	Email             string `json:"email"`
	TimeZone          string `json:"timeZone"`
	DefaultScheduleID int    `json:"defaultScheduleId"`
}

// EventType is the part of EventTypeOutput_2024_06_14 we sync.
type EventType struct {
	ID              int            `json:"id"`
	Title           string         `json:"title"`
	Slug            string         `json:"slug"`
	LengthInMinutes int            `json:"lengthInMinutes"`
	Hidden          bool           `json:"hidden"`
	ScheduleID      int            `json:"scheduleId"`
	BookingFields   []BookingField `json:"bookingFields"`
}

// BookingField is one booking question of an event type.
type BookingField struct {
	Type     string `json:"type"`
	Slug     string `json:"slug"`
	Required bool   `json:"required"`
	Hidden   bool   `json:"hidden"`
}

// RequiresEmail reports whether bookings must carry the attendee's e-mail: the default email
// field is required unless the event type was made phone-only (email hidden and optional).
func (e EventType) RequiresEmail() bool {
	for _, f := range e.BookingFields {
		if f.Slug == "email" {
			return f.Required && !f.Hidden
		}
	}
	return true
}

// Schedule is a Cal.com schedule (opening hours), for display only: bookability comes from slots.
type Schedule struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	TimeZone     string `json:"timeZone"`
	IsDefault    bool   `json:"isDefault"`
	Availability []struct {
		Days      []string `json:"days"`
		StartTime string   `json:"startTime"`
		EndTime   string   `json:"endTime"`
	} `json:"availability"`
}
