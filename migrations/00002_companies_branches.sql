-- +goose Up
-- Tenants and their locations.
--
-- Every tenant-owned table carries company_id, and child tables reference their parents by
-- (company_id, id): the schema itself refuses a row that points into another tenant's data,
-- whatever the application code does.

-- +goose StatementBegin
CREATE FUNCTION is_time_zone(tz text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END;
$$;
-- +goose StatementEnd

CREATE TABLE companies (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- API keys are random and high-entropy, so a fast SHA-256 digest is enough (bcrypt per
    -- request would cost tens of milliseconds); the key itself is shown once and never stored.
    api_key_digest      bytea       NOT NULL UNIQUE CHECK (length(api_key_digest) = 32),
    -- The first characters of the key, so an operator can tell keys apart ("ak_live_3f9a").
    api_key_prefix      text        NOT NULL CHECK (length(api_key_prefix) BETWEEN 4 AND 16),
    settings            jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    time_zone           text        NOT NULL DEFAULT 'Europe/Berlin' CHECK (is_time_zone(time_zone)),
    -- AES-256-GCM ciphertext of the tenant's Cal.com API key; the key id travels in the blob.
    calcom_api_key_enc  bytea,
    active              boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE branches (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id     uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The dialled number in E.164. It is unique across all tenants: an inbound call is routed
    -- by this number before anyone knows the tenant.
    phone_number   text        NOT NULL UNIQUE CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    time_zone      text        NOT NULL DEFAULT 'Europe/Berlin' CHECK (is_time_zone(time_zone)),
    -- {"mon": [["09:00","18:00"]], "tue": [...], ...}: wall-clock times in the branch's zone.
    opening_hours  jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(opening_hours) = 'object'),
    address        text,
    active         boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, id)
);

CREATE INDEX branches_company_idx ON branches (company_id, name);

-- +goose Down
DROP TABLE branches;
DROP TABLE companies;
DROP FUNCTION is_time_zone(text);
