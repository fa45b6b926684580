package database

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	api "github.com/askproai/backend/pkg/api/database"
	routing "github.com/askproai/backend/pkg/api/routing"
)

// Publisher puts an event on the bus; *rpc.Client satisfies it.
type Publisher interface {
	Publish(ctx context.Context, topic string, payload any) error
}

// Advisory lock keys, one per singleton job.
const (
	lockOutboxRelay int64 = 0x61736b70_00000001
	lockMaintenance int64 = 0x61736b70_00000002
)

const (
	sqlTryXactLock = `SELECT pg_try_advisory_xact_lock($1)`
	sqlOutboxBatch = `SELECT id, aggregate_type, aggregate_id, topic, payload FROM outbox
WHERE sent_at IS NULL ORDER BY id LIMIT $1`
	sqlOutboxSent   = `UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)`
	sqlOutboxFailed = `UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1)`
	sqlOutboxAge    = `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
FROM outbox WHERE sent_at IS NULL`
)

// Relay publishes outbox rows and marks them sent. One replica relays at a time (a transaction
// advisory lock; the others find it taken and wait for their next tick), which keeps the order
// simple: rows go out in id order, and when one fails the later rows of the same aggregate wait
// for the next round, so an aggregate's events are never reordered. A crash between publish and
// commit publishes again: delivery is at least once, and subscribers dedupe by event content.
type Relay struct {
	pool     *pgxpool.Pool
	pub      Publisher
	batch    int
	interval time.Duration
	log      zerolog.Logger
	metrics  *Metrics
}

// RelayOptions configures a Relay.
type RelayOptions struct {
	Batch    int           // rows per round (default 100)
	Interval time.Duration // pause when the outbox is drained (default 250ms)
	Metrics  *Metrics      // nil: none
	Logger   zerolog.Logger
}

// NewRelay returns a relay from the outbox in pool to pub.
func NewRelay(pool *pgxpool.Pool, pub Publisher, o RelayOptions) *Relay {
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	return &Relay{pool: pool, pub: pub, batch: o.Batch, interval: o.Interval, log: o.Logger, metrics: o.Metrics}
}

// outboxChannel is the LISTEN/NOTIFY channel that wakes the relay after a commit.
const (
	outboxChannel = "askpro_outbox"
	sqlListen     = "LISTEN " + outboxChannel
)

// Run relays until ctx ends. It wakes on the notification every outbox write sends at commit,
// and polls every interval as well, so a lost notification delays an event, never loses it.
func (r *Relay) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	listening := make(chan struct{})
	go func() { defer close(listening); r.listen(ctx, wake) }()
	defer func() { <-listening }()
	for {
		n, err := r.RelayOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn().Err(err).Msg("outbox_relay_failed")
		}
		if n == r.batch && err == nil {
			continue // more may be waiting
		}
		t := time.NewTimer(r.interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// listen forwards outbox notifications to wake until ctx ends, reconnecting after failures.
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}) {
	for ctx.Err() == nil {
		if err := r.listenOnce(ctx, wake); err != nil && ctx.Err() == nil {
			r.log.Warn().Err(err).Msg("outbox_listen_failed")
			_ = sleepCtx(ctx, 4*r.interval)
		}
	}
}

func (r *Relay) listenOnce(ctx context.Context, wake chan<- struct{}) error {
	pc, err := r.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// A listening connection never goes back to the pool: it would carry the LISTEN along.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sqlListen); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		// Also wake once right after LISTEN: rows written before it had nobody to notify.
		select {
		case wake <- struct{}{}:
		default:
		}
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
	}
}

type outboxRow struct {
	id                    int64
	aggType, aggID, topic string
	payload               []byte
}

// RelayOnce publishes one batch and returns how many rows it published. Between BEGIN and
// COMMIT it costs two round trips to PostgreSQL: the lock with the batch, then the marks with
// the outbox age.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	var sent int
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var b pgx.Batch
		b.Queue(sqlTryXactLock, lockOutboxRelay)
		b.Queue(sqlOutboxBatch, r.batch)
		var locked bool
		var batch []outboxRow
		err := sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
			if err := br.QueryRow().Scan(&locked); err != nil {
				return err
			}
			rows, err := br.Query()
			if err != nil {
				return err
			}
			batch, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (outboxRow, error) {
				var o outboxRow
				return o, row.Scan(&o.id, &o.aggType, &o.aggID, &o.topic, &o.payload)
			})
			return err
		})
		if err != nil || !locked {
			// Unlocked: another replica is relaying; the rows read are left to it.
			return err
		}
		ok, failed := r.publish(ctx, batch)
		sent = len(ok)
		return r.mark(ctx, tx, ok, failed, len(batch) == 0)
	})
	if err != nil {
		return 0, fmt.Errorf("relay outbox: %w", err)
	}
	return sent, nil
}

// mark records the round's rows as sent or failed and, when someone is measuring, the age of
// the oldest row still waiting (none when the round found the outbox empty), in one round trip.
func (r *Relay) mark(ctx context.Context, tx pgx.Tx, ok, failed []int64, empty bool) error {
	var b pgx.Batch
	if len(ok) > 0 {
		b.Queue(sqlOutboxSent, ok)
	}
	if len(failed) > 0 {
		b.Queue(sqlOutboxFailed, failed)
	}
	execs := b.Len()
	measure := r.metrics != nil && !empty
	if measure {
		b.Queue(sqlOutboxAge)
	}
	var age float64
	if b.Len() > 0 {
		err := sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
			for range execs {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			if !measure {
				return nil
			}
			return br.QueryRow().Scan(&age)
		})
		if err != nil {
			return err
		}
	}
	if r.metrics != nil {
		r.metrics.outbox(len(ok), len(failed), age)
	}
	return nil
}

// publish sends rows in order; after a failure, the aggregate's later rows are held back.
func (r *Relay) publish(ctx context.Context, batch []outboxRow) (ok, failed []int64) {
	blocked := map[string]bool{}
	for _, o := range batch {
		agg := o.aggType + ":" + o.aggID
		if blocked[agg] {
			continue
		}
		payload, err := decodeEvent(o.topic, o.payload)
		if err == nil {
			err = r.pub.Publish(ctx, o.topic, payload)
		}
		if err != nil {
			blocked[agg] = true
			failed = append(failed, o.id)
			r.log.Warn().Err(err).Int64("outbox_id", o.id).Str("topic", o.topic).Msg("outbox_publish_failed")
			continue
		}
		ok = append(ok, o.id)
	}
	return ok, failed
}

// decodeEvent turns a stored payload back into the contract type of its topic, so subscribers
// decode the same shape whichever way it travelled.
func decodeEvent(topic string, raw []byte) (any, error) {
	var v any
	switch {
	case strings.HasPrefix(topic, "booking."):
		v = &api.AppointmentEvent{}
	case topic == api.TopicCallSaved:
		v = &api.CallSavedEvent{}
	case topic == routing.TopicBranchChanged:
		v = &routing.BranchChangedEvent{}
	default:
		v = &map[string]any{}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", topic, err)
	}
	return v, nil
}
