package rpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/askproai/backend/pkg/logging"
)

// outcome is what handling one entry produced; the writer applies it in one pipeline: stored
// results first, then the dead letter, the reply and the acknowledgement.
type outcome struct {
	src      *source
	id       string
	ack      bool
	replyKey string
	cid      string
	reply    []byte
	stores   []storeOp
	dead     []any
	reason   string
	start    time.Time
	holdTill time.Time // a failed entry's lease is renewed until then (see retryLater)
}

type storeOp struct {
	key string
	val []byte
	ttl time.Duration
	del bool
}

// process handles one entry; it always ends by handing an outcome to the writer, which frees
// the entry's worker slot once the outcome is written.
func (s *Server) process(src *source, msg redis.XMessage, deliveries int64) {
	o := &outcome{src: src, id: msg.ID, ack: true, start: time.Now()}
	s.inFlight.Inc()
	defer func() { s.submit(*o) }()
	if len(msg.Values) == 0 {
		return // the entry was trimmed while pending: nothing to do but acknowledge
	}
	env, err := decodeEnvelope(msg.Values)
	if err != nil {
		s.deadLetter(o, msg, err.Error(), deliveries)
		s.rejectEnvelope(o, msg.Values, err)
		return
	}
	if deliveries > int64(s.cfg.MaxDeliveries) {
		s.deadLetter(o, msg, "delivered "+strconv.FormatInt(deliveries, 10)+" times", deliveries)
		return
	}
	if !env.deadline.IsZero() {
		env.deadline = s.clock.toLocal(env.deadline) // the wire carries Redis time
	}
	if !env.deadline.IsZero() && !o.start.Before(env.deadline) {
		src.expired.Inc()
		return
	}
	src.queueWait.Observe(seconds(s.clock.toRedis(o.start).Sub(entryTime(msg.ID))))
	if src.event != nil {
		s.handleEvent(src, msg, &env, o, deliveries)
		return
	}
	s.handleRequest(msg, &env, o, deliveries)
}

func (s *Server) deadLetter(o *outcome, msg redis.XMessage, reason string, deliveries int64) {
	fields := make([]any, 0, 2*len(msg.Values)+12)
	for k, v := range msg.Values {
		fields = append(fields, k, v)
	}
	fields = append(fields,
		fieldReason, reason,
		fieldSource, o.src.key,
		fieldSourceID, msg.ID,
		fieldDeliveries, strconv.FormatInt(deliveries, 10),
		fieldGroup, o.src.group,
		fieldMovedAt, strconv.FormatInt(time.Now().UnixMilli(), 10))
	o.dead = fields
	o.reason = reason
	s.log.Warn().Str("stream", o.src.key).Str("entry_id", msg.ID).Str("reason", reason).
		Int64("deliveries", deliveries).Msg("rpc_dead_letter")
}

// rejectEnvelope answers an entry whose envelope cannot be read (an unknown or missing "v",
// no body, a bad deadline) with -32600 when it names a reply stream, so its sender does not wait
// for its deadline. The entry is still dead-lettered: the reply tells the client, the dead
// letter tells the operator. The id is the request's when the body is one readable request.
func (s *Server) rejectEnvelope(o *outcome, values map[string]any, err error) {
	if o.src.event != nil {
		return // events have no reply stream
	}
	str := func(k string) string { v, _ := values[k].(string); return v }
	env := envelope{replyTo: str(fieldReply), cid: str(fieldCID)}
	if env.replyTo == "" {
		return
	}
	var id msgpack.RawMessage
	if reqs, batch, perr := parseBody([]byte(str(fieldBody))); perr == nil && !batch && len(reqs) == 1 {
		id = reqs[0].id
	}
	s.count("", CodeInvalidRequest)
	s.setReply(o, &env, s.errorResponse(id, NewError(CodeInvalidRequest, "invalid request: "+err.Error(), nil)))
}

func (s *Server) handleRequest(msg redis.XMessage, env *envelope, o *outcome, deliveries int64) {
	reqs, batch, err := parseBody(env.body)
	if err != nil {
		s.deadLetter(o, msg, "parse error: "+err.Error(), deliveries)
		s.setReply(o, env, s.errorResponse(nil, ErrParse))
		return
	}
	if batch && len(reqs) == 0 {
		s.setReply(o, env, s.errorResponse(nil, Errorf(CodeInvalidRequest, "empty batch")))
		return
	}
	ctx, cancel := s.requestContext(env, msg.ID)
	defer cancel()
	parts := make([][]byte, 0, len(reqs))
	for i := range reqs {
		resp, st, retry := s.handleOne(ctx, env, &reqs[i], o)
		if resp != nil {
			parts = append(parts, resp)
		}
		if st != nil {
			o.stores = append(o.stores, *st)
		}
		if retry && !batch {
			// A notification has no caller to send it again: left pending, it is delivered
			// again after its retry pause, and dead-lettered after MaxDeliveries, like an event.
			s.retryLater(o, deliveries)
			s.log.Warn().Str(logging.FieldMethod, reqs[i].method).Str("entry_id", msg.ID).
				Int64("deliveries", deliveries).Msg("rpc_notification_failed")
		}
	}
	if len(parts) == 0 {
		return
	}
	if !batch {
		s.setReply(o, env, parts[0])
		return
	}
	e := getEncoder()
	_ = e.enc.EncodeArrayLen(len(parts))
	for _, p := range parts {
		e.buf.Write(p)
	}
	s.setReply(o, env, e.finish())
}

func (s *Server) setReply(o *outcome, env *envelope, body []byte) {
	if env.replyTo == "" || body == nil {
		return
	}
	o.replyKey, o.cid, o.reply = env.replyTo, env.cid, body
}

// requestContext gives handlers the entry's deadline, tenant and identity, and no cancellation
// from Run: a drain lets them finish.
func (s *Server) requestContext(env *envelope, entryID string) (context.Context, context.CancelFunc) {
	ctx := WithEntryID(s.ioCtx, entryID)
	if env.tenant != "" {
		ctx = WithTenant(ctx, env.tenant)
	}
	if env.identity.Actor != "" {
		ctx = WithIdentity(ctx, env.identity)
	}
	ctx = extractTrace(ctx, env)
	if !tracingOff() { // the queue wait is a span attribute; the histogram has its own
		ctx = withQueueWait(ctx, s.clock.toRedis(time.Now()).Sub(entryTime(entryID)))
	}
	if env.deadline.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, env.deadline)
}

// handleOne runs one request object and returns its encoded response (nil for notifications)
// and whether it was a notification that failed with a retryable code.
func (s *Server) handleOne(ctx context.Context, env *envelope, r *request, o *outcome) ([]byte, *storeOp, bool) {
	if r.err != nil {
		s.count("", r.err.Code)
		return s.errorResponse(r.id, r.err), nil, false
	}
	m := s.methods[r.method]
	if m == nil {
		s.count("", CodeMethodNotFound)
		if !r.hasID {
			return nil, nil, false
		}
		return s.errorResponse(r.id, Errorf(CodeMethodNotFound, "method %q not found", r.method)), nil, false
	}
	ctx = s.requestLogger(ctx, env, r)
	if m.nonIdempotent && r.id != nil {
		resp, st := s.once(ctx, m, r, o.id)
		return resp, st, false
	}
	result, rerr := s.invoke(ctx, m, r)
	if !r.hasID {
		return nil, nil, rerr != nil && Retryable(rerr.Code)
	}
	return s.response(r.id, result, rerr), nil, false
}

// requestLogger puts the request's logger into ctx, built only if the handler logs.
func (s *Server) requestLogger(ctx context.Context, env *envelope, r *request) context.Context {
	tenant, tid := env.tenant, traceID(ctx)
	return logging.WithLazyContext(ctx, func() zerolog.Logger {
		lc := s.log.With().Str(logging.FieldMethod, r.method).Str(logging.FieldRequestID, idText(r.id))
		if tenant != "" {
			lc = lc.Str(logging.FieldTenant, tenant)
		}
		if tid != "" {
			lc = lc.Str(logging.FieldTraceID, tid)
		}
		return lc.Logger()
	})
}

// invoke runs the handler with panic recovery, metrics and a span.
func (s *Server) invoke(ctx context.Context, m *method, r *request) (result any, rerr *Error) {
	ctx, span := startServerSpan(ctx, s.cfg.Service, m.name)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			logging.FromContext(ctx).Error().Interface("panic", p).Msg("rpc_handler_panic")
			result, rerr = nil, Errorf(CodeInternal, "internal error")
		}
		code := 0
		if rerr != nil {
			code = rerr.Code
		}
		m.record(code)
		if code == 0 {
			m.ok.Inc()
		} else {
			s.count(m.name, code)
		}
		m.handling.Observe(seconds(time.Since(start)))
		endSpan(span, rerr)
	}()
	res, err := m.call(ctx, r.params)
	if err != nil {
		return nil, s.wireError(ctx, err)
	}
	return res, nil
}

// wireError maps a handler error to the wire: *Error as it is, a passed deadline as
// CodeDeadlineExceeded, anything else as a generic -32603 with the detail in the log.
func (s *Server) wireError(ctx context.Context, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Errorf(CodeDeadlineExceeded, "deadline exceeded")
	}
	logging.FromContext(ctx).Error().Err(err).Msg("rpc_handler_failed")
	return Errorf(CodeInternal, "internal error")
}

func (s *Server) count(method string, code int) {
	if method == "" {
		method = "unknown"
	}
	s.metrics.requests.WithLabelValues(s.cfg.Service, method, codeLabel(code)).Inc()
}

// response encodes a result or error response; a result that cannot be encoded becomes -32603.
func (s *Server) response(id msgpack.RawMessage, result any, rerr *Error) []byte {
	e := getEncoder()
	if err := encodeResponse(e, id, result, rerr); err != nil {
		s.log.Error().Err(err).Msg("rpc_encode_failed")
		e.buf.Reset()
		_ = encodeResponse(e, id, nil, Errorf(CodeInternal, "internal error"))
	}
	return e.finish()
}

func (s *Server) errorResponse(id msgpack.RawMessage, rerr *Error) []byte {
	return s.response(id, nil, rerr)
}

func (s *Server) handleEvent(src *source, msg redis.XMessage, env *envelope, o *outcome, deliveries int64) {
	params, err := eventParams(env.body)
	if err != nil {
		s.deadLetter(o, msg, "undecodable event: "+err.Error(), deliveries)
		return
	}
	ctx, cancel := s.eventContext(env, msg.ID, src.event.topic)
	defer cancel()
	err = runEvent(ctx, src.event, params)
	outcome := "ok"
	switch {
	case err == nil:
	case errors.Is(err, ErrInvalidParams):
		outcome = "dead"
		s.deadLetter(o, msg, "undecodable event payload: "+err.Error(), deliveries)
	case deliveries >= int64(s.cfg.MaxDeliveries):
		outcome = "dead"
		s.deadLetter(o, msg, fmt.Sprintf("handler failed %d times: %v", deliveries, err), deliveries)
	default:
		outcome = "retry"
		s.retryLater(o, deliveries)
		logging.FromContext(ctx).Warn().Err(err).Int64("deliveries", deliveries).Msg("rpc_event_failed")
	}
	s.metrics.events.WithLabelValues(s.cfg.Service, src.event.topic, outcome).Inc()
}

// retryLater leaves o's entry pending, to be delivered again after its retry pause. The lease
// is renewed until half a ClaimMinIdle before the pause ends, so the entry becomes claimable
// (ClaimMinIdle after the last renewal) no earlier than the pause's end. If this instance dies
// meanwhile, the entry is claimed ClaimMinIdle after the last renewal: sooner, never lost.
func (s *Server) retryLater(o *outcome, deliveries int64) {
	o.ack = false
	o.holdTill = o.start.Add(s.retryDelay(deliveries) - s.cfg.ClaimMinIdle/2)
}

// eventParams returns the params of the one notification an event body must hold.
func eventParams(body []byte) (msgpack.RawMessage, error) {
	reqs, batch, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	if batch || len(reqs) != 1 || reqs[0].err != nil {
		return nil, errEnvelope("not one notification")
	}
	return reqs[0].params, nil
}

// eventContext is the handler context of an event: the request's, with a logger naming the
// topic and entry.
func (s *Server) eventContext(env *envelope, entryID, topic string) (context.Context, context.CancelFunc) {
	ctx, cancel := s.requestContext(env, entryID)
	return logging.WithContext(ctx, s.log.With().Str("topic", topic).Str("entry_id", entryID).Logger()), cancel
}

// runEvent runs an event handler, turning a panic into an error (the event is retried).
func runEvent(ctx context.Context, sub *subscription, params msgpack.RawMessage) (err error) {
	defer func() {
		if p := recover(); p != nil {
			logging.FromContext(ctx).Error().Interface("panic", p).Msg("rpc_event_handler_panic")
			err = fmt.Errorf("event handler panic: %v", p)
		}
	}()
	return sub.run(ctx, params)
}
