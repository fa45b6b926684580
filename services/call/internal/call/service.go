// Package call is the call service's domain: Retell's call object decoded leniently, the
// merge rules that make every order and number of webhook deliveries give one final record,
// metadata extraction (intent, sentiment, outcome), call-appointment links and analytics.
//
// It knows no database, Redis or wire format: it talks to the outside through the Store,
// IntentAnalyzer and Events ports, implemented by adapters.
package call

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Branch is where a call belongs.
type Branch struct {
	ID        string
	CompanyID string
}

// Saved is the stored call after a save.
type Saved struct {
	CallID     string
	CustomerID string
	Status     Status
}

// StoredCall is a call as the store holds it.
type StoredCall struct {
	ID            string
	AppointmentID string
	Version       int64 // raised by every write of the call (see Record.IfVersion)
	Record
}

// CallRef names a call by our id or by Retell's.
type CallRef struct {
	ID           string
	RetellCallID string
}

// Store is the call data, kept by the database service.
type Store interface {
	// BranchByPhone finds the branch whose number was dialled; companyID scopes the lookup
	// when known. Unknown numbers answer ErrNotFound.
	BranchByPhone(ctx context.Context, companyID, phone string) (Branch, error)
	// OnlyBranch is the company's branch when it has exactly one (web calls name no number).
	OnlyBranch(ctx context.Context, companyID string) (Branch, error)
	// SaveCall upserts by Retell call id with Merge's rules (see README) and finds or creates
	// the caller as a customer. It publishes call.saved through the outbox.
	SaveCall(ctx context.Context, r Record) (Saved, error)
	// Call loads one call of companyID; ErrNotFound when there is none.
	Call(ctx context.Context, companyID string, ref CallRef) (StoredCall, error)
	// LinkAppointment records that appointmentID was booked in callID.
	LinkAppointment(ctx context.Context, companyID, callID, appointmentID string) error
	// Daily returns per branch and local day figures between two local days, inclusive.
	Daily(ctx context.Context, q AnalyticsQuery) (Daily, error)
}

// AnalyzedEvent is published after extraction.
type AnalyzedEvent struct {
	CompanyID    string
	CallID       string
	RetellCallID string
	Extraction   Extraction
}

// Events publishes what the service itself announces (call.saved comes from the outbox).
type Events interface {
	CallAnalyzed(ctx context.Context, e AnalyzedEvent) error
}

// Service holds the call use cases.
type Service struct {
	store    Store
	analyzer IntentAnalyzer
	events   Events
}

// NewService builds the service from its ports.
func NewService(store Store, analyzer IntentAnalyzer, events Events) (*Service, error) {
	if store == nil || analyzer == nil || events == nil {
		return nil, errors.New("call service: store, analyzer and events are required")
	}
	return &Service{store: store, analyzer: analyzer, events: events}, nil
}

// Save stores one lifecycle webhook. companyID may be empty: the call's dynamic variables or
// metadata (set by our inbound webhook), or the dialled number, name the tenant then. Events the
// record does not track answer ErrUnsupportedEvent.
func (s *Service) Save(ctx context.Context, companyID string, body []byte, receivedAt time.Time) (Saved, error) {
	w, err := ParseWebhook(body)
	if err != nil {
		return Saved{}, err
	}
	rec, err := FromWebhook(w)
	if err != nil {
		return Saved{}, fmt.Errorf("save call %s: %w", w.Call.CallID, err)
	}
	if rec.StartedAt.IsZero() {
		rec.StartedAt = receivedAt.UTC() // no timestamp at all: the store pins the first one
	}
	br, err := s.route(ctx, companyID, w.Call)
	if err != nil {
		return Saved{}, fmt.Errorf("route call %s: %w", w.Call.CallID, err)
	}
	rec.CompanyID, rec.BranchID = br.CompanyID, br.ID
	saved, err := s.store.SaveCall(ctx, rec)
	if err != nil {
		return Saved{}, fmt.Errorf("save call %s: %w", w.Call.CallID, err)
	}
	return saved, nil
}

// route finds the branch: explicit ids from our inbound webhook first, then the business
// line (to_number inbound, from_number outbound), then the company's only branch.
func (s *Service) route(ctx context.Context, companyID string, c RetellCall) (Branch, error) {
	if companyID == "" {
		companyID = hint(c, "company_id")
	}
	if id := hint(c, "branch_id"); id != "" && companyID != "" {
		return Branch{ID: id, CompanyID: companyID}, nil
	}
	line := c.ToNumber
	if c.Direction == "outbound" {
		line = c.FromNumber
	}
	if line != "" {
		br, err := s.store.BranchByPhone(ctx, companyID, line)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return br, err
		}
	}
	if companyID == "" {
		return Branch{}, ErrUnroutable
	}
	br, err := s.store.OnlyBranch(ctx, companyID)
	if errors.Is(err, ErrNotFound) {
		return Branch{}, ErrUnroutable
	}
	return br, err
}

// hint reads an id our inbound webhook put into the call's dynamic variables or metadata.
func hint(c RetellCall, key string) string {
	if v := c.DynamicVariables[key]; v != "" {
		return v
	}
	if v, ok := c.Metadata[key].(string); ok {
		return v
	}
	return ""
}
