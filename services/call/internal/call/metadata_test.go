package call

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeAnalyzer is a deterministic stand-in for routing.analyzeIntent: it keys on words.
type fakeAnalyzer struct {
	err  error
	seen []IntentQuery
}

func (f *fakeAnalyzer) AnalyzeIntent(_ context.Context, q IntentQuery) (Understanding, error) {
	f.seen = append(f.seen, q)
	if f.err != nil {
		return Understanding{}, f.err
	}
	return KeywordUnderstanding(q.Text), nil
}

func TestDecideOutcome(t *testing.T) {
	tests := []struct {
		name   string
		intent Intent
		linked bool
		agent  string
		want   Outcome
	}{
		{"booked", IntentBooking, true, "", OutcomeBooked},
		{"wanted to book, nothing came of it", IntentBooking, false, "Leider ist nichts frei.", OutcomeMissedBooking},
		{"reschedule with new appointment", IntentReschedule, true, "", OutcomeRescheduled},
		{"reschedule confirmed", IntentReschedule, false, "Ich habe Ihren Termin verschoben.", OutcomeRescheduled},
		{"reschedule not done", IntentReschedule, false, "Da ist leider nichts frei.", OutcomeNoAction},
		{"cancel confirmed german", IntentCancellation, false, "Ihr Termin ist storniert.", OutcomeCancelled},
		{"cancel confirmed english", IntentCancellation, false, "Your appointment is cancelled.", OutcomeCancelled},
		{"cancel not done", IntentCancellation, false, "Ich finde keinen Termin.", OutcomeNoAction},
		{"info", IntentInfo, false, "Wir haben bis 18 Uhr geöffnet.", OutcomeInfo},
		{"nothing", IntentNone, false, "", OutcomeNoAction},
		{"info call that booked anyway", IntentInfo, true, "", OutcomeBooked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, DecideOutcome(tc.intent, tc.linked, tc.agent))
		})
	}
}

func TestExtract(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		conv          Conversation
		wantIntent    Intent
		wantOutcome   Outcome
		wantSentiment Sentiment
		wantSource    string
	}{
		{"booking linked, retell sentiment", Conversation{
			Transcript:      "Agent: Hallo\nUser: Ich möchte einen Termin buchen, ich bin nicht zufrieden mit dem Warten.\n",
			RetellSentiment: SentimentPositive, AppointmentID: "a1",
		}, IntentBooking, OutcomeBooked, SentimentPositive, SentimentFromRetell},
		{"booking missed, rules sentiment", Conversation{
			Transcript: "Agent: Hallo\nUser: Ich möchte einen Termin buchen. Ich bin nicht zufrieden.\nAgent: Leider nichts frei.\n",
		}, IntentBooking, OutcomeMissedBooking, SentimentNegative, SentimentFromRules},
		{"retell unknown falls back to rules", Conversation{
			Transcript: "User: Bitte den Termin absagen. Super, danke!\nAgent: Ihr Termin ist storniert.\n", RetellSentiment: SentimentUnknown,
		}, IntentCancellation, OutcomeCancelled, SentimentPositive, SentimentFromRules},
		{"silent call", Conversation{Transcript: "Agent: Hallo?\n"}, IntentNone, OutcomeNoAction, SentimentUnknown, SentimentFromRules},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			an := &fakeAnalyzer{}
			tc.conv.StartedAt, tc.conv.BranchID = start, "b1"
			got, err := Extract(t.Context(), an, tc.conv)
			require.NoError(t, err)
			require.Equal(t, tc.wantIntent, got.Intent)
			require.Equal(t, tc.wantOutcome, got.Outcome)
			require.Equal(t, tc.wantSentiment, got.Sentiment)
			require.Equal(t, tc.wantSource, got.SentimentSource)
			for _, q := range an.seen {
				require.NotContains(t, q.Text, "Agent", "only the caller's words go to routing")
				require.Equal(t, start, q.Reference)
				require.Equal(t, "b1", q.BranchID)
			}
		})
	}
}

func TestExtractAnalyzerFailure(t *testing.T) {
	_, err := Extract(t.Context(), &fakeAnalyzer{err: errors.New("routing down")},
		Conversation{Transcript: "User: Termin bitte\n"})
	require.ErrorContains(t, err, "routing down")
}

func TestExtractionMap(t *testing.T) {
	w := TimeWindow{Start: time.Date(2026, 12, 1, 14, 30, 0, 0, time.FixedZone("CET", 3600)), Readback: "Dienstag, 1. Dezember, um 14:30 Uhr"}
	m := Extraction{Intent: IntentBooking, Outcome: OutcomeBooked, CallerName: "Anna", PreferredTimes: []TimeWindow{w}}.Map()
	require.Equal(t, "booking", m[MetaIntent])
	require.Equal(t, "booked", m[MetaOutcome])
	require.Equal(t, "Anna", m[MetaCallerName])
	require.Equal(t, "2026-12-01T14:30:00+01:00", m[MetaPreferredTimes].([]map[string]any)[0]["start"])
}

func TestKeywordUnderstanding(t *testing.T) {
	tests := []struct {
		text       string
		wantIntent Intent
		wantName   string
	}{
		{"Hallo, hier ist Anna Weber. Ich möchte einen Termin.", IntentBooking, "Anna Weber"},
		{"Ich muss meinen Termin absagen.", IntentCancellation, ""},
		{"Kann ich den Termin verschieben?", IntentReschedule, ""},
		{"Wie lange haben Sie heute geöffnet?", IntentInfo, ""},
		{"My name is John. I'd like to book a haircut.", IntentBooking, "John"},
		{"Äh, hallo?", IntentNone, ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			u := KeywordUnderstanding(tc.text)
			require.Equal(t, tc.wantIntent, u.Intent)
			require.Equal(t, tc.wantName, u.CallerName)
		})
	}
}
