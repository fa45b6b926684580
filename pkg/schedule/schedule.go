// Package schedule decides whether an appointment slot may be booked: inside the weekly opening
// hours of the branch and the working hours of the staff member at that branch (the whole
// duration inside one span, evaluated in the branch's IANA time zone across DST changes), not on
// a public holiday of the branch's German state (unless the branch opens on it), not on one of
// the tenant's closing days, not during the staff member's time off, not in the past, not sooner
// than the minimum notice and not beyond the booking horizon.
//
// The package is pure: no I/O, no clock. Every decision takes the current time as an argument.
package schedule

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/de"

	"github.com/askproai/backend/pkg/api/database"
)

// Reason names why a slot cannot be booked. The values are the wire values of data.reason.
type Reason string

// The reasons a slot breaks a rule, in the order Check tests them.
const (
	// ReasonNone: the slot may be booked.
	ReasonNone Reason = ""
	// ReasonInThePast: the slot starts before now.
	ReasonInThePast Reason = "in_the_past"
	// ReasonTooSoon: the slot starts sooner than the minimum notice.
	ReasonTooSoon Reason = "too_soon"
	// ReasonTooFar: the slot starts beyond the booking horizon.
	ReasonTooFar Reason = "too_far"
	// ReasonClosed: the branch is closed that day (a closing day or no hours on that weekday).
	ReasonClosed Reason = "closed"
	// ReasonHoliday: the day is a public holiday of the branch's state.
	ReasonHoliday Reason = "holiday"
	// ReasonOutsideOpeningHours: the branch is open that day, but not for the whole slot.
	ReasonOutsideOpeningHours Reason = "outside_opening_hours"
	// ReasonStaffAbsent: the staff member is off or does not work then.
	ReasonStaffAbsent Reason = "staff_absent"
	// ReasonTaken is not decided here: the calendar no longer has the slot free.
	ReasonTaken Reason = "taken"
)

// Defaults when neither the event type nor the company sets a value.
const (
	DefaultNotice      = 120 * time.Minute
	DefaultHorizonDays = 90
)

// Span is an open interval of a day in minutes after local midnight, [From, To).
type Span struct{ From, To int }

// Week holds the open spans of each weekday, indexed by time.Weekday, sorted by From.
type Week [7][]Span

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeek converts opening hours ("mon" → [{"09:00","18:00"}]) to a Week; "24:00" is the end
// of the day. An unknown weekday, a malformed time or an empty range is an error.
func ParseWeek(h database.OpeningHours) (Week, error) {
	var w Week
	for key, ranges := range h {
		d := -1
		for i, k := range weekdayKeys {
			if strings.EqualFold(key, k) {
				d = i
			}
		}
		if d < 0 {
			return Week{}, fmt.Errorf("schedule: unknown weekday %q", key)
		}
		for _, r := range ranges {
			from, err := parseClock(r.From)
			if err != nil {
				return Week{}, err
			}
			to, err := parseClock(r.To)
			if err != nil {
				return Week{}, err
			}
			if to <= from {
				return Week{}, fmt.Errorf("schedule: %s %s-%s ends before it starts", key, r.From, r.To)
			}
			w[d] = append(w[d], Span{From: from, To: to})
		}
		sort.Slice(w[d], func(i, j int) bool { return w[d][i].From < w[d][j].From })
	}
	return w, nil
}

func parseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("schedule: time %q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("schedule: time %q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// Date is a local calendar day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("schedule: date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the calendar day of t in t's location.
func DateOf(t time.Time) Date { y, m, d := t.Date(); return Date{y, m, d} }

func (d Date) before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// Midnight is the start of the day in loc.
func (d Date) Midnight(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String is YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Closing is a range of closed days, From through To inclusive.
type Closing struct {
	From, To Date
	Label    string
}

// Absence is a staff member's time off, [From, To).
type Absence struct {
	From, To time.Time
	Reason   string
}

// Rules are the booking rules of one staff member at one branch for one event type.
type Rules struct {
	// Location is the branch's time zone; nil is UTC.
	Location *time.Location
	// Branch is the branch's weekly opening hours.
	Branch Week
	// Staff is the staff member's weekly working hours at the branch; nil: the branch's hours.
	Staff *Week
	// State is the ISO 3166-2 code of the branch's state ("DE-BE"); empty: no public holidays.
	State string
	// Closings are the tenant's closing days.
	Closings []Closing
	// OpenOnHolidays are public holidays the branch opens on anyway (by its weekly hours).
	OpenOnHolidays []Date
	// TimeOff is the staff member's time off.
	TimeOff []Absence
	// Notice is the minimum notice (0: DefaultNotice); HorizonDays the booking horizon in days
	// from today, local (0: DefaultHorizonDays).
	Notice      time.Duration
	HorizonDays int
}

// Verdict is the decision about one slot and what a sentence about it needs.
type Verdict struct {
	// Reason is ReasonNone when the slot may be booked.
	Reason Reason
	// Holiday is the holiday's German name (ReasonHoliday).
	Holiday string
	// Closing is the closing days that close the day (ReasonClosed by a closing day).
	Closing *Closing
	// Closes is when the opening span holding the start ends, and LastStart the last start of a
	// slot of this duration in it (ReasonOutsideOpeningHours when the start is inside a span).
	Closes, LastStart time.Time
	// Absence is the time off that covers the slot (ReasonStaffAbsent by time off).
	Absence *Absence
}

// OK reports whether the slot may be booked.
func (v Verdict) OK() bool { return v.Reason == ReasonNone }

// Known reports whether state has a public holiday calendar here.
func Known(state string) bool { _, ok := stateHolidays[strings.ToUpper(state)]; return ok }

var stateHolidays = map[string][]*cal.Holiday{
	"DE-BW": de.HolidaysBW, "DE-BY": de.HolidaysBY, "DE-BE": de.HolidaysBE, "DE-BB": de.HolidaysBB,
	"DE-HB": de.HolidaysHB, "DE-HH": de.HolidaysHH, "DE-HE": de.HolidaysHE, "DE-MV": de.HolidaysMV,
	"DE-NI": de.HolidaysNI, "DE-NW": de.HolidaysNW, "DE-RP": de.HolidaysRP, "DE-SL": de.HolidaysSL,
	"DE-SN": de.HolidaysSN, "DE-ST": de.HolidaysST, "DE-SH": de.HolidaysSH, "DE-TH": de.HolidaysTH,
}

// holidayKey is a state's holidays of one year in holidayCache.
type holidayKey struct {
	state string
	year  int
}

var holidayCache sync.Map // holidayKey → map[Date]string

// HolidayName is the name of the public holiday of state on day, or "".
func HolidayName(state string, day Date) string {
	state = strings.ToUpper(state)
	list, ok := stateHolidays[state]
	if !ok {
		return ""
	}
	key := holidayKey{state, day.Year}
	m, ok := holidayCache.Load(key)
	if !ok {
		days := map[Date]string{}
		for _, h := range list {
			actual, _ := h.Calc(day.Year)
			if !actual.IsZero() {
				days[DateOf(actual)] = h.Name
			}
		}
		m, _ = holidayCache.LoadOrStore(key, days)
	}
	return m.(map[Date]string)[day]
}

func (r Rules) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

func (r Rules) notice() time.Duration {
	if r.Notice <= 0 {
		return DefaultNotice
	}
	return r.Notice
}

func (r Rules) horizonDays() int {
	if r.HorizonDays <= 0 {
		return DefaultHorizonDays
	}
	return r.HorizonDays
}

// Horizon is the first instant beyond the booking horizon: local midnight after today plus the
// horizon's days.
func (r Rules) Horizon(now time.Time) time.Time {
	d := DateOf(now.In(r.loc()))
	return time.Date(d.Year, d.Month, d.Day+r.horizonDays()+1, 0, 0, 0, 0, r.loc())
}

// minutes is the wall-clock minute of t after local midnight of day (1440 for the next midnight).
func minutes(t time.Time, day Date, loc *time.Location) int {
	lt := t.In(loc)
	if DateOf(lt) != day {
		if DateOf(lt) == DateOf(day.Midnight(loc).AddDate(0, 0, 1)) && lt.Hour() == 0 && lt.Minute() == 0 && lt.Second() == 0 {
			return 24 * 60
		}
		return -1
	}
	return lt.Hour()*60 + lt.Minute()
}

// DayClosed reports why the branch is closed on day as a whole (ReasonClosed or ReasonHoliday),
// or ReasonNone when it opens by its weekly hours.
func (r Rules) DayClosed(day Date) Verdict {
	for i := range r.Closings {
		c := r.Closings[i]
		if !day.before(c.From) && !c.To.before(day) {
			return Verdict{Reason: ReasonClosed, Closing: &c}
		}
	}
	if name := HolidayName(r.State, day); name != "" {
		open := false
		for _, o := range r.OpenOnHolidays {
			open = open || o == day
		}
		if !open {
			return Verdict{Reason: ReasonHoliday, Holiday: name}
		}
	}
	if len(r.Branch[day.Midnight(r.loc()).Weekday()]) == 0 {
		return Verdict{Reason: ReasonClosed}
	}
	return Verdict{}
}

func within(spans []Span, from, to int) (Span, bool) {
	for _, s := range spans {
		if from >= s.From && to <= s.To {
			return s, true
		}
	}
	return Span{}, false
}

func containing(spans []Span, m int) (Span, bool) {
	for _, s := range spans {
		if m >= s.From && m < s.To {
			return s, true
		}
	}
	return Span{}, false
}

// Check decides whether the slot [start, end) may be booked at now. A slot that ends before it
// starts, or is empty, is outside the opening hours.
func (r Rules) Check(start, end, now time.Time) Verdict {
	switch {
	case start.Before(now):
		return Verdict{Reason: ReasonInThePast}
	case start.Before(now.Add(r.notice())):
		return Verdict{Reason: ReasonTooSoon}
	case !start.Before(r.Horizon(now)):
		return Verdict{Reason: ReasonTooFar}
	}
	return r.Fits(start, end)
}

// Fits decides whether the slot [start, end) lies inside the rules of the calendar: the
// branch's days and hours, the staff member's hours and time off. It leaves out what depends
// on when the slot is booked (past, notice, horizon), so it also judges an appointment that is
// already stored.
func (r Rules) Fits(start, end time.Time) Verdict {
	loc := r.loc()
	day := DateOf(start.In(loc))
	if v := r.DayClosed(day); !v.OK() {
		return v
	}
	weekday := start.In(loc).Weekday()
	from, to := minutes(start, day, loc), minutes(end, day, loc)
	if !end.After(start) || to < 0 {
		return r.outside(day, from, end.Sub(start), r.Branch[weekday])
	}
	if _, ok := within(r.Branch[weekday], from, to); !ok {
		return r.outside(day, from, end.Sub(start), r.Branch[weekday])
	}
	if r.Staff != nil {
		if _, ok := within(r.Staff[weekday], from, to); !ok {
			return Verdict{Reason: ReasonStaffAbsent}
		}
	}
	for i := range r.TimeOff {
		a := r.TimeOff[i]
		if start.Before(a.To) && a.From.Before(end) {
			return Verdict{Reason: ReasonStaffAbsent, Absence: &a}
		}
	}
	return Verdict{}
}

func (r Rules) outside(day Date, from int, d time.Duration, spans []Span) Verdict {
	v := Verdict{Reason: ReasonOutsideOpeningHours}
	if s, ok := containing(spans, from); ok {
		mid := day.Midnight(r.loc())
		v.Closes = wall(mid, s.To)
		if last := s.To - int(d/time.Minute); last >= s.From {
			v.LastStart = wall(mid, last)
		}
	}
	return v
}

// wall is the instant of the wall-clock minute m of the day starting at mid (DST-safe).
func wall(mid time.Time, m int) time.Time {
	return time.Date(mid.Year(), mid.Month(), mid.Day(), m/60, m%60, 0, 0, mid.Location())
}

// Step is the grid NextPossible searches on.
const Step = 15 * time.Minute

// NextPossible is the earliest start at or after after, on the Step grid of local wall-clock
// time, at which a slot of duration d may be booked at now; false when there is none before the
// booking horizon.
func (r Rules) NextPossible(after time.Time, d time.Duration, now time.Time) (time.Time, bool) {
	loc := r.loc()
	if earliest := now.Add(r.notice()); after.Before(earliest) {
		after = earliest
	}
	horizon := r.Horizon(now)
	step := int(Step / time.Minute)
	for day := DateOf(after.In(loc)); day.Midnight(loc).Before(horizon); day = DateOf(day.Midnight(loc).AddDate(0, 0, 1)) {
		if !r.DayClosed(day).OK() {
			continue
		}
		mid := day.Midnight(loc)
		for _, s := range r.Branch[mid.Weekday()] {
			for m := (s.From + step - 1) / step * step; m+int(d/time.Minute) <= s.To; m += step {
				t := wall(mid, m)
				if t.Before(after) {
					continue
				}
				if r.Check(t, t.Add(d), now).OK() {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// LastPossible is the latest start before the booking horizon, on the Step grid of local
// wall-clock time, at which a slot of duration d may be booked at now; false when there is none.
func (r Rules) LastPossible(d time.Duration, now time.Time) (time.Time, bool) {
	loc := r.loc()
	earliest := now.Add(r.notice())
	step := int(Step / time.Minute)
	first := DateOf(earliest.In(loc))
	for day := DateOf(r.Horizon(now).Add(-time.Nanosecond).In(loc)); !day.before(first); day = DateOf(day.Midnight(loc).AddDate(0, 0, -1)) {
		if !r.DayClosed(day).OK() {
			continue
		}
		mid := day.Midnight(loc)
		spans := r.Branch[mid.Weekday()]
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			for m := (s.To - int(d/time.Minute)) / step * step; m >= s.From; m -= step {
				if t := wall(mid, m); r.Check(t, t.Add(d), now).OK() {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// NextOpenDay is the first day after day on which the branch opens by its weekly hours (not a
// closing day nor a holiday), within a year; false when there is none.
func (r Rules) NextOpenDay(day Date) (Date, bool) {
	loc := r.loc()
	for i := 1; i <= 366; i++ {
		d := DateOf(day.Midnight(loc).AddDate(0, 0, i))
		if r.DayClosed(d).OK() {
			return d, true
		}
	}
	return Date{}, false
}

// FromWire builds the rules of staff (nil: any staff member, the branch's hours) at branch for
// eventType (nil: the company's defaults) of company. The branch's TimeZone must be an IANA name
// (empty: the company's, then UTC). Malformed hours or dates are an error.
func FromWire(company database.Company, branch database.Branch, staff *database.Staff, eventType *database.EventType) (Rules, error) {
	tz := branch.TimeZone
	if tz == "" {
		tz = company.TimeZone
	}
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return Rules{}, fmt.Errorf("schedule: branch time zone %q: %w", tz, err)
		}
		loc = l
	}
	week, err := ParseWeek(branch.OpeningHours)
	if err != nil {
		return Rules{}, err
	}
	r := Rules{Location: loc, Branch: week, State: branch.State}
	r.Notice, r.HorizonDays = Limits(company, eventType)
	for _, c := range branch.ClosingDays {
		from, err := ParseDate(c.From)
		if err != nil {
			return Rules{}, err
		}
		to, err := ParseDate(c.To)
		if err != nil {
			return Rules{}, err
		}
		if to.before(from) {
			return Rules{}, fmt.Errorf("schedule: closing days %s to %s end before they start", c.From, c.To)
		}
		r.Closings = append(r.Closings, Closing{From: from, To: to, Label: c.Label})
	}
	for _, s := range branch.OpenOnHolidays {
		d, err := ParseDate(s)
		if err != nil {
			return Rules{}, err
		}
		r.OpenOnHolidays = append(r.OpenOnHolidays, d)
	}
	if staff != nil {
		if h, ok := staff.WorkingHours[branch.ID]; ok {
			w, err := ParseWeek(h)
			if err != nil {
				return Rules{}, err
			}
			r.Staff = &w
		}
		for _, t := range staff.TimeOff {
			r.TimeOff = append(r.TimeOff, Absence{From: t.From, To: t.To, Reason: t.Reason})
		}
	}
	return r, nil
}

// Limits resolves the minimum notice and booking horizon of eventType (nil: the company's),
// as Rules.Notice and Rules.HorizonDays take them. Each is chosen on its own, first set wins:
//
//  1. Cal.com's value of the event type, as synced (CalcomMinimumNoticeMinutes,
//     CalcomBookingHorizonDays): Cal.com enforces it anyway, so where it is set it wins, also
//     when it is looser than the tenant's;
//  2. the tenant's value of the event type (MinimumNoticeMinutes, BookingHorizonDays);
//  3. the company's default (companies.minimum_notice_minutes, booking_horizon_days);
//  4. DefaultNotice (2 hours) and DefaultHorizonDays (90 days): a zero Notice or HorizonDays.
//
// An explicit notice of 0 (Cal.com's or the event type's) means no notice beyond "not in the
// past" (time.Nanosecond, since 0 means the default). A horizon of 0 days cannot be told from
// "unset" by Rules, so a Cal.com horizon of 0 (a date range that has ended) becomes 1 day:
// Cal.com then offers no slots anyway, and its own check refuses the booking.
func Limits(company database.Company, eventType *database.EventType) (notice time.Duration, horizonDays int) {
	notice = time.Duration(company.MinimumNoticeMinutes) * time.Minute
	horizonDays = company.BookingHorizonDays
	if eventType == nil {
		return notice, horizonDays
	}
	switch m := firstSet(eventType.CalcomMinimumNoticeMinutes, eventType.MinimumNoticeMinutes); {
	case m == nil:
	case *m == 0:
		notice = time.Nanosecond // an explicit 0: no notice beyond "not in the past"
	case *m > 0:
		notice = time.Duration(*m) * time.Minute
	}
	if d := eventType.CalcomBookingHorizonDays; d != nil && *d >= 0 {
		return notice, max(*d, 1)
	}
	if d := eventType.BookingHorizonDays; d != nil && *d > 0 {
		horizonDays = *d
	}
	return notice, horizonDays
}

// firstSet is the first non-negative value of vs, or nil.
func firstSet(vs ...*int) *int {
	for _, v := range vs {
		if v != nil && *v >= 0 {
			return v
		}
	}
	return nil
}

// WorksAt reports whether staff may be booked at branchID: their home branch or a branch of
// their working hours.
func WorksAt(staff database.Staff, branchID string) bool {
	if staff.BranchID == branchID {
		return true
	}
	_, ok := staff.WorkingHours[branchID]
	return ok
}
