package rpc

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names all start with askpro_rpc_. Server metrics carry the service label, client
// metrics the target service.
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

type serverMetrics struct {
	requests   *prometheus.CounterVec   // service, method, code
	handling   *prometheus.HistogramVec // service, method
	queueWait  *prometheus.HistogramVec // service, lane
	inFlight   *prometheus.GaugeVec     // service
	lag        *prometheus.GaugeVec     // service, stream
	pending    *prometheus.GaugeVec     // service, stream
	claims     *prometheus.CounterVec   // service, stream
	redeliver  *prometheus.CounterVec   // service, stream
	dlqSize    *prometheus.GaugeVec     // service
	deadTotal  *prometheus.CounterVec   // service, reason
	expired    *prometheus.CounterVec   // service, stream
	duplicates *prometheus.CounterVec   // service, method
	events     *prometheus.CounterVec   // service, topic, outcome
}

func newServerMetrics(reg prometheus.Registerer) *serverMetrics {
	m := &serverMetrics{
		requests: counterVec(reg, "askpro_rpc_server_requests_total", "Requests handled, by method and JSON-RPC code (0 = success).", "service", "method", "code"),
		handling: histVec(reg, "askpro_rpc_server_handling_seconds", "Handler run time, by method.", "service", "method"),
		queueWait: histVec(reg, "askpro_rpc_queue_wait_seconds",
			"Time an entry waited in its stream before a worker started on it.", "service", "stream"),
		inFlight:   gaugeVec(reg, "askpro_rpc_server_in_flight", "Entries being handled now.", "service"),
		lag:        gaugeVec(reg, "askpro_rpc_stream_lag", "Entries not yet delivered to the group (-1: unknown).", "service", "stream"),
		pending:    gaugeVec(reg, "askpro_rpc_stream_pending", "Entries delivered but not yet acknowledged.", "service", "stream"),
		claims:     counterVec(reg, "askpro_rpc_claims_total", "Idle pending entries claimed from other consumers.", "service", "stream"),
		redeliver:  counterVec(reg, "askpro_rpc_redeliveries_total", "Entries handled with a delivery count above one.", "service", "stream"),
		dlqSize:    gaugeVec(reg, "askpro_rpc_dlq_size", "Entries in the service's dead-letter stream.", "service"),
		deadTotal:  counterVec(reg, "askpro_rpc_dead_letters_total", "Entries moved to the dead-letter stream, by reason.", "service", "reason"),
		expired:    counterVec(reg, "askpro_rpc_expired_total", "Entries whose deadline had passed on arrival (acked, never run).", "service", "stream"),
		duplicates: counterVec(reg, "askpro_rpc_duplicates_total", "Duplicate requests answered from a stored result.", "service", "method"),
		events:     counterVec(reg, "askpro_rpc_events_handled_total", "Events handled, by outcome.", "service", "topic", "outcome"),
	}
	return m
}

type clientMetrics struct {
	requests  *prometheus.CounterVec   // service, method, code
	roundTrip *prometheus.HistogramVec // service, method
	orphans   prometheus.Counter
	retries   *prometheus.CounterVec // service, method
	published *prometheus.CounterVec // topic
}

func newClientMetrics(reg prometheus.Registerer) *clientMetrics {
	return &clientMetrics{
		requests:  counterVec(reg, "askpro_rpc_client_requests_total", "Calls made, by target, method and JSON-RPC code (0 = success).", "service", "method", "code"),
		roundTrip: histVec(reg, "askpro_rpc_client_round_trip_seconds", "Call round trip, retries included.", "service", "method"),
		orphans: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "askpro_rpc_orphan_replies_total", Help: "Replies that arrived after their caller stopped waiting.",
		})),
		retries:   counterVec(reg, "askpro_rpc_client_retries_total", "Call attempts after the first.", "service", "method"),
		published: counterVec(reg, "askpro_rpc_events_published_total", "Events published, by topic.", "topic"),
	}
}

func counterVec(reg prometheus.Registerer, name, help string, labels ...string) *prometheus.CounterVec {
	return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
}

func gaugeVec(reg prometheus.Registerer, name, help string, labels ...string) *prometheus.GaugeVec {
	return register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
}

func histVec(reg prometheus.Registerer, name, help string, labels ...string) *prometheus.HistogramVec {
	return register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets}, labels))
}

// register adds c to reg (nil: not registered). A second server or client on the same
// registry shares the collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

func codeLabel(code int) string { return strconv.Itoa(code) }

func seconds(d time.Duration) float64 { return d.Seconds() }
