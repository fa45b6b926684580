// Package routing is the wire contract of the routing service: which branch was called, what
// the caller wants and when, who is free, and how to route the call. Method names, params,
// results, the event it listens to, and a typed client; other services import this package and
// nothing else of routing.
//
// Times are instants with the branch's offset; read-backs are German. Phone numbers are E.164.
// Errors use the rpc application codes: not found (unknown number or branch), validation
// (a number that is no phone number, a web call without routing metadata).
package routing

import "time"

// Service is the name the routing service registers on the bus.
const Service = "routing"

// Method names.
const (
	MethodResolveBranch      = "resolveBranch"
	MethodAnalyzeIntent      = "analyzeIntent"
	MethodFindAvailableStaff = "findAvailableStaff"
	MethodRouteCall          = "routeCall"
)

// TopicBranchChanged is published by whoever changes a branch (its numbers, hours, staff or
// services); routing drops what it cached about that branch.
const TopicBranchChanged = "branch.changed"

// Route types of a decision.
const (
	RouteSpecificStaff = "specific_staff"
	RouteNextAvailable = "next_available"
	RouteTransfer      = "transfer"
	RouteInfoOnly      = "info_only"
)

// Call types of RouteCallParams.
const (
	CallTypePhone = "phone_call"
	CallTypeWeb   = "web_call"
)

// Metadata keys a web call carries to be routed without a phone number.
const (
	MetaCompanyID = "company_id"
	MetaBranchID  = "branch_id"
)

// ResolveBranchParams name the dialled number in any common notation.
type ResolveBranchParams struct {
	PhoneNumber string `msgpack:"phone_number" json:"phone_number"`
}

// Branch is the branch a call reached.
type Branch struct {
	ID          string `msgpack:"id" json:"id"`
	CompanyID   string `msgpack:"company_id" json:"company_id"`
	Name        string `msgpack:"name" json:"name"`
	PhoneNumber string `msgpack:"phone_number" json:"phone_number"`
	TimeZone    string `msgpack:"time_zone" json:"time_zone"`
}

// AnalyzeIntentParams are the caller's words, anchored at ReferenceTime (the call's start) in
// the branch's time zone and matched against the branch's catalogue.
type AnalyzeIntentParams struct {
	CompanyID     string    `msgpack:"company_id" json:"company_id"`
	BranchID      string    `msgpack:"branch_id,omitempty" json:"branch_id,omitempty"`
	Text          string    `msgpack:"text" json:"text"`
	ReferenceTime time.Time `msgpack:"reference_time" json:"reference_time"`
}

// Match is a catalogue entry the caller named.
type Match struct {
	ID    string  `msgpack:"id" json:"id"`
	Name  string  `msgpack:"name" json:"name"`
	Score float64 `msgpack:"score" json:"score"`
}

// When is one reading of a requested time. Kind is at, range, after, before, day or week.
type When struct {
	Kind        string    `msgpack:"kind" json:"kind"`
	Start       time.Time `msgpack:"start" json:"start"`
	End         time.Time `msgpack:"end,omitempty" json:"end,omitzero"`
	Readback    string    `msgpack:"readback,omitempty" json:"readback,omitempty"`
	DateImplied bool      `msgpack:"date_implied,omitempty" json:"date_implied,omitempty"`
}

// Caller is what callers say about themselves.
type Caller struct {
	Name  string `msgpack:"name,omitempty" json:"name,omitempty"`
	Phone string `msgpack:"phone,omitempty" json:"phone,omitempty"`
	Email string `msgpack:"email,omitempty" json:"email,omitempty"`
}

// Intent answers analyzeIntent. Action is none, book, cancel, reschedule or info. More than one
// entry in Times (Ambiguous) means: ask the caller, do not pick.
type Intent struct {
	Action              string  `msgpack:"action" json:"action"`
	ActionConfidence    float64 `msgpack:"action_confidence" json:"action_confidence"`
	Service             *Match  `msgpack:"service,omitempty" json:"service,omitempty"`
	ServiceAlternatives []Match `msgpack:"service_alternatives,omitempty" json:"service_alternatives,omitempty"`
	Staff               *Match  `msgpack:"staff,omitempty" json:"staff,omitempty"`
	StaffAlternatives   []Match `msgpack:"staff_alternatives,omitempty" json:"staff_alternatives,omitempty"`
	Times               []When  `msgpack:"times,omitempty" json:"times,omitempty"`
	Ambiguous           bool    `msgpack:"ambiguous" json:"ambiguous"`
	Original            []When  `msgpack:"original,omitempty" json:"original,omitempty"`
	Caller              Caller  `msgpack:"caller" json:"caller"`
	Confidence          float64 `msgpack:"confidence" json:"confidence"`
}

// FindAvailableStaffParams ask who offers a service at a branch and is free at Start.
type FindAvailableStaffParams struct {
	CompanyID   string    `msgpack:"company_id" json:"company_id"`
	BranchID    string    `msgpack:"branch_id" json:"branch_id"`
	EventTypeID string    `msgpack:"event_type_id" json:"event_type_id"`
	Start       time.Time `msgpack:"start" json:"start"`
}

// StaffMember is someone who can take the appointment.
type StaffMember struct {
	ID   string `msgpack:"id" json:"id"`
	Name string `msgpack:"name" json:"name"`
}

// StaffList answers findAvailableStaff.
type StaffList struct {
	Staff []StaffMember `msgpack:"staff" json:"staff"`
}

// RouteCallParams carry what the inbound webhook knows. Phone calls are routed by ToNumber;
// web calls by Metadata (MetaBranchID, MetaCompanyID) or AgentID. Text, when present, is what
// the caller has said so far.
type RouteCallParams struct {
	CallType      string         `msgpack:"call_type,omitempty" json:"call_type,omitempty"`
	ToNumber      string         `msgpack:"to_number,omitempty" json:"to_number,omitempty"`
	FromNumber    string         `msgpack:"from_number,omitempty" json:"from_number,omitempty"`
	AgentID       string         `msgpack:"agent_id,omitempty" json:"agent_id,omitempty"`
	Metadata      map[string]any `msgpack:"metadata,omitempty" json:"metadata,omitempty"`
	Text          string         `msgpack:"text,omitempty" json:"text,omitempty"`
	ReferenceTime time.Time      `msgpack:"reference_time,omitempty" json:"reference_time,omitzero"`
}

// Decision answers routeCall: the branch, the route type and what it routes to.
type Decision struct {
	Type        string         `msgpack:"type" json:"type"`
	StaffID     string         `msgpack:"staff_id,omitempty" json:"staff_id,omitempty"`
	EventTypeID string         `msgpack:"event_type_id,omitempty" json:"event_type_id,omitempty"`
	BranchID    string         `msgpack:"branch_id" json:"branch_id"`
	CompanyID   string         `msgpack:"company_id" json:"company_id"`
	Metadata    map[string]any `msgpack:"metadata,omitempty" json:"metadata,omitempty"`
	Confidence  float64        `msgpack:"confidence" json:"confidence"`
	Intent      *Intent        `msgpack:"intent,omitempty" json:"intent,omitempty"`
}

// BranchChangedEvent is the payload of TopicBranchChanged. PhoneNumbers are the branch's
// numbers before and after the change, so a number that moved is dropped too.
type BranchChangedEvent struct {
	CompanyID    string   `msgpack:"company_id" json:"company_id"`
	BranchID     string   `msgpack:"branch_id" json:"branch_id"`
	PhoneNumbers []string `msgpack:"phone_numbers,omitempty" json:"phone_numbers,omitempty"`
}
