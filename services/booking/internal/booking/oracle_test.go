package booking_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/de"

	api "github.com/askproai/backend/pkg/api/database"
)

// The oracle of the opening-rules property test. It decides from the wire tenant alone, with
// plain minute arithmetic on the branch's wall clock and rickar/cal's German state calendars,
// whether a slot may be booked and, if not, why. It deliberately shares no code with
// pkg/schedule or the booking service: it is the rules written down a second time.

// The reasons, as the wire's data.reason.
const (
	okSlot         = ""
	inThePast      = "in_the_past"
	tooSoon        = "too_soon"
	tooFar         = "too_far"
	closedDay      = "closed"
	holiday        = "holiday"
	outsideHours   = "outside_opening_hours"
	staffAbsent    = "staff_absent"
	defaultNotice  = 120 // minutes, when neither the event type nor the company sets one
	defaultHorizon = 90  // days
)

// oracle judges slots of one tenant.
type oracle struct {
	company api.Company
	zones   map[string]*time.Location // by branch id
	states  map[string]*cal.Calendar  // by state code
	// days caches what holds for a whole day of a branch (closing day, holiday, closed weekday).
	days map[string]string
}

var stateLists = map[string][]*cal.Holiday{
	"DE-BW": de.HolidaysBW, "DE-BY": de.HolidaysBY, "DE-BE": de.HolidaysBE, "DE-BB": de.HolidaysBB,
	"DE-HB": de.HolidaysHB, "DE-HH": de.HolidaysHH, "DE-HE": de.HolidaysHE, "DE-MV": de.HolidaysMV,
	"DE-NI": de.HolidaysNI, "DE-NW": de.HolidaysNW, "DE-RP": de.HolidaysRP, "DE-SL": de.HolidaysSL,
	"DE-SN": de.HolidaysSN, "DE-ST": de.HolidaysST, "DE-SH": de.HolidaysSH, "DE-TH": de.HolidaysTH,
}

func newOracle(t tenant) (*oracle, error) {
	o := &oracle{company: t.Company, zones: map[string]*time.Location{}, states: map[string]*cal.Calendar{},
		days: map[string]string{}}
	for _, b := range t.Branches {
		tz := b.TimeZone
		if tz == "" {
			tz = t.Company.TimeZone
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, err
		}
		o.zones[b.ID] = loc
		if b.State == "" {
			continue
		}
		list, ok := stateLists[b.State]
		if !ok {
			return nil, fmt.Errorf("oracle: unknown state %q", b.State)
		}
		c := &cal.Calendar{}
		c.AddHoliday(list...)
		o.states[b.State] = c
	}
	return o, nil
}

// noticeMinutes and horizonDays: the event type's, else the company's, else the defaults; an
// event type's explicit 0 notice means none.
func (o *oracle) noticeMinutes(et api.EventType) int {
	switch {
	case et.MinimumNoticeMinutes != nil && *et.MinimumNoticeMinutes >= 0:
		return *et.MinimumNoticeMinutes
	case o.company.MinimumNoticeMinutes > 0:
		return o.company.MinimumNoticeMinutes
	}
	return defaultNotice
}

func (o *oracle) horizonDays(et api.EventType) int {
	switch {
	case et.BookingHorizonDays != nil && *et.BookingHorizonDays > 0:
		return *et.BookingHorizonDays
	case o.company.BookingHorizonDays > 0:
		return o.company.BookingHorizonDays
	}
	return defaultHorizon
}

// judge is the reason the slot of et with st at b starting at start breaks a rule at now, or
// okSlot. The order is the documented one: past, notice, horizon, closing day, holiday, closed
// weekday, opening hours, staff hours, time off.
func (o *oracle) judge(b api.Branch, st api.Staff, et api.EventType, start, now time.Time) string {
	loc := o.zones[b.ID]
	end := start.Add(time.Duration(et.DurationMinutes) * time.Minute)
	local, today := start.In(loc), now.In(loc)
	switch {
	case start.Before(now):
		return inThePast
	case start.Sub(now) < time.Duration(o.noticeMinutes(et))*time.Minute:
		return tooSoon
	case daysBetween(today, local) > o.horizonDays(et):
		return tooFar
	}
	if reason := o.wholeDay(b, local); reason != okSlot {
		return reason
	}
	weekday := weekdayKey(local.Weekday())
	spans := b.OpeningHours[weekday]
	if len(b.OpeningHours) == 0 {
		spans = []api.TimeRange{{From: "00:00", To: "24:00"}} // no hours: open around the clock
	}
	from, to, ok := wallMinutes(start, end, loc)
	if !ok || !inside(spans, from, to) {
		return outsideHours
	}
	if hours, ok := st.WorkingHours[b.ID]; ok && !inside(hours[weekday], from, to) {
		return staffAbsent
	}
	for _, off := range st.TimeOff {
		if start.Before(off.To) && off.From.Before(end) {
			return staffAbsent
		}
	}
	return okSlot
}

// wholeDay is why branch b is closed all day on local's date, or okSlot.
func (o *oracle) wholeDay(b api.Branch, local time.Time) string {
	day := local.Format(time.DateOnly)
	key := b.ID + " " + day
	if reason, ok := o.days[key]; ok {
		return reason
	}
	reason := okSlot
	for _, c := range b.ClosingDays {
		if c.From <= day && day <= c.To { // YYYY-MM-DD sorts as it reads
			reason = closedDay
		}
	}
	switch {
	case reason != okSlot:
	case o.isHoliday(b, local) && !contains(b.OpenOnHolidays, day):
		reason = holiday
	case len(b.OpeningHours) > 0 && len(b.OpeningHours[weekdayKey(local.Weekday())]) == 0:
		reason = closedDay
	}
	o.days[key] = reason
	return reason
}

func (o *oracle) isHoliday(b api.Branch, local time.Time) bool {
	c, ok := o.states[b.State]
	if !ok {
		return false
	}
	actual, _, _ := c.IsHoliday(local)
	return actual
}

// daysBetween counts calendar days from a's local date to b's local date.
func daysBetween(a, b time.Time) int { return civilDay(b) - civilDay(a) }

// civilDay numbers t's local date: days since 1 March of year 0 (proleptic Gregorian).
func civilDay(t time.Time) int {
	y, m, d := t.Date()
	if m < 3 {
		y, m = y-1, m+12
	}
	return 365*y + y/4 - y/100 + y/400 + (153*(int(m)-3)+2)/5 + d - 1
}

// wallMinutes is the slot as minutes after local midnight of its start's day; the end may be
// the next midnight (1440). A slot that runs further into the next day has no such span.
func wallMinutes(start, end time.Time, loc *time.Location) (int, int, bool) {
	ls, le := start.In(loc), end.In(loc)
	from := ls.Hour()*60 + ls.Minute()
	switch daysBetween(ls, le) {
	case 0:
		return from, le.Hour()*60 + le.Minute(), true
	case 1:
		if le.Hour() == 0 && le.Minute() == 0 {
			return from, 24 * 60, true
		}
	}
	return 0, 0, false
}

// inside reports whether [from, to) lies within one of the ranges.
func inside(ranges []api.TimeRange, from, to int) bool {
	for _, r := range ranges {
		if clock(r.From) <= from && to <= clock(r.To) {
			return true
		}
	}
	return false
}

// clock reads "HH:MM" (the database service stores no other form).
func clock(s string) int {
	return (int(s[0]-'0')*10+int(s[1]-'0'))*60 + int(s[3]-'0')*10 + int(s[4]-'0')
}

func weekdayKey(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
