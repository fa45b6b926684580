package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/call/internal/call"
)

// The real database and routing services are built once per test binary from ../<service> and
// run as processes: calls.save's SQL, the outbox (call.saved), calls.get and routing's parser
// are the real ones.
var (
	binMu sync.Mutex
	bins  = map[string]string{}
)

// TestMain removes the built binaries after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, bin := range bins {
		_ = os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

func serviceBinary(t testing.TB, service string) string {
	t.Helper()
	binMu.Lock()
	defer binMu.Unlock()
	if bin, ok := bins[service]; ok {
		return bin
	}
	dir, err := os.MkdirTemp("", "call-test-"+service+"-*")
	require.NoError(t, err)
	bin := filepath.Join(dir, service)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir, cmd.Env = "../"+service, append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "build services/%s: %s", service, out)
	bins[service] = bin
	return bin
}

// startProcess runs a built service until the test ends.
func startProcess(t testing.TB, service string, env ...string) {
	t.Helper()
	cmd := exec.Command(serviceBinary(t, service))
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
}

// realStack runs the real database and routing services and the call service on real Redis
// and a fresh PostgreSQL.
type realStack struct {
	client *rpc.Client
	pool   *pgxpool.Pool
}

func startRealStack(t testing.TB, extraEnv ...string) *realStack {
	t.Helper()
	r := testenv.Redis(t)
	ns := r.Prefix + "askpro"
	dbURL := testenv.PostgresURL(t)
	pool, err := pgxpool.New(t.Context(), dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	seedTenant(t, pool)

	common := []string{"REDIS_URL=" + r.URL, "RPC_NAMESPACE=" + ns, "LOG_LEVEL=error"}
	dbEnv := append(slices.Clone(common), "DATABASE_URL="+dbURL,
		"PII_KEYS=v1:"+base64.StdEncoding.EncodeToString([]byte("call-e2e-test-key-0123456789abcd")),
		"BLIND_INDEX_KEY="+base64.StdEncoding.EncodeToString([]byte("call-e2e-blind-key-0123456789abc")),
		"POD_NAME=database-"+testenv.RandomSuffix(), "OUTBOX_INTERVAL=20ms", "OPS_ADDR="+testenv.FreeAddr(t))
	startProcess(t, "database", append(dbEnv, extraEnv...)...)
	startProcess(t, "routing", append(slices.Clone(common), "POD_NAME=routing-"+testenv.RandomSuffix(), "OPS_ADDR="+testenv.FreeAddr(t))...)

	stop := testenv.StartService(t, run, map[string]string{"REDIS_URL": r.URL, "RPC_NAMESPACE": ns,
		"LOG_LEVEL": "warn"})
	t.Cleanup(func() { _ = stop() })
	client, err := rpc.NewClient(r.Client, rpc.ClientConfig{Instance: "test-" + testenv.RandomSuffix(), Namespace: ns},
		zerolog.Nop(), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	for _, service := range []string{"call", database.Service, routing.Service} {
		testenv.Eventually(t, 30*time.Second, func() bool {
			return client.Call(t.Context(), service, "rpc.ping", nil, nil) == nil
		}, "%s is not live", service)
	}
	return &realStack{client: client, pool: pool}
}

// seedTenant creates the company and branch the sample webhooks name. Tenants are created by
// operators, not over the bus.
func seedTenant(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(t.Context(), `INSERT INTO companies (id, name, api_key_digest, api_key_prefix)
VALUES ($1, 'Salon Schmidt', $2, 'ak_e2e')`, companyID, bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), `INSERT INTO branches (id, company_id, name, phone_number)
VALUES ($1, $2, 'Mitte', $3)`, branchID, companyID, branchPhone)
	require.NoError(t, err)
}

// settled waits until the call's analyzed webhook and its extraction are both stored, and
// returns it as calls.get answers (decrypted) with the per-call differences normalised. The
// raw payload is sealed at rest and not returned; the fake-database tests compare it.
func (s *realStack) settled(t *testing.T, retellID string) database.Call {
	t.Helper()
	db := database.NewClient(s.client)
	var c database.Call
	var last lastSeen
	testenv.Eventually(t, 30*time.Second, func() bool {
		var err error
		c, err = db.Call(t.Context(), database.GetCallParams{CompanyID: companyID, RetellCallID: retellID})
		last = lastSeen{c, err}
		return err == nil && c.Status == "analyzed" && c.Metadata[call.MetaSentimentSource] == call.SentimentFromRetell
	}, "call %s did not settle; last read: %v", retellID, &last)
	c.ID, c.RetellCallID, c.Version = "", "", 0 // the version counts the saves, which differ
	c.RecordingURL = strings.ReplaceAll(c.RecordingURL, retellID, sampleCallID)
	c.StartedAt = c.StartedAt.UTC()
	if c.EndedAt != nil {
		e := c.EndedAt.UTC()
		c.EndedAt = &e
	}
	return c
}

// lastSeen is what settled read last, printed when a call does not settle.
type lastSeen struct {
	call database.Call
	err  error
}

func (l *lastSeen) String() string {
	if l.err != nil {
		return "error " + l.err.Error()
	}
	return fmt.Sprintf("status %q, metadata %v", l.call.Status, l.call.Metadata)
}

// TestRealDatabaseSameFinalRow runs every order of started/ended/analyzed with duplicates, and a
// shuffled burst of inbox deliveries, against the real database service: one row per call, and
// every row equal to the in-order one, extraction included.
func TestRealDatabaseSameFinalRow(t *testing.T) {
	s := startRealStack(t)
	c := callapi.NewClient(s.client)
	save := func(file, id string) {
		_, err := c.Save(t.Context(), callapi.SaveParams{Body: webhook(t, file, id)})
		require.NoError(t, err)
	}
	ref := "call_ref000000000000000000000000"
	for _, f := range webhooks {
		save(f, ref)
	}
	want := s.settled(t, ref)
	require.Equal(t, 95, want.DurationSeconds)
	require.NotEmpty(t, want.CustomerID, "the caller became a customer")
	require.Equal(t, "booking", want.Metadata[call.MetaIntent])
	require.Equal(t, "Anna Weber", want.Metadata[call.MetaCallerName])
	require.Equal(t, []any{map[string]any{"start": "2025-11-25T14:30:00+01:00", "readback": "Dienstag, 25. November, um 14:30 Uhr"}},
		want.Metadata[call.MetaPreferredTimes], "routing resolved 'Dienstag um halb drei' against the call's start")
	require.Equal(t, "positive", want.Sentiment)

	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for i, order := range orders {
		id := "call_real" + string(rune('a'+i)) + "0000000000000000000000"
		for _, o := range append(order, order[0], order[2]) {
			save(webhooks[o], id)
		}
		require.Equal(t, want, s.settled(t, id), "order %v", order)
	}

	id := "call_realinbox000000000000000000"
	var evs []callapi.RetellWebhook
	for _, f := range webhooks {
		for range 5 {
			evs = append(evs, callapi.RetellWebhook{Event: f[:len(f)-5], CallID: id, Key: f + id, Body: webhook(t, f, id)})
		}
	}
	rand.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	for _, ev := range evs {
		require.NoError(t, s.client.Publish(context.Background(), callapi.TopicRetellWebhook, ev))
	}
	require.Equal(t, want, s.settled(t, id), "concurrent inbox duplicates")

	var calls, keys int
	require.NoError(t, s.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM call_keys)`).Scan(&calls, &keys))
	require.Equal(t, 8, calls)
	require.Equal(t, 8, keys)
}

// TestRealDatabaseAnalyticsMonth reads a generated month through the call service and the real
// database service's analytics.daily (view for past days, live for today).
func TestRealDatabaseAnalyticsMonth(t *testing.T) {
	s := startRealStack(t, "MAINTENANCE_INTERVAL=1s")
	m := generateMonth(t, s.pool, rand.New(rand.NewPCG(3, 5)))
	generated := time.Now()
	// The view holds past days; wait for a refresh that saw the generated month.
	testenv.Eventually(t, 30*time.Second, func() bool {
		var at time.Time
		err := s.pool.QueryRow(t.Context(), `SELECT refreshed_at FROM stats_refreshes WHERE name = 'daily_booking_stats'`).Scan(&at)
		return err == nil && at.After(generated)
	}, "daily_booking_stats was not refreshed")
	checkMonth(t, callapi.NewClient(s.client), m)
}

// TestRealDatabaseOutboundCallCustomerIsTheCalledNumber: on an outbound call our own line is
// from_number; the customer is the number called, for the webhooks' saves and for the
// extraction's, and the line never becomes a customer.
func TestRealDatabaseOutboundCallCustomerIsTheCalledNumber(t *testing.T) {
	s := startRealStack(t)
	c := callapi.NewClient(s.client)
	id := "call_outbound0000000000000000000"
	const customerPhone = "+4915112345678"
	for _, f := range webhooks {
		body := webhook(t, f, id)
		body = bytes.ReplaceAll(body, []byte(`"direction":"inbound"`), []byte(`"direction":"outbound"`))
		body = bytes.ReplaceAll(body, []byte(`"from_number":"`+customerPhone+`"`), []byte(`"from_number":"swap"`))
		body = bytes.ReplaceAll(body, []byte(`"to_number":"`+branchPhone+`"`), []byte(`"to_number":"`+customerPhone+`"`))
		body = bytes.ReplaceAll(body, []byte(`"from_number":"swap"`), []byte(`"from_number":"`+branchPhone+`"`))
		require.Contains(t, string(body), `"direction":"outbound"`)
		_, err := c.Save(t.Context(), callapi.SaveParams{Body: body})
		require.NoError(t, err)
	}
	got := s.settled(t, id)
	require.Equal(t, "outbound", got.Metadata[call.MetaDirection])
	require.NotEmpty(t, got.CustomerID)
	customer, err := database.NewClient(s.client).Customer(t.Context(), database.CustomerParams{CompanyID: companyID, CustomerID: got.CustomerID})
	require.NoError(t, err)
	require.Equal(t, customerPhone, customer.Phone)
	var customers int
	require.NoError(t, s.pool.QueryRow(t.Context(), `SELECT count(*) FROM customers WHERE company_id = $1`, companyID).Scan(&customers))
	require.Equal(t, 1, customers, "our own line is not a customer")
}
