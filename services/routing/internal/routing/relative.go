package routing

import "time"

// matchRelativeDay reads heute, morgen, übermorgen, today, tomorrow, tonight and "the day
// after tomorrow". "Guten Morgen" and a greeting "Morgen" are no dates, and "heute Morgen"
// or "am Morgen" is a part of the day.
func matchRelativeDay(toks []token, i int, today civil) dateHit {
	switch w := wordAt(toks, i); w {
	case "heute", "today":
		if oneOf(wordAt(toks, i+1), "morgen", "frueh") {
			return dateHit{days: []civil{today}, part: &partEarly, n: 2}
		}
		return single(today, 1)
	case "tonight":
		return dateHit{days: []civil{today}, part: &partEvening, n: 1}
	case "morgen":
		return matchMorgen(toks, i, today)
	case "tomorrow":
		return single(today.add(1), 1)
	case "uebermorgen", "ubermorgen":
		return single(today.add(2), 1)
	case "day":
		if has(toks, i, "day", "after", "tomorrow") {
			return single(today.add(2), 3)
		}
	case "wochenende", "weekend":
		return weekend(today)
	}
	return dateHit{}
}

func matchMorgen(toks []token, i int, today civil) dateHit {
	switch {
	case isGreeting(toks, i):
		return dateHit{n: 1}
	case oneOf(wordAt(toks, i-1), "am", "den", "gestern"):
		return dateHit{part: &partEarly, n: 1}
	}
	return single(today.add(1), 1)
}

// isGreeting tells "Guten Morgen" and a sentence-opening "Morgen, hier ist Müller" from
// "morgen um drei". Without punctuation the words after it decide.
func isGreeting(toks []token, i int) bool {
	if oneOf(wordAt(toks, i-1), "guten", "gut", "schoenen", "good") {
		return true
	}
	for k := 0; k < i; k++ {
		if !oneOf(toks[k].w, "ja", "hallo", "hi", "na", "also", "und", "einen", "ganz", "schoenen") {
			return false
		}
	}
	next := wordAt(toks, i+1)
	return toks[i].stop || next == "" ||
		oneOf(next, "hier", "mein", "zusammen", "allerseits", "frau", "herr", "ja", "hallo", "spricht") ||
		(next == "ich" && oneOf(wordAt(toks, i+2), "bin", "heisse", "rufe"))
}

// matchInDays reads "in drei Tagen", "in zwei Wochen", "in einer Woche", "in 14 Tagen",
// "in einem Monat", "in 3 days".
func matchInDays(toks []token, i int, today civil) dateHit {
	if wordAt(toks, i) != "in" || i+2 >= len(toks) {
		return dateHit{}
	}
	n := toks[i+1].num
	if oneOf(toks[i+1].w, "einer", "einem", "a", "one") {
		n = 1
	}
	if n < 1 || n > 365 {
		return dateHit{}
	}
	switch toks[i+2].w {
	case "tag", "tagen", "day", "days":
		return single(today.add(n), 3)
	case "woche", "wochen", "week", "weeks":
		return weeksAhead(toks, i+3, today, n)
	case "monat", "monaten", "month", "months":
		if c, ok := today.addMonths(n); ok {
			return single(c, 3)
		}
	}
	return dateHit{}
}

// matchCompoundDay reads one-word compounds: "Dienstagvormittag", "morgenfrüh",
// "Freitagabend".
func matchCompoundDay(toks []token, i int, today civil) dateHit {
	day, part, ok := dayCompound(wordAt(toks, i))
	if !ok {
		return dateHit{}
	}
	var days []civil
	switch day {
	case "heute":
		days = []civil{today}
	case "morgen":
		days = []civil{today.add(1)}
	default:
		mod := modNone
		if m, ok := modifiers[wordAt(toks, i-1)]; ok {
			mod = m
		}
		days = resolveWeekday(today, weekdays[day], mod)
	}
	return dateHit{days: days, part: &part, n: 1}
}

// weeksAhead is "in zwei Wochen": that day, or with a weekday after it ("in zwei Wochen am
// Freitag") that weekday in the week n weeks on.
func weeksAhead(toks []token, j int, today civil, n int) dateHit {
	k := j
	if oneOf(wordAt(toks, k), "am", "on") {
		k++
	}
	if wd, ok := weekdays[wordAt(toks, k)]; ok {
		return single(inWeek(today, n, wd), k+1-j+3)
	}
	return single(today.add(7*n), 3)
}

// weekend is "am Wochenende": Saturday or Sunday, the caller has to say which. Said on a
// Sunday it is today or next weekend's Saturday.
func weekend(today civil) dateHit {
	sat := resolveWeekday(today, time.Saturday, modThis)[0]
	sun := resolveWeekday(today, time.Sunday, modThis)[0]
	if sun.before(sat) {
		return dateHit{days: []civil{sun, sat}, n: 1}
	}
	return dateHit{days: []civil{sat, sun}, n: 1}
}
