package database

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	sqlStaffList = `SELECT s.id::text, s.company_id::text, s.branch_id::text, s.name, s.aliases,
  COALESCE(s.calcom_user_id, 0), s.active,
  COALESCE(array_agg(se.event_type_id::text ORDER BY se.event_type_id)
           FILTER (WHERE se.event_type_id IS NOT NULL), '{}'),
  COALESCE(jsonb_object_agg(se.event_type_id::text, se.calcom_event_type_id)
           FILTER (WHERE se.calcom_event_type_id IS NOT NULL), '{}')
FROM staff s
LEFT JOIN staff_event_types se ON se.staff_id = s.id
WHERE s.company_id = $1 AND s.active AND ($2::uuid IS NULL OR s.branch_id = $2)
GROUP BY s.id
ORDER BY s.name, s.id`
	sqlStaffUpsert = `INSERT INTO staff (id, company_id, branch_id, name, aliases, calcom_user_id, active)
VALUES (COALESCE($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET branch_id = EXCLUDED.branch_id, name = EXCLUDED.name,
  aliases = EXCLUDED.aliases, calcom_user_id = EXCLUDED.calcom_user_id,
  active = EXCLUDED.active, updated_at = now()
  WHERE staff.company_id = EXCLUDED.company_id
RETURNING id::text`
	sqlStaffBranch           = `SELECT branch_id::text FROM staff WHERE company_id = $1 AND id = $2 FOR UPDATE`
	sqlStaffEventTypesClear  = `DELETE FROM staff_event_types WHERE company_id = $1 AND staff_id = $2`
	sqlStaffEventTypesInsert = `INSERT INTO staff_event_types (company_id, staff_id, event_type_id, calcom_event_type_id)
SELECT $1, $2, e, ($4::jsonb ->> e::text)::bigint FROM unnest($3::uuid[]) AS e`
)

// StaffList lists a tenant's active staff, of one branch when branchID is set. It is cached.
func (s *Store) StaffList(ctx context.Context, companyID, branchID string) ([]api.Staff, error) {
	if err := checkIDs(companyID); err != nil {
		return nil, err
	}
	if err := optionalID(branchID); err != nil {
		return nil, err
	}
	return cached(ctx, s.cache, companyID, "staff:"+branchID, func(ctx context.Context) ([]api.Staff, error) {
		rows, err := s.read.Query(ctx, sqlStaffList, companyID, nullable(branchID))
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", classify(err))
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.Staff, error) {
			var st api.Staff
			err := r.Scan(&st.ID, &st.CompanyID, &st.BranchID, &st.Name, &st.Aliases,
				&st.CalcomUserID, &st.Active, &st.EventTypeIDs, &st.CalcomEventTypes)
			if len(st.CalcomEventTypes) == 0 {
				st.CalcomEventTypes = nil
			}
			return st, err
		})
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", classify(err))
		}
		return out, nil
	})
}

// StaffByName returns the staff whose name or an alias matches name, ignoring case and
// surrounding space; it filters the cached list.
func (s *Store) StaffByName(ctx context.Context, companyID, branchID, name string) ([]api.Staff, error) {
	all, err := s.StaffList(ctx, companyID, branchID)
	if err != nil {
		return nil, err
	}
	var out []api.Staff
	for _, st := range all {
		if matchesName(name, st.Name, st.Aliases) {
			out = append(out, st)
		}
	}
	return out, nil
}

// matchesName compares a spoken name with a record's name and aliases, case-insensitively.
// Fuzzy matching belongs to routing; this is the exact lookup it builds on.
func matchesName(spoken, name string, aliases []string) bool {
	spoken = strings.ToLower(strings.TrimSpace(spoken))
	if spoken == "" {
		return false
	}
	if strings.ToLower(name) == spoken {
		return true
	}
	for _, a := range aliases {
		if strings.ToLower(a) == spoken {
			return true
		}
	}
	return false
}

// UpsertStaff creates (empty ID) or replaces a staff member with the event types they offer.
func (s *Store) UpsertStaff(ctx context.Context, actor string, st api.Staff) (api.Staff, error) {
	if err := checkIDs(append([]string{st.CompanyID, st.BranchID}, st.EventTypeIDs...)...); err != nil {
		return api.Staff{}, err
	}
	if err := optionalID(st.ID); err != nil {
		return api.Staff{}, err
	}
	if st.Aliases == nil {
		st.Aliases = []string{}
	}
	if err := checkCalcomEventTypes(st); err != nil {
		return api.Staff{}, err
	}
	calcomIDs, err := json.Marshal(st.CalcomEventTypes)
	if err != nil {
		return api.Staff{}, fmt.Errorf("encode calcom event types: %w", err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var oldBranch string
		if st.ID != "" {
			if err := tx.QueryRow(ctx, sqlStaffBranch, st.CompanyID, st.ID).Scan(&oldBranch); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if err := tx.QueryRow(ctx, sqlStaffUpsert, nullable(st.ID), st.CompanyID, st.BranchID, st.Name,
			st.Aliases, nullableInt(st.CalcomUserID), st.Active).Scan(&st.ID); err != nil {
			return fmt.Errorf("upsert staff: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlStaffEventTypesClear, st.CompanyID, st.ID); err != nil {
			return fmt.Errorf("clear staff event types: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlStaffEventTypesInsert, st.CompanyID, st.ID, st.EventTypeIDs, calcomIDs); err != nil {
			return fmt.Errorf("link staff event types: %w", err)
		}
		if err := audit(ctx, tx, st.CompanyID, actor, "staff.saved", "staff", st.ID, nil); err != nil {
			return err
		}
		return branchChanged(ctx, tx, st.CompanyID, []string{st.BranchID, oldBranch})
	})
	if err != nil {
		return api.Staff{}, err
	}
	return st, s.cache.Invalidate(ctx, st.CompanyID)
}

// checkCalcomEventTypes: a staff member's own Cal.com event type belongs to a service they offer.
func checkCalcomEventTypes(st api.Staff) error {
	for id, calID := range st.CalcomEventTypes {
		if !slices.Contains(st.EventTypeIDs, id) {
			return invalid("calcom_event_types: %s is not an offered event type", id)
		}
		if calID <= 0 {
			return invalid("calcom_event_types: Cal.com event type ids are positive")
		}
	}
	return nil
}

func nullableInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
