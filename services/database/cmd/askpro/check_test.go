package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/database/internal/database"
)

// mainArgsEnv makes the test binary run askpro's main with these arguments (JSON), so that a
// test sees the real exit code.
const mainArgsEnv = "ASKPRO_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(mainArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			writeln(os.Stderr, "bad", mainArgsEnv, err)
			os.Exit(2)
		}
		os.Args = append([]string{"askpro"}, args...)
		main()
		return
	}
	os.Exit(m.Run())
}

const checkYAML = `
name: Salon Prüfung
time_zone: Europe/Berlin
branches:
  - name: Mitte
    phone: "+49 30 5557-3400"
    state: DE-BE
    opening_hours:
      mon: ["09:00-18:00"]
      tue: ["09:00-18:00"]
      fri: ["09:00-18:00"]
      sat: ["09:00-14:00"]
    closing_days:
      - {from: 2026-12-24, to: 2026-12-26, label: Betriebsferien}
  - name: Nord
    phone: "+49 30 5557-3401"
    state: DE-BE
    opening_hours:
      mon: ["09:00-18:00"]
services:
  - name: Damenhaarschnitt
    duration_minutes: 45
    calcom_event_type_id: 911
staff:
  - name: Lea
    branch: Mitte
    time_off:
      - {from: 2026-12-14, to: 2026-12-14, reason: Urlaub}
  - name: Mia
    branch: Mitte
    hours:
      tue: ["09:00-13:00"]
`

const otherYAML = `
name: Werkstatt Zwei
time_zone: Europe/Berlin
branches:
  - name: Werkstatt
    phone: "+49 30 5557-3500"
    state: DE-BY
    opening_hours:
      mon: ["08:00-17:00"]
services:
  - name: Ölwechsel
    duration_minutes: 30
    calcom_event_type_id: 921
staff:
  - name: Kai
    branch: Werkstatt
`

// berlin is the salon's time zone.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// checkNow is the fixed business clock of these tests: Monday 7 December 2026, 09:00 Berlin.
var checkNow = time.Date(2026, time.December, 7, 9, 0, 0, 0, berlin)

// booked is an appointment the test stored.
type booked struct {
	id, confirmation, phone string
}

// slotSpec is an appointment to store: its label, the staff member, the local start
// ("2006-01-02 15:04"), its length and its branch (default: the first by name).
type slotSpec struct {
	label, staff, start string
	minutes             int
	branch              string
}

// seedCheckTenant applies yaml and books each slot for a customer of its own; it returns the
// appointments by label.
func seedCheckTenant(t *testing.T, c *cli, store *database.Store, yaml, name string, slots []slotSpec, phoneBase int) map[string]booked {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(yaml), 0o600))
	c.run("tenant", "apply", "-f", file)
	companies, err := store.CompaniesByName(t.Context(), name)
	require.NoError(t, err)
	require.Len(t, companies, 1)
	co := companies[0]
	branches, err := store.Branches(t.Context(), co.ID)
	require.NoError(t, err)
	branchID := map[string]string{}
	for _, b := range branches {
		branchID[b.Name] = b.ID
	}
	staff, err := store.StaffList(t.Context(), co.ID, "")
	require.NoError(t, err)
	staffID := map[string]string{}
	for _, st := range staff {
		staffID[st.Name] = st.ID
	}
	events, err := store.EventTypes(t.Context(), co.ID, "")
	require.NoError(t, err)
	require.Len(t, events, 1)
	out := map[string]booked{}
	for i, s := range slots {
		start, err := time.ParseInLocation("2006-01-02 15:04", s.start, berlin)
		require.NoError(t, err)
		phone := fmt.Sprintf("+49 170 10%05d", phoneBase+i)
		cust, err := store.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: co.ID,
			Phone: phone, Name: "Kundin " + s.label})
		require.NoError(t, err)
		require.Contains(t, staffID, s.staff)
		branch := branches[0].ID
		if s.branch != "" {
			require.Contains(t, branchID, s.branch)
			branch = branchID[s.branch]
		}
		a, err := store.CreateAppointment(t.Context(), api.CreateAppointmentParams{CompanyID: co.ID,
			BranchID: branch, StaffID: staffID[s.staff], EventTypeID: events[0].ID,
			CustomerID: cust.Customer.ID, StartTime: start, EndTime: start.Add(time.Duration(s.minutes) * time.Minute),
		})
		require.NoError(t, err, s.label)
		out[s.label] = booked{id: a.ID, confirmation: a.ConfirmationNumber, phone: cust.Customer.Phone}
	}
	return out
}

func checkStore(t *testing.T, c *cli) *database.Store {
	t.Helper()
	cipher, err := database.ParseKeys(testPII, testBlind)
	require.NoError(t, err)
	store, err := database.New(t.Context(), database.Options{WriteURL: c.dbURL, Cipher: cipher, Logger: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(store.Close)
	return store
}

// checkAt runs askpro at the fixed clock and returns its output and error.
func (c *cli) checkAt(now time.Time, args ...string) (string, error) {
	var buf bytes.Buffer
	err := runAt(c.t.Context(), append([]string{"appointments", "check"}, args...), c.lookup, &buf,
		func() time.Time { return now })
	return buf.String(), err
}

// The salon's appointments, by what the check must say about them.
var checkSlots = []slotSpec{
	// Fine: the check must not list them. "soon" starts inside the notice, "far" beyond the
	// horizon: both would be refused at booking time, neither is wrong once booked.
	{"soon", "Lea", "2026-12-07 09:30", 45, ""},
	{"mia-morning", "Mia", "2026-12-08 09:00", 45, ""},
	{"last-saturday-slot", "Lea", "2026-12-12 13:15", 45, ""},
	{"far", "Lea", "2027-06-07 10:00", 45, ""},
	// Broken.
	{"sunday", "Lea", "2026-12-13 10:00", 45, ""},
	{"after-closing", "Lea", "2026-12-07 17:30", 45, ""},
	{"new-year", "Lea", "2027-01-01 10:00", 45, ""},
	{"lea-off", "Lea", "2026-12-14 10:00", 45, ""},
	{"mia-afternoon", "Mia", "2026-12-08 14:00", 45, ""},
	{"betriebsferien", "Lea", "2026-12-26 10:00", 45, ""},
	{"lea-at-nord", "Lea", "2026-12-07 11:00", 45, "Nord"},
	// Out of the default range: cancelled, and in the past.
	{"cancelled-sunday", "Lea", "2026-12-20 10:00", 45, ""},
	{"past-sunday", "Lea", "2026-12-06 10:00", 45, ""},
}

var wantReasons = map[string]string{
	"sunday": "closed", "after-closing": "outside_opening_hours", "new-year": "holiday",
	"lea-off": "staff_absent", "mia-afternoon": "staff_absent", "betriebsferien": "closed",
	"lea-at-nord": "staff_absent",
}

func TestAppointmentsCheckListsWhatBreaksTheRules(t *testing.T) {
	c := newCLI(t)
	store := checkStore(t, c)
	salon := seedCheckTenant(t, c, store, checkYAML, "Salon Prüfung", checkSlots, 1000)
	other := seedCheckTenant(t, c, store, otherYAML, "Werkstatt Zwei", []slotSpec{
		{"werkstatt-sunday", "Kai", "2026-12-13 09:00", 30, ""},
		{"werkstatt-monday", "Kai", "2026-12-14 09:00", 30, ""},
	}, 2000)
	companies, err := store.CompaniesByName(t.Context(), "Salon Prüfung")
	require.NoError(t, err)
	_, err = store.CancelAppointment(t.Context(), api.CancelAppointmentParams{CompanyID: companies[0].ID,
		AppointmentID: salon["cancelled-sunday"].id})
	require.NoError(t, err)

	// JSON, one tenant, the default range: from now on.
	out, err := c.checkAt(checkNow, "--company", "Salon Prüfung", "--json")
	require.ErrorIs(t, err, errFindings, out)
	require.Equal(t, 3, exitCode(err))
	var findings []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &findings), out)
	got := map[string]map[string]any{}
	for _, f := range findings {
		got[f["appointment_id"].(string)] = f
	}
	require.Len(t, got, len(wantReasons), out)
	for label, reason := range wantReasons {
		f, ok := got[salon[label].id]
		require.True(t, ok, "%s is listed:\n%s", label, out)
		require.Equal(t, reason, f["reason"], label)
		require.Equal(t, salon[label].confirmation, f["confirmation_number"], label)
		require.Equal(t, salon[label].phone, f["customer_phone"], label)
		require.Equal(t, "Kundin "+label, f["customer_name"], label)
		require.Equal(t, "Salon Prüfung", f["company"], label)
		if label != "lea-at-nord" {
			require.Equal(t, "Mitte", f["branch"], label)
		}
		require.Equal(t, "Europe/Berlin", f["time_zone"], label)
		require.Equal(t, "Damenhaarschnitt", f["service"], label)
		require.NotEmpty(t, f["explanation"], label)
		require.NotEmpty(t, f["explanation_en"], label)
		for _, key := range []string{"company_id", "branch_id", "staff_id", "staff", "status", "end"} {
			require.NotEmpty(t, f[key], "%s: %s", label, key)
		}
	}
	for _, label := range []string{"soon", "mia-morning", "last-saturday-slot", "far", "cancelled-sunday", "past-sunday"} {
		require.NotContains(t, got, salon[label].id, "%s is not listed", label)
	}
	// Start in the branch's local time, soonest first.
	require.Equal(t, "2026-12-07T17:30:00+01:00", got[salon["after-closing"].id]["start"])
	require.Equal(t, salon["lea-at-nord"].id, findings[0]["appointment_id"])
	require.Equal(t, salon["new-year"].id, findings[len(findings)-1]["appointment_id"])
	require.Equal(t, "Lea", got[salon["sunday"].id]["staff"])
	require.Contains(t, got[salon["new-year"].id]["explanation"], "Neujahr")
	require.Contains(t, got[salon["betriebsferien"].id]["explanation"], "Betriebsferien")
	require.Contains(t, got[salon["lea-off"].id]["explanation"], "Urlaub")
	require.Contains(t, got[salon["mia-afternoon"].id]["explanation"], "Mia arbeitet dienstags in der Filiale Mitte nur 09:00–13:00")
	require.Contains(t, got[salon["after-closing"].id]["explanation_en"], "17:30–18:15 is outside the opening hours (Monday 09:00–18:00)")
	require.Contains(t, got[salon["sunday"].id]["explanation"], "Sonntags ist die Filiale Mitte geschlossen")
	require.Equal(t, "Nord", got[salon["lea-at-nord"].id]["branch"])
	require.Equal(t, "Lea arbeitet nicht in der Filiale Nord.", got[salon["lea-at-nord"].id]["explanation"])

	// The table, all tenants: the workshop's Sunday is there too, its Monday is not.
	out, err = c.checkAt(checkNow)
	require.ErrorIs(t, err, errFindings)
	require.Contains(t, out, other["werkstatt-sunday"].id)
	require.Contains(t, out, other["werkstatt-sunday"].phone)
	require.NotContains(t, out, other["werkstatt-monday"].id)
	require.Regexp(t, `So 13\.12\.2026 10:00\s+Salon Prüfung\s+Mitte\s+Lea\s+`+salon["sunday"].confirmation+`\s+closed\s+`+
		regexp.QuoteMeta(salon["sunday"].phone)+`\s+`+salon["sunday"].id+`\s+Sonntags ist die Filiale Mitte geschlossen\.`, out)
	require.Contains(t, out, "8 of 13 active appointment(s) from 2026-12-07 08:00 UTC break the rules")

	// A tenant by its slug, a range of days: the past Sunday shows up, nothing after the 13th.
	out, err = c.checkAt(checkNow, "--company", "salon-pruefung", "--from", "2026-12-01", "--to", "2026-12-13", "--json")
	require.ErrorIs(t, err, errFindings)
	findings = nil
	require.NoError(t, json.Unmarshal([]byte(out), &findings), out)
	var ids []string
	for _, f := range findings {
		ids = append(ids, f["appointment_id"].(string))
	}
	require.Equal(t, []string{salon["past-sunday"].id, salon["lea-at-nord"].id, salon["after-closing"].id,
		salon["mia-afternoon"].id, salon["sunday"].id}, ids)

	// Nothing to call about: exit 0, an empty JSON array.
	out, err = c.checkAt(checkNow, "--company", "Salon Prüfung", "--from", "2026-12-12", "--to", "2026-12-12", "--json")
	require.NoError(t, err)
	require.JSONEq(t, "[]", out)
	out, err = c.checkAt(checkNow, "--company", companies[0].ID, "--from", "2026-12-09", "--to", "2026-12-12")
	require.NoError(t, err, out)
	require.Equal(t, "no stored appointment breaks the rules (1 active appointment(s) checked from 2026-12-09 to 2026-12-12)\n", out)

	// --to alone runs from now: this morning's appointments that are already over are left out.
	out, err = c.checkAt(checkNow.Add(10*time.Hour), "--company", "Salon Prüfung", "--to", "2026-12-08", "--json")
	require.ErrorIs(t, err, errFindings)
	findings = nil
	require.NoError(t, json.Unmarshal([]byte(out), &findings), out)
	require.Len(t, findings, 1, out)
	require.Equal(t, salon["mia-afternoon"].id, findings[0]["appointment_id"])
}

func TestAppointmentsCheckRefusesBadInput(t *testing.T) {
	c := newCLI(t)
	c.run("migrate")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "7.12.2026"}, `--from "7.12.2026" is not a date`},
		{[]string{"--to", "2026-13-01"}, `--to "2026-13-01" is not a date`},
		{[]string{"--from", "2026-12-10", "--to", "2026-12-09"}, "--to 2026-12-09 is before --from 2026-12-10"},
		{[]string{"--to", "2026-12-01"}, "--to 2026-12-01 is before now; give --from as well"},
		{[]string{"--company", "Niemand"}, `no tenant "Niemand"`},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		out, err := c.checkAt(checkNow, tc.args...)
		require.ErrorContains(t, err, tc.want, "%v", tc.args)
		require.False(t, errors.Is(err, errFindings))
		require.Equal(t, 1, exitCode(err))
		require.Empty(t, out)
	}
	_, err := c.try("appointments", "list")
	require.ErrorContains(t, err, `unknown subcommand "list"`)
}

// The binary's exit codes: 3 with findings, 0 without, 1 on an error, and what it found goes to
// stdout only.
func TestAppointmentsCheckExitCodes(t *testing.T) {
	c := newCLI(t)
	store := checkStore(t, c)
	salon := seedCheckTenant(t, c, store, checkYAML, "Salon Prüfung", checkSlots[:6], 3000)
	runMain := c.runMain
	// Explicit days: the subprocess runs on the real clock, which these do not depend on.
	stdout, stderr, code := runMain("appointments", "check", "--from", "2026-12-07", "--to", "2026-12-13", "--json")
	require.Equal(t, 3, code, stderr)
	require.Empty(t, stderr)
	require.Contains(t, stdout, salon["sunday"].id)
	require.Contains(t, stdout, salon["sunday"].phone)
	require.NotContains(t, stdout, salon["soon"].id)

	stdout, stderr, code = runMain("appointments", "check", "--from", "2026-12-12", "--to", "2026-12-12")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "no stored appointment breaks the rules (1 active appointment(s) checked from 2026-12-12 to 2026-12-12)")

	_, stderr, code = runMain("appointments", "check", "--from", "Montag")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `askpro: appointments check: --from "Montag" is not a date`)
}

// judge on cases the database rarely holds: a deactivated branch or staff member, and a branch
// without opening hours, which booking treats as closed (holidays still say holiday).
func TestJudgeDeactivatedAndUnconfigured(t *testing.T) {
	company := api.Company{ID: "c1", TimeZone: "Europe/Berlin"}
	branch := api.Branch{ID: "b1", Name: "Mitte", Active: true, State: "DE-BE",
		OpeningHours: api.OpeningHours{"mon": {{From: "09:00", To: "18:00"}}}}
	staff := &api.Staff{ID: "s1", BranchID: "b1", Name: "Lea", Active: true}
	sunday := time.Date(2026, time.December, 13, 10, 0, 0, 0, berlin)
	monday := time.Date(2026, time.December, 14, 10, 0, 0, 0, berlin)
	appt := func(start time.Time) database.StoredAppointment {
		return database.StoredAppointment{Appointment: api.Appointment{ID: "a1", StaffID: "s1", StartTime: start,
			EndTime: start.Add(45 * time.Minute)}, StaffName: "Lea"}
	}
	for _, tc := range []struct {
		name   string
		branch func(api.Branch) api.Branch
		staff  *api.Staff
		start  time.Time
		reason string
		de     string
	}{
		{"open monday", nil, staff, monday, "", ""},
		{"deactivated branch", func(b api.Branch) api.Branch { b.Active = false; return b }, staff, monday,
			"closed", "Die Filiale Mitte ist deaktiviert."},
		{"deactivated staff", nil, nil, monday, "staff_absent", "Lea ist nicht mehr aktiv."},
		{"no hours: sunday is closed", func(b api.Branch) api.Branch { b.OpeningHours = nil; return b }, staff, sunday,
			"closed", "Die Filiale Mitte hat keine Öffnungszeiten und ist daher geschlossen."},
		{"no hours: monday is closed", func(b api.Branch) api.Branch { b.OpeningHours = nil; return b }, staff, monday,
			"closed", "Die Filiale Mitte hat keine Öffnungszeiten und ist daher geschlossen."},
		{"no hours: still a holiday", func(b api.Branch) api.Branch { b.OpeningHours = nil; return b }, staff,
			time.Date(2026, time.December, 25, 10, 0, 0, 0, berlin), "holiday", "Am 25.12.2026 ist Weihnachtstag, ein Feiertag in DE-BE."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := branch
			if tc.branch != nil {
				b = tc.branch(b)
			}
			j, err := judge(company, b, tc.staff, appt(tc.start))
			require.NoError(t, err)
			require.Equal(t, tc.reason, string(j.reason))
			require.Equal(t, tc.de, j.de)
			require.Equal(t, "Europe/Berlin", j.loc.String())
		})
	}
	bad := branch
	bad.OpeningHours = api.OpeningHours{"mon": {{From: "18:00", To: "09:00"}}}
	_, err := judge(company, bad, staff, appt(monday))
	require.ErrorContains(t, err, "rules of branch Mitte")
}
