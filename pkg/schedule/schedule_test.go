package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

func salon(t *testing.T, state string) Rules {
	t.Helper()
	week, err := ParseWeek(database.OpeningHours{
		"mon": {{From: "09:00", To: "18:00"}}, "tue": {{From: "09:00", To: "18:00"}},
		"wed": {{From: "09:00", To: "18:00"}}, "thu": {{From: "09:00", To: "18:00"}},
		"fri": {{From: "09:00", To: "12:00"}, {From: "13:00", To: "18:00"}},
		"sat": {{From: "09:00", To: "14:00"}},
	})
	require.NoError(t, err)
	from, _ := ParseDate("2026-12-24")
	to, _ := ParseDate("2027-01-02")
	return Rules{Location: berlin(t), Branch: week, State: state,
		Closings: []Closing{{From: from, To: to, Label: "Betriebsferien"}}}
}

func TestCheck(t *testing.T) {
	loc := berlin(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		require.NoError(t, err)
		return v
	}
	now := at("2026-01-02 08:00")
	staff := Week{1: {{From: 12 * 60, To: 18 * 60}}}
	for _, tc := range []struct {
		name   string
		rules  func(Rules) Rules
		start  string
		dur    time.Duration
		now    time.Time
		want   Reason
		detail func(t *testing.T, v Verdict)
	}{
		{name: "open monday", start: "2026-01-05 09:00", dur: 30 * time.Minute, want: ReasonNone},
		{name: "sunday closed", start: "2026-01-04 10:00", dur: 30 * time.Minute, want: ReasonClosed},
		{name: "before opening", start: "2026-01-05 08:30", dur: 30 * time.Minute, want: ReasonOutsideOpeningHours},
		{name: "45 min at 13:30 saturday overruns 14:00", start: "2026-01-10 13:30", dur: 45 * time.Minute, want: ReasonOutsideOpeningHours,
			detail: func(t *testing.T, v Verdict) {
				assert.Equal(t, at("2026-01-10 14:00"), v.Closes)
				assert.Equal(t, at("2026-01-10 13:15"), v.LastStart)
			}},
		{name: "45 min at 13:15 saturday fits", start: "2026-01-10 13:15", dur: 45 * time.Minute, want: ReasonNone},
		{name: "across the friday lunch break", start: "2026-01-09 11:30", dur: time.Hour, want: ReasonOutsideOpeningHours},
		{name: "BY Heilige Drei Koenige", start: "2026-01-06 10:00", dur: time.Hour, want: ReasonHoliday,
			rules:  func(r Rules) Rules { r.State = "DE-BY"; return r },
			detail: func(t *testing.T, v Verdict) { assert.Equal(t, "Heilige Drei Könige", v.Holiday) }},
		{name: "BE has no 6 Jan holiday", start: "2026-01-06 10:00", dur: time.Hour, want: ReasonNone},
		{name: "BE Frauentag on a weekday 2027", start: "2027-03-08 10:00", dur: time.Hour, want: ReasonHoliday,
			now: at("2027-01-04 08:00")},
		{name: "BY no Frauentag", start: "2027-03-08 10:00", dur: time.Hour, want: ReasonNone, now: at("2027-01-04 08:00"),
			rules: func(r Rules) Rules { r.State = "DE-BY"; return r }},
		{name: "BY Fronleichnam 4 Jun 2026", start: "2026-06-04 10:00", dur: time.Hour, want: ReasonHoliday, now: at("2026-04-01 08:00"),
			rules:  func(r Rules) Rules { r.State = "DE-BY"; return r },
			detail: func(t *testing.T, v Verdict) { assert.Equal(t, "Fronleichnam", v.Holiday) }},
		{name: "BE no Fronleichnam", start: "2026-06-04 10:00", dur: time.Hour, want: ReasonNone, now: at("2026-04-01 08:00")},
		{name: "open on a holiday", start: "2026-01-06 10:00", dur: time.Hour, want: ReasonNone,
			rules: func(r Rules) Rules {
				r.State = "DE-BY"
				d, _ := ParseDate("2026-01-06")
				r.OpenOnHolidays = []Date{d}
				return r
			}},
		{name: "no state no holiday", start: "2026-01-06 10:00", dur: time.Hour, want: ReasonNone,
			rules: func(r Rules) Rules { r.State = ""; return r }},
		{name: "closing days", start: "2026-12-28 10:00", dur: time.Hour, want: ReasonClosed, now: at("2026-12-01 08:00"),
			detail: func(t *testing.T, v Verdict) {
				require.NotNil(t, v.Closing)
				assert.Equal(t, "Betriebsferien", v.Closing.Label)
			}},
		{name: "in the past", start: "2020-03-02 10:00", dur: time.Hour, want: ReasonInThePast},
		{name: "too soon default 120 min", start: "2026-01-05 09:00", dur: time.Hour, now: at("2026-01-05 07:30"), want: ReasonTooSoon},
		{name: "exactly at notice", start: "2026-01-05 09:30", dur: time.Hour, now: at("2026-01-05 07:30"), want: ReasonNone},
		{name: "custom notice", start: "2026-01-05 10:00", dur: time.Hour, now: at("2026-01-05 07:30"), want: ReasonTooSoon,
			rules: func(r Rules) Rules { r.Notice = 4 * time.Hour; return r }},
		{name: "too far default 90 days", start: "2026-04-03 10:00", dur: time.Hour, want: ReasonTooFar},
		{name: "last day of horizon", start: "2026-04-02 10:00", dur: time.Hour, want: ReasonNone},
		{name: "custom horizon", start: "2026-01-13 10:00", dur: time.Hour, want: ReasonTooFar,
			rules: func(r Rules) Rules { r.HorizonDays = 10; return r }},
		{name: "staff hours at branch", start: "2026-01-05 10:00", dur: time.Hour, want: ReasonStaffAbsent,
			rules: func(r Rules) Rules { r.Staff = &staff; return r }},
		{name: "staff hours fit", start: "2026-01-05 12:00", dur: time.Hour, want: ReasonNone,
			rules: func(r Rules) Rules { r.Staff = &staff; return r }},
		{name: "staff time off", start: "2026-01-05 10:00", dur: time.Hour, want: ReasonStaffAbsent,
			rules: func(r Rules) Rules {
				r.TimeOff = []Absence{{From: at("2026-01-05 10:30"), To: at("2026-01-06 00:00"), Reason: "Urlaub"}}
				return r
			},
			detail: func(t *testing.T, v Verdict) { require.NotNil(t, v.Absence) }},
		{name: "time off ends at start", start: "2026-01-06 09:00", dur: time.Hour, want: ReasonNone,
			rules: func(r Rules) Rules {
				r.TimeOff = []Absence{{From: at("2026-01-05 10:30"), To: at("2026-01-06 09:00")}}
				return r
			}},
		{name: "DST spring forward saturday 28 Mar open", start: "2026-03-28 13:00", dur: time.Hour, want: ReasonNone, now: at("2026-03-20 08:00")},
		{name: "DST 29 Mar 2026 is a sunday, closed", start: "2026-03-29 10:00", dur: time.Hour, want: ReasonClosed, now: at("2026-03-20 08:00")},
		{name: "DST 29 Mar night opening spans the gap", start: "2026-03-29 01:30", dur: time.Hour, want: ReasonNone, now: at("2026-03-20 08:00"),
			rules: func(r Rules) Rules { r.Branch[time.Sunday] = []Span{{From: 60, To: 4 * 60}}; return r }},
		{name: "DST 25 Oct 2026 fall back hour", start: "2026-10-25 02:30", dur: time.Hour, want: ReasonNone, now: at("2026-10-01 08:00"),
			rules: func(r Rules) Rules { r.Branch[time.Sunday] = []Span{{From: 2 * 60, To: 4 * 60}}; return r }},
		{name: "after DST fall back monday 9:00 is 8:00 UTC", start: "2026-10-26 09:00", dur: time.Hour, want: ReasonNone, now: at("2026-10-01 08:00")},
		{name: "empty slot", start: "2026-01-05 10:00", dur: 0, want: ReasonOutsideOpeningHours},
		{name: "across midnight", start: "2026-01-05 17:30", dur: 10 * time.Hour, want: ReasonOutsideOpeningHours,
			rules: func(r Rules) Rules { r.Branch[time.Monday] = []Span{{From: 9 * 60, To: 24 * 60}}; return r }},
		{name: "until midnight", start: "2026-01-05 23:00", dur: time.Hour, want: ReasonNone,
			rules: func(r Rules) Rules { r.Branch[time.Monday] = []Span{{From: 9 * 60, To: 24 * 60}}; return r }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := salon(t, "DE-BE")
			if tc.rules != nil {
				r = tc.rules(r)
			}
			n := now
			if !tc.now.IsZero() {
				n = tc.now
			}
			start := at(tc.start)
			v := r.Check(start, start.Add(tc.dur), n)
			assert.Equal(t, tc.want, v.Reason)
			if tc.detail != nil {
				tc.detail(t, v)
			}
		})
	}
}

func TestDSTInstants(t *testing.T) {
	loc := berlin(t)
	r := salon(t, "DE-BE")
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, loc)
	// Monday 30 March 2026 09:00 CEST is 07:00 UTC; 08:00 UTC is 10:00 local.
	assert.True(t, r.Check(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), now).OK())
	assert.Equal(t, ReasonOutsideOpeningHours, r.Check(time.Date(2026, 3, 30, 6, 30, 0, 0, time.UTC), time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC), now).Reason)
	// Friday 27 March 2026 09:00 CET is 08:00 UTC; 07:30 UTC is 08:30 local.
	assert.Equal(t, ReasonOutsideOpeningHours, r.Check(time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC), time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC), now).Reason)
}

func TestNextPossible(t *testing.T) {
	loc := berlin(t)
	r := salon(t, "DE-BY")
	now := time.Date(2026, 1, 2, 8, 0, 0, 0, loc)
	// Saturday 3 Jan 13:30 with 45 minutes: the next start is Monday 5 Jan 9:00.
	got, ok := r.NextPossible(time.Date(2026, 1, 3, 13, 30, 0, 0, loc), 45*time.Minute, now)
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 1, 5, 9, 0, 0, 0, loc), got)
	// Monday 5 Jan 17:30 with an hour: Tuesday 6 Jan is a holiday in BY, so Wednesday 9:00.
	got, ok = r.NextPossible(time.Date(2026, 1, 5, 17, 30, 0, 0, loc), time.Hour, now)
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 1, 7, 9, 0, 0, 0, loc), got)
	// Inside the Betriebsferien: the third of January 2027 is a Sunday, so Monday the fourth.
	got, ok = r.NextPossible(time.Date(2026, 12, 24, 10, 0, 0, 0, loc), time.Hour, time.Date(2026, 12, 1, 8, 0, 0, 0, loc))
	require.True(t, ok)
	assert.Equal(t, time.Date(2027, 1, 4, 9, 0, 0, 0, loc), got)
	// Notice pushes the start.
	got, ok = r.NextPossible(now, 30*time.Minute, time.Date(2026, 1, 5, 8, 0, 0, 0, loc))
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 1, 5, 10, 0, 0, 0, loc), got)
	// Nothing within a horizon of 1 day when both days are closed.
	r.HorizonDays = 1
	_, ok = r.NextPossible(time.Date(2026, 1, 3, 14, 0, 0, 0, loc), time.Hour, time.Date(2026, 1, 3, 14, 0, 0, 0, loc))
	assert.False(t, ok)
}

func TestParseWeekRejectsBadInput(t *testing.T) {
	for _, h := range []database.OpeningHours{
		{"mond": {{From: "09:00", To: "10:00"}}},
		{"mon": {{From: "9:00", To: "10:00"}}},
		{"mon": {{From: "10:00", To: "09:00"}}},
		{"mon": {{From: "25:00", To: "26:00"}}},
	} {
		_, err := ParseWeek(h)
		assert.Error(t, err, "%v", h)
	}
	w, err := ParseWeek(database.OpeningHours{"sat": {{From: "13:00", To: "14:00"}, {From: "09:00", To: "12:00"}}})
	require.NoError(t, err)
	assert.Equal(t, []Span{{540, 720}, {780, 840}}, w[time.Saturday])
}

func TestHolidayName(t *testing.T) {
	assert.Equal(t, "Frauentag", HolidayName("DE-BE", Date{2026, time.March, 8}))
	assert.Equal(t, "", HolidayName("DE-BY", Date{2026, time.March, 8}))
	assert.Equal(t, "Fronleichnam", HolidayName("de-by", Date{2026, time.June, 4}))
	assert.Equal(t, "", HolidayName("", Date{2026, time.December, 25}))
	assert.True(t, Known("DE-SN"))
	assert.False(t, Known("DE-XX"))
}
