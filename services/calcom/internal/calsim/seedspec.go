package calsim

import (
	"fmt"
	"strconv"
	"strings"
)

// SeedSpec is a one-user seed in flag form (cmd/calsim's -api-key, -username, -time-zone,
// -hours, -event-types).
type SeedSpec struct {
	// APIKeys are comma-separated keys, all of user 1.
	APIKeys  string
	Username string
	TimeZone string
	// Hours are weekly opening hours: "Mon-Fri=09:00-17:00;Sat=10:00-14:00" (day ranges wrap
	// in week order Mon…Sun; several intervals per day are separate entries).
	Hours string
	// EventTypes are "id:slug:minutes[:email]" joined by commas; ":email" makes the attendee's
	// e-mail required.
	EventTypes string
}

var dayOrder = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// Seed builds the seed the spec describes.
func (sp SeedSpec) Seed() (Seed, error) {
	s := Seed{
		Users:     []User{{ID: 1, Username: sp.Username, Email: sp.Username + "@example.com", Name: sp.Username, TimeZone: sp.TimeZone}},
		Schedules: []Schedule{{ID: 1, UserID: 1, Name: "Opening hours", TimeZone: sp.TimeZone, IsDefault: true}},
	}
	for _, k := range strings.Split(sp.APIKeys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			s.Accounts = append(s.Accounts, Account{APIKey: k, UserID: 1})
		}
	}
	for _, h := range strings.Split(sp.Hours, ";") {
		a, err := parseHours(strings.TrimSpace(h))
		if err != nil {
			return Seed{}, err
		}
		s.Schedules[0].Availability = append(s.Schedules[0].Availability, a)
	}
	for _, e := range strings.Split(sp.EventTypes, ",") {
		et, err := parseEventType(strings.TrimSpace(e))
		if err != nil {
			return Seed{}, err
		}
		s.EventTypes = append(s.EventTypes, et)
	}
	return s, s.validate()
}

// parseHours reads "Mon-Fri=09:00-17:00" or "Sat=10:00-14:00".
func parseHours(h string) (Availability, error) {
	days, span, ok := strings.Cut(h, "=")
	from, to, ok2 := strings.Cut(span, "-")
	if !ok || !ok2 {
		return Availability{}, fmt.Errorf("hours %q: want Mon-Fri=09:00-17:00: %w", h, errSeed)
	}
	first, last, isRange := strings.Cut(days, "-")
	if !isRange {
		last = first
	}
	i, j := dayIndex(first), dayIndex(last)
	if i < 0 || j < 0 {
		return Availability{}, fmt.Errorf("hours %q: unknown day: %w", h, errSeed)
	}
	a := Availability{StartTime: from, EndTime: to}
	for k := i; ; k = (k + 1) % 7 {
		a.Days = append(a.Days, dayOrder[k])
		if k == j {
			break
		}
	}
	return a, nil
}

func dayIndex(abbr string) int {
	for i, d := range dayOrder {
		if strings.EqualFold(d[:3], abbr) {
			return i
		}
	}
	return -1
}

// parseEventType reads "100:beratung:30" or "101:behandlung:60:email".
func parseEventType(e string) (EventType, error) {
	parts := strings.Split(e, ":")
	if len(parts) < 3 || len(parts) > 4 || (len(parts) == 4 && parts[3] != "email") {
		return EventType{}, fmt.Errorf("event type %q: want id:slug:minutes[:email]: %w", e, errSeed)
	}
	id, err1 := strconv.Atoi(parts[0])
	length, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return EventType{}, fmt.Errorf("event type %q: id and minutes are numbers: %w", e, errSeed)
	}
	return EventType{ID: id, UserID: 1, Slug: parts[1], Title: parts[1], LengthInMinutes: length,
		ScheduleID: 1, RequiresEmail: len(parts) == 4}, nil
}
