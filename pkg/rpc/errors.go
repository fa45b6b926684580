package rpc

import (
	"errors"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// JSON-RPC 2.0 reserved codes.
const (
	CodeParseError     = -32700 // the body is not valid MessagePack
	CodeInvalidRequest = -32600 // the body is not a valid JSON-RPC request object
	CodeMethodNotFound = -32601 // no handler is registered under the method name
	CodeInvalidParams  = -32602 // params do not decode into the method's params type
	CodeInternal       = -32603 // a handler panicked or returned an unmapped error
)

// Application codes: the one table every service maps its domain errors to. The same table is
// in proto-schemas/README.md. Codes marked retryable are retried by Call when WithRetries
// allows it.
const (
	CodeNotFound            = -32001 // the record does not exist (or belongs to another tenant)
	CodeConflict            = -32002 // conflict / slot taken
	CodeSlotLocked          = -32003 // another caller holds the slot lock right now
	CodeUnauthorized        = -32004 // missing or wrong credentials
	CodeRateLimited         = -32005 // retryable: too many requests
	CodeUpstreamUnavailable = -32006 // retryable: a downstream (Cal.com, database) is unavailable
	CodeDeadlineExceeded    = -32007 // the request's deadline passed
	CodeValidation          = -32008 // the params are well-formed but not acceptable
	CodeNoResponders        = -32009 // retryable: no live instance consumes the service's requests
	CodeInProgress          = -32010 // retryable: a duplicate of a request that is still running
)

// Sentinels, one per code; errors.Is(err, rpc.ErrNotFound) is true for any *Error with that code.
var (
	ErrNotFound            = NewError(CodeNotFound, "not found", nil)
	ErrConflict            = NewError(CodeConflict, "conflict", nil)
	ErrSlotLocked          = NewError(CodeSlotLocked, "slot locked", nil)
	ErrUnauthorized        = NewError(CodeUnauthorized, "unauthorized", nil)
	ErrRateLimited         = NewError(CodeRateLimited, "rate limited", nil)
	ErrUpstreamUnavailable = NewError(CodeUpstreamUnavailable, "upstream unavailable", nil)
	ErrDeadlineExceeded    = NewError(CodeDeadlineExceeded, "deadline exceeded", nil)
	ErrValidation          = NewError(CodeValidation, "validation failed", nil)
	ErrNoResponders        = NewError(CodeNoResponders, "no responders", nil)
	ErrInProgress          = NewError(CodeInProgress, "request in progress", nil)
	ErrInvalidParams       = NewError(CodeInvalidParams, "invalid params", nil)
	ErrMethodNotFound      = NewError(CodeMethodNotFound, "method not found", nil)
	ErrInternal            = NewError(CodeInternal, "internal error", nil)
	// ErrParse and ErrInvalidRequest complete the reserved codes.
	ErrParse          = NewError(CodeParseError, "parse error", nil)
	ErrInvalidRequest = NewError(CodeInvalidRequest, "invalid request", nil)
)

// Error is the JSON-RPC error object. It travels on the wire as {code, message, data}.
type Error struct {
	Code    int
	Message string
	Data    any
}

// NewError returns an *Error.
func NewError(code int, message string, data any) *Error {
	return &Error{Code: code, Message: message, Data: data}
}

// Errorf returns an *Error whose message is formatted.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// DecodeData decodes the error's data into v (a pointer to the type the method documents for
// it), whether the error came over the bus (data as decoded MessagePack) or was made locally.
func (e *Error) DecodeData(v any) error {
	if e.Data == nil {
		return errors.New("rpc error has no data")
	}
	b, err := msgpack.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("encode error data: %w", err)
	}
	if err := msgpack.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode error data: %w", err)
	}
	return nil
}

// Error renders the code and message.
func (e *Error) Error() string {
	return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message)
}

// Is reports whether target is an *Error with the same code, so sentinels match any message.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// Retryable reports whether a call that failed with code may be sent again with the same id.
func Retryable(code int) bool {
	switch code {
	case CodeRateLimited, CodeUpstreamUnavailable, CodeNoResponders, CodeInProgress:
		return true
	}
	return false
}

// CodeOf returns the code of the *Error in err's chain, 0 for nil and CodeInternal otherwise.
func CodeOf(err error) int {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
