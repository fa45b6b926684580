package gateway

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	webhooks *prometheus.CounterVec
	// authFailures counts /rpc requests answered 401; authLimited those refused 429 by the
	// failed-authentication limiter, by the budget that refused them.
	authFailures prometheus.Counter
	authLimited  *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "askpro_gateway_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "askpro_gateway_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "askpro_gateway_http_in_flight", Help: "HTTP requests being served.",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "askpro_gateway_webhooks_total", Help: "Retell webhooks by outcome (stored, duplicate, rejected, unavailable).",
		}, []string{"outcome"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "askpro_gateway_auth_failures_total", Help: "/rpc requests with a missing or unknown API key (401).",
		}),
		authLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "askpro_gateway_auth_limited_total", Help: "/rpc requests refused (429) because failed authentications spent a budget, by budget (address, key_prefix).",
		}, []string{"by"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration, m.inFlight, m.webhooks, m.authFailures, m.authLimited)
	}
	return m
}

func (m *httpMetrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(took.Seconds())
}
