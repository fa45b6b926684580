package database

import (
	"bytes"
	"cmp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/pkg/rpc"
)

func TestFindOrCreateUnderConcurrencyCreatesOneCustomer(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	const n = 12
	var wg sync.WaitGroup
	results := make([]api.FindOrCreateCustomerResult, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.store.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{
				CompanyID: tn.company.ID, Phone: "+4917612345678", Name: "Anna Schmidt"})
		}()
	}
	wg.Wait()
	created := 0
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, results[0].Customer.ID, results[i].Customer.ID)
		if results[i].Created {
			created++
		}
	}
	require.Equal(t, 1, created)
	var rows int
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM customers WHERE company_id = $1`, tn.company.ID).Scan(&rows))
	require.Equal(t, 1, rows)
}

func TestCustomersTableHoldsNoPlaintextPII(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	res, err := e.store.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: tn.company.ID,
		Phone: "+49 (176) 9988-7766", Name: "Jürgen Meierhofer", Email: "juergen@example.de"})
	require.NoError(t, err)
	require.Equal(t, "+4917699887766", res.Customer.Phone)
	require.Equal(t, "Jürgen Meierhofer", res.Customer.Name)
	require.Equal(t, "juergen@example.de", res.Customer.Email)

	// The ciphertexts are searched as bytes, the other columns as text. Searching a hex or
	// escape rendering of random bytes for a four-digit fragment would match by chance (about
	// one run in a hundred); four raw bytes match by chance once in four billion.
	var rest string
	var blobs [4][]byte
	require.NoError(t, e.pool.QueryRow(t.Context(),
		`SELECT (to_jsonb(c) - 'phone_index' - 'phone_enc' - 'name_enc' - 'email_enc')::text,
		        phone_index, phone_enc, name_enc, email_enc
		 FROM customers c WHERE id = $1`, res.Customer.ID).Scan(&rest, &blobs[0], &blobs[1], &blobs[2], &blobs[3]))
	for _, pii := range []string{"9988", "87766", "17699887766", "Jürgen", "Meierhofer", "juergen", "example.de"} {
		require.NotContains(t, rest, pii)
		for i, b := range blobs {
			require.False(t, bytes.Contains(b, []byte(pii)), "bytea column %d holds %q in plain text", i, pii)
		}
	}
	var keyID string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT key_id FROM customers WHERE id = $1`, res.Customer.ID).Scan(&keyID))
	require.Equal(t, "v1", keyID)
}

func TestOldKeysStillDecryptAfterRotation(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	old, err := New(t.Context(), Options{WriteURL: e.url, Cipher: testCipher(t, "v0:"+testKeyV0), Logger: zerolog.Nop()})
	require.NoError(t, err)
	defer old.Close()
	before, err := old.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: tn.company.ID,
		Phone: "+4917600000001", Name: "Old Key"})
	require.NoError(t, err)

	after, err := e.store.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: tn.company.ID,
		Phone: "+4917600000001"})
	require.NoError(t, err, "the rotated store (v1 current, v0 kept) reads v0 rows")
	require.False(t, after.Created)
	require.Equal(t, before.Customer.ID, after.Customer.ID)
	require.Equal(t, "Old Key", after.Customer.Name)

	filled, err := e.store.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: tn.company.ID,
		Phone: "+4917600000001", Name: "Other Name", Email: "neu@example.de"})
	require.NoError(t, err)
	require.Equal(t, "Old Key", filled.Customer.Name, "a known name is kept")
	require.Equal(t, "neu@example.de", filled.Customer.Email, "a missing e-mail is filled in")
	var keyID string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT key_id FROM customers WHERE id = $1`, filled.Customer.ID).Scan(&keyID))
	require.Equal(t, "v1", keyID, "filling in re-sealed the row under the current key")
	_, err = old.FindOrCreateCustomer(t.Context(), api.FindOrCreateCustomerParams{CompanyID: tn.company.ID, Phone: "+4917600000001"})
	require.Error(t, err, "a store without v1 cannot read it any more")
}

func TestCipher(t *testing.T) {
	c := testCipher(t, "v1:"+testKeyV1+",v0:"+testKeyV0)
	blob, err := c.Seal("+4917612345678", "company-a", "phone")
	require.NoError(t, err)
	plain, err := c.Open(blob, "company-a", "phone")
	require.NoError(t, err)
	require.Equal(t, "+4917612345678", plain)
	_, err = c.Open(blob, "company-b", "phone")
	require.Error(t, err, "a blob is bound to its tenant")
	_, err = c.Open(blob, "company-a", "email")
	require.Error(t, err, "and to its column")
	require.Equal(t, c.BlindIndex("+49176"), c.BlindIndex("+49176"))

	for name, spec := range map[string]string{
		"short key":    "v1:" + testKeyV1[:20],
		"no id":        testKeyV1,
		"duplicate id": "v1:" + testKeyV1 + ",v1:" + testKeyV0,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeys(spec, testBlind)
			require.Error(t, err)
			require.False(t, strings.Contains(err.Error(), testKeyV1), "errors never echo key material")
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct{ in, region, want string }{
		{"+49 30 1234567", "DE", "+49301234567"},
		{"0049-30-1234567", "DE", "+49301234567"},
		{"+49 (176) 123/456.78", "DE", "+4917612345678"},
		{"+49 (0)30 1234567", "DE", "+49301234567"}, // the old rule stored +490301234567
		{"030 1234567", "DE", "+49301234567"},
		{"01 5344455", "AT", "+4315344455"},
		{"030 1234567", "", "+49301234567"}, // "": phone.DefaultRegion
		{"+49 1", "DE", ""},
		{"+490", "DE", ""},
		{"anonymous", "DE", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in+"/"+tc.region, func(t *testing.T) {
			s := &Store{region: cmp.Or(tc.region, phone.DefaultRegion)}
			got, err := s.NormalizePhone(tc.in)
			if tc.want == "" {
				require.ErrorIs(t, err, ErrValidation)
				require.ErrorIs(t, err, phone.ErrInvalid)
				require.Equal(t, rpc.NewError(rpc.CodeValidation, "invalid data: phone number is not E.164", nil),
					WireError(err), "clients keep the code and message they had")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCustomerByIDIsDecryptedAndTenantScoped(t *testing.T) {
	e := newEnv(t, false)
	salon, clinic := newTenant(t, e.store, "Salon"), newTenant(t, e.store, "Clinic")
	ctx := t.Context()
	phone := nextPhone()
	res, err := e.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{CompanyID: salon.company.ID,
		Phone: phone, Name: "Jürgen Groß", Email: "juergen@example.de"})
	require.NoError(t, err)
	got, err := e.store.Customer(ctx, api.CustomerParams{CompanyID: salon.company.ID, CustomerID: res.Customer.ID})
	require.NoError(t, err)
	require.Equal(t, phone, got.Phone)
	require.Equal(t, "Jürgen Groß", got.Name)
	require.Equal(t, "juergen@example.de", got.Email)

	_, err = e.store.Customer(ctx, api.CustomerParams{CompanyID: clinic.company.ID, CustomerID: res.Customer.ID})
	require.ErrorIs(t, err, ErrNotFound, "another tenant's customer is not found")
	_, err = e.store.Customer(ctx, api.CustomerParams{CompanyID: salon.company.ID, CustomerID: "not-a-uuid"})
	require.ErrorIs(t, err, ErrValidation)
}

func TestAKnownCustomerGetsANameOnceWithAuditEntries(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	phone := nextPhone()
	find := func(name string) api.FindOrCreateCustomerResult {
		res, err := e.store.FindOrCreateCustomer(ctx, api.FindOrCreateCustomerParams{
			CompanyID: tn.company.ID, Phone: phone, Name: name})
		require.NoError(t, err)
		return res
	}
	first := find("")
	require.True(t, first.Created)
	require.Empty(t, first.Customer.Name)

	// A call from the same number that says the caller's name fills it in.
	started := time.Now().UTC().Truncate(time.Second)
	c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
		RetellCallID: "call_fill_" + phone, FromNumber: phone, CustomerName: "Anna Schmidt",
		Status: api.CallOngoing, StartedAt: started})
	require.NoError(t, err)
	require.Equal(t, first.Customer.ID, c.CustomerID)

	again := find("Berta Braun")
	require.False(t, again.Created)
	require.Equal(t, first.Customer.ID, again.Customer.ID)
	require.Equal(t, "Anna Schmidt", again.Customer.Name, "a known name stays")

	var actions []string
	rows, err := e.pool.Query(ctx, `SELECT action FROM audit_log WHERE company_id = $1 AND entity_id = $2 ORDER BY id`,
		tn.company.ID, first.Customer.ID)
	require.NoError(t, err)
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		actions = append(actions, a)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"customer.created", "customer.updated"}, actions)
}
