package ledger_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/ledger"
)

func TestIdempotencyClaim(t *testing.T) {
	env := testenv.Redis(t)
	l := ledger.New(env.Client, env.Prefix+"askpro", time.Minute)
	ctx := t.Context()
	_, done, err := l.Begin(ctx, "k", time.Hour)
	require.NoError(t, err)
	require.False(t, done)
	_, _, err = l.Begin(ctx, "k", time.Hour)
	require.ErrorIs(t, err, booking.ErrInProgress)

	require.NoError(t, l.Abort(ctx, "k"))
	_, done, err = l.Begin(ctx, "k", time.Hour)
	require.NoError(t, err)
	require.False(t, done, "claimable again after abort")

	want := booking.CreateResult{Booking: booking.Booking{ID: "a1", Start: time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC)}, Spoken: "A B", Message: "ok"}
	require.NoError(t, l.Complete(ctx, "k", want, time.Hour))
	require.NoError(t, l.Abort(ctx, "k"), "abort leaves a stored result alone")
	got, done, err := l.Begin(ctx, "k", time.Hour)
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, want, got)
	keys, err := env.Client.Keys(ctx, env.Prefix+"askpro:booking:idem:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1, "keys live under the namespace")
}

// A create whose instance died holding the claim is claimed on the bus by another instance,
// with the same entry id: that one takes the claim over. Another entry (a retry) still waits,
// and an abort only drops its own claim.
func TestIdempotencyClaimOfADeadInstanceIsTakenOverByItsEntry(t *testing.T) {
	env := testenv.Redis(t)
	l := ledger.New(env.Client, env.Prefix+"askpro", time.Minute)
	entry := rpc.WithEntryID(t.Context(), "1795591113919-12")
	retry := rpc.WithEntryID(t.Context(), "1795591113925-0")
	_, done, err := l.Begin(entry, "k", time.Hour)
	require.NoError(t, err)
	require.False(t, done)

	_, _, err = l.Begin(retry, "k", time.Hour)
	require.ErrorIs(t, err, booking.ErrInProgress, "another entry waits for the first")
	_, _, err = l.Begin(t.Context(), "k", time.Hour)
	require.ErrorIs(t, err, booking.ErrInProgress, "so does work from outside the bus")
	_, done, err = l.Begin(entry, "k", time.Hour)
	require.NoError(t, err, "the same entry, claimed by another instance, takes the claim over")
	require.False(t, done)

	require.NoError(t, l.Abort(retry, "k"))
	_, _, err = l.Begin(retry, "k", time.Hour)
	require.ErrorIs(t, err, booking.ErrInProgress, "an abort leaves another entry's claim alone")
	require.NoError(t, l.Abort(entry, "k"))
	_, done, err = l.Begin(retry, "k", time.Hour)
	require.NoError(t, err)
	require.False(t, done, "claimable again after its owner's abort")
}

func TestOrphans(t *testing.T) {
	env := testenv.Redis(t)
	l := ledger.New(env.Client, env.Prefix+"askpro", 0)
	ctx := t.Context()
	o := booking.Orphan{Kind: booking.OrphanLocalCancel, AppointmentID: "a1", CompanyID: "c1", CalcomBookingID: "cal-1", StaffID: "anna", Reason: "r",
		Start: time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 14, 30, 0, 0, time.UTC),
		At: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	id, err := l.RecordOrphan(ctx, o)
	require.NoError(t, err)
	list, err := l.Orphans(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, id, list[0].ID)
	o.ID = list[0].ID
	require.Equal(t, o, list[0])
	require.NoError(t, l.ResolveOrphan(ctx, o.ID))
	list, err = l.Orphans(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
}
