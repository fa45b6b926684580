package rpc

import (
	"bytes"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"
)

// FuzzDecodeBody feeds arbitrary bytes to the server's and the client's decoders. They must
// never panic, and whatever the server accepts as a request must be answerable: the response
// it would send decodes on the client side with the same id. The seed corpus is in
// testdata/fuzz/FuzzDecodeBody and runs with every plain `go test`.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, body []byte) {
		// What the cursor accepts, msgpack's own decoder skips to the same byte.
		c := cursor{b: body}
		if c.skip() == nil {
			r := bytes.NewReader(body)
			require.NoError(t, msgpack.NewDecoder(r).Skip())
			require.Equal(t, c.pos, len(body)-r.Len())
		}
		_, _ = parseResponses(body)
		_ = toDeadLetter(deadLetterMsg(body))
		reqs, _, err := parseBody(body)
		if err != nil {
			return
		}
		for _, r := range reqs {
			e := getEncoder()
			require.NoError(t, encodeResponse(e, r.id, map[string]any{"ok": true}, r.err))
			out := e.finish()
			resps, err := parseResponses(out)
			require.NoError(t, err)
			require.Len(t, resps, 1)
			assert.Equal(t, idText(r.id), resps[0].id)
			if r.err == nil {
				assert.NotEmpty(t, r.method)
			}
		}
	})
}

func TestParseBodyTable(t *testing.T) {
	t.Parallel()
	enc := func(v any) []byte { b, _ := msgpack.Marshal(v); return b }
	cases := []struct {
		name      string
		body      []byte
		wantErr   bool
		batch     bool
		n         int
		invalid   []bool
		notifyIdx int // index of a notification, -1 none
	}{
		{"request", enc(map[string]any{"jsonrpc": "2.0", "method": "m", "id": "1"}), false, false, 1, []bool{false}, -1},
		{"notification", enc(map[string]any{"jsonrpc": "2.0", "method": "m"}), false, false, 1, []bool{false}, 0},
		{"batch", enc([]any{map[string]any{"jsonrpc": "2.0", "method": "m", "id": 1}, 5}), false, true, 2, []bool{false, true}, -1},
		{"bad id type", enc(map[string]any{"jsonrpc": "2.0", "method": "m", "id": []int{1}}), false, false, 1, []bool{true}, -1},
		{"missing method", enc(map[string]any{"jsonrpc": "2.0", "id": 1}), false, false, 1, []bool{true}, -1},
		{"garbage", []byte{0xc1}, true, false, 0, nil, -1},
		{"trailing bytes", append(enc(map[string]any{"jsonrpc": "2.0", "method": "m"}), 0x01), true, false, 0, nil, -1},
		{"huge batch header", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, true, true, 0, nil, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reqs, batch, err := parseBody(tc.body)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.batch, batch)
			require.Len(t, reqs, tc.n)
			for i, r := range reqs {
				assert.Equal(t, tc.invalid[i], r.err != nil, "member %d", i)
				assert.Equal(t, i == tc.notifyIdx, !r.hasID, "member %d notification", i)
			}
		})
	}
}

func deadLetterMsg(body []byte) redis.XMessage {
	return redis.XMessage{ID: "1-1", Values: map[string]any{fieldBody: string(body), fieldDeliveries: "x", fieldMovedAt: "y"}}
}
