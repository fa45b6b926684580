package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/database/internal/database"
)

var (
	piiKeys  = "v1:" + base64.StdEncoding.EncodeToString([]byte("component-test-key-0123456789abc"))
	blindKey = base64.StdEncoding.EncodeToString([]byte("component-blind-key-0123456789ab"))
)

func TestRunRejectsBadConfig(t *testing.T) {
	env := map[string]string{"REDIS_URL": "nope", "DRAIN_TIMEOUT": "soon", "PII_KEYS": "v1:short", "BLIND_INDEX_KEY": blindKey}
	err := run(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	for _, want := range []string{"REDIS_URL", "DRAIN_TIMEOUT", "DATABASE_URL", "PII_KEYS"} {
		require.ErrorContains(t, err, want)
	}
	require.NotContains(t, err.Error(), "short", "key material never appears in errors")
}

// The service runs in-process and is called through its real client over Redis.
func TestServiceThroughItsClient(t *testing.T) {
	redis := testenv.Redis(t)
	dbURL := testenv.PostgresURL(t)
	ns := rpctest.Namespace(redis)
	stop := testenv.StartService(t, run, map[string]string{
		"REDIS_URL": redis.URL, "DATABASE_URL": dbURL, "PII_KEYS": piiKeys, "BLIND_INDEX_KEY": blindKey,
		"RPC_NAMESPACE": ns, "POD_NAME": "database-0", "LOG_LEVEL": "error", "OUTBOX_INTERVAL": "20ms",
	})
	rpctest.WaitLive(t, redis, ns, api.Service, "database-0")
	ctx := t.Context()
	rpctest.CheckOpenRPC(t, rpctest.NewClient(t, redis, "schema-check", nil), api.Service, "../../proto-schemas/database.openrpc.json")

	// Tenants are created by operators, not over the bus: seed one directly.
	cipher, err := database.ParseKeys(piiKeys, blindKey)
	require.NoError(t, err)
	seed, err := database.New(ctx, database.Options{WriteURL: dbURL, Cipher: cipher, Logger: zerolog.Nop()})
	require.NoError(t, err)
	defer seed.Close()
	digest := sha256.Sum256([]byte("ak_component_key"))
	co, err := seed.CreateCompany(ctx, database.NewCompany{Name: "Salon", APIKeyDigest: digest[:], APIKeyPrefix: "ak_comp"})
	require.NoError(t, err)
	other, err := seed.CreateCompany(ctx, database.NewCompany{Name: "Other", APIKeyDigest: make([]byte, 32), APIKeyPrefix: "ak_other"})
	require.NoError(t, err)

	db := api.NewClient(rpctest.NewClient(t, redis, "test-client", nil))
	got, err := db.CompanyByAPIKeyDigest(ctx, api.ByAPIKeyDigestParams{DigestHex: hex.EncodeToString(digest[:])})
	require.NoError(t, err)
	require.Equal(t, co.ID, got.ID)

	branch, err := db.UpsertBranch(ctx, api.UpsertBranchParams{Branch: api.Branch{CompanyID: co.ID, Name: "Mitte",
		PhoneNumber: "+4930555000111", Active: true}})
	require.NoError(t, err)
	staff, err := db.UpsertStaff(ctx, api.UpsertStaffParams{Staff: api.Staff{CompanyID: co.ID, BranchID: branch.ID,
		Name: "Stefanie", Aliases: []string{"steffi"}, Active: true}})
	require.NoError(t, err)
	resolved, err := db.BranchByPhone(ctx, api.BranchByPhoneParams{PhoneNumber: "+49 30 555000111"})
	require.NoError(t, err)
	require.Equal(t, branch.ID, resolved.ID)
	found, err := db.StaffByName(ctx, api.ByNameParams{CompanyID: co.ID, Name: "Steffi"})
	require.NoError(t, err)
	require.Len(t, found.Staff, 1)

	start := time.Now().UTC().Truncate(time.Hour).Add(72 * time.Hour)
	create := api.CreateAppointmentParams{CompanyID: co.ID, BranchID: branch.ID, StaffID: staff.ID,
		StartTime: start, EndTime: start.Add(time.Hour)}
	appt, err := db.CreateAppointment(ctx, create)
	require.NoError(t, err)
	require.WithinDuration(t, start, appt.StartTime, 0)
	create.StartTime, create.EndTime = start.Add(30*time.Minute), start.Add(90*time.Minute)
	_, err = db.CreateAppointment(ctx, create)
	require.ErrorIs(t, err, rpc.ErrConflict)

	_, err = db.Appointment(ctx, api.AppointmentParams{CompanyID: other.ID, AppointmentID: appt.ID})
	require.ErrorIs(t, err, rpc.ErrNotFound)
	_, err = db.BranchByPhone(rpc.WithTenant(ctx, other.ID), api.BranchByPhoneParams{PhoneNumber: "+4930555000111"})
	require.ErrorIs(t, err, rpc.ErrNotFound, "a caller acting for another tenant does not see the branch")
	_, err = db.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: co.ID, Phone: "+49 1"})
	require.ErrorIs(t, err, rpc.ErrValidation)
	require.ErrorContains(t, err, "phone number is not E.164", "the message clients know")
	national, err := db.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: co.ID, Phone: "0176 9999 0000"})
	require.NoError(t, err, "a number without country code is read in DEFAULT_REGION")
	require.Equal(t, "+4917699990000", national.Customer.Phone)

	dur := 42
	call, err := db.SaveCall(ctx, api.SaveCallParams{CompanyID: co.ID, BranchID: branch.ID, RetellCallID: "call_c",
		FromNumber: "+4917699990000", Status: api.CallEnded, StartedAt: time.Now(), DurationSeconds: &dur,
		Metadata: map[string]any{"intent": "booking"}, RawPayload: []byte(`{"event":"call_ended"}`)})
	require.NoError(t, err)
	require.NotEmpty(t, call.CustomerID)
	linked, err := db.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: co.ID, CallID: call.ID, AppointmentID: appt.ID})
	require.NoError(t, err)
	require.Equal(t, appt.ID, linked.AppointmentID)

	// The outbox relay publishes booking.created and call.saved onto the bus.
	for _, topic := range []string{api.TopicBookingCreated, api.TopicCallSaved} {
		testenv.Eventually(t, 30*time.Second, func() bool {
			return redis.Client.XLen(ctx, rpc.EventStream(ns, topic)).Val() >= 1
		}, "no %s event on the bus", topic)
	}
	require.NoError(t, stop())
}
