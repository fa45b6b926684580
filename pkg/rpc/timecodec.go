package rpc

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Times travel as RFC 3339 strings (time.RFC3339Nano, in the value's own offset), the form the
// OpenRPC documents and /rpc use, so a client in any language reads and writes them without a
// MessagePack extension. Readers accept that string and also the MessagePack timestamp
// extension (type -1), which Go senders wrote before and other MessagePack libraries write by
// default. msgpack keeps codecs per type in one process-wide table, so the registration in init
// holds for every time.Time and *time.Time, in nested structs, slices and maps, wherever
// msgpack v5 encodes or decodes in this process.
func init() {
	msgpack.Register(time.Time{}, encodeTime, decodeTime)
}

// timeReason is the reason a time field is refused; clients see it in the error's data.
const timeReason = "not an RFC 3339 time"

var (
	timeType   = reflect.TypeFor[time.Time]()
	errBadTime = errors.New(timeReason)
)

func encodeTime(e *msgpack.Encoder, v reflect.Value) error {
	return e.EncodeString(v.Interface().(time.Time).Format(time.RFC3339Nano))
}

func decodeTime(d *msgpack.Decoder, v reflect.Value) error {
	c, err := d.PeekCode()
	if err != nil {
		return err
	}
	var tm time.Time
	switch {
	case c == msgpcode.Nil:
		if err := d.DecodeNil(); err != nil {
			return err
		}
	case msgpcode.IsString(c):
		s, err := d.DecodeString()
		if err != nil {
			return err
		}
		if tm, err = parseTime(s); err != nil {
			return err
		}
	default:
		if tm, err = d.DecodeTime(); err != nil {
			return errBadTime
		}
	}
	v.Set(reflect.ValueOf(tm))
	return nil
}

// parseTime reads an RFC 3339 time, with or without fractional seconds.
func parseTime(s string) (time.Time, error) {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errBadTime
	}
	return tm, nil
}

// paramsError is the -32602 a params or event payload decode failure answers. A refused time
// names its field, so the client learns which one to fix.
func paramsError(what string, t reflect.Type, raw []byte, err error) *Error {
	if errors.Is(err, errBadTime) {
		var v any
		if msgpack.Unmarshal(raw, &v) == nil {
			if field, ok := badTimeField(t, v, ""); ok {
				return NewError(CodeInvalidParams, "invalid "+what+": "+field+" is "+timeReason,
					map[string]any{"field": field, "reason": timeReason})
			}
		}
		return NewError(CodeInvalidParams, "invalid "+what+": a time is "+timeReason, map[string]any{"reason": timeReason})
	}
	return Errorf(CodeInvalidParams, "invalid %s: %v", what, err)
}

// badTimeField walks a generically decoded value beside the type it was meant for and returns
// the path ("slots[2].start") of the first time that does not decode.
func badTimeField(t reflect.Type, v any, path string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		switch tv := v.(type) {
		case nil, time.Time:
			return "", false
		case string:
			_, err := parseTime(tv)
			return path, err != nil
		}
		return path, true
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		return badStructField(t, m, path)
	case reflect.Slice, reflect.Array:
		a, ok := v.([]any)
		if !ok {
			return "", false
		}
		for i, e := range a {
			if f, ok := badTimeField(t.Elem(), e, path+"["+strconv.Itoa(i)+"]"); ok {
				return f, true
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		for k, e := range m {
			if f, ok := badTimeField(t.Elem(), e, join(path, k)); ok {
				return f, true
			}
		}
	}
	return "", false
}

func badStructField(t reflect.Type, m map[string]any, path string) (string, bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get(structTag), ",")
		if name == "-" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		if sf.Anonymous && name == "" { // embedded: its fields are inlined
			if f, ok := badTimeField(sf.Type, m, path); ok {
				return f, true
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if e, ok := m[name]; ok {
			if f, ok := badTimeField(sf.Type, e, join(path, name)); ok {
				return f, true
			}
		}
	}
	return "", false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
