package calsim_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/calcom/internal/calsim"
)

// nightSeed opens 01:00–04:00 on Sundays, across both DST switches of Europe/Berlin.
func nightSeed() calsim.Seed {
	s := calsim.DefaultSeed(key)
	s.Schedules[0].Availability = append(s.Schedules[0].Availability,
		calsim.Availability{Days: []string{"Sunday"}, StartTime: "01:00", EndTime: "04:00"})
	return s
}

func TestSlotsOnTheDSTSwitchDays(t *testing.T) {
	_, base := start(t, calsim.Config{Seed: nightSeed()})
	cases := []struct {
		name, query, day string
		want             []string
	}{
		{"spring: 02:00-03:00 does not exist", "start=2030-03-30T22:00:00Z&end=2030-03-31T21:59:59Z", "2030-03-31", []string{
			"2030-03-31T01:00:00.000+01:00", "2030-03-31T01:30:00.000+01:00",
			"2030-03-31T03:00:00.000+02:00", "2030-03-31T03:30:00.000+02:00"}},
		{"autumn: 02:00-03:00 happens twice", "start=2030-10-26T22:00:00Z&end=2030-10-27T22:59:59Z", "2030-10-27", []string{
			"2030-10-27T01:00:00.000+02:00", "2030-10-27T01:30:00.000+02:00",
			"2030-10-27T02:00:00.000+02:00", "2030-10-27T02:30:00.000+02:00",
			"2030-10-27T02:00:00.000+01:00", "2030-10-27T02:30:00.000+01:00",
			"2030-10-27T03:00:00.000+01:00", "2030-10-27T03:30:00.000+01:00"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, base, "GET", "/v2/slots?eventTypeId=100&timeZone=Europe/Berlin&"+tc.query, calsim.VersionSlots, "")
			require.Equal(t, http.StatusOK, r.Status)
			var starts []string
			for _, s := range r.Body["data"].(map[string]any)[tc.day].([]any) {
				starts = append(starts, s.(map[string]any)["start"].(string))
			}
			require.Equal(t, tc.want, starts)
		})
	}
}
