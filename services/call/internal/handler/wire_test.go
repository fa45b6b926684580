package handler

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

func TestWireCodes(t *testing.T) {
	h := &Handler{log: zerolog.Nop()}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"invalid payload", fmt.Errorf("x: %w", call.ErrInvalidPayload), rpc.CodeInvalidParams},
		{"invalid input", fmt.Errorf("x: %w", call.ErrInvalidInput), rpc.CodeValidation},
		{"unroutable", fmt.Errorf("x: %w", call.ErrUnroutable), rpc.CodeNotFound},
		{"not found", fmt.Errorf("x: %w", call.ErrNotFound), rpc.CodeNotFound},
		{"upstream keeps its code", fmt.Errorf("x: %w", rpc.ErrUpstreamUnavailable), rpc.CodeUpstreamUnavailable},
		{"unknown is internal", errors.New("boom"), rpc.CodeInternal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, rpc.CodeOf(h.wire(context.Background(), tc.err)))
		})
	}
}

func TestCompany(t *testing.T) {
	tests := []struct {
		name, tenant, param, want string
		denied                    bool
	}{
		{"params only", "", "c1", "c1", false},
		{"tenant only", "c1", "", "c1", false},
		{"both agree", "c1", "c1", "c1", false},
		{"other tenant", "c1", "c2", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.tenant != "" {
				ctx = rpc.WithTenant(ctx, tc.tenant)
			}
			got, err := company(ctx, tc.param)
			if tc.denied {
				require.ErrorIs(t, err, rpc.ErrUnauthorized)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestMetadataMapping(t *testing.T) {
	start := time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC)
	m := Metadata(call.Extraction{Intent: call.IntentBooking, Outcome: call.OutcomeMissedBooking,
		Sentiment: call.SentimentNeutral, SentimentSource: call.SentimentFromRules,
		PreferredTimes: []call.TimeWindow{{Start: start}, {Start: start, End: start.Add(time.Hour)}}})
	require.Equal(t, "booking", m.Intent)
	require.Equal(t, "missed_booking", m.Outcome)
	require.Nil(t, m.PreferredTimes[0].End)
	require.Equal(t, start.Add(time.Hour), *m.PreferredTimes[1].End)
}
