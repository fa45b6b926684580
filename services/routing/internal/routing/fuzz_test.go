package routing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/routing/internal/routing"
)

// FuzzAnalyzeIntent checks that no input panics and that every answer is well formed. The
// seeds live in testdata/fuzz/FuzzAnalyzeIntent, so plain `go test` runs them; `go test
// -fuzz=FuzzAnalyzeIntent` explores further.
func FuzzAnalyzeIntent(f *testing.F) {
	f.Add("ich hätte gern einen Termin morgen um halb drei", int64(0))
	p := routing.NewParser(salon())
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(f, err)
	base := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, text string, offsetMinutes int64) {
		// Any reference within about ten years of the base date.
		ref := base.Add(time.Duration(offsetMinutes%(10*366*24*60)) * time.Minute)
		in := p.Analyze(text, ref, loc)
		require.LessOrEqual(t, len(in.Times), 6)
		for _, w := range append(in.Times, in.Original...) {
			require.NotEmpty(t, w.Readback)
			require.False(t, w.Start.IsZero() && w.End.IsZero())
			require.Equal(t, loc, w.Start.Location())
		}
		require.GreaterOrEqual(t, in.Confidence, 0.0)
		require.LessOrEqual(t, in.Confidence, 1.0)
	})
}

// Input past the limit is cut, so a huge transcript costs no more than a long one. The test
// only proves it returns and still understands the beginning; speed is the benchmark's job.
func TestAnalyzeIntentHugeInput(t *testing.T) {
	text := "morgen um halb drei " + strings.Repeat("zwischen halb drei und viertel nach vier oder ", 50_000)
	in := routing.NewParser(salon()).Analyze(text, at(t, defaultRef), berlin(t))
	require.NotEmpty(t, in.Times)
}
