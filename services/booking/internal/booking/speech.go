package booking

import (
	"fmt"
	"strings"
	"time"
)

var (
	germanWeekdays = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	germanMonths   = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
		"August", "September", "Oktober", "November", "Dezember"}
)

// SpokenTime reads t back in German in loc as a receptionist says it: "Dienstag, 1. Dezember,
// um 14:30 Uhr", and "um 9 Uhr" on the full hour (never "um 09:00 Uhr").
func SpokenTime(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return fmt.Sprintf("%s, %d. %s, um %s", germanWeekdays[l.Weekday()], l.Day(), germanMonths[l.Month()-1], spokenClock(t, loc))
}

// spokenClock is "9 Uhr" or "14:30 Uhr".
func spokenClock(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	if l.Minute() == 0 {
		return fmt.Sprintf("%d Uhr", l.Hour())
	}
	return fmt.Sprintf("%d:%02d Uhr", l.Hour(), l.Minute())
}

// SpokenCode spells a confirmation number character by character for the phone.
func SpokenCode(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

func createdSentence(et EventType, staffName string, b Booking, loc *time.Location) string {
	return fmt.Sprintf("Ihr Termin für %s%s ist gebucht: %s. Ihre Bestätigungsnummer ist %s.",
		et.Name, withStaff(staffName), SpokenTime(b.Start, loc), SpokenCode(b.ConfirmationNumber))
}

func cancelledSentence(b Booking, loc *time.Location) string {
	return fmt.Sprintf("Ihr Termin am %s ist storniert.", SpokenTime(b.Start, loc))
}

func rescheduledSentence(prev, b Booking, loc *time.Location) string {
	return fmt.Sprintf("Ihr Termin wurde von %s auf %s verlegt. Ihre Bestätigungsnummer ist %s.",
		SpokenTime(prev.Start, loc), SpokenTime(b.Start, loc), SpokenCode(b.ConfirmationNumber))
}

func availabilitySentence(a Availability, loc *time.Location) string {
	switch {
	case len(a.Options) == 0:
		return "Leider ist zu dieser Zeit nichts frei."
	case a.Exact:
		return fmt.Sprintf("%s ist frei.", SpokenTime(a.Options[0].Start, loc))
	default:
		return "Zur gewünschten Zeit ist leider nichts frei. Ich kann Ihnen anbieten: " + listOptions(a.Options) + "."
	}
}

func alternativesSentence(wish time.Time, a Alternatives, loc *time.Location) string {
	head := fmt.Sprintf("Leider ist %s nicht mehr frei.", SpokenTime(wish, loc))
	if a.Empty() {
		return head + " In den nächsten Tagen habe ich keinen freien Termin gefunden."
	}
	all := append(append(append([]Option{}, a.SameStaff...), a.OtherStaff...), a.NextDays...)
	return head + " Ich kann Ihnen anbieten: " + listOptions(all[:min(len(all), 3)]) + "."
}

func listOptions(opts []Option) string {
	parts := make([]string, 0, len(opts))
	for _, o := range opts {
		parts = append(parts, o.Spoken+withStaff(o.StaffName))
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], "; ") + " oder " + parts[len(parts)-1]
}

func withStaff(name string) string {
	if name == "" {
		return ""
	}
	return " bei " + name
}

func location(name string) (*time.Location, error) {
	if name == "" {
		return nil, invalid("time_zone", "missing")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("time_zone", "unknown zone "+name)
	}
	return loc, nil
}
