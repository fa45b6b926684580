// Package clock is the business clock of the services: what "now" is when a caller says
// "morgen", when a slot counts as past, and which day today's analytics cover.
//
// In every normal build Now is time.Now and nothing can move it. Only binaries built with the
// build tag askpro_testclock (pkg/stack builds them so for the end-to-end test; no Dockerfile,
// `make build` or `make run` sets the tag) read a clock the test controls: the file named by
// the environment variable ASKPRO_TEST_CLOCK_FILE, written by Set. The override is compiled
// out of production binaries rather than switched off by configuration, so no environment
// variable, file or request can move a production clock.
//
// Time that is about real time stays on time.Now everywhere: signature freshness, rate limits,
// cache lifetimes, timeouts and backoff.
package clock

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvFile names the clock file a test-clock binary reads. Normal builds ignore it.
const EnvFile = "ASKPRO_TEST_CLOCK_FILE"

// Now returns the current business time: time.Now, unless this is a test-clock build whose
// clock file is set.
func Now() time.Time { return now() }

// Overridable reports whether this binary was built with the test clock (askpro_testclock).
// Services log it at start, so a test-clock binary that reached a real deployment is visible.
const Overridable = overridable

// Set makes every test-clock binary reading path see ref as now from this instant on; their
// clocks then run on from ref at real speed. It writes path atomically (a reader sees the old
// or the new setting, never half of one). Calling it again moves the clock to another instant.
func Set(path string, ref time.Time) error {
	return write(path, ref, time.Now())
}

// Read returns the time the clock file at path says it is now: what every test-clock binary
// reading it sees. A harness that drives such binaries uses it to say dates against the same
// clock ("morgen" on the day the system believes it is). It reads a file only and moves no
// clock, so it is safe in any build.
func Read(path string) (time.Time, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, fmt.Errorf("read test clock: %w", err)
	}
	return at(string(body), time.Now())
}

func write(path string, ref, setAt time.Time) error {
	body := ref.Format(time.RFC3339Nano) + "\n" + setAt.Format(time.RFC3339Nano) + "\n"
	tmp, err := os.CreateTemp(filepath.Dir(path), ".clock-*")
	if err != nil {
		return fmt.Errorf("set test clock: %w", err)
	}
	if _, err := tmp.WriteString(body); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("set test clock: %w", err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("set test clock: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("set test clock: %w", err)
	}
	return nil
}

// parse reads a clock file: the reference instant, then the real instant it was set at.
func parse(body string) (ref, setAt time.Time, err error) {
	lines := strings.Fields(body)
	if len(lines) != 2 {
		return ref, setAt, fmt.Errorf("clock file: want 2 lines, got %d", len(lines))
	}
	if ref, err = time.Parse(time.RFC3339Nano, lines[0]); err != nil {
		return ref, setAt, fmt.Errorf("clock file reference: %w", err)
	}
	if setAt, err = time.Parse(time.RFC3339Nano, lines[1]); err != nil {
		return ref, setAt, fmt.Errorf("clock file set-at: %w", err)
	}
	return ref, setAt, nil
}

// at is the time a clock file says it is at the real instant real: ref plus the real time passed
// since the file was written.
func at(body string, real time.Time) (time.Time, error) {
	ref, setAt, err := parse(body)
	if err != nil {
		return time.Time{}, err
	}
	return ref.Add(real.Sub(setAt)), nil
}
