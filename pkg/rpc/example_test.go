package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

// exampleRedis connects to REDIS_URL and returns a namespace of the example's own, removed by
// the returned function.
func exampleRedis() (*redis.Client, string, func()) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		panic(err)
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
	}
}

// runServer runs srv until the returned function is called, and waits until it answers.
func runServer(srv *rpc.Server, client *rpc.Client, service string) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	for client.Call(context.Background(), service, rpc.MethodPing, nil, nil) != nil {
		<-time.After(10 * time.Millisecond)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			panic(err)
		}
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
	rdb, ns, cleanup := exampleRedis()
	defer cleanup()
	log := zerolog.Nop()

	srv, _ := rpc.NewServer(rdb, rpc.ServerConfig{Service: "greeter", Instance: "greeter-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	rpc.Register(srv, "greeter.hello", func(ctx context.Context, p greetParams) (greeting, error) {
		if p.Name == "" {
			return greeting{}, rpc.Errorf(rpc.CodeValidation, "name is required")
		}
		return greeting{Text: "Hallo, " + p.Name + "!"}, nil
	})
	client, _ := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "gateway-0", Namespace: ns}, log, nil)
	defer func() { _ = client.Close() }()
	stop := runServer(srv, client, "greeter")
	defer stop()

	var g greeting
	err := client.Call(context.Background(), "greeter", "greeter.hello", greetParams{Name: "Anna"}, &g)
	fmt.Println(g.Text, err)

	err = client.Call(context.Background(), "greeter", "greeter.hello", greetParams{}, &g, rpc.WithLane(rpc.LaneHigh))
	fmt.Println(errors.Is(err, rpc.ErrValidation), err)
	// Output:
	// Hallo, Anna! <nil>
	// true rpc error -32008: name is required
}

// Events are published to a topic; every subscribing group gets each event once.
func ExampleSubscribe() {
	rdb, ns, cleanup := exampleRedis()
	defer cleanup()
	log := zerolog.Nop()

	got := make(chan string, 1)
	srv, _ := rpc.NewServer(rdb, rpc.ServerConfig{Service: "call", Instance: "call-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	rpc.Subscribe(srv, "booking.created", "call", func(ctx context.Context, ev greetParams) error {
		got <- ev.Name
		return nil
	})
	client, _ := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "booking-0", Namespace: ns}, log, nil)
	defer func() { _ = client.Close() }()
	stop := runServer(srv, client, "call")
	defer stop()

	_ = client.Publish(context.Background(), "booking.created", greetParams{Name: "Anna"})
	fmt.Println(<-got)
	// Output: Anna
}

// A batch is one entry and one reply; each member gets its own result or error.
func ExampleClient_Batch() {
	rdb, ns, cleanup := exampleRedis()
	defer cleanup()
	log := zerolog.Nop()

	srv, _ := rpc.NewServer(rdb, rpc.ServerConfig{Service: "greeter", Instance: "greeter-0", Namespace: ns, Block: 100 * time.Millisecond}, log, nil)
	rpc.Register(srv, "greeter.hello", func(ctx context.Context, p greetParams) (greeting, error) {
		return greeting{Text: "Hallo, " + p.Name + "!"}, nil
	})
	client, _ := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "gateway-0", Namespace: ns}, log, nil)
	defer func() { _ = client.Close() }()
	stop := runServer(srv, client, "greeter")
	defer stop()

	var a, b greeting
	calls := []rpc.BatchCall{
		{Method: "greeter.hello", Params: greetParams{Name: "Anna"}, Result: &a},
		{Method: "greeter.bye"},
		{Method: "greeter.hello", Params: greetParams{Name: "Ben"}, Result: &b},
	}
	err := client.Batch(context.Background(), "greeter", calls)
	fmt.Println(err, a.Text, b.Text, errors.Is(calls[1].Err, rpc.ErrMethodNotFound))
	// Output: <nil> Hallo, Anna! Hallo, Ben! true
}

// Dead letters are listed and replayed through DeadLetters.
func ExampleDeadLetters() {
	rdb, ns, cleanup := exampleRedis()
	defer cleanup()
	ctx := context.Background()
	// An entry that is not MessagePack: the booking service will dead-letter it.
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: rpc.RequestStream(ns, "booking", rpc.LaneNormal), Values: []any{"v", "1", "body", []byte{0xc1}}})

	srv, _ := rpc.NewServer(rdb, rpc.ServerConfig{Service: "booking", Instance: "booking-0", Namespace: ns, Block: 100 * time.Millisecond}, zerolog.Nop(), nil)
	client, _ := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "ops", Namespace: ns}, zerolog.Nop(), nil)
	defer func() { _ = client.Close() }()
	stop := runServer(srv, client, "booking")
	defer stop()

	dlq := rpc.NewDeadLetters(rdb, ns, "booking")
	for n, _ := dlq.Len(ctx); n == 0; n, _ = dlq.Len(ctx) {
		<-time.After(10 * time.Millisecond)
	}
	letters, _ := dlq.List(ctx, "", 10)
	fmt.Println(len(letters), letters[0].Reason)
	purged, _ := dlq.Purge(ctx)
	fmt.Println(purged)
	// Output:
	// 1 parse error: skip: malformed msgpack: invalid code 0xc1 at byte 0
	// 1
}
