package routing

import "strings"

// staffEntries are the staff members' names: full name, each part of it, and aliases.
func staffEntries(staff []StaffMember) []entry {
	out := make([]entry, 0, len(staff))
	for _, s := range staff {
		names := append([]string{s.Name}, s.Aliases...)
		names = append(names, strings.Fields(s.Name)...)
		out = append(out, newEntry(s.ID, s.Name, names))
	}
	return out
}

// staffCues introduce a person: "bei Maria", "zu Herrn Becker", "mit Frau Schmidt",
// "with Anna". Titles after the cue are skipped.
var (
	staffCues   = []string{"bei", "zu", "mit", "von", "with", "to", "see", "by"}
	staffTitles = []string{"herrn", "herr", "frau", "der", "dem", "die", "den", "mr", "mrs", "ms", "miss", "doktor", "dr"}
)

// matchStaff finds the staff member the caller asks for. A name after a cue word counts at
// staffThreshold; a name said without one must match closely and is trusted less. Words in
// skip (the caller's own name, an e-mail address) never name staff.
func (p *Parser) matchStaff(toks []token, ws []window, skip []span) (*Match, []Match) {
	if len(p.staff) == 0 {
		return nil, nil
	}
	var found []Match
	for _, e := range p.staff {
		if s := staffScore(e, toks, ws, skip); s >= staffThreshold {
			found = append(found, Match{ID: e.id, Name: e.name, Score: round2(s)})
		}
	}
	return rank(found)
}

// staffScore compares e's names with the one- and two-word windows that start at a possible
// name.
func staffScore(e entry, toks []token, ws []window, skip []span) float64 {
	best := 0.0
	for wi := range ws {
		w := &ws[wi]
		if w.words > 2 || !isNameCandidate(toks[w.start]) || skipped(skip, w.start) {
			continue
		}
		cued := afterCue(toks, w.start)
		for fi := range e.forms {
			s := similarity(w.text, e.forms[fi], staffThreshold)
			if !cued && (s < 0.9 || len(e.forms[fi].s) < 4) {
				continue
			}
			if !cued {
				s *= 0.85
			}
			best = max(best, s)
		}
	}
	return best
}

// afterCue reports a cue word, optionally followed by a title, right before i.
func afterCue(toks []token, i int) bool {
	j := i - 1
	if oneOf(wordAt(toks, j), staffTitles...) {
		if oneOf(wordAt(toks, j), "herrn", "herr", "frau", "mr", "mrs", "ms", "dr", "doktor") {
			return true // "Frau Schmidt" names a person wherever it stands
		}
		j--
	}
	return oneOf(wordAt(toks, j), staffCues...)
}

// isNameCandidate rules out words that are dates, numbers or too short to be a name.
func isNameCandidate(t token) bool {
	if len(t.w) < 3 || t.isNum() || t.ord >= 0 {
		return false
	}
	_, wd := weekdays[t.w]
	_, mo := months[t.w]
	_, part := dayParts[t.w]
	return !wd && !mo && !part
}

func skipped(skip []span, i int) bool {
	for _, s := range skip {
		if s.covers(i) {
			return true
		}
	}
	return false
}
