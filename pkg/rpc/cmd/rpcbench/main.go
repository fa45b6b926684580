// Command rpcbench compares pkg/rpc call round trips with raw go-redis PING round trips on the
// same Redis, at concurrency 1 and 64, and prints one summary line for `make bench-rpc`.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/rpc"
)

const service = "bench"

func main() {
	if err := run(context.Background(), readConfig()); err != nil {
		fmt.Fprintln(os.Stderr, "rpcbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	opts, err := redis.ParseURL(cfg.redisURL)
	if err != nil {
		return fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opts.PoolSize = 128
	rdb := redis.NewClient(opts)
	defer func() { _ = rdb.Close() }()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	ns := fmt.Sprintf("bench%d", time.Now().UnixNano())
	defer cleanup(rdb, ns)

	call, stop, err := startRPC(ctx, rdb, ns, cfg)
	if err != nil {
		return err
	}
	defer stop()
	ping := func(ctx context.Context) error { return rdb.Ping(ctx).Err() }

	// Warm up both paths (connections, pools, JIT-free but cache-warm).
	_, _ = latencies(ctx, ping, 2000)
	_, _ = latencies(ctx, call, 2000)

	// The box is shared: alternate the two paths in short rounds and take medians, so a burst
	// of outside load hits both alike.
	pingLat, rpcLat, err := alternateLatency(ctx, ping, call, cfg.c1Calls)
	if err != nil {
		return err
	}
	pingP50, rpcP50 := report("ping", pingLat), report("rpc", rpcLat)
	pingRate, rpcRate, err := alternateThroughput(ctx, ping, call, 64, cfg.duration, cfg.rounds)
	if err != nil {
		return err
	}
	if err := profileRPC(ctx, cfg, call); err != nil {
		return err
	}
	us := func(d time.Duration) int64 { return (d + 500*time.Nanosecond).Microseconds() }
	fmt.Printf("rpc c1 p50 / ping c1 p50 = %.1f\n", float64(rpcP50)/float64(pingP50))
	fmt.Printf("rpc-bench: c1_p50_us=%d c1_ping_p50_us=%d c64_rpc_per_s=%d c64_ping_per_s=%d ratio_c64=%.2f\n",
		us(rpcP50), us(pingP50), int64(rpcRate), int64(pingRate), rpcRate/pingRate)
	return nil
}

type incParams struct {
	N int `json:"n"`
}

type op func(ctx context.Context) error

func startRPC(ctx context.Context, rdb *redis.Client, ns string, cfg config) (op, func(), error) {
	log := zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	srv, err := rpc.NewServer(rdb, rpc.ServerConfig{Service: service, Instance: "bench-server", Namespace: ns, Workers: cfg.workers, Readers: cfg.readers}, log, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("new server: %w", err)
	}
	rpc.Register(srv, "inc", func(_ context.Context, p incParams) (int, error) { return p.N + 1, nil })
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	client, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "bench-client", Namespace: ns}, log, nil)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("new client: %w", err)
	}
	call := func(ctx context.Context) error {
		var out int
		if err := client.Call(ctx, service, "inc", incParams{N: 41}, &out); err != nil {
			return err
		}
		if out != 42 {
			return fmt.Errorf("inc: got %d", out)
		}
		return nil
	}
	// Wait until the server answers.
	deadline := time.Now().Add(10 * time.Second)
	for err := call(ctx); err != nil; err = call(ctx) {
		if time.Now().After(deadline) {
			cancel()
			return nil, nil, fmt.Errorf("server did not come up: %w", err)
		}
	}
	stop := func() {
		_ = client.Close()
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "rpcbench: server:", err)
		}
	}
	return call, stop, nil
}

func latencies(ctx context.Context, f op, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := f(ctx); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// alternateLatency runs n lone round trips of each path, in ten alternating blocks.
func alternateLatency(ctx context.Context, ping, call op, n int) (pingLat, rpcLat []time.Duration, err error) {
	const blocks = 10
	for range blocks {
		p, err := latencies(ctx, ping, n/blocks)
		if err != nil {
			return nil, nil, fmt.Errorf("ping c1: %w", err)
		}
		r, err := latencies(ctx, call, n/blocks)
		if err != nil {
			return nil, nil, fmt.Errorf("rpc c1: %w", err)
		}
		pingLat, rpcLat = append(pingLat, p...), append(rpcLat, r...)
	}
	return pingLat, rpcLat, nil
}

func report(name string, lat []time.Duration) time.Duration {
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	fmt.Printf("%-4s c1:  p50=%s p90=%s p99=%s (%d round trips)\n", name, p(.5), p(.9), p(.99), len(lat))
	return p(.5)
}

// alternateThroughput runs rounds of d/rounds for each path in turn and returns the median
// rates.
func alternateThroughput(ctx context.Context, ping, call op, conc int, d time.Duration, rounds int) (pingRate, rpcRate float64, err error) {
	var pr, rr []float64
	for range rounds {
		p, err := throughput(ctx, ping, conc, d/time.Duration(rounds))
		if err != nil {
			return 0, 0, fmt.Errorf("ping c%d: %w", conc, err)
		}
		r, err := throughput(ctx, call, conc, d/time.Duration(rounds))
		if err != nil {
			return 0, 0, fmt.Errorf("rpc c%d: %w", conc, err)
		}
		pr, rr = append(pr, p), append(rr, r)
	}
	slices.Sort(pr)
	slices.Sort(rr)
	pingRate, rpcRate = pr[len(pr)/2], rr[len(rr)/2]
	fmt.Printf("ping c%d: %.0f round trips/s (median of %d rounds, range %.0f-%.0f)\n", conc, pingRate, rounds, pr[0], pr[len(pr)-1])
	fmt.Printf("rpc  c%d: %.0f round trips/s (median of %d rounds, range %.0f-%.0f)\n", conc, rpcRate, rounds, rr[0], rr[len(rr)-1])
	return pingRate, rpcRate, nil
}

func throughput(ctx context.Context, f op, conc int, d time.Duration) (float64, error) {
	var n atomic.Int64
	var firstErr atomic.Value
	stopAt := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stopAt) {
				if err := f(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// profileRPC writes CPU and allocation profiles of one more concurrency-64 RPC run, alone,
// after the measured ones (the measured rounds alternate with PING, which would blur it).
func profileRPC(ctx context.Context, cfg config, call op) error {
	if cfg.profile == "" {
		return nil
	}
	f, err := os.Create(cfg.profile)
	if err != nil {
		return fmt.Errorf("create profile: %w", err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("start profile: %w", err)
	}
	rate, err := throughput(ctx, call, 64, cfg.duration/2)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	fmt.Printf("rpc  c64 (profiled): %.0f round trips/s\n", rate)
	mf, err := os.Create(cfg.profile + ".mem")
	if err != nil {
		return fmt.Errorf("create profile: %w", err)
	}
	defer mf.Close()
	return pprof.Lookup("allocs").WriteTo(mf, 0)
}

func cleanup(rdb *redis.Client, ns string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, ns+":*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Unlink(ctx, iter.Val())
	}
}
