package booking_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestCancel(t *testing.T) {
	tests := []struct {
		name string
		req  func(b booking.Booking) booking.CancelRequest
		err  error
	}{
		{"by confirmation number", func(b booking.Booking) booking.CancelRequest {
			return booking.CancelRequest{CompanyID: company, ConfirmationNumber: b.ConfirmationNumber}
		}, nil},
		{"by phone and date", func(booking.Booking) booking.CancelRequest {
			return booking.CancelRequest{CompanyID: company, Phone: "+4915112345678", Date: "2026-12-01", TimeZone: "Europe/Berlin"}
		}, nil},
		{"by phone and date in the company's zone", func(booking.Booking) booking.CancelRequest {
			return booking.CancelRequest{CompanyID: company, Phone: "+4915112345678", Date: "2026-12-01"}
		}, nil},
		{"by phone, other date", func(booking.Booking) booking.CancelRequest {
			return booking.CancelRequest{CompanyID: company, Phone: "+4915112345678", Date: "2026-12-02", TimeZone: "Europe/Berlin"}
		}, booking.ErrNotFound},
		{"nothing to go by", func(booking.Booking) booking.CancelRequest {
			return booking.CancelRequest{CompanyID: company}
		}, booking.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{})
			made, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.NoError(t, err)
			res, err := f.svc.Cancel(t.Context(), tc.req(made.Booking))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Len(t, f.store.active(), 1)
				return
			}
			require.NoError(t, err)
			require.Equal(t, booking.StatusCancelled, res.Booking.Status)
			require.Equal(t, "Ihr Termin am Dienstag, 1. Dezember, um 14:30 Uhr ist storniert.", res.Message)
			require.Empty(t, f.store.active())
			require.Zero(t, f.cal.count(), "mirrored to Cal.com")
			again, err := f.svc.Cancel(t.Context(), booking.CancelRequest{CompanyID: company, ConfirmationNumber: made.Booking.ConfirmationNumber})
			require.NoError(t, err, "cancel is repeatable")
			require.Equal(t, res.Message, again.Message)
		})
	}
}

func TestCancelByPhoneAmbiguous(t *testing.T) {
	f := newFixture(t, booking.Config{})
	for _, start := range []time.Time{at(1, 10, 0), at(1, 16, 0)} {
		_, err := f.svc.Create(t.Context(), request("anna", start, start.String()))
		require.NoError(t, err)
	}
	_, err := f.svc.Cancel(t.Context(), booking.CancelRequest{CompanyID: company, Phone: "+4915112345678", Date: "2026-12-01", TimeZone: "Europe/Berlin"})
	require.ErrorIs(t, err, booking.ErrAmbiguous)
	require.Len(t, f.store.active(), 2)
}

func TestReschedule(t *testing.T) {
	tests := []struct {
		name  string
		staff string
		to    time.Time
		err   error
	}{
		{"later the same day", "", at(1, 17, 0), nil},
		{"overlapping its own old time", "", at(1, 15, 0), nil},
		{"to another staff member", "ben", wish, nil},
		{"into a booked slot", "", at(1, 10, 0), booking.ErrSlotTaken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{})
			_, err := f.svc.Create(t.Context(), request("anna", at(1, 10, 0), "other"))
			require.NoError(t, err)
			made, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
			require.NoError(t, err)
			res, err := f.svc.Reschedule(t.Context(), booking.RescheduleRequest{CompanyID: company,
				ConfirmationNumber: made.Booking.ConfirmationNumber, StaffID: tc.staff, Start: tc.to})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Len(t, f.store.active(), 2, "nothing moved")
				require.Equal(t, 2, f.cal.count())
				return
			}
			require.NoError(t, err)
			require.True(t, res.Booking.Start.Equal(tc.to))
			require.Equal(t, made.Booking.ID, res.Booking.RescheduledFrom)
			require.Contains(t, res.Message, "von Dienstag, 1. Dezember, um 14:30 Uhr auf")
			require.Len(t, f.store.active(), 2)
			require.Equal(t, 2, f.cal.count(), "old Cal.com booking released, new one held")
			require.Equal(t, made.Booking.CustomerID, res.Booking.CustomerID)
		})
	}
}

// TestRescheduleRace: two appointments are moved into the same free slot at once; exactly one
// move wins and the other appointment stays where it was.
func TestRescheduleRace(t *testing.T) {
	f := newFixture(t, booking.Config{})
	var numbers []string
	for _, start := range []time.Time{at(1, 10, 0), at(1, 12, 0)} {
		r, err := f.svc.Create(t.Context(), request("anna", start, start.String()))
		require.NoError(t, err)
		numbers = append(numbers, r.Booking.ConfirmationNumber)
	}
	target := at(1, 16, 0)
	var wg sync.WaitGroup
	errs := make([]error, 2*len(numbers))
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.svc.Reschedule(t.Context(), booking.RescheduleRequest{CompanyID: company,
				ConfirmationNumber: numbers[i%2], Start: target.Add(time.Duration(i/2) * 30 * time.Minute)})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		}
	}
	require.Equal(t, 1, wins, "errors: %v", errs)
	active := f.store.active()
	require.Len(t, active, 2)
	require.False(t, active[0].Slot().Overlaps(active[1].Start, active[1].End))
	require.Equal(t, 2, f.cal.count())
}

func TestHandleConflict(t *testing.T) {
	f := newFixture(t, booking.Config{SearchDays: 3})
	_, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
	require.NoError(t, err)
	alt, err := f.svc.HandleConflict(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", StaffID: "anna", At: wish})
	require.NoError(t, err)
	require.Len(t, alt.SameStaff, 3)
	require.True(t, alt.SameStaff[0].Start.Equal(at(1, 13, 30)))
	for _, o := range alt.SameStaff {
		require.Equal(t, "anna", o.StaffID)
		require.False(t, o.Overlaps(wish, wish.Add(time.Hour)))
	}
	require.Len(t, alt.OtherStaff, 1)
	require.Equal(t, "ben", alt.OtherStaff[0].StaffID)
	require.True(t, alt.OtherStaff[0].Start.Equal(wish))
	require.Len(t, alt.NextDays, 3)
	for i, o := range alt.NextDays {
		require.True(t, o.Start.Equal(at(2+i, 14, 30)), "day %d: %s", i, o.Spoken)
	}
	require.Contains(t, alt.Message, "Leider ist Dienstag, 1. Dezember, um 14:30 Uhr nicht mehr frei.")
	require.Contains(t, alt.Message, "Dienstag, 1. Dezember, um 13:30 Uhr bei Anna")
}

func TestConfirmSendsGermanText(t *testing.T) {
	f := newFixture(t, booking.Config{})
	made, err := f.svc.Create(t.Context(), request("anna", wish, "k"))
	require.NoError(t, err)
	tests := []struct {
		kind booking.EventKind
		want string
	}{
		{booking.EventCreated, "Guten Tag Erika Muster, Ihr Termin bei Salon Mitte am Dienstag, 1. Dezember, um 14:30 Uhr ist gebucht."},
		{booking.EventCancelled, "Ihr Termin bei Salon Mitte am Dienstag, 1. Dezember, um 14:30 Uhr wurde storniert."},
		{booking.EventRescheduled, "wurde auf Dienstag, 1. Dezember, um 14:30 Uhr verlegt."},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			require.NoError(t, f.svc.Confirm(t.Context(), booking.Event{ID: "e-" + string(tc.kind), Kind: tc.kind,
				CompanyID: company, Booking: made.Booking}))
			last := f.notify.sent[len(f.notify.sent)-1]
			require.Contains(t, last.Text, tc.want)
			require.Equal(t, "+4915112345678", last.To.Phone)
		})
	}
	err = f.svc.Confirm(t.Context(), booking.Event{ID: "x", Kind: booking.EventCreated, CompanyID: company,
		Booking: booking.Booking{ID: "unknown", BranchID: branch}})
	require.NoError(t, err, "no contact: nothing to send")
	require.False(t, errors.Is(err, booking.ErrNotFound))
}
