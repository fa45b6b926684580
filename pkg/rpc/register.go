package rpc

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vmihailenco/msgpack/v5"
)

// method is a registered handler with its types (for rpc.discover) and counts (for rpc.info).
type method struct {
	name          string
	summary       string
	nonIdempotent bool
	params        reflect.Type
	result        reflect.Type
	call          func(ctx context.Context, params msgpack.RawMessage) (any, error)

	mu     sync.Mutex
	counts map[int]int64 // code -> requests

	handling prometheus.Observer
	ok       prometheus.Counter
}

func (m *method) record(code int) {
	m.mu.Lock()
	m.counts[code]++
	m.mu.Unlock()
}

// MethodOption changes how a method is registered.
type MethodOption func(*method)

// NonIdempotent marks a method whose effect must happen once: its response is stored under
// the request id (ServerConfig.ResultTTL), a duplicate gets the stored response, and two
// concurrent duplicates never both run.
func NonIdempotent() MethodOption { return func(m *method) { m.nonIdempotent = true } }

// Summary sets the method's one-line description in the OpenRPC document.
func Summary(text string) MethodOption { return func(m *method) { m.summary = text } }

// Register adds a method with typed params and result. Params decode from the MessagePack body
// (struct fields by their json tags); a decode failure answers -32602. Register before Run;
// a duplicate name, a reserved "rpc." name or a late registration is logged and ignored.
func Register[P, R any](s *Server, method string, h func(ctx context.Context, params P) (R, error), opts ...MethodOption) {
	m := newMethod(method, reflect.TypeFor[P](), reflect.TypeFor[R](), func(ctx context.Context, raw msgpack.RawMessage) (any, error) {
		var p P
		if raw != nil {
			if err := Unmarshal(raw, &p); err != nil {
				return nil, paramsError("params", reflect.TypeFor[P](), raw, err)
			}
		}
		return h(ctx, p)
	})
	for _, o := range opts {
		o(m)
	}
	if strings.HasPrefix(method, "rpc.") {
		s.log.Error().Str("method", method).Msg("rpc_reserved_method_name")
		return
	}
	s.addMethod(m)
}

func newMethod(name string, p, r reflect.Type, call func(context.Context, msgpack.RawMessage) (any, error)) *method {
	return &method{name: name, params: p, result: r, call: call, counts: map[int]int64{}}
}

func (s *Server) addMethod(m *method) {
	if s.running.Load() {
		s.log.Error().Str("method", m.name).Msg("rpc_register_after_run")
		return
	}
	if _, dup := s.methods[m.name]; dup || m.name == "" {
		s.log.Error().Str("method", m.name).Msg("rpc_duplicate_method")
		return
	}
	s.bindMethod(m)
}

// bindMethod adds m with its metric children resolved once.
func (s *Server) bindMethod(m *method) {
	m.handling = s.metrics.handling.WithLabelValues(s.cfg.Service, m.name)
	m.ok = s.metrics.requests.WithLabelValues(s.cfg.Service, m.name, "0")
	s.methods[m.name] = m
}

// subscription is an event handler bound to a topic and a consumer group.
type subscription struct {
	topic string
	run   func(ctx context.Context, params msgpack.RawMessage) error
}

// Subscribe handles the events of topic in consumer group group (normally the subscribing
// service's name): every group gets every event once, the instances of one group share them.
// A handler error leaves the event pending; it is delivered again after ClaimMinIdle, then
// after pauses that double up to RetryMaxDelay, and goes to the dead-letter stream after
// MaxDeliveries. An undecodable payload goes there at once.
// Subscribe before Run.
func Subscribe[T any](s *Server, topic, group string, h func(ctx context.Context, event T) error) {
	if s.running.Load() {
		s.log.Error().Str("topic", topic).Msg("rpc_subscribe_after_run")
		return
	}
	sub := &subscription{topic: topic, run: decodeEvent(h)}
	s.addSource(&source{key: EventStream(s.cfg.Namespace, topic), group: group, lane: LaneNormal, class: LaneNormal.class(), event: sub})
}
