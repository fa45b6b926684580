package gateway

import (
	"context"
	"net/http"

	"github.com/askproai/backend/pkg/retell"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// handleWebhook accepts a Retell lifecycle webhook: verify over the raw bytes, store durably
// in the inbox, answer 204. Retell retries anything but a 2xx, so every failure to store
// answers 503 and nothing is acknowledged that is not stored.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	log := logging.FromContext(r.Context())
	body, ok := readBody(w, r, MaxWebhookBody)
	if !ok {
		s.metrics.webhooks.WithLabelValues("rejected").Inc()
		return
	}
	if err := s.opt.Verifier.Verify(body, r.Header.Get(retell.SignatureHeader)); err != nil {
		s.metrics.webhooks.WithLabelValues("rejected").Inc()
		log.Warn().Err(err).Msg("webhook_signature_rejected")
		writeError(w, http.StatusUnauthorized, codeInvalidSignature, "invalid signature")
		return
	}
	head, err := parseWebhookHead(body)
	if err != nil {
		s.metrics.webhooks.WithLabelValues("rejected").Inc()
		// The parser's words (which field, which offset) are for the operator; the body is
		// never logged (it carries transcripts and phone numbers).
		log.Warn().Err(err).Int("bytes", len(body)).Msg("webhook_malformed")
		writeError(w, http.StatusBadRequest, codeMalformedPayload, "not a Retell webhook: expected {event, call: {call_id}}")
		return
	}
	// The write must finish even if Retell hangs up: once started, the event either lands or
	// we answer 503.
	// The call service processes the event, and audits what it changes, as this call's.
	ctx := rpc.WithIdentity(context.WithoutCancel(r.Context()), s.retellIdentity(r, head.Call.CallID))
	ctx, cancel := context.WithTimeout(ctx, s.opt.InboxTimeout)
	defer cancel()
	dup, err := s.opt.Inbox.Append(ctx, callapi.RetellWebhook{
		Event: head.Event, CallID: head.Call.CallID, Key: dedupKey(head, body),
		ReceivedAt: s.opt.Now().UTC(), RequestID: RequestID(r.Context()), Body: body,
	})
	if err != nil {
		s.metrics.webhooks.WithLabelValues("unavailable").Inc()
		log.Error().Err(err).Str("event", head.Event).Msg("webhook_not_stored")
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, codeNotStored, "event not stored, retry")
		return
	}
	outcome := "stored"
	if dup {
		outcome = "duplicate"
	}
	s.metrics.webhooks.WithLabelValues(outcome).Inc()
	log.Debug().Str("event", head.Event).Str("call_id", head.Call.CallID).Str("outcome", outcome).Msg("webhook_accepted")
	w.WriteHeader(http.StatusNoContent)
}
