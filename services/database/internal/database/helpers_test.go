package database

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/testenv"
)

// Fixed test keys: 32 bytes each, base64.
var (
	testKeyV0 = base64.StdEncoding.EncodeToString([]byte("v0-test-key-0123456789abcdefghij"))
	testKeyV1 = base64.StdEncoding.EncodeToString([]byte("v1-test-key-0123456789abcdefghij"))
	testBlind = base64.StdEncoding.EncodeToString([]byte("blind-index-key-0123456789abcdef"))
)

type env struct {
	store *Store
	pool  *pgxpool.Pool // a separate pool for raw checks
	url   string
}

func testCipher(t testing.TB, spec string) *Cipher {
	t.Helper()
	c, err := ParseKeys(spec, testBlind)
	require.NoError(t, err)
	return c
}

// newEnv gives t a store on a fresh database; withCache adds a Redis cache under t's prefix.
func newEnv(t testing.TB, withCache bool) *env {
	t.Helper()
	url := testenv.PostgresURL(t)
	o := Options{WriteURL: url, WriteConns: 16, Cipher: testCipher(t, "v1:"+testKeyV1+",v0:"+testKeyV0),
		Logger: zerolog.Nop()}
	if withCache {
		r := testenv.Redis(t)
		o.Cache = NewCache(r.Client, CacheOptions{Namespace: r.Prefix + "askpro", Logger: zerolog.Nop()})
	}
	s, err := New(t.Context(), o)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	pool, err := pgxpool.New(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return &env{store: s, pool: pool, url: url}
}

// tenant is a company with one branch, two staff members and one event type.
type tenant struct {
	company          api.Company
	branch           api.Branch
	staff, colleague api.Staff
	service          api.EventType
	apiKeyHex        string
}

// nextPhone returns a random Berlin number.
func nextPhone() string {
	return "+4930" + strconv.Itoa(1000000+rand.IntN(8999999))
}

func newTenant(t testing.TB, s *Store, name string) tenant {
	t.Helper()
	ctx := t.Context()
	key := "ak_test_" + testenv.RandomSuffix()
	digest := sha256.Sum256([]byte(key))
	c, err := s.CreateCompany(ctx, NewCompany{Name: name, APIKeyDigest: digest[:], APIKeyPrefix: key[:12],
		CalcomAPIKey: "cal_live_secret"})
	require.NoError(t, err)
	b, err := s.UpsertBranch(ctx, api.Branch{CompanyID: c.ID, Name: name + " Mitte",
		PhoneNumber: nextPhone(), Active: true,
		OpeningHours: api.OpeningHours{"mon": {{From: "09:00", To: "18:00"}}}})
	require.NoError(t, err)
	e, err := s.UpsertEventType(ctx, api.EventType{CompanyID: c.ID, CalcomEventTypeID: 42,
		Name: "Herrenschnitt", Aliases: []string{"haare schneiden"}, DurationMinutes: 30, Active: true})
	require.NoError(t, err)
	st, err := s.UpsertStaff(ctx, api.Staff{CompanyID: c.ID, BranchID: b.ID, Name: "Stefanie",
		Aliases: []string{"steffi"}, EventTypeIDs: []string{e.ID}, Active: true})
	require.NoError(t, err)
	co, err := s.UpsertStaff(ctx, api.Staff{CompanyID: c.ID, BranchID: b.ID, Name: "Jonas",
		Active: true})
	require.NoError(t, err)
	return tenant{company: c, branch: b, staff: st, colleague: co, service: e, apiKeyHex: hex.EncodeToString(digest[:])}
}

// slot is an hour-aligned time in the future, offset by minutes.
func slot(minutes int) time.Time {
	return time.Now().UTC().Truncate(time.Hour).Add(48*time.Hour + time.Duration(minutes)*time.Minute)
}

func booking(tn tenant, staff api.Staff, startMin, lenMin int) api.CreateAppointmentParams {
	return api.CreateAppointmentParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID, StaffID: staff.ID,
		EventTypeID: tn.service.ID, StartTime: slot(startMin), EndTime: slot(startMin + lenMin)}
}
