package database

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// inTx runs fn in a READ COMMITTED transaction on the primary; see inTxOpts.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.inTxOpts(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
}

// inTxOpts runs fn in a transaction and commits it. A serialization failure (40001) or a
// deadlock (40P01) rolls back and runs fn again, up to s.attempts times in all, after an
// exponential backoff with full jitter; fn must therefore be safe to repeat. Every other error
// returns at once, classified.
func (s *Store) inTxOpts(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = pgx.BeginTxFunc(ctx, s.write, opts, fn)
		if err == nil || !retryable(err) || attempt >= s.attempts {
			break
		}
		s.metrics.txRetry(sqlState(err))
		s.log.Debug().Str("sqlstate", sqlState(err)).Int("attempt", attempt).Msg("transaction_retry")
		if werr := sleepCtx(ctx, jitter(s.backoff, attempt)); werr != nil {
			return fmt.Errorf("retry transaction: %w", werr)
		}
	}
	return classify(err)
}

func retryable(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// jitter is a random wait in [0, base·2^(attempt-1)).
func jitter(base time.Duration, attempt int) time.Duration {
	ceiling := base << (attempt - 1)
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
