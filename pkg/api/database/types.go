package database

import "time"

// Company is a tenant. Its API key is never returned: only the prefix that tells keys apart.
type Company struct {
	ID              string         `msgpack:"id" json:"id"`
	Name            string         `msgpack:"name" json:"name"`
	APIKeyPrefix    string         `msgpack:"api_key_prefix" json:"api_key_prefix"`
	Settings        map[string]any `msgpack:"settings" json:"settings"`
	TimeZone        string         `msgpack:"time_zone" json:"time_zone"`
	HasCalcomAPIKey bool           `msgpack:"has_calcom_api_key" json:"has_calcom_api_key"`
	Active          bool           `msgpack:"active" json:"active"`
	// MinimumNoticeMinutes and BookingHorizonDays are the tenant's defaults for event types
	// that set neither (0: the system defaults, 120 minutes and 90 days).
	MinimumNoticeMinutes int `msgpack:"minimum_notice_minutes,omitempty" json:"minimum_notice_minutes,omitempty"`
	BookingHorizonDays   int `msgpack:"booking_horizon_days,omitempty" json:"booking_horizon_days,omitempty"`
	// APIKeyID is the id of the API key that matched; only companies.byApiKeyDigest sets it.
	APIKeyID string `msgpack:"api_key_id,omitempty" json:"api_key_id,omitempty"`
}

// APIKey is one of a tenant's API keys, without the key (only its digest is stored).
type APIKey struct {
	ID         string     `msgpack:"id" json:"id"`
	CompanyID  string     `msgpack:"company_id" json:"company_id"`
	Name       string     `msgpack:"name" json:"name"`
	Prefix     string     `msgpack:"prefix" json:"prefix"` // the first 12 characters of the key
	CreatedAt  time.Time  `msgpack:"created_at" json:"created_at"`
	LastUsedAt *time.Time `msgpack:"last_used_at,omitempty" json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `msgpack:"revoked_at,omitempty" json:"revoked_at,omitempty"`
}

// TimeRange is a wall-clock interval ("09:00" to "18:00") in the branch's time zone.
type TimeRange struct {
	From string `msgpack:"from" json:"from"`
	To   string `msgpack:"to" json:"to"`
}

// OpeningHours maps a weekday ("mon" … "sun") to its open intervals.
type OpeningHours map[string][]TimeRange

// ClosingDays are days a branch is closed on top of its weekly hours ("Betriebsferien"): the
// local calendar days From through To, both inclusive, as YYYY-MM-DD.
type ClosingDays struct {
	From  string `msgpack:"from" json:"from"`
	To    string `msgpack:"to" json:"to"`
	Label string `msgpack:"label,omitempty" json:"label,omitempty"`
}

// TimeOff is an absence of a staff member, [From, To).
type TimeOff struct {
	From   time.Time `msgpack:"from" json:"from"`
	To     time.Time `msgpack:"to" json:"to"`
	Reason string    `msgpack:"reason,omitempty" json:"reason,omitempty"`
}

// Branch is a location of a company, reached through its own phone number.
type Branch struct {
	ID           string       `msgpack:"id" json:"id"`
	CompanyID    string       `msgpack:"company_id" json:"company_id"`
	Name         string       `msgpack:"name" json:"name"`
	PhoneNumber  string       `msgpack:"phone_number" json:"phone_number"`
	TimeZone     string       `msgpack:"time_zone" json:"time_zone"`
	OpeningHours OpeningHours `msgpack:"opening_hours" json:"opening_hours"`
	Address      string       `msgpack:"address,omitempty" json:"address,omitempty"`
	Active       bool         `msgpack:"active" json:"active"`
	// State is the German state (Bundesland) whose public holidays close the branch, as an
	// ISO 3166-2 code ("DE-BE"); empty: no public holidays apply.
	State string `msgpack:"state,omitempty" json:"state,omitempty"`
	// ClosingDays are the tenant's own closed days.
	ClosingDays []ClosingDays `msgpack:"closing_days,omitempty" json:"closing_days,omitempty"`
	// OpenOnHolidays lists public holidays (YYYY-MM-DD) on which the branch opens anyway, with
	// its weekly hours.
	OpenOnHolidays []string `msgpack:"open_on_holidays,omitempty" json:"open_on_holidays,omitempty"`
}

// Staff is a person who can be booked.
type Staff struct {
	ID           string   `msgpack:"id" json:"id"`
	CompanyID    string   `msgpack:"company_id" json:"company_id"`
	BranchID     string   `msgpack:"branch_id" json:"branch_id"`
	Name         string   `msgpack:"name" json:"name"`
	Aliases      []string `msgpack:"aliases" json:"aliases"`
	CalcomUserID int64    `msgpack:"calcom_user_id,omitempty" json:"calcom_user_id,omitempty"`
	EventTypeIDs []string `msgpack:"event_type_ids" json:"event_type_ids"`
	// CalcomEventTypes maps an offered event type id to the Cal.com event type this staff member
	// is booked through (their own, hosted by their Cal.com user); an event type missing here is
	// booked through its own CalcomEventTypeID.
	CalcomEventTypes map[string]int64 `msgpack:"calcom_event_types,omitempty" json:"calcom_event_types,omitempty"`
	Active           bool             `msgpack:"active" json:"active"`
	// WorkingHours are the staff member's hours by branch id. A staff member is bookable at
	// every branch listed here (and at BranchID); at a branch missing here they work the
	// branch's opening hours.
	WorkingHours map[string]OpeningHours `msgpack:"working_hours,omitempty" json:"working_hours,omitempty"`
	// TimeOff lists the staff member's absences.
	TimeOff []TimeOff `msgpack:"time_off,omitempty" json:"time_off,omitempty"`
}

// EventType is a bookable service, mirrored from Cal.com.
type EventType struct {
	ID                string   `msgpack:"id" json:"id"`
	CompanyID         string   `msgpack:"company_id" json:"company_id"`
	BranchID          string   `msgpack:"branch_id,omitempty" json:"branch_id,omitempty"` // empty: every branch
	CalcomEventTypeID int64    `msgpack:"calcom_event_type_id" json:"calcom_event_type_id"`
	Name              string   `msgpack:"name" json:"name"`
	Aliases           []string `msgpack:"aliases" json:"aliases"`
	DurationMinutes   int      `msgpack:"duration_minutes" json:"duration_minutes"`
	PriceCents        *int64   `msgpack:"price_cents,omitempty" json:"price_cents,omitempty"`
	Currency          string   `msgpack:"currency" json:"currency"`
	Active            bool     `msgpack:"active" json:"active"`
	// MinimumNoticeMinutes is how long before its start a slot can still be booked, and
	// BookingHorizonDays how far ahead (Cal.com's minimumBookingNotice and future-booking
	// limit); nil: the company's default.
	MinimumNoticeMinutes *int `msgpack:"minimum_notice_minutes,omitempty" json:"minimum_notice_minutes,omitempty"`
	BookingHorizonDays   *int `msgpack:"booking_horizon_days,omitempty" json:"booking_horizon_days,omitempty"`
	// CalcomMinimumNoticeMinutes and CalcomBookingHorizonDays are Cal.com's own limits of the
	// event type as last synced (eventTypes.setCalcomLimits); nil: Cal.com sets none. Where set
	// they win over the tenant's values above (schedule.Limits). Upserts leave them alone.
	CalcomMinimumNoticeMinutes *int       `msgpack:"calcom_minimum_notice_minutes,omitempty" json:"calcom_minimum_notice_minutes,omitempty"`
	CalcomBookingHorizonDays   *int       `msgpack:"calcom_booking_horizon_days,omitempty" json:"calcom_booking_horizon_days,omitempty"`
	CalcomSyncedAt             *time.Time `msgpack:"calcom_synced_at,omitempty" json:"calcom_synced_at,omitempty"`
}

// Customer is a caller of a company, decrypted for the caller of the method.
type Customer struct {
	ID        string    `msgpack:"id" json:"id"`
	CompanyID string    `msgpack:"company_id" json:"company_id"`
	Phone     string    `msgpack:"phone" json:"phone"`
	Name      string    `msgpack:"name,omitempty" json:"name,omitempty"`
	Email     string    `msgpack:"email,omitempty" json:"email,omitempty"`
	CreatedAt time.Time `msgpack:"created_at" json:"created_at"`
}

// Call is one phone call handled by the agent.
type Call struct {
	ID              string         `msgpack:"id" json:"id"`
	CompanyID       string         `msgpack:"company_id" json:"company_id"`
	BranchID        string         `msgpack:"branch_id" json:"branch_id"`
	CustomerID      string         `msgpack:"customer_id,omitempty" json:"customer_id,omitempty"`
	RetellCallID    string         `msgpack:"retell_call_id" json:"retell_call_id"`
	FromNumber      string         `msgpack:"from_number,omitempty" json:"from_number,omitempty"`
	ToNumber        string         `msgpack:"to_number,omitempty" json:"to_number,omitempty"`
	Status          string         `msgpack:"status" json:"status"`
	DurationSeconds int            `msgpack:"duration_seconds" json:"duration_seconds"`
	RecordingURL    string         `msgpack:"recording_url,omitempty" json:"recording_url,omitempty"`
	Transcript      string         `msgpack:"transcript,omitempty" json:"transcript,omitempty"`
	Sentiment       string         `msgpack:"sentiment,omitempty" json:"sentiment,omitempty"`
	Metadata        map[string]any `msgpack:"metadata" json:"metadata"`
	AppointmentID   string         `msgpack:"appointment_id,omitempty" json:"appointment_id,omitempty"`
	StartedAt       time.Time      `msgpack:"started_at" json:"started_at"`
	EndedAt         *time.Time     `msgpack:"ended_at,omitempty" json:"ended_at,omitempty"`
	// Version counts the call's writes: every save and link raises it (see
	// SaveCallParams.IfVersion).
	Version int64 `msgpack:"version" json:"version"`
}

// Appointment is a booked slot of one staff member.
type Appointment struct {
	ID                 string     `msgpack:"id" json:"id"`
	CompanyID          string     `msgpack:"company_id" json:"company_id"`
	BranchID           string     `msgpack:"branch_id" json:"branch_id"`
	StaffID            string     `msgpack:"staff_id" json:"staff_id"`
	EventTypeID        string     `msgpack:"event_type_id,omitempty" json:"event_type_id,omitempty"`
	CustomerID         string     `msgpack:"customer_id,omitempty" json:"customer_id,omitempty"`
	CallID             string     `msgpack:"call_id,omitempty" json:"call_id,omitempty"`
	RetellCallID       string     `msgpack:"retell_call_id,omitempty" json:"retell_call_id,omitempty"`
	CalcomBookingID    string     `msgpack:"calcom_booking_id,omitempty" json:"calcom_booking_id,omitempty"`
	StartTime          time.Time  `msgpack:"start_time" json:"start_time"`
	EndTime            time.Time  `msgpack:"end_time" json:"end_time"`
	Status             string     `msgpack:"status" json:"status"`
	Source             string     `msgpack:"source" json:"source"`
	ConfirmationNumber string     `msgpack:"confirmation_number" json:"confirmation_number"`
	RescheduledFrom    string     `msgpack:"rescheduled_from,omitempty" json:"rescheduled_from,omitempty"`
	Notes              string     `msgpack:"notes,omitempty" json:"notes,omitempty"`
	CancelReason       string     `msgpack:"cancel_reason,omitempty" json:"cancel_reason,omitempty"`
	CancelledAt        *time.Time `msgpack:"cancelled_at,omitempty" json:"cancelled_at,omitempty"`
	CreatedAt          time.Time  `msgpack:"created_at" json:"created_at"`
	UpdatedAt          time.Time  `msgpack:"updated_at" json:"updated_at"`
}

// DailyStats are one branch's figures for one local day (the company's time zone).
type DailyStats struct {
	BranchID            string  `msgpack:"branch_id" json:"branch_id"`
	Day                 string  `msgpack:"day" json:"day"` // YYYY-MM-DD
	Calls               int64   `msgpack:"calls" json:"calls"`
	Answered            int64   `msgpack:"answered" json:"answered"`
	AvgDurationSeconds  float64 `msgpack:"avg_duration_seconds" json:"avg_duration_seconds"`
	P50DurationSeconds  float64 `msgpack:"p50_duration_seconds" json:"p50_duration_seconds"`
	P90DurationSeconds  float64 `msgpack:"p90_duration_seconds" json:"p90_duration_seconds"`
	BookingsFromCalls   int64   `msgpack:"bookings_from_calls" json:"bookings_from_calls"`
	Cancellations       int64   `msgpack:"cancellations" json:"cancellations"`
	Reschedules         int64   `msgpack:"reschedules" json:"reschedules"`
	MissedOpportunities int64   `msgpack:"missed_opportunities" json:"missed_opportunities"`
	SentimentPositive   int64   `msgpack:"sentiment_positive" json:"sentiment_positive"`
	SentimentNeutral    int64   `msgpack:"sentiment_neutral" json:"sentiment_neutral"`
	SentimentNegative   int64   `msgpack:"sentiment_negative" json:"sentiment_negative"`
}
