// Package testenv gives tests real dependencies: a throw-away PostgreSQL database built from
// migrations/, and an isolated Redis key space, both cleaned up when the test ends.
//
// Where the servers come from, in order: DATABASE_URL and REDIS_URL; else containers started
// with testcontainers-go when a Docker engine answers. Without either the test is skipped with
// a message saying what to do, except when CI is set: then a missing dependency fails the test,
// so that a CI run can never pass by skipping.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"
)

// unavailable skips or fails t because a dependency is missing.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("testenv: %s is required when CI is set: %v", what, err)
	}
	t.Skipf("testenv: %s unavailable (%v); run `make services-up` and export the URLs it prints", what, err)
}

// RandomSuffix returns 12 random hex characters for unique names.
func RandomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Eventually polls cond every tick until it returns true or timeout passes, then fails t.
// Use it instead of sleeping.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msgAndArgs ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			if len(msgAndArgs) > 0 {
				if f, ok := msgAndArgs[0].(string); ok {
					t.Fatalf("testenv: condition not met within %s: "+f, append([]any{timeout}, msgAndArgs[1:]...)...)
				}
			}
			t.Fatalf("testenv: condition not met within %s", timeout)
		}
		<-tick.C
	}
}

// background is the context for setup and cleanup work that must outlive a test's own context.
func background() context.Context { return context.Background() }
