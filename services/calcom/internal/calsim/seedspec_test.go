package calsim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeedSpec(t *testing.T) {
	s, err := SeedSpec{APIKeys: "cal_a, cal_b", Username: "praxis", TimeZone: "Europe/Vienna",
		Hours: "Mon-Fri=09:00-17:00;Sat=10:00-14:00;Sun-Mon=20:00-21:00", EventTypes: "100:beratung:30,101:behandlung:60:email"}.Seed()
	require.NoError(t, err)
	require.Len(t, s.Accounts, 2)
	av := s.Schedules[0].Availability
	require.Equal(t, []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, av[0].Days)
	require.Equal(t, []string{"Saturday"}, av[1].Days)
	require.Equal(t, []string{"Sunday", "Monday"}, av[2].Days)
	require.Equal(t, EventType{ID: 101, UserID: 1, Slug: "behandlung", Title: "behandlung", LengthInMinutes: 60,
		ScheduleID: 1, RequiresEmail: true}, s.EventTypes[1])

	bad := []SeedSpec{
		{APIKeys: "k", Username: "u", TimeZone: "Mars/Base", Hours: "Mon=09:00-10:00", EventTypes: "1:a:30"},
		{APIKeys: "k", Username: "u", TimeZone: "UTC", Hours: "Xyz=09:00-10:00", EventTypes: "1:a:30"},
		{APIKeys: "k", Username: "u", TimeZone: "UTC", Hours: "Mon=9-10", EventTypes: "1:a:30"},
		{APIKeys: "k", Username: "u", TimeZone: "UTC", Hours: "Mon=09:00-10:00", EventTypes: "1:a"},
		{APIKeys: "", Username: "u", TimeZone: "UTC", Hours: "Mon=09:00-10:00", EventTypes: "1:a:30"},
	}
	for _, sp := range bad {
		_, err := sp.Seed()
		require.Error(t, err, "%+v", sp)
	}
}
