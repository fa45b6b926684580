package database

import (
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

// A staff member booked through their own Cal.com event type of a service keeps that id;
// one who is not falls back to the service's.
func TestStaffOwnCalcomEventTypes(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	second, err := e.store.UpsertEventType(ctx, api.EventType{CompanyID: tn.company.ID, CalcomEventTypeID: 43,
		Name: "Föhnen", DurationMinutes: 30, Active: true})
	require.NoError(t, err)

	st := tn.staff
	st.EventTypeIDs = []string{tn.service.ID, second.ID}
	st.CalcomEventTypes = map[string]int64{tn.service.ID: 4201}
	_, err = e.store.UpsertStaff(ctx, st)
	require.NoError(t, err)

	list, err := e.store.StaffList(ctx, tn.company.ID, tn.branch.ID)
	require.NoError(t, err)
	byID := map[string]api.Staff{}
	for _, s := range list {
		byID[s.ID] = s
	}
	require.Equal(t, map[string]int64{tn.service.ID: 4201}, byID[st.ID].CalcomEventTypes)
	require.ElementsMatch(t, []string{tn.service.ID, second.ID}, byID[st.ID].EventTypeIDs)
	require.Nil(t, byID[tn.colleague.ID].CalcomEventTypes)

	// Bad input changes nothing: an event type the staff member does not offer, a bad id, and
	// a Cal.com event type that already backs a colleague's service.
	bad := []map[string]int64{{second.ID + "x": 1}, {second.ID: 0}}
	for _, m := range bad {
		b := st
		b.CalcomEventTypes = m
		_, err := e.store.UpsertStaff(ctx, b)
		require.ErrorIs(t, err, ErrValidation)
	}
	co := tn.colleague
	co.EventTypeIDs = []string{tn.service.ID}
	co.CalcomEventTypes = map[string]int64{tn.service.ID: 4201}
	_, err = e.store.UpsertStaff(ctx, co)
	require.ErrorIs(t, err, ErrValidation)
	list, err = e.store.StaffList(ctx, tn.company.ID, tn.branch.ID)
	require.NoError(t, err)
	for _, s := range list {
		if s.ID == st.ID {
			require.Equal(t, map[string]int64{tn.service.ID: 4201}, s.CalcomEventTypes)
		}
		if s.ID == co.ID {
			require.Empty(t, s.EventTypeIDs)
		}
	}
}
