package calcom_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
)

func intp(n int) *int { return &n }

// limitsSeed is the default practice plus event types with every documented notice and window:
// the window as the document's array and as the object Cal.com's code sends, business days,
// a range, and no limits at all; 900 belongs to another user.
func limitsSeed() calsim.Seed {
	s := calsim.DefaultSeed(apiKey)
	s.Users = append(s.Users, calsim.User{ID: 2, Username: "other", Email: "o@example.com", Name: "O", TimeZone: "Europe/Berlin"})
	s.EventTypes = append(s.EventTypes,
		calsim.EventType{ID: 200, UserID: 1, Slug: "kalender", Title: "Kalender", LengthInMinutes: 30, ScheduleID: 1,
			MinimumBookingNotice: intp(90), BookingWindow: &calsim.BookingWindow{Type: calsim.WindowCalendarDays, Days: 30}},
		calsim.EventType{ID: 201, UserID: 1, Slug: "werktage", Title: "Werktage", LengthInMinutes: 30, ScheduleID: 1,
			MinimumBookingNotice: intp(0), BookingWindow: &calsim.BookingWindow{Type: calsim.WindowBusinessDays, Days: 10, Rolling: true},
			BookingWindowShape: "object"},
		calsim.EventType{ID: 202, UserID: 1, Slug: "zeitraum", Title: "Zeitraum", LengthInMinutes: 30, ScheduleID: 1,
			BookingWindow: &calsim.BookingWindow{Type: calsim.WindowRange, From: "2030-03-05", To: "2030-03-31"}},
		calsim.EventType{ID: 203, UserID: 1, Slug: "zeitraum-objekt", Title: "Zeitraum", LengthInMinutes: 30, ScheduleID: 1,
			BookingWindow: &calsim.BookingWindow{Type: calsim.WindowRange, From: "2030-01-01", To: "2030-02-01"}, BookingWindowShape: "object"},
		calsim.EventType{ID: 900, UserID: 2, Slug: "fremd", Title: "Fremd", LengthInMinutes: 30},
	)
	return s
}

// The clock is Friday 2030-03-01 13:00 in Berlin; every answer passes the contract validator.
func TestEventTypeLimitsAgainstCalsim(t *testing.T) {
	e := setup(t, calsim.Config{Seed: limitsSeed()}, calcom.Options{})
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	cases := []struct {
		name           string
		id             int
		notice, window *int
		windowType     string
	}{
		{"calendar days, documented array", 200, intp(90), intp(30), calcom.WindowCalendarDays},
		{"business days, Cal.com's object", 201, intp(0), intp(10 + 2*1), calcom.WindowBusinessDays},
		{"range, array", 202, nil, intp(30), calcom.WindowRange},
		{"range that has ended, object", 203, nil, intp(0), calcom.WindowRange},
		{"fields absent", 100, nil, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			et, err := e.acct.EventTypeLimits(t.Context(), tc.id)
			require.NoError(t, err)
			require.Equal(t, tc.id, et.ID)
			if tc.windowType == "" {
				require.Nil(t, et.BookingWindow)
				require.Nil(t, et.MinimumBookingNotice)
			} else {
				require.Equal(t, tc.windowType, et.BookingWindow.Type)
			}
			l, err := et.Limits(e.clock.Now(), berlin)
			require.NoError(t, err)
			require.Equal(t, tc.notice, l.NoticeMinutes)
			require.Equal(t, tc.window, l.HorizonDays)
		})
	}
	require.Equal(t, 5, e.sim.Requests()["GET /v2/event-types/{eventTypeId}"])
}

func TestEventTypeLimitsErrors(t *testing.T) {
	e := setup(t, calsim.Config{Seed: limitsSeed()}, calcom.Options{})
	ctx := t.Context()
	_, err := e.acct.EventTypeLimits(ctx, 4711)
	require.ErrorIs(t, err, calcom.ErrNotFound)
	_, err = e.acct.EventTypeLimits(ctx, 900)
	require.ErrorIs(t, err, calcom.ErrNotFound, "another user's event type")
	_, err = e.acct.EventTypeLimits(ctx, 0)
	require.ErrorIs(t, err, calcom.ErrInvalidInput)
	_, err = e.client.Account("cal_wrong").EventTypeLimits(ctx, 200)
	require.ErrorIs(t, err, calcom.ErrUnauthorized)

	// A 500 is retried; three of them are an upstream failure.
	for range 3 {
		e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/event-types/{eventTypeId}"})
	}
	_, err = e.acct.EventTypeLimits(ctx, 200)
	require.ErrorIs(t, err, calcom.ErrUpstream)
	e.sim.InjectNext(calsim.Fault{Kind: calsim.FaultError, Route: "GET /v2/event-types/{eventTypeId}"})
	et, err := e.acct.EventTypeLimits(ctx, 200)
	require.NoError(t, err, "one 500 is retried")
	require.Equal(t, 200, et.ID)
}

// Limits over the shapes the client accepts, without a server.
func TestLimitsMapping(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// 23:30 UTC on 30 March is already 31 March in Berlin (summer time from 31 March 2030).
	now := time.Date(2030, 3, 30, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		name    string
		body    string
		notice  *int
		horizon *int
		bad     bool
	}{
		{"absent", `{"id":1}`, nil, nil, false},
		{"null window", `{"id":1,"bookingWindow":null,"minimumBookingNotice":null}`, nil, nil, false},
		{"empty array", `{"id":1,"bookingWindow":[]}`, nil, nil, false},
		{"disabled", `{"id":1,"bookingWindow":{"disabled":true}}`, nil, nil, false},
		{"fractional notice rounds up", `{"id":1,"minimumBookingNotice":90.5}`, intp(91), nil, false},
		{"calendar days object", `{"id":1,"bookingWindow":{"type":"calendarDays","value":14,"rolling":false}}`, nil, intp(14), false},
		{"business days 1", `{"id":1,"bookingWindow":[{"type":"businessDays","value":1}]}`, nil, intp(1), false},
		{"business days 5", `{"id":1,"bookingWindow":[{"type":"businessDays","value":5}]}`, nil, intp(5), false},
		{"business days 6", `{"id":1,"bookingWindow":[{"type":"businessDays","value":6}]}`, nil, intp(8), false},
		{"range counts from the local day, across DST", `{"id":1,"bookingWindow":[{"type":"range","value":["2030-03-01","2030-04-30"]}]}`, nil, intp(30), false},
		{"unknown type: no limit", `{"id":1,"bookingWindow":{"type":"weeks","value":2}}`, nil, nil, false},
		{"bad range", `{"id":1,"bookingWindow":{"type":"range","value":["2030-03-01"]}}`, nil, nil, true},
		{"negative notice", `{"id":1,"minimumBookingNotice":-5}`, nil, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var et calcom.EventTypeLimits
			err := json.Unmarshal([]byte(tc.body), &et)
			if err == nil {
				var l calcom.Limits
				l, err = et.Limits(now, berlin)
				if !tc.bad {
					require.NoError(t, err)
					require.Equal(t, tc.notice, l.NoticeMinutes)
					require.Equal(t, tc.horizon, l.HorizonDays)
					return
				}
			}
			require.True(t, tc.bad, "unexpected error: %v", err)
			require.Error(t, err)
		})
	}
}
