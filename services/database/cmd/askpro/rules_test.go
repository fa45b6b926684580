package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const rulesYAML = `
name: Salon Regel
time_zone: Europe/Berlin
booking: {minimum_notice_minutes: 60, horizon_days: 30}
branches:
  - name: Mitte
    phone: "+49 30 5557-2400"
    state: be
    opening_hours:
      tue: ["09:00-18:00"]
      sat: ["09:00-14:00"]
    closing_days:
      - {from: 2026-12-24, to: 2026-12-26, label: Betriebsferien}
      - {date: 2026-11-02}
    open_on_holidays: [2026-12-26]
  - name: Nord
    phone: "+49 30 5557-2401"
    state: DE-BB
    opening_hours:
      wed: ["10:00-19:00"]
services:
  - name: Damenhaarschnitt
    duration_minutes: 45
    calcom_event_type_id: 901
    minimum_notice_minutes: 0
    booking_horizon_days: 14
  - name: Föhnen
    duration_minutes: 30
    calcom_event_type_id: 902
staff:
  - name: Lea
    branch: Mitte
    hours:
      tue: ["14:00-18:00", "09:00-13:00"]
    time_off:
      - {from: 2026-12-10, to: 2026-12-12, reason: Urlaub}
      - {from: "2026-12-15T09:00:00+01:00", to: "2026-12-15T11:00:00+01:00"}
  - name: Mia
    branch: Mitte
    hours:
      Mitte: {tue: ["09:00-13:00"]}
      Nord: {wed: ["13:00-19:00"]}
`

// tenant apply stores the opening rules, and applying them again changes nothing.
func TestTenantApplyStoresOpeningRules(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(rulesYAML), 0o600))
	c.run("tenant", "apply", "-f", file)
	require.Contains(t, c.run("tenant", "apply", "-f", file), "0 record(s) created or updated")

	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies WHERE minimum_notice_minutes = 60 AND booking_horizon_days = 30`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branches WHERE name = 'Mitte' AND state = 'DE-BE'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branches WHERE name = 'Nord' AND state = 'DE-BB'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branch_closing_days WHERE first_day = '2026-12-24' AND last_day = '2026-12-26' AND label = 'Betriebsferien'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branch_closing_days WHERE first_day = '2026-11-02' AND last_day = '2026-11-02' AND label IS NULL`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM branch_open_holidays WHERE day = '2026-12-26'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE name = 'Damenhaarschnitt' AND minimum_notice_minutes = 0 AND booking_horizon_days = 14`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM event_types WHERE name = 'Föhnen' AND minimum_notice_minutes IS NULL AND booking_horizon_days IS NULL`))
	// Lea: two ranges on Tuesday at her own branch; Mia: Tuesday at Mitte, Wednesday at Nord.
	require.Equal(t, 2, c.count(`SELECT count(*) FROM working_hours w JOIN staff s ON s.id = w.staff_id
		JOIN branches b ON b.id = w.branch_id WHERE s.name = 'Lea' AND b.name = 'Mitte' AND w.weekday = 2`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM working_hours w JOIN staff s ON s.id = w.staff_id
		JOIN branches b ON b.id = w.branch_id WHERE s.name = 'Mia' AND b.name = 'Nord' AND w.weekday = 3
		AND w.start_time = '13:00' AND w.end_time = '19:00'`))
	// Whole days in Berlin: 10 Dec 00:00 through the end of 12 Dec.
	require.Equal(t, 1, c.count(`SELECT count(*) FROM time_off WHERE reason = 'Urlaub'
		AND starts_at = '2026-12-10T00:00:00+01:00' AND ends_at = '2026-12-13T00:00:00+01:00'`))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM time_off WHERE reason IS NULL
		AND starts_at = '2026-12-15T08:00:00Z' AND ends_at = '2026-12-15T10:00:00Z'`))
}

// Every problem of a file is reported at once, each by its field path, and a bad file changes
// nothing.
func TestTenantApplyRefusesBadOpeningRules(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(rulesYAML), 0o600))
	c.run("tenant", "apply", "-f", file)
	snapshot := func() string {
		var out string
		require.NoError(t, c.pool().QueryRow(t.Context(), `SELECT concat_ws('|',
			(SELECT string_agg(concat_ws(',', name, state, opening_hours::text), ';' ORDER BY name) FROM branches),
			(SELECT string_agg(concat_ws(',', first_day, last_day, label), ';' ORDER BY first_day) FROM branch_closing_days),
			(SELECT string_agg(day::text, ';' ORDER BY day) FROM branch_open_holidays),
			(SELECT string_agg(concat_ws(',', staff_id, branch_id, weekday, start_time, end_time), ';' ORDER BY staff_id, branch_id, weekday, start_time) FROM working_hours),
			(SELECT string_agg(concat_ws(',', staff_id, starts_at, ends_at, reason), ';' ORDER BY starts_at) FROM time_off),
			(SELECT string_agg(concat_ws(',', name, minimum_notice_minutes, booking_horizon_days), ';' ORDER BY name) FROM event_types),
			(SELECT string_agg(concat_ws(',', minimum_notice_minutes, booking_horizon_days), ';') FROM companies))`).Scan(&out))
		return out
	}
	before := snapshot()

	for _, tc := range []struct{ name, from, to, want string }{
		{"reversed range", `tue: ["09:00-18:00"]`, `tue: ["14:00-09:00"]`, `branches[0].opening_hours.tue[0]: 14:00-09:00 ends before it starts`},
		{"empty range", `tue: ["09:00-18:00"]`, `tue: ["09:00-09:00"]`, `branches[0].opening_hours.tue[0]: 09:00-09:00 ends before it starts`},
		{"overlap", `tue: ["09:00-18:00"]`, `tue: ["09:00-13:00", "12:00-18:00"]`, `branches[0].opening_hours.tue[1]: 12:00-18:00 overlaps 09:00-13:00`},
		{"unknown weekday", `sat: ["09:00-14:00"]`, `sam: ["09:00-14:00"]`, `branches[0].opening_hours.sam: "sam" is not one of mon…sun`},
		{"malformed time", `wed: ["10:00-19:00"]`, `wed: ["25:00-26:00"]`, `branches[1].opening_hours.wed[0]: "25:00-26:00" is not HH:MM-HH:MM`},
		{"no opening hours", "    opening_hours:\n      tue: [\"09:00-18:00\"]\n      sat: [\"09:00-14:00\"]\n", "", `branches[0].opening_hours: branch "Mitte" has no opening hours`},
		{"unknown state", "state: be", "state: XY", `branches[0].state: "XY" is not a Bundesland`},
		{"reversed closing days", "to: 2026-12-26, label", "to: 2026-12-20, label", `branches[0].closing_days[0]: 2026-12-24-2026-12-20 ends before it starts`},
		{"malformed closing day", "{date: 2026-11-02}", "{date: 2.11.2026}", `branches[0].closing_days[1].from: "2.11.2026" is not a date`},
		{"reversed time off", "{from: 2026-12-10, to: 2026-12-12", "{from: 2026-12-10, to: 2026-12-09", `staff[0].time_off[0]: 2026-12-10-2026-12-09 ends before it starts`},
		{"staff overlap", `["14:00-18:00", "09:00-13:00"]`, `["12:00-18:00", "09:00-13:00"]`, `staff[0].hours.tue[0]: 12:00-18:00 overlaps 09:00-13:00`},
		{"staff at unknown branch", "Nord: {wed", "Süd: {wed", `staff[1].hours.Süd: unknown branch "Süd"`},
		{"negative notice", "minimum_notice_minutes: 0", "minimum_notice_minutes: -5", `services[0].minimum_notice_minutes: -5 is negative`},
		{"negative horizon", "booking_horizon_days: 14", "booking_horizon_days: -1", `services[0].booking_horizon_days: -1 is negative`},
		{"negative default", "horizon_days: 30}", "horizon_days: -30}", `booking.horizon_days: -30 is negative`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, rulesYAML, tc.from)
			// Each bad file also raises the notice default, so a partial apply would show.
			bad := strings.Replace(strings.Replace(rulesYAML, tc.from, tc.to, 1), "minimum_notice_minutes: 60", "minimum_notice_minutes: 90", 1)
			require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
			_, err := c.try("tenant", "apply", "-f", file)
			require.ErrorContains(t, err, tc.want)
			require.Equal(t, before, snapshot(), "a bad file changes nothing")
		})
	}

	// All problems at once.
	bad := strings.NewReplacer(`tue: ["09:00-18:00"]`, `tue: ["14:00-09:00"]`, "state: DE-BB", "state: DE-XX",
		"Nord: {wed", "Süd: {wed").Replace(rulesYAML)
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	_, err := c.try("tenant", "apply", "-f", file)
	require.ErrorContains(t, err, "branches[0].opening_hours.tue[0]")
	require.ErrorContains(t, err, "branches[1].state")
	require.ErrorContains(t, err, "staff[1].hours.Süd")
	require.Equal(t, before, snapshot())
}

// The demo books "nächsten Dienstag um halb drei" (Damenhaarschnitt, 45 minutes) at Haarmonie
// Mitte from the weeks the end-to-end tests speak of: on each of those Tuesdays the branch is
// open 14:30-15:15, is closed on no closing day, and a stylist offering the service works then
// without time off. One stylist works at both branches.
func TestDemoOpensTheTuesdaysTheTestsBook(t *testing.T) {
	spec := demoSpec()
	require.NoError(t, spec.normalize())
	branches := map[string]BranchSpec{}
	for _, b := range spec.Branches {
		require.Equal(t, "DE-BE", b.State, b.Name)
		branches[b.Name] = b
	}
	mitte := branches["Haarmonie Mitte"]
	covers := func(ranges []string) bool {
		for _, r := range ranges {
			if r[:5] <= "14:30" && r[6:] >= "15:15" {
				return true
			}
		}
		return false
	}
	for _, day := range []string{"2026-12-08", "2026-12-15", "2026-03-31", "2026-10-27", "2027-01-05"} {
		d, err := time.Parse(time.DateOnly, day)
		require.NoError(t, err)
		require.Equal(t, time.Tuesday, d.Weekday(), day)
		require.True(t, covers(mitte.OpeningHours["tue"]), "Mitte open on %s", day)
		for _, c := range mitte.ClosingDays {
			require.False(t, c.From <= day && day <= c.To, "Mitte closed on %s", day)
		}
		working := 0
		for _, st := range spec.Staff {
			if !slices.Contains(st.offers(spec), "Damenhaarschnitt") {
				continue
			}
			hours, ok := st.Hours.ByBranch["Haarmonie Mitte"]
			if !ok && st.Branch == "Haarmonie Mitte" {
				if hours, ok = st.Hours.ByBranch[""]; !ok {
					hours = mitte.OpeningHours
				}
			}
			if !covers(hours["tue"]) || len(st.TimeOff) > 0 {
				continue
			}
			working++
		}
		require.Positive(t, working, "a stylist cuts on %s", day)
	}
	both := 0
	for _, st := range spec.Staff {
		if len(st.Hours.ByBranch) >= 2 {
			both++
		}
	}
	require.Positive(t, both, "one stylist works at both branches")
}

// The root README's tenant.yaml example is a valid file.
func TestReadmeTenantExampleIsValid(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(raw), "A `tenant.yaml`:\n\n```yaml\n")
	require.True(t, ok)
	example, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(example), 0o600))
	s, err := loadTenantSpec(file, "")
	require.NoError(t, err)
	require.Equal(t, "DE-BE", s.Branches[0].State)
	require.Len(t, s.Staff[0].Hours.ByBranch, 2)
}
