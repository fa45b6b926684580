package calcom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// envelope is Cal.com's success and error envelope in one.
type envelope struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	// Message and StatusCode are Nest's default error body, for errors outside the filters.
	Message    any `json:"message"`
	StatusCode int `json:"statusCode"`
}

func decodeData(body []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("decode response: %w: %w", ErrUpstream, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("response status %q: %w", env.Status, ErrUpstream)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("decode response data: %w: %w", ErrUpstream, err)
	}
	return nil
}

// parseError turns any error answer into an *APIError, with or without the envelope.
func parseError(resp *http.Response, body []byte, now time.Time) error {
	e := &APIError{Status: resp.StatusCode, Code: http.StatusText(resp.StatusCode)}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		switch {
		case env.Error != nil:
			e.Code, e.Message = env.Error.Code, env.Error.Message
		case env.Message != nil:
			e.Message = fmt.Sprint(env.Message)
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	e.kind = classify(e.Status, e.Message)
	if e.Status == http.StatusTooManyRequests {
		e.RetryAfter = retryAfter(resp.Header, now)
	}
	return e
}
