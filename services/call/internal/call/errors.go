package call

import "errors"

// Domain errors. The handler maps them to wire codes.
var (
	// ErrInvalidPayload: the webhook body is not a Retell call payload (no call id, not JSON).
	ErrInvalidPayload = errors.New("invalid retell payload")
	// ErrUnsupportedEvent: an event the call record does not track (transcript_updated, …).
	ErrUnsupportedEvent = errors.New("unsupported retell event")
	// ErrUnroutable: the call names no company or branch we know.
	ErrUnroutable = errors.New("call cannot be routed to a branch")
	// ErrNotFound: no such call, appointment or branch for this tenant.
	ErrNotFound = errors.New("not found")
	// ErrInvalidInput: parameters that cannot be right (empty ids, bad dates).
	ErrInvalidInput = errors.New("invalid input")
	// ErrStale: a conditional write (Record.IfVersion) found the call changed since it was read.
	ErrStale = errors.New("call changed since it was read")
)
