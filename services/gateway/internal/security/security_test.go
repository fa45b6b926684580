package security

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/retell"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// JSON-RPC codes the cases expect (pkg/rpc and the gateway's README).
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeInvalidParams  = -32602
	codeNotFound       = -32001
	codeUnknownKey     = -32004
	codeLimited        = -32005
	codeValidation     = -32008
)

// secCase is one attack. run sends it and checks the answer; may lists the tables it may change
// (audit_log then only grows). Every other watched table must be exactly as before.
type secCase struct {
	name string
	run  func(t *testing.T, s *suite)
	may  []string
}

// group is a named table of cases, run in order on the one system.
type group struct {
	name  string
	cases func(s *suite) []secCase
}

// TestSecurity starts one system with two tenants (and a third that only spends its budgets)
// and runs every group's cases on it, each with a PostgreSQL snapshot before and after.
func TestSecurity(t *testing.T) {
	needSecurity(t)
	began := time.Now()
	s := start(t)
	t.Logf("system started and seeded in %s", time.Since(began).Round(time.Millisecond))
	n := 0
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases(s) {
				n++
				t.Run(c.name, func(t *testing.T) {
					before := s.snapshot(t)
					c.run(t, s)
					s.unchanged(t, before, c.may...)
				})
			}
		})
	}
	require.Equal(t, "scheduled", s.appointmentStatus(t), "tenant A's booking survived every attack")
	t.Logf("%d cases in %s", n, time.Since(began).Round(time.Millisecond))
}

// groups run in this order: the key lifecycle comes last, as it changes tenant B's key.
var groups = []group{
	{"cross-tenant over /rpc", crossTenantRPC},
	{"cross-tenant through function calls", crossTenantFunctions},
	{"tenant headers and company_id", tenantHeaders},
	{"retell signatures", signatures},
	{"hostile bodies", hostileBodies},
	{"actor in the body", actorCases},
	{"per-call rate limits", rateLimits},
	{"failed-key floods", keyFloods},
	{"key lifecycle", keyLifecycle},
}

// wantRPC sends body with key and checks the HTTP status and, per reply, the JSON-RPC code
// (0: a result).
func wantRPC(t *testing.T, s *suite, key string, body []byte, headers http.Header, status int, codes ...int) []rpcReply {
	t.Helper()
	got, _, raw := s.rpc(t, key, body, headers)
	require.Equal(t, status, got, "%s", raw)
	rs := replies(t, raw)
	require.Len(t, rs, len(codes), "%s", raw)
	for i, want := range codes {
		if want == 0 {
			require.Nil(t, rs[i].Error, "reply %d: %s", i, raw)
			continue
		}
		require.NotNil(t, rs[i].Error, "reply %d: %s", i, raw)
		require.Equal(t, want, rs[i].Error.Code, "reply %d: %s", i, raw)
		require.Empty(t, rs[i].Result, "no result beside an error: %s", raw)
	}
	return rs
}

// rpcCase is a /rpc case: one request with B's key naming A's things, answered with code.
func rpcCase(name string, key func(s *suite) string, body func(s *suite) any, codes ...int) secCase {
	return secCase{name: name, run: func(t *testing.T, s *suite) {
		wantRPC(t, s, key(s), mustJSON(t, body(s)), nil, http.StatusOK, codes...)
	}}
}

func keyA(s *suite) string { return s.a.key }
func keyB(s *suite) string { return s.b.key }

func crossTenantRPC(s *suite) []secCase {
	a, bk := s.a, s.booked
	later := bk.start.Add(24 * time.Hour).Format(time.RFC3339)
	return []secCase{
		rpcCase("byConfirmation of A's number", keyB, func(*suite) any {
			return call(1, "database.appointments.byConfirmation", map[string]any{"confirmation_number": bk.number})
		}, codeNotFound),
		rpcCase("byConfirmation of A's number in lower case and spaced", keyB, func(*suite) any {
			return call(1, "database.appointments.byConfirmation", map[string]any{"confirmation_number": " " + strings.ToLower(bk.number) + " "})
		}, codeNotFound),
		rpcCase("cancel A's booking by number", keyB, func(*suite) any {
			return call(1, "booking.cancel", map[string]any{"confirmation_number": bk.number})
		}, codeNotFound),
		rpcCase("cancel A's booking by A's customer phone and date", keyB, func(*suite) any {
			return call(1, "booking.cancel", map[string]any{"phone": callerA, "date": bk.date, "time_zone": "Europe/Berlin"})
		}, codeNotFound),
		rpcCase("reschedule A's booking by number", keyB, func(*suite) any {
			return call(1, "booking.reschedule", map[string]any{"confirmation_number": bk.number, "start": later})
		}, codeNotFound),
		rpcCase("reschedule A's booking by appointment id", keyB, func(*suite) any {
			return call(1, "booking.reschedule", map[string]any{"appointment_id": bk.id, "start": later})
		}, codeNotFound),
		rpcCase("create with A's branch, service and staff", keyB, func(*suite) any {
			return call(1, "booking.create", map[string]any{"branch_id": a.branch, "event_type_id": a.eventType, "staff_id": a.staff,
				"start": later, "customer_phone": "+4915112349999", "customer_name": "Eve"})
		}, codeNotFound),
		rpcCase("availability at A's branch", keyB, func(*suite) any {
			return call(1, "booking.checkAvailability", map[string]any{"branch_id": a.branch, "event_type_id": a.eventType, "at": later})
		}, codeNotFound),
		{name: "staff and services of A's branch list nothing of A", run: func(t *testing.T, s *suite) {
			for i, m := range []string{"database.staff.list", "database.eventTypes.list"} {
				rs := wantRPC(t, s, s.b.key, mustJSON(t, call(i, m, map[string]any{"branch_id": a.branch})), nil, http.StatusOK, 0)
				require.NotContains(t, string(rs[0].Result), a.staff, m)
				require.NotContains(t, string(rs[0].Result), a.eventType, m)
				require.NotContains(t, string(rs[0].Result), a.id, m)
			}
		}},
		{name: "branches list B's own only", run: func(t *testing.T, s *suite) {
			rs := wantRPC(t, s, s.b.key, mustJSON(t, call(1, "database.branches.list", map[string]any{"company_id": a.id})), nil, http.StatusOK, 0)
			require.Contains(t, string(rs[0].Result), s.b.branch)
			require.NotContains(t, string(rs[0].Result), a.branch)
		}},
		{name: "analytics count nothing of A's", run: func(t *testing.T, s *suite) {
			rs := wantRPC(t, s, s.b.key, mustJSON(t, call(1, "call.analytics", map[string]any{"company_id": a.id, "from": "2026-12-01", "to": "2026-12-31"})), nil, http.StatusOK, 0)
			require.NotContains(t, string(rs[0].Result), a.branch)
		}},
	}
}

// fnCase is a function-call case on a call to tenant B's number from A's customer: the caller
// names A's things; the agent must not reach them.
func fnCase(name, fn string, args func(s *suite) map[string]any, check func(t *testing.T, s *suite, res gateway.FunctionResult)) secCase {
	return secCase{name: name, run: func(t *testing.T, s *suite) {
		var res gateway.FunctionResult
		require.Equal(t, http.StatusOK, s.fn(t, fn, s.callTo(s.b, callerA, "call_sec_"+testenv.RandomSuffix()), args(s), &res))
		require.NotEmpty(t, res.Message, "the agent has something to say")
		if check != nil {
			check(t, s, res)
		}
		raw, _ := json.Marshal(res)
		require.NotContains(t, string(raw), s.a.staff, "nothing of A's in the answer")
		require.NotContains(t, string(raw), s.booked.id)
	}}
}

func refused(t *testing.T, _ *suite, res gateway.FunctionResult) {
	t.Helper()
	require.False(t, res.Success, "%+v", res)
	require.Nil(t, res.Booking, "%+v", res)
}

func crossTenantFunctions(s *suite) []secCase {
	bk := s.booked
	spoken := func(d string) string {
		day, _ := time.ParseInLocation(time.DateOnly, d, berlin)
		return "am " + strconv.Itoa(day.Day()) + ". Dezember"
	}
	return []secCase{
		fnCase("cancel by A's confirmation number", gateway.FnCancelAppointment, func(*suite) map[string]any {
			return map[string]any{"confirmation_number": bk.number}
		}, refused),
		fnCase("cancel by A's number spelled out", gateway.FnCancelAppointment, func(*suite) map[string]any {
			return map[string]any{"confirmation_number": strings.Join(strings.Split(strings.ToLower(bk.number), ""), " ")}
		}, refused),
		fnCase("cancel by A's customer phone and the booking's date", gateway.FnCancelAppointment, func(*suite) map[string]any {
			return map[string]any{"date": spoken(bk.date)}
		}, refused),
		fnCase("reschedule A's booking", gateway.FnReschedule, func(*suite) map[string]any {
			return map[string]any{"confirmation_number": bk.number, "start": bk.start.Add(24 * time.Hour).Format(time.RFC3339)}
		}, refused),
		fnCase("book with A's staff id", gateway.FnBookAppointment, func(s *suite) map[string]any {
			return map[string]any{"service": "Haare schneiden", "start": bk.start.Add(time.Hour).Format(time.RFC3339), "staff_id": s.a.staff, "name": "Eve"}
		}, refused),
		fnCase("availability for A's service and staff", gateway.FnCheckAvailability, func(s *suite) map[string]any {
			return map[string]any{"service": "Haare schneiden", "staff_id": s.a.staff, "date": spoken(bk.date), "time": "um 10 Uhr"}
		}, nil),
		fnCase("business info is B's", gateway.FnBusinessInfo, func(*suite) map[string]any {
			return map[string]any{}
		}, func(t *testing.T, _ *suite, res gateway.FunctionResult) {
			require.NotContains(t, res.Message, "Haarmonie", "%+v", res)
		}),
	}
}

func tenantHeaders(s *suite) []secCase {
	bk, a := s.booked, s.a
	byNumber := func(params map[string]any) []byte {
		return jsonOf(call(1, "database.appointments.byConfirmation", params))
	}
	header := func(name string, keys ...string) secCase {
		return secCase{name: name, run: func(t *testing.T, s *suite) {
			h := http.Header{}
			for i := 0; i+1 < len(keys); i += 2 {
				h.Add(keys[i], keys[i+1])
			}
			wantRPC(t, s, s.b.key, byNumber(map[string]any{"confirmation_number": bk.number}), h, http.StatusOK, codeNotFound)
		}}
	}
	variant := func(field string, code int) secCase {
		return secCase{name: "company_id spelled " + field, run: func(t *testing.T, s *suite) {
			wantRPC(t, s, s.b.key, byNumber(map[string]any{"confirmation_number": bk.number, field: a.id}), nil, http.StatusOK, code)
			wantRPC(t, s, s.b.key, mustJSON(t, call(2, "booking.cancel", map[string]any{"confirmation_number": bk.number, field: a.id})), nil, http.StatusOK, code)
		}}
	}
	return []secCase{
		header("B's key, then A's key as a second X-API-Key", gateway.APIKeyHeader, a.key),
		header("X-Company-ID and X-Tenant-ID naming A", "X-Company-ID", a.id, "X-Tenant-ID", a.id, "X-Tenant", a.id),
		header("company_id and X-Forwarded headers naming A", "company_id", a.id, "X-Forwarded-Company", a.id, "Forwarded", "for="+a.id),
		{name: "A's key, then B's key as a second X-API-Key: A's own", run: func(t *testing.T, s *suite) {
			// The first value is the key; the second is ignored, never merged.
			h := http.Header{gateway.APIKeyHeader: {s.b.key}}
			wantRPC(t, s, s.a.key, byNumber(map[string]any{"confirmation_number": bk.number}), h, http.StatusOK, 0)
		}},
		{name: "both keys in one comma-separated header", run: func(t *testing.T, s *suite) {
			status, _, raw := s.rpc(t, s.b.key+","+s.a.key, byNumber(map[string]any{"confirmation_number": bk.number}), http.Header{"X-Forwarded-For": {"192.0.2.10"}})
			require.Equal(t, http.StatusUnauthorized, status, "%s", raw)
			require.Equal(t, codeUnknownKey, replies(t, raw)[0].Error.Code)
		}},
		variant("company_id", codeNotFound),
		variant("Company_Id", codeNotFound),
		variant("COMPANY_ID", codeNotFound),
		variant("companyId", codeInvalidParams),
		variant("company_id\u0000", codeInvalidParams),
		{name: "a batch that mixes tenants", run: func(t *testing.T, s *suite) {
			batch := []any{
				call(1, "database.branches.list", map[string]any{"company_id": s.b.id}),
				call(2, "database.appointments.byConfirmation", map[string]any{"company_id": a.id, "confirmation_number": bk.number}),
				call(3, "booking.cancel", map[string]any{"company_id": a.id, "confirmation_number": bk.number}),
				call(4, "database.staff.list", map[string]any{"company_id": a.id, "branch_id": a.branch}),
				call(5, "booking.reschedule", map[string]any{"company_id": a.id, "appointment_id": bk.id, "start": bk.start.Add(time.Hour).Format(time.RFC3339)}),
			}
			rs := wantRPC(t, s, s.b.key, mustJSON(t, batch), nil, http.StatusOK, 0, codeNotFound, codeNotFound, 0, codeNotFound)
			require.Contains(t, string(rs[0].Result), s.b.branch)
			require.NotContains(t, string(rs[3].Result), a.staff)
		}},
	}
}

// signedBook is a live book_appointment on tenant A that would book, were its signature taken.
func (s *suite) signedBook(t *testing.T, id string, hour int) []byte {
	t.Helper()
	start := time.Date(2026, 12, 16, hour, 0, 0, 0, berlin).Format(time.RFC3339)
	return mustJSON(t, map[string]any{"name": gateway.FnBookAppointment, "call": s.callTo(s.a, "+4915112340002", id),
		"args": map[string]any{"service": "Haare schneiden", "start": start, "staff_id": s.a.staff, "name": "Eve Replay"}})
}

// webhookStarted is a call_started webhook that would store a call, were its signature taken.
func (s *suite) webhookStarted(t *testing.T) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{"event": "call_started", "call": s.callTo(s.a, "+4915112340003", "call_sec_"+testenv.RandomSuffix())})
}

func signatures(s *suite) []secCase {
	now := time.Now
	bad := func(name string, sign func(body []byte) (sent []byte, sig string)) []secCase {
		check := func(t *testing.T, s *suite, path string, body []byte) {
			sent, sig := sign(body)
			status, raw := s.post(t, path, sent, sig)
			require.Equal(t, http.StatusUnauthorized, status, "%s", raw)
			require.Contains(t, string(raw), "invalid_signature")
		}
		return []secCase{
			{name: name + " (function call)", run: func(t *testing.T, s *suite) {
				check(t, s, "/retell/functions/"+gateway.FnBookAppointment, s.signedBook(t, "call_sec_"+testenv.RandomSuffix(), 11))
			}},
			{name: name + " (webhook)", run: func(t *testing.T, s *suite) { check(t, s, "/retell/webhook", s.webhookStarted(t)) }},
		}
	}
	var cases []secCase
	for _, v := range []struct {
		name string
		sign func(body []byte) ([]byte, string)
	}{
		{"wrong key", func(b []byte) ([]byte, string) { return b, retell.Sign(b, "not-the-retell-key", now()) }},
		{"tampered body", func(b []byte) ([]byte, string) {
			return bytes.Replace(b, []byte("+4915112340"), []byte("+4915112349"), 1), retell.Sign(b, retellKey, now())
		}},
		{"stale timestamp", func(b []byte) ([]byte, string) {
			return b, retell.Sign(b, retellKey, now().Add(-retell.SignatureTolerance-time.Minute))
		}},
		{"future timestamp", func(b []byte) ([]byte, string) {
			return b, retell.Sign(b, retellKey, now().Add(retell.SignatureTolerance+time.Minute))
		}},
		{"no signature", func(b []byte) ([]byte, string) { return b, "" }},
		{"garbage signature", func(b []byte) ([]byte, string) { return b, "v=abc,d=zz" }},
		{"signature of an empty body", func(b []byte) ([]byte, string) { return b, retell.Sign(nil, retellKey, now()) }},
	} {
		cases = append(cases, bad(v.name, v.sign)...)
	}
	cases = append(cases, secCase{
		name: "replayed webhook is stored once",
		may:  []string{"customers", "calls", "audit_log"},
		run: func(t *testing.T, s *suite) {
			id := "call_sec_" + testenv.RandomSuffix()
			body := jsonOf(map[string]any{"event": "call_started", "call": s.callTo(s.a, "+4915112340006", id)})
			sig := retell.Sign(body, retellKey, now())
			status, raw := s.post(t, "/retell/webhook", body, sig)
			require.Equal(t, http.StatusNoContent, status, "%s", raw)
			stored := s.callState(t, id)
			for range 3 {
				status, raw := s.post(t, "/retell/webhook", body, sig)
				require.Equal(t, http.StatusNoContent, status, "a replay is acknowledged: %s", raw)
			}
			// A later webhook is stored after the replays would have been: then nothing of
			// the first call has changed.
			s.callState(t, "call_sec_"+testenv.RandomSuffix(), "+4915112340007")
			require.Equal(t, stored, s.callState(t, id), "the replays changed nothing")
		},
	})
	return append(cases, secCase{
		name: "replayed book_appointment books once",
		may:  []string{"appointments", "customers", "audit_log", "calls"},
		run: func(t *testing.T, s *suite) {
			body := s.signedBook(t, "call_sec_replay", 12)
			sig := retell.Sign(body, retellKey, now())
			status, first := s.post(t, "/retell/functions/"+gateway.FnBookAppointment, body, sig)
			require.Equal(t, http.StatusOK, status, "%s", first)
			var res gateway.FunctionResult
			require.NoError(t, json.Unmarshal(first, &res))
			require.True(t, res.Success, "the first delivery books: %s", first)
			booked := s.snapshot(t)
			for range 3 {
				status, again := s.post(t, "/retell/functions/"+gateway.FnBookAppointment, body, sig)
				require.Equal(t, http.StatusOK, status, "%s", again)
				require.JSONEq(t, string(first), string(again), "a replay gets the stored answer")
			}
			s.unchanged(t, booked)
		},
	})
}

// deepJSON is a JSON value nested depth arrays deep.
func deepJSON(depth int) string {
	return strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
}

func hostileBodies(s *suite) []secCase {
	bk := s.booked
	signedRaw := func(t *testing.T, s *suite, path string, body []byte) (int, []byte) {
		t.Helper()
		return s.post(t, path, body, retell.Sign(body, retellKey, time.Now()))
	}
	callB := func() string {
		return string(jsonOf(s.callTo(s.a, "+4915112340004", "call_sec_"+testenv.RandomSuffix())))
	}
	cases := []secCase{
		{name: "/rpc body over 1 MiB", run: func(t *testing.T, s *suite) {
			body := `{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{"x":"` + strings.Repeat("a", gateway.MaxRPCBody) + `"}}`
			status, _, raw := s.rpc(t, s.b.key, []byte(body), nil)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%.200s", raw)
		}},
		{name: "function call body over 2 MiB", run: func(t *testing.T, s *suite) {
			body := []byte(`{"name":"book_appointment","call":` + callB() + `,"args":{"name":"` + strings.Repeat("a", gateway.MaxFunctionBody) + `"}}`)
			status, raw := signedRaw(t, s, "/retell/functions/book_appointment", body)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%.200s", raw)
			require.Contains(t, string(raw), "body_too_large")
		}},
		{name: "webhook body over 10 MiB", run: func(t *testing.T, s *suite) {
			body := []byte(`{"event":"call_started","call":{"call_id":"call_sec_big","transcript":"` + strings.Repeat("a", gateway.MaxWebhookBody) + `"}}`)
			status, raw := signedRaw(t, s, "/retell/webhook", body)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%.200s", raw)
		}},
		{name: "batch of 51", run: func(t *testing.T, s *suite) {
			batch := make([]any, gateway.MaxBatch+1)
			for i := range batch {
				batch[i] = call(i, "booking.cancel", map[string]any{"confirmation_number": bk.number})
			}
			wantRPC(t, s, s.a.key, mustJSON(t, batch), nil, http.StatusOK, codeInvalidRequest)
		}},
		{name: "/rpc params nested 100,000 deep", run: func(t *testing.T, s *suite) {
			body := `{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":` + deepJSON(100_000) + `}}`
			wantRPC(t, s, s.a.key, []byte(body), nil, http.StatusOK, codeParse)
		}},
		{name: "/rpc params nested 5,000 deep", run: func(t *testing.T, s *suite) {
			body := `{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":` + deepJSON(5_000) + `}}`
			wantRPC(t, s, s.a.key, []byte(body), nil, http.StatusOK, codeInvalidParams)
		}},
		{name: "a batch nested 100,000 deep", run: func(t *testing.T, s *suite) {
			wantRPC(t, s, s.a.key, []byte(deepJSON(100_000)), nil, http.StatusOK, codeParse)
		}},
		{name: "function args nested 100,000 deep", run: func(t *testing.T, s *suite) {
			body := []byte(`{"name":"cancel_appointment","call":` + callB() + `,"args":{"confirmation_number":` + deepJSON(100_000) + `}}`)
			status, raw := signedRaw(t, s, "/retell/functions/cancel_appointment", body)
			require.Equal(t, http.StatusOK, status, "%.300s", raw)
			var res gateway.FunctionResult
			require.NoError(t, json.Unmarshal(raw, &res))
			refused(t, s, res)
			require.Equal(t, "malformed_request", res.Error, "%s", raw)
		}},
		{name: "invalid UTF-8 in /rpc params", run: func(t *testing.T, s *suite) {
			body := []byte("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"booking.cancel\",\"params\":{\"confirmation_number\":\"" + bk.number[:3] + "\xff\xfe" + bk.number[3:] + "\"}}")
			wantRPC(t, s, s.a.key, body, nil, http.StatusOK, codeNotFound)
		}},
		{name: "invalid UTF-8 in a method name", run: func(t *testing.T, s *suite) {
			body := []byte("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"booking.cancel\xff\",\"params\":{\"confirmation_number\":\"" + bk.number + "\"}}")
			wantRPC(t, s, s.a.key, body, nil, http.StatusOK, -32601)
		}},
		{name: "invalid UTF-8 in function args", run: func(t *testing.T, s *suite) {
			body := []byte("{\"name\":\"book_appointment\",\"call\":" + callB() + ",\"args\":{\"service\":\"Haare \xff\xfe\",\"name\":\"\xc3\x28\",\"start\":\"2026-12-16T1\xff:00:00+01:00\"}}")
			status, raw := signedRaw(t, s, "/retell/functions/book_appointment", body)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			var res gateway.FunctionResult
			require.NoError(t, json.Unmarshal(raw, &res))
			refused(t, s, res)
		}},
	}
	// SQL and LIKE metacharacters where a confirmation number, a phone or a name goes: with A's
	// own key, so a wildcard that matched would reach A's booking.
	for _, bad := range []string{"%", "______", "%%%%%%", "_%", "' OR '1'='1", "'; DELETE FROM appointments; --", `\%`, "*", bk.number[:3] + "%"} {
		cases = append(cases,
			secCase{name: fmt.Sprintf("/rpc confirmation number %q", bad), run: func(t *testing.T, s *suite) {
				batch := []any{
					call(1, "database.appointments.byConfirmation", map[string]any{"confirmation_number": bad}),
					call(2, "booking.cancel", map[string]any{"confirmation_number": bad}),
				}
				wantRPC(t, s, s.a.key, mustJSON(t, batch), nil, http.StatusOK, codeNotFound, codeNotFound)
			}},
			secCase{name: fmt.Sprintf("/rpc phone %q", bad), run: func(t *testing.T, s *suite) {
				wantRPC(t, s, s.a.key, mustJSON(t, call(1, "booking.cancel", map[string]any{"phone": bad, "date": bk.date})), nil, http.StatusOK, codeValidation)
			}},
			fnSQLCase(bad),
		)
	}
	return cases
}

// fnSQLCase sends a metacharacter as every argument of the manage and book functions on a call
// to tenant A from a stranger's number.
func fnSQLCase(bad string) secCase {
	return secCase{name: fmt.Sprintf("function arguments %q", bad), run: func(t *testing.T, s *suite) {
		args := map[string]any{"service": bad, "date": bad, "time": bad, "name": bad, "staff": bad,
			"confirmation_number": bad, "start": bad, "staff_id": bad}
		for _, fn := range []string{gateway.FnCancelAppointment, gateway.FnReschedule, gateway.FnBookAppointment} {
			var res gateway.FunctionResult
			require.Equal(t, http.StatusOK, s.fn(t, fn, s.callTo(s.a, "+4915112340005", "call_sec_"+testenv.RandomSuffix()), args, &res), fn)
			require.NotEmpty(t, res.Message, fn)
			refused(t, s, res)
		}
	}}
}

func actorCases(s *suite) []secCase {
	bk := s.booked
	return []secCase{
		rpcCase("cancel naming the CLI as actor", keyA, func(*suite) any {
			return call(1, "booking.cancel", map[string]any{"confirmation_number": bk.number, "actor": "askpro-cli"})
		}, codeInvalidParams),
		rpcCase("reschedule naming another actor", keyA, func(*suite) any {
			return call(1, "booking.reschedule", map[string]any{"confirmation_number": bk.number, "start": bk.start.Add(time.Hour).Format(time.RFC3339), "actor": "retell:call_x"})
		}, codeInvalidParams),
		rpcCase("actor in another case", keyA, func(*suite) any {
			return call(1, "booking.cancel", map[string]any{"confirmation_number": bk.number, "Actor": "askpro-cli"})
		}, codeInvalidParams),
		rpcCase("actor in a batch refuses that call only", keyB, func(*suite) any {
			return []any{
				call(1, "booking.cancel", map[string]any{"confirmation_number": bk.number, "actor": "cli:root"}),
				call(2, "database.branches.list", map[string]any{}),
			}
		}, codeInvalidParams, 0),
	}
}

func rateLimits(s *suite) []secCase {
	reads := func(n int) []byte {
		batch := make([]any, n)
		for i := range batch {
			batch[i] = call(i, "database.branches.list", map[string]any{})
		}
		return jsonOf(batch)
	}
	cancels := func(n int) []byte {
		batch := make([]any, n)
		for i := range batch {
			batch[i] = call(i, "booking.cancel", map[string]any{"confirmation_number": fmt.Sprintf("ZZZZ%02d", i)})
		}
		return jsonOf(batch)
	}
	return []secCase{
		{name: "a write batch above the write burst is refused whole", run: func(t *testing.T, s *suite) {
			status, h, raw := s.rpc(t, s.c.key, cancels(writeBurst+1), nil)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			require.Empty(t, h.Get("Retry-After"), "it can never fit: no retry")
			rs := replies(t, raw)
			require.Len(t, rs, 1, "%s", raw)
			require.Equal(t, codeInvalidRequest, rs[0].Error.Code, "%s", raw)
			require.Contains(t, rs[0].Error.Message, "calcom_write")
		}},
		{name: "writes are charged per call", run: func(t *testing.T, s *suite) {
			codes := make([]int, writeBurst)
			for i := range codes {
				codes[i] = codeNotFound
			}
			wantRPC(t, s, s.c.key, cancels(writeBurst), nil, http.StatusOK, codes...)
			// What refilled meanwhile (10 a second) is less than ten.
			status, h, raw := s.rpc(t, s.c.key, cancels(10), nil)
			require.Equal(t, http.StatusTooManyRequests, status, "%s", raw)
			require.NotEmpty(t, h.Get("Retry-After"))
			rs := replies(t, raw)
			require.Equal(t, codeLimited, rs[0].Error.Code)
			require.Equal(t, "calcom_write", rs[0].Error.Data["budget"], "%s", raw)
		}},
		{name: "batches are charged per call", run: func(t *testing.T, s *suite) {
			// The total budget here is 200 (20 a second): four batches of 50 spend it, the
			// fifth is refused whole.
			var status int
			var h http.Header
			var raw []byte
			sent := 0
			for sent < 8 {
				status, h, raw = s.rpc(t, s.c.key, reads(gateway.MaxBatch), nil)
				if status != http.StatusOK {
					break
				}
				sent++
			}
			require.Equal(t, http.StatusTooManyRequests, status, "%s", raw)
			require.LessOrEqual(t, sent*gateway.MaxBatch, 200+20*sent, "at most the burst and what refilled meanwhile ran")
			require.NotEmpty(t, h.Get("Retry-After"))
			secs, err := strconv.Atoi(h.Get("Retry-After"))
			require.NoError(t, err)
			require.GreaterOrEqual(t, secs, 1)
			rs := replies(t, raw)
			require.Len(t, rs, 1, "refused whole: %s", raw)
			require.Equal(t, codeLimited, rs[0].Error.Code)
		}},
		{name: "another tenant's budget is its own", run: func(t *testing.T, s *suite) {
			wantRPC(t, s, s.b.key, reads(5), nil, http.StatusOK, 0, 0, 0, 0, 0)
		}},
	}
}

// badKey is a made-up key that looks like ours.
func badKey(prefix string) string { return prefix + testenv.RandomSuffix() + testenv.RandomSuffix() }

func keyFloods(s *suite) []secCase {
	list := jsonOf(call(1, "database.branches.list", map[string]any{}))
	return []secCase{
		{name: "fresh keys from one address: 401, then 429 per address", run: func(t *testing.T, s *suite) {
			from := http.Header{"X-Forwarded-For": {"203.0.113.7"}}
			var unauthorized, limited int
			for range 40 {
				status, h, raw := s.rpc(t, badKey("ak_live_"), list, from)
				rs := replies(t, raw)
				switch status {
				case http.StatusUnauthorized:
					require.Zero(t, limited, "no 401 after the first 429")
					require.Equal(t, codeUnknownKey, rs[0].Error.Code)
					unauthorized++
				case http.StatusTooManyRequests:
					require.NotEmpty(t, h.Get("Retry-After"))
					require.Equal(t, codeLimited, rs[0].Error.Code)
					require.Equal(t, "auth_address", rs[0].Error.Data["budget"], "%s", raw)
					limited++
				default:
					require.Failf(t, "unexpected answer", "%d %s", status, raw)
				}
			}
			require.Positive(t, unauthorized)
			require.LessOrEqual(t, unauthorized, 12, "the burst (10) and a little refill")
			require.Positive(t, limited)
			// A known key from the same address is never refused by the failed-auth limit.
			wantRPC(t, s, s.a.key, list, from, http.StatusOK, 0)
		}},
		{name: "one key prefix from many addresses: 429 per prefix", run: func(t *testing.T, s *suite) {
			var limited int
			for i := range 40 {
				from := http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}}
				status, _, raw := s.rpc(t, badKey("ak_live_dead"), list, from)
				if status == http.StatusTooManyRequests {
					require.Equal(t, "auth_key_prefix", replies(t, raw)[0].Error.Data["budget"], "%s", raw)
					limited++
					continue
				}
				require.Equal(t, http.StatusUnauthorized, status, "%s", raw)
			}
			require.Positive(t, limited, "the prefix budget (burst 20) ran out")
			wantRPC(t, s, s.b.key, list, http.Header{"X-Forwarded-For": {"198.51.100.1"}}, http.StatusOK, 0)
		}},
		{name: "missing, empty and oversized keys", run: func(t *testing.T, s *suite) {
			for i, key := range []string{"", " ", strings.Repeat("k", 8<<10), "ak_live_%", "' OR 1=1 --"} {
				from := http.Header{"X-Forwarded-For": {fmt.Sprintf("192.0.2.%d", 100+i)}}
				status, _, raw := s.rpc(t, key, list, from)
				require.Equal(t, http.StatusUnauthorized, status, "%.40q: %.200s", key, raw)
				require.Equal(t, codeUnknownKey, replies(t, raw)[0].Error.Code)
			}
		}},
	}
}

// keyLifecycle holds the ways a key stops working, each checked within its deadline on the
// running gateway: rotation (`askpro tenant apply --rotate-key`), `askpro key revoke` and
// `askpro tenant deactivate`, the last two within 1 s through the bus.
func keyLifecycle(s *suite) []secCase {
	list := jsonOf(call(1, "database.branches.list", map[string]any{}))
	return []secCase{{
		name: "rotation: the old key stops within AUTH_CACHE_TTL, the new one works",
		may:  []string{"companies", "audit_log"},
		run: func(t *testing.T, s *suite) {
			from := http.Header{"X-Forwarded-For": {"192.0.2.200"}}
			old := s.b.key
			wantRPC(t, s, old, list, from, http.StatusOK, 0)
			fresh := apiKeyIn(t, s.run(t, "tenant", "apply", "-f", s.specB, "--rotate-key"))
			rotated := time.Now()
			require.NotEqual(t, old, fresh)
			var status int
			testenv.Eventually(t, authCacheTTL+2*time.Second, func() bool {
				status, _, _ = s.rpc(t, old, list, from)
				return status == http.StatusUnauthorized
			}, "the old key is refused (last %d)", status)
			require.Less(t, time.Since(rotated), authCacheTTL+2*time.Second)
			rs := wantRPC(t, s, fresh, list, from, http.StatusOK, 0)
			require.Contains(t, string(rs[0].Result), s.b.branch)
			var audited int
			require.NoError(t, s.db.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE company_id = $1 AND action = 'company.api_key_rotated'`, s.b.id).Scan(&audited))
			require.Positive(t, audited, "the rotation is audited")
			s.b.key = fresh
		},
	}, {
		name: "revocation: askpro key revoke stops a named key on the running gateway within 1 s",
		may:  []string{"audit_log"},
		run: func(t *testing.T, s *suite) {
			from := http.Header{"X-Forwarded-For": {"192.0.2.201"}}
			named := apiKeyIn(t, s.run(t, "key", "create", "--company", s.b.id, "--name", "security-revoke"))
			wantRPC(t, s, named, list, from, http.StatusOK, 0)
			s.run(t, "key", "revoke", "--company", s.b.id, "--name", "security-revoke")
			revoked := time.Now()
			var status int
			testenv.Eventually(t, 5*time.Second, func() bool {
				status, _, _ = s.rpc(t, named, list, from)
				return status == http.StatusUnauthorized
			}, "the revoked key is refused (last %d)", status)
			require.Less(t, time.Since(revoked), time.Second, "revocation takes effect within a second")
			wantRPC(t, s, s.b.key, list, from, http.StatusOK, 0) // the tenant's other key still works
			requireAudited(t, s, "api_key.created", "api_key.revoked")
		},
	}, {
		name: "deactivation: askpro tenant deactivate stops every key of the tenant within 1 s; activate restores it",
		may:  []string{"companies", "audit_log"},
		run: func(t *testing.T, s *suite) {
			from := http.Header{"X-Forwarded-For": {"192.0.2.202"}}
			wantRPC(t, s, s.b.key, list, from, http.StatusOK, 0)
			s.run(t, "tenant", "deactivate", "--company", s.b.id)
			deactivated := time.Now()
			var status int
			testenv.Eventually(t, 5*time.Second, func() bool {
				status, _, _ = s.rpc(t, s.b.key, list, from)
				return status == http.StatusUnauthorized
			}, "the deactivated tenant's key is refused (last %d)", status)
			require.Less(t, time.Since(deactivated), time.Second, "deactivation takes effect within a second")
			wantRPC(t, s, s.a.key, list, from, http.StatusOK, 0) // another tenant is untouched
			s.run(t, "tenant", "activate", "--company", s.b.id)
			testenv.Eventually(t, 5*time.Second, func() bool {
				status, _, _ = s.rpc(t, s.b.key, list, from)
				return status == http.StatusOK
			}, "the re-activated tenant's key works again (last %d)", status)
			requireAudited(t, s, "company.deactivated", "company.activated")
		},
	}}
}

// requireAudited checks that tenant B's audit log holds each action, by the CLI's actor.
func requireAudited(t *testing.T, s *suite, actions ...string) {
	t.Helper()
	for _, action := range actions {
		var n int
		require.NoError(t, s.db.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE company_id = $1 AND action = $2 AND actor LIKE 'cli:%'`,
			s.b.id, action).Scan(&n))
		require.Positive(t, n, "%s is audited as the CLI", action)
	}
}
