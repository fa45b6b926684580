package rpc

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Stored values under idemKey: "p" and the stream entry id of the delivery that runs it, then
// "r" followed by the encoded response object. The result is written in the same pipeline as
// the reply, before it.
const (
	idemRunning = "p"
	idemResult  = 'r'
)

// once runs a non-idempotent method at most once per request id: the first delivery takes the
// in-progress marker (SET NX), duplicates wait for the stored response or get CodeInProgress.
//
// The marker names the stream entry that took it. A consumer that dies mid-handler leaves it
// behind; the consumer that claims that same entry (its lease ran out) finds its own entry
// named there and runs the request, so the caller still gets an answer. A client retry is
// another entry and still waits for the first.
func (s *Server) once(ctx context.Context, m *method, r *request, entryID string) ([]byte, *storeOp) {
	key := idemKey(s.cfg.Namespace, s.cfg.Service, idText(r.id))
	ttl := s.cfg.InProgressWait + 30*time.Second
	if dl, ok := ctx.Deadline(); ok {
		ttl += time.Until(dl)
	}
	won, err := s.take(ctx, key, idemRunning+entryID, ttl)
	if err != nil {
		return s.errorResponse(r.id, Errorf(CodeUpstreamUnavailable, "idempotency store unavailable")), nil
	}
	if !won {
		return s.duplicate(ctx, m, r, key), nil
	}
	result, rerr := s.invoke(ctx, m, r)
	resp := s.response(r.id, result, rerr)
	if rerr != nil && Retryable(rerr.Code) {
		// Not a final answer: let a retry with the same id run again.
		return resp, &storeOp{key: key, del: true}
	}
	val := make([]byte, 0, len(resp)+1)
	val = append(append(val, idemResult), resp...)
	return resp, &storeOp{key: key, val: val, ttl: s.cfg.ResultTTL}
}

// take takes the in-progress marker, or finds it already held by this entry: taken on an
// earlier delivery, to a consumer that is gone.
func (s *Server) take(ctx context.Context, key, marker string, ttl time.Duration) (bool, error) {
	for range 2 { // the marker may vanish between the two commands (a retryable failure frees it)
		won, err := s.rdb.SetNX(ctx, key, marker, ttl).Result()
		if err != nil || won {
			return won, err
		}
		val, err := s.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil || val != marker {
			return false, err
		}
		s.log.Info().Str("entry_id", marker[len(idemRunning):]).Msg("rpc_idempotency_marker_taken_over")
		return true, nil
	}
	return false, nil
}

// duplicate answers a request whose id was seen before: with the stored response, after
// waiting for it while the original still runs.
func (s *Server) duplicate(ctx context.Context, m *method, r *request, key string) []byte {
	wait := s.cfg.InProgressWait
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl))
	}
	stored := s.awaitStored(ctx, key, wait)
	if stored == nil {
		s.count(m.name, CodeInProgress)
		return s.errorResponse(r.id, Errorf(CodeInProgress, "request %s is in progress", idText(r.id)))
	}
	s.metrics.duplicates.WithLabelValues(s.cfg.Service, m.name).Inc()
	return stored
}

// awaitStored polls key until it holds a response or wait passes.
func (s *Server) awaitStored(ctx context.Context, key string, wait time.Duration) []byte {
	deadline := time.Now().Add(wait)
	pause := 2 * time.Millisecond
	for {
		val, err := s.rdb.Get(ctx, key).Bytes()
		if err == nil && len(val) > 0 && val[0] == idemResult {
			return val[1:]
		}
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil
		}
		if time.Now().Add(pause).After(deadline) {
			return nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}
