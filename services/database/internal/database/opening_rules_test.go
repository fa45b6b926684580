package database

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

func intp(n int) *int { return &n }

// The opening rules round-trip: a branch's state, closing days and holidays it opens on; a
// staff member's hours at two branches and time off (listed at both branches); an event type's
// notice and horizon; the company's defaults. Each write is audited.
func TestOpeningRulesRoundTrip(t *testing.T) {
	for _, withCache := range []bool{false, true} {
		t.Run(map[bool]string{false: "store", true: "cached"}[withCache], func(t *testing.T) {
			e := newEnv(t, withCache)
			tn := newTenant(t, e.store, "Regeln")
			ctx := t.Context()
			berlin, err := time.LoadLocation("Europe/Berlin")
			require.NoError(t, err)

			// Warm the caches, so a stale read would show.
			_, err = e.store.StaffList(ctx, tn.company.ID, "")
			require.NoError(t, err)
			_, err = e.store.BranchByPhone(ctx, "", tn.branch.PhoneNumber)
			require.NoError(t, err)

			b := tn.branch
			b.State = "DE-BE"
			b.ClosingDays = []api.ClosingDays{{From: "2026-12-24", To: "2026-12-26", Label: "Betriebsferien"}, {From: "2026-11-02", To: "2026-11-02"}}
			b.OpenOnHolidays = []string{"2026-12-26", "2026-10-03"}
			got, err := e.store.UpsertBranch(ctx, b)
			require.NoError(t, err)
			require.Equal(t, "DE-BE", got.State)
			require.Equal(t, []api.ClosingDays{{From: "2026-11-02", To: "2026-11-02"}, {From: "2026-12-24", To: "2026-12-26", Label: "Betriebsferien"}}, got.ClosingDays)
			require.Equal(t, []string{"2026-10-03", "2026-12-26"}, got.OpenOnHolidays)
			byPhone, err := e.store.BranchByPhone(ctx, "", b.PhoneNumber)
			require.NoError(t, err)
			require.Equal(t, got, byPhone)
			list, err := e.store.Branches(ctx, tn.company.ID)
			require.NoError(t, err)
			require.Equal(t, []api.Branch{got}, list)

			second, err := e.store.UpsertBranch(ctx, api.Branch{CompanyID: tn.company.ID, Name: "Regeln Nord",
				PhoneNumber: nextPhone(), Active: true, OpeningHours: api.OpeningHours{"sat": {{From: "10:00", To: "14:00"}}}})
			require.NoError(t, err)
			require.Empty(t, second.State)
			require.Nil(t, second.ClosingDays)
			require.Nil(t, second.OpenOnHolidays)

			st := tn.staff
			st.WorkingHours = map[string]api.OpeningHours{
				b.ID:      {"tue": {{From: "09:00", To: "13:00"}, {From: "14:00", To: "18:00"}}, "wed": {{From: "09:00", To: "18:00"}}},
				second.ID: {"sat": {{From: "10:00", To: "14:00"}}},
			}
			from := time.Date(2026, 12, 10, 0, 0, 0, 0, berlin)
			st.TimeOff = []api.TimeOff{{From: from, To: from.AddDate(0, 0, 3), Reason: "Urlaub"}}
			_, err = e.store.UpsertStaff(ctx, st)
			require.NoError(t, err)
			for _, branch := range []string{b.ID, second.ID} {
				staff, err := e.store.StaffList(ctx, tn.company.ID, branch)
				require.NoError(t, err)
				var found *api.Staff
				for i := range staff {
					if staff[i].ID == st.ID {
						found = &staff[i]
					}
				}
				require.NotNil(t, found, "listed at branch %s", branch)
				require.Equal(t, st.WorkingHours, found.WorkingHours)
				require.Len(t, found.TimeOff, 1)
				require.True(t, found.TimeOff[0].From.Equal(st.TimeOff[0].From))
				require.True(t, found.TimeOff[0].To.Equal(st.TimeOff[0].To))
				require.Equal(t, "Urlaub", found.TimeOff[0].Reason)
			}
			// The colleague works only at their own branch and has no hours of their own.
			northStaff, err := e.store.StaffList(ctx, tn.company.ID, second.ID)
			require.NoError(t, err)
			require.Len(t, northStaff, 1)
			mitte, err := e.store.StaffList(ctx, tn.company.ID, b.ID)
			require.NoError(t, err)
			for _, s := range mitte {
				if s.ID == tn.colleague.ID {
					require.Nil(t, s.WorkingHours)
					require.Nil(t, s.TimeOff)
				}
			}

			// Replacing drops what is no longer listed: no longer at the second branch.
			st.WorkingHours = map[string]api.OpeningHours{b.ID: {"mon": {{From: "09:00", To: "24:00"}}}}
			st.TimeOff = nil
			_, err = e.store.UpsertStaff(ctx, st)
			require.NoError(t, err)
			northStaff, err = e.store.StaffList(ctx, tn.company.ID, second.ID)
			require.NoError(t, err)
			require.Empty(t, northStaff)

			ev := tn.service
			ev.MinimumNoticeMinutes, ev.BookingHorizonDays = intp(0), intp(30)
			savedEv, err := e.store.UpsertEventType(ctx, ev)
			require.NoError(t, err)
			require.Equal(t, intp(0), savedEv.MinimumNoticeMinutes)
			require.Equal(t, intp(30), savedEv.BookingHorizonDays)
			events, err := e.store.EventTypesByName(ctx, tn.company.ID, b.ID, "Herrenschnitt")
			require.NoError(t, err)
			require.Len(t, events, 1)
			require.Equal(t, savedEv, events[0])
			ev.MinimumNoticeMinutes, ev.BookingHorizonDays = nil, nil
			savedEv, err = e.store.UpsertEventType(ctx, ev)
			require.NoError(t, err)
			require.Nil(t, savedEv.MinimumNoticeMinutes)
			require.Nil(t, savedEv.BookingHorizonDays)

			require.NoError(t, e.store.SetCompanyBookingDefaults(ctx, tn.company.ID, 60, 30))
			c, err := e.store.Company(ctx, tn.company.ID)
			require.NoError(t, err)
			require.Equal(t, 60, c.MinimumNoticeMinutes)
			require.Equal(t, 30, c.BookingHorizonDays)
			byKey, err := e.store.CompanyByAPIKeyDigest(ctx, tn.apiKeyHex)
			require.NoError(t, err)
			require.Equal(t, 60, byKey.MinimumNoticeMinutes)

			var audited int
			require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE company_id = $1
				AND action = 'company.booking_defaults_set'`, tn.company.ID).Scan(&audited))
			require.Equal(t, 1, audited)
		})
	}
}

// Bad rules are refused with a validation error and change nothing.
func TestOpeningRulesRefuseBadInput(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Streng")
	ctx := t.Context()
	badBranches := map[string]func(*api.Branch){
		"unknown state":     func(b *api.Branch) { b.State = "DE-XX" },
		"state without DE":  func(b *api.Branch) { b.State = "BE" },
		"reversed closing":  func(b *api.Branch) { b.ClosingDays = []api.ClosingDays{{From: "2026-12-26", To: "2026-12-24"}} },
		"malformed closing": func(b *api.Branch) { b.ClosingDays = []api.ClosingDays{{From: "24.12.2026", To: "2026-12-24"}} },
		"malformed holiday": func(b *api.Branch) { b.OpenOnHolidays = []string{"2026-13-01"} },
	}
	for name, mutate := range badBranches {
		b := tn.branch
		mutate(&b)
		_, err := e.store.UpsertBranch(ctx, b)
		require.ErrorIs(t, err, ErrValidation, name)
	}
	reloaded, err := e.store.Branch(ctx, tn.company.ID, tn.branch.ID)
	require.NoError(t, err)
	require.Equal(t, tn.branch, reloaded)

	badStaff := map[string]func(*api.Staff){
		"unknown weekday": func(s *api.Staff) {
			s.WorkingHours = map[string]api.OpeningHours{tn.branch.ID: {"mo": {{From: "09:00", To: "18:00"}}}}
		},
		"malformed time": func(s *api.Staff) {
			s.WorkingHours = map[string]api.OpeningHours{tn.branch.ID: {"mon": {{From: "25:00", To: "26:00"}}}}
		},
		"reversed hours": func(s *api.Staff) {
			s.WorkingHours = map[string]api.OpeningHours{tn.branch.ID: {"mon": {{From: "14:00", To: "09:00"}}}}
		},
		"empty hours": func(s *api.Staff) {
			s.WorkingHours = map[string]api.OpeningHours{tn.branch.ID: {"mon": {{From: "09:00", To: "09:00"}}}}
		},
		"bad branch id": func(s *api.Staff) {
			s.WorkingHours = map[string]api.OpeningHours{"nord": {"mon": {{From: "09:00", To: "18:00"}}}}
		},
		"reversed time off": func(s *api.Staff) {
			at := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
			s.TimeOff = []api.TimeOff{{From: at, To: at}}
		},
	}
	for name, mutate := range badStaff {
		st := tn.staff
		mutate(&st)
		_, err := e.store.UpsertStaff(ctx, st)
		require.ErrorIs(t, err, ErrValidation, name)
	}
	// Another tenant's branch is not found, as every reference across tenants is.
	other := newTenant(t, e.store, "Fremd")
	st := tn.staff
	st.WorkingHours = map[string]api.OpeningHours{other.branch.ID: {"mon": {{From: "09:00", To: "18:00"}}}}
	_, err = e.store.UpsertStaff(ctx, st)
	require.ErrorIs(t, err, ErrNotFound)
	staff, err := e.store.StaffList(ctx, tn.company.ID, tn.branch.ID)
	require.NoError(t, err)
	for _, s := range staff {
		require.Nil(t, s.WorkingHours)
		require.Nil(t, s.TimeOff)
	}

	ev := tn.service
	ev.MinimumNoticeMinutes = intp(-1)
	_, err = e.store.UpsertEventType(ctx, ev)
	require.ErrorIs(t, err, ErrValidation)
	require.ErrorIs(t, e.store.SetCompanyBookingDefaults(ctx, tn.company.ID, 0, -1), ErrValidation)
	_, err = e.pool.Exec(ctx, `UPDATE branches SET state = 'DE-XX' WHERE id = $1`, tn.branch.ID)
	require.Error(t, err, "the schema refuses an unknown state too")
}
