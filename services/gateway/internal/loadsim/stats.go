package loadsim

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// Stats collects latencies, errors and outcomes per endpoint.
type Stats struct {
	mu         sync.Mutex
	start, end time.Time
	lat        map[string][]time.Duration
	errs       map[string]map[string]int
	outcomes   map[string]map[string]int
	samples    map[string]string
}

// NewStats returns empty stats.
func NewStats() *Stats {
	return &Stats{lat: map[string][]time.Duration{}, errs: map[string]map[string]int{}, outcomes: map[string]map[string]int{}, samples: map[string]string{}}
}

// Start and Stop mark the measured window.
func (s *Stats) Start(t time.Time) { s.mu.Lock(); s.start = t; s.mu.Unlock() }

// Stop marks the end of the measured window.
func (s *Stats) Stop(t time.Time) { s.mu.Lock(); s.end = t; s.mu.Unlock() }

// Record adds one request; problem is empty for a good answer.
func (s *Stats) Record(ep string, d time.Duration, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[ep] = append(s.lat[ep], d)
	if problem != "" {
		if s.errs[ep] == nil {
			s.errs[ep] = map[string]int{}
		}
		s.errs[ep][problem]++
	}
}

// Outcome counts what a good function answer said; the first message of each kind is kept as
// a sample.
func (s *Stats) Outcome(ep, what, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.samples[ep+" "+what]; !ok {
		s.samples[ep+" "+what] = message
	}
	if s.outcomes[ep] == nil {
		s.outcomes[ep] = map[string]int{}
	}
	s.outcomes[ep][what]++
}

// Problems returns the failed requests per endpoint and kind.
func (s *Stats) Problems() map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]int, len(s.errs))
	for ep, m := range s.errs {
		out[ep] = make(map[string]int, len(m))
		for k, v := range m {
			out[ep][k] = v
		}
	}
	return out
}

// Errors is the number of failed requests.
func (s *Stats) Errors() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.errs {
		for _, c := range m {
			n += c
		}
	}
	return n
}

// Summary is one endpoint's figures.
type Summary struct {
	Endpoint      string
	Count, Errors int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Summaries returns the figures per endpoint, in a fixed order.
func (s *Stats) Summaries() []Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	eps := make([]string, 0, len(s.lat))
	for ep := range s.lat {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	out := make([]Summary, 0, len(eps))
	for _, ep := range eps {
		l := slices.Clone(s.lat[ep])
		slices.Sort(l)
		sum := Summary{Endpoint: ep, Count: len(l), P50: pct(l, 50), P95: pct(l, 95), P99: pct(l, 99), Max: l[len(l)-1]}
		for _, c := range s.errs[ep] {
			sum.Errors += c
		}
		out = append(out, sum)
	}
	return out
}

// Of returns one endpoint's summary (zero when it saw no request).
func (s *Stats) Of(ep string) Summary {
	for _, x := range s.Summaries() {
		if x.Endpoint == ep {
			return x
		}
	}
	return Summary{Endpoint: ep}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// Print writes the latency table, throughput, errors and outcomes.
func (s *Stats) Print(w io.Writer) {
	sums := s.Summaries()
	s.mu.Lock()
	elapsed := s.end.Sub(s.start)
	errs, outcomes := s.errs, s.outcomes
	s.mu.Unlock()
	fmt.Fprintf(w, "%-24s %8s %7s %9s %9s %9s %9s\n", "endpoint", "requests", "errors", "p50", "p95", "p99", "max")
	total := 0
	for _, x := range sums {
		total += x.Count
		fmt.Fprintf(w, "%-24s %8d %7d %9s %9s %9s %9s\n", x.Endpoint, x.Count, x.Errors, ms(x.P50), ms(x.P95), ms(x.P99), ms(x.Max))
	}
	if elapsed > 0 {
		fmt.Fprintf(w, "throughput: %d requests in %s = %.1f req/s\n", total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
	}
	for _, ep := range sortedKeys(errs) {
		for _, p := range sortedKeys(errs[ep]) {
			fmt.Fprintf(w, "error: %s: %s x%d\n", ep, p, errs[ep][p])
		}
	}
	for _, ep := range sortedKeys(outcomes) {
		line := "outcomes " + ep + ":"
		for _, o := range sortedKeys(outcomes[ep]) {
			line += fmt.Sprintf(" %s=%d", o, outcomes[ep][o])
		}
		fmt.Fprintln(w, line)
	}
}

// PrintSamples writes one sample message per endpoint and outcome.
func (s *Stats) PrintSamples(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range sortedKeys(s.samples) {
		fmt.Fprintf(w, "sample %s: %q\n", k, truncate(s.samples[k], 160))
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
