package routing

// mention is one date, time or part-of-day phrase found in the utterance, in order.
type mention struct {
	days     []civil
	week     bool
	spec     *timeSpec
	part     *dayPart
	orBefore bool // "oder"/"or" came between the previous mention and this one
}

// scanMentions finds every date and time phrase, left to right. Each matcher looks ahead a
// bounded number of tokens, so the scan is linear in the utterance.
func scanMentions(toks []token, today civil) []mention {
	var ms []mention
	or := false
	for i := 0; i < len(toks); {
		if oneOf(toks[i].w, "oder", "or", "beziehungsweise", "bzw", "alternativ") {
			or = true
			i++
			continue
		}
		found, n := matchAt(toks, i, today)
		if n == 0 {
			i++
			continue
		}
		if len(found) > 0 {
			found[0].orBefore = or
			or = false
		}
		ms = append(ms, found...)
		i += n
	}
	return ms
}

// matchAt tries dates, then times, then parts of the day at i. It may consume tokens without
// a mention: a greeting "Guten Morgen" is read and dropped.
func matchAt(toks []token, i int, today civil) ([]mention, int) {
	if h := matchDate(toks, i, today); h.n > 0 {
		var out []mention
		if len(h.days) > 0 {
			out = append(out, mention{days: h.days, week: h.week})
		}
		if h.part != nil {
			out = append(out, mention{part: h.part})
		}
		return out, h.n
	}
	if s, n := matchTime(toks, i); n > 0 {
		return []mention{{spec: &s}}, n
	}
	if p, ok := dayParts[toks[i].w]; ok && !oneOf(wordAt(toks, i-1), "guten", "gute", "good", "schoenen", "einen", "nice") {
		return []mention{{part: &p}}, 1
	}
	return nil, 0
}
