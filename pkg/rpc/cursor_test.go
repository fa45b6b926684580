package rpc

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"
)

// wellFormed returns one encoding of every MessagePack type family, each at the edges where
// its header changes width.
func wellFormed(t *testing.T) map[string][]byte {
	t.Helper()
	enc := func(v any) []byte {
		b, err := msgpack.Marshal(v)
		require.NoError(t, err)
		return b
	}
	ext := func(code byte, size int, lenBytes ...byte) []byte {
		b := append([]byte{code}, lenBytes...)
		b = append(b, 7) // the extension type
		return append(b, bytes.Repeat([]byte{0xee}, size)...)
	}
	vals := map[string][]byte{
		"nil": enc(nil), "true": enc(true), "false": enc(false),
		"fixint": enc(5), "negative fixint": enc(-3),
		"uint8": enc(uint8(200)), "uint16": enc(uint16(60000)), "uint32": enc(uint32(1 << 31)), "uint64": enc(uint64(1 << 63)),
		"int8": enc(int8(-100)), "int16": enc(int16(-30000)), "int32": enc(int32(-1 << 30)), "int64": enc(int64(-1 << 62)),
		"float32": enc(float32(1.5)), "float64": enc(2.25),
		"fixstr": enc(strings.Repeat("a", 31)), "str8": enc(strings.Repeat("b", 255)),
		"str16": enc(strings.Repeat("c", 65535)), "str32": enc(strings.Repeat("d", 65536)),
		"bin8": enc([]byte("xy")), "bin16": enc(make([]byte, 300)), "bin32": enc(make([]byte, 70000)),
		"fixext1": ext(0xd4, 1), "fixext2": ext(0xd5, 2), "fixext4": ext(0xd6, 4), "fixext8": ext(0xd7, 8), "fixext16": ext(0xd8, 16),
		"ext8": ext(0xc7, 3, 3), "ext16": ext(0xc8, 300, 0x01, 0x2c), "ext32": ext(0xc9, 5, 0, 0, 0, 5),
		"fixarray": enc([]any{1, "x", nil}), "array16": enc(make([]int, 16)), "array32": enc(make([]bool, 65536)),
		"fixmap": enc(map[string]any{"a": 1}), "empty map": enc(map[string]any{}), "empty array": enc([]any{}),
		"nested": enc(map[string]any{"a": []any{map[string]any{"b": []any{1.5, "c", []byte{1}}}}, "d": nil}),
	}
	m16 := map[int]int{}
	for i := range 16 {
		m16[i] = i
	}
	vals["map16"] = enc(m16)
	m32 := map[int]bool{}
	for i := range 65536 {
		m32[i] = true
	}
	vals["map32"] = enc(m32)
	return vals
}

// The cursor consumes exactly what msgpack itself encodes, and refuses every truncation of it.
func TestCursorWalksEveryTypeAndRefusesEveryTruncation(t *testing.T) {
	t.Parallel()
	for name, b := range wellFormed(t) {
		t.Run(name, func(t *testing.T) {
			c := cursor{b: b}
			require.NoError(t, c.skip())
			require.Equal(t, len(b), c.pos, "consumed the whole value")

			// Every prefix is a truncated value. The long ones are probed near their ends only.
			for i := range len(b) {
				if i > 64 && i < len(b)-64 {
					continue
				}
				require.Error(t, checkValue(b[:i]), "prefix of %d bytes", i)
			}
		})
	}
}

func TestCursorRefusesMalformedHeaders(t *testing.T) {
	t.Parallel()
	for name, b := range map[string][]byte{
		"never-used code":         {0xc1},
		"str32 claiming 4 GiB":    {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'},
		"bin32 claiming 4 GiB":    {0xc6, 0xff, 0xff, 0xff, 0xff, 'a'},
		"ext32 claiming 4 GiB":    {0xc9, 0xff, 0xff, 0xff, 0xff, 1, 'a'},
		"array32 of 4 G members":  {0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3},
		"map32 of 4 G pairs":      {0xdf, 0xff, 0xff, 0xff, 0xff, 1, 2, 3},
		"fixmap of more than fit": {0x83, 1, 2, 3, 4},
		"fixext16 short":          {0xd8, 1, 2, 3},
		"empty":                   {},
	} {
		assert.ErrorIs(t, checkValue(b), errMalformed, name)
	}
}

func TestCursorBoundsNesting(t *testing.T) {
	t.Parallel()
	nested := func(depth int) []byte {
		return append(bytes.Repeat([]byte{0x91}, depth), 0xc0) // [[[…[nil]…]]]
	}
	require.NoError(t, checkValue(nested(maxDepth)))
	require.ErrorIs(t, checkValue(nested(maxDepth+1)), errMalformed)
	require.ErrorIs(t, checkValue(nested(1_000_000)), errMalformed)
}

// A header that claims gigabytes costs nothing. msgpack's own Skip, which the decoder used
// before, grew a buffer of 1 to 2 MiB for each such header and kept it in the pooled decoder:
// the fuzzer's workers reached 9 GB.
func TestHugeLengthClaimsAllocateNothing(t *testing.T) {
	body, err := msgpack.Marshal(map[string]any{"jsonrpc": "2.0", "method": "m", "id": "1"})
	require.NoError(t, err)
	// The request with one more member whose string value claims 4 GiB.
	body[0]++
	body = append(body, 0xa1, 'x', 0xdb, 0xff, 0xff, 0xff, 0xff, 'a')

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		_, _, err := parseBody(body)
		require.ErrorIs(t, err, errMalformed)
		_, err = parseResponses(body)
		require.ErrorIs(t, err, errMalformed)
		var v any
		require.ErrorIs(t, Unmarshal(body, &v), errMalformed)
	}
	runtime.ReadMemStats(&after)
	perRound := (after.TotalAlloc - before.TotalAlloc) / 100
	assert.Less(t, perRound, uint64(16<<10), "bytes allocated per malformed body")
}

// BenchmarkParseBody decodes a typical request envelope: the server's first step per entry.
func BenchmarkParseBody(b *testing.B) {
	body, err := msgpack.Marshal(map[string]any{
		"jsonrpc": "2.0", "method": "booking.create", "id": "01JD6W3Q8XKZ5V2N4M7P9R1T3Y",
		"params": map[string]any{"tenant_id": 7, "service": "Haarschnitt", "start": "2026-11-25T14:30:00+01:00", "tags": []string{"a", "b"}},
	})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseBody(body); err != nil {
			b.Fatal(err)
		}
	}
}
