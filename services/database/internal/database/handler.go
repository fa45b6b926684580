package database

import (
	"context"
	"errors"

	"github.com/askproai/backend/pkg/rpc"

	api "github.com/askproai/backend/pkg/api/database"
)

// WireError maps a domain error to the wire. Unknown errors pass through unchanged, and the
// rpc dispatcher logs them and answers -32603 with a generic message.
func WireError(err error) error {
	var reason *reasonError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		return rpc.NewError(rpc.CodeNotFound, "not found", nil)
	case errors.Is(err, ErrSlotTaken):
		return rpc.NewError(rpc.CodeConflict, "slot taken", nil)
	case errors.Is(err, ErrStale):
		return rpc.NewError(rpc.CodeConflict, "stale version", nil)
	case errors.As(err, &reason):
		return rpc.NewError(rpc.CodeValidation, reason.Error(), nil)
	case errors.Is(err, ErrValidation):
		return rpc.NewError(rpc.CodeValidation, "invalid data", nil)
	case unavailable(err):
		return rpc.NewError(rpc.CodeUpstreamUnavailable, "database unavailable", nil)
	}
	return err
}

// summaries describe the methods in rpc.discover's OpenRPC document.
var summaries = map[string]string{
	api.MethodCompaniesByAPIKeyDigest:     "Resolve the tenant of an API key from its SHA-256 digest.",
	api.MethodCompaniesGet:                "Load a tenant.",
	api.MethodCompaniesCalcomAPIKey:       "A tenant's decrypted Cal.com API key (calcom service only).",
	api.MethodBranchesByPhone:             "Resolve the branch of a dialled E.164 number.",
	api.MethodBranchesGet:                 "Load one branch.",
	api.MethodBranchesList:                "List a tenant's branches.",
	api.MethodBranchesUpsert:              "Create or replace a branch; publishes branch.changed.",
	api.MethodStaffList:                   "List active staff, optionally of one branch.",
	api.MethodStaffByName:                 "Find staff by name or alias, case-insensitively.",
	api.MethodStaffUpsert:                 "Create or replace a staff member and the services they offer.",
	api.MethodEventTypesList:              "List active event types offered in a branch.",
	api.MethodEventTypesByName:            "Find event types by name or spoken alias.",
	api.MethodEventTypesUpsert:            "Create or update an event type by its Cal.com id.",
	api.MethodEventTypesSetCalcomLimits:   "Store Cal.com's minimum notice and booking horizon of an event type (by Cal.com id).",
	api.MethodCustomersFindOrCreate:       "Find a caller by phone number or create them (exactly one row).",
	api.MethodCustomersGet:                "One customer with phone, name and e-mail decrypted.",
	api.MethodCallsSave:                   "Upsert a call by Retell id with its caller; status never moves back.",
	api.MethodCallsGet:                    "Load a call by our id or Retell's.",
	api.MethodCallsLinkAppointment:        "Link a call and the appointment booked in it.",
	api.MethodAppointmentsCreate:          "Book a slot; conflict when it overlaps an active appointment.",
	api.MethodAppointmentsGet:             "Load one appointment.",
	api.MethodAppointmentsCancel:          "Cancel an appointment and free its slot (idempotent).",
	api.MethodAppointmentsReschedule:      "Move an appointment atomically; the old one stands if the new slot is taken.",
	api.MethodAppointmentsListActive:      "A staff member's active appointments overlapping a range.",
	api.MethodAppointmentsByConfirmation:  "Find an appointment by its confirmation number.",
	api.MethodAppointmentsByCustomerPhone: "A caller's appointments from a time on.",
	api.MethodAnalyticsDaily:              "Daily figures per branch in the tenant's time zone.",
	api.MethodAuditAppend:                 "Append to the tenant's audit log.",
	api.MethodOutboxAppend:                "Queue an event for at-least-once publication.",
	api.MethodInboxClaim:                  "Record a webhook delivery; first is false for a duplicate.",
}

// handle registers one method. tenant names the company the params act on; when the envelope
// carries an acting tenant, a request about another tenant answers not found.
func handle[P, R any](srv *rpc.Server, method string, tenant func(P) string, h func(context.Context, P) (R, error), opts ...rpc.MethodOption) {
	rpc.Register(srv, method, func(ctx context.Context, p P) (R, error) {
		if acting, ok := rpc.TenantFrom(ctx); ok && tenant != nil && tenant(p) != "" && tenant(p) != acting {
			var zero R
			return zero, rpc.NewError(rpc.CodeNotFound, "not found", nil)
		}
		r, err := h(ctx, p)
		return r, WireError(err)
	}, append(opts, rpc.Summary(summaries[method]))...)
}

// Register registers every method of the database service on srv.
func Register(srv *rpc.Server, s *Store) {
	registerTenants(srv, s)
	registerCatalogue(srv, s)
	registerCalls(srv, s)
	registerAppointments(srv, s)
	registerRecords(srv, s)
}

func company(p api.CompanyParams) string { return p.CompanyID }

func registerTenants(srv *rpc.Server, s *Store) {
	handle(srv, api.MethodCompaniesByAPIKeyDigest, nil, func(ctx context.Context, p api.ByAPIKeyDigestParams) (api.Company, error) {
		c, err := s.CompanyByAPIKeyDigest(ctx, p.DigestHex)
		if acting, ok := rpc.TenantFrom(ctx); ok && err == nil && c.ID != acting {
			return api.Company{}, ErrNotFound
		}
		return c, err
	})
	handle(srv, api.MethodCompaniesGet, company, func(ctx context.Context, p api.CompanyParams) (api.Company, error) {
		return s.Company(ctx, p.CompanyID)
	})
	handle(srv, api.MethodCompaniesCalcomAPIKey, company, func(ctx context.Context, p api.CompanyParams) (api.CalcomAPIKeyResult, error) {
		key, err := s.CalcomAPIKey(ctx, p.CompanyID)
		return api.CalcomAPIKeyResult{APIKey: key}, err
	})
	handle(srv, api.MethodBranchesByPhone, func(p api.BranchByPhoneParams) string { return p.CompanyID },
		func(ctx context.Context, p api.BranchByPhoneParams) (api.Branch, error) {
			if acting, ok := rpc.TenantFrom(ctx); ok && p.CompanyID == "" {
				p.CompanyID = acting // a caller acting for a tenant sees only its branches
			}
			return s.BranchByPhone(ctx, p.CompanyID, p.PhoneNumber)
		})
	handle(srv, api.MethodBranchesGet, func(p api.BranchParams) string { return p.CompanyID },
		func(ctx context.Context, p api.BranchParams) (api.Branch, error) {
			return s.Branch(ctx, p.CompanyID, p.BranchID)
		})
	handle(srv, api.MethodBranchesList, company, func(ctx context.Context, p api.CompanyParams) (api.BranchList, error) {
		l, err := s.Branches(ctx, p.CompanyID)
		return api.BranchList{Branches: l}, err
	})
	handle(srv, api.MethodBranchesUpsert, func(p api.UpsertBranchParams) string { return p.Branch.CompanyID },
		func(ctx context.Context, p api.UpsertBranchParams) (api.Branch, error) {
			return s.UpsertBranch(ctx, p.Branch)
		})
}

func catalogue(p api.CatalogueParams) string { return p.CompanyID }
func byName(p api.ByNameParams) string       { return p.CompanyID }

func registerCatalogue(srv *rpc.Server, s *Store) {
	handle(srv, api.MethodStaffList, catalogue, func(ctx context.Context, p api.CatalogueParams) (api.StaffList, error) {
		l, err := s.StaffList(ctx, p.CompanyID, p.BranchID)
		return api.StaffList{Staff: l}, err
	})
	handle(srv, api.MethodStaffByName, byName, func(ctx context.Context, p api.ByNameParams) (api.StaffList, error) {
		l, err := s.StaffByName(ctx, p.CompanyID, p.BranchID, p.Name)
		return api.StaffList{Staff: l}, err
	})
	handle(srv, api.MethodStaffUpsert, func(p api.UpsertStaffParams) string { return p.Staff.CompanyID },
		func(ctx context.Context, p api.UpsertStaffParams) (api.Staff, error) {
			return s.UpsertStaff(ctx, p.Staff)
		})
	handle(srv, api.MethodEventTypesList, catalogue, func(ctx context.Context, p api.CatalogueParams) (api.EventTypeList, error) {
		l, err := s.EventTypes(ctx, p.CompanyID, p.BranchID)
		return api.EventTypeList{EventTypes: l}, err
	})
	handle(srv, api.MethodEventTypesByName, byName, func(ctx context.Context, p api.ByNameParams) (api.EventTypeList, error) {
		l, err := s.EventTypesByName(ctx, p.CompanyID, p.BranchID, p.Name)
		return api.EventTypeList{EventTypes: l}, err
	})
	handle(srv, api.MethodEventTypesUpsert, func(p api.UpsertEventTypeParams) string { return p.EventType.CompanyID },
		func(ctx context.Context, p api.UpsertEventTypeParams) (api.EventType, error) {
			return s.UpsertEventType(ctx, p.EventType)
		})
	handle(srv, api.MethodEventTypesSetCalcomLimits, func(p api.SetCalcomLimitsParams) string { return p.CompanyID },
		func(ctx context.Context, p api.SetCalcomLimitsParams) (api.EventType, error) {
			return s.SetEventTypeCalcomLimits(ctx, p)
		})
}

func registerCalls(srv *rpc.Server, s *Store) {
	handle(srv, api.MethodCustomersFindOrCreate, func(p api.FindOrCreateCustomerParams) string { return p.CompanyID },
		s.FindOrCreateCustomer)
	handle(srv, api.MethodCustomersGet, func(p api.CustomerParams) string { return p.CompanyID }, s.Customer)
	handle(srv, api.MethodCallsSave, func(p api.SaveCallParams) string { return p.CompanyID }, s.SaveCall)
	handle(srv, api.MethodCallsGet, func(p api.GetCallParams) string { return p.CompanyID }, s.Call)
	handle(srv, api.MethodCallsLinkAppointment, func(p api.LinkAppointmentParams) string { return p.CompanyID },
		s.LinkAppointment)
	handle(srv, api.MethodAnalyticsDaily, func(p api.AnalyticsParams) string { return p.CompanyID }, s.Analytics)
}

func registerAppointments(srv *rpc.Server, s *Store) {
	// create and reschedule are not repeatable (a repeat would find its own slot taken), so the
	// dispatcher keeps their result under the request id.
	handle(srv, api.MethodAppointmentsCreate, func(p api.CreateAppointmentParams) string { return p.CompanyID },
		s.CreateAppointment, rpc.NonIdempotent())
	handle(srv, api.MethodAppointmentsReschedule, func(p api.RescheduleAppointmentParams) string { return p.CompanyID },
		s.RescheduleAppointment, rpc.NonIdempotent())
	handle(srv, api.MethodAppointmentsCancel, func(p api.CancelAppointmentParams) string { return p.CompanyID },
		s.CancelAppointment)
	handle(srv, api.MethodAppointmentsGet, func(p api.AppointmentParams) string { return p.CompanyID },
		func(ctx context.Context, p api.AppointmentParams) (api.Appointment, error) {
			return s.Appointment(ctx, p.CompanyID, p.AppointmentID)
		})
	handle(srv, api.MethodAppointmentsListActive, func(p api.ListActiveParams) string { return p.CompanyID },
		func(ctx context.Context, p api.ListActiveParams) (api.AppointmentList, error) {
			l, err := s.ActiveAppointments(ctx, p)
			return api.AppointmentList{Appointments: l}, err
		})
	handle(srv, api.MethodAppointmentsByConfirmation, func(p api.ByConfirmationParams) string { return p.CompanyID },
		func(ctx context.Context, p api.ByConfirmationParams) (api.Appointment, error) {
			return s.AppointmentByConfirmation(ctx, p.CompanyID, p.ConfirmationNumber)
		})
	handle(srv, api.MethodAppointmentsByCustomerPhone, func(p api.ByCustomerPhoneParams) string { return p.CompanyID },
		func(ctx context.Context, p api.ByCustomerPhoneParams) (api.AppointmentList, error) {
			l, err := s.AppointmentsByCustomerPhone(ctx, p)
			return api.AppointmentList{Appointments: l}, err
		})
}

func registerRecords(srv *rpc.Server, s *Store) {
	handle(srv, api.MethodAuditAppend, func(p api.AuditAppendParams) string { return p.CompanyID },
		func(ctx context.Context, p api.AuditAppendParams) (api.Ack, error) {
			return api.Ack{OK: true}, s.AppendAudit(ctx, p)
		}, rpc.NonIdempotent())
	handle(srv, api.MethodOutboxAppend, func(p api.OutboxAppendParams) string { return p.CompanyID },
		func(ctx context.Context, p api.OutboxAppendParams) (api.Ack, error) {
			return api.Ack{OK: true}, s.AppendOutbox(ctx, p)
		}, rpc.NonIdempotent())
	handle(srv, api.MethodInboxClaim, func(p api.InboxClaimParams) string { return p.CompanyID },
		func(ctx context.Context, p api.InboxClaimParams) (api.InboxClaimResult, error) {
			first, err := s.ClaimInbox(ctx, p)
			return api.InboxClaimResult{First: first}, err
		}, rpc.NonIdempotent())
}
