package lock_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/lock"
)

var base = time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)

func slot(staff string, startMin, endMin int) booking.Slot {
	return booking.Slot{StaffID: staff, Start: base.Add(time.Duration(startMin) * time.Minute),
		End: base.Add(time.Duration(endMin) * time.Minute)}
}

func newLocker(t *testing.T) *lock.Locker {
	env := testenv.Redis(t)
	return lock.New(env.Client, env.Prefix+"askpro")
}

func TestReserveRefusesOverlapsOnly(t *testing.T) {
	tests := []struct {
		name   string
		second booking.Slot
		err    error
	}{
		{"same start", slot("anna", 0, 60), booking.ErrSlotLocked},
		{"overlapping later start", slot("anna", 30, 90), booking.ErrSlotLocked},
		{"overlapping earlier start", slot("anna", -30, 30), booking.ErrSlotLocked},
		{"inside", slot("anna", 10, 20), booking.ErrSlotLocked},
		{"enclosing", slot("anna", -60, 120), booking.ErrSlotLocked},
		{"back to back after", slot("anna", 60, 120), nil},
		{"back to back before", slot("anna", -60, 0), nil},
		{"other staff same time", slot("ben", 0, 60), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLocker(t)
			first, err := l.Reserve(t.Context(), slot("anna", 0, 60), time.Minute)
			require.NoError(t, err)
			require.NotEmpty(t, first.Token)
			_, err = l.Reserve(t.Context(), tc.second, time.Minute)
			if tc.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.err)
			}
		})
	}
}

func TestReleaseAndExtendCompareToken(t *testing.T) {
	l := newLocker(t)
	ctx := t.Context()
	held, err := l.Reserve(ctx, slot("anna", 0, 60), time.Minute)
	require.NoError(t, err)
	stranger := held
	stranger.Token = "not-the-token"
	require.ErrorIs(t, l.Release(ctx, stranger), booking.ErrLockLost)
	_, err = l.Extend(ctx, stranger, time.Minute)
	require.ErrorIs(t, err, booking.ErrLockLost)

	ext, err := l.Extend(ctx, held, 2*time.Minute)
	require.NoError(t, err)
	require.Equal(t, held.Fence, ext.Fence)
	require.True(t, ext.Start.Equal(held.Start) && ext.End.Equal(held.End))

	got, err := l.Lookup(ctx, "anna", held.Token)
	require.NoError(t, err)
	require.Equal(t, held.Fence, got.Fence)

	list, err := l.Reservations(ctx, "anna")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.True(t, list[0].Start.Equal(held.Start))

	require.NoError(t, l.Release(ctx, held))
	require.ErrorIs(t, l.Release(ctx, held), booking.ErrLockLost)
	_, err = l.Reserve(ctx, slot("anna", 0, 60), time.Minute)
	require.NoError(t, err)
}

func TestExpiredReservationFreesSlotAndLosesExtend(t *testing.T) {
	l := newLocker(t)
	ctx := t.Context()
	old, err := l.Reserve(ctx, slot("anna", 0, 60), 50*time.Millisecond)
	require.NoError(t, err)
	var next booking.Lock
	testenv.Eventually(t, 30*time.Second, func() bool {
		next, err = l.Reserve(ctx, slot("anna", 30, 90), time.Minute)
		return err == nil
	})
	require.Greater(t, next.Fence, old.Fence, "fence is monotonic")
	_, err = l.Extend(ctx, old, time.Minute)
	require.ErrorIs(t, err, booking.ErrLockLost)
	require.ErrorIs(t, l.Release(ctx, old), booking.ErrLockLost)
}

func TestConcurrentOverlappingReservations(t *testing.T) {
	l := newLocker(t)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			// Every request overlaps minute 0–60 of anna; starts differ.
			if _, err := l.Reserve(t.Context(), slot("anna", i%30, 60+i%30), time.Minute); err == nil {
				wins.Add(1)
			} else {
				require.ErrorIs(t, err, booking.ErrSlotLocked)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
}

// ReserveAs: the same owner takes its live reservation over, with a new fence; another owner,
// or an anonymous Reserve, still meets the lock; after release the owner starts afresh.
func TestReserveAsTakesOverTheOwnersReservation(t *testing.T) {
	l := newLocker(t)
	ctx := t.Context()
	first, err := l.ReserveAs(ctx, slot("anna", 0, 60), time.Minute, "call-1:anna:13:00")
	require.NoError(t, err)
	require.False(t, first.Resumed)

	_, err = l.ReserveAs(ctx, slot("anna", 30, 90), time.Minute, "call-2:anna:13:30")
	require.ErrorIs(t, err, booking.ErrSlotLocked)
	_, err = l.Reserve(ctx, slot("anna", 0, 60), time.Minute)
	require.ErrorIs(t, err, booking.ErrSlotLocked)

	again, err := l.ReserveAs(ctx, slot("anna", 0, 60), time.Minute, "call-1:anna:13:00")
	require.NoError(t, err)
	require.True(t, again.Resumed)
	require.Equal(t, first.Token, again.Token)
	require.Greater(t, again.Fence, first.Fence, "a takeover is a new fencing epoch")
	held, err := l.Reservations(ctx, "anna")
	require.NoError(t, err)
	require.Len(t, held, 1, "taken over, not added")

	require.NoError(t, l.Release(ctx, again))
	fresh, err := l.ReserveAs(ctx, slot("anna", 0, 60), time.Minute, "call-1:anna:13:00")
	require.NoError(t, err)
	require.False(t, fresh.Resumed)
}
