package testenv

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/config"
)

// startTimeout is how long StartService waits for /ready.
const startTimeout = 60 * time.Second

// RunFunc is the shape of every service's run function.
type RunFunc func(ctx context.Context, lookup config.LookupFunc) error

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: listen: %v", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// StartService runs a service's run function in-process with env as its whole environment
// (OPS_ADDR is set to a free port when absent), waits until its /ready answers 200, and
// returns a function that stops it and returns run's error. The service is also stopped when
// t ends.
func StartService(t testing.TB, run RunFunc, env map[string]string) (stop func() error) {
	t.Helper()
	if _, ok := env["OPS_ADDR"]; !ok {
		env["OPS_ADDR"] = FreeAddr(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	var result error
	stopped := false
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	readyURL := "http://" + env["OPS_ADDR"] + "/ready"
	// Generous: on a machine busy with other builds a service may take long to come up.
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("testenv: service exited before it was ready: %v", err)
		default:
		}
		if resp, err := http.Get(readyURL); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %s did not answer 200 within %s", readyURL, startTimeout)
		}
		<-time.After(20 * time.Millisecond)
	}
}
