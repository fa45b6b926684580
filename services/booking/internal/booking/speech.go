package booking

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/askproai/backend/pkg/schedule"
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

// zones holds the time zones location has loaded: time.LoadLocation reads and parses the zone
// file on every call, which was about a quarter of the CPU of a create. A zone's rules do not
// change while the process runs (new tzdata comes with a new image).
var zones sync.Map // name → *time.Location

func location(name string) (*time.Location, error) {
	if name == "" {
		return nil, invalid("time_zone", "missing")
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("time_zone", "unknown zone "+name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// refusalHead says what is true about the wished start: which rule it breaks, in words a caller
// can hear.
func refusalHead(cat catalogue, r schedule.Rules, st Staff, v schedule.Verdict, start, now time.Time) string {
	l := start.In(cat.loc)
	switch v.Reason {
	case schedule.ReasonInThePast:
		return "Dieser Zeitpunkt liegt leider schon in der Vergangenheit."
	case schedule.ReasonTooSoon:
		return fmt.Sprintf("So kurzfristig kann ich leider nicht buchen; Termine gehen frühestens %s im Voraus.", spokenDuration(noticeOf(r)))
	case schedule.ReasonTooFar:
		last := r.Horizon(now).Add(-time.Minute).In(cat.loc)
		return fmt.Sprintf("So weit im Voraus kann ich leider noch nicht buchen; Termine vergebe ich bis zu %d Tage im Voraus, also bis zum %s.",
			horizonOf(r), spokenDate(last))
	case schedule.ReasonHoliday:
		return fmt.Sprintf("Am %s ist %s, da haben wir geschlossen.", spokenDate(l), holidayPhrase(v.Holiday))
	case schedule.ReasonClosed:
		return closedHead(r, v, l)
	case schedule.ReasonOutsideOpeningHours:
		return outsideHead(cat, r, v, l)
	case schedule.ReasonStaffAbsent:
		return absentHead(r, st, v, l)
	}
	return "Dieser Termin ist leider nicht möglich."
}

// closedHead says why the day is closed: a closing of the tenant (with the first day open again
// after it), no hours on that weekday, or no hours at all.
func closedHead(r schedule.Rules, v schedule.Verdict, l time.Time) string {
	if v.Closing == nil {
		if !hasHours(r.Branch) {
			return "Für diesen Standort sind leider keine Öffnungszeiten hinterlegt, deshalb kann ich hier keine Termine vergeben."
		}
		return fmt.Sprintf("%ss haben wir geschlossen.", germanWeekdays[l.Weekday()])
	}
	head := fmt.Sprintf("Am %s haben wir geschlossen", spokenDate(l))
	switch label := strings.TrimSpace(v.Closing.Label); {
	case isClosureNoun(label):
		head = fmt.Sprintf("Am %s haben wir %s", spokenDate(l), label)
	case label != "":
		head += " (" + label + ")"
	}
	if open, ok := r.NextOpenDay(v.Closing.To); ok {
		return head + fmt.Sprintf("; ab dem %d. %s bin ich wieder für Sie da.", open.Day, germanMonths[open.Month-1])
	}
	return head + "."
}

// closureNouns end the labels that read as what the business has on those days ("haben wir
// Betriebsferien", "haben wir Inventur"); any other label ("Heiligabend") would sound wrong
// after "haben wir" and is said in brackets after "geschlossen".
var closureNouns = []string{"ferien", "urlaub", "pause", "inventur", "betriebsausflug", "betriebsruhe",
	"betriebsversammlung", "fortbildung", "schulung", "weihnachtsfeier"}

func isClosureNoun(label string) bool {
	words := strings.Fields(label)
	if len(words) == 0 || len(words) > 2 {
		return false
	}
	w := strings.ToLower(words[0])
	for _, n := range closureNouns {
		if strings.HasSuffix(w, n) {
			return true
		}
	}
	return false
}

// holidayPhrase is a holiday's name as it follows "Am 25. Dezember ist": with the article where
// German needs one ("der Tag der Arbeit") and in the words people use ("Weihnachten").
func holidayPhrase(name string) string {
	switch name {
	case "Neujahrstag":
		return "Neujahr"
	case "Weihnachtstag":
		return "Weihnachten"
	case "Zweiter Weihnachtsfeiertag":
		return "der zweite Weihnachtsfeiertag"
	case "Tag der Arbeit", "Tag der Deutschen Einheit", "Frauentag", "Weltkindertag", "Reformationstag":
		return "der " + name
	}
	return name
}

// outsideHead says when the branch closes or when it is open that day.
func outsideHead(cat catalogue, r schedule.Rules, v schedule.Verdict, l time.Time) string {
	wd := germanWeekdays[l.Weekday()]
	switch {
	case !v.Closes.IsZero() && !v.LastStart.IsZero():
		return fmt.Sprintf("%ss schließen wir um %s; der letzte Termin für %s ist um %s.",
			wd, spokenClock(v.Closes, cat.loc), cat.eventType.Name, spokenClock(v.LastStart, cat.loc))
	case !v.Closes.IsZero():
		return fmt.Sprintf("%ss schließen wir um %s; für %s reicht die Zeit davor leider nicht.",
			wd, spokenClock(v.Closes, cat.loc), cat.eventType.Name)
	}
	return fmt.Sprintf("%ss haben wir %s geöffnet.", wd, spokenSpans(r.Branch[l.Weekday()]))
}

// absentHead names the staff member and says that they are not there that day, or when they
// are.
func absentHead(r schedule.Rules, st Staff, v schedule.Verdict, l time.Time) string {
	name := st.Name
	if name == "" {
		name = "Die gewünschte Person"
	}
	if v.Absence != nil {
		mid := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, l.Location())
		if !v.Absence.From.After(mid) && !v.Absence.To.Before(mid.AddDate(0, 0, 1)) {
			return name + " ist an diesem Tag nicht da."
		}
		return name + " ist zu dieser Zeit nicht da."
	}
	if r.Staff == nil || len(r.Staff[l.Weekday()]) == 0 {
		return name + " ist an diesem Tag nicht da."
	}
	return fmt.Sprintf("%s ist %ss nur %s da.", name, strings.ToLower(germanWeekdays[l.Weekday()]), spokenSpans(r.Staff[l.Weekday()]))
}

// spokenSpans is "von 9 bis 12 Uhr und von 13 bis 18 Uhr".
func spokenSpans(spans []schedule.Span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = fmt.Sprintf("von %s bis %s Uhr", spokenMinute(s.From), spokenMinute(s.To))
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " und " + parts[len(parts)-1]
}

func spokenMinute(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d", m/60)
	}
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// spokenDate is "24. Dezember".
func spokenDate(t time.Time) string { return fmt.Sprintf("%d. %s", t.Day(), germanMonths[t.Month()-1]) }

func hasHours(w schedule.Week) bool {
	for _, spans := range w {
		if len(spans) > 0 {
			return true
		}
	}
	return false
}

func noticeOf(r schedule.Rules) time.Duration {
	if r.Notice <= 0 {
		return schedule.DefaultNotice
	}
	return r.Notice
}

func horizonOf(r schedule.Rules) int {
	if r.HorizonDays <= 0 {
		return schedule.DefaultHorizonDays
	}
	return r.HorizonDays
}

// spokenDuration is "2 Stunden", "90 Minuten", "eine Stunde".
func spokenDuration(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m == 60:
		return "eine Stunde"
	case m%60 == 0:
		return fmt.Sprintf("%d Stunden", m/60)
	default:
		return fmt.Sprintf("%d Minuten", m)
	}
}
