package calsim

import (
	"net/http"
	"strconv"
	"time"
)

// parseInstant reads start/end as Cal.com does: ISO-8601 in UTC, a bare date meaning 00:00Z.
func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// adjustEnd stretches an end at exactly midnight to 23:59:59 of that day (slots-input.service.ts).
func adjustEnd(t time.Time) time.Time {
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return u.Add(24*time.Hour - time.Second)
	}
	return u
}

// freeSlots lists the slot starts of et in [from, to] that the schedule offers, that are past
// the minimum notice and that overlap no active booking of the host except ignoreUID.
// Caller holds s.mu.
func (s *Server) freeSlots(et EventType, from, to time.Time, ignoreUID string) []time.Time {
	sc, ok := s.schedule(et)
	if !ok {
		return nil
	}
	loc, _ := time.LoadLocation(sc.TimeZone)
	length := time.Duration(et.LengthInMinutes) * time.Minute
	step := length
	if et.SlotInterval > 0 {
		step = time.Duration(et.SlotInterval) * time.Minute
	}
	earliest := s.now()
	if et.MinimumBookingNotice != nil {
		earliest = earliest.Add(time.Duration(*et.MinimumBookingNotice) * time.Minute)
	}
	if et.BookingWindow != nil {
		first, last := bookingBounds(*et.BookingWindow, s.now(), loc)
		if first.After(from) {
			from = first
		}
		if last.Before(to) {
			to = last
		}
	}
	var out []time.Time
	first := from.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, loc)
	for ; !day.After(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		for _, block := range dayBlocks(sc, day, loc) {
			for t := block[0]; !t.Add(length).After(block[1]); t = t.Add(step) {
				if t.Before(from) || t.After(to) || t.Before(earliest) {
					continue
				}
				if !s.busy(et.UserID, t, t.Add(length), ignoreUID) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// dayBlocks returns the working hours of one local day. Building each bound with time.Date in
// the schedule's zone keeps them right across DST changes.
func dayBlocks(sc Schedule, day time.Time, loc *time.Location) [][2]time.Time {
	var out [][2]time.Time
	for _, a := range sc.Availability {
		for _, d := range a.Days {
			if weekdays[d] != day.Weekday() {
				continue
			}
			start, _ := clockMinutes(a.StartTime)
			end, _ := clockMinutes(a.EndTime)
			out = append(out, [2]time.Time{
				time.Date(day.Year(), day.Month(), day.Day(), start/60, start%60, 0, 0, loc),
				time.Date(day.Year(), day.Month(), day.Day(), end/60, end%60, 0, 0, loc),
			})
		}
	}
	return out
}

// busy reports whether the host has an accepted booking overlapping [start, end). Caller holds s.mu.
func (s *Server) busy(hostID int, start, end time.Time, ignoreUID string) bool {
	for _, b := range s.bookings {
		if b.HostID == hostID && b.Status == statusAccepted && b.UID != ignoreUID &&
			b.Start.Before(end) && start.Before(b.End) {
			return true
		}
	}
	return false
}

func (s *Server) getSlots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := parseInstant(q.Get("start"))
	to, err2 := parseInstant(q.Get("end"))
	if err1 != nil || err2 != nil {
		badRequest(w, r, s.now(), "start and end must be ISO 8601 date strings in UTC")
		return
	}
	loc, err := time.LoadLocation(q.Get("timeZone"))
	if err != nil {
		badRequest(w, r, s.now(), "timeZone must be a valid IANA time zone")
		return
	}
	id, err := strconv.Atoi(q.Get("eventTypeId"))
	et, ok := s.eventType(id)
	if err != nil || !ok {
		writeError(w, r, s.now(), http.StatusNotFound, "NotFoundException", "Event type with id="+q.Get("eventTypeId")+" not found")
		return
	}
	s.mu.Lock()
	starts := s.freeSlots(et, from.UTC(), adjustEnd(to), q.Get("bookingUidToReschedule"))
	s.mu.Unlock()
	writeData(w, http.StatusOK, slotMap(starts, et, loc, q.Get("format") == "range"))
}

func slotMap(starts []time.Time, et EventType, loc *time.Location, ranged bool) map[string][]map[string]string {
	out := map[string][]map[string]string{}
	for _, t := range starts {
		local := t.In(loc)
		slot := map[string]string{"start": local.Format(isoMillis)}
		if ranged {
			slot["end"] = local.Add(time.Duration(et.LengthInMinutes) * time.Minute).Format(isoMillis)
		}
		day := local.Format(time.DateOnly)
		out[day] = append(out[day], slot)
	}
	return out
}

// bookingBounds is the first and last instant a start may have under w, counted from now's local day
// in loc: N calendar days, N business days (Monday to Friday), or the range's days.
func bookingBounds(w BookingWindow, now time.Time, loc *time.Location) (time.Time, time.Time) {
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	endOf := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc).Add(-time.Millisecond)
	}
	switch w.Type {
	case WindowCalendarDays:
		return today, endOf(today.AddDate(0, 0, w.Days))
	case WindowBusinessDays:
		day := today
		for n := w.Days; n > 0; {
			day = day.AddDate(0, 0, 1)
			if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
				n--
			}
		}
		return today, endOf(day)
	default: // range; validated in the seed
		from, _ := time.ParseInLocation(time.DateOnly, w.From, loc)
		to, _ := time.ParseInLocation(time.DateOnly, w.To, loc)
		return from, endOf(to)
	}
}
