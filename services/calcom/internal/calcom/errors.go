package calcom

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinels; every error the client returns wraps one of them.
var (
	// ErrSlotTaken: Cal.com refused a booking because the slot is not (or no longer) free.
	ErrSlotTaken = errors.New("slot taken")
	// ErrNotFound: unknown booking or event type.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the API key is missing, invalid or not allowed to do this.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrBadRequest: Cal.com rejected the request (validation).
	ErrBadRequest = errors.New("bad request")
	// ErrRateLimited: Cal.com answered 429, or our shared budget for the key is spent.
	ErrRateLimited = errors.New("rate limited")
	// ErrUpstream: Cal.com answered 5xx or something that is not its API.
	ErrUpstream = errors.New("upstream error")
	// ErrTimeout: no answer within the request timeout.
	ErrTimeout = errors.New("upstream timeout")
	// ErrTransport: the connection failed or was dropped.
	ErrTransport = errors.New("upstream connection failed")
	// ErrUnavailable: the circuit breaker for the account is open; nothing was sent.
	ErrUnavailable = errors.New("upstream unavailable")
	// ErrOutcomeUnknown: a booking call failed ambiguously and the lookup could not settle it.
	ErrOutcomeUnknown = errors.New("booking outcome unknown")
	// ErrInvalidInput: the caller's input cannot be sent (bad phone number, missing reason…).
	ErrInvalidInput = errors.New("invalid input")
)

// APIError is an error answer from Cal.com, parsed from its error envelope when there is one.
type APIError struct {
	Status  int
	Code    string // the exception class name, e.g. BadRequestException
	Message string
	// RetryAfter is set on 429s, from Retry-After or X-RateLimit-Reset[-Default].
	RetryAfter time.Duration
	kind       error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("cal.com %d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap makes errors.Is(err, ErrSlotTaken) and friends work.
func (e *APIError) Unwrap() error { return e.kind }

// classify picks the sentinel for an error answer.
func classify(status int, message string) error {
	switch {
	case status == 409:
		return ErrSlotTaken
	case status == 400 && slotTakenMessage(message):
		return ErrSlotTaken
	case status == 400 || status == 422:
		return ErrBadRequest
	case status == 401 || status == 403:
		return ErrUnauthorized
	case status == 404:
		return ErrNotFound
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrUpstream
	}
	return ErrUpstream
}

// slotTakenMessage recognises errors.service.ts's messages for a slot that is gone.
func slotTakenMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "already has booking") || strings.Contains(m, "not available") ||
		strings.Contains(m, "no_available_users_found")
}

// ambiguous reports whether a failed write may nevertheless have been applied by Cal.com.
func ambiguous(err error) bool {
	return errors.Is(err, ErrUpstream) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrTransport)
}

// retryable reports whether an idempotent request may be sent again.
func retryable(err error) bool {
	return ambiguous(err) || (errors.Is(err, ErrRateLimited) && !errors.Is(err, errBudgetSpent))
}
