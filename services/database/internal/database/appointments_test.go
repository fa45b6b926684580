package database

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

func TestOverlappingAppointmentsExactlyOneWins(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	cases := []struct {
		name   string
		starts []int // minutes; every booking lasts 60
	}{
		{"same start", []int{0, 0, 0, 0, 0, 0}},
		{"different starts that overlap", []int{-30, 0, 15, 29, -29, 10}}, // all hold minute 29
		{"fifty at once", crowd(50)},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := i * 24 * 60 // each case on its own day
			var wg sync.WaitGroup
			errs := make([]error, len(tc.starts))
			for j, start := range tc.starts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[j] = e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, base+start, 60))
				}()
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				require.ErrorIs(t, err, ErrSlotTaken)
			}
			require.Equal(t, 1, won)
		})
	}
}

// crowd is n starts that all hold minute 0: inserters of overlapping rows that wait on each
// other inside the exclusion constraint's index are what deadlocks without the staff lock.
func crowd(n int) []int {
	starts := make([]int, n)
	for i := range starts {
		starts[i] = -(i % 60)
	}
	return starts
}

func TestBackToBackAndOtherStaffDoNotConflict(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	_, err := e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 0, 60))
	require.NoError(t, err)
	_, err = e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 60, 60))
	require.NoError(t, err, "half-open ranges: 11:00 may follow 10:00-11:00")
	_, err = e.store.CreateAppointment(t.Context(), booking(tn, tn.colleague, 0, 60))
	require.NoError(t, err)
}

func TestCancelledAppointmentFreesItsSlot(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	a, err := e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 0, 60))
	require.NoError(t, err)
	_, err = e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 30, 60))
	require.ErrorIs(t, err, ErrSlotTaken)

	c, err := e.store.CancelAppointment(t.Context(), api.CancelAppointmentParams{CompanyID: tn.company.ID, AppointmentID: a.ID, Reason: "caller asked"})
	require.NoError(t, err)
	require.Equal(t, api.StatusCancelled, c.Status)
	again, err := e.store.CancelAppointment(t.Context(), api.CancelAppointmentParams{CompanyID: tn.company.ID, AppointmentID: a.ID})
	require.NoError(t, err, "cancelling twice is harmless")
	require.Equal(t, c.CancelledAt, again.CancelledAt)

	_, err = e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 30, 60))
	require.NoError(t, err)
}

func TestRescheduleIsAtomic(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	a, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, 0, 60))
	require.NoError(t, err)
	blocker, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, 180, 60))
	require.NoError(t, err)

	_, err = e.store.RescheduleAppointment(ctx, api.RescheduleAppointmentParams{CompanyID: tn.company.ID,
		AppointmentID: a.ID, StartTime: blocker.StartTime.Add(-30 * 60e9), EndTime: blocker.StartTime.Add(30 * 60e9)})
	require.ErrorIs(t, err, ErrSlotTaken)
	still, err := e.store.Appointment(ctx, tn.company.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, api.StatusScheduled, still.Status, "a failed reschedule leaves the old slot booked")

	moved, err := e.store.RescheduleAppointment(ctx, api.RescheduleAppointmentParams{CompanyID: tn.company.ID,
		AppointmentID: a.ID, StartTime: slot(30), EndTime: slot(90)})
	require.NoError(t, err, "moving by less than its own length overlaps only itself")
	require.Equal(t, a.ID, moved.RescheduledFrom)
	require.NotEqual(t, a.ConfirmationNumber, moved.ConfirmationNumber)
	old, err := e.store.Appointment(ctx, tn.company.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, api.StatusRescheduled, old.Status)

	list, err := e.store.ActiveAppointments(ctx, api.ListActiveParams{CompanyID: tn.company.ID, StaffID: tn.staff.ID,
		From: slot(-60), To: slot(300)})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, moved.ID, list[0].ID)
}

func TestAppointmentValidationAndLookups(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	bad := booking(tn, tn.staff, 60, 0)
	_, err := e.store.CreateAppointment(ctx, bad)
	require.ErrorIs(t, err, ErrValidation)
	bad = booking(tn, tn.staff, 0, 60)
	bad.Status = "maybe"
	_, err = e.store.CreateAppointment(ctx, bad)
	require.ErrorIs(t, err, ErrValidation)

	cust, err := e.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: tn.company.ID, Phone: "+49 171 1234567"})
	require.NoError(t, err)
	p := booking(tn, tn.staff, 0, 60)
	p.CustomerID = cust.Customer.ID
	a, err := e.store.CreateAppointment(ctx, p)
	require.NoError(t, err)
	require.Regexp(t, `^[A-HJ-NP-Z2-9]{6}$`, a.ConfirmationNumber)

	got, err := e.store.AppointmentByConfirmation(ctx, tn.company.ID, a.ConfirmationNumber[:3]+"-"+a.ConfirmationNumber[3:])
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	byPhone, err := e.store.AppointmentsByCustomerPhone(ctx, api.ByCustomerPhoneParams{CompanyID: tn.company.ID,
		Phone: "+491711234567", From: slot(-60), ActiveOnly: true})
	require.NoError(t, err)
	require.Len(t, byPhone, 1)
	_, err = e.store.Appointment(ctx, tn.company.ID, "not-a-uuid")
	require.True(t, errors.Is(err, ErrValidation))
}
