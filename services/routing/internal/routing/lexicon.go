package routing

import (
	"strings"
	"time"
)

// weekdays maps German and English weekday words (folded) to the weekday. The adverbial
// forms ("dienstags") count too: callers use them for the next such day.
var weekdays = map[string]time.Weekday{
	"montag": time.Monday, "dienstag": time.Tuesday, "mittwoch": time.Wednesday,
	"donnerstag": time.Thursday, "freitag": time.Friday, "samstag": time.Saturday,
	"sonnabend": time.Saturday, "sonntag": time.Sunday,
	"montags": time.Monday, "dienstags": time.Tuesday, "mittwochs": time.Wednesday,
	"donnerstags": time.Thursday, "freitags": time.Friday, "samstags": time.Saturday,
	"sonntags": time.Sunday,
	"monday":   time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sunday": time.Sunday,
}

// months maps month words to the month. "may", "march" and the like are verbs too, so a month
// word only counts next to a day number (see dates.go).
var months = map[string]time.Month{
	"januar": time.January, "jaenner": time.January, "janner": time.January, "jan": time.January,
	"februar": time.February, "feber": time.February, "feb": time.February,
	"maerz": time.March, "marz": time.March, "merz": time.March, "mrz": time.March,
	"april": time.April, "apr": time.April, "mai": time.May,
	"juni": time.June, "jun": time.June, "juno": time.June, "juli": time.July, "jul": time.July, "julei": time.July,
	"august": time.August, "aug": time.August, "september": time.September, "sep": time.September,
	"sept": time.September, "oktober": time.October, "okt": time.October, "november": time.November,
	"nov": time.November, "dezember": time.December, "dez": time.December,
	"january": time.January, "february": time.February, "march": time.March, "may": time.May,
	"june": time.June, "july": time.July, "october": time.October, "oct": time.October,
	"december": time.December, "dec": time.December,
}

// dayPart is a part of the day as a range of minutes after midnight, and the window in which a
// bare clock reading qualified by it must lie ("um acht abends" is 20:00).
type dayPart struct {
	name       string // German adverb for the read-back
	from, to   int
	winF, winT int
}

var (
	partEarly     = dayPart{"früh", 7 * 60, 10 * 60, 0, 12 * 60}
	partMorning   = dayPart{"vormittags", 8 * 60, 12 * 60, 0, 12 * 60}
	partNoon      = dayPart{"mittags", 11*60 + 30, 14 * 60, 11 * 60, 15 * 60}
	partAfternoon = dayPart{"nachmittags", 13 * 60, 18 * 60, 12 * 60, 24 * 60}
	partEvening   = dayPart{"abends", 17 * 60, 22 * 60, 16 * 60, 24 * 60}
	partNight     = dayPart{"nachts", 0, 6 * 60, 0, 6 * 60}
)

// dayParts maps words to parts of the day. "morgen" is missing on purpose: it means tomorrow
// unless a day word precedes it ("heute Morgen"), which dates.go handles.
var dayParts = map[string]dayPart{
	"frueh": partEarly, "fruh": partEarly, "morgens": partEarly,
	"vormittag": partMorning, "vormittags": partMorning, "morning": partMorning,
	"mittag": partNoon, "mittags": partNoon, "mittagszeit": partNoon, "mittagspause": partNoon,
	"noon": partNoon, "lunchtime": partNoon,
	"nachmittag": partAfternoon, "nachmittags": partAfternoon, "afternoon": partAfternoon,
	"abend": partEvening, "abends": partEvening, "evening": partEvening, "tonight": partEvening,
	"nachts": partNight, "nacht": partNight, "night": partNight,
}

// dayCompound splits one-word compounds such as "dienstagvormittag" or "morgenfrüh" into the
// day word and the part of the day.
func dayCompound(w string) (day string, part dayPart, ok bool) {
	for _, suffix := range []string{"vormittag", "nachmittag", "mittag", "abend", "morgen", "frueh"} {
		if !strings.HasSuffix(w, suffix) || len(w) == len(suffix) {
			continue
		}
		head := w[:len(w)-len(suffix)]
		if _, isDay := weekdays[head]; isDay || head == "morgen" || head == "heute" {
			p, found := dayParts[suffix]
			if suffix == "morgen" {
				p, found = partEarly, true
			}
			return head, p, found
		}
	}
	return "", dayPart{}, false
}

// countNouns are nouns a number counts rather than tells the time with: "um 2 Personen",
// "zwei Kinder".
var countNouns = map[string]bool{
	"person": true, "personen": true, "leute": true, "leuten": true, "kinder": true, "kindern": true,
	"kind": true, "erwachsene": true, "gaeste": true, "stueck": true, "euro": true, "prozent": true,
	"minuten": true, "minute": true, "stunden": true, "stunde": true, "tage": true, "tagen": true,
	"wochen": true, "mal": true, "termine": true, "plaetze": true, "people": true, "persons": true,
	"kids": true, "children": true, "minutes": true, "hours": true, "days": true, "weeks": true,
	"dollar": true, "cent": true, "jahre": true, "jahren": true, "monate": true, "monaten": true,
}

// germanWeekday and germanMonth name days and months in read-backs.
var (
	germanWeekday = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	germanMonth   = [...]string{"", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
		"September", "Oktober", "November", "Dezember"}
)
