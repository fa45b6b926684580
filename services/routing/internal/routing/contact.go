package routing

import (
	"strings"

	"github.com/askproai/backend/pkg/phone"
)

// digitWords are the words a spoken phone number is made of, including "zwo" and
// "doppel" ("doppel drei" is 33).
var digitWords = map[string]string{
	"null": "0", "eins": "1", "ein": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4",
	"fuenf": "5", "funf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
	"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9",
}

// minPhoneDigits: runs of fewer digits are dates, times or counts, not phone numbers.
const minPhoneDigits = 7

// spokenPhone finds the longest run of digits and digit words ("null drei null, eins zwei
// drei …") and normalises it to E.164 (region for a number without country code) when it is a
// valid number; otherwise it returns the digits as heard.
func spokenPhone(toks []token, region string) string {
	best := ""
	for i := 0; i < len(toks); {
		run, n := digitRun(toks, i)
		if len(strings.TrimPrefix(run, "+")) > len(strings.TrimPrefix(best, "+")) {
			best = run
		}
		i += max(n, 1)
	}
	if len(strings.TrimPrefix(best, "+")) < minPhoneDigits {
		return ""
	}
	if e164, err := phone.Normalize(best, region); err == nil {
		return e164
	}
	return best
}

// digitRun reads digits from i on: digit strings, digit words, "plus" at the start, and
// "doppel"/"double" before a digit.
func digitRun(toks []token, i int) (string, int) {
	var b strings.Builder
	j := i
	if oneOf(wordAt(toks, j), "plus", "+") {
		b.WriteByte('+')
		j++
	}
	double := false
	for ; j < len(toks); j++ {
		t := toks[j]
		d, ok := digitWords[t.w]
		switch {
		case t.digits && t.num >= 0:
			d = t.w
		case oneOf(t.w, "doppel", "double"):
			double = true
			continue
		case !ok:
			return b.String(), j - i
		}
		if double {
			b.WriteString(d)
			double = false
		}
		b.WriteString(d)
	}
	return b.String(), j - i
}

// emailWords spell out e-mail punctuation: "max punkt muster at gmx punkt de".
var emailWords = map[string]string{
	"punkt": ".", "dot": ".", "unterstrich": "_", "underscore": "_", "minus": "-", "bindestrich": "-",
	"strich": "-", "dash": "-", "hyphen": "-",
}

func isAtWord(w string) bool {
	return oneOf(w, "at", "aet", "att", "aett", "klammeraffe", "@")
}

// topLevel are the domain endings an e-mail address must end in to count: "at" is also an
// English preposition, so "at three" is no address.
var topLevel = map[string]bool{
	"de": true, "com": true, "net": true, "org": true, "at": true, "ch": true, "eu": true, "info": true,
	"io": true, "email": true, "online": true, "biz": true, "co": true, "uk": true, "nl": true, "fr": true,
}

// spokenEmail finds an address typed ("max@gmx.de") or spelled out, and where it was said.
func spokenEmail(toks []token) (string, span) {
	for i, t := range toks {
		if strings.Contains(t.w, "@") && strings.Contains(t.w, ".") && t.w != "@" {
			return strings.Trim(t.w, "."), span{i, i + 1}
		}
		if isAtWord(t.w) && i > 0 {
			if addr, at := emailAround(toks, i); addr != "" {
				return addr, at
			}
		}
	}
	return "", span{}
}

// emailAround builds the address around the at-word at i: "local (sep local)*" before it,
// "label (punkt label)+" after it, ending in a known top-level domain.
func emailAround(toks []token, i int) (string, span) {
	domain, dots := "", 0
	j := i + 1
	for ; j < len(toks); j += 2 {
		domain += toks[j].w
		if emailWords[wordAt(toks, j+1)] != "." || j+2 >= len(toks) {
			break
		}
		domain += "."
		dots++
	}
	last := domain[strings.LastIndexByte(domain, '.')+1:]
	if dots == 0 || !topLevel[last] {
		return "", span{}
	}
	local, from := toks[i-1].w, i-1
	for k := i - 2; k >= 1; k -= 2 {
		sep, ok := emailWords[toks[k].w]
		if !ok {
			break
		}
		local, from = toks[k-1].w+sep+local, k-1
	}
	return local + "@" + domain, span{from, min(j+1, len(toks))}
}
