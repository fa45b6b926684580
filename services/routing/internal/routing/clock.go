package routing

import (
	"strconv"
	"strings"
)

// clock is a time of day as spoken. Unless fixed (a 24-hour reading such as "14 Uhr",
// "08:30" or "3 pm"), the hour is on a 12-hour dial and business hours pick AM or PM.
type clock struct {
	h, m  int
	fixed bool
}

// options are the minutes after midnight the reading can mean.
func (c clock) options() []int {
	if c.fixed {
		return []int{(c.h%24)*60 + c.m}
	}
	h := c.h % 12
	return []int{h*60 + c.m, (h+12)*60 + c.m}
}

func fixedIf(h, m int, fixed bool) clock {
	return clock{h: h, m: m, fixed: fixed || h > 12 || h == 0}
}

// matchClock reads a clock reading starting at i and returns it with the tokens used (0 when
// none). strong reports a reading that is a time of day by itself ("halb drei", "14 Uhr",
// "14:30"); a plain number ("drei") is accepted only when bare is set, that is after a word
// like "um", "ab" or "zwischen", and never when a counted noun follows ("um 2 Personen").
func matchClock(toks []token, i int, bare bool) (c clock, n int, strong bool) {
	if c, n = matchIdiom(toks, i); n > 0 {
		return withMeridiem(toks, i+n, c, n, true)
	}
	if c, n = matchDigitalClock(toks, i, bare); n > 0 {
		return withMeridiem(toks, i+n, c, n, true)
	}
	if c, n = matchUhr(toks, i); n > 0 {
		return withMeridiem(toks, i+n, c, n, true)
	}
	if c, n = matchNamedClock(toks, i); n > 0 {
		return c, n, true
	}
	if c, n = matchBareHour(toks, i); n > 0 {
		c, n, strong = withMeridiem(toks, i+n, c, n, false)
		if bare || strong {
			return c, n, strong
		}
	}
	return clock{}, 0, false
}

// matchIdiom reads German and English clock idioms: halb drei, Viertel nach/vor zehn,
// (drei)viertel elf, zehn nach elf, fünf vor halb vier, quarter past ten, half past two.
func matchIdiom(toks []token, i int) (clock, int) {
	w := wordAt(toks, i)
	switch {
	case w == "halb":
		return idiomHour(toks, i+1, 2, -1, 30)
	case w == "dreiviertel" || w == "dreivirtel":
		return idiomHour(toks, i+1, 2, -1, 45)
	case has(toks, i, "drei", "viertel"):
		return idiomHour(toks, i+2, 3, -1, 45)
	case w == "viertel" || w == "quarter":
		return matchQuarter(toks, i)
	case has(toks, i, "half", "past"):
		return idiomHour(toks, i+2, 3, 0, 30)
	}
	return matchMinutesIdiom(toks, i)
}

// idiomHour reads the hour at j and offsets it: "halb drei" is hour 3-1, minute 30.
func idiomHour(toks []token, j, n, dh, m int) (clock, int) {
	if j >= len(toks) {
		return clock{}, 0
	}
	h, ok := hourValue(toks[j])
	if !ok || h < 1 {
		return clock{}, 0
	}
	// Not fixedIf: "halb eins" is hour 0 on the 12-hour dial, still AM or PM.
	return clock{h: h + dh, m: m, fixed: h > 12}, n
}

func matchQuarter(toks []token, i int) (clock, int) {
	switch wordAt(toks, i+1) {
	case "nach", "past", "after":
		return idiomHour(toks, i+2, 3, 0, 15)
	case "vor", "to", "before":
		return idiomHour(toks, i+2, 3, -1, 45)
	}
	return idiomHour(toks, i+1, 2, -1, 15) // "viertel elf" is 10:15 in the east and south
}

// matchMinutesIdiom reads "zehn nach elf", "zwanzig vor vier", "fünf vor halb vier",
// "fünf nach halb vier", "ten past eleven".
func matchMinutesIdiom(toks []token, i int) (clock, int) {
	if i >= len(toks) {
		return clock{}, 0
	}
	mins, ok := minuteValue(toks[i])
	if !ok || mins < 1 || mins > 29 {
		return clock{}, 0
	}
	j := i + 1
	if oneOf(wordAt(toks, j), "minuten", "minutes") {
		j++
	}
	switch dir := wordAt(toks, j); {
	case dir == "vor" && wordAt(toks, j+1) == "halb":
		return idiomHour(toks, j+2, j+3-i, -1, 30-mins)
	case dir == "nach" && wordAt(toks, j+1) == "halb":
		return idiomHour(toks, j+2, j+3-i, -1, 30+mins)
	case dir == "nach" || dir == "past" || dir == "after":
		return idiomHour(toks, j+1, j+2-i, 0, mins)
	case dir == "vor" || dir == "to":
		return idiomHour(toks, j+1, j+2-i, -1, 60-mins)
	}
	return clock{}, 0
}

// matchDigitalClock reads "14:30", "8:15" and, where a time is expected, "14.30".
func matchDigitalClock(toks []token, i int, bare bool) (clock, int) {
	w := wordAt(toks, i)
	sep := ":"
	if !strings.Contains(w, ":") {
		if !strings.Contains(w, ".") || (!bare && wordAt(toks, i+1) != "uhr") {
			return clock{}, 0
		}
		sep = "."
	}
	hs, ms, found := strings.Cut(strings.TrimSuffix(w, sep), sep)
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !found || err1 != nil || err2 != nil || h > 24 || m > 59 || len(ms) != 2 {
		return clock{}, 0
	}
	n := 1
	if wordAt(toks, i+1) == "uhr" {
		n = 2
	}
	return fixedIf(h, m, len(hs) == 2 && hs[0] == '0'), n
}

// matchUhr reads "14 Uhr", "vierzehn Uhr dreißig", "14 Uhr 30", "drei Uhr", "3 o'clock".
func matchUhr(toks []token, i int) (clock, int) {
	if i >= len(toks) {
		return clock{}, 0
	}
	h, ok := hourValue(toks[i])
	if !ok || !oneOf(wordAt(toks, i+1), "uhr", "h", "oclock") {
		return clock{}, 0
	}
	leadingZero := toks[i].digits && len(toks[i].w) == 2 && toks[i].w[0] == '0'
	if i+2 < len(toks) && toks[i+2].num >= 0 && !countNouns[wordAt(toks, i+3)] {
		if m, ok := minuteValue(toks[i+2]); ok {
			return fixedIf(h, m, leadingZero), 3
		}
	}
	return fixedIf(h, 0, leadingZero), 2
}

// matchNamedClock reads noon and midnight, which are fixed by name.
func matchNamedClock(toks []token, i int) (clock, int) {
	switch wordAt(toks, i) {
	case "noon", "midday":
		return clock{h: 12, fixed: true}, 1
	case "mitternacht", "midnight":
		return clock{h: 0, fixed: true}, 1
	}
	if has(toks, i, "zwoelf", "uhr", "mittags") {
		return clock{h: 12, fixed: true}, 3
	}
	return clock{}, 0
}

// matchBareHour reads a plain hour, "drei", "3", optionally with minutes ("vierzehn dreißig").
// "ein" is no hour: "um ein Uhr" is caught by matchUhr, "um einen Termin" is no time.
func matchBareHour(toks []token, i int) (clock, int) {
	if i >= len(toks) || toks[i].w == "ein" || countNouns[wordAt(toks, i+1)] {
		return clock{}, 0
	}
	h, ok := hourValue(toks[i])
	if !ok {
		return clock{}, 0
	}
	if i+1 < len(toks) && !toks[i+1].digits && !countNouns[wordAt(toks, i+2)] {
		if m, ok := minuteValue(toks[i+1]); ok && m >= 10 && m%5 == 0 && h >= 1 {
			return fixedIf(h, m, false), 2
		}
	}
	return fixedIf(h, 0, false), 1
}

// withMeridiem applies a following "pm"/"am"/"p m" to c. German "am" is "on the", so it counts
// only where an English sentence would go on.
func withMeridiem(toks []token, j int, c clock, n int, strong bool) (clock, int, bool) {
	w := wordAt(toks, j)
	pm := w == "pm" || has(toks, j, "p", "m")
	am := (w == "am" && englishAfterAM(wordAt(toks, j+1))) || has(toks, j, "a", "m")
	if !pm && !am || c.h > 12 {
		return c, n, strong
	}
	c.h, c.fixed = c.h%12, true
	if pm {
		c.h += 12
	}
	if w == "p" || w == "a" {
		n++
	}
	return c, n + 1, true
}

func englishAfterAM(next string) bool {
	return next == "" || oneOf(next, "on", "tomorrow", "today", "next", "this", "please", "for",
		"with", "or", "and", "if", "would", "is", "the", "at", "i")
}
