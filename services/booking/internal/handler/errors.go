package handler

import (
	"context"
	"errors"

	api "github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
)

// wireError is the one mapping from domain errors to rpc codes. Unknown errors become -32603
// with a generic message; their detail goes to the request log.
func wireError(ctx context.Context, err error, data any) error {
	if err == nil {
		return nil
	}
	code, msg := codeOf(err)
	if code == rpc.CodeInternal {
		logging.FromContext(ctx).Error().Err(err).Msg("booking_request_failed")
		return rpc.NewError(code, "internal error", nil)
	}
	if code == rpc.CodeValidation {
		msg = err.Error() // names the field; carries no PII
	}
	return rpc.NewError(code, msg, data)
}

func codeOf(err error) (int, string) {
	table := []struct {
		target error
		code   int
		msg    string
	}{
		{booking.ErrValidation, rpc.CodeValidation, "invalid request"},
		{booking.ErrAmbiguous, rpc.CodeValidation, "more than one appointment matches"},
		{booking.ErrNotFound, rpc.CodeNotFound, "not found"},
		{booking.ErrSlotTaken, rpc.CodeConflict, "slot taken"},
		{booking.ErrRuleBroken, rpc.CodeConflict, "slot not bookable"},
		{booking.ErrSlotLocked, rpc.CodeSlotLocked, "slot locked"},
		{booking.ErrLockLost, rpc.CodeSlotLocked, "slot reservation lost"},
		{booking.ErrInProgress, rpc.CodeInProgress, "request in progress"},
		{context.DeadlineExceeded, rpc.CodeDeadlineExceeded, "deadline exceeded"},
		{booking.ErrUpstream, rpc.CodeUpstreamUnavailable, "upstream unavailable"},
	}
	for _, row := range table {
		if errors.Is(err, row.target) {
			return row.code, row.msg
		}
	}
	return rpc.CodeInternal, "internal error"
}

// refusal is the error data of a slot that cannot be booked: the reason on the wire (taken for
// a lost slot) and, for a broken rule, the German sentence.
func refusal(err error) api.Alternatives {
	var re *booking.RuleError
	if errors.As(err, &re) {
		return api.Alternatives{Reason: string(re.Reason), Message: re.Message}
	}
	return api.Alternatives{Reason: "taken", Message: "Dieser Termin ist leider nicht mehr frei."}
}

// refusalData is the error data of a refused slot, nil for any other error.
func refusalData(err error) any {
	if errors.Is(err, booking.ErrSlotTaken) || errors.Is(err, booking.ErrSlotLocked) || errors.Is(err, booking.ErrLockLost) ||
		errors.Is(err, booking.ErrRuleBroken) {
		return refusal(err)
	}
	return nil
}
