package routing

// cue is a word or phrase that points to an action, with how strongly.
type cue struct {
	words  []string
	action Action
	weight float64
}

func c(a Action, w float64, words ...string) cue { return cue{words: words, action: a, weight: w} }

// cues, German and English. Reschedule and cancel words outweigh "Termin", which every
// request mentions.
var cues = []cue{
	c(ActionReschedule, 3, "verschieben"), c(ActionReschedule, 3, "verschiebe"), c(ActionReschedule, 3, "verschieb"),
	c(ActionReschedule, 3, "umbuchen"), c(ActionReschedule, 3, "umbuche"), c(ActionReschedule, 3, "verlegen"),
	c(ActionReschedule, 3, "umlegen"), c(ActionReschedule, 3, "umterminieren"), c(ActionReschedule, 3, "verschoben"),
	c(ActionReschedule, 2, "anderen", "termin"), c(ActionReschedule, 2, "aendern"), c(ActionReschedule, 2, "andern"),
	c(ActionReschedule, 3, "reschedule"), c(ActionReschedule, 3, "postpone"), c(ActionReschedule, 2, "move"),
	c(ActionReschedule, 2, "change", "my", "appointment"),
	c(ActionCancel, 3, "absagen"), c(ActionCancel, 3, "stornieren"), c(ActionCancel, 3, "storniere"),
	c(ActionCancel, 3, "stornierung"), c(ActionCancel, 3, "storno"), c(ActionCancel, 3, "canceln"),
	c(ActionCancel, 3, "cancel"), c(ActionCancel, 3, "abbestellen"), c(ActionCancel, 3, "absage"),
	c(ActionCancel, 3, "nicht", "kommen"), c(ActionCancel, 3, "nicht", "wahrnehmen"), c(ActionCancel, 2, "streichen"),
	c(ActionCancel, 3, "call", "off"), c(ActionCancel, 3, "sage", "ab"), c(ActionCancel, 3, "sagen", "ab"),
	c(ActionBook, 2, "buchen"), c(ActionBook, 2, "buche"), c(ActionBook, 2, "reservieren"),
	c(ActionBook, 2, "vereinbaren"), c(ActionBook, 2, "ausmachen"), c(ActionBook, 2, "haette", "gern"),
	c(ActionBook, 2, "haette", "gerne"), c(ActionBook, 2, "hatte", "gern"), c(ActionBook, 2, "hatte", "gerne"),
	c(ActionBook, 1, "moechte"), c(ActionBook, 1, "mochte"), c(ActionBook, 1, "termin"), c(ActionBook, 1, "frei"),
	c(ActionBook, 1, "brauche"), c(ActionBook, 1, "einen", "termin"), c(ActionBook, 2, "book"),
	c(ActionBook, 1, "appointment"), c(ActionBook, 2, "schedule"), c(ActionBook, 1, "available"),
	c(ActionBook, 1, "would", "like"), c(ActionBook, 1, "id", "like"), c(ActionBook, 1, "need"),
	c(ActionInfo, 3, "oeffnungszeiten"), c(ActionInfo, 3, "offnungszeiten"), c(ActionInfo, 2, "geoeffnet"),
	c(ActionInfo, 2, "geoffnet"), c(ActionInfo, 2, "offen"), c(ActionInfo, 2, "kostet"), c(ActionInfo, 2, "kosten"),
	c(ActionInfo, 2, "preis"), c(ActionInfo, 2, "preise"), c(ActionInfo, 2, "teuer"), c(ActionInfo, 2, "dauert"),
	c(ActionInfo, 2, "adresse"), c(ActionInfo, 2, "wo", "sind", "sie"), c(ActionInfo, 2, "parken"),
	c(ActionInfo, 2, "wie", "lange", "haben"), c(ActionInfo, 3, "opening", "hours"), c(ActionInfo, 2, "open"),
	c(ActionInfo, 2, "price"), c(ActionInfo, 2, "prices"), c(ActionInfo, 2, "cost"), c(ActionInfo, 2, "how", "much"),
	c(ActionInfo, 2, "how", "long"),
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
