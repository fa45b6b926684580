package database

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
)

func TestWireError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code int // 0: passed through for the dispatcher (-32603)
		msg  string
	}{
		{"not found", fmt.Errorf("load branch x: %w", ErrNotFound), rpc.CodeNotFound, "not found"},
		{"slot taken", fmt.Errorf("create appointment: %w", ErrSlotTaken), rpc.CodeConflict, "slot taken"},
		{"our own reason", fmt.Errorf("cancel: %w", invalid("appointment is %s", "completed")), rpc.CodeValidation, "invalid data: appointment is completed"},
		{"database refused", fmt.Errorf("%w: check constraint", ErrValidation), rpc.CodeValidation, "invalid data"},
		{"unknown", errors.New("connection reset"), 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := WireError(tc.err)
			var rerr *rpc.Error
			if tc.code == 0 {
				require.False(t, errors.As(got, &rerr))
				return
			}
			require.ErrorAs(t, got, &rerr)
			require.Equal(t, tc.code, rerr.Code)
			require.Equal(t, tc.msg, rerr.Message, "wire messages carry no caller data")
		})
	}
	require.NoError(t, WireError(nil))
	require.ErrorIs(t, WireError(context.DeadlineExceeded), context.DeadlineExceeded)
}
