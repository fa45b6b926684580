package routing

// maxFuzzyLen bounds the strings compared, so the distance tables live on the stack.
const maxFuzzyLen = 48

// text is a string prepared for fuzzy comparison: its letter counts are computed once, so
// that comparing it with many others starts with a cheap bound instead of the quadratic table.
type text struct {
	s   string
	bag bag
}

func newText(s string) text { return text{s: s, bag: bagOf(s)} }

// bag counts letters a–z, digits and everything else in one bucket.
type bag [37]int8

func bagOf(s string) bag {
	var b bag
	for i := 0; i < len(s) && i < maxFuzzyLen; i++ {
		b[bucket(s[i])]++
	}
	return b
}

func bucket(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= '0' && c <= '9':
		return 26 + int(c-'0')
	}
	return 36
}

// bagDistance is a lower bound of the edit distance of a and b (lengths la, lb): the larger
// of the letters one has beyond the other and the letters it lacks. Those two add up to the
// summed count differences and differ by la-lb, which keeps the loop free of branches.
func bagDistance(a, b *bag, la, lb int) int {
	sum := 0
	for k := range a {
		d := int(a[k]) - int(b[k])
		m := d >> 63
		sum += (d ^ m) - m
	}
	return (sum + abs(la-lb)) / 2
}

// similarity is 1 minus the normalised Damerau-Levenshtein (optimal string alignment)
// distance of a and b, or 0 when it is below floor. The length and letter-count bounds and
// the row minimum stop early, so most comparisons cost almost nothing.
func similarity(a, b text, floor float64) float64 {
	la, lb := len(a.s), len(b.s)
	if la == 0 || lb == 0 || la > maxFuzzyLen || lb > maxFuzzyLen {
		return 0
	}
	longest := max(la, lb)
	maxDist := int(float64(longest) * (1 - floor))
	if abs(la-lb) > maxDist {
		return 0
	}
	if bagDistance(&a.bag, &b.bag, min(la, maxFuzzyLen), min(lb, maxFuzzyLen)) > maxDist {
		return 0
	}
	d := osaDistance(a.s, b.s, maxDist)
	if d > maxDist {
		return 0
	}
	return 1 - float64(d)/float64(longest)
}

// osaDistance is the optimal-string-alignment distance, or maxDist+1 once it must exceed
// maxDist.
func osaDistance(a, b string, maxDist int) int {
	var rows [3][maxFuzzyLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > maxDist {
			return maxDist + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
