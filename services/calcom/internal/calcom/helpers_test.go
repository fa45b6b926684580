package calcom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/calsim"
	"github.com/askproai/backend/services/calcom/internal/contract"
)

const apiKey = "cal_test_key"

var (
	loadOnce  sync.Once
	validator *contract.Validator
	loadErr   error
)

// fakeClock starts on 2030-03-01 12:00Z; Sleep advances it instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

type env struct {
	sim    *calsim.Server
	url    string
	clock  *fakeClock
	redis  *testenv.RedisEnv
	client *calcom.Client
	acct   *calcom.Account
}

// setup starts calsim on the same fake clock and a client whose every request and response is
// checked against the OpenAPI document.
func setup(t *testing.T, simCfg calsim.Config, opts calcom.Options) *env {
	t.Helper()
	loadOnce.Do(func() { validator, loadErr = contract.Load() })
	require.NoError(t, loadErr)
	e := &env{clock: newFakeClock(), redis: testenv.Redis(t)}
	if len(simCfg.Seed.Accounts) == 0 {
		simCfg.Seed = calsim.DefaultSeed(apiKey)
	}
	simCfg.Now = e.clock.Now
	sim, err := calsim.New(simCfg)
	require.NoError(t, err)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	e.sim, e.url = sim, srv.URL
	e.client = e.newClient(t, opts)
	e.acct = e.client.Account(apiKey)
	return e
}

func (e *env) newClient(t *testing.T, opts calcom.Options) *calcom.Client {
	t.Helper()
	opts.BaseURL = e.url
	opts.Redis = e.redis.Client
	opts.KeyPrefix = e.redis.Prefix + "calcom:"
	opts.Clock = e.clock
	opts.HTTPClient = &http.Client{Transport: &contract.Transport{Validator: validator, Report: t.Errorf}}
	if opts.Jitter == nil {
		opts.Jitter = func(time.Duration) time.Duration { return 0 }
	}
	c, err := calcom.New(opts)
	require.NoError(t, err)
	return c
}

func bookingRequest(start time.Time, requestID string) calcom.BookingRequest {
	return calcom.BookingRequest{EventTypeID: 100, Start: start, Name: "Erika Mustermann",
		Phone: "+4915112345678", TimeZone: "Europe/Berlin", RequestID: requestID}
}

// monday0900 is 09:00 in Berlin on Monday 2030-04-01 (summer time).
var monday0900 = time.Date(2030, 4, 1, 7, 0, 0, 0, time.UTC)
