package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

// runMain runs askpro's main in a subprocess (the test binary, see TestMain) with the CLI's
// environment and returns what it printed and its exit code.
func (c *cli) runMain(args ...string) (stdout, stderr string, code int) {
	t := c.t
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), exe, "-test.run=^$")
	cmd.Env = []string{mainArgsEnv + "=" + string(raw)}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return o.String(), e.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return o.String(), e.String(), 0
}

// runAtClock runs askpro with now as its clock.
func (c *cli) runAtClock(now time.Time, args ...string) string {
	c.t.Helper()
	var buf bytes.Buffer
	err := runAt(c.t.Context(), args, c.lookup, &buf, func() time.Time { return now })
	require.NoError(c.t, err, "askpro %v:\n%s", args, buf.String())
	return buf.String()
}

func TestMaintenanceVacuumAndReindex(t *testing.T) {
	c := newCLI(t)
	out := c.run("maintenance", "vacuum")
	require.Regexp(t, `(?m)^calls\s+\d+\.\d\d\s+\d`, out)
	require.Regexp(t, `(?m)^appointments\s`, out)
	require.NotContains(t, out, "calls_default", "partitions are vacuumed through their parent")
	require.Regexp(t, `vacuum analyze: \d+ table\(s\)`, out)
	// ANALYZE ran: the planner's statistics of the table are fresh.
	testenv.Eventually(t, 10*time.Second, func() bool {
		return c.count(`SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'companies' AND last_analyze IS NOT NULL`) == 1
	}, "companies analyzed")

	var runs []tableRun
	require.NoError(t, json.Unmarshal([]byte(c.run("maintenance", "vacuum", "--table", "companies", "--json")), &runs))
	require.Len(t, runs, 1)
	require.Equal(t, "companies", runs[0].Table)
	require.Positive(t, runs[0].Bytes)

	oids := func() int {
		return c.count(`SELECT sum(i.indexrelid::oid::bigint)::int % 1000000 FROM pg_index i WHERE i.indrelid = 'appointments'::regclass`)
	}
	before := oids()
	out = c.run("maintenance", "reindex")
	for _, table := range largeTables {
		require.Regexp(t, `(?m)^`+table+`\s`, out)
	}
	require.Contains(t, out, "reindex concurrently: 7 table(s)")
	require.NotEqual(t, before, oids(), "REINDEX CONCURRENTLY builds new indexes")
	require.Zero(t, c.count(`SELECT count(*) FROM pg_index WHERE NOT indisvalid`))

	_, err := c.try("maintenance", "reindex", "--table", "calls", "--table", "nope")
	require.ErrorContains(t, err, `no table "nope"`)
	_, err = c.try("maintenance", "vacuum", "extra")
	require.ErrorContains(t, err, `unexpected argument "extra"`)
	_, err = c.try("maintenance", "defrag")
	require.ErrorContains(t, err, `unknown job "defrag"`)
}

// rotateFixture is two tenants with calls around the fixed clock of the rotate test.
type rotateFixture struct {
	shortLived, kept  string // company ids: 30 days of retention, and none
	linkedAppointment string
}

func seedRotate(t *testing.T, c *cli) rotateFixture {
	t.Helper()
	p := c.pool()
	ctx := t.Context()
	exec := func(sql string, args ...any) string {
		t.Helper()
		var id string
		require.NoError(t, p.QueryRow(ctx, sql, args...).Scan(&id), sql)
		return id
	}
	// The months of the calls get their partitions as they would have when they were current.
	exec(`SELECT ensure_call_partitions_at('2030-01-05T00:00:00Z', 1)::text`)
	company := func(name string, days any) (string, string) {
		id := exec(`INSERT INTO companies (name, api_key_digest, api_key_prefix, call_retention_days)
VALUES ($1, sha256(convert_to($1, 'UTF8')), 'ak_test', $2) RETURNING id::text`, name, days)
		branch := exec(`INSERT INTO branches (company_id, name, phone_number) VALUES ($1, 'Haupt', $2) RETURNING id::text`,
			id, "+4930555"+strconv.Itoa(len(name))+"0001")
		return id, branch
	}
	var f rotateFixture
	var shortBranch, keptBranch string
	f.shortLived, shortBranch = company("Kurz GmbH", 30)
	f.kept, keptBranch = company("Lang und Breit GmbH", nil)
	n := 0
	call := func(companyID, branch, started string) string {
		n++
		key := exec(`INSERT INTO call_keys (company_id, retell_call_id, started_at) VALUES ($1, $2, $3) RETURNING id::text`,
			companyID, "call_rot_"+strconv.Itoa(n), started)
		exec(`INSERT INTO calls (id, company_id, branch_id, retell_call_id, status, started_at)
VALUES ($1, $2, $3, $4, 'ended', $5) RETURNING id::text`, key, companyID, branch, "call_rot_"+strconv.Itoa(n), started)
		return key
	}
	// Expired for Kurz (before 2030-02-13): three, one of them with a booked appointment.
	booked := call(f.shortLived, shortBranch, "2030-01-10T09:00:00Z")
	call(f.shortLived, shortBranch, "2030-01-11T09:00:00Z")
	call(f.shortLived, shortBranch, "2030-02-02T09:00:00Z")
	// Within the retention; and a call of April, before April's partition exists (default).
	call(f.shortLived, shortBranch, "2030-03-01T09:00:00Z")
	call(f.shortLived, shortBranch, "2030-04-02T09:00:00Z")
	// Lang keeps everything: January's partition stays.
	call(f.kept, keptBranch, "2030-01-20T09:00:00Z")
	staff := exec(`INSERT INTO staff (company_id, branch_id, name) VALUES ($1, $2, 'Lea') RETURNING id::text`, f.shortLived, shortBranch)
	f.linkedAppointment = exec(`INSERT INTO appointments (company_id, branch_id, staff_id, call_id, start_time, end_time, confirmation_number, retell_call_id)
VALUES ($1, $2, $3, $4, '2030-01-15T09:00:00Z', '2030-01-15T09:45:00Z', 'RTAK22', 'call_rot_1') RETURNING id::text`,
		f.shortLived, shortBranch, staff, booked)
	return f
}

func TestMaintenanceRotate(t *testing.T) {
	c := newCLI(t)
	f := seedRotate(t, c)
	now := time.Date(2030, 3, 15, 10, 0, 0, 0, time.UTC)
	calls := func(company string) int {
		return c.count(`SELECT count(*) FROM calls WHERE company_id = $1`, company)
	}

	out := c.runAtClock(now, "maintenance", "rotate", "--dry-run")
	require.Contains(t, out, "dry run: nothing changed")
	require.Regexp(t, `Kurz GmbH\s+30 days\s+2030-02-13T10:00:00Z\s+would delete 3`, out)
	require.NotContains(t, out, "Lang und Breit", "no retention set: not a retention tenant")
	require.Contains(t, out, "calls_y2030m02", "February will be empty once its call expires")
	require.Equal(t, 5, calls(f.shortLived))
	require.Zero(t, c.count(`SELECT count(*) FROM pg_class WHERE relname = 'calls_y2030m03'`))

	out = c.runAtClock(now, "maintenance", "rotate", "--batch", "2")
	require.Contains(t, out, "partitions: 4 created, ready until 2030-06")
	require.Regexp(t, `Kurz GmbH\s+30 days\s+2030-02-13T10:00:00Z\s+deleted 3`, out)
	require.Regexp(t, `empty past partitions dropped: \d+ \[.*calls_y2030m02.*\]`, out)
	require.NotContains(t, out, "calls_y2030m01")

	require.Equal(t, 2, calls(f.shortLived))
	require.Equal(t, 1, calls(f.kept))
	require.Zero(t, c.count(`SELECT count(*) FROM call_keys WHERE company_id = $1 AND started_at < '2030-02-13T10:00:00Z'`, f.shortLived))
	for _, p := range []string{"calls_y2030m03", "calls_y2030m04", "calls_y2030m05", "calls_y2030m06", "calls_y2030m01"} {
		require.Equal(t, 1, c.count(`SELECT count(*) FROM pg_inherits WHERE inhrelid = to_regclass($1)`, p), p)
	}
	require.Zero(t, c.count(`SELECT count(*) FROM pg_class WHERE relname = 'calls_y2030m02'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM calls_y2030m04`), "April's call left the default partition")
	require.Zero(t, c.count(`SELECT count(*) FROM calls_default`))
	// The appointment stays, without its call; the deletion is audited.
	require.Equal(t, 1, c.count(`SELECT count(*) FROM appointments WHERE id = $1 AND call_id IS NULL AND retell_call_id = 'call_rot_1'`, f.linkedAppointment))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM audit_log WHERE company_id = $1 AND action = 'calls.retention_deleted' AND data->>'deleted' = '3'`, f.shortLived))

	// A second run finds nothing to do.
	var rep RotateReport
	require.NoError(t, json.Unmarshal([]byte(c.runAtClock(now, "maintenance", "rotate", "--json")), &rep))
	require.Zero(t, rep.Created)
	require.Equal(t, "2030-06", rep.ReadyUntil)
	require.Len(t, rep.Tenants, 1)
	require.Zero(t, rep.Tenants[0].Deleted)
	require.Empty(t, rep.Dropped)

	_, err := c.try("maintenance", "rotate", "--batch", "0")
	require.ErrorContains(t, err, "--batch 0 is not positive")
}

func TestTenantApplySetsCallRetention(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	write := func(yaml string) string {
		p := dir + "/tenant.yaml"
		require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
		return p
	}
	spec := "name: Praxis Retention\ntime_zone: Europe/Berlin\n"
	c.run("tenant", "apply", "-f", write(spec+"retention:\n  call_days: 90\n"))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies WHERE name = 'Praxis Retention' AND call_retention_days = 90`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM audit_log WHERE action = 'company.call_retention_set'`))
	c.run("tenant", "apply", "-f", write(spec+"retention:\n  call_days: 90\n"))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM audit_log WHERE action = 'company.call_retention_set'`), "unchanged: not audited again")
	c.run("tenant", "apply", "-f", write(spec))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies WHERE name = 'Praxis Retention' AND call_retention_days IS NULL`))
	_, err := c.try("tenant", "apply", "-f", write(spec+"retention:\n  call_days: -1\n"))
	require.ErrorContains(t, err, "retention.call_days: -1")
}

func TestMaintenanceDeadLettersExitCodes(t *testing.T) {
	c := newCLI(t)
	stdout, stderr, code := c.runMain("maintenance", "deadletters")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "OK no service has more than 0 dead letter(s)")

	startServer(t, c, "booking")
	deadLetter(t, c)
	deadLetter(t, c)
	testenv.Eventually(t, 30*time.Second, func() bool { return dlqLen(t, c) == 2 }, "two dead letters")

	stdout, stderr, code = c.runMain("maintenance", "deadletters")
	require.Equal(t, 3, code, stderr)
	require.Empty(t, stderr)
	require.Regexp(t, `(?m)^booking\s+2\s+\d{4}-\d\d-\d\dT`, stdout)
	require.Regexp(t, `(?m)^calcom\s+0\s+-`, stdout)
	require.Contains(t, stdout, "ALERT dead letters above threshold 0: booking=2")

	stdout, stderr, code = c.runMain("maintenance", "deadletters", "--threshold", "2", "--json")
	require.Equal(t, 0, code, stderr)
	var counts []DeadLetterCount
	require.NoError(t, json.NewDecoder(strings.NewReader(stdout)).Decode(&counts))
	require.Len(t, counts, len(services))
	require.Equal(t, DeadLetterCount{Service: "booking", Count: 2, Oldest: counts[3].Oldest}, counts[3])
	require.NotNil(t, counts[3].Oldest)

	_, stderr, code = c.runMain("maintenance", "deadletters", "--threshold", "-1")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "--threshold -1 is negative")
}

func TestMaintenanceHealthLiveAndStaleWorkers(t *testing.T) {
	c := newCLI(t)
	startServer(t, c, "booking")
	ctx := t.Context()
	rdb := c.redis.Client
	key := func(svc string) string { return c.ns() + ":rpc:" + svc + ":instances" }
	testenv.Eventually(t, 30*time.Second, func() bool {
		n, err := rdb.ZCard(ctx, key("booking")).Result()
		return err == nil && n == 1
	}, "booking's heartbeat")
	// A call instance that stopped beating two minutes ago (by Redis's clock, as servers beat),
	// with an entry it never acknowledged.
	redisNow, err := rdb.Time(ctx).Result()
	require.NoError(t, err)
	require.NoError(t, rdb.ZAdd(ctx, key("call"), redis.Z{Score: float64(redisNow.Add(-2 * time.Minute).UnixMilli()), Member: "call-7f9c"}).Err())
	stream := rpc.RequestStream(c.ns(), "call", rpc.LaneNormal)
	require.NoError(t, rdb.XGroupCreateMkStream(ctx, stream, "call", "0").Err())
	require.NoError(t, rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: map[string]any{"v": "1"}}).Err())
	require.NoError(t, rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "call", Consumer: "call-7f9c", Streams: []string{stream, ">"}, Count: 1}).Err())

	out := c.run("maintenance", "health")
	require.Regexp(t, `(?m)^booking\s+test-booking\s+live\s+\d{4}-`, out)
	require.Regexp(t, `(?m)^call\s+call-7f9c\s+stale\s+\d{4}-\S+\s+2m\d*s?\s+1\s*$`, out)
	require.Regexp(t, `(?m)^routing\s+-\s+none`, out)
	require.Contains(t, out, "booking: 1 live")
	require.Contains(t, out, "call: 0 live")
	require.Contains(t, out, "WARN no live instance: routing call database calcom")

	var report []ServiceHealth
	require.NoError(t, json.NewDecoder(strings.NewReader(c.run("maintenance", "health", "--json"))).Decode(&report))
	require.Len(t, report, 5)
	require.Equal(t, "call", report[1].Service)
	require.Equal(t, "stale", report[1].Workers[0].Status)
	require.EqualValues(t, 1, report[1].Workers[0].Pending)
	require.GreaterOrEqual(t, report[1].Workers[0].Silent, 120.0)

	_, stderr, code := c.runMain("maintenance", "health", "--require-live")
	require.Equal(t, 3, code, stderr)
}

func TestMaintenanceQueues(t *testing.T) {
	c := newCLI(t)
	ctx := t.Context()
	rdb := c.redis.Client
	stream := rpc.RequestStream(c.ns(), "booking", rpc.LaneHigh)
	require.NoError(t, rdb.XGroupCreateMkStream(ctx, stream, "booking", "0").Err())
	for range 3 {
		require.NoError(t, rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: map[string]any{"v": "1"}}).Err())
	}
	events := rpc.EventStream(c.ns(), "booking.created")
	require.NoError(t, rdb.XGroupCreateMkStream(ctx, events, "call", "0").Err())
	require.NoError(t, rdb.XAdd(ctx, &redis.XAddArgs{Stream: events, Values: map[string]any{"v": "1"}}).Err())

	out := c.run("maintenance", "queues")
	require.Regexp(t, `(?m)^request\s+booking high\s+booking\s+3\s+3\s+0\s+0\s*$`, out)
	require.Regexp(t, `(?m)^request\s+calcom low\s+-\s+0\s+\?\s+0\s+0\s*$`, out)
	require.Regexp(t, `(?m)^event\s+booking.created\s+call\s+1\s+1\s+0\s+0\s*$`, out)
	require.Contains(t, out, "total: 16 stream(s)/group(s), length 4, lag 4, pending 0")

	var queues []QueueDepth
	require.NoError(t, json.NewDecoder(strings.NewReader(c.run("maintenance", "queues", "--json"))).Decode(&queues))
	require.Len(t, queues, 16)

	_, stderr, code := c.runMain("maintenance", "queues", "--max-lag", "2")
	require.Equal(t, 3, code, stderr)
	_, stderr, code = c.runMain("maintenance", "queues", "--max-lag", "3")
	require.Equal(t, 0, code, stderr)
}
