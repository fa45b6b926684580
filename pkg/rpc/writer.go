package rpc

import (
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// submit hands an outcome to the writer. Outcomes that finish while a pipeline is in flight
// are written together in the next one, so replies and acks cost one round trip per batch.
func (s *Server) submit(o outcome) { s.writer.submit(o) }

// flush writes a batch of outcomes in one pipeline: stored results and dead letters first,
// then the replies (those to one caller in one transaction, see queueByKey), then the
// acknowledgements.
func (s *Server) flush(batch []outcome) {
	ctx := s.ioCtx
	pipe := s.rdb.Pipeline()
	acks := make(map[*source][]string, 2)
	replies := make([]keyedCmd, 0, len(batch))
	for i := range batch {
		o := &batch[i]
		for _, st := range o.stores {
			if st.del {
				pipe.Del(ctx, st.key)
			} else {
				pipe.Set(ctx, st.key, st.val, st.ttl)
			}
		}
		if o.dead != nil {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.dlqKey, MaxLen: s.cfg.DeadLetterMaxLen, Approx: true, Values: o.dead})
		}
		if o.reply != nil {
			replies = append(replies, keyedCmd{key: o.replyKey, cmd: redis.NewStringCmd(ctx,
				"xadd", o.replyKey, "nomkstream", "maxlen", "~", s.cfg.ReplyMaxLen, "*",
				fieldVersion, envelopeVersion, fieldCID, o.cid, fieldBody, o.reply)})
		}
		if o.ack {
			acks[o.src] = append(acks[o.src], o.id)
		}
	}
	written := queueByKey(ctx, pipe, replies)
	for src, ids := range acks {
		pipe.XAck(ctx, src.key, src.group, ids...)
	}
	_, err := pipe.Exec(ctx)
	if err == nil || errors.Is(err, redis.Nil) {
		err = firstFailure(written) // a failure inside EXEC is not Exec's error
	}
	if err != nil {
		s.log.Error().Err(err).Int("entries", len(batch)).Msg("rpc_write_failed")
	}
	s.finish(batch, written)
}

// finish records metrics, forgets the entries and frees their worker slots.
func (s *Server) finish(batch []outcome, replies []queued) {
	for _, r := range replies {
		if errors.Is(r.err(), redis.Nil) {
			// NOMKSTREAM: the caller's reply stream is gone, so is the caller.
			s.log.Debug().Msg("rpc_reply_stream_gone")
		}
	}
	for i := range batch {
		o := &batch[i]
		if o.dead != nil {
			s.metrics.deadTotal.WithLabelValues(s.cfg.Service, reasonLabel(o.reason)).Inc()
		}
		if !o.holdTill.IsZero() && time.Now().Before(o.holdTill) {
			o.src.hold(o.id, o.holdTill)
		} else {
			o.src.untrack(o.id)
		}
	}
	s.inFlight.Sub(float64(len(batch)))
	s.gate.release(len(batch))
}

// reasonLabel keeps the reason label's cardinality small.
func reasonLabel(reason string) string {
	for _, p := range []string{"parse error", "undecodable event payload", "undecodable event", "handler failed", "delivered", "unsupported envelope version", "missing body", "bad deadline"} {
		if len(reason) >= len(p) && reason[:len(p)] == p {
			return p
		}
	}
	return "other"
}
