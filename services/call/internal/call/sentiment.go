package call

import (
	"strings"
	"unicode"
)

// Sentiment is how the caller felt, as stored: positive, neutral, negative or unknown.
type Sentiment string

// The sentiments.
const (
	SentimentPositive Sentiment = "positive"
	SentimentNeutral  Sentiment = "neutral"
	SentimentNegative Sentiment = "negative"
	SentimentUnknown  Sentiment = "unknown"
)

// ParseSentiment reads Retell's user_sentiment ("Positive", "Negative", "Neutral", "Unknown");
// anything else is "" (not known at all).
func ParseSentiment(s string) Sentiment {
	switch v := Sentiment(strings.ToLower(strings.TrimSpace(s))); v {
	case SentimentPositive, SentimentNeutral, SentimentNegative, SentimentUnknown:
		return v
	}
	return ""
}

// Word lists for the rule-based estimate, German first. Weights: strong words count 2, mild
// ones 1; politeness ("danke", "thanks") counts little because almost every caller says it.
var sentimentWords = map[string]float64{
	// German, positive
	"super": 2, "toll": 2, "perfekt": 2, "prima": 2, "wunderbar": 2, "klasse": 2, "spitze": 2,
	"zufrieden": 2, "freundlich": 1, "gut": 1, "schön": 1, "freue": 1, "gerne": 0.5, "danke": 0.5,
	"dankeschön": 1, "hilfreich": 1, "top": 2, "großartig": 2, "klappt": 1,
	// English, positive
	"great": 2, "perfect": 2, "wonderful": 2, "excellent": 2, "awesome": 2, "happy": 2,
	"lovely": 2, "good": 1, "nice": 1, "helpful": 1, "glad": 1, "thanks": 0.5, "thank": 0.5,
	"satisfied": 2, "fantastic": 2,
	// German, negative
	"schlecht": -2, "unzufrieden": -2, "enttäuscht": -2, "ärgerlich": -2, "verärgert": -2,
	"sauer": -2, "wütend": -2, "beschwerde": -2, "beschweren": -2, "unmöglich": -2,
	"frechheit": -2, "katastrophe": -2, "furchtbar": -2, "schrecklich": -2, "nervig": -1,
	"problem": -1, "leider": -0.5, "unfreundlich": -2, "ärgert": -2, "blöd": -1,
	// English, negative
	"bad": -2, "terrible": -2, "awful": -2, "horrible": -2, "angry": -2, "annoyed": -2,
	"disappointed": -2, "complaint": -2, "complain": -2, "unacceptable": -2, "rude": -2,
	"frustrated": -2, "upset": -2, "unhappy": -2, "issue": -1, "worst": -2,
}

// negators flip the next words' polarity ("nicht zufrieden", "kein Problem", "not happy").
var negators = map[string]bool{
	"nicht": true, "kein": true, "keine": true, "keinen": true, "keiner": true, "keinem": true,
	"nie": true, "niemals": true, "not": true, "no": true, "never": true, "dont": true,
	"don't": true, "isn't": true, "isnt": true, "wasn't": true, "wasnt": true, "nothing": true,
	"nichts": true,
}

// negationScope is how many following words a negator reaches.
const negationScope = 3

// EstimateSentiment is the rule-based fallback when Retell gave no analysis: it scores the
// caller's own words against German and English lists. A negation flips the polarity of the
// next few words of its clause ("nicht zufrieden", "kein Problem", "not happy"); a negation
// after the word ("zufrieden bin ich nicht") is not recognised.
func EstimateSentiment(text string) Sentiment {
	words := sentimentTokens(text)
	if len(words) == 0 {
		return SentimentUnknown
	}
	score, negLeft := 0.0, 0
	for _, w := range words {
		if w == "." {
			negLeft = 0
			continue
		}
		if negators[w] {
			negLeft = negationScope
			continue
		}
		v := sentimentWords[w]
		if negLeft > 0 {
			v = -v
			negLeft--
		}
		score += v
	}
	switch {
	case score >= 1.5:
		return SentimentPositive
	case score <= -1.5:
		return SentimentNegative
	}
	return SentimentNeutral
}

// sentimentTokens lowercases and splits into words; clause ends become "." so a negation does
// not reach into the next sentence.
func sentimentTokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || r == '\'':
			b.WriteRune(r)
		case r == '.' || r == '!' || r == '?' || r == ';' || r == ',' || r == '\n':
			flush()
			out = append(out, ".")
		default:
			flush()
		}
	}
	flush()
	return out
}
