package database

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	branchColumns = `id::text, company_id::text, name, phone_number, time_zone, opening_hours,
COALESCE(address, ''), active, COALESCE(state, ''),
(SELECT COALESCE(jsonb_agg(jsonb_build_object('from', to_char(d.first_day, 'YYYY-MM-DD'),
   'to', to_char(d.last_day, 'YYYY-MM-DD'), 'label', COALESCE(d.label, ''))
   ORDER BY d.first_day, d.last_day, d.label), '[]'::jsonb)
 FROM branch_closing_days d WHERE d.branch_id = branches.id),
(SELECT COALESCE(array_agg(to_char(h.day, 'YYYY-MM-DD') ORDER BY h.day), '{}')
 FROM branch_open_holidays h WHERE h.branch_id = branches.id)`
	sqlBranchByPhone = `SELECT ` + branchColumns + ` FROM branches
WHERE phone_number = $1 AND active
  AND EXISTS (SELECT 1 FROM companies c WHERE c.id = branches.company_id AND c.active)`
	sqlBranchByID   = `SELECT ` + branchColumns + ` FROM branches WHERE company_id = $1 AND id = $2`
	sqlBranchList   = `SELECT ` + branchColumns + ` FROM branches WHERE company_id = $1 ORDER BY name, id`
	sqlBranchPhone  = `SELECT phone_number FROM branches WHERE company_id = $1 AND id = $2 FOR UPDATE`
	sqlBranchUpsert = `INSERT INTO branches (id, company_id, name, phone_number, time_zone, opening_hours, address, active, state)
VALUES (COALESCE($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, phone_number = EXCLUDED.phone_number,
  time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
  address = EXCLUDED.address, active = EXCLUDED.active, state = EXCLUDED.state, updated_at = now()
  WHERE branches.company_id = EXCLUDED.company_id
RETURNING id::text`
	sqlBranchClosingDaysClear  = `DELETE FROM branch_closing_days WHERE company_id = $1 AND branch_id = $2`
	sqlBranchClosingDaysInsert = `INSERT INTO branch_closing_days (company_id, branch_id, first_day, last_day, label)
SELECT $1, $2, f, l, NULLIF(lb, '') FROM unnest($3::date[], $4::date[], $5::text[]) AS c (f, l, lb)`
	sqlBranchOpenHolidaysClear  = `DELETE FROM branch_open_holidays WHERE company_id = $1 AND branch_id = $2`
	sqlBranchOpenHolidaysInsert = `INSERT INTO branch_open_holidays (company_id, branch_id, day)
SELECT DISTINCT $1::uuid, $2::uuid, d FROM unnest($3::date[]) AS d`
)

// GermanStates are the ISO 3166-2 codes of the 16 Bundesländer, whose public holidays a
// branch's State selects.
var GermanStates = []string{"DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH", "DE-HE", "DE-MV",
	"DE-NI", "DE-NW", "DE-RP", "DE-SL", "DE-SN", "DE-ST", "DE-SH", "DE-TH"}

// checkBranchRules refuses an unknown state and malformed or reversed closing days.
func checkBranchRules(b api.Branch) error {
	if b.State != "" && !slices.Contains(GermanStates, b.State) {
		return invalid("state: %q is not a German state code (DE-BE, DE-BY, …)", b.State)
	}
	for i, c := range b.ClosingDays {
		from, err := time.Parse(time.DateOnly, c.From)
		if err != nil {
			return invalid("closing_days[%d].from: %q is not a date (YYYY-MM-DD)", i, c.From)
		}
		to, err := time.Parse(time.DateOnly, c.To)
		if err != nil {
			return invalid("closing_days[%d].to: %q is not a date (YYYY-MM-DD)", i, c.To)
		}
		if to.Before(from) {
			return invalid("closing_days[%d]: %s ends before it starts", i, c.To)
		}
	}
	for i, d := range b.OpenOnHolidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return invalid("open_on_holidays[%d]: %q is not a date (YYYY-MM-DD)", i, d)
		}
	}
	return nil
}

// replaceBranchDays replaces a branch's closing days and holidays it opens on.
func replaceBranchDays(ctx context.Context, tx pgx.Tx, b api.Branch, id string) error {
	if _, err := tx.Exec(ctx, sqlBranchClosingDaysClear, b.CompanyID, id); err != nil {
		return fmt.Errorf("clear closing days: %w", err)
	}
	froms, tos, labels := make([]string, len(b.ClosingDays)), make([]string, len(b.ClosingDays)), make([]string, len(b.ClosingDays))
	for i, c := range b.ClosingDays {
		froms[i], tos[i], labels[i] = c.From, c.To, c.Label
	}
	if _, err := tx.Exec(ctx, sqlBranchClosingDaysInsert, b.CompanyID, id, froms, tos, labels); err != nil {
		return fmt.Errorf("store closing days: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlBranchOpenHolidaysClear, b.CompanyID, id); err != nil {
		return fmt.Errorf("clear open holidays: %w", err)
	}
	days := b.OpenOnHolidays
	if days == nil {
		days = []string{}
	}
	if _, err := tx.Exec(ctx, sqlBranchOpenHolidaysInsert, b.CompanyID, id, days); err != nil {
		return fmt.Errorf("store open holidays: %w", err)
	}
	return nil
}

func scanBranch(row pgx.Row) (api.Branch, error) {
	var b api.Branch
	err := row.Scan(&b.ID, &b.CompanyID, &b.Name, &b.PhoneNumber, &b.TimeZone, &b.OpeningHours,
		&b.Address, &b.Active, &b.State, &b.ClosingDays, &b.OpenOnHolidays)
	if len(b.ClosingDays) == 0 {
		b.ClosingDays = nil
	}
	if len(b.OpenOnHolidays) == 0 {
		b.OpenOnHolidays = nil
	}
	return b, err
}

// BranchByPhone resolves the branch a number belongs to. companyID may be empty: inbound
// routing learns the tenant from this very lookup. When it is set, another tenant's branch
// answers not found.
func (s *Store) BranchByPhone(ctx context.Context, companyID, phone string) (api.Branch, error) {
	if err := optionalID(companyID); err != nil {
		return api.Branch{}, err
	}
	e164, err := s.NormalizePhone(phone)
	if err != nil {
		return api.Branch{}, err
	}
	b, err := cached(ctx, s.cache, "", "phone:"+e164, func(ctx context.Context) (api.Branch, error) {
		b, err := scanBranch(s.read.QueryRow(ctx, sqlBranchByPhone, e164))
		if err != nil {
			return api.Branch{}, fmt.Errorf("load branch by phone: %w", classify(err))
		}
		return b, nil
	})
	if err != nil {
		return api.Branch{}, err
	}
	if companyID != "" && b.CompanyID != companyID {
		return api.Branch{}, fmt.Errorf("load branch by phone: %w", ErrNotFound)
	}
	return b, nil
}

// Branch loads one branch of a tenant.
func (s *Store) Branch(ctx context.Context, companyID, branchID string) (api.Branch, error) {
	if err := checkIDs(companyID, branchID); err != nil {
		return api.Branch{}, err
	}
	b, err := scanBranch(s.read.QueryRow(ctx, sqlBranchByID, companyID, branchID))
	if err != nil {
		return api.Branch{}, fmt.Errorf("load branch %s: %w", branchID, classify(err))
	}
	return b, nil
}

// Branches lists a tenant's branches.
func (s *Store) Branches(ctx context.Context, companyID string) ([]api.Branch, error) {
	if err := checkIDs(companyID); err != nil {
		return nil, err
	}
	rows, err := s.read.Query(ctx, sqlBranchList, companyID)
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.Branch, error) { return scanBranch(r) })
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", classify(err))
	}
	return out, nil
}

// UpsertBranch creates a branch (empty ID) or replaces one of the tenant's, then invalidates
// the cached lookups by its old and new number.
func (s *Store) UpsertBranch(ctx context.Context, b api.Branch) (api.Branch, error) {
	if err := checkIDs(b.CompanyID); err != nil {
		return api.Branch{}, err
	}
	if err := optionalID(b.ID); err != nil {
		return api.Branch{}, err
	}
	if b.TimeZone == "" {
		b.TimeZone = "Europe/Berlin"
	}
	if b.OpeningHours == nil {
		b.OpeningHours = api.OpeningHours{}
	}
	if err := checkBranchRules(b); err != nil {
		return api.Branch{}, err
	}
	e164, err := s.NormalizePhone(b.PhoneNumber)
	if err != nil {
		return api.Branch{}, err
	}
	b.PhoneNumber = e164 // stored as BranchByPhone looks it up
	var out api.Branch
	var oldPhone string
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if b.ID != "" {
			if err := tx.QueryRow(ctx, sqlBranchPhone, b.CompanyID, b.ID).Scan(&oldPhone); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var id string
		if err := tx.QueryRow(ctx, sqlBranchUpsert, nullable(b.ID), b.CompanyID, b.Name, b.PhoneNumber,
			b.TimeZone, b.OpeningHours, nullable(b.Address), b.Active, nullable(b.State)).Scan(&id); err != nil {
			return fmt.Errorf("upsert branch: %w", err)
		}
		if err := replaceBranchDays(ctx, tx, b, id); err != nil {
			return err
		}
		var err error
		if out, err = scanBranch(tx.QueryRow(ctx, sqlBranchByID, b.CompanyID, id)); err != nil {
			return fmt.Errorf("reload branch: %w", err)
		}
		if err := audit(ctx, tx, b.CompanyID, "branch.saved", "branch", out.ID, nil); err != nil {
			return err
		}
		return branchChanged(ctx, tx, b.CompanyID, []string{out.ID}, oldPhone, out.PhoneNumber)
	})
	if err != nil {
		return api.Branch{}, err
	}
	keys := []string{"phone:" + out.PhoneNumber}
	if oldPhone != "" && oldPhone != out.PhoneNumber {
		keys = append(keys, "phone:"+oldPhone)
	}
	return out, s.cache.Invalidate(ctx, b.CompanyID, keys...)
}
