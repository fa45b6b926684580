package handler

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestWireError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"validation names the field", fmt.Errorf("create booking: %w", &booking.FieldError{Field: "staff_id", Reason: "missing"}), rpc.CodeValidation, "create booking: staff_id: missing"},
		{"ambiguous", booking.ErrAmbiguous, rpc.CodeValidation, "more than one appointment matches"},
		{"not found", fmt.Errorf("load: %w", booking.ErrNotFound), rpc.CodeNotFound, "not found"},
		{"taken", fmt.Errorf("x: %w", booking.ErrSlotTaken), rpc.CodeConflict, "slot taken"},
		{"locked", booking.ErrSlotLocked, rpc.CodeSlotLocked, "slot locked"},
		{"lock lost", booking.ErrLockLost, rpc.CodeSlotLocked, "slot reservation lost"},
		{"in progress", booking.ErrInProgress, rpc.CodeInProgress, "request in progress"},
		{"timeout beats upstream", fmt.Errorf("%w: %w", booking.ErrUpstream, context.DeadlineExceeded), rpc.CodeDeadlineExceeded, "deadline exceeded"},
		{"upstream", fmt.Errorf("db: %w", booking.ErrUpstream), rpc.CodeUpstreamUnavailable, "upstream unavailable"},
		{"unknown hides detail", errors.New("secret +4915112345678"), rpc.CodeInternal, "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wireError(t.Context(), tc.err, nil)
			var werr *rpc.Error
			require.True(t, errors.As(err, &werr))
			require.Equal(t, tc.code, werr.Code)
			require.Equal(t, tc.msg, werr.Message)
		})
	}
	require.NoError(t, wireError(t.Context(), nil, nil))
}

func TestTenant(t *testing.T) {
	tests := []struct {
		name, tenant, company, want string
		err                         bool
	}{
		{"no tenant", "", "c1", "c1", false},
		{"filled from envelope", "c1", "", "c1", false},
		{"agree", "c1", "c1", "c1", false},
		{"disagree", "c2", "c1", "c1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			if tc.tenant != "" {
				ctx = rpc.WithTenant(ctx, tc.tenant)
			}
			c := tc.company
			err := tenant(ctx, &c)
			require.Equal(t, tc.err, err != nil)
			if tc.err {
				require.ErrorIs(t, err, rpc.ErrUnauthorized)
			}
			require.Equal(t, tc.want, c)
		})
	}
}

// TestRefusalData: every refused slot carries its own data.reason and a sentence for the
// caller; a lost slot is "taken".
func TestRefusalData(t *testing.T) {
	taken := refusal(fmt.Errorf("create booking: %w", booking.ErrSlotTaken))
	require.Equal(t, "taken", taken.Reason)
	require.Equal(t, "Dieser Termin ist leider nicht mehr frei.", taken.Message)
	for _, reason := range []schedule.Reason{schedule.ReasonClosed, schedule.ReasonOutsideOpeningHours, schedule.ReasonHoliday,
		schedule.ReasonStaffAbsent, schedule.ReasonTooSoon, schedule.ReasonTooFar, schedule.ReasonInThePast} {
		err := fmt.Errorf("create booking: %w", &booking.RuleError{Reason: reason, Message: "Sonntags haben wir geschlossen."})
		data := refusalData(err)
		require.Equal(t, api.Alternatives{Reason: string(reason), Message: "Sonntags haben wir geschlossen."}, data, reason)
	}
	require.Nil(t, refusalData(booking.ErrUpstream))
}
