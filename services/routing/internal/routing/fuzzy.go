package routing

// maxFuzzyLen bounds the strings compared, so the distance tables live on the stack.
const maxFuzzyLen = 48

// similarity is 1 minus the normalised Damerau-Levenshtein (optimal string alignment)
// distance of a and b, or 0 when it is below floor: the length check and the row minimum stop
// early, so most comparisons cost almost nothing.
func similarity(a, b string, floor float64) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || la > maxFuzzyLen || lb > maxFuzzyLen {
		return 0
	}
	longest := max(la, lb)
	maxDist := int(float64(longest) * (1 - floor))
	if abs(la-lb) > maxDist || bagDistance(a, b) > maxDist {
		return 0
	}
	d := osaDistance(a, b, maxDist)
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

// bagDistance is a cheap lower bound of the edit distance: the letters one string has and the
// other lacks. It rejects most windows in linear time before the quadratic table.
func bagDistance(a, b string) int {
	var counts [37]int
	for i := 0; i < len(a); i++ {
		counts[bucket(a[i])]++
	}
	for i := 0; i < len(b); i++ {
		counts[bucket(b[i])]--
	}
	plus, minus := 0, 0
	for _, c := range counts {
		if c > 0 {
			plus += c
		} else {
			minus -= c
		}
	}
	return max(plus, minus)
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
