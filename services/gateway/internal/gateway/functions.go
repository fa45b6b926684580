package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/askproai/backend/pkg/retell"

	dbapi "github.com/askproai/backend/pkg/api/database"
	routingapi "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// Function names Retell's agent may call (POST /retell/functions/{name}).
const (
	FnCheckAvailability = "check_availability"
	FnBookAppointment   = "book_appointment"
	FnCancelAppointment = "cancel_appointment"
	FnReschedule        = "reschedule_appointment"
	FnBusinessInfo      = "business_info"
)

// FunctionResult is what the agent gets back: Message is short German it can speak as is;
// the other fields let the prompt branch without parsing text.
type FunctionResult struct {
	Success            bool        `json:"success"`
	Message            string      `json:"message"`
	NeedsClarification bool        `json:"needs_clarification,omitempty"`
	Error              string      `json:"error,omitempty"`
	Options            []SlotOffer `json:"options,omitempty"`
	Booking            *BookedSlot `json:"booking,omitempty"`

	// transient marks an answer caused by a passing failure; it is not remembered, so a
	// retry of the same function call tries again.
	transient bool
}

// SlotOffer is one bookable slot offered to the caller.
type SlotOffer struct {
	Start     string `json:"start"`
	Spoken    string `json:"spoken"`
	StaffID   string `json:"staff_id"`
	StaffName string `json:"staff_name"`
}

// BookedSlot describes a booking the agent can read back.
type BookedSlot struct {
	AppointmentID      string `json:"appointment_id"`
	Start              string `json:"start"`
	Spoken             string `json:"spoken"`
	ConfirmationNumber string `json:"confirmation_number"`
	ConfirmationSpoken string `json:"confirmation_spoken"`
}

type functionRequest struct {
	Name string `json:"name"`
	Call struct {
		CallID           string         `json:"call_id"`
		CallType         string         `json:"call_type"`
		FromNumber       string         `json:"from_number"`
		ToNumber         string         `json:"to_number"`
		AgentID          string         `json:"agent_id"`
		StartTimestamp   int64          `json:"start_timestamp"`
		Metadata         map[string]any `json:"metadata"`
		DynamicVariables map[string]any `json:"retell_llm_dynamic_variables"`
	} `json:"call"`
	Args map[string]json.RawMessage `json:"args"`
}

// fnCall is one function call with its tenant resolved.
type fnCall struct {
	name     string
	req      functionRequest
	args     map[string]string
	company  string
	branch   string
	loc      *time.Location
	ref      time.Time
	callerNo string
}

type fnHandler func(ctx context.Context, c *fnCall) FunctionResult

func (s *Server) functionHandlers() map[string]fnHandler {
	return map[string]fnHandler{
		FnCheckAvailability: s.fnCheckAvailability,
		FnBookAppointment:   s.fnBook,
		FnCancelAppointment: s.fnCancel,
		FnReschedule:        s.fnReschedule,
		FnBusinessInfo:      s.fnBusinessInfo,
	}
}

// handleFunction serves a live function call. The caller is waiting in silence, so every
// answer comes within the function deadline, and every failure after the signature check is a
// 200 with speakable text and success=false: a 500 gives the agent nothing to say.
func (s *Server) handleFunction(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	h, ok := s.fnHandlers[name]
	if !ok {
		writeError(w, http.StatusNotFound, codeUnknownFunction, "unknown function "+name)
		return
	}
	body, ok := readBody(w, r, MaxFunctionBody)
	if !ok {
		return
	}
	if err := s.opt.Verifier.Verify(body, r.Header.Get(retell.SignatureHeader)); err != nil {
		logging.FromContext(r.Context()).Warn().Err(err).Msg("function_signature_rejected")
		writeError(w, http.StatusUnauthorized, codeInvalidSignature, "invalid signature")
		return
	}
	var req functionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusOK, FunctionResult{Message: sayNotUnderstood, Error: "malformed_request"})
		return
	}
	ctx, cancel := context.WithTimeout(rpc.WithIdentity(r.Context(), s.retellIdentity(r, req.Call.CallID)), s.opt.FunctionTimeout)
	defer cancel()
	res := s.fnCached(ctx, name, req, body, func(ctx context.Context) FunctionResult {
		c, res, ok := s.resolveCall(ctx, name, req)
		if !ok {
			return res
		}
		return h(ctx, c)
	})
	writeJSON(w, http.StatusOK, res)
}

// resolveCall finds the tenant: our own metadata from the inbound answer first, then the
// dynamic variables, then the dialled number.
func (s *Server) resolveCall(ctx context.Context, name string, req functionRequest) (*fnCall, FunctionResult, bool) {
	c := &fnCall{name: name, req: req, args: flattenArgs(req.Args), callerNo: req.Call.FromNumber}
	c.ref = s.opt.Now()
	if req.Call.StartTimestamp > 0 {
		c.ref = time.UnixMilli(req.Call.StartTimestamp)
	}
	c.company, c.branch = stringOf(req.Call.Metadata, routingapi.MetaCompanyID), stringOf(req.Call.Metadata, routingapi.MetaBranchID)
	if c.company == "" {
		c.company, c.branch = stringOf(req.Call.DynamicVariables, "company_id"), stringOf(req.Call.DynamicVariables, "branch_id")
	}
	tz := stringOf(req.Call.Metadata, "time_zone")
	if c.company == "" || c.branch == "" {
		if req.Call.ToNumber == "" {
			return nil, FunctionResult{Message: sayInternal, Error: "unknown_tenant"}, false
		}
		b, err := s.routing.ResolveBranch(ctx, routingapi.ResolveBranchParams{PhoneNumber: req.Call.ToNumber})
		if err != nil {
			return nil, s.failure(ctx, err), false
		}
		c.company, c.branch, tz = b.CompanyID, b.ID, b.TimeZone
	}
	if tz == "" {
		b, err := s.db.Branch(ctx, dbapi.BranchParams{CompanyID: c.company, BranchID: c.branch})
		if err != nil {
			return nil, s.failure(ctx, err), false
		}
		tz = b.TimeZone
	}
	c.loc = loadLocation(tz)
	return c, FunctionResult{}, true
}

// failure turns an error into what the agent can say. Unknown errors are logged here, once.
func (s *Server) failure(ctx context.Context, err error) FunctionResult {
	switch {
	case errors.Is(err, rpc.ErrNoResponders), errors.Is(err, rpc.ErrUpstreamUnavailable),
		errors.Is(err, rpc.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, rpc.ErrRateLimited), errors.Is(err, rpc.ErrInProgress):
		logging.FromContext(ctx).Warn().Err(err).Msg("function_degraded")
		return FunctionResult{Message: sayUnavailable, Error: "unavailable", transient: true}
	case errors.Is(err, rpc.ErrValidation), errors.Is(err, rpc.ErrInvalidParams):
		return FunctionResult{Message: sayNotUnderstood, Error: "not_understood", NeedsClarification: true}
	case errors.Is(err, rpc.ErrNotFound):
		return FunctionResult{Message: sayNoAppointment, Error: "not_found", NeedsClarification: true}
	}
	logging.FromContext(ctx).Error().Err(err).Msg("function_failed")
	return FunctionResult{Message: sayInternal, Error: "internal", transient: true}
}

// flattenArgs turns the LLM's arguments into strings: it sends numbers and strings
// interchangeably.
func flattenArgs(raw map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = strings.TrimSpace(s)
			continue
		}
		if t := string(bytes.TrimSpace(v)); t != "null" {
			out[k] = t
		}
	}
	return out
}

// identityArgs are not part of what the caller said about the appointment.
var identityArgs = map[string]bool{
	"name": true, "customer_name": true, "phone": true, "customer_phone": true, "email": true,
	"confirmation_number": true, "start": true, "staff_id": true, "event_type_id": true,
}

// wishText joins the arguments that describe the wish, in a fixed order, for analyzeIntent.
func wishText(args map[string]string) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		if !identityArgs[k] {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return argOrder(keys[i]) < argOrder(keys[j]) || argOrder(keys[i]) == argOrder(keys[j]) && keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, args[k])
	}
	return strings.Join(parts, " ")
}

func argOrder(k string) int {
	switch k {
	case "service", "leistung":
		return 0
	case "staff", "mitarbeiter":
		return 1
	case "date", "day", "datum", "tag":
		return 2
	case "time", "uhrzeit":
		return 3
	}
	return 4
}

func stringOf(m map[string]any, key string) string {
	if v, ok := m[key].(string); ok {
		return v
	}
	return ""
}
