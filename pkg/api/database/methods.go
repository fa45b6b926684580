// Package database is the wire contract of the database service: its method names, params and
// results, the events its outbox publishes, and a typed client. Every tenant-owned call carries
// the tenant in CompanyID; a record of another tenant answers not found.
//
// Times are UTC instants (timestamptz); identifiers are UUID strings; phone numbers are E.164.
package database

// Service is the name the database service registers on the bus.
const Service = "database"

// Method names, "<aggregate>.<verb>".
const (
	MethodCompaniesByAPIKeyDigest     = "companies.byApiKeyDigest"
	MethodCompaniesGet                = "companies.get"
	MethodCompaniesCalcomAPIKey       = "companies.calcomApiKey"
	MethodBranchesByPhone             = "branches.byPhone"
	MethodBranchesGet                 = "branches.get"
	MethodBranchesList                = "branches.list"
	MethodBranchesUpsert              = "branches.upsert"
	MethodStaffList                   = "staff.list"
	MethodStaffByName                 = "staff.byName"
	MethodStaffUpsert                 = "staff.upsert"
	MethodEventTypesList              = "eventTypes.list"
	MethodEventTypesByName            = "eventTypes.byName"
	MethodEventTypesUpsert            = "eventTypes.upsert"
	MethodEventTypesSetCalcomLimits   = "eventTypes.setCalcomLimits"
	MethodCustomersFindOrCreate       = "customers.findOrCreate"
	MethodCustomersGet                = "customers.get"
	MethodCallsSave                   = "calls.save"
	MethodCallsGet                    = "calls.get"
	MethodCallsLinkAppointment        = "calls.linkAppointment"
	MethodAppointmentsCreate          = "appointments.create"
	MethodAppointmentsGet             = "appointments.get"
	MethodAppointmentsCancel          = "appointments.cancel"
	MethodAppointmentsReschedule      = "appointments.reschedule"
	MethodAppointmentsListActive      = "appointments.listActive"
	MethodAppointmentsByConfirmation  = "appointments.byConfirmation"
	MethodAppointmentsByCustomerPhone = "appointments.byCustomerPhone"
	MethodAnalyticsDaily              = "analytics.daily"
	MethodAuditAppend                 = "audit.append"
	MethodOutboxAppend                = "outbox.append"
	MethodInboxClaim                  = "inbox.claim"
)

// Methods lists every method of the service, for registration checks and documentation.
var Methods = []string{
	MethodCompaniesByAPIKeyDigest, MethodCompaniesGet, MethodCompaniesCalcomAPIKey,
	MethodBranchesByPhone, MethodBranchesGet, MethodBranchesList, MethodBranchesUpsert,
	MethodStaffList, MethodStaffByName, MethodStaffUpsert,
	MethodEventTypesList, MethodEventTypesByName, MethodEventTypesUpsert, MethodEventTypesSetCalcomLimits,
	MethodCustomersFindOrCreate, MethodCustomersGet, MethodCallsSave, MethodCallsGet, MethodCallsLinkAppointment,
	MethodAppointmentsCreate, MethodAppointmentsGet, MethodAppointmentsCancel,
	MethodAppointmentsReschedule, MethodAppointmentsListActive, MethodAppointmentsByConfirmation,
	MethodAppointmentsByCustomerPhone, MethodAnalyticsDaily, MethodAuditAppend,
	MethodOutboxAppend, MethodInboxClaim,
}

// Topics the outbox relay publishes (askpro:evt:<topic>).
const (
	TopicBookingCreated     = "booking.created"
	TopicBookingCancelled   = "booking.cancelled"
	TopicBookingRescheduled = "booking.rescheduled"
	TopicCallSaved          = "call.saved"
	// TopicAuthChanged: API keys created or revoked, a tenant deactivated or activated.
	TopicAuthChanged = "auth.changed"
)

// Appointment statuses. Only scheduled and confirmed appointments hold their slot.
const (
	StatusScheduled   = "scheduled"
	StatusConfirmed   = "confirmed"
	StatusCancelled   = "cancelled"
	StatusRescheduled = "rescheduled"
	StatusCompleted   = "completed"
	StatusNoShow      = "no_show"
)

// Call statuses, in the order a call moves through them; a save never moves a call back.
const (
	CallRegistered = "registered"
	CallOngoing    = "ongoing"
	CallEnded      = "ended"
	CallError      = "error"
	CallAnalyzed   = "analyzed"
)
