package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"time"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	callapi "github.com/askproai/backend/pkg/api/call"
	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// exposed is one method other teams may call through POST /rpc. Each is typed: params are
// decoded from JSON into the method's own Go type (so times and numbers keep their meaning on
// the bus), the key's tenant is written over any company_id the caller sent, and the result is
// encoded back to JSON.
type exposed struct {
	service, method string
	invoke          func(ctx context.Context, bus Bus, tenant string, params json.RawMessage) (any, error)
}

func expose[P, R any](service, method string) exposed {
	return exposed{service: service, method: method, invoke: func(ctx context.Context, bus Bus, tenant string, raw json.RawMessage) (any, error) {
		var p P
		if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, rpc.NewError(rpc.CodeInvalidParams, "invalid params: "+jsonProblem(err), nil)
			}
		}
		forceTenant(&p, tenant)
		var r R
		if err := bus.Call(rpc.WithTenant(ctx, tenant), service, method, p, &r); err != nil {
			return nil, err
		}
		return r, nil
	}}
}

// forceTenant sets the CompanyID field of *p, whatever the caller sent: nobody acts for
// another tenant.
func forceTenant(p any, tenant string) {
	v := reflect.ValueOf(p).Elem()
	if v.Kind() != reflect.Struct {
		return
	}
	if f := v.FieldByName("CompanyID"); f.IsValid() && f.CanSet() && f.Kind() == reflect.String {
		f.SetString(tenant)
	}
}

// ExposedMethods is the allowlist of POST /rpc, by public name "<service>.<method>".
func ExposedMethods() map[string]exposed {
	list := []exposed{
		expose[bookingapi.AvailabilityParams, bookingapi.AvailabilityResult](bookingapi.Service, bookingapi.MethodCheckAvailability),
		expose[bookingapi.CreateParams, bookingapi.CreateResult](bookingapi.Service, bookingapi.MethodCreate),
		expose[bookingapi.CancelParams, bookingapi.CancelResult](bookingapi.Service, bookingapi.MethodCancel),
		expose[bookingapi.RescheduleParams, bookingapi.RescheduleResult](bookingapi.Service, bookingapi.MethodReschedule),
		expose[callapi.AnalyticsParams, callapi.AnalyticsResult](callapi.Service, callapi.MethodAnalytics),
		expose[dbapi.CompanyParams, dbapi.BranchList](dbapi.Service, dbapi.MethodBranchesList),
		expose[dbapi.CatalogueParams, dbapi.StaffList](dbapi.Service, dbapi.MethodStaffList),
		expose[dbapi.CatalogueParams, dbapi.EventTypeList](dbapi.Service, dbapi.MethodEventTypesList),
		expose[dbapi.ByConfirmationParams, dbapi.Appointment](dbapi.Service, dbapi.MethodAppointmentsByConfirmation),
	}
	m := make(map[string]exposed, len(list))
	for _, e := range list {
		m[e.service+"."+e.method] = e
	}
	return m
}

type jsonRPCRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
	ID      json.RawMessage `json:"id,omitempty"`
}

type jsonRPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

type jsonRPCResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *jsonRPCError   `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

// handleRPC serves JSON-RPC 2.0 over HTTP: authenticate, rate-limit, then forward each
// request of a single call or batch to the bus.
func (s *Server) handleRPC(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, MaxRPCBody)
	if !ok {
		return
	}
	tenant, err := s.opt.Auth.Tenant(r.Context(), r.Header.Get(APIKeyHeader))
	if err != nil {
		if errors.Is(err, ErrUnknownKey) {
			writeError(w, http.StatusUnauthorized, codeUnknownAPIKey, "missing or unknown API key")
			return
		}
		logging.FromContext(r.Context()).Error().Err(err).Msg("api key lookup failed")
		writeError(w, http.StatusServiceUnavailable, codeAuthUnavailable, "authentication unavailable, retry")
		return
	}
	if !s.allow(w, r, tenant) {
		return
	}
	r = r.WithContext(rpc.WithIdentity(r.Context(), s.apiIdentity(r, r.Header.Get(APIKeyHeader))))
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		s.rpcBatch(w, r, tenant, trimmed)
		return
	}
	resp, notify := s.rpcOne(r.Context(), tenant, trimmed)
	if notify {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) allow(w http.ResponseWriter, r *http.Request, tenant string) bool {
	d, err := s.opt.Limiter.Allow(r.Context(), tenant)
	if err != nil {
		// Fail open: a Redis hiccup must not take every tenant's integration down; the bus
		// calls that follow need Redis anyway and will fail on their own if it is gone.
		logging.FromContext(r.Context()).Warn().Err(err).Msg("rate limiter unavailable")
		return true
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	if d.Allowed {
		return true
	}
	secs := int((d.RetryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, http.StatusTooManyRequests, codeRateLimited, "rate limit exceeded")
	return false
}

func (s *Server) rpcBatch(w http.ResponseWriter, r *http.Request, tenant string, body []byte) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		writeJSON(w, http.StatusOK, errorResponse(nil, rpc.CodeParseError, "parse error"))
		return
	}
	if len(items) == 0 {
		writeJSON(w, http.StatusOK, errorResponse(nil, rpc.CodeInvalidRequest, "empty batch"))
		return
	}
	if len(items) > 50 {
		writeJSON(w, http.StatusOK, errorResponse(nil, rpc.CodeInvalidRequest, "batch larger than 50"))
		return
	}
	out := make([]jsonRPCResponse, 0, len(items))
	for _, it := range items {
		if resp, notify := s.rpcOne(r.Context(), tenant, it); !notify {
			out = append(out, resp)
		}
	}
	if len(out) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// rpcOne answers one request object; notify reports a valid notification (no reply).
func (s *Server) rpcOne(ctx context.Context, tenant string, raw []byte) (jsonRPCResponse, bool) {
	var req jsonRPCRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return errorResponse(nil, rpc.CodeParseError, "parse error"), false
		}
		return errorResponse(nil, rpc.CodeInvalidRequest, "invalid request"), false
	}
	if req.JSONRPC != "2.0" || req.Method == "" || !validID(req.ID) {
		return errorResponse(req.ID, rpc.CodeInvalidRequest, "invalid request"), false
	}
	m, ok := s.exposed[req.Method]
	if !ok {
		return errorResponse(req.ID, rpc.CodeMethodNotFound, "method not found"), req.ID == nil
	}
	if namesActor(req.Params) {
		return errorResponse(req.ID, rpc.CodeInvalidParams, msgActorRefused), req.ID == nil
	}
	result, err := m.invoke(ctx, s.opt.Bus, tenant, req.Params)
	if req.ID == nil {
		return jsonRPCResponse{}, true
	}
	if err != nil {
		return wireError(ctx, req.ID, err), false
	}
	return jsonRPCResponse{JSONRPC: "2.0", Result: result, ID: req.ID}, false
}

// validID accepts what JSON-RPC 2.0 allows: absent (notification), a string, a number or null.
func validID(id json.RawMessage) bool {
	if id == nil {
		return true
	}
	switch id[0] {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

func errorResponse(id json.RawMessage, code int, msg string) jsonRPCResponse {
	if id == nil {
		id = json.RawMessage("null")
	}
	return jsonRPCResponse{JSONRPC: "2.0", Error: &jsonRPCError{Code: code, Message: msg}, ID: id}
}

// wireError passes a service's *rpc.Error through; anything else is internal, logged here.
func wireError(ctx context.Context, id json.RawMessage, err error) jsonRPCResponse {
	var re *rpc.Error
	if errors.As(err, &re) {
		resp := errorResponse(id, re.Code, re.Message)
		resp.Error.Data = re.Data
		return resp
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errorResponse(id, rpc.CodeDeadlineExceeded, "deadline exceeded")
	}
	logging.FromContext(ctx).Error().Err(err).Msg("rpc forward failed")
	return errorResponse(id, rpc.CodeInternal, "internal error")
}
