package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	branchColumns = `id::text, company_id::text, name, phone_number, time_zone, opening_hours,
COALESCE(address, ''), active`
	sqlBranchByPhone = `SELECT ` + branchColumns + ` FROM branches
WHERE phone_number = $1 AND active
  AND EXISTS (SELECT 1 FROM companies c WHERE c.id = branches.company_id AND c.active)`
	sqlBranchByID   = `SELECT ` + branchColumns + ` FROM branches WHERE company_id = $1 AND id = $2`
	sqlBranchList   = `SELECT ` + branchColumns + ` FROM branches WHERE company_id = $1 ORDER BY name, id`
	sqlBranchPhone  = `SELECT phone_number FROM branches WHERE company_id = $1 AND id = $2 FOR UPDATE`
	sqlBranchUpsert = `INSERT INTO branches (id, company_id, name, phone_number, time_zone, opening_hours, address, active)
VALUES (COALESCE($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, phone_number = EXCLUDED.phone_number,
  time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
  address = EXCLUDED.address, active = EXCLUDED.active, updated_at = now()
  WHERE branches.company_id = EXCLUDED.company_id
RETURNING ` + branchColumns
)

func scanBranch(row pgx.Row) (api.Branch, error) {
	var b api.Branch
	err := row.Scan(&b.ID, &b.CompanyID, &b.Name, &b.PhoneNumber, &b.TimeZone, &b.OpeningHours,
		&b.Address, &b.Active)
	return b, err
}

// BranchByPhone resolves the branch a number belongs to. companyID may be empty: inbound
// routing learns the tenant from this very lookup. When it is set, another tenant's branch
// answers not found.
func (s *Store) BranchByPhone(ctx context.Context, companyID, phone string) (api.Branch, error) {
	if err := optionalID(companyID); err != nil {
		return api.Branch{}, err
	}
	e164, err := NormalizePhone(phone)
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
func (s *Store) UpsertBranch(ctx context.Context, actor string, b api.Branch) (api.Branch, error) {
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
	var out api.Branch
	var oldPhone string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if b.ID != "" {
			if err := tx.QueryRow(ctx, sqlBranchPhone, b.CompanyID, b.ID).Scan(&oldPhone); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var err error
		out, err = scanBranch(tx.QueryRow(ctx, sqlBranchUpsert, nullable(b.ID), b.CompanyID, b.Name,
			b.PhoneNumber, b.TimeZone, b.OpeningHours, nullable(b.Address), b.Active))
		if err != nil {
			return fmt.Errorf("upsert branch: %w", err)
		}
		if err := audit(ctx, tx, b.CompanyID, actor, "branch.saved", "branch", out.ID, nil); err != nil {
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
