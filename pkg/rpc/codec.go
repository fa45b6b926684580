package rpc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Struct fields are named by their json tags on the wire, so the Go types in pkg/api describe
// the same shape in MessagePack, in JSON and in the OpenRPC documents.
const structTag = "json"

type encoder struct {
	buf bytes.Buffer
	enc *msgpack.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = msgpack.NewEncoder(&e.buf)
	e.enc.SetCustomStructTag(structTag)
	e.enc.UseCompactInts(true)
	return e
}}

func getEncoder() *encoder {
	e := encoders.Get().(*encoder)
	e.buf.Reset()
	return e
}

// finish returns a copy of the encoded bytes and puts e back in the pool.
func (e *encoder) finish() []byte {
	out := bytes.Clone(e.buf.Bytes())
	if e.buf.Cap() <= 64<<10 {
		encoders.Put(e)
	}
	return out
}

type decoder struct {
	r   bytes.Reader
	dec *msgpack.Decoder
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.dec = msgpack.NewDecoder(&d.r)
	d.dec.SetCustomStructTag(structTag)
	return d
}}

func getDecoder(b []byte) *decoder {
	d := decoders.Get().(*decoder)
	d.r.Reset(b)
	d.dec.Reset(&d.r)
	d.dec.SetCustomStructTag(structTag)
	return d
}

func (d *decoder) release() {
	d.r.Reset(nil)
	decoders.Put(d)
}

// Marshal encodes v the way pkg/rpc puts values on the wire: MessagePack, struct fields named
// by their json tags, integers in their most compact form.
func Marshal(v any) ([]byte, error) {
	e := getEncoder()
	if err := encodeValue(e.enc, v); err != nil {
		encoders.Put(e)
		return nil, fmt.Errorf("encode msgpack: %w", err)
	}
	return e.finish(), nil
}

// Unmarshal decodes MessagePack data into v, reading struct fields by their json tags.
func Unmarshal(data []byte, v any) error {
	if err := checkValue(data); err != nil {
		return fmt.Errorf("decode msgpack: %w", err)
	}
	d := getDecoder(data)
	defer d.release()
	if err := decodeValue(d.dec, v); err != nil {
		return fmt.Errorf("decode msgpack: %w", err)
	}
	return nil
}

// encodeValue is enc.Encode, except that a bare time.Time takes the registered codec too
// (Encode and Decode have a fast path for it that writes and reads only the extension).
func encodeValue(enc *msgpack.Encoder, v any) error {
	if t, ok := v.(time.Time); ok {
		return enc.EncodeValue(reflect.ValueOf(t))
	}
	return enc.Encode(v)
}

func decodeValue(dec *msgpack.Decoder, v any) error {
	if t, ok := v.(*time.Time); ok && t != nil {
		return dec.DecodeValue(reflect.ValueOf(t).Elem())
	}
	return dec.Decode(v)
}

// request is one JSON-RPC request object as the server sees it.
type request struct {
	method string
	params msgpack.RawMessage // nil when absent
	id     msgpack.RawMessage // raw bytes echoed in the response; nil when id is null or absent
	hasID  bool               // false: a notification
	err    *Error             // set when the object is not a valid request
}

var errMalformed = errors.New("malformed msgpack")

// parseBody decodes a request body: one request object or a batch (array) of them. A non-nil
// error means the bytes are not MessagePack at all (-32700).
func parseBody(body []byte) (reqs []request, batch bool, err error) {
	c := &cursor{b: body}
	code, err := c.peek()
	if err != nil {
		return nil, false, fmt.Errorf("peek body: %w", err)
	}
	if !isArray(code) {
		r, err := parseRequest(c)
		if err != nil {
			return nil, false, err
		}
		return []request{r}, false, trailing(c)
	}
	n, err := c.arrayLen()
	if err != nil {
		return nil, true, fmt.Errorf("decode batch: %w", err)
	}
	reqs = make([]request, 0, n)
	for range n {
		r, err := parseRequest(c)
		if err != nil {
			return nil, true, err
		}
		reqs = append(reqs, r)
	}
	return reqs, true, trailing(c)
}

func trailing(c *cursor) error {
	if c.left() > 0 {
		return fmt.Errorf("%w: %d trailing bytes", errMalformed, c.left())
	}
	return nil
}

// parseRequest reads one value; a value that is well-formed but not a request yields a request
// with err set (-32600), with the id kept when it could be read.
func parseRequest(c *cursor) (request, error) {
	code, err := c.peek()
	if err != nil {
		return request{}, fmt.Errorf("peek request: %w", err)
	}
	invalid := request{hasID: true, err: ErrInvalidRequest}
	if !isMap(code) {
		if err := c.skip(); err != nil {
			return request{}, fmt.Errorf("skip: %w", err)
		}
		return invalid, nil
	}
	n, err := c.mapLen()
	if err != nil {
		return request{}, fmt.Errorf("decode request: %w", err)
	}
	var r request
	v2, ok := false, true
	for range n {
		key, raw, err := pair(c)
		if err != nil {
			return request{}, err
		}
		ok = r.set(key, raw, &v2) && ok
	}
	if !ok || !v2 || r.method == "" {
		invalid.id = r.id
		return invalid, nil
	}
	return r, nil
}

// pair reads one map entry: the key's bytes when it is a string (nil otherwise) and the raw
// value. Callers switch on string(key), which Go compares without allocating.
func pair(c *cursor) ([]byte, msgpack.RawMessage, error) {
	kraw, err := c.raw()
	if err != nil {
		return nil, nil, fmt.Errorf("decode key: %w", err)
	}
	raw, err := c.raw()
	if err != nil {
		return nil, nil, fmt.Errorf("decode value: %w", err)
	}
	key, _ := rawBytes(kraw)
	return key, raw, nil
}

// set stores one member of a request object and reports whether it is well-typed.
func (r *request) set(key []byte, raw msgpack.RawMessage, v2 *bool) bool {
	switch string(key) {
	case "jsonrpc":
		s, ok := rawBytes(raw)
		*v2 = ok && string(s) == "2.0"
		return ok
	case "method":
		s, ok := rawString(raw)
		r.method = s
		return ok
	case "params":
		if raw[0] == msgpcode.Nil {
			return true
		}
		r.params = raw
		return isMap(raw[0]) || isArray(raw[0])
	case "id":
		r.hasID = true
		if raw[0] == msgpcode.Nil {
			return true
		}
		r.id = raw
		return msgpcode.IsString(raw[0]) || isNumber(raw[0])
	}
	return true
}

// rawString reads a MessagePack string without a decoder.
func rawString(raw []byte) (string, bool) {
	b, ok := rawBytes(raw)
	return string(b), ok
}

// rawBytes returns a MessagePack string's bytes, a sub-slice of raw.
func rawBytes(raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	c := raw[0]
	var n, h int
	switch {
	case msgpcode.IsFixedString(c):
		n, h = int(c&msgpcode.FixedStrMask), 1
	case c == msgpcode.Str8 && len(raw) >= 2:
		n, h = int(raw[1]), 2
	case c == msgpcode.Str16 && len(raw) >= 3:
		n, h = int(binary.BigEndian.Uint16(raw[1:])), 3
	case c == msgpcode.Str32 && len(raw) >= 5:
		n, h = int(binary.BigEndian.Uint32(raw[1:])), 5
	default:
		return nil, false
	}
	if len(raw)-h < n {
		return nil, false
	}
	return raw[h : h+n], true
}

func isMap(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

func isNumber(c byte) bool {
	return msgpcode.IsFixedNum(c) || (c >= msgpcode.Float && c <= msgpcode.Int64)
}

// idText renders a raw id for logs and keys: strings as they are, other values as msgpack hex.
func idText(raw msgpack.RawMessage) string {
	if len(raw) == 0 || raw[0] == msgpcode.Nil {
		return ""
	}
	if s, ok := rawString(raw); ok {
		return s
	}
	var v any
	if err := msgpack.Unmarshal(raw, &v); err != nil {
		return ""
	}
	return fmt.Sprint(v)
}

// writeID writes a raw id, or nil.
func writeID(enc *msgpack.Encoder, id msgpack.RawMessage) error {
	if id == nil {
		return enc.EncodeNil()
	}
	return enc.Encode(id)
}

// encodeResponse appends one response object to e: a result or an error.
func encodeResponse(e *encoder, id msgpack.RawMessage, result any, rerr *Error) error {
	enc := e.enc
	_ = enc.EncodeMapLen(3)
	_ = enc.EncodeString("jsonrpc")
	_ = enc.EncodeString("2.0")
	if rerr != nil {
		_ = enc.EncodeString("error")
		if err := encodeError(enc, rerr); err != nil {
			return err
		}
	} else {
		_ = enc.EncodeString("result")
		if err := encodeValue(enc, result); err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
	}
	_ = enc.EncodeString("id")
	return writeID(enc, id)
}

func encodeError(enc *msgpack.Encoder, rerr *Error) error {
	n := 2
	if rerr.Data != nil {
		n = 3
	}
	_ = enc.EncodeMapLen(n)
	_ = enc.EncodeString("code")
	_ = enc.EncodeInt(int64(rerr.Code))
	_ = enc.EncodeString("message")
	_ = enc.EncodeString(rerr.Message)
	if rerr.Data != nil {
		_ = enc.EncodeString("data")
		if err := encodeValue(enc, rerr.Data); err != nil {
			return fmt.Errorf("encode error data: %w", err)
		}
	}
	return nil
}

// encodeRequest writes a request (or, without id, a notification) object.
func encodeRequest(e *encoder, method string, params any, id string) error {
	enc := e.enc
	n := 2
	if params != nil {
		n++
	}
	if id != "" {
		n++
	}
	_ = enc.EncodeMapLen(n)
	_ = enc.EncodeString("jsonrpc")
	_ = enc.EncodeString("2.0")
	_ = enc.EncodeString("method")
	_ = enc.EncodeString(method)
	if params != nil {
		_ = enc.EncodeString("params")
		if err := encodeValue(enc, params); err != nil {
			return fmt.Errorf("encode params: %w", err)
		}
	}
	if id != "" {
		_ = enc.EncodeString("id")
		_ = enc.EncodeString(id)
	}
	return nil
}

// response is a decoded response object as the client sees it.
type response struct {
	id     string
	result msgpack.RawMessage
	err    *Error
}

// parseResponses decodes a reply body: one response object or an array of them.
func parseResponses(body []byte) ([]response, error) {
	c := &cursor{b: body}
	code, err := c.peek()
	if err != nil {
		return nil, fmt.Errorf("peek reply: %w", err)
	}
	n := 1
	if isArray(code) {
		if n, err = c.arrayLen(); err != nil {
			return nil, fmt.Errorf("decode reply batch: %w", err)
		}
	}
	out := make([]response, 0, n)
	for range n {
		r, err := parseResponse(c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseResponse(c *cursor) (response, error) {
	n, err := c.mapLen()
	if err != nil {
		return response{}, fmt.Errorf("decode response: %w", err)
	}
	var r response
	for range n {
		key, raw, err := pair(c)
		if err != nil {
			return response{}, err
		}
		switch string(key) {
		case "id":
			r.id = idText(raw)
		case "result":
			r.result = raw
		case "error":
			r.err = decodeWireError(raw)
		}
	}
	return r, nil
}

func decodeWireError(raw []byte) *Error {
	var w struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    any    `json:"data"`
	}
	if err := Unmarshal(raw, &w); err != nil {
		return Errorf(CodeInternal, "undecodable error object")
	}
	return &Error{Code: w.Code, Message: w.Message, Data: w.Data}
}

// decodeResult decodes a result into out (nil out discards it).
func decodeResult(raw []byte, out any) error {
	if out == nil || raw == nil {
		return nil
	}
	if err := Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	return nil
}
