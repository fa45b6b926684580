package database

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	sqlStaffList = `SELECT s.id::text, s.company_id::text, s.branch_id::text, s.name, s.aliases,
  COALESCE(s.calcom_user_id, 0), s.active,
  COALESCE(array_agg(se.event_type_id::text ORDER BY se.event_type_id)
           FILTER (WHERE se.event_type_id IS NOT NULL), '{}'),
  COALESCE(jsonb_object_agg(se.event_type_id::text, se.calcom_event_type_id)
           FILTER (WHERE se.calcom_event_type_id IS NOT NULL), '{}'),
  (SELECT COALESCE(jsonb_object_agg(wb.branch_id, wb.days), '{}'::jsonb) FROM (
     SELECT wd.branch_id, jsonb_object_agg(wd.day, wd.ranges) AS days FROM (
       SELECT w.branch_id::text AS branch_id,
         (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])[w.weekday] AS day,
         jsonb_agg(jsonb_build_object('from', to_char(w.start_time, 'HH24:MI'),
           'to', to_char(w.end_time, 'HH24:MI')) ORDER BY w.start_time) AS ranges
       FROM working_hours w WHERE w.staff_id = s.id
       GROUP BY w.branch_id, w.weekday) wd
     GROUP BY wd.branch_id) wb),
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('from', t.starts_at, 'to', t.ends_at,
     'reason', COALESCE(t.reason, '')) ORDER BY t.starts_at, t.ends_at), '[]'::jsonb)
   FROM time_off t WHERE t.staff_id = s.id)
FROM staff s
LEFT JOIN staff_event_types se ON se.staff_id = s.id
WHERE s.company_id = $1 AND s.active AND ($2::uuid IS NULL OR s.branch_id = $2
  OR EXISTS (SELECT 1 FROM working_hours w WHERE w.company_id = s.company_id
             AND w.staff_id = s.id AND w.branch_id = $2))
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
	sqlStaffHoursBranches = `SELECT DISTINCT branch_id::text FROM working_hours WHERE company_id = $1 AND staff_id = $2`
	sqlStaffHoursClear    = `DELETE FROM working_hours WHERE company_id = $1 AND staff_id = $2`
	sqlStaffHoursInsert   = `INSERT INTO working_hours (company_id, staff_id, branch_id, weekday, start_time, end_time)
SELECT $1, $2, b, d, f, t FROM unnest($3::uuid[], $4::smallint[], $5::time[], $6::time[]) AS h (b, d, f, t)`
	sqlStaffTimeOffClear  = `DELETE FROM time_off WHERE company_id = $1 AND staff_id = $2`
	sqlStaffTimeOffInsert = `INSERT INTO time_off (company_id, staff_id, starts_at, ends_at, reason)
SELECT $1, $2, f, t, NULLIF(r, '') FROM unnest($3::timestamptz[], $4::timestamptz[], $5::text[]) AS o (f, t, r)`
)

// Weekdays are the keys of OpeningHours, Monday first (ISO weekday i+1).
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// staffHours are a staff member's working hours as rows of working_hours.
type staffHours struct {
	branches     []string
	weekdays     []int16
	starts, ends []string
	atBranches   []string
}

// checkStaffRules refuses malformed working hours and reversed time off, and flattens the hours
// into rows.
func checkStaffRules(st api.Staff) (staffHours, error) {
	var h staffHours
	for branchID, week := range st.WorkingHours {
		if err := checkIDs(branchID); err != nil {
			return h, invalid("working_hours: %q is not a branch id", branchID)
		}
		h.atBranches = append(h.atBranches, branchID)
		for day, ranges := range week {
			wd := slices.Index(Weekdays, day)
			if wd < 0 {
				return h, invalid("working_hours[%s]: %q is not a weekday (mon … sun)", branchID, day)
			}
			for i, r := range ranges {
				from, okFrom := clockMinutes(r.From)
				to, okTo := clockMinutes(r.To)
				if !okFrom || !okTo {
					return h, invalid("working_hours[%s].%s[%d]: %s-%s is not HH:MM-HH:MM", branchID, day, i, r.From, r.To)
				}
				if to <= from {
					return h, invalid("working_hours[%s].%s[%d]: %s-%s ends before it starts", branchID, day, i, r.From, r.To)
				}
				h.branches = append(h.branches, branchID)
				h.weekdays = append(h.weekdays, int16(wd+1))
				h.starts = append(h.starts, r.From)
				h.ends = append(h.ends, r.To)
			}
		}
	}
	for i, o := range st.TimeOff {
		if !o.To.After(o.From) {
			return h, invalid("time_off[%d]: ends before it starts", i)
		}
	}
	return h, nil
}

// clockMinutes parses a wall-clock "HH:MM" (00:00 … 24:00) into minutes after midnight.
func clockMinutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	hh, errH := strconv.Atoi(s[:2])
	mm, errM := strconv.Atoi(s[3:])
	if errH != nil || errM != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// replaceStaffRules replaces a staff member's working hours and time off, and returns the
// branches they had hours at before.
func replaceStaffRules(ctx context.Context, tx pgx.Tx, st api.Staff, h staffHours) ([]string, error) {
	rows, err := tx.Query(ctx, sqlStaffHoursBranches, st.CompanyID, st.ID)
	if err != nil {
		return nil, fmt.Errorf("load staff hours: %w", err)
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("load staff hours: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlStaffHoursClear, st.CompanyID, st.ID); err != nil {
		return nil, fmt.Errorf("clear staff hours: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlStaffHoursInsert, st.CompanyID, st.ID, nonNil(h.branches),
		nonNil(h.weekdays), nonNil(h.starts), nonNil(h.ends)); err != nil {
		return nil, fmt.Errorf("store staff hours: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlStaffTimeOffClear, st.CompanyID, st.ID); err != nil {
		return nil, fmt.Errorf("clear time off: %w", err)
	}
	froms, tos, reasons := make([]time.Time, len(st.TimeOff)), make([]time.Time, len(st.TimeOff)), make([]string, len(st.TimeOff))
	for i, o := range st.TimeOff {
		froms[i], tos[i], reasons[i] = o.From, o.To, o.Reason
	}
	if _, err := tx.Exec(ctx, sqlStaffTimeOffInsert, st.CompanyID, st.ID, froms, tos, reasons); err != nil {
		return nil, fmt.Errorf("store time off: %w", err)
	}
	return old, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

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
				&st.CalcomUserID, &st.Active, &st.EventTypeIDs, &st.CalcomEventTypes,
				&st.WorkingHours, &st.TimeOff)
			if len(st.CalcomEventTypes) == 0 {
				st.CalcomEventTypes = nil
			}
			if len(st.WorkingHours) == 0 {
				st.WorkingHours = nil
			}
			if len(st.TimeOff) == 0 {
				st.TimeOff = nil
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
func (s *Store) UpsertStaff(ctx context.Context, st api.Staff) (api.Staff, error) {
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
	hours, err := checkStaffRules(st)
	if err != nil {
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
		oldHours, err := replaceStaffRules(ctx, tx, st, hours)
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, st.CompanyID, "staff.saved", "staff", st.ID, nil); err != nil {
			return err
		}
		changed := append([]string{st.BranchID, oldBranch}, hours.atBranches...)
		return branchChanged(ctx, tx, st.CompanyID, append(changed, oldHours...))
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
