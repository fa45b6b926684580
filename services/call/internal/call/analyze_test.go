package call

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// versionedStore keeps one call with a version, as the database does, and lets a test change
// the call between a job's read and its write.
type versionedStore struct {
	Store // only Call and SaveCall are used

	mu          sync.Mutex
	call        StoredCall
	beforeWrite func(*StoredCall) // runs once per write, before the version check
	writes      int
}

func (s *versionedStore) Call(context.Context, string, CallRef) (StoredCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.call
	c.Metadata = maps.Clone(c.Metadata)
	return c, nil
}

func (s *versionedStore) SaveCall(_ context.Context, r Record) (Saved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.beforeWrite != nil {
		s.beforeWrite(&s.call)
	}
	if r.IfVersion != 0 && r.IfVersion != s.call.Version {
		return Saved{}, ErrStale
	}
	s.call.Metadata = MergeMetadata(s.call.Metadata, r.Metadata)
	s.call.Version++
	return Saved{CallID: s.call.ID, Status: s.call.Status}, nil
}

type nopEvents struct{}

func (nopEvents) CallAnalyzed(context.Context, AnalyzedEvent) error { return nil }

// analyzed is what Retell's call_analyzed webhook adds to an ended call.
func analyzed(c *StoredCall) {
	c.Status = StatusAnalyzed
	c.Metadata = MergeMetadata(c.Metadata, map[string]any{MetaAnalysis: map[string]any{"user_sentiment": "Positive"}})
	c.Version++
}

// A job that read the ended call must not store its extraction over the analyzed call that
// landed meanwhile (whose own job may already be done): it starts over from the newer call.
func TestAnalyzeNeverStoresAnExtractionOfOlderInputs(t *testing.T) {
	st := &versionedStore{call: StoredCall{ID: "c1", Version: 1, Record: Record{
		CompanyID: "co", RetellCallID: "call_1", Status: StatusEnded, StartedAt: time.Now(),
		Transcript: "User: Ich möchte einen Termin buchen.", Metadata: map[string]any{},
	}}}
	st.beforeWrite = func(c *StoredCall) {
		if c.Status == StatusEnded {
			analyzed(c)
		}
	}
	svc, err := NewService(st, &fakeAnalyzer{}, nopEvents{})
	require.NoError(t, err)
	done, err := svc.Analyze(t.Context(), "co", CallRef{ID: "c1"})
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, 2, st.writes, "the stale write was refused, the second one stored")
	require.Equal(t, SentimentFromRetell, st.call.Metadata[MetaSentimentSource])
	require.Equal(t, extractionInputs(st.call), st.call.Metadata[MetaExtractedFrom])
	require.Equal(t, int64(3), st.call.Version)

	// A call that changes under every attempt is given up on, and the caller is told so.
	st.call.Transcript += " Agent: Gern."
	st.beforeWrite = func(c *StoredCall) {
		c.Transcript += " Agent: Gern."
		c.Version++
	}
	_, err = svc.Analyze(t.Context(), "co", CallRef{ID: "c1"})
	require.ErrorIs(t, err, ErrStale)
	require.Equal(t, 2+analyzeAttempts, st.writes)
}
