package calcom

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDayBoundsConvertTheBranchDayToUTC(t *testing.T) {
	cases := []struct{ name, tz, from, to, start, end string }{
		{"berlin winter", "Europe/Berlin", "2030-03-29", "2030-03-29", "2030-03-28T23:00:00.000Z", "2030-03-29T22:59:59.999Z"},
		{"berlin DST start", "Europe/Berlin", "2030-03-31", "2030-03-31", "2030-03-30T23:00:00.000Z", "2030-03-31T21:59:59.999Z"},
		{"berlin DST end", "Europe/Berlin", "2030-10-27", "2030-10-27", "2030-10-26T22:00:00.000Z", "2030-10-27T22:59:59.999Z"},
		{"utc never ends at midnight", "UTC", "2030-04-01", "2030-04-02", "2030-04-01T00:00:00.000Z", "2030-04-02T23:59:59.999Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start, end, _, err := dayBounds(AvailabilityQuery{From: tc.from, To: tc.to, TimeZone: tc.tz})
			require.NoError(t, err)
			require.Equal(t, tc.start, start.Format(utcMillis))
			require.Equal(t, tc.end, end.Format(utcMillis))
		})
	}
	_, _, _, err := dayBounds(AvailabilityQuery{From: "2030-04-02", To: "2030-04-01", TimeZone: "UTC"})
	require.ErrorIs(t, err, ErrInvalidInput)
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Unix(2_000_000_000, 0)
	cases := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"retry-after", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"reset seconds", map[string]string{"X-RateLimit-Reset-Default": "42"}, 42 * time.Second},
		{"reset epoch", map[string]string{"X-RateLimit-Reset": "2000000030"}, 30 * time.Second},
		{"nothing", map[string]string{}, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			require.Equal(t, tc.want, retryAfter(h, now))
		})
	}
}
