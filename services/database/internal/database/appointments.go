package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	appointmentColumns = `id::text, company_id::text, branch_id::text, staff_id::text,
COALESCE(event_type_id::text, ''), COALESCE(customer_id::text, ''), COALESCE(call_id::text, ''),
COALESCE(calcom_booking_id, ''), start_time, end_time, status, source, confirmation_number,
COALESCE(rescheduled_from::text, ''), COALESCE(notes, ''), COALESCE(cancel_reason, ''),
cancelled_at, created_at, updated_at, COALESCE(retell_call_id, '')`
	sqlAppointmentInsert = `INSERT INTO appointments (company_id, branch_id, staff_id, event_type_id,
  customer_id, call_id, calcom_booking_id, start_time, end_time, status, source,
  confirmation_number, rescheduled_from, notes, retell_call_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING ` + appointmentColumns
	// sqlStaffScheduleLock serialises the transactions that write one staff member's active
	// appointments. Without it, concurrent inserts of overlapping rows wait on each other inside
	// the exclusion constraint's GiST index and PostgreSQL aborts them as a deadlock (40P01)
	// instead of answering the loser with 23P01; with it, each later writer sees the committed
	// winner and gets a clean exclusion violation. Held until commit or rollback.
	sqlStaffScheduleLock = `SELECT pg_advisory_xact_lock(hashtextextended('askpro:appointments:' || $1::text, 0))`
	sqlAppointmentByID   = `SELECT ` + appointmentColumns + ` FROM appointments
WHERE company_id = $1 AND id = $2`
	sqlAppointmentLock   = sqlAppointmentByID + ` FOR UPDATE`
	sqlAppointmentCancel = `UPDATE appointments
SET status = 'cancelled', cancel_reason = $3, cancelled_at = now(), updated_at = now()
WHERE company_id = $1 AND id = $2 RETURNING ` + appointmentColumns
	sqlAppointmentRelease = `UPDATE appointments SET status = 'rescheduled', updated_at = now()
WHERE company_id = $1 AND id = $2`
	sqlAppointmentListActive = `SELECT ` + appointmentColumns + ` FROM appointments
WHERE company_id = $1 AND staff_id = $2 AND status IN ('scheduled', 'confirmed')
  AND tstzrange(start_time, end_time) && tstzrange($3, $4)
ORDER BY start_time`
	sqlAppointmentByConfirmation = `SELECT ` + appointmentColumns + ` FROM appointments
WHERE company_id = $1 AND confirmation_number = $2`
	sqlAppointmentByCustomerPhone = `SELECT ` + appointmentColumns + ` FROM appointments
WHERE company_id = $1
  AND customer_id = (SELECT id FROM customers WHERE company_id = $1 AND phone_index = $2)
  AND start_time >= $3 AND (NOT $4 OR status IN ('scheduled', 'confirmed'))
ORDER BY start_time
LIMIT 50`
)

// confirmationAttempts bounds retries after a confirmation-number collision (p ≈ n/10^9 each).
const confirmationAttempts = 5

func scanAppointment(row pgx.Row) (api.Appointment, error) {
	var a api.Appointment
	err := row.Scan(appointmentDest(&a)...)
	return a, err
}

// appointmentDest is where the columns of appointmentColumns scan to, in their order.
func appointmentDest(a *api.Appointment) []any {
	return []any{&a.ID, &a.CompanyID, &a.BranchID, &a.StaffID, &a.EventTypeID, &a.CustomerID,
		&a.CallID, &a.CalcomBookingID, &a.StartTime, &a.EndTime, &a.Status, &a.Source,
		&a.ConfirmationNumber, &a.RescheduledFrom, &a.Notes, &a.CancelReason, &a.CancelledAt,
		&a.CreatedAt, &a.UpdatedAt, &a.RetellCallID}
}

func collectAppointments(rows pgx.Rows, err error) ([]api.Appointment, error) {
	if err != nil {
		return nil, classify(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.Appointment, error) { return scanAppointment(r) })
	if err != nil {
		return nil, classify(err)
	}
	return out, nil
}

func checkCreate(p api.CreateAppointmentParams) error {
	if err := checkIDs(p.CompanyID, p.BranchID, p.StaffID); err != nil {
		return err
	}
	for _, id := range []string{p.EventTypeID, p.CustomerID, p.CallID} {
		if err := optionalID(id); err != nil {
			return err
		}
	}
	if p.StartTime.IsZero() || !p.EndTime.After(p.StartTime) {
		return invalid("end_time must be after start_time")
	}
	return nil
}

// CreateAppointment books a slot. The exclusion constraint decides races: of two overlapping
// bookings for one staff member exactly one commits, the other gets ErrSlotTaken. The audit
// entry and the booking.created event commit with it.
func (s *Store) CreateAppointment(ctx context.Context, p api.CreateAppointmentParams) (api.Appointment, error) {
	if err := checkCreate(p); err != nil {
		return api.Appointment{}, err
	}
	var a api.Appointment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := lockStaffSchedule(ctx, tx, p.StaffID)
		if err != nil {
			return err
		}
		if a, err = insertAppointment(ctx, tx, p, ""); err != nil {
			return err
		}
		if err := linkStoredCall(ctx, tx, &a, p.RetellCallID); err != nil {
			return err
		}
		var w writes
		w.audit(ctx, p.CompanyID, "appointment.created", "appointment", a.ID,
			map[string]any{"staff_id": a.StaffID, "start_time": a.StartTime, "end_time": a.EndTime})
		w.enqueue(p.CompanyID, "appointment", a.ID, api.TopicBookingCreated,
			api.AppointmentEvent{CompanyID: a.CompanyID, Appointment: a})
		return w.run(ctx, tx)
	})
	if err != nil {
		return api.Appointment{}, fmt.Errorf("create appointment: %w", err)
	}
	return a, nil
}

// lockStaffSchedule takes the transaction's lock on a staff member's schedule; see
// sqlStaffScheduleLock. Take it before changing any row the exclusion constraint checks.
func lockStaffSchedule(ctx context.Context, tx pgx.Tx, staffID string) error {
	if _, err := tx.Exec(ctx, sqlStaffScheduleLock, staffID); err != nil {
		return fmt.Errorf("lock staff schedule: %w", err)
	}
	return nil
}

// insertAppointment inserts under a savepoint, drawing a new confirmation number when the
// drawn one is taken; every other failure (a taken slot) returns.
func insertAppointment(ctx context.Context, tx pgx.Tx, p api.CreateAppointmentParams, from string) (api.Appointment, error) {
	status, source := p.Status, p.Source
	if status == "" {
		status = api.StatusScheduled
	}
	if source == "" {
		source = "phone"
	}
	for attempt := 1; ; attempt++ {
		var a api.Appointment
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			var err error
			a, err = scanAppointment(sp.QueryRow(ctx, sqlAppointmentInsert, p.CompanyID, p.BranchID,
				p.StaffID, nullable(p.EventTypeID), nullable(p.CustomerID), nullable(p.CallID),
				nullable(p.CalcomBookingID), p.StartTime, p.EndTime, status, source,
				newConfirmationNumber(), nullable(from), nullable(p.Notes), nullable(p.RetellCallID)))
			return err
		})
		if err == nil || !confirmationTaken(err) || attempt == confirmationAttempts {
			return a, err
		}
	}
}

// linkStoredCall links a new appointment to the call it was booked in, when that call is
// already stored; otherwise calls.save links it when the call arrives (linkPendingAppointment).
func linkStoredCall(ctx context.Context, tx pgx.Tx, a *api.Appointment, retellCallID string) error {
	if retellCallID == "" || a.CallID != "" {
		return nil
	}
	var callID string
	var startedAt time.Time
	err := tx.QueryRow(ctx, sqlCallKeyByRetell, a.CompanyID, retellCallID).Scan(&callID, &startedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sqlAppointmentSetCall, a.CompanyID, callID, a.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sqlCallLinkIfUnset, a.CompanyID, callID, startedAt, a.ID); err != nil {
		return err
	}
	a.CallID = callID
	return nil
}

func confirmationTaken(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation &&
		pgErr.ConstraintName == "appointments_confirmation_number_key"
}

// Appointment loads one appointment of a tenant.
func (s *Store) Appointment(ctx context.Context, companyID, id string) (api.Appointment, error) {
	if err := checkIDs(companyID, id); err != nil {
		return api.Appointment{}, err
	}
	a, err := scanAppointment(s.write.QueryRow(ctx, sqlAppointmentByID, companyID, id))
	if err != nil {
		return api.Appointment{}, fmt.Errorf("load appointment %s: %w", id, classify(err))
	}
	return a, nil
}

// CancelAppointment cancels an active appointment and so frees its slot. Cancelling a cancelled
// appointment returns it unchanged, so a retried request is harmless.
func (s *Store) CancelAppointment(ctx context.Context, p api.CancelAppointmentParams) (api.Appointment, error) {
	if err := checkIDs(p.CompanyID, p.AppointmentID); err != nil {
		return api.Appointment{}, err
	}
	var a api.Appointment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanAppointment(tx.QueryRow(ctx, sqlAppointmentLock, p.CompanyID, p.AppointmentID))
		if err != nil {
			return err
		}
		if cur.Status == api.StatusCancelled {
			a = cur
			return nil
		}
		if !active(cur.Status) {
			return invalid("appointment is %s", cur.Status)
		}
		if a, err = scanAppointment(tx.QueryRow(ctx, sqlAppointmentCancel, p.CompanyID, p.AppointmentID,
			nullable(p.Reason))); err != nil {
			return err
		}
		var w writes
		w.audit(ctx, p.CompanyID, "appointment.cancelled", "appointment", a.ID, nil)
		w.enqueue(p.CompanyID, "appointment", a.ID, api.TopicBookingCancelled,
			api.AppointmentEvent{CompanyID: a.CompanyID, Appointment: a})
		return w.run(ctx, tx)
	})
	if err != nil {
		return api.Appointment{}, fmt.Errorf("cancel appointment %s: %w", p.AppointmentID, err)
	}
	return a, nil
}

func active(status string) bool {
	return status == api.StatusScheduled || status == api.StatusConfirmed
}
