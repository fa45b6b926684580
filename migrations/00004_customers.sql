-- +goose Up
-- Callers. Name, phone and e-mail are PII and stored only as AES-256-GCM ciphertext. Each blob
-- starts with the id of the key that sealed it, so keys rotate without a flag day: new writes use
-- the current key, reads accept every configured one. key_id repeats the row's key so that
-- "rows still on v0" is one indexed query for a re-encryption job.
--
-- The phone number is found through a blind index: HMAC-SHA256 of its E.164 form under a
-- separate key. Equal numbers give equal digests, so (company_id, phone_index) is unique and
-- find-or-create is one INSERT … ON CONFLICT; the digest alone reveals nothing.

CREATE TABLE customers (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id   uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    phone_index  bytea       NOT NULL CHECK (length(phone_index) = 32),
    phone_enc    bytea       NOT NULL,
    name_enc     bytea,
    email_enc    bytea,
    key_id       text        NOT NULL CHECK (length(key_id) BETWEEN 1 AND 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, phone_index),
    UNIQUE (company_id, id)
);

CREATE INDEX customers_key_id_idx ON customers (key_id);

-- +goose Down
DROP TABLE customers;
