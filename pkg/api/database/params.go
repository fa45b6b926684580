package database

import "time"

// ByAPIKeyDigestParams resolves a tenant from its API key; it is the one lookup that runs before
// the tenant is known.
type ByAPIKeyDigestParams struct {
	DigestHex string `msgpack:"digest_hex" json:"digest_hex"` // hex SHA-256 of the presented key
}

// CompanyParams names a tenant.
type CompanyParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
}

// BranchByPhoneParams resolves the branch a call was dialled to. CompanyID may be empty when the
// tenant is not known yet (inbound routing); when set, the lookup is scoped by it.
type BranchByPhoneParams struct {
	CompanyID   string `msgpack:"company_id,omitempty" json:"company_id,omitempty"`
	PhoneNumber string `msgpack:"phone_number" json:"phone_number"`
}

// BranchParams names one branch of a tenant.
type BranchParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	BranchID  string `msgpack:"branch_id" json:"branch_id"`
}

// CatalogueParams lists staff or event types; an empty BranchID means every branch.
type CatalogueParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	BranchID  string `msgpack:"branch_id,omitempty" json:"branch_id,omitempty"`
}

// ByNameParams finds staff or event types by name or spoken alias (case-insensitive).
type ByNameParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	BranchID  string `msgpack:"branch_id,omitempty" json:"branch_id,omitempty"`
	Name      string `msgpack:"name" json:"name"`
}

// FindOrCreateCustomerParams finds a caller by phone number or creates them.
type FindOrCreateCustomerParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	Phone     string `msgpack:"phone" json:"phone"` // E.164
	Name      string `msgpack:"name,omitempty" json:"name,omitempty"`
	Email     string `msgpack:"email,omitempty" json:"email,omitempty"`
}

// CustomerParams names one customer of a tenant.
type CustomerParams struct {
	CompanyID  string `msgpack:"company_id" json:"company_id"`
	CustomerID string `msgpack:"customer_id" json:"customer_id"`
}

// FindOrCreateCustomerResult tells whether the customer was new.
type FindOrCreateCustomerResult struct {
	Customer Customer `msgpack:"customer" json:"customer"`
	Created  bool     `msgpack:"created" json:"created"`
}

// SaveCallParams upserts a call by RetellCallID; the caller (FromNumber) becomes a customer in
// the same transaction. Empty fields leave stored values alone; Status never moves backwards.
type SaveCallParams struct {
	CompanyID    string `msgpack:"company_id" json:"company_id"`
	BranchID     string `msgpack:"branch_id" json:"branch_id"`
	RetellCallID string `msgpack:"retell_call_id" json:"retell_call_id"`
	FromNumber   string `msgpack:"from_number,omitempty" json:"from_number,omitempty"`
	ToNumber     string `msgpack:"to_number,omitempty" json:"to_number,omitempty"`
	CustomerName string `msgpack:"customer_name,omitempty" json:"customer_name,omitempty"`
	// CustomerNumber is the number the call's customer is found or created by: the caller's
	// on an inbound call, the number called on an outbound one. Empty: from_number.
	CustomerNumber  string         `msgpack:"customer_number,omitempty" json:"customer_number,omitempty"`
	Status          string         `msgpack:"status" json:"status"`
	DurationSeconds *int           `msgpack:"duration_seconds,omitempty" json:"duration_seconds,omitempty"`
	RecordingURL    string         `msgpack:"recording_url,omitempty" json:"recording_url,omitempty"`
	Transcript      string         `msgpack:"transcript,omitempty" json:"transcript,omitempty"`
	Sentiment       string         `msgpack:"sentiment,omitempty" json:"sentiment,omitempty"`
	Metadata        map[string]any `msgpack:"metadata,omitempty" json:"metadata,omitempty"`
	RawPayload      []byte         `msgpack:"raw_payload,omitempty" json:"raw_payload,omitempty"` // the webhook body, JSON
	StartedAt       time.Time      `msgpack:"started_at" json:"started_at"`
	EndedAt         *time.Time     `msgpack:"ended_at,omitempty" json:"ended_at,omitempty"`
	// Derived marks a write of what was derived from the call itself (the call service's
	// extraction): its call.saved event says so, and jobs that derive from calls skip it.
	Derived bool `msgpack:"derived,omitempty" json:"derived,omitempty"`
	// IfVersion, when set, makes the save conditional: it applies only while the call is at
	// this Call.Version, and otherwise answers conflict (-32002, "stale version") and changes
	// nothing. A writer that derives from a call it read passes the version it read.
	IfVersion int64 `msgpack:"if_version,omitempty" json:"if_version,omitempty"`
}

// GetCallParams loads one call by our id (CallID) or Retell's (RetellCallID); set one.
type GetCallParams struct {
	CompanyID    string `msgpack:"company_id" json:"company_id"`
	CallID       string `msgpack:"call_id,omitempty" json:"call_id,omitempty"`
	RetellCallID string `msgpack:"retell_call_id,omitempty" json:"retell_call_id,omitempty"`
}

// LinkAppointmentParams links a call to the appointment booked during it.
type LinkAppointmentParams struct {
	CompanyID     string `msgpack:"company_id" json:"company_id"`
	CallID        string `msgpack:"call_id" json:"call_id"`
	AppointmentID string `msgpack:"appointment_id" json:"appointment_id"`
}

// CreateAppointmentParams books a slot. A slot that overlaps an active appointment of the same
// staff member answers conflict (slot taken).
type CreateAppointmentParams struct {
	CompanyID   string `msgpack:"company_id" json:"company_id"`
	BranchID    string `msgpack:"branch_id" json:"branch_id"`
	StaffID     string `msgpack:"staff_id" json:"staff_id"`
	EventTypeID string `msgpack:"event_type_id,omitempty" json:"event_type_id,omitempty"`
	CustomerID  string `msgpack:"customer_id,omitempty" json:"customer_id,omitempty"`
	CallID      string `msgpack:"call_id,omitempty" json:"call_id,omitempty"`
	// RetellCallID links the appointment to the call it was booked in when only Retell's id is
	// known; the link is made now if the call is stored, else when it is.
	RetellCallID    string    `msgpack:"retell_call_id,omitempty" json:"retell_call_id,omitempty"`
	CalcomBookingID string    `msgpack:"calcom_booking_id,omitempty" json:"calcom_booking_id,omitempty"`
	StartTime       time.Time `msgpack:"start_time" json:"start_time"`
	EndTime         time.Time `msgpack:"end_time" json:"end_time"`
	Status          string    `msgpack:"status,omitempty" json:"status,omitempty"` // default scheduled
	Source          string    `msgpack:"source,omitempty" json:"source,omitempty"` // default phone
	Notes           string    `msgpack:"notes,omitempty" json:"notes,omitempty"`
}

// AppointmentParams names one appointment of a tenant.
type AppointmentParams struct {
	CompanyID     string `msgpack:"company_id" json:"company_id"`
	AppointmentID string `msgpack:"appointment_id" json:"appointment_id"`
}

// CancelAppointmentParams cancels an appointment and frees its slot.
type CancelAppointmentParams struct {
	CompanyID     string `msgpack:"company_id" json:"company_id"`
	AppointmentID string `msgpack:"appointment_id" json:"appointment_id"`
	Reason        string `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// RescheduleAppointmentParams moves an appointment atomically: the new appointment is booked and
// the old one released in one transaction, or nothing changes.
type RescheduleAppointmentParams struct {
	CompanyID       string    `msgpack:"company_id" json:"company_id"`
	AppointmentID   string    `msgpack:"appointment_id" json:"appointment_id"`
	StaffID         string    `msgpack:"staff_id,omitempty" json:"staff_id,omitempty"` // empty: same staff
	StartTime       time.Time `msgpack:"start_time" json:"start_time"`
	EndTime         time.Time `msgpack:"end_time" json:"end_time"`
	CalcomBookingID string    `msgpack:"calcom_booking_id,omitempty" json:"calcom_booking_id,omitempty"`
}

// ListActiveParams lists a staff member's active appointments overlapping [From, To).
type ListActiveParams struct {
	CompanyID string    `msgpack:"company_id" json:"company_id"`
	StaffID   string    `msgpack:"staff_id" json:"staff_id"`
	From      time.Time `msgpack:"from" json:"from"`
	To        time.Time `msgpack:"to" json:"to"`
}

// ByConfirmationParams finds an appointment by the number read out to the caller.
type ByConfirmationParams struct {
	CompanyID          string `msgpack:"company_id" json:"company_id"`
	ConfirmationNumber string `msgpack:"confirmation_number" json:"confirmation_number"`
}

// ByCustomerPhoneParams lists a caller's appointments starting at or after From, soonest first.
type ByCustomerPhoneParams struct {
	CompanyID  string    `msgpack:"company_id" json:"company_id"`
	Phone      string    `msgpack:"phone" json:"phone"`
	From       time.Time `msgpack:"from" json:"from"`
	ActiveOnly bool      `msgpack:"active_only" json:"active_only"`
}

// AppointmentList is a list result.
type AppointmentList struct {
	Appointments []Appointment `msgpack:"appointments" json:"appointments"`
}

// AnalyticsParams asks for daily figures between two local days, both inclusive (YYYY-MM-DD).
type AnalyticsParams struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	BranchID  string `msgpack:"branch_id,omitempty" json:"branch_id,omitempty"`
	From      string `msgpack:"from" json:"from"`
	To        string `msgpack:"to" json:"to"`
}

// AnalyticsResult holds one row per branch and day that had activity.
type AnalyticsResult struct {
	TimeZone string       `msgpack:"time_zone" json:"time_zone"`
	Days     []DailyStats `msgpack:"days" json:"days"`
}

// AuditAppendParams records a state change made on behalf of a tenant. Who acted, and from
// where, is the request's identity in the envelope (rpc.IdentityFrom), never a param.
type AuditAppendParams struct {
	CompanyID string         `msgpack:"company_id" json:"company_id"`
	Action    string         `msgpack:"action" json:"action"`
	Entity    string         `msgpack:"entity" json:"entity"`
	EntityID  string         `msgpack:"entity_id" json:"entity_id"`
	Data      map[string]any `msgpack:"data,omitempty" json:"data,omitempty"`
}

// OutboxAppendParams queues an event for the relay to publish at least once.
type OutboxAppendParams struct {
	CompanyID     string         `msgpack:"company_id" json:"company_id"`
	AggregateType string         `msgpack:"aggregate_type" json:"aggregate_type"`
	AggregateID   string         `msgpack:"aggregate_id" json:"aggregate_id"`
	Topic         string         `msgpack:"topic" json:"topic"`
	Payload       map[string]any `msgpack:"payload" json:"payload"`
}

// InboxClaimParams records that a webhook delivery (Source, Key) is being processed.
type InboxClaimParams struct {
	CompanyID string `msgpack:"company_id,omitempty" json:"company_id,omitempty"`
	Source    string `msgpack:"source" json:"source"`
	Key       string `msgpack:"key" json:"key"`
}

// InboxClaimResult is First=false for a duplicate delivery.
type InboxClaimResult struct {
	First bool `msgpack:"first" json:"first"`
}

// Ack is the result of methods that return nothing else.
type Ack struct {
	OK bool `msgpack:"ok" json:"ok"`
}

// List results.
type (
	BranchList struct {
		Branches []Branch `msgpack:"branches" json:"branches"`
	}
	StaffList struct {
		Staff []Staff `msgpack:"staff" json:"staff"`
	}
	EventTypeList struct {
		EventTypes []EventType `msgpack:"event_types" json:"event_types"`
	}
)

// CalcomAPIKeyResult carries a tenant's decrypted Cal.com API key, for the calcom service only.
type CalcomAPIKeyResult struct {
	APIKey string `msgpack:"api_key" json:"api_key"`
}

// UpsertBranchParams creates (empty Branch.ID) or replaces a branch of Branch.CompanyID.
type UpsertBranchParams struct {
	Branch Branch `msgpack:"branch" json:"branch"`
}

// UpsertStaffParams creates (empty Staff.ID) or replaces a staff member and the event types
// they offer.
type UpsertStaffParams struct {
	Staff Staff `msgpack:"staff" json:"staff"`
}

// SetCalcomLimitsParams stores Cal.com's limits of the company's event type with Cal.com id
// CalcomEventTypeID (the calcom service's syncEventTypeLimits). Nil clears a limit: Cal.com
// sets none. Only the calcom_* columns change; the tenant's own values stay.
type SetCalcomLimitsParams struct {
	CompanyID            string `msgpack:"company_id" json:"company_id"`
	CalcomEventTypeID    int64  `msgpack:"calcom_event_type_id" json:"calcom_event_type_id"`
	MinimumNoticeMinutes *int   `msgpack:"minimum_notice_minutes,omitempty" json:"minimum_notice_minutes,omitempty"`
	BookingHorizonDays   *int   `msgpack:"booking_horizon_days,omitempty" json:"booking_horizon_days,omitempty"`
}

// UpsertEventTypeParams creates or updates an event type by its Cal.com id (catalogue sync).
type UpsertEventTypeParams struct {
	EventType EventType `msgpack:"event_type" json:"event_type"`
}
