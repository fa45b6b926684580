package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/database/internal/database"
)

// Customers as the old regex rule stored them sit beside customers stored by pkg/phone. The
// fixed dates order them; created_at decides who survives a merge.
var (
	day1 = time.Date(2025, time.December, 1, 9, 0, 0, 0, time.UTC)
	day2 = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)
	day3 = time.Date(2026, time.June, 1, 9, 0, 0, 0, time.UTC)
)

// splitFixture is two tenants with customers split by the old rule.
type splitFixture struct {
	c                *cli
	store            *database.Store
	salon, werkstatt api.Company
	// In the salon: erikaOld (old rule, oldest) and erikaNew (pkg/phone) are one caller;
	// hansOld is alone under the old form; paula is stored normalised; broken is a stored
	// number pkg/phone refuses.
	erikaOld, erikaNew, hansOld, paula, broken string
	// In the werkstatt: the same number as Erika's, older than hers, twice.
	kaiOld, kaiNew           string
	apptOld, apptNew, callID string
}

func newSplitFixture(t *testing.T) *splitFixture {
	c := newCLI(t)
	f := &splitFixture{c: c, store: checkStore(t, c)}
	f.salon = applyYAML(t, c, f.store, checkYAML, "Salon Prüfung")
	f.werkstatt = applyYAML(t, c, f.store, otherYAML, "Werkstatt Zwei")

	f.erikaOld = f.rawCustomer(t, f.salon.ID, "+4903055570001", "Erika Alt", "", day2)
	f.erikaNew = f.rawCustomer(t, f.salon.ID, "+493055570001", "", "erika@example.de", day3)
	f.hansOld = f.rawCustomer(t, f.salon.ID, "+4903055570002", "Hans", "", day2)
	f.paula = f.rawCustomer(t, f.salon.ID, "+493055570003", "Paula", "", day2)
	f.broken = f.rawCustomer(t, f.salon.ID, "+4900000000", "Kaputt", "", day2)
	f.kaiOld = f.rawCustomer(t, f.werkstatt.ID, "+4903055570001", "Kai", "", day1)
	f.kaiNew = f.rawCustomer(t, f.werkstatt.ID, "+493055570001", "", "", day3)

	ctx := t.Context()
	branches, err := f.store.Branches(ctx, f.salon.ID)
	require.NoError(t, err)
	staff, err := f.store.StaffList(ctx, f.salon.ID, "")
	require.NoError(t, err)
	start := time.Date(2026, time.December, 7, 10, 0, 0, 0, berlin)
	for i, cust := range []string{f.erikaOld, f.erikaNew} {
		a, err := f.store.CreateAppointment(ctx, api.CreateAppointmentParams{CompanyID: f.salon.ID,
			BranchID: branches[0].ID, StaffID: staff[0].ID, CustomerID: cust,
			StartTime: start.Add(time.Duration(i) * time.Hour), EndTime: start.Add(time.Duration(i)*time.Hour + 45*time.Minute)})
		require.NoError(t, err)
		if i == 0 {
			f.apptOld = a.ID
		} else {
			f.apptNew = a.ID
		}
	}
	// A call today finds the caller by the normalised number: the newer of the two.
	call, err := f.store.SaveCall(ctx, api.SaveCallParams{CompanyID: f.salon.ID, BranchID: branches[0].ID,
		RetellCallID: "call_split_" + f.salon.ID, FromNumber: "030 5557 0001", Status: api.CallEnded, StartedAt: start})
	require.NoError(t, err)
	require.Equal(t, f.erikaNew, call.CustomerID)
	f.callID = call.ID
	return f
}

func applyYAML(t *testing.T, c *cli, store *database.Store, yaml, name string) api.Company {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tenant.yaml")
	require.NoError(t, os.WriteFile(file, []byte(yaml), 0o600))
	c.run("tenant", "apply", "-f", file)
	companies, err := store.CompaniesByName(t.Context(), name)
	require.NoError(t, err)
	require.Len(t, companies, 1)
	return companies[0]
}

// rawCustomer stores a customer the way the store did before pkg/phone: phone exactly as
// given, indexed as given.
func (f *splitFixture) rawCustomer(t *testing.T, companyID, stored, name, email string, created time.Time) string {
	t.Helper()
	cipher, err := database.ParseKeys(testPII, testBlind)
	require.NoError(t, err)
	seal := func(v, col string) []byte {
		b, err := cipher.Seal(v, companyID, col)
		require.NoError(t, err)
		return b
	}
	var id string
	require.NoError(t, f.c.pool().QueryRow(t.Context(), `INSERT INTO customers
  (company_id, phone_index, phone_enc, name_enc, email_enc, key_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id::text`, companyID, cipher.BlindIndex(stored),
		seal(stored, "phone"), seal(name, "name"), seal(email, "email"), cipher.KeyID(), created).Scan(&id))
	return id
}

// snapshot is everything the command may change, to prove a dry run changes none of it.
func (f *splitFixture) snapshot(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT id::text || encode(phone_index, 'hex') || encode(phone_enc, 'hex') || coalesce(encode(name_enc, 'hex'), '') || updated_at::text FROM customers`,
		`SELECT id::text || coalesce(customer_id::text, '-') || updated_at::text FROM appointments`,
		`SELECT id::text || coalesce(customer_id::text, '-') || updated_at::text FROM calls`,
		`SELECT id::text FROM audit_log`,
	} {
		rows, err := f.c.pool().Query(t.Context(), q)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, rows.Err())
	}
	slices.Sort(out)
	return out
}

func (f *splitFixture) customerIDs(t *testing.T, companyID string) []string {
	t.Helper()
	rows, err := f.c.pool().Query(t.Context(), `SELECT id::text FROM customers WHERE company_id = $1 ORDER BY id`, companyID)
	require.NoError(t, err)
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	return ids
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

func TestMergeDuplicatesDryRunChangesNothing(t *testing.T) {
	f := newSplitFixture(t)
	// A branch stored by the old rule: branches.byPhone no longer finds it.
	_, err := f.c.pool().Exec(t.Context(), `UPDATE branches SET phone_number = '+490305557340' WHERE company_id = $1 AND name = 'Mitte'`, f.salon.ID)
	require.NoError(t, err)
	before := f.snapshot(t)
	out := f.c.run("customers", "merge-duplicates", "--dry-run")
	require.Equal(t, before, f.snapshot(t), "a dry run changes nothing:\n%s", out)
	require.Contains(t, out, "dry run: 3 group(s) in 2 tenant(s) would change; nothing was changed")
	require.Contains(t, out, "would merge 1")
	require.Contains(t, out, "would store the normalised number")
	require.Contains(t, out, f.erikaOld)
	require.Contains(t, out, f.erikaNew)
	require.Contains(t, out, "1 customer(s) have a stored number pkg/phone refuses; left alone: Salon Prüfung: "+f.broken)
	require.NotContains(t, out, "5557000", "numbers are masked")
	require.Contains(t, out, "+49********01")
	require.Contains(t, out, "1 branch(es) are stored under a number in another form and are not found by it; run askpro tenant apply: Salon Prüfung: Mitte")
}

func TestMergeDuplicatesMergesIntoTheOldestWithAuditEntries(t *testing.T) {
	f := newSplitFixture(t)
	ctx := t.Context()
	out := f.c.run("customers", "merge-duplicates")
	require.Contains(t, out, "2 customer(s) merged, 3 number(s) normalised, 1 appointment(s) and 1 call(s) moved, 0 group(s) failed")
	require.NotContains(t, out, "5557000", "numbers are masked")

	// The salon: Erika is one customer, the oldest, with the normalised number, her name and
	// the e-mail only the newer one had; her appointments and the call are hers.
	require.Equal(t, sorted(f.erikaOld, f.hansOld, f.paula, f.broken), f.customerIDs(t, f.salon.ID))
	erika, err := f.store.Customer(ctx, api.CustomerParams{CompanyID: f.salon.ID, CustomerID: f.erikaOld})
	require.NoError(t, err)
	require.Equal(t, "+493055570001", erika.Phone)
	require.Equal(t, "Erika Alt", erika.Name)
	require.Equal(t, "erika@example.de", erika.Email)
	require.Equal(t, 2, f.c.count(`SELECT count(*) FROM appointments WHERE customer_id = $1 AND id = ANY($2::uuid[])`,
		f.erikaOld, []string{f.apptOld, f.apptNew}))
	require.Equal(t, 1, f.c.count(`SELECT count(*) FROM calls WHERE customer_id = $1 AND id = $2`, f.erikaOld, f.callID))
	found, err := f.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: f.salon.ID, Phone: "+49 (0)30 5557-0001"})
	require.NoError(t, err)
	require.Equal(t, f.erikaOld, found.Customer.ID, "the next call finds the survivor")
	require.False(t, found.Created)

	// Hans alone: stored again under the normalised number, so the next call finds him.
	hans, err := f.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: f.salon.ID, Phone: "030 5557 0002"})
	require.NoError(t, err)
	require.Equal(t, f.hansOld, hans.Customer.ID)
	require.Equal(t, "+493055570002", hans.Customer.Phone)

	// The werkstatt kept its own Kai: the oldest customer of this number overall is his, but
	// no customer crossed a tenant.
	require.Equal(t, []string{f.kaiOld}, f.customerIDs(t, f.werkstatt.ID))

	// One audit entry per group, in its tenant, with ids and counts and no number.
	type entry struct{ company, action, entity string }
	rows, err := f.c.pool().Query(ctx, `SELECT company_id::text, action, entity_id, data::text FROM audit_log
WHERE action IN ('customer.merged', 'customer.phone_normalized') ORDER BY id`)
	require.NoError(t, err)
	got := map[entry]string{}
	for rows.Next() {
		var e entry
		var data string
		require.NoError(t, rows.Scan(&e.company, &e.action, &e.entity, &data))
		require.NotContains(t, data, "5557000")
		got[e] = data
	}
	require.NoError(t, rows.Err())
	require.Len(t, got, 3)
	require.JSONEq(t, `{"rule":"pkg/phone","merged_ids":["`+f.erikaNew+`"],"appointments_moved":1,"calls_moved":1}`,
		got[entry{f.salon.ID, "customer.merged", f.erikaOld}])
	require.JSONEq(t, `{"rule":"pkg/phone"}`, got[entry{f.salon.ID, "customer.phone_normalized", f.hansOld}])
	require.JSONEq(t, `{"rule":"pkg/phone","merged_ids":["`+f.kaiNew+`"],"appointments_moved":0,"calls_moved":0}`,
		got[entry{f.werkstatt.ID, "customer.merged", f.kaiOld}])
	require.Equal(t, 3, f.c.count(`SELECT count(*) FROM audit_log WHERE actor LIKE 'cli:%' AND action LIKE 'customer.%'`))

	again := f.c.run("customers", "merge-duplicates")
	require.Contains(t, again, "no customers to merge in 2 tenant(s)", "a second run finds nothing")
}

func TestMergeDuplicatesStaysInTheNamedTenant(t *testing.T) {
	f := newSplitFixture(t)
	salonBefore := f.customerIDs(t, f.salon.ID)
	out := f.c.run("customers", "merge-duplicates", "--company", "werkstatt-zwei")
	require.Contains(t, out, "1 customer(s) merged, 1 number(s) normalised, 0 appointment(s) and 0 call(s) moved")
	require.Equal(t, []string{f.kaiOld}, f.customerIDs(t, f.werkstatt.ID))
	require.Equal(t, salonBefore, f.customerIDs(t, f.salon.ID), "the salon is untouched")
	require.Equal(t, 0, f.c.count(`SELECT count(*) FROM audit_log WHERE company_id = $1 AND action LIKE 'customer.%'`, f.salon.ID))

	_, err := f.c.try("customers", "merge-duplicates", "--company", "nobody")
	require.ErrorContains(t, err, `customers merge-duplicates: no tenant "nobody"`)
	_, err = f.c.try("customers", "merge")
	require.ErrorContains(t, err, "want: customers merge-duplicates")
}

func TestMergeCustomersRechecksTheGroup(t *testing.T) {
	f := newSplitFixture(t)
	ctx := t.Context()
	before := f.snapshot(t)
	for name, m := range map[string]database.CustomerMerge{
		"another tenant's customers": {CompanyID: f.werkstatt.ID, Phone: "+493055570001", KeepID: f.erikaOld, MergeIDs: []string{f.erikaNew}},
		"another number":             {CompanyID: f.salon.ID, Phone: "+493055570001", KeepID: f.erikaOld, MergeIDs: []string{f.paula}},
		"not the oldest kept":        {CompanyID: f.salon.ID, Phone: "+493055570001", KeepID: f.erikaNew, MergeIDs: []string{f.erikaOld}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.store.MergeCustomers(ctx, m)
			require.ErrorIs(t, err, database.ErrMergeChanged)
		})
	}
	_, err := f.store.MergeCustomers(ctx, database.CustomerMerge{CompanyID: f.salon.ID, Phone: "+493055570001",
		KeepID: f.erikaOld, MergeIDs: []string{f.erikaOld}})
	require.ErrorIs(t, err, database.ErrValidation)
	require.Equal(t, before, f.snapshot(t), "a refused group changes nothing")
}

// TestCustomerForeignKeysAreTheOnesMergeRepoints: MergeCustomers moves appointments and calls
// to the survivor. A migration that adds another reference to customers must teach it that
// table too (until then the DELETE of a merged customer fails and rolls its group back).
func TestCustomerForeignKeysAreTheOnesMergeRepoints(t *testing.T) {
	c := newCLI(t)
	c.run("migrate")
	rows, err := c.pool().Query(t.Context(), `SELECT conrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND confrelid = 'customers'::regclass AND conparentid = 0 ORDER BY 1`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"appointments", "calls"}, tables)
}
