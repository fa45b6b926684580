package calsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// Seed is the simulator's starting data. The JSON field names are those of the seed file.
type Seed struct {
	Accounts   []Account   `json:"accounts"`
	Users      []User      `json:"users"`
	Schedules  []Schedule  `json:"schedules"`
	EventTypes []EventType `json:"eventTypes"`
}

// Account is an API key and the user it authenticates.
type Account struct {
	APIKey string `json:"apiKey"`
	UserID int    `json:"userId"`
}

// User is a Cal.com user (a host).
type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
}

// Schedule is a user's weekly working hours in its own time zone.
type Schedule struct {
	ID           int            `json:"id"`
	UserID       int            `json:"userId"`
	Name         string         `json:"name"`
	TimeZone     string         `json:"timeZone"`
	IsDefault    bool           `json:"isDefault"`
	Availability []Availability `json:"availability"`
}

// Availability is one block of working hours on the listed weekdays ("Monday"…), "HH:MM".
type Availability struct {
	Days      []string `json:"days"`
	StartTime string   `json:"startTime"`
	EndTime   string   `json:"endTime"`
}

// EventType is a bookable service of one user.
type EventType struct {
	ID              int    `json:"id"`
	UserID          int    `json:"userId"`
	Slug            string `json:"slug"`
	Title           string `json:"title"`
	LengthInMinutes int    `json:"lengthInMinutes"`
	SlotInterval    int    `json:"slotInterval,omitempty"`
	// MinimumBookingNotice in minutes; nil: the field is left out of event-type answers.
	MinimumBookingNotice *int `json:"minimumBookingNotice,omitempty"`
	ScheduleID           int  `json:"scheduleId,omitempty"`
	// RequiresEmail makes the attendee's e-mail a required booking field.
	RequiresEmail bool `json:"requiresEmail,omitempty"`
	// BookingWindow limits how far ahead slots are offered; nil: no limit, and the field is
	// left out of event-type answers.
	BookingWindow *BookingWindow `json:"bookingWindow,omitempty"`
	// BookingWindowShape is how event-type answers carry the window: "array" (default: a list of
	// one window, as the OpenAPI document declares EventTypeOutput_2024_06_14.bookingWindow) or
	// "object" (one window, as Cal.com's transformFutureBookingLimitsInternalToApi returns it).
	BookingWindowShape string `json:"bookingWindowShape,omitempty"`
}

// BookingWindow is an event type's future-booking limit: Type businessDays or calendarDays
// with Days, or range with From and To ("2006-01-02", inclusive, in the schedule's zone).
type BookingWindow struct {
	Type    string `json:"type"`
	Days    int    `json:"days,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	Rolling bool   `json:"rolling,omitempty"`
}

// Window types.
const (
	WindowBusinessDays = "businessDays"
	WindowCalendarDays = "calendarDays"
	WindowRange        = "range"
)

// output is the window as EventTypeOutput_2024_06_14 carries one.
func (w BookingWindow) output() map[string]any {
	if w.Type == WindowRange {
		return map[string]any{"type": w.Type, "value": []string{w.From, w.To}}
	}
	return map[string]any{"type": w.Type, "value": w.Days, "rolling": w.Rolling}
}

func (w BookingWindow) validate() error {
	switch w.Type {
	case WindowBusinessDays, WindowCalendarDays:
		if w.Days < 0 {
			return fmt.Errorf("booking window: negative days: %w", errSeed)
		}
	case WindowRange:
		from, err1 := time.Parse(time.DateOnly, w.From)
		to, err2 := time.Parse(time.DateOnly, w.To)
		if err1 != nil || err2 != nil || to.Before(from) {
			return fmt.Errorf("booking window range %s..%s: %w", w.From, w.To, errSeed)
		}
	default:
		return fmt.Errorf("booking window type %q: %w", w.Type, errSeed)
	}
	return nil
}

var errSeed = errors.New("invalid seed")

// LoadSeed reads a seed file.
func LoadSeed(path string) (Seed, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	var s Seed
	if err := json.Unmarshal(raw, &s); err != nil {
		return Seed{}, fmt.Errorf("decode seed %s: %w", path, err)
	}
	return s, nil
}

// DefaultSeed is one practice in Berlin: user 1 with key apiKey, Monday to Friday 09:00–17:00,
// event types 100 (30 min, phone only) and 101 (60 min, e-mail required).
func DefaultSeed(apiKey string) Seed {
	return Seed{
		Accounts: []Account{{APIKey: apiKey, UserID: 1}},
		Users: []User{{ID: 1, Username: "praxis-berlin", Email: "praxis@example.com",
			Name: "Praxis Berlin", TimeZone: "Europe/Berlin"}},
		Schedules: []Schedule{{ID: 1, UserID: 1, Name: "Opening hours", TimeZone: "Europe/Berlin", IsDefault: true,
			Availability: []Availability{{
				Days:      []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"},
				StartTime: "09:00", EndTime: "17:00",
			}}}},
		EventTypes: []EventType{
			{ID: 100, UserID: 1, Slug: "beratung", Title: "Beratung", LengthInMinutes: 30, ScheduleID: 1},
			{ID: 101, UserID: 1, Slug: "behandlung", Title: "Behandlung", LengthInMinutes: 60, ScheduleID: 1, RequiresEmail: true},
		},
	}
}

// validate checks references and parses what later code relies on.
func (s Seed) validate() error {
	if len(s.Accounts) == 0 {
		return fmt.Errorf("no accounts: %w", errSeed)
	}
	users := map[int]bool{}
	for _, u := range s.Users {
		if _, err := time.LoadLocation(u.TimeZone); err != nil {
			return fmt.Errorf("user %d time zone: %w", u.ID, err)
		}
		users[u.ID] = true
	}
	for _, a := range s.Accounts {
		if a.APIKey == "" || !users[a.UserID] {
			return fmt.Errorf("account for user %d: %w", a.UserID, errSeed)
		}
	}
	for _, sc := range s.Schedules {
		if err := sc.validate(users); err != nil {
			return err
		}
	}
	for _, et := range s.EventTypes {
		if !users[et.UserID] || et.LengthInMinutes <= 0 || et.Slug == "" ||
			(et.MinimumBookingNotice != nil && *et.MinimumBookingNotice < 0) {
			return fmt.Errorf("event type %d: %w", et.ID, errSeed)
		}
		if et.BookingWindow != nil {
			if err := et.BookingWindow.validate(); err != nil {
				return fmt.Errorf("event type %d: %w", et.ID, err)
			}
		}
		if sh := et.BookingWindowShape; sh != "" && sh != "array" && sh != "object" {
			return fmt.Errorf("event type %d: booking window shape %q: %w", et.ID, sh, errSeed)
		}
	}
	return nil
}

func (sc Schedule) validate(users map[int]bool) error {
	if !users[sc.UserID] {
		return fmt.Errorf("schedule %d: unknown user: %w", sc.ID, errSeed)
	}
	if _, err := time.LoadLocation(sc.TimeZone); err != nil {
		return fmt.Errorf("schedule %d time zone: %w", sc.ID, err)
	}
	for _, a := range sc.Availability {
		if _, err := clockMinutes(a.StartTime); err != nil {
			return fmt.Errorf("schedule %d: %w", sc.ID, err)
		}
		if _, err := clockMinutes(a.EndTime); err != nil {
			return fmt.Errorf("schedule %d: %w", sc.ID, err)
		}
		for _, d := range a.Days {
			if _, ok := weekdays[d]; !ok {
				return fmt.Errorf("schedule %d: day %q: %w", sc.ID, d, errSeed)
			}
		}
	}
	return nil
}

var weekdays = map[string]time.Weekday{
	"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday, "Wednesday": time.Wednesday,
	"Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday,
}

// clockMinutes parses "HH:MM" into minutes after midnight.
func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("time of day %q: %w", s, err)
	}
	return t.Hour()*60 + t.Minute(), nil
}
