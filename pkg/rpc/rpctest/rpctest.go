// Package rpctest starts pkg/rpc servers and clients on a test's own Redis key prefix, with
// timings short enough for tests, and stops them when the test ends.
package rpctest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

// Pair is a running server and a client sharing one test's Redis prefix.
type Pair struct {
	Env      *testenv.RedisEnv
	Server   *rpc.Server
	Client   *rpc.Client
	Service  string
	Registry *prometheus.Registry
}

// Logger returns a logger that writes warnings and errors to t's log.
func Logger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel).With().Timestamp().Logger()
}

// ServerConfig returns a config for service on env's prefix with test timings: 100 ms
// blocking reads, claims after 500 ms idle, failed events delivered again after 0.5 s, then
// 1 s, then every second.
func ServerConfig(env *testenv.RedisEnv, service, instance string) rpc.ServerConfig {
	return rpc.ServerConfig{
		Service: service, Instance: instance, Namespace: Namespace(env),
		Workers: 16, Block: 100 * time.Millisecond, ClaimMinIdle: 500 * time.Millisecond,
		ClaimInterval: 100 * time.Millisecond, RetryMaxDelay: time.Second, DrainTimeout: 10 * time.Second,
		StatsInterval: time.Second,
	}
}

// Namespace is the rpc namespace inside env's prefix.
func Namespace(env *testenv.RedisEnv) string { return env.Prefix + "askpro" }

// StartServer creates a server with cfg, lets setup register its methods and runs it until
// the test ends; it returns once the server is live. reg may be nil.
func StartServer(t testing.TB, env *testenv.RedisEnv, cfg rpc.ServerConfig, reg prometheus.Registerer, setup func(*rpc.Server)) *rpc.Server {
	t.Helper()
	srv, err := rpc.NewServer(env.Client, cfg, Logger(t), reg)
	if err != nil {
		t.Fatalf("rpctest: new server: %v", err)
	}
	if setup != nil {
		setup(srv)
	}
	stop := Run(t, srv)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("rpctest: server run: %v", err)
		}
	})
	WaitLive(t, env, cfg.Namespace, cfg.Service, cfg.Instance)
	return srv
}

// Run runs srv in the background; the returned function stops it (graceful drain) and returns
// Run's error. It is safe to call more than once.
func Run(t testing.TB, srv *rpc.Server) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var result error
	stopped := false
	return func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		result = <-done
		if errors.Is(result, context.Canceled) {
			result = nil
		}
		return result
	}
}

// WaitLive waits until instance of service has announced itself.
func WaitLive(t testing.TB, env *testenv.RedisEnv, namespace, service, instance string) {
	t.Helper()
	key := namespace + ":rpc:" + service + ":instances"
	testenv.Eventually(t, 30*time.Second, func() bool {
		return env.Client.ZScore(context.Background(), key, instance).Err() == nil
	}, "server %s/%s not live", service, instance)
}

// NewClient returns a client on env's prefix, closed when the test ends. reg may be nil.
func NewClient(t testing.TB, env *testenv.RedisEnv, instance string, reg prometheus.Registerer) *rpc.Client {
	t.Helper()
	c, err := rpc.NewClient(env.Client, rpc.ClientConfig{Instance: instance, Namespace: Namespace(env), DefaultTimeout: 10 * time.Second}, Logger(t), reg)
	if err != nil {
		t.Fatalf("rpctest: new client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// New starts a server for service (methods registered by setup) and a client, on a fresh
// Redis prefix, both with metrics on one registry.
func New(t testing.TB, service string, setup func(*rpc.Server)) *Pair {
	t.Helper()
	env := testenv.Redis(t)
	reg := prometheus.NewRegistry()
	cfg := ServerConfig(env, service, service+"-0")
	p := &Pair{Env: env, Service: service, Registry: reg}
	p.Client = NewClient(t, env, "client-"+testenv.RandomSuffix(), reg)
	p.Server = StartServer(t, env, cfg, reg, setup)
	return p
}
