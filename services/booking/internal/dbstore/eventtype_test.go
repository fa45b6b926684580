package dbstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/schedule"
)

// TestToEventTypeResolvesNoticeAndHorizon: Cal.com's synced values win over the event type's,
// which win over the company's; an explicit notice of 0 is no notice (not the schedule's
// default of two hours), as FromWire says.
func TestToEventTypeResolvesNoticeAndHorizon(t *testing.T) {
	zero, four, seven, thirty := 0, 240, 7, 30
	company := database.Company{MinimumNoticeMinutes: 60, BookingHorizonDays: 120}
	for _, tc := range []struct {
		name    string
		et      database.EventType
		notice  time.Duration
		horizon int
	}{
		{"company's defaults", database.EventType{}, time.Hour, 120},
		{"event type's own", database.EventType{MinimumNoticeMinutes: &four, BookingHorizonDays: &thirty}, 4 * time.Hour, 30},
		{"explicit zero notice", database.EventType{MinimumNoticeMinutes: &zero}, time.Nanosecond, 120},
		{"Cal.com's win over the event type's", database.EventType{MinimumNoticeMinutes: &four, BookingHorizonDays: &thirty,
			CalcomMinimumNoticeMinutes: &zero, CalcomBookingHorizonDays: &seven}, time.Nanosecond, 7},
		{"Cal.com's notice alone", database.EventType{BookingHorizonDays: &thirty, CalcomMinimumNoticeMinutes: &four}, 4 * time.Hour, 30},
		{"Cal.com's ended range is one day", database.EventType{CalcomBookingHorizonDays: &zero}, time.Hour, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.et.DurationMinutes = 45
			got := ToEventType(company, tc.et)
			require.Equal(t, tc.notice, got.Notice)
			require.Equal(t, tc.horizon, got.HorizonDays)
			require.Equal(t, 45*time.Minute, got.Duration)
			now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			var open schedule.Week
			for d := range open {
				open[d] = []schedule.Span{{From: 0, To: 24 * 60}}
			}
			r := schedule.Rules{Branch: open, Notice: got.Notice, HorizonDays: got.HorizonDays}
			require.Equal(t, tc.notice < time.Minute, r.Check(now.Add(time.Minute), now.Add(46*time.Minute), now).OK())
		})
	}
}
