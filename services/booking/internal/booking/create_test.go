package booking_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestCreateBooksAndConfirmsInGerman(t *testing.T) {
	f := newFixture(t, booking.Config{})
	res, err := f.svc.Create(t.Context(), request("anna", wish, "call-1"))
	require.NoError(t, err)
	require.Equal(t, "anna", res.Booking.StaffID)
	require.True(t, res.Booking.End.Equal(wish.Add(time.Hour)))
	require.NotEmpty(t, res.Booking.CalcomBookingID)
	require.Contains(t, res.Message, "Ihr Termin für Haarschnitt bei Anna ist gebucht: Dienstag, 1. Dezember, um 14:30 Uhr.")
	require.Contains(t, res.Message, res.Spoken)
	require.Equal(t, 1, f.cal.count())
	reservations, err := f.locker.Reservations(t.Context(), "anna")
	require.NoError(t, err)
	require.Empty(t, reservations, "lock released")
	c, err := f.store.Customer(t.Context(), company, res.Booking.CustomerID)
	require.NoError(t, err)
	require.Equal(t, "+4915112345678", c.Phone)
}

// TestCreateContention: 50 concurrent requests per scenario, exactly one booking per free
// interval, none overlapping, and Cal.com holds exactly the bookings we hold.
func TestCreateContention(t *testing.T) {
	tests := []struct {
		name   string
		starts []time.Time // requests cycle through these
		want   int
	}{
		{"same slot", []time.Time{wish}, 1},
		{"overlapping slots, one interval", []time.Time{at(1, 14, 0), wish}, 1},
		{"two disjoint groups", []time.Time{at(1, 13, 0), at(1, 13, 30), at(1, 14, 30), at(1, 15, 0)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{})
			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range 50 {
				wg.Go(func() {
					_, errs[i] = f.svc.Create(t.Context(), request("anna", tc.starts[i%len(tc.starts)], fmt.Sprintf("call-%d", i)))
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
					continue
				}
				require.True(t, errors.Is(err, booking.ErrSlotLocked) || errors.Is(err, booking.ErrSlotTaken), "unexpected %v", err)
			}
			require.Equal(t, tc.want, ok)
			active := f.store.active()
			require.Len(t, active, tc.want)
			for i := range active {
				for j := range i {
					require.False(t, active[i].Slot().Overlaps(active[j].Start, active[j].End), "overlap")
				}
			}
			require.Equal(t, tc.want, f.cal.count(), "no orphans at Cal.com")
			orphans, err := f.ledger.Orphans(t.Context())
			require.NoError(t, err)
			require.Empty(t, orphans)
		})
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	f := newFixture(t, booking.Config{})
	first, err := f.svc.Create(t.Context(), request("anna", wish, "call-7"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	results := make([]booking.CreateResult, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Go(func() { results[i], errs[i] = f.svc.Create(t.Context(), request("anna", wish, "call-7")) })
	}
	wg.Wait()
	for i := range 20 {
		require.NoError(t, errs[i])
		require.Equal(t, first, results[i])
	}
	require.Len(t, f.store.active(), 1)
	require.Equal(t, 1, f.cal.count())
	orphans, err := f.ledger.Orphans(t.Context())
	require.NoError(t, err)
	require.Empty(t, orphans, "a settled create leaves no reconciliation record")
}

func TestCreateDerivesKeyFromCall(t *testing.T) {
	f := newFixture(t, booking.Config{})
	req := request("anna", wish, "")
	req.CallID = "retell-42"
	first, err := f.svc.Create(t.Context(), req)
	require.NoError(t, err)
	again, err := f.svc.Create(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, first, again)
}

func TestCreateUpstreamFailureLeavesNothing(t *testing.T) {
	tests := []struct {
		name       string
		prepare    func(f *fixture)
		timeout    time.Duration
		err        error
		calendar   int
		orphans    int
		retryWorks bool
	}{
		{name: "cal.com 5xx", prepare: func(f *fixture) { f.cal.createErr = fmt.Errorf("cal.com 503: %w", booking.ErrUpstream) },
			err: booking.ErrUpstream, retryWorks: true},
		{name: "cal.com timeout", timeout: 200 * time.Millisecond, prepare: func(f *fixture) {
			f.cal.beforeCreate = func(ctx context.Context) error {
				<-ctx.Done()
				return fmt.Errorf("%w: %w", booking.ErrUpstream, ctx.Err())
			}
		}, err: context.DeadlineExceeded, orphans: 1, retryWorks: true},
		{name: "local write fails, upstream undone", prepare: func(f *fixture) { f.store.createErr = fmt.Errorf("db down: %w", booking.ErrUpstream) },
			err: booking.ErrUpstream},
		{name: "local write timed out: kept and recorded, not cancelled", prepare: func(f *fixture) {
			f.store.createErr = fmt.Errorf("appointments.create: %w: %w", booking.ErrUpstream, context.DeadlineExceeded)
		}, err: context.DeadlineExceeded, calendar: 1, orphans: 1},
		{name: "local write and undo fail: recorded", prepare: func(f *fixture) {
			f.store.createErr = fmt.Errorf("db down: %w", booking.ErrUpstream)
			f.cal.cancelErr = fmt.Errorf("cal.com down: %w", booking.ErrUpstream)
		}, err: booking.ErrUpstream, calendar: 1, orphans: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{})
			tc.prepare(f)
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := f.svc.Create(ctx, request("anna", wish, "call-9"))
			require.ErrorIs(t, err, tc.err)
			require.Empty(t, f.store.active())
			require.Equal(t, tc.calendar, f.cal.count())
			locks, err := f.locker.Reservations(t.Context(), "anna")
			require.NoError(t, err)
			require.Empty(t, locks, "lock released")
			orphans, err := f.ledger.Orphans(t.Context())
			require.NoError(t, err)
			require.Len(t, orphans, tc.orphans)
			if tc.retryWorks {
				f.cal.createErr, f.cal.beforeCreate = nil, nil
				_, err = f.svc.Create(t.Context(), request("anna", wish, "call-9"))
				require.NoError(t, err, "the idempotency key was released")
			}
		})
	}
}

// TestLockExpiryMidBookingIsCaught: request A's reservation expires while Cal.com is slow;
// request B takes the slot's reservation; A's fencing check then refuses to write, and A's
// Cal.com booking is undone.
func TestLockExpiryMidBookingIsCaught(t *testing.T) {
	f := newFixture(t, booking.Config{LockTTL: 300 * time.Millisecond, LockMargin: 50 * time.Millisecond})
	release := make(chan struct{})
	booked := make(chan struct{})
	f.cal.afterCreate = func(context.Context) { close(booked); <-release }
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Create(t.Context(), request("anna", wish, "call-a"))
		done <- err
	}()
	<-booked
	var other booking.Lock
	testenv.Eventually(t, 30*time.Second, func() bool {
		var err error
		other, err = f.locker.Reserve(t.Context(), booking.Slot{StaffID: "anna", Start: wish, End: wish.Add(time.Hour)}, time.Minute)
		return err == nil
	}, "A's reservation never expired")
	f.cal.afterCreate = nil
	close(release)
	require.ErrorIs(t, <-done, booking.ErrLockLost)
	require.Empty(t, f.store.active(), "nothing written under a lost reservation")
	require.Zero(t, f.cal.count(), "A's Cal.com booking was undone")
	require.NoError(t, f.locker.Release(t.Context(), other))
}

func TestCreateUnderReservation(t *testing.T) {
	f := newFixture(t, booking.Config{})
	_, err := f.svc.ReserveSlot(t.Context(), company, booking.Slot{StaffID: "stranger", Start: wish, End: wish.Add(time.Hour)}, 0)
	require.ErrorIs(t, err, booking.ErrNotFound, "only the tenant's own staff")
	held, err := f.svc.ReserveSlot(t.Context(), company, booking.Slot{StaffID: "anna", Start: wish, End: wish.Add(time.Hour)}, time.Minute)
	require.NoError(t, err)
	_, err = f.svc.Create(t.Context(), request("anna", wish, "someone-else"))
	require.ErrorIs(t, err, booking.ErrSlotLocked)
	req := request("anna", wish, "holder")
	req.ReservationToken = held.Token
	res, err := f.svc.Create(t.Context(), req)
	require.NoError(t, err)
	require.Len(t, f.store.fences, 1)
	require.Equal(t, held.Fence, f.store.fences[0], "the fence travels with the write")
	_, err = f.locker.Lookup(t.Context(), "anna", held.Token)
	require.ErrorIs(t, err, booking.ErrLockLost, "reservation consumed")
	require.Equal(t, "anna", res.Booking.StaffID)
}

// A run that dies after Cal.com accepted its booking (here: one frozen right after) leaves the
// reservation, the Cal.com booking and its in-progress marker. The bus delivers the same entry
// to another instance; that run takes the reservation over, finds the Cal.com booking by its
// key and writes the appointment for it: the caller is booked, once, and nothing is orphaned.
// When the frozen run wakes up, its write is refused and the booking is kept, not undone.
func TestCreateResumesAfterItsFirstRunDiedPastCalcom(t *testing.T) {
	f := newFixture(t, booking.Config{})
	ctx := rpc.WithEntryID(t.Context(), "1732530000000-0")
	frozen, wake := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.cal.afterCreate = func(context.Context) {
		once.Do(func() { close(frozen); <-wake })
	}
	firstErr := make(chan error, 1)
	go func() {
		_, err := f.svc.Create(ctx, request("anna", wish, "call-9"))
		firstErr <- err
	}()
	<-frozen

	res, err := f.svc.Create(ctx, request("anna", wish, "call-9"))
	require.NoError(t, err)
	require.Equal(t, "cal-1", res.Booking.CalcomBookingID, "the first run's Cal.com booking")
	require.Equal(t, 1, f.cal.count(), "no second Cal.com booking")
	require.Len(t, f.store.active(), 1)

	// The same entry again (the bus delivering it once more): the stored result.
	again, err := f.svc.Create(ctx, request("anna", wish, "call-9"))
	require.NoError(t, err)
	require.Equal(t, res, again)

	close(wake)
	require.Error(t, <-firstErr, "the frozen run's write is refused")
	require.Equal(t, 1, f.cal.count(), "the Cal.com booking was kept, not undone")
	require.Len(t, f.store.active(), 1)
	orphans, err := f.ledger.Orphans(t.Context())
	require.NoError(t, err)
	require.Empty(t, orphans, "the first run's write-ahead record is resolved once it settles")
}
