package routing

import "time"

// holiday resolves a named day in a given year.
type holiday func(year int) civil

func fixedDay(m time.Month, d int) holiday {
	return func(y int) civil { return civil{y, m, d} }
}

func easterOffset(days int) holiday {
	return func(y int) civil { return easter(y).add(days) }
}

// easter is Easter Sunday of year in the Gregorian calendar (the anonymous Gregorian
// algorithm, Meeus/Jones/Butcher).
func easter(y int) civil {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civil{y, time.Month(month), day}
}

// holidayNames lists the days callers name, longest phrase first where one is a prefix of
// another, as folded word sequences.
var holidayNames = []struct {
	words []string
	day   holiday
}{
	{[]string{"tag", "der", "deutschen", "einheit"}, fixedDay(time.October, 3)},
	{[]string{"heilige", "drei", "koenige"}, fixedDay(time.January, 6)},
	{[]string{"heiligen", "drei", "koenige"}, fixedDay(time.January, 6)},
	{[]string{"erster", "weihnachtsfeiertag"}, fixedDay(time.December, 25)},
	{[]string{"ersten", "weihnachtsfeiertag"}, fixedDay(time.December, 25)},
	{[]string{"zweiter", "weihnachtsfeiertag"}, fixedDay(time.December, 26)},
	{[]string{"zweiten", "weihnachtsfeiertag"}, fixedDay(time.December, 26)},
	{[]string{"christi", "himmelfahrt"}, easterOffset(39)},
	{[]string{"tag", "der", "arbeit"}, fixedDay(time.May, 1)},
	{[]string{"heiliger", "abend"}, fixedDay(time.December, 24)},
	{[]string{"heiligen", "abend"}, fixedDay(time.December, 24)},
	{[]string{"christmas", "eve"}, fixedDay(time.December, 24)},
	{[]string{"christmas", "day"}, fixedDay(time.December, 25)},
	{[]string{"boxing", "day"}, fixedDay(time.December, 26)},
	{[]string{"new", "years", "eve"}, fixedDay(time.December, 31)},
	{[]string{"new", "years", "day"}, fixedDay(time.January, 1)},
	{[]string{"good", "friday"}, easterOffset(-2)},
	{[]string{"easter", "sunday"}, easterOffset(0)},
	{[]string{"easter", "monday"}, easterOffset(1)},
	{[]string{"heiligabend"}, fixedDay(time.December, 24)},
	{[]string{"silvester"}, fixedDay(time.December, 31)},
	{[]string{"neujahr"}, fixedDay(time.January, 1)},
	{[]string{"neujahrstag"}, fixedDay(time.January, 1)},
	{[]string{"valentinstag"}, fixedDay(time.February, 14)},
	{[]string{"rosenmontag"}, easterOffset(-48)},
	{[]string{"gruendonnerstag"}, easterOffset(-3)},
	{[]string{"karfreitag"}, easterOffset(-2)},
	{[]string{"karsamstag"}, easterOffset(-1)},
	{[]string{"ostersonntag"}, easterOffset(0)},
	{[]string{"ostern"}, easterOffset(0)},
	{[]string{"ostermontag"}, easterOffset(1)},
	{[]string{"himmelfahrt"}, easterOffset(39)},
	{[]string{"pfingstsonntag"}, easterOffset(49)},
	{[]string{"pfingsten"}, easterOffset(49)},
	{[]string{"pfingstmontag"}, easterOffset(50)},
	{[]string{"fronleichnam"}, easterOffset(60)},
	{[]string{"reformationstag"}, fixedDay(time.October, 31)},
	{[]string{"allerheiligen"}, fixedDay(time.November, 1)},
	{[]string{"weihnachten"}, fixedDay(time.December, 25)},
	{[]string{"christmas"}, fixedDay(time.December, 25)},
	{[]string{"easter"}, easterOffset(0)},
}

// matchHoliday reads a holiday name at i and resolves it to its next occurrence on or after
// today.
func matchHoliday(toks []token, i int, today civil) (civil, int) {
	for _, h := range holidayNames {
		if has(toks, i, h.words...) {
			d := h.day(today.y)
			if d.before(today) {
				d = h.day(today.y + 1)
			}
			return d, len(h.words)
		}
	}
	return civil{}, 0
}
