package calendar_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/calendar"
)

type fakeCaller struct {
	params any
	result calcom.AvailabilityResult
	err    error
}

func (f *fakeCaller) Call(_ context.Context, service, method string, params, result any, _ ...rpc.CallOption) error {
	f.params = params
	if f.err != nil {
		return f.err
	}
	if r, ok := result.(*calcom.AvailabilityResult); ok {
		*r = f.result
	}
	return nil
}

func TestSlotsAsksLocalDatesAndKeepsTheWindow(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	day := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc).UTC() }
	f := &fakeCaller{result: calcom.AvailabilityResult{Slots: []calcom.Slot{{Start: day(1, 0, 30)}, {Start: day(1, 14, 0)}, {Start: day(2, 0, 0)}}}}
	got, err := calendar.New(f).Slots(t.Context(), booking.SlotQuery{CompanyID: "c1", EventType: booking.EventType{CalcomEventTypeID: 7},
		Staff: booking.Staff{ID: "anna"}, From: day(1, 0, 0), To: day(2, 0, 0), TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	p := f.params.(calcom.AvailabilityParams)
	require.Equal(t, "2026-12-01", p.From)
	require.Equal(t, "2026-12-01", p.To, "To is exclusive: midnight does not ask for the next day")
	require.Equal(t, int64(7), p.EventTypeID)
	require.Equal(t, []time.Time{day(1, 0, 30), day(1, 14, 0)}, got)
}

// A staff member with their own Cal.com event type of the service is asked about and booked
// through it; a colleague without one through the service's.
func TestStaffOwnEventTypeIsUsed(t *testing.T) {
	et := booking.EventType{ID: "cut", CalcomEventTypeID: 7}
	anna := booking.Staff{ID: "anna", CalcomEventTypes: map[string]int64{"cut": 1107}}
	ben := booking.Staff{ID: "ben", CalcomEventTypes: map[string]int64{"color": 1203}}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		staff booking.Staff
		want  int64
	}{{anna, 1107}, {ben, 7}} {
		f := &fakeCaller{}
		_, err := calendar.New(f).Slots(t.Context(), booking.SlotQuery{CompanyID: "c1", EventType: et, Staff: tc.staff,
			From: start, To: start.Add(time.Hour), TimeZone: "Europe/Berlin"})
		require.NoError(t, err)
		require.Equal(t, tc.want, f.params.(calcom.AvailabilityParams).EventTypeID)
		_, err = calendar.New(f).CreateBooking(t.Context(), booking.CalendarBooking{CompanyID: "c1", EventType: et,
			Staff: tc.staff, Start: start, TimeZone: "Europe/Berlin"})
		require.NoError(t, err)
		require.Equal(t, tc.want, f.params.(calcom.CreateBookingParams).EventTypeID)
	}
}

func TestErrorsBecomeDomainErrors(t *testing.T) {
	tests := []struct {
		name string
		wire error
		want error
	}{
		{"conflict", rpc.NewError(rpc.CodeConflict, "taken", nil), booking.ErrSlotTaken},
		{"not found", rpc.ErrNotFound, booking.ErrNotFound},
		{"validation", rpc.ErrValidation, booking.ErrValidation},
		{"unavailable", rpc.ErrUpstreamUnavailable, booking.ErrUpstream},
		{"deadline", rpc.ErrDeadlineExceeded, context.DeadlineExceeded},
		{"transport", errors.New("redis down"), booking.ErrUpstream},
		{"outcome unknown", rpc.NewError(rpc.CodeUpstreamUnavailable, "booking outcome unknown",
			calcom.ErrorData{OutcomeUnknown: true}), booking.ErrOutcomeUnknown},
		// As it arrives over the bus: the data decoded into a generic map.
		{"outcome unknown from the wire", rpc.NewError(rpc.CodeUpstreamUnavailable, "booking outcome unknown",
			map[string]any{"outcome_unknown": true}), booking.ErrOutcomeUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := calendar.New(&fakeCaller{err: tc.wire}).CreateBooking(t.Context(), booking.CalendarBooking{CompanyID: "c1"})
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, tc.wire, "the wire error stays in the chain")
		})
	}
	_, err := calendar.New(&fakeCaller{err: rpc.ErrUpstreamUnavailable}).CreateBooking(t.Context(), booking.CalendarBooking{CompanyID: "c1"})
	require.NotErrorIs(t, err, booking.ErrOutcomeUnknown, "a plain failure booked nothing")
}
