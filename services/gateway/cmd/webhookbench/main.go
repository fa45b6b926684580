// Command webhookbench measures the Retell webhook path as Retell sees it: signed
// call_started/call_ended/call_analyzed bodies posted over HTTP at a fixed rate (open loop,
// so a slow answer does not slow the sender down) to a gateway on the real Redis, each
// answered 204 only after it is durably in the inbox stream.
//
//	REDIS_URL=… go run ./cmd/webhookbench -rate 500 -duration 10s
//
// It prints the latency percentiles and ends with one line:
//
//	webhook-bench: rate=<n>/s sent=<n> stored=<n> p50_ms=<n> p99_ms=<n> max_ms=<n> errors=<n>
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

const key = "bench-retell-key"

func main() {
	rate := flag.Int("rate", 500, "webhooks per second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	url, ok := os.LookupEnv("REDIS_URL")
	if !ok {
		fmt.Fprintln(os.Stderr, "webhookbench: REDIS_URL is not set (make services-up prints it)")
		os.Exit(2)
	}
	if err := run(ctx, url, *rate, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "webhookbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, redisURL string, rate int, duration time.Duration) error {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ns := fmt.Sprintf("bench%d", time.Now().UnixNano())
	defer cleanup(rdb, ns)
	bus, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "webhookbench", Namespace: ns}, zerolog.Nop(), nil)
	if err != nil {
		return err
	}
	defer func() { _ = bus.Close() }()
	v, err := retell.NewVerifier([]string{key}, time.Now)
	if err != nil {
		return err
	}
	srv := gateway.NewServer(gateway.Options{Verifier: v, Logger: zerolog.Nop(),
		Inbox: gateway.NewInbox(rdb, bus.Publish, ns, time.Hour)})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() { _ = hs.Close() }()

	lat, errs := send(ctx, "http://"+ln.Addr().String()+"/retell/webhook", rate, duration)
	stored, err := rdb.XLen(ctx, rpc.EventStream(ns, "retell.webhook")).Result()
	if err != nil {
		return err
	}
	report(rate, lat, errs, stored)
	return nil
}

// send posts at a fixed rate for duration and returns each request's latency.
func send(ctx context.Context, url string, rate int, duration time.Duration) ([]time.Duration, int) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	interval := time.Second / time.Duration(rate)
	total := int(duration / interval)
	var (
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, total)
		errs int
		wg   sync.WaitGroup
	)
	events := []string{"call_started", "call_ended", "call_analyzed"}
	start := time.Now()
	for i := range total {
		if ctx.Err() != nil {
			break
		}
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			<-time.After(wait)
		}
		body := fmt.Appendf(nil, `{"event":%q,"call":{"call_id":"call_bench_%d","call_type":"phone_call","from_number":"+4915112345678","to_number":"+493055571234","transcript":"User: Ich hätte gern einen Termin am Dienstag um halb drei."}}`,
			events[i%3], i/3)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := post(ctx, client, url, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			lat = append(lat, d)
		}()
	}
	wg.Wait()
	return lat, errs
}

func post(ctx context.Context, c *http.Client, url string, body []byte) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set(retell.SignatureHeader, retell.Sign(body, key, time.Now()))
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return 0, errors.New(resp.Status)
	}
	return time.Since(t0), nil
}

func report(rate int, lat []time.Duration, errs int, stored int64) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	fmt.Printf("webhooks answered 204: %d, errors: %d, stored in the inbox: %d\n", len(lat), errs, stored)
	fmt.Printf("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.5), pct(0.9), pct(0.99), pct(1))
	fmt.Printf("webhook-bench: rate=%d/s sent=%d stored=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
		rate, len(lat)+errs, stored, pct(0.5), pct(0.99), pct(1), errs)
}

func cleanup(rdb *redis.Client, ns string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, ns+":*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Unlink(ctx, iter.Val())
	}
}
