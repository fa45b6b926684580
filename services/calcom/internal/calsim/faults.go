package calsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind string

// The fault kinds.
const (
	// FaultError answers 500 with the error envelope.
	FaultError FaultKind = "error"
	// FaultRateLimit answers 429 with Retry-After.
	FaultRateLimit FaultKind = "ratelimit"
	// FaultTimeout never answers: the request hangs until the client gives up.
	FaultTimeout FaultKind = "timeout"
	// FaultDrop closes the connection without a response.
	FaultDrop FaultKind = "drop"
)

// Fault is one injected fault for the next matching request.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Route limits the fault to one route, e.g. "POST /v2/bookings"; empty matches any.
	Route string `json:"route,omitempty"`
	// AfterHandler runs the handler (a booking is committed) before the fault replaces its
	// response: the ambiguous failure a client must reconcile.
	AfterHandler bool `json:"afterHandler,omitempty"`
	// RetryAfter is the Retry-After of a FaultRateLimit in seconds (default 1).
	RetryAfter int `json:"retryAfter,omitempty"`
}

// Faults are random faults applied to every API request, in addition to queued ones.
type Faults struct {
	Latency       time.Duration
	ErrorRate     float64
	RateLimitRate float64
	TimeoutRate   float64
	DropRate      float64
	// RandSeed makes the random faults reproducible.
	RandSeed int64
}

func (f Faults) validate() error {
	for _, r := range []float64{f.ErrorRate, f.RateLimitRate, f.TimeoutRate, f.DropRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("fault rate %v outside [0,1]: %w", r, errConfig)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("negative latency: %w", errConfig)
	}
	return nil
}

// InjectNext queues f for the next request that matches it.
func (s *Server) InjectNext(f Fault) {
	s.mu.Lock()
	s.queued = append(s.queued, f)
	s.mu.Unlock()
}

// SetFaults replaces the random faults.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	return nil
}

func (s *Server) pickFault(route string) (Fault, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.queued {
		if f.Route == "" || f.Route == route {
			s.queued = append(s.queued[:i:i], s.queued[i+1:]...)
			return f, s.faults.Latency, true
		}
	}
	p := s.rnd.Float64()
	for _, c := range []struct {
		rate float64
		kind FaultKind
	}{{s.faults.ErrorRate, FaultError}, {s.faults.RateLimitRate, FaultRateLimit},
		{s.faults.TimeoutRate, FaultTimeout}, {s.faults.DropRate, FaultDrop}} {
		if p < c.rate {
			return Fault{Kind: c.kind}, s.faults.Latency, true
		}
		p -= c.rate
	}
	return Fault{}, s.faults.Latency, false
}

func (s *Server) withFaults(route string, w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter)) {
	f, latency, ok := s.pickFault(route)
	if latency > 0 && !s.wait(r, latency) {
		return
	}
	if !ok {
		next(w)
		return
	}
	if f.AfterHandler {
		next(&discard{header: http.Header{}})
	}
	s.apply(f, w, r)
}

// wait blocks for d unless the client or the server gives up first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

func (s *Server) apply(f Fault, w http.ResponseWriter, r *http.Request) {
	switch f.Kind {
	case FaultRateLimit:
		w.Header().Set("Retry-After", strconv.Itoa(max(f.RetryAfter, 1)))
		writeError(w, r, s.now(), http.StatusTooManyRequests, "ThrottlerException",
			"CustomThrottlerGuard - Too many requests. Please try again later.")
	case FaultTimeout:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		fallthrough
	default:
		writeError(w, r, s.now(), http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
	}
}

// discard swallows a response the fault replaces.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// randomFaults is the JSON form of Faults for PUT /_calsim/faults/random; {} clears them.
type randomFaults struct {
	Latency       string  `json:"latency,omitempty"` // a Go duration: "2s"
	ErrorRate     float64 `json:"errorRate,omitempty"`
	RateLimitRate float64 `json:"rateLimitRate,omitempty"`
	TimeoutRate   float64 `json:"timeoutRate,omitempty"`
	DropRate      float64 `json:"dropRate,omitempty"`
}

// adminRandomFaults replaces the random faults (the -error-rate, -latency… flags) at run time:
// a fault test heals the simulator with {}.
func (s *Server) adminRandomFaults(w http.ResponseWriter, r *http.Request) {
	var in randomFaults
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, s.now(), "invalid faults: "+err.Error())
		return
	}
	f := Faults{ErrorRate: in.ErrorRate, RateLimitRate: in.RateLimitRate, TimeoutRate: in.TimeoutRate, DropRate: in.DropRate}
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil || d < 0 {
			badRequest(w, r, s.now(), "invalid faults: latency is a duration such as 2s")
			return
		}
		f.Latency = d
	}
	s.mu.Lock()
	f.RandSeed = s.faults.RandSeed
	s.mu.Unlock()
	if err := s.SetFaults(f); err != nil {
		badRequest(w, r, s.now(), "invalid faults: "+err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) adminFaults(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		badRequest(w, r, s.now(), "invalid fault: "+err.Error())
		return
	}
	switch f.Kind {
	case FaultError, FaultRateLimit, FaultTimeout, FaultDrop:
	default:
		badRequest(w, r, s.now(), "unknown fault kind")
		return
	}
	s.InjectNext(f)
	w.WriteHeader(http.StatusNoContent)
}
