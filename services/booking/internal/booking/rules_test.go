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

// TestEveryRefusalSaysWhyAndOffersAFreeStart: each reason's sentence, word for word, on the
// fixed clock (Monday 30 November 2026, 09:00 Berlin). The offer is a start the fake calendar
// has free for the staff member asked for (Anna).
func TestEveryRefusalSaysWhyAndOffersAFreeStart(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(f *fixture)
		start  time.Time
		reason schedule.Reason
		says   string
	}{
		{"a closed weekday", nil, at(6, 10, 0), schedule.ReasonClosed,
			"Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"a closing range with a noun label", nil, at(28, 10, 0), schedule.ReasonClosed,
			"Am 28. Dezember haben wir Betriebsferien; ab dem 4. Januar bin ich wieder für Sie da. " +
				"Am Montag, 4. Januar, um 9 Uhr wäre bei Anna etwas frei."},
		{"a closing day whose label is a day's name", heiligabendOnly, at(24, 10, 0), schedule.ReasonClosed,
			"Am 24. Dezember haben wir geschlossen (Heiligabend); ab dem 28. Dezember bin ich wieder für Sie da. " +
				"Am Montag, 28. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"a closing day without a label", func(f *fixture) { f.store.branch.Closings[0].Label = "" }, at(28, 10, 0), schedule.ReasonClosed,
			"Am 28. Dezember haben wir geschlossen; ab dem 4. Januar bin ich wieder für Sie da. " +
				"Am Montag, 4. Januar, um 9 Uhr wäre bei Anna etwas frei."},
		{"a public holiday", heiligabendOnly, at(25, 10, 0), schedule.ReasonHoliday,
			"Am 25. Dezember ist Weihnachten, da haben wir geschlossen. Am Montag, 28. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"past closing time", nil, at(5, 13, 30), schedule.ReasonOutsideOpeningHours,
			"Samstags schließen wir um 14 Uhr; der letzte Termin für Haarschnitt ist um 13 Uhr. " +
				"Am Montag, 7. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"before opening", nil, at(1, 8, 0), schedule.ReasonOutsideOpeningHours,
			"Dienstags haben wir von 9 bis 18 Uhr geöffnet. Am Dienstag, 1. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"outside the staff member's hours", annaTuesdayMornings, at(1, 15, 0), schedule.ReasonStaffAbsent,
			"Anna ist dienstags nur von 10 bis 14 Uhr da. Am Dienstag, 8. Dezember, um 10 Uhr wäre bei Anna etwas frei."},
		{"a day the staff member does not work", annaTuesdayMornings, at(2, 10, 0), schedule.ReasonStaffAbsent,
			"Anna ist an diesem Tag nicht da. Am Dienstag, 8. Dezember, um 10 Uhr wäre bei Anna etwas frei."},
		{"a day of time off", annaOffOnWednesday, at(2, 10, 0), schedule.ReasonStaffAbsent,
			"Anna ist an diesem Tag nicht da. Am Donnerstag, 3. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"an hour of time off", func(f *fixture) {
			f.store.staff = []booking.Staff{{ID: "anna", Name: "Anna", CalcomUserID: 1, EventTypeIDs: []string{"cut"},
				TimeOff: []schedule.Absence{{From: at(2, 10, 0), To: at(2, 11, 0)}}}}
		}, at(2, 10, 0), schedule.ReasonStaffAbsent,
			"Anna ist zu dieser Zeit nicht da. Am Mittwoch, 2. Dezember, um 11 Uhr wäre bei Anna etwas frei."},
		{"within the notice", nil, now.Add(time.Hour), schedule.ReasonTooSoon,
			"So kurzfristig kann ich leider nicht buchen; Termine gehen frühestens 2 Stunden im Voraus. " +
				"Am Montag, 30. November, um 11 Uhr wäre bei Anna etwas frei."},
		{"in the past", nil, time.Date(2020, 3, 2, 10, 0, 0, 0, berlin), schedule.ReasonInThePast,
			"Dieser Zeitpunkt liegt leider schon in der Vergangenheit. Am Montag, 30. November, um 11 Uhr wäre bei Anna etwas frei."},
		{"beyond the horizon", nil, time.Date(2027, 3, 10, 10, 0, 0, 0, berlin), schedule.ReasonTooFar,
			"So weit im Voraus kann ich leider noch nicht buchen; Termine vergebe ich bis zu 90 Tage im Voraus, also bis zum 28. Februar. " +
				"Der späteste freie Termin wäre am Samstag, 27. Februar, um 13 Uhr bei Anna."},
		{"the calendar has the rules' next start taken", func(f *fixture) {
			f.cal.bookings["busy"] = booking.Slot{StaffID: "anna", Start: at(7, 9, 0), End: at(7, 10, 0)}
		}, at(6, 10, 0), schedule.ReasonClosed,
			"Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um 10 Uhr wäre bei Anna etwas frei."},
		{"the calendar cannot be asked", func(f *fixture) { f.cal.slotsErr = errors.New("calcom down") }, at(6, 10, 0), schedule.ReasonClosed,
			"Sonntags haben wir geschlossen. Frühestens ginge es wieder am Montag, 7. Dezember, um 9 Uhr; " +
				"ob dann etwas frei ist, kann ich gerade leider nicht nachsehen."},
		{"the calendar is full", func(f *fixture) { f.cal.full = true }, at(6, 10, 0), schedule.ReasonClosed,
			"Sonntags haben wir geschlossen. Bis zum 13. Dezember ist bei Anna leider alles ausgebucht."},
		{"the calendar is full up to the horizon", func(f *fixture) { f.cal.full = true }, time.Date(2027, 3, 10, 10, 0, 0, 0, berlin), schedule.ReasonTooFar,
			"So weit im Voraus kann ich leider noch nicht buchen; Termine vergebe ich bis zu 90 Tage im Voraus, also bis zum 28. Februar. " +
				"Auch in den Tagen davor ist leider alles ausgebucht."},
		{"the calendar cannot be asked beyond the horizon", func(f *fixture) { f.cal.slotsErr = errors.New("calcom down") },
			time.Date(2027, 3, 10, 10, 0, 0, 0, berlin), schedule.ReasonTooFar,
			"So weit im Voraus kann ich leider noch nicht buchen; Termine vergebe ich bis zu 90 Tage im Voraus, also bis zum 28. Februar. " +
				"Spätestens ginge es am Samstag, 27. Februar, um 13 Uhr; ob dann etwas frei ist, kann ich gerade leider nicht nachsehen."},
		{"a branch without opening hours", func(f *fixture) { f.store.branch.Hours = nil }, at(1, 10, 0), schedule.ReasonClosed,
			"Für diesen Standort sind leider keine Öffnungszeiten hinterlegt, deshalb kann ich hier keine Termine vergeben."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := rulesFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			booked := f.cal.count()
			_, err := f.svc.Create(t.Context(), request("anna", tc.start, "k-"+tc.start.String()))
			require.ErrorIs(t, err, booking.ErrRuleBroken)
			re := ruleReason(t, err)
			require.Equal(t, tc.reason, re.Reason)
			require.Equal(t, tc.says, re.Message)
			require.Equal(t, booked, f.cal.count(), "Cal.com was never asked to book")
			require.NotRegexp(t, `\b0\d:\d\d Uhr|\d:00 Uhr`, re.Message, "times are said naturally")
		})
	}
}

// heiligabendOnly closes the salon on 24 December only, under a label that is a day's name.
func heiligabendOnly(f *fixture) {
	d, _ := schedule.ParseDate("2026-12-24")
	f.store.branch.Closings = []schedule.Closing{{From: d, To: d, Label: "Heiligabend"}}
}

func annaTuesdayMornings(f *fixture) {
	var w schedule.Week
	w[time.Tuesday] = []schedule.Span{{From: 10 * 60, To: 14 * 60}}
	f.store.staff = []booking.Staff{{ID: "anna", Name: "Anna", CalcomUserID: 1, EventTypeIDs: []string{"cut"},
		Hours: map[string]schedule.Week{branch: w}}}
}

func annaOffOnWednesday(f *fixture) {
	f.store.staff = []booking.Staff{{ID: "anna", Name: "Anna", CalcomUserID: 1, EventTypeIDs: []string{"cut"},
		TimeOff: []schedule.Absence{{From: at(2, 0, 0), To: at(3, 0, 0), Reason: "Urlaub"}}}}
}

// TestAStaffMemberIsNamed: staff_absent names the one asked for, as the example does.
func TestAStaffMemberIsNamed(t *testing.T) {
	f := rulesFixture(t)
	f.store.staff = []booking.Staff{{ID: "lena", Name: "Lena Schulz", CalcomUserID: 4, EventTypeIDs: []string{"cut"},
		TimeOff: []schedule.Absence{{From: at(2, 0, 0), To: at(5, 0, 0)}}}}
	_, err := f.svc.Create(t.Context(), request("lena", at(3, 11, 0), "k-lena"))
	re := ruleReason(t, err)
	require.Equal(t, schedule.ReasonStaffAbsent, re.Reason)
	require.Equal(t, "Lena Schulz ist an diesem Tag nicht da. Am Samstag, 5. Dezember, um 9 Uhr wäre bei Lena Schulz etwas frei.", re.Message)
}

// TestRescheduleRefusalOffersAFreeStart: a move to a closed day offers a start the calendar has
// free, and the appointment being moved does not block it.
func TestRescheduleRefusalOffersAFreeStart(t *testing.T) {
	f := rulesFixture(t)
	res, err := f.svc.Create(t.Context(), request("anna", at(7, 9, 0), "k-move"))
	require.NoError(t, err)
	_, err = f.svc.Reschedule(t.Context(), booking.RescheduleRequest{CompanyID: company, AppointmentID: res.Booking.ID, Start: at(6, 10, 0)})
	re := ruleReason(t, err)
	require.Equal(t, schedule.ReasonClosed, re.Reason)
	require.Contains(t, re.Message, "Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um ")
	require.NotContains(t, re.Message, "ausgebucht")
}

func TestAvailabilityOfAClosedDaySaysWhy(t *testing.T) {
	f := rulesFixture(t)
	a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", At: at(6, 10, 0)})
	require.NoError(t, err)
	require.Empty(t, a.Options)
	require.Equal(t, schedule.ReasonClosed, a.Reason)
	require.Equal(t, "Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um 9 Uhr wäre bei Anna etwas frei.", a.Message)
}

// TestATakenSlotSaysSoAndOffersAlternatives: a slot that obeys the rules but is gone says so
// and offers what is free.
func TestATakenSlotSaysSoAndOffersAlternatives(t *testing.T) {
	f := rulesFixture(t)
	_, err := f.svc.Create(t.Context(), request("anna", at(1, 10, 0), "k-first"))
	require.NoError(t, err)
	_, err = f.svc.Create(t.Context(), request("anna", at(1, 10, 0), "k-second"))
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	alt, err := f.svc.HandleConflict(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", StaffID: "anna", At: at(1, 10, 0)})
	require.NoError(t, err)
	require.Equal(t, "Leider ist Dienstag, 1. Dezember, um 10 Uhr nicht mehr frei. Ich kann Ihnen anbieten: "+
		"Dienstag, 1. Dezember, um 9 Uhr bei Anna; Dienstag, 1. Dezember, um 11 Uhr bei Anna oder Dienstag, 1. Dezember, um 11:30 Uhr bei Anna.", alt.Message)
}

// TestABranchWithoutHoursOffersNothing: no hours means closed, on every day.
func TestABranchWithoutHoursOffersNothing(t *testing.T) {
	f := rulesFixture(t)
	f.store.branch.Hours = nil
	a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", From: at(1, 0, 0), To: at(15, 0, 0), Limit: 100})
	require.NoError(t, err)
	require.Empty(t, a.Options)
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

// TestAWholeClosedDaySaysWhy: asked for a day as a whole, a closed day or holiday is refused
// with its reason; a range with an open day in it is not.
func TestAWholeClosedDaySaysWhy(t *testing.T) {
	f := rulesFixture(t)
	heiligabendOnly(f)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		reason   schedule.Reason
		says     string
	}{
		{"a Sunday", at(6, 0, 0), at(7, 0, 0), schedule.ReasonClosed,
			"Sonntags haben wir geschlossen. Am Montag, 7. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"a holiday", at(25, 0, 0), at(26, 0, 0), schedule.ReasonHoliday,
			"Am 25. Dezember ist Weihnachten, da haben wir geschlossen. Am Montag, 28. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"Christmas to Sunday", at(24, 0, 0), at(28, 0, 0), schedule.ReasonClosed,
			"Am 24. Dezember haben wir geschlossen (Heiligabend); ab dem 28. Dezember bin ich wieder für Sie da. " +
				"Am Montag, 28. Dezember, um 9 Uhr wäre bei Anna etwas frei."},
		{"a weekend with a Saturday", at(5, 0, 0), at(7, 0, 0), schedule.ReasonNone, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
				EventTypeID: "cut", From: tc.from, To: tc.to})
			require.NoError(t, err)
			require.Equal(t, tc.reason, a.Reason)
			if tc.reason == schedule.ReasonNone {
				require.NotEmpty(t, a.Options)
				return
			}
			require.Empty(t, a.Options)
			require.Equal(t, tc.says, a.Message)
		})
	}
}

// TestOptionsReplaceTheOffer: when free options are listed, the sentence says what is true and
// lists them, without a second, competing offer.
func TestOptionsReplaceTheOffer(t *testing.T) {
	f := rulesFixture(t)
	a, err := f.svc.CheckAvailability(t.Context(), booking.Criteria{CompanyID: company, BranchID: branch,
		EventTypeID: "cut", StaffID: "anna", At: now.Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, schedule.ReasonTooSoon, a.Reason)
	require.Equal(t, "So kurzfristig kann ich leider nicht buchen; Termine gehen frühestens 2 Stunden im Voraus. "+
		"Ich kann Ihnen anbieten: Montag, 30. November, um 11 Uhr bei Anna; Montag, 30. November, um 11:30 Uhr bei Anna "+
		"oder Montag, 30. November, um 12 Uhr bei Anna.", a.Message)
}
