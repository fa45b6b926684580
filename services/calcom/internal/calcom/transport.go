package calcom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sony/gobreaker/v2"
)

// request is one Cal.com call.
type request struct {
	method, path, version string
	query                 url.Values
	body                  any
	// idempotent requests are retried on 429, 5xx and timeouts; the others never.
	idempotent bool
}

func (c *Client) newBreaker(id string) *gobreaker.CircuitBreaker[struct{}] {
	failures := c.opts.BreakerFailures
	log := c.opts.Logger
	gauge := c.breakerState.WithLabelValues(id)
	gauge.Set(0)
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:    "calcom-" + id,
		Timeout: c.opts.BreakerOpenTimeout,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= failures
		},
		// Only outages count: a taken slot, a 404 or a 429 says Cal.com is up.
		IsSuccessful: func(err error) bool { return err == nil || !ambiguous(err) },
		IsExcluded:   func(err error) bool { return errors.Is(err, errCallerGone) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			gauge.Set(breakerValue(to))
			log.Warn().Str("breaker", name).Str("from", from.String()).Str("to", to.String()).
				Msg("calcom_circuit_breaker_changed_state")
		},
	})
}

func breakerValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}

// do sends r (retrying if it is idempotent) and decodes the success envelope's data into out.
func (a *Account) do(ctx context.Context, r request, out any) error {
	attempts := 1
	if r.idempotent {
		attempts = a.c.opts.RetryAttempts
	}
	var err error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			if serr := a.c.opts.Clock.Sleep(ctx, a.c.backoff(attempt, err)); serr != nil {
				return fmt.Errorf("%s %s: %w (after %w)", r.method, r.path, serr, err)
			}
		}
		if err = a.attempt(ctx, r, out); err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

// backoff is exponential with full jitter, but never shorter than a 429's Retry-After.
func (c *Client) backoff(attempt int, err error) time.Duration {
	d := min(c.opts.RetryBaseDelay<<(attempt-1), c.opts.RetryMaxDelay)
	d = d/2 + c.opts.Jitter(d/2+1)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > d {
		return apiErr.RetryAfter
	}
	return d
}

func fullJitter(d time.Duration) time.Duration { return rand.N(d) }

// attempt is one request through the shared rate limit and the account's breaker.
func (a *Account) attempt(ctx context.Context, r request, out any) error {
	// An open breaker fails at once, without spending the shared rate budget.
	if a.breaker.State() == gobreaker.StateOpen {
		return fmt.Errorf("%s %s: %w", r.method, r.path, ErrUnavailable)
	}
	if err := a.c.limiter.wait(ctx, a.id, a.c.opts.MaxRateWait); err != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	_, err := a.breaker.Execute(func() (struct{}, error) { return struct{}{}, a.send(ctx, r, out) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("%s %s: %w", r.method, r.path, ErrUnavailable)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	return nil
}

// errRequestTimeout is the cause of our own per-attempt deadline.
var errRequestTimeout = errors.New("request timeout")

// errCallerGone: the caller's context ended mid-request. The outcome is as uncertain as after a
// dropped connection, but it says nothing about Cal.com's health: the breaker ignores it.
var errCallerGone = fmt.Errorf("caller gave up: %w", ErrTransport)

func (a *Account) send(parent context.Context, r request, out any) error {
	ctx, cancel := context.WithTimeoutCause(parent, a.c.opts.RequestTimeout, errRequestTimeout)
	defer cancel()
	req, err := a.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := a.c.opts.HTTPClient.Do(req)
	if err != nil {
		switch {
		case parent.Err() != nil:
			return fmt.Errorf("%w: %w", errCallerGone, err)
		case errors.Is(context.Cause(ctx), errRequestTimeout):
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		}
		return fmt.Errorf("%w: %w", ErrTransport, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("read response: %w: %w", ErrTransport, err)
	}
	a.observeLimits(ctx, resp)
	if resp.StatusCode >= 300 {
		return parseError(resp, body, a.c.opts.Clock.Now())
	}
	return decodeData(body, out)
}

func (a *Account) newRequest(ctx context.Context, r request) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		raw, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	u := a.c.opts.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	req.Header.Set("Accept", "application/json")
	if r.version != "" {
		req.Header.Set("cal-api-version", r.version)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// observeLimits shares what Cal.com says about the key's budget: when it reports nothing left,
// every replica pauses until the reset.
func (a *Account) observeLimits(ctx context.Context, resp *http.Response) {
	remaining, ok := headerInt(resp.Header, "X-RateLimit-Remaining")
	if resp.StatusCode == http.StatusTooManyRequests || (ok && remaining == 0) {
		if err := a.c.limiter.block(ctx, a.id, retryAfter(resp.Header, a.c.opts.Clock.Now())); err != nil {
			a.c.opts.Logger.Warn().Err(err).Msg("calcom_rate_limit_not_shared")
		}
	}
}

// headerInt reads Cal.com's X-RateLimit-<x>-Default header, or the unsuffixed one.
func headerInt(h http.Header, name string) (int64, bool) {
	for _, n := range []string{name + "-Default", name} {
		if v := h.Get(n); v != "" {
			if i, err := strconv.ParseInt(v, 10, 64); err == nil {
				return i, true
			}
		}
	}
	return 0, false
}

// retryAfter reads Retry-After (seconds), else X-RateLimit-Reset: seconds when small, epoch
// seconds otherwise (calcom.md §1 Rate limits). Without either it assumes a second.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if reset, ok := headerInt(h, "X-RateLimit-Reset"); ok {
		if reset < 1e9 {
			return time.Duration(reset) * time.Second
		}
		return time.Unix(reset, 0).Sub(now)
	}
	return time.Second
}
