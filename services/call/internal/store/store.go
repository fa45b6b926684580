// Package store implements the call domain's Store port with the database service's typed
// client (pkg/api/database) on the bus. It owns no SQL: the database service is the only holder of connections.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// Database is the part of the database service's typed client (pkg/api/database.Client) the
// store uses; the client sets the acting tenant from the params.
type Database interface {
	BranchByPhone(ctx context.Context, p database.BranchByPhoneParams, opts ...rpc.CallOption) (database.Branch, error)
	Branches(ctx context.Context, p database.CompanyParams, opts ...rpc.CallOption) (database.BranchList, error)
	SaveCall(ctx context.Context, p database.SaveCallParams, opts ...rpc.CallOption) (database.Call, error)
	Call(ctx context.Context, p database.GetCallParams, opts ...rpc.CallOption) (database.Call, error)
	LinkAppointment(ctx context.Context, p database.LinkAppointmentParams, opts ...rpc.CallOption) (database.Call, error)
	Analytics(ctx context.Context, p database.AnalyticsParams, opts ...rpc.CallOption) (database.AnalyticsResult, error)
}

// Store is call.Store over the database service.
type Store struct {
	db    Database
	actor string
}

// New returns a Store over db; actor names the service in the audit log for the work it does
// on its own account (extraction, a link made from an event that named no one). Work done for
// a caller, such as the processing of a Retell webhook, is audited as the caller's: its
// identity came with the request or event.
func New(db Database, actor string) *Store { return &Store{db: db, actor: actor} }

var _ call.Store = (*Store)(nil)

// domainErr turns the database service's wire errors into domain errors.
func domainErr(method string, err error) error {
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
	b, err := s.db.BranchByPhone(ctx, database.BranchByPhoneParams{CompanyID: companyID, PhoneNumber: phone})
	if err != nil {
		return call.Branch{}, domainErr(database.MethodBranchesByPhone, err)
	}
	return call.Branch{ID: b.ID, CompanyID: b.CompanyID}, nil
}

// OnlyBranch implements call.Store: the company's one active branch, else not found.
func (s *Store) OnlyBranch(ctx context.Context, companyID string) (call.Branch, error) {
	l, err := s.db.Branches(ctx, database.CompanyParams{CompanyID: companyID})
	if err != nil {
		return call.Branch{}, domainErr(database.MethodBranchesList, err)
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
	c, err := s.db.SaveCall(rpc.WithDefaultActor(ctx, s.actor), s.saveParams(r))
	if r.IfVersion != 0 && errors.Is(err, rpc.ErrConflict) {
		return call.Saved{}, fmt.Errorf("%s: %w: %w", database.MethodCallsSave, call.ErrStale, err)
	}
	if err != nil {
		return call.Saved{}, domainErr(database.MethodCallsSave, err)
	}
	return call.Saved{CallID: c.ID, CustomerID: c.CustomerID, Status: call.Status(c.Status)}, nil
}

// SaveParams maps a record to calls.save.
func (s *Store) saveParams(r call.Record) database.SaveCallParams {
	p := database.SaveCallParams{
		CompanyID: r.CompanyID, BranchID: r.BranchID, RetellCallID: r.RetellCallID,
		FromNumber: r.FromNumber, ToNumber: r.ToNumber, CustomerName: r.CustomerName,
		CustomerNumber: r.CustomerNumber(),
		Status:         string(r.Status), DurationSeconds: r.DurationSeconds, RecordingURL: r.RecordingURL,
		Transcript: r.Transcript, Sentiment: string(r.Sentiment), Metadata: r.Metadata,
		RawPayload: r.Raw, StartedAt: r.StartedAt, Derived: r.Derived,
		IfVersion: r.IfVersion,
	}
	if !r.EndedAt.IsZero() {
		t := r.EndedAt
		p.EndedAt = &t
	}
	return p
}

// Call implements call.Store.
func (s *Store) Call(ctx context.Context, companyID string, ref call.CallRef) (call.StoredCall, error) {
	c, err := s.db.Call(ctx, database.GetCallParams{CompanyID: companyID, CallID: ref.ID, RetellCallID: ref.RetellCallID})
	if err != nil {
		return call.StoredCall{}, domainErr(database.MethodCallsGet, err)
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
	return call.StoredCall{ID: c.ID, AppointmentID: c.AppointmentID, Version: c.Version, Record: r}
}

// LinkAppointment implements call.Store.
func (s *Store) LinkAppointment(ctx context.Context, companyID, callID, appointmentID string) error {
	p := database.LinkAppointmentParams{
		CompanyID: companyID, CallID: callID, AppointmentID: appointmentID,
	}
	_, err := s.db.LinkAppointment(rpc.WithDefaultActor(ctx, s.actor), p)
	return domainErr(database.MethodCallsLinkAppointment, err)
}

// Daily implements call.Store.
func (s *Store) Daily(ctx context.Context, q call.AnalyticsQuery) (call.Daily, error) {
	p := database.AnalyticsParams{CompanyID: q.CompanyID, BranchID: q.BranchID, From: q.From, To: q.To}
	res, err := s.db.Analytics(ctx, p)
	if err != nil {
		return call.Daily{}, domainErr(database.MethodAnalyticsDaily, err)
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
