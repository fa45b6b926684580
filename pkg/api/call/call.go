// Package call is the wire contract of the call service: method names, params and results, and
// the events it consumes and publishes. Other services and the gateway import this package and
// nothing else of the call service.
package call

import "time"

// Service is the call service's name on the bus.
const Service = "call"

// TopicRetellWebhook is the inbox: the gateway publishes every verified Retell lifecycle
// webhook here before answering 204, and the call service consumes it.
const TopicRetellWebhook = "retell.webhook"

// RetellWebhook is one verified lifecycle webhook as received. Body holds the exact bytes
// Retell sent, so nothing the caller said is lost even when our decoding falls behind Retell's
// schema.
type RetellWebhook struct {
	// Event is Retell's event name: call_started, call_ended, call_analyzed, …
	Event string `json:"event" msgpack:"event"`
	// CallID is Retell's call id.
	CallID string `json:"call_id" msgpack:"call_id"`
	// Key is the deduplication key the gateway used (event and call id, plus a digest of the
	// body for events that repeat within a call).
	Key string `json:"key" msgpack:"key"`
	// ReceivedAt is when the gateway accepted the request.
	ReceivedAt time.Time `json:"received_at" msgpack:"received_at"`
	// RequestID is the gateway's correlation id for the HTTP request.
	RequestID string `json:"request_id,omitempty" msgpack:"request_id,omitempty"`
	// Body is the raw JSON body.
	Body []byte `json:"body" msgpack:"body"`
}
