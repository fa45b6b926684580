package database

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	companyColumns = `id::text, name, api_key_prefix, settings, time_zone,
calcom_api_key_enc IS NOT NULL, active, minimum_notice_minutes, booking_horizon_days, api_key_digest`
	sqlCompanyByDigest = `SELECT ` + companyColumns + ` FROM companies WHERE api_key_digest = $1`
	sqlCompanyByID     = `SELECT ` + companyColumns + ` FROM companies WHERE id = $1`
	sqlCompanyInsert   = `INSERT INTO companies
(name, api_key_digest, api_key_prefix, settings, time_zone, calcom_api_key_enc)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING ` + companyColumns
	sqlCompanySetCalcomKey = `UPDATE companies SET calcom_api_key_enc = $2, updated_at = now() WHERE id = $1`
	sqlCompanyCalcomKey    = `SELECT calcom_api_key_enc FROM companies WHERE id = $1 AND calcom_api_key_enc IS NOT NULL`
)

// NewCompany is what creating a tenant takes. The API key itself is never stored.
type NewCompany struct {
	Name         string
	APIKeyDigest []byte // SHA-256 of the key
	APIKeyPrefix string
	TimeZone     string
	Settings     map[string]any
	CalcomAPIKey string
}

func scanCompany(row pgx.Row) (api.Company, []byte, error) {
	var c api.Company
	var digest []byte
	err := row.Scan(&c.ID, &c.Name, &c.APIKeyPrefix, &c.Settings, &c.TimeZone,
		&c.HasCalcomAPIKey, &c.Active, &c.MinimumNoticeMinutes, &c.BookingHorizonDays, &digest)
	return c, digest, err
}

// CompanyByAPIKeyDigest resolves the tenant of an API key from its hex SHA-256 digest. It is
// the one read that runs before a tenant is known; inactive tenants answer not found.
func (s *Store) CompanyByAPIKeyDigest(ctx context.Context, digestHex string) (api.Company, error) {
	digest, err := hex.DecodeString(digestHex)
	if err != nil || len(digest) != 32 {
		return api.Company{}, invalid("digest is not a hex SHA-256")
	}
	return cached(ctx, s.cache, "", "digest:"+digestHex, func(ctx context.Context) (api.Company, error) {
		c, stored, err := scanCompany(s.read.QueryRow(ctx, sqlCompanyByDigest, digest))
		if err != nil {
			return api.Company{}, fmt.Errorf("load company by key: %w", classify(err))
		}
		// The index found the row; compare again in constant time so no code path leaks timing.
		if subtle.ConstantTimeCompare(stored, digest) != 1 || !c.Active {
			return api.Company{}, fmt.Errorf("load company by key: %w", ErrNotFound)
		}
		return c, nil
	})
}

// Company loads a tenant by id.
func (s *Store) Company(ctx context.Context, companyID string) (api.Company, error) {
	if err := checkIDs(companyID); err != nil {
		return api.Company{}, err
	}
	c, _, err := scanCompany(s.read.QueryRow(ctx, sqlCompanyByID, companyID))
	if err != nil {
		return api.Company{}, fmt.Errorf("load company %s: %w", companyID, classify(err))
	}
	return c, nil
}

// CreateCompany creates a tenant.
func (s *Store) CreateCompany(ctx context.Context, n NewCompany) (api.Company, error) {
	if n.TimeZone == "" {
		n.TimeZone = "Europe/Berlin"
	}
	if n.Settings == nil {
		n.Settings = map[string]any{}
	}
	var c api.Company
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var enc []byte
		var err error
		c, _, err = scanCompany(tx.QueryRow(ctx, sqlCompanyInsert, n.Name, n.APIKeyDigest,
			n.APIKeyPrefix, n.Settings, n.TimeZone, nil))
		if err != nil {
			return fmt.Errorf("insert company: %w", err)
		}
		if n.CalcomAPIKey != "" {
			if enc, err = s.cipher.Seal(n.CalcomAPIKey, c.ID, "calcom_api_key"); err != nil {
				return err
			}
			if _, err = tx.Exec(ctx, sqlCompanySetCalcomKey, c.ID, enc); err != nil {
				return fmt.Errorf("store calcom key: %w", err)
			}
			c.HasCalcomAPIKey = true
		}
		return audit(ctx, tx, c.ID, "company.created", "company", c.ID, nil)
	})
	if err != nil {
		return api.Company{}, fmt.Errorf("create company: %w", err)
	}
	return c, nil
}

// CalcomAPIKey returns a tenant's decrypted Cal.com API key.
func (s *Store) CalcomAPIKey(ctx context.Context, companyID string) (string, error) {
	if err := checkIDs(companyID); err != nil {
		return "", err
	}
	var enc []byte
	if err := s.read.QueryRow(ctx, sqlCompanyCalcomKey, companyID).Scan(&enc); err != nil {
		return "", fmt.Errorf("load calcom key of %s: %w", companyID, classify(err))
	}
	return s.cipher.Open(enc, companyID, "calcom_api_key")
}
