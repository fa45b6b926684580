package rpc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// readLoop reads new entries of src, as many as there are free workers.
func (s *Server) readLoop(ctx context.Context, src *source) {
	next := s.gate.request(src.class, 1)
	for {
		n, err := s.gate.await(ctx, src.class, next)
		if err != nil {
			return
		}
		block := s.cfg.Block
		if s.gate.contended() {
			// Others wait for slots: hold this one only briefly if the stream is idle.
			block = contendedBlock
		}
		msgs, err := s.readNew(src, n, block)
		s.gate.release(n - len(msgs))
		if err != nil {
			s.readFailed(ctx, src, err)
			next = s.gate.request(src.class, 1)
			continue
		}
		next = s.gate.request(src.class, nextWant(len(msgs), n, s.cfg.MaxBatch))
		s.dispatch(src, msgs, nil)
		if len(msgs) == 1 {
			// A lone request: let its worker start before this goroutine reads again.
			runtime.Gosched()
		}
	}
}

// nextWant grows the next read's COUNT while reads come back full and shrinks it to one when
// the stream is idle, so an idle reader holds a single worker slot while it blocks.
func nextWant(got, asked, maxBatch int) int {
	switch got {
	case 0:
		return 1
	case asked:
		return min(2*got, maxBatch)
	default:
		return min(got+1, maxBatch)
	}
}

func (s *Server) readNew(src *source, count int, block time.Duration) ([]redis.XMessage, error) {
	res, err := s.blk.XReadGroup(s.ioCtx, &redis.XReadGroupArgs{
		Group: src.group, Consumer: s.cfg.Instance, Streams: []string{src.key, ">"},
		Count: int64(count), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src.key, err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	return res[0].Messages, nil
}

func (s *Server) readFailed(ctx context.Context, src *source, err error) {
	if isNoGroup(err) {
		// The stream or group vanished (flush, restart without persistence): recreate it.
		if gerr := s.ensureGroup(s.ioCtx, src); gerr != nil {
			s.log.Error().Err(gerr).Str("stream", src.key).Msg("rpc_group_recreate_failed")
		}
	} else {
		s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_read_failed")
	}
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// recoverOwn handles the entries this consumer name left pending before a restart, before any
// new work.
func (s *Server) recoverOwn(ctx context.Context, src *source) {
	last := "0"
	for ctx.Err() == nil {
		n, err := s.gate.acquire(ctx, src.class, s.cfg.MaxBatch)
		if err != nil {
			return
		}
		res, err := s.rdb.XReadGroup(s.ioCtx, &redis.XReadGroupArgs{
			Group: src.group, Consumer: s.cfg.Instance, Streams: []string{src.key, last},
			Count: int64(n), Block: -1,
		}).Result()
		var msgs []redis.XMessage
		if err == nil && len(res) > 0 {
			msgs = res[0].Messages
		}
		s.gate.release(n - len(msgs))
		if err != nil && !errors.Is(err, redis.Nil) {
			s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_recover_failed")
			return
		}
		if len(msgs) == 0 {
			return
		}
		last = msgs[len(msgs)-1].ID
		s.dispatch(src, msgs, s.deliveries(src, msgs))
	}
}

// claimAll claims idle pending entries of every source.
func (s *Server) claimAll(ctx context.Context) {
	for _, src := range s.sources {
		s.claim(ctx, src)
	}
}

// claim takes over entries idle for ClaimMinIdle (their consumer died or stalled), as many as
// there are free workers.
func (s *Server) claim(ctx context.Context, src *source) {
	start := "0-0"
	for {
		n := s.gate.tryAcquire(s.cfg.MaxBatch)
		if n == 0 {
			return
		}
		msgs, next, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: src.key, Group: src.group, Consumer: s.cfg.Instance,
			MinIdle: s.cfg.ClaimMinIdle, Start: start, Count: int64(n),
		}).Result()
		s.gate.release(n - len(msgs))
		if err != nil {
			if isNoGroup(err) {
				_ = s.ensureGroup(ctx, src)
			} else {
				s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_claim_failed")
			}
			return
		}
		if len(msgs) > 0 {
			s.metrics.claims.WithLabelValues(s.cfg.Service, src.key).Add(float64(len(msgs)))
			s.dispatch(src, msgs, s.deliveries(src, msgs))
		}
		if next == "0-0" || next == "" {
			return
		}
		start = next
	}
}

// retryDelay is the pause before an entry whose handler failed on its deliveries-th delivery
// is delivered again: ClaimMinIdle, doubled for every delivery after the first, at most
// RetryMaxDelay.
func (s *Server) retryDelay(deliveries int64) time.Duration {
	d := s.cfg.ClaimMinIdle
	for i := int64(1); i < deliveries && d < s.cfg.RetryMaxDelay; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMaxDelay)
}

// deliveries reads the delivery counts of msgs (all pending on this consumer) from XPENDING.
func (s *Server) deliveries(src *source, msgs []redis.XMessage) map[string]int64 {
	if len(msgs) == 0 {
		return nil
	}
	src.mu.Lock()
	extra := len(src.inflight)
	src.mu.Unlock()
	pend, err := s.rdb.XPendingExt(s.ioCtx, &redis.XPendingExtArgs{
		Stream: src.key, Group: src.group, Consumer: s.cfg.Instance,
		Start: msgs[0].ID, End: msgs[len(msgs)-1].ID, Count: int64(len(msgs) + extra + 16),
	}).Result()
	counts := make(map[string]int64, len(msgs))
	if err != nil {
		s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_pending_failed")
		return counts
	}
	for _, p := range pend {
		counts[p.ID] = p.RetryCount
	}
	return counts
}

// dispatch starts one worker per entry; each entry already holds a worker slot.
// counts gives delivery counts (nil: first delivery).
func (s *Server) dispatch(src *source, msgs []redis.XMessage, counts map[string]int64) {
	for _, msg := range msgs {
		if !src.track(msg.ID) {
			s.gate.release(1) // already being handled here
			continue
		}
		n := int64(1)
		if c, ok := counts[msg.ID]; ok {
			n = c
		}
		if n > 1 {
			s.metrics.redeliver.WithLabelValues(s.cfg.Service, src.key).Inc()
		}
		go s.process(src, msg, n)
	}
}

// extendLeases resets the idle time of entries still being handled here, so that a slow
// handler's entry is not claimed by another consumer and run twice.
func (s *Server) extendLeases(ctx context.Context) {
	for _, src := range s.sources {
		ids := src.leases(s.cfg.ClaimMinIdle/3, time.Now())
		if len(ids) == 0 {
			continue
		}
		err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{
			Stream: src.key, Group: src.group, Consumer: s.cfg.Instance, MinIdle: 0, Messages: ids,
		}).Err()
		if err != nil {
			s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_lease_failed")
		}
	}
}

// janitor deletes consumers that are idle and own nothing (never one with pending entries:
// XGROUP DELCONSUMER would drop them) and trims streams by age.
func (s *Server) janitor(ctx context.Context) {
	for _, src := range s.sources {
		s.dropIdleConsumers(ctx, src)
		keep := s.cfg.LaneRetention
		if src.event != nil {
			keep = s.cfg.EventRetention
		}
		minID := strconv.FormatInt(time.Now().Add(-keep).UnixMilli(), 10)
		if err := s.rdb.XTrimMinIDApprox(ctx, src.key, minID, 0).Err(); err != nil {
			s.log.Warn().Err(err).Str("stream", src.key).Msg("rpc_trim_failed")
		}
	}
}

func (s *Server) dropIdleConsumers(ctx context.Context, src *source) {
	consumers, err := s.rdb.XInfoConsumers(ctx, src.key, src.group).Result()
	if err != nil {
		return
	}
	for _, c := range consumers {
		if c.Name == s.cfg.Instance || c.Pending > 0 || c.Idle < s.cfg.ConsumerIdle {
			continue
		}
		if err := s.rdb.XGroupDelConsumer(ctx, src.key, src.group, c.Name).Err(); err == nil {
			s.log.Info().Str("stream", src.key).Str("consumer", c.Name).Msg("rpc_consumer_removed")
		}
	}
}

// stats refreshes the lag, pending and dead-letter gauges.
func (s *Server) stats(ctx context.Context) {
	for _, src := range s.sources {
		groups, err := s.rdb.XInfoGroups(ctx, src.key).Result()
		if err != nil {
			continue
		}
		for _, g := range groups {
			if g.Name == src.group {
				s.metrics.lag.WithLabelValues(s.cfg.Service, src.key).Set(float64(g.Lag))
				s.metrics.pending.WithLabelValues(s.cfg.Service, src.key).Set(float64(g.Pending))
			}
		}
	}
	if n, err := s.rdb.XLen(ctx, s.dlqKey).Result(); err == nil {
		s.metrics.dlqSize.WithLabelValues(s.cfg.Service).Set(float64(n))
	}
}
