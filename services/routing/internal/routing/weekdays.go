package routing

import "time"

// modifier is the word before a weekday or "Woche": diese, nächste, kommende, übernächste.
type modifier int

const (
	modNone modifier = iota
	modThis
	modComing
	modNext
	modAfterNext
)

var modifiers = map[string]modifier{
	"diese": modThis, "dieser": modThis, "diesen": modThis, "dieses": modThis, "diesem": modThis,
	"this":     modThis,
	"kommende": modComing, "kommenden": modComing, "kommender": modComing, "kommendes": modComing,
	"coming": modComing, "upcoming": modComing,
	"naechste": modNext, "naechsten": modNext, "naechster": modNext, "naechstes": modNext,
	"nachste": modNext, "nachsten": modNext, "nachster": modNext, "next": modNext,
	"uebernaechste": modAfterNext, "uebernaechsten": modAfterNext, "uebernaechster": modAfterNext,
	"ubernachste": modAfterNext, "ubernachsten": modAfterNext, "ubernaechsten": modAfterNext,
}

// resolveWeekday turns "(mod) wd" into days. A bare weekday said on that same weekday, and
// "nächsten Dienstag" said early in the week (today or the Tuesday after?), are ambiguous and
// give two days.
func resolveWeekday(today civil, wd time.Weekday, mod modifier) []civil {
	ahead := (int(wd) - int(today.weekday()) + 7) % 7
	upcoming := today.add(ahead)
	switch mod {
	case modThis:
		return []civil{upcoming}
	case modComing:
		if ahead == 0 {
			return []civil{today.add(7)}
		}
		return []civil{upcoming}
	case modNext:
		return resolveNext(today, ahead)
	case modAfterNext:
		next := resolveNext(today, ahead)
		out := make([]civil, len(next))
		for k, d := range next {
			out[k] = d.add(7)
		}
		return out
	}
	if ahead == 0 {
		return []civil{today, today.add(7)}
	}
	return []civil{upcoming}
}

// resolveNext reads "nächsten <wd>": the first such day in the next calendar week is always a
// reading; when the upcoming one is still in this week, that one is too.
func resolveNext(today civil, ahead int) []civil {
	if ahead == 0 {
		return []civil{today.add(7)}
	}
	upcoming := today.add(ahead)
	if upcoming.weekStart() == today.weekStart() {
		return []civil{upcoming, upcoming.add(7)}
	}
	return []civil{upcoming}
}

// inWeek is weekday wd of the week k weeks after today's.
func inWeek(today civil, k int, wd time.Weekday) civil {
	return today.weekStart().add(7*k + mondayIndex(wd))
}

// matchWeekPhrase reads "nächste Woche", "diese Woche", "übernächste Woche", "next week",
// optionally led by "in der"/"der"/"of", and after a weekday also "in zwei Wochen". It
// returns the week offset from today's week.
func matchWeekPhrase(toks []token, i int, afterWeekday bool) (k, n int) {
	j := i
	for oneOf(wordAt(toks, j), "in", "der", "of", "am", "the") && j-i < 2 {
		j++
	}
	if afterWeekday && wordAt(toks, i) == "in" && oneOf(wordAt(toks, i+2), "wochen", "weeks") {
		if num := toks[i+1].num; num >= 1 && num <= 8 {
			return num, 3
		}
	}
	mod, ok := modifiers[wordAt(toks, j)]
	if !ok || !oneOf(wordAt(toks, j+1), "woche", "week") {
		return 0, 0
	}
	switch mod {
	case modThis:
		return 0, j + 2 - i
	case modAfterNext:
		return 2, j + 2 - i
	}
	return 1, j + 2 - i
}

// matchWeekday reads weekday phrases: "Dienstag", "nächsten Dienstag", "Mittwoch nächste
// Woche", "nächste Woche (am) Mittwoch", "Dienstag, den 1. Dezember", "next Tuesday", and a
// week by itself ("nächste Woche").
func matchWeekday(toks []token, i int, today civil) dateHit {
	if k, n := matchWeekPhrase(toks, i, false); n > 0 {
		j := i + n
		if oneOf(wordAt(toks, j), "am", "on") {
			j++
		}
		if wd, ok := weekdays[wordAt(toks, j)]; ok {
			return single(inWeek(today, k, wd), j+1-i)
		}
		return dateHit{days: []civil{inWeek(today, k, time.Monday)}, week: true, n: n}
	}
	mod, j := modNone, i
	if m, ok := modifiers[wordAt(toks, i)]; ok {
		mod, j = m, i+1
	}
	wd, ok := weekdays[wordAt(toks, j)]
	if !ok {
		return dateHit{}
	}
	if k, n := matchWeekPhrase(toks, j+1, true); n > 0 && mod == modNone {
		return single(inWeek(today, k, wd), j+1+n-i)
	}
	if h := weekdayWithDate(toks, j+1, today, wd); h.n > 0 {
		h.n += j + 1 - i
		return h
	}
	return dateHit{days: resolveWeekday(today, wd, mod), n: j + 1 - i}
}

// weekdayWithDate reads the date after a weekday ("Dienstag, den 1. Dezember"). When the two
// disagree, both readings come back, the date and that weekday in the date's week: we do not
// know which one the caller got wrong.
func weekdayWithDate(toks []token, j int, today civil, wd time.Weekday) dateHit {
	start := j
	if oneOf(wordAt(toks, j), "den", "der", "the") {
		j++
	}
	var h dateHit
	for _, m := range []func([]token, int, civil) dateHit{matchNumericDate, matchDayMonth, matchMonthDay} {
		if h = m(toks, j, today); h.n > 0 {
			break
		}
	}
	if h.n == 0 {
		return dateHit{}
	}
	h.n += j - start
	if d := h.days[0]; d.weekday() != wd {
		h.days = append(h.days, d.weekStart().add(mondayIndex(wd)))
	}
	return h
}
