package contract

import (
	"bytes"
	"io"
	"net/http"
)

// Transport validates every request it carries and every response it brings back, handing
// violations to Report (typically t.Errorf).
type Transport struct {
	Base      http.RoundTripper
	Validator *Validator
	Report    func(format string, args ...any)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	ctx := req.Context()
	if _, err := t.Validator.Request(ctx, req, body); err != nil {
		t.Report("client request violates the contract: %v", err)
	}
	resp, err := t.base().RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err := t.Validator.Response(ctx, req, body, resp.StatusCode, resp.Header, respBody); err != nil {
		t.Report("server response violates the contract: %v", err)
	}
	return resp, nil
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}
