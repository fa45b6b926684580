-- +goose Up
-- Scheduled maintenance (issue 19, `askpro maintenance rotate`).
--
-- call_retention_days: how long a tenant's calls (transcripts, recordings' links, the caller's
-- number) are kept, counted from the call's start. NULL keeps them until the tenant says
-- otherwise. Retention deletes call_keys rows, which cascade to calls; an appointment that was
-- booked during such a call keeps its retell_call_id but loses the link.
ALTER TABLE companies
    ADD COLUMN call_retention_days integer CHECK (call_retention_days BETWEEN 1 AND 36500);

CREATE INDEX call_keys_company_started_idx ON call_keys (company_id, started_at);

-- +goose StatementBegin
-- ensure_call_partitions_at is ensure_call_partitions with the reference instant given, so the
-- maintenance job (and its tests, with a fixed clock) create the months ahead of a known "now".
CREATE FUNCTION ensure_call_partitions_at(at timestamptz, months_ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m       timestamp;
    lo      timestamptz;
    hi      timestamptz;
    part    text;
    created integer := 0;
BEGIN
    FOR i IN 0..months_ahead LOOP
        m  := date_trunc('month', at AT TIME ZONE 'UTC') + make_interval(months => i);
        lo := m AT TIME ZONE 'UTC';
        hi := (m + interval '1 month') AT TIME ZONE 'UTC';
        part := format('calls_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        EXECUTE format('CREATE TABLE %I (LIKE calls INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('INSERT INTO %I SELECT * FROM calls_default WHERE started_at >= $1 AND started_at < $2', part)
            USING lo, hi;
        DELETE FROM calls_default WHERE started_at >= lo AND started_at < hi;
        EXECUTE format('ALTER TABLE calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        created := created + 1;
    END LOOP;
    RETURN created;
END;
$$;
-- +goose StatementEnd

CREATE OR REPLACE FUNCTION ensure_call_partitions(months_ahead integer) RETURNS integer
LANGUAGE sql AS $$ SELECT ensure_call_partitions_at(now(), months_ahead) $$;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ensure_call_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m       timestamp;
    lo      timestamptz;
    hi      timestamptz;
    part    text;
    created integer := 0;
BEGIN
    FOR i IN 0..months_ahead LOOP
        m  := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
        lo := m AT TIME ZONE 'UTC';
        hi := (m + interval '1 month') AT TIME ZONE 'UTC';
        part := format('calls_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        EXECUTE format('CREATE TABLE %I (LIKE calls INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('INSERT INTO %I SELECT * FROM calls_default WHERE started_at >= $1 AND started_at < $2', part)
            USING lo, hi;
        DELETE FROM calls_default WHERE started_at >= lo AND started_at < hi;
        EXECUTE format('ALTER TABLE calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        created := created + 1;
    END LOOP;
    RETURN created;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION ensure_call_partitions_at(timestamptz, integer);
DROP INDEX call_keys_company_started_idx;
ALTER TABLE companies DROP COLUMN call_retention_days;
