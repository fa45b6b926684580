package call

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook is one decoded Retell lifecycle webhook. Raw keeps the exact body: our decoding
// trails Retell's schema, which grows every few days, and nothing the caller said may be lost.
type Webhook struct {
	Event string
	Call  RetellCall
	Raw   []byte
}

// RetellCall is Retell's call object, decoded leniently: every field but CallID is optional,
// unknown fields are ignored, a field of an unexpected type is dropped rather than failing the
// whole webhook, and numbers may arrive as strings and strings as numbers.
type RetellCall struct {
	CallID              string
	CallType            string // phone_call or web_call; web calls have no numbers
	AgentID             string
	AgentVersion        string // a number in the SDK, a string in some integrations
	CallStatus          string
	Direction           string
	FromNumber          string
	ToNumber            string
	StartedAt           time.Time // start_timestamp, epoch ms
	EndedAt             time.Time // end_timestamp, epoch ms
	DurationMS          int64
	DisconnectionReason string
	Transcript          string
	RecordingURL        string
	DynamicVariables    map[string]string // retell_llm_dynamic_variables
	CollectedVariables  map[string]string // collected_dynamic_variables
	Metadata            map[string]any    // free-form metadata set at call creation
	Analysis            *RetellAnalysis
}

// RetellAnalysis is call_analysis, present on call_analyzed only.
type RetellAnalysis struct {
	Summary       string
	UserSentiment string // Positive, Negative, Neutral, Unknown
	Successful    *bool
	InVoicemail   *bool
	Custom        map[string]any
}

type envelope struct {
	Event string          `json:"event"`
	Call  json.RawMessage `json:"call"`
	Data  json.RawMessage `json:"data"` // deprecated twin of call
}

// ParseWebhook decodes a lifecycle webhook body. Only the event name and call_id are required.
func ParseWebhook(body []byte) (Webhook, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Webhook{}, fmt.Errorf("%w: %w", ErrInvalidPayload, err)
	}
	obj := env.Call
	if isNull(obj) {
		obj = env.Data
	}
	if isNull(obj) {
		return Webhook{}, fmt.Errorf("%w: no call object", ErrInvalidPayload)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(obj, &fields); err != nil {
		return Webhook{}, fmt.Errorf("%w: call object: %w", ErrInvalidPayload, err)
	}
	c := decodeCall(fields)
	if c.CallID == "" || env.Event == "" {
		return Webhook{}, fmt.Errorf("%w: event and call_id are required", ErrInvalidPayload)
	}
	return Webhook{Event: env.Event, Call: c, Raw: bytes.Clone(body)}, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func decodeCall(f map[string]json.RawMessage) RetellCall {
	c := RetellCall{
		CallID:              strings.TrimSpace(str(f["call_id"])),
		CallType:            str(f["call_type"]),
		AgentID:             str(f["agent_id"]),
		AgentVersion:        str(f["agent_version"]),
		CallStatus:          str(f["call_status"]),
		Direction:           str(f["direction"]),
		FromNumber:          strings.TrimSpace(str(f["from_number"])),
		ToNumber:            strings.TrimSpace(str(f["to_number"])),
		StartedAt:           msTime(num(f["start_timestamp"])),
		EndedAt:             msTime(num(f["end_timestamp"])),
		DurationMS:          num(f["duration_ms"]),
		DisconnectionReason: str(f["disconnection_reason"]),
		Transcript:          str(f["transcript"]),
		RecordingURL:        str(f["recording_url"]),
		DynamicVariables:    strMap(f["retell_llm_dynamic_variables"]),
		CollectedVariables:  strMap(f["collected_dynamic_variables"]),
		Metadata:            anyMap(f["metadata"]),
	}
	if !isNull(f["call_analysis"]) {
		c.Analysis = decodeAnalysis(f["call_analysis"])
	}
	return c
}

func decodeAnalysis(raw json.RawMessage) *RetellAnalysis {
	var f map[string]json.RawMessage
	if json.Unmarshal(raw, &f) != nil {
		return nil
	}
	return &RetellAnalysis{
		Summary:       str(f["call_summary"]),
		UserSentiment: str(f["user_sentiment"]),
		Successful:    boolPtr(f["call_successful"]),
		InVoicemail:   boolPtr(f["in_voicemail"]),
		Custom:        anyMap(f["custom_analysis_data"]),
	}
}

// msTime turns Retell's epoch milliseconds into a UTC time; zero or less stays zero.
func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// str reads a string, a number (as its decimal text) or a bool; anything else is "".
func str(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

// num reads an integer from 12, 12.7 or "12"; anything else is 0.
func num(raw json.RawMessage) int64 {
	s := str(raw)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(x)
	}
	return 0
}

func boolPtr(raw json.RawMessage) *bool {
	var b bool
	if isNull(raw) || json.Unmarshal(raw, &b) != nil {
		return nil
	}
	return &b
}

func anyMap(raw json.RawMessage) map[string]any {
	var m map[string]any
	if isNull(raw) || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// strMap reads an object of variables; values that are not strings keep their JSON text.
func strMap(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s := str(v); s != "" {
			out[k] = s
		} else if !isNull(v) {
			out[k] = string(bytes.TrimSpace(v))
		}
	}
	return out
}
