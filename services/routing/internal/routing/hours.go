package routing

import "time"

// Span is an opening interval in minutes after midnight, [From, To).
type Span struct{ From, To int }

// OpeningHours are a branch's opening intervals by weekday (index time.Weekday). A closed day
// has none.
type OpeningHours [7][]Span

// defaultHours stand in when a branch has none configured: long enough to decide "halb drei"
// (14:30) and "um acht" (8:00) the way a German business would.
var defaultHours = func() OpeningHours {
	var h OpeningHours
	for wd := range h {
		h[wd] = []Span{{From: 8 * 60, To: 20 * 60}}
	}
	return h
}()

func (h OpeningHours) orDefault() OpeningHours {
	for _, spans := range h {
		if len(spans) > 0 {
			return h
		}
	}
	return defaultHours
}

// startsIn reports whether an appointment can start at minute m on wd.
func (h OpeningHours) startsIn(wd time.Weekday, m int) bool {
	for _, s := range h[wd] {
		if m >= s.From && m < s.To {
			return true
		}
	}
	return false
}

// endsIn reports whether something can end at minute m on wd.
func (h OpeningHours) endsIn(wd time.Weekday, m int) bool {
	for _, s := range h[wd] {
		if m > s.From && m <= s.To {
			return true
		}
	}
	return false
}

// bounds are the first opening and the last closing minute on wd; ok is false on a closed day.
func (h OpeningHours) bounds(wd time.Weekday) (open, close int, ok bool) {
	spans := h[wd]
	if len(spans) == 0 {
		return 0, 24 * 60, false
	}
	open, close = spans[0].From, spans[0].To
	for _, s := range spans[1:] {
		open, close = min(open, s.From), max(close, s.To)
	}
	return open, close, true
}

// plausible is the window in which people book appointments at all; it decides AM or PM on a
// closed day or when neither reading falls in the opening hours.
func plausible(m int) bool { return m >= 7*60 && m <= 21*60 }
