package rpc_test

import (
	"bytes"
	"context"
	"errors"
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

// slotParams has a time in every shape a params type can hold one.
type slotParams struct {
	From  time.Time  `json:"from"`
	At    *time.Time `json:"at,omitempty"`
	Slots []slot     `json:"slots,omitempty"`
}

type slot struct {
	Start time.Time `json:"start"`
}

type slotResult struct {
	From  time.Time   `json:"from"`
	At    *time.Time  `json:"at,omitempty"`
	Start []time.Time `json:"start"`
}

func registerSlots(s *rpc.Server) {
	rpc.Register(s, "slots", func(_ context.Context, p slotParams) (slotResult, error) {
		r := slotResult{From: p.From, At: p.At, Start: []time.Time{}}
		for _, sl := range p.Slots {
			r.Start = append(r.Start, sl.Start)
		}
		return r, nil
	})
}

var berlin = time.FixedZone("CET", 3600)

// rawCaller sends hand-built entries, as a client in another language would, and reads the
// replies from its own reply stream.
type rawCaller struct {
	t      *testing.T
	rdb    *redis.Client
	stream string
	reply  string
	last   string
}

func newRawCaller(t *testing.T, p *rpctest.Pair) *rawCaller {
	ns := rpctest.Namespace(p.Env)
	c := &rawCaller{t: t, rdb: p.Env.Client, stream: rpc.RequestStream(ns, p.Service, rpc.LaneNormal),
		reply: rpc.ReplyStream(ns, "raw-"+testenv.RandomSuffix())}
	id, err := c.rdb.XAdd(t.Context(), &redis.XAddArgs{Stream: c.reply, Values: []any{"v", "1", "init", "1"}}).Result()
	require.NoError(t, err)
	c.last = id
	return c
}

// call adds one entry with the given fields (plus reply and cid) and returns the reply entry.
func (c *rawCaller) call(cid string, fields ...any) map[string]any {
	c.t.Helper()
	ctx := c.t.Context()
	fields = append(fields, "reply", c.reply, "cid", cid)
	require.NoError(c.t, c.rdb.XAdd(ctx, &redis.XAddArgs{Stream: c.stream, Values: fields}).Err())
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := c.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{c.reply, c.last}, Block: time.Second}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		require.NoError(c.t, err)
		for _, m := range res[0].Messages {
			c.last = m.ID
			if m.Values["cid"] == cid {
				return m.Values
			}
		}
	}
	c.t.Fatalf("no reply for %s", cid)
	return nil
}

// request builds a request body with plain Go maps, times given as the caller encodes them.
func request(t *testing.T, id string, params any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(map[string]any{"jsonrpc": "2.0", "method": "slots", "params": params, "id": id})
	require.NoError(t, err)
	return b
}

func replyObject(t *testing.T, entry map[string]any) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, msgpack.Unmarshal([]byte(entry["body"].(string)), &v))
	return v
}

// extTime is a MessagePack timestamp extension (type -1), as msgpack libraries write it.
type extTime time.Time

func (e extTime) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeTime(time.Time(e)) }

func TestTimesAreRFC3339StringsAndTheExtensionIsAccepted(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "times", registerSlots)
	c := newRawCaller(t, p)

	t.Run("strings as another language sends them", func(t *testing.T) {
		body := request(t, "r-1", map[string]any{
			"from":  "2026-12-01T14:30:00+01:00",
			"at":    "2026-12-01T13:30:00.123456789Z",
			"slots": []any{map[string]any{"start": "2026-12-01T15:00:00Z"}},
		})
		res := replyObject(t, c.call("c-1", "v", "1", "body", body))
		require.Nil(t, res["error"], "error: %v", res["error"])
		assert.Equal(t, "r-1", res["id"])
		// What servers send is what the schemas say: strings, the sender's offset kept.
		assert.Equal(t, map[string]any{
			"from":  "2026-12-01T14:30:00+01:00",
			"at":    "2026-12-01T13:30:00.123456789Z",
			"start": []any{"2026-12-01T15:00:00Z"},
		}, res["result"])
	})

	t.Run("timestamp extension", func(t *testing.T) {
		from := time.Date(2026, 12, 1, 14, 30, 0, 0, berlin)
		body := request(t, "r-2", map[string]any{
			"from":  extTime(from),
			"at":    extTime(from.Add(time.Nanosecond)),
			"slots": []any{map[string]any{"start": extTime(from.Add(time.Hour))}},
		})
		require.True(t, bytes.Contains(body, []byte{0xc7, 12, 0xff}) || bytes.Contains(body, []byte{0xd7, 0xff}), "the request carries extensions")
		res := replyObject(t, c.call("c-2", "v", "1", "body", body))
		require.Nil(t, res["error"], "error: %v", res["error"])
		result := res["result"].(map[string]any)
		for k, want := range map[string]time.Time{"from": from, "at": from.Add(time.Nanosecond)} {
			got, err := time.Parse(time.RFC3339Nano, result[k].(string))
			require.NoError(t, err)
			assert.True(t, want.Equal(got), "%s: %v != %v", k, got, want)
		}
	})

	cases := []struct {
		name, field string
		params      map[string]any
	}{
		{"top-level", "from", map[string]any{"from": "morgen um drei"}},
		{"pointer", "at", map[string]any{"from": "2026-12-01T14:30:00Z", "at": "2026-12-01 14:30"}},
		{"nested in a slice", "slots[1].start", map[string]any{"from": "2026-12-01T14:30:00Z",
			"slots": []any{map[string]any{"start": "2026-12-01T15:00:00Z"}, map[string]any{"start": "15:00"}}}},
		{"wrong type", "from", map[string]any{"from": 1764599400}},
	}
	for _, tc := range cases {
		t.Run("bad time "+tc.name, func(t *testing.T) {
			res := replyObject(t, c.call("c-"+tc.name, "v", "1", "body", request(t, "r-"+tc.name, tc.params)))
			e, _ := res["error"].(map[string]any)
			require.NotNil(t, e, "want an error, got %v", res)
			assert.EqualValues(t, rpc.CodeInvalidParams, e["code"])
			assert.Equal(t, "invalid params: "+tc.field+" is not an RFC 3339 time", e["message"])
			assert.Equal(t, map[string]any{"field": tc.field, "reason": "not an RFC 3339 time"}, e["data"])
		})
	}

	t.Run("go client round trip", func(t *testing.T) {
		from := time.Date(2026, 3, 29, 1, 59, 59, 999, berlin)
		var res slotResult
		require.NoError(t, p.Client.Call(t.Context(), "times", "slots", slotParams{From: from, At: &from, Slots: []slot{{Start: from}}}, &res))
		assert.True(t, from.Equal(res.From))
		require.NotNil(t, res.At)
		assert.True(t, from.Equal(*res.At))
		require.Len(t, res.Start, 1)
		assert.True(t, from.Equal(res.Start[0]))
	})
}

func TestBadEnvelopeVersionIsAnsweredOnTheReplyStream(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "badv", registerSlots)
	c := newRawCaller(t, p)
	body := request(t, "r-v", map[string]any{"from": "2026-12-01T14:30:00Z"})
	cases := []struct {
		name    string
		fields  []any
		message string
	}{
		{"unknown", []any{"v", "2", "body", body}, `invalid request: unsupported envelope version "2": this server speaks "1"`},
		{"missing", []any{"body", body}, `invalid request: unsupported envelope version: field "v" is missing, this server speaks "1"`},
	}
	for _, tc := range cases {
		entry := c.call("c-"+tc.name, tc.fields...)
		assert.Equal(t, "1", entry["v"])
		res := replyObject(t, entry)
		assert.Equal(t, "r-v", res["id"], tc.name)
		assert.Equal(t, map[string]any{"code": int16(rpc.CodeInvalidRequest), "message": tc.message}, res["error"], tc.name)
	}

	// Both are dead-lettered as well, for the operator.
	dlq := rpc.NewDeadLetters(p.Env.Client, rpctest.Namespace(p.Env), "badv")
	testenv.Eventually(t, 20*time.Second, func() bool { n, _ := dlq.Len(t.Context()); return n == 2 })
}

func TestTopLevelTimeValues(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 25, 2, 30, 0, 0, berlin)
	b, err := rpc.Marshal(at)
	require.NoError(t, err)
	var s string
	require.NoError(t, msgpack.Unmarshal(b, &s))
	assert.Equal(t, "2026-10-25T02:30:00+01:00", s)

	var got time.Time
	require.NoError(t, rpc.Unmarshal(b, &got))
	assert.True(t, at.Equal(got))

	ext, err := msgpack.Marshal(extTime(at))
	require.NoError(t, err)
	got = time.Time{}
	require.NoError(t, rpc.Unmarshal(ext, &got))
	assert.True(t, at.Equal(got))

	bad, err := msgpack.Marshal("25.10.2026")
	require.NoError(t, err)
	require.ErrorContains(t, rpc.Unmarshal(bad, &got), "not an RFC 3339 time")
}
