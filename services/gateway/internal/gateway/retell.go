package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Retell lifecycle events that happen at most once per call; every other event (transcript
// updates, transfers) can repeat within a call and is deduplicated by its body.
var oncePerCall = map[string]bool{"call_started": true, "call_ended": true, "call_analyzed": true}

// ErrMalformedPayload means the body is not a Retell payload we can act on.
var ErrMalformedPayload = errors.New("malformed payload")

// webhookHead is the part of a lifecycle webhook the gateway needs; the call service decodes
// the rest from the raw body.
type webhookHead struct {
	Event string `json:"event"`
	Call  struct {
		CallID string `json:"call_id"`
	} `json:"call"`
}

func parseWebhookHead(body []byte) (webhookHead, error) {
	var h webhookHead
	if err := json.Unmarshal(body, &h); err != nil {
		return h, fmt.Errorf("%w: %s", ErrMalformedPayload, jsonProblem(err))
	}
	if h.Event == "" {
		return h, fmt.Errorf("%w: event is missing", ErrMalformedPayload)
	}
	if h.Call.CallID == "" {
		return h, fmt.Errorf("%w: call.call_id is missing", ErrMalformedPayload)
	}
	if len(h.Event) > 64 || len(h.Call.CallID) > 128 {
		return h, fmt.Errorf("%w: event or call_id too long", ErrMalformedPayload)
	}
	return h, nil
}

// dedupKey is what makes two deliveries the same event.
func dedupKey(h webhookHead, body []byte) string {
	if oncePerCall[h.Event] {
		return h.Event + ":" + h.Call.CallID
	}
	sum := sha256.Sum256(body)
	return h.Event + ":" + h.Call.CallID + ":" + hex.EncodeToString(sum[:8])
}

// jsonProblem describes a decoding error without echoing the payload (it may carry PII).
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "invalid JSON at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	}
	return "invalid JSON"
}
