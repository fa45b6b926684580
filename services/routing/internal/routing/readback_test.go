package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/routing/internal/routing"
)

func TestReadback(t *testing.T) {
	tests := []struct {
		name string
		text string
		ref  string
		want []string
	}{
		{name: "point", text: "nächsten Dienstag um halb drei", want: []string{"Dienstag, 1. Dezember, um 14:30 Uhr"}},
		{name: "full hour", text: "nächsten Dienstag um 14 Uhr", want: []string{"Dienstag, 1. Dezember, um 14 Uhr"}},
		{name: "range", text: "nächsten Dienstag zwischen 14 und 16 Uhr",
			want: []string{"Dienstag, 1. Dezember, zwischen 14 und 16 Uhr"}},
		{name: "part of day", text: "Freitag vormittags", want: []string{"Freitag, 27. November, vormittags zwischen 9 und 12 Uhr"}},
		{name: "after", text: "morgen ab 15 Uhr", want: []string{"Mittwoch, 25. November, ab 15 Uhr"}},
		{name: "latest", text: "morgen spätestens 12", want: []string{"Mittwoch, 25. November, bis spätestens 12 Uhr"}},
		{name: "before", text: "morgen bis 12 Uhr", want: []string{"Mittwoch, 25. November, bis 12 Uhr"}},
		{name: "day", text: "übermorgen", want: []string{"Donnerstag, 26. November"}},
		{name: "week", text: "nächste Woche", want: []string{"in der Woche vom 30. November bis 6. Dezember"}},
		{name: "other year", text: "am 2. Januar um 10", ref: "2026-12-30 10:00", want: []string{"Samstag, 2. Januar 2027, um 10 Uhr"}},
		{name: "candidates", text: "Dienstag um 16 Uhr",
			want: []string{"Dienstag, 24. November, um 16 Uhr", "Dienstag, 1. Dezember, um 16 Uhr"}},
	}
	p := routing.NewParser(salon())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := defaultRef
			if tc.ref != "" {
				ref = tc.ref
			}
			var got []string
			for _, w := range p.Analyze(tc.text, at(t, ref), berlin(t)).Times {
				got = append(got, w.Readback)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// Days are built with time.Date in the branch's zone, so the day the clocks change is 23 or
// 25 hours long and every time on it carries the right offset.
func TestDaylightSavingDayLength(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		ref    string
		length time.Duration
		start  string
		end    string
	}{
		{name: "spring forward", text: "Sonntag", ref: "2026-03-27 10:00", length: 23 * time.Hour,
			start: "2026-03-29T00:00:00+01:00", end: "2026-03-30T00:00:00+02:00"},
		{name: "fall back", text: "Sonntag", ref: "2026-10-23 10:00", length: 25 * time.Hour,
			start: "2026-10-25T00:00:00+02:00", end: "2026-10-26T00:00:00+01:00"},
		{name: "ordinary", text: "Sonntag", ref: "2026-11-24 10:00", length: 24 * time.Hour,
			start: "2026-11-29T00:00:00+01:00", end: "2026-11-30T00:00:00+01:00"},
	}
	p := routing.NewParser(salon())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := p.Analyze(tc.text, at(t, tc.ref), berlin(t)).Times
			require.Len(t, ws, 1)
			require.Equal(t, tc.length, ws[0].End.Sub(ws[0].Start))
			require.Equal(t, tc.start, ws[0].StartISO())
			require.Equal(t, tc.end, ws[0].EndISO())
		})
	}
}

func TestEasterAcrossYears(t *testing.T) {
	tests := []struct {
		ref  string
		want string
	}{
		{ref: "2025-01-02 10:00", want: "2025-04-20"},
		{ref: "2026-01-02 10:00", want: "2026-04-05"},
		{ref: "2027-01-02 10:00", want: "2027-03-28"},
		{ref: "2028-01-02 10:00", want: "2028-04-16"},
		{ref: "2029-01-02 10:00", want: "2029-04-01"},
		{ref: "2030-01-02 10:00", want: "2030-04-21"},
		{ref: "2026-04-06 10:00", want: "2027-03-28"}, // this year's is past
	}
	p := routing.NewParser(salon())
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			ws := p.Analyze("Ostersonntag", at(t, tc.ref), berlin(t)).Times
			require.Equal(t, []string{tc.want}, compactAll(ws))
		})
	}
}

// A time zone far from Berlin resolves in its own wall clock.
func TestOtherTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	ref := time.Date(2026, 11, 24, 10, 0, 0, 0, ny)
	ws := routing.NewParser(salon()).Analyze("tomorrow at 3pm", ref, ny).Times
	require.Equal(t, []string{"2026-11-25T15:00-05:00"}, compactAll(ws))
}

func TestAnalyzeIntentWithoutLocationUsesUTC(t *testing.T) {
	ref := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	in := routing.AnalyzeIntent("morgen um halb drei", ref, nil, salon())
	require.Equal(t, []string{"2026-11-25T14:30Z"}, compactAll(in.Times))
}
