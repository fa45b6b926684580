-- +goose Up
-- Calls, range-partitioned by started_at: one partition per month, plus a default partition that
-- catches anything no monthly partition covers yet (a clock far off, a missed maintenance run).
--
-- Idempotency by retell_call_id despite partitioning. A unique index on a partitioned table
-- must contain the partition key, so UNIQUE (retell_call_id) on calls is impossible, and
-- UNIQUE (retell_call_id, started_at) would not be enough: a retry that carries a different or
-- missing start time would land as a second row, possibly in another partition. Instead
-- call_keys, a small unpartitioned table, owns the identity of a call:
--
--   * retell_call_id is UNIQUE there, so concurrent ingests of one call serialize on that index
--     and exactly one of them inserts (INSERT … ON CONFLICT DO NOTHING; the loser reads the
--     winner's row);
--   * it pins started_at at first sight, so every later write addresses the same partition row
--     by (id, started_at) and a row never moves between partitions;
--   * it gives each call a stable id other tables can reference with a foreign key
--     (appointments.call_id), which a partitioned primary key (id, started_at) could not.
--
-- The cost is one extra indexed row per call, small next to a transcript.

CREATE TABLE call_keys (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id      uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    retell_call_id  text        NOT NULL UNIQUE CHECK (length(retell_call_id) BETWEEN 1 AND 200),
    started_at      timestamptz NOT NULL,
    UNIQUE (company_id, id)
);

-- +goose StatementBegin
-- call_status_rank orders call states so that a late or duplicate webhook never moves a call
-- backwards: analyzed > ended > ongoing > registered.
CREATE FUNCTION call_status_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status
        WHEN 'registered' THEN 0
        WHEN 'ongoing'    THEN 1
        WHEN 'error'      THEN 2
        WHEN 'ended'      THEN 2
        WHEN 'analyzed'   THEN 3
    END
$$;
-- +goose StatementEnd

CREATE TABLE calls (
    id                uuid        NOT NULL,
    company_id        uuid        NOT NULL,
    branch_id         uuid        NOT NULL,
    customer_id       uuid,
    retell_call_id    text        NOT NULL,
    -- The caller's number and the transcript are PII: AES-256-GCM blobs, sealed by the
    -- service like customers' fields (key id inside the blob). to_number is the branch's own.
    from_number       bytea,
    to_number         text,
    status            text        NOT NULL CHECK (call_status_rank(status) IS NOT NULL),
    duration_seconds  integer     CHECK (duration_seconds >= 0),
    recording_url     text,
    transcript        bytea,
    -- call_analysis.user_sentiment from Retell: Positive, Neutral, Negative, Unknown.
    sentiment         text        CHECK (sentiment IN ('positive', 'neutral', 'negative', 'unknown')),
    metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- The webhook body of the latest status as received, kept for audits and re-processing.
    -- It repeats the caller's number and the transcript, so it is sealed like them.
    raw_payload       bytea,
    appointment_id    uuid,
    started_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    FOREIGN KEY (company_id, id) REFERENCES call_keys (company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)
) PARTITION BY RANGE (started_at);

CREATE TABLE calls_default PARTITION OF calls DEFAULT;

CREATE INDEX calls_company_started_idx ON calls (company_id, branch_id, started_at);
CREATE INDEX calls_customer_idx ON calls (customer_id, started_at) WHERE customer_id IS NOT NULL;

-- +goose StatementBegin
-- ensure_call_partitions creates the monthly partitions from the current month to
-- months_ahead months ahead (in UTC) and returns how many it created. Rows that already sit in
-- the default partition for a new month are moved into it in the same transaction, because
-- attaching a partition whose range the default partition holds rows for is refused.
CREATE FUNCTION ensure_call_partitions(months_ahead integer) RETURNS integer
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

SELECT ensure_call_partitions(3);

-- +goose Down
DROP TABLE calls;
DROP FUNCTION ensure_call_partitions(integer);
DROP FUNCTION call_status_rank(text);
DROP TABLE call_keys;
