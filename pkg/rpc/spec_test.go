package rpc_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
)

// rawBus sends hand-made entries and reads the replies, as a client in another language would.
type rawBus struct {
	t     *testing.T
	rdb   *redis.Client
	ns    string
	reply string
	last  string
}

func newRawBus(t *testing.T, p *rpctest.Pair) *rawBus {
	ns := rpctest.Namespace(p.Env)
	b := &rawBus{t: t, rdb: p.Env.Client, ns: ns, reply: rpc.ReplyStream(ns, "raw-"+t.Name())}
	id, err := b.rdb.XAdd(t.Context(), &redis.XAddArgs{Stream: b.reply, Values: []any{"init", "1"}}).Result()
	require.NoError(t, err)
	b.last = id
	return b
}

// send XADDs body to service's normal lane with a reply stream unless notify.
func (b *rawBus) send(service string, body []byte, withReply bool) {
	values := []any{"v", "1", "body", body, "dl", strconv.FormatInt(time.Now().Add(10*time.Second).UnixMilli(), 10)}
	if withReply {
		values = append(values, "reply", b.reply, "cid", "c1")
	}
	err := b.rdb.XAdd(b.t.Context(), &redis.XAddArgs{Stream: rpc.RequestStream(b.ns, service, rpc.LaneNormal), Values: values}).Err()
	require.NoError(b.t, err)
}

// next waits for the next reply body and decodes it.
func (b *rawBus) next(wait time.Duration) (any, bool) {
	res, err := b.rdb.XRead(b.t.Context(), &redis.XReadArgs{Streams: []string{b.reply, b.last}, Count: 1, Block: wait}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, false
	}
	require.NoError(b.t, err)
	m := res[0].Messages[0]
	b.last = m.ID
	assert.Equal(b.t, "c1", m.Values["cid"])
	var v any
	require.NoError(b.t, msgpack.Unmarshal([]byte(m.Values["body"].(string)), &v))
	return v, true
}

func (b *rawBus) call(service string, body any) any {
	raw, err := msgpack.Marshal(body)
	require.NoError(b.t, err)
	b.send(service, raw, true)
	v, ok := b.next(30 * time.Second)
	require.True(b.t, ok, "no reply")
	return v
}

func errorCode(t *testing.T, resp any) any {
	m, ok := resp.(map[string]any)
	require.True(t, ok, "response is %T", resp)
	e, ok := m["error"].(map[string]any)
	require.True(t, ok, "no error in %v", m)
	return e["code"]
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return int64(n)
	}
	return -1
}

func TestJSONRPCErrorCodes(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "spec", registerEcho)
	b := newRawBus(t, p)

	t.Run("parse error -32700", func(t *testing.T) {
		b.send("spec", []byte{0xc1, 0xff, 0x00}, true) // 0xc1 is never used in MessagePack
		v, ok := b.next(30 * time.Second)
		require.True(t, ok)
		assert.EqualValues(t, rpc.CodeParseError, asInt(errorCode(t, v)))
		assert.Nil(t, v.(map[string]any)["id"])
	})
	cases := []struct {
		name string
		body any
		code int
	}{
		{"invalid request: not an object", "hello", rpc.CodeInvalidRequest},
		{"invalid request: wrong version", map[string]any{"jsonrpc": "1.0", "method": "echo", "id": 1}, rpc.CodeInvalidRequest},
		{"invalid request: method not a string", map[string]any{"jsonrpc": "2.0", "method": 5, "id": 1}, rpc.CodeInvalidRequest},
		{"invalid request: scalar params", map[string]any{"jsonrpc": "2.0", "method": "echo", "params": 3, "id": 1}, rpc.CodeInvalidRequest},
		{"method not found", map[string]any{"jsonrpc": "2.0", "method": "nope", "id": 1}, rpc.CodeMethodNotFound},
		{"invalid params", map[string]any{"jsonrpc": "2.0", "method": "echo", "params": map[string]any{"text": 12}, "id": 1}, rpc.CodeInvalidParams},
		{"internal error", map[string]any{"jsonrpc": "2.0", "method": "fail", "params": map[string]any{"text": "panic"}, "id": 1}, rpc.CodeInternal},
		{"application code", map[string]any{"jsonrpc": "2.0", "method": "fail", "params": map[string]any{"text": "notfound"}, "id": 1}, rpc.CodeNotFound},
		{"empty batch", []any{}, rpc.CodeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.EqualValues(t, tc.code, asInt(errorCode(t, b.call("spec", tc.body))))
		})
	}
}

func TestIDEchoedExactly(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "ids", registerEcho)
	b := newRawBus(t, p)
	for _, id := range []any{"abc-1", int64(7), int64(-300000), 1.5, uint64(1) << 40, nil} {
		resp := b.call("ids", map[string]any{"jsonrpc": "2.0", "method": "echo", "params": map[string]any{"text": "x"}, "id": id}).(map[string]any)
		assert.Contains(t, resp, "id")
		switch want := id.(type) {
		case nil:
			assert.Nil(t, resp["id"])
		case string, float64:
			assert.Equal(t, want, resp["id"])
		default:
			assert.EqualValues(t, asInt(want), asInt(resp["id"]), "id %v", id)
		}
		assert.Equal(t, "2.0", resp["jsonrpc"])
		assert.Contains(t, resp, "result")
	}
}

func TestBatchesAndNotifications(t *testing.T) {
	t.Parallel()
	seen := make(chan string, 16)
	p := rpctest.New(t, "batch", func(s *rpc.Server) {
		registerEcho(s)
		rpc.Register(s, "note", func(_ context.Context, p echoParams) (struct{}, error) {
			seen <- p.Text
			return struct{}{}, nil
		})
	})
	b := newRawBus(t, p)

	t.Run("array in, array out, notifications left out", func(t *testing.T) {
		resp := b.call("batch", []any{
			map[string]any{"jsonrpc": "2.0", "method": "echo", "params": map[string]any{"text": "a"}, "id": "1"},
			map[string]any{"jsonrpc": "2.0", "method": "note", "params": map[string]any{"text": "n1"}},
			map[string]any{"jsonrpc": "2.0", "method": "nope", "id": "2"},
			"garbage",
		})
		arr, ok := resp.([]any)
		require.True(t, ok, "reply %T", resp)
		require.Len(t, arr, 3)
		assert.Equal(t, "1", arr[0].(map[string]any)["id"])
		assert.EqualValues(t, rpc.CodeMethodNotFound, asInt(errorCode(t, arr[1])))
		assert.EqualValues(t, rpc.CodeInvalidRequest, asInt(errorCode(t, arr[2])))
		assert.Nil(t, arr[2].(map[string]any)["id"])
		assert.Equal(t, "n1", <-seen)
	})

	t.Run("a notification gets no reply", func(t *testing.T) {
		raw, _ := msgpack.Marshal(map[string]any{"jsonrpc": "2.0", "method": "note", "params": map[string]any{"text": "n2"}})
		b.send("batch", raw, true)
		assert.Equal(t, "n2", <-seen)
		raw, _ = msgpack.Marshal([]any{map[string]any{"jsonrpc": "2.0", "method": "note", "params": map[string]any{"text": "n3"}}})
		b.send("batch", raw, true)
		assert.Equal(t, "n3", <-seen)
		// The next reply on the stream is the one to a later call: the notifications got none.
		resp := b.call("batch", map[string]any{"jsonrpc": "2.0", "method": "echo", "params": map[string]any{"text": "after"}, "id": "after"})
		assert.Equal(t, "after", resp.(map[string]any)["id"], "notifications must not be answered")
	})

	t.Run("client Batch and Notify", func(t *testing.T) {
		var r1, r2 echoResult
		calls := []rpc.BatchCall{
			{Method: "echo", Params: echoParams{Text: "x", N: 1}, Result: &r1},
			{Method: "fail", Params: echoParams{Text: "notfound"}},
			{Method: "note", Params: echoParams{Text: "n4"}, Notify: true},
			{Method: "echo", Params: echoParams{Text: "y", N: 2}, Result: &r2},
		}
		require.NoError(t, p.Client.Batch(t.Context(), "batch", calls))
		assert.Equal(t, "x", r1.Text)
		assert.Equal(t, 4, r2.Double)
		assert.ErrorIs(t, calls[1].Err, rpc.ErrNotFound)
		assert.NoError(t, calls[0].Err)
		assert.NoError(t, calls[2].Err)
		assert.Equal(t, "n4", <-seen)
		require.NoError(t, p.Client.Notify(t.Context(), "batch", "note", echoParams{Text: "n5"}))
		assert.Equal(t, "n5", <-seen)
	})
}
