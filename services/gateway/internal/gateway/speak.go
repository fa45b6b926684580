package gateway

import (
	"fmt"
	"strings"
	"time"
)

var (
	germanWeekdays = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	germanMonths   = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
)

// germanDateTime reads a time the way a German receptionist says it:
// "Dienstag, 1. Dezember 2026, 14:30 Uhr", and "9 Uhr" on the full hour (never "09:00 Uhr").
func germanDateTime(t time.Time) string {
	clock := fmt.Sprintf("%d:%02d Uhr", t.Hour(), t.Minute())
	if t.Minute() == 0 {
		clock = fmt.Sprintf("%d Uhr", t.Hour())
	}
	return fmt.Sprintf("%s, %d. %s %d, %s", germanWeekdays[t.Weekday()], t.Day(), germanMonths[t.Month()-1], t.Year(), clock)
}

// joinGerman joins items as "a, b und c".
func joinGerman(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " und " + items[len(items)-1]
}

// Speakable apologies, one per kind of failure the agent can explain to a caller.
const (
	sayUnavailable   = "Entschuldigung, ich komme gerade nicht an den Terminkalender. Darf ich Sie später zurückrufen lassen, oder möchten Sie es in ein paar Minuten noch einmal versuchen?"
	sayNotUnderstood = "Das habe ich leider nicht ganz verstanden. Können Sie mir bitte noch einmal sagen, was Sie möchten?"
	sayInternal      = "Entschuldigung, da ist bei mir etwas schiefgegangen. Ich notiere Ihren Wunsch, und wir melden uns bei Ihnen."
	sayWhichService  = "Für welche Leistung möchten Sie einen Termin?"
	sayWhen          = "Wann hätten Sie denn Zeit? Sie können mir einen Tag und eine Uhrzeit nennen."
	sayNoAppointment = "Ich habe leider keinen passenden Termin gefunden. Haben Sie vielleicht Ihre Bestätigungsnummer zur Hand?"
)
