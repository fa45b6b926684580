package handler

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/routing/internal/routing"
)

func TestWireError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want *rpc.Error
	}{
		{name: "unknown number", err: &routing.UnknownNumberError{Number: "+493099999999"}, want: rpc.ErrNotFound},
		{name: "invalid number", err: fmt.Errorf("resolve branch: %w", &phone.Error{Kind: phone.ErrTooShort}), want: rpc.ErrValidation},
		{name: "not found", err: fmt.Errorf("load branch: %w", routing.ErrNotFound), want: rpc.ErrNotFound},
		{name: "unroutable", err: routing.ErrUnroutable, want: rpc.ErrValidation},
		{name: "deadline", err: fmt.Errorf("load: %w", context.DeadlineExceeded), want: rpc.ErrDeadlineExceeded},
		{name: "downstream wire error passes", err: fmt.Errorf("free staff: %w", rpc.ErrUpstreamUnavailable), want: rpc.ErrUpstreamUnavailable},
		{name: "anything else is internal", err: errors.New("boom"), want: rpc.ErrInternal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wireError(t.Context(), tc.err)
			require.ErrorIs(t, got, tc.want)
			require.NotContains(t, got.Error(), "99999999", "no phone number on the wire")
		})
	}
}

func TestCompany(t *testing.T) {
	tests := []struct {
		name     string
		envelope string
		params   string
		want     string
		wantErr  *rpc.Error
	}{
		{name: "params only", params: "c-1", want: "c-1"},
		{name: "envelope only", envelope: "c-1", want: "c-1"},
		{name: "both agree", envelope: "c-1", params: "c-1", want: "c-1"},
		{name: "both differ", envelope: "c-1", params: "c-2", wantErr: rpc.ErrUnauthorized},
		{name: "neither", wantErr: rpc.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			if tc.envelope != "" {
				ctx = rpc.WithTenant(ctx, tc.envelope)
			}
			got, err := company(ctx, tc.params)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
