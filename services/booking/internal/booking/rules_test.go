package booking_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/services/booking/internal/booking"
)

func rulesFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, booking.Config{})
	week, err := schedule.ParseWeek(database.OpeningHours{
		"mon": {{From: "09:00", To: "18:00"}}, "tue": {{From: "09:00", To: "18:00"}},
		"wed": {{From: "09:00", To: "18:00"}}, "thu": {{From: "09:00", To: "18:00"}},
		"fri": {{From: "09:00", To: "18:00"}}, "sat": {{From: "09:00", To: "14:00"}},
	})
	require.NoError(t, err)
	from, _ := schedule.ParseDate("2026-12-24")
	to, _ := schedule.ParseDate("2027-01-02")
	f.store.branch = booking.Branch{ID: branch, Name: "Salon Mitte", TimeZone: "Europe/Berlin", Hours: &week,
		State: "DE-BE", Closings: []schedule.Closing{{From: from, To: to, Label: "Betriebsferien"}}}
	return f
}

func ruleReason(t *testing.T, err error) *booking.RuleError {
	t.Helper()
	var re *booking.RuleError
	require.True(t, errors.As(err, &re), "%v", err)
	return re
}

func TestCreateRefusesRuleBreakingSlotsBeforeCalcom(t *testing.T) {
	f := rulesFixture(t)
	for _, tc := range []struct {
		start  time.Time
		reason schedule.Reason
		says   string
	}{
		{at(6, 10, 0), schedule.ReasonClosed, "Sonntags haben wir geschlossen. Möglich wäre es wieder ab Montag, 7. Dezember, um 9 Uhr."},
		{time.Date(2020, 3, 2, 10, 0, 0, 0, berlin), schedule.ReasonInThePast, "in der Vergangenheit"},
		{at(5, 13, 30), schedule.ReasonOutsideOpeningHours, "Samstags schließen wir um 14 Uhr; der letzte Termin für Haarschnitt ist um 13 Uhr."},
		{at(28, 10, 0), schedule.ReasonClosed, "Am 28. Dezember haben wir Betriebsferien. Möglich wäre es wieder ab Montag, 4. Januar"},
		{at(25, 10, 0), schedule.ReasonClosed, "Betriebsferien"},
		{now.Add(time.Hour), schedule.ReasonTooSoon, "frühestens 2 Stunden im Voraus"},
	} {
		_, err := f.svc.Create(t.Context(), request("anna", tc.start, "k-"+tc.start.String()))
		require.ErrorIs(t, err, booking.ErrRuleBroken)
		re := ruleReason(t, err)
		require.Equal(t, tc.reason, re.Reason, tc.start)
		require.Contains(t, re.Message, tc.says)
	}
	require.Equal(t, 0, f.cal.count(), "Cal.com was never asked")
}

func TestAvailabilityOfAClosedDaySaysWhy(t *testing.T) {
	f := rulesFixture(t)
	a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", At: at(6, 10, 0)})
	require.NoError(t, err)
	require.Empty(t, a.Options)
	require.Equal(t, schedule.ReasonClosed, a.Reason)
	require.Contains(t, a.Message, "Sonntags haben wir geschlossen.")
}

// TestOffersObeyTheRules: every option offered for every day of December (the fake calendar
// offers 9:00 to 17:00 every day, Sundays included) obeys a simple oracle of the salon's hours.
func TestOffersObeyTheRules(t *testing.T) {
	f := rulesFixture(t)
	for day := 1; day <= 31; day++ {
		a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
			EventTypeID: "cut", At: at(day, 12, 0), Limit: 100})
		require.NoError(t, err)
		alt, err := f.svc.HandleConflict(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
			EventTypeID: "cut", At: at(day, 12, 0), Limit: 100})
		require.NoError(t, err)
		opts := append(append(append(a.Options, alt.SameStaff...), alt.OtherStaff...), alt.NextDays...)
		for _, o := range opts {
			l, e := o.Start.In(berlin), o.End.In(berlin)
			require.True(t, !o.Start.Before(now.Add(2*time.Hour)), "notice: %v", l)
			require.NotEqual(t, time.Sunday, l.Weekday(), "%v", l)
			require.False(t, l.Month() == time.December && l.Day() >= 24, "Betriebsferien: %v", l)
			closes := 18
			if l.Weekday() == time.Saturday {
				closes = 14
			}
			require.True(t, l.Hour() >= 9 && (e.Hour() < closes || (e.Hour() == closes && e.Minute() == 0)), "hours: %v-%v", l, e)
		}
	}
}
