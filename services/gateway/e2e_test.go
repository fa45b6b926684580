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
	"strings"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

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
// this repository, on real Redis and PostgreSQL, seeded with the demo salon by askpro.
type e2e struct {
	sys    *stack.System
	dbURL  string
	apiKey string
	phone  string
	askpro *exec.Cmd // template: path and environment of the askpro binary
}

func startSystem(t *testing.T) *e2e {
	t.Helper()
	redis := testenv.Redis(t)
	dbURL := testenv.PostgresURL(t)
	root, err := stack.Root()
	require.NoError(t, err)
	dir := t.TempDir()
	ctx := t.Context()
	bins, err := stack.Build(ctx, root, dir)
	require.NoError(t, err)

	seed := exec.CommandContext(ctx, bins["askpro"], "seed", "demo",
		"--calsim-seed", filepath.Join(dir, "calsim.json"), "--env-file", filepath.Join(dir, "demo.env"))
	seed.Env = []string{"DATABASE_URL=" + dbURL, "PII_KEYS=" + e2ePIIKeys, "BLIND_INDEX_KEY=" + e2eBlindKey, "REDIS_URL=" + redis.URL}
	out, err := seed.CombinedOutput()
	require.NoError(t, err, "askpro seed demo:\n%s", out)
	demo := readEnvFile(t, filepath.Join(dir, "demo.env"))

	sys, err := stack.Start(ctx, stack.Config{
		Bin: bins, RedisURL: redis.URL, DatabaseURL: dbURL, Namespace: redis.Prefix + "askpro",
		RetellKey: e2eRetellKey, PIIKeys: e2ePIIKeys, BlindIndexKey: e2eBlindKey,
		CalsimSeed: filepath.Join(dir, "calsim.json"), LogDir: dir,
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs:\n%s", sys.Logs(40))
		}
		require.NoError(t, sys.Stop(), "every process drains and exits 0 on SIGTERM")
	})
	require.NoError(t, err, "start:\n%s", sys.Logs(40))
	return &e2e{sys: sys, dbURL: dbURL, apiKey: demo["ASKPRO_DEMO_API_KEY"], phone: demo["ASKPRO_DEMO_PHONE_1"], askpro: seed}
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

// retell posts a signed request as Retell would and decodes the JSON answer into out.
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

func TestEndToEndGermanCall(t *testing.T) {
	e := startSystem(t)
	callID := "call_e2e" + testenv.RandomSuffix()
	start := time.Now()

	// 1. Inbound webhook while the phone rings.
	var inbound struct {
		CallInbound struct {
			DynamicVariables map[string]string `json:"dynamic_variables"`
			Metadata         map[string]any    `json:"metadata"`
		} `json:"call_inbound"`
	}
	require.Equal(t, http.StatusOK, e.retell(t, "/retell/inbound", map[string]any{
		"event": "call_inbound", "call_inbound": map[string]any{"from_number": e2eCaller, "to_number": e.phone, "call_id": callID},
	}, &inbound))
	require.Equal(t, "Haarmonie Mitte", inbound.CallInbound.DynamicVariables["branch_name"])
	require.Equal(t, "Salon Haarmonie", inbound.CallInbound.DynamicVariables["company_name"])
	meta := inbound.CallInbound.Metadata
	require.NotEmpty(t, meta["branch_id"])

	call := map[string]any{
		"call_id": callID, "call_type": "phone_call", "direction": "inbound", "agent_id": "agent_e2e",
		"from_number": e2eCaller, "to_number": e.phone, "call_status": "ongoing",
		"start_timestamp": start.UnixMilli(), "metadata": meta,
	}
	// 2. call_started.
	require.Equal(t, http.StatusNoContent, e.retell(t, "/retell/webhook", map[string]any{"event": "call_started", "call": call}, nil))

	// 3. The caller asks in German; the agent checks, then books.
	wish := map[string]any{"service": "Haare schneiden", "date": "nächsten Dienstag", "time": "halb drei"}
	var check gateway.FunctionResult
	require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/check_availability",
		map[string]any{"name": "check_availability", "call": call, "args": wish}, &check))
	require.True(t, check.Success, "check_availability: %+v", check)
	require.NotEmpty(t, check.Options)
	offered := check.Options[0]
	offeredStart, err := time.Parse(time.RFC3339, offered.Start)
	require.NoError(t, err)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	require.Equal(t, time.Tuesday, offeredStart.In(berlin).Weekday(), "nächsten Dienstag: %s", offered.Spoken)
	require.Equal(t, "14:30", offeredStart.In(berlin).Format("15:04"), "halb drei in business hours is 14:30")

	var booked gateway.FunctionResult
	require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/book_appointment", map[string]any{
		"name": "book_appointment", "call": call,
		"args": map[string]any{"service": "Haare schneiden", "start": offered.Start, "staff_id": offered.StaffID, "name": "Maria Muster"},
	}, &booked))
	require.True(t, booked.Success, "book_appointment: %+v", booked)
	require.NotNil(t, booked.Booking)
	number := booked.Booking.ConfirmationNumber
	require.Len(t, number, 6)
	require.NotContains(t, number, "0")
	require.NotContains(t, number, "O")

	// 4. The call ends and is analysed.
	ended := cloneWith(call, map[string]any{
		"call_status": "ended", "end_timestamp": start.Add(95 * time.Second).UnixMilli(), "duration_ms": 95000,
		"disconnection_reason": "user_hangup",
		"transcript":           "Agent: Salon Haarmonie, guten Tag!\nUser: Ich hätte gern einen Termin zum Haare schneiden, nächsten Dienstag um halb drei.\nAgent: Das passt. Auf welchen Namen?\nUser: Maria Muster.\n",
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
	e.assertAnalytics(t)

	t.Run("hostile input changes nothing", func(t *testing.T) { e.hostileInput(t, call, number) })
	t.Run("another tenant sees nothing", func(t *testing.T) { e.otherTenant(t, number) })
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
	testenv.Eventually(t, 20*time.Second, func() bool {
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

// assertCalsimBooking checks Cal.com (calsim) holds exactly the booking we stored.
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
		if b["status"] == "cancelled" {
			continue
		}
		active++
		s, err := time.Parse(time.RFC3339, fmt.Sprint(b["start"]))
		require.NoError(t, err, "%v", b)
		require.True(t, s.Equal(start), "calsim booking at %s, want %s", s, start)
	}
	require.Equal(t, 1, active, "exactly one booking upstream: %s", raw)
}

// assertConfirmationSent finds the German confirmation in the booking service's SMS sink.
func (e *e2e) assertConfirmationSent(t *testing.T, number string) {
	t.Helper()
	p := e.sys.Process("booking-0")
	testenv.Eventually(t, 20*time.Second, func() bool {
		for _, line := range strings.Split(p.Log(), "\n") {
			if strings.Contains(line, `"sms_logged"`) && strings.Contains(line, "Termin") {
				return true
			}
		}
		return false
	}, "a confirmation SMS was sent")
	require.NotContains(t, p.Log(), e2eCaller, "the caller's number is masked in logs")
}

// assertAnalytics asks for today's figures the way another team would: POST /rpc with the
// tenant's API key.
func (e *e2e) assertAnalytics(t *testing.T) {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	today := time.Now().In(berlin).Format(time.DateOnly)
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"call.analytics","params":{"from":%q,"to":%q}}`, today, today)
	var res struct {
		Result struct {
			Total map[string]any `json:"total"`
		} `json:"result"`
		Error any `json:"error"`
	}
	testenv.Eventually(t, 20*time.Second, func() bool {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc", strings.NewReader(body))
		req.Header.Set("X-API-Key", e.apiKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		res.Result.Total = nil
		if json.NewDecoder(resp.Body).Decode(&res) != nil || res.Error != nil {
			return false
		}
		return res.Result.Total["calls"] == float64(1) && res.Result.Total["bookings_from_calls"] == float64(1)
	}, "today's analytics count the call and its booking: %v", res)
	require.EqualValues(t, 1, res.Result.Total["answered"])
	require.EqualValues(t, 1, res.Result.Total["sentiment_positive"])
}

// hostile sends SQL and oversized strings in every field a caller or Retell controls.
var hostile = []string{
	"'; DROP TABLE appointments; --", `" OR 1=1 --`, "Robert'); DELETE FROM calls;--",
	strings.Repeat("Ä", 100_000), "\u0000\u202e", "{{company_id}}",
}

func (e *e2e) hostileInput(t *testing.T, call map[string]any, number string) {
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
	require.Equal(t, 1, active, "still exactly the one booking")
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
