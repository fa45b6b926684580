package database

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the service's own instruments; request counts and latencies come from the rpc
// dispatcher. A nil *Metrics records nothing, so tests and benchmarks need none.
type Metrics struct {
	txRetries   *prometheus.CounterVec
	cache       *prometheus.CounterVec
	published   prometheus.Counter
	failed      prometheus.Counter
	oldestUnset prometheus.Gauge
}

// NewMetrics registers the instruments on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		txRetries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "askpro_db_tx_retries_total",
			Help: "Transactions run again after SQLSTATE 40001 or 40P01."}, []string{"sqlstate"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "askpro_db_cache_reads_total",
			Help: "Cached reads by the layer that answered (l1, redis, database)."}, []string{"layer"}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "askpro_db_outbox_published_total",
			Help: "Outbox rows published to the bus."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "askpro_db_outbox_publish_failures_total",
			Help: "Outbox publishes that failed and wait for the next round."}),
		oldestUnset: prometheus.NewGauge(prometheus.GaugeOpts{Name: "askpro_db_outbox_oldest_unsent_seconds",
			Help: "Age of the oldest unsent outbox row, 0 when none; alert when it grows."}),
	}
	for _, c := range []prometheus.Collector{m.txRetries, m.cache, m.published, m.failed, m.oldestUnset} {
		if err := reg.Register(c); err != nil && !errors.As(err, &prometheus.AlreadyRegisteredError{}) {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) txRetry(sqlstate string) {
	if m != nil {
		m.txRetries.WithLabelValues(sqlstate).Inc()
	}
}

func (m *Metrics) cacheRead(layer string) {
	if m != nil {
		m.cache.WithLabelValues(layer).Inc()
	}
}

func (m *Metrics) outbox(published, failed int, oldestUnsentSeconds float64) {
	if m != nil {
		m.published.Add(float64(published))
		m.failed.Add(float64(failed))
		m.oldestUnset.Set(oldestUnsentSeconds)
	}
}
