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
	sqlPruneOutbox = `DELETE FROM outbox WHERE sent_at < now() - $1::interval`
	sqlPruneInbox  = `DELETE FROM processed_webhooks WHERE processed_at < now() - $1::interval`
)

// Maintenance creates call partitions ahead of time, refreshes daily_booking_stats, and prunes
// sent outbox rows and old inbox keys, on a schedule. A session advisory lock makes sure that
// of several replicas only one works at a time; the others skip the round.
type Maintenance struct {
	pool *pgxpool.Pool
	o    MaintenanceOptions
}

// MaintenanceOptions configures Maintenance.
type MaintenanceOptions struct {
	Interval    time.Duration // between rounds (default 10m)
	MonthsAhead int           // monthly call partitions kept ready (default 3)
	// OutboxRetention keeps sent outbox rows (default 7 days); InboxRetention keeps processed
	// webhook keys, longer than any sender retries (default 30 days).
	OutboxRetention, InboxRetention time.Duration
	Logger                          zerolog.Logger
}

// NewMaintenance returns a maintenance loop on pool.
func NewMaintenance(pool *pgxpool.Pool, o MaintenanceOptions) *Maintenance {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Minute
	}
	if o.MonthsAhead <= 0 {
		o.MonthsAhead = 3
	}
	if o.OutboxRetention <= 0 {
		o.OutboxRetention = 7 * 24 * time.Hour
	}
	if o.InboxRetention <= 0 {
		o.InboxRetention = 30 * 24 * time.Hour
	}
	return &Maintenance{pool: pool, o: o}
}

// Run works once at start and then every interval until ctx ends.
func (m *Maintenance) Run(ctx context.Context) error {
	t := time.NewTicker(m.o.Interval)
	defer t.Stop()
	for {
		if _, err := m.RunOnce(ctx); err != nil && ctx.Err() == nil {
			m.o.Logger.Warn().Err(err).Msg("maintenance_failed")
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
	created, err := m.work(ctx, conn)
	if err != nil {
		return true, err
	}
	m.o.Logger.Info().Int("partitions_created", created).Msg("maintenance_done")
	return true, nil
}

func (m *Maintenance) work(ctx context.Context, conn *pgxpool.Conn) (int, error) {
	var created int
	if err := conn.QueryRow(ctx, sqlEnsurePartitions, m.o.MonthsAhead).Scan(&created); err != nil {
		return 0, fmt.Errorf("ensure call partitions: %w", err)
	}
	// The mark is the time before the refresh started: everything committed before it is in
	// the view, so days that ended before it can be read from the view.
	var started time.Time
	if err := conn.QueryRow(ctx, sqlNow).Scan(&started); err != nil {
		return created, fmt.Errorf("refresh stats: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlRefreshStats); err != nil {
		return created, fmt.Errorf("refresh stats: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlMarkStatsRefreshed, started); err != nil {
		return created, fmt.Errorf("mark stats refreshed: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlPruneOutbox, m.o.OutboxRetention); err != nil {
		return created, fmt.Errorf("prune outbox: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlPruneInbox, m.o.InboxRetention); err != nil {
		return created, fmt.Errorf("prune inbox: %w", err)
	}
	return created, nil
}
