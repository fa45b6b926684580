package calsim_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/calcom/internal/calsim"
	"github.com/askproai/backend/services/calcom/internal/contract"
)

const key = "cal_test_key"

var (
	loadOnce  sync.Once
	validator *contract.Validator
	loadErr   error
)

// start serves a simulator whose every /v2 response is validated against the OpenAPI document.
func start(t *testing.T, cfg calsim.Config) (*calsim.Server, string) {
	t.Helper()
	loadOnce.Do(func() { validator, loadErr = contract.Load() })
	require.NoError(t, loadErr)
	if cfg.Seed.Accounts == nil {
		cfg.Seed = calsim.DefaultSeed(key)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC) }
	}
	sim, err := calsim.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		tee := &teeWriter{ResponseWriter: w, code: http.StatusOK}
		sim.ServeHTTP(tee, r)
		if strings.HasPrefix(r.URL.Path, "/v2/") && !tee.hijacked {
			if err := validator.Response(r.Context(), r, body, tee.code, w.Header(), tee.buf.Bytes()); err != nil {
				t.Errorf("calsim response violates the contract: %v", err)
			}
		}
	}))
	t.Cleanup(func() { sim.Close(); srv.Close() })
	return sim, srv.URL
}

type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
}

func call(t *testing.T, base, method, path, version, body string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	if version != "" {
		req.Header.Set("cal-api-version", version)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

func firstSlot(t *testing.T, r reply, day string) string {
	t.Helper()
	slots := r.Body["data"].(map[string]any)[day].([]any)
	require.NotEmpty(t, slots)
	return slots[0].(map[string]any)["start"].(string)
}

func TestSlotsFollowTheScheduleAcrossDST(t *testing.T) {
	_, base := start(t, calsim.Config{})
	// EU summer time starts on Sunday 2030-03-31: 09:00 in Berlin is 08:00Z before, 07:00Z after.
	cases := []struct{ name, tz, day, want string }{
		{"winter berlin", "Europe/Berlin", "2030-03-29", "2030-03-29T09:00:00.000+01:00"},
		{"summer berlin", "Europe/Berlin", "2030-04-01", "2030-04-01T09:00:00.000+02:00"},
		{"winter utc", "UTC", "2030-03-29", "2030-03-29T08:00:00.000Z"},
		{"summer utc", "UTC", "2030-04-01", "2030-04-01T07:00:00.000Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, base, "GET", "/v2/slots?eventTypeId=100&start=2030-03-28T23:00:00Z&end=2030-04-01T21:59:59Z&format=range&timeZone="+tc.tz, calsim.VersionSlots, "")
			require.Equal(t, http.StatusOK, r.Status)
			require.Equal(t, tc.want, firstSlot(t, r, tc.day))
			require.NotContains(t, r.Body["data"], "2030-03-30", "Saturday is closed")
		})
	}
}

func TestBookingLifecycle(t *testing.T) {
	sim, base := start(t, calsim.Config{})
	body := `{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"Erika","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678","language":"de"},"metadata":{"askproai_request_id":"r1"}}`
	created := call(t, base, "POST", "/v2/bookings", calsim.VersionBookings, body)
	require.Equal(t, http.StatusCreated, created.Status)
	data := created.Body["data"].(map[string]any)
	uid := data["uid"].(string)
	require.Equal(t, "4915112345678@sms.cal.com", data["attendees"].([]any)[0].(map[string]any)["email"])

	taken := call(t, base, "POST", "/v2/bookings", calsim.VersionBookings, body)
	require.Equal(t, http.StatusBadRequest, taken.Status)
	require.Equal(t, "BadRequestException", taken.Body["error"].(map[string]any)["code"])

	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/bookings/"+uid, calsim.VersionBookings, "").Status)
	require.Equal(t, http.StatusNotFound, call(t, base, "GET", "/v2/bookings/nope", calsim.VersionBookings, "").Status)
	list := call(t, base, "GET", "/v2/bookings?eventTypeId=100&afterStart=2030-04-01T00:00:00Z", calsim.VersionBookings, "")
	require.Len(t, list.Body["data"], 1)

	moved := call(t, base, "POST", "/v2/bookings/"+uid+"/reschedule", calsim.VersionBookings, `{"start":"2030-04-01T08:00:00Z","reschedulingReason":"later"}`)
	require.Equal(t, http.StatusCreated, moved.Status)
	newUID := moved.Body["data"].(map[string]any)["uid"].(string)
	require.NotEqual(t, uid, newUID)
	require.Equal(t, uid, moved.Body["data"].(map[string]any)["rescheduledFromUid"])

	cancelled := call(t, base, "POST", "/v2/bookings/"+newUID+"/cancel", calsim.VersionBookings, `{"cancellationReason":"ill"}`)
	require.Equal(t, http.StatusOK, cancelled.Status)
	require.Equal(t, "cancelled", cancelled.Body["data"].(map[string]any)["status"])
	for _, b := range sim.Bookings() {
		require.Equal(t, "cancelled", b.Status)
	}
}

func TestBookingValidation(t *testing.T) {
	_, base := start(t, calsim.Config{})
	cases := []struct {
		name, body string
		status     int
	}{
		{"email required by the event type", `{"start":"2030-04-01T07:00:00Z","eventTypeId":101,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`, 400},
		{"phone no region assigns", `{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4900000000"}}`, 400},
		{"national phone", `{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"015112345678"}}`, 400},
		{"no contact", `{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin"}}`, 400},
		{"closed on Saturday", `{"start":"2030-03-30T08:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`, 400},
		{"past", `{"start":"2030-02-01T08:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`, 400},
		{"unknown event type", `{"start":"2030-04-01T07:00:00Z","eventTypeId":7,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`, 404},
		{"with email", `{"start":"2030-04-01T07:00:00Z","eventTypeId":101,"attendee":{"name":"E","timeZone":"Europe/Berlin","email":"e@example.com"}}`, 201},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.status, call(t, base, "POST", "/v2/bookings", calsim.VersionBookings, tc.body).Status)
		})
	}
}

func TestAuthVersionAndRateLimit(t *testing.T) {
	_, base := start(t, calsim.Config{RateLimit: 3})
	resp, err := http.Get(base + "/v2/me")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	wrong := call(t, base, "GET", "/v2/event-types?username=praxis-berlin", "", "")
	require.Equal(t, http.StatusNotFound, wrong.Status, "a missing cal-api-version routes nowhere")

	ok := call(t, base, "GET", "/v2/me", "", "")
	require.Equal(t, http.StatusOK, ok.Status)
	require.Equal(t, "1", ok.Header.Get("X-RateLimit-Remaining-Default"))
	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/schedules", calsim.VersionSchedules, "").Status)
	limited := call(t, base, "GET", "/v2/event-types?username=praxis-berlin", calsim.VersionEventTypes, "")
	require.Equal(t, http.StatusTooManyRequests, limited.Status)
	require.Equal(t, "60", limited.Header.Get("Retry-After"))
	require.Equal(t, "0", limited.Header.Get("X-RateLimit-Remaining"))
}

func TestResources(t *testing.T) {
	_, base := start(t, calsim.Config{})
	require.Empty(t, call(t, base, "GET", "/v2/event-types", calsim.VersionEventTypes, "").Body["data"])
	ets := call(t, base, "GET", "/v2/event-types?username=praxis-berlin", calsim.VersionEventTypes, "")
	require.Len(t, ets.Body["data"], 2)
	me := call(t, base, "GET", "/v2/me", "", "")
	require.Equal(t, "praxis-berlin", me.Body["data"].(map[string]any)["username"])
	sc := call(t, base, "GET", "/v2/schedules", calsim.VersionSchedules, "")
	require.Len(t, sc.Body["data"], 1)
}

func TestDropAfterCommitStoresTheBooking(t *testing.T) {
	sim, base := start(t, calsim.Config{})
	sim.InjectNext(calsim.Fault{Kind: calsim.FaultDrop, Route: "POST /v2/bookings", AfterHandler: true})
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/v2/bookings", strings.NewReader(
		`{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("cal-api-version", calsim.VersionBookings)
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Len(t, sim.Bookings(), 1)
}

// teeWriter passes the response through and keeps a copy for validation.
type teeWriter struct {
	http.ResponseWriter
	code     int
	buf      bytes.Buffer
	hijacked bool
}

func (w *teeWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func TestAdminEndpoints(t *testing.T) {
	_, base := start(t, calsim.Config{})
	resp, err := http.Post(base+"/_calsim/faults", "application/json", strings.NewReader(`{"kind":"error","route":"GET /v2/me"}`))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, http.StatusInternalServerError, call(t, base, "GET", "/v2/me", "", "").Status)
	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/me", "", "").Status)

	resp, err = http.Post(base+"/_calsim/faults", "application/json", strings.NewReader(`{"kind":"meteor"}`))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	require.Equal(t, http.StatusCreated, call(t, base, "POST", "/v2/bookings", calsim.VersionBookings,
		`{"start":"2030-04-01T07:00:00Z","eventTypeId":100,"attendee":{"name":"E","timeZone":"Europe/Berlin","phoneNumber":"+4915112345678"}}`).Status)
	resp, err = http.Get(base + "/_calsim/bookings")
	require.NoError(t, err)
	var stored []calsim.Booking
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stored))
	require.NoError(t, resp.Body.Close())
	require.Len(t, stored, 1)
	require.Equal(t, "accepted", stored[0].Status)

	resp, err = http.Get(base + "/_calsim/requests")
	require.NoError(t, err)
	var counts map[string]int
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&counts))
	require.NoError(t, resp.Body.Close())
	require.Equal(t, 2, counts["GET /v2/me"])

	put := func(body string) int {
		req, err := http.NewRequest(http.MethodPut, base+"/_calsim/faults/random", strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	require.Equal(t, http.StatusNoContent, put(`{"errorRate":1}`))
	require.Equal(t, http.StatusInternalServerError, call(t, base, "GET", "/v2/me", "", "").Status)
	require.Equal(t, http.StatusBadRequest, put(`{"errorRate":2}`))
	require.Equal(t, http.StatusBadRequest, put(`{"latency":"soon"}`))
	require.Equal(t, http.StatusNoContent, put(`{}`), "healed")
	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/me", "", "").Status)
}

// A test moving calsim's clock back (to an earlier scenario) gets a fresh window, not one
// that would only end when the clock reaches the old window again.
func TestRateLimitWindowRestartsWhenTheClockIsSetBack(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	_, base := start(t, calsim.Config{RateLimit: 1, Now: clock})
	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/me", "", "").Status)
	require.Equal(t, http.StatusTooManyRequests, call(t, base, "GET", "/v2/me", "", "").Status)
	mu.Lock()
	now = time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)
	mu.Unlock()
	require.Equal(t, http.StatusOK, call(t, base, "GET", "/v2/me", "", "").Status)
	require.Equal(t, http.StatusTooManyRequests, call(t, base, "GET", "/v2/me", "", "").Status, "the new window counts")
}

// GET /v2/event-types/{id} serves the notice and window as seeded (absent when not), in the
// chosen shape; slots stop at the window's end. The clock is Friday 2030-03-01.
func TestEventTypeByIDAndBookingWindow(t *testing.T) {
	seed := calsim.DefaultSeed(key)
	notice := 30
	seed.EventTypes[0].MinimumBookingNotice = &notice
	seed.EventTypes[0].BookingWindow = &calsim.BookingWindow{Type: calsim.WindowBusinessDays, Days: 2}
	seed.EventTypes[1].BookingWindow = &calsim.BookingWindow{Type: calsim.WindowRange, From: "2030-03-05", To: "2030-03-06"}
	seed.EventTypes[1].BookingWindowShape = "object"
	_, base := start(t, calsim.Config{Seed: seed})

	r := call(t, base, "GET", "/v2/event-types/100", calsim.VersionEventTypes, "")
	require.Equal(t, http.StatusOK, r.Status)
	data := r.Body["data"].(map[string]any)
	require.EqualValues(t, 30, data["minimumBookingNotice"])
	require.Equal(t, []any{map[string]any{"type": "businessDays", "value": float64(2), "rolling": false}}, data["bookingWindow"])

	r = call(t, base, "GET", "/v2/event-types/101", calsim.VersionEventTypes, "")
	data = r.Body["data"].(map[string]any)
	require.NotContains(t, data, "minimumBookingNotice", "absent when not seeded")
	require.Equal(t, map[string]any{"type": "range", "value": []any{"2030-03-05", "2030-03-06"}}, data["bookingWindow"])

	require.Equal(t, http.StatusNotFound, call(t, base, "GET", "/v2/event-types/999", calsim.VersionEventTypes, "").Status)
	require.Equal(t, http.StatusNotFound, call(t, base, "GET", "/v2/event-types/100", "", "").Status, "version required")

	days := func(id string) []string {
		r := call(t, base, "GET", "/v2/slots?eventTypeId="+id+"&start=2030-03-01&end=2030-03-10&timeZone=Europe/Berlin", calsim.VersionSlots, "")
		require.Equal(t, http.StatusOK, r.Status)
		var out []string
		for day := range r.Body["data"].(map[string]any) {
			out = append(out, day)
		}
		return out
	}
	// Two business days from Friday: Monday and Tuesday (and the rest of Friday).
	require.ElementsMatch(t, []string{"2030-03-01", "2030-03-04", "2030-03-05"}, days("100"))
	require.ElementsMatch(t, []string{"2030-03-05", "2030-03-06"}, days("101"))
}
