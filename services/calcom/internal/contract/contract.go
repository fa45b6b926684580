// Package contract checks HTTP traffic against the Cal.com API v2 OpenAPI document, a copy of
// ../shared/calcom/calcom-openapi.json embedded here so tests never depend on paths outside the
// module. Only tests import it.
//
// The document is loaded with three mechanical patches for bugs in the upstream file (each
// documented in ../shared/research/calcom.md):
//   - the request-body oneOf of POST /v2/bookings, …/cancel and …/reschedule becomes anyOf
//     (a regular booking matches both the regular and the recurring schema, so oneOf can never
//     pass; this is exactly the change in calcom-openapi.prism.json);
//   - the oneOf of booking output data becomes anyOf for the same reason (a BookingOutput also
//     matches the seated variants, none of which forbid extra properties);
//   - the GET /v2/slots 200 schema declares the date map at the top level, contradicting its own
//     example and the server code; it is wrapped in the {status, data} envelope;
//   - schema-less query parameters get type string;
//   - event-type output: booking fields and locations become anyOf, booking-field flags
//     isDefault/required are booleans (the document says object), ScheduleAvailability days
//     lose the enum wrongly put on the array, and the placeholder pattern TIME_FORMAT_HH_MM
//     becomes a real HH:MM pattern;
//   - event-type output bookingWindow: the array's overlapping oneOf (business and calendar day
//     windows are the same schema) becomes anyOf, and the single object Cal.com really answers
//     (or {"disabled": true}) is accepted beside the documented array.
package contract

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed calcom-openapi.json
var document []byte

// Validator validates requests and responses against the document.
type Validator struct {
	router routers.Router
}

// Load parses the embedded document, applies the patches and builds a router.
func Load() (*Validator, error) {
	var raw map[string]any
	if err := json.Unmarshal(document, &raw); err != nil {
		return nil, fmt.Errorf("decode openapi document: %w", err)
	}
	if err := patch(raw); err != nil {
		return nil, fmt.Errorf("patch openapi document: %w", err)
	}
	patched, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("encode openapi document: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(patched)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build openapi router: %w", err)
	}
	return &Validator{router: router}, nil
}

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		MultiError:          true,
		SkipSettingDefaults: true,
	}
}

// Request validates one request whose body (possibly empty) is given separately.
func (v *Validator) Request(ctx context.Context, req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("find route %s %s: %w", req.Method, req.URL.Path, err)
	}
	clone := req.Clone(ctx)
	clone.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: options()}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return in, fmt.Errorf("request %s %s: %w", req.Method, req.URL.Path, err)
	}
	return in, nil
}

// Response validates a response to req. Statuses the document does not declare (every error:
// the document lists only 200/201) are checked for the Cal.com error envelope instead.
func (v *Validator) Response(ctx context.Context, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	in, err := v.Request(ctx, req, reqBody)
	if in == nil {
		return err
	}
	if status >= 300 {
		return errorEnvelope(status, body)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Options: options(),
	}
	out.Options.IncludeResponseStatus = true
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("response %d to %s %s: %w", status, req.Method, req.URL.Path, err)
	}
	return nil
}

// errorEnvelope checks the shape of apps/api/v2/src/filters/http-exception.filter.ts.
func errorEnvelope(status int, body []byte) error {
	var env struct {
		Status    string `json:"status"`
		Timestamp string `json:"timestamp"`
		Path      string `json:"path"`
		Error     *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("error response %d is not JSON: %w", status, err)
	}
	if env.Status != "error" || env.Error == nil || env.Error.Code == "" || env.Error.Message == "" || env.Path == "" || env.Timestamp == "" {
		return fmt.Errorf("error response %d lacks the error envelope: %s", status, body)
	}
	return nil
}
