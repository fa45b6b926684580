package rpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DeadLetters lists, inspects, replays and purges a service's dead-letter stream
// (<ns>:dlq:<service>). It is the API behind the operators' CLI.
type DeadLetters struct {
	rdb     *redis.Client
	key     string
	service string
}

// DeadLetter is one entry of a dead-letter stream.
type DeadLetter struct {
	ID         string            // entry id in the dead-letter stream
	Reason     string            // why it was moved
	Source     string            // stream it came from
	SourceID   string            // its entry id there
	Group      string            // consumer group that gave up on it
	Deliveries int64             // delivery count when moved
	MovedAt    time.Time         // when it was moved
	Method     string            // JSON-RPC method, when the body decodes
	RequestID  string            // JSON-RPC id as text, when the body decodes
	Body       []byte            // the MessagePack body as it was
	Fields     map[string]string // the original envelope fields
}

// ErrDeadLetterNotFound is returned for an id that is not in the dead-letter stream.
var ErrDeadLetterNotFound = errors.New("dead letter not found")

// NewDeadLetters returns the dead-letter API of service under namespace ("" = "askpro").
func NewDeadLetters(rdb *redis.Client, namespace, service string) *DeadLetters {
	return &DeadLetters{rdb: rdb, key: DeadLetterStream(namespaceOr(namespace), service), service: service}
}

// Len returns the number of dead letters.
func (d *DeadLetters) Len(ctx context.Context) (int64, error) {
	n, err := d.rdb.XLen(ctx, d.key).Result()
	if err != nil {
		return 0, fmt.Errorf("dead letters len: %w", err)
	}
	return n, nil
}

// List returns up to count dead letters with ids after after ("" = from the oldest).
func (d *DeadLetters) List(ctx context.Context, after string, count int64) ([]DeadLetter, error) {
	start := "-"
	if after != "" {
		start = "(" + after
	}
	msgs, err := d.rdb.XRangeN(ctx, d.key, start, "+", count).Result()
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, toDeadLetter(m))
	}
	return out, nil
}

// Get returns one dead letter.
func (d *DeadLetters) Get(ctx context.Context, id string) (DeadLetter, error) {
	msgs, err := d.rdb.XRangeN(ctx, d.key, id, id, 1).Result()
	if err != nil {
		return DeadLetter{}, fmt.Errorf("get dead letter %s: %w", id, err)
	}
	if len(msgs) == 0 {
		return DeadLetter{}, fmt.Errorf("get dead letter %s: %w", id, ErrDeadLetterNotFound)
	}
	return toDeadLetter(msgs[0]), nil
}

// Replay puts a dead letter back on the stream it came from with its original body, so the
// request keeps its id (a non-idempotent method that already ran answers from its stored
// result). The deadline is renewed to now+timeout (0: no deadline). The dead letter is removed.
// It returns the new entry id.
func (d *DeadLetters) Replay(ctx context.Context, id string, timeout time.Duration) (string, error) {
	dl, err := d.Get(ctx, id)
	if err != nil {
		return "", err
	}
	values := make([]any, 0, 2*len(dl.Fields))
	for k, v := range dl.Fields {
		if k == fieldDeadline {
			continue
		}
		values = append(values, k, v)
	}
	if timeout > 0 {
		values = append(values, fieldDeadline, strconv.FormatInt(time.Now().Add(timeout).UnixMilli(), 10))
	}
	newID, err := d.rdb.XAdd(ctx, &redis.XAddArgs{Stream: dl.Source, Values: values}).Result()
	if err != nil {
		return "", fmt.Errorf("replay dead letter %s: %w", id, err)
	}
	if err := d.rdb.XDel(ctx, d.key, id).Err(); err != nil {
		return newID, fmt.Errorf("remove replayed dead letter %s: %w", id, err)
	}
	return newID, nil
}

// Purge deletes the given dead letters, or all of them when no id is given. It returns how
// many were deleted.
func (d *DeadLetters) Purge(ctx context.Context, ids ...string) (int64, error) {
	if len(ids) == 0 {
		n, err := d.rdb.XLen(ctx, d.key).Result()
		if err != nil {
			return 0, fmt.Errorf("purge dead letters: %w", err)
		}
		if err := d.rdb.Del(ctx, d.key).Err(); err != nil {
			return 0, fmt.Errorf("purge dead letters: %w", err)
		}
		return n, nil
	}
	n, err := d.rdb.XDel(ctx, d.key, ids...).Result()
	if err != nil {
		return 0, fmt.Errorf("purge dead letters: %w", err)
	}
	return n, nil
}

func toDeadLetter(m redis.XMessage) DeadLetter {
	str := func(k string) string { s, _ := m.Values[k].(string); return s }
	dl := DeadLetter{
		ID: m.ID, Reason: str(fieldReason), Source: str(fieldSource), SourceID: str(fieldSourceID),
		Group: str(fieldGroup), Body: []byte(str(fieldBody)), Fields: map[string]string{},
	}
	dl.Deliveries, _ = strconv.ParseInt(str(fieldDeliveries), 10, 64)
	if ms, err := strconv.ParseInt(str(fieldMovedAt), 10, 64); err == nil {
		dl.MovedAt = time.UnixMilli(ms)
	}
	for k, v := range m.Values {
		if len(k) > 4 && k[:4] == "dlq_" {
			continue
		}
		s, _ := v.(string)
		dl.Fields[k] = s
	}
	if reqs, _, err := parseBody(dl.Body); err == nil && len(reqs) > 0 {
		dl.Method, dl.RequestID = reqs[0].method, idText(reqs[0].id)
	}
	return dl
}
