package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

// RescheduleAppointment moves an appointment to a new time (and optionally another staff
// member). In one transaction the old appointment is marked rescheduled and its successor is
// inserted; if the new slot is taken the transaction rolls back and the old appointment stands.
// No other transaction can take the old slot in between: until commit, the old row's active
// version is what concurrent inserts check against, and they wait for our outcome. This also
// lets an appointment move by less than its own length, which inserting before releasing would
// refuse as an overlap with itself.
func (s *Store) RescheduleAppointment(ctx context.Context, p api.RescheduleAppointmentParams) (api.Appointment, error) {
	if err := checkIDs(p.CompanyID, p.AppointmentID); err != nil {
		return api.Appointment{}, err
	}
	if err := optionalID(p.StaffID); err != nil {
		return api.Appointment{}, err
	}
	if p.StartTime.IsZero() || !p.EndTime.After(p.StartTime) {
		return api.Appointment{}, invalid("end_time must be after start_time")
	}
	var a api.Appointment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := scanAppointment(tx.QueryRow(ctx, sqlAppointmentLock, p.CompanyID, p.AppointmentID))
		if err != nil {
			return err
		}
		if !active(old.Status) {
			return invalid("appointment is %s", old.Status)
		}
		next := successor(old, p)
		if err := lockStaffSchedule(ctx, tx, next.StaffID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlAppointmentRelease, p.CompanyID, old.ID); err != nil {
			return err
		}
		if a, err = insertAppointment(ctx, tx, next, old.ID); err != nil {
			return err
		}
		var w writes
		w.audit(ctx, p.CompanyID, "appointment.rescheduled", "appointment", a.ID,
			map[string]any{"previous_id": old.ID, "start_time": a.StartTime, "end_time": a.EndTime})
		w.enqueue(p.CompanyID, "appointment", old.ID, api.TopicBookingRescheduled,
			api.AppointmentEvent{CompanyID: a.CompanyID, Appointment: a, PreviousID: old.ID})
		return w.run(ctx, tx)
	})
	if err != nil {
		return api.Appointment{}, fmt.Errorf("reschedule appointment %s: %w", p.AppointmentID, err)
	}
	return a, nil
}

// successor is the new appointment of a reschedule: the old one's data at the new time.
func successor(old api.Appointment, p api.RescheduleAppointmentParams) api.CreateAppointmentParams {
	n := api.CreateAppointmentParams{
		CompanyID: old.CompanyID, BranchID: old.BranchID, StaffID: old.StaffID,
		EventTypeID: old.EventTypeID, CustomerID: old.CustomerID, CallID: old.CallID, RetellCallID: old.RetellCallID,
		CalcomBookingID: old.CalcomBookingID, StartTime: p.StartTime, EndTime: p.EndTime,
		Status: old.Status, Source: old.Source, Notes: old.Notes,
	}
	if p.StaffID != "" {
		n.StaffID = p.StaffID
	}
	if p.CalcomBookingID != "" {
		n.CalcomBookingID = p.CalcomBookingID
	}
	return n
}

// ActiveAppointments lists a staff member's active appointments overlapping [from, to).
func (s *Store) ActiveAppointments(ctx context.Context, p api.ListActiveParams) ([]api.Appointment, error) {
	if err := checkIDs(p.CompanyID, p.StaffID); err != nil {
		return nil, err
	}
	if !p.To.After(p.From) {
		return nil, invalid("to must be after from")
	}
	out, err := collectAppointments(s.write.Query(ctx, sqlAppointmentListActive, p.CompanyID, p.StaffID, p.From, p.To))
	if err != nil {
		return nil, fmt.Errorf("list active appointments: %w", err)
	}
	return out, nil
}

// AppointmentByConfirmation finds an appointment by its confirmation number (any case).
func (s *Store) AppointmentByConfirmation(ctx context.Context, companyID, number string) (api.Appointment, error) {
	if err := checkIDs(companyID); err != nil {
		return api.Appointment{}, err
	}
	a, err := scanAppointment(s.write.QueryRow(ctx, sqlAppointmentByConfirmation, companyID, normalizeConfirmation(number)))
	if err != nil {
		return api.Appointment{}, fmt.Errorf("load appointment by confirmation: %w", classify(err))
	}
	return a, nil
}

// AppointmentsByCustomerPhone lists a caller's appointments from p.From on, soonest first.
func (s *Store) AppointmentsByCustomerPhone(ctx context.Context, p api.ByCustomerPhoneParams) ([]api.Appointment, error) {
	if err := checkIDs(p.CompanyID); err != nil {
		return nil, err
	}
	phone, err := s.NormalizePhone(p.Phone)
	if err != nil {
		return nil, err
	}
	out, err := collectAppointments(s.write.Query(ctx, sqlAppointmentByCustomerPhone, p.CompanyID,
		s.cipher.BlindIndex(phone), p.From, p.ActiveOnly))
	if err != nil {
		return nil, fmt.Errorf("list appointments by phone: %w", err)
	}
	return out, nil
}
