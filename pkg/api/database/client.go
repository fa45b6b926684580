package database

import (
	"context"

	"github.com/askproai/backend/pkg/rpc"
)

// Client calls the database service through pkg/rpc. Each method sets the acting tenant in the
// envelope from its params, so the service can check that both agree.
type Client struct {
	rpc *rpc.Client
}

// NewClient wraps an rpc client.
func NewClient(c *rpc.Client) *Client { return &Client{rpc: c} }

// CompanyByAPIKeyDigest resolves the tenant of an API key (hex SHA-256 of the key).
func (c *Client) CompanyByAPIKeyDigest(ctx context.Context, p ByAPIKeyDigestParams, opts ...rpc.CallOption) (Company, error) {
	return rpc.CallAs[Company](ctx, c.rpc, Service, MethodCompaniesByAPIKeyDigest, "", p, opts...)
}

// Company loads a tenant.
func (c *Client) Company(ctx context.Context, p CompanyParams, opts ...rpc.CallOption) (Company, error) {
	return rpc.CallAs[Company](ctx, c.rpc, Service, MethodCompaniesGet, p.CompanyID, p, opts...)
}

// BranchByPhone resolves the branch of a dialled number.
func (c *Client) BranchByPhone(ctx context.Context, p BranchByPhoneParams, opts ...rpc.CallOption) (Branch, error) {
	return rpc.CallAs[Branch](ctx, c.rpc, Service, MethodBranchesByPhone, p.CompanyID, p, opts...)
}

// Branch loads one branch.
func (c *Client) Branch(ctx context.Context, p BranchParams, opts ...rpc.CallOption) (Branch, error) {
	return rpc.CallAs[Branch](ctx, c.rpc, Service, MethodBranchesGet, p.CompanyID, p, opts...)
}

// Branches lists a tenant's branches.
func (c *Client) Branches(ctx context.Context, p CompanyParams, opts ...rpc.CallOption) (BranchList, error) {
	return rpc.CallAs[BranchList](ctx, c.rpc, Service, MethodBranchesList, p.CompanyID, p, opts...)
}

// Staff lists active staff.
func (c *Client) Staff(ctx context.Context, p CatalogueParams, opts ...rpc.CallOption) (StaffList, error) {
	return rpc.CallAs[StaffList](ctx, c.rpc, Service, MethodStaffList, p.CompanyID, p, opts...)
}

// StaffByName finds staff by name or alias.
func (c *Client) StaffByName(ctx context.Context, p ByNameParams, opts ...rpc.CallOption) (StaffList, error) {
	return rpc.CallAs[StaffList](ctx, c.rpc, Service, MethodStaffByName, p.CompanyID, p, opts...)
}

// EventTypes lists active event types.
func (c *Client) EventTypes(ctx context.Context, p CatalogueParams, opts ...rpc.CallOption) (EventTypeList, error) {
	return rpc.CallAs[EventTypeList](ctx, c.rpc, Service, MethodEventTypesList, p.CompanyID, p, opts...)
}

// EventTypesByName finds event types by name or spoken alias.
func (c *Client) EventTypesByName(ctx context.Context, p ByNameParams, opts ...rpc.CallOption) (EventTypeList, error) {
	return rpc.CallAs[EventTypeList](ctx, c.rpc, Service, MethodEventTypesByName, p.CompanyID, p, opts...)
}

// FindOrCreateCustomer finds a caller by phone number or creates them.
func (c *Client) FindOrCreateCustomer(ctx context.Context, p FindOrCreateCustomerParams, opts ...rpc.CallOption) (FindOrCreateCustomerResult, error) {
	return rpc.CallAs[FindOrCreateCustomerResult](ctx, c.rpc, Service, MethodCustomersFindOrCreate, p.CompanyID, p, opts...)
}

// Customer loads one customer with its contact details decrypted; another tenant's customer
// answers rpc.ErrNotFound. Callers use it when they need to reach someone and keep no copy.
func (c *Client) Customer(ctx context.Context, p CustomerParams, opts ...rpc.CallOption) (Customer, error) {
	return rpc.CallAs[Customer](ctx, c.rpc, Service, MethodCustomersGet, p.CompanyID, p, opts...)
}

// SaveCall upserts a call and its caller.
func (c *Client) SaveCall(ctx context.Context, p SaveCallParams, opts ...rpc.CallOption) (Call, error) {
	return rpc.CallAs[Call](ctx, c.rpc, Service, MethodCallsSave, p.CompanyID, p, opts...)
}

// Call loads one call by our id or Retell's.
func (c *Client) Call(ctx context.Context, p GetCallParams, opts ...rpc.CallOption) (Call, error) {
	return rpc.CallAs[Call](ctx, c.rpc, Service, MethodCallsGet, p.CompanyID, p, opts...)
}

// LinkAppointment links a call and an appointment.
func (c *Client) LinkAppointment(ctx context.Context, p LinkAppointmentParams, opts ...rpc.CallOption) (Call, error) {
	return rpc.CallAs[Call](ctx, c.rpc, Service, MethodCallsLinkAppointment, p.CompanyID, p, opts...)
}

// CreateAppointment books a slot; rpc.ErrConflict when it is taken.
func (c *Client) CreateAppointment(ctx context.Context, p CreateAppointmentParams, opts ...rpc.CallOption) (Appointment, error) {
	return rpc.CallAs[Appointment](ctx, c.rpc, Service, MethodAppointmentsCreate, p.CompanyID, p, opts...)
}

// Appointment loads one appointment.
func (c *Client) Appointment(ctx context.Context, p AppointmentParams, opts ...rpc.CallOption) (Appointment, error) {
	return rpc.CallAs[Appointment](ctx, c.rpc, Service, MethodAppointmentsGet, p.CompanyID, p, opts...)
}

// CancelAppointment cancels an appointment (idempotent).
func (c *Client) CancelAppointment(ctx context.Context, p CancelAppointmentParams, opts ...rpc.CallOption) (Appointment, error) {
	return rpc.CallAs[Appointment](ctx, c.rpc, Service, MethodAppointmentsCancel, p.CompanyID, p, opts...)
}

// RescheduleAppointment moves an appointment atomically and returns the new one.
func (c *Client) RescheduleAppointment(ctx context.Context, p RescheduleAppointmentParams, opts ...rpc.CallOption) (Appointment, error) {
	return rpc.CallAs[Appointment](ctx, c.rpc, Service, MethodAppointmentsReschedule, p.CompanyID, p, opts...)
}

// ActiveAppointments lists a staff member's active appointments in a range.
func (c *Client) ActiveAppointments(ctx context.Context, p ListActiveParams, opts ...rpc.CallOption) (AppointmentList, error) {
	return rpc.CallAs[AppointmentList](ctx, c.rpc, Service, MethodAppointmentsListActive, p.CompanyID, p, opts...)
}

// AppointmentByConfirmation finds an appointment by its confirmation number.
func (c *Client) AppointmentByConfirmation(ctx context.Context, p ByConfirmationParams, opts ...rpc.CallOption) (Appointment, error) {
	return rpc.CallAs[Appointment](ctx, c.rpc, Service, MethodAppointmentsByConfirmation, p.CompanyID, p, opts...)
}

// AppointmentsByCustomerPhone lists a caller's appointments.
func (c *Client) AppointmentsByCustomerPhone(ctx context.Context, p ByCustomerPhoneParams, opts ...rpc.CallOption) (AppointmentList, error) {
	return rpc.CallAs[AppointmentList](ctx, c.rpc, Service, MethodAppointmentsByCustomerPhone, p.CompanyID, p, opts...)
}

// Analytics returns daily figures per branch.
func (c *Client) Analytics(ctx context.Context, p AnalyticsParams, opts ...rpc.CallOption) (AnalyticsResult, error) {
	return rpc.CallAs[AnalyticsResult](ctx, c.rpc, Service, MethodAnalyticsDaily, p.CompanyID, p, opts...)
}

// AppendAudit records a change made on behalf of a tenant.
func (c *Client) AppendAudit(ctx context.Context, p AuditAppendParams, opts ...rpc.CallOption) (Ack, error) {
	return rpc.CallAs[Ack](ctx, c.rpc, Service, MethodAuditAppend, p.CompanyID, p, opts...)
}

// AppendOutbox queues an event for at-least-once publication.
func (c *Client) AppendOutbox(ctx context.Context, p OutboxAppendParams, opts ...rpc.CallOption) (Ack, error) {
	return rpc.CallAs[Ack](ctx, c.rpc, Service, MethodOutboxAppend, p.CompanyID, p, opts...)
}

// ClaimInbox records a webhook delivery; First is false for a duplicate.
func (c *Client) ClaimInbox(ctx context.Context, p InboxClaimParams, opts ...rpc.CallOption) (InboxClaimResult, error) {
	return rpc.CallAs[InboxClaimResult](ctx, c.rpc, Service, MethodInboxClaim, p.CompanyID, p, opts...)
}

// CalcomAPIKey returns a tenant's decrypted Cal.com API key.
func (c *Client) CalcomAPIKey(ctx context.Context, p CompanyParams, opts ...rpc.CallOption) (CalcomAPIKeyResult, error) {
	return rpc.CallAs[CalcomAPIKeyResult](ctx, c.rpc, Service, MethodCompaniesCalcomAPIKey, p.CompanyID, p, opts...)
}

// UpsertBranch creates or replaces a branch.
func (c *Client) UpsertBranch(ctx context.Context, p UpsertBranchParams, opts ...rpc.CallOption) (Branch, error) {
	return rpc.CallAs[Branch](ctx, c.rpc, Service, MethodBranchesUpsert, p.Branch.CompanyID, p, opts...)
}

// UpsertStaff creates or replaces a staff member.
func (c *Client) UpsertStaff(ctx context.Context, p UpsertStaffParams, opts ...rpc.CallOption) (Staff, error) {
	return rpc.CallAs[Staff](ctx, c.rpc, Service, MethodStaffUpsert, p.Staff.CompanyID, p, opts...)
}

// UpsertEventType creates or updates an event type by its Cal.com id.
func (c *Client) UpsertEventType(ctx context.Context, p UpsertEventTypeParams, opts ...rpc.CallOption) (EventType, error) {
	return rpc.CallAs[EventType](ctx, c.rpc, Service, MethodEventTypesUpsert, p.EventType.CompanyID, p, opts...)
}

// SetCalcomLimits stores Cal.com's notice and horizon of an event type found by its Cal.com id.
func (c *Client) SetCalcomLimits(ctx context.Context, p SetCalcomLimitsParams, opts ...rpc.CallOption) (EventType, error) {
	return rpc.CallAs[EventType](ctx, c.rpc, Service, MethodEventTypesSetCalcomLimits, p.CompanyID, p, opts...)
}
