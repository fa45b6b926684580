package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

// Operator reads and writes for the askpro CLI: they span tenants or touch credentials, so
// no JSON-RPC method exposes them.
const (
	sqlCompanyList   = `SELECT ` + companyColumns + ` FROM companies ORDER BY created_at, id`
	sqlCompanyByName = `SELECT ` + companyColumns + ` FROM companies WHERE name = $1 ORDER BY created_at, id`
	sqlCompanyRotate = `UPDATE companies SET api_key_digest = $2, api_key_prefix = $3, updated_at = now()
WHERE id = $1 RETURNING ` + companyColumns
	sqlCompanyBookingDefaults = `UPDATE companies SET minimum_notice_minutes = $2, booking_horizon_days = $3,
  updated_at = now()
WHERE id = $1 AND (minimum_notice_minutes, booking_horizon_days) IS DISTINCT FROM ($2, $3)`
	sqlCompanyTimeZone = `UPDATE companies SET time_zone = $2, updated_at = now() WHERE id = $1 AND time_zone <> $2`
	sqlDigestOf        = `SELECT encode(api_key_digest, 'hex') FROM companies WHERE id = $1`
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
		c, _, err := scanCompany(r)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list companies: %w", classify(err))
	}
	return out, nil
}

// RotateAPIKey replaces a tenant's API key digest and prefix; the old key stops working once
// the gateways' lookup caches expire (AUTH_CACHE_TTL) and the database cache entry is dropped.
func (s *Store) RotateAPIKey(ctx context.Context, companyID string, digest []byte, prefix, actor string) (api.Company, error) {
	if err := checkIDs(companyID); err != nil {
		return api.Company{}, err
	}
	var c api.Company
	var oldDigest string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, sqlDigestOf, companyID).Scan(&oldDigest); err != nil {
			return fmt.Errorf("load key digest: %w", err)
		}
		var err error
		if c, _, err = scanCompany(tx.QueryRow(ctx, sqlCompanyRotate, companyID, digest, prefix)); err != nil {
			return fmt.Errorf("rotate key: %w", err)
		}
		return audit(ctx, tx, companyID, actor, "company.api_key_rotated", "company", companyID, nil)
	})
	if err != nil {
		return api.Company{}, fmt.Errorf("rotate api key of %s: %w", companyID, classify(err))
	}
	return c, s.cache.Invalidate(ctx, companyID, "digest:"+oldDigest)
}

// SetCompanyCalcomKey stores (encrypted) or replaces a tenant's Cal.com API key.
func (s *Store) SetCompanyCalcomKey(ctx context.Context, companyID, key, actor string) error {
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
		return audit(ctx, tx, companyID, actor, "company.calcom_key_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set calcom key of %s: %w", companyID, classify(err))
	}
	return nil
}

// SetCompanyBookingDefaults sets a tenant's default minimum notice and booking horizon for
// event types that set neither (0: the system defaults) when they differ.
func (s *Store) SetCompanyBookingDefaults(ctx context.Context, companyID string, noticeMinutes, horizonDays int, actor string) error {
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
		return audit(ctx, tx, companyID, actor, "company.booking_defaults_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set booking defaults of %s: %w", companyID, classify(err))
	}
	return s.cache.Invalidate(ctx, companyID)
}

// SetCompanyTimeZone changes a tenant's time zone when it differs.
func (s *Store) SetCompanyTimeZone(ctx context.Context, companyID, tz, actor string) error {
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
		return audit(ctx, tx, companyID, actor, "company.time_zone_set", "company", companyID, nil)
	})
	if err != nil {
		return fmt.Errorf("set time zone of %s: %w", companyID, classify(err))
	}
	return s.cache.Invalidate(ctx, companyID)
}
