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
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
)

// exposed is one method other teams may call through POST /rpc. Each is typed: params are
// decoded from JSON into the method's own Go type (so times and numbers keep their meaning on
// the bus), the key's tenant is written over any company_id the caller sent, and the result is
// encoded back to JSON.
type exposed struct {
	service, method string
	// class is the rate-limit budget the method is charged to, besides the tenant's total.
	class  string
	invoke func(ctx context.Context, bus Bus, tenant string, params json.RawMessage) (any, error)
}

func expose[P, R any](service, method string) exposed {
	return exposed{service: service, method: method, class: classOf(service, method), invoke: func(ctx context.Context, bus Bus, tenant string, raw json.RawMessage) (any, error) {
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

// calcomWrites are the exposed methods that write to the tenant's Cal.com account.
var calcomWrites = map[string]bool{
	bookingapi.Service + "." + bookingapi.MethodCreate:     true,
	bookingapi.Service + "." + bookingapi.MethodCancel:     true,
	bookingapi.Service + "." + bookingapi.MethodReschedule: true,
}

func classOf(service, method string) string {
	if calcomWrites[service+"."+method] {
		return ClassCalcomWrite
	}
	return ClassRead
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

// handleRPC serves JSON-RPC 2.0 over HTTP: authenticate (authhttp.go), charge every call of the request to
// the tenant's budgets, then forward each request of a single call or batch to the bus. A
// request over budget is refused whole, before any of its calls runs.
func (s *Server) handleRPC(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, MaxRPCBody)
	if !ok {
		return
	}
	principal, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	tenant := principal.CompanyID
	req := parseRPCBody(body)
	if !s.allow(w, r, tenant, s.cost(req)) {
		return
	}
	r = r.WithContext(rpc.WithIdentity(r.Context(), s.apiIdentity(r, principal, r.Header.Get(APIKeyHeader))))
	switch {
	case req.problem != nil:
		writeJSON(w, http.StatusOK, req.problem)
	case req.batch:
		s.rpcBatch(w, r, tenant, req.items)
	default:
		resp, notify := s.rpcOne(r.Context(), tenant, req.items[0])
		if notify {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

// MaxBatch is the largest batch /rpc accepts.
const MaxBatch = 50

// rpcBody is a /rpc body split into its calls: one for a single request, the elements of a
// batch, or none when the body as a whole is answered with problem.
type rpcBody struct {
	items   []json.RawMessage
	batch   bool
	problem *jsonRPCResponse
}

func parseRPCBody(body []byte) rpcBody {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return rpcBody{items: []json.RawMessage{trimmed}}
	}
	var items []json.RawMessage
	problem := func(code int, msg string) rpcBody {
		resp := errorResponse(nil, code, msg)
		return rpcBody{batch: true, problem: &resp}
	}
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return problem(rpc.CodeParseError, "parse error")
	}
	if len(items) == 0 {
		return problem(rpc.CodeInvalidRequest, "empty batch")
	}
	if len(items) > MaxBatch {
		return problem(rpc.CodeInvalidRequest, "batch larger than "+strconv.Itoa(MaxBatch))
	}
	return rpcBody{items: items, batch: true}
}

// cost counts the calls of a request by method class. Every element costs one, whether it is
// valid or not; a body answered as a whole (parse error, empty or oversized batch) costs one.
func (s *Server) cost(req rpcBody) Cost {
	if req.problem != nil {
		return Cost{Read: 1}
	}
	var c Cost
	for _, it := range req.items {
		var head struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(it, &head) // an unreadable element is a read: it reaches nothing
		if m, ok := s.exposed[head.Method]; ok && m.class == ClassCalcomWrite {
			c.CalcomWrite++
		} else {
			c.Read++
		}
	}
	return c
}

// allow charges cost to the tenant's budgets. Past a budget it answers 429 with Retry-After
// (whole seconds, rounded up); a cost above a budget's burst can never pass and is answered
// -32600 instead, so a client does not retry it.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, tenant string, cost Cost) bool {
	d, err := s.opt.Limiter.Charge(r.Context(), tenant, cost)
	if err != nil {
		// Fail open: a Redis hiccup must not take every tenant's integration down; the bus
		// calls that follow need Redis anyway and will fail on their own if it is gone.
		logging.FromContext(r.Context()).Warn().Err(err).Msg("rate_limiter_unavailable")
		return true
	}
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	w.Header().Set("X-RateLimit-Budget", d.Budget)
	if d.Allowed {
		return true
	}
	if d.RetryAfter == ratelimit.Never {
		calls := map[string]int{budgetTotal: cost.total(), ClassRead: cost.Read, ClassCalcomWrite: cost.CalcomWrite}[d.Budget]
		msg := "batch holds " + strconv.Itoa(calls) + " " + d.Budget + " calls, more than that rate limit's burst of " +
			strconv.Itoa(d.Limit) + "; send at most " + strconv.Itoa(d.Limit) + " at once"
		writeJSON(w, http.StatusOK, errorResponse(nil, rpc.CodeInvalidRequest, msg))
		return false
	}
	secs := max(int((d.RetryAfter+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	resp := errorResponse(nil, rpc.CodeRateLimited, "rate limit exceeded")
	resp.Error.Data = map[string]any{"budget": d.Budget, "retry_after_seconds": secs}
	writeJSON(w, http.StatusTooManyRequests, resp)
	return false
}

func (s *Server) rpcBatch(w http.ResponseWriter, r *http.Request, tenant string, items []json.RawMessage) {
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
	logging.FromContext(ctx).Error().Err(err).Msg("rpc_forward_failed")
	return errorResponse(id, rpc.CodeInternal, "internal error")
}
