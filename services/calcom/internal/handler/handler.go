// Package handler serves the calcom service's JSON-RPC methods (pkg/api/calcom): decode the
// params, resolve the company's Cal.com account, call the client, map errors to wire codes.
package handler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/pkg/rpc"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
)

// Keys resolves a company's Cal.com API key.
type Keys interface {
	APIKey(ctx context.Context, companyID string) (string, error)
}

// ErrNoAPIKey: the company has no Cal.com API key.
var ErrNoAPIKey = errors.New("no cal.com api key")

// StaticKeys gives every company the same key: development against calsim, and single-tenant
// deployments until the database service hands out the encrypted per-company keys.
type StaticKeys string

// APIKey implements Keys.
func (k StaticKeys) APIKey(context.Context, string) (string, error) {
	if k == "" {
		return "", ErrNoAPIKey
	}
	return string(k), nil
}

// Handler holds what the methods need.
type Handler struct {
	cal   *client.Client
	keys  Keys
	store EventTypeStore
	bulk  int
	now   func() time.Time
	// region reads attendee numbers written without country code (DEFAULT_REGION).
	region string
}

// New builds a Handler. store receives synced event types (nil: syncEventTypes only reports
// them, and syncEventTypeLimits is refused); bulk bounds bulkCheckAvailability's concurrency;
// region reads attendee numbers written without country code ("" is phone.DefaultRegion).
// The business clock is clock.Now; WithClock replaces it.
func New(cal *client.Client, keys Keys, store EventTypeStore, bulk int, region string) *Handler {
	return &Handler{cal: cal, keys: keys, store: store, bulk: max(bulk, 1), now: clock.Now,
		region: cmp.Or(region, phone.DefaultRegion)}
}

// WithClock sets the business clock syncEventTypeLimits counts a range window's days from.
func (h *Handler) WithClock(now func() time.Time) *Handler {
	h.now = now
	return h
}

// Register adds every method to s.
func (h *Handler) Register(s *rpc.Server) {
	rpc.Register(s, calcom.MethodGetAvailability, wrap(h.getAvailability), rpc.Summary("free slots of an event type on local dates"))
	rpc.Register(s, calcom.MethodBulkCheckAvailability, wrap(h.bulkCheckAvailability), rpc.Summary("several availability checks at once"))
	rpc.Register(s, calcom.MethodCreateBooking, wrap(h.createBooking), rpc.NonIdempotent(), rpc.Summary("book a slot (phone-first attendee)"))
	rpc.Register(s, calcom.MethodCancelBooking, wrap(h.cancelBooking), rpc.NonIdempotent(), rpc.Summary("cancel a booking, with a reason"))
	rpc.Register(s, calcom.MethodRescheduleBooking, wrap(h.rescheduleBooking), rpc.NonIdempotent(), rpc.Summary("move a booking; returns the new uid"))
	rpc.Register(s, calcom.MethodFindBooking, wrap(h.findBooking), rpc.Summary("the booking a createBooking request id made, if any"))
	rpc.Register(s, calcom.MethodSyncEventTypes, wrap(h.syncEventTypes), rpc.Summary("read the account's event types"))
	rpc.Register(s, calcom.MethodSyncEventTypeLimits, wrap(h.syncEventTypeLimits),
		rpc.Summary("store Cal.com's minimum notice and booking window of the company's event types"))
}

// wrap maps every error a method returns to its wire form.
func wrap[P, R any](fn func(context.Context, P) (R, error)) func(context.Context, P) (R, error) {
	return func(ctx context.Context, p P) (R, error) {
		r, err := fn(ctx, p)
		if err != nil {
			return r, wireError(err)
		}
		return r, nil
	}
}

// wireError is the one mapping from domain errors to pkg/rpc codes. Unknown errors are passed
// on for the dispatcher to log and answer -32603.
func wireError(err error) error {
	if errors.Is(err, client.ErrOutcomeUnknown) {
		return rpc.NewError(rpc.CodeUpstreamUnavailable, client.ErrOutcomeUnknown.Error(), calcom.ErrorData{OutcomeUnknown: true})
	}
	for _, m := range []struct {
		target error
		code   int
	}{
		{client.ErrSlotTaken, rpc.CodeConflict},
		{client.ErrNotFound, rpc.CodeNotFound},
		{client.ErrUnauthorized, rpc.CodeUnauthorized},
		{ErrNoAPIKey, rpc.CodeUnauthorized},
		{client.ErrInvalidInput, rpc.CodeValidation},
		{client.ErrBadRequest, rpc.CodeValidation},
		{client.ErrRateLimited, rpc.CodeRateLimited},
		{client.ErrUnavailable, rpc.CodeUpstreamUnavailable},
		{client.ErrUpstream, rpc.CodeUpstreamUnavailable},
		{client.ErrTimeout, rpc.CodeUpstreamUnavailable},
		{client.ErrTransport, rpc.CodeUpstreamUnavailable},
	} {
		if errors.Is(err, m.target) {
			return rpc.NewError(m.code, m.target.Error(), nil)
		}
	}
	return err
}

// failed drops a cached key that Cal.com refused (it may have been rotated) and returns err.
func (h *Handler) failed(companyID string, err error) error {
	if f, ok := h.keys.(interface{ Forget(companyID string) }); ok && errors.Is(err, client.ErrUnauthorized) {
		f.Forget(companyID)
	}
	return err
}

func (h *Handler) account(ctx context.Context, companyID string) (*client.Account, error) {
	if companyID == "" {
		return nil, fmt.Errorf("company_id is required: %w", client.ErrInvalidInput)
	}
	key, err := h.keys.APIKey(ctx, companyID)
	if err != nil {
		return nil, fmt.Errorf("cal.com key of company %s: %w", companyID, err)
	}
	return h.cal.Account(key), nil
}
