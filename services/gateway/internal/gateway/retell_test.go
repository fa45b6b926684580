package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	dbapi "github.com/askproai/backend/pkg/api/database"
	routingapi "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

const (
	salonNumber = "+493012345678"
	tuesday1430 = "2026-12-01T13:30:00Z" // 14:30 in Berlin
	sunday10    = "2026-12-06T09:00:00Z" // 10:00 in Berlin: the salon is closed
	// sundaySays is the booking service's refusal of sunday10, as it sends it.
	sundaySays = "Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um 9 Uhr wäre bei Maria etwas frei."
)

// retellEnv is the gateway on the real bus with routing, booking and database answered by
// handlers registered here; creates counts booking.create executions.
type retellEnv struct {
	srv     *gateway.Server
	env     *testenv.RedisEnv
	creates atomic.Int64
}

func newRetellEnv(t *testing.T, withRouting bool) *retellEnv {
	t.Helper()
	e := &retellEnv{env: testenv.Redis(t)}
	if withRouting {
		rpctest.StartServer(t, e.env, rpctest.ServerConfig(e.env, routingapi.Service, "routing-0"), nil, registerRouting)
	}
	rpctest.StartServer(t, e.env, rpctest.ServerConfig(e.env, dbapi.Service, "db-0"), nil, registerDatabase)
	rpctest.StartServer(t, e.env, rpctest.ServerConfig(e.env, bookingapi.Service, "booking-0"), nil, e.registerBooking)
	bus := rpctest.NewClient(t, e.env, "gateway-0", nil)
	v, err := retell.NewVerifier([]string{testKey}, time.Now)
	require.NoError(t, err)
	e.srv = gateway.NewServer(gateway.Options{
		Verifier: v, Logger: zerolog.Nop(), RPC: bus, Redis: e.env.Client, Namespace: rpctest.Namespace(e.env),
		Inbox: gateway.NewInbox(e.env.Client, bus.Publish, e.env.Prefix, time.Hour),
		// Long deadlines: a test that expects a fast failure can tell it from a timeout even on
		// a busy machine.
		FunctionTimeout: testDeadline, InboundTimeout: testDeadline,
	})
	return e
}

// testDeadline is the gateway's function and inbound deadline in these tests.
const testDeadline = 30 * time.Second

func registerRouting(s *rpc.Server) {
	rpc.Register(s, routingapi.MethodResolveBranch, func(_ context.Context, p routingapi.ResolveBranchParams) (routingapi.Branch, error) {
		if p.PhoneNumber != salonNumber {
			return routingapi.Branch{}, rpc.ErrNotFound
		}
		return routingapi.Branch{ID: "branch-mitte", CompanyID: "company-salon", Name: "Salon Mitte", TimeZone: "Europe/Berlin"}, nil
	})
	rpc.Register(s, routingapi.MethodAnalyzeIntent, func(_ context.Context, p routingapi.AnalyzeIntentParams) (routingapi.Intent, error) {
		in := routingapi.Intent{Action: "book"}
		if strings.Contains(p.Text, "Haarschnitt") {
			in.Service = &routingapi.Match{ID: "et-cut", Name: "Damenhaarschnitt", Score: 1}
		}
		start, _ := time.Parse(time.RFC3339, tuesday1430)
		switch {
		case strings.Contains(p.Text, "Sonntag"):
			sunday, _ := time.Parse(time.RFC3339, sunday10)
			in.Times = []routingapi.When{{Kind: "at", Start: sunday, Readback: "Sonntag, 6. Dezember, um 10 Uhr"}}
		case strings.Contains(p.Text, "halb drei"):
			in.Times = []routingapi.When{{Kind: "at", Start: start, Readback: "Dienstag, 1. Dezember, um 14:30 Uhr"}}
		case strings.Contains(p.Text, "um acht"):
			in.Ambiguous = true
			in.Times = []routingapi.When{
				{Kind: "at", Start: start.Add(-6*time.Hour - 30*time.Minute), Readback: "Dienstag, 1. Dezember, um 8 Uhr"},
				{Kind: "at", Start: start.Add(5*time.Hour + 30*time.Minute), Readback: "Dienstag, 1. Dezember, um 20 Uhr"},
			}
		}
		return in, nil
	})
}

func registerDatabase(s *rpc.Server) {
	rpc.Register(s, dbapi.MethodCompaniesGet, func(_ context.Context, p dbapi.CompanyParams) (dbapi.Company, error) {
		return dbapi.Company{ID: p.CompanyID, Name: "Haarmonie", Active: true}, nil
	})
	rpc.Register(s, dbapi.MethodCustomersFindOrCreate, func(_ context.Context, p dbapi.FindOrCreateCustomerParams) (dbapi.FindOrCreateCustomerResult, error) {
		if p.Phone == "+4915100000001" {
			return dbapi.FindOrCreateCustomerResult{Customer: dbapi.Customer{ID: "cust-1", Name: "Anna Schmidt"}}, nil
		}
		return dbapi.FindOrCreateCustomerResult{Customer: dbapi.Customer{ID: "cust-new"}, Created: true}, nil
	})
	rpc.Register(s, dbapi.MethodBranchesGet, func(_ context.Context, p dbapi.BranchParams) (dbapi.Branch, error) {
		return dbapi.Branch{ID: p.BranchID, CompanyID: p.CompanyID, TimeZone: "Europe/Berlin", OpeningHours: dbapi.OpeningHours{
			"tue": {{From: "09:00", To: "18:00"}}, "sat": {{From: "10:00", To: "14:30"}},
		}}, nil
	})
	rpc.Register(s, dbapi.MethodEventTypesList, func(_ context.Context, _ dbapi.CatalogueParams) (dbapi.EventTypeList, error) {
		price := int64(3900)
		return dbapi.EventTypeList{EventTypes: []dbapi.EventType{{ID: "et-cut", Name: "Damenhaarschnitt", DurationMinutes: 45, PriceCents: &price, Active: true}}}, nil
	})
}

func (e *retellEnv) registerBooking(s *rpc.Server) {
	var mu sync.Mutex
	booked := map[string]bookingapi.CreateResult{}
	rpc.Register(s, bookingapi.MethodCheckAvailability, func(_ context.Context, p bookingapi.AvailabilityParams) (bookingapi.AvailabilityResult, error) {
		start, _ := time.Parse(time.RFC3339, tuesday1430)
		if sunday, _ := time.Parse(time.RFC3339, sunday10); p.At.Equal(sunday) {
			return bookingapi.AvailabilityResult{Reason: "closed", Message: sundaySays}, nil
		}
		return bookingapi.AvailabilityResult{Exact: p.At.Equal(start), Message: "Dienstag um 14:30 Uhr ist frei.", Options: []bookingapi.Option{
			{StaffID: "staff-maria", StaffName: "Maria", Start: start, End: start.Add(45 * time.Minute), Spoken: "Dienstag, 1. Dezember, um 14:30 Uhr"},
		}}, nil
	})
	rpc.Register(s, bookingapi.MethodCreate, func(_ context.Context, p bookingapi.CreateParams) (bookingapi.CreateResult, error) {
		mu.Lock()
		defer mu.Unlock()
		if r, ok := booked[p.IdempotencyKey]; ok {
			return r, nil
		}
		if sunday, _ := time.Parse(time.RFC3339, sunday10); p.Start.Equal(sunday) { // a rule, not a lost slot
			return bookingapi.CreateResult{}, rpc.NewError(rpc.CodeConflict, "slot not bookable",
				bookingapi.Alternatives{Reason: "closed", Message: sundaySays})
		}
		if p.CustomerName == "Spät" { // someone else was faster: the slot is gone, with alternatives
			later := p.Start.Add(time.Hour)
			return bookingapi.CreateResult{}, rpc.NewError(rpc.CodeConflict, "slot taken", bookingapi.Alternatives{
				SameStaff: []bookingapi.Option{{StaffID: "staff-maria", StaffName: "Maria", Start: later,
					End: later.Add(45 * time.Minute), Spoken: "Dienstag, 1. Dezember, um 15:30 Uhr"}},
				Message: "Der Termin ist leider gerade vergeben worden. Ich könnte Ihnen 15:30 Uhr bei Maria anbieten."})
		}
		e.creates.Add(1)
		r := bookingapi.CreateResult{
			Booking:            bookingapi.Booking{ID: "appt-1", Start: p.Start, StaffID: p.StaffID, ConfirmationNumber: "K7M2P9"},
			ConfirmationSpoken: "K 7 M 2 P 9", Message: "Ihr Termin ist gebucht: Dienstag, 1. Dezember, um 14:30 Uhr bei Maria.",
		}
		booked[p.IdempotencyKey] = r
		return r, nil
	}, rpc.NonIdempotent())
}

func (e *retellEnv) post(t *testing.T, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set(retell.SignatureHeader, signNow(body))
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func inboundBody(from, to string) string {
	return `{"event":"call_inbound","call_inbound":{"from_number":"` + from + `","to_number":"` + to + `"}}`
}

type inboundReply struct {
	CallInbound struct {
		DynamicVariables map[string]string `json:"dynamic_variables"`
		Metadata         map[string]any    `json:"metadata"`
		Reject           bool              `json:"reject"`
	} `json:"call_inbound"`
}

func decodeInbound(t *testing.T, rec *httptest.ResponseRecorder) inboundReply {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var r inboundReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	return r
}

func TestInboundResolvesBranchAndKnownCaller(t *testing.T) {
	e := newRetellEnv(t, true)
	r := decodeInbound(t, e.post(t, "/retell/inbound", inboundBody("+4915100000001", salonNumber)))
	vars := r.CallInbound.DynamicVariables
	require.Equal(t, "Salon Mitte", vars["branch_name"])
	require.Equal(t, "Haarmonie", vars["company_name"])
	require.Equal(t, "true", vars["caller_known"])
	require.Equal(t, "Anna Schmidt", vars["caller_name"])
	require.Contains(t, vars["current_time"], "Uhr")
	require.Equal(t, "company-salon", r.CallInbound.Metadata["company_id"])
	require.Equal(t, "branch-mitte", r.CallInbound.Metadata["branch_id"])

	r = decodeInbound(t, e.post(t, "/retell/inbound", inboundBody("+4915100000002", salonNumber)))
	require.Equal(t, "false", r.CallInbound.DynamicVariables["caller_known"])
	require.NotContains(t, r.CallInbound.DynamicVariables, "caller_name")
}

func TestInboundUnknownNumberAndFailOpen(t *testing.T) {
	e := newRetellEnv(t, true)
	r := decodeInbound(t, e.post(t, "/retell/inbound", inboundBody("+4915100000001", "+4940999999")))
	require.False(t, r.CallInbound.Reject, "the default policy lets the number's agent answer")
	require.Empty(t, r.CallInbound.DynamicVariables)

	down := newRetellEnv(t, false) // routing has no live consumer
	start := time.Now()
	r = decodeInbound(t, down.post(t, "/retell/inbound", inboundBody("+4915100000001", salonNumber)))
	require.Less(t, time.Since(start), testDeadline/2, "no responders fails fast, not by the deadline")
	require.Equal(t, "false", r.CallInbound.DynamicVariables["caller_known"])
	require.Equal(t, "Europe/Berlin", r.CallInbound.DynamicVariables["time_zone"])

	bad := httptest.NewRequest(http.MethodPost, "/retell/inbound", strings.NewReader(inboundBody("+49151", salonNumber)))
	bad.Header.Set(retell.SignatureHeader, retell.Sign([]byte("other"), testKey, time.Now()))
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, bad)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
}

func functionBody(name, callID, args string) string {
	return `{"name":"` + name + `","call":{"call_id":"` + callID + `","from_number":"+4915100000001","to_number":"` + salonNumber +
		`","start_timestamp":1764500000000,"metadata":{"company_id":"company-salon","branch_id":"branch-mitte","time_zone":"Europe/Berlin"}},"args":` + args + `}`
}

func decodeFn(t *testing.T, rec *httptest.ResponseRecorder) gateway.FunctionResult {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var r gateway.FunctionResult
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	return r
}

func TestFunctionCheckAndBook(t *testing.T) {
	e := newRetellEnv(t, true)
	r := decodeFn(t, e.post(t, "/retell/functions/check_availability", functionBody("check_availability", "call_1", `{"service":"Haarschnitt","date":"Dienstag","time":"halb drei"}`)))
	require.True(t, r.Success)
	require.Len(t, r.Options, 1)
	require.Equal(t, "staff-maria", r.Options[0].StaffID)

	book := functionBody("book_appointment", "call_1", `{"service":"Haarschnitt","date":"Dienstag","time":"halb drei","name":"Anna"}`)
	r = decodeFn(t, e.post(t, "/retell/functions/book_appointment", book))
	require.True(t, r.Success, r.Message)
	require.Equal(t, "K7M2P9", r.Booking.ConfirmationNumber)
	require.Contains(t, r.Message, "gebucht")
}

// A slot taken between check and book answers with the alternatives the booking service sent
// as the conflict's data, decoded from the bus.
func TestFunctionBookTakenOffersAlternatives(t *testing.T) {
	e := newRetellEnv(t, true)
	book := functionBody("book_appointment", "call_late", `{"service":"Haarschnitt","date":"Dienstag","time":"halb drei","name":"Spät"}`)
	r := decodeFn(t, e.post(t, "/retell/functions/book_appointment", book))
	require.False(t, r.Success)
	require.Equal(t, "slot_taken", r.Error)
	require.Contains(t, r.Message, "15:30 Uhr bei Maria")
	require.Len(t, r.Options, 1)
	require.Equal(t, "staff-maria", r.Options[0].StaffID)
	require.Equal(t, "Dienstag, 1. Dezember, um 15:30 Uhr", r.Options[0].Spoken)
}

// A wish that breaks an opening rule: both live functions answer the rule's reason and read
// the booking service's sentence as it is, whether the caller names the time or the agent
// passes back a start.
func TestFunctionsReadTheRefusalSentence(t *testing.T) {
	e := newRetellEnv(t, true)
	r := decodeFn(t, e.post(t, "/retell/functions/check_availability", functionBody("check_availability", "call_sun",
		`{"service":"Haarschnitt","date":"Sonntag","time":"um 10"}`)))
	require.False(t, r.Success)
	require.Equal(t, "closed", r.Error)
	require.Equal(t, sundaySays, r.Message)
	require.Empty(t, r.Options)

	r = decodeFn(t, e.post(t, "/retell/functions/book_appointment", functionBody("book_appointment", "call_sun",
		`{"service":"Haarschnitt","date":"Sonntag","time":"um 10","name":"Anna"}`)))
	require.False(t, r.Success)
	require.Nil(t, r.Booking)
	require.Equal(t, "closed", r.Error)
	require.Equal(t, sundaySays, r.Message)

	r = decodeFn(t, e.post(t, "/retell/functions/book_appointment", functionBody("book_appointment", "call_sun2",
		`{"service":"Haarschnitt","start":"`+sunday10+`","staff_id":"staff-maria","name":"Anna"}`)))
	require.False(t, r.Success)
	require.Equal(t, "closed", r.Error)
	require.Equal(t, sundaySays, r.Message)
	require.Zero(t, e.creates.Load(), "nothing was booked")
}

func TestFunctionDuplicateRunsOnce(t *testing.T) {
	e := newRetellEnv(t, true)
	book := functionBody("book_appointment", "call_dup", `{"service":"Haarschnitt","time":"halb drei"}`)
	var wg sync.WaitGroup
	results := make([]gateway.FunctionResult, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodPost, "/retell/functions/book_appointment", strings.NewReader(book))
			req.Header.Set(retell.SignatureHeader, signNow(book))
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			_ = json.Unmarshal(rec.Body.Bytes(), &results[i])
		}()
	}
	wg.Wait()
	for _, r := range results {
		require.True(t, r.Success, r.Message)
		require.Equal(t, "K7M2P9", r.Booking.ConfirmationNumber)
	}
	require.EqualValues(t, 1, e.creates.Load())
}

func TestFunctionAnswersAreSpeakable(t *testing.T) {
	e := newRetellEnv(t, true)
	cases := []struct {
		name, fn, args, errKind string
	}{
		{"ambiguous time asks", "book_appointment", `{"service":"Haarschnitt","time":"um acht"}`, "ambiguous_time"},
		{"no service asks", "check_availability", `{"time":"halb drei"}`, "service_unknown"},
		{"no time asks", "book_appointment", `{"service":"Haarschnitt"}`, "time_missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := decodeFn(t, e.post(t, "/retell/functions/"+tc.fn, functionBody(tc.fn, "call_"+tc.name, tc.args)))
			require.False(t, r.Success)
			require.True(t, r.NeedsClarification)
			require.Equal(t, tc.errKind, r.Error)
			require.NotEmpty(t, r.Message)
		})
	}
	r := decodeFn(t, e.post(t, "/retell/functions/book_appointment", functionBody("book_appointment", "call_amb", `{"service":"Haarschnitt","time":"um acht"}`)))
	require.Contains(t, r.Message, "um 8 Uhr oder")

	r = decodeFn(t, e.post(t, "/retell/functions/business_info", functionBody("business_info", "call_info", `{}`)))
	require.True(t, r.Success)
	require.Contains(t, r.Message, "dienstags von 9 bis 18 Uhr")
	require.Contains(t, r.Message, "Damenhaarschnitt dauert 45 Minuten und kostet 39 Euro")
}

func TestFunctionWhenRoutingIsDownApologises(t *testing.T) {
	e := newRetellEnv(t, false)
	start := time.Now()
	r := decodeFn(t, e.post(t, "/retell/functions/check_availability", functionBody("check_availability", "call_down", `{"service":"Haarschnitt"}`)))
	require.Less(t, time.Since(start), testDeadline/2, "no responders fails fast, not by the deadline")
	require.False(t, r.Success)
	require.Equal(t, "unavailable", r.Error)
	require.Contains(t, r.Message, "Entschuldigung")
}

func TestFunctionRejectsUnknownNameAndBadSignature(t *testing.T) {
	e := newRetellEnv(t, true)
	require.Equal(t, http.StatusNotFound, e.post(t, "/retell/functions/drop_tables", functionBody("drop_tables", "c", `{}`)).Code)
	req := httptest.NewRequest(http.MethodPost, "/retell/functions/book_appointment", strings.NewReader(functionBody("book_appointment", "c", `{}`)))
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	r := decodeFn(t, e.post(t, "/retell/functions/book_appointment", `{"name":`))
	require.Equal(t, "malformed_request", r.Error)
}
