package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	eventTypeColumns = `id::text, company_id::text, COALESCE(branch_id::text, ''), calcom_event_type_id,
name, aliases, duration_minutes, price_cents, currency, active, minimum_notice_minutes, booking_horizon_days,
calcom_minimum_notice_minutes, calcom_booking_horizon_days, calcom_synced_at`
	sqlEventTypeList = `SELECT ` + eventTypeColumns + ` FROM event_types
WHERE company_id = $1 AND active AND ($2::uuid IS NULL OR branch_id IS NULL OR branch_id = $2)
ORDER BY name, id`
	sqlEventTypeUpsert = `INSERT INTO event_types
(company_id, branch_id, calcom_event_type_id, name, aliases, duration_minutes, price_cents, currency, active,
 minimum_notice_minutes, booking_horizon_days)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (company_id, calcom_event_type_id) DO UPDATE SET branch_id = EXCLUDED.branch_id,
  name = EXCLUDED.name, aliases = EXCLUDED.aliases, duration_minutes = EXCLUDED.duration_minutes,
  price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency, active = EXCLUDED.active,
  minimum_notice_minutes = EXCLUDED.minimum_notice_minutes,
  booking_horizon_days = EXCLUDED.booking_horizon_days, updated_at = now()
RETURNING ` + eventTypeColumns
	// sqlEventTypeCalcomLimits sets Cal.com's limits of one event type (by Cal.com id) and tells
	// whether they changed; the tenant's own columns are not touched.
	sqlEventTypeCalcomLimits = `WITH old AS (
  SELECT id AS old_id, calcom_minimum_notice_minutes AS old_notice, calcom_booking_horizon_days AS old_horizon
  FROM event_types WHERE company_id = $1 AND calcom_event_type_id = $2 FOR UPDATE)
UPDATE event_types SET calcom_minimum_notice_minutes = $3, calcom_booking_horizon_days = $4,
  calcom_synced_at = now(), updated_at = now()
FROM old WHERE id = old.old_id
RETURNING ` + eventTypeColumns + `, (old_notice, old_horizon) IS DISTINCT FROM ($3::integer, $4::integer)`
)

func scanEventType(row pgx.Row) (api.EventType, error) {
	var e api.EventType
	err := row.Scan(&e.ID, &e.CompanyID, &e.BranchID, &e.CalcomEventTypeID, &e.Name, &e.Aliases,
		&e.DurationMinutes, &e.PriceCents, &e.Currency, &e.Active, &e.MinimumNoticeMinutes, &e.BookingHorizonDays,
		&e.CalcomMinimumNoticeMinutes, &e.CalcomBookingHorizonDays, &e.CalcomSyncedAt)
	return e, err
}

// EventTypes lists a tenant's active event types offered in branchID (all when empty). Cached.
func (s *Store) EventTypes(ctx context.Context, companyID, branchID string) ([]api.EventType, error) {
	if err := checkIDs(companyID); err != nil {
		return nil, err
	}
	if err := optionalID(branchID); err != nil {
		return nil, err
	}
	return cached(ctx, s.cache, companyID, "event_types:"+branchID, func(ctx context.Context) ([]api.EventType, error) {
		rows, err := s.read.Query(ctx, sqlEventTypeList, companyID, nullable(branchID))
		if err != nil {
			return nil, fmt.Errorf("list event types: %w", classify(err))
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.EventType, error) { return scanEventType(r) })
		if err != nil {
			return nil, fmt.Errorf("list event types: %w", classify(err))
		}
		return out, nil
	})
}

// EventTypesByName returns the event types whose name or a spoken alias matches name.
func (s *Store) EventTypesByName(ctx context.Context, companyID, branchID, name string) ([]api.EventType, error) {
	all, err := s.EventTypes(ctx, companyID, branchID)
	if err != nil {
		return nil, err
	}
	var out []api.EventType
	for _, e := range all {
		if matchesName(name, e.Name, e.Aliases) {
			out = append(out, e)
		}
	}
	return out, nil
}

// UpsertEventType creates or updates an event type by its Cal.com id (what a catalogue sync
// does) and invalidates the tenant's cached catalogue.
func (s *Store) UpsertEventType(ctx context.Context, e api.EventType) (api.EventType, error) {
	if err := checkIDs(e.CompanyID); err != nil {
		return api.EventType{}, err
	}
	if err := optionalID(e.BranchID); err != nil {
		return api.EventType{}, err
	}
	if e.Aliases == nil {
		e.Aliases = []string{}
	}
	if e.Currency == "" {
		e.Currency = "EUR"
	}
	if (e.MinimumNoticeMinutes != nil && *e.MinimumNoticeMinutes < 0) || (e.BookingHorizonDays != nil && *e.BookingHorizonDays < 0) {
		return api.EventType{}, invalid("minimum notice and booking horizon are not negative")
	}
	var out api.EventType
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanEventType(tx.QueryRow(ctx, sqlEventTypeUpsert, e.CompanyID, nullable(e.BranchID),
			e.CalcomEventTypeID, e.Name, e.Aliases, e.DurationMinutes, e.PriceCents, e.Currency, e.Active,
			e.MinimumNoticeMinutes, e.BookingHorizonDays))
		if err != nil {
			return fmt.Errorf("upsert event type: %w", err)
		}
		if err := audit(ctx, tx, e.CompanyID, "event_type.saved", "event_type", out.ID, nil); err != nil {
			return err
		}
		branches := []string{out.BranchID}
		if out.BranchID == "" { // offered everywhere: every branch's catalogue changed
			if branches, err = allBranches(ctx, tx, e.CompanyID); err != nil {
				return err
			}
		}
		return branchChanged(ctx, tx, e.CompanyID, branches)
	})
	if err != nil {
		return api.EventType{}, err
	}
	return out, s.cache.Invalidate(ctx, e.CompanyID)
}

// SetEventTypeCalcomLimits stores Cal.com's minimum notice and booking horizon of the company's
// event type with Cal.com id calcomEventTypeID (nil: Cal.com sets none) and the time of the
// sync. The tenant's own notice and horizon stay as they are. A change is audited and
// invalidates the tenant's cached catalogue; an unknown Cal.com id is not found.
func (s *Store) SetEventTypeCalcomLimits(ctx context.Context, p api.SetCalcomLimitsParams) (api.EventType, error) {
	if err := checkIDs(p.CompanyID); err != nil {
		return api.EventType{}, err
	}
	if p.CalcomEventTypeID <= 0 {
		return api.EventType{}, invalid("calcom_event_type_id is required")
	}
	if (p.MinimumNoticeMinutes != nil && *p.MinimumNoticeMinutes < 0) || (p.BookingHorizonDays != nil && *p.BookingHorizonDays < 0) {
		return api.EventType{}, invalid("minimum notice and booking horizon are not negative")
	}
	var out api.EventType
	var changed bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var e api.EventType
		row := tx.QueryRow(ctx, sqlEventTypeCalcomLimits, p.CompanyID, p.CalcomEventTypeID, p.MinimumNoticeMinutes, p.BookingHorizonDays)
		if err := row.Scan(&e.ID, &e.CompanyID, &e.BranchID, &e.CalcomEventTypeID, &e.Name, &e.Aliases,
			&e.DurationMinutes, &e.PriceCents, &e.Currency, &e.Active, &e.MinimumNoticeMinutes, &e.BookingHorizonDays,
			&e.CalcomMinimumNoticeMinutes, &e.CalcomBookingHorizonDays, &e.CalcomSyncedAt, &changed); err != nil {
			return fmt.Errorf("set cal.com limits of event type %d: %w", p.CalcomEventTypeID, err)
		}
		out = e
		if !changed {
			return nil
		}
		if err := audit(ctx, tx, p.CompanyID, "event_type.calcom_limits", "event_type", e.ID, map[string]any{
			"minimum_notice_minutes": p.MinimumNoticeMinutes, "booking_horizon_days": p.BookingHorizonDays}); err != nil {
			return err
		}
		branches := []string{e.BranchID}
		if e.BranchID == "" {
			var err error
			if branches, err = allBranches(ctx, tx, p.CompanyID); err != nil {
				return err
			}
		}
		return branchChanged(ctx, tx, p.CompanyID, branches)
	})
	if err != nil {
		return api.EventType{}, err
	}
	if !changed {
		return out, nil
	}
	return out, s.cache.Invalidate(ctx, p.CompanyID)
}
