package routing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/routing/internal/routing"
)

// fakeDirectory is the database side: one tenant with one Berlin branch and one Vienna branch.
type fakeDirectory struct {
	mu       sync.Mutex
	branches []routing.Branch
	calls    map[string]int
}

func newFakeDirectory() *fakeDirectory {
	hours := salon().Hours
	return &fakeDirectory{calls: map[string]int{}, branches: []routing.Branch{
		{ID: "b-berlin", CompanyID: "c-1", Name: "Salon Mitte", PhoneNumber: "+493012345678", TimeZone: "Europe/Berlin", Hours: hours},
		{ID: "b-wien", CompanyID: "c-1", Name: "Salon Wien", PhoneNumber: "+4315344455", TimeZone: "Europe/Vienna", Hours: hours},
	}}
}

func (d *fakeDirectory) count(name string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[name]
}

func (d *fakeDirectory) record(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls[name]++
}

func (d *fakeDirectory) BranchByPhone(_ context.Context, e164 string) (routing.Branch, error) {
	d.record("byPhone")
	for _, b := range d.branches {
		if b.PhoneNumber == e164 {
			return b, nil
		}
	}
	return routing.Branch{}, fmt.Errorf("branch %s: %w", e164, routing.ErrNotFound)
}

func (d *fakeDirectory) Branch(_ context.Context, companyID, branchID string) (routing.Branch, error) {
	d.record("branch")
	for _, b := range d.branches {
		if b.ID == branchID && b.CompanyID == companyID {
			return b, nil
		}
	}
	return routing.Branch{}, routing.ErrNotFound
}

func (d *fakeDirectory) EventTypes(context.Context, string, string) ([]routing.EventType, error) {
	d.record("eventTypes")
	return salon().EventTypes, nil
}

func (d *fakeDirectory) Staff(context.Context, string, string) ([]routing.BranchStaff, error) {
	d.record("staff")
	var out []routing.BranchStaff
	for _, st := range salon().Staff {
		offers := []string{"et-damen", "et-herren"}
		if st.ID == "s-jonas" {
			offers = []string{"et-massage"}
		}
		out = append(out, routing.BranchStaff{StaffMember: st, EventTypeIDs: offers})
	}
	return out, nil
}

// fakeAvailability says Maria and Jonas are free, whoever is asked about.
type fakeAvailability struct{ last routing.SlotQuery }

func (a *fakeAvailability) FreeStaff(_ context.Context, q routing.SlotQuery) ([]string, error) {
	a.last = q
	return []string{"s-jonas", "s-maria"}, nil
}

// fakeClock is a settable clock for the cache's TTL.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newService(t *testing.T) (*routing.Service, *fakeDirectory, *fakeAvailability, *fakeClock) {
	t.Helper()
	dir, avail := newFakeDirectory(), &fakeAvailability{}
	clock := &fakeClock{now: at(t, defaultRef)}
	svc, err := routing.NewService(dir, avail, routing.Options{
		Now:    clock.Now,
		Agents: map[string]routing.BranchRef{"agent-wien": {CompanyID: "c-1", BranchID: "b-wien"}},
	})
	require.NoError(t, err)
	return svc, dir, avail, clock
}

func TestResolveBranchNotations(t *testing.T) {
	tests := []struct {
		name   string
		number string
		branch string
	}{
		{name: "e164", number: "+49 30 12345678", branch: "b-berlin"},
		{name: "national", number: "030 12345678", branch: "b-berlin"},
		{name: "double zero", number: "0049 30 12345678", branch: "b-berlin"},
		{name: "brackets", number: "(030) 123 456-78", branch: "b-berlin"},
		{name: "austrian", number: "0043 1 5344455", branch: "b-wien"},
	}
	svc, _, _, _ := newService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := svc.ResolveBranch(t.Context(), tc.number)
			require.NoError(t, err)
			require.Equal(t, tc.branch, b.ID)
		})
	}
}

func TestResolveBranchCachesForAnHourAndDropsOnChange(t *testing.T) {
	svc, dir, _, clock := newService(t)
	for range 3 {
		_, err := svc.ResolveBranch(t.Context(), "030 12345678")
		require.NoError(t, err)
	}
	require.Equal(t, 1, dir.count("byPhone"), "served from the cache")

	clock.Advance(59 * time.Minute)
	_, err := svc.ResolveBranch(t.Context(), "+493012345678")
	require.NoError(t, err)
	require.Equal(t, 1, dir.count("byPhone"), "still fresh after 59 minutes")

	clock.Advance(2 * time.Minute)
	_, err = svc.ResolveBranch(t.Context(), "+493012345678")
	require.NoError(t, err)
	require.Equal(t, 2, dir.count("byPhone"), "expired after an hour")

	svc.InvalidateBranch("b-berlin")
	_, err = svc.ResolveBranch(t.Context(), "+493012345678")
	require.NoError(t, err)
	require.Equal(t, 3, dir.count("byPhone"), "dropped when the branch changed")
}

func TestResolveBranchErrors(t *testing.T) {
	svc, _, _, _ := newService(t)
	_, err := svc.ResolveBranch(t.Context(), "+49 30 99999999")
	require.ErrorIs(t, err, routing.ErrUnknownNumber)
	var unknown *routing.UnknownNumberError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "+493099999999", unknown.Number)
	require.NotContains(t, err.Error(), "99999999", "the number is masked in the message")

	_, err = svc.ResolveBranch(t.Context(), "keine Nummer")
	require.ErrorIs(t, err, phone.ErrInvalid)
}

func TestServiceAnalyzeIntentUsesBranchZoneAndHours(t *testing.T) {
	svc, dir, _, _ := newService(t)
	ref := at(t, defaultRef)
	in, err := svc.AnalyzeIntent(t.Context(), "c-1", "b-wien", "Damenhaarschnitt morgen um halb drei bei Maria", ref)
	require.NoError(t, err)
	require.Equal(t, "et-damen", in.Service.ID)
	require.Equal(t, "s-maria", in.Staff.ID)
	require.Equal(t, []string{"2026-11-25T14:30+01:00"}, compactAll(in.Times))
	require.Equal(t, "Europe/Vienna", in.Times[0].Start.Location().String())

	_, err = svc.AnalyzeIntent(t.Context(), "c-1", "b-wien", "übermorgen", ref)
	require.NoError(t, err)
	require.Equal(t, 1, dir.count("eventTypes"), "the catalogue is cached")

	_, err = svc.AnalyzeIntent(t.Context(), "c-2", "b-wien", "morgen", ref)
	require.ErrorIs(t, err, routing.ErrNotFound, "another tenant's branch is not found")
}

func TestFindAvailableStaff(t *testing.T) {
	svc, _, avail, _ := newService(t)
	start := at(t, "2026-11-25 14:30")
	staff, err := svc.FindAvailableStaff(t.Context(), "c-1", "b-berlin", "et-damen", start)
	require.NoError(t, err)
	require.Equal(t, []routing.StaffMember{{ID: "s-maria", Name: "Maria Schmidt"}}, staff,
		"Jonas is free but does not cut hair")
	require.Equal(t, "Europe/Berlin", avail.last.TimeZone)

	staff, err = svc.FindAvailableStaff(t.Context(), "c-1", "b-berlin", "et-bart", start)
	require.NoError(t, err)
	require.Empty(t, staff, "nobody offers it")
}

func TestRouteCall(t *testing.T) {
	tests := []struct {
		name    string
		call    routing.CallInfo
		typ     routing.RouteType
		branch  string
		staff   string
		service string
		via     string
	}{
		{name: "phone without words", call: routing.CallInfo{ToNumber: "+493012345678"},
			typ: routing.RouteNextAvailable, branch: "b-berlin", via: "phone_number"},
		{name: "named staff", call: routing.CallInfo{ToNumber: "030 12345678", Text: "ich hätte gern einen Termin bei Frau Schmidt"},
			typ: routing.RouteSpecificStaff, branch: "b-berlin", staff: "s-maria", via: "phone_number"},
		{name: "service only", call: routing.CallInfo{ToNumber: "030 12345678", Text: "eine Rückenmassage morgen"},
			typ: routing.RouteNextAvailable, branch: "b-berlin", service: "et-massage", via: "phone_number"},
		{name: "info", call: routing.CallInfo{ToNumber: "030 12345678", Text: "wie sind Ihre Öffnungszeiten"},
			typ: routing.RouteInfoOnly, branch: "b-berlin", via: "phone_number"},
		{name: "human", call: routing.CallInfo{ToNumber: "030 12345678", Text: "verbinden Sie mich bitte mit einem Mitarbeiter"},
			typ: routing.RouteTransfer, branch: "b-berlin", via: "phone_number"},
		{name: "web call by metadata", call: routing.CallInfo{Web: true, Metadata: map[string]any{"company_id": "c-1", "branch_id": "b-wien"}},
			typ: routing.RouteNextAvailable, branch: "b-wien", via: "metadata"},
		{name: "web call by agent", call: routing.CallInfo{Web: true, AgentID: "agent-wien", Text: "Haare schneiden bei Anna"},
			typ: routing.RouteSpecificStaff, branch: "b-wien", staff: "s-anna", service: "et-damen", via: "agent_id"},
	}
	svc, _, _, _ := newService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.Reference = at(t, defaultRef)
			d, err := svc.RouteCall(t.Context(), tc.call)
			require.NoError(t, err)
			require.Equal(t, tc.typ, d.Type)
			require.Equal(t, tc.branch, d.Branch.ID)
			require.Equal(t, tc.staff, d.StaffID)
			require.Equal(t, tc.service, d.EventTypeID)
			require.Equal(t, tc.via, d.Metadata["routed_by"])
			require.Positive(t, d.Confidence)
		})
	}
}

func TestRouteCallErrors(t *testing.T) {
	tests := []struct {
		name string
		call routing.CallInfo
		want error
	}{
		{name: "web call without anything", call: routing.CallInfo{Web: true, AgentID: "agent-unknown"}, want: routing.ErrUnroutable},
		{name: "unknown number", call: routing.CallInfo{ToNumber: "+49 30 99999999"}, want: routing.ErrUnknownNumber},
		{name: "metadata of no branch", call: routing.CallInfo{Web: true, Metadata: map[string]any{"company_id": "c-1", "branch_id": "nope"}},
			want: routing.ErrNotFound},
	}
	svc, _, _, _ := newService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.RouteCall(t.Context(), tc.call)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestMaskPhone(t *testing.T) {
	require.Equal(t, "+49********78", routing.MaskPhone("+493012345678"))
	require.Equal(t, "***", routing.MaskPhone("+49"))
}
