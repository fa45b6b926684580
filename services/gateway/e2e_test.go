package main

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

	"github.com/askproai/backend/pkg/retell"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// Development keys for the end-to-end system (never used anywhere else).
const (
	e2eRetellKey = "e2e-retell-key"
	e2ePIIKeys   = "v1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	e2eBlindKey  = "ZTJlLWJsaW5kLWluZGV4LWtleS0zMi1ieXRlcy0wMDA="
	e2eCaller    = "+4915112345678"
)

// e2e is the whole system as separate processes: calsim and the six services built from
// this repository with the test clock (pkg/clock), on real Redis and PostgreSQL, seeded with
// the demo salon by askpro.
type e2e struct {
	sys       *stack.System
	dbURL     string
	apiKey    string
	phone     string
	clockFile string
	namespace string
	askpro    *exec.Cmd // template: path and environment of the askpro binary
}

func startSystem(t *testing.T) *e2e {
	t.Helper()
	redis := testenv.Redis(t)
	dbURL := testenv.PostgresURL(t)
	root, err := stack.Root()
	require.NoError(t, err)
	dir := t.TempDir()
	ctx := t.Context()
	bins, err := stack.BuildWith(ctx, root, dir, stack.BuildOptions{Tags: []string{stack.TestClockTag}})
	require.NoError(t, err)

	seed := exec.CommandContext(ctx, bins["askpro"], "seed", "demo",
		"--calsim-seed", filepath.Join(dir, "calsim.json"), "--env-file", filepath.Join(dir, "demo.env"))
	seed.Env = []string{"DATABASE_URL=" + dbURL, "PII_KEYS=" + e2ePIIKeys, "BLIND_INDEX_KEY=" + e2eBlindKey, "REDIS_URL=" + redis.URL}
	out, err := seed.CombinedOutput()
	require.NoError(t, err, "askpro seed demo:\n%s", out)
	demo := readEnvFile(t, filepath.Join(dir, "demo.env"))

	clockFile := filepath.Join(dir, "clock")
	sys, err := stack.Start(ctx, stack.Config{
		Bin: bins, RedisURL: redis.URL, DatabaseURL: dbURL, Namespace: redis.Prefix + "askpro",
		RetellKey: e2eRetellKey, PIIKeys: e2ePIIKeys, BlindIndexKey: e2eBlindKey,
		CalsimSeed: filepath.Join(dir, "calsim.json"), LogDir: dir, ClockFile: clockFile,
		// The scenarios follow each other faster than callers do: Cal.com's limits (calsim
		// 120/min, the calcom service 110/min per key) are raised so the test measures the
		// conversation, not the throttle.
		CalsimArgs: []string{"-rate-limit", "2000"},
		// Analytics of days before the last statistics refresh come from the materialized
		// view; a scenario's call on such a day (29 March, say) arrives after the refresh, as a
		// late webhook would. Refreshing every second lets the test wait for it.
		ServiceEnv: map[string]map[string]string{
			"calcom":   {"CALCOM_RATE_LIMIT": "2000", "CALCOM_RATE_BURST": "200"},
			"database": {"MAINTENANCE_INTERVAL": "1s"},
			// The analytics wait polls /rpc every few milliseconds; the per-tenant limit is not
			// what this test is about (TestRPCRateLimitPerTenant and TestRPCBatchIsChargedEachCall are);
			// the rule cases book through /rpc faster than the write budget allows.
			"gateway": {"RPC_RATE_LIMIT_PER_MINUTE": "600000", "RPC_RATE_LIMIT_BURST": "10000",
				"RPC_RATE_LIMIT_WRITE_PER_MINUTE": "600000", "RPC_RATE_LIMIT_WRITE_BURST": "10000"},
		},
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs:\n%s", sys.Logs(40))
		}
		require.NoError(t, sys.Stop(), "every process drains and exits 0 on SIGTERM")
	})
	require.NoError(t, err, "start:\n%s", sys.Logs(40))
	return &e2e{sys: sys, dbURL: dbURL, apiKey: demo["ASKPRO_DEMO_API_KEY"], phone: demo["ASKPRO_DEMO_PHONE_1"],
		clockFile: clockFile, namespace: redis.Prefix + "askpro", askpro: seed}
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

// retell posts a signed request as Retell would and decodes the JSON answer into out. The
// signature carries the real time: its freshness window is about real time, whatever the
// business clock says.
func (e *e2e) retell(t *testing.T, path string, body any, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(retell.SignatureHeader, retell.Sign(b, e2eRetellKey, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), "%s: %s", path, raw)
	}
	return resp.StatusCode
}

var berlin = mustLoadLocation("Europe/Berlin")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// scenario is one day the German call is played on: the system's clock is set to at (Berlin
// time), and "nächsten Dienstag" means the Tuesdays in want (two when the words are ambiguous
// on that day; the caller then picks the first reading offered). The days and the Tuesdays are
// all different, so each scenario's call, booking and analytics day are its own.
type scenario struct {
	name string
	at   time.Time
	want []string
}

func berlinAt(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

// Every "nächsten Dienstag" below is a normal working Tuesday in Berlin (no public holiday,
// well within 90 days and more than two hours ahead), when Haarmonie Mitte is open.
var scenarios = []scenario{
	{"Monday (ambiguous)", berlinAt("2026-12-07", "10:00"), []string{"2026-12-08", "2026-12-15"}},
	{"Tuesday", berlinAt("2026-11-03", "10:00"), []string{"2026-11-10"}},
	{"Wednesday", berlinAt("2026-11-11", "10:00"), []string{"2026-11-17"}},
	{"Thursday", berlinAt("2026-11-19", "10:00"), []string{"2026-11-24"}},
	{"Friday", berlinAt("2026-11-27", "10:00"), []string{"2026-12-01"}},
	{"Saturday", berlinAt("2026-12-19", "10:00"), []string{"2026-12-22"}},
	{"Sunday", berlinAt("2026-12-27", "10:00"), []string{"2026-12-29"}},
	{"summer time begins", berlinAt("2026-03-29", "03:30"), []string{"2026-03-31"}},
	{"summer time ends", berlinAt("2026-10-25", "02:30"), []string{"2026-10-27"}},
	{"23:30 on a Monday (ambiguous)", berlinAt("2026-11-02", "23:30"), []string{"2026-11-03", "2026-11-10"}},
	{"New Year's Eve", berlinAt("2026-12-31", "18:00"), []string{"2027-01-05"}},
}

// TestEndToEndGermanCall starts the system once and plays the whole German call (inbound
// webhook, check_availability, book_appointment, call_ended, call_analyzed, SMS) on every
// scenario's day, moving the system's clock between them.
func TestEndToEndGermanCall(t *testing.T) {
	e := startSystem(t)
	var last map[string]any
	var number string
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.NoError(t, clock.Set(e.clockFile, sc.at))
			last, number = e.playCall(t, sc)
		})
	}
	require.NotEmpty(t, number, "at least one scenario booked")
	t.Run("hostile input changes nothing", func(t *testing.T) { e.hostileInput(t, last, number, len(scenarios)) })
	t.Run("another tenant sees nothing", func(t *testing.T) { e.otherTenant(t, number) })

	// make demo's call (askpro simulate-call) against the same system: on a Monday the agent
	// asks which Tuesday and the simulated caller answers; on a Sunday night the wished slot
	// is already taken (by the Saturday scenario) and the caller takes an offered one.
	t.Run("demo call on a Monday", func(t *testing.T) {
		require.NoError(t, clock.Set(e.clockFile, berlinAt("2026-12-14", "10:00")))
		out := e.simulateCall(t)
		require.Contains(t, out, "agent:  Meinen Sie Dienstag, 15. Dezember, um 14:30 Uhr oder Dienstag, 22. Dezember, um 14:30 Uhr?")
		require.Contains(t, out, "caller: Ich meine Dienstag, den 15. Dezember, um halb drei.")
		require.Contains(t, out, "analytics 2026-12-14")
	})
	t.Run("demo call on a Sunday night", func(t *testing.T) {
		require.NoError(t, clock.Set(e.clockFile, berlinAt("2026-12-20", "23:30")))
		out := e.simulateCall(t)
		require.Contains(t, out, "analytics 2026-12-20")
	})
	// The opening rules through /rpc and the live functions (e2e_rules_test.go).
	t.Run("opening rules", func(t *testing.T) { e.openingRules(t) })
	// Who the audit log names, for the voice path, /rpc and the CLI (e2e_audit_test.go). It
	// cancels the last scenario's booking, so it comes last.
	t.Run("audit trail", func(t *testing.T) { e.auditTrail(t, last, number, scenarios[len(scenarios)-1].at) })
	t.Run("revocation within a second", e.revocation)
}

// simulateCall runs askpro simulate-call (what make demo runs) and returns what it printed.
func (e *e2e) simulateCall(t *testing.T) string {
	t.Helper()
	sim := exec.CommandContext(t.Context(), e.askpro.Path, "simulate-call", "--gateway", e.sys.GatewayURL,
		"--retell-key", e2eRetellKey, "--to", e.phone, "--booking-log", e.sys.Process("booking-0").LogPath)
	sim.Env = append(slices.Clone(e.askpro.Env), "RPC_NAMESPACE="+e.namespace, clock.EnvFile+"="+e.clockFile)
	out, err := sim.CombinedOutput()
	t.Logf("askpro simulate-call:\n%s", out)
	require.NoError(t, err)
	require.Contains(t, string(out), "demo call: every step succeeded", "%s", out)
	return string(out)
}

// playCall plays one call at the scenario's clock and checks everything it left behind. It
// returns the call object and the confirmation number.
func (e *e2e) playCall(t *testing.T, sc scenario) (map[string]any, string) {
	callID := "call_e2e" + testenv.RandomSuffix()
	start := sc.at

	// 1. Inbound webhook while the phone rings; the agent hears the scenario's time.
	var inbound struct {
		CallInbound struct {
			DynamicVariables map[string]string `json:"dynamic_variables"`
			Metadata         map[string]any    `json:"metadata"`
		} `json:"call_inbound"`
	}
	require.Equal(t, http.StatusOK, e.retell(t, "/retell/inbound", map[string]any{
		"event": "call_inbound", "call_inbound": map[string]any{"from_number": e2eCaller, "to_number": e.phone, "call_id": callID},
	}, &inbound))
	vars := inbound.CallInbound.DynamicVariables
	require.Equal(t, "Haarmonie Mitte", vars["branch_name"])
	require.Equal(t, "Salon Haarmonie", vars["company_name"])
	require.Contains(t, vars["current_time"], germanDay(start)+" "+strconv.Itoa(start.Year()), "the gateway runs on the test's clock")
	meta := inbound.CallInbound.Metadata
	require.NotEmpty(t, meta["branch_id"])

	call := map[string]any{
		"call_id": callID, "call_type": "phone_call", "direction": "inbound", "agent_id": "agent_e2e",
		"from_number": e2eCaller, "to_number": e.phone, "call_status": "ongoing",
		"start_timestamp": start.UnixMilli(), "metadata": meta,
	}
	// 2. call_started.
	require.Equal(t, http.StatusNoContent, e.retell(t, "/retell/webhook", map[string]any{"event": "call_started", "call": call}, nil))

	// 3. The caller asks in German and answers the agent's questions; the agent books.
	conv := e.converse(t, call)
	want := sc.want[0]
	if len(sc.want) > 1 {
		require.Len(t, conv.readings, len(sc.want), "the agent asks which Tuesday: %v", conv.readings)
		for i, day := range sc.want {
			require.True(t, strings.HasPrefix(conv.readings[i], germanWeekdayDay(day)), "reading %d: %q, want %s", i, conv.readings[i], day)
		}
	} else {
		require.Empty(t, conv.readings, "nächsten Dienstag is clear on a %s", start.Weekday())
	}
	offeredStart, err := time.Parse(time.RFC3339, conv.offer.Start)
	require.NoError(t, err)
	require.Equal(t, want, offeredStart.In(berlin).Format(time.DateOnly), "nächsten Dienstag on %s: %s", start, conv.offer.Spoken)
	require.Equal(t, "14:30", offeredStart.In(berlin).Format("15:04"), "halb drei in business hours is 14:30")
	number := conv.booked.ConfirmationNumber
	require.Len(t, number, 6)
	require.NotContains(t, number, "0")
	require.NotContains(t, number, "O")

	// 4. The call ends and is analysed.
	ended := cloneWith(call, map[string]any{
		"call_status": "ended", "end_timestamp": start.Add(95 * time.Second).UnixMilli(), "duration_ms": 95000,
		"disconnection_reason": "user_hangup",
		"transcript":           conv.transcript(),
		"recording_url":        "https://recordings.example/" + callID + ".wav",
	})
	require.Equal(t, http.StatusNoContent, e.retell(t, "/retell/webhook", map[string]any{"event": "call_ended", "call": ended}, nil))
	analyzed := cloneWith(ended, map[string]any{"call_analysis": map[string]any{
		"user_sentiment": "Positive", "call_successful": true, "call_summary": "Termin für Damenhaarschnitt gebucht.",
	}})
	require.Equal(t, http.StatusNoContent, e.retell(t, "/retell/webhook", map[string]any{"event": "call_analyzed", "call": analyzed}, nil))
	// A duplicate delivery changes nothing.
	require.Equal(t, http.StatusNoContent, e.retell(t, "/retell/webhook", map[string]any{"event": "call_ended", "call": ended}, nil))

	e.assertStored(t, callID, number, offeredStart)
	e.assertCalsimBooking(t, offeredStart)
	e.assertConfirmationSent(t, number)
	e.assertAnalytics(t, start.In(berlin).Format(time.DateOnly))
	return call, number
}

// conversation is what was said: the caller's lines and the agent's, the readings the agent
// offered when it asked back, the slot taken and the booking.
type conversation struct {
	lines    []string
	readings []string
	offer    gateway.SlotOffer
	booked   *gateway.BookedSlot
}

func (c *conversation) say(who, line string) { c.lines = append(c.lines, who+": "+line) }

func (c *conversation) transcript() string {
	return "Agent: Salon Haarmonie, guten Tag!\n" + strings.Join(c.lines, "\n") + "\nAgent: Auf Wiederhören!\n"
}

// converse plays the caller: the wish in natural words; when the agent asks back (which of
// two days), the caller picks the first reading and says it; when the wished time is refused
// with alternatives, the caller takes the first one offered. Then the caller books it.
func (e *e2e) converse(t *testing.T, call map[string]any) *conversation {
	t.Helper()
	conv := &conversation{}
	wish := map[string]any{"service": "Haare schneiden", "date": "nächsten Dienstag", "time": "halb drei"}
	conv.say("User", "Ich hätte gern einen Termin zum Haare schneiden, nächsten Dienstag um halb drei.")
	var offer *gateway.SlotOffer
	for turn := 0; offer == nil; turn++ {
		require.Less(t, turn, 4, "the conversation reaches a slot: %v", conv.lines)
		var check gateway.FunctionResult
		require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/check_availability",
			map[string]any{"name": "check_availability", "call": call, "args": wish}, &check))
		conv.say("Agent", check.Message)
		switch {
		case check.Error == "ambiguous_time":
			require.True(t, check.NeedsClarification, "%+v", check)
			conv.readings = spokenDays.FindAllString(check.Message, -1)
			require.NotEmpty(t, conv.readings, "the agent names the readings: %q", check.Message)
			wish["date"] = sayDay(conv.readings[0])
			conv.say("User", "Am "+wish["date"].(string)+", um halb drei.")
		case len(check.Options) > 0:
			offer = &check.Options[0]
		default:
			require.Fail(t, "check_availability offers nothing", "%+v", check)
		}
	}
	for turn := 0; conv.booked == nil; turn++ {
		require.Less(t, turn, 3, "the booking succeeds: %v", conv.lines)
		conv.offer = *offer
		conv.say("User", "Ja, "+offer.Spoken+" passt. Auf Maria Muster, bitte.")
		var booked gateway.FunctionResult
		require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/book_appointment", map[string]any{
			"name": "book_appointment", "call": call,
			"args": map[string]any{"service": "Haare schneiden", "start": offer.Start, "staff_id": offer.StaffID, "name": "Maria Muster"},
		}, &booked))
		conv.say("Agent", booked.Message)
		switch {
		case booked.Success:
			require.NotNil(t, booked.Booking, "%+v", booked)
			conv.booked = booked.Booking
		case len(booked.Options) > 0:
			offer = &booked.Options[0]
		default:
			require.Fail(t, "book_appointment refused without alternatives", "%+v", booked)
		}
	}
	return conv
}

var (
	germanWeekdays = []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	germanMonths   = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	// spokenDays finds the days in what the agent says: "Dienstag, 8. Dezember" (with the year
	// when it is not this year's).
	spokenDays = regexp.MustCompile(`(?:` + strings.Join(germanWeekdays, "|") + `), \d{1,2}\. (?:` + strings.Join(germanMonths, "|") + `)(?: \d{4})?`)
)

// sayDay turns a reading ("Dienstag, 8. Dezember") into what a caller says back
// ("Dienstag, den 8. Dezember").
func sayDay(reading string) string {
	wd, rest, _ := strings.Cut(reading, ", ")
	return wd + ", den " + rest
}

// germanDay is "7. Dezember"; germanWeekdayDay("2026-12-08") is "Dienstag, 8. Dezember".
func germanDay(t time.Time) string {
	return strconv.Itoa(t.Day()) + ". " + germanMonths[t.Month()-1]
}

func germanWeekdayDay(date string) string {
	d, err := time.ParseInLocation(time.DateOnly, date, berlin)
	if err != nil {
		panic(err)
	}
	return germanWeekdays[d.Weekday()] + ", " + germanDay(d)
}

func cloneWith(m map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(m)+len(extra))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// assertStored reads PostgreSQL directly: one analysed call, linked to one scheduled
// appointment with the confirmation number the caller heard.
func (e *e2e) assertStored(t *testing.T, callID, number string, start time.Time) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var (
		apptID, status, staffID string
		apptStart               time.Time
	)
	require.NoError(t, conn.QueryRow(t.Context(),
		`SELECT id::text, status, staff_id::text, start_time FROM appointments WHERE confirmation_number = $1`, number).
		Scan(&apptID, &status, &staffID, &apptStart))
	require.Equal(t, "scheduled", status)
	require.True(t, apptStart.Equal(start))

	var (
		n                               int
		callStatus, sentiment, linkedTo string
		duration                        int
	)
	testenv.Eventually(t, 60*time.Second, func() bool {
		err := conn.QueryRow(t.Context(), `SELECT count(*) OVER (), status, coalesce(sentiment, ''), coalesce(appointment_id::text, ''), coalesce(duration_seconds, 0)
			FROM calls WHERE retell_call_id = $1`, callID).Scan(&n, &callStatus, &sentiment, &linkedTo, &duration)
		return err == nil && callStatus == "analyzed" && linkedTo != ""
	}, "call %s analysed and linked (status %q, link %q)", callID, callStatus, linkedTo)
	require.Equal(t, 1, n, "one row per call, duplicates and all")
	require.Equal(t, "positive", sentiment)
	require.Equal(t, apptID, linkedTo)
	require.Equal(t, 95, duration)

	var plaintext bool
	require.NoError(t, conn.QueryRow(t.Context(),
		`SELECT position(convert_to('halb drei', 'UTF8') in coalesce(transcript, ''::bytea)) > 0 FROM calls WHERE retell_call_id = $1`, callID).Scan(&plaintext))
	require.False(t, plaintext, "the transcript is encrypted at rest")
}

// assertCalsimBooking checks Cal.com (calsim) holds exactly one active booking at the slot we
// stored.
func (e *e2e) assertCalsimBooking(t *testing.T, start time.Time) {
	t.Helper()
	resp, err := http.Get(e.sys.CalsimURL + "/_calsim/bookings")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var bookings []map[string]any
	require.NoError(t, json.Unmarshal(raw, &bookings), "%s", raw)
	var active int
	for _, b := range bookings {
		s, err := time.Parse(time.RFC3339, fmt.Sprint(b["start"]))
		require.NoError(t, err, "%v", b)
		if b["status"] != "cancelled" && s.Equal(start) {
			active++
		}
	}
	require.Equal(t, 1, active, "exactly one booking upstream at %s: %s", start, raw)
}

// assertConfirmationSent finds the German confirmation in the booking service's SMS sink.
func (e *e2e) assertConfirmationSent(t *testing.T, number string) {
	t.Helper()
	p := e.sys.Process("booking-0")
	testenv.Eventually(t, 60*time.Second, func() bool {
		for _, line := range strings.Split(p.Log(), "\n") {
			if strings.Contains(line, `"sms_logged"`) && strings.Contains(line, "Termin") && strings.Contains(line, number) {
				return true
			}
		}
		return false
	}, "a confirmation SMS with %s was sent", number)
	require.NotContains(t, p.Log(), e2eCaller, "the caller's number is masked in logs")
}

// assertAnalytics asks for the figures of today, the scenario's day, the way another team
// would: POST /rpc with the tenant's API key. Every scenario has a day of its own.
func (e *e2e) assertAnalytics(t *testing.T, today string) {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"call.analytics","params":{"from":%q,"to":%q}}`, today, today)
	var res struct {
		Result struct {
			Total map[string]any `json:"total"`
		} `json:"result"`
		Error any `json:"error"`
	}
	last := &lastAnswer{}
	testenv.Eventually(t, 60*time.Second, func() bool {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc", strings.NewReader(body))
		req.Header.Set("X-API-Key", e.apiKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		last.s = fmt.Sprintf("%d %s", resp.StatusCode, raw)
		res.Result.Total = nil
		if json.Unmarshal(raw, &res) != nil || res.Error != nil {
			return false
		}
		// call_ended and call_analyzed are separate events, handled in any order: wait for
		// what both of them add, not for the first figure that appears.
		tot := res.Result.Total
		return tot["calls"] == float64(1) && tot["bookings_from_calls"] == float64(1) &&
			tot["answered"] == float64(1) && tot["sentiment_positive"] == float64(1)
	}, "analytics of %s count the call, its booking, that it was answered and its positive sentiment: %s", today, last)
}

// lastAnswer shows the last answer read when a wait fails (formatted then, not when the wait
// began).
type lastAnswer struct{ s string }

func (l *lastAnswer) String() string { return l.s }

// hostile sends SQL and oversized strings in every field a caller or Retell controls.
var hostile = []string{
	"'; DROP TABLE appointments; --", `" OR 1=1 --`, "Robert'); DELETE FROM calls;--",
	strings.Repeat("Ä", 100_000), "\u0000\u202e", "{{company_id}}",
}

func (e *e2e) hostileInput(t *testing.T, call map[string]any, number string, bookings int) {
	for i, bad := range hostile {
		args := map[string]any{"service": bad, "date": bad, "time": bad, "name": bad, "email": bad,
			"confirmation_number": bad, "start": bad, "staff_id": bad}
		for _, fn := range []string{"check_availability", "book_appointment", "cancel_appointment", "reschedule_appointment", "business_info"} {
			var res gateway.FunctionResult
			require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/"+fn, map[string]any{"name": fn, "call": call, "args": args}, &res), fn)
			require.NotEmpty(t, res.Message, "%s answers speakable text", fn)
			if fn != "business_info" && fn != "check_availability" {
				require.False(t, res.Success, "%s with %.20q", fn, bad)
			}
		}
		evil := cloneWith(call, map[string]any{"call_id": fmt.Sprintf("call_hostile_%d", i), "transcript": bad, "metadata": map[string]any{"company_id": bad}})
		code := e.retell(t, "/retell/webhook", map[string]any{"event": "call_ended", "call": evil}, nil)
		require.Contains(t, []int{http.StatusNoContent, http.StatusBadRequest}, code)
	}
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var active int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM appointments WHERE status = 'scheduled'`).Scan(&active))
	require.Equal(t, bookings, active, "still exactly one booking per scenario")
	var status string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT status FROM appointments WHERE confirmation_number = $1`, number).Scan(&status))
	require.Equal(t, "scheduled", status, "nothing was cancelled")
}

// otherTenant creates a second company with askpro and asks for the first one's booking with
// its key: the answer is not found, never the other tenant's data.
func (e *e2e) otherTenant(t *testing.T, number string) {
	create := exec.CommandContext(t.Context(), e.askpro.Path, "tenant", "create", "--name", "Praxis Dr. Wolf", "--time-zone", "Europe/Berlin")
	create.Env = e.askpro.Env
	out, err := create.CombinedOutput()
	require.NoError(t, err, "%s", out)
	key := regexp.MustCompile(`ak_[A-Za-z0-9_\-]+`).FindString(string(out))
	require.NotEmpty(t, key, "the key is printed once: %s", out)

	for _, body := range []string{
		fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"database.appointments.byConfirmation","params":{"confirmation_number":%q}}`, number),
		fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"booking.cancel","params":{"confirmation_number":%q}}`, number),
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc", strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var res struct {
			Result any `json:"result"`
			Error  *struct {
				Code int `json:"code"`
			} `json:"error"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
		resp.Body.Close()
		require.Nil(t, res.Result, body)
		require.NotNil(t, res.Error, body)
		require.Equal(t, -32001, res.Error.Code, "not found: %s", body)
	}
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var status string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT status FROM appointments WHERE confirmation_number = $1`, number).Scan(&status))
	require.Equal(t, "scheduled", status, "the other tenant could not cancel it")
}
