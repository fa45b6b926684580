package routing

import "time"

// civil is a calendar date without a time zone. Day arithmetic goes through time.Date, never
// through 24-hour durations, so it is right across daylight-saving changes.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// validCivil reports whether y-m-d exists (no 31 April, 29 February only in leap years).
func validCivil(y int, m time.Month, d int) (civil, bool) {
	if m < time.January || m > time.December || d < 1 || d > 31 {
		return civil{}, false
	}
	c := civilOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
	return c, c.m == m && c.d == d
}

func (c civil) add(days int) civil {
	return civilOf(time.Date(c.y, c.m, c.d+days, 12, 0, 0, 0, time.UTC))
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.m != o.m {
		return c.m < o.m
	}
	return c.d < o.d
}

// at is the instant minutes after midnight on c in loc. Minutes past 24:00 roll over to the
// next day. On a spring-forward day a wall time that does not exist moves forward, as
// time.Date documents.
func (c civil) at(minutes int, loc *time.Location) time.Time {
	return time.Date(c.y, c.m, c.d, 0, minutes, 0, 0, loc)
}

// mondayIndex counts Monday as 0 and Sunday as 6, the German week.
func mondayIndex(wd time.Weekday) int {
	return (int(wd) + 6) % 7
}

// weekStart is the Monday of c's week.
func (c civil) weekStart() civil {
	return c.add(-mondayIndex(c.weekday()))
}

// addMonths is the same day n months later, if that month has it.
func (c civil) addMonths(n int) (civil, bool) {
	first := civilOf(time.Date(c.y, c.m+time.Month(n), 1, 12, 0, 0, 0, time.UTC))
	return validCivil(first.y, first.m, c.d)
}
