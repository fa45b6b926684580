// Command calsim serves a simulated Cal.com API v2 (see internal/calsim) for local runs and
// tests. Every flag can also be set through the environment variable named in its help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/askproai/backend/services/calcom/internal/calsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, "calsim:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, seed, apiKey string
	cfg                calsim.Config
}

func parse(args []string, lookup func(string) (string, bool)) (options, error) {
	fs := flag.NewFlagSet("calsim", flag.ContinueOnError)
	env := func(name, def string) string {
		if v, ok := lookup(name); ok {
			return v
		}
		return def
	}
	var o options
	f := &o.cfg.Faults
	fs.StringVar(&o.addr, "addr", env("CALSIM_ADDR", ":9180"), "listen address (CALSIM_ADDR)")
	fs.StringVar(&o.seed, "seed", env("CALSIM_SEED", ""), "seed JSON file; empty uses the built-in seed (CALSIM_SEED)")
	fs.StringVar(&o.apiKey, "api-key", env("CALSIM_API_KEY", "cal_test_calsim"), "API key of the built-in seed (CALSIM_API_KEY)")
	fs.IntVar(&o.cfg.RateLimit, "rate-limit", envInt(env, "CALSIM_RATE_LIMIT", calsim.DefaultRateLimit), "requests per key per minute, negative disables (CALSIM_RATE_LIMIT)")
	fs.DurationVar(&f.Latency, "latency", envDuration(env, "CALSIM_LATENCY"), "added latency per request (CALSIM_LATENCY)")
	fs.Float64Var(&f.ErrorRate, "error-rate", envFloat(env, "CALSIM_ERROR_RATE"), "share of requests answered 500 (CALSIM_ERROR_RATE)")
	fs.Float64Var(&f.RateLimitRate, "ratelimit-rate", envFloat(env, "CALSIM_RATELIMIT_RATE"), "share answered 429 (CALSIM_RATELIMIT_RATE)")
	fs.Float64Var(&f.TimeoutRate, "timeout-rate", envFloat(env, "CALSIM_TIMEOUT_RATE"), "share that hang until the client gives up (CALSIM_TIMEOUT_RATE)")
	fs.Float64Var(&f.DropRate, "drop-rate", envFloat(env, "CALSIM_DROP_RATE"), "share whose connection is closed (CALSIM_DROP_RATE)")
	fs.Int64Var(&f.RandSeed, "rand-seed", int64(envInt(env, "CALSIM_RAND_SEED", 1)), "seed of the fault dice (CALSIM_RAND_SEED)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, envErr
}

var envErr error

func envInt(env func(string, string) string, name string, def int) int {
	v := env(name, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil {
		envErr = errors.Join(envErr, fmt.Errorf("%s: %w", name, err))
	}
	return n
}

func envFloat(env func(string, string) string, name string) float64 {
	n, err := strconv.ParseFloat(env(name, "0"), 64)
	if err != nil {
		envErr = errors.Join(envErr, fmt.Errorf("%s: %w", name, err))
	}
	return n
}

func envDuration(env func(string, string) string, name string) time.Duration {
	d, err := time.ParseDuration(env(name, "0s"))
	if err != nil {
		envErr = errors.Join(envErr, fmt.Errorf("%s: %w", name, err))
	}
	return d
}

func run(ctx context.Context, args []string, lookup func(string) (string, bool)) error {
	o, err := parse(args, lookup)
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	o.cfg.Seed = calsim.DefaultSeed(o.apiKey)
	if o.seed != "" {
		if o.cfg.Seed, err = calsim.LoadSeed(o.seed); err != nil {
			return err
		}
	}
	sim, err := calsim.New(o.cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: o.addr, Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintln(os.Stderr, "calsim: listening on", o.addr)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sim.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
