package routing

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var apostrophes = strings.NewReplacer("'", "", "’", "")

// maxTokens bounds the token count as a second guard behind maxInputBytes.
const maxTokens = 600

// token is one word of the utterance, lower-cased and folded (ä→ae, ß→ss) so that ASR output
// with or without umlauts, and the catalogue, meet in one spelling.
type token struct {
	w      string // folded
	raw    string // as spoken, for names and e-mail addresses
	num    int    // cardinal value, -1 when the token is no number
	ord    int    // ordinal value ("3.", "dritten", "3rd"), -1 when none
	digits bool   // written as digits rather than a word
	stop   bool   // a clause boundary (, ! ? ;) followed the token
}

func (t token) isNum() bool { return t.num >= 0 }

// tokenize splits text into folded tokens. It is linear in the input, which it first cuts to
// maxInputBytes.
func tokenize(text string) []token {
	text = truncate(text, maxInputBytes)
	var toks []token
	for _, field := range strings.Fields(text) {
		if len(toks) >= maxTokens {
			break
		}
		toks = appendField(toks, field)
	}
	return mergeEnglishTens(markOrdinalSuffixes(toks))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// appendField turns one whitespace-separated chunk into tokens: numbers with dots or colons
// ("3.12.", "14:30") and e-mail addresses stay whole, other chunks split at punctuation and
// between letters and digits ("15uhr", "3pm").
func appendField(toks []token, field string) []token {
	stop := strings.ContainsAny(field[len(field)-1:], ",!?;")
	core := strings.Trim(field, ",;!?\"'()[]{}<>«»„“”‚‘’`")
	core = strings.TrimRight(core, ",;!?")
	if core == "" {
		markStop(toks, stop)
		return toks
	}
	folded := fold(core)
	if isDottedNumber(folded) || strings.Contains(folded, "@") {
		toks = append(toks, newToken(folded, core))
		markStop(toks, stop)
		return toks
	}
	parts := splitWord(strings.TrimRight(folded, ".:"))
	for _, part := range parts {
		raw := part
		if len(parts) == 1 {
			raw = strings.TrimRight(core, ".:") // keep the casing of names
		}
		toks = append(toks, newToken(part, raw))
	}
	markStop(toks, stop)
	return toks
}

func markStop(toks []token, stop bool) {
	if stop && len(toks) > 0 {
		toks[len(toks)-1].stop = true
	}
}

// splitWord splits at non-alphanumerics and letter/digit boundaries. Apostrophes vanish
// ("o'clock" → "oclock", "year's" → "years").
func splitWord(folded string) []string {
	folded = apostrophes.Replace(folded)
	var parts []string
	start := -1
	prevDigit := false
	for i, r := range folded {
		alnum := unicode.IsLetter(r) || unicode.IsDigit(r)
		digit := unicode.IsDigit(r)
		if start >= 0 && (!alnum || digit != prevDigit) {
			parts = append(parts, folded[start:i])
			start = -1
		}
		if alnum && start < 0 {
			start = i
		}
		prevDigit = digit
	}
	if start >= 0 {
		parts = append(parts, folded[start:])
	}
	return parts
}

func newToken(w, raw string) token {
	t := token{w: w, raw: raw, num: -1, ord: -1}
	if n, err := strconv.Atoi(w); err == nil && len(w) <= 9 {
		t.num, t.digits = n, true
		return t
	}
	if strings.HasSuffix(w, ".") && len(w) <= 3 {
		if n, err := strconv.Atoi(w[:len(w)-1]); err == nil {
			t.ord, t.digits = n, true
			return t
		}
	}
	if nw, ok := numberWords[w]; ok {
		t.num, t.ord = nw.card, nw.ord
	}
	return t
}

// markOrdinalSuffixes folds English ordinal suffixes split off by splitWord ("3", "rd") into
// the number.
func markOrdinalSuffixes(toks []token) []token {
	out := toks[:0]
	for i, t := range toks {
		if i > 0 && isOrdinalSuffix(t.w) && toks[i-1].digits && toks[i-1].num >= 0 && len(out) > 0 {
			out[len(out)-1].ord = toks[i-1].num
			out[len(out)-1].num = -1
			continue
		}
		out = append(out, t)
	}
	return out
}

func isOrdinalSuffix(w string) bool {
	return w == "st" || w == "nd" || w == "rd" || w == "th"
}

// isDottedNumber reports chunks like "3.", "3.12.", "03.12.2026", "14:30", "14.30".
func isDottedNumber(s string) bool {
	if !strings.ContainsAny(s, ".:") || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != ':' {
			return false
		}
	}
	return true
}

// fold lower-cases and transliterates umlauts and ß the way Germans type without them.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for _, r := range s {
		switch r = unicode.ToLower(r); r {
		case 'ä':
			b.WriteString("ae")
		case 'ö':
			b.WriteString("oe")
		case 'ü':
			b.WriteString("ue")
		case 'ß':
			b.WriteString("ss")
		case 'é', 'è', 'ê':
			b.WriteByte('e')
		case 'á', 'à', 'â':
			b.WriteByte('a')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// has reports whether the folded words starting at i are words.
func has(toks []token, i int, words ...string) bool {
	if i < 0 || i+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[i+k].w != w {
			return false
		}
	}
	return true
}

// wordAt is the folded word at i, or "" outside the utterance.
func wordAt(toks []token, i int) string {
	if i < 0 || i >= len(toks) {
		return ""
	}
	return toks[i].w
}

// oneOf reports whether w is one of set.
func oneOf(w string, set ...string) bool {
	for _, s := range set {
		if w == s {
			return true
		}
	}
	return false
}
