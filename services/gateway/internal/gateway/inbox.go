package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	callapi "github.com/askproai/backend/pkg/api/call"
)

// PublishFunc writes an event durably to the bus (rpc.Client.Publish).
type PublishFunc func(ctx context.Context, topic string, payload any) error

// Inbox accepts verified webhooks. An event is durable once Append returns nil: it is in a
// Redis stream (AOF) from which the call service consumes it with at-least-once delivery.
type Inbox struct {
	rdb     *redis.Client
	publish PublishFunc
	prefix  string
	ttl     time.Duration
}

// NewInbox returns an Inbox that remembers seen keys for ttl under prefix.
func NewInbox(rdb *redis.Client, publish PublishFunc, prefix string, ttl time.Duration) *Inbox {
	return &Inbox{rdb: rdb, publish: publish, prefix: prefix + ":gateway:seen:", ttl: ttl}
}

// Append publishes w unless an event with the same key was already published, and reports
// whether it was a duplicate.
//
// The order is check, publish, then mark. Marking first would lose an event whenever the
// publish failed after the mark was set (Retell's retry would be dropped as a duplicate).
// With this order, two deliveries racing through the check both publish; the call service is
// idempotent per key, so a rare double publish costs nothing, while a lost event is never
// possible.
func (in *Inbox) Append(ctx context.Context, w callapi.RetellWebhook) (bool, error) {
	key := in.prefix + w.Key
	n, err := in.rdb.Exists(ctx, key).Result()
	if err != nil {
		return false, fmt.Errorf("check duplicate: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	if err := in.publish(ctx, callapi.TopicRetellWebhook, w); err != nil {
		return false, fmt.Errorf("publish webhook: %w", err)
	}
	// The event is durable now. The mark is written after the answer, off the request's path:
	// failing (or being late) to mark it only lets a later duplicate through.
	go in.mark(context.WithoutCancel(ctx), key)
	return false, nil
}

func (in *Inbox) mark(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(ctx, markTimeout)
	defer cancel()
	_ = in.rdb.Set(ctx, key, 1, in.ttl).Err()
}

// markTimeout bounds the write of a seen-mark.
const markTimeout = 2 * time.Second
