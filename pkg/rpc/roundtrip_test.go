package rpc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
)

type echoParams struct {
	Text  string    `json:"text"`
	N     int       `json:"n,omitempty"`
	When  time.Time `json:"when,omitzero"`
	Words []string  `json:"words,omitempty"`
}

type echoResult struct {
	Text   string `json:"text"`
	Tenant string `json:"tenant,omitempty"`
	Double int    `json:"double"`
}

func echo(ctx context.Context, p echoParams) (echoResult, error) {
	tenant, _ := rpc.TenantFrom(ctx)
	return echoResult{Text: p.Text, Tenant: tenant, Double: 2 * p.N}, nil
}

func registerEcho(s *rpc.Server) {
	rpc.Register(s, "echo", echo)
	rpc.Register(s, "fail", func(ctx context.Context, p echoParams) (struct{}, error) {
		switch p.Text {
		case "notfound":
			return struct{}{}, rpc.Errorf(rpc.CodeNotFound, "no booking %d", p.N)
		case "panic":
			panic("handler exploded")
		case "plain":
			return struct{}{}, errors.New("database password is hunter2")
		}
		return struct{}{}, rpc.NewError(rpc.CodeSlotLocked, "locked", map[string]any{"slot": p.N})
	})
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "echo", registerEcho)
	ctx := rpc.WithTenant(t.Context(), "salon-berlin")
	var res echoResult
	require.NoError(t, p.Client.Call(ctx, "echo", "echo", echoParams{Text: "hallo", N: 21}, &res))
	assert.Equal(t, echoResult{Text: "hallo", Tenant: "salon-berlin", Double: 42}, res)

	for _, lane := range rpc.Lanes {
		res = echoResult{}
		require.NoError(t, p.Client.Call(t.Context(), "echo", "echo", echoParams{Text: string(lane)}, &res, rpc.WithLane(lane)))
		assert.Equal(t, string(lane), res.Text)
	}
}

func TestApplicationErrorsCrossTheBus(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "errs", registerEcho)
	cases := []struct {
		name string
		text string
		want *rpc.Error
	}{
		{"typed error", "notfound", rpc.ErrNotFound},
		{"error with data", "locked", rpc.ErrSlotLocked},
		{"panic", "panic", rpc.ErrInternal},
		{"plain error hides detail", "plain", rpc.ErrInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Client.Call(t.Context(), "errs", "fail", echoParams{Text: tc.text, N: 7}, nil)
			require.ErrorIs(t, err, tc.want)
			var rerr *rpc.Error
			require.ErrorAs(t, err, &rerr)
			assert.NotContains(t, rerr.Message, "hunter2")
			if tc.text == "locked" {
				assert.Equal(t, map[string]any{"slot": int8(7)}, rerr.Data)
			}
		})
	}
}
