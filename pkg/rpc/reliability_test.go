package rpc_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
)

func TestExpiredWorkIsNeverRun(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	reg := prometheus.NewRegistry()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var fastRuns atomic.Int32
	cfg := rpctest.ServerConfig(env, "slow", "slow-0")
	cfg.Workers = 1
	rpctest.StartServer(t, env, cfg, reg, func(s *rpc.Server) {
		rpc.Register(s, "slow", func(context.Context, struct{}) (string, error) {
			started <- struct{}{}
			<-release
			return "done", nil
		})
		rpc.Register(s, "fast", func(context.Context, struct{}) (string, error) {
			fastRuns.Add(1)
			return "ran", nil
		})
	})
	c := rpctest.NewClient(t, env, "caller", nil)
	slowDone := make(chan error, 1)
	go func() { slowDone <- c.Call(context.Background(), "slow", "slow", struct{}{}, nil) }()
	<-started

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "slow", "fast", struct{}{}, nil)
	require.ErrorIs(t, err, rpc.ErrDeadlineExceeded)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	close(release)
	require.NoError(t, <-slowDone)
	stream := rpc.RequestStream(rpctest.Namespace(env), "slow", rpc.LaneNormal)
	testenv.Eventually(t, 30*time.Second, func() bool {
		return metricSum(t, reg, "askpro_rpc_expired_total") == 1 && pendingCount(env.Client, stream, "slow") == 0
	}, "expired entry not acknowledged")
	assert.Zero(t, fastRuns.Load(), "expired work must not run")
}

// A consumer dies while handling a request: another instance claims the pending entry and
// answers while the caller still waits.
// A consumer that dies mid-request leaves its entry pending; another instance claims it and
// answers while the caller still waits. A non-idempotent method too: the claimant takes over
// the dead consumer's in-progress marker instead of answering "in progress".
func TestKilledConsumerWorkIsClaimed(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]rpc.MethodOption{"idempotent": nil, "non-idempotent": {rpc.NonIdempotent()}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			killedMidRequest(t, opts)
		})
	}
}

func killedMidRequest(t *testing.T, opts []rpc.MethodOption) {
	env := testenv.Redis(t)
	ropts, err := redis.ParseURL(env.URL)
	require.NoError(t, err)
	rdbA := redis.NewClient(ropts)
	var runs atomic.Int32
	var entries sync.Map // run number -> rpc.EntryID
	stuck := make(chan struct{})
	started := make(chan struct{}, 1)
	setup := func(s *rpc.Server) {
		rpc.Register(s, "work", func(ctx context.Context, _ struct{}) (string, error) {
			n := runs.Add(1)
			entries.Store(n, rpc.EntryID(ctx))
			if n == 1 {
				started <- struct{}{}
				<-stuck // instance a hangs and then dies
				return "a", nil
			}
			return "b", nil
		}, opts...)
	}
	cfgA := rpctest.ServerConfig(env, "claim", "a")
	srvA, err := rpc.NewServer(rdbA, cfgA, rpctest.Logger(t), nil)
	require.NoError(t, err)
	setup(srvA)
	stopA := rpctest.Run(t, srvA)
	rpctest.WaitLive(t, env, cfgA.Namespace, "claim", "a")

	c := rpctest.NewClient(t, env, "caller", nil)
	got := make(chan string, 1)
	go func() {
		var res string
		if err := c.Call(context.Background(), "claim", "work", struct{}{}, &res); err != nil {
			res = err.Error()
		}
		got <- res
	}()
	<-started
	require.NoError(t, rdbA.Close()) // a is gone: no ack, no lease, no heartbeat

	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "claim", "b"), nil, setup)
	select {
	case res := <-got:
		assert.Equal(t, "b", res)
	case <-time.After(30 * time.Second):
		t.Fatal("the caller got no answer from the claiming instance")
	}
	first, _ := entries.Load(int32(1))
	second, _ := entries.Load(int32(2))
	require.NotEmpty(t, first)
	require.Equal(t, first, second, "the claimed delivery is the same entry")
	close(stuck)
	_ = stopA()
	stream := rpc.RequestStream(cfgA.Namespace, "claim", rpc.LaneNormal)
	testenv.Eventually(t, 30*time.Second, func() bool { return pendingCount(env.Client, stream, "claim") == 0 })
}

func TestPoisonEntryGoesToDeadLetters(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "poison", registerEcho)
	ns := rpctest.Namespace(p.Env)
	stream := rpc.RequestStream(ns, "poison", rpc.LaneNormal)
	ctx := t.Context()
	require.NoError(t, p.Env.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"v", "1", "body", []byte{0xc1}}}).Err())
	require.NoError(t, p.Env.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"v", "99", "body", "x"}}).Err())
	require.NoError(t, p.Env.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"nothing", "here"}}).Err())

	var res echoResult
	require.NoError(t, p.Client.Call(ctx, "poison", "echo", echoParams{Text: "still serving"}, &res))
	assert.Equal(t, "still serving", res.Text)

	dlq := rpc.NewDeadLetters(p.Env.Client, ns, "poison")
	testenv.Eventually(t, 30*time.Second, func() bool { n, _ := dlq.Len(ctx); return n == 3 })
	letters, err := dlq.List(ctx, "", 10)
	require.NoError(t, err)
	require.Len(t, letters, 3)
	byBody := map[string]rpc.DeadLetter{}
	for _, l := range letters {
		byBody[string(l.Body)] = l
		assert.Equal(t, stream, l.Source)
		assert.Equal(t, "poison", l.Group)
		assert.EqualValues(t, 1, l.Deliveries)
	}
	assert.Contains(t, byBody["\xc1"].Reason, "parse error")
	assert.Contains(t, byBody["x"].Reason, "unsupported envelope version")
	assert.Equal(t, "here", byBody[""].Fields["nothing"])
	assert.EqualValues(t, 0, pendingCount(p.Env.Client, stream, "poison"))

	one, err := dlq.Get(ctx, letters[2].ID)
	require.NoError(t, err)
	assert.Equal(t, letters[2], one)
	n, err := dlq.Purge(ctx, letters[2].ID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
	n, err = dlq.Purge(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	_, err = dlq.Get(ctx, letters[0].ID)
	assert.ErrorIs(t, err, rpc.ErrDeadLetterNotFound)
}

// An entry that was delivered too often goes to the dead-letter stream; replayed, it keeps
// its id and is answered.
func TestReplayFromDeadLetters(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	ns := rpctest.Namespace(env)
	ctx := t.Context()
	p := &rpctest.Pair{Env: env}
	b := newRawBus(t, p)
	stream := rpc.RequestStream(ns, "replay", rpc.LaneNormal)
	require.NoError(t, env.Client.XGroupCreateMkStream(ctx, stream, "replay", "0").Err())
	raw := mustMarshal(t, map[string]any{"jsonrpc": "2.0", "method": "echo", "params": map[string]any{"text": "again"}, "id": "req-42"})
	b.send("replay", raw, true)
	// A ghost consumer took the entry and crashed on it six times.
	res, err := env.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "replay", Consumer: "ghost", Streams: []string{stream, ">"}, Count: 1, Block: -1}).Result()
	require.NoError(t, err)
	id := res[0].Messages[0].ID
	for range 5 {
		require.NoError(t, env.Client.XClaim(ctx, &redis.XClaimArgs{Stream: stream, Group: "replay", Consumer: "ghost", Messages: []string{id}}).Err())
	}
	cfg := rpctest.ServerConfig(env, "replay", "r-0")
	cfg.MaxDeliveries = 5
	rpctest.StartServer(t, env, cfg, nil, registerEcho)

	dlq := rpc.NewDeadLetters(env.Client, ns, "replay")
	testenv.Eventually(t, 30*time.Second, func() bool { n, _ := dlq.Len(ctx); return n == 1 })
	letters, err := dlq.List(ctx, "", 10)
	require.NoError(t, err)
	assert.Contains(t, letters[0].Reason, "delivered 7 times")
	assert.EqualValues(t, 7, letters[0].Deliveries)
	assert.Equal(t, "echo", letters[0].Method)
	assert.Equal(t, "req-42", letters[0].RequestID)
	_, err = dlq.Replay(ctx, letters[0].ID, 10*time.Second)
	require.NoError(t, err)
	v, ok := b.next(30 * time.Second)
	require.True(t, ok, "replayed request not answered")
	assert.Equal(t, "req-42", v.(map[string]any)["id"])
	// The reply stream holds its first entry and this one reply: the dead-lettered delivery
	// was never answered.
	assert.EqualValues(t, 2, env.Client.XLen(ctx, b.reply).Val(), "a dead-lettered request is not answered")
	n, _ := dlq.Len(ctx)
	assert.Zero(t, n)
}

func TestDuplicatesRunOnce(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	release := make(chan struct{})
	p := rpctest.New(t, "booking", func(s *rpc.Server) {
		rpc.Register(s, "create", func(_ context.Context, p echoParams) (echoResult, error) {
			n := runs.Add(1)
			if p.Text == "slow" {
				<-release
			}
			return echoResult{Text: p.Text, Double: int(n)}, nil
		}, rpc.NonIdempotent())
	})
	b := newRawBus(t, p)
	req := func(id, text string) []byte {
		return mustMarshal(t, map[string]any{"jsonrpc": "2.0", "method": "create", "params": map[string]any{"text": text}, "id": id})
	}

	t.Run("sequential duplicate gets the stored result", func(t *testing.T) {
		first := b.call("booking", mustUnmarshal(t, req("dup-1", "fast")))
		second := b.call("booking", mustUnmarshal(t, req("dup-1", "fast")))
		assert.Equal(t, first, second)
		assert.EqualValues(t, 1, runs.Load())
	})

	t.Run("concurrent duplicates never both run", func(t *testing.T) {
		b.send("booking", req("dup-2", "slow"), true)
		b.send("booking", req("dup-2", "slow"), true)
		testenv.Eventually(t, 30*time.Second, func() bool { return runs.Load() == 2 })
		close(release)
		r1, ok1 := b.next(30 * time.Second)
		r2, ok2 := b.next(30 * time.Second)
		require.True(t, ok1 && ok2)
		assert.Equal(t, r1, r2)
		assert.EqualValues(t, 2, runs.Load(), "the duplicate must not run")
	})
	assert.EqualValues(t, 2, metricSum(t, p.Registry, "askpro_rpc_duplicates_total"))
}

func TestGracefulDrainLosesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	var handled sync.Map
	var count atomic.Int32
	gate := make(chan struct{})
	setup := func(s *rpc.Server) {
		rpc.Register(s, "job", func(_ context.Context, p echoParams) (int, error) {
			<-gate
			if _, dup := handled.LoadOrStore(p.N, true); dup {
				return 0, errors.New("handled twice")
			}
			count.Add(1)
			return p.N, nil
		})
	}
	cfg := rpctest.ServerConfig(env, "drain", "d-0")
	cfg.Workers = 4
	srv, err := rpc.NewServer(env.Client, cfg, rpctest.Logger(t), nil)
	require.NoError(t, err)
	setup(srv)
	stop := rpctest.Run(t, srv)
	rpctest.WaitLive(t, env, cfg.Namespace, "drain", "d-0")
	c := rpctest.NewClient(t, env, "caller", nil)
	const calls, notes = 6, 20
	results := make(chan error, calls)
	for i := range calls {
		go func() {
			var n int
			results <- c.Call(context.Background(), "drain", "job", echoParams{N: i}, &n)
		}()
	}
	for i := range notes {
		require.NoError(t, c.Notify(t.Context(), "drain", "job", echoParams{N: 100 + i}))
	}
	stream := rpc.RequestStream(cfg.Namespace, "drain", rpc.LaneNormal)
	testenv.Eventually(t, 30*time.Second, func() bool { return pendingCount(env.Client, stream, "drain") == 4 })
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	close(gate) // the in-flight work finishes during the drain
	require.NoError(t, <-stopped)
	assert.EqualValues(t, 0, pendingCount(env.Client, stream, "drain"), "drain must acknowledge what it took")

	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "drain", "d-1"), nil, setup)
	for range calls {
		require.NoError(t, <-results)
	}
	testenv.Eventually(t, 30*time.Second, func() bool { return count.Load() == calls+notes }, "handled %d of %d", count.Load(), calls+notes)
}

func TestPriorityLanes(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	c := rpctest.NewClient(t, env, "caller", nil)
	const per = 10
	for i := range per {
		for _, lane := range []rpc.Lane{rpc.LaneLow, rpc.LaneNormal, rpc.LaneHigh} {
			require.NoError(t, c.Notify(t.Context(), "prio", "job", echoParams{Text: string(lane), N: i}, rpc.WithLane(lane)))
		}
	}
	var mu sync.Mutex
	var order []string
	cfg := rpctest.ServerConfig(env, "prio", "p-0")
	cfg.Workers, cfg.Readers = 1, 1
	rpctest.StartServer(t, env, cfg, nil, func(s *rpc.Server) {
		rpc.Register(s, "job", func(_ context.Context, p echoParams) (struct{}, error) {
			mu.Lock()
			order = append(order, p.Text)
			mu.Unlock()
			return struct{}{}, nil
		})
	})
	testenv.Eventually(t, 30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 3*per })
	first := map[string]int{}
	sum, count := map[string]int{}, map[string]int{}
	for i, l := range order {
		if i < per {
			first[l]++
		}
		sum[l] += i
		count[l]++
	}
	t.Logf("order: %v", order)
	mean := func(l string) float64 { return float64(sum[l]) / float64(count[l]) }
	assert.GreaterOrEqual(t, first["high"], 5, "high is served first")
	assert.Less(t, mean("high"), mean("normal"), "high before normal")
	assert.Less(t, mean("high"), mean("low"), "high before low")
	assert.Equal(t, per, count["low"], "low does not starve")
}

func TestEventFanOutOncePerGroup(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	type seen struct {
		mu   sync.Mutex
		byID map[int]int
	}
	groups := map[string]*seen{"billing": {byID: map[int]int{}}, "stats": {byID: map[int]int{}}}
	subscribe := func(group string) func(s *rpc.Server) {
		return func(s *rpc.Server) {
			rpc.Subscribe(s, "call.saved", group, func(_ context.Context, ev echoParams) error {
				g := groups[group]
				g.mu.Lock()
				g.byID[ev.N]++
				g.mu.Unlock()
				return nil
			})
		}
	}
	// Delivery is at least once: an entry left unacknowledged for ClaimMinIdle is rightly taken
	// over by the other billing instance. This test is about fan-out, not about claims (those
	// are claim_test.go's), so the window is wide enough that a starved scheduler cannot close
	// it between a read and its acknowledgement.
	cfgOf := func(service, instance string) rpc.ServerConfig {
		cfg := rpctest.ServerConfig(env, service, instance)
		cfg.ClaimMinIdle = time.Minute
		return cfg
	}
	rpctest.StartServer(t, env, cfgOf("billing", "billing-0"), nil, subscribe("billing"))
	rpctest.StartServer(t, env, cfgOf("billing", "billing-1"), nil, subscribe("billing"))
	rpctest.StartServer(t, env, cfgOf("stats", "stats-0"), nil, subscribe("stats"))
	c := rpctest.NewClient(t, env, "publisher", nil)
	const events = 30
	for i := range events {
		require.NoError(t, c.Publish(t.Context(), "call.saved", echoParams{N: i}))
	}
	for name, g := range groups {
		testenv.Eventually(t, 30*time.Second, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.byID) == events }, "group %s", name)
		g.mu.Lock()
		for id, n := range g.byID {
			assert.Equal(t, 1, n, "group %s got event %d %d times", name, id, n)
		}
		g.mu.Unlock()
	}
}

// A failing event handler gets the event again, each time after twice the pause of the time
// before, and after MaxDeliveries the event goes to the dead-letter stream; replayed once the
// handler is fixed, it is handled.
func TestEventRedeliveryBacksOffThenDeadLetters(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	var attempts atomic.Int32
	var healthy atomic.Bool
	var mu sync.Mutex
	var at []time.Time
	cfg := rpctest.ServerConfig(env, "mailer", "mailer-0")
	cfg.ClaimMinIdle, cfg.MaxDeliveries, cfg.RetryMaxDelay = 200*time.Millisecond, 4, 500*time.Millisecond
	rpctest.StartServer(t, env, cfg, nil, func(s *rpc.Server) {
		rpc.Subscribe(s, "booking.created", "mailer", func(context.Context, echoParams) error {
			attempts.Add(1)
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			if !healthy.Load() {
				return errors.New("smtp down")
			}
			return nil
		})
	})
	c := rpctest.NewClient(t, env, "publisher", nil)
	require.NoError(t, c.Publish(t.Context(), "booking.created", echoParams{N: 1}))
	dlq := rpc.NewDeadLetters(env.Client, cfg.Namespace, "mailer")
	testenv.Eventually(t, 30*time.Second, func() bool { n, _ := dlq.Len(t.Context()); return n == 1 })
	assert.EqualValues(t, 4, attempts.Load())
	mu.Lock()
	for i, pause := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond} {
		// Redis counts idle time in whole milliseconds from the delivery, a little before the
		// handler starts: allow for both.
		assert.GreaterOrEqual(t, at[i+1].Sub(at[i]), pause-20*time.Millisecond, "pause before delivery %d", i+2)
	}
	mu.Unlock()
	letters, err := dlq.List(t.Context(), "", 1)
	require.NoError(t, err)
	assert.Contains(t, letters[0].Reason, "smtp down")
	healthy.Store(true)
	_, err = dlq.Replay(t.Context(), letters[0].ID, 0)
	require.NoError(t, err)
	testenv.Eventually(t, 30*time.Second, func() bool { return attempts.Load() == 5 })
}

// The retry pause lives in the pending entries list: when the instance that holds a failed
// event stops, another instance of the group delivers it again, ClaimMinIdle after the last
// renewal rather than after the whole pause.
func TestHeldEventOfAStoppedInstanceIsRetriedByAnother(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	handled := make(chan string, 4)
	subscribe := func(instance string, fail bool) func(*rpc.Server) {
		return func(s *rpc.Server) {
			rpc.Subscribe(s, "call.saved", "extract", func(context.Context, echoParams) error {
				handled <- instance
				if fail {
					return errors.New("database unavailable")
				}
				return nil
			})
		}
	}
	cfgA := rpctest.ServerConfig(env, "extract", "a")
	cfgA.RetryMaxDelay = time.Minute
	srvA, err := rpc.NewServer(env.Client, cfgA, rpctest.Logger(t), nil)
	require.NoError(t, err)
	subscribe("a", true)(srvA)
	stopA := rpctest.Run(t, srvA)
	rpctest.WaitLive(t, env, cfgA.Namespace, "extract", "a")

	c := rpctest.NewClient(t, env, "publisher", nil)
	require.NoError(t, c.Publish(t.Context(), "call.saved", echoParams{N: 1}))
	// a fails the event four times; it would now hold it for 4 s (0.5 s, 1 s, 2 s, 4 s), far
	// longer than the ClaimMinIdle (0.5 s) after which another instance may claim it.
	for range 4 {
		require.Equal(t, "a", <-handled)
	}
	require.NoError(t, stopA())
	stopped := time.Now()

	rpctest.StartServer(t, env, rpctest.ServerConfig(env, "extract", "b"), nil, subscribe("b", false))
	select {
	case who := <-handled:
		assert.Equal(t, "b", who)
		assert.Less(t, time.Since(stopped), 3*time.Second, "claimed ClaimMinIdle after a stopped renewing, not after the pause")
	case <-time.After(30 * time.Second):
		t.Fatal("the held event was not delivered to the other instance")
	}
}

func TestNoRespondersFailsFast(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	c := rpctest.NewClient(t, env, "caller", nil)
	start := time.Now()
	err := c.Call(t.Context(), "ghost", "anything", nil, nil)
	require.ErrorIs(t, err, rpc.ErrNoResponders)
	// Fast means without waiting for a reply: well inside the client's 10 s default deadline.
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestRetriesRetryableErrorsWithTheSameID(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	p := rpctest.New(t, "flaky", func(s *rpc.Server) {
		rpc.Register(s, "try", func(_ context.Context, p echoParams) (int32, error) {
			n := attempts.Add(1)
			if p.Text == "always" || n < 3 {
				return 0, rpc.ErrRateLimited
			}
			return n, nil
		}, rpc.NonIdempotent())
	})
	var n int32
	require.NoError(t, p.Client.Call(t.Context(), "flaky", "try", echoParams{}, &n, rpc.WithRetries(5)))
	assert.EqualValues(t, 3, n)
	err := p.Client.Call(t.Context(), "flaky", "try", echoParams{Text: "always"}, nil)
	assert.ErrorIs(t, err, rpc.ErrRateLimited, "no retries unless asked")
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	err = p.Client.Call(ctx, "flaky", "try", echoParams{Text: "always"}, nil, rpc.WithRetries(1000))
	assert.Error(t, err, "retries stop inside the deadline")
}

func TestBuiltins(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "builtin", registerEcho)
	var pong string
	require.NoError(t, p.Client.Call(t.Context(), "builtin", rpc.MethodPing, nil, &pong))
	assert.Equal(t, "pong", pong)
	require.NoError(t, p.Client.Call(t.Context(), "builtin", "echo", echoParams{Text: "x"}, nil))
	var info rpc.Info
	require.NoError(t, p.Client.Call(t.Context(), "builtin", rpc.MethodInfo, nil, &info))
	assert.Equal(t, "builtin", info.Name)
	assert.Equal(t, "builtin-0", info.Instance)
	assert.EqualValues(t, 1, info.Methods["echo"].Requests)
	assert.Greater(t, info.Uptime, 0.0)
	var doc map[string]any
	require.NoError(t, p.Client.Call(t.Context(), "builtin", rpc.MethodDiscover, nil, &doc))
	assert.Equal(t, rpc.OpenRPCVersion, doc["openrpc"])
	methods := doc["methods"].([]any)
	var echoDoc map[string]any
	for _, m := range methods {
		if m.(map[string]any)["name"] == "echo" {
			echoDoc = m.(map[string]any)
		}
	}
	require.NotNil(t, echoDoc)
	params := echoDoc["params"].([]any)
	assert.Equal(t, "text", params[0].(map[string]any)["name"])
	assert.Equal(t, true, params[0].(map[string]any)["required"])
	assert.Equal(t, "string", params[0].(map[string]any)["schema"].(map[string]any)["type"])
}

func TestJanitorRemovesIdleEmptyConsumers(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	ctx := t.Context()
	ns := rpctest.Namespace(env)
	stream := rpc.RequestStream(ns, "tidy", rpc.LaneNormal)
	require.NoError(t, env.Client.XGroupCreateMkStream(ctx, stream, "tidy", "0").Err())
	require.NoError(t, env.Client.XGroupCreateConsumer(ctx, stream, "tidy", "old-pod").Err())
	require.NoError(t, env.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"v", "1", "body", []byte{0xc1}}}).Err())
	// busy-pod holds the entry; it must never be deleted while it owns pending entries.
	require.NoError(t, env.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "tidy", Consumer: "busy-pod", Streams: []string{stream, ">"}, Count: 1, Block: -1}).Err())
	cfg := rpctest.ServerConfig(env, "tidy", "tidy-0")
	cfg.JanitorInterval, cfg.ConsumerIdle, cfg.ClaimMinIdle = 50*time.Millisecond, 10*time.Millisecond, time.Hour
	rpctest.StartServer(t, env, cfg, nil, nil)
	names := func() map[string]bool {
		out := map[string]bool{}
		cs, _ := env.Client.XInfoConsumers(ctx, stream, "tidy").Result()
		for _, c := range cs {
			out[c.Name] = true
		}
		return out
	}
	testenv.Eventually(t, 30*time.Second, func() bool { return !names()["old-pod"] }, "idle empty consumer not removed")
	assert.True(t, names()["busy-pod"], "a consumer with pending entries must stay")
	assert.True(t, names()["tidy-0"])
}

func TestMetricsAreExported(t *testing.T) {
	t.Parallel()
	p := rpctest.New(t, "metrics", registerEcho)
	require.NoError(t, p.Client.Call(t.Context(), "metrics", "echo", echoParams{Text: "x"}, nil))
	testenv.Eventually(t, 30*time.Second, func() bool {
		return metricSum(t, p.Registry, "askpro_rpc_stream_pending") == 0 && hasMetric(t, p.Registry, "askpro_rpc_stream_lag") &&
			hasMetric(t, p.Registry, "askpro_rpc_dlq_size")
	})
	for _, name := range []string{
		"askpro_rpc_server_requests_total", "askpro_rpc_client_requests_total", "askpro_rpc_server_in_flight",
		"askpro_rpc_client_round_trip_seconds", "askpro_rpc_server_handling_seconds", "askpro_rpc_queue_wait_seconds",
		"askpro_rpc_dlq_size",
	} {
		assert.True(t, hasMetric(t, p.Registry, name), name)
	}
	assert.EqualValues(t, 1, metricSum(t, p.Registry, "askpro_rpc_client_requests_total"))
}

// A request stream that vanishes under a running server (a flush, a restart without
// persistence) is recreated by the reader that finds its group gone, and calls are served
// again; nothing else (claims are off here) puts the group back.
func TestReaderRecreatesAVanishedGroup(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	cfg := rpctest.ServerConfig(env, "vanish", "vanish-0")
	cfg.ClaimInterval = time.Hour
	rpctest.StartServer(t, env, cfg, nil, registerEcho)
	client := rpctest.NewClient(t, env, "client-vanish", nil)
	var res echoResult
	require.NoError(t, client.Call(t.Context(), "vanish", "echo", echoParams{Text: "before"}, &res))

	for _, lane := range rpc.Lanes {
		require.NoError(t, env.Client.Del(t.Context(), rpc.RequestStream(rpctest.Namespace(env), "vanish", lane)).Err())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// A request sent before the group is back creates the stream without a group and is not
	// read by it; the call is retried until the reader has put the group back.
	for {
		callCtx, cancelCall := context.WithTimeout(ctx, 300*time.Millisecond)
		err := client.Call(callCtx, "vanish", "echo", echoParams{Text: "after"}, &res)
		cancelCall()
		if err == nil {
			break
		}
		require.NoError(t, ctx.Err(), "the group was not recreated: %v", err)
	}
	require.Equal(t, "after", res.Text)
}

// A notification has no caller to send it again. One whose handler fails with a retryable
// code stays pending and is delivered again after ClaimMinIdle until it succeeds; one that
// fails otherwise is acknowledged at once and not run again.
func TestFailedNotificationIsRetriedOnlyWhenRetryable(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	runs := map[string]int{}
	p := rpctest.New(t, "jobs", func(s *rpc.Server) {
		rpc.Register(s, "job", func(_ context.Context, p echoParams) (struct{}, error) {
			mu.Lock()
			runs[p.Text]++
			n := runs[p.Text]
			mu.Unlock()
			switch {
			case p.Text == "flaky" && n <= 2:
				return struct{}{}, rpc.Errorf(rpc.CodeUpstreamUnavailable, "database down")
			case p.Text == "invalid":
				return struct{}{}, rpc.Errorf(rpc.CodeValidation, "no such call")
			}
			return struct{}{}, nil
		})
	})
	count := func(text string) int {
		mu.Lock()
		defer mu.Unlock()
		return runs[text]
	}
	require.NoError(t, p.Client.Notify(t.Context(), "jobs", "job", echoParams{Text: "flaky"}))
	require.NoError(t, p.Client.Notify(t.Context(), "jobs", "job", echoParams{Text: "invalid"}))
	testenv.Eventually(t, 30*time.Second, func() bool { return count("flaky") == 3 },
		"the retryable failure was not delivered again until it succeeded")
	stream := rpc.RequestStream(rpctest.Namespace(p.Env), "jobs", rpc.LaneNormal)
	// Once the group has read every entry and none is pending, nothing can deliver either of
	// them again: a claim takes only pending entries.
	testenv.Eventually(t, 30*time.Second, func() bool {
		return count("invalid") == 1 && pendingCount(p.Env.Client, stream, "jobs") == 0 && groupLag(p.Env.Client, stream, "jobs") == 0
	}, "the entries were not all read and acknowledged")
	require.Equal(t, 1, count("invalid"), "a non-retryable failure is not run again")
	require.Equal(t, 3, count("flaky"))
}
