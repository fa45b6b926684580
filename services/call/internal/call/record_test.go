package call

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func webhookRecord(t *testing.T, file string) Record {
	t.Helper()
	w, err := ParseWebhook(load(t, file))
	require.NoError(t, err)
	r, err := FromWebhook(w)
	require.NoError(t, err)
	return r
}

func TestFromWebhook(t *testing.T) {
	started := webhookRecord(t, "call_started.json")
	require.Equal(t, StatusOngoing, started.Status)
	require.Nil(t, started.DurationSeconds)

	ended := webhookRecord(t, "call_ended.json")
	require.Equal(t, StatusEnded, ended.Status, "the event decides, not call_status")
	require.Equal(t, 95, *ended.DurationSeconds)
	require.Equal(t, RecordingNote, ended.Metadata[MetaRecordingNote])
	require.Equal(t, "user_hangup", ended.Metadata[MetaDisconnectionReason])

	analyzed := webhookRecord(t, "call_analyzed.json")
	require.Equal(t, StatusAnalyzed, analyzed.Status)
	require.Equal(t, SentimentPositive, analyzed.Sentiment)

	web := webhookRecord(t, "web_call_ended.json")
	require.Equal(t, 30, *web.DurationSeconds)
	require.Equal(t, web.EndedAt.Add(-30_000_000_000), web.StartedAt, "start derived from end and duration")
	require.NotContains(t, string(mustJSON(t, web.Metadata)), "secret-token")

	_, err := FromWebhook(Webhook{Event: "transcript_updated", Call: RetellCall{CallID: "call_1"}})
	require.ErrorIs(t, err, ErrUnsupportedEvent)
}

func TestFromWebhookErrorStatus(t *testing.T) {
	w, err := ParseWebhook([]byte(`{"event":"call_ended","call":{"call_id":"call_1","call_status":"error","duration_ms":0,"end_timestamp":1764000000000}}`))
	require.NoError(t, err)
	r, err := FromWebhook(w)
	require.NoError(t, err)
	require.Equal(t, StatusError, r.Status)
	require.Equal(t, 0, *r.DurationSeconds)
}

func TestStatusOrder(t *testing.T) {
	order := []Status{StatusRegistered, StatusOngoing, StatusEnded, StatusAnalyzed}
	for i := 1; i < len(order); i++ {
		require.Less(t, order[i-1].Rank(), order[i].Rank())
	}
	require.Equal(t, StatusEnded.Rank(), StatusError.Rank())
	require.False(t, Status("dialing").Valid())
}

// TestMergeAnyOrderAnyDuplicates merges every permutation of started, ended and analyzed,
// each delivered once to three times, and expects one final record.
func TestMergeAnyOrderAnyDuplicates(t *testing.T) {
	events := []Record{
		webhookRecord(t, "call_started.json"),
		webhookRecord(t, "call_ended.json"),
		webhookRecord(t, "call_analyzed.json"),
	}
	want := Merge(Merge(events[0], events[1]), events[2])
	require.Equal(t, StatusAnalyzed, want.Status)
	require.Equal(t, load(t, "call_analyzed.json"), want.Raw)
	require.Equal(t, SentimentPositive, want.Sentiment)
	require.Contains(t, want.Metadata, MetaAnalysis)
	require.Contains(t, want.Metadata, MetaRecordingNote)

	for _, perm := range permutations([]int{0, 1, 2}) {
		for dups := range 27 {
			var seq []Record
			for i, idx := range perm {
				n := 1 + (dups/pow3(i))%3
				for range n {
					seq = append(seq, events[idx])
				}
			}
			got := seq[0]
			for _, r := range seq[1:] {
				got = Merge(got, r)
			}
			require.Equal(t, want, got, "order %v dups %d", perm, dups)
		}
	}
}

func TestMergeStatusNeverBackwards(t *testing.T) {
	analyzed := webhookRecord(t, "call_analyzed.json")
	started := webhookRecord(t, "call_started.json")
	require.Equal(t, StatusAnalyzed, Merge(analyzed, started).Status)
	require.Equal(t, StatusAnalyzed, Merge(started, analyzed).Status)
}

func TestMergeKeepsExtractionMetadata(t *testing.T) {
	analyzed := webhookRecord(t, "call_analyzed.json")
	extraction := Record{Status: StatusAnalyzed, Metadata: map[string]any{MetaIntent: "booking"}}
	got := Merge(Merge(analyzed, extraction), analyzed)
	require.Equal(t, "booking", got.Metadata[MetaIntent])
	require.Equal(t, load(t, "call_analyzed.json"), got.Raw)
}

func permutations(xs []int) [][]int {
	if len(xs) <= 1 {
		return [][]int{append([]int(nil), xs...)}
	}
	var out [][]int
	for i := range xs {
		rest := append(append([]int(nil), xs[:i]...), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]int{xs[i]}, p...))
		}
	}
	return out
}

func pow3(n int) int {
	p := 1
	for range n {
		p *= 3
	}
	return p
}
