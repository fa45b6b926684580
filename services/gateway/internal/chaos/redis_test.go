package chaos

import (
	"context"
	"math/rand/v2"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/loadsim"
)

// privateRedis runs a redis-server of its own (AOF on, everysec, as in production) on a free
// port, so restarting it touches no other test.
type privateRedis struct {
	bin, dir, port string
	proc           *stack.Process
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed: the Redis restart test needs a private server")
	}
	addr, err := stack.FreeAddr()
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(addr)
	r := &privateRedis{bin: bin, dir: t.TempDir(), port: port}
	r.start(t)
	t.Cleanup(func() { _ = r.proc.Stop(10 * time.Second) })
	return r
}

func (r *privateRedis) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

func (r *privateRedis) start(t *testing.T) {
	t.Helper()
	p, err := stack.StartProcess("redis-"+r.port, r.bin, []string{"--port", r.port, "--bind", "127.0.0.1",
		"--dir", r.dir, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--maxclients", "10000"}, nil, r.dir)
	require.NoError(t, err)
	r.proc = p
	opts, err := redis.ParseURL(r.url())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	defer c.Close()
	testenv.Eventually(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err() == nil
	}, "private Redis answers PING")
}

// Redis is restarted (SIGTERM, 2 s down, then started again on its AOF) in the middle of the load. The
// services reconnect by themselves; webhooks refused meanwhile are retried as Retell does; the
// work completes: every call stored once, no double booking, no orphan, and a call placed after
// the restart goes through cleanly.
func TestRedisRestartMidRun(t *testing.T) {
	needChaos(t)
	rs := startPrivateRedis(t)
	const ns = "chaos"
	sys := system(t, loadsim.Options{RedisURL: rs.url(), DatabaseURL: testenv.PostgresURL(t), Namespace: ns, LiftCalcomRateLimit: true})

	r := loadsim.NewRunner(loadsim.Config{GatewayURL: sys.GatewayURL, Tenant: sys.Tenant, Concurrency: 30,
		Duration: 20 * time.Second, Think: 400 * time.Millisecond, RampUp: time.Second, RunID: loadsim.RandomID(3),
		WebhookAttempts: 20, Now: sys.Now})
	done := runAsync(t.Context(), r)
	after(t.Context(), 7*time.Second)
	t0 := time.Now()
	require.NoError(t, rs.proc.Stop(10*time.Second))
	after(t.Context(), 2*time.Second) // down long enough that every client sees it
	rs.start(t)
	t.Logf("Redis down and back on its AOF after %s", time.Since(t0).Round(time.Millisecond))
	<-done
	waitReady(t, sys, 30*time.Second)
	answeredInTime(t, r)

	// A call after the restart goes through without a single failed request.
	probe := runner(sys, 1, 0)
	probe.OneCall(t.Context(), rand.New(rand.NewPCG(1, 2)), "call_probe_"+loadsim.RandomID(4))
	require.Zero(t, probe.Stats.Errors(), "a call after the restart: %v", probe.Stats.Problems())

	c := checker(t, sys, rs.url(), ns)
	settleAndCheck(t, c, r, 60*time.Second)
	settleAndCheck(t, c, probe, 30*time.Second)
	t.Logf("load: %d calls across the restart; failed requests (retried or apologised): %v", len(r.CallIDs()), r.Stats.Problems())
}
