package routing

import "time"

// resolveSlot turns one slot into its readings. Readings already past at ref are dropped
// when another remains ("Dienstag um 9", said on a Tuesday at 11, is next week).
func (p *Parser) resolveSlot(s slot, ref time.Time) []When {
	if s.days == nil && s.spec == nil && s.part == nil {
		return nil
	}
	if s.week {
		return []When{weekWhen(s.days[0], ref)}
	}
	if s.days != nil {
		return dropPast(p.resolveDays(s, s.days, ref), ref)
	}
	return p.resolveImplied(s, ref)
}

// resolveImplied places a time said without a date ("um drei") on the first day, today or
// tomorrow, where it is still ahead, preferring a reading inside opening hours: "um acht",
// said at ten in a shop open until nine at night, is tonight. Where no reading is open, each
// time of day comes back once, on the first day it is ahead, as a candidate.
func (p *Parser) resolveImplied(s slot, ref time.Time) []When {
	today := civilOf(ref)
	var fallback []When
	seen := map[int]bool{}
	for _, d := range []civil{today, today.add(1)} {
		ahead := aheadOf(p.resolveDays(s, []civil{d}, ref), ref)
		if len(ahead) > 0 && p.allOpen(ahead) {
			return ahead
		}
		for _, w := range ahead {
			if m := w.Start.Hour()*60 + w.Start.Minute(); !seen[m] {
				seen[m] = true
				fallback = append(fallback, w)
			}
		}
	}
	return fallback
}

// aheadOf keeps the readings not yet past, marked as having an implied date.
func aheadOf(ws []When, ref time.Time) []When {
	var ahead []When
	for _, w := range ws {
		if !isPast(w, ref) {
			w.DateImplied = true
			ahead = append(ahead, w)
		}
	}
	return ahead
}

// allOpen reports whether every reading starts within opening hours.
func (p *Parser) allOpen(ws []When) bool {
	for _, w := range ws {
		m := w.Start.Hour()*60 + w.Start.Minute()
		if w.Kind != KindBefore && !p.hours.startsIn(w.Start.Weekday(), m) {
			return false
		}
	}
	return true
}

func (p *Parser) resolveDays(s slot, days []civil, ref time.Time) []When {
	var out []When
	for _, d := range days {
		out = append(out, p.resolveOn(d, s.spec, s.part, ref)...)
	}
	return out
}

func dropPast(ws []When, ref time.Time) []When {
	var kept []When
	for _, w := range ws {
		if !isPast(w, ref) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return ws
	}
	return kept
}

// isPast: a point or a start is past once it has begun; a day or range once it has ended.
func isPast(w When, ref time.Time) bool {
	switch w.Kind {
	case KindAt, KindAfter:
		return w.Start.Before(ref)
	}
	return !w.End.After(ref)
}

// resolveOn reads a time phrase on day d.
func (p *Parser) resolveOn(d civil, spec *timeSpec, part *dayPart, ref time.Time) []When {
	loc := ref.Location()
	switch {
	case spec == nil && part == nil:
		return []When{dayWhen(d, ref)}
	case spec == nil:
		from, to := p.clampToHours(d, part.from, part.to)
		return []When{rangeWhen(d, from, to, part, ref)}
	}
	var out []When
	switch spec.kind {
	case KindAt:
		for _, m := range p.pickStarts(d, spec.from.options(), part) {
			out = append(out, atWhen(d, m, loc, ref))
		}
	case KindAfter:
		_, closing, _ := p.hours.bounds(d.weekday())
		for _, m := range p.pickStarts(d, spec.from.options(), part) {
			out = append(out, boundWhen(d, KindAfter, m, endAfter(m, closing), false, ref))
		}
	case KindBefore:
		opening, _, _ := p.hours.bounds(d.weekday())
		for _, m := range p.pickEnds(d, spec.to.options(), part) {
			out = append(out, boundWhen(d, KindBefore, startBefore(m, opening), m, spec.latest, ref))
		}
	case KindRange:
		for _, r := range p.pickRanges(d, spec.from, spec.to, part) {
			out = append(out, rangeWhen(d, r[0], r[1], nil, ref))
		}
	}
	return out
}

// pickStarts chooses AM or PM: the readings inside the part of the day said, then inside
// opening hours, then inside plausible hours. Two survivors are two candidates.
func (p *Parser) pickStarts(d civil, opts []int, part *dayPart) []int {
	opts = filterPart(opts, part)
	wd := d.weekday()
	if in := filterMinutes(opts, func(m int) bool { return p.hours.startsIn(wd, m) }); len(in) > 0 {
		return in
	}
	if in := filterMinutes(opts, plausible); len(in) > 0 {
		return in
	}
	return opts
}

func (p *Parser) pickEnds(d civil, opts []int, part *dayPart) []int {
	opts = filterPart(opts, part)
	wd := d.weekday()
	if in := filterMinutes(opts, func(m int) bool { return p.hours.endsIn(wd, m) }); len(in) > 0 {
		return in
	}
	if in := filterMinutes(opts, plausible); len(in) > 0 {
		return in
	}
	return opts
}

func filterPart(opts []int, part *dayPart) []int {
	if part == nil {
		return opts
	}
	if in := filterMinutes(opts, func(m int) bool { return m >= part.winF && m < part.winT }); len(in) > 0 {
		return in
	}
	return opts
}

func filterMinutes(opts []int, keep func(int) bool) []int {
	var out []int
	for _, m := range opts {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// pickRanges pairs the readings of both ends into forward spans of at most twelve hours and
// keeps those that lie in opening hours, else those that overlap them, else plausible ones.
func (p *Parser) pickRanges(d civil, a, b clock, part *dayPart) [][2]int {
	var pairs [][2]int
	for _, f := range filterPart(a.options(), part) {
		for _, t := range b.options() {
			if t > f && t-f <= 12*60 {
				pairs = append(pairs, [2]int{f, t})
			}
		}
	}
	wd := d.weekday()
	tests := []func([2]int) bool{
		func(r [2]int) bool { return p.hours.startsIn(wd, r[0]) && p.hours.endsIn(wd, r[1]) },
		func(r [2]int) bool { return p.hours.startsIn(wd, r[0]) || p.hours.endsIn(wd, r[1]) },
		func(r [2]int) bool { return plausible(r[0]) && plausible(r[1]) },
	}
	for _, keep := range tests {
		var in [][2]int
		for _, r := range pairs {
			if keep(r) {
				in = append(in, r)
			}
		}
		if len(in) > 0 {
			return in
		}
	}
	return pairs
}

// clampToHours narrows a part of the day to the opening hours ("vormittags" at a salon that
// opens at nine is 9 to 12), unless they do not overlap.
func (p *Parser) clampToHours(d civil, from, to int) (int, int) {
	opening, closing, ok := p.hours.bounds(d.weekday())
	f, t := max(from, opening), min(to, closing)
	if !ok || f >= t {
		return from, to
	}
	return f, t
}

// endAfter is where "ab m" ends: closing time, or midnight when m is at or after closing.
func endAfter(m, closing int) int {
	if closing > m {
		return closing
	}
	return 24 * 60
}

// startBefore is where "bis m" starts: opening time, or midnight when m is at or before it.
func startBefore(m, opening int) int {
	if opening < m {
		return opening
	}
	return 0
}
