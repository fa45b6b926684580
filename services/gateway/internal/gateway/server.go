// Package gateway is the HTTP edge of AskProAI: Retell's webhooks and live function calls, and
// JSON-RPC over HTTP for other teams. It verifies, authenticates and rate-limits, then hands
// the work to the services over the bus; it owns no data of its own.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	dbapi "github.com/askproai/backend/pkg/api/database"
	routingapi "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"

	"github.com/askproai/backend/pkg/health"
	"github.com/askproai/backend/pkg/logging"
)

// RequestIDHeader correlates a request across the gateway, the bus and the logs.
const RequestIDHeader = "X-Request-ID"

// Body limits. A 30-minute call's call_ended carries word timings and can reach megabytes.
const (
	MaxWebhookBody  = 10 << 20
	MaxFunctionBody = 2 << 20
	MaxRPCBody      = 1 << 20
)

// Options configures a Server.
type Options struct {
	Verifier *retell.Verifier
	Inbox    *Inbox
	Limiter  *RateLimiter
	Auth     *Authenticator
	Bus      Bus
	// RPC and Redis serve the Retell endpoints (inbound and functions); without them only
	// the webhook and /rpc are routed.
	RPC       *rpc.Client
	Redis     *redis.Client
	Namespace string
	// FunctionTimeout is the deadline of one function call, end to end.
	FunctionTimeout time.Duration
	// FunctionResultTTL keeps function answers for duplicate deliveries.
	FunctionResultTTL time.Duration
	// InboundTimeout bounds the inbound webhook before it fails open.
	InboundTimeout time.Duration
	// UnknownNumberPolicy is UnknownAllow or UnknownReject.
	UnknownNumberPolicy string
	// DefaultLocation is the time zone of fail-open answers.
	DefaultLocation *time.Location
	Logger          zerolog.Logger
	Health          *health.Checker
	Metrics         http.Handler
	Registry        prometheus.Registerer
	// InboxTimeout bounds the durable write of a webhook; past it Retell gets 503 and retries.
	InboxTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For names the client (TRUSTED_PROXIES);
	// empty: the connection's peer is the client.
	TrustedProxies TrustedProxies
	// Now is the business clock: the reference of a function call without start_timestamp,
	// the agent's current_time, a webhook's receipt time (default time.Now). Signature
	// freshness stays on the Verifier's own clock, which is real time.
	Now func() time.Time
}

// Server is the gateway's HTTP handler.
type Server struct {
	opt     Options
	mux     *http.ServeMux
	metrics *httpMetrics
	exposed map[string]exposed

	rdb        *redis.Client
	routing    *routingapi.Client
	booking    *bookingapi.Client
	db         *dbapi.Client
	fnHandlers map[string]fnHandler
}

// NewServer builds the routes.
func NewServer(opt Options) *Server {
	opt = withDefaults(opt)
	s := &Server{opt: opt, mux: http.NewServeMux(), metrics: newHTTPMetrics(opt.Registry), exposed: ExposedMethods()}
	s.route("POST /retell/webhook", "webhook", s.handleWebhook)
	if opt.Auth != nil && opt.Bus != nil && opt.Limiter != nil {
		s.route("POST /rpc", "rpc", s.handleRPC)
	}
	if opt.RPC != nil && opt.Redis != nil {
		s.rdb = opt.Redis
		s.routing, s.booking, s.db = routingapi.NewClient(opt.RPC), bookingapi.NewClient(opt.RPC), dbapi.NewClient(opt.RPC)
		s.fnHandlers = s.functionHandlers()
		s.route("POST /retell/inbound", "inbound", s.handleInbound)
		s.route("POST /retell/functions/{name}", "function", s.handleFunction)
	}
	if opt.Health != nil {
		health.Register(s.mux, opt.Health, opt.Metrics)
	}
	return s
}

func withDefaults(opt Options) Options {
	if opt.InboxTimeout <= 0 {
		opt.InboxTimeout = 3 * time.Second
	}
	if opt.FunctionTimeout <= 0 {
		opt.FunctionTimeout = 8 * time.Second
	}
	if opt.FunctionResultTTL <= 0 {
		opt.FunctionResultTTL = time.Hour
	}
	if opt.InboundTimeout <= 0 {
		opt.InboundTimeout = 1500 * time.Millisecond
	}
	if opt.UnknownNumberPolicy == "" {
		opt.UnknownNumberPolicy = UnknownAllow
	}
	if opt.DefaultLocation == nil {
		opt.DefaultLocation = loadLocation("Europe/Berlin")
	}
	if opt.Namespace == "" {
		opt.Namespace = "askpro"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return opt
}

// Handle adds a route with the common middleware; later capabilities register through it.
func (s *Server) route(pattern, name string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.instrument(name, h))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:\-]{1,128}$`)

// instrument adds the request id, the request logger, panic recovery, metrics and the access
// log around h.
func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !requestIDPattern.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		logger := s.opt.Logger.With().Str(logging.FieldRequestID, id).Str("route", route).Logger()
		r = r.WithContext(logging.WithContext(context.WithValue(r.Context(), requestIDKey{}, id), logger))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			if v := recover(); v != nil {
				logger.Error().Interface("panic", v).Msg("handler_panicked")
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, codeInternal, "internal error")
				}
			}
			took := time.Since(start)
			s.metrics.observe(route, rec.status, took)
			logger.Info().Str("method", r.Method).Str("path", r.URL.Path).Int("status", rec.status).
				Int64("bytes_in", r.ContentLength).Dur(logging.FieldTook, took).Msg("http_request")
		}()
		h(rec, r)
	})
}

type requestIDKey struct{}

// RequestID returns the request's correlation id.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// readBody reads at most limit bytes; a larger body answers 413 and reports false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := readAllLimited(w, r, limit)
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, codeBodyTooLarge, "body larger than "+strconv.FormatInt(limit, 10)+" bytes")
		return nil, false
	}
	writeError(w, http.StatusBadRequest, codeUnreadableBody, "could not read body")
	return nil, false
}

// The stable codes of the gateway's HTTP errors (outside JSON-RPC): clients branch on "code";
// "error" is a plain sentence for a person. Neither carries parser or internal details: those
// go to the log.
const (
	codeInvalidSignature = "invalid_signature"
	codeMalformedPayload = "malformed_payload"
	codeBodyTooLarge     = "body_too_large"
	codeUnreadableBody   = "unreadable_body"
	codeUnknownFunction  = "unknown_function"
	codeNotStored        = "not_stored"
	codeInternal         = "internal"
)

// writeError answers {"error": msg, "code": code}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}
