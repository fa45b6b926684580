package routing

// cue is a word or phrase that points to an action, with how strongly.
type cue struct {
	words  []string
	action Action
	weight float64
}

func cueFor(a Action, w float64, words ...string) cue { return cue{words: words, action: a, weight: w} }

// cues, German and English. Reschedule and cancel words outweigh "Termin", which every
// request mentions.
var cues = []cue{
	cueFor(ActionReschedule, 3, "verschieben"), cueFor(ActionReschedule, 3, "verschiebe"), cueFor(ActionReschedule, 3, "verschieb"),
	cueFor(ActionReschedule, 3, "umbuchen"), cueFor(ActionReschedule, 3, "umbuche"), cueFor(ActionReschedule, 3, "verlegen"),
	cueFor(ActionReschedule, 3, "umlegen"), cueFor(ActionReschedule, 3, "umterminieren"), cueFor(ActionReschedule, 3, "verschoben"),
	cueFor(ActionReschedule, 2, "anderen", "termin"), cueFor(ActionReschedule, 2, "aendern"), cueFor(ActionReschedule, 2, "andern"),
	cueFor(ActionReschedule, 3, "reschedule"), cueFor(ActionReschedule, 3, "postpone"), cueFor(ActionReschedule, 2, "move"),
	cueFor(ActionReschedule, 2, "change", "my", "appointment"),
	cueFor(ActionCancel, 3, "absagen"), cueFor(ActionCancel, 3, "stornieren"), cueFor(ActionCancel, 3, "storniere"),
	cueFor(ActionCancel, 3, "stornierung"), cueFor(ActionCancel, 3, "storno"), cueFor(ActionCancel, 3, "canceln"),
	cueFor(ActionCancel, 3, "cancel"), cueFor(ActionCancel, 3, "abbestellen"), cueFor(ActionCancel, 3, "absage"),
	cueFor(ActionCancel, 3, "nicht", "kommen"), cueFor(ActionCancel, 3, "nicht", "wahrnehmen"), cueFor(ActionCancel, 2, "streichen"),
	cueFor(ActionCancel, 2, "nicht", "da"), cueFor(ActionCancel, 2, "schaffe", "es", "nicht"), cueFor(ActionCancel, 2, "nicht", "schaffen"),
	cueFor(ActionCancel, 3, "call", "off"), cueFor(ActionCancel, 3, "sage", "ab"), cueFor(ActionCancel, 3, "sagen", "ab"),
	cueFor(ActionBook, 2, "buchen"), cueFor(ActionBook, 2, "buche"), cueFor(ActionBook, 2, "reservieren"),
	cueFor(ActionBook, 2, "vereinbaren"), cueFor(ActionBook, 2, "ausmachen"), cueFor(ActionBook, 2, "haette", "gern"),
	cueFor(ActionBook, 2, "haette", "gerne"), cueFor(ActionBook, 2, "hatte", "gern"), cueFor(ActionBook, 2, "hatte", "gerne"),
	cueFor(ActionBook, 1, "moechte"), cueFor(ActionBook, 1, "mochte"), cueFor(ActionBook, 1, "termin"), cueFor(ActionBook, 1, "frei"),
	cueFor(ActionBook, 1, "brauche"), cueFor(ActionBook, 1, "einen", "termin"), cueFor(ActionBook, 2, "book"),
	cueFor(ActionBook, 1, "appointment"), cueFor(ActionBook, 2, "schedule"), cueFor(ActionBook, 1, "available"),
	cueFor(ActionBook, 1, "would", "like"), cueFor(ActionBook, 1, "id", "like"), cueFor(ActionBook, 1, "need"),
	cueFor(ActionInfo, 3, "oeffnungszeiten"), cueFor(ActionInfo, 3, "offnungszeiten"), cueFor(ActionInfo, 2, "geoeffnet"),
	cueFor(ActionInfo, 2, "geoffnet"), cueFor(ActionInfo, 2, "offen"), cueFor(ActionInfo, 2, "kostet"), cueFor(ActionInfo, 2, "kosten"),
	cueFor(ActionInfo, 2, "preis"), cueFor(ActionInfo, 2, "preise"), cueFor(ActionInfo, 2, "teuer"), cueFor(ActionInfo, 2, "dauert"),
	cueFor(ActionInfo, 2, "adresse"), cueFor(ActionInfo, 2, "wo", "sind", "sie"), cueFor(ActionInfo, 2, "parken"),
	cueFor(ActionInfo, 2, "wie", "lange", "haben"), cueFor(ActionInfo, 3, "opening", "hours"), cueFor(ActionInfo, 2, "open"),
	cueFor(ActionInfo, 2, "price"), cueFor(ActionInfo, 2, "prices"), cueFor(ActionInfo, 2, "cost"), cueFor(ActionInfo, 2, "how", "much"),
	cueFor(ActionInfo, 2, "how", "long"),
}

// cueIndex finds the cues that start with a word.
var cueIndex = func() map[string][]cue {
	m := make(map[string][]cue)
	for _, k := range cues {
		m[k.words[0]] = append(m[k.words[0]], k)
	}
	return m
}()

// classifyAction sums the cues per action; a cue right after "nicht"/"not" does not count
// ("nicht absagen, sondern verschieben"). "sage … ab" may be split by the object.
func classifyAction(toks []token) (Action, float64) {
	scores := map[Action]float64{}
	for i, t := range toks {
		for _, k := range cueIndex[t.w] {
			if !has(toks, i, k.words...) && !splitParticle(toks, i, k.words) {
				continue
			}
			if len(k.words) == 1 && oneOf(wordAt(toks, i-1), "nicht", "not", "dont", "kein") {
				continue
			}
			scores[k.action] += k.weight
		}
	}
	return pickAction(scores)
}

// splitParticle matches separable verbs: "sage den Termin morgen ab".
func splitParticle(toks []token, i int, words []string) bool {
	if len(words) != 2 || words[1] != "ab" {
		return false
	}
	for j := i + 1; j < len(toks) && j <= i+6; j++ {
		if toks[j].w == "ab" && !toks[min(j+1, len(toks)-1)].isNum() {
			return true
		}
	}
	return false
}

func pickAction(scores map[Action]float64) (Action, float64) {
	best, top, second := ActionNone, 0.0, 0.0
	for _, a := range []Action{ActionReschedule, ActionCancel, ActionInfo, ActionBook} {
		s := scores[a]
		switch {
		case s > top:
			best, second, top = a, top, s
		case s > second:
			second = s
		}
	}
	if best == ActionNone {
		return ActionNone, 0
	}
	return best, round2(min(0.95, 0.4+0.6*top/(top+second+1)))
}
