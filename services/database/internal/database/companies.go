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
	// api_key_prefix is the newest live key's (api_keys, 00017).
	companyColumns = `id::text, name,
COALESCE((SELECT k.prefix FROM api_keys k WHERE k.company_id = companies.id AND k.revoked_at IS NULL
  ORDER BY k.created_at DESC, k.id LIMIT 1), ''), settings, time_zone,
calcom_api_key_enc IS NOT NULL, active, minimum_notice_minutes, booking_horizon_days`
	// Only a live key of an active tenant matches.
	sqlCompanyByDigest = `WITH k AS (SELECT id AS key_id, company_id AS key_company, digest AS key_digest
  FROM api_keys WHERE digest = $1 AND revoked_at IS NULL)
SELECT ` + companyColumns + `, key_id::text, key_digest FROM companies JOIN k ON key_company = companies.id
WHERE active`
	sqlCompanyByID   = `SELECT ` + companyColumns + ` FROM companies WHERE id = $1`
	sqlCompanyInsert = `INSERT INTO companies (name, settings, time_zone, calcom_api_key_enc)
VALUES ($1, $2, $3, $4) RETURNING ` + companyColumns
	sqlCompanySetCalcomKey = `UPDATE companies SET calcom_api_key_enc = $2, updated_at = now() WHERE id = $1`
	sqlCompanyCalcomKey    = `SELECT calcom_api_key_enc FROM companies WHERE id = $1 AND calcom_api_key_enc IS NOT NULL`
)

// NewCompany is what creating a tenant takes: its first API key, named DefaultKeyName, is
// created with it. The API key itself is never stored.
type NewCompany struct {
	Name         string
	APIKeyDigest []byte // SHA-256 of the key
	APIKeyPrefix string
	TimeZone     string
	Settings     map[string]any
	CalcomAPIKey string
}

func scanCompany(row pgx.Row, extra ...any) (api.Company, error) {
	var c api.Company
	err := row.Scan(append([]any{&c.ID, &c.Name, &c.APIKeyPrefix, &c.Settings, &c.TimeZone,
		&c.HasCalcomAPIKey, &c.Active, &c.MinimumNoticeMinutes, &c.BookingHorizonDays}, extra...)...)
	return c, err
}

// CompanyByAPIKeyDigest resolves the tenant of an API key from its hex SHA-256 digest, with
// APIKeyID set to the key's id. It is the one read that runs before a tenant is known; a
// revoked key and an inactive tenant answer not found. A hit notes the key's last use.
func (s *Store) CompanyByAPIKeyDigest(ctx context.Context, digestHex string) (api.Company, error) {
	digest, err := hex.DecodeString(digestHex)
	if err != nil || len(digest) != 32 {
		return api.Company{}, invalid("digest is not a hex SHA-256")
	}
	c, err := cached(ctx, s.cache, "", digestCacheKey(digestHex), func(ctx context.Context) (api.Company, error) {
		var keyID string
		var stored []byte
		c, err := scanCompany(s.read.QueryRow(ctx, sqlCompanyByDigest, digest), &keyID, &stored)
		c.APIKeyID = keyID
		if err != nil {
			return api.Company{}, fmt.Errorf("load company by key: %w", classify(err))
		}
		// The index found the row; compare again in constant time so no code path leaks timing.
		if subtle.ConstantTimeCompare(stored, digest) != 1 || !c.Active {
			return api.Company{}, fmt.Errorf("load company by key: %w", ErrNotFound)
		}
		return c, nil
	})
	if err == nil {
		s.keyUsed(c.APIKeyID)
	}
	return c, err
}

// Company loads a tenant by id.
func (s *Store) Company(ctx context.Context, companyID string) (api.Company, error) {
	if err := checkIDs(companyID); err != nil {
		return api.Company{}, err
	}
	c, err := scanCompany(s.read.QueryRow(ctx, sqlCompanyByID, companyID))
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
		c, err = scanCompany(tx.QueryRow(ctx, sqlCompanyInsert, n.Name, n.Settings, n.TimeZone, nil))
		if err != nil {
			return fmt.Errorf("insert company: %w", err)
		}
		// The tenant's first key, named "default"; its event is not needed (nothing cached it).
		if _, err = insertAPIKey(ctx, tx, c.ID, DefaultKeyName, n.APIKeyDigest, n.APIKeyPrefix); err != nil {
			return err
		}
		c.APIKeyPrefix = n.APIKeyPrefix
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
