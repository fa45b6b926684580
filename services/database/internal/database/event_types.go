package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	eventTypeColumns = `id::text, company_id::text, COALESCE(branch_id::text, ''), calcom_event_type_id,
name, aliases, duration_minutes, price_cents, currency, active, minimum_notice_minutes, booking_horizon_days`
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
)

func scanEventType(row pgx.Row) (api.EventType, error) {
	var e api.EventType
	err := row.Scan(&e.ID, &e.CompanyID, &e.BranchID, &e.CalcomEventTypeID, &e.Name, &e.Aliases,
		&e.DurationMinutes, &e.PriceCents, &e.Currency, &e.Active, &e.MinimumNoticeMinutes, &e.BookingHorizonDays)
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
