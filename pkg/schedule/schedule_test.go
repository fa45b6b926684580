package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
)

var berlin = mustLoc("Europe/Berlin")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, berlin)
}

func salon(t *testing.T, state string) Rules {
	t.Helper()
	r, err := FromWire(database.Company{TimeZone: "Europe/Berlin"}, database.Branch{
		ID: "b1", TimeZone: "Europe/Berlin", State: state,
		OpeningHours: database.OpeningHours{
			"mon": {{From: "09:00", To: "18:00"}}, "tue": {{From: "09:00", To: "12:00"}, {From: "13:00", To: "18:00"}},
			"wed": {{From: "09:00", To: "18:00"}}, "thu": {{From: "09:00", To: "18:00"}},
			"fri": {{From: "09:00", To: "18:00"}}, "sat": {{From: "09:00", To: "14:00"}},
		},
		ClosingDays:    []database.ClosingDays{{From: "2026-12-24", To: "2027-01-02", Label: "Betriebsferien"}},
		OpenOnHolidays: []string{"2026-10-03"},
	}, nil, nil)
	require.NoError(t, err)
	return r
}

func TestCheck(t *testing.T) {
	now := at(2026, time.January, 2, 8, 0)
	be, by := salon(t, "DE-BE"), salon(t, "DE-BY")
	cases := []struct {
		name    string
		r       Rules
		start   time.Time
		minutes int
		now     time.Time
		want    Reason
		holiday string
	}{
		{"open monday", be, at(2026, time.January, 12, 9, 0), 45, now, ReasonNone, ""},
		{"sunday", be, at(2026, time.January, 11, 10, 0), 45, now, ReasonClosed, ""},
		{"past", be, at(2020, time.January, 6, 10, 0), 45, now, ReasonInThePast, ""},
		{"two minutes", be, now.Add(2 * time.Minute), 45, now, ReasonTooSoon, ""},
		{"year 9999", be, at(9999, time.January, 4, 10, 0), 45, now, ReasonTooFar, ""},
		{"day 90 is inside", be, at(2026, time.April, 2, 10, 0), 45, now, ReasonNone, ""},
		{"day 91 is beyond", be, at(2026, time.April, 3, 10, 0), 45, now, ReasonTooFar, ""},
		{"45 minutes at 13:30 saturday", be, at(2026, time.January, 10, 13, 30), 45, now, ReasonOutsideOpeningHours, ""},
		{"45 minutes at 13:15 saturday", be, at(2026, time.January, 10, 13, 15), 45, now, ReasonNone, ""},
		{"across the lunch break", be, at(2026, time.January, 13, 11, 30), 45, now, ReasonOutsideOpeningHours, ""},
		{"before opening", be, at(2026, time.January, 12, 8, 30), 45, now, ReasonOutsideOpeningHours, ""},
		{"frauentag in berlin", be, at(2026, time.March, 9, 10, 0), 45, at(2026, time.March, 1, 8, 0), ReasonNone, ""},
		{"epiphany in bavaria", by, at(2026, time.January, 6, 10, 0), 45, now, ReasonHoliday, "Heilige Drei Könige"},
		{"epiphany in berlin", be, at(2026, time.January, 6, 10, 0), 45, now, ReasonNone, ""},
		{"corpus christi in bavaria", by, at(2026, time.June, 4, 10, 0), 45, at(2026, time.May, 1, 8, 0), ReasonHoliday, "Fronleichnam"},
		{"corpus christi in berlin", be, at(2026, time.June, 4, 10, 0), 45, at(2026, time.May, 1, 8, 0), ReasonNone, ""},
		{"christmas is a closing day first", be, at(2026, time.December, 25, 10, 0), 45, at(2026, time.December, 1, 8, 0), ReasonClosed, ""},
		{"open on unity day", be, at(2026, time.October, 3, 10, 0), 45, at(2026, time.October, 1, 8, 0), ReasonNone, ""},
		{"dst spring saturday", be, at(2026, time.March, 28, 13, 15), 45, at(2026, time.March, 20, 8, 0), ReasonNone, ""},
		{"dst spring monday after", be, at(2026, time.March, 30, 17, 15), 45, at(2026, time.March, 20, 8, 0), ReasonNone, ""},
		{"dst autumn monday after too late", be, at(2026, time.October, 26, 17, 30), 45, at(2026, time.October, 20, 8, 0), ReasonOutsideOpeningHours, ""},
		{"dst autumn sunday", be, at(2026, time.October, 25, 10, 0), 45, at(2026, time.October, 20, 8, 0), ReasonClosed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.r.Check(c.start, c.start.Add(time.Duration(c.minutes)*time.Minute), c.now)
			assert.Equal(t, c.want, v.Reason)
			assert.Equal(t, c.holiday, v.Holiday)
		})
	}
	march8 := at(2026, time.March, 8, 10, 0) // a Sunday in 2026; check the holiday itself
	assert.Equal(t, "Frauentag", HolidayName("DE-BE", DateOf(march8)))
	assert.Empty(t, HolidayName("DE-BY", DateOf(march8)))
	assert.Equal(t, "Heilige Drei Könige", HolidayName("de-by", Date{2026, time.January, 6}))
}

func TestCheckExplainsTheLastStart(t *testing.T) {
	r := salon(t, "DE-BE")
	v := r.Check(at(2026, time.January, 10, 13, 30), at(2026, time.January, 10, 14, 15), at(2026, time.January, 2, 8, 0))
	require.Equal(t, ReasonOutsideOpeningHours, v.Reason)
	assert.True(t, v.Closes.Equal(at(2026, time.January, 10, 14, 0)))
	assert.True(t, v.LastStart.Equal(at(2026, time.January, 10, 13, 15)))

	v = r.Check(at(2026, time.December, 28, 10, 0), at(2026, time.December, 28, 10, 45), at(2026, time.December, 1, 8, 0))
	require.Equal(t, ReasonClosed, v.Reason)
	require.NotNil(t, v.Closing)
	assert.Equal(t, "Betriebsferien", v.Closing.Label)
}

func TestStaffHoursAndTimeOff(t *testing.T) {
	staff := database.Staff{ID: "s1", BranchID: "b0", WorkingHours: map[string]database.OpeningHours{
		"b1": {"mon": {{From: "12:00", To: "16:00"}}},
	}, TimeOff: []database.TimeOff{{From: at(2026, time.January, 19, 0, 0), To: at(2026, time.January, 24, 0, 0), Reason: "Urlaub"}}}
	notice, horizon := 0, 30
	r, err := FromWire(database.Company{}, database.Branch{ID: "b1", TimeZone: "Europe/Berlin",
		OpeningHours: database.OpeningHours{"mon": {{From: "09:00", To: "18:00"}}, "tue": {{From: "09:00", To: "18:00"}}}},
		&staff, &database.EventType{MinimumNoticeMinutes: &notice, BookingHorizonDays: &horizon})
	require.NoError(t, err)
	now := at(2026, time.January, 5, 11, 58)
	assert.Equal(t, ReasonStaffAbsent, r.Check(at(2026, time.January, 5, 11, 0), at(2026, time.January, 5, 11, 45), at(2026, time.January, 1, 0, 0)).Reason)
	assert.Equal(t, ReasonNone, r.Check(at(2026, time.January, 5, 12, 0), at(2026, time.January, 5, 12, 45), now).Reason, "no notice")
	assert.Equal(t, ReasonStaffAbsent, r.Check(at(2026, time.January, 6, 12, 0), at(2026, time.January, 6, 12, 45), now).Reason, "no hours on tuesday")
	v := r.Check(at(2026, time.January, 19, 12, 0), at(2026, time.January, 19, 12, 45), now)
	assert.Equal(t, ReasonStaffAbsent, v.Reason)
	require.NotNil(t, v.Absence)
	assert.Equal(t, ReasonTooFar, r.Check(at(2026, time.February, 9, 12, 0), at(2026, time.February, 9, 12, 45), now).Reason)
	assert.True(t, WorksAt(staff, "b1"))
	assert.True(t, WorksAt(staff, "b0"))
	assert.False(t, WorksAt(staff, "b2"))
}

func TestNextPossible(t *testing.T) {
	r := salon(t, "DE-BY")
	// Saturday 13:30: the next 45-minute start is Monday 9:00 (Sunday closed).
	now := at(2026, time.January, 3, 8, 0)
	got, ok := r.NextPossible(at(2026, time.January, 10, 13, 30), 45*time.Minute, now)
	require.True(t, ok)
	assert.True(t, got.Equal(at(2026, time.January, 12, 9, 0)), got)
	// Epiphany (Tuesday) in Bavaria → Wednesday.
	got, ok = r.NextPossible(at(2026, time.January, 6, 9, 0), 45*time.Minute, now)
	require.True(t, ok)
	assert.True(t, got.Equal(at(2026, time.January, 7, 9, 0)), got)
	// Closing days → 4 January 2027 (2 Jan is a Saturday inside the closing, 3 Jan a Sunday).
	got, ok = r.NextPossible(at(2026, time.December, 24, 9, 0), 45*time.Minute, at(2026, time.December, 1, 8, 0))
	require.True(t, ok)
	assert.True(t, got.Equal(at(2027, time.January, 4, 9, 0)), got)
	// Notice: at 8:00 with 120 minutes, the earliest start is 10:00.
	got, ok = r.NextPossible(at(2026, time.January, 5, 8, 0), 45*time.Minute, at(2026, time.January, 5, 8, 0))
	require.True(t, ok)
	assert.True(t, got.Equal(at(2026, time.January, 5, 10, 0)), got)
	_, ok = r.NextPossible(at(9999, time.January, 4, 10, 0), 45*time.Minute, now)
	assert.False(t, ok)
}

func TestParseWeekRejectsBadHours(t *testing.T) {
	for _, h := range []database.OpeningHours{
		{"mon": {{From: "18:00", To: "09:00"}}},
		{"mo": {{From: "09:00", To: "18:00"}}},
		{"mon": {{From: "9:00", To: "18:00"}}},
		{"mon": {{From: "09:00", To: "24:30"}}},
	} {
		_, err := ParseWeek(h)
		assert.Error(t, err, h)
	}
	w, err := ParseWeek(database.OpeningHours{"sun": {{From: "00:00", To: "24:00"}}})
	require.NoError(t, err)
	assert.Equal(t, []Span{{0, 1440}}, w[time.Sunday])
}

// Fits judges a stored appointment by the calendar's rules alone: a slot booked long ago, or far
// ahead, is fine when the salon is open then; a Sunday is not, whenever it was booked.
func TestFitsLeavesOutTheBookingTimeRules(t *testing.T) {
	r := salon(t, "DE-BE")
	now := at(2026, time.January, 2, 8, 0)
	for _, c := range []struct {
		name        string
		start       time.Time
		check, fits Reason
	}{
		{"past monday", at(2020, time.January, 6, 10, 0), ReasonInThePast, ReasonNone},
		{"open friday in an hour", at(2026, time.January, 2, 9, 0), ReasonTooSoon, ReasonNone},
		{"before opening in two minutes", now.Add(2 * time.Minute), ReasonTooSoon, ReasonOutsideOpeningHours},
		{"far monday", at(2027, time.March, 1, 10, 0), ReasonTooFar, ReasonNone},
		{"far sunday", at(2027, time.February, 28, 10, 0), ReasonTooFar, ReasonClosed},
		{"past sunday", at(2020, time.January, 5, 10, 0), ReasonInThePast, ReasonClosed},
		{"saturday too late", at(2026, time.January, 10, 13, 30), ReasonOutsideOpeningHours, ReasonOutsideOpeningHours},
	} {
		t.Run(c.name, func(t *testing.T) {
			end := c.start.Add(45 * time.Minute)
			assert.Equal(t, c.check, r.Check(c.start, end, now).Reason)
			assert.Equal(t, c.fits, r.Fits(c.start, end).Reason)
		})
	}
}

func TestLastPossibleAndNextOpenDay(t *testing.T) {
	r := salon(t, "DE-BE")
	// Monday 7 December 2026, 10:00: the 90 days' horizon ends with Sunday 7 March 2027
	// (closed), so the last 45-minute start is Saturday 6 March at 13:15.
	now := at(2026, time.December, 7, 10, 0)
	got, ok := r.LastPossible(45*time.Minute, now)
	require.True(t, ok)
	assert.True(t, got.Equal(at(2027, time.March, 6, 13, 15)), got)
	assert.True(t, r.Check(got, got.Add(45*time.Minute), now).OK())
	assert.False(t, r.Check(got.Add(24*time.Hour), got.Add(24*time.Hour+45*time.Minute), now).OK())
	// A week of closed days has no possible start.
	_, ok = Rules{Location: berlin, HorizonDays: 5}.LastPossible(45*time.Minute, now)
	assert.False(t, ok)

	// After the closing days (24 Dec – 2 Jan): 3 January 2027 is a Sunday, so 4 January.
	d, ok := r.NextOpenDay(Date{2026, time.December, 28})
	require.True(t, ok)
	assert.Equal(t, Date{2027, time.January, 4}, d)
	_, ok = Rules{Location: berlin}.NextOpenDay(Date{2026, time.December, 28})
	assert.False(t, ok, "a branch without hours never opens")
}
