package main

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/call/internal/call"
)

// Test fixtures: one company with one branch reached at branchPhone.
const (
	companyID   = "c0000000-0000-4000-8000-000000000001"
	branchID    = "b0000000-0000-4000-8000-000000000001"
	branchPhone = "+493055571234"
)

// fakeDatabase stands in for the database service on the real bus: its calls.save follows the
// service's SQL (status and raw payload move only forward by rank, other fields fill in when
// given, metadata merges key by key) and it publishes call.saved like its outbox.
type fakeDatabase struct {
	mu      sync.Mutex
	calls   map[string]*database.Call // by retell call id
	raw     map[string][]byte
	byID    map[string]string
	saves   int
	links   map[string]string
	pub     *rpc.Client
	analyze func(ctx context.Context, p database.AnalyticsParams) (database.AnalyticsResult, error)
}

func newFakeDatabase() *fakeDatabase {
	return &fakeDatabase{calls: map[string]*database.Call{}, raw: map[string][]byte{},
		byID: map[string]string{}, links: map[string]string{}}
}

func (f *fakeDatabase) register(s *rpc.Server) {
	rpc.Register(s, database.MethodBranchesByPhone, func(_ context.Context, p database.BranchByPhoneParams) (database.Branch, error) {
		if p.PhoneNumber != branchPhone {
			return database.Branch{}, rpc.ErrNotFound
		}
		return database.Branch{ID: branchID, CompanyID: companyID, TimeZone: "Europe/Berlin", Active: true}, nil
	})
	rpc.Register(s, database.MethodBranchesList, func(_ context.Context, p database.CompanyParams) (database.BranchList, error) {
		if p.CompanyID != companyID {
			return database.BranchList{}, nil
		}
		return database.BranchList{Branches: []database.Branch{{ID: branchID, CompanyID: companyID, Active: true}}}, nil
	})
	rpc.Register(s, database.MethodCallsSave, f.save)
	rpc.Register(s, database.MethodCallsGet, f.get)
	rpc.Register(s, database.MethodCallsLinkAppointment, f.link)
	rpc.Register(s, database.MethodAnalyticsDaily, func(ctx context.Context, p database.AnalyticsParams) (database.AnalyticsResult, error) {
		f.mu.Lock()
		analyze := f.analyze
		f.mu.Unlock()
		if analyze == nil {
			return database.AnalyticsResult{}, rpc.ErrUpstreamUnavailable
		}
		return analyze(ctx, p)
	})
}

func (f *fakeDatabase) save(ctx context.Context, p database.SaveCallParams) (database.Call, error) {
	if p.RetellCallID == "" || p.Status == "" || p.StartedAt.IsZero() || p.BranchID == "" {
		return database.Call{}, rpc.ErrValidation
	}
	f.mu.Lock()
	f.saves++
	c, ok := f.calls[p.RetellCallID]
	if p.IfVersion != 0 && (!ok || c.Version != p.IfVersion) {
		f.mu.Unlock()
		return database.Call{}, rpc.NewError(rpc.CodeConflict, "stale version", nil)
	}
	if !ok {
		c = &database.Call{ID: fmt.Sprintf("id-%d", len(f.calls)+1), CompanyID: p.CompanyID, BranchID: p.BranchID,
			RetellCallID: p.RetellCallID, StartedAt: p.StartedAt, Status: p.Status}
		f.calls[p.RetellCallID], f.byID[c.ID] = c, p.RetellCallID
	}
	c.Version++
	if call.Status(p.Status).Rank() >= call.Status(c.Status).Rank() {
		c.Status = p.Status
		if len(p.RawPayload) > 0 {
			f.raw[p.RetellCallID] = p.RawPayload
		}
	}
	fill(&c.FromNumber, p.FromNumber)
	fill(&c.ToNumber, p.ToNumber)
	fill(&c.RecordingURL, p.RecordingURL)
	fill(&c.Transcript, p.Transcript)
	fill(&c.Sentiment, p.Sentiment)
	if p.DurationSeconds != nil {
		c.DurationSeconds = *p.DurationSeconds
	}
	if p.EndedAt != nil {
		c.EndedAt = p.EndedAt
	}
	c.Metadata = call.MergeMetadata(c.Metadata, p.Metadata)
	out := *c
	out.Metadata = maps.Clone(c.Metadata)
	f.mu.Unlock()
	ev := database.CallSavedEvent{CompanyID: out.CompanyID, CallID: out.ID, RetellCallID: out.RetellCallID,
		Status: out.Status, AppointmentID: out.AppointmentID, Derived: p.Derived}
	return out, f.pub.Publish(ctx, database.TopicCallSaved, ev)
}

func fill(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func (f *fakeDatabase) get(_ context.Context, p database.GetCallParams) (database.Call, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rid := p.RetellCallID
	if rid == "" {
		rid = f.byID[p.CallID]
	}
	c, ok := f.calls[rid]
	if !ok || c.CompanyID != p.CompanyID {
		return database.Call{}, rpc.ErrNotFound
	}
	out := *c
	out.Metadata = maps.Clone(c.Metadata)
	return out, nil
}

func (f *fakeDatabase) link(_ context.Context, p database.LinkAppointmentParams) (database.Call, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[f.byID[p.CallID]]
	if !ok {
		return database.Call{}, rpc.ErrNotFound
	}
	c.AppointmentID = p.AppointmentID
	c.Version++
	f.links[p.CallID] = p.AppointmentID
	return *c, nil
}

// snapshot is the stored row of a call with what differs between test calls normalised.
func (f *fakeDatabase) snapshot(retellID string) (database.Call, []byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[retellID]
	if !ok {
		return database.Call{}, nil, false
	}
	out := *c
	out.Metadata = maps.Clone(c.Metadata)
	return out, f.raw[retellID], true
}

// fakeRouting answers routing.analyzeIntent with the keyword reader, on the real bus.
func fakeRouting(s *rpc.Server) {
	rpc.Register(s, routing.MethodAnalyzeIntent, func(_ context.Context, p routing.AnalyzeIntentParams) (routing.Intent, error) {
		u := call.KeywordUnderstanding(p.Text)
		actions := map[call.Intent]string{call.IntentBooking: "book", call.IntentCancellation: "cancel",
			call.IntentReschedule: "reschedule", call.IntentInfo: "info", call.IntentNone: "none"}
		r := routing.Intent{Action: actions[u.Intent], Caller: routing.Caller{Name: u.CallerName}}
		if u.Intent == call.IntentBooking {
			r.Service = &routing.Match{ID: "svc-1", Name: "Haarschnitt", Score: 0.9}
			start := p.ReferenceTime.Add(24 * time.Hour).Truncate(time.Hour)
			r.Times = []routing.When{{Kind: "at", Start: start, Readback: "morgen"}}
		}
		return r, nil
	})
}

// bus is a running call service with fake database and routing services on real Redis.
type bus struct {
	ns     string
	client *rpc.Client
	db     *fakeDatabase
	redis  *testenv.RedisEnv
}

func startBus(t testing.TB, env map[string]string) *bus {
	t.Helper()
	r := testenv.Redis(t)
	ns := r.Prefix + "askpro"
	client, err := rpc.NewClient(r.Client, rpc.ClientConfig{Instance: "test-" + testenv.RandomSuffix(), Namespace: ns},
		zerolog.Nop(), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	db := newFakeDatabase()
	db.pub = client
	startServer(t, r, ns, database.Service, db.register)
	startServer(t, r, ns, routing.Service, fakeRouting)
	vars := map[string]string{"REDIS_URL": r.URL, "RPC_NAMESPACE": ns, "LOG_LEVEL": "warn"}
	maps.Copy(vars, env)
	stop := testenv.StartService(t, run, vars)
	t.Cleanup(func() { _ = stop() })
	for _, service := range []string{"call", database.Service, routing.Service} {
		testenv.Eventually(t, 30*time.Second, func() bool {
			return client.Call(t.Context(), service, "rpc.ping", nil, nil) == nil
		}, "%s is not live", service)
	}
	return &bus{ns: ns, client: client, db: db, redis: r}
}

func startServer(t testing.TB, r *testenv.RedisEnv, ns, service string, register func(*rpc.Server)) {
	t.Helper()
	srv, err := rpc.NewServer(r.Client, rpc.ServerConfig{Service: service, Instance: service + "-" + testenv.RandomSuffix(),
		Namespace: ns, ClaimMinIdle: 500 * time.Millisecond, DrainTimeout: 5 * time.Second}, zerolog.Nop(), prometheus.NewRegistry())
	require.NoError(t, err)
	register(srv)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s server: %v", service, err)
		}
	})
}
