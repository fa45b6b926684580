package call

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func load(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func TestParseWebhookLenient(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, w Webhook)
	}{
		{"started: numeric agent_version, ms timestamps", "call_started.json", func(t *testing.T, w Webhook) {
			require.Equal(t, EventStarted, w.Event)
			require.Equal(t, "3", w.Call.AgentVersion)
			require.Equal(t, time.UnixMilli(1764000000000).UTC(), w.Call.StartedAt)
			require.Equal(t, "b0000000-0000-4000-8000-000000000001", w.Call.DynamicVariables["branch_id"])
		}},
		{"ended: string agent_version, duration", "call_ended.json", func(t *testing.T, w Webhook) {
			require.Equal(t, "3", w.Call.AgentVersion)
			require.Equal(t, int64(95400), w.Call.DurationMS)
			require.Nil(t, w.Call.Analysis)
			require.Contains(t, w.Call.Transcript, "User: Hallo")
		}},
		{"analyzed: call_analysis", "call_analyzed.json", func(t *testing.T, w Webhook) {
			require.NotNil(t, w.Call.Analysis)
			require.Equal(t, "Positive", w.Call.Analysis.UserSentiment)
			require.True(t, *w.Call.Analysis.Successful)
		}},
		{"web call: no numbers, string and float numbers, unknown fields", "web_call_ended.json", func(t *testing.T, w Webhook) {
			require.Equal(t, "web_call", w.Call.CallType)
			require.Empty(t, w.Call.FromNumber)
			require.Empty(t, w.Call.ToNumber)
			require.Equal(t, "v7", w.Call.AgentVersion)
			require.Equal(t, int64(30000), w.Call.DurationMS)
			require.Equal(t, time.UnixMilli(1764000030000).UTC(), w.Call.EndedAt)
			require.Equal(t, "c0000000-0000-4000-8000-000000000001", w.Call.Metadata["company_id"])
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := load(t, tc.file)
			w, err := ParseWebhook(body)
			require.NoError(t, err)
			require.Equal(t, body, w.Raw)
			tc.check(t, w)
		})
	}
}

func TestParseWebhookRejects(t *testing.T) {
	tests := []struct{ name, body string }{
		{"not json", `{"event":`},
		{"no call", `{"event":"call_started"}`},
		{"null call", `{"event":"call_started","call":null}`},
		{"no call id", `{"event":"call_started","call":{"agent_id":"a"}}`},
		{"blank call id", `{"event":"call_started","call":{"call_id":"  "}}`},
		{"no event", `{"call":{"call_id":"call_1"}}`},
		{"call not an object", `{"event":"call_started","call":[1]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWebhook([]byte(tc.body))
			require.ErrorIs(t, err, ErrInvalidPayload)
		})
	}
}

func TestParseWebhookWrongTypesDropField(t *testing.T) {
	w, err := ParseWebhook([]byte(`{"event":"call_ended","data":{"call_id":"call_1","duration_ms":{"x":1},` +
		`"from_number":12345,"call_analysis":"oops","metadata":[1],"opt_in_signed_url":"yes"}}`))
	require.NoError(t, err)
	require.Equal(t, "call_1", w.Call.CallID)
	require.Zero(t, w.Call.DurationMS)
	require.Equal(t, "12345", w.Call.FromNumber)
	require.Nil(t, w.Call.Analysis)
	require.Nil(t, w.Call.Metadata)
}
