package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a run of tokens, [from, to).
type span struct{ from, to int }

func (s span) covers(i int) bool { return i >= s.from && i < s.to }

// extractCaller reads what callers say about themselves: name, phone number, e-mail. It also
// returns where the name and the address were said, so that "ich bin Anna Klein" or
// "anna punkt klein at web punkt de" is not taken for a request for staff member Anna.
func extractCaller(toks []token, region string) (Caller, []span) {
	name, nameAt := callerName(toks)
	email, emailAt := spokenEmail(toks)
	return Caller{Name: name, Phone: spokenPhone(toks, region), Email: email}, []span{nameAt, emailAt}
}

// nameIntros open a self-introduction; the name follows.
var nameIntros = [][]string{
	{"mein", "name", "ist"}, {"mein", "name", "waere"}, {"my", "name", "is"}, {"ich", "heisse"},
	{"hier", "ist"}, {"hier", "spricht"}, {"ich", "bin"}, {"this", "is"}, {"am", "apparat", "ist"},
	{"i", "am"}, {"im"}, {"name", "ist"},
}

// notNames are words that follow "ich bin" or "hier ist" without being a name: "ich bin
// morgen nicht da", "ich bin Neukunde".
var notNames = map[string]bool{
	"ein": true, "eine": true, "einer": true, "der": true, "die": true, "das": true, "nicht": true,
	"noch": true, "schon": true, "gerade": true, "leider": true, "da": true, "zu": true, "am": true,
	"im": true, "um": true, "so": true, "mir": true, "mal": true, "neu": true, "neukunde": true,
	"kunde": true, "kundin": true, "neukundin": true, "bei": true, "ja": true, "auch": true,
	"sehr": true, "etwas": true, "interessiert": true, "calling": true, "looking": true, "a": true,
	"an": true, "the": true, "not": true, "going": true, "new": true, "here": true, "wegen": true,
	"also": true, "eigentlich": true, "jetzt": true, "dran": true, "unsicher": true, "krank": true,
	"spaet": true, "spat": true, "verhindert": true, "und": true, "mit": true, "wieder": true,
	"ihre": true, "ihr": true, "sein": true, "hier": true, "dort": true,
}

// nameStops end a name: "Müller und ich hätte gern".
var nameStops = map[string]bool{
	"und": true, "ich": true, "wollte": true, "moechte": true, "mochte": true,
	"haette": true, "hatte": true, "rufe": true, "rufen": true, "habe": true, "hab": true, "von": true,
	"aus": true, "bei": true, "wegen": true, "and": true, "i": true, "calling": true, "from": true,
	"mein": true, "meine": true, "also": true, "ja": true, "der": true, "die": true, "mit": true,
	"wir": true, "termin": true, "einen": true, "brauche": true, "would": true, "id": true, "im": true,
}

// callerName reads the name after an introduction, up to three words, keeping a title
// ("Frau Müller").
func callerName(toks []token) (string, span) {
	for i := range toks {
		for _, intro := range nameIntros {
			if !has(toks, i, intro...) {
				continue
			}
			j := i + len(intro)
			if name, n := nameAt(toks, j); name != "" {
				return name, span{j, j + n}
			}
		}
	}
	return "", span{}
}

func nameAt(toks []token, j int) (string, int) {
	if j >= len(toks) || notNames[toks[j].w] || !isWordToken(toks[j]) {
		return "", 0
	}
	var parts []string
	for k := j; k < len(toks) && len(parts) < 3 && isWordToken(toks[k]) && !nameStops[toks[k].w]; k++ {
		if _, isDay := weekdays[toks[k].w]; isDay || toks[k].w == "morgen" || toks[k].w == "heute" {
			break
		}
		parts = append(parts, titleCase(toks[k].raw))
		if toks[k].stop {
			break
		}
	}
	if len(parts) == 1 && isTitle(parts[0]) {
		return "", 0
	}
	return strings.Join(parts, " "), len(parts)
}

func isTitle(s string) bool {
	return oneOf(strings.ToLower(s), "frau", "herr", "herrn", "mr", "mrs", "ms", "dr", "doktor")
}

func isWordToken(t token) bool {
	if t.isNum() || t.ord >= 0 || t.w == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.w)
	return unicode.IsLetter(r)
}

// titleCase capitalises lower-case ASR words ("müller" → "Müller") and keeps other casing.
func titleCase(s string) string {
	if s != strings.ToLower(s) {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
