package routing_test

import (
	"fmt"
	"time"

	"github.com/askproai/backend/services/routing/internal/routing"
)

func ExampleAnalyzeIntent() {
	loc, _ := time.LoadLocation("Europe/Berlin")
	callStart := time.Date(2026, 11, 24, 10, 0, 0, 0, loc) // a Tuesday
	catalog := routing.Catalog{
		EventTypes: []routing.EventType{{ID: "et-1", Name: "Damenhaarschnitt", Aliases: []string{"Haare schneiden"}}},
		Staff:      []routing.StaffMember{{ID: "st-1", Name: "Maria Schmidt"}},
	}
	in := routing.AnalyzeIntent("äh guten morgen ich hätte gern haare schneiden bei maria nächsten dienstag um halb drei",
		callStart, loc, catalog)
	fmt.Println(in.Action, in.Service.Name, in.Staff.Name)
	for _, w := range in.Times {
		fmt.Println(w.StartISO(), "|", w.Readback)
	}
	// Output:
	// book Damenhaarschnitt Maria Schmidt
	// 2026-12-01T14:30:00+01:00 | Dienstag, 1. Dezember, um 14:30 Uhr
}

func ExampleAnalyzeIntent_ambiguous() {
	loc, _ := time.LoadLocation("Europe/Berlin")
	callStart := time.Date(2026, 11, 24, 10, 0, 0, 0, loc) // a Tuesday
	open8to22 := routing.OpeningHours{}
	for wd := range open8to22 {
		open8to22[wd] = []routing.Span{{From: 8 * 60, To: 22 * 60}}
	}
	in := routing.AnalyzeIntent("morgen um acht", callStart, loc, routing.Catalog{Hours: open8to22})
	fmt.Println("ask back:", in.Ambiguous)
	for _, w := range in.Times {
		fmt.Println(w.Readback)
	}
	// Output:
	// ask back: true
	// Mittwoch, 25. November, um 8 Uhr
	// Mittwoch, 25. November, um 20 Uhr
}
