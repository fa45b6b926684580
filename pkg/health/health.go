// Package health serves the operational endpoints every service exposes: /health for liveness,
// /ready for readiness with dependency checks, and /metrics.
//
// Liveness answers as long as the process can serve HTTP: restarting a pod because Redis is
// down would not bring Redis back. Readiness runs every check with a short timeout and answers
// 503 naming the checks that failed.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// CheckFunc reports whether one dependency is usable.
type CheckFunc func(ctx context.Context) error

// Checker holds named readiness checks.
type Checker struct {
	mu      sync.RWMutex
	checks  map[string]CheckFunc
	timeout time.Duration
}

// NewChecker returns a Checker whose checks each get timeout.
func NewChecker(timeout time.Duration) *Checker {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &Checker{checks: map[string]CheckFunc{}, timeout: timeout}
}

// Add registers a named check.
func (c *Checker) Add(name string, fn CheckFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks[name] = fn
}

// Report is the body of /ready.
type Report struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Check runs every check concurrently and reports each result.
func (c *Checker) Check(ctx context.Context) (Report, bool) {
	c.mu.RLock()
	names := make([]string, 0, len(c.checks))
	for n := range c.checks {
		names = append(names, n)
	}
	c.mu.RUnlock()
	sort.Strings(names)

	results := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		c.mu.RLock()
		fn := c.checks[n]
		c.mu.RUnlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, c.timeout)
			defer cancel()
			results[i] = fn(cctx)
		}()
	}
	wg.Wait()

	rep := Report{Status: "ok", Checks: make(map[string]string, len(names))}
	ok := true
	for i, n := range names {
		if results[i] != nil {
			ok = false
			rep.Checks[n] = results[i].Error()
			continue
		}
		rep.Checks[n] = "ok"
	}
	if !ok {
		rep.Status = "unavailable"
	}
	return rep, ok
}

// Register adds /health and /ready (and /metrics when metrics is not nil) to mux.
func Register(mux *http.ServeMux, c *Checker, metrics http.Handler) {
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		rep, ok := c.Check(r.Context())
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rep)
	})
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
}

// Serve runs an ops server on addr until ctx ends, then shuts it down.
func Serve(ctx context.Context, addr string, c *Checker, metrics http.Handler) error {
	mux := http.NewServeMux()
	Register(mux, c, metrics)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
