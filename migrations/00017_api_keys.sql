-- +goose Up
-- Several API keys per tenant, each named, with a last-used time, revocable one by one
-- (issue 26). The gateway resolves a key through this table only; companies.api_key_digest and
-- api_key_prefix are no longer read or written (they stay, nullable, so old rows and fixtures
-- load). companies.active (00002) is what `askpro tenant deactivate` turns off.
CREATE TABLE api_keys (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id   uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the key; the key itself is shown once and never stored.
    digest       bytea       NOT NULL UNIQUE CHECK (length(digest) = 32),
    -- The first 12 characters of the key, to tell keys apart ("ak_live_3f9a").
    prefix       text        NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Written at most once a minute per key, from the lookups that miss the gateways' caches.
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- A name is unique among a tenant's live keys; a revoked key's name may be used again.
CREATE UNIQUE INDEX api_keys_company_name_live_idx ON api_keys (company_id, name) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_company_idx ON api_keys (company_id, created_at);

INSERT INTO api_keys (company_id, name, digest, prefix, created_at)
SELECT id, 'default', api_key_digest, left(api_key_prefix, 16), created_at
FROM companies WHERE api_key_digest IS NOT NULL;

ALTER TABLE companies ALTER COLUMN api_key_digest DROP NOT NULL,
                      ALTER COLUMN api_key_prefix DROP NOT NULL;

-- +goose Down
UPDATE companies c SET api_key_digest = k.digest, api_key_prefix = k.prefix
FROM (SELECT DISTINCT ON (company_id) company_id, digest, prefix FROM api_keys
      WHERE revoked_at IS NULL ORDER BY company_id, created_at DESC) k
WHERE k.company_id = c.id;
DROP TABLE api_keys;
