package telemetry_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"

	"github.com/askproai/backend/pkg/telemetry"
)

func TestStartWithoutEndpointIsNoop(t *testing.T) {
	shutdown, err := telemetry.Start(t.Context(), telemetry.Config{Service: "routing"})
	require.NoError(t, err)
	_, span := otel.Tracer("t").Start(t.Context(), "x")
	require.False(t, span.SpanContext().IsSampled())
	span.End()
	require.NoError(t, shutdown(t.Context()))
}

func TestStartWithEndpointExports(t *testing.T) {
	var got int
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got++
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	shutdown, err := telemetry.Start(t.Context(), telemetry.Config{Service: "routing", OTLPEndpoint: collector.URL})
	require.NoError(t, err)
	_, span := otel.Tracer("t").Start(t.Context(), "x")
	require.True(t, span.SpanContext().IsValid())
	span.End()
	require.NoError(t, shutdown(t.Context()))
	require.Positive(t, got, "the batcher flushes on shutdown")
}

func TestMetricsHandler(t *testing.T) {
	reg := telemetry.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "askpro_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Inc()
	rec := httptest.NewRecorder()
	telemetry.MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	require.Contains(t, string(body), "askpro_test_total 1")
	require.Contains(t, string(body), "go_goroutines")
}
