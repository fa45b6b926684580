// Package lock reserves slots in Redis so that no two requests book overlapping time of one
// staff member. It implements booking.Locker.
//
// Design. The seed locked one key per start time, which lets 10:00–11:00 and 10:30–11:30 both
// pass. Here each staff member has ONE hash, <namespace>:booking:slots:{<staff id>}, holding all
// of their live reservations and a fencing counter:
//
//	fence        → the last fencing token handed out (monotonic, never reset)
//	r:<token>    → "<start ms> <end ms> <expiry ms> <fence>"
//
// Every change is a Lua script that touches only that key, so it is atomic and Redis Cluster
// safe. Reserve drops expired entries, refuses when a live one overlaps the half-open interval
// [start, end), otherwise increments the fence and adds the entry. Release is compare-and-delete
// on the token, Extend compare-and-renew (the per-entry analogue of compare-and-PEXPIRE: a TTL on
// the whole key would not expire reservations one by one). Expiry is judged by the Redis server
// clock (TIME), so instances with skewed clocks agree. The key itself never expires: it is a few
// bytes per staff member, and keeping it keeps the fence monotonic.
//
// The lock is an optimisation that makes collisions cheap and answers "slot locked" fast. The
// guarantee is the database's exclusion constraint; the domain's fencing check (Extend right
// before the write, with the write bounded by the lock's lifetime) catches a reservation that
// expired mid-booking.
package lock

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/services/booking/internal/booking"
)

// Locker is the Redis implementation of booking.Locker.
type Locker struct {
	rdb       redis.Scripter
	namespace string
}

// New returns a Locker whose keys start with namespace (for example "askpro" or a test prefix).
func New(rdb redis.Scripter, namespace string) *Locker {
	return &Locker{rdb: rdb, namespace: namespace}
}

var _ booking.Locker = (*Locker)(nil)

func (l *Locker) key(staffID string) string {
	return l.namespace + ":booking:slots:{" + staffID + "}"
}

// Reserve reserves slot for ttl, or answers booking.ErrSlotLocked when a live reservation of the
// same staff member overlaps it.
func (l *Locker) Reserve(ctx context.Context, slot booking.Slot, ttl time.Duration) (booking.Lock, error) {
	token, err := newToken()
	if err != nil {
		return booking.Lock{}, fmt.Errorf("reserve slot: %w", err)
	}
	return l.reserve(ctx, slot, ttl, token)
}

// ReserveAs reserves slot for ttl on behalf of owner (a request's idempotency key): the token
// is derived from owner, so a later run of the same request, after the first died holding the
// reservation, takes it over (Lock.Resumed) instead of waiting for it to expire.
func (l *Locker) ReserveAs(ctx context.Context, slot booking.Slot, ttl time.Duration, owner string) (booking.Lock, error) {
	if owner == "" {
		return l.Reserve(ctx, slot, ttl)
	}
	sum := sha256.Sum256([]byte("booking reservation\x00" + owner))
	return l.reserve(ctx, slot, ttl, "o"+hex.EncodeToString(sum[:16]))
}

func (l *Locker) reserve(ctx context.Context, slot booking.Slot, ttl time.Duration, token string) (booking.Lock, error) {
	if slot.StaffID == "" || !slot.End.After(slot.Start) || ttl <= 0 {
		return booking.Lock{}, fmt.Errorf("reserve slot: %w", booking.ErrValidation)
	}
	res, err := reserveScript.Run(ctx, l.rdb, []string{l.key(slot.StaffID)},
		token, slot.Start.UnixMilli(), slot.End.UnixMilli(), ttl.Milliseconds()).Int64Slice()
	if err != nil {
		return booking.Lock{}, fmt.Errorf("reserve slot: %w: %w", booking.ErrUpstream, err)
	}
	if res[0] == 0 {
		return booking.Lock{}, fmt.Errorf("reserve slot %s at %s: %w", slot.StaffID, slot.Start.Format(time.RFC3339), booking.ErrSlotLocked)
	}
	return booking.Lock{Slot: slot, Token: token, Fence: res[1], ExpiresAt: time.UnixMilli(res[2]),
		Resumed: len(res) > 3 && res[3] == 1}, nil
}

// Extend renews a live reservation for ttl from now and returns it with its fence; it answers
// booking.ErrLockLost when the token no longer holds it.
func (l *Locker) Extend(ctx context.Context, lk booking.Lock, ttl time.Duration) (booking.Lock, error) {
	res, err := extendScript.Run(ctx, l.rdb, []string{l.key(lk.StaffID)}, lk.Token, ttl.Milliseconds()).Int64Slice()
	if err != nil {
		return booking.Lock{}, fmt.Errorf("extend reservation: %w: %w", booking.ErrUpstream, err)
	}
	return l.decode(lk.StaffID, lk.Token, res)
}

// Lookup returns the live reservation of staffID held by token.
func (l *Locker) Lookup(ctx context.Context, staffID, token string) (booking.Lock, error) {
	res, err := lookupScript.Run(ctx, l.rdb, []string{l.key(staffID)}, token).Int64Slice()
	if err != nil {
		return booking.Lock{}, fmt.Errorf("look up reservation: %w: %w", booking.ErrUpstream, err)
	}
	return l.decode(staffID, token, res)
}

// Release deletes the reservation if token still holds it; a lost one answers
// booking.ErrLockLost.
func (l *Locker) Release(ctx context.Context, lk booking.Lock) error {
	n, err := releaseScript.Run(ctx, l.rdb, []string{l.key(lk.StaffID)}, lk.Token).Int64()
	if err != nil {
		return fmt.Errorf("release reservation: %w: %w", booking.ErrUpstream, err)
	}
	if n == 0 {
		return fmt.Errorf("release reservation: %w", booking.ErrLockLost)
	}
	return nil
}

// Reservations lists the live reservations of staffID.
func (l *Locker) Reservations(ctx context.Context, staffID string) ([]booking.Lock, error) {
	raw, err := listScript.Run(ctx, l.rdb, []string{l.key(staffID)}).Slice()
	if err != nil {
		return nil, fmt.Errorf("list reservations: %w: %w", booking.ErrUpstream, err)
	}
	out := make([]booking.Lock, 0, len(raw)/5)
	for i := 0; i+4 < len(raw); i += 5 {
		token, _ := raw[i].(string)
		nums := make([]int64, 4)
		for j := range nums {
			nums[j], _ = raw[i+1+j].(int64)
		}
		out = append(out, booking.Lock{Slot: booking.Slot{StaffID: staffID, Start: time.UnixMilli(nums[0]).UTC(),
			End: time.UnixMilli(nums[1]).UTC()}, Token: token, ExpiresAt: time.UnixMilli(nums[2]), Fence: nums[3]})
	}
	return out, nil
}

// decode reads {ok, fence, expiry, start, end}.
func (l *Locker) decode(staffID, token string, res []int64) (booking.Lock, error) {
	if len(res) == 0 || res[0] == 0 {
		return booking.Lock{}, booking.ErrLockLost
	}
	if len(res) < 5 {
		return booking.Lock{}, fmt.Errorf("reservation reply: %w", errors.ErrUnsupported)
	}
	return booking.Lock{Slot: booking.Slot{StaffID: staffID, Start: time.UnixMilli(res[3]).UTC(), End: time.UnixMilli(res[4]).UTC()},
		Token: token, Fence: res[1], ExpiresAt: time.UnixMilli(res[2])}, nil
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
