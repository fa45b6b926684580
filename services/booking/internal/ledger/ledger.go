// Package ledger keeps the booking service's own small state in Redis (booking.Ledger):
// idempotent create results, the reconciliation stream of Cal.com bookings without a local
// counterpart, and the contact of each customer confirmations go to. All keys start with
// <namespace>:booking: and each command touches one key.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
)

const pending = "pending"

// Ledger is the Redis implementation of booking.Ledger.
type Ledger struct {
	rdb        redis.Cmdable
	ns         string
	pendingTTL time.Duration
}

// New returns a Ledger under namespace. pendingTTL bounds how long a claimed idempotency key
// blocks duplicates when its owner dies mid-request; it must exceed the longest create.
func New(rdb redis.Cmdable, namespace string, pendingTTL time.Duration) *Ledger {
	if pendingTTL <= 0 {
		pendingTTL = 2 * time.Minute
	}
	return &Ledger{rdb: rdb, ns: namespace + ":booking:", pendingTTL: pendingTTL}
}

var _ booking.Ledger = (*Ledger)(nil)

// OrphanStream is the stream key the reconciliation records go to.
func (l *Ledger) OrphanStream() string { return l.ns + "orphans" }

func (l *Ledger) idemKey(key string) string { return l.ns + "idem:" + key }

// marker is the pending value of ctx's request: "pending" and the bus entry it came in, so
// the instance that claims that entry after its consumer died recognises its own claim.
func marker(ctx context.Context) string {
	if id := rpc.EntryID(ctx); id != "" {
		return pending + ":" + id
	}
	return pending
}

// Begin claims key with a short-lived pending marker, or returns the stored result. A marker
// left by the same bus entry (its first consumer died mid-create) is taken over: the request
// runs again here, and the create's own lookups find what the first run did.
func (l *Ledger) Begin(ctx context.Context, key string, _ time.Duration) (booking.CreateResult, bool, error) {
	mine := marker(ctx)
	for range 3 {
		ok, err := l.rdb.SetNX(ctx, l.idemKey(key), mine, l.pendingTTL).Result()
		if err != nil {
			return booking.CreateResult{}, false, fmt.Errorf("claim %w: %w", booking.ErrUpstream, err)
		}
		if ok {
			return booking.CreateResult{}, false, nil
		}
		raw, err := l.rdb.Get(ctx, l.idemKey(key)).Result()
		if errors.Is(err, redis.Nil) {
			continue // aborted between our SETNX and GET: claim again
		}
		if err != nil {
			return booking.CreateResult{}, false, fmt.Errorf("read claim %w: %w", booking.ErrUpstream, err)
		}
		if raw == mine && mine != pending {
			return booking.CreateResult{}, false, nil
		}
		if strings.HasPrefix(raw, pending) {
			return booking.CreateResult{}, false, booking.ErrInProgress
		}
		var res booking.CreateResult
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			return booking.CreateResult{}, false, fmt.Errorf("decode stored result: %w", err)
		}
		return res, true, nil
	}
	return booking.CreateResult{}, false, booking.ErrInProgress
}

// Complete stores the result under key for ttl.
func (l *Ledger) Complete(ctx context.Context, key string, res booking.CreateResult, ttl time.Duration) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	if err := l.rdb.Set(ctx, l.idemKey(key), raw, ttl).Err(); err != nil {
		return fmt.Errorf("store result %w: %w", booking.ErrUpstream, err)
	}
	return nil
}

var abortScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Abort drops a pending claim so that a retry may run; a stored result is left alone.
func (l *Ledger) Abort(ctx context.Context, key string) error {
	if err := abortScript.Run(ctx, l.rdb, []string{l.idemKey(key)}, marker(ctx)).Err(); err != nil {
		return fmt.Errorf("abort claim %w: %w", booking.ErrUpstream, err)
	}
	return nil
}

// RecordOrphan appends o to the reconciliation stream and returns its record id.
func (l *Ledger) RecordOrphan(ctx context.Context, o booking.Orphan) (string, error) {
	id, err := l.rdb.XAdd(ctx, &redis.XAddArgs{Stream: l.OrphanStream(), MaxLen: 100000, Approx: true, Values: map[string]any{
		"kind": string(o.Kind), "appointment_id": o.AppointmentID,
		"company_id": o.CompanyID, "calcom_booking_id": o.CalcomBookingID, "staff_id": o.StaffID,
		"calcom_event_type_id": strconv.FormatInt(o.CalcomEventTypeID, 10),
		"start":                o.Start.Format(time.RFC3339), "end": o.End.Format(time.RFC3339), "reason": o.Reason,
		"idempotency_key": o.IdempotencyKey, "at": o.At.Format(time.RFC3339Nano),
	}}).Result()
	if err != nil {
		return "", fmt.Errorf("record orphan %w: %w", booking.ErrUpstream, err)
	}
	return id, nil
}

// Orphans lists the reconciliation records, oldest first (for the reconciliation job and tests).
func (l *Ledger) Orphans(ctx context.Context) ([]booking.Orphan, error) {
	msgs, err := l.rdb.XRange(ctx, l.OrphanStream(), "-", "+").Result()
	if err != nil {
		return nil, fmt.Errorf("list orphans: %w", err)
	}
	out := make([]booking.Orphan, 0, len(msgs))
	for _, m := range msgs {
		str := func(k string) string { s, _ := m.Values[k].(string); return s }
		start, _ := time.Parse(time.RFC3339, str("start"))
		end, _ := time.Parse(time.RFC3339, str("end"))
		at, _ := time.Parse(time.RFC3339Nano, str("at"))
		eventType, _ := strconv.ParseInt(str("calcom_event_type_id"), 10, 64)
		out = append(out, booking.Orphan{ID: m.ID, Kind: booking.OrphanKind(str("kind")), AppointmentID: str("appointment_id"),
			CompanyID: str("company_id"), CalcomBookingID: str("calcom_booking_id"), CalcomEventTypeID: eventType,
			StaffID: str("staff_id"), Start: start, End: end, Reason: str("reason"),
			IdempotencyKey: str("idempotency_key"), At: at})
	}
	return out, nil
}

// ResolveOrphan removes a reconciled record.
func (l *Ledger) ResolveOrphan(ctx context.Context, id string) error {
	if err := l.rdb.XDel(ctx, l.OrphanStream(), id).Err(); err != nil {
		return fmt.Errorf("resolve orphan %w: %w", booking.ErrUpstream, err)
	}
	return nil
}
