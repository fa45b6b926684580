package call

import (
	"context"
	"regexp"
	"strings"
)

// KeywordAnalyzer is a deterministic, local IntentAnalyzer: intent from German and English
// keywords and the caller's name from "hier ist …" / "my name is …". It understands no dates
// or services; routing does that. It serves tests and runs where routing is not reachable.
type KeywordAnalyzer struct{}

// AnalyzeIntent implements IntentAnalyzer.
func (KeywordAnalyzer) AnalyzeIntent(_ context.Context, q IntentQuery) (Understanding, error) {
	return KeywordUnderstanding(q.Text), nil
}

// Keyword stems per intent, checked in this order: "Termin absagen" is a cancellation although
// it names a Termin.
var intentStems = []struct {
	intent Intent
	stems  []string
}{
	{IntentReschedule, []string{"verschieb", "umbuch", "verleg", "anderen termin", "reschedul", "move my"}},
	{IntentCancellation, []string{"absag", "storn", "streich", "cancel"}},
	{IntentBooking, []string{"termin", "buch", "reservier", "book", "appointment", "haarschnitt"}},
	{IntentInfo, []string{"öffnungszeit", "geöffnet", "offen", "preis", "kostet", "adresse", "opening", "price", "how much", "open"}},
}

var namePattern = regexp.MustCompile(`(?:[Hh]ier ist|[Mm]ein [Nn]ame ist|[Ii]ch heiße|[Mm]y name is|[Tt]his is)\s+([A-ZÄÖÜ][\p{L}-]+(?:\s+[A-ZÄÖÜ][\p{L}-]+)?)`)

// KeywordUnderstanding reads intent and name from text by keywords.
func KeywordUnderstanding(text string) Understanding {
	u := Understanding{Intent: IntentNone}
	low := strings.ToLower(text)
	for _, is := range intentStems {
		if confirms(low, is.stems) {
			u.Intent = is.intent
			break
		}
	}
	if m := namePattern.FindStringSubmatch(text); m != nil {
		u.CallerName = m[1]
	}
	return u
}
