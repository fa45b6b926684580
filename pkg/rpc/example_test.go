package rpc_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

// The examples run against a real Redis and check their output. Go examples cannot skip, so
// TestMain decides before any runs: without Redis they are skipped (-test.skip) with the same
// advice testenv gives, and when CI is set the run fails instead, like every other test.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := pingExampleRedis(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "rpc examples: Redis is required when CI is set: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "rpc examples skipped: Redis unavailable (%v); run `make services-up` and export the URLs it prints\n", err)
		skip := "^Example"
		if s := flag.Lookup("test.skip").Value.String(); s != "" {
			skip = s + "|" + skip
		}
		if err := flag.Set("test.skip", skip); err != nil {
			fmt.Fprintln(os.Stderr, "rpc examples:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func exampleRedisURL() string {
	if url := os.Getenv("REDIS_URL"); url != "" {
		return url
	}
	return "redis://127.0.0.1:6379/0"
}

func pingExampleRedis() error {
	opts, err := redis.ParseURL(exampleRedisURL())
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	defer func() { _ = rdb.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return rdb.Ping(ctx).Err()
}

// exampleRedis connects to REDIS_URL and returns a namespace of the example's own, removed by
// the returned function.
func exampleRedis() (*redis.Client, string, func(), error) {
	opts, err := redis.ParseURL(exampleRedisURL())
	if err != nil {
		return nil, "", nil, err
	}
	rdb := redis.NewClient(opts)
	ns := "example:" + testenv.RandomSuffix()
	return rdb, ns, func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, ns+":*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		_ = rdb.Close()
	}, nil
}

// runServer runs srv until the returned function is called, and waits until it answers. The
// returned function reports how Run ended.
func runServer(srv *rpc.Server, client *rpc.Client, service string) (func() error, error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stop := func() error {
		cancel()
		return <-done
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := client.Call(context.Background(), service, rpc.MethodPing, nil, nil)
		if err == nil {
			return stop, nil
		}
		if time.Now().After(deadline) {
			_ = stop()
			return nil, fmt.Errorf("%s did not answer a ping within 10s: %w", service, err)
		}
		<-time.After(10 * time.Millisecond)
	}
}

// closeClient closes client and prints any error, so that the example fails.
func closeClient(client *rpc.Client) {
	if err := client.Close(); err != nil {
		fmt.Println("close:", err)
	}
}

// stopServer stops a server run by runServer and prints any error, so that the example fails.
func stopServer(stop func() error) {
	if err := stop(); err != nil {
		fmt.Println("server:", err)
	}
}

type greetParams struct {
	Name string `json:"name"`
}

type greeting struct {
	Text string `json:"text"`
}

// A service registers typed handlers; a client calls them by service and method name.
func Example() {
	rdb, ns, cleanup, err := exampleRedis()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cleanup()
	log := zerolog.Nop()

	srv, err := rpc.NewServer(rdb, rpc.ServerConfig{Service: "greeter", Instance: "greeter-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rpc.Register(srv, "greeter.hello", func(ctx context.Context, p greetParams) (greeting, error) {
		if p.Name == "" {
			return greeting{}, rpc.Errorf(rpc.CodeValidation, "name is required")
		}
		return greeting{Text: "Hallo, " + p.Name + "!"}, nil
	})
	client, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "gateway-0", Namespace: ns}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeClient(client)
	stop, err := runServer(srv, client, "greeter")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stopServer(stop)

	var g greeting
	err = client.Call(context.Background(), "greeter", "greeter.hello", greetParams{Name: "Anna"}, &g)
	fmt.Println(g.Text, err)

	err = client.Call(context.Background(), "greeter", "greeter.hello", greetParams{}, &g, rpc.WithLane(rpc.LaneHigh))
	fmt.Println(errors.Is(err, rpc.ErrValidation), err)
	// Output:
	// Hallo, Anna! <nil>
	// true rpc error -32008: name is required
}

// Events are published to a topic; every subscribing group gets each event once.
func ExampleSubscribe() {
	rdb, ns, cleanup, err := exampleRedis()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cleanup()
	log := zerolog.Nop()

	got := make(chan string, 1)
	srv, err := rpc.NewServer(rdb, rpc.ServerConfig{Service: "call", Instance: "call-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rpc.Subscribe(srv, "booking.created", "call", func(ctx context.Context, ev greetParams) error {
		got <- ev.Name
		return nil
	})
	client, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "booking-0", Namespace: ns}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeClient(client)
	stop, err := runServer(srv, client, "call")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stopServer(stop)

	if err := client.Publish(context.Background(), "booking.created", greetParams{Name: "Anna"}); err != nil {
		fmt.Println(err)
		return
	}
	select {
	case name := <-got:
		fmt.Println(name)
	case <-time.After(10 * time.Second):
		fmt.Println("no event within 10s")
	}
	// Output: Anna
}

// A batch is one entry and one reply; each member gets its own result or error.
func ExampleClient_Batch() {
	rdb, ns, cleanup, err := exampleRedis()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cleanup()
	log := zerolog.Nop()

	srv, err := rpc.NewServer(rdb, rpc.ServerConfig{Service: "greeter", Instance: "greeter-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rpc.Register(srv, "greeter.hello", func(ctx context.Context, p greetParams) (greeting, error) {
		return greeting{Text: "Hallo, " + p.Name + "!"}, nil
	})
	client, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "gateway-0", Namespace: ns}, log, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeClient(client)
	stop, err := runServer(srv, client, "greeter")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stopServer(stop)

	var a, b greeting
	calls := []rpc.BatchCall{
		{Method: "greeter.hello", Params: greetParams{Name: "Anna"}, Result: &a},
		{Method: "greeter.bye"},
		{Method: "greeter.hello", Params: greetParams{Name: "Ben"}, Result: &b},
	}
	err = client.Batch(context.Background(), "greeter", calls)
	fmt.Println(err, a.Text, b.Text, errors.Is(calls[1].Err, rpc.ErrMethodNotFound))
	// Output: <nil> Hallo, Anna! Hallo, Ben! true
}

// Dead letters are listed and replayed through DeadLetters.
func ExampleDeadLetters() {
	rdb, ns, cleanup, err := exampleRedis()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cleanup()
	ctx := context.Background()
	// An entry that is not MessagePack: the booking service will dead-letter it.
	err = rdb.XAdd(ctx, &redis.XAddArgs{Stream: rpc.RequestStream(ns, "booking", rpc.LaneNormal), Values: []any{"v", "1", "body", []byte{0xc1}}}).Err()
	if err != nil {
		fmt.Println(err)
		return
	}

	srv, err := rpc.NewServer(rdb, rpc.ServerConfig{Service: "booking", Instance: "booking-0", Namespace: ns, Block: 100 * time.Millisecond}, zerolog.Nop(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "ops", Namespace: ns}, zerolog.Nop(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeClient(client)
	stop, err := runServer(srv, client, "booking")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stopServer(stop)

	dlq := rpc.NewDeadLetters(rdb, ns, "booking")
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := dlq.Len(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			fmt.Println("nothing dead-lettered within 10s")
			return
		}
		<-time.After(10 * time.Millisecond)
	}
	letters, err := dlq.List(ctx, "", 10)
	if err != nil || len(letters) == 0 {
		fmt.Println(len(letters), err)
		return
	}
	fmt.Println(len(letters), letters[0].Reason)
	purged, err := dlq.Purge(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(purged)
	// Output:
	// 1 parse error: skip: malformed msgpack: invalid code 0xc1 at byte 0
	// 1
}
