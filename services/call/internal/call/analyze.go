package call

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// MetaExtractedFrom records the inputs the stored extraction was made from. The store answers
// every save with call.saved, extraction saves too, so without it extraction would trigger
// itself forever; with it, a call.saved whose inputs are unchanged is a no-op.
const MetaExtractedFrom = "extracted_from"

// analyzeAttempts bounds how often Analyze starts over when the call changes under it.
const analyzeAttempts = 5

// Analyze is the job call.saved starts: it extracts metadata from a finished call, stores it
// and publishes call.analyzed. Calls still running, and calls whose extraction is current, are
// left alone. It reports whether it did anything.
//
// Jobs of one call run concurrently (a call.saved per webhook, a link). The extraction is
// stored only while the call is at the version it was made from, so a job that read older
// inputs can never overwrite the extraction of newer ones; it starts over instead, and finds
// the newer extraction current or makes it.
func (s *Service) Analyze(ctx context.Context, companyID string, ref CallRef) (bool, error) {
	for attempt := 1; ; attempt++ {
		done, err := s.analyzeOnce(ctx, companyID, ref)
		if !errors.Is(err, ErrStale) || attempt == analyzeAttempts {
			return done, err
		}
	}
}

func (s *Service) analyzeOnce(ctx context.Context, companyID string, ref CallRef) (bool, error) {
	c, err := s.store.Call(ctx, companyID, ref)
	if err != nil {
		return false, fmt.Errorf("load call %s%s: %w", ref.ID, ref.RetellCallID, err)
	}
	if c.Status.Rank() < StatusEnded.Rank() {
		return false, nil
	}
	digest := extractionInputs(c)
	if done, _ := c.Metadata[MetaExtractedFrom].(string); done == digest {
		return false, nil
	}
	ext, err := Extract(ctx, s.analyzer, Conversation{
		CompanyID: c.CompanyID, BranchID: c.BranchID, Transcript: c.Transcript,
		StartedAt: c.StartedAt, RetellSentiment: retellSentiment(c.Metadata),
		AppointmentID: c.AppointmentID,
	})
	if err != nil {
		return false, fmt.Errorf("extract metadata of call %s: %w", c.ID, err)
	}
	if err := s.storeExtraction(ctx, c, ext, digest); err != nil {
		return false, err
	}
	ev := AnalyzedEvent{CompanyID: c.CompanyID, CallID: c.ID, RetellCallID: c.RetellCallID, Extraction: ext}
	if err := s.events.CallAnalyzed(ctx, ev); err != nil {
		return false, fmt.Errorf("publish call.analyzed %s: %w", c.ID, err)
	}
	return true, nil
}

// storeExtraction saves the extraction with the call's own status, so it never moves the call
// and never outranks a webhook; metadata merges key by key.
func (s *Service) storeExtraction(ctx context.Context, c StoredCall, ext Extraction, digest string) error {
	md := ext.Map()
	md[MetaExtractedFrom] = digest
	if d, ok := c.Metadata[MetaDirection]; ok {
		md[MetaDirection] = d // the customer is the other party: see Record.CustomerNumber
	}
	rec := Record{
		RetellCallID: c.RetellCallID, CompanyID: c.CompanyID, BranchID: c.BranchID,
		Status: c.Status, StartedAt: c.StartedAt, CustomerName: ext.CallerName,
		FromNumber: c.FromNumber, ToNumber: c.ToNumber,
		Sentiment: ext.Sentiment, Metadata: md, Derived: true, IfVersion: c.Version,
	}
	if _, err := s.store.SaveCall(ctx, rec); err != nil {
		return fmt.Errorf("save metadata of call %s: %w", c.ID, err)
	}
	return nil
}

// extractionInputs digests what extraction depends on; extraction's own output is not part of
// it, so storing the result does not change it.
func extractionInputs(c StoredCall) string {
	h := sha256.New()
	for _, part := range []string{
		string(c.Status), c.Transcript, string(retellSentiment(c.Metadata)), c.AppointmentID,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// retellSentiment is call_analysis.user_sentiment as kept in the metadata; the sentiment
// column may hold our own estimate, so it is not read back as Retell's.
func retellSentiment(md map[string]any) Sentiment {
	a, _ := md[MetaAnalysis].(map[string]any)
	v, _ := a["user_sentiment"].(string)
	return ParseSentiment(v)
}

// ExtractMetadata understands a transcript on demand, without storing anything.
func (s *Service) ExtractMetadata(ctx context.Context, c Conversation) (Extraction, error) {
	return Extract(ctx, s.analyzer, c)
}

// Link records that appointmentID was booked in the call, then refreshes the call's outcome
// when it has ended. Linking twice is harmless.
func (s *Service) Link(ctx context.Context, companyID string, ref CallRef, appointmentID string) (string, error) {
	if companyID == "" || appointmentID == "" || (ref.ID == "" && ref.RetellCallID == "") {
		return "", fmt.Errorf("link call: %w: company, call and appointment are required", ErrInvalidInput)
	}
	id := ref.ID
	if id == "" {
		c, err := s.store.Call(ctx, companyID, ref)
		if err != nil {
			return "", fmt.Errorf("load call %s: %w", ref.RetellCallID, err)
		}
		id = c.ID
	}
	if err := s.store.LinkAppointment(ctx, companyID, id, appointmentID); err != nil {
		return "", fmt.Errorf("link call %s to appointment %s: %w", id, appointmentID, err)
	}
	if _, err := s.Analyze(ctx, companyID, CallRef{ID: id}); err != nil && !errors.Is(err, ErrNotFound) {
		return id, fmt.Errorf("refresh outcome of call %s: %w", id, err)
	}
	return id, nil
}
