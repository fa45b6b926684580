package database

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

// Every method, asked by tenant B about tenant A's records, answers not found (or nothing).
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t, true)
	ctx := t.Context()
	a := newTenant(t, e.store, "A")
	b := newTenant(t, e.store, "B")
	cust, err := e.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: a.company.ID, Phone: "+4917611111111"})
	require.NoError(t, err)
	p := booking(a, a.staff, 0, 60)
	p.CustomerID = cust.Customer.ID
	appt, err := e.store.CreateAppointment(ctx, p)
	require.NoError(t, err)
	call, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: a.company.ID, BranchID: a.branch.ID,
		RetellCallID: "call_a", Status: api.CallOngoing, StartedAt: time.Now(), FromNumber: "+4917611111111"})
	require.NoError(t, err)
	B := b.company.ID

	notFound := map[string]func() error{
		"branches.get": func() error { _, err := e.store.Branch(ctx, B, a.branch.ID); return err },
		"branches.byPhone": func() error {
			_, err := e.store.BranchByPhone(ctx, B, a.branch.PhoneNumber)
			return err
		},
		"appointments.get": func() error { _, err := e.store.Appointment(ctx, B, appt.ID); return err },
		"appointments.byConfirmation": func() error {
			_, err := e.store.AppointmentByConfirmation(ctx, B, appt.ConfirmationNumber)
			return err
		},
		"appointments.cancel": func() error {
			_, err := e.store.CancelAppointment(ctx, api.CancelAppointmentParams{CompanyID: B, AppointmentID: appt.ID})
			return err
		},
		"appointments.reschedule": func() error {
			_, err := e.store.RescheduleAppointment(ctx, api.RescheduleAppointmentParams{CompanyID: B,
				AppointmentID: appt.ID, StartTime: slot(600), EndTime: slot(660)})
			return err
		},
		"appointments.create with A's staff": func() error {
			q := booking(b, a.staff, 900, 60)
			_, err := e.store.CreateAppointment(ctx, q)
			return err
		},
		"calls.save onto A's call": func() error {
			_, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: B, BranchID: b.branch.ID,
				RetellCallID: "call_a", Status: api.CallEnded, StartedAt: time.Now()})
			return err
		},
		"calls.get": func() error {
			_, err := e.store.Call(ctx, api.GetCallParams{CompanyID: B, RetellCallID: "call_a"})
			return err
		},
		"calls.get by id": func() error {
			_, err := e.store.Call(ctx, api.GetCallParams{CompanyID: B, CallID: call.ID})
			return err
		},
		"calls.linkAppointment": func() error {
			_, err := e.store.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: B, CallID: call.ID, AppointmentID: appt.ID})
			return err
		},
		"calls.linkAppointment to A's appointment": func() error {
			own, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: B, BranchID: b.branch.ID,
				RetellCallID: "call_b", Status: api.CallOngoing, StartedAt: time.Now()})
			require.NoError(t, err)
			_, err = e.store.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: B, CallID: own.ID, AppointmentID: appt.ID})
			return err
		},
		"branches.upsert of A's branch": func() error {
			hijack := a.branch
			hijack.CompanyID = B
			_, err := e.store.UpsertBranch(ctx, hijack)
			return err
		},
		"staff.upsert of A's staff member": func() error {
			hijack := a.staff
			hijack.CompanyID, hijack.BranchID, hijack.EventTypeIDs = B, b.branch.ID, nil
			_, err := e.store.UpsertStaff(ctx, hijack)
			return err
		},
		"staff.upsert offering A's service": func() error {
			_, err := e.store.UpsertStaff(ctx, api.Staff{CompanyID: B, BranchID: b.branch.ID, Name: "X",
				EventTypeIDs: []string{a.service.ID}})
			return err
		},
		"eventTypes.upsert into A's branch": func() error {
			_, err := e.store.UpsertEventType(ctx, api.EventType{CompanyID: B, BranchID: a.branch.ID,
				CalcomEventTypeID: 7, Name: "X", DurationMinutes: 10})
			return err
		},
		"analytics.daily of a missing tenant": func() error {
			_, err := e.store.Analytics(ctx, api.AnalyticsParams{CompanyID: "00000000-0000-0000-0000-000000000000",
				From: "2026-01-01", To: "2026-01-02"})
			return err
		},
	}
	for name, fn := range notFound {
		t.Run(name, func(t *testing.T) { require.ErrorIs(t, fn(), ErrNotFound) })
	}

	empty := map[string]func() (int, error){
		"branches.list": func() (int, error) {
			l, err := e.store.Branches(ctx, B)
			n := 0
			for _, br := range l {
				if br.CompanyID != B {
					n++
				}
			}
			return n, err
		},
		"staff.byName": func() (int, error) {
			l, err := e.store.StaffByName(ctx, B, a.branch.ID, "Stefanie")
			return len(l), err
		},
		"staff.list of A's branch": func() (int, error) { l, err := e.store.StaffList(ctx, B, a.branch.ID); return len(l), err },
		"eventTypes.list of A's branch": func() (int, error) {
			l, err := e.store.EventTypes(ctx, B, a.branch.ID)
			// B's own company-wide service is offered everywhere, A's never.
			for _, et := range l {
				require.Equal(t, B, et.CompanyID)
			}
			return 0, err
		},
		"appointments.listActive": func() (int, error) {
			l, err := e.store.ActiveAppointments(ctx, api.ListActiveParams{CompanyID: B, StaffID: a.staff.ID, From: slot(-600), To: slot(600)})
			return len(l), err
		},
		"appointments.byCustomerPhone": func() (int, error) {
			l, err := e.store.AppointmentsByCustomerPhone(ctx, api.ByCustomerPhoneParams{CompanyID: B, Phone: "+4917611111111"})
			return len(l), err
		},
		"analytics.daily": func() (int, error) {
			today := time.Now().Format(time.DateOnly)
			r, err := e.store.Analytics(ctx, api.AnalyticsParams{CompanyID: B, From: today, To: today})
			n := 0
			for _, d := range r.Days {
				if d.BranchID == a.branch.ID {
					n++
				}
			}
			return n, err
		},
	}
	for name, fn := range empty {
		t.Run(name, func(t *testing.T) {
			n, err := fn()
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}

	t.Run("customers.findOrCreate makes B its own customer", func(t *testing.T) {
		res, err := e.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: B, Phone: "+4917611111111"})
		require.NoError(t, err)
		require.True(t, res.Created)
		require.NotEqual(t, cust.Customer.ID, res.Customer.ID)
	})
	t.Run("companies.byApiKeyDigest answers each tenant with itself", func(t *testing.T) {
		got, err := e.store.CompanyByAPIKeyDigest(ctx, b.apiKeyHex)
		require.NoError(t, err)
		require.Equal(t, B, got.ID)
	})
	t.Run("A's catalogue is untouched", func(t *testing.T) {
		br, err := e.store.Branch(ctx, a.company.ID, a.branch.ID)
		require.NoError(t, err)
		require.Equal(t, a.branch, br)
		st, err := e.store.StaffByName(ctx, a.company.ID, a.branch.ID, "Stefanie")
		require.NoError(t, err)
		require.Len(t, st, 1)
		require.Equal(t, a.staff.EventTypeIDs, st[0].EventTypeIDs)
	})
	t.Run("A's appointment is untouched", func(t *testing.T) {
		got, err := e.store.Appointment(ctx, a.company.ID, appt.ID)
		require.NoError(t, err)
		require.Equal(t, api.StatusScheduled, got.Status)
	})
}
