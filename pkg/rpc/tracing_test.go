package rpc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

// The server span is a child of the client span, through the traceparent in the envelope.
// This is the only test that installs a tracer provider (the global one can be set once).
func TestTraceContextCrossesTheBus(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	otel.SetTracerProvider(tp)
	p := rpctest.New(t, "traced", registerEcho)
	ctx, parent := tp.Tracer("test").Start(t.Context(), "caller")
	require.NoError(t, p.Client.Call(ctx, "traced", "echo", echoParams{Text: "x"}, nil))
	parent.End()

	var client, server sdktrace.ReadOnlySpan
	testenv.Eventually(t, 30*time.Second, func() bool {
		for _, s := range rec.Ended() {
			if s.Name() != "traced/echo" {
				continue
			}
			switch s.SpanKind() {
			case trace.SpanKindClient:
				client = s
			case trace.SpanKindServer:
				server = s
			}
		}
		return client != nil && server != nil
	})
	assert.Equal(t, parent.SpanContext().TraceID(), server.SpanContext().TraceID())
	assert.Equal(t, client.SpanContext().SpanID(), server.Parent().SpanID())
	var hasWait bool
	for _, a := range server.Attributes() {
		hasWait = hasWait || a.Key == "messaging.queue_wait_ms"
	}
	assert.True(t, hasWait, "queue wait recorded on the server span")
}
