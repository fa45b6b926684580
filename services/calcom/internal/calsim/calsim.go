// Package calsim is a Cal.com API v2 simulator: the endpoints the calcom service uses, with the
// paths, headers, status codes and envelopes of the real API (checked against its OpenAPI
// document in tests), slots computed from seeded schedules, stored bookings, a per-key rate
// limit and fault injection. cmd/calsim serves it; tests start it with httptest.
package calsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Cal.com API versions, one per endpoint family.
const (
	VersionSlots      = "2024-09-04"
	VersionBookings   = "2024-08-13"
	VersionEventTypes = "2024-06-14"
	VersionSchedules  = "2024-06-11"
)

// DefaultRateLimit is Cal.com's limit per API key and minute.
const DefaultRateLimit = 120

// Config configures a Server.
type Config struct {
	Seed Seed
	// RateLimit is requests per key per minute; 0 means DefaultRateLimit, negative disables it.
	RateLimit int
	Faults    Faults
	// Now is the simulator's clock; nil means time.Now.
	Now func() time.Time
}

// Server is the simulator. It is safe for concurrent use.
type Server struct {
	now     func() time.Time
	seed    Seed
	limit   int
	mux     *http.ServeMux
	closing chan struct{}
	close   sync.Once

	mu       sync.Mutex
	faults   Faults
	queued   []Fault
	rnd      *rand.Rand
	windows  map[string]*window
	bookings []*booking
	nextID   int
	requests map[string]int
}

var errConfig = errors.New("invalid calsim config")

// New validates the seed and builds a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.Seed.validate(); err != nil {
		return nil, fmt.Errorf("calsim seed: %w", err)
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		now: cfg.Now, seed: cfg.Seed, limit: cfg.RateLimit, faults: cfg.Faults,
		closing: make(chan struct{}), windows: map[string]*window{}, nextID: 1,
		requests: map[string]int{}, rnd: rand.New(rand.NewPCG(uint64(cfg.Faults.RandSeed), 1)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limit == 0 {
		s.limit = DefaultRateLimit
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves the API and the /_calsim/ inspection endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases requests hanging in an injected timeout.
func (s *Server) Close() { s.close.Do(func() { close(s.closing) }) }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	api := func(pattern, version string, h http.HandlerFunc) {
		s.mux.Handle(pattern, s.middleware(pattern, version, h))
	}
	api("GET /v2/slots", VersionSlots, s.getSlots)
	api("POST /v2/bookings", VersionBookings, s.createBooking)
	api("GET /v2/bookings", VersionBookings, s.listBookings)
	api("GET /v2/bookings/{bookingUid}", VersionBookings, s.getBooking)
	api("POST /v2/bookings/{bookingUid}/cancel", VersionBookings, s.cancelBooking)
	api("POST /v2/bookings/{bookingUid}/reschedule", VersionBookings, s.rescheduleBooking)
	api("GET /v2/event-types", VersionEventTypes, s.getEventTypes)
	api("GET /v2/event-types/{eventTypeId}", VersionEventTypes, s.getEventType)
	api("GET /v2/schedules", VersionSchedules, s.getSchedules)
	api("GET /v2/me", "", s.getMe)
	s.mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.now(), http.StatusNotFound, "NotFoundException", "Cannot "+r.Method+" "+r.URL.Path)
	})
	s.mux.HandleFunc("GET /_calsim/bookings", s.adminBookings)
	s.mux.HandleFunc("GET /_calsim/requests", s.adminRequests)
	s.mux.HandleFunc("POST /_calsim/faults", s.adminFaults)
	s.mux.HandleFunc("PUT /_calsim/faults/random", s.adminRandomFaults)
}

// middleware applies, in order: request counting, fault injection, authentication, the rate
// limit and the version check (the real API routes an unknown or missing cal-api-version to its
// 2024-04-15 handlers, which have no such route: a 404 the client notices).
func (s *Server) middleware(route, version string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count(route)
		s.withFaults(route, w, r, func(w http.ResponseWriter) {
			acct, ok := s.authenticate(r)
			if !ok {
				writeError(w, r, s.now(), http.StatusUnauthorized, "UnauthorizedException", "Invalid or missing API key")
				return
			}
			if !s.allow(w, acct.APIKey) {
				writeError(w, r, s.now(), http.StatusTooManyRequests, "ThrottlerException",
					"CustomThrottlerGuard - Too many requests. Please try again later.")
				return
			}
			if version != "" && r.Header.Get("cal-api-version") != version {
				writeError(w, r, s.now(), http.StatusNotFound, "NotFoundException", "Cannot "+r.Method+" "+r.URL.Path)
				return
			}
			h(w, r.WithContext(withAccount(r.Context(), acct)))
		})
	})
}

func (s *Server) count(route string) {
	s.mu.Lock()
	s.requests[route]++
	s.mu.Unlock()
}

// Requests returns how many requests each route ("GET /v2/slots") has received.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}
