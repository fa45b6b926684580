package routing

import (
	"sort"
	"strings"
)

// Catalog is what a branch offers: its services (Cal.com event types), its staff and its
// opening hours.
type Catalog struct {
	EventTypes []EventType
	Staff      []StaffMember
	Hours      OpeningHours
	// Region reads a spoken number without country code (ISO 3166, phone.DefaultRegion when
	// empty).
	Region string
}

// EventType is a bookable service with the ways callers name it ("Haare schneiden" for
// "Damenhaarschnitt").
type EventType struct {
	ID      string
	Name    string
	Aliases []string
}

// StaffMember is someone callers can ask for, by full, first or last name or an alias.
type StaffMember struct {
	ID      string
	Name    string
	Aliases []string
}

const (
	serviceThreshold = 0.8
	staffThreshold   = 0.8
	// tieMargin: matches this close to the best are alternatives to ask about.
	tieMargin = 0.05
	// maxWindow is the most utterance words joined to meet one name ("haar schnitt").
	maxWindow = 3
)

// entry is a catalogue item with its names folded and their spaces removed, so that split
// and joined compounds compare equal.
type entry struct {
	id, name string
	forms    []text
}

func serviceEntries(ets []EventType) []entry {
	out := make([]entry, 0, len(ets))
	for _, et := range ets {
		out = append(out, newEntry(et.ID, et.Name, append([]string{et.Name}, et.Aliases...)))
	}
	return out
}

func newEntry(id, name string, names []string) entry {
	e := entry{id: id, name: name}
	for _, n := range names {
		if f := joinedForm(n); len(f) >= 3 {
			e.forms = append(e.forms, newText(f))
		}
	}
	return e
}

// joinedForm folds a name and drops everything but letters and digits.
func joinedForm(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// window is a run of one to maxWindow utterance words joined without spaces, so that "haar
// schnitt" meets "Haarschnitt".
type window struct {
	text
	start, words int
}

// windows lists every window of the utterance, each prepared once for all comparisons.
func windows(toks []token) []window {
	out := make([]window, 0, len(toks)*maxWindow)
	for i := range toks {
		joined := ""
		for w := 0; w < maxWindow && i+w < len(toks); w++ {
			joined += toks[i+w].w
			if len(joined) > maxFuzzyLen {
				break
			}
			out = append(out, window{text: newText(joined), start: i, words: w + 1})
		}
	}
	return out
}

// bestMatches scores every entry against the utterance and returns the best one above
// threshold, and the others close enough to it to be worth asking about. A match whose words
// lie inside a longer match's words is not an alternative but a part of that name: in
// "Waschen, Schneiden, Föhnen" the service of that name wins over "Schneiden" and "Föhnen".
func bestMatches(entries []entry, ws []window, threshold float64) (*Match, []Match) {
	if len(entries) == 0 || len(ws) == 0 {
		return nil, nil
	}
	type hit struct {
		m   Match
		win *window
	}
	var hits []hit
	for _, e := range entries {
		if s, w := e.score(ws, threshold); s >= threshold {
			hits = append(hits, hit{Match{ID: e.id, Name: e.name, Score: round2(s)}, w})
		}
	}
	found := make([]Match, 0, len(hits))
	for _, h := range hits {
		inside := false
		for _, o := range hits {
			if o.win.contains(h.win) && o.m.Score >= h.m.Score-tieMargin {
				inside = true
				break
			}
		}
		if !inside {
			found = append(found, h.m)
		}
	}
	return rank(found)
}

// contains reports whether w spans more words than o, all of o's among them.
func (w *window) contains(o *window) bool {
	return w.words > o.words && w.start <= o.start && o.start+o.words <= w.start+w.words
}

func rank(found []Match) (*Match, []Match) {
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].Score > found[b].Score })
	best := found[0]
	var alts []Match
	for _, m := range found[1:] {
		if best.Score-m.Score <= tieMargin {
			alts = append(alts, m)
		}
	}
	return &best, alts
}

// score is the best similarity of any of e's names to any window. A word that contains a
// whole name ("Damenhaarschnitt" contains "Haarschnitt") scores a little under an exact match;
// a word that is most of a name ("Haarschnitt" in "Damenhaarschnitt") just reaches the
// threshold, so that all services it could mean come back as alternatives.
func (e entry) score(ws []window, threshold float64) (float64, *window) {
	best, at := 0.0, (*window)(nil)
	for fi := range e.forms {
		f := &e.forms[fi]
		for wi := range ws {
			// Of equal scores the widest window counts: the name as said in full.
			if s := formScore(&ws[wi].text, f, threshold); s > best || s == best && at != nil && ws[wi].words > at.words {
				best, at = s, &ws[wi]
			}
		}
	}
	return best, at
}

func formScore(w, f *text, threshold float64) float64 {
	s := similarity(*w, *f, threshold)
	if s >= 0.9 {
		return s
	}
	lw, lf := len(w.s), len(f.s)
	switch {
	case lf >= 6 && lw >= lf && lw <= lf+10 && strings.Contains(w.s, f.s):
		return 0.9
	case lw >= 6 && lw < lf && lw*10 >= lf*6 && strings.Contains(f.s, w.s):
		return max(s, threshold)
	}
	return s
}
