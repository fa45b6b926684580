package routing

import (
	"fmt"
	"strings"
	"time"
)

// The constructors below build Whens with their German read-back. The read-back names the
// year only when it is not the year of the call, so "am 2. Januar" said on 30 December is
// read back as "Samstag, 2. Januar 2027".

func dayWhen(d civil, ref time.Time) When {
	loc := ref.Location()
	return When{Kind: KindDay, Start: d.at(0, loc), End: d.add(1).at(0, loc), Readback: dayPhrase(d, ref)}
}

func weekWhen(monday civil, ref time.Time) When {
	loc := ref.Location()
	sunday := monday.add(6)
	rb := fmt.Sprintf("in der Woche vom %s bis %s", shortDate(monday, ref), shortDate(sunday, ref))
	return When{Kind: KindWeek, Start: monday.at(0, loc), End: monday.add(7).at(0, loc), Readback: rb}
}

func atWhen(d civil, m int, loc *time.Location, ref time.Time) When {
	t := d.at(m, loc)
	return When{Kind: KindAt, Start: t, Readback: dayPhrase(d, ref) + ", um " + clockPhrase(t) + " Uhr"}
}

func rangeWhen(d civil, from, to int, part *dayPart, ref time.Time) When {
	loc := ref.Location()
	s, e := d.at(from, loc), d.at(to, loc)
	rb := dayPhrase(d, ref) + ", "
	if part != nil {
		rb += part.name + " "
	}
	rb += "zwischen " + clockPhrase(s) + " und " + clockPhrase(e) + " Uhr"
	return When{Kind: KindRange, Start: s, End: e, Readback: rb}
}

func boundWhen(d civil, kind Kind, from, to int, latest bool, ref time.Time) When {
	loc := ref.Location()
	w := When{Kind: kind, Start: d.at(from, loc), End: d.at(to, loc)}
	switch {
	case kind == KindAfter:
		w.Readback = dayPhrase(d, ref) + ", ab " + clockPhrase(w.Start) + " Uhr"
	case latest:
		w.Readback = dayPhrase(d, ref) + ", bis spätestens " + clockPhrase(w.End) + " Uhr"
	default:
		w.Readback = dayPhrase(d, ref) + ", bis " + clockPhrase(w.End) + " Uhr"
	}
	return w
}

// dayPhrase is "Dienstag, 1. Dezember" (with the year when it differs from ref's).
func dayPhrase(d civil, ref time.Time) string {
	return germanWeekday[d.weekday()] + ", " + shortDate(d, ref)
}

func shortDate(d civil, ref time.Time) string {
	s := fmt.Sprintf("%d. %s", d.d, germanMonth[d.m])
	if d.y != ref.Year() {
		s += fmt.Sprintf(" %d", d.y)
	}
	return s
}

// clockPhrase is "14" on the hour and "14:30" otherwise, as a German would say it.
func clockPhrase(t time.Time) string {
	if t.Minute() == 0 {
		return fmt.Sprintf("%d", t.Hour())
	}
	return strings.TrimSpace(fmt.Sprintf("%d:%02d", t.Hour(), t.Minute()))
}
