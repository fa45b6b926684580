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
