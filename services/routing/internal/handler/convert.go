package handler

import (
	api "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/services/routing/internal/routing"
)

func toBranch(b routing.Branch) api.Branch {
	return api.Branch{ID: b.ID, CompanyID: b.CompanyID, Name: b.Name, PhoneNumber: b.PhoneNumber, TimeZone: b.TimeZone}
}

func toIntent(in routing.Intent) api.Intent {
	return api.Intent{
		Action: string(in.Action), ActionConfidence: in.ActionConfidence,
		Service: toMatch(in.Service), ServiceAlternatives: toMatches(in.ServiceAlternatives),
		Staff: toMatch(in.Staff), StaffAlternatives: toMatches(in.StaffAlternatives),
		Times: toWhens(in.Times), Ambiguous: in.Ambiguous, Original: toWhens(in.Original),
		Caller:     api.Caller{Name: in.Caller.Name, Phone: in.Caller.Phone, Email: in.Caller.Email},
		Confidence: in.Confidence,
	}
}

func toMatch(m *routing.Match) *api.Match {
	if m == nil {
		return nil
	}
	return &api.Match{ID: m.ID, Name: m.Name, Score: m.Score}
}

func toMatches(ms []routing.Match) []api.Match {
	var out []api.Match
	for _, m := range ms {
		out = append(out, api.Match{ID: m.ID, Name: m.Name, Score: m.Score})
	}
	return out
}

func toWhens(ws []routing.When) []api.When {
	var out []api.When
	for _, w := range ws {
		out = append(out, api.When{Kind: string(w.Kind), Start: w.Start, End: w.End, Readback: w.Readback, DateImplied: w.DateImplied})
	}
	return out
}

func toDecision(d routing.Decision) api.Decision {
	out := api.Decision{
		Type: string(d.Type), StaffID: d.StaffID, EventTypeID: d.EventTypeID, BranchID: d.Branch.ID,
		CompanyID: d.Branch.CompanyID, Metadata: d.Metadata, Confidence: d.Confidence,
	}
	if d.Intent != nil {
		in := toIntent(*d.Intent)
		out.Intent = &in
	}
	return out
}
