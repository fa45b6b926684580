package security

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/retell"
	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// Development keys of the suite's system (never used anywhere else).
const (
	retellKey = "security-retell-key"
	piiKeys   = "v1:c2VjdXJpdHktc3VpdGUtcGlpLWtleS0zMi1ieXRlcyE="
	blindKey  = "c2VjdXJpdHktc3VpdGUtYmxpbmQta2V5LTMyLWJ5dGU="
	// callerA is the demo tenant's customer: the suite books for this number.
	callerA = "+4915112340001"
	// authCacheTTL is the gateway's AUTH_CACHE_TTL here: a rotated key must stop within it.
	authCacheTTL = time.Second
	// writeBurst is the gateway's RPC_RATE_LIMIT_WRITE_BURST here (10 a second refill).
	writeBurst = 40
)

// suiteNow is when the system believes it is: Monday 7 December 2026, 10:00 in Berlin.
var suiteNow = time.Date(2026, 12, 7, 10, 0, 0, 0, berlin)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// tenantB is the second tenant, applied with askpro: a branch, a service and one staff member,
// no Cal.com account.
const tenantBYAML = `
name: Praxis Dr. Wolf
time_zone: Europe/Berlin
branches:
  - name: Praxis
    phone: "+49 30 5557-4400"
    state: DE-BE
    opening_hours:
      mon: ["08:00-18:00"]
      tue: ["08:00-18:00"]
      wed: ["08:00-18:00"]
      thu: ["08:00-18:00"]
      fri: ["08:00-18:00"]
services:
  - name: Beratung
    duration_minutes: 30
    calcom_event_type_id: 99001
staff:
  - name: Jonas Wolf
    branch: Praxis
`

// tenant is what the cases know of one tenant.
type tenant struct {
	id, key, phone, branch, staff, eventType string
}

// booking is tenant A's appointment the cases try to reach.
type booking struct {
	id, number, date string
	start            time.Time
}

// suite is the running system and what was seeded into it.
type suite struct {
	sys       *stack.System
	db        *pgxpool.Pool
	askpro    *exec.Cmd // template: path and environment of the askpro binary
	specB     string    // tenant B's YAML file
	a, b, c   tenant    // c: a tenant of its own for the rate-limit cases
	booked    booking   // tenant A's, booked through the voice path
	namespace string
}

func needSecurity(t *testing.T) {
	t.Helper()
	if os.Getenv("ASKPRO_SECURITY") != "1" {
		t.Skip("security suite: runs with ASKPRO_SECURITY=1 (make test-security); skipped in make test on purpose")
	}
}

// start builds the binaries with the test clock, seeds the demo tenant (A), applies tenant B,
// creates tenant C and starts calsim and the six services.
func start(t *testing.T) *suite {
	t.Helper()
	redis := testenv.Redis(t)
	dbURL := testenv.PostgresURL(t)
	root, err := stack.Root()
	require.NoError(t, err)
	dir := t.TempDir()
	ctx := t.Context()
	bins, err := stack.BuildWith(ctx, root, dir, stack.BuildOptions{Tags: []string{stack.TestClockTag}})
	require.NoError(t, err)
	clockFile := filepath.Join(dir, "clock")
	require.NoError(t, clock.Set(clockFile, suiteNow))
	s := &suite{namespace: redis.Prefix + "askpro"}

	s.askpro = exec.CommandContext(ctx, bins["askpro"])
	s.askpro.Env = []string{"TZ=UTC", "DATABASE_URL=" + dbURL, "PII_KEYS=" + piiKeys, "BLIND_INDEX_KEY=" + blindKey,
		"REDIS_URL=" + redis.URL, "RPC_NAMESPACE=" + s.namespace, "ASKPRO_ACTOR=security-suite", clock.EnvFile + "=" + clockFile}
	s.run(t, "seed", "demo", "--calsim-seed", filepath.Join(dir, "calsim.json"), "--env-file", filepath.Join(dir, "demo.env"))
	demo := readEnvFile(t, filepath.Join(dir, "demo.env"))
	s.a = tenant{id: demo["ASKPRO_DEMO_COMPANY_ID"], key: demo["ASKPRO_DEMO_API_KEY"], phone: demo["ASKPRO_DEMO_PHONE_1"]}
	s.specB = filepath.Join(dir, "tenant-b.yaml")
	require.NoError(t, os.WriteFile(s.specB, []byte(tenantBYAML), 0o600))
	s.b.key = apiKeyIn(t, s.run(t, "tenant", "apply", "-f", s.specB))
	s.c.key = apiKeyIn(t, s.run(t, "tenant", "create", "--name", "Limit Probe GmbH", "--time-zone", "Europe/Berlin"))

	s.sys, err = stack.Start(ctx, stack.Config{
		Bin: bins, RedisURL: redis.URL, DatabaseURL: dbURL, Namespace: s.namespace,
		RetellKey: retellKey, PIIKeys: piiKeys, BlindIndexKey: blindKey,
		CalsimSeed: filepath.Join(dir, "calsim.json"), LogDir: dir, ClockFile: clockFile,
		CalsimArgs: []string{"-rate-limit", "-1"},
		Env:        map[string]string{"LOG_LEVEL": "warn"},
		ServiceEnv: map[string]map[string]string{
			"calcom": {"CALCOM_RATE_LIMIT": "2000", "CALCOM_RATE_BURST": "200"},
			// A short key cache, so a rotated key stops within a second; the suite's clients
			// name their address in X-Forwarded-For (loopback is the trusted proxy), so each
			// flood case has a failed-auth budget of its own. The budgets hold every case of
			// tenants A and B; tenant C spends them on purpose.
			"gateway": {
				"AUTH_CACHE_TTL": authCacheTTL.String(), "TRUSTED_PROXIES": "127.0.0.1/32",
				"RPC_RATE_LIMIT_PER_MINUTE": "1200", "RPC_RATE_LIMIT_BURST": "200",
				"RPC_RATE_LIMIT_WRITE_PER_MINUTE": "600", "RPC_RATE_LIMIT_WRITE_BURST": strconv.Itoa(writeBurst),
			},
		},
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs:\n%s", s.sys.Logs(40))
		}
		require.NoError(t, s.sys.Stop(), "every process drains and exits 0 on SIGTERM")
	})
	require.NoError(t, err, "start:\n%s", s.sys.Logs(40))
	s.db, err = pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(s.db.Close)

	s.loadTenant(t, &s.a, s.a.id, "")
	s.loadTenant(t, &s.b, "", "Praxis Dr. Wolf")
	s.loadTenant(t, &s.c, "", "Limit Probe GmbH")
	s.booked = s.book(t)
	return s
}

// run runs askpro with args and returns what it printed.
func (s *suite) run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), s.askpro.Path, args...)
	cmd.Env = slices.Clone(s.askpro.Env)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "askpro %v:\n%s", args, out)
	return string(out)
}

var apiKeyPattern = regexp.MustCompile(`API key \(shown once, store it now\): (ak_\S+)`)

func apiKeyIn(t *testing.T, out string) string {
	t.Helper()
	m := apiKeyPattern.FindStringSubmatch(out)
	require.Len(t, m, 2, "the key is printed once: %s", out)
	return m[1]
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			out[k] = v
		}
	}
	return out
}

// loadTenant reads a tenant's id (by name when id is empty), first branch, staff member and
// service from PostgreSQL.
func (s *suite) loadTenant(t *testing.T, tn *tenant, id, name string) {
	t.Helper()
	ctx := t.Context()
	if id == "" {
		require.NoError(t, s.db.QueryRow(ctx, `SELECT id::text FROM companies WHERE name = $1`, name).Scan(&id))
	}
	tn.id = id
	err := s.db.QueryRow(ctx, `SELECT b.id::text, b.phone_number FROM branches b
WHERE b.company_id = $1 AND ($2 = '' OR b.phone_number = $2) ORDER BY b.name LIMIT 1`, id, tn.phone).Scan(&tn.branch, &tn.phone)
	if err != nil {
		return // tenant C has no branch
	}
	require.NoError(t, s.db.QueryRow(ctx, `SELECT s.id::text FROM staff s WHERE s.branch_id = $1 ORDER BY s.name LIMIT 1`, tn.branch).Scan(&tn.staff))
	require.NoError(t, s.db.QueryRow(ctx, `SELECT e.id::text FROM event_types e WHERE e.company_id = $1 ORDER BY e.name LIMIT 1`, id).Scan(&tn.eventType))
}

// book books tenant A's appointment the way a caller does: check_availability, then
// book_appointment with the first offer, both as signed live function calls.
func (s *suite) book(t *testing.T) booking {
	t.Helper()
	call := s.callTo(s.a, callerA, "call_sec_setup")
	var check gateway.FunctionResult
	require.Equal(t, http.StatusOK, s.fn(t, "check_availability", call,
		map[string]any{"service": "Haare schneiden", "date": "am 15. Dezember", "time": "um 10 Uhr"}, &check))
	require.NotEmpty(t, check.Options, "%+v", check)
	offer := check.Options[0]
	var booked gateway.FunctionResult
	require.Equal(t, http.StatusOK, s.fn(t, "book_appointment", call, map[string]any{
		"service": "Haare schneiden", "start": offer.Start, "staff_id": offer.StaffID, "name": "Maria Muster",
	}, &booked))
	require.True(t, booked.Success, "%+v", booked)
	start, err := time.Parse(time.RFC3339, booked.Booking.Start)
	require.NoError(t, err)
	return booking{id: booked.Booking.AppointmentID, number: booked.Booking.ConfirmationNumber,
		date: start.In(berlin).Format(time.DateOnly), start: start}
}

// callTo is the call object Retell sends with a function call: from a number to a tenant's
// branch, without our metadata (the gateway then finds the tenant by the dialled number).
func (s *suite) callTo(tn tenant, from, id string) map[string]any {
	return map[string]any{
		"call_id": id, "call_type": "phone_call", "direction": "inbound", "agent_id": "agent_security",
		"from_number": from, "to_number": tn.phone, "call_status": "ongoing", "start_timestamp": suiteNow.UnixMilli(),
	}
}

// fn sends a signed live function call and decodes the answer into out; it returns the status.
func (s *suite) fn(t *testing.T, name string, call, args map[string]any, out any) int {
	t.Helper()
	body, err := json.Marshal(map[string]any{"name": name, "call": call, "args": args})
	require.NoError(t, err)
	status, raw := s.post(t, "/retell/functions/"+name, body, retell.Sign(body, retellKey, time.Now()))
	if out != nil && status == http.StatusOK {
		require.NoError(t, json.Unmarshal(raw, out), "%s", raw)
	}
	return status
}

// post sends a Retell request with the given signature header (none when empty). The
// signature carries the real time: its window is about real time, whatever the business clock.
func (s *suite) post(t *testing.T, path string, body []byte, signature string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.sys.GatewayURL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(retell.SignatureHeader, signature)
	}
	return do(t, req)
}

// rpc posts body to /rpc with key (none when empty) and extra headers; values of a header
// are sent as repeated headers.
func (s *suite) rpc(t *testing.T, key string, body []byte, headers http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.sys.GatewayURL+"/rpc", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(gateway.APIKeyHeader, key)
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, raw
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// rpcReply is one JSON-RPC response.
type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	} `json:"error"`
}

// call builds one JSON-RPC request.
func call(id int, method string, params any) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// jsonOf marshals what the cases build from maps and strings, which always marshals.
func jsonOf(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// replies decodes a single response or a batch.
func replies(t *testing.T, raw []byte) []rpcReply {
	t.Helper()
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var out []rpcReply
		require.NoError(t, json.Unmarshal(trimmed, &out), "%s", raw)
		return out
	}
	var one rpcReply
	require.NoError(t, json.Unmarshal(trimmed, &one), "%s", raw)
	return []rpcReply{one}
}

// tableState is one table's row count and a checksum of all its rows.
type tableState struct {
	rows int64
	sum  string
}

// snapshot is the state of the tables an attack could touch; auditMax is the highest
// audit_log id, and auditOld the checksum of the rows up to it.
type snapshot struct {
	tables   map[string]tableState
	auditMax int64
	auditOld string
}

// watched are the tables every case checks.
var watched = []string{"appointments", "customers", "audit_log", "calls", "companies"}

func (s *suite) snapshot(t *testing.T) snapshot {
	t.Helper()
	snap := snapshot{tables: map[string]tableState{}}
	for _, table := range watched {
		var st tableState
		require.NoError(t, s.db.QueryRow(t.Context(), fmt.Sprintf(
			`SELECT count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM %s x`, table)).Scan(&st.rows, &st.sum))
		snap.tables[table] = st
	}
	require.NoError(t, s.db.QueryRow(t.Context(), `SELECT coalesce(max(id), 0) FROM audit_log`).Scan(&snap.auditMax))
	snap.auditOld = s.auditSum(t, snap.auditMax)
	return snap
}

// auditSum is the checksum of the audit rows up to id max.
func (s *suite) auditSum(t *testing.T, max int64) string {
	t.Helper()
	var sum string
	require.NoError(t, s.db.QueryRow(t.Context(),
		`SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x.id)), '') FROM audit_log x WHERE x.id <= $1`, max).Scan(&sum))
	return sum
}

// unchanged asserts that PostgreSQL is as before, except the tables in may: those may change,
// and audit_log, when listed, only grows (every earlier row as it was).
func (s *suite) unchanged(t *testing.T, before snapshot, may ...string) {
	t.Helper()
	after := s.snapshot(t)
	for _, table := range watched {
		if slices.Contains(may, table) {
			continue
		}
		require.Equal(t, before.tables[table], after.tables[table], "%s changed", table)
	}
	if slices.Contains(may, "audit_log") {
		require.GreaterOrEqual(t, after.auditMax, before.auditMax, "the audit log only grows")
		require.Equal(t, before.auditOld, s.auditSum(t, before.auditMax), "earlier audit rows are as they were")
	}
}

// appointmentStatus is the status of tenant A's booking now.
func (s *suite) appointmentStatus(t *testing.T) string {
	t.Helper()
	var status string
	require.NoError(t, s.db.QueryRow(context.WithoutCancel(t.Context()), `SELECT status FROM appointments WHERE id = $1`, s.booked.id).Scan(&status))
	return status
}

// callState waits until the call id is stored (sending its call_started first when from is
// given) and returns its row and the number of audit rows about it.
func (s *suite) callState(t *testing.T, id string, from ...string) string {
	t.Helper()
	if len(from) > 0 {
		body := jsonOf(map[string]any{"event": "call_started", "call": s.callTo(s.a, from[0], id)})
		status, raw := s.post(t, "/retell/webhook", body, retell.Sign(body, retellKey, time.Now()))
		require.Equal(t, http.StatusNoContent, status, "%s", raw)
	}
	var state string
	testenv.Eventually(t, 20*time.Second, func() bool {
		err := s.db.QueryRow(t.Context(), `SELECT c::text || ' audit ' || (SELECT count(*) FROM audit_log a WHERE a.entity_id = c.id::text)
FROM calls c WHERE c.retell_call_id = $1`, id).Scan(&state)
		return err == nil
	}, "call %s is stored", id)
	return state
}
