// Package store implements the call domain's Store port over the database service's typed
// methods on the bus. It owns no SQL: the database service is the only holder of connections.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// MethodCallsGet loads one call by our id or Retell's. It is not in pkg/api/database yet (see
// the README); until the database service offers it, extraction cannot load a stored call.
const MethodCallsGet = "calls.get"

// GetCallParams are the params of calls.get.
type GetCallParams struct {
	CompanyID    string `json:"company_id" msgpack:"company_id"`
	CallID       string `json:"call_id,omitempty" msgpack:"call_id,omitempty"`
	RetellCallID string `json:"retell_call_id,omitempty" msgpack:"retell_call_id,omitempty"`
}

// Caller is the part of rpc.Client the store uses.
type Caller interface {
	Call(ctx context.Context, service, method string, params, result any, opts ...rpc.CallOption) error
}

// Store is call.Store over the database service.
type Store struct {
	bus   Caller
	actor string
}

// New returns a Store that calls the database service through bus; actor names the service in
// the audit log.
func New(bus Caller, actor string) *Store { return &Store{bus: bus, actor: actor} }

var _ call.Store = (*Store)(nil)

func (s *Store) call(ctx context.Context, companyID, method string, params, result any) error {
	if companyID != "" {
		ctx = rpc.WithTenant(ctx, companyID)
	}
	err := s.bus.Call(ctx, database.Service, method, params, result)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rpc.ErrNotFound):
		return fmt.Errorf("%s: %w: %w", method, call.ErrNotFound, err)
	case errors.Is(err, rpc.ErrValidation), errors.Is(err, rpc.ErrInvalidParams):
		return fmt.Errorf("%s: %w: %w", method, call.ErrInvalidInput, err)
	}
	return fmt.Errorf("%s: %w", method, err)
}

// BranchByPhone implements call.Store.
func (s *Store) BranchByPhone(ctx context.Context, companyID, phone string) (call.Branch, error) {
	var b database.Branch
	p := database.BranchByPhoneParams{CompanyID: companyID, PhoneNumber: phone}
	if err := s.call(ctx, companyID, database.MethodBranchesByPhone, p, &b); err != nil {
		return call.Branch{}, err
	}
	return call.Branch{ID: b.ID, CompanyID: b.CompanyID}, nil
}

// OnlyBranch implements call.Store: the company's one active branch, else not found.
func (s *Store) OnlyBranch(ctx context.Context, companyID string) (call.Branch, error) {
	var l database.BranchList
	p := database.CatalogueParams{CompanyID: companyID}
	if err := s.call(ctx, companyID, database.MethodBranchesList, p, &l); err != nil {
		return call.Branch{}, err
	}
	var found []database.Branch
	for _, b := range l.Branches {
		if b.Active {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		return call.Branch{}, fmt.Errorf("company %s has %d active branches: %w", companyID, len(found), call.ErrNotFound)
	}
	return call.Branch{ID: found[0].ID, CompanyID: companyID}, nil
}

// SaveCall implements call.Store.
func (s *Store) SaveCall(ctx context.Context, r call.Record) (call.Saved, error) {
	var c database.Call
	if err := s.call(ctx, r.CompanyID, database.MethodCallsSave, s.saveParams(r), &c); err != nil {
		return call.Saved{}, err
	}
	return call.Saved{CallID: c.ID, CustomerID: c.CustomerID, Status: call.Status(c.Status)}, nil
}

// SaveParams maps a record to calls.save.
func (s *Store) saveParams(r call.Record) database.SaveCallParams {
	p := database.SaveCallParams{
		CompanyID: r.CompanyID, BranchID: r.BranchID, RetellCallID: r.RetellCallID,
		FromNumber: r.FromNumber, ToNumber: r.ToNumber, CustomerName: r.CustomerName,
		Status: string(r.Status), DurationSeconds: r.DurationSeconds, RecordingURL: r.RecordingURL,
		Transcript: r.Transcript, Sentiment: string(r.Sentiment), Metadata: r.Metadata,
		RawPayload: r.Raw, StartedAt: r.StartedAt, Actor: s.actor,
	}
	if !r.EndedAt.IsZero() {
		t := r.EndedAt
		p.EndedAt = &t
	}
	return p
}

// Call implements call.Store.
func (s *Store) Call(ctx context.Context, companyID string, ref call.CallRef) (call.StoredCall, error) {
	var c database.Call
	p := GetCallParams{CompanyID: companyID, CallID: ref.ID, RetellCallID: ref.RetellCallID}
	if err := s.call(ctx, companyID, MethodCallsGet, p, &c); err != nil {
		return call.StoredCall{}, err
	}
	return Stored(c), nil
}

// Stored maps a database call to the domain's view.
func Stored(c database.Call) call.StoredCall {
	d := c.DurationSeconds
	r := call.Record{
		RetellCallID: c.RetellCallID, CompanyID: c.CompanyID, BranchID: c.BranchID,
		Status: call.Status(c.Status), FromNumber: c.FromNumber, ToNumber: c.ToNumber,
		StartedAt: c.StartedAt, DurationSeconds: &d, RecordingURL: c.RecordingURL,
		Transcript: c.Transcript, Sentiment: call.Sentiment(c.Sentiment), Metadata: c.Metadata,
	}
	if c.EndedAt != nil {
		r.EndedAt = *c.EndedAt
	}
	return call.StoredCall{ID: c.ID, AppointmentID: c.AppointmentID, Record: r}
}

// LinkAppointment implements call.Store.
func (s *Store) LinkAppointment(ctx context.Context, companyID, callID, appointmentID string) error {
	p := database.LinkAppointmentParams{
		CompanyID: companyID, CallID: callID, AppointmentID: appointmentID, Actor: s.actor,
	}
	return s.call(ctx, companyID, database.MethodCallsLinkAppointment, p, nil)
}

// Daily implements call.Store.
func (s *Store) Daily(ctx context.Context, q call.AnalyticsQuery) (call.Daily, error) {
	var res database.AnalyticsResult
	p := database.AnalyticsParams{CompanyID: q.CompanyID, BranchID: q.BranchID, From: q.From, To: q.To}
	if err := s.call(ctx, q.CompanyID, database.MethodAnalyticsDaily, p, &res); err != nil {
		return call.Daily{}, err
	}
	d := call.Daily{TimeZone: res.TimeZone, Rows: make([]call.DayRow, 0, len(res.Days))}
	for _, r := range res.Days {
		d.Rows = append(d.Rows, dayRow(r))
	}
	return d, nil
}

func dayRow(r database.DailyStats) call.DayRow {
	f := call.Figures{
		Calls: r.Calls, Answered: r.Answered, AvgDurationSeconds: r.AvgDurationSeconds,
		BookingsFromCalls: r.BookingsFromCalls, Cancellations: r.Cancellations,
		Reschedules: r.Reschedules, MissedOpportunities: r.MissedOpportunities,
		SentimentPositive: r.SentimentPositive, SentimentNeutral: r.SentimentNeutral,
		SentimentNegative: r.SentimentNegative,
	}
	if r.Answered > 0 {
		p50, p90 := r.P50DurationSeconds, r.P90DurationSeconds
		f.P50DurationSeconds, f.P90DurationSeconds = &p50, &p90
	}
	return call.DayRow{BranchID: r.BranchID, Day: r.Day, Figures: f}
}
