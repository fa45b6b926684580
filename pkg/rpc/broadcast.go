package rpc

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/askproai/backend/pkg/logging"
)

// broadcast is a SubscribeAll subscription: read with XREAD, no consumer group.
type broadcast struct {
	key  string
	sub  *subscription
	last string // id of the last entry read; set before the instance is announced live
}

// SubscribeAll hands every event of topic published while this instance runs to h, in every
// instance of the service: for per-process state such as caches. It reads the event stream
// without a consumer group, so nothing is acknowledged, nothing stays pending and no group is
// left behind when the instance goes away (a group per instance would be, with every deploy).
// Events published while the instance was down are not delivered; h runs for one event at a
// time, in stream order; a failed h is logged and the event is not delivered again.
// Subscribe before Run.
func SubscribeAll[T any](s *Server, topic string, h func(ctx context.Context, event T) error) {
	if s.running.Load() {
		s.log.Error().Str("topic", topic).Msg("rpc_subscribe_after_run")
		return
	}
	s.broadcasts = append(s.broadcasts, &broadcast{key: EventStream(s.cfg.Namespace, topic),
		sub: &subscription{topic: topic, run: decodeEvent(h)}})
}

// decodeEvent adapts a typed event handler to raw params.
func decodeEvent[T any](h func(ctx context.Context, event T) error) func(context.Context, msgpack.RawMessage) error {
	return func(ctx context.Context, raw msgpack.RawMessage) error {
		var ev T
		if raw != nil {
			if err := Unmarshal(raw, &ev); err != nil {
				return paramsError("event payload", reflect.TypeFor[T](), raw, err)
			}
		}
		return h(ctx, ev)
	}
}

// startBroadcasts notes each broadcast stream's newest entry ("0-0" for an empty stream):
// reading starts after it, so every event published once the instance is live is seen,
// however long a read waits. Run calls it before announcing the instance.
func (s *Server) startBroadcasts(ctx context.Context) error {
	for _, b := range s.broadcasts {
		msgs, err := s.rdb.XRevRangeN(ctx, b.key, "+", "-", 1).Result()
		if err != nil {
			return fmt.Errorf("rpc server: newest entry of %s: %w", b.key, err)
		}
		b.last = "0-0"
		if len(msgs) > 0 {
			b.last = msgs[0].ID
		}
	}
	return nil
}

// broadcastLoop reads b's stream after b.last until ctx ends.
func (s *Server) broadcastLoop(ctx context.Context, b *broadcast) {
	last := b.last
	for ctx.Err() == nil {
		res, err := s.blk.XRead(s.ioCtx, &redis.XReadArgs{
			Streams: []string{b.key, last}, Count: int64(s.cfg.MaxBatch), Block: s.cfg.Block,
		}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			s.log.Warn().Err(err).Str("stream", b.key).Msg("rpc_read_failed")
			pause(ctx, 200*time.Millisecond)
			continue
		}
		for _, st := range res {
			for _, m := range st.Messages {
				last = m.ID
				s.handleBroadcast(b, m)
			}
		}
	}
}

func (s *Server) handleBroadcast(b *broadcast, m redis.XMessage) {
	outcome := "ok"
	defer func() { s.metrics.events.WithLabelValues(s.cfg.Service, b.sub.topic, outcome).Inc() }()
	env, err := decodeEnvelope(m.Values)
	var params msgpack.RawMessage
	if err == nil {
		params, err = eventParams(env.body)
	}
	if err != nil {
		outcome = "dead"
		s.log.Warn().Err(err).Str("stream", b.key).Str("entry_id", m.ID).Msg("rpc_broadcast_undecodable")
		return
	}
	ctx, cancel := s.eventContext(&env, m.ID, b.sub.topic)
	defer cancel()
	if err := runEvent(ctx, b.sub, params); err != nil {
		outcome = "failed"
		logging.FromContext(ctx).Warn().Err(err).Msg("rpc_broadcast_failed")
	}
}
