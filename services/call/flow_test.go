package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/call/internal/call"
)

const sampleCallID = "call_8f1c2d3e4a5b6c7d8e9f0a1b2c3"

var webhooks = []string{"call_started.json", "call_ended.json", "call_analyzed.json"}

// webhook is a sample body with its call id replaced, so every test call is its own call.
func webhook(t testing.TB, file, callID string) []byte {
	t.Helper()
	b, err := os.ReadFile("internal/call/testdata/" + file)
	require.NoError(t, err)
	return bytes.ReplaceAll(b, []byte(sampleCallID), []byte(callID))
}

// settled waits until the call's analyzed webhook and its extraction are both stored, and
// returns the row with the per-call differences normalised.
func (b *bus) settled(t testing.TB, callID string) (database.Call, []byte) {
	t.Helper()
	var c database.Call
	var raw []byte
	testenv.Eventually(t, 30*time.Second, func() bool {
		var ok bool
		c, raw, ok = b.db.snapshot(callID)
		return ok && c.Status == "analyzed" && c.Metadata[call.MetaSentimentSource] == call.SentimentFromRetell
	}, "call %s did not settle", callID)
	c.ID, c.RetellCallID, c.Version = "", "", 0 // the version counts the saves, which differ
	c.RecordingURL = strings.ReplaceAll(c.RecordingURL, callID, sampleCallID)
	return c, bytes.ReplaceAll(raw, []byte(callID), []byte(sampleCallID))
}

func (b *bus) save(t testing.TB, body []byte) callapi.SaveResult {
	t.Helper()
	r, err := callapi.NewClient(b.client).Save(t.Context(), callapi.SaveParams{Body: body})
	require.NoError(t, err)
	return r
}

// TestSaveAnyOrderAnyDuplicatesSameRow sends started, ended and analyzed in every order, each
// once or twice, through call.save on the bus, and expects one identical final row each time.
func TestSaveAnyOrderAnyDuplicatesSameRow(t *testing.T) {
	b := startBus(t, nil)
	ref := "call_ref000000000000000000000000"
	for _, f := range webhooks {
		b.save(t, webhook(t, f, ref))
	}
	want, wantRaw := b.settled(t, ref)
	require.Equal(t, "booking", want.Metadata[call.MetaIntent])
	require.Equal(t, "missed_booking", want.Metadata[call.MetaOutcome])
	require.Equal(t, "Anna Weber", want.Metadata[call.MetaCallerName])
	require.Equal(t, "positive", want.Sentiment)
	require.Equal(t, 95, want.DurationSeconds)
	require.Equal(t, call.RecordingNote, want.Metadata[call.MetaRecordingNote])
	require.Equal(t, webhook(t, "call_analyzed.json", sampleCallID), wantRaw)

	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for i, order := range orders {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			id := "call_perm" + string(rune('a'+i)) + "0000000000000000000000"
			var seq []int
			for _, o := range order {
				seq = append(seq, o)
				if rand.IntN(2) == 0 {
					seq = append(seq, o) // a retry right behind
				}
			}
			seq = append(seq, order[0]) // a late duplicate of the first
			for _, o := range seq {
				r := b.save(t, webhook(t, webhooks[o], id))
				require.NotEmpty(t, r.CallID)
			}
			got, raw := b.settled(t, id)
			require.Equal(t, want, got)
			require.Equal(t, wantRaw, raw)
		})
	}
}

// TestInboxConcurrentDuplicates publishes every webhook of a call five times, shuffled, to the
// gateway's inbox topic; the service's workers take them concurrently.
func TestInboxConcurrentDuplicates(t *testing.T) {
	b := startBus(t, nil)
	ref := "call_ref000000000000000000000000"
	for _, f := range webhooks {
		b.save(t, webhook(t, f, ref))
	}
	want, wantRaw := b.settled(t, ref)

	id := "call_inbox0000000000000000000000"
	var evs []callapi.RetellWebhook
	for _, f := range webhooks {
		for range 5 {
			evs = append(evs, callapi.RetellWebhook{Event: f[:len(f)-5], CallID: id, Key: f + id,
				ReceivedAt: time.Now(), Body: webhook(t, f, id)})
		}
	}
	rand.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	for _, ev := range evs {
		require.NoError(t, b.client.Publish(t.Context(), callapi.TopicRetellWebhook, ev))
	}
	got, raw := b.settled(t, id)
	require.Equal(t, want, got)
	require.Equal(t, wantRaw, raw)
}

// TestConcurrentSaves races 30 saves of one call's webhooks.
func TestConcurrentSaves(t *testing.T) {
	b := startBus(t, nil)
	ref := "call_ref000000000000000000000000"
	for _, f := range webhooks {
		b.save(t, webhook(t, f, ref))
	}
	want, wantRaw := b.settled(t, ref)

	id := "call_race0000000000000000000000"
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			_, err := callapi.NewClient(b.client).Save(context.Background(),
				callapi.SaveParams{Body: webhook(t, webhooks[i%3], id)})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, raw := b.settled(t, id)
	require.Equal(t, want, got)
	require.Equal(t, wantRaw, raw)
	b.db.mu.Lock()
	defer b.db.mu.Unlock()
	require.Len(t, b.db.calls, 2, "one row per call")
}

// TestBookingCreatedLinksCall: a booking that carries the call's id links it, and the outcome
// turns from missed booking to booked; call.analyzed is published.
func TestBookingCreatedLinksCall(t *testing.T) {
	b := startBus(t, nil)
	// A subscriber of call.analyzed, as analytics would be; its group reads the topic from the
	// start, so it sees every event whenever it comes up.
	var mu sync.Mutex
	var analyzed []callapi.CallAnalyzedEvent
	startServer(t, b.redis, b.ns, "analytics", func(s *rpc.Server) {
		rpc.Subscribe(s, callapi.TopicCallAnalyzed, "analytics", func(_ context.Context, ev callapi.CallAnalyzedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			analyzed = append(analyzed, ev)
			return nil
		})
	})
	outcomes := func(callID string) []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, ev := range analyzed {
			if ev.CallID == callID {
				out = append(out, ev.Metadata.Outcome)
			}
		}
		return out
	}

	id := "call_link0000000000000000000000"
	var callID string
	for _, f := range webhooks {
		callID = b.save(t, webhook(t, f, id)).CallID
	}
	b.settled(t, id)
	testenv.Eventually(t, 30*time.Second, func() bool {
		return slices.Contains(outcomes(callID), string(call.OutcomeMissedBooking))
	}, "no call.analyzed with the missed booking")
	ev := database.AppointmentEvent{CompanyID: companyID, Appointment: database.Appointment{
		ID: "appt-1", CompanyID: companyID, CallID: callID, Status: database.StatusScheduled}}
	require.NoError(t, b.client.Publish(t.Context(), database.TopicBookingCreated, ev))
	testenv.Eventually(t, 30*time.Second, func() bool {
		c, _, _ := b.db.snapshot(id)
		return c.AppointmentID == "appt-1" && c.Metadata[call.MetaOutcome] == string(call.OutcomeBooked)
	}, "call not linked and booked")
	// The link publishes call.analyzed again, after its write: wait for it, not for the write.
	testenv.Eventually(t, 30*time.Second, func() bool {
		return slices.Contains(outcomes(callID), string(call.OutcomeBooked))
	}, "no call.analyzed with the booked outcome")

	// Linking again by Retell's id is harmless.
	r, err := callapi.NewClient(b.client).LinkToAppointment(t.Context(), callapi.LinkParams{
		CompanyID: companyID, RetellCallID: id, AppointmentID: "appt-1"})
	require.NoError(t, err)
	require.Equal(t, callID, r.CallID)
}

func TestSaveEdgeCases(t *testing.T) {
	b := startBus(t, nil)
	c := callapi.NewClient(b.client)
	tests := []struct {
		name    string
		body    string
		company string
		wantErr error
		check   func(t *testing.T, r callapi.SaveResult)
	}{
		{"web call routed by metadata company", string(webhook(t, "web_call_ended.json", "call_web1")), "", nil,
			func(t *testing.T, r callapi.SaveResult) { require.Equal(t, "ended", r.Status) }},
		{"unknown number and no company", `{"event":"call_started","call":{"call_id":"call_x","to_number":"+4930999"}}`, "",
			rpc.ErrNotFound, nil},
		{"not json", `{"event":`, "", rpc.ErrInvalidParams, nil},
		{"untracked event", `{"event":"transcript_updated","call":{"call_id":"call_y"}}`, "", nil,
			func(t *testing.T, r callapi.SaveResult) { require.True(t, r.Ignored) }},
		{"company given, number unknown: only branch", `{"event":"call_started","call":{"call_id":"call_z","to_number":"+4930999","start_timestamp":1764000000000}}`,
			companyID, nil, func(t *testing.T, r callapi.SaveResult) { require.Equal(t, "ongoing", r.Status) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Save(t.Context(), callapi.SaveParams{CompanyID: tc.company, Body: []byte(tc.body)})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			tc.check(t, r)
		})
	}
	_, err := c.Save(rpc.WithTenant(t.Context(), "c0000000-0000-4000-8000-000000000999"),
		callapi.SaveParams{CompanyID: companyID, Body: webhook(t, "call_started.json", "call_t")})
	require.ErrorIs(t, err, rpc.ErrUnauthorized)
}

func TestExtractMetadataMethod(t *testing.T) {
	b := startBus(t, nil)
	m, err := callapi.NewClient(b.client).ExtractMetadata(t.Context(), callapi.ExtractMetadataParams{
		CompanyID: companyID, BranchID: branchID, StartedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		Transcript: "Agent: Hallo\nUser: Hier ist Max Mustermann, ich möchte einen Termin. Ich bin nicht zufrieden.\n",
	})
	require.NoError(t, err)
	require.Equal(t, callapi.Metadata{
		CallerName: "Max Mustermann", Service: "Haarschnitt", ServiceID: "svc-1",
		PreferredTimes: []callapi.TimeWindow{{Start: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Readback: "morgen"}},
		Intent:         "booking", Sentiment: "negative", SentimentSource: "rules", Outcome: "missed_booking",
	}, normalizeTimes(m))
}

func normalizeTimes(m callapi.Metadata) callapi.Metadata {
	m.PreferredTimes = append([]callapi.TimeWindow(nil), m.PreferredTimes...)
	for i := range m.PreferredTimes {
		m.PreferredTimes[i].Start = m.PreferredTimes[i].Start.UTC()
	}
	return m
}
