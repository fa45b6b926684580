package gateway

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// authenticate resolves the request's API key to its tenant, or answers it: 401 for a missing
// or unknown key, 429 with Retry-After once the client's failures have spent a budget (decided
// before any lookup), 503 when the lookup itself failed. Each body is a JSON-RPC error, like
// every other answer of /rpc.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	p, err := s.opt.Auth.Identify(r.Context(), r.Header.Get(APIKeyHeader), s.opt.TrustedProxies.ClientIP(r))
	var limited *LimitedError
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, ErrUnknownKey):
		s.metrics.authFailures.Inc()
		resp := errorResponse(nil, rpc.CodeUnauthorized, "missing or unknown API key")
		resp.Error.Data = map[string]any{"field": APIKeyHeader, "reason": "no active tenant has this key"}
		writeJSON(w, http.StatusUnauthorized, resp)
	case errors.As(err, &limited):
		s.metrics.authLimited.WithLabelValues(limited.By).Inc()
		secs := retryAfterSeconds(limited.RetryAfter)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		resp := errorResponse(nil, rpc.CodeRateLimited, "too many failed authentications")
		resp.Error.Data = map[string]any{"budget": "auth_" + limited.By, "retry_after_seconds": secs}
		writeJSON(w, http.StatusTooManyRequests, resp)
	default:
		logging.FromContext(r.Context()).Error().Err(err).Msg("api_key_lookup_failed")
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, errorResponse(nil, rpc.CodeUpstreamUnavailable, "authentication unavailable, retry"))
	}
	return Principal{}, false
}
