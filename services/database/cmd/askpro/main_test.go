package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/database/internal/database"
)

const (
	testPII   = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	testBlind = "YmxpbmQtaW5kZXgta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5"
)

// cli is askpro against a throw-away database and a test-owned Redis namespace.
type cli struct {
	t     *testing.T
	env   map[string]string
	dbURL string
	redis *testenv.RedisEnv
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	r := testenv.Redis(t)
	dbURL := testenv.PostgresURL(t)
	return &cli{t: t, dbURL: dbURL, redis: r, env: map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": r.URL, "RPC_NAMESPACE": r.Prefix + "askpro",
		"PII_KEYS": testPII, "BLIND_INDEX_KEY": testBlind,
	}}
}

func (c *cli) ns() string { return c.env["RPC_NAMESPACE"] }

func (c *cli) lookup(k string) (string, bool) { v, ok := c.env[k]; return v, ok }

// run runs askpro and returns its output; the test fails on an error.
func (c *cli) run(args ...string) string {
	c.t.Helper()
	out, err := c.try(args...)
	require.NoError(c.t, err, "askpro %v:\n%s", args, out)
	return out
}

func (c *cli) try(args ...string) (string, error) {
	var buf bytes.Buffer
	err := run(c.t.Context(), args, c.lookup, &buf)
	return buf.String(), err
}

func (c *cli) pool() *pgxpool.Pool {
	c.t.Helper()
	p, err := pgxpool.New(c.t.Context(), c.dbURL)
	require.NoError(c.t, err)
	c.t.Cleanup(p.Close)
	return p
}

func (c *cli) count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.pool().QueryRow(c.t.Context(), sql, args...).Scan(&n))
	return n
}

var keyRE = regexp.MustCompile(`API key \(shown once, store it now\): (ak_live_[0-9a-f]{64})`)

func TestMigrateIsIdempotent(t *testing.T) {
	c := newCLI(t)
	require.Contains(t, c.run("migrate"), "migrated: schema version")
	require.Contains(t, c.run("migrate"), "migrated: schema version")
}

func TestTenantCreateStoresOnlyTheDigest(t *testing.T) {
	c := newCLI(t)
	out := c.run("tenant", "create", "--name", "Praxis Dr. Weber", "--time-zone", "Europe/Vienna", "--calcom-api-key", "cal_live_x")
	m := keyRE.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	key := m[1]
	sum := sha256.Sum256([]byte(key))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM api_keys k JOIN companies c ON c.id = k.company_id
WHERE k.digest = $1 AND k.prefix = $2 AND k.name = 'default' AND k.revoked_at IS NULL
AND c.time_zone = 'Europe/Vienna' AND c.calcom_api_key_enc IS NOT NULL`, sum[:], key[:apiKeyPrefixLen]))

	list := c.run("tenant", "list")
	require.Contains(t, list, "Praxis Dr. Weber")
	require.Contains(t, list, key[:apiKeyPrefixLen]+"…")
	require.NotContains(t, list, key)
	require.Contains(t, list, "1 tenant(s)")

	_, err := c.try("tenant", "create", "--name", "X", "--time-zone", "Mars/Olympus")
	require.Error(t, err)
	_, err = c.try("tenant", "create", "--name", "Praxis Dr. Weber")
	require.ErrorContains(t, err, "exists")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies`))
}

const tenantYAML = `
name: Werkstatt Müller
time_zone: Europe/Berlin
calcom:
  api_key: cal_test_werkstatt
  user_id: 7
  username: werkstatt-mueller
  email: termine@werkstatt.example
branches:
  - name: Werkstatt Nord
    phone: "+49 30 5557-1400"
    opening_hours:
      mon: ["08:00-12:00", "13:00-17:00"]
      sat: ["09:00-12:00"]
services:
  - name: Ölwechsel
    aliases: [Öl wechseln, Oelwechsel]
    duration_minutes: 30
    price_cents: 4900
    calcom_event_type_id: 501
  - name: Reifenwechsel
    aliases: [Reifen wechseln]
    duration_minutes: 45
    calcom_event_type_id: 502
staff:
  - name: Kai Müller
    branch: Werkstatt Nord
    aliases: [Kai]
    calcom_user_id: 71
    services: [Ölwechsel]
  - name: Ute Sommer
    branch: Werkstatt Nord
    calcom_user_id: 72
`

func TestTenantApplyIsIdempotentAndUpdates(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(tenantYAML), 0o600))

	first := c.run("tenant", "apply", "-f", file)
	require.Contains(t, first, "tenant created: Werkstatt Müller")
	require.Regexp(t, keyRE, first)
	require.Contains(t, first, "+493055571400")

	second := c.run("tenant", "apply", "-f", file)
	require.Contains(t, second, "tenant exists")
	require.NotRegexp(t, keyRE, second)
	require.Contains(t, second, "0 record(s) created or updated")

	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branches WHERE opening_hours->'mon'->1->>'from' = '13:00'`))
	require.Equal(t, 2, c.count(`SELECT count(*) FROM event_types WHERE 'öl wechseln' = ANY(aliases) OR calcom_event_type_id = 502`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM staff_event_types se JOIN staff s ON s.id = se.staff_id WHERE s.name = 'Kai Müller'`))
	require.Equal(t, 2, c.count(`SELECT count(*) FROM staff_event_types se JOIN staff s ON s.id = se.staff_id WHERE s.name = 'Ute Sommer'`))

	changed := strings.Replace(tenantYAML, "duration_minutes: 45", "duration_minutes: 60", 1)
	require.NoError(t, os.WriteFile(file, []byte(changed), 0o600))
	third := c.run("tenant", "apply", "-f", file)
	require.Contains(t, third, "1 record(s) created or updated")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE calcom_event_type_id = 502 AND duration_minutes = 60`))

	// Ute gets her own Cal.com event type of the tyre change: she is booked through it.
	own := strings.Replace(changed, "    calcom_user_id: 72\n", "    calcom_user_id: 72\n    calcom_event_types: {Reifenwechsel: 7202}\n", 1)
	require.NoError(t, os.WriteFile(file, []byte(own), 0o600))
	require.Contains(t, c.run("tenant", "apply", "-f", file), "1 record(s) created or updated")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM staff_event_types se JOIN staff s ON s.id = se.staff_id
WHERE s.name = 'Ute Sommer' AND se.calcom_event_type_id = 7202`))
	require.Contains(t, c.run("tenant", "apply", "-f", file), "0 record(s) created or updated")

	for _, tc := range []struct{ from, to, want string }{
		{"services: [Ölwechsel]", "services: [Lackieren]", `unknown service "Lackieren"`},
		{"{Reifenwechsel: 7202}", "{Lackieren: 7202}", `"Lackieren" is not a service they offer`},
		{"{Reifenwechsel: 7202}", "{Reifenwechsel: 501}", `needs a Cal.com event type id > 0 used nowhere else`},
		{"{Reifenwechsel: 7202}", "{Reifenwechsel: 0}", `needs a Cal.com event type id > 0 used nowhere else`},
	} {
		bad := strings.Replace(own, tc.from, tc.to, 1)
		require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
		_, err := c.try("tenant", "apply", "-f", file)
		require.ErrorContains(t, err, tc.want)
	}
	require.Equal(t, 1, c.count(`SELECT count(*) FROM staff_event_types WHERE calcom_event_type_id = 7202`), "bad files change nothing")
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	seedPath, envPath := filepath.Join(dir, "calsim.json"), filepath.Join(dir, "demo.env")
	args := []string{"seed", "demo", "--calsim-seed", seedPath, "--env-file", envPath}

	first := c.run(args...)
	m := keyRE.FindStringSubmatch(first)
	require.NotNil(t, m, first)
	env, err := os.ReadFile(envPath)
	require.NoError(t, err)
	require.Contains(t, string(env), "ASKPRO_DEMO_API_KEY="+m[1])
	info, err := os.Stat(envPath)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	second := c.run(args...)
	require.Contains(t, second, "tenant exists: Salon Haarmonie")
	require.NotRegexp(t, keyRE, second)
	require.Contains(t, second, "0 record(s) created or updated")
	env2, err := os.ReadFile(envPath)
	require.NoError(t, err)
	require.Equal(t, string(env), string(env2), "a second seed keeps the saved key")

	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies WHERE name = 'Salon Haarmonie'`))
	require.Equal(t, 2, c.count(`SELECT count(*) FROM branches`))
	require.Equal(t, 5, c.count(`SELECT count(*) FROM staff`))
	require.Equal(t, 6, c.count(`SELECT count(*) FROM event_types`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE name = 'Damenhaarschnitt'
AND aliases @> ARRAY['haare schneiden', 'haarschnitt damen'] AND duration_minutes = 45`))

	rotated := c.run(append(args, "--rotate-key")...)
	m2 := keyRE.FindStringSubmatch(rotated)
	require.NotNil(t, m2, rotated)
	require.NotEqual(t, m[1], m2[1])
	sum := sha256.Sum256([]byte(m2[1]))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM api_keys WHERE digest = $1 AND revoked_at IS NULL`, sum[:]))
	old := sha256.Sum256([]byte(m[1]))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM api_keys WHERE digest = $1 AND revoked_at IS NOT NULL`, old[:]),
		"the rotated key is revoked")
	env3, err := os.ReadFile(envPath)
	require.NoError(t, err)
	require.Contains(t, string(env3), "ASKPRO_DEMO_API_KEY="+m2[1])
}

// TestCalsimSeedMatchesTenant checks that the seed calsim loads serves exactly the tenant's
// catalogue: the account's key is the stored Cal.com key, every event type and every staff
// member's Cal.com user exists, durations agree, and schedules are valid calsim schedules.
func TestCalsimSeedMatchesTenant(t *testing.T) {
	c := newCLI(t)
	seedPath := filepath.Join(t.TempDir(), "calsim.json")
	c.run("seed", "demo", "--calsim-seed", seedPath)

	raw, err := os.ReadFile(seedPath)
	require.NoError(t, err)
	var seed calsimSeed
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&seed))

	cipher, err := database.ParseKeys(testPII, testBlind)
	require.NoError(t, err)
	store, err := database.New(t.Context(), database.Options{WriteURL: c.dbURL, Cipher: cipher, Logger: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(store.Close)
	companies, err := store.CompaniesByName(t.Context(), "Salon Haarmonie")
	require.NoError(t, err)
	require.Len(t, companies, 1)
	calKey, err := store.CalcomAPIKey(t.Context(), companies[0].ID)
	require.NoError(t, err)
	require.Len(t, seed.Accounts, 1)
	require.Equal(t, calKey, seed.Accounts[0].APIKey)

	users := map[int64]bool{}
	for _, u := range seed.Users {
		_, err := time.LoadLocation(u.TimeZone)
		require.NoError(t, err)
		users[u.ID] = true
	}
	require.True(t, users[seed.Accounts[0].UserID])
	events, err := store.EventTypes(t.Context(), companies[0].ID, "")
	require.NoError(t, err)
	byCal := func(id int64) calsimEventType {
		i := slices.IndexFunc(seed.EventTypes, func(s calsimEventType) bool { return s.ID == id })
		require.GreaterOrEqual(t, i, 0, "event type %d missing in calsim", id)
		return seed.EventTypes[i]
	}
	for _, e := range events {
		et := byCal(e.CalcomEventTypeID)
		require.Equal(t, e.DurationMinutes, et.LengthInMinutes)
		require.Equal(t, seed.Accounts[0].UserID, et.UserID)
		require.NotEmpty(t, et.Slug)
	}
	staff, err := store.StaffList(t.Context(), companies[0].ID, "")
	require.NoError(t, err)
	require.Len(t, staff, 5)
	for _, st := range staff {
		require.True(t, users[st.CalcomUserID], "staff %s: cal.com user %d missing", st.Name, st.CalcomUserID)
		require.Empty(t, st.CalcomEventTypes, "the demo books every stylist through the owner's event types")
	}
	require.Len(t, seed.EventTypes, len(events), "the owner's event types, nothing else")
	days := map[string]bool{"Monday": true, "Tuesday": true, "Wednesday": true, "Thursday": true, "Friday": true, "Saturday": true, "Sunday": true}
	for _, sc := range seed.Schedules {
		require.True(t, users[sc.UserID])
		for _, a := range sc.Availability {
			require.Less(t, a.StartTime, a.EndTime)
			for _, d := range a.Days {
				require.True(t, days[d], d)
			}
		}
	}
	// The owner's schedule is the union of both branches: Thursday until 20:00 (Mitte),
	// Saturday until 16:00 (Prenzlauer Berg).
	owner := seed.Schedules[0]
	require.Contains(t, owner.Availability, calsimAvailability{Days: []string{"Thursday"}, StartTime: "09:00", EndTime: "20:00"})
	require.Contains(t, owner.Availability, calsimAvailability{Days: []string{"Saturday"}, StartTime: "09:00", EndTime: "16:00"})
}

// A staff member's own Cal.com event types go into calsim hosted by them, on their schedule.
func TestCalsimSeedOfStaffOwnEventTypes(t *testing.T) {
	spec := demoSpec()
	spec.Staff[0].CalcomEventTypes = map[string]int64{"Damenhaarschnitt": 1101, "Färben": 1103}
	require.NoError(t, spec.normalize())
	seed, err := calsimSeedFor(spec)
	require.NoError(t, err)
	require.Len(t, seed.EventTypes, len(spec.Services)+2)
	for _, et := range seed.EventTypes[len(spec.Services):] {
		require.Equal(t, spec.Staff[0].CalcomUserID, et.UserID)
		require.Equal(t, spec.Staff[0].CalcomUserID, et.ScheduleID)
	}
	require.Equal(t, int64(1101), seed.EventTypes[len(spec.Services)].ID)
	require.Equal(t, 45, seed.EventTypes[len(spec.Services)].LengthInMinutes)

	spec.Staff[1].CalcomEventTypes = map[string]int64{"Färben": 1203} // Mehmet does not colour
	require.ErrorContains(t, spec.normalize(), `"Färben" is not a service they offer`)
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Waschen, Schneiden, Föhnen": "waschen-schneiden-foehnen",
		"Färben":                     "faerben",
		"Mehmet Yılmaz":              "mehmet-yilmaz",
	} {
		require.Equal(t, want, slug(in), in)
	}
}

// deadLetter puts an undecodable request on booking's normal lane; a running server moves it
// to the dead-letter stream.
func deadLetter(t *testing.T, c *cli) {
	t.Helper()
	err := c.redis.Client.XAdd(t.Context(), &redis.XAddArgs{Stream: rpc.RequestStream(c.ns(), "booking", rpc.LaneNormal),
		Values: map[string]any{"v": "1", "body": "\xc1 not messagepack"}}).Err()
	require.NoError(t, err)
}

func dlqLen(t *testing.T, c *cli) int64 {
	t.Helper()
	n, err := rpc.NewDeadLetters(c.redis.Client, c.ns(), "booking").Len(t.Context())
	require.NoError(t, err)
	return n
}

func startServer(t *testing.T, c *cli, service string) (stop func()) {
	t.Helper()
	srv, err := rpc.NewServer(c.redis.Client, rpc.ServerConfig{Service: service, Instance: "test-" + service,
		Namespace: c.ns(), Workers: 2}, zerolog.Nop(), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func TestDLQListShowReplayPurge(t *testing.T) {
	c := newCLI(t)
	stop := startServer(t, c, "booking")
	deadLetter(t, c)
	deadLetter(t, c)
	testenv.Eventually(t, 30*time.Second, func() bool { return dlqLen(t, c) == 2 }, "two dead letters")
	stop() // nothing consumes a replayed entry now, so the source stream shows it

	list := c.run("dlq", "list", "--service", "booking")
	require.Contains(t, list, "2 dead letter(s) of booking")
	require.Contains(t, list, "parse error")
	ids := regexp.MustCompile(`(?m)^(\d+-\d+)\s`).FindAllStringSubmatch(list, -1)
	require.Len(t, ids, 2, list)

	show := c.run("dlq", "show", "--service", "booking", "--id", ids[0][1])
	require.Contains(t, show, "reason:      parse error")
	require.Contains(t, show, rpc.RequestStream(c.ns(), "booking", rpc.LaneNormal))

	source := rpc.RequestStream(c.ns(), "booking", rpc.LaneNormal)
	before, err := c.redis.Client.XLen(t.Context(), source).Result()
	require.NoError(t, err)
	replay := c.run("dlq", "replay", "--service", "booking", "--id", ids[0][1])
	require.Contains(t, replay, "replayed 1 dead letter(s)")
	after, err := c.redis.Client.XLen(t.Context(), source).Result()
	require.NoError(t, err)
	require.Equal(t, before+1, after)
	require.EqualValues(t, 1, dlqLen(t, c))

	_, err = c.try("dlq", "purge", "--service", "booking")
	require.Error(t, err, "purge without --id or --all refuses")
	require.Contains(t, c.run("dlq", "purge", "--service", "booking", "--all"), "purged 1 dead letter(s)")
	require.EqualValues(t, 0, dlqLen(t, c))

	_, err = c.try("dlq", "show", "--service", "booking", "--id", "1-1")
	require.ErrorIs(t, err, rpc.ErrDeadLetterNotFound)
}

func TestStreamsStatus(t *testing.T) {
	c := newCLI(t)
	startServer(t, c, "booking")
	deadLetter(t, c)
	testenv.Eventually(t, 30*time.Second, func() bool { return dlqLen(t, c) == 1 }, "one dead letter")
	client, err := rpc.NewClient(c.redis.Client, rpc.ClientConfig{Namespace: c.ns()}, zerolog.Nop(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.Publish(t.Context(), "demo.happened", map[string]string{"x": "y"}))

	out := c.run("streams", "status")
	lines := strings.Split(out, "\n")
	row := func(prefix string) string {
		for _, l := range lines {
			if l = strings.Join(strings.Fields(l), " "); strings.HasPrefix(l, prefix+" ") {
				return l
			}
		}
		return ""
	}
	require.Regexp(t, `^booking normal 1 0 0 1 1$`, row("booking normal"), out)
	require.Regexp(t, `^calcom high - - - - 0$`, row("calcom high"), out)
	require.Contains(t, out, "demo.happened")
	require.Regexp(t, `(?m)^\s*booking\s+1\s*$`, out, "dead letters of booking")
	require.Contains(t, out, "set CALCOM_METRICS_URLS")
}

func TestStreamsStatusShowsBreakerStates(t *testing.T) {
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "# HELP askpro_calcom_breaker_state x\n# TYPE askpro_calcom_breaker_state gauge\n"+
			`askpro_calcom_breaker_state{account="1a2b3c"} 2`+"\n"+`askpro_calcom_breaker_state{account="4d5e6f"} 0`+"\n")
	}))
	defer metrics.Close()
	c := newCLI(t)
	c.env["CALCOM_METRICS_URLS"] = metrics.URL + ",http://127.0.0.1:1/metrics"
	out := c.run("streams", "status")
	require.Regexp(t, `1a2b3c\s+OPEN`, out)
	require.Regexp(t, `4d5e6f\s+closed`, out)
	require.Contains(t, out, "unreachable")
}

// The CLI's changes are audited as cli:<ASKPRO_ACTOR>, by default the OS user's name; a name
// that does not look like one is refused before anything runs.
func TestTheCLIActsAsItsOperator(t *testing.T) {
	c := newCLI(t)
	actors := func(name string) []string {
		rows, err := c.pool().Query(t.Context(), `SELECT DISTINCT a.actor FROM audit_log a JOIN companies c ON c.id = a.company_id
WHERE c.name = $1 ORDER BY 1`, name)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	c.env["ASKPRO_ACTOR"] = "anna.schmidt"
	c.run("tenant", "create", "--name", "Salon Anna", "--time-zone", "Europe/Berlin")
	require.Equal(t, []string{"cli:anna.schmidt"}, actors("Salon Anna"))

	if u, err := user.Current(); err == nil && actorPattern.MatchString(u.Username) {
		delete(c.env, "ASKPRO_ACTOR")
		c.run("tenant", "create", "--name", "Salon Default", "--time-zone", "Europe/Berlin")
		require.Equal(t, []string{"cli:" + u.Username}, actors("Salon Default"))
	}

	for _, bad := range []string{"anna schmidt", "api:0123456789abcdef", strings.Repeat("a", 65)} {
		c.env["ASKPRO_ACTOR"] = bad
		_, err := c.try("tenant", "create", "--name", "Salon Bad", "--time-zone", "Europe/Berlin")
		require.ErrorContains(t, err, "ASKPRO_ACTOR", "%q", bad)
	}
	require.Zero(t, c.count(`SELECT count(*) FROM companies WHERE name = 'Salon Bad'`))
}
