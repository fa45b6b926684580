package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// writes collects statements whose results are not read (audit entries, outbox events, the
// fill-in of a customer) and sends them to PostgreSQL in one round trip at the end of a
// transaction. Statements run in the order they were queued; the first failure aborts the
// transaction and is returned, named.
type writes struct {
	b    pgx.Batch
	what []string
}

func (w *writes) exec(what, sql string, args ...any) {
	w.b.Queue(sql, args...)
	w.what = append(w.what, what)
}

// audit queues an audit_log entry; see audit.
func (w *writes) audit(ctx context.Context, companyID, action, entity, entityID string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	src := sourceOf(ctx)
	w.exec("audit "+action, sqlAuditInsert, companyID, src.actor, src.ip, src.userAgent, action, entity, entityID, data)
}

// enqueue queues an outbox event; see enqueue.
func (w *writes) enqueue(companyID, aggregateType, aggregateID, topic string, payload any) {
	w.exec("lock outbox aggregate", sqlOutboxLock, aggregateType+":"+aggregateID)
	w.exec("enqueue "+topic, sqlOutboxInsert, companyID, aggregateType, aggregateID, topic, payload)
}

// run sends the queued statements in one round trip.
func (w *writes) run(ctx context.Context, tx pgx.Tx) error {
	if len(w.what) == 0 {
		return nil
	}
	return sendBatch(ctx, tx, &w.b, func(br pgx.BatchResults) error {
		for _, what := range w.what {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

// sendBatch sends b in one round trip and lets read take its results in order.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	br := tx.SendBatch(ctx, b)
	err := read(br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}
