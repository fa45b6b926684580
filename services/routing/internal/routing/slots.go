package routing

import "time"

// slot is one "when" the caller described: a date (or week) with a time phrase and a part of
// the day, any of which may be missing.
type slot struct {
	days   []civil
	week   bool
	spec   *timeSpec
	part   *dayPart
	orPrev bool // joined to the previous slot by "oder"
}

// buildSlots groups mentions: a date, a time or a part of the day that the current slot
// already has starts the next slot ("Dienstag um drei, Mittwoch um vier").
func buildSlots(ms []mention) []slot {
	var slots []slot
	for _, m := range ms {
		n := len(slots)
		full := n == 0 || (m.days != nil && slots[n-1].days != nil) ||
			(m.spec != nil && slots[n-1].spec != nil) || (m.part != nil && slots[n-1].part != nil)
		if full || m.orBefore {
			slots = append(slots, slot{orPrev: m.orBefore})
			n++
		}
		s := &slots[n-1]
		switch {
		case m.days != nil:
			s.days, s.week = m.days, m.week
		case m.spec != nil:
			s.spec = m.spec
		case m.part != nil:
			s.part = m.part
		}
	}
	return slots
}

// pickSlots chooses what the caller finally asked for: the last group of slots joined by
// "oder" (earlier mentions were corrections or context), filling missing dates from earlier
// slots and missing times from the group. For a reschedule, the group before is the
// appointment being moved.
func pickSlots(slots []slot, reschedule bool) (target, original []slot) {
	if len(slots) == 0 {
		return nil, nil
	}
	start := len(slots) - 1
	for start > 0 && slots[start].orPrev {
		start--
	}
	target = append([]slot(nil), slots[start:]...)
	var earlier []slot
	if start > 0 {
		earlier = slots[:start]
		if reschedule {
			original = lastGroup(earlier)
		}
	}
	fillGroup(target, earlier, !reschedule || original == nil)
	return target, original
}

func lastGroup(slots []slot) []slot {
	start := len(slots) - 1
	for start > 0 && slots[start].orPrev {
		start--
	}
	g := append([]slot(nil), slots[start:]...)
	fillGroup(g, nil, false)
	return g
}

// fillGroup completes each slot of an "oder" group from its neighbours ("Dienstag oder
// Mittwoch um drei"), and, when inherit is set, a missing date from earlier slots ("morgen
// um drei, nein, um vier").
func fillGroup(g, earlier []slot, inherit bool) {
	for k := range g {
		for d := 1; d < len(g) && (g[k].days == nil || g[k].spec == nil && g[k].part == nil); d++ {
			for _, o := range []int{k + d, k - d} {
				if o >= 0 && o < len(g) {
					fillFrom(&g[k], g[o], true)
				}
			}
		}
		for e := len(earlier) - 1; inherit && e >= 0 && g[k].days == nil; e-- {
			fillFrom(&g[k], earlier[e], false)
		}
	}
}

func fillFrom(s *slot, o slot, withTime bool) {
	if s.days == nil && o.days != nil {
		s.days, s.week = o.days, o.week
	}
	if withTime && s.spec == nil && s.part == nil {
		s.spec, s.part = o.spec, o.part
	}
}

// maxCandidates caps the readings returned for one utterance; past that, asking back is
// better than listing.
const maxCandidates = 6

// resolve turns the slots of an utterance into Whens.
func (p *Parser) resolve(ms []mention, ref time.Time, reschedule bool) (times, original []When) {
	target, orig := pickSlots(buildSlots(ms), reschedule)
	return p.resolveSlots(target, ref), p.resolveSlots(orig, ref)
}

func (p *Parser) resolveSlots(slots []slot, ref time.Time) []When {
	var out []When
	for _, s := range slots {
		for _, w := range p.resolveSlot(s, ref) {
			if !containsWhen(out, w) && len(out) < maxCandidates {
				out = append(out, w)
			}
		}
	}
	return out
}

func containsWhen(ws []When, w When) bool {
	for _, o := range ws {
		if o.Kind == w.Kind && o.Start.Equal(w.Start) && o.End.Equal(w.End) {
			return true
		}
	}
	return false
}
