package routing

import (
	"strconv"
	"strings"
	"time"
)

// dateHit is a date phrase found in the utterance: the days it can mean (more than one when
// it is ambiguous), or a whole week, and a part of the day said in the same breath
// ("morgen früh", "Dienstagvormittag").
type dateHit struct {
	days []civil
	week bool
	part *dayPart
	n    int
}

// matchDate reads a date phrase at i, relative to today.
func matchDate(toks []token, i int, today civil) dateHit {
	for _, m := range dateMatchers {
		if h := m(toks, i, today); h.n > 0 {
			return h
		}
	}
	return dateHit{}
}

var dateMatchers = []func([]token, int, civil) dateHit{
	matchHolidayHit, matchNumericDate, matchDayMonth, matchMonthDay, matchDayOfMonth,
	matchRelativeDay, matchInDays, matchWeekday, matchCompoundDay,
}

func single(d civil, n int) dateHit { return dateHit{days: []civil{d}, n: n} }

func matchHolidayHit(toks []token, i int, today civil) dateHit {
	if d, n := matchHoliday(toks, i, today); n > 0 {
		return single(d, n)
	}
	return dateHit{}
}

// matchNumericDate reads "3.12.", "03.12.2026", "3.12.26"; "14.30" before "Uhr" is a time.
func matchNumericDate(toks []token, i int, today civil) dateHit {
	w := wordAt(toks, i)
	if strings.Count(w, ".") < 1 || strings.Contains(w, ":") || wordAt(toks, i+1) == "uhr" {
		return dateHit{}
	}
	parts := strings.Split(strings.TrimSuffix(w, "."), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return dateHit{}
	}
	d, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return dateHit{}
	}
	year := -1
	if len(parts) == 3 {
		year = parseYear(parts[2])
	}
	if c, ok := nextDate(today, year, time.Month(m), d); ok {
		return single(c, 1)
	}
	return dateHit{}
}

func parseYear(s string) int {
	y, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return -1
	case len(s) == 2:
		return 2000 + y
	case len(s) == 4:
		return y
	}
	return -1
}

// nextDate is d.m. in year, or when year is -1 the next such day on or after today. A 29
// February without a year is the next one there is.
func nextDate(today civil, year int, m time.Month, d int) (civil, bool) {
	if year >= 0 {
		return validCivil(year, m, d)
	}
	for y := today.y; y <= today.y+8; y++ {
		if c, ok := validCivil(y, m, d); ok && !c.before(today) {
			return c, true
		}
	}
	return civil{}, false
}

// dayNumber is the day of the month at i: "3.", "dritten", "3rd", and "3" when a month
// follows.
func dayNumber(t token) (int, bool) {
	if t.ord >= 1 && t.ord <= 31 {
		return t.ord, true
	}
	if t.digits && t.num >= 1 && t.num <= 31 {
		return t.num, true
	}
	return 0, false
}

// matchDayMonth reads "3. Dezember", "dritten Dezember 2027", "3rd of December", and
// "dritten zwölften" (ordinal month) after "am" or "den".
func matchDayMonth(toks []token, i int, today civil) dateHit {
	if i >= len(toks) {
		return dateHit{}
	}
	d, ok := dayNumber(toks[i])
	if !ok {
		return dateHit{}
	}
	j := i + 1
	if wordAt(toks, j) == "of" {
		j++
	}
	m, ok := months[wordAt(toks, j)]
	if !ok && j == i+1 && j < len(toks) && toks[j].ord >= 1 && toks[j].ord <= 12 && toks[i].ord > 0 &&
		oneOf(wordAt(toks, i-1), "am", "den", "zum", "bis") {
		m, ok = time.Month(toks[j].ord), true
	}
	if !ok {
		return dateHit{}
	}
	return withYear(toks, j+1, i, today, m, d)
}

// withYear finishes a day-month phrase ending before j with an optional four-digit year.
func withYear(toks []token, j, i int, today civil, m time.Month, d int) dateHit {
	year := -1
	if j < len(toks) && toks[j].digits && toks[j].num >= 2000 && toks[j].num <= 2100 {
		year = toks[j].num
		j++
	}
	if c, ok := nextDate(today, year, m, d); ok {
		return single(c, j-i)
	}
	return dateHit{}
}

// matchMonthDay reads the English order, "December 3rd", "Dec 3".
func matchMonthDay(toks []token, i int, today civil) dateHit {
	m, ok := months[wordAt(toks, i)]
	if !ok || i+1 >= len(toks) {
		return dateHit{}
	}
	j := i + 1
	if wordAt(toks, j) == "the" {
		j++
	}
	if j >= len(toks) {
		return dateHit{}
	}
	d, ok := dayNumber(toks[j])
	if !ok || countNouns[wordAt(toks, j+1)] || wordAt(toks, j+1) == "uhr" {
		return dateHit{}
	}
	return withYear(toks, j+1, i, today, m, d)
}

// matchDayOfMonth reads "am 15.", "am fünfzehnten", "on the 15th": the next such day.
func matchDayOfMonth(toks []token, i int, today civil) dateHit {
	j := i + 1
	switch {
	case oneOf(wordAt(toks, i), "am", "den", "zum"):
	case has(toks, i, "on", "the"):
		j++
	default:
		return dateHit{}
	}
	if j >= len(toks) || toks[j].ord < 1 || toks[j].ord > 31 || matchDayMonth(toks, j, today).n > 0 ||
		matchHolidayHit(toks, j, today).n > 0 {
		return dateHit{}
	}
	d := toks[j].ord
	c, ok := validCivil(today.y, today.m, d)
	if !ok || c.before(today) {
		next := today.add(32 - today.d) // some day of next month
		c, ok = validCivil(next.y, next.m, d)
	}
	if !ok {
		return dateHit{}
	}
	return single(c, j+1-i)
}
