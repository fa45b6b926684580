package contract

import (
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
