package database

import (
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

// Cal.com's limits round-trip by Cal.com id, leave the tenant's own values alone, survive an
// upsert of the catalogue, are cleared by nil, and stay inside their tenant.
func TestEventTypeCalcomLimits(t *testing.T) {
	for _, withCache := range []bool{false, true} {
		t.Run(map[bool]string{false: "no cache", true: "cache"}[withCache], func(t *testing.T) {
			e := newEnv(t, withCache)
			ctx := t.Context()
			tn := newTenant(t, e.store, "Limits")
			other := newTenant(t, e.store, "Other")

			ev := tn.service
			ev.MinimumNoticeMinutes, ev.BookingHorizonDays = intp(30), intp(14)
			_, err := e.store.UpsertEventType(ctx, ev)
			require.NoError(t, err)
			listed, err := e.store.EventTypes(ctx, tn.company.ID, "") // warm the cache
			require.NoError(t, err)
			require.Nil(t, listed[0].CalcomMinimumNoticeMinutes)
			require.Nil(t, listed[0].CalcomSyncedAt)

			got, err := e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: tn.company.ID,
				CalcomEventTypeID: 42, MinimumNoticeMinutes: intp(0), BookingHorizonDays: intp(60)})
			require.NoError(t, err)
			require.Equal(t, intp(0), got.CalcomMinimumNoticeMinutes, "an explicit 0 is kept apart from unset")
			require.Equal(t, intp(60), got.CalcomBookingHorizonDays)
			require.NotNil(t, got.CalcomSyncedAt)
			require.Equal(t, intp(30), got.MinimumNoticeMinutes, "the tenant's own value stays")
			require.Equal(t, intp(14), got.BookingHorizonDays)

			listed, err = e.store.EventTypes(ctx, tn.company.ID, "")
			require.NoError(t, err)
			require.Equal(t, intp(0), listed[0].CalcomMinimumNoticeMinutes, "the cached catalogue was invalidated")
			require.Equal(t, intp(60), listed[0].CalcomBookingHorizonDays)

			// A catalogue upsert (tenant apply, syncEventTypes) does not clear what Cal.com said.
			ev.Name = "Herrenschnitt kurz"
			up, err := e.store.UpsertEventType(ctx, ev)
			require.NoError(t, err)
			require.Equal(t, intp(60), up.CalcomBookingHorizonDays)

			// The same values again: nothing audited a second time.
			_, err = e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: tn.company.ID,
				CalcomEventTypeID: 42, MinimumNoticeMinutes: intp(0), BookingHorizonDays: intp(60)})
			require.NoError(t, err)
			var audited int
			require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE company_id = $1
				AND action = 'event_type.calcom_limits'`, tn.company.ID).Scan(&audited))
			require.Equal(t, 1, audited)

			// Nil: Cal.com sets none any more.
			cleared, err := e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: tn.company.ID,
				CalcomEventTypeID: 42})
			require.NoError(t, err)
			require.Nil(t, cleared.CalcomMinimumNoticeMinutes)
			require.Nil(t, cleared.CalcomBookingHorizonDays)
			listed, err = e.store.EventTypes(ctx, tn.company.ID, "")
			require.NoError(t, err)
			require.Nil(t, listed[0].CalcomBookingHorizonDays)

			// Another tenant's event type, an unknown Cal.com id and bad values.
			_, err = e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: other.company.ID,
				CalcomEventTypeID: 4711, BookingHorizonDays: intp(5)})
			require.ErrorIs(t, err, ErrNotFound)
			_, err = e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: tn.company.ID,
				CalcomEventTypeID: 42, MinimumNoticeMinutes: intp(-1)})
			require.ErrorIs(t, err, ErrValidation)
			_, err = e.store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{CompanyID: tn.company.ID})
			require.ErrorIs(t, err, ErrValidation)
			otherList, err := e.store.EventTypes(ctx, other.company.ID, "")
			require.NoError(t, err)
			require.Nil(t, otherList[0].CalcomBookingHorizonDays, "the other tenant's event type 42 is untouched")
		})
	}
}
