package booking

import (
	"errors"
	"fmt"

	"github.com/askproai/backend/pkg/schedule"
)

// Sentinels the handler maps to wire codes. Adapters wrap their failures in one of them so that
// the domain and the handler never look at transport or driver errors.
var (
	// ErrValidation: the request is incomplete or contradicts itself.
	ErrValidation = errors.New("invalid booking request")
	// ErrNotFound: no such appointment, staff member, event type or branch.
	ErrNotFound = errors.New("not found")
	// ErrSlotTaken: the slot is booked, here or at Cal.com.
	ErrSlotTaken = errors.New("slot taken")
	// ErrSlotLocked: another request holds a reservation that overlaps the slot.
	ErrSlotLocked = errors.New("slot locked")
	// ErrLockLost: our reservation expired or was taken over before the write; the fencing check
	// refused to write under it.
	ErrLockLost = errors.New("slot reservation lost")
	// ErrUpstream: Cal.com or the database service failed or timed out.
	ErrUpstream = errors.New("upstream unavailable")
	// ErrOutcomeUnknown: a call to Cal.com failed in a way that leaves open whether it acted (it
	// comes wrapped together with ErrUpstream).
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrInProgress: a request with the same idempotency key is still running.
	ErrInProgress = errors.New("duplicate request in progress")
	// ErrAmbiguous: more than one appointment matches; the caller has to say which.
	ErrAmbiguous = errors.New("more than one appointment matches")
)

// FieldError names the request field that failed validation; it unwraps to ErrValidation.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Unwrap makes errors.Is(err, ErrValidation) hold.
func (e *FieldError) Unwrap() error { return ErrValidation }

func invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// ErrRuleBroken: the slot breaks a booking rule (opening hours, holiday, closing days, staff
// hours or time off, notice, horizon, past). It comes as a *RuleError.
var ErrRuleBroken = errors.New("slot breaks a booking rule")

// RuleError says which rule a slot breaks and what to say to the caller.
type RuleError struct {
	Reason  schedule.Reason
	Message string
	// head is the part of Message that says what is true, without the offer.
	head string
}

// listing is the sentence with options listed instead of the single offer (which would repeat
// one of them, or compete with nearer ones); without options it is Message.
func (e *RuleError) listing(opts []Option) string {
	if len(opts) == 0 || e.head == "" {
		return e.Message
	}
	return e.head + " Ich kann Ihnen anbieten: " + listOptions(opts) + "."
}

func (e *RuleError) Error() string { return "slot breaks a booking rule: " + string(e.Reason) }

// Unwrap makes errors.Is(err, ErrRuleBroken) hold.
func (e *RuleError) Unwrap() error { return ErrRuleBroken }
