package database

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

// Days are the tenant's local days (Europe/Berlin), across the spring clock change of
// 29 March 2026; the same figures come live and, after a refresh, from the materialized view.
func TestAnalyticsPerLocalDayLiveAndMaterialized(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	calls := []struct {
		id, at, sentiment string
		duration          int
		intent            string
	}{
		{"c1", "2026-03-28T22:30:00Z", "positive", 60, ""},        // 28 Mar 23:30 CET
		{"c2", "2026-03-28T23:30:00Z", "negative", 0, ""},         // 29 Mar 00:30 CET, missed
		{"c3", "2026-03-29T21:30:00Z", "neutral", 120, "booking"}, // 29 Mar 23:30 CEST, missed
		{"c4", "2026-03-29T22:30:00Z", "positive", 30, ""},        // 30 Mar 00:30 CEST
	}
	for _, c := range calls {
		d := c.duration
		_, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
			RetellCallID: c.id, Status: api.CallAnalyzed, StartedAt: mustTime(t, c.at), DurationSeconds: &d,
			Sentiment: c.sentiment, Metadata: map[string]any{"intent": c.intent}})
		require.NoError(t, err)
	}
	q := api.AnalyticsParams{CompanyID: tn.company.ID, From: "2026-03-28", To: "2026-03-30"}
	live, err := e.store.Analytics(ctx, q)
	require.NoError(t, err)
	require.Equal(t, "Europe/Berlin", live.TimeZone)
	require.Len(t, live.Days, 3)
	byDay := map[string]api.DailyStats{}
	for _, d := range live.Days {
		byDay[d.Day] = d
	}
	require.EqualValues(t, 1, byDay["2026-03-28"].Calls)
	mid := byDay["2026-03-29"]
	require.EqualValues(t, 2, mid.Calls)
	require.EqualValues(t, 1, mid.Answered)
	require.EqualValues(t, 2, mid.MissedOpportunities)
	require.InDelta(t, 120, mid.AvgDurationSeconds, 0.001)
	require.EqualValues(t, 1, mid.SentimentNegative)
	require.EqualValues(t, 1, mid.SentimentNeutral)
	require.EqualValues(t, 1, byDay["2026-03-30"].SentimentPositive)

	m := NewMaintenance(e.store.WritePool(), MaintenanceOptions{Interval: time.Hour, Logger: zerolog.Nop()})
	ran, err := m.RunOnce(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	var inView int
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM daily_booking_stats WHERE company_id = $1`, tn.company.ID).Scan(&inView))
	require.Equal(t, 3, inView)
	fromView, err := e.store.Analytics(ctx, q)
	require.NoError(t, err)
	require.Equal(t, live, fromView)

	one := q
	one.BranchID = tn.branch.ID
	one.From, one.To = "2026-03-29", "2026-03-29"
	r, err := e.store.Analytics(ctx, one)
	require.NoError(t, err)
	require.Equal(t, []api.DailyStats{mid}, r.Days)
}

func TestAnalyticsTodayIsLiveAndCountsBookings(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	m := NewMaintenance(e.store.WritePool(), MaintenanceOptions{Interval: time.Hour, Logger: zerolog.Nop()})
	_, err := m.RunOnce(ctx) // the view is fresh as of now; today stays live
	require.NoError(t, err)
	d := 200
	c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
		RetellCallID: "today", Status: api.CallEnded, StartedAt: time.Now(), DurationSeconds: &d})
	require.NoError(t, err)
	a, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, 0, 30))
	require.NoError(t, err)
	_, err = e.store.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: tn.company.ID, CallID: c.ID, AppointmentID: a.ID})
	require.NoError(t, err)
	_, err = e.store.CancelAppointment(ctx, api.CancelAppointmentParams{CompanyID: tn.company.ID, AppointmentID: a.ID})
	require.NoError(t, err)

	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	today := time.Now().In(loc).Format(time.DateOnly)
	r, err := e.store.Analytics(ctx, api.AnalyticsParams{CompanyID: tn.company.ID, From: today, To: today})
	require.NoError(t, err)
	require.Len(t, r.Days, 1)
	require.EqualValues(t, 1, r.Days[0].Calls)
	require.EqualValues(t, 1, r.Days[0].BookingsFromCalls)
	require.EqualValues(t, 1, r.Days[0].Cancellations)
	require.InDelta(t, 200, r.Days[0].P90DurationSeconds, 0.001)

	_, err = e.store.Analytics(ctx, api.AnalyticsParams{CompanyID: tn.company.ID, From: today, To: "2020-01-01"})
	require.ErrorIs(t, err, ErrValidation)
}

func TestMaintenanceCreatesPartitionsAheadUnderOneLock(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	future := time.Now().UTC().AddDate(0, 5, 0)
	_, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
		RetellCallID: "future", Status: api.CallRegistered, StartedAt: future})
	require.NoError(t, err)
	partition := func() string {
		var p string
		require.NoError(t, e.pool.QueryRow(ctx, `SELECT tableoid::regclass::text FROM calls WHERE retell_call_id = 'future'`).Scan(&p))
		return p
	}
	require.Equal(t, "calls_default", partition())

	// Another replica holds the lock: this one skips the round.
	holder, err := e.pool.Acquire(ctx)
	require.NoError(t, err)
	_, err = holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockMaintenance)
	require.NoError(t, err)
	m := NewMaintenance(e.store.WritePool(), MaintenanceOptions{Interval: time.Hour, MonthsAhead: 6, Logger: zerolog.Nop()})
	ran, err := m.RunOnce(ctx)
	require.NoError(t, err)
	require.False(t, ran)
	_, err = holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockMaintenance)
	require.NoError(t, err)
	holder.Release()

	ran, err = m.RunOnce(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	require.Equal(t, future.Format("calls_y2006m01"), partition(), "the row moved out of the default partition")
}

func TestMaintenancePrunesOldOutboxAndInboxRows(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	first, err := e.store.ClaimInbox(ctx, api.InboxClaimParams{CompanyID: tn.company.ID, Source: "retell", Key: "evt-1"})
	require.NoError(t, err)
	require.True(t, first)
	again, err := e.store.ClaimInbox(ctx, api.InboxClaimParams{CompanyID: tn.company.ID, Source: "retell", Key: "evt-1"})
	require.NoError(t, err)
	require.False(t, again, "a duplicate delivery is recognised")
	require.NoError(t, e.store.AppendOutbox(ctx, api.OutboxAppendParams{CompanyID: tn.company.ID,
		AggregateType: "x", AggregateID: "1", Topic: "x.old", Payload: map[string]any{}}))
	require.NoError(t, e.store.AppendOutbox(ctx, api.OutboxAppendParams{CompanyID: tn.company.ID,
		AggregateType: "x", AggregateID: "1", Topic: "x.unsent", Payload: map[string]any{}}))
	_, err = e.pool.Exec(ctx, `UPDATE outbox SET sent_at = now() - interval '8 days' WHERE topic = 'x.old'`)
	require.NoError(t, err)
	_, err = e.pool.Exec(ctx, `UPDATE processed_webhooks SET processed_at = now() - interval '31 days'`)
	require.NoError(t, err)

	_, err = NewMaintenance(e.store.WritePool(), MaintenanceOptions{Logger: zerolog.Nop()}).RunOnce(ctx)
	require.NoError(t, err)
	var topics []string
	rows, err := e.pool.Query(ctx, `SELECT topic FROM outbox WHERE topic LIKE 'x.%'`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		topics = append(topics, s)
	}
	require.Equal(t, []string{"x.unsent"}, topics, "unsent rows are never pruned")
	var inbox int
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM processed_webhooks`).Scan(&inbox))
	require.Zero(t, inbox)
}
