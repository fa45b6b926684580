// Command authbench measures what a flood of bad API keys costs a valid tenant: the gateway and
// the database service run as their real binaries on the real Redis and a throw-away
// PostgreSQL database, one tenant is created, and its /rpc calls (database.branches.list, a
// bus round trip to PostgreSQL) are timed at baseline and then during a flood of made-up keys,
// each one new, sent open loop from many loopback source addresses (127.0.0.2 and up, so
// the per-address failure limit sees many clients, as it would from a botnet).
//
//	REDIS_URL=… DATABASE_URL=… go run ./cmd/authbench -flood 10000 -duration 10s
//
// It ends with one line:
//
//	auth-bench: baseline_p50_ms=<n> baseline_p99_ms=<n> flood_p50_ms=<n> flood_p99_ms=<n> p50_ratio=<n> flood_sent_per_s=<n>
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/services/gateway/internal/gateway"
	"github.com/askproai/backend/services/gateway/internal/loadsim"
)

const listCall = `{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{}}`

type options struct {
	flood, validRate, sources, workers int
	duration                           time.Duration
	redisURL, adminDatabaseURL         string
	gatewayEnv                         map[string]string
}

func main() {
	var o options
	flag.IntVar(&o.flood, "flood", 10_000, "bad keys a second during the flood")
	flag.IntVar(&o.validRate, "valid-rate", 100, "the valid tenant's calls a second")
	flag.IntVar(&o.sources, "sources", 250, "loopback source addresses of the flood (127.0.0.2 and up)")
	flag.IntVar(&o.workers, "workers", 512, "flood requests in flight at most; a send that finds none free is counted as dropped")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the baseline and of the flood")
	o.gatewayEnv = map[string]string{}
	flag.Func("gateway-env", "NAME=value added to the gateway's environment (repeatable), e.g. AUTH_FAILURES_BURST=5", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want NAME=value")
		}
		o.gatewayEnv[k] = val
		return nil
	})
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var ok1, ok2 bool
	o.redisURL, ok1 = os.LookupEnv("REDIS_URL")
	o.adminDatabaseURL, ok2 = os.LookupEnv("DATABASE_URL")
	if !ok1 || !ok2 || o.sources < 1 || o.sources > 250 {
		fmt.Fprintln(os.Stderr, "authbench: REDIS_URL and DATABASE_URL must be set (. .dev/env), and -sources within 1..250")
		os.Exit(2)
	}
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "authbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	root, err := stack.Root()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "authbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin, err := stack.Build(ctx, root, filepath.Join(work, "bin"), "gateway", "database")
	if err != nil {
		return err
	}
	dbURL, drop, err := loadsim.CreateDatabase(ctx, o.adminDatabaseURL, loadsim.DatabaseName("askpro_authbench"))
	if err != nil {
		return err
	}
	defer drop()
	key, err := createTenant(ctx, dbURL)
	if err != nil {
		return err
	}
	gw, gwOps, stopAll, err := start(ctx, o, bin, dbURL, work)
	defer stopAll()
	if err != nil {
		return err
	}
	url := "http://" + gw + "/rpc"
	valid := newClient("127.0.0.1")
	if d, err := call(ctx, valid, url, key); err != nil { // warm: the key is now cached
		return fmt.Errorf("first valid call (%s): %w", d, err)
	}

	fmt.Printf("valid tenant: %d calls/s of database.branches.list for %s, then again during a flood of %d bad keys/s from %d addresses\n",
		o.validRate, o.duration, o.flood, o.sources)
	base, baseErrs := measure(ctx, valid, url, key, o.validRate, o.duration)
	before := authCounters(ctx, gwOps)
	fctx, cancel := context.WithCancel(ctx)
	fl := startFlood(fctx, o, url)
	during, duringErrs := measure(ctx, valid, url, key, o.validRate, o.duration)
	cancel()
	fl.wait()
	after := authCounters(ctx, gwOps)

	bp50, bp99 := pct(base, .5), pct(base, .99)
	fp50, fp99 := pct(during, .5), pct(during, .99)
	sentPerS := float64(fl.sent.Load()) / fl.took.Seconds()
	fmt.Printf("baseline: %d calls, %d errors, p50 %.2f ms, p99 %.2f ms\n", len(base), baseErrs, bp50, bp99)
	fmt.Printf("flood:    %d calls, %d errors, p50 %.2f ms, p99 %.2f ms\n", len(during), duringErrs, fp50, fp99)
	fmt.Printf("flood sent %d bad keys in %s (%.0f/s; %d dropped for want of a free worker): %d answered 401, %d answered 429, %d other or failed\n",
		fl.sent.Load(), fl.took.Round(time.Millisecond), sentPerS, fl.dropped.Load(), fl.unauthorized.Load(), fl.limited.Load(), fl.other.Load())
	fmt.Printf("gateway counters during the flood: auth failures (401, each at most one key lookup) +%.0f, refused by the failure limiter (429, no lookup) +%.0f\n",
		after[0]-before[0], after[1]-before[1])
	ratio := fp50 / bp50
	fmt.Printf("auth-bench: baseline_p50_ms=%.2f baseline_p99_ms=%.2f flood_p50_ms=%.2f flood_p99_ms=%.2f p50_ratio=%.2f flood_sent_per_s=%.0f\n",
		bp50, bp99, fp50, fp99, ratio, sentPerS)
	if baseErrs+duringErrs > 0 {
		return fmt.Errorf("%d valid calls failed", baseErrs+duringErrs)
	}
	return nil
}

// createTenant inserts one active company and returns its API key.
func createTenant(ctx context.Context, dbURL string) (string, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	key := "ak_live_" + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(key))
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `WITH c AS (INSERT INTO companies (name) VALUES ('Bench Salon') RETURNING id)
INSERT INTO api_keys (company_id, name, digest, prefix) SELECT id, 'default', $1, $2 FROM c`,
		sum[:], gateway.KeyPrefix(key))
	if err != nil {
		return "", fmt.Errorf("create tenant: %w", err)
	}
	return key, nil
}

// start runs the database service and the gateway and returns the gateway's address and ops
// address, and a function that stops both.
func start(ctx context.Context, o options, bin map[string]string, dbURL, work string) (string, string, func(), error) {
	var procs []*stack.Process
	stopAll := func() {
		for _, p := range slices.Backward(procs) {
			_ = p.Stop(10 * time.Second)
		}
	}
	ns := "authbench" + loadsim.RandomID(3)
	pii, blind := loadsim.Keys()
	gw, err := stack.FreeAddr()
	if err != nil {
		return "", "", stopAll, err
	}
	var gwOps string
	for _, svc := range []string{"database", "gateway"} {
		ops, err := stack.FreeAddr()
		if err != nil {
			return "", "", stopAll, err
		}
		env := map[string]string{"REDIS_URL": o.redisURL, "RPC_NAMESPACE": ns, "POD_NAME": svc + "-0",
			"OPS_ADDR": ops, "LOG_LEVEL": "warn", "LOG_FORMAT": "json"}
		if svc == "database" {
			env["DATABASE_URL"], env["PII_KEYS"], env["BLIND_INDEX_KEY"] = dbURL, pii, blind
		} else {
			gwOps = ops
			env["GATEWAY_ADDR"], env["RETELL_API_KEY"] = gw, "authbench-retell-key"
			// The valid tenant's own budget must not be what the bench measures.
			env["RPC_RATE_LIMIT_PER_MINUTE"], env["RPC_RATE_LIMIT_BURST"] = "1000000", "10000"
			maps.Copy(env, o.gatewayEnv)
		}
		p, err := stack.StartProcess(svc+"-0", bin[svc], nil, env, work)
		if err != nil {
			return "", "", stopAll, err
		}
		procs = append(procs, p)
		if err := stack.WaitHTTP(ctx, p, "http://"+ops+"/ready", 60*time.Second); err != nil {
			return "", "", stopAll, err
		}
	}
	return gw, gwOps, stopAll, nil
}

// newClient sends from the loopback address src.
func newClient(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
}

// call posts listCall with key and returns the latency of a 200.
func call(ctx context.Context, c *http.Client, url, key string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(listCall))
	if err != nil {
		return 0, err
	}
	req.Header.Set(gateway.APIKeyHeader, key)
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, errors.New(resp.Status)
	}
	return time.Since(t0), nil
}

// measure sends rate valid calls a second, open loop, for duration.
func measure(ctx context.Context, c *http.Client, url, key string, rate int, duration time.Duration) ([]time.Duration, int) {
	interval := time.Second / time.Duration(rate)
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for i := range int(duration / interval) {
		if ctx.Err() != nil {
			break
		}
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			<-time.After(wait)
		}
		wg.Go(func() {
			d, err := call(ctx, c, url, key)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			lat = append(lat, d)
		})
	}
	wg.Wait()
	return lat, errs
}

type flood struct {
	sent, dropped, unauthorized, limited, other atomic.Int64
	took                                        time.Duration
	done                                        chan struct{}
}

func (f *flood) wait() { <-f.done }

// startFlood sends o.flood requests a second, each with a new made-up key, in ticks of 10 ms,
// round robin over o.sources source addresses, until ctx ends.
func startFlood(ctx context.Context, o options, url string) *flood {
	f := &flood{done: make(chan struct{})}
	clients := make([]*http.Client, o.sources)
	for i := range clients {
		clients[i] = newClient(fmt.Sprintf("127.0.0.%d", i+2))
	}
	jobs := make(chan int, o.workers)
	var wg sync.WaitGroup
	for range o.workers {
		wg.Go(func() {
			for n := range jobs {
				f.send(ctx, clients[n%len(clients)], url, n)
			}
		})
	}
	go func() {
		defer close(f.done)
		start := time.Now()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		perTick, n := max(o.flood/100, 1), 0
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-tick.C:
			}
			for range perTick {
				select {
				case jobs <- n:
					f.sent.Add(1)
				default:
					f.dropped.Add(1)
				}
				n++
			}
		}
		f.took = time.Since(start)
		close(jobs)
		wg.Wait()
	}()
	return f
}

func (f *flood) send(ctx context.Context, c *http.Client, url string, n int) {
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, url, strings.NewReader(listCall))
	if err != nil {
		f.other.Add(1)
		return
	}
	// A new random-looking key each time, so each has its own prefix too, as a guesser's would.
	sum := sha256.Sum256(strconv.AppendInt(nil, int64(n), 10))
	req.Header.Set(gateway.APIKeyHeader, "ak_live_"+hex.EncodeToString(sum[:]))
	resp, err := c.Do(req)
	if err != nil {
		f.other.Add(1)
		return
	}
	_ = resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		f.unauthorized.Add(1)
	case http.StatusTooManyRequests:
		f.limited.Add(1)
	default:
		f.other.Add(1)
	}
}

func pct(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(lat))
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}

// authCounters reads askpro_gateway_auth_failures_total and the sum of
// askpro_gateway_auth_limited_total from the gateway's /metrics.
func authCounters(ctx context.Context, ops string) [2]float64 {
	var out [2]float64
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ops+"/metrics", nil)
	if err != nil {
		return out
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for i, name := range []string{"askpro_gateway_auth_failures_total", "askpro_gateway_auth_limited_total"} {
			if strings.HasPrefix(line, name) {
				fields := strings.Fields(line)
				v, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
				out[i] += v
			}
		}
	}
	return out
}
