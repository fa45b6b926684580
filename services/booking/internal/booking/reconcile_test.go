package booking_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestReconcile(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(f *fixture)
		act      func(t *testing.T, f *fixture)
		heal     func(f *fixture)
		calendar int // Cal.com bookings after reconciling
		active   int // local appointments after reconciling
	}{
		{name: "cal.com booking without appointment is cancelled", fail: func(f *fixture) {
			f.store.createErr = fmt.Errorf("db: %w", booking.ErrUpstream)
			f.cal.cancelErr = fmt.Errorf("cal.com: %w", booking.ErrUpstream)
		}, act: func(t *testing.T, f *fixture) {
			_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.Error(t, err)
		}, heal: func(f *fixture) { f.cal.cancelErr = nil }},
		{name: "timed-out write that committed is kept", fail: func(f *fixture) { f.store.commitThenFail = true },
			act: func(t *testing.T, f *fixture) {
				_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
				require.Error(t, err)
			}, calendar: 1, active: 1},
		{name: "cancelled at cal.com, then here", fail: func(f *fixture) {
			f.store.cancelErr = fmt.Errorf("db: %w", booking.ErrUpstream)
		}, act: func(t *testing.T, f *fixture) {
			made, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.NoError(t, err)
			_, err = f.svc.Cancel(t.Context(), booking.CancelRequest{CompanyID: company, ConfirmationNumber: made.Booking.ConfirmationNumber})
			require.Error(t, err)
		}, heal: func(f *fixture) { f.store.cancelErr = nil }},
		{name: "lost answer of a create that booked: found by key and cancelled", fail: func(f *fixture) {
			f.cal.lostReply = fmt.Errorf("cal.com: %w: %w", booking.ErrUpstream, context.DeadlineExceeded)
		},
			act: func(t *testing.T, f *fixture) {
				_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.Equal(t, 1, f.cal.count(), "Cal.com booked it")
			}},
		{name: "lost answer of a create that booked and was then written: kept", fail: func(f *fixture) {
			f.cal.lostReply = fmt.Errorf("cal.com: %w: %w", booking.ErrUpstream, context.DeadlineExceeded)
		},
			act: func(t *testing.T, f *fixture) {
				_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
				require.Error(t, err)
				uid := ""
				for id := range f.cal.bookings {
					uid = id
				}
				_, err = f.store.CreateAppointment(t.Context(), booking.NewAppointment{CompanyID: company, StaffID: "anna",
					CalcomBookingID: uid, Start: wish, End: wish.Add(time.Hour)})
				require.NoError(t, err)
			}, calendar: 1, active: 1},
		{name: "create whose outcome Cal.com could not settle: found by key and cancelled", fail: func(f *fixture) {
			f.cal.lostReply = fmt.Errorf("cal.com: %w: %w", booking.ErrUpstream, booking.ErrOutcomeUnknown)
		}, act: func(t *testing.T, f *fixture) {
			_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.ErrorIs(t, err, booking.ErrUpstream)
		}},
		{name: "instance died after Cal.com booked: its write-ahead record cancels the booking", fail: func(*fixture) {},
			act: func(t *testing.T, f *fixture) {
				died := make(chan struct{})
				f.cal.afterCreate = func(context.Context) { close(died); runtime.Goexit() }
				go func() { _, _ = f.svc.Create(t.Context(), request("anna", wish, "k")) }()
				<-died
				require.Equal(t, 1, f.cal.count(), "Cal.com booked it")
			}},
		{name: "timed-out create that never booked: nothing to undo", fail: func(f *fixture) {
			f.cal.createErr = fmt.Errorf("cal.com: %w: %w", booking.ErrUpstream, context.DeadlineExceeded)
		}, act: func(t *testing.T, f *fixture) {
			_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.Error(t, err)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(now.UnixNano())
			f := newFixture(t, booking.Config{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
			tc.fail(f)
			tc.act(t, f)
			orphans, err := f.ledger.Orphans(t.Context())
			require.NoError(t, err)
			require.Len(t, orphans, 1)
			if tc.heal != nil {
				tc.heal(f)
			}
			resolved, left, err := f.svc.Reconcile(t.Context())
			require.NoError(t, err)
			require.Equal(t, 0, resolved, "too young to touch")
			require.Equal(t, 1, left)
			clock.Add(int64(3 * time.Minute))
			resolved, left, err = f.svc.Reconcile(t.Context())
			require.NoError(t, err)
			require.Equal(t, 1, resolved)
			require.Zero(t, left)
			require.Equal(t, tc.calendar, f.cal.count())
			require.Len(t, f.store.active(), tc.active)
			orphans, err = f.ledger.Orphans(t.Context())
			require.NoError(t, err)
			require.Empty(t, orphans)
		})
	}
}
