package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/database/internal/database"
)

// startCalcom serves calcom.syncEventTypeLimits on the test's bus the way the calcom service
// does it, with Cal.com's answer given: it lists the tenant's event types and stores limits[id]
// of each through the database store (a Cal.com id missing from limits is unknown to Cal.com).
func startCalcom(t *testing.T, c *cli, limits map[int64][2]*int) {
	t.Helper()
	cipher, err := database.ParseKeys(testPII, testBlind)
	require.NoError(t, err)
	store, err := database.New(t.Context(), database.Options{WriteURL: c.dbURL, WriteConns: 2, Cipher: cipher, Logger: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(store.Close)
	srv, err := rpc.NewServer(c.redis.Client, rpc.ServerConfig{Service: calcom.Service, Instance: "test-calcom",
		Namespace: c.ns(), Workers: 2}, zerolog.Nop(), nil)
	require.NoError(t, err)
	rpc.Register(srv, calcom.MethodSyncEventTypeLimits, func(ctx context.Context, p calcom.SyncEventTypeLimitsParams) (calcom.SyncEventTypeLimitsResult, error) {
		ets, err := store.EventTypes(ctx, p.CompanyID, "")
		if err != nil {
			return calcom.SyncEventTypeLimitsResult{}, err
		}
		var out calcom.SyncEventTypeLimitsResult
		for _, et := range ets {
			item := calcom.EventTypeLimits{EventTypeID: et.ID, CalcomEventTypeID: et.CalcomEventTypeID, Name: et.Name}
			l, ok := limits[et.CalcomEventTypeID]
			if !ok {
				item.Error = "cal.com does not know this event type"
				out.EventTypes = append(out.EventTypes, item)
				continue
			}
			item.MinimumNoticeMinutes, item.BookingHorizonDays = l[0], l[1]
			if _, err := store.SetEventTypeCalcomLimits(ctx, api.SetCalcomLimitsParams{
				CompanyID: p.CompanyID, CalcomEventTypeID: et.CalcomEventTypeID,
				MinimumNoticeMinutes: l[0], BookingHorizonDays: l[1]}); err != nil {
				return calcom.SyncEventTypeLimitsResult{}, err
			}
			out.EventTypes = append(out.EventTypes, item)
		}
		return out, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestTenantSyncCalcomStoresCalcomLimits(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(tenantYAML), 0o600))
	c.run("tenant", "apply", "-f", file)

	thirty, fourteen := 30, 14
	startCalcom(t, c, map[int64][2]*int{501: {&thirty, &fourteen}})
	out := c.run("tenant", "sync-calcom", "--company", "Werkstatt Müller")
	require.Contains(t, out, "cal.com limits of Werkstatt Müller")
	require.Regexp(t, `Ölwechsel\s+501\s+30 min\s+14 days`, out)
	require.Regexp(t, `Reifenwechsel\s+502\s+-\s+-\s+cal.com does not know this event type`, out)
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE calcom_event_type_id = 501
		AND calcom_minimum_notice_minutes = 30 AND calcom_booking_horizon_days = 14 AND calcom_synced_at IS NOT NULL`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE calcom_event_type_id = 502 AND calcom_synced_at IS NULL`))

	// apply leaves Cal.com's values alone; --sync-calcom syncs right after it.
	require.Contains(t, c.run("tenant", "apply", "-f", file, "--sync-calcom"), "cal.com limits of Werkstatt Müller")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE calcom_booking_horizon_days = 14`))

	_, err := c.try("tenant", "sync-calcom", "--company", "nobody")
	require.ErrorContains(t, err, `tenant sync-calcom: no tenant "nobody"`)
}
