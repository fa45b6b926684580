package routing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/askproai/backend/services/routing/internal/routing"
)

// benchUtterances is a realistic mix: short answers, full requests with service, staff and
// time, English, noise, and one long rambling turn.
var benchUtterances = []string{
	"ich hätte gern einen Termin morgen um halb drei",
	"Guten Morgen, hier ist Frau Müller, ich möchte meinen Termin am Freitag auf nächsten Dienstag verschieben",
	"damen haar schnitt freitag nachmittag bei maria",
	"fünf vor halb vier",
	"ja",
	"am dritten Dezember zwischen 14 und 16 Uhr",
	"äh ja hallo ich hätt gern nen termin für übermorgen so gegen vierzehn uhr dreißig äh bei herrn becker",
	"I'd like to book an appointment for next Tuesday at 3pm",
	"mein Name ist Max Mustermann, meine Nummer ist null drei null eins zwei drei vier fünf sechs sieben acht",
	"was kostet eine Maniküre und haben Sie am Samstag geöffnet",
	"ich muss leider absagen",
	"Mittwoch nächste Woche vormittags oder Donnerstag ab 15 Uhr",
	"meine E-Mail ist max punkt muster at gmx punkt de",
	"Heiligabend um zehn",
	"also ich wollte eigentlich fragen ob ich meinen Termin den ich bei Ihnen am Montag um neun Uhr habe " +
		"vielleicht auf einen anderen Tag verschieben kann weil ich da leider arbeiten muss und am liebsten wäre " +
		"mir dann der Donnerstag nachmittag oder notfalls auch der Freitag ab halb drei mit einer Rückenmassage",
}

// BenchmarkAnalyzeIntent reports the usual ns/op and, because a caller waits on the slowest
// answer rather than the average, the 99th percentile of single utterances (p99-ns).
func BenchmarkAnalyzeIntent(b *testing.B) {
	p := routing.NewParser(salon())
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	ref := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	var samples []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		p.Analyze(benchUtterances[i%len(benchUtterances)], ref, loc)
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(samples, 0.99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(percentile(samples, 0.50).Nanoseconds()), "p50-ns")
}

func percentile(samples []time.Duration, q float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*q))]
}
