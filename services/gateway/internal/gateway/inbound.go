package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/askproai/backend/pkg/retell"

	dbapi "github.com/askproai/backend/pkg/api/database"
	routingapi "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// Policies for a call to a number no branch owns (INBOUND_UNKNOWN_POLICY).
const (
	// UnknownAllow lets the number's own Retell agent take the call with no variables.
	UnknownAllow = "allow"
	// UnknownReject hangs up before any agent is set up.
	UnknownReject = "reject"
)

type inboundRequest struct {
	Event       string `json:"event"`
	CallInbound struct {
		FromNumber string `json:"from_number"`
		ToNumber   string `json:"to_number"`
		AgentID    string `json:"agent_id"`
		CallID     string `json:"call_id"`
	} `json:"call_inbound"`
}

// inboundAnswer is Retell's call_inbound response. Dynamic variables must be strings: any other
// value makes Retell treat the whole response as invalid.
type inboundAnswer struct {
	DynamicVariables map[string]string `json:"dynamic_variables,omitempty"`
	Metadata         map[string]any    `json:"metadata,omitempty"`
	Reject           bool              `json:"reject,omitempty"`
}

// handleInbound answers Retell's inbound webhook while the caller hears ringing: which branch
// was called and whether the caller is known. It always answers 200 once the signature is
// good: an internal failure gives the agent default variables (fail open) instead of more
// ringing and Retell's retries.
func (s *Server) handleInbound(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, MaxFunctionBody)
	if !ok {
		return
	}
	if err := s.opt.Verifier.Verify(body, r.Header.Get(retell.SignatureHeader)); err != nil {
		logging.FromContext(r.Context()).Warn().Err(err).Msg("inbound_signature_rejected")
		writeError(w, http.StatusUnauthorized, codeInvalidSignature, "invalid signature")
		return
	}
	var req inboundRequest
	if err := json.Unmarshal(body, &req); err != nil || req.CallInbound.ToNumber == "" {
		writeError(w, http.StatusBadRequest, codeMalformedPayload, "expected {event: call_inbound, call_inbound: {from_number, to_number}}")
		return
	}
	ctx, cancel := context.WithTimeout(rpc.WithIdentity(r.Context(), s.retellIdentity(r, req.CallInbound.CallID)), s.opt.InboundTimeout)
	defer cancel()
	ans, err := s.inbound(ctx, req)
	if err != nil {
		logging.FromContext(r.Context()).Error().Err(err).Msg("inbound_failed_open")
		ans = s.defaultInbound()
	}
	writeJSON(w, http.StatusOK, map[string]inboundAnswer{"call_inbound": ans})
}

func (s *Server) inbound(ctx context.Context, req inboundRequest) (inboundAnswer, error) {
	branch, err := s.routing.ResolveBranch(ctx, routingapi.ResolveBranchParams{PhoneNumber: req.CallInbound.ToNumber})
	if errors.Is(err, rpc.ErrNotFound) || errors.Is(err, rpc.ErrValidation) {
		logging.FromContext(ctx).Warn().Str("policy", s.opt.UnknownNumberPolicy).Msg("call_to_unknown_number")
		if s.opt.UnknownNumberPolicy == UnknownReject {
			return inboundAnswer{Reject: true}, nil
		}
		return inboundAnswer{}, nil
	}
	if err != nil {
		return inboundAnswer{}, err
	}
	loc := loadLocation(branch.TimeZone)
	now := s.opt.Now().In(loc)
	ans := inboundAnswer{
		DynamicVariables: map[string]string{
			"branch_name":  branch.Name,
			"company_id":   branch.CompanyID,
			"branch_id":    branch.ID,
			"time_zone":    loc.String(),
			"current_time": germanDateTime(now),
			"caller_known": "false",
		},
		Metadata: map[string]any{routingapi.MetaCompanyID: branch.CompanyID, routingapi.MetaBranchID: branch.ID, "time_zone": loc.String()},
	}
	s.addCompany(ctx, branch.CompanyID, ans)
	s.addCaller(ctx, branch.CompanyID, req.CallInbound.FromNumber, ans)
	return ans, nil
}

// addCompany and addCaller enrich the answer; their failures only leave variables out.
func (s *Server) addCompany(ctx context.Context, companyID string, ans inboundAnswer) {
	c, err := s.db.Company(ctx, dbapi.CompanyParams{CompanyID: companyID})
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Msg("inbound_company_lookup_failed")
		return
	}
	ans.DynamicVariables["company_name"] = c.Name
}

func (s *Server) addCaller(ctx context.Context, companyID, from string, ans inboundAnswer) {
	if from == "" {
		return
	}
	// findOrCreate: the call's own save creates the customer anyway, so creating it here
	// costs nothing and lets the agent greet a returning caller by name.
	res, err := s.db.FindOrCreateCustomer(ctx, dbapi.FindOrCreateCustomerParams{CompanyID: companyID, Phone: from})
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Msg("inbound_caller_lookup_failed")
		return
	}
	ans.Metadata["customer_id"] = res.Customer.ID
	if !res.Created {
		ans.DynamicVariables["caller_known"] = "true"
		ans.DynamicVariables["caller_name"] = res.Customer.Name
	}
}

// defaultInbound is the fail-open answer: the agent runs with neutral variables and routes
// later from the number.
func (s *Server) defaultInbound() inboundAnswer {
	now := s.opt.Now().In(s.opt.DefaultLocation)
	return inboundAnswer{DynamicVariables: map[string]string{
		"caller_known": "false",
		"current_time": germanDateTime(now),
		"time_zone":    s.opt.DefaultLocation.String(),
	}}
}

func loadLocation(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}
