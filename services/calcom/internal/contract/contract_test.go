package contract

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRequestsAreCheckedAgainstTheDocument(t *testing.T) {
	v, err := Load()
	require.NoError(t, err)
	cases := []struct {
		name, method, target, version, body string
		ok                                  bool
	}{
		{"slots", "GET", "/v2/slots?eventTypeId=1&start=2050-09-05T00:00:00Z&end=2050-09-06T00:00:00Z&timeZone=Europe/Berlin", "2024-09-04", "", true},
		{"slots without start", "GET", "/v2/slots?eventTypeId=1&end=2050-09-06", "2024-09-04", "", false},
		{"slots without version", "GET", "/v2/slots?eventTypeId=1&start=2050-09-05&end=2050-09-06", "", "", false},
		{"booking", "POST", "/v2/bookings", "2024-08-13", `{"start":"2050-09-05T08:00:00Z","eventTypeId":1,"attendee":{"name":"A","timeZone":"Europe/Berlin","phoneNumber":"+4930123456","language":"de"}}`, true},
		{"booking with a bad language", "POST", "/v2/bookings", "2024-08-13", `{"start":"2050-09-05T08:00:00Z","eventTypeId":1,"attendee":{"name":"A","timeZone":"Europe/Berlin","language":"xx"}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer cal_test")
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.version != "" {
				req.Header.Set("cal-api-version", tc.version)
			}
			_, err := v.Request(t.Context(), req, []byte(tc.body))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestResponsesAreCheckedAgainstTheDocument(t *testing.T) {
	v, err := Load()
	require.NoError(t, err)
	booking := `{"id":1,"uid":"u","title":"t","description":"","hosts":[],"status":"accepted","start":"s","end":"e","duration":30,"eventTypeId":1,"eventType":{"id":1,"slug":"s"},"location":"","absentHost":false,"createdAt":"c","updatedAt":"u","attendees":[],"bookingFieldsResponses":{}}`
	cases := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"booking", 200, `{"status":"success","data":` + booking + `}`, true},
		{"booking without uid", 200, `{"status":"success","data":` + strings.Replace(booking, `"uid":"u",`, "", 1) + `}`, false},
		{"bad status enum", 200, `{"status":"success","data":` + strings.Replace(booking, `"accepted"`, `"ACCEPTED"`, 1) + `}`, false},
		{"error envelope", 404, `{"status":"error","timestamp":"t","path":"/v2/bookings/u","error":{"code":"NotFoundException","message":"m"}}`, true},
		{"bare error", 500, `Internal Server Error`, false},
		{"undeclared success status", 204, ``, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/v2/bookings/u", nil)
			req.Header.Set("cal-api-version", "2024-08-13")
			h := http.Header{"Content-Type": {"application/json"}}
			err := v.Response(t.Context(), req, nil, tc.status, h, []byte(tc.body))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

// The patched bookingWindow takes the documented array and Cal.com's object, and still refuses
// a window that is neither.
func TestEventTypeBookingWindow(t *testing.T) {
	v, err := Load()
	require.NoError(t, err)
	base := `{"id":1,"lengthInMinutes":30,"title":"t","slug":"s","description":"","locations":[],"bookingFields":[],
"disableGuests":false,"recurrence":null,"metadata":{},"price":0,"currency":"eur","lockTimeZoneToggleOnBookingPage":false,
"forwardParamsSuccessRedirect":null,"successRedirectUrl":null,"isInstantEvent":false,"scheduleId":1,"hidden":false,
"bookingRequiresAuthentication":false,"ownerId":1,"users":[],"minimumBookingNotice":120`
	cases := []struct {
		name, window string
		ok           bool
	}{
		{"absent", ``, true},
		{"documented array of calendar days", `[{"type":"calendarDays","value":30,"rolling":false}]`, true},
		{"documented array of a range", `[{"type":"range","value":["2030-01-01","2030-02-01"]}]`, true},
		{"object of business days", `{"type":"businessDays","value":10,"rolling":true}`, true},
		{"disabled", `{"disabled":true}`, true},
		{"value of the wrong type", `[{"type":"calendarDays","value":"30"}]`, false},
		{"object without a value", `{"type":"calendarDays"}`, false},
		{"a number", `30`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := base
			if tc.window != "" {
				body += `,"bookingWindow":` + tc.window
			}
			body = `{"status":"success","data":` + body + `}}`
			req := httptest.NewRequest("GET", "/v2/event-types/1", nil)
			req.Header.Set("cal-api-version", "2024-06-14")
			req.Header.Set("Authorization", "Bearer cal_test")
			h := http.Header{"Content-Type": {"application/json"}}
			err := v.Response(t.Context(), req, nil, 200, h, []byte(body))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
