package routing

import "strings"

// numWord is what a number word means: a cardinal ("drei") or an ordinal ("dritten").
type numWord struct{ card, ord int }

// numberWords maps every German and English number word up to 99 (ordinals up to 31, which
// is all a date needs) to its value, in folded spelling and the umlaut-less spellings ASR
// produces ("funf", "zwolf").
var numberWords = buildNumberWords()

var (
	deUnits = []string{"null", "eins", "zwei", "drei", "vier", "fuenf", "sechs", "sieben", "acht", "neun",
		"zehn", "elf", "zwoelf", "dreizehn", "vierzehn", "fuenfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"}
	deTens         = []string{"", "", "zwanzig", "dreissig", "vierzig", "fuenfzig", "sechzig", "siebzig", "achtzig", "neunzig"}
	deOrdIrregular = map[int]string{1: "erst", 3: "dritt", 7: "siebt", 8: "acht"}
	enUnits        = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	enTens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	enOrd  = []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
		"tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
		"eighteenth", "nineteenth", "twentieth"}
)

func buildNumberWords() map[string]numWord {
	m := make(map[string]numWord, 700)
	for n := 0; n < 100; n++ {
		addVariants(m, deCardinal(n), numWord{card: n, ord: -1})
		if n >= 1 && n <= 31 {
			for _, end := range []string{"e", "en", "er", "em", "es"} {
				addVariants(m, deOrdinalStem(n)+end, numWord{card: -1, ord: n})
			}
		}
	}
	m["ein"] = numWord{card: 1, ord: -1}
	m["zwo"] = numWord{card: 2, ord: -1}
	m["siebente"], m["siebenten"] = numWord{card: -1, ord: 7}, numWord{card: -1, ord: 7}
	addEnglishNumbers(m)
	return m
}

func deCardinal(n int) string {
	switch {
	case n < 20:
		return deUnits[n]
	case n%10 == 0:
		return deTens[n/10]
	}
	unit := deUnits[n%10]
	if n%10 == 1 {
		unit = "ein"
	}
	return unit + "und" + deTens[n/10]
}

func deOrdinalStem(n int) string {
	if s, ok := deOrdIrregular[n]; ok {
		return s
	}
	if n < 20 {
		return deUnits[n] + "t"
	}
	return deCardinal(n) + "st"
}

// addVariants adds w and the spellings ASR produces when it drops umlauts or the ß.
func addVariants(m map[string]numWord, w string, v numWord) {
	m[w] = v
	r := strings.NewReplacer("ue", "u", "oe", "o", "ss", "s")
	if alt := r.Replace(w); alt != w {
		m[alt] = v
	}
	if strings.HasPrefix(w, "sech") { // "sechszehn" is a common misspelling
		m[strings.Replace(w, "sech", "sechs", 1)] = v
	}
}

func addEnglishNumbers(m map[string]numWord) {
	for n, w := range enUnits {
		m[w] = numWord{card: n, ord: -1}
	}
	for n := 2; n < 10; n++ {
		m[enTens[n]] = numWord{card: n * 10, ord: -1}
	}
	for n := 1; n < len(enOrd); n++ {
		m[enOrd[n]] = numWord{card: -1, ord: n}
	}
	m["thirtieth"] = numWord{card: -1, ord: 30}
}

// mergeEnglishTens joins "twenty one" / "twenty-one" into 21 and "twenty first" into the
// 21st, which the tokenizer split apart.
func mergeEnglishTens(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i+1 < len(toks) && isEnglishTens(t.w) && !toks[i+1].digits {
			next := toks[i+1]
			if next.num >= 1 && next.num <= 9 {
				t.num, t.w, t.raw = t.num+next.num, t.w+next.w, t.raw+" "+next.raw
				i++
			} else if next.ord >= 1 && next.ord <= 9 {
				t.ord, t.num, t.w, t.raw = t.num+next.ord, -1, t.w+next.w, t.raw+" "+next.raw
				i++
			}
		}
		out = append(out, t)
	}
	return out
}

func isEnglishTens(w string) bool {
	for _, t := range enTens[2:] {
		if w == t {
			return true
		}
	}
	return false
}

// minuteValue reports a number that can be the minutes of a clock reading.
func minuteValue(t token) (int, bool) {
	if t.num >= 0 && t.num < 60 {
		return t.num, true
	}
	return 0, false
}

// hourValue reports a number that can be the hour of a clock reading (0..24).
func hourValue(t token) (int, bool) {
	if t.num >= 0 && t.num <= 24 && (!t.digits || len(t.w) <= 2) {
		return t.num, true
	}
	return 0, false
}
