package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
)

const (
	sqlTryLock            = `SELECT pg_try_advisory_lock($1)`
	sqlUnlock             = `SELECT pg_advisory_unlock($1)`
	sqlEnsurePartitions   = `SELECT ensure_call_partitions($1)`
	sqlNow                = `SELECT now()`
	sqlRefreshStats       = `REFRESH MATERIALIZED VIEW CONCURRENTLY daily_booking_stats`
	sqlMarkStatsRefreshed = `INSERT INTO stats_refreshes (name, refreshed_at) VALUES ('daily_booking_stats', $1)
ON CONFLICT (name) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at`
)

// Maintenance creates call partitions ahead of time and refreshes daily_booking_stats on a
// schedule. A session advisory lock makes sure that of several replicas only one works at a
// time; the others skip the round.
type Maintenance struct {
	pool        *pgxpool.Pool
	interval    time.Duration
	monthsAhead int
	log         zerolog.Logger
}

// NewMaintenance returns a maintenance loop on pool running every interval.
func NewMaintenance(pool *pgxpool.Pool, interval time.Duration, monthsAhead int, log zerolog.Logger) *Maintenance {
	return &Maintenance{pool: pool, interval: interval, monthsAhead: monthsAhead, log: log}
}

// Run works once at start and then every interval until ctx ends.
func (m *Maintenance) Run(ctx context.Context) error {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		if _, err := m.RunOnce(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn().Err(err).Msg("maintenance_failed")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce does one round and reports whether this replica did it (false: another held the lock).
func (m *Maintenance) RunOnce(ctx context.Context) (bool, error) {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("maintenance: %w", err)
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, sqlTryLock, lockMaintenance).Scan(&locked); err != nil || !locked {
		return false, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), sqlUnlock, lockMaintenance) //nolint:errcheck // the lock dies with the session anyway
	var created int
	if err := conn.QueryRow(ctx, sqlEnsurePartitions, m.monthsAhead).Scan(&created); err != nil {
		return true, fmt.Errorf("ensure call partitions: %w", err)
	}
	// The mark is the time before the refresh started: everything committed before it is in
	// the view, so days that ended before it can be read from the view.
	var started time.Time
	if err := conn.QueryRow(ctx, sqlNow).Scan(&started); err != nil {
		return true, fmt.Errorf("refresh stats: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlRefreshStats); err != nil {
		return true, fmt.Errorf("refresh stats: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlMarkStatsRefreshed, started); err != nil {
		return true, fmt.Errorf("mark stats refreshed: %w", err)
	}
	m.log.Info().Int("partitions_created", created).Msg("maintenance_done")
	return true, nil
}
