package routing_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/routing/internal/routing"
)

// berlin is the time zone of the test branch; the phrase table's clock changes are Berlin's.
func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// at parses a reference time such as "2026-11-24 10:00" in Berlin.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	ref, err := time.ParseInLocation("2006-01-02 15:04", s, berlin(t))
	require.NoError(t, err)
	return ref
}

func span(from, to int) []routing.Span { return []routing.Span{{From: from * 60, To: to * 60}} }

// salon is the test branch: a hair and beauty salon in Berlin, Monday to Friday 9 to 18,
// Thursday until 20, Saturday 9 to 14, closed on Sunday.
func salon() routing.Catalog {
	return routing.Catalog{
		EventTypes: []routing.EventType{
			{ID: "et-damen", Name: "Damenhaarschnitt", Aliases: []string{"Haare schneiden", "Damenschnitt", "Schneiden"}},
			{ID: "et-herren", Name: "Herrenhaarschnitt", Aliases: []string{"Herrenschnitt", "Männerhaarschnitt"}},
			{ID: "et-farbe", Name: "Färben", Aliases: []string{"Haare färben", "Coloration", "Strähnchen"}},
			{ID: "et-bart", Name: "Bartpflege", Aliases: []string{"Bart trimmen", "Rasur"}},
			{ID: "et-diaet", Name: "Diätberatung", Aliases: []string{"Ernährungsberatung"}},
			{ID: "et-mani", Name: "Maniküre", Aliases: []string{"Nägel machen", "Nagelpflege", "Manicure"}},
			{ID: "et-massage", Name: "Massage", Aliases: []string{"Rückenmassage"}},
			{ID: "et-foehn", Name: "Föhnen", Aliases: []string{"Styling"}},
			{ID: "et-wsf", Name: "Waschen, Schneiden, Föhnen", Aliases: []string{"Komplettpaket", "Waschen und Schneiden"}},
		},
		Staff: []routing.StaffMember{
			{ID: "s-maria", Name: "Maria Schmidt"},
			{ID: "s-becker", Name: "Thomas Becker"},
			{ID: "s-anna", Name: "Anna Klein"},
			{ID: "s-jonas", Name: "Jonas Weber"},
		},
		Hours: routing.OpeningHours{
			time.Monday: span(9, 18), time.Tuesday: span(9, 18), time.Wednesday: span(9, 18),
			time.Thursday: span(9, 20), time.Friday: span(9, 18), time.Saturday: span(9, 14),
		},
	}
}

// lateSalon is open 8 to 22 every day, so "um acht" fits both morning and evening.
func lateSalon() routing.Catalog {
	c := salon()
	for wd := range c.Hours {
		c.Hours[wd] = span(8, 22)
	}
	return c
}

// compact writes a When the way the phrase table expects it:
// at "2026-11-25T14:30+01:00", range "2026-11-25T14:00+01:00..16:00",
// after "2026-11-25T15:00+01:00..", before "..2026-11-25T12:00+01:00", day "2026-11-25",
// week "week 2026-11-30".
func compact(w routing.When) string {
	const full = "2006-01-02T15:04Z07:00"
	switch w.Kind {
	case routing.KindAt:
		return w.Start.Format(full)
	case routing.KindRange:
		return w.Start.Format(full) + ".." + w.End.Format("15:04")
	case routing.KindAfter:
		return w.Start.Format(full) + ".."
	case routing.KindBefore:
		return ".." + w.End.Format(full)
	case routing.KindDay:
		return w.Start.Format("2006-01-02")
	case routing.KindWeek:
		return "week " + w.Start.Format("2006-01-02")
	}
	return fmt.Sprintf("unknown kind %q", w.Kind)
}

func compactAll(ws []routing.When) []string {
	var out []string
	for _, w := range ws {
		out = append(out, compact(w))
	}
	return out
}
