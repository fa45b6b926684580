package calsim

import (
	"net/http"
	"strconv"
	"time"
)

// window is one key's fixed 60 s throttling window, as @nestjs/throttler keeps it.
type window struct {
	start time.Time
	count int
}

const rateWindow = time.Minute

// allow counts the request against key and sets the rate-limit headers. Cal.com names them
// X-RateLimit-{Limit,Remaining,Reset}-Default (reset in seconds); calsim also sends the
// unsuffixed names and, on a 429, Retry-After, which the real guard does not.
func (s *Server) allow(w http.ResponseWriter, key string) bool {
	if s.limit < 0 {
		return true
	}
	now := s.now()
	s.mu.Lock()
	win := s.windows[key]
	// A clock set back (a test moving calsim's clock between scenarios) starts a new window
	// too: a window cannot begin in the future.
	if win == nil || now.Sub(win.start) >= rateWindow || now.Before(win.start) {
		win = &window{start: now}
		s.windows[key] = win
	}
	win.count++
	count := win.count
	reset := win.start.Add(rateWindow).Sub(now)
	s.mu.Unlock()

	remaining := max(s.limit-count, 0)
	resetSecs := strconv.Itoa(max(int((reset+time.Second-1)/time.Second), 1))
	h := w.Header()
	for _, suffix := range []string{"-Default", ""} {
		h.Set("X-RateLimit-Limit"+suffix, strconv.Itoa(s.limit))
		h.Set("X-RateLimit-Remaining"+suffix, strconv.Itoa(remaining))
		h.Set("X-RateLimit-Reset"+suffix, resetSecs)
	}
	if count > s.limit {
		h.Set("Retry-After", resetSecs)
		return false
	}
	return true
}
