package rpc

import (
	"strconv"
	"time"
)

// Stream entry fields. The JSON-RPC object stays pure in "body"; everything the transport needs
// travels beside it. proto-schemas/README.md describes the same fields for other languages.
const (
	fieldVersion     = "v"       // envelope version, "1"
	fieldBody        = "body"    // MessagePack JSON-RPC request, notification, batch or response
	fieldReply       = "reply"   // reply stream key; absent when no response is wanted
	fieldCID         = "cid"     // correlation id, copied into the reply entry
	fieldDeadline    = "dl"      // absolute deadline, unix milliseconds of the Redis clock; absent = none
	fieldTraceparent = "tp"      // W3C traceparent
	fieldTracestate  = "ts"      // W3C tracestate
	fieldTenant      = "tenant"  // acting tenant
	fieldAttempt     = "attempt" // absent (0) for the first send, +1 for every client retry
	fieldActor       = "actor"   // Identity.Actor; absent = none (older senders)
	fieldIP          = "ip"      // Identity.IP
	fieldUserAgent   = "ua"      // Identity.UserAgent

	// Added to an entry when it is moved to a dead-letter stream.
	fieldReason     = "dlq_reason"
	fieldSource     = "dlq_source"     // stream the entry came from
	fieldSourceID   = "dlq_source_id"  // its entry id there
	fieldDeliveries = "dlq_deliveries" // delivery count when it was moved
	fieldGroup      = "dlq_group"      // consumer group that gave up on it
	fieldMovedAt    = "dlq_at"         // unix milliseconds
)

// envelopeVersion is the only version this package writes; readers accept it and reject others.
const envelopeVersion = "1"

// envelope is a request or event entry decoded from its stream fields.
type envelope struct {
	body        []byte
	replyTo     string
	cid         string
	deadline    time.Time // zero: none
	traceparent string
	tracestate  string
	tenant      string
	identity    Identity
	attempt     int
}

// errEnvelope explains why an entry cannot be decoded; it is the dead-letter reason.
type errEnvelope string

func (e errEnvelope) Error() string { return string(e) }

func decodeEnvelope(values map[string]any) (envelope, error) {
	str := func(k string) string { s, _ := values[k].(string); return s }
	switch v, ok := values[fieldVersion].(string); {
	case !ok:
		return envelope{}, errEnvelope(`unsupported envelope version: field "v" is missing, this server speaks "` + envelopeVersion + `"`)
	case v != envelopeVersion:
		return envelope{}, errEnvelope("unsupported envelope version " + strconv.Quote(v) + `: this server speaks "` + envelopeVersion + `"`)
	}
	body := str(fieldBody)
	if body == "" {
		return envelope{}, errEnvelope("missing body")
	}
	env := envelope{
		body:        []byte(body),
		replyTo:     str(fieldReply),
		cid:         str(fieldCID),
		traceparent: str(fieldTraceparent),
		tracestate:  str(fieldTracestate),
		tenant:      str(fieldTenant),
		identity:    Identity{Actor: str(fieldActor), IP: str(fieldIP), UserAgent: str(fieldUserAgent)},
	}
	if dl := str(fieldDeadline); dl != "" {
		ms, err := strconv.ParseInt(dl, 10, 64)
		if err != nil {
			return envelope{}, errEnvelope("bad deadline " + strconv.Quote(dl))
		}
		env.deadline = time.UnixMilli(ms)
	}
	if a := str(fieldAttempt); a != "" {
		env.attempt, _ = strconv.Atoi(a)
	}
	return env, nil
}

// values renders the envelope as XADD field/value pairs.
func (e *envelope) values() []any { return e.appendFields(make([]any, 0, 24)) }

// xadd is the whole XADD command of a request entry on stream: built once, handed to the
// pipeline as it is (go-redis's XAddArgs would copy every field into a second slice).
func (e *envelope) xadd(stream string) []any {
	return e.appendFields(append(make([]any, 0, 27), "xadd", stream, "*"))
}

func (e *envelope) appendFields(v []any) []any {
	v = append(v, fieldVersion, envelopeVersion, fieldBody, e.body)
	add := func(k, val string) {
		if val != "" {
			v = append(v, k, val)
		}
	}
	add(fieldReply, e.replyTo)
	add(fieldCID, e.cid)
	if !e.deadline.IsZero() {
		v = append(v, fieldDeadline, strconv.FormatInt(e.deadline.UnixMilli(), 10))
	}
	add(fieldTraceparent, e.traceparent)
	add(fieldTracestate, e.tracestate)
	add(fieldTenant, e.tenant)
	add(fieldActor, e.identity.Actor)
	add(fieldIP, e.identity.IP)
	add(fieldUserAgent, e.identity.UserAgent)
	if e.attempt > 0 {
		v = append(v, fieldAttempt, strconv.Itoa(e.attempt))
	}
	return v
}

// entryTime returns the time Redis assigned to a stream entry id ("<ms>-<seq>").
func entryTime(id string) time.Time {
	for i := 0; i < len(id); i++ {
		if id[i] == '-' {
			ms, err := strconv.ParseInt(id[:i], 10, 64)
			if err != nil {
				return time.Time{}
			}
			return time.UnixMilli(ms)
		}
	}
	return time.Time{}
}
