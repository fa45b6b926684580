// Command loadgen puts N concurrent simulated Retell calls on a whole AskProAI system and
// checks the invariants afterwards (`make load N=1000 DURATION=60s`).
//
// It builds the binaries, creates a fresh application database on the PostgreSQL server of
// DATABASE_URL and a fresh key namespace on REDIS_URL, seeds the demo tenant with askpro,
// starts calsim (no rate limit, no latency) and the six services with pkg/stack, runs the calls
// and prints p50/p95/p99 per endpoint, throughput and errors. Then it checks: no double bookings
// in PostgreSQL or calsim, no lost webhooks, no dead letters, no orphan bookings. It exits 1 on
// any violation or error answer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/services/gateway/internal/loadsim"
)

type options struct {
	n                          int
	duration, think, ramp      time.Duration
	settle                     time.Duration
	keep, strictRateLimit      bool
	samples                    bool
	logLevel                   string
	redisURL, adminDatabaseURL string
	serviceEnv                 map[string]map[string]string
}

// envFlag collects -env service:KEY=VALUE.
type envFlag map[string]map[string]string

func (e envFlag) String() string { return fmt.Sprint(map[string]map[string]string(e)) }

func (e envFlag) Set(v string) error {
	service, kv, ok1 := strings.Cut(v, ":")
	k, val, ok2 := strings.Cut(kv, "=")
	if !ok1 || !ok2 || service == "" || k == "" {
		return fmt.Errorf("want service:KEY=VALUE, got %q", v)
	}
	if e[service] == nil {
		e[service] = map[string]string{}
	}
	e[service][k] = val
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var o options
	flag.IntVar(&o.n, "n", 200, "concurrent calls")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long new calls start")
	flag.DurationVar(&o.think, "think", 8*time.Second, "mean pause between two steps of a call (drawn from 0.5x to 1.5x: a caller and the agent talking)")
	flag.DurationVar(&o.ramp, "ramp", 0, "spread the first calls over this long (default: a quarter of -duration, at most 10s)")
	flag.DurationVar(&o.settle, "settle", 90*time.Second, "how long to wait for the system to finish the work after the load")
	flag.BoolVar(&o.keep, "keep", false, "keep the database, the Redis keys and the logs")
	flag.BoolVar(&o.strictRateLimit, "calcom-rate-limit", false, "keep the calcom service's own 110/min Cal.com rate limit")
	flag.BoolVar(&o.samples, "samples", false, "print one sample answer per endpoint and outcome")
	flag.StringVar(&o.logLevel, "log-level", "warn", "the services' LOG_LEVEL")
	env := envFlag{}
	flag.Var(env, "env", "extra environment of one service, service:KEY=VALUE (repeatable), e.g. booking:RPC_WORKERS=256")
	flag.Parse()
	o.serviceEnv = env
	e, err := loadEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	o.redisURL, o.adminDatabaseURL = e.RedisURL, e.AdminDatabaseURL
	if o.ramp == 0 {
		o.ramp = min(o.duration/4, 10*time.Second)
	}
	code, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(ctx context.Context, o options) (int, error) {
	if o.redisURL == "" || o.adminDatabaseURL == "" {
		return 0, errors.New("REDIS_URL and DATABASE_URL must be set (make services-up; . .dev/env)")
	}
	root, err := stack.Root()
	if err != nil {
		return 0, fmt.Errorf("find the repository: %w", err)
	}
	work, err := os.MkdirTemp("", "askpro-load-")
	if err != nil {
		return 0, fmt.Errorf("work dir: %w", err)
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	fmt.Printf("loadgen: building binaries into %s\n", work)
	bin, err := stack.Build(ctx, root, filepath.Join(work, "bin"), loadsim.AllBinaries...)
	if err != nil {
		return 0, err
	}
	runID := loadsim.RandomID(3)
	dbName := loadsim.DatabaseName("askpro_load")
	dbURL, drop, err := loadsim.CreateDatabase(ctx, o.adminDatabaseURL, dbName)
	if err != nil {
		return 0, err
	}
	if !o.keep {
		defer drop()
	}
	ropts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return 0, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()
	ns := "load:" + runID
	if !o.keep {
		defer cleanRedis(rdb, ns)
	}
	fmt.Printf("loadgen: starting the system (namespace %s, logs in %s)\n", ns, work)
	sys, err := loadsim.Start(ctx, loadsim.Options{Bin: bin, RedisURL: o.redisURL, DatabaseURL: dbURL, Namespace: ns,
		WorkDir: work, LiftCalcomRateLimit: !o.strictRateLimit, LogLevel: o.logLevel, ServiceEnv: o.serviceEnv})
	defer func() {
		if err := sys.Close(); err != nil {
			fmt.Println("loadgen: stop:", err)
		}
	}()
	if err != nil {
		if sys.System != nil {
			fmt.Println(sys.Logs(20))
		}
		return 0, err
	}
	fmt.Printf("loadgen: demo tenant seeded (%d branches); %d concurrent calls for %s, think %s, ramp-up %s\n",
		len(sys.Tenant.Branches), o.n, o.duration, o.think, o.ramp)
	r := loadsim.NewRunner(loadsim.Config{GatewayURL: sys.GatewayURL, Tenant: sys.Tenant, Concurrency: o.n,
		Duration: o.duration, Think: o.think, RampUp: o.ramp, RunID: runID})
	binDir := filepath.Join(work, "bin")
	cpu0, t0 := loadsim.CPU(binDir, dbName), time.Now()
	r.Run(ctx)
	cpu1, wall := loadsim.CPU(binDir, dbName), time.Since(t0)
	fmt.Printf("\n== load: N=%d DURATION=%s, %d calls, peak %d calls in progress\n", o.n, o.duration, len(r.CallIDs()), r.Peak())
	r.Stats.Print(os.Stdout)
	if o.samples {
		r.Stats.PrintSamples(os.Stdout)
	}
	fmt.Println("\n== where the time went")
	loadsim.PrintCPU(os.Stdout, cpu0, cpu1, wall)
	loadsim.PrintRPC(ctx, os.Stdout, sys.Ops, 12)
	return check(ctx, o, sys, rdb, ns, r)
}

func check(ctx context.Context, o options, sys *loadsim.Started, rdb *redis.Client, ns string, r *loadsim.Runner) (int, error) {
	c := &loadsim.Checker{DB: sys.DB, Redis: rdb, Namespace: ns, CalsimURL: sys.CalsimURL}
	t0 := time.Now()
	settled := c.Settle(ctx, r.CallIDs(), o.settle)
	fmt.Printf("\n== checks (settled=%v after %s)\n", settled, time.Since(t0).Round(time.Millisecond))
	v, err := c.All(ctx, r.CallIDs(), true)
	if err != nil {
		return 0, err
	}
	v = append(v, lostBookings(ctx, sys, r)...)
	for _, name := range []string{"double booking (PostgreSQL)", "double booking (calsim)", "lost webhook", "dead letters", "orphan", "lost booking"} {
		n := 0
		for _, x := range v {
			if len(x.Check) >= len(name) && x.Check[:len(name)] == name {
				n++
			}
		}
		fmt.Printf("%-28s %d\n", name+":", n)
	}
	for _, x := range v {
		fmt.Println("VIOLATION", x)
	}
	errs := r.Stats.Errors()
	fmt.Printf("request errors: %d\n", errs)
	if len(v) > 0 || errs > 0 {
		fmt.Println("RESULT: FAIL")
		return 1, nil
	}
	fmt.Println("RESULT: PASS")
	return 0, nil
}

// lostBookings: every appointment a caller was told is booked (and did not cancel) is active.
func lostBookings(ctx context.Context, sys *loadsim.Started, r *loadsim.Runner) []loadsim.Violation {
	booked := r.Booked()
	ids := make([]string, 0, len(booked))
	for id := range booked {
		ids = append(ids, id)
	}
	var n int
	err := sys.DB.QueryRow(ctx, `SELECT count(*) FROM appointments WHERE id::text = ANY($1) AND status IN ('scheduled','confirmed')`, ids).Scan(&n)
	if err != nil {
		return []loadsim.Violation{{Check: "lost booking", Detail: err.Error()}}
	}
	if n != len(ids) {
		return []loadsim.Violation{{Check: "lost booking", Detail: fmt.Sprintf("%d of %d confirmed bookings are not active appointments", len(ids)-n, len(ids))}}
	}
	fmt.Printf("confirmed bookings held:     %d\n", n)
	return nil
}

func cleanRedis(rdb *redis.Client, ns string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, ns+":*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 500 {
			rdb.Unlink(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Unlink(ctx, keys...)
	}
}
