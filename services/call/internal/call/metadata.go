package call

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Intent is what the caller wanted. IntentBooking is the value analytics counts missed
// opportunities by (metadata.intent = 'booking').
type Intent string

// The intents.
const (
	IntentBooking      Intent = "booking"
	IntentCancellation Intent = "cancellation"
	IntentReschedule   Intent = "reschedule"
	IntentInfo         Intent = "info"
	IntentNone         Intent = "none"
)

// Outcome is what came of the call.
type Outcome string

// The outcomes.
const (
	OutcomeBooked        Outcome = "booked"
	OutcomeCancelled     Outcome = "cancelled"
	OutcomeRescheduled   Outcome = "rescheduled"
	OutcomeInfo          Outcome = "info"
	OutcomeNoAction      Outcome = "no_action"
	OutcomeMissedBooking Outcome = "missed_booking" // wanted to book, no appointment came of it
)

// Metadata keys written by extraction.
const (
	MetaCallerName      = "caller_name"
	MetaService         = "service"
	MetaServiceID       = "service_id"
	MetaPreferredTimes  = "preferred_times"
	MetaIntent          = "intent"
	MetaSentimentSource = "sentiment_source"
	MetaOutcome         = "outcome"
)

// Where a sentiment came from.
const (
	SentimentFromRetell = "retell"
	SentimentFromRules  = "rules"
)

// TimeWindow is one reading of the time the caller asked for; End is zero for a point in time.
type TimeWindow struct {
	Start    time.Time
	End      time.Time
	Readback string
}

// IntentQuery is what routing.analyzeIntent needs: the caller's words, anchored at the call's
// start in the branch's time zone (routing knows the branch's zone and catalogue).
type IntentQuery struct {
	CompanyID string
	BranchID  string
	Text      string
	Reference time.Time
}

// Understanding is routing's reading of the caller's words.
type Understanding struct {
	Intent     Intent
	CallerName string
	Service    string
	ServiceID  string
	Times      []TimeWindow
}

// IntentAnalyzer understands a caller's words (routing.analyzeIntent over the bus).
type IntentAnalyzer interface {
	AnalyzeIntent(ctx context.Context, q IntentQuery) (Understanding, error)
}

// Conversation is the input of extraction: one call's transcript and what is known around it.
type Conversation struct {
	CompanyID       string
	BranchID        string
	Transcript      string // Retell's "Agent: …\nUser: …" lines
	StartedAt       time.Time
	RetellSentiment Sentiment // call_analysis.user_sentiment, when present
	AppointmentID   string    // set when a booking is linked to the call
}

// Extraction is what a call was about.
type Extraction struct {
	CallerName      string
	Service         string
	ServiceID       string
	PreferredTimes  []TimeWindow
	Intent          Intent
	Sentiment       Sentiment
	SentimentSource string
	Outcome         Outcome
}

// Extract understands a conversation: routing reads the caller's words (name, service, time,
// intent), Retell's sentiment is used when present and estimated from the words otherwise, and
// the outcome follows from intent, linked appointment and the agent's confirmations.
func Extract(ctx context.Context, an IntentAnalyzer, c Conversation) (Extraction, error) {
	user, agent := splitTranscript(c.Transcript)
	var u Understanding
	if strings.TrimSpace(user) != "" {
		var err error
		u, err = an.AnalyzeIntent(ctx, IntentQuery{
			CompanyID: c.CompanyID, BranchID: c.BranchID, Text: user, Reference: c.StartedAt,
		})
		if err != nil {
			return Extraction{}, fmt.Errorf("analyze intent: %w", err)
		}
	}
	if u.Intent == "" {
		u.Intent = IntentNone
	}
	e := Extraction{
		CallerName: u.CallerName, Service: u.Service, ServiceID: u.ServiceID,
		PreferredTimes: u.Times, Intent: u.Intent,
	}
	e.Sentiment, e.SentimentSource = c.RetellSentiment, SentimentFromRetell
	if e.Sentiment == "" || e.Sentiment == SentimentUnknown && strings.TrimSpace(user) != "" {
		e.Sentiment, e.SentimentSource = EstimateSentiment(user), SentimentFromRules
	}
	e.Outcome = DecideOutcome(e.Intent, c.AppointmentID != "", agent)
	return e, nil
}

// DecideOutcome: a linked appointment means booked (rescheduled when that was the wish); a
// cancellation or reschedule counts when the agent confirmed it; a booking wish without an
// appointment is a missed booking.
func DecideOutcome(in Intent, linked bool, agentWords string) Outcome {
	switch {
	case linked && in == IntentReschedule:
		return OutcomeRescheduled
	case linked:
		return OutcomeBooked
	case in == IntentBooking:
		return OutcomeMissedBooking
	case in == IntentCancellation && confirms(agentWords, cancelConfirmations):
		return OutcomeCancelled
	case in == IntentReschedule && confirms(agentWords, rescheduleConfirmations):
		return OutcomeRescheduled
	case in == IntentInfo:
		return OutcomeInfo
	}
	return OutcomeNoAction
}

var (
	cancelConfirmations     = []string{"storniert", "abgesagt", "gelöscht", "cancelled", "canceled"}
	rescheduleConfirmations = []string{"verschoben", "umgebucht", "verlegt", "rescheduled", "moved your"}
)

func confirms(agentWords string, stems []string) bool {
	low := strings.ToLower(agentWords)
	for _, s := range stems {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

// splitTranscript separates the caller's lines from the agent's. Retell labels turns with
// English "Agent:" and "User:" whatever the language; unlabelled text counts as the caller's.
func splitTranscript(t string) (user, agent string) {
	var u, a strings.Builder
	for line := range strings.SplitSeq(t, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "Agent:"):
			a.WriteString(strings.TrimSpace(strings.TrimPrefix(line, "Agent:")) + "\n")
		case strings.HasPrefix(line, "User:"):
			u.WriteString(strings.TrimSpace(strings.TrimPrefix(line, "User:")) + "\n")
		default:
			u.WriteString(line + "\n")
		}
	}
	return u.String(), a.String()
}

// Map is the extraction as metadata keys; empty values are left out.
func (e Extraction) Map() map[string]any {
	m := map[string]any{MetaIntent: string(e.Intent), MetaOutcome: string(e.Outcome)}
	if e.CallerName != "" {
		m[MetaCallerName] = e.CallerName
	}
	if e.Service != "" {
		m[MetaService] = e.Service
	}
	if e.ServiceID != "" {
		m[MetaServiceID] = e.ServiceID
	}
	if e.SentimentSource != "" {
		m[MetaSentimentSource] = e.SentimentSource
	}
	if len(e.PreferredTimes) > 0 {
		times := make([]map[string]any, 0, len(e.PreferredTimes))
		for _, w := range e.PreferredTimes {
			times = append(times, w.Map())
		}
		m[MetaPreferredTimes] = times
	}
	return m
}

// Map is the window as metadata: RFC 3339 start and end, and the German read-back.
func (w TimeWindow) Map() map[string]any {
	m := map[string]any{"start": w.Start.Format(time.RFC3339)}
	if !w.End.IsZero() {
		m["end"] = w.End.Format(time.RFC3339)
	}
	if w.Readback != "" {
		m["readback"] = w.Readback
	}
	return m
}
