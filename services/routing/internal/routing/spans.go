package routing

// timeSpec is a time-of-day phrase: a point, a span between two clock readings, or an open
// bound. Parts of the day travel separately (mention.part) because they also qualify a clock
// reading ("um acht abends").
type timeSpec struct {
	kind     Kind // KindAt, KindRange, KindAfter or KindBefore
	from, to clock
	latest   bool // "spätestens": read back as "bis spätestens"
}

// matchTime reads a time phrase at i: spans and bounds first, so that "zwischen 14 und 16" is
// not read as two points.
func matchTime(toks []token, i int) (timeSpec, int) {
	for _, m := range []func([]token, int) (timeSpec, int){matchSpan, matchBound, matchPoint} {
		if s, n := m(toks, i); n > 0 {
			return s, n
		}
	}
	return timeSpec{}, 0
}

// matchSpan reads "zwischen 14 und 16 Uhr", "von zwei bis vier", "14 bis 16 Uhr",
// "between 2 and 4 pm", "from 2 to 4".
func matchSpan(toks []token, i int) (timeSpec, int) {
	w := wordAt(toks, i)
	j, bare := i, false
	var joiners []string
	switch w {
	case "zwischen", "between":
		j, bare, joiners = i+1, true, []string{"und", "and"}
	case "von", "from":
		j, bare, joiners = i+1, true, []string{"bis", "to", "till", "until"}
	default:
		joiners = []string{"bis"}
	}
	if oneOf(wordAt(toks, j), "um", "at") {
		j++
	}
	a, na, strongA := matchClock(toks, j, true)
	if na == 0 || !oneOf(wordAt(toks, j+na), joiners...) {
		return timeSpec{}, 0
	}
	b, nb, strongB := matchClock(toks, j+na+1, true)
	if nb == 0 || (!bare && !strongA && !strongB) {
		return timeSpec{}, 0
	}
	a, b = shareFixing(a, b)
	return timeSpec{kind: KindRange, from: a, to: b}, j + na + 1 + nb - i
}

// shareFixing lets "zwischen 2 und 4 pm" and "zwischen zwei und vier Uhr nachmittags" fix the
// first reading as the second is fixed, when that keeps the span forward.
func shareFixing(a, b clock) (clock, clock) {
	if !a.fixed && b.fixed && b.h >= 12 && a.h%12+12 < b.h+1 && a.h < 12 {
		a.h, a.fixed = a.h%12+12, true
	}
	return a, b
}

// matchBound reads open bounds: "ab 15 Uhr", "frühestens um drei", "nach 15 Uhr",
// "spätestens 12", "bis spätestens zwölf", "bis 12 Uhr", "vor 12 Uhr", "after 3pm",
// "before noon", "by 12", "no later than noon".
func matchBound(toks []token, i int) (timeSpec, int) {
	kind, latest, j := boundWord(toks, i)
	if kind == "" {
		return timeSpec{}, 0
	}
	if oneOf(wordAt(toks, j), "um", "at") {
		j++
	}
	c, n, _ := matchClock(toks, j, true)
	if n == 0 {
		return timeSpec{}, 0
	}
	s := timeSpec{kind: kind, latest: latest}
	if kind == KindAfter {
		s.from = c
	} else {
		s.to = c
	}
	return s, j + n - i
}

// boundWord reads the words that open a bound and returns where the clock reading starts.
func boundWord(toks []token, i int) (Kind, bool, int) {
	switch w := wordAt(toks, i); {
	case has(toks, i, "bis", "spaetestens"), has(toks, i, "bis", "spatestens"):
		return KindBefore, true, i + 2
	case has(toks, i, "no", "later", "than"):
		return KindBefore, true, i + 3
	case has(toks, i, "nicht", "vor"), has(toks, i, "not", "before"):
		return KindAfter, false, i + 2
	case oneOf(w, "spaetestens", "spatestens", "latest"):
		return KindBefore, true, i + 1
	case oneOf(w, "bis", "vor", "before", "by", "until", "till"):
		return KindBefore, false, i + 1
	case oneOf(w, "ab", "nach", "after", "fruehestens", "fruhestens", "earliest"):
		return KindAfter, false, i + 1
	}
	return "", false, i
}

// matchPoint reads "um drei", "gegen halb vier", "at 3pm", and a clock reading that stands on
// its own ("halb drei", "14 Uhr", "14:30").
func matchPoint(toks []token, i int) (timeSpec, int) {
	j := i
	for oneOf(wordAt(toks, j), "um", "gegen", "at", "so", "ungefaehr", "etwa", "circa", "ca", "around") && j-i < 2 {
		j++
	}
	c, n, _ := matchClock(toks, j, j > i)
	if n == 0 {
		return timeSpec{}, 0
	}
	return timeSpec{kind: KindAt, from: c}, j + n - i
}
