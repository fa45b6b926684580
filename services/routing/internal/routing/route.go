package routing

import (
	"context"
	"strings"
	"time"
)

// RouteType is how a call is routed.
type RouteType string

// The route types.
const (
	RouteSpecificStaff RouteType = "specific_staff"
	RouteNextAvailable RouteType = "next_available"
	RouteTransfer      RouteType = "transfer"
	RouteInfoOnly      RouteType = "info_only"
)

// Metadata keys a web call carries instead of a dialled number.
const (
	MetaCompanyID = "company_id"
	MetaBranchID  = "branch_id"
)

// CallInfo is what the inbound webhook tells us about a call.
type CallInfo struct {
	Web                           bool
	ToNumber, FromNumber, AgentID string
	Metadata                      map[string]any
	Text                          string // what the caller said so far, if anything
	Reference                     time.Time
}

// Decision is where a call goes.
type Decision struct {
	Type                 RouteType
	Branch               Branch
	StaffID, EventTypeID string
	Metadata             map[string]any
	Confidence           float64
	Intent               *Intent
}

// RouteCall finds the branch (by dialled number; for web calls by metadata or agent id) and,
// when the caller has said something, decides by what they want: a named staff member, info
// only, a human, or the next available slot.
func (s *Service) RouteCall(ctx context.Context, c CallInfo) (Decision, error) {
	b, via, err := s.routeBranch(ctx, c)
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Type: RouteNextAvailable, Branch: b, Confidence: 1, Metadata: map[string]any{
		"branch_name": b.Name, "time_zone": b.TimeZone, "routed_by": via,
	}}
	if strings.TrimSpace(c.Text) == "" {
		return d, nil
	}
	in, err := s.AnalyzeIntent(ctx, b.CompanyID, b.ID, c.Text, c.Reference)
	if err != nil {
		return Decision{}, err
	}
	decide(&d, in, c.Text)
	return d, nil
}

func (s *Service) routeBranch(ctx context.Context, c CallInfo) (Branch, string, error) {
	if !c.Web && c.ToNumber != "" {
		b, err := s.ResolveBranch(ctx, c.ToNumber)
		return b, "phone_number", err
	}
	if ref, ok := refFromMetadata(c.Metadata); ok {
		b, err := s.branch(ctx, ref.CompanyID, ref.BranchID)
		return b, "metadata", err
	}
	if ref, ok := s.opts.Agents[c.AgentID]; ok && c.AgentID != "" {
		b, err := s.branch(ctx, ref.CompanyID, ref.BranchID)
		return b, "agent_id", err
	}
	if c.ToNumber != "" {
		b, err := s.ResolveBranch(ctx, c.ToNumber)
		return b, "phone_number", err
	}
	return Branch{}, "", ErrUnroutable
}

func refFromMetadata(m map[string]any) (BranchRef, bool) {
	company, _ := m[MetaCompanyID].(string)
	branch, _ := m[MetaBranchID].(string)
	return BranchRef{CompanyID: company, BranchID: branch}, company != "" && branch != ""
}

// decide sets the route type from the intent. A service or staff member that is ambiguous is
// left for the agent to ask about.
func decide(d *Decision, in Intent, text string) {
	d.Intent = &in
	d.Confidence = in.Confidence
	d.Metadata["action"] = string(in.Action)
	if in.Service != nil && len(in.ServiceAlternatives) == 0 {
		d.EventTypeID = in.Service.ID
	}
	switch {
	case wantsHuman(tokenize(text)):
		d.Type = RouteTransfer
	case in.Action == ActionInfo:
		d.Type = RouteInfoOnly
	case in.Staff != nil && len(in.StaffAlternatives) == 0:
		d.Type, d.StaffID = RouteSpecificStaff, in.Staff.ID
	}
}

// humanCues are how callers ask for a person instead of the agent.
var humanCues = [][]string{
	{"mitarbeiter"}, {"mitarbeiterin"}, {"mensch"}, {"menschen"}, {"echten", "person"}, {"weiterleiten"},
	{"verbinden"}, {"durchstellen"}, {"human"}, {"real", "person"}, {"operator"}, {"representative"},
}

func wantsHuman(toks []token) bool {
	for i := range toks {
		for _, cue := range humanCues {
			if has(toks, i, cue...) {
				return true
			}
		}
	}
	return false
}
