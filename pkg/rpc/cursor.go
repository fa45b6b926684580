package rpc

import (
	"encoding/binary"
	"fmt"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// maxDepth bounds how deeply values may nest. JSON-RPC bodies need a handful of levels; a body
// of a million nested one-element arrays is refused at level 100, before a decoder recurses
// over it.
const maxDepth = 100

// cursor walks a MessagePack body in place, without a decoder and without allocating. Every
// length a header claims is checked against the bytes that remain, so a 5-byte string header
// that claims 4 GiB is refused at once instead of growing a buffer (as msgpack's Skip does).
type cursor struct {
	b   []byte
	pos int
}

func (c *cursor) left() int { return len(c.b) - c.pos }

func (c *cursor) truncated(what string, n uint64) error {
	return fmt.Errorf("%w: %s of %d at byte %d of %d", errMalformed, what, n, c.pos, len(c.b))
}

// peek returns the next value's type code without consuming it.
func (c *cursor) peek() (byte, error) {
	if c.left() == 0 {
		return 0, fmt.Errorf("%w: unexpected end at byte %d", errMalformed, c.pos)
	}
	return c.b[c.pos], nil
}

// uint reads a big-endian unsigned integer of size bytes (1, 2, 4 or 8).
func (c *cursor) uint(size int) (uint64, error) {
	if c.left() < size {
		return 0, c.truncated("header", uint64(size))
	}
	p := c.b[c.pos : c.pos+size]
	c.pos += size
	switch size {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	default:
		return binary.BigEndian.Uint64(p), nil
	}
}

// advance skips n payload bytes.
func (c *cursor) advance(n uint64, what string) error {
	if n > uint64(c.left()) {
		return c.truncated(what, n)
	}
	c.pos += int(n)
	return nil
}

// header consumes one value's header and any scalar payload, and returns how many values the
// value contains (array members, or keys and values of a map). Each contained value takes at
// least one byte, so a count larger than the bytes left is refused here.
func (c *cursor) header() (int, error) {
	code, err := c.peek()
	if err != nil {
		return 0, err
	}
	c.pos++
	var n uint64
	switch {
	case msgpcode.IsFixedNum(code), code == msgpcode.Nil, code == msgpcode.False, code == msgpcode.True:
		return 0, nil
	case msgpcode.IsFixedMap(code):
		return c.children(uint64(code&msgpcode.FixedMapMask), 2, "map")
	case msgpcode.IsFixedArray(code):
		return c.children(uint64(code&msgpcode.FixedArrayMask), 1, "array")
	case msgpcode.IsFixedString(code):
		return 0, c.advance(uint64(code&msgpcode.FixedStrMask), "string")
	}
	switch code {
	case msgpcode.Uint8, msgpcode.Int8:
		return 0, c.advance(1, "number")
	case msgpcode.Uint16, msgpcode.Int16:
		return 0, c.advance(2, "number")
	case msgpcode.Uint32, msgpcode.Int32, msgpcode.Float:
		return 0, c.advance(4, "number")
	case msgpcode.Uint64, msgpcode.Int64, msgpcode.Double:
		return 0, c.advance(8, "number")
	case msgpcode.Str8, msgpcode.Bin8, msgpcode.Str16, msgpcode.Bin16, msgpcode.Str32, msgpcode.Bin32:
		if n, err = c.uint(lengthSize(code)); err != nil {
			return 0, err
		}
		return 0, c.advance(n, "string")
	case msgpcode.FixExt1, msgpcode.FixExt2, msgpcode.FixExt4, msgpcode.FixExt8, msgpcode.FixExt16:
		return 0, c.advance(1+uint64(1)<<(code-msgpcode.FixExt1), "extension")
	case msgpcode.Ext8, msgpcode.Ext16, msgpcode.Ext32:
		if n, err = c.uint(lengthSize(code)); err != nil {
			return 0, err
		}
		return 0, c.advance(1+n, "extension")
	case msgpcode.Array16, msgpcode.Array32:
		if n, err = c.uint(lengthSize(code)); err != nil {
			return 0, err
		}
		return c.children(n, 1, "array")
	case msgpcode.Map16, msgpcode.Map32:
		if n, err = c.uint(lengthSize(code)); err != nil {
			return 0, err
		}
		return c.children(n, 2, "map")
	}
	return 0, fmt.Errorf("%w: invalid code %#x at byte %d", errMalformed, code, c.pos-1)
}

func (c *cursor) children(n, per uint64, what string) (int, error) {
	if n > uint64(c.left())/per {
		return 0, c.truncated(what, n)
	}
	return int(n * per), nil
}

// lengthSize is the width of the length field after a str, bin, ext, array or map code.
func lengthSize(code byte) int {
	switch code {
	case msgpcode.Str8, msgpcode.Bin8, msgpcode.Ext8:
		return 1
	case msgpcode.Str16, msgpcode.Bin16, msgpcode.Ext16, msgpcode.Array16, msgpcode.Map16:
		return 2
	default:
		return 4
	}
}

// skip consumes one whole value, refusing nesting deeper than maxDepth. Scalars, the common
// case, cost one header read; a container recurses once per level.
func (c *cursor) skip() error {
	return c.skipAt(0)
}

func (c *cursor) skipAt(depth int) error {
	n, err := c.header()
	if err != nil || n == 0 {
		return err
	}
	if depth == maxDepth {
		return fmt.Errorf("%w: nested deeper than %d at byte %d", errMalformed, maxDepth, c.pos)
	}
	for range n {
		if err := c.skipAt(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// raw consumes one value and returns its bytes, a sub-slice of the body (no copy).
func (c *cursor) raw() ([]byte, error) {
	start := c.pos
	if err := c.skip(); err != nil {
		return nil, err
	}
	return c.b[start:c.pos:c.pos], nil
}

// mapLen consumes a map header and returns its number of pairs.
func (c *cursor) mapLen() (int, error) {
	n, err := c.container(isMap, "a map")
	return n / 2, err
}

// arrayLen consumes an array header and returns its number of members.
func (c *cursor) arrayLen() (int, error) {
	return c.container(isArray, "an array")
}

// container consumes the header of a container of the kind is accepts and returns how many
// values it holds.
func (c *cursor) container(is func(byte) bool, want string) (int, error) {
	code, err := c.peek()
	if err != nil {
		return 0, err
	}
	if !is(code) {
		return 0, fmt.Errorf("%w: want %s, got code %#x at byte %d", errMalformed, want, code, c.pos)
	}
	return c.header()
}

// checkValue walks the value at the start of b, so that a decoder given b afterwards never
// meets a length larger than the bytes behind it.
func checkValue(b []byte) error {
	c := cursor{b: b}
	return c.skip()
}
