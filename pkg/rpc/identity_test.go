package rpc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

type whoResult struct {
	Actor     string `json:"actor"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Known     bool   `json:"known"`
}

func whoFrom(ctx context.Context) whoResult {
	id, ok := rpc.IdentityFrom(ctx)
	return whoResult{Actor: id.Actor, IP: id.IP, UserAgent: id.UserAgent, Known: ok}
}

// The identity set on the caller's ctx reaches the handler through the envelope, for single
// calls, batches and a second hop, and a call without one arrives without one.
func TestIdentityTravelsInTheEnvelope(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	var front *rpc.Client
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "back", "back-0"), nil, func(s *rpc.Server) {
		rpc.Register(s, "who", func(ctx context.Context, _ struct{}) (whoResult, error) { return whoFrom(ctx), nil })
	})
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "front", "front-0"), nil, func(s *rpc.Server) {
		// A handler's own calls pass the identity on without touching it.
		rpc.Register(s, "relay", func(ctx context.Context, _ struct{}) (whoResult, error) {
			var r whoResult
			err := front.Call(ctx, "back", "who", struct{}{}, &r)
			return r, err
		})
	})
	front = rpctest.NewClient(t, env, "front-client", nil)
	c := rpctest.NewClient(t, env, "edge", nil)

	id := rpc.Identity{Actor: "api:0123456789abcdef", IP: "203.0.113.7", UserAgent: "curl/8.5.0"}
	want := whoResult{Actor: id.Actor, IP: id.IP, UserAgent: id.UserAgent, Known: true}
	ctx := rpc.WithIdentity(t.Context(), id)

	tests := []struct {
		name string
		ctx  context.Context
		call func(ctx context.Context, r *whoResult) error
		want whoResult
	}{
		{"call", ctx, func(ctx context.Context, r *whoResult) error { return c.Call(ctx, "back", "who", struct{}{}, r) }, want},
		{"second hop", ctx, func(ctx context.Context, r *whoResult) error { return c.Call(ctx, "front", "relay", struct{}{}, r) }, want},
		{"batch", ctx, func(ctx context.Context, r *whoResult) error {
			b := []rpc.BatchCall{{Method: "who", Params: struct{}{}, Result: r}}
			if err := c.Batch(ctx, "back", b); err != nil {
				return err
			}
			return b[0].Err
		}, want},
		{"none", t.Context(), func(ctx context.Context, r *whoResult) error { return c.Call(ctx, "back", "who", struct{}{}, r) }, whoResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got whoResult
			require.NoError(t, tt.call(tt.ctx, &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

// Events carry the publisher's identity to their subscribers.
func TestIdentityTravelsWithEvents(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	got := make(chan whoResult, 1)
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "sub", "sub-0"), nil, func(s *rpc.Server) {
		rpc.Subscribe(s, "call.saved", "sub", func(ctx context.Context, _ echoParams) error {
			got <- whoFrom(ctx)
			return nil
		})
	})
	c := rpctest.NewClient(t, env, "publisher", nil)
	ctx := rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "retell:call_abc"})
	require.NoError(t, c.Publish(ctx, "call.saved", echoParams{Text: "x"}))
	select {
	case w := <-got:
		assert.Equal(t, whoResult{Actor: "retell:call_abc", Known: true}, w)
	case <-time.After(30 * time.Second):
		t.Fatal("event not handled")
	}
}

// An entry written by a sender that knows nothing of identities (no actor, ip or ua field) is
// served as before, with no identity in the handler's ctx.
func TestIdentityAbsentFromOlderSenders(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	got := make(chan whoResult, 1)
	cfg := rpctest.ServerConfig(env, "old", "old-0")
	rpctest.StartServer(t, env, cfg, nil, func(s *rpc.Server) {
		rpc.Register(s, "note", func(ctx context.Context, _ echoParams) (struct{}, error) {
			got <- whoFrom(ctx)
			return struct{}{}, nil
		})
	})
	body, err := msgpack.Marshal(map[string]any{"jsonrpc": "2.0", "method": "note", "params": map[string]any{"text": "hi"}})
	require.NoError(t, err)
	stream := rpc.RequestStream(cfg.Namespace, "old", rpc.LaneNormal)
	require.NoError(t, env.Client.XAdd(t.Context(), &redis.XAddArgs{Stream: stream, Values: []any{"v", "1", "body", body, "tenant", "t1"}}).Err())
	select {
	case w := <-got:
		assert.Equal(t, whoResult{}, w)
	case <-time.After(30 * time.Second):
		t.Fatal("notification not handled")
	}
}

func TestWithIdentity(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", rpc.MaxUserAgent-1) + "ü" // the 2-byte rune straddles the limit
	tests := []struct {
		name   string
		ua     string
		wantUA string
	}{
		{"short", "curl/8.5.0", "curl/8.5.0"},
		{"cut at the limit", strings.Repeat("x", 300), strings.Repeat("x", rpc.MaxUserAgent)},
		{"never inside a rune", long, strings.Repeat("a", rpc.MaxUserAgent-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := rpc.IdentityFrom(rpc.WithIdentity(context.Background(), rpc.Identity{Actor: "a", UserAgent: tt.ua}))
			require.True(t, ok)
			assert.Equal(t, tt.wantUA, id.UserAgent)
		})
	}
	ctx := rpc.WithDefaultActor(context.Background(), "booking")
	id, _ := rpc.IdentityFrom(ctx)
	assert.Equal(t, "booking", id.Actor, "no identity: the default")
	ctx = rpc.WithDefaultActor(rpc.WithIdentity(context.Background(), rpc.Identity{Actor: "cli:anna"}), "booking")
	id, _ = rpc.IdentityFrom(ctx)
	assert.Equal(t, "cli:anna", id.Actor, "an identity wins over the default")
	_, ok := rpc.IdentityFrom(context.Background())
	assert.False(t, ok)
}
