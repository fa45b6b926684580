package rpc

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

const instrumentation = "github.com/askproai/backend/pkg/rpc"

var tracer = otel.Tracer(instrumentation)

// unsetProvider is the global tracer provider before any was installed.
var unsetProvider = otel.GetTracerProvider()

// inert is the span handed out while nothing records spans.
var inert = trace.SpanFromContext(context.Background())

// tracingOff reports whether spans would be dropped anyway: no tracer provider was installed,
// or a no-op one (pkg/telemetry without an OTLP endpoint). The hot path then skips making them;
// a caller's trace context still travels, as the envelope carries what ctx holds.
func tracingOff() bool {
	switch tp := otel.GetTracerProvider(); tp.(type) {
	case noop.TracerProvider:
		return true
	default:
		return tp == unsetProvider
	}
}

var traceContext = propagation.TraceContext{}

// traceCarrier adapts the envelope's tp/ts fields to the W3C propagator.
type traceCarrier struct{ tp, ts *string }

func (c traceCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		return *c.tp
	case "tracestate":
		return *c.ts
	}
	return ""
}

func (c traceCarrier) Set(key, val string) {
	switch key {
	case "traceparent":
		*c.tp = val
	case "tracestate":
		*c.ts = val
	}
}

func (c traceCarrier) Keys() []string { return []string{"traceparent", "tracestate"} }

// injectTrace writes ctx's span context into the envelope.
func injectTrace(ctx context.Context, env *envelope) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	traceContext.Inject(ctx, traceCarrier{&env.traceparent, &env.tracestate})
}

// extractTrace puts the caller's span context from the envelope into ctx.
func extractTrace(ctx context.Context, env *envelope) context.Context {
	if env.traceparent == "" {
		return ctx
	}
	return traceContext.Extract(ctx, traceCarrier{&env.traceparent, &env.tracestate})
}

type queueWaitKey struct{}

func withQueueWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, queueWaitKey{}, d)
}

func startServerSpan(ctx context.Context, service, method string) (context.Context, trace.Span) {
	if tracingOff() {
		return ctx, inert
	}
	ctx, span := tracer.Start(ctx, service+"/"+method, trace.WithSpanKind(trace.SpanKindServer))
	if span.IsRecording() {
		wait, _ := ctx.Value(queueWaitKey{}).(time.Duration)
		span.SetAttributes(
			attribute.String("rpc.system", "jsonrpc"),
			attribute.String("rpc.service", service),
			attribute.String("rpc.method", method),
			attribute.Float64("messaging.queue_wait_ms", float64(wait.Microseconds())/1000),
		)
	}
	return ctx, span
}

func startClientSpan(ctx context.Context, service, method string) (context.Context, trace.Span) {
	if tracingOff() {
		return ctx, inert
	}
	ctx, span := tracer.Start(ctx, service+"/"+method, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("rpc.system", "jsonrpc"),
			attribute.String("rpc.service", service),
			attribute.String("rpc.method", method),
		)
	}
	return ctx, span
}

func endSpan(span trace.Span, rerr *Error) {
	if rerr != nil && span.IsRecording() {
		span.SetStatus(codes.Error, rerr.Message)
		span.SetAttributes(attribute.Int("rpc.jsonrpc.error_code", rerr.Code))
	}
	span.End()
}

func traceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return ""
	}
	return sc.TraceID().String()
}
