package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

// Operator reads and writes for the askpro CLI: they span tenants or touch credentials, so
// no JSON-RPC method exposes them.
const (
	sqlCompanyList            = `SELECT ` + companyColumns + ` FROM companies ORDER BY created_at, id`
	sqlCompanyByName          = `SELECT ` + companyColumns + ` FROM companies WHERE name = $1 ORDER BY created_at, id`
	sqlCompanyBookingDefaults = `UPDATE companies SET minimum_notice_minutes = $2, booking_horizon_days = $3,
  updated_at = now()
WHERE id = $1 AND (minimum_notice_minutes, booking_horizon_days) IS DISTINCT FROM ($2, $3)`
	// $2 NULL (days 0) keeps calls until the tenant sets a retention.
	sqlCompanyCallRetention = `UPDATE companies SET call_retention_days = $2, updated_at = now()
WHERE id = $1 AND call_retention_days IS DISTINCT FROM $2`
	sqlCompanyTimeZone = `UPDATE companies SET time_zone = $2, updated_at = now() WHERE id = $1 AND time_zone <> $2`
	// The staff member's name and state and the service's name come along, also for a staff
	// member or service deactivated since the booking.
	sqlAppointmentsToCheck = `SELECT ` + appointmentColumns + `,
  COALESCE((SELECT s.name FROM staff s WHERE s.id = appointments.staff_id), ''),
  COALESCE((SELECT s.active FROM staff s WHERE s.id = appointments.staff_id), false),
  COALESCE((SELECT e.name FROM event_types e WHERE e.id = appointments.event_type_id), '')
FROM appointments
WHERE company_id = $1 AND status IN ('scheduled', 'confirmed')
  AND start_time >= $2 AND ($3::timestamptz IS NULL OR start_time < $3)
ORDER BY start_time, id`
)

// Companies lists every tenant, oldest first.
func (s *Store) Companies(ctx context.Context) ([]api.Company, error) {
	return s.companies(ctx, sqlCompanyList)
}

// CompaniesByName lists the tenants called name (names are not unique), oldest first.
func (s *Store) CompaniesByName(ctx context.Context, name string) ([]api.Company, error) {
	return s.companies(ctx, sqlCompanyByName, name)
}

func (s *Store) companies(ctx context.Context, sql string, args ...any) ([]api.Company, error) {
	rows, err := s.write.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list companies: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.Company, error) {
		return scanCompany(r)
	})
	if err != nil {
		return nil, fmt.Errorf("list companies: %w", classify(err))
	}
	return out, nil
}

// SetCompanyCalcomKey stores (encrypted) or replaces a tenant's Cal.com API key.
func (s *Store) SetCompanyCalcomKey(ctx context.Context, companyID, key string) error {
	if err := checkIDs(companyID); err != nil {
		return err
	}
	enc, err := s.cipher.Seal(key, companyID, "calcom_api_key")
	if err != nil {
		return fmt.Errorf("seal calcom key: %w", err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlCompanySetCalcomKey, companyID, enc); err != nil {
			return fmt.Errorf("store calcom key: %w", err)
		}
		return audit(ctx, tx, companyID, "company.calcom_key_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set calcom key of %s: %w", companyID, classify(err))
	}
	return nil
}

// SetCompanyBookingDefaults sets a tenant's default minimum notice and booking horizon for
// event types that set neither (0: the system defaults) when they differ.
func (s *Store) SetCompanyBookingDefaults(ctx context.Context, companyID string, noticeMinutes, horizonDays int) error {
	if err := checkIDs(companyID); err != nil {
		return err
	}
	if noticeMinutes < 0 || horizonDays < 0 {
		return invalid("minimum notice and booking horizon are not negative")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlCompanyBookingDefaults, companyID, noticeMinutes, horizonDays)
		if err != nil {
			return fmt.Errorf("set booking defaults: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return audit(ctx, tx, companyID, "company.booking_defaults_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set booking defaults of %s: %w", companyID, classify(err))
	}
	return s.cache.Invalidate(ctx, companyID)
}

// SetCompanyCallRetention sets how many days a tenant's calls are kept (0: until further
// notice), which `askpro maintenance rotate` applies. It reports whether anything changed.
func (s *Store) SetCompanyCallRetention(ctx context.Context, companyID string, days int) (bool, error) {
	if err := checkIDs(companyID); err != nil {
		return false, err
	}
	if days < 0 || days > 36500 {
		return false, invalid("call retention is between 0 (keep) and 36500 days")
	}
	var value *int
	if days > 0 {
		value = &days
	}
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlCompanyCallRetention, companyID, value)
		if err != nil {
			return fmt.Errorf("set call retention: %w", err)
		}
		if changed = tag.RowsAffected() > 0; !changed {
			return nil
		}
		return audit(ctx, tx, companyID, "company.call_retention_set", "company", companyID, map[string]any{"days": days})
	})
	if err != nil {
		return false, fmt.Errorf("set call retention of %s: %w", companyID, classify(err))
	}
	return changed, nil
}

// SetCompanyTimeZone changes a tenant's time zone when it differs.
func (s *Store) SetCompanyTimeZone(ctx context.Context, companyID, tz string) error {
	if err := checkIDs(companyID); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlCompanyTimeZone, companyID, tz)
		if err != nil {
			return fmt.Errorf("set time zone: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return audit(ctx, tx, companyID, "company.time_zone_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set time zone of %s: %w", companyID, classify(err))
	}
	return s.cache.Invalidate(ctx, companyID)
}

// StoredAppointment is an active appointment with the names an operator reads.
type StoredAppointment struct {
	api.Appointment
	// StaffName is the staff member's name; StaffActive whether they are still active.
	StaffName   string
	StaffActive bool
	// Service is the event type's name ("" when the appointment has none).
	Service string
}

// ActiveAppointmentsBetween lists a tenant's active (scheduled or confirmed) appointments that
// start in [from, to), soonest first; a zero to has no end. It is what `askpro appointments
// check` judges.
func (s *Store) ActiveAppointmentsBetween(ctx context.Context, companyID string, from, to time.Time) ([]StoredAppointment, error) {
	if err := checkIDs(companyID); err != nil {
		return nil, err
	}
	var end any
	if !to.IsZero() {
		if !to.After(from) {
			return nil, invalid("to must be after from")
		}
		end = to
	}
	rows, err := s.write.Query(ctx, sqlAppointmentsToCheck, companyID, from, end)
	if err != nil {
		return nil, fmt.Errorf("list appointments to check: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredAppointment, error) {
		var a StoredAppointment
		err := r.Scan(append(appointmentDest(&a.Appointment), &a.StaffName, &a.StaffActive, &a.Service)...)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("list appointments to check: %w", classify(err))
	}
	return out, nil
}
