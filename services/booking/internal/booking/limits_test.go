package booking_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/dbstore"
)

func intp(n int) *int { return &n }

// TestSyncedCalcomLimitsDecideNoticeAndHorizon: the event type as the database service lists
// it after calcom.syncEventTypeLimits, resolved by dbstore.ToEventType, drives create's notice
// and horizon on the fixed clock (Monday 30 November 2026, 09:00 in Berlin). Cal.com's value
// wins where set, also when it is looser than the tenant's; else the tenant's event type, else
// the company's, else 2 hours / 90 days.
func TestSyncedCalcomLimitsDecideNoticeAndHorizon(t *testing.T) {
	company := database.Company{ID: company, MinimumNoticeMinutes: 180, BookingHorizonDays: 60}
	tenant := database.EventType{ID: "cut", CalcomEventTypeID: 7, Name: "Haarschnitt", DurationMinutes: 60,
		Active: true, MinimumNoticeMinutes: intp(240), BookingHorizonDays: intp(20)}
	withCalcom := func(notice, horizon *int) database.EventType {
		et := tenant
		et.CalcomMinimumNoticeMinutes, et.CalcomBookingHorizonDays = notice, horizon
		return et
	}
	type try struct {
		start  time.Time
		reason schedule.Reason // ReasonNone: booked
		says   string
	}
	cases := []struct {
		name    string
		company database.Company
		et      database.EventType
		tries   []try
	}{
		{"Cal.com's looser notice and stricter horizon win", company, withCalcom(intp(30), intp(7)), []try{
			{now.Add(20 * time.Minute), schedule.ReasonTooSoon, "frühestens 30 Minuten im Voraus"},
			{now.Add(time.Hour), schedule.ReasonNone, ""},
			{at(7, 10, 0), schedule.ReasonNone, ""},
			{at(8, 10, 0), schedule.ReasonTooFar, "So weit im Voraus"},
		}},
		{"Cal.com's zero notice: only not in the past", company, withCalcom(intp(0), nil), []try{
			{now.Add(-time.Minute), schedule.ReasonInThePast, "Vergangenheit"},
			{now.Add(30 * time.Minute), schedule.ReasonNone, ""},
			{at(18, 10, 0), schedule.ReasonNone, ""}, // the tenant's 20 days
			{at(21, 10, 0), schedule.ReasonTooFar, ""},
		}},
		{"no Cal.com values: the tenant's event type", company, tenant, []try{
			{now.Add(3 * time.Hour), schedule.ReasonTooSoon, "frühestens 4 Stunden im Voraus"},
			{now.Add(5 * time.Hour), schedule.ReasonNone, ""},
		}},
		{"nothing set: 2 hours and 90 days", database.Company{ID: company.ID},
			database.EventType{ID: "cut", CalcomEventTypeID: 7, Name: "Haarschnitt", DurationMinutes: 60, Active: true}, []try{
				{now.Add(90 * time.Minute), schedule.ReasonTooSoon, "frühestens 2 Stunden im Voraus"},
				{time.Date(2027, 2, 26, 10, 0, 0, 0, berlin), schedule.ReasonNone, ""},
				{time.Date(2027, 3, 1, 10, 0, 0, 0, berlin), schedule.ReasonTooFar, ""},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := rulesFixture(t)
			f.store.eventTypes = []booking.EventType{dbstore.ToEventType(tc.company, tc.et)}
			for i, try := range tc.tries {
				_, err := f.svc.Create(t.Context(), request("anna", try.start, fmt.Sprintf("k-%d", i)))
				if try.reason == schedule.ReasonNone {
					require.NoError(t, err, try.start)
					continue
				}
				re := ruleReason(t, err)
				require.Equal(t, try.reason, re.Reason, try.start)
				if try.says != "" {
					require.Contains(t, re.Message, try.says)
				}
			}
		})
	}
}
