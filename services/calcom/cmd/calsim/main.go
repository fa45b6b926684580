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

	"github.com/askproai/backend/pkg/clock"
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
	addr, seed string
	spec       calsim.SeedSpec
	cfg        calsim.Config
}

func parse(args []string, lookup func(string) (string, bool)) (options, error) {
	fs := flag.NewFlagSet("calsim", flag.ContinueOnError)
	e := &envReader{lookup: lookup}
	env := e.get
	var o options
	f := &o.cfg.Faults
	fs.StringVar(&o.addr, "addr", env("CALSIM_ADDR", ":9180"), "listen address (CALSIM_ADDR)")
	fs.StringVar(&o.seed, "seed", env("CALSIM_SEED", ""), "seed JSON file; empty seeds from the flags below (CALSIM_SEED)")
	fs.StringVar(&o.spec.APIKeys, "api-key", env("CALSIM_API_KEY", "cal_test_calsim"), "API keys of the flag seed, comma-separated (CALSIM_API_KEY)")
	fs.StringVar(&o.spec.Username, "username", env("CALSIM_USERNAME", "praxis-berlin"), "username of the flag seed (CALSIM_USERNAME)")
	fs.StringVar(&o.spec.TimeZone, "time-zone", env("CALSIM_TIME_ZONE", "Europe/Berlin"), "time zone of the flag seed's schedule (CALSIM_TIME_ZONE)")
	fs.StringVar(&o.spec.Hours, "hours", env("CALSIM_HOURS", "Mon-Fri=09:00-17:00"), "weekly hours, e.g. Mon-Fri=09:00-17:00;Sat=10:00-14:00 (CALSIM_HOURS)")
	fs.StringVar(&o.spec.EventTypes, "event-types", env("CALSIM_EVENT_TYPES", "100:beratung:30,101:behandlung:60:email"), "id:slug:minutes[:email],… (CALSIM_EVENT_TYPES)")
	fs.IntVar(&o.cfg.RateLimit, "rate-limit", e.int("CALSIM_RATE_LIMIT", calsim.DefaultRateLimit), "requests per key per minute, negative disables (CALSIM_RATE_LIMIT)")
	fs.DurationVar(&f.Latency, "latency", e.duration("CALSIM_LATENCY"), "added latency per request (CALSIM_LATENCY)")
	fs.Float64Var(&f.ErrorRate, "error-rate", e.float("CALSIM_ERROR_RATE"), "share of requests answered 500 (CALSIM_ERROR_RATE)")
	fs.Float64Var(&f.RateLimitRate, "ratelimit-rate", e.float("CALSIM_RATELIMIT_RATE"), "share answered 429 (CALSIM_RATELIMIT_RATE)")
	fs.Float64Var(&f.TimeoutRate, "timeout-rate", e.float("CALSIM_TIMEOUT_RATE"), "share that hang until the client gives up (CALSIM_TIMEOUT_RATE)")
	fs.Float64Var(&f.DropRate, "drop-rate", e.float("CALSIM_DROP_RATE"), "share whose connection is closed (CALSIM_DROP_RATE)")
	fs.Int64Var(&f.RandSeed, "rand-seed", int64(e.int("CALSIM_RAND_SEED", 1)), "seed of the fault dice (CALSIM_RAND_SEED)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, e.err
}

// envReader reads the defaults of the flags from the environment, collecting every error.
type envReader struct {
	lookup func(string) (string, bool)
	err    error
}

func (e *envReader) get(name, def string) string {
	if v, ok := e.lookup(name); ok {
		return v
	}
	return def
}

func (e *envReader) fail(name string, err error) {
	e.err = errors.Join(e.err, fmt.Errorf("%s: %w", name, err))
}

func (e *envReader) int(name string, def int) int {
	n, err := strconv.Atoi(e.get(name, strconv.Itoa(def)))
	if err != nil {
		e.fail(name, err)
	}
	return n
}

func (e *envReader) float(name string) float64 {
	n, err := strconv.ParseFloat(e.get(name, "0"), 64)
	if err != nil {
		e.fail(name, err)
	}
	return n
}

func (e *envReader) duration(name string) time.Duration {
	d, err := time.ParseDuration(e.get(name, "0s"))
	if err != nil {
		e.fail(name, err)
	}
	return d
}

func run(ctx context.Context, args []string, lookup func(string) (string, bool)) error {
	o, err := parse(args, lookup)
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if o.seed != "" {
		o.cfg.Seed, err = calsim.LoadSeed(o.seed)
	} else {
		o.cfg.Seed, err = o.spec.Seed()
	}
	if err != nil {
		return err
	}
	o.cfg.Now = clock.Now // real time, except in a test-clock build (pkg/clock)
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
