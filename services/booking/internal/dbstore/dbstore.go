// Package dbstore implements booking.Store over the database service's typed client: the booking
// service never holds a PostgreSQL connection. Wire errors become domain errors here: not found
// → booking.ErrNotFound, conflict (the exclusion constraint) → booking.ErrSlotTaken, validation →
// booking.ErrValidation, anything else → booking.ErrUpstream.
package dbstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/services/booking/internal/booking"
)

// Store is the database service as a booking.Store.
type Store struct {
	db    *database.Client
	cache *catalogueCache
}

// New wraps the typed client. Branches, event types and staff are cached in-process for
// catalogueTTL (0 disables the cache).
func New(db *database.Client, catalogueTTL time.Duration) *Store {
	return &Store{db: db, cache: newCache(catalogueTTL)}
}

var _ booking.Store = (*Store)(nil)

// Branch implements booking.Store.
func (s *Store) Branch(ctx context.Context, companyID, branchID string) (booking.Branch, error) {
	b, err := get(ctx, s.cache, "branch:"+companyID+":"+branchID, func(ctx context.Context) (database.Branch, error) {
		return s.db.Branch(ctx, database.BranchParams{CompanyID: companyID, BranchID: branchID})
	})
	if err != nil {
		return booking.Branch{}, domainErr("load branch", err)
	}
	return ToBranch(b)
}

// ToBranch maps the wire branch and its opening rules; malformed hours or dates are a
// validation error (the database service validates them on write).
func ToBranch(b database.Branch) (booking.Branch, error) {
	out := booking.Branch{ID: b.ID, Name: b.Name, TimeZone: b.TimeZone, State: b.State}
	if len(b.OpeningHours) > 0 {
		w, err := schedule.ParseWeek(b.OpeningHours)
		if err != nil {
			return booking.Branch{}, fmt.Errorf("branch %s opening hours: %w: %w", b.ID, err, booking.ErrValidation)
		}
		out.Hours = &w
	}
	for _, c := range b.ClosingDays {
		from, err := schedule.ParseDate(c.From)
		if err != nil {
			return booking.Branch{}, fmt.Errorf("branch %s closing days: %w: %w", b.ID, err, booking.ErrValidation)
		}
		to, err := schedule.ParseDate(c.To)
		if err != nil {
			return booking.Branch{}, fmt.Errorf("branch %s closing days: %w: %w", b.ID, err, booking.ErrValidation)
		}
		out.Closings = append(out.Closings, schedule.Closing{From: from, To: to, Label: c.Label})
	}
	for _, d := range b.OpenOnHolidays {
		day, err := schedule.ParseDate(d)
		if err != nil {
			return booking.Branch{}, fmt.Errorf("branch %s open on holidays: %w: %w", b.ID, err, booking.ErrValidation)
		}
		out.OpenOnHolidays = append(out.OpenOnHolidays, day)
	}
	return out, nil
}

// ToStaff maps the wire staff member with working hours and time off.
func ToStaff(st database.Staff) (booking.Staff, error) {
	out := booking.Staff{ID: st.ID, Name: st.Name, CalcomUserID: st.CalcomUserID, EventTypeIDs: st.EventTypeIDs,
		CalcomEventTypes: st.CalcomEventTypes}
	for branchID, h := range st.WorkingHours {
		w, err := schedule.ParseWeek(h)
		if err != nil {
			return booking.Staff{}, fmt.Errorf("staff %s working hours: %w: %w", st.ID, err, booking.ErrValidation)
		}
		if out.Hours == nil {
			out.Hours = map[string]schedule.Week{}
		}
		out.Hours[branchID] = w
	}
	for _, t := range st.TimeOff {
		out.TimeOff = append(out.TimeOff, schedule.Absence{From: t.From, To: t.To, Reason: t.Reason})
	}
	return out, nil
}

// CompanyTimeZone implements booking.Store.
func (s *Store) CompanyTimeZone(ctx context.Context, companyID string) (string, error) {
	c, err := get(ctx, s.cache, "company:"+companyID, func(ctx context.Context) (database.Company, error) {
		return s.db.Company(ctx, database.CompanyParams{CompanyID: companyID})
	})
	if err != nil {
		return "", domainErr("load company", err)
	}
	return c.TimeZone, nil
}

// EventTypes implements booking.Store.
func (s *Store) EventTypes(ctx context.Context, companyID, branchID string) ([]booking.EventType, error) {
	list, err := get(ctx, s.cache, "event_types:"+companyID+":"+branchID, func(ctx context.Context) (database.EventTypeList, error) {
		return s.db.EventTypes(ctx, database.CatalogueParams{CompanyID: companyID, BranchID: branchID})
	})
	if err != nil {
		return nil, domainErr("list event types", err)
	}
	company, err := get(ctx, s.cache, "company:"+companyID, func(ctx context.Context) (database.Company, error) {
		return s.db.Company(ctx, database.CompanyParams{CompanyID: companyID})
	})
	if err != nil {
		return nil, domainErr("load company", err)
	}
	out := make([]booking.EventType, 0, len(list.EventTypes))
	for _, et := range list.EventTypes {
		if et.Active {
			out = append(out, ToEventType(company, et))
		}
	}
	return out, nil
}

// ToEventType maps the wire event type with its notice and horizon resolved by
// schedule.Limits: Cal.com's synced value wins where set, else the event type's (tenant YAML),
// else the company's default, else 2 hours / 90 days.
func ToEventType(company database.Company, et database.EventType) booking.EventType {
	notice, horizon := schedule.Limits(company, &et)
	return booking.EventType{ID: et.ID, CalcomEventTypeID: et.CalcomEventTypeID, Name: et.Name,
		Duration: time.Duration(et.DurationMinutes) * time.Minute, Notice: notice, HorizonDays: horizon}
}

// Staff implements booking.Store.
func (s *Store) Staff(ctx context.Context, companyID, branchID string) ([]booking.Staff, error) {
	list, err := get(ctx, s.cache, "staff:"+companyID+":"+branchID, func(ctx context.Context) (database.StaffList, error) {
		return s.db.Staff(ctx, database.CatalogueParams{CompanyID: companyID, BranchID: branchID})
	})
	if err != nil {
		return nil, domainErr("list staff", err)
	}
	out := make([]booking.Staff, 0, len(list.Staff))
	for _, st := range list.Staff {
		if st.Active {
			m, err := ToStaff(st)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// ActiveAppointments implements booking.Store.
func (s *Store) ActiveAppointments(ctx context.Context, companyID, staffID string, from, to time.Time) ([]booking.Booking, error) {
	list, err := s.db.ActiveAppointments(ctx, database.ListActiveParams{CompanyID: companyID, StaffID: staffID, From: from, To: to})
	if err != nil {
		return nil, domainErr("list active appointments", err)
	}
	return bookings(list.Appointments), nil
}

// Customer implements booking.Store.
func (s *Store) Customer(ctx context.Context, companyID, customerID string) (booking.Contact, error) {
	c, err := s.db.Customer(ctx, database.CustomerParams{CompanyID: companyID, CustomerID: customerID})
	if err != nil {
		return booking.Contact{}, domainErr("load customer", err)
	}
	return booking.Contact{Phone: c.Phone, Name: c.Name, Email: c.Email}, nil
}

// FindOrCreateCustomer implements booking.Store.
func (s *Store) FindOrCreateCustomer(ctx context.Context, companyID string, c booking.Contact) (string, error) {
	ctx = acting(ctx)
	res, err := s.db.FindOrCreateCustomer(ctx, database.FindOrCreateCustomerParams{CompanyID: companyID,
		Phone: c.Phone, Name: c.Name, Email: c.Email})
	if err != nil {
		return "", domainErr("find or create customer", err)
	}
	return res.Customer.ID, nil
}

// CreateAppointment implements booking.Store. The database service writes the row, the
// booking.created outbox event and the audit entry in one transaction. The contract has no field
// for the fencing token yet; the domain checks it right before this call.
func (s *Store) CreateAppointment(ctx context.Context, a booking.NewAppointment) (booking.Booking, error) {
	ctx = acting(ctx)
	appt, err := s.db.CreateAppointment(ctx, database.CreateAppointmentParams{CompanyID: a.CompanyID,
		BranchID: a.BranchID, StaffID: a.StaffID, EventTypeID: a.EventTypeID, CustomerID: a.CustomerID,
		RetellCallID: a.CallID, CalcomBookingID: a.CalcomBookingID, StartTime: a.Start, EndTime: a.End,
		Source: "phone", Notes: a.Notes})
	if err != nil {
		return booking.Booking{}, domainErr("create appointment", err)
	}
	return toBooking(appt), nil
}

// Appointment implements booking.Store.
func (s *Store) Appointment(ctx context.Context, companyID, id string) (booking.Booking, error) {
	appt, err := s.db.Appointment(ctx, database.AppointmentParams{CompanyID: companyID, AppointmentID: id})
	if err != nil {
		return booking.Booking{}, domainErr("load appointment", err)
	}
	return toBooking(appt), nil
}

// ByConfirmation implements booking.Store.
func (s *Store) ByConfirmation(ctx context.Context, companyID, number string) (booking.Booking, error) {
	appt, err := s.db.AppointmentByConfirmation(ctx, database.ByConfirmationParams{CompanyID: companyID, ConfirmationNumber: number})
	if err != nil {
		return booking.Booking{}, domainErr("find appointment by confirmation", err)
	}
	return toBooking(appt), nil
}

// ByCustomerPhone implements booking.Store.
func (s *Store) ByCustomerPhone(ctx context.Context, companyID, phone string, from time.Time) ([]booking.Booking, error) {
	list, err := s.db.AppointmentsByCustomerPhone(ctx, database.ByCustomerPhoneParams{CompanyID: companyID,
		Phone: phone, From: from, ActiveOnly: true})
	if err != nil {
		return nil, domainErr("find appointments by phone", err)
	}
	return bookings(list.Appointments), nil
}

// CancelAppointment implements booking.Store (row, outbox booking.cancelled and audit in one
// transaction).
func (s *Store) CancelAppointment(ctx context.Context, companyID, id, reason string) (booking.Booking, error) {
	ctx = acting(ctx)
	appt, err := s.db.CancelAppointment(ctx, database.CancelAppointmentParams{CompanyID: companyID,
		AppointmentID: id, Reason: reason})
	if err != nil {
		return booking.Booking{}, domainErr("cancel appointment", err)
	}
	return toBooking(appt), nil
}

// RescheduleAppointment implements booking.Store (old released, new booked, outbox
// booking.rescheduled and audit in one transaction).
func (s *Store) RescheduleAppointment(ctx context.Context, m booking.Move) (booking.Booking, error) {
	ctx = acting(ctx)
	appt, err := s.db.RescheduleAppointment(ctx, database.RescheduleAppointmentParams{CompanyID: m.CompanyID,
		AppointmentID: m.AppointmentID, StaffID: m.StaffID, StartTime: m.Start, EndTime: m.End,
		CalcomBookingID: m.CalcomBookingID})
	if err != nil {
		return booking.Booking{}, domainErr("reschedule appointment", err)
	}
	return toBooking(appt), nil
}

// Audit implements booking.Store.
func (s *Store) Audit(ctx context.Context, e booking.AuditEntry) error {
	ctx = acting(ctx)
	_, err := s.db.AppendAudit(ctx, database.AuditAppendParams{CompanyID: e.CompanyID,
		Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Data: e.Data})
	if err != nil {
		return domainErr("append audit", err)
	}
	return nil
}

// ToBooking converts the database service's appointment (also the booking event payload).
func ToBooking(a database.Appointment) booking.Booking { return toBooking(a) }

func toBooking(a database.Appointment) booking.Booking {
	return booking.Booking{ID: a.ID, CompanyID: a.CompanyID, BranchID: a.BranchID, StaffID: a.StaffID,
		EventTypeID: a.EventTypeID, CustomerID: a.CustomerID, CallID: a.RetellCallID, CalcomBookingID: a.CalcomBookingID,
		Start: a.StartTime.UTC(), End: a.EndTime.UTC(), Status: a.Status, ConfirmationNumber: a.ConfirmationNumber,
		RescheduledFrom: a.RescheduledFrom}
}

func bookings(list []database.Appointment) []booking.Booking {
	out := make([]booking.Booking, 0, len(list))
	for _, a := range list {
		out = append(out, toBooking(a))
	}
	return out
}

// domainErr maps a wire error to the domain sentinel, keeping the wire error in the chain.
func domainErr(op string, err error) error {
	var sentinel error
	switch {
	case errors.Is(err, rpc.ErrNotFound):
		sentinel = booking.ErrNotFound
	case errors.Is(err, rpc.ErrConflict):
		sentinel = booking.ErrSlotTaken
	case errors.Is(err, rpc.ErrValidation), errors.Is(err, rpc.ErrInvalidParams):
		sentinel = booking.ErrValidation
	default:
		sentinel = booking.ErrUpstream
	}
	return fmt.Errorf("%s: %w: %w", op, sentinel, err)
}

// acting names the booking service in the audit log for work it does on its own account;
// work done for a caller (a key over /rpc, a call on the phone) stays the caller's, whose
// identity came with the request.
func acting(ctx context.Context) context.Context { return rpc.WithDefaultActor(ctx, "booking") }
