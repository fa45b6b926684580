package call

import "time"

// Method names on the call service.
const (
	// MethodSave stores one Retell lifecycle webhook (SaveParams → SaveResult). Idempotent:
	// any order and any number of deliveries of a call's webhooks give the same row.
	MethodSave = "save"
	// MethodExtractMetadata understands a transcript without storing anything
	// (ExtractMetadataParams → Metadata).
	MethodExtractMetadata = "extractMetadata"
	// MethodLinkToAppointment links a call to the appointment booked in it
	// (LinkParams → LinkResult). Idempotent.
	MethodLinkToAppointment = "linkToAppointment"
	// MethodAnalytics reports figures between two local days (AnalyticsParams → AnalyticsResult).
	MethodAnalytics = "analytics"
	// MethodAnalyzeCall is the extraction job call.saved starts, sent on the low lane
	// (AnalyzeCallParams → AnalyzeCallResult). Internal; safe to call again.
	MethodAnalyzeCall = "analyzeCall"
)

// TopicCallAnalyzed is published after a call's metadata was extracted and stored
// (CallAnalyzedEvent). call.saved itself comes from the database service's outbox.
const TopicCallAnalyzed = "call.analyzed"

// Intents, outcomes and sentiments as they appear in Metadata and in the calls' metadata column.
const (
	IntentBooking      = "booking"
	IntentCancellation = "cancellation"
	IntentReschedule   = "reschedule"
	IntentInfo         = "info"
	IntentNone         = "none"

	OutcomeBooked        = "booked"
	OutcomeCancelled     = "cancelled"
	OutcomeRescheduled   = "rescheduled"
	OutcomeInfo          = "info"
	OutcomeNoAction      = "no_action"
	OutcomeMissedBooking = "missed_booking"

	SentimentPositive = "positive"
	SentimentNeutral  = "neutral"
	SentimentNegative = "negative"
	SentimentUnknown  = "unknown"
)

// SaveParams is one webhook body. CompanyID may be empty: the call's dynamic variables or
// metadata (company_id, branch_id, set by our inbound webhook) or the dialled number route it.
type SaveParams struct {
	CompanyID  string    `json:"company_id,omitempty" msgpack:"company_id,omitempty"`
	Body       []byte    `json:"body" msgpack:"body"`
	ReceivedAt time.Time `json:"received_at,omitzero" msgpack:"received_at,omitempty"`
}

// SaveResult is the stored call. Ignored is set for events the call record does not track
// (transcript_updated, transfer_*): they are acknowledged and dropped.
type SaveResult struct {
	CallID     string `json:"call_id,omitempty" msgpack:"call_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty" msgpack:"customer_id,omitempty"`
	Status     string `json:"status,omitempty" msgpack:"status,omitempty"`
	Ignored    bool   `json:"ignored,omitempty" msgpack:"ignored,omitempty"`
}

// ExtractMetadataParams is a transcript ("Agent: …\nUser: …") and its context. StartedAt and
// BranchID anchor relative dates ("morgen"); UserSentiment is Retell's, when known.
type ExtractMetadataParams struct {
	CompanyID     string    `json:"company_id" msgpack:"company_id"`
	BranchID      string    `json:"branch_id,omitempty" msgpack:"branch_id,omitempty"`
	Transcript    string    `json:"transcript" msgpack:"transcript"`
	StartedAt     time.Time `json:"started_at" msgpack:"started_at"`
	UserSentiment string    `json:"user_sentiment,omitempty" msgpack:"user_sentiment,omitempty"`
	AppointmentID string    `json:"appointment_id,omitempty" msgpack:"appointment_id,omitempty"`
}

// TimeWindow is one reading of the time the caller asked for; End is nil for a point in time.
type TimeWindow struct {
	Start    time.Time  `json:"start" msgpack:"start"`
	End      *time.Time `json:"end,omitempty" msgpack:"end,omitempty"`
	Readback string     `json:"readback,omitempty" msgpack:"readback,omitempty"`
}

// Metadata is what a call was about.
type Metadata struct {
	CallerName      string       `json:"caller_name,omitempty" msgpack:"caller_name,omitempty"`
	Service         string       `json:"service,omitempty" msgpack:"service,omitempty"`
	ServiceID       string       `json:"service_id,omitempty" msgpack:"service_id,omitempty"`
	PreferredTimes  []TimeWindow `json:"preferred_times,omitempty" msgpack:"preferred_times,omitempty"`
	Intent          string       `json:"intent" msgpack:"intent"`
	Sentiment       string       `json:"sentiment" msgpack:"sentiment"`
	SentimentSource string       `json:"sentiment_source" msgpack:"sentiment_source"` // retell or rules
	Outcome         string       `json:"outcome" msgpack:"outcome"`
}

// LinkParams names the call by our id (CallID) or by Retell's (RetellCallID).
type LinkParams struct {
	CompanyID     string `json:"company_id" msgpack:"company_id"`
	CallID        string `json:"call_id,omitempty" msgpack:"call_id,omitempty"`
	RetellCallID  string `json:"retell_call_id,omitempty" msgpack:"retell_call_id,omitempty"`
	AppointmentID string `json:"appointment_id" msgpack:"appointment_id"`
}

// LinkResult is our id of the linked call.
type LinkResult struct {
	CallID string `json:"call_id" msgpack:"call_id"`
}

// AnalyticsParams asks for figures between two local days (YYYY-MM-DD, both inclusive) in the
// company's time zone, at most 366 days; an empty BranchID means every branch.
type AnalyticsParams struct {
	CompanyID string `json:"company_id" msgpack:"company_id"`
	BranchID  string `json:"branch_id,omitempty" msgpack:"branch_id,omitempty"`
	From      string `json:"from" msgpack:"from"`
	To        string `json:"to" msgpack:"to"`
}

// Figures are the counts of a set of calls. Durations are of answered calls. The percentiles
// are exact for one branch and day and nil for groups that combine several such rows.
type Figures struct {
	Calls               int64    `json:"calls" msgpack:"calls"`
	Answered            int64    `json:"answered" msgpack:"answered"`
	AvgDurationSeconds  float64  `json:"avg_duration_seconds" msgpack:"avg_duration_seconds"`
	P50DurationSeconds  *float64 `json:"p50_duration_seconds,omitempty" msgpack:"p50_duration_seconds,omitempty"`
	P90DurationSeconds  *float64 `json:"p90_duration_seconds,omitempty" msgpack:"p90_duration_seconds,omitempty"`
	BookingsFromCalls   int64    `json:"bookings_from_calls" msgpack:"bookings_from_calls"`
	Conversion          float64  `json:"conversion" msgpack:"conversion"` // bookings per answered call
	Cancellations       int64    `json:"cancellations" msgpack:"cancellations"`
	Reschedules         int64    `json:"reschedules" msgpack:"reschedules"`
	MissedOpportunities int64    `json:"missed_opportunities" msgpack:"missed_opportunities"`
	SentimentPositive   int64    `json:"sentiment_positive" msgpack:"sentiment_positive"`
	SentimentNeutral    int64    `json:"sentiment_neutral" msgpack:"sentiment_neutral"`
	SentimentNegative   int64    `json:"sentiment_negative" msgpack:"sentiment_negative"`
}

// Group is the figures of one day (Key YYYY-MM-DD) or one branch (Key its id).
type Group struct {
	Key     string  `json:"key" msgpack:"key"`
	Figures Figures `json:"figures" msgpack:"figures"`
}

// Row is one branch's figures for one local day.
type Row struct {
	Day      string  `json:"day" msgpack:"day"`
	BranchID string  `json:"branch_id" msgpack:"branch_id"`
	Figures  Figures `json:"figures" msgpack:"figures"`
}

// AnalyticsResult holds totals, the breakdowns by day and by branch, and the rows.
type AnalyticsResult struct {
	TimeZone string  `json:"time_zone" msgpack:"time_zone"`
	Total    Figures `json:"total" msgpack:"total"`
	ByDay    []Group `json:"by_day" msgpack:"by_day"`
	ByBranch []Group `json:"by_branch" msgpack:"by_branch"`
	Rows     []Row   `json:"rows" msgpack:"rows"`
}

// AnalyzeCallParams names the call whose metadata to extract.
type AnalyzeCallParams struct {
	CompanyID string `json:"company_id" msgpack:"company_id"`
	CallID    string `json:"call_id" msgpack:"call_id"`
}

// AnalyzeCallResult tells whether anything was extracted (false: still running, or current).
type AnalyzeCallResult struct {
	Analyzed bool `json:"analyzed" msgpack:"analyzed"`
}

// CallAnalyzedEvent is the payload of call.analyzed.
type CallAnalyzedEvent struct {
	CompanyID    string   `json:"company_id" msgpack:"company_id"`
	CallID       string   `json:"call_id" msgpack:"call_id"`
	RetellCallID string   `json:"retell_call_id" msgpack:"retell_call_id"`
	Metadata     Metadata `json:"metadata" msgpack:"metadata"`
}
