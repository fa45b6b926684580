package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

// tenantsFixture is the booking service's property-test fixture: the demo tenant exactly as
// `askpro seed demo` stores it, and further test tenants, in the wire form the booking service
// reads. Ids there are the records' names.
var tenantsFixture = filepath.Join("..", "..", "..", "booking", "internal", "booking", "testdata", "tenants.json")

var updateFixture = flag.Bool("update", false, "rewrite the demo tenant in the booking property-test fixture")

// fixtureTenant is one tenant of the fixture.
type fixtureTenant struct {
	Company    api.Company     `json:"company"`
	Branches   []api.Branch    `json:"branches"`
	EventTypes []api.EventType `json:"event_types"`
	Staff      []api.Staff     `json:"staff"`
}

type fixtureFile struct {
	Comment string          `json:"_comment"`
	Tenants []fixtureTenant `json:"tenants"`
}

// TestDemoFixtureMatchesSeed fails when the booking property test's copy of the demo tenant
// drifts from what `askpro seed demo` stores. Run with -update to rewrite that copy.
func TestDemoFixtureMatchesSeed(t *testing.T) {
	c := newCLI(t)
	c.run("seed", "demo", "--calsim-seed", filepath.Join(t.TempDir(), "calsim.json"),
		"--env-file", filepath.Join(t.TempDir(), "demo.env"))
	seeded := storedTenant(t, c, demoSpec().Name)

	raw, err := os.ReadFile(tenantsFixture)
	require.NoError(t, err)
	var file fixtureFile
	require.NoError(t, json.Unmarshal(raw, &file))
	i := slices.IndexFunc(file.Tenants, func(ft fixtureTenant) bool { return ft.Company.Name == seeded.Company.Name })
	if *updateFixture {
		if i < 0 {
			file.Tenants = append([]fixtureTenant{seeded}, file.Tenants...)
		} else {
			file.Tenants[i] = seeded
		}
		out, err := json.MarshalIndent(file, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(tenantsFixture, append(out, '\n'), 0o600))
		return
	}
	require.GreaterOrEqual(t, i, 0, "the fixture has no tenant %q; run this test with -update", seeded.Company.Name)
	want, err := json.Marshal(seeded)
	require.NoError(t, err)
	have, err := json.Marshal(file.Tenants[i])
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(have),
		"%s drifted from `askpro seed demo`; run go test ./cmd/askpro -run TestDemoFixtureMatchesSeed -update", tenantsFixture)
}

// storedTenant reads the tenant named name back as the booking service gets it from the
// database service, every id replaced by the record's name so that runs compare equal.
func storedTenant(t *testing.T, c *cli, name string) fixtureTenant {
	t.Helper()
	ctx := t.Context()
	store := checkStore(t, c)
	found, err := store.CompaniesByName(ctx, name)
	require.NoError(t, err)
	require.Len(t, found, 1)
	company, err := store.Company(ctx, found[0].ID)
	require.NoError(t, err)
	branches, err := store.Branches(ctx, company.ID)
	require.NoError(t, err)
	events, err := store.EventTypes(ctx, company.ID, "")
	require.NoError(t, err)
	staff, err := store.StaffList(ctx, company.ID, "")
	require.NoError(t, err)

	names := map[string]string{company.ID: company.Name}
	for _, b := range branches {
		names[b.ID] = b.Name
	}
	for _, e := range events {
		names[e.ID] = e.Name
	}
	for _, st := range staff {
		names[st.ID] = st.Name
	}
	id := func(s string) string {
		if n, ok := names[s]; ok {
			return n
		}
		return s
	}
	company.ID, company.APIKeyPrefix = id(company.ID), ""
	for i := range branches {
		b := &branches[i]
		b.ID, b.CompanyID = id(b.ID), id(b.CompanyID)
	}
	for i := range events {
		e := &events[i]
		e.ID, e.CompanyID, e.BranchID = id(e.ID), id(e.CompanyID), id(e.BranchID)
	}
	for i := range staff {
		st := &staff[i]
		st.ID, st.CompanyID, st.BranchID = id(st.ID), id(st.CompanyID), id(st.BranchID)
		for j := range st.EventTypeIDs {
			st.EventTypeIDs[j] = id(st.EventTypeIDs[j])
		}
		slices.Sort(st.EventTypeIDs)
		if st.CalcomEventTypes != nil {
			own := map[string]int64{}
			for k, v := range st.CalcomEventTypes {
				own[id(k)] = v
			}
			st.CalcomEventTypes = own
		}
		if st.WorkingHours != nil {
			hours := map[string]api.OpeningHours{}
			for k, v := range st.WorkingHours {
				hours[id(k)] = v
			}
			st.WorkingHours = hours
		}
	}
	byName := func(a, b string) int { return strings.Compare(a, b) }
	slices.SortFunc(branches, func(a, b api.Branch) int { return byName(a.Name, b.Name) })
	slices.SortFunc(events, func(a, b api.EventType) int { return byName(a.Name, b.Name) })
	slices.SortFunc(staff, func(a, b api.Staff) int { return byName(a.Name, b.Name) })
	return fixtureTenant{Company: company, Branches: branches, EventTypes: events, Staff: staff}
}
