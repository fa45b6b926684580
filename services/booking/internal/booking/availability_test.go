package booking_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestSpokenTime(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"winter", wish, "Dienstag, 1. Dezember, um 14:30 Uhr"},
		{"summer time", time.Date(2026, 7, 4, 7, 5, 0, 0, time.UTC), "Samstag, 4. Juli, um 9:05 Uhr"},
		{"day the clocks go back", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), "Sonntag, 25. Oktober, um 3:30 Uhr"},
		{"day the clocks go forward", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), "Sonntag, 29. März, um 3:30 Uhr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, booking.SpokenTime(tc.t, berlin))
		})
	}
	require.Equal(t, "K 7 M 2 P 9", booking.SpokenCode("K7M2P9"))
}

func TestCheckAvailability(t *testing.T) {
	tests := []struct {
		name      string
		staff     string
		prepare   func(t *testing.T, f *fixture)
		exact     bool
		wantFirst []time.Time
		wantStaff []string
		err       error
	}{
		{name: "wished time free with anna", staff: "anna", exact: true,
			wantFirst: []time.Time{wish, at(1, 14, 0), at(1, 15, 0)}},
		{name: "booked: nearest around it", staff: "anna", prepare: func(t *testing.T, f *fixture) {
			_, err := f.svc.Create(t.Context(), request("anna", wish, "k1"))
			require.NoError(t, err)
		}, wantFirst: []time.Time{at(1, 13, 30), at(1, 15, 30), at(1, 13, 0)}},
		{name: "reserved: overlapping starts left out", staff: "anna", prepare: func(t *testing.T, f *fixture) {
			_, err := f.locker.Reserve(t.Context(), booking.Slot{StaffID: "anna", Start: wish, End: wish.Add(time.Hour)}, time.Minute)
			require.NoError(t, err)
		}, wantFirst: []time.Time{at(1, 13, 30), at(1, 15, 30), at(1, 13, 0)}},
		{name: "any staff: only those who offer the service", exact: true,
			wantFirst: []time.Time{wish, wish, at(1, 14, 0)}, wantStaff: []string{"anna", "ben", "anna"}},
		{name: "staff who does not offer it", staff: "carl", err: booking.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{})
			if tc.prepare != nil {
				tc.prepare(t, f)
			}
			a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
				EventTypeID: "cut", StaffID: tc.staff, At: wish})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.exact, a.Exact)
			require.Len(t, a.Options, len(tc.wantFirst))
			for i, w := range tc.wantFirst {
				require.True(t, w.Equal(a.Options[i].Start), "option %d: %s, want %s", i, a.Options[i].Start, w)
				if tc.wantStaff != nil {
					require.Equal(t, tc.wantStaff[i], a.Options[i].StaffID)
				}
			}
			require.NotEmpty(t, a.Message)
			require.Equal(t, booking.SpokenTime(a.Options[0].Start, berlin), a.Options[0].Spoken)
		})
	}
}

// TestAvailabilityOnTheDaysTheClocksChange: the local day is 25 or 23 hours long, and every
// option reads back in local time.
func TestAvailabilityOnTheDaysTheClocksChange(t *testing.T) {
	tests := []struct {
		name  string
		at    time.Time // 10:00 local
		first string
		count int
	}{
		{"clocks go back", time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC), "Sonntag, 25. Oktober, um 10 Uhr", 17},
		{"clocks go forward", time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC), "Sonntag, 29. März, um 10 Uhr", 17},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{Now: func() time.Time { return tc.at.AddDate(0, 0, -1) }})
			a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
				EventTypeID: "cut", StaffID: "anna", At: tc.at, Limit: 100})
			require.NoError(t, err)
			require.True(t, a.Exact)
			require.Equal(t, tc.first, a.Options[0].Spoken)
			require.Len(t, a.Options, tc.count, "09:00 to 17:00 local, every 30 minutes")
		})
	}
}

func TestCheckAvailabilityNeedsTimeOrRange(t *testing.T) {
	f := newFixture(t, booking.Config{})
	_, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch, EventTypeID: "cut"})
	require.ErrorIs(t, err, booking.ErrValidation)
}
